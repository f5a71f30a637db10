"""Export the trace so far (steps 1..t) as CSV, JSON or the printout, the engine's formats."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Static

from lstm_engine.files import user_path, write_atomic
from lstm_engine.stepper import Stepper
from lstm_engine.trace import render

from ..keys import EXPORT, bindings

FORMAT_OF = {".csv": "csv", ".json": "json", ".txt": "table"}


class ExportDialog(ModalScreen[Path | None]):
    KEYS = EXPORT
    BINDINGS = bindings(KEYS)

    def __init__(self, stepper: Stepper, default: str = "trace.csv") -> None:
        super().__init__()
        self.stepper = stepper
        self.default = default

    def compose(self) -> ComposeResult:
        t = self.stepper.frame.t
        what = (
            f"Write steps 1..{t}" if t else "Nothing to export yet (t = 0). Later, write the steps"
        )
        with Vertical(id="dialog"):
            yield Label(
                f"{what} to a file: .csv, .json or .txt (the printout). "
                "Enter writes, Escape cancels.",
                markup=False,
            )
            yield Input(self.default, id="path")
            yield Static("", id="error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#dialog").border_title = "Export trace"

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_write()

    def action_write(self) -> None:
        error = self.query_one("#error", Static)
        try:
            path = user_path(self.query_one(Input).value)
        except ValueError as exc:
            error.update(f"✗ {exc}")
            return
        fmt = FORMAT_OF.get(path.suffix.lower())
        if fmt is None:
            error.update("✗ the file name must end in .csv, .json or .txt")
            return
        records = self.stepper.records()
        if not records:
            error.update("✗ nothing to export at t = 0: take a step first")
            return
        frame = self.stepper.frame
        text = render(fmt, frame.cell, frame.inputs, records)
        try:
            write_atomic(path, lambda handle: handle.write(text.encode("utf-8")))
        except (OSError, ValueError) as exc:
            error.update(f"✗ cannot write {path}: {getattr(exc, 'strerror', None) or exc}")
            return
        self.stepper.note(f"wrote {len(records)} steps to {path.name}")
        self.notify(str(path), title=f"Wrote {len(records)} steps", timeout=3, markup=False)
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)
