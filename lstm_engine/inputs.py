"""Input sequences: parsing them from text and files, and checking them.

A sequence is a float64 array of shape (T, I): one row per time step.
"""

from __future__ import annotations

import array
import csv
import io
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from .arrays import ArrayFileError, Limits, not_a_file, read_npy
from .cells.base import Array


class InputError(ValueError):
    """An input sequence that cannot be used; the message names the problem."""


def _number(text: str, where: str) -> float:
    """A number of the sequence; the message says where it is ("step 2: ...")."""
    try:
        return _value(text)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def _values(text: str) -> list[str]:
    """The values of a list written with commas, spaces or both: "5, 1.9 2" -> 5, 1.9, 2.
    Two commas in a row leave an empty value, which is an error, not skipped."""
    parts = text.split(",")
    if len(parts) > 1 and not parts[-1].strip():
        parts.pop()  # a trailing comma
    values = []
    for part in parts:
        words = part.split()
        values += words if words else [""]
    return values


def one_number(text: str) -> float:
    """Exactly one finite number ("0.75", "-1e3"); an InputError for anything else,
    "1,2" and "3;4" included."""
    return float(one_step(text, 1)[0])


def one_step(text: str, input_size: int) -> Array:
    """One step's input, ``input_size`` finite numbers separated by commas or spaces; an
    InputError that says what was typed instead."""
    token = text.strip()
    if not token:
        raise InputError("type a number" if input_size == 1 else f"type {input_size} numbers")
    values = [_value(w) for w in _values(token.replace(";", ","))]
    if len(values) != input_size:
        want = "one number" if input_size == 1 else f"{input_size} numbers (the input size)"
        raise InputError(f"type {want}; {token!r} has {len(values)}")
    return np.array(values, dtype=np.float64)


def _value(token: str) -> float:
    """One finite number, or an InputError naming what the text is instead."""
    word = token.strip()
    if not word:
        raise InputError("empty value")
    try:
        value = float(word)
    except ValueError:
        raise InputError(f"{word!r} is not a number") from None
    if not math.isfinite(value):
        raise InputError(f"{word!r} is not a finite number")
    return value


def parse_inputs(text: str, input_size: int | None = None) -> Array:
    """Parse "5,1.9,2" or "5 1.9 2" (one feature per step) or "1,2;3,4" (steps by ';' or
    by new lines, features by ',' or spaces).

    Without ';' or a new line and with ``input_size`` > 1, the whole text is one step.
    """
    body = text.strip()
    if not body:
        raise InputError("the input sequence is empty")
    if ";" in body or "\n" in body:
        chunks = body.replace("\n", ";").split(";")
        if chunks and not chunks[-1].strip():
            chunks.pop()  # allow a trailing ';'
        rows = [
            [_number(v, f"step {n}") for v in _values(chunk)]
            for n, chunk in enumerate(chunks, start=1)
        ]
    elif input_size is None or input_size == 1:
        rows = [[_number(v, f"step {n}")] for n, v in enumerate(_values(body), start=1)]
    else:
        rows = [[_number(v, "step 1") for v in _values(body)]]
        if len(rows[0]) != input_size:
            raise InputError(
                f"each step needs {input_size} values (the input size), got {len(rows[0])}; "
                "separate steps with ';', as in \"1,2;3,4\""
            )
    return check_inputs(rows, input_size)


def check_inputs(rows: npt.ArrayLike, input_size: int | None = None) -> Array:
    """A (T, I) float64 copy of ``rows``, or an InputError if ragged, empty, non-finite or
    of the wrong width."""
    if isinstance(rows, list):
        widths = {len(r) if isinstance(r, list | tuple) else -1 for r in rows}
        if len(widths) > 1:
            lengths = [len(r) if isinstance(r, list | tuple) else 1 for r in rows]
            first = next(n for n, w in enumerate(lengths, 1) if w != lengths[0])
            raise _ragged(first, lengths[first - 1], lengths[0])
    try:
        array = np.array(rows, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"inputs are not numbers: {exc}") from None
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise InputError(f"inputs must be one row per step, got an array of shape {array.shape}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise InputError("the input sequence is empty")
    if not np.all(np.isfinite(array)):
        bad = int(np.argwhere(~np.isfinite(array))[0][0]) + 1
        raise InputError(f"step {bad}: not a finite number (NaN or infinity)")
    if input_size is not None and array.shape[1] != input_size:
        raise InputError(
            f"each step needs {input_size} value(s) (the cell's input size), got {array.shape[1]}"
        )
    return array


#: The most an inputs file may hold, in bytes: a ``.npy``'s data (32 Mi float64 numbers,
#: say 10^7 steps of 3 inputs) and a ``.csv``'s text (up to 16 Mi one-digit values, which
#: cost 8 bytes each once read); bigger files are refused before they are read.
MAX_NPY_BYTES = 256 * 2**20
MAX_CSV_BYTES = 32 * 2**20
NPY_LIMITS = Limits(array_bytes=MAX_NPY_BYTES, total_bytes=MAX_NPY_BYTES)


@dataclass(frozen=True)
class InputsTable:
    """An inputs file as read: the (T, I) values and, for a CSV whose first line names
    the columns, those names; ``names`` is None when there was no such line to skip."""

    values: Array
    names: tuple[str, ...] | None = None


def _ragged(step: int, width: int, first_width: int) -> InputError:
    return InputError(f"step {step} has {width} value(s) but step 1 has {first_width}")


def read_inputs_file(path: str | os.PathLike[str], input_size: int | None = None) -> Array:
    """The (T, I) sequence of a ``.csv``, ``.txt`` or ``.npy`` file (``read_inputs_table``)."""
    return read_inputs_table(path, input_size).values


def read_inputs_table(path: str | os.PathLike[str], input_size: int | None = None) -> InputsTable:
    """Read ``.csv``/``.txt`` (one step per row, features by ',', UTF-8 with or without a
    BOM, a first line of column names allowed) or ``.npy`` of shape (T, I) or (T,).

    Files bigger than MAX_CSV_BYTES / MAX_NPY_BYTES are refused before they are read (a
    ``.npy`` from its header). A first line is a header only when none of its values is a
    number: "x0,x1" is skipped and names the columns, "x0,5" is an error.
    """
    p = Path(path)
    name = str(path)
    try:
        problem = not_a_file(p)
        if problem:  # checked without opening it: opening a FIFO waits for a writer
            raise InputError(problem)
        if p.suffix.lower() == ".npy":
            table = InputsTable(_read_npy(p))
        elif p.suffix.lower() in (".csv", ".txt"):
            table = _read_csv(_read_text(p))
        else:
            raise InputError("expected a .csv or .npy file")
        return InputsTable(check_inputs(table.values, input_size), table.names)
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None


def _read_npy(path: Path) -> Array:
    try:
        values = read_npy(path, NPY_LIMITS)
    except FileNotFoundError:
        raise InputError("no such file") from None
    except OSError as exc:
        raise InputError(f"cannot read it ({exc.strerror or exc})") from None
    except ArrayFileError as exc:
        raise InputError(str(exc)) from None
    if values.dtype.kind not in "iuf":
        raise InputError(f"expected an array of real numbers, got dtype {values.dtype}")
    return values


def _read_text(path: Path) -> str:
    """The file's text, decoded as UTF-8 (a BOM dropped); InputError if too big to read."""
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            data = b"" if size > MAX_CSV_BYTES else handle.read(MAX_CSV_BYTES + 1)
    except FileNotFoundError:
        raise InputError("no such file") from None
    except OSError as exc:
        raise InputError(f"cannot read it ({exc.strerror or exc})") from None
    if size > MAX_CSV_BYTES or len(data) > MAX_CSV_BYTES:
        raise InputError(
            f"more than {MAX_CSV_BYTES // 2**20} MiB, the most a text inputs file may hold "
            "(save long sequences as .npy)"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read it ({exc})") from None


def _read_csv(text: str) -> InputsTable:
    """The rows of a CSV text as numbers, a first line of names kept apart. The numbers go
    into one flat array, not a list per row, so a long file costs 8 bytes a number."""
    flat = array.array("d")
    width: int | None = None
    names: tuple[str, ...] | None = None
    steps = 0
    for line_no, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip():
            continue
        if line_no == 1 and _is_header(row):
            names = tuple(value.strip() for value in row)
            continue
        steps += 1
        width = len(row) if width is None else width
        if len(row) != width:
            raise _ragged(steps, len(row), width)
        flat.extend(_number(v, f"line {line_no}") for v in row)
    if names is not None and width is None:  # a "header" and nothing else: no steps
        raise InputError(
            f"line 1: {', '.join(repr(n) for n in names)} is not a number, and no line "
            "of numbers follows (values go one step per line, features by ',')"
        )
    if names is not None and width is not None and len(names) != width:
        raise InputError(
            f"line 1 names {len(names)} column(s) ({', '.join(names)}) but the steps have "
            f"{width} value(s)"
        )
    return InputsTable(np.frombuffer(flat, dtype=np.float64).reshape(steps, width or 1), names)


def _is_header(row: list[str]) -> bool:
    """A first line of names ("x0,x1"): none of its values reads as a number, nor as
    numbers written with another separator ("1 2", "1;2": a mistake, said as one)."""

    def numbers(value: str) -> bool:
        words = value.replace(";", " ").split()
        try:
            [float(word) for word in words]
        except ValueError:
            return False
        return bool(words)

    return all(value.strip() and not numbers(value) for value in row)
