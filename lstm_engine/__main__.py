"""``python -m lstm_engine``: the headless command line."""

from .cli import main

raise SystemExit(main())
