"""Traces written a step at a time: the same bytes as the whole-string formats, no NaN or
Infinity in JSON, and memory that does not grow with the output."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import lstm_engine
from lstm_engine import Session, trace
from lstm_engine.cells import CELLS, SLSTMCell
from lstm_engine.cli import main

from reference import cases, expected, weights

REFERENCE_CASES = [name for kind in CELLS for name in cases(kind)]


def reference_session(name: str) -> Session:
    session = Session(lstm_engine.load(weights(name)), expected(name)["inputs"])
    session.run_to_end()
    return session


def records_of(session: Session) -> list:
    return [session.record(t) for t in range(1, session.t + 1)]


def whole_table(cell, records) -> str:
    """The printout as the whole-string format built it: blocks joined by rules."""
    blocks = [trace.format_table(cell, [record]).rstrip("\n") for record in records]
    return ("\n" + trace.RULE + "\n").join(blocks) + ("\n" if blocks else "")


@pytest.mark.parametrize("name", REFERENCE_CASES)
def test_streams_are_the_whole_string_formats(name: str) -> None:
    session = reference_session(name)
    cell, records = session.cell, records_of(session)
    whole_json = json.dumps(trace.trace_json(cell, session.inputs, records), indent=1) + "\n"
    out = io.StringIO()
    trace.write_json(cell, session.inputs, iter(records), out)
    assert out.getvalue() == whole_json == trace.render("json", cell, session.inputs, records)
    out = io.StringIO()
    trace.write_table(cell, iter(records), out)
    assert out.getvalue() == whole_table(cell, records)
    out = io.StringIO()
    trace.write_csv(cell, iter(records), out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == trace.csv_header(cell) and len(rows) == len(records) + 1
    assert [float(v) for v in rows[-1][1:]] == [
        *records[-1].x.tolist(),
        *(v for _, field in trace.fields_of(cell) for v in getattr(records[-1], field).ravel()),
    ]


def test_empty_traces() -> None:
    cell = SLSTMCell.init(1, 2, 0)
    empty = np.zeros((0, 1))
    assert (
        trace.render("json", cell, empty, [])
        == json.dumps(trace.trace_json(cell, empty, []), indent=1) + "\n"
    )
    assert trace.render("table", cell, empty, []) == ""
    assert trace.render("csv", cell, empty, []).count("\n") == 1


def test_json_never_holds_nan_or_infinity() -> None:
    cell = SLSTMCell.init(1, 2, 0)
    record = cell.step([1.0])
    broken = dataclasses.replace(record, h=np.array([np.inf, np.nan]), i=np.array([-np.inf, 1.0]))
    text = trace.render("json", cell, np.array([[1.0], [np.inf]]), [record, broken])
    assert "NaN" not in text and "Infinity" not in text
    doc = json.loads(text)
    assert doc["steps"][1]["h"] == [None, None]
    assert doc["steps"][1]["gates"]["input"] == [None, 1.0]
    assert doc["steps"][1]["notes"] == [
        "h: inf, nan written as null",
        "gates.input: -inf written as null",
    ]
    assert "notes" not in doc["steps"][0]
    assert doc["inputs"] == [[1.0], [None]] and doc["notes"] == ["inputs[1]: inf written as null"]
    # CSV and the table write what they hold, without failing
    assert "inf,nan" in trace.render("csv", cell, None, [broken])
    assert "Hidden (h): inf" in trace.render("table", cell, None, [broken])


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        trace.render("xml", SLSTMCell.init(1, 1, 0), np.zeros((0, 1)), [])


class Counter(io.TextIOBase):
    """A text stream that counts what is written and keeps none of it."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, text: str) -> int:
        self.size += len(text)
        return len(text)


def traced_peak(write: Callable[[], None]) -> int:
    tracemalloc.start()
    try:
        write()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def export_peak(fmt: str, steps: int, computed: bool) -> tuple[int, int, Session]:
    """The traced peak of writing ``steps`` steps of an LSTM (H = 1) in ``fmt``, from a
    history computed beforehand or computing it while writing, and the bytes written."""
    inputs = np.random.RandomState(0).randn(steps, 1)
    session = Session(CELLS["lstm"].init(1, 1, 42), inputs)
    if computed:
        session.run_to_end()
        records = (session.record(t) for t in range(1, steps + 1))
    else:
        records = (session.step() for _ in range(steps))
    sink = Counter()
    peak = traced_peak(lambda: trace.write(fmt, session.cell, session.inputs, records, sink))
    return peak, sink.size, session


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_memory_does_not_grow_with_the_output(fmt: str) -> None:
    """Writing a computed history holds one step at a time: four times the steps, the
    same peak, far below the text written. Computing while writing (as ``lstm-engine
    trace`` does) adds the history itself (48 bytes a step here, and its geometric
    growth), no more."""
    small, _, _ = export_peak(fmt, 1_000, computed=True)
    peak, size, _ = export_peak(fmt, 4_000, computed=True)
    assert peak < 1.2 * small + 2**16 and peak < size / 4
    peak, _, session = export_peak(fmt, 4_000, computed=False)
    assert session.t == 4_000 and peak < 2.5 * session.history_bytes + small + 2**16


def test_cli_output_file_is_the_render(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = REFERENCE_CASES[0]
    session = reference_session(name)
    inputs = tmp_path / "inputs.npy"
    np.save(inputs, session.inputs)
    for fmt in trace.FORMATS:
        target = tmp_path / f"trace.{fmt}"
        argv = ["trace", "--weights", str(weights(name)), "--inputs-file", str(inputs)]
        assert main([*argv, "--format", fmt, "--output", str(target)]) == 0
        want = trace.render(fmt, session.cell, session.inputs, records_of(session))
        assert target.read_text(encoding="utf-8") == want
        assert main([*argv, "--format", fmt]) == 0
        assert capsys.readouterr().out == want
