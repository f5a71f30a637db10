"""lstm-stepper: step an LSTM-family cell one keypress at a time.

The app's state is one engine ``Session``. Every key maps to a session action; after
each change the app publishes a new ``View`` and the panels, bound to it, re-render.
No LSTM maths happens here.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer

from lstm_engine import CELLS, Session, SessionError, WeightsError
from lstm_engine.cli import OneLineParser, UsageError, add_model_options, session_from_options
from lstm_engine.inputs import InputError

from .view import View
from .widgets import CellColumn, EquationsPanel, HeaderBar, InputStrip, TrajectoryPlot

#: Steps per second of automatic play, slowest to fastest.
SPEEDS = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)
#: Seed of the weights a switched-to cell gets when the session has none.
DEFAULT_SEED = 42
#: Keys that start a live input at the end of the sequence.
NUMBER_START = set("0123456789.-")


class MainScreen(Screen[None]):
    """The dashboard screen: every panel, and the keys that drive the session."""

    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "app.quit", "Quit"),
        Binding("space,right", "step", "Step", key_display="space"),
        Binding("left,backspace", "back", "Back", key_display="←"),
        Binding("home,r", "reset", "Reset", key_display="r"),
        Binding("end", "run_to_end", "End"),
        Binding("p", "play", "Play"),
        Binding("plus,equals_sign", "faster", "Fast", key_display="+"),
        Binding("minus", "slower", "Slow", key_display="-"),
        Binding("down,tab", "next_unit", "Unit", key_display="↓"),
        Binding("up,shift+tab", "previous_unit", "Previous unit", show=False),
        Binding("a", "all_units", "All units", show=False),
        Binding("c", "switch_cell", "Cell"),
        Binding("v", "compare", "Compare"),
        Binding("e", "edit_inputs", "Inputs"),
        Binding("w", "weights", "Weights"),
        Binding("x", "export", "Export"),
        Binding("s", "screenshot", "Shot"),
    ]

    # The panels repaint themselves when the view changes; the screen need not.
    view: reactive[View | None] = reactive(None, always_update=True, repaint=False)
    speed: reactive[int] = reactive(2, init=False)  # index into SPEEDS
    playing: reactive[bool] = reactive(False, init=False)

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.unit = 0
        self.edits = 0
        self._timer: Timer | None = None

    # -- layout -------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        yield InputStrip(id="strip")
        with Horizontal(id="main"):
            yield CellColumn(self.session.cell, id="left")
            yield TrajectoryPlot(id="plot")
        yield EquationsPanel(id="equations")
        yield Footer(compact=True, show_command_palette=False)  # ? and ctrl+p say more

    def on_mount(self) -> None:
        self.publish()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Unit keys only mean something with more than one unit (and only then show)."""
        if action in ("next_unit", "previous_unit", "all_units"):
            return self.session.cell.hidden_size > 1
        return True

    def on_resize(self) -> None:
        size = self.size
        self.set_class(size.width < 100 or size.height < 32, "-compact")
        self.set_class(size.height < 20, "-tiny")

    # -- the one place the view is made ---------------------------------------------
    def publish(self, status: str = "") -> None:
        session = self.session
        self.unit = min(self.unit, session.cell.hidden_size - 1)
        self.view = View(session, session.current, self.unit, self.edits)
        header = self.query_one(HeaderBar)
        header.status = status or self._play_status()

    def _play_status(self) -> str:
        if self.playing:
            return f"▶ playing {SPEEDS[self.speed]:g}/s"
        if self.session.at_end:
            return "end: type a number to add a step"
        return ""

    # -- actions --------------------------------------------------------------------
    def action_step(self) -> None:
        if self.session.at_end:
            self.notify_end()
            return
        self.session.step()
        self.publish()

    def notify_end(self) -> None:
        self.notify(
            "End of the sequence. Type a number and Enter to add a step, or e to edit.",
            title="End",
            timeout=3,
        )

    def action_back(self) -> None:
        if self.session.t == 0:
            self.notify("Already at the start (t = 0).", timeout=2)
            return
        self.session.back()
        self.publish()

    def action_reset(self) -> None:
        self.session.reset()
        self.publish()

    def action_run_to_end(self) -> None:
        self.session.run_to_end()
        self.publish()

    def action_play(self) -> None:
        self.playing = not self.playing

    def watch_playing(self, playing: bool) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if playing:
            if self.session.at_end:
                self.session.reset()
            self._timer = self.set_interval(1 / SPEEDS[self.speed], self._tick)
        if self.view is not None:
            self.publish()

    def _tick(self) -> None:
        if self.session.at_end:
            self.playing = False
            return
        self.session.step()
        self.publish()

    def action_faster(self) -> None:
        self.speed = min(self.speed + 1, len(SPEEDS) - 1)

    def action_slower(self) -> None:
        self.speed = max(self.speed - 1, 0)

    def watch_speed(self) -> None:
        if self.playing:
            self.playing = False
            self.playing = True
        elif self.view is not None:
            self.publish(f"speed {SPEEDS[self.speed]:g} steps/s")

    def action_next_unit(self) -> None:
        self._select((self.unit + 1) % self.session.cell.hidden_size)

    def action_previous_unit(self) -> None:
        self._select((self.unit - 1) % self.session.cell.hidden_size)

    def _select(self, unit: int) -> None:
        self.unit = unit
        self.publish()

    def action_all_units(self) -> None:
        plot = self.query_one(TrajectoryPlot)
        plot.all_units = not plot.all_units

    def action_edit_inputs(self) -> None:
        self.playing = False

        def apply(text: str | None) -> None:
            if text is not None:
                self.edits += 1
                self.publish("inputs changed")

        from .screens.inputs import InputEditor  # dialogs load when first opened

        self.app.push_screen(InputEditor(self.session), apply)

    def action_weights(self) -> None:
        self.playing = False

        def closed(_: object) -> None:
            self.publish()

        from .screens.weights import WeightsScreen

        self.app.push_screen(WeightsScreen(self), closed)

    def action_switch_cell(self) -> None:
        """The next kind of cell, with its seeded weights, on the same inputs and step."""
        kinds = list(CELLS)
        session = self.session
        kind = kinds[(kinds.index(session.cell.kind) + 1) % len(kinds)]
        seed = DEFAULT_SEED if session.seed is None else session.seed
        cell = CELLS[kind].init(session.cell.input_size, session.cell.hidden_size, seed)
        session.set_cell(cell)
        session.seed, session.origin = seed, f"seed {seed}"
        self.cell_changed(f"switched to {cell.title}")

    def weights_changed(self, message: str) -> None:
        """Called by the weights view after it changed the session's cell."""
        self.cell_changed(message)

    def cell_changed(self, message: str) -> None:
        """The session has another cell: rebuild what depends on its declarations."""
        self.edits += 1
        self.query_one(CellColumn).cell_changed(self.session.cell)
        self.refresh_bindings()
        self.publish(message)

    def action_compare(self) -> None:
        self.playing = False

        def closed(_: object) -> None:
            self.publish()

        from .screens.compare import CompareScreen

        self.app.push_screen(CompareScreen(self.session, self.unit), closed)

    def action_export(self) -> None:
        self.playing = False
        from .screens.export import ExportDialog

        self.app.push_screen(ExportDialog(self.session))

    def action_screenshot(self) -> None:
        path = self.app.save_screenshot(path=os.getcwd())
        self.notify(f"Screenshot saved to {path}", timeout=4, markup=False)

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.BINDINGS, HELP))

    # -- live input at the end of the sequence ---------------------------------------
    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        if self.session.at_end and event.character in NUMBER_START:
            event.prevent_default()
            event.stop()
            from .screens.inputs import LiveInput

            self.app.push_screen(LiveInput(self.session, event.character), self._live_done)

    def _live_done(self, added: bool | None) -> None:
        if added:
            self.edits += 1
            self.session.step()
            self.publish()


HELP = {
    "step": "Take the next step of the sequence",
    "back": "Undo the last step exactly",
    "reset": "Go back to t = 0",
    "run_to_end": "Run to the end of the sequence",
    "play": "Step automatically, or pause",
    "faster": "Play faster",
    "slower": "Play slower",
    "next_unit": "Select the next hidden unit",
    "previous_unit": "Select the previous hidden unit",
    "all_units": "Plot every unit, or only the selected one",
    "switch_cell": "Switch to the next kind of cell (LSTM, peephole, sLSTM, mLSTM)",
    "compare": "Compare mode: this cell and another side by side, stepping together",
    "edit_inputs": "Edit the input sequence",
    "weights": "See and change every weight; load or save them",
    "export": "Write the trace so far as CSV or JSON",
    "screenshot": "Save a screenshot (SVG) in the current folder",
    "help": "What the keys do and what each panel shows",
    "quit": "Quit",
}


class StepperApp(App[None]):
    """The dashboard app: holds the session and shows the main screen."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # also right for subclasses elsewhere
    TITLE = "lstm-stepper"

    def __init__(self, session: Session, theme: str = "textual-dark") -> None:
        super().__init__()
        self.theme = theme  # set explicitly: the look must not depend on the machine
        self.session = session
        self.main = MainScreen(session)

    def get_default_screen(self) -> Screen:
        return self.main

    def on_mount(self) -> None:
        self.call_after_refresh(self._settle_memory)

    @staticmethod
    def _settle_memory() -> None:
        """Move everything made at start-up out of the garbage collector's sight.

        A full collection walks every tracked object; after start-up there are ~66,000
        (Textual's and the engine's), which cost ~55 ms whenever one came due in the
        middle of a keypress. Frozen, they are never walked again.
        """
        gc.collect()
        gc.freeze()
        gc.enable()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every key of the dashboard is also a command of the palette."""
        yield from super().get_system_commands(screen)
        for binding in MainScreen.BINDINGS:
            assert isinstance(binding, Binding)
            action = binding.action.removeprefix("app.")
            if action == "quit":
                continue
            keys = binding.key_display or binding.key.replace(",", " / ")
            yield SystemCommand(
                f"{binding.description} ({keys})",
                HELP.get(action, binding.description),
                lambda action=action: self.call_next(self.main.run_action, action),
            )


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="lstm-stepper",
        description="Step an LSTM cell one keypress at a time. With no options it opens the "
        "original example (seed 42, one hidden unit, inputs 5, 1.9, 2).",
    )
    add_model_options(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        session = session_from_options(build_parser().parse_args(argv))
    except (UsageError, InputError, WeightsError, SessionError, ValueError) as exc:
        print(f"lstm-stepper: error: {exc}", file=sys.stderr)
        return 2
    StepperApp(session).run()
    return 0


__all__ = ["StepperApp", "build_parser", "main"]
