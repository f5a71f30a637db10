"""What the panels share: the frame to draw, which cell of it (its lane), and bars in text."""

from __future__ import annotations

from typing import Any

from textual.geometry import Size
from textual.reactive import reactive
from textual.widget import Widget

from lstm_engine.stepper import Frame, Lane

EIGHTHS = " ▏▎▍▌▋▊▉█"
#: Eighths of a cell growing leftwards: the right part of a cell, as block characters
#: draw them, does not exist; a bar to the left of the middle is drawn right-aligned by
#: flipping the fill, so partial cells there use the complementary eighth on reverse.
LEFT_EIGHTHS = " ▕▕▐▐▐▐▐█"


class FollowsFrame:
    """Mixin: keep ``self.frame`` equal to the screen's ``frame`` reactive, so panels
    mounted at any time, on any stepping screen, draw the latest frame."""

    lane = 0  #: which cell of the frame this panel draws (1: compare mode's second)

    def on_mount(self) -> None:
        widget: Any = self
        widget.watch(widget.screen, "frame", self._set_frame, init=True)

    def _set_frame(self, frame: Frame | None) -> None:
        self.frame = frame  # type: ignore[attr-defined]

    def lane_of(self, frame: Frame) -> Lane | None:
        return frame.lanes[self.lane] if self.lane < len(frame.lanes) else None


class FrameWidget(FollowsFrame, Widget):
    """A panel that draws the screen's current frame.

    A new frame repaints the panel; the (slower) layout pass runs only when the number
    of rows the panel needs changes, as when the cell or its hidden size changes.
    """

    DEFAULT_CSS = """
    FrameWidget { text-wrap: nowrap; text-overflow: ellipsis; }
    """

    frame: reactive[Frame | None] = reactive(None, always_update=True, repaint=False)

    def __init__(self, *, lane: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lane = lane
        self._rows = -1

    def rows(self, frame: Frame) -> int:
        """How many rows of content the panel needs for a frame."""
        return 1

    def watch_frame(self, frame: Frame | None) -> None:
        rows = 1 if frame is None else self.rows(frame)
        if rows != self._rows:
            self.refresh(layout=True)
        else:
            # Only the content changes: the border lines need not be drawn again.
            self.refresh(self.size.region)
        self._rows = rows

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1 if self.frame is None else self.rows(self.frame)


def bar(value: float, low: float, high: float, width: int) -> str:
    """A bar of ``width`` cells for value on [low, high], in eighths of a cell; from the
    middle when low < 0 < high (so a value of 0.114 on (-1, 1) still shows).

    Drawn with block characters only, so it reads without colour.
    """
    if width <= 0:
        return ""
    span = high - low
    fraction = 0.0 if span <= 0 or value != value else min(max((value - low) / span, 0.0), 1.0)
    if not low < 0 < high:
        return _grow(fraction * width * 8, width)
    middle = width // 2
    centre = (0.0 - low) / span
    if fraction >= centre:
        room = width - middle
        right = _grow((fraction - centre) / (1 - centre) * room * 8, room)
        return "·" * middle + _mark_zero(right, leftwards=False)
    room = middle
    left = _grow((centre - fraction) / centre * room * 8, room)[::-1]
    return _mark_zero(_flip(left), leftwards=True) + "·" * (width - middle)


def _grow(eighths: float, width: int) -> str:
    full, part = divmod(min(round(eighths), width * 8), 8)
    text = "█" * full + (EIGHTHS[part] if part else "")
    return text + "·" * (width - len(text))


def _flip(reversed_bar: str) -> str:
    """A bar grown rightwards, then reversed, with its partial cell turned to grow leftwards."""
    return "".join(
        LEFT_EIGHTHS[EIGHTHS.index(ch)] if ch in EIGHTHS[1:-1] else ch for ch in reversed_bar
    )


def _mark_zero(half: str, leftwards: bool) -> str:
    """The cell next to zero shows the axis (│) when the bar does not reach it."""
    at = -1 if leftwards else 0
    if half and half[at] == "·":
        chars = list(half)
        chars[at] = "│"
        return "".join(chars)
    return half
