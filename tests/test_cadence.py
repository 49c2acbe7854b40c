"""The contact-cadence planner, by examples that read like the practice."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest

from custtier import (
    Channel,
    ChannelConsent,
    ContactPlan,
    ContactPreferences,
    ContactRecord,
    Customer,
    HolidaysCalendar,
    KycFile,
    Playbook,
    Product,
    ProductHolding,
    Purpose,
    ReasonCode,
    RelationshipManager,
    RiskAssessment,
    WeekendCalendar,
    check_suitability,
    plan_contacts,
    plan_to_ical,
    presets,
    synth,
)
from custtier.errors import InputError, PlaybookError

PRACTICE = presets.PRACTICE
ALL_CHANNELS = list(Channel)


def consents(*channels: Channel, marketing: bool = True) -> ContactPreferences:
    chosen = channels or tuple(ALL_CHANNELS)
    return ContactPreferences(
        consents=[ChannelConsent(channel=c, service=True, marketing=marketing) for c in chosen]
    )


def customer(key: str = "C1", **kw: Any) -> Customer:
    kw.setdefault("contact", consents())
    kw.setdefault("manager_id", "RM-1")
    return Customer(key=key, **kw)


def rm(mid: str = "RM-1", hours: str = "40") -> RelationshipManager:
    return RelationshipManager(id=mid, capacity_hours_per_week=hours)


def plan(
    customers: Sequence[Customer],
    tier: str,
    start: dt.date,
    end: dt.date,
    playbook: Playbook = PRACTICE,
    **kw: Any,
) -> ContactPlan:
    result = plan_contacts(
        customers, playbook, start=start, end=end, tiers={c.key: tier for c in customers}, **kw
    )
    assert result.required == len(result.touchpoints) + len(result.unscheduled)
    return result


def of_rule(p: ContactPlan, rule_id: str) -> list[dt.date]:
    return [t.on for t in p.touchpoints if t.rule_id == rule_id]


# --------------------------------------------------------------------------- high-end


def test_a_high_end_customer_gets_a_birthday_call_and_home_visits_on_business_days() -> None:
    c = customer(birth_date=dt.date(1970, 6, 14))  # 14 June 2026 is a Sunday
    p = plan([c], "high_end", dt.date(2026, 1, 1), dt.date(2026, 12, 31), managers=[rm()])
    birthday = [t for t in p.touchpoints if t.rule_id == "high_end.birthday"]
    assert [t.on for t in birthday] == [dt.date(2026, 6, 14)]  # greetings: the day itself
    assert birthday[0].manager_id == "RM-1"
    assert birthday[0].channel is Channel.PHONE
    assert birthday[0].at is not None
    assert birthday[0].at.hour == 10
    visits = of_rule(p, "high_end.visit")
    assert len(visits) in {4, 5}  # every 90 days over a year
    assert all(d.weekday() < 5 for d in visits)
    assert all(b - a >= dt.timedelta(days=60) for a, b in itertools.pairwise(visits))


def test_kyc_gaps_become_complete_the_file_purposes_on_the_next_manager_contact() -> None:
    c = customer(birth_date=dt.date(1970, 6, 14))
    p = plan([c], "high_end", dt.date(2026, 1, 1), dt.date(2026, 3, 31), managers=[rm()])
    with_gaps = [t for t in p.touchpoints if t.kyc_items]
    assert len(with_gaps) == 1
    first = with_gaps[0]
    assert first.occasion not in {"birthday", "holiday", "important_date"}
    assert "family" in first.kyc_items
    assert ReasonCode.CADENCE_COMPLETE_KYC in {r.code for r in first.reasons}


# --------------------------------------------------------------------------- 29 February


@pytest.mark.parametrize(
    ("policy", "year", "expected"),
    [
        ("feb28", 2027, dt.date(2027, 2, 28)),
        ("mar1", 2027, dt.date(2027, 3, 1)),
        ("feb28", 2028, dt.date(2028, 2, 29)),
        ("mar1", 2028, dt.date(2028, 2, 29)),
    ],
)
def test_29_february_birthdays_follow_the_playbook_policy(
    policy: str, year: int, expected: dt.date
) -> None:
    data = PRACTICE.to_record()
    data["cadence"]["leap_day"] = policy
    pb = Playbook.model_validate(data)
    c = customer(birth_date=dt.date(1984, 2, 29))
    p = plan([c], "high_end", dt.date(year, 1, 1), dt.date(year, 12, 31), pb, managers=[rm()])
    (birthday,) = [t for t in p.touchpoints if t.rule_id == "high_end.birthday"]
    assert birthday.on == expected
    moved = ReasonCode.CADENCE_LEAP_DAY in {r.code for r in birthday.reasons}
    assert moved == (year == 2027)


# --------------------------------------------------------------------------- holidays and lunar


def test_spring_festival_greeting_via_the_holidays_calendar() -> None:
    c = customer()
    p = plan(
        [c], "high_end", dt.date(2026, 1, 1), dt.date(2026, 12, 31),
        calendar=HolidaysCalendar("CN"), managers=[rm()],
    )  # fmt: skip
    greetings = {t.label: t.on for t in p.touchpoints if t.rule_id == "high_end.holiday"}
    assert greetings["Spring Festival"] == dt.date(2026, 2, 17)
    assert greetings["Mid-Autumn Festival"] == dt.date(2026, 9, 25)
    assert greetings["National Day"] == dt.date(2026, 10, 1)


def test_the_holidays_calendar_moves_work_off_holidays_and_onto_working_weekends() -> None:
    cal = HolidaysCalendar("CN")
    assert not cal.is_business_day(dt.date(2026, 10, 1))  # National Day
    assert cal.is_business_day(dt.date(2026, 2, 14))  # a Saturday worked for Spring Festival
    assert cal.has_data(2026)


def test_under_the_strict_policy_work_of_an_unarranged_year_is_reported_not_guessed() -> None:
    cal = HolidaysCalendar("CN", unpublished="refuse", published_through=2026)
    c = customer()
    p = plan([c], "high_end", dt.date(2027, 1, 1), dt.date(2027, 3, 31), calendar=cal,
             managers=[rm()])  # fmt: skip
    # Festival dates are fixed by the calendar, not by the arrangement: greeted.
    greeted = {t.on for t in p.touchpoints if t.rule_id == "high_end.holiday"}
    assert greeted == {dt.date(2027, 1, 1), dt.date(2027, 2, 6)}
    # Manager work needs business days, which the strict policy does not guess.
    visits = [u.code for u in p.unscheduled if u.rule_id == "high_end.visit"]
    assert visits
    assert set(visits) == {ReasonCode.CADENCE_NO_CALENDAR_DATA}
    assert not [t for t in p.touchpoints if t.rule_id == "high_end.visit"]
    assert p.provisional == 0


def test_a_lunar_birthday_falls_on_its_lunar_date_each_year() -> None:
    cal = HolidaysCalendar("CN")
    born = dt.date(1985, 9, 29)  # lunar 1985-08-15, Mid-Autumn
    assert cal.to_lunar(born)[1:3] == (8, 15)
    kyc = KycFile(
        customer_key="C1",
        important_dates=[{"kind": "birthday", "relation": "self", "on": born, "calendar": "lunar"}],
    )
    c = customer(birth_date=born, kyc=kyc)
    p = plan([c], "high_end", dt.date(2026, 1, 1), dt.date(2026, 12, 31), calendar=cal,
             managers=[rm()])  # fmt: skip
    (birthday,) = [t for t in p.touchpoints if t.rule_id == "high_end.birthday"]
    assert birthday.on == dt.date(2026, 9, 25)  # Mid-Autumn Festival 2026
    assert ReasonCode.CADENCE_LUNAR_DATE in {r.code for r in birthday.reasons}


def test_lunar_30th_day_and_leap_month_policies() -> None:
    from custtier.cadence._dates import lunar_anniversary
    from custtier.rules import LunarLeapMonthPolicy as Leap
    from custtier.rules import LunarShortMonthPolicy as Short

    cal = HolidaysCalendar("CN")
    # Find a 30th day whose month has 29 days in a later year.
    origin = next(y for y in range(1980, 2000) if cal.from_lunar(y, 1, 30, leap=False))
    born = cal.from_lunar(origin, 1, 30, leap=False)
    assert born is not None
    year = next(y for y in range(2026, 2040) if cal.from_lunar(y, 1, 30, leap=False) is None)
    last, why = lunar_anniversary(born, year, cal, Leap.REGULAR_MONTH, Short.LAST_DAY)
    nxt, _ = lunar_anniversary(born, year, cal, Leap.REGULAR_MONTH, Short.NEXT_DAY)
    assert last == cal.from_lunar(year, 1, 29, leap=False)
    assert last is not None
    assert nxt == last + dt.timedelta(days=1)
    assert why is not None
    assert why == "short_kept"
    # Born in leap month 4 of 2020; 2023 has leap month 2, not 4.
    leap_born = cal.from_lunar(2020, 4, 10, leap=True)
    assert leap_born is not None
    day, why = lunar_anniversary(leap_born, 2023, cal, Leap.LEAP_IF_PRESENT, Short.LAST_DAY)
    assert day == cal.from_lunar(2023, 4, 10, leap=False)
    assert why is not None
    assert why == "leap_month"


def test_lunar_dates_without_a_lunar_calendar_are_reported() -> None:
    kyc = KycFile(
        customer_key="C1",
        important_dates=[
            {"kind": "birthday", "relation": "self", "on": "1985-09-29", "calendar": "lunar"}
        ],
    )
    p = plan([customer(kyc=kyc)], "high_end", dt.date(2026, 1, 1), dt.date(2026, 12, 31),
             calendar=WeekendCalendar(), managers=[rm()])  # fmt: skip
    (u,) = [u for u in p.unscheduled if u.rule_id == "high_end.birthday"]
    assert u.code is ReasonCode.CADENCE_NO_CALENDAR_DATA


# --------------------------------------------------------------------------- consent and caps


def test_opt_out_binds_immediately() -> None:
    dnc = ContactPreferences(
        consents=[ChannelConsent(channel=c, marketing=True) for c in ALL_CHANNELS],
        do_not_contact=True,
        do_not_contact_since=dt.date(2026, 3, 1),
    )
    quiet = customer("C2", birth_date=dt.date(1990, 1, 10), contact=dnc)
    no_sms = customer("C3", birth_date=dt.date(1990, 1, 10), contact=consents(Channel.PHONE))
    p = plan([quiet, no_sms], "mass", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    # Only the duties the bank owes under regulation reach a do-not-contact customer.
    duties = [t for t in p.touchpoints if t.customer_key == "C2"]
    assert {(t.rule_id, t.purpose) for t in duties} == {("mass.kyc", Purpose.REGULATORY)}
    assert all(ReasonCode.CADENCE_REGULATORY_DUTY in {r.code for r in t.reasons} for t in duties)
    assert {u.code for u in p.unscheduled if u.customer_key == "C2"} == {
        ReasonCode.CADENCE_DO_NOT_CONTACT
    }
    assert not [t for t in p.touchpoints if t.customer_key == "C3"]  # mass contacts are SMS
    assert ReasonCode.CADENCE_NO_CONSENT in {u.code for u in p.unscheduled}


def test_marketing_caps_hold_counting_history() -> None:
    data = PRACTICE.to_record()
    data["cadence"]["caps"] = [
        {"rule_id": "cap.mkt", "purpose": "marketing", "max_contacts": 1, "window_days": 60}
    ]
    pb = Playbook.model_validate(data)
    c = customer(birth_date=dt.date(1990, 1, 10))
    past = [ContactRecord(customer_key="C1", on=dt.date(2026, 8, 20), channel="mass_sms",
                          purpose="marketing")]  # fmt: skip
    p = plan([c], "mass", dt.date(2026, 9, 1), dt.date(2026, 12, 31), pb, history=past)
    capped = [u for u in p.unscheduled if u.code is ReasonCode.CADENCE_CAPPED]
    assert [u.rule_id for u in capped] == ["camp.2026.referral"]  # September: too soon
    assert capped[0].reasons[0].rule_id == "cap.mkt"
    assert of_rule(p, "camp.2026.lottery") == [dt.date(2026, 12, 1)]


def test_capacity_overflow_is_reported_per_manager_and_week() -> None:
    book = [customer(f"C{i:02d}", birth_date=dt.date(1970, 3, 2)) for i in range(30)]
    p = plan(book, "high_end", dt.date(2026, 1, 1), dt.date(2026, 3, 31), managers=[rm(hours="3")])
    assert all(row.booked_minutes <= 180 for row in p.load)
    over = [u for u in p.unscheduled if u.code is ReasonCode.CADENCE_CAPACITY]
    assert over
    assert all(u.manager_id == "RM-1" and u.week for u in over)
    assert sum(row.unscheduled for row in p.load) == len(over)
    # Highest priority first: every (overdue) KYC review, priority 1, fitted.
    assert not [u for u in over if u.rule_id == "high_end.kyc"]
    assert len(of_rule(p, "high_end.kyc")) == 30


def test_manager_work_without_a_planned_manager_is_reported() -> None:
    c = customer(manager_id=None)
    p = plan([c], "high_end", dt.date(2026, 1, 1), dt.date(2026, 3, 31), managers=[rm()])
    visits = [u for u in p.unscheduled if u.rule_id == "high_end.visit"]
    assert visits
    assert {u.code for u in visits} == {ReasonCode.CADENCE_NO_MANAGER}


# --------------------------------------------------------------------------- KYC, risk, maturity


@pytest.mark.parametrize(
    ("rating", "reviewed", "due"),
    [
        ("high", dt.date(2026, 1, 15), dt.date(2026, 7, 15)),
        ("medium", dt.date(2025, 7, 15), dt.date(2026, 7, 15)),
        ("low", dt.date(2024, 7, 15), dt.date(2026, 7, 15)),
    ],
)
def test_kyc_refresh_comes_before_the_due_date_set_by_the_aml_rating(
    rating: str, reviewed: dt.date, due: dt.date
) -> None:
    kyc = KycFile(customer_key="C1", aml_rating=rating, last_reviewed_on=reviewed)
    p = plan([customer(kyc=kyc)], "high_end", dt.date(2026, 6, 1), dt.date(2026, 8, 31),
             managers=[rm()])  # fmt: skip
    (review,) = [t for t in p.touchpoints if t.rule_id == "high_end.kyc"]
    assert review.due_on == due
    assert due - dt.timedelta(days=30) <= review.on <= due
    assert review.on.weekday() < 5


def test_kyc_review_intervals_must_tighten_with_risk() -> None:
    data = PRACTICE.to_record()
    data["cadence"]["kyc_reviews"][2]["interval_months"] = 36  # low: 3x medium
    with pytest.raises(PlaybookError, match="at most twice the interval"):
        Playbook.model_validate(data)
    data["cadence"]["kyc_reviews"][2]["interval_months"] = 24
    data["cadence"]["kyc_reviews"][0]["interval_months"] = 18  # high beyond 12 months
    with pytest.raises(PlaybookError, match="every 6 to 12 months"):
        Playbook.model_validate(data)


def test_rrule_is_validated_at_load_and_needs_an_anchor() -> None:
    data = PRACTICE.to_record()
    salon = next(r for r in data["cadence"]["contact_rules"] if r["id"] == "mid_end.salon")
    salon["rrule"] = "FREQ=SOMETIMES"
    with pytest.raises(PlaybookError, match="RRULE"):
        Playbook.model_validate(data)
    salon["rrule"], salon["anchor"] = "FREQ=MONTHLY", None
    with pytest.raises(PlaybookError, match="anchor"):
        Playbook.model_validate(data)


def test_risk_reassessment_and_maturity_come_before_they_lapse() -> None:
    ra = RiskAssessment(level="steady", score=50, assessed_on=dt.date(2025, 7, 1),
                        valid_until=dt.date(2026, 6, 30))  # fmt: skip
    held = ProductHolding(product_id="TD-1Y", principal=Decimal("100000.00"),
                          matures_on=dt.date(2026, 5, 20))  # fmt: skip
    c = customer(risk_assessment=ra, products_held=[held])
    p = plan([c], "high_end", dt.date(2026, 4, 1), dt.date(2026, 7, 31), managers=[rm()])
    (risk,) = [t for t in p.touchpoints if t.rule_id == "high_end.risk"]
    assert dt.date(2026, 5, 31) <= risk.on <= dt.date(2026, 6, 30)
    (maturity,) = [t for t in p.touchpoints if t.rule_id == "high_end.maturity"]
    assert dt.date(2026, 5, 6) <= maturity.on <= dt.date(2026, 5, 20)


def test_an_imported_assessment_is_reassessed_before_the_playbook_stops_honouring_it() -> None:
    # Assessed 2025-10-01; the record (imported) says valid to 2027-12-31, but the
    # playbook's 12 months end on 2026-09-30: the call comes before 2026-10-01.
    ra = RiskAssessment(
        level="steady",
        score=50,
        assessed_on=dt.date(2025, 10, 1),
        valid_until=dt.date(2027, 12, 31),
    )
    c = customer(risk_assessment=ra)
    p = plan([c], "high_end", dt.date(2026, 8, 1), dt.date(2026, 12, 31), managers=[rm()])
    (risk,) = [t for t in p.touchpoints if t.rule_id == "high_end.risk"]
    assert risk.due_on == dt.date(2026, 9, 30)
    assert dt.date(2026, 8, 31) <= risk.on < dt.date(2026, 10, 1)
    # The same day check_suitability stops honouring the assessment.
    fund = Product(
        id="BF-1",
        name="BF-1",
        category="bond_fund",
        risk_level="medium",
        minimum_investment="1000.00",
        increment="100.00",
    )
    on_due = check_suitability(c, fund, PRACTICE, as_of=risk.due_on)
    after = check_suitability(c, fund, PRACTICE, as_of=risk.due_on + dt.timedelta(days=1))
    assert on_due.outcome != "blocked"
    assert after.reasons[0].code is ReasonCode.SUIT_ASSESSMENT_EXPIRED


# --------------------------------------------------------------------------- campaigns


def test_campaigns_reach_mass_customers_in_their_window_under_consent() -> None:
    c = customer(birth_date=dt.date(1990, 1, 10))
    p = plan([c], "mass", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    camps = {t.rule_id: t for t in p.touchpoints if t.occasion == "campaign"}
    assert set(camps) == {"camp.2026.spring_gift", "camp.2026.wm_entry", "camp.2026.points",
                          "camp.2026.referral", "camp.2026.lottery"}  # fmt: skip
    assert camps["camp.2026.spring_gift"].offer == "deposit_gift"
    assert dt.date(2026, 4, 1) <= camps["camp.2026.wm_entry"].on <= dt.date(2026, 6, 30)
    # Not for a mid-end customer, nor for a mass customer without marketing consent.
    assert not [t for t in plan([c], "mid_end", dt.date(2026, 1, 1), dt.date(2026, 12, 31),
                                managers=[rm()]).touchpoints if t.occasion == "campaign"]  # fmt: skip
    shy = customer(contact=consents(marketing=False))
    p2 = plan([shy], "mass", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert not [t for t in p2.touchpoints if t.occasion == "campaign"]


def test_campaign_segments_filter_by_need_and_age() -> None:
    young = customer("C1", birth_date=dt.date(2000, 1, 1), needs=["pension"])
    older = customer("C2", birth_date=dt.date(1970, 1, 1), needs=["pension"])
    other = customer("C3", birth_date=dt.date(1970, 1, 1), needs=["housing"])
    p = plan([young, older, other], "mass", dt.date(2027, 3, 1), dt.date(2027, 4, 30))
    assert {t.customer_key for t in p.touchpoints if t.rule_id == "camp.2027.pension_entry"} == {
        "C2"
    }


# --------------------------------------------------------------------------- the whole book


def test_a_synthetic_book_plans_deterministically_whatever_the_order() -> None:
    book = synth.book(300, seed=5, as_of=dt.date(2026, 11, 30))
    from custtier import tier_book

    tiers = {
        d.customer_key: d
        for d in tier_book(book.customers, PRACTICE, as_of=dt.date(2026, 11, 30)).decisions
    }
    cal = HolidaysCalendar("CN")
    kw: dict[str, Any] = {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 12, 31),
                          "tiers": tiers, "calendar": cal}  # fmt: skip
    one = plan_contacts(book.customers, PRACTICE, managers=book.managers, **kw)
    two = plan_contacts(book.customers[::-1], PRACTICE, managers=book.managers[::-1], **kw)
    assert one.to_json() == two.to_json()
    assert one.required == len(one.touchpoints) + len(one.unscheduled) > 0
    assert not one.errors


def test_bad_inputs_become_error_records() -> None:
    good = customer("C1")
    dup = [customer("C2"), customer("C2")]
    p = plan_contacts([good, *dup, {"key": "C4", "assets_under_management": 0.5}, customer("C5")],
                      PRACTICE, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31),
                      tiers={"C1": "mass", "C2": "mass", "C5": "vip"})  # fmt: skip
    assert sorted(e.code for e in p.errors) == [
        "duplicate_key", "duplicate_key", "invalid_record", "unknown_tier",
    ]  # fmt: skip
    with pytest.raises(InputError):
        plan_contacts([], PRACTICE, start=dt.date(2026, 2, 1), end=dt.date(2026, 1, 1), tiers={})


# --------------------------------------------------------------------------- iCalendar


def test_ical_export_parses_back_to_the_same_events() -> None:
    icalendar = pytest.importorskip("icalendar")
    c = customer(birth_date=dt.date(1970, 6, 14))
    p = plan([c], "high_end", dt.date(2026, 6, 1), dt.date(2026, 8, 31),
             calendar=HolidaysCalendar("CN"), managers=[rm()])  # fmt: skip
    text = plan_to_ical(p, manager_id="RM-1")
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert text == plan_to_ical(p, manager_id="RM-1")  # no clock: same bytes
    cal = icalendar.Calendar.from_ical(text)
    events = list(cal.walk("VEVENT"))
    mine = p.for_manager("RM-1")
    assert len(events) == len(mine) > 0
    for ev, tp in zip(events, mine, strict=True):
        start = ev.decoded("DTSTART")
        assert (start if isinstance(start, dt.date) and not isinstance(start, dt.datetime)
                else start.astimezone(tp.at.tzinfo).date() if tp.at else None) == tp.on  # fmt: skip
        assert str(ev["SUMMARY"]) == f"{tp.label} - {tp.channel.value} - {tp.customer_key}"
        assert int(ev["PRIORITY"]) == tp.priority
    assert "Synthetic" not in text  # nothing personal


def test_the_holidays_calendar_names_the_extra_when_it_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from custtier.errors import MissingExtraError

    monkeypatch.setitem(sys.modules, "holidays", None)  # makes `import holidays` fail
    with pytest.raises(MissingExtraError, match=r'pip install "custtier\[calendars\]"'):
        HolidaysCalendar("CN")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"country": "XX"}, "country"), ({"language": "xx_XX"}, "language"),
     ({"unpublished": "guess"}, "unpublished")],
)  # fmt: skip
def test_a_calendar_the_package_cannot_give_is_an_input_error_naming_the_argument(
    kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(InputError) as caught:
        HolidaysCalendar(**kwargs)
    assert caught.value.field == field


def test_a_playbook_whose_do_not_contact_lets_marketing_through_is_refused() -> None:
    data = PRACTICE.to_record()
    data["cadence"]["do_not_contact"] = {"binds": ["service"]}
    with pytest.raises((PlaybookError, ValueError), match="marketing"):
        Playbook.model_validate(data)
    data["cadence"].pop("do_not_contact")
    assert set(Playbook.model_validate(data).cadence.do_not_contact.binds) == set(Purpose)


def test_every_greeted_holiday_of_the_presets_is_found_in_every_year_the_bank_plans() -> None:
    # Rules name holidays in the package's English; a renaming upstream must fail here,
    # not silently turn greetings into CADENCE_NO_CALENDAR_DATA.
    from custtier.cadence._tables import NO_DATA, tables

    cal = HolidaysCalendar("CN", language="zh_CN")
    for pb in (presets.PRACTICE, presets.REGULATORY):
        for year in range(2026, 2036):
            t = tables(pb, dt.date(year, 1, 1), dt.date(year, 12, 31), cal)
            missing = {name for (name, _), day in t.holiday_dates.items() if day == NO_DATA}
            assert not missing, (year, missing)
            assert t.holiday_labels["Spring Festival", year] == "春节"
            assert t.holiday_labels["Mid-Autumn Festival", year] == "中秋节"


# --------------------------------------------------------------------------- rules the mutants found


def test_the_worklist_reaches_a_customer_on_the_first_channel_they_allow_or_says_why_not() -> None:
    from custtier.cadence._consent import first_allowed

    phone_first = [Channel.PHONE, Channel.SMS]
    sms_only = Customer(key="C1", contact=consents(Channel.SMS, marketing=False))
    assert first_allowed(sms_only, Purpose.SERVICE, phone_first, [Purpose.MARKETING]) is (
        Channel.SMS
    )
    assert first_allowed(sms_only, Purpose.MARKETING, phone_first, [Purpose.MARKETING]) is (
        ReasonCode.CADENCE_NO_CONSENT
    )
    assert first_allowed(sms_only, Purpose.SERVICE, [], [Purpose.MARKETING]) is (
        ReasonCode.CADENCE_NO_CONSENT
    )
    # Do-not-contact blocks what the playbook binds, and says so; a duty it does not
    # bind still reaches the customer on a channel they consented to.
    dnc = ContactPreferences(
        consents=[ChannelConsent(channel=Channel.SMS, marketing=True)], do_not_contact=True
    )
    opted_out = Customer(key="C2", contact=dnc)
    assert first_allowed(opted_out, Purpose.MARKETING, phone_first, [Purpose.MARKETING]) is (
        ReasonCode.CADENCE_DO_NOT_CONTACT
    )
    assert first_allowed(opted_out, Purpose.REGULATORY, phone_first, (Purpose.MARKETING,)) is (
        Channel.SMS
    )


def _with_visits_every(days: int) -> Playbook:
    """PRACTICE with high_end.visit every ``days`` days, built without validation."""
    cad = PRACTICE.cadence
    rules = tuple(
        r.model_construct(**{**dict(r), "interval_days": days}) if r.id == "high_end.visit" else r
        for r in cad.contact_rules
    )
    return Playbook.model_construct(
        **{
            **dict(PRACTICE),
            "cadence": cad.model_construct(**{**dict(cad), "contact_rules": rules}),
        }
    )


def test_an_interval_rule_is_counted_over_the_horizon_before_the_plan_is_built() -> None:
    # The practice budget: 53 contacts per rule per customer a year. A visit every
    # 6 days fits 53 times in 318 days; over 319 days it would need a 54th.
    pb = _with_visits_every(6)
    start = dt.date(2026, 1, 1)

    def refusal(days: int) -> PlaybookError:
        end = start + dt.timedelta(days=days - 1)
        with pytest.raises(PlaybookError) as caught:
            plan_contacts([customer()], pb, start=start, end=end, tiers={"C1": "high_end"})
        return caught.value

    # 318 days pass the horizon count; the yearly budget check refuses the rule next.
    assert "cadence.contact_rules[high_end.visit]" not in dict(refusal(318).problems)
    assert dict(refusal(319).problems) == {
        "cadence.contact_rules[high_end.visit]": (
            "rule 'high_end.visit' would produce more than 53 contacts per customer over "
            "this horizon, beyond cadence.budget; plan was refused before it was built"
        )
    }
