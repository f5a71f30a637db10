"""Training: the initialisation per kind, the update's gradients against central
differences, determinism, real progress on easy settings for every kind, the loop's
budgets and stop, and the child process the dashboard uses."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pytest

from lstm_engine.cells import CELLS
from lstm_engine.files import load_model
from lstm_engine.readout import loss_and_grad
from lstm_engine.tasks import TASKS
from lstm_engine.training import (
    Model,
    Progress,
    TrainConfig,
    Trainer,
    TrainingError,
    TrainingProcess,
    initial_model,
    train,
    train_step,
)


def test_initial_model_is_seeded_and_uses_pytorch_scale_for_the_lstm() -> None:
    config = TrainConfig("adding", "lstm", hidden_size=4, length=10, seed=3, updates=1)
    model = initial_model(config)
    assert model.cell == initial_model(config).cell
    assert model.readout == initial_model(config).readout
    assert model.cell != initial_model(TrainConfig("adding", seed=4, updates=1)).cell
    w = model.cell.params["weight_hh"]
    assert np.abs(w).max() <= 0.5 and np.abs(w).max() > 0.3  # U(±1/sqrt(4))
    assert np.all(model.cell.params["bias_ih"][4:8] == 1.0)  # the default forget bias
    assert np.all(model.cell.params["bias_hh"][4:8] == 0.0)
    assert model.readout is not None and model.readout.weight.shape == (1, 4)


@pytest.mark.parametrize(
    ("kind", "key", "rows"),
    [
        ("lstm", "bias_ih", slice(3, 6)),
        ("peephole", "bias_ih", slice(3, 6)),
        ("slstm", "b", slice(3, 6)),
        ("mlstm", "b_f", slice(None)),
    ],
)
def test_the_forget_bias_sets_the_forget_rows(kind: str, key: str, rows: slice) -> None:
    config = TrainConfig("remember", kind, hidden_size=3, length=5, forget_bias=2.5, updates=1)
    bias = np.atleast_1d(initial_model(config).cell.params[key])  # the mLSTM's b_f: 0-d
    assert np.all(bias[rows] == 2.5)
    others = np.delete(bias, np.arange(len(bias))[rows])
    assert not np.any(others == 2.5)


def test_bad_configs_are_refused_in_one_line() -> None:
    for config, message in [
        (TrainConfig("remember", "rnn", forget_bias=3.0, updates=1), "no forget gate"),
        (TrainConfig("adding", length=1, updates=1), r"in 2\.\.10,000, not 1"),
        (TrainConfig("sine", length=10_001, updates=1), r"in 2\.\.10,000, not 10,001"),
        (TrainConfig("adding", momentum=0.5, updates=1), "momentum is SGD's; adam has none"),
        (TrainConfig("adding"), "give a budget"),
        (TrainConfig("adding", lr=-1.0, updates=1), "lr must be a positive"),
        (TrainConfig("nope", updates=1), "unknown task"),
        (TrainConfig("adding", "gru", updates=1), "unknown cell"),
        (TrainConfig("adding", optimiser="rmsprop", updates=1), "unknown optimiser"),
        (TrainConfig("adding", forget_bias=1e300, updates=1), "within ±100"),
    ]:
        with pytest.raises(TrainingError, match=message):
            initial_model(config)
    model = initial_model(TrainConfig("adding", "lstm", 4, updates=1))
    with pytest.raises(TrainingError, match="does not fit lstm H=5 on adding"):
        Trainer(TrainConfig("adding", "lstm", 5, updates=1), model)
    with pytest.raises(TrainingError, match="does not fit"):
        Trainer(TrainConfig("remember", "lstm", 4, updates=1), model)


def task_loss(trainer: Trainer, inputs: np.ndarray, targets: np.ndarray) -> float:
    hidden, _ = trainer.model.cell.forward(inputs)
    h = hidden if trainer.task.every_step else hidden[-1]
    p = trainer.params
    return loss_and_grad(
        p["readout.weight"], p["readout.bias"], h, targets, trainer.task.objective
    )[0]


@pytest.mark.parametrize("task", list(TASKS))
@pytest.mark.parametrize("kind", list(CELLS))
def test_an_update_follows_the_gradient_of_the_task_loss(task: str, kind: str) -> None:
    """SGD with lr 1 and no clipping moves every weight by minus its gradient: compared
    with central differences of the whole loss (cell, readout, last or every step)."""
    config = TrainConfig(
        task, kind, 3, 4, seed=1, lr=1.0, optimiser="sgd", momentum=0.0, clip=None, updates=1
    )
    trainer = Trainer(config)
    inputs, targets = trainer.task.batch(np.random.default_rng(9), 3, 4)
    before = {k: v.copy() for k, v in trainer.params.items()}
    loss = train_step(trainer, (inputs, targets))
    moved = {k: before[k] - v for k, v in trainer.params.items()}
    for key, value in before.items():
        trainer.params[key][...] = value
    assert loss == pytest.approx(task_loss(trainer, inputs, targets), rel=1e-12)
    rng = np.random.default_rng(0)
    for key, array in trainer.params.items():
        for index in {tuple(int(rng.integers(n)) for n in array.shape) for _ in range(3)}:
            eps = 1e-6
            array[index] += eps
            up = task_loss(trainer, inputs, targets)
            array[index] -= 2 * eps
            down = task_loss(trainer, inputs, targets)
            array[index] += eps
            numeric = (up - down) / (2 * eps)
            assert moved[key][index] == pytest.approx(numeric, rel=1e-5, abs=1e-9), key


def test_a_run_with_an_update_budget_is_deterministic() -> None:
    config = TrainConfig("sine", hidden_size=4, length=8, seed=2, updates=30)
    first, second = train(config), train(config)
    assert (
        first.model.cell == second.model.cell
        and first.report["best_loss"] == (second.report["best_loss"])
    )


@pytest.mark.parametrize("kind", list(CELLS))
def test_every_kind_learns_to_remember_over_five_steps(kind: str) -> None:
    # measured: 0.0004-0.0022 after 100 updates for every kind and seeds 0-2 (baseline 0.69)
    trainer = Trainer(TrainConfig("remember", kind, 8, 5, seed=0, updates=100))
    start = trainer.evaluate()
    for _ in range(100):
        trainer.step()
    assert start > trainer.baseline * 0.9
    assert trainer.evaluate() < trainer.baseline / 10


def test_the_lstm_learns_the_adding_problem_and_the_sine_on_short_sequences() -> None:
    # measured over seeds 0-5: adding 0.0006-0.0017 (baseline 0.167), sine 0.029-0.033
    # (baseline 0.097)
    result = train(TrainConfig("adding", "lstm", 8, 10, seed=0, updates=800))
    assert result.report["best_loss"] < result.report["baseline_loss"] / 10
    result = train(TrainConfig("sine", "lstm", 8, 20, seed=0, updates=400))
    assert result.report["best_loss"] < result.report["baseline_loss"] / 2


def test_train_reports_and_keeps_the_best_weights() -> None:
    seen: list[Progress] = []
    config = TrainConfig("remember", "lstm", 4, 5, seed=1, updates=250)
    result = train(config, seen.append)
    report = result.report
    assert {
        "task",
        "cell",
        "hidden_size",
        "length",
        "seed",
        "seconds",
        "updates",
        "baseline_loss",
        "final_loss",
        "best_loss",
    } <= set(report)
    assert report["updates"] == 250 and report["stopped"] is False
    assert report["diverged"] is None
    assert report["baseline_loss"] == pytest.approx(math.log(2))
    evaluated = [p for p in seen if p.held_out is not None]
    assert [p.updates for p in evaluated] == [0, 100, 200, 250]
    assert report["best_loss"] == min(p.held_out for p in evaluated)
    assert report["final_loss"] == evaluated[-1].held_out
    assert report["start_loss"] == evaluated[0].held_out
    assert report["history"] == [[p.updates, round(p.seconds, 3), p.held_out] for p in evaluated]
    best = min(evaluated, key=lambda p: p.held_out or math.inf)
    assert report["best_update"] == best.updates
    assert report["objective"] == "xent" and report["forget_bias"] == 1.0
    # the model returned is the one that scored best on the held-out set
    trainer = Trainer(config, result.model)
    assert trainer.evaluate() == pytest.approx(report["best_loss"], rel=1e-12)


def test_time_budget_and_stop() -> None:
    began = time.perf_counter()
    result = train(TrainConfig("adding", "lstm", 4, 10, updates=None, time_limit=0.5))
    assert 0.5 <= time.perf_counter() - began < 5 and result.report["updates"] > 0
    calls = iter(range(1000))
    stopped = train(
        TrainConfig("adding", "lstm", 4, 10, updates=10**6), None, lambda: next(calls) >= 7
    )
    assert stopped.report["updates"] == 7 and stopped.report["stopped"] is True
    assert isinstance(stopped.model, Model)


def wait_for(process: TrainingProcess, seconds: float) -> list[Progress]:
    seen: list[Progress] = []
    deadline = time.monotonic() + seconds
    while not process.done and time.monotonic() < deadline:
        seen += process.poll()
        time.sleep(0.02)
    return seen


def test_training_process_runs_to_the_end(tmp_path: Path) -> None:
    out = tmp_path / "w.npz"
    process = TrainingProcess(TrainConfig("remember", "lstm", 4, 5, updates=150), out)
    seen = wait_for(process, 60)
    assert process.done
    report = process.result()
    assert isinstance(report, dict) and report["updates"] == 150
    assert seen and seen[-1].updates == 150
    model = load_model(out)
    assert model.readout is not None and model.cell.hidden_size == 4
    assert [p.name for p in tmp_path.iterdir()] == ["w.npz"]


def test_training_process_cancel_saves_the_best_so_far(tmp_path: Path) -> None:
    out = tmp_path / "w.npz"
    process = TrainingProcess(TrainConfig("adding", "lstm", 4, 20, time_limit=120.0), out)
    deadline = time.monotonic() + 60
    seen: list[Progress] = []
    while not any(p.updates > 0 for p in seen) and time.monotonic() < deadline:
        seen += process.poll()
        time.sleep(0.02)
    began = time.monotonic()
    process.cancel()
    wait_for(process, 30)
    assert process.done and time.monotonic() - began < 10
    report = process.result()
    assert isinstance(report, dict) and report["stopped"] is True
    assert load_model(out).readout is not None
    assert [p.name for p in tmp_path.iterdir()] == ["w.npz"]
    process.close()  # closing a finished process is harmless


def test_training_process_reports_errors_as_text(tmp_path: Path) -> None:
    process = TrainingProcess(
        TrainConfig("remember", "lstm", 4, 5, updates=10**6), tmp_path / "missing" / "w.npz"
    )
    seen = wait_for(process, 60)
    result = process.result()
    assert result == f"cannot write {tmp_path / 'missing' / 'w.npz'}: the folder " + (
        f"{tmp_path / 'missing'} does not exist"
    )
    assert seen == []  # refused before training
    assert list(tmp_path.iterdir()) == []


def test_closing_a_running_process_ends_it(tmp_path: Path) -> None:
    process = TrainingProcess(
        TrainConfig("adding", "lstm", 4, 20, time_limit=120.0), tmp_path / "w.npz"
    )
    process.close(timeout=30)
    assert process.done and process.poll() == []  # polling a closed process is harmless
    assert not process._process.is_alive() and process._process.exitcode is not None


def test_long_sequences_are_evaluated_in_slices_with_the_same_loss(monkeypatch) -> None:
    import lstm_engine.training as training

    for task in ("adding", "sine"):
        trainer = Trainer(TrainConfig(task, "lstm", 4, 12, seed=1, updates=1))
        whole = trainer.evaluate()
        monkeypatch.setattr(training, "EVAL_FLOATS", 12 * 4 * 100)  # slices of 100 sequences
        assert trainer.evaluate() == pytest.approx(whole, rel=1e-12)
        monkeypatch.undo()


def test_remembering_for_fifty_steps_needs_the_forget_gate_open() -> None:
    """The lesson of "remember": measured over seeds 0-4 after 600 updates, bias 3 gives
    3e-4 to 5e-4, bias 1 stays at 0.692-0.693 (baseline ln 2 = 0.693)."""
    open_gate = train(TrainConfig("remember", "lstm", 8, 50, seed=0, updates=600, forget_bias=3))
    shut_gate = train(TrainConfig("remember", "lstm", 8, 50, seed=0, updates=600, forget_bias=1))
    assert open_gate.report["best_loss"] < 0.01
    assert shut_gate.report["best_loss"] > 0.6


def test_the_forget_bias_used_is_reported_whatever_set_it() -> None:
    def used(kind: str, forget_bias: float | None = None) -> object:
        config = TrainConfig("adding", kind, 4, 5, updates=1, forget_bias=forget_bias)
        return train(config).report["forget_bias"]

    assert used("mlstm") == 3.0 and used("mlstm", -2.0) == -2.0
    assert used("slstm") == pytest.approx(list(np.linspace(3, 6, 4)))
    assert used("peephole", 2.0) == 2.0 and used("rnn") is None


def test_a_run_that_diverges_keeps_its_best_weights_and_says_so_without_warnings() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NumPy's overflow warnings would raise here
        blown = train(TrainConfig("adding", "lstm", 4, 10, updates=50, lr=1e300))
        wild = train(TrainConfig("sine", "lstm", 8, 20, updates=100, lr=1e10))
    report = blown.report
    assert report["diverged"].startswith("training diverged after ")
    assert "\n" not in report["diverged"] and report["final_loss"] is None
    assert report["updates"] < 50 and report["best_update"] == 0
    # the best weights are the held-out best: here the untrained ones, finite
    start = initial_model(TrainConfig("adding", "lstm", 4, 10, updates=1))
    assert np.array_equal(blown.model.cell.params["weight_hh"], start.cell.params["weight_hh"])
    # finite but far above where it started: diverged at the end
    assert wild.report["final_loss"] > 10 * wild.report["start_loss"]
    assert "final held-out loss" in wild.report["diverged"]
    assert wild.report["best_loss"] <= wild.report["start_loss"]


def test_an_mlstm_past_float64_in_the_sweep_is_a_one_line_divergence() -> None:
    """Weights so large that the mLSTM's qs @ C passes float64 (while the weights stay
    finite): the sweep's ValueError becomes the same TrainingError as NaN weights."""
    trainer = Trainer(TrainConfig("adding", "mlstm", 4, 10, updates=10))
    for key in ("W_q", "W_k", "W_v"):
        trainer.params[key][...] *= 1e150
    with pytest.raises(TrainingError, match=r"^training diverged after 0 updates \(the numbers"):
        trainer.step()


def test_a_keyboard_interrupt_mid_run_stops_it_with_the_best_so_far() -> None:
    def interrupt(progress: Progress) -> None:
        if progress.updates >= 100:
            raise KeyboardInterrupt

    result = train(TrainConfig("remember", "lstm", 4, 5, seed=1, updates=10**6), interrupt)
    assert result.report["stopped"] is True and result.report["updates"] == 100
    assert result.report["best_loss"] < result.report["start_loss"]


STDERR_WITHOUT_A_DESCRIPTOR = """
import io, sys, time
from lstm_engine.training import TrainConfig, TrainingProcess

class NoDescriptor(io.StringIO):  # what a running Textual app puts in sys.stderr
    def fileno(self):
        return -1

sys.stderr = NoDescriptor()
process = TrainingProcess(TrainConfig("remember", "lstm", 2, 3, updates=5), sys.argv[1])
deadline = time.monotonic() + 60
while not process.done and time.monotonic() < deadline:
    process.poll()
    time.sleep(0.02)
result = process.result()
sys.stdout.write(repr(result["updates"]) if isinstance(result, dict) else repr(result))
"""


def test_a_training_process_starts_while_stderr_has_no_descriptor(tmp_path: Path) -> None:
    """In a fresh interpreter, since multiprocessing starts its resource tracker (which
    takes sys.stderr's descriptor) only once per process."""
    import subprocess
    import sys

    out = tmp_path / "w.npz"
    done = subprocess.run(
        [sys.executable, "-c", STDERR_WITHOUT_A_DESCRIPTOR, str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (0, "5"), done.stderr
    assert load_model(out).readout is not None


def test_a_long_run_s_history_is_thinned_evenly(monkeypatch) -> None:
    import lstm_engine.training as training

    monkeypatch.setattr(training, "EVAL_EVERY", 1)
    monkeypatch.setattr(training, "HISTORY_ROWS", 8)
    history = train(TrainConfig("adding", "lstm", 2, 3, updates=40)).report["history"]
    assert [row[0] for row in history] == [0, 8, 16, 24, 32, 40]  # 41 evaluations, stride 8


def test_a_run_stopped_during_its_first_evaluation_returns_the_initial_weights(
    monkeypatch,
) -> None:
    """Ctrl-C (KeyboardInterrupt) while the start is evaluated: the initial weights, with
    no held-out loss (None, which JSON can hold, not inf or NaN)."""
    config = TrainConfig("adding", "lstm", 3, length=5, updates=10)

    def interrupted(self: Trainer) -> float:
        raise KeyboardInterrupt

    monkeypatch.setattr(Trainer, "evaluate", interrupted)
    result = train(config)
    facts = result.report
    assert facts["stopped"] is True and facts["updates"] == 0 and facts["diverged"] is None
    assert facts["start_loss"] is facts["best_loss"] is facts["final_loss"] is None
    initial = initial_model(config)
    for key, value in initial.cell.params.items():
        assert np.array_equal(result.model.cell.params[key], value), key
    assert facts["config"]["momentum"] is None  # Adam's: none


def test_a_run_stopped_before_its_first_update_keeps_the_evaluated_start() -> None:
    config = TrainConfig("adding", "lstm", 3, length=5, updates=10, optimiser="sgd")
    facts = train(config, should_stop=lambda: True).report
    assert facts["updates"] == 0 and facts["best_update"] == 0 and facts["stopped"] is True
    assert facts["best_loss"] == facts["start_loss"] == facts["final_loss"] > 0
    assert facts["config"]["momentum"] == 0.9  # SGD's default, as used
