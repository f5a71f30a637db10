"""Long actions without a frozen screen: a controller ``Job`` run a slice at a time.

``run_job(app, job, then)`` does the job's first slices at once (most jobs end there:
a run to the end of 300 steps, a switch at step 5). If it is not done within
``FIRST_WAIT`` seconds, a progress dialog opens and an async Textual worker goes on
with the job on the event loop, one slice (about 10 ms) at a time, giving the screen
its turn between slices. The job's numbers are computed on the UI thread, in slices:
NumPy on small arrays holds the GIL most of the time, so a thread would freeze the
screen as surely as no worker at all.

While the dialog is up it has every key: stepping keys pressed meanwhile are ignored,
not queued; escape cancels the job (which changes nothing, or stops a run to the end at
the step reached: ``Job.cancel``). Nothing else acts on the controller meanwhile, so
the sessions stay consistent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, ProgressBar

from lstm_engine.jobs import Job

from .keys import PROGRESS, bindings

#: How long a job may run before its progress is shown (the screen waits meanwhile).
FIRST_WAIT = 0.05
#: How often the progress bar moves: a redraw of the dialog costs tens of ms (Textual
#: blends the whole screen beneath it), so not after every slice.
REDRAW = 0.25


def run_job(app: App[Any], job: Job, then: Callable[[Job], None]) -> None:
    """Do ``job``, then call ``then(job)`` (``job.frame`` is the result, ``job.cancelled``
    says whether escape stopped it). Waits at most ``FIRST_WAIT`` s before showing
    progress."""
    deadline = time.perf_counter() + FIRST_WAIT
    while time.perf_counter() < deadline:
        if job.advance():
            then(job)
            return
    app.push_screen(JobDialog(job, then))


class JobDialog(ModalScreen[None]):
    """The progress of a job; escape cancels it. Every other key is ignored."""

    KEYS = PROGRESS
    BINDINGS = bindings(KEYS)

    def __init__(self, job: Job, then: Callable[[Job], None]) -> None:
        super().__init__()
        self.job = job
        self._then = then

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(
                f"{self.job.title}: {self.job.total:,} steps. Escape cancels.",
                markup=False,
            )
            yield ProgressBar(total=max(self.job.total, 1), show_eta=False, id="job-progress")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#dialog").border_title = "Working"
        self.run_worker(self._work(), exclusive=True, group="job")

    async def _work(self) -> None:
        bar = self.query_one(ProgressBar)
        shown = 0.0
        while not self.job.finished:
            self.job.advance()  # one slice, about lstm_engine.jobs.SLICE seconds
            now = time.perf_counter()
            if now - shown >= REDRAW:  # each redraw blends the dimmed screen beneath
                bar.update(progress=self.job.done)
                shown = now
            await asyncio.sleep(0)  # the screen's turn: draw, and read escape
        while not self.is_current:  # the palette, say, is on top: a pop takes the top
            await asyncio.sleep(0.05)
        # Off the stack first, then the result: whoever gets it (a dialog that closes
        # itself on success) is on top again when it does.
        self.app.pop_screen()
        self._then(self.job)

    def action_cancel(self) -> None:
        if not self.job.finished:
            self.job.cancel()
        # the worker sees the job finished and closes the dialog
