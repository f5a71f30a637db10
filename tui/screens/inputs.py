"""Editing the input sequence (key e): type it, or load it from a .csv or .npy file."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Static

from lstm_engine.inputs import parse_inputs, read_inputs_table
from lstm_engine.jobs import Job
from lstm_engine.numbers import plain
from lstm_engine.stepper import Stepper
from lstm_engine.writing import user_path

from ..jobs import run_job
from ..keys import INPUTS, bindings


def sequence_text(inputs: object, input_size: int) -> str:
    """The sequence as the editor shows it: "5, 1.9, 2" or "1, 2; 3, 4"."""
    rows = [", ".join(plain(v) for v in row) for row in inputs]  # type: ignore[attr-defined]
    return ("; " if input_size > 1 else ", ").join(rows)


#: Numbers beyond which the sequence is not put in the field (a long line of text makes
#: every key in it slow): the editor opens empty and says why.
MAX_EDITED = 2000


class InputEditor(ModalScreen[bool]):
    """The whole sequence in one field; bad input shows why here and changes nothing.
    ctrl+o turns the field into a path prompt for a file. Dismisses with True when the
    sequence changed."""

    KEYS = INPUTS
    BINDINGS = bindings(KEYS)

    def __init__(self, stepper: Stepper) -> None:
        super().__init__()
        self.stepper = stepper
        self.from_file = False  # the field holds a file's path, not the sequence

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self._help(), id="editor-help", markup=False)
            yield Input(self._current(), id="sequence")
            yield Static(self._too_long(), id="error", markup=False)
        yield Footer()

    def _current(self) -> str:
        """The sequence as text, or nothing when it is too long to edit in one line."""
        frame = self.stepper.frame
        if len(frame.inputs) * frame.cell.input_size > MAX_EDITED:
            return ""
        return sequence_text(frame.inputs, frame.cell.input_size)

    def _too_long(self) -> str:
        steps = len(self.stepper.frame.inputs)
        if self._current() or not steps:
            return ""
        return (
            f"The sequence has {steps:,} steps, too many to edit here: type a new one, "
            "or load a file (ctrl+o)."
        )

    def _help(self) -> str:
        if self.from_file:
            return "A .csv (one step per row) or .npy file of shape (T, I); Enter loads it."
        size = self.stepper.frame.cell.input_size
        how = (
            "one value per step, separated by commas or spaces"
            if size == 1
            else f"steps separated by ';', each with {size} values separated by ',' or spaces"
        )
        return f"Input sequence: {how}. Enter applies, ctrl+o loads a file, Escape cancels."

    def on_mount(self) -> None:
        self.query_one("#dialog").border_title = "Edit inputs"

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.is_current:  # not a Submitted that came after the dialog closed (a burst)
            self.action_apply()

    def action_apply(self) -> None:
        field = self.query_one(Input)
        size = self.stepper.frame.cell.input_size
        try:
            if self.from_file:
                table = read_inputs_table(user_path(field.value), size)
                rows, names = table.values, table.names
            else:
                rows, names = parse_inputs(field.value, size), None
            job = self.stepper.set_inputs_job(rows, names)
        except (ValueError, OSError) as exc:
            self.query_one("#error", Static).update(f"✗ {exc}")
            return
        run_job(self.app, job, self._done)

    def _done(self, job: Job) -> None:
        if job.cancelled:
            self.query_one("#error", Static).update("✗ cancelled: the inputs are unchanged")
        else:
            self.dismiss(True)

    def action_load(self) -> None:
        """Switch the field between the sequence and a file's path."""
        self.from_file = not self.from_file
        field = self.query_one(Input)
        field.value = "inputs.csv" if self.from_file else self._current()
        self.query_one("#editor-help", Label).update(self._help())
        self.query_one("#error", Static).update("" if self.from_file else self._too_long())
        self.query_one("#dialog").border_title = "Load inputs" if self.from_file else "Edit inputs"

    def action_cancel(self) -> None:
        self.dismiss(False)
