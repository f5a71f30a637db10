"""Building the dashboard for tests from the same options as the command line."""

from __future__ import annotations

from lstm_engine import Session
from lstm_engine.cli import session_from_options
from tui.app import StepperApp, build_parser
from tui.app import make_app as app_for


def session(*argv: str) -> Session:
    return session_from_options(build_parser().parse_args(list(argv)))


def make_app(*argv: str) -> StepperApp:
    return app_for(list(argv))
