"""A counter service that routes on outcomes pays for no message it never reads, and loses none.

Issue 13: suitability decisions hold what a caller routes on and render
their reasons when read, and their audit JSON is written from shared
fragments. These tests do the user's task through the public API and hold
the answers to the ones a decision read whole gives. Nothing here is timed.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle

from custtier import (
    Customer,
    SuitabilityDecision,
    assign_tier,
    check_catalogue,
    check_suitability,
    presets,
    synth,
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
