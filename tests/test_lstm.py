"""The LSTM cell: the original script's numbers, PyTorch's reference traces, its properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_engine import LSTMCell, Session

# The original Lstm.py's printed numbers (shared/reference/original_Lstm_py_output.md):
# step: (x, h, c, f, i, o, c_bar), rounded to 4 decimals.
ORIGINAL = {
    (5, 1, 9, 2): [
        (5, 0.1151, 0.2494, 0.4827, 0.6817, 0.4708, 0.3659),
        (1, 0.0856, 0.1753, 0.4980, 0.5399, 0.4935, 0.0946),
        (9, 0.2294, 0.5670, 0.4700, 0.7984, 0.4470, 0.6070),
        (2, 0.1808, 0.3898, 0.4959, 0.5792, 0.4870, 0.1875),
    ],
    (5, 1.9, 2): [
        (5, 0.1151, 0.2494, 0.4827, 0.6817, 0.4708, 0.3659),
        (1.9, 0.1042, 0.2167, 0.4949, 0.5737, 0.4882, 0.1625),
        (2, 0.0983, 0.2043, 0.4944, 0.5772, 0.4877, 0.1683),
    ],
}


def original_weights(seed: int, input_size: int, hidden_size: int) -> dict[str, np.ndarray]:
    """The original ExtendedLSTM.__init__, transcribed: np.random.seed, then W_f, W_i, W_o, W_c."""
    np.random.seed(seed)
    W_f = np.random.randn(hidden_size, hidden_size + input_size) * 0.1
    W_i = np.random.randn(hidden_size, hidden_size + input_size) * 0.1
    W_o = np.random.randn(hidden_size, hidden_size + input_size) * 0.1
    W_c = np.random.randn(hidden_size, hidden_size + input_size) * 0.1
    return {"f": W_f, "i": W_i, "o": W_o, "g": W_c}


@pytest.mark.parametrize("sequence", list(ORIGINAL))
def test_original_numbers_to_four_decimals(sequence: tuple[float, ...]) -> None:
    session = Session(LSTMCell.init(1, 1, seed=42), [[x] for x in sequence])
    for x, h, c, f, i, o, g in ORIGINAL[sequence]:
        r = session.step()
        assert r.x[0] == x
        got = [r.h[0], r.c[0], r.f[0], r.i[0], r.o[0], r.g[0]]
        assert np.round(got, 4).tolist() == pytest.approx([h, c, f, i, o, g], abs=1e-12)


@pytest.mark.parametrize(("seed", "input_size", "hidden_size"), [(42, 1, 1), (7, 3, 5), (0, 2, 4)])
def test_seeded_init_is_the_original_bit_for_bit(seed: int, input_size: int, hidden_size: int):
    drawn = original_weights(seed, input_size, hidden_size)
    cell = LSTMCell.init(input_size, hidden_size, seed)
    H = hidden_size
    for block, gate in enumerate("ifgo"):
        rows = slice(block * H, (block + 1) * H)
        assert np.array_equal(cell.params["weight_hh"][rows], drawn[gate][:, :H])
        assert np.array_equal(cell.params["weight_ih"][rows], drawn[gate][:, H:])
    assert not cell.params["bias_ih"].any() and not cell.params["bias_hh"].any()


def test_init_is_deterministic_and_depends_on_the_seed() -> None:
    assert LSTMCell.init(2, 3, 5) == LSTMCell.init(2, 3, 5)
    assert LSTMCell.init(2, 3, 5) != LSTMCell.init(2, 3, 6)


def test_step_equations_hold_in_the_record() -> None:
    cell = LSTMCell.init(2, 3, 1)
    state = {"h": np.array([0.1, -0.2, 0.3]), "c": np.array([1.0, -1.0, 0.5])}
    r = cell.step([0.5, -1.5], state)
    p = cell.params
    z = p["weight_ih"] @ r.x + p["weight_hh"] @ state["h"] + p["bias_ih"] + p["bias_hh"]
    np.testing.assert_allclose(np.concatenate([r.z_i, r.z_f, r.z_g, r.z_o]), z, atol=1e-15)
    np.testing.assert_allclose(r.f, 1 / (1 + np.exp(-r.z_f)), atol=1e-15)
    np.testing.assert_allclose(r.g, np.tanh(r.z_g), atol=1e-15)
    np.testing.assert_allclose(r.c, r.f * r.c_prev + r.i * r.g, atol=1e-15)
    np.testing.assert_allclose(r.h, r.o * np.tanh(r.c), atol=1e-15)
    assert np.array_equal(r.c_prev, state["c"]) and np.array_equal(r.h_prev, state["h"])


def test_records_are_immutable() -> None:
    r = LSTMCell.init(1, 2, 0).step([1.0])
    with pytest.raises(ValueError):
        r.h[0] = 5.0
    with pytest.raises(AttributeError):
        r.h = np.zeros(2)  # type: ignore[misc]


finite = st.floats(-50, 50, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    sizes=st.tuples(st.integers(1, 4), st.integers(1, 5)),
    xs=st.lists(st.lists(finite, min_size=4, max_size=4), min_size=1, max_size=6),
    scale=st.floats(0.01, 3.0),
)
def test_gate_ranges(seed, sizes, xs, scale) -> None:
    """Pre-activations stay well inside ±36 here, so the open intervals are exact in float64."""
    input_size, hidden_size = sizes
    base = LSTMCell.init(input_size, hidden_size, seed)
    cell = base.with_params(**{k: v * scale for k, v in base.params.items()})
    session = Session(cell, np.array(xs)[:, :input_size] / 10)
    while not session.at_end:
        r = session.step()
        for gate in (r.f, r.i, r.o):
            assert np.all((gate > 0) & (gate < 1))
        assert np.all((r.g > -1) & (r.g < 1))
        assert np.all(np.abs(r.h) < 1)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 1000),
    xs=st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=5),
    scale=st.floats(1, 1e4),
)
def test_huge_values_saturate_without_nan_or_warnings(seed, xs, scale) -> None:
    base = LSTMCell.init(1, 3, seed)
    cell = base.with_params(**{k: v * scale + 1 for k, v in base.params.items()})
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        session = Session(cell, [[x] for x in xs])
        while not session.at_end:
            r = session.step()
            for value in r.arrays().values():
                assert np.all(np.isfinite(value))
            for gate in (r.f, r.i, r.o):
                assert np.all((gate >= 0) & (gate <= 1))
            assert np.all(np.abs(r.h) <= 1)
