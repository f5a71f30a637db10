"""Backpropagation through time (issue 9), the LSTM first: against PyTorch autograd's
reference case and against central differences in float64."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lstm_engine import LSTMCell
from lstm_engine.cells import CELLS, Cell

DATA = Path(__file__).parent / "data"


def loss(cell: Cell, inputs: np.ndarray, d_hidden: np.ndarray, state=None) -> float:  # type: ignore[no-untyped-def]
    hidden, _ = cell.forward(inputs, state)
    return float(np.sum(d_hidden * hidden))


@pytest.mark.parametrize("kind", ["lstm", "peephole"])
def test_the_gradients_are_pytorch_autograd_s(kind: str) -> None:
    case = np.load(DATA / f"grad_{kind}_i2_h3_t8_b2.npz")
    params = {k.removeprefix("param:"): case[k] for k in case.files if k.startswith("param:")}
    cell = CELLS[kind](params)
    assert np.allclose(cell.forward(case["inputs"])[0], case["hidden"], rtol=0, atol=1e-13)
    grads = cell.gradients(case["inputs"], case["d_hidden"])
    for key in [*params, "inputs"]:
        expected = case[f"grad:{key}"]
        scale = np.maximum(1.0, np.abs(expected))
        assert grads[key].shape == expected.shape, key
        assert np.all(np.abs(grads[key] - expected) <= 1e-12 * scale), key


@pytest.mark.parametrize("kind", ["lstm", "peephole"])
@pytest.mark.parametrize("seed", range(3))
def test_the_gradients_are_central_differences(kind: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    T, B, size_in, H = 5, 2, 3, 4
    cell = CELLS[kind].init(size_in, H, seed)
    cell = cell.with_params(**{k: v * 8.0 for k, v in cell.params.items()})  # gates off 0.5
    inputs = rng.normal(size=(T, B, size_in))
    d_hidden = rng.normal(size=(T, B, H))
    state = {"h": rng.normal(size=(B, H)) * 0.5, "c": rng.normal(size=(B, H))}
    grads = cell.gradients(inputs, d_hidden, state)
    eps = 1e-6

    def check(analytic: np.ndarray, numeric: np.ndarray, what: str) -> None:
        err = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-8)
        assert err.max() <= 1e-6, (what, err.max())

    for key, value in cell.params.items():
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            up, down = value.copy(), value.copy()
            up[index] += eps
            down[index] -= eps
            numeric[index] = (
                loss(cell.with_params(**{key: up}), inputs, d_hidden, state)
                - loss(cell.with_params(**{key: down}), inputs, d_hidden, state)
            ) / (2 * eps)
        check(grads[key], numeric, key)
    numeric = np.zeros_like(inputs)
    for index in np.ndindex(inputs.shape):
        up, down = inputs.copy(), inputs.copy()
        up[index] += eps
        down[index] -= eps
        numeric[index] = (loss(cell, up, d_hidden, state) - loss(cell, down, d_hidden, state)) / (
            2 * eps
        )
    check(grads["inputs"], numeric, "inputs")
    for name in ("h", "c"):
        numeric = np.zeros_like(state[name])
        for index in np.ndindex(state[name].shape):
            up = {k: v.copy() for k, v in state.items()}
            down = {k: v.copy() for k, v in state.items()}
            up[name][index] += eps
            down[name][index] -= eps
            numeric[index] = (
                loss(cell, inputs, d_hidden, up) - loss(cell, inputs, d_hidden, down)
            ) / (2 * eps)
        check(grads[f"initial.{name}"], numeric, f"initial.{name}")


def test_a_d_hidden_of_the_wrong_shape_is_refused() -> None:
    cell = LSTMCell.init(1, 2, 0)
    with pytest.raises(ValueError, match="d_hidden: expected shape"):
        cell.gradients(np.zeros((3, 1, 1)), np.zeros((3, 1, 3)))


def test_the_lstm_s_gradients_are_torch_autograd_s_on_a_random_case() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    T, B, size_in, H = 6, 3, 2, 5
    cell = LSTMCell.init(size_in, H, 7)
    inputs, d_hidden = rng.normal(size=(T, B, size_in)), rng.normal(size=(T, B, H))
    lstm = torch.nn.LSTM(size_in, H).double()
    with torch.no_grad():
        for key, value in cell.params.items():
            getattr(lstm, f"{key}_l0").copy_(torch.from_numpy(value.copy()))
    x = torch.from_numpy(inputs).requires_grad_(True)
    hidden, _ = lstm(x)
    (hidden * torch.from_numpy(d_hidden)).sum().backward()
    grads = cell.gradients(inputs, d_hidden)
    for key in cell.params:
        expected = getattr(lstm, f"{key}_l0").grad.numpy()
        assert np.allclose(grads[key], expected, rtol=1e-9, atol=1e-12), key
    assert np.allclose(grads["inputs"], x.grad.numpy(), rtol=1e-9, atol=1e-12)
