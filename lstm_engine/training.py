"""Training a cell and a linear readout on a built-in task (``tasks.py``): the
initialisation, one update, the loop with its budgets and held-out evaluation, and a
child process that runs it for the dashboard.

One update (``train_step``): the cell's ``taped_forward`` on a batch (T, B, I), the
readout's loss on h_T (or on every h_t for an every-step task) and its gradient dL/dh,
the cell's reverse sweep with d_hidden = dL/dh (zero before the last step for a last-step
task), gradient-norm clipping over cell and readout together, one optimiser step.

Design, for speed: the trainer keeps every weight, the cell's and the readout's, as views
of one flat float64 vector (``Trainer.params``, a dict of those views), and the gradients
in another: Adam and the clipping then cost a few NumPy calls per update (measured ~13 µs
at H = 8, against ~110 µs weight by weight), and nothing is copied but each gradient into
its place. Cells are immutable, so each update builds the cell from that dict
(``cls(params)``: validation and read-only copies), measured 20-80 µs per kind at H = 8
against 3-20 ms for the forward and backward at (T, B, H) = (100, 64, 8): a few per cent,
so the cells keep their single, validated way in. Evaluation on the held-out set uses the
cell's fast ``forward``; best weights are kept as an immutable ``Model`` only when the
held-out loss improves.

Initialisation (``initial_model``), per kind:

* lstm, peephole, rnn: PyTorch's default for ``nn.LSTM`` / ``nn.RNN``, every weight and
  bias U(±1/sqrt(H)), from ``np.random.default_rng(seed)`` in the order of the kind's
  keys. (The kinds' own ``init`` draws the original ``Lstm.py``'s randn * 0.1, made for
  watching a step, not for learning: it starts with tiny recurrent weights.)
* slstm, mlstm: the kind's ``init`` (the official xLSTM initialisation).
* ``forget_bias``: the LSTM family's forget-gate bias at the start: the f rows of
  ``bias_ih`` (with ``bias_hh``'s f rows 0) for lstm and peephole, the f rows of ``b``
  for the sLSTM, ``b_f`` for the mLSTM; None keeps each kind's own: 1 for lstm and
  peephole (Gers et al. 2000, Jozefowicz et al. 2015), linspace(3, 6) for the sLSTM, 3
  for the mLSTM. The rnn has no forget gate.
* the readout: ``Readout.init`` (PyTorch's ``nn.Linear``), seed + 1.

Randomness: the training batches come from ``default_rng([seed, 1])``, the held-out set
(HELD_OUT sequences, fixed for the run) from ``default_rng([seed, 2])``, so a run with an
update budget is deterministic for its config; a time budget stops after a number of
updates that depends on the machine.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import queue
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from .cells import Cell, cell_class
from .files import save_model
from .optim import SGD, Adam, Optimiser, clip_grad_norm
from .readout import KEYS as READOUT_KEYS
from .readout import Model, Readout, loss_and_grad
from .tasks import Targets, Task, check_length, task_named
from .writing import check_target

Array = npt.NDArray[np.float64]

#: Held-out sequences: enough that the loss is read to a few per cent at MSE 1e-3, few
#: enough that an evaluation (a forward only) costs about as much as one or two updates.
HELD_OUT = 512
#: Hidden-state numbers an evaluation holds at once (32 MiB): longer sequences are run in
#: slices of the held-out set.
EVAL_FLOATS = 2**22
#: Updates between two evaluations on the held-out set.
EVAL_EVERY = 100
#: The most rows the report's ``history`` (the held-out loss curve) keeps.
HISTORY_ROWS = 1000
#: Seconds between two progress reports without an evaluation.
PROGRESS_EVERY = 0.25
OPTIMISERS = ("adam", "sgd")
#: SGD's momentum when the config gives none.
DEFAULT_MOMENTUM = 0.9
#: Kinds whose training initialisation is PyTorch's U(±1/sqrt(H)); the others keep theirs.
UNIFORM_INIT = ("lstm", "peephole", "rnn")
#: The forget-gate bias of lstm and peephole when none is given.
DEFAULT_FORGET_BIAS = 1.0
#: The largest forget-gate bias accepted (either sign): sigmoid(40) is already 1 in float64.
MAX_FORGET_BIAS = 100.0
#: A run has diverged when its final held-out loss is above this many times the larger of
#: the baseline and the loss it started from (or is not finite).
DIVERGED_ABOVE = 10.0


class TrainingError(ValueError):
    """A run that cannot start or cannot go on (bad config, weights gone NaN)."""


@dataclass(frozen=True)
class TrainConfig:
    task: str
    cell: str = "lstm"
    hidden_size: int = 8
    length: int = 100  #: T, the sequence length
    seed: int = 0
    batch_size: int = 64
    lr: float = 1e-2
    optimiser: str = "adam"
    momentum: float | None = None  #: SGD's; None: DEFAULT_MOMENTUM (Adam has none)
    clip: float | None = 1.0  #: max gradient norm; None: no clipping
    updates: int | None = None  #: budget in optimiser steps ...
    time_limit: float | None = None  #: ... or in seconds (at least one)
    forget_bias: float | None = None  #: None: the kind's own (module docstring)

    def check(self) -> Task:
        """The task, or TrainingError with one line saying what is wrong."""
        try:
            task = task_named(self.task)
            cell_class(self.cell)
            check_length(self.length)
        except ValueError as exc:
            raise TrainingError(str(exc)) from None
        if self.updates is None and self.time_limit is None:
            raise TrainingError("give a budget: updates or time_limit")
        for name, number in (
            ("lr", self.lr),
            ("time_limit", self.time_limit),
            ("clip", self.clip),
        ):
            if number is not None and not (math.isfinite(number) and number > 0):
                raise TrainingError(f"{name} must be a positive number, not {number}")
        if self.optimiser not in OPTIMISERS:
            raise TrainingError(f"unknown optimiser {self.optimiser!r}; choose adam or sgd")
        if self.momentum is not None:
            if self.optimiser != "sgd":
                raise TrainingError(f"momentum is SGD's; {self.optimiser} has none")
            if not (math.isfinite(self.momentum) and 0 <= self.momentum < 1):
                raise TrainingError(f"momentum must be in [0, 1), not {self.momentum}")
        if self.forget_bias is not None:
            if self.cell == "rnn":
                raise TrainingError("the rnn has no forget gate (leave the forget bias out)")
            if not (math.isfinite(self.forget_bias) and abs(self.forget_bias) <= MAX_FORGET_BIAS):
                raise TrainingError(
                    f"the forget bias must be within ±{MAX_FORGET_BIAS:g}, not {self.forget_bias}"
                )
        return task

    @property
    def sgd_momentum(self) -> float | None:
        """The momentum SGD uses (the given one or DEFAULT_MOMENTUM); None for Adam."""
        if self.optimiser != "sgd":
            return None
        return DEFAULT_MOMENTUM if self.momentum is None else self.momentum


def initial_model(config: TrainConfig) -> Model:
    """The model a run starts from, deterministic for the seed (module docstring)."""
    task = config.check()
    cls = cell_class(config.cell)
    inputs, H = task.input_size, config.hidden_size
    if config.cell in UNIFORM_INIT:
        bound = 1.0 / math.sqrt(H)
        rng = np.random.default_rng(config.seed)
        params = {
            key: rng.uniform(-bound, bound, shape)
            for key, shape in cls.param_shapes(inputs, H).items()
        }
    else:
        params = {
            key: np.array(value) for key, value in cls.init(inputs, H, config.seed).params.items()
        }
    forget_bias = config.forget_bias
    if forget_bias is None and config.cell in ("lstm", "peephole"):
        forget_bias = DEFAULT_FORGET_BIAS
    if forget_bias is not None:
        _set_forget_bias(config.cell, params, H, forget_bias)
    readout = Readout.init(H, task.output_size, config.seed + 1)
    return Model(cls(params), readout)


def _set_forget_bias(kind: str, params: dict[str, Array], H: int, value: float) -> None:
    if kind in ("lstm", "peephole"):  # rows i, f, g, o
        params["bias_ih"][H : 2 * H] = value
        params["bias_hh"][H : 2 * H] = 0.0
    elif kind == "slstm":  # rows i, f, z, o
        params["b"][H : 2 * H] = value
    elif kind == "mlstm":
        params["b_f"][...] = value
    else:
        raise TrainingError(f"the {kind} has no forget gate")


def forget_bias_of(cell: Cell) -> float | list[float] | None:
    """The cell's forget-gate bias (``bias_ih`` + ``bias_hh`` rows for lstm and peephole):
    one number when every unit has the same, else one per unit; None for the rnn."""
    p, H = cell.params, cell.hidden_size
    if cell.kind in ("lstm", "peephole"):
        bias = p["bias_ih"][H : 2 * H] + p["bias_hh"][H : 2 * H]
    elif cell.kind == "slstm":
        bias = p["b"][H : 2 * H]
    elif cell.kind == "mlstm":
        bias = np.ravel(p["b_f"])
    else:
        return None
    return float(bias[0]) if np.all(bias == bias[0]) else [float(b) for b in bias]


@dataclass(frozen=True)
class Progress:
    updates: int
    seconds: float
    loss: float  #: the last training batch's loss
    held_out: float | None  #: the held-out loss, when this report follows an evaluation
    best: float  #: the best held-out loss so far
    baseline: float


class Trainer:
    """One run's state: the weights (``params``, mutable), the optimiser, the data streams
    and the best weights seen on the held-out set."""

    def __init__(self, config: TrainConfig, model: Model | None = None) -> None:
        self.config = config
        self.task = config.check()
        start = model or initial_model(config)
        if start.readout is None:
            raise TrainingError("the model has no readout to train")
        fits = (start.cell.kind, start.cell.input_size, start.cell.hidden_size) == (
            config.cell,
            self.task.input_size,
            config.hidden_size,
        )
        if not fits or start.readout.output_size != self.task.output_size:
            raise TrainingError(
                f"the model ({start.cell.kind}, {start.cell.input_size} inputs, "
                f"{start.cell.hidden_size} units, {start.readout.output_size} outputs) does not "
                f"fit {config.cell} H={config.hidden_size} on {config.task}"
            )
        self._cls: type[Cell] = type(start.cell)
        self._cell_keys = tuple(start.cell.params)
        arrays = {**start.cell.params, **start.readout.params}
        # One flat vector holds every weight, and another every gradient: the optimiser
        # and the clipping then take a few calls per update, not a few per weight.
        self._flat = np.concatenate([a.ravel() for a in arrays.values()])
        self._flat_grad = np.zeros_like(self._flat)
        #: every weight the optimiser updates, the cell's keys and ``readout.*``: views of
        #: one flat vector, updated in place
        self.params: dict[str, Array] = _views(self._flat, arrays)
        self._grads = _views(self._flat_grad, arrays)
        self._d_hidden: Array | None = None  # see train_step
        momentum = config.sgd_momentum
        self.optimiser: Optimiser = (
            Adam(config.lr) if momentum is None else SGD(config.lr, momentum)
        )
        self.baseline = self.task.baseline_loss(config.length)
        self._batches = np.random.default_rng([config.seed, 1])
        self.held_out = self.task.batch(
            np.random.default_rng([config.seed, 2]), HELD_OUT, config.length
        )
        #: the forget-gate bias the run starts from (``forget_bias_of``)
        self.forget_bias = forget_bias_of(start.cell)
        self.best_model = start
        self.best_loss = math.inf
        self.best_update = 0  #: the update after which the best held-out loss was read
        self.last_loss = math.nan  #: the last training batch's loss
        self.held_out_loss = math.nan  #: the last evaluation's ...
        self.evaluated_at = -1  #: ... after this many updates
        self.updates = 0
        self.seconds = 0.0  #: time spent in ``step`` and ``evaluate``

    @property
    def model(self) -> Model:
        """The current weights, as an immutable model."""
        return Model(self._cell(), Readout(*(self.params[k].copy() for k in READOUT_KEYS)))

    def _cell(self) -> Cell:
        try:
            return self._cls({key: self.params[key] for key in self._cell_keys})
        except ValueError:
            raise self._diverged("weights became NaN or infinite") from None

    def _diverged(self, why: str) -> TrainingError:
        return TrainingError(
            f"training diverged after {self.updates} updates ({why}): try a smaller "
            "learning rate or clipping"
        )

    def step(self) -> float:
        """One update on a fresh training batch; its training loss."""
        return self.train_step(
            *self.task.batch(self._batches, self.config.batch_size, self.config.length)
        )

    def train_step(self, inputs: Array, targets: Targets) -> float:
        """One update on the given batch (module docstring); its loss before the update.

        Weights that have grown past what float64 holds end the run with one TrainingError
        ("training diverged ..."), whether the cell's checks or its sweeps (the mLSTM's
        qs @ C past float64) find them; NumPy's overflow warnings are not shown, since the
        error says it."""
        if inputs.ndim != 3 or inputs.shape[2] != self.task.input_size:
            raise TrainingError(
                f"inputs of shape {inputs.shape}; {self.task.name}'s are (T, B, "
                f"{self.task.input_size})"
            )
        began = time.perf_counter()
        p = self.params
        cell = self._cell()
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            try:
                hidden, backward = cell.taped_forward(inputs)
                h = hidden if self.task.every_step else hidden[-1]
                loss, d_h, grads = loss_and_grad(
                    p["readout.weight"], p["readout.bias"], h, targets, self.task.objective
                )
                if self.task.every_step:
                    d_hidden = d_h
                else:
                    # Kept between updates: zero but at the last step, which each update
                    # overwrites. A fresh (T, B, H) array costs a page fault per 4 kB page
                    # (measured: 2 ms of a 12 ms update at H = 32).
                    if self._d_hidden is None or self._d_hidden.shape != hidden.shape:
                        self._d_hidden = np.zeros_like(hidden)
                    d_hidden = self._d_hidden
                    d_hidden[-1] = d_h
                swept = backward(d_hidden)
            except ValueError:  # the cells' one-line refusal of numbers past float64
                raise self._diverged("the numbers passed what float64 holds") from None
            for key, view in self._grads.items():
                view[...] = grads[key] if key in grads else swept[key]
            flat = {"all": self._flat_grad}
            if self.config.clip is not None:
                clip_grad_norm(flat, self.config.clip)
            self.optimiser.update({"all": self._flat}, flat)
        self.updates += 1
        self.last_loss = loss
        self.seconds += time.perf_counter() - began
        return loss

    def evaluate(self) -> float:
        """The held-out loss of the current weights; keeps them when they are the best."""
        began = time.perf_counter()
        cell = self._cell()
        inputs, targets = self.held_out
        p = self.params
        # in slices of sequences, so that the hidden states of long sequences fit in memory
        steps, count = inputs.shape[:2]
        size = max(1, EVAL_FLOATS // (steps * cell.hidden_size))
        total = 0.0
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for start in range(0, count, size):
                lanes = slice(start, start + size)
                hidden, _ = cell.forward(inputs[:, lanes])
                h = hidden if self.task.every_step else hidden[-1]
                part = targets[:, lanes] if self.task.every_step else targets[lanes]
                part_loss, _, _ = loss_and_grad(
                    p["readout.weight"], p["readout.bias"], h, part, self.task.objective
                )
                total += part_loss * hidden.shape[1]
        loss = total / count
        if not math.isfinite(loss):
            raise self._diverged(f"the held-out loss is {loss}")
        self.held_out_loss, self.evaluated_at = loss, self.updates
        if loss < self.best_loss:
            best = Model(cell, Readout(*(p[k].copy() for k in READOUT_KEYS)))
            # no call between these: a Ctrl-C cannot leave a loss without its weights
            self.best_model, self.best_loss, self.best_update = best, loss, self.updates
        self.seconds += time.perf_counter() - began
        return loss


def _views(flat: Array, like: dict[str, Array]) -> dict[str, Array]:
    """Views of consecutive pieces of ``flat``, with the shapes of ``like``'s arrays (which
    ``flat`` holds in that order)."""
    views, start = {}, 0
    for key, array in like.items():
        views[key] = flat[start : start + array.size].reshape(array.shape)
        start += array.size
    return views


def train_step(trainer: Trainer, batch: tuple[Array, Targets]) -> float:
    """One update (forward, backward, clipping, optimiser step) on a batch made outside,
    for benchmarks: ``trainer.params`` holds the weights before and after."""
    return trainer.train_step(*batch)


@dataclass(frozen=True)
class TrainResult:
    model: Model  #: the best weights on the held-out set
    report: dict[str, Any] = field(default_factory=dict)


def train(
    config: TrainConfig,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    trainer: Trainer | None = None,
) -> TrainResult:
    """Train until the budget is spent or ``should_stop()`` says so (checked between
    updates); evaluates every EVAL_EVERY updates and at both ends, and reports progress
    at each evaluation and every PROGRESS_EVERY seconds between. ``trainer``: the run's
    state, built beforehand (``Trainer(config)``, by default here).

    The run ends early, and still returns the best weights so far, when it is asked to
    stop (``stopped``), when a KeyboardInterrupt arrives (the update or the evaluation
    under way is dropped: a second Ctrl-C need not wait for it) and when it diverges
    (``diverged``: the weights or the held-out loss went past float64 or NaN, or the
    final held-out loss is above DIVERGED_ABOVE times the larger of the baseline and the
    starting loss). Before any update the best weights are the initial ones; stopped
    during the first evaluation, they are returned without a held-out loss
    (``start_loss``, ``best_loss`` and ``final_loss`` None). Errors of the config are
    raised."""
    trainer = trainer or Trainer(config)
    began = time.perf_counter()
    start: float | None = None
    # [update, seconds, held-out loss] of every ``stride``-th evaluation: all of them
    # until there are HISTORY_ROWS, then every other one, and so on (a long run's curve
    # stays evenly spaced and small)
    history: list[list[float]] = []
    evaluations, stride = 0, 1
    report_at = began
    stopped = False
    diverged: str | None = None

    def tell(held_out: float | None) -> None:
        nonlocal evaluations, stride
        seconds = time.perf_counter() - began
        if held_out is not None:
            if evaluations % stride == 0:
                history.append([trainer.updates, round(seconds, 3), held_out])
                if len(history) > HISTORY_ROWS:
                    del history[1::2]
                    stride *= 2
            evaluations += 1
        if on_progress is not None:
            on_progress(
                Progress(
                    trainer.updates,
                    seconds,
                    trainer.last_loss,
                    held_out,
                    trainer.best_loss,
                    trainer.baseline,
                )
            )

    try:
        start = trainer.evaluate()
        tell(start)
        while True:
            now = time.perf_counter()
            if config.updates is not None and trainer.updates >= config.updates:
                break
            if config.time_limit is not None and now - began >= config.time_limit:
                break
            if should_stop is not None and should_stop():
                stopped = True
                break
            trainer.step()
            if trainer.updates % EVAL_EVERY == 0:
                tell(trainer.evaluate())
                report_at = time.perf_counter()
            elif now - report_at >= PROGRESS_EVERY:
                tell(None)
                report_at = now
        if trainer.evaluated_at != trainer.updates:
            tell(trainer.evaluate())
    except KeyboardInterrupt:
        stopped = True
    except TrainingError as exc:
        diverged = str(exc)
    # the last evaluation's; None when the weights at the end have no finite loss, or the
    # first evaluation did not finish
    final = trainer.held_out_loss if diverged is None and start is not None else None
    if (
        final is not None
        and start is not None
        and final > DIVERGED_ABOVE * max(trainer.baseline, start)
    ):
        diverged = (
            f"training diverged: the final held-out loss {trainer.held_out_loss:.4g} is over "
            f"{DIVERGED_ABOVE:g} times the baseline and the starting loss: try a smaller "
            "learning rate or clipping"
        )
    report = {
        "task": config.task,
        "cell": config.cell,
        "hidden_size": config.hidden_size,
        "length": config.length,
        "seed": config.seed,
        "seconds": round(time.perf_counter() - began, 3),
        "updates": trainer.updates,
        "baseline_loss": trainer.baseline,
        "final_loss": final,
        "best_loss": trainer.best_loss if math.isfinite(trainer.best_loss) else None,
        "objective": trainer.task.objective,
        "best_update": trainer.best_update,
        "start_loss": start,
        "forget_bias": trainer.forget_bias,
        "stopped": stopped,
        "diverged": diverged,
        "history": history,
        "config": {**asdict(config), "momentum": config.sgd_momentum},
    }
    return TrainResult(trainer.best_model, report)


class TrainingProcess:
    """``train`` in a child process (spawn), which writes the best weights to ``out_path``
    atomically when it ends, cancelled or not. NumPy on small arrays holds the GIL, so a
    thread would freeze a user interface; a process does not.

    ``poll()`` returns the progress reports that have come in (non-blocking); ``done``
    says the child has ended and been reaped; ``result()`` is then the report dict (with
    ``out``, the weight file; a run that diverged saved its best weights too and says why
    in ``diverged``), or the error as text. ``cancel()`` asks the child to stop after its
    current update (it still saves the best weights so far); ``close()`` cancels and
    waits, then ends the child by force if it does not go within ``timeout`` seconds.
    Poll until ``done`` (the poll that sees the child gone reaps it) or close: either way
    no zombie is left.
    """

    def __init__(self, config: TrainConfig, out_path: str | os.PathLike[str]) -> None:
        config.check()
        context = multiprocessing.get_context("spawn")
        self._outcome: dict[str, Any] | str | None = None
        self._closed = False
        with _stderr_with_a_descriptor():  # the first Queue starts the resource tracker
            self._queue = context.Queue()
            self._stop = context.Event()
            self._process = context.Process(
                target=_run_child,
                args=(config, os.fspath(out_path), self._queue, self._stop),
                daemon=True,
            )
            self._process.start()

    def poll(self) -> list[Progress]:
        reports = self._drain()
        if not self._process.is_alive():  # reaps the child: no zombie
            reports += self._drain()  # what it sent just before it ended
            if self._outcome is None:
                code = self._process.exitcode
                self._outcome = f"the training process ended unexpectedly (exit code {code})"
        return reports

    def _drain(self) -> list[Progress]:
        reports: list[Progress] = []
        while not self._closed:
            try:
                message = self._queue.get_nowait()
            except queue.Empty:
                break
            if isinstance(message, Progress):
                reports.append(message)
            else:
                self._outcome = message[1]
        return reports

    @property
    def done(self) -> bool:
        return self._outcome is not None and not self._process.is_alive()

    def result(self) -> dict[str, Any] | str | None:
        """The report dict, the error as one text, or None while the child runs."""
        return self._outcome if self.done else None

    def cancel(self) -> None:
        self._stop.set()

    def close(self, timeout: float = 10.0) -> None:
        self.cancel()
        deadline = time.monotonic() + timeout
        while not self.done and time.monotonic() < deadline:
            self.poll()
            time.sleep(0.02)
        if self._process.is_alive():
            self._process.terminate()  # SIGTERM: write_atomic removes its temporary file
            self._process.join(timeout=5)
        self.poll()
        self._closed = True
        self._queue.close()


@contextlib.contextmanager
def _stderr_with_a_descriptor() -> Iterator[None]:
    """While starting a child: ``sys.stderr`` with a real file descriptor.

    multiprocessing's resource tracker, started with the first child, hands
    ``sys.stderr.fileno()`` to its own process; a running Textual app replaces
    sys.stderr with an object whose fileno() is -1, and the start fails ("bad value(s)
    in fds_to_keep"). Then the process's own stderr (``sys.__stderr__``), or /dev/null
    when it has none, stands in for the moment of the start."""
    if _descriptor(sys.stderr) >= 0:
        yield
        return
    with contextlib.ExitStack() as stack:
        stand_in = sys.__stderr__
        if _descriptor(stand_in) < 0:
            stand_in = stack.enter_context(open(os.devnull, "w"))
        stack.enter_context(contextlib.redirect_stderr(stand_in))
        yield


def _descriptor(stream: Any) -> int:
    """The stream's file descriptor, or -1 when it has none."""
    try:
        return int(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return -1


def _run_child(config: TrainConfig, out_path: str, messages: Any, stop: Any) -> None:
    # Ctrl-C in the terminal reaches the whole process group: the parent decides (cancel).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        check_target(out_path)  # before training, not after: a bad path fails at once
        result = train(config, messages.put, stop.is_set)
        save_model(result.model, out_path)
        messages.put(("done", {**result.report, "out": out_path}))
    except ValueError as exc:  # the engine's one-line errors (TrainingError, WriteError)
        messages.put(("error", str(exc)))
    except Exception as exc:
        messages.put(("error", traceback.format_exception_only(type(exc), exc)[-1].strip()))


__all__ = [
    "EVAL_EVERY",
    "HELD_OUT",
    "Model",
    "Progress",
    "TrainConfig",
    "TrainResult",
    "Trainer",
    "TrainingError",
    "TrainingProcess",
    "initial_model",
    "train",
    "train_step",
]
