"""The dashboard's panels, one widget per module; each draws the screen's ``Frame``."""

from .column import CellColumn
from .equations import EquationsPanel
from .gates import GateBox, GatePanel
from .header import HeaderBar, StatusLine
from .input_strip import InputStrip
from .live_input import LiveInputBar
from .matrix import MatrixPanel
from .plot import TrajectoryPlot
from .states import StatePanel

__all__ = [
    "CellColumn",
    "EquationsPanel",
    "GateBox",
    "GatePanel",
    "HeaderBar",
    "InputStrip",
    "LiveInputBar",
    "MatrixPanel",
    "StatePanel",
    "StatusLine",
    "TrajectoryPlot",
]
