"""The heat map (m): LSTMVis in a terminal, every unit of h, c or a gate over time.

One row per unit and one column per step, in a window that follows the step cursor, or
zoomed out (z) to the whole history, each column then showing the value of largest
magnitude among its steps, sign kept. v cycles through the cell's series; shift+→ and
shift+← select a range of steps from the cursor and list the units whose value stays
above a threshold (> and < change it) over the whole range, as LSTMVis's select-and-match
does. A click on a cell selects its unit and goes to its step. The numbers come from
``lstm_engine.heatmap``, on the session's history; the stepping keys call the controller.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import replace

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer

from lstm_engine import heatmap
from lstm_engine.heatmap import Reader
from lstm_engine.jobs import Job
from lstm_engine.stepper import Frame, Stepper

from ..jobs import run_job
from ..keys import HEATMAP, bindings
from ..widgets import HeaderBar, StatusLine
from ..widgets.heatmap import HeatMap, legend
from .stepping import SteppingScreen

HELP_PANELS = (
    (
        "Heat map",
        "one row per hidden unit (its number at the left; ▶ and ◀ mark the selected unit), "
        "one column per step; the marker row above shows the step cursor (▼) and the "
        "selected range (━), the row below the step numbers. A value every unit shares "
        "(the mLSTM's i and f, its m) is one row, 'all'. The mLSTM's memory C is left out: "
        "its rows are not units (its norm is on the main plot).",
    ),
    (
        "Glyphs",
        f"{' · '.join(legend())}. The levels start at "
        f"{', '.join(f'{b:g}' for b in heatmap.BOUNDS)} of the scale: a gate's range (1), "
        "or for a state the largest |value| it reached so far (both written under the map). "
        "Colour repeats the glyph: blue below 0, orange above.",
    ),
    (
        "Zoom (z)",
        "the whole history in the width: each column covers several steps and shows, for "
        "each unit, the value of largest magnitude among them with its sign (never every "
        "k-th step, which would hide a spike). A sigmoid gate is never below 0: its column shows "
        "its highest value: a dip shows in the column-per-step view. A click on a zoomed "
        "column goes to the step of the value it shows.",
    ),
    (
        "Select and match",
        "shift+→ / shift+← move the step cursor and select the steps from where it was; "
        "→ or ← alone drops the range. Listed: the units whose value is above the "
        "threshold at every step of the range (signed, as LSTMVis: a unit far below 0 "
        "does not match). > and < raise and lower the threshold by 0.1.",
    ),
    ("Series (v)", "h, then the other states the cell plots, each gate, its other states."),
)

#: A gate zoomed out over more steps than this not yet rebuilt is rebuilt as a job, with
#: its progress shown (100,000 steps of an LSTM with H = 32 take about half a second).
LONG = 20_000
#: Threshold changes, in tenths.
THRESHOLD_STEP = 1


class HeatMapScreen(SteppingScreen):
    KEYS = HEATMAP
    BINDINGS = bindings(HEATMAP)
    LIVE_INPUT = False  #: no input is added here: steps are added on the main screen
    HELP_PANELS = HELP_PANELS

    def __init__(self, stepper: Stepper) -> None:
        super().__init__(stepper)
        self._forwards = True  #: the last key was not shift+←: the range grows forwards

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="heatmap-header")
        yield StatusLine(id="heatmap-header-status")
        yield HeatMap(id="heatmap")
        yield Footer(compact=True, show_command_palette=False)

    @property
    def heat(self) -> HeatMap:
        return self.query_one(HeatMap)

    def show(self, frame: Frame) -> None:
        """The frame; zoomed out on a gate not yet rebuilt over a long history, that is done
        first, with its progress shown (escape cancels it, and the zoom)."""
        heat, session = self.heat, self.stepper.session
        if heat.reader is None or not heat.reader.current(session):
            heat.reader = Reader(session)
        series = heat.series(frame)
        if not heat.view.zoom or heat.reader.missing(series, frame.computed) < LONG:
            super().show(frame)
            return
        reader = heat.reader

        def work() -> Generator[int, None, Frame]:
            yield from reader.fill(series, frame.computed)
            return frame

        def cancelled() -> Frame:
            heat.view = replace(heat.view, zoom=False)
            return self.stepper.note("zoom out cancelled: a column per step")

        todo = reader.missing(series, frame.computed)
        job = Job(f"Rebuilding {series.symbol} over the history", todo, work(), cancelled)
        run_job(self.app, job, lambda done: super(HeatMapScreen, self).show(done.frame or frame))

    def _view(self, message: str = "", **changes: object) -> None:
        """Change what the heat map shows, and draw it (with a message, if any)."""
        self.heat.view = replace(self.heat.view, **changes)  # type: ignore[arg-type]
        self.show(self.stepper.note(message) if message else self.stepper.frame)

    # -- the keys ---------------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        """shift+→ and shift+← share one action: which of them it was is kept here."""
        self._forwards = event.key != "shift+left"

    def action_step(self) -> None:
        self.heat.view = replace(self.heat.view, anchor=None)
        super().action_step()

    def action_back(self) -> None:
        self.heat.view = replace(self.heat.view, anchor=None)
        super().action_back()

    def action_select_range(self) -> None:
        """Move the cursor a step (a column, zoomed out) and select from where it was."""
        frame = self.stepper.frame
        if self.heat.view.anchor is None:
            self.heat.view = replace(self.heat.view, anchor=max(frame.t, 1))
        stride = 1
        if self.heat.view.zoom and frame.computed:
            stride = max(1, -(-frame.computed // max(self.heat.size.width - 7, 1)))
        target = frame.t + stride if self._forwards else frame.t - stride
        target = min(max(target, 0), frame.length)
        if target == frame.t:
            where = "start" if target == 0 else "end of the sequence"
            self.show(self.stepper.refuse(f"the range cannot go past the {where}"))
            return
        self.run(self.stepper.seek_job(target))

    def action_next_series(self) -> None:
        choices = heatmap.series_of(self.stepper.frame.cell)
        index = (self.heat.view.series + 1) % len(choices)
        self._view(f"heat map: {choices[index].label}", series=index)

    def action_zoom(self) -> None:
        zoom = not self.heat.view.zoom
        said = "zoomed out: the whole history" if zoom else "a column per step"
        self._view(f"heat map: {said}", zoom=zoom)

    def action_raise_threshold(self) -> None:
        self._threshold(THRESHOLD_STEP)

    def action_lower_threshold(self) -> None:
        self._threshold(-THRESHOLD_STEP)

    def _threshold(self, change: int) -> None:
        tenths = self.heat.view.tenths + change
        self._view(f"threshold {tenths / 10:.1f}", tenths=tenths)

    def action_close(self) -> None:
        self.dismiss(None)

    # -- the mouse --------------------------------------------------------------------------
    def on_heat_map_picked(self, message: HeatMap.Picked) -> None:
        """A clicked cell: its unit (if it is one unit's) and its step."""
        if message.unit is not None:
            self.show(self.stepper.select_unit(message.unit))
        if message.step != self.stepper.frame.t:
            self.run(self.stepper.seek_job(message.step))
