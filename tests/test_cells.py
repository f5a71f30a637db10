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

#: How close each kind must come to its references (the LSTM's and the RNN's are PyTorch's
#: own cells).
TOLERANCE = {"lstm": 1e-12, "peephole": 1e-10, "slstm": 1e-10, "mlstm": 1e-10, "rnn": 1e-12}


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


@pytest.mark.parametrize("kind", list(CELLS))
def test_the_step_path_takes_a_leading_batch_axis(kind: str) -> None:
    """``preactivate`` and ``pointwise`` on a batch (B, ...) give, for each sequence, the
    record of stepping it alone, as ``cells/base.py`` promises."""
    import numpy as np

    cell = CELLS[kind].init(3, 4, 9)
    rng = np.random.default_rng(2)
    batch = 5
    xs = rng.normal(0, 1, (2, batch, 3))
    state = cell.initial_state(batch)
    alone = [cell.initial_state() for _ in range(batch)]
    for t in range(2):
        pre = cell.preactivate(xs[t], state)
        assert pre.shape == (batch, cell.n_pre)
        record = cell.pointwise(t + 1, xs[t], pre, state)
        for b in range(batch):
            one = cell.step(xs[t, b], alone[b], t + 1)
            for name, value in one.arrays().items():
                np.testing.assert_allclose(getattr(record, name)[b], value, rtol=1e-13, atol=1e-15)
            alone[b] = cell.state_of(one)
        state = cell.state_of(record)
