"""The planner run month after month, as a bank runs it: each plan's contacts become history.

A hypothesis state machine plans consecutive horizons of random length,
records every touchpoint as made, and lets customers withdraw or restore
consent between runs. Across the whole timeline: frequency caps hold in
every rolling window, no greeting is planned twice for the same day,
periodic work never comes back sooner than its interval after the last
contact made, and a customer under do-not-contact is never planned.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import strategies as cst
from custtier import (
    ContactRecord,
    Customer,
    RelationshipManager,
    Touchpoint,
    WeekendCalendar,
    plan_contacts,
    presets,
)
from custtier.rules import Occasion

PB = presets.PRACTICE
GREETINGS = {Occasion.BIRTHDAY, Occasion.HOLIDAY, Occasion.IMPORTANT_DATE}
#: Periodic work is due ``interval_days`` after the last contact made and may slip by
#: ``flex_days``, so two contacts of one rule are never closer than the difference.
MIN_GAP = {r.id: r.interval_days - r.flex_days for r in PB.cadence.contact_rules if r.interval_days}


class MonthAfterMonth(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.customers: dict[str, Customer] = {}
        self.tiers: dict[str, str] = {}
        self.history: list[ContactRecord] = []
        self.planned: list[Touchpoint] = []
        self.cursor = dt.date(2026, 1, 1)
        self.managers = (RelationshipManager(id="RM-1", capacity_hours_per_week=Decimal(30)),)

    @initialize(
        book=st.lists(
            st.tuples(
                st.sampled_from([t.id for t in PB.tiers]),
                st.sampled_from([dt.date(1984, 2, 29), dt.date(1970, 1, 2)])
                | cst.dates(dt.date(1950, 1, 1), dt.date(2000, 12, 31)),
                cst.contact_preferences(),
            ),
            min_size=1,
            max_size=4,
        ),
        start=cst.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    )
    def open_book(self, book: list[tuple[str, dt.date, object]], start: dt.date) -> None:
        for i, (tier, born, prefs) in enumerate(book):
            key = f"C{i}"
            self.customers[key] = Customer(
                key=key, birth_date=born, contact=prefs, manager_id="RM-1"
            )
            self.tiers[key] = tier
        self.cursor = start

    @rule(days=st.integers(1, 75))
    def plan_the_next_horizon(self, days: int) -> None:
        start, end = self.cursor, self.cursor + dt.timedelta(days=days - 1)
        plan = plan_contacts(
            list(self.customers.values()), PB, start=start, end=end, tiers=self.tiers,
            calendar=WeekendCalendar(), managers=self.managers, history=tuple(self.history),
        )  # fmt: skip
        assert plan.required == len(plan.touchpoints) + len(plan.unscheduled)
        assert not plan.errors
        for tp in plan.touchpoints:
            assert start <= tp.on <= end
            if self.customers[tp.customer_key].contact.do_not_contact:  # a regulatory duty only
                assert tp.purpose not in PB.cadence.do_not_contact.binds
            self.planned.append(tp)
            self.history.append(
                ContactRecord(customer_key=tp.customer_key, on=tp.on, channel=tp.channel,
                              purpose=tp.purpose, occasion=tp.rule_id, manager_id=tp.manager_id)
            )  # fmt: skip
        self.cursor = end + dt.timedelta(days=1)

    @rule(index=st.integers(0, 3), stop=st.booleans())
    def customer_changes_consent(self, index: int, stop: bool) -> None:
        key = f"C{index}"
        if key in self.customers:
            c = self.customers[key]
            self.customers[key] = c.replace(
                contact=c.contact.replace(
                    do_not_contact=stop, do_not_contact_since=self.cursor if stop else None
                )
            )

    @invariant()
    def caps_hold_in_every_rolling_window(self) -> None:
        for cap in PB.cadence.caps:
            days: dict[str, list[dt.date]] = defaultdict(list)
            for r in self.history:
                if cap.channel in (None, r.channel) and cap.purpose in (None, r.purpose):
                    days[r.customer_key].append(r.on)
            for key, ds in days.items():
                ds.sort()
                for i, first in enumerate(ds):
                    last = first + dt.timedelta(days=cap.window_days - 1)
                    inside = sum(1 for d in ds[i:] if d <= last)
                    assert inside <= cap.max_contacts, (cap.rule_id, key, first)

    @invariant()
    def no_greeting_twice_and_no_periodic_work_too_soon(self) -> None:
        seen: set[tuple[str, str, dt.date | None]] = set()
        last: dict[tuple[str, str], dt.date] = {}
        for tp in sorted(self.planned, key=lambda t: t.on):
            if tp.occasion in GREETINGS:
                marker = (tp.customer_key, tp.rule_id, tp.due_on)
                assert marker not in seen, marker
                seen.add(marker)
            gap = MIN_GAP.get(tp.rule_id)
            pair = (tp.customer_key, tp.rule_id)
            if gap is not None and pair in last:
                assert (tp.on - last[pair]).days >= gap, (pair, last[pair], tp.on)
            last[pair] = tp.on


TestMonthAfterMonth = MonthAfterMonth.TestCase
TestMonthAfterMonth.settings = settings(max_examples=40, stateful_step_count=10, deadline=None)
