"""Every weight of a cell, one row each, drawn only where it shows.

At H = 128 an LSTM has 67,000 weights; a DataTable makes a row object for each (seconds
to open, and again after every edit). This table makes nothing per row: a row's text is
built when the row is on screen, from the cell's arrays and ``describe``.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping, Sequence
from typing import overload

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from lstm_engine import Cell
from lstm_engine.cells.weights import describe
from lstm_engine.numbers import number
from lstm_engine.readout import WEIGHT as READOUT_WEIGHT
from lstm_engine.readout import Readout

VALUE_WIDTH = 10


class Entries(Sequence[tuple[str, tuple[int, ...]]]):
    """``(key, index)`` of every weight, in the order of ``params``, computed on demand."""

    def __init__(self, params: Mapping[str, np.ndarray]) -> None:
        self._keys = list(params)
        self._shapes = [params[k].shape for k in self._keys]
        sizes = [int(np.prod(shape)) for shape in self._shapes]
        self._starts = list(np.cumsum([0, *sizes]))

    def __len__(self) -> int:
        return int(self._starts[-1])

    @overload
    def __getitem__(self, row: int) -> tuple[str, tuple[int, ...]]: ...
    @overload
    def __getitem__(self, row: slice) -> list[tuple[str, tuple[int, ...]]]: ...
    def __getitem__(
        self, row: int | slice
    ) -> tuple[str, tuple[int, ...]] | list[tuple[str, tuple[int, ...]]]:
        if isinstance(row, slice):
            return [self[k] for k in range(*row.indices(len(self)))]
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(row)
        block = bisect.bisect_right(self._starts, row) - 1
        shape = self._shapes[block]
        index = np.unravel_index(row - self._starts[block], shape) if shape else ()
        return self._keys[block], tuple(int(i) for i in index)

    def __iter__(self) -> Iterator[tuple[str, tuple[int, ...]]]:
        for key, shape in zip(self._keys, self._shapes, strict=True):
            for index in np.ndindex(shape):
                yield key, tuple(int(i) for i in index)


class WeightTable(ScrollView, can_focus=True):
    """The weights of a cell, a cursor row, enter (or a click) to change one."""

    DEFAULT_CSS = """
    WeightTable { overflow-x: hidden; scrollbar-size-vertical: 1; }
    """

    BINDINGS = [
        Binding("up", "cursor(-1)", show=False),
        Binding("down", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "jump(0)", show=False),
        Binding("end", "jump(-1)", show=False),
        Binding("enter", "select", show=False),
    ]

    class Selected(Message):
        """Enter or a click on a row: change this weight."""

        def __init__(self, row: int) -> None:
            super().__init__()
            self.row = row

    def __init__(
        self, cell: Cell, readout: Readout | None = None, *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.cursor_row = 0
        self.set_cell(cell, readout)

    # -- what it holds -------------------------------------------------------------------
    def set_cell(self, cell: Cell, readout: Readout | None = None) -> None:
        """Show another cell's weights (or the same cell edited), then its trained
        readout's, if it has one (read-only: ``is_readout``); the cursor stays put."""
        self.cell = cell
        self.shown = dict(cell.params)
        if readout is not None:
            self.shown.update(readout.params)
        self.entries = Entries(self.shown)
        self._name_width = max(
            [len("weight")]
            + [
                len(key) + 2 + sum(len(str(n - 1)) + 1 for n in a.shape)
                for key, a in self.shown.items()
            ]
        )
        self.cursor_row = min(self.cursor_row, max(len(self.entries) - 1, 0))
        self.virtual_size = Size(0, len(self.entries) + 1)
        self.refresh()

    @property
    def row_count(self) -> int:
        return len(self.entries)

    def is_readout(self, row: int) -> bool:
        """The row is one of the readout's (shown, not changed here)."""
        return self.entries[row][0] not in self.cell.params

    def get_row_at(self, row: int) -> tuple[str, str, str]:
        """The row's three columns: the weight, its value, what it is."""
        key, index = self.entries[row]
        value = f"{number(float(self.shown[key][index])):>{VALUE_WIDTH}}"
        if self.is_readout(row):
            name = f"{key}[{','.join(map(str, index))}]"
            on = f"'s weight on h[{index[1]}]" if key == READOUT_WEIGHT else "'s bias"
            return name, value, f"readout: output y[{index[0]}]{on} (read-only)"
        name, role = describe(self.cell, key, index)
        return name, value, role

    # -- moving --------------------------------------------------------------------------
    def move_cursor(self, row: int) -> None:
        if not self.entries:
            return
        self.cursor_row = min(max(row, 0), len(self.entries) - 1)
        top, rows = int(self.scroll_offset.y), max(self.size.height - 1, 1)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False)
        elif self.cursor_row >= top + rows:
            self.scroll_to(y=self.cursor_row - rows + 1, animate=False)
        self.refresh()

    def action_cursor(self, by: int) -> None:
        self.move_cursor(self.cursor_row + by)

    def action_page(self, by: int) -> None:
        self.move_cursor(self.cursor_row + by * max(self.size.height - 2, 1))

    def action_jump(self, row: int) -> None:
        self.move_cursor(row if row >= 0 else len(self.entries) - 1)

    def action_select(self) -> None:
        if self.entries:
            self.post_message(self.Selected(self.cursor_row))

    def on_click(self, event: events.Click) -> None:
        row = int(self.scroll_offset.y) + event.y - 1
        if 0 <= row < len(self.entries) and event.y >= 1:
            self.move_cursor(row)
            self.post_message(self.Selected(row))

    def on_resize(self) -> None:
        self.virtual_size = Size(0, len(self.entries) + 1)

    # -- drawing ---------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:  # the column titles stay on top
            text = _columns("weight", "value", "what it is", width, self._name_width)
            return Strip([Segment(text, Style(bold=True))])
        row = int(self.scroll_offset.y) + y - 1
        if row >= len(self.entries):
            return Strip.blank(width)
        name, value, role = self.get_row_at(row)
        text = _columns(name, value, role, width, self._name_width)
        style = Style(reverse=True, bold=self.has_focus) if row == self.cursor_row else Style()
        return Strip([Segment(text, style)])

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


def _columns(name: str, value: str, role: str, width: int, name_width: int) -> str:
    text = f"{name:<{name_width}} {value:>{VALUE_WIDTH}}  {role}"
    return text[:width].ljust(width)
