"""The header line: which cell (or cells), its sizes and origin, the status, and the step."""

from __future__ import annotations

from rich.text import Text

from .base import FrameWidget


class HeaderBar(FrameWidget):
    """The step counter always shows whole; the status comes next; what is left says which
    cell this is, cut at the right where there is no room."""

    DEFAULT_CSS = """
    HeaderBar { height: 1; background: $primary; color: $text; }
    """

    def render(self) -> Text:
        frame = self.frame
        if frame is None:
            return Text("")
        width = self.size.width
        counter = Text(f"step {frame.t} / {frame.length} ", "bold")
        cell = frame.cell
        if frame.comparing:
            second = frame.lanes[1].cell
            left = Text.assemble(
                (" Compare ", "bold"),
                f"│ {cell.title} vs {second.title} │ I={cell.input_size} H={cell.hidden_size} ",
            )
        else:
            left = Text.assemble(
                (" lstm-stepper ", "bold"),
                f"│ {cell.title} │ I={cell.input_size} H={cell.hidden_size} │ "
                f"{frame.lanes[0].origin} ",
            )
        status = Text(
            f"{frame.status}  " if frame.status else "",
            "bold reverse" if frame.refused else "italic",
        )
        room = width - counter.cell_len
        if status.cell_len > room:
            status.truncate(max(room - 1, 0), overflow="ellipsis")
            status.append(" ")
        room -= status.cell_len
        left.truncate(max(room, 0), overflow="ellipsis")
        gap = max(width - left.cell_len - status.cell_len - counter.cell_len, 0)
        return Text.assemble(left, " " * gap, status, counter, no_wrap=True, end="")
