"""Latency of the real dashboard in a pseudo-terminal: launch to first frame, key to screen.

Spawns ``python -m tui ...`` in a 120x40 pty (TERM=xterm-256color; COLUMNS and LINES
are removed from the child's environment so that the pty's size is what Textual sees),
reads its output continuously and feeds it to a pyte screen, and times

* launch: from the spawn until the header shows ``step 0 / T`` and the footer row is
  drawn (``first_frame_s``), and until the output then stops for a while (``settled_s``);
* keys: from the write of a key's bytes until the header shows the expected step
  (``header`` figures: the time the chunk of output that completed it arrived), and until
  the output stopped after it (``settled`` figures: the arrival of the update's last chunk).

Configurations (``--configs``):

* ``short``: the default example (3 steps); right x3 then left x3, repeated;
* ``long``: ``--inputs-file`` with ``--steps`` seeded N(0, 1) values; ``end`` first, then
  left and right alternately between steps T-1 and T;
* ``long-h8``: the same inputs with ``--hidden-size 8`` (more to draw).

Each key waits for its update to be drawn (and the output to be quiet for ``--quiet-ms``)
before the next is sent; a key that is not drawn within ``--timeout`` seconds is reported
as a failure and ends that configuration. The child is always terminated. The script never
asserts: it prints one JSON document with the figures beside the targets (p95 <= 25 ms,
launch <= 0.8 s), the app's CPU time per key (from /proc: if it is close to the latency the
app is busy, if much lower the machine is), and the machine's facts.

    python benchmarks/tui_latency.py                       # all three configurations
    python benchmarks/tui_latency.py --configs long --presses 50
    python benchmarks/tui_latency.py --python-args="-m pyinstrument -o /tmp/p.txt"  # profile

Percentiles are nearest-rank. The short configuration presses each key about
``--presses`` times (a multiple of 3). JSON goes to stdout, a short summary to stderr.

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
TARGET_P95_MS = 25.0
TARGET_LAUNCH_S = 0.8
HEADER = re.compile(r"step (\d+) / (\d+)")
CONFIGS = ("short", "long", "long-h8")


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
    def close(self, wait: float = 5.0) -> dict[str, Any]:
        """Quit with q; if the app has not exited within ``wait`` s, terminate it."""
        how = "q"
        try:
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


@dataclass
class Run:
    """The figures of one configuration."""

    name: str
    argv: list[str]
    steps: int
    launch: dict[str, Any] = field(default_factory=dict)
    end_key: dict[str, Any] = field(default_factory=dict)
    header_ms: dict[str, list[float]] = field(default_factory=lambda: {"right": [], "left": []})
    settled_ms: dict[str, list[float]] = field(default_factory=lambda: {"right": [], "left": []})
    feed_ms: list[float] = field(default_factory=list)
    app_cpu_ms_per_key: float | None = None
    failures: list[str] = field(default_factory=list)
    closed: dict[str, Any] = field(default_factory=dict)

    def report(self) -> dict[str, Any]:
        keys = {}
        for name in ("right", "left"):
            header = summary(self.header_ms[name])
            keys[name] = {
                "header_ms": header,
                "settled_ms": summary(self.settled_ms[name]),
                "target_p95_ms": TARGET_P95_MS,
                "p95_within_target": header.get("p95", math.inf) <= TARGET_P95_MS
                if header["n"]
                else None,
            }
        return {
            "config": self.name,
            "command": shlex.join(self.argv),
            "steps": self.steps,
            "launch": self.launch,
            "end_key": self.end_key,
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
            "target_s": TARGET_LAUNCH_S,
            "within_target": shown - term.spawned <= TARGET_LAUNCH_S,
        }

        # -- to the end of a long sequence -----------------------------------------------
        if run.name != "short":
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
        run.failures.append(f"the app exited ({exc}); screen:\n{term.text()}")
    finally:
        run.closed = term.close(args.quit_timeout)


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
        "textual_plotext": version("textual-plotext"),
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--configs", default=",".join(CONFIGS), help="comma list of " + ", ".join(CONFIGS)
    )
    parser.add_argument("--steps", type=int, default=10_000, help="inputs of the long sequence")
    parser.add_argument("--seed", type=int, default=0, help="seed of the long sequence")
    parser.add_argument("--presses", type=int, default=100, help="presses of each key")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per key")
    parser.add_argument("--end-timeout", type=float, default=30.0, help="seconds for 'end'")
    parser.add_argument("--launch-timeout", type=float, default=20.0)
    parser.add_argument(
        "--quit-timeout", type=float, default=5.0, help="seconds to exit after q (then killed)"
    )
    parser.add_argument("--quiet-ms", type=float, default=30.0, help="quiet that ends an update")
    parser.add_argument("--python", default=sys.executable, help="the app's interpreter")
    parser.add_argument(
        "--python-args", default="", help="inserted before '-m tui', e.g. '-m pyinstrument -o F'"
    )
    args = parser.parse_args()
    names = [name.strip() for name in args.configs.split(",") if name.strip()]
    unknown = sorted(set(names) - set(CONFIGS))
    if unknown:
        parser.error(f"unknown configurations: {', '.join(unknown)}")

    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["TERM"] = "xterm-256color"
    facts = machine(args)
    started = time.perf_counter()
    runs = []
    with tempfile.TemporaryDirectory(prefix="tui-latency-") as tmp:
        inputs = Path(tmp, f"inputs_{args.steps}.csv")
        values = np.random.default_rng(args.seed).standard_normal(args.steps)
        inputs.write_text("".join(f"{v:.4f}\n" for v in values))
        base = [args.python, *shlex.split(args.python_args), "-m", "tui"]
        for name in names:
            if name == "short":
                argv, steps = base, 3
            else:
                argv = [*base, "--inputs-file", str(inputs)]
                if name == "long-h8":
                    argv += ["--hidden-size", "8"]
                steps = args.steps
            run = Run(name, argv, steps)
            measure(run, args, env, tmp)
            runs.append(run.report())
    with contextlib.suppress(OSError):
        facts["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    facts["wall_s"] = round(time.perf_counter() - started, 1)
    result = {
        "terminal": f"{COLS}x{ROWS} pty, TERM=xterm-256color, pyte",
        "targets": {"key_p95_ms": TARGET_P95_MS, "launch_s": TARGET_LAUNCH_S},
        "machine": facts,
        "app_source": app_source(),
        "runs": runs,
    }
    print(json.dumps(result, indent=1))
    for run in runs:
        print(summary_line(run), file=sys.stderr)


def summary_line(run: dict[str, Any]) -> str:
    """One line per configuration, figures beside the targets, for a person reading."""
    parts = [f"{run['config']:8}"]
    launch = run["launch"].get("first_frame_s")
    if launch is not None:
        mark = "ok" if launch <= TARGET_LAUNCH_S else "over"
        parts.append(f"launch {launch:.2f} s (<= {TARGET_LAUNCH_S} s: {mark})")
    for name, key in run["keys"].items():
        figures = key["header_ms"]
        if figures["n"]:
            mark = "ok" if key["p95_within_target"] else "over"
            parts.append(
                f"{name} p50 {figures['p50']:.0f} / p95 {figures['p95']:.0f} / "
                f"max {figures['max']:.0f} ms n={figures['n']} (p95 <= {TARGET_P95_MS:g}: {mark})"
            )
    if run["failures"]:
        parts.append(f"FAILED: {run['failures'][0].splitlines()[0]}")
    return " | ".join(parts)


if __name__ == "__main__":
    main()
