"""The gradient-flow view's numbers (``lstm_engine.gradflow``): the norms of dL/dh_t and
dL/dc_t equal central differences of L through the state after step t."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_engine import plot
from lstm_engine import plotext_bridge as bridge
from lstm_engine.cells import CELLS
from lstm_engine.gradflow import companion, flow, loss_gradient
from lstm_engine.session import Session
from lstm_engine.stepper import Stepper

KINDS = [k for k in ("lstm", "peephole", "rnn") if k in CELLS]


def _loss_from(cell, inputs, t, state):  # L = sum(h_T), from the state after step t
    hidden, _ = cell.forward(inputs[t:, None, :], {k: v[None] for k, v in state.items()})
    return float(hidden[-1].sum())


def _numeric(cell, inputs, t: int, name: str, eps: float = 1e-6) -> np.ndarray:
    """dL/ds_t by central differences: perturb the state s after step t. The memory c is
    perturbed with what it feeds in its own step too: h_t = o_t * tanh(c_t) (the LSTM's),
    so that this is the total derivative the view draws."""
    before = cell.forward(inputs[: t - 1, None, :])[1] if t > 1 else cell.initial_state(1)
    record = cell.step(inputs[t - 1], {k: v[0] for k, v in before.items()}, t)
    state = cell.state_of(record)

    def moved(delta: np.ndarray) -> dict[str, np.ndarray]:
        out = {n: np.array(v, dtype=float) for n, v in state.items()}
        out[name] = out[name] + delta
        if name == "c":
            out["h"] = record.o * np.tanh(out["c"])
        return out

    grad = np.zeros_like(state[name])
    for k in range(grad.size):
        delta = np.zeros_like(grad)
        delta.flat[k] = eps
        up, down = (
            _loss_from(cell, inputs, t, moved(delta)),
            _loss_from(cell, inputs, t, moved(-delta)),
        )
        grad.flat[k] = (up - down) / (2 * eps)
    return grad


@pytest.mark.parametrize("kind", KINDS)
def test_norms_equal_central_differences(kind: str) -> None:
    cell = CELLS[kind].init(2, 3, seed=5)
    inputs = np.random.default_rng(1).normal(size=(6, 2))
    got = flow(cell, inputs)
    assert got.loss == "sum(h_T)" and not got.problem
    for name in got.norms if kind == "lstm" else ("h",):  # c_t -> h_t written for the LSTM
        for t in (1, 3, 5):  # the state after step t; at t = T nothing is perturbed later
            want = np.linalg.norm(_numeric(cell, inputs, t, name))
            assert got.norms[name][t - 1] == pytest.approx(want, rel=1e-6, abs=1e-10)
    assert got.norms["h"][-1] == pytest.approx(np.sqrt(3))  # d_hidden = 1 at t = T


def test_a_window_from_a_later_state_gives_the_same_norms() -> None:
    cell = CELLS["lstm"].init(1, 4, seed=2)
    inputs = np.random.default_rng(3).normal(size=(20, 1))
    whole = flow(cell, inputs)
    _, state = cell.forward(inputs[:8, None, :])
    window = flow(cell, inputs[8:], {k: v[0] for k, v in state.items()}, first=9)
    assert window.first == 9
    np.testing.assert_allclose(window.norms["c"], whole.norms["c"][8:], rtol=1e-12)


def test_underflow_is_counted_not_a_crash() -> None:
    # A forget gate pushed near 0 wipes the memory each step: after a few hundred steps
    # the gradient of sum(h_T) with respect to c_1 underflows to exactly 0.
    cell = CELLS["lstm"].init(1, 2, seed=1)
    bias = np.array(cell.params["bias_ih"])
    bias[2:4] = -30.0  # forget gate pre-activations (gate order i, f, g, o)
    cell = cell.with_params(bias_ih=bias)
    got = flow(cell, np.ones((400, 1)))
    assert got.zeros("c") > 0
    assert np.isneginf(got.log10("c")).sum() == got.zeros("c")
    assert got.norms["c"][-1] > 0


def test_a_cell_without_gradients_says_so() -> None:
    class NoGradients(type(CELLS["lstm"].init(1, 1, 0))):  # type: ignore[misc]
        def taped_forward(self, inputs, state=None):
            raise NotImplementedError("none")

    cell = NoGradients(CELLS["lstm"].init(1, 1, 0).params)
    got = flow(cell, np.ones((3, 1)))
    assert got.problem.endswith("has no gradients yet") and not got.norms


def test_a_readout_loss_gives_its_gradient_at_the_last_step() -> None:
    class Readout:  # L = sum((W h_T - y)^2): dL/dh_T = 2 W^T (W h_T - y)
        weight = np.array([[1.0, -2.0]])

        def loss_and_grad(self, h, targets, objective):
            error = h @ self.weight.T - targets
            return float((error**2).sum()), 2 * error @ self.weight, {}

    hidden = np.full((4, 1, 2), 0.5)
    d_hidden, what = loss_gradient(hidden, Readout(), np.array([1.0]))
    assert "readout" in what
    np.testing.assert_allclose(d_hidden[-1, 0], 2 * (-0.5 - 1.0) * np.array([1.0, -2.0]))
    assert not d_hidden[:-1].any()


def test_the_companion_is_a_seeded_rnn_of_the_same_size() -> None:
    cell = CELLS["lstm"].init(2, 3, seed=1)
    other = companion(cell, seed=7)
    if "rnn" not in CELLS:
        assert other is None
        return
    assert other is not None and other.kind == "rnn"
    assert (other.input_size, other.hidden_size) == (2, 3)


def test_overflow_is_counted_not_a_crash() -> None:
    # h stays 0, so each step back multiplies the gradient by W_hh^T = 3 I: 3^1000 passes
    # float64 (inf, then nan where it meets a 0)
    rnn = CELLS["rnn"].init(1, 2, seed=1)
    rnn = rnn.with_params(
        weight_ih=np.zeros((2, 1)),
        weight_hh=3 * np.eye(2),
        bias_ih=np.zeros(2),
        bias_hh=np.zeros(2),
    )
    got = flow(rnn, np.zeros((1000, 1)))
    assert got.overflows("h") > 0 and got.zeros("h") == 0
    assert got.norms["h"][-1] == pytest.approx(np.sqrt(2))
    assert got.norms["h"][-10] == pytest.approx(np.sqrt(2) * 3.0**9)


def test_curves_that_run_together_are_marked_where_they_meet() -> None:
    """The gradient view's h and c of an LSTM often coincide: without colour the line drawn
    last would hide the other, so the view marks ◆ (BOTH) where their points share a
    character, lines included (``PlotSpec.meet_lines``)."""
    inputs = np.random.default_rng(0).normal(size=(100, 1))
    stepper = Stepper(Session(CELLS["lstm"].init(1, 2, seed=3), inputs, seed=3))
    spec = stepper.flow_job().run().flow_plot
    assert spec is not None and spec.meet_lines
    same = np.linspace(-3, -1, 100)
    curves = [plot.Curve("h", same, "o", plot.BLUE), plot.Curve("c", same + 1e-9, "x", plot.RED)]
    for meet in (False, True):
        drawn = plot.draw(
            bridge.new_figure(), curves, 100, width=60, height=14, colour=False, meet_lines=meet
        )
        text = "".join(c for r in range(drawn.canvas.rows) for c, _ in drawn.canvas.row_runs(r))
        assert (drawn.overlaps > 0) == meet and (plot.BOTH in text) == meet
        assert "x" in text or meet  # without the mark only the last line drawn shows


@pytest.mark.parametrize("kind", ["lstm", "rnn"])
def test_the_markers_name_the_kind_and_sit_on_the_drawn_lines(kind: str) -> None:
    """Whichever cell is open, the gated cell's h is `o` and its memory `x`, the RNN's h
    `*`; in colour, a line too dense for a marker a step still shows its legend's marker."""
    inputs = np.random.default_rng(0).normal(size=(100, 1))
    stepper = Stepper(Session(CELLS[kind].init(1, 2, seed=3), inputs, seed=3))
    spec = stepper.flow_job().run().flow_plot
    assert spec is not None
    marks = {c.short.split()[0] + " " + c.short.split()[1]: c.marker for c in spec.curves}
    assert marks == {"LSTM h": "o", "LSTM c": "x", "RNN h": "*"}
    drawn = plot.draw(bridge.new_figure(), spec.curves, 100, width=100, height=20, colour=True)
    text = "".join(c for r in range(drawn.canvas.rows) for c, _ in drawn.canvas.row_runs(r))
    lstm = [c for c in spec.curves if c.line]
    assert all(text.count(c.marker) >= 3 for c in lstm), text
