"""Traces: the records of a run written as a table, JSON or CSV.

JSON follows the reference traces' schema (``shared/reference/README.md``)::

    {"cell", "input_size", "hidden_size", "inputs",
     "steps": [{"t", "x", <each state>, "gates": {<each gate>}, <each trace extra>}]}

CSV has one row per step and one column per number, named like the JSON keys with
indices: ``t, x[0], h[0], c[0], forget[0], ...`` (a matrix state gives ``C[0,1]``).

The table repeats the original ``Lstm.py``'s printout, one block per step.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .cells.base import Array, Cell, Record
from .numbers import plain, table_number

RULE = "-" * 80
FORMATS = ("table", "json", "csv")


def fields_of(cell: Cell) -> list[tuple[str, str]]:
    """(trace key, record field) for every array a step exports, states then gates then extras."""
    out = [(s.name, s.name) for s in cell.states]
    out += [(f"gates.{g.name}", g.symbol) for g in cell.gates]
    out += [(name, name) for name in cell.trace_extras]
    return out


def step_json(cell: Cell, record: Record) -> dict[str, Any]:
    """One step in the reference schema."""
    step: dict[str, Any] = {"t": record.t, "x": record.x.tolist()}
    gates: dict[str, Any] = {}
    for key, field in fields_of(cell):
        value = getattr(record, field).tolist()
        if key.startswith("gates."):
            gates[key.removeprefix("gates.")] = value
        else:
            step[key] = value
    step["gates"] = gates
    for name in cell.trace_extras:  # keep extras after the gates, as the references do
        step[name] = step.pop(name)
    return step


def trace_json(cell: Cell, inputs: Array, records: Iterable[Record]) -> dict[str, Any]:
    return {
        "cell": cell.kind,
        "input_size": cell.input_size,
        "hidden_size": cell.hidden_size,
        "inputs": np.asarray(inputs).tolist(),
        "steps": [step_json(cell, r) for r in records],
    }


def format_json(cell: Cell, inputs: Array, records: Iterable[Record]) -> str:
    return json.dumps(trace_json(cell, inputs, records), indent=1) + "\n"


def csv_header(cell: Cell) -> list[str]:
    header = ["t"] + [f"x[{k}]" for k in range(cell.input_size)]
    sample = cell.step(np.zeros(cell.input_size))
    for key, field in fields_of(cell):
        name = key.removeprefix("gates.")
        shape = getattr(sample, field).shape
        header += [f"{name}[{','.join(map(str, idx))}]" for idx in np.ndindex(shape)]
    return header


def format_csv(cell: Cell, records: Iterable[Record]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(csv_header(cell))
    for record in records:
        row: list[Any] = [record.t, *record.x.tolist()]
        for _, field in fields_of(cell):
            row += getattr(record, field).ravel().tolist()
        writer.writerow([repr(v) if isinstance(v, float) else v for v in row])
    return buffer.getvalue()


def printout_rows(cell: Cell) -> tuple[tuple[str, ...], ...]:
    """The fields of the printout's lines: the cell's own layout, or states then gates in pairs."""
    if cell.printout:
        return cell.printout
    names = [s.name for s in cell.states if s.kind != "matrix"] + [g.symbol for g in cell.gates]
    return tuple(tuple(names[k : k + 2]) for k in range(0, len(names), 2))


def _labels(cell: Cell) -> dict[str, str]:
    labels = {s.name: f"{s.label} ({s.name})" for s in cell.states}
    labels.update({g.symbol: f"{g.label} ({g.shown})" for g in cell.gates})
    return labels


def format_table(cell: Cell, records: Sequence[Record] | Iterable[Record]) -> str:
    """The original's printout: per step, 'Step t | Input: x' and lines of 'Label (sym): value',
    4 decimals; one block per hidden unit when there are several."""
    labels = _labels(cell)
    rows = printout_rows(cell)
    lines: list[str] = []
    for record in records:
        if lines:
            lines.append(RULE)
        x = record.x
        shown_x = plain(x[0]) if len(x) == 1 else "[" + ", ".join(plain(v) for v in x) + "]"
        lines.append(f"Step {record.t} | Input: {shown_x}")
        units = range(cell.hidden_size)
        for unit in units:
            indent = "  "
            if cell.hidden_size > 1:
                lines.append(f"  Unit {unit}")
                indent = "    "
            for row in rows:
                parts = []
                for field in row:
                    values = np.ravel(getattr(record, field))
                    value = values[unit] if len(values) > 1 else values[0]
                    parts.append(f"{labels[field]}: {table_number(value)}")
                lines.append(indent + " | ".join(parts))
    return "\n".join(lines) + ("\n" if lines else "")


def render(fmt: str, cell: Cell, inputs: Array, records: Sequence[Record]) -> str:
    if fmt == "json":
        return format_json(cell, inputs, records)
    if fmt == "csv":
        return format_csv(cell, records)
    if fmt == "table":
        return format_table(cell, records)
    raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")


__all__ = [
    "FORMATS",
    "csv_header",
    "fields_of",
    "format_csv",
    "format_json",
    "format_table",
    "render",
    "step_json",
    "trace_json",
]
