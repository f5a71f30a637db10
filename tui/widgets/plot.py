"""The trajectory plot: the frame's curves over time (plotext), the current step marked.

plotext redraws a whole figure on every build, so the figure is built only when what it
shows changes (the frame's ``plot.key``, the size or the theme) and kept as strips; the
current step is marked over it (▼ on the frame above the data, ▲ on the axis below), so
stepping within the history redraws two lines, not the figure. The title and the legend
are this widget's own rows above the figure: the legend takes at most two rows.

A click on the figure's data area (or on the rows of the step marks) posts ``Clicked``
with the step under the mouse, read back through the x range the figure was drawn with;
the screen goes there.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.color import Color
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from lstm_engine import plot
from lstm_engine import plotext_bridge as bridge
from lstm_engine.stepper import Frame

from .base import FollowsFrame

BLANK = Style()
#: plotext colour of the current-step marks.
MARK_COLOUR = "gray"
#: Rows the figure needs to be worth drawing (axes, ticks, a few rows of data).
MIN_FIGURE_ROWS = 4
#: From this many rows the plot has a title row and the figure its axis labels.
ROOMY = 12


class TrajectoryPlot(FollowsFrame, Widget):
    """Draws ``frame.plot``: title, legend, and the plotext figure below them."""

    DEFAULT_CSS = """
    TrajectoryPlot { width: 1fr; height: 1fr; background: $surface; }
    """

    frame: reactive[Frame | None] = reactive(None, always_update=True, repaint=False)
    #: The title counts the values not drawn (NaN, inf); off for plots whose gaps are
    #: meant (the gradient view's steps before its sweep, the loss plot's evaluations)
    COUNTS_GAPS = True

    class Clicked(Message):
        """The figure was clicked over step ``t``."""

        def __init__(self, t: int) -> None:
            super().__init__()
            self.t = t

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._figure = bridge.new_figure()
        self._key: tuple[Any, ...] | None = None
        self._canvas: bridge.Canvas | None = None
        self._head: list[Strip] = []  # title and legend rows
        self._strips: list[Strip] = []  # the figure's rows, top first
        self._marked: tuple[int | None, list[tuple[int, int, str, Any]]] = (None, [])
        self._styles: dict[tuple[Any, ...], Style] = {}
        self.left_out = 0  #: points of the current figure that were not finite

    # -- following the frame -------------------------------------------------------------
    def watch_frame(self, frame: Frame | None) -> None:
        if frame is None:
            return
        if self._full_key(frame) != self._key or self._canvas is None:
            self.refresh()
            return
        self._move_marks(frame.t)

    def _full_key(self, frame: Frame) -> tuple[Any, ...]:
        return (
            frame.plot.key,
            self.size.width,
            self.size.height,
            self.app.theme,
            self.app.no_color,
        )

    # -- drawing ---------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        rows = self._rows()
        return rows[y] if y < len(rows) else Strip.blank(self.size.width, BLANK)

    def _rows(self) -> list[Strip]:
        frame = self.frame
        width, height = self.size.width, self.size.height
        if frame is None or width < 8 or height < 2:
            return []
        key = self._full_key(frame)
        if key != self._key:
            self._key = key
            self._build(frame, width, height)
        return self._head + self._strips

    def _build(self, frame: Frame, width: int, height: int) -> None:
        spec = frame.plot
        legend = legend_rows(spec.curves, width)
        title = self._title(spec, width)
        head = ([title] if height >= ROOMY else []) + legend
        self._head = [self._text_strip(line, width) for line in head]
        rows = height - len(head)
        self._canvas, self._strips, self._marked = None, [], (None, [])
        if rows < MIN_FIGURE_ROWS or not spec.curves:
            return
        colour = not self.app.no_color
        drawn = plot.draw(
            self._figure,
            spec.curves,
            spec.steps,
            width=width,
            height=rows,
            colour=colour,
            theme=self._theme(),
            labels=height >= ROOMY,
            axes=spec.axes,
            meet_lines=spec.meet_lines,
        )
        self.left_out = drawn.left_out
        # the title says how many were left out, now it is known
        if drawn.left_out and self.COUNTS_GAPS and len(head) > len(legend):
            self._head[0] = self._text_strip(self._title(spec, width, drawn.left_out), width)
        if drawn.overlaps and legend:  # the legend says what ◆ marks, in the rows it has
            what = "both cells" if frame.comparing else "curves meet"
            legend_now = legend_rows(spec.curves, width, what, most=len(legend))
            self._head[-len(legend) :] = [self._text_strip(row, width) for row in legend_now]
        self._canvas = drawn.canvas
        self._marked = (None, [])
        self._place_marks(frame.t)
        self._strips = [self._row_strip(r, width) for r in reversed(range(self._canvas.rows))]

    def _title(self, spec: Any, width: int, left_out: int = 0) -> Text:
        """The title, then how many values were left out (not finite), then which curves
        use the right-hand axis: the long title where all of it fits."""
        right = [c.brief for c in spec.curves if c.right]
        gone = f" · {left_out} not finite, left out" if left_out else ""
        note = f" · right axis: {', '.join(right)}" if right else ""
        title = spec.title if len(spec.title) + len(gone) + len(note) <= width else spec.short_title
        text = Text(title, "bold", no_wrap=True, overflow="ellipsis", end="")
        text.append(gone, "bold reverse")
        text.append(note, "")
        return text

    def _theme(self) -> str:
        """A plotext theme in the app's colours (registered once per app theme)."""
        background = self.styles.background.rgb
        name = f"lstm-stepper-{self.app.theme}-{background}"
        if not bridge.has_theme(name):
            foreground = Color.parse(self.app.theme_variables.get("foreground", "#e0e0e0")).rgb
            bridge.register_theme(name, background, foreground)
        return name

    # -- the mouse ------------------------------------------------------------------------------
    def on_click(self, event: events.Click) -> None:
        where = event.get_content_offset(self)
        t = None if where is None else self.step_at(where.x, where.y)
        if t is not None:
            event.stop()
            self.post_message(self.Clicked(t))

    def step_at(self, x: int, y: int) -> int | None:
        """The step drawn at content cell (x, y), one of the plot's 1..steps; None outside
        the data area and the rows of the step marks above and below it."""
        canvas, frame = self._canvas, self.frame
        if canvas is None or frame is None:
            return None
        row = canvas.rows - 1 - (y - len(self._head))  # the matrix's row 0 is the bottom
        rows = canvas.canvas_rows
        if not rows.start - 1 <= row <= rows.stop:
            return None
        value = canvas.x_at(x)
        return None if value is None else min(max(round(value), 1), frame.plot.steps)

    # -- the current step ---------------------------------------------------------------------
    def _move_marks(self, t: int) -> None:
        changed = self._place_marks(t)
        if not changed or self._canvas is None:
            return
        width = self.size.width
        top = len(self._head)
        for row in changed:
            y = self._canvas.rows - 1 - row
            if 0 <= y < len(self._strips):
                self._strips[y] = self._row_strip(row, width)
                self.refresh(Region(0, top + y, width, 1))

    def _place_marks(self, t: int) -> set[int]:
        """Move ▼ (on the frame above the data) and ▲ (on the axis below) to step t; the
        matrix rows changed."""
        canvas = self._canvas
        if canvas is None:
            return set()
        col = canvas.column_of(float(t)) if t else None
        if col == self._marked[0]:
            return set()
        changed = set()
        for row, c, char, colours in self._marked[1]:
            canvas.set_cell(row, c, char, colours)
            changed.add(row)
        covered: list[tuple[int, int, str, Any]] = []
        self._marked = (col, covered)
        rows = canvas.canvas_rows
        if col is None or not len(rows):
            return changed
        for row, mark in ((rows.stop, "▼"), (rows.start - 1, "▲")):
            if 0 <= row < canvas.rows:
                char, colours = canvas.cell(row, col)
                covered.append((row, col, char, colours))
                canvas.set_cell(row, col, mark, (MARK_COLOUR, colours[1], colours[2]))
                changed.add(row)
        return changed

    # -- strips ---------------------------------------------------------------------------------
    def _row_strip(self, row: int, width: int) -> Strip:
        """One row of the figure (row 0 is the bottom) as a strip."""
        assert self._canvas is not None
        segments = [
            Segment(chars, self._style(colours)) for chars, colours in self._canvas.row_runs(row)
        ]
        return Strip(segments).adjust_cell_length(width, BLANK)

    def _style(self, colours: tuple[Any, ...]) -> Style:
        style = self._styles.get(colours)
        if style is None:
            ansi = bridge.ansi(colours)  # type: ignore[arg-type]
            style = Text.from_ansi(ansi + "x").get_style_at_offset(self.app.console, 0) or BLANK
            self._styles[colours] = style
        return style

    def _text_strip(self, text: Text, width: int) -> Strip:
        # Every segment gets a style: Textual's filters (NO_COLOR's monochrome) need one.
        segments = [
            Segment(seg.text, seg.style or BLANK)
            for seg in text.render(self.app.console)
            if seg.text != "\n"
        ]
        return Strip(segments).adjust_cell_length(width, BLANK)


def legend_rows(
    curves: tuple[plot.Curve, ...], width: int, both: str = "", most: int = 2
) -> list[Text]:
    """The legend in as few rows as it can, at most ``most``: each curve's marker (in its
    colour) and label, the short labels where the long ones need more rows, and ``both``
    (what BOTH marks) last; cut with … as a last resort."""
    if not curves:
        return []

    def entries(short: bool) -> list[tuple[str, str, plot.RGB | None]]:
        # A curve on the right-hand axis says so with an arrow: "x c →".
        out: list[tuple[str, str, plot.RGB | None]] = [
            (c.marker, (c.brief if short else c.label) + (" →" if c.right else ""), c.color)
            for c in curves
        ]
        return out + ([(plot.BOTH, both, None)] if both else [])

    tries = [_pack(entries(False), width), _pack(entries(True), width)]
    for rows in sorted(tries, key=len):
        if len(rows) <= most:
            return rows
    rows = tries[-1][:most]
    rows[-1].append(" …", "dim")
    rows[-1].truncate(width, overflow="ellipsis")
    return rows


def _pack(entries: list[tuple[str, str, plot.RGB | None]], width: int) -> list[Text]:
    rows: list[Text] = []
    for marker, label, color in entries:
        style = "bold" if color is None else f"bold {_rich_colour(color)}"
        item = Text.assemble((marker, style), " ", label)
        if rows and rows[-1].cell_len + 3 + item.cell_len <= width:
            rows[-1].append("   ")
            rows[-1].append_text(item)
        else:
            rows.append(Text(no_wrap=True, overflow="ellipsis", end=""))
            rows[-1].append(" ")
            rows[-1].append_text(item)
    return rows


def _rich_colour(rgb: plot.RGB) -> str:
    return f"rgb({rgb[0]},{rgb[1]},{rgb[2]})"
