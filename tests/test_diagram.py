"""The live cell diagram: the drawing of every cell kind (``lstm_engine.diagram``) and its
screen (key d), driven by keys."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lstm_engine import CELLS, Cell, Record
from lstm_engine.diagram import BLANK, HEAVY, LAYOUTS, MARK, Diagram, diagram, lights
from lstm_engine.equations import symbols
from lstm_engine.numbers import fit, number, short
from tui.app import StepperApp
from tui.screens.diagram import DiagramScreen
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.screens.stepping import AT_END
from tui.widgets.diagram import AT_START, DiagramPanel

from tui_helpers import make_app, session

KINDS = list(CELLS)
HEAVY_GLYPHS = set("━┃┏┓┗┛┣┫┳┻╋┅┇")
#: Rows the compact drawing may take at 80x24: the screen less its header, its footer,
#: a status line under the header and the equation being read.
ROWS_AT_80x24 = 24 - 4


def steps(kind: str, hidden: int = 2, inputs: int = 1, count: int = 3) -> tuple[Cell, Record]:
    values = ";".join(",".join(str(v + k) for k in range(inputs)) for v in (1, -2, 0.5, 3))
    s = session("--cell", kind, "--hidden-size", str(hidden), "--input-size", str(inputs),
                "--inputs", values)  # fmt: skip
    record = None
    for _ in range(count):
        record = s.step()
    assert record is not None
    return s.cell, record


def element(record: Record, name: str, unit: int) -> float:
    """The unit's element of a field, read here on its own; of a product of fields
    ("f*c_prev"), the product of their elements."""
    out = 1.0
    for factor in name.split("*"):
        value = np.asarray(getattr(record, factor))
        out *= float(value.reshape(-1)[unit if value.size > 1 else 0])
    return out


def vector_shown(text: str) -> list[float]:
    """The numbers of a vector as the diagram writes it: [0.8000, -0.5000], or its first
    ones, [0.0212, -0.055, … of 8]."""
    assert text.startswith("[") and text.endswith("]"), text
    return [float(v) for v in text[1:-1].split(", ") if not v.startswith("…")]


def test_every_kind_has_a_diagram() -> None:
    assert set(LAYOUTS) == set(CELLS)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("unit", [0, 1])
def test_every_value_shown_is_the_records_field_formatted(kind: str, unit: int) -> None:
    cell, record = steps(kind)
    drawn = diagram(cell, record, unit, "")
    assert drawn.values
    for name, text in drawn.values:
        if name == "x":
            assert text == ", ".join(short(v) for v in record.x)
        elif np.ndim(getattr(record, name, 0)) == 2:  # the column the unit reads in h~
            shown = vector_shown(text)
            assert np.allclose(shown, getattr(record, name)[: len(shown), unit], atol=5e-5)
        elif name == "qs":  # the whole query, which h~ = qs @ C[:,u] / den reads
            assert vector_shown(text) == [float(number(v)) for v in record.qs]
        else:  # a box's value in 7 columns, a label's as the equations write it
            value = element(record, name, unit)
            assert text in (fit(value, 7), number(value)), name
        assert text in drawn.text
    shown = {name for name, _ in drawn.values}
    # every gate's value and every state the cell declares (the memory's before and after)
    assert {g.symbol for g in cell.gates} <= shown
    assert {s.name for s in cell.states} <= shown
    assert {f"{s.name}_prev" for s in cell.states if s.name != "h" or kind != "mlstm"} <= shown


@pytest.mark.parametrize("kind", KINDS)
def test_the_numbers_change_with_the_step(kind: str) -> None:
    cell, second = steps(kind, count=2)
    _, third = steps(kind, count=3)
    assert diagram(cell, second, 0, "").values != diagram(cell, third, 0, "").values


@pytest.mark.parametrize("kind", KINDS)
def test_at_t0_the_states_are_zero_and_nothing_else_is_shown(kind: str) -> None:
    cell, _ = steps(kind)
    drawn = diagram(cell, None, 0, "")
    states = {s.name for s in cell.states} | {f"{s.name}_prev" for s in cell.states}
    matrices = {s.name for s in cell.states if s.kind == "matrix"}
    for name, text in drawn.values:
        if name.removesuffix("_prev") in matrices:  # the unit's column, all zero
            assert vector_shown(text) == [0.0] * cell.hidden_size, name
        else:
            assert text == (fit(0.0, 7) if name in states else BLANK), name


@pytest.mark.parametrize("kind", KINDS)
def test_each_equation_lights_its_own_part(kind: str) -> None:
    cell, record = steps(kind)
    plain = diagram(cell, record, 0, "", colour=False)
    assert not HEAVY_GLYPHS & set(plain.text)
    seen = {}
    for symbol in symbols(cell):
        drawn = diagram(cell, record, 0, symbol, colour=False)
        assert drawn.lit, symbol  # every equation has a part of the drawing
        # without colour: heavy lines and the marker before the part's name
        assert HEAVY_GLYPHS & set(drawn.text), symbol
        assert drawn.text.count(MARK) > plain.text.count(MARK), symbol  # ▶ is an arrow too
        assert all(span.style in {"bold", "bold reverse"} for span in drawn.spans)
        seen[symbol] = drawn.text
    assert len(set(seen.values())) == len(seen)  # no two equations light the same thing
    # the drawing is the same one, only the lit glyphs differ
    for text in seen.values():
        light = {heavy: light for light, heavy in HEAVY.items()}
        assert text.translate(light).replace(MARK, " ") == plain.text.replace(MARK, " ")


@pytest.mark.parametrize("kind", KINDS)
def test_an_unknown_symbol_lights_nothing(kind: str) -> None:
    cell, record = steps(kind)
    assert diagram(cell, record, 0, "no such symbol") == diagram(cell, record, 0, "")
    assert diagram(cell, record, 0, "no such symbol").lit == ()


def test_the_slstm_candidate_lights_by_either_name() -> None:
    table = lights(steps("slstm")[0])
    assert table["z"] == table["c_bar"] and "g" in table["c_bar"]


def test_the_mlstm_planned_symbols_each_have_a_part() -> None:
    table = lights(steps("mlstm")[0])
    for symbol in ("q", "k", "v", "m", "i'", "f'", "C", "n", "den", "h~", "h"):
        assert table.get(symbol), symbol


def test_with_colour_the_lit_part_and_the_values_are_coloured() -> None:
    cell, record = steps("lstm")
    drawn = diagram(cell, record, 0, "f", colour=True)
    assert {"bold yellow", "cyan", "bold black on yellow"} <= {s.style for s in drawn.spans}


def _fits(drawn: Diagram, rows: int) -> None:
    assert drawn.width <= 80
    assert len(drawn.rows) <= rows
    for row in range(len(drawn.rows)):
        assert "".join(text for text, _ in drawn.runs(row)) == drawn.rows[row]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("hidden", [1, 8])
@pytest.mark.parametrize("inputs", [1, 3])
def test_compact_fits_80x24_and_full_fits_120x40(kind: str, hidden: int, inputs: int) -> None:
    cell, record = steps(kind, hidden, inputs)
    for rec in (None, record):
        for symbol in ("", *symbols(cell)):
            _fits(diagram(cell, rec, hidden - 1, symbol, compact=True), ROWS_AT_80x24)
            _fits(diagram(cell, rec, hidden - 1, symbol, compact=False), 40 - 6)
    compact = diagram(cell, record, 0, "", compact=True)
    full = diagram(cell, record, 0, "", compact=False)
    assert len(compact.rows) < len(full.rows)  # the pre-activations give way
    assert set(compact.values) < set(full.values)


def test_the_title_names_the_unit_only_with_more_than_one() -> None:
    cell, record = steps("lstm", hidden=1)
    assert "unit" not in diagram(cell, record, 0, "").title
    cell, record = steps("lstm", hidden=8)
    assert "unit 5 of 8" in diagram(cell, record, 5, "").title


# -- the screen ---------------------------------------------------------------------------


def panel(app: StepperApp) -> DiagramPanel:
    assert isinstance(app.screen, DiagramScreen)
    return app.screen.query_one(DiagramPanel)


def value_of(app: StepperApp, name: str) -> str:
    """The text the diagram shows for a field, checked against the controller's frame."""
    frame = app.stepper.frame
    assert frame.record is not None
    text = fit(element(frame.record, name, frame.unit), 7)
    assert text in panel(app).text()
    return text


async def test_d_opens_the_diagram_and_the_numbers_follow_the_frame() -> None:
    app = make_app("--hidden-size", "2", "--inputs", "1;-2;0.5;3")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("d")
        assert AT_START in panel(app).text()
        await pilot.press("space")
        first = value_of(app, "c")
        await pilot.press("space")
        second = value_of(app, "c")
        assert first != second
        await pilot.press("left")
        assert value_of(app, "c") == first
        await pilot.press("down")
        assert "unit 1 of 2" in panel(app).text()
        value_of(app, "h")
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_brackets_move_the_lit_part_and_the_equation_under_it() -> None:
    app = make_app("--inputs", "1;-2")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space", "d")
        assert "▶ f = " in panel(app).text()
        lit = panel(app).drawing(app.stepper.frame).lit
        await pilot.press("right_square_bracket")
        assert "▶ i = " in panel(app).text()
        assert panel(app).drawing(app.stepper.frame).lit != lit
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert "▶ h = " in panel(app).text()  # round to the last


async def test_c_switches_the_cell_and_every_kind_draws() -> None:
    app = make_app("--hidden-size", "8", "--inputs", "1;-2;0.5;3")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d", "space", "space", "right_square_bracket", "up")
        for _ in KINDS:
            kind = app.stepper.frame.cell.kind
            text = panel(app).text()
            assert app.stepper.frame.cell.title in text
            for name in ("h",):
                value_of(app, name)
            # the equation being read still shows at 80x24
            assert "▶ " in text.splitlines()[-1], kind
            await pilot.press("c")
            await pilot.pause()


async def test_keys_at_the_ends_and_with_one_unit_do_not_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # s saves a screenshot in the current folder
    app = make_app("--inputs", "1;2")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d", "left", "down", "up", "end", "space", "space", "p", "plus")
        await pilot.press("minus", "r", "left_square_bracket", "s")
        assert isinstance(app.screen, DiagramScreen)
        assert len(list(tmp_path.glob("*.svg"))) == 1
        await pilot.press("end", "space")
        assert app.screen.frame.status == AT_END  # no live input here: it says where
        await pilot.press("d")
        assert isinstance(app.screen, MainScreen)


async def test_help_shows_how_to_read_the_diagram() -> None:
    app = make_app("--cell", "mlstm", "--hidden-size", "8")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d", "space", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert [name for name, _ in app.screen.panels] == [n for n, _ in DiagramScreen.HELP_PANELS]
        await pilot.press("escape")
        assert isinstance(app.screen, DiagramScreen)


# -- what a student follows -------------------------------------------------------------


def preset_steps(name: str, count: int) -> tuple[Cell, Record]:
    s = session("--preset", name)
    record = None
    for _ in range(count):
        record = s.step()
    assert record is not None
    return s.cell, record


def shown(drawn: Diagram, name: str) -> str:
    return next(text for field, text in drawn.values if field == name)


@pytest.mark.parametrize("t", [3, 4])
@pytest.mark.parametrize("unit", [0, 1])
def test_the_mlstm_shows_the_column_of_c_its_unit_reads_and_the_query(t: int, unit: int) -> None:
    # h~[u] = (qs @ C)[u] / den = qs · C[:,u] / den: the column and qs shown give qC
    cell, record = preset_steps("mlstm", t)
    drawn = diagram(cell, record, unit, "h~")
    column, qs = vector_shown(shown(drawn, "C")), vector_shown(shown(drawn, "qs"))
    assert np.allclose(column, record.C[:, unit], atol=5e-5)
    assert float(shown(drawn, "qC")) == pytest.approx(np.dot(qs, column), abs=1e-3)
    assert float(shown(drawn, "qC")) == pytest.approx(record.qC[unit], abs=5e-5)
    assert f"C[:,{unit}]" in drawn.text and "qs@C / den" in drawn.text
    assert "C q" not in drawn.text


def test_the_mlstm_at_larger_sizes_says_how_much_of_a_vector_shows() -> None:
    cell, record = steps("mlstm", hidden=8, inputs=3)
    drawn = diagram(cell, record, 7, "")
    for name in ("C", "C_prev", "qs"):
        text = shown(drawn, name)
        assert text.endswith("… of 8]"), text
        assert np.allclose(
            vector_shown(text),
            (record.qs if name == "qs" else getattr(record, name)[:, 7])[: len(vector_shown(text))],
            atol=5e-3,
        )


@pytest.mark.parametrize("kind", KINDS)
def test_an_input_too_wide_says_how_much_of_it_shows(kind: str) -> None:
    cell, record = steps(kind, hidden=2, inputs=20)
    drawn = diagram(cell, record, 0, "")
    text = shown(drawn, "x")
    head, _, count = text.partition(", … (x[0..")
    assert count, text  # the marker and which inputs show
    values = head.split(", ")
    assert count == f"{len(values) - 1}] of 20)"
    assert values == [short(v) for v in record.x[: len(values)]]
    line = next(row for row in drawn.rows if text in row)
    assert not line.rstrip().endswith(",") and len(line) <= 80


@pytest.mark.parametrize("kind", ["lstm", "peephole", "slstm"])
def test_the_two_terms_of_c_are_on_their_wires_and_add_up(kind: str) -> None:
    cell, record = steps(kind)
    drawn = diagram(cell, record, 0, "c")
    terms = [name for name, _ in drawn.values if "*" in name]
    assert len(terms) == 2
    total = sum(float(shown(drawn, name)) for name in terms)
    assert total == pytest.approx(element(record, "c", 0), abs=1e-4)


def lit_text(drawn: Diagram) -> set[tuple[int, int]]:
    """Where the drawing is drawn heavy: (row, column)."""
    return {
        (r, k) for r, row in enumerate(drawn.rows) for k, ch in enumerate(row) if ch in HEAVY_GLYPHS
    }


@pytest.mark.parametrize("kind", ["lstm", "peephole", "slstm"])
def test_c_lights_the_wires_of_its_terms_and_h_the_output_gates(kind: str) -> None:
    cell, record = steps(kind)
    plain = diagram(cell, record, 0, "")
    c, h = diagram(cell, record, 0, "c"), diagram(cell, record, 0, "h")
    arrow = plain.rows[3].index("▶(×)◀")
    assert c.rows[3][arrow - 1] == "━" and c.rows[3][arrow + 5] == "━"  # i and c_bar
    forget = plain.rows[1].index("(×)") + 1
    assert c.rows[4][forget] == "┃"  # f up into the first ×
    wire = next(r for r, row in enumerate(plain.rows) if "─▶(×)" in row and r > 3)
    assert "━▶(×)" in h.rows[wire]  # o into the × that makes h
    assert "━▶(×)" not in c.rows[wire]


@pytest.mark.parametrize("kind", ["lstm", "peephole"])
def test_a_gate_lights_only_its_own_way_in_from_the_inputs(kind: str) -> None:
    cell, record = steps(kind)
    bus = next(r for r, row in enumerate(diagram(cell, record, 0, "").rows) if "[h_prev, x]" in row)
    ends = {
        symbol: max(k for r, k in lit_text(diagram(cell, record, 0, symbol)) if r == bus)
        for symbol in ("f", "i", "c_bar", "o")
    }
    assert ends["f"] < ends["i"] < ends["c_bar"] < ends["o"]


@pytest.mark.parametrize("kind", ["slstm", "mlstm"])
def test_the_stabilisers_max_reads_i_raw_too(kind: str) -> None:
    cell, record = steps(kind)
    drawn = diagram(cell, record, 0, "m", colour=False)
    assert float(shown(drawn, "i_raw")) == pytest.approx(element(record, "i_raw", 0), abs=1e-4)
    row = next(r for r, text in enumerate(drawn.rows) if "i_raw" in text)
    assert "┛" in drawn.rows[row]  # its wire up into the max, lit with m


def test_the_states_are_written_as_the_equations_write_them() -> None:
    cell, record = preset_steps("mlstm", 4)
    drawn = diagram(cell, record, 0, "")
    for name in ("m_prev", "logf", "m"):
        assert shown(drawn, name) == number(element(record, name, 0)), name


async def test_a_resize_lays_the_diagram_out_again_at_once() -> None:
    app = make_app("--preset", "remember")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("d", "space")
        for width, height in ((80, 24), (120, 40)):
            await pilot.resize_terminal(width, height)
            await pilot.pause()
            screen = [strip.text.rstrip() for strip in app.screen._compositor.render_strips()]
            drawn = panel(app).text().splitlines()
            assert drawn and all(line.rstrip() in screen for line in drawn), (width, screen)


async def test_the_equations_under_the_drawing_keep_their_products_at_120x40() -> None:
    # remember's i line is 10.0000*1.0000 + bias: weight × data, the stage redone by hand
    app = make_app("--preset", "remember")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("d", "space", "right_square_bracket")
        line = next(row for row in panel(app).text().splitlines() if row.startswith("▶ i = "))
        assert "10.0000*1.0000" in line and len(line) <= 120
