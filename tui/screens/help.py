"""The help screen: what each key does and what each panel shows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

PANELS = (
    (
        "Header",
        "the cell, its input size I and hidden size H, where its weights came from, "
        "and the step t of T.",
    ),
    ("x strip", "the input sequence; [x] is the input of the current step, ▸ the next one."),
    (
        "Gates",
        "one box per gate, a row per hidden unit: a bar on the gate's range "
        "((0, 1) for sigmoid gates, (-1, 1) for the candidate c_bar), its value, and z, "
        "its pre-activation. ▶ marks the selected unit.",
    ),
    ("States", "for the selected unit: each state before the step → after it, and the change Δ."),
    (
        "Plot",
        "h (o) and c (x) over time for the selected unit; ▼ above and ▲ below mark "
        "the current step. a shows every unit.",
    ),
    ("Equations", "the step's equations for the selected unit with the numbers filled in."),
)

EXTRA_KEYS = (
    ("at the end", "type a number and Enter: it is added to the sequence and stepped"),
    ("ctrl+p", "command palette: every key above, by name"),
    ("escape", "close this screen or a dialog"),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close"),
    ]

    def __init__(self, bindings: Sequence[BindingType], about: Mapping[str, str]) -> None:
        super().__init__()
        self.key_bindings = [b for b in bindings if isinstance(b, Binding)]
        self.about = about  # action -> what it does

    def compose(self) -> ComposeResult:
        keys = Table.grid(padding=(0, 2))
        keys.add_column(style="bold", no_wrap=True)
        keys.add_column()
        for binding in self.key_bindings:
            shown = binding.key.replace(",", " / ").replace("question_mark", "?")
            shown = shown.replace("plus", "+").replace("minus", "-").replace("equals_sign", "=")
            action = binding.action.removeprefix("app.")
            keys.add_row(Text(shown), Text(self.about.get(action, binding.description)))
        for key, what in EXTRA_KEYS:
            keys.add_row(Text(key), Text(what))
        panels = Table.grid(padding=(0, 2))
        panels.add_column(style="bold", no_wrap=True)
        panels.add_column()
        for name, what in PANELS:
            panels.add_row(Text(name), Text(what))  # plain text: [x] is not markup
        with VerticalScroll(id="help-body"):
            yield Static(Text("Keys", style="bold underline"))
            yield Static(keys)
            yield Static(Text("\nPanels", style="bold underline"))
            yield Static(panels)
            yield Static(Text("\nEscape or ? closes this help.", style="italic"))

    def on_mount(self) -> None:
        self.query_one("#help-body").border_title = "Help"

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
