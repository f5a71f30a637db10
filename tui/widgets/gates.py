"""The gate panel: one live widget per gate the cell declares, a row per hidden unit."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid
from textual.reactive import reactive

from lstm_engine import Gate
from lstm_engine.numbers import fit
from lstm_engine.stepper import Frame

from .base import FrameWidget, bar

#: Width of the value column (a gate's value: "0.4827", "-0.1183").
VALUE_WIDTH = 7
#: Widths the pre-activation column may take, widest first ("-1.23e+05", "-0.0691", "-0.07").
PRE_WIDTHS = (9, 7, 5)
#: Width of a note's number.
NOTE_WIDTH = 9


def layout(
    room: int, notes: tuple[tuple[str, str], ...]
) -> tuple[int, int, tuple[tuple[str, str], ...]]:
    """(pre-activation width, bar width, notes shown) for ``room`` cells after the unit's
    label: the numbers stay whole; the bar shrinks first, then z loses digits, then the
    notes go (the equations show them too)."""
    for shown in (notes, ()):
        notes_width = sum(len(label) + NOTE_WIDTH + 3 for label, _ in shown)
        for pre_width in PRE_WIDTHS:
            bar_width = room - notes_width - (2 + VALUE_WIDTH + pre_width)
            if bar_width >= 4 or (pre_width == PRE_WIDTHS[-1] and bar_width >= 2 and not shown):
                return pre_width, bar_width, shown
    pre_width = PRE_WIDTHS[-1]
    return pre_width, max(room - (2 + VALUE_WIDTH + pre_width), 1), ()


def visible_units(count: int, selected: int, rows: int) -> range:
    """The units that fit in ``rows`` rows, keeping the selected one in view."""
    if count <= rows:
        return range(count)
    rows = max(rows, 1)
    start = min(max(selected - rows // 2, 0), count - rows)
    return range(start, start + rows)


class GateWidget(FrameWidget):
    """One gate: per unit, a bar on the gate's range, the value and the pre-activation z.

    With more units than rows it shows a window of units around the selected one (it
    scrolls with the selection), and its title says which units show."""

    DEFAULT_CSS = """
    GateWidget { height: auto; }
    GateWidget > .gatewidget--bar { color: $accent; }
    """
    COMPONENT_CLASSES = {"gatewidget--bar"}

    def __init__(self, gate: Gate, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gate = gate
        self.cap: int | None = None  #: the most units shown (None: all); beyond, it scrolls
        self.border_title = self._title(range(1), 1)
        self.border_subtitle = self._subtitle(gate.notes)

    def _subtitle(self, notes: tuple[tuple[str, str], ...]) -> str:
        """What the columns are: the range of the bar, the value, z and the notes shown."""
        gate = self.gate
        kind = f"{gate.activation}, stabilised" if gate.stabilised else gate.activation
        extra = "".join(f" · {label}" for label, _ in notes)
        return f"{kind} ({gate.low:g}, {gate.high:g}) · value · z{extra}"

    def _title(self, shown: range, units: int) -> str:
        """The gate's name; when the box scrolls, which units it shows, in as many words
        as fit the box's width."""
        gate = self.gate
        name = f"{gate.label} {gate.shown}"
        if len(shown) >= units:
            return name
        a, b = shown.start, shown.stop - 1
        options = (
            f"{name} · units {a}-{b} of {units}",
            f"{name} {a}-{b}/{units}",
            f"{gate.shown} · units {a}-{b} of {units}",
            f"{gate.shown} {a}-{b}/{units}",
        )
        room = self.size.width - 4
        return next((t for t in options if len(t) <= room), options[-1])

    def render(self) -> Text:
        frame = self.frame
        lane = None if frame is None else self.lane_of(frame)
        if frame is None or lane is None:
            return Text("")
        gate = self.gate
        units = 1 if gate.scalar else lane.cell.hidden_size
        record = lane.record
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        shown = visible_units(units, frame.unit, max(self.size.height, 1))
        title = self._title(shown, units)
        if self.border_title != title:
            self.border_title = title
        label_width = 3 if gate.scalar else len(str(units - 1))
        pre_width, bar_width, notes = layout(self.size.width - label_width - 2, gate.notes)
        subtitle = self._subtitle(notes)
        if self.border_subtitle != subtitle:
            self.border_subtitle = subtitle
        bar_style = self.get_component_rich_style("gatewidget--bar")
        for row, unit in enumerate(shown):
            if row:
                text.append("\n")
            selected = unit == frame.unit and units > 1
            marker = "▶" if selected else " "
            name = "all" if gate.scalar else f"{unit:>{label_width}}"  # one value for all units
            text.append(f"{marker}{name} ", "bold" if selected else "")
            if record is None:  # t = 0: no gate has a value yet
                text.append(" " * bar_width)
                text.append(f" {'–':>{VALUE_WIDTH}} {'–':>{pre_width}}", "dim")
                continue
            value = float(np.ravel(getattr(record, gate.symbol))[unit])
            pre = float(np.ravel(getattr(record, gate.pre))[unit])
            text.append(bar(value, gate.low, gate.high, bar_width), bar_style)
            text.append(f" {fit(value, VALUE_WIDTH):>{VALUE_WIDTH}}", "bold")
            text.append(f" {fit(pre, pre_width):>{pre_width}}", "dim")
            for label, field in notes:
                note = float(np.ravel(getattr(record, field))[unit])
                text.append(f"  {label} ", "dim")
                text.append(f"{fit(note, NOTE_WIDTH):>{NOTE_WIDTH}}")
        return text

    def rows(self, frame: Frame) -> int:
        lane = self.lane_of(frame)
        if self.gate.scalar or lane is None:
            return 1
        return min(lane.cell.hidden_size, self.cap or lane.cell.hidden_size)

    def set_cap(self, cap: int | None) -> None:
        if cap != self.cap:
            self.cap = cap
            self._rows = -1
            self.refresh(layout=True)


class GatePanel(Grid):
    """The gates of the current cell: one per row for up to two units, else two per row.
    ``show`` changes the gates (another kind of cell): the boxes are made anew."""

    DEFAULT_CSS = """
    GatePanel { grid-size: 1; grid-gutter: 0 0; height: auto; }
    GatePanel.-two { grid-size: 2; }
    """

    gates: reactive[tuple[Gate, ...]] = reactive((), recompose=True)

    def __init__(
        self, gates: tuple[Gate, ...], hidden_size: int, lane: int = 0, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.lane = lane
        self.cap: int | None = None
        self.set_reactive(GatePanel.gates, gates)
        self.set_class(columns_for(hidden_size) == 2, "-two")

    def compose(self) -> ComposeResult:
        for gate in self.gates:
            widget = GateWidget(gate, lane=self.lane, classes="gate")
            widget.cap = self.cap
            yield widget

    def show(self, gates: tuple[Gate, ...], hidden_size: int, cap: int | None) -> None:
        """These gates at this size, each box showing at most ``cap`` units."""
        self.set_class(columns_for(hidden_size) == 2, "-two")
        self.cap = cap
        if gates != self.gates:
            self.gates = gates  # the boxes are composed anew, with the cap
        else:
            for widget in self.query(GateWidget):
                widget.set_cap(cap)


def columns_for(hidden_size: int) -> int:
    """Gate boxes side by side: one column for up to two units, else two."""
    return 2 if hidden_size > 2 else 1


def gate_rows(
    gates: tuple[Gate, ...], hidden_size: int, border: int, per_gate: int | None = None
) -> int:
    """Rows the gate panel takes: per row of boxes, the tallest box and its border rows.
    ``per_gate`` caps the units a box shows (it scrolls beyond)."""
    cols = columns_for(hidden_size)
    heights = [1 if g.scalar else hidden_size for g in gates]
    if per_gate is not None:
        heights = [min(h, per_gate) for h in heights]
    return sum(max(heights[k : k + cols]) + border for k in range(0, len(heights), cols))
