"""The gate panel: one live widget per gate the cell declares, a row per hidden unit."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid

from lstm_engine import Gate

from ..view import View
from .base import ViewWidget, bar


def visible_units(count: int, selected: int, rows: int) -> range:
    """The units that fit in ``rows`` rows, keeping the selected one in view."""
    if count <= rows:
        return range(count)
    start = min(max(selected - rows // 2, 0), count - rows)
    return range(start, start + rows)


class GateWidget(ViewWidget):
    """One gate: per unit, a bar on the gate's range, the value and the pre-activation."""

    DEFAULT_CSS = """
    GateWidget { height: auto; }
    GateWidget > .gatewidget--bar { color: $accent; }
    """
    COMPONENT_CLASSES = {"gatewidget--bar"}

    def __init__(self, gate: Gate, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gate = gate
        self.border_title = f"{gate.label} {gate.shown}"
        shown = f"{gate.activation}, stabilised" if gate.stabilised else gate.activation
        extra = "".join(f" · {label}" for label, _, _ in gate.notes)
        self.border_subtitle = f"{shown} ({gate.low:g}, {gate.high:g}) · value · z{extra}"

    def render(self) -> Text:
        view = self.view
        if view is None:
            return Text("")
        gate = self.gate
        units = 1 if gate.scalar else view.cell.hidden_size
        record = view.record
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        shown = visible_units(units, view.unit, max(self.size.height, 1))
        label_width = 3 if gate.scalar else len(str(units - 1))
        notes = [(label, field, fmt, len(label) + len(format(1.0, fmt)) + 3)
                 for label, field, fmt in gate.notes]  # fmt: skip
        notes_width = sum(width for *_, width in notes)
        # value and z take 17 cells; in a narrow box z loses a decimal before the bar
        # shrinks below 4 cells, so the numbers always show whole.
        room = self.size.width - label_width - 2 - notes_width
        pre_format = "+8.3f" if room - 17 >= 4 else "+6.2f"
        bar_width = max(room - (17 if pre_format == "+8.3f" else 15), 3)
        bar_style = self.get_component_rich_style("gatewidget--bar")
        for row, unit in enumerate(shown):
            if row:
                text.append("\n")
            selected = unit == view.unit and units > 1
            marker = "▶" if selected else " "
            name = "all" if gate.scalar else f"{unit:>{label_width}}"  # one value for all units
            text.append(f"{marker}{name} ", "bold" if selected else "")
            if record is None:
                text.append(bar(gate.low, gate.low, gate.high, bar_width), "dim")
                text.append("      –", "dim")
                continue
            value = float(np.ravel(getattr(record, gate.symbol))[unit])
            pre = float(np.ravel(getattr(record, gate.pre))[unit])
            text.append(bar(value, gate.low, gate.high, bar_width), bar_style)
            text.append(f" {value:7.4f}", "bold")
            text.append(f" {pre:{pre_format}}", "dim")
            for label, field, fmt, _ in notes:
                note = float(np.ravel(getattr(record, field))[unit])
                text.append(f"  {label} ", "dim")
                text.append(format(note, fmt))
        return text

    def rows(self, view: View) -> int:
        return 1 if self.gate.scalar else view.cell.hidden_size


class GatePanel(Grid):
    """The gates of the current cell: one per row for up to two units, else two per row."""

    DEFAULT_CSS = """
    GatePanel { grid-size: 1; grid-gutter: 0 0; height: auto; }
    GatePanel.-two { grid-size: 2; }
    """

    def __init__(
        self, gates: tuple[Gate, ...], hidden_size: int, source: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.gates = gates
        self.source = source
        self.set_class(hidden_size > 2, "-two")

    def compose(self) -> ComposeResult:
        for gate in self.gates:
            yield GateWidget(gate, source=self.source, classes="gate")
