"""The private parts of plotext that ``lstm_engine/plotext_bridge.py`` uses, checked
against the installed plotext: a release that changes one fails here, loudly, by name."""

from __future__ import annotations

import numpy as np
import plotext
import pytest
from plotext import _dict, _utility
from plotext._figure import _figure_class

from lstm_engine import plotext_bridge as bridge


def test_the_private_names_exist() -> None:
    figure = _figure_class()
    for name in ("_set_terminal_size", "_set_size", "_build_matrix", "monitor", "build"):
        assert hasattr(figure, name), f"plotext figure lost {name}"
    for name in ("get_matrix_data", "colors_to_ansi", "uncolorize"):
        assert callable(getattr(_utility, name, None)), f"plotext._utility lost {name}"
    assert isinstance(_dict.themes, dict) and "default" in _dict.themes
    assert len(_dict.themes["default"]) == 5, "plotext themes are no longer 5-element lists"
    assert plotext.__name__ == "plotext"


def test_build_gives_the_matrix_its_canvas_and_xlim() -> None:
    figure = bridge.new_figure()
    figure.plot([1, 2, 3, 4], [0.0, 1.0, 0.5, 0.25], marker="o")
    canvas = bridge.build(figure, 40, 12)
    matrix = figure.monitor.matrix
    assert canvas.matrix is matrix
    assert matrix.rows == 12 and matrix.cols == 40
    for layer in ("marker", "fullground", "style", "background"):
        rows = getattr(matrix, layer)
        assert len(rows) == 12 and all(len(r) == 40 for r in rows), layer
    assert isinstance(matrix.Cols_canvas, range) and isinstance(matrix.Rows_canvas, range)
    assert 0 < len(matrix.Cols_canvas) < 40 and 0 < len(matrix.Rows_canvas) < 12
    assert canvas.xlim == (1.0, 4.0) and list(figure.monitor.xlim[0]) == [1, 4]


def test_a_point_lands_in_the_column_column_of_says() -> None:
    figure = bridge.new_figure()
    xs = [1, 5, 10, 20]
    figure.scatter(xs, [1, 2, 3, 4], marker="@")
    canvas = bridge.build(figure, 50, 14)
    for x in xs:
        col = canvas.column_of(float(x))
        assert col is not None
        assert any(canvas.cell(r, col)[0] == "@" for r in canvas.canvas_rows), x


def test_columns_of_is_plotexts_mapping() -> None:
    rng = np.random.default_rng(1)
    for _ in range(20):
        lim = tuple(sorted(rng.normal(0, 100, 2)))
        bins = int(rng.integers(2, 300))
        data = rng.uniform(lim[0], lim[1], 50)
        assert bridge.columns_of(data, lim, bins).tolist() == _utility.get_matrix_data(
            data.tolist(), list(lim), bins
        )


def test_colours_themes_and_text() -> None:
    assert bridge.ansi(((255, 0, 0), "bold", (0, 0, 0))).startswith("\x1b[")
    bridge.register_theme("bridge-test", (10, 20, 30), (200, 210, 220))
    assert bridge.has_theme("bridge-test")
    figure = bridge.new_figure()
    figure.theme("bridge-test")
    figure.plot([1, 2], [1, 2])
    canvas = bridge.build(figure, 30, 10)
    assert canvas.cell(0, 0)[1][2] == (10, 20, 30)  # the background the theme gave
    text = bridge.text(figure, 30, 10)
    assert "\x1b[" in text and "\x1b[" not in bridge.uncolorize(text)


def test_row_runs_cover_the_row() -> None:
    figure = bridge.new_figure()
    figure.plot([1, 2, 3], [3, 1, 2], color=(255, 0, 0))
    canvas = bridge.build(figure, 30, 10)
    for row in range(canvas.rows):
        runs = canvas.row_runs(row)
        assert sum(len(chars) for chars, _ in runs) == 30


@pytest.mark.parametrize("seed", range(6))
def test_draw_line_draws_the_dots_plotext_draws(seed: int) -> None:
    """The NumPy line is plotext's braille line: every character and colour the same."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(50, 3000))
    xs = np.arange(1, n + 1, dtype=float)
    ys = np.cumsum(rng.normal(size=n))
    low, high = float(ys.min()) - 0.1, float(ys.max()) + 0.1
    width, height = int(rng.integers(30, 120)), int(rng.integers(6, 40))

    def figure(with_line: bool) -> bridge.Figure:
        fig = bridge.new_figure()
        fig.xlim(1, n)
        fig.ylim(low, high)
        fig.scatter([1, n], [low, high], marker=" ")
        if with_line:
            fig.plot(xs.tolist(), ys.tolist(), marker="braille", color=(200, 10, 10))
        return fig

    theirs = bridge.build(figure(True), width, height)
    ours = bridge.build(figure(False), width, height)
    assert theirs.xlim is not None
    bridge.draw_line(ours, xs, ys, theirs.xlim, (low, high), (200, 10, 10))
    a, b = theirs.matrix, ours.matrix
    assert a.marker == b.marker and a.fullground == b.fullground
    assert a.style == b.style and a.background == b.background


def test_draw_line_goes_under_markers() -> None:
    """A long line drawn after the build keeps off the cells holding a marker."""
    xs = np.arange(1, 401, dtype=float)
    ys = np.sin(xs / 9.0)
    fig = bridge.new_figure()
    fig.xlim(1, 400)
    fig.ylim(-1.1, 1.1)
    fig.scatter(xs[::40].tolist(), ys[::40].tolist(), marker="o")
    canvas = bridge.build(fig, 60, 14)
    before = [row[:] for row in canvas.matrix.marker]
    bridge.draw_line(canvas, xs, ys, (1.0, 400.0), (-1.1, 1.1), (1, 2, 3), keep={"o"})
    after = canvas.matrix.marker
    rings = [(r, c) for r, row in enumerate(before) for c, ch in enumerate(row) if ch == "o"]
    assert rings and all(after[r][c] == "o" for r, c in rings)
    assert any(0x2800 < ord(ch) <= 0x28FF for row in after for ch in row)
