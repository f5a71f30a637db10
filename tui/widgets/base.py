"""What the panels share: the frame to draw, which cell of it (its lane), and bars in text."""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.strip import Strip
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


StyleLike = str | Style  #: a Rich style definition ("bold", "dim reverse", ""), or a Style


class Lines:
    """What a panel draws: rows of (text, style) runs, built as one builds a ``rich.Text``
    (``append``; a new line in the text starts a row) and drawn straight into strips."""

    def __init__(self) -> None:
        self.rows: list[list[tuple[str, StyleLike]]] = [[]]

    def append(self, text: str, style: StyleLike = "") -> None:
        for k, part in enumerate(text.split("\n")):
            if k:
                self.rows.append([])
            if part:
                self.rows[-1].append((part, style))

    @property
    def plain(self) -> str:
        return "\n".join("".join(text for text, _ in row) for row in self.rows)


class FrameWidget(FollowsFrame, Widget):
    """A panel that draws the screen's current frame, line by line.

    Subclasses say what to draw (``draw``: ``Lines``) and how many rows it takes
    (``rows``). The lines are made into strips once per frame and size, with styles
    made once per widget and theme: no ``rich.Text`` and no Textual ``Content`` on the
    way, which is what a keypress would otherwise spend most of its time on. A new frame
    repaints the panel; the (slower) layout pass runs only when the number of rows the
    panel needs changes, as when the cell or its hidden size changes.
    """

    frame: reactive[Frame | None] = reactive(None, always_update=True, repaint=False)

    def __init__(self, *, lane: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lane = lane
        self._rows = -1
        self._strips: list[Strip] | None = None
        self._styles: dict[tuple[StyleLike, Style], Style] = {}
        self._base: Style | None = None  #: the widget's own colours, until the styles change

    def draw(self, frame: Frame) -> Lines:
        """What the panel shows for a frame, at its current size."""
        return Lines()

    def rows(self, frame: Frame) -> int:
        """How many rows of content the panel needs for a frame."""
        return 1

    def text(self) -> str:
        """What the panel shows now, as plain text (tests read it)."""
        return "" if self.frame is None else self.draw(self.frame).plain

    def watch_frame(self, frame: Frame | None) -> None:
        rows = 1 if frame is None else self.rows(frame)
        old = self._strips
        self._strips = None
        if rows != self._rows or old is None or not self.display or not self.size:
            self.refresh(layout=rows != self._rows)
        else:
            # Only the rows whose text or styles changed are drawn again (a key redraws
            # fewer lines, which is most of what it costs); never the border lines.
            new = self._strips = self._make_strips()
            width = self.size.width
            for y in range(max(len(new), len(old))):  # rows that emptied are cleared too
                if y >= len(new) or y >= len(old) or new[y] != old[y]:
                    self.refresh(Region(0, y, width, 1))
        self._rows = rows

    def on_resize(self) -> None:
        self._strips = None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips = None
        self._base = None
        self._styles.clear()

    @property
    def base_style(self) -> Style:
        """The widget's colours (``rich_style``), kept until its styles change."""
        if self._base is None:
            self._base = self.rich_style
        return self._base

    def component_style(self, name: str) -> Style:
        """A component class's style, kept until the widget's styles change."""
        made = self._styles.get((name, Style()))
        if made is None:
            made = self._styles[(name, Style())] = self.get_component_rich_style(name)
        return made

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1 if self.frame is None else self.rows(self.frame)

    def render_line(self, y: int) -> Strip:
        if self._strips is None:
            self._strips = self._make_strips()
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.size.width, self.base_style)

    def _make_strips(self) -> list[Strip]:
        width = self.size.width
        if self.frame is None or width <= 0:
            return []
        base = self.base_style
        strips = []
        for row in self.draw(self.frame).rows:
            segments = [Segment(text, self._style(style, base)) for text, style in row]
            strip = Strip(segments)
            if strip.cell_length > width:
                strip = Strip([*strip.crop(0, width - 1), Segment("…", base)])
            strips.append(strip.adjust_cell_length(width, base))
        return strips

    def _style(self, style: StyleLike, base: Style) -> Style:
        made = self._styles.get((style, base))
        if made is None:
            extra = style if isinstance(style, Style) else Style.parse(style) if style else Style()
            made = self._styles[(style, base)] = base + extra
        return made


def visible_units(count: int, selected: int, rows: int) -> range:
    """The units that fit in ``rows`` rows, keeping the selected one in view."""
    if count <= rows:
        return range(count)
    rows = max(rows, 1)
    start = min(max(selected - rows // 2, 0), count - rows)
    return range(start, start + rows)


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
