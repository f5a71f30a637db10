"""The state panel: for the selected unit, each state's old value, new value and change,
and the step's other quantities (tanh(c); the mLSTM's q, k, v, h~)."""

from __future__ import annotations

from typing import Any

import numpy as np

from lstm_engine import Cell, StateVar
from lstm_engine.cells.base import Record
from lstm_engine.numbers import fit
from lstm_engine.stepper import Frame

from .base import FrameWidget, Lines

COLUMN = 9  #: width of the before, after and change columns (8 without borders)


class StatePanel(FrameWidget):
    """With a border (large screens) the column heads are a row of their own; without
    (``-compact``), the panel's first row is its title and the column heads together."""

    DEFAULT_CSS = """
    StatePanel { height: auto; }
    """

    def draw(self, frame: Frame) -> Lines:
        lane = self.lane_of(frame)
        if lane is None:
            return Lines()
        cell, record, unit = lane.cell, lane.record, frame.unit
        states, extras = parts(cell)
        single = len(extras) == 1  # one extra (tanh(c)): a row of its own, under "after"
        width = max([len(s.name) for s in states] + [len(extras[0][0]) if single else 3])
        column = COLUMN
        text = Lines()
        if self.compact:  # the title and the column heads share the first row
            column = COLUMN - 1
            room = self.size.width - 3 * (column + 1)
            options = [self.title_for(frame), f"unit {frame.unit}", f"u{frame.unit}"]
            title = next((t for t in options if len(t) <= room), options[-1])
            if frame.hidden_size == 1:
                title = "States" if room >= 6 else ""
            width = max(width, len(title))
            text.append(f"{title:<{width}}", "bold")
        else:
            text.append(f"{'':<{width}}")
        text.append(f" {'before':>{column}} {'after':>{column}} {'change':>{column}}", "dim")
        for var in states:
            text.append("\n")
            text.append(f"{var.name:<{width}} ", "bold")
            if record is None:
                text.append(f"{'':>{column}} {fit(0.0, column):>{column}}")
                continue
            k = 0 if var.kind == "scalar" else unit
            old = _pick(getattr(record, var.name + "_prev"), k)
            new = _pick(getattr(record, var.name), k)
            change = new - old
            sign = "+" if change >= 0 else ""
            text.append(f"{fit(old, column):>{column}} ")
            text.append(f"{fit(new, column):>{column}}", "bold")
            text.append(f" {sign + fit(change, column - 1):>{column}}")
        if single:
            label, field = extras[0]
            value = "–" if record is None else fit(_pick(getattr(record, field), unit), column)
            text.append("\n")
            text.append(f"{label:<{width}} ", "bold")
            text.append(f"{'':>{column}} {value:>{column}}")
            return text
        for line in extra_lines(extras, record, unit, max(self.size.width, 20)):
            text.append("\n")
            for k, (label, value) in enumerate(line):
                text.append("  " if k else "", "")
                text.append(f"{label} ", "bold")
                text.append(value)
        return text

    @property
    def compact(self) -> bool:
        return self.screen.has_class("-compact")

    def title_for(self, frame: Frame) -> str:
        return f"States · unit {frame.unit}" if frame.hidden_size > 1 else "States"

    def watch_frame(self, frame: Frame | None) -> None:
        super().watch_frame(frame)
        if frame is not None:  # a new title repaints the border: only when it changes
            title = self.title_for(frame)
            if self.border_title != title:
                self.border_title = title

    def rows(self, frame: Frame) -> int:
        lane = self.lane_of(frame)
        if lane is None:
            return 1
        return state_rows(lane.cell, max(self.size.width, 20) if self.size.width else 40)


def parts(cell: Cell) -> tuple[list[StateVar], list[tuple[str, str]]]:
    """The states with a before and after (h last: the output), and the step's other
    quantities as (label, record field). Matrix states have a panel of their own."""
    states = [s for s in cell.states if s.kind != "matrix"]
    ordered = [s for s in states if s.name != "h"] + [s for s in states if s.name == "h"]
    return ordered, [(label, field) for field, label in cell.shown_extras]


def extra_lines(
    extras: list[tuple[str, str]], record: Record | None, unit: int, width: int
) -> list[list[tuple[str, str]]]:
    """The other quantities packed into lines of ``width``: "q 0.3662  k -2.3445 ...".
    Each takes the room of its widest value, so the packing is the same at every step."""
    lines: list[list[tuple[str, str]]] = []
    used = 0
    for label, field in extras:
        value = "–" if record is None else fit(_pick(getattr(record, field), unit), COLUMN)
        size = len(label) + 1 + COLUMN
        if not lines or used + 2 + size > width:
            lines.append([])
            used = -2
        lines[-1].append((label, f"{value:<{COLUMN}}"))
        used += 2 + size
    return lines


def state_rows(cell: Cell, width: int) -> int:
    """Rows of content the panel needs at ``width`` (its heads included)."""
    states, extras = parts(cell)
    return 1 + len(states) + (1 if len(extras) == 1 else len(extra_lines(extras, None, 0, width)))


def _pick(values: Any, k: int) -> float:
    flat = np.ravel(values)
    return float(flat[k] if flat.size > 1 else flat[0])
