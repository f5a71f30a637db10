"""Reference traces (tests/data, copied from shared/reference) and how to compare with them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(__file__).parent / "data"


def cases(kind: str) -> list[str]:
    """Names of the reference cases of one cell kind."""
    names = []
    for path in sorted(DATA.glob("*.json")):
        if json.loads(path.read_text())["cell"] == kind:
            names.append(path.stem)
    return names


def expected(name: str) -> dict[str, Any]:
    return json.loads((DATA / f"{name}.json").read_text())


def weights(name: str) -> Path:
    return DATA / f"{name}.npz"


def max_difference(got: Any, want: Any, where: str = "") -> tuple[float, str]:
    """The largest absolute difference between two JSON-like values, and where it is.

    Keys must match exactly; a missing or extra key counts as an infinite difference.
    """
    if isinstance(want, dict):
        if not isinstance(got, dict) or set(got) != set(want):
            return float("inf"), f"{where}: keys {sorted(got) if isinstance(got, dict) else got}"
        worst = (0.0, where)
        for key in want:
            worst = max(worst, max_difference(got[key], want[key], f"{where}.{key}"))
        return worst
    if isinstance(want, list) and want and isinstance(want[0], dict):
        if not isinstance(got, list) or len(got) != len(want):
            return float("inf"), f"{where}: {len(got)} items, expected {len(want)}"
        worst = (0.0, where)
        for k, (g, w) in enumerate(zip(got, want, strict=True)):
            worst = max(worst, max_difference(g, w, f"{where}[{k}]"))
        return worst
    got_arr, want_arr = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if got_arr.shape != want_arr.shape:
        return float("inf"), f"{where}: shape {got_arr.shape} != {want_arr.shape}"
    if got_arr.size == 0:
        return 0.0, where
    return float(np.max(np.abs(got_arr - want_arr))), where
