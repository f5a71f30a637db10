"""The dashboard screen: every panel of one cell, and the keys that step it.

Where the panels go depends on the cell and the terminal's size (``tui/layout.py``):
the states and the matrix each have a copy beside the gates and one above the plot,
and the plan says which one shows.

Nudge mode (n) opens the nudge bar over the footer: its keys choose one of the selected
unit's weights or the current input and move it by a step; each change goes to the
controller (``Stepper.nudge_job``), which recomputes the history to the current step
(through the progress dialog when that takes a while), and every panel draws the new
frame at once.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer

from lstm_engine import Cell
from lstm_engine.stepper import Frame

from ..keys import MAIN, NUDGE, bindings
from ..layout import Plan, plan_main
from ..widgets import (
    EquationsPanel,
    GatePanel,
    HeaderBar,
    InputStrip,
    LiveInputBar,
    MatrixPanel,
    StatePanel,
    StatusLine,
    TrajectoryPlot,
)
from ..widgets.matrix import matrix_state
from ..widgets.nudge import NudgeBar
from ..widgets.readout import ReadoutBar
from .stepping import SteppingScreen


class MainScreen(SteppingScreen):
    KEYS = MAIN
    BINDINGS = bindings(MAIN)
    #: The help lists nudge mode's keys after the screen's own (``tui.app.help_rows``).
    HELP_MODES = (("nudge", NUDGE),)
    #: The nudge bar lies on a layer of its own, over the footer: opening it moves nothing.
    DEFAULT_CSS = """
    MainScreen { layers: default nudge; }
    """

    def compose(self) -> ComposeResult:
        cell = self.stepper.frame.cell
        yield HeaderBar(id="header")
        yield StatusLine(id="header-status")
        yield InputStrip(id="strip")
        yield ReadoutBar(id="readout")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield GatePanel(cell.gates, cell.hidden_size, id="gates")
                yield StatePanel(id="states-left")
                yield MatrixPanel(id="matrix-left")
            with Vertical(id="right"):
                yield MatrixPanel(id="matrix-right")
                yield StatePanel(id="states-right")
                yield TrajectoryPlot(id="plot")
        yield EquationsPanel(id="equations")
        yield LiveInputBar(id="live")
        yield NudgeBar(id="nudge")
        yield Footer(compact=True, show_command_palette=False)  # ? and ctrl+p say more

    # -- nudge mode ---------------------------------------------------------------------------
    def action_nudge(self) -> None:
        bar = self.query_one(NudgeBar)
        if bar.is_open:
            bar.close()
            return
        live = self.query_one(LiveInputBar)
        if live.is_open:
            live.close()
        bar.open()

    def on_nudge_bar_nudged(self) -> None:
        """Apply the value the bar has waiting (what every press since the last one
        added up to)."""
        waiting = self.query_one(NudgeBar).take()
        if waiting is None:
            return
        target, value = waiting
        try:
            job = self.stepper.nudge_job(target, value)
        except ValueError as exc:
            self.show(self.stepper.refuse(f"{target.name}: {exc}"))
            return
        self.run(job)

    def on_nudge_bar_refused(self, message: NudgeBar.Refused) -> None:
        self.show(self.stepper.refuse(message.text))

    def live_input_allowed(self) -> bool:
        return super().live_input_allowed() and not self.query_one(NudgeBar).is_open

    def on_resize(self) -> None:
        self._arrange(self.stepper.frame.cell, force=True)

    def before_show(self, frame: Frame) -> None:
        self._arrange(frame.cell)

    def _arrange(self, cell: Cell, force: bool = False) -> None:
        """Apply the layout plan for this cell at this size (only when either changed);
        a trained cell's readout line takes a row, and so does a status line (a status
        too long for the header's line)."""
        frame = self.stepper.frame
        readout = frame.reading is not None
        self.query_one(ReadoutBar).display = readout
        status_line = self.query_one(StatusLine).rows(frame)
        width, height = self.size.width, self.size.height - readout - status_line
        key = (cell.kind, cell.input_size, cell.hidden_size, width, height)
        if not force and key == getattr(self, "_arranged", None):
            return
        self._arranged = key
        if width == 0 or height == 0:
            return
        plan: Plan = plan_main(cell, width, height)
        self.set_class(plan.compact, "-compact")
        self.set_class(plan.tiny, "-tiny")
        has_matrix = matrix_state(cell) is not None
        self.query_one("#states-left").display = not plan.states_right and not plan.tiny
        self.query_one("#states-right").display = plan.states_right and not plan.tiny
        self.query_one("#matrix-left").display = has_matrix and not plan.matrix_right
        self.query_one("#matrix-right").display = has_matrix and plan.matrix_right
        self.query_one("#left").styles.width = plan.left_width
        self.query_one("#matrix-right", MatrixPanel).set_cap(plan.matrix_cap)
        self.query_one(GatePanel).show(cell.gates, cell.hidden_size, plan.gate_cap)
        self.query_one("#live", LiveInputBar).set_hint(_hint(cell))


def _hint(cell: Cell) -> str:
    size = cell.input_size
    return "a number" if size == 1 else f"{size} numbers separated by ',' or spaces"
