"""Time one training step against PyTorch, and the LSTM's forward + backward at a large shape.

A training step is what ``Trainer.train_step`` does: forward keeping activations, a linear
readout on the last h with mean squared error on the adding problem, backpropagation
through time, gradient-norm clipping at 1, one Adam step (lr 1e-2). PyTorch does the same
with ``nn.LSTM`` + ``nn.Linear`` + ``clip_grad_norm_`` + ``torch.optim.Adam``, from the
same initial weights (copied), on the same batches (made once, before any timing), in
float64 and in float32. Before timing, a few steps of both are run side by side from the
same start and their losses compared (float64: they must agree to 1e-9, or the run fails).

At (T, B, I, H) = (100, 32, 64, 256) the comparison is the LSTM's forward and backward
alone (``LSTMCell.taped_forward`` then ``backward``, the gradient of sum(d_hidden * H))
against ``nn.LSTM``'s forward and autograd, the inputs' gradient included on both sides.

Everything runs in this one process, interleaved sample by sample (medians kept), PyTorch
on as many threads as NumPy's BLAS has, so the ratios hold on a shared machine; the
absolute figures do not. Unset OPENBLAS_CORETYPE for a fair run (it can pin OpenBLAS to
slower kernels; the environment line says which kernel is in use):

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/train_vs_torch.py
    python benchmarks/train_vs_torch.py --repeat 15 --train-shapes 100,64,2,8
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from forward_vs_torch import (
    calls_per_sample,
    environment,
    random_cell,
    sample_ms,
    shape_arg,
    torch_lstm,
)

from lstm_engine.training import TrainConfig, Trainer, train_step

TRAIN_SHAPES = ((100, 64, 2, 8), (100, 64, 2, 32))
SWEEP_SHAPES = ((100, 32, 64, 256),)
#: Distinct batches cycled through while timing (made before any timing).
BATCHES = 8
#: Steps run side by side from the same start to check both sides compute the same thing.
CHECK_STEPS = 5
LOSS_TOLERANCE = 1e-9
GRAD_TOLERANCE = 1e-9


class TorchTrainer:
    """PyTorch's side of a training step, in one dtype, from a ``Trainer``'s weights."""

    def __init__(self, trainer: Trainer, torch: Any, dtype: Any) -> None:
        self.torch = torch
        config, p = trainer.config, trainer.params
        H, size_in = config.hidden_size, trainer.task.input_size
        self.lstm = torch.nn.LSTM(size_in, H, dtype=dtype)
        self.readout = torch.nn.Linear(H, trainer.task.output_size, dtype=dtype)
        with torch.no_grad():
            for key in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(self.lstm, f"{key}_l0").copy_(torch.from_numpy(p[key].copy()))
            self.readout.weight.copy_(torch.from_numpy(p["readout.weight"].copy()))
            self.readout.bias.copy_(torch.from_numpy(p["readout.bias"].copy()))
        self.params = [*self.lstm.parameters(), *self.readout.parameters()]
        self.optimiser = torch.optim.Adam(self.params, lr=config.lr)
        self.clip = config.clip
        self.dtype = dtype

    def tensors(self, batch: tuple[np.ndarray, np.ndarray]) -> tuple[Any, Any]:
        return tuple(self.torch.from_numpy(a).to(self.dtype) for a in batch)  # type: ignore[return-value]

    def step(self, inputs: Any, targets: Any) -> float:
        torch = self.torch
        self.optimiser.zero_grad(set_to_none=True)
        hidden, _ = self.lstm(inputs)
        loss = torch.nn.functional.mse_loss(self.readout(hidden[-1]), targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.params, self.clip)
        self.optimiser.step()
        return float(loss.detach())


def adding_trainer(shape: tuple[int, int, int, int], seed: int) -> Trainer:
    steps, batch, _, hidden_size = shape
    config = TrainConfig(
        task="adding", hidden_size=hidden_size, length=steps, batch_size=batch, seed=seed,
        updates=1,
    )  # fmt: skip
    return Trainer(config)


def interleaved(runs: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median ms per call of each run, timed in alternating order, sample by sample."""
    numbers = {name: calls_per_sample(run) for name, run in runs.items()}
    times: dict[str, list[float]] = {name: [] for name in runs}
    for r in range(repeat):
        order = list(runs) if r % 2 == 0 else list(reversed(runs))
        for name in order:
            times[name].append(sample_ms(runs[name], numbers[name]))
    return {name: statistics.median(t) for name, t in times.items()}


def training_step(shape: tuple[int, int, int, int], repeat: int, torch: Any) -> dict[str, Any]:
    if shape[2] != 2:
        raise SystemExit(f"train_vs_torch: the adding problem has I = 2, not {shape[2]}")
    check = adding_trainer(shape, seed=0)
    rng = np.random.default_rng(1)
    batches = [check.task.batch(rng, shape[1], shape[0]) for _ in range(BATCHES)]
    reference = TorchTrainer(check, torch, torch.float64)
    ours_losses, torch_losses = [], []
    for k in range(CHECK_STEPS):
        ours_losses.append(train_step(check, batches[k % BATCHES]))
        torch_losses.append(reference.step(*reference.tensors(batches[k % BATCHES])))
    loss_diff = max(
        abs(a - b) / max(abs(b), 1e-300) for a, b in zip(ours_losses, torch_losses, strict=True)
    )

    trainer = adding_trainer(shape, seed=0)
    sides = {
        "torch64": TorchTrainer(trainer, torch, torch.float64),
        "torch32": TorchTrainer(trainer, torch, torch.float32),
    }
    feeds = {name: [side.tensors(b) for b in batches] for name, side in sides.items()}
    counters = dict.fromkeys(["numpy", *sides], 0)

    def ours() -> float:
        counters["numpy"] += 1
        return train_step(trainer, batches[counters["numpy"] % BATCHES])

    def theirs(name: str) -> Callable[[], float]:
        def run() -> float:
            counters[name] += 1
            return sides[name].step(*feeds[name][counters[name] % BATCHES])

        return run

    ms = interleaved({"numpy": ours, **{name: theirs(name) for name in sides}}, repeat)
    return {
        "what": "training step",
        "T": shape[0], "B": shape[1], "I": shape[2], "H": shape[3],
        "numpy_ms": round(ms["numpy"], 3),
        "torch64_ms": round(ms["torch64"], 3),
        "torch32_ms": round(ms["torch32"], 3),
        "ratio_torch64": round(ms["numpy"] / ms["torch64"], 3),
        "ratio_torch32": round(ms["numpy"] / ms["torch32"], 3),
        "loss_rel_diff": loss_diff,
    }  # fmt: skip


def forward_backward(shape: tuple[int, int, int, int], repeat: int, torch: Any) -> dict[str, Any]:
    steps, batch, size_in, hidden_size = shape
    rng = np.random.default_rng(sum(shape))
    cell = random_cell(size_in, hidden_size, rng)
    X = rng.standard_normal((steps, batch, size_in))
    d_hidden = rng.standard_normal((steps, batch, hidden_size))
    modules = {
        "torch64": torch_lstm(cell, torch).train(),
        "torch32": torch_lstm(cell, torch).float().train(),
    }

    def ours() -> dict[str, np.ndarray]:
        _, backward = cell.taped_forward(X)
        return backward(d_hidden)

    def theirs(name: str) -> Callable[[], Any]:
        module = modules[name]
        dtype = torch.float64 if name == "torch64" else torch.float32
        x, d = torch.from_numpy(X).to(dtype), torch.from_numpy(d_hidden).to(dtype)

        def run() -> Any:
            module.zero_grad(set_to_none=True)
            inputs = x.detach().requires_grad_(True)
            hidden, _ = module(inputs)
            hidden.backward(d)
            return inputs.grad

        return run

    runs = {"numpy": ours, **{name: theirs(name) for name in modules}}
    grads, x_grad = ours(), runs["torch64"]().numpy()
    want = {key: getattr(modules["torch64"], f"{key}_l0").grad.numpy() for key in cell.params}
    want["inputs"] = x_grad
    grad_diff = max(
        float(np.max(np.abs(grads[key] - value)) / max(1.0, float(np.max(np.abs(value)))))
        for key, value in want.items()
    )
    ms = interleaved(runs, repeat)
    return {
        "what": "forward + backward",
        "T": steps, "B": batch, "I": size_in, "H": hidden_size,
        "numpy_ms": round(ms["numpy"], 3),
        "torch64_ms": round(ms["torch64"], 3),
        "torch32_ms": round(ms["torch32"], 3),
        "ratio_torch64": round(ms["numpy"] / ms["torch64"], 3),
        "ratio_torch32": round(ms["numpy"] / ms["torch32"], 3),
        "grad_rel_diff": grad_diff,
    }  # fmt: skip


def line(result: dict[str, Any]) -> str:
    shape = ", ".join(str(result[k]) for k in "TBIH")
    return (
        f"{result['what']:18} (T, B, I, H) = ({shape}): numpy {result['numpy_ms']:.2f} ms, "
        f"torch float64 {result['torch64_ms']:.2f} ms ({result['ratio_torch64']:.2f}x), "
        f"torch float32 {result['torch32_ms']:.2f} ms ({result['ratio_torch32']:.2f}x)"
    )


def pinned_torch(
    parser: argparse.ArgumentParser, cpus: int | None, as_json: bool, name: str
) -> Any:
    """torch, with this process pinned to ``cpus`` CPUs (all it may use if None) and both
    libraries given that many threads; prints the environment. None (and says why) when
    torch is not installed."""
    usable = sorted(os.sched_getaffinity(0))
    if cpus is not None:
        if not 1 <= cpus <= len(usable):
            parser.error(f"--cpus must be between 1 and {len(usable)}")
        os.sched_setaffinity(0, usable[:cpus])
    threads = len(os.sched_getaffinity(0))
    try:
        import torch
    except ImportError:
        print(
            f"{name}: PyTorch is needed for this benchmark: pip install '.[torch]'", file=sys.stderr
        )
        return None
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")
    torch.set_num_threads(threads)
    env = environment(torch, threads)
    env["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps({"environment": env}) if as_json else f"environment: {json.dumps(env)}")
    return torch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--train-shapes", nargs="*", type=shape_arg, default=TRAIN_SHAPES, metavar="T,B,2,H"
    )
    parser.add_argument(
        "--sweep-shapes", nargs="*", type=shape_arg, default=SWEEP_SHAPES, metavar="T,B,I,H"
    )
    parser.add_argument("--repeat", type=int, default=11, help="samples per side (median kept)")
    parser.add_argument(
        "--cpus",
        type=int,
        default=None,
        help="run on this many CPUs only (pinned), both libraries with that many threads "
        "(default: every CPU this process may use)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON lines, not text")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    torch = pinned_torch(parser, args.cpus, args.json, "train_vs_torch")
    if torch is None:
        return 2
    failed = False
    for kind, shapes in ((training_step, args.train_shapes), (forward_backward, args.sweep_shapes)):
        for shape in shapes:
            result = kind(shape, args.repeat, torch)
            print(json.dumps(result) if args.json else line(result), flush=True)
            diff = result.get("loss_rel_diff", result.get("grad_rel_diff", 0.0))
            if not diff <= max(LOSS_TOLERANCE, GRAD_TOLERANCE):
                print(
                    f"train_vs_torch: NumPy and torch float64 differ by {diff:.3g}", file=sys.stderr
                )
                failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
