"""The input sequence as a strip, the current step highlighted and the next one marked."""

from __future__ import annotations

from lstm_engine.cells.base import Array
from lstm_engine.numbers import plain
from lstm_engine.stepper import Frame

from .base import FrameWidget, Lines


def step_label(values: Array) -> str:
    if len(values) == 1:
        return plain(values[0])
    return "(" + ",".join(plain(v) for v in values) + ")"


class InputStrip(FrameWidget):
    DEFAULT_CSS = """
    InputStrip { height: 1; }
    """

    def draw(self, frame: Frame) -> Lines:
        inputs = frame.inputs
        t = frame.t
        width = max(self.size.width - 4, 8)
        # Labels are short; estimate how many fit and window around the current step.
        near = range(max(t - 25, 0), min(t + 25, len(inputs)))
        sample = [len(step_label(inputs[k])) + 2 for k in near] or [3]
        per = max(sum(sample) / len(sample), 3)
        fits = max(int(width // per) - 1, 1)
        start = min(max(t - fits // 2, 0), max(len(inputs) - fits, 0))
        end = min(start + fits, len(inputs))
        text = Lines()
        text.append("x: ", "bold")
        if start > 0:
            text.append("… ", "dim")
        for k in range(start, end):
            label = step_label(inputs[k])
            if k + 1 == t:
                text.append(f"[{label}]", "reverse bold")
            elif k == t:
                text.append(f"▸{label} ", "underline")
            else:
                text.append(f" {label} ", "dim" if k < t else "")
            text.append(" ")
        if end < len(inputs):
            text.append("…", "dim")
        return text
