"""Calendars: which days are business days, which are holidays, and lunar dates.

:class:`Calendar` is the protocol the planner needs. :class:`WeekendCalendar`
(stdlib only) knows weekends and no holidays. :class:`HolidaysCalendar` uses
the maintained ``holidays`` package for a country's public holidays (China:
Spring Festival, Mid-Autumn Festival, adjusted working weekends) and
``lunardate`` for the Chinese lunar calendar; both come with the optional
``calendars`` extra and are imported only when the class is built.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol, runtime_checkable

from custtier.errors import MissingExtraError

__all__ = ["Calendar", "HolidaysCalendar", "LunarDay", "WeekendCalendar"]

_SATURDAY = 5


class LunarDay(NamedTuple):
    """A day of the Chinese lunisolar calendar."""

    year: int
    month: int
    day: int
    leap: bool


@runtime_checkable
class Calendar(Protocol):
    """What the planner asks of a calendar.

    ``has_data(year)`` is False for a year the calendar cannot answer for
    (the planner then reports contacts of that year rather than guess).
    ``lunar_years`` is the range of lunar years ``to_lunar`` / ``from_lunar``
    cover (empty when the calendar has no lunar support).
    """

    @property
    def name(self) -> str:
        """A short stable name, cited in plans (``"weekends"``, ``"holidays:CN"``)."""
        ...

    @property
    def lunar_years(self) -> range:
        """Lunar years this calendar converts; empty without lunar support."""
        ...

    def has_data(self, year: int) -> bool:
        """Whether business days and holidays of ``year`` are known."""
        ...

    def is_business_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day."""
        ...

    def holidays(self, year: int) -> Mapping[dt.date, str]:
        """Holidays of ``year`` by date, with their names."""
        ...

    def to_lunar(self, day: dt.date) -> LunarDay:
        """The lunar date of a Gregorian ``day`` (within ``lunar_years``)."""
        ...

    def from_lunar(self, year: int, month: int, day: int, *, leap: bool) -> dt.date | None:
        """The Gregorian date of a lunar date, or ``None`` if that day does not exist."""
        ...

    def leap_month(self, year: int) -> int:
        """The leap month of lunar ``year`` (0 for none)."""
        ...


class WeekendCalendar:
    """Monday to Friday are business days; no holidays, no lunar calendar. Stdlib only.

    >>> cal = WeekendCalendar()
    >>> cal.is_business_day(dt.date(2026, 2, 14)), cal.is_business_day(dt.date(2026, 2, 16))
    (False, True)
    """

    name = "weekends"
    lunar_years = range(0)

    def has_data(self, year: int) -> bool:
        """Weekends are known for every year."""
        return dt.MINYEAR <= year <= dt.MAXYEAR

    def is_business_day(self, day: dt.date) -> bool:
        """Monday to Friday."""
        return day.weekday() < _SATURDAY

    def holidays(self, year: int) -> Mapping[dt.date, str]:
        """None known."""
        return MappingProxyType({})

    def to_lunar(self, day: dt.date) -> LunarDay:
        """Not supported: ``lunar_years`` is empty."""
        raise LookupError("WeekendCalendar has no lunar calendar; use HolidaysCalendar")

    def from_lunar(self, year: int, month: int, day: int, *, leap: bool) -> dt.date | None:
        """Not supported: ``lunar_years`` is empty."""
        raise LookupError("WeekendCalendar has no lunar calendar; use HolidaysCalendar")

    def leap_month(self, year: int) -> int:
        """Not supported: ``lunar_years`` is empty."""
        raise LookupError("WeekendCalendar has no lunar calendar; use HolidaysCalendar")

    def __repr__(self) -> str:
        return "WeekendCalendar()"


def _import(module: str, purpose: str) -> Any:
    try:
        return __import__(module)
    except ImportError:
        raise MissingExtraError(extra="calendars", module=module, purpose=purpose) from None


class HolidaysCalendar:
    """A country's public holidays (``holidays`` package) and the lunar calendar (``lunardate``).

    Business days are weekdays that are not holidays, plus the weekends a
    country declares working days (China moves weekends around its Golden
    Weeks). Holiday names are the package's English names.

    **Years without data.** ``has_data(year)`` is True only for years the
    package covers; for China it is further limited to the years whose
    official State Council holiday arrangements the installed package holds
    (``published_through``, detected from the package's data unless given),
    because later years would only be the package's rule-based guess.
    Lunar dates are covered for the years ``lunardate`` tabulates
    (1900-2099).

    Needs the ``calendars`` extra: ``pip install "custtier[calendars]"``.
    """

    def __init__(self, country: str = "CN", *, published_through: int | None = None) -> None:
        holidays = _import("holidays", "HolidaysCalendar")
        lunardate = _import("lunardate", "HolidaysCalendar")
        self._country = country
        self._holidays = holidays
        self._lunar = lunardate.LunarDate
        cls = holidays.country_holidays(country, years=()).__class__
        first, last = int(cls.start_year), int(cls.end_year)
        if published_through is None:
            published_through = _published_through(country, last)
        self._years = range(first, min(last, published_through) + 1)
        self._by_year: dict[int, Any] = {}
        self._lunar_cache: dict[dt.date, LunarDay] = {}

    @property
    def name(self) -> str:
        """``holidays:`` and the ISO country code."""
        return f"holidays:{self._country}"

    @property
    def lunar_years(self) -> range:
        """The lunar years ``lunardate`` tabulates."""
        return range(1900, 2100)

    @property
    def years(self) -> range:
        """The Gregorian years with holiday data."""
        return self._years

    def _year(self, year: int) -> Any:
        found = self._by_year.get(year)
        if found is None:
            found = self._holidays.country_holidays(self._country, years=year, language="en_US")
            self._by_year[year] = found
        return found

    def has_data(self, year: int) -> bool:
        """Whether the package holds (published) holidays for ``year``."""
        return year in self._years

    def is_business_day(self, day: dt.date) -> bool:
        """A weekday that is no holiday, or a weekend declared a working day."""
        return bool(self._year(day.year).is_working_day(day))

    def holidays(self, year: int) -> Mapping[dt.date, str]:
        """Holidays of ``year`` by date (English names)."""
        return MappingProxyType(dict(sorted(self._year(year).items())))

    def to_lunar(self, day: dt.date) -> LunarDay:
        """The lunar date of ``day``."""
        found = self._lunar_cache.get(day)
        if found is None:
            ld = self._lunar.from_solar_date(day.year, day.month, day.day)
            found = LunarDay(ld.year, ld.month, ld.day, bool(ld.is_leap_month))
            self._lunar_cache[day] = found
        return found

    def from_lunar(self, year: int, month: int, day: int, *, leap: bool) -> dt.date | None:
        """The Gregorian date, or ``None`` for a day the lunar month does not have."""
        try:
            solar: dt.date = self._lunar(year, month, day, leap).to_solar_date()
        except ValueError:
            return None
        return solar

    def leap_month(self, year: int) -> int:
        """The leap month of lunar ``year`` (0 for none)."""
        return int(self._lunar.leap_month_for_year(year) or 0)

    def __repr__(self) -> str:
        return f"HolidaysCalendar({self._country!r})"


def _published_through(country: str, last: int) -> int:
    # China publishes each year's arrangement (with swapped working weekends)
    # late in the year before; the package records them as special holidays.
    # Years after the last recorded arrangement are not data, only a guess.
    if country != "CN":
        return last
    try:
        china = importlib.import_module("holidays.countries.china")
    except ImportError:  # pragma: no cover - a package layout we do not know
        return last
    static = getattr(china, "ChinaStaticHolidays", None)
    special = getattr(static, "special_public_holidays", None)
    if isinstance(special, Mapping) and special:
        return int(max(special))
    return last
