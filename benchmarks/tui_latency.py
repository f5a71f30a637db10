"""Latency of the real dashboard in a pseudo-terminal, beside a bare-Textual baseline.

Spawns the app in a 120x40 pty (TERM=xterm-256color; COLUMNS and LINES are removed from
the child's environment so that the pty's size is what Textual sees), reads its output
continuously and feeds it to a pyte screen, and times

* launch: from the spawn until the header shows ``step 0 / T`` and the footer row is
  drawn (``first_frame_s``), and until the output then stops for a while (``settled_s``);
* keys: from the write of a key's bytes until the header shows the expected step
  (``header`` figures: the time the chunk of output that completed it arrived), and until
  the output stopped after it (``settled`` figures: the arrival of the update's last chunk).

Key plans: ``short``, the 3-step default example: right x3 then left x3, repeated;
``long``: ``--inputs-file`` with ``--steps`` seeded N(0, 1) values, ``end`` first, then
left and right alternately between steps T-1 and T.

The baseline (``benchmarks/baseline_app.py``) is a bare Textual app with the same header
text and a footer, answering the same keys with nothing to compute or plot. It runs first,
once with each plan the chosen configurations need (``baseline-short`` with T = 3,
``baseline-long`` with T = ``--steps``), in the same run and on the same machine, so that
the dashboard's figures are read against what Textual itself costs here. It runs without
``--python-args``.

Configurations of the dashboard (``--configs``):

* ``short``: ``python -m tui``, short plan;
* ``long``: the long inputs, long plan;
* ``long-h8``: the same with ``--hidden-size 8`` (eight rows in every gate box);
* ``mlstm-h8``: the same with ``--cell mlstm --hidden-size 8``;
* ``compare``: the long inputs; after ``end``, ``v`` opens compare mode (two cells side by
  side; its header also shows ``step t / T``), then the long plan's alternation;
* ``all-units``: ``--hidden-size 8``; after ``end``, ``a`` makes the plot draw every unit,
  then the alternation.

And two references that are not the dashboard: ``textual-16-lines`` and
``textual-32-lines``, the baseline app redrawing 16 or 32 lines of a bordered panel per
key as well (``--lines``), about what the dashboard changes per key at H = 1 and at
H = 8. They show the floor Textual itself puts under the dashboard's figures on this
machine: drawing a changed line costs Textual about as much as the rest of a key.

Keys pressed to set a configuration up (``v``, ``a``) are not timed: each is sent, the
screen is awaited (the compare header; the plot's "every unit" title) and the output left
to go quiet for 0.5 s. Each timed key waits for its update to be drawn (and the output to
be quiet for ``--quiet-ms``) before the next is sent; a key that is not drawn within
``--timeout`` seconds is reported as a failure and ends that configuration, as does an app
that exits or does not draw its first frame. The child is always terminated.

Target: in every configuration, the key p95 (right and left together) is at most 2.5x the
p95 of the baseline run with the same plan (short plan for ``short``, long plan for the
others), per key too. Launch (first frame) is reported beside the baseline's as a ratio,
with no target. The script never asserts: it prints one JSON document with the figures,
ratios and verdicts, the app's CPU time per key (from /proc: if it is close to the latency
the app is busy, if much lower the machine is), and the machine's facts; and one summary
line per configuration on stderr.

    python benchmarks/tui_latency.py                       # the baselines, then all six
    python benchmarks/tui_latency.py --configs long,compare --presses 50 --steps 2000
    python benchmarks/tui_latency.py --python-args="-m pyinstrument -o /tmp/p.txt"  # profile

Percentiles are nearest-rank. Each key is pressed about ``--presses`` times (the short
plan's rounds up to a multiple of 3). A baseline p95 of a few ms is close to the timer's
and scheduler's noise, so ratios move from run to run; compare runs, not single figures.

pyte parses a full repaint (~20 KB) in tens of ms, in Python, on the same machine. So the
output is timestamped as it is read and fed to pyte only once the update has gone quiet;
the figures are arrival times and do not include pyte's work, which happens between keys
(``harness_feed_ms_p50``: pyte's time per key). Feeding pyte inline after every read, the
simplest way, adds that time to every figure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import re
import select
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pexpect
import pyte

COLS, ROWS = 120, 40
RIGHT, LEFT = b"\x1b[C", b"\x1b[D"
END_KEYS = (b"\x1b[F", b"\x1b[4~")  # the second is tried if the first is not recognised
QUIT = b"q"
TARGET_RATIO = 2.5  # key p95 <= this x the baseline's p95, same plan, same run
PREPARE_QUIET_S = 0.5  # quiet after an untimed set-up key
HEADER = re.compile(r"step (\d+) / (\d+)")
BASELINE_APP = Path(__file__).resolve().parent / "baseline_app.py"


class ChildGone(Exception):
    """The app's output ended (it exited or crashed)."""


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(math.ceil(p / 100 * len(sorted_values)), 1)
    return sorted_values[rank - 1]


def summary(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    return {
        "p50": round(percentile(ordered, 50), 2),
        "p95": round(percentile(ordered, 95), 2),
        "max": round(ordered[-1], 2),
        "n": len(ordered),
    }


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


class Terminal:
    """The app in a pty, and a pyte screen of what it drew.

    Output is read as it comes and kept with its arrival time; it is fed to pyte later
    (``replay``), chunk by chunk, so that pyte's parsing (tens of ms for a full repaint)
    neither delays the reads nor competes with the app for the CPU while it draws. The
    time a screen state was reached is the arrival of the chunk after which pyte shows it.
    """

    def __init__(self, argv: list[str], env: dict[str, str], cwd: str) -> None:
        self.screen = pyte.Screen(COLS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        self.pending: list[tuple[float, bytes]] = []
        self.feed_seconds = 0.0
        self.spawned = time.perf_counter()
        self.child = pexpect.spawn(
            argv[0], argv[1:], env=env, cwd=cwd, dimensions=(ROWS, COLS), echo=False
        )
        self.fd = self.child.child_fd
        self.last_arrival = self.spawned

    # -- reading ----------------------------------------------------------------------
    def read(self, timeout: float) -> bytes | None:
        """Wait up to ``timeout`` s for output and keep it (not yet fed to pyte)."""
        ready, _, _ = select.select([self.fd], [], [], max(timeout, 0.0))
        if not ready:
            return None
        try:
            data = os.read(self.fd, 1 << 16)
        except OSError as exc:  # EIO: the child closed the pty
            raise ChildGone(str(exc)) from None
        arrived = time.perf_counter()
        if not data:
            raise ChildGone("end of output")
        self.pending.append((arrived, data))
        self.last_arrival = arrived
        return data

    def drain(self, quiet: float, limit: float = 3.0) -> None:
        """Read until there has been no output for ``quiet`` s (at most ``limit`` s)."""
        stop = time.perf_counter() + limit
        while time.perf_counter() < stop and self.read(quiet) is not None:
            pass

    def replay(self, predicate: Callable[[], bool] | None = None) -> float | None:
        """Feed what was read to pyte; the arrival of the chunk after which ``predicate``
        first held (None if it did not)."""
        reached = None
        began = time.perf_counter()
        for arrived, data in self.pending:
            self.stream.feed(data)
            if reached is None and predicate is not None and predicate():
                reached = arrived
        self.pending.clear()
        self.feed_seconds += time.perf_counter() - began
        return reached

    def await_screen(
        self, predicate: Callable[[], bool], trigger: bytes, deadline: float, quiet: float
    ) -> float | None:
        """Read until pyte shows ``predicate``, or until ``deadline``; the arrival time.

        ``trigger`` (bytes the awaited output contains, such as the header's text) says
        when to stop reading, let the output go quiet and ask pyte; so does a pause in the
        output more than 0.25 s after the start, in case the trigger never appears.
        """
        started = time.perf_counter()
        seen = bytearray()
        while True:
            now = time.perf_counter()
            if now >= deadline:
                self.replay()
                return None
            data = self.read(min(deadline - now, 0.005))
            if data is not None:
                seen += data
                if trigger not in seen:
                    continue
            elif not self.pending or now - started < 0.25:
                continue
            self.drain(quiet)
            reached = self.replay(predicate)
            if reached is not None:
                return reached
            seen.clear()

    # -- what is on screen --------------------------------------------------------------
    def row(self, y: int) -> str:
        line = self.screen.buffer[y]
        return "".join(line[x].data for x in range(COLS))

    def header_step(self) -> tuple[int, int] | None:
        match = HEADER.search(self.row(0))
        return (int(match[1]), int(match[2])) if match else None

    def text(self) -> str:
        """What the screen shows, trailing blanks dropped."""
        return "\n".join(line.rstrip() for line in self.screen.display).rstrip()

    # -- ending -------------------------------------------------------------------------
    def close(self, wait: float = 5.0, leave: tuple[bytes, ...] = ()) -> dict[str, Any]:
        """Send ``leave`` (keys that close a screen without q), then quit with q; if the
        app has not exited within ``wait`` s, terminate it."""
        how = " then ".join([*(key.decode("ascii") for key in leave), "q"])
        try:
            with contextlib.suppress(OSError, ChildGone):
                for key in leave:
                    os.write(self.fd, key)
                    self.drain(0.3, limit=2.0)
            with contextlib.suppress(OSError):
                os.write(self.fd, QUIT)
            deadline = time.perf_counter() + wait
            with contextlib.suppress(ChildGone):
                while time.perf_counter() < deadline:
                    self.read(0.05)
                    if not self.child.isalive():
                        break
                else:
                    how = f"terminated (did not quit within {wait:g} s)"
        finally:
            if self.child.isalive():
                self.child.terminate(force=True)
            with contextlib.suppress(Exception):
                self.child.close(force=True)
        return {
            "quit": how,
            "exit_status": self.child.exitstatus,
            "signal": self.child.signalstatus,
        }


@dataclass(frozen=True)
class Prepare:
    """An untimed key that sets a configuration up, and what the screen shows after it."""

    key: bytes
    what: str  # for reports: what the key should have done
    shown: Callable[[Terminal, int], bool]  # (terminal, T) -> the screen shows it


@dataclass(frozen=True)
class Config:
    name: str
    plan: str  # "short" or "long"
    app_args: tuple[str, ...] = ()  # after the inputs file (long plan)
    prepare: tuple[Prepare, ...] = ()  # pressed after 'end', before the timed keys
    leave: tuple[bytes, ...] = ()  # sent before q, to close a screen q does not quit
    baseline: bool = False
    #: The baseline app with these arguments, reported like an app against the baseline:
    #: what bare Textual takes to redraw as many lines as a configuration of the dashboard.
    reference: tuple[str, ...] = ()

    @property
    def baseline_name(self) -> str:
        return f"baseline-{self.plan}"


def _compare_shown(term: Terminal, steps: int) -> bool:
    return "Compare" in term.row(0) and term.header_step() == (steps, steps)


def _all_units_shown(term: Terminal, steps: int) -> bool:
    return "every unit" in term.text() and term.header_step() == (steps, steps)


BASELINES = {
    "baseline-short": Config("baseline-short", "short", baseline=True),
    "baseline-long": Config("baseline-long", "long", baseline=True),
}
APP_CONFIGS = {
    config.name: config
    for config in (
        Config("short", "short"),
        Config("long", "long"),
        Config("long-h8", "long", ("--hidden-size", "8")),
        Config("mlstm-h8", "long", ("--cell", "mlstm", "--hidden-size", "8")),
        Config(
            "compare",
            "long",
            prepare=(Prepare(b"v", "open compare mode", _compare_shown),),
            leave=(b"v",),  # the compare screen has no q; v goes back to the dashboard
        ),
        Config(
            "all-units",
            "long",
            ("--hidden-size", "8"),
            prepare=(Prepare(b"a", "plot all units", _all_units_shown),),
        ),
        # Not the dashboard: bare Textual redrawing 16 and 32 lines a key, about what the
        # dashboard changes a key at H = 1 and at H = 8: the floor under those figures.
        Config("textual-16-lines", "long", reference=("--lines", "16")),
        Config("textual-32-lines", "long", reference=("--lines", "32")),
    )
}
CONFIGS = tuple(APP_CONFIGS)


KEYS = ("right", "left")


@dataclass
class Run:
    """The figures of one configuration."""

    config: Config
    argv: list[str]
    steps: int
    launch: dict[str, Any] = field(default_factory=dict)
    end_key: dict[str, Any] = field(default_factory=dict)
    prepared: list[dict[str, Any]] = field(default_factory=list)
    header_ms: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KEYS})
    settled_ms: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KEYS})
    feed_ms: list[float] = field(default_factory=list)
    app_cpu_ms_per_key: float | None = None
    failures: list[str] = field(default_factory=list)
    closed: dict[str, Any] = field(default_factory=dict)

    def key_figures(self) -> dict[str, dict[str, Any]]:
        """Header and settled figures of each key, and of both keys together ("all")."""
        figures = {
            name: {
                "header_ms": summary(self.header_ms[name]),
                "settled_ms": summary(self.settled_ms[name]),
            }
            for name in KEYS
        }
        figures["all"] = {
            "header_ms": summary([v for name in KEYS for v in self.header_ms[name]]),
            "settled_ms": summary([v for name in KEYS for v in self.settled_ms[name]]),
        }
        return {"all": figures["all"], **{name: figures[name] for name in KEYS}}

    def report(self, baseline: Run | None) -> dict[str, Any]:
        """The figures; beside the baseline's (same plan, same run) unless this is one."""
        keys = self.key_figures()
        launch = dict(self.launch)
        if not self.config.baseline:
            base_keys = baseline.key_figures() if baseline is not None else {}
            for name, figures in keys.items():
                p95 = figures["header_ms"].get("p95")
                base_p95 = base_keys.get(name, {}).get("header_ms", {}).get("p95")
                ratio = p95 / base_p95 if p95 is not None and base_p95 else None
                figures["baseline_p95_ms"] = base_p95
                figures["ratio_p95"] = None if ratio is None else round(ratio, 2)
                figures["target_ratio"] = TARGET_RATIO
                figures["within_target"] = None if ratio is None else ratio <= TARGET_RATIO
            base_launch = baseline.launch.get("first_frame_s") if baseline is not None else None
            first = launch.get("first_frame_s")
            launch["baseline_first_frame_s"] = base_launch
            launch["ratio"] = round(first / base_launch, 2) if first and base_launch else None
        return {
            "config": self.config.name,
            "role": "baseline"
            if self.config.baseline
            else "reference"
            if self.config.reference
            else "app",
            "plan": self.config.plan,
            "baseline": None if self.config.baseline else self.config.baseline_name,
            "command": shlex.join(self.argv),
            "steps": self.steps,
            "launch": launch,
            "end_key": self.end_key,
            "prepared": self.prepared,
            "keys": keys,
            "app_cpu_ms_per_key": self.app_cpu_ms_per_key,
            "harness_feed_ms_p50": summary(self.feed_ms).get("p50"),
            "failures": self.failures,
            "close": self.closed,
        }


def press(
    term: Terminal, key: bytes, expect: int, steps: int, timeout: float, quiet: float
) -> tuple[float, float, float] | None:
    """Send a key once the screen is quiet; (header ms, settled ms, pyte ms), None if late."""
    term.drain(0.01)  # the previous update went quiet already; take anything late
    term.replay()
    feed_before = term.feed_seconds
    sent = time.perf_counter()
    os.write(term.fd, key)
    shown = term.await_screen(
        lambda: term.header_step() == (expect, steps),
        f"step {expect} / {steps} ".encode(),
        sent + timeout,
        quiet,
    )
    if shown is None:
        return None
    settled = max(term.last_arrival, shown)
    feed = (term.feed_seconds - feed_before) * 1e3
    return (shown - sent) * 1e3, (settled - sent) * 1e3, feed


def prepare(term: Terminal, step: Prepare, steps: int, timeout: float) -> float | None:
    """Send an untimed set-up key; wait for its screen, then for 0.5 s of quiet.

    Returns roughly how long the screen took to show it (s; a pause of 0.5 s in the
    output is what makes the harness look, so this is not a latency), None if it did not
    within ``timeout`` s.
    """
    term.drain(0.01)
    term.replay()
    sent = time.perf_counter()
    os.write(term.fd, step.key)
    deadline = sent + timeout
    while True:
        term.drain(PREPARE_QUIET_S, limit=max(deadline - time.perf_counter(), 0.0))
        term.replay()
        if step.shown(term, steps):
            shown = time.perf_counter() - sent
            term.drain(PREPARE_QUIET_S)
            term.replay()
            return shown
        if time.perf_counter() >= deadline:
            return None


def measure(run: Run, args: argparse.Namespace, env: dict[str, str], cwd: str) -> None:
    timeout, quiet = args.timeout, args.quiet_ms / 1e3
    term = Terminal(run.argv, env, cwd)
    try:
        # -- launch --------------------------------------------------------------------
        def first_frame() -> bool:  # the header, and the footer on the last row
            return term.header_step() == (0, run.steps) and term.row(ROWS - 1).strip() != ""

        trigger = f"step 0 / {run.steps} ".encode()
        shown = term.await_screen(first_frame, trigger, term.spawned + args.launch_timeout, 0.1)
        if shown is None:
            run.failures.append(
                f"launch: no first frame within {args.launch_timeout} s; "
                f"header row: {term.row(0).strip()!r}"
            )
            return
        run.launch = {
            "first_frame_s": round(shown - term.spawned, 3),
            "settled_s": round(max(term.last_arrival, shown) - term.spawned, 3),
        }

        # -- to the end of a long sequence -----------------------------------------------
        if run.config.plan == "long":
            for key in END_KEYS:
                got = press(term, key, run.steps, run.steps, args.end_timeout, quiet)
                if got is not None:
                    run.end_key = {
                        "key": key.decode("ascii").replace("\x1b", "ESC"),
                        "header_ms": round(got[0], 1),
                        "settled_ms": round(got[1], 1),
                    }
                    break
                if term.header_step() != (0, run.steps):  # recognised, but slow
                    break
            if not run.end_key:
                run.failures.append(
                    f"end: header not 'step {run.steps} / {run.steps}' within "
                    f"{args.end_timeout} s; header row: {term.row(0).strip()!r}"
                )
                return
            plan = [(LEFT, run.steps - 1), (RIGHT, run.steps)] * args.presses
        else:
            cycle = [(RIGHT, 1), (RIGHT, 2), (RIGHT, 3), (LEFT, 2), (LEFT, 1), (LEFT, 0)]
            plan = cycle * math.ceil(args.presses / 3)

        # -- untimed set-up keys -----------------------------------------------------------
        for step in run.config.prepare:
            took = prepare(term, step, run.steps, args.end_timeout)
            label = step.key.decode("ascii")
            if took is None:
                run.failures.append(
                    f"{label!r} ({step.what}): not shown within {args.end_timeout} s; "
                    f"header row: {term.row(0).strip()!r}"
                )
                return
            run.prepared.append({"key": label, "what": step.what, "shown_after_s": round(took, 1)})

        # -- the presses -------------------------------------------------------------------
        term.drain(0.2)
        cpu_before = cpu_seconds(term.child.pid)
        done = 0
        for key, expect in plan:
            name = "right" if key == RIGHT else "left"
            got = press(term, key, expect, run.steps, timeout, quiet)
            if got is None:
                run.failures.append(
                    f"{name} (press {done + 1}): header not 'step {expect} / {run.steps}' "
                    f"within {timeout} s; header row: {term.row(0).strip()!r}"
                )
                break
            run.header_ms[name].append(got[0])
            run.settled_ms[name].append(got[1])
            run.feed_ms.append(got[2])
            done += 1
        cpu_after = cpu_seconds(term.child.pid)
        if done and cpu_before is not None and cpu_after is not None:
            run.app_cpu_ms_per_key = round((cpu_after - cpu_before) * 1e3 / done, 2)
    except ChildGone as exc:
        with contextlib.suppress(Exception):
            term.replay()
        screen = term.text()
        last = next((line.strip() for line in reversed(screen.splitlines()) if line.strip()), "")
        run.failures.append(f"the app exited ({exc}); last line: {last!r}; screen:\n{screen}")
    finally:
        run.closed = term.close(args.quit_timeout, run.config.leave if run.prepared else ())


def machine(args: argparse.Namespace) -> dict[str, Any]:
    def version(name: str) -> str | None:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    blas_env = {k: v for k, v in os.environ.items() if k.startswith(("OPENBLAS", "OMP_", "MKL_"))}
    facts: dict[str, Any] = {
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "app_python": args.python,
        "numpy": np.__version__,
        "textual": version("textual"),
        "rich": version("rich"),
        "plotext": version("plotext"),
        "pyte": version("pyte"),
        "pexpect": version("pexpect"),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "not set"),
        "blas_threading_env": blas_env,
        "textual_env": {k: v for k, v in os.environ.items() if k.startswith("TEXTUAL")},
    }
    if "OPENBLAS_CORETYPE" in os.environ:
        facts["note"] = (
            f"OPENBLAS_CORETYPE is set ({os.environ['OPENBLAS_CORETYPE']}): OpenBLAS kernels "
            "are forced, not chosen for this CPU"
        )
    with contextlib.suppress(OSError):
        facts["loadavg_start"] = [round(x, 2) for x in os.getloadavg()]
    return facts


def app_source() -> dict[str, Any]:
    """Which code was measured: the commit, and the app's files changed since it."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, timeout=10
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    changed = git("status", "--porcelain", "--", "tui", "lstm_engine")
    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "uncommitted_app_files": None if changed is None else changed.splitlines(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--configs",
        default=",".join(CONFIGS),
        help="comma list of " + ", ".join(CONFIGS) + " (the baselines they need run first)",
    )
    parser.add_argument("--steps", type=int, default=10_000, help="inputs of the long sequence")
    parser.add_argument("--seed", type=int, default=0, help="seed of the long sequence")
    parser.add_argument("--presses", type=int, default=100, help="presses of each key")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per key")
    parser.add_argument(
        "--end-timeout", type=float, default=30.0, help="seconds for 'end' and set-up keys"
    )
    parser.add_argument("--launch-timeout", type=float, default=20.0)
    parser.add_argument(
        "--quit-timeout", type=float, default=5.0, help="seconds to exit after q (then killed)"
    )
    parser.add_argument("--quiet-ms", type=float, default=30.0, help="quiet that ends an update")
    parser.add_argument("--python", default=sys.executable, help="the apps' interpreter")
    parser.add_argument(
        "--python-args",
        default="",
        help="inserted before '-m tui' (not for the baseline), e.g. '-m pyinstrument -o F'",
    )
    args = parser.parse_args()
    if args.steps < 1:
        parser.error("--steps must be at least 1")
    names = [name.strip() for name in args.configs.split(",") if name.strip()]
    unknown = sorted(set(names) - set(APP_CONFIGS) - set(BASELINES))
    if unknown:
        parser.error(f"unknown configurations: {', '.join(unknown)}")
    apps = [APP_CONFIGS[name] for name in dict.fromkeys(names) if name in APP_CONFIGS]
    wanted = {config.baseline_name for config in apps} | (set(names) & set(BASELINES))
    configs = [config for name, config in BASELINES.items() if name in wanted] + apps

    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["TERM"] = "xterm-256color"
    facts = machine(args)
    started = time.perf_counter()
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="tui-latency-") as tmp:
        inputs = Path(tmp, f"inputs_{args.steps}.csv")
        values = np.random.default_rng(args.seed).standard_normal(args.steps)
        inputs.write_text("".join(f"{v:.4f}\n" for v in values))
        app = [args.python, *shlex.split(args.python_args), "-m", "tui"]
        for config in configs:
            steps = 3 if config.plan == "short" else args.steps
            if config.baseline or config.reference:
                argv = [args.python, str(BASELINE_APP), "--steps", str(steps), *config.reference]
            elif config.plan == "short":
                argv = [*app, *config.app_args]
            else:
                argv = [*app, "--inputs-file", str(inputs), *config.app_args]
            run = Run(config, argv, steps)
            try:
                measure(run, args, env, tmp)
            except Exception as exc:  # the harness's own trouble: report it, go on
                run.failures.append(f"harness error: {type(exc).__name__}: {exc}")
            runs.append(run)
    with contextlib.suppress(OSError):
        facts["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    facts["wall_s"] = round(time.perf_counter() - started, 1)
    baselines = {run.config.name: run for run in runs if run.config.baseline}
    reports = [run.report(baselines.get(run.config.baseline_name)) for run in runs]
    result = {
        "terminal": f"{COLS}x{ROWS} pty, TERM=xterm-256color, pyte",
        "targets": {
            "key_p95_ratio_to_baseline_p95": TARGET_RATIO,
            "baseline": "benchmarks/baseline_app.py in the same run, same key plan",
            "launch": "reported beside the baseline's as a ratio; no target",
        },
        "machine": facts,
        "app_source": app_source(),
        "runs": reports,
    }
    print(json.dumps(result, indent=1))
    for report in reports:
        print(summary_line(report), file=sys.stderr)


def summary_line(run: dict[str, Any]) -> str:
    """One line per configuration, figures beside the baseline's, for a person reading."""
    app = run["role"] != "baseline"
    parts = [f"{run['config']:14}"]
    launch = run["launch"].get("first_frame_s")
    if launch is not None:
        text = f"launch {launch:.2f} s"
        base = run["launch"].get("baseline_first_frame_s")
        if app:
            text += f" (base {base:.2f} s, x{run['launch']['ratio']:.2f})" if base else ""
        parts.append(text)
    keys = run["keys"]
    figures = keys["all"]["header_ms"]
    if figures["n"]:
        text = (
            f"keys p50/p95/max {figures['p50']:.1f}/{figures['p95']:.1f}/{figures['max']:.1f}"
            f" ms n={figures['n']}"
        )
        if app:
            ratio = keys["all"]["ratio_p95"]
            if ratio is None:
                text += ", no baseline p95"
            else:
                mark = "ok" if keys["all"]["within_target"] else "OVER"
                text += (
                    f", base p95 {keys['all']['baseline_p95_ms']:.1f} ms, x{ratio:.2f}"
                    f" (<= {TARGET_RATIO:g}: {mark})"
                )
        parts.append(text)
        for name in KEYS:
            key = keys[name]
            if key["header_ms"]["n"]:
                text = f"{name} p95 {key['header_ms']['p95']:.1f}"
                if app and key["ratio_p95"] is not None:
                    text += f" x{key['ratio_p95']:.2f}"
                parts.append(text)
    if run["failures"]:
        parts.append(f"FAILED: {run['failures'][0].splitlines()[0]}")
    return " | ".join(parts)


if __name__ == "__main__":
    main()
