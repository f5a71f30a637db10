"""Nudge mode's bar: which value is chosen, its value now, and the step ↑/↓ moves it by.

A one-line bar over the footer (its own layer: opening it moves no panel), holding the
focus while open, so that its keys (``tui/keys.py`` NUDGE: tab, ↑, ↓, ...) come before
the screen's, where tab and the arrows choose a unit. What can be nudged comes from
``lstm_engine.nudge`` for the frame's cell, unit and step; the bar changes nothing
itself: ↑/↓ post ``Nudged`` and the screen takes the new value (``take``) to the
controller. Presses that come while the screen is busy with a nudge add up to one
value, taken once: a held-down ↑ cannot pile up recomputations of a long history.
"""

from __future__ import annotations

import math
from typing import Any

from rich.text import Text
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from lstm_engine import nudge
from lstm_engine.stepper import Frame

from ..keys import NUDGE, bindings
from .base import FollowsFrame

#: What the keys do, in as few words as the width leaves, longest first.
HINTS = (
    "  (tab: next value, ↑/↓ change, * / step, esc: done)",
    "  tab ↑↓ * / esc",
)


class NudgeBar(FollowsFrame, Widget):
    """Hidden until ``open``; ↑/↓ post ``Nudged``, a nudge that cannot be made posts
    ``Refused``; escape (or n) closes it."""

    DEFAULT_CSS = """
    NudgeBar { display: none; dock: bottom; layer: nudge; height: 1; width: 100%;
               background: $accent 25%; color: $text; padding: 0 1; }
    NudgeBar.-open { display: block; }
    """
    BINDINGS = bindings(NUDGE)

    frame: reactive[Frame | None] = reactive(None, always_update=True)

    class Nudged(Message):
        """A new value is waiting: the screen ``take``s it."""

    class Refused(Message):
        """A nudge that cannot be made (the value would not be finite): ``text`` says why."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.position = 0  #: which of the frame's targets is chosen
        self.step = nudge.STEP
        #: the value waiting for the screen (presses since the last ``take`` add up)
        self._pending: tuple[nudge.Target, float] | None = None

    # -- what is chosen ----------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def targets(self) -> tuple[nudge.Target, ...]:
        frame = self.frame
        if frame is None:
            return ()
        return nudge.targets(frame.cell, frame.unit, frame.t)

    @property
    def target(self) -> nudge.Target | None:
        """The value chosen now (the same place in the list when the unit, the step or
        the cell changes)."""
        found = self.targets()
        return found[self.position % len(found)] if found else None

    def value(self) -> float | None:
        """The chosen value: the one waiting for the screen, else the frame's."""
        target, frame = self.target, self.frame
        if target is None or frame is None:
            return None
        if self._pending is not None and self._pending[0] == target:
            return self._pending[1]
        return nudge.value_of(target, frame.cell, frame.inputs)

    def take(self) -> tuple[nudge.Target, float] | None:
        """The value waiting to be applied, once."""
        pending, self._pending = self._pending, None
        return pending

    # -- opening and closing -------------------------------------------------------------
    def open(self) -> None:
        self.add_class("-open")
        self.can_focus = True  # only while open: a closed bar never takes the keys
        # At once, not as ``focus()`` does (later): an arrow typed just after n is the bar's.
        self.screen.set_focus(self)

    def close(self) -> None:
        self.remove_class("-open")
        self.can_focus = False  # a value still waiting (↑ then escape at once) is applied
        if self.has_focus:
            self.screen.set_focus(None)

    # -- the keys --------------------------------------------------------------------------
    def action_next_value(self) -> None:
        self._choose(1)

    def action_previous_value(self) -> None:
        self._choose(-1)

    def action_increase(self) -> None:
        self._nudge(1)

    def action_decrease(self) -> None:
        self._nudge(-1)

    def action_coarser(self) -> None:
        self.step = nudge.coarser(self.step)
        self.refresh()

    def action_finer(self) -> None:
        self.step = nudge.finer(self.step)
        self.refresh()

    def action_leave(self) -> None:
        self.close()

    def _choose(self, by: int) -> None:
        count = len(self.targets())
        if count:
            self.position = (self.position % count + by) % count
            self.refresh()

    def _nudge(self, sign: int) -> None:
        target, now = self.target, self.value()
        if target is None or now is None:
            return
        try:
            new = nudge.nudged(now, self.step, sign)
        except ValueError as exc:
            self.post_message(self.Refused(f"{target.name}: {exc}; nothing changed"))
            return
        waiting = self._pending is not None
        self._pending = (target, new)
        self.refresh()
        if not waiting:  # one message for all the presses until the screen takes it
            self.post_message(self.Nudged())

    # -- drawing -------------------------------------------------------------------------------
    def render(self) -> Text:
        target, value = self.target, self.value()
        if target is None or value is None:
            return Text("")
        text = Text(
            line(
                target,
                value,
                self.step,
                self.position,
                len(self.targets()),
                self.content_size.width,
            ),
            no_wrap=True,
            overflow="ellipsis",
        )
        text.stylize("bold reverse", 0, len("nudge"))  # the mode, marked without colour too
        return text


def shown(value: float, step: float) -> str:
    """``value`` with 6 significant digits, or as many more as it takes for a change of
    ``step`` to show (50000 nudged by 1e-05 reads 49999.99999, not 50000)."""
    digits = 6
    if value and step:
        digits = max(digits, math.floor(math.log10(abs(value))) - math.floor(math.log10(step)) + 1)
    return f"{value:.{min(digits, 17)}g}"


def line(
    target: nudge.Target, value: float, step: float, position: int, count: int, width: int
) -> str:
    """The bar's text in ``width`` cells: what is chosen and its value first, then what
    the value does, where it is in the list and the keys, in as many words as fit."""
    head = f"nudge {target.name} = {shown(value, step)}  step {step:g}"
    about, where = f" · {target.about}", f" · {position % count + 1}/{count}"
    long_hint, short_hint = HINTS
    options = (
        head + about + where + long_hint,
        head + about + long_hint,
        head + about + where + short_hint,
        head + about + short_hint,
        head + about,
        head + short_hint,
        head,
    )
    return next((text for text in options if len(text) <= width), head)
