"""Trajectories of a run drawn with plotext, as the original drew h and c with matplotlib.

``draw`` takes a plotext figure (the ``plotext`` module itself, or a dashboard
widget's ``plt``) so the CLI and the dashboard draw the same picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .cells.base import Array
from .session import Session

TITLE = "Hidden and Cell States Over Time"
X_LABEL = "Time Step"
Y_LABEL = "State Value"
#: Marker characters per state, so curves are told apart without colour.
MARKERS = {"h": "o", "c": "x", "n": "+", "m": "*", "|C|": "#"}
COLORS = {"h": "blue", "c": "red", "n": "green", "m": "magenta", "|C|": "red"}
NAMES = {
    "h": "Hidden State",
    "c": "Cell State",
    "n": "Normaliser",
    "m": "Stabiliser",
    "|C|": "Memory Norm",
}


@dataclass(frozen=True)
class Curve:
    label: str
    values: Array
    marker: str
    color: str


def title_for(names: Sequence[str]) -> str:
    """The original's title for h and c; else the series named, "... Over Time"."""
    if tuple(names) == ("h", "c"):
        return TITLE
    shown = [NAMES.get(name, name) for name in names]
    return (", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0]) + (
        " Over Time"
    )


def session_series(session: Session, names: Sequence[str], upto: int) -> dict[str, Array]:
    """The named series of steps 1..upto, each (steps, units): a state by its name, or
    ``|C|``, the Frobenius norm of the matrix state C at each step (one value)."""
    series = {}
    for name in names:
        if name.startswith("|") and name.endswith("|"):
            matrix = session.series(name[1:-1], upto=upto)
            series[name] = np.sqrt(np.sum(matrix * matrix, axis=(1, 2)))[:, None]
        else:
            series[name] = session.series(name, upto=upto)
    return series


def state_curves(series: dict[str, Array], units: Sequence[int] | None = None) -> list[Curve]:
    """One curve per state and unit; ``series`` maps a state name to its (steps, H) values."""
    curves = []
    for name, values in series.items():
        columns = values.reshape(len(values), int(np.prod(values.shape[1:])))
        count = columns.shape[1]
        # A series with one column (the norm of C) belongs to the whole cell, not a unit.
        chosen = range(count) if units is None else sorted({u if count > 1 else 0 for u in units})
        for unit in chosen:
            suffix = f"[{unit}]" if columns.shape[1] > 1 else ""
            curves.append(
                Curve(
                    f"{NAMES.get(name, name)} ({name}{suffix})",
                    columns[:, unit],
                    MARKERS.get(name, "."),
                    COLORS.get(name, "white"),
                )
            )
    return curves


def thin(steps: Array, values: Array, width: int) -> tuple[Array, Array]:
    """At most about ``width`` points: every k-th step, always keeping the last."""
    if width <= 0 or len(steps) <= width:
        return steps, values
    stride = -(-len(steps) // width)
    keep = np.arange(len(steps) - 1, -1, -stride)[::-1]
    return steps[keep], values[keep]


def draw(
    plt: Any,
    steps: Array,
    curves: Sequence[Curve],
    *,
    title: str = TITLE,
    size: tuple[int, int] | None = None,
    max_points: int = 0,
    colour: bool = True,
    theme: str | None = None,
) -> None:
    """Draw curves against steps on a plotext figure (cleared first), ``size`` = (width,
    height) in characters; ``theme`` is a plotext theme, "clear" without colour."""
    plt.clear_data()
    plt.clear_figure()  # resets size and theme too, so they are set after it
    if size is not None:
        plt.plotsize(*size)
    if theme is not None or not colour:
        plt.theme(theme if colour else "clear")
    plt.title(title)
    plt.xlabel(X_LABEL)
    plt.ylabel(Y_LABEL)
    plt.grid(True, True)
    for curve in curves:
        if not len(curve.values):
            continue
        xs, ys = thin(steps, curve.values, max_points)
        kwargs = {"color": curve.color} if colour else {}
        plt.plot(xs.tolist(), ys.tolist(), label=curve.label, marker=curve.marker, **kwargs)
    _room_for_legend(plt, curves, size)


def _room_for_legend(plt: Any, curves: Sequence[Curve], size: tuple[int, int] | None) -> None:
    """Raise the top of the y axis so the legend (top left) covers no data."""
    values = [c.values for c in curves if len(c.values)]
    if not values:
        return
    low = min(float(np.min(v)) for v in values)
    high = max(float(np.max(v)) for v in values)
    span = high - low or max(abs(high), 1e-3)
    canvas_rows = max((size[1] if size else 20) - 6, 4)  # title, axes and labels take ~6
    legend_rows = len(curves) + 1
    share = min(legend_rows / canvas_rows, 0.6)
    plt.ylim(low - 0.02 * span, high + span * share / (1 - share))
