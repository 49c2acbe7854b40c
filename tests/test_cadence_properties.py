"""Invariants of the contact-cadence planner, for any book, history and staff."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies as cst
from custtier import (
    ContactPlan,
    ContactRecord,
    Customer,
    KycFile,
    Product,
    ReasonCode,
    RelationshipManager,
    RiskAssessment,
    WeekendCalendar,
    check_suitability,
    plan_contacts,
    plan_to_ical,
    presets,
)
from custtier.rules import Occasion, Owner, Playbook

PB = presets.PRACTICE
TIERS = [t.id for t in PB.tiers]
MANAGER_IDS = ["RM-1", "RM-2"]
GREETINGS = {Occasion.BIRTHDAY, Occasion.HOLIDAY, Occasion.IMPORTANT_DATE}


@dataclass(frozen=True)
class Case:
    customers: tuple[Customer, ...]
    tiers: dict[str, str]
    managers: tuple[RelationshipManager, ...]
    history: tuple[ContactRecord, ...]
    start: dt.date
    end: dt.date


@st.composite
def small_customers(draw: st.DrawFn, key: str) -> Customer:
    """A customer with the fields the planner reads; 29 February birthdays often."""
    birth = draw(
        st.sampled_from([dt.date(1984, 2, 29), dt.date(1996, 2, 29)])
        | cst.dates(dt.date(1940, 1, 1), dt.date(2005, 12, 31))
    )
    kyc = None
    if draw(st.booleans()):
        kyc = KycFile(
            customer_key=key,
            aml_rating=draw(st.none() | st.sampled_from(["low", "medium", "high"])),
            last_reviewed_on=draw(st.none() | cst.dates(dt.date(2023, 1, 1), dt.date(2026, 6, 1))),
        )
    return Customer(
        key=key,
        birth_date=birth,
        contact=draw(cst.contact_preferences()),
        manager_id=draw(st.none() | st.sampled_from(MANAGER_IDS)),
        kyc=kyc,
    )


@st.composite
def cases(draw: st.DrawFn, max_customers: int = 6) -> Case:
    n = draw(st.integers(1, max_customers))
    keys = [f"C{i}" for i in range(n)]
    customers = tuple(draw(small_customers(k)) for k in keys)
    start = draw(cst.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 1)))
    end = start + dt.timedelta(days=draw(st.integers(0, 120)))
    managers = tuple(
        RelationshipManager(id=m, capacity_hours_per_week=Decimal(draw(st.integers(0, 6))))
        for m in MANAGER_IDS
    )
    history = tuple(
        draw(
            st.lists(
                st.builds(
                    ContactRecord,
                    customer_key=st.sampled_from(keys),
                    on=cst.dates(start - dt.timedelta(days=90), start - dt.timedelta(days=1)),
                    channel=st.sampled_from(["sms", "mass_sms", "phone", "telemarketing"]),
                    purpose=st.sampled_from(["service", "marketing"]),
                ),
                max_size=8,
            )
        )
    )
    tiers = {k: draw(st.sampled_from(TIERS)) for k in keys}
    return Case(customers, tiers, managers, history, start, end)


def run(case: Case, playbook: Playbook = PB) -> ContactPlan:
    return plan_contacts(
        case.customers, playbook, start=case.start, end=case.end, tiers=case.tiers,
        calendar=WeekendCalendar(), managers=case.managers, history=case.history,
    )  # fmt: skip


@given(cases())
def test_count_in_equals_count_out(case: Case) -> None:
    plan = run(case)
    assert plan.required == len(plan.touchpoints) + len(plan.unscheduled)
    assert not plan.errors


@given(cases())
def test_no_touchpoint_without_consent_and_none_under_do_not_contact(case: Case) -> None:
    plan = run(case)
    by_key = {c.key: c for c in case.customers}
    binds = PB.cadence.do_not_contact.binds
    for tp in plan.touchpoints:
        prefs = by_key[tp.customer_key].contact
        # Do-not-contact lets through only what the playbook's block does not bind, marked.
        if prefs.do_not_contact:
            assert tp.purpose not in binds
            assert ReasonCode.CADENCE_REGULATORY_DUTY in {r.code for r in tp.reasons}
        else:
            assert prefs.allows(tp.channel, tp.purpose)
        assert any(c.channel == tp.channel and c.allows(tp.purpose) for c in prefs.consents)


@given(cases())
def test_caps_hold_in_every_rolling_window_including_history(case: Case) -> None:
    plan = run(case)
    for cap in PB.cadence.caps:
        days: dict[str, list[dt.date]] = defaultdict(list)
        contacts = [(r.customer_key, r.on, r.channel, r.purpose) for r in case.history] + [
            (t.customer_key, t.on, t.channel, t.purpose) for t in plan.touchpoints
        ]
        for key, on, channel, purpose in contacts:
            if (cap.channel in (None, channel)) and (cap.purpose in (None, purpose)):
                days[key].append(on)
        planned = {
            (t.customer_key, t.on)
            for t in plan.touchpoints
            if cap.channel in (None, t.channel) and cap.purpose in (None, t.purpose)
        }
        for key, ds in days.items():
            for first in {d - dt.timedelta(days=k) for d in ds for k in range(cap.window_days)}:
                last = first + dt.timedelta(days=cap.window_days - 1)
                inside = [d for d in ds if first <= d <= last]
                # A window the plan added to holds the cap, history included.
                if any((key, d) in planned for d in inside):
                    assert len(inside) <= cap.max_contacts, (cap.rule_id, key)


@given(cases())
def test_no_manager_week_over_capacity(case: Case) -> None:
    plan = run(case)
    hours = {m.id: int(m.capacity_hours_per_week * 60) for m in case.managers}
    booked: dict[tuple[str, str], int] = defaultdict(int)
    for tp in plan.touchpoints:
        if tp.owner is Owner.MANAGER:
            assert tp.manager_id in hours
            year, week, _ = tp.on.isocalendar()
            booked[tp.manager_id, f"{year:04d}-W{week:02d}"] += tp.duration_minutes
    for (mid, label), minutes in booked.items():
        assert minutes <= hours[mid], (mid, label)
    for row in plan.load:
        assert row.capacity_minutes is None or row.booked_minutes <= row.capacity_minutes


@given(cases())
def test_greetings_on_the_day_and_other_work_on_business_days(case: Case) -> None:
    plan = run(case)
    for tp in plan.touchpoints:
        if tp.occasion in GREETINGS:
            assert tp.on == tp.due_on
        else:
            assert tp.on.weekday() < 5
        assert case.start <= tp.on <= case.end
        if tp.occasion is Occasion.BIRTHDAY and tp.due_on is not None:
            birth = next(c.birth_date for c in case.customers if c.key == tp.customer_key)
            assert birth is not None
            if (birth.month, birth.day) == (2, 29) and tp.on.year % 4:
                assert (tp.on.month, tp.on.day) == (2, 28)  # the practice preset: feb28
            else:
                assert (tp.on.month, tp.on.day) == (birth.month, birth.day)


@given(cases(), st.randoms(use_true_random=False))
def test_plans_do_not_depend_on_input_order(case: Case, rnd: object) -> None:
    import random

    assert isinstance(rnd, random.Random)
    shuffled = list(case.customers)
    rnd.shuffle(shuffled)
    history = list(case.history)
    rnd.shuffle(history)
    other = Case(tuple(shuffled), case.tiers, case.managers[::-1], tuple(history), case.start,
                 case.end)  # fmt: skip
    assert run(case).to_json() == run(other).to_json()


@settings(max_examples=40)
@given(cst.playbooks(), cases(), st.data())
def test_a_customer_planned_alone_gets_their_part_of_the_books_plan(
    playbook: Playbook, case: Case, data: st.DataObject
) -> None:
    # What a contact is apart from whom it is for is built once per tables and
    # shared by every customer (cadence._occurrence). Each customer planned alone
    # on tables of their own (a fresh calendar: nothing shared) must get exactly
    # their part of the book planned on tables other customers filled first.
    # Without managers, and each customer with a manager of their own (a
    # manager's calls of one day are spaced through it), nothing else passes
    # between customers.
    tier_ids = [t.id for t in playbook.tiers]
    tiers = {k: data.draw(st.sampled_from(tier_ids)) for k in case.tiers}
    customers = [
        c if c.manager_id is None else c.model_copy(update={"manager_id": f"RM-{c.key}"})
        for c in case.customers
    ]

    def plan(book: list[Customer], calendar: WeekendCalendar) -> ContactPlan:
        return plan_contacts(book, playbook, start=case.start, end=case.end, tiers=tiers,
                             calendar=calendar, history=case.history)  # fmt: skip

    alone = [plan([c], WeekendCalendar()) for c in customers]
    shared = WeekendCalendar()
    for c in reversed(customers):
        plan([c], shared)
    book = plan(customers, shared)
    for c, mine_alone in zip(customers, alone, strict=True):
        mine = tuple(tp for tp in book.touchpoints if tp.customer_key == c.key)
        assert mine_alone.touchpoints == mine
        assert mine_alone.unscheduled == tuple(
            u for u in book.unscheduled if u.customer_key == c.key
        )
        assert [tp.model_dump_json() for tp in mine_alone.touchpoints] == [
            tp.model_dump_json() for tp in mine
        ]
    assert sum(p.required for p in alone) == book.required


@settings(max_examples=25)
@given(cases(max_customers=3))
def test_ical_round_trip(case: Case) -> None:
    icalendar = pytest.importorskip("icalendar")
    plan = run(case)
    text = plan_to_ical(plan)
    events = list(icalendar.Calendar.from_ical(text).walk("VEVENT"))
    assert len(events) == len(plan.touchpoints)
    assert len({str(e["UID"]) for e in events}) == len(events)
    for ev, tp in zip(events, plan.touchpoints, strict=True):
        assert str(ev["X-CUSTTIER-RULE"]) == tp.rule_id
        assert str(ev["X-CUSTTIER-CUSTOMER"]) == tp.customer_key
        start = ev.decoded("DTSTART")
        if tp.at is None:
            assert start == tp.on
        else:
            assert start == tp.at


@settings(max_examples=30)
@given(cases(max_customers=3), st.integers(0, 420))
def test_provisional_marks_exactly_the_work_an_unpublished_arrangement_could_move(
    case: Case, shift: int
) -> None:
    holidays = pytest.importorskip("holidays")
    from custtier import HolidaysCalendar

    start = dt.date(2026, 10, 1) + dt.timedelta(days=shift)
    end = start + (case.end - case.start)
    plan = plan_contacts(
        case.customers, PB, start=start, end=end, tiers=case.tiers,
        calendar=HolidaysCalendar("CN", published_through=2026), managers=case.managers,
        history=case.history,
    )  # fmt: skip
    # Near a public holiday of an unpublished year, by the package itself.
    near = {d + dt.timedelta(days=k) for d in holidays.China(years=[2027, 2028])
            for k in range(-14, 15)}  # fmt: skip
    marked = [t for t in plan.touchpoints
              if any(r.code == "CADENCE_PROVISIONAL" for r in t.reasons)]  # fmt: skip
    assert plan.provisional == len(marked)
    for tp in plan.touchpoints:
        if tp.occasion in {Occasion.BIRTHDAY, Occasion.HOLIDAY, Occasion.IMPORTANT_DATE}:
            assert tp not in marked  # a greeting's day is fixed by the calendar
        elif tp not in marked:
            assert tp.on not in near
    for tp in marked:
        why = next(r for r in tp.reasons if r.code == "CADENCE_PROVISIONAL")
        first, last = why.facts["from_on"], why.facts["to_on"]
        assert isinstance(first, dt.date)
        assert isinstance(last, dt.date)
        assert last == tp.on
        assert any(first + dt.timedelta(days=k) in near for k in range((last - first).days + 1))


@settings(max_examples=60)
@given(
    st.sampled_from([presets.PRACTICE, presets.REGULATORY]),
    cst.risk_assessments(),
    cst.dates(dt.date(2024, 1, 1), dt.date(2030, 12, 31)),
    st.integers(0, 400),
)
def test_reassessment_is_due_by_the_last_day_the_sale_check_honours_the_assessment(
    pb: Playbook, assessment: RiskAssessment, start: dt.date, days: int
) -> None:
    lowest = pb.risk.customer_levels[0].id
    c = Customer(key="C1", risk_assessment=assessment.model_copy(update={"level": lowest}))
    fund = Product(
        id="F-1",
        name="F-1",
        category="bond_fund",
        minimum_investment="1000.00",
        risk_level=pb.risk.product_levels[0].id,
        increment="100.00",
    )
    end = start + dt.timedelta(days=days)
    plan = plan_contacts([c], pb, start=start, end=end, tiers={"C1": "high_end"})

    def honoured(on: dt.date) -> bool:
        d = check_suitability(c, fund, pb, as_of=on)
        return ReasonCode.SUIT_ASSESSMENT_EXPIRED not in {r.code for r in d.reasons}

    due = [t.due_on for t in plan.touchpoints if t.rule_id == "high_end.risk"]
    due += [u.due_on for u in plan.unscheduled if u.rule_id == "high_end.risk"]
    if not due:  # nothing lapses within the horizon and its lead
        assert end < assessment.assessed_on or honoured(end)
        return
    first = min(d for d in due if d is not None)
    assert honoured(first)  # due no later than the last day honoured ...
    assert not honoured(first + dt.timedelta(days=1))  # ... and exactly that day


def _cap_oracle(dates: list[int], day: int, limit: int, width: int) -> bool:
    """One more contact on ``day`` keeps every window of ``width`` days within ``limit``."""
    return all(
        sum(first <= d < first + width for d in [*dates, day]) <= limit
        for first in range(day - width + 1, day + 1)
    )


@given(
    st.lists(st.integers(0, 40), max_size=8).map(sorted),
    st.integers(0, 40),
    st.integers(0, 4),
    st.integers(1, 15),
)
def test_a_frequency_cap_counts_every_rolling_window_that_holds_the_new_contact(
    dates: list[int], day: int, limit: int, width: int
) -> None:
    from custtier.cadence._level import cap_allows
    from custtier.rules import FrequencyCap

    cap = FrequencyCap(rule_id="cap", max_contacts=limit, window_days=width)
    assert cap_allows(dates, day, cap) == _cap_oracle(dates, day, limit, width)


@st.composite
def _month_days(draw: st.DrawFn) -> dt.date:
    """Any date, half the time one of a month's last four days (where clamping happens)."""
    if draw(st.booleans()):
        return draw(st.dates(dt.date(1900, 1, 1), dt.date(9000, 12, 31)))
    year, month = draw(st.integers(1900, 9000)), draw(st.integers(1, 12))
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, draw(st.integers(last - 3, last)))


@given(_month_days(), st.integers(min_value=-120, max_value=1200))
def test_months_later_agrees_with_dateutils_relativedelta(on: dt.date, months: int) -> None:
    """The planner's month arithmetic is dateutil's: the same day, else the month's last."""
    from dateutil.relativedelta import relativedelta

    from custtier.cadence._dates import add_months

    assert add_months(on, months) == on + relativedelta(months=months)
