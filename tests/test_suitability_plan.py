"""The compiled suitability plan, the trace and the one explanation table."""

from __future__ import annotations

import datetime as dt
from enum import IntEnum, IntFlag

import pytest
from hypothesis import given
from hypothesis import strategies as st

import strategies as cst
from custtier import (
    Customer,
    Product,
    ReasonCode,
    check_suitability,
    presets,
    synth,
    trace_suitability,
)
from custtier.errors import InputError
from custtier.rules import Check, Playbook
from custtier.suitability._check import trace
from custtier.suitability._explanation import _RENDER, explain
from custtier.suitability._plan import ProductClass, product_class, suitability_plan
from custtier.suitability._trace import (
    AmountCheck,
    LevelStep,
    SaleFlag,
    SuitabilityOutcome,
    TierCheck,
    TraceKey,
)

AS_OF = dt.date(2026, 11, 30)
SUIT_CODES = {c for c in ReasonCode if c.name.startswith("SUIT_")}


def test_every_suitability_reason_code_has_a_renderer_in_the_explanation_table() -> None:
    assert set(_RENDER) == SUIT_CODES


@pytest.mark.parametrize(
    "enum", [LevelStep, TierCheck, AmountCheck, SaleFlag, SuitabilityOutcome, ProductClass]
)
def test_trace_codes_hash_as_the_ints_they_equal(enum: type[IntEnum | IntFlag]) -> None:
    """Scalar keys (enums) and columnar keys (ints from numpy) find the same table entry."""
    for member in enum:
        assert hash(member) == hash(int(member))
        assert {int(member): 1}[member] == 1


def test_the_plan_is_built_once_per_playbook_and_holds_the_matrix_as_ranks() -> None:
    pb = presets.REGULATORY
    plan = suitability_plan(pb)
    assert suitability_plan(pb) is plan
    products = [lv.id for lv in pb.risk.product_levels]
    for row in pb.risk.suitability:
        rank = plan.levels.index(row.customer_level)
        assert plan.product_levels[plan.caps[rank]] == row.max_product_level
        assert plan.matrix_rules[rank] == row.rule_id
    assert plan.product_levels == tuple(products)
    policy = {p.check: p.rule_id for p in pb.risk.policy}
    assert plan.matrix == policy.get(Check.LEVEL_MATRIX)
    assert plan.recorded == policy.get(Check.RECORDED_SALE)


def test_a_product_under_a_risk_free_category_is_risk_free_only_at_the_lowest_level() -> None:
    plan = suitability_plan(presets.REGULATORY)
    deposit = Product(id="D", name="Deposit", category="deposit", risk_level="R1")
    assert product_class(plan, deposit) is ProductClass.RISK_FREE
    assert product_class(plan, deposit.replace(risk_level="R2")) is ProductClass.MISFILED
    assert product_class(plan, deposit.replace(category="equity_fund")) is ProductClass.ORDINARY


def _keys(pb: Playbook) -> st.SearchStrategy[TraceKey]:
    rows = len(pb.risk.customer_levels)
    return st.builds(
        TraceKey,
        st.sampled_from(list(LevelStep)),
        st.integers(0, rows - 1),
        st.sampled_from(list(TierCheck)),
        st.sampled_from(list(AmountCheck)),
        st.integers(0, 7),
    )


@given(st.data())
def test_a_sale_is_allowed_exactly_when_no_entry_blocks_and_blocks_come_first(
    data: st.DataObject,
) -> None:
    pb = data.draw(cst.playbooks())
    key = data.draw(_keys(pb))
    x = explain(suitability_plan(pb), key)
    blocks = [e.blocks for e in x.entries]
    assert (x.outcome is SuitabilityOutcome.ALLOWED) == (not any(blocks))
    assert blocks == sorted(blocks, reverse=True)  # every block before every note
    assert x.entries  # a decision always has a reason
    if x.outcome is SuitabilityOutcome.BLOCKED:
        assert x.conditions == ()
    assert explain(suitability_plan(pb), key) is x  # built once per key


def test_the_scalar_trace_renders_to_check_suitabilitys_decision() -> None:
    pb = presets.REGULATORY
    c = Customer(
        key="C1",
        birth_date=dt.date(1950, 6, 1),
        risk_assessment={
            "level": "C4",
            "score": 70,
            "assessed_on": "2026-03-01",
            "valid_until": "2027-02-28",
        },
    )
    fund = Product(
        id="EQ-1",
        name="Growth Equity Fund",
        category="equity_fund",
        risk_level="R4",
        minimum_investment="1000.00",
        increment="100.00",
    )
    t = trace(c, fund, suitability_plan(pb), as_of=AS_OF, tier=None, amount=None, in_branch=True)
    assert t.key.level is LevelStep.ELDERLY_CAPPED
    assert t.key.sale == SaleFlag.EXTRA_CONFIRMATION | SaleFlag.RECORDED_SALE
    assert t.decision() == check_suitability(c, fund, pb, as_of=AS_OF, in_branch=True)


# --------------------------------------------------------------------------- trace_suitability


def _c3() -> Customer:
    return Customer(
        key="C000042",
        risk_assessment={
            "level": "C3",
            "score": 50,
            "assessed_on": "2026-03-01",
            "valid_until": "2027-02-28",
        },
    )


def test_trace_suitability_gives_the_outcome_and_renders_check_suitabilitys_decision() -> None:
    pb = presets.REGULATORY
    for product in synth.catalogue(pb):
        for amount in (None, "1000.50", "1000000.00"):
            t, d = (
                check(
                    _c3(), product, pb, as_of=AS_OF, tier="high_end", amount=amount, in_branch=True
                )
                for check in (trace_suitability, check_suitability)
            )
            assert t.allowed is d.allowed
            assert t.outcome is (
                SuitabilityOutcome.ALLOWED if d.allowed else SuitabilityOutcome.BLOCKED
            )
            assert t.decision() == d
            assert product.id in repr(t)


def test_trace_suitability_refuses_what_check_suitability_refuses() -> None:
    odd = Product(id="X", name="X", category="deposit", risk_level="R3")  # misfiled
    with pytest.raises(InputError) as traced:
        trace_suitability(_c3(), odd, presets.REGULATORY, as_of=AS_OF)
    with pytest.raises(InputError) as checked:
        check_suitability(_c3(), odd, presets.REGULATORY, as_of=AS_OF)
    assert traced.value.field == checked.value.field == "product.category"
