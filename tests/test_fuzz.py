"""The short version of the seeded Pilot fuzz (``benchmarks/fuzz.py``): a few hundred keys
over three command lines, every kind of action, no exception, no hang, and the displayed
numbers the engine's at every check. The long run is the script's (see the README)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest


def _fuzz() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "fuzz.py"
    spec = importlib.util.spec_from_file_location("lstm_stepper_fuzz", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


fuzz = _fuzz()

#: Three command lines: the original example, a wide peephole, an mLSTM; 200 keys each.
CONFIGS = ("lstm-h1-i1", "peephole-h4-i3", "mlstm-h3-i2")
KEYS = 600


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Typed file names (exports, weights, screenshots) land in a temporary folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


def test_the_configurations_cover_every_cell_and_the_sizes() -> None:
    configs = fuzz.configs(0)
    assert {c.cell for c in configs} == {"lstm", "peephole", "slstm", "mlstm"}
    assert {c.hidden for c in configs} == {1, 2, 3, 4, 5}
    assert {c.inputs for c in configs} == {1, 2, 3}
    assert max(c.steps for c in configs) == 5000 and all(
        c.steps <= 50 or c.steps == 5000 for c in configs
    )
    assert set(CONFIGS) <= {c.name for c in configs}
    assert fuzz.configs(0) == configs  # seeded: the same command lines every time


async def test_a_short_seeded_fuzz_finds_no_exception_and_the_engine_s_numbers(
    in_tmp: Path,
) -> None:
    summary = await fuzz.run(KEYS, seed=8, names=CONFIGS)
    failures = fuzz.without_histories(summary)
    assert summary["exceptions"] == [], failures["exceptions"]
    assert summary["hangs"] == [], failures["hangs"]
    assert summary["mismatches"] == [], failures["mismatches"]
    assert summary["keys"] >= KEYS
    kinds = summary["keys_by_kind"]
    assert {"binding", "char", "number", "special", "paste", "resize"} <= set(kinds), kinds
    assert summary["checks"] >= len(CONFIGS)
    assert len(summary["screens_seen"]) >= 4, summary["screens_seen"]
    assert all(p.resolve().is_relative_to(in_tmp.resolve()) for p in in_tmp.rglob("*"))


async def test_sixteen_steps_at_the_end_in_60x30_draw_the_plot(in_tmp: Path) -> None:
    from tui_helpers import make_app

    app = make_app("--inputs", "-2;-1;0;1;2;-2;-1;0;1;2;-2;-1;0;1;2;-2")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("end")
        await pilot.resize_terminal(60, 30)  # the plot is 13 columns wide
        await pilot.pause()
        assert app.is_running and app.stepper.frame.t == 16


@pytest.mark.parametrize("opened_at", [4, 20])
async def test_the_palette_s_page_keys_in_four_rows(in_tmp: Path, opened_at: int) -> None:
    """Found by the fuzz: in 4 rows Textual's palette list has no height, and its page
    keys raise KeyError there (Textual 8.2.8); opened there, or resized to it."""
    from tui_helpers import make_app

    app = make_app()
    async with app.run_test(size=(80, opened_at)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.resize_terminal(80, 4)
        await pilot.pause()
        await pilot.press("pageup", "pagedown", "pageup")
        await pilot.pause()
        assert app.is_running and type(app.screen).__name__ == "Palette"
        await pilot.resize_terminal(80, 12)
        await pilot.press("pageup", "pagedown", "escape")
        await pilot.pause()
        assert app.is_running and type(app.screen).__name__ == "MainScreen"


async def test_a_submit_that_comes_after_the_editor_closed(in_tmp: Path) -> None:
    """Found by the fuzz: e, ctrl+o, enter, escape in one burst; the field's Submitted
    arrived after escape had closed the editor, and applying it popped a screen too many."""
    from textual.widgets import Input

    from tui_helpers import make_app

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        for key, dialog in (("e", "InputEditor"), ("x", "ExportDialog")):
            await pilot.press(key)
            screen = app.screen
            assert type(screen).__name__ == dialog
            field = screen.query_one(Input)
            field.value = "1, 2" if key == "e" else "t.csv"
            screen.post_message(Input.Submitted(field, field.value))  # queued, then
            screen.action_cancel()  # escape closes the dialog before it is handled
            await pilot.pause()
            assert app.is_running and type(app.screen).__name__ == "MainScreen"
        assert app.stepper.frame.length == 3 and not (in_tmp / "t.csv").exists()


async def test_a_field_naming_a_file_outside_the_folder_is_cut_back(in_tmp: Path) -> None:
    from textual.widgets import Input

    from tui_helpers import make_app

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("x")
        field = app.screen.query_one(Input)
        for outside in ("/etc/x.csv", "../x.csv", "~/../../x.csv", "sub/../../x.csv"):
            field.value = outside
            assert fuzz.guard(app, in_tmp)
            path = (in_tmp / field.value).resolve()
            assert path.is_relative_to(in_tmp.resolve()), field.value
        field.value = "~nosuchuser/a.csv"
        assert not fuzz.guard(app, in_tmp)


async def test_the_theme_list_s_page_keys_in_four_rows(in_tmp: Path) -> None:
    """The palette's Theme command opens a list of its own: made safe the same way."""
    from tui_helpers import make_app

    app = make_app()
    async with app.run_test(size=(80, 20)) as pilot:
        app.search_themes()
        await pilot.pause()
        assert type(app.screen).__name__ == "Palette"
        await pilot.resize_terminal(80, 4)
        await pilot.press("pageup", "pagedown")
        await pilot.pause()
        assert app.is_running
