"""The header line: which cell (or cells), its sizes and origin, the status, and the step."""

from __future__ import annotations

from rich.cells import cell_len

from lstm_engine.stepper import Frame

from .base import FrameWidget, Lines


def cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, ending in … where it was cut."""
    if cell_len(text) <= width:
        return text
    if width <= 0:
        return ""
    while text and cell_len(text) > width - 1:
        text = text[:-1]
    return text + "…"


class HeaderBar(FrameWidget):
    """The step counter always shows whole; the status comes next; what is left says which
    cell this is, cut at the right where there is no room."""

    DEFAULT_CSS = """
    HeaderBar { height: 1; background: $primary; color: $text; }
    """

    def draw(self, frame: Frame) -> Lines:
        width = self.size.width
        counter = f"step {frame.t} / {frame.length} "
        cell = frame.cell
        if frame.comparing:
            second = frame.lanes[1].cell
            name = " Compare "
            rest = f"│ {cell.title} vs {second.title} │ I={cell.input_size} H={cell.hidden_size} "
        else:
            name = " lstm-stepper "
            rest = (
                f"│ {cell.title} │ I={cell.input_size} H={cell.hidden_size} │ "
                f"{frame.lanes[0].origin} "
            )
        room = width - len(counter)
        status = cut(f"{frame.status}  " if frame.status else "", max(room - 1, 0))
        if status and not status.endswith(" "):
            status += " "
        room -= cell_len(status)
        name = cut(name, max(room, 0))
        rest = cut(rest, max(room - cell_len(name), 0))
        gap = max(width - cell_len(name) - cell_len(rest) - cell_len(status) - len(counter), 0)
        line = Lines()
        line.append(name, "bold")
        line.append(rest + " " * gap)
        line.append(status, "bold reverse" if frame.refused else "italic")
        line.append(counter, "bold")
        return line
