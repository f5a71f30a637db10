"""What every kind of cell owes: its reference traces, exact weight files, seeded init.

Each cell's own test module checks what is particular to it (the original's numbers,
the stabiliser, the peepholes); these checks run over every registered kind.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import lstm_engine
from lstm_engine import CELLS

from reference import assert_round_trip, assert_seeded_init, cases, check_reference_case, weights

#: How close each kind must come to its references (the LSTM's are PyTorch's own cell).
TOLERANCE = {"lstm": 1e-12, "peephole": 1e-10, "slstm": 1e-10, "mlstm": 1e-10}


def test_every_kind_has_reference_cases_and_a_tolerance() -> None:
    assert set(TOLERANCE) == set(CELLS)
    for kind in CELLS:
        assert cases(kind), kind


@pytest.mark.parametrize(("kind", "name"), [(kind, name) for kind in CELLS for name in cases(kind)])
def test_reference_trace(kind: str, name: str) -> None:
    check_reference_case(name, CELLS[kind], TOLERANCE[kind])


@pytest.mark.parametrize(("kind", "name"), [(kind, name) for kind in CELLS for name in cases(kind)])
def test_reference_weights_round_trip(kind: str, name: str, tmp_path: Path) -> None:
    assert_round_trip(lstm_engine.load(weights(name)), tmp_path / "w.npz")


@pytest.mark.parametrize("kind", list(CELLS))
def test_seeded_weights_round_trip(kind: str, tmp_path: Path) -> None:
    assert_round_trip(CELLS[kind].init(3, 4, 11), tmp_path / "w.npz")


@pytest.mark.parametrize("kind", list(CELLS))
def test_seeded_init_is_deterministic(kind: str) -> None:
    assert_seeded_init(CELLS[kind])
