"""Shared test set-up: stable colours for the dashboard's snapshots, seeded properties."""

from __future__ import annotations

import os

from hypothesis import settings

# Snapshots are taken with colour; NO_COLOR in the environment would change them.
os.environ.pop("NO_COLOR", None)

# Property tests draw the same examples on every run and machine: a failure in CI is one
# anybody can run again (a long random search is a script's job, not the suite's).
settings.register_profile("seeded", derandomize=True)
settings.load_profile("seeded")
