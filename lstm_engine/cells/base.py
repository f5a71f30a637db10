"""What every cell shares: the declarations the session and the panels work from.

A cell is split the way the official xLSTM code splits it:

* ``preactivate(x, state)`` does the affine part (every matrix product) and returns
  one flat vector of pre-activations;
* ``pointwise(t, x, pre, prev)`` does the elementwise part and returns a frozen
  :class:`Record` holding the new state and everything a learner wants to see.

``step`` is just the two in a row. The split lets a session keep only the
pre-activations and the states of each step and rebuild any record later, bit for
bit, by running ``pointwise`` again on the same numbers.

A cell declares its gates (:class:`Gate`) and its states (:class:`StateVar`); the
session, the trace formats and the dashboard work from those declarations, so a new
cell plugs in without any of them naming it.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Self

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
State = Mapping[str, Array]

#: Largest hidden or input size accepted, so a typo cannot ask for terabytes.
MAX_SIZE = 4096


class WeightsError(ValueError):
    """Weights that do not fit a cell: missing or extra keys, wrong shapes, bad values."""


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
    #: More numbers of the gate to show, as (label, record field, format spec): the
    #: peephole term p*c, the unstabilised exp(z) of an exponential gate.
    notes: tuple[tuple[str, str, str], ...] = ()
    notation: str = ""  #: how the symbol is written when it differs ("c_bar" for g)
    #: The value is rescaled by the xLSTM stabiliser, exp(-m): not ``activation(pre)``.
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

    def __init__(self, params: Mapping[str, npt.ArrayLike]) -> None:
        arrays = self.validate(params)
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
        """The affine part of a step: every matrix product, as one flat vector."""

    @abstractmethod
    def pointwise(self, t: int, x: Array, pre: Array, prev: State) -> Record:
        """The elementwise part of a step; ``pre`` is what ``preactivate`` returned."""

    def step(self, x: npt.ArrayLike, state: State | None = None, t: int = 1) -> Record:
        """One step from ``state`` (zeros if None) on input ``x`` of shape (I,)."""
        x_arr = np.asarray(x, dtype=np.float64)
        if x_arr.shape != (self.input_size,):
            raise ValueError(f"x has shape {x_arr.shape}, expected ({self.input_size},)")
        prev = self.initial_state() if state is None else state
        return self.pointwise(t, x_arr, self.preactivate(x_arr, prev), prev)

    def equations(self, record: Record, unit: int) -> list[str]:
        """The equations of one step for one unit, with the record's numbers filled in.

        This default names each gate's activation of its pre-activation; cells override
        it to write their own equations out term by term.
        """
        lines = []
        for gate in self.gates:
            k = 0 if gate.scalar else unit
            pre = float(np.ravel(getattr(record, gate.pre))[k])
            value = float(np.ravel(getattr(record, gate.symbol))[k])
            lines.append(f"{gate.shown} = {gate.activation}({pre:.4f}) = {value:.4f}")
        for var in self.states:
            if var.kind != "matrix":
                values = np.ravel(getattr(record, var.name))
                lines.append(f"{var.name} = {values[0 if var.kind == 'scalar' else unit]:.4f}")
        return lines

    def param_label(self, key: str, index: tuple[int, ...]) -> str:
        """What one weight is, for the weights view, from ``param_roles``:
        "weight_ih[5,0]  forget gate, unit 1, from x[0]"."""
        name = f"{key}[{','.join(map(str, index))}]" if index else key
        role = self.param_roles.get(key)
        if role is None:
            return name
        blocks, source = role
        if not index:
            return f"{name}  {blocks[0]}"
        array = self.params[key]
        if array.ndim == 1 and source == "x":  # one weight per input (the mLSTM's w_i)
            return f"{name}  {blocks[0]}, from x[{index[0]}]"
        rows = len(array) // len(blocks)
        where = f"{blocks[index[0] // rows]}, unit {index[0] % rows}"
        if len(index) > 1:
            where += f", from {source}[{index[1]}]"
        elif source:  # a diagonal weight (a peephole)
            where += f", times {source}[{index[0] % rows}]"
        return f"{name}  {where}"

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

    # -- weights ----------------------------------------------------------------
    @classmethod
    def validate(cls, params: Mapping[str, Any]) -> dict[str, Array]:
        """Check keys, shapes and values; return float64 arrays or raise WeightsError."""
        arrays: dict[str, Array] = {}
        for key, value in params.items():
            array = np.asarray(value)
            if array.dtype.kind not in "iuf":
                raise WeightsError(
                    f"{key}: expected real numbers, got an array of dtype {array.dtype}"
                )
            arrays[key] = array.astype(np.float64)
        try:
            input_size, hidden_size = cls.sizes_from(arrays)
        except (KeyError, IndexError, ValueError) as exc:
            raise WeightsError(cls._key_problem(arrays) or f"cannot read sizes: {exc}") from None
        problem = cls._key_problem(arrays)
        if problem:
            raise WeightsError(problem)
        input_size, hidden_size = cls._likeliest_sizes(arrays, (input_size, hidden_size))
        for name, size in (("input size", input_size), ("hidden size", hidden_size)):
            if not 1 <= size <= MAX_SIZE:
                raise WeightsError(f"{name} {size} is outside 1..{MAX_SIZE}")
        expected = cls.param_shapes(input_size, hidden_size)
        for key, shape in expected.items():
            if arrays[key].shape != shape:
                raise WeightsError(
                    f"{key}: expected shape {shape} (input size {input_size}, "
                    f"hidden size {hidden_size}), got {arrays[key].shape}"
                )
            if not np.all(np.isfinite(arrays[key])):
                raise WeightsError(f"{key}: contains NaN or infinite values")
        return arrays

    @classmethod
    def _likeliest_sizes(
        cls, arrays: Mapping[str, Array], guess: tuple[int, int]
    ) -> tuple[int, int]:
        """The (input, hidden) sizes that most of the arrays agree on, so that an error names
        the one odd array rather than the ones the sizes were read from."""

        def misfits(sizes: tuple[int, int]) -> int:
            shapes = cls.param_shapes(*sizes)
            return sum(arrays[k].shape != shape for k, shape in shapes.items())

        if misfits(guess) == 0:
            return guess
        dims = {d for a in arrays.values() for d in a.shape}
        dims |= {d // 4 for d in dims if d % 4 == 0}
        candidates = [(i, h) for i in sorted(dims) for h in sorted(dims) if i > 0 and h > 0]
        return min([guess, *candidates], key=misfits)

    @classmethod
    def _key_problem(cls, arrays: Mapping[str, Any]) -> str | None:
        expected = cls.param_shapes(1, 1)  # the keys do not depend on the sizes
        missing = [k for k in expected if k not in arrays]
        extra = sorted(k for k in arrays if k not in expected)
        if not (missing or extra):
            return None
        parts = []
        if missing:
            parts.append("missing " + ", ".join(missing))
        if extra:
            parts.append("unexpected " + ", ".join(extra))
        return f"{cls.kind} weights: " + "; ".join(parts) + f" (expected {', '.join(expected)})"

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
