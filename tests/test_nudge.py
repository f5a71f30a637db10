"""Nudge mode: which values can be nudged (``lstm_engine.nudge``), the controller's
``set_input_job`` and ``nudge_job``, and the nudge bar driven by keys (n, tab, ↑, *, /,
escape)."""

from __future__ import annotations

import numpy as np
import pytest
from textual import events

from lstm_engine import nudge
from lstm_engine.cells import CELLS
from lstm_engine.cells.weights import symbolic_shapes
from lstm_engine.session import Session, SessionError
from lstm_engine.stepper import Stepper
from tui.jobs import JobDialog
from tui.screens.main import MainScreen
from tui.widgets import EquationsPanel, LiveInputBar
from tui.widgets.nudge import NudgeBar, line

from tui_helpers import make_app, session

SIZE = (120, 40)
I, H = 2, 3  # noqa: E741 (the cell's sizes, named as in its equations)


def cell_of(kind: str) -> object:
    return CELLS[kind].init(I, H, 7)


# -- which values -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(CELLS))
@pytest.mark.parametrize("unit", [0, H - 1])
def test_the_weights_of_a_unit_are_its_rows_of_every_block(kind: str, unit: int) -> None:
    cell = CELLS[kind].init(I, H, 7)
    found = nudge.weight_targets(cell, unit)
    shapes = symbolic_shapes(type(cell))
    for key, array in cell.params.items():
        mine = {t.index for t in found if t.key == key}
        first = shapes[key][0] if shapes[key] else ""
        if first.endswith("H"):  # blocks of H rows: the unit's row of each, every column
            blocks = array.shape[0] // H
            rows = {index[0] for index in mine}
            assert rows == {b * H + unit for b in range(blocks)}
            assert len(mine) == blocks * int(np.prod(array.shape[1:]))
        else:  # shared by every unit: each of its values
            assert len(mine) == array.size
            assert all("every unit" in t.about for t in found if t.key == key)
    assert len({(t.key, t.index) for t in found}) == len(found)  # none twice


def test_the_lstm_unit_1_has_the_rows_1_5_9_13() -> None:
    cell = CELLS["lstm"].init(I, 4, 7)
    rows = sorted({t.index[0] for t in nudge.weight_targets(cell, 1) if t.key == "weight_ih"})
    assert rows == [1, 5, 9, 13]
    peephole = CELLS["peephole"].init(I, 4, 7)
    diagonal = [t.index for t in nudge.weight_targets(peephole, 2) if t.key == "peephole_f"]
    assert diagonal == [(2,)]


def test_labels_name_the_element_and_what_it_feeds() -> None:
    cell = CELLS["lstm"].init(I, 4, 7)
    first = nudge.weight_targets(cell, 1)[0]
    assert first.name == "weight_ih[1,0]"
    assert first.about == "input gate, unit 1, from x[0]"
    mlstm = CELLS["mlstm"].init(I, 4, 7)
    shared = [t for t in nudge.weight_targets(mlstm, 0) if t.key == "b_f"]
    assert [t.name for t in shared] == ["b_f"] and shared[0].about == "forget gate, every unit"


@pytest.mark.parametrize(("t", "row"), [(0, 0), (1, 0), (3, 2)])
def test_the_input_targets_are_the_current_steps(t: int, row: int) -> None:
    cell = CELLS["rnn"].init(I, H, 7)
    found = [x for x in nudge.targets(cell, 0, t) if x.is_input]
    assert [x.index for x in found] == [(row, c) for c in range(I)]
    assert found[1].name == f"x_{row + 1}[1]"


@pytest.mark.parametrize("kind", list(CELLS))
def test_apply_changes_exactly_that_element(kind: str) -> None:
    cell = CELLS[kind].init(I, H, 7)
    inputs = np.arange(8.0).reshape(4, I)
    for target in nudge.targets(cell, 1, 2):
        new_cell, new_inputs = nudge.apply(target, cell, inputs, 123.5)
        assert nudge.value_of(target, new_cell, new_inputs) == 123.5
        before = {**cell.params, "x": inputs}
        after = {**new_cell.params, "x": new_inputs}
        for key, array in before.items():
            changed = np.argwhere(after[key] != array)
            expected = [list(target.index)] if key == target.key else []
            assert changed.tolist() == expected, (target, key)
    assert inputs[0, 0] == 0.0 and nudge.value_of(target, cell, inputs) != 123.5  # untouched


def test_apply_refuses_what_is_not_finite_and_nudged_what_overflows() -> None:
    cell = CELLS["lstm"].init(I, H, 7)
    target = nudge.weight_targets(cell, 0)[0]
    with pytest.raises(ValueError, match="not a finite number"):
        nudge.apply(target, cell, np.zeros((2, I)), float("inf"))
    with pytest.raises(ValueError, match="not finite"):
        nudge.nudged(1.7e308, 1e308, 1)
    assert nudge.nudged(0.5, 0.01, -1) == pytest.approx(0.49)


def test_the_step_moves_by_tens_within_its_range() -> None:
    assert nudge.coarser(0.01) == pytest.approx(0.1)
    assert nudge.finer(0.01) == pytest.approx(0.001)
    assert nudge.coarser(nudge.LARGEST_STEP) == nudge.LARGEST_STEP
    assert nudge.finer(nudge.SMALLEST_STEP) == nudge.SMALLEST_STEP


# -- the controller -----------------------------------------------------------------------------


def stepper_at(t: int, *argv: str) -> Stepper:
    stepper = Stepper(session("--hidden-size", "2", "--inputs", "1;2;3;4;5", *argv))
    stepper.seek(t)
    return stepper


def test_set_input_recomputes_the_history_and_keeps_the_step() -> None:
    stepper = stepper_at(4)
    frame = stepper.set_input(2, 0, -3.25)
    assert frame.t == 4 and not frame.refused and frame.status == ""  # the bar says it
    assert frame.inputs[:, 0].tolist() == [1, -3.25, 3, 4, 5]
    reference = Session(frame.cell, frame.inputs)
    reference.seek(4)
    assert np.array_equal(frame.record.h, reference.current.h)
    assert not np.array_equal(frame.record.h, stepper_at(4).frame.record.h)


@pytest.mark.parametrize(("t", "column"), [(0, 0), (6, 0), (1, 1)])
def test_set_input_refuses_a_place_outside_the_sequence(t: int, column: int) -> None:
    stepper = stepper_at(2)
    with pytest.raises(SessionError):
        stepper.set_input_job(t, column, 1.0)
    assert stepper.frame.inputs[:, 0].tolist() == [1, 2, 3, 4, 5]


def test_set_input_refuses_a_value_that_is_not_finite() -> None:
    stepper = stepper_at(2)
    before = stepper.frame
    with pytest.raises(ValueError, match="finite"):
        stepper.set_input_job(1, 0, float("nan"))
    assert stepper.frame is before


def test_a_nudge_that_overflows_a_step_changes_nothing() -> None:
    stepper = stepper_at(3, "--cell", "slstm")
    before = stepper.frame
    target = next(t for t in nudge.targets(before.cell, 0, 3) if t.key == "W")
    frame = stepper.nudge_job(target, 1.7e308).run()  # x = 2 makes z = 3.4e308: inf
    assert frame.refused and frame.status.startswith(f"nudging {target.name}: refused")
    assert "nothing changed" in frame.status
    assert frame.t == 3 and frame.cell is before.cell and frame.lanes[0].origin == "seed 42"
    assert np.array_equal(frame.record.h, before.record.h)


def test_a_weight_nudge_says_edited_and_recomputes_to_the_step() -> None:
    stepper = stepper_at(3)
    target = nudge.weight_targets(stepper.frame.cell, 1)[0]
    frame = stepper.nudge_job(target, 0.75).run()
    assert frame.t == 3 and frame.lanes[0].origin.endswith("(edited)")
    assert frame.cell.params[target.key][target.index] == 0.75
    reference = Session(frame.cell, frame.inputs)
    reference.seek(3)
    assert np.array_equal(frame.record.c, reference.current.c)


# -- the bar -----------------------------------------------------------------------------------


def test_the_bar_line_fits_its_width_keeping_the_value() -> None:
    target = nudge.Target("weight_ih", (5, 0), "weight_ih[5,0]", "forget gate, unit 1, from x[0]")
    for width in (30, 78, 118, 140):
        text = line(target, 0.0497, 0.01, 3, 28, width)
        assert text.startswith("nudge weight_ih[5,0] = 0.0497  step 0.01")
        assert len(text) <= width or width < 41  # the value itself is never cut
    assert "forget gate" in line(target, 0.0497, 0.01, 3, 28, 78)
    assert "4/28" in line(target, 0.0497, 0.01, 3, 28, 118)
    assert "esc: done" in line(target, 0.0497, 0.01, 3, 28, 140)


def bar_of(app: object) -> NudgeBar:
    return app.screen.query_one(NudgeBar)  # type: ignore[attr-defined]


async def test_n_opens_the_bar_and_tab_chooses_the_value() -> None:
    app = make_app("--hidden-size", "4")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "n")
        bar = bar_of(app)
        assert bar.is_open and bar.has_focus
        names = [t.name for t in bar.targets()]
        assert bar.target is not None and bar.target.name == names[0]
        await pilot.press("tab", "tab")
        assert bar.target.name == names[2]
        await pilot.press("shift+tab")
        assert bar.target.name == names[1]
        await pilot.press("shift+tab", "shift+tab")  # round to the input, the last
        assert bar.target.name == names[-1] == "x_1[0]"
        assert app.stepper.frame.unit == 0  # tab did not choose a unit
        assert "x_1[0]" in str(bar.render())


async def test_up_changes_the_value_and_the_frame_at_once() -> None:
    app = make_app("--hidden-size", "4")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space", "n")
        bar = bar_of(app)
        target = bar.target
        assert target is not None
        before = app.stepper.frame
        old = nudge.value_of(target, before.cell, before.inputs)
        await pilot.press("up")
        frame = app.stepper.frame
        assert nudge.value_of(target, frame.cell, frame.inputs) == pytest.approx(old + 0.01)
        assert frame.t == 2 and not np.array_equal(frame.record.h, before.record.h)
        assert app.screen.frame is frame  # the panels draw it
        assert f"= {nudge.value_of(target, frame.cell, frame.inputs):.6g}" in str(bar.render())
        await pilot.press("down", "down")
        frame = app.stepper.frame
        assert nudge.value_of(target, frame.cell, frame.inputs) == pytest.approx(old - 0.01)


async def test_the_input_can_be_nudged_and_the_equations_follow() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "n", "shift+tab")  # the last value: x_1[0]
        equations = app.screen.query_one(EquationsPanel)
        before = equations.text()
        await pilot.press("asterisk", "asterisk", "up")  # step 1
        assert app.stepper.frame.inputs[0, 0] == pytest.approx(6.0)
        assert app.stepper.frame.t == 1 and equations.text() != before


async def test_star_and_slash_change_the_step() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        bar = bar_of(app)
        await pilot.press("asterisk")
        assert bar.step == pytest.approx(0.1) and "step 0.1 " in str(bar.render())
        await pilot.press("slash", "slash")
        assert bar.step == pytest.approx(0.001)


async def test_escape_leaves_and_the_arrows_choose_units_again() -> None:
    app = make_app("--hidden-size", "4")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "up")
        edited = app.stepper.frame.cell
        await pilot.press("escape")
        bar = bar_of(app)
        assert not bar.is_open and not bar.has_focus
        await pilot.press("down", "down")
        assert app.stepper.frame.unit == 2 and app.stepper.frame.cell is edited
        await pilot.press("n", "n")  # n leaves too
        assert not bar.is_open


async def test_space_and_plus_keep_their_meaning_while_nudging() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "space", "space", "left")
        assert app.stepper.frame.t == 1
        speed = app.stepper.frame.speed
        await pilot.press("plus")
        assert app.stepper.frame.speed > speed
        bar = bar_of(app)
        assert bar.is_open and bar.target is not None


async def test_the_input_value_follows_the_step() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "shift+tab")
        bar = bar_of(app)
        assert bar.target is not None and bar.target.name == "x_1[0]"
        await pilot.press("space", "space")
        assert bar.target.name == "x_2[0]"


async def test_digits_at_the_end_open_the_live_input_only_with_the_bar_closed() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end", "n", "7")
        live = app.screen.query_one(LiveInputBar)
        assert not live.is_open and bar_of(app).is_open
        await pilot.press("escape", "7")
        assert live.is_open and live.field.value == "7"


async def test_a_nudge_to_overflow_is_refused_and_changes_nothing() -> None:
    app = make_app("--cell", "slstm")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "n")
        bar = bar_of(app)
        for _ in range(6):
            await pilot.press("asterisk")  # the largest step
        before = app.stepper.frame
        bar._pending = (bar.target, 1.7e308)  # as if pressed up to there
        bar.post_message(NudgeBar.Nudged())
        await pilot.pause()
        frame = app.stepper.frame
        assert frame.refused and "nothing changed" in frame.status
        assert frame.cell is before.cell


async def test_presses_before_the_screen_takes_them_make_one_nudge(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = make_app("--hidden-size", "2")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "n", "shift+tab")  # x_1[0] = 5
        jobs = []
        real = app.stepper.nudge_job
        monkeypatch.setattr(app.stepper, "nudge_job", lambda *a: jobs.append(a) or real(*a))
        bar = bar_of(app)
        for _ in range(3):  # three presses before the screen's turn (a busy screen)
            bar.action_increase()
        await pilot.pause()
        assert len(jobs) == 1 and app.stepper.frame.inputs[0, 0] == pytest.approx(5.03)


async def test_presses_during_a_long_recomputation_do_not_pile_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = make_app("--inputs", ";".join(["0.5"] * 5_000), "--hidden-size", "8")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end")
        await app.workers.wait_for_complete()
        await pilot.pause()
        pushed: list[object] = []
        push = app.push_screen
        monkeypatch.setattr(app, "push_screen", lambda s, *a: pushed.append(s) or push(s, *a))
        await pilot.press("n", "shift+tab", *["up"] * 6)
        for _ in range(20):
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert any(isinstance(s, JobDialog) for s in pushed)  # it took a while: progress
        frame = app.stepper.frame
        assert isinstance(app.screen, MainScreen) and frame.t == 5_000
        assert bar_of(app).take() is None and bar_of(app).has_focus
        # each press applied at most once (the dialog has the keys while a job runs)
        assert 0.51 - 1e-9 <= frame.inputs[-1, 0] <= 0.56 + 1e-9


async def test_an_arrow_in_the_same_burst_as_n_is_already_a_nudge() -> None:
    app = make_app("--hidden-size", "4")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        before = app.stepper.frame.cell
        driver = app._driver
        assert driver is not None
        for key in ("n", "up"):  # one read: both queued before either is handled
            event = events.Key(key, key if key == "n" else None)
            event.set_sender(app)
            driver.send_message(event)
        await pilot.pause()
        await pilot.pause()
        frame = app.stepper.frame
        assert frame.unit == 0 and frame.cell is not before


@pytest.mark.parametrize("kind", list(CELLS))
@pytest.mark.parametrize("hidden", ["1", "8"])
async def test_every_cell_kind_can_be_nudged_at_80x24(kind: str, hidden: str) -> None:
    app = make_app("--cell", kind, "--hidden-size", hidden)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("end", "n", "tab", "up", "shift+tab", "shift+tab", "down")
        frame = app.stepper.frame
        assert frame.at_end and not frame.refused, frame.status
        assert frame.cell.kind == kind
        assert frame.lanes[0].origin.endswith("(edited)")
        assert frame.inputs[-1, 0] == pytest.approx(2.0 - 0.01)  # x_3 was 2
        assert len(str(bar_of(app).render())) <= 78


async def test_up_then_escape_at_once_still_applies_the_nudge() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "n", "shift+tab")  # x_1[0] = 5
        bar = bar_of(app)
        bar.action_increase()
        bar.action_leave()  # before the screen took the value
        await pilot.pause()
        assert not bar.is_open and app.stepper.frame.inputs[0, 0] == pytest.approx(5.01)


def test_the_bar_shows_a_change_of_one_step_of_a_large_value() -> None:
    from tui.widgets.nudge import shown

    assert shown(50000 - 1e-5, 1e-5) == "49999.99999"  # 6 digits would read 50000
    assert shown(0.054256, 0.01) == "0.054256"  # small values keep 6 digits
    assert float(shown(1234.5678 + 0.001, 0.001)) != float(shown(1234.5678, 0.001))
