"""The registry of cells: every kind the engine can build, load and step."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Cell, Gate, Record, StateVar
from .lstm import LSTMCell, LSTMRecord
from .mlstm import MLSTMCell, MLSTMRecord
from .peephole import PeepholeLSTMCell, PeepholeRecord
from .rnn import RNNCell, RNNRecord
from .slstm import SLSTMCell, SLSTMRecord
from .weights import WeightsError, detect

CELLS: dict[str, type[Cell]] = {
    cls.kind: cls for cls in (LSTMCell, PeepholeLSTMCell, SLSTMCell, MLSTMCell, RNNCell)
}


def cell_class(kind: str) -> type[Cell]:
    try:
        return CELLS[kind]
    except KeyError:
        raise ValueError(f"unknown cell {kind!r}; choose from {', '.join(CELLS)}") from None


def detect_kind(params: Mapping[str, Any]) -> type[Cell]:
    """The kind these weights belong to, by keys and shapes (``weights.detect``)."""
    return detect(params, CELLS.values())


__all__ = [
    "CELLS",
    "Cell",
    "Gate",
    "LSTMCell",
    "LSTMRecord",
    "MLSTMCell",
    "MLSTMRecord",
    "PeepholeLSTMCell",
    "PeepholeRecord",
    "RNNCell",
    "RNNRecord",
    "Record",
    "SLSTMCell",
    "SLSTMRecord",
    "StateVar",
    "WeightsError",
    "cell_class",
    "detect_kind",
]
