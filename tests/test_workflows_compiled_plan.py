"""Acceptance: one compiled plan per playbook, one trace, one explanation table, both paths.

A bank adds its own playbook: profit bands with a loss band open below,
assets under management, the lowest basis deciding, a Pareto share,
hysteresis with review months, manual overrides. It tiers its book one
customer at a time and as one table, this month and next month (with this
month's decisions as the previous run), and gets the same tier, movement,
reasons and rule ids from both paths. A service that needs only the tier
(a routing decision at the counter) traces the customer and builds no
message at all; when an auditor asks, the same trace renders the full
decision.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow", reason='columnar tests need pip install "custtier[frames]"')

import custtier.frames as cf  # noqa: E402  # after the importorskip above, on purpose
from custtier import (  # noqa: E402
    Customer,
    Override,
    Playbook,
    Reason,
    assign_tier,
    check_catalogue,
    plan_contacts,
    presets,
    synth,
    tier_book,
    trace_tier,
)

AS_OF = dt.date(2026, 11, 30)
CENT = Decimal("0.01")


def river_bank() -> Playbook:
    """A bank's own tiering, written as JSON from the practice preset."""
    data = json.loads(presets.PRACTICE.canonical_json())
    data |= {"id": "river_bank", "version": "2.0", "rounding": "ROUND_HALF_DOWN"}
    tiers = ["mass", "mid_end", "high_end"]
    data["tiering"] |= {
        "bases": [
            {"basis": "profit_contribution", "bands": [
                {"rule_id": f"rb.profit.{t}", "tier": t, "lower": lo, "upper": hi}
                for t, lo, hi in zip(tiers, [None, "800", "9000"], ["800", "9000", None],
                                     strict=True)]},
            {"basis": "assets_under_management", "bands": [
                {"rule_id": f"rb.aum.{t}", "tier": t, "lower": lo, "upper": hi}
                for t, lo, hi in zip(tiers, ["0", "40000", "400000"], ["40000", "400000", None],
                                     strict=True)]},
        ],
        "combine": "lowest",
        "pareto": {"rule_id": "rb.top_profit", "tier": "mid_end", "profit_share": "0.5"},
        "hysteresis": {"rule_id": "rb.hold", "grace_months": 1, "buffer": "0.2",
                       "review_months": [3, 9], "max_buffer_months": 3},
    }  # fmt: skip
    return Playbook.model_validate_json(json.dumps(data))


def _previous_table(decisions: Any) -> Any:
    return pa.table(
        {
            "customer_key": [d.customer_key for d in decisions],
            "tier": [d.outcome for d in decisions],
            "as_of": pa.array([d.as_of for d in decisions], pa.date32()),
            "below_since": pa.array([d.below_since for d in decisions], pa.date32()),
            "held_since": pa.array([d.held_since for d in decisions], pa.date32()),
            "movement": [d.movement.value for d in decisions],
        }
    )


def test_a_bank_adds_its_own_playbook_and_gets_the_same_tiers_from_the_scalar_and_columnar_paths() -> (  # the task's name
    None
):
    pb = river_bank()
    customers = synth.customers(200, seed=21, as_of=AS_OF, playbook=pb)
    keys = [c.key for c in customers]
    overrides = [
        Override(customer_key=keys[0], tier="high_end", reference="OVR-1", set_by="RM-1",
                 set_on=AS_OF, expires_on=dt.date(2026, 12, 31)),
        Override(customer_key=keys[1], tier="mass", reference="OVR-2", set_by="RM-1",
                 set_on=dt.date(2027, 1, 1), expires_on=dt.date(2027, 6, 30)),
    ]  # fmt: skip

    runs = []  # (customers, decisions) per month-end
    previous = None
    for as_of, book in [
        (AS_OF, customers),
        # Three months on: some grew, some fell inside the buffer, some far below it.
        (dt.date(2027, 2, 28), [_moved(c, i) for i, c in enumerate(customers)]),
        # A review month after the buffer's three months of hold and the month of grace.
        (dt.date(2027, 9, 30), [_moved(c, i) for i, c in enumerate(customers)]),
    ]:
        scalar = tier_book(book, pb, as_of=as_of, previous=previous, overrides=overrides)
        assert not scalar.errors
        table = cf.tier_input_table(book, pb, as_of=as_of)
        prev: Any = None if previous is None else _previous_table(previous)
        out = cf.tier_table(table, pb, as_of=as_of, previous=prev, overrides=overrides)
        assert cf.table_digest(out) == cf.table_digest(cf.tier_output_table(scalar, pb))
        runs.append((book, scalar))
        previous = scalar.decisions

    # The comparison means something: every tier, every kind of movement, both override states.
    decisions = [d for _, run in runs for d in run.decisions]
    assert {d.outcome for d in decisions} == {"mass", "mid_end", "high_end"}
    assert {d.movement.value for d in decisions} >= {"same", "up", "down", "held", "overridden"}
    codes = {r.code.value for d in decisions for r in d.reasons}
    assert codes >= {"TIER_BAND", "TIER_PARETO", "TIER_HELD", "TIER_DOWNGRADE", "TIER_OVERRIDE",
                     "TIER_OVERRIDE_PENDING", "TIER_UPGRADE"}  # fmt: skip

    # At the counter, one customer with the nightly cut gets the book's decision.
    (book, last), (_, before) = runs[-1], runs[-2]
    for d in last.decisions[:40]:
        c = next(c for c in book if c.key == d.customer_key)
        prev = next(p for p in before.decisions if p.customer_key == d.customer_key)
        ovr = next((o for o in overrides if o.customer_key == c.key), None)
        single = assign_tier(c, pb, as_of=last.as_of, previous=prev, override=ovr,
                             pareto_cut=last.pareto_cut)  # fmt: skip
        assert single == d


def _moved(c: Customer, i: int) -> Customer:
    """Every third customer grows threefold; every fifth falls to half; every seventh by 10 %."""
    factor = Decimal(3) if i % 3 == 0 else Decimal("0.5") if i % 5 == 0 else (
        Decimal("0.9") if i % 7 == 0 else Decimal(1))  # fmt: skip
    return c.replace(
        assets_under_management=(c.assets_under_management * factor).quantize(CENT),
        annual_profit_contribution=(c.annual_profit_contribution * factor).quantize(CENT),
    )


def test_a_caller_who_needs_only_the_outcome_does_not_pay_for_the_messages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pb = presets.PRACTICE
    customers = synth.customers(100, seed=5, as_of=AS_OF, playbook=pb)
    expected = [assign_tier(c, pb, as_of=AS_OF) for c in customers]

    built: list[Reason] = []
    original = Reason.of

    def counting(*args: Any, **kwargs: Any) -> Reason:
        built.append(original(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(Reason, "of", counting)
    traces = [trace_tier(c, pb, as_of=AS_OF) for c in customers]
    routed = {t.customer_key: t.tier for t in traces}
    assert not built  # the tiers are known, and no reason, fact or message was built
    assert routed == {d.customer_key: d.outcome for d in expected}

    # An auditor asks about one customer: its decision renders its reasons when read.
    audit = traces[7].decision()
    assert not built
    assert audit.reasons
    assert built
    assert audit == expected[7]
    assert audit.to_audit_json() == expected[7].to_audit_json()


# --------------------------------------------------------------------------- contact rules


def river_bank_contacts() -> Playbook:
    """The bank's own contact rules: each changed once, in the playbook, nowhere else."""
    data = json.loads(presets.PRACTICE.canonical_json())
    data |= {"id": "river_bank_contacts", "version": "1.0"}
    cad = data["cadence"]
    cad["leap_day"] = "mar1"  # a 29 February birthday is greeted on 1 March
    for review in cad["kyc_reviews"]:
        review["interval_months"] = {"high": 9, "medium": 12, "low": 18}[review["aml_rating"]]
    for rule in cad["contact_rules"]:
        if rule["occasion"] == "periodic":
            rule["interval_days"] = 45
        if rule["occasion"] in {"kyc_refresh", "risk_reassessment", "product_maturity"}:
            rule["lead_days"] = 10
    cad["campaigns"].append({
        "id": "camp.2027.pension", "label": "Pension planning", "channel": "phone",
        "purpose": "marketing", "owner": "manager", "priority": 5, "duration_minutes": 20,
        "offer": "wealth_product_entry", "source": "practice",
        "start_on": "2027-01-04", "end_on": "2027-01-29",
        "segment": {"tiers": ["mass", "mid_end"], "min_age": 50, "max_age": 64, "needs_any": []},
    })  # fmt: skip
    data["risk"]["validity_months"] = 9
    return Playbook.model_validate_json(json.dumps(data))


def test_a_bank_changes_its_contact_rules_once_and_the_table_plans_what_the_planner_plans() -> None:
    """Each contact rule exists once: the table of a book asks for exactly the planner's contacts."""
    pb = river_bank_contacts()
    customers = list(synth.customers(300, seed=13, as_of=AS_OF, playbook=pb))
    leapling = customers[0] = customers[0].model_copy(  # born on 29 February, no KYC file
        update={"birth_date": dt.date(1988, 2, 29), "kyc": None}
    )
    tiers = {d.customer_key: d for d in tier_book(customers, pb, as_of=AS_OF).decisions}
    start, end = AS_OF + dt.timedelta(days=1), AS_OF + dt.timedelta(days=180)
    plan = plan_contacts(customers, pb, start=start, end=end, tiers=tiers)
    table = cf.occasions_table(cf.occasions_input_table(customers, tiers), pb, start=start, end=end)
    planned = sorted(
        [(x.customer_key, x.rule_id, str(x.due_on), x.label) for x in plan.touchpoints]
        + [(x.customer_key, x.rule_id, str(x.due_on), x.label) for x in plan.unscheduled]
    )
    listed = sorted(
        (r["customer_key"], r["rule_id"], str(r["due_on"]), r["label"])
        for r in table.select(["customer_key", "rule_id", "due_on", "label"]).to_pylist()
    )
    assert table.column("error_code").null_count == table.num_rows  # every row a contact
    assert plan.required == len(planned) == len(listed)
    assert listed == planned
    # The changed rules are the ones applied, on both paths.
    rules = {rule_id for _, rule_id, _, _ in listed}
    assert {"camp.2027.pension", "mass.service"} <= rules
    leap = [
        x for x in plan.touchpoints if any(r.code.value == "CADENCE_LEAP_DAY" for r in x.reasons)
    ]
    assert [(x.customer_key, x.due_on) for x in leap] == [(leapling.key, dt.date(2027, 3, 1))]


# --------------------------------------------------------------------------- suitability


def test_a_bank_changes_its_sales_rules_once_and_the_table_sells_what_the_counter_sells() -> None:
    """Validity, elderly age and matrix exist once: a book's table equals the counter's checks."""
    data = json.loads(presets.PRACTICE.canonical_json())
    data |= {"id": "river_bank_sales", "version": "1.0"}
    data["risk"] |= {"validity_months": 9, "elderly_age": 60}
    pb = Playbook.model_validate_json(json.dumps(data))
    customers = synth.customers(200, seed=21, as_of=AS_OF, playbook=pb)
    catalogue = synth.catalogue(pb)
    tiers = {d.customer_key: d.outcome for d in tier_book(customers, pb, as_of=AS_OF).decisions}
    table = cf.suitability_table(
        cf.suitability_input_table(customers, catalogue, tiers=tiers), catalogue, pb, as_of=AS_OF
    )
    counter = [
        (d.customer_key, d.product_id, d.outcome, [r.code.value for r in d.reasons])
        for c in customers
        for d in check_catalogue(c, catalogue, pb, as_of=AS_OF, tier=tiers[c.key])
    ]
    listed = [
        (r["customer_key"], r["product_id"], r["outcome"], r["reason_codes"])
        for r in table.to_pylist()
    ]
    assert listed == counter
    codes = {code for *_, reasons in listed for code in reasons}
    # The changed rules bind: assessments lapse after 9 months, customers of 60 are elderly.
    assert {"SUIT_ASSESSMENT_EXPIRED", "SUIT_ELDERLY_CONFIRM", "SUIT_ELDERLY_CAP"} <= codes
