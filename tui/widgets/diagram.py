"""The live cell diagram panel: the title, the cell drawn with this step's numbers for the
selected unit (``lstm_engine.diagram``), and the equation being read under it."""

from __future__ import annotations

from lstm_engine import Cell
from lstm_engine.diagram import Diagram, diagram
from lstm_engine.equations import symbols, write
from lstm_engine.stepper import Frame

from .base import FrameWidget, Lines

#: What the line under the diagram says at t = 0, when no equation has numbers yet.
AT_START = "t = 0: every state is zero. Press space (or →) to take the first step."
#: Rows the panel needs besides the drawing: the equation being read. The title and a
#: blank row above and under the drawing come next, where there is room.
AROUND = 1


def reading(cell: Cell, index: int) -> str:
    """The symbol of the equation being read ("" if the index is not one of the cell's)."""
    names = symbols(cell)
    return names[index] if 0 <= index < len(names) else ""


class DiagramPanel(FrameWidget):
    """The whole drawing, centred: compact where the full one does not fit the rows (the
    boxes then leave out the pre-activations), heavy lines and ▶ on the part being read."""

    DEFAULT_CSS = """
    DiagramPanel { height: 1fr; padding: 0 0; }
    """

    def on_resize(self) -> None:
        """Lay out again at the new size: the drawing is centred and compact or full by the
        size, and lines drawn at the old size may already be on screen (the base class
        only forgets them, and Textual dispatches its handler too)."""
        self.refresh()

    def drawing(self, frame: Frame) -> Diagram:
        cell, record = frame.cell, frame.record
        symbol = reading(cell, frame.equation)
        colour = not self.app.no_color
        full = diagram(cell, record, frame.unit, symbol, compact=False, colour=colour)
        height = self.size.height or self.app.size.height
        if len(full.rows) + AROUND + 1 <= height:  # and the title
            return full
        return diagram(cell, record, frame.unit, symbol, compact=True, colour=colour)

    def equation_lines(self, frame: Frame, width: int, room: int) -> list[tuple[str, bool]]:
        """The equations with their numbers, each in one line of ``width``, as (line, is
        it the one being read): every one where ``room`` rows hold them, else the one
        being read."""
        if frame.record is None:
            return [(AT_START, True)]
        written = write(frame.cell, frame.record, frame.unit)
        every = room >= len(written)
        return [
            (
                ("▶ " if k == frame.equation else "  ") + w.fit(max(width - 2, 1)),
                k == frame.equation,
            )
            for k, w in enumerate(written)
            if every or k == frame.equation
        ]

    def draw(self, frame: Frame) -> Lines:
        width = self.size.width or self.app.size.width
        height = self.size.height or self.app.size.height
        drawn = self.drawing(frame)
        pad = " " * max((width - drawn.width) // 2, 0)
        spare = height - len(drawn.rows) - AROUND
        rows: list[list[tuple[str, str]]] = [[(pad + drawn.title, "bold")]] if spare > 0 else []
        rows += [[]] * (spare > 2)
        rows += [[(pad, ""), *drawn.runs(row)] for row in range(len(drawn.rows))]
        rows += [[]] * (spare > 1)
        room = height - len(rows)
        # the equations take the whole width: their products are what a student redoes
        for line, read in self.equation_lines(frame, width, room):
            head, _, rest = line.partition(" = ")
            rows.append([(head, "bold" if read else "")])
            if rest:
                rows[-1].append((" = " + rest, "" if read else "dim"))
        lines = Lines()
        for k, row in enumerate(rows):
            lines.append("\n" if k else "")
            for text, style in row:
                lines.append(text, style)
        return lines

    def rows(self, frame: Frame) -> int:
        return len(self.drawing(frame).rows) + AROUND + 1  # and the title
