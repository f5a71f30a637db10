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

from lstm_engine.stepper import Frame

from ..keys import GRADIENTS, bindings
from ..widgets import HeaderBar, StatusLine
from ..widgets.flow import FlowPlot, FlowSummary
from .stepping import ViewScreen

#: What the view's help says it shows (``GradientScreen.HELP_PANELS`` adds this sequence's
#: cells and loss).
READING = (
    (
        "Curves",
        "log10 of the norm (over all units) of dL/dh_t and dL/dc_t: how much the loss L "
        "at the last step T changes with the state after step t, for t = 1..T. The cell "
        "with a memory always draws its h as o and its memory c (the mLSTM's C) as x, "
        "lines with their marker every few columns; the tanh RNN's h is * (markers only), "
        "whichever of the two is open. ◆: two curves in one character (an LSTM's h and c "
        "often run together).",
    ),
    (
        "How to read",
        "a flat line: the gradient from step T survives back to that step, so what "
        "happened there can still be learned. A straight slope down to the left: it "
        "vanishes geometrically, a factor per step (the RNN's W_hh^T times tanh'), so "
        "early steps cannot be learned. Spikes: the steps whose inputs the loss depends "
        "on (in the adding problem, the two marked steps) stand out from their "
        "neighbours. A gradient that underflowed to exactly 0 has no log: it is counted "
        "above the plot, not drawn.",
    ),
    (
        "Numbers",
        "the lines above the plot give each cell's norms at the step cursor (▼ ▲), which "
        "the stepping keys move; steps are added on the main screen.",
    ),
)


class GradientScreen(ViewScreen):
    KEYS = GRADIENTS
    BINDINGS = bindings(GRADIENTS)

    @property
    def HELP_PANELS(self) -> tuple[tuple[str, str], ...]:  # the app reads it
        """The help's panels: what L is and which cells are drawn, then how to read them."""
        flows = self.stepper.frame.flows or ()
        loss = next((f.loss for f in flows if f.loss), "")
        what = (
            "the readout's loss at the last step T with the task's target"
            if "readout" in loss
            else "sum(h_T), the sum of the last hidden state (the cell has no readout)"
        )
        cells = "; ".join(f.title for f in flows)
        return (
            ("L", f"{what}."),
            ("Cells", f"{cells or 'none yet'}: the open cell first, then its companion."),
            *READING,
        )

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
        super().show(frame)
