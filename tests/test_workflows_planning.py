"""Planning workflows end to end, as a bank runs them (issue 11).

Each test is one task a user does through the public API: export a family's
calendar, plan next year from late November, hand the plan to people who
must not see personal data. Dates are checked against the world (the
``holidays`` package, ``lunardate``, ``icalendar``'s parser), not against
custtier itself.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from custtier import (
    Channel,
    ChannelConsent,
    ContactPlan,
    ContactPreferences,
    Customer,
    KycFile,
    ProductHolding,
    RelationshipManager,
    plan_contacts,
    plan_to_ical,
    presets,
)

PRACTICE = presets.PRACTICE


def every_channel() -> ContactPreferences:
    return ContactPreferences(
        consents=[ChannelConsent(channel=c, service=True, marketing=True) for c in Channel]
    )


def family_customer(key: str = "C000007") -> Customer:
    """Twins' birthdays kept as two important dates, and two holdings maturing together."""
    twins = dt.date(2015, 5, 20)
    return Customer(
        key=key,
        manager_id="RM-1",
        birth_date=dt.date(1957, 3, 14),
        contact=every_channel(),
        kyc=KycFile(
            customer_key=key,
            aml_rating="low",
            last_reviewed_on=dt.date(2026, 6, 1),
            important_dates=[
                {"kind": "birthday", "relation": "child", "on": twins, "label": "elder twin"},
                {"kind": "birthday", "relation": "child", "on": twins, "label": "younger twin"},
                {"kind": "birthday", "relation": "self", "on": "1957-03-14", "calendar": "lunar"},
            ],
        ),
        products_held=[
            ProductHolding(product_id="TD-1Y", principal=Decimal("100000.00"),
                           matures_on=dt.date(2026, 9, 15)),
            ProductHolding(product_id="TD-1Y", principal=Decimal("50000.00"),
                           matures_on=dt.date(2026, 9, 15)),
        ],
    )  # fmt: skip


def family_plan(**kw: Any) -> ContactPlan:
    c = family_customer()
    return plan_contacts(
        [c], PRACTICE, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31),
        tiers={c.key: "high_end"},
        managers=[RelationshipManager(id="RM-1", capacity_hours_per_week="40")], **kw,
    )  # fmt: skip


def test_export_a_family_calendar_with_twins_and_twin_maturities_to_a_calendar_client() -> None:
    icalendar = pytest.importorskip("icalendar")
    pytest.importorskip("holidays")
    from custtier import HolidaysCalendar

    plan = family_plan(calendar=HolidaysCalendar("CN"))
    labels = [t.label for t in plan.touchpoints]
    assert labels.count("birthday (child)") == 2  # both twins greeted
    assert labels.count("maturity TD-1Y") == 2  # both holdings reviewed
    text = plan_to_ical(plan)
    events = list(icalendar.Calendar.from_ical(text).walk("VEVENT"))
    uids = [str(e["UID"]) for e in events]
    assert len(events) == len(plan.touchpoints)
    assert len(set(uids)) == len(uids)  # RFC 5545: a UID names one event
    # Re-running the same plan gives the same UIDs (clients update, not duplicate).
    again = family_plan(calendar=HolidaysCalendar("CN"))
    assert [str(e["UID"]) for e in icalendar.Calendar.from_ical(plan_to_ical(again)).walk(
        "VEVENT")] == uids  # fmt: skip
    # One manager's export keeps the plan's UIDs.
    mine = icalendar.Calendar.from_ical(plan_to_ical(plan, manager_id="RM-1")).walk("VEVENT")
    assert {str(e["UID"]) for e in mine} <= set(uids)


def test_hand_a_plan_to_staff_without_any_birth_date_in_it() -> None:
    pytest.importorskip("holidays")
    from custtier import HolidaysCalendar

    plan = family_plan(calendar=HolidaysCalendar("CN"))
    lunar = [t for t in plan.touchpoints if t.rule_id == "high_end.birthday"]
    assert lunar, "the lunar birthday is greeted"
    ics = plan_to_ical(plan)
    exported = {"ical": ics, "plan": plan.to_json()}
    for name, text in exported.items():
        unfolded = text.replace("\r\n ", "")
        for birth in ("1957-03-14", "19570314", "2015-05-20", "20150520"):
            assert birth not in unfolded, f"a birth date in the {name} export"
    # No reason fact names a year of birth either (descriptions are for people).
    facts = json.dumps([r.facts for t in plan.touchpoints for r in t.reasons], default=str)
    assert "1957" not in facts
    assert "2015" not in facts
