"""Trajectories drawn with plotext, as the original drew h and c with matplotlib.

The same code draws the CLI's ``--plot`` and the dashboard's plot:

* ``series_of`` reads the plotted series of a session (a state by name, or ``|C|``, the
  norm of a matrix state, computed without overflow);
* ``curves`` picks what to draw: the selected unit's states, every unit of one state, or
  two cells side by side, each curve with its own marker and colour, on the left axis
  or, for series that dwarf h (``Cell.plotted_apart``), on the right one;
* ``draw`` puts curves on a plotext figure. Long series are thinned per canvas column
  keeping each column's first, last, smallest and largest value (M4, Jugel et al. 2014),
  so a one-step spike among 100,000 steps stays in the picture; few points are drawn as
  lines with a marker at each data point; NaN and infinite values are left out and
  counted. x ticks are whole step numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import plotext_bridge as bridge
from .cells.base import Array, Cell
from .numbers import LARGE, scientific
from .session import Session

TITLE = "Hidden and Cell States Over Time"
X_LABEL = "Time Step"
Y_LABEL = "State Value"
#: Colours as RGB, the same on every terminal and plotext theme.
RGB = tuple[int, int, int]
BLUE, RED, GREEN, MAGENTA = (70, 140, 255), (235, 70, 70), (70, 190, 90), (210, 90, 210)
CYAN, YELLOW, ORANGE, GRAY, WHITE = (
    (0, 200, 210),
    (225, 195, 30),
    (245, 140, 50),
    (150, 150, 150),
    (225, 225, 225),
)
#: Marker characters per series, so curves are told apart without colour.
MARKERS = {"h": "o", "c": "x", "n": "+", "m": "*", "|C|": "#", "x": "·"}
COLORS = {"h": BLUE, "c": RED, "n": GREEN, "m": MAGENTA, "|C|": RED, "x": GRAY}
NAMES = {
    "h": "Hidden State",
    "c": "Cell State",
    "n": "Normaliser",
    "m": "Stabiliser",
    "|C|": "Memory Norm",
    "x": "Input",
}
#: Per unit in the all-units view (up to 8 units; beyond, a band of min and max).
UNIT_MARKERS = ("o", "x", "+", "*", "#", "@", "%", "&")
UNIT_COLORS = (BLUE, RED, GREEN, MAGENTA, CYAN, ORANGE, YELLOW, WHITE)
#: The second cell of compare mode: its own markers and colours.
SECOND_MARKERS = {"h": "*", "c": "+", "n": "%", "|C|": "@"}
SECOND_COLORS = {"h": CYAN, "c": YELLOW, "n": ORANGE, "|C|": ORANGE}
#: How lines between data points are drawn (plotext's braille marker: 2x4 dots a cell).
LINE = "braille"
#: Where two curves' markers fall in one character (compare mode's two cells, or two
#: series that meet), so that neither hides under the other.
BOTH = "◆"
#: The columns between a marked line's markers (``Curve.marked``).
MARK_EVERY = 6


@dataclass(frozen=True)
class Curve:
    label: str  #: legend text: "Hidden State (h)", "c[2]", "LSTM h"
    values: Array  #: one value per step 1..n (NaN or inf allowed: left out)
    marker: str  #: the glyph at the data points
    color: RGB
    right: bool = False  #: on the right-hand y axis
    line: bool = True  #: lines between the data points (else markers only)
    short: str = ""  #: a shorter legend text, where the label does not fit ("h")
    #: a line too dense for a marker at every step still shows its marker every
    #: MARK_EVERY columns (offset by ``marked - 1``), so the legend's glyph is on it; 0: not
    marked: int = 0

    @property
    def brief(self) -> str:
        return self.short or self.label


@dataclass(frozen=True)
class Drawn:
    """What ``draw`` drew."""

    canvas: bridge.Canvas
    left_out: int  #: NaN or infinite values not drawn
    thinned: bool  #: the series had more steps than columns (M4)
    overlaps: int = 0  #: markers drawn as BOTH, where two curves' markers fall together


def series_of(session: Session, names: Sequence[str], upto: int) -> dict[str, Array]:
    """The named series of steps 1..upto, each (steps, units): a state by its name, or
    ``|C|``, the Frobenius norm of the matrix state C (one value a step). The dashboard's
    controller keeps the norms and extends them step by step instead."""
    series = {}
    for name in names:
        if name.startswith("|") and name.endswith("|"):
            series[name] = matrix_norm(session.series(name[1:-1], upto=upto))[:, None]
        else:
            series[name] = session.series(name, upto=upto)
    return series


def matrix_norm(matrices: Array) -> Array:
    """Frobenius norms of (steps, H, H) matrices, overflow-safe: each matrix is divided by
    the power of two 2**e >= its largest |entry| (an exact division) and the norm of that
    multiplied back by 2**e. Scaling by a power of two commutes with rounding, so this
    is ``np.linalg.norm`` to the bit wherever that neither overflows nor underflows; it
    is inf only where the norm itself passes float64 (H max|C| > 1.8e308), and nan for a
    matrix holding nan."""
    flat = matrices.reshape(len(matrices), -1)
    if not flat.size:
        return np.zeros(len(matrices))
    with np.errstate(invalid="ignore"):
        largest = np.max(np.abs(flat), axis=1)
        finite = np.isfinite(largest)
        e = np.frexp(np.where(finite, largest, 1.0))[1]
        ratio = np.ldexp(flat, -e[:, None])
        with np.errstate(over="ignore"):  # a norm past float64 is inf: it is the answer
            norm = np.ldexp(np.sqrt(np.sum(ratio * ratio, axis=1)), e)
    return np.where(finite, norm, largest)


def unit_curves(
    cell: Cell, series: Mapping[str, Array], unit: int, prefix: str = "", second: bool = False
) -> list[Curve]:
    """One curve per plotted series for the selected unit (a series with one column, the
    norm of C, belongs to the whole cell). ``second``: the other cell of compare mode,
    with markers of its own and no lines, so that both show where they overlap."""
    markers, colors = (SECOND_MARKERS, SECOND_COLORS) if second else (MARKERS, COLORS)
    out = []
    for name, values in series.items():
        columns = _columns(values)
        k = unit if columns.shape[1] > 1 else 0
        suffix = f"[{k}]" if columns.shape[1] > 1 and cell.hidden_size > 1 else ""
        symbol = f"{name}{suffix}"
        out.append(
            Curve(
                f"{prefix}{symbol}" if prefix else f"{NAMES.get(name, name)} ({symbol})",
                columns[:, k],
                markers.get(name, MARKERS.get(name, ".")),
                colors.get(name, COLORS.get(name, WHITE)),
                right=name in cell.plotted_apart,
                line=not second,
                short=f"{prefix}{symbol}",
            )
        )
    return out


def session_curves(cell: Cell, series: Mapping[str, Array]) -> list[Curve]:
    """Every plotted series of every unit (the CLI's plot): a marker per series, a colour
    per unit."""
    if cell.hidden_size == 1:
        return unit_curves(cell, series, 0)
    out = []
    for name, values in series.items():
        columns = _columns(values)
        for k in range(columns.shape[1]):
            symbol = f"{name}[{k}]" if columns.shape[1] > 1 else name
            out.append(
                Curve(
                    f"{NAMES.get(name, name)} ({symbol})",
                    columns[:, k],
                    MARKERS.get(name, "."),
                    UNIT_COLORS[k % len(UNIT_COLORS)],
                    right=name in cell.plotted_apart,
                    short=symbol,
                )
            )
    return out


def input_curves(inputs: Array) -> list[Curve]:
    """The input x of each step (each feature, up to 4), on the right-hand axis: inputs
    are on a scale of their own."""
    width = inputs.shape[1]
    return [
        Curve(
            "Input x" if width == 1 else f"Input x[{k}]",
            inputs[:, k],
            MARKERS["x"],
            COLORS["x"],
            right=True,
            short="input x" if width == 1 else f"input x[{k}]",
        )
        for k in range(min(width, 4))
    ]


def all_unit_curves(
    cell: Cell, name: str, values: Array, prefix: str = "", second: bool = False
) -> list[Curve]:
    """Every unit of one series: its own marker and colour up to 8 units; beyond, the band
    of the smallest and largest value over the units at each step. ``second``: compare
    mode's other cell, whose units are drawn as their digits, markers only."""
    right = name in cell.plotted_apart and not prefix
    columns = _columns(values)
    if columns.shape[1] <= len(UNIT_MARKERS):
        return [
            Curve(
                f"{prefix}{name}[{k}]",
                columns[:, k],
                str(k) if second else UNIT_MARKERS[k],
                UNIT_COLORS[k],
                right=right,
                line=not second,
            )
            for k in range(columns.shape[1])
        ]
    with np.errstate(invalid="ignore"):
        low, high = np.min(columns, axis=1), np.max(columns, axis=1)
    last = columns.shape[1] - 1
    return [
        Curve(
            f"{prefix}max {name}[0..{last}]", high, "%" if second else "^", RED, right, not second
        ),
        Curve(
            f"{prefix}min {name}[0..{last}]", low, "&" if second else "v", BLUE, right, not second
        ),
    ]


def _columns(values: Array) -> Array:
    """A series as (steps, columns), also when it has no steps yet."""
    return values.reshape(len(values), int(np.prod(values.shape[1:], dtype=int)))


def title_for(names: Sequence[str]) -> str:
    """The original's title for h and c; else the series named, "... Over Time"."""
    if tuple(names) == ("h", "c"):
        return TITLE
    shown = [NAMES.get(name, name) for name in names]
    return (", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0]) + (
        " Over Time"
    )


# -- drawing ---------------------------------------------------------------------------
def envelope(values: Array, columns: np.ndarray) -> np.ndarray:
    """M4: the indices to keep so that every canvas column keeps the first, last, smallest
    and largest of its values. ``columns`` (non-decreasing) is each value's column."""
    n = len(values)
    if n == 0:
        return np.arange(0)
    starts = np.concatenate([[0], np.flatnonzero(np.diff(columns)) + 1])
    ends = np.concatenate([starts[1:], [n]])
    lows = np.minimum.reduceat(values, starts)
    highs = np.maximum.reduceat(values, starts)
    segment = np.repeat(np.arange(len(starts)), ends - starts)
    keep = [starts, ends - 1]
    for extremes in (lows, highs):
        hits = np.flatnonzero(values == extremes[segment])
        keep.append(hits[np.searchsorted(hits, starts)])  # the first hit in each segment
    return np.unique(np.concatenate(keep))


def integer_ticks(last: int, count: int) -> list[int]:
    """About ``count`` whole step numbers from 1 to ``last``, at a round spacing."""
    if last <= 1:
        return [1]
    raw = max((last - 1) / max(count, 1), 1.0)
    power = 10 ** math.floor(math.log10(raw))
    step = next(k * power for k in (1, 2, 5, 10) if k * power >= raw)
    step = max(int(step), 1)
    ticks = list(range(step if step > 1 else 1, last + 1, step))
    if not ticks or ticks[0] != 1:  # room for one tick only: the spacing passes last
        ticks.insert(0, 1)
    return ticks


def value_ticks(
    low: float, high: float, count: int, scale: float = 1.0
) -> tuple[list[float], list[str]]:
    """About ``count`` ticks at round values between low and high (1, 2 or 5 times a power
    of ten apart), each labelled with its exact value: as few decimals as the spacing
    needs, scientific for large or tiny values as everywhere. The limits are in units of
    ``scale`` (the labels are not): an axis of values near 1e300 is drawn divided by it."""
    count = max(count, 2)
    span = high - low
    if not span > 0:
        return [low], [scientific(low * scale) if abs(low * scale) >= LARGE else f"{low * scale:g}"]
    raw = span / (count - 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(k * power for k in (1, 2, 5, 10) if k * power >= raw * 0.999)
    first = math.ceil(low / step - 1e-9)
    ticks = [k * step for k in range(first, math.floor(high / step + 1e-9) + 1)]
    if len(ticks) < 2:  # a narrow window between two round values: its ends
        ticks = [low, high]
        step = span
    top = max(abs(t) for t in ticks) * scale
    if top >= LARGE or (0 < top < 1e-3) or step * scale < 1e-4:
        return ticks, [scientific(t * scale) if t else "0" for t in ticks]
    decimals = min(max(math.ceil(-math.log10(step * scale) - 1e-9), 0), 6)
    labels = [f"{t * scale:.{decimals}f}" for t in ticks]
    return ticks, ["0" if float(label) == 0 else label for label in labels]


def _scale(limits: tuple[float, float] | None) -> float:
    """1, or the power of ten that brings limits beyond 1e12 down to plotext's range."""
    top = 0.0 if limits is None else max(abs(limits[0]), abs(limits[1]))
    return 1.0 if top <= 1e12 else 10.0 ** math.floor(math.log10(top))


def _limits(curves: Sequence[Curve], steps: int) -> tuple[float, float] | None:
    lows, highs = [], []
    for curve in curves:
        finite = curve.values[:steps][np.isfinite(curve.values[:steps])]
        if finite.size:
            lows.append(float(finite.min()))
            highs.append(float(finite.max()))
    if not lows:
        return None
    low, high = min(lows), max(highs)
    half_span = high / 2 - low / 2  # halves: the span of -1e308..1e308 stays finite
    # A span of a few ulp (of 1.22e154, say) is flat to plotext, which divides by it.
    if half_span <= max(abs(low), abs(high)) * 1e-12:
        pad = max(abs(high) * 0.05, 1e-3)
        return low - pad, high + pad
    pad = half_span * 0.1
    return max(low - pad, -1.7e308), min(high + pad, 1.7e308)


def draw(
    figure: bridge.Figure,
    curves: Sequence[Curve],
    steps: int,
    *,
    width: int,
    height: int,
    colour: bool = True,
    theme: str | None = None,
    title: str | None = None,
    legend: bool = False,
    labels: bool = True,
    axes: tuple[str, str] = (X_LABEL, Y_LABEL),
    meet_lines: bool = False,
) -> Drawn:
    """Draw ``curves`` over steps 1..steps on a plotext figure (cleared first) of ``width``
    x ``height`` characters and build it. ``theme`` is a plotext theme ("clear" without
    colour); ``legend`` asks plotext for its own legend (the dashboard draws its own);
    ``labels`` writes the axis labels ``axes`` (x, y; a row small plots do without).
    ``meet_lines``: BOTH also where a line's data points share a character with another
    curve's (curves that run together, one would hide the other), not only markers'."""
    left = [c for c in curves if not c.right]
    right = [c for c in curves if c.right]
    real = {"left": _limits(left, steps), "right": _limits(right, steps)}
    sides = [side for side, lim in real.items() if lim is not None]
    if legend:  # plotext's legend sits at the top left: raise the tops so it covers no data
        share = min((len(curves) + 1) / max(height - 6, 4), 0.6)
        for side in sides:
            low, high = real[side]  # type: ignore[misc]
            real[side] = (low, high + (high / 2 - low / 2) * 2 * share / (1 - share))
    left_out = sum(int(np.count_nonzero(~np.isfinite(c.values[:steps]))) for c in curves)
    # plotext maps data with differences of floats: beyond ~1e12 they lose digits, and a
    # span of 1e308 overflows. So each axis draws its data divided by a power of ten and
    # labels its ticks with the real values.
    scale = {side: _scale(real[side]) for side in sides}
    limits = {side: (real[side][0] / scale[side], real[side][1] / scale[side]) for side in sides}  # type: ignore[index]

    def setup() -> None:
        figure.clear_data()
        figure.clear_figure()  # resets size and theme too, so they are set after it
        if theme is not None or not colour:
            figure.theme(theme if colour else "clear")
        if title:
            figure.title(title)
        if labels:
            figure.xlabel(axes[0])
            figure.ylabel(axes[1])
        figure.xlim(*((0.5, 1.5) if steps <= 1 else (1, steps)))
        rows = max(height - 5, 2)
        for side in sides:
            low, high = limits[side]
            figure.ylim(low, high, yside=side)
            count = min(max(rows // 3, 2), 6)
            ticks, tick_labels = value_ticks(low, high, count, scale[side])
            figure.yticks(ticks, tick_labels, yside=side)

    setup()
    xs_all = np.arange(1, steps + 1, dtype=float)
    columns: int | None = None  # the canvas's columns, where the series may need thinning
    if steps * 3 > width - 16:  # could be more than a third of the canvas: measure it
        for side in sides:  # a probe of the layout: how many columns the canvas has
            low, high = limits[side]
            figure.scatter([1, max(steps, 1)], [low, high], marker=" ", yside=side)
        columns = max(len(bridge.build(figure, width, height).columns), 1)
        setup()
    thinned = columns is not None and steps > columns
    figure.xticks(integer_ticks(steps, max((columns or width - 16) // 8, 1)))
    xlim = (0.5, 1.5) if steps <= 1 else (1.0, float(steps))
    markers: list[tuple[Curve, Any, Any, dict[str, Any], dict[str, Any]]] = []
    lines: list[tuple[Curve, Any, Any]] = []  #: the lines' data points, for meet_lines
    dense: list[tuple[Any, Any, str, dict[str, Any]]] = []  #: long lines drawn by NumPy
    for curve in curves:  # every line first, so that no line covers a marker
        values = curve.values[:steps]
        finite = np.isfinite(values)
        xs, ys = xs_all[finite], values[finite]
        if not len(xs):
            continue
        if thinned:
            keep = envelope(ys, bridge.columns_of(xs, xlim, columns or 1))
            xs, ys = xs[keep], ys[keep]
        side = "right" if curve.right else "left"
        ys = ys / scale[side]
        kwargs: dict[str, Any] = {"yside": side}
        if colour:
            kwargs["color"] = curve.color
        label = {"label": curve.label} if legend else {}
        sparse = columns is None or len(xs) * 3 <= columns
        if curve.line and len(xs) > 1:
            lines.append((curve, xs, ys))
            # Dense and without colour, the line itself is drawn with the curve's glyph.
            line_marker = LINE if colour or sparse else curve.marker
            if thinned and not sparse and line_marker == LINE and not legend:
                dense.append((xs, ys, side, kwargs))  # drawn below, after the build
            else:
                figure.plot(
                    xs.tolist(),
                    ys.tolist(),
                    marker=line_marker,
                    **kwargs,
                    **({} if sparse else label),
                )
        if sparse or not curve.line or len(xs) == 1:
            markers.append((curve, xs, ys, kwargs, label))
        elif curve.marked:
            at = bridge.columns_of(xs, xlim, columns or 1)
            first = np.r_[True, at[1:] != at[:-1]]  # a column's first point
            pick = first & ((at - curve.marked + 1) % MARK_EVERY == 0)
            markers.append((curve, xs[pick], ys[pick], kwargs, label))
    for side in {side for _, _, side, _ in dense}:  # plotext writes no ticks for no data
        low, high = limits[side]
        figure.scatter([xlim[0], xlim[1]], [low, high], marker=" ", yside=side)
    for curve, xs, ys, kwargs, label in markers:
        figure.scatter(xs.tolist(), ys.tolist(), marker=curve.marker, **kwargs, **label)
    canvas = bridge.build(figure, width, height)
    overlaps = 0
    points = [(curve, xs, ys) for curve, xs, ys, _, _ in markers]
    if meet_lines:
        points += [line for line in lines if all(line[0] is not c or c.marked for c, *_ in points)]
    if len({id(curve) for curve, *_ in points}) > 1:
        # Where a marker falls on another curve's marker (compare mode's two cells, or two
        # series that meet), both would hide under the last one drawn: draw BOTH instead.
        cols, rows = max(len(canvas.columns), 1), max(len(canvas.canvas_rows), 1)
        taken: dict[tuple[int, int], int] = {}
        meet: list[tuple[float, float, bool]] = []
        for curve, xs, ys in points:
            k = id(curve)  # a marked line's markers and its points are one curve
            side = "right" if curve.right else "left"
            cells = zip(
                bridge.columns_of(xs, xlim, cols).tolist(),
                bridge.columns_of(ys, limits[side], rows).tolist(),
                strict=True,
            )
            for cell, x, y in zip(cells, xs.tolist(), ys.tolist(), strict=True):
                if taken.setdefault(cell, k) != k:
                    meet.append((x, y, curve.right))
        for on_right in (False, True):
            spots = [(x, y) for x, y, right in meet if right == on_right]
            if spots:
                overlaps += len(spots)
                xs_both, ys_both = zip(*spots, strict=True)
                extra = {"color": WHITE} if colour else {}
                side = "right" if on_right else "left"
                figure.scatter(list(xs_both), list(ys_both), marker=BOTH, yside=side, **extra)
        if overlaps:
            canvas = bridge.build(figure, width, height)
    # The long lines last, with the dots plotext would draw but without its cost; lines
    # go under markers, so a cell holding a marker keeps it.
    glyphs = {c.marker for c, *_ in markers} | {BOTH}
    for xs, ys, side, kwargs in dense:
        bridge.draw_line(canvas, xs, ys, xlim, limits[side], kwargs.get("color"), keep=glyphs)
    return Drawn(canvas, left_out, thinned, overlaps)
