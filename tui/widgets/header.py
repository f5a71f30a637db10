"""The header: which cell (or cells), its sizes and origin, the status, and the step.

What the cell is comes first and is never given up for a message: the step counter
shows whole, then the cell's name and sizes, then where its weights came from; the
status takes the room that is left on the line, and where it does not fit there whole
it gets a line of its own under the header (``StatusLine``, no row otherwise; two or
three where one is too short for it). Where the identity itself does not fit, its words
are shortened first (``SHORTER``: "best loss" to "best", ...), and only then is it cut,
between words (``cut``), so no number is ever shown in part. The counter itself, on a
line too narrow for it, drops its words, then the total (``counter``), never a digit.
"""

from __future__ import annotations

import re

from rich.cells import cell_len

from lstm_engine.stepper import Frame

from .base import FrameWidget, Lines

#: The app's name leads the line where there is room for it and the whole status.
APP_NAME = " lstm-stepper "


def cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, ending in … where it was cut: at the last
    space (or after a comma) that leaves room, so that no word or number is cut in two;
    inside a word only where its first word alone does not fit."""
    if cell_len(text) <= width:
        return text
    if width <= 0:
        return ""
    head = text
    while head and cell_len(head) > width - 1:
        head = head[:-1]
    if text[len(head)] not in " ,":  # the cut falls inside a word: back to its start
        at = max(head.rfind(" "), head.rfind(","))
        if at > 0:
            head = head[: at + (head[at] == ",")]
    return head.rstrip() + "…"


#: Shorter words for the identity (regular expressions and what replaces them), tried in
#: turn while it does not fit: a trained cell's figures keep their numbers; the input size
#: goes last, before the origin is cut.
SHORTER = (
    (r" best loss ", " best "),
    (r", baseline ", ", base "),
    (r" \(tanh\)", ""),
    (r" │ ", "│"),
    (r"│I=\d+ ", "│"),
)
#: The most rows the status takes under the header.
STATUS_ROWS = 3


def shortened(who: str, width: int) -> str:
    """``who`` with the words of ``SHORTER`` shortened, one after another, until it fits
    in ``width`` cells (or all are)."""
    for long, short in SHORTER:
        if cell_len(who) <= width:
            break
        who = re.sub(long, short, who)
    return who


def wrap(text: str, width: int, most: int = STATUS_ROWS) -> list[str]:
    """``text`` in lines of at most ``width`` cells, broken between words (a word longer
    than a line, such as a path, is broken inside), at most ``most`` lines: the last one
    cut (``cut``) where it does not all fit."""
    lines: list[str] = []
    rest = text.strip()
    while rest and len(lines) < most - 1 and cell_len(rest) > width > 0:
        head = rest[:width]
        at = head.rfind(" ")
        head = head[:at] if at > 0 and rest[width] != " " else head
        lines.append(head.rstrip())
        rest = rest[len(head) :].lstrip()
    return [*lines, cut(rest, width)] if rest else lines


def counter(frame: Frame, width: int) -> str:
    """The step counter for a line of ``width`` cells (one of them the identity's space):
    "step 100000 / 100000 " where it fits, else shorter forms, every number whole."""
    forms = (f"step {frame.t} / {frame.length} ", f"{frame.t} / {frame.length} ", f"{frame.t} ")
    return next((form for form in forms if len(form) < width), "")


def _parts(frame: Frame) -> tuple[str, str, str]:
    """The cell's identity, the status, the counter."""
    cell = frame.cell
    if frame.comparing:
        second = frame.lanes[1].cell
        who = f" {cell.title} vs {second.title} │ I={cell.input_size} H={cell.hidden_size} "
    else:
        who = f" {cell.title} │ I={cell.input_size} H={cell.hidden_size} │ {frame.lanes[0].origin} "
    return who, frame.status, f"step {frame.t} / {frame.length} "


def status_fits(frame: Frame, width: int) -> bool:
    """The status fits on the header's line beside the whole identity and the counter."""
    who, status, steps = _parts(frame)
    return not status or cell_len(who) + cell_len(status) + 2 + len(steps) <= width


def _style(frame: Frame) -> str:
    return "bold reverse" if frame.refused else "italic"


class HeaderBar(FrameWidget):
    """One line: the app's name where there is room, the cell and its origin, the status
    where it fits whole (else the ``StatusLine`` under it shows it), and the step counter
    at the right."""

    DEFAULT_CSS = """
    HeaderBar { height: 1; background: $primary; color: $text; }
    """

    def draw(self, frame: Frame) -> Lines:
        width = self.size.width
        who, status, _ = _parts(frame)
        steps = counter(frame, width)
        room = width - len(steps)
        name = " Compare " if frame.comparing else APP_NAME
        said = f"{status}  " if status and status_fits(frame, width) else ""
        if cell_len(name) + 1 + cell_len(who) + cell_len(said) > room:  # 1: its "│"
            name = ""  # the app's name is the first thing to go
        else:
            who = "│" + who
        # cut with a space after it (one cell of the room), as it ends uncut
        fits = max(room - cell_len(said) - cell_len(name) - 1, 0)
        who = cut(shortened(who.rstrip(), fits), fits) + " "
        gap = max(width - cell_len(name) - cell_len(who) - cell_len(said) - len(steps), 0)
        line = Lines()
        line.append(name, "bold")
        line.append(who + " " * gap)
        line.append(said, _style(frame))
        line.append(steps, "bold")
        return line


class StatusLine(FrameWidget):
    """The status, under the header, while it is too long for the header's line (no row
    otherwise): whole where the screen is wide enough, else cut between words."""

    DEFAULT_CSS = """
    StatusLine { height: auto; background: $primary; color: $text; }
    """

    def rows(self, frame: Frame) -> int:
        width = self.size.width or self.app.size.width  # before its first layout: the app's
        return 0 if status_fits(frame, width) else len(wrap(frame.status, width - 2))

    def draw(self, frame: Frame) -> Lines:
        line = Lines()
        if not status_fits(frame, self.size.width):
            wrapped = wrap(frame.status, self.size.width - 2)
            line.append("\n".join(f" {part} " for part in wrapped), _style(frame))
        return line
