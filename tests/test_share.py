"""Weight sharing between kinds of cell, for compare mode."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_engine import CELLS
from lstm_engine.share import lstm_parts, with_shared_weights


def test_lstm_to_peephole_shares_every_lstm_weight() -> None:
    lstm = CELLS["lstm"].init(2, 3, 5).with_params(bias_hh=np.arange(12.0))
    peephole, said = with_shared_weights(lstm, "peephole", seed=9)
    for key in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        assert np.array_equal(peephole.params[key], lstm.params[key])
    assert np.array_equal(
        peephole.params["peephole_i"], CELLS["peephole"].init(2, 3, 9).params["peephole_i"]
    )
    assert "weight_ih" in said


def test_with_zero_peepholes_the_peephole_cell_is_the_lstm() -> None:
    lstm = CELLS["lstm"].init(1, 2, 3)
    peephole, _ = with_shared_weights(lstm, "peephole", seed=3)
    peephole = peephole.with_params(
        **{k: np.zeros(2) for k in ("peephole_i", "peephole_f", "peephole_o")}
    )
    a, b = lstm.step([1.5]), peephole.step([1.5])
    assert np.allclose(a.h, b.h, atol=1e-15) and np.allclose(a.c, b.c, atol=1e-15)


def test_lstm_to_slstm_and_back() -> None:
    lstm = CELLS["lstm"].init(2, 3, 1).with_params(bias_ih=np.ones(12), bias_hh=np.full(12, 0.5))
    slstm, said = with_shared_weights(lstm, "slstm", seed=2)
    assert np.array_equal(slstm.params["W"], lstm.params["weight_ih"])
    assert np.array_equal(slstm.params["R"], lstm.params["weight_hh"])
    assert np.array_equal(slstm.params["b"], np.full(12, 1.5))
    back, _ = with_shared_weights(slstm, "lstm", seed=2)
    assert np.array_equal(back.params["bias_ih"], np.full(12, 1.5))
    assert not back.params["bias_hh"].any()
    assert "W, R, b" in said


@pytest.mark.parametrize("kind", ["lstm", "peephole", "slstm"])
def test_mlstm_shares_nothing(kind: str) -> None:
    source = CELLS[kind].init(1, 2, 4)
    target, said = with_shared_weights(source, "mlstm", seed=4)
    assert target == CELLS["mlstm"].init(1, 2, 4)
    assert "nothing shared" in said
    assert lstm_parts(target) is None
