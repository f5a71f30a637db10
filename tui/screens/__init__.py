"""Screens and dialogs pushed over the dashboard."""

from .export import ExportDialog
from .help import HelpScreen
from .inputs import InputEditor, LiveInput
from .weights import WeightsScreen

__all__ = ["ExportDialog", "HelpScreen", "InputEditor", "LiveInput", "WeightsScreen"]
