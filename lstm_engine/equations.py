"""The equations of one step for one unit, written out with the numbers filled in.

A cell declares its equations as data (``cells/expressions.py``); this module turns
them into text: ``f = sigmoid(W_f·[h_prev, x] + b_f) = sigmoid(0.0497*0.0000 -
0.0138*5.0000 + 0.0000) = sigmoid(-0.0691) = 0.4827``. Every number is the record's
or the weights' own, formatted by ``lstm_engine.numbers``; nothing is recomputed.
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
    Equation,
    Expr,
    Magnitude,
    Product,
    Quotient,
    Sum,
    Value,
    Weight,
)
from .numbers import number, signed_sum


@dataclass(frozen=True)
class Written:
    """One equation as text, in parts: the symbol, how it is written, each stage with the
    numbers in, the result; and a note to show beside it."""

    parts: tuple[str, ...]
    note: str = ""

    @property
    def text(self) -> str:
        return self.fit(0)

    def fit(self, width: int) -> str:
        """The equation in at most ``width`` characters (0: no limit). What gives way first:
        the written form, then the note, then the stages from the most detailed on; the
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


def write(cell: Cell, record: Record, unit: int) -> list[Written]:
    """The equations of ``record`` for ``unit``, in the cell's order."""
    context = _Context(cell, record, unit)
    out = []
    for line in cell.equations:
        if isinstance(line, Choice):
            line = line.then if context.pick(getattr(record, line.field)) else line.otherwise
        out.append(context.written(line))
    return out


def lines(cell: Cell, record: Record, unit: int) -> list[str]:
    """The equations as plain text lines, at full length."""
    return [w.text for w in write(cell, record, unit)]


class _Context:
    def __init__(self, cell: Cell, record: Record, unit: int) -> None:
        self.cell, self.record, self.unit = cell, record, unit

    def pick(self, array: object) -> float:
        """The selected unit's element; a scalar's only one."""
        flat = np.ravel(np.asarray(array))
        return float(flat[self.unit] if flat.size > 1 else flat[0])

    def written(self, eq: Equation) -> Written:
        parts = (eq.symbol, eq.written, *(self.text(stage) for stage in eq.stages))
        result = number(self.pick(getattr(self.record, eq.result)))
        note = ""
        if eq.note is not None:
            label, field = eq.note
            note = f"{label} = {number(self.pick(getattr(self.record, field)))}"
        return Written((*parts, result), note)

    def text(self, expr: Expr) -> str:
        """An expression with its numbers; a leading '-' means the whole term is negative."""
        match expr:
            case Value(field):
                return number(self.pick(getattr(self.record, field)))
            case Weight(key):
                return number(self.pick(self.cell.params[key]))
            case Const(v):
                return f"{v:g}"  # as it is written in the formula: 1, 1e-06
            case Call(fn, args):
                return f"{fn}({', '.join(self.text(a) for a in args)})"
            case Sum(terms):
                return signed_sum([self.text(t) for t in terms])
            case Difference(a, b):
                return signed_sum([self.text(a), _negate(self._operand(b))])
            case Product(factors):
                texts = [self._operand(f) for f in factors]
                return "*".join([texts[0], *(_bracket_negative(t) for t in texts[1:])])
            case Quotient(a, b):
                return f"{self._operand(a)}/{_bracket_negative(self._operand(b))}"
            case Magnitude(a):
                return f"|{self.text(a)}|"
            case Affine():
                return self._affine(expr)
        raise TypeError(f"not an expression: {expr!r}")

    def _operand(self, expr: Expr) -> str:
        """An expression inside a product or quotient: sums in brackets."""
        text = self.text(expr)
        return f"({text})" if isinstance(expr, Sum | Difference | Affine) else text

    def _affine(self, expr: Affine) -> str:
        """Every product ``w*v`` while there are few (H + I <= 3), else one dot product per
        weight matrix; then the bias."""
        cell, unit = self.cell, self.unit
        row = expr.block * cell.hidden_size + unit
        pairs = [
            (cell.params[key][row], np.asarray(getattr(self.record, f))) for key, f in expr.products
        ]
        bias = sum(float(cell.params[key][row]) for key in expr.bias)
        if cell.hidden_size + cell.input_size <= 3:
            terms = [
                "*".join([number(w), _bracket_negative(number(v))])
                for weights, values in pairs
                for w, v in zip(weights, values, strict=True)
            ]
        else:
            terms = [number(float(weights @ values)) for weights, values in pairs]
        return signed_sum([*terms, number(bias)])


def _negate(text: str) -> str:
    return text[1:] if text.startswith("-") else "-" + text


def _bracket_negative(text: str) -> str:
    return f"({text})" if text.startswith("-") else text


__all__ = ["Written", "line_count", "lines", "symbols", "write"]
