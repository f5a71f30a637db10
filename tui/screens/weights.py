"""The weights view: every weight and bias of the cell; change one, load or save them all.

It is given the stepping controller and changes the cell only through it (validated by
the engine, which recomputes the history to the same step), so the effect shows at once
when the view closes. It holds no other screen.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Static

from lstm_engine.cells.weights import describe
from lstm_engine.inputs import one_number
from lstm_engine.jobs import Job
from lstm_engine.numbers import number
from lstm_engine.stepper import Stepper
from lstm_engine.writing import user_path, weights_path, would_overwrite

from ..jobs import run_job
from ..keys import WEIGHTS, bindings
from ..widgets.weight_table import Entries, WeightTable
from .confirm import ConfirmDialog

#: What Enter on a readout's row says: the view changes the cell's weights only.
READ_ONLY = "the readout is shown, not changed here: it is trained with the cell (t); S saves it"


class WeightsScreen(Screen[None]):
    KEYS = WEIGHTS
    BINDINGS = bindings(KEYS)

    def __init__(self, stepper: Stepper) -> None:
        super().__init__()
        self.stepper = stepper
        self.mode = ""  # what the prompt is for: "edit", "load" or "save"

    def compose(self) -> ComposeResult:
        with Vertical(id="weights-body"):
            yield Static("", id="weights-summary", markup=False)
            yield WeightTable(self.stepper.frame.cell, self.stepper.readout, id="weights-table")
            with Vertical(id="prompt"):
                yield Label("", id="prompt-label", markup=False)
                yield Input(id="prompt-input")
                yield Static("", id="prompt-error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#weights-body").border_title = "Weights"
        self.query_one("#prompt").display = False
        self.fill()
        self.query_one(WeightTable).focus()

    @property
    def entries(self) -> Entries:
        """``(key, index)`` of every row."""
        return self.query_one(WeightTable).entries

    def fill(self) -> None:
        """Show the controller's cell (rows are drawn when they show: ``WeightTable``)."""
        self.query_one(WeightTable).set_cell(self.stepper.frame.cell, self.stepper.readout)
        self.summarise()

    def summarise(self) -> None:
        frame = self.stepper.frame
        cell, record, unit = frame.cell, frame.record, frame.unit
        if record is None:
            now = "t = 0: step first to see the effect of a change."
        else:
            states = ", ".join(
                f"{s.name} = {number(float(np.ravel(getattr(record, s.name))[unit]))}"
                for s in cell.states
                if s.kind == "unit"
            )
            now = f"At step {record.t}, unit {unit}: {states}"
        readout = (
            "" if self.stepper.readout is None else " The readout's rows come last, read-only."
        )
        self.query_one("#weights-summary", Static).update(
            f"{cell.title}, I={cell.input_size}, H={cell.hidden_size}. {now}\n"
            f"Enter changes the selected value; l loads and S saves all weights (.npz).{readout}"
        )

    def _prompt(self, mode: str, label: str, value: str) -> None:
        self.mode = mode
        self.query_one("#prompt").display = True
        self.query_one("#prompt-label", Label).update(label)
        self.query_one("#prompt-error", Static).update("")
        field = self.query_one("#prompt-input", Input)
        field.value = value
        field.cursor_position = len(value)
        field.focus()

    def _close_prompt(self) -> None:
        self.mode = ""
        self.query_one("#prompt").display = False
        self.query_one(WeightTable).focus()

    def action_edit(self) -> None:
        if not self.entries or self.mode:
            return
        table = self.query_one(WeightTable)
        if table.is_readout(table.cursor_row):
            self.notify(READ_ONLY, timeout=3, markup=False)
            return
        key, index = self.entries[table.cursor_row]
        cell = self.stepper.frame.cell
        name, role = describe(cell, key, index)
        current = float(cell.params[key][index])
        self._prompt("edit", f"New value for {name} ({role}):", repr(current))

    def action_load(self) -> None:
        self._prompt("load", "Load weights from (.npz):", "weights.npz")

    def action_save(self) -> None:
        self._prompt("save", "Save weights to (.npz):", "weights.npz")

    @on(WeightTable.Selected)
    def _selected(self) -> None:
        self.action_edit()

    def action_close(self) -> None:
        if self.mode:
            self._close_prompt()
        else:
            self.dismiss(None)

    @on(Input.Submitted, "#prompt-input")
    def _submitted(self, event: Input.Submitted) -> None:
        error = self.query_one("#prompt-error", Static)
        act = {"edit": self._edit, "load": self._load, "save": self._save}.get(self.mode)
        if act is None or not self.is_current:  # no prompt, or the view closed meanwhile
            return
        try:
            outcome = act(event.value)
        except (ValueError, OSError) as exc:
            error.update(f"✗ {getattr(exc, 'strerror', None) or exc}")
            return
        if isinstance(outcome, Job):  # the history is recomputed: it can take a while
            run_job(self.app, outcome, self._done)
        elif outcome is not None:  # None: a question was asked first
            self._finish(outcome)

    def _done(self, job: Job) -> None:
        if job.cancelled:
            self.query_one("#prompt-error", Static).update("✗ cancelled: nothing changed")
            return
        self._finish(self.stepper.frame.status)

    def _finish(self, message: str) -> None:
        self._close_prompt()
        self.fill()
        self.notify(message, timeout=3, markup=False)

    def _edit(self, text: str) -> Job:
        value = one_number(text)
        key, index = self.entries[self.query_one(WeightTable).cursor_row]
        return self.stepper.set_weight_job(key, index, value)

    def _load(self, text: str) -> Job:
        return self.stepper.load_weights_job(user_path(text))

    def _save(self, text: str) -> str | None:
        path = weights_path(text)
        if would_overwrite(path):
            question = f"{path} exists: replace it with these weights?"
            self.app.push_screen(ConfirmDialog(question), lambda yes: self._saved(path, yes))
            return None
        return self._write(path)

    def _saved(self, path: Path, yes: bool | None) -> None:
        if not yes:
            self.query_one("#prompt-error", Static).update(f"✗ not saved: {path} is kept")
            return
        try:
            self._finish(self._write(path))
        except ValueError as exc:
            self.query_one("#prompt-error", Static).update(f"✗ {exc}")

    def _write(self, path: Path) -> str:
        return self.stepper.note(self.stepper.save_weights(path)).status
