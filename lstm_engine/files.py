"""Reading and writing the engine's files: weights (.npz) and atomic writes.

A weight file holds the cell's arrays under their own keys (PyTorch's layout for the
LSTM) and two small text entries: ``__kind__`` (``"lstm"``, ...) and ``__format__``
(the version of this layout, ``"1"``). Both are 0-d unicode arrays, which NumPy reads
without pickle. Files without them (PyTorch exports, older files) load by their keys
and shapes.
"""

from __future__ import annotations

import os
import zipfile
from typing import Any

import numpy as np

from .cells import CELLS, Cell, WeightsError, cell_class, detect_kind

# Callers import these from here too.
from .writing import user_path as user_path
from .writing import write_atomic

#: The version of the weight-file layout this code writes, and the newest it reads.
FORMAT = 1
KIND_KEY = "__kind__"
FORMAT_KEY = "__format__"


def load(path: str | os.PathLike[str], kind: str | None = None) -> Cell:
    """A cell from an ``.npz`` weight file; the kind is read off the keys unless given.

    Raises WeightsError with one line naming the problem. Never unpickles.
    """
    try:
        if os.path.getsize(path) == 0:
            raise WeightsError(f"{path}: the file is empty, not an .npz weight file")
    except OSError:
        pass  # np.load below says what is wrong
    try:
        archive = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise WeightsError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise WeightsError(f"{path}: is a directory, not a weight file") from None
    except ValueError:
        raise WeightsError(f"{path}: not an .npz weight file") from None
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise WeightsError(f"{path}: not a readable .npz weight file ({exc})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise WeightsError(f"{path}: a single .npy array, not an .npz weight file")
    arrays = {}
    with archive:
        for key in archive.files:
            try:
                arrays[key] = archive[key]
            except ValueError:
                raise WeightsError(
                    f"{path}: {key}: object arrays are not accepted (they need pickle)"
                ) from None
            except (OSError, EOFError, zipfile.BadZipFile) as exc:
                raise WeightsError(f"{path}: {key}: unreadable ({exc})") from None
    try:
        stored = _read_meta(arrays)
        if kind and stored and kind != stored:
            raise WeightsError(f"the file holds {stored} weights, not {kind}")
        named = kind or stored
        cls = cell_class(named) if named else detect_kind(arrays)
        return cls(arrays)
    except WeightsError as exc:
        raise WeightsError(f"{path}: {exc}") from None


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
    arrays: dict[str, Any] = dict(cell.params)
    arrays[KIND_KEY] = np.array(cell.kind)
    arrays[FORMAT_KEY] = np.array(str(FORMAT))
    write_atomic(path, lambda handle: np.savez(handle, **arrays))
