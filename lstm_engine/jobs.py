"""Long actions done a slice at a time: the controller's ``Job``.

A run to the end over 100,000 steps, another cell recomputed to the current step, an
export: each is a generator that does about ``SLICE`` seconds of work, then yields how
many steps it did, so that whoever runs it (the dashboard's progress dialog) can draw
and read keys between slices, and cancel. Nothing here knows of a UI.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING

from .session import Session, StepOverflow

if TYPE_CHECKING:
    from .stepper import Frame

#: A job's slice of work: about this many seconds, at most CHUNK steps between two looks
#: at the clock; a screen gets the keys (escape) and shows the progress between slices.
SLICE = 0.01
CHUNK = 256


class Job:
    """A long action (a run to the end, another cell over 100,000 steps of history, an
    export) done a chunk of ``CHUNK`` steps at a time, so that a screen can show its
    progress between chunks and cancel it.

    ``advance()`` does one chunk and says whether the job is finished; ``frame`` is then
    its result. ``run()`` does it all at once (what the plain actions do). ``cancel()``
    stops it: a job that builds new sessions builds them aside and swaps them in only
    when it finishes, so a cancelled one changes nothing; a run to the end stops at the
    step it had reached. Nothing else may act on the stepper while a job is unfinished:
    the dashboard shows its progress in a dialog that takes no stepping keys.
    """

    def __init__(
        self,
        title: str,
        total: int,
        work: Generator[int, None, Frame],
        on_cancel: Callable[[], Frame],
    ) -> None:
        self.title = title  #: what it does, for the progress dialog: "Running to the end"
        self.total = total  #: steps to compute (0: nothing long to do)
        self.done = 0  #: steps computed so far
        self.frame: Frame | None = None  #: the result, once finished
        self.cancelled = False  #: stopped by ``cancel``
        self._work = work
        self._on_cancel = on_cancel

    @property
    def finished(self) -> bool:
        return self.frame is not None

    def advance(self) -> bool:
        """Do one chunk; True once the job is finished (``frame`` holds the result)."""
        if self.frame is None:
            try:
                self.done += next(self._work)
            except StopIteration as stop:
                self.frame = stop.value
        return self.frame is not None

    def run(self) -> Frame:
        """Do the whole job now; its frame."""
        while not self.advance():
            pass
        assert self.frame is not None
        return self.frame

    def cancel(self) -> Frame:
        """Stop the job; the frame of what the stepper holds now."""
        if self.frame is None:
            self._work.close()
            self.cancelled = True
            self.frame = self._on_cancel()
        return self.frame


def grow(session: Session, upto: int) -> Generator[int, None, StepOverflow | None]:
    """Extend a session's history to ``upto`` steps, about ``SLICE`` seconds of work at a
    time (yielding the steps each slice computed); the overflow that stopped it short, if
    one did."""
    while session.computed < upto:
        before = session.computed
        deadline = time.perf_counter() + SLICE
        n = 8
        try:
            while True:  # at least once, however short the slice
                session.extend(min(upto, session.computed + n))
                n = min(2 * n, CHUNK)
                if session.computed >= upto or time.perf_counter() >= deadline:
                    break
        except StepOverflow as exc:
            return exc
        yield session.computed - before
    return None
