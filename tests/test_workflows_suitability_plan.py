"""Acceptance: the counter and the nightly batch decide a sale the same way, reason for reason.

A branch checks a 70-year-old customer against the bank's whole catalogue at
the counter, one product at a time (``check_suitability``); that night the
batch checks the same pairs in one table (``custtier.frames.suitability_table``).
Both evaluate the same compiled suitability plan and take their reasons from
the same explanation table, so the compliance officer reading either sees the
same outcome, the same conditions, and the same reasons in the same order, in
English and in Chinese.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from custtier import Customer, ReasonCode, check_suitability, presets, synth

cf = pytest.importorskip("custtier.frames", reason='needs "custtier[frames]"')
pa = pytest.importorskip("pyarrow")

REG = presets.REGULATORY
AS_OF = dt.date(2026, 11, 30)
CJK = re.compile(r"[\u4e00-\u9fff]")
COMPARED = [
    "customer_key",
    "product_id",
    "outcome",
    "allowed",
    "conditions",
    "cooling_off_hours",
    "nearest_valid_amounts",
    "reason_codes",
    "rule_ids",
]


def _seventy_year_old() -> Customer:
    return Customer(
        key="C000070",
        birth_date=dt.date(1956, 5, 20),
        risk_assessment={
            "level": "C4",
            "score": 68,
            "assessed_on": "2026-03-01",
            "valid_until": "2027-02-28",
        },
    )


def _amount(product_index: int) -> Decimal:
    # Some amounts on each product's grid, some off it, some below its minimum.
    return (Decimal("250000.50"), Decimal("1000000.00"), Decimal("30.00"))[product_index % 3]


def test_a_branch_and_the_nightly_batch_check_a_70_year_old_against_the_catalogue_alike() -> None:
    customer = _seventy_year_old()
    catalogue = synth.catalogue(REG)
    amounts = {(customer.key, p.id): _amount(i) for i, p in enumerate(catalogue)}

    # At the counter: one product at a time, an in-branch sale to a high-end customer.
    counter = [
        check_suitability(
            customer,
            p,
            REG,
            as_of=AS_OF,
            tier="high_end",
            amount=amounts[customer.key, p.id],
            in_branch=True,
        )
        for p in catalogue
    ]

    # At night: the same pairs in one table.
    pairs = cf.suitability_input_table(
        [customer], catalogue, tiers={customer.key: "high_end"}, amounts=amounts
    )
    pairs = pairs.set_column(
        pairs.schema.get_field_index("in_branch"), "in_branch", pa.array([True] * pairs.num_rows)
    )
    batch = cf.suitability_table(pairs, catalogue, REG, as_of=AS_OF)

    # Same outcomes, conditions, nearest amounts and reasons in the same order.
    assert batch.column("error_code").null_count == batch.num_rows
    expected = cf.results_table(counter).select(COMPARED).to_pylist()
    assert batch.select(COMPARED).to_pylist() == expected

    # The policy actually spoke: the elderly cap, the conditions, the risk-free sale.
    by_id = {d.product_id: d for d in counter}
    capped = by_id["EQ-CSI300"]  # R4: within C4's row, above the C3 cap of a 65+ customer
    assert not capped.allowed
    assert capped.reasons[0].code is ReasonCode.SUIT_ELDERLY_CAP
    steady = by_id["BF-CONV"]  # R3, on the grid
    assert [r.code for r in steady.reasons][-2:] == [
        ReasonCode.SUIT_ELDERLY_CONFIRM,
        ReasonCode.SUIT_RECORDED_SALE,
    ]
    deposit = by_id["DEP-1Y"]  # risk-free: no confirmation, no recording
    assert [r.code for r in deposit.reasons] == [ReasonCode.SUIT_RISK_FREE]

    # The officer reads each decision in English and in Chinese: one line per
    # reason, in the batch row's order.
    for decision, row in zip(counter, batch.to_pylist(), strict=True):
        for locale in ("en", "zh_CN"):
            lines = decision.explain(locale, playbook=REG).splitlines()[1:]
            terms = REG.terms(locale)
            assert len(lines) == len(row["reason_codes"])
            for line, reason, code in zip(
                lines, decision.reasons, row["reason_codes"], strict=True
            ):
                assert reason.code.value == code
                assert reason.text(locale, terms) in line
                assert bool(CJK.search(line)) is (locale == "zh_CN")
