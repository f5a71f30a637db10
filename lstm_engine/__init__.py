"""lstm_engine: LSTM-family cells written from scratch in NumPy, stepped one at a time.

>>> import lstm_engine
>>> cell = lstm_engine.LSTMCell.init(input_size=1, hidden_size=1, seed=42)
>>> session = lstm_engine.Session(cell, [[5.0], [1.9], [2.0]])
>>> round(float(session.step().h[0]), 4)
0.1151
"""

from . import plot
from .cells import CELLS, Cell, Gate, LSTMCell, LSTMRecord, Record, StateVar, WeightsError
from .files import load, load_model, save, save_model
from .inputs import InputError, check_inputs, parse_inputs, read_inputs_file
from .readout import Readout
from .session import Session, SessionError, StepOverflow
from .tasks import TASKS, Task
from .training import Model, Progress, TrainConfig, Trainer, TrainingProcess, TrainResult, train

__all__ = [
    "CELLS",
    "TASKS",
    "Cell",
    "Gate",
    "InputError",
    "LSTMCell",
    "LSTMRecord",
    "Model",
    "Progress",
    "Readout",
    "Record",
    "Session",
    "SessionError",
    "StateVar",
    "StepOverflow",
    "Task",
    "TrainConfig",
    "TrainResult",
    "Trainer",
    "TrainingProcess",
    "WeightsError",
    "check_inputs",
    "load",
    "load_model",
    "parse_inputs",
    "plot",
    "read_inputs_file",
    "save",
    "save_model",
    "train",
]
