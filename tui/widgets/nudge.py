"""Placeholder, replaced by its owner in this change: nudge mode's bar (NudgeBar)."""

from __future__ import annotations

from textual.widget import Widget


class NudgeBar(Widget):
    pass
