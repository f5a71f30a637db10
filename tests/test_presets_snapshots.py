"""What the preset picker (key o) looks like, at 120x40, at 80x24 and without colour
(pytest-textual-snapshot). What a preset opens is checked in tests/test_presets.py.

Update the saved SVGs after a deliberate change of the look with
``pytest tests/test_presets_snapshots.py --snapshot-update`` and look at them.
"""

from __future__ import annotations

import pytest

from lstm_engine.presets import PRESETS

from tui_helpers import make_app

SIZES = [(120, 40), (80, 24)]


@pytest.mark.parametrize("size", SIZES)
def test_the_picker_on_write_read(snap_compare, size: tuple[int, int]) -> None:
    down = ["down"] * list(PRESETS).index("write-read")
    assert snap_compare(make_app(), press=["o", *down], terminal_size=size)


def test_the_picker_without_colour(snap_compare, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    down = ["down"] * list(PRESETS).index("mlstm")
    assert snap_compare(make_app(), press=["o", *down], terminal_size=(80, 24))
