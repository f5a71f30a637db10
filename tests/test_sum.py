"""The full-sum screen (f), the marked equation in the equations panel ([ and ]), and the
glossary in the help: pilot tests on the dashboard."""

from __future__ import annotations

import pytest
from rich.table import Table
from textual.widgets import Static

from lstm_engine import CELLS
from lstm_engine.equations import symbols
from lstm_engine.glossary import GLOSSARY
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.screens.sum import NO_STEP, FullSum, sum_lines, wrap
from tui.widgets import EquationsPanel

from tui_helpers import make_app

SIZE = (120, 40)


def sum_text(screen: FullSum) -> str:
    return str(screen.query_one("#sum-text", Static).content)


def marked(app: object) -> list[str]:
    panel = app.screen.query_one(EquationsPanel)  # type: ignore[attr-defined]
    return [line for line in panel.text().splitlines() if line.startswith("▶ ")]


async def test_f_shows_the_full_sum_and_the_brackets_move_through_the_equations() -> None:
    app = make_app("--hidden-size", "3", "--inputs", "1;2")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "down", "f")
        screen = app.screen
        assert isinstance(screen, FullSum)
        text = sum_text(screen).splitlines()
        assert text[0] == "f = sigmoid(W_hf·h_prev + W_if·x + b_f)"
        assert text[1] == "unit 1, step 1"
        assert sum(line.startswith("  W_hf[1,") for line in text) == 3  # H products
        assert sum(line.startswith("  W_if[1,") for line in text) == 1  # I products
        assert "f (1 of 6)" in str(screen.query_one("#sum-body").border_title)
        await pilot.press("right_square_bracket")
        assert app.stepper.frame.equation == 1
        assert sum_text(screen).startswith("i = sigmoid(")
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert app.stepper.frame.equation == len(symbols(app.stepper.frame.cell)) - 1
        assert sum_text(screen).startswith("h = o*tanh(c)")
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        assert marked(app)[0].startswith("▶ h = ")  # the panel marks the same equation


async def test_f_closes_the_full_sum_too_and_before_a_step_it_says_there_is_none() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        assert isinstance(app.screen, FullSum)
        assert sum_text(app.screen) == NO_STEP
        await pilot.press("f")
        assert isinstance(app.screen, MainScreen)


async def test_the_panel_marks_the_equation_being_read_and_shows_the_steps_data() -> None:
    app = make_app("--cell", "peephole", "--inputs", "5;1.9")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        panel = app.screen.query_one(EquationsPanel)
        lines = panel.text().splitlines()
        assert lines[0] == "step 1: x = 5.0000   h_prev = 0.0000   c_prev = 0.0000"
        assert len(marked(app)) == 1 and marked(app)[0].startswith("▶ f = ")
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert len(marked(app)) == 1 and marked(app)[0].startswith("▶ c_bar = ")
        strips = panel._make_strips()
        row = next(s for s in strips if s.text.startswith("▶ c_bar"))
        assert any(seg.style and seg.style.reverse and seg.style.bold for seg in row)


@pytest.mark.parametrize("kind", list(CELLS))
async def test_every_equation_of_every_cell_can_be_read_and_summed_at_80x24(kind: str) -> None:
    """H = 8, I = 3 at 80x24: the panel shows a window of its lines, always with the
    marked one and the step's data; the full sum opens on each equation."""
    app = make_app("--cell", kind, "--hidden-size", "8", "--input-size", "3", "--inputs", "1,2,3")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space")
        names = symbols(app.stepper.frame.cell)
        panel = app.screen.query_one(EquationsPanel)
        for k, name in enumerate(names):
            lines = panel.text().splitlines()
            assert lines[0].startswith(("step 1:", "t=1 "))
            assert all(len(line) <= panel.size.width for line in lines)
            assert marked(app)[0].startswith(f"▶ {name}")
            await pilot.press("f")
            assert isinstance(app.screen, FullSum)
            assert sum_text(app.screen).startswith(name)
            await pilot.press("escape", "right_square_bracket")
            assert app.stepper.frame.equation == (k + 1) % len(names)


@pytest.mark.parametrize("kind", list(CELLS))
@pytest.mark.parametrize(("hidden", "inputs"), [(1, 1), (4, 3), (8, 1), (8, 3)])
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_panels_keep_their_rows_with_the_step_line(
    kind: str, hidden: int, inputs: int, size: tuple[int, int]
) -> None:
    """The equations panel (its step line and the marked equation included) fits beside
    the gates, the states and the plot: no panel overlaps another or the footer."""
    app = make_app(
        "--cell", kind, "--hidden-size", str(hidden), "--input-size", str(inputs),
        "--inputs", ",".join(["0.5"] * inputs),
    )  # fmt: skip
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "left_square_bracket")
        await pilot.pause()
        panel = app.screen.query_one(EquationsPanel)
        lines = panel.text().splitlines()
        assert panel.region.height >= len(lines) and len(lines) >= 2
        assert marked(app)[0].startswith(f"▶ {symbols(app.stepper.frame.cell)[-1]} = ")
        shown = [w for w in app.screen.query("GatePanel, StatePanel, TrajectoryPlot") if w.display]
        for widget in [panel, *shown]:
            assert widget.region.bottom <= size[1] - 1, widget  # the footer's row is free
            assert not widget.region.overlaps(panel.region) or widget is panel, widget


async def test_the_dashboards_help_lists_every_glossary_symbol() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        tables = [s.content for s in app.screen.query(Static) if isinstance(s.content, Table)]
        written = {str(cell) for table in tables for cell in table.columns[0]._cells}
        assert {entry.written for entry in GLOSSARY} <= written


def test_a_long_line_wraps_at_its_equals_signs_onto_indented_lines() -> None:
    # the tester's 80x24 full sum: "= -0.1032 -" / "0.3554 = -0.4586", at column 0
    line = "  C[0,2] = 1.0000*(-0.1032) + 0.6623*0.6175*(-0.8690) = -0.1032 - 0.3554 = -0.4586"
    assert wrap(line, 66) == [
        "  C[0,2] = 1.0000*(-0.1032) + 0.6623*0.6175*(-0.8690)",
        "      = -0.1032 - 0.3554 = -0.4586",
    ]
    vector = "  h_prev = [" + ", ".join(["-0.4953"] * 12) + "]"
    lines = wrap(vector, 40)
    assert all(len(part) <= 40 for part in lines) and lines[0].startswith("  h_prev = [")
    assert all(part.startswith("        -0.4953") for part in lines[1:])  # between numbers
    assert " ".join(part.strip() for part in lines) == vector.strip()
    assert wrap(line, 0) == [line] and wrap(line, len(line)) == [line]


@pytest.mark.parametrize("kind", ["lstm", "slstm", "mlstm"])
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_full_sum_breaks_no_expression(kind: str, size: tuple[int, int]) -> None:
    """Every line fits the screen's text (Textual would wrap it anywhere, at column 0), and
    the wrapped lines say what the sum says, each continuation indented."""
    app = make_app(
        "--cell", kind, "--input-size", "3", "--hidden-size", "8",
        "--inputs", "1,2,3;-0.5,0.7,2;0.3,-1.2,0.8",
    )  # fmt: skip
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "space", "f")
        screen = app.screen
        assert isinstance(screen, FullSum)
        for _ in symbols(app.stepper.frame.cell):
            await pilot.pause()
            width = screen.query_one("#sum-text", Static).size.width
            shown = sum_text(screen).splitlines()
            assert max(len(line) for line in shown) <= width
            lines = sum_lines(app.stepper.frame)
            assert " ".join(" ".join(shown).split()) == " ".join(" ".join(lines).split())
            assert len(shown) > len(lines) or size[0] > 80  # H = 8: some did not fit in 80
            wrapped = [line for line in shown if line not in lines]
            assert all(line.startswith("    ") for line in wrapped if line.strip()[:1] == "=")
            await pilot.press("right_square_bracket")
