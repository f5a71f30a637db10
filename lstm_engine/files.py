"""Reading and writing the engine's files: weights (.npz) and atomic writes.

A weight file holds the cell's arrays under their own keys (PyTorch's layout for the
LSTM) and two small text entries: ``__kind__`` (``"lstm"``, ...) and ``__format__``
(the version of this layout, ``"1"``). Both are 0-d unicode arrays, which NumPy reads
without pickle. Files without them (PyTorch exports, older files) load by their keys
and shapes.

A trained model adds its linear readout beside the cell's keys: ``readout.weight``
(O, H) and ``readout.bias`` (O). ``load`` accepts and ignores them (it gives the cell);
``load_model`` gives the cell and the readout (None when the file has none). The kind is
read off the other keys, so the readout never makes a file look like another kind.
"""

from __future__ import annotations

import math
import os
import zipfile
from typing import Any

import numpy as np

from .arrays import ArrayFileError, Limits, not_a_file, read_npz
from .cells import CELLS, Cell, WeightsError, cell_class, detect_kind
from .cells.weights import MAX_SIZE
from .readout import KEYS as READOUT_KEYS
from .readout import Model, check_readout

# Callers import these from here too.
from .writing import user_path as user_path
from .writing import write_atomic

#: The version of the weight-file layout this code writes, and the newest it reads.
FORMAT = 1
KIND_KEY = "__kind__"
FORMAT_KEY = "__format__"
#: How a file begins: an .npy array (NumPy's magic), a zip (a local header or, for an
#: empty archive, the end of its directory).
NPY_MAGIC = np.lib.format.MAGIC_PREFIX
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


#: Room for the text entries (``__kind__``, ``__format__``) beyond the weights.
TEXT_BYTES = 4096


def _largest_kind_limits() -> Limits:
    """The limits WEIGHT_LIMITS describes, from the kinds' own ``param_shapes``."""
    shapes = [cls.param_shapes(MAX_SIZE, MAX_SIZE) for cls in CELLS.values()]
    counts = [[math.prod(shape) for shape in kind.values()] for kind in shapes]
    readout = [MAX_SIZE * MAX_SIZE, MAX_SIZE]  # at most MAX_SIZE outputs
    return Limits(
        array_bytes=8 * max(max(kind) for kind in [*counts, readout]),
        total_bytes=8 * (max(sum(kind) for kind in counts) + sum(readout)) + TEXT_BYTES,
        members=max(len(kind) for kind in counts) + len(readout) + len((KIND_KEY, FORMAT_KEY)),
    )


#: What a weight file may make ``load`` read: an array as big as the largest weight of any
#: kind at MAX_SIZE inputs and hidden units in float64 (the LSTM's 4*4096 x 4096: 512 MiB),
#: all the arrays as big as the largest kind's weights and a readout of MAX_SIZE outputs
#: together (the LSTM's: 1 GiB, and 128 MiB), and as many arrays as the kind with most keys
#: has (the mLSTM's 12), plus the readout's two and the two texts.
WEIGHT_LIMITS = _largest_kind_limits()


def load(path: str | os.PathLike[str], kind: str | None = None) -> Cell:
    """A cell from an ``.npz`` weight file; the kind is read off the keys unless given.
    A readout in the file is checked and left out (``load_model`` keeps it).

    Raises WeightsError with one line naming the file (and the key). Never unpickles, and
    reads no more than WEIGHT_LIMITS allow, whatever the file declares.
    """
    return load_model(path, kind).cell


def load_model(path: str | os.PathLike[str], kind: str | None = None) -> Model:
    """The cell and its readout (None if the file has no ``readout.*`` keys), as ``load``
    reads them."""
    arrays = _read_arrays(path)
    try:
        stored = _read_meta(arrays)
        if kind and stored and kind != stored:
            raise WeightsError(f"the file holds {stored} weights, not {kind}")
        readout_arrays = {key: arrays.pop(key) for key in list(arrays) if key in READOUT_KEYS}
        named = kind or stored
        cls = cell_class(named) if named else detect_kind(arrays)
        cell = cls(arrays)
        readout = check_readout(readout_arrays, cell.hidden_size) if readout_arrays else None
        return Model(cell, readout)
    except WeightsError as exc:
        raise WeightsError(f"{path}: {exc}") from None


def _read_arrays(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The arrays of a weight file by key, or WeightsError saying what the file is instead."""
    problem = not_a_file(path)
    if problem:
        raise WeightsError(f"{path}: {problem}")
    try:
        with open(path, "rb") as stream:
            start = stream.read(len(NPY_MAGIC))
    except FileNotFoundError:
        raise WeightsError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise WeightsError(f"{path}: is a directory, not a weight file") from None
    except OSError as exc:
        raise WeightsError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if not start:
        raise WeightsError(f"{path}: the file is empty, not an .npz weight file")
    if start == NPY_MAGIC:
        raise WeightsError(f"{path}: a single .npy array, not an .npz weight file")
    if not start.startswith(ZIP_MAGIC):
        raise WeightsError(f"{path}: not an .npz weight file")
    try:
        return read_npz(path, WEIGHT_LIMITS)
    except ArrayFileError as exc:
        raise WeightsError(f"{path}: {exc}") from None
    except (OSError, zipfile.BadZipFile) as exc:
        raise WeightsError(f"{path}: not a readable .npz weight file ({exc})") from None


def _read_meta(arrays: dict[str, Any]) -> str | None:
    """Take the kind and format entries out of ``arrays``; the stored kind, if any."""
    text = {}
    for key in (KIND_KEY, FORMAT_KEY):
        if key not in arrays:
            continue
        value = arrays.pop(key)
        if value.dtype.kind != "U" or value.shape != ():
            raise WeightsError(f"{key}: expected a short text, got an array of {value.dtype}")
        text[key] = str(value)
    if FORMAT_KEY in text:
        version = text[FORMAT_KEY]
        if not version.isdigit():
            raise WeightsError(f"{FORMAT_KEY}: {version!r} is not a format version")
        if int(version) > FORMAT:
            raise WeightsError(
                f"written in weight-file format {version}; this lstm-stepper reads up to {FORMAT}"
                " (a newer version wrote it)"
            )
    stored = text.get(KIND_KEY)
    if stored is not None and stored not in CELLS:
        raise WeightsError(f"{KIND_KEY}: unknown cell kind {stored!r}; known: {', '.join(CELLS)}")
    return stored


def save(cell: Cell, path: str | os.PathLike[str]) -> None:
    """Write a cell's weights as ``.npz`` (atomically), with its kind and the format
    version; ``load`` gives them back exactly."""
    save_model(Model(cell), path)


def save_model(model: Model, path: str | os.PathLike[str]) -> None:
    """``save``, with the readout's arrays beside the cell's when there is one;
    ``load_model`` gives both back exactly."""
    cell = model.cell
    arrays: dict[str, Any] = dict(cell.params)
    if model.readout is not None:
        arrays.update(model.readout.params)
    arrays[KIND_KEY] = np.array(cell.kind)
    arrays[FORMAT_KEY] = np.array(str(FORMAT))
    write_atomic(path, lambda handle: np.savez(handle, **arrays))
