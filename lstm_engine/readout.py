"""A linear readout on the hidden state, y = h W^T + b, and the losses it is trained with.

Symbols: h (..., H) hidden states, W = ``weight`` (O, H), b = ``bias`` (O), y (..., O) the
prediction. N is the number of predictions (every leading position of h).

* ``"mse"``: L = mean((y - target)^2) over every position and output (PyTorch's
  ``MSELoss``); dL/dy = 2 (y - target) / (N O).
* ``"xent"``: softmax cross-entropy on integer classes (PyTorch's ``CrossEntropyLoss``):
  p = softmax(y), L = mean(-log p[target]) over the N positions; dL/dy = (p - onehot) / N.

Then dL/dW = dy^T h, dL/db = sum(dy), dL/dh = dy W. In a weight file the readout is
``readout.weight`` (O, H) and ``readout.bias`` (O), beside the cell's keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .cells.base import Cell
from .cells.weights import WeightsError
from .tasks import Objective

Array = npt.NDArray[np.float64]
WEIGHT, BIAS = "readout.weight", "readout.bias"
KEYS = (WEIGHT, BIAS)


@dataclass(frozen=True, eq=False)
class Readout:
    weight: Array  #: (O, H)
    bias: Array  #: (O,)

    @classmethod
    def init(cls, hidden_size: int, output_size: int, seed: int) -> Readout:
        """PyTorch's ``nn.Linear`` initialisation: W and b ~ U(±1/sqrt(H)), from
        ``np.random.default_rng(seed)``."""
        bound = 1.0 / np.sqrt(hidden_size)
        rng = np.random.default_rng(seed)
        weight = rng.uniform(-bound, bound, (output_size, hidden_size))
        return cls(weight, rng.uniform(-bound, bound, output_size))

    @classmethod
    def from_params(cls, params: Mapping[str, Array]) -> Readout:
        return cls(params[WEIGHT], params[BIAS])

    @property
    def params(self) -> dict[str, Array]:
        return {WEIGHT: self.weight, BIAS: self.bias}

    @property
    def output_size(self) -> int:
        return int(self.weight.shape[0])

    def predict(self, h: npt.ArrayLike) -> Array:
        """y = h W^T + b: (..., H) -> (..., O)."""
        return np.asarray(h, dtype=np.float64) @ self.weight.T + self.bias

    def loss_and_grad(
        self, h: Array, targets: npt.ArrayLike, objective: Objective
    ) -> tuple[float, Array, dict[str, Array]]:
        """The loss of the predictions on h, dL/dh (h's shape) and the readout's gradients."""
        return loss_and_grad(self.weight, self.bias, h, targets, objective)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Readout)
            and np.array_equal(self.weight, other.weight)
            and np.array_equal(self.bias, other.bias)
        )

    __hash__ = None  # type: ignore[assignment]


def loss_and_grad(
    weight: Array, bias: Array, h: Array, targets: npt.ArrayLike, objective: Objective
) -> tuple[float, Array, dict[str, Array]]:
    """The module docstring's loss and gradients, from the readout's arrays (the trainer
    keeps them in its own mutable dict)."""
    y = h @ weight.T + bias
    flat_y = y.reshape(-1, y.shape[-1])
    n = len(flat_y)
    if objective == "mse":
        diff = flat_y - np.asarray(targets, dtype=np.float64).reshape(flat_y.shape)
        loss = float(np.mean(diff**2))
        dy = diff * (2.0 / diff.size)
    elif objective == "xent":
        classes = np.asarray(targets).reshape(n)
        shifted = flat_y - flat_y.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        rows = np.arange(n)
        loss = float(-np.mean(log_p[rows, classes]))
        dy = np.exp(log_p)
        dy[rows, classes] -= 1.0
        dy /= n
    else:
        raise ValueError(f"unknown objective {objective!r}; choose mse or xent")
    flat_h = h.reshape(n, -1)
    grads = {WEIGHT: dy.T @ flat_h, BIAS: dy.sum(axis=0)}
    return loss, (dy @ weight).reshape(h.shape), grads


def check_readout(params: Mapping[str, npt.ArrayLike], hidden_size: int) -> Readout:
    """A readout from a weight file's arrays, or WeightsError naming the key and shape."""
    missing = [key for key in KEYS if key not in params]
    if missing:
        raise WeightsError(f"{missing[0]}: missing (a readout needs {WEIGHT} and {BIAS})")
    weight = np.asarray(params[WEIGHT])
    bias = np.asarray(params[BIAS])
    for key, array in ((WEIGHT, weight), (BIAS, bias)):
        if array.dtype.kind not in "iuf":
            raise WeightsError(f"{key}: expected real numbers, got an array of dtype {array.dtype}")
    if weight.ndim != 2 or weight.shape[1] != hidden_size or weight.shape[0] < 1:
        raise WeightsError(
            f"{WEIGHT}: expected shape (O, {hidden_size}) (hidden size {hidden_size}), "
            f"got {weight.shape}"
        )
    if bias.shape != (weight.shape[0],):
        raise WeightsError(f"{BIAS}: expected shape ({weight.shape[0]},), got {bias.shape}")
    for key, array in ((WEIGHT, weight), (BIAS, bias)):
        if not np.all(np.isfinite(array)):
            raise WeightsError(f"{key}: contains NaN or infinite values")
    return Readout(_frozen(weight), _frozen(bias))


def _frozen(array: Array) -> Array:
    out = np.array(array, dtype=np.float64)
    out.flags.writeable = False
    return out


@dataclass(frozen=True)
class Model:
    """A cell and, when trained, its readout: what a weight file with a readout holds."""

    cell: Cell
    readout: Readout | None = None


__all__ = ["BIAS", "KEYS", "WEIGHT", "Model", "Readout", "check_readout", "loss_and_grad"]
