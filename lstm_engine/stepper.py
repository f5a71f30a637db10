"""The stepping controller: what every screen steps through, without any UI.

A ``Stepper`` owns the session (two in compare mode: one per *lane*, stepping together
on the same inputs), the selected unit, what the plot shows, automatic play, a revision
number that every change bumps, and the status line. Each action (``step``, ``back``,
``reset``, ``seek``, ``end``, ``select_unit``, ``switch_cell``, ``set_inputs``,
``set_weight``, ``set_input``, ``load_weights``, ``compare``, ...) returns a new
immutable ``Frame``: the plain data a screen draws (nudge mode's changes, ``nudge_job``,
are a weight's or an input's, made by ``lstm_engine.nudge``). The main screen, compare
mode and (later) the lesson player and the frame exporter all render frames; none of
them steps a session itself.

A trained cell opened on an example of its task (``open_example_job``, ``open_model_job``)
makes the frames carry its readout's prediction and the target (``Frame.reading``); the
gradient flow of the sequence (``flow_job``, ``lstm_engine.gradflow``) is carried too,
until the cell or the inputs change (``Frame.flows``, ``Frame.flow_plot``). Switching
away from a trained cell (``switch_cell``) keeps it, and switching round to its kind
brings it back with its readout: a trained model is never dropped by c.

An action that cannot be carried out (a step at the end of the sequence) changes
nothing and returns a frame whose ``refused`` is set and whose status says why. Bad
input (inputs that do not parse, weights that do not fit) raises a ValueError naming the
problem, before anything is changed.

Frames are cheap: a step's record is computed once, by the session, and shared; the
plotted series are read-only views of the session's history (valid until the next
change, which makes a new frame anyway), and derived series such as the norm of the
mLSTM's memory are extended step by step, not recomputed.
"""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from . import gradflow, jobs, nudge, plot, trace
from .cells import CELLS, Cell
from .cells.base import Array, Record
from .cells.weights import WeightsError
from .equations import symbols
from .files import load, load_model, save, save_model
from .gradflow import Flow
from .inputs import check_inputs
from .jobs import Job, grow
from .numbers import plain
from .readout import Model, Readout
from .session import Session, SessionError, StepOverflow
from .share import with_shared_weights
from .tasks import Objective, task_named
from .writing import atomic_writer, check_target

#: Steps per second of automatic play, slowest to fastest.
SPEEDS = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)
#: Seed of the weights a switched-to cell gets when the session has none.
DEFAULT_SEED = 42
#: How the status starts at the end of the sequence (what to type to add a step follows).
END = "end: "
#: The gradient-flow view sweeps back over at most this many steps (from the state the
#: history holds before them): a 10,000-step sweep of a small cell takes ~0.5 s.
FLOW_WINDOW = 10_000


@dataclass(frozen=True)
class Example:
    """A trained cell's readout and the task example it is shown on: the readout's
    prediction y = W h_t + b is shown against the target."""

    task: str  #: the task's name: "adding"
    readout: Readout  #: the trained readout (``lstm_engine.readout.Readout``)
    objective: Objective  #: "mse", or "xent": the prediction is a class (the largest y)
    every_step: bool  #: a target at every step (else at the last one)
    #: (O,) or a class (): the last step's; (T, O) or (T,): every step's. None once the
    #: inputs changed (the readout still predicts; there is nothing to compare with).
    target: npt.NDArray[np.generic] | None
    companion: tuple[Cell, Readout | None] | None = None  #: the RNN trained beside it


@dataclass(frozen=True)
class Reading:
    """What the readout says at the current step, and the target it is compared with."""

    task: str
    #: y at this step (None at t = 0); for "xent" the class probabilities softmax(y)
    prediction: Array | None
    target: npt.NDArray[np.generic] | None  #: this step's target, or the last step's
    at_end_only: bool  #: the target belongs to the last step (a last-step task)
    objective: str


@dataclass(frozen=True)
class Lane:
    """One cell of a frame: its record at this step and what the header says of it."""

    cell: Cell
    record: Record | None  #: the current step's record (None at t = 0)
    origin: str  #: where its weights came from: "seed 42", "weights w.npz (edited)"
    shared: str = ""  #: compare mode: what the second cell took from the first

    @property
    def previous(self) -> dict[str, Array] | None:
        """The state before the current step (None at t = 0)."""
        if self.record is None:
            return None
        return {s.name: getattr(self.record, f"{s.name}_prev") for s in self.cell.states}


@dataclass(frozen=True)
class PlotSpec:
    """What the plot draws: curves over steps 1..steps. ``key`` changes exactly when the
    picture's content does, so a view can keep a drawn figure until it changes."""

    key: tuple[object, ...]
    curves: tuple[plot.Curve, ...]
    steps: int
    title: str
    short_title: str  #: for narrow plots: "h, c · unit 0"
    axes: tuple[str, str] = (plot.X_LABEL, plot.Y_LABEL)  #: the x and y axes' labels
    #: ◆ also where lines run together (``plot.draw``'s ``meet_lines``): curves that
    #: often coincide, as a cell's two gradient norms
    meet_lines: bool = False


@dataclass(frozen=True)
class Frame:
    revision: int  #: bumps on every change
    t: int  #: steps taken (0 before the first)
    length: int  #: steps in the sequence
    computed: int  #: steps in the history (the plot reaches this far)
    inputs: Array  #: the sequence, (T, I), read-only
    unit: int  #: the selected hidden unit
    lanes: tuple[Lane, ...]  #: one cell, or two in compare mode
    status: str  #: the status line
    refused: bool  #: the last action could not be done (the status says why)
    playing: bool
    speed: float  #: steps per second of automatic play
    all_units: str | None  #: the series shown for every unit, or None: the selected unit's
    show_x: bool  #: the input is drawn on the plot
    plot: PlotSpec
    content: int = field(default=0)  #: bumps when a cell or the inputs change
    input_names: tuple[str, ...] | None = None  #: the inputs' names (a CSV's header), if any
    reading: Reading | None = None  #: a trained readout's prediction and the target
    #: the gradient flow of this content (the cell, then its companion), once computed
    flows: tuple[Flow, ...] | None = None
    flow_plot: PlotSpec | None = None  #: the flows' norms over t, log scale
    #: the equation being read (an index into the cell's equations, ``[`` and ``]``): the
    #: equations panel marks its line and the cell diagram highlights its part
    equation: int = 0

    @property
    def cell(self) -> Cell:
        return self.lanes[0].cell

    @property
    def record(self) -> Record | None:
        return self.lanes[0].record

    @property
    def hidden_size(self) -> int:
        return self.lanes[0].cell.hidden_size

    @property
    def at_end(self) -> bool:
        return self.t == self.length

    @property
    def comparing(self) -> bool:
        return len(self.lanes) > 1


class _Lane:
    """A session of the stepper, with the derived series it keeps up to date."""

    def __init__(self, session: Session, shared: str = "") -> None:
        self.session = session
        self.shared = shared
        self._norms: dict[str, Array] = {}  #: "|C|" -> norms of the steps computed so far

    def changed(self) -> None:
        self._norms.clear()

    def series(self, upto: int) -> dict[str, Array]:
        """The cell's plotted series of steps 1..upto; matrix norms extended as needed."""
        session = self.session
        out = {}
        for name in session.cell.plotted:
            if name.startswith("|"):
                done = self._norms.get(name, np.zeros(0))
                if len(done) < upto:
                    more = plot.matrix_norm(session.series(name[1:-1], upto=upto)[len(done) :])
                    done = self._norms[name] = np.concatenate([done, more])
                out[name] = done[:upto, None]
            else:
                out[name] = session.series(name, upto=upto)
        return out


class Stepper:
    """Steps one session, or two in compare mode; every action returns a ``Frame``."""

    def __init__(self, session: Session, example: Example | None = None) -> None:
        self._lanes = [_Lane(session)]
        self._example = example
        self._flows: tuple[int, tuple[Flow, ...]] | None = None  #: (content, flows)
        #: A trained cell (with its origin and example) that c switched away from: c
        #: brings it back when it comes round to its kind again.
        self._trained: tuple[Cell, str, Example] | None = None
        self._unit = 0
        self._revision = 0
        self._content = 0
        self._message = ""
        self._refused = False
        self._playing = False
        self._speed = 2  # index into SPEEDS
        self._all_units: str | None = None
        self._show_x = False
        self._equation = 0
        self._message = "; ".join(session.notes)  # a skipped header line, say
        self._frame = self._make_frame()

    # -- reading ---------------------------------------------------------------------
    @property
    def frame(self) -> Frame:
        """The latest frame."""
        return self._frame

    @property
    def session(self) -> Session:
        """The first (or only) lane's session."""
        return self._lanes[0].session

    def sessions(self) -> list[Session]:
        return [lane.session for lane in self._lanes]

    # -- moving ----------------------------------------------------------------------
    def step(self) -> Frame:
        if self.session.at_end:
            return self._refuse(f"end of the sequence: {self._what_to_type()} to add a step")
        overflow = self._step_all()
        if overflow is not None:
            return self._refuse(f"{overflow}: the step is not taken")
        return self._publish()

    def _step_all(self) -> StepOverflow | None:
        """Step every lane; if one overflows, those stepped go back (the lanes stay
        together) and the overflow is returned."""
        stepped: list[Session] = []
        try:
            for lane in self._lanes:
                lane.session.step()
                stepped.append(lane.session)
        except StepOverflow as exc:
            for session in stepped:
                session.back()
            return exc
        return None

    def back(self) -> Frame:
        if self.session.t == 0:
            return self._refuse("already at the start (t = 0)")
        for lane in self._lanes:
            lane.session.back()
        return self._publish()

    def reset(self) -> Frame:
        for lane in self._lanes:
            lane.session.reset()
        return self._publish()

    def seek(self, t: int) -> Frame:
        """Go to step ``t`` (computing what it takes at once: ``seek_job`` goes in chunks)."""
        return self.seek_job(t).run()

    def end(self) -> Frame:
        return self.end_job().run()

    def end_job(self) -> Job:
        """Run to the end of the sequence, a chunk at a time."""
        return self.seek_job(self.session.length, "Running to the end")

    def seek_job(self, t: int, title: str = "") -> Job:
        """Go to step ``t``; what is not yet computed is computed a chunk at a time. An
        overflow on the way stops at the step before it, and the status says so; so does
        a cancel, which stops at the step reached."""
        if not 0 <= t <= self.session.length:
            raise SessionError(f"step {t} is outside 0..{self.session.length}")
        sessions = self.sessions()
        todo = sum(max(0, t - s.computed) for s in sessions)

        def reached() -> int:
            return min(t, *(s.computed for s in sessions))

        def work() -> Generator[int, None, Frame]:
            stops = []
            for session in sessions:
                stop = yield from grow(session, t)
                if stop is not None:
                    stops.append(stop)
            where = reached()
            for session in sessions:
                session.seek(where)
            if stops:
                first = min(stops, key=lambda e: e.step)
                return self._refuse(f"{first}: stopped at step {where}")
            return self._publish()

        def cancelled() -> Frame:
            where = reached()
            for session in sessions:
                session.seek(where)
            return self._publish(f"stopped at step {where} (cancelled)")

        return Job(title or f"Going to step {t}", todo, work(), cancelled)

    # -- automatic play -----------------------------------------------------------------
    def play(self) -> Frame:
        """Start automatic play (from the start if at the end), or pause it."""
        if self._playing:
            return self.pause()
        again = self.session.at_end
        if again:
            for lane in self._lanes:
                lane.session.reset()
        self._playing = True
        return self._publish("playing from the start" if again else "")

    def pause(self) -> Frame:
        was = self._playing
        self._playing = False
        return self._publish("paused" if was else "")

    def tick(self) -> Frame:
        """One step of automatic play; play stops at the end of the sequence."""
        if not self._playing:
            return self._frame
        if self.session.at_end:
            self._playing = False
            return self._publish("played to the end")
        return self.step()

    def faster(self) -> Frame:
        return self._set_speed(self._speed + 1)

    def slower(self) -> Frame:
        return self._set_speed(self._speed - 1)

    def _set_speed(self, index: int) -> Frame:
        self._speed = min(max(index, 0), len(SPEEDS) - 1)
        limit = {0: " (the slowest)", len(SPEEDS) - 1: " (the fastest)"}.get(self._speed, "")
        return self._publish(f"speed {SPEEDS[self._speed]:g} step(s) a second{limit}")

    # -- what is shown -------------------------------------------------------------------
    def select_unit(self, unit: int) -> Frame:
        self._unit = unit % self.session.cell.hidden_size
        return self._publish()

    def next_unit(self) -> Frame:
        return self.select_unit(self._unit + 1)

    def previous_unit(self) -> Frame:
        return self.select_unit(self._unit - 1)

    def toggle_all_units(self) -> Frame:
        """Cycle the plot: the selected unit's series, then every unit of each series the
        cell plots per unit (h, then c, ...), then back."""
        cell = self.session.cell
        per_unit = [n for n in cell.plotted if not n.startswith("|")]
        choices: list[str | None] = [None, *per_unit]
        at = choices.index(self._all_units) if self._all_units in choices else 0
        self._all_units = choices[(at + 1) % len(choices)]
        shown = (
            "the selected unit" if self._all_units is None else f"every unit's {self._all_units}"
        )
        return self._publish(f"plot: {shown}")

    def next_equation(self) -> Frame:
        return self.select_equation(self._equation + 1)

    def previous_equation(self) -> Frame:
        return self.select_equation(self._equation - 1)

    def select_equation(self, index: int) -> Frame:
        """Read another equation of the cell (wrapping round): the views highlight it."""
        self._equation = index % len(self.session.cell.equations)
        return self._publish()

    def toggle_x(self) -> Frame:
        self._show_x = not self._show_x
        return self._publish("plot: the input x shown" if self._show_x else "plot: x hidden")

    # -- changing the cell, the weights, the inputs ------------------------------------------
    # Each of these builds the sessions it changes aside, computes their history to the
    # current step a chunk at a time (a Job), and swaps them in when done; the plain
    # method runs its job at once. Bad input raises before the job is made.
    def switch_cell(self, kind: str | None = None, lane: int | None = None) -> Frame:
        return self.switch_cell_job(kind, lane).run()

    def switch_cell_job(self, kind: str | None = None, lane: int | None = None) -> Job:
        """Another kind of cell (the next one, unless named) with its seeded weights, on the
        same inputs and at the same step. In compare mode this changes the second cell
        (unless ``lane`` says otherwise), which takes what it can of the first's weights.

        A trained cell (one with a readout) is not lost: switching away keeps it, and
        switching back to its kind brings it back with its readout."""
        index = (len(self._lanes) - 1) if lane is None else lane
        session = self._lanes[index].session
        if index == 0:
            kind = kind or _next_kind(session.cell.kind)
            trained = self._trained
            if self._example is not None:
                trained = (session.cell, session.origin, self._example)
            if trained is not None and trained[0].kind == kind:
                cell, origin, example = trained
                return self._rebuild(
                    "Switching the cell",
                    f"back to the trained {cell.title}",
                    first=(cell, origin, None),
                    example=example,
                    trained=None,
                )
            seed = DEFAULT_SEED if session.seed is None else session.seed
            cell = CELLS[kind].init(session.cell.input_size, session.cell.hidden_size, seed)
            kept = "" if trained is None else f"; c comes back to the trained {trained[0].title}"
            return self._rebuild(
                "Switching the cell",
                f"switched to {cell.title}, seeded{kept}",
                first=(cell, f"seed {seed}", seed),
                example=None,  # a seeded cell: the trained readout means nothing to it
                trained=trained,
            )
        first = self._lanes[0].session.cell.kind
        kind = kind or _next_kind(session.cell.kind, exclude=(first,))
        return self._rebuild("Switching the cell", "switched to {second}", second=kind)

    def compare(self, kind: str | None = None) -> Frame:
        return self.compare_job(kind).run()

    def compare_job(self, kind: str | None = None) -> Job:
        """Compare mode: a second cell of another kind beside the first, on the same inputs,
        at the same step."""
        first = self.session.cell.kind
        kind = kind or _next_kind(first, exclude=(first,))
        return self._rebuild("Opening compare mode", "comparing with {second}", second=kind)

    def close_compare(self) -> Frame:
        if len(self._lanes) == 1:
            return self._frame
        del self._lanes[1:]
        # The first cell's content did not change: its plot, as it was, can be shown again.
        return self._publish("one cell")

    def set_inputs(self, inputs: npt.ArrayLike, names: Sequence[str] | None = None) -> Frame:
        return self.set_inputs_job(inputs, names).run()

    def set_inputs_job(self, inputs: npt.ArrayLike, names: Sequence[str] | None = None) -> Job:
        """A new input sequence for every lane (``names``: its features', from a CSV
        header); the step stays where it can."""
        rows = check_inputs(inputs, self.session.cell.input_size)
        if names is not None and len(names) != rows.shape[1]:
            raise ValueError(f"{len(names)} name(s) for {rows.shape[1]} input(s) per step")
        return self._rebuild(
            "Changing the inputs",
            f"inputs changed ({len(rows)} step{'s' if len(rows) != 1 else ''})",
            inputs=rows,
            names=tuple(names) if names is not None else None,
        )

    def append_input(self, row: npt.ArrayLike) -> Frame:
        """Live input: add one step to the end of the sequence, and take it if the session
        was at the end. If that step overflows, the input is not added."""
        width = self.session.cell.input_size
        x = check_inputs([list(np.atleast_1d(np.asarray(row, dtype=float)))], width)
        at_end = self.session.at_end
        before = self.session.inputs
        for lane in self._lanes:
            lane.session.append_input(x[0])
        overflow = self._step_all() if at_end else None
        if overflow is not None:
            for lane in self._lanes:
                lane.session.set_inputs(before)
            return self._refuse(f"{overflow}: x = {_plain_row(x[0])} not added")
        if self._example is not None and not self._example.every_step:
            self._example = replace(self._example, target=None)  # it was the old last step's
        self._bump_content()
        return self._publish(f"added x = {_plain_row(x[0])}")

    def set_weight(self, key: str, index: tuple[int, ...], value: float, lane: int = 0) -> Frame:
        return self.set_weight_job(key, index, value, lane).run()

    def set_weight_job(self, key: str, index: tuple[int, ...], value: float, lane: int = 0) -> Job:
        """Change one number of one weight array (validated: a finite number)."""
        session = self._lanes[lane].session
        if key not in session.cell.params:
            raise WeightsError(f"unknown weight {key} for {session.cell.kind}")
        if not np.isfinite(value):
            raise WeightsError(f"{value!r} is not a finite number")
        array = np.array(session.cell.params[key])
        try:
            array[index] = value
        except IndexError:
            raise WeightsError(f"{key} has no element {list(index)}") from None
        cell = session.cell.with_params(**{key: array})
        origin = _edited(session.origin)
        name = f"{key}[{','.join(map(str, index))}]" if index else key
        message = f"{name} = {value:g}"
        if lane == 0:
            return self._rebuild("Changing a weight", message, first=(cell, origin, session.seed))
        return self._rebuild("Changing a weight", message, second=(cell, origin))

    def set_input(self, t: int, column: int, value: float) -> Frame:
        return self.set_input_job(t, column, value).run()

    def set_input_job(self, t: int, column: int, value: float) -> Job:
        """Change one value of the input sequence, x_t[column] (t = 1..length); the
        history is recomputed to the current step, which stays."""
        if not 1 <= t <= self.session.length:
            raise SessionError(f"step {t} is outside 1..{self.session.length}")
        if not 0 <= column < self.session.cell.input_size:
            raise SessionError(f"x has no value {column} (it has {self.session.cell.input_size})")
        target = nudge.input_targets(self.session.cell.input_size, t)[column]
        return self.nudge_job(target, value)

    def nudge_job(self, target: nudge.Target, value: float) -> Job:
        """Set one weight or input value (``lstm_engine.nudge``) of the first cell and
        recompute the history to the current step. If a step on the way overflows, nothing
        changes and the frame says why (``refused``): a nudge is a small change to watch,
        so it is all or nothing. Raises ValueError for a value that is not finite.

        The status line stays as it was: nudge mode's bar shows the value, the header
        "(edited)", the x strip the input; a status at each press would take a row of its
        own on a narrow screen and move every panel."""
        session = self.session
        cell, rows = nudge.apply(target, session.cell, session.inputs, value)
        title = f"Nudging {target.name}"
        if target.is_input:
            return self._rebuild(title, "", inputs=rows, names=session.input_names, strict=True)
        first = (cell, _edited(session.origin), session.seed)
        return self._rebuild(title, "", first=first, strict=True)

    def load_weights(self, path: str | os.PathLike[str], lane: int = 0) -> Frame:
        return self.load_weights_job(path, lane).run()

    def load_weights_job(self, path: str | os.PathLike[str], lane: int = 0) -> Job:
        """Weights from a file (any kind); the inputs must fit its input size."""
        cell = load(path)
        return self.set_cell_job(cell, f"weights {Path(path).name}", lane)

    def set_cell(self, cell: Cell, origin: str, lane: int = 0) -> Frame:
        return self.set_cell_job(cell, origin, lane).run()

    def set_cell_job(self, cell: Cell, origin: str, lane: int = 0) -> Job:
        """Replace a lane's cell (a loaded file, a trained model); nothing changes if the
        inputs do not fit it."""
        session = self._lanes[lane].session
        if cell.input_size != session.cell.input_size:
            raise SessionError(
                f"these weights take {cell.input_size} value(s) per step, the inputs have "
                f"{session.cell.input_size}: open them with their own inputs "
                "(lstm-stepper --weights FILE --inputs ...)"
            )
        message = f"loaded {cell.title} ({origin})"
        if lane == 0:
            return self._rebuild(
                "Loading the weights",
                message,
                first=(cell, origin, None),
                example=None,
                trained=None,
            )
        return self._rebuild("Loading the weights", message, second=(cell, origin))

    def open_job(
        self,
        cell: Cell,
        inputs: npt.ArrayLike,
        origin: str,
        message: str,
        seed: int | None = None,
        names: Sequence[str] | None = None,
    ) -> Job:
        """A new cell on a new input sequence, from t = 0 (a preset, a lesson): one cell
        again (compare mode's second cell follows it), no trained readout."""
        rows = check_inputs(inputs, cell.input_size)
        return self._rebuild(
            "Opening",
            message,
            first=(cell, origin, seed),
            inputs=rows,
            names=None if names is None else tuple(names),
            example=None,
            reset=True,
            trained=None,
        )

    def open_example_job(
        self, cell: Cell, origin: str, inputs: Array, example: Example, message: str = ""
    ) -> Job:
        """A trained cell with its readout on an example of its task (``task_example``): the
        frames then carry the readout's prediction and the target (``Frame.reading``).
        ``message``: the status line's (else "on an example of TASK")."""
        check_inputs(inputs, cell.input_size)
        return self._rebuild(
            "Opening the trained cell",
            message or f"on an example of {example.task}",
            first=(cell, origin, None),
            inputs=inputs,
            example=example,
            reset=True,
            trained=None,
        )

    def open_model_job(
        self,
        path: str | os.PathLike[str],
        task: str,
        length: int,
        seed: int,
        companion: str | os.PathLike[str] | None = None,
        about: str = "",
        message: str = "",
    ) -> Job:
        """A trained model's file (cell and readout) on an example of ``task`` of ``length``
        steps drawn with ``seed``; ``companion``: the file of the RNN trained beside it,
        for the gradient view. The origin is the file's name, then ``about`` ("best loss
        0.0009"); ``message``: the status line's."""
        model = load_model(path)
        other = load_model(companion) if companion is not None else None
        inputs, example = task_example(
            task,
            model.cell,
            model.readout,
            length,
            seed,
            None if other is None else (other.cell, other.readout),
        )
        origin = Path(path).name + (f", {about}" if about else "")
        return self.open_example_job(model.cell, origin, inputs, example, message)

    @property
    def readout(self) -> Readout | None:
        """The trained readout of the first lane's cell (on a task example), else None."""
        return None if self._example is None else self._example.readout

    def save_weights(self, path: str | os.PathLike[str], lane: int = 0) -> str:
        """Write a lane's weights (.npz), with the trained readout of the first lane's cell
        when it has one (so that ``--weights FILE --task NAME`` opens it again); returns
        what was done, for the status line."""
        cell = self._lanes[lane].session.cell
        if lane == 0 and self._example is not None:
            save_model(Model(cell, self._example.readout), path)
            return f"saved the weights and the readout to {path}"
        save(cell, path)
        return f"saved the weights to {path}"

    def export_job(self, path: str | os.PathLike[str], fmt: str, lane: int = 0) -> Job:
        """Write steps 1..t of a lane's trace (``trace.FORMATS``) to ``path``, a step at a
        time into a temporary file that replaces ``path`` only when complete: a cancelled
        or failed export leaves the old file as it was. Refuses (ValueError) at t = 0 and
        a path that cannot be written (``writing.check_target``)."""
        session = self._lanes[lane].session
        steps = session.t
        if steps == 0:
            raise ValueError("nothing to export at t = 0: take a step first")
        if fmt not in trace.FORMATS:
            raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(trace.FORMATS)}")
        check_target(path)
        name = Path(path).name
        records = (session.record(t) for t in range(1, steps + 1))

        def work() -> Generator[int, None, Frame]:
            with atomic_writer(path) as handle:
                text = io.TextIOWrapper(handle, encoding="utf-8", newline="\n")
                deadline = time.perf_counter() + jobs.SLICE
                done = 0
                for _ in trace.write_steps(fmt, session.cell, session.inputs, records, text):
                    done += 1
                    if time.perf_counter() >= deadline:
                        yield done
                        done, deadline = 0, time.perf_counter() + jobs.SLICE
                text.flush()
                text.detach()
                handle.flush()
                # A long file's fsync takes seconds; in a thread (it lets go of the GIL)
                # while the screen goes on: the writer's own fsync then has nothing to do.
                syncing = threading.Thread(target=os.fsync, args=(handle.fileno(),))
                syncing.start()
                while syncing.is_alive():
                    syncing.join(jobs.SLICE)
                    yield done
                    done = 0
            yield done
            return self._publish(f"wrote {steps} step{'' if steps == 1 else 's'} to {name}")

        def cancelled() -> Frame:
            return self._publish(f"export cancelled: {name} not written")

        return Job(f"Writing {name}", steps, work(), cancelled)

    def flow_job(self) -> Job:
        """The gradient flow of the current sequence (``lstm_engine.gradflow``): for the
        cell, and beside it the RNN trained with it or else a seeded one of the same size
        (with the cell's readout, so that L is the same function of h_T), over the last
        ``FLOW_WINDOW`` steps at most (from the state the history holds before them; the
        companion, which has no history, from zeros). The
        frames carry it (``Frame.flows``, ``flow_plot``) until the cell or the inputs
        change. Done already if nothing changed since it was last computed."""
        content = self._content
        session = self.session
        cell, length = session.cell, session.length
        start = max(length - FLOW_WINDOW, 0)
        example = self._example
        readout = example.readout if example is not None else None
        target = _last_target(example, length) if example is not None else None
        objective = example.objective if example is not None else "mse"
        seed = DEFAULT_SEED if session.seed is None else session.seed
        runs: list[tuple[Cell, Readout | None, str, bool]] = [
            (cell, readout, cell.title, session.seed is not None)
        ]
        if example is not None and example.companion is not None:
            other, other_readout = example.companion
            runs.append((other, other_readout, f"{other.title}, trained on {example.task}", False))
        else:
            other_cell = gradflow.companion(cell, seed)
            if other_cell is not None:
                title = f"{other_cell.title}, untrained (seeded {seed})"
                runs.append((other_cell, readout, title, True))
        if self._flows is not None and self._flows[0] == content:
            return Job("Gradient flow", 0, _done(self._publish()), self._publish)

        def work() -> Generator[int, None, Frame]:
            stop = yield from grow(session, start)
            if stop is not None:
                return self._refuse(f"gradient flow: {stop} before step {start}")
            flows = []
            state = session.state_at(start) if start else None
            for run_cell, run_readout, title, seeded in runs:
                sweep = gradflow.flow_steps(
                    run_cell,
                    session.inputs[start:],
                    state if run_cell is cell else None,  # the companion has no history
                    start + 1,
                    run_readout,
                    target,
                    objective,
                )
                while True:
                    try:
                        next(sweep)
                    except StopIteration as done:
                        flows.append(replace(done.value, title=title, seeded=seeded))
                        break
                    yield (length - start) // 2
                yield (length - start) // 2
            self._flows = (content, tuple(flows))
            swept = f"the last {length - start:,} steps" if start else f"{length:,} steps"
            return self._publish(f"gradient flow over {swept}")

        def cancelled() -> Frame:
            return self._publish("gradient flow: cancelled")

        return Job("Gradient flow", 2 * (length - start) + start, work(), cancelled)

    def note(self, message: str) -> Frame:
        """Put a message on the status line (a file written, a screenshot saved)."""
        return self._publish(message)

    def refuse(self, message: str) -> Frame:
        """Say on the status line why a key did nothing (a view that refuses it)."""
        return self._refuse(message)

    # -- inside -----------------------------------------------------------------------------
    def _rebuild(
        self,
        title: str,
        message: str,
        first: tuple[Cell, str, int | None] | None = None,
        second: str | tuple[Cell, str] | None = None,
        inputs: Array | None = None,
        names: tuple[str, ...] | None = None,
        example: Example | Literal["keep"] | None = "keep",
        reset: bool = False,
        trained: tuple[Cell, str, Example] | Literal["keep"] | None = "keep",
        strict: bool = False,
    ) -> Job:
        """The job that makes new sessions and swaps them in: for the first lane a new
        ``(cell, origin, seed)``; for the second a kind (seeded, sharing the first's
        weights) or a ``(cell, origin)``; new ``inputs`` for both. A second lane that is
        not named is derived again from a changed first cell (it shares its weights), or
        rebuilt on new inputs. ``message`` may name ``{second}``, the second cell's title.
        ``example``: the trained readout and task example from then on (kept unless
        given; new inputs drop its target). ``reset``: start at t = 0. ``trained``: the
        trained cell c comes back to (kept unless given; new inputs drop its target too).
        The sessions are built now (bad sizes raise here); their history is computed to
        the current step by the job. ``strict``: a step that overflows on the way refuses
        the change (nothing changes), instead of stopping at the step before it."""
        old = self.session
        rows = old.inputs if inputs is None else inputs
        input_names = old.input_names if inputs is None else names
        target = 0 if reset else min(old.t, len(rows))
        shown = self._example if isinstance(example, str) else example
        if inputs is not None and shown is not None and isinstance(example, str):
            shown = replace(shown, target=None)  # the target was the old sequence's

        def made(cell: Cell, origin: str, seed: int | None) -> Session:
            return Session(cell, rows, origin=origin, seed=seed, input_names=input_names)

        lane0 = self._lanes[0]
        if first is not None or inputs is not None:
            cell, origin, seed = first if first is not None else (old.cell, old.origin, old.seed)
            lane0 = _Lane(made(cell, origin, seed))
        lanes = [lane0]
        if second is None and len(self._lanes) > 1:
            now = self._lanes[1]
            if first is None:  # same cells, new inputs
                kept = now.session
                lanes.append(_Lane(made(kept.cell, kept.origin, kept.seed), now.shared))
            else:
                second = now.session.cell.kind
        if isinstance(second, str):
            source = lane0.session
            seed = DEFAULT_SEED if source.seed is None else source.seed
            cell, shared = with_shared_weights(source.cell, second, seed)
            lanes.append(_Lane(made(cell, f"seed {seed}", seed), shared))
        elif second is not None:
            cell, origin = second
            lanes.append(_Lane(made(cell, origin, None), self._lanes[1].shared))
        text = message.format(second=lanes[-1].session.cell.title)
        said = title[:1].lower() + title[1:]  # "nudging W[0,0]": the name as it is
        total = sum(max(0, target - lane.session.computed) for lane in lanes)

        def work() -> Generator[int, None, Frame]:
            stops = []
            for lane in lanes:
                stop = yield from grow(lane.session, target)
                if stop is not None:
                    stops.append(stop)
            if stops and strict:
                first_stop = min(stops, key=lambda e: e.step)
                return self._refuse(f"{said}: refused, {first_stop}; nothing changed")
            where = min(target, *(lane.session.computed for lane in lanes))
            for lane in lanes:
                lane.session.seek(where)
            # the equation being read keeps its symbol where the new cell has it (else the
            # first): switching from the peephole's h to the sLSTM goes on reading h
            reading = symbols(self.session.cell)[self._equation]
            self._lanes = lanes
            now = symbols(self.session.cell)
            self._equation = now.index(reading) if reading in now else 0
            self._example = shown
            if not isinstance(trained, str):
                self._trained = trained
            if inputs is not None and self._trained is not None:
                kept_cell, kept_origin, kept_example = self._trained
                self._trained = (kept_cell, kept_origin, replace(kept_example, target=None))
            self._bump_content()
            if stops:
                first_stop = min(stops, key=lambda e: e.step)
                return self._refuse(f"{text}; {first_stop}: stopped at step {where}")
            return self._publish(text)

        def cancelled() -> Frame:
            return self._publish(f"{said}: cancelled, nothing changed")

        return Job(title, total, work(), cancelled)

    def _bump_content(self) -> None:
        self._content += 1
        for lane in self._lanes:
            lane.changed()

    def _changed(self, message: str) -> Frame:
        self._bump_content()
        return self._publish(message)

    def _refuse(self, message: str) -> Frame:
        self._message, self._refused = message, True
        self._revision += 1
        self._frame = self._make_frame()
        return self._frame

    def _publish(self, message: str = "") -> Frame:
        self._message, self._refused = message, False
        self._revision += 1
        self._frame = self._make_frame()
        return self._frame

    def _status(self) -> str:
        if self._message:
            return self._message
        if self._playing:
            return f"▶ playing {SPEEDS[self._speed]:g}/s"
        if self.session.at_end:
            return f"{END}{self._what_to_type()} to add a step"
        return ""

    def _what_to_type(self) -> str:
        width = self.session.cell.input_size
        return "type a number" if width == 1 else f"type the next input ({width} numbers)"

    def _make_frame(self) -> Frame:
        first = self.session
        hidden = first.cell.hidden_size
        self._unit = min(self._unit, hidden - 1)
        self._equation = min(self._equation, len(first.cell.equations) - 1)
        if self._all_units is not None and self._all_units not in first.cell.plotted:
            self._all_units = None
        lanes = tuple(
            Lane(lane.session.cell, lane.session.current, lane.session.origin, lane.shared)
            for lane in self._lanes
        )
        flows = self._flows[1] if self._flows and self._flows[0] == self._content else None
        return Frame(
            revision=self._revision,
            t=first.t,
            length=first.length,
            computed=min(lane.session.computed for lane in self._lanes),
            inputs=first.inputs,
            unit=self._unit,
            lanes=lanes,
            status=self._status(),
            refused=self._refused,
            playing=self._playing,
            speed=SPEEDS[self._speed],
            all_units=self._all_units,
            show_x=self._show_x,
            plot=self._plot_spec(),
            content=self._content,
            input_names=first.input_names,
            reading=self._reading(),
            flows=flows,
            flow_plot=None if flows is None else _flow_spec(flows, first.length, self._content),
            equation=self._equation,
        )

    def _reading(self) -> Reading | None:
        example = self._example
        if example is None:
            return None
        session = self.session
        record = session.current
        prediction = (
            None if record is None else example.readout.predict(session.cell.state_of(record)["h"])
        )
        if prediction is not None and example.objective == "xent":
            shifted = np.exp(prediction - prediction.max())  # softmax, without overflow
            prediction = shifted / shifted.sum()
        target = example.target
        if target is not None and example.every_step:
            target = target[session.t - 1] if 1 <= session.t <= len(target) else None
        return Reading(example.task, prediction, target, not example.every_step, example.objective)

    def _plot_spec(self) -> PlotSpec:
        steps = min(lane.session.computed for lane in self._lanes)
        first = self._lanes[0]
        cell = first.session.cell
        key = (self._content, steps, self._unit, self._all_units, self._show_x, len(self._lanes))
        curves: list[plot.Curve] = []
        if len(self._lanes) > 1 and self._all_units is not None:
            name = self._all_units
            for k, lane in enumerate(self._lanes):
                lane_cell = lane.session.cell
                series = lane.series(steps)
                if name in series:  # the mLSTM has no c
                    prefix = "left " if k == 0 else "right "
                    curves += plot.all_unit_curves(lane_cell, name, series[name], prefix, k > 0)
            title = short = f"{name} of every unit of both cells (right: digits)"
        elif len(self._lanes) > 1:
            for k, lane in enumerate(self._lanes):
                lane_cell = lane.session.cell
                names: list[str] = [n for n in ("h", "c") if n in lane_cell.plotted]
                wanted = names or list(lane_cell.plotted)
                series = {n: s for n, s in lane.series(steps).items() if n in wanted}
                lane_curves = plot.unit_curves(
                    lane_cell, series, self._unit, prefix=f"{lane_cell.title} ", second=k > 0
                )
                side = "left" if k == 0 else "right"
                # Both cells on one axis (a comparison needs one scale); "left h" where
                # the cells' names do not fit the legend.
                curves += [
                    replace(c, right=False, short=c.short.replace(lane_cell.title, side, 1))
                    for c in lane_curves
                ]
            title = short = "h and c of both cells"
        elif self._all_units is not None:
            series = first.series(steps)
            curves = plot.all_unit_curves(cell, self._all_units, series[self._all_units])
            title = f"{plot.NAMES.get(self._all_units, self._all_units)} of every unit"
            short = f"{self._all_units} of every unit"
        else:
            curves = plot.unit_curves(cell, first.series(steps), self._unit)
            title, short = plot.title_for(cell.plotted), ", ".join(cell.plotted)
        if cell.hidden_size > 1 and self._all_units is None:
            title += f" · unit {self._unit}"
            short += f" · unit {self._unit}"
        if self._show_x:
            curves += plot.input_curves(first.session.inputs[:steps])
        return PlotSpec(key, tuple(curves), steps, title, short)


def task_example(
    task_name: str,
    cell: Cell,
    readout: Readout | None,
    length: int,
    seed: int,
    companion: tuple[Cell, Readout | None] | None = None,
) -> tuple[Array, Example]:
    """One example of a task (its generator, seeded) for a trained cell: the inputs
    (T, I) and the ``Example`` with its target. Refuses (ValueError, one line) a task
    whose inputs do not fit the cell or whose outputs do not fit the readout."""
    task = task_named(task_name)
    if task.input_size != cell.input_size:
        raise ValueError(
            f"the {task.name} task gives {task.input_size} input(s) per step; these weights "
            f"take {cell.input_size}"
        )
    if readout is None:
        raise ValueError(f"the weights have no readout, so they cannot answer the {task.name} task")
    if readout.output_size != task.output_size:
        raise ValueError(
            f"the {task.name} task wants {task.output_size} output(s); the readout gives "
            f"{readout.output_size}"
        )
    inputs, targets = task.batch(np.random.default_rng(seed), 1, length)
    target = np.asarray(targets)[:, 0] if task.every_step else np.asarray(targets)[0]
    example = Example(task.name, readout, task.objective, task.every_step, target, companion)
    return inputs[:, 0, :], example


def _last_target(example: Example, length: int) -> npt.NDArray[np.generic] | None:
    """The target of the sequence's last step (where the gradient view's loss is taken),
    if it has one (an every-step task's sequence may have grown past its targets)."""
    if example.target is None:
        return None
    if example.every_step:
        return example.target[-1] if len(example.target) == length else None
    return example.target


def _done(frame: Frame) -> Generator[int, None, Frame]:
    """A job's work that is already done."""
    return frame
    yield 0  # a generator, that returns at once


def _flow_spec(flows: tuple[Flow, ...], length: int, content: int) -> PlotSpec:
    """The flows' norms over t = 1..length as log10 curves, marked by kind whichever cell
    is open, so that two pictures read alike: the gated cell's h ``o`` and memory ``x``
    (lines, with their markers every few columns), the RNN's h ``*`` (markers only, as
    compare mode's second cell)."""
    curves = []
    for one in flows:
        gated = any(name != "h" for name in one.norms)  # the RNN has no memory
        markers, colors = (
            (plot.MARKERS, plot.COLORS) if gated else (plot.SECOND_MARKERS, plot.SECOND_COLORS)
        )
        for k, name in enumerate(one.norms):
            values = np.full(length, np.nan)
            values[one.first - 1 :] = one.log10(name)
            who = one.title.split(",")[0].split(" (")[0]
            curves.append(
                plot.Curve(
                    f"{who} log10 |dL/d{name}_t|",
                    values,
                    markers.get(name, markers["c"]),
                    colors.get(name, colors["c"]),
                    line=gated,
                    short=f"{who} {name}",
                    marked=k * plot.MARK_EVERY // 2 + 1 if gated else 0,
                )
            )
    title = "log10 of |dL/dh_t| and |dL/dc_t|"
    return PlotSpec(
        ("flow", content, length),
        tuple(curves),
        length,
        title,
        "log10 |dL/ds_t|",
        (plot.X_LABEL, "log10 of the norm"),
        meet_lines=True,
    )


def _next_kind(kind: str, exclude: Sequence[str] = ()) -> str:
    """The kind after ``kind`` in the registry's order, cycling, skipping ``exclude``."""
    kinds = list(CELLS)
    start = kinds.index(kind) if kind in kinds else -1
    for step in range(1, len(kinds) + 1):
        candidate = kinds[(start + step) % len(kinds)]
        if candidate not in exclude:
            return candidate
    return kind


def _edited(origin: str) -> str:
    """The origin of weights changed by hand: "seed 42 (edited)", once."""
    return origin if origin.endswith("(edited)") else origin + " (edited)"


def _plain_row(row: Array) -> str:
    return plain(row[0]) if len(row) == 1 else "(" + ", ".join(plain(v) for v in row) + ")"


__all__ = [
    "DEFAULT_SEED",
    "END",
    "FLOW_WINDOW",
    "SPEEDS",
    "Example",
    "Frame",
    "Lane",
    "PlotSpec",
    "Reading",
    "Stepper",
    "task_example",
]
