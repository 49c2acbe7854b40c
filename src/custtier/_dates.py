"""Calendar rules more than one engine reads: a customer's age, whole months on. Stdlib only.

Written once: the scalar engines call them per customer, and
``custtier.frames`` calls them once per *distinct* date and broadcasts the
answers (``frames._distinct``), rather than keeping a numpy twin of each.
"""

from __future__ import annotations

import calendar
import datetime as dt

__all__ = ["add_months", "age_on", "months_later"]


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Age in whole years on ``day`` (a 29 February birthday ages on 1 March in common years).

    >>> age_on(dt.date(1960, 2, 29), dt.date(2025, 2, 28)), age_on(dt.date(1960, 2, 29), dt.date(2025, 3, 1))
    (64, 65)
    """
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def add_months(on: dt.date, months: int) -> dt.date:
    """``on`` plus whole months, clamped to the month's last day.

    >>> add_months(dt.date(2026, 8, 31), 6)
    datetime.date(2027, 2, 28)
    """
    index = on.year * 12 + on.month - 1 + months
    year, month = divmod(index, 12)
    if on.day <= 28:  # every month has the day: no clamping (most dates, and the hot path)
        return dt.date(year, month + 1, on.day)
    return dt.date(year, month + 1, min(on.day, calendar.monthrange(year, month + 1)[1]))


def months_later(on: dt.date, months: int) -> dt.date | None:
    """:func:`add_months`, or ``None`` past 9999-12-31: a date after every horizon.

    >>> months_later(dt.date(9999, 12, 31), 12) is None
    True
    """
    if (on.year * 12 + on.month - 1 + months) // 12 > dt.MAXYEAR:
        return None
    return add_months(on, months)
