"""Acceptance: a bank's own playbook gets the same answers from the scalar and columnar paths.

A bank starts from a shipped preset and writes its own rules: its currency, two
bases of its own, its Pareto share, its review months, its suitability policy,
its contact rules. Whichever path it runs a book through (one customer at a
time at the counter, or the whole book as a table overnight), every customer
gets the same tier, the same suitability answer and the same contacts.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest

pa = pytest.importorskip("pyarrow", reason='columnar tests need pip install "custtier[frames]"')

import custtier.frames as cf  # noqa: E402  # after the importorskip above, on purpose
from custtier import (  # noqa: E402
    Playbook,
    check_suitability,
    plan_contacts,
    presets,
    synth,
    tier_book,
)

AS_OF = dt.date(2026, 11, 30)


def harbour_bank() -> Playbook:
    """A bank's own playbook, written as JSON from the practice preset, every engine changed."""
    data = json.loads(presets.PRACTICE.canonical_json())
    data |= {"id": "harbour_bank", "version": "3.1", "currency": "USD", "rounding": "ROUND_HALF_UP"}
    tiers = ["mass", "mid_end", "high_end"]
    data["tiering"] |= {
        "bases": [
            {"basis": "assets_under_management", "bands": [
                {"rule_id": f"hb.aum.{t}", "tier": t, "lower": lo, "upper": hi}
                for t, lo, hi in zip(tiers, ["0", "25000", "250000"], ["25000", "250000", None],
                                     strict=True)]},
            {"basis": "average_daily_balance", "window_months": 6, "min_months": 4,
             "missing_months": "average_available", "bands": [
                {"rule_id": f"hb.adb.{t}", "tier": t, "lower": lo, "upper": hi}
                for t, lo, hi in zip(tiers, ["0", "10000", "100000.50"],
                                     ["10000", "100000.50", None], strict=True)]},
        ],
        "combine": "lowest",
        "pareto": {"rule_id": "hb.top_profit", "tier": "mid_end", "profit_share": "0.65"},
        "hysteresis": {"rule_id": "hb.hold", "grace_months": 2, "buffer": "0.15",
                       "review_months": [3, 9], "max_buffer_months": 9},
    }  # fmt: skip
    policy = {p["check"]: p for p in data["risk"]["policy"]}
    data["risk"]["policy"] = [policy[c] for c in ("minimum_and_increment", "level_matrix",
                              "assessment_required", "elderly_confirmation", "cooling_off")]  # fmt: skip
    data["risk"] |= {"elderly_age": 60, "validity_months": 18}
    data["risk"]["suitability"][1]["max_product_level"] = "low"  # "steady" buys only low risk
    rules = {r["id"]: r for r in data["cadence"]["contact_rules"]}
    rules["high_end.visit"] |= {"interval_days": None, "rrule": "FREQ=MONTHLY;BYMONTHDAY=-1",
                                "anchor": "2026-01-31"}  # fmt: skip
    rules["mass.service"] |= {"interval_days": 120, "channel": "email"}
    rules["mid_end.kyc"]["lead_days"] = 45
    del rules["mid_end.salon"]
    data["cadence"]["contact_rules"] = list(rules.values())
    data["cadence"] |= {"leap_day": "mar1"}
    return Playbook.model_validate_json(json.dumps(data))


def test_a_banks_own_playbook_gets_the_same_answers_scalar_and_columnar() -> None:
    pb = harbour_bank()
    book = synth.book(150, seed=13, as_of=AS_OF, playbook=pb)

    # Tiering: the whole book one customer at a time, and as one table.
    scalar = tier_book(book.customers, pb, as_of=AS_OF)
    assert not scalar.errors
    table = cf.tier_table(cf.tier_input_table(book.customers, pb, as_of=AS_OF), pb, as_of=AS_OF)
    assert cf.table_digest(table) == cf.table_digest(cf.tier_output_table(scalar, pb))
    tiers = {d.customer_key: d.outcome for d in scalar.decisions}
    assert len(set(tiers.values())) == 3  # every tier is reached: the comparison means something

    # Suitability: every customer against the catalogue, at the counter and in bulk.
    ids = [p.id for p in book.catalogue]
    pairs = cf.suitability_input_table(book.customers, ids, tiers=tiers)
    rows = cf.suitability_table(pairs, book.catalogue, pb, as_of=AS_OF).to_pylist()
    at_counter = [
        check_suitability(c, p, pb, as_of=AS_OF, tier=tiers[c.key])
        for c in book.customers
        for p in book.catalogue
    ]
    assert len(rows) == len(at_counter)
    for row, d in zip(rows, at_counter, strict=True):
        assert (row["outcome"], row["reason_codes"], row["rule_ids"]) == (
            d.outcome, [r.code.value for r in d.reasons], [r.rule_id for r in d.reasons],
        )  # fmt: skip
    assert {r["outcome"] for r in rows} >= {"allowed", "blocked"}

    # Cadence: the planner places or explains every contact the columnar expansion lists.
    start, end = dt.date(2026, 12, 1), dt.date(2027, 11, 30)
    plan = plan_contacts(book.customers, pb, start=start, end=end, tiers=tiers)
    assert not plan.errors
    occasions = cf.occasions_table(
        cf.occasions_input_table(book.customers, tiers), pb, start=start, end=end
    ).to_pylist()
    assert all(r["error_code"] is None for r in occasions)
    planned = Counter((t.customer_key, t.rule_id) for t in plan.touchpoints)
    planned.update((u.customer_key, u.rule_id) for u in plan.unscheduled)
    assert Counter((r["customer_key"], r["rule_id"]) for r in occasions) == planned
    assert plan.required == len(occasions)
    assert any(r["rule_id"] == "high_end.visit" for r in occasions)
