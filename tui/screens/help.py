"""The help screen: what each key of the screen it was opened on does, what each panel
shows and (on the dashboard's) what each symbol means, from ``lstm_engine.glossary``."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from lstm_engine.glossary import GLOSSARY

from ..keys import HELP, bindings

PANELS = (
    (
        "Header",
        "the cell, its input size I and hidden size H, where its weights came from, "
        "the status of the last action, and the step t of T.",
    ),
    ("x strip", "the input sequence; [x] is the input of the current step, ▸ the next one."),
    (
        "Gates",
        "one box per gate, a row per hidden unit: a bar on the gate's range "
        "((0, 1) for sigmoid gates, (-1, 1) for the candidate c_bar and for the RNN's one "
        "box, its tanh: h itself), its value, and z, "
        "its pre-activation. ▶ marks the selected unit. With more units than rows the box "
        "scrolls to keep the selected unit in view (its title says which units show). "
        "The xLSTM's stabilised gates are written i' and f' (the paper's notation): the "
        "gate actually applied, scaled by the stabiliser; the paper's own gate, exp(z) or "
        "σ(z), is shown beside it; exp(z) is unstabilised and used by nothing, so it may "
        "pass float64's largest number: it then reads >1.8e308.",
    ),
    (
        "States",
        "for the selected unit: each state before the step, after it, and the change.",
    ),
    (
        "Plot",
        "h (o) and c (x) over time for the selected unit, lines between the steps and a "
        "marker at each; ▼ above and ▲ below mark the current step (the steps after it are "
        "the ones you stepped back from). Series that dwarf h (the sLSTM's c and n, the "
        "mLSTM's |C|, the input x) use the right-hand axis, marked → in the legend. ◆ is "
        "where two markers meet. a cycles: the selected unit, every unit's h, every unit's "
        "c, ...; i shows x. Long runs keep each column's smallest and largest value, so no "
        "spike is lost.",
    ),
    (
        "Equations",
        "the step's equations for the selected unit with the numbers filled in. The first "
        "line is the step's data: x and each state before the step (h_prev, c_prev, ...). "
        "Each equation reads symbol = how it is written = the numbers in = each product "
        "worked out (computed exactly, then rounded: they add up to the next stage within "
        "the rounding) = ... = the value. With more than 3 products a gate shows one dot "
        "product per weight matrix, named in the written form (W_hf·h_prev + W_if·x + "
        "b_f); f opens the full sum, every product on a line. ▶ (and reverse) marks the "
        "equation being read: [ and ] move it, ↑/↓ choose the unit. Where a line is too "
        "long its written form goes first, then its most detailed stages. In a small "
        "terminal the panel shows the lines around the marked one (its title says which).",
    ),
    (
        "Stabilised gates",
        "the sLSTM and mLSTM keep their memory (c or C), n and both gates divided by "
        "exp(m), m the stabiliser, so that exp(i_raw) cannot overflow. The gates applied, "
        "i' and f', are the paper's exp(i_raw) and sigmoid(f_raw) times exp(-m); shown "
        "beside them ((sigmoid(f_raw) = 0.9208), the σ(z) and exp(z) columns). They "
        "differ, and one of i', f' is 1 at every step: f' = 1.0000 means the forget gate "
        "was the larger of the two this step, not that nothing is forgotten. The scale "
        "cancels in h = o*c/n (sLSTM) and in (qs@C)/den (mLSTM), so h is the paper's.",
    ),
    (
        "mLSTM scaling",
        "1/sqrt(H) goes on the query here: qs = q/sqrt(H), as mlstm-kernels does (this "
        "engine follows it, and the reference traces check it). The paper and the xlstm "
        "package's own backends scale the key instead. h is the same either way; C and n "
        "here are sqrt(H) times the paper's.",
    ),
    (
        "Readout",
        "a trained cell on an example of its task (t, or --weights FILE --task NAME): the "
        "readout's prediction y at this step beside the target (a last-step task's target "
        "is the last step's: the error shows there).",
    ),
    (
        "Gradient flow (g)",
        "for the whole sequence, log10 of the norms of dL/dh_t and dL/dc_t (the gradient "
        "for the state after step t) of the cell and of a tanh RNN of the same size, where "
        "L is the readout's loss at the last step (else the sum of h_T); the norms are "
        "over all units (the RNN has no c). The RNN is the one trained beside the cell "
        "(t, with its box ticked), else an untrained, seeded one, which the view says "
        "first. ◆ is where curves meet (lines too: an LSTM's h and c often run together). "
        "Values that underflowed to 0 have no log and are counted, not drawn.",
    ),
    (
        "Nudge (n)",
        "a bar over the footer: the value chosen (an element of a weight array, or this "
        "step's input), its value, the step ↑/↓ move it by, and what it feeds. Every "
        "panel shows the result at once; the header then says (edited). Its keys are "
        "listed above (nudge: ...).",
    ),
    (
        "Mouse",
        "click the plot: go to that step; click a unit's row in a gate box: select the "
        "unit; click a cell of the heat map (m): its unit and its step. Every one has its "
        "keys too.",
    ),
    (
        "Numbers",
        "4 decimals from 0.0001 to 9999; scientific notation (1.2e+05) outside that.",
    ),
)


def symbol_table() -> Table:
    """The glossary (``lstm_engine.glossary``): every symbol on the dashboard's screen."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", max_width=22)  # the longest lists wrap at their commas
    table.add_column()
    for entry in GLOSSARY:
        table.add_row(Text(entry.written), Text(entry.meaning))
    return table


class HelpScreen(ModalScreen[None]):
    KEYS = HELP
    BINDINGS = bindings(KEYS)

    def __init__(
        self,
        keys: Sequence[tuple[str, str]],
        panels: Sequence[tuple[str, str]] | None = None,
    ) -> None:
        """``keys``: (keys as written, what they do); ``panels``: (panel, what it shows)
        of the screen the help is for (the dashboard's unless given)."""
        super().__init__()
        self.keys = keys
        self.panels = PANELS if panels is None else panels

    def compose(self) -> ComposeResult:
        keys = Table.grid(padding=(0, 2))
        keys.add_column(style="bold", no_wrap=True)
        keys.add_column()
        for written, what in self.keys:
            keys.add_row(Text(written), Text(what))
        panels = Table.grid(padding=(0, 2))
        panels.add_column(style="bold", no_wrap=True)
        panels.add_column()
        for name, what in self.panels:
            panels.add_row(Text(name), Text(what))  # plain text: [x] is not markup
        with VerticalScroll(id="help-body"):
            yield Static(Text("Keys", style="bold underline"))
            yield Static(keys)
            yield Static(Text("\nPanels", style="bold underline"))
            yield Static(panels)
            if self.panels is PANELS:  # the dashboard's: the symbols its panels show
                yield Static(Text("\nSymbols", style="bold underline"))
                yield Static(symbol_table())
            yield Static(Text(f"\n{HELP[0].written} closes this help.", style="italic"))
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-body").border_title = "Help"

    def action_close(self) -> None:
        self.dismiss(None)
