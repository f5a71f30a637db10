"""Built-in learning tasks: seeded, vectorised batches of sequences and their targets, each
with the loss of a trivial predictor to beat (its *baseline*).

A task draws a whole batch with a handful of NumPy calls (no Python loop per sample or per
step), from the ``np.random.Generator`` it is given, so a seed fixes the data.

* ``adding`` (Le et al. 2015's variant of Hochreiter & Schmidhuber 1997's problem): inputs
  (T, B, 2); channel 0 holds values u_t ~ U[0, 1], channel 1 is a marker, 1 at exactly two
  steps and 0 elsewhere: one uniform among steps 1..T//2 (the first half) and one among
  T//2+1..T (the second half). The target, read at the last step, is the sum of the two
  marked values (B, 1); loss MSE. Baseline: always predicting 1 (the mean of the sum)
  gives the variance of a sum of two U[0, 1], 2/12 = 1/6 ≈ 0.167, whatever T.
* ``remember``: a class k out of K = 2 is shown at step 1 as a one-hot vector (inputs
  (T, B, K)); every later input is zero. At the last step the readout must name k
  (softmax cross-entropy on integer targets (B,)). Baseline: the uniform guess, ln 2 ≈
  0.693. The information has to sit in the memory for T - 1 steps: with the forget gate
  near sigmoid(1) = 0.73 its gradient shrinks like 0.73^T (2e-7 at T = 50), near
  sigmoid(3) = 0.95 like 0.95^T (0.08).
* ``sine``: next-step prediction of a noisy sine. Per sequence an angular frequency
  w ~ U[0.15, 0.6] (periods of ~10 to 42 steps) and a phase ~ U[0, 2 pi); observations
  x_t = sin(w t + phase) + e_t, e_t ~ N(0, 0.1^2), t = 0..T. Inputs x_0..x_{T-1} (T, B, 1),
  targets x_1..x_T (T, B, 1): the loss (MSE) is taken at every step. Baseline: predicting
  the current observation (persistence), E[(x_{t+1} - x_t)^2] = E[1 - cos w] + 2 sigma^2
  = 1 - (sin 0.6 - sin 0.15)/0.45 + 0.02 ≈ 0.0973 (predicting 0 would give 0.51). No
  predictor beats sigma^2 = 0.01, the noise of the target itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
Targets = npt.NDArray[np.float64] | npt.NDArray[np.int64]
Objective = Literal["mse", "xent"]

#: The sequence lengths T a task's sequences take, for every task and every command
#: (``lstm-engine train --length``, ``lstm-stepper --task --length``): at least 2, for the
#: adding problem's mark in each half; at most 10,000, so that a batch and an evaluation
#: stay within memory and a minute.
MIN_LENGTH = 2
MAX_LENGTH = 10_000


@dataclass(frozen=True)
class Task:
    """A family of sequences to learn. ``batch(rng, B, T)`` gives inputs (T, B, I) and
    targets: (B, O) at the last step or (T, B, O) at every step (``every_step``); for
    ``"xent"`` integer classes (B,) or (T, B) out of ``output_size``."""

    name: str
    about: str  #: one line, stating the baseline
    input_size: int
    output_size: int
    objective: Objective
    every_step: bool
    make: Callable[[np.random.Generator, int, int], tuple[Array, Targets]]
    baseline: Callable[[int], float]
    #: the trivial predictor whose loss is the baseline, in a few words
    trivial: str = ""

    def batch(
        self, rng: np.random.Generator, batch_size: int, length: int
    ) -> tuple[Array, Targets]:
        check_length(length)
        if batch_size < 1:
            raise ValueError("the batch size must be at least 1")
        return self.make(rng, batch_size, length)

    def baseline_loss(self, length: int) -> float:
        """The trivial predictor's loss (``about`` says which predictor)."""
        return self.baseline(length)


def _adding(rng: np.random.Generator, batch_size: int, length: int) -> tuple[Array, Array]:
    half = length // 2
    values = rng.uniform(0.0, 1.0, (length, batch_size))
    first = rng.integers(0, half, batch_size)
    second = rng.integers(half, length, batch_size)
    inputs = np.zeros((length, batch_size, 2))
    inputs[:, :, 0] = values
    lanes = np.arange(batch_size)
    inputs[first, lanes, 1] = 1.0
    inputs[second, lanes, 1] = 1.0
    targets = (values[first, lanes] + values[second, lanes])[:, None]
    return inputs, targets


REMEMBER_CLASSES = 2


def _remember(
    rng: np.random.Generator, batch_size: int, length: int
) -> tuple[Array, npt.NDArray[np.int64]]:
    classes = rng.integers(0, REMEMBER_CLASSES, batch_size)
    inputs = np.zeros((length, batch_size, REMEMBER_CLASSES))
    inputs[0, np.arange(batch_size), classes] = 1.0
    return inputs, classes.astype(np.int64)


SINE_FREQUENCIES = (0.15, 0.6)
SINE_NOISE = 0.1


def _sine(rng: np.random.Generator, batch_size: int, length: int) -> tuple[Array, Array]:
    w = rng.uniform(*SINE_FREQUENCIES, batch_size)
    phase = rng.uniform(0.0, 2 * math.pi, batch_size)
    t = np.arange(length + 1)[:, None]
    x = np.sin(w * t + phase) + rng.normal(0.0, SINE_NOISE, (length + 1, batch_size))
    return x[:-1, :, None], x[1:, :, None]


def _sine_baseline(length: int) -> float:
    low, high = SINE_FREQUENCIES
    mean_one_minus_cos = 1.0 - (math.sin(high) - math.sin(low)) / (high - low)
    return mean_one_minus_cos + 2 * SINE_NOISE**2


TASKS: dict[str, Task] = {
    task.name: task
    for task in (
        Task(
            "adding",
            "sum the two marked values of U[0,1] (one mark in each half), read at the last "
            "step; MSE; baseline: always 1, MSE 1/6 = 0.167",
            input_size=2,
            output_size=1,
            objective="mse",
            every_step=False,
            make=_adding,
            baseline=lambda length: 1.0 / 6.0,
            trivial="always predicting 1",
        ),
        Task(
            "remember",
            f"name at the last step which of {REMEMBER_CLASSES} classes the first step showed "
            f"(later inputs 0); cross-entropy; baseline: the uniform guess, "
            f"ln {REMEMBER_CLASSES} = {math.log(REMEMBER_CLASSES):.3f}",
            input_size=REMEMBER_CLASSES,
            output_size=REMEMBER_CLASSES,
            objective="xent",
            every_step=False,
            make=_remember,
            baseline=lambda length: math.log(REMEMBER_CLASSES),
            trivial="the uniform guess",
        ),
        Task(
            "sine",
            f"predict the next value of a noisy sine (noise sd {SINE_NOISE}) at every step; "
            f"MSE; baseline: repeat the current value, MSE {_sine_baseline(1):.4f} "
            f"(floor {SINE_NOISE**2:g})",
            input_size=1,
            output_size=1,
            objective="mse",
            every_step=True,
            make=_sine,
            baseline=_sine_baseline,
            trivial="repeating the current value",
        ),
    )
}


def check_length(length: int) -> int:
    """``length`` when it is in MIN_LENGTH..MAX_LENGTH, else ValueError saying the range."""
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise ValueError(
            f"the sequence length must be in {MIN_LENGTH}..{MAX_LENGTH:,}, not {length:,}"
        )
    return length


def task_named(name: str) -> Task:
    try:
        return TASKS[name]
    except KeyError:
        raise ValueError(f"unknown task {name!r}; choose from {', '.join(TASKS)}") from None


__all__ = ["MAX_LENGTH", "MIN_LENGTH", "TASKS", "Objective", "Task", "check_length", "task_named"]
