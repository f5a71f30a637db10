"""The equations of the current step for the selected unit, with the numbers filled in:
first the step's data (x and each state before the step), then one line per equation,
the one being read (``[`` and ``]``) marked ▶ and reversed."""

from __future__ import annotations

from lstm_engine import Cell
from lstm_engine.equations import given, line_count, write
from lstm_engine.stepper import Frame

from .base import FrameWidget, Lines, visible_units

AT_START = ("t = 0: every state is zero.", "Press space (or →) to take the first step.")
#: Terminal rows below which the dashboard is compact (``tui/layout.py`` reads it too):
#: there the panel shows a window of ``COMPACT_ROWS`` rows around the marked equation.
COMPACT_HEIGHT = 32
COMPACT_ROWS = 7
MARK = "▶ "


class EquationsPanel(FrameWidget):
    """Each equation fits its line: where it is too long, its written form and then its
    most detailed stages give way first, and the symbol and the result always show."""

    DEFAULT_CSS = """
    EquationsPanel { height: auto; }
    """

    def draw(self, frame: Frame) -> Lines:
        lane = self.lane_of(frame)
        if lane is None:
            return Lines()
        width = self.size.width
        text = Lines()
        if lane.record is None:
            self._title(frame.unit, range(0), 0)
            text.append("\n".join(AT_START))
            return text
        room = self.rows(frame) - 1
        equations = write(lane.cell, lane.record, frame.unit)
        marked = min(frame.equation, len(equations) - 1)
        step = given(lane.cell, lane.record, frame.unit, width)
        head, _, rest = step.partition(" ")
        text.append(head, "bold")
        text.append(" " + rest)
        shown = visible_units(len(equations), marked, room)
        self._title(frame.unit, shown, len(equations))
        for k in shown:
            line = equations[k].fit(width - len(MARK))
            text.append("\n")
            if k == marked:
                text.append(MARK + line, "bold reverse")
                continue
            symbol, _, rest = line.partition(" = ")
            text.append(" " * len(MARK))
            text.append(symbol, "bold")
            text.append(" = " + rest if rest else "")
        return text

    def _title(self, unit: int, shown: range, count: int) -> None:
        """Whose equations, which show when they do not all fit, and the keys to read."""
        which = "" if len(shown) == count else f" · {shown.start + 1}-{shown.stop} of {count}"
        title = f"Equations · unit {unit}{which} · [ ] ▶ · f full sum"
        if self.border_title != title:
            self.border_title = title

    def rows(self, frame: Frame) -> int:
        lane = self.lane_of(frame)
        return equation_rows(lane.cell, self.app.size.height) if lane else 1


def equation_rows(cell: Cell, height: int = 0) -> int:
    """Rows of the panel's content in a terminal ``height`` rows high (0: any): the step's
    data and every equation, with room for the text at t = 0 (the RNN has one equation),
    so the layout stays put as you step; a window of them in a compact terminal."""
    rows = 1 + max(line_count(cell), len(AT_START))
    return min(rows, COMPACT_ROWS) if 0 < height < COMPACT_HEIGHT else rows
