"""The live cell diagram (d): the cell drawn as in "Understanding LSTM Networks", with the
numbers of the current step for the selected unit on its wires and in its gates.

The stepping keys move through the sequence as on the main screen and the numbers
follow; ↓/↑ choose the unit; [ and ] choose the equation being read, whose part of the
drawing is lit (heavy lines and ▶, coloured where there is colour) and which is written
out with its numbers under it. The drawing is ``lstm_engine.diagram``'s; this screen
only shows the controller's frames.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer

from ..keys import DIAGRAM, bindings
from ..widgets import HeaderBar, StatusLine
from ..widgets.diagram import DiagramPanel
from .stepping import ViewScreen

#: What the view's help says it shows.
READING = (
    (
        "The picture",
        "the memory runs along the top: c_prev comes in on the left, is multiplied (×) by "
        "the forget gate f, gets i × c_bar added (+), and leaves on the right as c. A branch "
        "of c goes down through tanh and is multiplied by the output gate o: that is h, "
        "out on the right. [h_prev, x] comes in at the bottom and feeds the gate boxes. "
        "On the wires into the +, f*c_prev and i*c_bar: the two terms that add up to c. "
        "Every number is the selected unit's at this step (x: the whole input; where it "
        "does not fit, its first values, … and which they are: x[0..9] of 20).",
    ),
    (
        "Boxes",
        "a gate box names its symbol and function (σ: sigmoid), its value under that, and "
        "in the full drawing its pre-activation (z, or raw for the xLSTM cells: the "
        "weighted sum before the function, p*c included). p*c: a peephole's term, the "
        "peephole weight times the cell state the gate looks at (peephole LSTM). f', "
        "i': the xLSTM's stabilised gates, the factors actually applied; σ and exp beside "
        "them are the paper's sigmoid(f_raw) and exp(i_raw), which the stabiliser m "
        "rescales by exp(-m) so nothing overflows (c / n, and h with it, is unchanged).",
    ),
    (
        "xLSTM",
        "sLSTM: the normaliser n (second line) sums the input gates as c sums what is "
        "written, and h = o * c / n; m, the stabiliser, is the running log of the largest "
        "gate (bottom lines: m_prev, logf = m_prev + logsigmoid(f_raw), and m = the max of "
        "logf and i_raw). mLSTM: the memory is a matrix C = f'*C_prev + i'*k v^T (rows "
        "index k, columns v); unit u reads column u, so the top line shows C_prev[:,u] and "
        "C[:,u] = f'*C_prev[:,u] + i'*k*v[u]. n = f'*n_prev + i'*k; the box computes "
        "h~ = (qs @ C) / den with the query qs = q / sqrt(H) (whole, beside it); qC = "
        "qs·C[:,u], the unit's h~ times den; h = o * h~. A vector too long shows its first "
        "values and its length ([0.21, … of 8]). Its gates read x only.",
    ),
    (
        "Lit part",
        "[ and ] choose the equation being read: its box, wires and values are drawn "
        "heavy (┏━┓) with ▶ before its name, and the equation is written out with its "
        "numbers under the drawing. f opens its full sum.",
    ),
)


#: The status at the end of the sequence: no live input on this screen.


class DiagramScreen(ViewScreen):
    KEYS = DIAGRAM
    BINDINGS = bindings(DIAGRAM)
    HELP_PANELS = READING

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="diagram-header")
        yield StatusLine(id="diagram-header-status")
        yield DiagramPanel(id="diagram")
        yield Footer(compact=True, show_command_palette=False)
