"""Memory of a session's history: 100,000 steps at H = 8 (target <= 100 MB).

Runs the session to the end under tracemalloc (NumPy reports its allocations to it)
and prints, as JSON, the peak traced memory of the run, the history array's size and
the bytes per step. tracemalloc slows the run down; the figures are sizes, not times.

    python benchmarks/session_memory.py [--steps 100000] [--hidden-size 8]
"""

from __future__ import annotations

import argparse
import json
import tracemalloc

import numpy as np

from lstm_engine import CELLS, Session


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--hidden-size", type=int, default=8)
    parser.add_argument("--cell", choices=list(CELLS), default="lstm")
    args = parser.parse_args()
    inputs = np.random.RandomState(0).randn(args.steps, 1)
    cell = CELLS[args.cell].init(1, args.hidden_size, 42)
    tracemalloc.start()
    session = Session(cell, inputs)
    session.run_to_end()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    mib = 2**20
    print(
        json.dumps(
            {
                "cell": args.cell,
                "steps": session.t,
                "hidden_size": args.hidden_size,
                "peak_traced_mib": round(peak / mib, 1),
                "held_after_run_mib": round(current / mib, 1),
                "history_array_mib": round(session.history_bytes / mib, 1),
                "bytes_per_step_held": round(session.history_bytes / session.t, 1),
                "target_mib": 100,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
