"""Nudge mode's values: which numbers of a cell can be nudged for a unit, and a nudge.

A nudge changes one number by a small step and shows what follows from it: one weight
of the selected unit (or one shared by every unit), or one value of the current step's
input. The weights of a unit are found from the shapes the cell declares
(``symbolic_shapes``), not from its kind: a weight whose first axis is a multiple k of
H holds k blocks of H rows, and row ``block * H + unit`` of each block belongs to the
unit (all its columns: the LSTM's weight_ih (4H, I), the sLSTM's R (4H, H), the
peepholes' (H,)); a weight without H in its first axis (the mLSTM's scalar gates' w_i
(I,) and b_i ()) is shared by every unit. Pure: nothing here changes a session.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .cells.base import Array, Cell
from .cells.weights import describe, symbolic_shapes
from .numbers import plain

#: The key of a target that is a value of the input sequence, not a weight.
INPUT = "x"
#: The nudge step nudge mode starts with, and the range ``*`` and ``/`` move it in.
STEP = 0.01
SMALLEST_STEP = 1e-6
LARGEST_STEP = 1e3


@dataclass(frozen=True)
class Target:
    """One number nudge mode can change: a weight's element, or an input value."""

    key: str  #: the weight's key ("weight_ih"), or ``INPUT``
    index: tuple[int, ...]  #: into the weight; for the input (row, column), row = step - 1
    name: str  #: "weight_ih[5,0]", "x_3[0]"
    about: str  #: "forget gate, unit 1, from x[0]", "the input of step 3"

    @property
    def is_input(self) -> bool:
        return self.key == INPUT


def unit_rows(cell: Cell, key: str, unit: int) -> list[int] | None:
    """The rows of weight ``key`` that belong to ``unit`` (one per block of H rows), or
    None for a weight shared by every unit (no H in its first axis)."""
    shape = symbolic_shapes(type(cell))[key]
    if not shape or not shape[0].endswith("H"):
        return None
    blocks = int(shape[0][:-1] or 1)
    hidden = cell.hidden_size
    return [block * hidden + unit for block in range(blocks)]


def weight_targets(cell: Cell, unit: int) -> list[Target]:
    """The weights of ``unit`` and those every unit shares, in the order of ``params``:
    within a weight, block by block, column by column."""
    out = []
    for key, array in cell.params.items():
        rows = unit_rows(cell, key, unit)
        if rows is None:
            indices = [tuple(int(i) for i in index) for index in np.ndindex(array.shape)]
        else:
            columns = array.shape[1:]
            indices = [(row, *rest) for row in rows for rest in np.ndindex(columns)]
        shared = "every unit" if rows is None else ""
        for index in indices:
            name, about = describe(cell, key, index)
            out.append(Target(key, index, name, ", ".join(filter(None, (about, shared)))))
    return out


def input_row(t: int) -> int:
    """The row of the input sequence the current step reads (at t = 0, the first step's)."""
    return max(t - 1, 0)


def input_targets(input_size: int, t: int) -> list[Target]:
    """The current step's input x_t, one value per column (at t = 0, x_1)."""
    row = input_row(t)
    return [
        Target(INPUT, (row, column), f"x_{row + 1}[{column}]", f"the input of step {row + 1}")
        for column in range(input_size)
    ]


def targets(cell: Cell, unit: int, t: int) -> tuple[Target, ...]:
    """Everything nudge mode offers at step ``t`` with ``unit`` selected: the unit's
    weights and biases, then the current step's input."""
    return (*weight_targets(cell, unit), *input_targets(cell.input_size, t))


def value_of(target: Target, cell: Cell, inputs: Array) -> float:
    """The target's value now."""
    source = inputs if target.is_input else cell.params[target.key]
    return float(source[target.index])


def nudged(value: float, step: float, sign: int) -> float:
    """``value`` moved by ``sign`` steps; a result that is not a finite number is refused
    (ValueError), as a weight or an input must be finite."""
    with np.errstate(over="ignore"):
        new = float(np.float64(value) + sign * np.float64(step))
    if not math.isfinite(new):
        raise ValueError(f"{plain(value)} {'+' if sign > 0 else '-'} {step:g} is not finite")
    return new


def apply(target: Target, cell: Cell, inputs: Array, value: float) -> tuple[Cell, Array]:
    """The cell and the inputs with exactly the target's element set to ``value`` (new
    objects; the given ones are not changed). ValueError: not a finite number, or no
    such element."""
    if not math.isfinite(value):
        raise ValueError(f"{value!r} is not a finite number")
    source = inputs if target.is_input else cell.params[target.key]
    changed = np.array(source)
    try:
        changed[target.index] = value
    except IndexError:
        raise ValueError(f"there is no {target.name}") from None
    if target.is_input:
        return cell, changed
    return cell.with_params(**{target.key: changed}), inputs


def coarser(step: float) -> float:
    """The step times 10, at most ``LARGEST_STEP``."""
    return min(step * 10, LARGEST_STEP)


def finer(step: float) -> float:
    """The step divided by 10, at least ``SMALLEST_STEP``."""
    return max(step / 10, SMALLEST_STEP)


__all__ = [
    "INPUT",
    "LARGEST_STEP",
    "SMALLEST_STEP",
    "STEP",
    "Target",
    "apply",
    "coarser",
    "finer",
    "input_row",
    "input_targets",
    "nudged",
    "targets",
    "unit_rows",
    "value_of",
    "weight_targets",
]
