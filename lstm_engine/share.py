"""Weights that two kinds of cell can share, for comparing them on equal terms.

The LSTM-style parts carry over wherever their shapes match (gate rows are in the
order i, f, g/z, o in all three cells that have them):

* lstm <-> peephole: ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``; the
  peepholes ``peephole_i/f/o`` stay the target's own (seeded).
* lstm or peephole -> slstm: ``W = weight_ih``, ``R = weight_hh``,
  ``b = bias_ih + bias_hh``.
* slstm -> lstm or peephole: ``weight_ih = W``, ``weight_hh = R``, ``bias_ih = b``,
  ``bias_hh = 0``.
* rnn <-> lstm, peephole or slstm: the candidate's rows. The tanh RNN's affine map
  (H rows) has the shape of one gate block of the others (4H rows), and the candidate
  (g, the sLSTM's z: rows 2H..3H) is the block that goes through a tanh too, so the
  RNN's h at a step from the same h_prev is that cell's candidate. From an LSTM-style
  cell the RNN takes those rows of ``weight_ih``, ``weight_hh``, ``bias_ih``,
  ``bias_hh`` (of ``W``, ``R``, ``b`` and a zero ``bias_hh`` from an sLSTM); the other
  way the RNN's weights become those rows and the gates keep the target's own (seeded).
* mlstm: nothing. Its projections (q, k, v and o from x alone, scalar input and forget
  gates) match none of the others, so it keeps its own seeded weights.
"""

from __future__ import annotations

import numpy as np

from .cells import CELLS, Cell
from .cells.base import Array

LSTM_KEYS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
#: The candidate's block of rows in the gate order i, f, g/z, o.
CANDIDATE_BLOCK = 2


def lstm_parts(cell: Cell) -> dict[str, Array] | None:
    """The cell's weights in PyTorch's layout (4H rows for the LSTM-style cells, H for the
    RNN), or None if it has no such parts."""
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
    weights where the shapes match (the candidate's rows between the RNN and the others).
    Also says, in words, what is shared."""
    target = CELLS[kind].init(source.input_size, source.hidden_size, seed)
    parts, own = lstm_parts(source), lstm_parts(target)
    if parts is None or own is None:
        return target, f"nothing shared: {kind} keeps its own weights (seed {seed})"
    H = source.hidden_size
    block = slice(CANDIDATE_BLOCK * H, (CANDIDATE_BLOCK + 1) * H)
    given, kept = len(parts["bias_ih"]), len(own["bias_ih"])
    what = ""  # every key the target takes, by name
    if given > kept:  # into an RNN: the candidate's rows
        parts = {key: value[block] for key, value in parts.items()}
        what = "its candidate rows"
    elif given < kept:  # from an RNN: as the candidate's rows, the gates kept
        parts = {key: _with_rows(own[key], block, value) for key, value in parts.items()}
        what = "its weights as the candidate rows"
    if "W" in target.params:
        changes = {
            "W": parts["weight_ih"],
            "R": parts["weight_hh"],
            "b": parts["bias_ih"] + parts["bias_hh"],
        }
    else:
        changes = dict(parts)
    shared = target.with_params(**changes)
    return shared, f"shared from {source.kind}: {what or ', '.join(changes)}"


def _with_rows(array: Array, rows: slice, value: Array) -> Array:
    """A copy of ``array`` with ``rows`` replaced by ``value``."""
    out = np.array(array)
    out[rows] = value
    return out
