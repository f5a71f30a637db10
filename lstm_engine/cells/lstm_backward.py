"""Backpropagation through time for the LSTM and the peephole LSTM (``taped_forward`` of
``LSTMCell`` and ``PeepholeLSTMCell``; with its peepholes at zero the second is the first,
so one sweep serves both), laid out for speed.

The maths. With L = sum(d_hidden * H) and the symbols of ``lstm.py``, one step back, from
dh (this step's d_hidden plus what flows back from the next step) and dc (what flows back
through c)::

    do = dh * tanh(c)                  dc += dh * o * (1 - tanh(c)^2)
    di = dc * g     dg = dc * i        df = dc * c_prev      dc_prev = dc * f
    dz_i = di * i (1 - i)   dz_f = df * f (1 - f)   dz_g = dg * (1 - g^2)   dz_o = do * o (1 - o)
    dz = [dz_i, dz_f, dz_g, dz_o]      (PyTorch's row order of the weights)
    dW_ih = sum_t dz^T x     dW_hh = sum_t dz^T h_prev     db_ih = db_hh = sum_t sum(dz)
    dx = dz W_ih     dh_prev = dz W_hh

With peepholes (z_i = a_i + p_i c_prev, z_f = a_f + p_f c_prev, z_o = a_o + p_o c),
dz_o also adds dz_o * p_o to dc; dc_prev gains dz_i * p_i + dz_f * p_f; and
dp_i = sum(dz_i c_prev), dp_f = sum(dz_f c_prev), dp_o = sum(dz_o c).

The layout (``shared/PERFORMANCE.md`` says why). At small sizes the cost is the number
of NumPy calls per step, so everything that does not depend on the step before is taken
out of the loops:

* The forward is ``FastLSTM``'s: one matrix product of [W_ih | b | W_hh] with
  [x_t; 1; h_prev] per step, batch last, activations by one of its routes (chosen for
  this CPU: ``_exp_route_min``), written straight into the tape (nine calls a step).
* After it, the local derivatives of every step at once, in a few calls over (T, H, B):
  D_o = o (1 - o) tanh(c), E = o (1 - tanh(c)^2) + p_o D_o, D_i = i (1 - i) g,
  D_f = f (1 - f) c_prev, D_g = i (1 - g^2), F = f + p_i D_i + p_f D_f, so that a step
  back is five calls, peepholes or not (six where d_hidden_t is not zero: a training
  step's often is but at the last step)::

      dh = W_hh^T dz_{t+1} (+ d_hidden_t)
      [dz_o; e] = [D_o; E] dh      dc = dc_next + e
      [dz_i; dz_f; dz_g] = [D_i; D_f; D_g] dc      dc_next = F dc

* The weight gradients of all steps are then one product of the dz of every step with
  the [x_t; 1; h_prev] the forward kept ([dW_ih | db | dW_hh] at once), and dx one
  product with W_ih.
* Every product runs on one BLAS thread (``_one_blas_thread``), the large one of the
  weight gradients too; large batches are split over threads, each slice a sweep of its
  own (``parallel_parts``).
* The buffers are kept for the next sweep of the same shapes (``_Pool``): allocated
  afresh, they cost more in page faults than the arithmetic at these sizes.

Shapes: inputs (T, B, I), d_hidden (T, B, H); every gradient has its weight's shape,
``"inputs"`` is (T, B, I), and ``"initial.h"`` / ``"initial.c"`` are (B, H), the
gradient with respect to the initial state. ``tests/test_lstm_bptt.py`` holds this equal
to a plain sweep of the equations above.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from functools import cache, partial
from typing import Any

import numpy as np
import numpy.typing as npt

from .base import Array, Backward, State
from .lstm_forward import (
    EXP_ROUTE,
    EXP_ROUTE_MIN,
    ROW_ORDER,
    TANH_ROUTE,
    Route,
    batch_inputs,
    parallel_parts,
)

PEEPHOLES = ("peephole_i", "peephole_f", "peephole_o")
#: ``_exp_route_min`` where NumPy computes tanh with AVX-512.
AVX512_EXP_ROUTE_MIN = 4096
#: Below this many multiply-adds per step of the weight gradient ((4H) x (I + 1 + H)), the
#: products of the steps are summed by one stacked ``np.matmul``; from it, the dz and the
#: kept inputs are copied time-major and multiplied in one large product (measured on one
#: thread at (T, B) = (100, 64): H = 8 0.08 against 0.21 ms; equal at H = 32, 1.5 ms;
#: H = 64 5.2 against 5.1 ms, and the large product gains more on two threads).
STACKED_MAX = 2048


def lstm_taped_forward(
    params: Mapping[str, Array],
    inputs: npt.ArrayLike,
    state: State | None = None,
) -> tuple[Array, Backward]:
    """The forward keeping what the reverse sweep needs, and that sweep (module docstring):
    the hidden states (T, B, H) and the ``Backward`` of ``cells/base.py``."""
    X = batch_inputs(inputs, params["weight_ih"].shape[1])
    steps, batch, _ = X.shape
    H = params["weight_hh"].shape[1]
    h0 = np.zeros((batch, H)) if state is None else np.broadcast_to(state["h"], (batch, H))
    c0 = np.zeros((batch, H)) if state is None else np.broadcast_to(state["c"], (batch, H))
    parts = parallel_parts(batch, H)
    if parts == 1:
        tape = _Tape(params, X, h0, c0)
        return tape.hidden(), _checked(tape.backward, (steps, batch, H))
    return _taped_in_parts(params, X, h0, c0, parts)


def _checked(
    backward: Callable[[Array, bool], dict[str, Array]], shape: tuple[int, int, int]
) -> Backward:
    def checked(d_hidden: npt.ArrayLike, flow: bool = False) -> dict[str, Array]:
        dH = np.asarray(d_hidden, dtype=np.float64)
        if dH.shape != shape:
            raise ValueError(f"d_hidden: expected shape {shape}, got {dH.shape}")
        return backward(dH, flow)

    return checked


class _Tape:
    """One taped forward over a batch (or a slice of one) and its reverse sweep.

    Arrays are batch last: per step, rows of B values. ``rows[t]`` is [x_t; 1; h_{t-1}]
    (I + 1 + H, B); ``gates[t]`` the activations (4H, B) in the forward's row ``order``;
    ``cs[t]`` the cell state after step t (``cs[0]`` the initial one); ``products[t]``
    [i*g; f*c_prev] (2, H, B).
    """

    def __init__(self, params: Mapping[str, Array], X: Array, h0: Array, c0: Array) -> None:
        steps, batch, n_in = X.shape
        H = params["weight_hh"].shape[1]
        self.params = params
        self.peep = all(key in params for key in PEEPHOLES)
        # The i, f, o rows are one block (one call scales them) unless o must wait for c.
        self.order = ("i", "f", "g", "o") if self.peep else ("i", "f", "o", "g")
        route = EXP_ROUTE if batch * H >= _exp_route_min() else TANH_ROUTE
        K = n_in + 1 + H
        kept = _POOL.take(
            {
                "rows": (steps + 1, K, batch),
                "cs": (steps + 1, H, batch),
                "gates": (steps, 4 * H, batch),
                "tanh_c": (steps, H, batch),
                "products": (steps, 2, H, batch),  # i*g and f*c_prev, the two terms of c
                "oe": (steps, 2, H, batch),
                "ifg": (steps, 3, H, batch),
                **({"F": (steps, H, batch)} if self.peep else {}),
            }
        )
        weakref.finalize(self, _POOL.give, kept)
        rows, cs = kept["rows"], kept["cs"]
        rows[:-1, :n_in] = X.transpose(0, 2, 1)
        rows[:, n_in] = 1.0
        rows[0, n_in + 1 :] = h0.T
        cs[0] = c0.T
        self.rows, self.cs, self.gates = rows, cs, kept["gates"]
        self.tanh_c, self.products = kept["tanh_c"], kept["products"]
        self.shape = (steps, batch, n_in, H)
        if steps:
            with _one_blas_thread():
                self._sweep(route)
        self.factors = self._local_derivatives(kept["oe"], kept["ifg"], kept.get("F"))

    def gate(self, name: str) -> Array:
        """The activations of one gate for every step, (T, H, B)."""
        k = self.order.index(name)
        H = self.shape[3]
        return self.gates[:, k * H : (k + 1) * H]

    def hidden(self) -> Array:
        n_in = self.shape[2]
        return self.rows[1:, n_in + 1 :].transpose(0, 2, 1).copy()

    def _sweep(self, route: Route) -> None:
        """The forward: ``FastLSTM._run`` with the gates and states kept."""
        steps, batch, n_in, H = self.shape
        p = self.params
        index = np.concatenate(
            [np.arange(k * H, (k + 1) * H) for k in map(ROW_ORDER.index, self.order)]
        )
        scale = np.where(np.array(self.order) == "g", route.candidate_scale, route.sigmoid_scale)
        bias = p["bias_ih"] + p["bias_hh"]
        W = np.hstack([p["weight_ih"], bias[:, None], p["weight_hh"]])[index]
        W *= np.repeat(scale, H)[:, None]
        rows, cs, gates, tanh_c = self.rows, self.cs, self.gates, self.tanh_c
        h_out = rows[:, n_in + 1 :]
        i_, f_, g_ = (self.gate(name) for name in "ifg")
        o_ = self.gate("o")
        ig, fc = self.products[:, 0], self.products[:, 1]
        activate, tanh, dot, multiply, add = route.gates, route.tanh, np.dot, np.multiply, np.add
        with np.errstate(over="ignore"):  # the exp route's e^-z: see ``EXP_ROUTE``
            if not self.peep:
                ifo, g_rows = gates[:, : 3 * H], gates[:, 3 * H :]
                for t in range(steps):
                    dot(W, rows[t], out=gates[t])
                    activate(gates[t], ifo[t], g_rows[t])
                    multiply(i_[t], g_[t], out=ig[t])
                    multiply(f_[t], cs[t], out=fc[t])
                    add(fc[t], ig[t], out=cs[t + 1])  # c = f*c_prev + i*g
                    tanh(cs[t + 1], tanh_c[t])
                    multiply(o_[t], tanh_c[t], out=h_out[t + 1])
                return
            # Peepholes, scaled like their gates' rows: [p_i; p_f] c_prev before the
            # activations of i, f (and g), p_o c after c.
            s = route.sigmoid_scale
            p_if = np.stack([p["peephole_i"], p["peephole_f"]])[:, :, None] * s
            p_o = p["peephole_o"][:, None] * s
            if_rows, ifg_rows = gates[:, : 2 * H], gates[:, : 3 * H]
            peek = np.empty((2, H, batch))
            no_rows = gates[0, :0]
            for t in range(steps):
                dot(W, rows[t], out=gates[t])
                multiply(p_if, cs[t], out=peek)
                if_rows[t] += peek.reshape(2 * H, batch)
                activate(ifg_rows[t], if_rows[t], g_[t])
                multiply(i_[t], g_[t], out=ig[t])
                multiply(f_[t], cs[t], out=fc[t])
                add(fc[t], ig[t], out=cs[t + 1])
                multiply(p_o, cs[t + 1], out=peek[0])
                o_[t] += peek[0]
                activate(o_[t], o_[t], no_rows)
                tanh(cs[t + 1], tanh_c[t])
                multiply(o_[t], tanh_c[t], out=h_out[t + 1])

    def _local_derivatives(
        self, oe: Array, ifg: Array, F: Array | None
    ) -> tuple[Array, Array, Array]:
        """[D_o; E] (T, 2, H, B), [D_i; D_f; D_g] (T, 3, H, B) and F (T, H, B) of the
        module docstring, for every step at once, from what the forward computed anyway
        (h = o tanh(c), i*g, f*c_prev): D_o = h (1 - o), E = o - h tanh(c), D_i = ig (1 - i),
        D_f = fc (1 - f), D_g = i - ig g; ten passes over (T, H, B) where the plain
        formulas take fifteen."""
        steps, batch, n_in, H = self.shape
        i, f, g, o = (self.gate(name) for name in "ifgo")
        h, tanh_c = self.rows[1:, n_in + 1 :], self.tanh_c
        D_o, E, D_if, D_g = oe[:, 0], oe[:, 1], ifg[:, :2], ifg[:, 2]
        np.subtract(1.0, self.gates[:, : 2 * H].reshape(steps, 2, H, batch), out=D_if)
        D_if *= self.products
        np.multiply(self.products[:, 0], g, out=D_g)
        np.subtract(i, D_g, out=D_g)
        np.subtract(1.0, o, out=D_o)
        D_o *= h
        np.multiply(h, tanh_c, out=E)
        np.subtract(o, E, out=E)
        if F is None:
            return oe, ifg, f
        p = self.params
        E += p["peephole_o"][:, None] * D_o
        np.multiply(p["peephole_i"][:, None], ifg[:, 0], out=F)
        F += f
        F += p["peephole_f"][:, None] * ifg[:, 1]
        return oe, ifg, F

    def backward(self, dH: Array, flow: bool) -> dict[str, Array]:
        """The reverse sweep for d_hidden ``dH`` (T, B, H) (module docstring)."""
        steps, batch, n_in, H = self.shape
        K = n_in + 1 + H
        shapes = {
            # Slot t of ``back``: [dz_i; dz_f; dz_g; dz_o; e] of step t (slot T: zero).
            "back": (steps + 1, 5, H, batch),
            "dhs": (steps, H, batch),
            "dcs": (steps, H, batch),
            "dc_next": (H, batch),
        }
        # for _sum_of_products: the product of each step, or dz and rows time-major
        if 4 * H * K < STACKED_MAX:
            shapes["each"] = (steps, 4 * H, K)
        else:
            shapes.update(by_unit=(4 * H, steps, batch), by_row=(K, steps, batch))
        work = _POOL.take(shapes)
        try:
            return self._sweep_back(dH, flow, work)
        finally:
            _POOL.give(work)

    def _sweep_back(self, dH: Array, flow: bool, work: dict[str, Array]) -> dict[str, Array]:
        steps, batch, n_in, H = self.shape
        p = self.params
        W_ih, W_hh = p["weight_ih"], p["weight_hh"]
        oe, ifg, F = self.factors
        back, dhs, dcs, dc_next = work["back"], work["dhs"], work["dcs"], work["dc_next"]
        rows = back.reshape(steps + 1, 5 * H, batch)
        back[steps, :4] = 0.0
        dc_next.fill(0.0)
        M = np.ascontiguousarray(W_hh.T)
        d_hidden = dH.transpose(0, 2, 1)
        # A training step's d_hidden is often zero but at the last step: add only the others.
        live = np.any(dH, axis=(1, 2))
        dot, multiply, add = np.dot, np.multiply, np.add
        with _one_blas_thread():
            for t in reversed(range(steps)):
                dot(M, rows[t + 1, : 4 * H], out=dhs[t])
                if live[t]:
                    dhs[t] += d_hidden[t]
                multiply(oe[t], dhs[t], out=back[t, 3:5])
                add(dc_next, back[t, 4], out=dcs[t])
                multiply(ifg[t], dcs[t], out=back[t, :3])
                multiply(dcs[t], F[t], out=dc_next)
            dz = rows[:steps, : 4 * H]
            # [dW_ih | db | dW_hh], and dx = dz W_ih
            fused, dx = _sum_of_products(dz, self.rows[:steps], W_ih, work)
            initial_h = M @ rows[0, : 4 * H]
        grads = {
            "weight_ih": fused[:, :n_in].copy(),
            "weight_hh": fused[:, n_in + 1 :].copy(),
            "bias_ih": fused[:, n_in].copy(),
            "bias_hh": fused[:, n_in].copy(),
        }
        if self.peep:
            c_prev, c = self.cs[:-1], self.cs[1:]
            grads["peephole_i"] = np.einsum("thb,thb->h", back[:steps, 0], c_prev)
            grads["peephole_f"] = np.einsum("thb,thb->h", back[:steps, 1], c_prev)
            grads["peephole_o"] = np.einsum("thb,thb->h", back[:steps, 3], c)
        grads["inputs"] = dx
        grads["initial.h"] = initial_h.T
        grads["initial.c"] = dc_next.T.copy()
        if flow:
            grads["flow.h"] = dhs.transpose(0, 2, 1).copy()
            grads["flow.c"] = dcs.transpose(0, 2, 1).copy()
        return grads


def _sum_of_products(
    dz: Array, rows: Array, W_ih: Array, work: dict[str, Array]
) -> tuple[Array, Array]:
    """sum_t dz[t] @ rows[t]^T for dz (T, R, B) and rows (T, K, B): (R, K), in the
    buffers ``work["each"]`` (T, R, K) or ``work["by_unit"]`` (R, T, B) and
    ``work["by_row"]`` (K, T, B); and dz^T W_ih (T, B, I), one product over all steps
    too where dz was copied unit-major (measured at (100, 64, 2, 32): 0.05 ms against
    0.3 ms for the stacked product of the steps)."""
    if "each" in work:
        summed = np.matmul(dz, rows.transpose(0, 2, 1), out=work["each"]).sum(axis=0)
        return summed, np.matmul(dz.transpose(0, 2, 1), W_ih)
    by_unit, by_row = work["by_unit"], work["by_row"]
    by_unit.transpose(1, 0, 2)[...] = dz
    by_row.transpose(1, 0, 2)[...] = rows
    units = by_unit.reshape(len(by_unit), -1)
    dx = (units.T @ W_ih).reshape(dz.shape[0], dz.shape[2], W_ih.shape[1])
    return units @ by_row.reshape(len(by_row), -1).T, dx


class _Pool:
    """Buffers kept for the next sweep of the same shapes.

    A training step at (T, B, H) = (100, 64, 8) needs ~10 MB of buffers, ~35 MB at H = 32.
    Fresh from malloc each time, glibc gives them back to the system at every free, and the
    next step pays a page fault for each 4 kB page it writes: measured, a training step
    took 8 ms that way against 2.4 ms with the buffers kept. A ``_Tape`` holds its
    buffers until it is collected, a reverse sweep until it returns, so nothing still in
    use is handed out again. At most ``max_bytes`` are kept, the least recently given
    back dropped first.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._free: OrderedDict[tuple[Any, ...], list[dict[str, Array]]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def take(self, shapes: dict[str, tuple[int, ...]]) -> dict[str, Array]:
        """Arrays of these shapes (float64, contents undefined), by name."""
        with self._lock:
            free = self._free.get(tuple(shapes.items()))
            if free:
                arrays = free.pop()
                self._bytes -= _nbytes(arrays)
                return arrays
        return {name: np.empty(shape) for name, shape in shapes.items()}

    def give(self, arrays: dict[str, Array]) -> None:
        """Keep ``arrays`` (from ``take``) for a later ``take`` of the same shapes."""
        size = _nbytes(arrays)
        if size > self.max_bytes:
            return
        key = tuple((name, array.shape) for name, array in arrays.items())
        with self._lock:
            while self._bytes + size > self.max_bytes:
                oldest, free = next(iter(self._free.items()))
                self._bytes -= _nbytes(free.pop(0))
                if not free:
                    del self._free[oldest]
            self._free.setdefault(key, []).append(arrays)
            self._free.move_to_end(key)
            self._bytes += size


def _nbytes(arrays: dict[str, Array]) -> int:
    return sum(array.nbytes for array in arrays.values())


#: What the sweeps keep between calls (``_Pool``): the large shape of the benchmarks,
#: (T, B, I, H) = (100, 32, 64, 256) on two threads, needs ~150 MB.
_POOL = _Pool(256 * 2**20)


@cache
def _exp_route_min() -> int:
    """From how many hidden values a step (batch * H) the exp route pays: FastLSTM's
    ``EXP_ROUTE_MIN``, measured where NumPy's float64 tanh is scalar (~17 ns a value
    against ~5 for exp, on AVX2); where NumPy has its AVX-512 tanh (~1.1 against ~0.6 ns),
    the exp route's six more calls a step pay only from about this many values (measured
    at (B, H) = (64, 8): 9.3 us a step by tanh, 12.8 by exp; equal at (64, 32))."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:
        return EXP_ROUTE_MIN
    return AVX512_EXP_ROUTE_MIN if __cpu_features__.get("AVX512_SKX") else EXP_ROUTE_MIN


@cache
def _blas_controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _one_blas_thread() -> Any:
    """The products of one step are small: OpenBLAS would share some between two threads
    (from about 2.6e5 multiply-adds), whose hand-over costs more than it saves, and whose
    waiting workers spin on the cores the elementwise work needs. The weight gradients'
    one large product too: on two threads it took half the time on a quiet machine, but
    when another process held a core its threads waited on each other (measured at
    (100, 64, 2, 32), forward + backward: 1.03-1.06x the time of two threads when quiet,
    0.50-0.67x under load). (``threadpool_limits`` looks the libraries up at every call,
    ~0.25 ms; a kept controller takes ~4 us.)"""
    return _blas_controller().limit(limits=1, user_api="blas")


def _in_threads(jobs: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run the jobs on parallel threads (NumPy releases the GIL), each with a
    single-threaded BLAS (``FastLSTM._forward_in_parts`` says why); their results in order."""
    results: list[Any] = [None] * len(jobs)
    failed: list[BaseException] = []

    def run(k: int) -> None:
        try:
            results[k] = jobs[k]()
        except BaseException as error:  # handed to the caller below
            failed.append(error)

    with _one_blas_thread():
        threads = [threading.Thread(target=run, args=(k,)) for k in range(len(jobs))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if failed:
        raise failed[0]
    return results


def _taped_in_parts(
    params: Mapping[str, Array], X: Array, h0: Array, c0: Array, parts: int
) -> tuple[Array, Backward]:
    """The sequences of a batch are independent: one tape per slice of the batch, on
    parallel threads, forward and back; the weight gradients are the sums of the slices'."""
    steps, batch, _ = X.shape
    H = params["weight_hh"].shape[1]
    bounds = np.linspace(0, batch, parts + 1).astype(int)
    slices = [slice(a, b) for a, b in itertools.pairwise(bounds)]
    tapes: list[_Tape] = _in_threads(
        [partial(_Tape, params, X[:, s], h0[s], c0[s]) for s in slices]
    )

    def backward(dH: Array, flow: bool) -> dict[str, Array]:
        done = _in_threads(
            [partial(tape.backward, dH[:, s], flow) for tape, s in zip(tapes, slices, strict=True)]
        )
        grads = {}
        for key in done[0]:
            if key in params:
                grads[key] = np.sum([d[key] for d in done], axis=0)
            else:  # per sequence: inputs and flows (T, B, ...), initial states (B, ...)
                axis = 0 if key.startswith("initial.") else 1
                grads[key] = np.concatenate([d[key] for d in done], axis=axis)
        return grads

    hidden = np.concatenate([tape.hidden() for tape in tapes], axis=1)
    return hidden, _checked(backward, (steps, batch, H))


__all__ = ["lstm_taped_forward"]
