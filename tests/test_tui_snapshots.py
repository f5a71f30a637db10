"""What the dashboard looks like (pytest-textual-snapshot), at 120x40 and at 80x24: every
cell at H = 1 and H = 4, compare mode, the all-units view, the help, a dialog's error,
and the screen without colour.

Update the saved SVGs after a deliberate change of the look with
``pytest tests/test_tui_snapshots.py --snapshot-update`` and look at them.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from lstm_engine.files import save_model
from lstm_engine.training import TrainConfig, train

from tui_helpers import make_app

SIZES = [(120, 40), (80, 24)]
INPUTS = "1;-2;0.5;3"


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("hidden", [1, 4])
@pytest.mark.parametrize("cell", ["lstm", "peephole", "slstm", "mlstm", "rnn"])
def test_each_cell_after_three_steps(
    snap_compare, cell: str, hidden: int, size: tuple[int, int]
) -> None:
    app = make_app("--cell", cell, "--hidden-size", str(hidden), "--inputs", INPUTS)
    presses = ["space", "space", "space"] + (["down"] if hidden > 1 else [])
    assert snap_compare(app, press=presses, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_start(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_compare_mode(snap_compare, size: tuple[int, int]) -> None:
    app = make_app("--inputs", "5,1.9,2,1", "--hidden-size", "4")
    assert snap_compare(app, press=["space", "v", "space", "c"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_all_units_view(snap_compare, size: tuple[int, int]) -> None:
    app = make_app("--hidden-size", "4", "--inputs", "1;-2;0.5;3;1;0;-1;2")
    assert snap_compare(app, press=["end", "a"], terminal_size=size)


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


def test_without_colour(snap_compare, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app("--hidden-size", "4", "--inputs", INPUTS)
    assert snap_compare(app, press=["space", "space", "space"], terminal_size=(80, 24))


@pytest.fixture(scope="module")
def adding_model(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A model trained for a few updates on the adding problem (deterministic)."""
    path = tmp_path_factory.mktemp("model") / "adding.npz"
    config = TrainConfig(task="adding", hidden_size=3, length=12, seed=1, updates=5)
    save_model(train(config).model, path)
    return str(path)


@pytest.mark.parametrize("size", SIZES)
def test_training_screen(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(make_app("--hidden-size", "4"), press=["t"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_trained_cell_on_a_task_example(snap_compare, adding_model: str, size) -> None:
    app = make_app("--weights", adding_model, "--task", "adding", "--length", "12")
    assert snap_compare(app, press=["end"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_gradient_flow(snap_compare, adding_model: str, size: tuple[int, int]) -> None:
    app = make_app("--weights", adding_model, "--task", "adding", "--length", "12")
    assert snap_compare(app, press=["space", "space", "g", "right"], terminal_size=size)
