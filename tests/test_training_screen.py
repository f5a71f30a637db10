"""The dashboard's learning views, as a user drives them: the training screen (t) trains
for real in a child process, is stopped with escape or runs out its budget, and the
trained cell opens on an example of its task with the readout's prediction and the
target; ``--weights FILE --task NAME`` does the same from the shell; the gradient-flow
view (g) follows the step cursor."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Select

from lstm_engine import plot
from lstm_engine import plotext_bridge as bridge
from lstm_engine import stepper as stepper_module
from lstm_engine.cells import CELLS
from lstm_engine.cli import UsageError
from lstm_engine.files import load_model, save_model
from lstm_engine.gradflow import flow
from lstm_engine.session import Session
from lstm_engine.stepper import Stepper
from lstm_engine.training import Progress, TrainConfig, train
from tui.app import StepperApp
from tui.screens.gradients import GradientScreen
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.screens.stepping import AT_END
from tui.screens.training import Trained, TrainingScreen, keep, loss_curves
from tui.widgets import HeaderBar, StatusLine
from tui.widgets.flow import UNTRAINED
from tui.widgets.weight_table import WeightTable

from tui_helpers import make_app

#: The longest a test waits for the child process (spawn, import, a few updates).
PATIENCE = 60.0


async def until(pilot: Pilot, ready: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not ready():
        assert time.monotonic() < deadline, f"waited {PATIENCE} s for {what}"
        await pilot.pause(0.05)


def settings(app: StepperApp, **values: str) -> TrainingScreen:
    screen = app.screen
    assert isinstance(screen, TrainingScreen)
    for name, value in values.items():
        screen.query_one(f"#{name}", Input).value = value
    return screen


def readout_line(app: StepperApp) -> str:
    return app.screen.query_one("#readout").text()


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Trained models are kept in the current folder: here, a folder of the test's own."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def adding_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model trained briefly on the adding problem (its readout is what matters here)."""
    path = tmp_path_factory.mktemp("model") / "adding.npz"
    config = TrainConfig(task="adding", hidden_size=3, length=12, seed=1, updates=5)
    save_model(train(config).model, path)
    return path


async def test_escape_stops_training_and_the_trained_cell_opens(in_tmp_path: Path) -> None:
    (in_tmp_path / "trained-adding-lstm-h4.npz").write_bytes(b"an earlier run")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        screen = settings(app, hidden="4", length="16", seconds="120")
        screen.query_one("#companion", Checkbox).value = False  # one child: a quick test
        await pilot.press("ctrl+r")
        assert screen._runs, screen.query_one("#training-status").render()
        # a few reports, the curve drawn meanwhile: the screen answers while it trains
        await until(pilot, lambda: len(next(iter(screen._runs.values())).reports) >= 3, "reports")
        status = str(screen.query_one("#training-status").render())
        assert "updates" in status and "/s" in status and "best" in status
        assert screen.frame is not None and screen.frame.plot.curves[-1].label.startswith(
            "baseline"
        )
        await pilot.press("escape")  # stops: the best weights so far are saved and open
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "the main screen")
        await pilot.pause()
        frame = app.stepper.frame
        assert frame.reading is not None and frame.reading.task == "adding"
        assert (frame.cell.kind, frame.cell.hidden_size, frame.length) == ("lstm", 4, 16)
        # kept beside the earlier run's file, which is left as it was
        kept = in_tmp_path / "trained-adding-lstm-h4-2.npz"
        assert load_model(kept).readout is not None
        assert (in_tmp_path / "trained-adding-lstm-h4.npz").read_bytes() == b"an earlier run"
        assert frame.lanes[0].origin.startswith("trained-adding-lstm-h4-2.npz, best loss ")
        assert frame.status == f"the trained LSTM is saved in {kept}"
        header = app.screen.query_one(HeaderBar).text()
        assert "LSTM │ I=2 H=4 │ trained-adding-lstm-h4-2.npz" in header  # not cut by the status
        assert "prediction: none before the first step" in readout_line(app)
        await pilot.press("end")
        await pilot.pause()
        line = readout_line(app)
        assert "prediction y =" in line and "target at step 16" in line and "error" in line
        trained = frame.cell
        for _ in range(4):  # the other four kinds, seeded: the trained cell is not lost
            await pilot.press("c")
            await pilot.pause()
            assert app.stepper.frame.reading is None
            assert "c comes back to the trained LSTM" in app.stepper.frame.status
        await pilot.press("c")
        await pilot.pause()
        frame = app.stepper.frame
        assert frame.cell is trained and frame.reading is not None and frame.t == 16
        assert frame.lanes[0].origin.startswith("trained-adding-lstm-h4-2.npz")
        assert frame.status == "back to the trained LSTM" and "error" in readout_line(app)


def test_a_kept_model_never_replaces_a_file_and_goes_home_where_it_cannot_stay(
    in_tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = in_tmp_path / "run.npz"
    source.write_bytes(b"weights")
    names = [keep(source, "trained-sine-rnn-h2")[0].name for _ in range(3)]
    assert names == [
        "trained-sine-rnn-h2.npz",
        "trained-sine-rnn-h2-2.npz",
        "trained-sine-rnn-h2-3.npz",
    ]
    home = in_tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir("/proc")  # no file can be made here, by root either
    path, why = keep(source, "trained-sine-rnn-h2")
    assert path == home / "trained-sine-rnn-h2.npz" and path.read_bytes() == b"weights"
    assert why.startswith("the current folder cannot be written")


def test_the_loss_plot_draws_what_its_legend_says() -> None:
    def reports(rate: int, scale: float) -> list[Progress]:
        return [
            Progress(u, u / 100, scale / (1 + u), scale / (1 + u) if u % 100 == 0 else None, 0, 0)
            for u in range(0, 301, rate)
        ]

    spec = loss_curves({"LSTM": reports(50, 0.1), "RNN (tanh)": reports(25, 1.0)}, 1 / 6)
    looks = {c.label: (c.marker, c.line) for c in spec.curves}
    assert looks == {
        "LSTM training loss": ("·", True),
        "LSTM held-out loss": ("o", False),  # points every 100 updates: markers, no line
        "RNN training loss": ("+", True),
        "RNN held-out loss": ("*", False),
        "baseline 0.1667": ("-", True),
    }
    held = spec.curves[1].values
    assert np.isfinite(held).sum() == 4  # updates 0 (drawn at 1), 100, 200, 300
    figure = bridge.new_figure()
    drawn = plot.draw(
        figure, spec.curves, spec.steps, width=80, height=20, colour=False, labels=False
    )
    rows = range(drawn.canvas.rows)
    text = "".join(chars for r in rows for chars, _ in drawn.canvas.row_runs(r))
    assert "o" in text and "*" in text and "-" in text


async def test_the_focused_setting_and_the_cell_list_show_without_colour() -> None:
    """NO_COLOR leaves no background to tell the focused field by: its text style does
    (an input underlined, the rest reversed); the Cell list has a frame of its own."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        screen = app.screen
        styled = {}
        for _ in range(10):
            focused = screen.focused
            assert focused is not None
            shown = focused.query_one("SelectCurrent") if isinstance(focused, Select) else focused
            styled[focused.id] = shown.styles.text_style
            await pilot.press("tab")
        assert {"task", "cell", "hidden", "seed", "companion", "start"} <= set(styled)
        assert all(style.underline for name, style in styled.items() if name == "hidden")
        assert styled["cell"].reverse and styled["companion"].reverse and styled["start"].reverse
        unfocused = screen.query_one("#seed", Input)
        assert screen.focused is not unfocused and not unfocused.styles.text_style.underline
        screen.query_one("#cell", Select).focus()
        await pilot.press("enter")  # the list opens over the text below: framed
        overlay = screen.query_one("#cell").query_one("SelectOverlay")
        assert overlay.display and overlay.styles.border_top[0] == "round"


async def test_the_settings_are_checked_kept_and_the_rnn_box_reads_plainly() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        screen = app.screen
        box = screen.query_one("#companion", Checkbox)
        assert box.value and box.BUTTON_INNER == "X" and str(box.label).endswith(": yes")
        box.value = False
        await pilot.pause()
        assert box.BUTTON_INNER == " " and str(box.label).endswith(": no")  # no X beside "no"
        screen.query_one("#cell", Select).value = "rnn"  # the view draws an LSTM beside an RNN
        await pilot.pause()
        assert str(box.label) == "train an LSTM beside it, for g: no"
        screen.query_one("#cell", Select).value = "lstm"
        await pilot.pause()
        assert str(box.label) == "train a tanh RNN beside it, for g: no"
        settings(app, updates="50")  # and 30 seconds: two budgets
        await pilot.press("ctrl+r")
        status = str(screen.query_one("#training-status").render())
        assert status == "✗ give one budget: seconds or updates, not both" and not screen._runs
        settings(app, updates="", hidden="").query_one("#hidden", Input).focus()
        await pilot.press("minus", "3", "enter")  # a '-' is typed, and said to be wrong
        status = str(screen.query_one("#training-status").render())
        assert status == "✗ hidden size: -3 is outside 1..256" and not screen._runs
        settings(app, hidden="5", seed="7", updates="")
        await pilot.press("escape")
        await pilot.press("t")  # the same settings again, the box too
        again = settings(app)
        assert again is not screen
        assert [again.query_one(f"#{n}", Input).value for n in ("hidden", "seed", "updates")] == [
            "5",
            "7",
            "",
        ]
        assert not again.query_one("#companion", Checkbox).value


async def test_help_screenshot_and_quit_work_from_a_field(in_tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        screen = app.screen
        screen.query_one("#seed", Input).focus()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen), screen.query_one("#seed", Input).value
        assert [name for name, _ in app.screen.panels][:2] == ["Settings", "RNN beside it"]
        await pilot.press("escape", "s")
        await pilot.pause(0.2)
        assert screen.query_one("#seed", Input).value == "0"  # not typed into the field
        assert len(list(in_tmp_path.glob("*.svg"))) == 1
        assert "screenshot saved" in str(screen.query_one("#training-status").render())
        titles = {c.title for c in app.get_system_commands(screen)}
        assert {"Start training (ctrl+r)", "Help (?)", "Screenshot (s)", "Quit (q)"} <= titles
        screen.action_screenshot()  # and gone before the picture: no picture, no error
        screen.action_stop()
        await pilot.pause(0.2)
        assert isinstance(app.screen, MainScreen) and len(list(in_tmp_path.glob("*.svg"))) == 1
        await pilot.press("t", "q")
        await pilot.pause()
        assert not app.is_running


@pytest.mark.parametrize(
    ("cell", "titles"),
    [
        ("lstm", ["LSTM", "RNN (tanh), trained on adding"]),
        ("rnn", ["RNN (tanh)", "LSTM, trained on adding"]),  # an LSTM beside an RNN
    ],
)
async def test_a_finished_run_with_the_rnn_beside_it_feeds_the_gradient_view(
    cell: str, titles: list[str]
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        screen = settings(app, hidden="3", length="10", seconds="", updates="20")
        assert screen.query_one("#companion", Checkbox).value  # ticked unless unticked
        screen.query_one("#cell", Select).value = cell
        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(app.screen, MainScreen), "the end of the budget")
        await pilot.press("g")
        await until(pilot, lambda: isinstance(app.screen, GradientScreen), "the gradient view")
        flows = app.stepper.frame.flows
        assert flows is not None and [f.title for f in flows] == titles
        assert all("readout" in f.loss for f in flows)
        assert "untrained" not in app.screen.query_one("#flow-summary").text()


async def test_bad_settings_are_refused_and_nothing_starts() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        for field, value, said in (
            ("hidden", "0", "hidden size: 0 is outside 1..256"),
            ("length", "1", "length T: 1 is outside 2..10000"),
            ("length", "10001", "length T: 10001 is outside 2..10000"),
            ("seconds", "soon", "seconds: 'soon' is not a number"),
            ("seconds", "", "give a budget: seconds, or a number of updates"),
            ("forget", "inf", "forget bias: inf is not a finite number"),
        ):
            screen = settings(app, **{field: value})
            await pilot.press("ctrl+r")
            assert not screen._runs
            assert said in str(screen.query_one("#training-status").render())
            settings(app, hidden="8", length="100", seconds="30", forget="")
        settings(app, forget="3").query_one("#cell", Select).value = "rnn"
        await pilot.press("ctrl+r")
        assert "the rnn has no forget gate" in str(screen.query_one("#training-status").render())
        assert not screen._runs
        await pilot.press("escape")  # nothing runs: back to the dashboard
        assert isinstance(app.screen, MainScreen) and app.stepper.frame.reading is None


async def test_a_trained_file_on_its_task_from_the_shell(adding_model: Path) -> None:
    app = make_app("--weights", str(adding_model), "--task", "adding", "--length", "12")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("end")
        assert "target at step 12" in readout_line(app)
        first = app.screen.query_one(HeaderBar).text()
        status = app.screen.query_one(StatusLine).text()
        assert "│ LSTM │ I=2 H=3 │ weights adding.npz, adding seed 0 " in first
        assert first.endswith(" step 12 / 12 ") and len(first) == 80  # the counter whole
        assert status.strip() == "end: type the next input (2 numbers) to add a step"
        first = app.stepper.frame.inputs.copy()
        await pilot.press("c")  # another kind with seeded weights: the readout goes
        await pilot.pause()
        assert app.stepper.frame.reading is None
        assert not app.screen.query_one("#readout").display
    other = make_app("--weights", str(adding_model), "--task", "adding", "--seed", "5")
    assert other.stepper.frame.length == 100  # the default length
    assert not np.array_equal(other.stepper.frame.inputs[:12], first)  # --seed picks it


@pytest.mark.parametrize("width", [56, 62])
async def test_a_narrow_header_cuts_the_origin_between_words(
    adding_model: Path, width: int
) -> None:
    app = make_app("--weights", str(adding_model), "--task", "adding", "--length", "12")
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.press("end")
        first = app.screen.query_one(HeaderBar).text()
        assert len(first) == width and first.endswith(" step 12 / 12 ")  # nothing cut off
        # words give way first (the separators' spaces, then the input size), then the
        # origin is cut, between words
        assert first.startswith((" LSTM│H=3│weights adding.npz", " LSTM│I=2 H=3│weights"))
        assert ("…" in first) == (width == 56)
        kept = first.split("…")[0].split()[-1] if "…" in first else "0"
        assert kept in ("adding.npz,", "adding", "seed", "0")


async def test_a_trained_cell_at_80x24_keeps_its_figures_and_its_whole_status(
    adding_model: Path, tmp_path: Path
) -> None:
    """The header shortens words rather than drop the best loss and the baseline; a status
    too long for a line of its own wraps onto a second one, its path whole."""
    path = tmp_path / "trained-adding-lstm-h3-2.npz"
    path.write_bytes(adding_model.read_bytes())
    config = TrainConfig(task="adding", hidden_size=3, length=12, seed=1, updates=5)
    report = {"best_loss": 0.04238, "baseline_loss": 1 / 6}
    saved = f"the trained LSTM is saved in {tmp_path / 'a-long-folder-name' / path.name}"
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app._trained(Trained(config, path, report, saved=saved))
        await until(pilot, lambda: app.stepper.frame.length == 12, "the trained cell")
        await pilot.pause()
        header = app.screen.query_one(HeaderBar).text()
        assert "best 0.0424, base 0.1667" in header and header.endswith(" step 0 / 12 ")
        status = app.screen.query_one(StatusLine).text()
        assert "…" not in status and "".join(status.split()) == "".join(saved.split())
        assert app.screen.query_one(StatusLine).size.height == len(status.splitlines()) > 1


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (("--task", "sine"), "the sine task gives 1 input(s) per step; these weights take 2"),
        (("--task", "adding", "--inputs", "1"), "not allowed with argument --task"),
        (("--task", "adding", "--input-size", "2"), "--task and --input-size exclude"),
    ],
)
def test_a_task_that_does_not_fit_is_refused_in_one_line(
    adding_model: Path, argv: tuple[str, ...], said: str
) -> None:
    with pytest.raises((UsageError, ValueError)) as refused:
        make_app("--weights", str(adding_model), *argv)
    assert said in str(refused.value) and "\n" not in str(refused.value)
    with pytest.raises(UsageError, match="--task needs --weights"):
        make_app("--task", "adding")


async def test_the_gradient_view_follows_the_step_cursor(adding_model: Path) -> None:
    app = make_app("--weights", str(adding_model), "--task", "adding", "--length", "12")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space", "space", "g")
        await until(pilot, lambda: isinstance(app.screen, GradientScreen), "the gradient view")
        summary = app.screen.query_one("#flow-summary")
        said = UNTRAINED.format("RNN")  # a seeded RNN beside it: said first
        assert summary.text().startswith(f" {said} ")
        assert "RNN (tanh), untrained (seeded 42): |dL/dh|" in summary.text()
        assert "t = 2:" in summary.text()
        flows = app.stepper.frame.flows
        assert flows is not None
        norm = f"{flows[0].norms['h'][1]:.4f}"
        assert f"|dL/dh| {norm}" in summary.text()
        await pilot.press("right", "right", "left")
        assert app.stepper.frame.t == 3 and "t = 3:" in summary.text()
        assert app.screen.query_one("#gradients-plot").frame.plot.key[0] == "flow"
        await pilot.press("home")
        assert "no norms before the first step" in summary.text()
        assert "|dL/dh|" not in summary.text()
        await pilot.press("end", "space", "0")  # no input is added here, and none is offered
        frame = app.stepper.frame
        assert frame.refused and frame.status == AT_END and frame.length == 12
        await pilot.press("question_mark")  # its help explains this view, not the main one
        assert isinstance(app.screen, HelpScreen)
        panels = dict(app.screen.panels)
        assert "readout's loss" in panels["L"] and "untrained (seeded 42)" in panels["Cells"]
        assert "flat line" in panels["How to read"] and "Gates" not in panels
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, MainScreen) and app.stepper.frame.t == 12


def test_a_long_sequence_is_swept_over_its_last_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stepper_module, "FLOW_WINDOW", 20)
    inputs = np.random.default_rng(0).normal(size=(50, 1))
    cell = CELLS["lstm"].init(1, 2, seed=3)
    stepper = Stepper(Session(cell, inputs, seed=3))
    job = stepper.flow_job()
    frame = job.run()
    assert frame.flows is not None and frame.flows[0].first == 31
    whole = flow(cell, inputs)
    np.testing.assert_allclose(frame.flows[0].norms["c"], whole.norms["c"][30:], rtol=1e-10)
    assert frame.flow_plot is not None and np.isnan(frame.flow_plot.curves[0].values[:30]).all()
    assert stepper.flow_job().total == 0  # nothing changed: nothing to compute again


def test_an_input_added_after_the_targets_leaves_the_loss_without_a_target(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sine.npz"
    save_model(train(TrainConfig(task="sine", hidden_size=2, length=6, updates=2)).model, path)
    stepper = Stepper(Session(CELLS["lstm"].init(1, 2, 0), np.zeros((1, 1))))
    frame = stepper.open_model_job(path, "sine", 6, seed=1).run()
    assert frame.reading is not None and frame.reading.target is None  # t = 0
    stepper.end()
    assert "readout" in (stepper.flow_job().run().flows or ())[0].loss
    frame = stepper.append_input([0.5])
    assert frame.t == 7 and frame.reading is not None and frame.reading.target is None
    assert (stepper.flow_job().run().flows or ())[0].loss == "sum(h_T)"


def test_saved_weights_keep_the_trained_readout(adding_model: Path, tmp_path: Path) -> None:
    app = make_app("--weights", str(adding_model), "--task", "adding", "--length", "12")
    said = app.stepper.save_weights(tmp_path / "again.npz")
    assert "readout" in said
    again = load_model(tmp_path / "again.npz")
    assert again.readout == load_model(adding_model).readout
    reopened = make_app("--weights", str(tmp_path / "again.npz"), "--task", "adding")
    assert reopened.stepper.frame.reading is not None


async def test_the_weights_view_lists_the_trained_readout_read_only(adding_model: Path) -> None:
    app = make_app("--weights", str(adding_model), "--task", "adding", "--length", "12")
    readout = load_model(adding_model).readout
    assert readout is not None
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("w")
        table = app.screen.query_one(WeightTable)
        cell_rows = sum(a.size for a in app.stepper.frame.cell.params.values())
        assert table.row_count == cell_rows + readout.weight.size + readout.bias.size
        name, value, role = table.get_row_at(table.row_count - 1)
        assert name == "readout.bias[0]" and "read-only" in role
        assert float(value) == pytest.approx(float(readout.bias[0]), abs=1e-4)
        assert table.get_row_at(cell_rows + 2)[0] == "readout.weight[0,2]"
        before = app.stepper.frame.cell
        table.move_cursor(table.row_count - 1)
        await pilot.press("enter")  # refused: the view changes the cell's weights only
        assert not app.screen.query_one("#prompt").display
        assert app.stepper.frame.cell is before and app.stepper.readout == readout
    seeded = make_app("--hidden-size", "3")
    async with seeded.run_test(size=(120, 40)) as pilot:
        await pilot.press("w")
        table = seeded.screen.query_one(WeightTable)
        assert not any("readout" in table.get_row_at(r)[0] for r in range(table.row_count))
