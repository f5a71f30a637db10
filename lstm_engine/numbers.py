"""Numbers written for reading: what the dashboard, the equations and the printout show.

One rule everywhere: 4 decimals for 1e-4 <= |v| < 1e4 (and for 0), as the original
``Lstm.py`` printed; scientific notation outside that range, so that no number is
wider than about 8 characters (a weight of 1e300 is ``1.0e+300``, not 301 digits).
Sums are written the way a person writes them: ``0.0497*0.0000 - 0.0138*5.0000``,
not ``+ -0.0138`` (``lstm_engine.equations`` brackets a negative factor: ``0.4998*(-0.0584)``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

#: Below this magnitude (and above 0) numbers are written in scientific notation.
SMALL = 1e-4
#: From this magnitude on numbers are written in scientific notation.
LARGE = 1e4
#: How an infinite value is written: beyond float64's largest, 1.797e+308. Only values
#: shown for reading and used by nothing (the paper's unstabilised exp(i_raw)) can be.
BEYOND = ">1.8e308"


def number(value: float, decimals: int = 4) -> str:
    """``value`` as the screen shows it: ``0.4827``, ``-1234.5678``, ``1.23e+05``, ``1.0e+300``."""
    v = float(value)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):  # only a display-only, unstabilised quantity: exp(z) of the sLSTM
        return BEYOND if v > 0 else "<-" + BEYOND[1:]
    if v == 0.0:
        return f"{0.0:.{decimals}f}"  # no "-0.0000"
    size = abs(v)
    if SMALL <= size < LARGE:
        text = f"{v:.{decimals}f}"
        if abs(float(text)) < LARGE:  # 9999.99999 rounds up to 10000.0000: scientific
            return text
    return scientific(v)


def scientific(value: float) -> str:
    """Two significant decimals, one when the exponent has three digits: 8 characters."""
    text = f"{value:.2e}"
    if len(text.lstrip("-")) > 8:
        text = f"{value:.1e}"
    return text


def fit(value: float, width: int) -> str:
    """``number(value)``, or the same value with fewer digits when it is wider than
    ``width`` characters: for narrow columns, which then keep every number whole."""
    text = number(value)
    if len(text) <= width:
        return text
    v = float(value)
    if math.isfinite(v) and SMALL <= abs(v) < LARGE:
        for decimals in (3, 2, 1, 0):
            text = f"{v:.{decimals}f}"
            if len(text) <= width:
                return text
    for decimals in (1, 0):
        text = f"{v:.{decimals}e}"
        if len(text) <= width:
            return text
    return text


def column(value: float, width: int) -> str:
    """A number in a column ``width`` wide, with the same decimals as its neighbours
    (``width`` - 3, at most 4: "-0.07", "0.35" in a column of 5), so that a column reads
    evenly; ``fit`` for what those decimals cannot show (large values, tiny non-zero ones)."""
    decimals = min(max(width - 3, 0), 4)
    v = float(value)
    text = f"{v:.{decimals}f}"
    if math.isfinite(v) and len(text) <= width and (v == 0 or abs(v) >= 0.5 * 10**-decimals):
        return text
    return fit(v, width)


def plain(value: float) -> str:
    """An input value as a person writes it: ``5``, ``1.9``, ``-0.25``."""
    return format(float(value), ".10g")


def short(value: float) -> str:
    """An input as the x strip shows it: as a person writes it (``plain``) when that is
    at most 8 characters, else as the screen writes numbers (``0.1424``, ``1.0e-320``)."""
    text = plain(value)
    return text if len(text) <= 8 else number(value)


def table_number(value: float) -> str:
    """The printout's numbers (``--format table``): the original's 4 decimals up to 1e4,
    scientific only above, so small values keep reading as the original printed them;
    a value that is not finite as Python writes it (``inf``, ``nan``), as CSV does."""
    v = float(value)
    if not math.isfinite(v):
        return repr(v)
    if abs(v) < LARGE:
        text = f"{v:.4f}"
        if abs(float(text)) < LARGE:
            return text
    return number(v)


def signed_sum(terms: Sequence[str]) -> str:
    """Terms joined with natural signs: a term written with a leading minus is subtracted,
    ``["0.1", "-0.2*x", "0.3"]`` -> ``0.1 - 0.2*x + 0.3``."""
    out = ""
    for k, term in enumerate(terms):
        negative = term.startswith("-")
        body = term[1:] if negative else term
        if k == 0:
            out = term
        else:
            out += (" - " if negative else " + ") + body
    return out or "0"


__all__ = [
    "LARGE",
    "SMALL",
    "column",
    "fit",
    "number",
    "plain",
    "scientific",
    "signed_sum",
    "table_number",
]
