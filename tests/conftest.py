"""Shared test set-up: stable colours for the dashboard's snapshots."""

from __future__ import annotations

import os

# Snapshots are taken with colour; NO_COLOR in the environment would change them.
os.environ.pop("NO_COLOR", None)
