"""The forget-gate LSTM, as in the original ``Lstm.py`` and PyTorch's ``nn.LSTMCell``.

Symbols (H hidden units, I inputs; [h_prev, x] is h_prev stacked on x)::

    z_f = W_f [h_prev, x] + b_f        f = sigmoid(z_f)      forget gate
    z_i = W_i [h_prev, x] + b_i        i = sigmoid(z_i)      input gate
    z_g = W_c [h_prev, x] + b_c        g = tanh(z_g)         candidate: c_bar on screen
    z_o = W_o [h_prev, x] + b_o        o = sigmoid(z_o)      output gate
    c = f * c_prev + i * g                                    cell state
    h = o * tanh(c)                                           hidden state

Range. With w the largest |weight| (biases included) and x = max(1, largest |x_t|),
every number is finite while w x (H + I + 2) < 1e300, which bounds the pre-activations
(|h_prev| <= 1); the gates, g and h are bounded and |c| grows by at most 1 a step.
Past it a pre-activation can pass float64 and the session stops with ``StepOverflow``.

The equations panel writes W_f [h_prev, x] as W_hf·h_prev + W_if·x when it shows one
dot product per matrix (PyTorch's names: W_hf the f block of ``weight_hh``, W_if of
``weight_ih``).

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
from .base import Array, Backward, Cell, Gate, Record, State, StateVar
from .expressions import Affine, Equation, call, plus, times, value
from .lstm_backward import lstm_taped_forward
from .lstm_forward import ROW_ORDER, FastLSTM
from .weights import torch_shapes, torch_sizes

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
#: The products of a gate row: W [h_prev, x] + b in PyTorch's layout.
LSTM_PRODUCTS = (("weight_hh", "h_prev"), ("weight_ih", "x"))
LSTM_BIAS = ("bias_ih", "bias_hh")


def lstm_affine(symbol: str) -> Affine:
    """The affine part of a gate of ``LSTM_GATES`` (by symbol), its row block in PyTorch's
    order: written ``W_f·[h_prev, x] + b_f``, or ``W_hf·h_prev + W_if·x + b_f`` term by
    term, with PyTorch's names (W_hf: the forget gate's block of ``weight_hh``, W_if: of
    ``weight_ih``; not W_fh, whose input-gate twin W_ih would clash with the RNN's)."""
    letter = "c" if symbol == "g" else symbol  # the candidate's weights are W_c, b_c
    return Affine(
        LSTM_PRODUCTS,
        LSTM_BIAS,
        ROW_ORDER.index(symbol),
        (f"W_h{letter}", f"W_i{letter}"),
        f"b_{letter}",
        f"W_{letter}·[h_prev, x]",
    )


def lstm_gate_equation(symbol: str) -> Equation:
    """``f = sigmoid(W_f·[h_prev, x] + b_f) = sigmoid(<terms>) = sigmoid(z_f) = f``."""
    gate = next(g for g in LSTM_GATES if g.symbol == symbol)
    fn = gate.activation
    return Equation(
        gate.shown,
        f"{fn}({{affine}})",
        (call(fn, lstm_affine(symbol)), call(fn, value(gate.pre))),
        gate.symbol,
    )


CELL_EQUATION = Equation(
    "c",
    "f*c_prev + i*c_bar",
    (plus(times(value("f"), value("c_prev")), times(value("i"), value("g"))),),
    "c",
)
HIDDEN_EQUATION = Equation(
    "h",
    "o*tanh(c)",
    (times(value("o"), call("tanh", value("c"))), times(value("o"), value("tanh_c"))),
    "h",
)


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

    equations = (
        lstm_gate_equation("f"),
        lstm_gate_equation("i"),
        lstm_gate_equation("g"),
        CELL_EQUATION,
        lstm_gate_equation("o"),
        HIDDEN_EQUATION,
    )

    def __init__(self, params: Mapping[str, npt.ArrayLike]) -> None:
        super().__init__(params)
        p = self.params
        self._W_x = p["weight_ih"].T
        self._W_h = p["weight_hh"].T
        self._bias = p["bias_ih"] + p["bias_hh"]
        self._fast: FastLSTM | None = None

    @classmethod
    def param_shapes(cls, input_size: int, hidden_size: int) -> dict[str, tuple[int, ...]]:
        return torch_shapes(len(ROW_ORDER), input_size, hidden_size)

    @classmethod
    def sizes_from(cls, params: Mapping[str, Array]) -> tuple[int, int]:
        return torch_sizes(params)

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
        return x @ self._W_x + state["h"] @ self._W_h + self._bias

    def pointwise(self, t: int, x: Array, pre: Array, prev: State) -> LSTMRecord:
        z_i, z_f, z_g, z_o = np.split(pre, 4, axis=-1)
        c_prev = prev["c"]
        # one call for the three sigmoid gates (and a sigmoid of z_g nobody uses)
        i, f, _, o = np.split(sigmoid(pre), 4, axis=-1)
        g = np.tanh(z_g)
        c = f * c_prev + i * g
        tanh_c = np.tanh(c)
        h = o * tanh_c
        return LSTMRecord(t, x, prev["h"], c_prev, z_i, z_f, z_g, z_o, i, f, g, o, c, tanh_c, h)

    def taped_forward(
        self, inputs: npt.ArrayLike, state: State | None = None
    ) -> tuple[Array, Backward]:
        """Backpropagation through time (``lstm_backward.py``): see ``Cell.taped_forward``."""
        return lstm_taped_forward(self.params, inputs, state)

    def forward(
        self, inputs: npt.ArrayLike, state: State | None = None
    ) -> tuple[Array, dict[str, Array]]:
        """The fast batched path (``lstm_forward.py``), held equal to the step path."""
        if self._fast is None:
            self._fast = FastLSTM(self.params)
        return self._fast.forward(inputs, state)
