"""Optimisers and gradient clipping, with PyTorch's update rules (``torch.optim.SGD``,
``torch.optim.Adam``, ``torch.nn.utils.clip_grad_norm_``), so a benchmark can follow a
PyTorch trajectory step by step. Both update a dict of float64 arrays in place; they hold
no randomness, so a run is deterministic for its data and initial weights.

SGD with momentum mu (dampening 0, no Nesterov), gradient g, velocity v::

    v = g (first step)      v = mu v + g (later)      p -= lr v

Adam (step count t from 1; m, v start at 0)::

    m += (1 - beta1) (g - m)          (torch's lerp)
    v = beta2 v + (1 - beta2) g^2
    p -= (lr / (1 - beta1^t)) m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

Clipping: n = sqrt(sum of every gradient's squared entries); when max_norm / (n + 1e-6)
< 1 every gradient is multiplied by it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, MutableMapping

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


class SGD:
    def __init__(self, lr: float, momentum: float = 0.0) -> None:
        self.lr, self.momentum = lr, momentum
        self.velocity: dict[str, Array] = {}

    def update(self, params: MutableMapping[str, Array], grads: Mapping[str, Array]) -> None:
        for key, p in params.items():
            g = grads[key]
            if self.momentum:
                v = self.velocity.get(key)
                if v is None:
                    v = self.velocity[key] = g.copy()
                else:
                    v *= self.momentum
                    v += g
                g = v
            p -= self.lr * g


class Adam:
    def __init__(
        self, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ) -> None:
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.t = 0
        self.m: dict[str, Array] = {}
        self.v: dict[str, Array] = {}

    def update(self, params: MutableMapping[str, Array], grads: Mapping[str, Array]) -> None:
        self.t += 1
        step_size = self.lr / (1.0 - self.beta1**self.t)
        root_correction = math.sqrt(1.0 - self.beta2**self.t)
        for key, p in params.items():
            g = grads[key]
            if key not in self.m:
                self.m[key], self.v[key] = np.zeros_like(p), np.zeros_like(p)
            m, v = self.m[key], self.v[key]
            m += (1.0 - self.beta1) * (g - m)
            v *= self.beta2
            v += (1.0 - self.beta2) * g * g
            denom = np.sqrt(v)
            denom /= root_correction
            denom += self.eps
            p -= step_size * (m / denom)


def clip_grad_norm(grads: MutableMapping[str, Array], max_norm: float) -> float:
    """Scale the gradients in place so that their total norm is at most ``max_norm``
    (PyTorch's ``clip_grad_norm_``); the total norm before clipping."""
    total = math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))
    scale = max_norm / (total + 1e-6)
    if scale < 1.0:
        for g in grads.values():
            g *= scale
    return total


Optimiser = SGD | Adam

__all__ = ["SGD", "Adam", "Optimiser", "clip_grad_norm"]
