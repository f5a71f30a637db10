"""What the panels render: a snapshot of the session after each change.

The app makes a new ``View`` after every step, rewind or edit and hands it to the
panels (Textual data binding); panels read numbers from it and never compute maths.
"""

from __future__ import annotations

from dataclasses import dataclass

from lstm_engine import Record, Session


@dataclass(frozen=True, eq=False)
class View:
    session: Session
    record: Record | None  #: the current step's record (None at t = 0)
    unit: int  #: the selected hidden unit
    edits: int  #: counts changes of the weights or inputs, so panels can cache by it

    @property
    def t(self) -> int:
        return self.record.t if self.record is not None else 0

    @property
    def cell(self):  # type: ignore[no-untyped-def]
        return self.session.cell
