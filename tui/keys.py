"""Every key of every screen, declared once: the bindings, the footer, the help screen, the
command palette and the README's key table are all made from (or checked against) these.

A ``Key`` names the screen action it runs; the stepping screens' actions each call one
action of the stepping controller (``tui/screens/stepping.py``), so this table is where
keys map to controller actions.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual.binding import Binding, BindingType

#: How Textual names keys, and how people write them.
SHOWN = {
    "question_mark": "?",
    "plus": "+",
    "equals_sign": "=",
    "minus": "-",
    "full_stop": ".",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "right": "→",
    "left": "←",
    "down": "↓",
    "up": "↑",
    "asterisk": "*",
    "slash": "/",
    "less_than_sign": "<",
    "greater_than_sign": ">",
    "shift+left": "shift+←",
    "shift+right": "shift+→",
}


@dataclass(frozen=True)
class Key:
    keys: str  #: Textual key names, comma-separated: "space,right"
    action: str  #: the action it runs on its screen ("step"), or on the app ("app.quit")
    label: str  #: the footer's word for it
    about: str  #: what it does, for the help screen and the palette
    display: str = ""  #: how the footer writes the key, when not the first key's name
    footer: bool = True  #: shown in the footer (the rest are in ? and the palette)
    #: before the focused widget: the key works while a field has the focus (which would
    #: otherwise take it as text); for screens whose fields never take that character
    priority: bool = False

    @property
    def written(self) -> str:
        """The keys as people write them: "space / →"."""
        return " / ".join(SHOWN.get(k, k) for k in self.keys.split(","))

    def binding(self) -> Binding:
        return Binding(
            self.keys,
            self.action,
            self.label,
            show=self.footer,
            key_display=self.display or None,
            priority=self.priority,
        )


def bindings(keys: tuple[Key, ...]) -> list[BindingType]:
    return [key.binding() for key in keys]


def replaced(keys: tuple[Key, ...], action: str, **changes: object) -> tuple[Key, ...]:
    """The same keys with the one for ``action`` changed (its words on another screen)."""
    return tuple(replace(k, **changes) if k.action == action else k for k in keys)  # type: ignore[arg-type]


#: The full sum of the equation being read: on the main screen and the diagram.
FULL_SUM = Key(
    "f",
    "app.open('sum')",
    "Full sum",
    "The marked equation written out in full, every product of its sum, scrollable",
    footer=False,
)

#: The keys of every screen that steps: the main screen and compare mode.
STEPPING = (
    Key("space,right", "step", "Step", "Take the next step", "space"),
    Key("left,backspace", "back", "Back", "Step back: an exact rewind", "←"),
    Key("home,r", "reset", "Reset", "Go back to t = 0", "r", footer=False),
    Key("end", "end", "End", "Run to the end of the sequence", footer=False),
    Key("p", "play", "Play", "Step automatically, or pause"),
    Key("plus,equals_sign", "faster", "Faster", "Play faster", "+", footer=False),
    Key("minus", "slower", "Slower", "Play slower", "-", footer=False),
    Key("down,tab", "next_unit", "Unit", "Select the next hidden unit", "↓"),
    Key(
        "up,shift+tab",
        "previous_unit",
        "Previous unit",
        "Select the previous hidden unit",
        "↑",
        footer=False,
    ),
    Key(
        "a",
        "all_units",
        "All units",
        "Plot: the selected unit, then every unit's h, c, ... in turn",
        footer=False,
    ),
    Key("i", "show_x", "Show x", "Show or hide the input x on the plot", footer=False),
    Key(
        "right_square_bracket",
        "next_equation",
        "Next equation",
        "Read the next equation: its line is marked, and its part of the diagram lit",
        "]",
        footer=False,
    ),
    Key(
        "left_square_bracket",
        "previous_equation",
        "Previous equation",
        "Read the previous equation",
        "[",
        footer=False,
    ),
    Key("c", "switch_cell", "Cell", "Switch the cell: LSTM → peephole → sLSTM → mLSTM → RNN"),
    Key("e", "app.open('inputs')", "Input", "Edit the input sequence, or load it from a file"),
    Key(
        "s",
        "screenshot",
        "Screenshot",
        "Save a screenshot (SVG) in the current folder",
        footer=False,
    ),
    Key(
        "question_mark",
        "app.open('help')",
        "Help",
        "What the keys do and what each panel shows",
        "?",
    ),
    Key("q", "app.quit", "Quit", "Quit"),
)

MAIN = (
    *STEPPING[:-2],
    Key(
        "v",
        "app.open('compare')",
        "Compare",
        "Compare mode: this cell and another side by side, stepping together",
    ),
    Key(
        "w",
        "app.open('weights')",
        "Weights",
        "See and change every weight; load or save them",
        footer=False,
    ),
    Key(
        "x",
        "app.open('export')",
        "Export",
        "Write the trace so far: .csv, .json or .txt",
        footer=False,
    ),
    Key(
        "t",
        "app.open('training')",
        "Train",
        "Train a cell on a task (adding, remember, sine), then step it on an example",
        footer=False,
    ),
    Key(
        "d",
        "app.open('diagram')",
        "Diagram",
        "The cell drawn as a diagram, with this step's values on its wires",
    ),
    Key(
        "m",
        "app.open('heatmap')",
        "Heat map",
        "Every unit over time as a heat map of h, c or a gate (as LSTMVis)",
        footer=False,
    ),
    Key(
        "o",
        "app.open('presets')",
        "Presets",
        "Open a scenario preset: weights and inputs that make the gates differ",
        footer=False,
    ),
    Key(
        "n",
        "nudge",
        "Nudge",
        "Nudge mode: change a weight or this step's input by small steps, and watch",
        footer=False,
    ),
    FULL_SUM,
    Key(
        "g",
        "app.open('gradients')",
        "Gradients",
        "Gradient flow: the norms of dL/dh_t and dL/dc_t over t, beside a tanh RNN",
        footer=False,
    ),
    *STEPPING[-2:],
)

COMPARE = (  # no equations here: [ and ] are the main screen's and the diagram's
    *replaced(
        tuple(k for k in STEPPING if k.action not in {"next_equation", "previous_equation"}),
        "switch_cell",
        label="Right cell",
        about="Switch the right-hand cell to the next kind",
    ),
    Key("escape,v", "close", "One cell", "Back to one cell", "v"),
)

#: The gradient-flow view: the stepping keys that move the step cursor, and back.
GRADIENTS = (
    *(k for k in STEPPING if k.action in {"step", "back", "reset", "end", "play"}),
    *(k for k in STEPPING if k.action in {"faster", "slower", "screenshot"}),
    Key("escape,g", "close", "Close", "Back to the dashboard", "g"),
    *STEPPING[-2:],
)

#: The cell diagram: the keys that step and select, and back.
DIAGRAM = (
    *(
        k
        for k in STEPPING
        if k.action
        in {
            "step",
            "back",
            "reset",
            "end",
            "play",
            "faster",
            "slower",
            "next_unit",
            "previous_unit",
            "next_equation",
            "previous_equation",
            "switch_cell",
            "screenshot",
        }
    ),
    FULL_SUM,
    Key("escape,d", "close", "Close", "Back to the dashboard", "d"),
    *STEPPING[-2:],
)

#: The heat map: the step cursor moves as on the dashboard; shift+arrows select a range.
HEATMAP = (
    *replaced(
        tuple(
            k
            for k in STEPPING
            if k.action
            in {"step", "back", "reset", "end", "play", "next_unit", "previous_unit", "screenshot"}
        ),
        "next_unit",
        label="Next unit",
    ),
    Key("v", "next_series", "Series", "Show the next series: h, c, then each gate"),
    Key("z", "zoom", "Zoom", "Zoom out to the whole history, or back to a column per step"),
    Key(
        "shift+right",
        "select_later",
        "Select later steps",
        "Select a time range: move the cursor a step later, from where the range began",
        footer=False,
    ),
    Key(
        "shift+left",
        "select_earlier",
        "Select earlier steps",
        "Select a time range: move the cursor a step earlier, from where the range began",
        footer=False,
    ),
    Key(
        "greater_than_sign",
        "raise_threshold",
        "Raise threshold",
        "Raise the threshold of the units listed for the selected range",
        ">",
        footer=False,
    ),
    Key(
        "less_than_sign",
        "lower_threshold",
        "Lower threshold",
        "Lower the threshold of the units listed for the selected range",
        "<",
        footer=False,
    ),
    Key("escape,m", "close", "Close", "Back to the dashboard", "m"),
    *STEPPING[-2:],
)

#: Nudge mode, on the dashboard: its bar has the focus, so these come before the screen's.
NUDGE = (
    Key("tab", "next_value", "Next value", "Choose the next weight, bias or input to nudge"),
    Key("shift+tab", "previous_value", "Previous value", "Choose the previous one", "shift+tab"),
    Key("up", "increase", "Up", "Add the nudge step to the chosen value", "↑"),
    Key("down", "decrease", "Down", "Take the nudge step from the chosen value", "↓"),
    Key("asterisk", "coarser", "Step ×10", "Multiply the nudge step by 10", "*"),
    Key("slash", "finer", "Step ÷10", "Divide the nudge step by 10", "/"),
    Key("escape,n", "leave", "Done", "Leave nudge mode (the nudged values stay)", "escape"),
)

PRESETS = (
    Key("enter", "open", "Open", "Open the highlighted preset: its cell, weights and inputs"),
    Key("escape", "cancel", "Cancel", "Close without changing anything"),
)

SUM = (
    Key("right_square_bracket", "next_equation", "Next", "The next equation's full sum", "]"),
    Key(
        "left_square_bracket",
        "previous_equation",
        "Previous",
        "The previous equation's full sum",
        "[",
    ),
    Key("escape,f", "close", "Close", "Back", "escape"),
)

#: The training screen: its fields take numbers only, so ?, s and q work from any of them.
TRAINING = (
    # "Start training": the palette sorts by name, and "Train" came last, out of sight at 24 rows
    Key("ctrl+r", "start", "Start training", "Start training with these settings", "ctrl+r"),
    Key(
        "escape",
        "stop",
        "Stop / Back",
        "Stop training (the best weights so far are saved and open), or go back",
        "escape",
    ),
    *(replace(k, priority=True) for k in STEPPING if k.action == "screenshot"),
    *(replace(k, priority=True) for k in STEPPING[-2:]),
)

#: What the help screen says beside the keys of the stepping screens.
EXTRA = (
    ("at the end", "type a number (or Enter, then a number) to add a step and take it"),
    ("ctrl+p", "the command palette: every key of this screen, by name"),
    ("escape", "close a dialog or this help"),
)

#: What the training screen's help says beside its keys.
TRAINING_EXTRA = (
    ("tab / shift+tab", "the next / previous setting"),
    ("enter", "in a field: start, as ctrl+r"),
    ("ctrl+p", "the command palette: every key of this screen, by name"),
)

HELP = (Key("escape,question_mark,q", "close", "Close", "Close the help", "escape"),)

WEIGHTS = (
    Key("escape,w", "close", "Back", "Back to the dashboard", "escape"),
    Key("enter", "edit", "Change", "Change the selected weight (one number)"),
    Key("l", "load", "Load", "Load every weight from a file (.npz)"),
    Key("S,ctrl+s", "save", "Save", "Save every weight to a file (.npz)", "S"),
)

INPUTS = (
    Key("enter", "apply", "Apply", "Use this sequence (bad input says why and changes nothing)"),
    Key("ctrl+o", "load", "Load file", "Read the sequence from a .csv or .npy file"),
    Key("escape", "cancel", "Cancel", "Close without changing anything"),
)

LIVE = (
    Key("enter", "add", "Add", "Add this input to the sequence and take the step"),
    Key("escape", "cancel", "Cancel", "Close without adding"),
)

EXPORT = (
    Key("enter", "write", "Write", "Write the trace to the file named"),
    Key("escape", "cancel", "Cancel", "Close without writing"),
)

CONFIRM = (
    Key("y", "yes", "Replace", "Yes: replace the file"),
    Key("n,escape", "no", "Keep", "No: keep the file as it is", "n"),
)

PROGRESS = (
    Key(
        "escape", "cancel", "Cancel", "Stop: nothing changes (a run to the end stops where it got)"
    ),
)

#: Every screen's keys, by the screen's name (the README's key table and the tests).
SCREENS = {
    "main": MAIN,
    "compare": COMPARE,
    "help": HELP,
    "weights": WEIGHTS,
    "inputs": INPUTS,
    "live input": LIVE,
    "export": EXPORT,
    "progress": PROGRESS,
    "confirm": CONFIRM,
    "gradients": GRADIENTS,
    "training": TRAINING,
    "diagram": DIAGRAM,
    "heat map": HEATMAP,
    "nudge": NUDGE,
    "presets": PRESETS,
    "full sum": SUM,
}
