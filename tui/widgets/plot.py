"""The trajectory plot: h and c over time (textual-plotext), the current step marked.

plotext redraws the whole figure on every build, and textual-plotext then parses
plotext's ANSI text back into styles on every render. Here the figure is built only
when what it shows changes (data, step, unit, size or theme), the data are thinned
to about one point per column, and the character matrix plotext builds is turned
into Textual strips directly, with one cached style per colour triple.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from plotext import _utility as plotext_utility
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.reactive import reactive
from textual.strip import Strip
from textual_plotext import PlotextPlot

from lstm_engine import plot

from ..view import View
from .base import FollowsView


class FastPlot(PlotextPlot):
    """A PlotextPlot that rebuilds its figure only when ``plot_key`` changes.

    Subclasses say what the figure depends on (``plot_key``) and draw it (``draw``)
    through ``self.plt``. The current step (``marker_x``) is not part of the figure: it
    is marked over the built matrix (▼ and ▲), so moving it costs no rebuild.
    """

    #: plotext colour of the current-step line.
    MARKER_COLOUR = "gray"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._key: tuple[Any, ...] | None = None
        self._matrix: Any = None
        self._marked: tuple[float | None, list[tuple[int, int, Any, Any]]] = (None, [])
        self._strips: list[Strip] = []
        self._styles: dict[tuple[Any, ...], Style] = {}

    def plot_key(self) -> tuple[Any, ...] | None:
        """Everything the figure depends on besides size and theme; None: draw nothing."""
        raise NotImplementedError

    def draw(self, width: int, height: int) -> None:
        """Draw the figure on ``self.plt`` (cleared first by the drawing code)."""
        raise NotImplementedError

    def marker_x(self) -> float | None:
        """Where the current-step line goes, in data coordinates (None: no line)."""
        return None

    def draw_curves(
        self, steps: int, curves: list[plot.Curve], title: str, width: int, height: int
    ) -> None:
        """Curves over steps 1..steps, thinned to about a point per column; every step
        gets a tick while there are few."""
        xs = np.arange(1, steps + 1, dtype=float)
        plot.draw(
            self.plt,
            xs,
            curves,
            title=title,
            size=(width, height),
            max_points=max(width - 10, 10),
            theme=self.plotext_theme,
        )
        if steps <= 12:
            self.plt.xticks(xs.tolist())

    @property
    def plotext_theme(self) -> str:
        return self._get_plotext_theme_name(self.app.theme)

    def render_line(self, y: int) -> Strip:
        strips = self._current_strips()
        return strips[y] if y < len(strips) else Strip.blank(self.size.width)

    def _full_key(self) -> tuple[Any, ...] | None:
        key = self.plot_key()
        width, height = self.size.width, self.size.height
        if key is None or width < 4 or height < 3:
            return None
        return (*key, width, height, self.app.theme)

    def update_plot(self) -> None:
        """What the plot shows may have changed: redraw what must be, no more.

        A new figure is built at the next render; a moved current step only redraws
        the two lines its marks are on.
        """
        key = self._full_key()
        if key is None or key != self._key or self._matrix is None:
            self.refresh()
            return
        x = self.marker_x()
        if x == self._marked[0]:
            return
        width = self.size.width
        for row in self._mark(x):
            y = self._matrix.rows - 1 - row
            if 0 <= y < len(self._strips):
                self._strips[y] = self._row_strip(self._matrix, row, width)
                self.refresh(Region(0, y, width, 1))

    def _current_strips(self) -> list[Strip]:
        key = self._full_key()
        if key is None:
            return []
        width, height = self.size.width, self.size.height
        if key != self._key:
            self._key = key
            plt: Any = self.plt  # plotext's figure, private parts and all
            self.draw(width, height)
            # plotext caps a figure at the terminal size it reads when a figure is made or
            # cleared; here Textual decides the size, so tell plotext the widget is the
            # terminal, then size the figure. As in PlotextPlot.render, plotsize alone is
            # not enough.
            plt._set_terminal_size(width, height + 1)  # plotext keeps one line for a prompt
            plt.plotsize(width, height)
            plt._set_size(width, height)
            plt._build_matrix()
            self._matrix = plt.monitor.matrix
            self._marked = (None, [])
            self._mark(self.marker_x())
            self._strips = self._to_strips(self._matrix, width)
        return self._strips

    def _mark(self, x: float | None) -> set[int]:
        """Move the current-step marks to x: ▼ on the frame above the canvas and ▲ on
        the axis below it. Returns the matrix rows changed (two, so a step redraws two
        lines of the plot, not all of them)."""
        matrix = self._matrix
        changed = set()
        for row, col, marker, colour in self._marked[1]:
            matrix.marker[row][col] = marker
            matrix.fullground[row][col] = colour
            changed.add(row)
        covered: list[tuple[int, int, Any, Any]] = []
        self._marked = (x, covered)
        monitor: Any = self.plt.monitor  # type: ignore[attr-defined]
        xlim = monitor.xlim[0]
        columns, rows = matrix.Cols_canvas, matrix.Rows_canvas
        if x is None or None in xlim or xlim[0] == xlim[1] or not len(columns) or not len(rows):
            return changed
        col = columns.start + plotext_utility.get_matrix_data([x], xlim, len(columns))[0]
        if col not in columns:
            return changed
        for row, mark in ((rows.stop, "▼"), (rows.start - 1, "▲")):
            if 0 <= row < matrix.rows:
                covered.append((row, col, matrix.marker[row][col], matrix.fullground[row][col]))
                matrix.marker[row][col] = mark
                matrix.fullground[row][col] = self.MARKER_COLOUR
                changed.add(row)
        return changed

    def _to_strips(self, matrix: Any, width: int) -> list[Strip]:
        return [self._row_strip(matrix, row, width) for row in reversed(range(matrix.rows))]

    def _row_strip(self, matrix: Any, row: int, width: int) -> Strip:
        """One row of plotext's matrix (row 0 is the bottom) as a strip."""
        markers = matrix.marker[row]
        colours = list(
            zip(matrix.fullground[row], matrix.style[row], matrix.background[row], strict=True)
        )
        segments = []
        start = 0
        for col in range(1, len(markers) + 1):
            if col == len(markers) or colours[col] != colours[start]:
                segments.append(Segment("".join(markers[start:col]), self._style(colours[start])))
                start = col
        return Strip(segments, len(markers)).adjust_cell_length(width)

    def _style(self, colours: tuple[Any, ...]) -> Style:
        style = self._styles.get(colours)
        if style is None:
            ansi = plotext_utility.colors_to_ansi(*colours)
            style = Text.from_ansi(ansi + "x").get_style_at_offset(self.app.console, 0)
            self._styles[colours] = style
        return style


class TrajectoryPlot(FollowsView, FastPlot):
    """The states the cell plots (h and c for the LSTM) of the selected unit over time."""

    view: reactive[View | None] = reactive(None, always_update=True, repaint=False)
    #: Draw every unit instead of the selected one.
    all_units: reactive[bool] = reactive(False, repaint=False)

    def __init__(self, *, source: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.follow(source)

    def on_mount(self) -> None:
        FollowsView.on_mount(self)

    def watch_view(self) -> None:
        self.update_plot()

    def watch_all_units(self) -> None:
        self.update_plot()

    def plot_key(self) -> tuple[Any, ...] | None:
        view = self.view
        if view is None:
            return None
        session = view.session
        return (id(session.cell), view.edits, session.computed, view.unit, self.all_units)

    def marker_x(self) -> float | None:
        return float(self.view.t) if self.view is not None and self.view.t else None

    def draw(self, width: int, height: int) -> None:
        view = self.view
        assert view is not None
        session = view.session
        computed = session.computed
        series = plot.session_series(session, view.cell.plotted, upto=computed)
        units = None if self.all_units else [view.unit]
        title = plot.title_for(view.cell.plotted)
        if self.all_units:
            title += " · all units"
        elif view.cell.hidden_size > 1:
            title += f" · unit {view.unit}"
        self.draw_curves(computed, plot.state_curves(series, units), title, width, height)
