"""Export the trace so far (steps 1..t) as CSV, JSON or the printout, the engine's formats."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Static

from lstm_engine.jobs import Job
from lstm_engine.stepper import Stepper
from lstm_engine.writing import user_path, would_overwrite

from ..jobs import run_job
from ..keys import EXPORT, bindings
from .confirm import ConfirmDialog

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
        if self.is_current:  # not a Submitted that came after the dialog closed (a burst)
            self.action_write()

    def action_write(self) -> None:
        error = self.query_one("#error", Static)
        try:
            path = user_path(self.query_one(Input).value)
            fmt = FORMAT_OF.get(path.suffix.lower())
            if fmt is None:
                raise ValueError("the file name must end in .csv, .json or .txt")
            if self.stepper.frame.t == 0:
                raise ValueError("nothing to export at t = 0: take a step first")
            replace = would_overwrite(path)
        except ValueError as exc:
            error.update(f"✗ {exc}")
            return
        if replace:
            question = f"{path} exists: replace it with steps 1..{self.stepper.frame.t}?"
            self.app.push_screen(
                ConfirmDialog(question), lambda yes: self._confirmed(path, fmt, yes)
            )
        else:
            self._write(path, fmt)

    def _confirmed(self, path: Path, fmt: str, yes: bool | None) -> None:
        if yes:
            self._write(path, fmt)
        else:
            self.query_one("#error", Static).update(f"✗ not written: {path} is kept")

    def _write(self, path: Path, fmt: str) -> None:
        try:
            job = self.stepper.export_job(path, fmt)
        except ValueError as exc:
            self.query_one("#error", Static).update(f"✗ {exc}")
            return
        run_job(self.app, job, lambda done: self._written(path, done))

    def _written(self, path: Path, job: Job) -> None:
        frame = self.stepper.frame
        if job.cancelled or frame.refused:
            self.query_one("#error", Static).update(f"✗ {frame.status}")
            return
        self.notify(str(path), title=frame.status, timeout=3, markup=False)
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)
