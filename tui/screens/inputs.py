"""Editing the input sequence: the editor (key e) and the live input at the end."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from lstm_engine import Session
from lstm_engine.inputs import parse_inputs
from lstm_engine.trace import number


def sequence_text(session: Session) -> str:
    """The sequence as the editor shows it: "5, 1.9, 2" or "1, 2; 3, 4"."""
    rows = [", ".join(number(v) for v in row) for row in session.inputs]
    return ("; " if session.cell.input_size > 1 else ", ").join(rows)


class InputEditor(ModalScreen[str | None]):
    """Edit the whole sequence; bad input shows a message here and changes nothing."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        size = self.session.cell.input_size
        how = (
            "one value per step, separated by commas"
            if size == 1
            else f"steps separated by ';', each with {size} values separated by ','"
        )
        with Vertical(id="dialog"):
            yield Label(f"Input sequence: {how}. Enter applies, Escape cancels.")
            yield Input(sequence_text(self.session), id="sequence")
            yield Static("", id="error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#dialog").border_title = "Edit inputs"

    @on(Input.Submitted)
    def apply(self, event: Input.Submitted) -> None:
        try:
            rows = parse_inputs(event.value, self.session.cell.input_size)
            self.session.set_inputs(rows)
        except ValueError as exc:
            self.query_one("#error", Static).update(f"✗ {exc}")
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class LiveInput(ModalScreen[bool]):
    """At the end of the sequence: type the next input; Enter adds it and steps."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, session: Session, first: str) -> None:
        super().__init__()
        self.session = session
        self.first = first

    def compose(self) -> ComposeResult:
        size = self.session.cell.input_size
        hint = "a number" if size == 1 else f"{size} numbers separated by ','"
        with Vertical(id="live"):
            yield Label(f"Next input ({hint}), Enter to add and step, Escape to cancel:")
            yield Input(self.first, id="next")
            yield Static("", id="error", markup=False)

    def on_mount(self) -> None:
        field = self.query_one("#next", Input)
        field.cursor_position = len(field.value)

    @on(Input.Submitted)
    def add(self, event: Input.Submitted) -> None:
        try:
            rows = parse_inputs(event.value.replace(";", ","), self.session.cell.input_size)
            if len(rows) != 1:
                raise ValueError("type one step at a time")
            self.session.append_input(rows[0])
        except ValueError as exc:
            self.query_one("#error", Static).update(f"✗ {exc}")
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
