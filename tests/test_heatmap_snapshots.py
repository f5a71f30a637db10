"""What the heat map (m) looks like (pytest-textual-snapshot): at 120x40 and 80x24, a gate
zoomed out with a range selected, a seeded gate read from the middle of its range, H = 32
(the rows scroll round the selected unit), the mLSTM's shared gate, and without colour.

Update the saved SVGs after a deliberate change of the look with
``pytest tests/test_heatmap_snapshots.py --snapshot-update`` and look at them.
"""

from __future__ import annotations

import numpy as np
import pytest

from tui_helpers import make_app

SIZES = [(120, 40), (80, 24)]
INPUTS = "1;-2;0.5;3;1;0;-1;2;4;-3;0;0;1;2;-1"


@pytest.mark.parametrize("size", SIZES)
def test_h_with_a_range_matched(snap_compare, size: tuple[int, int]) -> None:
    app = make_app("--hidden-size", "4", "--inputs", INPUTS)
    presses = ["m", *["space"] * 6, "down", "v", "shift+right", "shift+right"]
    presses += ["less_than_sign"] * 3  # c > 0.0 over steps 6-8
    assert snap_compare(app, press=presses, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_a_gate_zoomed_out(snap_compare, size: tuple[int, int]) -> None:
    inputs = ";".join(["0.1"] * 200 + ["-6"] + ["0.1"] * 199)
    app = make_app("--hidden-size", "8", "--inputs", inputs)
    assert snap_compare(app, press=["m", "end", "v", "v", "z"], terminal_size=size)


def test_a_seeded_gate_from_the_middle_of_its_range(snap_compare) -> None:
    """The seeded weights keep f within a few hundredths of 0.5: the units still differ."""
    inputs = ";".join(f"{np.sin(t / 3):.4f}" for t in range(50))
    app = make_app("--cell", "peephole", "--hidden-size", "4", "--inputs", inputs)
    assert snap_compare(app, press=["m", "end", "v", "v"], terminal_size=(120, 40))


def test_many_units_scroll_round_the_selected_one(snap_compare) -> None:
    app = make_app("--hidden-size", "32", "--inputs", INPUTS)
    presses = ["m", "end", *["up"] * 3]
    assert snap_compare(app, press=presses, terminal_size=(80, 24))


def test_mlstm_shared_gate(snap_compare) -> None:
    app = make_app("--cell", "mlstm", "--hidden-size", "4", "--inputs", INPUTS)
    assert snap_compare(app, press=["m", "end", "v"], terminal_size=(80, 24))


def test_at_t_0(snap_compare) -> None:
    assert snap_compare(make_app(), press=["m"], terminal_size=(80, 24))


def test_without_colour(snap_compare, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app("--cell", "slstm", "--hidden-size", "4", "--inputs", INPUTS)
    assert snap_compare(app, press=["m", "end", "v"], terminal_size=(80, 24))
