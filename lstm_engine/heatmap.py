"""The heat map's numbers (LSTMVis in a terminal): every unit of a series over time.

Which series a cell has (``series_of``: its states and gates, from its declarations), their
values over any steps (``Reader``: states are views of the session's history; gates are
rebuilt from it, the whole batch of steps at once, and kept), the window of steps and of
units that follows the cursor (``follow``), the zoomed-out columns (``edges``,
``extremes``: each column keeps the value of largest magnitude among its steps, with its
sign, as M4 aggregation does: never every k-th step, which hides spikes), the glyph of a
value (``levels``, ``GLYPHS``) and LSTMVis's select-and-match (``above``, ``threshold``).

A gate is read from the centre of its range (f - 0.5 for a sigmoid, c_bar itself for a
tanh): its glyph says how far it is from neutral and on which side, and a zoomed column
keeps the step furthest from the centre, so a forget gate's reset to 0 shows against a
gate held near 1. The seeded weights keep gates within a few hundredths of 0.5, so a
gate's glyph levels are finer near the centre (``GATE_BOUNDS``) than a state's.

Pure NumPy: the dashboard's heat-map screen draws what these return.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .cells import Cell
from .cells.base import Array
from .session import Session

#: Step numbers (column edges), and glyph levels.
Steps = npt.NDArray[np.int_]

#: Glyphs by level, -4..4: negative values as circles, positive ones as shades, growing
#: with the magnitude; a blank for a value near 0. Readable without colour.
GLYPHS = "●○∘· ░▒▓█"
NEGATIVE = GLYPHS[:4][::-1]  #: "·∘○●", smallest to largest magnitude
POSITIVE = GLYPHS[5:]  #: "░▒▓█"
#: Where each level starts, as a fraction of the scale: below the first, a blank. A
#: state's scale is the largest magnitude it reached, so these split what it did reach.
BOUNDS = (0.1, 0.3, 0.5, 0.75)
#: A gate's levels, as a fraction of its half-range (0.5 for a sigmoid: |f - 0.5| from
#: 0.005, 0.025, 0.1, 0.3): fine near the centre, where the seeded weights keep every gate,
#: so 0.49, 0.45 and 0.55 each have their own glyph; 0.8 and 0.99 share the largest.
GATE_BOUNDS = (0.01, 0.05, 0.2, 0.6)
#: Steps of a gate rebuilt at once: bounds the memory of one batch (the mLSTM's C is H x H).
CHUNK_BYTES = 32 * 2**20


@dataclass(frozen=True)
class Series:
    """One thing the heat map can show: a state or a gate, one row per unit (one row in all
    for a value every unit shares, as the mLSTM's i and f)."""

    field: str  #: the record field: "h", "f"
    label: str  #: "h (hidden)", "f (forget gate)", "i' (input gate)"
    rows: int  #: the hidden size, or 1 for a shared value
    #: a gate's fixed scale (half its range: 0.5 for a sigmoid, 1 for a tanh); 0 for a
    #: state, which is scaled by the largest magnitude it reached
    scale: float = 0.0

    shared: bool = False  #: one value for every unit: its one row is no unit's
    centre: float = 0.0  #: a gate's neutral value, the middle of its range (0.5, 0)

    @property
    def bounds(self) -> tuple[float, ...]:
        """Where its glyph levels start, as fractions of its scale."""
        return BOUNDS if self.is_state else GATE_BOUNDS

    @property
    def is_state(self) -> bool:
        return self.scale == 0.0

    @property
    def symbol(self) -> str:
        """How the label writes it: "h", "i'" (a stabilised gate)."""
        return self.label.split(" ")[0]


def series_of(cell: Cell) -> tuple[Series, ...]:
    """The series of a cell, in the order v cycles through them: the states it plots (h,
    c, ...), then each gate, then its other states. A matrix state (the mLSTM's C) is left
    out: its rows are not units (its norm is on the main plot)."""
    size = cell.hidden_size
    states = {s.name: s for s in cell.states if s.kind != "matrix"}
    out: dict[str, Series] = {}

    def add(
        field: str, symbol: str, label: str, shared: bool, scale: float = 0.0, centre: float = 0
    ) -> None:
        if field not in out:
            label = f"{symbol} ({label.lower()})"
            out[field] = Series(field, label, 1 if shared else size, scale, shared, centre)

    for name in [n for n in cell.plotted if n in states]:
        add(name, name, states[name].label, states[name].kind == "scalar")
    for gate in cell.gates:
        half, centre = (gate.high - gate.low) / 2, (gate.high + gate.low) / 2
        add(gate.symbol, gate.shown, gate.label, gate.scalar, half, centre)
    for name, state in states.items():
        add(name, name, state.label, state.kind == "scalar")
    return tuple(out.values())


class Reader:
    """The values of one session's series over its history. Gates are rebuilt from the
    states the history holds (the cell's own ``preactivate`` and ``pointwise``, on many
    steps at once): a window alone where it lies past what is kept (the column-per-step
    view at the end of a long history costs its width, not the history), else every gate
    together from step 1 (one rebuild gives them all: v then costs nothing) into buffers
    that grow as the history does. ``current`` says whether the session is still the one
    read (same cell, same inputs)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._cell = session.cell
        self._inputs = session.inputs
        self._gates = [s for s in series_of(session.cell) if not s.is_state]
        self._kept: dict[str, Array] = {}  #: every gate's buffer: its first ``_have`` steps
        self._have = 0
        #: a state's largest magnitude so far: field -> (steps looked at, the magnitude)
        self._tops: dict[str, tuple[int, float]] = {}

    def current(self, session: Session) -> bool:
        return (
            session is self.session
            and session.cell is self._cell
            and session.inputs is self._inputs
            and self._have <= session.computed
        )

    def values(self, series: Series, start: int, stop: int) -> Array:
        """Steps start+1..stop of a series: (stop - start, rows). A gate's steps past what
        is kept are rebuilt; kept only when they continue it (a window far ahead is not)."""
        if series.is_state:
            history = self.session.series(series.field, upto=stop)
            return history[start:stop].reshape(stop - start, series.rows)
        if start >= stop:
            return np.zeros((0, series.rows))
        if start > self._have:
            return self._rebuilt(start, stop)[series.field]
        for _ in self.fill(stop):
            pass
        return self._kept[series.field][start:stop]

    def missing(self, series: Series, stop: int) -> int:
        """How many steps of a gate ``fill`` would rebuild to reach ``stop``."""
        return 0 if series.is_state else max(0, stop - self._have)

    def fill(self, stop: int) -> Generator[int]:
        """Rebuild the gates up to step ``stop`` and keep them, a chunk at a time: yields
        the steps of each chunk (a long history's run shows its progress)."""
        if stop <= self._have:
            return
        size = max(stop, min(2 * self._have, self.session.length))
        for gate in self._gates:
            grown = np.empty((size, gate.rows))
            if self._have:
                grown[: self._have] = self._kept[gate.field][: self._have]
            self._kept[gate.field] = grown
        while self._have < stop:
            first = self._have
            last = min(first + self._chunk(), stop)
            for field, part in self._batch(first, last).items():
                self._kept[field][first:last] = part
            self._have = last
            yield last - first

    def scale(self, series: Series, stop: int) -> float:
        """What the largest glyph stands for: half a gate's range, or the largest magnitude
        the state reached over steps 1..stop (0 where it is all zeros, or before any step)."""
        if not series.is_state:
            return series.scale
        seen, top = self._tops.get(series.field, (0, 0.0))
        if seen > stop:  # stepped back: look again from the start
            seen, top = 0, 0.0
        if seen < stop:
            top = max(top, float(np.abs(self.values(series, seen, stop)).max()))
            self._tops[series.field] = (stop, top)
        return top

    def _chunk(self) -> int:
        return max(1, CHUNK_BYTES // self.session.row_bytes)

    def _rebuilt(self, start: int, stop: int) -> dict[str, Array]:
        """Every gate over steps start+1..stop, a chunk of steps at a time (the mLSTM's C
        is H x H a step)."""
        parts = [
            self._batch(first, min(first + self._chunk(), stop))
            for first in range(start, stop, self._chunk())
        ]
        return {g.field: np.concatenate([p[g.field] for p in parts]) for g in self._gates}

    def _batch(self, start: int, stop: int) -> dict[str, Array]:
        session, cell = self.session, self.session.cell
        prev = {}
        for state in cell.states:
            before = session.series(state.name, upto=max(stop - 1, 0))
            if start == 0:
                zero = np.zeros((1, *state.shape(cell.hidden_size)))
                prev[state.name] = np.concatenate([zero, before[: stop - 1]])
            else:
                prev[state.name] = np.array(before[start - 1 : stop - 1])
        x = np.array(session.inputs[start:stop])
        # the paper's unstabilised quantities, kept for display, may overflow: not read here
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            record = cell.pointwise(start + 1, x, cell.preactivate(x, prev), prev)
        return {
            g.field: np.asarray(getattr(record, g.field)).reshape(stop - start, g.rows)
            for g in self._gates
        }


def follow(start: int, cursor: int, size: int, total: int) -> int:
    """The first of ``size`` consecutive indices (of ``total``) to show, moved from
    ``start`` no more than it takes to keep ``cursor`` in view."""
    if total <= size:
        return 0
    start = min(max(start, cursor - size + 1), cursor)
    return min(max(start, 0), total - size)


def edges(steps: int, columns: int) -> Steps:
    """Where the zoomed-out columns start and end: column j covers steps
    edges[j]+1..edges[j+1]; one step a column when they fit, else every column at least one."""
    if steps <= columns:
        return np.arange(steps + 1)
    return np.linspace(0, steps, columns + 1).round().astype(int)


def extremes(values: Array, bounds: Steps) -> Array:
    """Per column of ``bounds`` (``edges``) and per row of ``values`` (steps, rows): the
    value of largest magnitude among the column's steps, its sign kept (the positive one
    on a tie)."""
    if len(bounds) < 2:
        return np.zeros((0, values.shape[1]))
    starts = bounds[:-1]
    high = np.maximum.reduceat(values, starts, axis=0)
    low = np.minimum.reduceat(values, starts, axis=0)
    return np.where(high >= -low, high, low)


def column_of(bounds: Steps, step: int) -> int:
    """The column of ``bounds`` that holds ``step`` (1-based)."""
    return int(np.searchsorted(bounds, step, side="left")) - 1


def levels(values: Array, scale: float, bounds: tuple[float, ...] = BOUNDS) -> Steps:
    """The glyph level of each value, -4..4 (an index into ``GLYPHS`` after adding 4): the
    magnitude's level by ``bounds`` of the scale, with the value's sign (a gate's values
    measured from its centre). A scale of 0 (all zeros so far) is every value's level 0."""
    if scale <= 0:
        return np.zeros(np.shape(values), dtype=int)
    level = np.searchsorted(np.asarray(bounds), np.abs(values) / scale, side="right")
    return np.sign(values).astype(int) * level


#: The threshold moves by a tenth of the scale, from the bottom of it to its top.
THRESHOLD_TENTHS = 10


def threshold(series: Series, scale: float, tenths: int) -> float:
    """The match threshold ``tenths`` tenths of the scale from the series' centre (0.3 of
    the largest |h| so far; for a sigmoid gate, 0.5 + 0.3 x 0.5 = 0.65), so it means the
    same whatever the size of the values (the seeded |h| stays under 0.06)."""
    return series.centre + tenths / THRESHOLD_TENTHS * scale


def above(values: Array, threshold: float) -> list[int]:
    """The rows of ``values`` (steps, rows) above ``threshold`` at every step: signed, as
    LSTMVis matches (a unit strongly negative over the range does not match)."""
    if len(values) == 0:
        return []
    return [int(k) for k in np.flatnonzero((values > threshold).all(axis=0))]
