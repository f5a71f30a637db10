"""Long histories: the actions that recompute many steps run as jobs, a slice at a time,
with a progress dialog that cancels; the screen never waits on them."""

from __future__ import annotations

import time

import numpy as np
import pytest

from lstm_engine import Session
from lstm_engine import jobs as engine_jobs
from lstm_engine.cells import CELLS
from lstm_engine.jobs import SLICE
from lstm_engine.stepper import Stepper
from tui import jobs
from tui.app import StepperApp
from tui.jobs import JobDialog

STEPS = 20_000  # enough for every job to outlast FIRST_WAIT on any machine here


def long_stepper(kind: str = "lstm", steps: int = STEPS, hidden: int = 2) -> Stepper:
    inputs = np.sin(np.arange(steps) / 7.0)[:, None]
    return Stepper(Session(CELLS[kind].init(1, hidden, 42), inputs, origin="seed 42", seed=42))


def test_a_job_gives_the_same_history_as_the_plain_action() -> None:
    a, b = long_stepper(steps=3000), long_stepper(steps=3000)
    a.end()
    job = b.end_job()
    slices = 0
    while not job.advance():
        slices += 1
    assert slices > 1  # it did go in slices
    assert job.frame is not None and job.frame.t == 3000 == a.frame.t
    assert np.array_equal(a.session.series("h"), b.session.series("h"))


def test_a_slice_is_short() -> None:
    stepper = long_stepper(steps=5000)
    job = stepper.end_job()
    longest = 0.0
    while True:
        start = time.perf_counter()
        done = job.advance()
        longest = max(longest, time.perf_counter() - start)
        if done:
            break
    assert longest < SLICE * 10  # a slice is ~SLICE; generous for a slow, shared machine


def test_a_cancelled_switch_changes_nothing() -> None:
    stepper = long_stepper(steps=3000)
    stepper.end()
    before = stepper.session
    job = stepper.switch_cell_job()
    job.advance()
    frame = job.cancel()
    assert job.cancelled and stepper.session is before and frame.cell.kind == "lstm"
    assert "cancelled" in frame.status and frame.t == 3000


def test_a_cancelled_run_to_the_end_stops_where_it_got() -> None:
    stepper = long_stepper(steps=3000)
    job = stepper.end_job()
    job.advance()
    frame = job.cancel()
    assert 0 < frame.t < 3000 and frame.t == stepper.session.computed
    assert "cancelled" in frame.status


@pytest.mark.parametrize("key", ["end", "c", "v"])
async def test_long_actions_show_progress_and_cancel_with_escape(
    key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Slices of a few steps, each a little slow, so that the job (6,000 slices, 6 s at
    # least) is still running when the keys come, however loaded the machine.
    monkeypatch.setattr(engine_jobs, "SLICE", 0.0)
    monkeypatch.setattr(jobs, "FIRST_WAIT", 0.001)
    extend = Session.extend

    def slow_extend(self: Session, upto: int) -> None:
        time.sleep(0.001)
        extend(self, upto)

    monkeypatch.setattr(Session, "extend", slow_extend)
    stepper = long_stepper(steps=50_000)
    if key != "end":
        stepper.end()
    app = StepperApp(stepper)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(key)
        for _ in range(100):  # the dialog opens on a timer: a loaded machine is late
            if isinstance(app.screen, JobDialog):
                break
            await pilot.pause(0.01)
        assert isinstance(app.screen, JobDialog)
        before = stepper.frame.revision
        await pilot.press("space")  # ignored, not queued
        assert isinstance(app.screen, JobDialog) and stepper.frame.revision == before
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, JobDialog)
        frame = stepper.frame
        assert "cancelled" in frame.status and frame.revision > before
        if key == "end":
            assert 0 < frame.t < 50_000
        else:
            assert frame.cell.kind == "lstm" and frame.t == 50_000 and not frame.comparing
        t = frame.t
        await pilot.press("left")  # the keys work again
        assert stepper.frame.t == t - 1


async def test_a_long_run_to_the_end_finishes_and_shows_the_end() -> None:
    stepper = long_stepper(steps=5000)
    app = StepperApp(stepper)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("end")
        for _ in range(200):
            if not isinstance(app.screen, JobDialog):
                break
            await pilot.pause(0.05)
        assert not isinstance(app.screen, JobDialog)
        assert stepper.frame.t == 5000 and app.screen.frame.t == 5000  # type: ignore[attr-defined]


async def test_compare_mode_opens_after_its_job() -> None:
    stepper = long_stepper(steps=5000)
    stepper.end()
    app = StepperApp(stepper)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("v")
        for _ in range(400):
            if type(app.screen).__name__ == "CompareScreen":
                break
            await pilot.pause(0.05)
        assert type(app.screen).__name__ == "CompareScreen"
        assert [s.t for s in stepper.sessions()] == [5000, 5000]
