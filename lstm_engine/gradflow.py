"""The gradient-flow view's numbers: how far back a loss at the last step reaches.

For a cell on one input sequence x_1..x_T (batch of one), the loss L is

* the readout's loss at step T (``Readout.loss_and_grad`` on h_T and the task's
  target) when the cell has a readout and the sequence its target;
* else L = sum(h_T): d_hidden is 1 at t = T and 0 before.

One reverse sweep (``Cell.taped_forward``, then ``backward(d_hidden, flow=True)``) gives
dL/ds_t, the gradient of L with respect to every state s after every step t; the view
draws the norms ‖dL/dh_t‖ and ‖dL/dc_t‖ (the mLSTM's ‖dL/dC_t‖, Frobenius) over t on a
log scale, for the cell and beside it a tanh RNN of the same size on the same inputs.
In the RNN dL/dh_{t-1} = W_hh^T (dL/dh_t * (1 - h_t^2)): a product of T - t such
factors, which vanishes (or explodes) geometrically; the LSTM's dL/dc_{t-1} = dL/dc_t * f_t
+ ..., which a forget gate near 1 carries back unchanged.

Norms are computed without overflow (``plot.matrix_norm``); a gradient that underflowed
to exactly 0 has no logarithm: ``Flow.zeros`` counts those steps and the view says so; one
that passed float64 on the way back (inf, or nan where inf met 0) is counted by
``Flow.overflows``.
Nothing here knows of a UI.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .cells import CELLS, Cell
from .cells.base import Array, State
from .plot import matrix_norm
from .readout import Readout
from .tasks import Objective

#: The kinds of state the view draws, in this order: the hidden state, then the memory.
DRAWN = ("h", "c", "C")
#: The companion cell the view draws beside every cell, and the one beside that one.
COMPANION, COMPANION_OF_RNN = "rnn", "lstm"


@dataclass(frozen=True)
class Flow:
    """The state gradients of one cell over one sequence."""

    title: str  #: the cell's title: "LSTM"
    loss: str  #: what L is: "sum(h_T)", "the readout's loss at step T"
    first: int  #: the step of norms[...][0] (1, or later where the sweep was windowed)
    #: state name -> (steps,) ‖dL/ds_t‖ for t = first..T, in DRAWN's order
    norms: dict[str, Array] = field(default_factory=dict)
    problem: str = ""  #: why there are no norms (a cell without gradients yet)
    seeded: bool = False  #: its weights were drawn from a seed, never trained

    def zeros(self, name: str) -> int:
        """Steps whose gradient is exactly 0 (underflowed): no logarithm."""
        return int(np.count_nonzero(self.norms[name] == 0))

    def overflows(self, name: str) -> int:
        """Steps whose gradient passed float64 (inf, or nan from inf * 0 on the way)."""
        return int(np.count_nonzero(~np.isfinite(self.norms[name])))

    def log10(self, name: str) -> Array:
        """log10 of the norms: -inf where a norm is 0, inf where it overflowed."""
        with np.errstate(divide="ignore"):
            return np.log10(self.norms[name])


def loss_gradient(
    hidden: Array,
    readout: Readout | None = None,
    target: npt.ArrayLike | None = None,
    objective: Objective = "mse",
) -> tuple[Array, str]:
    """d_hidden (T, 1, H) for the hidden states (T, 1, H) of one sequence: dL/dh_T at the
    last step, 0 before; and what L is, in words."""
    d_hidden = np.zeros_like(hidden)
    if readout is not None and target is not None:
        targets = np.asarray(target)[None]  # a batch of one
        _, d_last, _ = readout.loss_and_grad(hidden[-1], targets, objective)
        d_hidden[-1] = d_last
        return d_hidden, f"the readout's loss ({objective}) at step T"
    d_hidden[-1] = 1.0
    return d_hidden, "sum(h_T)"


def flow_steps(
    cell: Cell,
    inputs: npt.ArrayLike,
    state: State | None = None,
    first: int = 1,
    readout: Readout | None = None,
    target: npt.ArrayLike | None = None,
    objective: Objective = "mse",
) -> Generator[None, None, Flow]:
    """``flow`` in two pieces (the forward, then the reverse sweep), yielding between them
    so that a long sequence's work can be shown and cancelled."""
    x = np.asarray(inputs, dtype=np.float64)[:, None, :]  # (T, 1, I)
    batch_state = None if state is None else {k: np.asarray(v)[None] for k, v in state.items()}
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            hidden, backward = cell.taped_forward(x, batch_state)
    except NotImplementedError:
        return Flow(cell.title, "", first, problem=f"the {cell.title} has no gradients yet")
    except ValueError as exc:  # the mLSTM past the range its gradients cover
        return Flow(cell.title, "", first, problem=str(exc))
    yield
    d_hidden, loss = loss_gradient(hidden, readout, target, objective)
    with np.errstate(over="ignore", invalid="ignore"):
        grads = backward(d_hidden, flow=True)
    norms = {}
    for name in DRAWN:
        if f"flow.{name}" in grads:
            per_step = grads[f"flow.{name}"][:, 0]  # (T, ...) of the one sequence
            norms[name] = matrix_norm(per_step.reshape(len(per_step), 1, -1))
    return Flow(cell.title, loss, first, norms)


def flow(
    cell: Cell,
    inputs: npt.ArrayLike,
    state: State | None = None,
    first: int = 1,
    readout: Readout | None = None,
    target: npt.ArrayLike | None = None,
    objective: Objective = "mse",
) -> Flow:
    """The norms of dL/ds_t for the states the view draws, steps first..T of ``inputs``
    (T, I) from ``state`` (the state after step first - 1; zeros if None)."""
    steps = flow_steps(cell, inputs, state, first, readout, target, objective)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


def companion_kind(kind: str) -> str:
    """The kind the view draws beside a cell of ``kind``: the tanh RNN (an LSTM beside an
    RNN)."""
    return COMPANION_OF_RNN if kind == COMPANION else COMPANION


def companion(cell: Cell, seed: int) -> Cell | None:
    """The cell the view draws beside ``cell`` (``companion_kind``), of the same sizes,
    seeded; None while there is no such kind."""
    kind = companion_kind(cell.kind)
    if kind not in CELLS:
        return None
    return CELLS[kind].init(cell.input_size, cell.hidden_size, seed)


__all__ = [
    "DRAWN",
    "Flow",
    "companion",
    "companion_kind",
    "flow",
    "flow_steps",
    "loss_gradient",
]
