"""The equations of one step for one unit, written out with the numbers filled in.

A cell declares its equations as data (``cells/expressions.py``); this module turns
them into text a student can redo by hand: ``f = sigmoid(W_f·[h_prev, x] + b_f) =
sigmoid(0.0497*0.0000 - 0.0138*5.0000 + 0.0000) = sigmoid(0.0000 - 0.0691 + 0.0000) =
sigmoid(-0.0691) = 0.4827``: the factors, then each product computed exactly and
rounded, then the sum, so that every stage adds up at the shown precision. Every number
is the record's or the weights' own, formatted by ``lstm_engine.numbers``; the only
arithmetic done here is the products and dot products that the stages show.

``full_sum`` writes one equation out in full, every product of its sums on a line of
its own (the dashboard's full-sum screen); ``given`` is the step's data: x and each
state's value before the step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cells.base import Cell, Record
from .cells.expressions import (
    Affine,
    Call,
    Choice,
    Const,
    Difference,
    Dot,
    Equation,
    Expr,
    Magnitude,
    Product,
    Quotient,
    Row,
    Source,
    Sum,
    Value,
    Weight,
)
from .numbers import column, number, signed_sum

#: Below this size, a product in the full sum is written in scientific notation.
TINY = 1e-3


def precise(value: float) -> str:
    """A product in the full sum, with enough digits that the products add up to their
    dot product as written (4-decimal products of 8 terms could be off by 4e-4, more
    than a small dot product itself): 6 decimals, or 4 significant digits where tiny."""
    v = float(value)
    if v == 0.0 or not np.isfinite(v) or abs(v) >= TINY:
        return f"{v:.6f}" if np.isfinite(v) else number(v)
    return f"{v:.3e}"


#: The most products an affine part shows one by one (H + I for an LSTM gate); beyond
#: that, one dot product per weight matrix, each named in the written form.
FEW = 3


@dataclass(frozen=True)
class Written:
    """One equation as text, in parts: the symbol, how it is written, each stage with the
    numbers in, the result; and a note to show beside it. ``worked``: the index in
    ``parts`` of the stage with the products worked out (rounded), if there is one."""

    parts: tuple[str, ...]
    note: str = ""
    worked: int | None = None

    @property
    def text(self) -> str:
        return self.fit(0)

    def fit(self, width: int) -> str:
        """The equation in at most ``width`` characters (0: no limit). What gives way first:
        the written form, then the note, then the worked (rounded products) stage, then
        the stages from the most detailed on: the weight × data products, the stage a
        student redoes by hand, stay as long as anything but the result can; the
        symbol, the last stage and the result stay while they can."""
        note = f"   ({self.note})" if self.note else ""
        full = " = ".join(self.parts) + note
        if width <= 0 or len(full) <= width:
            return full
        symbol, *middle, result = self.parts
        tries = []
        if middle:
            middle = middle[1:]  # the written form goes first
            tries.append(" = ".join([symbol, *middle, result]) + note)
        tries.append(" = ".join([symbol, *middle, result]))
        if self.worked is not None and 0 < self.worked < len(self.parts) - 1:
            del middle[self.worked - 2]  # parts: symbol, written form, then the middle
            tries.append(" = ".join([symbol, *middle, result]))
        while len(middle) > 1:
            middle = middle[1:]
            tries.append(" = ".join([symbol, *middle, result]))
        tries.append(f"{symbol} = {result}")
        for text in tries:
            if len(text) <= width:
                return text
        return tries[-1][: max(width - 1, 0)] + "…"


def line_count(cell: Cell) -> int:
    """How many lines the equations of ``cell`` take at every step."""
    return len(cell.equations)


def symbols(cell: Cell) -> list[str]:
    """The symbol each equation of ``cell`` defines, in order ("f", "i", "c_bar", ...):
    how the views name the equation being read (``Frame.equation`` indexes this list)."""
    return [(line.then if isinstance(line, Choice) else line).symbol for line in cell.equations]


def chosen(cell: Cell, record: Record) -> list[Equation]:
    """The cell's equations for ``record``, each ``Choice`` settled by its field."""
    out = []
    for line in cell.equations:
        if isinstance(line, Choice):
            line = line.then if np.ravel(getattr(record, line.field))[0] else line.otherwise
        out.append(line)
    return out


def write(cell: Cell, record: Record, unit: int) -> list[Written]:
    """The equations of ``record`` for ``unit``, in the cell's order."""
    context = _Context(cell, record, unit)
    return [context.written(eq) for eq in chosen(cell, record)]


def lines(cell: Cell, record: Record, unit: int) -> list[str]:
    """The equations as plain text lines, at full length."""
    return [w.text for w in write(cell, record, unit)]


def multiplied(cell: Cell) -> set[str]:
    """The record fields some equation multiplies by a weight matrix as a whole vector
    (h_prev in ``W_hf·h_prev``), its sources included: the step line shows these whole
    before it shows the other states whole."""
    lines = [
        eq
        for line in cell.equations
        for eq in ((line.then, line.otherwise) if isinstance(line, Choice) else (line,))
    ]
    affines = [a for eq in lines for a in _affines(eq)]
    affines += [s.expr for eq in lines for s in eq.sources if isinstance(s.expr, Affine)]
    return {field for a in affines for _, field in a.products}


def _data(cell: Cell, record: Record, unit: int, whole: set[str], digits: int = 0) -> list[str]:
    """``x = [...]`` and each state's value before the step: whole for the states named
    in ``whole``, else the unit's element labelled with it (``h_prev[1] = 0.0159``; a
    state of one number, H = 1 or the mLSTM's m, unlabelled). A matrix's column shows in
    its own equation. ``digits``: numbers in columns of that many characters (0: as
    ``numbers.number`` writes them)."""
    values: list[tuple[str, np.ndarray]] = [("x", np.ravel(record.x))]
    for var in cell.states:
        if var.kind == "matrix":
            continue
        name = f"{var.name}_prev"
        array = np.ravel(getattr(record, name))
        if array.size == 1 or name in whole:
            values.append((name, array))
        else:
            values.append((f"{name}[{unit}]", array[unit : unit + 1]))
    out = []
    for name, vs in values:
        texts = [number(v) if digits == 0 else column(v, digits) for v in vs]
        out.append(f"{name} = {texts[0] if len(texts) == 1 else '[' + ', '.join(texts) + ']'}")
    return out


def given(cell: Cell, record: Record, unit: int, width: int = 0) -> str:
    """The step's data in one line of at most ``width`` characters (0: no limit): ``step
    3: x = 2.0000   h_prev = 0.1042   c_prev = 0.2167``, every state's value before the
    step (a matrix's column shows in its own equation). At H > 1 each state whole
    (``h_prev = [0.0159, -0.0024]``) where it fits; else the ones a weight matrix
    multiplies whole (h_prev) and the others at ``unit``, labelled (``c_prev[1] =
    0.0400``); else all at ``unit``. Narrower: closer, then two decimals
    (``numbers.column``), then cut."""
    everything = {f"{var.name}_prev" for var in cell.states}
    tries = []
    for whole in (everything, multiplied(cell), set()):
        parts = _data(cell, record, unit, whole)
        tries += [
            f"step {record.t}: " + "   ".join(parts),
            f"step {record.t}: " + "  ".join(parts),
            f"t={record.t} " + " ".join(t.replace(" = ", "=") for t in parts),
        ]
    parts = _data(cell, record, unit, set(), digits=5)
    tries.append(f"t={record.t} " + " ".join(t.replace(" = ", "=") for t in parts))
    text = next((t for t in tries if width <= 0 or len(t) <= width), tries[-1])
    return text if width <= 0 or len(text) <= width else text[: max(width - 1, 0)] + "…"


def full_sum(cell: Cell, record: Record, unit: int, index: int) -> list[str]:
    """Equation ``index`` (into ``symbols(cell)``) written out in full for ``unit``: how it
    is written; each affine part's products w*v one per line (the weight and the value
    as shown, the product computed exactly, then rounded), each weight matrix's dot
    product, the bias and the sum; each other dot product's products (the mLSTM's qs·n,
    qs@C); each element of a column (the mLSTM's C[:,u]); then every stage of the equation, one
    per line, down to the result."""
    context = _Context(cell, record, unit)
    eq = chosen(cell, record)[index]
    w = context.written(eq)
    everything = {f"{var.name}_prev" for var in cell.states}
    out = [
        f"{w.parts[0]} = {w.parts[1]}",
        f"unit {unit}, step {record.t}",
        "",
        "data (x, and each state before the step, whole):",
        *(f"  {part}" for part in _data(cell, record, unit, everything)),
    ]
    for part in _sums(eq):
        out += [
            "",
            *(context.affine_sum(part) if isinstance(part, Affine) else context.dot_sum(part)),
        ]
    for source in eq.sources:
        out += ["", f"where {source.field} comes from:", *context.source_sum(source)]
    if context.is_row(eq.result):
        out += ["", f"element by element ({cell.hidden_size}):"]
        out += [f"  {context.element_line(eq, j)}" for j in range(cell.hidden_size)]
    out += ["", "in full:", f"  {w.parts[0]} = {w.parts[1]}"]
    out += [f"    = {part}" for part in w.parts[2:]]
    if w.note:
        out.append(f"  ({w.note})")
    return out


def _sums(expr: Expr | Equation) -> list[Affine | Dot]:
    """The sums inside an equation's first (most detailed) stage, in order: its affine
    parts and dot products."""
    match expr:
        case Equation(stages=stages):
            return _sums(stages[0]) if stages else []
        case Affine() | Dot():
            return [expr]
        case Call(args=parts) | Sum(terms=parts) | Product(factors=parts):
            return [a for part in parts for a in _sums(part)]
        case Difference(a, b) | Quotient(a, b):
            return _sums(a) + _sums(b)
        case Magnitude(a):
            return _sums(a)
    return []


def _affines(eq: Equation) -> list[Affine]:
    return [part for part in _sums(eq) if isinstance(part, Affine)]


class _Context:
    """One record and unit; ``element`` (an index into the column) for the
    element-by-element lines of a matrix equation."""

    def __init__(self, cell: Cell, record: Record, unit: int, element: int | None = None) -> None:
        self.cell, self.record, self.unit, self.element = cell, record, unit, element

    def pick(self, array: object) -> float:
        """The selected unit's element; a scalar's only one."""
        flat = np.ravel(np.asarray(array))
        return float(flat[self.unit] if flat.size > 1 else flat[0])

    def is_row(self, field: str) -> bool:
        """Whether a record field is a matrix: its equation is written for the unit's
        column."""
        return np.ndim(getattr(self.record, field)) == 2

    def row(self, field: str) -> np.ndarray:
        """``Row(field)``: the unit's column of a matrix field (the one its h~ reads), or the
        whole vector field; one element of it for an element line."""
        array = np.asarray(getattr(self.record, field), dtype=np.float64)
        values = array[:, self.unit] if array.ndim == 2 else np.ravel(array)
        return values if self.element is None else values[self.element : self.element + 1]

    def written(self, eq: Equation) -> Written:
        """symbol = written form = each stage, and after each the same with its products
        worked out (where that says something new) = result."""
        each = all(_few(self.cell, a) for a in _affines(eq))
        affine = next(iter(_affines(eq)), None)
        form = eq.written.format(affine="" if affine is None else affine.written(each), u=self.unit)
        result = self.result(eq)
        stages: list[str] = []
        worked = None
        for stage in eq.stages:
            for rounded in (False, True):
                text = self.text(stage, worked=rounded)
                if text != result and (not stages or stages[-1] != text):
                    stages.append(text)
                    if rounded and worked is None:  # parts: symbol, written form, stages
                        worked = 1 + len(stages)
        note = ""
        if eq.note is not None:
            label, field = eq.note
            note = f"{label} = {number(self.pick(getattr(self.record, field)))}"
        return Written((self.symbol(eq), form, *stages, result), note, worked)

    def symbol(self, eq: Equation) -> str:
        if not self.is_row(eq.result):
            return eq.symbol
        index = ":" if self.element is None else str(self.element)
        return f"{eq.symbol}[{index},{self.unit}]"

    def result(self, eq: Equation) -> str:
        if self.is_row(eq.result):
            return self._numbers(self.row(eq.result))
        return number(self.pick(getattr(self.record, eq.result)))

    def element_line(self, eq: Equation, j: int) -> str:
        """One element of a column equation: ``C[1,0] = 1.0000*0.2000 + ... = 0.2500``."""
        one = _Context(self.cell, self.record, self.unit, j)
        w = one.written(eq)
        return " = ".join([w.parts[0], *w.parts[2:]])

    def text(self, expr: Expr, worked: bool = False) -> str:
        """An expression with its numbers; a leading '-' means the whole term is negative.
        ``worked``: each product of numbers computed exactly and rounded."""
        match expr:
            case Value(field):
                return number(self.pick(getattr(self.record, field)))
            case Row(field):
                return self._numbers(self.row(field))
            case Weight(key):
                return number(self.pick(self.cell.params[key]))
            case Dot(value=field):
                return number(self.pick(getattr(self.record, field)))
            case Const(v):
                return f"{v:g}"  # as it is written in the formula: 1, 1e-06
            case Call(fn, args):
                return f"{fn}({', '.join(self.text(a, worked) for a in args)})"
            case Sum(terms):
                return signed_sum([self.text(t, worked) for t in terms])
            case Difference(a, b):
                return signed_sum([self.text(a, worked), _negate(self._operand(b, worked))])
            case Product(factors):
                value = self._product(factors) if worked else None
                if value is not None:
                    return self._numbers(value) if self._has_row(factors) else number(value[0])
                texts = [self._operand(f, worked) for f in factors]
                return "*".join([texts[0], *(_bracket_negative(t) for t in texts[1:])])
            case Quotient(a, b):
                return f"{self._operand(a, worked)}/{_bracket_negative(self._operand(b, worked))}"
            case Magnitude(a):
                return f"|{self.text(a, worked)}|"
            case Affine():
                return self._affine(expr, worked)
        raise TypeError(f"not an expression: {expr!r}")

    def _leaf(self, expr: Expr) -> np.ndarray | None:
        """The numbers of a leaf (a value, a row, a weight, a constant), else None."""
        match expr:
            case Value(field):
                return np.array([self.pick(getattr(self.record, field))])
            case Row():
                return self.row(expr.field)
            case Weight(key):
                return np.array([self.pick(self.cell.params[key])])
            case Const(v):
                return np.array([v])
        return None

    def _product(self, factors: tuple[Expr, ...]) -> np.ndarray | None:
        """The exact product of leaves, elementwise along a row; None if a factor is not a
        leaf (it is worked out inside first)."""
        out = np.ones(1)
        for factor in factors:
            value = self._leaf(factor)
            if value is None:
                return None
            out = out * value
        return out

    @staticmethod
    def _has_row(factors: tuple[Expr, ...]) -> bool:
        return any(isinstance(f, Row) for f in factors)

    def _numbers(self, values: np.ndarray) -> str:
        """A row's numbers, ``[0.1000, -0.2000]``; one element alone for an element line."""
        if self.element is not None:
            return number(values[0])
        return "[" + ", ".join(number(v) for v in values) + "]"

    def _operand(self, expr: Expr, worked: bool) -> str:
        """An expression inside a product or quotient: sums in brackets."""
        text = self.text(expr, worked)
        return f"({text})" if isinstance(expr, Sum | Difference | Affine) else text

    def _row(self, expr: Affine) -> int | None:
        """The weights' row of the unit in the gate's block; None for a row every unit
        shares (the weight is that row)."""
        return None if expr.shared else expr.block * self.cell.hidden_size + self.unit

    def _pairs(self, expr: Affine) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each product's weight row (the unit's, in the gate's block) and its values."""
        row = self._row(expr)
        return [
            (
                np.ravel(self.cell.params[key]) if row is None else self.cell.params[key][row],
                np.ravel(getattr(self.record, field)),
            )
            for key, field in expr.products
        ]

    def _biases(self, expr: Affine) -> list[float]:
        """Each bias vector's element at the unit's row (a shared bias: its one number)."""
        row = self._row(expr) or 0
        return [float(np.ravel(self.cell.params[key])[row]) for key in expr.bias]

    def _bias(self, expr: Affine) -> float:
        return sum(self._biases(expr))

    def _affine(self, expr: Affine, worked: bool) -> str:
        """Every product ``w*v`` while there are few (``FEW``), or each computed and
        rounded (``worked``); else one dot product per weight matrix; then the bias."""
        pairs = self._pairs(expr)
        if not _few(self.cell, expr):
            terms = [number(float(weights @ values)) for weights, values in pairs]
        elif worked:
            terms = [
                number(w * v)
                for weights, values in pairs
                for w, v in zip(weights, values, strict=True)
            ]
        else:
            terms = [
                f"{number(w)}*{_bracket_negative(number(v))}"
                for weights, values in pairs
                for w, v in zip(weights, values, strict=True)
            ]
        return signed_sum([*terms, number(self._bias(expr))])

    def dot_sum(self, dot: Dot) -> list[str]:
        """A dot product's every product a[j]*b[j] (b: the unit's column of a matrix), and
        the record's value of it."""
        a = np.ravel(getattr(self.record, dot.a))
        b = np.asarray(getattr(self.record, dot.b))
        column = b.ndim == 2
        b = b[:, self.unit] if column else np.ravel(b)
        where = f" (column {self.unit} of {dot.b})" if column else ""
        out = [f"{dot.written}{where}:"]
        products = []
        for j, (x, y) in enumerate(zip(a, b, strict=True)):
            index = f"{j},{self.unit}" if column else str(j)
            products.append(precise(x * y))
            out.append(
                f"  {dot.a}[{j}]*{dot.b}[{index}] = {number(x)}*{_bracket_negative(number(y))}"
                f" = {products[-1]}"
            )
        total = self.pick(getattr(self.record, dot.value))
        out.append(f"  {dot.written} = {signed_sum(products)} = {precise(total)}")
        return out

    def affine_sum(self, expr: Affine, field: str = "") -> list[str]:
        """An affine part's every product, its dot products, its bias and its sum (written
        ``field = ...`` where it makes a record field of its own: ``i_raw = W_i·x + ...``)."""
        row = self._row(expr)
        out = []
        dots = []
        pairs = self._pairs(expr)
        for name, (key, vector), (weights, values) in zip(
            expr.names, expr.products, pairs, strict=True
        ):
            where = f"row {row} of {key}" if row is not None else f"{key}, shared by every unit"
            out.append(f"{name}·{vector} ({where}):")
            for j, (w, v) in enumerate(zip(weights, values, strict=True)):
                index = f"{j}" if row is None else f"{self.unit},{j}"
                product = f"{number(w)}*{_bracket_negative(number(v))}"
                out.append(f"  {name}[{index}]*{vector}[{j}] = {product} = {precise(w * v)}")
            dot = float(weights @ values)
            dots.append(number(dot))
            out.append(f"  {name}·{vector} = {precise(dot)}")
        parts = [number(b) for b in self._biases(expr)]
        bias = number(self._bias(expr))
        keys = " + ".join(key if row is None else f"{key}[{row}]" for key in expr.bias)
        named = f"{expr.bias_name} = {keys}"
        out.append(
            (named if keys != expr.bias_name else keys)
            + (f" = {signed_sum(parts)}" if len(parts) > 1 else "")
            + f" = {bias}"
        )
        total = sum(float(w @ v) for w, v in pairs) + self._bias(expr)
        head = f"{field} = " if field else ""
        out.append(f"{head}{expr.written(False)} = {signed_sum([*dots, bias])} = {number(total)}")
        return out

    def source_sum(self, source: Source) -> list[str]:
        """How a field the equation reads is made: its affine sum, or a scaled vector
        element by element (``qs[0] = q[0]/2.0000 = 0.2266/2.0000 = 0.1133``)."""
        if isinstance(source.expr, Affine):
            return self.affine_sum(source.expr, source.field)
        of, H = source.expr.of, self.cell.hidden_size
        root = number(np.sqrt(H))
        out = [f"{source.field} = {of}/sqrt(H) = {of}/sqrt({H}) = {of}/{root}:"]
        values = np.ravel(getattr(self.record, of))
        scaled = np.ravel(getattr(self.record, source.field))
        for j, (v, s) in enumerate(zip(values, scaled, strict=True)):
            out.append(
                f"  {source.field}[{j}] = {of}[{j}]/{root} = {number(v)}/{root} = {number(s)}"
            )
        return out


def _few(cell: Cell, expr: Affine) -> bool:
    """Whether an affine part is short enough to show product by product (a weight
    matrix has a product per column)."""
    return sum(cell.params[key].shape[-1] for key, _ in expr.products) <= FEW


def _negate(text: str) -> str:
    return text[1:] if text.startswith("-") else "-" + text


def _bracket_negative(text: str) -> str:
    return f"({text})" if text.startswith("-") else text


__all__ = [
    "FEW",
    "Written",
    "chosen",
    "full_sum",
    "given",
    "line_count",
    "lines",
    "multiplied",
    "symbols",
    "write",
]
