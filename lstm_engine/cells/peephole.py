"""The peephole LSTM of Gers & Schmidhuber (2000): gates that also look at the cell state.

Symbols (H hidden units; [h_prev, x] is h_prev stacked on x; p_* are diagonal, so
``p_i * c_prev`` is elementwise)::

    a_i, a_f, z_g, a_o = W [h_prev, x] + b      affine part, the four blocks of one product
                                                (a: a gate's affine part, before its peephole)
    pc_i = p_i * c_prev     z_i = a_i + pc_i     i = sigmoid(z_i)     input gate
    pc_f = p_f * c_prev     z_f = a_f + pc_f     f = sigmoid(z_f)     forget gate
                                                 g = tanh(z_g)        candidate (c_bar)
    c = f * c_prev + i * g                                            cell state
    pc_o = p_o * c          z_o = a_o + pc_o     o = sigmoid(z_o)     output gate
    h = o * tanh(c)                                                   hidden state

The output gate peeks at the *new* cell state c, the input and forget gates at c_prev.
A gate's ``pre`` (z_i, z_f, z_o) is its whole pre-activation, peephole term included;
the terms themselves are kept apart (pc_i, pc_f, pc_o) so the dashboard can show what
the peepholes add.

Range. With w the largest |weight| (biases and peepholes included), x = max(1,
largest |x_t|) and T steps, every number is finite while w (x (H + I + 2) + T) < 1e300:
|c| <= T, so the peephole terms are at most w T. Past it a pre-activation can pass
float64 and the session stops with ``StepOverflow``; a gate's z (a + p c, not kept in
the history) can then be inf while its gate is still 0 or 1.

Weights: the ``lstm`` keys in PyTorch's layout (``weight_ih`` (4H, I), ``weight_hh``
(4H, H), ``bias_ih``, ``bias_hh`` (4H), gate rows i, f, g, o) plus ``peephole_i``,
``peephole_f``, ``peephole_o`` (H). With the peepholes at zero this is ``LSTMCell``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Self

import numpy as np
import numpy.typing as npt

from .activations import sigmoid
from .base import Array, Backward, Cell, Gate, State
from .expressions import Equation, Weight, call, plus, times, value
from .lstm import (
    CELL_EQUATION,
    HIDDEN_EQUATION,
    LSTM_GATES,
    LSTM_STATES,
    LSTMCell,
    LSTMRecord,
    lstm_affine,
    lstm_gate_equation,
)
from .lstm_backward import lstm_taped_forward

PEEPHOLES = ("peephole_i", "peephole_f", "peephole_o")


def peeking_equation(gate: Gate, peeks_at: str) -> Equation:
    """``f = sigmoid(W_f·[h_prev, x] + b_f + p_f*c_prev) = ... = sigmoid(z_f) = f``; the
    stage ``sigmoid(a_f + pc_f)`` shows the affine part and the peephole term apart."""
    k = gate.symbol
    return Equation(
        k,
        f"sigmoid({{affine}} + p_{k}*{peeks_at})",
        (
            call("sigmoid", plus(lstm_affine(k), times(Weight(f"peephole_{k}"), value(peeks_at)))),
            call("sigmoid", plus(value(f"a_{k}"), value(f"pc_{k}"))),
            call("sigmoid", value(gate.pre)),
        ),
        k,
    )


@dataclass(frozen=True)
class PeepholeRecord(LSTMRecord):
    """The LSTM's record, plus each peeking gate's affine part a and peephole term p*c
    (its pre-activation z is their sum)."""

    a_i: Array
    a_f: Array
    a_o: Array
    pc_i: Array
    pc_f: Array
    pc_o: Array


class PeepholeLSTMCell(Cell):
    kind = "peephole"
    title = "Peephole LSTM"
    gates = tuple(
        replace(gate, notes=(("p*c", f"pc_{gate.symbol}"),))
        if gate.symbol in ("i", "f", "o")
        else gate
        for gate in LSTM_GATES
    )
    states = LSTM_STATES
    shown_extras = (("tanh_c", "tanh(c)"),)
    param_roles = {
        **LSTMCell.param_roles,
        "peephole_i": (("input gate",), "c_prev"),
        "peephole_f": (("forget gate",), "c_prev"),
        "peephole_o": (("output gate",), "c"),
    }

    equations = (
        peeking_equation(gates[0], "c_prev"),
        peeking_equation(gates[1], "c_prev"),
        lstm_gate_equation("g"),
        CELL_EQUATION,
        peeking_equation(gates[3], "c"),
        HIDDEN_EQUATION,
    )

    def __init__(self, params: Mapping[str, npt.ArrayLike]) -> None:
        super().__init__(params)
        p = self.params
        self._W_x = p["weight_ih"].T
        self._W_h = p["weight_hh"].T
        self._b = p["bias_ih"] + p["bias_hh"]

    @classmethod
    def param_shapes(cls, input_size: int, hidden_size: int) -> dict[str, tuple[int, ...]]:
        shapes = LSTMCell.param_shapes(input_size, hidden_size)
        shapes.update({key: (hidden_size,) for key in PEEPHOLES})
        return shapes

    @classmethod
    def sizes_from(cls, params: Mapping[str, Array]) -> tuple[int, int]:
        return LSTMCell.sizes_from(params)

    @classmethod
    def init(cls, input_size: int, hidden_size: int, seed: int) -> Self:
        """``LSTMCell.init(seed)`` (the original's weights, zero biases) plus peepholes.

        The peepholes are drawn uniform in ±1/sqrt(H) (PyTorch's scale for recurrent
        weights) from ``np.random.default_rng(seed)``: the peephole terms then weigh about
        as much as the recurrent ones and show in the dashboard, and zeroing them with
        ``with_params`` gives back the LSTM of the same seed, for comparison.
        """
        lstm = LSTMCell.init(input_size, hidden_size, seed)
        bound = 1.0 / np.sqrt(hidden_size)
        drawn = np.random.default_rng(seed).uniform(-bound, bound, (len(PEEPHOLES), hidden_size))
        return cls({**lstm.params, **dict(zip(PEEPHOLES, drawn, strict=True))})

    @property
    def n_pre(self) -> int:
        return 4 * self.hidden_size

    def preactivate(self, x: Array, state: State) -> Array:
        return x @ self._W_x + state["h"] @ self._W_h + self._b

    def taped_forward(
        self, inputs: npt.ArrayLike, state: State | None = None
    ) -> tuple[Array, Backward]:
        """Backpropagation through time (``lstm_backward.py``, peepholes included):
        see ``Cell.taped_forward``."""
        return lstm_taped_forward(self.params, inputs, state)

    def pointwise(self, t: int, x: Array, pre: Array, prev: State) -> PeepholeRecord:
        p = self.params
        a_i, a_f, z_g, a_o = np.split(pre, 4, axis=-1)
        c_prev = prev["c"]
        pc_i = p["peephole_i"] * c_prev
        pc_f = p["peephole_f"] * c_prev
        z_i = a_i + pc_i
        z_f = a_f + pc_f
        i, f, g = sigmoid(z_i), sigmoid(z_f), np.tanh(z_g)
        c = f * c_prev + i * g
        pc_o = p["peephole_o"] * c
        z_o = a_o + pc_o
        o = sigmoid(z_o)
        tanh_c = np.tanh(c)
        h = o * tanh_c
        return PeepholeRecord(
            t, x, prev["h"], c_prev, z_i, z_f, z_g, z_o, i, f, g, o, c, tanh_c, h,
            a_i=a_i, a_f=a_f, a_o=a_o, pc_i=pc_i, pc_f=pc_f, pc_o=pc_o,
        )  # fmt: skip
