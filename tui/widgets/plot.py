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


class TrajectoryPlot(PlotextPlot):
    """h and c (and any other per-unit state the cell has) of the selected unit over time."""

    view: reactive[View | None] = reactive(None, always_update=True)
    #: Draw every unit instead of the selected one.
    all_units: reactive[bool] = reactive(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._key: tuple[Any, ...] | None = None
        self._strips: list[Strip] = []
        self._styles: dict[tuple[Any, ...], Style] = {}

    def watch_view(self) -> None:
        self.refresh()

    def watch_all_units(self) -> None:
        self.refresh()

    def render_line(self, y: int) -> Strip:
        strips = self._current_strips()
        return strips[y] if y < len(strips) else Strip.blank(self.size.width)

    def _current_strips(self) -> list[Strip]:
        view = self.view
        width, height = self.size.width, self.size.height
        if view is None or width < 4 or height < 3:
            return []
        session = view.session
        key = (
            id(session.cell),
            view.edits,
            session.computed,
            view.t,
            view.unit,
            self.all_units,
            width,
            height,
            self.app.theme,
        )
        if key != self._key:
            self._key = key
            self._strips = self._build(view, width, height)
        return self._strips

    def _build(self, view: View, width: int, height: int) -> list[Strip]:
        session = view.session
        computed = session.computed
        names = [s.name for s in view.cell.states if s.kind == "unit" and s.name in plot.MARKERS]
        series = {name: session.series(name, upto=computed) for name in names}
        units = None if self.all_units else [view.unit]
        steps = np.arange(1, computed + 1, dtype=float)
        plt = self.plt
        title = plot.TITLE if view.cell.hidden_size == 1 else f"{plot.TITLE} · unit {view.unit}"
        if self.all_units:
            title = f"{plot.TITLE} · all units"
        plot.draw(
            plt,
            steps,
            plot.state_curves(series, units),
            title=title,
            current=view.t if view.t else None,
            size=(width, height),
            max_points=max(width - 10, 10),
            theme=self._get_plotext_theme_name(self.app.theme),
        )
        # plotext caps a figure at the terminal size it read when it was made; here Textual
        # decides the size (and the window may have grown), so tell plotext the widget is
        # the terminal. As in PlotextPlot.render, plotsize alone is not enough.
        plt._set_terminal_size(width, height + 1)  # plotext keeps one line for a prompt
        plt._set_size(width, height)
        if computed <= 12:
            plt.xticks(steps.tolist())
        plt._build_matrix()
        return self._to_strips(plt.monitor.matrix, width)

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
