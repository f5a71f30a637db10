"""The readout line of a trained cell on a task example: the readout's prediction at the
current step beside the target (``Frame.reading``, computed by the controller)."""

from __future__ import annotations

import numpy as np

from lstm_engine.numbers import number
from lstm_engine.stepper import Frame, Reading

from .base import FrameWidget, Lines


def _values(values: np.ndarray) -> str:
    flat = np.ravel(values)
    return number(flat[0]) if flat.size == 1 else "(" + ", ".join(number(v) for v in flat) + ")"


def reading_text(reading: Reading, t: int, length: int) -> tuple[str, str]:
    """What the line says: the prediction and the target, and how they compare."""
    when = f"target at step {length}" if reading.at_end_only else "target"
    if reading.objective == "xent":
        if reading.prediction is None:
            said = "prediction: none before the first step"
        else:
            k = int(np.argmax(reading.prediction))
            said = f"prediction: class {k} (p = {number(reading.prediction[k])})"
        target = "" if reading.target is None else f"{when}: class {int(reading.target)}"
        verdict = ""
        if reading.prediction is not None and reading.target is not None:
            right = int(np.argmax(reading.prediction)) == int(reading.target)
            verdict = "right" if right else "wrong"
    else:
        said = (
            "prediction: none before the first step"
            if reading.prediction is None
            else f"prediction y = {_values(reading.prediction)}"
        )
        target = "" if reading.target is None else f"{when}: {_values(reading.target)}"
        verdict = ""
        if reading.prediction is not None and reading.target is not None:
            error = np.ravel(reading.prediction) - np.ravel(reading.target).astype(float)
            verdict = f"error {_values(error)}"
    if reading.target is None:
        target = "no target: the inputs changed"
    if reading.at_end_only and t != length:
        verdict = ""  # the target is the last step's: comparing earlier means nothing
    return (
        f" {reading.task} │ {said} │ {target}",
        f" │ {verdict} " if verdict else " ",
    )


class ReadoutBar(FrameWidget):
    """One line under the header, shown only for a trained cell on a task example."""

    DEFAULT_CSS = """
    ReadoutBar { height: 1; background: $boost; }
    """

    def draw(self, frame: Frame) -> Lines:
        line = Lines()
        if frame.reading is not None:
            text, verdict = reading_text(frame.reading, frame.t, frame.length)
            line.append(text)
            line.append(verdict, "bold")
        return line
