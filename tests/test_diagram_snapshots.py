"""What the live cell diagram (d) looks like (pytest-textual-snapshot): every cell kind at
120x40 and at 80x24 with H = 4 (the title names the unit), after two steps with the
second equation being read; the LSTM at t = 0; and without colour.

Update the saved SVGs after a deliberate change of the look with
``pytest tests/test_diagram_snapshots.py --snapshot-update`` and look at them.
"""

from __future__ import annotations

import pytest

from tui_helpers import make_app

SIZES = [(120, 40), (80, 24)]
INPUTS = "1;-2;0.5;3"


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("cell", ["lstm", "peephole", "slstm", "mlstm", "rnn"])
def test_diagram_of_each_cell(snap_compare, cell: str, size: tuple[int, int]) -> None:
    app = make_app("--cell", cell, "--hidden-size", "4", "--inputs", INPUTS)
    presses = ["d", "space", "space", "right_square_bracket", "down"]
    assert snap_compare(app, press=presses, terminal_size=size)


def test_diagram_at_the_start(snap_compare) -> None:
    assert snap_compare(make_app(), press=["d"], terminal_size=(80, 24))


def test_diagram_without_colour(snap_compare, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app("--cell", "slstm", "--inputs", INPUTS)
    presses = ["d", "space", "space", "right_square_bracket", "right_square_bracket"]
    assert snap_compare(app, press=presses, terminal_size=(80, 24))
