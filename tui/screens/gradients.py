"""The gradient-flow view (g): how far back a loss at the last step reaches.

For the current sequence, the norms of dL/dh_t and dL/dc_t over t on a log scale, for
the dashboard's cell beside a tanh RNN of the same size on the same inputs (the RNN
trained with the cell when there was one, else seeded): the RNN's gradient vanishes
geometrically, the LSTM's memory carries it back. The controller computes the flows
(``Stepper.flow_job``, which the app runs before opening this screen) and hands them
out in its frames (``Frame.flows``, ``Frame.flow_plot``); the stepping keys move the
step cursor, as on the main screen, and the numbers follow it.
"""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.widgets import Footer

from lstm_engine.stepper import END, Frame

from ..keys import GRADIENTS, bindings
from ..widgets import HeaderBar, StatusLine
from ..widgets.flow import FlowPlot, FlowSummary
from .stepping import SteppingScreen

#: Space at the end: the flows are of this sequence; steps are added on the main screen.
AT_END = "end of the sequence (steps are added on the main screen: escape)"


class GradientScreen(SteppingScreen):
    KEYS = GRADIENTS
    BINDINGS = bindings(GRADIENTS)
    LIVE_INPUT = False  #: no input is added here: the flows belong to this sequence

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="gradients-header")
        yield StatusLine(id="gradients-header-status")
        yield FlowSummary(id="flow-summary")
        yield FlowPlot(id="gradients-plot")
        yield Footer(compact=True, show_command_palette=False)

    def show(self, frame: Frame) -> None:
        """The frame, with the flows' plot in place of the states'. No input is added
        here: at the end the status does not offer one."""
        if frame.flow_plot is not None:
            frame = replace(frame, plot=frame.flow_plot)
        if frame.status.startswith(END) and not frame.refused:
            frame = replace(frame, status="end of the sequence")
        super().show(frame)

    def action_step(self) -> None:
        if self.stepper.frame.at_end:
            self.show(self.stepper.refuse(AT_END))
            return
        super().action_step()

    def action_close(self) -> None:
        self.dismiss(None)
