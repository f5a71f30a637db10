"""What every screen that steps shares: its keys call the stepping controller, and it shows
the frame the controller hands back.

The main screen and compare mode are ``SteppingScreen``s. Each key's action is one call
of the controller (``lstm_engine.stepper.Stepper``); the screen keeps the latest frame
in its ``frame`` reactive, and its panels, bound to it, draw it. Dialogs change the
controller too; when one closes, the screen shows the controller's frame again.

Live input at the end of the sequence lives here as well: a digit or '.' opens the
live-input bar (a widget of the screen) with that character, Enter opens it empty, and
characters that arrive before its field has the focus (a paste over SSH comes as a
burst of keys) go into that same bar in order. '-' keeps its meaning (slower) unless a
digit follows it in the same burst: a pasted "-3" is the input -3.

The mouse acts through the same controller calls as the keys: a click on the plot
(``TrajectoryPlot.Clicked``) goes to that step, a click on a unit's row of a gate box
(``GatePanel.UnitClicked``) selects the unit. The widgets only say what was clicked.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual import events
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer

from lstm_engine.inputs import one_step
from lstm_engine.jobs import Job
from lstm_engine.stepper import END, Frame, Stepper

from ..jobs import run_job
from ..keys import Key
from ..screenshot import take_screenshot
from ..widgets.gates import GatePanel
from ..widgets.live_input import LiveInputBar
from ..widgets.plot import TrajectoryPlot

#: Keys that open the live input at the end of the sequence, with the key's character.
NUMBER_START = set("0123456789.")
#: How long a '-' at the end waits for a digit of the same burst (a person types slower).
BURST_SECONDS = 0.05


class SteppingScreen(Screen[None]):
    """A screen whose keys drive a ``Stepper`` and whose panels draw its frames."""

    #: The screen's keys (``tui/keys.py``); subclasses set ``BINDINGS = bindings(KEYS)``.
    KEYS: ClassVar[tuple[Key, ...]] = ()
    #: A digit at the end of the sequence opens the live-input bar (the screen has one).
    LIVE_INPUT = True
    #: Screen actions that only mean something with more than one hidden unit.
    UNIT_ACTIONS = frozenset({"next_unit", "previous_unit", "all_units"})

    #: Nothing takes the focus: the keys belong to the screen (the live-input bar's field
    #: takes it while the bar is open).
    AUTO_FOCUS = None

    frame: reactive[Frame | None] = reactive(None, always_update=True, repaint=False)

    def __init__(self, stepper: Stepper, **kwargs: str | None) -> None:
        super().__init__(**kwargs)
        self.stepper = stepper
        self._timer: Timer | None = None
        self._timer_speed = 0.0
        self._minus: Timer | None = None  #: a '-' at the end, waiting to see if a digit follows

    # -- frames -----------------------------------------------------------------------
    def show(self, frame: Frame) -> None:
        """Draw a frame: every panel follows ``self.frame``; play follows the frame."""
        old = self.frame
        self.before_show(frame)
        self.frame = frame
        if old is None or old.hidden_size != frame.hidden_size:
            self.refresh_bindings()  # the unit keys show only with more than one unit
        self._follow_play(frame)
        if frame.refused:
            self.app.bell()

    def before_show(self, frame: Frame) -> None:
        """Arrange the panels for the frame's cell (screens that arrange override it)."""

    def starting_frame(self) -> Frame:
        """The frame shown when the screen opens."""
        return self.stepper.frame

    def on_mount(self) -> None:
        self.show(self.starting_frame())

    def on_screen_resume(self) -> None:
        """Back on top (a dialog closed, or the palette): show what changed meanwhile."""
        if self.frame is None or self.frame.revision != self.stepper.frame.revision:
            self.show(self.stepper.frame)

    def on_screen_suspend(self) -> None:
        """Another screen is on top: automatic play stops, so nothing steps unseen."""
        if self.stepper.frame.playing:
            # shown at once: a dialog that does not cover the header (a picker, the full
            # sum) must not leave "▶ playing" above it
            self.show(self.stepper.pause())
        self._stop_timer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.UNIT_ACTIONS:
            return self.stepper.frame.hidden_size > 1
        return True

    # -- the keys: one controller action each ---------------------------------------------
    def action_step(self) -> None:
        self.show(self.stepper.step())

    def action_back(self) -> None:
        self.show(self.stepper.back())

    def action_reset(self) -> None:
        self.show(self.stepper.reset())

    def action_end(self) -> None:
        self.run(self.stepper.end_job())

    def action_play(self) -> None:
        self.show(self.stepper.play())

    def action_faster(self) -> None:
        self.show(self.stepper.faster())

    def action_slower(self) -> None:
        self.show(self.stepper.slower())

    def action_next_unit(self) -> None:
        self.show(self.stepper.next_unit())

    def action_previous_unit(self) -> None:
        self.show(self.stepper.previous_unit())

    def action_next_equation(self) -> None:
        self.show(self.stepper.next_equation())

    def action_previous_equation(self) -> None:
        self.show(self.stepper.previous_equation())

    def action_all_units(self) -> None:
        self.show(self.stepper.toggle_all_units())

    def action_show_x(self) -> None:
        self.show(self.stepper.toggle_x())

    def action_switch_cell(self) -> None:
        self.run(self.stepper.switch_cell_job())

    def run(self, job: Job) -> None:
        """A long action: its progress shows if it takes a while (``tui/jobs.py``)."""
        run_job(self.app, job, lambda done: self.show(self.stepper.frame))

    # -- the mouse ------------------------------------------------------------------------------
    def on_trajectory_plot_clicked(self, message: TrajectoryPlot.Clicked) -> None:
        self.run(self.stepper.seek_job(message.t))

    def on_gate_panel_unit_clicked(self, message: GatePanel.UnitClicked) -> None:
        self.show(self.stepper.select_unit(message.unit))

    def action_screenshot(self) -> None:
        """s: the screen without toasts and without the last action's status."""
        if self.stepper.frame.status:
            self.show(self.stepper.note(""))
        take_screenshot(self, lambda said: self.show(self.stepper.note(said)))

    # -- automatic play ------------------------------------------------------------------------
    def _follow_play(self, frame: Frame) -> None:
        if not frame.playing:
            self._stop_timer()
        elif self._timer is None or self._timer_speed != frame.speed:
            self._stop_timer()
            self._timer_speed = frame.speed
            self._timer = self.set_interval(1 / frame.speed, self._tick)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _tick(self) -> None:
        self.show(self.stepper.tick())

    # -- live input at the end of the sequence ------------------------------------------------
    def live_input_allowed(self) -> bool:
        """Whether a digit at the end opens the live input now (not while another bar of
        the screen has the keys)."""
        return self.LIVE_INPUT

    def on_key(self, event: events.Key) -> None:
        if not self.live_input_allowed():
            return
        bar = self.query_one(LiveInputBar)
        minus, self._minus = self._minus, None
        if minus is not None:  # a '-' just before this key
            minus.stop()
            if event.character in NUMBER_START:  # "-3" in one burst: a negative input
                bar.open("-" + (event.character or ""))
                event.prevent_default()
                event.stop()
                return
            self.action_slower()
        if bar.is_open:
            # The rest of a burst that came before the bar's field had the focus.
            if event.key == "enter":
                bar.submit()
            elif event.key == "escape":
                bar.close()
            elif event.character and event.is_printable:
                bar.feed(event.character)
            else:
                return
        elif self.stepper.frame.at_end and (
            event.character in NUMBER_START or event.key == "enter"
        ):
            bar.open("" if event.key == "enter" else (event.character or ""))
        elif self.stepper.frame.at_end and event.key == "minus":
            # '-' is "slower" here too, but a digit in the same burst (a paste of "-3")
            # makes it a sign: wait a moment for one before slowing down.
            self._minus = self.set_timer(BURST_SECONDS, self._minus_alone)
        else:
            return
        event.prevent_default()
        event.stop()

    def _minus_alone(self) -> None:
        if self._minus is not None:
            self._minus = None
            self.action_slower()

    def on_paste(self, event: events.Paste) -> None:
        if not self.live_input_allowed():
            return
        bar = self.query_one(LiveInputBar)
        if bar.is_open:
            bar.feed(event.text)
        elif self.stepper.frame.at_end and event.text.strip():
            bar.open(event.text.strip())
        else:
            return
        event.stop()  # handled: not on to the field that now has the focus

    def on_live_input_bar_submitted(self, message: LiveInputBar.Submitted) -> None:
        bar = self.query_one(LiveInputBar)
        try:
            frame = self.stepper.append_input(
                one_step(message.text, self.stepper.frame.cell.input_size)
            )
        except ValueError as exc:
            bar.refused(message.text, str(exc))
            return
        bar.done(message.text)
        self.show(frame)


#: What a view that adds no steps says at the end of the sequence.
AT_END = "end of the sequence (steps are added on the main screen: escape)"


class ViewScreen(SteppingScreen):
    """A view over the dashboard's cell (the gradient flow, the cell diagram, the heat
    map): it steps as the dashboard does but adds no steps, so at the end of the sequence
    it says where they are added; escape (and the key that opened it) closes it."""

    LIVE_INPUT = False

    def show(self, frame: Frame) -> None:
        if frame.status.startswith(END):  # not the dashboard's "type a number"
            frame = replace(frame, status=AT_END)
        super().show(frame)

    def action_step(self) -> None:
        if self.stepper.frame.at_end:
            self.show(self.stepper.refuse(AT_END))
            return
        super().action_step()

    def action_close(self) -> None:
        self.dismiss(None)
