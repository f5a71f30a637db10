"""One cell's panels in a column: its gates, its states and, if it has one, its matrix."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical

from lstm_engine import Cell

from .gates import GatePanel
from .matrix import MatrixPanel, matrix_state
from .states import StatePanel


class CellColumn(Vertical):
    """The panels of one lane of the frame; ``cell_changed`` rebuilds what depends on the
    cell's declarations (the gate boxes)."""

    def __init__(self, cell: Cell, lane: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cell = cell
        self.lane = lane

    def compose(self) -> ComposeResult:
        yield GatePanel(self.cell.gates, self.cell.hidden_size, lane=self.lane)
        yield StatePanel(lane=self.lane)
        matrix = MatrixPanel(lane=self.lane)
        matrix.display = matrix_state(self.cell) is not None
        yield matrix

    def cell_changed(
        self, cell: Cell, show_matrix: bool, cap: int | None, columns: int | None = None
    ) -> None:
        self.cell = cell
        self.query_one(MatrixPanel).display = show_matrix and matrix_state(cell) is not None
        self.query_one(GatePanel).show(cell.gates, cell.hidden_size, cap, columns)
