"""The equations of the current step for the selected unit, with the numbers filled in."""

from __future__ import annotations

from lstm_engine import Cell
from lstm_engine.equations import line_count, write
from lstm_engine.stepper import Frame

from .base import FrameWidget, Lines

AT_START = ("t = 0: every state is zero.", "Press space (or →) to take the first step.")


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
        if lane.record is None:
            lines = list(AT_START)
        else:
            lines = [w.fit(width) for w in write(lane.cell, lane.record, frame.unit)]
        text = Lines()
        for k, line in enumerate(lines):
            if k:
                text.append("\n")
            head, _, rest = line.partition(" = ")
            if rest:
                text.append(head, "bold")
                text.append(" = " + rest)
            else:
                text.append(line)
        return text

    def rows(self, frame: Frame) -> int:
        lane = self.lane_of(frame)
        return equation_rows(lane.cell) if lane else 1


def equation_rows(cell: Cell) -> int:
    """Rows of the panel's content: as many as the cell has equations, and room for the
    text at t = 0 (the RNN has one equation), so the layout stays put as you step."""
    return max(line_count(cell), len(AT_START))
