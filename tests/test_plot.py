"""The plot tells the truth at any length: every canvas column keeps the smallest and the
largest value of its steps (M4); NaN and infinity are left out and counted; x ticks are
whole steps; norms do not overflow."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_engine import LSTMCell, Session, plot
from lstm_engine import plotext_bridge as bridge
from lstm_engine.plot import (
    BLUE,
    Curve,
    draw,
    envelope,
    integer_ticks,
    matrix_norm,
    unit_curves,
    value_ticks,
)


def test_envelope_keeps_first_last_min_and_max_of_every_column() -> None:
    rng = np.random.default_rng(0)
    values = rng.normal(0, 1, 1000)
    columns = np.sort(rng.integers(0, 37, 1000))
    keep = envelope(values, columns)
    assert len(keep) <= 4 * 37
    for column in np.unique(columns):
        where = np.flatnonzero(columns == column)
        kept = values[np.intersect1d(keep, where)]
        assert kept.min() == values[where].min() and kept.max() == values[where].max()
        assert where[0] in keep and where[-1] in keep


def spike_run(steps: int, spike_at: int) -> Session:
    """The default cell on zeros, with one input of +8 (c jumps to about 0.42)."""
    inputs = np.zeros((steps, 1))
    inputs[spike_at] = 8.0
    session = Session(LSTMCell.init(1, 1, 42), inputs)
    session.run_to_end()
    return session


def drawn_rows(canvas: bridge.Canvas, column: int, marker: str) -> list[int]:
    return [r for r in canvas.canvas_rows if canvas.cell(r, column)[0] not in (" ", "")]


@pytest.mark.parametrize(("steps", "spike_at"), [(10_000, 5_321), (60, 17), (100_000, 99_998)])
def test_a_one_step_spike_stays_in_its_column(steps: int, spike_at: int) -> None:
    session = spike_run(steps, spike_at)
    c = session.series("c")[:, 0]
    assert c[spike_at] > 0.4 and np.all(np.abs(np.delete(c, [spike_at, spike_at + 1])) < 0.3)
    curve = Curve("c", c, "x", BLUE)
    drawn = draw(bridge.new_figure(), [curve], steps, width=80, height=20, colour=False)
    canvas = drawn.canvas
    column = canvas.column_of(float(spike_at + 1))
    assert column is not None
    top = max(r for r in canvas.canvas_rows if canvas.cell(r, column)[0].strip())
    # the spike's row is the top of the data area, where c's largest value is drawn
    assert top == canvas.canvas_rows.stop - 1 or top >= canvas.canvas_rows.stop - 2
    assert drawn.thinned == (steps > len(canvas.columns))
    # every other column stays low: nothing drawn in the top rows elsewhere
    tops = [
        max((r for r in canvas.canvas_rows if canvas.cell(r, col)[0].strip()), default=-1)
        for col in canvas.columns
        if col not in (column, column + 1, column - 1)
    ]
    assert max(tops) < top - 2


def test_every_column_shows_its_min_and_max() -> None:
    rng = np.random.default_rng(3)
    values = np.cumsum(rng.normal(0, 1, 10_000))
    drawn = draw(
        bridge.new_figure(),
        [Curve("h", values, "o", BLUE)],
        10_000,
        width=70,
        height=24,
        colour=False,
    )
    canvas = drawn.canvas
    rows = len(canvas.canvas_rows)
    lo, hi = values.min(), values.max()
    pad = (hi - lo) * 0.1 / 2
    ylim = (lo - pad, hi + pad)
    columns = bridge.columns_of(np.arange(1, 10_001, dtype=float), canvas.xlim, len(canvas.columns))
    for col in range(len(canvas.columns)):
        where = columns == col
        if not where.any():
            continue
        want = bridge.columns_of(np.array([values[where].min(), values[where].max()]), ylim, rows)
        drawn_rows_here = {
            r - canvas.canvas_rows.start
            for r in canvas.canvas_rows
            if canvas.cell(r, canvas.columns.start + col)[0].strip()
        }
        assert set(want.tolist()) <= drawn_rows_here, col


def test_non_finite_values_are_left_out_and_counted() -> None:
    values = np.array([0.1, np.nan, 0.3, np.inf, -np.inf, 0.2])
    drawn = draw(bridge.new_figure(), [Curve("h", values, "o", BLUE)], 6, width=60, height=15)
    assert drawn.left_out == 3
    nothing = draw(
        bridge.new_figure(), [Curve("h", np.full(4, np.nan), "o", BLUE)], 4, width=60, height=15
    )
    assert nothing.left_out == 4


def test_huge_values_do_not_overflow_the_axis() -> None:
    values = np.array([-1e308, 1e308, 0.0])
    drawn = draw(bridge.new_figure(), [Curve("h", values, "o", BLUE)], 3, width=60, height=15)
    assert drawn.left_out == 0
    marks = [
        canvas_row
        for canvas_row in drawn.canvas.canvas_rows
        if any(drawn.canvas.cell(canvas_row, c)[0] == "o" for c in drawn.canvas.columns)
    ]
    assert len(marks) == 3  # bottom, middle, top


def test_x_ticks_are_whole_steps() -> None:
    for last in (1, 2, 3, 7, 12, 60, 999, 10_000, 100_000):
        ticks = integer_ticks(last, 8)
        assert ticks[0] == 1 and all(isinstance(t, int) and 1 <= t <= last for t in ticks)
        assert len(ticks) <= 12
    ticks, labels = value_ticks(0.1, 0.3, 5)
    assert labels == ["0.10", "0.15", "0.20", "0.25", "0.30"]
    ticks, labels = value_ticks(-0.41, 0.39, 6)  # round values inside, each labelled exactly
    assert labels == ["-0.4", "-0.2", "0", "0.2"] and ticks[0] == pytest.approx(-0.4)
    assert value_ticks(0.0, 2e5, 3)[1] == ["0", "1.00e+05", "2.00e+05"]
    ticks, labels = value_ticks(-1.1, 1.1, 4, scale=1e308)
    assert labels == ["-1.0e+308", "0", "1.0e+308"]
    for low, high in ((0.1131, 0.1162), (-3.0, 7.0), (1e-6, 3e-6), (0.0, 1.0)):
        ticks, labels = value_ticks(low, high, 5)
        assert 2 <= len(ticks) <= 8 and all(low - 1e-12 <= t <= high + 1e-12 for t in ticks)
        assert len(set(labels)) == len(labels)


def test_matrix_norm_does_not_overflow() -> None:
    C = np.full((2, 3, 3), 1e200)
    C[1] = 0.0
    np.testing.assert_allclose(matrix_norm(C), [3e200, 0.0])
    assert np.isnan(matrix_norm(np.full((1, 2, 2), np.nan))[0])


def test_unit_curves_name_the_unit_only_with_several() -> None:
    one = unit_curves(LSTMCell.init(1, 1, 0), {"h": np.zeros((2, 1)), "c": np.zeros((2, 1))}, 0)
    assert [c.label for c in one] == ["Hidden State (h)", "Cell State (c)"]
    three = unit_curves(LSTMCell.init(1, 3, 0), {"h": np.zeros((2, 3))}, 2)
    assert three[0].short == "h[2]"


def test_a_span_of_a_few_ulp_of_a_huge_value_draws() -> None:
    """Two values one ulp apart near 1.22e154 (mLSTM weights of ~6e153): plotext divides
    by the span, so it is drawn as a flat series, not a ZeroDivisionError."""
    values = np.array([1.22e154, np.nextafter(1.22e154, np.inf)])
    curve = plot.Curve("h", values, "o", (200, 10, 10))
    drawn = plot.draw(bridge.new_figure(), [curve], 2, width=60, height=12)
    assert drawn.left_out == 0 and drawn.canvas.rows == 12


def test_integer_ticks_with_room_for_one_tick() -> None:
    for last in range(2, 200):
        ticks = plot.integer_ticks(last, 1)
        assert ticks[0] == 1 and ticks[-1] <= last, (last, ticks)


def test_a_long_series_keeps_its_ticks_and_its_line() -> None:
    """A series longer than the plot is wide (drawn with NumPy, not plotext) still gets
    plotext's axes: its tick numbers on both axes, and the line's braille dots."""
    values = np.sin(np.arange(100) / 5.0)
    curve = plot.Curve("h", values, "o", (200, 10, 10))
    drawn = plot.draw(bridge.new_figure(), [curve], 100, width=60, height=12)
    rows = ["".join(drawn.canvas.matrix.marker[r]) for r in range(drawn.canvas.rows)]
    text = "\n".join(rows)
    assert drawn.thinned
    assert " 1 " in rows[1] + " " and "100" in text  # x ticks (row 0: the labels)
    assert any(row.lstrip().startswith(("1┤", "-1┤")) for row in rows)  # y ticks
    assert sum(0x2800 < ord(ch) <= 0x28FF for ch in text) > 40  # the line
