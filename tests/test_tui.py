"""The dashboard driven by keys (Textual's Pilot): every binding, and the numbers shown."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from textual.widgets import DataTable, Input

from lstm_engine import Session
from tui.app import MainScreen, StepperApp
from tui.screens import ExportDialog, HelpScreen, InputEditor, LiveInput, WeightsScreen
from tui.widgets import EquationsPanel, GateWidget, HeaderBar, StatePanel, TrajectoryPlot

from tui_helpers import make_app, session

SIZE = (120, 40)


def main_screen(app: StepperApp) -> MainScreen:
    return app.main


def shown(app: StepperApp) -> str:
    """The text of every panel of the dashboard, as rendered now."""
    screen = main_screen(app)
    parts = [screen.query_one(HeaderBar).render().plain]
    parts += [w.render().plain for w in screen.query(GateWidget)]
    parts.append(screen.query_one(StatePanel).render().plain)
    parts.append(screen.query_one(EquationsPanel).render().plain)
    return "\n".join(parts)


def expected_numbers(reference: Session, t: int, unit: int = 0) -> list[str]:
    """What the engine says for step t, to 4 decimals: every gate, c_prev, c, tanh(c), h."""
    r = reference.record(t)
    values = [r.f, r.i, r.g, r.o, r.c_prev, r.c, r.tanh_c, r.h, r.h_prev]
    return [f"{v[unit]:.4f}" for v in values]


async def test_first_screen_is_the_original_example() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = shown(app)
        assert "LSTM" in text and "I=1 H=1" in text and "seed 42" in text
        assert "step 0 / 3" in text
        assert main_screen(app).session.inputs.ravel().tolist() == [5.0, 1.9, 2.0]


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
            for number in expected_numbers(reference, t):
                assert number in text, (t, number)
        equations = main_screen(app).query_one(EquationsPanel).render().plain
        assert "f = sigmoid(0.0497*h_prev + -0.0138*x + 0.0000) = sigmoid(-0.0225) = 0.4944" in (
            equations
        )
        await pilot.press("left")
        text = shown(app)
        assert "step 2 / 3" in text
        for number in expected_numbers(reference, 2):
            assert number in text
        assert "0.2043" not in text  # step 3's c is gone


async def test_the_original_first_step_equation() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        equations = main_screen(app).query_one(EquationsPanel).render().plain
        assert equations.splitlines()[0] == (
            "f = sigmoid(0.0497*h_prev + -0.0138*x + 0.0000) = sigmoid(-0.0691) = 0.4827"
        )
        assert equations.splitlines()[5].endswith("= 0.1151")


@pytest.mark.parametrize("key", ["left", "backspace"])
async def test_back_keys_rewind_exactly(key: str) -> None:
    app = make_app("--hidden-size", "2", "--inputs", "1;2;3")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space")
        before = main_screen(app).session.state_at(1)
        await pilot.press(key)
        s = main_screen(app).session
        assert s.t == 1
        assert all(np.array_equal(before[k], s.state[k]) for k in before)


@pytest.mark.parametrize("key", ["home", "r"])
async def test_reset_keys(key: str) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space", key)
        assert main_screen(app).session.t == 0
        assert "step 0 / 3" in shown(app)


async def test_end_runs_to_the_end_and_stepping_past_it_only_says_so() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        assert main_screen(app).session.t == 3
        await pilot.press("space")
        await pilot.pause()
        assert main_screen(app).session.t == 3
        notes = [n.message for n in app._notifications]
        assert any("End of the sequence" in m for m in notes)
        assert "step 3 / 3" in shown(app)


async def test_back_at_the_start_only_says_so() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("left")
        await pilot.pause()
        assert main_screen(app).session.t == 0
        assert any("start" in n.message for n in app._notifications)


async def test_play_pause_and_speed() -> None:
    app = make_app("--inputs", ",".join(["1"] * 50))
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        start_speed = screen.speed
        await pilot.press("plus", "plus", "plus")
        assert screen.speed == start_speed + 3
        await pilot.press("minus")
        assert screen.speed == start_speed + 2
        await pilot.press("p")
        assert screen.playing
        await pilot.pause(0.5)
        await pilot.press("p")
        assert not screen.playing
        stepped = screen.session.t
        assert 1 <= stepped < 50
        await pilot.pause(0.3)
        assert screen.session.t == stepped  # paused means paused
        assert "playing" not in shown(app)


async def test_play_stops_at_the_end() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        for _ in range(4):
            await pilot.press("plus")
        await pilot.press("p")
        await pilot.pause(1.0)
        assert screen.session.at_end and not screen.playing


@pytest.mark.parametrize(("keys", "unit"), [(["down"], 1), (["tab", "tab"], 2), (["up"], 2)])
async def test_unit_selection(keys: list[str], unit: int) -> None:
    app = make_app("--hidden-size", "3", "--inputs", "1;2")
    reference = session("--hidden-size", "3", "--inputs", "1;2")
    reference.run_to_end()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", *keys)
        screen = main_screen(app)
        assert screen.unit == unit
        text = shown(app)
        assert "States · unit" in screen.query_one(StatePanel).border_title
        assert f"unit {unit}" in screen.query_one(StatePanel).border_title
        equations = screen.query_one(EquationsPanel).render().plain
        assert equations.splitlines()[-1].endswith(f"= {reference.record(1).h[unit]:.4f}")
        for gate in screen.query(GateWidget):
            assert len(gate.render().plain.splitlines()) == 3  # every unit has a row
        assert text.count("▶") == 4  # the selected unit is marked in each gate


async def test_all_units_plot_toggle() -> None:
    app = make_app("--hidden-size", "2", "--inputs", "1;2")
    async with app.run_test(size=SIZE) as pilot:
        plot = main_screen(app).query_one(TrajectoryPlot)
        await pilot.press("space", "a")
        assert plot.all_units
        await pilot.pause()
        assert any("all units" in line.text for line in plot._strips)


async def test_input_editor_applies_good_input() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space", "e")
        assert isinstance(app.screen, InputEditor)
        app.screen.query_one(Input).value = "5, 1, 9, 2"
        await pilot.press("enter")
        s = main_screen(app).session
        assert not isinstance(app.screen, InputEditor)
        assert s.inputs.ravel().tolist() == [5, 1, 9, 2] and s.t == 2
        assert "0.0856" in shown(app)  # the original's h at step 2 of 5, 1, 9, 2


@pytest.mark.parametrize(
    ("text", "message"),
    [("5, x, 2", "'x' is not a number"), ("", "empty"), ("1, nan", "not a finite number")],
)
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
        s = main_screen(app).session
        assert s.inputs.ravel().tolist() == [5.0, 1.9, 2.0] and s.t == 1


async def test_live_input_at_the_end_appends_and_steps() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end", "7")
        assert isinstance(app.screen, LiveInput)
        await pilot.press("enter")
        s = main_screen(app).session
        assert s.inputs.ravel().tolist() == [5.0, 1.9, 2.0, 7.0] and s.t == 4
        assert "step 4 / 4" in shown(app)
        await pilot.press("minus", "2", "x", "enter")  # a bad number: the prompt stays
        assert isinstance(app.screen, LiveInput)
        await pilot.press("escape")
        assert main_screen(app).session.length == 4


async def test_weight_editor_changes_the_trace() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space", "w")
        weights = app.screen
        assert isinstance(weights, WeightsScreen)
        table = weights.query_one(DataTable)
        assert table.row_count == 4 * 2 + 4 + 4  # weight_ih, weight_hh, two biases
        before = main_screen(app).session.current.h.copy()
        row = next(k for k, (key, _) in enumerate(weights.entries) if key == "bias_ih")
        table.move_cursor(row=row)
        await pilot.press("enter")
        weights.query_one("#prompt-input", Input).value = "0.75"
        await pilot.press("enter")
        s = main_screen(app).session
        assert s.t == 2 and s.cell.params["bias_ih"][0] == 0.75
        fresh = Session(s.cell, s.inputs)
        fresh.seek(2)
        assert np.array_equal(s.current.h, fresh.current.h)
        assert not np.array_equal(s.current.h, before)
        await pilot.press("enter")
        weights.query_one("#prompt-input", Input).value = "abc"
        await pilot.press("enter")
        assert "not a finite number" in str(weights.query_one("#prompt-error").render())
        await pilot.press("escape", "escape")
        assert app.screen is main_screen(app)
        assert f"{s.current.h[0]:.4f}" in shown(app)
        assert "(edited)" in shown(app)


async def test_weights_save_and_load(tmp_path: Path) -> None:
    app = make_app()
    target = tmp_path / "w.npz"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w", "S")
        weights = app.screen
        weights.query_one("#prompt-input", Input).value = str(target)
        await pilot.press("enter")
        assert target.exists()
        await pilot.press("l")
        weights.query_one("#prompt-input", Input).value = str(tmp_path / "missing.npz")
        await pilot.press("enter")
        assert "no such file" in str(weights.query_one("#prompt-error").render())
        other = session("--seed", "7")
        import lstm_engine

        lstm_engine.save(other.cell, tmp_path / "seven.npz")
        weights.query_one("#prompt-input", Input).value = str(tmp_path / "seven.npz")
        await pilot.press("enter")
        assert main_screen(app).session.cell == other.cell


async def test_export_writes_the_trace(tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space", "x")
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
        assert not (tmp_path / "trace.xlsx").exists()


async def test_screenshot_is_saved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "s")
        await pilot.pause()
        shots = list(tmp_path.glob("*.svg"))
        assert len(shots) == 1 and "<svg" in shots[0].read_text()[:500]


async def test_help_opens_and_closes() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert app.screen is main_screen(app)


async def test_quit() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_every_binding_is_in_the_footer_and_the_command_palette() -> None:
    app = make_app()
    async with app.run_test(size=SIZE):
        titles = [c.title for c in app.get_system_commands(main_screen(app))]
        for binding in MainScreen.BINDINGS:
            if binding.action.endswith("quit"):
                continue
            assert any(title.startswith(binding.description) for title in titles), binding


async def test_palette_command_runs_the_action() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        command = next(
            c for c in app.get_system_commands(main_screen(app)) if c.title.startswith("Step")
        )
        command.callback()
        await pilot.pause()
        assert main_screen(app).session.t == 1


@pytest.mark.parametrize("size", [(80, 24), (20, 6), (40, 10)])
async def test_small_terminals_do_not_crash(size: tuple[int, int]) -> None:
    app = make_app("--hidden-size", "4", "--inputs", "1;2;3")
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "space", "down", "left", "question_mark", "escape", "end")
        await pilot.pause()
        assert main_screen(app).session.t == 3


async def test_80x24_shows_every_panel_of_the_example() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space")
        await pilot.pause()
        screen = main_screen(app)
        for widget in (*screen.query(GateWidget), screen.query_one(StatePanel)):
            assert widget.region.height >= 1 and widget.region.bottom <= 23
        assert "step 1 / 3" in screen.query_one(HeaderBar).render().plain
        equations = screen.query_one(EquationsPanel)
        assert equations.region.height >= 6


async def test_switching_cells_keeps_inputs_and_step() -> None:
    app = make_app("--hidden-size", "3", "--inputs", "1;-2;0.5;3")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space")
        screen = main_screen(app)
        seen = []
        for _ in range(4):
            await pilot.press("c")
            await pilot.pause()
            s = screen.session
            seen.append(s.cell.kind)
            assert s.t == 2 and s.inputs.ravel().tolist() == [1, -2, 0.5, 3]
            gates = [w.gate.name for w in screen.query(GateWidget)]
            assert gates == [g.name for g in s.cell.gates]
            assert s.cell.title in shown(app)
            reference = Session(type(s.cell).init(1, 3, 42), s.inputs)
            reference.seek(2)
            assert np.array_equal(reference.current.h, s.current.h)
        assert seen == ["peephole", "slstm", "mlstm", "lstm"]


async def test_slstm_panels_show_exp_gate_n_and_m() -> None:
    app = make_app("--cell", "slstm", "--inputs", "1;2")
    reference = session("--cell", "slstm", "--inputs", "1;2")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        r = reference.step()
        screen = main_screen(app)
        input_gate = next(w for w in screen.query(GateWidget) if w.gate.name == "input")
        row = input_gate.render().plain
        assert f"exp(z) {r.exp_i[0]:.2e}" in row and f"{r.i[0]:.4f}" in row
        assert "stabilised" in input_gate.border_subtitle
        lines = screen.query_one(StatePanel).render().plain.splitlines()
        assert [line.split()[0] for line in lines[1:]] == ["c", "n", "m", "h"]
        plot = screen.query_one(TrajectoryPlot)
        await pilot.pause()
        assert any("Normaliser (n)" in strip.text for strip in plot._strips)


async def test_mlstm_panels_show_memory_and_qkv() -> None:
    from tui.widgets import MatrixPanel

    app = make_app("--cell", "mlstm", "--hidden-size", "3", "--inputs", "1;2")
    reference = session("--cell", "mlstm", "--hidden-size", "3", "--inputs", "1;2")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        r = reference.step()
        screen = main_screen(app)
        matrix = screen.query_one(MatrixPanel)
        assert matrix.display
        text = matrix.render().plain
        assert len(text.splitlines()) == 4  # a header row and a row per k
        assert f"max |C| = {np.max(np.abs(r.C)):.3g}" in matrix.border_title
        cells = text.splitlines()[1].split()[-3:]  # one glyph pair per column
        assert cells[0][0] == ("+" if r.C[0, 0] > 0 else "-")
        gates = {w.gate.name: w.render().plain for w in screen.query(GateWidget)}
        assert gates["input"].startswith(" all") and len(gates["output"].splitlines()) == 3
        lines = screen.query_one(StatePanel).render().plain.splitlines()
        rows = {line.split()[0]: line.split()[1:] for line in lines[1:]}
        assert {"q", "k", "v", "n", "m", "h"} <= set(rows)
        assert rows["q"] == [f"{r.q[0]:.4f}"]
        await pilot.pause()
        plot = screen.query_one(TrajectoryPlot)
        assert any("Memory Norm (|C|)" in strip.text for strip in plot._strips)
        await pilot.press("down", "space", "a")  # unit 1; |C| has no units of its own
        await pilot.pause()
        assert screen.unit == 1
        assert any("Memory Norm (|C|)" in strip.text for strip in plot._strips)
        await pilot.press("c")  # back to the LSTM: no matrix
        await pilot.pause()
        assert not screen.query_one(MatrixPanel).display


async def test_peephole_gates_show_the_peephole_term() -> None:
    app = make_app("--cell", "peephole", "--inputs", "1;2")
    reference = session("--cell", "peephole", "--inputs", "1;2")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space")
        reference.seek(2)
        r = reference.current
        rows = {w.gate.name: w.render().plain for w in main_screen(app).query(GateWidget)}
        assert f"p*c {r.pc_f[0]:+.3f}" in rows["forget"]
        assert f"p*c {r.pc_o[0]:+.3f}" in rows["output"]
        assert "p*c" not in rows["candidate"]


async def test_compare_mode_steps_both_cells_together() -> None:
    from tui.screens import CompareScreen

    app = make_app("--inputs", "5,1.9,2,1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "v")
        compare = app.screen
        assert isinstance(compare, CompareScreen)
        assert compare.right.cell.kind == "peephole" and compare.right.t == 1
        await pilot.press("space", "space", "left")
        assert compare.left.t == compare.right.t == 2
        peephole = compare.right.cell
        for key in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            assert np.array_equal(peephole.params[key], compare.left.cell.params[key])
        await pilot.press("c")
        assert compare.right.cell.kind == "slstm" and compare.right.t == 2
        assert "W, R, b" in compare.shared
        await pilot.pause()
        plot = compare.query_one("#compare-plot")
        labels = " ".join(strip.text for strip in plot._strips)
        assert "LSTM: h" in labels and "sLSTM (xLSTM): c" in labels
        await pilot.press("end")
        assert compare.left.at_end and compare.right.at_end
        await pilot.press("escape")
        assert app.screen is main_screen(app)
        assert "step 4 / 4" in shown(app)


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["--inputs", "abc"], "'abc' is not a number"), (["--bogus"], "unrecognized arguments")],
)
def test_bad_options_exit_2_with_one_line(capsys, argv: list[str], message: str) -> None:
    from tui.app import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("lstm-stepper: error: ") and message in err


async def test_live_input_takes_a_negative_number_at_the_end() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        speed = main_screen(app).speed
        await pilot.press("end", "minus", "1", "full_stop", "5", "enter")
        s = main_screen(app).session
        assert s.inputs.ravel().tolist()[-1] == -1.5 and s.t == 4
        assert main_screen(app).speed == speed  # "-" began a number, not "slower"


async def test_weights_view_names_what_each_weight_does() -> None:
    app = make_app("--cell", "slstm", "--hidden-size", "2")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w")
        table = app.screen.query_one(DataTable)
        rows = [table.get_row_at(k) for k in range(table.row_count)]
        assert rows[0][0] == "W[0,0]" and rows[0][2] == "input gate, unit 0, from x[0]"
        assert any(r[0] == "R[3,1]" and r[2] == "forget gate, unit 1, from h_prev[1]" for r in rows)
        assert len(rows) == 8 * 1 + 8 * 2 + 8


async def test_narrow_panels_keep_every_number_whole() -> None:
    app = make_app("--hidden-size", "3", "--inputs", "1;-2;0.5")
    reference = session("--hidden-size", "3", "--inputs", "1;-2;0.5")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space")
        await pilot.pause()
        r = reference.step()
        screen = main_screen(app)
        for widget in screen.query(GateWidget):
            rows = widget.render().plain.splitlines()
            width = widget.size.width
            assert all(len(row) <= width and "…" not in row for row in rows), rows
            pre = getattr(r, widget.gate.pre)
            assert rows[0].endswith(f"{pre[0]:+.2f}") or rows[0].endswith(f"{pre[0]:+.3f}")
        equations = screen.query_one(EquationsPanel)
        lines = equations.render().plain.splitlines()
        assert all(len(line) <= equations.size.width for line in lines)
        assert lines[0].endswith(f"= {r.f[0]:.4f}") and "sigmoid(...)" in lines[0]


def test_fit_drops_the_long_sum_first() -> None:
    from tui.widgets.equations import fit

    line = "f = sigmoid(W_h.h_prev 0.0000 + W_x.x 0.0767 + 0.0000) = sigmoid(0.0767) = 0.5192"
    assert fit(line, 200) == line
    assert fit(line, 60) == "f = sigmoid(...) = sigmoid(0.0767) = 0.5192"


async def test_help_shows_brackets_literally() -> None:
    from rich.console import Console

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        console = Console(width=200, record=True)
        for static in app.screen.query("Static"):
            console.print(static.content)
        assert "[x] is the input of the current step" in console.export_text()


async def test_file_names_with_brackets_show_literally(tmp_path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w", "l")
        weights = app.screen
        missing = str(tmp_path / "[x]" / "w.npz")
        weights.query_one("#prompt-input", Input).value = missing
        await pilot.press("enter")
        assert missing in str(weights.query_one("#prompt-error").render())
