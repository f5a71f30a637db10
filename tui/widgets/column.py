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
    """The panels that depend on a cell's declarations; ``cell_changed`` rebuilds them."""

    def __init__(self, cell: Cell, source: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cell = cell
        self.source = source

    def compose(self) -> ComposeResult:
        yield GatePanel(self.cell.gates, self.cell.hidden_size, source=self.source)
        yield StatePanel(source=self.source)
        matrix = MatrixPanel(source=self.source)
        matrix.display = matrix_state(self.cell) is not None
        yield matrix

    def cell_changed(self, cell: Cell) -> None:
        self.cell = cell
        self.query_one(MatrixPanel).display = matrix_state(cell) is not None
        panel = self.query_one(GatePanel)
        if panel.gates != cell.gates or panel.has_class("-two") != (cell.hidden_size > 2):
            panel.remove()
            self.mount(GatePanel(cell.gates, cell.hidden_size, source=self.source), before=0)
