"""The longest stall of the dashboard per key, with 100,000 steps of history.

The app runs headless (Textual's ``run_test``) in this process. Beside it, a watchdog
task on the same event loop sleeps 2 ms at a time and records how late it wakes: while
a key's handler (or anything it starts) holds the loop, the watchdog cannot run, so the
largest lateness during a key is the longest time the screen could not answer. Each key
is pressed, then the app is left until every job it started is done (a run to the end,
a switch of cell, compare mode, an export), and the stall is the worst seen meanwhile.

    python benchmarks/long_stalls.py                 # 100,000 steps, LSTM H = 4
    python benchmarks/long_stalls.py --steps 20000 --cell mlstm --hidden-size 4

Prints one JSON document: per key its longest stall and how long until it was done, and
the history's memory. Target (issue 8): no stall over 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from lstm_engine import Session
from lstm_engine.cells import CELLS
from lstm_engine.stepper import Stepper
from tui.app import StepperApp
from tui.jobs import JobDialog


class Watchdog:
    """How late a 2 ms sleep on the event loop wakes: the loop's longest stall."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(0.002)
            self.worst = max(self.worst, time.perf_counter() - start - 0.002)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._watch())

    def reset(self) -> float:
        worst, self.worst = self.worst, 0.0
        return worst


async def settle(app: StepperApp, limit: float = 600.0) -> None:
    """Until no job dialog is up (and the screen has drawn)."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        await asyncio.sleep(0.05)
        if not isinstance(app.screen, JobDialog):
            await asyncio.sleep(0.05)
            if not isinstance(app.screen, JobDialog):
                return


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    inputs = rng.normal(size=(args.steps, 1))
    cell = CELLS[args.cell].init(1, args.hidden_size, 42)
    stepper = Stepper(Session(cell, inputs, origin="seed 42", seed=42))
    app = StepperApp(stepper)
    out = Path(tempfile.mkdtemp())
    figures: dict[str, Any] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        dog = Watchdog()
        dog.start()

        async def key(name: str, *keys: str, then: str | None = None) -> None:
            await pilot.pause(0.1)
            dog.reset()
            start = time.perf_counter()
            await pilot.press(*keys)
            await settle(app)
            if then:
                app.screen.query_one("Input").value = then  # type: ignore[attr-defined]
                await pilot.press("enter")
                await settle(app)
            figures[name] = {
                "stall_ms": round(dog.reset() * 1000, 1),
                "done_s": round(time.perf_counter() - start, 2),
                "t": stepper.frame.t,
            }

        await key("end", "end")
        figures["history_mb"] = round(sum(s.history_bytes for s in stepper.sessions()) / 2**20, 1)
        await key("left", "left")
        await key("right", "right")
        await key("home", "home")
        await key("end again", "end")
        await key("a (every unit)", "a")
        await key("a again", "a", "a")
        await key("i (x on the plot)", "i")
        await key("c (switch cell)", "c")
        await key("c back to lstm", "c", "c", "c")
        await key("v (compare)", "v")
        await key("space in compare", "left")
        await key("escape (one cell)", "escape")
        await key("w (weights view)", "w")
        await key("escape", "escape")
        await key("e (input editor)", "e")
        await key("escape", "escape")
        await key("x + csv export", "x", then=str(out / "trace.csv"))
        await key("x + json export", "x", then=str(out / "trace.json"))
        for name in ("trace.csv", "trace.json"):
            path = out / name
            if path.exists():
                figures[f"{name} MB"] = round(path.stat().st_size / 2**20, 1)
    return {
        "steps": args.steps,
        "cell": args.cell,
        "hidden_size": args.hidden_size,
        "keys": figures,
        "worst_stall_ms": max(v["stall_ms"] for v in figures.values() if isinstance(v, dict)),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--cell", default="lstm", choices=list(CELLS))
    parser.add_argument("--hidden-size", type=int, default=4)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args)), indent=1))


if __name__ == "__main__":
    main()
