"""Scenario presets: each preset's claim, checked on the engine's own numbers, and the
dashboard's picker (key o) opening them."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest
from textual import events
from textual.widgets import OptionList, Static

from lstm_engine import LSTMCell
from lstm_engine.cells.base import Array, Cell, Record
from lstm_engine.presets import PRESETS, listing
from tui.screens.compare import CompareScreen
from tui.screens.main import MainScreen
from tui.screens.presets import MARK, PresetPicker

from tui_helpers import make_app


def run(cell: Cell, inputs: Array) -> list[Record]:
    """Every step's record, the cell's own step from zeros."""
    state, records = None, []
    for t, x in enumerate(inputs, start=1):
        record = cell.step(x, state, t)
        state = cell.state_of(record)
        records.append(record)
    return records


def steps(name: str) -> tuple[Cell, Array, list[Record]]:
    cell, inputs = PRESETS[name].build()
    return cell, inputs, run(cell, inputs)


def series(records: list[Record], field: str) -> Array:
    """One field over the steps, (T, ...)."""
    return np.array([getattr(r, field) for r in records])


# -- what every preset declares ---------------------------------------------------------------
@pytest.mark.parametrize("name", list(PRESETS))
def test_a_preset_builds_what_it_declares(name: str) -> None:
    preset = PRESETS[name]
    cell, inputs = preset.build()
    assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", name) and preset.name == name
    assert (cell.kind, cell.input_size, cell.hidden_size) == (
        preset.cell, preset.input_size, preset.hidden_size,
    )  # fmt: skip
    assert inputs.shape == (len(preset.inputs), preset.input_size) and len(inputs) >= 3
    assert preset.input_names is None or len(preset.input_names) == preset.input_size
    # one line of the picker at 80 columns: its frame and margins (4), the mark of the
    # highlighted row, the name column, two spaces, the purpose
    room = 80 - 4 - len(MARK) - max(map(len, PRESETS)) - 2
    assert len(preset.purpose) <= room, preset.purpose
    assert preset.watch and preset.origin in (f"preset {name}", f"seed {preset.seed}")


def test_the_listing_names_every_preset_with_its_purpose_within_80_columns() -> None:
    text = listing()
    for preset in PRESETS.values():
        assert f"{preset.name} ({preset.cell}," in text and preset.purpose in text
    assert max(len(line) for line in text.splitlines()) <= 80


# -- each preset's claim ----------------------------------------------------------------------
def test_seed_is_the_original() -> None:
    cell, inputs, records = steps("seed")
    assert cell == LSTMCell.init(1, 1, 42)
    assert inputs.ravel().tolist() == [5, 1.9, 2]
    # the original printout's first block (tests/test_cli.py ORIGINAL_BLOCK_1)
    assert f"{series(records, 'c')[0, 0]:.4f} {series(records, 'f')[0, 0]:.4f}" == "0.2494 0.4827"
    # its watch line: the sigmoid gates between 0.45 and 0.7, i 0.68 at step 1
    assert "between 0.45 and 0.7 (i is 0.68 at step 1)" in PRESETS["seed"].watch
    for gate in ("f", "i", "o"):
        assert ((series(records, gate) > 0.45) & (series(records, gate) < 0.7)).all(), gate
    assert round(float(series(records, "i")[0, 0]), 2) == 0.68


def test_remember_holds_the_value_of_step_1_over_20_zeros() -> None:
    _, inputs, records = steps("remember")
    assert inputs[0, 0] != 0 and not inputs[1:].any() and len(inputs) == 21
    assert (series(records, "f") > 0.99).all()
    c = series(records, "c")[:, 0]
    assert c[0] > 0.5  # something was written
    assert abs(c[20] - c[0]) <= 0.1 * abs(c[0])
    assert (series(records, "i")[1:] < 0.01).all()  # nothing else is written


def test_forget_wipes_the_memory_at_every_step() -> None:
    _, _, records = steps("forget")
    assert (series(records, "f") < 0.01).all()
    c, written = series(records, "c"), series(records, "i") * series(records, "g")
    assert np.abs(c - written).max() < 0.01  # c is this step's write, nothing of the past
    assert np.abs(c).max() > 0.5  # and there was something to forget


def test_write_read_opens_the_input_gate_on_writes_and_the_output_gate_on_reads() -> None:
    _, inputs, records = steps("write-read")
    assert PRESETS["write-read"].input_names == ("value", "write", "read")
    write, read = inputs[:, 1] == 1, inputs[:, 2] == 1
    assert write.sum() >= 2 and read.sum() >= 2
    i, o = series(records, "i")[:, 0], series(records, "o")[:, 0]
    assert ((i > 0.9) == write).all() and (i[~write] < 0.01).all()  # open, else shut
    assert ((o > 0.9) == read).all() and (o[~read] < 0.01).all()
    c, g = series(records, "c")[:, 0], series(records, "g")[:, 0]
    for t in np.flatnonzero(read):
        last_write = np.flatnonzero(write[:t]).max()
        assert c[t] == pytest.approx(g[last_write], rel=0.02)  # the value written is read
    assert len(set(np.round(g[write], 2))) == write.sum()  # each write replaced the last
    # what the watch line says h reads back: c squashed, h = o*tanh(c), 0.64 for the 0.5
    # written at step 2 (not the 0.5 itself)
    assert "0.64 for the 0.5 written at step 2" in PRESETS["write-read"].watch
    assert inputs[1].tolist() == [0.5, 1, 0]
    h = series(records, "h")[:, 0]
    first_read = int(np.flatnonzero(read)[0])
    assert round(float(h[first_read]), 2) == 0.64
    for t in np.flatnonzero(read):
        assert h[t] == pytest.approx(np.tanh(c[t]), rel=0.01)
        assert c[t] == pytest.approx(
            np.tanh(2 * inputs[np.flatnonzero(write[:t]).max(), 0]), rel=0.02
        )


def test_impulse_decays_at_the_rate_f() -> None:
    _, inputs, records = steps("impulse")
    assert inputs[0, 0] != 0 and not inputs[1:].any()
    c, f = series(records, "c")[:, 0], series(records, "f")[:, 0]
    np.testing.assert_allclose(c[1:] / c[:-1], f[1:], rtol=1e-12)
    assert c[-1] < 0.1 * c[0]  # it visibly decays
    assert f.max() < 0.9  # at a rate one can watch


def test_saturate_has_every_gate_at_an_end_of_its_range() -> None:
    cell, inputs, records = steps("saturate")
    for gate in cell.gates:
        values = series(records, gate.symbol)
        near_end = np.minimum(values - gate.low, gate.high - values) < 0.01 * (gate.high - gate.low)
        assert near_end.all(), (gate.symbol, values.ravel())
    # c counts the positive inputs since the last negative one
    c = series(records, "c")[:, 0]
    count, counts = 0, []
    for x in inputs[:, 0]:
        count = count + 1 if x > 0 else 0
        counts.append(count)
    np.testing.assert_allclose(c, counts, atol=0.01)


def test_peephole_opens_the_output_gate_once_c_has_grown() -> None:
    cell, inputs, records = steps("peephole")
    assert (inputs == inputs[0]).all()  # the same x at every step: only c changes
    c, o = series(records, "c")[:, 0], series(records, "o")[:, 0]
    assert (o[c < 1] < 0.01).all() and (c < 1).any()
    assert (o[c > 2] > 0.9).all() and (c > 2).any()
    # nothing but the peephole moves it: without p_o the gate stays shut
    shut = run(cell.with_params(peephole_o=np.zeros(1)), inputs)
    assert (series(shut, "o") < 0.01).all()


def test_slstm_keeps_the_input_gate_at_most_1_while_exp_i_raw_is_huge() -> None:
    _, _, records = steps("slstm")
    exp_i, i_raw, m, i = (series(records, k)[:, 0] for k in ("exp_i", "i_raw", "m", "i"))
    spike = int(np.argmax(i_raw))
    assert exp_i[spike] > 1e10
    assert m[spike] == i_raw[spike]  # the stabiliser follows the large input
    assert (i <= 1).all() and i[spike] == 1
    assert (i[spike + 1 :] < 1e-8).all()  # later inputs are small beside the one remembered
    assert np.isfinite(series(records, "h")).all()
    # swamped, not forgotten: the paper's forget gate stays 0.95 while f' is tiny
    assert "sigmoid(f_raw) stays 0.95" in PRESETS["slstm"].watch
    assert series(records, "f")[spike, 0] < 1e-6
    assert (np.round(series(records, "sig_f"), 2) == 0.95).all()


def test_mlstm_retrieves_the_value_stored_under_the_queried_key() -> None:
    _, inputs, records = steps("mlstm")
    read = inputs[:, -1] == 1
    writes = np.flatnonzero(~read)
    k, v, q = series(records, "k"), series(records, "v"), series(records, "q")
    assert len(writes) == 2 and read.sum() >= 1
    assert k[writes[0]] @ k[writes[1]] == 0  # orthogonal keys
    h = series(records, "h")
    for t in np.flatnonzero(read):
        # the query points along one key: that pair's value comes back
        matching = max(writes, key=lambda w: q[t] @ k[w])
        assert np.abs(h[t] - v[matching]).max() < 0.01 * np.abs(v[matching]).max()
        assert series(records, "i")[t] < 1e-6  # a read writes nothing
    assert {max(writes, key=lambda w: q[t] @ k[w]) for t in np.flatnonzero(read)} == set(writes)
    assert np.abs(h[writes]).max() < 1e-3  # the output gate shuts on writes


# -- the picker ----------------------------------------------------------------------------------
NAMES = list(PRESETS)


@pytest.mark.parametrize("name", NAMES)
async def test_the_picker_opens_every_preset_at_80x24(name: str) -> None:
    app = make_app("--inputs", "1,2,3,4")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "o")
        assert isinstance(app.screen, PresetPicker)
        await pilot.press(*["down"] * NAMES.index(name), "enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        frame = app.stepper.frame
        cell, inputs = PRESETS[name].build()
        assert frame.cell == cell and np.array_equal(frame.inputs, inputs)
        assert frame.t == 0 and frame.lanes[0].origin == PRESETS[name].origin
        assert frame.input_names == PRESETS[name].input_names
        await pilot.press("space", "end", "left")  # steps on without a hitch
        assert app.stepper.frame.t == len(inputs) - 1 and not app.stepper.frame.refused


async def test_the_picker_at_120x40_starts_on_the_open_preset_and_escape_changes_nothing() -> None:
    app = make_app("--preset", "slstm")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space")
        before = app.stepper.frame
        await pilot.press("o")
        picker = app.screen
        assert isinstance(picker, PresetPicker)
        assert picker.chosen.name == "slstm"
        await pilot.press("down")
        # the highlighted row is marked with a glyph (not only a shade) and named below
        rows = [
            str(picker.query_one(OptionList).get_option_at_index(k).prompt)
            for k in range(len(PRESETS))
        ]
        marked = [row.split()[1] for row in rows if row.startswith(MARK)]
        assert marked == [picker.chosen.name] == ["mlstm"]
        about = str(picker.query_one("#presets-about", Static).render())
        assert about.startswith("mlstm: mlstm, I=5")
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        assert app.stepper.frame is before


async def test_arrows_then_enter_typed_at_once_open_the_preset_they_reach() -> None:
    """Keys typed in one burst (a terminal delivers them so) are taken in order: enter
    opens the preset the arrows moved to, not the one highlighted before them."""
    app = make_app("--preset", "peephole")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        for key in ("up", "up", "enter"):  # posted together, no pause between them
            app.post_message(events.Key(key, None))
        await pilot.pause()
        await pilot.pause()
        assert app.stepper.frame.lanes[0].origin == "preset impulse"


@pytest.mark.parametrize("rows", [1, 3, 5, 8])
async def test_the_picker_in_a_terminal_a_few_rows_high(rows: int) -> None:
    app = make_app()
    async with app.run_test(size=(80, rows)) as pilot:
        await pilot.press("o", "pagedown", "pageup", "end", "home", "down", "enter")
        assert app.stepper.frame.lanes[0].origin == "preset remember"


async def test_the_palette_opens_the_picker() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        command = next(
            c for c in app.get_system_commands(app.screen) if c.title.startswith("Presets")
        )
        command.callback()
        await pilot.pause()
        assert isinstance(app.screen, PresetPicker)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.stepper.frame.lanes[0].origin == "preset remember"


async def test_compare_mode_does_not_offer_the_picker() -> None:
    """The picker opens from the dashboard only: in compare mode o is not a key and the
    palette has no Presets, so the two cells are never replaced by one preset unseen."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("v", "o")
        assert isinstance(app.screen, CompareScreen)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert not any(t.startswith("Presets") for t in titles)
        await pilot.press("escape", "o")
        assert isinstance(app.screen, PresetPicker)


async def test_a_preset_that_cannot_open_says_why_and_changes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = make_app()
    broken = replace(PRESETS["remember"], inputs=[[float("nan")]])
    monkeypatch.setitem(PRESETS, "remember", broken)
    async with app.run_test(size=(80, 24)) as pilot:
        before = app.stepper.frame
        await pilot.press("o", "down", "enter")
        picker = app.screen
        assert isinstance(picker, PresetPicker)
        error = str(picker.query_one("#presets-error").render())
        assert error.startswith("✗") and "finite" in error
        assert app.stepper.frame is before
