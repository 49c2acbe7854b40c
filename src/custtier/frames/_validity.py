"""How long a risk assessment may be relied on, on columns of day numbers.

:mod:`custtier._validity` for whole columns: the columnar suitability check
and the columnar cadence expansion both read it, as their scalar twins read
that module (a property test on each path holds them equal).
"""

from __future__ import annotations

import numpy as np

from custtier.frames._arrow import I64

__all__ = ["effective_until", "playbook_until"]


def playbook_until(assessed: I64, months: int) -> I64:
    """``assessed`` + ``months`` calendar months − 1 day, clipped as ``relativedelta`` clips."""
    day = assessed.astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    into = (day - month.astype("datetime64[D]")).astype(np.int64)  # 0-based day of month
    target = month + np.timedelta64(months, "M")
    last = (target + np.timedelta64(1, "M")).astype("datetime64[D]").astype(np.int64) - 1
    start = target.astype("datetime64[D]").astype(np.int64)
    out: I64 = np.minimum(start + into, last) - 1
    return out


def effective_until(until: I64, assessed: I64, months: int) -> I64:
    """:func:`custtier._validity.effective_until` on day numbers: the last day relied on."""
    out: I64 = np.minimum(until, playbook_until(assessed, months))
    return out
