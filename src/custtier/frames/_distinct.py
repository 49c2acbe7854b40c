"""Scalar rules on columns: each rule once per *distinct* value, broadcast to every row.

A book holds few distinct dates where month arithmetic or an age applies
(review dates, due dates, birth dates: thousands, not millions), so the
columnar path calls the scalar engines' own rules (``custtier._dates``)
that many times instead of keeping a numpy twin of each.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence

import numpy as np

from custtier._dates import months_later
from custtier.frames._arrow import EPOCH, I64, epoch_days

__all__ = [
    "PAST_CALENDAR",
    "distinct",
    "last_holding",
    "lay_out",
    "months_on",
    "per_code",
    "per_distinct",
    "repeat",
]

#: The day number ``months_on`` gives past 9999-12-31: after every horizon, with
#: room left for lead days to be subtracted without reaching one.
PAST_CALENDAR = np.int64(2**62)


def distinct(values: I64) -> tuple[I64, I64]:
    """The distinct values (ascending) and each row's index into them: ``np.unique``'s answer.

    Values in a narrow range (day numbers, small codes) are counted on a
    table of the range instead of sorted: linear in the rows.
    """
    values = np.asarray(values, dtype=np.int64)
    if not len(values):
        return values, np.zeros(0, dtype=np.int64)
    low = int(values.min())
    span = int(values.max()) - low + 1
    if span <= 4 * len(values) + 4096:
        at = values - low
        seen = np.zeros(span, dtype=np.bool_)
        seen[at] = True
        present = np.flatnonzero(seen)
        index = np.empty(span, dtype=np.int64)
        index[present] = np.arange(len(present), dtype=np.int64)
        return present + low, index[at]
    uniq, inverse = np.unique(values, return_inverse=True)
    return uniq, inverse.reshape(-1)


def per_distinct(days: I64, rule: Callable[[dt.date], dt.date | int | None]) -> I64:
    """``rule`` on each distinct date of ``days`` (day numbers), broadcast to every row.

    A date answer becomes a day number, ``None`` :data:`PAST_CALENDAR`, an int stays.
    """
    uniq, inv = distinct(days)
    out = [rule(EPOCH + dt.timedelta(days=d)) for d in uniq.tolist()]
    values = np.array(
        [PAST_CALENDAR if x is None else epoch_days(x) if isinstance(x, dt.date) else x
         for x in out],
        dtype=np.int64,
    )  # fmt: skip
    result: I64 = values[inv] if len(values) else np.zeros(0, dtype=np.int64)
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


def per_code(codes: I64, rule: Callable[[int], tuple[int, ...]], width: int) -> I64:
    """``rule`` on each distinct code (``width`` ints back), broadcast: a (rows, width) array.

    A code packs a row's inputs to a scalar rule into one int (the caller's radix).
    """
    uniq, inv = distinct(codes)
    table = np.array([rule(k) for k in uniq.tolist()], dtype=np.int64).reshape(-1, width)
    out: I64 = table[inv]
    return out


def lay_out(
    codes: I64, entries: Callable[[int], Sequence[tuple[int, ...]]], width: int
) -> tuple[I64, I64, I64]:
    """A rule answering a *list* per code (a series of dates), called once per distinct code.

    Returns, per output item: its row (an index into ``codes``), its index
    within its row's list, and the entry (``width`` ints) as a (items, width) array.
    """
    uniq, inv = distinct(codes)
    lists = [entries(k) for k in uniq.tolist()]
    counts = np.fromiter(map(len, lists), np.int64, len(lists))
    flat = np.array([e for x in lists for e in x], dtype=np.int64).reshape(-1, width)
    row, within = repeat(counts[inv])
    entry = (np.cumsum(counts) - counts)[inv[row]] + within
    out: I64 = flat[entry]
    return row, within, out


def repeat(counts: I64) -> tuple[I64, I64]:
    """For groups of ``counts`` items: each item's group, and its index within the group."""
    group = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    starts = np.cumsum(counts) - counts
    within: I64 = np.arange(len(group), dtype=np.int64) - starts[group]
    return group, within


def last_holding(low: int, high: int, holds: Callable[[int], bool]) -> int:
    """The largest ``k`` in ``[low, high]`` with ``holds(k)``; ``low - 1`` if there is none.

    For a rule true up to some value and false after it (an age reached by
    every earlier birth date): about ``log2(high - low)`` calls of the scalar
    rule instead of one per distinct value.
    """
    lo, hi = low, high + 1  # holds below lo; does not hold from hi on
    while lo < hi:
        mid = (lo + hi) // 2
        if holds(mid):
            lo = mid + 1
        else:
            hi = mid
    return lo - 1
