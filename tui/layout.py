"""Where the panels go, for a cell and a terminal size: a pure function of rows and columns.

The stepping screens ask ``plan_main`` / ``plan_compare`` on every resize and whenever
the cell changes, and apply the answer (CSS classes, which copy of a panel shows, how
many units a gate box shows). The rules, in order, so that every panel keeps its rows:

1. Everything in the left column beside the plot, if it fits.
2. Else the matrix (the mLSTM's C) moves above the plot, on the right, showing as many
   rows (around the selected unit's) as leave the plot PLOT_ROWS.
3. Else the states move there too (they always show whole), if that leaves the plot
   PLOT_ROWS.
4. Else the gate boxes scroll: each shows a window of units around the selected one,
   beside the states.

Compact sizes (narrower than 100 or lower than 32 rows) drop the panel borders but a
title line; below 32 rows the equations panel shows a window of its lines (the step's
data and the equations around the one being read); below 20 rows the states and
equations give way (nothing crashes down to 20x6).
"""

from __future__ import annotations

from dataclasses import dataclass

from lstm_engine import Cell

from .widgets.equations import COMPACT_HEIGHT, equation_rows
from .widgets.gates import gate_rows
from .widgets.matrix import matrix_state
from .widgets.states import state_rows

#: Rows of the header, the x strip and the footer.
CHROME = 3
#: The fewest rows the plot keeps when panels move above it, and the rows compare mode
#: keeps for its plot below the two cells.
PLOT_ROWS = 7
#: Width of the left column: compact, and with borders.
LEFT_COMPACT, LEFT_WIDE = 44, 58


@dataclass(frozen=True)
class Plan:
    compact: bool
    tiny: bool
    left_width: int
    states_right: bool  #: the states panel sits above the plot
    matrix_right: bool  #: the matrix panel sits above the plot
    gate_cap: int | None  #: units a gate box shows (None: all)
    show_matrix: bool = True  #: compare mode: the matrices, where there is room
    matrix_cap: int | None = None  #: rows the matrix shows (None: all)
    gate_columns: int | None = None  #: gate boxes side by side (None: the widget's default)


def is_compact(width: int, height: int) -> bool:
    return width < 100 or height < COMPACT_HEIGHT


def plan_main(cell: Cell, width: int, height: int) -> Plan:
    compact = is_compact(width, height)
    tiny = height < 20
    border = 1 if compact else 2
    left = LEFT_COMPACT if compact else LEFT_WIDE
    inner = left - (0 if compact else 4)  # borders and padding
    equations = 0 if tiny else equation_rows(cell, height) + border
    rows = max(height - CHROME - equations, 1)
    gates = gate_rows(cell.gates, cell.hidden_size, border)
    states = 0 if tiny else state_rows(cell, inner) + (0 if compact else 2)
    matrix = cell.hidden_size + 1 + border if matrix_state(cell) else 0

    def fits(*parts: int) -> bool:
        return sum(parts) <= rows

    shown_matrix = 2 + 1 + border if matrix else 0  # the least of it: two rows

    def matrix_cap(*beside: int) -> int | None:
        """Rows of the matrix above the plot, leaving the plot PLOT_ROWS."""
        room = rows - sum(beside) - PLOT_ROWS - 1 - border
        return None if room >= cell.hidden_size else max(room, 2)

    if fits(gates, states, matrix):
        return Plan(compact, tiny, left, False, False, None)
    if fits(gates, states):
        return Plan(compact, tiny, left, False, True, None, matrix_cap=matrix_cap())
    if fits(gates) and fits(states, shown_matrix, PLOT_ROWS):
        return Plan(compact, tiny, left, True, True, None, matrix_cap=matrix_cap(states))
    # The gate boxes scroll: beside the states if a box can show a unit or more, else
    # with the states above the plot.
    cap = _largest_cap(cell, border, rows - states)
    if fits(gate_rows(cell.gates, cell.hidden_size, border, cap), states):
        return Plan(compact, tiny, left, False, True, cap, matrix_cap=matrix_cap())
    cap = _largest_cap(cell, border, rows)
    return Plan(compact, tiny, left, True, True, cap, matrix_cap=matrix_cap(states))


def plan_compare(cells: tuple[Cell, ...], width: int, height: int) -> Plan:
    """Both cells' gates and states side by side above the shared plot: the gate boxes
    two by two where one above the other does not fit, then scrolling; the matrices only
    where there is room (the main screen shows them)."""
    compact = is_compact(width, height)
    border = 1 if compact else 2
    inner = width // 2 - (0 if compact else 4)
    rows = max(height - CHROME - PLOT_ROWS, 1)
    states = max(state_rows(c, inner) for c in cells) + (0 if compact else 2)
    matrix = max((c.hidden_size + 1 + border if matrix_state(c) else 0) for c in cells)

    def gates(columns: int | None, cap: int | None = None) -> int:
        return max(gate_rows(c.gates, c.hidden_size, border, cap, columns) for c in cells)

    for columns in (None, 2):
        if gates(columns) + states + matrix <= rows:
            return Plan(compact, False, width // 2, False, False, None, gate_columns=columns)
        if gates(columns) + states <= rows:
            return Plan(compact, False, width // 2, False, False, None, False, None, columns)
    caps = [_largest_cap(c, border, rows - states, 2) or c.hidden_size for c in cells]
    return Plan(compact, False, width // 2, False, False, min(caps), False, None, 2)


def _largest_cap(cell: Cell, border: int, budget: int, columns: int | None = None) -> int | None:
    """The most units per gate box whose panel fits in ``budget`` rows (at least 1)."""
    for cap in range(cell.hidden_size, 0, -1):
        if gate_rows(cell.gates, cell.hidden_size, border, cap, columns) <= budget:
            return None if cap == cell.hidden_size else cap
    return 1
