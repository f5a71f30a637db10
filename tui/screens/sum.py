"""The full sum (f): the equation being read, written out in full for the selected unit.

Every product w*v of its affine part on a line of its own (the weight and the value as
the equations panel shows them, the product computed exactly and then rounded), each
weight matrix's dot product, the bias, the sum and the result; for a row equation (the
mLSTM's C) each element of the row. The text is ``lstm_engine.equations.full_sum``'s;
this screen only shows it, scrollable, and moves through the equations with ``]`` and
``[`` (the controller's ``next_equation``/``previous_equation``: the dashboard marks the
same equation when the screen closes). A line too long for the screen is wrapped at its
``=`` signs onto indented continuation lines (``    = -0.1032 - 0.3554 = -0.4586``),
and between terms where a stage alone is too long, never inside a number.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from lstm_engine.equations import full_sum, symbols
from lstm_engine.stepper import Frame, Stepper

from ..keys import SUM, bindings

#: What the screen says before the first step: there is no sum yet.
NO_STEP = "t = 0: no step taken yet, so there is no sum to show. Close (escape) and step."


#: Where a line may break: before `` = `` (a stage), then before `` + ``/`` - `` (a term)
#: or after ``, `` (in a row of numbers).
STAGES = re.compile(r"(?= = )")
TERMS = re.compile(r"(?= [+-] )|(?<=, )")
#: The body's frame: its thick border, padding and vertical scrollbar (columns).
FRAME = 2 + 2 + 2


def wrap(line: str, width: int) -> list[str]:
    """``line`` in lines of at most ``width`` characters: broken before its `` = `` (not
    the first, which follows the symbol), each continuation indented four more than the
    line (``    = 0.2305 + 0.1542``); a stage still too long broken between its terms,
    two further in; a piece without a break (a long name) cut as a last resort."""
    if width <= 0 or len(line) <= width:
        return [line]
    indent = " " * (len(line) - len(line.lstrip()) + 4)
    symbol, *stages = STAGES.split(line)
    out = []
    for piece in _fill([symbol + "".join(stages[:1]), *stages[1:]], width, indent):
        if len(piece) <= width:
            out.append(piece)
            continue
        for part in _fill(TERMS.split(piece), width, indent + "  "):
            out += [part[k : k + width] for k in range(0, len(part), width)]
    return out


def _fill(pieces: list[str], width: int, indent: str) -> list[str]:
    """Pieces joined greedily into lines of ``width``; a new line starts ``indent``."""
    lines = [pieces[0]]
    for piece in pieces[1:]:
        if len(lines[-1]) + len(piece) <= width:
            lines[-1] += piece
        else:
            lines[-1] = lines[-1].rstrip()
            lines.append(indent + piece.lstrip())
    return lines


def sum_lines(frame: Frame) -> list[str]:
    """The full sum of the frame's marked equation for its selected unit (the first cell
    of compare mode)."""
    lane = frame.lanes[0]
    if lane.record is None:
        return [NO_STEP]
    return full_sum(lane.cell, lane.record, frame.unit, frame.equation)


class FullSum(ModalScreen[None]):
    KEYS = SUM
    BINDINGS = bindings(SUM)

    DEFAULT_CSS = """
    FullSum { align: center middle; }
    #sum-body {
        width: 90%;
        max-width: 110;
        height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    """

    def __init__(self, stepper: Stepper) -> None:
        super().__init__()
        self.stepper = stepper

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="sum-body"):
            yield Static(id="sum-text")
        yield Footer()

    def on_mount(self) -> None:
        self.render_sum(self.stepper.frame)

    def on_resize(self) -> None:
        self.render_sum(self.stepper.frame)

    def text_width(self) -> int:
        """The columns a line of the sum has: the body's width (90% of the screen, at most
        110) less its frame."""
        return min(int(self.app.size.width * 0.9), 110) - FRAME

    def render_sum(self, frame: Frame) -> None:
        """The frame's sum, its first line (the equation in symbols) in bold, the title
        naming the equation, the unit and the step; long lines wrapped at their ``=``."""
        width = self.text_width()
        lines = [part for line in sum_lines(frame) for part in wrap(line, width)]
        text = Text(lines[0], style="bold")  # plain text: [u,j] is not markup
        for line in lines[1:]:
            text.append("\n" + line)
        self.query_one("#sum-text", Static).update(text)
        body = self.query_one("#sum-body", VerticalScroll)
        names = symbols(frame.cell)
        count = len(names)
        body.border_title = (
            f"Full sum · {names[frame.equation]} ({frame.equation + 1} of {count})"
            f" · unit {frame.unit} · step {frame.t}"
        )
        body.border_subtitle = "] next · [ previous · escape close"
        body.scroll_home(animate=False)

    def action_next_equation(self) -> None:
        self.render_sum(self.stepper.next_equation())

    def action_previous_equation(self) -> None:
        self.render_sum(self.stepper.previous_equation())

    def action_close(self) -> None:
        self.dismiss(None)
