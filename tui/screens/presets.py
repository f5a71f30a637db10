"""Placeholder, replaced by its owner in this change: the app imports PresetPicker from here."""

from __future__ import annotations

from textual.screen import Screen

from lstm_engine.stepper import Stepper


class PresetPicker(Screen[None]):
    def __init__(self, stepper: Stepper) -> None:
        super().__init__()
        self.stepper = stepper
