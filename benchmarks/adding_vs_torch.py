"""Time to learn the adding problem, NumPy against PyTorch, on the same data from the same
weights with the same hyperparameters.

The task of ``lstm_engine/tasks.py`` at T = 100, an LSTM with H = 8 and a linear readout,
batch 64, Adam lr 1e-2, gradient-norm clipping at 1, forget-gate bias 1 (``TrainConfig``),
until the held-out MSE is at most 0.001. For each seed:

* the training batches are made once, before any timing (a pool of ``--pool`` batches,
  cycled), and the same arrays feed both libraries; the held-out set is the ``Trainer``'s
  (512 sequences);
* PyTorch's ``nn.LSTM`` + ``nn.Linear`` start from the ``Trainer``'s initial weights
  (copied), in float64 and in float32, with ``torch.optim.Adam`` and ``clip_grad_norm_``;
* every side evaluates the held-out loss every ``--eval-every`` updates, in its own
  library, and that time counts: the same cost model for all;
* the sides run in turns of ``--eval-every`` updates (alternating which goes first), so
  that a busy machine slows them alike; each side's clock runs only during its own turns.

A side that does not reach the target within ``--max-updates`` is reported as such.
Only the ratios mean something on a shared machine: note the load average printed.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/adding_vs_torch.py
    python benchmarks/adding_vs_torch.py --seeds 0 1 2 --max-updates 6000 --cpus 1
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from forward_vs_torch import PAUSE_SECONDS
from train_vs_torch import TorchTrainer, pinned_torch

from lstm_engine.training import EVAL_EVERY, TrainConfig, Trainer


@dataclass
class Side:
    """One contender's run: how it steps and evaluates, and what it has done so far."""

    name: str
    step: Any  #: step(k): update k on batch k of the pool; returns the training loss
    evaluate: Any  #: evaluate(): the held-out MSE
    updates: int = 0
    seconds: float = 0.0
    reached: tuple[int, float] | None = None  #: (updates, seconds) at the target
    losses: list[float] = field(default_factory=list)  #: held-out MSE at each evaluation

    def turn(self, count: int, target: float) -> None:
        """``count`` updates and one evaluation, timed, after a pause (not timed) that lets
        the other sides' idle threads stop spinning (as ``forward_vs_torch``'s samples)."""
        time.sleep(PAUSE_SECONDS)
        start = time.perf_counter()
        for _ in range(count):
            self.step(self.updates)
            self.updates += 1
        loss = self.evaluate()
        self.seconds += time.perf_counter() - start
        self.losses.append(loss)
        if not math.isfinite(loss):
            raise SystemExit(f"adding_vs_torch: {self.name} diverged (held-out loss {loss})")
        if loss <= target and self.reached is None:
            self.reached = (self.updates, self.seconds)


def numpy_side(trainer: Trainer, pool: list[tuple[np.ndarray, np.ndarray]]) -> Side:
    def step(k: int) -> float:
        return trainer.train_step(*pool[k % len(pool)])

    return Side("numpy", step, trainer.evaluate)


def torch_side(
    name: str, trainer: Trainer, pool: list[tuple[np.ndarray, np.ndarray]], torch: Any, dtype: Any
) -> Side:
    side = TorchTrainer(trainer, torch, dtype)
    feed = [side.tensors(batch) for batch in pool]
    held_inputs, held_targets = side.tensors(trainer.held_out)

    def step(k: int) -> float:
        return side.step(*feed[k % len(feed)])

    def evaluate() -> float:
        with torch.no_grad():
            hidden, _ = side.lstm(held_inputs)
            prediction = side.readout(hidden[-1])
            return float(torch.nn.functional.mse_loss(prediction, held_targets))

    return Side(name, step, evaluate)


def run_seed(seed: int, args: argparse.Namespace, torch: Any) -> dict[str, Any]:
    config = TrainConfig(
        task="adding", cell="lstm", hidden_size=8, length=100, seed=seed, batch_size=64,
        lr=1e-2, clip=1.0, forget_bias=1.0, updates=args.max_updates,
    )  # fmt: skip
    trainer = Trainer(config)
    rng = np.random.default_rng([seed, 1])
    pool = [
        trainer.task.batch(rng, config.batch_size, config.length)
        for _ in range(min(args.pool, args.max_updates))
    ]
    sides = [
        torch_side("torch64", trainer, pool, torch, torch.float64),
        torch_side("torch32", trainer, pool, torch, torch.float32),
        numpy_side(trainer, pool),
    ]
    turn = 0
    while True:
        running = [s for s in sides if s.reached is None and s.updates < args.max_updates]
        if not running:
            break
        for side in running if turn % 2 == 0 else reversed(running):
            side.turn(min(args.eval_every, args.max_updates - side.updates), args.target)
        turn += 1
    result: dict[str, Any] = {"seed": seed}
    for side in sides:
        result[side.name] = {
            "updates": side.reached[0] if side.reached else None,
            "seconds": round(side.reached[1], 3) if side.reached else None,
            "ran_updates": side.updates,
            "ran_seconds": round(side.seconds, 3),
            "ms_per_update": round(1e3 * side.seconds / max(side.updates, 1), 3),
            "best_held_out": min(side.losses),
        }
    # Same data, weights and arithmetic: float64 torch follows NumPy's trajectory until
    # rounding differences grow (the first evaluation shows how closely).
    first = {side.name: side.losses[0] for side in sides}
    result["first_held_out"] = first
    for other in ("torch64", "torch32"):
        ours, theirs = result["numpy"]["seconds"], result[other]["seconds"]
        result[f"ratio_{other}"] = round(ours / theirs, 3) if ours and theirs else None
    return result


def text(result: dict[str, Any]) -> str:
    parts = []
    for name in ("numpy", "torch64", "torch32"):
        side = result[name]
        reached = (
            f"{side['seconds']:.1f} s, {side['updates']} updates"
            if side["updates"]
            else f"not reached in {side['ran_updates']} updates ({side['ran_seconds']:.1f} s)"
        )
        parts.append(f"{name} {reached} ({side['ms_per_update']:.2f} ms/update)")
    ratios = ", ".join(
        f"{result[f'ratio_{o}']:.2f}x {o}" for o in ("torch64", "torch32") if result[f"ratio_{o}"]
    )
    first = ", ".join(f"{name} {loss:.12g}" for name, loss in result["first_held_out"].items())
    return (
        f"seed {result['seed']}: "
        + "; ".join(parts)
        + (f"; numpy = {ratios}" if ratios else "")
        + f"\n  held-out MSE at the first evaluation: {first}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--max-updates", type=int, default=6000)
    parser.add_argument("--target", type=float, default=1e-3, help="held-out MSE to reach")
    parser.add_argument(
        "--eval-every", type=int, default=EVAL_EVERY, help="updates between evaluations"
    )
    parser.add_argument("--pool", type=int, default=1000, help="distinct training batches")
    parser.add_argument(
        "--cpus", type=int, default=None, help="pin to this many CPUs, as many threads"
    )
    parser.add_argument("--json", action="store_true", help="print JSON lines, not text")
    args = parser.parse_args(argv)
    for name in ("max_updates", "eval_every", "pool"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    torch = pinned_torch(parser, args.cpus, args.json, "adding_vs_torch")
    if torch is None:
        return 2
    results = []
    for seed in args.seeds:
        result = run_seed(seed, args, torch)
        results.append(result)
        print(json.dumps(result) if args.json else text(result), flush=True)
    ratios = [r["ratio_torch64"] for r in results if r["ratio_torch64"]]
    if ratios:
        summary = {
            "median_ratio_torch64": statistics.median(ratios),
            "median_ratio_torch32": statistics.median(
                [r["ratio_torch32"] for r in results if r["ratio_torch32"]] or [math.nan]
            ),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }
        print(json.dumps(summary) if args.json else f"summary: {json.dumps(summary)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
