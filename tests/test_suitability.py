"""Risk assessment, suitability and allocation, as a compliance officer reads them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import example, given
from hypothesis import strategies as st

from custtier import (
    Condition,
    Customer,
    Product,
    ReasonCode,
    allocate,
    assess_risk,
    assign_tier,
    check_suitability,
    presets,
    tier_services,
    trace_suitability,
)
from custtier.errors import InputError
from custtier.rules import Playbook
from custtier.suitability._trace import AmountCheck, LevelStep, SaleFlag, TierCheck
from strategies import playbook_data

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
    assert info.value.field == "answers.q_loss"
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


def test_each_entitled_service_is_a_reason_citing_its_rule_and_naming_its_kind() -> None:
    d = tier_services("C1", "mid_end", PRACTICE, as_of=AS_OF)
    (reason,) = d.reasons
    assert reason.rule_id == "service.customer_salon"
    assert reason.facts == {"case": "entitled", "kind": "event", "service": "customer_salon"}
    assert (d.customer_key, d.outcome, d.as_of, d.playbook) == (
        "C1",
        "mid_end",
        AS_OF,
        PRACTICE.ref,
    )
    high = tier_services("C1", "high_end", PRACTICE, as_of=AS_OF)
    assert [r.rule_id for r in high.reasons] == [f"service.{s}" for s in high.services]


def test_a_tier_entitled_to_nothing_says_so_in_one_reason_naming_the_tier() -> None:
    data = playbook_data(PRACTICE)
    data["services"] = [s for s in data["services"] if "mass" not in s["tiers"]]
    d = tier_services("C1", "mass", Playbook.model_validate(data), as_of=AS_OF)
    assert d.services == ()
    (reason,) = d.reasons
    assert (reason.code, reason.rule_id) == (ReasonCode.SERVICE_ENTITLED, "service")
    assert reason.facts == {"case": "none", "tier": "mass"}


def test_services_of_a_tier_the_playbook_does_not_know_or_of_another_customers_tier_are_refused() -> (
    None
):
    with pytest.raises(InputError, match=r"^tier is not defined in the playbook$") as info:
        tier_services("C1", "gold", PRACTICE, as_of=AS_OF)
    assert info.value.field == "tier"
    theirs = assign_tier(Customer(key="C2"), PRACTICE, as_of=AS_OF)
    with pytest.raises(InputError, match="another customer") as info:
        tier_services("C1", theirs, PRACTICE, as_of=AS_OF)
    assert info.value.field == "tier"
    assert tier_services("C2", theirs, PRACTICE, as_of=AS_OF).outcome == theirs.outcome


def test_a_customer_given_as_a_record_is_validated_and_anything_else_is_refused_by_name() -> None:
    record = {"key": "C1", "risk_assessment": {"level": "C3", "score": 50,
              "assessed_on": "2026-03-01", "valid_until": "2027-02-28"}}  # fmt: skip
    as_record = check_suitability(record, CATALOGUE[0], REGULATORY, as_of=AS_OF, tier="mass")
    as_model = check_suitability(
        Customer.from_record(record), CATALOGUE[0], REGULATORY, as_of=AS_OF, tier="mass"
    )
    assert as_record == as_model
    with pytest.raises(
        InputError, match=r"^customer must be a Customer or a customer record$"
    ) as info:
        check_suitability(cast(Any, ["C1"]), CATALOGUE[0], REGULATORY, as_of=AS_OF, tier="mass")
    assert info.value.field == "customer"


@pytest.mark.parametrize("catalogue", ["P1", b"P1", {"id": "P1"}, 7])
def test_a_catalogue_that_is_not_a_list_of_products_is_refused_by_name(catalogue: Any) -> None:
    with pytest.raises(InputError, match=r"^catalogue must be a list of products$") as info:
        allocate(assessed("C3"), "1000.00", catalogue, REGULATORY, as_of=AS_OF, tier="mass")
    assert info.value.field == "catalogue"


def test_a_catalogue_item_that_is_not_a_product_is_refused_with_its_position() -> None:
    records = [p.model_dump(mode="json") for p in CATALOGUE[:2]]
    with pytest.raises(InputError, match=r"^catalogue must hold products$") as info:
        allocate(
            assessed("C3"),
            "1000.00",
            cast(Any, [*records, "P9"]),
            REGULATORY,
            as_of=AS_OF,
            tier="mass",
        )
    assert info.value.field == "catalogue.2"
    from_records = allocate(
        assessed("C3"), "1000.00", records, REGULATORY, as_of=AS_OF, tier="mass"
    )
    from_models = allocate(
        assessed("C3"), "1000.00", CATALOGUE[:2], REGULATORY, as_of=AS_OF, tier="mass"
    )
    assert from_records == from_models


def test_a_tier_or_level_the_playbook_does_not_know_is_an_input_error() -> None:
    with pytest.raises(InputError) as info:
        allocate(assessed("C3"), "1000.00", CATALOGUE, REGULATORY, as_of=AS_OF, tier="gold")
    assert info.value.field == "tier"
    with pytest.raises(InputError, match=r"^tier is not one of the playbook's") as info:
        check_suitability(assessed("C3"), CATALOGUE[0], REGULATORY, as_of=AS_OF, tier="gold")
    assert info.value.field == "tier"
    steady = assessed("steady")  # a practice level under the regulatory preset
    with pytest.raises(InputError) as info:
        allocate(steady, "1000.00", CATALOGUE, REGULATORY, as_of=AS_OF)
    assert info.value.field == "risk_assessment.level"
    with pytest.raises(InputError):
        check_suitability(steady, CATALOGUE[0], REGULATORY, as_of=AS_OF)


# --- what each rule says ------------------------------------------------------
# A compliance officer reads the reasons, not the codes alone: each names its
# rule, says why in words and carries the facts it used. The mutation pass
# showed the wording, the rule ids and the facts could change with no test failing.

D = Decimal
UNTIL = {"effective_until": dt.date(2027, 2, 28), "bound": "valid_until"}
ELDERLY = assessed("C5", birth_date=dt.date(1950, 6, 1))
PRIVATE = product("PW", "private_wealth", "R5", reserved_for_tiers=["private_banking"],
                  minimum_investment="1000000.00", cooling_off_hours=24)  # fmt: skip
WM = product("WM", "fixed_income_wm", "R2", minimum_investment="10000.00", increment="1000.00")
LEVEL_OK_C3 = (ReasonCode.SUIT_LEVEL_OK, "suit.C3", "R2 within C3's limit R3",
               {"case": "matrix", "customer_level": "C3", "product_level": "R2", "max": "R3"}
               | UNTIL)  # fmt: skip
ELDERLY_CONFIRM = (ReasonCode.SUIT_ELDERLY_CONFIRM, "suit.elderly_confirmation",
                   "customer aged 65+ (from birth_date) confirms again",
                   {"elderly_age": 65, "age_from": "birth_date"})  # fmt: skip
RECORDED: tuple[Any, ...] = (ReasonCode.SUIT_RECORDED_SALE, "suit.recorded_sale",
            "in-branch sale of a risky product is recorded", {})  # fmt: skip
SALES: dict[str, tuple[Customer, Product, dict[str, Any], list[tuple[Any, ...]]]] = {
    "no assessment on file": (Customer(key="C9"), product("BF", "bond_fund", "R2"), {}, [
        (ReasonCode.SUIT_NO_ASSESSMENT, "suit.assessment_required",
         "no risk assessment on file", {"product_level": "R2"})]),
    "expired by its own date": (
        assessed("C5", valid_until="2026-11-29"), product("BF", "bond_fund", "R2"), {}, [
        (ReasonCode.SUIT_ASSESSMENT_EXPIRED, "suit.assessment_required",
         "risk assessment expired on 2026-11-29",
         {"assessed_on": dt.date(2026, 3, 1), "valid_until": dt.date(2026, 11, 29),
          "effective_until": dt.date(2026, 11, 29), "bound": "valid_until",
          "validity_months": 12, "case": "expired"})]),
    "older than the playbook allows": (
        assessed("C5", valid_until="2028-11-29"), product("BF", "bond_fund", "R2"),
        {"as_of": dt.date(2027, 3, 5)}, [
        (ReasonCode.SUIT_ASSESSMENT_EXPIRED, "suit.assessment_required",
         "risk assessment older than the playbook's 12 month(s): valid to 2027-02-28 "
         "whatever the record says",
         {"assessed_on": dt.date(2026, 3, 1), "valid_until": dt.date(2028, 11, 29),
          "effective_until": dt.date(2027, 2, 28), "bound": "validity_months",
          "validity_months": 12, "case": "too_old"})]),
    "assessed after the sale": (
        assessed("C5"), product("BF", "bond_fund", "R2"), {"as_of": dt.date(2026, 2, 1)}, [
        (ReasonCode.SUIT_ASSESSMENT_EXPIRED, "suit.assessment_required",
         "risk assessment is dated after the sale",
         {"assessed_on": dt.date(2026, 3, 1), "valid_until": dt.date(2027, 2, 28),
          "validity_months": 12, "case": "dated_after_sale"} | UNTIL)]),
    "above the customer's level": (assessed("C2"), product("EQ", "equity_fund", "R4"), {}, [
        (ReasonCode.SUIT_LEVEL_EXCEEDED, "suit.C2", "R4 is above C2's limit R2",
         {"customer_level": "C2", "product_level": "R4", "max": "R2"} | UNTIL)]),
    "at the customer's level": (assessed("C4"), product("EQ", "equity_fund", "R4"), {}, [
        (ReasonCode.SUIT_LEVEL_OK, "suit.C4", "R4 within C4's limit R4",
         {"case": "matrix", "customer_level": "C4", "product_level": "R4", "max": "R4"}
         | UNTIL)]),
    "elderly, above the capped level, in branch": (
        ELDERLY, product("EQ", "equity_fund", "R4"), {"in_branch": True}, [
        (ReasonCode.SUIT_ELDERLY_CAP, "risk.elderly",
         "aged 65+ (from birth_date) on the day of sale: C5 is capped at C3, "
         "and R4 is above C3's limit R3",
         {"customer_level": "C5", "capped_level": "C3", "product_level": "R4", "max": "R3",
          "elderly_age": 65, "age_from": "birth_date"} | UNTIL),
        ELDERLY_CONFIRM, RECORDED]),
    "elderly, within the capped level, in branch": (
        ELDERLY, product("BF", "bond_fund", "R2"), {"in_branch": True},
        [LEVEL_OK_C3, ELDERLY_CONFIRM, RECORDED]),
    "a deposit without an assessment": (
        Customer(key="C9"), product("TD", "deposit", "R1"), {"in_branch": True}, [
        (ReasonCode.SUIT_RISK_FREE, "suit.assessment_required",
         "deposit is risk-free at the lowest level", {"category": "deposit"})]),
    "reserved for another tier": (assessed("C5"), PRIVATE, {"tier": "high_end"}, [
        (ReasonCode.SUIT_RESERVED, "suit.tier_reservation", "reserved for private_banking",
         {"tier": "high_end", "reserved_for": "private_banking"}),
        (ReasonCode.SUIT_LEVEL_OK, "suit.C5", "R5 within C5's limit R5",
         {"case": "matrix", "customer_level": "C5", "product_level": "R5", "max": "R5"}
         | UNTIL),
        (ReasonCode.SUIT_COOLING_OFF, "suit.cooling_off", "24 h cooling-off after purchase",
         {"hours": 24})]),
    "below the minimum": (assessed("C3"), WM, {"amount": "9999.99"}, [
        (ReasonCode.SUIT_BELOW_MINIMUM, "suit.minimum_and_increment",
         "below the minimum 10000.00", {"amount": D("9999.99"), "minimum": D("10000.00")}),
        LEVEL_OK_C3]),
    "off the increment": (assessed("C3"), WM, {"amount": "12500.00"}, [
        (ReasonCode.SUIT_OFF_INCREMENT, "suit.minimum_and_increment",
         "not on the 1000.00 increment",
         {"amount": D("12500.00"), "below": D("12000.00"), "above": D("13000.00"),
          "increment": D("1000.00")}),
        LEVEL_OK_C3]),
}  # fmt: skip


@pytest.mark.parametrize("sale", list(SALES))
def test_each_suitability_reason_names_its_rule_says_why_and_carries_its_facts(sale: str) -> None:
    customer, prod, kwargs, expected = SALES[sale]
    d = check_suitability(customer, prod, REGULATORY, **({"as_of": AS_OF} | kwargs))
    assert [(r.code, r.rule_id, r.message, r.facts) for r in d.reasons] == expected
    assert d.customer_key == customer.key
    assert d.product_id == prod.id


def test_a_risk_decision_states_its_score_band_and_the_elderly_cap() -> None:
    d = assess_risk(ANSWERS_HIGH, REGULATORY, as_of=AS_OF, birth_date=dt.date(1955, 1, 1))
    assert [(r.code, r.rule_id, r.message, r.facts) for r in d.reasons] == [
        (ReasonCode.RISK_SCORED, "risk.band.C5", "score 100 in [86, 100] → C5",
         {"score": 100, "lower": 86, "upper": 100, "level": "C5"}),
        (ReasonCode.RISK_ELDERLY_CAP, "risk.elderly",
         "aged 65+ (from birth_date): level capped at C3 (scored C5)",
         {"scored_level": "C5", "capped_level": "C3", "elderly_age": 65,
          "age_from": "birth_date", "case": "assessment"}),
    ]  # fmt: skip
    assert d.customer_key == "anonymous"  # no customer named: nothing personal in the decision
    assert d.assessment.answers[0].question_id == "q_age"  # answers kept in question-id order
    named = assess_risk(ANSWERS_LOW, REGULATORY, as_of=AS_OF, customer_key="C7")
    assert named.customer_key == "C7"
    assert named.assessment.playbook_version == REGULATORY.version


def test_questionnaire_refusals_name_the_question_and_say_what_to_answer() -> None:
    missing = {k: v for k, v in ANSWERS_LOW.items() if k != "q_loss"}
    asked = "['q_age', 'q_finances', 'q_experience', 'q_objective', 'q_horizon', 'q_liquidity', 'q_loss']"
    cases: list[tuple[Any, str, str]] = [
        (missing, "answers.q_loss", "question 'q_loss' is not answered"),
        (ANSWERS_LOW | {"q_loss": "z"}, "answers.q_loss",
         "question 'q_loss' has no such option; choose one of ['a', 'b', 'c', 'd', 'e']"),
        (ANSWERS_LOW | {"13912345678": "a"}, "answers",
         f"answers name 1 question(s) the questionnaire does not ask; answer only {asked}"),
        ([{"question_id": "q_age", "option_id": "a"}] * 2, "answers.q_age",
         "question 'q_age' is answered twice"),
        ([{"question_id": "q_age", "option_id": "a"}, "q_finances=a"], "answers.1",
         "each answer must be an Answer or a record of one"),
        ("q_age=a", "answers",
         "answers must map question ids to option ids, or be a list of answers"),
    ]  # fmt: skip
    for answers, field, message in cases:
        with pytest.raises(InputError) as info:
            assess_risk(answers, REGULATORY, as_of=AS_OF)
        assert (info.value.field, str(info.value)) == (field, message)


def test_a_product_the_playbook_cannot_judge_is_refused_saying_what_to_fix() -> None:
    cases = [
        (product("X", "bond_fund", "R9"), "product.risk_level",
         "product risk level is not one of the playbook's ['R1', 'R2', 'R3', 'R4', 'R5']"),
        (product("X", "nosuch", "R2"), "product.category",
         "product category is not defined in the playbook"),
        (product("X", "deposit", "R2"), "product.category",
         "product 'X' is rated R2 but filed under the risk-free category 'deposit'; only "
         "products at the lowest level (R1) may be risk-free: file it under its own category "
         "(a structured deposit under structured_product) or correct its rating"),
        (product("X", "bond_fund", "R2", currency="USD"), "product.currency",
         "product and customer currencies differ"),
    ]  # fmt: skip
    for prod, field, message in cases:
        with pytest.raises(InputError) as info:
            check_suitability(assessed("C3"), prod, REGULATORY, as_of=AS_OF)
        assert (info.value.field, str(info.value)) == (field, message)


def test_an_elderly_customers_allocation_follows_the_capped_portfolio_saying_why() -> None:
    # A C5 customer of 76 gets the C3 model portfolio (10% first to the pension need);
    # C3's 10% equity share has no product within C3's limit, so it stays in deposit.
    c = assessed("C5", birth_date=dt.date(1950, 6, 1), needs=["pension"])
    d = allocate(c, "100000.00", CATALOGUE, REGULATORY, as_of=AS_OF)
    assert (d.outcome, d.customer_key, d.amount, d.currency) == ("C3", "C1", D(100000), "CNY")
    assert d.unplaced == 0
    assert [(r.code, r.rule_id, r.message, r.facts) for r in d.reasons] == [
        (ReasonCode.RISK_ELDERLY_CAP, "risk.elderly",
         "aged 65+ (from birth_date) on the day of allocation: the C3 model portfolio, not C5's",
         {"scored_level": "C5", "capped_level": "C3", "elderly_age": 65,
          "age_from": "birth_date", "case": "allocation"}),
        (ReasonCode.ALLOC_MODEL_WEIGHT, "alloc.C3", "model portfolio for C3",
         {"level": "C3", "case": "portfolio"}),
        (ReasonCode.ALLOC_CASH, "alloc", "equity_fund: no suitable product of this category",
         {"case": "no_product", "category": "equity_fund", "share": D("9000.00"), "placed": 0,
          "left": D("9000.00")}),
    ]  # fmt: skip

    def model(pid: str, cat: str, amount: str, pct: str, *, weight: str, plevel: str) -> Any:
        return (pid, cat, D(amount), [
            (ReasonCode.ALLOC_MODEL_WEIGHT, "alloc.C3", f"{pct}% of the C3 model portfolio",
             {"case": "weight", "level": "C3", "weight": D(weight)}),
            (ReasonCode.ALLOC_PRODUCT, "alloc", f"{pid} carries the {cat} share",
             {"category": cat, "placed": D(amount), "product": pid, "product_level": plevel,
              "share": D(amount)})])  # fmt: skip

    assert [(ln.product_id, ln.category, ln.amount,
             [(r.code, r.rule_id, r.message, r.facts) for r in ln.reasons])
            for ln in d.lines] == [
        model("TD-1Y", "deposit", "13500.00", "15", weight="0.15", plevel="R1"),
        model("MMF", "money_market", "9000.00", "10", weight="0.1", plevel="R1"),
        model("BOND", "bond_fund", "22500.00", "25", weight="0.25", plevel="R2"),
        model("WM-90", "fixed_income_wm", "18000.00", "20", weight="0.2", plevel="R2"),
        model("BAL", "balanced_fund", "18000.00", "20", weight="0.2", plevel="R3"),
        ("PEN", "pension_product", D("10000.00"), [
            (ReasonCode.ALLOC_NEED, "alloc", "serves the customer's need: pension",
             {"needs": "pension", "needs_share": D("0.1")}),
            (ReasonCode.ALLOC_PRODUCT, "alloc", "PEN carries the pension_product share",
             {"category": "pension_product", "placed": D("10000.00"), "product": "PEN",
              "product_level": "R2", "share": D("10000.00")})]),
        (None, "deposit", D("9000.00"), [
            (ReasonCode.ALLOC_CASH, "alloc", "equity_fund: no suitable product of this category",
             {"case": "no_product", "category": "equity_fund", "share": D("9000.00"),
              "placed": 0, "left": D("9000.00")})]),
    ]  # fmt: skip
    assert [(e.product_id, [(r.code, r.rule_id, r.message) for r in e.reasons])
            for e in d.excluded] == [
        ("EQ", [(ReasonCode.SUIT_ELDERLY_CAP, "risk.elderly",
                 "aged 65+ (from birth_date) on the day of sale: C5 is capped at C3, "
                 "and R4 is above C3's limit R3")]),
        ("PRIV", [(ReasonCode.ALLOC_EXCLUDED, "alloc",
                   "private_wealth has no share for this customer")]),
        ("STR", [(ReasonCode.ALLOC_EXCLUDED, "alloc",
                  "structured_product has no share for this customer")]),
    ]  # fmt: skip


def test_without_an_assessment_the_allocation_says_all_goes_to_deposit() -> None:
    d = allocate(Customer(key="C9"), "1000.00", CATALOGUE, REGULATORY, as_of=AS_OF)
    said: tuple[Any, ...] = (
        ReasonCode.ALLOC_NO_ASSESSMENT,
        "alloc",
        "no valid risk assessment: all to deposit",
        {"category": "deposit"},
    )
    assert [(r.code, r.rule_id, r.message, r.facts) for r in d.reasons] == [said]
    first = d.lines[0].reasons[0]
    assert (first.code, first.rule_id, first.message, first.facts) == said


def test_allocation_refusals_name_the_field_and_the_rule() -> None:
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"amount": "-1.00"}, "amount", "amount must not be negative"),
        ({"in_branch": "yes"}, "in_branch", "in_branch must be true or false"),
        ({"catalogue": [*CATALOGUE, CATALOGUE[0]]}, "catalogue",
         "catalogue lists a product id more than once"),
        ({"customer": Customer(key="C9", currency="USD")}, "currency",
         "customer currency differs from the playbook's"),
    ]  # fmt: skip
    for change, field, message in cases:
        args: dict[str, Any] = {"customer": Customer(key="C9"), "amount": "1000.00",
                                "catalogue": CATALOGUE} | change  # fmt: skip
        with pytest.raises(InputError) as info:
            allocate(args["customer"], args["amount"], args["catalogue"], REGULATORY,
                     as_of=AS_OF, in_branch=args.get("in_branch", False))  # fmt: skip
        assert (info.value.field, str(info.value)) == (field, message)


def test_a_customer_is_elderly_from_the_65th_birthday_by_birth_date_or_by_the_age_answer() -> None:
    on_the_day = assess_risk(
        ANSWERS_HIGH, REGULATORY, as_of=AS_OF, birth_date=dt.date(1961, 11, 30)
    )
    day_before = assess_risk(ANSWERS_HIGH, REGULATORY, as_of=AS_OF, birth_date=dt.date(1961, 12, 1))
    assert (on_the_day.outcome, on_the_day.elderly) == ("C3", True)
    assert (day_before.outcome, day_before.elderly) == ("C5", False)
    # The age question's "65 or over" answer makes the customer elderly too; both are cited.
    by_answer = assess_risk(ANSWERS_HIGH | {"q_age": "d"}, REGULATORY, as_of=AS_OF)
    assert (by_answer.outcome, by_answer.requires_extra_confirmation) == ("C3", True)
    assert by_answer.reasons[-1].facts["age_from"] == "age_answer"
    for younger in "abc":
        assert not assess_risk(ANSWERS_HIGH | {"q_age": younger}, REGULATORY, as_of=AS_OF).elderly
    both = assess_risk(ANSWERS_HIGH | {"q_age": "d"}, REGULATORY, as_of=AS_OF,
                       birth_date=dt.date(1950, 1, 1))  # fmt: skip
    assert both.reasons[-1].message == (
        "aged 65+ (from birth_date and age_answer): level capped at C3 (scored C5)"
    )
    assert both.reasons[-1].facts["age_from"] == "birth_date,age_answer"
    # At or below the cap there is nothing to cap, but the customer still confirms again.
    low = assess_risk(ANSWERS_LOW, REGULATORY, as_of=AS_OF)
    assert (low.outcome, low.elderly, len(low.reasons)) == ("C1", True, 1)
    at_cap = assess_risk(dict.fromkeys(ANSWERS_LOW, "c") | {"q_age": "d"}, REGULATORY, as_of=AS_OF)
    assert (at_cap.outcome, at_cap.elderly, codes(at_cap)) == ("C3", True, [ReasonCode.RISK_SCORED])


def test_the_assessment_records_what_was_answered_and_by_which_playbook() -> None:
    from custtier import Answer

    answers = [Answer(question_id=q, option_id=o) for q, o in ANSWERS_LOW.items()]
    d = assess_risk(answers, REGULATORY, as_of=AS_OF)
    a = d.assessment
    assert (a.level, a.score, a.assessed_on, a.valid_until) == (
        "C1", 0, AS_OF, dt.date(2027, 11, 29))  # fmt: skip
    assert [(x.question_id, x.option_id) for x in a.answers] == sorted(ANSWERS_LOW.items())
    assert (d.as_of, d.playbook.id, d.playbook.version) == (
        AS_OF,
        REGULATORY.id,
        REGULATORY.version,
    )
    assert d.playbook.content_hash == REGULATORY.content_hash


def test_an_assessment_whose_validity_would_end_after_9999_is_refused() -> None:
    late = assess_risk(ANSWERS_HIGH, REGULATORY, as_of=dt.date(9998, 12, 31))
    assert late.assessment.valid_until == dt.date(9999, 12, 30)
    with pytest.raises(InputError) as info:
        assess_risk(ANSWERS_HIGH, REGULATORY, as_of=dt.date(9999, 1, 2))
    assert (info.value.field, str(info.value)) == ("as_of", (
        "as_of is too late: the assessment's 12-month validity would end after 9999-12-31"))  # fmt: skip


def test_an_assessment_made_on_new_years_day_9999_is_relied_on_through_the_last_day() -> None:
    # 12 months from 9999-01-01 ends on 9999-12-31, the day before 10000-01-01:
    # inside the calendar, so it is recorded, not refused as "too late".
    d = assess_risk(ANSWERS_HIGH, REGULATORY, as_of=dt.date(9999, 1, 1))
    assert d.assessment.valid_until == dt.date(9999, 12, 31)


_LATE_DAYS = st.dates(min_value=dt.date(9990, 1, 1))


@given(
    as_of=st.one_of(
        _LATE_DAYS, _LATE_DAYS.map(lambda d: d.replace(day=1))
    ),  # month starts: the edge
    months=st.integers(1, 36),
)
@example(as_of=dt.date(9999, 7, 1), months=6)  # ends on 9999-12-31, the calendar's last day
@example(as_of=dt.date(9997, 1, 1), months=36)
@example(as_of=dt.date(9997, 1, 2), months=36)  # ends on 10000-01-01: refused
def test_an_assessment_is_valid_the_months_on_less_a_day_or_refused_past_the_calendar(
    as_of: dt.date, months: int
) -> None:
    pb = REGULATORY.model_copy(update={"risk": REGULATORY.risk.model_copy(
        update={"validity_months": months})})  # fmt: skip
    # dateutil's month arithmetic 400 years earlier (the Gregorian calendar
    # repeats every 400 years), so the true last day exists even past 9999.
    end = as_of.replace(year=as_of.year - 400) + relativedelta(months=months) - dt.timedelta(days=1)
    expected = end.replace(year=end.year + 400) if end.year + 400 <= dt.MAXYEAR else None
    if expected is None:
        with pytest.raises(InputError):
            assess_risk(ANSWERS_HIGH, pb, as_of=as_of)
    else:
        assert assess_risk(ANSWERS_HIGH, pb, as_of=as_of).assessment.valid_until == expected


def test_an_elderly_customer_by_both_sources_is_told_both_and_each_products_limit() -> None:
    ra = {"level": "C5", "score": 90, "assessed_on": "2026-03-01", "valid_until": "2027-02-28",
          "answers": [{"question_id": "q_age", "option_id": "d"}]}  # fmt: skip
    c = Customer(key="C1", risk_assessment=ra, birth_date=dt.date(1950, 6, 1))
    for plevel in ("R4", "R5"):
        d = check_suitability(c, product("X", "equity_fund", plevel), REGULATORY, as_of=AS_OF)
        cap, confirm = d.reasons
        assert (cap.code, cap.rule_id, cap.message) == (
            ReasonCode.SUIT_ELDERLY_CAP, "risk.elderly",
            "aged 65+ (from birth_date and age_answer) on the day of sale: C5 is capped at C3, "
            f"and {plevel} is above C3's limit R3")  # fmt: skip
        assert cap.facts["age_from"] == confirm.facts["age_from"] == "birth_date,age_answer"
        assert (
            confirm.message == "customer aged 65+ (from birth_date and age_answer) confirms again"
        )


def test_a_risk_free_sale_cites_the_engine_when_the_playbook_requires_no_assessment() -> None:
    import json

    from custtier import Playbook

    data = json.loads(REGULATORY.canonical_json())
    data["risk"]["policy"] = [p for p in data["risk"]["policy"]
                              if p["check"] != "assessment_required"]  # fmt: skip
    pb = Playbook.model_validate(data)
    d = check_suitability(Customer(key="C9"), product("TD", "deposit", "R1"), pb, as_of=AS_OF)
    assert [(r.code, r.rule_id) for r in d.reasons] == [(ReasonCode.SUIT_RISK_FREE, "suit")]
    from custtier.rules import ENGINE_RULE_IDS

    assert "suit" in ENGINE_RULE_IDS  # an id that names the engine, not a playbook row


def test_an_elderly_customers_allocation_cites_both_sources_and_the_level_scored() -> None:
    for scored in ("C5", "C4"):
        ra = {"level": scored, "score": 80, "assessed_on": "2026-03-01",
              "valid_until": "2027-02-28", "answers": [{"question_id": "q_age", "option_id": "d"}]}  # fmt: skip
        c = Customer(key="C1", risk_assessment=ra, birth_date=dt.date(1950, 6, 1))
        capped = allocate(c, "100000.00", CATALOGUE, REGULATORY, as_of=AS_OF).reasons[0]
        assert (capped.code, capped.message) == (ReasonCode.RISK_ELDERLY_CAP, (
            "aged 65+ (from birth_date and age_answer) on the day of allocation: "
            f"the C3 model portfolio, not {scored}'s"))  # fmt: skip
        assert capped.facts["age_from"] == "birth_date,age_answer"


def test_a_catalogue_product_the_playbook_cannot_judge_is_excluded_with_why_not_sold() -> None:
    # At the counter (check_suitability) these are input errors; in an allocation over a
    # whole catalogue they are set aside with a reason and the rest is allocated.
    odd = [product("X1", "bond_fund", "R9"), product("X2", "nosuch", "R2"),
           product("X3", "deposit", "R2"), product("X4", "bond_fund", "R2", currency="USD")]  # fmt: skip
    d = allocate(assessed("C3"), "100000.00", [*CATALOGUE, *odd], REGULATORY, as_of=AS_OF)
    excluded = {e.product_id: [(r.code, r.rule_id, r.message, r.facts) for r in e.reasons]
                for e in d.excluded if e.product_id.startswith("X")}  # fmt: skip
    code = ReasonCode.ALLOC_EXCLUDED
    assert excluded == {
        "X1": [(code, "alloc", "risk level unknown to the playbook", {"case": "unknown_level", "risk_level": "R9"})],
        "X2": [(code, "alloc", "category unknown to the playbook", {"case": "unknown_category", "category": "nosuch"})],
        "X3": [(code, "alloc", "filed under a risk-free category above the lowest risk level; "
                "file it under its own category or correct its rating",
                {"case": "misfiled", "category": "deposit", "risk_level": "R2"})],
        "X4": [(code, "alloc", "product in another currency", {"case": "currency", "currency": "USD"})],
    }  # fmt: skip
    # Each line's weight is its share of the whole amount.
    assert [(ln.product_id, ln.weight) for ln in d.lines] == [
        ("TD-1Y", D("0.1500")), ("MMF", D("0.1000")), ("BOND", D("0.2500")),
        ("WM-90", D("0.2000")), ("BAL", D("0.2000")), (None, D("0.1000"))]  # fmt: skip


def test_an_allocation_records_its_playbook_day_and_why_a_category_gets_nothing() -> None:
    d = allocate(assessed("C2"), "1000.00", CATALOGUE, REGULATORY, as_of=AS_OF)
    assert (d.as_of, d.playbook.id, d.playbook.content_hash) == (
        AS_OF, REGULATORY.id, REGULATORY.content_hash)  # fmt: skip
    no_share = {e.product_id: e.reasons[0] for e in d.excluded}["PRIV"]
    assert (no_share.code, no_share.message, no_share.facts) == (
        ReasonCode.ALLOC_EXCLUDED, "private_wealth has no share for this customer",
        {"case": "no_share", "category": "private_wealth"})  # fmt: skip


def test_what_a_products_grid_cannot_take_goes_to_cash_saying_so() -> None:
    # 25% of 123,456.78 each to bond_fund (100.00 steps) and fixed_income_wm (1,000.00 steps).
    d = allocate(assessed("C2"), "123456.78", CATALOGUE, REGULATORY, as_of=AS_OF)
    rest = "the product's minimum and increment leave the rest"
    assert [(r.code, r.message, r.facts) for r in d.reasons[1:]] == [
        (ReasonCode.ALLOC_CASH, f"bond_fund: {rest}", {"case": "remainder",
         "category": "bond_fund", "share": D("30864.20"), "placed": D("30800.00"),
         "left": D("64.20")}),
        (ReasonCode.ALLOC_CASH, f"fixed_income_wm: {rest}", {"case": "remainder",
         "category": "fixed_income_wm", "share": D("30864.19"), "placed": D("30000.00"), "left": D("864.19")}),
    ]  # fmt: skip


def test_two_needs_served_by_one_category_share_one_line_naming_both() -> None:
    insurance = product("INS", "protection_insurance", "R1")
    c = assessed("C3", needs=["medical", "insurance"])
    d = allocate(c, "100000.00", [*CATALOGUE, insurance], REGULATORY, as_of=AS_OF)
    line = next(ln for ln in d.lines if ln.product_id == "INS")
    need = line.reasons[0]
    assert (line.amount, need.code, need.message, need.facts) == (
        D("10000.00"), ReasonCode.ALLOC_NEED, "serves the customer's need: insurance, medical",
        {"needs": "insurance,medical", "needs_share": D("0.1")})  # fmt: skip


# --- which product carries a category's share, and on what terms ----------------
# A category's share goes to one product: first one reserved for the customer's tier,
# then one serving the customer's needs, then the lowest minimum, then the product id.
# Every other suitable product of the category is set aside naming the one preferred.

BONDS = [
    product("BT", "bond_fund", "R2", minimum_investment="5000.00", reserved_for_tiers=["high_end"]),
    product("BN", "bond_fund", "R2", minimum_investment="2000.00", needs_served=["pension"]),
    product("BC", "bond_fund", "R2", minimum_investment="100.00"),
    product("BA", "bond_fund", "R2", minimum_investment="500.00"),
    product("BB", "bond_fund", "R2", minimum_investment="100.00"),
]  # listed in no order of preference: the engine orders them


def _bond_sale(customer: Customer, tier: str | None = None) -> tuple[str | None, dict[str, Any]]:
    d = allocate(customer, "100000.00", BONDS, REGULATORY, as_of=AS_OF, tier=tier)
    (line,) = [ln for ln in d.lines if ln.category == "bond_fund"]
    why = {e.product_id: [(r.code, r.message, r.facts) for r in e.reasons] for e in d.excluded}
    return line.product_id, why


def _preferred(pid: str) -> list[tuple[Any, ...]]:
    return [
        (
            ReasonCode.ALLOC_EXCLUDED,
            f"{pid} is preferred in bond_fund",
            {"case": "preferred", "preferred": pid, "category": "bond_fund"},
        )
    ]


def test_a_product_reserved_for_the_customers_tier_carries_the_category_share_first() -> None:
    chosen, why = _bond_sale(assessed("C3", needs=["pension"]), tier="high_end")
    assert chosen == "BT"  # reserved for high_end, though it serves no need and asks most
    assert why == {pid: _preferred("BT") for pid in ("BA", "BB", "BC", "BN")}


def test_then_a_product_serving_the_customers_needs_then_the_lowest_minimum_then_the_id() -> None:
    chosen, why = _bond_sale(assessed("C3", needs=["pension"]))
    assert chosen == "BN"  # serves the pension need, though its minimum is higher
    assert why["BA"] == why["BB"] == why["BC"] == _preferred("BN")
    assert [r[0] for r in why["BT"]] == [ReasonCode.SUIT_RESERVED]  # not this customer's tier
    chosen, why = _bond_sale(assessed("C3"))
    assert chosen == "BB"  # lowest minimum (100.00, as BC's), then the smaller id
    assert why["BA"] == why["BC"] == why["BN"] == _preferred("BB")


def test_an_in_branch_allocation_records_each_risky_line_as_the_counter_would() -> None:
    c = assessed("C3")
    counter = allocate(c, "100000.00", CATALOGUE, REGULATORY, as_of=AS_OF, in_branch=True)
    by_product = {ln.product_id: ln.conditions for ln in counter.lines}
    assert by_product == {
        "TD-1Y": (),
        "MMF": (Condition.RECORDED_SALE,),
        "BOND": (Condition.RECORDED_SALE,),
        "WM-90": (Condition.RECORDED_SALE,),
        "BAL": (Condition.RECORDED_SALE,),
        None: (),
    }
    assert counter.conditions == (Condition.RECORDED_SALE,)
    # Not in a branch unless the caller says so: the same allocation, no recorded sale.
    remote = allocate(c, "100000.00", CATALOGUE, REGULATORY, as_of=AS_OF)
    assert [ln.conditions for ln in remote.lines] == [()] * len(remote.lines)
    assert remote.conditions == ()
    assert [ln.amount for ln in remote.lines] == [ln.amount for ln in counter.lines]


def test_an_allocation_line_carries_its_products_conditions_and_cooling_off() -> None:
    # A C5 customer of 76 (capped at C3): every line above deposit asks for extra
    # confirmation. A private-banking C5 customer, in branch: the private-wealth line
    # keeps its 24-hour cooling-off period and is recorded.
    old = allocate(ELDERLY, "100000.00", CATALOGUE, REGULATORY, as_of=AS_OF)
    assert {ln.product_id: (ln.conditions, ln.cooling_off_hours) for ln in old.lines} == {
        "TD-1Y": ((), 0),
        "MMF": ((Condition.EXTRA_CONFIRMATION,), 0),
        "BOND": ((Condition.EXTRA_CONFIRMATION,), 0),
        "WM-90": ((Condition.EXTRA_CONFIRMATION,), 0),
        "BAL": ((Condition.EXTRA_CONFIRMATION,), 0),
        None: ((), 0),
    }
    assert old.conditions == (Condition.EXTRA_CONFIRMATION,)
    rich = allocate(
        assessed("C5"),
        "20000000.00",
        CATALOGUE,
        REGULATORY,
        as_of=AS_OF,
        tier="private_banking",
        in_branch=True,
    )
    priv = next(ln for ln in rich.lines if ln.product_id == "PRIV")
    assert (priv.conditions, priv.cooling_off_hours) == (
        (Condition.COOLING_OFF, Condition.RECORDED_SALE),
        24,
    )
    assert rich.conditions == (Condition.COOLING_OFF, Condition.RECORDED_SALE)
    assert {ln.cooling_off_hours for ln in rich.lines if ln.product_id != "PRIV"} == {0}


@pytest.mark.parametrize(
    "as_of", ["2026-11-30", dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC), None]
)
def test_an_allocation_is_dated_by_a_calendar_day_named_as_of(as_of: Any) -> None:
    with pytest.raises(InputError) as info:
        allocate(assessed("C3"), "1000.00", CATALOGUE, REGULATORY, as_of=as_of)
    assert (info.value.field, str(info.value)) == ("as_of", "as_of must be a date")


# --- the decision a sale check returns, field by field -------------------------


def test_a_blocked_sale_offers_the_nearest_amounts_and_no_conditions_of_sale() -> None:
    # An elderly customer, in branch, a 24-hour cooling-off product, an amount off the grid.
    p = product("BF", "bond_fund", "R2", cooling_off_hours=24)
    d = check_suitability(ELDERLY, p, REGULATORY, as_of=AS_OF, amount="1250.00", in_branch=True)
    assert (d.customer_key, d.product_id, d.as_of, d.playbook.id) == (
        "C1",
        "BF",
        AS_OF,
        REGULATORY.id,
    )
    assert (d.outcome, d.allowed) == ("blocked", False)
    assert (d.conditions, d.cooling_off_hours) == ((), 0)
    assert d.nearest_valid_amounts == (D("1200.00"), D("1300.00"))


def test_an_allowed_sale_carries_its_conditions_and_cooling_off_and_no_other_amounts() -> None:
    p = product("BF", "bond_fund", "R2", cooling_off_hours=24)
    d = check_suitability(ELDERLY, p, REGULATORY, as_of=AS_OF, amount="1300.00", in_branch=True)
    assert (d.customer_key, d.product_id, d.outcome, d.allowed) == ("C1", "BF", "allowed", True)
    assert d.conditions == (
        Condition.COOLING_OFF,
        Condition.EXTRA_CONFIRMATION,
        Condition.RECORDED_SALE,
    )
    assert (d.cooling_off_hours, d.nearest_valid_amounts) == (24, ())


# --- a playbook loaded again, and the playbook's variants ----------------------
# The engine compiles a playbook once per object and memoises what it derives
# (tables, plan, explanations, reasons). These tests load a fresh playbook each
# time, so the compiling is part of the test: the mutation pass showed a fault in
# the compiled plan went unnoticed by every test that found the plan already built.


def reloaded(
    pb: Playbook = REGULATORY, edit: Callable[[dict[str, Any]], None] | None = None
) -> Playbook:
    """A new playbook object equal to ``pb`` (its ``risk`` section edited by ``edit``)."""
    data = json.loads(pb.canonical_json())
    if edit is not None:
        edit(data["risk"])
    return Playbook.model_validate(data)


def without(*checks: str, **risk: Any) -> Callable[[dict[str, Any]], None]:
    """An edit dropping ``checks`` from the policy and setting the given ``risk`` fields."""

    def edit(r: dict[str, Any]) -> None:
        r["policy"] = [p for p in r["policy"] if p["check"] not in checks]
        r.update(risk)

    return edit


@pytest.mark.parametrize("sale", list(SALES))
def test_a_playbook_loaded_again_gives_each_sale_the_same_reasons_and_cites_it(sale: str) -> None:
    customer, prod, kwargs, expected = SALES[sale]
    pb = reloaded()
    d = check_suitability(customer, prod, pb, **({"as_of": AS_OF} | kwargs))
    assert [(r.code, r.rule_id, r.message, r.facts) for r in d.reasons] == expected
    assert d.playbook == REGULATORY.ref
    assert d.allowed is (d.outcome == "allowed") is (sale in ALLOWED_SALES)
    assert d.nearest_valid_amounts == (() if d.allowed else NEAREST.get(sale, ()))


ALLOWED_SALES = {
    "at the customer's level",
    "elderly, within the capped level, in branch",
    "a deposit without an assessment",
}
NEAREST = {
    "below the minimum": (D("10000.00"),),
    "off the increment": (D("12000.00"), D("13000.00")),
}


def _age_answer(option: str, assessed_on: str = "2026-03-01", **ra: Any) -> Customer:
    """A C5 customer with no birth date on file, who answered ``option`` to the age question."""
    record = {
        "level": "C5",
        "score": 90,
        "assessed_on": assessed_on,
        "valid_until": "2099-12-31",
        "answers": [{"question_id": "q_age", "option_id": option}],
    } | ra
    return Customer(key="C1", risk_assessment=record)


def test_a_65_or_over_age_answer_caps_the_customer_with_no_birth_date_on_file() -> None:
    fund = product("EQ", "equity_fund", "R4")
    d = check_suitability(_age_answer("d"), fund, reloaded(), as_of=AS_OF, in_branch=True)
    assert [(r.code, r.facts.get("age_from")) for r in d.reasons] == [
        (ReasonCode.SUIT_ELDERLY_CAP, "age_answer"),
        (ReasonCode.SUIT_ELDERLY_CONFIRM, "age_answer"),
        (ReasonCode.SUIT_RECORDED_SALE, None),
    ]
    for younger in "abc":  # "under 30" states no age; "30 or over", "51 or over" are not 65
        assert check_suitability(_age_answer(younger), fund, reloaded(), as_of=AS_OF).allowed


def test_an_age_answer_ages_with_the_years_since_the_assessment() -> None:
    # A three-year assessment whose age question offers "63 or over": answered on
    # 2024-03-01, the customer is 65 or over from 2026-03-01.
    def sixty_three(r: dict[str, Any]) -> None:
        r["validity_months"] = 36
        r["questionnaire"][0]["options"][2]["min_age"] = 63

    pb = reloaded(edit=sixty_three)
    fund = product("EQ", "equity_fund", "R4")
    then = _age_answer("c", assessed_on="2024-03-01")
    assert codes(check_suitability(then, fund, pb, as_of=dt.date(2026, 2, 28))) == [
        ReasonCode.SUIT_LEVEL_OK
    ]  # 64 or over: one whole year since
    capped = check_suitability(then, fund, pb, as_of=dt.date(2026, 3, 1))
    assert next((r.code, r.facts.get("age_from")) for r in capped.reasons) == (
        ReasonCode.SUIT_ELDERLY_CAP,
        "age_answer",
    )


def test_a_customer_is_elderly_at_the_sale_from_the_65th_birthday() -> None:
    fund = product("EQ", "equity_fund", "R4")
    on_the_day = assessed("C5", birth_date=dt.date(1961, 11, 30))
    day_before = assessed("C5", birth_date=dt.date(1961, 12, 1))
    assert codes(check_suitability(on_the_day, fund, reloaded(), as_of=AS_OF)) == [
        ReasonCode.SUIT_ELDERLY_CAP,
        ReasonCode.SUIT_ELDERLY_CONFIRM,
    ]
    assert check_suitability(day_before, fund, reloaded(), as_of=AS_OF).allowed


def test_a_playbook_without_an_age_question_reads_the_birth_date_alone() -> None:
    def no_age_question(r: dict[str, Any]) -> None:
        for q in r["questionnaire"]:
            if q["topic"] == "age":
                q["topic"] = "horizon"
                for o in q["options"]:
                    o.pop("min_age", None)

    pb = reloaded(edit=no_age_question)
    fund = product("EQ", "equity_fund", "R4")
    assert check_suitability(_age_answer("d"), fund, pb, as_of=AS_OF).allowed
    old = assessed("C5", birth_date=dt.date(1950, 6, 1))
    assert codes(check_suitability(old, fund, pb, as_of=AS_OF))[0] is ReasonCode.SUIT_ELDERLY_CAP


def test_elderly_confirmation_without_a_cap_asks_to_confirm_and_caps_nothing() -> None:
    pb = reloaded(edit=without(elderly_max_level=None))
    old = assessed("C5", birth_date=dt.date(1950, 6, 1))
    d = check_suitability(old, product("EQ", "equity_fund", "R4"), pb, as_of=AS_OF)
    assert (d.allowed, d.conditions) == (True, (Condition.EXTRA_CONFIRMATION,))
    assert codes(d) == [ReasonCode.SUIT_LEVEL_OK, ReasonCode.SUIT_ELDERLY_CONFIRM]


def test_the_elderly_cap_without_elderly_confirmation_still_caps() -> None:
    pb = reloaded(edit=without("elderly_confirmation"))
    old = assessed("C5", birth_date=dt.date(1950, 6, 1))
    d = check_suitability(old, product("EQ", "equity_fund", "R4"), pb, as_of=AS_OF)
    assert codes(d) == [ReasonCode.SUIT_ELDERLY_CAP]
    assert (
        check_suitability(old, product("BF", "bond_fund", "R3"), pb, as_of=AS_OF).conditions == ()
    )


def test_an_elderly_cap_at_the_lowest_level_caps_every_risky_product() -> None:
    pb = reloaded(edit=without(elderly_max_level="C1"))
    old = assessed("C3", birth_date=dt.date(1950, 6, 1))
    d = check_suitability(old, product("BF", "bond_fund", "R2"), pb, as_of=AS_OF)
    assert codes(d)[0] is ReasonCode.SUIT_ELDERLY_CAP
    assert d.reasons[0].facts["capped_level"] == "C1"


def test_without_the_level_matrix_the_elderly_cap_has_nothing_to_cap() -> None:
    pb = reloaded(edit=without("level_matrix", "elderly_confirmation"))
    old = assessed("C5", birth_date=dt.date(1950, 6, 1))
    d = check_suitability(old, product("EQ", "equity_fund", "R5"), pb, as_of=AS_OF)
    assert (d.allowed, codes(d)) == (True, [ReasonCode.SUIT_LEVEL_OK])
    assert d.reasons[0].facts == {"case": "no_checks"}
    young = reloaded(edit=without("elderly_confirmation", elderly_max_level=None))
    d = check_suitability(old, product("EQ", "equity_fund", "R5"), young, as_of=AS_OF)
    assert (d.allowed, codes(d)) == (True, [ReasonCode.SUIT_LEVEL_OK])


def test_an_assessment_required_without_the_matrix_is_any_valid_assessment() -> None:
    pb = reloaded(edit=without("level_matrix"))
    fund = product("EQ", "equity_fund", "R5")
    d = check_suitability(assessed("C1"), fund, pb, as_of=AS_OF)
    assert (d.allowed, codes(d)) == (True, [ReasonCode.SUIT_LEVEL_OK])
    traced = trace_suitability(assessed("C1"), fund, pb, as_of=AS_OF)
    assert tuple(traced.key[:2]) == (LevelStep.NONE, -1)  # the matrix did not speak
    assert codes(check_suitability(Customer(key="C9"), fund, pb, as_of=AS_OF)) == [
        ReasonCode.SUIT_NO_ASSESSMENT
    ]


def test_a_playbook_with_no_suitability_checks_allows_every_sale_saying_so() -> None:
    pb = reloaded(edit=lambda r: r.update(policy=[]))
    d = check_suitability(
        Customer(key="C9"),
        product("EQ", "equity_fund", "R5"),
        pb,
        as_of=AS_OF,
        amount="1.00",
        in_branch=True,
    )
    assert (d.allowed, [(r.code, r.rule_id, r.facts) for r in d.reasons]) == (
        True,
        [(ReasonCode.SUIT_LEVEL_OK, "suit", {"case": "no_checks"})],
    )
    assert d.conditions == ()


def test_another_customers_tier_decision_is_refused_at_the_counter_and_in_an_allocation() -> None:
    theirs = assign_tier(Customer(key="C7"), REGULATORY, as_of=AS_OF)
    deposit = product("TD", "deposit", "R1")
    with pytest.raises(InputError, match="about another customer") as info:
        check_suitability(assessed("C3"), deposit, REGULATORY, as_of=AS_OF, tier=theirs)
    assert info.value.field == "tier"
    with pytest.raises(InputError, match="about another customer") as info:
        allocate(assessed("C3"), "100.00", [deposit], REGULATORY, as_of=AS_OF, tier=theirs)
    assert info.value.field == "tier"


def test_a_level_of_another_playbook_is_refused_saying_to_reassess() -> None:
    with pytest.raises(InputError) as info:
        check_suitability(assessed("steady"), CATALOGUE[0], REGULATORY, as_of=AS_OF)
    assert (info.value.field, str(info.value)) == (
        "risk_assessment.level",
        (
            "risk assessment level is not one of the playbook's ['C1', 'C2', 'C3', 'C4', 'C5']; "
            "re-assess the customer under this playbook"
        ),
    )


# --- the trace: how a check was reached ---------------------------------------


def test_the_trace_says_which_steps_spoke_and_which_did_not() -> None:
    deposit, fund = product("TD", "deposit", "R1"), product("EQ", "equity_fund", "R4")
    traced: list[tuple[Customer, Product, dict[str, Any], tuple[int, ...]]] = [
        (
            Customer(key="C9"),
            deposit,
            {},
            (LevelStep.RISK_FREE, -1, TierCheck.OPEN, AmountCheck.NO_AMOUNT, 0),
        ),
        (
            Customer(key="C9"),
            fund,
            {},
            (LevelStep.NO_ASSESSMENT, -1, TierCheck.OPEN, AmountCheck.NO_AMOUNT, 0),
        ),
        (
            assessed("C5", valid_until="2026-11-29"),
            fund,
            {"amount": "1000.00"},
            (LevelStep.EXPIRED, -1, TierCheck.OPEN, AmountCheck.ON_GRID, 0),
        ),
        (
            assessed("C4"),
            fund,
            {"in_branch": True},
            (LevelStep.WITHIN, 3, TierCheck.OPEN, AmountCheck.NO_AMOUNT, SaleFlag.RECORDED_SALE),
        ),
        (
            ELDERLY,
            PRIVATE,
            {"tier": "private_banking", "in_branch": True},
            (LevelStep.ELDERLY_CAPPED, 2, TierCheck.ELIGIBLE, AmountCheck.NO_AMOUNT, 7),
        ),
        (
            ELDERLY,
            product("BF", "bond_fund", "R2", cooling_off_hours=24),
            {},
            (LevelStep.WITHIN, 2, TierCheck.OPEN, AmountCheck.NO_AMOUNT, 3),
        ),
    ]
    for customer, prod, kwargs, key in traced:
        t = trace_suitability(customer, prod, reloaded(), as_of=AS_OF, **kwargs)
        assert tuple(t.key) == key
        assert [type(code) for code in t.key[:4]] == [LevelStep, int, TierCheck, AmountCheck]
        assert t.decision() == check_suitability(customer, prod, REGULATORY, as_of=AS_OF, **kwargs)


def test_a_playbook_without_elderly_rules_never_reads_the_customers_age() -> None:
    pb = reloaded(edit=without("elderly_confirmation", elderly_max_level=None))
    t = trace_suitability(ELDERLY, product("EQ", "equity_fund", "R4"), pb, as_of=AS_OF)
    assert t.elderly == ()
    assert trace_suitability(
        ELDERLY, product("EQ", "equity_fund", "R4"), reloaded(), as_of=AS_OF
    ).elderly == ("birth_date",)


def test_a_blocked_sale_without_an_amount_offers_no_amounts() -> None:
    d = check_suitability(
        assessed("C2"), product("EQ", "equity_fund", "R4"), reloaded(), as_of=AS_OF
    )
    assert (d.allowed, d.nearest_valid_amounts) == (False, ())


# --- allocation: which products take a share, and why the others do not ---------


def test_an_allocation_excludes_each_product_citing_only_what_blocks_it() -> None:
    cooling = product("BOND-3", "bond_fund", "R3", cooling_off_hours=24)
    reserved_deposit = product("TD-PB", "deposit", "R1", reserved_for_tiers=["private_banking"])
    reserved_fund = product("EQ-PB", "equity_fund", "R4", reserved_for_tiers=["private_banking"])
    reserved_bond = product("BOND-PB", "bond_fund", "R2", reserved_for_tiers=["private_banking"])
    catalogue = [*CATALOGUE, cooling, reserved_deposit, reserved_fund, reserved_bond]
    d = allocate(
        ELDERLY, "100000.00", catalogue, reloaded(), as_of=AS_OF, tier="high_end", in_branch=True
    )
    why = {e.product_id: [r.code for r in e.reasons] for e in d.excluded}
    assert why["EQ"] == [ReasonCode.SUIT_ELDERLY_CAP]
    assert why["EQ-PB"] == [ReasonCode.SUIT_ELDERLY_CAP, ReasonCode.SUIT_RESERVED]
    assert why["TD-PB"] == [ReasonCode.SUIT_RESERVED]
    assert why["BOND-PB"] == [ReasonCode.SUIT_RESERVED]  # within the level: no note cited
    low = allocate(assessed("C2"), "100000.00", catalogue, reloaded(), as_of=AS_OF)
    why = {e.product_id: [r.code for r in e.reasons] for e in low.excluded}
    assert why["BOND-3"] == [ReasonCode.SUIT_LEVEL_EXCEEDED]


def test_an_assessment_is_relied_on_from_its_first_day_to_its_last_in_an_allocation() -> None:
    c = assessed("C2")  # assessed 2026-03-01, valid until 2027-02-28
    for day, outcome in [
        (dt.date(2026, 2, 28), "risk_free_only"),
        (dt.date(2026, 3, 1), "C2"),
        (dt.date(2027, 2, 28), "C2"),
        (dt.date(2027, 3, 1), "risk_free_only"),
    ]:
        assert allocate(c, "1000.00", CATALOGUE, REGULATORY, as_of=day).outcome == outcome


def test_a_share_of_exactly_the_minimum_is_placed_and_a_smaller_one_says_why_not() -> None:
    # C2: 25% of 40,000.00 to fixed_income_wm, whose minimum is 10,000.00.
    wm = product("WM", "fixed_income_wm", "R2", minimum_investment="10000.00", increment="1000.00")
    exact = allocate(assessed("C2"), "40000.00", [wm], REGULATORY, as_of=AS_OF)
    assert {ln.product_id: ln.amount for ln in exact.lines}["WM"] == D("10000.00")
    short = allocate(assessed("C2"), "39999.96", [wm], REGULATORY, as_of=AS_OF)
    (excluded,) = short.excluded
    assert [(r.code, r.rule_id, r.message, r.facts) for r in excluded.reasons] == [
        (
            ReasonCode.ALLOC_EXCLUDED,
            "alloc",
            "the fixed_income_wm share is below the minimum",
            {
                "case": "below_minimum",
                "category": "fixed_income_wm",
                "share": D("9999.99"),
                "minimum": D("10000.00"),
            },
        )
    ]


def test_a_preferred_product_too_dear_for_the_share_gives_way_to_the_next() -> None:
    dear = product(
        "BOND-PEN", "bond_fund", "R2", minimum_investment="50000.00", needs_served=["pension"]
    )
    plain = product("BOND", "bond_fund", "R2")
    c = assessed("C2", needs=["pension"])
    d = allocate(c, "100000.00", [dear, plain], REGULATORY, as_of=AS_OF)
    assert "BOND" in {ln.product_id for ln in d.lines}
    assert [r.facts["case"] for r in {e.product_id: e for e in d.excluded}["BOND-PEN"].reasons] == [
        "below_minimum"
    ]


def test_a_share_smaller_than_the_increment_says_the_product_cannot_take_it() -> None:
    coarse = product("BOND", "bond_fund", "R2", minimum_investment="0.00", increment="1000.00")
    d = allocate(assessed("C2"), "2000.00", [coarse], REGULATORY, as_of=AS_OF)  # 500.00 to bonds
    (excluded,) = d.excluded
    assert [(r.code, r.rule_id, r.message, r.facts) for r in excluded.reasons] == [
        (
            ReasonCode.ALLOC_EXCLUDED,
            "alloc",
            "the bond_fund share is too small to place",
            {
                "case": "too_small",
                "category": "bond_fund",
                "share": D("500.00"),
                "increment": D("1000.00"),
            },
        )
    ]


# --- the columnar path reads what the policy needs, and only that ---------------


def _no_ages(r: dict[str, Any]) -> None:
    for o in r["questionnaire"][0]["options"]:
        o.pop("min_age", None)


def _only(*checks: str, ages: bool = True, **risk: Any) -> Callable[[dict[str, Any]], None]:
    def edit(r: dict[str, Any]) -> None:
        r["policy"] = [p for p in r["policy"] if p["check"] in checks]
        r.update(risk)
        if not ages:
            _no_ages(r)

    return edit


ALL_CHECKS = (
    "assessment_required",
    "level_matrix",
    "tier_reservation",
    "minimum_and_increment",
    "cooling_off",
    "elderly_confirmation",
    "recorded_sale",
)
ASSESSMENT = {"risk_level", "assessed_on", "valid_until"}
#: Each policy, and the input columns docs/scale-out.md says suitability_table then requires.
POLICIES: dict[str, tuple[Callable[[dict[str, Any]], None], set[str]]] = {
    "the regulatory preset": (
        _only(*ALL_CHECKS),
        ASSESSMENT | {"tier", "birth_date", "answers", "in_branch"},
    ),
    "no checks": (_only(), set()),
    "assessment only": (_only("assessment_required"), ASSESSMENT),
    "matrix only, with the elderly cap": (
        _only("level_matrix"),
        ASSESSMENT | {"birth_date", "answers"},
    ),
    "matrix only, no elderly cap": (_only("level_matrix", elderly_max_level=None), ASSESSMENT),
    "elderly confirmation only": (_only("elderly_confirmation"), {"birth_date", "answers"}),
    "elderly confirmation, an age question stating no ages": (
        _only("elderly_confirmation", ages=False),
        {"birth_date"},
    ),
    "every check, an age question stating no ages": (
        _only(*ALL_CHECKS, ages=False),
        ASSESSMENT | {"tier", "birth_date", "in_branch"},
    ),
    "tier reservation only": (_only("tier_reservation"), {"tier"}),
    "recorded sale only": (_only("recorded_sale"), {"in_branch"}),
}


def _pairs() -> Any:
    import pyarrow as pa

    return pa.table(
        {
            "key": ["C1", "C2"],
            "product_id": ["EQ", "TD-9"],
            "currency": ["CNY", "CNY"],
            "tier": ["high_end", None],
            "risk_level": ["C5", None],
            "assessed_on": pa.array([dt.date(2026, 3, 1), None], pa.date32()),
            "valid_until": pa.array([dt.date(2027, 2, 28), None], pa.date32()),
            "answers": [[{"question_id": "q_age", "option_id": "d"}], None],
            "birth_date": pa.array([None, None], pa.date32()),
            "amount": pa.array([D("1000.00"), None], pa.decimal128(38, 2)),
            "in_branch": [True, False],
        }
    )


@pytest.mark.parametrize("policy", list(POLICIES))
def test_the_table_requires_exactly_the_columns_its_policy_reads(policy: str) -> None:
    pytest.importorskip("pyarrow")
    import custtier.frames as cf
    from custtier.suitability._plan import suitability_plan

    edit, reads = POLICIES[policy]
    pb = reloaded(edit=edit)
    required = {"key", "product_id"} | reads
    assert suitability_plan(pb).columns == required
    fund = product("EQ", "equity_fund", "R4")
    catalogue = [fund, product("TD-9", "deposit", "R9")]  # a deposit at a level it lacks
    pairs = _pairs()
    out = cf.suitability_table(pairs, catalogue, pb, as_of=AS_OF)
    # The first row as check_suitability decides it: a 65-or-over age answer, no birth date.
    customer = _age_answer("d", valid_until="2027-02-28")
    scalar = check_suitability(
        customer, fund, pb, as_of=AS_OF, tier="high_end", amount="1000.00", in_branch=True
    )
    first, second = out.to_pylist()
    assert (first["outcome"], first["reason_codes"]) == (
        scalar.outcome,
        [c.value for c in codes(scalar)],
    )
    assert (second["error_code"], second["error_field"]) == (
        "product_not_in_playbook",
        "product.risk_level",
    )
    for column in pairs.column_names:
        fewer = pairs.drop_columns([column])
        if column in required:
            with pytest.raises(InputError) as info:
                cf.suitability_table(fewer, catalogue, pb, as_of=AS_OF)
            assert info.value.field == column
        else:
            assert cf.suitability_table(fewer, catalogue, pb, as_of=AS_OF).num_rows == 2


def test_each_sale_of_one_playbook_quotes_its_own_facts_and_the_decision_its_schema() -> None:
    from custtier.suitability._models import SuitabilityDecision

    def two_risk_free(r: dict[str, Any]) -> None:
        r["risk_free_categories"] = ["deposit", "money_market"]

    pb = reloaded(edit=two_risk_free)
    nobody, c5 = Customer(key="C9"), assessed("C5")
    facts = [
        check_suitability(nobody, product("BF", "bond_fund", "R2"), pb, as_of=AS_OF),
        check_suitability(nobody, product("BL", "balanced_fund", "R3"), pb, as_of=AS_OF),
        check_suitability(nobody, product("TD", "deposit", "R1"), pb, as_of=AS_OF),
        check_suitability(nobody, product("MM", "money_market", "R1"), pb, as_of=AS_OF),
        check_suitability(
            c5,
            product("P1", "equity_fund", "R4", reserved_for_tiers=["private_banking"]),
            pb,
            as_of=AS_OF,
            tier="mass",
        ),
        check_suitability(
            c5,
            product("P2", "equity_fund", "R4", reserved_for_tiers=["high_end", "private_banking"]),
            pb,
            as_of=AS_OF,
            tier="mass",
        ),
        check_suitability(
            c5, product("C1", "equity_fund", "R4", cooling_off_hours=24), pb, as_of=AS_OF
        ),
        check_suitability(
            c5, product("C2", "equity_fund", "R4", cooling_off_hours=48), pb, as_of=AS_OF
        ),
    ]
    assert [d.reasons[0].facts for d in facts[:4]] == [
        {"product_level": "R2"},
        {"product_level": "R3"},
        {"category": "deposit"},
        {"category": "money_market"},
    ]
    assert [d.reasons[0].facts["reserved_for"] for d in facts[4:6]] == [
        "private_banking",
        "high_end,private_banking",
    ]
    assert [d.reasons[-1].facts for d in facts[6:]] == [{"hours": 24}, {"hours": 48}]
    defaults = {
        name: SuitabilityDecision.model_fields[name].default
        for name in ("kind", "schema_version", "custtier_version")
    }
    for d in facts:
        assert {name: getattr(d, name) for name in defaults} == defaults
        assert SuitabilityDecision.model_validate(d.model_dump()) == d
