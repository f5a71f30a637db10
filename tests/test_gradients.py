"""Backpropagation through time (issue 9) for every cell kind in the registry: against
PyTorch autograd's reference cases, against central differences in float64 (every
weight, the inputs, every initial state and every step's state gradient ``flow.*``), and
the ``Backward`` contract itself. The optional torch tests compare the sLSTM and the
mLSTM with autograd over the official NX-AI pointwise code (inline, and the packages
``xlstm`` / ``mlstm-kernels`` where installed).

How central differences are judged. An elementwise relative error |a - n| / (|a| + |n|)
is a poor measure: an entry whose gradient is near 0 (cancelling paths) is compared
with pure finite-difference noise, and fails on unlucky seeds (it did: 8e-6 on one tiny
entry of the peephole's weight_hh). The difference quotient's error is about
h^k |L^(k+1)| (truncation) plus u |L| / h (rounding, u = 1.1e-16), much the same for
every entry of an array, so the error is measured per array, against the array's
scale: max |a - n| / max(max |a|, max |n|). Then the differences are made accurate
enough that this is far below the 1e-6 bound for every cell: the mLSTM's quotient has
steep higher derivatives (its denominator can be ~0.03), which the plain central
difference (k = 2) leaves at 1e-6 at h = 1e-5 (truncation, falling as h^2) and noisy at
smaller h; the fourth-order central difference (k = 4) with h = 3e-5 brings both terms
down, and no large sums are subtracted: for a weight the hidden states are differenced
before they are summed, sum(d_hidden * dH), and for the inputs and initial states each
sequence's own loss is differenced. Measured over 8 seeds, each with a random and a
zero initial state: worst per-array errors 6e-11 (lstm), 8e-11 (rnn), 1.4e-10 (slstm),
5e-10 (peephole), 2.3e-8 (mlstm), 40 times or more below the bound, so the 3 seeds run
here are not lucky ones. Each array must also carry a gradient well above that noise
(``SIGNAL``), so the ratio measures something; the one exception is a gradient that is
exactly zero by construction (the mLSTM's initial h, which nothing reads), where both
sides must be exactly 0.

Inputs and initial states are perturbed in every sequence of the batch at once (the
sequences are independent), which gives each sequence's derivative from one pair of
forwards; weights are perturbed one entry at a time.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from lstm_engine import LSTMCell
from lstm_engine.cells import CELLS, Cell, MLSTMCell, SLSTMCell
from lstm_engine.cells.base import Record
from lstm_engine.cells.mlstm import EPS as MLSTM_EPS
from lstm_engine.cells.tape import record_steps, stack

DATA = Path(__file__).parent / "data"
KINDS = list(CELLS)
REFERENCE_CASES = sorted(DATA.glob("grad_*.npz"))
SEEDS = range(3)
#: Sizes of the random cases: small, so that every entry can be perturbed.
T, B, SIZE_IN, H = 4, 3, 3, 4
STEP = 3e-5  #: the central difference's step h (module docstring)
BOUND = 1e-6  #: largest per-array relative error allowed
SIGNAL = 1e-4  #: smallest max |gradient| for which the ratio is meaningful

Array = np.ndarray


# -- the cases -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    cell: Cell
    inputs: Array
    d_hidden: Array
    state: dict[str, Array] | None  #: None: the zero state (the sLSTM's start branch)


def make_case(kind: str, seed: int, zero_state: bool) -> Case:
    """A seeded random case: the kind's own initialisation with every weight but the
    biases times 3 (so that gates leave 0.5 and every branch of the xLSTM stabilisers is
    taken, which ``test_the_cases_take_every_branch`` asserts; the biases stay, so that
    no forget gate saturates, which would leave its bias a gradient too small to judge),
    normal inputs and d_hidden, and a random initial state unless ``zero_state``."""
    rng = np.random.default_rng(seed)
    cell = CELLS[kind].init(SIZE_IN, H, seed)
    weights = {k: v for k, v in cell.params.items() if cell.param_roles[k][1]}  # no biases
    cell = cell.with_params(**{k: 3.0 * v for k, v in weights.items()})
    inputs, d_hidden = rng.normal(size=(T, B, SIZE_IN)), rng.normal(size=(T, B, H))
    if zero_state:
        return Case(cell, inputs, d_hidden, None)
    state = {var.name: rng.normal(size=(B, *var.shape(H))) for var in cell.states}
    if kind == "slstm":  # a running state: n > 0, |c| < n, |h| < 1
        state["n"] = 1.0 + np.abs(state["n"])
        state["c"] = state["n"] * np.tanh(state["c"])
        state["h"] = np.tanh(state["h"])
    return Case(cell, inputs, d_hidden, state)


CASES = [(kind, seed, zero) for kind in KINDS for seed in SEEDS for zero in (False, True)]


def case_id(case: tuple[str, int, bool]) -> str:
    kind, seed, zero = case
    return f"{kind}-seed{seed}-{'zero' if zero else 'random'}-state"


def lane_losses(
    cell: Cell, inputs: Array, d_hidden: Array, state: dict[str, Array] | None
) -> Array:
    """Each sequence's loss, sum over steps and units of d_hidden * H: (B,)."""
    return np.einsum("tbh,tbh->b", d_hidden, cell.forward(inputs, state)[0])


def derivative(evaluate: Callable[[float], Array]) -> Array:
    """d evaluate(s) / ds at s = 0 by the fourth-order central difference
    (8 (e(h) - e(-h)) - (e(2h) - e(-2h))) / (12 h), h = ``STEP``."""
    near = evaluate(STEP) - evaluate(-STEP)
    far = evaluate(2 * STEP) - evaluate(-2 * STEP)
    return (8.0 * near - far) / (12.0 * STEP)


def lane_differences(losses: Callable[[Array], Array], value: Array, lane_axis: int) -> Array:
    """Central differences of ``losses`` (one loss per sequence) with respect to ``value``,
    whose axis ``lane_axis`` is the batch: each entry is moved in every sequence at once,
    and each sequence's difference is the derivative for its own entry."""
    numeric = np.empty_like(value)
    out = np.moveaxis(numeric, lane_axis, 0)
    for index in np.ndindex(out.shape[1:]):
        at = (slice(None), *index)

        def moved(s: float, at: tuple[slice | int, ...] = at) -> Array:
            changed = np.moveaxis(value, lane_axis, 0).copy()
            changed[at] += s
            return losses(np.moveaxis(changed, 0, lane_axis))

        out[at] = derivative(moved)
    return numeric


def weight_differences(case: Case, key: str) -> Array:
    """Central differences of the loss with respect to one weight, entry by entry; the
    hidden states are differenced before they are summed, sum(d_hidden * dH/dw)."""
    value = case.cell.params[key]
    numeric = np.empty(value.shape)
    for index in np.ndindex(value.shape):

        def hidden(s: float, index: tuple[int, ...] = index) -> Array:
            changed = value.copy()
            changed[index] += s
            return case.cell.with_params(**{key: changed}).forward(case.inputs, case.state)[0]

        numeric[index] = np.sum(case.d_hidden * derivative(hidden))
    return numeric


def relative_error(analytic: Array, numeric: Array) -> float:
    """max |a - n| / max(max |a|, max |n|), 0 where both are exactly zero (module
    docstring)."""
    scale = max(np.max(np.abs(analytic)), np.max(np.abs(numeric)))
    if scale == 0.0:
        return 0.0
    return float(np.max(np.abs(analytic - numeric)) / scale)


def assert_agree(analytic: Array, numeric: Array, what: str) -> float:
    assert analytic.shape == numeric.shape, what
    error = relative_error(analytic, numeric)
    scale = max(np.max(np.abs(analytic)), np.max(np.abs(numeric)))
    assert scale == 0.0 or scale >= SIGNAL, (what, "gradient too small to judge", scale)
    assert error <= BOUND, (what, error)
    return error


#: Initial states that central differences cannot judge at the zero state (the random
#: states check them): the sLSTM's n, where the start branch (every n_prev == 0) is a
#: kink that any move of n leaves; the mLSTM's m, which there only rescales a memory that
#: is zero, so that its gradient is of the order of the denominator's eps = 1e-6 (~1e-7
#: here), below what differences resolve to 1e-6.
NOT_AT_ZERO = {"slstm": "n", "mlstm": "m"}


def checked_initial_states(case: Case) -> list[str]:
    """The initial states whose gradients central differences check (``NOT_AT_ZERO``)."""
    names = [var.name for var in case.cell.states]
    if case.state is None and case.cell.kind in NOT_AT_ZERO:
        names.remove(NOT_AT_ZERO[case.cell.kind])
    return names


def central_difference_errors(case: Case) -> dict[str, float]:
    """Every gradient of a case against its central differences, asserted; the errors."""
    cell = case.cell
    grads = cell.gradients(case.inputs, case.d_hidden, case.state)
    errors = {}
    for key in cell.params:
        errors[key] = assert_agree(grads[key], weight_differences(case, key), key)
    numeric = lane_differences(
        lambda x: lane_losses(cell, x, case.d_hidden, case.state), case.inputs, lane_axis=1
    )
    errors["inputs"] = assert_agree(grads["inputs"], numeric, "inputs")
    start = case.state if case.state is not None else cell.initial_state(B)
    for name in checked_initial_states(case):

        def losses(value: Array, name: str = name) -> Array:
            return lane_losses(cell, case.inputs, case.d_hidden, {**start, name: value})

        numeric = lane_differences(losses, start[name], lane_axis=0)
        errors[f"initial.{name}"] = assert_agree(grads[f"initial.{name}"], numeric, name)
    return errors


# -- (a) PyTorch autograd's reference cases ------------------------------------------------
@pytest.mark.parametrize("path", REFERENCE_CASES, ids=lambda p: p.stem)
def test_the_gradients_are_pytorch_autograd_s(path: Path) -> None:
    kind = path.stem.split("_")[1]
    case = np.load(path, allow_pickle=False)
    params = {k.removeprefix("param:"): case[k] for k in case.files if k.startswith("param:")}
    cell = CELLS[kind](params)
    hidden, backward = cell.taped_forward(case["inputs"])
    assert np.allclose(hidden, case["hidden"], rtol=0, atol=1e-13)
    grads = backward(case["d_hidden"])
    for key in [*params, "inputs"]:
        expected = case[f"grad:{key}"]
        scale = np.maximum(1.0, np.abs(expected))
        assert grads[key].shape == expected.shape, key
        assert np.all(np.abs(grads[key] - expected) <= 1e-12 * scale), key


def test_every_cell_kind_has_a_reference_case() -> None:
    assert {p.stem.split("_")[1] for p in REFERENCE_CASES} >= set(KINDS)


# -- (b) central differences ---------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_the_gradients_are_central_differences(case: tuple[str, int, bool]) -> None:
    central_difference_errors(make_case(*case))


def branch_counts(case: Case) -> dict[str, int]:
    """How often each branch of the stabilisers was taken over a case (elementwise), and
    how often two branches tied exactly (which the cases avoid)."""
    _, _, records = record_steps(case.cell, case.inputs, case.state)
    if isinstance(case.cell, SLSTMCell):
        s = stack(records, ("start", "i_raw", "logf"))
        start, running = s["start"] == 1.0, s["start"] == 0.0
        counts = {
            "m = i_raw": np.sum(running & (s["i_raw"] > s["logf"])),
            "m = logf": np.sum(running & (s["logf"] > s["i_raw"])),
            "tie": np.sum(running & (s["logf"] == s["i_raw"])),
        }
        if case.state is None:
            counts["start, f clamped"] = np.sum(start & (s["logf"] > s["i_raw"]))
            counts["start, f below 1"] = np.sum(start & (s["logf"] < s["i_raw"]))
        return {k: int(v) for k, v in counts.items()}
    if isinstance(case.cell, MLSTMCell):
        s = stack(records, ("i_raw", "logf", "qn", "exp_minus_m"))
        qn, floor = np.abs(s["qn"]), s["exp_minus_m"]
        counts = {
            "m = i_raw": np.sum(s["i_raw"] > s["logf"]),
            "m = logf": np.sum(s["logf"] > s["i_raw"]),
            "den = |qs.n|": np.sum(qn > floor),
            "den = exp(-m)": np.sum(floor > qn),
            "tie": np.sum(s["logf"] == s["i_raw"]) + np.sum(qn == floor),
        }
        return {k: int(v) for k, v in counts.items()}
    return {}


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_the_cases_take_every_branch(case: tuple[str, int, bool]) -> None:
    counts = branch_counts(make_case(*case))
    assert counts.pop("tie", 0) == 0
    assert all(count > 0 for count in counts.values()), counts


def tied_case(kind: str) -> Case:
    """A zero-state case with exact ties, in NumPy and in torch alike.

    mLSTM, the denominator's max: the first input is 0, so that q = b_q = k = b_k =
    (1, 0, 0, 0), v = b_v = (1, 2, 3, 4), i_raw = b_i = log 2 > logf = logsigmoid(b_f =
    0): m = log 2, i = 1, n = k and |qs . n| = 0.5 = exp(-m) in every sequence at step 1.

    sLSTM, m's max and both clamps: constant i_raw (its rows of W and R zero) and f_raw
    = 800, whose logsigmoid is exactly 0, so that logf = m_prev = i_raw at every step
    after the first, where both i_raw - m and logf - m are 0.
    """
    case = make_case(kind, 4, zero_state=True)
    params = dict(case.cell.params)
    inputs = case.inputs.copy()
    if kind == "mlstm":
        unit = np.eye(H)[0]
        values = np.arange(1.0, H + 1.0)  # v = b_v, nonzero: h at step 1 feels the kink
        params.update(b_q=unit, b_k=unit, b_v=values, b_i=np.log(2.0), b_f=np.float64(0.0))
        inputs[0] = 0.0
    else:
        for key in ("W", "R"):
            params[key] = params[key].copy()
            params[key][: 2 * H] = 0.0
        params["b"] = params["b"].copy()
        params["b"][:H], params["b"][H : 2 * H] = 0.3, 800.0
    return Case(case.cell.with_params(**params), inputs, case.d_hidden, None)


def test_an_exact_tie_in_the_mlstm_s_denominator_splits_the_gradient_in_half() -> None:
    """At a tie of max(|qs . n|, exp(-m)) the gradient goes half to each side, as torch's
    maximum routes it. A central difference across the kink is the mean of the two
    one-sided slopes, which is that rule: b_q[0] moves |qs . n| only, b_i moves exp(-m)
    only (n = k, C = k v do not change with i_raw = m), and the slopes on either side
    differ."""
    case = tied_case("mlstm")
    assert branch_counts(case)["tie"] == B  # step 1 of every sequence
    grads = case.cell.gradients(case.inputs, case.d_hidden)
    for key, index in (("b_q", (0,)), ("b_i", ())):

        def loss(s: float, key: str = key, index: tuple[int, ...] = index) -> float:
            value = np.array(case.cell.params[key])
            value[index] += s
            cell = case.cell.with_params(**{key: value})
            return float(np.sum(case.d_hidden * cell.forward(case.inputs)[0]))

        # one-sided second-order differences: errors ~1e-10, against a kink of ~1e-2
        right = (4.0 * loss(1e-5) - loss(2e-5) - 3.0 * loss(0.0)) / 2e-5
        left = (3.0 * loss(0.0) - 4.0 * loss(-1e-5) + loss(-2e-5)) / 2e-5
        kink = abs(right - left)
        assert kink > 1e-4 * max(abs(right), abs(left)), key
        # all of it to one side would be kink / 2 away
        assert abs(grads[key][index] - (right + left) / 2) <= 1e-3 * kink, (key, kink)


# -- (c) the state gradients of every step -------------------------------------------------
def slstm_output(cell: Cell, record: Record, state: dict[str, Array]) -> Array:
    return record.o * state["c"] / state["n"]  # type: ignore[attr-defined]


def mlstm_output(cell: Cell, record: Record, state: dict[str, Array]) -> Array:
    qs = record.qs  # type: ignore[attr-defined]
    qn = np.einsum("bk,bk->b", qs, state["n"])[:, None]
    den = np.maximum(np.abs(qn), np.exp(-state["m"])) + MLSTM_EPS
    return record.o * np.einsum("bk,bkv->bv", qs, state["C"]) / den  # type: ignore[attr-defined]


def lstm_output(cell: Cell, record: Record, state: dict[str, Array]) -> Array:
    z_o = record.z_o  # type: ignore[attr-defined]
    if "peephole_o" in cell.params:  # o sees the new c
        z_o = record.a_o + cell.params["peephole_o"] * state["c"]  # type: ignore[attr-defined]
    return 1.0 / (1.0 + np.exp(-z_o)) * np.tanh(state["c"])


#: h of a step as a function of the step's new state (every other number of the step
#: fixed): what ``flow.*`` differentiates through, beside the later steps.
OUTPUTS: dict[str, Callable[[Cell, Record, dict[str, Array]], Array]] = {
    "lstm": lstm_output,
    "peephole": lstm_output,
    "slstm": slstm_output,
    "mlstm": mlstm_output,
}


@pytest.mark.parametrize("zero_state", [False, True], ids=["random-state", "zero-state"])
@pytest.mark.parametrize("kind", KINDS)
def test_the_flow_is_the_gradient_of_each_step_s_state(kind: str, zero_state: bool) -> None:
    """flow.NAME row t is dL/d(state after step t): the state is moved, h of step t is
    recomputed from it (``OUTPUTS``; h itself is moved directly), and the loss is d_hidden
    at t times that h plus the loss of the later steps run from the moved state."""
    case = make_case(kind, 0, zero_state)
    cell = case.cell
    _, backward = cell.taped_forward(case.inputs, case.state)
    grads = backward(case.d_hidden, flow=True)
    _, _, records = record_steps(cell, case.inputs, case.state)
    names = [var.name for var in cell.states]
    assert set(grads) >= {f"flow.{name}" for name in names}
    assert names == ["h"] or kind in OUTPUTS, f"{kind}: add its output map to OUTPUTS"
    for t, record in enumerate(records):
        after = cell.state_of(record)
        for name in names:

            def losses(
                value: Array, name: str = name, t: int = t, after: dict[str, Array] = after
            ) -> Array:
                state = {**after, name: value}
                if name != "h":
                    state["h"] = OUTPUTS[kind](cell, records[t], state)
                total = np.einsum("bh,bh->b", case.d_hidden[t], state["h"])
                if t + 1 < T:
                    later = case.inputs[t + 1 :], case.d_hidden[t + 1 :]
                    total = total + lane_losses(cell, *later, state)
                return total

            numeric = lane_differences(losses, after[name], lane_axis=0)
            assert grads[f"flow.{name}"].shape == (T, *after[name].shape)
            assert_agree(grads[f"flow.{name}"][t], numeric, f"flow.{name} at t={t + 1}")


# -- (d) the Backward contract -------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_gradients_is_the_taped_forward_then_its_backward(kind: str) -> None:
    case = make_case(kind, 1, zero_state=False)
    hidden, backward = case.cell.taped_forward(case.inputs, case.state)
    forward_hidden, _ = case.cell.forward(case.inputs, case.state)
    assert np.allclose(hidden, forward_hidden, rtol=0, atol=1e-14)
    first = backward(case.d_hidden, flow=True)
    second = backward(case.d_hidden, flow=True)
    plain = backward(case.d_hidden)
    direct = case.cell.gradients(case.inputs, case.d_hidden, case.state)
    names = [var.name for var in case.cell.states]
    expected = {*case.cell.params, "inputs", *(f"initial.{n}" for n in names)}
    assert set(direct) == set(plain) == expected
    assert set(first) == expected | {f"flow.{n}" for n in names}
    for key in expected:
        assert np.array_equal(first[key], second[key]), key
        assert np.array_equal(first[key], plain[key]), key
        assert np.array_equal(first[key], direct[key]), key
    for key in first:
        assert np.array_equal(first[key], second[key]), key
    for key, value in case.cell.params.items():
        assert direct[key].shape == value.shape, key
    for name in names:
        shape = (B, *next(v for v in case.cell.states if v.name == name).shape(H))
        assert direct[f"initial.{name}"].shape == shape, name


@pytest.mark.parametrize("kind", KINDS)
def test_the_sequences_of_a_batch_are_independent(kind: str) -> None:
    """A batch's gradients are its sequences' own, run one by one (summed for the
    weights), with one sequence at the zero state beside running ones: the sLSTM takes its
    start branch (every n_prev == 0) per sequence, in the sweep as in the forward."""
    case = make_case(kind, 2, zero_state=False)
    assert case.state is not None
    state = {name: value.copy() for name, value in case.state.items()}
    for value in state.values():
        value[0] = 0.0
    grads = case.cell.gradients(case.inputs, case.d_hidden, state)
    alone = [
        case.cell.gradients(
            case.inputs[:, b : b + 1],
            case.d_hidden[:, b : b + 1],
            {name: value[b : b + 1] for name, value in state.items()},
        )
        for b in range(B)
    ]
    for key in case.cell.params:
        total = sum(one[key] for one in alone)
        assert np.allclose(grads[key], total, rtol=1e-12, atol=1e-13), key
    for key in ["inputs", *(f"initial.{var.name}" for var in case.cell.states)]:
        lanes = np.concatenate([one[key] for one in alone], axis=1 if key == "inputs" else 0)
        assert np.allclose(grads[key], lanes, rtol=1e-12, atol=1e-13), key


def test_the_mlstm_s_gradients_stay_finite_where_exp_of_minus_m_overflows() -> None:
    """m < -709.78: exp(-m) is beyond float64, and the sweep works in the forward's units."""
    cell = MLSTMCell.init(2, 3, 0).with_params(b_i=-800.0, b_f=-720.0)
    inputs = np.random.default_rng(0).normal(size=(4, 2, 2))
    _, _, records = record_steps(cell, inputs)
    assert np.all(np.concatenate([r.m for r in records]) < -709.78)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow is fine
        grads = cell.gradients(inputs, np.ones((4, 2, 3)))
    assert all(np.all(np.isfinite(value)) for value in grads.values())


@pytest.mark.parametrize("kind", KINDS)
def test_a_d_hidden_of_the_wrong_shape_is_refused(kind: str) -> None:
    cell = CELLS[kind].init(1, 2, 0)
    _, backward = cell.taped_forward(np.zeros((3, 1, 1)))
    with pytest.raises(ValueError, match="d_hidden: expected shape"):
        backward(np.zeros((3, 1, 3)))


def test_the_mlstm_s_scaled_quotient_has_no_gradients() -> None:
    cell = MLSTMCell.init(2, 3, 0)
    huge = np.full((2, 1, 2), 1e110)  # q k v pass float64: h_tilde comes from scaled_quotient
    with pytest.raises(ValueError, match="passes float64 at step 1"):
        cell.taped_forward(huge)


# -- torch: autograd over the official pointwise code --------------------------------------
def official_slstm(torch, params, inputs):  # type: ignore[no-untyped-def]
    """The official NX-AI ``slstm_forward_pointwise`` (xlstm/blocks/slstm/src/vanilla),
    run over the sequence, states zero."""
    W, R, b = (params[k] for k in ("W", "R", "b"))
    steps, batch, _ = inputs.shape
    hidden_size = R.shape[1]
    y, c, n, m = (torch.zeros(batch, hidden_size, dtype=torch.float64) for _ in range(4))
    outputs = []
    for t in range(steps):
        raw = inputs[t] @ W.T + y @ R.T + b
        iraw, fraw, zraw, oraw = torch.unbind(raw.view(batch, 4, -1), dim=1)
        logfplusm = m + torch.nn.functional.logsigmoid(fraw)
        mnew = iraw if torch.all(n == 0.0) else torch.max(iraw, logfplusm)
        ogate = torch.sigmoid(oraw)
        igate = torch.minimum(torch.exp(iraw - mnew), torch.ones_like(iraw))
        fgate = torch.minimum(torch.exp(logfplusm - mnew), torch.ones_like(iraw))
        c = fgate * c + igate * torch.tanh(zraw)
        n = fgate * n + igate
        y = ogate * c / n
        m = mnew
        outputs.append(y)
    return torch.stack(outputs)


def official_mlstm(torch, params, inputs, eps=1e-6):  # type: ignore[no-untyped-def]
    """The official NX-AI recurrent step (mlstm_kernels ``mlstm_recurrent_step__native_fw``,
    one head), run over the sequence, states zero; projections as in ``mlstm.py``."""
    q_all = inputs @ params["W_q"].T + params["b_q"]
    k_all = inputs @ params["W_k"].T + params["b_k"]
    v_all = inputs @ params["W_v"].T + params["b_v"]
    o_all = torch.sigmoid(inputs @ params["W_o"].T + params["b_o"])
    i_all = (inputs @ params["w_i"] + params["b_i"])[..., None]
    f_all = (inputs @ params["w_f"] + params["b_f"])[..., None]
    steps, batch, _ = inputs.shape
    size = q_all.shape[-1]
    C = torch.zeros(batch, size, size, dtype=torch.float64)
    n = torch.zeros(batch, size, dtype=torch.float64)
    m = torch.zeros(batch, 1, dtype=torch.float64)
    outputs = []
    for t in range(steps):
        f_log = torch.nn.functional.logsigmoid(f_all[t])
        m_new = torch.max(f_log + m, i_all[t])
        f_act, i_act = torch.exp(f_log + m - m_new), torch.exp(i_all[t] - m_new)
        q_scaled = q_all[t] * size**-0.5
        C = f_act[:, :, None] * C + i_act[:, :, None] * (
            k_all[t][:, :, None] @ v_all[t][:, None, :]
        )
        n = f_act * n + i_act * k_all[t]
        h_num = (q_scaled[:, None, :] @ C).squeeze(1)
        qn = (q_scaled[:, None, :] @ n[:, :, None]).squeeze(1)
        h_den = torch.maximum(qn.abs(), torch.exp(-m_new)) + eps
        m = m_new
        outputs.append(o_all[t] * h_num / h_den)
    return torch.stack(outputs)


def autograd(torch, run, cell: Cell, inputs: Array, d_hidden: Array):  # type: ignore[no-untyped-def]
    """Autograd's gradients of sum(d_hidden * run(params, inputs)), as NumPy arrays."""
    params = {k: torch.from_numpy(np.array(v)).requires_grad_(True) for k, v in cell.params.items()}
    x = torch.from_numpy(inputs.copy()).requires_grad_(True)
    hidden = run(torch, params, x)
    (hidden * torch.from_numpy(d_hidden)).sum().backward()
    grads = {k: v.grad.numpy() for k, v in params.items()}
    grads["inputs"] = x.grad.numpy()
    return hidden.detach().numpy(), grads


def assert_autograd_agrees(torch, run, case: Case) -> None:  # type: ignore[no-untyped-def]
    """The forward and every gradient of a zero-state case equal autograd's over ``run``
    (1e-13 and 1e-9)."""
    hidden, expected = autograd(torch, run, case.cell, case.inputs, case.d_hidden)
    assert np.allclose(case.cell.forward(case.inputs)[0], hidden, rtol=0, atol=1e-13)
    grads = case.cell.gradients(case.inputs, case.d_hidden)
    for key, value in expected.items():
        assert np.allclose(grads[key], value, rtol=1e-9, atol=1e-12), key


@pytest.mark.parametrize("ties", [False, True], ids=["every-branch", "exact-ties"])
@pytest.mark.parametrize(("kind", "run"), [("slstm", official_slstm), ("mlstm", official_mlstm)])
def test_the_xlstm_gradients_are_autograd_s_over_the_official_code(
    kind: str,
    run,  # type: ignore[no-untyped-def]
    ties: bool,
) -> None:
    """On a case taking every branch, and on one with exact ties (``tied_case``)."""
    torch = pytest.importorskip("torch")
    case = tied_case(kind) if ties else make_case(kind, 5, zero_state=True)
    counts = branch_counts(case)
    tied = counts.pop("tie")
    assert tied > 0 if ties else tied == 0 and all(count > 0 for count in counts.values())
    assert_autograd_agrees(torch, run, case)


def package_slstm(vanilla, torch, params, inputs):  # type: ignore[no-untyped-def]
    """The sLSTM through the xlstm package's ``slstm_forward_pointwise``."""
    steps, batch, _ = inputs.shape
    states = torch.zeros(4, batch, params["R"].shape[1], dtype=torch.float64)
    outputs = []
    for t in range(steps):
        states, _ = vanilla.slstm_forward_pointwise(
            inputs[t] @ params["W"].T, states[0] @ params["R"].T, params["b"], states, {}
        )
        outputs.append(states[0])
    return torch.stack(outputs)


def package_mlstm(native, torch, params, inputs):  # type: ignore[no-untyped-def]
    """The mLSTM through mlstm-kernels' ``mlstm_recurrent_step__native_fw`` (one head);
    the projections and the output gate as in ``mlstm.py``."""
    batch = inputs.shape[1]
    size = params["W_q"].shape[0]
    C = torch.zeros(batch, 1, size, size, dtype=torch.float64)
    n = torch.zeros(batch, 1, size, dtype=torch.float64)
    m = torch.zeros(batch, 1, 1, dtype=torch.float64)
    outputs = []
    for x in inputs:
        q, k, v = ((x @ params[f"W_{a}"].T + params[f"b_{a}"])[:, None, :] for a in "qkv")
        i_raw = (x @ params["w_i"] + params["b_i"])[:, None, None]
        f_raw = (x @ params["w_f"] + params["b_f"])[:, None, None]
        h_tilde, (C, n, m) = native.mlstm_recurrent_step__native_fw(
            C, n, m, q, k, v, i_raw, f_raw, eps=MLSTM_EPS, dtype_state=torch.float64
        )
        outputs.append(torch.sigmoid(x @ params["W_o"].T + params["b_o"]) * h_tilde[:, 0])
    return torch.stack(outputs)


@pytest.mark.parametrize(
    ("kind", "module", "run"),
    [
        ("slstm", "xlstm.blocks.slstm.src.vanilla.slstm", package_slstm),
        ("mlstm", "mlstm_kernels.torch.recurrent.native_step", package_mlstm),
    ],
)
def test_the_xlstm_gradients_are_autograd_s_over_the_official_packages(
    kind: str,
    module: str,
    run,  # type: ignore[no-untyped-def]
) -> None:
    """Where the packages ``xlstm`` / ``mlstm-kernels`` are installed (CPU is enough)."""
    torch = pytest.importorskip("torch")
    package = pytest.importorskip(module)
    case = make_case(kind, 6, zero_state=True)
    assert_autograd_agrees(torch, functools.partial(run, package), case)


def test_the_lstm_s_gradients_are_torch_autograd_s_on_a_random_case() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    steps, batch, size_in, hidden_size = 6, 3, 2, 5
    cell = LSTMCell.init(size_in, hidden_size, 7)
    inputs = rng.normal(size=(steps, batch, size_in))
    d_hidden = rng.normal(size=(steps, batch, hidden_size))
    lstm = torch.nn.LSTM(size_in, hidden_size).double()
    with torch.no_grad():
        for key, value in cell.params.items():
            getattr(lstm, f"{key}_l0").copy_(torch.from_numpy(value.copy()))
    x = torch.from_numpy(inputs).requires_grad_(True)
    hidden, _ = lstm(x)
    (hidden * torch.from_numpy(d_hidden)).sum().backward()
    grads = cell.gradients(inputs, d_hidden)
    for key in cell.params:
        expected = getattr(lstm, f"{key}_l0").grad.numpy()
        assert np.allclose(grads[key], expected, rtol=1e-9, atol=1e-12), key
    assert np.allclose(grads["inputs"], x.grad.numpy(), rtol=1e-9, atol=1e-12)
