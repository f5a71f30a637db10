"""The forward of a cell kept step by step: what the reverse sweeps of the xLSTM cells start
from (``slstm_backward.py``, ``mlstm_backward.py``).

Those sweeps reuse the cell's own step (``preactivate`` then ``pointwise``), so the
taped forward is the forward, bit for bit, and each step's record already holds every
pre-activation, gate and state the sweep needs; ``stack`` lays one field of all steps
out as one array (T, B, ...), so that the parts of a sweep with no recurrence are
computed for every step at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .base import Array, Record, State

if TYPE_CHECKING:
    from .base import Cell


def record_steps(
    cell: Cell, inputs: npt.ArrayLike, state: State | None = None
) -> tuple[Array, dict[str, Array], list[Record]]:
    """Run the step path over a batch, inputs (T, B, I), from ``state`` (zeros if None):
    the inputs as float64, the initial state broadcast to the batch, and every step's
    record."""
    x = np.asarray(inputs, dtype=np.float64)
    if x.ndim != 3 or x.shape[2] != cell.input_size:
        raise ValueError(f"inputs have shape {x.shape}, expected (T, B, {cell.input_size})")
    if x.shape[0] == 0:
        raise ValueError("inputs have no time steps: nothing to take gradients through")
    batch = x.shape[1]
    given = cell.initial_state(batch) if state is None else state
    start = {
        var.name: np.array(
            np.broadcast_to(given[var.name], (batch, *var.shape(cell.hidden_size))),
            dtype=np.float64,
        )
        for var in cell.states
    }
    records: list[Record] = []
    prev: State = start
    for t, x_t in enumerate(x):
        record = cell.pointwise(t + 1, x_t, cell.preactivate(x_t, prev), prev)
        records.append(record)
        prev = cell.state_of(record)
    return x, start, records


def stack(records: Sequence[Record], names: Iterable[str]) -> dict[str, Array]:
    """The fields ``names`` of every step, each as one array (T, B, ...)."""
    return {name: np.stack([getattr(r, name) for r in records]) for name in names}


def check_d_hidden(d_hidden: npt.ArrayLike, shape: tuple[int, int, int]) -> Array:
    """d_hidden as float64, refused with a one-line message unless its shape is (T, B, H)."""
    dH = np.asarray(d_hidden, dtype=np.float64)
    if dH.shape != shape:
        raise ValueError(f"d_hidden: expected shape {shape}, got {dH.shape}")
    return dH


def max_share(a: Array | float, b: Array | float) -> Array:
    """The share of the gradient of max(a, b) that goes to a, as PyTorch routes it
    (``torch.maximum``, ``torch.max(a, b)``): 1 where a > b, 0 where a < b, 1/2 on an
    exact tie. min(a, b) gives a the share ``max_share(b, a)``."""
    return np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0))
