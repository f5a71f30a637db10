"""A matrix state (the mLSTM's memory C) as a heat map: a colour and a glyph per value,
so that it reads without colour too."""

from __future__ import annotations

import numpy as np
from rich.style import Style
from rich.text import Text

from lstm_engine import Cell, StateVar

from ..view import View
from .base import ViewWidget

#: Glyphs by magnitude, relative to the largest |value| of the matrix.
SHADES = " ░▒▓█"


def matrix_state(cell: Cell) -> StateVar | None:
    return next((s for s in cell.states if s.kind == "matrix"), None)


def cell_style(value: float, scale: float) -> Style:
    """Red for positive, blue for negative values, brighter for larger ones."""
    level = min(abs(value) / scale, 1.0) if scale > 0 else 0.0
    shade = int(40 + 180 * level)
    rgb = (shade, 40, 40) if value >= 0 else (40, 60, shade)
    return Style(bgcolor=f"rgb({rgb[0]},{rgb[1]},{rgb[2]})", color="white")


def glyph(value: float, scale: float) -> str:
    """Two characters: the sign and a shade for the magnitude."""
    level = 0 if scale <= 0 else int(np.ceil(min(abs(value) / scale, 1.0) * (len(SHADES) - 1)))
    if level == 0:
        return " ·"
    return ("+" if value > 0 else "-") + SHADES[level]


class MatrixPanel(ViewWidget):
    """The cell's matrix state after this step; rows index k, columns index v."""

    DEFAULT_CSS = """
    MatrixPanel { height: auto; }
    """

    def render(self) -> Text:
        view = self.view
        if view is None:
            return Text("")
        var = matrix_state(view.cell)
        if var is None:
            return Text("")
        H = view.cell.hidden_size
        values = (
            np.zeros((H, H)) if view.record is None else np.asarray(getattr(view.record, var.name))
        )
        scale = float(np.max(np.abs(values))) if values.size else 0.0
        self.border_title = f"{var.label} {var.name} · max |{var.name}| = {scale:.3g}"
        self.border_subtitle = "rows k, columns v; +/- sign, ░▒▓█ size"
        fits = max((self.size.width - 4) // 3, 1)
        columns = range(min(H, fits))
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append("    " + "".join(f"{j:>3}" for j in columns), "dim")
        for row in range(H):
            text.append("\n")
            marker = "▶" if row == view.unit else " "
            text.append(f"{marker}{row:>2} ", "bold" if row == view.unit else "dim")
            for col in columns:
                value = float(values[row, col])
                text.append(" ")
                text.append(glyph(value, scale), cell_style(value, scale))
            if len(columns) < H:
                text.append(" …", "dim")
        return text

    def rows(self, view: View) -> int:
        return view.cell.hidden_size + 1 if matrix_state(view.cell) else 0
