"""The peephole LSTM: the reference traces, its equations, and its shared properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_engine import LSTMCell, Session
from lstm_engine.cells import PeepholeLSTMCell

from reference import (
    assert_forward_is_the_step_path,
    input_rows,
    random_cells,
    run_strictly,
    running_states,
)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def test_step_equations_hold_in_the_record() -> None:
    """Written out from Gers & Schmidhuber: i and f peek at c_prev, o at the new c."""
    cell = PeepholeLSTMCell.init(2, 3, 1)
    p = cell.params
    h_prev, c_prev = np.array([0.3, -0.6, 0.9]), np.array([1.5, -2.0, 0.7])
    x = np.array([0.5, -1.5])
    r = cell.step(x, {"h": h_prev, "c": c_prev})
    W = p["weight_ih"] @ x + p["weight_hh"] @ h_prev + p["bias_ih"] + p["bias_hh"]
    a_i, a_f, a_g, a_o = np.split(W, 4)
    i = sigmoid(a_i + p["peephole_i"] * c_prev)
    f = sigmoid(a_f + p["peephole_f"] * c_prev)
    g = np.tanh(a_g)
    c = f * c_prev + i * g
    o = sigmoid(a_o + p["peephole_o"] * c)
    for got, want in [(r.i, i), (r.f, f), (r.g, g), (r.c, c), (r.o, o), (r.h, o * np.tanh(c))]:
        np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-15)
    # the peephole terms, shown apart, and the gates' whole pre-activations
    np.testing.assert_allclose(r.pc_i, p["peephole_i"] * c_prev, rtol=1e-15)
    np.testing.assert_allclose(r.pc_f, p["peephole_f"] * c_prev, rtol=1e-15)
    np.testing.assert_allclose(r.pc_o, p["peephole_o"] * c, rtol=1e-14)
    for gate in cell.gates:
        pre = getattr(r, gate.pre)
        act = np.tanh if gate.activation == "tanh" else sigmoid
        np.testing.assert_allclose(act(pre), getattr(r, gate.symbol), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(r.z_o, a_o + p["peephole_o"] * c, rtol=1e-14, atol=1e-15)


def test_output_gate_peeks_at_the_new_cell_state() -> None:
    """Only p_o set: the output gate moves with c, not with c_prev."""
    base = PeepholeLSTMCell.init(1, 2, 3)
    cell = base.with_params(peephole_i=np.zeros(2), peephole_f=np.zeros(2), peephole_o=[4.0, -4.0])
    r = cell.step([1.0], {"h": np.zeros(2), "c": np.array([5.0, -5.0])})
    np.testing.assert_allclose(r.z_o - r.a_o, 4.0 * r.c * [1, -1], rtol=1e-15)
    assert not np.allclose(r.z_o - r.a_o, 4.0 * r.c_prev * [1, -1])


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), data=st.data())
def test_without_peepholes_it_is_the_lstm(seed: int, data: st.DataObject) -> None:
    cell = PeepholeLSTMCell.init(2, 3, seed)
    H = cell.hidden_size
    bare = cell.with_params(**{k: np.zeros(H) for k in ("peephole_i", "peephole_f", "peephole_o")})
    lstm = LSTMCell({k: v for k, v in cell.params.items() if not k.startswith("peephole")})
    xs = data.draw(input_rows(2, 10.0))
    mine, theirs = Session(bare, xs), Session(lstm, xs)
    while not mine.at_end:
        a, b = mine.step(), theirs.step()
        for field in ("i", "f", "g", "o", "c", "h"):
            np.testing.assert_allclose(getattr(a, field), getattr(b, field), rtol=1e-13, atol=1e-15)
    hs, _ = bare.forward(xs[:, None, :])
    np.testing.assert_allclose(hs, lstm.forward(xs[:, None, :])[0], rtol=1e-13, atol=1e-15)


@settings(max_examples=60, deadline=None)
@given(cell=random_cells(PeepholeLSTMCell, 1e4), data=st.data())
def test_huge_inputs_stay_finite_without_warnings(
    cell: PeepholeLSTMCell, data: st.DataObject
) -> None:
    run_strictly(cell, data.draw(input_rows(cell.input_size, 1e6)))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), data=st.data())
def test_default_cell_on_huge_inputs(seed: int, data: st.DataObject) -> None:
    cell = PeepholeLSTMCell.init(2, 3, seed)
    records = run_strictly(cell, data.draw(input_rows(2, 1e6)))
    assert all(np.all(np.abs(r.h) <= 1) for r in records)


@pytest.mark.parametrize("batch", [1, 3, 8])
def test_forward_is_the_step_path(batch: int) -> None:
    cell = PeepholeLSTMCell.init(3, 4, batch)
    inputs = np.random.default_rng(batch).normal(0.0, 2.0, (9, batch, 3))
    assert_forward_is_the_step_path(cell, inputs, running_states(cell, batch, seed=batch))
    assert_forward_is_the_step_path(cell, inputs, cell.initial_state(batch))


def test_init_is_the_lstm_of_the_same_seed_plus_peepholes() -> None:
    cell, lstm = PeepholeLSTMCell.init(2, 5, 42), LSTMCell.init(2, 5, 42)
    for key, value in lstm.params.items():
        assert np.array_equal(cell.params[key], value)
    for key in ("peephole_i", "peephole_f", "peephole_o"):
        p = cell.params[key]
        assert np.all(np.abs(p) <= 1 / np.sqrt(5)) and np.all(p != 0)
