"""The screenshot key (s) of every screen that has one: an SVG of the screen as it is, in
the current folder (the home folder if the current one was removed).

A toast from an earlier message (the last screenshot's path, say) would be in the picture,
covering what it sits on: the toasts are cleared first, and the picture is taken once
the screen has been drawn without them. The screen is then told what happened, in one
line, and a toast gives the file's full path (gone before the next screenshot).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.screen import Screen


def take_screenshot(screen: Screen[Any], said: Callable[[str], None]) -> None:
    """Save a screenshot of ``screen`` without toasts; ``said`` gets the line to show
    ("screenshot saved: NAME" or "screenshot not saved: why")."""
    app = screen.app
    app.clear_notifications()

    def save() -> None:
        if not screen.is_current:  # left (or covered) before the picture: not this screen's
            return
        try:
            folder = os.getcwd()
        except OSError:  # the working folder was removed: the home folder, then
            folder = str(Path.home())
        try:
            path = app.save_screenshot(path=folder)
        except (OSError, RuntimeError) as exc:
            said(f"screenshot not saved: {getattr(exc, 'strerror', None) or exc}")
            return
        said(f"screenshot saved: {Path(path).name}")
        app.notify(path, title="Screenshot", timeout=3, markup=False)

    # The toasts go at the next refresh; the picture is taken after the one after it.
    screen.call_after_refresh(screen.call_after_refresh, save)
