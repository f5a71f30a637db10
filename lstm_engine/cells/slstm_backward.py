"""Backpropagation through time for the sLSTM (``SLSTMCell.taped_forward``).

The forward is the cell's own step (``tape.record_steps``); its records keep every
pre-activation, gate and state. With L = sum(d_hidden * H) and the symbols of
``slstm.py``, one step back, from dh (this step's d_hidden plus what flows back through
h from the next step), dc, dn and dm (what flows back into c, n and m from the next
step)::

    dc += dh * o / n                dn -= dh * h / n                 (h = o * c / n)
    do_raw = dh * h * (1 - o)       dz_raw = dc * i * (1 - z^2)
    di = dc * z + dn                df = dc * c_prev + dn * n_prev
    da_i = di * i * k(a_i)          da_f = df * f * k(a_f)
          a_i = i_raw - m, a_f = logf - m, i = exp(min(a_i, 0)), f = exp(min(a_f, 0))
    dm_all = dm - da_i - da_f                        everything flowing into this step's m
    di_raw = da_i + s * dm_all      dlogf = da_f + (1 - s) * dm_all
    df_raw = dlogf * sigmoid(-f_raw)                 (logsigmoid' = sigmoid(-.))
    dc_prev = dc * f     dn_prev = dn * f     dm_prev = dlogf
    dpre = [di_raw, df_raw, dz_raw, do_raw]          (the weights' row order)
    dW += dpre^T x     dR += dpre^T h_prev     db += sum(dpre)
    dx = dpre W        dh_prev = dpre R

Branches, as autograd routes them over the official code (``torch.max``,
``torch.minimum``):

* s, the share of dm_all that goes to i_raw: 1 on a start step (m = i_raw, taken per
  sequence where every n_prev == 0, as the forward does) and where i_raw > logf; 0 where
  logf > i_raw; 1/2 on an exact tie (torch.maximum splits a tie evenly).
* k(a), the slope of the clamp min(a, 0) (the official min(exp(a), 1)): 1 where a < 0,
  0 where a > 0 (clamped: only a start step's f, whose logf may lie above m = i_raw),
  1/2 where a = 0. a = 0 is where a branch of m won, so a is identically 0 there:
  whatever k gives, da reaches that branch once directly and once, negated, through m,
  and cancels.

Why the rules hardly matter: m is a change of units, not a kink. c, n and the gates are
the paper's exp-gated quantities times exp(-m), and h = o * c / n is one smooth
function of the weights whichever branch m takes, so on a tie the two one-sided
gradients are equal and any split gives them (to rounding; the tests hold ties to
autograd's all the same). The one true kink is a start step's clamp of f when c_prev
is not zero while n_prev is (a state no forward from zero reaches).

dh, dc, dn and dm after the first line are the gradients flowing into the state after
the step (``flow.h``, ``flow.c``, ``flow.n``, ``flow.m``); after the first step back
they are the ``initial.*`` gradients. Only these need the step-by-step loop: the
slopes above are taken for every step at once, and the weight and input gradients are
one product each over all steps.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .activations import sigmoid
from .base import Array, Backward, Cell, State
from .tape import check_d_hidden, max_share, record_steps, stack

#: The record fields the sweep reads.
FIELDS = (
    *("h_prev", "c_prev", "n_prev", "i_raw", "f_raw", "start", "logf", "m"),
    *("i", "f", "z", "c", "n", "o", "h"),
)


def slstm_taped_forward(
    cell: Cell, inputs: npt.ArrayLike, state: State | None = None
) -> tuple[Array, Backward]:
    """The cell's forward keeping its records, and the reverse sweep of the module
    docstring: the hidden states (T, B, H) and the ``Backward`` of ``cells/base.py``."""
    x, _, records = record_steps(cell, inputs, state)
    tape = stack(records, FIELDS)
    W: Array = cell.params["W"]
    R: Array = cell.params["R"]
    T, B, _ = x.shape
    H = cell.hidden_size
    o, n, h, i, f, z = (tape[name] for name in ("o", "n", "h", "i", "f", "z"))
    dh_to_c = o / n
    dh_to_n = h / n
    dh_to_o_raw = h * (1.0 - o)
    dc_to_z_raw = i * (1.0 - z**2)
    slope_i = i * max_share(0.0, tape["i_raw"] - tape["m"])  # d i / d a_i
    slope_f = f * max_share(0.0, tape["logf"] - tape["m"])  # d f / d a_f
    share_i = np.where(tape["start"] == 1.0, 1.0, max_share(tape["i_raw"], tape["logf"]))
    dlogsigmoid = sigmoid(-tape["f_raw"])

    def backward(d_hidden: npt.ArrayLike, flow: bool = False) -> dict[str, Array]:
        dH = check_d_hidden(d_hidden, (T, B, H))
        dpre = np.empty((T, B, 4 * H))
        di_raw, df_raw, dz_raw, do_raw = (dpre[..., k * H : (k + 1) * H] for k in range(4))
        flows = {name: np.empty((T, B, H)) for name in ("h", "c", "n", "m")} if flow else {}
        dh_next, dc, dn, dm = (np.zeros((B, H)) for _ in range(4))
        for t in reversed(range(T)):
            dh = dH[t] + dh_next
            dc = dc + dh * dh_to_c[t]
            dn = dn - dh * dh_to_n[t]
            if flow:
                for name, value in zip(flows, (dh, dc, dn, dm), strict=True):
                    flows[name][t] = value
            do_raw[t] = dh * dh_to_o_raw[t]
            dz_raw[t] = dc * dc_to_z_raw[t]
            da_i = (dc * z[t] + dn) * slope_i[t]
            da_f = (dc * tape["c_prev"][t] + dn * tape["n_prev"][t]) * slope_f[t]
            dm_all = dm - da_i - da_f
            di_raw[t] = da_i + share_i[t] * dm_all
            dlogf = da_f + (1.0 - share_i[t]) * dm_all
            df_raw[t] = dlogf * dlogsigmoid[t]
            dh_next = dpre[t] @ R
            dc, dn, dm = dc * f[t], dn * f[t], dlogf
        flat = dpre.reshape(T * B, 4 * H)
        grads = {
            "W": flat.T @ x.reshape(T * B, -1),
            "R": flat.T @ tape["h_prev"].reshape(T * B, H),
            "b": flat.sum(axis=0),
            "inputs": dpre @ W,
            "initial.h": dh_next,
            "initial.c": dc,
            "initial.n": dn,
            "initial.m": dm,
        }
        grads.update({f"flow.{name}": value for name, value in flows.items()})
        return grads

    return tape["h"], backward
