"""The equations panel's text: every number the record's, signs written naturally, every
product worked out so that each stage adds up at the shown precision, lines that fit
their width by giving up the least useful parts first; the full sum of one equation;
the step's data line; and a glossary entry for every symbol on screen."""

from __future__ import annotations

import itertools
import re
from typing import Any

import numpy as np
import pytest

from lstm_engine import CELLS, LSTMCell, Session
from lstm_engine.cells.base import Cell, Record
from lstm_engine.equations import (
    Written,
    chosen,
    full_sum,
    given,
    line_count,
    lines,
    multiplied,
    symbols,
    write,
)
from lstm_engine.glossary import GLOSSARY
from lstm_engine.glossary import symbols as glossary_symbols
from lstm_engine.nudge import targets
from lstm_engine.numbers import number


def original_session() -> Session:
    return Session(LSTMCell.init(1, 1, 42), [[5.0], [1.9], [2.0]])


def test_the_original_first_step_with_the_data_plugged_in() -> None:
    session = original_session()
    first = lines(session.cell, session.step(), 0)
    assert first[0] == (
        "f = sigmoid(W_f·[h_prev, x] + b_f) = sigmoid(0.0497*0.0000 - 0.0138*5.0000 + 0.0000)"
        " = sigmoid(0.0000 - 0.0691 + 0.0000) = sigmoid(-0.0691) = 0.4827"
    )
    assert first[3] == (
        "c = f*c_prev + i*c_bar = 0.4827*0.0000 + 0.6817*0.3659 = 0.0000 + 0.2494 = 0.2494"
    )
    assert first[5] == "h = o*tanh(c) = 0.4708*tanh(0.2494) = 0.4708*0.2444 = 0.1151"


def test_a_negative_factor_is_bracketed_and_a_negative_term_subtracted() -> None:
    cell = LSTMCell.init(1, 1, 42)
    session = Session(cell, [[-2.0], [1.0]])
    session.step()
    record: Any = session.step()
    text = lines(cell, record, 0)
    assert "+ -" not in " ".join(text)
    assert f"{number(record.f[0])}*({number(record.c_prev[0])})" in text[3]  # c_prev < 0


def test_larger_cells_show_the_two_dot_products_named_in_the_written_form() -> None:
    cell = LSTMCell.init(2, 3, 1)
    record: Any = cell.step([0.5, -1.5], {"h": np.array([0.1, -0.2, 0.3]), "c": np.zeros(3)})
    line = lines(cell, record, 1)[0]
    row = 3 + 1  # the forget block, unit 1
    hh = cell.params["weight_hh"][row] @ record.h_prev
    ih = cell.params["weight_ih"][row] @ record.x
    bias = cell.params["bias_ih"][row] + cell.params["bias_hh"][row]
    symbol, written, dots, *_ = line.split(" = ")
    assert (symbol, written) == ("f", "sigmoid(W_hf·h_prev + W_if·x + b_f)")
    terms = [float(t) for t in re.findall(r"-?\d+\.\d+", dots.replace(" - ", " -"))]
    assert terms == [float(number(v)) for v in (hh, ih, bias)]


@pytest.mark.parametrize("kind", list(CELLS))
def test_every_line_ends_with_the_records_value_and_the_count_is_fixed(kind: str) -> None:
    cell = CELLS[kind].init(2, 3, 5)
    session = Session(cell, np.random.default_rng(0).normal(0, 1, (5, 2)))
    for _ in range(5):
        record = session.step()
        for unit in range(3):
            written = write(cell, record, unit)
            assert len(written) == line_count(cell)
            for eq, line in zip(chosen(cell, record), written, strict=True):
                value = np.asarray(getattr(record, eq.result))
                if value.ndim == 2:  # the mLSTM's C: the unit's column, which its h~ reads
                    shown = "[" + ", ".join(number(v) for v in value[:, unit]) + "]"
                else:
                    shown = number(np.ravel(value)[unit if value.size > 1 else 0])
                assert line.text.split("   (")[0].endswith(shown)


def test_the_slstm_first_step_says_m_starts_at_i_raw() -> None:
    cell = CELLS["slstm"].init(1, 2, 3)
    session = Session(cell, [[1.0], [2.0]])
    assert lines(cell, session.step(), 0)[1].startswith("m = i_raw (first step")
    assert lines(cell, session.step(), 0)[1].startswith("m = max(i_raw, logf)")


def test_fit_gives_up_the_written_form_the_note_the_worked_stage_then_the_detail() -> None:
    parts = (
        "f",
        "sigmoid(W_f·[h_prev, x] + b_f)",
        "sigmoid(0.1*1.0 - 0.2*1.0)",
        "sigmoid(0.1 - 0.2)",
        "sigmoid(-0.1)",
        "0.4750",
    )
    w = Written(parts, "paper = 1.0", worked=3)
    assert w.fit(0) == w.text and w.fit(200) == w.text
    rest = "f = sigmoid(0.1*1.0 - 0.2*1.0) = sigmoid(0.1 - 0.2) = sigmoid(-0.1) = 0.4750"
    assert w.fit(len(w.text) - 1) == rest + "   (paper = 1.0)"
    assert w.fit(len(rest)) == rest
    # the products (weight × data) outlast the stage that only rounds them
    assert w.fit(len(rest) - 1) == "f = sigmoid(0.1*1.0 - 0.2*1.0) = sigmoid(-0.1) = 0.4750"
    assert w.fit(40) == "f = sigmoid(-0.1) = 0.4750"
    assert w.fit(12) == "f = 0.4750"
    assert len(w.fit(6)) == 6 and w.fit(6).endswith("…")


def test_the_worked_stage_is_the_rounded_products() -> None:
    cell = CELLS["lstm"].init(1, 1, 42)
    written = write(cell, Session(cell, [[5.0]]).step(), 0)[0]
    assert written.worked is not None
    products, worked = written.parts[written.worked - 1], written.parts[written.worked]
    assert "*" in products and "*" not in worked


NUMBER = r"-?\d+\.\d{4}"


def _terms(stage: str) -> tuple[str, list[float]] | None:
    """A stage made only of 4-decimal numbers joined by + and -, inside one function call
    or none: (the function, its terms, signed); else None."""
    match = re.fullmatch(r"(\w+\()?(.*?)\)?", stage)
    if match is None or not re.fullmatch(rf"{NUMBER}(?: [+-] \d+\.\d{{4}})+", match.group(2)):
        return None
    body = match.group(2).replace(" - ", " -").replace(" + ", " ")
    return match.group(1) or "", [float(t) for t in re.findall(NUMBER, body)]


def _single(stage: str) -> tuple[str, float] | None:
    match = re.fullmatch(rf"(\w+\()?({NUMBER})\)?", stage)
    return (match.group(1) or "", float(match.group(2))) if match else None


def _records(kind: str, sizes: tuple[int, int], steps: int = 4) -> tuple[Cell, list[Any]]:
    cell = CELLS[kind].init(*sizes, 7)
    inputs = np.random.default_rng(3).normal(0, 2, (steps, sizes[0]))
    session = Session(cell, inputs)
    return cell, [session.step() for _ in range(steps)]


@pytest.mark.parametrize("kind", list(CELLS))
@pytest.mark.parametrize("sizes", [(1, 1), (1, 2), (2, 1), (2, 3)])
def test_the_worked_products_add_up_to_the_next_stage(kind: str, sizes: tuple[int, int]) -> None:
    """Each stage of rounded terms, parsed back, sums to the next stage's number within the
    rounding: 0.5e-4 for each term and for the sum shown."""
    cell, records = _records(kind, sizes)
    checked = 0
    for record in records:
        for unit in range(cell.hidden_size):
            for w in write(cell, record, unit):
                stages = list(w.parts[2:])
                for stage, after in itertools.pairwise(stages):
                    terms, total = _terms(stage), _single(after)
                    if terms is None or total is None or terms[0] != total[0]:
                        continue  # not a sum, or a function applied: exp(a - b) = 1.0000
                    bound = 0.5e-4 * (len(terms[1]) + 1)
                    assert abs(sum(terms[1]) - total[1]) <= bound, (stage, after)
                    checked += 1
    assert checked >= len(records) * cell.hidden_size  # at least one sum a line set


def test_every_product_is_shown_then_worked_out_at_small_sizes() -> None:
    cell, records = _records("lstm", (1, 2))
    record = records[-1]
    row = 1 * 2 + 0  # the forget block (rows i, f, g, o of H = 2 each), unit 0
    parts = write(cell, record, 0)[0].parts
    w = [*cell.params["weight_hh"][row], *cell.params["weight_ih"][row]]
    v = [*record.h_prev, *record.x]
    products = [number(a * b) for a, b in zip(w, v, strict=True)]
    assert parts[3] == "sigmoid(" + _signed([*products, number(0.0)]) + ")"


def _signed(terms: list[str]) -> str:
    out = terms[0]
    for t in terms[1:]:
        out += f" - {t[1:]}" if t.startswith("-") else f" + {t}"
    return out


@pytest.mark.parametrize("kind", ["lstm", "peephole", "slstm", "rnn", "mlstm"])
def test_the_full_sum_lists_every_product_and_reaches_the_pre_activation(kind: str) -> None:
    cell, records = _records(kind, (2, 3))
    record = records[-1]
    unit = 2
    names = symbols(cell)
    index = names.index(
        {"lstm": "f", "peephole": "f", "slstm": "c_bar", "rnn": "h", "mlstm": "q"}[kind]
    )
    text = full_sum(cell, record, unit, index)
    products = [line for line in text if re.match(r"\s+\w+\[\d,\d\]\*\w+\[\d\] = ", line)]
    assert len(products) == cell.hidden_size * (kind != "mlstm") + cell.input_size
    for line in products:  # w*v as shown, and the exact product rounded
        _, shown, product = line.split(" = ")
        w, v = (float(x.strip("()")) for x in shown.split("*"))
        assert abs(w * v - float(product)) <= 0.5e-4 + 0.5e-4 * (abs(w) + abs(v))
    total = text[text.index("in full:") - 2]  # the affine's sum, before the blank line
    pre = {"lstm": "z_f", "peephole": "a_f", "slstm": "z_raw", "rnn": "z", "mlstm": "q"}[kind]
    assert total.endswith(f"= {number(np.ravel(getattr(record, pre))[unit])}")
    last = [line for line in text if not line.strip().startswith("(")][-1]  # not the note
    assert last.endswith(
        number(np.ravel(getattr(record, chosen(cell, record)[index].result))[unit])
    )


def test_the_full_sum_of_the_memory_goes_element_by_element() -> None:
    cell, records = _records("mlstm", (1, 3))
    record = records[-1]
    text = full_sum(cell, record, 1, symbols(cell).index("C"))
    assert text[0] == "C[:,1] = f'*C_prev[:,1] + i'*k*v[1]"
    elements = [line.strip() for line in text if re.match(r"C\[\d+,1\] = ", line.strip())]
    assert [e.split(" = ")[0] for e in elements[:3]] == ["C[0,1]", "C[1,1]", "C[2,1]"]
    for j, line in enumerate(elements[:3]):
        assert line.endswith(f"= {number(record.C[j, 1])}")


def test_the_memory_line_is_the_column_h_tilde_reads() -> None:
    # h~[u] = qs · C[:,u] / den: the column the C line shows, dotted with qs, is qC[u]
    cell, records = _records("mlstm", (1, 3))
    record = records[-1]
    for unit in range(3):
        written = write(cell, record, unit)[symbols(cell).index("C")]
        column = [float(v) for v in written.parts[-1].strip("[]").split(", ")]
        assert np.allclose(column, record.C[:, unit], atol=5e-5)
        assert float(np.dot(record.qs, column)) == pytest.approx(record.qC[unit], abs=1e-3)
        # the full sums of C and h~ go down the same column
        h_tilde = full_sum(cell, record, unit, symbols(cell).index("h~"))
        assert any(f"(column {unit} of C)" in line for line in h_tilde)
        memory = full_sum(cell, record, unit, symbols(cell).index("C"))
        assert sum(line.strip().startswith("C[") and f",{unit}] = " in line for line in memory) >= 3


def test_the_mlstm_writes_its_projections_and_memory_in_the_diagrams_order() -> None:
    names = symbols(CELLS["mlstm"].init(1, 2, 0))
    assert names == ["q", "k", "v", "m", "i'", "f'", "C", "n", "den", "h~", "h"]
    assert symbols(CELLS["slstm"].init(1, 2, 0))[4] == "c_bar"


def _vector(values: Any) -> str:
    return "[" + ", ".join(number(v) for v in values) + "]"


def test_the_step_line_gives_x_and_every_state_before_the_step() -> None:
    cell, records = _records("slstm", (3, 2))
    record = records[2]
    line = given(cell, record, 1)
    assert line.startswith(f"step {record.t}: x = [")
    for name in ("h_prev", "c_prev", "n_prev", "m_prev"):  # room: each whole
        assert f"{name} = {_vector(getattr(record, name))}" in line
    for width in (70, 50, 20):
        assert len(given(cell, record, 1, width)) <= width
    mlstm, mrecords = _records("mlstm", (1, 2))
    assert "C_prev" not in given(mlstm, mrecords[1], 0)  # its row is in the C line
    one, ones = _records("lstm", (1, 1))
    assert "h_prev = " + number(ones[1].h_prev[0]) in given(one, ones[1], 0)  # H = 1: bare


@pytest.mark.parametrize("kind", list(CELLS))
@pytest.mark.parametrize("width", [0, 160, 116, 100, 76, 60])
def test_a_state_at_h_above_1_is_whole_or_labelled_with_its_unit(kind: str, width: int) -> None:
    # the tester's `h_prev = 0.0159` was unit 1's value, read as the whole vector that
    # W_hf·h_prev multiplies
    cell, records = _records(kind, (3, 4))
    record = records[1]
    line = given(cell, record, 1, width)
    for var in cell.states:
        name = f"{var.name}_prev"
        value = np.ravel(getattr(record, name))
        if var.kind == "matrix" or name not in line:
            continue
        if value.size == 1:  # the mLSTM's m: one number for every unit
            assert re.search(rf"{name} ?= ?-?\d", line), line
            continue
        whole = re.search(rf"{name} ?= ?\[", line)
        labelled = re.search(rf"{name}\[1\] ?= ?-?\d", line)
        assert whole or labelled, (name, line)
    if width in (0, 160) and "h_prev" in multiplied(cell):  # room: the vector W_h· reads
        assert "h_prev = [" in line


@pytest.mark.parametrize("kind", list(CELLS))
def test_the_full_sum_starts_with_the_whole_data(kind: str) -> None:
    cell, records = _records(kind, (2, 3))
    record = records[1]
    text = full_sum(cell, record, 1, 0)
    head = text[: text.index("") + 2 + len(cell.states) + 1]
    assert f"  x = {_vector(record.x)}" in head
    for var in cell.states:
        if var.kind != "matrix":
            assert (
                f"  {var.name}_prev = {_vector(getattr(record, var.name + '_prev'))}" in head
                or np.size(getattr(record, var.name + "_prev")) == 1
            )


def _raws_read(written: str) -> set[str]:
    """The raw pre-activations an equation's written form reads, directly or through the
    stabiliser m (the larger of i_raw and logf, made from f_raw)."""
    names = set(re.findall(r"(?<![\w.])[A-Za-z_]\w*'?", written))
    raws = {name for name in names if name.endswith("_raw")}
    return raws | ({"i_raw", "f_raw"} if names & {"m", "logf"} else set())


@pytest.mark.parametrize("kind", ["slstm", "mlstm"])
@pytest.mark.parametrize("sizes", [(1, 1), (3, 4)])
def test_every_raw_pre_activation_read_is_worked_out_from_the_weights(
    kind: str, sizes: tuple[int, int]
) -> None:
    """The tester found i', f', m, h with i_raw, f_raw, o_raw as ready-made numbers: the
    full sum of each equation that reads one says where it comes from, every product."""
    cell, records = _records(kind, sizes, 3)
    inputs, H = sizes
    seen = set()
    for record in records:
        for unit in range(H):
            for index, eq in enumerate(chosen(cell, record)):
                text = [line.strip() for line in full_sum(cell, record, unit, index)]
                for raw in _raws_read(eq.written):
                    seen.add(raw)
                    start = text.index(f"where {raw} comes from:")
                    section = text[start + 1 : text.index("", start)]
                    values = np.ravel(getattr(record, raw))  # the mLSTM's i_raw: one
                    value = number(values[unit if values.size > 1 else 0])
                    assert section[-1].startswith(f"{raw} = ") and section[-1].endswith(
                        f" = {value}"
                    ), section[-1]
                    products = [line for line in section if re.match(r"\w+\[[\d,]+\]\*", line)]
                    # x's products; the sLSTM's h_prev too (its gates read both)
                    assert len(products) == inputs + H * (kind == "slstm")
    assert seen == {"i_raw", "f_raw", "o_raw"}


def test_the_mlstm_says_where_the_query_is_scaled() -> None:
    cell, records = _records("mlstm", (3, 4))
    record = records[-1]
    names = symbols(cell)
    for unit in range(4):
        q = write(cell, record, unit)[names.index("q")]
        assert q.note == f"qs = q/sqrt(H) = {number(record.qs[unit])}"
        assert record.qs[unit] == pytest.approx(record.q[unit] / 2)
    for name in ("den", "h~"):
        text = [line.strip() for line in full_sum(cell, record, 0, names.index(name))]
        assert "qs = q/sqrt(H) = q/sqrt(4) = q/2.0000:" in text
        for j in range(4):
            assert (
                f"qs[{j}] = q[{j}]/2.0000 = {number(record.q[j])}/2.0000 = {number(record.qs[j])}"
                in text
            )


@pytest.mark.parametrize("kind", ["slstm", "mlstm"])
def test_the_glossary_writes_the_stabilised_gates_as_each_cell_does(kind: str) -> None:
    cell, records = _records(kind, (1, 2), 2)
    entry = next(e for e in GLOSSARY if "i'" in e.symbols)
    for w in write(cell, records[1], 0):
        if w.parts[0] in ("i'", "f'"):
            assert w.parts[1] in entry.meaning, (kind, w.parts[1])


#: Words, not symbols, in the written forms and the full sum's headings.
WORDS = {"first", "step", "row", "column", "of", "unit", "in", "full", "element", "by"}
WORDS |= {"where", "comes", "from", "data", "and", "each", "state", "before", "the", "whole"}
WORDS |= {"shared", "every"}


def _symbols_on_screen(cell: Cell, record: Record) -> set[str]:
    """Every symbol the equations, the step line, the full sum and the panels' column
    names write for a cell: identifiers and the primed, tilded and function-call forms."""
    found: set[str] = set()
    token = r"(?<![\w.])[A-Za-z_]\w*'?~?|σ"  # not the e of 1e-06
    texts = [given(cell, record, 0)]
    for k, w in enumerate(write(cell, record, 0)):
        texts += [w.text, *full_sum(cell, record, 0, k)]
    # the nudge bar's names: weight_ih[5,0], x_3[0] (x_t[j]: the input of step t)
    texts += [re.sub(r"^x_\d+", "x_t", target.name) for target in targets(cell, 0, record.t)]
    for text in texts:
        found |= set(re.findall(token, re.sub(r"\[[\d,:]+\]", "", text)))
    for gate in cell.gates:
        found |= {gate.shown, "z", *(label for label, _ in gate.notes)}
    found |= {var.name for var in cell.states} | {label for _, label in cell.shown_extras}
    return found - WORDS


@pytest.mark.parametrize("kind", list(CELLS))
@pytest.mark.parametrize("sizes", [(1, 1), (2, 3)])
def test_every_symbol_on_screen_is_in_the_glossary(kind: str, sizes: tuple[int, int]) -> None:
    cell, records = _records(kind, sizes, 2)
    for record in records:
        missing = _symbols_on_screen(cell, record) - glossary_symbols()
        assert not missing, f"{kind}: no glossary entry for {sorted(missing)}"


def test_the_glossary_has_each_symbol_once_and_says_something() -> None:
    listed = [s for entry in GLOSSARY for s in entry.symbols]
    assert len(listed) == len(set(listed))
    assert all(len(entry.meaning) > 10 for entry in GLOSSARY)


def test_the_full_sum_of_h_tilde_lists_qs_times_the_units_column_of_c() -> None:
    cell, records = _records("mlstm", (2, 3))
    record = records[-1]
    text = full_sum(cell, record, 2, symbols(cell).index("h~"))
    assert "qs@C (column 2 of C):" in text
    products = [line.strip() for line in text if line.strip().startswith("qs[") and "*C[" in line]
    assert [p.split(" = ")[0] for p in products] == ["qs[0]*C[0,2]", "qs[1]*C[1,2]", "qs[2]*C[2,2]"]
    terms = [float(p.split(" = ")[-1]) for p in products]
    total = next(line for line in text if line.strip().startswith("qs@C = "))
    assert float(total.split(" = ")[-1]) == pytest.approx(record.qC[2], abs=0.5e-6)
    assert abs(sum(terms) - record.qC[2]) <= 0.5e-6 * (len(terms) + 1)


def _shown_error(text: str) -> float:
    """Half a unit in the last place of a number as written (6 decimals, or 4 significant
    digits in scientific notation)."""
    mantissa, _, exponent = text.partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 0.5 * 10.0 ** (-decimals + (int(exponent) if exponent else 0))


@pytest.mark.parametrize("kind", ["peephole", "lstm", "slstm", "mlstm"])
def test_the_full_sums_products_add_up_to_each_dot_product_as_shown(kind: str) -> None:
    # tiny products rounded to 4 decimals (the tester's peephole H=8, I=3: 1.3e-04 against
    # a dot product of 4.00e-05) would not: the full sum writes them with more digits
    cell, records = _records(kind, (3, 8))
    record = records[-1]
    for index in range(len(symbols(cell))):
        text = [line.strip() for line in full_sum(cell, record, 0, index)]
        products: list[str] = []
        for line in text:
            if "]*" in line and " = " in line and line.count(" = ") == 2:
                products.append(line.split(" = ")[-1])
            elif products and re.match(r"\S+[·@]\S+ = ", line):
                shown = line.split(" = ")[-1]
                error = sum(_shown_error(p) for p in products) + _shown_error(shown)
                assert abs(sum(float(p) for p in products) - float(shown)) <= error, line
                products = []
