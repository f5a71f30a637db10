"""The LSTM's fast batched forward: the same equations as ``LSTMCell``'s step path, laid
out for speed (``shared/PERFORMANCE.md`` says what was measured).

Each step is one matrix product of the fused weights ``[W_ih | b | W_hh]`` with
``[x_t; 1; h_prev]`` (input projection, bias and recurrence at once), the gates laid out
batch-last so that each is a contiguous block, every activation from one ``np.tanh``
(small batches) or one ``np.exp`` (large ones) with the signs folded into the weights,
all elementwise work in place, and large batches split over threads. The tests hold it
equal to the step path to 1e-12.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .base import Array, State

#: Gate blocks of the weight rows, in PyTorch's order (as ``LSTMCell``).
ROW_ORDER = ("i", "f", "g", "o")


class FastLSTM:
    """``forward`` for one set of LSTM weights; keeps the fused weights it builds."""

    def __init__(self, params: Mapping[str, Array]) -> None:
        self.params = params
        self.hidden_size = params["weight_hh"].shape[1]
        self.input_size = params["weight_ih"].shape[1]
        self._bias = params["bias_ih"] + params["bias_hh"]
        self._fused: dict[Route, Array] = {}

    def forward(
        self, inputs: npt.ArrayLike, state: State | None = None
    ) -> tuple[Array, dict[str, Array]]:
        X = batch_inputs(inputs, self.input_size)
        parts = parallel_parts(X.shape[1], self.hidden_size)
        if parts > 1:
            return self._forward_in_parts(X, state, parts)
        return self._forward(X, state)

    def _forward_in_parts(
        self, X: Array, state: State | None, parts: int
    ) -> tuple[Array, dict[str, Array]]:
        """The sequences of a batch are independent: run slices of the batch on parallel
        threads (NumPy releases the GIL), each with a single-threaded BLAS. Letting
        OpenBLAS thread each small product instead leaves its idle workers spinning on
        the cores the elementwise work needs."""
        from threadpoolctl import threadpool_limits

        bounds = np.linspace(0, X.shape[1], parts + 1).astype(int)
        slices = [slice(a, b) for a, b in itertools.pairwise(bounds)]
        results: list[tuple[Array, dict[str, Array]] | None] = [None] * parts

        def run(k: int) -> None:
            part = (
                None if state is None else {n: np.asarray(v)[slices[k]] for n, v in state.items()}
            )
            results[k] = self._forward(X[:, slices[k]], part)

        with threadpool_limits(limits=1, user_api="blas"):
            threads = [threading.Thread(target=run, args=(k,)) for k in range(parts)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        done = [r for r in results if r is not None]
        if len(done) != parts:
            raise RuntimeError("a forward worker failed")
        hs = np.concatenate([r[0] for r in done], axis=1)
        final = {n: np.concatenate([r[1][n] for r in done], axis=0) for n in done[0][1]}
        return hs, final

    def _forward(self, X: Array, state: State | None) -> tuple[Array, dict[str, Array]]:
        steps, batch, n_in = X.shape
        H = self.hidden_size
        # Everything is kept transposed, batch last, so that each gate is a contiguous
        # block of the pre-activations (4H, B): NumPy is ~3x slower on strided views.
        # Column b of rows[t] is [x_t; 1; h_{t-1}] of sequence b, so that one matrix
        # product per step does the input projection, the bias and the recurrence, and
        # each step writes its h straight into rows[t + 1].
        rows = np.empty((steps + 1, n_in + 1 + H, batch))
        rows[:-1, :n_in] = X.transpose(0, 2, 1)
        rows[:, n_in] = 1.0
        h = rows[:, n_in + 1 :]  # h[t]: the hidden states after step t, (H, B)
        c = np.empty((H, batch))
        if state is None:
            h[0] = 0.0
            c.fill(0.0)
        else:
            h[0].T[...] = state["h"]
            c.T[...] = state["c"]
        if steps:
            route = EXP_ROUTE if batch * H >= EXP_ROUTE_MIN else TANH_ROUTE
            self._run(route, rows, c)
        hs = h[1:].transpose(0, 2, 1).copy()
        return hs, {"h": h[-1].T.copy(), "c": c.T.copy()}

    def _run(self, route: Route, rows: Array, c: Array) -> None:
        """Every step of ``forward``: reads x_t from ``rows``, writes h_t into them, and
        leaves the last cell state in ``c``."""
        H, batch = c.shape
        W = self._fused_weights(route)
        z = np.empty((4 * H, batch))
        i, f, o, g = z[:H], z[H : 2 * H], z[2 * H : 3 * H], z[3 * H :]
        ifo = z[: 3 * H]
        tanh_c = np.empty((H, batch))
        h_out = rows[:, -H:]
        # One sequence: matrix-vector products on 1-D views, which NumPy calls faster.
        operands, z_out = (rows[:, :, 0], z[:, 0]) if batch == 1 else (rows, z)
        gates, tanh = route.gates, route.tanh
        dot, multiply = np.dot, np.multiply
        with np.errstate(over="ignore"):  # the exp route's e^-z: see ``EXP_ROUTE``
            for t in range(len(rows) - 1):
                dot(W, operands[t], out=z_out)
                gates(z, ifo, g)
                c *= f
                i *= g
                c += i  # c = f*c_prev + i*g
                tanh(c, tanh_c)
                multiply(o, tanh_c, out=h_out[t + 1])

    def _fused_weights(self, route: Route) -> Array:
        """The weights ``forward`` multiplies [x | 1 | h_prev] by: [W_ih | bias | W_hh]
        with the gate rows reordered to i, f, o, g (so i, f, o are one block) and scaled
        for ``route``. Its scales are powers of two, so the scaling is exact."""
        W = self._fused.get(route)
        if W is None:
            H = self.hidden_size
            order = [ROW_ORDER.index(k) for k in ("i", "f", "o", "g")]
            index = np.concatenate([np.arange(k * H, (k + 1) * H) for k in order])
            scale = np.repeat([route.sigmoid_scale, route.candidate_scale], [3 * H, H])
            p = self.params
            stacked = np.hstack([p["weight_ih"], self._bias[:, None], p["weight_hh"]])
            W = self._fused[route] = stacked[index] * scale[:, None]
        return W


@dataclass(frozen=True)
class Route:
    """How ``forward`` computes its activations from the scaled pre-activations.

    ``gates(z, ifo, g)`` turns the pre-activations z (4H, B) into the gates in place,
    given the views ``ifo`` (rows of i, f, o) and ``g`` (rows of the candidate), whose
    weights were multiplied by ``sigmoid_scale`` and ``candidate_scale``;
    ``tanh(c, out)`` writes tanh(c).
    """

    sigmoid_scale: float
    candidate_scale: float
    gates: Callable[[Array, Array, Array], None]
    tanh: Callable[[Array, Array], None]


def _gates_by_tanh(z: Array, ifo: Array, g: Array) -> None:
    np.tanh(z, out=z)  # g = tanh(z_g)
    ifo *= 0.5
    ifo += 0.5  # sigmoid(z) = (1 + tanh(z/2)) / 2; the weights were halved


def _gates_by_exp(z: Array, ifo: Array, g: Array) -> None:
    np.exp(z, out=z)  # e^-z, and e^-2z for the candidate: the weights were negated
    z += 1.0
    np.divide(1.0, ifo, out=ifo)  # sigmoid(z) = 1 / (1 + e^-z)
    np.divide(2.0, g, out=g)
    g -= 1.0  # tanh(z) = 2 / (1 + e^-2z) - 1


def _tanh_by_exp(c: Array, out: Array) -> None:
    np.multiply(c, -2.0, out=out)
    np.exp(out, out=out)
    out += 1.0
    np.divide(2.0, out, out=out)
    out -= 1.0


#: Few NumPy calls a step: one np.tanh over the four gates, one for tanh(c).
TANH_ROUTE = Route(0.5, 1.0, _gates_by_tanh, np.tanh)
#: np.exp costs about a third of np.tanh a value in float64 (5 against 15 ns on AVX2), at
#: the price of six more NumPy calls a step. e^-z overflows to inf when z < -709, which
#: makes the gate exactly 0 (and tanh exactly -1): the overflow is expected, not a fault.
EXP_ROUTE = Route(-1.0, -2.0, _gates_by_exp, _tanh_by_exp)
#: ``forward`` takes the exp route from this many hidden values per step (batch * H).
EXP_ROUTE_MIN = 256
#: Batch x hidden size from which ``forward`` splits the batch over threads (measured:
#: (100, 32, 64, 256) went from 1.21x to 1.06x torch's time on 2 cores).
PARALLEL_MIN = 4096


def parallel_parts(batch: int, hidden_size: int) -> int:
    """How many threads ``forward`` uses: one per usable core, for large enough batches."""
    if batch < 2 or batch * hidden_size < PARALLEL_MIN:
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), batch))


def batch_inputs(inputs: npt.ArrayLike, input_size: int) -> Array:
    """Inputs as a float64 array of shape (T, B, I), or a ValueError saying what is wrong."""
    X = np.asarray(inputs, dtype=np.float64)
    if X.ndim != 3 or X.shape[2] != input_size:
        raise ValueError(f"inputs have shape {X.shape}, expected (T, B, {input_size})")
    return X
