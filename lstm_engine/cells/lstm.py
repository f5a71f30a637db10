"""The forget-gate LSTM, as in the original ``Lstm.py`` and PyTorch's ``nn.LSTMCell``.

Symbols (H hidden units, I inputs; [h_prev, x] is h_prev stacked on x)::

    z_f = W_f [h_prev, x] + b_f        f = sigmoid(z_f)      forget gate
    z_i = W_i [h_prev, x] + b_i        i = sigmoid(z_i)      input gate
    z_g = W_c [h_prev, x] + b_c        g = tanh(z_g)         candidate (the original's c_bar)
    z_o = W_o [h_prev, x] + b_o        o = sigmoid(z_o)      output gate
    c = f * c_prev + i * g                                    cell state
    h = o * tanh(c)                                           hidden state

Weights are kept in PyTorch's ``nn.LSTMCell`` layout: ``weight_ih`` (4H, I),
``weight_hh`` (4H, H), ``bias_ih`` (4H), ``bias_hh`` (4H), gate rows in the order
i, f, g, o. The bias of a gate is ``bias_ih + bias_hh``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self

import numpy as np
import numpy.typing as npt

from .activations import sigmoid
from .base import Array, Cell, Gate, Record, State, StateVar

#: Gate blocks of the weight rows, in PyTorch's order.
ROW_ORDER = ("i", "f", "g", "o")
ROW_GATES = ("input gate", "forget gate", "candidate", "output gate")


@dataclass(frozen=True)
class LSTMRecord(Record):
    h_prev: Array
    c_prev: Array
    z_i: Array
    z_f: Array
    z_g: Array
    z_o: Array
    i: Array
    f: Array
    g: Array
    o: Array
    c: Array
    tanh_c: Array
    h: Array


LSTM_GATES = (
    Gate("forget", "f", "z_f", "Forget gate", 0.0, 1.0),
    Gate("input", "i", "z_i", "Input gate", 0.0, 1.0),
    Gate("candidate", "g", "z_g", "Candidate", -1.0, 1.0, activation="tanh", notation="c_bar"),
    Gate("output", "o", "z_o", "Output gate", 0.0, 1.0),
)
LSTM_STATES = (StateVar("h", "Hidden"), StateVar("c", "Cell"))


class LSTMCell(Cell):
    kind = "lstm"
    title = "LSTM"
    gates = LSTM_GATES
    states = LSTM_STATES
    printout = (("h", "c"), ("f", "i"), ("o", "g"))  # the original Lstm.py's lines
    shown_extras = (("tanh_c", "tanh(c)"),)
    param_roles = {
        "weight_ih": (ROW_GATES, "x"),
        "weight_hh": (ROW_GATES, "h_prev"),
        "bias_ih": (ROW_GATES, ""),
        "bias_hh": (ROW_GATES, ""),
    }

    def __init__(self, params: Mapping[str, npt.ArrayLike]) -> None:
        super().__init__(params)
        p = self.params
        self._bias = p["bias_ih"] + p["bias_hh"]
        self._fused: tuple[Array, Array, Array] | None = None

    @classmethod
    def param_shapes(cls, input_size: int, hidden_size: int) -> dict[str, tuple[int, ...]]:
        rows = 4 * hidden_size
        return {
            "weight_ih": (rows, input_size),
            "weight_hh": (rows, hidden_size),
            "bias_ih": (rows,),
            "bias_hh": (rows,),
        }

    @classmethod
    def sizes_from(cls, params: Mapping[str, Array]) -> tuple[int, int]:
        hidden_size = params["weight_hh"].shape[1]
        return params["weight_ih"].shape[1], hidden_size

    @classmethod
    def init(cls, input_size: int, hidden_size: int, seed: int) -> Self:
        """The original ``ExtendedLSTM`` initialisation, bit for bit.

        A legacy ``RandomState(seed)`` stream (the numbers of ``np.random.seed(seed)``)
        draws W_f, W_i, W_o, W_c in that order, each ``randn(H, H + I) * 0.1`` with
        columns [h, x]; biases are zero.
        """
        rng = np.random.RandomState(seed)
        drawn = {}
        for gate in ("f", "i", "o", "g"):
            drawn[gate] = rng.randn(hidden_size, hidden_size + input_size) * 0.1
        stacked = np.vstack([drawn[gate] for gate in ROW_ORDER])
        zeros = np.zeros(4 * hidden_size)
        return cls(
            {
                "weight_ih": stacked[:, hidden_size:],
                "weight_hh": stacked[:, :hidden_size],
                "bias_ih": zeros,
                "bias_hh": zeros,
            }
        )

    @property
    def n_pre(self) -> int:
        return 4 * self.hidden_size

    def preactivate(self, x: Array, state: State) -> Array:
        p = self.params
        return p["weight_hh"] @ state["h"] + p["weight_ih"] @ x + self._bias

    def pointwise(self, t: int, x: Array, pre: Array, prev: State) -> LSTMRecord:
        z_i, z_f, z_g, z_o = pre.reshape(4, self.hidden_size)
        c_prev = prev["c"]
        i, f, _, o = sigmoid(pre).reshape(4, self.hidden_size)  # one call for the three gates
        g = np.tanh(z_g)
        c = f * c_prev + i * g
        tanh_c = np.tanh(c)
        h = o * tanh_c
        return LSTMRecord(t, x, prev["h"], c_prev, z_i, z_f, z_g, z_o, i, f, g, o, c, tanh_c, h)

    def affine_terms(self, record: Record, block: int, unit: int) -> str:
        """``W [h_prev, x] + b`` of one gate row with the numbers in: every term when there are
        few, else the two sums."""
        H, row = self.hidden_size, block * self.hidden_size + unit
        w_h, w_x = self.params["weight_hh"][row], self.params["weight_ih"][row]
        h_prev, x = record.h_prev, record.x  # type: ignore[attr-defined]
        if H + self.input_size <= 3:
            terms = [f"{w:.4f}*{name}" for w, name in zip(w_h, _names("h_prev", H), strict=True)]
            terms += [f"{w:.4f}*{name}" for w, name in zip(w_x, _names("x", len(x)), strict=True)]
        else:
            terms = [f"W_h.h_prev {w_h @ h_prev:.4f}", f"W_x.x {w_x @ x:.4f}"]
        return " + ".join([*terms, f"{self._bias[row]:.4f}"])

    def equations(self, record: Record, unit: int) -> list[str]:
        r = record
        assert isinstance(r, LSTMRecord)
        k = unit

        def gate(symbol: str, shown: str, fn: str) -> str:
            block = ROW_ORDER.index(symbol)
            z, value = getattr(r, "z_" + symbol)[k], getattr(r, symbol)[k]
            return f"{shown} = {fn}({self.affine_terms(r, block, k)}) = {fn}({z:.4f}) = {value:.4f}"

        return [
            gate("f", "f", "sigmoid"),
            gate("i", "i", "sigmoid"),
            gate("g", "c_bar", "tanh"),
            f"c = f*c_prev + i*c_bar = {r.f[k]:.4f}*{r.c_prev[k]:.4f} + {r.i[k]:.4f}*{r.g[k]:.4f}"
            f" = {r.c[k]:.4f}",
            gate("o", "o", "sigmoid"),
            f"h = o*tanh(c) = {r.o[k]:.4f}*tanh({r.c[k]:.4f}) = {r.o[k]:.4f}*{r.tanh_c[k]:.4f}"
            f" = {r.h[k]:.4f}",
        ]

    def forward(
        self, inputs: npt.ArrayLike, state: State | None = None
    ) -> tuple[Array, dict[str, Array]]:
        X = batch_inputs(inputs, self.input_size)
        steps, batch, _ = X.shape
        H = self.hidden_size
        start = self.initial_state(batch) if state is None else state
        h0 = np.array(np.broadcast_to(start["h"], (batch, H)), dtype=np.float64)
        c = np.array(np.broadcast_to(start["c"], (batch, H)), dtype=np.float64)
        hs = np.empty((steps, batch, H))
        if steps == 0:
            return hs, {"h": h0, "c": c}
        W_x, W_h, b = self._fused_weights()
        # One GEMM for the input projection of every step.
        Z = (X.reshape(steps * batch, -1) @ W_x).reshape(steps, batch, 4 * H)
        Z += b
        buf = np.empty((batch, 4 * H))
        tmp = np.empty((batch, H))
        i, f, o, g = (buf[:, k * H : (k + 1) * H] for k in range(4))
        h = h0
        with np.errstate(over="ignore"):
            for t in range(steps):
                np.matmul(h, W_h, out=buf)
                buf += Z[t]
                # Rows were negated (and the candidate's doubled), so one exp gives
                # e^-z for the sigmoid gates and e^-2z for the candidate.
                np.exp(buf, out=buf)
                buf += 1.0
                np.reciprocal(buf, out=buf)
                g *= 2.0  # tanh(z) = 2 sigmoid(2z) - 1
                g -= 1.0
                c *= f
                np.multiply(i, g, out=tmp)
                c += tmp
                np.multiply(c, -2.0, out=tmp)
                np.exp(tmp, out=tmp)
                tmp += 1.0
                np.reciprocal(tmp, out=tmp)
                tmp *= 2.0
                tmp -= 1.0
                h = hs[t]
                np.multiply(o, tmp, out=h)
        return hs, {"h": h.copy(), "c": c}

    def _fused_weights(self) -> tuple[Array, Array, Array]:
        """Weights for ``forward``: rows reordered to i, f, o, g, transposed, and scaled
        by -1 (sigmoid gates) or -2 (candidate). Scaling by a power of two is exact."""
        if self._fused is None:
            H = self.hidden_size
            order = [ROW_ORDER.index(k) for k in ("i", "f", "o", "g")]
            rows = np.concatenate([np.arange(k * H, (k + 1) * H) for k in order])
            scale = np.concatenate([np.full(3 * H, -1.0), np.full(H, -2.0)])
            p = self.params
            self._fused = (
                np.ascontiguousarray((p["weight_ih"][rows] * scale[:, None]).T),
                np.ascontiguousarray((p["weight_hh"][rows] * scale[:, None]).T),
                self._bias[rows] * scale,
            )
        return self._fused


def _names(symbol: str, n: int) -> list[str]:
    return [symbol] if n == 1 else [f"{symbol}[{k}]" for k in range(n)]


def batch_inputs(inputs: npt.ArrayLike, input_size: int) -> Array:
    """Inputs as a float64 array of shape (T, B, I), or a ValueError saying what is wrong."""
    X = np.asarray(inputs, dtype=np.float64)
    if X.ndim != 3 or X.shape[2] != input_size:
        raise ValueError(f"inputs have shape {X.shape}, expected (T, B, {input_size})")
    return X
