"""lstm-stepper: step an LSTM-family cell one keypress at a time.

The app holds one stepping controller (``lstm_engine.stepper.Stepper``) and opens the
screens: the main screen and compare mode render its frames; the dialogs are given it
and change the cell or the inputs through it. No screen holds or imports another: a
key that opens a screen runs the app's ``open`` action, here. No LSTM maths happens in
the app.

``make_app(argv)`` builds the dashboard from a command line without running it, with
the same options and errors as ``lstm-stepper``; tests, the frame exporter and the
browser server build the app through it.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App, SystemCommand
from textual.command import CommandList, CommandPalette
from textual.screen import Screen
from textual.theme import ThemeProvider

from lstm_engine import SessionError, WeightsError
from lstm_engine.cli import OneLineParser, UsageError, add_model_options, opened_from_options
from lstm_engine.inputs import InputError
from lstm_engine.jobs import Job
from lstm_engine.numbers import number
from lstm_engine.stepper import Stepper

from .jobs import JobDialog, run_job
from .keys import EXTRA, TRAINING_EXTRA, Key
from .screens.compare import CompareScreen
from .screens.diagram import DiagramScreen
from .screens.export import ExportDialog
from .screens.gradients import GradientScreen
from .screens.heatmap import HeatMapScreen
from .screens.help import HelpScreen
from .screens.inputs import InputEditor
from .screens.main import MainScreen
from .screens.presets import PresetPicker
from .screens.stepping import SteppingScreen
from .screens.sum import FullSum
from .screens.training import Trained, TrainingScreen
from .screens.weights import WeightsScreen

#: The screens a key can open, by the name its action gives (``app.open('weights')``).
OPENERS: dict[str, Callable[[Stepper], Screen[Any]]] = {
    "weights": WeightsScreen,
    "inputs": InputEditor,
    "export": ExportDialog,
    "diagram": DiagramScreen,
    "heatmap": HeatMapScreen,
    "presets": PresetPicker,
    "sum": FullSum,
}


#: Seconds without a key after which the app collects its garbage in full (see
#: ``StepperApp._settle_memory``), and the oldest generation's automatic threshold.
IDLE_COLLECT = 3.0
RARE_FULL_COLLECTIONS = 1000


class Palette(CommandPalette):
    """Textual's command palette, whose list's page keys do nothing while the list has
    no room (a terminal of 4 rows, or resized to it): there Textual 8.2.8's
    ``OptionList._move_page`` raises KeyError, found by the fuzz."""

    def _action_command_list(self, action: str) -> None:
        listing = self.query_one(CommandList)
        if action.startswith("page_") and not listing.scrollable_content_region.height:
            return
        super()._action_command_list(action)


class StepperApp(App[None]):
    """The dashboard: one stepping controller, the main screen, and what keys open."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # also right for subclasses elsewhere
    TITLE = "lstm-stepper"

    def __init__(self, stepper: Stepper, theme: str = "textual-dark") -> None:
        super().__init__()
        self.theme = theme  # set explicitly: the look must not depend on the machine
        self.stepper = stepper
        #: The training screen's last settings, so that it opens with them again.
        self.training_settings: dict[str, str] = {}

    def get_default_screen(self) -> Screen:
        return MainScreen(self.stepper)

    def on_mount(self) -> None:
        self.call_after_refresh(self._settle_memory)
        self._last_event = time.monotonic()
        self.set_interval(IDLE_COLLECT, self._collect_when_idle)

    @staticmethod
    def _settle_memory() -> None:
        """Move everything made at start-up out of the garbage collector's sight, and
        leave full collections to idle moments.

        A full collection walks every tracked object; after start-up there are ~66,000
        (Textual's and the engine's), which cost ~55 ms whenever one came due in the
        middle of a keypress. Frozen, they are never walked again. What is made later
        (screens opened and closed, Textual's strip caches) grows to 50,000-80,000
        objects in a long session, and a full collection of them took 90-190 ms in the
        middle of a key or a job (measured). So the oldest generation is collected
        automatically only rarely, and ``_collect_when_idle`` collects it when no key
        has come for a while: the pause then falls where nobody waits for the screen.
        """
        gc.collect()
        gc.freeze()
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, RARE_FULL_COLLECTIONS)
        gc.enable()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.Paste | events.MouseDown | events.Resize):
            self._last_event = time.monotonic()
        await super().on_event(event)

    def _collect_when_idle(self) -> None:
        """A full collection, if nothing has come in for IDLE_COLLECT seconds and no
        long job is running (its dialog would be on top)."""
        if time.monotonic() - self._last_event < IDLE_COLLECT:
            return
        if isinstance(self.screen, JobDialog):
            return
        gc.collect()

    def action_open(self, name: str) -> None:
        """Open a screen over the current one: help (for the screen on top), compare mode,
        the weights view, the input editor or the export dialog."""
        if name == "help":
            panels = getattr(self.screen, "HELP_PANELS", None)  # else the dashboard's
            self.push_screen(HelpScreen(help_rows(self.screen), panels))
            return
        if name == "compare":  # the second cell's history first: it can take a while
            run_job(self, self.stepper.compare_job(), self._compare_ready)
            return
        if name == "training":
            cell = self.stepper.frame.cell
            screen = TrainingScreen(cell.kind, cell.hidden_size, self.training_settings)
            self.push_screen(screen, self._trained)
            return
        if name == "gradients":  # the flows first: a long sequence's sweep takes a while
            run_job(self, self.stepper.flow_job(), self._flows_ready)
            return
        opener = OPENERS.get(name)
        if opener is not None:
            self.push_screen(opener(self.stepper))

    def _compare_ready(self, job: Job) -> None:
        if self.stepper.frame.comparing:
            self.push_screen(CompareScreen(self.stepper))
        elif isinstance(self.screen, SteppingScreen):
            self.screen.show(self.stepper.frame)  # cancelled: the status says so

    def _trained(self, trained: Trained | None) -> None:
        """A run ended (or was stopped): its cell on an example of its task, the header
        naming the file it is kept in and the status saying where that is."""
        if trained is None:
            return
        config, report = trained.config, trained.report
        best, baseline = report.get("best_loss"), report.get("baseline_loss")
        about = [] if best is None else [f"best loss {number(best)}"]
        about += [] if baseline is None else [f"baseline {number(baseline)}"]
        try:
            job = self.stepper.open_model_job(
                trained.path,
                config.task,
                config.length,
                config.seed,
                trained.companion,
                ", ".join(about),
                trained.saved,
            )
        except (OSError, ValueError) as exc:
            self.notify(str(exc), title="The trained cell did not open", severity="error")
            return
        run_job(self, job, self._show_frame)

    def _show_frame(self, job: Job) -> None:
        if isinstance(self.screen, SteppingScreen):
            self.screen.show(self.stepper.frame)

    def _flows_ready(self, job: Job) -> None:
        if self.stepper.frame.flows is not None:
            self.push_screen(GradientScreen(self.stepper))
        elif isinstance(self.screen, SteppingScreen):
            self.screen.show(self.stepper.frame)  # cancelled: the status says so

    def action_command_palette(self) -> None:
        """Textual's palette, with its page keys made safe (``Palette``)."""
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(Palette(id="--command-palette"))

    def search_themes(self) -> None:
        """The palette's "Theme" command: Textual's theme list, in the safe ``Palette``."""
        self.push_screen(Palette(providers=[ThemeProvider], placeholder="Search for themes…"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every key of the screen the palette was opened on is also a command; the palette
        runs it on that screen, never on one beneath."""
        own = {key.label for key in screen_keys(screen)}
        # Textual's own commands, but those a key of the screen does (its screenshot)
        yield from (c for c in super().get_system_commands(screen) if c.title not in own)
        for key in screen_keys(screen):

            def run(action: str = key.action, target: Screen = screen) -> None:
                if target.is_current:
                    self.call_next(target.run_action, action)

            yield SystemCommand(f"{key.label} ({key.written})", key.about, run)


def screen_keys(screen: Screen) -> tuple[Key, ...]:
    """The keys a screen declares (``KEYS``), checked like its bindings."""
    keys: tuple[Key, ...] = getattr(screen, "KEYS", ())
    return tuple(k for k in keys if screen.check_action(k.action.split("(")[0], ()) is not False)


def mode_keys(screen: Screen) -> tuple[tuple[str, tuple[Key, ...]], ...]:
    """The modes a screen has, each with its keys (``HELP_MODES``: the main screen's nudge)."""
    return getattr(screen, "HELP_MODES", ())


def help_rows(screen: Screen) -> list[tuple[str, str]]:
    rows = [(key.written, key.about) for key in getattr(screen, "KEYS", ())]
    # the keys of a mode of the screen (nudge mode's bar), after its own: "nudge: tab"
    rows += [
        (f"{mode}: {key.written}", key.about) for mode, keys in mode_keys(screen) for key in keys
    ]
    if isinstance(screen, SteppingScreen):  # live input only where the screen takes it
        rows += [row for row in EXTRA if screen.LIVE_INPUT or row[0] != "at the end"]
    elif isinstance(screen, TrainingScreen):
        rows += TRAINING_EXTRA
    return rows


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="lstm-stepper",
        description="Step an LSTM cell one keypress at a time. With no options it opens the "
        "original example (seed 42, one hidden unit, inputs 5, 1.9, 2).",
    )
    add_model_options(parser)
    parser.add_argument(
        "--beside",
        metavar="FILE.npz",
        help="with --task: the trained RNN (or, beside an RNN, LSTM) the gradient view (g) "
        "draws beside the cell, from lstm-engine train --out FILE on the same task and size",
    )
    return parser


def make_app(argv: Sequence[str]) -> StepperApp:
    """The dashboard for a command line (``lstm-stepper``'s options), not yet running.
    Raises ValueError (UsageError, InputError, WeightsError, ...) naming the problem."""
    session, example = opened_from_options(build_parser().parse_args(list(argv)))
    return StepperApp(Stepper(session, example))


def main(argv: Sequence[str] | None = None) -> int:
    try:
        app = make_app(sys.argv[1:] if argv is None else argv)
    except (UsageError, InputError, WeightsError, SessionError, ValueError) as exc:
        print(f"lstm-stepper: error: {exc}", file=sys.stderr)
        return 2
    app.run()
    return 0


__all__ = ["StepperApp", "build_parser", "main", "make_app"]
