"""Reading ``.npy`` and ``.npz`` files within limits that the caller sets.

``np.load`` believes what a file says: a 1 KB ``.npy`` that declares 100000 x 100000
makes it allocate 80 GB, and an ``.npz`` member is decompressed for as long as it goes
on. Here an array's header (shape, dtype, order) is read and checked first; then exactly
the bytes it declares are read, in chunks, into an array made for them. An ``.npz`` is
checked from its zip directory and from every member's header before any member's data is
read, so a file costs at most what the limits allow, whatever its directory or headers
claim. Nothing is ever unpickled: object arrays are refused from their header.

Errors are ArrayFileError with one line and no file name, for the caller to prefix.
"""

from __future__ import annotations

import io
import math
import os
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import IO, Any

import numpy as np

from .writing import kind_of

#: Longest header read, in bytes: NumPy's own bound for a header it parses safely.
MAX_HEADER_BYTES = 10_000
#: Bytes of an ``.npy`` before its data, at most: magic, length field, header.
MAX_PREAMBLE_BYTES = len(np.lib.format.MAGIC_PREFIX) + 2 + 4 + MAX_HEADER_BYTES
#: Bytes read (and so decompressed) at a time.
CHUNK_BYTES = 1 << 20


class ArrayFileError(ValueError):
    """A file or member that cannot be read as a plain array; one line, without the path."""


@dataclass(frozen=True)
class Limits:
    """How much a file may make the reader hold: the bytes of one array, of all the
    arrays of an ``.npz`` together, and how many arrays an ``.npz`` may have."""

    array_bytes: int
    total_bytes: int
    members: int = 1


@dataclass(frozen=True)
class Header:
    """What an ``.npy`` header declares."""

    shape: tuple[int, ...]
    dtype: np.dtype[Any]
    fortran_order: bool

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


def read_npy(path: str | os.PathLike[str], limits: Limits) -> np.ndarray[Any, Any]:
    """The array of an ``.npy`` file, refused from its header if it breaks ``limits``.

    OSError (no such file, a directory) is left to the caller, who names the file.
    """
    with open(path, "rb") as stream:
        header = read_header(stream)
        check_header(header, limits.array_bytes)
        return read_data(stream, header)


def read_npz(path: str | os.PathLike[str], limits: Limits) -> dict[str, np.ndarray[Any, Any]]:
    """The arrays of an ``.npz`` file by key (member names without ``.npy``).

    The zip directory is checked first (names, count, methods, declared sizes), then every
    member's header; only when all fit ``limits`` is any data read, and then never more
    than the headers declare. zipfile.BadZipFile (not a zip at all) and OSError are left to
    the caller.
    """
    with zipfile.ZipFile(path) as archive, ExitStack() as members:
        infos = archive.infolist()
        keys = check_directory(infos, limits)
        headers: dict[str, Header] = {}
        streams: dict[str, IO[bytes]] = {}
        total = 0
        for key, info in zip(keys, infos, strict=True):
            with _member(key):
                streams[key] = members.enter_context(archive.open(info))
                headers[key] = read_header(streams[key])
                check_header(headers[key], limits.array_bytes)
            total += headers[key].nbytes
            if total > limits.total_bytes:
                raise ArrayFileError(
                    f"the arrays declare more than the {_bytes(limits.total_bytes)} allowed "
                    f"in all ({key} brings them to {_bytes(total)})"
                )
        arrays = {}
        for key in keys:
            with _member(key):
                arrays[key] = read_data(streams[key], headers[key])
        return arrays


def check_directory(infos: Iterable[zipfile.ZipInfo], limits: Limits) -> list[str]:
    """The keys of an ``.npz``'s members, from its zip directory; ArrayFileError for a
    member that is not a plainly stored or deflated ``.npy`` within the limits."""
    listed = list(infos)
    if len(listed) > limits.members:
        raise ArrayFileError(f"holds {len(listed)} members; at most {limits.members} are read")
    keys: list[str] = []
    declared = 0
    for info in listed:
        if not info.filename.endswith(".npy"):
            raise ArrayFileError(f"unexpected member {info.filename!r} (not an .npy array)")
        key = info.filename.removesuffix(".npy")
        if key in keys:
            raise ArrayFileError(f"{key}: appears twice")
        if info.flag_bits & 0x1:
            raise ArrayFileError(f"{key}: encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ArrayFileError(
                f"{key}: compressed with zip method {info.compress_type}; only stored and "
                "deflated members are read (those np.savez and np.savez_compressed write)"
            )
        if info.file_size > limits.array_bytes + MAX_PREAMBLE_BYTES:
            raise ArrayFileError(
                f"{key}: declares {_bytes(info.file_size)} uncompressed, more than the "
                f"{_bytes(limits.array_bytes)} an array may have"
            )
        declared += info.file_size
        keys.append(key)
    if declared > limits.total_bytes + len(keys) * MAX_PREAMBLE_BYTES:
        raise ArrayFileError(
            f"the members declare {_bytes(declared)} uncompressed, more than the "
            f"{_bytes(limits.total_bytes)} allowed in all"
        )
    return keys


def read_header(stream: IO[bytes]) -> Header:
    """The header of the ``.npy`` that ``stream`` is at; reads no more than the header.

    Versions 1.0 and 2.0 are parsed by ``numpy.lib.format``; 3.0 differs from 2.0 only by
    a UTF-8 header, which matters for the field names of structured arrays alone (and those
    are refused), so it is read as 2.0.
    """
    try:
        version = np.lib.format.read_magic(stream)
    except ValueError:
        raise ArrayFileError("not an .npy array") from None
    if version not in ((1, 0), (2, 0), (3, 0)):
        raise ArrayFileError(f"unreadable: .npy format version {version[0]}.{version[1]}")
    length_format = "<H" if version == (1, 0) else "<I"
    length_bytes = _read_exactly(stream, struct.calcsize(length_format), "header length")
    (length,) = struct.unpack(length_format, length_bytes)
    if length > MAX_HEADER_BYTES:
        raise ArrayFileError(f"unreadable: a header of {length} bytes (at most {MAX_HEADER_BYTES})")
    text = io.BytesIO(length_bytes + _read_exactly(stream, length, "header"))
    parse = (
        np.lib.format.read_array_header_1_0
        if version == (1, 0)
        else np.lib.format.read_array_header_2_0
    )
    try:
        shape, fortran_order, dtype = parse(text, max_header_size=MAX_HEADER_BYTES)
    except ValueError as exc:
        raise ArrayFileError(f"unreadable header ({_first_line(exc)})") from None
    if any(n < 0 for n in shape):
        raise ArrayFileError(f"unreadable: the header declares shape {shape}")
    return Header(tuple(shape), dtype, fortran_order)


def check_header(header: Header, max_bytes: int) -> None:
    """ArrayFileError for an array that is not plain numbers or text, or bigger than
    ``max_bytes``; decided before anything is allocated."""
    dtype = header.dtype
    if dtype.hasobject:
        raise ArrayFileError("object arrays are not accepted (they need pickle)")
    if dtype.fields is not None or dtype.subdtype is not None:
        raise ArrayFileError(f"structured arrays are not accepted (dtype {dtype})")
    if dtype.itemsize == 0:
        raise ArrayFileError(f"unreadable: items of no size (dtype {dtype})")
    if header.nbytes > max_bytes:
        raise ArrayFileError(
            f"declares shape {header.shape} of {dtype} ({_bytes(header.nbytes)}), more than "
            f"the {_bytes(max_bytes)} allowed"
        )


def read_data(stream: IO[bytes], header: Header) -> np.ndarray[Any, Any]:
    """Exactly the data ``header`` declares, read from ``stream`` into a new array; a
    stream that ends early, or goes on after it, is unreadable."""
    shape = header.shape[::-1] if header.fortran_order else header.shape
    array = np.empty(shape, dtype=header.dtype)
    octets = array.reshape(-1).view(np.uint8)
    done = 0
    while done < len(octets):
        chunk = stream.read(min(CHUNK_BYTES, len(octets) - done))
        if not chunk:
            raise ArrayFileError(f"unreadable: truncated ({done} of {header.nbytes} bytes)")
        octets[done : done + len(chunk)] = np.frombuffer(chunk, dtype=np.uint8)
        done += len(chunk)
    if stream.read(1):
        raise ArrayFileError(f"unreadable: more data than the {header.nbytes} bytes declared")
    return array.T if header.fortran_order else array


@contextmanager
def _member(key: str) -> Iterator[None]:
    """Name the member in an error raised while reading it; the zip module's and zlib's
    complaints about a damaged member become "unreadable"."""
    try:
        yield
    except ArrayFileError as exc:
        raise ArrayFileError(f"{key}: {exc}") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise ArrayFileError(f"{key}: unreadable ({_first_line(exc)})") from None


def _read_exactly(stream: IO[bytes], size: int, what: str) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise ArrayFileError(f"unreadable: truncated in its {what}")
    return data


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _bytes(n: int) -> str:
    """A size for people: "512 MiB", "74.5 GiB", "120 bytes"."""
    if n < 1024:
        return f"{n} bytes"
    value = float(n)
    for unit in ("KiB", "MiB", "GiB", "TiB", "PiB"):
        value /= 1024
        if value < 1024 or unit == "PiB":
            break
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"


def not_a_file(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` cannot be read as a file, without opening it (opening a FIFO blocks
    until someone writes to it): "is a named pipe (FIFO), not a regular file", and so on
    for a device, a socket, a folder; None for a regular file or one that does not exist
    (opening it then says so)."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        return f"cannot read it ({exc.strerror or exc})"
    except ValueError:  # a NUL in the name
        return "a file name cannot contain a NUL character"
    kind = kind_of(mode)
    if kind is None:
        return None
    if kind == "a directory":
        return "is a directory, not a file"
    return f"is {kind}" if kind == "not a regular file" else f"is {kind}, not a regular file"
