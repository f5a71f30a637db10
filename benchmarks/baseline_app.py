"""The bare-Textual baseline of ``tui_latency.py``: a header line, a footer, four keys.

    python benchmarks/baseline_app.py --steps T [--lines N]

A minimal Textual app (no NumPy, no plotext, nothing computed) that answers the keys the
latency harness presses the way the dashboard does: the header shows ``step t / T `` (the
pattern the harness waits for), right and space step (t + 1, at most T), left steps back
(t - 1, at least 0), end goes to t = T and q quits. Each key redraws only the header. What
it takes to show a key here is Textual's own cost on this machine and terminal: the
harness measures it in the same run as the dashboard and sets the dashboard's target
relative to it.

With ``--lines N`` each key also redraws N lines of a panel drawn line by line (the
Line API, the way the dashboard's panels draw): nothing computed, so the figure is what
Textual itself takes to show N changed lines, the floor under a dashboard that changes
as many per key.
"""

from __future__ import annotations

import argparse

from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Footer, Static


class Panel(Widget):
    """N lines that all change with t, in a few styles, as a panel of gate rows does."""

    DEFAULT_CSS = "Panel { height: auto; width: 58; border: round $primary; }"

    def __init__(self, lines: int) -> None:
        super().__init__()
        self.lines = lines
        self.t = 0

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.lines

    def render_line(self, y: int) -> Strip:
        base = self.rich_style
        bold = base + Style(bold=True)
        value = (y * 0.0137 + self.t * 0.0071) % 1.0
        bar = "█" * int(value * 20) + "·" * (20 - int(value * 20))
        segments = [
            Segment(f"{y:>2} ", base),
            Segment(bar, base + Style(color="yellow")),
            Segment(f" {value:7.4f}", bold),
            Segment(f" {value - 0.5:+9.4f}", base + Style(dim=True)),
        ]
        return Strip(segments).adjust_cell_length(self.size.width, base)


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

    def __init__(self, steps: int, lines: int = 0) -> None:
        super().__init__()
        self.theme = "textual-dark"  # set explicitly, as the dashboard does
        self.steps = steps
        self.lines = lines
        self.t = 0

    def compose(self) -> ComposeResult:
        yield Static(self._header(), id="header", markup=False)
        if self.lines:
            yield Panel(self.lines)
        yield Footer()

    def _header(self) -> str:
        return f"step {self.t} / {self.steps} "

    def _go(self, t: int) -> None:
        t = min(max(t, 0), self.steps)
        if t != self.t:
            self.t = t
            self.query_one("#header", Static).update(self._header())
            for panel in self.query(Panel):
                panel.t = t
                panel.refresh()

    def action_step(self) -> None:
        self._go(self.t + 1)

    def action_step_back(self) -> None:
        self._go(self.t - 1)

    def action_run_to_end(self) -> None:
        self._go(self.steps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3, help="T, the last step (default 3)")
    parser.add_argument("--lines", type=int, default=0, help="lines redrawn per key (default 0)")
    args = parser.parse_args()
    if args.steps < 0 or args.lines < 0:
        parser.error("--steps and --lines must be >= 0")
    Baseline(args.steps, args.lines).run()


if __name__ == "__main__":
    main()
