"""Weights as a cell kind declares them: checking a set of arrays, telling kinds apart,
and saying what each weight does.

A cell kind declares its keys and shapes (``param_shapes``), how to read its sizes off
them (``sizes_from``) and what each weight feeds (``param_roles``); everything here works
from those declarations, so a new kind needs no code of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from .base import Cell

Array = npt.NDArray[np.float64]

#: Largest hidden or input size accepted, so a typo cannot ask for terabytes.
MAX_SIZE = 4096


class WeightsError(ValueError):
    """Weights that do not fit a cell: missing or extra keys, wrong shapes, bad values."""


def validate(cls: type[Cell], params: Mapping[str, Any]) -> dict[str, Array]:
    """Check keys, shapes and values of ``cls``'s weights; float64 arrays, or WeightsError
    with one line naming the key (and the expected shape)."""
    arrays: dict[str, Array] = {}
    for key, value in params.items():
        array = np.asarray(value)
        if array.dtype.kind not in "iuf":
            raise WeightsError(f"{key}: expected real numbers, got an array of dtype {array.dtype}")
        arrays[key] = array.astype(np.float64)
    problem = key_problem(cls, arrays)
    if problem:
        raise WeightsError(problem)
    symbolic = symbolic_shapes(cls)
    for key, letters in symbolic.items():
        if arrays[key].ndim != len(letters):  # the ranks do not depend on the sizes
            raise WeightsError(
                f"{key}: expected {_shape_text(letters)}, got {_shape_text(arrays[key].shape)}"
            )
    try:
        guess = cls.sizes_from(arrays)
    except (KeyError, IndexError, ValueError) as exc:
        raise WeightsError(f"{cls.kind} weights: cannot read the sizes ({exc})") from None
    input_size, hidden_size = _likeliest_sizes(cls, arrays, guess)
    for name, size in (("input size", input_size), ("hidden size", hidden_size)):
        if not 1 <= size <= MAX_SIZE:
            raise WeightsError(f"{name} {size} is outside 1..{MAX_SIZE}")
    for key, shape in cls.param_shapes(input_size, hidden_size).items():
        if arrays[key].shape != shape:
            raise WeightsError(
                f"{key}: expected shape {shape} = {_shape_text(symbolic[key], named=False)} "
                f"(input size {input_size}, hidden size {hidden_size}), got {arrays[key].shape}"
            )
        if not np.all(np.isfinite(arrays[key])):
            raise WeightsError(f"{key}: contains NaN or infinite values")
    return arrays


#: Sizes that stand for I and H when a kind's shapes are written in letters: primes, so
#: that a multiple of one is never a multiple of the other at the sizes weights have.
_I, _H = 1009, 1013


def symbolic_shapes(cls: type[Cell]) -> dict[str, tuple[str, ...]]:
    """Each key's shape in the letters of the sizes, ``{"weight_ih": ("4H", "I"), ...}``,
    read off the kind's own ``param_shapes``."""

    def letters(n: int) -> str:
        for size, letter in ((_H, "H"), (_I, "I")):
            if n % size == 0:
                return letter if n == size else f"{n // size}{letter}"
        return str(n)  # a size that depends on neither

    return {
        key: tuple(letters(n) for n in shape) for key, shape in cls.param_shapes(_I, _H).items()
    }


def _shape_text(shape: tuple[object, ...], named: bool = True) -> str:
    """How a shape reads in a message: "shape (4H, I)", "shape (3,)", "a single number"."""
    if not shape:
        return "a single number"
    inside = ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "")
    return f"shape ({inside})" if named else f"({inside})"


def torch_shapes(blocks: int, input_size: int, hidden_size: int) -> dict[str, tuple[int, ...]]:
    """PyTorch's ``nn.LSTMCell`` / ``nn.RNNCell`` layout with ``blocks`` blocks of H rows (4
    gates for the LSTM, 1 for the RNN): ``weight_ih`` (blocks H, I), ``weight_hh``
    (blocks H, H), ``bias_ih`` and ``bias_hh`` (blocks H)."""
    rows = blocks * hidden_size
    return {
        "weight_ih": (rows, input_size),
        "weight_hh": (rows, hidden_size),
        "bias_ih": (rows,),
        "bias_hh": (rows,),
    }


def torch_sizes(params: Mapping[str, Array]) -> tuple[int, int]:
    """(input_size, hidden_size) of weights in ``torch_shapes``' layout."""
    return params["weight_ih"].shape[1], params["weight_hh"].shape[1]


def fits(cls: type[Cell], arrays: Mapping[str, Any]) -> bool:
    """Whether the arrays are a valid set of ``cls``'s weights (keys, shapes, values)."""
    try:
        validate(cls, arrays)
    except WeightsError:
        return False
    return True


def key_problem(cls: type[Cell], arrays: Mapping[str, Any]) -> str | None:
    """What is missing or extra among the keys, or None when they are exactly the kind's."""
    expected = cls.param_shapes(1, 1)  # the keys do not depend on the sizes
    missing = [k for k in expected if k not in arrays]
    extra = sorted(k for k in arrays if k not in expected)
    if not (missing or extra):
        return None
    parts = []
    if missing:
        parts.append("missing " + ", ".join(missing))
    if extra:
        parts.append("unexpected " + ", ".join(extra))
    return f"{cls.kind} weights: " + "; ".join(parts) + f" (expected {', '.join(expected)})"


def detect(arrays: Mapping[str, Any], kinds: Iterable[type[Cell]]) -> type[Cell]:
    """The kind these weights belong to, by their keys and then their shapes.

    Kinds whose keys coincide (PyTorch's ``nn.LSTMCell`` and ``nn.RNNCell`` both have
    ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``, with 4H rows against H) are told
    apart by which one the shapes fit. Where none fits, the kind closest by keys (then by
    shapes: the fewest arrays of the wrong shape) is returned, so that building it names
    what differs.
    """
    keys = set(arrays)
    candidates = list(kinds)

    def overlap(cls: type[Cell]) -> tuple[int, int]:
        expected = set(cls.param_shapes(1, 1))
        return len(expected & keys) - len(expected ^ keys), -len(expected)

    same_keys = [cls for cls in candidates if set(cls.param_shapes(1, 1)) == keys]
    for cls in same_keys:
        if fits(cls, arrays):
            return cls
    if same_keys:
        return min(same_keys, key=lambda cls: _misfits(cls, arrays))
    return max(candidates, key=overlap)


def _misfits(cls: type[Cell], arrays: Mapping[str, Any]) -> int:
    """How many of the arrays (``cls``'s keys) do not have ``cls``'s shape at the sizes most
    of them agree on; all of them where the sizes cannot be read."""
    shaped = {key: np.asarray(value) for key, value in arrays.items()}
    try:
        sizes = _likeliest_sizes(cls, shaped, cls.sizes_from(shaped))
    except (KeyError, IndexError, ValueError):
        return len(shaped)
    return sum(shaped[key].shape != shape for key, shape in cls.param_shapes(*sizes).items())


def _likeliest_sizes(
    cls: type[Cell], arrays: Mapping[str, Array], guess: tuple[int, int]
) -> tuple[int, int]:
    """The (input, hidden) sizes that most of the arrays agree on, so that an error names
    the one odd array rather than the ones the sizes were read from."""

    def misfits(sizes: tuple[int, int]) -> int:
        shapes = cls.param_shapes(*sizes)
        return sum(arrays[k].shape != shape for k, shape in shapes.items())

    if misfits(guess) == 0:
        return guess
    dims = {d for a in arrays.values() for d in a.shape}
    dims |= {d // 4 for d in dims if d % 4 == 0}
    candidates = [(i, h) for i in sorted(dims) for h in sorted(dims) if i > 0 and h > 0]
    return min([guess, *candidates], key=misfits)


def describe(cell: Cell, key: str, index: tuple[int, ...]) -> tuple[str, str]:
    """One weight as the weights view lists it: its name and what it does, from the
    kind's ``param_roles``: ``("weight_ih[5,0]", "forget gate, unit 1, from x[0]")``."""
    name = f"{key}[{','.join(map(str, index))}]" if index else key
    role = cell.param_roles.get(key)
    if role is None:
        return name, ""
    blocks, source = role
    if not index:
        return name, blocks[0]
    array = cell.params[key]
    if array.ndim == 1 and source == "x":  # one weight per input (the mLSTM's w_i)
        return name, f"{blocks[0]}, from x[{index[0]}]"
    rows = len(array) // len(blocks)
    where = f"{blocks[index[0] // rows]}, unit {index[0] % rows}"
    if len(index) > 1:
        where += f", from {source}[{index[1]}]"
    elif source:  # a diagonal weight (a peephole)
        where += f", times {source}[{index[0] % rows}]"
    return name, where


__all__ = [
    "MAX_SIZE",
    "WeightsError",
    "describe",
    "detect",
    "fits",
    "key_problem",
    "symbolic_shapes",
    "torch_shapes",
    "torch_sizes",
    "validate",
]
