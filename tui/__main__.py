"""``python -m tui`` and the ``lstm-stepper`` command: open the dashboard."""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence


def run(argv: Sequence[str] | None = None) -> int:
    # Importing Textual and NumPy makes tens of thousands of objects that live as long as
    # the app; collecting them on the way only delays the first frame. The app freezes
    # them and turns collection back on once it has drawn (StepperApp._settle_memory).
    gc.disable()
    try:
        from .app import main

        return main(argv)
    finally:
        gc.enable()


if __name__ == "__main__":
    sys.exit(run())
