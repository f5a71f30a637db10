"""The live cell diagram: a cell drawn in box-drawing characters, with the numbers of one
step for one unit on its wires and in its gates, and the part that belongs to the
equation being read lit.

The picture is the one of "Understanding LSTM Networks" (colah, 2015): the memory runs
along the top (c_prev → × f → + i·c_bar → c), a branch of it goes through tanh and × o
out as h, and [h_prev, x] comes in at the bottom and feeds the gates, drawn as boxes in a
row. The other kinds add to that picture (the peephole LSTM's wires from the memory into
its gates; the sLSTM's normaliser line n and stabiliser m, and the paper's gates beside
the stabilised ones; the mLSTM's matrix memory C, its key-value product and the
quotient h~ = C q / den) or replace it (the tanh RNN's one box). Where everything goes is
a table per kind (``LAYOUTS``): that is the point of a diagram. The numbers come from the
record's fields and the cell's declarations (``Cell.gates``, ``Cell.states``), never
recomputed: the drawing only picks the selected unit's element of each field.

The part of the equation being read (a symbol of ``lstm_engine.equations.symbols``) is
lit: its box, wires and values drawn with heavy lines (┏━┓) and a ▶ before its name, so
that it shows without colour too; with colour it is also coloured. Pure: no Textual.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .cells.base import Cell, Record
from .numbers import fit, short

#: Width of a value on the diagram ("-0.4827"): ``numbers.fit``, which is ``number`` with
#: its 4 decimals wherever that fits, and fewer digits for wider numbers.
SLOT = 7
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


# -- drawing --------------------------------------------------------------------------


@dataclass
class Canvas:
    """A grid of characters, each with the part it belongs to; value slots and the names
    a lit part's marker goes before are kept aside until the values are known."""

    rows: list[list[str]] = field(default_factory=list)
    parts: list[list[str]] = field(default_factory=list)
    slots: list[tuple[int, int, str, str]] = field(default_factory=list)  #: row, col, key, part
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

    def slot(self, row: int, col: int, key: str, part: str) -> None:
        self.put(row, col, " " * SLOT, part)
        self.slots.append((row, col, key, part))

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

    def label(self, label: Label) -> None:
        self.name(label.row, label.col, label.text, label.part)
        if label.key:
            self.slot(label.row, label.col + len(label.text) + 1, label.key, label.part)


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


def draw_gated(layout: Gated, compact: bool, candidate: str, unit: int) -> Canvas:
    """The memory line on top, the right-hand box and h, the four gate boxes, [h_prev, x]."""
    c = Canvas()
    centres = [left + BOX_WIDTH // 2 for left in BOX_LEFTS]
    forget, give, take, output = centres
    # The memory line: row 1, × f, + (i × candidate), the branch down to the right-hand box.
    before, after = (label.format(u=unit) for label in layout.memory_labels)
    c.name(0, 1, before, "c")
    c.slot(0, 2 + len(before), layout.memory[0], "c")
    c.name(0, WIDTH - 2 - SLOT - len(after), after, "c")
    c.slot(0, WIDTH - SLOT, layout.memory[1], "c")
    c.put(1, forget - 1, "(×)", "c")
    c.put(1, ADD - 1, "(+)", "c")
    c.put(1, OUT, "┬", "h")
    c.put(1, WIDTH - 1, "▶", "c")
    c.hline(1, 0, WIDTH - 2, "c")
    c.put(2, ADD, "▲", "c")
    c.put(3, ADD - 1, "(×)", "c")
    # The input gate and the candidate meet at the × below the +.
    c.put(3, give, "┌", "i")
    c.hline(3, give + 1, ADD - 3, "i")
    c.put(3, ADD - 2, "▶", "i")
    c.put(3, ADD + 2, "◀", "g")
    c.hline(3, ADD + 3, take - 1, "g")
    c.put(3, take, "┐", "g")
    c.put(2, forget, "▲", "f")
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
    c.put(times, output, "┌", "o")
    c.hline(times, output + 1, OUT - 3, "o")
    c.put(times, OUT - 2, "▶", "o")
    # The gate boxes, their wires up to the memory line, the inputs under them.
    top = times + 1
    shown = [[line for line in box.lines if not (compact and line.full)] for box in layout.boxes]
    height = max(len(lines) for lines in shown)
    for left, centre, box, lines in zip(BOX_LEFTS, centres, layout.boxes, shown, strict=True):
        bottom = c.box(top, left, BOX_WIDTH, height + 1, box.part)
        _box_lines(c, top, left, box, lines, candidate)
        c.put(top, centre, "┴", box.part)
        c.put(bottom, centre, "┬", box.part)
    for centre, box in zip(centres, layout.boxes, strict=True):
        end = times + 1 if centre == output else 4 if centre in (give, take) else 3
        c.vline(centre, end, top - 1, box.part)
    if layout.normaliser:
        _normaliser(c, forget, give)
    if layout.peepholes:
        _peepholes(c, forget, give, output, top)
    bus = bottom + 1
    _inputs(c, bus, centres[0], centres[-1], layout.recurrent)
    if layout.stabiliser:
        row = bus + 2
        c.label(Label(row, 1, "m_prev", "m", "m_prev"))
        c.put(row, 16, "─▶", "logf")
        c.label(Label(row, 20, "logf", "logf", "logf"))
        c.put(row, 33, "─▶ max ─▶", "m")
        c.label(Label(row, 44, "m", "m", "m"))
    for label in layout.labels:
        c.label(label)
    return c


def _inputs(c: Canvas, bus: int, first: int, last: int, recurrent: bool) -> None:
    """The line of what the boxes read, [h_prev, x] (x only: the mLSTM), from below; its
    values on the row under it."""
    c.name(bus, 1, "[h_prev, x]" if recurrent else "x", "in")
    c.hline(bus, 13 if recurrent else 3, last, "in")
    for col in range(first, last, BOX_LEFTS[1] - BOX_LEFTS[0]):
        c.put(bus, col, "┴", "in")
    c.put(bus, last, "┘", "in")
    col = 1
    if recurrent:
        c.label(Label(bus + 1, 1, "h_prev", "in", "h_prev"))
        col = 17
    c.name(bus + 1, col, "x", "in")
    c.slots.append((bus + 1, col + 2, "x", "in"))


def _normaliser(c: Canvas, forget: int, give: int) -> None:
    """The n line: n_prev × f' + i' (the mLSTM's i'·k), into the right-hand box."""
    c.label(Label(4, 1, "n_prev", "n", "n_prev"))
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
    _inputs(c, bottom + 1, centre, centre, recurrent=True)
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
LSTM_LIGHTS = {
    "f": ("f", "in"),
    "i": ("i", "in"),
    "c_bar": ("g", "in"),
    "c": ("c",),
    "o": ("o", "in"),
    "h": ("h",),
}
LSTM = Gated(
    ("c_prev", "c"), ("c_prev", "c"), LSTM_BOXES, (Line("tanh"), Line("", "tanh_c")), LSTM_LIGHTS
)


def _peeking(box: Box) -> Box:
    letter = box.part
    return Box(box.part, box.name, (*box.lines, Line("p·c", f"pc_{letter}")))


PEEPHOLE = Gated(
    LSTM.memory,
    LSTM.memory_labels,
    (_peeking(LSTM_BOXES[0]), _peeking(LSTM_BOXES[1]), LSTM_BOXES[2], _peeking(LSTM_BOXES[3])),
    LSTM.out,
    {**LSTM_LIGHTS, "f": ("f", "in", "pf"), "i": ("i", "in", "pi"), "o": ("o", "in", "po")},
    peepholes=True,
)

#: The xLSTM's stabilised gates, with the paper's gates (σ, exp) beside them.
STABILISED = (
    _gate("f", "f'  exp", Line("", "@forget"), Line("σ", "sig_f"), Line("raw", "f_raw", full=True)),
    _gate(
        "i", "i'  exp", Line("", "@input"), Line("exp", "exp_i"), Line("raw", "i_raw", full=True)
    ),
)
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
        "z": ("g", "in"),
        "c_bar": ("g", "in"),
        "c": ("c",),
        "n": ("n",),
        "h": ("h", "o", "in"),
    },
    normaliser=True,
    stabiliser=True,
)

MLSTM = Gated(
    ("C_prev", "C"),
    ("C_prev[{u},{u}]", "C[{u},{u}]"),
    (
        *STABILISED,
        _gate("g", "k v^T", Line("k", "k", part="k"), Line("v", "v", part="v")),
        _gate("o", "o   σ", Line("", "@output"), Line("raw", "@output.pre", full=True)),
    ),
    (Line("C q/den"), Line("q", "q", part="q"), Line("h~", "h_tilde")),
    {
        "q": ("q", "in"),
        "k": ("k", "in"),
        "v": ("v", "in"),
        "m": ("m", "logf"),
        "i'": ("i", "m"),
        "f'": ("f", "m", "logf"),
        "C": ("c", "g", "k", "v"),
        "n": ("n",),
        "den": ("den", "n", "m"),
        "h~": ("h", "q", "den"),
        "h": ("h", "o"),
    },
    normaliser=True,
    stabiliser=True,
    labels=(
        Label(4, 32, "i'·k", "n"),
        Label(7, NOTES - 4, "den", "den", "den"),
        Label(8, NOTES - 3, "qC", "q", "qC"),
    ),
    recurrent=False,
)

#: Every kind's layout: a gated cell's table, or the RNN's own drawing.
LAYOUTS: dict[str, Gated | Callable[[bool], Canvas]] = {
    "lstm": LSTM,
    "peephole": PEEPHOLE,
    "slstm": SLSTM,
    "mlstm": MLSTM,
    "rnn": draw_rnn,
}
RNN_LIGHTS: dict[str, tuple[str, ...]] = {"h": ("h", "in")}


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
    """The selected unit's element: a matrix's diagonal entry, a scalar's only value."""
    values = np.asarray(array, dtype=np.float64)
    if values.ndim == 2:
        return float(values[unit, unit])
    flat = np.ravel(values)
    return float(flat[unit] if flat.size > 1 else flat[0])


def value_text(value: float) -> str:
    """A value as the diagram writes it: ``numbers.number`` where it fits in ``SLOT``."""
    return fit(value, SLOT)


def inputs_text(x: object) -> str:
    """The input x, every element (the gates read all of it)."""
    return ", ".join(short(v) for v in np.ravel(np.asarray(x, dtype=np.float64)))


def _value(cell: Cell, record: Record | None, key: str, unit: int) -> str:
    name = field_of(cell, key)
    if record is None:  # t = 0: the states are zero, nothing else exists yet
        state = name.removesuffix("_prev")
        if state in {s.name for s in cell.states}:
            return value_text(pick(cell.initial_state()[state], unit))
        return BLANK
    if name == "x":
        return inputs_text(record.x)
    return value_text(pick(getattr(record, name), unit))


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
    candidate = next((g.shown for g in cell.gates if g.name == "candidate"), "")
    canvas = (
        draw_gated(layout, compact, candidate, unit)
        if isinstance(layout, Gated)
        else layout(compact)
    )
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
    for r, col, key, part in canvas.slots:
        text = _value(cell, record, key, unit)
        values.append((field_of(cell, key), text))
        text = text[: WIDTH - col] if key == "x" else text.rjust(SLOT)
        rows[r][col : col + len(text)] = list(text)
        style = styles["lit value"] if part in lit else styles["value"]
        if style:  # the number itself, not the slot's padding
            spans.append(Span(r, col + len(text) - len(text.lstrip()), col + len(text), style))
    texts = ["".join(row).rstrip() for row in rows]
    return Diagram(title(cell, unit), tuple(texts), tuple(spans), lit, tuple(values))


__all__ = ["Diagram", "Span", "diagram", "field_of", "lights", "pick", "title", "value_text"]
