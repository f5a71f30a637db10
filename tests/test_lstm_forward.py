"""``LSTMCell.forward``, the fast batched path: equal to the step path on both of its
activation routes, exact saturation, no warnings on huge values, PyTorch's numbers."""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_engine import LSTMCell
from lstm_engine.cells import lstm_forward as lstm
from lstm_engine.cells.lstm_forward import parallel_parts

from reference import assert_forward_is_the_step_path, strict_numerics

ROUTES = ("tanh", "exp")


def route(name: str) -> AbstractContextManager[object]:
    """Make ``forward`` take the named activation route whatever the sizes."""
    return patch.object(lstm, "EXP_ROUTE_MIN", 0 if name == "exp" else 2**62)


def random_cell(input_size: int, hidden_size: int, rng: np.random.Generator, scale: float):
    shapes = LSTMCell.param_shapes(input_size, hidden_size)
    return LSTMCell({k: rng.normal(0.0, scale, shape) for k, shape in shapes.items()})


def random_state(batch: int, hidden_size: int, rng: np.random.Generator) -> dict:
    return {
        "h": rng.uniform(-1, 1, (batch, hidden_size)),
        "c": rng.normal(0, 3, (batch, hidden_size)),
    }


@pytest.mark.parametrize("name", ROUTES)
@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    sizes=st.tuples(st.integers(1, 9), st.integers(1, 5), st.integers(1, 4), st.integers(1, 7)),
    scale=st.floats(0.05, 1.5),
    fresh=st.booleans(),
)
def test_forward_is_the_step_path(name, seed, sizes, scale, fresh) -> None:
    steps, batch, input_size, hidden_size = sizes
    rng = np.random.default_rng(seed)
    cell = random_cell(input_size, hidden_size, rng, scale / np.sqrt(hidden_size))
    inputs = rng.normal(0.0, 3.0, (steps, batch, input_size))
    start = cell.initial_state(batch) if fresh else random_state(batch, hidden_size, rng)
    with route(name):
        assert_forward_is_the_step_path(cell, inputs, start)


UNFORCED = [(1, 3), (2, 64), (16, 32), (3, 200)]


def test_the_unforced_sizes_fall_on_both_routes() -> None:
    assert {b * h >= lstm.EXP_ROUTE_MIN for b, h in UNFORCED} == {False, True}


@pytest.mark.parametrize(("batch", "hidden_size"), UNFORCED)
def test_sizes_pick_the_route_and_both_match_the_step_path(batch, hidden_size, monkeypatch):
    """Without forcing: small batch * H takes the tanh route, large the exp route."""
    taken = []
    run = lstm.FastLSTM._run

    def spy(self, chosen, *args):
        taken.append(chosen)
        return run(self, chosen, *args)

    monkeypatch.setattr(lstm.FastLSTM, "_run", spy)
    rng = np.random.default_rng(batch * hidden_size)
    cell = random_cell(3, hidden_size, rng, 1.0 / np.sqrt(hidden_size))
    inputs = rng.normal(0.0, 2.0, (4, batch, 3))
    assert_forward_is_the_step_path(cell, inputs, random_state(batch, hidden_size, rng))
    expected = lstm.EXP_ROUTE if batch * hidden_size >= lstm.EXP_ROUTE_MIN else lstm.TANH_ROUTE
    assert taken and set(taken) == {expected}


@pytest.mark.parametrize("name", ROUTES)
def test_a_state_of_one_sequence_is_shared_by_the_batch(name) -> None:
    rng = np.random.default_rng(5)
    cell = random_cell(2, 4, rng, 0.5)
    inputs = rng.normal(0.0, 1.0, (3, 5, 2))
    one = random_state(1, 4, rng)
    batched = {k: np.repeat(v, 5, axis=0) for k, v in one.items()}
    with route(name):
        hs, final = cell.forward(inputs, {k: v[0] for k, v in one.items()})
        want_hs, want_final = cell.forward(inputs, batched)
    assert np.array_equal(hs, want_hs)
    for key in ("h", "c"):
        assert np.array_equal(final[key], want_final[key])


@pytest.mark.parametrize("name", ROUTES)
def test_no_steps_give_back_the_start(name) -> None:
    rng = np.random.default_rng(3)
    cell = random_cell(2, 3, rng, 0.5)
    start = random_state(4, 3, rng)
    with route(name):
        hs, final = cell.forward(np.empty((0, 4, 2)), start)
        zero_hs, zero_final = cell.forward(np.empty((0, 4, 2)))
    assert hs.shape == zero_hs.shape == (0, 4, 3)
    for key in ("h", "c"):
        assert np.array_equal(final[key], start[key])
        assert final[key] is not start[key]
        assert np.array_equal(zero_final[key], np.zeros((4, 3)))


@pytest.mark.parametrize("name", ROUTES)
def test_outputs_are_fresh_contiguous_arrays(name) -> None:
    rng = np.random.default_rng(4)
    cell = random_cell(2, 3, rng, 0.5)
    with route(name):
        hs, final = cell.forward(rng.normal(size=(5, 2, 2)))
    for array in (hs, final["h"], final["c"]):
        assert array.flags.c_contiguous and array.flags.writeable and array.base is None
    assert np.array_equal(final["h"], hs[-1])


@pytest.mark.parametrize("name", ROUTES)
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_huge_biases_saturate_every_gate_exactly(name, sign) -> None:
    """Biases of +-1e6 put every gate at exactly 1 (c grows by g = 1 a step, h = tanh(t))
    or exactly 0 (nothing passes): no rounding, no NaN, no warning."""
    steps, batch, hidden_size = 6, 3, 4
    rng = np.random.default_rng(0)
    cell = random_cell(2, hidden_size, rng, 1.0).with_params(
        bias_ih=np.full(4 * hidden_size, sign * 1e6)
    )
    inputs = rng.uniform(-1.0, 1.0, (steps, batch, 2))
    with route(name), strict_numerics():
        hs, final = cell.forward(inputs)
    if sign > 0:
        t = np.arange(1.0, steps + 1)[:, None, None]
        np.testing.assert_allclose(hs, np.broadcast_to(np.tanh(t), hs.shape), rtol=0, atol=1e-15)
        assert np.array_equal(final["c"], np.full((batch, hidden_size), float(steps)))
    else:
        assert np.array_equal(hs, np.zeros_like(hs))
        assert np.array_equal(final["c"], np.zeros((batch, hidden_size)))


@pytest.mark.parametrize("name", ROUTES)
@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    sizes=st.tuples(st.integers(1, 8), st.integers(1, 4), st.integers(1, 3), st.integers(1, 6)),
    x_bound=st.sampled_from([1e3, 1e6]),
    w_scale=st.sampled_from([1.0, 1e3, 1e6]),
)
def test_extreme_values_stay_finite_without_warnings(name, seed, sizes, x_bound, w_scale):
    steps, batch, input_size, hidden_size = sizes
    rng = np.random.default_rng(seed)
    cell = random_cell(input_size, hidden_size, rng, w_scale)
    inputs = rng.uniform(-x_bound, x_bound, (steps, batch, input_size))
    start = {
        "h": rng.uniform(-1, 1, (batch, hidden_size)),
        "c": rng.normal(0, 1e6, (batch, hidden_size)),
    }
    with route(name), strict_numerics():
        hs, final = cell.forward(inputs, start)
    assert np.all(np.isfinite(hs)) and np.all(np.abs(hs) <= 1.0)
    assert np.all(np.isfinite(final["c"])) and np.all(np.abs(final["h"]) <= 1.0)


@pytest.mark.parametrize("shape", [(3,), (4, 3), (4, 2, 3, 1), (4, 2, 1), (4, 2, 4)])
def test_a_wrong_input_shape_is_a_value_error(shape) -> None:
    cell = LSTMCell.init(3, 2, 0)  # takes inputs of size 3: (T, B, 3)
    with pytest.raises(ValueError, match=r"expected \(T, B, 3\)"):
        cell.forward(np.zeros(shape))


def test_a_state_of_the_wrong_batch_is_a_value_error() -> None:
    cell = LSTMCell.init(1, 2, 0)
    with pytest.raises(ValueError):
        cell.forward(np.zeros((3, 4, 1)), {"h": np.zeros((3, 2)), "c": np.zeros((3, 2))})


@pytest.mark.parametrize(("steps", "batch", "hidden_size"), [(7, 1, 3), (5, 6, 50)])
def test_matches_torch_lstm_in_float64(steps, batch, hidden_size) -> None:
    """The same weights in ``torch.nn.LSTM`` (float64) give the same outputs, from a
    non-zero state, on whichever route the sizes pick."""
    torch = pytest.importorskip("torch")
    input_size = 3
    rng = np.random.default_rng(steps * batch)
    cell = random_cell(input_size, hidden_size, rng, 1.0 / np.sqrt(hidden_size))
    module = torch.nn.LSTM(input_size, hidden_size, dtype=torch.float64)
    with torch.no_grad():
        for key, value in cell.params.items():
            getattr(module, f"{key}_l0").copy_(torch.from_numpy(np.array(value)))
        inputs = rng.normal(0.0, 2.0, (steps, batch, input_size))
        start = random_state(batch, hidden_size, rng)
        want_hs, (want_h, want_c) = module(
            torch.from_numpy(inputs),
            (torch.from_numpy(start["h"])[None], torch.from_numpy(start["c"])[None]),
        )
    hs, final = cell.forward(inputs, start)
    np.testing.assert_allclose(hs, want_hs.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(final["h"], want_h[0].numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(final["c"], want_c[0].numpy(), rtol=0, atol=1e-12)


def test_large_batches_run_in_parallel_parts_and_equal_the_serial_path() -> None:
    cell = LSTMCell.init(3, 128, 5)
    batch = 40
    assert parallel_parts(batch, cell.hidden_size) == min(len(os.sched_getaffinity(0)), batch)
    inputs = np.random.default_rng(1).normal(0.0, 1.5, (6, batch, 3))
    start = {
        "h": np.random.default_rng(2).uniform(-1, 1, (batch, 128)),
        "c": np.random.default_rng(3).normal(0, 2, (batch, 128)),
    }
    hs, final = cell.forward(inputs, start)
    serial_hs, serial_final = lstm.FastLSTM(cell.params)._forward(inputs, start)
    np.testing.assert_array_equal(hs, serial_hs)
    for name in ("h", "c"):
        np.testing.assert_array_equal(final[name], serial_final[name])
    assert_forward_is_the_step_path(cell, inputs[:3], start)


def test_small_batches_stay_on_one_thread() -> None:
    assert parallel_parts(1, 4096) == 1
    assert parallel_parts(8, 8) == 1
