"""The sLSTM of xLSTM (Beck et al. 2024): exponential input gate, normaliser, stabiliser.

One step, as the official NX-AI pointwise function computes it (H units, all
elementwise; the four raw blocks come from one product)::

    i_raw, f_raw, z_raw, o_raw = W x + R h_prev + b
    logf = m_prev + logsigmoid(f_raw)                   log of the forget gate, in m's units
    m = i_raw  if every n_prev == 0  else  max(i_raw, logf)       stabiliser
    i = min(exp(i_raw - m), 1)                          input gate, stabilised
    f = min(exp(logf - m), 1)                           forget gate, stabilised
    z = tanh(z_raw)                                     candidate (shown c_bar)
    c = f * c_prev + i * z                              cell state
    n = f * n_prev + i                                  normaliser
    o = sigmoid(o_raw)                                  output gate
    h = o * c / n                                       hidden state

The paper's gates are exp(i_raw) and sigmoid(f_raw); they overflow, so the cell keeps
c, n and both gates scaled by exp(-m), where m is the running log of the largest
gate. The scale cancels in c / n, so h is the paper's. The dashboard writes the
stabilised gates i' and f' (a factor f' of 1 means "the largest gate this step", not
"forgets nothing": sigmoid(f_raw) is shown beside it) and the candidate z as c_bar, the
LSTM's name, since z names the pre-activations in the gate panels.

``exp_i`` = exp(i_raw) is kept for display only: it is inf where i_raw > ~709.78
(beyond float64), and nothing is computed from it.

Since m >= i_raw, i <= 1 with no help; the min only matters on the first step, where
m = i_raw may lie far below logf: ``min(exp(a), 1)`` is computed as ``exp(min(a, 0))``,
the same number without an overflow. From the first step on n >= 1 (one of i, f is
exactly 1), so c / n never divides by zero and |h| <= 1.

Range. With w the largest |weight| (biases included) and x = max(1, largest |x_t|),
every number of a step (but ``exp_i``) is finite while w x (H + I + 1) < 1e300: that
bounds every raw gate (|h_prev| <= 1), so -1e300 <= m <= 1e300 (m >= i_raw), logf >=
-2e300, both exponents lie in [-3e300, 0], and 1 <= n <= T. Weights of 1e307 stay
finite where the products fit (|x| <= 5, H + I <= 6 say: logsigmoid(-1e307) is -1e307);
past that a raw gate passes float64 and the session stops with ``StepOverflow``
(pre-activation).

The start test ("every n_prev == 0") is taken per sequence of a batch; the official
code takes it over the whole batch, which only differs for batches mixing fresh and
running states.

Weights: ``W`` (4H, I), ``R`` (4H, H), ``b`` (4H), gate rows in the order i, f, z, o.

Gradients (``taped_forward``): backpropagation through time over these very steps, as
PyTorch's autograd would take it over the official code; the reverse equations and the
branch rules (the max in m, the clamps min(., 1)) are in ``slstm_backward.py``. In
short: the gradient goes through whichever branch of m the forward took (through i_raw
on a start step), is zero through a clamped gate, and is split in half on an exact tie.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self

import numpy as np
import numpy.typing as npt

from .activations import logsigmoid, sigmoid
from .base import Array, Backward, Cell, Gate, Record, State, StateVar
from .expressions import (
    Affine,
    Choice,
    Const,
    Difference,
    Equation,
    Quotient,
    Source,
    call,
    plus,
    times,
    value,
)
from .lstm import ROW_GATES
from .slstm_backward import slstm_taped_forward


def raw(gate: str, block: int) -> Source:
    """Where a raw pre-activation comes from, for the full sums of the equations that read
    it: ``i_raw = W_i·x + R_i·h_prev + b_i``, the gate's block of rows (i, f, z, o)."""
    affine = Affine(
        (("W", "x"), ("R", "h_prev")), ("b",), block, (f"W_{gate}", f"R_{gate}"), f"b_{gate}"
    )
    return Source(f"{gate}_raw", affine)


#: The raw pre-activations no line works out (z_raw is in c_bar's), and the stabiliser's:
#: logf reads f_raw, m reads i_raw and logf, the gates read both through m.
I_RAW, F_RAW, O_RAW = raw("i", 0), raw("f", 1), raw("o", 3)
GATES_RAW = (I_RAW, F_RAW)


@dataclass(frozen=True)
class SLSTMRecord(Record):
    h_prev: Array
    c_prev: Array
    n_prev: Array
    m_prev: Array
    i_raw: Array
    f_raw: Array
    z_raw: Array
    o_raw: Array
    exp_i: Array  #: exp(i_raw), the paper's gate; inf past float64's range; display only
    sig_f: Array  #: sigmoid(f_raw), the paper's forget gate; display only
    start: Array  #: 1 where the step started from n_prev == 0 (m = i_raw), else 0
    logf: Array
    m: Array
    i: Array
    f: Array
    z: Array
    c: Array
    n: Array
    o: Array
    h: Array


class SLSTMCell(Cell):
    kind = "slstm"
    title = "sLSTM (xLSTM)"
    gates = (
        Gate(
            "input",
            "i",
            "i_raw",
            "Input gate",
            0.0,
            1.0,
            activation="exp",
            stabilised=True,
            notation="i'",
            notes=(("exp(z)", "exp_i"),),
        ),
        Gate(
            "forget",
            "f",
            "f_raw",
            "Forget gate",
            0.0,
            1.0,
            stabilised=True,
            notation="f'",
            notes=(("σ(z)", "sig_f"),),
        ),
        Gate(
            "candidate",
            "z",
            "z_raw",
            "Candidate",
            -1.0,
            1.0,
            activation="tanh",
            notation="c_bar",  # the paper's z_t; "z" is the gate panels' pre-activation column
        ),
        Gate("output", "o", "o_raw", "Output gate", 0.0, 1.0),
    )
    plotted = ("h", "c", "n")
    display_only = ("exp_i",)
    plotted_apart = ("c", "n")  # |c| <= n, and n grows with every remembered input
    equations = (
        Equation(
            "logf",
            "m_prev + logsigmoid(f_raw)",
            (plus(value("m_prev"), call("logsigmoid", value("f_raw"))),),
            "logf",
            sources=(F_RAW,),
        ),
        Choice(
            "start",
            Equation("m", "i_raw (first step: n_prev = 0)", (), "m", sources=(I_RAW,)),
            Equation(
                "m",
                "max(i_raw, logf)",
                (call("max", value("i_raw"), value("logf")),),
                "m",
                sources=GATES_RAW,
            ),
        ),
        Equation(
            "i'",
            "min(exp(i_raw - m), 1)",
            (call("min", call("exp", Difference(value("i_raw"), value("m"))), Const(1.0)),),
            "i",
            note=("exp(i_raw)", "exp_i"),
            sources=GATES_RAW,
        ),
        Equation(
            "f'",
            "min(exp(logf - m), 1)",
            (call("min", call("exp", Difference(value("logf"), value("m"))), Const(1.0)),),
            "f",
            note=("sigmoid(f_raw)", "sig_f"),
            sources=GATES_RAW,
        ),
        Equation(
            "c_bar",
            "tanh({affine})",
            (
                call(
                    "tanh",
                    raw("z", 2).expr,
                ),
                call("tanh", value("z_raw")),
            ),
            "z",
        ),
        Equation(
            "c",
            "f'*c_prev + i'*c_bar",
            (plus(times(value("f"), value("c_prev")), times(value("i"), value("z"))),),
            "c",
        ),
        Equation(
            "n", "f'*n_prev + i'", (plus(times(value("f"), value("n_prev")), value("i")),), "n"
        ),
        Equation(
            "h",
            "sigmoid(o_raw)*c/n",
            (
                Quotient(times(call("sigmoid", value("o_raw")), value("c")), value("n")),
                Quotient(times(value("o"), value("c")), value("n")),
            ),
            "h",
            sources=(O_RAW,),
        ),
    )
    param_roles = {
        "W": (ROW_GATES, "x"),
        "R": (ROW_GATES, "h_prev"),
        "b": (ROW_GATES, ""),
    }
    states = (
        StateVar("h", "Hidden"),
        StateVar("c", "Cell"),
        StateVar("n", "Normaliser"),
        StateVar("m", "Stabiliser"),
    )

    def __init__(self, params: Mapping[str, npt.ArrayLike]) -> None:
        super().__init__(params)
        self._W = self.params["W"].T
        self._R = self.params["R"].T

    @classmethod
    def param_shapes(cls, input_size: int, hidden_size: int) -> dict[str, tuple[int, ...]]:
        rows = 4 * hidden_size
        return {"W": (rows, input_size), "R": (rows, hidden_size), "b": (rows,)}

    @classmethod
    def sizes_from(cls, params: Mapping[str, Array]) -> tuple[int, int]:
        return params["W"].shape[1], params["R"].shape[1]

    @classmethod
    def init(cls, input_size: int, hidden_size: int, seed: int) -> Self:
        """The official sLSTM initialisation, with the recurrence switched on.

        From ``np.random.default_rng(seed)``: W normal with std sqrt(2 / (5 I)) (the
        official "small init" of the gate projections); R ~ U(±1/sqrt(H)) (the official
        "standard" recurrent init: its default, zeros, would cut the memory mixing
        through h that sets the sLSTM apart); b: forget rows linspace(3, 6, H) (the
        official "small_init" bias: forget gates near 1, so memory lasts), other rows 0.

        The input-gate bias stays 0: adding a constant to i_raw shifts m by the same
        constant and changes no output (i, c, n, h are ratios in which it cancels; only
        the first step's f, which multiplies zero states, moves), so 0 keeps m readable
        as the log of the largest input gate still remembered.
        """
        rng = np.random.default_rng(seed)
        H = hidden_size
        W = rng.normal(0.0, np.sqrt(2.0 / (5.0 * input_size)), (4 * H, input_size))
        R = rng.uniform(-1.0 / np.sqrt(H), 1.0 / np.sqrt(H), (4 * H, H))
        b = np.zeros(4 * H)
        b[H : 2 * H] = np.linspace(3.0, 6.0, H)
        return cls({"W": W, "R": R, "b": b})

    @property
    def n_pre(self) -> int:
        return 4 * self.hidden_size

    def preactivate(self, x: Array, state: State) -> Array:
        return x @ self._W + state["h"] @ self._R + self.params["b"]

    def pointwise(self, t: int, x: Array, pre: Array, prev: State) -> SLSTMRecord:
        c_prev, n_prev, m_prev = prev["c"], prev["n"], prev["m"]
        i_raw, f_raw, z_raw, o_raw = np.split(pre, 4, axis=-1)
        logf = m_prev + logsigmoid(f_raw)
        start = np.all(n_prev == 0.0, axis=-1, keepdims=True)
        m = np.where(start, i_raw, np.maximum(i_raw, logf))
        i = np.exp(np.minimum(i_raw - m, 0.0))
        f = np.exp(np.minimum(logf - m, 0.0))
        z = np.tanh(z_raw)
        c = f * c_prev + i * z
        n = f * n_prev + i
        o = sigmoid(o_raw)
        h = o * c / n
        with np.errstate(over="ignore"):  # for display: inf past float64, used by nothing
            exp_i = np.exp(i_raw)
        return SLSTMRecord(
            t, x, prev["h"], c_prev, n_prev, m_prev, i_raw, f_raw, z_raw, o_raw,
            exp_i, sigmoid(f_raw), start.astype(np.float64), logf, m, i, f, z, c, n, o, h,
        )  # fmt: skip

    def taped_forward(
        self, inputs: npt.ArrayLike, state: State | None = None
    ) -> tuple[Array, Backward]:
        """Backpropagation through time (``slstm_backward.py``): see ``Cell.taped_forward``."""
        return slstm_taped_forward(self, inputs, state)
