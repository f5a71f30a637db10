"""The plain tanh RNN (Elman 1990), as PyTorch's ``nn.RNNCell``: the cell the LSTM was made
to improve on, for comparing with it.

Symbols (H hidden units, I inputs)::

    z = W_ih x + b_ih + W_hh h_prev + b_hh        pre-activation (b = b_ih + b_hh on screen)
    h = tanh(z)                                    hidden state

There is no gate and no cell state: h is the only state, and the tanh is the cell's one
"gate" as the trace formats and the panels see it (``gates.tanh`` in a trace, the same
numbers as h; its pre-activation is z). Its affine map has the shape of one gate block of
an LSTM: with the weights of the LSTM's candidate rows it gives the LSTM's candidate g
(``share.py`` uses this in compare mode).

Range. With w the largest |weight| (biases included) and x = max(1, largest |x_t|),
every number is finite while w x (H + I + 2) < 1e300, which bounds z (|h_prev| <= 1);
h lies in [-1, 1] whatever z is. Past it z can pass float64 (or be inf - inf) and the
session stops with ``StepOverflow``.

Backpropagation through time (``taped_forward``), with L = sum(d_hidden * H) and the
symbols above, from the last step back (dz_{T+1} = 0)::

    dh_t = d_hidden_t + dz_{t+1} W_hh        everything that flows into h_t (flow.h)
    dz_t = dh_t * (1 - h_t^2)
    dW_ih = sum_t dz_t^T x_t      dW_hh = sum_t dz_t^T h_{t-1}
    db_ih = db_hh = sum over t and the batch of dz_t
    dx_t = dz_t W_ih              d(initial h) = dz_1 W_hh

Only dh_t and dz_t need the step-by-step loop; the weight and input gradients are one
matrix product each over all steps at once.

Weights are kept in PyTorch's ``nn.RNNCell`` layout: ``weight_ih`` (H, I), ``weight_hh``
(H, H), ``bias_ih`` (H), ``bias_hh`` (H). The keys are the LSTM's, with H rows where the
LSTM has 4H: files carry their kind, and loading by shapes tells the two apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self

import numpy as np
import numpy.typing as npt

from .base import Array, Backward, Cell, Gate, Record, State, StateVar
from .expressions import Affine, Equation, call, value
from .weights import torch_shapes, torch_sizes

#: The products of z, in the order the equation writes them: W_ih x + W_hh h_prev.
RNN_PRODUCTS = (("weight_ih", "x"), ("weight_hh", "h_prev"))
RNN_BIAS = ("bias_ih", "bias_hh")
#: PyTorch's order of the parameters, which ``init`` draws in.
RNN_KEYS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


@dataclass(frozen=True)
class RNNRecord(Record):
    h_prev: Array
    z: Array
    h: Array


class RNNCell(Cell):
    kind = "rnn"
    title = "RNN (tanh)"
    gates = (Gate("tanh", "h", "z", "Hidden", -1.0, 1.0, activation="tanh"),)
    states = (StateVar("h", "Hidden"),)
    plotted = ("h",)
    printout = (("h",),)
    param_roles = {
        "weight_ih": (("tanh",), "x"),
        "weight_hh": (("tanh",), "h_prev"),
        "bias_ih": (("tanh",), ""),
        "bias_hh": (("tanh",), ""),
    }
    equations = (
        Equation(
            "h",
            "tanh({affine})",
            (
                call("tanh", Affine(RNN_PRODUCTS, RNN_BIAS, 0, ("W_ih", "W_hh"), "b")),
                call("tanh", value("z")),
            ),
            "h",
        ),
    )

    def __init__(self, params: Mapping[str, npt.ArrayLike]) -> None:
        super().__init__(params)
        p = self.params
        self._W_x = p["weight_ih"].T
        self._W_h = p["weight_hh"].T
        self._bias = p["bias_ih"] + p["bias_hh"]

    @classmethod
    def param_shapes(cls, input_size: int, hidden_size: int) -> dict[str, tuple[int, ...]]:
        return torch_shapes(1, input_size, hidden_size)

    @classmethod
    def sizes_from(cls, params: Mapping[str, Array]) -> tuple[int, int]:
        return torch_sizes(params)

    @classmethod
    def init(cls, input_size: int, hidden_size: int, seed: int) -> Self:
        """PyTorch's ``nn.RNNCell`` initialisation: every weight and bias uniform in
        ±1/sqrt(H), drawn from ``np.random.default_rng(seed)`` in the order weight_ih,
        weight_hh, bias_ih, bias_hh."""
        rng = np.random.default_rng(seed)
        bound = 1.0 / np.sqrt(hidden_size)
        shapes = cls.param_shapes(input_size, hidden_size)
        return cls({key: rng.uniform(-bound, bound, shapes[key]) for key in RNN_KEYS})

    @property
    def n_pre(self) -> int:
        return self.hidden_size

    def preactivate(self, x: Array, state: State) -> Array:
        return x @ self._W_x + state["h"] @ self._W_h + self._bias

    def pointwise(self, t: int, x: Array, pre: Array, prev: State) -> RNNRecord:
        return RNNRecord(t, x, prev["h"], pre, np.tanh(pre))

    # -- many steps: three NumPy calls a step --------------------------------------------
    def _run(self, inputs: npt.ArrayLike, state: State | None) -> tuple[Array, Array]:
        """The inputs (T, B, I) as float64 and the hidden states (T + 1, B, H), row 0 the
        initial h. The input projection of every step (bias included) is one product."""
        X = np.asarray(inputs, dtype=np.float64)
        if X.ndim != 3 or X.shape[2] != self.input_size:
            raise ValueError(f"inputs have shape {X.shape}, expected (T, B, {self.input_size})")
        steps, batch, _ = X.shape
        hs = np.empty((steps + 1, batch, self.hidden_size))
        hs[0] = 0.0 if state is None else np.broadcast_to(state["h"], hs[0].shape)
        projected = hs[1:].reshape(steps * batch, self.hidden_size)  # a view: written in place
        np.matmul(X.reshape(steps * batch, self.input_size), self._W_x, out=projected)
        projected += self._bias
        recurrent = np.empty((batch, self.hidden_size))
        for t in range(1, steps + 1):
            np.matmul(hs[t - 1], self._W_h, out=recurrent)
            hs[t] += recurrent
            np.tanh(hs[t], out=hs[t])
        return X, hs

    def forward(
        self, inputs: npt.ArrayLike, state: State | None = None
    ) -> tuple[Array, dict[str, Array]]:
        """The batched path: the step path's equations, held equal to it by the tests."""
        _, hs = self._run(inputs, state)
        return hs[1:], {"h": hs[-1].copy()}

    def taped_forward(
        self, inputs: npt.ArrayLike, state: State | None = None
    ) -> tuple[Array, Backward]:
        """Backpropagation through time (the module docstring): see ``Cell.taped_forward``."""
        X, hs = self._run(inputs, state)
        steps, batch, _ = X.shape
        H = self.hidden_size
        W_ih, W_hh = self.params["weight_ih"], self.params["weight_hh"]
        slope = 1.0 - hs[1:] ** 2  # tanh'(z_t) = 1 - h_t^2

        def backward(d_hidden: npt.ArrayLike, flow: bool = False) -> dict[str, Array]:
            dH = np.asarray(d_hidden, dtype=np.float64)
            if dH.shape != (steps, batch, H):
                raise ValueError(f"d_hidden: expected shape {(steps, batch, H)}, got {dH.shape}")
            dh = np.empty((steps, batch, H))  # row t - 1: dh_t, everything flowing into h_t
            dz = np.empty((steps, batch, H))
            dh_prev = np.zeros((batch, H))  # dz_{t+1} W_hh
            for t in reversed(range(steps)):
                np.add(dH[t], dh_prev, out=dh[t])
                np.multiply(dh[t], slope[t], out=dz[t])
                np.matmul(dz[t], W_hh, out=dh_prev)
            flat = dz.reshape(steps * batch, H)
            grads = {
                "weight_ih": flat.T @ X.reshape(steps * batch, self.input_size),
                "weight_hh": flat.T @ hs[:-1].reshape(steps * batch, H),
                "bias_ih": flat.sum(axis=0),
                "inputs": dz @ W_ih,
                "initial.h": dh_prev,
            }
            grads["bias_hh"] = grads["bias_ih"].copy()
            if flow:
                grads["flow.h"] = dh
            return grads

        return hs[1:].copy(), backward
