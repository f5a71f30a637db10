"""The header: which cell (or cells), its sizes and origin, the status, and the step.

What the cell is comes first and is never given up for a message: the step counter
shows whole, then the cell's name and sizes, then where its weights came from; the
status takes the room that is left on the line, and where it does not fit there whole
it gets a second line of its own (the status line). Text is cut only between words
(``cut``), so no number is ever shown in part.
"""

from __future__ import annotations

from rich.cells import cell_len

from lstm_engine.stepper import Frame

from .base import FrameWidget, Lines

#: The app's name leads the line where there is room for it and the whole status.
APP_NAME = " lstm-stepper "


def cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, ending in … where it was cut: at the last
    space (or after a comma) that leaves room, so that no word or number is cut in two;
    inside a word only where its first word alone does not fit."""
    if cell_len(text) <= width:
        return text
    if width <= 0:
        return ""
    head = text
    while head and cell_len(head) > width - 1:
        head = head[:-1]
    if text[len(head)] not in " ,":  # the cut falls inside a word: back to its start
        at = max(head.rfind(" "), head.rfind(","))
        if at > 0:
            head = head[: at + (head[at] == ",")]
    return head.rstrip() + "…"


class HeaderBar(FrameWidget):
    """One line (two while a status needs its own): the app's name where there is room,
    the cell and its origin, the status, and the step counter at the right."""

    DEFAULT_CSS = """
    HeaderBar { height: auto; background: $primary; color: $text; }
    """

    def _parts(self, frame: Frame) -> tuple[str, str, str]:
        """The cell's identity, the status, the counter."""
        cell = frame.cell
        if frame.comparing:
            second = frame.lanes[1].cell
            who = f" {cell.title} vs {second.title} │ I={cell.input_size} H={cell.hidden_size} "
        else:
            who = (
                f" {cell.title} │ I={cell.input_size} H={cell.hidden_size} │ "
                f"{frame.lanes[0].origin} "
            )
        return who, frame.status, f"step {frame.t} / {frame.length} "

    def _status_fits(self, frame: Frame, width: int) -> bool:
        who, status, counter = self._parts(frame)
        return not status or cell_len(who) + cell_len(status) + 2 + len(counter) <= width

    def rows(self, frame: Frame) -> int:
        width = self.size.width
        return 1 if width <= 0 or self._status_fits(frame, width) else 2

    def draw(self, frame: Frame) -> Lines:
        width = self.size.width
        who, status, counter = self._parts(frame)
        own_line = not self._status_fits(frame, width)
        room = width - len(counter)
        name = " Compare " if frame.comparing else APP_NAME
        said = "" if own_line or not status else f"{status}  "
        if cell_len(name) + 1 + cell_len(who) + cell_len(said) > room:  # 1: its "│"
            name = ""  # the app's name is the first thing to go
        else:
            who = "│" + who
        # cut with a space after it (one cell of the room), as it ends uncut
        who = cut(who.rstrip(), max(room - cell_len(said) - cell_len(name) - 1, 0)) + " "
        gap = max(width - cell_len(name) - cell_len(who) - cell_len(said) - len(counter), 0)
        line = Lines()
        line.append(name, "bold")
        line.append(who + " " * gap)
        style = "bold reverse" if frame.refused else "italic"
        line.append(said, style)
        line.append(counter, "bold")
        if own_line:
            line.append("\n")
            line.append(cut(f" {status} ", width), style)
        return line
