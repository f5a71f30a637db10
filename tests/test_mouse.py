"""The mouse on the stepping screens: a click on the plot goes to that step, a click on a
unit's row of a gate box selects the unit; clicks elsewhere do nothing. On the main
screen and in compare mode."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_engine import plot
from lstm_engine import plotext_bridge as bridge
from tui.app import StepperApp
from tui.screens.compare import CompareScreen
from tui.widgets import GatePanel, TrajectoryPlot

from tui_helpers import make_app

SIZE = (120, 40)
ARGS = ("--hidden-size", "4", "--inputs", ";".join(str(k % 5) for k in range(30)))


def test_x_at_is_the_inverse_of_column_of() -> None:
    figure = bridge.new_figure()
    curve = plot.Curve("h", np.sin(np.arange(30.0)), "o", (200, 0, 0))
    canvas = plot.draw(figure, (curve,), 30, width=70, height=15).canvas
    assert canvas is not None
    for col in canvas.columns:
        x = canvas.x_at(col)
        assert x is not None and canvas.column_of(x) == col
    assert canvas.x_at(canvas.columns.start - 1) is None
    assert canvas.x_at(canvas.columns.stop) is None


def plot_offset(widget: TrajectoryPlot, t: int) -> tuple[int, int]:
    """Where, from the widget's corner, the data area shows step t (a middle row)."""
    canvas = widget._canvas
    assert canvas is not None
    col = canvas.column_of(float(t))
    assert col is not None
    rows = canvas.canvas_rows
    row = (rows.start + rows.stop) // 2
    y = len(widget._head) + canvas.rows - 1 - row
    gutter = widget.content_region.offset - widget.region.offset
    return col + gutter.x, y + gutter.y


def gate_offset(panel: GatePanel, unit: int) -> tuple[int, int]:
    """Where, from the panel's corner, the first box draws the row of ``unit``."""
    lines = panel.text().splitlines()
    y = next(k for k, text in enumerate(lines) if text[1:].lstrip("▶ ").startswith(f"{unit} "))
    gutter = panel.content_region.offset - panel.region.offset
    return 3 + gutter.x, y + gutter.y


async def seek_by_click(app: StepperApp, selector: str) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        widget = app.screen.query_one(selector, TrajectoryPlot)
        for t in (12, 1, 30):
            assert await pilot.click(selector, offset=plot_offset(widget, t))
            await pilot.pause()
            assert app.stepper.frame.t == t
        gutter = widget.content_region.offset - widget.region.offset
        await pilot.click(selector, offset=(gutter.x + 1, gutter.y))  # the title, left margin
        await pilot.pause()
        assert app.stepper.frame.t == 30


async def test_a_click_on_the_plot_goes_to_that_step() -> None:
    await seek_by_click(make_app(*ARGS), "#plot")


async def test_a_click_on_the_compare_plot_goes_to_that_step() -> None:
    app = make_app(*ARGS)

    async def opened() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("v")
            await pilot.pause()
            assert isinstance(app.screen, CompareScreen)
            await pilot.press("end")
            widget = app.screen.query_one("#compare-plot", TrajectoryPlot)
            assert await pilot.click("#compare-plot", offset=plot_offset(widget, 7))
            await pilot.pause()
            assert app.stepper.frame.t == 7

    await opened()


async def test_a_click_outside_the_data_area_does_nothing() -> None:
    app = make_app(*ARGS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space")
        widget = app.screen.query_one("#plot", TrajectoryPlot)
        canvas = widget._canvas
        assert canvas is not None
        left = canvas.columns.start - 1  # the y axis's ticks
        gutter = widget.content_region.offset - widget.region.offset
        _, y = plot_offset(widget, 1)  # a row of the data area
        await pilot.click("#plot", offset=(left + gutter.x, y))
        await pilot.pause()
        assert app.stepper.frame.t == 2
        assert widget.step_at(left, y - gutter.y) is None


@pytest.mark.parametrize(("kind", "unit"), [("lstm", 2), ("lstm", 0), ("lstm", 3), ("mlstm", 2),
                                           ("rnn", 1), ("slstm", 3)])  # fmt: skip
async def test_a_click_on_a_gate_row_selects_the_unit(kind: str, unit: int) -> None:
    app = make_app("--cell", kind, *ARGS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        panel = app.screen.query_one(GatePanel)
        assert await pilot.click(GatePanel, offset=gate_offset(panel, unit))
        await pilot.pause()
        assert app.stepper.frame.unit == unit
        await pilot.click(GatePanel, offset=(3, 0))  # a box's title: nothing
        await pilot.pause()
        assert app.stepper.frame.unit == unit


async def test_a_click_on_a_gate_shared_by_every_unit_does_nothing() -> None:
    app = make_app("--cell", "mlstm", *ARGS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "down")
        panel = app.screen.query_one(GatePanel)
        lines = panel.text().splitlines()
        y = next(k for k, text in enumerate(lines) if text[1:].lstrip().startswith("all "))
        gutter = panel.content_region.offset - panel.region.offset
        await pilot.click(GatePanel, offset=(3 + gutter.x, y + gutter.y))
        await pilot.pause()
        assert app.stepper.frame.unit == 1


async def test_a_click_on_a_gate_row_in_compare_mode() -> None:
    app = make_app(*ARGS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        await pilot.pause()
        panels = list(app.screen.query(GatePanel))
        assert isinstance(app.screen, CompareScreen) and len(panels) == 2
        right = panels[1]
        assert await pilot.click(right, offset=gate_offset(right, 3))
        await pilot.pause()
        assert app.stepper.frame.unit == 3


async def test_a_click_while_nudging_keeps_the_bar_s_keys() -> None:
    app = make_app(*ARGS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "n")
        panel = app.screen.query_one(GatePanel)
        await pilot.click(GatePanel, offset=gate_offset(panel, 2))
        await pilot.pause()
        assert app.stepper.frame.unit == 2
        names = {t.name for t in app.screen.query_one("#nudge").targets()}  # type: ignore[attr-defined]
        assert "weight_ih[2,0]" in names  # the values are the clicked unit's now
        before = app.stepper.frame.cell
        await pilot.press("up")  # still the bar's: a nudge, not a unit
        assert app.stepper.frame.unit == 2 and app.stepper.frame.cell is not before


async def test_a_click_on_the_gradient_plot_goes_to_that_step() -> None:
    app = make_app(*ARGS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await app.workers.wait_for_complete()
        await pilot.pause()
        widget = app.screen.query_one("#gradients-plot", TrajectoryPlot)
        assert await pilot.click("#gradients-plot", offset=plot_offset(widget, 20))
        await pilot.pause()
        assert app.stepper.frame.t == 20
