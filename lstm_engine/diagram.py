"""The live cell diagram: a cell drawn in box-drawing characters, with the numbers of one
step for one unit on its wires and in its gates, and the part that belongs to the
equation being read lit.

The picture is the one of "Understanding LSTM Networks" (colah, 2015): the memory runs
along the top (c_prev → × f → + i·c_bar → c), a branch of it goes through tanh and × o
out as h, and [h_prev, x] comes in at the bottom and feeds the gates, drawn as boxes in a
row. The other kinds add to that picture (the peephole LSTM's wires from the memory into
its gates; the sLSTM's normaliser line n and stabiliser m, and the paper's gates beside
the stabilised ones; the mLSTM's matrix memory C, its key-value product and the
quotient h~ = (qs @ C[:,u]) / den, the unit's column of C) or replace it (the tanh
RNN's one box). Where everything goes is a table per kind (``LAYOUTS``): that is the
point of a diagram. The numbers come from the record's fields and the cell's
declarations (``Cell.gates``, ``Cell.states``), never recomputed: the drawing only picks
the selected unit's element of each field (the unit's column of the mLSTM's C, the one h~
reads), and works out the two products c adds up, f*c_prev and i*c_bar, on their wires.

The part of the equation being read (a symbol of ``lstm_engine.equations.symbols``) is
lit: its box, wires and values drawn with heavy lines (┏━┓) and a ▶ before its name, so
that it shows without colour too; with colour it is also coloured. Pure: no Textual.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .cells.base import Cell, Record
from .numbers import fit, number, short

#: Width of a value in a gate box ("-0.4827"): ``numbers.fit``, which is ``number`` with
#: its 4 decimals wherever that fits, and fewer digits for wider numbers.
SLOT = 7
#: Width of a value outside the boxes (states, m, den, the products on the wires): the
#: widest ``numbers.number`` ("-4.54e-05"), so that it reads as the equations write it.
WIDE = 9
#: Width of the mLSTM's vectors on the memory line (the unit's column of C).
VECTOR = 28
#: A value that does not exist yet (a gate at t = 0).
BLANK = "·"
#: Light box-drawing characters and the heavy ones a lit part is drawn with.
HEAVY = str.maketrans("─│┌┐└┘├┤┬┴┼┄┆", "━┃┏┓┗┛┣┫┳┻╋┅┇")
#: How a box's name writes the candidate, which each cell names itself ("c_bar", "z").
CANDIDATE = "@candidate"
#: The marker before the name of the lit part.
MARK = "▶"

#: Columns of the gate boxes' left sides, and their width: four boxes of 13 in 80 columns.
BOX_LEFTS = (8, 24, 40, 56)
BOX_WIDTH = 13
#: Centre column of the right-hand box (tanh(c), c / n, C q / den) and of the × with o.
OUT = 73
OUT_WIDTH = 13
#: The × with f on the memory line, and the + (above the × of the input and candidate).
ADD = 38
#: Column of the values noted between the candidate's wire and the output gate's (n, den).
NOTES = 54
#: Width of the drawing: the memory line ends in an arrow in the last column.
WIDTH = 80

#: Styles of the drawing, as Rich style strings: with colour, and without (NO_COLOR).
STYLES = {
    True: {"lit": "bold yellow", "value": "cyan", "lit value": "bold black on yellow"},
    False: {"lit": "bold", "value": "", "lit value": "bold reverse"},
}


@dataclass(frozen=True)
class Span:
    """A styled run of a row: columns [start, end)."""

    row: int
    start: int
    end: int
    style: str


@dataclass(frozen=True)
class Diagram:
    """A cell's diagram for one step and unit: rows of text and the styled runs."""

    title: str
    rows: tuple[str, ...]
    spans: tuple[Span, ...]
    lit: tuple[str, ...]  #: the parts lit (empty: the symbol has no part)
    values: tuple[tuple[str, str], ...]  #: every value shown, as (field, text)

    @property
    def text(self) -> str:
        return "\n".join(self.rows)

    @property
    def width(self) -> int:
        return max((len(row) for row in self.rows), default=0)

    def runs(self, row: int) -> list[tuple[str, str]]:
        """A row as (text, style) runs: the lit part's runs, then the values' over them."""
        text = self.rows[row]
        styles = [""] * len(text)
        for span in self.spans:
            if span.row == row:
                styles[span.start : min(span.end, len(text))] = [span.style] * (
                    min(span.end, len(text)) - span.start
                )
        out: list[tuple[str, str]] = []
        for ch, style in zip(text, styles, strict=True):
            if out and out[-1][1] == style:
                out[-1] = (out[-1][0] + ch, style)
            else:
                out.append((ch, style))
        return out


@dataclass(frozen=True)
class Line:
    """A line inside a box: a label (right-aligned in 3 columns) and a value's field (or
    ""), or a name. ``full``: shown only in the full (not the compact) diagram. ``part``:
    the part it belongs to, where not its box's (the mLSTM's q in the right-hand box)."""

    label: str
    key: str = ""
    full: bool = False
    part: str = ""


@dataclass(frozen=True)
class Slot:
    """Where a value goes: its row and first column, the field (``key``), the part it
    belongs to, its width, and whether it is a whole vector, written left-aligned (x,
    the mLSTM's qs and n): every other value is the unit's, right-aligned."""

    row: int
    col: int
    key: str
    part: str
    width: int = SLOT
    whole: bool = False


@dataclass(frozen=True)
class Box:
    """A gate box: the part it belongs to, its name line and its lines."""

    part: str
    name: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Label:
    """Free text on the diagram, with a value after it when ``key`` is set."""

    row: int
    col: int
    text: str
    part: str
    key: str = ""
    width: int = WIDE  #: the value's width
    whole: bool = False  #: the whole vector, not the unit's element


@dataclass(frozen=True)
class Gated:
    """The layout of a gated cell: the memory line, four boxes (the forget, input and
    candidate gates and the output gate's place), the right-hand box and what is added."""

    memory: tuple[str, str]  #: the memory's fields before and after the step
    memory_labels: tuple[str, str]
    boxes: tuple[Box, Box, Box, Box]
    out: tuple[Line, ...]  #: the right-hand box's lines (its first: the operation)
    #: which parts each equation's symbol lights
    lights: dict[str, tuple[str, ...]]
    peepholes: bool = False
    normaliser: bool = False  #: the n line (sLSTM, mLSTM) into the right-hand box
    stabiliser: bool = False  #: the m line under the inputs
    labels: tuple[Label, ...] = ()
    recurrent: bool = True  #: the gates read h_prev (the mLSTM's read x only)
    #: width of the memory's values: a number, or the unit's column of the mLSTM's C
    memory_width: int = WIDE
    #: f*c_prev and i*c_bar on their wires: the two numbers that add up to c
    products: bool = True


# -- drawing --------------------------------------------------------------------------


@dataclass
class Canvas:
    """A grid of characters, each with the part it belongs to; value slots and the names
    a lit part's marker goes before are kept aside until the values are known."""

    rows: list[list[str]] = field(default_factory=list)
    parts: list[list[str]] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    names: list[tuple[int, int, str]] = field(default_factory=list)  #: row, col, part

    def put(self, row: int, col: int, text: str, part: str = "") -> None:
        while len(self.rows) <= row:
            self.rows.append([" "] * WIDTH)
            self.parts.append([""] * WIDTH)
        for k, ch in enumerate(text):
            if 0 <= col + k < WIDTH:
                self.rows[row][col + k] = ch
                self.parts[row][col + k] = part

    def name(self, row: int, col: int, text: str, part: str) -> None:
        """A name: when its part is lit, ▶ goes in the column before it."""
        self.put(row, col, text, part)
        self.names.append((row, col - 1, part))

    def slot(
        self, row: int, col: int, key: str, part: str, width: int = SLOT, whole: bool = False
    ) -> None:
        self.put(row, col, " " * width, part)
        self.slots.append(Slot(row, col, key, part, width, whole))

    def hline(self, row: int, start: int, end: int, part: str, char: str = "─") -> None:
        for col in range(start, end + 1):
            if self.at(row, col) in (" ", ""):
                self.put(row, col, char, part)

    def vline(self, col: int, start: int, end: int, part: str, char: str = "│") -> None:
        for row in range(start, end + 1):
            if self.at(row, col) in (" ", ""):
                self.put(row, col, char, part)

    def at(self, row: int, col: int) -> str:
        return self.rows[row][col] if row < len(self.rows) else ""

    def box(self, top: int, left: int, width: int, inside: int, part: str) -> int:
        """An empty box with ``inside`` rows; returns its bottom row."""
        self.put(top, left, "┌" + "─" * (width - 2) + "┐", part)
        for k in range(inside):
            self.put(top + 1 + k, left, "│" + " " * (width - 2) + "│", part)
        bottom = top + 1 + inside
        self.put(bottom, left, "└" + "─" * (width - 2) + "┘", part)
        return bottom

    def label(self, label: Label, **names: object) -> int:
        """A name (formatted with ``names``: the unit u, the size H) and its value; returns
        the column after them."""
        text = label.text.format(**names)
        self.name(label.row, label.col, text, label.part)
        end = label.col + len(text)
        if label.key:
            self.slot(label.row, end + 1, label.key, label.part, label.width, label.whole)
            end += 1 + label.width
        return end


def _box_lines(
    canvas: Canvas, top: int, left: int, box: Box, lines: list[Line], candidate: str
) -> None:
    """A gate box's name (the candidate's as the cell writes it) and lines."""
    canvas.name(top + 1, left + 2, box.name.replace(CANDIDATE, candidate), box.part)
    for k, line in enumerate(lines):
        row, part = top + 2 + k, line.part or box.part
        if line.part:  # a part of its own: the marker goes before its label
            canvas.name(row, left + 4 - len(line.label), line.label, part)
        else:
            canvas.put(row, left + 1, f"{line.label:>3}", part)
        if line.key:
            canvas.slot(row, left + 5, line.key, part)


def draw_gated(layout: Gated, compact: bool, names: dict[str, object]) -> Canvas:
    """The memory line on top, the right-hand box and h, the four gate boxes, [h_prev, x].
    ``names``: what the labels are formatted with (u, H, and the gates as written: f, i,
    g for the candidate)."""
    c = Canvas()
    centres = [left + BOX_WIDTH // 2 for left in BOX_LEFTS]
    forget, give, take, output = centres
    # The memory line: row 1, × f, + (i × candidate), the branch down to the right-hand box.
    before, after = (label.format(**names) for label in layout.memory_labels)
    wide = layout.memory_width
    c.label(Label(0, 1, before, "c", layout.memory[0], wide))
    c.label(Label(0, WIDTH - 1 - wide - len(after), after, "c", layout.memory[1], wide))
    c.put(1, forget - 1, "(×)", "c")
    c.put(1, ADD - 1, "(+)", "c")
    c.put(1, OUT, "┬", "h")
    c.put(1, WIDTH - 1, "▶", "c")
    c.hline(1, 0, WIDTH - 2, "c")
    c.put(2, ADD, "▲", "ic")
    c.put(3, ADD - 1, "(×)", "ic")
    if layout.products:  # the two terms of c, on their wires
        c.label(Label(0, forget + 7, "{f}*c_prev", "fc", "@forget*c_prev"), **names)
        c.label(Label(2, ADD + 3, "{i}*{g}", "ic", "@input*@candidate"), **names)
    # The input gate and the candidate meet at the × below the +.
    c.put(3, give, "┌", "iw")
    c.hline(3, give + 1, ADD - 3, "iw")
    c.put(3, ADD - 2, "▶", "iw")
    c.put(3, ADD + 2, "◀", "gw")
    c.hline(3, ADD + 3, take - 1, "gw")
    c.put(3, take, "┐", "gw")
    c.put(2, forget, "▲", "fw")
    # The right-hand box under the branch, then the × with o, and h out.
    out_lines = [line for line in layout.out if not (compact and line.full)]
    c.put(2, OUT, "│", "h")
    c.put(3, OUT, "▼", "h")
    left = OUT - OUT_WIDTH // 2
    bottom = c.box(4, left, OUT_WIDTH, len(out_lines), "h")
    for k, line in enumerate(out_lines):
        row = 5 + k
        c.name(row, left + 2, line.label, line.part or "h")
        if line.key:
            c.slot(row, left + OUT_WIDTH - 1 - SLOT, line.key, line.part or "h")
    c.put(bottom, OUT, "┬", "h")
    c.put(bottom + 1, OUT, "▼", "h")
    times = bottom + 2
    c.put(times, OUT - 1, "(×)", "h")
    c.hline(times, OUT + 2, WIDTH - 2, "h")
    c.put(times, WIDTH - 1, "▶", "h")
    c.name(times + 1, WIDTH - 2 - SLOT, "h", "h")
    c.slot(times + 1, WIDTH - SLOT, "h", "h")
    c.put(times, output, "┌", "ow")
    c.hline(times, output + 1, OUT - 3, "ow")
    c.put(times, OUT - 2, "▶", "ow")
    # The gate boxes, their wires up to the memory line, the inputs under them.
    top = times + 1
    shown = [[line for line in box.lines if not (compact and line.full)] for box in layout.boxes]
    height = max(len(lines) for lines in shown)
    candidate = str(names["g"])
    for left, centre, box, lines in zip(BOX_LEFTS, centres, layout.boxes, shown, strict=True):
        bottom = c.box(top, left, BOX_WIDTH, height + 1, box.part)
        _box_lines(c, top, left, box, lines, candidate)
        c.put(top, centre, "┴", box.part)
        c.put(bottom, centre, "┬", box.part)
    for centre, box in zip(centres, layout.boxes, strict=True):
        end = times + 1 if centre == output else 4 if centre in (give, take) else 3
        c.vline(centre, end, top - 1, f"{box.part}w")
    if layout.normaliser:
        _normaliser(c, forget, give)
    if layout.peepholes:
        _peepholes(c, forget, give, output, top)
    bus = bottom + 1
    _inputs(c, bus, centres, layout.recurrent)
    if layout.stabiliser:
        _stabiliser(c, bus + 2)
    for label in layout.labels:
        c.label(label, **names)
    return c


def _stabiliser(c: Canvas, row: int) -> None:
    """m = max(logf, i_raw), logf = m_prev + logsigmoid(f_raw): m_prev into logf, then
    logf and i_raw (from the row under it) into the max."""
    col = c.label(Label(row, 1, "m_prev", "m", "m_prev"))
    c.put(row, col + 1, "─▶", "logf")
    col = c.label(Label(row, col + 5, "logf", "logf", "logf"))
    c.put(row, col + 1, "─▶ max ─▶", "m")
    c.label(Label(row, col + 12, "m", "m", "m"))
    under = col + 5  # under the a of max: i_raw comes in from below
    end = c.label(Label(row + 1, under - 3 - WIDE - 1 - len("i_raw") - 1, "i_raw", "m", "i_raw"))
    c.hline(row + 1, end + 1, under - 1, "m")
    c.put(row + 1, under, "┘", "m")


def _inputs(c: Canvas, bus: int, centres: list[int], recurrent: bool) -> None:
    """The line of what the boxes read, [h_prev, x] (x only: the mLSTM), from below; its
    values on the row under it. The line to each box is a part of its own ("in0" to the
    first box, "in1" on to the second, ...), so that a gate lights only its way in."""
    c.name(bus, 1, "[h_prev, x]" if recurrent else "x", "in")
    start = 13 if recurrent else 3
    for k, centre in enumerate(centres):
        c.hline(bus, start, centre - 1, f"in{k}")
        c.put(bus, centre, "┘" if k == len(centres) - 1 else "┴", f"in{k}")
        start = centre + 1
    col = 1
    if recurrent:
        col = c.label(Label(bus + 1, 1, "h_prev", "in", "h_prev")) + 2
    c.name(bus + 1, col, "x", "in")
    c.slot(bus + 1, col + 2, "x", "in", WIDTH - col - 2, whole=True)


def _normaliser(c: Canvas, forget: int, give: int) -> None:
    """The n line: n_prev × f' + i' (the mLSTM's i'·k), into the right-hand box."""
    c.label(Label(4, forget + 2, "n_prev", "n", "n_prev", SLOT))  # between the f and i wires
    row = 5
    c.put(row, forget - 1, "(×)", "n")
    c.put(row, give - 1, "(+)", "n")
    c.hline(row, 0, OUT - OUT_WIDTH // 2 - 2, "n")
    c.put(row, OUT - OUT_WIDTH // 2 - 1, "▶", "n")
    c.label(Label(6, NOTES - 2, "n", "n", "n"))


def _peepholes(c: Canvas, forget: int, give: int, output: int, top: int) -> None:
    """Dotted wires: from c_prev into f and i, from c into o."""
    tap = forget - 4
    c.put(1, tap, "┬", "pf")
    c.vline(tap, 2, top - 2, "pf", "┆")
    c.put(top - 1, tap, "▼", "pf")
    c.put(3, tap, "├", "pi")
    c.hline(3, tap + 1, give - 5, "pi", "┄")
    c.put(3, give - 4, "┐", "pi")
    c.vline(give - 4, 4, top - 2, "pi", "┆")
    c.put(top - 1, give - 4, "▼", "pi")
    c.put(1, output - 4, "┬", "po")
    c.vline(output - 4, 2, top - 2, "po", "┆")
    c.put(top - 1, output - 4, "▼", "po")


def draw_rnn(compact: bool) -> Canvas:
    """h = tanh(W_ih x + W_hh h_prev + b): one box, [h_prev, x] into it, h out of it."""
    c = Canvas()
    left = BOX_LEFTS[1]
    box = Box("h", "h   tanh", (Line("", "h"), Line("z", "z", full=True)))
    lines = [line for line in box.lines if not (compact and line.full)]
    bottom = c.box(1, left, BOX_WIDTH, len(lines) + 1, "h")
    _box_lines(c, 1, left, box, lines, "")
    centre = left + BOX_WIDTH // 2
    c.put(bottom, centre, "┬", "h")
    _inputs(c, bottom + 1, [centre], recurrent=True)
    right = left + BOX_WIDTH
    c.hline(2, right, right + 8, "h")
    c.put(2, right + 9, "▶", "h")
    c.label(Label(2, right + 12, "h", "h", "h"))
    c.put(3, right + 1, "(h_prev of the next step)", "")
    return c


# -- the kinds ----------------------------------------------------------------------------


def _gate(part: str, name: str, *lines: Line) -> Box:
    return Box(part, name, lines)


LSTM_BOXES = (
    _gate("f", "f   σ", Line("", "@forget"), Line("z", "@forget.pre", full=True)),
    _gate("i", "i   σ", Line("", "@input"), Line("z", "@input.pre", full=True)),
    _gate("g", f"{CANDIDATE} tanh", Line("", "@candidate"), Line("z", "@candidate.pre", full=True)),
    _gate("o", "o   σ", Line("", "@output"), Line("z", "@output.pre", full=True)),
)


def _way(box: int) -> tuple[str, ...]:
    """The parts of [h_prev, x] on the way into gate box ``box`` (0 to 3)."""
    return ("in", *(f"in{k}" for k in range(box + 1)))


#: c = f*c_prev + i*c_bar: the memory line, both products and the wires bringing f, i, c_bar.
MEMORY_LIGHTS = ("c", "fc", "ic", "fw", "iw", "gw")
#: h = o * (tanh(c), c / n or h~): the right-hand box and o's wire into the ×.
OUTPUT_LIGHTS = ("h", "ow")
LSTM_LIGHTS = {
    "f": ("f", "fw", *_way(0)),
    "i": ("i", "iw", *_way(1)),
    "c_bar": ("g", "gw", *_way(2)),
    "c": MEMORY_LIGHTS,
    "o": ("o", "ow", *_way(3)),
    "h": OUTPUT_LIGHTS,
}
LSTM = Gated(
    ("c_prev", "c"), ("c_prev", "c"), LSTM_BOXES, (Line("tanh"), Line("", "tanh_c")), LSTM_LIGHTS
)


def _peeking(box: Box) -> Box:
    letter = box.part
    return Box(box.part, box.name, (*box.lines, Line("p*c", f"pc_{letter}")))


PEEPHOLE = Gated(
    LSTM.memory,
    LSTM.memory_labels,
    (_peeking(LSTM_BOXES[0]), _peeking(LSTM_BOXES[1]), LSTM_BOXES[2], _peeking(LSTM_BOXES[3])),
    LSTM.out,
    {
        **LSTM_LIGHTS,
        "f": (*LSTM_LIGHTS["f"], "pf"),
        "i": (*LSTM_LIGHTS["i"], "pi"),
        "o": (*LSTM_LIGHTS["o"], "po"),
    },
    peepholes=True,
)

#: The xLSTM's stabilised gates, with the paper's gates (σ, exp) beside them.
STABILISED = (
    _gate("f", "f'  exp", Line("", "@forget"), Line("σ", "sig_f"), Line("raw", "f_raw", full=True)),
    _gate(
        "i", "i'  exp", Line("", "@input"), Line("exp", "exp_i"), Line("raw", "i_raw", full=True)
    ),
)
#: The xLSTM's h = sigmoid(o_raw) * ...: its output gate is worked out in the h line.
XLSTM_OUTPUT = (*OUTPUT_LIGHTS, "o", *_way(3))
SLSTM = Gated(
    ("c_prev", "c"),
    ("c_prev", "c"),
    (
        *STABILISED,
        _gate(
            "g",
            f"{CANDIDATE} tanh",
            Line("", "@candidate"),
            Line("raw", "@candidate.pre", full=True),
        ),
        _gate("o", "o   σ", Line("", "@output"), Line("raw", "@output.pre", full=True)),
    ),
    (Line("c / n"),),
    {
        "logf": ("logf",),
        "m": ("m", "logf"),
        "i'": ("i", "m"),
        "f'": ("f", "m", "logf"),
        "z": ("g", "gw", *_way(2)),
        "c_bar": ("g", "gw", *_way(2)),
        "c": MEMORY_LIGHTS,
        "n": ("n",),
        "h": XLSTM_OUTPUT,
    },
    normaliser=True,
    stabiliser=True,
)

MLSTM = Gated(
    ("C_prev", "C"),
    ("C_prev[:,{u}]", "C[:,{u}]"),
    (
        *STABILISED,
        _gate("g", "k v^T", Line("k", "k", part="k"), Line("v", "v", part="v")),
        _gate("o", "o   σ", Line("", "@output"), Line("raw", "@output.pre", full=True)),
    ),
    (Line("qs@C / den"), Line("h~", "h_tilde")),
    {
        "q": ("q", *_way(3)),  # q reads x (its line is the whole of x)
        "k": ("k", *_way(2)),
        "v": ("v", *_way(2)),
        "m": ("m", "logf"),
        "i'": ("i", "m"),
        "f'": ("f", "m", "logf"),
        "C": (*MEMORY_LIGHTS, "g", "k", "v"),
        "n": ("n",),
        "den": ("den", "n", "m"),
        "h~": ("h", "q", "den"),
        "h": XLSTM_OUTPUT,
    },
    normaliser=True,
    stabiliser=True,
    labels=(
        Label(2, ADD + 3, "qs=q/sqrt({H})", "q", "qs", OUT - ADD - 18, whole=True),
        Label(4, 32, "i'·k", "n"),
        Label(7, NOTES - 4, "den", "den", "den"),
        Label(8, NOTES - 3, "qC", "q", "qC"),
        Label(9, NOTES - 6, "qs·n", "den", "qn", SLOT),  # den = max(|qs·n|, exp(-m)) + eps
    ),
    recurrent=False,
    memory_width=VECTOR,
    products=False,
)

#: Every kind's layout: a gated cell's table, or the RNN's own drawing.
LAYOUTS: dict[str, Gated | Callable[[bool], Canvas]] = {
    "lstm": LSTM,
    "peephole": PEEPHOLE,
    "slstm": SLSTM,
    "mlstm": MLSTM,
    "rnn": draw_rnn,
}
RNN_LIGHTS: dict[str, tuple[str, ...]] = {"h": ("h", *_way(0))}


# -- values ---------------------------------------------------------------------------


def field_of(cell: Cell, key: str) -> str:
    """The record field a slot shows: its own name, or a gate's ("@candidate": the
    candidate's value, "@candidate.pre": its pre-activation) from ``cell.gates``."""
    if not key.startswith("@"):
        return key
    name, _, what = key[1:].partition(".")
    gate = next(g for g in cell.gates if g.name == name)
    return gate.pre if what == "pre" else gate.symbol


def pick(array: object, unit: int) -> float:
    """The selected unit's element; a scalar's only value."""
    flat = np.ravel(np.asarray(array, dtype=np.float64))
    return float(flat[unit] if flat.size > 1 else flat[0])


def value_text(value: float, width: int = SLOT) -> str:
    """A value as the diagram writes it: ``numbers.number`` where it fits in ``width``."""
    return fit(value, width)


def vector_text(values: np.ndarray, width: int) -> str:
    """A whole vector in ``width`` characters: with 4 decimals (``numbers.number``), then
    with fewer; else its first elements and how many there are, ``[0.0212, … of 8]``,
    never a number cut short."""
    for write in (number, lambda v: fit(v, 6), lambda v: fit(v, 5)):
        texts = [write(v) for v in values]
        text = "[" + ", ".join(texts) + "]"
        if len(text) <= width:
            return text
    count = len(values)
    for k in range(count - 1, 0, -1):
        text = "[" + ", ".join(texts[:k]) + f", … of {count}]"
        if len(text) <= width:
            return text
    return f"[… of {count}]"


def inputs_text(x: object, width: int = WIDTH) -> str:
    """The input x as typed (``numbers.short``): every element where they fit in
    ``width``, else the first ones, ``…`` and which they are (``x[0..9] of 20``)."""
    values = [short(v) for v in np.ravel(np.asarray(x, dtype=np.float64))]
    text = ", ".join(values)
    for k in range(len(values) - 1, 0, -1):
        if len(text) <= width:
            break
        text = ", ".join(values[:k]) + f", … (x[0..{k - 1}] of {len(values)})"
    return text


def _array(cell: Cell, record: Record | None, name: str) -> np.ndarray | None:
    """A field's values; at t = 0 a state's initial ones (zero), and None for the rest."""
    if record is not None:
        return np.asarray(getattr(record, name), dtype=np.float64)
    state = name.removesuffix("_prev")
    if state in {s.name for s in cell.states}:
        return np.asarray(cell.initial_state()[state], dtype=np.float64)
    return None


def _value(cell: Cell, record: Record | None, slot: Slot, unit: int) -> str:
    """A slot's text: the unit's element of its field; a whole vector (x, qs); the unit's
    column of a matrix (the mLSTM's C, which unit u reads in h~ = qs @ C / den); or a
    product of fields ("@forget*c_prev": the one product the diagram works out, as the
    equations do, so that c's two terms are on its wires)."""
    factors = [_array(cell, record, field_of(cell, key)) for key in slot.key.split("*")]
    if any(values is None for values in factors):
        return BLANK
    if len(factors) > 1:
        return value_text(float(np.prod([pick(v, unit) for v in factors])), slot.width)
    values = factors[0]
    assert values is not None  # checked above
    if slot.key == "x":
        return inputs_text(values, slot.width)
    if values.ndim == 2:
        return vector_text(values[:, unit], slot.width)
    if slot.whole:
        return vector_text(np.ravel(values), slot.width)
    return value_text(pick(values, unit), slot.width)


# -- the diagram --------------------------------------------------------------------------


def lights(cell: Cell) -> dict[str, tuple[str, ...]]:
    """Which parts each equation's symbol lights, for this kind."""
    layout = LAYOUTS[cell.kind]
    return layout.lights if isinstance(layout, Gated) else RNN_LIGHTS


def title(cell: Cell, unit: int) -> str:
    if cell.hidden_size == 1:
        return f"{cell.title} cell"
    return f"{cell.title} cell · unit {unit} of {cell.hidden_size} (↓/↑ select)"


def diagram(
    cell: Cell,
    record: Record | None,
    unit: int,
    symbol: str,
    compact: bool = False,
    colour: bool = True,
) -> Diagram:
    """The diagram of ``cell`` for ``record`` (None at t = 0) and ``unit``, with the part of
    the equation ``symbol`` lit (none for a symbol the kind does not draw)."""
    layout = LAYOUTS[cell.kind]
    shown = {g.name: g.shown for g in cell.gates}
    names: dict[str, object] = {
        "u": unit,
        "H": cell.hidden_size,
        "f": shown.get("forget", ""),
        "i": shown.get("input", ""),
        "g": shown.get("candidate", ""),
    }
    canvas = draw_gated(layout, compact, names) if isinstance(layout, Gated) else layout(compact)
    lit = lights(cell).get(symbol, ())
    styles = STYLES[colour]
    rows = canvas.rows
    spans: list[Span] = []
    for r, row in enumerate(rows):
        for k, part in enumerate(canvas.parts[r]):
            if part in lit:
                row[k] = row[k].translate(HEAVY)
        for k, part in enumerate(canvas.parts[r]):
            if part in lit and (k == 0 or canvas.parts[r][k - 1] not in lit):
                end = k
                while end < len(row) and canvas.parts[r][end] in lit:
                    end += 1
                spans.append(Span(r, k, end, styles["lit"]))
    for r, col, part in canvas.names:
        if part in lit and col >= 0 and rows[r][col] == " ":
            rows[r][col] = MARK
            spans.append(Span(r, col, col + 1, styles["lit"]))
    values = []
    for slot in canvas.slots:
        r, col = slot.row, slot.col
        text = _value(cell, record, slot, unit)
        values.append(("*".join(field_of(cell, key) for key in slot.key.split("*")), text))
        text = text if slot.whole or text.startswith("[") else text.rjust(slot.width)
        rows[r][col : col + len(text)] = list(text)
        style = styles["lit value"] if slot.part in lit else styles["value"]
        if style:  # the number itself, not the slot's padding
            spans.append(Span(r, col + len(text) - len(text.lstrip()), col + len(text), style))
    texts = ["".join(row).rstrip() for row in rows]
    return Diagram(title(cell, unit), tuple(texts), tuple(spans), lit, tuple(values))


__all__ = [
    "Diagram",
    "Span",
    "diagram",
    "field_of",
    "inputs_text",
    "lights",
    "pick",
    "title",
    "value_text",
    "vector_text",
]
