"""The heat map panel: every unit of one series over time, a glyph and a colour per value.

It draws what ``lstm_engine.heatmap`` computes from the session's history: a title (the
series, the steps shown, the units shown when not all fit), a marker row (▼ the step
cursor, ━ the selected range), one row per unit (▶ at the selected unit's label, ✓ at
the units the selected range matches), the steps' numbers, the glyphs' legend with the
scale, and the select-and-match line. The screen sets ``view`` (what to show) and
``reader`` (the session's values) before each frame. A click on a cell posts
``HeatMap.Picked`` with its unit and step. ``StatusRow`` is the screen's status, in a
row of its own that is always there, so a message never moves the map.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from textual import events
from textual.message import Message

from lstm_engine import heatmap
from lstm_engine.heatmap import GLYPHS, NEGATIVE, POSITIVE, Reader, Series
from lstm_engine.stepper import Frame

from .base import FrameWidget, Lines
from .header import StatusLine, cut

#: The colour of each glyph level (-4..4): blues below zero, oranges above, darker near 0.
COLOURS = (
    "#6fb3ff",
    "#4f8fdf",
    "#3f6fb0",
    "#35557f",
    "",
    "#8f5a35",
    "#c0703a",
    "#e8893a",
    "#ffb347",
)


@dataclass(frozen=True)
class View:
    """What the heat map shows: which series, zoomed out or not, the selected range's
    other end (None: no range) and the match threshold, in tenths of the scale from the
    series' centre (``heatmap.threshold``)."""

    series: int = 0
    zoom: bool = False
    anchor: int | None = None
    tenths: int = 3


#: The markers, as the legend and the help write them.
MARKERS = "▼ step t · ━ range · ▶ unit · ✓ matches"


def measured(series: Series) -> str:
    """What the glyphs measure: a state's value, a gate's distance from its centre."""
    if series.is_state:
        return "value"
    return series.symbol if series.centre == 0 else f"{series.symbol} - {series.centre:g}"


def glyphs(series: Series) -> str:
    """What the glyphs mean for a series: the side of 0 (a gate: of its centre) and where
    each level starts."""
    steps = ", ".join(f"{b * (series.scale or 1):g}" for b in series.bounds)
    if series.is_state:
        return f"{POSITIVE} above 0, {NEGATIVE} below, from |value| = {steps} × scale"
    return (
        f"{POSITIVE} above {series.centre:g}, {NEGATIVE} below, from |{measured(series)}| = {steps}"
    )


def scale_words(series: Series, scale: float) -> str:
    """The legend's scale: a gate's own range, measured from its centre (f - 0.5, ±0.5:
    the range 0..1); a state's largest magnitude so far."""
    if not series.is_state:
        return f"scale: {measured(series)}, ±{series.scale:g}"
    if scale == 0:
        return f"scale: all 0 so far (|{series.symbol}|)"
    return f"scale ±{scale:.3g} (largest |{series.symbol}| so far)"


def packed(pieces: list[str], width: int) -> list[str]:
    """The pieces joined by " · " in as few lines of ``width`` as they go (a piece too
    long for a line alone is cut by the panel)."""
    lines: list[str] = []
    for piece in pieces:
        if lines and len(lines[-1]) + 3 + len(piece) <= width:
            lines[-1] += " · " + piece
        else:
            lines.append(piece)
    return lines


def selected_range(view: View, t: int) -> tuple[int, int] | None:
    """The selected steps, first and last (1-based), or None."""
    if view.anchor is None:
        return None
    ends = sorted((max(view.anchor, 1), max(t, 1)))
    return ends[0], ends[1]


class HeatMap(FrameWidget):
    """Units × time of one series; see the module's docstring."""

    DEFAULT_CSS = """
    HeatMap { height: 1fr; }
    """

    class Picked(Message):
        """A cell was clicked: its unit (None for a value every unit shares) and step."""

        def __init__(self, unit: int | None, step: int) -> None:
            super().__init__()
            self.unit = unit
            self.step = step

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.view = View()
        self.reader: Reader | None = None
        self._first_step = 0  #: the window's first step - 1, kept while the cursor is in it
        self._first_unit = 0
        #: what a click needs: (y of the first unit row, label width, units, column edges)
        self._cells: tuple[int, int, range, list[int]] | None = None

    def series(self, frame: Frame) -> Series:
        choices = heatmap.series_of(frame.cell)
        return choices[self.view.series % len(choices)]

    def rows(self, frame: Frame) -> int:
        return max(self.size.height, 1)

    # -- drawing --------------------------------------------------------------------------
    def draw(self, frame: Frame) -> Lines:
        lines = Lines()
        self._cells = None
        series = self.series(frame)
        if self.reader is None or frame.computed == 0:
            lines.append(f" {series.label}", "bold")
            lines.append("\n t = 0: nothing computed yet: press space to step.")
            lines.append("\n v changes the series, z zooms out, ? explains the view.")
            return lines
        steps = frame.computed
        digits = max(len(str(frame.hidden_size - 1)), 3)  # "all" for a shared value
        label = digits + 3
        width = max(self.size.width - label - 2, 1)  # room for " ◀" after the rows
        bounds = self._bounds(frame, width)
        scale = self.reader.scale(series, steps)
        keys = packed([glyphs(series), scale_words(series, scale), MARKERS], self.size.width - 2)
        pieces = self._title(series, bounds, frame)
        # the rows shown, where not all fit: the longest such piece, to count its lines
        most = f"units {series.rows - 1}–{series.rows - 1} of {series.rows}"
        title = packed(pieces, self.size.width - 2)
        if len(title) + len(keys) + 3 + series.rows > self.size.height:
            title = packed([*pieces, most], self.size.width - 2)
        units = self._units(frame, series, len(title) + len(keys) + 3)
        if len(units) < series.rows:
            shown = f"units {units.start}–{units.stop - 1} of {series.rows}"
            title = packed([*pieces, shown], self.size.width - 2)
        values = self._values(series, bounds, units)
        found = self._found(series, frame, scale)
        for k, line in enumerate(title):
            lines.append(("\n " if k else " ") + line, "bold")
        cursor = heatmap.column_of(bounds, frame.t) if frame.t else -1
        picked = selected_range(self.view, frame.t)
        lines.append("\n" + " " * label)
        for j in range(len(bounds) - 1):
            inside = picked is not None and bounds[j] < picked[1] and bounds[j + 1] >= picked[0]
            lines.append("▼" if j == cursor else "━" if inside else " ", "bold")
        self._cells = (len(lines.rows), label, units, [int(b) for b in bounds])
        shades = heatmap.levels(values, scale, series.bounds) + 4
        for row, unit in enumerate(units):
            chosen = not series.shared and unit == frame.unit
            name = "all" if series.shared else str(unit)
            lines.append(f"\n{'▶' if chosen else ' '}")
            lines.append("✓" if found is not None and unit in found else " ", "bold")
            lines.append(f"{name:>{digits}}", "bold reverse" if chosen else "")
            lines.append(" ")
            for level in shades[:, row]:
                colour = COLOURS[level]
                lines.append(GLYPHS[level], colour if colour else "")
            if chosen:
                lines.append(" ◀", "bold")
        lines.append("\n" + self._axis(bounds, label, width), "dim")
        for line in keys:
            lines.append("\n " + line, "dim")
        lines.append("\n " + self._match(series, frame, scale, found))
        return lines

    def _units(self, frame: Frame, series: Series, others: int) -> range:
        """The units shown: as many as fit beside ``others`` rows, round the selected one."""
        room = max(self.size.height - others, 1)
        selected = 0 if series.shared else frame.unit
        self._first_unit = heatmap.follow(self._first_unit, selected, room, series.rows)
        return range(self._first_unit, min(self._first_unit + room, series.rows))

    def _bounds(self, frame: Frame, width: int) -> heatmap.Steps:
        """The columns' edges: the whole history zoomed out, else the window of steps
        round the cursor."""
        steps = frame.computed
        if self.view.zoom:
            return heatmap.edges(steps, width)
        cursor = max(frame.t - 1, 0)
        first = self._first_step = heatmap.follow(self._first_step, cursor, width, steps)
        last = min(first + width, steps)
        return heatmap.edges(last - first, last - first) + first

    def _values(self, series: Series, bounds: heatmap.Steps, units: range) -> heatmap.Array:
        """The values the columns show (columns, units), from the series' centre (a gate's
        f - 0.5): a zoomed column's extreme, the step furthest from the centre."""
        assert self.reader is not None
        first, last = int(bounds[0]), int(bounds[-1])
        values = self.reader.values(series, first, last)[:, units.start : units.stop]
        values = values - series.centre
        if len(bounds) - 1 < last - first:
            return heatmap.extremes(values, bounds - first)
        return values

    def _title(self, series: Series, bounds: heatmap.Steps, frame: Frame) -> list[str]:
        columns = len(bounds) - 1
        pieces = [series.label, f"steps {bounds[0] + 1:,}–{bounds[-1]:,} of {frame.computed:,}"]
        if self.view.zoom:
            per = frame.computed / max(columns, 1)
            each = f"each its largest |{measured(series)}|"
            fit = columns == frame.computed
            pieces.append(
                "zoomed out: every step fits, one a column"
                if fit
                else f"zoomed out: ~{per:,.0f} steps a column, {each}"
            )
        if frame.t == 0:
            pieces.append("t = 0: press space to step")
        return pieces

    @staticmethod
    def _axis(bounds: heatmap.Steps, label: int, width: int) -> str:
        """The first step of every tenth column, where its number fits."""
        text = [" "] * (label + width + 1)
        for j in range(0, len(bounds) - 1, 10):
            number = f"{bounds[j] + 1}"
            at = label + j
            if at + len(number) <= len(text) and text[at - 1] == " ":
                text[at : at + len(number)] = number
        return "".join(text).rstrip()

    def _found(self, series: Series, frame: Frame, scale: float) -> list[int] | None:
        """The units above the threshold at every step of the selected range (None: no
        range)."""
        picked = selected_range(self.view, frame.t)
        if picked is None or self.reader is None:
            return None
        first, last = picked[0], min(picked[1], frame.computed)
        values = self.reader.values(series, first - 1, last)
        return heatmap.above(values, heatmap.threshold(series, scale, self.view.tenths))

    def _match(self, series: Series, frame: Frame, scale: float, found: list[int] | None) -> str:
        """The select-and-match line: the count first, so a long list is cut safely."""
        value = heatmap.threshold(series, scale, self.view.tenths)
        tenth = scale / heatmap.THRESHOLD_TENTHS
        rule = f"{series.symbol} > {value:.3g}"
        picked = selected_range(self.view, frame.t)
        if found is None or picked is None:
            moves = f"> / < by {tenth:.2g}" if tenth else "> / <"
            return f"select-and-match: shift+→/← select steps; {rule}, {moves}"
        first, last = picked[0], min(picked[1], frame.computed)
        steps = f"{first}" if first == last else f"{first}–{last}"
        if series.shared:
            names = "all (one value shared by every unit)" if found else "none"
        else:
            listed = ", ".join(map(str, found))
            names = (
                f"{len(found)} of {series.rows} ✓: {listed}"
                if found
                else f"none (0 of {series.rows})"
            )
        return f"units with {rule} over steps {steps}: {names}"

    # -- the mouse --------------------------------------------------------------------------
    def on_click(self, event: events.Click) -> None:
        if self._cells is None:
            return
        top, label, units, bounds = self._cells
        row, column = event.y - top, event.x - label
        if not 0 <= row < len(units) or column >= len(bounds) - 1:
            return
        if self.frame is None or self.reader is None:
            return
        series = self.series(self.frame)
        unit = None if series.shared else units[row]
        if column < 0:  # the unit's label: the unit alone
            if unit is not None:
                self.post_message(self.Picked(unit, self.frame.t))
            return
        first, last = bounds[column], bounds[column + 1]
        step = last
        if last - first > 1:
            # a zoomed column: the step whose value the column shows, for this unit
            values = self.reader.values(series, first, last)[:, units[row]] - series.centre
            step = first + 1 + int(abs(values).argmax())
        self.post_message(self.Picked(unit, step))


class StatusRow(StatusLine):
    """The status under the header in one row that is always there, so that a message
    never moves the map (a click aimed at a row stays on it): cut between words where it
    is longer than the line, and blank where the header's line shows it."""

    DEFAULT_CSS = """
    StatusRow { height: 1; }
    """

    def rows(self, frame: Frame) -> int:
        return 1

    def draw(self, frame: Frame) -> Lines:
        return super().draw(replace(frame, status=cut(frame.status, self.size.width - 2)))
