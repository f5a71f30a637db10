"""The header line: which cell, its sizes and origin, and where the session is."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive

from .base import ViewWidget


class HeaderBar(ViewWidget):
    DEFAULT_CSS = """
    HeaderBar { height: 1; background: $primary; color: $text; }
    """

    status: reactive[str] = reactive("")

    def render(self) -> Text:
        view = self.view
        if view is None:
            return Text("")
        cell, session = view.cell, view.session
        width = self.size.width
        right = Text.assemble(
            (f"{self.status}  " if self.status else "", "italic"),
            (f"step {view.t} / {session.length} ", "bold"),
        )
        if right.cell_len > width // 2:  # the step counter always shows; the status yields
            right = Text(f"step {view.t} / {session.length} ", "bold")
        left = Text.assemble(
            (" lstm-stepper ", "bold"),
            f"│ {cell.title} │ I={cell.input_size} H={cell.hidden_size} │ {session.origin} ",
        )
        left.truncate(max(width - right.cell_len - 1, 0), overflow="ellipsis")
        gap = max(width - left.cell_len - right.cell_len, 0)
        return Text.assemble(left, " " * gap, right, no_wrap=True, end="")
