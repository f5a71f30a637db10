"""Traces: the records of a run written as a table, JSON or CSV.

JSON follows the reference traces' schema (``shared/reference/README.md``)::

    {"cell", "input_size", "hidden_size", "inputs",
     "steps": [{"t", "x", <each state>, "gates": {<each gate>}, <each trace extra>}]}

CSV has one row per step and one column per number, named like the JSON keys with
indices: ``t, x[0], h[0], c[0], forget[0], ...`` (a matrix state gives ``C[0,1]``).

The table repeats the original ``Lstm.py``'s printout, one block per step.

Every format is written a step at a time (``write_json``, ``write_csv``,
``write_table``, or ``write`` by name) to a text stream from any iterable of records,
so a long run is never held whole in memory; ``render`` gives the same text as one
string.

JSON holds no NaN or Infinity (they are not JSON): a number that is not finite is
written as ``null``, and its step gets a ``"notes"`` list, after the gates and extras,
saying what was there: ``["gates.input: inf written as null"]`` (the inputs' notes,
``"inputs[3]: inf written as null"``, go to a top-level ``"notes"`` after
``"steps"``). A session's records never need it (its inputs are finite, and a step
that overflows is not taken); records of a bare cell can. CSV and the table write
``inf`` and ``nan`` as they are.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any, TextIO

import numpy as np
import numpy.typing as npt

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


def _json_list(values: npt.ArrayLike, key: str, notes: list[str]) -> Any:
    """``values`` as nested lists for JSON, with what is not finite as None (and a note)."""
    array = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(array)
    if finite.all():
        return array.tolist()
    shown = sorted({repr(float(v)) for v in array[~finite]})
    notes.append(f"{key}: {', '.join(shown)} written as null")
    values = array.astype(object)
    values[~finite] = None
    return values.tolist()


def step_json(cell: Cell, record: Record) -> dict[str, Any]:
    """One step in the reference schema (with ``notes`` where a number is not finite)."""
    notes: list[str] = []
    step: dict[str, Any] = {"t": record.t, "x": _json_list(record.x, "x", notes)}
    gates: dict[str, Any] = {}
    for key, field in fields_of(cell):
        value = _json_list(getattr(record, field), key, notes)
        if key.startswith("gates."):
            gates[key.removeprefix("gates.")] = value
        else:
            step[key] = value
    step["gates"] = gates
    for name in cell.trace_extras:  # keep extras after the gates, as the references do
        step[name] = step.pop(name)
    if notes:
        step["notes"] = notes
    return step


def _head(cell: Cell) -> dict[str, Any]:
    return {"cell": cell.kind, "input_size": cell.input_size, "hidden_size": cell.hidden_size}


def trace_json(cell: Cell, inputs: Array, records: Iterable[Record]) -> dict[str, Any]:
    notes: list[str] = []
    doc = {
        **_head(cell),
        "inputs": [_json_list(row, f"inputs[{k}]", notes) for k, row in enumerate(inputs)],
        "steps": [step_json(cell, r) for r in records],
    }
    if notes:
        doc["notes"] = notes
    return doc


def _dumps(value: Any) -> str:
    # allow_nan=False: a guard, since _json_list has already made every number finite
    return json.dumps(value, indent=1, allow_nan=False)


def _write_json_list(items: Iterable[Any], out: TextIO) -> Iterator[None]:
    """A list that is the value of a top-level key, an item at a time, laid out as
    ``json.dumps(..., indent=1)`` lays it out there (items two spaces in); yields after
    each item."""
    opened = False
    for item in items:
        out.write(",\n  " if opened else "[\n  ")
        out.write(_dumps(item).replace("\n", "\n  "))
        opened = True
        yield
    out.write("\n ]" if opened else "[]")


def write_json(cell: Cell, inputs: Array, records: Iterable[Record], out: TextIO) -> None:
    """The JSON trace, a step at a time: the same text as ``json.dumps(trace_json(...),
    indent=1)`` and a newline."""
    _drain(json_steps(cell, inputs, records, out))


def json_steps(cell: Cell, inputs: Array, records: Iterable[Record], out: TextIO) -> Iterator[None]:
    """``write_json``, yielding after each input row and each step written (the inputs
    come first, and 100,000 of them are a while's work too)."""
    notes: list[str] = []
    head = _dumps(_head(cell))
    out.write(head[: -len("\n}")] + ',\n "inputs": ')
    rows = (_json_list(row, f"inputs[{k}]", notes) for k, row in enumerate(np.asarray(inputs)))
    yield from _write_json_list(rows, out)
    out.write(',\n "steps": ')
    yield from _write_json_list((step_json(cell, r) for r in records), out)
    if notes:
        out.write(',\n "notes": ')
        _drain(_write_json_list(notes, out))
    out.write("\n}\n")


def _drain(steps: Iterator[None]) -> None:
    for _ in steps:
        pass


def format_json(cell: Cell, inputs: Array, records: Iterable[Record]) -> str:
    buffer = io.StringIO()
    write_json(cell, inputs, records, buffer)
    return buffer.getvalue()


def csv_header(cell: Cell) -> list[str]:
    header = ["t"] + [f"x[{k}]" for k in range(cell.input_size)]
    sample = cell.step(np.zeros(cell.input_size))
    for key, field in fields_of(cell):
        name = key.removeprefix("gates.")
        shape = getattr(sample, field).shape
        header += [f"{name}[{','.join(map(str, idx))}]" for idx in np.ndindex(shape)]
    return header


def write_csv(cell: Cell, records: Iterable[Record], out: TextIO) -> None:
    """The CSV trace, a row per step."""
    _drain(csv_steps(cell, records, out))


def csv_steps(cell: Cell, records: Iterable[Record], out: TextIO) -> Iterator[None]:
    """``write_csv``, yielding after each step written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(csv_header(cell))
    for record in records:
        row: list[Any] = [record.t, *record.x.tolist()]
        for _, field in fields_of(cell):
            row += getattr(record, field).ravel().tolist()
        writer.writerow([repr(v) if isinstance(v, float) else v for v in row])
        yield


def format_csv(cell: Cell, records: Iterable[Record]) -> str:
    buffer = io.StringIO()
    write_csv(cell, records, buffer)
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


def write_table(cell: Cell, records: Iterable[Record], out: TextIO) -> None:
    """The original's printout (``table_steps``)."""
    _drain(table_steps(cell, records, out))


def table_steps(cell: Cell, records: Iterable[Record], out: TextIO) -> Iterator[None]:
    """The original's printout: per step, 'Step t | Input: x' and lines of 'Label (sym): value',
    4 decimals; one block per hidden unit when there are several; a rule between steps."""
    labels = _labels(cell)
    rows = printout_rows(cell)
    first = True
    for record in records:
        if not first:
            out.write(RULE + "\n")
        first = False
        x = record.x
        shown_x = plain(x[0]) if len(x) == 1 else "[" + ", ".join(plain(v) for v in x) + "]"
        lines = [f"Step {record.t} | Input: {shown_x}"]
        for unit in range(cell.hidden_size):
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
        out.write("\n".join(lines) + "\n")
        yield


def format_table(cell: Cell, records: Iterable[Record]) -> str:
    buffer = io.StringIO()
    write_table(cell, records, buffer)
    return buffer.getvalue()


def write(fmt: str, cell: Cell, inputs: Array, records: Iterable[Record], out: TextIO) -> None:
    """The trace in format ``fmt`` (one of ``FORMATS``), written a step at a time."""
    _drain(write_steps(fmt, cell, inputs, records, out))


def write_steps(
    fmt: str, cell: Cell, inputs: Array, records: Iterable[Record], out: TextIO
) -> Iterator[None]:
    """``write`` as a generator that yields after each step written (JSON: after each
    input row too), so that a caller can do other things between them (the dashboard
    shows an export's progress)."""
    if fmt == "json":
        return json_steps(cell, inputs, records, out)
    if fmt == "csv":
        return csv_steps(cell, records, out)
    if fmt == "table":
        return table_steps(cell, records, out)
    raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")


def write_encoded(
    fmt: str, cell: Cell, inputs: Array, records: Iterable[Record], handle: IO[bytes]
) -> None:
    """``write`` into a binary file, as UTF-8 with the newlines as they are."""
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="\n")
    try:
        write(fmt, cell, inputs, records, text)
    finally:
        text.detach()  # flushes, and leaves ``handle`` open for whoever opened it


def render(fmt: str, cell: Cell, inputs: Array, records: Iterable[Record]) -> str:
    """The trace in format ``fmt`` as one string."""
    buffer = io.StringIO()
    write(fmt, cell, inputs, records, buffer)
    return buffer.getvalue()


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
    "write",
    "write_csv",
    "write_encoded",
    "write_json",
    "write_table",
]
