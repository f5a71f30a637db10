"""The crashes a stress tester found (issue 8), each now a message or the right behaviour,
and the files the dashboard writes: asked before they are replaced, never half-written."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from textual.widgets import Input

from lstm_engine import files
from lstm_engine.cells import CELLS
from tui.app import StepperApp
from tui.screens.compare import CompareScreen
from tui.screens.confirm import ConfirmDialog
from tui.screens.export import ExportDialog
from tui.screens.inputs import InputEditor
from tui.screens.main import MainScreen
from tui.screens.weights import WeightsScreen
from tui.widgets import HeaderBar, InputStrip, TrajectoryPlot

from tui_helpers import make_app

SIZE = (120, 40)


def header(app: StepperApp) -> str:
    return "\n".join(w.text() for w in app.screen.query(HeaderBar))


def run_command(app: StepperApp, starts: str) -> None:
    """Run the palette's command whose title starts so, as the palette would."""
    command = next(c for c in app.get_system_commands(app.screen) if c.title.startswith(starts))
    command.callback()


# -- the palette runs the actions of the screen on top ------------------------------------
async def test_longer_inputs_from_the_palette_in_compare_mode_then_stepping() -> None:
    app = make_app("--inputs", "1,2,3")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v", "end")
        assert isinstance(app.screen, CompareScreen)
        run_command(app, "Input")
        await pilot.pause()
        assert isinstance(app.screen, InputEditor)
        app.screen.query_one(Input).value = "1, 2, 3, 4, 5, 6"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        await pilot.press("space", "space", "space")
        assert [s.t for s in app.stepper.sessions()] == [6, 6]
        assert [s.length for s in app.stepper.sessions()] == [6, 6]


async def test_the_cell_command_is_not_offered_over_the_weights_view() -> None:
    app = make_app("--hidden-size", "2")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "w")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert not any(t.startswith("Cell") for t in titles)
        await pilot.press("c", "c", "c", "enter")  # c means nothing here; enter edits
        assert isinstance(app.screen, WeightsScreen) and app.stepper.frame.cell.kind == "lstm"
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, MainScreen)


async def test_loading_h1_weights_over_h3_with_unit_2_selected(tmp_path: Path) -> None:
    path = tmp_path / "small.npz"
    files.save(CELLS["lstm"].init(1, 1, 7), path)
    app = make_app("--hidden-size", "3")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "down", "down", "w", "l")
        app.screen.query_one("#prompt-input", Input).value = str(path)
        await pilot.press("enter")
        await pilot.pause()
        assert app.stepper.frame.unit == 0 and app.stepper.frame.hidden_size == 1
        await pilot.press("escape", "space")
        assert app.stepper.frame.t == 2


# -- numbers that overflow -------------------------------------------------------------
async def test_an_mlstm_input_of_1e150_typed_in_the_editor() -> None:
    app = make_app("--cell", "mlstm", "--hidden-size", "4", "--inputs", "1,2")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        app.screen.query_one(Input).value = "1, 1e150, 2, -1e150"
        await pilot.press("enter", "end")
        await pilot.pause()
        frame = app.stepper.frame
        assert frame.t == 4 and not frame.refused  # inside the finite range: no overflow
        for t in range(1, 5):
            record = app.stepper.session.record(t)
            assert all(np.all(np.isfinite(getattr(record, n))) for n in ("h", "C", "n", "m"))
        assert "nan" not in header(app).lower() and "inf" not in header(app).lower()


async def test_an_input_that_truly_overflows_is_said_and_not_taken() -> None:
    app = make_app("--cell", "mlstm", "--hidden-size", "4", "--inputs", "1,1e300,2")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space")
        frame = app.stepper.frame
        assert frame.t == 1 and frame.refused
        assert "overflow at step 2 (mLSTM (xLSTM)" in frame.status
        assert "overflow at step 2" in header(app)
        await pilot.press("end")  # stops before it, and says so
        assert app.stepper.frame.t == 1 and "overflow at step 2" in app.stepper.frame.status
        await pilot.press("left", "space", "left")  # and keeps working
        assert app.stepper.frame.t == 0


async def test_slstm_weights_of_1e307() -> None:
    app = make_app("--cell", "slstm", "--hidden-size", "2")
    async with app.run_test(size=SIZE) as pilot:
        for k in range(8):
            app.stepper.set_weight("W", (k, 0), 1e307)
        await pilot.press("space", "space", "space")
        await pilot.pause()
        frame = app.stepper.frame
        assert frame.t == 3 or "overflow at step" in frame.status
        plot = app.screen.query_one(TrajectoryPlot)
        assert plot.size.width > 0  # drawn, not crashed


async def test_mlstm_weights_of_1e75_plot_a_finite_memory_norm() -> None:
    app = make_app("--cell", "mlstm", "--hidden-size", "2", "--inputs", "1,2,3")
    async with app.run_test(size=SIZE) as pilot:
        for key in ("W_k", "W_v"):
            for k in range(2):
                app.stepper.set_weight(key, (k, 0), 1e75)
        await pilot.press("end")
        await pilot.pause()
        frame = app.stepper.frame
        norms = [c for c in frame.plot.curves if "|C|" in c.label]
        assert norms and all(np.all(np.isfinite(c.values)) for c in norms)


# -- paths ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "message"),
    [("~nosuchuser/x.csv", "nosuchuser"), ("a\0b.csv", "NUL"), ("x.doc", ".csv, .json or .txt")],
)
async def test_bad_export_paths_are_messages(path: str, message: str) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "x")
        app.screen.query_one(Input).value = path
        await pilot.press("enter")
        assert isinstance(app.screen, ExportDialog)
        assert message in str(app.screen.query_one("#error").render())


async def test_export_at_t0_writes_nothing(tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        app.screen.query_one(Input).value = str(tmp_path / "t.csv")
        await pilot.press("enter")
        assert "nothing to export" in str(app.screen.query_one("#error").render())
        assert not (tmp_path / "t.csv").exists()


@pytest.mark.parametrize("answer", ["y", "n", "escape"])
async def test_export_over_an_existing_file_asks_first(tmp_path: Path, answer: str) -> None:
    target = tmp_path / "trace.csv"
    target.write_text("mine\n")
    target.chmod(0o644)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space", "x")
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmDialog)
        assert target.read_text() == "mine\n"
        await pilot.press(answer)
        await pilot.pause()
        if answer == "y":
            assert target.read_text().startswith("t,x[0],h[0]")
            assert len(target.read_text().splitlines()) == 3
            assert oct(target.stat().st_mode & 0o777) == oct(0o644)
            assert not isinstance(app.screen, ExportDialog)
        else:
            assert target.read_text() == "mine\n"
            assert isinstance(app.screen, ExportDialog)
            assert "kept" in str(app.screen.query_one("#error").render())
        assert [p.name for p in tmp_path.iterdir()] == ["trace.csv"]  # no temporary file


@pytest.mark.parametrize("answer", ["y", "n"])
async def test_saving_weights_over_an_existing_file_asks_first(tmp_path: Path, answer: str) -> None:
    target = tmp_path / "w.NPZ"
    other = CELLS["lstm"].init(1, 1, 9)
    files.save(other, target)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w", "S")
        app.screen.query_one("#prompt-input", Input).value = str(target)
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press(answer)
        await pilot.pause()
        kept = files.load(target)
        if answer == "y":
            assert kept == app.stepper.frame.cell
        else:
            assert kept == other
            assert "kept" in str(app.screen.query_one("#prompt-error").render())


async def test_a_screenshot_that_cannot_be_written_is_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:

        def refuse(*args: object, **kwargs: object) -> str:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(app, "save_screenshot", refuse)
        await pilot.press("s")
        await pilot.pause()
        assert "screenshot not saved: Permission denied" in header(app)


async def test_a_screenshot_after_the_working_folder_was_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        os.rmdir(gone)
        await pilot.press("s")
        await pilot.pause()
        assert "screenshot saved" in header(app)
        assert list(tmp_path.glob("*.svg"))


async def test_a_csv_header_names_the_inputs_in_the_strip(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("\ufefftemp,load\n1,2\n3,4\n", encoding="utf-8")
    app = make_app("--input-size", "2")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e", "ctrl+o")
        app.screen.query_one(Input).value = str(path)
        await pilot.press("enter", "space")
        frame = app.stepper.frame
        assert frame.input_names == ("temp", "load") and frame.inputs.tolist() == [[1, 2], [3, 4]]
        strip = app.screen.query_one(InputStrip)
        assert strip.text().startswith("x (temp, load): ")


async def test_quit_from_the_main_screen_s_palette() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        run_command(app, "Quit (q)")
        await pilot.pause()
        assert not app.is_running


# -- files that are not files -------------------------------------------------------------------
@pytest.mark.parametrize("option", ["--inputs-file", "--weights"])
@pytest.mark.parametrize("name", ["in.csv", "in.npy", "w.npz"])
def test_a_fifo_given_to_read_is_refused_without_waiting(
    tmp_path: Path, option: str, name: str
) -> None:
    """Opening a FIFO waits for a writer: a tester's CLI hung, and the dashboard froze."""
    import subprocess
    import sys

    fifo = tmp_path / name
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "lstm_engine", "trace", option, str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "is a named pipe (FIFO), not a regular file" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


async def test_a_fifo_in_the_dashboard_s_prompts_is_a_message(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e", "ctrl+o")
        app.screen.query_one(Input).value = str(fifo)
        await pilot.press("enter")
        assert "named pipe" in str(app.screen.query_one("#error").render())
        await pilot.press("escape", "w", "l")
        app.screen.query_one("#prompt-input", Input).value = str(fifo)
        await pilot.press("enter")
        assert "named pipe" in str(app.screen.query_one("#prompt-error").render())


async def test_full_garbage_collections_wait_for_an_idle_moment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A full collection of a long session's objects took 90-190 ms in the middle of a
    key: the app leaves them to moments when no key has come for IDLE_COLLECT s."""
    import gc

    from tui.app import IDLE_COLLECT, RARE_FULL_COLLECTIONS

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert gc.get_threshold()[2] == RARE_FULL_COLLECTIONS
        calls: list[tuple[object, ...]] = []
        monkeypatch.setattr(gc, "collect", lambda *args: calls.append(args) or 0)
        await pilot.press("space")
        app._collect_when_idle()
        assert calls == []  # a key just came
        app._last_event -= IDLE_COLLECT + 1
        app._collect_when_idle()
        assert calls == [()]
