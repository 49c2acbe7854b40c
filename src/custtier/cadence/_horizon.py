"""The horizon a plan may cover: checked once, the same for the scalar and columnar paths."""

from __future__ import annotations

import datetime as dt

from custtier.errors import InputError

__all__ = ["FIRST_PLAN_DAY", "LAST_PLAN_DAY", "MAX_HORIZON_DAYS", "check_horizon"]

MAX_HORIZON_DAYS = 3 * 366

# A year of room on either side of a horizon: lead and flex days (at most 366)
# reach past its ends, and ``datetime.date`` stops at years 1 and 9999.
FIRST_PLAN_DAY = dt.date(2, 1, 1)
LAST_PLAN_DAY = dt.date(9998, 12, 31)


def check_horizon(start: dt.date, end: dt.date, *, what: str = "plan") -> None:
    """Raise :class:`InputError` unless ``[start, end]`` is a horizon custtier can plan.

    >>> check_horizon(dt.date(9999, 1, 1), dt.date(9999, 1, 31))
    Traceback (most recent call last):
    ...
    custtier.errors.InputError: a plan must lie between 0002-01-01 and 9998-12-31 (lead and flex days reach a year past its ends)
    """
    if end < start:
        raise InputError("end must not be before start", field="end")
    for name, day in (("start", start), ("end", end)):
        if not FIRST_PLAN_DAY <= day <= LAST_PLAN_DAY:
            raise InputError(
                f"a {what} must lie between {FIRST_PLAN_DAY} and {LAST_PLAN_DAY} "
                "(lead and flex days reach a year past its ends)",
                field=name,
            )
    if (end - start).days >= MAX_HORIZON_DAYS:
        raise InputError(
            f"a {what} covers at most three years; plan longer spans in parts", field="end"
        )
