"""The built-in tasks: shapes, seeds, where the adding problem's marks go, and baselines
that the trivial predictor actually scores."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lstm_engine.tasks import TASKS, task_named


@pytest.mark.parametrize("name", list(TASKS))
def test_shapes_and_seeds(name: str) -> None:
    task = TASKS[name]
    inputs, targets = task.batch(np.random.default_rng(5), 7, 12)
    assert inputs.shape == (12, 7, task.input_size) and inputs.dtype == np.float64
    lead = (12, 7) if task.every_step else (7,)
    if task.objective == "xent":
        assert targets.shape == lead and targets.dtype.kind == "i"
        assert targets.min() >= 0 and targets.max() < task.output_size
    else:
        assert targets.shape == (*lead, task.output_size)
    again = task.batch(np.random.default_rng(5), 7, 12)
    assert np.array_equal(inputs, again[0]) and np.array_equal(targets, again[1])
    other = task.batch(np.random.default_rng(6), 7, 12)
    assert not np.array_equal(inputs, other[0])
    assert "baseline" in task.about and "\n" not in task.about  # one line stating it
    assert task.trivial


def test_adding_marks_one_value_in_each_half_and_sums_them() -> None:
    T, B = 9, 500
    inputs, targets = TASKS["adding"].batch(np.random.default_rng(0), B, T)
    marks = inputs[:, :, 1]
    assert set(np.unique(marks)) == {0.0, 1.0}
    assert np.all(marks[: T // 2].sum(axis=0) == 1) and np.all(marks[T // 2 :].sum(axis=0) == 1)
    # every position of each half is used
    assert np.all(marks[: T // 2].sum(axis=1) > 0) and np.all(marks[T // 2 :].sum(axis=1) > 0)
    values = inputs[:, :, 0]
    assert values.min() >= 0 and values.max() <= 1
    assert np.allclose(targets[:, 0], (values * marks).sum(axis=0))


@pytest.mark.parametrize("name", ["adding", "sine"])
def test_the_baseline_is_what_the_trivial_predictor_scores(name: str) -> None:
    task = TASKS[name]
    inputs, targets = task.batch(np.random.default_rng(1), 20_000, 30)
    # adding: always 1; sine: repeat the current observation
    guess = np.ones_like(targets) if name == "adding" else inputs
    mse = float(np.mean((guess - targets) ** 2))
    assert mse == pytest.approx(task.baseline_loss(30), rel=0.02)


def test_remember_shows_the_class_at_the_first_step_only() -> None:
    task = TASKS["remember"]
    inputs, classes = task.batch(np.random.default_rng(2), 300, 6)
    assert np.array_equal(inputs[0].argmax(axis=1), classes)
    assert np.all(inputs[0].sum(axis=1) == 1) and not inputs[1:].any()
    assert task.baseline_loss(6) == pytest.approx(math.log(task.output_size))


def test_bad_requests_are_refused() -> None:
    with pytest.raises(ValueError, match=r"length must be in 2\.\.10,000, not 1"):
        TASKS["adding"].batch(np.random.default_rng(0), 4, 1)
    with pytest.raises(ValueError, match="batch size"):
        TASKS["sine"].batch(np.random.default_rng(0), 0, 5)
    with pytest.raises(ValueError, match="unknown task 'x'; choose from adding"):
        task_named("x")
