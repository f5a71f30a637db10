"""The headless command line: ``lstm-engine trace`` runs a cell over a sequence and
prints every step, as the original ``Lstm.py`` did, or writes it as JSON or CSV;
``lstm-engine train`` trains a cell and a readout on a built-in task (``training.py``).

The model and input options (``add_model_options`` / ``session_from_options``) are
shared with the dashboard, so both read a model the same way.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO, cast

import numpy as np

from . import plot, plotext_bridge, trace
from .cells import CELLS, cell_class
from .cells.base import Array, Cell, Record
from .cells.weights import MAX_SIZE, WeightsError
from .files import load, load_model, save_model, write_atomic
from .gradflow import companion_kind
from .inputs import InputError, InputsTable, parse_inputs, read_inputs_table
from .presets import DEFAULT as DEFAULT_PRESET
from .presets import LIST, PRESETS, Preset, listing
from .readout import Readout
from .session import Session, SessionError
from .stepper import Example, task_example
from .tasks import MAX_LENGTH, MIN_LENGTH, TASKS
from .training import (
    DEFAULT_MOMENTUM,
    OPTIMISERS,
    Progress,
    TrainConfig,
    Trainer,
    TrainingError,
    train,
)
from .writing import check_target, weights_path

PROG = "lstm-engine"
EXIT_USAGE = 2
#: A command stopped by Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130
#: ``train``'s budget when neither --updates nor --time-limit is given.
DEFAULT_TIME_LIMIT = 60.0
MAX_BATCH = 65_536


#: Steps of the seeded default sequence when the preset's inputs do not fit the input size.
DEFAULT_STEPS = 10
#: Steps of a task's example (--task) unless --length says.
DEFAULT_TASK_LENGTH = 100


class UsageError(ValueError):
    """Options that cannot be used together or read; exit status 2."""


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, raised instead of printed, and whose
    options take values that begin with a minus: ``--inputs "-2,1"``."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        given = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(self._glue_negative_values(given), namespace)

    def _glue_negative_values(self, args: list[str]) -> list[str]:
        """argparse reads "-2,1" after ``--inputs`` as an option of its own (it only takes
        a lone negative number as a value). A word that starts with a minus and a digit or
        a point is never an option here, so it is glued to the option before it."""
        takes_value = {
            option
            for action in self._actions
            if action.option_strings and action.nargs is None
            for option in action.option_strings
        }
        out: list[str] = []
        for word in args:
            if (
                out
                and out[-1] in takes_value
                and len(word) > 1
                and word[0] == "-"
                and (word[1].isdigit() or word[1] == ".")
            ):
                out[-1] = f"{out[-1]}={word}"
            else:
                out.append(word)
        return out


def _whole(low: int, high: int) -> Callable[[str], int]:
    """A whole number in low..high, for argparse."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is outside {low}..{high}")
        return value

    return parse


_size = _whole(1, MAX_SIZE)
#: A task's sequence length, the same rule for ``train`` and the dashboard's --task.
_length = _whole(MIN_LENGTH, MAX_LENGTH)
_seed = _whole(0, 2**32 - 1)


def _real(low: float = -math.inf, positive: bool = False) -> Callable[[str], float]:
    """A finite number, at least ``low`` (above 0 with ``positive``)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
        if positive and value <= 0:
            raise argparse.ArgumentTypeError(f"{value:g} must be above 0")
        if value < low:
            raise argparse.ArgumentTypeError(f"{value:g} must be at least {low:g}")
        return value

    return parse


class PresetOption(argparse.Action):
    """``--preset NAME``, or ``--preset list``, which ``opened_from_options`` answers by
    printing the presets and exiting 0 (in both commands), once it can see whether other
    options came with it."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        if values not in (*PRESETS, LIST):
            raise argparse.ArgumentError(
                self, f"no preset {values!r}: choose {', '.join(PRESETS)} (or list)"
            )
        setattr(namespace, self.dest, values)


def list_presets(args: argparse.Namespace) -> None:
    """``--preset list``: the presets on stdout, exit 0; an option that chooses a cell or
    inputs beside it is refused (one line), as it would otherwise be silently ignored. A
    reader that closes the pipe early (``| head -1``) ends it quietly (``_say``)."""
    for option, dest in (*PRESET_FIXES, *PRESET_INPUTS):
        if getattr(args, dest, None) is not None:
            raise UsageError(f"--preset list lists the presets and opens none: leave out {option}")
    _say(sys.stdout, listing())
    raise SystemExit(0)


#: The options a preset (but ``seed``) fixes itself.
PRESET_FIXES = (
    ("--seed", "seed"),
    ("--weights", "weights"),
    ("--cell", "cell"),
    ("--input-size", "input_size"),
    ("--hidden-size", "hidden_size"),
    ("--task", "task"),
)
#: The options that give a preset other inputs, or go with --task.
PRESET_INPUTS = (
    ("--inputs", "inputs"),
    ("--inputs-file", "inputs_file"),
    ("--length", "length"),
    ("--beside", "beside"),
)


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """The options that say which cell, which weights and which inputs."""
    model = parser.add_argument_group("model")
    model.add_argument(
        "--preset",
        action=PresetOption,
        metavar="NAME",
        help="a scenario preset: a cell with hand-set weights, and inputs (--inputs or "
        "--inputs-file replace them); --preset list lists them "
        f"(default {DEFAULT_PRESET!r}: {PRESETS[DEFAULT_PRESET].purpose})",
    )
    model.add_argument("--cell", choices=list(CELLS), help="cell kind (default: lstm)")
    model.add_argument("--seed", type=_seed, help="seed of the initial weights (default 42)")
    model.add_argument("--input-size", type=_size, metavar="I", help="inputs per step")
    model.add_argument("--hidden-size", type=_size, metavar="H", help="hidden units")
    model.add_argument("--weights", metavar="FILE.npz", help="load the weights from a file")
    data = parser.add_argument_group("inputs").add_mutually_exclusive_group()
    data.add_argument(
        "--inputs",
        metavar="SEQ",
        help='the sequence: "5,1.9,2" (one value per step) or "1,2;3,4" (steps by ;)',
    )
    data.add_argument(
        "--inputs-file", metavar="FILE", help=".csv (one step per row) or .npy of shape (T, I)"
    )
    data.add_argument(
        "--task",
        choices=list(TASKS),
        help="with --weights of a trained model (lstm-engine train --out): the inputs are an "
        "example of the task (--seed picks it), and the readout's prediction is shown "
        "against the target",
    )
    parser.add_argument(
        "--length",
        type=_length,
        metavar="T",
        help=f"with --task: steps of the example, {MIN_LENGTH} to {MAX_LENGTH:,} "
        f"(default {DEFAULT_TASK_LENGTH})",
    )


def session_from_options(args: argparse.Namespace) -> Session:
    """Build the session the options describe; raises ValueError naming the problem."""
    return opened_from_options(args)[0]


def opened_from_options(args: argparse.Namespace) -> tuple[Session, Example | None]:
    """The session the options describe and, with --task, the trained readout and the
    example's target; raises ValueError naming the problem."""
    if args.preset == LIST:
        list_presets(args)
    preset = PRESETS[args.preset or DEFAULT_PRESET]
    if preset.seed is None:  # hand-set weights
        for option, dest in PRESET_FIXES:
            if getattr(args, dest) is not None:
                raise UsageError(
                    f"--preset {preset.name} sets the cell, its sizes, its weights and its "
                    f"inputs: leave out {option} (--inputs or --inputs-file replace its inputs)"
                )
    if args.task is not None:
        return _task_session(args)
    if args.length is not None:
        raise UsageError("--length goes with --task (the length of the task's example)")
    if getattr(args, "beside", None) is not None:
        raise UsageError("--beside goes with --task (the trained cell beside a task's example)")
    if preset.seed is None:
        return _preset_session(args, preset), None
    table: InputsTable | None = None
    seed: int | None = None
    if args.weights is not None:
        if args.seed is not None:
            raise UsageError(
                "--seed and --weights exclude each other: the file fixes the weights "
                "(with --task, --seed picks the example)"
            )
        cell = load(args.weights, kind=args.cell)
        for option, given, actual in (
            ("--input-size", args.input_size, cell.input_size),
            ("--hidden-size", args.hidden_size, cell.hidden_size),
        ):
            if given is not None and given != actual:
                raise UsageError(f"{option} {given} does not match the weights file ({actual})")
        origin = f"weights {Path(args.weights).name}"
    else:
        seed = preset.seed if args.seed is None else args.seed
        table = _read_inputs(args, args.input_size)
        input_size = args.input_size or (table.values.shape[1] if table is not None else None)
        cell = cell_class(args.cell or preset.cell).init(
            input_size or preset.input_size, args.hidden_size or preset.hidden_size, seed
        )
        origin = f"seed {seed}"
    if table is None:
        table = _read_inputs(args, cell.input_size)
    if table is None:
        table = InputsTable(default_inputs(preset, cell.input_size, args.seed))
    return _session(args, cell, table, origin, seed), None


def _preset_session(args: argparse.Namespace, preset: Preset) -> Session:
    """A hand-set preset: its cell and sizes; its inputs unless --inputs or --inputs-file
    give others of its width."""
    cell, inputs = preset.build()
    try:
        table = _read_inputs(args, cell.input_size)
    except InputError as exc:
        names = f" ({', '.join(preset.input_names)})" if preset.input_names else ""
        # an example of the preset's own width (the inputs module's, "1,2;3,4", has two
        # inputs a step): its first two steps
        example = '"' + ";".join(",".join(f"{v:g}" for v in row) for row in preset.inputs[:2])
        example += '"'
        reason = str(exc)
        generic = '"1,2;3,4"'
        reason = (
            reason.replace(generic, example)
            if generic in reason
            else f"{reason}; as in --inputs {example}"
        )
        raise InputError(
            f"--preset {preset.name} takes {cell.input_size} input(s) a step{names}: {reason}"
        ) from None
    if table is None:
        table = InputsTable(inputs)
    return _session(args, cell, table, preset.origin, None, preset.input_names)


def _session(
    args: argparse.Namespace,
    cell: Cell,
    table: InputsTable,
    origin: str,
    seed: int | None,
    names: tuple[str, ...] | None = None,
) -> Session:
    """The session of a cell on a table of inputs, noting a file's skipped header line;
    ``names``: the inputs' names when the table has none (a preset's)."""
    session = Session(
        cell, table.values, origin=origin, seed=seed, input_names=table.names or names
    )
    if table.names is not None:
        session.notes.append(
            f"skipped the header line of {args.inputs_file}: {', '.join(table.names)}"
        )
    return session


def _task_session(args: argparse.Namespace) -> tuple[Session, Example]:
    """A trained model (--weights, with its readout) on an example of --task, drawn with
    --seed (default 0)."""
    if args.weights is None:
        raise UsageError(
            "--task needs --weights FILE: a trained model (lstm-engine train --out FILE)"
        )
    for option, given in (("--input-size", args.input_size), ("--preset", args.preset)):
        if given is not None:
            raise UsageError(f"--task and {option} exclude each other: the task fixes the inputs")
    model = load_model(args.weights, kind=args.cell)
    if args.hidden_size is not None and args.hidden_size != model.cell.hidden_size:
        raise UsageError(
            f"--hidden-size {args.hidden_size} does not match the weights file "
            f"({model.cell.hidden_size})"
        )
    seed = 0 if args.seed is None else args.seed
    length = DEFAULT_TASK_LENGTH if args.length is None else args.length
    companion = _beside(getattr(args, "beside", None), model.cell, model.readout)
    inputs, example = task_example(
        args.task, model.cell, model.readout, length, seed, companion=companion
    )
    origin = f"weights {Path(args.weights).name}"
    return Session(model.cell, inputs, origin=f"{origin}, {args.task} seed {seed}"), example


def _beside(
    path: str | None, cell: Cell, readout: Readout | None
) -> tuple[Cell, Readout | None] | None:
    """The trained companion of ``--beside`` (the dashboard's): the kind the gradient view
    draws beside ``cell`` (``gradflow.companion_kind``), of its sizes, with a readout."""
    if path is None:
        return None
    kind = companion_kind(cell.kind)
    other = load_model(path)
    if other.cell.kind != kind:
        raise UsageError(
            f"--beside: {path} holds {other.cell.title} weights; the gradient view draws the "
            f"{CELLS[kind].title} beside the {cell.title}"
        )
    if (other.cell.input_size, other.cell.hidden_size) != (cell.input_size, cell.hidden_size):
        raise UsageError(
            f"--beside: {path} has I={other.cell.input_size} H={other.cell.hidden_size}; "
            f"the cell has I={cell.input_size} H={cell.hidden_size}"
        )
    if other.readout is None:
        raise UsageError(f"--beside: {path} has no readout (train it with lstm-engine train)")
    if readout is not None and other.readout.output_size != readout.output_size:
        raise UsageError(
            f"--beside: {path}'s readout gives {other.readout.output_size} output(s), the "
            f"cell's {readout.output_size}: train both on the same task"
        )
    return other.cell, other.readout


def default_inputs(preset: Preset, input_size: int, seed: int | None) -> Array:
    """The preset's sequence; for another input size, DEFAULT_STEPS seeded N(0, 1) values."""
    if input_size == preset.input_size:
        return preset.rows()
    rng = np.random.RandomState(preset.seed if seed is None else seed)
    return np.round(rng.randn(DEFAULT_STEPS, input_size), 2)


def _read_inputs(args: argparse.Namespace, input_size: int | None) -> InputsTable | None:
    """The sequence the options give (with a file's column names), or None for none."""
    if args.inputs is not None:
        return InputsTable(parse_inputs(args.inputs, input_size))
    if args.inputs_file is not None:
        return read_inputs_table(args.inputs_file, input_size)
    return None


def print_notes(session: Session, stderr: TextIO) -> None:
    """Tell what was noticed while making the session (a skipped header line), a line
    each, as "lstm-engine: note: ..."."""
    for note in session.notes:
        print(f"{PROG}: note: {note}", file=stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog=PROG, description="Step LSTM-family cells headlessly.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    tracer = commands.add_parser(
        "trace",
        help="run a cell over a sequence and print every step",
        description="Run a cell over the whole sequence and print or write every step.",
    )
    add_model_options(tracer)
    out = tracer.add_argument_group("output")
    out.add_argument(
        "--format",
        choices=trace.FORMATS,
        help="default: the --output file's suffix (.json, .csv; .txt is the table), else table",
    )
    out.add_argument(
        "--output",
        metavar="FILE",
        help="write to FILE (atomically) not stdout (an existing file is overwritten)",
    )
    out.add_argument(
        "--plot", action="store_true", help="draw h and c over time in the terminal (plotext)"
    )
    add_train_command(commands)
    return parser


#: ``train``'s exit statuses, in its --help and the README.
EXIT_DONE = 0  #: the budget spent, the best weights saved
EXIT_DIVERGED = 1  #: the run diverged; its best weights (held-out) saved all the same
EXIT_NOT_SAVED = 3  #: trained, but the weights (or the report) could not be written
#: Signals that stop ``train`` after the current update, the best weights saved; the exit
#: status is then 128 + the signal's number, as a shell reports a process it killed.
STOP_SIGNALS: dict[int, str] = {
    signal.SIGINT: "Ctrl-C",
    signal.SIGTERM: "SIGTERM",
    signal.SIGHUP: "SIGHUP (the terminal closed)",
}
#: Seconds between two progress lines when stderr is not a terminal (a pipe, a log).
LOG_EVERY = 5.0
TRAIN_EXIT_STATUSES = (
    f"{EXIT_DONE}: the budget is spent and the weights saved; "
    f"{EXIT_DIVERGED}: training diverged (one line says how), the best weights on the "
    "held-out set (those before it went wrong) saved all the same; "
    f"{EXIT_USAGE}: a usage error, nothing trained or written; "
    f"{EXIT_NOT_SAVED}: trained, but --out or --report could not be written at the end; "
    f"{128 + signal.SIGINT} ({128 + signal.SIGHUP}, {128 + signal.SIGTERM}): stopped by "
    "Ctrl-C (SIGHUP, SIGTERM) after the current update, the best weights so far saved; a "
    "second one drops that update and saves at once. A closed output (| head, a reader "
    "that quit) only stops the printing: the run goes on, saves, and exits as above."
)


def add_train_command(commands: Any) -> None:
    trainer = commands.add_parser(
        "train",
        help="train a cell and a linear readout on a built-in task",
        description=(
            "Train a cell and a linear readout on a built-in task; save the best weights "
            "(on held-out data) with the readout. Tasks: "
            + "; ".join(f"{task.name}: {task.about}" for task in TASKS.values())
        ),
        epilog=f"Exit status: {TRAIN_EXIT_STATUSES}",
    )
    what = trainer.add_argument_group("what to train")
    what.add_argument("--task", choices=list(TASKS), required=True)
    what.add_argument("--cell", choices=list(CELLS), default="lstm", help="default: lstm")
    what.add_argument("--hidden-size", type=_size, default=8, metavar="H", help="default 8")
    what.add_argument(
        "--length",
        type=_length,
        default=DEFAULT_TASK_LENGTH,
        metavar="T",
        help=f"sequence length T, {MIN_LENGTH} to {MAX_LENGTH:,} (default {DEFAULT_TASK_LENGTH})",
    )
    what.add_argument("--seed", type=_seed, default=0, help="initial weights and data (default 0)")
    how = trainer.add_argument_group("how")
    budget = how.add_mutually_exclusive_group()
    budget.add_argument(
        "--updates", type=_whole(1, 10**9), metavar="N", help="optimiser steps to take"
    )
    budget.add_argument(
        "--time-limit",
        type=_real(positive=True),
        metavar="SECONDS",
        help=f"train for this long (default {DEFAULT_TIME_LIMIT:g} s when --updates is not given)",
    )
    how.add_argument("--lr", type=_real(positive=True), default=1e-2, help="default 0.01")
    how.add_argument(
        "--batch-size", type=_whole(1, MAX_BATCH), default=64, metavar="B", help="default 64"
    )
    how.add_argument("--optimiser", choices=OPTIMISERS, default="adam", help="default adam")
    how.add_argument(
        "--momentum",
        type=_real(0.0),
        help=f"SGD's momentum, with --optimiser sgd only (default {DEFAULT_MOMENTUM:g})",
    )
    how.add_argument(
        "--clip",
        type=_real(0.0),
        default=1.0,
        help="clip the gradient norm at this (default 1; 0: no clipping)",
    )
    how.add_argument(
        "--forget-bias",
        type=_real(),
        metavar="B_F",
        help="initial forget-gate bias, within ±100 (default: 1 for lstm and peephole, the "
        "kind's own for slstm and mlstm; the rnn has none)",
    )
    out = trainer.add_argument_group("output")
    out.add_argument(
        "--out",
        metavar="FILE.npz",
        required=True,
        help="where to save the best weights and the readout (.npz is added to a name "
        "without a suffix; an existing file is replaced when the run ends)",
    )
    out.add_argument(
        "--report",
        metavar="FILE.json",
        help="write the run's facts as JSON (.json is added to a name without a suffix; an "
        "existing file is replaced)",
    )


def config_from_options(args: argparse.Namespace) -> TrainConfig:
    """The training config the options describe; UsageError naming what is wrong.
    ``args.out`` becomes the weight file's name (``.npz`` added when it has no suffix)."""
    if not args.out.strip():
        raise UsageError("--out: give a file name")
    if os.path.isdir(args.out):  # not "FOLDER.npz": the name was meant as a place
        raise UsageError(f"--out {args.out}: is a directory; give a file name ending in .npz")
    try:
        args.out = os.fspath(weights_path(args.out))
    except ValueError as exc:
        raise UsageError(f"--out {args.out}: {exc}") from None
    if args.report is not None and args.report.strip():
        # the same rule as --out's: a name without a suffix gets .json, another is refused
        report = Path(args.report)
        if os.path.isdir(args.report) or args.report.rstrip().endswith("/"):
            raise UsageError(f"--report {args.report}: is a directory; give a file name")
        if not report.suffix:
            args.report = os.fspath(report.with_name(report.name + ".json"))
        elif report.suffix.lower() != ".json":
            raise UsageError(f"--report {args.report}: the file name must end in .json")
    for option, value in (("--out", args.out), ("--report", args.report)):
        if value is not None:
            if not value.strip():
                raise UsageError(f"{option}: give a file name")
            check_target(value)
    if args.momentum is not None and args.optimiser != "sgd":
        raise UsageError(
            f"--momentum is SGD's; {args.optimiser} has none (add --optimiser sgd, or leave "
            "--momentum out)"
        )
    config = TrainConfig(
        task=args.task,
        cell=args.cell,
        hidden_size=args.hidden_size,
        length=args.length,
        seed=args.seed,
        batch_size=args.batch_size,
        lr=args.lr,
        optimiser=args.optimiser,
        momentum=args.momentum,
        clip=args.clip or None,
        updates=args.updates,
        time_limit=None if args.updates else (args.time_limit or DEFAULT_TIME_LIMIT),
        forget_bias=args.forget_bias,
    )
    try:
        config.check()
    except TrainingError as exc:
        raise UsageError(str(exc)) from None
    return config


def run_train(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Train, show progress on stderr, save the best weights (and the report), then say
    how it went on stdout; the exit status is one of TRAIN_EXIT_STATUSES.

    Whatever becomes of the output streams, the weights are saved: writes go through
    ``Guarded`` streams, so a closed pipe stops the printing, not the run."""
    out, err = Guarded(stdout), Guarded(stderr)
    config = config_from_options(args)
    replacing = check_target(args.out).exists()
    # Built before the signals are taken (the held-out set: well under a second), so that
    # from then on there are weights to save: the initial ones are the best before any update.
    trainer = Trainer(config)
    with _stop_signals() as stop:
        with _progress_shown(config, err, stop) as show:
            try:
                result = train(config, show, stop.asked, trainer)
            finally:
                stop.hold()  # from here on a signal is only noted: saving takes milliseconds
        report = {**result.report, "out": args.out}
        text = json.dumps(report, indent=2) + "\n"
        for path, write in (
            (args.out, lambda: save_model(result.model, args.out)),
            (args.report, lambda: write_atomic(args.report, lambda f: f.write(text.encode()))),
        ):
            try:
                if path:
                    write()
            except OSError as exc:  # WriteError is a ValueError
                _say(err, f"{PROG}: error: cannot write {path}: {exc.strerror or exc}")
                return EXIT_NOT_SAVED
            except ValueError as exc:
                _say(err, f"{PROG}: error: {exc}")
                return EXIT_NOT_SAVED
    by = STOP_SIGNALS.get(stop.signum) if stop.signum else None
    _say(out, _summary(config, report, by, replacing))
    if report["diverged"]:
        best = (
            "the untrained ones (update 0)"
            if report["best_update"] == 0
            else f"those of update {report['best_update']}, which may still serve"
        )
        loss = (
            "no finite held-out loss"
            if report["best_loss"] is None
            else f"loss {report['best_loss']:.4g}"
        )
        _say(
            err,
            f"{PROG}: error: {report['diverged']}; the best held-out weights were saved: "
            f"{best}, {loss} against the baseline {report['baseline_loss']:.4g}",
        )
    if stop.signum:
        return 128 + stop.signum
    return EXIT_DIVERGED if report["diverged"] else EXIT_DONE


def _summary(config: TrainConfig, report: dict[str, Any], by: str | None, replaced: bool) -> str:
    task = TASKS[config.task]
    loss = "MSE" if task.objective == "mse" else "cross-entropy"
    best, final = report["best_loss"], report["final_loss"]
    stopped = f" (stopped by {by})" if by else " (stopped)" if report["stopped"] else ""
    if best is None:  # stopped (or diverged) during the evaluation of the start
        what = "the untrained weights (update 0, without a held-out loss)"
        losses = f"held-out {loss}: not measured (the first evaluation did not finish)"
        ratio = ""
    else:
        what = (
            "the untrained weights (update 0)" if report["best_update"] == 0 else "the best weights"
        )
        losses = (
            f"held-out {loss}: best {best:.6g} (update {report['best_update']}), "
            f"final {'diverged' if final is None else format(final, '.6g')}"
        )
        ratio = f"; best / baseline = {best / report['baseline_loss']:.3g}"
    saved = (
        f"replaced {report['out']} with {what} and the readout"
        if replaced
        else f"saved {what} and the readout to {report['out']}"
    )
    return (
        f"{config.cell} H={config.hidden_size} on {config.task} T={config.length}: "
        f"{report['updates']} updates in {report['seconds']:.1f} s{stopped}\n{losses}\n"
        f"baseline {report['baseline_loss']:.6g} ({task.trivial}){ratio}\n{saved}"
    )


class Guarded:
    """A text stream that may go away under us (a closed pipe: ``| head``, a reader that
    quit; a closed terminal): the first write or flush that fails makes it silent for
    good, so printing stops and the work goes on. Its file descriptor is then pointed at
    /dev/null, so that the interpreter's own flush at exit finds nothing to fail on
    (Python would print "Exception ignored" and exit 120)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.lost = False

    def write(self, text: str) -> int:
        if not self.lost:
            try:
                self.stream.write(text)
            except (OSError, ValueError):  # EPIPE, EIO; ValueError: a closed file
                self._lose()
        return len(text)

    def flush(self) -> None:
        if not self.lost:
            try:
                self.stream.flush()
            except (OSError, ValueError):
                self._lose()

    def isatty(self) -> bool:
        try:
            return not self.lost and self.stream.isatty()
        except (OSError, ValueError):
            return False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)

    def _lose(self) -> None:
        self.lost = True
        with contextlib.suppress(OSError, ValueError, AttributeError):
            fd = self.stream.fileno()
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, fd)
            os.close(devnull)


def _say(stream: TextIO | Guarded, text: str) -> None:
    """A line (or lines) on a stream that may be gone: then nothing, and no error."""
    guarded = stream if isinstance(stream, Guarded) else Guarded(stream)
    guarded.write(text + "\n")
    guarded.flush()


class _Stop:
    """What the stop signals asked, for ``train``'s ``should_stop``."""

    def __init__(self) -> None:
        self.signum = 0  #: the first stop signal's number, 0 while none came
        self.held = False  #: after training: signals are only noted
        #: says a line on stderr: the first signal is acknowledged at once
        self.notice: Callable[[str], None] | None = None

    def asked(self) -> bool:
        return bool(self.signum)

    def hold(self) -> None:
        self.held = True

    def on_signal(self, signum: int, frame: object) -> None:
        if self.signum and not self.held:
            raise KeyboardInterrupt  # the second: ``train`` drops the update under way
        if not self.signum and not self.held and self.notice is not None:
            # within 80 columns with the "lstm-engine: " before it
            self.notice(
                f"{STOP_SIGNALS[signum]}: stopping after this update; Ctrl-C again to stop at once"
            )
        self.signum = self.signum or signum


@contextlib.contextmanager
def _stop_signals() -> Iterator[_Stop]:
    """While training and saving: the first of STOP_SIGNALS asks to stop after the current
    update; a second one during training interrupts it (KeyboardInterrupt, which ``train``
    turns into a stop with the best weights so far); once ``hold()`` is called (saving)
    they are only noted. SIGPIPE stays ignored (Python's own setting): a closed pipe is a
    failed write, which ``Guarded`` absorbs."""
    stop = _Stop()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {signum: signal.signal(signum, stop.on_signal) for signum in STOP_SIGNALS}
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _loss(progress: Progress, digits: int = 4) -> str:
    """The last training batch's loss, "-" before the first update."""
    return f"{progress.loss:.{digits}g}" if progress.updates else "-"


def _run_line(config: TrainConfig) -> str:
    return (
        f"training {config.cell} H={config.hidden_size} on {config.task} T={config.length}: "
        f"held-out loss against the baseline {TASKS[config.task].baseline_loss(config.length):.4g}"
    )


@contextlib.contextmanager
def _progress_shown(
    config: TrainConfig, stderr: Guarded, stop: _Stop
) -> Iterator[Callable[[Progress], None]]:
    """A Rich progress bar on a terminal; else a line at the start, a line at the first
    evaluation, then at an evaluation at most every LOG_EVERY seconds, and at the last
    one. ``stop``'s notices go above the bar, or on a line of their own."""
    by_updates = config.updates is not None
    total = float(config.updates or config.time_limit or 0.0)
    if not stderr.isatty():
        written_at = -math.inf
        pending: list[Progress] = []  # the last evaluation, when its line was not written

        def line(progress: Progress) -> None:
            nonlocal written_at
            if progress.held_out is None:
                return
            pending[:] = [progress]
            if progress.seconds - written_at >= LOG_EVERY:
                write(progress)
                written_at = progress.seconds

        def write(progress: Progress) -> None:
            pending.clear()
            rate = progress.updates / progress.seconds if progress.seconds else 0.0
            of = f"/{config.updates}" if by_updates else ""
            _say(
                stderr,
                f"{PROG}: update {progress.updates}{of}, {progress.seconds:.1f} s, "
                f"{rate:.0f} updates/s: batch loss {_loss(progress)}, held-out "
                f"{progress.held_out:.4g}, best {progress.best:.4g} "
                f"(baseline {progress.baseline:.4g})",
            )

        stop.notice = lambda text: _say(stderr, f"{PROG}: {text}")
        # a long sequence's first evaluation can take seconds: the log says what runs
        _say(stderr, f"{PROG}: {_run_line(config)}; evaluating the start")
        yield line
        if pending:
            write(pending[0])
        return
    from rich.console import Console
    from rich.progress import BarColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    console = Console(file=cast(TextIO, stderr), force_terminal=True)
    # The fixed facts go above the bar, so that its line fits 80 columns.
    console.print(_run_line(config), highlight=False)
    # Drawn from this thread only (no refresh thread), so that every write is Guarded.
    bar = Bar(
        BarColumn(bar_width=8),
        TextColumn("{task.fields[facts]}  ETA"),
        TimeRemainingColumn(compact=True),
        console=console,
        auto_refresh=False,
    )
    # The phase shows until the first report (a long sequence's evaluation or update can
    # take seconds), so that the bar is seen to be alive.
    task_id = bar.add_task("train", total=total, facts="evaluating the start…")

    def update(progress: Progress) -> None:
        rate = progress.updates / progress.seconds if progress.seconds else 0.0
        facts = (
            f"{progress.updates} updates {rate:.0f}/s  batch {_loss(progress, 3)}  "
            f"best held-out {progress.best:.3g}"
            if progress.updates
            else f"first update…  start held-out {progress.best:.3g}"
        )
        bar.update(
            task_id,
            completed=progress.updates if by_updates else min(progress.seconds, total),
            facts=facts,
            refresh=True,
        )

    def note(text: str) -> None:
        console.print(f"{PROG}: {text}", highlight=False, markup=False)
        bar.refresh()

    with bar:
        stop.notice = note
        yield update


def run_trace(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Compute and write the trace a step at a time: memory holds the session's history
    (``Session.row_bytes`` a step) and one step's text, never the whole trace.

    A step that overflows raises ``StepOverflow`` (exit 2, "overflow at step t (cell,
    state)"). With ``--output`` the file is written beside its target and renamed over
    it only once every step is in, so then no file is left behind or replaced; on
    stdout the steps before it have been written."""
    if args.output is not None and not args.output.strip():
        raise UsageError("--output: give a file name (leave the option out for stdout)")
    if args.format is None:
        suffix = Path(args.output).suffix.lower() if args.output else ""
        args.format = {".json": "json", ".csv": "csv"}.get(suffix, "table")
    session = session_from_options(args)
    print_notes(session, stderr)

    def records() -> Iterator[Record]:
        while not session.at_end:
            yield session.step()

    cell, inputs = session.cell, session.inputs
    # an overflow is reported as StepOverflow, not as NumPy's warnings on stderr
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if args.output:
            try:
                write_atomic(
                    args.output,
                    lambda handle: trace.write_encoded(
                        args.format, cell, inputs, records(), handle
                    ),
                )
            except OSError as exc:
                raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        else:
            trace.write(args.format, cell, inputs, records(), stdout)
    if args.plot:
        # The plot follows a table; it must not corrupt JSON or CSV on stdout.
        stream = stdout if args.output or args.format == "table" else stderr
        stream.write(terminal_plot(session, stream) + "\n")
    return 0


def terminal_plot(session: Session, stream: TextIO) -> str:
    """h and c (the cell's plotted series) over every step, as text for ``stream``."""
    columns, lines = shutil.get_terminal_size((100, 30))
    colour = stream.isatty() and not os.environ.get("NO_COLOR")
    width, height = min(columns, 100), max(15, min(lines - 2, 30))
    cell = session.cell
    series = plot.series_of(session, cell.plotted, upto=session.t)
    curves = plot.session_curves(cell, series)
    figure = plotext_bridge.new_figure()
    plot.draw(
        figure,
        curves,
        session.t,
        width=width,
        height=height,
        colour=colour,
        title=plot.title_for(cell.plotted),
        legend=True,
    )
    text = plotext_bridge.text(figure, width, height)
    text = text if colour else plotext_bridge.uncolorize(text)
    return text + "".join(f"\n{note}" for note in beyond_float64(series))


def beyond_float64(series: dict[str, Array]) -> list[str]:
    """A line for each plotted series with numbers float64 cannot hold (the norm |C| of
    a finite C can pass it), which the plot leaves out."""
    notes = []
    for name, values in series.items():
        steps = np.flatnonzero(~np.isfinite(values).all(axis=tuple(range(1, values.ndim))))
        if len(steps):
            notes.append(
                f"{name} is beyond float64 (inf) at {len(steps)} step(s) from step "
                f"{steps[0] + 1}: not drawn there"
            )
    return notes


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command == "train":
            return run_train(args, sys.stdout, sys.stderr)
        if args.command != "trace":
            raise UsageError("choose a command: trace or train (see lstm-engine --help)")
        return run_trace(args, sys.stdout, sys.stderr)
    except KeyboardInterrupt:
        _say(sys.stderr, f"{PROG}: interrupted")
        return EXIT_INTERRUPTED
    except (UsageError, InputError, WeightsError, SessionError, ValueError) as exc:
        _say(sys.stderr, f"{PROG}: error: {exc}")
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (| head): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
