"""The state panel: for the selected unit, each state's old value, new value and change."""

from __future__ import annotations

import numpy as np
from rich.table import Table
from rich.text import Text

from lstm_engine import Cell, StateVar

from ..view import View
from .base import ViewWidget


class StatePanel(ViewWidget):
    DEFAULT_CSS = """
    StatePanel { height: auto; }
    """

    def render(self) -> Table | Text:
        view = self.view
        if view is None:
            return Text("")
        cell, record, unit = view.cell, view.record, view.unit
        self.border_title = f"States · unit {unit}" if cell.hidden_size > 1 else "States"
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True)
        for _ in range(3):
            table.add_column(justify="right", no_wrap=True)
        table.add_row("", Text("before", "dim"), Text("after", "dim"), Text("change", "dim"))
        for label, field, var in shown_rows(cell):
            if var is None:  # a quantity of this step only, such as tanh(c)
                value = "–" if record is None else f"{_pick(getattr(record, field), unit):.4f}"
                table.add_row(Text(label, "bold"), "", value, "")
                continue
            k = 0 if var.kind == "scalar" else unit
            if record is None:
                table.add_row(Text(label, "bold"), "", "0.0000", "")
                continue
            old = _pick(getattr(record, field + "_prev"), k)
            new = _pick(getattr(record, field), k)
            table.add_row(
                Text(label, "bold"), f"{old:.4f}", Text(f"{new:.4f}", "bold"), f"{new - old:+.4f}"
            )
        return table

    def rows(self, view: View) -> int:
        return 1 + len(shown_rows(view.cell))


def shown_rows(cell: Cell) -> list[tuple[str, str, StateVar | None]]:
    """(label, record field, state or None): the states but h, the cell's shown extras,
    then h, the output. Matrix states have a panel of their own."""
    states = [s for s in cell.states if s.kind != "matrix"]
    rows: list[tuple[str, str, StateVar | None]] = [(s.name, s.name, s) for s in states]
    rows = [r for r in rows if r[0] != "h"]
    rows += [(label, field, None) for field, label in cell.shown_extras]
    rows += [(s.name, s.name, s) for s in states if s.name == "h"]
    return rows


def _pick(values: np.ndarray, k: int) -> float:
    return float(np.ravel(values)[k])
