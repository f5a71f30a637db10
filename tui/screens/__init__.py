"""Screens and dialogs pushed over the dashboard."""

from .compare import CompareScreen
from .export import ExportDialog
from .help import HelpScreen
from .inputs import InputEditor, LiveInput
from .weights import WeightsScreen

__all__ = [
    "CompareScreen",
    "ExportDialog",
    "HelpScreen",
    "InputEditor",
    "LiveInput",
    "WeightsScreen",
]
