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
        left = Text.assemble(
            (" lstm-stepper ", "bold"),
            f"│ {cell.title} │ I={cell.input_size} H={cell.hidden_size} │ {session.origin} ",
        )
        right = Text.assemble(
            (f"{self.status}  " if self.status else "", "italic"),
            (f"step {view.t} / {session.length} ", "bold"),
        )
        gap = max(self.size.width - left.cell_len - right.cell_len, 1)
        return Text.assemble(left, " " * gap, right, no_wrap=True, overflow="ellipsis")
