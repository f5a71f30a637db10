"""Asking before something is replaced: "x.csv exists: replace it?" (y or n)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label

from ..keys import CONFIRM, bindings


class ConfirmDialog(ModalScreen[bool]):
    """A yes-or-no question; dismisses with True only for yes. The safe answer (no) is
    what escape, n and every other way out give."""

    KEYS = CONFIRM
    BINDINGS = bindings(KEYS)

    def __init__(self, question: str, title: str = "Replace the file?") -> None:
        super().__init__()
        self.question = question
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"{self.question}  y replaces it, n keeps it.", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#dialog").border_title = self.title_text

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)
