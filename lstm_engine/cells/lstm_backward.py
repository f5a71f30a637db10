"""Backpropagation through time for the LSTM and the peephole LSTM (``taped_forward`` of
``LSTMCell`` and ``PeepholeLSTMCell``; with its peepholes at zero the second is the first,
so one sweep serves both).

The forward keeps, per step, what the reverse sweep needs: the gates i, f, g, o, the
cell state c and the previous h and c. With L = sum(d_hidden * H) and the symbols of
``lstm.py``, one step back, from dh (this step's d_hidden plus what flows back from the
next step) and dc (what flows back through c)::

    do = dh * tanh(c)                  dc += dh * o * (1 - tanh(c)^2)
    di = dc * g     dg = dc * i        df = dc * c_prev      dc_prev = dc * f
    dz_i = di * i (1 - i)   dz_f = df * f (1 - f)   dz_g = dg * (1 - g^2)   dz_o = do * o (1 - o)
    dz = [dz_i, dz_f, dz_g, dz_o]      (PyTorch's row order of the weights)
    dW_ih += dz^T x     dW_hh += dz^T h_prev     db_ih += sum(dz)     db_hh += sum(dz)
    dx = dz W_ih        dh_prev = dz W_hh

With peepholes (z_i = a_i + p_i c_prev, z_f = a_f + p_f c_prev, z_o = a_o + p_o c),
dz_o is found first and adds dz_o * p_o to dc; dc_prev gains dz_i * p_i + dz_f * p_f;
and dp_i += sum(dz_i c_prev), dp_f += sum(dz_f c_prev), dp_o += sum(dz_o c).

Shapes: inputs (T, B, I), d_hidden (T, B, H); every gradient has its weight's shape,
``"inputs"`` is (T, B, I), and ``"initial.h"`` / ``"initial.c"`` are (B, H), the
gradient with respect to the initial state.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from .activations import sigmoid
from .base import Backward

Array = npt.NDArray[np.float64]


def lstm_taped_forward(
    params: Mapping[str, Array],
    inputs: npt.ArrayLike,
    state: Mapping[str, npt.ArrayLike] | None = None,
) -> tuple[Array, Backward]:
    """The forward keeping the gates and states, and its reverse sweep (module docstring):
    the hidden states (T, B, H) and the ``Backward`` of ``cells/base.py``."""
    W_ih, W_hh = params["weight_ih"], params["weight_hh"]
    b = params["bias_ih"] + params["bias_hh"]
    x = np.asarray(inputs, dtype=np.float64)
    T, B, _ = x.shape
    H = W_hh.shape[1]
    h0 = np.zeros((B, H)) if state is None else np.broadcast_to(state["h"], (B, H))
    c0 = np.zeros((B, H)) if state is None else np.broadcast_to(state["c"], (B, H))
    zero = np.zeros(H)
    p_i, p_f, p_o = (params.get(f"peephole_{g}", zero) for g in "ifo")

    gates = np.empty((T, B, 4 * H))  # i, f, g, o after their activations
    cs = np.empty((T, B, H))
    hs = np.empty((T + 1, B, H))
    hs[0] = h0
    c = np.asarray(c0, dtype=np.float64)
    for t in range(T):
        z = x[t] @ W_ih.T + hs[t] @ W_hh.T + b
        i, f = sigmoid(z[:, :H] + p_i * c), sigmoid(z[:, H : 2 * H] + p_f * c)
        g = np.tanh(z[:, 2 * H : 3 * H])
        c = f * c + i * g
        o = sigmoid(z[:, 3 * H :] + p_o * c)
        gates[t] = np.concatenate([i, f, g, o], axis=1)
        cs[t] = c
        hs[t + 1] = o * np.tanh(c)

    def backward(d_hidden: npt.ArrayLike, flow: bool = False) -> dict[str, Array]:
        dH = np.asarray(d_hidden, dtype=np.float64)
        if dH.shape != (T, B, H):
            raise ValueError(f"d_hidden: expected shape {(T, B, H)}, got {dH.shape}")
        grads = {key: np.zeros_like(value) for key, value in params.items()}
        dx = np.empty_like(x)
        flow_h = np.empty((T, B, H)) if flow else None
        flow_c = np.empty((T, B, H)) if flow else None
        dh_next = np.zeros((B, H))
        dc = np.zeros((B, H))
        for t in reversed(range(T)):
            i, f, g, o = (gates[t][:, k * H : (k + 1) * H] for k in range(4))
            c_prev = cs[t - 1] if t > 0 else c0
            tanh_c = np.tanh(cs[t])
            dh = dH[t] + dh_next
            dz_o = dh * tanh_c * o * (1.0 - o)
            dc = dc + dh * o * (1.0 - tanh_c**2) + dz_o * p_o
            if flow_h is not None and flow_c is not None:
                flow_h[t], flow_c[t] = dh, dc
            dz_i = dc * g * i * (1.0 - i)
            dz_f = dc * c_prev * f * (1.0 - f)
            dz = np.concatenate([dz_i, dz_f, dc * i * (1.0 - g**2), dz_o], axis=1)
            grads["weight_ih"] += dz.T @ x[t]
            grads["weight_hh"] += dz.T @ hs[t]
            grads["bias_ih"] += dz.sum(axis=0)
            if "peephole_i" in grads:
                grads["peephole_i"] += (dz_i * c_prev).sum(axis=0)
                grads["peephole_f"] += (dz_f * c_prev).sum(axis=0)
                grads["peephole_o"] += (dz_o * cs[t]).sum(axis=0)
            dx[t] = dz @ W_ih
            dh_next = dz @ W_hh
            dc = dc * f + dz_i * p_i + dz_f * p_f
        grads["bias_hh"] = grads["bias_ih"].copy()
        grads["inputs"] = dx
        grads["initial.h"] = dh_next
        grads["initial.c"] = dc
        if flow_h is not None and flow_c is not None:
            grads["flow.h"], grads["flow.c"] = flow_h, flow_c
        return grads

    return hs[1:].copy(), backward


__all__ = ["lstm_taped_forward"]
