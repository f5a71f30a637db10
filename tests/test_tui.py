"""The dashboard driven by keys (Textual's Pilot): every key on every screen, the palette
on every screen, bursts of keys and pastes, and the numbers shown."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import numpy as np
import pytest
from textual import events
from textual.widgets import Input

import lstm_engine
from lstm_engine import LSTMCell, Session
from lstm_engine.numbers import number
from tui.app import StepperApp
from tui.keys import MAIN
from tui.screens.compare import CompareScreen
from tui.screens.export import ExportDialog
from tui.screens.help import HelpScreen
from tui.screens.inputs import InputEditor
from tui.screens.main import MainScreen
from tui.screens.weights import WeightsScreen
from tui.widgets import (
    EquationsPanel,
    GateBox,
    GatePanel,
    HeaderBar,
    LiveInputBar,
    MatrixPanel,
    StatePanel,
    StatusLine,
    TrajectoryPlot,
)
from tui.widgets.header import cut
from tui.widgets.weight_table import WeightTable

from tui_helpers import make_app, session

SIZE = (120, 40)


def shown(app: StepperApp) -> str:
    """The text of every panel of the screen on top, as rendered now."""
    screen = app.screen
    parts = [w.text() for w in screen.query(HeaderBar)]
    parts += [box.text for box in boxes(app)]
    parts += [w.text() for w in screen.query(StatePanel) if w.display]
    parts += [w.text() for w in screen.query(EquationsPanel)]
    return "\n".join(parts)


def boxes(app: StepperApp) -> list[GateBox]:
    """Every gate box of the screen on top, as its panel draws it now."""
    out = []
    for panel in app.screen.query(GatePanel):
        panel.text()
        out += [panel.boxes[g.name] for g in panel.gates]
    return out


def header(app: StepperApp) -> str:
    return app.screen.query_one(HeaderBar).text()


def plot_text(app: StepperApp) -> str:
    plot = app.screen.query_one(TrajectoryPlot)
    return "\n".join(strip.text for strip in plot._head + plot._strips)


def expected_numbers(reference: Session, t: int, unit: int = 0) -> list[str]:
    """What the engine says for step t: every gate, c_prev, c, tanh(c), h."""
    r = reference.record(t)
    values = [r.f, r.i, r.g, r.o, r.c_prev, r.c, r.tanh_c, r.h, r.h_prev]
    return [number(v[unit]) for v in values]


async def burst(app: StepperApp, text: str) -> None:
    """Keys arriving in one read, as a paste over SSH does: all sent before any is handled."""
    driver = app._driver
    assert driver is not None
    for ch in text:
        key = {"\r": "enter", ".": "full_stop", "-": "minus"}.get(ch, ch)
        event = events.Key(key, None if ch == "\r" else ch)
        event.set_sender(app)
        driver.send_message(event)


# -- the main screen ------------------------------------------------------------------------------
async def test_first_screen_is_the_original_example() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = shown(app)
        assert "LSTM" in text and "I=1 H=1" in text and "seed 42" in text
        assert "step 0 / 3" in text and isinstance(app.screen, MainScreen)
        gates = [box.text for box in boxes(app)]
        assert all("█" not in g and "│" not in g and "·" not in g for g in gates)  # no bar at t=0


@pytest.mark.parametrize("key", ["space", "right"])
async def test_numbers_after_one_two_three_steps_and_a_rewind(key: str) -> None:
    app = make_app()
    reference = session()
    reference.run_to_end()
    async with app.run_test(size=SIZE) as pilot:
        for t in (1, 2, 3):
            await pilot.press(key)
            text = shown(app)
            assert f"step {t} / 3" in text
            for value in expected_numbers(reference, t):
                assert value in text, (t, value)
        await pilot.press("left")
        text = shown(app)
        assert "step 2 / 3" in text
        for value in expected_numbers(reference, 2):
            assert value in text
        assert "0.2043" not in text  # step 3's c is gone


async def test_the_original_first_step_equation_with_the_data_in() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        lines = app.screen.query_one(EquationsPanel).text().splitlines()
        assert lines[0].startswith("step 1: x = 5.0000   h_prev = 0.0000   c_prev = 0.0000")
        # the equation being read is marked; at 120 columns its written form gives way
        # (the engine's own line has it: tests/test_equations.py), every product stays
        assert lines[1] == (
            "▶ f = sigmoid(0.0497*0.0000 - 0.0138*5.0000 + 0.0000) = "
            "sigmoid(0.0000 - 0.0691 + 0.0000) = sigmoid(-0.0691) = 0.4827"
        )
        assert lines[6].endswith("= 0.1151")


@pytest.mark.parametrize("key", ["left", "backspace"])
async def test_back_keys_rewind_exactly(key: str) -> None:
    app = make_app("--hidden-size", "2", "--inputs", "1;2;3")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space")
        before = app.stepper.session.state_at(1)
        await pilot.press(key)
        s = app.stepper.session
        assert s.t == 1
        assert all(np.array_equal(before[k], s.state[k]) for k in before)


@pytest.mark.parametrize("key", ["home", "r"])
async def test_reset_keys(key: str) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space", key)
        assert app.stepper.frame.t == 0 and "step 0 / 3" in header(app)


async def test_end_then_step_and_back_at_the_start_only_say_so() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        assert app.stepper.frame.t == 3
        await pilot.press("space")
        assert app.stepper.frame.t == 3 and "end of the sequence" in header(app)
        await pilot.press("home", "left")
        assert app.stepper.frame.t == 0 and "already at the start" in header(app)


async def test_play_pause_and_speed() -> None:
    app = make_app("--inputs", ",".join(["1"] * 50))
    async with app.run_test(size=SIZE) as pilot:
        speed = app.stepper.frame.speed
        await pilot.press("plus", "plus", "equals_sign")
        assert app.stepper.frame.speed == speed * 8
        await pilot.press("minus")
        assert app.stepper.frame.speed == speed * 4
        await pilot.press("p")
        assert app.stepper.frame.playing and "playing" in header(app)
        await pilot.pause(0.5)
        await pilot.press("p")
        stepped = app.stepper.frame.t
        assert not app.stepper.frame.playing and 1 <= stepped < 50
        await pilot.pause(0.3)
        assert app.stepper.frame.t == stepped  # paused means paused


async def test_play_stops_at_the_end_and_when_a_dialog_opens() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("plus", "plus", "plus", "plus", "p")
        await pilot.pause(1.0)
        assert app.stepper.frame.at_end and not app.stepper.frame.playing
        await pilot.press("home", "minus", "p", "question_mark")
        assert isinstance(app.screen, HelpScreen) and not app.stepper.frame.playing
        t = app.stepper.frame.t
        await pilot.pause(0.6)
        assert app.stepper.frame.t == t


@pytest.mark.parametrize(("keys", "unit"), [(["down"], 1), (["tab", "tab"], 2), (["up"], 2),
                                            (["shift+tab"], 2)])  # fmt: skip
async def test_unit_selection(keys: list[str], unit: int) -> None:
    app = make_app("--hidden-size", "3", "--inputs", "1;2")
    reference = session("--hidden-size", "3", "--inputs", "1;2")
    reference.run_to_end()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", *keys)
        assert app.stepper.frame.unit == unit
        states = app.screen.query_one("#states-left", StatePanel)
        assert f"unit {unit}" in states.border_title
        equations = app.screen.query_one(EquationsPanel).text()
        assert equations.splitlines()[-1].endswith(f"= {number(reference.record(1).h[unit])}")
        for box in boxes(app):
            assert len(box.rows) == 3  # every unit has a row
        # the selected unit is marked in each gate, and the equation being read
        assert shown(app).count("▶") == 4 + 1


async def test_unit_keys_do_nothing_with_one_unit() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "down", "a")
        assert app.stepper.frame.unit == 0 and app.stepper.frame.all_units is None


async def test_all_units_view_cycles_h_then_c() -> None:
    app = make_app("--hidden-size", "3", "--inputs", "1;2")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "a")
        await pilot.pause()
        assert app.stepper.frame.all_units == "h"
        text = plot_text(app)
        assert "Hidden State of every unit" in text and "h[0]" in text and "h[2]" in text
        await pilot.press("a")
        await pilot.pause()
        assert "c[1]" in plot_text(app)
        await pilot.press("a")
        assert app.stepper.frame.all_units is None


async def test_the_input_can_be_shown_on_the_plot() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space", "i")
        await pilot.pause()
        assert app.stepper.frame.show_x and "right axis: input x" in plot_text(app)
        await pilot.press("i")
        await pilot.pause()
        assert "right axis" not in plot_text(app)


async def test_switching_cells_keeps_inputs_and_step() -> None:
    app = make_app("--hidden-size", "3", "--inputs", "1;-2;0.5;3")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space")
        seen = []
        for _ in range(5):
            await pilot.press("c")
            await pilot.pause()
            s = app.stepper.session
            seen.append(s.cell.kind)
            assert s.t == 2 and s.inputs.ravel().tolist() == [1, -2, 0.5, 3]
            gates = [box.gate.name for box in boxes(app)]
            assert gates == [g.name for g in s.cell.gates]
            assert s.cell.title in header(app)
            reference = Session(type(s.cell).init(1, 3, 42), s.inputs)
            reference.seek(2)
            assert np.array_equal(reference.current.h, s.current.h)
        assert seen == ["peephole", "slstm", "mlstm", "rnn", "lstm"]


async def test_screenshot_is_saved_and_a_bad_folder_is_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "s")
        await pilot.pause(0.1)
        shots = list(tmp_path.glob("*.svg"))
        assert len(shots) == 1 and "<svg" in shots[0].read_text()[:500]
        assert "screenshot saved" in header(app)
        first = shots[0]
        await pilot.press("s")  # the first one's toast and status are not in the second
        await pilot.pause(0.1)
        (second,) = set(tmp_path.glob("*.svg")) - {first}
        picture = second.read_text()
        assert first.stem.replace("_", "") not in picture.replace("_", "").replace("&#160;", "")
        assert "screenshot" not in picture.lower().split("</style>")[-1]
        monkeypatch.chdir("/proc")  # nothing can be written here, by root either
        await pilot.press("s")
        await pilot.pause(0.1)
        assert "screenshot not saved" in header(app)


async def test_the_header_keeps_the_cell_whole_and_gives_a_long_status_its_own_line() -> None:
    app = make_app("--inputs", "1;2")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("end", "space")  # refused: what to type, too long for the line
        await pilot.pause()
        first, line = app.screen.query_one(HeaderBar), app.screen.query_one(StatusLine)
        assert "│ LSTM │ I=1 H=1 │ seed 42 " in first.text()
        assert first.text().endswith("step 2 / 2 ") and len(first.text()) == 80
        assert line.size.height == 1 and line.text().strip() == app.stepper.frame.status
        assert app.stepper.frame.status.startswith("end of the sequence")  # whole
        await pilot.press("left")  # no status: no status line
        await pilot.pause()
        assert line.size.height == 0 and first.text().startswith(" lstm-stepper │ LSTM")


def test_the_header_cuts_between_words_never_inside_a_number() -> None:
    text = "trained-adding-lstm-h8.npz, best loss 0.3532, baseline 0.1667"
    for width in range(27, len(text)):  # from the first word's width: it is never cut
        cut_text = cut(text, width)
        assert cut_text.endswith("…") and len(cut_text) <= width
        words = cut_text[:-1].split()
        assert words and all(word in text.split() or word + "," in text.split() for word in words)
    assert cut("a b", 10) == "a b"


async def test_quit() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


# -- live input at the end ------------------------------------------------------------------------
async def test_a_digit_at_the_end_opens_the_live_input_with_it() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end", "7")
        bar = app.screen.query_one(LiveInputBar)
        assert bar.is_open and bar.field.value == "7"
        await pilot.press("enter")
        s = app.stepper.session
        assert s.inputs.ravel().tolist() == [5.0, 1.9, 2.0, 7.0] and s.t == 4
        assert not bar.is_open and "step 4 / 4" in header(app)
        await pilot.press("full_stop", "x", "enter")  # a bad number: the bar stays, says why
        assert bar.is_open and "not a number" in str(bar.query_one("#live-error").render())
        await pilot.press("escape")
        assert not bar.is_open and app.stepper.session.length == 4


async def test_minus_and_plus_keep_their_meaning_at_the_end() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        speed = app.stepper.frame.speed
        await pilot.press("end", "minus")
        await pilot.pause(0.2)  # a '-' waits a moment for a digit of the same burst
        assert app.stepper.frame.speed == speed / 2
        assert not app.screen.query_one(LiveInputBar).is_open
        await pilot.press("plus")
        assert app.stepper.frame.speed == speed


async def test_enter_at_the_end_opens_it_empty_for_a_negative_number() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end", "enter")
        bar = app.screen.query_one(LiveInputBar)
        assert bar.is_open and bar.field.value == ""
        await pilot.press("minus", "1", "full_stop", "5", "enter")
        s = app.stepper.session
        assert s.inputs.ravel().tolist()[-1] == -1.5 and s.t == 4


async def test_a_burst_of_keys_goes_into_one_live_input_in_order() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        await burst(app, "3.5\r")
        await pilot.pause()
        s = app.stepper.session
        assert s.inputs.ravel().tolist() == [5.0, 1.9, 2.0, 3.5] and s.t == 4
        assert len(app.screen.query(LiveInputBar)) == 1
        await burst(app, "12")
        await pilot.pause()
        bar = app.screen.query_one(LiveInputBar)
        assert bar.field.value == "12"


async def test_several_inputs_in_one_burst_are_several_steps() -> None:
    """A tester's "7 Enter 8 Enter 9 Enter" in one burst gave 7, 78 and 789."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        await burst(app, "7\r8\r9\r")
        await pilot.pause(0.3)
        s = app.stepper.session
        assert s.inputs.ravel().tolist() == [5.0, 1.9, 2.0, 7.0, 8.0, 9.0] and s.t == 6
        assert not app.screen.query_one(LiveInputBar).is_open
        await burst(app, "1\rx\r2")  # a bad one in the middle says so and keeps what follows
        await pilot.pause(0.3)
        assert s.inputs.ravel().tolist()[-1] == 1.0
        bar = app.screen.query_one(LiveInputBar)
        assert bar.is_open and "not a number" in str(bar.query_one("#live-error").render())


@pytest.mark.parametrize("gap", [0.005, 0.02])
async def test_inputs_typed_fast_but_in_separate_reads_are_separate_steps(gap: float) -> None:
    """Keys a few ms apart (tmux send-keys one by one): the field had the focus by the
    second, and the Enter, bubbling up to the screen as a message, came after the next
    digit had joined the number (78), or the next digit went into the closed bar (7)."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        for ch in "7\r8\r":
            await burst(app, ch)
            await asyncio.sleep(gap)
        await pilot.pause(0.3)
        assert app.stepper.session.inputs.ravel().tolist() == [5.0, 1.9, 2.0, 7.0, 8.0]


async def test_a_paste_at_the_end_goes_into_the_live_input() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        app.screen.post_message(events.Paste("-2.25"))
        await pilot.pause()
        bar = app.screen.query_one(LiveInputBar)
        assert bar.is_open and bar.field.value == "-2.25"
        await pilot.press("enter")
        assert app.stepper.session.inputs.ravel().tolist()[-1] == -2.25


# -- the input editor -----------------------------------------------------------------------------
async def test_input_editor_applies_good_input_with_spaces() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space", "e")
        assert isinstance(app.screen, InputEditor)
        app.screen.query_one(Input).value = "5 1 9 2"
        await pilot.press("enter")
        s = app.stepper.session
        assert isinstance(app.screen, MainScreen)
        assert s.inputs.ravel().tolist() == [5, 1, 9, 2] and s.t == 2
        assert "0.0856" in shown(app)  # the original's h at step 2 of 5, 1, 9, 2


@pytest.mark.parametrize(
    ("text", "message"),
    [("5, x, 2", "'x' is not a number"), ("", "empty"), ("1, nan", "not a finite number"),
     ("5,,2", "empty value")],
)  # fmt: skip
async def test_input_editor_errors_change_nothing(text: str, message: str) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "e")
        editor = app.screen
        editor.query_one(Input).value = text
        await pilot.press("enter")
        assert app.screen is editor  # still open, showing why
        assert message in str(editor.query_one("#error").render())
        await pilot.press("escape")
        s = app.stepper.session
        assert s.inputs.ravel().tolist() == [5.0, 1.9, 2.0] and s.t == 1


async def test_input_editor_loads_a_file(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("1\n-2\n3\n")
    np.save(tmp_path / "bad.npy", np.zeros((3, 2)))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e", "ctrl+o")
        editor = app.screen
        assert editor.from_file and "Load inputs" in str(editor.query_one("#dialog").border_title)
        assert not editor.loading  # Textual's loading indicator would hide the dialog
        editor.query_one(Input).value = str(tmp_path / "bad.npy")
        await pilot.press("enter")
        assert app.screen is editor and "1 value" in str(editor.query_one("#error").render())
        editor.query_one(Input).value = str(tmp_path / "x.csv")
        await pilot.press("enter")
        assert app.stepper.session.inputs.ravel().tolist() == [1.0, -2.0, 3.0]


# -- the weights view -----------------------------------------------------------------------------
async def test_weight_editor_changes_the_trace() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space", "w")
        weights = app.screen
        assert isinstance(weights, WeightsScreen)
        table = weights.query_one(WeightTable)
        assert table.row_count == 4 * 2 + 4 + 4  # weight_ih, weight_hh, two biases
        before = app.stepper.session.current.h.copy()
        row = next(k for k, (key, _) in enumerate(weights.entries) if key == "bias_ih")
        table.move_cursor(row=row)
        await pilot.press("enter")
        weights.query_one("#prompt-input", Input).value = "0.75"
        await pilot.press("enter")
        s = app.stepper.session
        assert s.t == 2 and s.cell.params["bias_ih"][0] == 0.75
        fresh = Session(s.cell, s.inputs)
        fresh.seek(2)
        assert np.array_equal(s.current.h, fresh.current.h)
        assert not np.array_equal(s.current.h, before)
        for bad, message in (("abc", "not a number"), ("1,2", "has 2"), ("3;4", "has 2")):
            await pilot.press("enter")
            weights.query_one("#prompt-input", Input).value = bad
            await pilot.press("enter")
            assert message in str(weights.query_one("#prompt-error").render()), bad
            await pilot.press("escape")
        assert s.cell.params["bias_ih"][0] == 0.75
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        assert number(s.current.h[0]) in shown(app) and "(edited)" in header(app)


async def test_weights_save_and_load(tmp_path: Path) -> None:
    app = make_app()
    target = tmp_path / "w.npz"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w", "S")
        weights = app.screen
        weights.query_one("#prompt-input", Input).value = str(target)
        await pilot.press("enter")
        assert target.exists()
        await pilot.press("ctrl+s")
        weights.query_one("#prompt-input", Input).value = str(tmp_path / "w.txt")
        await pilot.press("enter")
        assert "must end in .npz" in str(weights.query_one("#prompt-error").render())
        await pilot.press("escape", "l")
        weights.query_one("#prompt-input", Input).value = str(tmp_path / "missing.npz")
        await pilot.press("enter")
        assert "no such file" in str(weights.query_one("#prompt-error").render())
        other = session("--seed", "7")
        lstm_engine.save(other.cell, tmp_path / "seven.npz")
        weights.query_one("#prompt-input", Input).value = str(tmp_path / "seven.npz")
        await pilot.press("enter")
        assert app.stepper.session.cell == other.cell
        await pilot.press("w")
        assert isinstance(app.screen, MainScreen) and "seven.npz" in header(app)


async def test_loading_a_smaller_cell_clamps_the_selected_unit(tmp_path: Path) -> None:
    lstm_engine.save(LSTMCell.init(1, 1, 3), tmp_path / "h1.npz")
    app = make_app("--hidden-size", "3", "--inputs", "1;2;3")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "down", "w", "l")
        app.screen.query_one("#prompt-input", Input).value = str(tmp_path / "h1.npz")
        await pilot.press("enter", "escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and app.stepper.frame.unit == 0
        assert "I=1 H=1" in header(app) and len(boxes(app)) == 4


async def test_bad_paths_are_messages(tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w", "l")
        weights = app.screen
        for path, message in (("~nosuchuser/x.npz", "nosuchuser"), ("a\0b.npz", "NUL"),
                              (str(tmp_path / "[x]" / "w.npz"), "[x]")):  # fmt: skip
            weights.query_one("#prompt-input", Input).value = path
            await pilot.press("enter")
            assert message in str(weights.query_one("#prompt-error").render()), path


async def test_weights_view_names_what_each_weight_does() -> None:
    app = make_app("--cell", "slstm", "--hidden-size", "2")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w")
        table = app.screen.query_one(WeightTable)
        rows = [table.get_row_at(k) for k in range(table.row_count)]
        assert rows[0][0] == "W[0,0]" and rows[0][2] == "input gate, unit 0, from x[0]"
        assert any(r[0] == "R[3,1]" and r[2] == "forget gate, unit 1, from h_prev[1]" for r in rows)
        assert len(rows) == 8 * 1 + 8 * 2 + 8


async def test_huge_weights_read_as_numbers_everywhere() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.stepper.set_weight("weight_ih", (1, 0), 1e300)
        await pilot.press("space", "w")
        table = app.screen.query_one(WeightTable)
        values = [str(table.get_row_at(k)[1]).strip() for k in range(table.row_count)]
        assert "1.0e+300" in values and all(len(v) <= 9 for v in values)
        await pilot.press("escape")
        assert all(len(word) < 40 for word in shown(app).split())


# -- export ---------------------------------------------------------------------------------------
async def test_export_writes_the_trace(tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        app.screen.query_one(Input).value = str(tmp_path / "early.csv")
        await pilot.press("enter")
        assert "nothing to export" in str(app.screen.query_one("#error").render())
        await pilot.press("escape", "space", "x")
        app.screen.query_one(Input).value = str(tmp_path / "one.csv")
        await pilot.press("enter")
        assert app.stepper.frame.status == "wrote 1 step to one.csv"
        await pilot.press("space", "x")
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        dialog.query_one(Input).value = str(tmp_path / "trace.json")
        await pilot.press("enter")
        data = json.loads((tmp_path / "trace.json").read_text())
        assert [step["t"] for step in data["steps"]] == [1, 2]
        await pilot.press("x")
        app.screen.query_one(Input).value = str(tmp_path / "trace.xlsx")
        await pilot.press("enter")
        assert "must end in" in str(app.screen.query_one("#error").render())
        await pilot.press("escape")
        assert not (tmp_path / "trace.xlsx").exists() and not (tmp_path / "early.csv").exists()


# -- help and the palette -------------------------------------------------------------------------
@pytest.mark.parametrize("close", ["escape", "question_mark", "q"])
async def test_help_opens_and_closes(close: str) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press(close)
        assert isinstance(app.screen, MainScreen) and app.is_running


async def test_help_shows_brackets_literally() -> None:
    from rich.console import Console

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        console = Console(width=200, record=True)
        for static in app.screen.query("Static"):
            console.print(static.content)
        text = console.export_text()
        assert "[x] is the input of the current step" in text
        # its closing line names the keys that close it, as the README's table does
        assert "escape / ? / q closes this help." in text


async def test_the_palette_runs_the_actions_of_the_screen_on_top() -> None:
    app = make_app("--inputs", "1;2;3;4;5;6;7")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        compare = app.screen
        assert isinstance(compare, CompareScreen)
        titles = [c.title for c in app.get_system_commands(compare)]
        assert any(t.startswith("Right cell") for t in titles)
        assert not any(t.startswith("Weights") for t in titles)  # the main screen's
        for _ in range(2):  # switching twice from the palette, then stepping: no crash
            command = next(
                c for c in app.get_system_commands(compare) if c.title.startswith("Right cell")
            )
            command.callback()
            await pilot.pause()
        await pilot.press("space", "space")
        kinds = [lane.cell.kind for lane in app.stepper.frame.lanes]
        assert kinds == ["lstm", "mlstm"] and app.stepper.frame.t == 2


async def test_the_palette_typed_in_steps_and_opens_screens() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        for ch in "Step (":
            await pilot.press(ch if ch != " " else "space")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.stepper.frame.t == 1 and isinstance(app.screen, MainScreen)


async def test_the_palette_over_the_weights_view_offers_its_own_keys() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert any(t.startswith("Load") for t in titles) and not any(
            t.startswith("Cell") for t in titles
        )
        for _ in range(3):
            command = next(
                c for c in app.get_system_commands(app.screen) if c.title.startswith("Back")
            )
            command.callback()
            await pilot.pause()
        await pilot.press("enter")  # on the main screen at t = 0: nothing breaks
        assert isinstance(app.screen, MainScreen)


# -- compare mode ---------------------------------------------------------------------------------
async def test_compare_mode_steps_both_cells_together_with_every_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # s saves a screenshot here
    app = make_app("--inputs", "5,1.9,2,1", "--hidden-size", "2")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "v")
        compare = app.screen
        assert isinstance(compare, CompareScreen)
        lanes = app.stepper.frame.lanes
        assert lanes[1].cell.kind == "peephole" and lanes[1].record.t == 1
        await pilot.press("space", "right", "left")
        assert [s.t for s in app.stepper.sessions()] == [2, 2]
        await pilot.press("backspace", "r")
        assert [s.t for s in app.stepper.sessions()] == [0, 0]
        await pilot.press("end")
        assert all(s.at_end for s in app.stepper.sessions())
        await pilot.press("home", "down")
        assert app.stepper.frame.unit == 1
        await pilot.press("up", "tab", "shift+tab")
        assert app.stepper.frame.unit == 0
        await pilot.press("plus", "minus", "p")
        assert app.stepper.frame.playing
        await pilot.press("p", "a")
        assert app.stepper.frame.all_units == "h"
        await pilot.press("a", "a", "i", "c")
        assert app.stepper.frame.lanes[1].cell.kind == "slstm"
        await pilot.pause()
        labels = plot_text(app)
        assert "LSTM h" in labels and "sLSTM (xLSTM) c" in labels
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "e")
        assert isinstance(app.screen, InputEditor)
        app.screen.query_one(Input).value = "1 2 3 4 5 6"
        await pilot.press("enter")
        assert [s.length for s in app.stepper.sessions()] == [6, 6]
        await pilot.press("end", "7", "enter")  # live input in compare mode: both lanes
        assert [s.t for s in app.stepper.sessions()] == [7, 7]
        await pilot.press("s")
        await pilot.pause()
        assert len(list(tmp_path.glob("*.svg"))) == 1
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen) and not app.stepper.frame.comparing
        assert "step 7 / 7" in header(app)
        await pilot.press("v", "v")
        assert isinstance(app.screen, MainScreen)


async def test_compare_header_keeps_its_counter_at_80x24() -> None:
    app = make_app("--inputs", "5,1.9,2,1", "--hidden-size", "4")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "v", "c", "c")
        await pilot.pause()
        assert header(app).rstrip().endswith("step 1 / 4")


# -- panels ---------------------------------------------------------------------------------------
async def test_slstm_panels_show_stabilised_gates_n_and_m() -> None:
    app = make_app("--cell", "slstm", "--inputs", "1;2")
    reference = session("--cell", "slstm", "--inputs", "1;2")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        r = reference.step()
        gates = {box.gate.name: box for box in boxes(app)}
        row = gates["input"].text
        assert "exp(z)" in row and number(r.exp_i[0]) in row and number(r.i[0]) in row
        assert "i'" in gates["input"].title and "stabilised" in gates["input"].subtitle
        assert "σ(z)" in gates["forget"].text
        lines = app.screen.query_one("#states-left", StatePanel).text().splitlines()
        assert [line.split()[0] for line in lines[1:]] == ["c", "n", "m", "h"]
        await pilot.pause()
        assert "n" in plot_text(app) and "right axis: c, n" in plot_text(app)


async def test_mlstm_panels_show_memory_and_qkv() -> None:
    app = make_app("--cell", "mlstm", "--hidden-size", "3", "--inputs", "1;2")
    reference = session("--cell", "mlstm", "--hidden-size", "3", "--inputs", "1;2")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        r = reference.step()
        matrix = next(m for m in app.screen.query(MatrixPanel) if m.display)
        text = matrix.text()
        assert len(text.splitlines()) == 4  # a header row and a row per k
        assert f"max |C| = {number(np.max(np.abs(r.C)))}" in matrix.border_title
        cells = text.splitlines()[1].split()[-3:]  # one glyph pair per column
        assert cells[0][0] == ("+" if r.C[0, 0] > 0 else "-")
        gates = {box.gate.name: box.text for box in boxes(app)}
        assert gates["input"].startswith(" all") and len(gates["output"].splitlines()) == 3
        states = next(s for s in app.screen.query(StatePanel) if s.display).text()
        assert all(f"{name} " in states for name in ("q", "k", "v", "h~"))
        assert number(r.q[0]) in states
        await pilot.pause()
        assert "|C|" in plot_text(app)
        await pilot.press("down", "space", "a")
        await pilot.pause()
        assert app.stepper.frame.unit == 1
        await pilot.press("c")  # back to the LSTM: no matrix
        await pilot.pause()
        assert not any(m.display for m in app.screen.query(MatrixPanel))


async def test_peephole_gates_show_the_peephole_term() -> None:
    app = make_app("--cell", "peephole", "--inputs", "1;2")
    reference = session("--cell", "peephole", "--inputs", "1;2")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space")
        reference.seek(2)
        r = reference.current
        rows = {box.gate.name: box.text for box in boxes(app)}
        assert f"p*c {number(r.pc_f[0]):>9}" in rows["forget"]
        assert "p*c" not in rows["candidate"]


@pytest.mark.parametrize("cell", ["lstm", "peephole", "slstm", "mlstm"])
async def test_at_80x24_every_panel_keeps_its_rows_up_to_h4(cell: str) -> None:
    app = make_app("--cell", cell, "--hidden-size", "4", "--inputs", "1;-2;0.5;3")
    reference = session("--cell", cell, "--hidden-size", "4", "--inputs", "1;-2;0.5;3")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "down")
        await pilot.pause()
        r = reference.step()
        screen = app.screen
        panel = screen.query_one(GatePanel)
        assert panel.region.height >= panel.rows(app.stepper.frame) and panel.region.bottom <= 23
        for box in boxes(app):
            rows = box.rows
            assert len(rows) == (1 if box.gate.scalar else 4), box.gate.name
            assert all(len(row) <= box.width and "…" not in row for row in rows), rows
        states = next(s for s in screen.query(StatePanel) if s.display)
        lines = states.text().splitlines()
        assert states.region.height >= len(lines) and lines[-1 if cell != "mlstm" else 3].split()[
            0
        ] in ("h", "tanh(c)")
        assert any(line.startswith("h ") for line in lines)
        assert number(r.h[1]) in "\n".join(lines)
        equations = screen.query_one(EquationsPanel)
        await pilot.press("left_square_bracket")  # from the first equation round to h's
        await pilot.pause()
        eq_lines = equations.text().splitlines()
        assert equations.region.height >= len(eq_lines) and eq_lines[-1].endswith(number(r.h[1]))
        assert eq_lines[-1].startswith("▶ h")
        assert all(len(line) <= equations.size.width for line in eq_lines)
        for matrix in screen.query(MatrixPanel):
            if matrix.display:
                assert matrix.region.height >= 5 + 1 and len(matrix.text().splitlines()) == 5


async def test_larger_hidden_sizes_scroll_the_gate_boxes_at_80x24() -> None:
    app = make_app("--hidden-size", "8", "--inputs", "1;2;3")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space")
        for _ in range(6):
            await pilot.press("down")
        await pilot.pause()
        assert app.stepper.frame.unit == 6
        for box in boxes(app):
            assert any(row.startswith("▶6") for row in box.rows)  # the selected unit shows
            assert box.title.endswith("/8") or box.title.endswith("of 8")
        equations = app.screen.query_one(EquationsPanel)
        assert len(equations.text().splitlines()) == 1 + 6  # the step's data, the equations


async def test_an_8x8_memory_shows_all_rows() -> None:
    app = make_app("--cell", "mlstm", "--hidden-size", "8", "--inputs", "1;2")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await pilot.pause()
        matrix = next(m for m in app.screen.query(MatrixPanel) if m.display)
        assert len(matrix.text().splitlines()) == 9
        assert matrix.virtual_size.height >= 9


@pytest.mark.parametrize("size", [(80, 24), (20, 6), (40, 10), (250, 80)])
async def test_any_size_does_not_crash(size: tuple[int, int]) -> None:
    app = make_app("--cell", "mlstm", "--hidden-size", "4", "--inputs", "1;2;3")
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "space", "down", "left", "question_mark", "escape", "end", "v",
                          "space", "escape")  # fmt: skip
        await pilot.pause()
        assert app.stepper.frame.t == 3


async def test_nan_and_inf_in_a_series_never_crash_the_plot() -> None:
    app = make_app("--cell", "mlstm", "--hidden-size", "2", "--inputs", "1;2;3")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space", "space")
        plot = app.screen.query_one(TrajectoryPlot)
        frame = app.stepper.frame
        values = frame.plot.curves[0].values.copy()
        values[1] = np.nan
        values[2] = np.inf
        from dataclasses import replace

        curves = (replace(frame.plot.curves[0], values=values), *frame.plot.curves[1:])
        plot.frame = replace(frame, plot=replace(frame.plot, curves=curves, key=("nan",)))
        await pilot.pause()
        assert plot.left_out == 2 and "2 not finite, left out" in plot_text(app)


def test_the_heat_map_marks_values_that_are_not_finite() -> None:
    from tui.widgets.matrix import NOT_FINITE, cell_style, glyph

    assert glyph(float("nan"), 1.0) == NOT_FINITE and glyph(float("inf"), 1.0) == NOT_FINITE
    assert glyph(0.0, 0.0) == " ·" and glyph(-1.0, 1.0) == "-█"
    assert cell_style(float("nan"), 1.0).bgcolor is not None


async def test_stabilised_gates_show_the_papers_gate_in_narrow_boxes() -> None:
    app = make_app("--cell", "slstm", "--hidden-size", "4", "--inputs", "1;-2;0.5;3")
    reference = session("--cell", "slstm", "--hidden-size", "4", "--inputs", "1;-2;0.5;3")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        r = reference.step()
        gates = {box.gate.name: box for box in boxes(app)}
        assert gates["input"].subtitle.endswith("value · exp(z)")
        assert gates["input"].rows[0].endswith(number(r.exp_i[0]))
        assert gates["forget"].rows[0].endswith(number(r.sig_f[0]))


# -- found by a fresh tester --------------------------------------------------------------------
async def test_going_back_to_t0_clears_the_equations_rows() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "home")
        await pilot.pause()
        panel = app.screen.query_one(EquationsPanel)
        rows = [panel.render_line(y).text.strip() for y in range(6)]
        assert rows[0].startswith("t = 0") and rows[2:] == ["", "", "", ""]


async def test_a_pasted_negative_number_at_the_end_is_one_input() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        speed = app.stepper.frame.speed
        await pilot.press("end")
        await burst(app, "-3\r")
        await pilot.pause(0.2)
        assert app.stepper.session.inputs.ravel().tolist()[-1] == -3.0
        assert app.stepper.frame.speed == speed
        await pilot.press("minus")  # alone: slower, a moment later
        await pilot.pause(0.2)
        assert app.stepper.frame.speed == speed / 2


async def test_live_input_says_what_a_step_needs() -> None:
    app = make_app("--inputs", "1,2;3,4", "--hidden-size", "2")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        assert "type the next input (2 numbers)" in header(app)
        await pilot.press("7", "enter")
        error = str(app.screen.query_one("#live-error").render())
        assert "type 2 numbers (the input size); '7' has 1" in error and "step 1" not in error
        await pilot.press("space", "8", "enter")
        assert app.stepper.session.inputs.tolist()[-1] == [7.0, 8.0]


async def test_an_8x8_memory_at_80x24_follows_the_selected_unit_and_leaves_the_plot() -> None:
    app = make_app("--cell", "mlstm", "--hidden-size", "8", "--inputs", "1;-2;0.5;3")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", *["down"] * 7)
        await pilot.pause()
        matrix = next(m for m in app.screen.query(MatrixPanel) if m.display)
        rows = matrix.text().splitlines()[1:]
        assert any(row.startswith("▶ 7") for row in rows) and len(rows) < 8
        assert "of 8" in matrix.border_title
        plot = app.screen.query_one(TrajectoryPlot)
        assert plot.region.height >= 7 and plot._canvas is not None


async def test_bars_side_by_side_are_equally_long() -> None:
    app = make_app("--hidden-size", "2", "--inputs", "1;2;3")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space", "v")
        await pilot.pause()
        await pilot.pause()
        widths = set()
        for box in boxes(app):
            for row in box.rows:
                widths.add(sum(row.count(ch) for ch in "█▏▎▍▌▋▊▉▕▐·│"))
        assert len(widths) == 1, widths  # the peephole's p*c column shortens no bar
    app = make_app("--cell", "slstm", "--inputs", "1;2")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space")
        bars = {len(box.rows[0].split()[1]) for box in boxes(app)}
        assert len(bars) == 1


async def test_the_strip_shows_the_last_input_whole_at_the_end(tmp_path: Path) -> None:
    values = np.random.default_rng(0).normal(0, 1, 500)
    np.savetxt(tmp_path / "x.csv", values, fmt="%.4f")
    app = make_app("--inputs-file", str(tmp_path / "x.csv"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("end")
        await pilot.pause()
        strip = app.screen.query_one("#strip").text().rstrip()
        assert strip.startswith("x: …") and strip.endswith(f"[{float(f'{values[-1]:.4f}'):g}]")


async def test_markers_that_meet_are_drawn_as_one_glyph() -> None:
    app = make_app("--cell", "slstm", "--inputs", "1;2")  # two points: h, c and n meet
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space")
        await pilot.pause()
        assert "◆ curves meet" in plot_text(app)


async def test_typing_a_number_key_by_key_at_the_end() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        for key in ("3", "full_stop", "5"):
            await pilot.press(key)
            await pilot.pause(0.1)  # a person, not a burst
        await pilot.press("enter")
        assert app.stepper.session.inputs.ravel().tolist()[-1] == 3.5


@pytest.mark.parametrize("size", [(80, 24), SIZE])
async def test_compare_mode_says_what_was_shared_at_every_size(size: tuple[int, int]) -> None:
    """At 80x24 the columns have no bottom border for the subtitle: the title says it."""
    app = make_app("--cell", "rnn", "--hidden-size", "3")
    async with app.run_test(size=size) as pilot:
        await pilot.press("v")
        await pilot.pause()
        right = app.screen.query_one("#compare-right")
        shown = f"{right.border_title} {right.border_subtitle if size == SIZE else ''}"
        said = "shared from rnn: its weights as the candidate rows"
        assert (said if size == SIZE else "LSTM · c_bar ← rnn's W") in shown
        await pilot.press("c", "c", "c")  # the mLSTM shares nothing
        assert "nothing shared" in f"{right.border_title} {right.border_subtitle}"


async def test_a_dialog_over_play_shows_the_pause_at_once() -> None:
    app = make_app("--inputs", ",".join(["1"] * 50))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        assert app.stepper.frame.playing
        await pilot.press("o")  # the preset picker leaves the header in sight
        await pilot.pause()
        below = app.screen_stack[-2]
        assert not app.stepper.frame.playing
        # the frame the screen beneath draws (its header included) says so
        assert below.frame is not None and not below.frame.playing
        assert below.frame.status == "paused"


@pytest.mark.parametrize("hidden", ["1", "4"])
async def test_the_footer_fits_80_columns(hidden: str) -> None:
    """Every key the footer shows is whole at 80x24 (with H > 1 it has the unit key too)."""
    app = make_app("--hidden-size", hidden)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        last = app.screen._compositor.render_strips()[-1].text.rstrip()
        shown = [k for k in MAIN if k.footer and app.screen.check_action(k.action, ())]
        for key in shown:
            assert f"{key.display or key.written} {key.label}" in last, (key.label, last)
