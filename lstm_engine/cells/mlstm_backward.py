"""Backpropagation through time for the mLSTM (``MLSTMCell.taped_forward``).

The forward is the cell's own step (``tape.record_steps``); its records keep every
pre-activation, gate and state. With L = sum(d_hidden * H) and the symbols of
``mlstm.py`` (den = max(|qn|, exp(-m)) + eps, qn = qs . n, qC = qs @ C), the parts with
no recurrence first, for every step at once (dh = d_hidden: nothing flows back through
h)::

    do_raw = dh * h_tilde * o * (1 - o)      dh_tilde = dh * o
    dqC = dh_tilde / den                     dden = -sum(dh_tilde * h_tilde) / den
    dqn = dden * s * sign(qn)                dm_den = -dden * (1 - s) * exp(-m)

then one step back, from dC, dn and dm (what flows back into C, n and m from the next
step)::

    dC += outer(qs, dqC)      dn += dqn * qs      dm += dm_den
    dqs = C dqC + dqn * n     dq = dqs / sqrt(H)
    di = k . (dC v) + dn . k                 df = sum(dC * C_prev) + dn . n_prev
    dk = i * (dC v + dn)      dv = i * (dC^T k)
    da_i = di * i             da_f = df * f        (a_i = i_raw - m, a_f = logf - m)
    dm_all = dm - da_i - da_f                everything flowing into this step's m
    dlogf = da_f + r * dm_all                di_raw = da_i + (1 - r) * dm_all
    df_raw = dlogf * sigmoid(-f_raw)         (logsigmoid' = sigmoid(-.))
    dC_prev = f * dC      dn_prev = f * dn     dm_prev = dlogf
    dpre = [dq, dk, dv, do_raw, di_raw, df_raw]   (the fused projection's row order)
    dW_* and dw_* += dpre^T x,   db_* += sum(dpre),   dx = dpre W

Branches, as autograd routes them over the official code (``torch.max``,
``torch.maximum``, ``abs``):

* r, the share of dm_all that goes to logf in m = max(logf, i_raw): 1 where logf >
  i_raw, 0 where i_raw > logf, 1/2 on an exact tie.
* s, the share of dden that goes to |qn| in max(|qn|, exp(-m)): 1 where |qn| >
  exp(-m), 0 where exp(-m) wins (then the gradient reaches m), 1/2 on an exact tie;
  sign(0) = 0, as for ``abs``.

Only the second is a true kink: it is the paper's max(|q . n|, 1) in stabilised units.
m itself is a change of units (C, n and the gates are the paper's times exp(-m)), so
the branch m takes changes h only through eps, which the official code adds in
stabilised units (den = exp(-m) (max(|qs . n_paper|, 1) + eps exp(m))): on a tie of m
the two one-sided gradients differ by about eps. That is also why b_i's gradient is 0,
or of the order of eps, where |qs . n| wins at every step: adding to every i_raw only
changes the units of C and n (exactly 0 when m = i_raw at step 1: then every m moves
alike and C and n do not change at all).

The sweep takes den in the forward's scaled units (``a = exp(min(m, 0))``: 1 / den =
a / D and exp(-m) / den = floor / D, D = max(a |qn|, floor) + eps a), the same numbers
where exp(-m) is finite and finite where it is not. It does not follow
``scaled_quotient`` (the path taken where qs @ C or qs . n pass float64):
``taped_forward`` refuses such inputs with a ValueError.

dC, dn and dm after the first line are the gradients flowing into the state after the
step (``flow.C``, ``flow.n``, ``flow.m``; ``flow.h`` is d_hidden itself); after the
first step back they are the ``initial.*`` gradients (``initial.h`` is zero).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from .activations import sigmoid
from .base import Array, Backward, Cell, State
from .tape import check_d_hidden, max_share, record_steps, stack

#: The record fields the sweep reads.
FIELDS = (
    *("C_prev", "n_prev", "k", "v", "qs", "C", "n", "qn", "qC", "m", "logf"),
    *("i_raw", "f_raw", "i", "f", "o", "h_tilde", "h"),
)


def mlstm_taped_forward(
    cell: Cell,
    inputs: npt.ArrayLike,
    state: State | None,
    layout: Sequence[tuple[str, str]],
    eps: float,
) -> tuple[Array, Backward]:
    """The cell's forward keeping its records, and the reverse sweep of the module
    docstring: the hidden states (T, B, H) and the ``Backward`` of ``cells/base.py``.
    ``layout`` names the (weight, bias) pairs of the fused projection in its row order
    (q, k, v, o_raw, then the scalar i_raw, f_raw); ``eps`` is the denominator's."""
    x, _, records = record_steps(cell, inputs, state)
    tape = stack(records, FIELDS)
    beyond = ~(np.isfinite(tape["qC"]).all(axis=-1) & np.isfinite(tape["qn"][..., 0]))
    if beyond.any():
        step = int(np.argwhere(beyond)[0, 0]) + 1
        raise ValueError(
            f"mlstm gradients: qs @ C or qs . n passes float64 at step {step}; "
            "no gradients beyond that range"
        )
    T, B, size_in = x.shape
    H = cell.hidden_size
    W = np.vstack([cell.params[w].reshape(-1, size_in) for w, _ in layout])  # (4H + 2, I)
    m, qn, o, h_tilde = tape["m"], tape["qn"], tape["o"], tape["h_tilde"]
    C, n, qs, k, v, i, f = (tape[name] for name in ("C", "n", "qs", "k", "v", "i", "f"))
    a = np.exp(np.minimum(m, 0.0))  # the forward's scale of den (mlstm.py)
    floor = np.exp(-np.maximum(m, 0.0))  # exp(-m) * a
    D = np.maximum(a * np.abs(qn), floor) + eps * a  # den * a
    share_qn = max_share(a * np.abs(qn), floor)
    inv_den = a / D
    # dqn and dm_den per unit of sum(dh_tilde * h_tilde) = -dden * den
    dqn_per_g = -inv_den * share_qn * np.sign(qn)
    dm_per_g = (1.0 - share_qn) * floor / D  # exp(-m) / den
    share_logf = max_share(tape["logf"], tape["i_raw"])
    dlogsigmoid = sigmoid(-tape["f_raw"])

    def backward(d_hidden: npt.ArrayLike, flow: bool = False) -> dict[str, Array]:
        dH = check_d_hidden(d_hidden, (T, B, H))
        dh_tilde = dH * o
        dqC = dh_tilde * inv_den
        g = np.sum(dh_tilde * h_tilde, axis=-1, keepdims=True)
        dqn, dm_den = g * dqn_per_g, g * dm_per_g
        dpre = np.empty((T, B, 4 * H + 2))
        dq, dk, dv, do_raw = (dpre[..., j * H : (j + 1) * H] for j in range(4))
        di_raw, df_raw = dpre[..., 4 * H : 4 * H + 1], dpre[..., 4 * H + 1 :]
        do_raw[...] = dH * h_tilde * o * (1.0 - o)
        shapes = {"C": (H, H), "n": (H,), "m": (1,)}
        flows = {name: np.empty((T, B, *shape)) for name, shape in shapes.items()} if flow else {}
        dC, dn, dm = np.zeros((B, H, H)), np.zeros((B, H)), np.zeros((B, 1))
        for t in reversed(range(T)):
            dC = dC + qs[t][:, :, None] * dqC[t][:, None, :]
            dn = dn + dqn[t] * qs[t]
            dm = dm + dm_den[t]
            if flow:
                for name, value in zip(flows, (dC, dn, dm), strict=True):
                    flows[name][t] = value
            dCv = np.einsum("bkv,bv->bk", dC, v[t])
            dk[t] = i[t] * (dCv + dn)
            dv[t] = i[t] * np.einsum("bkv,bk->bv", dC, k[t])
            da_i = np.sum(k[t] * (dCv + dn), axis=-1, keepdims=True) * i[t]
            df = np.sum(dC * tape["C_prev"][t], axis=(1, 2))[:, None]
            da_f = (df + np.sum(dn * tape["n_prev"][t], axis=-1, keepdims=True)) * f[t]
            dm_all = dm - da_i - da_f
            dlogf = da_f + share_logf[t] * dm_all
            di_raw[t] = da_i + (1.0 - share_logf[t]) * dm_all
            df_raw[t] = dlogf * dlogsigmoid[t]
            dC, dn, dm = dC * f[t][:, :, None], dn * f[t], dlogf
        dq[...] = (np.einsum("tbkv,tbv->tbk", C, dqC) + dqn * n) / np.sqrt(H)
        flat = dpre.reshape(T * B, 4 * H + 2)
        dW = flat.T @ x.reshape(T * B, -1)
        db = flat.sum(axis=0)
        grads: dict[str, Array] = {}
        row = 0
        for w, b in layout:
            size = cell.params[b].size  # H rows for a block, 1 for a scalar gate
            grads[w] = dW[row : row + size].reshape(cell.params[w].shape)
            grads[b] = db[row : row + size].reshape(cell.params[b].shape)
            row += size
        grads["inputs"] = dpre @ W
        grads["initial.h"] = np.zeros((B, H))
        grads["initial.C"], grads["initial.n"], grads["initial.m"] = dC, dn, dm
        if flow:
            grads["flow.h"] = dH.copy()
            grads.update({f"flow.{name}": value for name, value in flows.items()})
        return grads

    return tape["h"], backward
