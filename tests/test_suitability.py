"""Risk assessment, suitability and allocation, as a compliance officer reads them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from custtier import (
    Condition,
    Customer,
    Product,
    ReasonCode,
    allocate,
    assess_risk,
    check_suitability,
    presets,
    tier_services,
)
from custtier.errors import InputError

PRACTICE = presets.PRACTICE
REGULATORY = presets.REGULATORY
AS_OF = dt.date(2026, 11, 30)

ANSWERS_LOW = {"q_age": "d", "q_finances": "a", "q_experience": "a", "q_objective": "a",
               "q_horizon": "a", "q_liquidity": "a", "q_loss": "a"}  # fmt: skip
ANSWERS_HIGH = {"q_age": "b", "q_finances": "d", "q_experience": "d", "q_objective": "d",
                "q_horizon": "d", "q_liquidity": "d", "q_loss": "e"}  # fmt: skip


def assessed(
    level: str, *, key: str = "C1", valid_until: str = "2027-02-28", **kw: Any
) -> Customer:
    ra = {"level": level, "score": 50, "assessed_on": "2026-03-01", "valid_until": valid_until}
    return Customer(key=key, risk_assessment=ra, **kw)


def product(pid: str, category: str, level: str, **kw: Any) -> Product:
    fields: dict[str, Any] = {"minimum_investment": "1000.00", "increment": "100.00"}
    return Product(id=pid, name=pid, category=category, risk_level=level, **(fields | kw))


def codes(decision: Any) -> list[ReasonCode]:
    return [r.code for r in decision.reasons]


# --- assessment -------------------------------------------------------------


def test_the_lowest_answers_give_the_lowest_level_and_the_highest_the_highest() -> None:
    assert assess_risk(ANSWERS_LOW, REGULATORY, as_of=AS_OF).outcome == "C1"
    assert assess_risk(ANSWERS_HIGH, REGULATORY, as_of=AS_OF).outcome == "C5"
    assert assess_risk(ANSWERS_LOW, PRACTICE, as_of=AS_OF).outcome == "conservative"
    assert assess_risk(ANSWERS_HIGH, PRACTICE, as_of=AS_OF).outcome == "aggressive"


@pytest.mark.parametrize(("score", "level"), [(20, "C1"), (21, "C2"), (45, "C2"), (46, "C3"),
                                              (70, "C3"), (71, "C4"), (85, "C4"), (86, "C5")])  # fmt: skip
def test_regulatory_score_bands_are_20_45_70_85_100(score: int, level: str) -> None:
    band = next(b for b in REGULATORY.risk.score_bands if b.lower <= score <= b.upper)
    assert band.level == level


def test_an_assessment_is_valid_for_twelve_months_and_records_the_playbook() -> None:
    d = assess_risk(ANSWERS_HIGH, REGULATORY, as_of=dt.date(2026, 3, 1))
    assert d.score == 100
    assert d.assessment.valid_until == dt.date(2027, 2, 28)
    assert d.assessment.playbook_id == REGULATORY.id
    assert d.reasons[0].code is ReasonCode.RISK_SCORED
    assert d.reasons[0].rule_id == "risk.band.C5"


def test_an_elderly_customer_is_capped_and_flagged_for_extra_confirmation() -> None:
    d = assess_risk(ANSWERS_HIGH, REGULATORY, as_of=AS_OF, birth_date=dt.date(1955, 1, 1))
    assert d.outcome == "C3"
    assert d.elderly
    assert d.requires_extra_confirmation
    assert ReasonCode.RISK_ELDERLY_CAP in codes(d)
    young = assess_risk(ANSWERS_HIGH, REGULATORY, as_of=AS_OF, birth_date=dt.date(1962, 12, 1))
    assert young.outcome == "C5"
    assert not young.elderly


def test_unanswered_unknown_and_doubled_answers_are_refused_naming_the_question() -> None:
    missing = dict(ANSWERS_LOW)
    del missing["q_loss"]
    with pytest.raises(InputError) as info:
        assess_risk(missing, REGULATORY, as_of=AS_OF)
    assert info.value.field == "q_loss"
    with pytest.raises(InputError):
        assess_risk(ANSWERS_LOW | {"q_loss": "z"}, REGULATORY, as_of=AS_OF)
    with pytest.raises(InputError):
        assess_risk(ANSWERS_LOW | {"q_shoe_size": "a"}, REGULATORY, as_of=AS_OF)


# --- suitability ------------------------------------------------------------


@pytest.mark.parametrize(("customer_level", "product_level", "allowed"), [
    ("C1", "R1", True), ("C1", "R2", False), ("C3", "R3", True), ("C3", "R4", False),
    ("C5", "R5", True),
])  # fmt: skip
def test_never_sell_above_the_customers_level(
    customer_level: str, product_level: str, allowed: bool
) -> None:
    d = check_suitability(assessed(customer_level), product("P", "bond_fund", product_level),
                          REGULATORY, as_of=AS_OF)  # fmt: skip
    assert d.allowed is allowed
    expected = ReasonCode.SUIT_LEVEL_OK if allowed else ReasonCode.SUIT_LEVEL_EXCEEDED
    assert d.reasons[0].code is expected
    assert d.reasons[0].rule_id == f"suit.{customer_level}"
    assert d.reasons[0].facts["max"] == f"R{customer_level[1]}"


def test_without_a_valid_assessment_only_deposits_may_be_sold() -> None:
    no_ra = Customer(key="C1")
    expired = assessed("C5", valid_until="2026-11-29")
    bond = product("BF", "bond_fund", "R2")
    deposit = product("TD", "deposit", "R1")
    blocked = check_suitability(no_ra, bond, REGULATORY, as_of=AS_OF)
    assert codes(blocked) == [ReasonCode.SUIT_NO_ASSESSMENT]
    stale = check_suitability(expired, bond, REGULATORY, as_of=AS_OF)
    assert codes(stale) == [ReasonCode.SUIT_ASSESSMENT_EXPIRED]
    assert check_suitability(no_ra, deposit, REGULATORY, as_of=AS_OF).allowed
    assert check_suitability(expired, deposit, REGULATORY, as_of=AS_OF).allowed


def test_products_reserved_for_high_end_are_blocked_for_others() -> None:
    private = product("PW", "private_wealth", "R5", reserved_for_tiers=["private_banking"],
                      minimum_investment="1000000.00", cooling_off_hours=24)  # fmt: skip
    c = assessed("C5")
    assert not check_suitability(c, private, REGULATORY, as_of=AS_OF, tier="high_end").allowed
    ok = check_suitability(c, private, REGULATORY, as_of=AS_OF, tier="private_banking")
    assert ok.allowed
    assert ok.conditions == (Condition.COOLING_OFF,)
    assert ok.cooling_off_hours == 24


def test_amounts_below_the_minimum_or_off_the_increment_get_the_nearest_valid_amounts() -> None:
    wm = product("WM", "fixed_income_wm", "R2", minimum_investment="10000.00",
                 increment="1000.00")  # fmt: skip
    c = assessed("C3")
    low = check_suitability(c, wm, REGULATORY, as_of=AS_OF, amount="9999.99")
    assert codes(low)[0] is ReasonCode.SUIT_BELOW_MINIMUM
    assert low.nearest_valid_amounts == (Decimal("10000.00"),)
    off = check_suitability(c, wm, REGULATORY, as_of=AS_OF, amount="12500.00")
    assert codes(off)[0] is ReasonCode.SUIT_OFF_INCREMENT
    assert off.nearest_valid_amounts == (Decimal("12000.00"), Decimal("13000.00"))
    assert check_suitability(c, wm, REGULATORY, as_of=AS_OF, amount="13000.00").allowed


def test_elderly_customers_and_in_branch_sales_are_flagged_not_blocked() -> None:
    c = assessed("C3", birth_date=dt.date(1950, 6, 1))
    d = check_suitability(c, product("BF", "bond_fund", "R3"), REGULATORY, as_of=AS_OF,
                          in_branch=True)  # fmt: skip
    assert d.allowed
    assert d.conditions == (Condition.EXTRA_CONFIRMATION, Condition.RECORDED_SALE)
    deposit = check_suitability(c, product("TD", "deposit", "R1"), REGULATORY, as_of=AS_OF,
                                in_branch=True)  # fmt: skip
    assert deposit.conditions == ()


def test_a_product_the_playbook_does_not_know_is_an_input_error() -> None:
    with pytest.raises(InputError) as info:
        check_suitability(assessed("C3"), product("X", "bond_fund", "R9"), REGULATORY, as_of=AS_OF)
    assert info.value.field == "product.risk_level"


# --- allocation -------------------------------------------------------------

CATALOGUE = [
    product("TD-1Y", "deposit", "R1", minimum_investment="50.00", increment="0.01"),
    product("MMF", "money_market", "R1", minimum_investment="1.00", increment="0.01"),
    product("BOND", "bond_fund", "R2"),
    product("WM-90", "fixed_income_wm", "R2", minimum_investment="10000.00",
            increment="1000.00"),
    product("BAL", "balanced_fund", "R3"),
    product("EQ", "equity_fund", "R4"),
    product("STR", "structured_product", "R4", minimum_investment="50000.00",
            increment="10000.00"),
    product("PRIV", "private_wealth", "R5", minimum_investment="1000000.00",
            reserved_for_tiers=["private_banking"], cooling_off_hours=24),
    product("PEN", "pension_product", "R2", needs_served=["pension"]),
]  # fmt: skip


def test_a_conservative_allocation_follows_the_model_portfolio_to_the_cent() -> None:
    d = allocate(assessed("C2"), "123456.78", CATALOGUE, REGULATORY, as_of=AS_OF)
    amounts = {line.product_id: line.amount for line in d.lines}
    assert sum(amounts.values()) + d.unplaced == Decimal("123456.78")
    # 25% of 123,456.78 is 30,864.195 → 30,864.19 or .20 (largest remainder), and
    # the 10,000 + k × 1,000 grid takes 30,000.00 of it; the rest is cash.
    assert amounts["WM-90"] == Decimal("30000.00")
    assert amounts[None] > 0
    for line in d.lines:
        assert line.product_id not in {"EQ", "STR", "PRIV", "BAL"}
    assert {e.product_id for e in d.excluded} >= {"EQ", "STR", "PRIV", "BAL"}


def test_c5_customers_get_private_products_only_in_the_private_banking_tier() -> None:
    c = assessed("C5")
    high = allocate(c, "20000000.00", CATALOGUE, REGULATORY, as_of=AS_OF, tier="high_end")
    private = allocate(c, "20000000.00", CATALOGUE, REGULATORY, as_of=AS_OF,
                       tier="private_banking")  # fmt: skip
    assert "PRIV" not in {line.product_id for line in high.lines}
    assert "PRIV" in {line.product_id for line in private.lines}
    excluded = {e.product_id: e.reasons for e in high.excluded}
    assert excluded["PRIV"][0].code is ReasonCode.SUIT_RESERVED


def test_needs_get_their_share_of_the_amount() -> None:
    c = assessed("C3", needs=["pension"])
    d = allocate(c, "100000.00", CATALOGUE, REGULATORY, as_of=AS_OF)
    pension = next(line for line in d.lines if line.product_id == "PEN")
    assert pension.amount == Decimal("10000.00")
    assert ReasonCode.ALLOC_NEED in [r.code for r in pension.reasons]


def test_without_an_assessment_everything_stays_in_deposits() -> None:
    d = allocate(Customer(key="C1"), "5000.00", CATALOGUE, REGULATORY, as_of=AS_OF)
    assert d.outcome == "risk_free_only"
    assert [(line.product_id, line.amount) for line in d.lines] == [("TD-1Y", Decimal("5000.00"))]


def test_a_remainder_is_unplaced_when_the_playbook_says_so() -> None:
    import json

    from custtier import Playbook

    data = json.loads(REGULATORY.canonical_json())
    data["allocation"]["remainder"] = "unplaced"
    pb = Playbook.model_validate(data)
    d = allocate(assessed("C2"), "123456.78", CATALOGUE, pb, as_of=AS_OF)
    assert d.unplaced > 0
    assert None not in {line.product_id for line in d.lines}
    assert sum(line.amount for line in d.lines) + d.unplaced == Decimal("123456.78")
    assert ReasonCode.ALLOC_UNPLACED in codes(d)


def test_every_catalogue_product_gets_a_line_or_a_reason() -> None:
    d = allocate(assessed("C3"), "80000.00", CATALOGUE, REGULATORY, as_of=AS_OF)
    placed = {line.product_id for line in d.lines if line.product_id}
    excluded = {e.product_id for e in d.excluded}
    assert placed | excluded == {p.id for p in CATALOGUE}
    assert not placed & excluded


# --- tier services -----------------------------------------------------------


def test_high_end_customers_get_packages_priority_channels_and_value_added_services() -> None:
    d = tier_services("C1", "high_end", PRACTICE, as_of=AS_OF)
    assert {"wealth_package", "financial_consultant", "wealth_centre", "airport_service",
            "business_travel", "medical_service"} <= set(d.services)  # fmt: skip
    assert tier_services("C1", "mid_end", PRACTICE, as_of=AS_OF).services == ("customer_salon",)
    assert all(r.code is ReasonCode.SERVICE_ENTITLED for r in d.reasons)


def test_a_tier_or_level_the_playbook_does_not_know_is_an_input_error() -> None:
    with pytest.raises(InputError) as info:
        allocate(assessed("C3"), "1000.00", CATALOGUE, REGULATORY, as_of=AS_OF, tier="gold")
    assert info.value.field == "tier"
    steady = assessed("steady")  # a practice level under the regulatory preset
    with pytest.raises(InputError) as info:
        allocate(steady, "1000.00", CATALOGUE, REGULATORY, as_of=AS_OF)
    assert info.value.field == "risk_assessment.level"
    with pytest.raises(InputError):
        check_suitability(steady, CATALOGUE[0], REGULATORY, as_of=AS_OF)
