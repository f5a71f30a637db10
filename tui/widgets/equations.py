"""The equations of the current step for the selected unit, with the numbers filled in."""

from __future__ import annotations

from rich.text import Text

from ..view import View
from .base import ViewWidget


class EquationsPanel(ViewWidget):
    DEFAULT_CSS = """
    EquationsPanel { height: auto; }
    """

    def render(self) -> Text:
        view = self.view
        if view is None:
            return Text("")
        lines = self.lines(view)
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        width = self.size.width
        for k, line in enumerate(lines):
            line = fit(line, width)
            if k:
                text.append("\n")
            head, _, rest = line.partition(" = ")
            if rest:
                text.append(head, "bold")
                text.append(" = " + rest)
            else:
                text.append(line)
        return text

    @staticmethod
    def lines(view: View) -> list[str]:
        if view.record is None:
            return ["t = 0: every state is zero.", "Press space (or →) to take the first step."]
        return view.cell.equations(view.record, view.unit)

    def rows(self, view: View) -> int:
        # As many rows as the cell has equations, also at t = 0, so the layout stays put.
        if view.record is None and view.session.computed:
            return len(view.cell.equations(view.session.record(1), 0))
        return len(self.lines(view)) if view.record else 6


def fit(line: str, width: int) -> str:
    """A line that fits in ``width``: the first bracket's terms (the long affine sum) give
    way to "..." before anything else, so the result at the end stays in view."""
    if len(line) <= width or width <= 0:
        return line
    start = line.find("(")
    if start < 0:
        return line
    depth = 0
    for end in range(start, len(line)):
        depth += {"(": 1, ")": -1}.get(line[end], 0)
        if depth == 0:
            return line[: start + 1] + "..." + line[end:]
    return line
