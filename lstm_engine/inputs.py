"""Input sequences: parsing them from text and files, and checking them.

A sequence is a float64 array of shape (T, I): one row per time step.
"""

from __future__ import annotations

import csv
import io
import math
import os
import zipfile
from pathlib import Path

import numpy as np
import numpy.typing as npt

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
            raise InputError(
                f"step {first} has {lengths[first - 1]} value(s) but step 1 has {lengths[0]}"
            )
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


def read_inputs_file(path: str | os.PathLike[str], input_size: int | None = None) -> Array:
    """Read ``.csv`` (one step per row, features by ',') or ``.npy`` of shape (T, I) or (T,)."""
    p = Path(path)
    name = str(path)
    if p.suffix.lower() == ".npy":
        try:
            array = np.load(p, allow_pickle=False)
        except FileNotFoundError:
            raise InputError(f"{name}: no such file") from None
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
            raise InputError(f"{name}: not a readable .npy array ({exc})") from None
        if not isinstance(array, np.ndarray) or array.dtype.kind not in "iuf":
            raise InputError(f"{name}: expected an array of real numbers")
        try:
            return check_inputs(array, input_size)
        except InputError as exc:
            raise InputError(f"{name}: {exc}") from None
    if p.suffix.lower() not in (".csv", ".txt"):
        raise InputError(f"{name}: expected a .csv or .npy file")
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{name}: cannot read it ({exc})") from None
    rows = []
    for line_no, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip():
            continue
        try:
            rows.append([_number(v, f"line {line_no}") for v in row])
        except InputError as exc:
            if not rows and line_no == 1 and _is_header(row):
                continue
            raise InputError(f"{name}: {exc}") from None
    try:
        return check_inputs(rows, input_size)
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None


def _is_header(row: list[str]) -> bool:
    """A first line of names ("x0,x1"), none of which reads as a number."""

    def is_number(value: str) -> bool:
        try:
            float(value)
        except ValueError:
            return False
        return True

    return all(value.strip() and not is_number(value) for value in row)
