"""The equations panel's text: every number the record's, signs written naturally, and
lines that fit their width by giving up the least useful parts first."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_engine import CELLS, LSTMCell, Session
from lstm_engine.cells.expressions import Choice, Equation
from lstm_engine.equations import Written, line_count, lines, write
from lstm_engine.numbers import number


def original_session() -> Session:
    return Session(LSTMCell.init(1, 1, 42), [[5.0], [1.9], [2.0]])


def test_the_original_first_step_with_the_data_plugged_in() -> None:
    session = original_session()
    first = lines(session.cell, session.step(), 0)
    assert first[0] == (
        "f = sigmoid(W_f·[h_prev, x] + b_f) = sigmoid(0.0497*0.0000 - 0.0138*5.0000 + 0.0000)"
        " = sigmoid(-0.0691) = 0.4827"
    )
    assert first[3] == "c = f*c_prev + i*c_bar = 0.4827*0.0000 + 0.6817*0.3659 = 0.2494"
    assert first[5] == "h = o*tanh(c) = 0.4708*tanh(0.2494) = 0.4708*0.2444 = 0.1151"


def test_a_negative_factor_is_bracketed_and_a_negative_term_subtracted() -> None:
    cell = LSTMCell.init(1, 1, 42)
    session = Session(cell, [[-2.0], [1.0]])
    session.step()
    record = session.step()
    text = lines(cell, record, 0)
    assert "+ -" not in " ".join(text)
    assert f"{number(record.f[0])}*({number(record.c_prev[0])})" in text[3]  # c_prev < 0


def test_larger_cells_show_the_two_dot_products() -> None:
    cell = LSTMCell.init(2, 3, 1)
    record = cell.step([0.5, -1.5], {"h": np.array([0.1, -0.2, 0.3]), "c": np.zeros(3)})
    line = lines(cell, record, 1)[0]
    row = 3 + 1  # the forget block, unit 1
    hh = cell.params["weight_hh"][row] @ record.h_prev
    ih = cell.params["weight_ih"][row] @ record.x
    inner = line.split(" = ")[2]
    assert inner.startswith("sigmoid(") and number(abs(hh)) in inner and number(abs(ih)) in inner


@pytest.mark.parametrize("kind", list(CELLS))
def test_every_line_ends_with_the_records_value_and_the_count_is_fixed(kind: str) -> None:
    cell = CELLS[kind].init(2, 3, 5)
    session = Session(cell, np.random.default_rng(0).normal(0, 1, (5, 2)))
    for _ in range(5):
        record = session.step()
        for unit in range(3):
            written = write(cell, record, unit)
            assert len(written) == line_count(cell)
            for eq, line in zip(_chosen(cell, record), written, strict=True):
                value = np.ravel(getattr(record, eq.result))
                assert line.text.split("   (")[0].endswith(
                    number(value[unit if value.size > 1 else 0])
                )


def _chosen(cell, record) -> list[Equation]:  # type: ignore[no-untyped-def]
    out = []
    for line in cell.equations:
        if isinstance(line, Choice):
            flat = np.ravel(getattr(record, line.field))
            line = line.then if flat[0] else line.otherwise
        out.append(line)
    return out


def test_the_slstm_first_step_says_m_starts_at_i_raw() -> None:
    cell = CELLS["slstm"].init(1, 2, 3)
    session = Session(cell, [[1.0], [2.0]])
    assert lines(cell, session.step(), 0)[1].startswith("m = i_raw (first step")
    assert lines(cell, session.step(), 0)[1].startswith("m = max(i_raw, logf)")


def test_fit_gives_up_the_written_form_then_the_note_then_the_detail() -> None:
    parts = ("f", "sigmoid(W_f·[h_prev, x] + b_f)", "sigmoid(0.1 - 0.2)", "sigmoid(-0.1)", "0.4750")
    w = Written(parts, "paper = 1.0")
    assert w.fit(0) == w.text and w.fit(200) == w.text
    assert (
        w.fit(len(w.text) - 1) == "f = sigmoid(0.1 - 0.2) = sigmoid(-0.1) = 0.4750   (paper = 1.0)"
    )
    assert w.fit(50) == "f = sigmoid(0.1 - 0.2) = sigmoid(-0.1) = 0.4750"
    assert w.fit(30) == "f = sigmoid(-0.1) = 0.4750"
    assert w.fit(12) == "f = 0.4750"
    assert len(w.fit(6)) == 6 and w.fit(6).endswith("…")
