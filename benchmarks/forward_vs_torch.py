"""Time ``LSTMCell.forward`` against PyTorch's float64 ``nn.LSTM`` on the same weights.

Both run in this one process, interleaved repeat by repeat, with PyTorch given as many
threads as NumPy's BLAS has, so the ratio holds even when the machine is busy. The
outputs are compared too: a difference of 1e-12 or more fails the run (exit status 1).

    python benchmarks/forward_vs_torch.py                    # default shapes
    python benchmarks/forward_vs_torch.py --shapes 100,32,64,256 3,1,1,1 --repeat 15

Output is JSON lines: first the environment, then one object per shape (T, B, I, H).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lstm_engine.cells.lstm import LSTMCell

DEFAULT_SHAPES = ((100, 32, 64, 256), (3, 1, 1, 1), (1000, 1, 16, 64), (50, 64, 256, 512))
TOLERANCE = 1e-12
#: Each timed sample runs the forward pass often enough to last about this long.
SAMPLE_SECONDS = 0.05
#: Pause before each sample, so that the other library's idle worker threads have
#: stopped spinning (OpenBLAS's spin for about 0.1 s) and do not steal a core from it.
PAUSE_SECONDS = 0.2
CORETYPE_WARNING = (
    "OPENBLAS_CORETYPE is set: it overrides the kernels OpenBLAS picks for this CPU and "
    "can slow NumPy's BLAS; unset it for a fair comparison"
)


def shape_arg(text: str) -> tuple[int, int, int, int]:
    try:
        shape = tuple(int(part) for part in text.replace("x", ",").split(","))
    except ValueError:
        shape = ()
    if len(shape) != 4 or min(shape) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected four positive integers T,B,I,H")
    return shape  # type: ignore[return-value]


def blas_facts() -> dict[str, object]:
    """NumPy's BLAS: library, version, core type chosen at run time and thread count."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        pass
    else:
        for pool in threadpool_info():
            if pool.get("user_api") == "blas":
                return {
                    "source": "threadpoolctl",
                    "library": pool.get("internal_api"),
                    "version": pool.get("version"),
                    "core": pool.get("architecture"),
                    "threads": pool.get("num_threads"),
                }
    facts: dict[str, object] = {"source": "numpy.show_config"}
    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    facts.update(library=blas.get("name"), version=blas.get("version"))
    facts.update(openblas_runtime(blas.get("name", "")))
    return facts


def openblas_runtime(name: str) -> dict[str, object]:
    """Core type and threads from the OpenBLAS that NumPy loaded, if it is OpenBLAS."""
    libs = Path(np.__file__).resolve().parent.parent / "numpy.libs"
    candidates = sorted(libs.glob("lib*openblas*.so*")) if libs.is_dir() else []
    if "openblas" not in name or not candidates:
        return {}
    lib = ctypes.CDLL(str(candidates[0]))
    prefix, suffix = ("scipy_openblas_", "64_") if "scipy" in name else ("openblas_", "")
    try:
        corename = getattr(lib, f"{prefix}get_corename{suffix}")
        threads = getattr(lib, f"{prefix}get_num_threads{suffix}")
    except AttributeError:
        return {}
    corename.restype = ctypes.c_char_p
    return {"core": corename().decode(), "threads": threads()}


def environment(torch_module: object, threads: int) -> dict[str, object]:
    facts: dict[str, object] = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": getattr(torch_module, "__version__", None),
        "cpus": os.cpu_count(),
        "blas": blas_facts(),
        "torch_threads": threads,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
    }
    if facts["OPENBLAS_CORETYPE"] is not None:
        facts["warning"] = CORETYPE_WARNING
    return facts


def random_cell(input_size: int, hidden_size: int, rng: np.random.Generator) -> LSTMCell:
    """Weights drawn the way PyTorch initialises them, biases included."""
    bound = hidden_size**-0.5
    shapes = LSTMCell.param_shapes(input_size, hidden_size)
    return LSTMCell({k: rng.uniform(-bound, bound, shape) for k, shape in shapes.items()})


def torch_lstm(cell: LSTMCell, torch: object) -> object:
    module = torch.nn.LSTM(cell.input_size, cell.hidden_size, dtype=torch.float64)
    with torch.no_grad():
        for key, value in cell.params.items():
            getattr(module, f"{key}_l0").copy_(torch.from_numpy(np.array(value)))
    return module.eval()


def calls_per_sample(run: Callable[[], object]) -> int:
    """How many calls of ``run`` last about SAMPLE_SECONDS (after one warm-up call)."""
    run()
    start = time.perf_counter()
    run()
    once = max(time.perf_counter() - start, 1e-7)
    return max(1, round(SAMPLE_SECONDS / once))


def sample_ms(run: Callable[[], object], number: int) -> float:
    """Mean time of ``number`` calls in ms, after a pause and one untimed call: the
    pause lets the other library's threads go to sleep, the untimed call wakes this
    one's (the first BLAS call after a sleep takes milliseconds more)."""
    time.sleep(PAUSE_SECONDS)
    run()
    start = time.perf_counter()
    for _ in range(number):
        run()
    return (time.perf_counter() - start) / number * 1e3


def measure(shape: tuple[int, int, int, int], repeat: int, torch: object) -> dict[str, object]:
    steps, batch, input_size, hidden_size = shape
    rng = np.random.default_rng(sum(shape))
    cell = random_cell(input_size, hidden_size, rng)
    module = torch_lstm(cell, torch)
    X = rng.standard_normal(shape[:3])

    def ours() -> tuple[np.ndarray, dict[str, np.ndarray]]:
        return cell.forward(X)

    def theirs() -> tuple[object, tuple[object, object]]:
        return module(torch.from_numpy(X))

    hs, final = ours()
    t_hs, (t_h, t_c) = theirs()
    diff = max(
        float(np.max(np.abs(hs - t_hs.numpy()))),
        float(np.max(np.abs(final["h"] - t_h[0].numpy()))),
        float(np.max(np.abs(final["c"] - t_c[0].numpy()))),
    )
    runs = {"numpy": ours, "torch": theirs}
    numbers = {name: calls_per_sample(run) for name, run in runs.items()}
    times: dict[str, list[float]] = {name: [] for name in runs}
    for r in range(repeat):
        # Alternate which goes first, so neither always runs on a warmer cache.
        for name in sorted(runs, reverse=bool(r % 2)):
            times[name].append(sample_ms(runs[name], numbers[name]))
    numpy_ms, torch_ms = (statistics.median(times[name]) for name in ("numpy", "torch"))
    return {
        "T": steps,
        "B": batch,
        "I": input_size,
        "H": hidden_size,
        "numpy_ms": round(numpy_ms, 4),
        "torch_ms": round(torch_ms, 4),
        "ratio": round(numpy_ms / torch_ms, 3),
        "numpy_spread_ms": [round(min(times["numpy"]), 4), round(max(times["numpy"]), 4)],
        "torch_spread_ms": [round(min(times["torch"]), 4), round(max(times["torch"]), 4)],
        "max_abs_diff": diff,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--shapes",
        nargs="+",
        type=shape_arg,
        default=DEFAULT_SHAPES,
        metavar="T,B,I,H",
        help="shapes to time (default: %(default)s)",
    )
    parser.add_argument(
        "--repeat", type=int, default=9, help="timed samples per shape and side (median kept)"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    try:
        import torch
    except ImportError:
        print(
            "forward_vs_torch: PyTorch is not installed; it is needed only for this "
            "benchmark. Install it with: pip install '.[torch]'",
            file=sys.stderr,
        )
        return 2

    threads = blas_facts().get("threads")
    threads = threads if isinstance(threads, int) and threads > 0 else os.cpu_count() or 1
    torch.set_num_threads(threads)
    env = environment(torch, threads)
    print(json.dumps({"environment": env}), flush=True)
    if "warning" in env:
        print(f"forward_vs_torch: {env['warning']}", file=sys.stderr)

    failed = False
    with torch.no_grad():
        for shape in args.shapes:
            result = measure(shape, args.repeat, torch)
            print(json.dumps(result), flush=True)
            failed |= not result["max_abs_diff"] < TOLERANCE
    if failed:
        print(f"forward_vs_torch: outputs differ by {TOLERANCE} or more", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
