"""The state panel: for the selected unit, each state's old value, new value and change."""

from __future__ import annotations

import numpy as np
from rich.text import Text

from lstm_engine import Cell, StateVar

from ..view import View
from .base import ViewWidget


class StatePanel(ViewWidget):
    DEFAULT_CSS = """
    StatePanel { height: auto; }
    """

    def render(self) -> Text:
        view = self.view
        if view is None:
            return Text("")
        cell, record, unit = view.cell, view.record, view.unit
        rows = shown_rows(cell)
        width = max(len(label) for label, _, _ in rows)
        text = Text(no_wrap=True, end="")
        text.append(f"{'':<{width}} {'before':>8} {'after':>8} {'change':>8}", "dim")
        for label, field, var in rows:
            text.append("\n")
            text.append(f"{label:<{width}} ", "bold")
            if var is None:  # a quantity of this step only, such as tanh(c)
                value = "–" if record is None else f"{_pick(getattr(record, field), unit):.4f}"
                text.append(f"{'':>8} {value:>8}")
                continue
            if record is None:
                text.append(f"{'':>8} {0.0:>8.4f}")
                continue
            k = 0 if var.kind == "scalar" else unit
            old = _pick(getattr(record, field + "_prev"), k)
            new = _pick(getattr(record, field), k)
            text.append(f"{old:>8.4f} ")
            text.append(f"{new:>8.4f}", "bold")
            text.append(f" {new - old:>+8.4f}")
        return text

    def watch_view(self, view: View | None) -> None:
        super().watch_view(view)
        if view is not None:  # a new title repaints the border: only when it changes
            title = f"States · unit {view.unit}" if view.cell.hidden_size > 1 else "States"
            if self.border_title != title:
                self.border_title = title

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
