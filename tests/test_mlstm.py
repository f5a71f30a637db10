"""The mLSTM: the reference traces, the paper's unstabilised equations, and its properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lstm_engine import Session
from lstm_engine.cells import MLSTMCell

from reference import (
    assert_forward_is_the_step_path,
    input_rows,
    random_cells,
    run_strictly,
    running_states,
)

EPS = 1e-6  # the official recurrent step's


def paper_mlstm(params: dict[str, np.ndarray], xs: np.ndarray) -> list[dict[str, np.ndarray]]:
    """The mLSTM of Beck et al. (2024) with plain exponentials: the input gate is
    exp(i_raw), the forget gate sigmoid(f_raw), and C, n grow with them.

    M stands for exp(m): the stabiliser the cell would use, max(f M_prev, exp(i_raw))
    from M = 1. The cell's stabilised values are these divided by M; its eps, added in
    those units, is eps M here.
    """
    p = params
    H = p["W_q"].shape[0]
    C, n, M_prev = np.zeros((H, H)), np.zeros(H), 1.0
    steps = []
    for x in xs:
        q, k, v = (p[f"W_{s}"] @ x + p[f"b_{s}"] for s in "qkv")
        i = np.exp(p["w_i"] @ x + p["b_i"])
        f = 1.0 / (1.0 + np.exp(-(p["w_f"] @ x + p["b_f"])))
        o = 1.0 / (1.0 + np.exp(-(p["W_o"] @ x + p["b_o"])))
        C = f * C + i * np.outer(k, v)
        n = f * n + i * k
        M = max(f * M_prev, i)
        qs = q / np.sqrt(H)
        h = o * (qs @ C) / (max(abs(qs @ n), 1.0) + EPS * M)
        steps.append(
            {
                "h": h,
                "C": C / M,
                "n": n / M,
                "m": np.log([M]),
                "i": [i / M],
                "f": [f * M_prev / M],
                "q": q,
                "k": k,
                "v": v,
                "scale": o * (np.abs(qs) @ np.abs(C)) / (max(abs(qs @ n), 1.0) + EPS * M),
            }
        )
        M_prev = M
    return steps


@settings(max_examples=80, deadline=None)
@given(cell=random_cells(MLSTMCell, 2.0), data=st.data())
def test_stabilised_cell_is_the_paper_cell(cell: MLSTMCell, data: st.DataObject) -> None:
    xs = data.draw(input_rows(cell.input_size, 3.0))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        paper = paper_mlstm(dict(cell.params), xs)
    assume(all(np.all(np.isfinite(v)) for step in paper for v in step.values()))
    session = Session(cell, xs)
    for want in paper:
        got = session.step()
        for field in ("C", "n", "i", "f", "q", "k", "v"):
            np.testing.assert_allclose(getattr(got, field), want[field], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(got.m, want["m"], rtol=0, atol=1e-9)
        # h is a sum of products that may cancel: compare on the scale of its terms
        error = np.abs(got.h - want["h"])
        assert np.all(error <= 1e-9 * np.abs(want["h"]) + 1e-12 * (1 + want["scale"])), error


@settings(max_examples=60, deadline=None)
@given(cell=random_cells(MLSTMCell, 1e4), data=st.data())
def test_huge_inputs_stay_finite_without_warnings(cell: MLSTMCell, data: st.DataObject) -> None:
    xs = data.draw(input_rows(cell.input_size, 1e6))
    for r in run_strictly(cell, xs):
        assert r.C.shape == (cell.hidden_size,) * 2 and r.m.shape == (1,)
        qs_C = r.qs @ r.C
        if r.m[0] > -700:
            # where exp(-m) is a float, the rescaled quotient is the plain formula, to the
            # rounding of a dot product: relative to its terms, not to a sum that cancels
            den = max(abs(r.qs @ r.n), np.exp(-r.m[0])) + EPS
            terms = np.abs(r.qs) @ np.abs(r.C)
            error = np.abs(r.h - r.o * qs_C / den)
            assert np.all(error <= 1e-13 * np.abs(r.h) + 1e-14 * r.o * terms / den + 1e-300)
        else:
            # past it, h ~ qs C exp(m), below any float but 0
            assert np.all(np.abs(r.h) <= np.abs(qs_C) * 1e-300)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), data=st.data())
def test_default_cell_on_huge_inputs(seed: int, data: st.DataObject) -> None:
    cell = MLSTMCell.init(2, 3, seed)
    run_strictly(cell, data.draw(input_rows(2, 1e6)))


@pytest.mark.parametrize(("b_i", "b_f"), [(-1500.0, -2000.0), (-720.0, -800.0), (720.0, 3.0)])
def test_extreme_gate_biases(b_i: float, b_f: float) -> None:
    """m follows i_raw far past where exp(-m) or exp(i_raw) exist as floats."""
    cell = MLSTMCell.init(2, 3, 1).with_params(b_i=b_i, b_f=b_f)
    records = run_strictly(cell, np.random.default_rng(0).normal(0, 2, (6, 2)))
    for r in records[1:]:
        assert abs(r.m[0] - b_i) < 50


def test_no_recurrence_through_h() -> None:
    cell = MLSTMCell.init(2, 3, 4)
    state = cell.state_of(cell.step([0.3, -0.7]))
    other = {**state, "h": np.array([5.0, -3.0, 2.0])}
    a, b = cell.step([1.1, 0.4], state), cell.step([1.1, 0.4], other)
    for name, value in a.arrays().items():
        if name != "h_prev":
            np.testing.assert_array_equal(getattr(b, name), value)


@pytest.mark.parametrize("batch", [1, 3, 8])
def test_forward_is_the_step_path(batch: int) -> None:
    cell = MLSTMCell.init(3, 4, batch)
    inputs = np.random.default_rng(batch).normal(0.0, 2.0, (9, batch, 3))
    assert_forward_is_the_step_path(cell, inputs, running_states(cell, batch, seed=batch))
    assert_forward_is_the_step_path(cell, inputs, cell.initial_state(batch))


def test_init_follows_the_official_one_with_listening_gates() -> None:
    cell = MLSTMCell.init(4, 5, 3)
    p = cell.params
    assert p["b_i"].shape == () and p["b_f"].shape == ()
    assert p["b_i"] == 0.0 and p["b_f"] == 3.0
    for key in ("b_q", "b_k", "b_v", "b_o"):
        assert not p[key].any()
    for key in ("W_q", "W_k", "W_v", "W_o", "w_i", "w_f"):
        assert p[key].std() > 0
