"""Weights that two kinds of cell can share, for comparing them on equal terms.

The LSTM-style parts carry over wherever their shapes match (gate rows are in the
order i, f, g/z, o in all three cells that have them):

* lstm <-> peephole: ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``; the
  peepholes ``peephole_i/f/o`` stay the target's own (seeded).
* lstm or peephole -> slstm: ``W = weight_ih``, ``R = weight_hh``,
  ``b = bias_ih + bias_hh``.
* slstm -> lstm or peephole: ``weight_ih = W``, ``weight_hh = R``, ``bias_ih = b``,
  ``bias_hh = 0``.
* mlstm: nothing. Its projections (q, k, v and o from x alone, scalar input and forget
  gates) match none of the others, so it keeps its own seeded weights.
"""

from __future__ import annotations

import numpy as np

from .cells import CELLS, Cell
from .cells.base import Array

LSTM_KEYS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def lstm_parts(cell: Cell) -> dict[str, Array] | None:
    """The cell's weights in the LSTM's layout, or None if it has no such parts."""
    p = cell.params
    if all(key in p for key in LSTM_KEYS):
        return {key: p[key] for key in LSTM_KEYS}
    if {"W", "R", "b"} <= set(p):
        return {
            "weight_ih": p["W"],
            "weight_hh": p["R"],
            "bias_ih": p["b"],
            "bias_hh": np.zeros_like(p["b"]),
        }
    return None


def with_shared_weights(source: Cell, kind: str, seed: int) -> tuple[Cell, str]:
    """A ``kind`` cell of the source's sizes: seeded, then given the source's LSTM-style
    weights where the shapes match. Also says, in words, what is shared."""
    target = CELLS[kind].init(source.input_size, source.hidden_size, seed)
    parts = lstm_parts(source)
    if parts is None or lstm_parts(target) is None:
        return target, f"nothing shared: {kind} keeps its own weights (seed {seed})"
    if "W" in target.params:
        changes = {
            "W": parts["weight_ih"],
            "R": parts["weight_hh"],
            "b": parts["bias_ih"] + parts["bias_hh"],
        }
    else:
        changes = dict(parts)
    shared = target.with_params(**changes)
    names = ", ".join(changes)
    return shared, f"shared from {source.kind}: {names}"
