"""Scalar rules on columns: each rule once per *distinct* value, broadcast to every row.

A book holds few distinct dates where month arithmetic or an age applies
(review dates, due dates, birth dates: thousands, not millions), so the
columnar path calls the scalar engines' own rules (``custtier._dates``)
that many times instead of keeping a numpy twin of each.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

import numpy as np

from custtier._dates import months_later
from custtier.frames._arrow import EPOCH, I64, epoch_days

__all__ = ["PAST_CALENDAR", "months_on", "per_distinct"]

#: The day number ``months_on`` gives past 9999-12-31: after every horizon, with
#: room left for lead days to be subtracted without reaching one.
PAST_CALENDAR = np.int64(2**62)


def per_distinct(days: I64, rule: Callable[[dt.date], dt.date | int | None]) -> I64:
    """``rule`` on each distinct date of ``days`` (day numbers), broadcast to every row.

    A date answer becomes a day number, ``None`` :data:`PAST_CALENDAR`, an int stays.
    """
    uniq, inv = np.unique(np.asarray(days, dtype=np.int64), return_inverse=True)
    out = [rule(EPOCH + dt.timedelta(days=d)) for d in uniq.tolist()]
    values = np.array(
        [PAST_CALENDAR if x is None else epoch_days(x) if isinstance(x, dt.date) else x
         for x in out],
        dtype=np.int64,
    )  # fmt: skip
    result: I64 = values[inv.reshape(-1)] if len(values) else np.zeros(0, dtype=np.int64)
    return result


def months_on(days: I64, months: I64 | int) -> I64:
    """:func:`custtier._dates.months_later` per row: ``days`` plus ``months`` (per row or one).

    Past 9999-12-31 a row gets :data:`PAST_CALENDAR`, as the scalar planner gets ``None``.
    """
    days = np.asarray(days, dtype=np.int64)
    per_row = np.broadcast_to(np.asarray(months, dtype=np.int64), days.shape)
    out = np.empty(len(days), dtype=np.int64)
    for m in np.unique(per_row).tolist():  # a playbook has a few intervals
        rows = np.flatnonzero(per_row == m)
        out[rows] = per_distinct(days[rows], functools.partial(months_later, months=m))
    return out
