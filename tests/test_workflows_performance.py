"""Issue 13's fast single-customer paths do the user's task and lose no answer.

Suitability decisions hold what a caller routes on and render their reasons
when read, and their audit JSON is written from shared fragments; the
contact planner shares what a contact is, apart from whom it is for, across
every customer planned on the same tables (playbook, horizon, calendar).
These tests do the user's task through the public API and hold the answers
to the ones a decision read whole, or the nightly book, gives. Nothing here
is timed.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
from typing import Any

from custtier import (
    ContactPlan,
    Customer,
    HolidaysCalendar,
    ReasonCode,
    SuitabilityDecision,
    Touchpoint,
    assign_tier,
    check_catalogue,
    check_suitability,
    plan_contacts,
    presets,
    synth,
    tier_book,
)

AS_OF = dt.date(2026, 11, 30)


def test_a_counter_service_checks_the_whole_catalogue_and_reads_only_the_outcomes() -> None:
    pb = presets.REGULATORY
    shelf = synth.catalogue(pb)
    records = [
        c.to_record(reveal_personal_data=True)
        for c in synth.customers(25, seed=41, as_of=AS_OF, playbook=pb)
    ]
    for record in records:
        # The service: validate, tier, check the shelf, offer what is allowed, log the JSON.
        customer = Customer.from_record(record)
        tier = assign_tier(customer, pb, as_of=AS_OF)
        decisions = check_catalogue(customer, shelf, pb, as_of=AS_OF, tier=tier, in_branch=True)
        offered = [d.product_id for d in decisions if d.allowed]
        logged = [d.model_dump_json() for d in decisions]

        # The same sales checked one by one, each read whole before anything else.
        one_by_one = [
            check_suitability(customer, p, pb, as_of=AS_OF, tier=tier, in_branch=True)
            for p in shelf
        ]
        texts = [d.explain() for d in one_by_one]
        assert offered == [d.product_id for d in one_by_one if d.allowed]
        assert [d.outcome for d in decisions] == [d.outcome for d in one_by_one]
        assert logged == [d.model_dump_json() for d in one_by_one]
        # Reading the reasons afterwards gives the same text, in both languages.
        assert [d.explain() for d in decisions] == texts
        assert [d.explain("zh_CN") for d in decisions] == [d.explain("zh_CN") for d in one_by_one]
        # The audit log reads back to the decisions, and pickles to another worker intact.
        assert [SuitabilityDecision.from_audit_json(line) for line in logged] == list(decisions)
        assert pickle.loads(pickle.dumps(decisions)) == tuple(one_by_one)
        assert all(
            json.loads(line)["product_id"] == p.id for line, p in zip(logged, shelf, strict=True)
        )


NEXT_YEAR = (dt.date(2027, 1, 1), dt.date(2027, 12, 31))


def test_a_branch_plans_next_year_for_one_walk_in_customer_and_gets_the_same_plan_as_the_nightly_book() -> (
    None
):
    pb = presets.PRACTICE
    book = synth.customers(120, seed=53, as_of=AS_OF, playbook=pb)
    calendar = HolidaysCalendar("CN")  # 2027's arrangement is not published yet: provisional days
    start, end = NEXT_YEAR

    # The nightly job: tier the book, plan next year for everyone.
    tiering = tier_book(book, pb, as_of=AS_OF)
    nightly_tiers = {d.customer_key: d for d in tiering.decisions}
    nightly = plan_contacts(book, pb, start=start, end=end, tiers=nightly_tiers, calendar=calendar)

    walk_ins = [c.to_record(reveal_personal_data=True) for c in book[::7]]
    for record in walk_ins:
        # At the branch: the customer's record as the core system exports it, tiered on
        # the spot against the nightly Pareto cut, next year planned for them alone, the
        # plan logged as JSON.
        customer = Customer.from_record(record)
        tier = assign_tier(customer, pb, as_of=AS_OF, pareto_cut=tiering.pareto_cut)
        plan = plan_contacts(
            [customer], pb, start=start, end=end, tiers={customer.key: tier}, calendar=calendar
        )
        logged = plan.model_dump_json()

        # The same contacts, on the same days, for the same reasons as the nightly book's.
        # Only a manager's call may be timed later in the book: there the manager's
        # other customers' calls that day come first (quiet hours space them out).
        theirs = [tp for tp in nightly.touchpoints if tp.customer_key == customer.key]
        missed = [u for u in nightly.unscheduled if u.customer_key == customer.key]
        assert [_untimed(tp) for tp in plan.touchpoints] == [_untimed(tp) for tp in theirs]
        for mine, booked in zip(plan.touchpoints, theirs, strict=True):
            if mine.manager_id is None or mine.at == booked.at:
                assert mine.model_dump_json() == booked.model_dump_json()
            else:
                assert mine.at is not None
                assert booked.at is not None
                assert mine.at < booked.at
        assert [u.model_dump_json() for u in plan.unscheduled] == [
            u.model_dump_json() for u in missed
        ]
        assert plan.required == len(theirs) + len(missed)
        assert plan.provisional == sum(
            any(r.code is ReasonCode.CADENCE_PROVISIONAL for r in tp.reasons) for tp in theirs
        )
        # Planned first thing in a fresh process (nothing shared yet), it is the same plan.
        fresh = plan_contacts(
            [customer], pb, start=start, end=end, tiers={customer.key: tier},
            calendar=HolidaysCalendar("CN"),
        )  # fmt: skip
        assert fresh.model_dump_json() == logged
        # The log reads back to the plan, and the plan pickles to another worker intact.
        assert ContactPlan.model_validate_json(logged) == plan
        assert pickle.loads(pickle.dumps(plan)) == plan
        assert json.loads(logged)["touchpoints"] == [
            json.loads(tp.model_dump_json()) for tp in plan.touchpoints
        ]
    # The year not yet arranged is flagged where it can move something, not everywhere.
    assert 0 < nightly.provisional < len(nightly.touchpoints)


def _untimed(tp: Touchpoint) -> dict[str, Any]:
    """A touchpoint's JSON fields without its clock time and the reason quoting it."""
    fields: dict[str, Any] = json.loads(tp.model_dump_json())
    del fields["at"]
    fields["reasons"] = [r for r in fields["reasons"] if r["code"] != "CADENCE_QUIET_HOURS"]
    return fields
