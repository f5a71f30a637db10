"""The preset picker (key o, and the palette): every scenario preset of
``lstm_engine/presets.py`` with its purpose; enter opens the highlighted one (its cell,
weights and inputs, from t = 0) through the controller's ``open_job``, escape changes
nothing. The dashboard beneath shows the new frame when it is back on top."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from lstm_engine.jobs import Job
from lstm_engine.presets import PRESETS, Preset
from lstm_engine.stepper import Stepper

from ..jobs import run_job
from ..keys import PRESETS as KEYS
from ..keys import bindings

#: The name column: the longest name, so that the purposes line up.
NAME_WIDTH = max(len(name) for name in PRESETS)


class PresetList(OptionList, inherit_bindings=False):
    """Textual's OptionList without its own enter: enter reaches the screen's Open, in
    order after the arrows typed before it (a priority binding would run ahead of them,
    opening the preset highlighted before), and the footer shows it."""

    BINDINGS = [b for b in OptionList.BINDINGS if isinstance(b, Binding) and b.key != "enter"]


#: Before the highlighted row's name, so that it shows without colour too (NO_COLOR).
MARK = "▶ "


def prompt(preset: Preset, highlighted: bool = False) -> Text:
    """A line of the list: the mark (on the highlighted one), the name (bold), the purpose."""
    mark = MARK if highlighted else " " * len(MARK)
    return Text.assemble(mark, (f"{preset.name:<{NAME_WIDTH + 2}}", "bold"), preset.purpose)


def option(preset: Preset) -> Option:
    return Option(prompt(preset), id=preset.name)


def about(preset: Preset) -> str:
    """What the highlighted preset opens, and what to watch in it."""
    steps = len(preset.inputs)
    names = f" ({', '.join(preset.input_names)})" if preset.input_names else ""
    return (
        f"{preset.name}: {preset.cell}, I={preset.input_size}{names} H={preset.hidden_size}, "
        f"{steps} steps. Watch: {preset.watch}."
    )


class PresetPicker(ModalScreen[None]):
    """The presets in a list; opening one replaces the cell and the inputs. It opens from
    the dashboard, never over compare mode (whose keys have no o): a preset is one cell."""

    KEYS = KEYS
    BINDINGS = bindings(KEYS)
    DEFAULT_CSS = """
    PresetPicker {
        align: center middle;
    }
    #presets-dialog {
        width: 100%;
        max-width: 110;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    #presets-dialog OptionList {
        height: auto;
        max-height: 1fr;
        border: none;
        padding: 0;
    }
    /* Without colour the cursor's background does not show: reversed, it does. */
    #presets-dialog OptionList > .option-list--option-highlighted {
        text-style: bold reverse;
    }
    #presets-dialog Label {
        width: 100%;
    }
    #presets-about {
        height: auto;
        margin-top: 1;
    }
    #presets-error {
        color: $error;
        height: auto;
    }
    """

    def __init__(self, stepper: Stepper) -> None:
        super().__init__()
        self.stepper = stepper

    def compose(self) -> ComposeResult:
        with Vertical(id="presets-dialog"):
            yield Label(
                "Hand-set weights and inputs that make the gates differ. Enter opens one "
                "(from t = 0), Escape cancels.",
                markup=False,
            )
            yield PresetList(*(option(p) for p in PRESETS.values()), id="presets-list")
            yield Static("", id="presets-about", markup=False)
            error = Static("", id="presets-error", markup=False)
            error.display = False
            yield error
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#presets-dialog").border_title = "Presets"
        listing = self.query_one(OptionList)
        # the preset open now, if it is one: the picker starts on it
        origin = self.stepper.frame.lanes[0].origin
        names = list(PRESETS)
        current = next((n for n in names if PRESETS[n].origin == origin), names[0])
        listing.highlighted = names.index(current)
        listing.focus()

    @property
    def chosen(self) -> Preset:
        index = self.query_one(OptionList).highlighted
        return list(PRESETS.values())[index or 0]

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        listing = self.query_one(OptionList)
        for index, preset in enumerate(PRESETS.values()):  # the mark moves with the cursor
            listing.replace_option_prompt_at_index(
                index, prompt(preset, index == listing.highlighted)
            )
        self.query_one("#presets-about", Static).update(about(self.chosen))
        self._error("")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.is_current:  # not a selection that came after the picker closed
            self.action_open()

    def action_open(self) -> None:
        preset = self.chosen
        try:
            cell, inputs = preset.build()
            job = self.stepper.open_job(
                cell,
                inputs,
                preset.origin,
                f"preset {preset.name}: {preset.purpose}",
                preset.seed,
                preset.input_names,
            )
        except ValueError as exc:
            self._error(f"✗ {exc}")
            return
        run_job(self.app, job, self._opened)

    def _opened(self, job: Job) -> None:
        frame = self.stepper.frame
        if job.cancelled or frame.refused:
            self._error(f"✗ {frame.status}")
            return
        self.dismiss(None)

    def _error(self, text: str) -> None:
        """Say why a preset did not open (shown only then)."""
        error = self.query_one("#presets-error", Static)
        error.update(text)
        error.display = bool(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
