"""The weights view: every weight and bias of the cell; change one, load or save them all.

Every change goes through the session (validated by the engine), which recomputes the
history to the same step, so the effect shows at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

import lstm_engine
from lstm_engine.inputs import InputError, parse_inputs

if TYPE_CHECKING:
    from ..app import MainScreen


class WeightsScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,w", "close", "Back"),
        Binding("enter", "edit", "Change", show=True),
        Binding("l", "load", "Load .npz"),
        Binding("ctrl+s,S", "save", "Save .npz", key_display="S"),
    ]

    def __init__(self, main: MainScreen) -> None:
        super().__init__()
        self.main = main
        self.session = main.session
        self.mode = ""  # what the prompt is for: "edit", "load" or "save"
        self.entries: list[tuple[str, tuple[int, ...]]] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="weights-body"):
            yield Static("", id="weights-summary", markup=False)
            yield DataTable(id="weights-table", cursor_type="row", zebra_stripes=True)
            with Vertical(id="prompt"):
                yield Label("", id="prompt-label", markup=False)
                yield Input(id="prompt-input")
                yield Static("", id="prompt-error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#weights-body").border_title = "Weights"
        self.query_one("#prompt").display = False
        table = self.query_one(DataTable)
        table.add_columns("weight", "value", "what it is")
        self.fill()
        table.focus()

    def fill(self) -> None:
        cell = self.session.cell
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        self.entries = []
        for key, values in cell.params.items():
            for index in np.ndindex(values.shape):
                label = cell.param_label(key, index)
                name, _, what = label.partition("  ")
                table.add_row(name, f"{values[index]: .6f}", what)
                self.entries.append((key, index))
        if self.entries:
            table.move_cursor(row=min(row, len(self.entries) - 1))
        self.summarise()

    def summarise(self) -> None:
        session, unit = self.session, self.main.unit
        record = session.current
        if record is None:
            now = "t = 0: step first to see the effect of a change."
        else:
            states = ", ".join(
                f"{s.name} = {float(np.ravel(getattr(record, s.name))[unit]):.4f}"
                for s in session.cell.states
                if s.kind == "unit"
            )
            now = f"At step {record.t}, unit {unit}: {states}"
        self.query_one("#weights-summary", Static).update(
            f"{session.cell.title}, I={session.cell.input_size}, H={session.cell.hidden_size}. "
            f"{now}\nEnter changes the selected value; l loads and S saves all weights (.npz)."
        )

    def _prompt(self, mode: str, label: str, value: str) -> None:
        self.mode = mode
        box = self.query_one("#prompt")
        box.display = True
        self.query_one("#prompt-label", Label).update(label)
        self.query_one("#prompt-error", Static).update("")
        field = self.query_one("#prompt-input", Input)
        field.value = value
        field.focus()

    def _close_prompt(self) -> None:
        self.mode = ""
        self.query_one("#prompt").display = False
        self.query_one(DataTable).focus()

    def action_edit(self) -> None:
        if not self.entries or self.mode:
            return
        key, index = self.entries[self.query_one(DataTable).cursor_row]
        current = self.session.cell.params[key][index]
        label = self.session.cell.param_label(key, index)
        self._prompt("edit", f"New value for {label}:", repr(float(current)))

    def action_load(self) -> None:
        self._prompt("load", "Load weights from (.npz):", "weights.npz")

    def action_save(self) -> None:
        self._prompt("save", "Save weights to (.npz):", "weights.npz")

    @on(DataTable.RowSelected)
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
        try:
            message = {"edit": self._edit, "load": self._load, "save": self._save}[self.mode](
                event.value.strip()
            )
        except (ValueError, OSError) as exc:
            error.update(f"✗ {exc}")
            return
        self._close_prompt()
        self.fill()
        self.main.weights_changed(message)
        self.notify(message, timeout=3, markup=False)

    def _edit(self, text: str) -> str:
        try:
            value = float(parse_inputs(text, 1)[0, 0])
        except InputError:
            raise ValueError(f"{text!r} is not a finite number") from None
        key, index = self.entries[self.query_one(DataTable).cursor_row]
        array = np.array(self.session.cell.params[key])
        array[index] = value
        self.session.set_weight(key, array)
        if not self.session.origin.endswith("(edited)"):
            self.session.origin += " (edited)"
        return f"{self.session.cell.param_label(key, index).split('  ')[0]} = {value:g}"

    def _load(self, path: str) -> str:
        if not path:
            raise ValueError("give a file name")
        cell = lstm_engine.load(path)
        self.session.set_cell(cell)
        self.session.origin = f"weights {path}"
        return f"Loaded {cell.title} weights from {path}"

    def _save(self, path: str) -> str:
        if not path.endswith(".npz"):
            raise ValueError("the file name must end in .npz")
        try:
            lstm_engine.save(self.session.cell, path)
        except OSError as exc:
            raise ValueError(f"cannot write {path}: {exc.strerror or exc}") from None
        return f"Saved the weights to {path}"
