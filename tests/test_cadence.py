"""The contact-cadence planner, by examples that read like the practice."""

from __future__ import annotations

import datetime as dt
import itertools
import zlib
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

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
    tier_book,
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


def rule_ids(p: ContactPlan) -> list[str]:
    """The rule of every required contact, planned or not."""
    return [t.rule_id for t in p.touchpoints] + [u.rule_id for u in p.unscheduled]


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
    # The manager's calendar says what each call is for.
    assert (risk.label, maturity.label) == ("risk re-assessment", "maturity TD-1Y")


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


def test_a_campaign_the_managers_call_is_booked_in_each_customers_managers_week() -> None:
    # The bank runs the entry-product campaign as managers' calls, 15 minutes each.
    data = PRACTICE.to_record()
    camp = next(c for c in data["cadence"]["campaigns"] if c["id"] == "camp.2026.wm_entry")
    camp.update(owner="manager", channel="phone", duration_minutes=15)
    p = plan([customer()], "mass", dt.date(2026, 4, 1), dt.date(2026, 6, 30),
             Playbook.model_validate(data), managers=[rm()])  # fmt: skip
    (call,) = [t for t in p.touchpoints if t.rule_id == "camp.2026.wm_entry"]
    assert (call.owner, call.manager_id) == ("manager", "RM-1")
    assert p.for_manager("RM-1") == (call,)
    (week,) = [w for w in p.load if w.booked_minutes]
    assert (week.manager_id, week.booked_minutes, week.touchpoints) == ("RM-1", 15, 1)


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
    yearly = refusal(318)
    assert "cadence.contact_rules[high_end.visit]" not in dict(yearly.problems)
    assert yearly.playbook_id == "practice"
    assert dict(refusal(319).problems) == {
        "cadence.contact_rules[high_end.visit]": (
            "rule 'high_end.visit' would produce more than 53 contacts per customer over "
            "this horizon, beyond cadence.budget; plan was refused before it was built"
        )
    }


def test_a_recurrence_busier_in_a_leap_year_is_refused_for_that_plan_naming_the_rule() -> None:
    # Visits on the 27th to the 31st of each month: 53 a year from the anchor in 2026,
    # within the budget, so the playbook is valid. From 27 January 2027 the next 364
    # days hold 53 visits and plan; from 27 January 2028 they hold 54 (29 February):
    # the planner refuses that plan, naming the rule, before building it.
    data = PRACTICE.to_record()
    (visit,) = [r for r in data["cadence"]["contact_rules"] if r["id"] == "high_end.visit"]
    visit.update(
        interval_days=None, anchor="2026-01-01", rrule="FREQ=MONTHLY;BYMONTHDAY=27,28,29,30,31"
    )
    pb = Playbook.model_validate(data)
    fits = plan([customer()], "high_end", dt.date(2027, 1, 27), dt.date(2028, 1, 25), pb)
    assert rule_ids(fits).count("high_end.visit") == 53
    with pytest.raises(PlaybookError) as caught:
        plan([customer()], "high_end", dt.date(2028, 1, 27), dt.date(2029, 1, 25), pb)
    assert dict(caught.value.problems) == {
        "cadence.contact_rules[high_end.visit]": (
            "rule 'high_end.visit' would produce more than 53 contacts per customer over "
            "this horizon, beyond cadence.budget; plan was refused before it was built"
        )
    }


@pytest.mark.parametrize(
    ("born", "year", "policy", "expected", "moved"),
    [
        (dt.date(1984, 2, 29), 2027, "feb28", dt.date(2027, 2, 28), True),
        (dt.date(1984, 2, 29), 2027, "mar1", dt.date(2027, 3, 1), True),
        (dt.date(1984, 2, 29), 2028, "feb28", dt.date(2028, 2, 29), False),
        (dt.date(1984, 2, 29), 2028, "mar1", dt.date(2028, 2, 29), False),
        # Only 29 February moves: its neighbours, and the 29th of other months, stay.
        (dt.date(1985, 2, 28), 2027, "mar1", dt.date(2027, 2, 28), False),
        (dt.date(1985, 2, 10), 2027, "mar1", dt.date(2027, 2, 10), False),
        (dt.date(1985, 3, 29), 2027, "feb28", dt.date(2027, 3, 29), False),
        (dt.date(1985, 1, 29), 2027, "mar1", dt.date(2027, 1, 29), False),
    ],
)
def test_an_anniversary_is_the_same_day_and_month_and_only_29_february_follows_the_policy(
    born: dt.date, year: int, policy: str, expected: dt.date, moved: bool
) -> None:
    from custtier.cadence._dates import anniversary
    from custtier.rules import LeapDayPolicy

    assert anniversary(born, year, LeapDayPolicy(policy)) == (expected, moved)


@pytest.mark.parametrize(
    ("on", "months", "expected"),
    [
        (dt.date(2026, 1, 15), 6, dt.date(2026, 7, 15)),
        (dt.date(2026, 11, 15), 2, dt.date(2027, 1, 15)),  # into the next year
        (dt.date(2026, 12, 31), 12, dt.date(2027, 12, 31)),
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),  # clamped to the month's last day
        (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),  # ... in a leap year
        (dt.date(2026, 1, 31), 3, dt.date(2026, 4, 30)),
        (dt.date(2026, 3, 31), 1, dt.date(2026, 4, 30)),
        (dt.date(2026, 1, 30), 1, dt.date(2026, 2, 28)),
        (dt.date(2025, 7, 15), 12, dt.date(2026, 7, 15)),
        (dt.date(2024, 7, 15), 24, dt.date(2026, 7, 15)),
    ],
)
def test_a_review_due_months_later_falls_on_the_same_day_or_the_months_last(
    on: dt.date, months: int, expected: dt.date
) -> None:
    from custtier.cadence._dates import add_months, months_later

    assert add_months(on, months) == expected
    assert months_later(on, months) == expected


def test_a_due_date_past_9999_is_none_and_one_inside_it_is_kept() -> None:
    from custtier.cadence._dates import months_later, plus_days

    assert months_later(dt.date(9999, 6, 30), 6) == dt.date(9999, 12, 30)
    assert months_later(dt.date(9999, 1, 31), 11) == dt.date(9999, 12, 31)
    assert months_later(dt.date(9999, 7, 1), 6) is None
    assert months_later(dt.date(9998, 12, 31), 12) == dt.date(9999, 12, 31)
    assert months_later(dt.date(9999, 1, 1), 12) is None
    assert plus_days(dt.date(2026, 12, 30), 5) == dt.date(2027, 1, 4)
    assert plus_days(dt.date(9999, 12, 21), 10) == dt.date(9999, 12, 31)
    assert plus_days(dt.date(9999, 12, 21), 11) == dt.date(9999, 12, 31)
    assert plus_days(dt.date(9999, 12, 21), 9) == dt.date(9999, 12, 30)


# Born on the 30th day of the leap sixth month of lunar 2017 (21 August 2017). Lunar
# 2025 has a leap sixth month of 29 days; 2036 a leap sixth month of 30 days and a
# regular sixth month of 29; 2018 and 2026 no leap month, with a sixth month of 29 days.
@pytest.mark.parametrize(
    ("year", "leap", "short", "expected", "case"),
    [
        (2018, "leap_if_present", "last_day", dt.date(2018, 8, 10), "leap_month_short_kept"),
        (2018, "regular_month", "next_day", dt.date(2018, 8, 11), "leap_month_short_next"),
        (2025, "leap_if_present", "last_day", dt.date(2025, 8, 22), "short_kept"),
        (2025, "leap_if_present", "next_day", dt.date(2025, 8, 23), "short_next"),
        (2025, "regular_month", "last_day", dt.date(2025, 7, 24), "leap_month"),
        (2036, "leap_if_present", "next_day", dt.date(2036, 8, 21), None),
        (2036, "regular_month", "last_day", dt.date(2036, 7, 22), "leap_month_short_kept"),
        (2036, "regular_month", "next_day", dt.date(2036, 7, 23), "leap_month_short_next"),
    ],
)
def test_a_lunar_anniversary_follows_the_leap_month_and_short_month_policies(
    year: int, leap: str, short: str, expected: dt.date, case: str | None
) -> None:
    from custtier.cadence._dates import lunar_anniversary
    from custtier.rules import LunarLeapMonthPolicy, LunarShortMonthPolicy

    cal = HolidaysCalendar("CN")
    born = dt.date(2017, 8, 21)
    assert cal.to_lunar(born) == (2017, 6, 30, True)
    found = lunar_anniversary(
        born, year, cal, LunarLeapMonthPolicy(leap), LunarShortMonthPolicy(short)
    )
    assert found == (expected, case)


def test_a_lunar_anniversary_comes_after_the_lunar_year_of_the_event() -> None:
    from custtier.cadence._dates import lunar_anniversary
    from custtier.rules import LunarLeapMonthPolicy as Leap
    from custtier.rules import LunarShortMonthPolicy as Short

    cal = HolidaysCalendar("CN")
    born = dt.date(1985, 9, 29)  # lunar 1985-08-15, a regular month of 30 days
    policies = (Leap.LEAP_IF_PRESENT, Short.LAST_DAY)
    assert lunar_anniversary(born, 1985, cal, *policies) == (None, None)
    assert lunar_anniversary(born, 1986, cal, *policies) == (
        cal.from_lunar(1986, 8, 15, leap=False),
        None,
    )
    assert lunar_anniversary(born, 2026, cal, *policies) == (dt.date(2026, 9, 25), None)


def test_a_plan_covers_one_day_to_three_years_between_year_2_and_year_9998() -> None:
    def refusal(start: dt.date, end: dt.date) -> InputError:
        with pytest.raises(InputError) as caught:
            plan_contacts([], PRACTICE, start=start, end=end, tiers={})
        return caught.value

    def plans(start: dt.date, end: dt.date) -> bool:
        return plan_contacts([], PRACTICE, start=start, end=end, tiers={}).required == 0

    day = dt.date(2026, 5, 4)
    assert plans(day, day)  # a one-day plan
    backwards = refusal(day, day - dt.timedelta(days=1))
    assert (str(backwards), backwards.field) == ("end must not be before start", "end")
    # Three years: at most 1,098 days, both ends included.
    assert plans(day, day + dt.timedelta(days=3 * 366 - 1))
    long = refusal(day, day + dt.timedelta(days=3 * 366))
    assert (str(long), long.field) == (
        "a plan covers at most three years; plan longer spans in parts",
        "end",
    )
    # Lead and flex days reach a year past either end of the plan.
    assert plans(dt.date(2, 1, 1), dt.date(2, 1, 31))
    assert plans(dt.date(9998, 12, 1), dt.date(9998, 12, 31))
    why = "a plan must lie between 0002-01-01 and 9998-12-31 (lead and flex days reach a year past its ends)"
    early = refusal(dt.date(1, 12, 31), dt.date(2, 1, 31))
    assert (str(early), early.field) == (why, "start")
    late = refusal(dt.date(9998, 12, 1), dt.date(9999, 1, 1))
    assert (str(late), late.field) == (why, "end")


def test_at_most_two_contacts_in_any_30_days_counts_the_days_at_either_edge_of_a_window() -> None:
    from custtier.cadence._level import cap_allows
    from custtier.rules import FrequencyCap

    two_in_30 = FrequencyCap(rule_id="cap.two", max_contacts=2, window_days=30)
    # Contacts on days 100 and 110: a third fits once 30 days have passed since day 100.
    assert not cap_allows([100, 110], 129, two_in_30)  # 100..129 would hold three
    assert cap_allows([100, 110], 130, two_in_30)
    assert not cap_allows([100, 110], 81, two_in_30)  # before them: 81..110 holds three
    assert cap_allows([100, 110], 80, two_in_30)
    # Two contacts 28 days apart leave room between them for none, around them for one.
    assert not cap_allows(
        [100, 128], 114, FrequencyCap(rule_id="c", max_contacts=2, window_days=29)
    )
    assert cap_allows([100, 128], 114, FrequencyCap(rule_id="c", max_contacts=2, window_days=15))
    never = FrequencyCap(rule_id="cap.none", max_contacts=0, window_days=1)
    assert not cap_allows([], 100, never)  # a cap of none allows no contact at all


def test_each_record_the_planner_cannot_plan_is_an_error_naming_its_index_field_and_fix() -> None:
    records: list[Customer | dict[str, Any]] = [
        customer("C1"),
        customer("C2"),
        customer("C2"),
        {"key": "C4", "assets_under_management": 0.5},
        customer("C5"),
        customer("C6"),
        customer("C7", time_zone="Mars/Olympus"),
    ]
    tiers = {"C1": "mass", "C2": "mass", "C5": "vip", "C7": "mass"}
    p = plan_contacts(
        records, PRACTICE, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31), tiers=tiers
    )
    assert [(e.index, e.customer_key, e.code, e.field, e.message) for e in p.errors[1:]] == [
        (1, "C2", "duplicate_key", "key", "key appears more than once; keep one record"),
        (2, "C2", "duplicate_key", "key", "key appears more than once; keep one record"),
        (4, "C5", "unknown_tier", "key", "the tier given is not one of the playbook's tiers"),
        (5, "C6", "no_tier", "key", "no tier given for this customer; add it to tiers"),
        (6, "C7", "unknown_time_zone", "time_zone", "time zone is not in the IANA database"),
    ]
    invalid = p.errors[0]
    assert (invalid.index, invalid.customer_key, invalid.code, invalid.field) == (
        3,
        None,
        "invalid_record",
        "assets_under_management",
    )
    assert "amount is a float" in invalid.message
    assert {t.customer_key for t in p.touchpoints} == {"C1"}


def test_the_planners_arguments_are_refused_with_the_argument_named() -> None:
    day = dt.date(2026, 1, 1)
    with pytest.raises(InputError) as twice:
        plan_contacts([], PRACTICE, start=day, end=day, tiers={}, managers=[rm(), rm()])
    assert (str(twice.value), twice.value.field) == (
        "manager RM-1 is listed twice; list each once",
        "managers",
    )
    with pytest.raises(InputError) as not_a_map:
        plan_contacts([], PRACTICE, start=day, end=day, tiers=[("C1", "mass")])  # type: ignore[arg-type]
    assert not_a_map.value.field == "tiers"
    assert str(not_a_map.value) == (
        "tiers must map each customer key to a tier id or decision; from tier_book: "
        "{d.customer_key: d for d in result.decisions}"
    )


def _reasons(contact: Any) -> list[tuple[str, str, dict[str, Any]]]:
    return [(r.code.value, r.rule_id, dict(r.facts)) for r in contact.reasons]


HIGH_END_GAPS = (
    "aml_rating",
    "birthday",
    "declared_income",
    "external_assets",
    "family",
    "identity",
    "important_dates",
    "interests",
    "occupation",
    "risk_assessment",
    "source_of_funds",
)


def at_ten(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=ZoneInfo("Asia/Shanghai"))


def occasion_reason(
    rule_id: str, occasion: str, channel: str, due: dt.date | None, tier: str = "high_end"
) -> tuple[str, str, dict[str, Any]]:
    facts = {
        "case": "contact",
        "channel": channel,
        "contact": rule_id,
        "due_on": due,
        "occasion": occasion,
        "tier": tier,
    }
    return ("CADENCE_OCCASION", rule_id, facts)


def _reviewed(key: str) -> KycFile:
    """A low-risk file reviewed recently: no KYC review falls in the examples' horizons."""
    return KycFile(customer_key=key, aml_rating="low", last_reviewed_on=dt.date(2026, 1, 5))


def test_work_due_on_a_weekend_rolls_to_monday_and_work_a_full_week_cannot_take_slips() -> None:
    # RM-1 has 90 minutes a week; the overdue KYC review (20 minutes, priority 1) takes
    # Monday 2 March. A 90-minute visit due Saturday 7 March rolls to Monday 9 March;
    # one due Wednesday 4 March finds 70 minutes left that week and slips to Monday
    # 9 March, which it fills exactly.
    start, end = dt.date(2026, 3, 2), dt.date(2026, 3, 31)
    one_and_a_half = [rm(hours="1.5")]
    for last_visit, kind, first in [
        (dt.date(2025, 12, 7), "CADENCE_ROLLED", dt.date(2026, 3, 7)),
        (dt.date(2025, 12, 4), "CADENCE_SLIPPED", dt.date(2026, 3, 4)),
    ]:
        visited = ContactRecord(
            customer_key="C1",
            on=last_visit,
            channel="home_visit",
            purpose="service",
            occasion="high_end.visit",
        )
        p = plan([customer()], "high_end", start, end, managers=one_and_a_half, history=[visited])
        # A file never reviewed is due the day before the plan: overdue, reviewed at once,
        # and the first manager service contact carries what the file lacks.
        (kyc,) = [t for t in p.touchpoints if t.rule_id == "high_end.kyc"]
        assert (kyc.on, kyc.due_on, kyc.at) == (start, dt.date(2026, 3, 1), at_ten(start))
        assert kyc.kyc_items == HIGH_END_GAPS
        assert _reasons(kyc) == [
            occasion_reason("high_end.kyc", "kyc_refresh", "phone", dt.date(2026, 3, 1)),
            ("CADENCE_OVERDUE", "high_end.kyc", {"due_on": dt.date(2026, 3, 1)}),
            (
                "CADENCE_OCCASION",
                "kyc.review.high",
                {"aml_rating": "high", "case": "kyc_review", "last_reviewed_on": None, "months": 6},
            ),
            ("CADENCE_QUIET_HOURS", "quiet.calls_and_messages", {"case": "timed", "time": "10:00"}),
            ("CADENCE_COMPLETE_KYC", "kyc.high_end", {"items": ", ".join(HIGH_END_GAPS)}),
        ]
        (visit,) = [t for t in p.touchpoints if t.rule_id == "high_end.visit"]
        assert (visit.due_on, visit.on, visit.at) == (first, dt.date(2026, 3, 9), None)
        assert (visit.kyc_items, visit.manager_id, visit.duration_minutes) == ((), "RM-1", 90)
        assert _reasons(visit) == [
            occasion_reason("high_end.visit", "periodic", "home_visit", first),
            (kind, "high_end.visit", {"from_on": first, "to_on": dt.date(2026, 3, 9)}),
        ]
        # Every week of the plan, booked or not, against the manager's 90 minutes.
        assert [
            (
                r.manager_id,
                r.week,
                r.capacity_minutes,
                r.booked_minutes,
                r.touchpoints,
                r.unscheduled,
            )
            for r in p.load
        ] == [
            ("RM-1", "2026-W10", 90, 20, 1, 0),
            ("RM-1", "2026-W11", 90, 90, 1, 0),
            ("RM-1", "2026-W12", 90, 0, 0, 0),
            ("RM-1", "2026-W13", 90, 0, 0, 0),
            ("RM-1", "2026-W14", 90, 0, 0, 0),
        ]


def test_calls_under_quiet_hours_start_at_the_send_time_one_after_another_until_the_latest() -> (
    None
):
    # Quiet hours from 20:35 to 20:55: a manager's ten-minute birthday calls of one day
    # go at 20:35 and 20:45; a third would end after 20:55 and is not made that day.
    data = PRACTICE.to_record()
    data["cadence"]["quiet_hours"][0].update(send_at="20:35", latest="20:55")
    pb = Playbook.model_validate(data)
    born = dt.date(1970, 6, 15)
    book = [customer(k, birth_date=born, kyc=_reviewed(k)) for k in ("C1", "C2", "C3")]
    day = dt.date(2026, 6, 15)
    p = plan(book, "high_end", day, day, pb, managers=[rm()])
    calls = [t for t in p.touchpoints if t.rule_id == "high_end.birthday"]
    assert [(t.customer_key, t.on) for t in calls] == [("C1", day), ("C2", day)]
    assert [t.at for t in calls] == [
        dt.datetime(2026, 6, 15, 20, 35, tzinfo=ZoneInfo("Asia/Shanghai")),
        dt.datetime(2026, 6, 15, 20, 45, tzinfo=ZoneInfo("Asia/Shanghai")),
    ]
    assert [_reasons(t)[1:] for t in calls] == [
        [("CADENCE_QUIET_HOURS", "quiet.calls_and_messages", {"case": "timed", "time": "20:35"})],
        [("CADENCE_QUIET_HOURS", "quiet.calls_and_messages", {"case": "timed", "time": "20:45"})],
    ]
    (late,) = [u for u in p.unscheduled if u.rule_id == "high_end.birthday"]
    assert (late.customer_key, late.code, late.week) == (
        "C3",
        ReasonCode.CADENCE_CAPACITY,
        "2026-W25",
    )
    assert _reasons(late) == [
        ("CADENCE_CAPACITY", "high_end.birthday", {"channel": "phone"}),
        occasion_reason("high_end.birthday", "birthday", "phone", day),
    ]
    (row,) = p.load
    assert (
        row.week,
        row.capacity_minutes,
        row.booked_minutes,
        row.touchpoints,
        row.unscheduled,
    ) == ("2026-W25", 2400, 20, 2, 1)


def test_a_capped_contact_waits_in_its_window_until_the_cap_frees() -> None:
    # One marketing contact in any 20 days; the last was on 20 August. The referral
    # campaign (1-30 September) goes on 9 September, the first day the cap allows.
    data = PRACTICE.to_record()
    data["cadence"]["caps"] = [
        {"rule_id": "cap.mkt", "purpose": "marketing", "max_contacts": 1, "window_days": 20}
    ]
    pb = Playbook.model_validate(data)
    past = [
        ContactRecord(
            customer_key="C1", on=dt.date(2026, 8, 20), channel="mass_sms", purpose="marketing"
        )
    ]
    p = plan([customer()], "mass", dt.date(2026, 9, 1), dt.date(2026, 9, 30), pb, history=past)
    assert of_rule(p, "camp.2026.referral") == [dt.date(2026, 9, 9)]


def test_a_birthday_greeting_falls_on_the_birthday_and_on_28_february_in_a_non_leap_year() -> None:
    # The practice preset's leap-day policy is feb28: a customer born on 29 February is
    # greeted on 28 February 2026 and 2027 (saying why) and on 29 February 2028.
    c = customer(birth_date=dt.date(1984, 2, 29))
    p = plan([c], "mid_end", dt.date(2026, 1, 1), dt.date(2028, 12, 31))
    greetings = [t for t in p.touchpoints if t.rule_id == "mid_end.birthday"]
    assert [(t.on, t.due_on, t.label) for t in greetings] == [
        (dt.date(2026, 2, 28), dt.date(2026, 2, 28), "birthday"),
        (dt.date(2027, 2, 28), dt.date(2027, 2, 28), "birthday"),
        (dt.date(2028, 2, 29), dt.date(2028, 2, 29), "birthday"),
    ]
    leap = "cadence.leap_day.feb28"
    assert [_reasons(t) for t in greetings] == [
        [
            occasion_reason("mid_end.birthday", "birthday", "sms", day, tier="mid_end"),
            *([("CADENCE_LEAP_DAY", leap, {"policy": "feb28", "year": day.year})] if moved else []),
            ("CADENCE_QUIET_HOURS", "quiet.calls_and_messages", {"case": "timed", "time": "10:00"}),
        ]
        for day, moved in [
            (dt.date(2026, 2, 28), True),
            (dt.date(2027, 2, 28), True),
            (dt.date(2028, 2, 29), False),
        ]
    ]
    # A plan of that one day greets; one starting the next day does not.
    day = dt.date(2027, 2, 28)
    assert of_rule(plan([c], "mid_end", day, day), "mid_end.birthday") == [day]
    after = plan([c], "mid_end", dt.date(2027, 3, 1), dt.date(2027, 12, 31))
    assert of_rule(after, "mid_end.birthday") == []
    assert of_rule(plan([c], "mid_end", dt.date(2027, 1, 1), day), "mid_end.birthday") == [day]


def test_a_customer_is_not_greeted_on_the_day_they_were_born() -> None:
    newborn = customer(birth_date=dt.date(2026, 3, 10))
    p = plan([newborn], "mid_end", dt.date(2026, 1, 1), dt.date(2027, 12, 31))
    assert of_rule(p, "mid_end.birthday") == [dt.date(2027, 3, 10)]


def test_important_dates_are_greeted_by_kind_and_relation_never_by_their_free_text() -> None:
    # The customer's own birthday in the file is the birthday rule's (and its date wins
    # over birth_date); a spouse's wedding anniversary and a child's birthday are the
    # important-date rule's, labelled without the file's free-text label.
    kyc = KycFile(
        customer_key="C1",
        aml_rating="low",
        last_reviewed_on=dt.date(2026, 1, 5),
        important_dates=[
            {"kind": "birthday", "relation": "self", "on": "1980-05-20"},
            {
                "kind": "wedding_anniversary",
                "relation": "spouse",
                "on": "2005-10-01",
                "label": "Li Na",
            },
            {"kind": "birthday", "relation": "child", "on": "2010-07-07"},
        ],
    )
    c = customer(kyc=kyc, birth_date=dt.date(1980, 5, 21))
    p = plan([c], "high_end", dt.date(2026, 1, 1), dt.date(2026, 12, 31), managers=[rm()])
    greeted = [
        (t.rule_id, t.on, t.label)
        for t in p.touchpoints
        if t.rule_id in {"high_end.birthday", "high_end.important_date"}
    ]
    assert greeted == [
        ("high_end.birthday", dt.date(2026, 5, 20), "birthday"),
        ("high_end.important_date", dt.date(2026, 7, 7), "birthday (child)"),
        ("high_end.important_date", dt.date(2026, 10, 1), "wedding_anniversary (spouse)"),
    ]
    assert "Li Na" not in p.to_json()


def test_a_lunar_birthday_is_greeted_from_the_lunar_year_whose_date_falls_in_the_plan() -> None:
    # Born on the 10th day of the 12th lunar month of 1990 (25 January 1991): in lunar
    # 2025 that day is 28 January 2026, inside a January 2026 plan.
    cal = HolidaysCalendar("CN")
    born = dt.date(1991, 1, 25)
    assert cal.to_lunar(born) == (1990, 12, 10, False)
    kyc = KycFile(
        customer_key="C1",
        important_dates=[{"kind": "birthday", "relation": "self", "on": born, "calendar": "lunar"}],
    )
    c = customer(kyc=kyc)
    jan = plan([c], "mid_end", dt.date(2026, 1, 1), dt.date(2026, 1, 31), calendar=cal)
    (greeting,) = [t for t in jan.touchpoints if t.rule_id == "mid_end.birthday"]
    assert greeting.on == dt.date(2026, 1, 28)
    assert _reasons(greeting)[1] == (
        "CADENCE_LUNAR_DATE",
        "cadence.lunar",
        {"case": "exact", "lunar_year": 2025},
    )
    for start, end in [
        (dt.date(2026, 1, 28), dt.date(2026, 2, 28)),
        (dt.date(2025, 12, 1), dt.date(2026, 1, 28)),
    ]:
        edge = plan([c], "mid_end", start, end, calendar=cal)
        assert of_rule(edge, "mid_end.birthday") == [dt.date(2026, 1, 28)]
    # Without a lunar calendar the date is not guessed: one report per Gregorian year.
    p = plan([c], "mid_end", dt.date(2026, 1, 1), dt.date(2027, 12, 31))
    missing = [u for u in p.unscheduled if u.rule_id == "mid_end.birthday"]
    assert [(u.label, u.due_on, u.week, u.code) for u in missing] == [
        ("birthday 2026", None, None, ReasonCode.CADENCE_NO_CALENDAR_DATA),
        ("birthday 2027", None, None, ReasonCode.CADENCE_NO_CALENDAR_DATA),
    ]


def test_a_lapsed_kyc_review_is_made_at_once_and_the_next_ones_every_six_months_after() -> None:
    # A high-risk file last reviewed on 10 January 2025 was due on 10 July 2025: overdue
    # on 2 March 2026, reviewed that day; the next reviews fall six months apart from
    # there, each called within the 30 days before it is due.
    kyc = KycFile(customer_key="C1", aml_rating="high", last_reviewed_on=dt.date(2025, 1, 10))
    p = plan(
        [customer(kyc=kyc)], "high_end", dt.date(2026, 3, 2), dt.date(2027, 3, 31), managers=[rm()]
    )
    reviews = [t for t in p.touchpoints if t.rule_id == "high_end.kyc"]
    assert [(t.on, t.due_on, t.label) for t in reviews] == [
        (dt.date(2026, 3, 2), dt.date(2025, 7, 10), "KYC review"),
        (dt.date(2026, 8, 3), dt.date(2026, 9, 2), "KYC review"),
        (dt.date(2027, 2, 1), dt.date(2027, 3, 2), "KYC review"),  # 31 January is a Sunday
    ]
    review_rule = (
        "CADENCE_OCCASION",
        "kyc.review.high",
        {
            "aml_rating": "high",
            "case": "kyc_review",
            "last_reviewed_on": dt.date(2025, 1, 10),
            "months": 6,
        },
    )
    assert _reasons(reviews[0])[1:3] == [
        ("CADENCE_OVERDUE", "high_end.kyc", {"due_on": dt.date(2025, 7, 10)}),
        review_rule,
    ]
    assert [_reasons(t)[1] for t in reviews[1:]] == [review_rule, review_rule]


def test_a_review_due_after_the_plan_is_called_in_it_when_its_30_days_reach_the_plan() -> None:
    kyc = KycFile(customer_key="C1", aml_rating="high", last_reviewed_on=dt.date(2026, 1, 15))
    due = dt.date(2026, 7, 15)
    reaches = plan(
        [customer(kyc=kyc)], "high_end", dt.date(2026, 6, 1), dt.date(2026, 6, 15), managers=[rm()]
    )
    assert [(t.on, t.due_on) for t in reaches.touchpoints if t.rule_id == "high_end.kyc"] == [
        (dt.date(2026, 6, 15), due)
    ]
    short = plan(
        [customer(kyc=kyc)], "high_end", dt.date(2026, 6, 1), dt.date(2026, 6, 14), managers=[rm()]
    )
    assert "high_end.kyc" not in rule_ids(short)


def test_each_holding_maturing_in_the_plan_or_within_its_lead_after_gets_a_call_before() -> None:
    # High-end maturities are called within the 14 days before: a deposit maturing on
    # the plan's first day is called that day, one 14 days after its last day on that
    # last day; one matured before the plan, or 15 days after it, is not called.
    held = [
        ProductHolding(product_id=pid, principal=Decimal("1000.00"), matures_on=on)
        for pid, on in [
            ("TD-B", dt.date(2026, 6, 1)),
            ("TD-A", dt.date(2026, 7, 14)),
            ("TD-C", dt.date(2026, 5, 31)),
            ("TD-D", dt.date(2026, 7, 15)),
        ]
    ]
    c = customer(products_held=held, kyc=_reviewed("C1"))
    p = plan([c], "high_end", dt.date(2026, 6, 1), dt.date(2026, 6, 30), managers=[rm()])
    assert [
        (t.label, t.due_on, t.on) for t in p.touchpoints if t.rule_id == "high_end.maturity"
    ] == [
        ("maturity TD-B", dt.date(2026, 6, 1), dt.date(2026, 6, 1)),
        ("maturity TD-A", dt.date(2026, 7, 14), dt.date(2026, 6, 30)),
    ]
    assert rule_ids(p).count("high_end.maturity") == 2


def test_a_campaigns_age_band_holds_on_its_first_day_in_the_plan_both_ends_included() -> None:
    # The pension campaign (from 1 March 2027, for customers with a pension need) here
    # for ages 40 to 59: the customer's age on the campaign's first day in the plan.
    data = PRACTICE.to_record()
    camp = next(c for c in data["cadence"]["campaigns"] if c["id"] == "camp.2027.pension_entry")
    camp["segment"]["max_age"] = 59
    pb = Playbook.model_validate(data)
    born = {
        "turns40": dt.date(1987, 3, 1),
        "turns40_next_day": dt.date(1987, 3, 2),
        "turns60_next_day": dt.date(1967, 3, 2),
        "turns60": dt.date(1967, 3, 1),
        "age_unknown": None,
    }
    book = [customer(k, birth_date=b, needs=["pension"]) for k, b in born.items()]
    book.append(customer("no_pension_need", birth_date=dt.date(1980, 1, 1), needs=["housing"]))

    def reached(start: dt.date) -> list[str]:
        p = plan(book, "mass", start, dt.date(2027, 3, 31), pb)
        return sorted(t.customer_key for t in p.touchpoints if t.rule_id == camp["id"])

    assert reached(dt.date(2027, 3, 1)) == ["turns40", "turns60_next_day"]
    assert reached(dt.date(2027, 3, 2)) == ["turns40", "turns40_next_day"]
    p = plan(book[:1], "mass", dt.date(2027, 3, 1), dt.date(2027, 3, 31), pb)
    (call,) = [t for t in p.touchpoints if t.rule_id == camp["id"]]
    assert (
        call.on,
        call.due_on,
        call.label,
        call.offer,
        call.priority,
        call.channel,
        call.purpose,
        call.owner,
        call.occasion,
        call.duration_minutes,
        call.manager_id,
    ) == (
        dt.date(2027, 3, 1),
        dt.date(2027, 3, 1),
        "Personal pension account: entry product",
        "wealth_product_entry",
        8,
        "telemarketing",
        "marketing",
        "marketing_system",
        "campaign",
        0,
        None,
    )
    assert _reasons(call)[0] == occasion_reason(
        camp["id"], "campaign", "telemarketing", dt.date(2027, 3, 1), tier="mass"
    )


def _visited(*days: dt.date) -> list[ContactRecord]:
    return [
        ContactRecord(
            customer_key="C1",
            on=d,
            channel="home_visit",
            purpose="service",
            occasion="high_end.visit",
        )
        for d in days
    ]


def test_home_visits_every_90_days_start_at_a_stable_spread_without_a_last_visit() -> None:
    # Without history, the first visit is due a stable number of days into the plan
    # (crc32 of key and rule, the same in every process), then every 90 days.
    offset = zlib.crc32(b"C1|high_end.visit") % 90
    assert offset == 33
    c = customer(kyc=_reviewed("C1"))
    p = plan([c], "high_end", dt.date(2026, 1, 1), dt.date(2026, 12, 31), managers=[rm()])
    visits = [(t.due_on, t.on) for t in p.touchpoints if t.rule_id == "high_end.visit"]
    assert visits == [
        (dt.date(2026, 2, 3), dt.date(2026, 2, 3)),
        (dt.date(2026, 5, 4), dt.date(2026, 5, 4)),
        (dt.date(2026, 8, 2), dt.date(2026, 8, 3)),  # a Sunday: rolled to Monday
        (dt.date(2026, 10, 31), dt.date(2026, 11, 2)),
    ]


def test_home_visits_continue_from_the_last_visit_and_an_overdue_one_says_when_it_was_due() -> None:
    c = customer(kyc=_reviewed("C1"))
    start, end = dt.date(2026, 1, 1), dt.date(2026, 6, 30)
    # The last of the visits counts: 1 September 2025 + 90 days = 30 November 2025.
    history = _visited(dt.date(2025, 6, 1), dt.date(2025, 9, 1), dt.date(2025, 3, 1))
    p = plan([c], "high_end", start, end, managers=[rm()], history=history)
    visits = [t for t in p.touchpoints if t.rule_id == "high_end.visit"]
    assert [(t.due_on, t.on) for t in visits] == [
        (start, start),
        (dt.date(2026, 4, 1), dt.date(2026, 4, 1)),
        (dt.date(2026, 6, 30), dt.date(2026, 6, 30)),
    ]
    assert _reasons(visits[0])[1] == (
        "CADENCE_OVERDUE",
        "high_end.visit",
        {"due_on": dt.date(2025, 11, 30)},
    )
    assert [_reasons(t)[1:] for t in visits[1:]] == [[], []]
    # Due on the plan's first day is on time, not overdue.
    on_time = plan(
        [c], "high_end", start, end, managers=[rm()], history=_visited(dt.date(2025, 10, 3))
    )
    first = next(t for t in on_time.touchpoints if t.rule_id == "high_end.visit")
    assert (first.due_on, first.on) == (start, start)
    assert "CADENCE_OVERDUE" not in [code for code, _, _ in _reasons(first)]


def test_a_cap_counts_every_window_even_one_the_new_contact_would_not_fill_alone() -> None:
    from custtier.cadence._level import cap_allows
    from custtier.rules import FrequencyCap

    # Two in any 3 days, contacts on days 10 and 13: day 12 makes two in 10-12, 11-13
    # and 12-14, never three: allowed.
    two_in_3 = FrequencyCap(rule_id="c", max_contacts=2, window_days=3)
    assert cap_allows([10, 13], 12, two_in_3)
    assert not cap_allows([10, 12], 11, two_in_3)


def test_the_telemarketing_cap_counts_last_months_call_to_this_customer_only() -> None:
    # One telemarketing call in any 90 days (the practice preset). The customer's own
    # call on 20 March holds the entry-product campaign back to 18 June; another
    # customer's call, listed first in the history, does not count for this one.
    c = customer()
    mine = ContactRecord(
        customer_key="C1", on=dt.date(2026, 3, 20), channel="telemarketing", purpose="service"
    )
    theirs = ContactRecord(
        customer_key="C9", on=dt.date(2026, 3, 20), channel="telemarketing", purpose="marketing"
    )
    start, end = dt.date(2026, 4, 1), dt.date(2026, 6, 30)
    held = plan([c], "mass", start, end, history=[theirs, mine])
    assert of_rule(held, "camp.2026.wm_entry") == [dt.date(2026, 6, 18)]
    free = plan([c], "mass", start, end, history=[theirs])
    assert of_rule(free, "camp.2026.wm_entry") == [dt.date(2026, 4, 1)]


def test_progress_is_reported_about_every_one_percent_of_the_required_contacts() -> None:
    high = [customer(f"H{i:02d}", birth_date=dt.date(1970, 3, 2)) for i in range(15)]
    mass = [customer(f"M{i:02d}", birth_date=dt.date(1970, 3, 2)) for i in range(9)]
    tiers = {c.key: "high_end" for c in high} | {c.key: "mass" for c in mass}
    calls: list[tuple[int, int]] = []
    p = plan_contacts(
        [*high, *mass],
        PRACTICE,
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
        tiers=tiers,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert p.required == 300  # one percent: 3 contacts
    assert calls == [(done, 300) for done in range(3, 300, 3)] + [(300, 300)]
    # 242 contacts: one percent rounds down to 2.
    twenty = [customer(f"C{i:02d}", birth_date=dt.date(1970, 3, 2)) for i in range(20)]
    steps: list[tuple[int, int]] = []
    p = plan_contacts(
        twenty,
        PRACTICE,
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
        tiers={c.key: "high_end" for c in twenty},
        progress=lambda done, total: steps.append((done, total)),
    )
    assert p.required == 242
    assert steps == [(done, 242) for done in range(2, 242, 2)] + [(242, 242)]
    # Under a hundred contacts, each one is reported.
    few: list[tuple[int, int]] = []
    one = plan_contacts(
        high[:1],
        PRACTICE,
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
        tiers=tiers,
        progress=lambda done, total: few.append((done, total)),
    )
    assert few == [(done, one.required) for done in range(1, one.required + 1)]


class _NoData2026(WeekendCalendar):
    """Weekends, with business days unknown in 2026."""

    name = "weekends-without-2026"

    def has_data(self, year: int) -> bool:
        return year != 2026


def test_work_starting_in_a_year_the_calendar_lacks_waits_for_its_first_known_day() -> None:
    # A visit due Monday 28 December 2026 (last one on 29 September), may move 21 days;
    # 2026's business days are unknown, so it goes on Friday 1 January 2027.
    c = customer(kyc=_reviewed("C1"))
    p = plan(
        [c],
        "high_end",
        dt.date(2026, 12, 1),
        dt.date(2027, 1, 31),
        calendar=_NoData2026(),
        managers=[rm()],
        history=_visited(dt.date(2026, 9, 29)),
    )
    (visit,) = [t for t in p.touchpoints if t.rule_id == "high_end.visit"]
    assert (visit.due_on, visit.on) == (dt.date(2026, 12, 28), dt.date(2027, 1, 1))
    assert p.calendar == "weekends-without-2026"


def test_a_message_the_marketing_system_sends_takes_none_of_the_managers_time() -> None:
    # A mid-end birthday SMS (sent by the marketing system; here said to take 5 minutes)
    # goes out although the customer's manager has no hours this week.
    data = PRACTICE.to_record()
    sms = next(r for r in data["cadence"]["contact_rules"] if r["id"] == "mid_end.birthday")
    sms["duration_minutes"] = 5
    pb = Playbook.model_validate(data)
    day = dt.date(2026, 6, 15)
    c = customer(birth_date=dt.date(1980, 6, 15), kyc=_reviewed("C1"))
    p = plan([c], "mid_end", day, day, pb, managers=[rm(hours="0")])
    (greeting,) = [t for t in p.touchpoints if t.rule_id == "mid_end.birthday"]
    assert (greeting.on, greeting.at, greeting.manager_id) == (day, at_ten(day), None)
    assert [(r.week, r.booked_minutes, r.touchpoints) for r in p.load] == [("2026-W25", 0, 0)]


def test_manager_work_for_a_customer_whose_manager_is_not_planned_is_reported_not_booked() -> None:
    c = customer(manager_id="RM-9")
    p = plan([c], "high_end", dt.date(2026, 1, 1), dt.date(2026, 3, 31), managers=[rm()])
    assert not [t for t in p.touchpoints if t.owner == "manager"]
    work = {
        u.rule_id: u.code for u in p.unscheduled if u.rule_id in {"high_end.kyc", "high_end.visit"}
    }
    assert work == {
        "high_end.kyc": ReasonCode.CADENCE_NO_MANAGER,
        "high_end.visit": ReasonCode.CADENCE_NO_MANAGER,
    }


def test_without_managers_only_the_days_quiet_hours_bound_a_managers_calls() -> None:
    # No managers given: no weekly hours are known. Forty overdue 20-minute KYC calls of
    # one manager on one day: calls run from 10:00 and must end by 21:00, so 33 fit.
    lapsed = dt.date(2025, 1, 1)
    book = [
        customer(
            f"C{i:02d}",
            kyc=KycFile(customer_key=f"C{i:02d}", aml_rating="high", last_reviewed_on=lapsed),
        )
        for i in range(40)
    ]
    day = dt.date(2026, 3, 2)
    p = plan(book, "high_end", day, day)
    calls = [t for t in p.touchpoints if t.rule_id == "high_end.kyc"]
    assert len(calls) == 33
    assert calls[-1].at == dt.datetime(2026, 3, 2, 20, 40, tzinfo=ZoneInfo("Asia/Shanghai"))
    full = [u for u in p.unscheduled if u.rule_id == "high_end.kyc"]
    assert {u.code for u in full} == {ReasonCode.CADENCE_CAPACITY}
    assert len(full) == 7
    (row,) = p.load
    assert (row.capacity_minutes, row.booked_minutes, row.touchpoints, row.unscheduled) == (
        None,
        660,
        33,
        7,
    )


def test_a_week_with_no_hours_reports_the_work_it_could_not_take() -> None:
    # RM-1 has no hours this week: the overdue KYC call is unscheduled for capacity, and
    # the week's load says so (nothing booked, one contact left over), not two nor none.
    lapsed = dt.date(2025, 1, 1)
    c = customer(kyc=KycFile(customer_key="C1", aml_rating="high", last_reviewed_on=lapsed))
    p = plan([c], "high_end", dt.date(2026, 3, 2), dt.date(2026, 3, 8), managers=[rm(hours="0")])
    assert not p.touchpoints
    (call,) = [u for u in p.unscheduled if u.code is ReasonCode.CADENCE_CAPACITY]
    assert (call.rule_id, call.week) == ("high_end.kyc", "2026-W10")
    assert [
        (r.manager_id, r.week, r.capacity_minutes, r.booked_minutes, r.touchpoints, r.unscheduled)
        for r in p.load
    ] == [("RM-1", "2026-W10", 0, 0, 0, 1)]


def test_a_review_due_on_the_plans_first_day_is_on_time_not_overdue() -> None:
    # A high-risk file reviewed on 2 September 2025 is due again on 2 March 2026, the
    # plan's first day: called that day, as due, with no word of it being overdue.
    kyc = KycFile(customer_key="C1", aml_rating="high", last_reviewed_on=dt.date(2025, 9, 2))
    start = dt.date(2026, 3, 2)
    p = plan([customer(kyc=kyc)], "high_end", start, dt.date(2026, 3, 31), managers=[rm()])
    (review,) = [t for t in p.touchpoints if t.rule_id == "high_end.kyc"]
    assert (review.due_on, review.on) == (start, start)
    assert ReasonCode.CADENCE_OVERDUE not in {r.code for r in review.reasons}


def test_a_holiday_the_calendar_has_no_data_for_is_reported_by_name_and_year() -> None:
    # Weekends only: the calendar knows no holiday, so each greeting the rule asks for
    # is reported, named as the rule names it with the year, never dropped.
    p = plan([customer()], "high_end", dt.date(2026, 3, 2), dt.date(2026, 3, 8), managers=[rm()])
    assert sorted((u.label, u.code) for u in p.unscheduled if u.rule_id == "high_end.holiday") == [
        (f"{name} 2026", ReasonCode.CADENCE_NO_CALENDAR_DATA)
        for name in ("Mid-Autumn Festival", "National Day", "New Year's Day", "Spring Festival")
    ]


def test_a_campaign_whose_last_day_is_the_plans_first_is_still_sent() -> None:
    # The 2026 spring gift runs until 13 February; a plan starting that day sends it.
    p = plan([customer()], "mass", dt.date(2026, 2, 13), dt.date(2026, 2, 20))
    assert of_rule(p, "camp.2026.spring_gift") == [dt.date(2026, 2, 13)]


def test_a_holiday_on_the_plans_last_day_is_greeted() -> None:
    # National Day (1 October) is the last day of this plan: greeted on it.
    p = plan(
        [customer()], "high_end", dt.date(2026, 9, 25), dt.date(2026, 10, 1),
        calendar=HolidaysCalendar("CN"), managers=[rm()],
    )  # fmt: skip
    greetings = [(t.on, t.label) for t in p.touchpoints if t.rule_id == "high_end.holiday"]
    assert (dt.date(2026, 10, 1), "National Day") in greetings


@pytest.mark.parametrize("field", ["start", "end"])
def test_a_horizon_day_given_as_text_is_refused_naming_it(field: str) -> None:
    # A JSON request passed straight through gives dates as text: refused, naming which.
    days: dict[str, Any] = {"start": dt.date(2026, 3, 1), "end": dt.date(2026, 3, 31)}
    days[field] = "2026-03-15"
    with pytest.raises(InputError) as caught:
        plan_contacts(
            [customer()], PRACTICE, start=days["start"], end=days["end"], tiers={"C1": "mass"}
        )
    assert (caught.value.field, str(caught.value)) == (field, f"{field} must be a date")


def test_two_calls_on_one_day_are_listed_by_when_each_falls_due() -> None:
    # Deposits TD-A (maturing 10 June) and TD-B (5 June) are both called on 1 June, the
    # plan's first day: listed TD-B first, the one due first, not by name. A holding of
    # TD-A with no maturity date asks for no call. Without consent to phone calls both
    # are reported, in the same order.
    held = [
        ProductHolding(product_id=pid, principal=Decimal("1000.00"), matures_on=on)
        for pid, on in [
            ("TD-A", dt.date(2026, 6, 10)),
            ("TD-B", dt.date(2026, 6, 5)),
            ("TD-A", None),
        ]
    ]
    start, end = dt.date(2026, 6, 1), dt.date(2026, 6, 30)
    expected = [("maturity TD-B", dt.date(2026, 6, 5)), ("maturity TD-A", dt.date(2026, 6, 10))]
    called = customer(products_held=held, kyc=_reviewed("C1"))
    p = plan([called], "high_end", start, end, managers=[rm()])
    calls = [t for t in p.touchpoints if t.rule_id == "high_end.maturity"]
    assert [(t.label, t.due_on) for t in calls] == expected
    assert {t.on for t in calls} == {start}
    texted_only = customer(products_held=held, kyc=_reviewed("C1"), contact=consents(Channel.SMS))
    p = plan([texted_only], "high_end", start, end, managers=[rm()])
    assert [
        (u.label, u.due_on) for u in p.unscheduled if u.rule_id == "high_end.maturity"
    ] == expected


def test_a_risk_assessment_is_reassessed_each_time_it_would_lapse() -> None:
    # Valid 12 months (the practice): lapsing 30 June 2026, then 30 June 2027; each call
    # comes within the 30 days before.
    ra = RiskAssessment(level="steady", score=50, assessed_on=dt.date(2025, 7, 1),
                        valid_until=dt.date(2026, 6, 30))  # fmt: skip
    p = plan([customer(risk_assessment=ra)], "high_end", dt.date(2026, 6, 1),
             dt.date(2027, 7, 31), managers=[rm()])  # fmt: skip
    calls = [t for t in p.touchpoints if t.rule_id == "high_end.risk"]
    assert [t.due_on for t in calls] == [dt.date(2026, 6, 30), dt.date(2027, 6, 30)]
    assert all(t.due_on - dt.timedelta(days=30) <= t.on <= t.due_on for t in calls if t.due_on)


def test_a_periodic_contact_is_labelled_by_its_rules_description_or_else_its_occasion() -> None:
    def visit_labels(playbook: Playbook) -> list[str]:
        p = plan([customer()], "high_end", dt.date(2026, 3, 1), dt.date(2026, 5, 31), playbook,
                 managers=[rm()])  # fmt: skip
        return [t.label for t in p.touchpoints if t.rule_id == "high_end.visit"]

    assert visit_labels(PRACTICE) == ["Home visit"]
    data = PRACTICE.to_record()
    (visit,) = [r for r in data["cadence"]["contact_rules"] if r["id"] == "high_end.visit"]
    del visit["description"]
    assert visit_labels(Playbook.model_validate(data)) == ["periodic"]


def test_a_lunar_date_the_calendar_cannot_convert_is_reported_each_year_not_dropped() -> None:
    # The lunar table starts at lunar new year 1900 (31 January 1900): a lunar date
    # kept from 15 January 1900 (still lunar 1899), or from 1899, is not guessed.
    cal = HolidaysCalendar("CN")
    for kept in (dt.date(1900, 1, 15), dt.date(1899, 6, 1)):
        kyc = KycFile(
            customer_key="C1",
            important_dates=[
                {"kind": "birthday", "relation": "self", "on": kept, "calendar": "lunar"}
            ],
        )
        p = plan(
            [customer(kyc=kyc)], "mid_end", dt.date(2026, 1, 1), dt.date(2027, 12, 31), calendar=cal
        )
        missing = [u for u in p.unscheduled if u.rule_id == "mid_end.birthday"]
        assert [(u.label, u.code) for u in missing] == [
            ("birthday 2026", ReasonCode.CADENCE_NO_CALENDAR_DATA),
            ("birthday 2027", ReasonCode.CADENCE_NO_CALENDAR_DATA),
        ]
    # From lunar new year 1900 the date converts.
    first = dt.date(1900, 1, 31)
    kyc = KycFile(
        customer_key="C1",
        important_dates=[
            {"kind": "birthday", "relation": "self", "on": first, "calendar": "lunar"}
        ],
    )
    p = plan(
        [customer(kyc=kyc)], "mid_end", dt.date(2026, 1, 1), dt.date(2026, 12, 31), calendar=cal
    )
    assert of_rule(p, "mid_end.birthday") == [dt.date(2026, 2, 17)]  # Spring Festival 2026


def test_calls_a_full_day_cannot_take_move_to_the_next_day_of_their_window() -> None:
    # Forty overdue 20-minute KYC calls of one manager: 33 fill Monday from 10:00 to
    # 21:00, the other 7 go on Tuesday from 10:00.
    lapsed = dt.date(2025, 1, 1)
    book = [
        customer(
            f"C{i:02d}",
            kyc=KycFile(customer_key=f"C{i:02d}", aml_rating="high", last_reviewed_on=lapsed),
        )
        for i in range(40)
    ]
    monday, tuesday = dt.date(2026, 3, 2), dt.date(2026, 3, 3)
    p = plan(book, "high_end", monday, tuesday)
    days = [t.on for t in p.touchpoints if t.rule_id == "high_end.kyc"]
    assert (days.count(monday), days.count(tuesday)) == (33, 7)
    assert not [u for u in p.unscheduled if u.rule_id == "high_end.kyc"]
    last = max(t.at for t in p.touchpoints if t.on == tuesday and t.at is not None)
    assert last == dt.datetime(2026, 3, 3, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_playbooks_lunar_policies_decide_a_leap_month_30th_days_greeting() -> None:
    # Born on the 30th of the leap sixth month of 2017 (21 August 2017); this playbook
    # greets in the leap month when the year has one and on the day after a 29th.
    data = PRACTICE.to_record()
    data["cadence"].update(lunar_leap_month="leap_if_present", lunar_short_month="next_day")
    pb = Playbook.model_validate(data)
    born = dt.date(2017, 8, 21)
    kyc = KycFile(
        customer_key="C1",
        important_dates=[{"kind": "birthday", "relation": "self", "on": born, "calendar": "lunar"}],
    )
    cal = HolidaysCalendar("CN")
    for year, day, case in [
        (2018, dt.date(2018, 8, 11), "leap_month_short_next"),  # no leap month in 2018
        (2025, dt.date(2025, 8, 23), "short_next"),  # a leap sixth month of 29 days
    ]:
        p = plan(
            [customer(kyc=kyc)],
            "mid_end",
            dt.date(year, 1, 1),
            dt.date(year, 12, 31),
            pb,
            calendar=cal,
        )
        (greeting,) = [t for t in p.touchpoints if t.rule_id == "mid_end.birthday"]
        assert greeting.on == day
        assert _reasons(greeting)[1] == (
            "CADENCE_LUNAR_DATE",
            "cadence.lunar",
            {"case": case, "lunar_year": year},
        )


def test_a_planned_contact_counts_against_the_cap_for_the_next_one() -> None:
    # One marketing contact in any 90 days: the points campaign goes on 1 July, so the
    # referral campaign (September) waits until 29 September, 90 days later.
    data = PRACTICE.to_record()
    data["cadence"]["caps"] = [
        {"rule_id": "cap.mkt", "purpose": "marketing", "max_contacts": 1, "window_days": 90}
    ]
    pb = Playbook.model_validate(data)
    p = plan([customer()], "mass", dt.date(2026, 7, 1), dt.date(2026, 9, 30), pb)
    assert of_rule(p, "camp.2026.points") == [dt.date(2026, 7, 1)]
    assert of_rule(p, "camp.2026.referral") == [dt.date(2026, 9, 29)]


def test_the_kyc_gaps_a_tier_decision_carries_are_the_ones_the_plan_asks_to_complete() -> None:
    # A tier decision (here one saying only the family section is missing) is taken at
    # its word; a bare tier id gets the gaps worked out from the file.
    c = customer()
    decision = tier_book([c], PRACTICE, as_of=dt.date(2026, 3, 1)).decisions[0]
    said = decision.model_copy(update={"outcome": "high_end", "kyc_gaps": ("family",)})
    start, end = dt.date(2026, 3, 2), dt.date(2026, 3, 31)
    p = plan_contacts([c], PRACTICE, start=start, end=end, tiers={"C1": said}, managers=[rm()])
    assert [(t.rule_id, t.kyc_items) for t in p.touchpoints if t.kyc_items] == [
        ("high_end.kyc", ("family",))
    ]
    bare = plan([c], "high_end", start, end, managers=[rm()])
    assert [t.kyc_items for t in bare.touchpoints if t.kyc_items] == [HIGH_END_GAPS]


def test_the_kyc_gaps_go_on_the_first_of_two_calls_alike_in_every_part() -> None:
    # Two holdings of one deposit maturing on 1 June: two calls alike in every part
    # (day, rule, label, due date). The file's gaps go on the first of them in the
    # plan, once, as on any customer's first manager service contact.
    held = [
        ProductHolding(product_id="TD-A", principal=Decimal("1000.00"), matures_on=day)
        for day in (dt.date(2026, 6, 1), dt.date(2026, 6, 1))
    ]
    c = customer(products_held=held, kyc=_reviewed("C1"))
    p = plan([c], "high_end", dt.date(2026, 6, 1), dt.date(2026, 6, 30), managers=[rm()])
    calls = [t for t in p.touchpoints if t.rule_id == "high_end.maturity"]
    assert [(t.on, t.label) for t in calls] == [(dt.date(2026, 6, 1), "maturity TD-A")] * 2
    assert calls[0].kyc_items
    assert calls[1].kyc_items == ()
    assert [t.kyc_items for t in p.touchpoints if t.kyc_items] == [calls[0].kyc_items]


def test_work_whose_window_in_the_plan_has_no_business_day_is_reported_as_such() -> None:
    # A weekend plan: the overdue KYC review may only go on Saturday or Sunday.
    p = plan([customer()], "high_end", dt.date(2026, 3, 7), dt.date(2026, 3, 8), managers=[rm()])
    (review,) = [u for u in p.unscheduled if u.rule_id == "high_end.kyc"]
    assert (review.code, review.week) == (ReasonCode.CADENCE_NO_VALID_DAY, "2026-W10")


def test_a_tier_decision_about_another_customer_is_that_customers_error_not_the_plans() -> None:
    # A mapping of tiers built wrongly for one customer must not stop the
    # other customers' plans: it is this customer's error record, naming tiers.
    decided = tier_book([customer("C2"), customer("C3")], PRACTICE, as_of=dt.date(2026, 3, 1))
    other, own = decided.decisions
    p = plan_contacts(
        [customer("C1"), customer("C3")],
        PRACTICE,
        start=dt.date(2026, 3, 2),
        end=dt.date(2026, 3, 31),
        tiers={"C1": other, "C3": own},
    )
    ((index, key, code, field, message),) = [
        (e.index, e.customer_key, e.code, e.field, e.message) for e in p.errors
    ]
    assert (index, key, code, field, message) == (
        0, "C1", "no_tier", "tiers",
        "the tier decision is about another customer; pass this customer's own",
    )  # fmt: skip
    assert {t.customer_key for t in p.touchpoints} | {u.customer_key for u in p.unscheduled} == {
        "C3"
    }


def test_when_a_week_has_room_for_one_call_the_higher_tier_and_the_earlier_due_go_first() -> None:
    day = dt.date(2026, 3, 2)
    # 20 minutes this week: the high-end customer's KYC call, not the mid-end one's.
    book = [customer("C1"), customer("C2")]
    p = plan_contacts(
        book,
        PRACTICE,
        start=day,
        end=day,
        tiers={"C1": "mid_end", "C2": "high_end"},
        managers=[rm(hours="0.34")],
    )
    assert [(t.customer_key, t.rule_id) for t in p.touchpoints] == [("C2", "high_end.kyc")]
    # 15 minutes: of two deposits maturing this week, the one due first is called.
    held = [
        ProductHolding(
            product_id="TD-A", principal=Decimal("1000.00"), matures_on=dt.date(2026, 3, 6)
        ),
        ProductHolding(
            product_id="TD-B", principal=Decimal("1000.00"), matures_on=dt.date(2026, 3, 5)
        ),
    ]
    c = customer(products_held=held, kyc=_reviewed("C1"))
    p = plan([c], "high_end", day, day, managers=[rm(hours="0.25")])
    assert [(t.label, t.due_on) for t in p.touchpoints] == [("maturity TD-B", dt.date(2026, 3, 5))]


def test_a_contact_not_planned_for_want_of_data_or_consent_names_its_rule() -> None:
    sms_only = customer(contact=consents(Channel.SMS), birth_date=dt.date(1970, 6, 15))
    p = plan([sms_only], "high_end", dt.date(2026, 6, 1), dt.date(2026, 6, 30), managers=[rm()])
    (call,) = [u for u in p.unscheduled if u.rule_id == "high_end.birthday"]
    assert _reasons(call)[0] == ("CADENCE_NO_CONSENT", "high_end.birthday", {"channel": "phone"})


def test_only_the_customers_own_birthday_in_the_file_is_the_birthday_rules() -> None:
    # A child's birthday listed first is an important date, not the customer's birthday.
    kyc = KycFile(
        customer_key="C1",
        aml_rating="low",
        last_reviewed_on=dt.date(2026, 1, 5),
        important_dates=[
            {"kind": "birthday", "relation": "child", "on": "2010-07-07"},
            {"kind": "other", "relation": "self", "on": "2001-09-09"},
            {"kind": "birthday", "relation": "self", "on": "1980-05-20"},
        ],
    )
    p = plan(
        [customer(kyc=kyc)], "high_end", dt.date(2026, 1, 1), dt.date(2026, 12, 31), managers=[rm()]
    )
    assert of_rule(p, "high_end.birthday") == [dt.date(2026, 5, 20)]


def test_a_duty_reaching_a_do_not_contact_customer_says_which_purposes_the_block_binds() -> None:
    dnc = ContactPreferences(
        consents=[ChannelConsent(channel=c, marketing=True) for c in ALL_CHANNELS],
        do_not_contact=True,
    )
    p = plan(
        [customer(contact=dnc)],
        "high_end",
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 31),
        managers=[rm()],
    )
    (review,) = [t for t in p.touchpoints if t.rule_id == "high_end.kyc"]
    duty = [r for r in _reasons(review) if r[0] == "CADENCE_REGULATORY_DUTY"]
    assert duty == [
        ("CADENCE_REGULATORY_DUTY", "cadence.do_not_contact", {"binds": "marketing, service"})
    ]


def test_a_parents_lunar_birthday_is_greeted_on_its_lunar_date() -> None:
    kyc = KycFile(
        customer_key="C1",
        aml_rating="low",
        last_reviewed_on=dt.date(2026, 1, 5),
        important_dates=[
            {"kind": "birthday", "relation": "parent", "on": "1985-09-29", "calendar": "lunar"}
        ],
    )
    p = plan(
        [customer(kyc=kyc)],
        "high_end",
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 31),
        calendar=HolidaysCalendar("CN"),
        managers=[rm()],
    )
    assert of_rule(p, "high_end.important_date") == [dt.date(2026, 9, 25)]  # lunar 8/15


def test_holiday_greetings_of_a_plans_part_of_the_year_are_the_holidays_inside_it() -> None:
    # September and October 2026: New Year's Day and the Spring Festival fall outside,
    # the Mid-Autumn Festival (25 September) and National Day (1 October) inside.
    p = plan(
        [customer()],
        "high_end",
        dt.date(2026, 9, 1),
        dt.date(2026, 10, 31),
        calendar=HolidaysCalendar("CN"),
        managers=[rm()],
    )
    greetings = [
        (t.label, t.on, t.due_on) for t in p.touchpoints if t.rule_id == "high_end.holiday"
    ]
    assert greetings == [
        ("Mid-Autumn Festival", dt.date(2026, 9, 25), dt.date(2026, 9, 25)),
        ("National Day", dt.date(2026, 10, 1), dt.date(2026, 10, 1)),
    ]


def test_work_on_a_day_an_unpublished_arrangement_could_move_is_marked_provisional() -> None:
    # China's 2027 working-day arrangement is not published (here: through 2026), so
    # a visit on 30 March 2027 — near the Qingming holiday — may still move.
    cal = HolidaysCalendar("CN", published_through=2026)
    c = customer(kyc=_reviewed("C1"), birth_date=dt.date(1970, 4, 20))
    p = plan(
        [c],
        "high_end",
        dt.date(2027, 3, 1),
        dt.date(2027, 5, 31),
        calendar=cal,
        managers=[rm()],
        history=_visited(dt.date(2026, 12, 30)),
    )
    (visit,) = [t for t in p.touchpoints if t.rule_id == "high_end.visit"]
    on = dt.date(2027, 3, 30)
    assert (visit.due_on, visit.on) == (on, on)
    assert _reasons(visit)[1:2] == [
        (
            "CADENCE_PROVISIONAL",
            "high_end.visit",
            {"calendar": "holidays:CN", "from_on": on, "to_on": on},
        ),
    ]
    assert p.provisional == 1
    # The list to re-check when the arrangement is published: the visit, not the greeting.
    assert [t.rule_id for t in p.touchpoints] == ["high_end.visit", "high_end.birthday"]
    assert p.provisional_touchpoints() == (visit,)


def test_salon_invitations_go_out_14_days_before_each_salon_in_the_plan() -> None:
    # Salons on the second Saturday of every third month from January 2026; the
    # invitation's first day is 14 days before (a Saturday: Monday then). January's
    # invitation would fall before the plan and is not sent; January 2027's is.
    c = customer(kyc=_reviewed("C1"))
    p = plan([c], "mid_end", dt.date(2026, 1, 1), dt.date(2026, 12, 31), managers=[rm()])
    salons = [(t.due_on, t.on, t.label) for t in p.touchpoints if t.rule_id == "mid_end.salon"]
    assert salons == [
        (dt.date(2026, 4, 11), dt.date(2026, 3, 30), "Salon invitation"),
        (dt.date(2026, 7, 11), dt.date(2026, 6, 29), "Salon invitation"),
        (dt.date(2026, 10, 10), dt.date(2026, 9, 28), "Salon invitation"),
        (dt.date(2027, 1, 9), dt.date(2026, 12, 28), "Salon invitation"),
    ]


def test_a_recurring_rule_without_a_description_is_labelled_by_its_occasion() -> None:
    data = PRACTICE.to_record()
    salon = next(r for r in data["cadence"]["contact_rules"] if r["id"] == "mid_end.salon")
    salon["description"] = ""
    c = customer(kyc=_reviewed("C1"))
    p = plan([c], "mid_end", dt.date(2026, 3, 1), dt.date(2026, 4, 30),
             Playbook.model_validate(data), managers=[rm()])  # fmt: skip
    (invite,) = [t for t in p.touchpoints if t.rule_id == "mid_end.salon"]
    assert (invite.label, invite.occasion) == (salon["occasion"], salon["occasion"])


def test_an_invitation_comes_before_its_event_or_not_at_all() -> None:
    # Events on the first Monday of each month, invited two days before: the window is
    # the weekend before, with no business day, so the invitation is reported.
    data = PRACTICE.to_record()
    salon = next(r for r in data["cadence"]["contact_rules"] if r["id"] == "mid_end.salon")
    salon.update(rrule="FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1", lead_days=2)
    pb = Playbook.model_validate(data)
    c = customer(kyc=_reviewed("C1"))
    p = plan([c], "mid_end", dt.date(2026, 3, 3), dt.date(2026, 4, 30), pb, managers=[rm()])
    (invite,) = [u for u in p.unscheduled if u.rule_id == "mid_end.salon"]
    assert (invite.due_on, invite.code) == (dt.date(2026, 4, 6), ReasonCode.CADENCE_NO_VALID_DAY)
    assert "mid_end.salon" not in [t.rule_id for t in p.touchpoints]


def test_an_invitation_whose_first_day_is_the_plans_first_day_is_sent() -> None:
    c = customer(kyc=_reviewed("C1"))
    p = plan([c], "mid_end", dt.date(2026, 3, 28), dt.date(2026, 4, 30), managers=[rm()])
    assert [(t.due_on, t.on) for t in p.touchpoints if t.rule_id == "mid_end.salon"] == [
        (dt.date(2026, 4, 11), dt.date(2026, 3, 30))
    ]


def test_each_unscheduled_contact_leads_with_its_own_reason() -> None:
    # Contacts not planned for different reasons in one plan: each says its own.
    day = dt.date(2026, 6, 15)
    book = [customer(k, birth_date=dt.date(1970, 6, 15), kyc=_reviewed(k)) for k in ("C1", "C2")]
    book.append(customer("C3", contact=consents(Channel.SMS), birth_date=dt.date(1970, 6, 15)))
    p = plan(book, "high_end", day, day, managers=[rm(hours="0.17")])
    codes = {u.code for u in p.unscheduled}
    assert {ReasonCode.CADENCE_CAPACITY, ReasonCode.CADENCE_NO_CONSENT} <= codes
    assert ReasonCode.CADENCE_NO_CALENDAR_DATA in codes
    assert all(u.reasons[0].code is u.code for u in p.unscheduled)
    # The summary a manager reads counts each reason once per contact, sorted by code.
    counts = p.unscheduled_counts()
    assert list(counts) == sorted(c.value for c in codes)
    assert counts == {c.value: sum(u.code is c for u in p.unscheduled) for c in codes}
    assert sum(counts.values()) == len(p.unscheduled)


def test_a_call_that_slipped_past_a_provisional_day_is_provisional_too() -> None:
    # 2027 is not yet arranged: 15 January lies within reach of New Year's Day, 18 January
    # does not. RM-1 has 20 minutes a week: C1's overdue review takes Friday 15 January,
    # C2's slips to Monday 18 January. Were the 15th arranged as a day off, both would
    # move: each call is provisional, the slipped one too.
    lapsed = dt.date(2025, 1, 1)
    book = [
        customer(k, kyc=KycFile(customer_key=k, aml_rating="high", last_reviewed_on=lapsed))
        for k in ("C1", "C2")
    ]
    cal = HolidaysCalendar("CN", published_through=2026)
    assert cal.is_provisional(dt.date(2027, 1, 15))
    assert not cal.is_provisional(dt.date(2027, 1, 18))
    p = plan(book, "high_end", dt.date(2027, 1, 15), dt.date(2027, 1, 21), calendar=cal,
             managers=[rm(hours="0.34")])  # fmt: skip
    calls = [(t.customer_key, t.on) for t in p.touchpoints if t.rule_id == "high_end.kyc"]
    assert calls == [("C1", dt.date(2027, 1, 15)), ("C2", dt.date(2027, 1, 18))]
    assert all(ReasonCode.CADENCE_PROVISIONAL in {r.code for r in t.reasons} for t in p.touchpoints)


def test_an_interval_rule_with_an_anchor_plans_by_its_interval() -> None:
    # Validation accepts an anchor on a rule recurring by interval_days (it only anchors an
    # rrule): the visits plan by the interval, as without it.
    data = PRACTICE.to_record()
    (visit,) = [r for r in data["cadence"]["contact_rules"] if r["id"] == "high_end.visit"]
    assert visit["interval_days"]
    assert visit["rrule"] is None
    visit["anchor"] = "2026-01-01"
    anchored = Playbook.model_validate(data)

    def visits(playbook: Playbook) -> list[dt.date]:
        p = plan(
            [customer()],
            "high_end",
            dt.date(2026, 3, 1),
            dt.date(2026, 5, 31),
            playbook,
            managers=[rm()],
        )
        return [t.on for t in p.touchpoints if t.rule_id == "high_end.visit"]

    assert visits(anchored) == visits(PRACTICE) != []
