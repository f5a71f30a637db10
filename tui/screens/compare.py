"""Compare mode: two cells side by side on the same inputs, stepping together.

The stepping controller holds both sessions (its two lanes): the first is the
dashboard's own cell, the second another kind on the same inputs with the first's
LSTM-style weights where their shapes match (``lstm_engine.share`` says what). Every
stepping key works here as on the main screen; c changes the second cell.
"""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Footer

from lstm_engine.stepper import Frame, Stepper

from ..keys import COMPARE, bindings
from ..layout import plan_compare
from ..widgets import (
    CellColumn,
    GatePanel,
    HeaderBar,
    InputStrip,
    LiveInputBar,
    StatusLine,
    TrajectoryPlot,
)
from .stepping import SteppingScreen

#: What was shared, in fewer words (regular expressions and their replacements), for the
#: column's title in compact mode, which has no bottom border for its subtitle.
BRIEF = (
    (r"^shared from (\w+): its weights as the candidate rows$", r"c_bar ← \1's W"),
    (r"^shared from (\w+): its candidate rows$", r"W ← \1's c_bar"),
    (r"^shared from (\w+): weight_ih, weight_hh, bias_ih, bias_hh$", r"W, b ← \1"),
    (r"^shared from (\w+): (.*)$", r"\2 ← \1"),
    (r"^nothing shared: .*", "nothing shared"),
)


def brief(shared: str) -> str:
    """``lstm_engine.share``'s words on what was shared, shorter: "c_bar ← rnn's W" (the
    RNN's weights as the candidate's rows), "W, R, b ← lstm"."""
    for pattern, short in BRIEF:
        shared, done = re.subn(pattern, short, shared)
        if done:
            break
    return shared


class CompareScreen(SteppingScreen):
    KEYS = COMPARE
    BINDINGS = bindings(COMPARE)

    def __init__(self, stepper: Stepper) -> None:
        super().__init__(stepper)
        if not stepper.frame.comparing:  # opened directly (the app computes it first)
            stepper.compare()

    def compose(self) -> ComposeResult:
        frame = self.stepper.frame
        first = frame.cell
        second = frame.lanes[1].cell if frame.comparing else first
        yield HeaderBar(id="compare-header")
        yield StatusLine(id="compare-header-status")
        yield InputStrip(id="strip")
        with Horizontal(id="compare-columns"):
            yield CellColumn(first, lane=0, id="compare-left")
            yield CellColumn(second, lane=1, id="compare-right")
        yield TrajectoryPlot(id="compare-plot")
        yield LiveInputBar(id="live")
        yield Footer(compact=True, show_command_palette=False)

    def on_resize(self) -> None:
        self._arrange(self.stepper.frame, force=True)

    def before_show(self, frame: Frame) -> None:
        self._arrange(frame)

    def _arrange(self, frame: Frame, force: bool = False) -> None:
        if not frame.comparing:
            return
        cells = tuple(lane.cell for lane in frame.lanes)
        status_line = self.query_one(StatusLine).rows(frame)  # a long status's own line
        width, height = self.size.width, self.size.height - status_line
        key = (*((c.kind, c.hidden_size) for c in cells), width, height)
        if not force and key == getattr(self, "_arranged", None):
            return
        self._arranged = key
        if width == 0 or height == 0:
            return
        plan = plan_compare(cells, width, height)
        self.set_class(plan.compact, "-compact")
        self.call_after_refresh(self.gate_panel_resized)  # the cells' gates may have changed
        for column_id, lane in (
            ("#compare-left", frame.lanes[0]),
            ("#compare-right", frame.lanes[1]),
        ):
            column = self.query_one(column_id, CellColumn)
            column.cell_changed(lane.cell, plan.show_matrix, plan.gate_cap, plan.gate_columns)
            side = "left" if column_id.endswith("left") else "right"
            if plan.compact and lane.shared:  # no bottom border: the title says it
                column.border_title = f"{lane.cell.title} · {brief(lane.shared)}"
            else:
                column.border_title = f"{lane.cell.title} ({side})"
            column.border_subtitle = lane.shared or lane.origin

    def gate_panel_resized(self) -> None:
        """Both cells' gate bars as wide as the narrower: side by side, a longer bar must
        mean a larger value."""
        panels = list(self.query(GatePanel))
        widths = [w for w in (p.natural_bar() for p in panels) if w is not None]
        for panel in panels:
            panel.set_bar_cap(min(widths) if len(widths) == len(panels) else None)

    def action_close(self) -> None:
        self.stepper.close_compare()
        self.dismiss(None)
