"""Reference traces (tests/data, copied from shared/reference), how to compare with them,
and the checks every cell kind shares."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as npst

import lstm_engine
from lstm_engine import Session, trace
from lstm_engine.cells.base import Cell, Record, State
from lstm_engine.equations import lines as equation_text
from lstm_engine.numbers import number

DATA = Path(__file__).parent / "data"


def cases(kind: str) -> list[str]:
    """Names of the reference cases of one cell kind."""
    names = []
    for path in sorted(DATA.glob("*.json")):
        if json.loads(path.read_text())["cell"] == kind:
            names.append(path.stem)
    return names


def expected(name: str) -> dict[str, Any]:
    return json.loads((DATA / f"{name}.json").read_text())


def weights(name: str) -> Path:
    return DATA / f"{name}.npz"


def max_difference(got: Any, want: Any, where: str = "") -> tuple[float, str]:
    """The largest absolute difference between two JSON-like values, and where it is.

    Keys must match exactly; a missing or extra key counts as an infinite difference.
    """
    if isinstance(want, dict):
        if not isinstance(got, dict) or set(got) != set(want):
            return float("inf"), f"{where}: keys {sorted(got) if isinstance(got, dict) else got}"
        worst = (0.0, where)
        for key in want:
            worst = max(worst, max_difference(got[key], want[key], f"{where}.{key}"))
        return worst
    if isinstance(want, list) and want and isinstance(want[0], dict):
        if not isinstance(got, list) or len(got) != len(want):
            return float("inf"), f"{where}: {len(got)} items, expected {len(want)}"
        worst = (0.0, where)
        for k, (g, w) in enumerate(zip(got, want, strict=True)):
            worst = max(worst, max_difference(g, w, f"{where}[{k}]"))
        return worst
    got_arr, want_arr = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if got_arr.shape != want_arr.shape:
        return float("inf"), f"{where}: shape {got_arr.shape} != {want_arr.shape}"
    if got_arr.size == 0:
        return 0.0, where
    return float(np.max(np.abs(got_arr - want_arr))), where


# -- checks every cell kind shares (the tests of each cell call them) ------------


def check_reference_case(name: str, cls: type[Cell], tolerance: float = 1e-10) -> float:
    """Step a reference case through ``load`` and a ``Session``, export every step as a
    JSON trace, and compare it with the reference: same schema (keys in the same order),
    every number within ``tolerance``. Returns the largest difference."""
    want = expected(name)
    cell = lstm_engine.load(weights(name))
    assert type(cell) is cls
    session = Session(cell, want["inputs"])
    session.run_to_end()
    got = trace.trace_json(
        cell, session.inputs, [session.record(t) for t in range(1, session.t + 1)]
    )
    for key in ("cell", "input_size", "hidden_size"):
        assert got[key] == want[key], key
    assert len(got["steps"]) == len(want["steps"]) == len(want["inputs"])
    for mine, theirs in zip(got["steps"], want["steps"], strict=True):
        assert list(mine) == list(theirs)
        assert list(mine["gates"]) == list(theirs["gates"])
    difference, where = max_difference(got["steps"], want["steps"])
    assert difference <= tolerance, where
    return difference


def random_cells(cls: type[Cell], bound: float, max_input: int = 3, max_hidden: int = 4):
    """Hypothesis strategy: a cell of ``cls`` whose every weight is drawn from [-bound, bound]."""

    @st.composite
    def draw_cell(draw: st.DrawFn) -> Cell:
        input_size = draw(st.integers(1, max_input))
        hidden_size = draw(st.integers(1, max_hidden))
        elements = st.floats(-bound, bound, allow_nan=False, allow_infinity=False)
        return cls(
            {
                key: draw(npst.arrays(np.float64, shape, elements=elements))
                for key, shape in cls.param_shapes(input_size, hidden_size).items()
            }
        )

    return draw_cell()


def input_rows(input_size: int, bound: float, max_steps: int = 8):
    """Hypothesis strategy: an input sequence (T, I) with |x| <= bound."""
    steps = st.integers(1, max_steps)
    elements = st.floats(-bound, bound, allow_nan=False, allow_infinity=False)
    return steps.flatmap(lambda T: npst.arrays(np.float64, (T, input_size), elements=elements))


@contextmanager
def strict_numerics() -> Iterator[None]:
    """Overflow, invalid operations, division by zero and any warning become errors.
    Underflow to 0 stays allowed: it is the right answer for exp of a very negative number."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            yield


def assert_gates_in_range(cell: Cell, record: Record) -> None:
    """Each gate has its declared shape and lies in its declared [low, high]."""
    for gate in cell.gates:
        value = getattr(record, gate.symbol)
        assert value.shape == ((1,) if gate.scalar else (cell.hidden_size,)), gate.name
        assert np.all((gate.low <= value) & (value <= gate.high)), (gate.name, value)


def run_strictly(cell: Cell, inputs: np.ndarray) -> list[Record]:
    """Step a session through ``inputs``, run ``forward`` on them and write out the
    equations of every step, with no warning allowed; every record field (but the
    cell's ``display_only`` ones) and every output is finite, and every gate is in
    its range. Returns the records."""
    with strict_numerics():
        session = Session(cell, inputs)
        records = [session.step() for _ in range(session.length)]
        hs, final = cell.forward(inputs[:, None, :])
        shown = [
            [equation_text(cell, r, unit) for unit in range(cell.hidden_size)] for r in records
        ]
    # the equations panel: as many lines at every step, the last one giving h
    assert len({len(lines) for per_unit in shown for lines in per_unit}) == 1
    for record, per_unit in zip(records, shown, strict=True):
        for unit, lines in enumerate(per_unit):
            assert lines[-1].startswith("h = ") and lines[-1].endswith(number(record.h[unit]))
    for record in records:
        for name, value in record.arrays().items():
            if name not in cell.display_only:
                assert np.all(np.isfinite(value)), (name, record.t, value)
        assert_gates_in_range(cell, record)
    assert np.all(np.isfinite(hs))
    assert all(np.all(np.isfinite(v)) for v in final.values())
    return records


def assert_forward_is_the_step_path(cell: Cell, inputs: np.ndarray, start: State) -> None:
    """``forward`` on a batch (T, B, I) from ``start`` (batched) equals stepping each
    sequence of the batch alone with ``Cell.step``: the hidden states, and the final
    state of every prefix of the sequence (so states that later steps wash out count)."""
    steps, batch, _ = inputs.shape
    h_steps = np.empty((steps, batch, cell.hidden_size))
    states: list[list[dict[str, np.ndarray]]] = [[] for _ in range(steps)]
    for b in range(batch):
        state = {name: np.array(value[b]) for name, value in start.items()}
        for t in range(steps):
            state = cell.state_of(cell.step(inputs[t, b], state, t + 1))
            h_steps[t, b] = state["h"]
            states[t].append(state)
    for T in range(1, steps + 1):
        hs, final = cell.forward(inputs[:T], start)
        assert hs.shape == (T, batch, cell.hidden_size)
        np.testing.assert_allclose(hs, h_steps[:T], rtol=1e-12, atol=1e-13)
        for b, state in enumerate(states[T - 1]):
            for name, value in state.items():
                np.testing.assert_allclose(final[name][b], value, rtol=1e-12, atol=1e-13)


def running_states(cell: Cell, batch: int, seed: int) -> dict[str, np.ndarray]:
    """A batch of states reached by running the cell on random inputs, the first one
    left at zeros so the batch mixes a fresh start with running sequences."""
    warm_up = np.random.default_rng(seed).normal(0.0, 2.0, (5, batch, cell.input_size))
    _, state = cell.forward(warm_up)
    for value in state.values():
        value[0] = 0.0
    return state


def assert_seeded_init(cls: type[Cell]) -> None:
    """``init`` is a function of its arguments, differs between seeds, has the asked sizes."""
    for input_size, hidden_size in ((1, 1), (2, 3), (5, 8)):
        cell = cls.init(input_size, hidden_size, 7)
        assert (cell.input_size, cell.hidden_size) == (input_size, hidden_size)
        assert cell == cls.init(input_size, hidden_size, 7)
        assert cell != cls.init(input_size, hidden_size, 8)


def assert_round_trip(cell: Cell, path: Path) -> None:
    """``save`` then ``load`` (kind read off the keys) gives the same weights, bit for bit."""
    lstm_engine.save(cell, path)
    loaded = lstm_engine.load(path)
    assert type(loaded) is type(cell) and loaded == cell
    for key, value in cell.params.items():
        assert loaded.params[key].dtype == value.dtype and loaded.params[key].shape == value.shape
        assert np.array_equal(loaded.params[key], value)
