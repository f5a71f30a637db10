"""The live-input bar: at the end of the sequence, type the next input and Enter adds it.

A widget of the stepping screen, not a dialog, so that a burst of keys (a paste over
SSH, "3.5" arriving in one read) cannot open several: the screen feeds the characters
that arrive before the field has the focus into the same bar, in order.
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static


class LiveField(Input):
    """The bar's field. Enter is taken here, in the field's own queue of keys, not
    where it bubbles to (the screen): bubbling is a message to the parent, so the keys
    of a burst typed after the Enter ("7⏎8⏎") would reach the field first and join the
    number being submitted. A character that comes after the bar closed (the input
    before it was added meanwhile) opens it again: it is the next input."""

    async def _on_key(self, event: events.Key) -> None:
        bar = self.parent
        if isinstance(bar, LiveInputBar):
            if event.key == "enter":
                event.prevent_default()
                event.stop()
                bar.submit(self.value)
                return
            if event.is_printable and not bar.is_open:
                bar.open("")
        await super()._on_key(event)


class LiveInputBar(Vertical):
    """Hidden until opened; posts ``Submitted`` with the typed text on Enter."""

    DEFAULT_CSS = """
    LiveInputBar { display: none; height: auto; dock: bottom; margin-bottom: 1;
                   border-top: solid $accent; background: $surface; padding: 0 1; }
    LiveInputBar.-open { display: block; }
    LiveInputBar #live-error { color: $error; height: auto; }
    """

    class Submitted(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, hint: str = "a number", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.hint = hint

    def compose(self) -> ComposeResult:
        yield Label(self._label(), id="live-label", markup=False)
        # No focus while the bar is closed; a character typed after the first one adds to it.
        yield LiveField(id="live-field", disabled=True, select_on_focus=False)
        yield Static("", id="live-error", markup=False)

    def _label(self) -> str:
        return f"Next input ({self.hint}): Enter adds it and steps, Escape cancels"

    def set_hint(self, hint: str) -> None:
        self.hint = hint
        if self.is_mounted:
            self.query_one("#live-label", Label).update(self._label())

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    @property
    def field(self) -> Input:
        return self.query_one("#live-field", Input)

    def open(self, text: str) -> None:
        self.add_class("-open")
        self.field.disabled = False
        self.query_one("#live-error", Static).update("")
        self.field.value = text
        self.field.cursor_position = len(text)
        self.field.focus()

    def feed(self, text: str) -> None:
        """Characters that came before the field had the focus: at the cursor, in order."""
        field = self.field
        field.insert_text_at_cursor(text)

    def submit(self, text: str | None = None) -> None:
        """Post what was typed (``text``: the field's value when Enter was pressed) and
        empty the field, so that what a burst types after the Enter is the next input,
        not more of this one."""
        value = self.field.value if text is None else text
        self.field.value = ""
        self.post_message(self.Submitted(value))

    def done(self, text: str) -> None:
        """``text`` was added: close, unless more was typed since it was submitted."""
        if not self.field.value:
            self.close()

    def refused(self, text: str, message: str) -> None:
        """``text`` could not be added: say why, and give it back if nothing came since."""
        if not self.field.value:
            self.field.value = text
            self.field.cursor_position = len(text)
        self.error(message)

    def error(self, message: str) -> None:
        self.query_one("#live-error", Static).update(f"✗ {message}")

    def close(self) -> None:
        self.remove_class("-open")
        self.field.value = ""
        self.field.disabled = True
        self.screen.set_focus(None)

    @on(Input.Submitted, "#live-field")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit(event.value)

    def key_escape(self) -> None:
        self.close()
