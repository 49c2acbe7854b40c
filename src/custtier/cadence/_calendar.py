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

from custtier.errors import InputError, MissingExtraError

__all__ = [
    "ARRANGEMENT_REACH_DAYS",
    "UNPUBLISHED_POLICIES",
    "Calendar",
    "HolidaysCalendar",
    "LunarDay",
    "WeekendCalendar",
]

_SATURDAY = 5
_KEY_LANGUAGE = "en_US"  # rules name holidays in the package's English

#: What ``HolidaysCalendar`` does with a year whose official arrangement is not published.
UNPUBLISHED_POLICIES = ("provisional", "refuse")

#: Days either side of a public holiday that an official arrangement may change.
#: Every make-up working day and bridged day China published for 2001-2026 lies
#: within 10 days of a public holiday (the one-off 2015 Victory Day aside);
#: tests/test_workflows_planning.py checks this against the package's data.
ARRANGEMENT_REACH_DAYS = 14


def _as_holiday_language(language: str) -> str:
    """A custtier locale (``"en"``, ``"zh"``, ``"zh-CN"``) as the holidays package names it."""
    from custtier._i18n import HOLIDAY_LANGUAGES, locale_of  # noqa: PLC0415  # only when needed

    try:
        return HOLIDAY_LANGUAGES[locale_of(language)]
    except InputError:
        return language  # refused below with the calendar's own choices


class LunarDay(NamedTuple):
    """A day of the Chinese lunisolar calendar."""

    year: int
    month: int
    day: int
    leap: bool


@runtime_checkable
class Calendar(Protocol):
    """What the planner asks of a calendar.

    ``has_data(year)`` is False for a year whose business days the calendar
    cannot answer for (the planner then reports work of that year rather than
    guess). ``holidays(year)`` names each holiday in the caller's language;
    ``holiday_keys(year)`` gives the same days under names that do not change
    with the language, which contact rules' ``holidays`` are matched against.
    Both answer for any year whose holidays the calendar can date, even one
    whose business days it does not vouch for (a festival's date is fixed by
    the calendar, not by the year's working arrangement); an empty mapping
    means none known. ``is_provisional(day)`` is True where the day's
    business-day status is the calendar's rule-based reckoning, not yet an
    official arrangement: the planner marks work placed by such days.
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

    def is_provisional(self, day: dt.date) -> bool:
        """Whether ``day``'s business-day status may change when an arrangement is published."""
        ...

    def holidays(self, year: int) -> Mapping[dt.date, str]:
        """Holidays of ``year`` by date, with their names in the calendar's language."""
        ...

    def holiday_keys(self, year: int) -> Mapping[dt.date, str]:
        """The days of ``holidays(year)`` under language-independent names (rules match these)."""
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

    def is_provisional(self, day: dt.date) -> bool:
        """Never: weekends are not arranged."""
        return False

    def holidays(self, year: int) -> Mapping[dt.date, str]:
        """None known."""
        return MappingProxyType({})

    def holiday_keys(self, year: int) -> Mapping[dt.date, str]:
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
    Weeks). Holiday names are the package's, in ``language`` (``"en_US"``,
    or e.g. ``"zh_CN"``: 春节, 中秋节); contact rules are matched against the
    English names whatever the language, so a rule names a holiday once.

    **Years not yet arranged.** China's State Council publishes each year's
    arrangement (make-up working weekends, bridged days) late in the year
    before. ``published_through`` is the last year whose arrangement the
    installed package holds (detected from its data unless given; for other
    countries every year the package computes). For a later year:

    * ``unpublished="provisional"`` (default): the package's rule-based
      holidays and business days are used, and ``is_provisional(day)`` is
      True for days within :data:`ARRANGEMENT_REACH_DAYS` of one of that
      year's public holidays — where every published arrangement since 2001
      moved a day. The planner marks work placed by such days.
    * ``unpublished="refuse"``: business days of such a year are unknown
      (``has_data`` False): work that needs one is reported, not placed.

    Either way the holidays' own dates (Spring Festival, Mid-Autumn Festival,
    National Day) are known for every year the package computes: they are
    fixed by the calendar, not by the arrangement, so greetings go ahead.
    Lunar dates are covered for the years ``lunardate`` tabulates (1900-2099).

    Needs the ``calendars`` extra: ``pip install "custtier[calendars]"``.

    >>> cal = HolidaysCalendar("CN", language="zh_CN", published_through=2026)
    >>> cal.holidays(2027)[dt.date(2027, 2, 6)], cal.is_provisional(dt.date(2027, 2, 9))
    ('春节', True)
    """

    def __init__(
        self,
        country: str = "CN",
        *,
        language: str = "en_US",
        unpublished: str = "provisional",
        published_through: int | None = None,
    ) -> None:
        holidays = _import("holidays", "HolidaysCalendar")
        lunardate = _import("lunardate", "HolidaysCalendar")
        if unpublished not in UNPUBLISHED_POLICIES:
            raise InputError(
                f"unpublished must be one of {', '.join(UNPUBLISHED_POLICIES)}",
                field="unpublished",
            )
        try:
            cls = holidays.country_holidays(country, years=()).__class__
        except NotImplementedError:
            raise InputError(
                "country is not one the holidays package knows; give an ISO 3166 code such as CN",
                field="country",
            ) from None
        languages = tuple(getattr(cls, "supported_languages", ()) or ())
        if language != _KEY_LANGUAGE and language not in languages:
            language = _as_holiday_language(language)
        if language != _KEY_LANGUAGE and language not in languages:
            raise InputError(
                f"language is not one the {country} calendar has; one of {', '.join(languages)}",
                field="language",
            )
        self._country = country
        self._language = language
        self._unpublished = unpublished
        self._holidays = holidays
        self._lunar = lunardate.LunarDate
        first, last = int(cls.start_year), int(cls.end_year)
        if published_through is None:
            published_through = _published_through(country, last)
        self._published_through = min(published_through, last)
        self._years = range(first, last + 1)
        self._by_year: dict[tuple[int, str], Any] = {}
        self._lunar_cache: dict[dt.date, LunarDay] = {}
        self._near: dict[int, frozenset[dt.date]] = {}

    @property
    def name(self) -> str:
        """``holidays:`` and the ISO country code."""
        return f"holidays:{self._country}"

    @property
    def language(self) -> str:
        """The language of holiday names."""
        return self._language

    @property
    def unpublished(self) -> str:
        """``"provisional"`` or ``"refuse"``: what is done with years not yet arranged."""
        return self._unpublished

    @property
    def published_through(self) -> int:
        """The last year whose official arrangement the calendar holds."""
        return self._published_through

    @property
    def lunar_years(self) -> range:
        """The lunar years ``lunardate`` tabulates."""
        return range(1900, 2100)

    @property
    def years(self) -> range:
        """The Gregorian years whose holidays the package computes."""
        return self._years

    def _year(self, year: int, language: str) -> Any:
        found = self._by_year.get((year, language))
        if found is None:
            found = self._holidays.country_holidays(self._country, years=year, language=language)
            self._by_year[year, language] = found
        return found

    def has_data(self, year: int) -> bool:
        """Whether business days of ``year`` are known (published, or provisional by policy)."""
        if year not in self._years:
            return False
        return self._unpublished == "provisional" or year <= self._published_through

    def is_provisional(self, day: dt.date) -> bool:
        """Whether ``day`` lies near a public holiday of a year not yet arranged (policy permitting).

        Near: within :data:`ARRANGEMENT_REACH_DAYS`, in the year before or after too
        (a late-December Sunday may be made a working day for New Year's Day).
        """
        if self._unpublished != "provisional":
            return False
        return any(
            day in self._near_days(year)
            for year in (day.year - 1, day.year, day.year + 1)
            if year > self._published_through and year in self._years
        )

    def _near_days(self, year: int) -> frozenset[dt.date]:
        found = self._near.get(year)
        if found is None:
            reach = dt.timedelta(days=ARRANGEMENT_REACH_DAYS)
            found = frozenset(
                day + dt.timedelta(days=k)
                for day in self._year(year, _KEY_LANGUAGE)
                for k in range(-reach.days, reach.days + 1)
                if dt.date.min + reach <= day <= dt.date.max - reach
            )
            self._near[year] = found
        return found

    def is_business_day(self, day: dt.date) -> bool:
        """A weekday that is no holiday, or a weekend declared a working day."""
        return bool(self._year(day.year, _KEY_LANGUAGE).is_working_day(day))

    def holidays(self, year: int) -> Mapping[dt.date, str]:
        """Holidays of ``year`` by date, named in ``language`` (empty outside ``years``)."""
        if year not in self._years:
            return MappingProxyType({})
        return MappingProxyType(dict(sorted(self._year(year, self._language).items())))

    def holiday_keys(self, year: int) -> Mapping[dt.date, str]:
        """Holidays of ``year`` under the package's English names, whatever ``language``."""
        if year not in self._years:
            return MappingProxyType({})
        return MappingProxyType(dict(sorted(self._year(year, _KEY_LANGUAGE).items())))

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
        extra = ""
        if self._language != _KEY_LANGUAGE:
            extra += f", language={self._language!r}"
        if self._unpublished != "provisional":
            extra += f", unpublished={self._unpublished!r}"
        return f"HolidaysCalendar({self._country!r}{extra})"


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
