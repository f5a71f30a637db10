"""Scenario presets: hand-set weights and inputs that make the gates differ.

The seeded weights (x0.1, as in the original ``Lstm.py``) keep every gate near 0.5, so
the gates all look alike. Each preset here sets a cell's weights by hand, in the cell's
own layout (``cell.params``), with an input sequence chosen so that one behaviour shows:
a memory held, a memory wiped, a write and a read on markers, a decay at the rate f,
saturated gates, and what each extended cell adds. ``tests/test_presets.py`` checks each
preset's claim on the engine's own numbers.

``lstm-engine trace --preset NAME`` and ``lstm-stepper --preset NAME`` open one
(``lstm_engine/cli.py``), as does the dashboard's picker (key ``o``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .cells import cell_class
from .cells.base import Array, Cell
from .inputs import check_inputs

#: What ``--preset`` takes to list the presets instead of opening one.
LIST = "list"


@dataclass(frozen=True)
class Preset:
    """A cell with its weights and an input sequence, and what they show.

    Either ``weights``, set by hand in the cell's own layout (its ``param_shapes``), or
    ``seed``: the cell's seeded initialisation (the preset ``seed``, the original)."""

    name: str  #: what the user types: short, lowercase, dashed
    purpose: str  #: one line: what the preset shows
    watch: str  #: what to look at while stepping
    cell: str  #: the cell kind
    input_size: int
    hidden_size: int
    inputs: Sequence[Sequence[float]]  #: (T, I)
    weights: Mapping[str, object] | None = None
    seed: int | None = None
    #: a name per input, when the inputs are not one plain value a step
    input_names: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if (self.weights is None) == (self.seed is None):
            raise ValueError(f"preset {self.name}: give its weights or a seed, one of the two")

    @property
    def origin(self) -> str:
        """How the header names where the cell came from."""
        return f"preset {self.name}" if self.seed is None else f"seed {self.seed}"

    def rows(self) -> Array:
        """The inputs, (T, I)."""
        return check_inputs([list(row) for row in self.inputs], self.input_size)

    def build(self) -> tuple[Cell, Array]:
        """The cell (its weights checked like a weight file's) and the inputs."""
        kind = cell_class(self.cell)
        if self.seed is not None:
            cell = kind.init(self.input_size, self.hidden_size, self.seed)
        else:
            weights = self.weights or {}  # given: __post_init__
            cell = kind(
                {key: np.asarray(value, dtype=np.float64) for key, value in weights.items()}
            )
        return cell, self.rows()


def _steps(*values: float) -> list[list[float]]:
    """One input per step."""
    return [[v] for v in values]


def _lstm(
    x: Sequence[Sequence[float]], h: Sequence[Sequence[float]], b: Sequence[float]
) -> dict[str, object]:
    """LSTM weights in PyTorch's layout, each given as its rows in the order i, f, g, o:
    ``x`` the rows of weight_ih, ``h`` of weight_hh, ``b`` the bias (all in bias_ih;
    bias_hh is zero, the gate's bias being their sum)."""
    return {
        "weight_ih": x,
        "weight_hh": h,
        "bias_ih": b,
        "bias_hh": [0.0] * len(b),
    }


#: The recurrent weights of the one-unit presets: zero, so each gate follows x alone.
_NO_RECURRENCE = [[0.0], [0.0], [0.0], [0.0]]

#: The mLSTM preset's query scale: qs = q / sqrt(H) = 2 e_k, so qs · n is about 2, above
#: the denominator's floor exp(-m) (about 1), and h~ = (qs @ C) / (qs · n) is the value.
_MLSTM_H = 2
_QUERY = 2 * math.sqrt(_MLSTM_H)

PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            "seed",
            "the original Lstm.py: ExtendedLSTM(1, 1, seed=42) on 5, 1.9, 2",
            "the sigmoid gates f, i, o stay between 0.45 and 0.7 (i is 0.68 at step 1): "
            "the seeded weights are small (x0.1)",
            "lstm",
            1,
            1,
            _steps(5, 1.9, 2),
            seed=42,
        ),
        Preset(
            "remember",
            "forget gate near 1: the value of step 1 held for 20 zeros",
            "f stays above 0.99 and c barely moves after step 1; i closes once x is 0",
            "lstm",
            1,
            1,
            _steps(1, *[0] * 20),
            # rows i, f, g, o: i opens on x = 1 only, f = sigmoid(7), g = tanh(2x), o open
            _lstm([[10.0], [0.0], [2.0], [0.0]], _NO_RECURRENCE, [-5.0, 7.0, 0.0, 2.0]),
        ),
        Preset(
            "forget",
            "forget gate near 0: the memory is wiped at every step",
            "f stays below 0.01, so c is just this step's i*c_bar: it follows x, with no past",
            "lstm",
            1,
            1,
            _steps(1, 0, 0, -1, 0, 0.5, 0, 0),
            # i open (sigmoid(6)), f closed (sigmoid(-6)), g = tanh(2x), o open
            _lstm([[0.0], [0.0], [2.0], [0.0]], _NO_RECURRENCE, [6.0, -6.0, 0.0, 2.0]),
        ),
        Preset(
            "write-read",
            "input gate opens on a write marker, output gate on a read one",
            "i jumps to 1 on the write steps (f drops: the old value is replaced) and c "
            "becomes c_bar = tanh(2*value); o opens on the read steps, where h = o*tanh(c) "
            "reads c back, squashed: 0.64 for the 0.5 written at step 2",
            "lstm",
            3,
            1,
            [
                [0.8, 0, 0],
                [0.5, 1, 0],  # write 0.5
                [-0.7, 0, 0],
                [0.0, 0, 1],  # read
                [0.9, 0, 0],
                [-0.4, 1, 0],  # write -0.4 over it
                [0.2, 0, 0],
                [0.0, 0, 1],  # read
            ],
            # columns value, write, read; rows i, f, g, o
            _lstm(
                [[0.0, 12.0, 0.0], [0.0, -12.0, 0.0], [2.0, 0.0, 0.0], [0.0, 0.0, 12.0]],
                _NO_RECURRENCE,
                [-6.0, 6.0, 0.0, -6.0],
            ),
            input_names=("value", "write", "read"),
        ),
        Preset(
            "impulse",
            "one spike, then zeros: c decays at the rate f",
            "after the spike c_t = f*c_prev exactly (c_bar = tanh(0) = 0): "
            "each step c shrinks by the factor f = 0.82",
            "lstm",
            1,
            1,
            _steps(1, *[0] * 15),
            # i opens on the spike only, f = sigmoid(1.5), g = tanh(2x), o open
            _lstm([[10.0], [0.0], [2.0], [0.0]], _NO_RECURRENCE, [-5.0, 1.5, 0.0, 2.0]),
        ),
        Preset(
            "saturate",
            "gates at 0 or 1: c counts positives since the last negative",
            "each gate is 0 or 1 (c_bar -1 or 1): a positive x adds 1 to c and shows it, "
            "a negative x wipes c",
            "lstm",
            1,
            1,
            _steps(1, 1, 1, -1, 1, 1, -1, -1, 2, 0.5),
            # rows i, f, g, o: 20x each, so a gate's z is at least 10 away from 0
            _lstm([[20.0], [20.0], [20.0], [20.0]], _NO_RECURRENCE, [0.0, 0.0, 0.0, 0.0]),
        ),
        Preset(
            "peephole",
            "peephole timing: o opens once c has grown (p_o*c)",
            "x is the same every step, yet o goes from shut (c < 1) to half open (c = 1.5) to "
            "open (c > 2): only its p*c term moves",
            "peephole",
            1,
            1,
            _steps(*[1] * 12),
            {
                # i and f open, c_bar = tanh(0.3 x): c grows by about 0.29 a step; the
                # output gate sees neither x nor h_prev: its bias -12 and p_o*c = 8c
                **_lstm([[0.0], [0.0], [0.3], [0.0]], _NO_RECURRENCE, [6.0, 6.0, 0.0, -12.0]),
                "peephole_i": [0.0],
                "peephole_f": [0.0],
                "peephole_o": [8.0],
            },
        ),
        Preset(
            "slstm",
            "sLSTM: exp(i_raw) is huge on a large input, yet i' <= 1 (by m)",
            "at x = 6, i_raw = 30 and exp(i_raw) ~ 1e13; m follows i_raw, so i' = 1 and the "
            "old memory is swamped, not forgotten: f' is tiny only because m jumped to 30, "
            "while sigmoid(f_raw) stays 0.95; after it, i' is tiny",
            "slstm",
            1,
            1,
            _steps(1, 0, 6, 0, 0, 2, 0, 0),
            # rows i, f, z, o: i_raw = 5x, f_raw = 3 (keep), z = tanh(x), o = sigmoid(3)
            {
                "W": [[5.0], [0.0], [1.0], [0.0]],
                "R": [[0.0], [0.0], [0.0], [0.0]],
                "b": [0.0, 3.0, 0.0, 3.0],
            },
        ),
        Preset(
            "mlstm",
            "mLSTM: two key/value pairs stored in C; a query retrieves each",
            "steps 1-2 write v under the keys e1, e2 (orthogonal); steps 3-4 query them: "
            "i' ~ 0, o ~ 1 and h is the value stored under the key",
            "mlstm",
            5,
            _MLSTM_H,
            [
                [1, 0, 0.8, -0.3, 0],  # write v = (0.8, -0.3) under k = e1
                [0, 1, -0.5, 0.6, 0],  # write v = (-0.5, 0.6) under k = e2
                [1, 0, 0, 0, 1],  # read with q = e1 (scaled)
                [0, 1, 0, 0, 1],  # read with q = e2
            ],
            # columns key1, key2, value1, value2, read
            {
                "W_q": [[_QUERY, 0, 0, 0, 0], [0, _QUERY, 0, 0, 0]],
                "W_k": [[1.0, 0, 0, 0, 0], [0, 1.0, 0, 0, 0]],
                "W_v": [[0, 0, 1.0, 0, 0], [0, 0, 0, 1.0, 0]],
                "W_o": [[0, 0, 0, 0, 20.0], [0, 0, 0, 0, 20.0]],
                "b_q": [0.0, 0.0],
                "b_k": [0.0, 0.0],
                "b_v": [0.0, 0.0],
                "b_o": [-10.0, -10.0],
                "w_i": [0, 0, 0, 0, -20.0],  # the read marker shuts the input gate
                "w_f": [0.0, 0, 0, 0, 0],
                "b_i": 0.0,
                "b_f": 10.0,  # f ~ 1: keep what was written
            },
            input_names=("key1", "key2", "value1", "value2", "read"),
        ),
    )
}
DEFAULT = "seed"


def listing() -> str:
    """Every preset, its cell and sizes, and its purpose below (``--preset list``): two
    lines each, so that they fit 80 columns."""
    return "\n".join(
        f"{p.name} ({p.cell}, I={p.input_size} H={p.hidden_size})\n  {p.purpose}"
        for p in PRESETS.values()
    )
