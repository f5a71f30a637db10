"""The input sequence as a strip, the current step highlighted and the next one marked."""

from __future__ import annotations

from rich.text import Text

from lstm_engine.trace import number

from .base import ViewWidget


def step_label(values) -> str:  # type: ignore[no-untyped-def]
    if len(values) == 1:
        return number(values[0])
    return "(" + ",".join(number(v) for v in values) + ")"


class InputStrip(ViewWidget):
    DEFAULT_CSS = """
    InputStrip { height: 1; }
    """

    def render(self) -> Text:
        view = self.view
        if view is None:
            return Text("")
        inputs = view.session.inputs
        t = view.t
        width = max(self.size.width - 4, 8)
        # Labels are short; estimate how many fit and window around the current step.
        sample = [len(step_label(inputs[k])) + 2 for k in range(min(len(inputs), 50))]
        per = max(sum(sample) / len(sample), 3)
        fits = max(int(width // per) - 1, 1)
        start = min(max(t - fits // 2, 0), max(len(inputs) - fits, 0))
        end = min(start + fits, len(inputs))
        text = Text("x: ", style="bold", no_wrap=True, overflow="ellipsis", end="")
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
