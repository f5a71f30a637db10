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
from tui.screens.sum import NO_STEP, FullSum
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
