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
from textual.reactive import reactive
from textual.strip import Strip
from textual_plotext import PlotextPlot

from lstm_engine import plot

from ..view import View
from .base import FollowsView


class FastPlot(PlotextPlot):
    """A PlotextPlot that rebuilds its figure only when ``plot_key`` changes.

    Subclasses say what the figure depends on (``plot_key``) and draw it (``draw``)
    through ``self.plt``; the figure is turned into strips here.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._key: tuple[Any, ...] | None = None
        self._strips: list[Strip] = []
        self._styles: dict[tuple[Any, ...], Style] = {}

    def plot_key(self) -> tuple[Any, ...] | None:
        """Everything the figure depends on besides size and theme; None: draw nothing."""
        raise NotImplementedError

    def draw(self, width: int, height: int) -> None:
        """Draw the figure on ``self.plt`` (cleared first by the drawing code)."""
        raise NotImplementedError

    @property
    def plotext_theme(self) -> str:
        return self._get_plotext_theme_name(self.app.theme)

    def render_line(self, y: int) -> Strip:
        strips = self._current_strips()
        return strips[y] if y < len(strips) else Strip.blank(self.size.width)

    def _current_strips(self) -> list[Strip]:
        width, height = self.size.width, self.size.height
        key = self.plot_key()
        if key is None or width < 4 or height < 3:
            return []
        key = (*key, width, height, self.app.theme)
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
            self._strips = self._to_strips(plt.monitor.matrix, width)
        return self._strips

    def _to_strips(self, matrix: Any, width: int) -> list[Strip]:
        strips = []
        for row in reversed(range(matrix.rows)):
            markers = matrix.marker[row]
            colours = list(
                zip(matrix.fullground[row], matrix.style[row], matrix.background[row], strict=True)
            )
            segments = []
            start = 0
            for col in range(1, len(markers) + 1):
                if col == len(markers) or colours[col] != colours[start]:
                    text = "".join(markers[start:col])
                    segments.append(Segment(text, self._style(colours[start])))
                    start = col
            strips.append(Strip(segments, len(markers)).adjust_cell_length(width))
        return strips

    def _style(self, colours: tuple[Any, ...]) -> Style:
        style = self._styles.get(colours)
        if style is None:
            ansi = plotext_utility.colors_to_ansi(*colours)
            style = Text.from_ansi(ansi + "x").get_style_at_offset(self.app.console, 0)
            self._styles[colours] = style
        return style


class TrajectoryPlot(FollowsView, FastPlot):
    """The states the cell plots (h and c for the LSTM) of the selected unit over time."""

    view: reactive[View | None] = reactive(None, always_update=True)
    #: Draw every unit instead of the selected one.
    all_units: reactive[bool] = reactive(False)

    def __init__(self, *, source: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.follow(source)

    def on_mount(self) -> None:
        FollowsView.on_mount(self)

    def watch_view(self) -> None:
        self.refresh()

    def watch_all_units(self) -> None:
        self.refresh()

    def plot_key(self) -> tuple[Any, ...] | None:
        view = self.view
        if view is None:
            return None
        session = view.session
        return (id(session.cell), view.edits, session.computed, view.t, view.unit, self.all_units)

    def draw(self, width: int, height: int) -> None:
        view = self.view
        assert view is not None
        session = view.session
        computed = session.computed
        series = plot.session_series(session, view.cell.plotted, upto=computed)
        units = None if self.all_units else [view.unit]
        steps = np.arange(1, computed + 1, dtype=float)
        title = plot.title_for(view.cell.plotted)
        if self.all_units:
            title += " · all units"
        elif view.cell.hidden_size > 1:
            title += f" · unit {view.unit}"
        plot.draw(
            self.plt,
            steps,
            plot.state_curves(series, units),
            title=title,
            current=view.t if view.t else None,
            size=(width, height),
            max_points=max(width - 10, 10),
            theme=self.plotext_theme,
        )
        if computed <= 12:
            self.plt.xticks(steps.tolist())
