"""``python -m tui``: open the dashboard."""

from .app import main

raise SystemExit(main())
