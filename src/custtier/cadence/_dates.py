"""Date arithmetic the planner needs, stdlib only: anniversaries, months, lunar policies."""

from __future__ import annotations

import calendar
import datetime as dt

from custtier._dates import add_months, months_later  # re-exported: the planner's month arithmetic
from custtier.cadence._calendar import Calendar, LunarDay
from custtier.rules import LeapDayPolicy, LunarLeapMonthPolicy, LunarShortMonthPolicy

__all__ = [
    "add_months",
    "anniversary",
    "iso_week",
    "lunar_anniversary",
    "lunar_anniversary_of",
    "lunar_known",
    "months_later",
    "plus_days",
]

_ONE_DAY = dt.timedelta(days=1)


def anniversary(on: dt.date, year: int, policy: LeapDayPolicy) -> tuple[dt.date, bool]:
    """``on``'s anniversary in ``year``, and whether the leap-day policy moved it.

    >>> anniversary(dt.date(2000, 2, 29), 2027, LeapDayPolicy.MAR1)
    (datetime.date(2027, 3, 1), True)
    >>> anniversary(dt.date(2000, 2, 29), 2028, LeapDayPolicy.MAR1)
    (datetime.date(2028, 2, 29), False)
    """
    if on.month == 2 and on.day == 29 and not calendar.isleap(year):
        return (dt.date(year, 3, 1) if policy is LeapDayPolicy.MAR1 else dt.date(year, 2, 28)), True
    return on.replace(year=year), False


def plus_days(on: dt.date, days: int) -> dt.date:
    """``on`` plus ``days`` (at least 0), stopping at 9999-12-31: for ends clipped to a horizon.

    >>> plus_days(dt.date(9999, 12, 30), 5)
    datetime.date(9999, 12, 31)
    """
    if (dt.date.max - on).days < days:
        return dt.date.max
    return on + dt.timedelta(days=days)


def iso_week(day: dt.date) -> str:
    """The ISO week label, ``"2026-W07"``.

    >>> iso_week(dt.date(2027, 1, 1))
    '2026-W53'
    """
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def lunar_known(cal: Calendar, on: dt.date) -> bool:
    """Whether ``cal`` converts ``on`` to a lunar date: from the first lunar new year it covers.

    January 1900 is still lunar year 1899, which ``lunardate`` does not cover: it
    answers a day before the 1st instead of refusing, so the date is checked here.

    >>> from custtier import WeekendCalendar
    >>> lunar_known(WeekendCalendar(), dt.date(2026, 1, 1))
    False
    """
    years = cal.lunar_years
    if on.year not in years:
        return False
    first = cal.from_lunar(years.start, 1, 1, leap=False)
    return first is not None and on >= first


def lunar_anniversary(
    born: dt.date,
    lunar_year: int,
    cal: Calendar,
    leap_policy: LunarLeapMonthPolicy,
    short_policy: LunarShortMonthPolicy,
) -> tuple[dt.date | None, str | None]:
    """The Gregorian date of ``born``'s lunar anniversary in ``lunar_year``, and the policy case.

    The case (``"leap_month"``, ``"short_next"``, ``"short_kept"``, joined by ``_``, or
    ``None`` for the exact day) is the ``case`` fact of the CADENCE_LUNAR_DATE reason.

    ``born`` is the Gregorian date of the original event; both years must be
    in ``cal.lunar_years``. Returns ``(None, None)`` for a year before the event.
    """
    origin = cal.to_lunar(born)
    if lunar_year <= origin.year:
        return None, None
    return lunar_anniversary_of(origin, lunar_year, cal, leap_policy, short_policy)


def lunar_anniversary_of(
    origin: LunarDay,
    lunar_year: int,
    cal: Calendar,
    leap_policy: LunarLeapMonthPolicy,
    short_policy: LunarShortMonthPolicy,
) -> tuple[dt.date | None, str | None]:
    """:func:`lunar_anniversary` from the original event's lunar date, for any ``lunar_year``.

    Depends on the lunar month, day and leap flag only (not on the original
    year, which :func:`lunar_anniversary` checks), so it can be computed once
    per lunar day.
    """
    note = None
    leap = False
    if origin.leap:
        if leap_policy is LunarLeapMonthPolicy.LEAP_IF_PRESENT and (
            cal.leap_month(lunar_year) == origin.month
        ):
            leap = True
        else:
            note = "leap_month"
    day = origin.day
    found = cal.from_lunar(lunar_year, origin.month, day, leap=leap)
    if found is None:  # a 30th day in a 29-day month
        last = cal.from_lunar(lunar_year, origin.month, day - 1, leap=leap)
        if last is None:  # pragma: no cover - every lunar month has 29 days
            return None, None
        if short_policy is LunarShortMonthPolicy.NEXT_DAY:
            found, why = last + _ONE_DAY, "short_next"
        else:
            found, why = last, "short_kept"
        note = why if note is None else f"{note}_{why}"
    return found, note
