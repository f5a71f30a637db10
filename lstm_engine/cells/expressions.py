"""The equations of a cell, declared as data: what each symbol is, written in symbols and
as an expression over the step's record and the cell's weights.

A cell lists its ``Equation``s; ``lstm_engine.equations`` writes them out for one unit
with the numbers filled in. Nothing here computes anything: the numbers shown are the
record's own (and the weights'), so what the screen says is what the cell did.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Value:
    """A record field at the selected unit (or its only element, for a scalar)."""

    field: str


@dataclass(frozen=True)
class Row:
    """A row of numbers: the selected unit's column of a matrix field (the mLSTM's C,
    whose columns index the value: unit u's h~ = qs @ C[:,u] / den reads column u), or
    the whole of a vector field (the key k that fills that column)."""

    field: str


@dataclass(frozen=True)
class Weight:
    """A diagonal weight at the selected unit, ``params[key][unit]`` (a peephole)."""

    key: str


@dataclass(frozen=True)
class Const:
    value: float


@dataclass(frozen=True)
class Call:
    """``fn(args)``: sigmoid, tanh, exp, max, min, ..."""

    fn: str
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Sum:
    terms: tuple[Expr, ...]


@dataclass(frozen=True)
class Difference:
    a: Expr
    b: Expr


@dataclass(frozen=True)
class Product:
    factors: tuple[Expr, ...]


@dataclass(frozen=True)
class Quotient:
    a: Expr
    b: Expr


@dataclass(frozen=True)
class Magnitude:
    """``|a|``."""

    a: Expr


@dataclass(frozen=True)
class Affine:
    """One row of ``W [h_prev, x] + b``: the row ``block * H + unit`` of each weight matrix
    times the record field it multiplies, plus the sum of the bias vectors at that row.

    ``names`` are how each matrix's block is written (``W_fh``, ``W_fx``), ``bias_name``
    the bias (``b_f``); ``stacked`` the whole product written as one (``W_f·[h_prev, x]``),
    used where every product is shown, which is in that order. Where the products are
    summed into one dot product per matrix, the terms are named one by one:
    ``W_fh·h_prev + W_fx·x + b_f``, so each number shown has its label.
    """

    products: tuple[tuple[str, str], ...]  #: (weight key, record field), e.g. ("weight_ih", "x")
    bias: tuple[str, ...]  #: bias keys whose rows add up to the gate's bias
    block: int  #: which block of rows (the gate), in the weights' row order
    names: tuple[str, ...]  #: each product's matrix as written: "W_fh", "W_fx"
    bias_name: str  #: "b_f"
    stacked: str = ""  #: "W_f·[h_prev, x]": the products as one, where that is how it reads
    #: One row shared by every unit (the mLSTM's scalar gates: weights ``w_i`` of shape
    #: (I,), bias ``b_i`` of shape ()), not a row per unit.
    shared: bool = False

    def written(self, each_product: bool) -> str:
        """The affine part in symbols: stacked where every product is shown, else named
        term by term, in the order of the numbers."""
        if each_product and self.stacked:
            return f"{self.stacked} + {self.bias_name}"
        terms = [
            f"{name}·{field}" for name, (_, field) in zip(self.names, self.products, strict=True)
        ]
        return " + ".join([*terms, self.bias_name])


@dataclass(frozen=True)
class Dot:
    """The dot product of vector field ``a`` with vector field ``b``, or with the selected
    unit's column of matrix field ``b`` (the mLSTM's qs·n and qs@C). A line shows its
    value, the record field ``value``; the full sum shows every product a[j]*b[j]."""

    a: str
    b: str
    value: str  #: the record field holding the dot product ("qn", "qC")
    written: str  #: how it is written: "qs·n", "qs@C"


@dataclass(frozen=True)
class Scaled:
    """A vector field divided by sqrt(H) (the mLSTM's query, qs = q/sqrt(H)): how the full
    sum writes where a field it reads comes from, element by element."""

    of: str  #: the field divided ("q")


@dataclass(frozen=True)
class Source:
    """Where a record field an equation reads comes from, for its full sum: an affine
    part (a raw pre-activation, ``i_raw = W_i·x + R_i·h_prev + b_i``) or a scaled vector
    (``qs = q/sqrt(H)``). The equation's line shows the field's value; the full sum shows
    how it is made, every product on a line."""

    field: str  #: the record field ("i_raw", "qs")
    expr: Affine | Scaled


Expr = (
    Value
    | Row
    | Weight
    | Const
    | Dot
    | Call
    | Sum
    | Difference
    | Product
    | Quotient
    | Magnitude
    | Affine
)


@dataclass(frozen=True)
class Equation:
    """``symbol = written = stage = ... = result``.

    ``written`` may hold ``{affine}`` (the equation's ``Affine`` in symbols: stacked or
    term by term, as its numbers are shown) and ``{u}`` (the selected unit). ``stages``
    are the right-hand side with the numbers in, from the most detailed (every term) to
    the least; ``result`` is the record field holding the value (a matrix field: the
    selected unit's column, and the symbol is written ``C[:,u]``). ``note`` names a record
    field worth showing beside the result, with its label (the unstabilised gate of an
    xLSTM cell, the mLSTM's scaled query). ``sources``: where the fields it reads come
    from that no line of their own works out (the xLSTM's raw pre-activations), written
    out in its full sum.
    """

    symbol: str
    written: str
    stages: tuple[Expr, ...]
    result: str
    note: tuple[str, str] | None = None  #: (label, record field)
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Choice:
    """One of two equations, by a record field: ``then`` where it is nonzero (the sLSTM's
    first step, where m starts at i_raw), else ``otherwise``."""

    field: str
    then: Equation
    otherwise: Equation


Line = Equation | Choice


def value(field: str) -> Value:
    return Value(field)


def call(fn: str, *args: Expr) -> Call:
    return Call(fn, args)


def plus(*terms: Expr) -> Sum:
    return Sum(terms)


def times(*factors: Expr) -> Product:
    return Product(factors)


__all__ = [
    "Affine",
    "Call",
    "Choice",
    "Const",
    "Difference",
    "Dot",
    "Equation",
    "Expr",
    "Line",
    "Magnitude",
    "Product",
    "Quotient",
    "Row",
    "Scaled",
    "Source",
    "Sum",
    "Value",
    "Weight",
    "call",
    "plus",
    "times",
    "value",
]
