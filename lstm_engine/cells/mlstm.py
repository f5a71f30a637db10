"""The mLSTM of xLSTM (Beck et al. 2024): a matrix memory written with key-value pairs.

One recurrent step, as the official NX-AI code computes it (one head of H units;
i_raw, f_raw, i, f and m are scalars shared by all units)::

    q = W_q x + b_q     k = W_k x + b_k     v = W_v x + b_v       query, key, value
    o_raw = W_o x + b_o     i_raw = w_i . x + b_i     f_raw = w_f . x + b_f
    logf = logsigmoid(f_raw) + m_prev         log of the forget gate, in m's units
    m = max(logf, i_raw)                      stabiliser
    i = exp(i_raw - m)                        input gate, stabilised
    f = exp(logf - m)                         forget gate, stabilised
    C = f * C_prev + i * outer(k, v)          memory (rows index k)
    n = f * n_prev + i * k                    normaliser
    qs = q / sqrt(H)                          as mlstm-kernels (see below)
    h_tilde = (qs @ C) / (max(|qs . n|, exp(-m)) + eps)           eps = 1e-6
    o = sigmoid(o_raw)                        output gate
    h = o * h_tilde                           hidden state

Where 1/sqrt(H) goes: the paper and the ``xlstm`` package's own backends scale the key
(k / sqrt(H) written into C and n); ``mlstm-kernels``, which this code follows (and the
reference traces check), scales the query, qs = q / sqrt(H). h is the same either way
(the factor sits in both qs @ C and qs . n); C and n here are sqrt(H) times the paper's.

The paper's gates are exp(i_raw) and sigmoid(f_raw); C and n are kept scaled by
exp(-m) so that nothing overflows, and exp(-m) in the denominator is the paper's 1 in
those units (eps is added in them too, as the official code does). Since m >= i_raw
and m >= logf, both gates lie in [0, 1] (0 only by underflow).

exp(-m) itself overflows for m < -709, so the quotient is computed with numerator and
denominator multiplied by ``a = exp(min(m, 0))``, which makes every factor at most 1::

    h_tilde = a (qs @ C) / (max(a |qs . n|, exp(-max(m, 0))) + eps a)

For m >= 0, a = 1 and this is the formula above to the bit.

qs @ C holds products q k v and passes float64 long before h_tilde does (h_tilde is
about a weighted mean of the v's); qs . n can too, beyond the range below. Where one
is not finite, the quotient is taken with qs, C and n divided by powers of two 2**e >=
their largest entries (``scaled_quotient``): exact divisions, so it is the same
quotient, and it is inf only where h_tilde itself is beyond float64. Where both are
finite nothing changes: the formula above, to the bit.

Range. With w the largest |weight| (biases included), x = max(1, largest |x_t|) and
P = w x (I + 1), which bounds |q|, |k|, |v| and every raw gate: C and n are finite
while T P**2 < 1e300 over T steps (C sums at most T products k v, every gate being at
most 1), and h_tilde is sure to be finite while sqrt(H) T P**3 < 1e294 (the worst
case, qs . n cancelling to 0 so that the denominator is eps; h_tilde <= 1e6 |qs @ C|).
When qs . n does not cancel, h_tilde stays near the v's and is finite as long as C is:
seeded weights give finite steps up to |x| ~ 1e150. Beyond that C's products k v pass
float64 and the session stops with ``StepOverflow``.

There is no recurrence through h (the memory is C), so ``preactivate`` does not read
the state; h is kept as a state all the same, for sessions and plots.

For display only, nothing being computed from them, the record also keeps the paper's
gates ``exp_i`` = exp(i_raw) and ``sig_f`` = sigmoid(f_raw) (the stabilised ones are the
paper's i' and f'), and the parts of the quotient unscaled: ``qn`` = qs . n, ``qC`` =
qs @ C, ``exp_minus_m`` = exp(-m) and ``den`` = max(|qn|, exp(-m)) + eps, so that
h_tilde = qC / den. Four of them can be inf inside the range, and are listed in
``display_only``: ``exp_i`` where i_raw > 709.78, ``exp_minus_m`` and ``den`` where
m < -709.78, ``qC`` where qs @ C passes float64 (h_tilde is finite all the same). The
choice keeps every shown number the quantity its label names; a panel that shows
one of them as inf labels it as beyond float64.

Weights: ``W_q``, ``W_k``, ``W_v``, ``W_o`` (H, I); ``b_q``, ``b_k``, ``b_v``,
``b_o`` (H); ``w_i``, ``w_f`` (I); scalars ``b_i``, ``b_f`` (shape ()).

Gradients (``taped_forward``): backpropagation through time over these very steps, as
PyTorch's autograd would take it over the official code; the reverse equations and the
branch rules (the max in m, the max in the denominator) are in ``mlstm_backward.py``. In
short: the gradient goes through whichever branch won (through exp(-m) to m when it is
the denominator's larger term) and is split in half on an exact tie. The overflow-safe
``scaled_quotient`` path has no gradients: ``taped_forward`` refuses inputs that take
it.
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
    Const,
    Difference,
    Dot,
    Equation,
    Magnitude,
    Quotient,
    Row,
    Scaled,
    Source,
    call,
    plus,
    times,
    value,
)
from .mlstm_backward import mlstm_taped_forward

#: The official recurrent step's eps.
EPS = 1e-6
#: The dot products the equations show (their products in the full sum): h~'s numerator
#: reads the unit's column of C.
QN = Dot("qs", "n", "qn", "qs·n")
QC = Dot("qs", "C", "qC", "qs@C")
#: Rows of the fused input projection, in the order of the flat pre-activation.
BLOCKS = (("W_q", "b_q"), ("W_k", "b_k"), ("W_v", "b_v"), ("W_o", "b_o"))
SCALARS = (("w_i", "b_i"), ("w_f", "b_f"))
#: Where the fields no line works out come from, for the full sums that read them: the
#: scalar gates' raw pre-activations (one row every unit shares), the output gate's, and
#: the scaled query that den and h~ read.
I_RAW, F_RAW = (
    Source(f"{gate}_raw", Affine(((w, "x"),), (b,), 0, (w,), b, shared=True))
    for gate, (w, b) in zip("if", SCALARS, strict=True)
)
O_RAW = Source("o_raw", Affine((("W_o", "x"),), ("b_o",), 0, ("W_o",), "b_o"))
GATES_RAW = (I_RAW, F_RAW)
QS = Source("qs", Scaled("q"))


def power_of_two_above(values: Array, axes: tuple[int, ...]) -> Array:
    """The exponent e of the power of two 2**e >= max |values| over ``axes`` (0 for 0)."""
    return np.frexp(np.max(np.abs(values), axis=axes))[1]


def scaled_quotient(qs: Array, C: Array, n: Array, a: Array, floor: Array) -> Array:
    """h_tilde = a (qs @ C) / (max(a |qs . n|, floor) + eps a) where qs @ C or qs . n pass
    float64: qs, C and n are divided by powers of two 2**e >= their largest entries
    (exact divisions), the products taken on those (each at most H in size), the
    denominator written in units of 2**d, d = max(e_q + e_n, 0) (so that floor and eps
    cannot overflow), and the quotient multiplied back by 2**(e_q + e_C - d). It is inf
    only where h_tilde itself is beyond float64."""
    e_q = power_of_two_above(qs, (-1,))[..., None]
    e_n = power_of_two_above(n, (-1,))[..., None]
    e_C = power_of_two_above(C, (-2, -1))[..., None]
    qs_s = np.ldexp(qs, -e_q)
    qC_s = np.einsum("...k,...kv->...v", qs_s, np.ldexp(C, -e_C[..., None]))
    qn_s = np.einsum("...k,...k->...", qs_s, np.ldexp(n, -e_n))[..., None]
    d = np.maximum(e_q + e_n, 0)
    den_s = np.maximum(np.ldexp(a * np.abs(qn_s), e_q + e_n - d), np.ldexp(floor, -d))
    den_s = den_s + np.ldexp(EPS * a, -d)
    with np.errstate(over="ignore"):  # a true overflow: the session says so
        return np.ldexp(a * qC_s / den_s, e_q + e_C - d)


@dataclass(frozen=True)
class MLSTMRecord(Record):
    h_prev: Array
    C_prev: Array
    n_prev: Array
    m_prev: Array
    q: Array
    k: Array
    v: Array
    o_raw: Array
    i_raw: Array
    f_raw: Array
    logf: Array
    m: Array
    i: Array
    f: Array
    C: Array
    n: Array
    qs: Array
    exp_i: Array  #: exp(i_raw), the paper's input gate; display only
    sig_f: Array  #: sigmoid(f_raw), the paper's forget gate; display only
    qn: Array  #: qs . n
    qC: Array  #: qs @ C; inf where that passes float64; display only
    exp_minus_m: Array  #: exp(-m), the denominator's floor; display only
    den: Array  #: max(|qn|, exp(-m)) + eps, unscaled; display only
    h_tilde: Array
    o: Array
    h: Array


class MLSTMCell(Cell):
    kind = "mlstm"
    title = "mLSTM (xLSTM)"
    gates = (
        Gate(
            "input", "i", "i_raw", "Input gate", 0.0, 1.0, activation="exp", scalar=True,
            stabilised=True, notation="i'", notes=(("exp(z)", "exp_i"),),
        ),
        Gate(
            "forget", "f", "f_raw", "Forget gate", 0.0, 1.0, scalar=True, stabilised=True,
            notation="f'", notes=(("σ(z)", "sig_f"),),
        ),
        Gate("output", "o", "o_raw", "Output gate", 0.0, 1.0),
    )  # fmt: skip
    states = (
        StateVar("h", "Hidden"),
        StateVar("C", "Memory", kind="matrix"),
        StateVar("n", "Normaliser"),
        StateVar("m", "Stabiliser", kind="scalar"),
    )
    trace_extras = ("q", "k", "v")
    shown_extras = (("q", "q"), ("k", "k"), ("v", "v"), ("h_tilde", "h~"))
    plotted = ("h", "|C|")
    display_only = ("exp_i", "exp_minus_m", "den", "qC")
    plotted_apart = ("|C|",)
    equations = (
        *(
            Equation(
                name,
                "{affine}",
                (Affine(((w, "x"),), (b,), 0, (w,), b),),
                name,
                # what den and h~ read: the engine scales q (module docstring)
                note=("qs = q/sqrt(H)", "qs") if name == "q" else None,
            )
            for name, (w, b) in zip("qkv", BLOCKS[:3], strict=True)
        ),
        Equation(
            "m",
            "max(logsigmoid(f_raw) + m_prev, i_raw)",
            (call("max", value("logf"), value("i_raw")),),
            "m",
            sources=GATES_RAW,
        ),
        Equation(
            "i'",
            "exp(i_raw - m)",
            (call("exp", Difference(value("i_raw"), value("m"))),),
            "i",
            note=("exp(i_raw)", "exp_i"),
            sources=GATES_RAW,
        ),
        Equation(
            "f'",
            "exp(logf - m)",
            (call("exp", Difference(value("logf"), value("m"))),),
            "f",
            note=("sigmoid(f_raw)", "sig_f"),
            sources=GATES_RAW,
        ),
        Equation(
            "C",
            # the unit's column: what its h~ = qs @ C[:,u] / den reads
            "f'*C_prev[:,{u}] + i'*k*v[{u}]",
            (plus(times(value("f"), Row("C_prev")), times(value("i"), Row("k"), value("v"))),),
            "C",
        ),
        Equation(
            "n",
            "f'*n_prev + i'*k",
            (plus(times(value("f"), value("n_prev")), times(value("i"), value("k"))),),
            "n",
        ),
        Equation(
            "den",
            "max(|qs·n|, exp(-m)) + eps",
            (plus(call("max", Magnitude(QN), value("exp_minus_m")), Const(EPS)),),
            "den",
            sources=(QS, *GATES_RAW),  # exp(-m): m is the larger of logf and i_raw
        ),
        Equation("h~", "(qs@C)/den", (Quotient(QC, value("den")),), "h_tilde", sources=(QS,)),
        Equation(
            "h",
            "sigmoid(o_raw)*h~",
            (
                times(call("sigmoid", value("o_raw")), value("h_tilde")),
                times(value("o"), value("h_tilde")),
            ),
            "h",
            sources=(O_RAW,),
        ),
    )
    param_roles = {
        "W_q": (("query q",), "x"),
        "W_k": (("key k",), "x"),
        "W_v": (("value v",), "x"),
        "W_o": (("output gate",), "x"),
        "b_q": (("query q",), ""),
        "b_k": (("key k",), ""),
        "b_v": (("value v",), ""),
        "b_o": (("output gate",), ""),
        "w_i": (("input gate",), "x"),
        "w_f": (("forget gate",), "x"),
        "b_i": (("input gate",), ""),
        "b_f": (("forget gate",), ""),
    }

    def __init__(self, params: Mapping[str, npt.ArrayLike]) -> None:
        super().__init__(params)
        p = self.params
        # One product gives q, k, v, o_raw, i_raw, f_raw: rows stacked, transposed.
        self._W = np.vstack([p[w] for w, _ in BLOCKS + SCALARS]).T
        self._b = np.hstack([p[b] for _, b in BLOCKS + SCALARS])

    @classmethod
    def param_shapes(cls, input_size: int, hidden_size: int) -> dict[str, tuple[int, ...]]:
        shapes: dict[str, tuple[int, ...]] = {}
        for w, b in BLOCKS:
            shapes[w], shapes[b] = (hidden_size, input_size), (hidden_size,)
        for w, b in SCALARS:
            shapes[w], shapes[b] = (input_size,), ()
        return shapes

    @classmethod
    def sizes_from(cls, params: Mapping[str, Array]) -> tuple[int, int]:
        hidden_size, input_size = params["W_q"].shape
        return input_size, hidden_size

    @classmethod
    def init(cls, input_size: int, hidden_size: int, seed: int) -> Self:
        """The official mLSTM initialisation, with gates that listen to the input.

        From ``np.random.default_rng(seed)``: W_q, W_k, W_v, W_o, then w_i, w_f, each
        normal with std sqrt(2 / (5 I)) (the official "small init"); b_q, b_k, b_v, b_o
        are 0.
        The official code starts w_i and w_f at zero, which makes both gates constants:
        nothing to watch while stepping, so here they are drawn like the others.

        b_f = 3: the first of the official linspace(3, 6) forget biases (one head here),
        so f starts near sigmoid(3) = 0.95 and the memory lasts.

        b_i = 0 (the official N(0, 0.1) at its mean): exp(i_raw) is then of order 1,
        like |qs . n|, so the denominator max(|qs . n|, exp(-m)) switches between its
        two branches as you step. The -10 of some large configs makes exp(-m) win at
        every step and h hundreds of times smaller: nothing would show.
        """
        rng = np.random.default_rng(seed)
        H, size_in = hidden_size, input_size
        std = np.sqrt(2.0 / (5.0 * size_in))
        params: dict[str, npt.ArrayLike] = {}
        for w, b in BLOCKS:
            params[w], params[b] = rng.normal(0.0, std, (H, size_in)), np.zeros(H)
        for w, _ in SCALARS:
            params[w] = rng.normal(0.0, std, size_in)
        params["b_i"], params["b_f"] = np.float64(0.0), np.float64(3.0)
        return cls(params)

    @property
    def n_pre(self) -> int:
        return 4 * self.hidden_size + 2

    def preactivate(self, x: Array, state: State) -> Array:
        return x @ self._W + self._b

    def pointwise(self, t: int, x: Array, pre: Array, prev: State) -> MLSTMRecord:
        H = self.hidden_size
        C_prev, n_prev, m_prev = prev["C"], prev["n"], prev["m"]
        q, k, v, o_raw, i_raw, f_raw = np.split(pre, [H, 2 * H, 3 * H, 4 * H, 4 * H + 1], axis=-1)
        logf = logsigmoid(f_raw) + m_prev
        m = np.maximum(logf, i_raw)
        i = np.exp(i_raw - m)
        f = np.exp(logf - m)
        C = f[..., None] * C_prev + i[..., None] * (k[..., :, None] * v[..., None, :])
        n = f * n_prev + i * k
        qs = q / np.sqrt(H)
        # the quotient's numerator and denominator times a <= 1 (module docstring)
        a = np.exp(np.minimum(m, 0.0))
        floor = np.exp(-np.maximum(m, 0.0))  # exp(-m) * a
        with np.errstate(over="ignore", invalid="ignore"):  # may pass float64: see below
            qn = np.einsum("...k,...k->...", qs, n)[..., None]
            qC = np.einsum("...k,...kv->...v", qs, C)
            h_tilde = a * qC / (np.maximum(a * np.abs(qn), floor) + EPS * a)
        beyond = ~(np.isfinite(qC).all(axis=-1, keepdims=True) & np.isfinite(qn))
        if beyond.any():
            h_tilde = np.where(beyond, scaled_quotient(qs, C, n, a, floor), h_tilde)
        o = sigmoid(o_raw)
        h = o * h_tilde
        with np.errstate(over="ignore"):  # for display: inf past float64, used by nothing
            exp_i = np.exp(i_raw)
            exp_minus_m = np.exp(-m)
        den = np.maximum(np.abs(qn), exp_minus_m) + EPS
        return MLSTMRecord(
            t, x, prev["h"], C_prev, n_prev, m_prev, q, k, v, o_raw, i_raw, f_raw,
            logf, m, i, f, C, n, qs, exp_i, sigmoid(f_raw), qn, qC, exp_minus_m, den,
            h_tilde, o, h,
        )  # fmt: skip

    def taped_forward(
        self, inputs: npt.ArrayLike, state: State | None = None
    ) -> tuple[Array, Backward]:
        """Backpropagation through time (``mlstm_backward.py``): see ``Cell.taped_forward``."""
        return mlstm_taped_forward(self, inputs, state, BLOCKS + SCALARS, EPS)
