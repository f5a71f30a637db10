"""The plain tanh RNN: PyTorch's numbers (forward and gradients), the step path against the
batched one, sessions, traces and the CLI, weight files told apart from the LSTM's by
their shapes, overflow, and what compare mode shares with the LSTM-style cells.

``data/rnn_i2_h3_t10.json`` is the first sequence of PyTorch's gradient case
``data/grad_rnn_i2_h3_t10_b2.npz`` written as a reference trace (the tanh "gate" is h);
``test_the_reference_trace_is_pytorch_s_gradient_case`` holds the two together.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lstm_engine
from lstm_engine import CELLS, Session, StepOverflow, trace
from lstm_engine.cells import RNNCell, WeightsError, detect_kind
from lstm_engine.cells.base import Cell
from lstm_engine.cli import main
from lstm_engine.equations import lines
from lstm_engine.share import with_shared_weights
from lstm_engine.stepper import Stepper

from reference import (
    assert_forward_is_the_step_path,
    expected,
    input_rows,
    random_cells,
    run_strictly,
    running_states,
)

DATA = Path(__file__).parent / "data"
GRAD_CASE = DATA / "grad_rnn_i2_h3_t10_b2.npz"


def case_params(case: np.lib.npyio.NpzFile) -> dict[str, np.ndarray]:
    return {k.removeprefix("param:"): case[k] for k in case.files if k.startswith("param:")}


def loss(cell: Cell, inputs: np.ndarray, d_hidden: np.ndarray, state=None) -> float:  # type: ignore[no-untyped-def]
    return float(np.sum(d_hidden * cell.forward(inputs, state)[0]))


# -- PyTorch's numbers ----------------------------------------------------------------


def test_forward_and_gradients_are_pytorch_s_reference_case() -> None:
    case = np.load(GRAD_CASE)
    cell = RNNCell(case_params(case))
    hidden, final = cell.forward(case["inputs"])
    assert np.all(np.abs(hidden - case["hidden"]) <= 1e-12)
    assert np.array_equal(final["h"], hidden[-1])
    grads = cell.gradients(case["inputs"], case["d_hidden"])
    for key in [*cell.params, "inputs"]:
        want = case[f"grad:{key}"]
        assert grads[key].shape == want.shape, key
        assert np.all(np.abs(grads[key] - want) <= 1e-12 * np.maximum(1.0, np.abs(want))), key


def test_the_reference_trace_is_pytorch_s_gradient_case() -> None:
    case = np.load(GRAD_CASE)
    want = expected("rnn_i2_h3_t10")
    assert np.array_equal(want["inputs"], case["inputs"][:, 0])
    assert np.array_equal([s["h"] for s in want["steps"]], case["hidden"][:, 0])
    saved = np.load(DATA / "rnn_i2_h3_t10.npz")
    assert all(np.array_equal(saved[k], v) for k, v in case_params(case).items())


def torch_rnn(torch, cell: RNNCell):  # type: ignore[no-untyped-def]
    rnn = torch.nn.RNN(cell.input_size, cell.hidden_size, nonlinearity="tanh").double()
    with torch.no_grad():
        for key, value in cell.params.items():
            getattr(rnn, f"{key}_l0").copy_(torch.from_numpy(value.copy()))
    return rnn


def test_forward_and_step_are_torch_s_rnn_and_rnncell() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    cell = RNNCell.init(3, 5, 3).with_params(bias_hh=rng.normal(size=5))
    inputs, h0 = rng.normal(0, 2, (7, 4, 3)), rng.uniform(-1, 1, (4, 5))
    hidden, final = cell.forward(inputs, {"h": h0})
    with torch.no_grad():
        want, last = torch_rnn(torch, cell)(torch.from_numpy(inputs), torch.from_numpy(h0[None]))
    assert np.abs(hidden - want.numpy()).max() <= 1e-12
    assert np.abs(final["h"] - last[0].numpy()).max() <= 1e-12
    one = torch.nn.RNNCell(3, 5).double()
    with torch.no_grad():
        for key, value in cell.params.items():
            getattr(one, key).copy_(torch.from_numpy(value.copy()))
        h = one(torch.from_numpy(inputs[0, 0]), torch.from_numpy(h0[0])).numpy()
    assert np.abs(cell.step(inputs[0, 0], {"h": h0[0]}).h - h).max() <= 1e-12


def test_gradients_are_torch_autograd_s_on_a_random_case() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    cell = RNNCell.init(2, 6, 8)
    inputs, d_hidden = rng.normal(size=(9, 3, 2)), rng.normal(size=(9, 3, 6))
    h0 = torch.from_numpy(rng.uniform(-1, 1, (1, 3, 6))).requires_grad_(True)
    rnn = torch_rnn(torch, cell)
    x = torch.from_numpy(inputs).requires_grad_(True)
    (rnn(x, h0)[0] * torch.from_numpy(d_hidden)).sum().backward()
    grads = cell.gradients(inputs, d_hidden, {"h": h0.detach().numpy()[0]})
    for key in cell.params:
        assert np.allclose(grads[key], getattr(rnn, f"{key}_l0").grad.numpy(), rtol=1e-9, atol=0)
    assert np.allclose(grads["inputs"], x.grad.numpy(), rtol=1e-9, atol=1e-15)
    assert np.allclose(grads["initial.h"], h0.grad.numpy()[0], rtol=1e-9, atol=1e-15)


# -- gradients, without PyTorch --------------------------------------------------------


def central_differences(f, array: np.ndarray, eps: float = 1e-6) -> np.ndarray:  # type: ignore[no-untyped-def]
    """d f / d array, every element by (f(a + eps) - f(a - eps)) / (2 eps)."""
    out = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        up, down = array.copy(), array.copy()
        up[index] += eps
        down[index] -= eps
        out[index] = (f(up) - f(down)) / (2 * eps)
    return out


def assert_close(analytic: np.ndarray, numeric: np.ndarray, what: str) -> None:
    err = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-8)
    assert err.max() <= 1e-6, (what, err.max())


@pytest.mark.parametrize("seed", range(3))
def test_gradients_are_central_differences(seed: int) -> None:
    rng = np.random.default_rng(seed)
    T, B, size_in, H = 6, 2, 3, 4
    cell = RNNCell.init(size_in, H, seed).with_params(bias_hh=rng.normal(size=H))
    inputs, d_hidden = rng.normal(size=(T, B, size_in)), rng.normal(size=(T, B, H))
    state = {"h": rng.uniform(-1, 1, (B, H))}
    grads = cell.gradients(inputs, d_hidden, state)
    for key, value in cell.params.items():
        numeric = central_differences(
            lambda v, key=key: loss(cell.with_params(**{key: v}), inputs, d_hidden, state), value
        )
        assert_close(grads[key], numeric, key)
    numeric = central_differences(lambda v: loss(cell, v, d_hidden, state), inputs)
    assert_close(grads["inputs"], numeric, "inputs")
    numeric = central_differences(lambda v: loss(cell, inputs, d_hidden, {"h": v}), state["h"])
    assert_close(grads["initial.h"], numeric, "initial.h")


def test_flow_is_the_gradient_into_each_state() -> None:
    """flow.h row t - 1 is dL/dh_t: that step's d_hidden plus the gradient of the rest of
    the sequence with respect to its initial state h_t."""
    rng = np.random.default_rng(4)
    cell = RNNCell.init(2, 3, 4)
    inputs, d_hidden = rng.normal(size=(8, 2, 2)), rng.normal(size=(8, 2, 3))
    hidden, backward = cell.taped_forward(inputs)
    grads = backward(d_hidden, flow=True)
    assert grads["flow.h"].shape == (8, 2, 3)
    assert np.array_equal(grads["flow.h"][-1], d_hidden[-1])
    for t in range(1, 8):
        rest = cell.gradients(inputs[t:], d_hidden[t:], {"h": hidden[t - 1]})
        np.testing.assert_allclose(
            grads["flow.h"][t - 1], d_hidden[t - 1] + rest["initial.h"], rtol=1e-12, atol=1e-14
        )
    assert "flow.h" not in backward(d_hidden)  # each call its own, flow only when asked
    assert np.array_equal(backward(d_hidden)["weight_hh"], grads["weight_hh"])


def test_the_tape_has_the_forward_s_hidden_states_and_checks_d_hidden() -> None:
    cell = RNNCell.init(1, 2, 0)
    inputs = np.random.default_rng(0).normal(size=(4, 3, 1))
    hidden, backward = cell.taped_forward(inputs)
    assert np.array_equal(hidden, cell.forward(inputs)[0])
    with pytest.raises(ValueError, match="d_hidden"):
        backward(np.ones((4, 3, 3)))


def test_the_gradient_vanishes_over_time() -> None:
    """The lesson the RNN is here for: with tanh' <= 1 and seeded weights of spectral norm
    below 1, the gradient reaching early inputs shrinks geometrically."""
    cell = RNNCell.init(1, 8, 1)
    inputs = np.random.default_rng(1).normal(size=(60, 1, 1))
    d_hidden = np.zeros((60, 1, 8))
    d_hidden[-1] = 1.0
    flow = cell.taped_forward(inputs)[1](d_hidden, flow=True)["flow.h"]
    norms = np.linalg.norm(flow[:, 0], axis=1)
    assert norms[0] < 1e-6 * norms[-1]


# -- the step path, sessions, traces --------------------------------------------------


@settings(max_examples=20, deadline=None)
@given(cell=random_cells(RNNCell, 3.0), seed=st.integers(0, 2**16), batch=st.integers(1, 3))
def test_forward_is_the_step_path(cell: RNNCell, seed: int, batch: int) -> None:
    inputs = np.random.default_rng(seed).normal(0, 2, (5, batch, cell.input_size))
    assert_forward_is_the_step_path(cell, inputs, running_states(cell, batch, seed))


@settings(max_examples=20, deadline=None)
@given(data=st.data(), cell=random_cells(RNNCell, 50.0))
def test_every_step_is_finite_and_in_range(data: st.DataObject, cell: RNNCell) -> None:
    records = run_strictly(cell, data.draw(input_rows(cell.input_size, 1e3)))
    for r in records:
        p = cell.params
        z = p["weight_ih"] @ r.x + p["weight_hh"] @ r.h_prev + p["bias_ih"] + p["bias_hh"]
        np.testing.assert_allclose(r.z, z, rtol=1e-12, atol=1e-9)
        assert np.array_equal(r.h, np.tanh(r.z))


def test_a_session_steps_rewinds_exactly_and_traces() -> None:
    cell = RNNCell.init(2, 3, 5)
    rng = np.random.default_rng(5)
    session = Session(cell, rng.normal(size=(6, 2)))
    first = [session.step() for _ in range(6)]
    assert session.at_end
    session.seek(2)
    again = session.step()
    for name, value in first[2].arrays().items():
        assert np.array_equal(getattr(again, name), value), name
    session.seek(0)
    assert session.current is None and session.state["h"].tolist() == [0.0, 0.0, 0.0]
    hs, _ = cell.forward(session.inputs[:, None, :])
    np.testing.assert_allclose([r.h for r in first], hs[:, 0], rtol=1e-13, atol=1e-15)
    doc = json.loads(trace.render("json", cell, session.inputs, first))
    assert doc["cell"] == "rnn" and list(doc["steps"][0]) == ["t", "x", "h", "gates"]
    assert doc["steps"][3]["gates"] == {"tanh": first[3].h.tolist()}
    header = trace.render("csv", cell, session.inputs, first).splitlines()[0]
    assert header == "t,x[0],x[1],h[0],h[1],h[2],tanh[0],tanh[1],tanh[2]"
    table = trace.render("table", cell, session.inputs, first[:1])
    assert "Hidden (h): " in table and "c" not in table.replace("Unit", "")


def test_the_equation_shows_the_numbers() -> None:
    cell = RNNCell.init(1, 2, 2)  # H + I <= 3: every product written out
    record = cell.step([0.5], {"h": np.array([0.25, -0.5])})
    p = cell.params
    for unit, text in enumerate(lines(cell, record, unit) for unit in range(2)):
        assert len(text) == 1
        symbol, written, products, rounded, short, result = text[0].split(" = ")
        assert (symbol, written) == ("h", "tanh(W_ih·x + W_hh·h_prev + b)")
        assert products.startswith("tanh(") and products.count("*") == 3
        # each product computed, then rounded: the stage a student adds up by hand
        assert rounded.startswith("tanh(") and "*" not in rounded
        assert rounded.count(" + ") + rounded.count(" - ") == 3
        assert short == f"tanh({lstm_engine.numbers.number(record.z[unit])})"
        assert result == lstm_engine.numbers.number(record.h[unit])
        bias = p["bias_ih"][unit] + p["bias_hh"][unit]
        assert products.endswith(f"{lstm_engine.numbers.number(abs(bias))})")


def test_the_cli_traces_an_rnn(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "--cell", "rnn", "--hidden-size", "2", "--inputs", "5;1.9;2"]) == 0
    out = capsys.readouterr().out
    assert out.count("Hidden (h): ") == 6 and "Cell" not in out
    assert main(["trace", "--cell", "rnn", "--inputs", "5,1.9", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    want = Session(RNNCell.init(1, 1, 42), [[5.0], [1.9]])
    assert doc["steps"][1]["h"] == want.run_to_end().h.tolist()  # type: ignore[union-attr]


# -- seeded init, files, detection ------------------------------------------------------


def test_init_is_nn_rnncell_s_uniform_spread() -> None:
    for hidden in (1, 4, 25):
        cell = RNNCell.init(3, hidden, 0)
        bound = 1 / np.sqrt(hidden)
        values = np.concatenate([v.ravel() for v in cell.params.values()])
        assert np.all(np.abs(values) <= bound)
        if hidden == 25:  # 775 draws: they fill the range
            assert values.max() > 0.95 * bound and values.min() < -0.95 * bound
    assert RNNCell.init(2, 3, 1) == RNNCell.init(2, 3, 1) != RNNCell.init(2, 3, 2)


def test_weights_round_trip_with_and_without_the_kind(tmp_path: Path) -> None:
    cell = RNNCell.init(2, 3, 6)
    lstm_engine.save(cell, tmp_path / "w.npz")
    with np.load(tmp_path / "w.npz") as saved:
        assert str(saved["__kind__"]) == "rnn"
    assert lstm_engine.load(tmp_path / "w.npz") == cell
    np.savez(tmp_path / "bare.npz", **cell.params)  # as PyTorch's state dict would be
    assert lstm_engine.load(tmp_path / "bare.npz") == cell
    with pytest.raises(WeightsError, match="holds rnn weights, not lstm"):
        lstm_engine.load(tmp_path / "w.npz", kind="lstm")
    with pytest.raises(WeightsError, match=r"weight_ih: expected shape \(12, 2\)"):
        lstm_engine.load(tmp_path / "bare.npz", kind="lstm")


#: (I, H) pairs where the LSTM's 4H could be mistaken for another size: 4H == I, H == 4I,
#: 4H == H' of the other kind's square weight_hh.
SIZES = [(1, 1), (2, 2), (4, 1), (8, 2), (1, 4), (2, 8), (4, 4), (16, 4), (12, 3), (3, 12)]


@pytest.mark.parametrize(("input_size", "hidden_size"), SIZES)
def test_lstm_and_rnn_files_are_told_apart_by_their_shapes(
    input_size: int, hidden_size: int, tmp_path: Path
) -> None:
    for kind in ("lstm", "rnn"):
        cell = CELLS[kind].init(input_size, hidden_size, 1)
        assert detect_kind(cell.params) is type(cell)
        np.savez(tmp_path / f"{kind}.npz", **cell.params)
        assert lstm_engine.load(tmp_path / f"{kind}.npz") == cell


@pytest.mark.parametrize("kind", ["lstm", "rnn"])
def test_weights_that_fit_neither_kind_name_the_one_odd_array(kind: str) -> None:
    """Same keys, one shape wrong: the kind most arrays fit is picked, so that the
    message names the odd array, not one of the kind the file is not."""
    params = dict(CELLS[kind].init(2, 3, 0).params)
    params["weight_hh"] = np.zeros((len(params["weight_hh"]), 4))
    assert detect_kind(params) is CELLS[kind]
    with pytest.raises(WeightsError, match=r"^weight_hh: expected shape .* got \((3|12), 4\)$"):
        detect_kind(params)(params)


# -- overflow ---------------------------------------------------------------------------


def test_inside_the_range_every_number_is_finite() -> None:
    """w x (H + I + 2) < 1e300: z is finite, h saturates to +-1."""
    rng = np.random.default_rng(0)
    H, size_in = 3, 2
    w = 0.9e300 / (H + size_in + 2)
    shapes = RNNCell.param_shapes(size_in, H)
    cell = RNNCell({k: w * rng.choice([-1.0, 1.0], s) for k, s in shapes.items()})
    records = run_strictly(cell, rng.choice([-1.0, 1.0], (4, size_in)))
    assert all(np.all(np.abs(r.h) == 1.0) for r in records)


def test_beyond_the_range_a_step_overflow() -> None:
    shapes = RNNCell.param_shapes(2, 2)
    cell = RNNCell({k: np.full(s, 1e300) for k, s in shapes.items()})
    session = Session(cell, np.full((3, 2), 1e10))
    with pytest.raises(StepOverflow) as caught:
        session.run_to_end()
    assert (caught.value.step, caught.value.state) == (1, "pre-activation")
    assert str(caught.value) == "overflow at step 1 (RNN (tanh), pre-activation)"
    assert session.t == 0 and session.computed == 0


# -- compare mode ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["lstm", "peephole", "slstm"])
def test_from_an_lstm_style_cell_the_rnn_is_its_candidate(kind: str) -> None:
    source = CELLS[kind].init(2, 3, 1)
    source = source.with_params(**{k: v + 0.3 for k, v in source.params.items()})
    rnn, said = with_shared_weights(source, "rnn", seed=5)
    assert said == f"shared from {kind}: its candidate rows"
    rng = np.random.default_rng(1)
    x, h = rng.normal(size=2), rng.uniform(-1, 1, 3)
    state = {**source.initial_state(), "h": h}
    candidate = source.step(x, state)
    np.testing.assert_allclose(
        rnn.step(x, {"h": h}).h, getattr(candidate, "z" if kind == "slstm" else "g"), atol=1e-15
    )


@pytest.mark.parametrize("kind", ["lstm", "peephole", "slstm"])
def test_from_an_rnn_the_candidate_is_the_rnn_and_the_gates_are_seeded(kind: str) -> None:
    rnn = RNNCell.init(2, 3, 4)
    target, said = with_shared_weights(rnn, kind, seed=6)
    assert said == "shared from rnn: its weights as the candidate rows"
    seeded = CELLS[kind].init(2, 3, 6)
    rows = np.r_[0:3, 9:12]  # the gates i, f, o; the candidate is 3..6
    for key in target.params:
        if key in ("W", "R", "b", "weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            assert np.array_equal(target.params[key][rows], seeded.params[key][rows]), key
        else:
            assert np.array_equal(target.params[key], seeded.params[key]), key
    back, _ = with_shared_weights(target, "rnn", seed=9)
    x, h = np.array([0.7, -0.2]), np.array([0.1, 0.5, -0.9])
    np.testing.assert_allclose(back.step(x, {"h": h}).h, rnn.step(x, {"h": h}).h, atol=1e-15)


def test_the_mlstm_and_the_rnn_share_nothing() -> None:
    rnn, said = with_shared_weights(CELLS["mlstm"].init(2, 3, 1), "rnn", seed=3)
    assert rnn == RNNCell.init(2, 3, 3) and said.startswith("nothing shared")
    mlstm, said = with_shared_weights(RNNCell.init(2, 3, 1), "mlstm", seed=3)
    assert mlstm == CELLS["mlstm"].init(2, 3, 3) and said.startswith("nothing shared")


@pytest.mark.parametrize(("first", "second"), [("lstm", "rnn"), ("rnn", "lstm"), ("rnn", "mlstm")])
def test_compare_mode_with_the_rnn_on_either_side(first: str, second: str) -> None:
    inputs = [[5.0], [1.9], [2.0], [1.0]]
    s = Stepper(Session(CELLS[first].init(1, 3, 42), inputs, origin="seed 42", seed=42))
    s.step()
    frame = s.compare(second)
    assert [lane.cell.kind for lane in frame.lanes] == [first, second]
    right = frame.lanes[1]
    assert right.cell == with_shared_weights(frame.lanes[0].cell, second, 42)[0]
    assert right.shared == with_shared_weights(frame.lanes[0].cell, second, 42)[1]
    s.step()
    frame = s.step()
    assert frame.t == 3 and all(lane.record is not None for lane in frame.lanes)
    want = Session(right.cell, inputs)
    want.seek(3)
    assert np.array_equal(frame.lanes[1].record.h, want.current.h)  # type: ignore[union-attr]
    labels = [c.label for c in frame.plot.curves]
    assert labels[0].startswith(f"{frame.lanes[0].cell.title} h")
    assert any(label.startswith(f"{right.cell.title} h") for label in labels)
    assert not any(label.startswith("RNN (tanh) c") for label in labels)
