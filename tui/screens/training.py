"""The training screen (t): pick a task, a cell, its size and the sequence length, train
it with a live loss curve, and open the trained cell on an example of the task.

Training runs in a child process (``lstm_engine.training.TrainingProcess``): NumPy on
small arrays holds the GIL, so a thread would freeze the screen. A timer polls the
process's progress reports; the curve shows the training batches' loss, the held-out
loss and the task's baseline (the trivial predictor's loss) on a log scale over the
updates. Escape stops the run: the child keeps the best weights so far (on the held-out
set) and saves them, as it does at the end of the budget. Either way the screen closes
with the files it wrote (``Trained``), and the app opens the trained cell in the main
screen. The trained cell and its readout are kept in a file of the current folder
(``keep``: a name that says what it is, never an existing file's), which the header
names: a model trained for a minute is not lost when the dashboard shows another cell.
A tanh RNN of the same size trains beside the cell by default (a second process, the
same task, budget and seed), so that the gradient-flow view (g) compares two trained
cells; its loss is drawn beside the cell's.

The curve is drawn again at most every REDRAW seconds, and only when new reports came:
a plotext figure costs milliseconds of the same two cores the children train on.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import tempfile
import time
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
from lstm_engine.gradflow import companion_kind
from lstm_engine.numbers import number
from lstm_engine.stepper import PlotSpec
from lstm_engine.tasks import MAX_LENGTH, MIN_LENGTH, TASKS
from lstm_engine.training import Progress, TrainConfig, TrainingError, TrainingProcess

from ..keys import TRAINING, bindings
from ..screenshot import take_screenshot
from ..widgets import TrajectoryPlot

#: Seconds between two looks at the children's progress reports.
POLL = 0.1
#: The fewest seconds between two drawings of the loss curve.
REDRAW = 0.4
#: The settings the screen opens with the first time (the cell's kind and size come from
#: the dashboard); later it opens with the last ones used (``TrainingScreen.remembered``).
DEFAULTS = {
    "task": "adding",
    "length": "100",
    "seconds": "30",
    "updates": "",
    "seed": "0",
    "forget": "",
}
#: The text fields, by id, and what their errors call them.
FIELDS = {
    "hidden": "hidden size",
    "length": "length T",
    "seconds": "seconds",
    "updates": "updates",
    "seed": "seed",
    "forget": "forget bias",
}
#: The hidden size the screen offers (unless the dashboard's cell has more units).
DEFAULT_HIDDEN = 8
#: How the loss plot draws each run: (training loss, held-out loss) as (marker, colour).
LOOKS = (
    (("·", plot.BLUE), ("o", plot.GREEN)),
    (("+", plot.YELLOW), ("*", plot.CYAN)),
)

#: The help screen's words on the panels of this screen.
HELP_PANELS = (
    (
        "Settings",
        "the task (its description and trivial baseline show below), the cell, its hidden "
        "size H, the sequence length T, a budget in seconds or in updates (one of them), "
        "the seed and the forget-gate bias (blank: the kind's own). tab and shift+tab move "
        "between the fields; Enter in a field, ctrl+r or the button starts. A bad setting "
        "says why (✗) and starts nothing. The settings are kept until the app quits.",
    ),
    (
        "RNN beside it",
        "[X] trains a tanh RNN of the same size on the same task, budget and seed at the "
        "same time, so that the gradient view (g) compares two trained cells; [ ] does not "
        "(g then shows an untrained RNN).",
    ),
    (
        "Progress",
        "updates, updates/s, seconds against the budget, the last training batch's loss "
        "and the best held-out loss; then the RNN's.",
    ),
    (
        "Loss plot",
        "log10 of the loss over the updates: each run's training-batch loss (a line) and "
        "held-out loss (a marker every 100 updates), and the task's baseline, the trivial "
        "predictor's loss.",
    ),
    (
        "At the end",
        "when the budget is spent or escape stops the run, the best weights (on the "
        "held-out set) are saved in the current folder as trained-TASK-CELL-hH.npz (-2, "
        "-3, ... beside an earlier one; the home folder if the current one cannot be "
        "written) and open in the main screen on an example of the task.",
    ),
)


@dataclass(frozen=True)
class Trained:
    """What a finished (or stopped) run leaves: the weight files and its report."""

    config: TrainConfig
    path: Path  #: the cell and its readout, kept (``keep``)
    report: dict[str, Any]
    companion: Path | None = None  #: the RNN trained beside it, if it finished too
    saved: str = ""  #: where the cell was kept, in words, for the status line


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


def loss_curves(runs: dict[str, list[Progress]], baseline: float) -> PlotSpec:
    """log10 of the loss over updates 1..n for each run (by its cell's title, the first
    the cell's): the training batches' loss at each report, joined by a line, and the
    held-out loss at each evaluation, markers only; the baseline as a line."""
    steps = max((r[-1].updates for r in runs.values() if r), default=0)
    steps = max(steps, 1)
    curves = []
    for (title, reports), looks in zip(runs.items(), LOOKS, strict=False):
        train, held = np.full(steps, np.nan), np.full(steps, np.nan)
        for report in reports:  # the first one is the evaluation before any update
            at = max(report.updates, 1) - 1
            if report.updates:
                train[at] = report.loss
            if report.held_out is not None:
                held[at] = report.held_out
        who = "" if len(runs) == 1 else f"{title.split()[0]} "
        for what, values, (marker, colour), line in (
            ("training loss", train, looks[0], True),
            ("held-out loss", held, looks[1], False),
        ):
            with np.errstate(divide="ignore", invalid="ignore"):
                logs = np.log10(values)
            short = f"{who}{what.split()[0]}"
            curves.append(plot.Curve(who + what, logs, marker, colour, line=line, short=short))
    with np.errstate(divide="ignore"):
        base = np.full(steps, math.log10(baseline) if baseline > 0 else np.nan)
    curves.append(plot.Curve(f"baseline {number(baseline)}", base, "-", plot.RED, short="baseline"))
    return PlotSpec(
        ("loss", steps, sum(len(r) for r in runs.values())),
        tuple(curves),
        steps,
        "log10 of the loss over the updates",
        "log10 loss",
        ("Update", "log10 of the loss"),
    )


def kept_name(config: TrainConfig) -> str:
    """The file name a run's model is kept under, before any -2: what it is."""
    return f"trained-{config.task}-{config.cell}-h{config.hidden_size}"


def keep(source: Path, stem: str) -> tuple[Path, str]:
    """Copy a run's weight file to ``STEM.npz`` in the current folder, or ``STEM-2.npz``,
    ``-3``, ... beside files of those names (none is ever replaced: the name is taken
    with an exclusive create); to the home folder where the current one cannot be
    written. Returns the path and, if it is not the current folder, why (else "").
    OSError if neither folder takes it."""
    data = source.read_bytes()
    why = ""
    try:
        folders = [Path(os.getcwd())]
    except OSError as exc:  # the working folder was removed
        folders, why = [], f"the current folder is gone ({exc.strerror})"
    folders.append(Path.home())
    for folder in folders:
        try:
            return _new_file(folder, stem, data), why
        except OSError as exc:
            why = why or f"the current folder cannot be written ({exc.strerror or exc})"
            failure = exc
    raise failure


def _new_file(folder: Path, stem: str, data: bytes) -> Path:
    for k in range(1, 10_000):
        path = folder / (f"{stem}.npz" if k == 1 else f"{stem}-{k}.npz")
        try:
            handle = open(path, "xb")  # noqa: SIM115 (closed below, removed if not whole)
        except FileExistsError:
            continue
        try:
            with handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError:
            path.unlink(missing_ok=True)
            raise
        return path
    raise FileExistsError(f"{folder / stem}-*.npz: every name is taken")


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


#: Keys of this screen that no field takes as text (no setting has them): ?, s, q.
NOT_TYPED = frozenset(key for k in TRAINING if k.priority for key in k.keys.split(","))


class NumberField(Input):
    """A setting's field. The screen's keys that no setting has in it (``NOT_TYPED``) are
    left to the screen, as everywhere else: Textual keeps a focused field's printable
    keys from the screen's (priority) bindings, unless the field says it would not take
    them."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return key not in NOT_TYPED and super().check_consume_key(key, character)


class RnnBox(Checkbox):
    """The "RNN beside it" checkbox (an LSTM beside an RNN), empty when off: Textual draws
    an X in both states (only the colour differs), which reads as ticked without colour."""

    kind = "lstm"  #: the cell's kind: the box names what trains beside it

    def watch_value(self) -> None:
        self._show()
        super().watch_value()

    def on_mount(self) -> None:
        self._show()

    def show_for(self, kind: str) -> None:
        self.kind = kind
        self._show()

    def _show(self) -> None:
        self.BUTTON_INNER = "X" if self.value else " "
        self.label = _beside(self.value, self.kind)  # says yes or no too


class LossPlot(TrajectoryPlot):
    """The loss curves. The held-out losses are points every 100 updates: the steps
    between them are not "left out", as the title would otherwise count them."""

    COUNTS_GAPS = False


class TrainingScreen(Screen["Trained | None"]):
    KEYS = TRAINING
    BINDINGS = bindings(TRAINING)
    HELP_PANELS = HELP_PANELS

    frame: reactive[LossPicture | None] = reactive(None, always_update=True, repaint=False)

    def __init__(
        self,
        kind: str = "lstm",
        hidden_size: int = DEFAULT_HIDDEN,
        remembered: dict[str, str] | None = None,
    ) -> None:
        """``remembered``: the app's record of the last settings (read, and written on
        the way out); empty the first time."""
        super().__init__()
        self.remembered = {} if remembered is None else remembered
        self._start = {
            **DEFAULTS,
            "cell": kind if kind in CELLS else "lstm",
            "hidden": str(max(hidden_size, DEFAULT_HIDDEN)),
            "companion": "yes",
            **self.remembered,
        }
        self._runs: dict[str, Run] = {}
        self._config: TrainConfig | None = None
        self._timer: Timer | None = None
        self._stopping = False
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._drawn_at = 0.0  #: when the curve was last drawn (time.monotonic)
        self._new_reports = False  #: reports came since

    def compose(self) -> ComposeResult:
        start = self._start
        yield Static(" Train a cell on a task ", id="training-title")
        with Horizontal(classes="training-row"):
            yield Label("Task ")
            yield Select(
                [(name, name) for name in TASKS],
                value=start["task"] if start["task"] in TASKS else DEFAULTS["task"],
                allow_blank=False,
                compact=True,
                id="task",
            )
            yield Label(" Cell ")
            yield Select(
                [(CELLS[kind].title, kind) for kind in CELLS],
                value=start["cell"],
                allow_blank=False,
                compact=True,
                id="cell",
            )
            yield Label(" Size H ")
            yield NumberField(start["hidden"], compact=True, id="hidden")
            yield Label(" Length T ")
            yield NumberField(start["length"], compact=True, id="length")
        with Horizontal(classes="training-row"):
            yield Label("Seconds ")
            yield NumberField(start["seconds"], compact=True, id="seconds")
            yield Label(" or updates ")
            yield NumberField(start["updates"], compact=True, id="updates")
            yield Label(" Seed ")
            yield NumberField(start["seed"], compact=True, id="seed")
            yield Label(" Forget bias ")
            yield NumberField(start["forget"], placeholder="auto", compact=True, id="forget")
        with Horizontal(classes="training-row"):
            beside = start["companion"] == "yes"
            box = RnnBox(_beside(beside, start["cell"]), beside, compact=True, id="companion")
            box.kind = start["cell"]
            yield box
            yield Label("  ")
            yield Button("Train (ctrl+r)", compact=True, id="start")
        yield Label("", id="task-about", markup=False)
        yield Label("", id="training-status", markup=False)
        yield LossPlot(id="loss-plot")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(TrajectoryPlot).border_title = "Loss (log10), once a run starts"
        self._about()
        self._say("ctrl+r (or the Train button) starts; escape stops a run, or goes back")

    # -- the settings ----------------------------------------------------------------------
    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "task":
            self._about()
        else:  # the box names the kind the gradient view draws beside this one
            self.query_one(RnnBox).show_for(str(event.value))

    def _about(self) -> None:
        task = TASKS[str(self.query_one("#task", Select).value)]
        self.query_one("#task-about", Label).update(f"{task.name}: {task.about}")

    def settings(self) -> dict[str, str]:
        """The settings as typed (what ``remembered`` keeps)."""
        values = {name: self.query_one(f"#{name}", Input).value for name in FIELDS}
        values["task"] = str(self.query_one("#task", Select).value)
        values["cell"] = str(self.query_one("#cell", Select).value)
        values["companion"] = "yes" if self.query_one(RnnBox).value else "no"
        return values

    def config(self) -> TrainConfig:
        """The settings as a run's config; TrainingError (one line) for a bad one."""
        value = {name: text.strip() for name, text in self.settings().items()}
        seconds, updates = value["seconds"], value["updates"]
        if seconds and updates:  # as the CLI: --time-limit or --updates, not both
            raise TrainingError("give one budget: seconds or updates, not both")
        if not seconds and not updates:
            raise TrainingError("give a budget: seconds, or a number of updates")
        time_limit = _number(seconds, "seconds") if seconds else None
        if time_limit is not None and not 0 < time_limit <= 3600:
            raise TrainingError(f"seconds: {seconds} is outside (0, 3600]")
        forget = value["forget"]
        config = TrainConfig(
            task=value["task"],
            cell=value["cell"],
            hidden_size=_whole(value["hidden"], FIELDS["hidden"], 1, 256),
            length=_whole(value["length"], FIELDS["length"], MIN_LENGTH, MAX_LENGTH),
            seed=_whole(value["seed"], FIELDS["seed"], 0, 2**32 - 1),
            updates=_whole(updates, FIELDS["updates"], 1, 10**7) if updates else None,
            time_limit=time_limit,
            forget_bias=_number(forget, FIELDS["forget"]) if forget else None,
        )
        config.check()
        return config

    def _remember(self) -> None:
        self.remembered.update(self.settings())

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
        self._remember()
        try:
            config = self.config()
        except TrainingError as exc:
            self._say(f"✗ {exc}", refused=True)
            self.app.bell()
            return
        self._folder = tempfile.TemporaryDirectory(prefix="lstm-stepper-")
        folder = Path(self._folder.name)
        kinds = [config.cell]
        if self.query_one(RnnBox).value:
            kinds.append(companion_kind(config.cell))
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
            self._say(f"✗ training did not start: {exc}", refused=True)
            return
        self._config = config
        self._stopping = False
        self._drawn_at, self._new_reports = 0.0, False
        for widget in self.query(".training-row *"):
            widget.disabled = True
        self.query_one(TrajectoryPlot).border_title = ""
        self._say(f"training {', '.join(self._runs)} on {config.task}: escape stops")
        self._timer = self.set_interval(POLL, self._poll)

    def _poll(self) -> None:
        if not self._runs:
            return
        came = False
        for run in self._runs.values():
            new = run.process.poll()
            run.reports += new
            came = came or bool(new)
        self._new_reports = self._new_reports or came
        if came or self._new_reports:
            self._show_progress()
        if all(run.process.done for run in self._runs.values()):
            self._finished()

    def _show_progress(self) -> None:
        """The status line when new reports came; the curve too, at most every REDRAW
        seconds (the reports that came meanwhile are drawn the next time)."""
        first = next(iter(self._runs.values()))
        if not first.reports:
            return
        budget = self._config.time_limit if self._config is not None else None
        parts = []
        for k, (title, run) in enumerate(self._runs.items()):
            if not run.reports:
                continue
            last = run.reports[-1]
            if k == 0:
                rate = last.updates / last.seconds if last.seconds > 0 else 0.0
                parts.append(
                    f"{title.split()[0]} {last.updates:,} updates · {rate:,.0f}/s · "
                    f"{last.seconds:.1f}{f'/{budget:g}' if budget else ''} s · "
                    f"loss {number(last.loss)} · best {number(last.best)}"
                )
            else:  # the RNN beside it runs at its own pace
                name = title.split()[0]
                parts.append(f"{name} {last.updates:,} updates · best {number(last.best)}")
        self._say(("stopping · " if self._stopping else "") + "  │  ".join(parts))
        now = time.monotonic()
        if self._new_reports and now - self._drawn_at >= REDRAW:
            self._drawn_at, self._new_reports = now, False
            reports = {title: run.reports for title, run in self._runs.items()}
            self.frame = LossPicture(loss_curves(reports, first.reports[-1].baseline))

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
            self._say(f"✗ training failed: {outcome}", refused=True)
            return
        try:
            path, why = keep(first.path, kept_name(config))
        except OSError as exc:  # nowhere to keep it: it opens from the temporary file
            path = first.path
            saved = f"✗ not saved ({exc.strerror or exc}): it is only in this session"
        else:
            saved = f"the trained {first_title} is saved in {path}" + (f" ({why})" if why else "")
        self.dismiss(Trained(config, path, outcome, companion, saved))

    def action_stop(self) -> None:
        """Escape: stop the run (the best weights so far are saved and open), or go back."""
        if not self._runs:
            self._remember()
            self.dismiss(None)
            return
        if self._stopping:
            return
        self._stopping = True
        for run in self._runs.values():
            run.process.cancel()
        self._say("stopping: the best weights so far are being saved")

    def action_screenshot(self) -> None:
        take_screenshot(self, self._say)  # a run's next report takes the line back

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


def _beside(on: bool, kind: str = "lstm") -> str:
    other = CELLS[companion_kind(kind)].title.split(" (")[0]
    article = "a tanh" if other == "RNN" else "an"
    return f"train {article} {other} beside it, for g: {'yes' if on else 'no'}"


def _as(config: TrainConfig, kind: str) -> TrainConfig:
    """The same run for another kind of cell."""
    return replace(config, cell=kind, forget_bias=None)
