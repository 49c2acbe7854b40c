"""A contact plan's spliced JSON is byte for byte what pydantic-core writes.

``ContactPlan.model_dump_json()`` without options writes a plan that
``plan_contacts`` built from its contacts' shared JSON (cadence._plan_json);
every other plan, and every option, goes to pydantic. These properties hold
the two equal on generated playbooks and books, hostile labels included.
"""

from __future__ import annotations

import datetime as dt
import gc
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic_core import PydanticSerializationError

import strategies as cst
from custtier import (
    Channel,
    ChannelConsent,
    ContactPlan,
    ContactPreferences,
    ContactRecord,
    Customer,
    HolidaysCalendar,
    Playbook,
    WeekendCalendar,
    plan_contacts,
    presets,
    synth,
)
from custtier.cadence import _plan_json
from custtier.models._types import NOT_IN_A_LABEL
from test_cadence_properties import Case, cases
from test_json_out import HOSTILE

CN = HolidaysCalendar("CN")


def _pydantic(plan: ContactPlan) -> str | None:
    try:
        return plan.__pydantic_serializer__.to_json(plan).decode()
    except PydanticSerializationError:
        return None


def _spliced(plan: ContactPlan) -> str | None:
    try:
        return plan.model_dump_json()
    except PydanticSerializationError:
        return None


def _plan(playbook: Playbook, case: Case, tiers: dict[str, str], calendar: Any) -> ContactPlan:
    return plan_contacts(
        case.customers, playbook, start=case.start, end=case.end, tiers=tiers,
        calendar=calendar, managers=case.managers, history=case.history,
    )  # fmt: skip


@settings(max_examples=60)
@given(cst.playbooks(), cases(), st.data())
def test_a_planned_books_json_is_pydantics(
    playbook: Playbook, case: Case, data: st.DataObject
) -> None:
    tiers = {k: data.draw(st.sampled_from([t.id for t in playbook.tiers])) for k in case.tiers}
    calendar = data.draw(st.sampled_from([WeekendCalendar(), CN]))
    plan = _plan(playbook, case, tiers, calendar)
    assert _plan_json.plan_json(plan) is not None  # the writer, not the fallback
    assert plan.model_dump_json() == _pydantic(plan)
    # Written again (every shared part now from the memos), and with an option: the same.
    assert plan.model_dump_json() == _pydantic(plan)
    assert plan.model_dump_json(indent=None) == _pydantic(plan)
    # Read back, the plan is pydantic's to write, and writes the same bytes.
    again = ContactPlan.model_validate_json(plan.model_dump_json())
    assert _plan_json.plan_json(again) is None
    assert again.model_dump_json() == plan.model_dump_json()


#: What a playbook accepts as a label: one line of printable text (control characters,
#: line breaks, U+2028/U+2029 and lone surrogates are refused when it loads).
UNICODE = HOSTILE.filter(lambda s: not NOT_IN_A_LABEL.search(s))


class Named(WeekendCalendar):
    """A bank's own calendar, under any name (the plan quotes it)."""

    def __init__(self, name: str) -> None:
        self.name = name


@settings(max_examples=60)
@given(cst.playbooks(), cases(max_customers=3), st.data())
def test_hostile_labels_are_escaped_as_pydantic_escapes_them(
    playbook: Playbook, case: Case, data: st.DataObject
) -> None:
    # Contact labels come from the playbook's rule descriptions and campaign labels
    # (quotes, backslashes, non-BMP), the calendar's name from the caller (control
    # characters and U+2028 too); a calendar named with a lone surrogate cannot be
    # UTF-8 and both writers refuse it.
    raw = playbook.model_dump(mode="python")
    for rule in raw["cadence"]["contact_rules"]:
        rule["description"] = data.draw(UNICODE)
    for camp in raw["cadence"]["campaigns"]:
        camp["label"] = data.draw(UNICODE.filter(lambda s: 1 <= len(s) <= 120))
    hostile = Playbook.model_validate(raw)
    tiers = {k: data.draw(st.sampled_from([t.id for t in hostile.tiers])) for k in case.tiers}
    # Every customer reachable on every channel: their contacts become touchpoints.
    reachable = ContactPreferences(
        consents=[ChannelConsent(channel=ch, marketing=True) for ch in Channel]
    )
    customers = tuple(c.model_copy(update={"contact": reachable}) for c in case.customers)
    plan = _plan(hostile, replace(case, customers=customers), tiers, Named(data.draw(HOSTILE)))
    assert _spliced(plan) == _pydantic(plan)


def test_a_contact_shared_by_two_customers_with_and_without_a_note_of_their_own() -> None:
    # Two customers on the same contact, day and time: one overdue (a note of their
    # own), one not. The writer shares the JSON of the second only.
    pb = presets.PRACTICE
    start = dt.date(2026, 3, 2)
    rule = next(r for r in pb.cadence.contact_rules if r.id == "mass.service")
    interval = rule.interval_days or 1
    people = [
        Customer(key=k, contact={"consents": [{"channel": "sms"}]}) for k in ("A1", "B2", "C3")
    ]
    history = [
        # A1 was due well before the plan (overdue on its first day), B2 exactly on it.
        ContactRecord(customer_key="A1", channel="sms", purpose="service", occasion=rule.id,
                      on=start - dt.timedelta(days=interval + 30)),
        ContactRecord(customer_key="B2", channel="sms", purpose="service", occasion=rule.id,
                      on=start - dt.timedelta(days=interval)),
    ]  # fmt: skip
    for order in (people, people[::-1]):
        plan = plan_contacts(order, pb, start=start, end=dt.date(2026, 6, 30),
                             tiers={c.key: "mass" for c in order}, history=history,
                             calendar=WeekendCalendar())  # fmt: skip
        firsts = {tp.customer_key: tp for tp in plan.touchpoints if tp.on == start}
        assert firsts["A1"].reasons != firsts["B2"].reasons  # the overdue note
        assert plan.model_dump_json() == _pydantic(plan)


def test_the_writer_forgets_a_plan_when_it_is_gone() -> None:
    book = synth.customers(5, seed=5, as_of=dt.date(2026, 11, 30))
    plan = plan_contacts(book, presets.PRACTICE, start=dt.date(2026, 12, 1),
                         end=dt.date(2026, 12, 31), tiers={c.key: "mass" for c in book})  # fmt: skip
    assert plan.touchpoints
    key = id(plan)
    assert key in _plan_json._plans
    del plan
    gc.collect()
    assert key not in _plan_json._plans


@pytest.mark.parametrize("option", [{"indent": 2}, {"exclude": {"load"}}, {"by_alias": True}])
def test_any_option_goes_to_pydantic(option: dict[str, Any]) -> None:
    book = synth.customers(20, seed=5, as_of=dt.date(2026, 11, 30))
    plan = plan_contacts(book, presets.PRACTICE, start=dt.date(2026, 12, 1),
                         end=dt.date(2027, 3, 31), tiers={c.key: "high_end" for c in book},
                         calendar=CN)  # fmt: skip
    assert (
        plan.model_dump_json(**option)
        == plan.__pydantic_serializer__.to_json(plan, **option).decode()
    )
