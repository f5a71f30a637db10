"""Export the trace so far (steps 1..t) as CSV or JSON, the engine's formats."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from lstm_engine import Session
from lstm_engine.files import write_atomic
from lstm_engine.trace import render

FORMAT_OF = {".csv": "csv", ".json": "json", ".txt": "table"}


class ExportDialog(ModalScreen[Path | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, session: Session, default: str = "trace.csv") -> None:
        super().__init__()
        self.session = session
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(
                f"Write steps 1..{self.session.t} to a file: .csv, .json or .txt (the "
                "printout). Enter writes, Escape cancels."
            )
            yield Input(self.default, id="path")
            yield Static("", id="error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#dialog").border_title = "Export trace"

    @on(Input.Submitted)
    def write(self, event: Input.Submitted) -> None:
        path = Path(event.value.strip()).expanduser()
        fmt = FORMAT_OF.get(path.suffix.lower())
        error = self.query_one("#error", Static)
        if not event.value.strip() or fmt is None:
            error.update("✗ the file name must end in .csv, .json or .txt")
            return
        session = self.session
        records = [session.record(t) for t in range(1, session.t + 1)]
        text = render(fmt, session.cell, session.inputs, records)
        try:
            write_atomic(path, lambda handle: handle.write(text.encode("utf-8")))
        except OSError as exc:
            error.update(f"✗ cannot write {path}: {exc.strerror or exc}")
            return
        self.app.notify(f"Wrote {len(records)} steps to {path}", timeout=4, markup=False)
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)
