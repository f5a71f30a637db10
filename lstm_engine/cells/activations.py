"""Activation functions written so they never overflow and keep full relative precision."""

from __future__ import annotations

import numpy as np

from .base import Array


def sigmoid(z: Array) -> Array:
    """1 / (1 + e^-z), from e^-|z| so that no exponent can overflow."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def logsigmoid(z: Array) -> Array:
    """log(sigmoid(z)) = -log(1 + e^-z), exact for large |z| too."""
    return -np.logaddexp(0.0, -z)
