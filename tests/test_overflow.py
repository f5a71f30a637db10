"""Numbers that never overflow silently: each cell is finite inside its documented range
(its module's docstring), and past it a step raises StepOverflow, never NaN."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_engine import Session, SessionError, StepOverflow
from lstm_engine.cells import LSTMCell, MLSTMCell, SLSTMCell
from lstm_engine.cells.base import Cell
from lstm_engine.cells.mlstm import EPS
from lstm_engine.cells.peephole import PeepholeLSTMCell
from lstm_engine.cli import main
from lstm_engine.plot import matrix_norm
from lstm_engine.session import Rows, history_limit

from reference import run_strictly

EDGE = 1e300


def signed_cell(cls: type[Cell], input_size: int, hidden_size: int, w: float, seed: int) -> Cell:
    """A cell whose every weight is +-w (random signs)."""
    rng = np.random.default_rng(seed)
    return cls(
        {
            key: w * rng.choice([-1.0, 1.0], size=shape)
            for key, shape in cls.param_shapes(input_size, hidden_size).items()
        }
    )


def uniform_cell(cls: type[Cell], input_size: int, hidden_size: int, w: float) -> Cell:
    """A cell whose every weight is +w: with positive inputs nothing cancels."""
    shapes = cls.param_shapes(input_size, hidden_size)
    return cls({key: np.full(shape, w) for key, shape in shapes.items()})


def inputs_for(seed: int, steps: int, input_size: int, x: float) -> np.ndarray:
    return x * np.random.default_rng(seed).choice([-1.0, 1.0], size=(steps, input_size))


sizes = st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 4))  # n_in, H, T
# where in the range: its edge, or a little inside; w and x shared out between them
at_edge = st.floats(0.5, 1.0)
share = st.floats(0.0, 1.0)


@pytest.mark.parametrize("cls", [LSTMCell, SLSTMCell])
@settings(max_examples=12, deadline=None)
@given(size=sizes, edge=at_edge, part=share, seed=st.integers(0, 2**16))
def test_finite_at_the_edge_of_the_range(
    cls: type[Cell], size: tuple[int, int, int], edge: float, part: float, seed: int
) -> None:
    """w x (H + I + 2) < 1e300 (the sLSTM's H + I + 1 is inside it)."""
    n_in, H, T = size
    product = EDGE * edge / (H + n_in + 2)
    x = max(1.0, product**part)
    cell = signed_cell(cls, n_in, H, product / x, seed)
    run_strictly(cell, inputs_for(seed, T, n_in, x))


@settings(max_examples=12, deadline=None)
@given(size=sizes, edge=at_edge, part=share, seed=st.integers(0, 2**16))
def test_peephole_finite_at_the_edge(
    size: tuple[int, int, int], edge: float, part: float, seed: int
) -> None:
    """w (x (H + I + 2) + T) < 1e300."""
    n_in, H, T = size
    x = max(1.0, (EDGE / (H + n_in + 2 + T)) ** (0.9 * part))
    w = EDGE * edge / (x * (H + n_in + 2) + T)
    run_strictly(signed_cell(PeepholeLSTMCell, n_in, H, w, seed), inputs_for(seed, T, n_in, x))


@settings(max_examples=12, deadline=None)
@given(size=sizes, edge=at_edge, part=share, seed=st.integers(0, 2**16))
def test_mlstm_finite_at_the_edge(
    size: tuple[int, int, int], edge: float, part: float, seed: int
) -> None:
    """sqrt(H) T P**3 < 1e294 with P = w x (I + 1): every field but the documented
    display-only ones (run_strictly checks), qs @ C included, is finite."""
    n_in, H, T = size
    P = (1e294 * edge / (np.sqrt(H) * T)) ** (1 / 3)
    x = max(1.0, (P / (n_in + 1)) ** part)
    cell = signed_cell(MLSTMCell, n_in, H, P / (x * (n_in + 1)), seed)
    records = run_strictly(cell, inputs_for(seed, T, n_in, x))
    assert all(np.isfinite(r.qC).all() and np.isfinite(r.qn).all() for r in records)


@pytest.mark.parametrize(
    ("cls", "w", "x", "state"),
    [
        (LSTMCell, 1e300, 1e10, "pre-activation"),
        (PeepholeLSTMCell, 1e300, 1e10, "pre-activation"),
        (SLSTMCell, 1e307, 1e3, "pre-activation"),
        (MLSTMCell, 1e155, 1.0, "C"),  # k v = 4e310: C holds products
    ],
)
@settings(max_examples=6, deadline=None)
@given(size=st.tuples(st.integers(1, 3), st.integers(1, 4)), more=st.floats(1.0, 1e3))
def test_beyond_the_range_a_step_overflow(
    cls: type[Cell], w: float, x: float, state: str, size: tuple[int, int], more: float
) -> None:
    n_in, H = size
    session = Session(uniform_cell(cls, n_in, H, w), np.full((3, n_in), x * more))
    with pytest.raises(StepOverflow) as caught:
        session.run_to_end()
    assert (caught.value.step, caught.value.state) == (1, state)
    assert str(caught.value) == f"overflow at step 1 ({cls.title}, {state})"
    assert session.t == 0 and session.computed == 0


def exact_h_tilde(record) -> tuple[np.ndarray, np.ndarray]:
    """The mLSTM's quotient in exact rational arithmetic from the record's numbers, and
    the size its rounding is measured against: the quotient of |qs| @ |C| (a dot
    product with cancelling terms is only as exact as its largest terms)."""
    m = float(record.m[0])
    a, floor = Fraction(np.exp(min(m, 0.0))), Fraction(np.exp(-max(m, 0.0)))
    qs = [Fraction(v) for v in record.qs]
    n = [Fraction(v) for v in record.n]
    qn = sum(q * v for q, v in zip(qs, n, strict=True))
    den = max(a * abs(qn), floor) + Fraction(EPS) * a
    size = 1 + sum(abs(q * v) for q, v in zip(qs, n, strict=True)) / max(abs(qn), floor)
    columns = range(len(qs))
    exact = [a * sum(qs[k] * Fraction(record.C[k, j]) for k in columns) / den for j in columns]
    scale = [a * sum(abs(qs[k] * Fraction(record.C[k, j])) for k in columns) / den for j in columns]
    return np.array([float(v) for v in exact]), np.array([float(v * size) for v in scale])


@pytest.mark.parametrize(
    ("w", "xs"),
    [
        (None, [[1.0], [1e150], [-3e149], [1e140]]),  # seeded H = 4: qs @ C passes float64
        (1e100, [[1e6], [-1e6], [5e5]]),  # weights of 1e100 and x = 1e6
    ],
)
def test_the_issues_mlstm_cases_are_finite_and_exact(w: float | None, xs: list) -> None:
    cell = MLSTMCell.init(1, 4, 42)
    if w is not None:
        cell = signed_cell(MLSTMCell, 1, 4, w, 0)
    session = Session(cell, xs)
    session.run_to_end()
    scaled = 0
    for t in range(1, session.t + 1):
        record = session.record(t)
        scaled += not np.isfinite(record.qC).all()
        assert np.isfinite(record.h).all() and np.isfinite(record.h_tilde).all()
        exact, scale = exact_h_tilde(record)
        assert np.all(np.abs(record.h_tilde - exact) <= 1e-14 * scale), (t, record.h_tilde, exact)
    assert scaled  # the scaled path was taken


def test_mlstm_plain_path_keeps_its_bits() -> None:
    """Where qs @ C is finite the quotient is the plain formula, to the bit."""
    cell = MLSTMCell.init(2, 3, 7)
    session = Session(cell, np.random.default_rng(0).normal(0, 3, (12, 2)))
    session.run_to_end()
    for t in range(1, 13):
        r = session.record(t)
        a = np.exp(np.minimum(r.m, 0.0))
        floor = np.exp(-np.maximum(r.m, 0.0))
        plain = a * r.qC / (np.maximum(a * np.abs(r.qn), floor) + EPS * a)
        assert np.array_equal(r.h_tilde, plain)


def test_mlstm_weights_1e75_give_a_finite_norm() -> None:
    cell = signed_cell(MLSTMCell, 1, 4, 1e75, 3)
    session = Session(cell, [[5.0], [1.9], [2.0]])
    session.run_to_end()
    norms = matrix_norm(session.series("C"))
    assert np.isfinite(norms).all() and norms.max() > 1e150


def test_slstm_weights_1e307() -> None:
    """In reach of float64 (|x| <= 5, H + I <= 6) the products fit: every step finite;
    with larger inputs a raw gate passes float64: a StepOverflow, not NaN."""
    cell = signed_cell(SLSTMCell, 1, 4, 1e307, 1)
    run_strictly(cell, np.array([[5.0], [1.9], [2.0], [-5.0]]))
    session = Session(uniform_cell(SLSTMCell, 1, 4, 1e307), [[5.0], [1e3]])
    with pytest.raises(StepOverflow, match=r"overflow at step 2 \(sLSTM \(xLSTM\), pre-act"):
        session.run_to_end()
    assert session.computed == 1 and np.isfinite(session.state_at(1)["h"]).all()


def test_mlstm_h4_input_1e150_is_finite() -> None:
    session = Session(MLSTMCell.init(1, 4, 42), [[1e150]])
    record = session.step()
    assert np.isfinite(record.h).all() and np.isfinite(session.series("C")).all()


def test_matrix_norm_is_np_linalg_norm_where_that_is_finite() -> None:
    rng = np.random.default_rng(2)
    for scale in (1e-100, 1.0, 1e100, 1e150):
        for H in (1, 3, 8):
            C = rng.normal(0, scale, (20, H, H))
            assert np.array_equal(matrix_norm(C), np.linalg.norm(C, axis=(1, 2)))
    big = np.array([[[1e300, 3e300], [0.0, 0.0]], [[1e308, 1e308], [1e308, 1e308]]])
    np.testing.assert_allclose(matrix_norm(big), [np.sqrt(10) * 1e300, np.inf])


# -- the session --------------------------------------------------------------------


def overflowing_session() -> tuple[Session, np.ndarray]:
    """An mLSTM session at t = 3 on fine inputs, and inputs whose step 2 overflows."""
    fine = np.array([[1.0], [2.0], [3.0]])
    session = Session(MLSTMCell.init(1, 2, 0), fine)
    session.seek(3)
    bad = fine.copy()
    bad[1] = 1e200
    return session, bad


def snapshot(session: Session) -> tuple:
    return (
        session.t,
        session.computed,
        session.inputs.tolist(),
        session.cell,
        [session.state_at(t)["C"].tolist() for t in range(session.computed + 1)],
    )


def test_set_inputs_is_a_transaction() -> None:
    session, bad = overflowing_session()
    before = snapshot(session)
    current = session.current
    with pytest.raises(StepOverflow, match="overflow at step 2"):
        session.set_inputs(bad)
    assert snapshot(session) == before and session.current is current
    session.append_input([1e200])  # at the end: nothing to recompute yet
    with pytest.raises(StepOverflow, match="overflow at step 4"):
        session.step()
    assert session.t == 3 and session.length == 4 and session.computed == 3


def test_set_cell_and_set_weight_are_transactions() -> None:
    session, _ = overflowing_session()
    before = snapshot(session)
    with pytest.raises(StepOverflow, match=r"overflow at step 2 \(mLSTM \(xLSTM\), pre-act"):
        session.set_weight("W_k", np.full((2, 1), 1e308))  # k = 2e308 at x = 2
    with pytest.raises(StepOverflow):
        session.set_cell(uniform_cell(MLSTMCell, 1, 2, 1e200))
    assert snapshot(session) == before
    session.back()
    assert np.isfinite(session.state["C"]).all()


def test_step_seek_extend_keep_t_on_overflow() -> None:
    session = Session(MLSTMCell.init(1, 2, 0), [[1.0], [2.0], [1e200], [1.0]])
    with pytest.raises(StepOverflow):
        session.seek(4)
    assert session.t == 0 and session.computed == 2
    session.seek(2)
    with pytest.raises(StepOverflow, match="step 3"):
        session.step()
    with pytest.raises(StepOverflow):
        session.extend(4)
    assert session.t == 2 and session.computed == 2


# -- memory ---------------------------------------------------------------------------


def test_wide_history_starts_small() -> None:
    """The mLSTM at H = 4096 (134 MB a row) reserves one row, not 64."""
    session = Session(MLSTMCell.init(1, 4096, 0), [[1.0], [0.5], [2.0]])
    assert session.row_bytes > 100e6
    assert session.history_bytes == session.row_bytes < 2**30


def test_history_reserved_is_of_the_order_of_the_steps() -> None:
    session = Session(MLSTMCell.init(1, 512, 0), np.ones((6, 1)))
    session.seek(3)
    assert session.history_bytes <= 4 * session.row_bytes
    assert np.isfinite(session.state["C"]).all()


def test_rows_grow_by_at_most_the_growth_step() -> None:
    rows = Rows(2**20)  # 8 MiB rows: doubling stops at 32 rows + 1 beyond what is used
    for _ in range(40):
        rows.append()
    assert len(rows) == 40 and rows.nbytes <= (40 + 32) * 8 * 2**20


def test_a_history_past_the_limit_is_refused() -> None:
    limit = history_limit()
    steps = limit // (8 * (4 * 128 + 2 + 128 + 128 * 128 + 128 + 1)) + 1
    with pytest.raises(SessionError, match=rf"the history of {steps} steps would take .* GiB"):
        Session(MLSTMCell.init(1, 128, 0), np.zeros((steps, 1)))
    session = Session(MLSTMCell.init(1, 128, 0), np.zeros((3, 1)))
    with pytest.raises(SessionError, match="the limit is"):
        session.set_inputs(np.zeros((steps, 1)))
    assert session.length == 3


# -- the command line -------------------------------------------------------------------


def test_cli_overflow_exits_2(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    argv = ["trace", "--cell", "mlstm", "--hidden-size", "4", "--inputs", "1,1e150,1e160,3"]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert err == "lstm-engine: error: overflow at step 3 (mLSTM (xLSTM), C)\n"
    assert "Step 2 |" in out and "Step 3" not in out  # stdout: the steps before it
    target = tmp_path / "trace.json"
    target.write_text("old")
    assert main([*argv, "--format", "json", "--output", str(target)]) == 2
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["trace.json"]
    assert "overflow at step 3" in capsys.readouterr().err
