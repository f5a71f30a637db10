"""A session: one cell, one input sequence, and the history of every step taken.

The history keeps, per step, only the flat pre-activations and the new state, in one
float64 array that grows geometrically (from one row, by at most ``GROWTH_BYTES`` at a
time, so a wide row does not reserve gigabytes before the first step). Any step's full
record is rebuilt on demand by running the cell's ``pointwise`` again on those
numbers, which gives the very same bits as when the step was first taken.

A history whose full length would take more than ``history_limit()`` (4 GiB, or the
memory available when that is less) is refused when the session is made, or when its
inputs or its cell change, with a ``SessionError`` naming the size.

A step whose pre-activations or new state are not all finite is not taken: it raises
``StepOverflow`` naming the step, the cell and the first quantity that overflowed, and
the history ends before it. Every change (inputs, cell, weight) is a transaction: if
recomputing to the current ``t`` fails, the session is left exactly as it was.

``t`` is a cursor: stepping back moves it, and stepping forward again reuses what was
already computed. Changing the inputs or the weights recomputes the history up to the
current ``t``. The current step's record is kept, so that a step computes it once and
everyone who asks for it gets that one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from .cells import Cell
from .cells.base import Array, Record
from .inputs import check_inputs

#: The most a history may take, in bytes (lowered to the memory available, if less).
HISTORY_LIMIT = 4 * 2**30
#: The most the history array grows by at once beyond what is asked, in bytes.
GROWTH_BYTES = 256 * 2**20


class SessionError(ValueError):
    """A request the session cannot carry out; nothing was changed."""


class StepOverflow(SessionError):
    """A step whose numbers overflow float64: the step is not taken, the history ends
    before it. ``step`` is the step (1-based), ``state`` what overflowed first: a state's
    name, or "pre-activation"."""

    def __init__(self, step: int, cell: str, state: str) -> None:
        super().__init__(f"overflow at step {step} ({cell}, {state})")
        self.step, self.cell, self.state = step, cell, state


def memory_available() -> int | None:
    """MemAvailable of /proc/meminfo in bytes, or None where there is no such file."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def history_limit() -> int:
    """The most a session's history may take: ``HISTORY_LIMIT``, or the memory
    available now when that is less."""
    available = memory_available()
    return HISTORY_LIMIT if available is None else min(HISTORY_LIMIT, available)


def gib(size: float) -> str:
    """A size in bytes as GiB with one decimal: ``12.8 GiB``."""
    return f"{size / 2**30:.1f} GiB"


def check_history_size(steps: int, row_bytes: int) -> None:
    """Refuse a history of ``steps`` rows of ``row_bytes`` that would pass the limit."""
    need, limit = steps * row_bytes, history_limit()
    if need > limit:
        why = "" if limit == HISTORY_LIMIT else " (the memory available now)"
        raise SessionError(
            f"the history of {steps} steps would take {gib(need)}; the limit is {gib(limit)}{why}"
        )


#: A state's place in a history row: (name, slice of the row, shape).
StateSlice = tuple[str, slice, tuple[int, ...]]
#: Where a step's numbers go in a history row: (pre-activations, state slices, row width).
Layout = tuple[int, list[StateSlice], int]


class Rows:
    """A 2-D float64 array of fixed width whose length grows geometrically: it doubles,
    but never reserves more than ``GROWTH_BYTES`` beyond the row asked for."""

    def __init__(self, width: int, capacity: int = 1) -> None:
        self._data = np.empty((max(capacity, 1), width))
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def append(self) -> Array:
        """Room for one more row; returns it to be written."""
        if self._n == len(self._data):
            capacity, width = self._data.shape
            cap = self._n + 1 + GROWTH_BYTES // max(8 * width, 1)
            grown = np.empty((min(2 * capacity, cap), width))
            grown[: self._n] = self._data[: self._n]
            self._data = grown
        self._n += 1
        return self._data[self._n - 1]

    def pop(self) -> None:
        """Forget the last row (one that was appended but must not be kept)."""
        self._n -= 1

    def truncate(self, n: int) -> None:
        self._n = min(self._n, n)

    def restore(self, n: int) -> None:
        """Take back rows that ``truncate`` dropped (their numbers are still there)."""
        self._n = max(self._n, min(n, len(self._data)))

    @property
    def rows(self) -> Array:
        return self._data[: self._n]

    @property
    def nbytes(self) -> int:
        return self._data.nbytes


class Session:
    """Step a cell through an input sequence, forwards and back."""

    def __init__(
        self,
        cell: Cell,
        inputs: npt.ArrayLike,
        origin: str = "",
        seed: int | None = None,
        input_names: Sequence[str] | None = None,
    ) -> None:
        self._cell = cell
        self._inputs = self._checked(inputs, cell)
        self.origin = origin  #: how the cell was made ("seed 42", a file name), for display
        self.seed = seed  #: the seed the weights were drawn with, if they were
        #: names of the input's features (a CSV file's header), or None: x[0], x[1], ...
        self.input_names = tuple(input_names) if input_names is not None else None
        #: what was noticed while making the session (a skipped header line), to tell
        self.notes: list[str] = []
        self._t = 0
        self._current: Record | None = None  #: the record of step ``_t``, once made
        self._install(self._layout(cell, self.length))

    # -- what it holds ----------------------------------------------------------
    @property
    def cell(self) -> Cell:
        return self._cell

    @property
    def inputs(self) -> Array:
        """The input sequence, (T, I), read-only."""
        return self._inputs

    @property
    def t(self) -> int:
        """Steps taken: 0 before the first step, ``length`` at the end."""
        return self._t

    @property
    def length(self) -> int:
        return len(self._inputs)

    @property
    def at_end(self) -> bool:
        return self._t == self.length

    @property
    def computed(self) -> int:
        """Steps held in the history (can be more than ``t`` after stepping back)."""
        return len(self._rows)

    @property
    def history_bytes(self) -> int:
        """Bytes the history array holds now (its reserved rows, not only the used ones)."""
        return self._rows.nbytes

    @property
    def row_bytes(self) -> int:
        """Bytes one step takes in the history."""
        return 8 * self._width

    # -- moving ------------------------------------------------------------------
    def step(self) -> Record:
        """Take the next step and return its record."""
        if self.at_end:
            raise SessionError(f"already at the end of the sequence (step {self.length})")
        fresh = self._compute_to(self._t + 1)
        self._t += 1
        self._current = fresh if fresh is not None else self.record(self._t)
        return self._current

    def back(self) -> Record | None:
        """Undo the last step exactly; returns the record now current (None at t = 0)."""
        if self._t == 0:
            raise SessionError("already at the start (t = 0)")
        self._t -= 1
        return self.current

    def reset(self) -> None:
        self._t = 0

    def seek(self, t: int) -> Record | None:
        if not 0 <= t <= self.length:
            raise SessionError(f"step {t} is outside 0..{self.length}")
        fresh = self._compute_to(t)
        if t != self._t:
            self._t = t
            self._current = fresh
        return self.current

    def extend(self, upto: int) -> None:
        """Compute the history up to step ``upto`` without moving ``t``: a long run can be
        computed a chunk at a time, and the cursor moved with ``seek`` once it is there."""
        if not 0 <= upto <= self.length:
            raise SessionError(f"step {upto} is outside 0..{self.length}")
        self._compute_to(upto)

    def run_to_end(self) -> Record | None:
        return self.seek(self.length)

    # -- reading -----------------------------------------------------------------
    @property
    def current(self) -> Record | None:
        """The record of step ``t`` (None at t = 0); made once, then kept."""
        if self._t == 0:
            return None
        if self._current is None or self._current.t != self._t:
            self._current = self.record(self._t)
        return self._current

    def record(self, t: int) -> Record:
        """The full record of step ``t`` (1-based), rebuilt from the history."""
        if not 1 <= t <= len(self._rows):
            raise SessionError(f"step {t} has not been computed (computed: {len(self._rows)})")
        row = self._rows.rows[t - 1]
        pre = row[: self._n_pre].copy()
        return self._cell.pointwise(t, self._inputs[t - 1].copy(), pre, self.state_at(t - 1))

    def state_at(self, t: int) -> dict[str, Array]:
        """The state after step ``t`` (the initial zeros for t = 0), as fresh arrays."""
        if t == 0:
            return self._cell.initial_state()
        row = self._rows.rows[t - 1]
        return {name: row[sl].reshape(shape).copy() for name, sl, shape in self._state_slices}

    @property
    def state(self) -> dict[str, Array]:
        return self.state_at(self._t)

    def series(self, name: str, upto: int | None = None) -> Array:
        """A state over steps 1..upto (default: ``t``) as an array (steps, *shape), read-only."""
        end = self._t if upto is None else upto
        for state_name, sl, shape in self._state_slices:
            if state_name == name:
                view = self._rows.rows[:end, sl].reshape((end, *shape))
                view.flags.writeable = False
                return view
        raise KeyError(f"{self._cell.kind} has no state {name!r}")

    # -- changing ----------------------------------------------------------------
    def set_inputs(self, inputs: npt.ArrayLike) -> None:
        """Replace the sequence; the history is kept where it is unchanged, and recomputed
        to the current ``t`` (clamped to the new length). If that fails (``StepOverflow``),
        nothing is changed."""
        new = self._checked(inputs, self._cell)
        check_history_size(len(new), self.row_bytes)
        same = min(len(new), len(self._inputs))
        differs = np.flatnonzero(np.any(new[:same] != self._inputs[:same], axis=1))
        keep = int(differs[0]) if len(differs) else same
        target = min(self._t, len(new))
        rows, computed = self._rows, len(self._rows)
        # the rows the recomputation writes over, to put back if it fails
        overwritten = rows.rows[keep:target].copy()
        old = self._inputs, self._current
        self._inputs = new
        rows.truncate(keep)
        try:
            fresh = self._compute_to(target)
        except BaseException:
            rows.restore(computed)
            rows.rows[keep:target] = overwritten
            self._inputs, self._current = old
            raise
        self._t, self._current = target, fresh

    def append_input(self, x: npt.ArrayLike) -> None:
        """Add one step to the end of the sequence (live input)."""
        row = check_inputs([list(np.atleast_1d(np.asarray(x, dtype=float)))], self._cell.input_size)
        self.set_inputs(np.vstack([self._inputs, row]))

    def set_cell(self, cell: Cell) -> None:
        """Replace the cell (new weights, or another kind); the history is recomputed to
        ``t``. If that fails (``StepOverflow``), nothing is changed."""
        self._checked(self._inputs, cell)
        layout = self._layout(cell, self.length)
        old_cell, old_current, old_layout, old_rows = (
            self._cell, self._current, (self._n_pre, self._state_slices, self._width), self._rows
        )  # fmt: skip
        self._cell = cell
        self._install(layout)
        try:
            fresh = self._compute_to(self._t)
        except BaseException:
            self._cell, self._current = old_cell, old_current
            self._install(old_layout, old_rows)
            raise
        self._current = fresh

    def set_weight(self, key: str, value: npt.ArrayLike) -> None:
        """Replace one weight array of the cell (validated)."""
        self.set_cell(self._cell.with_params(**{key: value}))

    # -- inside --------------------------------------------------------------------
    @staticmethod
    def _checked(inputs: npt.ArrayLike, cell: Cell) -> Array:
        try:
            array = check_inputs(inputs, cell.input_size)
        except ValueError as exc:
            raise SessionError(str(exc)) from None
        array.flags.writeable = False
        return array

    @staticmethod
    def _layout(cell: Cell, length: int) -> Layout:
        """The history row of ``cell``; refused if ``length`` such rows would pass the limit."""
        slices = []
        start = cell.n_pre
        for var in cell.states:
            shape = var.shape(cell.hidden_size)
            size = int(np.prod(shape))
            slices.append((var.name, slice(start, start + size), shape))
            start += size
        check_history_size(length, 8 * start)
        return cell.n_pre, slices, start

    def _install(self, layout: Layout, rows: Rows | None = None) -> None:
        """Use ``layout`` with ``rows`` for history (default: an empty one)."""
        self._n_pre: int = layout[0]
        self._state_slices: list[StateSlice] = layout[1]
        self._width: int = layout[2]
        self._rows: Rows = Rows(self._width) if rows is None else rows

    def _compute_to(self, t: int) -> Record | None:
        """Extend the history to ``t`` steps; the record of step ``t`` if it was computed
        now (None if it already was). A step that overflows raises ``StepOverflow`` and
        is not kept: the history ends before it."""
        cell = self._cell
        if len(self._rows) >= t:
            return None
        state = self.state_at(len(self._rows))
        record = None
        # An overflow is looked for below and said with its step: NumPy's own warnings
        # would only print over the dashboard (or before the CLI's one-line error).
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            while len(self._rows) < t:
                n = len(self._rows)
                x = self._inputs[n]
                pre = cell.preactivate(x, state)
                record = cell.pointwise(n + 1, x, pre, state)
                state = cell.state_of(record)
                row = self._rows.append()
                row[: self._n_pre] = pre
                for name, sl, _ in self._state_slices:
                    row[sl] = state[name].ravel()
                if not np.isfinite(row).all():
                    self._rows.pop()
                    raise StepOverflow(n + 1, cell.title, self._first_non_finite(row))
        return record

    def _first_non_finite(self, row: Array) -> str:
        """What overflowed first in ``row``: "pre-activation" if one is not finite (all
        else follows from them), else the first such state, h last (it is made from the
        others)."""
        if not np.isfinite(row[: self._n_pre]).all():
            return "pre-activation"
        slices = sorted(self._state_slices, key=lambda entry: entry[0] == "h")
        return next(name for name, sl, _ in slices if not np.isfinite(row[sl]).all())
