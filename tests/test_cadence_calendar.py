"""The calendars the planner reads, checked against the ``holidays`` and ``lunardate`` packages.

China's arrangements are data the ``holidays`` package records; a year after the last
one recorded is reckoned by rule and marked provisional near its public holidays. These
examples state what a bank relies on: which years are vouched for, which days an
arrangement could still move, and that names and errors do not depend on the machine.
"""

from __future__ import annotations

import datetime as dt
import sys
import types
from typing import Any

import pytest

from custtier import (
    ChannelConsent,
    ContactPreferences,
    Customer,
    HolidaysCalendar,
    KycFile,
    RelationshipManager,
    WeekendCalendar,
    plan_contacts,
    presets,
)
from custtier.errors import InputError, MissingExtraError
from custtier.models import Channel

holidays = pytest.importorskip("holidays")
lunardate = pytest.importorskip("lunardate")

DAY = dt.timedelta(days=1)


def _china_arranged_through() -> int:
    """The last year whose arrangement the installed package records (its special holidays)."""
    from holidays.countries.china import ChinaStaticHolidays

    return max(ChinaStaticHolidays.special_public_holidays)


# --------------------------------------------------------------------------- which years


def test_a_china_calendar_vouches_for_the_years_whose_arrangement_the_package_records() -> None:
    cal = HolidaysCalendar("CN")
    assert cal.published_through == _china_arranged_through()
    assert cal.published_through < holidays.China.end_year  # later years are only reckoned


def test_other_countries_are_published_for_every_year_the_package_computes() -> None:
    cal = HolidaysCalendar("US")
    assert cal.published_through == holidays.US.end_year
    assert not cal.is_provisional(dt.date(2031, 7, 4))


def test_a_package_that_no_longer_records_chinas_arrangements_does_not_break_the_calendar(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A layout we do not know: every year the package computes counts as published.
    from holidays.countries import china

    end = holidays.China.end_year
    monkeypatch.setattr(china.ChinaStaticHolidays, "special_public_holidays", {})
    assert HolidaysCalendar("CN").published_through == end
    monkeypatch.delattr(china.ChinaStaticHolidays, "special_public_holidays")
    assert HolidaysCalendar("CN").published_through == end
    monkeypatch.setitem(sys.modules, "holidays.countries.china", types.ModuleType("china"))
    assert HolidaysCalendar("CN").published_through == end


def test_the_calendar_knows_exactly_the_years_the_package_computes() -> None:
    cal = HolidaysCalendar("CN")
    first, last = holidays.China.start_year, holidays.China.end_year
    assert cal.years == range(first, last + 1)
    assert cal.has_data(first)
    assert cal.has_data(last)
    for outside in (first - 1, last + 1):
        assert not cal.has_data(outside)
        assert dict(cal.holidays(outside)) == {}
        assert dict(cal.holiday_keys(outside)) == {}


def test_under_the_strict_policy_the_last_published_year_is_known_and_the_next_is_not() -> None:
    cal = HolidaysCalendar("CN", unpublished="refuse", published_through=2026)
    assert cal.has_data(2026)
    assert not cal.has_data(2027)
    # Nothing is provisional when nothing is guessed.
    assert not cal.is_provisional(dt.date(2027, 2, 9))
    assert not cal.is_provisional(dt.date(2026, 12, 28))


# --------------------------------------------------------------------------- which days are provisional


def test_only_days_near_a_holiday_of_an_unpublished_year_are_provisional() -> None:
    cal = HolidaysCalendar("CN", published_through=2026)
    # Spring Festival 2027 (unpublished): the days around it may be swapped.
    assert cal.is_provisional(dt.date(2027, 2, 9))
    # Spring Festival 2026 is published: its days are data, not a guess.
    assert not cal.is_provisional(dt.date(2026, 2, 16))
    assert not cal.is_provisional(dt.date(2026, 10, 8))
    # Mid-July 2027 is weeks from any public holiday.
    assert not cal.is_provisional(dt.date(2027, 7, 14))


def test_provisional_reaches_fourteen_days_either_side_of_a_holiday() -> None:
    cal = HolidaysCalendar("CN", published_through=2026)
    (dragon_boat,) = [
        d for d, name in holidays.China(years=2027).items() if name == "Dragon Boat Festival"
    ]
    assert cal.is_provisional(dragon_boat - 14 * DAY)
    assert cal.is_provisional(dragon_boat + 13 * DAY)
    assert cal.is_provisional(dragon_boat + 14 * DAY)
    assert not cal.is_provisional(dragon_boat - 15 * DAY)
    assert not cal.is_provisional(dragon_boat + 15 * DAY)


def test_a_late_december_day_is_provisional_for_next_years_new_year() -> None:
    # China often makes a late-December weekend a working day for New Year's Day.
    cal = HolidaysCalendar("CN", published_through=2026)
    assert dt.date(2027, 1, 1) in holidays.China(years=2027)
    assert cal.is_provisional(dt.date(2026, 12, 28))


def test_an_early_january_day_is_provisional_for_last_years_christmas() -> None:
    # India: Christmas 2027, then no public holiday until Republic Day (26 January).
    cal = HolidaysCalendar("IN", published_through=2026)
    india = holidays.India(years=[2027, 2028])
    assert dt.date(2027, 12, 25) in india
    assert not [d for d in india if dt.date(2027, 12, 26) <= d <= dt.date(2028, 1, 19)]
    assert cal.is_provisional(dt.date(2028, 1, 5))


# --------------------------------------------------------------------------- names and languages


@pytest.mark.parametrize(
    ("language", "package_language", "spring_festival"),
    [("zh", "zh_CN", "春节"), ("zh-CN", "zh_CN", "春节"), ("en", "en_US", None),
     ("zh_TW", "zh_TW", "春節")],
)  # fmt: skip
def test_a_custtier_locale_or_a_package_language_names_the_holidays(
    language: str, package_language: str, spring_festival: str | None
) -> None:
    cal = HolidaysCalendar("CN", language=language)
    assert cal.language == package_language
    expected = holidays.China(years=2026, language=package_language)[dt.date(2026, 2, 17)]
    assert cal.holidays(2026)[dt.date(2026, 2, 17)] == expected
    if spring_festival is not None:
        assert expected == spring_festival


def test_a_language_the_package_offers_is_used_as_given() -> None:
    assert HolidaysCalendar("GB", language="en_GB").language == "en_GB"


def test_rules_match_english_names_whatever_the_machines_locale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The holidays package names holidays in the environment's language when none is given.
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.setenv(name, "zh_CN.UTF-8")
    for cal in (HolidaysCalendar("CN"), HolidaysCalendar("CN", language="zh_CN")):
        keys = cal.holiday_keys(2026)
        assert keys[dt.date(2026, 2, 17)] == "Chinese New Year (Spring Festival)"
        assert keys[dt.date(2026, 10, 1)] == "National Day"
    assert HolidaysCalendar("CN").holidays(2026)[dt.date(2026, 10, 1)] == "National Day"


def test_the_calendar_says_what_it_is() -> None:
    assert repr(HolidaysCalendar("CN")) == "HolidaysCalendar('CN')"
    assert repr(HolidaysCalendar("CN", language="zh_CN")) == (
        "HolidaysCalendar('CN', language='zh_CN')"
    )
    assert repr(HolidaysCalendar("CN", unpublished="refuse")) == (
        "HolidaysCalendar('CN', unpublished='refuse')"
    )
    assert repr(HolidaysCalendar("CN", language="zh_CN", unpublished="refuse")) == (
        "HolidaysCalendar('CN', language='zh_CN', unpublished='refuse')"
    )
    assert repr(WeekendCalendar()) == "WeekendCalendar()"


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("module", ["holidays", "lunardate"])
def test_a_missing_calendar_package_is_named_with_what_needs_it(
    monkeypatch: pytest.MonkeyPatch, module: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes `import <module>` fail
    with pytest.raises(MissingExtraError) as caught:
        HolidaysCalendar("CN")
    assert str(caught.value) == (
        f"HolidaysCalendar needs the optional package {module!r}; "
        'install it with: pip install "custtier[calendars]"'
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"country": "XX"},
         "country is not one the holidays package knows; give an ISO 3166 code such as CN"),
        ({"unpublished": "guess"}, "unpublished must be one of provisional, refuse"),
    ],
)  # fmt: skip
def test_a_calendar_argument_error_says_what_to_give(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError) as caught:
        HolidaysCalendar(**kwargs)
    assert caught.value.args[0] == message


def test_a_language_the_calendar_lacks_is_refused_with_the_ones_it_has() -> None:
    with pytest.raises(InputError) as caught:
        HolidaysCalendar("CN", language="fr")
    assert caught.value.field == "language"
    assert caught.value.args[0] == (
        "language is not one the CN calendar has; one of "
        + ", ".join(holidays.China.supported_languages)
    )


def test_the_weekend_calendar_knows_every_year_a_date_can_have() -> None:
    cal = WeekendCalendar()
    assert cal.has_data(dt.MINYEAR)
    assert cal.has_data(dt.MAXYEAR)
    assert not cal.has_data(dt.MINYEAR - 1)
    assert not cal.has_data(dt.MAXYEAR + 1)


def test_the_weekend_calendar_has_no_lunar_calendar_and_says_which_has() -> None:
    cal = WeekendCalendar()
    assert cal.lunar_years == range(0)
    message = r"^WeekendCalendar has no lunar calendar; use HolidaysCalendar$"
    with pytest.raises(LookupError, match=message):
        cal.to_lunar(dt.date(2026, 1, 1))
    with pytest.raises(LookupError, match=message):
        cal.from_lunar(2026, 1, 1, leap=False)
    with pytest.raises(LookupError, match=message):
        cal.leap_month(2026)


# --------------------------------------------------------------------------- lunar


def test_leap_months_are_lunardates() -> None:
    cal = HolidaysCalendar("CN")
    for year in (2020, 2023, 2025, 2026, 2027, 2028):
        assert cal.leap_month(year) == (lunardate.LunarDate.leap_month_for_year(year) or 0)
    assert cal.leap_month(2025) == 6
    assert cal.leap_month(2026) == 0


class _StrictLunar(HolidaysCalendar):
    """A calendar that records how the planner calls ``from_lunar`` (its protocol says bool)."""

    def __init__(self) -> None:
        super().__init__("CN")
        self.leaps: list[object] = []

    def from_lunar(self, year: int, month: int, day: int, *, leap: bool) -> dt.date | None:
        self.leaps.append(leap)
        return super().from_lunar(year, month, day, leap=leap)


@pytest.mark.parametrize("born", [dt.date(1985, 9, 29), dt.date(2020, 6, 1)])
def test_the_planner_asks_a_calendar_for_lunar_dates_as_its_protocol_says(born: dt.date) -> None:
    # 2020-06-01 is in leap month 4 of 2020: its anniversaries are in the regular month.
    cal = _StrictLunar()
    consents = ContactPreferences(
        consents=[ChannelConsent(channel=c, service=True, marketing=True) for c in Channel]
    )
    kyc = KycFile(
        customer_key="C1",
        important_dates=[{"kind": "birthday", "relation": "self", "on": born, "calendar": "lunar"}],
    )
    c = Customer(key="C1", contact=consents, manager_id="RM-1", birth_date=born, kyc=kyc)
    plan = plan_contacts(
        [c], presets.PRACTICE, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31),
        tiers={"C1": "high_end"}, calendar=cal,
        managers=[RelationshipManager(id="RM-1", capacity_hours_per_week="40")],
    )  # fmt: skip
    assert [t for t in plan.touchpoints if t.rule_id == "high_end.birthday"]
    assert cal.leaps
    assert all(type(leap) is bool for leap in cal.leaps), set(map(type, cal.leaps))


def test_a_plans_span_is_provisional_only_if_one_of_its_own_days_is() -> None:
    from custtier.cadence._tables import tables

    cal = HolidaysCalendar("CN", published_through=2026)
    t = tables(presets.PRACTICE, dt.date(2027, 1, 1), dt.date(2027, 12, 31), cal)
    # Spring Festival's days come earlier in the plan; mid-July has none of its own.
    assert t.any_provisional(dt.date(2027, 2, 1), dt.date(2027, 2, 9))
    assert not t.any_provisional(dt.date(2027, 7, 10), dt.date(2027, 7, 20))
    # The day after the last one near the Dragon Boat Festival (9 June) is not.
    assert t.any_provisional(dt.date(2027, 6, 23), dt.date(2027, 6, 23))
    assert not t.any_provisional(dt.date(2027, 6, 24), dt.date(2027, 6, 24))
