"""The stepping controller: what every screen steps through, without any UI.

A ``Stepper`` owns the session (two in compare mode: one per *lane*, stepping together
on the same inputs), the selected unit, what the plot shows, automatic play, a revision
number that every change bumps, and the status line. Each action (``step``, ``back``,
``reset``, ``seek``, ``end``, ``select_unit``, ``switch_cell``, ``set_inputs``,
``set_weight``, ``load_weights``, ``compare``, ...) returns a new immutable ``Frame``:
the plain data a screen draws. The main screen, compare mode and (later) the lesson
player and the frame exporter all render frames; none of them steps a session itself.

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

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from . import plot
from .cells import CELLS, Cell
from .cells.base import Array, Record
from .cells.weights import WeightsError
from .files import load, save
from .inputs import check_inputs
from .numbers import plain
from .session import Session, SessionError
from .share import with_shared_weights

#: Steps per second of automatic play, slowest to fastest.
SPEEDS = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)
#: Seed of the weights a switched-to cell gets when the session has none.
DEFAULT_SEED = 42


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

    def __init__(self, session: Session) -> None:
        self._lanes = [_Lane(session)]
        self._unit = 0
        self._revision = 0
        self._content = 0
        self._message = ""
        self._refused = False
        self._playing = False
        self._speed = 2  # index into SPEEDS
        self._all_units: str | None = None
        self._show_x = False
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

    def records(self, lane: int = 0) -> list[Record]:
        """The records of steps 1..t of a lane (for exporting the trace)."""
        session = self._lanes[lane].session
        return [session.record(t) for t in range(1, session.t + 1)]

    # -- moving ----------------------------------------------------------------------
    def step(self) -> Frame:
        if self.session.at_end:
            return self._refuse(f"end of the sequence: {self._what_to_type()} to add a step")
        for lane in self._lanes:
            lane.session.step()
        return self._publish()

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
        if not 0 <= t <= self.session.length:
            raise SessionError(f"step {t} is outside 0..{self.session.length}")
        for lane in self._lanes:
            lane.session.seek(t)
        return self._publish()

    def end(self) -> Frame:
        return self.seek(self.session.length)

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

    def toggle_x(self) -> Frame:
        self._show_x = not self._show_x
        return self._publish("plot: the input x shown" if self._show_x else "plot: x hidden")

    # -- changing the cell, the weights, the inputs ------------------------------------------
    def switch_cell(self, kind: str | None = None, lane: int | None = None) -> Frame:
        """Another kind of cell (the next one, unless named) with its seeded weights, on the
        same inputs and at the same step. In compare mode this changes the second cell
        (unless ``lane`` says otherwise), which takes what it can of the first's weights."""
        index = (len(self._lanes) - 1) if lane is None else lane
        target = self._lanes[index]
        session = target.session
        if index == 0:
            kind = kind or _next_kind(session.cell.kind)
            seed = DEFAULT_SEED if session.seed is None else session.seed
            cell = CELLS[kind].init(session.cell.input_size, session.cell.hidden_size, seed)
            session.set_cell(cell)
            session.seed, session.origin = seed, f"seed {seed}"
            self._rederive_second()
        else:
            first = self._lanes[0].session.cell.kind
            kind = kind or _next_kind(session.cell.kind, exclude=(first,))
            self._lanes[index] = self._second(kind)
        return self._changed(f"switched to {self._lanes[index].session.cell.title}")

    def compare(self, kind: str | None = None) -> Frame:
        """Compare mode: a second cell of another kind beside the first, on the same inputs,
        at the same step."""
        first = self.session.cell.kind
        kind = kind or _next_kind(first, exclude=(first,))
        lane = self._second(kind)
        self._lanes[1:] = [lane]
        return self._changed(f"comparing with {lane.session.cell.title}")

    def close_compare(self) -> Frame:
        if len(self._lanes) == 1:
            return self._frame
        del self._lanes[1:]
        return self._changed("one cell")

    def set_inputs(self, inputs: npt.ArrayLike) -> Frame:
        """A new input sequence for every lane; the step stays where it can."""
        rows = check_inputs(inputs, self.session.cell.input_size)
        for lane in self._lanes:
            lane.session.set_inputs(rows)
        return self._changed(f"inputs changed ({len(rows)} steps)")

    def append_input(self, row: npt.ArrayLike) -> Frame:
        """Live input: add one step to the end of the sequence, and take it if the session
        was at the end."""
        width = self.session.cell.input_size
        x = check_inputs([list(np.atleast_1d(np.asarray(row, dtype=float)))], width)
        at_end = self.session.at_end
        for lane in self._lanes:
            lane.session.append_input(x[0])
            if at_end:
                lane.session.step()
        self._bump_content()
        return self._publish(f"added x = {_plain_row(x[0])}")

    def set_weight(self, key: str, index: tuple[int, ...], value: float, lane: int = 0) -> Frame:
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
        session.set_weight(key, array)
        if not session.origin.endswith("(edited)"):
            session.origin += " (edited)"
        if lane == 0:
            self._rederive_second()
        name = f"{key}[{','.join(map(str, index))}]" if index else key
        return self._changed(f"{name} = {value:g}")

    def load_weights(self, path: str | os.PathLike[str], lane: int = 0) -> Frame:
        """Weights from a file (any kind); the inputs must fit its input size."""
        cell = load(path)
        return self.set_cell(cell, f"weights {Path(path).name}", lane)

    def set_cell(self, cell: Cell, origin: str, lane: int = 0) -> Frame:
        """Replace a lane's cell (a loaded file, a trained model); nothing changes if the
        inputs do not fit it."""
        session = self._lanes[lane].session
        if cell.input_size != session.cell.input_size:
            raise SessionError(
                f"these weights take {cell.input_size} value(s) per step, the inputs have "
                f"{session.cell.input_size}: open them with their own inputs "
                "(lstm-stepper --weights FILE --inputs ...)"
            )
        session.set_cell(cell)
        session.origin, session.seed = origin, None
        if lane == 0:
            self._rederive_second()
        return self._changed(f"loaded {cell.title} ({origin})")

    def save_weights(self, path: str | os.PathLike[str], lane: int = 0) -> str:
        """Write a lane's weights (.npz); returns what was done, for the status line."""
        save(self._lanes[lane].session.cell, path)
        return f"saved the weights to {path}"

    def note(self, message: str) -> Frame:
        """Put a message on the status line (a file written, a screenshot saved)."""
        return self._publish(message)

    # -- inside -----------------------------------------------------------------------------
    def _second(self, kind: str) -> _Lane:
        first = self.session
        seed = DEFAULT_SEED if first.seed is None else first.seed
        cell, shared = with_shared_weights(first.cell, kind, seed)
        session = Session(cell, first.inputs, origin=f"seed {seed}", seed=seed)
        session.seek(first.t)
        return _Lane(session, shared)

    def _rederive_second(self) -> None:
        """The first cell changed: the second one takes its shared weights again."""
        if len(self._lanes) > 1:
            self._lanes[1] = self._second(self._lanes[1].session.cell.kind)

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
            return f"end: {self._what_to_type()} to add a step"
        return ""

    def _what_to_type(self) -> str:
        width = self.session.cell.input_size
        return "type a number" if width == 1 else f"type the next input ({width} numbers)"

    def _make_frame(self) -> Frame:
        first = self.session
        hidden = first.cell.hidden_size
        self._unit = min(self._unit, hidden - 1)
        if self._all_units is not None and self._all_units not in first.cell.plotted:
            self._all_units = None
        lanes = tuple(
            Lane(lane.session.cell, lane.session.current, lane.session.origin, lane.shared)
            for lane in self._lanes
        )
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
        )

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


def _next_kind(kind: str, exclude: Sequence[str] = ()) -> str:
    """The kind after ``kind`` in the registry's order, cycling, skipping ``exclude``."""
    kinds = list(CELLS)
    start = kinds.index(kind) if kind in kinds else -1
    for step in range(1, len(kinds) + 1):
        candidate = kinds[(start + step) % len(kinds)]
        if candidate not in exclude:
            return candidate
    return kind


def _plain_row(row: Array) -> str:
    return plain(row[0]) if len(row) == 1 else "(" + ", ".join(plain(v) for v in row) + ")"


__all__ = ["DEFAULT_SEED", "SPEEDS", "Frame", "Lane", "PlotSpec", "Stepper"]
