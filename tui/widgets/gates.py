"""The gate panel: a box per gate the cell declares, a row per hidden unit.

A click on a unit's row posts ``UnitClicked``; the screen selects that unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from rich.style import Style
from textual import events
from textual.message import Message

from lstm_engine import Gate
from lstm_engine.numbers import column, fit
from lstm_engine.stepper import Frame, Lane

from .base import FrameWidget, Lines, bar, visible_units

#: Width of the value column (a gate's value: "0.4827", "-0.1183").
VALUE_WIDTH = 7
#: Widths the pre-activation column may take, widest first ("-1.23e+05", "-0.0691", "-0.07").
PRE_WIDTHS = (9, 7, 5)
#: Width of a note's number.
NOTE_WIDTH = 9


@dataclass(frozen=True)
class RowLayout:
    """How a gate row uses its width: the bar, then the value, z and the notes."""

    pre_width: int  #: 0: no z column
    bar_width: int
    notes: tuple[tuple[str, str], ...]  #: the notes shown
    note_width: int = NOTE_WIDTH
    labelled: bool = True  #: each note's label in the row (else only in the subtitle)


def layout(room: int, notes: tuple[tuple[str, str], ...], notes_first: bool = False) -> RowLayout:
    """How a row of ``room`` cells (after the unit's label) is laid out: the numbers stay
    whole; the bar shrinks first, then z loses digits; then, where the notes matter more
    than z (``notes_first``: the paper's own gate beside a stabilised one), z gives way to
    them, named in the subtitle only; else the notes go (the equations show them too)."""
    for shown in (notes, ()):
        notes_width = sum(len(label) + NOTE_WIDTH + 3 for label, _ in shown)
        for pre_width in PRE_WIDTHS:
            bar_width = room - notes_width - (2 + VALUE_WIDTH + pre_width)
            if bar_width >= 4 or (pre_width == PRE_WIDTHS[-1] and bar_width >= 2 and not shown):
                return RowLayout(pre_width, bar_width, shown)
        if shown and notes_first:
            for note_width in (NOTE_WIDTH, PRE_WIDTHS[1]):
                bar_width = room - len(shown) * (note_width + 1) - (1 + VALUE_WIDTH)
                if bar_width >= 3:
                    return RowLayout(0, bar_width, shown, note_width, labelled=False)
    pre_width = PRE_WIDTHS[-1]
    return RowLayout(pre_width, max(room - (2 + VALUE_WIDTH + pre_width), 1), ())


@dataclass
class GateBox:
    """One gate's box as the panel last drew it (what the tests and the help read)."""

    gate: Gate
    title: str = ""
    subtitle: str = ""
    rows: list[str] = field(default_factory=list)
    width: int = 0
    units: list[int] = field(default_factory=list)  #: each row's unit (none: one for all)

    @property
    def text(self) -> str:
        return "\n".join(self.rows)


class GatePanel(FrameWidget):
    """The gates of the cell, one box per gate: one box a row for up to two units, else
    two side by side; a row per hidden unit with a bar on the gate's range, the value and
    the pre-activation z (and the gate's notes where there is room).

    One widget draws every box, borders included: a keypress then redraws one strip per
    screen row, not one per box, which is most of what a step costs Textual. With more
    units than ``cap`` rows a box shows a window of units around the selected one (it
    scrolls with the selection), and its title says which units show. Without borders
    (``-compact`` screens) a box has a title rule and no sides."""

    DEFAULT_CSS = """
    GatePanel { height: auto; padding: 0; border: none; }
    GatePanel > .gatepanel--border { color: $primary 60%; }
    GatePanel > .gatepanel--title { color: $text; text-style: bold; }
    GatePanel > .gatepanel--subtitle { color: $text-muted; }
    GatePanel > .gatepanel--bar { color: $accent; }
    """
    COMPONENT_CLASSES = {
        "gatepanel--border",
        "gatepanel--title",
        "gatepanel--subtitle",
        "gatepanel--bar",
    }

    class UnitClicked(Message):
        """A unit's row was clicked."""

        def __init__(self, unit: int) -> None:
            super().__init__()
            self.unit = unit

    def __init__(
        self, gates: tuple[Gate, ...], hidden_size: int, lane: int = 0, **kwargs: Any
    ) -> None:
        super().__init__(lane=lane, **kwargs)
        #: line -> (first column, end column, unit) of each unit's row drawn on it
        self._hits: dict[int, list[tuple[int, int, int]]] = {}
        self.gates = gates
        self.hidden_size = hidden_size
        self.cap: int | None = None  #: the most units a box shows (None: all)
        self.bar_cap: int | None = None  #: the widest a bar may be (compare mode's two panels)
        self.columns: int | None = None  #: boxes side by side (None: ``columns_for``)
        self.boxes: dict[str, GateBox] = {g.name: GateBox(g) for g in gates}
        self._shown: tuple[object, ...] = ()

    def show(
        self, gates: tuple[Gate, ...], hidden_size: int, cap: int | None, columns: int | None = None
    ) -> None:
        """These gates at this size, each box showing at most ``cap`` units, ``columns`` of
        boxes side by side (also after the screen changed between bordered and compact)."""
        state = (gates, hidden_size, cap, columns, self.bordered)
        if state != self._shown:
            self._shown = state
            self.gates, self.hidden_size, self.cap, self.columns = gates, hidden_size, cap, columns
            self.boxes = {g.name: GateBox(g) for g in gates}
            self._strips = None
            self._rows = -1
            self.refresh(layout=True)

    @property
    def bordered(self) -> bool:
        return not (self.is_attached and self.screen.has_class("-compact"))

    def rows(self, frame: Frame) -> int:
        lane = self.lane_of(frame)
        if lane is None:
            return 1
        border = 2 if self.bordered else 1
        return gate_rows(self.gates, lane.cell.hidden_size, border, self.cap, self.columns)

    def draw(self, frame: Frame) -> Lines:
        lane = self.lane_of(frame)
        out = Lines()
        if lane is None:
            return out
        cols = columns_for(self.gates, lane.cell.hidden_size, self.columns)
        width = self.size.width
        box_width = (width - (cols - 1)) // cols  # one blank column between boxes
        border_style = self.component_style("gatepanel--border")
        title_style = self.component_style("gatepanel--title")
        sub_style = self.component_style("gatepanel--subtitle")
        bar_style = self.component_style("gatepanel--bar")
        bordered = self.bordered
        inner = box_width - 2 if bordered else box_width - 1
        layouts = self.layouts(lane, inner)
        first = True
        self._hits = {}
        for k in range(0, len(self.gates), cols):
            group = self.gates[k : k + cols]
            units = [1 if g.scalar else lane.cell.hidden_size for g in group]
            height = max(min(u, self.cap or u) for u in units)
            drawn = [self._box(g, lane, frame, inner, height, layouts[g.name]) for g in group]
            if not first:
                out.append("\n")
            first = False
            for c, (box, _) in enumerate(drawn):  # the top edge, with the title
                out.append(" " if c else "")
                _top(out, box.title, box_width, bordered, border_style, title_style)
            for row in range(height):
                out.append("\n")
                line = len(out.rows) - 1
                for c, (box, runs) in enumerate(drawn):
                    if row < len(box.units):
                        left = c * (box_width + 1)
                        self._hits.setdefault(line, []).append(
                            (left, left + box_width, box.units[row])
                        )
                    out.append(" " if c else "")
                    out.append("│" if bordered else "", border_style)
                    cells = 0
                    for text, style in runs[row] if row < len(runs) else []:
                        out.append(text, bar_style if style == "bar" else style)
                        cells += len(text)
                    out.append(" " * max(inner - cells, 0))
                    out.append("│" if bordered else " ", border_style)
            if bordered:
                out.append("\n")
                for c, (box, _) in enumerate(drawn):  # the bottom edge, with the subtitle
                    out.append(" " if c else "")
                    _bottom(out, box.subtitle, box_width, border_style, sub_style)
        return out

    def layouts(self, lane: Lane, inner: int) -> dict[str, RowLayout]:
        """Each gate's row layout in boxes of ``inner`` cells, every bar as wide as the
        narrowest (and at most ``bar_cap``): bars side by side compare by their length."""
        made = {}
        for gate in self.gates:
            label_width = 3 if gate.scalar else len(str(lane.cell.hidden_size - 1))
            made[gate.name] = layout(inner - label_width - 2, gate.notes, gate.stabilised)
        bar_width = min([r.bar_width for r in made.values()] + [self.bar_cap or 10**6])
        return {name: replace(r, bar_width=bar_width) for name, r in made.items()}

    def natural_bar(self) -> int | None:
        """The bar width this panel's boxes would take at their width (compare mode gives
        both cells' panels the narrower of the two)."""
        frame = self.frame
        lane = None if frame is None else self.lane_of(frame)
        if lane is None or not self.size.width:
            return None
        cols = columns_for(self.gates, lane.cell.hidden_size, self.columns)
        box_width = (self.size.width - (cols - 1)) // cols
        inner = box_width - 2 if self.bordered else box_width - 1
        cap, self.bar_cap = self.bar_cap, None
        try:
            return min(r.bar_width for r in self.layouts(lane, inner).values())
        finally:
            self.bar_cap = cap

    def unit_at(self, x: int, y: int) -> int | None:
        """The unit whose row is drawn at content cell (x, y), as last drawn; None on a
        border, a title or a gate with one value for all units."""
        return next((u for a, b, u in self._hits.get(y, []) if a <= x < b), None)

    def on_click(self, event: events.Click) -> None:
        where = event.get_content_offset(self)
        unit = None if where is None else self.unit_at(where.x, where.y)
        if unit is not None:
            event.stop()
            self.post_message(self.UnitClicked(unit))

    def on_resize(self) -> None:
        """A screen that lines up several panels' bars (compare mode) hears of a new size."""
        hook = getattr(self.screen, "gate_panel_resized", None)
        if hook is not None:
            self.call_after_refresh(hook)

    def set_bar_cap(self, cap: int | None) -> None:
        if cap != self.bar_cap:
            self.bar_cap = cap
            self._strips = None
            self.refresh()

    def _box(
        self, gate: Gate, lane: Lane, frame: Frame, inner: int, height: int, row_layout: RowLayout
    ) -> tuple[GateBox, list[list[tuple[str, str]]]]:
        """One gate's box (title, subtitle, rows as text) and its rows as styled runs."""
        units = 1 if gate.scalar else lane.cell.hidden_size
        record = lane.record
        shown = visible_units(units, frame.unit, min(height, self.cap or height))
        label_width = 3 if gate.scalar else len(str(units - 1))
        pre_width, bar_width, notes = row_layout.pre_width, row_layout.bar_width, row_layout.notes
        rows: list[list[tuple[str, str]]] = []
        for unit in shown:
            selected = unit == frame.unit and units > 1
            name = "all" if gate.scalar else f"{unit:>{label_width}}"  # one value for all units
            runs = [(f"{'▶' if selected else ' '}{name} ", "bold" if selected else "")]
            if record is None:  # t = 0: no gate has a value yet
                blank = f" {'–':>{VALUE_WIDTH}}" + (f" {'–':>{pre_width}}" if pre_width else "")
                runs += [(" " * bar_width, ""), (blank, "dim")]
                rows.append(runs)
                continue
            value = float(np.ravel(getattr(record, gate.symbol))[unit])
            runs += [
                (bar(value, gate.low, gate.high, bar_width), "bar"),
                (f" {fit(value, VALUE_WIDTH):>{VALUE_WIDTH}}", "bold"),
            ]
            if pre_width:
                pre = float(np.ravel(getattr(record, gate.pre))[unit])
                runs.append((f" {column(pre, pre_width):>{pre_width}}", "dim"))
            width = row_layout.note_width
            for label, field_name in notes:
                note = float(np.ravel(getattr(record, field_name))[unit])
                runs.append((f"  {label} " if row_layout.labelled else " ", "dim"))
                runs.append((f"{fit(note, width):>{width}}", ""))
            rows.append(runs)
        box = self.boxes.setdefault(gate.name, GateBox(gate))
        box.title = _title(gate, shown, units, inner - 2)
        box.subtitle = _subtitle(gate, notes, pre_width > 0, inner - 4)
        box.rows = ["".join(text for text, _ in runs) for runs in rows]
        box.width = inner
        box.units = [] if gate.scalar else list(shown)
        return box, rows


def _title(gate: Gate, shown: range, units: int, room: int) -> str:
    """The gate's name; when the box scrolls, which units it shows, in as many words as
    fit the box's width."""
    name = f"{gate.label} {gate.shown}"
    if len(shown) >= units:
        return name
    a, b = shown.start, shown.stop - 1
    which, short = (f"unit {a}", f"{a}") if a == b else (f"units {a}-{b}", f"{a}-{b}")
    options = (
        f"{name} · {which} of {units}",
        f"{name} {short}/{units}",
        f"{gate.shown} · {which} of {units}",
        f"{gate.shown} {short}/{units}",
    )
    return next((t for t in options if len(t) <= room), options[-1])


def _subtitle(gate: Gate, notes: tuple[tuple[str, str], ...], with_z: bool, room: int) -> str:
    """What the columns are: the range of the bar, the value, z and the notes shown; in
    fewer words where the box is narrow, the columns' names last to go."""
    kind = f"{gate.activation}, stabilised" if gate.stabilised else gate.activation
    columns = "value" + (" · z" if with_z else "") + "".join(f" · {label}" for label, _ in notes)
    options = (
        f"{kind} ({gate.low:g}, {gate.high:g}) · {columns}",
        f"{'stabilised' if gate.stabilised else gate.activation} · {columns}",
        columns,
    )
    return next((t for t in options if len(t) <= room), options[-1])


def _top(out: Lines, title: str, width: int, bordered: bool, border: Style, bold: Style) -> None:
    """A box's top edge: ``╭─ title ───╮``; without borders, the title on a rule."""
    lead = "╭─ " if bordered else "─"
    tail = 2 if bordered else 0  # " " before the rule and the corner after it
    room = width - len(lead) - tail - 1
    shown = title if len(title) <= room else title[: max(room - 1, 0)] + "…"
    rule = "─" * max(width - len(lead) - len(shown) - tail, 0)  # the " " and corner: tail
    out.append(lead, border)
    out.append(shown, bold)
    out.append((" " + rule + "╮") if bordered else rule, border)


def _bottom(out: Lines, subtitle: str, width: int, border: Style, muted: Style) -> None:
    """A box's bottom edge, the subtitle at its right: ``╰──── sigmoid (0, 1) · z ─╯``."""
    room = width - 6
    shown = subtitle if len(subtitle) <= room else subtitle[: max(room - 1, 0)] + "…"
    out.append("╰" + "─" * max(width - len(shown) - 5, 0) + " ", border)
    out.append(shown, muted)
    out.append(" ─╯", border)


def columns_for(gates: tuple[Gate, ...], hidden_size: int, asked: int | None = None) -> int:
    """Gate boxes side by side: ``asked``, else one column for up to two units and two
    beyond; never more than there are gates (the RNN's one box takes the whole width)."""
    return max(1, min(asked or (2 if hidden_size > 2 else 1), len(gates)))


def gate_rows(
    gates: tuple[Gate, ...],
    hidden_size: int,
    border: int,
    per_gate: int | None = None,
    columns: int | None = None,
) -> int:
    """Rows the gate panel takes: per row of boxes, the tallest box and its border rows.
    ``per_gate`` caps the units a box shows (it scrolls beyond); ``columns`` of boxes side
    by side (default: ``columns_for``)."""
    cols = columns_for(gates, hidden_size, columns)
    heights = [1 if g.scalar else hidden_size for g in gates]
    if per_gate is not None:
        heights = [min(h, per_gate) for h in heights]
    return sum(max(heights[k : k + cols]) + border for k in range(0, len(heights), cols))
