"""What every cell shares: the declarations the session and the panels work from.

A cell is split the way the official xLSTM code splits it:

* ``preactivate(x, state)`` does the affine part (every matrix product) and returns
  one flat vector of pre-activations (one per sequence: both accept leading batch axes,
  x (..., I) and states (..., H));
* ``pointwise(t, x, pre, prev)`` does the elementwise part and returns a frozen
  :class:`Record` holding the new state and everything a learner wants to see.

``step`` is just the two in a row. The split lets a session keep only the
pre-activations and the states of each step and rebuild any record later, bit for
bit, by running ``pointwise`` again on the same numbers.

A cell declares its gates (:class:`Gate`), its states (:class:`StateVar`), its weights
(``param_shapes``, ``param_roles``), what it plots and its equations (as data); the
session, the trace formats, the weight files and the dashboard work from those
declarations, so a new cell plugs in without any of them naming it. The maths lives in
the cell modules; checking weights (``weights.py``) and writing equations out
(``lstm_engine.equations``) live apart from them.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Literal, Protocol, Self

import numpy as np
import numpy.typing as npt

from .expressions import Line
from .weights import WeightsError, validate

Array = npt.NDArray[np.float64]
State = Mapping[str, Array]


class Backward(Protocol):
    """The reverse sweep of one taped forward (``Cell.taped_forward``).

    ``backward(d_hidden)`` takes d_hidden (T, B, H) and returns the gradient of
    L = sum(d_hidden * H), H the forward's hidden states, as a dict:

    * every weight, under its own key and with its shape (``cell.params``);
    * ``"inputs"``: (T, B, I);
    * ``"initial.NAME"`` for every state variable NAME of the cell (``cell.states``):
      the gradient with respect to the initial state, (B, ...);
    * with ``flow=True`` also ``"flow.NAME"`` for every state variable: (T, B, ...), row
      t - 1 the gradient of L with respect to the state *after* step t: the usual BPTT
      adjoint, everything that flows into that state, through h_t (computed from it) as
      well as through the later steps. The gradient-flow
      view draws the norms of ``flow.h`` and of the memory (``flow.c``, ``flow.C``).

    It may be called more than once (each call is independent of the others).
    """

    def __call__(self, d_hidden: npt.ArrayLike, flow: bool = False) -> dict[str, Array]: ...


@dataclass(frozen=True)
class Gate:
    """One gate of a cell, as the trace formats and the panels see it."""

    name: str  #: key in trace files ("forget")
    symbol: str  #: record field holding the activation ("f")
    pre: str  #: record field holding the pre-activation ("z_f")
    label: str  #: "Forget gate"
    low: float  #: lower end of the activation's range, for bars
    high: float  #: upper end
    activation: str = "sigmoid"  #: the function applied to the pre-activation
    scalar: bool = False  #: one value shared by all units (the mLSTM's i and f)
    #: More numbers of the gate to show, as (label, record field): the peephole term p*c,
    #: the paper's unstabilised gate beside a stabilised one.
    notes: tuple[tuple[str, str], ...] = ()
    notation: str = ""  #: how the symbol is written when it differs ("c_bar" for g, "f'")
    #: The value is rescaled by the xLSTM stabiliser, exp(-m): not ``activation(pre)``, but
    #: the paper's gate times a factor; written with a prime (i', f') as the paper does.
    stabilised: bool = False

    @property
    def shown(self) -> str:
        return self.notation or self.symbol


@dataclass(frozen=True)
class StateVar:
    """One recurrent state: the record holds the new value as ``name``, the old as ``name_prev``."""

    name: str  #: "c"
    label: str  #: "Cell", as in the original's "Cell (c)"
    kind: Literal["unit", "scalar", "matrix"] = "unit"

    def shape(self, hidden_size: int) -> tuple[int, ...]:
        return {"unit": (hidden_size,), "scalar": (1,), "matrix": (hidden_size, hidden_size)}[
            self.kind
        ]


@dataclass(frozen=True)
class Record:
    """One step of a cell. Subclasses add one field per symbol of their equations.

    Every array field is made read-only, so a record can be handed to anyone.
    """

    t: int
    x: Array

    def __post_init__(self) -> None:
        for name in self.array_fields():
            getattr(self, name).flags.writeable = False

    @classmethod
    def array_fields(cls) -> tuple[str, ...]:
        """Names of the array fields, in declaration order (every field but ``t``)."""
        names = cls.__dict__.get("_array_fields")
        if names is None:
            names = tuple(f.name for f in dataclasses.fields(cls) if f.name != "t")
            cls._array_fields = names  # type: ignore[attr-defined]
        return names

    def arrays(self) -> dict[str, Array]:
        """Every array field by name, in declaration order."""
        return {name: getattr(self, name) for name in self.array_fields()}


def read_only(array: npt.ArrayLike) -> Array:
    """A float64 copy that nobody can write to."""
    out = np.array(array, dtype=np.float64)
    out.flags.writeable = False
    return out


class Cell(ABC):
    """A recurrent cell with fixed weights. Immutable: changing a weight makes a new cell."""

    kind: ClassVar[str]  #: "lstm": the name used by files, the CLI and the registry
    title: ClassVar[str]  #: "LSTM (forget gate)"
    gates: ClassVar[tuple[Gate, ...]]
    states: ClassVar[tuple[StateVar, ...]]
    #: Record fields written to JSON traces beside the states and gates (the mLSTM's q, k, v).
    trace_extras: ClassVar[tuple[str, ...]] = ()
    #: Rows of the text printout, as record fields; empty: states, then gates, in pairs.
    printout: ClassVar[tuple[tuple[str, ...], ...]] = ()
    #: Record fields shown beside the states, with their labels (the LSTM's tanh(c)).
    shown_extras: ClassVar[tuple[tuple[str, str], ...]] = ()
    #: What each weight does, for the weights view: key -> (the gates its row blocks feed,
    #: in order; what its columns multiply: "x", "h_prev", or "" for a bias).
    param_roles: ClassVar[dict[str, tuple[tuple[str, ...], str]]] = {}
    #: Series drawn over time: state names, or "|C|" for the norm of a matrix state C.
    plotted: ClassVar[tuple[str, ...]] = ("h", "c")
    #: Plotted series that can dwarf h (the sLSTM's n, the mLSTM's |C|): drawn on an axis
    #: of their own, on the right, so that h stays readable.
    plotted_apart: ClassVar[tuple[str, ...]] = ()
    #: Record fields kept for display only, the paper's unstabilised quantities: nothing
    #: is computed from them, and they may be inf where float64 cannot hold them.
    display_only: ClassVar[tuple[str, ...]] = ()
    #: The step's equations, as data (``cells/expressions.py``; ``lstm_engine.equations``
    #: writes them out with the numbers in).
    equations: ClassVar[tuple[Line, ...]] = ()

    def __init__(self, params: Mapping[str, npt.ArrayLike]) -> None:
        arrays = validate(type(self), params)
        self.input_size, self.hidden_size = self.sizes_from(arrays)
        self.params: Mapping[str, Array] = {k: read_only(v) for k, v in arrays.items()}

    # -- declarations -------------------------------------------------------------
    @classmethod
    @abstractmethod
    def param_shapes(cls, input_size: int, hidden_size: int) -> dict[str, tuple[int, ...]]:
        """The weight file's keys and their shapes."""

    @classmethod
    @abstractmethod
    def sizes_from(cls, params: Mapping[str, Array]) -> tuple[int, int]:
        """(input_size, hidden_size) read off the shapes of the weights."""

    @classmethod
    @abstractmethod
    def init(cls, input_size: int, hidden_size: int, seed: int) -> Self:
        """A deterministic cell for a seed."""

    @property
    @abstractmethod
    def n_pre(self) -> int:
        """Length of the flat pre-activation vector of one step."""

    # -- one step ---------------------------------------------------------------
    @abstractmethod
    def preactivate(self, x: Array, state: State) -> Array:
        """The affine part of a step: every matrix product, as one flat vector (..., n_pre)."""

    @abstractmethod
    def pointwise(self, t: int, x: Array, pre: Array, prev: State) -> Record:
        """The elementwise part of a step; ``pre`` is what ``preactivate`` returned. With a
        leading batch axis, every array of the record has it too."""

    def step(self, x: npt.ArrayLike, state: State | None = None, t: int = 1) -> Record:
        """One step from ``state`` (zeros if None) on input ``x`` of shape (I,)."""
        x_arr = np.asarray(x, dtype=np.float64)
        if x_arr.shape != (self.input_size,):
            raise ValueError(f"x has shape {x_arr.shape}, expected ({self.input_size},)")
        prev = self.initial_state() if state is None else state
        return self.pointwise(t, x_arr, self.preactivate(x_arr, prev), prev)

    def state_of(self, record: Record) -> dict[str, Array]:
        """The state a record leaves behind."""
        return {s.name: getattr(record, s.name) for s in self.states}

    def initial_state(self, batch: int | None = None) -> dict[str, Array]:
        lead = () if batch is None else (batch,)
        return {s.name: np.zeros(lead + s.shape(self.hidden_size)) for s in self.states}

    # -- many steps ---------------------------------------------------------------
    def forward(
        self, inputs: npt.ArrayLike, state: State | None = None
    ) -> tuple[Array, dict[str, Array]]:
        """Run a batch: inputs (T, B, I) -> hidden states (T, B, H) and the final state.

        By default this is the step path itself, ``preactivate`` then ``pointwise``, run on
        the whole batch at once, so both must accept a leading batch axis (B, ...). A cell
        overrides it when a faster path is worth its own code (the LSTM).
        """
        X = np.asarray(inputs, dtype=np.float64)
        if X.ndim != 3 or X.shape[2] != self.input_size:
            raise ValueError(f"inputs have shape {X.shape}, expected (T, B, {self.input_size})")
        steps, batch, _ = X.shape
        start = self.initial_state(batch) if state is None else state
        prev = {}
        for var in self.states:
            shape = (batch, *var.shape(self.hidden_size))
            prev[var.name] = np.array(np.broadcast_to(start[var.name], shape), dtype=np.float64)
        hs = np.empty((steps, batch, self.hidden_size))
        for t in range(steps):
            prev = self.state_of(self.pointwise(t + 1, X[t], self.preactivate(X[t], prev), prev))
            hs[t] = prev["h"]
        return hs, {name: np.array(value) for name, value in prev.items()}

    # -- gradients ----------------------------------------------------------------
    def taped_forward(
        self, inputs: npt.ArrayLike, state: State | None = None
    ) -> tuple[Array, Backward]:
        """``forward`` keeping what the reverse sweep needs: the hidden states (T, B, H)
        and the ``Backward`` that turns a d_hidden into gradients (backpropagation through
        time). Each cell kind writes its own sweep; its docstring says how."""
        raise NotImplementedError(f"{self.kind} has no gradients yet")

    def gradients(
        self, inputs: npt.ArrayLike, d_hidden: npt.ArrayLike, state: State | None = None
    ) -> dict[str, Array]:
        """The gradient of sum(d_hidden * H), H = ``forward(inputs, state)[0]``, for every
        weight (same keys and shapes as ``params``), ``"inputs"`` (T, B, I) and the initial
        state (``"initial.h"``, ...): see ``Backward``."""
        _, backward = self.taped_forward(inputs, state)
        return backward(d_hidden)

    # -- weights ----------------------------------------------------------------
    def with_params(self, **changes: npt.ArrayLike) -> Self:
        """A new cell with some weights replaced (validated like a file)."""
        unknown = [k for k in changes if k not in self.params]
        if unknown:
            raise WeightsError(f"unknown weight {', '.join(unknown)} for {self.kind}")
        merged = dict(self.params)
        merged.update({k: np.asarray(v) for k, v in changes.items()})
        new = type(self)(merged)
        if (new.input_size, new.hidden_size) != (self.input_size, self.hidden_size):
            raise WeightsError("changing weights must keep the input and hidden sizes")
        return new

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(input_size={self.input_size}, hidden_size={self.hidden_size})"

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and isinstance(other, Cell)
            and all(np.array_equal(v, other.params[k]) for k, v in self.params.items())
        )

    __hash__ = None  # type: ignore[assignment]
