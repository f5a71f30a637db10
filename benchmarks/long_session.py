"""Long sessions: 100,000 steps of each cell, what they hold and what exporting them costs.

For each cell at H = 1 and H = 4 (one input): the history's size (``history_bytes``),
the time to compute the steps, and, each in a fresh subprocess that computes and
writes a step at a time as ``lstm-engine trace --output`` does, the time to export
them as JSON and CSV, the file's size and the process's peak resident memory
(VmHWM of /proc/self/status, which includes Python and NumPy themselves: see the
first line; not ``ru_maxrss``, which Linux carries over from the parent across exec).

    python benchmarks/long_session.py [--steps 100000] [--hidden-sizes 1 4]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from lstm_engine import CELLS, Session, trace

MIB = 2**20


def session_for(kind: str, hidden_size: int, steps: int) -> Session:
    inputs = np.random.RandomState(0).randn(steps, 1)
    return Session(CELLS[kind].init(1, hidden_size, 42), inputs)


def export(kind: str, hidden_size: int, steps: int, fmt: str) -> dict[str, float]:
    """In this process: compute and write ``steps`` steps; time, size and peak memory."""
    start = time.perf_counter()
    size = 0
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, f"trace.{fmt}")
        session = session_for(kind, hidden_size, steps)
        if fmt != "none":
            records = (session.step() for _ in range(steps))
            with open(path, "w", encoding="utf-8", newline="\n") as out:
                trace.write(fmt, session.cell, session.inputs, records, out)
            size = os.path.getsize(path)
    return {
        "seconds": time.perf_counter() - start,
        "bytes": size,
        "peak_rss": peak_resident(),
    }


def peak_resident() -> int:
    """This process's peak resident memory in bytes (VmHWM)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def in_subprocess(kind: str, hidden_size: int, steps: int, fmt: str) -> dict[str, float]:
    args = [sys.executable, __file__, "--child", kind, str(hidden_size), str(steps), fmt]
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--hidden-sizes", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, hidden, steps, fmt = args.child
        print(json.dumps(export(kind, int(hidden), int(steps), fmt)))
        return
    baseline = in_subprocess("lstm", 1, 1, "none")
    print(f"{args.steps} steps; a process that only imports: {baseline['peak_rss'] / MIB:.0f} MiB")
    head = (
        f"{'cell':9} {'H':>2} {'history':>9} {'compute':>8} "
        f"{'JSON':>7} {'MB':>6} {'peak':>8} {'CSV':>7} {'MB':>6} {'peak':>8}"
    )
    print(head)
    print("-" * len(head))
    for kind in CELLS:
        for hidden in args.hidden_sizes:
            session = session_for(kind, hidden, args.steps)
            start = time.perf_counter()
            session.run_to_end()
            compute = time.perf_counter() - start
            line = f"{kind:9} {hidden:>2} {session.history_bytes / MIB:>5.1f} MiB {compute:>7.2f}s"
            for fmt in ("json", "csv"):
                result = in_subprocess(kind, hidden, args.steps, fmt)
                line += (
                    f" {result['seconds']:>6.1f}s {result['bytes'] / 1e6:>6.1f}"
                    f" {result['peak_rss'] / MIB:>4.0f} MiB"
                )
            print(line, flush=True)


if __name__ == "__main__":
    main()
