"""Every key of every screen: one binding per key, the same keys in the footer's bindings,
the help screen, the command palette and the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.app import App

from tui.app import StepperApp, help_rows, mode_keys
from tui.jobs import JobDialog
from tui.keys import EXTRA, SCREENS, TRAINING_EXTRA, Key
from tui.screens.compare import CompareScreen
from tui.screens.confirm import ConfirmDialog
from tui.screens.diagram import DiagramScreen
from tui.screens.export import ExportDialog
from tui.screens.gradients import GradientScreen
from tui.screens.heatmap import HeatMapScreen
from tui.screens.help import HelpScreen
from tui.screens.inputs import InputEditor
from tui.screens.main import MainScreen
from tui.screens.presets import PresetPicker
from tui.screens.sum import FullSum
from tui.screens.training import TrainingScreen
from tui.screens.weights import WeightsScreen
from tui.widgets.nudge import NudgeBar

from tui_helpers import make_app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()
CLASSES = {
    "main": MainScreen,
    "compare": CompareScreen,
    "help": HelpScreen,
    "weights": WeightsScreen,
    "inputs": InputEditor,
    "export": ExportDialog,
    "progress": JobDialog,
    "confirm": ConfirmDialog,
    "gradients": GradientScreen,
    "training": TrainingScreen,
    "diagram": DiagramScreen,
    "heat map": HeatMapScreen,
    "nudge": NudgeBar,
    "presets": PresetPicker,
    "full sum": FullSum,
}
APP_KEYS = {key for b in App.BINDINGS for key in b.key.split(",")} | {App.COMMAND_PALETTE_BINDING}  # type: ignore[union-attr]


@pytest.mark.parametrize("name", list(CLASSES))
def test_no_two_bindings_of_a_screen_share_a_key(name: str) -> None:
    bindings = CLASSES[name]._merged_bindings.key_to_bindings  # type: ignore[attr-defined]
    for key, found in bindings.items():
        assert len(found) == 1, (name, key, found)
    declared = [k for key in SCREENS[name] for k in key.keys.split(",")]
    assert len(declared) == len(set(declared)), name
    assert not set(declared) & APP_KEYS, (name, set(declared) & APP_KEYS)
    for key in SCREENS[name]:
        for k in key.keys.split(","):
            assert bindings[k][0].action == key.action, (name, k)


@pytest.mark.parametrize("name", [n for n in SCREENS if n != "live input"])
def test_every_key_is_in_the_readme(name: str) -> None:
    section = README.split(f"<!-- keys: {name} -->", 1)
    assert len(section) == 2, f"README has no key table for the {name} screen"
    table = section[1].split("\n\n", 1)[0]
    rows = {row.split("|")[1].strip().strip("`"): row.split("|")[2].strip()
            for row in table.splitlines() if row.startswith("| ") and "---" not in row}  # fmt: skip
    for key in SCREENS[name]:
        assert key.written in rows, (name, key.written)
        assert rows[key.written] == key.about, (name, key.written)


def test_the_readme_names_the_live_input_keys() -> None:
    section = README.split("<!-- keys: live input -->", 1)[1].split("\n\n", 1)[0]
    for key in SCREENS["live input"]:
        assert f"| {key.written} | {key.about} |" in section


async def test_help_and_palette_list_every_key_of_the_screen_on_top() -> None:
    app = make_app("--hidden-size", "2")
    async with app.run_test(size=(120, 40)) as pilot:
        for opener, name in (("", "main"), ("v", "compare"), ("escape w", "weights"),
                             ("escape e", "inputs"), ("escape x", "export"),
                             ("escape question_mark", "help"), ("escape g", "gradients"),
                             ("escape t", "training"), ("escape escape d", "diagram"),
                             ("escape m", "heat map"), ("escape f", "full sum"),
                             ("escape o", "presets")):  # fmt: skip
            if opener:
                await pilot.press(*opener.split())
            screen = app.screen
            assert isinstance(screen, CLASSES[name]), name
            keys: tuple[Key, ...] = SCREENS[name]
            rows = help_rows(screen)
            extra = (*EXTRA, *TRAINING_EXTRA)
            modes = [
                (f"{mode}: {k.written}", k.about) for mode, ks in mode_keys(screen) for k in ks
            ]
            assert [r for r in rows if r not in extra and r not in modes] == [
                (k.written, k.about) for k in keys
            ]
            assert all(row in rows for row in modes)
            titles = {c.title for c in StepperApp.get_system_commands(app, screen)}
            for key in keys:  # Quit (q) too: the tester found none on the main screen
                assert f"{key.label} ({key.written})" in titles, (name, key.label)


def test_keys_map_to_actions_that_exist() -> None:
    for name, keys in SCREENS.items():
        if name == "live input":
            continue
        cls = CLASSES[name]
        for key in keys:
            action = key.action
            if action.startswith("app."):
                method = re.match(r"app\.(\w+)", action)[1]  # type: ignore[index]
                assert hasattr(StepperApp, f"action_{method}"), action
            else:
                assert hasattr(cls, f"action_{action}"), (name, action)


async def test_the_dashboards_help_lists_nudge_modes_keys() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        for key in SCREENS["nudge"]:
            assert (f"nudge: {key.written}", key.about) in app.screen.keys
