"""What the dashboard looks like (pytest-textual-snapshot), at 120x40 and at 80x24.

Update the saved SVGs after a deliberate change of the look with
``pytest tests/test_tui_snapshots.py --snapshot-update`` and review them.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tui_helpers import make_app

SIZES = [(120, 40), (80, 24)]


@pytest.mark.parametrize("size", SIZES)
def test_start(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_after_three_steps(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), press=["space", "space", "space"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), press=["question_mark"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_input_editor_showing_an_error(snap_compare, size: tuple[int, int]) -> None:
    async def bad_input(pilot: Pilot) -> None:
        await pilot.press("space", "e")
        field = pilot.app.screen.query_one(Input)
        field.cursor_blink = False
        field.value = "5, abc, 2"
        await pilot.press("enter")

    assert snap_compare(make_app(), run_before=bad_input, terminal_size=size)


def test_three_units_after_two_steps(snap_compare) -> None:
    app = make_app("--hidden-size", "3", "--inputs", "1;-2;0.5")
    assert snap_compare(app, press=["space", "space", "down"], terminal_size=(120, 40))


@pytest.mark.parametrize("cell", ["lstm", "peephole", "slstm", "mlstm"])
def test_each_cell_after_three_steps(snap_compare, cell: str) -> None:
    app = make_app("--cell", cell, "--hidden-size", "3", "--inputs", "1;-2;0.5;3")
    assert snap_compare(app, press=["space", "space", "space"], terminal_size=(120, 40))


@pytest.mark.parametrize("size", SIZES)
def test_compare_mode(snap_compare, size: tuple[int, int]) -> None:
    app = make_app("--inputs", "5,1.9,2,1")
    assert snap_compare(app, press=["space", "v", "space", "c"], terminal_size=size)
