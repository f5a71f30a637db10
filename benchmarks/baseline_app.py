"""The bare-Textual baseline of ``tui_latency.py``: a header line, a footer, four keys.

    python benchmarks/baseline_app.py --steps T

A minimal Textual app (no NumPy, no plotext, nothing computed) that answers the keys the
latency harness presses the way the dashboard does: the header shows ``step t / T `` (the
pattern the harness waits for), right and space step (t + 1, at most T), left steps back
(t - 1, at least 0), end goes to t = T and q quits. Each key redraws only the header. What
it takes to show a key here is Textual's own cost on this machine and terminal: the
harness measures it in the same run as the dashboard and sets the dashboard's target
relative to it.
"""

from __future__ import annotations

import argparse

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static


class Baseline(App[None]):
    CSS = """
    #header { height: 1; background: $primary; color: $text; text-style: bold; }
    """
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("right,space", "step", "Step", key_display="space"),
        Binding("left", "step_back", "Back", key_display="←"),
        Binding("end", "run_to_end", "End"),
    ]

    def __init__(self, steps: int) -> None:
        super().__init__()
        self.theme = "textual-dark"  # set explicitly, as the dashboard does
        self.steps = steps
        self.t = 0

    def compose(self) -> ComposeResult:
        yield Static(self._header(), id="header", markup=False)
        yield Footer()

    def _header(self) -> str:
        return f"step {self.t} / {self.steps} "

    def _go(self, t: int) -> None:
        t = min(max(t, 0), self.steps)
        if t != self.t:
            self.t = t
            self.query_one("#header", Static).update(self._header())

    def action_step(self) -> None:
        self._go(self.t + 1)

    def action_step_back(self) -> None:
        self._go(self.t - 1)

    def action_run_to_end(self) -> None:
        self._go(self.steps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3, help="T, the last step (default 3)")
    args = parser.parse_args()
    if args.steps < 0:
        parser.error("--steps must be >= 0")
    Baseline(args.steps).run()


if __name__ == "__main__":
    main()
