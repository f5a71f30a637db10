"""Every use of plotext's private parts, in one place.

plotext (5.x) has no public way to make a figure of one's own, to size it without a
terminal, to read back the character matrix it drew, to know where its canvas lies or
how it maps data to columns, or to add a theme. The dashboard and the CLI need all of
these, so this module reaches in, and nothing else does: ``tests/test_plotext_bridge.py``
checks each part against the installed plotext and fails loudly if a release changes
one. The rest of the code draws through the figure's public methods (``plot``,
``scatter``, ``xlim``, ``xticks``, ...) and reads the result through ``Canvas``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from plotext import _dict as plotext_dict
from plotext import _utility as plotext_utility
from plotext._figure import _figure_class

#: A plotext figure (``plotext._figure._figure_class``): public methods, private class.
Figure = Any


def new_figure() -> Figure:
    """A figure of one's own, independent of plotext's global one."""
    return _figure_class()


@dataclass
class Canvas:
    """What a figure drew: per character, the marker and its colours (row 0 is the bottom),
    where the data area lies, and the x limits data were mapped with."""

    matrix: Any  #: plotext's matrix_class: marker, fullground, style, background (rows x cols)
    xlim: tuple[float, float] | None  #: the lower x axis's limits, None if nothing was drawn

    @property
    def rows(self) -> int:
        return int(self.matrix.rows)

    @property
    def columns(self) -> range:
        """The matrix columns of the data area."""
        return self.matrix.Cols_canvas

    @property
    def canvas_rows(self) -> range:
        """The matrix rows of the data area (row 0 is the bottom of the figure)."""
        return self.matrix.Rows_canvas

    def column_of(self, x: float) -> int | None:
        """The matrix column data x falls in, as plotext placed it; None outside."""
        if self.xlim is None or not len(self.columns):
            return None
        col = self.columns.start + int(columns_of(np.array([x]), self.xlim, len(self.columns))[0])
        return col if col in self.columns else None

    def x_at(self, col: int) -> float | None:
        """The data x at the middle of matrix column ``col`` (the inverse of
        ``column_of``); None outside the data area."""
        if self.xlim is None or col not in self.columns:
            return None
        lo, hi = self.xlim
        bins = len(self.columns)
        return lo if bins == 1 else lo + (col - self.columns.start) * (hi - lo) / (bins - 1)

    def cell(self, row: int, col: int) -> tuple[str, tuple[Any, Any, Any]]:
        """The character at (row, col) and its (foreground, style, background)."""
        m = self.matrix
        return m.marker[row][col], (
            m.fullground[row][col],
            m.style[row][col],
            m.background[row][col],
        )

    def set_cell(self, row: int, col: int, char: str, colours: tuple[Any, Any, Any]) -> None:
        m = self.matrix
        m.marker[row][col] = char
        m.fullground[row][col], m.style[row][col], m.background[row][col] = colours

    def row_runs(self, row: int) -> list[tuple[str, tuple[Any, Any, Any]]]:
        """One row as runs of characters sharing their colours, left to right."""
        m = self.matrix
        chars = m.marker[row]
        colours = list(zip(m.fullground[row], m.style[row], m.background[row], strict=True))
        runs = []
        start = 0
        for col in range(1, len(chars) + 1):
            if col == len(chars) or colours[col] != colours[start]:
                runs.append(("".join(chars[start:col]), colours[start]))
                start = col
        return runs


def build(figure: Figure, width: int, height: int) -> Canvas:
    """Lay the figure out at ``width`` x ``height`` characters and draw it.

    plotext caps a figure at the terminal size it reads when a figure is made or cleared;
    here the caller decides the size, so the figure is told that it is the terminal
    (plus the line plotext keeps for a prompt), then sized, twice as plotext needs.
    """
    figure._set_terminal_size(width, height + 1)
    figure.plotsize(width, height)
    figure._set_size(width, height)
    figure._build_matrix()
    monitor = figure.monitor
    xlim = monitor.xlim[0]
    limits = None if None in xlim or xlim[0] == xlim[1] else (float(xlim[0]), float(xlim[1]))
    return Canvas(monitor.matrix, limits)


def _braille_chars() -> list[str]:
    """The braille character of each 2x4 cell of dots, indexed by its dots as bits in
    reading order (top left = bit 0, top right = bit 1, ..., bottom right = bit 7): the
    characters plotext draws, from its own table."""
    chars = [" "] * 256
    for dots, char in plotext_utility.braille_codes.items():
        chars[sum(int(bit) << k for k, bit in enumerate(dots))] = char
    return chars


BRAILLE = _braille_chars()


def draw_line(
    canvas: Canvas,
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    colour: Any,
    keep: Collection[str] = (),
) -> None:
    """Draw the polyline through (x, y) on a built canvas in braille dots, as plotext's
    ``plot(x, y, marker="braille", color=colour)`` would have (its ``get_lines`` and
    ``hd_group``, the same dots and characters), with NumPy: plotext makes a Python
    list entry per dot, which costs ~0.2 s for the ~40,000 dots of a long series' M4
    envelope on a tall plot. The cells it draws replace what was there, as a later
    plotext signal does, except cells holding one of the characters ``keep`` (markers
    drawn earlier, which a line must not cover)."""
    cols, rows = len(canvas.columns), len(canvas.canvas_rows)
    if cols == 0 or rows == 0 or len(x) == 0:
        return
    px = columns_of(x, xlim, 2 * cols)
    py = columns_of(y, ylim, 4 * rows)
    # get_lines: from each point to the next, max(|dx|, |dy|) + 1 points on linspace,
    # truncated to integers, the segment's last point left to the next; then the last.
    x0, x1, y0, y1 = px[:-1], px[1:], py[:-1], py[1:]
    count = np.maximum(np.abs(x1 - x0), np.abs(y1 - y0)) + 1
    each = np.maximum(count - 1, 1)  # points a segment gives (all but its last)
    seg = np.repeat(np.arange(len(x0)), each)
    k = np.arange(len(seg)) - np.repeat(np.cumsum(each) - each, each)
    span = np.maximum(count - 1, 1)[seg]
    xs = np.trunc(x0[seg] + k * ((x1 - x0)[seg] / span)).astype(np.int64)
    ys = np.trunc(y0[seg] + k * ((y1 - y0)[seg] / span)).astype(np.int64)
    xs, ys = np.append(xs, px[-1]), np.append(ys, py[-1])
    # hd_group: dots to cells (plotext groups before it drops what lies outside)
    cx, cy = xs // 2, ys // 4
    inside = (cx >= 0) & (cx < cols) & (cy >= 0) & (cy < rows)
    cx, cy, bx, by = cx[inside], cy[inside], xs[inside] % 2, ys[inside] % 4
    bits = np.zeros((rows, cols), dtype=np.int64)
    np.bitwise_or.at(bits, (cy, cx), 1 << ((3 - by) * 2 + bx))
    m = canvas.matrix
    row0, col0 = canvas.canvas_rows.start, canvas.columns.start
    for r, c in zip(*np.nonzero(bits), strict=True):
        col, row = int(c) + col0, int(r) + row0
        if keep and m.marker[row][col] in keep:
            continue
        m.insert_element(col, row, BRAILLE[bits[r, c]], colour)


def text(figure: Figure, width: int, height: int) -> str:
    """The figure drawn as text with ANSI colours (for a terminal, as ``plotext.build``)."""
    figure._set_terminal_size(width, height + 1)
    figure.plotsize(width, height)
    return str(figure.build())


def uncolorize(text: str) -> str:
    return str(plotext_utility.uncolorize(text))


def columns_of(
    x: npt.NDArray[np.float64], lim: tuple[float, float], bins: int
) -> npt.NDArray[np.int64]:
    """plotext's mapping of data x to canvas columns 0..bins-1 (``_utility.get_matrix_data``),
    for a whole array at once."""
    lo, hi = lim
    change = 0.5 + (bins - 1) * (np.asarray(x, dtype=float) - lo) / (hi - lo)
    return np.floor(np.round(change, 8)).astype(np.int64)


def ansi(colours: tuple[Any, Any, Any]) -> str:
    """The ANSI codes of a (foreground, style, background) triple, as plotext writes them."""
    return str(plotext_utility.colors_to_ansi(*colours))


def register_theme(
    name: str, background: tuple[int, int, int], foreground: tuple[int, int, int]
) -> None:
    """Add (or replace) a plotext theme: canvas and axes in ``background``, ticks and labels
    in ``foreground``, plotext's default colour sequence for the data."""
    default = plotext_dict.themes["default"]
    plotext_dict.themes[name] = [background, background, foreground, default[3], list(default[4])]


def has_theme(name: str) -> bool:
    return name in plotext_dict.themes


__all__ = [
    "Canvas",
    "Figure",
    "ansi",
    "build",
    "columns_of",
    "draw_line",
    "has_theme",
    "new_figure",
    "register_theme",
    "text",
    "uncolorize",
]
