"""The heat map (m): LSTMVis in a terminal, every unit of h, c or a gate over time.

One row per unit and one column per step, in a window that follows the step cursor, or
zoomed out (z) to the whole history, each column then showing the value of largest
magnitude among its steps (a gate's: furthest from the middle of its range), sign kept.
v cycles through the cell's series; shift+→ and shift+← select a range of steps from the
cursor and list the units whose value stays above a threshold (> and < move it by a tenth
of the scale) over the whole range, as LSTMVis's select-and-match does. A click on a cell
selects its unit and goes to its step. The numbers come from ``lstm_engine.heatmap``, on
the session's history; the stepping keys call the controller.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import replace

from textual.app import ComposeResult
from textual.widgets import Footer

from lstm_engine import heatmap
from lstm_engine.heatmap import Reader
from lstm_engine.jobs import Job
from lstm_engine.stepper import Frame

from ..jobs import run_job
from ..keys import HEATMAP, bindings
from ..widgets import HeaderBar
from ..widgets.heatmap import MARKERS, HeatMap, StatusRow
from .stepping import ViewScreen

HELP_PANELS = (
    (
        "Heat map",
        "one row per hidden unit (its number at the left; ▶ and ◀ mark the selected unit, ✓ "
        "the units the selected range matches), one column per step; the title says which "
        "steps are shown and, when not every unit fits, which units; the marker row above "
        "shows the step cursor (▼) and the selected range (━), the row below the step "
        "numbers. A value every unit shares "
        "(the mLSTM's i and f, its m) is one row, 'all'. The mLSTM's memory C is left out: "
        "its rows are not units (its norm is on the main plot).",
    ),
    (
        "Glyphs",
        f"░▒▓█ above 0, ·∘○● below, growing with the magnitude; blank near 0 · {MARKERS}. "
        "A state's scale is the largest |value| it reached so far (its levels start at "
        f"{', '.join(f'{b:g}' for b in heatmap.BOUNDS)} of it); 'all 0 so far' before it "
        "moved. A gate is measured from the middle of its range: f - 0.5 for a sigmoid "
        "(scale ±0.5), c_bar itself for a tanh (±1); its levels start at |f - 0.5| = "
        f"{', '.join(f'{b / 2:g}' for b in heatmap.GATE_BOUNDS)} (a tanh's at twice "
        "that), finer near the middle, where the seeded weights keep every gate (0.45, "
        "0.49 and 0.55 differ). Both are written under the map. Colour repeats the glyph: "
        "blue below, orange above.",
    ),
    (
        "Zoom (z)",
        "the whole history in the width: each column covers several steps and shows, for "
        "each unit, the value of largest magnitude among them with its sign (never every "
        "k-th step, which would hide a spike). A gate's column keeps the value furthest from "
        "the middle of its range, so a forget gate's reset to 0 shows among steps near 1. A "
        "click on a zoomed column goes to the step of the value it shows.",
    ),
    (
        "Select and match",
        "shift+→ / shift+← move the step cursor a step later / earlier and select the steps "
        "from where the range began; any other move (→, ←, home, end) drops the range. "
        "Listed (count first) and marked ✓ on their rows: the units whose value is above "
        "the threshold at every step of the range (signed, as LSTMVis: a unit far below 0 "
        "does not match). > and < move the threshold by a tenth of the scale, within it "
        "(it starts at 0.3 of the scale above 0, or above a gate's middle: f > 0.65).",
    ),
    ("Series (v)", "h, then the other states the cell plots, each gate, its other states."),
)

#: A gate zoomed out over more steps than this not yet rebuilt is rebuilt as a job, with
#: its progress shown (100,000 steps of an LSTM with H = 32 take about half a second).
LONG = 20_000


class HeatMapScreen(ViewScreen):
    KEYS = HEATMAP
    BINDINGS = bindings(HEATMAP)
    HELP_PANELS = HELP_PANELS

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="heatmap-header")
        yield StatusRow(id="heatmap-header-status")
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
            yield from reader.fill(frame.computed)
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

    def on_resize(self) -> None:
        """A new size: the window of steps and units, and the header, are laid out again
        at once (not at the next key)."""
        self.call_after_refresh(lambda: self.show(self.stepper.frame))

    # -- the keys ---------------------------------------------------------------------------
    # Any move but shift+→/← drops the selected range, as the arrows do.
    def action_step(self) -> None:
        self.heat.view = replace(self.heat.view, anchor=None)
        super().action_step()

    def action_back(self) -> None:
        self.heat.view = replace(self.heat.view, anchor=None)
        super().action_back()

    def action_reset(self) -> None:
        self.heat.view = replace(self.heat.view, anchor=None)
        super().action_reset()

    def action_end(self) -> None:
        self.heat.view = replace(self.heat.view, anchor=None)
        super().action_end()

    def action_select_later(self) -> None:
        self._select(1)

    def action_select_earlier(self) -> None:
        self._select(-1)

    def _select(self, direction: int) -> None:
        """Move the cursor a step (a column, zoomed out) the key's way, and select from
        where the range began (here, if none is selected)."""
        frame = self.stepper.frame
        if self.heat.view.anchor is None:
            self.heat.view = replace(self.heat.view, anchor=max(frame.t, 1))
        stride = 1
        if self.heat.view.zoom and frame.computed:
            stride = max(1, -(-frame.computed // max(self.heat.size.width - 7, 1)))
        target = min(max(frame.t + direction * stride, 0), frame.length)
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
        self._threshold(1)

    def action_lower_threshold(self) -> None:
        self._threshold(-1)

    def _threshold(self, change: int) -> None:
        """Move the threshold a tenth of the scale, never past either end of it."""
        tenths = self.heat.view.tenths + change
        if abs(tenths) > heatmap.THRESHOLD_TENTHS:
            end = "top" if change > 0 else "bottom"
            self.show(self.stepper.refuse(f"the threshold is at the {end} of the scale"))
            return
        frame, heat = self.stepper.frame, self.heat
        series = heat.series(frame)
        scale = heat.reader.scale(series, frame.computed) if heat.reader else 0.0
        value = heatmap.threshold(series, scale, tenths)
        above = f" above {series.centre:g}" if series.centre else ""
        said = f"threshold {series.symbol} > {value:.3g}: {tenths / 10:g} of the scale{above}"
        self._view(said, tenths=tenths)

    # -- the mouse --------------------------------------------------------------------------
    def on_heat_map_picked(self, message: HeatMap.Picked) -> None:
        """A clicked cell: its unit (if it is one unit's) and its step."""
        if message.unit is not None:
            self.show(self.stepper.select_unit(message.unit))
        if message.step != self.stepper.frame.t:
            self.run(self.stepper.seek_job(message.step))
