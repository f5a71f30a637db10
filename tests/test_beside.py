"""``lstm-stepper --weights FILE --task NAME --beside OTHER``: the gradient view's companion
is a model trained on the same task (an RNN beside an LSTM, an LSTM beside an RNN), and
what does not fit is refused in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from lstm_engine.cli import UsageError
from lstm_engine.files import save_model
from lstm_engine.training import TrainConfig, initial_model
from tui.app import make_app


def model_file(tmp_path: Path, task: str, cell: str, hidden_size: int = 3) -> str:
    """A model with a readout as training starts it (its weights need not be good here)."""
    path = tmp_path / f"{task}-{cell}-{hidden_size}.npz"
    save_model(initial_model(TrainConfig(task, cell, hidden_size, 12, seed=1, updates=1)), path)
    return str(path)


@pytest.mark.parametrize(("cell", "beside"), [("lstm", "rnn"), ("rnn", "lstm")])
def test_the_gradient_view_draws_the_model_given_beside(
    tmp_path: Path, cell: str, beside: str
) -> None:
    main, other = model_file(tmp_path, "adding", cell), model_file(tmp_path, "adding", beside)
    app = make_app(["--weights", main, "--task", "adding", "--length", "12", "--beside", other])
    frame = app.stepper.flow_job().run()
    titles = [flow.title for flow in frame.flows]
    assert titles[1].endswith("trained on adding") and not frame.flows[1].seeded
    assert titles[1].startswith({"rnn": "RNN", "lstm": "LSTM"}[beside])
    without = make_app(["--weights", main, "--task", "adding", "--length", "12"])
    assert "untrained" in without.stepper.flow_job().run().flows[1].title


@pytest.mark.parametrize(
    ("other", "message"),
    [
        (("adding", "lstm", 3), "holds LSTM weights; the gradient view draws the RNN"),
        (("adding", "rnn", 4), "has I=2 H=4; the cell has I=2 H=3"),
        (("remember", "rnn", 3), r"readout gives 2 output\(s\), the cell.s 1"),
    ],
)
def test_a_model_that_does_not_fit_beside_is_refused(
    tmp_path: Path, other: tuple[str, str, int], message: str
) -> None:
    main = model_file(tmp_path, "adding", "lstm")
    with pytest.raises(UsageError, match=message):
        make_app(["--weights", main, "--task", "adding", "--beside", model_file(tmp_path, *other)])


def test_beside_goes_with_a_task(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--beside goes with --task"):
        make_app(["--beside", model_file(tmp_path, "adding", "rnn")])
