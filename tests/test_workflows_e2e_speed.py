"""A branch advisor's counter session for one customer, on the fast paths, as the slow ones decide.

Issue 13 made the single-customer path cheaper: ``check_catalogue`` reads the
customer once for a whole catalogue, ``allocate`` builds no decision per
candidate, and the planner shares each contact's reasons through the tables
cached per playbook, horizon and calendar. These tests hold that the
session's answers are the ones the step-by-step calls give, byte for byte,
and that the caches never carry an answer from one playbook, horizon or
calendar to another. Nothing here is timed.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from custtier import (
    AllocationDecision,
    ContactPlan,
    Customer,
    HolidaysCalendar,
    Playbook,
    SuitabilityDecision,
    TierDecision,
    WeekendCalendar,
    allocate,
    assign_tier,
    check_catalogue,
    check_suitability,
    plan_contacts,
    presets,
    synth,
)
from custtier.cadence._level import counts_toward
from custtier.cadence._tables import tables

AS_OF = dt.date(2026, 11, 30)
START, END = dt.date(2026, 12, 1), dt.date(2027, 11, 30)  # the next 12 months
AMOUNT = Decimal("250000.00")
PB = presets.PRACTICE


def _records(n: int) -> list[dict[str, Any]]:
    """What arrives at the counter: customer records as the bank's systems export them."""
    book = synth.customers(n, seed=29, as_of=AS_OF, playbook=PB)
    return [c.to_record(reveal_personal_data=True) for c in book]


def _session(
    record: dict[str, Any], calendar: HolidaysCalendar
) -> tuple[
    TierDecision, tuple[SuitabilityDecision, ...], AllocationDecision, ContactPlan, list[str]
]:
    """The counter session on the fast paths: validate, tier, catalogue, allocate, plan, JSON."""
    customer = Customer.from_record(record)
    tier = assign_tier(customer, PB, as_of=AS_OF)
    shelf = check_catalogue(customer, synth.catalogue(PB), PB, as_of=AS_OF, tier=tier)
    allocation = allocate(customer, AMOUNT, synth.catalogue(PB), PB, as_of=AS_OF, tier=tier)
    plan = plan_contacts(
        (customer,), PB, start=START, end=END, tiers={customer.key: tier}, calendar=calendar
    )
    out = [d.model_dump_json() for d in (tier, *shelf, allocation, plan)]
    return tier, shelf, allocation, plan, out


def test_a_branch_advisors_counter_session_gives_the_step_by_step_decisions_byte_for_byte() -> None:
    calendar = HolidaysCalendar("CN")
    records = _records(40)
    for record in records:  # warm every cache the session uses, as a day at the counter does
        _session(record, calendar)
    for record in records:
        tier, shelf, allocation, plan, out = _session(record, calendar)
        customer = Customer.from_record(record)
        catalogue = synth.catalogue(PB)

        # Suitability: one decision per product, in catalogue order, each check_suitability's.
        one_by_one = [
            check_suitability(customer, p, PB, as_of=AS_OF, tier=tier.outcome) for p in catalogue
        ]
        assert [d.product_id for d in shelf] == [p.id for p in catalogue]
        assert list(shelf) == one_by_one
        # The allocation sells only what the counter screen allows, and places every cent.
        allowed = {d.product_id for d in shelf if d.allowed}
        assert {line.product_id for line in allocation.lines} - {None} <= allowed
        assert sum(line.amount for line in allocation.lines) + allocation.unplaced == AMOUNT
        # The plan concerns this customer only and accounts for every required contact.
        assert plan.required == len(plan.touchpoints) + len(plan.unscheduled)
        assert {t.customer_key for t in plan.touchpoints} <= {customer.key}

        # The same session with nothing cached (a new calendar object: new tables, no shared
        # reasons) writes the same bytes.
        fresh = HolidaysCalendar("CN")
        again = plan_contacts(
            (customer,), PB, start=START, end=END, tiers={customer.key: tier}, calendar=fresh
        )
        reference = [
            d.model_dump_json()
            for d in (
                assign_tier(customer, PB, as_of=AS_OF),
                *one_by_one,
                allocate(customer, AMOUNT, catalogue, PB, as_of=AS_OF, tier=tier.outcome),
                again,
            )
        ]
        assert out[:-1] == reference[:-1]
        # The calendar's name is the only thing two calendar objects could differ in.
        assert json.loads(out[-1]) == json.loads(reference[-1])
        assert out[-1] == reference[-1]
        # What the audit store reads back is what was decided.
        assert SuitabilityDecision.from_audit_json(out[1]) == shelf[0]
        assert ContactPlan.model_validate_json(out[-1]) == plan


def test_the_planners_tables_are_one_per_playbook_horizon_and_calendar() -> None:
    calendar = HolidaysCalendar("CN")
    t = tables(PB, START, END, calendar)
    assert tables(PB, START, END, calendar) is t
    assert tables(PB, START, END + dt.timedelta(days=1), calendar) is not t
    assert tables(PB, START + dt.timedelta(days=1), END, calendar) is not t
    assert tables(PB, START, END, HolidaysCalendar("CN")) is not t
    copy = Playbook.model_validate(PB.model_dump(mode="json"))
    assert copy == PB
    assert tables(copy, START, END, calendar) is not t


def _plan(
    customers: tuple[Customer, ...],
    pb: Playbook,
    start: dt.date,
    end: dt.date,
    calendar: Any,
) -> str:
    tiers = {c.key: assign_tier(c, pb, as_of=AS_OF) for c in customers}
    return plan_contacts(
        customers, pb, start=start, end=end, tiers=tiers, calendar=calendar
    ).model_dump_json()


@pytest.mark.parametrize("change", ["horizon", "calendar", "playbook"])
def test_a_plan_shares_nothing_with_another_horizon_calendar_or_playbook(change: str) -> None:
    """Each contact's reasons are shared within one set of tables, never across them."""
    book = synth.customers(30, seed=31, as_of=AS_OF, playbook=PB)
    holidays = HolidaysCalendar("CN")
    base = (PB, START, END, holidays)
    other: tuple[Playbook, dt.date, dt.date, Any]
    if change == "horizon":  # a week later: other due dates, other rolled days
        other = (PB, START + dt.timedelta(days=7), END + dt.timedelta(days=7), holidays)
    elif change == "calendar":  # weekends only: contacts no longer roll past Chinese holidays
        other = (PB, START, END, WeekendCalendar())
    else:  # the regulatory preset: other contact rules
        other = (presets.REGULATORY, START, END, holidays)
    first = _plan(book, *base)
    second = _plan(book, *other)
    assert first != second
    # Planned after the other (its tables warm), each plan is what fresh tables give.
    fresh = HolidaysCalendar("CN")
    if other[3] is holidays:
        assert second == _plan(book, other[0], other[1], other[2], fresh)
    else:
        assert second == _plan(book, other[0], other[1], other[2], WeekendCalendar())
    assert first == _plan(book, PB, START, END, fresh)


def test_the_caps_a_contact_counts_toward_are_read_once_per_tables_as_the_playbook_says() -> None:
    # The leveller of every plan over one set of tables shares its (channel, purpose) -> caps
    # table; each entry is what counts_toward gives for every cap of the playbook.
    calendar = HolidaysCalendar("CN")
    book = synth.customers(40, seed=37, as_of=AS_OF, playbook=PB)
    _plan(tuple(book[:20]), PB, START, END, calendar)
    t = tables(PB, START, END, calendar)
    seen = dict(t.caps_for)
    assert seen  # the plan counted contacts toward the playbook's caps
    assert any(seen.values())
    alone = [_plan((c,), PB, START, END, calendar) for c in book[20:]]
    for (channel, purpose), caps in t.caps_for.items():
        want = [
            (i, cap, cap.max_contacts)
            for i, cap in enumerate(t.caps)
            if counts_toward(cap, channel, purpose)
        ]
        assert caps == want
        assert caps is seen.get((channel, purpose), caps)  # read once, then kept
    # The same customers planned over tables built afresh (another calendar object, equal).
    fresh = HolidaysCalendar("CN")
    assert [_plan((c,), PB, START, END, fresh) for c in book[20:]] == alone
