"""Compare mode: two cells side by side on the same inputs, stepping together.

The left cell is the dashboard's own session; the right one is another kind of cell
on the same inputs, with the LSTM-style weights of the left one where their shapes
match (``lstm_engine.share`` says what is shared). h and c of both share one plot.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Static

from lstm_engine import CELLS, Session, plot
from lstm_engine.share import with_shared_weights

from ..view import View
from ..widgets import CellColumn, InputStrip
from ..widgets.plot import FastPlot

DEFAULT_SEED = 42
#: Markers of the right-hand cell's curves (the left keeps o for h and x for c).
RIGHT_MARKERS = {"h": "*", "c": "+"}


class ComparePlot(FastPlot):
    """h and c of both cells, for the selected unit."""

    left: reactive[View | None] = reactive(None, always_update=True, repaint=False)
    right: reactive[View | None] = reactive(None, always_update=True, repaint=False)

    def on_mount(self) -> None:
        self.watch(self.screen, "left_view", self._set_left, init=True)
        self.watch(self.screen, "right_view", self._set_right, init=True)

    def _set_left(self, view: View | None) -> None:
        self.left = view

    def _set_right(self, view: View | None) -> None:
        self.right = view

    def watch_left(self) -> None:
        self.update_plot()

    def watch_right(self) -> None:
        self.update_plot()

    def plot_key(self) -> tuple[Any, ...] | None:
        if self.left is None or self.right is None:
            return None
        return tuple(
            (id(v.session.cell), v.edits, v.session.computed, v.unit)
            for v in (self.left, self.right)
        )

    def marker_x(self) -> float | None:
        return float(self.left.t) if self.left is not None and self.left.t else None

    def draw(self, width: int, height: int) -> None:
        assert self.left is not None and self.right is not None
        computed = min(self.left.session.computed, self.right.session.computed)
        unit = self.left.unit
        curves = []
        for view, markers in ((self.left, {}), (self.right, RIGHT_MARKERS)):
            names = [n for n in ("h", "c") if any(s.name == n for s in view.cell.states)]
            series = plot.session_series(view.session, names, upto=computed)
            for curve in plot.state_curves(series, [unit]):
                name = curve.label.split("(")[1][0]
                curves.append(
                    plot.Curve(
                        f"{view.cell.title}: {name}",
                        curve.values,
                        markers.get(name, curve.marker),
                        curve.color if not markers else ("cyan" if name == "h" else "yellow"),
                    )
                )
        title = "h and c of both cells"
        if self.left.cell.hidden_size > 1:
            title += f" · unit {unit}"
        self.draw_curves(computed, curves, title, width, height)


class CompareScreen(Screen[None]):
    BINDINGS = [
        Binding("space,right", "step", "Step", key_display="space/→"),
        Binding("left,backspace", "back", "Back", key_display="←"),
        Binding("home,r", "reset", "Reset", key_display="r"),
        Binding("end", "run_to_end", "End"),
        Binding("down,tab", "next_unit", "Unit", key_display="↓"),
        Binding("up,shift+tab", "previous_unit", "Previous unit", show=False),
        Binding("c", "switch_right", "Right cell"),
        Binding("escape,v", "close", "One cell"),
    ]

    left_view: reactive[View | None] = reactive(None, always_update=True, repaint=False)
    right_view: reactive[View | None] = reactive(None, always_update=True, repaint=False)

    def __init__(self, left: Session, unit: int = 0) -> None:
        super().__init__()
        self.left = left
        self.unit = unit
        self.edits = 0
        kinds = list(CELLS)
        kind = kinds[(kinds.index(left.cell.kind) + 1) % len(kinds)]
        self.right, self.shared = self._right_session(kind)

    def _right_session(self, kind: str) -> tuple[Session, str]:
        left = self.left
        seed = DEFAULT_SEED if left.seed is None else left.seed
        cell, shared = with_shared_weights(left.cell, kind, seed)
        right = Session(cell, left.inputs, origin=shared, seed=seed)
        right.seek(left.t)
        return right, shared

    def compose(self) -> ComposeResult:
        yield Static(id="compare-header")
        yield InputStrip(source="left_view", id="strip")
        with Horizontal(id="compare-columns"):
            yield CellColumn(self.left.cell, source="left_view", id="compare-left")
            yield CellColumn(self.right.cell, source="right_view", id="compare-right")
        yield ComparePlot(id="compare-plot")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.publish()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 100 or self.size.height < 32, "-compact")

    def publish(self, status: str = "") -> None:
        self.unit = min(self.unit, self.left.cell.hidden_size - 1)
        self.left_view = View(self.left, self.left.current, self.unit, self.edits)
        self.right_view = View(self.right, self.right.current, self.unit, self.edits)
        self.query_one("#compare-left").border_title = f"{self.left.cell.title} (left)"
        self.query_one("#compare-right").border_title = f"{self.right.cell.title} (right)"
        self.query_one("#compare-right").border_subtitle = self.shared
        header = (
            f" Compare │ {self.left.cell.title} vs {self.right.cell.title} │ "
            f"I={self.left.cell.input_size} H={self.left.cell.hidden_size}"
        )
        right = f"step {self.left.t} / {self.left.length} "
        width = self.size.width
        if status and len(header) + len(status) + len(right) + 2 <= width:
            right = f"{status}  {right}"
        header = header[: max(width - len(right) - 1, 0)]  # the step counter always shows
        self.query_one("#compare-header", Static).update(
            header + " " * max(width - len(header) - len(right), 1) + right
        )

    def _both(self, move: str) -> None:
        for session in (self.left, self.right):
            getattr(session, move)()
        self.publish()

    def action_step(self) -> None:
        if self.left.at_end:
            self.notify("End of the sequence.", timeout=2)
            return
        self._both("step")

    def action_back(self) -> None:
        if self.left.t == 0:
            self.notify("Already at the start (t = 0).", timeout=2)
            return
        self._both("back")

    def action_reset(self) -> None:
        self._both("reset")

    def action_run_to_end(self) -> None:
        self._both("run_to_end")

    def action_next_unit(self) -> None:
        self.unit = (self.unit + 1) % self.left.cell.hidden_size
        self.publish()

    def action_previous_unit(self) -> None:
        self.unit = (self.unit - 1) % self.left.cell.hidden_size
        self.publish()

    def action_switch_right(self) -> None:
        kinds = [k for k in CELLS if k != self.left.cell.kind]
        current = self.right.cell.kind
        kind = kinds[(kinds.index(current) + 1) % len(kinds)] if current in kinds else kinds[0]
        self.right, self.shared = self._right_session(kind)
        self.edits += 1
        self.query_one("#compare-right", CellColumn).cell_changed(self.right.cell)
        self.publish(f"right: {self.right.cell.title}")

    def action_close(self) -> None:
        self.dismiss(None)
