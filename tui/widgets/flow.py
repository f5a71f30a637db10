"""The gradient-flow view's numbers at the step cursor: ‖dL/dh_t‖ and ‖dL/dc_t‖ of each
cell (``Frame.flows``, computed by the controller), what L is, and how many steps'
gradients underflowed to exactly 0 (no logarithm: the plot leaves them out)."""

from __future__ import annotations

from lstm_engine.gradflow import Flow
from lstm_engine.numbers import number
from lstm_engine.stepper import Frame

from .base import FrameWidget, Lines
from .plot import TrajectoryPlot


def flow_line(flow: Flow, t: int) -> str:
    """One cell's line: its norms at step t (none at t = 0), and its steps whose gradient
    is 0."""
    if flow.problem:
        return f"{flow.title}: {flow.problem}"
    if t == 0:
        values = ""
    elif t < flow.first:
        values = f": before the sweep (steps {flow.first}.. only)"
    else:
        values = ": " + "  ".join(
            f"|dL/d{name}| {number(norms[t - flow.first])}" for name, norms in flow.norms.items()
        )
    gone = ""
    for count, what in ((flow.zeros, "exactly 0 (underflow)"), (flow.overflows, "overflow")):
        counts = [f"{count(name):,} ({name})" for name in flow.norms if count(name)]
        gone += f"  · {what} at {', '.join(counts)} steps" if counts else ""
    return f"{flow.title}{values}{gone}"


#: What the view says, above all else, when the cell beside it (the RNN; an LSTM beside
#: an RNN) was never trained.
UNTRAINED = "untrained {}: press t and train both to compare trained cells"


def untrained_companion(frame: Frame) -> str:
    """The seeded cell the cell is compared with, not one trained like it ("RNN"), or ""."""
    seeded = [f for f in (frame.flows or ())[1:] if f.seeded]
    return seeded[0].title.split(",")[0].split(" (")[0] if seeded else ""


class FlowPlot(TrajectoryPlot):
    """The flows' plot. Its title does not count what is not drawn: steps before the
    sweep and gradients of exactly 0 have no logarithm, which the summary above says."""

    COUNTS_GAPS = False


class FlowSummary(FrameWidget):
    """Whether the RNN beside the cell is untrained (first, in reverse), what L is, then a
    line per cell with its norms at the current step."""

    DEFAULT_CSS = """
    FlowSummary { height: auto; padding: 0 1; }
    """

    def rows(self, frame: Frame) -> int:
        return 1 + len(frame.flows or ()) + bool(untrained_companion(frame))

    def draw(self, frame: Frame) -> Lines:
        lines = Lines()
        flows = frame.flows or ()
        other = untrained_companion(frame)
        if other:
            lines.append(f" {UNTRAINED.format(other)} ", "bold reverse")
            lines.append("\n")
        loss = next((f.loss for f in flows if f.loss), "")
        first = max((f.first for f in flows), default=1)
        swept = f" (swept over steps {first:,}..{frame.length:,})" if first > 1 else ""
        lines.append("L = ", "bold")
        if frame.t == 0:
            at = "no norms before the first step (step to read them)"
        else:
            at = f"the norms at t = {frame.t}{swept}"
        lines.append(f"{loss or 'no loss'}; {at}:")
        for flow in flows:
            lines.append("\n" + flow_line(flow, frame.t))
        return lines
