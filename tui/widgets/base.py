"""What the panels share: a ``view`` to render and a bar drawn in text."""

from __future__ import annotations

from typing import Any

from textual.geometry import Size
from textual.reactive import reactive
from textual.widget import Widget

from ..view import View

EIGHTHS = " ▏▎▍▌▋▊▉█"


class FollowsView:
    """Mixin: keep ``self.view`` equal to a reactive of the screen (``view`` unless told),
    so panels mounted at any time, on any screen, follow the session."""

    source = "view"

    def follow(self, source: str | None) -> None:
        if source:
            self.source = source

    def on_mount(self) -> None:
        widget: Any = self
        widget.watch(widget.screen, self.source, self._set_view, init=True)

    def _set_view(self, view: View | None) -> None:
        self.view = view  # type: ignore[attr-defined]


class ViewWidget(FollowsView, Widget):
    """A panel that renders the screen's current ``View``.

    A new view repaints the panel; the (slower) layout pass runs only when the number
    of rows the panel needs changes, as when the cell or its hidden size changes.
    """

    DEFAULT_CSS = """
    ViewWidget { text-wrap: nowrap; text-overflow: ellipsis; }
    """

    view: reactive[View | None] = reactive(None, always_update=True, repaint=False)

    def __init__(self, *, source: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.follow(source)
        self._rows = -1

    def rows(self, view: View) -> int:
        """How many rows of content the panel needs for a view."""
        return 1

    def watch_view(self, view: View | None) -> None:
        rows = 1 if view is None else self.rows(view)
        if rows != self._rows:
            self.refresh(layout=True)
        else:
            # Only the content changes: the border lines need not be drawn again.
            self.refresh(self.size.region)
        self._rows = rows

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1 if self.view is None else self.rows(self.view)


def bar(value: float, low: float, high: float, width: int) -> str:
    """A bar of ``width`` cells for value on [low, high]; from the middle when low < 0 < high.

    Drawn with block characters only, so it reads without colour.
    """
    if width <= 0:
        return ""
    span = high - low
    fraction = 0.0 if span <= 0 else min(max((value - low) / span, 0.0), 1.0)
    if low < 0 < high:
        middle = width // 2
        cells = round(abs(fraction - 0.5) * 2 * (width - middle))
        chars = ["·"] * width
        if fraction >= 0.5:
            for k in range(middle, min(width, middle + cells)):
                chars[k] = "█"
        else:
            for k in range(max(0, middle - cells), middle):
                chars[k] = "█"
        chars[middle] = "█" if chars[middle] == "█" else "│"
        return "".join(chars)
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + (EIGHTHS[part] if part else "")
    return text + "·" * (width - len(text))
