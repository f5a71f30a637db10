"""The stepping controller: frames, revisions, refusals, compare mode's two lanes, and a
step's record computed once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import lstm_engine
from lstm_engine import CELLS, LSTMCell, Session, SessionError, WeightsError
from lstm_engine.inputs import InputError
from lstm_engine.plot import matrix_norm
from lstm_engine.stepper import Stepper


def stepper(kind: str = "lstm", hidden: int = 1, inputs=((5.0,), (1.9,), (2.0,))) -> Stepper:
    cell = CELLS[kind].init(len(inputs[0]), hidden, 42)
    return Stepper(Session(cell, [list(row) for row in inputs], origin="seed 42", seed=42))


def test_every_action_makes_a_new_frame_with_a_new_revision() -> None:
    s = stepper()
    seen = [s.frame.revision]
    for action in (s.step, s.step, s.back, s.reset, s.end, s.faster, s.slower, s.toggle_x):
        frame = action()
        assert frame is s.frame and frame.revision > seen[-1]
        seen.append(frame.revision)
    assert s.frame.t == 3 and s.frame.show_x


def test_a_refused_action_changes_nothing_and_says_why() -> None:
    s = stepper()
    frame = s.back()
    assert frame.refused and "start" in frame.status and frame.t == 0
    s.end()
    before = s.session.state
    frame = s.step()
    assert frame.refused and "end of the sequence" in frame.status and frame.t == 3
    assert all(np.array_equal(before[k], s.session.state[k]) for k in before)
    assert not s.back().refused


def test_a_step_computes_its_record_once(monkeypatch: pytest.MonkeyPatch) -> None:
    s = stepper(hidden=3)
    calls = []
    original = LSTMCell.pointwise

    def counting(self, *args):  # type: ignore[no-untyped-def]
        calls.append(args[0])
        return original(self, *args)

    monkeypatch.setattr(LSTMCell, "pointwise", counting)
    frame = s.step()
    assert calls == [1] and frame.record is not None and frame.record.t == 1
    s.step()
    assert calls == [1, 2]
    s.back()  # the record of step 1 is rebuilt from the history, once
    assert calls == [1, 2, 1]
    s.next_unit()  # selecting a unit recomputes nothing
    assert calls == [1, 2, 1]


def test_the_frame_holds_what_a_screen_draws() -> None:
    s = stepper(hidden=2)
    frame = s.step()
    lane = frame.lanes[0]
    assert lane.cell is s.session.cell and lane.origin == "seed 42"
    assert lane.previous is not None and np.array_equal(lane.previous["c"], np.zeros(2))
    assert frame.length == 3 and frame.inputs.tolist() == [[5.0], [1.9], [2.0]]
    assert [c.short for c in frame.plot.curves] == ["h[0]", "c[0]"]
    assert frame.plot.steps == 1 and frame.plot.curves[0].values.tolist() == [lane.record.h[0]]


def test_the_plot_key_changes_only_with_what_the_plot_shows() -> None:
    s = stepper(hidden=2)
    s.end()
    key = s.frame.plot.key
    assert s.back().plot.key == key  # the history is drawn; only the mark moves
    assert s.step().plot.key == key
    unit_key = s.next_unit().plot.key
    assert unit_key != key
    assert s.toggle_all_units().plot.key != unit_key
    assert s.toggle_x().plot.key != unit_key
    frame = s.set_inputs([[1.0], [2.0], [3.0]])
    assert frame.plot.key != key


def test_unit_is_clamped_when_a_smaller_cell_is_loaded(tmp_path: Path) -> None:
    s = stepper(hidden=3)
    s.step()
    s.select_unit(2)
    lstm_engine.save(LSTMCell.init(1, 1, 7), tmp_path / "h1.npz")
    frame = s.load_weights(tmp_path / "h1.npz")
    assert frame.unit == 0 and frame.hidden_size == 1 and frame.t == 1
    assert frame.lanes[0].origin == "weights h1.npz"


def test_weights_for_other_inputs_are_refused_and_change_nothing(tmp_path: Path) -> None:
    s = stepper()
    lstm_engine.save(LSTMCell.init(2, 1, 7), tmp_path / "i2.npz")
    before = s.session.cell
    with pytest.raises(SessionError, match="2 value"):
        s.load_weights(tmp_path / "i2.npz")
    assert s.session.cell is before


def test_set_weight_checks_the_value_and_marks_the_origin() -> None:
    s = stepper()
    s.step()
    frame = s.set_weight("bias_ih", (1,), 0.75)
    assert s.session.cell.params["bias_ih"][1] == 0.75 and frame.t == 1
    assert frame.lanes[0].origin.endswith("(edited)") and "bias_ih[1] = 0.75" in frame.status
    for bad in (float("nan"), float("inf")):
        with pytest.raises(WeightsError):
            s.set_weight("bias_ih", (0,), bad)
    with pytest.raises(WeightsError):
        s.set_weight("nope", (0,), 1.0)
    with pytest.raises(WeightsError):
        s.set_weight("bias_ih", (99,), 1.0)


def test_bad_inputs_raise_before_anything_changes() -> None:
    s = stepper()
    s.step()
    with pytest.raises(InputError):
        s.set_inputs([[1.0, 2.0]])
    assert s.frame.inputs.tolist() == [[5.0], [1.9], [2.0]] and s.frame.t == 1


def test_live_input_appends_and_steps_at_the_end() -> None:
    s = stepper()
    s.end()
    frame = s.append_input([-1.5])
    assert frame.t == 4 and frame.length == 4 and frame.inputs[-1, 0] == -1.5
    s.reset()
    frame = s.append_input([2.0])  # not at the end: added, not taken
    assert frame.t == 0 and frame.length == 5


def test_compare_mode_steps_two_lanes_together() -> None:
    s = stepper(inputs=((5.0,), (1.9,), (2.0,), (1.0,)))
    s.step()
    frame = s.compare()
    assert frame.comparing and [lane.cell.kind for lane in frame.lanes] == ["lstm", "peephole"]
    assert frame.lanes[1].record is not None and frame.lanes[1].record.t == 1
    assert "weight_ih" in frame.lanes[1].shared
    s.step()
    s.step()
    assert [session.t for session in s.sessions()] == [3, 3]
    frame = s.switch_cell()
    assert [lane.cell.kind for lane in frame.lanes] == ["lstm", "slstm"] and frame.t == 3
    frame = s.set_inputs([[1.0], [2.0], [3.0], [4.0], [5.0]])
    assert all(session.length == 5 for session in s.sessions())
    labels = [c.short for c in frame.plot.curves]
    assert labels == ["left h", "left c", "right h", "right c"]
    assert frame.plot.curves[0].label == "LSTM h"
    frame = s.close_compare()
    assert not frame.comparing and frame.t == 3


def test_switching_the_first_cell_in_compare_mode_keeps_the_second_kind() -> None:
    s = stepper()
    s.compare("mlstm")
    frame = s.switch_cell(lane=0)
    assert [lane.cell.kind for lane in frame.lanes] == ["peephole", "mlstm"]


def test_all_units_cycles_through_the_per_unit_series() -> None:
    s = stepper(hidden=3)
    s.step()
    assert [s.toggle_all_units().all_units for _ in range(3)] == ["h", "c", None]
    s.switch_cell("mlstm")
    assert [s.toggle_all_units().all_units for _ in range(2)] == ["h", None]  # |C| has no units
    s.toggle_all_units()
    frame = s.switch_cell("lstm")
    assert frame.all_units == "h"


def test_play_steps_on_ticks_and_stops_at_the_end() -> None:
    s = stepper()
    frame = s.play()
    assert frame.playing and "playing" in frame.status
    for _ in range(3):
        s.tick()
    frame = s.tick()
    assert frame.t == 3 and not frame.playing
    frame = s.play()  # from the end: start again
    assert frame.playing and frame.t == 0


def test_the_memory_norm_series_is_extended_step_by_step() -> None:
    s = stepper("mlstm", hidden=3, inputs=tuple((float(x),) for x in range(8)))
    for _ in range(8):
        frame = s.step()
    norms = frame.plot.curves[1].values
    expected = matrix_norm(s.session.series("C", upto=8))
    np.testing.assert_allclose(norms, expected, rtol=1e-15)


def test_all_units_in_compare_mode_draws_every_unit_of_both_cells() -> None:
    s = stepper(hidden=3)
    s.step()
    s.compare()
    frame = s.toggle_all_units()
    labels = [c.label for c in frame.plot.curves]
    assert labels == [f"{side} h[{k}]" for side in ("left", "right") for k in range(3)]
    second = [c for c in frame.plot.curves if c.label.startswith("right")]
    assert [c.marker for c in second] == ["0", "1", "2"] and not any(c.line for c in second)
    assert not any(c.right for c in frame.plot.curves)  # one axis for a comparison


def test_switching_the_cell_keeps_the_equation_being_read_by_its_symbol() -> None:
    from lstm_engine.equations import symbols

    s = stepper("peephole")
    s.step()
    s.select_equation(symbols(s.session.cell).index("h"))
    for kind in ("slstm", "mlstm", "rnn", "lstm"):  # every one of them has an h
        frame = s.switch_cell(kind)
        assert symbols(frame.cell)[frame.equation] == "h", kind
    s.select_equation(symbols(s.session.cell).index("c_bar"))
    frame = s.switch_cell("slstm")
    assert symbols(frame.cell)[frame.equation] == "c_bar"
    frame = s.switch_cell("mlstm")  # no c_bar: the first equation, a valid index
    assert frame.equation == 0
