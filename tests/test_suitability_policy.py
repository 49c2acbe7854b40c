"""The bank's suitability rules at the counter, each stated so that breaking it fails a test.

Written against issue 12's mutation survivors: each test states one rule of the
practice (docs/suitability.md) that no earlier test read closely enough to notice
when the code stopped following it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from custtier import (
    Condition,
    Customer,
    Playbook,
    Product,
    ReasonCode,
    allocate,
    assess_risk,
    check_catalogue,
    check_suitability,
    presets,
    synth,
    tier_services,
)
from custtier.errors import InputError

REGULATORY = presets.REGULATORY
AS_OF = dt.date(2026, 11, 30)
ANSWERS = {
    "q_age": "b",
    "q_finances": "c",
    "q_experience": "c",
    "q_objective": "c",
    "q_horizon": "c",
    "q_liquidity": "c",
    "q_loss": "c",
}


def assessed(level: str, *, valid_until: str = "2027-02-28", **kw: Any) -> Customer:
    ra = {"level": level, "score": 50, "assessed_on": "2026-03-01", "valid_until": valid_until}
    return Customer(key="C000042", risk_assessment=ra, **kw)


def product(pid: str, category: str, level: str, **kw: Any) -> Product:
    fields: dict[str, Any] = {"minimum_investment": "1000.00", "increment": "100.00"}
    return Product(id=pid, name=pid, category=category, risk_level=level, **(fields | kw))


# --- a day given as text is refused, naming the argument -----------------------------

# As a JSON request gives them (typed Any: the calls are typed to refuse them).
TEXT_DAY: Any = "2026-11-30"
TEXT_BIRTH: Any = "1950-06-01"
_TEXT_DAY: dict[str, tuple[str, Callable[[], object]]] = {
    "check_suitability": (
        "as_of",
        lambda: check_suitability(
            assessed("C3"), product("BF", "bond_fund", "R2"), REGULATORY, as_of=TEXT_DAY
        ),
    ),
    "check_catalogue": (
        "as_of",
        lambda: check_catalogue(
            assessed("C3"), [product("BF", "bond_fund", "R2")], REGULATORY, as_of=TEXT_DAY
        ),
    ),
    "allocate": (
        "as_of",
        lambda: allocate(assessed("C3"), "1000.00", [], REGULATORY, as_of=TEXT_DAY),
    ),
    "tier_services": (
        "as_of",
        lambda: tier_services("C000042", "mass", REGULATORY, as_of=TEXT_DAY),
    ),
    "assess_risk": ("as_of", lambda: assess_risk(ANSWERS, REGULATORY, as_of=TEXT_DAY)),
    "assess_risk birth_date": (
        "birth_date",
        lambda: assess_risk(ANSWERS, REGULATORY, as_of=AS_OF, birth_date=TEXT_BIRTH),
    ),
}


@pytest.mark.parametrize("call", sorted(_TEXT_DAY))
def test_a_day_given_as_text_is_refused_naming_the_argument_to_correct(call: str) -> None:
    """A JSON request passed straight through carries its days as text: the error says which."""
    name, run = _TEXT_DAY[call]
    with pytest.raises(InputError) as err:
        run()
    assert err.value.field == name
    assert str(err.value).startswith(f"{name} ")


# --- the counter screen: check_catalogue -----------------------------------------------


def test_a_counter_screen_for_an_elderly_high_end_customer_in_branch() -> None:
    """Each product decided as check_suitability decides it, tier, day and channel included.

    A C4 customer aged 76, high-end, at the branch counter: the private fund reserved for
    high-end customers is open to her, with its cooling-off, a second confirmation and a
    recorded sale; an R4 fund is above the elderly cap (C3 → R3); the deposit is sold
    without conditions.
    """
    c = assessed("C4", birth_date=dt.date(1950, 6, 1))
    shelf = {p.id: p for p in synth.catalogue(REGULATORY)}
    catalogue = [shelf["PRV-FI"], shelf["BF-CREDIT"], shelf["EQ-CSI300"], shelf["DEP-1Y"]]
    got = check_catalogue(c, catalogue, REGULATORY, as_of=AS_OF, tier="high_end", in_branch=True)
    want = [
        check_suitability(c, p, REGULATORY, as_of=AS_OF, tier="high_end", in_branch=True)
        for p in catalogue
    ]
    assert list(got) == want
    every = (Condition.EXTRA_CONFIRMATION, Condition.RECORDED_SALE)
    assert [(d.product_id, d.outcome, d.conditions) for d in got] == [
        ("PRV-FI", "allowed", (Condition.COOLING_OFF, *every)),
        ("BF-CREDIT", "allowed", every),
        ("EQ-CSI300", "blocked", ()),
        ("DEP-1Y", "allowed", ()),
    ]
    assert got[2].reasons[0].code is ReasonCode.SUIT_ELDERLY_CAP
    assert {d.as_of for d in got} == {AS_OF}
    assert got[0].cooling_off_hours == 24


def test_a_counter_screen_is_not_a_branch_sale_unless_told() -> None:
    """in_branch defaults to False, as in check_suitability: no recorded sale is asked for."""
    c = assessed("C3")
    bond = product("BF", "bond_fund", "R2")
    (d,) = check_catalogue(c, [bond], REGULATORY, as_of=AS_OF)
    assert d.allowed
    assert d.conditions == ()
    assert d == check_suitability(c, bond, REGULATORY, as_of=AS_OF)


def test_a_counter_screen_reads_the_assessment_on_the_day_asked() -> None:
    """The same record, screened the day its assessment lapses and the day after."""
    c = assessed("C3", valid_until="2026-11-29")
    bond = product("BF", "bond_fund", "R2")
    before = check_catalogue(c, [bond], REGULATORY, as_of=dt.date(2026, 11, 29))
    after = check_catalogue(c, [bond], REGULATORY, as_of=AS_OF)
    assert [d.outcome for d in before + after] == ["allowed", "blocked"]
    assert after[0].reasons[0].code is ReasonCode.SUIT_ASSESSMENT_EXPIRED
    assert after[0].reasons[0].facts["effective_until"] == dt.date(2026, 11, 29)


# --- allocation ----------------------------------------------------------------------


def test_a_private_wealth_share_goes_to_a_product_reserved_for_the_customers_tier() -> None:
    """A C5 customer's 10% private-wealth weight: taken by a high-end product for a high-end
    customer; with no tier given the reserved products are not sold, and the share is cash."""
    c = assessed("C5")
    catalogue = synth.catalogue(REGULATORY)
    high_end = allocate(c, "20000000.00", catalogue, REGULATORY, as_of=AS_OF, tier="high_end")
    no_tier = allocate(c, "20000000.00", catalogue, REGULATORY, as_of=AS_OF)
    private = {
        line.product_id: line.amount for line in high_end.lines if line.category == "private_wealth"
    }
    assert private == {"PRV-FI": Decimal("2000000.00")}
    assert not any(line.category == "private_wealth" for line in no_tier.lines)
    excluded = {e.product_id: e.reasons[0].code for e in no_tier.excluded}
    assert excluded["PRV-FI"] is ReasonCode.SUIT_RESERVED
    # The share no product took is kept whole in the cash line, and the decision says so.
    (kept,) = [r for r in no_tier.reasons if r.facts.get("category") == "private_wealth"]
    assert (kept.code, kept.facts["case"]) == (ReasonCode.ALLOC_CASH, "no_product")
    assert (kept.facts["placed"], kept.facts["left"]) == (0, Decimal("2000000.00"))
    for d in (high_end, no_tier):
        assert sum(line.amount for line in d.lines) + d.unplaced == Decimal("20000000.00")


def _cash_in_money_market() -> Playbook:
    """The regulatory playbook, keeping what it cannot place in the money-market category.

    Money-market funds are not risk-free: a fund there needs a valid assessment.
    """
    data = json.loads(REGULATORY.canonical_json())
    data["allocation"]["cash_category"] = "money_market"
    return Playbook.model_validate(data)


def test_an_allocation_reads_the_assessment_on_its_own_day() -> None:
    """The day before the assessment lapses, the C3 portfolio and its fund; the day after, only
    the cash line, and the fund is excluded because the assessment expired (on which day);
    dated before the assessment was made, it is excluded as dated after the sale."""
    pb = _cash_in_money_market()
    c = Customer(
        key="C000042",
        risk_assessment={
            "level": "C3",
            "score": 50,
            "assessed_on": "2025-12-01",
            "valid_until": "2026-11-29",
        },
    )
    fund = product("MMF-T0", "money_market", "R1", minimum_investment="1.00", increment="0.01")
    valid = allocate(c, "10000.00", [fund], pb, as_of=dt.date(2026, 11, 29))
    assert valid.outcome == "C3"
    assert ("MMF-T0", Decimal("1000.00")) in [(ln.product_id, ln.amount) for ln in valid.lines]
    for day, case in [(AS_OF, "expired"), (dt.date(2025, 11, 30), "dated_after_sale")]:
        lapsed = allocate(c, "10000.00", [fund], pb, as_of=day)
        assert lapsed.outcome == "risk_free_only"
        assert [(ln.product_id, ln.amount) for ln in lapsed.lines] == [(None, Decimal("10000.00"))]
        (why,) = next(e.reasons for e in lapsed.excluded if e.product_id == "MMF-T0")
        assert why.code is ReasonCode.SUIT_ASSESSMENT_EXPIRED
        assert (why.facts["case"], why.facts["effective_until"]) == (case, dt.date(2026, 11, 29))


def test_a_share_smaller_than_the_products_lot_stays_in_cash_whole() -> None:
    """A fund with no minimum sold in lots of 1,000: a 200.00 share buys no lot. The product is
    excluded as too small, and every cent of the share is kept in the cash line."""
    c = assessed("C1")  # 60% deposit, 40% money market
    lots = product("MMF-LOT", "money_market", "R1", minimum_investment="0", increment="1000.00")
    deposit = product("TD-1Y", "deposit", "R1", minimum_investment="50.00", increment="0.01")
    d = allocate(c, "500.00", [lots, deposit], REGULATORY, as_of=AS_OF)
    assert [(ln.product_id, ln.category, ln.amount) for ln in d.lines] == [
        ("TD-1Y", "deposit", Decimal("300.00")),
        (None, "deposit", Decimal("200.00")),
    ]
    (too_small,) = next(e.reasons for e in d.excluded if e.product_id == "MMF-LOT")
    assert too_small.facts["case"] == "too_small"
    kept = d.reasons[-1]
    assert (kept.code, kept.facts["placed"], kept.facts["left"]) == (
        ReasonCode.ALLOC_CASH,
        0,
        Decimal("200.00"),
    )


def test_each_level_is_allocated_by_its_own_model_portfolio_and_says_so() -> None:
    """Customers of every level, one after another: each decision cites its own level's
    portfolio (rule alloc.<level>), never one built for an earlier customer."""
    catalogue = synth.catalogue(REGULATORY)
    for level in ["C1", "C3", "C5", "C2", "C4"]:
        d = allocate(assessed(level), "100000.00", catalogue, REGULATORY, as_of=AS_OF)
        (model,) = [r for r in d.reasons if r.facts.get("case") == "portfolio"]
        assert (model.code, model.rule_id, model.facts["level"]) == (
            ReasonCode.ALLOC_MODEL_WEIGHT,
            f"alloc.{level}",
            level,
        )
        assert d.outcome == level


def test_a_customer_assessed_this_morning_may_buy_the_same_day() -> None:
    """The assessment is relied on from its assessed_on: a questionnaire scored at the counter
    lets the sale go ahead that day, at the level it gave."""
    scored = assess_risk(ANSWERS, REGULATORY, as_of=AS_OF, customer_key="C000042")
    assert (scored.outcome, scored.assessment.assessed_on) == ("C3", AS_OF)
    c = Customer(key="C000042").replace(risk_assessment=scored.assessment)
    fund = product("BAL-R3", "balanced_fund", "R3")
    d = check_suitability(c, fund, REGULATORY, as_of=AS_OF)
    assert d.allowed
    assert d.reasons[0].code is ReasonCode.SUIT_LEVEL_OK
    (screened,) = check_catalogue(c, [fund], REGULATORY, as_of=AS_OF)
    assert screened.allowed
    assert allocate(c, "100000.00", [fund], REGULATORY, as_of=AS_OF).outcome == "C3"


def test_a_product_sent_as_its_record_is_checked_as_the_product_it_describes() -> None:
    """A counter service passes the catalogue's JSON record straight through: same decision."""
    c = assessed("C2")
    bond = product("BF-R3", "bond_fund", "R3")
    record: Any = json.loads(bond.model_dump_json())
    assert check_suitability(c, record, REGULATORY, as_of=AS_OF) == check_suitability(
        c, bond, REGULATORY, as_of=AS_OF
    )


def test_a_playbook_sent_as_its_json_is_refused_naming_the_playbook() -> None:
    """The rules must be a loaded Playbook (a preset or Playbook.from_json), not its text."""
    text: Any = REGULATORY.canonical_json()
    with pytest.raises(InputError) as err:
        check_suitability(assessed("C2"), product("BF", "bond_fund", "R2"), text, as_of=AS_OF)
    assert err.value.field == "playbook"


def test_each_elderly_confirmation_names_what_made_the_customer_elderly() -> None:
    # The confirmation reason is shared per source of the age: a memo keyed without
    # the source gave every later elderly customer the first one's ("birth_date").
    bond = Product(id="BF", name="BF", category="bond_fund", risk_level="R2")
    ra = {"level": "C3", "score": 50, "assessed_on": "2026-03-01", "valid_until": "2027-02-28"}
    by_birth = Customer(key="C1", birth_date=dt.date(1950, 6, 1), risk_assessment=ra)
    by_answer = Customer(
        key="C2", risk_assessment=ra | {"answers": [{"question_id": "q_age", "option_id": "d"}]}
    )
    for customer, source in [(by_birth, "birth_date"), (by_answer, "age_answer")]:
        decision = check_suitability(customer, bond, REGULATORY, as_of=AS_OF)
        assert decision.reasons[-1].facts["age_from"] == source
