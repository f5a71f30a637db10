"""The sLSTM: the reference traces, the paper's unstabilised equations, and its properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as npst

from lstm_engine import Session
from lstm_engine.cells import SLSTMCell

from reference import (
    assert_forward_is_the_step_path,
    input_rows,
    random_cells,
    run_strictly,
    running_states,
)

#: Largest argument of exp that float64 can hold.
LOG_MAX = np.log(np.finfo(np.float64).max)


def paper_slstm(params: dict[str, np.ndarray], xs: np.ndarray) -> list[dict[str, np.ndarray]]:
    """The sLSTM of Beck et al. (2024) with plain exponentials: the input gate is
    exp(i_raw), the forget gate sigmoid(f_raw), and c, n grow with them.

    M stands for exp(m): the stabiliser the cell would use, i.e. the largest gate still
    remembered (M = exp(i_raw) on the first step, then max(f M_prev, exp(i_raw))). The
    cell's stabilised values are these divided by M.
    """
    W, R, b = params["W"], params["R"], params["b"]
    H = R.shape[1]
    h, c, n = np.zeros(H), np.zeros(H), np.zeros(H)
    M_prev = np.ones(H)  # exp(0): m starts at 0
    steps = []
    for t, x in enumerate(xs):
        i_raw, f_raw, z_raw, o_raw = np.split(W @ x + R @ h + b, 4)
        i = np.exp(i_raw)
        f = 1.0 / (1.0 + np.exp(-f_raw))
        c = f * c + i * np.tanh(z_raw)
        n = f * n + i
        h = c / n / (1.0 + np.exp(-o_raw))
        M = i if t == 0 else np.maximum(f * M_prev, i)
        steps.append(
            {
                "h": h,
                "c": c / M,
                "n": n / M,
                "m": np.log(M),
                "i": i / M,
                "f": np.minimum(f * M_prev / M, 1.0),
                "exp_i": i,
            }
        )
        M_prev = M
    return steps


@settings(max_examples=80, deadline=None)
@given(cell=random_cells(SLSTMCell, 5.0), data=st.data())
def test_stabilised_cell_is_the_paper_cell(cell: SLSTMCell, data: st.DataObject) -> None:
    xs = data.draw(input_rows(cell.input_size, 30.0))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        paper = paper_slstm(dict(cell.params), xs)
    assume(all(np.all(np.isfinite(v)) for step in paper for v in step.values()))
    session = Session(cell, xs)
    for want in paper:
        got = session.step()
        for field in ("h", "c", "n", "i", "f"):
            np.testing.assert_allclose(getattr(got, field), want[field], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(got.m, want["m"], rtol=0, atol=1e-9)
        np.testing.assert_allclose(got.exp_i, want["exp_i"], rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(cell=random_cells(SLSTMCell, 1e4), data=st.data())
def test_huge_inputs_stay_finite_without_warnings(cell: SLSTMCell, data: st.DataObject) -> None:
    xs = data.draw(input_rows(cell.input_size, 1e6))
    records = run_strictly(cell, xs)
    for r in records:
        assert np.all(r.n >= 1.0)  # one of i, f is exactly 1 at every step
        assert np.all(np.abs(r.h) <= 1.0 + 1e-12)  # |c| <= n
        # exp_i is exp(i_raw) where float64 holds it, inf past that, never NaN
        big = r.i_raw > LOG_MAX
        assert np.all(r.exp_i[big] == np.inf)
        np.testing.assert_array_equal(r.exp_i[~big], np.exp(r.i_raw[~big]))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), data=st.data())
def test_default_cell_on_huge_inputs(seed: int, data: st.DataObject) -> None:
    cell = SLSTMCell.init(2, 3, seed)
    run_strictly(cell, data.draw(input_rows(2, 1e6)))


def test_raw_input_gate_overflows_to_inf_for_display_only() -> None:
    base = SLSTMCell.init(1, 2, 0)
    b = base.params["b"].copy()
    b[:2] = [800.0, -800.0]
    cell = base.with_params(b=b)
    xs = np.array([[1.0], [-2.0], [0.5]])
    records = run_strictly(cell, xs)
    plain = Session(base, xs)
    for r in records:
        assert r.exp_i[0] == np.inf and 0.0 <= r.exp_i[1] < 1e-300
        # the input-gate bias is absorbed by m: the rest is the zero-bias cell's
        np.testing.assert_allclose(r.h, plain.step().h, rtol=1e-12, atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(cell=random_cells(SLSTMCell, 3.0), data=st.data())
def test_input_gate_bias_only_moves_m(cell: SLSTMCell, data: st.DataObject) -> None:
    """exp(i_raw + s) = exp(s) exp(i_raw): a shift of the input-gate bias is absorbed by
    the stabiliser, so m moves by it and nothing else does, but the forget gate of the
    first step (measured against m_prev = 0, and multiplying zero states)."""
    H = cell.hidden_size
    shift = data.draw(npst.arrays(np.float64, H, elements=st.floats(-300, 300)))
    b = cell.params["b"].copy()
    b[:H] += shift
    shifted = cell.with_params(b=b)
    xs = data.draw(input_rows(cell.input_size, 10.0))
    one, other = Session(cell, xs), Session(shifted, xs)
    while not one.at_end:
        r, s = one.step(), other.step()
        np.testing.assert_allclose(
            s.m - r.m, shift, rtol=0, atol=1e-12 * (301 + np.max(np.abs(r.m)))
        )
        for field in ("h", "c", "n", "i", "z", "o") + (("f",) if r.t > 1 else ()):
            np.testing.assert_allclose(getattr(s, field), getattr(r, field), rtol=1e-9, atol=1e-10)


def test_first_step_starts_the_stabiliser_at_the_input_gate() -> None:
    cell = SLSTMCell.init(2, 3, 5)
    r = cell.step([0.4, -1.2])
    np.testing.assert_array_equal(r.m, r.i_raw)
    np.testing.assert_array_equal(r.i, np.ones(3))
    np.testing.assert_array_equal(r.n, np.ones(3))
    np.testing.assert_allclose(r.h, r.o * np.tanh(r.z_raw), rtol=1e-15)


@pytest.mark.parametrize("batch", [1, 3, 8])
def test_forward_is_the_step_path(batch: int) -> None:
    cell = SLSTMCell.init(3, 4, batch)
    inputs = np.random.default_rng(batch).normal(0.0, 2.0, (9, batch, 3))
    assert_forward_is_the_step_path(cell, inputs, running_states(cell, batch, seed=batch))
    assert_forward_is_the_step_path(cell, inputs, cell.initial_state(batch))


def test_init_follows_the_official_small_init() -> None:
    H = 6
    cell = SLSTMCell.init(4, H, 3)
    b = cell.params["b"]
    np.testing.assert_array_equal(b[H : 2 * H], np.linspace(3.0, 6.0, H))
    assert not b[:H].any() and not b[2 * H :].any()
    assert np.all(np.abs(cell.params["R"]) <= 1 / np.sqrt(H))
    assert cell.params["W"].std() > 0 and cell.params["R"].std() > 0
