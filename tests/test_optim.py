"""The optimisers and clipping follow PyTorch's rules: first steps checked by hand, and
whole trajectories against torch.optim where torch is installed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lstm_engine.optim import SGD, Adam, clip_grad_norm


def test_adam_first_two_steps_by_hand() -> None:
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    p = {"w": np.array([1.0, -2.0])}
    g1, g2 = np.array([0.5, -4.0]), np.array([1.0, 2.0])
    adam = Adam(lr)
    adam.update(p, {"w": g1.copy()})
    # m_hat = g, v_hat = g^2: a step of lr against the sign of g
    assert np.allclose(p["w"], [1.0 - lr * 0.5 / (0.5 + eps), -2.0 + lr * 4.0 / (4.0 + eps)])
    before = p["w"].copy()
    adam.update(p, {"w": g2.copy()})
    m = b1 * (1 - b1) * g1 + (1 - b1) * g2
    v = b2 * (1 - b2) * g1**2 + (1 - b2) * g2**2
    step = lr / (1 - b1**2) * m / (np.sqrt(v) / math.sqrt(1 - b2**2) + eps)
    assert np.allclose(p["w"], before - step, rtol=1e-14, atol=0)


def test_sgd_with_momentum_by_hand() -> None:
    p = {"w": np.array([1.0])}
    sgd = SGD(0.5, momentum=0.9)
    sgd.update(p, {"w": np.array([2.0])})
    assert p["w"][0] == 0.0  # the first step is plain SGD
    sgd.update(p, {"w": np.array([1.0])})
    assert p["w"][0] == pytest.approx(-0.5 * (0.9 * 2.0 + 1.0))
    plain = {"w": np.array([1.0])}
    SGD(0.5).update(plain, {"w": np.array([2.0])})
    assert plain["w"][0] == 0.0


def test_clipping_scales_the_total_norm() -> None:
    grads = {"a": np.array([3.0]), "b": np.array([[4.0]])}
    assert clip_grad_norm(grads, 1.0) == 5.0
    scale = 1.0 / (5.0 + 1e-6)
    assert grads["a"][0] == 3.0 * scale and grads["b"][0, 0] == 4.0 * scale
    small = {"a": np.array([0.3, 0.4])}
    assert clip_grad_norm(small, 1.0) == pytest.approx(0.5)
    assert np.array_equal(small["a"], [0.3, 0.4])  # below the limit: untouched


@pytest.mark.parametrize("kind", ["adam", "sgd"])
def test_trajectories_equal_torch(kind: str) -> None:
    """A least-squares problem, 30 steps with clipping at 1: the same weights at every step."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 4)), rng.normal(size=(20, 2))
    start = {"w": rng.normal(size=(4, 2)), "b": rng.normal(size=2)}

    params = {k: v.copy() for k, v in start.items()}
    ours = Adam(0.05) if kind == "adam" else SGD(0.05, momentum=0.9)
    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in start.items()}
    theirs = (
        torch.optim.Adam(tensors.values(), lr=0.05)
        if kind == "adam"
        else torch.optim.SGD(tensors.values(), lr=0.05, momentum=0.9)
    )
    Xt, yt = torch.tensor(X), torch.tensor(y)
    norms = []
    for _ in range(30):
        r = X @ params["w"] + params["b"] - y
        grads = {"w": X.T @ r * (2 / r.size), "b": r.sum(axis=0) * (2 / r.size)}
        norm = clip_grad_norm(grads, 1.0)
        norms.append(norm)
        ours.update(params, grads)

        theirs.zero_grad()
        loss = ((Xt @ tensors["w"] + tensors["b"] - yt) ** 2).mean()
        loss.backward()
        their_norm = torch.nn.utils.clip_grad_norm_(tensors.values(), 1.0)
        theirs.step()
        assert norm == pytest.approx(float(their_norm), rel=1e-12)
        for key, value in params.items():
            assert np.allclose(value, tensors[key].detach().numpy(), rtol=1e-12, atol=1e-14)
    assert max(norms) > 1.0 > min(norms)  # steps with and without clipping
