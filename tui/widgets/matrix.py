"""A matrix state (the mLSTM's memory C) as a heat map: a colour and a glyph per value,
so that it reads without colour too."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.style import Style

from lstm_engine import Cell, StateVar
from lstm_engine.numbers import number
from lstm_engine.stepper import Frame

from .base import FrameWidget, Lines, visible_units

#: Glyphs by magnitude, relative to the largest |value| of the matrix.
SHADES = " ░▒▓█"
#: A value that is not finite (it is left out of the scale).
NOT_FINITE = "!!"


def matrix_state(cell: Cell) -> StateVar | None:
    return next((s for s in cell.states if s.kind == "matrix"), None)


def cell_style(value: float, scale: float) -> Style:
    """Red for positive, blue for negative values, brighter for larger ones."""
    level = min(abs(value) / scale, 1.0) if scale > 0 and np.isfinite(value) else 0.0
    shade = int(40 + 180 * level)
    rgb = (shade, 40, 40) if value >= 0 else (40, 60, shade)
    return Style(bgcolor=f"rgb({rgb[0]},{rgb[1]},{rgb[2]})", color="white")


def glyph(value: float, scale: float) -> str:
    """Two characters: the sign and a shade for the magnitude (!! where not finite)."""
    if not np.isfinite(value):
        return NOT_FINITE
    level = 0 if scale <= 0 else int(np.ceil(min(abs(value) / scale, 1.0) * (len(SHADES) - 1)))
    if level == 0:
        return " ·"
    return ("+" if value > 0 else "-") + SHADES[level]


class MatrixPanel(FrameWidget):
    """The cell's matrix state after this step; rows index k, columns index v. With room
    for fewer rows than H (``cap``) it shows a window of rows that keeps the selected
    unit's row in view, and its title says which; columns that do not fit end in …."""

    DEFAULT_CSS = """
    MatrixPanel { height: auto; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cap: int | None = None  #: the most rows shown (None: all)

    def set_cap(self, cap: int | None) -> None:
        if cap != self.cap:
            self.cap = cap
            self._rows = -1
            self._strips = None
            self.refresh(layout=True)

    def draw(self, frame: Frame) -> Lines:
        lane = self.lane_of(frame)
        var = None if lane is None else matrix_state(lane.cell)
        if lane is None or var is None:
            return Lines()
        H = lane.cell.hidden_size
        values = (
            np.zeros((H, H)) if lane.record is None else np.asarray(getattr(lane.record, var.name))
        )
        finite = values[np.isfinite(values)]
        scale = float(np.max(np.abs(finite))) if finite.size else 0.0
        largest = number(scale) if finite.size else "–"
        title = f"{var.label} {var.name} · max |{var.name}| = {largest}"
        if finite.size < values.size:
            title += f" · {values.size - finite.size} not finite (!!)"
        shown = visible_units(H, frame.unit, self.cap or H)
        if len(shown) < H:
            title += f" · rows {shown.start}-{shown.stop - 1} of {H}"  # at least two rows
        if self.border_title != title:
            self.border_title = title
        self.border_subtitle = "rows k, columns v; +/- sign, ░▒▓█ size"
        fits = max((self.size.width - 5) // 3, 1)
        columns = range(min(H, fits))
        text = Lines()
        text.append("    " + "".join(f"{j:>3}" for j in columns), "dim")
        for row in shown:
            text.append("\n")
            marker = "▶" if row == frame.unit else " "
            text.append(f"{marker}{row:>2} ", "bold" if row == frame.unit else "dim")
            for col in columns:
                value = float(values[row, col])
                text.append(" ")
                text.append(glyph(value, scale), cell_style(value, scale))
            if len(columns) < H:
                text.append(" …", "dim")
        return text

    def rows(self, frame: Frame) -> int:
        lane = self.lane_of(frame)
        if lane is None or matrix_state(lane.cell) is None:
            return 0
        return min(lane.cell.hidden_size, self.cap or lane.cell.hidden_size) + 1
