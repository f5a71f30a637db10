"""lstm_engine: LSTM-family cells written from scratch in NumPy, stepped one at a time.

>>> import lstm_engine
>>> cell = lstm_engine.LSTMCell.init(input_size=1, hidden_size=1, seed=42)
>>> session = lstm_engine.Session(cell, [[5.0], [1.9], [2.0]])
>>> round(float(session.step().h[0]), 4)
0.1151
"""

from . import plot
from .cells import CELLS, Cell, Gate, LSTMCell, LSTMRecord, Record, StateVar, WeightsError
from .files import load, save
from .inputs import InputError, check_inputs, parse_inputs, read_inputs_file
from .session import Session, SessionError, StepOverflow

__all__ = [
    "CELLS",
    "Cell",
    "Gate",
    "InputError",
    "LSTMCell",
    "LSTMRecord",
    "Record",
    "Session",
    "SessionError",
    "StateVar",
    "StepOverflow",
    "WeightsError",
    "check_inputs",
    "load",
    "parse_inputs",
    "plot",
    "read_inputs_file",
    "save",
]
