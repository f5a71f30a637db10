"""The LSTM's fast reverse sweep (``cells/lstm_backward.py``) against a plain one: the
equations of its docstring written out step by step, batch first, nothing precomputed.
Every route of the fast path is taken: the tanh and the exp activations, peepholes or
none, the batch split over threads, saturated gates, no steps at all."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_engine.cells import CELLS
from lstm_engine.cells import lstm_backward as fast
from lstm_engine.cells.activations import sigmoid

Array = np.ndarray


def plain_gradients(
    params: dict[str, Array], x: Array, d_hidden: Array, h0: Array, c0: Array
) -> tuple[Array, dict[str, Array]]:
    """The hidden states and every gradient, flows included, by the plain sweep."""
    W_ih, W_hh = params["weight_ih"], params["weight_hh"]
    b = params["bias_ih"] + params["bias_hh"]
    T, B, _ = x.shape
    H = W_hh.shape[1]
    zero = np.zeros(H)
    p_i, p_f, p_o = (params.get(f"peephole_{g}", zero) for g in "ifo")
    hs, cs, gates = [h0], [c0], []
    for t in range(T):
        a_i, a_f, a_g, a_o = np.split(x[t] @ W_ih.T + hs[-1] @ W_hh.T + b, 4, axis=1)
        i, f, g = sigmoid(a_i + p_i * cs[-1]), sigmoid(a_f + p_f * cs[-1]), np.tanh(a_g)
        c = f * cs[-1] + i * g
        o = sigmoid(a_o + p_o * c)
        gates.append((i, f, g, o))
        cs.append(c)
        hs.append(o * np.tanh(c))
    grads = {key: np.zeros_like(value) for key, value in params.items()}
    grads["inputs"] = np.zeros_like(x)
    flow_h, flow_c = np.zeros((T, B, H)), np.zeros((T, B, H))
    dh_next, dc = np.zeros((B, H)), np.zeros((B, H))
    for t in reversed(range(T)):
        i, f, g, o = gates[t]
        c_prev, tanh_c = cs[t], np.tanh(cs[t + 1])
        dh = d_hidden[t] + dh_next
        dz_o = dh * tanh_c * o * (1 - o)
        dc = dc + dh * o * (1 - tanh_c**2) + dz_o * p_o
        flow_h[t], flow_c[t] = dh, dc
        dz_i = dc * g * i * (1 - i)
        dz_f = dc * c_prev * f * (1 - f)
        dz = np.concatenate([dz_i, dz_f, dc * i * (1 - g**2), dz_o], axis=1)
        grads["weight_ih"] += dz.T @ x[t]
        grads["weight_hh"] += dz.T @ hs[t]
        grads["bias_ih"] += dz.sum(axis=0)
        if "peephole_i" in grads:
            grads["peephole_i"] += (dz_i * c_prev).sum(axis=0)
            grads["peephole_f"] += (dz_f * c_prev).sum(axis=0)
            grads["peephole_o"] += (dz_o * cs[t + 1]).sum(axis=0)
        grads["inputs"][t] = dz @ W_ih
        dh_next = dz @ W_hh
        dc = dc * f + dz_i * p_i + dz_f * p_f
    grads["bias_hh"] = grads["bias_ih"].copy()
    grads.update({"initial.h": dh_next, "initial.c": dc, "flow.h": flow_h, "flow.c": flow_c})
    return np.array(hs[1:]).reshape(T, B, H), grads


def random_case(
    kind: str, shape: tuple[int, int, int, int], scale: float, seed: int
) -> tuple[dict[str, Array], Array, Array, Array, Array]:
    T, B, size_in, H = shape
    rng = np.random.default_rng(seed)
    shapes = CELLS[kind].param_shapes(size_in, H)
    params = {key: rng.normal(size=s) * scale for key, s in shapes.items()}
    x, d_hidden = rng.normal(size=(T, B, size_in)), rng.normal(size=(T, B, H))
    return params, x, d_hidden, rng.normal(size=(B, H)), rng.normal(size=(B, H))


def assert_same(kind: str, shape: tuple[int, int, int, int], scale: float, seed: int) -> None:
    """The fast sweep gives the plain one's hidden states and gradients, within 1e-12 of
    each array's largest value."""
    params, x, d_hidden, h0, c0 = random_case(kind, shape, scale, seed)
    want_hidden, want = plain_gradients(params, x, d_hidden, h0, c0)
    hidden, backward = fast.lstm_taped_forward(params, x, {"h": h0, "c": c0})
    got = backward(d_hidden, flow=True)
    assert np.allclose(hidden, want_hidden, rtol=0, atol=1e-13)
    assert set(got) == set(want)
    for key, value in want.items():
        assert got[key].shape == value.shape, key
        assert np.all(np.isfinite(got[key])), key
        scale_of = max(1.0, float(np.max(np.abs(value), initial=0.0)))
        assert np.max(np.abs(got[key] - value), initial=0.0) <= 1e-12 * scale_of, key


@pytest.fixture(params=["tanh", "exp"])
def route(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each activation route, whatever size this machine would pick it from."""
    monkeypatch.setattr(fast, "_exp_route_min", lambda: 1 if request.param == "exp" else 10**9)
    return str(request.param)


@pytest.mark.parametrize("kind", ["lstm", "peephole"])
@pytest.mark.parametrize("shape", [(6, 3, 2, 4), (1, 1, 1, 1), (5, 70, 3, 4)])
def test_the_fast_sweep_is_the_plain_one(
    kind: str, shape: tuple[int, int, int, int], route: str
) -> None:
    for seed in range(2):
        assert_same(kind, shape, 1.0, seed)


@pytest.mark.parametrize("kind", ["lstm", "peephole"])
def test_saturated_gates_stay_exact(kind: str, route: str) -> None:
    """Weights of a few hundred: gates at exactly 0 or 1 (the exp route's e^-z overflows)."""
    assert_same(kind, (4, 5, 2, 4), 300.0, 0)


@pytest.mark.parametrize("kind", ["lstm", "peephole"])
def test_a_batch_split_over_threads_is_the_whole_batch(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fast, "parallel_parts", lambda batch, hidden_size: 3)
    assert_same(kind, (4, 7, 3, 5), 1.0, 2)


def test_the_weight_gradient_is_the_same_summed_either_way() -> None:
    """Small products are summed by a stacked matmul, large ones by one product over all
    steps (``STACKED_MAX``): both are sum_t dz_t rows_t^T, and dx = dz^T W_ih either way."""
    rng = np.random.default_rng(3)
    for n_dz, n_rows in [(8, 4), (64, 40)]:
        dz, rows = rng.normal(size=(5, n_dz, 3)), rng.normal(size=(5, n_rows, 3))
        assert (n_dz * n_rows < fast.STACKED_MAX) == (n_dz == 8)
        want = np.einsum("tgb,tkb->gk", dz, rows)
        T, B = 5, 3
        if n_dz * n_rows < fast.STACKED_MAX:
            work = {"each": np.empty((T, n_dz, n_rows))}
        else:
            work = {"by_unit": np.empty((n_dz, T, B)), "by_row": np.empty((n_rows, T, B))}
        W_ih = rng.normal(size=(n_dz, 2))
        got, dx = fast._sum_of_products(dz, rows, W_ih, work)
        assert np.allclose(got, want, rtol=1e-13, atol=1e-13)
        assert np.allclose(dx, np.einsum("tgb,gi->tbi", dz, W_ih), rtol=1e-13, atol=1e-13)


def test_no_steps_give_zero_gradients() -> None:
    params, x, d_hidden, _, _ = random_case("lstm", (0, 2, 3, 4), 1.0, 0)
    hidden, backward = fast.lstm_taped_forward(params, x)
    grads = backward(d_hidden)
    assert hidden.shape == (0, 2, 4)
    assert grads["inputs"].shape == (0, 2, 3)
    assert all(not np.any(grads[key]) for key in [*params, "initial.h", "initial.c"])


def test_backward_can_be_called_again() -> None:
    params, x, d_hidden, h0, c0 = random_case("peephole", (5, 3, 2, 4), 1.0, 4)
    _, backward = fast.lstm_taped_forward(params, x, {"h": h0, "c": c0})
    first = backward(d_hidden)
    backward(-3.0 * d_hidden)
    again = backward(d_hidden)
    assert all(np.array_equal(first[key], again[key]) for key in first)


def test_inputs_of_the_wrong_shape_are_refused() -> None:
    params, _, _, _, _ = random_case("lstm", (1, 1, 3, 4), 1.0, 0)
    with pytest.raises(ValueError, match="expected"):
        fast.lstm_taped_forward(params, np.zeros((5, 2, 2)))


def test_a_live_tape_keeps_its_buffers() -> None:
    """Buffers are reused only once their tape is gone: a tape still held sweeps back
    right after other tapes of the same shapes came and went."""
    params, x, d_hidden, h0, c0 = random_case("lstm", (5, 3, 2, 4), 1.0, 5)
    want_hidden, want = plain_gradients(params, x, d_hidden, h0, c0)
    hidden, backward = fast.lstm_taped_forward(params, x, {"h": h0, "c": c0})
    for seed in range(3):
        _, other_backward = fast.lstm_taped_forward(params, np.full_like(x, seed), None)
        other_backward(d_hidden)
    got = backward(d_hidden)
    assert np.allclose(hidden, want_hidden, rtol=0, atol=1e-13)
    assert all(np.allclose(got[key], want[key], rtol=1e-12, atol=1e-12) for key in got)


def test_buffers_come_back_for_the_next_tape_of_the_same_shapes() -> None:
    params, x, _, h0, c0 = random_case("lstm", (5, 3, 2, 4), 1.0, 6)
    tape = fast._Tape(params, x, h0, c0)
    address = tape.gates.__array_interface__["data"][0]
    del tape
    again = fast._Tape(params, x, h0, c0)
    assert again.gates.__array_interface__["data"][0] == address


def test_the_pool_keeps_at_most_its_bytes_dropping_the_oldest() -> None:
    pool = fast._Pool(max_bytes=3 * 800)
    first, second, third = (pool.take({"a": (100,)}) for _ in range(3))
    big = pool.take({"b": (200,)})
    for arrays in (first, second, third):
        pool.give(arrays)
    pool.give(big)  # 1600 bytes: two of the 800-byte sets make room
    assert pool.take({"b": (200,)}) is big
    assert pool.take({"a": (100,)}) is third
    assert pool.take({"a": (100,)}) is not first
