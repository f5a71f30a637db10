"""The training screen (t): pick a task, a cell, its size and the sequence length, train
it with a live loss curve, and open the trained cell on an example of the task.

Training runs in a child process (``lstm_engine.training.TrainingProcess``): NumPy on
small arrays holds the GIL, so a thread would freeze the screen. A timer polls the
process's progress reports; the curve shows the training batches' loss, the held-out
loss and the task's baseline (the trivial predictor's loss) on a log scale over the
updates. Escape stops the run: the child keeps the best weights so far (on the held-out
set) and saves them, as it does at the end of the budget. Either way the screen closes
with the files it wrote (``Trained``), and the app opens the trained cell in the main
screen. A tanh RNN of the same size can train beside the cell (a second process, the
same task, budget and seed) for the gradient-flow view (g).
"""

from __future__ import annotations

import contextlib
import math
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Checkbox, Footer, Input, Label, Select, Static

from lstm_engine import plot
from lstm_engine.cells import CELLS
from lstm_engine.numbers import number
from lstm_engine.stepper import PlotSpec
from lstm_engine.tasks import TASKS
from lstm_engine.training import Progress, TrainConfig, TrainingError, TrainingProcess

from ..keys import TRAINING, bindings
from ..widgets import TrajectoryPlot

#: Seconds between two looks at the child's progress reports.
POLL = 0.1
#: The settings the screen opens with (the cell's kind and size come from the dashboard).
DEFAULTS = {
    "task": "adding",
    "length": "100",
    "seconds": "30",
    "updates": "",
    "seed": "0",
    "forget": "",
}
#: The hidden size the screen offers (unless the dashboard's cell has more units).
DEFAULT_HIDDEN = 8
#: The RNN trained beside the cell for the gradient view.
COMPANION = "rnn"


@dataclass(frozen=True)
class Trained:
    """What a finished (or stopped) run leaves: the weight files and its report."""

    config: TrainConfig
    path: Path  #: the cell and its readout
    report: dict[str, Any]
    companion: Path | None = None  #: the RNN trained beside it, if it finished too


@dataclass(frozen=True)
class LossPicture:
    """What the loss plot draws (``TrajectoryPlot`` reads ``plot`` and the step ``t``)."""

    plot: PlotSpec
    t: int = 0  #: no current-step mark
    comparing: bool = False


@dataclass
class Run:
    """One training process and the progress it reported."""

    process: TrainingProcess
    path: Path
    reports: list[Progress] = field(default_factory=list)


def loss_curves(reports: list[Progress], baseline: float) -> PlotSpec:
    """log10 of the loss over updates 1..n: the training batches' loss and the held-out
    loss (each held until the next report), and the baseline as a line."""
    steps = max(reports[-1].updates if reports else 0, 1)
    train, held = np.full(steps, np.nan), np.full(steps, np.nan)
    for report in reports:  # the first one is the evaluation before any update
        at = max(report.updates, 1) - 1
        train[at] = report.loss if report.updates else np.nan
        if report.held_out is not None:
            held[at] = report.held_out
    if reports:
        train[0] = train[0] if np.isfinite(train[0]) else reports[0].held_out or np.nan
    curves = []
    for name, values, marker, colour in (
        ("training loss", train, "·", plot.BLUE),
        ("held-out loss", held, "o", plot.GREEN),
    ):
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.log10(_held(values))
        curves.append(plot.Curve(name, logs, marker, colour, short=name.split()[0]))
    with np.errstate(divide="ignore"):
        base = np.full(steps, math.log10(baseline) if baseline > 0 else np.nan)
    curves.append(plot.Curve(f"baseline {number(baseline)}", base, "-", plot.RED, short="baseline"))
    return PlotSpec(
        ("loss", steps, len(reports)),
        tuple(curves),
        steps,
        "log10 of the loss over the updates",
        "log10 loss",
        ("Update", "log10 of the loss"),
    )


def _held(values: np.ndarray) -> np.ndarray:
    """Each value held until the next one (the loss between two reports)."""
    known = np.flatnonzero(np.isfinite(values))
    if not len(known):
        return values
    index = np.maximum.accumulate(np.where(np.isfinite(values), np.arange(len(values)), -1))
    out = values[np.maximum(index, 0)]
    out[: known[0]] = np.nan
    return out


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise TrainingError(f"{what}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise TrainingError(f"{what}: {text} is not a finite number")
    return value


def _whole(text: str, what: str, low: int, high: int) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise TrainingError(f"{what}: {text.strip()!r} is not a whole number") from None
    if not low <= value <= high:
        raise TrainingError(f"{what}: {value} is outside {low}..{high}")
    return value


class TrainingScreen(Screen["Trained | None"]):
    KEYS = TRAINING
    BINDINGS = bindings(TRAINING)

    frame: reactive[LossPicture | None] = reactive(None, always_update=True, repaint=False)

    def __init__(self, kind: str = "lstm", hidden_size: int = DEFAULT_HIDDEN) -> None:
        super().__init__()
        self._kind = kind
        self._hidden = hidden_size
        self._runs: dict[str, Run] = {}
        self._config: TrainConfig | None = None
        self._timer: Timer | None = None
        self._stopping = False
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def compose(self) -> ComposeResult:
        yield Static(" Train a cell on a task ", id="training-title")
        with Horizontal(classes="training-row"):
            yield Label("Task ")
            yield Select(
                [(name, name) for name in TASKS],
                value=DEFAULTS["task"],
                allow_blank=False,
                compact=True,
                id="task",
            )
            yield Label(" Cell ")
            yield Select(
                [(CELLS[kind].title, kind) for kind in CELLS],
                value=self._kind if self._kind in CELLS else "lstm",
                allow_blank=False,
                compact=True,
                id="cell",
            )
            yield Label(" Size H ")
            hidden = max(self._hidden, DEFAULT_HIDDEN)
            yield Input(str(hidden), type="integer", compact=True, id="hidden")
            yield Label(" Length T ")
            yield Input(DEFAULTS["length"], type="integer", compact=True, id="length")
        with Horizontal(classes="training-row"):
            yield Label("Seconds ")
            yield Input(DEFAULTS["seconds"], compact=True, id="seconds")
            yield Label(" or updates ")
            yield Input(DEFAULTS["updates"], type="integer", compact=True, id="updates")
            yield Label(" Seed ")
            yield Input(DEFAULTS["seed"], type="integer", compact=True, id="seed")
            yield Label(" Forget bias ")
            yield Input(DEFAULTS["forget"], placeholder="auto", compact=True, id="forget")
        with Horizontal(classes="training-row"):
            yield Checkbox(_beside(False), compact=True, id="companion")
            yield Label("  ")
            yield Button("Train (ctrl+r)", compact=True, id="start")
        yield Label("", id="task-about", markup=False)
        yield Label("", id="training-status", markup=False)
        yield TrajectoryPlot(id="loss-plot")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(TrajectoryPlot).border_title = "Loss (log10), once a run starts"
        self._about()
        self._say("ctrl+r (or the Train button) starts; escape stops a run, or goes back")

    # -- the settings ----------------------------------------------------------------------
    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.checkbox.label = _beside(event.value)  # says yes or no: readable without colour

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "task":
            self._about()

    def _about(self) -> None:
        task = TASKS[str(self.query_one("#task", Select).value)]
        self.query_one("#task-about", Label).update(f"{task.name}: {task.about}")

    def config(self) -> TrainConfig:
        """The settings as a run's config; TrainingError (one line) for a bad one."""
        value = {
            name: self.query_one(f"#{name}", Input).value for name in DEFAULTS if name != "task"
        }
        seconds = value["seconds"].strip()
        updates = value["updates"].strip()
        time_limit = _number(seconds, "seconds") if seconds else None
        if time_limit is not None and not 0 < time_limit <= 3600:
            raise TrainingError(f"seconds: {seconds} is outside (0, 3600]")
        if time_limit is None and not updates:
            raise TrainingError("give a budget: seconds, or a number of updates")
        forget = value["forget"].strip()
        config = TrainConfig(
            task=str(self.query_one("#task", Select).value),
            cell=str(self.query_one("#cell", Select).value),
            hidden_size=_whole(self.query_one("#hidden", Input).value, "hidden size", 1, 256),
            length=_whole(value["length"], "length T", 1, 100_000),
            seed=_whole(value["seed"], "seed", 0, 2**32 - 1),
            updates=_whole(updates, "updates", 1, 10**7) if updates else None,
            time_limit=time_limit,
            forget_bias=_number(forget, "forget bias") if forget else None,
        )
        config.check()
        return config

    # -- running ---------------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            self.action_start()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_start()

    def action_start(self) -> None:
        if self._runs:
            self._say("a run is going: escape stops it")
            self.app.bell()
            return
        try:
            config = self.config()
        except TrainingError as exc:
            self._say(str(exc), refused=True)
            self.app.bell()
            return
        self._folder = tempfile.TemporaryDirectory(prefix="lstm-stepper-")
        folder = Path(self._folder.name)
        kinds = [config.cell]
        if self.query_one("#companion", Checkbox).value and config.cell != COMPANION:
            kinds.append(COMPANION)
        try:
            # Textual holds sys.stderr while it runs, with no file descriptor (-1), which
            # multiprocessing's resource tracker would hand on to its own child: the
            # real one, for the moment the processes start.
            with contextlib.redirect_stderr(sys.__stderr__):
                for kind in kinds:
                    run_config = config if kind == config.cell else _as(config, kind)
                    path = folder / f"{kind}.npz"
                    self._runs[CELLS[kind].title] = Run(TrainingProcess(run_config, path), path)
        except (OSError, TrainingError) as exc:
            self._end_runs()
            self._say(f"training did not start: {exc}", refused=True)
            return
        self._config = config
        self._stopping = False
        for widget in self.query(".training-row *"):
            widget.disabled = True
        self.query_one(TrajectoryPlot).border_title = ""
        self._say(f"training {', '.join(self._runs)} on {config.task}: escape stops")
        self._timer = self.set_interval(POLL, self._poll)

    def _poll(self) -> None:
        if not self._runs:
            return
        for run in self._runs.values():
            run.reports += run.process.poll()
        self._show_progress()
        if all(run.process.done for run in self._runs.values()):
            self._finished()

    def _show_progress(self) -> None:
        first = next(iter(self._runs.values()))
        if not first.reports:
            return
        last = first.reports[-1]
        rate = last.updates / last.seconds if last.seconds > 0 else 0.0
        budget = self._config.time_limit if self._config is not None else None
        others = "".join(  # the RNN beside it: its best only (its updates run at its pace)
            f" · {title.split()[0]} best {number(run.reports[-1].best)}"
            for title, run in list(self._runs.items())[1:]
            if run.reports
        )
        self._say(
            f"{'stopping · ' if self._stopping else ''}{last.updates:,} updates · "
            f"{rate:,.0f}/s · {last.seconds:.1f}{f'/{budget:g}' if budget else ''} s · "
            f"loss {number(last.loss)} · best {number(last.best)}{others}"
        )
        self.frame = LossPicture(loss_curves(first.reports, last.baseline))

    def _finished(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        first_title, first = next(iter(self._runs.items()))
        outcome = first.process.result()
        companion = next(
            (
                run.path
                for title, run in self._runs.items()
                if title != first_title and isinstance(run.process.result(), dict)
            ),
            None,
        )
        config = self._config
        self._end_runs()
        for widget in self.query(".training-row *"):
            widget.disabled = False
        if not isinstance(outcome, dict) or config is None:
            self._say(f"training failed: {outcome}", refused=True)
            return
        self.dismiss(Trained(config, first.path, outcome, companion))

    def action_stop(self) -> None:
        """Escape: stop the run (the best weights so far are saved and open), or go back."""
        if not self._runs:
            self.dismiss(None)
            return
        if self._stopping:
            return
        self._stopping = True
        for run in self._runs.values():
            run.process.cancel()
        self._say("stopping: the best weights so far are being saved")

    def _end_runs(self) -> None:
        for run in self._runs.values():
            if not run.process.done:
                run.process.close(timeout=2)
        self._runs = {}

    def on_unmount(self) -> None:
        """Closed (the app quits): no child goes on training unseen."""
        if self._timer is not None:
            self._timer.stop()
        self._end_runs()

    def _say(self, text: str, refused: bool = False) -> None:
        status = self.query_one("#training-status", Label)
        status.update(text)
        status.set_class(refused, "-refused")


def _beside(on: bool) -> str:
    return f"train a tanh RNN beside it, for g: {'yes' if on else 'no'}"


def _as(config: TrainConfig, kind: str) -> TrainConfig:
    """The same run for another kind of cell."""
    return replace(config, cell=kind, forget_bias=None)
