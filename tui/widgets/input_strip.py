"""The input sequence as a strip, the current step highlighted and the next one marked."""

from __future__ import annotations

from lstm_engine.cells.base import Array
from lstm_engine.numbers import short
from lstm_engine.stepper import Frame

from .base import FrameWidget, Lines


def step_label(values: Array) -> str:
    if len(values) == 1:
        return short(values[0])
    return "(" + ",".join(short(v) for v in values) + ")"


def window(widths: list[int], around: int, room: int) -> range:
    """The most items around index ``around`` whose widths fit in ``room`` cells, growing
    to the right and the left in turn (``widths`` is only asked near ``around``)."""
    if not widths:
        return range(0)
    start = stop = min(max(around, 0), len(widths) - 1)
    used = widths[start]
    stop += 1
    grew = True
    while grew:
        grew = False
        if stop < len(widths) and used + widths[stop] <= room:
            used += widths[stop]
            stop += 1
            grew = True
        if start > 0 and used + widths[start - 1] <= room:
            start -= 1
            used += widths[start]
            grew = True
    return range(start, stop)


class InputStrip(FrameWidget):
    """``x:`` (``x (temp, load):`` when the inputs came with names) and the inputs that
    fit around the current step; … where more steps lie beyond either end ("… " / " …").
    Every value shown is whole."""

    DEFAULT_CSS = """
    InputStrip { height: 1; }
    """

    def draw(self, frame: Frame) -> Lines:
        inputs = frame.inputs
        t = frame.t
        near = range(max(t - 200, 0), min(t + 200, len(inputs)))  # never more than fits
        labels = {k: step_label(inputs[k]) for k in near}
        widths = [len(labels[k]) + 3 if k in labels else 10**6 for k in range(len(inputs))]
        text = Lines()
        names = frame.input_names
        head = f"x ({', '.join(names)}): " if names else "x: "
        if len(head) > self.size.width // 3:
            head = "x: "
        room = max(self.size.width - len(head) - 4, 8)
        shown = window(widths, t - 1 if t else 0, room)
        text.append(head, "bold")
        if shown.start > 0:
            text.append("… ", "dim")
        for k in shown:
            label = labels[k]
            if k + 1 == t:
                text.append(f"[{label}]", "reverse bold")
            elif k == t:
                text.append(f"▸{label} ", "underline")
            else:
                text.append(f" {label} ", "dim" if k < t else "")
            text.append(" ")
        if shown.stop < len(inputs):
            text.append("…", "dim")
        return text
