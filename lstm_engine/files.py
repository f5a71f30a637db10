"""Reading and writing the engine's files: weights (.npz) and atomic writes."""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np

from .cells import Cell, WeightsError, cell_class, detect_kind


def write_atomic(path: str | os.PathLike[str], write: Callable[[IO[bytes]], object]) -> None:
    """Write a file so that readers see the old contents or the new, never half of it."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    cls = cell_class(kind) if kind else detect_kind(arrays)
    try:
        return cls(arrays)
    except WeightsError as exc:
        raise WeightsError(f"{path}: {exc}") from None


def save(cell: Cell, path: str | os.PathLike[str]) -> None:
    """Write a cell's weights as ``.npz`` (atomically); ``load`` gives them back exactly."""
    arrays: dict[str, Any] = dict(cell.params)
    write_atomic(path, lambda handle: np.savez(handle, **arrays))
