"""The heat map (m): its numbers (lstm_engine/heatmap.py: series, windows, the zoom that
keeps each column's extreme with its sign, gates read from the middle of their range,
select-and-match) and the screen driven by keys and the mouse (Textual's Pilot), for
every cell kind."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from unittest.mock import PropertyMock, patch

import numpy as np
import pytest
from textual import events
from textual.geometry import Size

from lstm_engine import heatmap
from lstm_engine.cells import CELLS
from lstm_engine.session import Session
from tui.keys import HEATMAP
from tui.screens.heatmap import HeatMapScreen
from tui.screens.main import MainScreen
from tui.widgets.header import HeaderBar
from tui.widgets.heatmap import HeatMap

from tui_helpers import make_app

KINDS = list(CELLS)


def stepped(kind: str, hidden: int = 3, steps: int = 40) -> Session:
    inputs = np.random.default_rng(5).normal(size=(steps, 2))
    session = Session(CELLS[kind].init(2, hidden, 7), inputs)
    session.seek(steps)
    return session


# -- the numbers ---------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_every_series_is_the_records_field_at_every_step(kind: str) -> None:
    session = stepped(kind)
    reader = heatmap.Reader(session)
    for series in heatmap.series_of(session.cell):
        records = [session.record(t) for t in range(1, session.computed + 1)]
        expected = np.array([np.ravel(getattr(r, series.field)) for r in records])
        np.testing.assert_allclose(reader.values(series, 0, 40), expected, atol=1e-12)
        np.testing.assert_allclose(reader.values(series, 11, 17), expected[11:17], atol=1e-12)


def test_series_come_from_the_declarations() -> None:
    fields = {
        kind: [s.field for s in heatmap.series_of(CELLS[kind].init(1, 4, 0))] for kind in KINDS
    }
    assert fields["lstm"][:2] == ["h", "c"] and set(fields["lstm"]) == {
        "h",
        "c",
        "f",
        "i",
        "g",
        "o",
    }
    assert fields["rnn"] == ["h"]  # its one "gate" is h itself
    assert "C" not in fields["mlstm"]  # a matrix's rows are not units
    shared = {s.field: s.rows for s in heatmap.series_of(CELLS["mlstm"].init(1, 4, 0))}
    assert shared["i"] == shared["f"] == shared["m"] == 1 and shared["o"] == 4
    one = heatmap.series_of(CELLS["lstm"].init(1, 1, 0))
    assert not any(s.shared for s in one)  # one unit is still a unit, not "all"


def test_gates_are_kept_and_extended_as_the_history_grows() -> None:
    session = Session(CELLS["lstm"].init(1, 2, 0), np.ones((30, 1)))
    session.seek(10)
    reader = heatmap.Reader(session)
    gate = next(s for s in heatmap.series_of(session.cell) if s.field == "f")
    first = reader.values(gate, 0, 10)
    session.seek(30)
    assert reader.current(session)
    np.testing.assert_array_equal(reader.values(gate, 0, 10), first)
    assert reader.values(gate, 0, 30).shape == (30, 2)
    session.set_inputs(np.zeros((30, 1)))
    assert not reader.current(session)  # new inputs: a new reader


@pytest.mark.parametrize(
    ("start", "cursor", "size", "total", "expected"),
    [
        (0, 5, 10, 100, 0),  # in view: stays
        (0, 10, 10, 100, 1),  # one past the right edge: scrolls one
        (50, 20, 10, 100, 20),  # left of the window: it starts at the cursor
        (95, 99, 10, 100, 90),  # never past the end
        (3, 2, 10, 5, 0),  # everything fits
    ],
)
def test_the_window_follows_the_cursor(start, cursor, size, total, expected) -> None:
    assert heatmap.follow(start, cursor, size, total) == expected


def test_zoom_keeps_a_single_spike_with_its_sign() -> None:
    values = np.full((10_000, 2), 0.01)
    values[6_789, 0] = -5.0  # one step, negative, in a column of ~100 steps
    values[3, 1] = 2.0
    bounds = heatmap.edges(10_000, 97)
    columns = heatmap.extremes(values, bounds)
    assert columns.shape == (97, 2)
    spike = heatmap.column_of(bounds, 6_790)
    assert columns[spike, 0] == -5.0 and columns[heatmap.column_of(bounds, 4), 1] == 2.0
    assert np.count_nonzero(columns[:, 0] != 0.01) == 1  # only the spike's column differs
    assert heatmap.levels(columns, 5.0)[spike, 0] == -4  # the largest negative glyph


def test_zoom_edges_cover_every_step_once() -> None:
    for steps, columns in [(5, 80), (100_000, 113), (81, 80)]:
        bounds = heatmap.edges(steps, columns)
        assert bounds[0] == 0 and bounds[-1] == steps and np.all(np.diff(bounds) >= 1)
        assert len(bounds) - 1 == min(steps, columns)


def test_zoom_is_fast_at_100000_steps() -> None:
    import time

    values = np.random.default_rng(0).normal(size=(100_000, 32))
    began = time.perf_counter()
    heatmap.extremes(values, heatmap.edges(100_000, 110))
    assert time.perf_counter() - began < 0.5


def test_gates_are_read_from_the_middle_of_their_range() -> None:
    series = {s.field: s for s in heatmap.series_of(CELLS["lstm"].init(1, 4, 0))}
    assert (series["f"].centre, series["f"].scale) == (0.5, 0.5)  # sigmoid: 0..1
    assert (series["g"].centre, series["g"].scale) == (0.0, 1.0)  # tanh: -1..1
    xlstm = {s.field: s for s in heatmap.series_of(CELLS["slstm"].init(1, 4, 0))}
    assert (xlstm["f"].centre, xlstm["f"].scale) == (0.5, 0.5)  # the stabilised f': 0..1
    # the seeded weights keep gates near 0.5: 0.45, 0.49, 0.5, 0.55 each read differently
    f = np.array([0.45, 0.49, 0.5, 0.55, 0.0, 1.0])
    shown = heatmap.levels(f - 0.5, 0.5, series["f"].bounds).tolist()
    assert shown == [-2, -1, 0, 2, -4, 4]


def test_a_zoomed_gate_keeps_the_step_furthest_from_its_middle() -> None:
    f = np.full((300, 1), 0.999)
    f[150] = 0.0  # the forget gate closes for one step
    bounds = heatmap.edges(300, 30)
    columns = heatmap.extremes(f - 0.5, bounds)
    assert columns[heatmap.column_of(bounds, 151), 0] == -0.5
    assert np.count_nonzero(columns[:, 0] < 0) == 1


def test_the_threshold_is_a_fraction_of_the_scale_from_the_centre() -> None:
    series = {s.field: s for s in heatmap.series_of(CELLS["lstm"].init(1, 4, 0))}
    assert heatmap.threshold(series["f"], 0.5, 3) == pytest.approx(0.65)
    assert heatmap.threshold(series["f"], 0.5, -10) == pytest.approx(0.0)
    assert heatmap.threshold(series["h"], 0.05, 3) == pytest.approx(0.015)


def test_levels_give_sign_and_magnitude() -> None:
    values = np.array([-1.0, -0.4, -0.05, 0.0, 0.05, 0.2, 0.6, 1.0, 3.0])
    assert heatmap.levels(values, 1.0).tolist() == [-4, -2, 0, 0, 0, 1, 3, 4, 4]
    assert "".join(heatmap.GLYPHS[k + 4] for k in heatmap.levels(values, 1.0)) == "●∘   ░▓██"
    assert heatmap.levels(values * 0, 0.0).tolist() == [0] * 9  # all 0 so far: no scale


def test_match_is_signed_and_over_the_whole_range() -> None:
    values = np.array([[0.5, -0.9, 0.5], [0.4, -0.9, 0.2], [0.6, -0.9, 0.5]])
    assert heatmap.above(values, 0.3) == [0]  # unit 2 dips at one step; unit 1 is negative
    assert heatmap.above(values, 0.1) == [0, 2]
    assert heatmap.above(values, -1.0) == [0, 1, 2]
    assert heatmap.above(values[:0], 0.0) == []


# -- the screen ----------------------------------------------------------------------------
def heat(app) -> HeatMap:
    return app.screen.query_one(HeatMap)


def unit_rows(text: str) -> list[str]:
    """The map's unit rows: ▶ or a blank, ✓ or a blank, the unit's number (or all)."""
    return [line for line in text.splitlines() if re.match(r"[▶ ][✓ ] *(\d+|all) ", line)]


async def test_m_opens_and_escape_closes() -> None:
    app = make_app("--hidden-size", "4", "--inputs", "1;-2;0.5;3")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("m")
        assert isinstance(app.screen, HeatMapScreen)
        assert "press space" in heat(app).text()
        await pilot.press("space", "space")
        assert app.stepper.frame.t == 2 and "steps 1–2 of 2" in heat(app).text()
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen) and app.stepper.frame.t == 2
        await pilot.press("m", "m")
        assert isinstance(app.screen, MainScreen)


async def test_series_zoom_threshold_and_range_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # s saves a screenshot in the current folder
    app = make_app("--hidden-size", "4", "--inputs", "1;-2;0.5;3;1;0;-1;2")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("m", "space", "space", "space")
        await pilot.press("v")
        assert heat(app).text().startswith(" c (cell)")
        await pilot.press("v")
        assert heat(app).text().startswith(" f (forget gate)")
        assert "scale: f - 0.5, ±0.5" in heat(app).text()
        await pilot.press("shift+right", "shift+right")
        assert app.stepper.frame.t == 5
        assert "units with f > 0.65 over steps 3–5: " in heat(app).text()  # 0.5 + 0.3 × 0.5
        await pilot.press("shift+left")
        assert app.stepper.frame.t == 4 and "over steps 3–4" in heat(app).text()
        for _ in range(7):
            await pilot.press("greater_than_sign")
        assert "f > 1 over steps 3–4: none (0 of 4)" in heat(app).text()  # a sigmoid never is
        await pilot.press("greater_than_sign")  # the top of the scale: refused, unchanged
        assert app.stepper.frame.refused and "top of the scale" in app.stepper.frame.status
        assert "f > 1 over" in heat(app).text()
        for _ in range(20):
            await pilot.press("less_than_sign")
        assert "f > 0 over steps 3–4: 4 of 4 ✓: 0, 1, 2, 3" in heat(app).text()
        assert all(row[1] == "✓" for row in unit_rows(heat(app).text()))
        await pilot.press("less_than_sign")
        assert app.stepper.frame.refused and "bottom of the scale" in app.stepper.frame.status
        await pilot.press("right")  # an arrow alone drops the range
        assert "over steps" not in heat(app).text() and app.stepper.frame.t == 5
        await pilot.press("z")
        assert "steps 1–5 of 5 · zoomed out: every step fits" in heat(app).text()
        await pilot.press("end", "r", "home", "p", "p", "down", "up", "s")
        assert isinstance(app.screen, HeatMapScreen)
        await pilot.pause(0.5)
        assert len(list(tmp_path.glob("*.svg"))) == 1


async def test_the_range_stops_at_the_start() -> None:
    app = make_app("--inputs", "1;2")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m", "shift+left")
        assert app.stepper.frame.refused and "start" in app.stepper.frame.status


async def test_a_click_selects_the_unit_and_the_step() -> None:
    app = make_app("--hidden-size", "4", "--inputs", "1;-2;0.5;3;1;0;-1;2")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("m", "end", "left", "left", "left")  # t = 5, unit 0
        top, label, units, _ = heat(app)._cells
        assert list(units) == [0, 1, 2, 3]
        await pilot.click(HeatMap, offset=(label + 1, top + 2))  # step 2, unit 2
        await pilot.pause()
        assert app.stepper.frame.unit == 2 and app.stepper.frame.t == 2
        assert "▶   2" in heat(app).text()
        await pilot.click(HeatMap, offset=(1, top + 3))  # unit 3's label: the unit alone
        await pilot.pause()
        assert app.stepper.frame.unit == 3 and app.stepper.frame.t == 2


async def test_a_click_on_a_zoomed_column_goes_to_its_extreme() -> None:
    inputs = ";".join(["0"] * 150 + ["9"] + ["0"] * 149)
    app = make_app("--inputs", inputs)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m", "end", "z")
        top, label, _, bounds = heat(app)._cells
        column = heatmap.column_of(np.array(bounds), 151)
        await pilot.click(HeatMap, offset=(label + column, top))
        await pilot.pause()
        assert app.stepper.frame.t == 151


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("hidden", [1, 4, 100])
async def test_every_cell_and_size_draws_every_series(kind: str, hidden: int) -> None:
    app = make_app("--cell", kind, "--hidden-size", str(hidden), "--inputs", "1;-2;0.5;3")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m", "space", "space", "shift+right", "down", "up", "up")
        for series in heatmap.series_of(app.stepper.frame.cell):
            text = heat(app).text()
            assert text.startswith(f" {series.label}") and "units with" in text
            rows = unit_rows(text)
            assert any(line.startswith("▶") for line in rows) != series.shared
            assert any(line[2:].startswith("all ") for line in rows) == series.shared
            assert len(text.splitlines()) <= 24 - 2  # the header and the footer
            await pilot.press("z", "v")
        assert app.stepper.frame.unit == (hidden - 1 if hidden > 1 else 0)
        assert isinstance(app.screen, HeatMapScreen)


async def test_a_long_history_zoomed_out(tmp_path) -> None:
    """30,000 steps: c's one spike shows in its zoomed column, with its sign; a gate is
    rebuilt over the whole history (as a job) and equals the records."""
    inputs = np.zeros((30_000, 1))
    inputs[21_234] = -40.0  # step 21,235
    np.save(tmp_path / "long.npy", inputs)
    app = make_app("--hidden-size", "2", "--inputs-file", str(tmp_path / "long.npy"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m", "end")
        await app.workers.wait_for_complete()
        await pilot.press("v", "z")
        view = heat(app)
        assert view.text().startswith(" c (cell)") and "steps a column" in view.text()
        _, label, _, bounds = view._cells
        spike = heatmap.column_of(np.array(bounds), 21_235)
        row = next(line for line in view.text().splitlines() if line.startswith("▶"))
        cells = row[label : label + len(bounds) - 1]
        c = app.stepper.session.series("c")[:, 0]
        assert c[21_234] < 0 and abs(c[21_234]) == abs(c).max()
        assert cells[spike] == "●" and "●" not in cells[:spike] + cells[spike + 2 :]
        await pilot.press("v")
        await app.workers.wait_for_complete()
        await pilot.pause()
        gate = view.series(app.stepper.frame)
        assert gate.field == "f" and view.reader.missing(gate, 30_000) == 0
        kept = view.reader.values(gate, 21_230, 21_240)
        expected = [app.stepper.session.record(t).f for t in range(21_231, 21_241)]
        np.testing.assert_allclose(kept, expected, atol=1e-12)


async def test_a_mixed_burst_of_shift_arrows_moves_each_its_own_way() -> None:
    """Keys that arrive together (a fast correction, or one read of the terminal) each
    move the way they say: the actions run after all of them have arrived."""
    app = make_app("--hidden-size", "8", "--inputs", ";".join(["1"] * 50))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("m", "end", *["left"] * 20)  # t = 30
        for key in ("shift+left", "shift+left", "shift+right"):
            app.post_message(events.Key(key, None))
        await pilot.pause()
        assert app.stepper.frame.t == 29 and "over steps 29–30" in heat(app).text()
        await pilot.press("right")  # t = 30, no range
        for key in ("shift+right", "shift+right", "shift+left"):
            app.post_message(events.Key(key, None))
        await pilot.pause()
        assert app.stepper.frame.t == 31 and "over steps 30–31" in heat(app).text()


async def test_a_smaller_terminal_lays_the_map_out_again_at_once() -> None:
    """What the terminal shows after a resize, with no key pressed: the window of steps
    that keeps the cursor in view, and the header's counter."""
    app = make_app("--hidden-size", "8", "--inputs", ";".join(["1"] * 300))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("m", "end")
        assert "steps 189–300 of 300" in heat(app).text()
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        shown = re.sub("<[^>]+>", "", app.export_screenshot()).replace("&#160;", " ")
        assert "steps 229–300 of 300" in shown and "189–300" not in shown
        assert "step 300 / 300" in shown


async def test_home_and_end_drop_the_range_as_the_arrows_do() -> None:
    app = make_app("--hidden-size", "4", "--inputs", ";".join(["1"] * 30))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("m", "end", "shift+left", "shift+left")
        assert "over steps 28–30" in heat(app).text()
        await pilot.press("home")
        assert app.stepper.frame.t == 0 and "over steps" not in heat(app).text()
        await pilot.press("space", "shift+right", "end")
        assert app.stepper.frame.t == 30 and "over steps" not in heat(app).text()


async def test_a_long_match_list_keeps_its_count_and_marks_the_rows() -> None:
    app = make_app("--hidden-size", "100", "--inputs", "1;-2;0.5;3")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m", "end", "shift+left", *["less_than_sign"] * 13)
        text = heat(app).text()
        line = text.splitlines()[-1]
        found = int(re.search(r": (\d+) of 100 ✓: ", line).group(1))
        assert 0 < found <= 100 and len(line) > 80  # cut on the screen, the count first
        shown = unit_rows(text)
        units = heat(app)._cells[2]
        listed = line.split("✓: ")[1].split(", ")
        marked = [str(units[k]) for k, row in enumerate(shown) if row[1] == "✓"]
        assert marked and marked == [u for u in listed if int(u) in units]


@pytest.mark.parametrize(("hidden", "size"), [(32, (80, 24)), (100, (120, 40))])
async def test_the_title_says_which_units_are_shown(hidden, size) -> None:
    app = make_app("--hidden-size", str(hidden), "--inputs", "1;-2;0.5")
    async with app.run_test(size=size) as pilot:
        await pilot.press("m", "end")
        units, text = heat(app)._cells[2], heat(app).text()
        shown = len(unit_rows(text))
        assert shown == len(units) < hidden and len(text.splitlines()) == heat(app).size.height
        assert f"units 0–{shown - 1} of {hidden}" in text.splitlines()[0]
        await pilot.press(*["up"] * 3)
        units = heat(app)._cells[2]
        assert units.start > 0 and f"units {units.start}–{units.stop - 1} of" in heat(app).text()
    app = make_app("--hidden-size", "8", "--inputs", "1;-2;0.5")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m", "end")
        assert "units " not in heat(app).text().splitlines()[0]  # all 8 fit: nothing said


async def test_the_seeded_weights_small_h_can_be_matched() -> None:
    """|h| stays under 0.06 with the seeded weights: the threshold, a tenth of the scale at
    a time, still splits the units at some value; it never leaves the scale."""
    inputs = ";".join(f"{np.sin(t / 3):.4f}" for t in range(50))
    app = make_app("--hidden-size", "8", "--inputs", inputs)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("m", "end", *["shift+left"] * 3, *["less_than_sign"] * 13)
        counts = set()
        for _ in range(21):
            line = heat(app).text().splitlines()[-1]
            counts.add(0 if "none" in line else int(re.search(r": (\d+) of 8", line).group(1)))
            await pilot.press("greater_than_sign")
        assert max(counts) == 8 and min(counts) == 0 and len(counts) > 2
        assert "h > " in line and app.stepper.frame.refused  # stopped at the top


async def test_a_state_all_zero_so_far_says_so() -> None:
    app = make_app("--hidden-size", "4", "--inputs", "0;0;1")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("m", "space")
        assert "scale: all 0 so far (|h|)" in heat(app).text() and "±1" not in heat(app).text()
        await pilot.press("space", "space")
        assert "largest |h| so far" in heat(app).text()


async def test_a_message_never_moves_the_map() -> None:
    app = make_app("--hidden-size", "100", "--inputs", "1;-2;0.5;3")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m", "end", "z")
        app.screen.show(app.stepper.note(""))  # no message
        await pilot.pause()
        where, rows = heat(app).region.y, len(heat(app)._cells[2])
        await pilot.press("shift+right")  # a refusal, longer than the header has room for
        assert app.stepper.frame.refused and heat(app).region.y == where
        assert len(heat(app)._cells[2]) == rows


def test_the_palette_names_say_what_the_keys_do() -> None:
    labels = {key.action: key.label for key in HEATMAP}
    assert labels["next_unit"] == "Next unit" and labels["previous_unit"] == "Previous unit"
    assert labels["select_later"] == "Select later steps"
    assert labels["select_earlier"] == "Select earlier steps"
    assert labels["raise_threshold"] == "Raise threshold"
    assert labels["lower_threshold"] == "Lower threshold"
    shift = {key.keys: key.action for key in HEATMAP if "shift+" in key.keys}
    assert shift["shift+right"] == "select_later" and shift["shift+left"] == "select_earlier"


def test_the_header_never_shows_a_number_in_part() -> None:
    """100,000 steps and a message: at every width the counter is whole, or shorter
    (no words, then no total), never cut inside a number."""
    app = make_app("--hidden-size", "100", "--inputs", "1;2")
    frame = replace(app.stepper.frame, t=100_000, length=100_000)
    for status in ("", "heat map: zoomed out: the whole history"):
        for width in range(8, 130):
            with patch.object(HeaderBar, "size", new_callable=PropertyMock) as size:
                size.return_value = Size(width, 1)
                text = HeaderBar().draw(replace(frame, status=status)).plain
            assert len(text) <= width, (width, text)
            numbers = re.findall(r"\d+", text.split("seed")[-1])
            assert all(n == "100000" for n in numbers[-2:]), (width, text)
            assert width < 30 or text.endswith("step 100000 / 100000 ")


async def test_a_forget_gate_reset_shows_zoomed_out() -> None:
    """saturate: f is 1 at every x = 1 and 0 at the one x = -5; zoomed out, that step's
    column shows the reset (● : f - 0.5 = -0.5), every other column █."""
    inputs = ";".join(["1"] * 150 + ["-5"] + ["1"] * 149)
    app = make_app("--preset", "saturate", "--inputs", inputs)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m", "end", "v", "v", "z")
        view = heat(app)
        assert view.text().startswith(" f (forget gate)") and "largest |f - 0.5|" in view.text()
        _, label, _, bounds = view._cells
        row = next(line for line in view.text().splitlines() if line.startswith("▶"))
        cells = row[label : label + len(bounds) - 1]
        reset = heatmap.column_of(np.array(bounds), 151)
        assert cells[reset] == "●" and set(cells[:reset] + cells[reset + 1 :]) == {"█"}


async def test_a_step_at_the_end_says_where_steps_are_added() -> None:
    """The heat map adds no steps: at the end it says so, not "type a number"."""
    from tui.screens.stepping import AT_END

    app = make_app("--inputs", "1;2")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m", "end", "space")
        assert app.stepper.frame.refused and app.stepper.frame.status == AT_END
