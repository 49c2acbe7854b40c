"""The columnar halves of the tiering basis registry (``custtier.tiering._bases.BASES``).

Each function takes the validated columns of a table and one basis's
compiled plan and returns, per row, the basis's value in integer minor
units and its :class:`~custtier.tiering.Completeness` code, exactly as the
scalar half computes them for one customer.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np

from custtier._money import Rounding
from custtier.frames._arrow import I64
from custtier.rules import MissingMonths, Playbook
from custtier.tiering._bases import months_before
from custtier.tiering._trace import Completeness

if TYPE_CHECKING:
    from custtier.frames._tier import _BasisArrays, _Valid

__all__ = ["assets_under_management", "average_daily_balance", "profit_contribution"]


def assets_under_management(
    v: _Valid, bp: _BasisArrays, pb: Playbook, as_of: dt.date
) -> tuple[I64, I64]:
    """The validated column as it is: always complete."""
    return v.aum, np.zeros(v.n, dtype=np.int64)


def profit_contribution(
    v: _Valid, bp: _BasisArrays, pb: Playbook, as_of: dt.date
) -> tuple[I64, I64]:
    """The validated column as it is: always complete."""
    return v.profit, np.zeros(v.n, dtype=np.int64)


def average_daily_balance(
    v: _Valid, bp: _BasisArrays, pb: Playbook, as_of: dt.date
) -> tuple[I64, I64]:
    """The window's mean on exact integers, divided with the playbook's rounding mode."""
    n = v.n
    rule = bp.plan.rule
    window = months_before(as_of, rule.window_months)
    # The window is consecutive months: a range test, not a set lookup.
    first, last = (int(m[:4]) * 12 + int(m[5:]) - 1 for m in (window[0], window[-1]))
    bounds = v.bounds
    months = v.months
    if not len(months) or (months.min() >= first and months.max() <= last):
        # The usual extract holds only the window's months: no mask to build.
        present = np.diff(bounds)
        total = segment_sums(bounds, v.balances)
    else:
        inside = (months >= first) & (months <= last)
        present = segment_sums(bounds, inside.astype(np.int64))
        total = segment_sums(bounds, np.where(inside, v.balances, 0))
    w = rule.window_months
    incomplete = present < w
    policy = rule.missing_months
    value = round_div(total, w, pb.rounding)  # one divisor: numpy divides by a constant fast
    if policy is MissingMonths.COUNT_AS_ZERO:
        usable = np.ones(n, dtype=np.bool_)
    elif policy is MissingMonths.AVERAGE_AVAILABLE:
        usable = ~incomplete | (present >= rule.min_months)
        short = np.flatnonzero(incomplete)  # averaged over the months present (at least 1)
        if len(short):
            divisor = np.maximum(present[short], 1)
            value[short] = round_div(total[short], divisor, pb.rounding)
    else:  # INSUFFICIENT
        usable = ~incomplete
    averaged = incomplete.astype(np.int64) * int(Completeness.AVERAGED)
    if usable.all():  # no row is unusable (always, when missing months count as zero)
        return value, averaged
    completeness = np.where(usable, averaged, int(Completeness.UNUSABLE))
    return np.where(usable, value, 0), completeness


def round_div(total: I64, divisor: I64 | int, rounding: Rounding) -> I64:
    """``total / divisor`` rounded to an integer with the playbook's mode (total >= 0)."""
    q = total // divisor  # by one integer, numpy divides by multiplying
    r = total - q * divisor
    twice = 2 * r
    halves = (Rounding.HALF_UP, Rounding.HALF_DOWN, Rounding.HALF_EVEN)
    if isinstance(divisor, int) and divisor % 2 and rounding in halves:
        # An odd divisor leaves no exact half (2r = divisor is impossible): the
        # three half modes all round up exactly when the remainder passes half.
        odd: I64 = q + (twice > divisor)
        return odd
    if rounding in (Rounding.DOWN, Rounding.FLOOR):
        up = np.zeros(len(q), dtype=np.bool_)
    elif rounding in (Rounding.UP, Rounding.CEILING):
        up = r > 0
    elif rounding is Rounding.HALF_UP:
        up = twice >= divisor
    elif rounding is Rounding.HALF_DOWN:
        up = twice > divisor
    else:  # HALF_EVEN
        up = (twice > divisor) | ((twice == divisor) & (q % 2 == 1))
    rounded: I64 = q + up
    return rounded


def row_bounds(parents: I64, n: int) -> I64:
    """Where each row's elements start and end (``n + 1`` offsets; ``parents`` ascending)."""
    bounds = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(parents, minlength=n), out=bounds[1:])
    return bounds


def segment_sums(bounds: I64, values: I64) -> I64:
    """Per row, the sum of the ``values`` between its ``bounds`` (from :func:`row_bounds`).

    Differences of one running sum: the elements of a list column are in row
    order, and ``np.add.at`` costs several times more. The running sum may
    wrap around int64; a difference is still exact when the row's own sum
    fits (as it must, for ``np.add.at`` too).
    """
    running = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(values, out=running[1:])
    sums: I64 = running[bounds[1:]] - running[bounds[:-1]]
    return sums
