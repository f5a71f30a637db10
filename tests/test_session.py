"""Sessions: stepping, exact rewinds, edits that recompute, and compact history."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_engine import LSTMCell, Session, SessionError
from lstm_engine.session import Rows


def seed_session() -> Session:
    return Session(LSTMCell.init(1, 1, 42), [[5.0], [1.9], [2.0]])


def same_record(a, b) -> bool:
    return a.t == b.t and all(
        np.array_equal(v, w) for v, w in zip(a.arrays().values(), b.arrays().values(), strict=True)
    )


def test_step_back_reset_seek() -> None:
    s = seed_session()
    assert (s.t, s.length, s.current) == (0, 3, None)
    first = s.step()
    assert first.t == 1 and s.t == 1
    second = s.step()
    assert s.back() is not None and s.t == 1
    assert same_record(s.current, first)
    assert same_record(s.step(), second)
    s.reset()
    assert s.t == 0 and s.current is None
    last = s.seek(3)
    assert last.t == 3 and s.at_end
    assert s.seek(0) is None


def test_errors_change_nothing() -> None:
    s = seed_session()
    with pytest.raises(SessionError, match="start"):
        s.back()
    s.run_to_end()
    with pytest.raises(SessionError, match="end of the sequence"):
        s.step()
    with pytest.raises(SessionError, match="outside"):
        s.seek(4)
    assert s.t == 3
    with pytest.raises(SessionError):
        s.set_inputs([[1.0, 2.0]])  # wrong width
    with pytest.raises(SessionError):
        s.set_inputs([[float("nan")]])
    assert s.t == 3 and s.inputs.tolist() == [[5.0], [1.9], [2.0]]


def test_state_is_restored_bit_for_bit() -> None:
    s = Session(LSTMCell.init(2, 4, 3), np.random.RandomState(0).randn(20, 2))
    for _ in range(7):
        s.step()
    before = s.state
    s.step()
    s.back()
    after = s.state
    assert all(np.array_equal(before[k], after[k]) for k in before)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    moves=st.lists(st.sampled_from(["step", "back", "reset", "end"]), max_size=30),
)
def test_any_walk_gives_the_records_of_a_straight_run(seed: int, moves: list[str]) -> None:
    inputs = np.random.RandomState(seed).randn(8, 2) * 3
    straight = Session(LSTMCell.init(2, 3, seed), inputs)
    records = [None] + [straight.step() for _ in range(8)]
    walker = Session(LSTMCell.init(2, 3, seed), inputs)
    for move in moves:
        if move == "step" and not walker.at_end:
            walker.step()
        elif move == "back" and walker.t:
            walker.back()
        elif move == "reset":
            walker.reset()
        elif move == "end":
            walker.run_to_end()
        if walker.t:
            assert same_record(walker.current, records[walker.t])
            assert np.array_equal(walker.state["c"], records[walker.t].c)


def test_record_rebuilt_equals_the_cell_step() -> None:
    cell = LSTMCell.init(1, 2, 9)
    s = Session(cell, [[1.0], [-2.0], [0.5]])
    s.run_to_end()
    state = None
    for t in range(1, 4):
        r = cell.step(s.inputs[t - 1], state, t=t)
        assert same_record(s.record(t), r)
        state = cell.state_of(r)


def test_series_follows_t() -> None:
    s = seed_session()
    s.run_to_end()
    s.back()
    h = s.series("h")
    assert h.shape == (2, 1)
    assert h[1, 0] == s.current.h[0]
    with pytest.raises(KeyError):
        s.series("n")


def test_replacing_inputs_recomputes_to_the_same_t() -> None:
    s = seed_session()
    s.seek(2)
    s.set_inputs([[5.0], [1.0], [9.0], [2.0]])
    assert s.t == 2 and s.length == 4
    assert round(float(s.current.h[0]), 4) == 0.0856
    s.set_inputs([[5.0]])
    assert s.t == 1 and s.length == 1


def test_append_input_extends_the_sequence() -> None:
    s = seed_session()
    s.run_to_end()
    s.append_input(9.0)
    assert s.length == 4 and s.t == 3
    record = s.step()
    assert record.x.tolist() == [9.0]


def test_replacing_weights_recomputes_to_the_same_t() -> None:
    s = seed_session()
    s.seek(2)
    old_h = s.current.h.copy()
    s.set_weight("bias_ih", np.full(4, 0.5))
    assert s.t == 2
    assert not np.array_equal(s.current.h, old_h)
    fresh = Session(s.cell, s.inputs)
    fresh.seek(2)
    assert same_record(fresh.current, s.current)
    with pytest.raises(ValueError, match="bias_ih"):
        s.set_weight("bias_ih", np.zeros(3))
    with pytest.raises(ValueError):
        s.set_weight("nope", 1.0)
    assert s.cell.params["bias_ih"].tolist() == [0.5] * 4


def test_another_cell_must_fit_the_inputs() -> None:
    s = seed_session()
    with pytest.raises(SessionError, match="input size"):
        s.set_cell(LSTMCell.init(2, 1, 0))
    s.seek(3)
    s.set_cell(LSTMCell.init(1, 3, 0))
    assert s.t == 3 and s.current.h.shape == (3,)


def test_rows_grow_geometrically_and_keep_their_contents() -> None:
    rows = Rows(3, capacity=2)
    for k in range(9):
        rows.append()[:] = k
    assert len(rows) == 9 and rows.nbytes == 16 * 3 * 8
    assert rows.rows[:, 0].tolist() == list(range(9))
    rows.truncate(4)
    assert len(rows) == 4


def test_hundred_thousand_steps_at_h8_fit_in_100_mb() -> None:
    """The history is one array, so its size is what it holds; benchmarks/session_memory.py
    measures the peak of the whole run with tracemalloc."""
    s = Session(LSTMCell.init(1, 8, 42), np.random.RandomState(1).randn(100_000, 1))
    s.run_to_end()
    assert s.t == 100_000
    assert s.history_bytes + s.inputs.nbytes <= 100 * 2**20
    # Rewinding deep into a long history is exact too.
    s.seek(50_000)
    assert np.array_equal(s.current.c, s.state_at(50_000)["c"])
    assert np.array_equal(s.series("c")[-1], s.current.c)
