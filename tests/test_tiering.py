"""The tiering engine, example by example, as the bank's practice reads."""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from typing import Any

import pytest

from custtier import (
    Customer,
    Movement,
    Override,
    Playbook,
    ReasonCode,
    TierDecision,
    assign_tier,
    pareto_set,
    presets,
    tier_book,
    trace_tier,
)
from custtier.errors import InputError
from custtier.tiering._pareto import pareto_keys

PRACTICE = presets.PRACTICE
REGULATORY = presets.REGULATORY
AS_OF = dt.date(2026, 11, 30)
WINDOW = ("2026-08", "2026-09", "2026-10")


def customer(key: str = "C1", adb: str | None = None, **fields: Any) -> Customer:
    """A customer whose average daily balance was ``adb`` in each of the last three months."""
    if adb is not None:
        fields["monthly_balances"] = [{"month": m, "average_daily_balance": adb} for m in WINDOW]
    return Customer(key=key, **fields)


def codes(decision: TierDecision) -> list[ReasonCode]:
    return [r.code for r in decision.reasons]


# --- bands -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("adb", "tier"),
    [
        ("0.00", "mass"),
        ("49999.99", "mass"),
        ("50000.00", "mid_end"),
        ("50000.01", "mid_end"),
        ("499999.99", "mid_end"),
        ("500000.00", "high_end"),
        ("500000.01", "high_end"),
    ],
)
def test_bands_are_half_open_a_balance_on_the_bar_belongs_to_the_higher_tier(
    adb: str, tier: str
) -> None:
    decision = assign_tier(customer(adb=adb), PRACTICE, as_of=AS_OF)
    assert decision.tier == tier
    assert decision.decided_by == f"tier.adb.{tier}"
    band = decision.reasons[0]
    assert band.code is ReasonCode.TIER_BAND
    assert band.facts["value"] == Decimal(adb)
    assert band.facts["window_months"] == 3


def test_private_banking_starts_at_six_million_in_the_regulatory_preset() -> None:
    assert assign_tier(customer(adb="5999999.99"), REGULATORY, as_of=AS_OF).tier == "high_end"
    assert (
        assign_tier(customer(adb="6000000.00"), REGULATORY, as_of=AS_OF).tier == "private_banking"
    )


def test_average_is_over_the_three_complete_months_before_as_of() -> None:
    c = Customer(
        key="C1",
        monthly_balances=[
            {"month": "2026-08", "average_daily_balance": "400000.00"},
            {"month": "2026-09", "average_daily_balance": "500000.00"},
            {"month": "2026-10", "average_daily_balance": "650000.00"},
            # The current, incomplete month does not count.
            {"month": "2026-11", "average_daily_balance": "9000000.00"},
        ],
    )
    decision = assign_tier(c, PRACTICE, as_of=AS_OF)
    assert decision.basis_values["average_daily_balance"] == Decimal("516666.67")
    assert decision.tier == "high_end"


def test_missing_months_are_averaged_over_those_present_when_the_playbook_says_so() -> None:
    c = Customer(
        key="C1",
        monthly_balances=[
            {"month": "2026-09", "average_daily_balance": "600000.00"},
            {"month": "2026-10", "average_daily_balance": "500000.00"},
        ],
    )
    decision = assign_tier(c, PRACTICE, as_of=AS_OF)
    assert decision.tier == "high_end"
    incomplete = next(r for r in decision.reasons if r.code is ReasonCode.BASIS_INCOMPLETE)
    assert incomplete.facts["months_present"] == 2
    assert incomplete.facts["policy"] == "average_available"


def test_too_few_months_never_count_silently_as_zero_the_basis_is_unusable() -> None:
    c = Customer(key="C1", monthly_balances=[{"month": "2026-10", "average_daily_balance": "9e6"}])
    decision = assign_tier(c, PRACTICE, as_of=AS_OF)
    assert decision.tier == "mass"
    assert decision.basis_values["average_daily_balance"] is None
    assert ReasonCode.BASIS_INCOMPLETE in codes(decision)


def test_regulatory_preset_counts_missing_months_as_zero_as_it_states() -> None:
    c = Customer(
        key="C1",
        monthly_balances=[
            {"month": "2026-09", "average_daily_balance": "600000.00"},
            {"month": "2026-10", "average_daily_balance": "600000.00"},
        ],
    )
    decision = assign_tier(c, REGULATORY, as_of=AS_OF)
    assert decision.basis_values["average_daily_balance"] == Decimal("400000.00")
    assert decision.tier == "mid_end"


def test_a_customer_in_another_currency_is_refused_with_the_field_named() -> None:
    with pytest.raises(InputError) as info:
        assign_tier(customer(adb="1.00", currency="USD"), PRACTICE, as_of=AS_OF)
    assert info.value.field == "currency"


# --- hysteresis ------------------------------------------------------------


def _previous(tier: str, on: dt.date, below_since: dt.date | None = None) -> TierDecision:
    base = assign_tier(customer(adb="600000.00"), PRACTICE, as_of=on)
    return base.model_copy(update={"outcome": tier, "below_since": below_since})


def test_upgrades_apply_at_once() -> None:
    prev = assign_tier(customer(adb="100000.00"), PRACTICE, as_of=dt.date(2026, 10, 31))
    decision = assign_tier(customer(adb="600000.00"), PRACTICE, as_of=AS_OF, previous=prev)
    assert decision.tier == "high_end"
    assert decision.movement is Movement.UP
    assert ReasonCode.TIER_UPGRADE in codes(decision)


def test_inside_the_buffer_under_the_bar_a_high_end_customer_is_held() -> None:
    prev = _previous("high_end", dt.date(2026, 10, 31))
    # 460,000 is below the 500,000 bar but above 500,000 x (1 - 0.1).
    decision = assign_tier(customer(adb="460000.00"), PRACTICE, as_of=AS_OF, previous=prev)
    assert decision.tier == "high_end"
    assert decision.rule_tier == "mid_end"
    assert decision.movement is Movement.HELD
    assert decision.below_since is None


def test_below_the_buffer_the_downgrade_waits_for_the_grace_period() -> None:
    prev = _previous("high_end", dt.date(2026, 10, 31))
    first = assign_tier(customer(adb="300000.00"), PRACTICE, as_of=AS_OF, previous=prev)
    assert (first.tier, first.movement, first.below_since) == ("high_end", Movement.HELD, AS_OF)
    later = first
    for month_end in (dt.date(2026, 12, 31), dt.date(2027, 1, 31)):
        c = customer(adb="300000.00").replace(monthly_balances=[])
        later = assign_tier(c, PRACTICE, as_of=month_end, previous=later)
        assert later.tier == "high_end", month_end
    final = assign_tier(customer(adb="300000.00"), PRACTICE, as_of=dt.date(2027, 2, 28),
                        previous=later)  # fmt: skip
    assert final.tier in {"mid_end", "mass"}
    assert final.movement is Movement.DOWN
    assert ReasonCode.TIER_DOWNGRADE in codes(final)
    assert final.decided_by == "tier.hysteresis"


def test_regulatory_downgrades_wait_for_a_rating_month() -> None:
    prev = _previous("high_end", dt.date(2026, 1, 31), below_since=dt.date(2026, 1, 31))
    prev = prev.model_copy(update={"playbook": REGULATORY.ref})
    # Seven months below (grace is six) but November is not a review month.
    held = assign_tier(customer(adb="100000.00"), REGULATORY, as_of=AS_OF, previous=prev)
    assert held.movement is Movement.HELD
    assert any("review month" in r.message for r in held.reasons[-2:])
    january = assign_tier(
        customer(adb="100000.00").replace(
            monthly_balances=[
                {"month": m, "average_daily_balance": "100000.00"}
                for m in ("2026-10", "2026-11", "2026-12")
            ]
        ),
        REGULATORY,
        as_of=dt.date(2027, 1, 31),
        previous=held,
    )
    assert january.movement is Movement.DOWN
    assert january.tier == "mid_end"


def test_a_previous_decision_for_someone_else_is_refused() -> None:
    prev = assign_tier(customer("C2", adb="1.00"), PRACTICE, as_of=AS_OF)
    with pytest.raises(InputError):
        assign_tier(customer("C1", adb="1.00"), PRACTICE, as_of=AS_OF, previous=prev)


# --- overrides -------------------------------------------------------------


def _override(**kw: Any) -> Override:
    fields: dict[str, Any] = {
        "customer_key": "C1",
        "tier": "high_end",
        "reason": "Family of a private-banking client",
        "set_by": "RM-007",
        "set_on": dt.date(2026, 6, 1),
        "expires_on": dt.date(2026, 12, 31),
    }
    return Override(**(fields | kw))


def test_an_override_in_force_sets_the_tier_and_says_who_and_why() -> None:
    decision = assign_tier(customer(adb="1000.00"), PRACTICE, as_of=AS_OF, override=_override())
    assert decision.tier == "high_end"
    assert decision.rule_tier == "mass"
    assert decision.movement is Movement.OVERRIDDEN
    reason = next(r for r in decision.reasons if r.code is ReasonCode.TIER_OVERRIDE)
    assert reason.facts["set_by"] == "RM-007"
    assert reason.facts["expires_on"] == dt.date(2026, 12, 31)


def test_an_expired_override_no_longer_applies_and_the_decision_says_so() -> None:
    expired = _override(expires_on=dt.date(2026, 11, 29))
    decision = assign_tier(customer(adb="1000.00"), PRACTICE, as_of=AS_OF, override=expired)
    assert decision.tier == "mass"
    assert ReasonCode.TIER_OVERRIDE_EXPIRED in codes(decision)


def test_an_override_not_yet_started_does_not_apply() -> None:
    pending = _override(set_on=dt.date(2026, 12, 1))
    decision = assign_tier(customer(adb="1000.00"), PRACTICE, as_of=AS_OF, override=pending)
    assert decision.tier == "mass"
    assert ReasonCode.TIER_OVERRIDE_PENDING in codes(decision)


# --- KYC gaps --------------------------------------------------------------


def test_a_high_end_file_must_hold_important_dates_interests_and_family() -> None:
    kyc = {
        "customer_key": "C1",
        "identity": {"id_number": "X"},
        "occupation": "Surgeon",
        "declared_annual_income": "900000.00",
        "source_of_funds": "Salary",
        "declared_external_assets": "2000000.00",
        "aml_rating": "low",
        "interests": ["golf"],
    }
    c = customer(adb="800000.00", birth_date=dt.date(1970, 2, 28), kyc=kyc)
    decision = assign_tier(c, PRACTICE, as_of=AS_OF)
    assert set(decision.kyc_gaps) == {
        "risk_assessment", "important_dates", "family", "contact_consent",
    }  # fmt: skip
    gap = next(r for r in decision.reasons if r.code is ReasonCode.KYC_GAP)
    assert gap.rule_id == "kyc.high_end"


def test_a_mass_customer_needs_only_the_basic_file() -> None:
    decision = assign_tier(customer(adb="100.00"), PRACTICE, as_of=AS_OF)
    assert set(decision.kyc_gaps) == {"identity", "aml_rating", "contact_consent"}


# --- the book ----------------------------------------------------------------


def _book(profits: list[int], balance: str = "1000.00") -> list[Customer]:
    return [
        customer(f"C{i:03d}", adb=balance, annual_profit_contribution=str(p))
        for i, p in enumerate(profits)
    ]


def test_the_80_20_rule_promotes_the_few_who_carry_most_of_the_profit() -> None:
    book = _book([5000, 3000, 1000, 400, 300, 200, 100])  # total 10,000
    result = tier_book(book, PRACTICE, as_of=AS_OF)
    high = {d.customer_key for d in result.decisions if d.tier == "high_end"}
    # 5,000 + 3,000 = 80%: the two largest, and no one else.
    assert high == {"C000", "C001"}
    assert result.pareto_count == 2
    assert result.pareto_profit_share == Decimal("0.8000")
    promoted = next(d for d in result.decisions if d.customer_key == "C000")
    assert promoted.decided_by == "tier.pareto.80_20"
    assert ReasonCode.TIER_PARETO in codes(promoted)


def test_pareto_ties_are_broken_by_customer_key() -> None:
    book = _book([100, 100, 100, 100, 100])
    high = {d.customer_key for d in tier_book(book, PRACTICE, as_of=AS_OF).decisions
            if d.tier == "high_end"}  # fmt: skip
    assert high == {"C000", "C001", "C002", "C003"}


def test_losses_are_never_promoted_and_do_not_count_as_profit_share() -> None:
    book = _book([1000, -5000, 0])
    result = tier_book(book, PRACTICE, as_of=AS_OF)
    assert {d.customer_key for d in result.decisions if d.tier == "high_end"} == {"C000"}


def test_every_record_yields_one_decision_or_one_error_and_errors_hold_no_values() -> None:
    canary = "13800138000"
    records: list[Any] = [
        *_book([10, 20]),
        customer("C000", adb="5.00"),  # duplicate key
        customer("C009", adb="5.00", currency="USD"),
        {"key": "C010", "assets_under_management": 12.5},
        {"key": canary + "!", "assets_under_management": "1"},
    ]
    result = tier_book(records, PRACTICE, as_of=AS_OF)
    assert len(result.decisions) + len(result.errors) == len(records)
    # Every copy of a duplicated key is an error, so the order cannot matter.
    assert [(e.index, e.code) for e in result.errors] == [
        (0, "duplicate_key"),
        (2, "duplicate_key"),
        (3, "currency_mismatch"),
        (4, "invalid_record"),
        (5, "invalid_record"),
    ]
    assert result.errors[3].field == "assets_under_management"
    assert result.errors[3].customer_key == "C010"
    assert result.errors[4].customer_key is None
    assert canary not in result.model_dump_json()


def test_the_book_does_not_depend_on_input_order() -> None:
    book = _book([5000, 3000, 1000, 400, 300, 200, 100, 100, 50])
    shuffled = book[:]
    random.Random(4).shuffle(shuffled)
    a = tier_book(book, PRACTICE, as_of=AS_OF)
    b = tier_book(shuffled, PRACTICE, as_of=AS_OF)
    assert a.model_dump_json() == b.model_dump_json()


def test_the_summary_is_a_pyramid_with_shares_and_a_concentration_curve() -> None:
    book = [
        customer("C1", adb="800000.00", assets_under_management="800000.00",
                 annual_profit_contribution="8000.00"),
        customer("C2", adb="100000.00", assets_under_management="100000.00",
                 annual_profit_contribution="1500.00"),
        customer("C3", adb="1000.00", assets_under_management="1000.00",
                 annual_profit_contribution="500.00"),
        customer("C4", adb="1000.00", assets_under_management="99000.00",
                 annual_profit_contribution="0.00"),
    ]  # fmt: skip
    result = tier_book(book, PRACTICE, as_of=AS_OF)
    rows = {r.tier: r for r in result.summary}
    assert [r.tier for r in result.summary] == ["high_end", "mid_end", "mass"]
    assert rows["high_end"].count == 1
    assert rows["high_end"].customer_share == Decimal("0.2500")
    assert rows["high_end"].asset_share == Decimal("0.8000")
    assert rows["high_end"].profit_share == Decimal("0.8000")
    assert rows["mass"].count == 2
    assert result.concentration[0] == (Decimal(0), Decimal(0))
    assert result.concentration[-1] == (Decimal(1), Decimal(1))
    assert result.concentration[25] == (Decimal("0.2500"), Decimal("0.8000"))
    assert result.movements == {"new": 4}


def test_movements_against_the_previous_run_are_counted() -> None:
    last_run = tier_book(_book([0, 0, 0], balance="100000.00"), PRACTICE, as_of=AS_OF)
    assert {d.tier for d in last_run.decisions} == {"mid_end"}
    book = [
        customer("C000", adb="600000.00"),  # up
        customer("C001", adb="10000.00"),  # held: the grace period has not run
        customer("C002", adb="100000.00"),  # same
    ]
    result = tier_book(book, PRACTICE, as_of=AS_OF, previous=last_run.decisions)
    assert result.movements == {"held": 1, "same": 1, "up": 1}


def test_upgrade_candidates_are_mass_or_mid_customers_with_signals_ranked_by_score() -> None:
    near = customer("C1", adb="45000.00")  # within 20% of the 50,000 bar
    rich = customer(
        "C2",
        adb="20000.00",
        kyc={"customer_key": "C2", "declared_external_assets": "900000.00",
             "declared_annual_income": "400000.00"},
    )  # fmt: skip
    plain = customer("C3", adb="20000.00")
    top = customer("C4", adb="900000.00")
    result = tier_book([near, rich, plain, top], PRACTICE, as_of=AS_OF)
    keys = [c.customer_key for c in result.candidates]
    assert keys == ["C2", "C1"]
    rich_c = result.candidates[0]
    assert rich_c.score == 5
    assert rich_c.target_tier == "mid_end"
    assert {s.rule_id for s in rich_c.signals} == {"cand.wealth", "cand.income"}


def test_decisions_are_identical_json_in_a_fresh_process(tmp_path: Any) -> None:
    import subprocess
    import sys

    code = (
        "import datetime as dt, json;"
        "from custtier import Customer, assign_tier, presets;"
        "c = Customer(key='C1', monthly_balances=[{'month': m, 'average_daily_balance': "
        "'123456.78'} for m in ('2026-08','2026-09','2026-10')]);"
        "print(assign_tier(c, presets.PRACTICE, as_of=dt.date(2026, 11, 30)).to_audit_json())"
    )
    env = {"PYTHONHASHSEED": "12345", "TZ": "Pacific/Auckland", "LC_ALL": "C"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True).stdout.strip()  # fmt: skip
    here = assign_tier(customer(adb="123456.78"), PRACTICE, as_of=AS_OF).to_audit_json()
    assert out == here
    assert json.loads(out)["playbook"]["content_hash"] == PRACTICE.content_hash


def test_when_an_override_lapses_the_rules_decide_at_once_without_hysteresis() -> None:
    held = assign_tier(customer(adb="1000.00"), PRACTICE, as_of=dt.date(2026, 10, 31),
                       override=_override())  # fmt: skip
    assert held.movement is Movement.OVERRIDDEN
    lapsed = _override(expires_on=dt.date(2026, 11, 15))
    after = assign_tier(customer(adb="1000.00"), PRACTICE, as_of=AS_OF, previous=held,
                        override=lapsed)  # fmt: skip
    assert after.tier == "mass"
    assert ReasonCode.TIER_OVERRIDE_EXPIRED in codes(after)
    assert ReasonCode.TIER_HELD not in codes(after)


# --- several bases: each value against its own basis's bar -----------------


def two_bases(profit_first: bool) -> Playbook:
    """PRACTICE plus a profit basis (bars ¥2,000 and ¥10,000), in either order, no Pareto rule."""
    data = json.loads(PRACTICE.to_json())
    profit = {
        "basis": "profit_contribution",
        "bands": [
            {"rule_id": "tier.profit.mass", "tier": "mass", "lower": "0", "upper": "2000",
             "source": "market-tier-bars"},
            {"rule_id": "tier.profit.mid_end", "tier": "mid_end", "lower": "2000",
             "upper": "10000", "source": "market-tier-bars"},
            {"rule_id": "tier.profit.high_end", "tier": "high_end", "lower": "10000",
             "upper": None, "source": "market-tier-bars"},
        ],
    }  # fmt: skip
    bases = data["tiering"]["bases"]
    data["tiering"]["bases"] = [profit, *bases] if profit_first else [*bases, profit]
    data["tiering"]["pareto"] = None
    data["id"] = "two-bases"
    return Playbook.from_json(json.dumps(data))


@pytest.mark.parametrize("profit_first", [False, True])
@pytest.mark.parametrize(
    ("adb", "profit", "held_in_buffer"),
    [
        ("460000.00", "0.00", True),  # 460k >= 90% of the 500k balance bar
        ("100000.00", "9500.00", True),  # 9.5k >= 90% of the 10k profit bar
        ("100000.00", "5000.00", False),  # below both buffered bars
        ("9500.00", "9600.00", True),  # held by the profit, never by 9.5k against a 10k bar
    ],
)
def test_each_basis_is_held_against_its_own_bar_whatever_the_basis_order(
    adb: str, profit: str, held_in_buffer: bool, profit_first: bool
) -> None:
    pb = two_bases(profit_first)
    c = customer(adb=adb, annual_profit_contribution=profit)
    prev = assign_tier(customer(adb="600000.00"), pb, as_of=dt.date(2026, 10, 31))
    assert prev.tier == "high_end"
    decision = assign_tier(c, pb, as_of=AS_OF, previous=prev)
    assert decision.tier == "high_end"  # held either way: in the buffer, or in grace
    assert decision.movement is Movement.HELD
    assert (decision.below_since is None) is held_in_buffer


@pytest.mark.parametrize("profit_first", [False, True])
def test_a_held_reason_quotes_the_bar_that_held_the_customer(profit_first: bool) -> None:
    # Held by a profit of 9,500 against the 10,000 profit bar, not by the balance: the
    # reason quotes the profit bar and its floor, whichever basis the playbook lists first.
    pb = two_bases(profit_first)
    prev = assign_tier(customer(adb="600000.00"), pb, as_of=dt.date(2026, 10, 31))
    c = customer(adb="100000.00", annual_profit_contribution="9500.00")
    code, _, message, facts = _hysteresis_reason(assign_tier(c, pb, as_of=AS_OF, previous=prev))
    assert (code, message) == (
        "TIER_HELD",
        "kept at high_end: inside the buffer under the bar until 2027-11-30",
    )
    assert (facts["bar"], facts["floor"]) == (Decimal("10000"), Decimal("9000.00"))


@pytest.mark.parametrize("profit_first", [False, True])
def test_near_bar_compares_each_basis_with_its_own_bar(profit_first: bool) -> None:
    pb = two_bases(profit_first)
    near_profit = customer("C1", adb="100000.00", annual_profit_contribution="8500.00")
    far = customer("C2", adb="100000.00", annual_profit_contribution="5000.00")
    book = tier_book([near_profit, far], pb, as_of=AS_OF)
    signals = {
        c.customer_key: [s for s in c.signals if s.facts.get("signal") == "near_bar"]
        for c in book.candidates
    }
    assert [(s.facts["value"], s.facts["bar"]) for s in signals.get("C1", [])] == [
        (Decimal("8500.00"), Decimal("10000"))
    ]
    assert not signals.get("C2")


def test_an_override_to_a_tier_the_playbook_lacks_is_refused_naming_the_field() -> None:
    o = Override(customer_key="C1", tier="vip", reason="Branch president's client",
                 set_by="RM-1", set_on=dt.date(2026, 1, 1), expires_on=dt.date(2027, 1, 1))  # fmt: skip
    for call in (
        lambda: assign_tier(customer(adb="1.00"), PRACTICE, as_of=AS_OF, override=o),
        lambda: tier_book([customer(adb="1.00")], PRACTICE, as_of=AS_OF, overrides=[o]),
    ):
        with pytest.raises(InputError) as info:
            call()
        assert info.value.field == "override.tier"


def test_an_override_for_another_customer_is_refused_not_applied() -> None:
    # A manual decision binds the customer it names, never the record it is passed with.
    o = Override(
        customer_key="C2",
        tier="high_end",
        reason="Branch president's client",
        set_by="RM-1",
        set_on=dt.date(2026, 1, 1),
        expires_on=dt.date(2027, 1, 1),
    )
    with pytest.raises(InputError, match="another customer") as info:
        assign_tier(customer(key="C1", adb="1.00"), PRACTICE, as_of=AS_OF, override=o)
    assert info.value.field == "override.customer_key"
    book = tier_book(
        [customer(key="C1", adb="1.00"), customer(key="C2", adb="1.00")],
        PRACTICE,
        as_of=AS_OF,
        overrides=[o],
    )
    tiers = {d.customer_key: (d.tier, d.decided_by) for d in book.decisions}
    assert tiers == {"C1": ("mass", "tier.adb.mass"), "C2": ("high_end", "tier.override")}


# --- hysteresis, reason by reason ---------------------------------------------
# What a relationship manager reads when a tier moves or is held: the code,
# the rule, the words and the facts, stated in full (the mutation pass showed
# each could change without a test failing).


def _hysteresis_reason(decision: TierDecision) -> tuple[str, str, str, dict[str, Any]]:
    (r,) = [
        r
        for r in decision.reasons
        if r.code.value.startswith(("TIER_UP", "TIER_DOWN", "TIER_HELD"))
    ]
    return r.code.value, r.rule_id, r.message, dict(r.facts)


_HELD_FACTS = {
    "bar": Decimal("500000"),
    "floor": Decimal("450000.00"),
    "grace_months": 3,
    "previous_tier": "high_end",
    "rules_tier": "mid_end",
}


def test_an_upgrade_cites_the_band_that_lifted_the_customer() -> None:
    prev = assign_tier(customer(adb="100000.00"), PRACTICE, as_of=dt.date(2026, 10, 31))
    d = assign_tier(customer(adb="600000.00"), PRACTICE, as_of=AS_OF, previous=prev)
    assert _hysteresis_reason(d) == (
        "TIER_UPGRADE",
        "tier.adb.high_end",
        "up from mid_end; upgrades apply at once",
        {"previous_tier": "mid_end"},
    )


def test_exactly_on_the_buffered_floor_a_customer_is_held_and_a_cent_below_is_not() -> None:
    prev = _previous("high_end", dt.date(2026, 10, 31))
    on_floor = assign_tier(customer(adb="450000.00"), PRACTICE, as_of=AS_OF, previous=prev)
    assert (on_floor.movement, on_floor.below_since) == (Movement.HELD, None)
    assert _hysteresis_reason(on_floor) == (
        "TIER_HELD",
        "tier.hysteresis",
        "kept at high_end: inside the buffer under the bar until 2027-11-30",
        {
            **_HELD_FACTS,
            "below_since": None,
            "buffer_hold_ends_on": dt.date(2027, 11, 30),
            "case": "buffer_until",
            "months_below": 0,
        },
    )
    below = assign_tier(customer(adb="449999.99"), PRACTICE, as_of=AS_OF, previous=prev)
    assert (below.movement, below.below_since) == (Movement.HELD, AS_OF)
    assert _hysteresis_reason(below)[2] == "kept at high_end: below for 0 of 3 grace month(s)"


def test_the_grace_period_counts_whole_months_below_the_floor() -> None:
    two = _previous("high_end", dt.date(2026, 10, 31), below_since=dt.date(2026, 9, 30))
    held = assign_tier(customer(adb="300000.00"), PRACTICE, as_of=AS_OF, previous=two)
    assert (held.tier, held.movement, held.below_since) == (
        "high_end",
        Movement.HELD,
        two.below_since,
    )
    assert _hysteresis_reason(held) == (
        "TIER_HELD",
        "tier.hysteresis",
        "kept at high_end: below for 2 of 3 grace month(s)",
        {**_HELD_FACTS, "below_since": dt.date(2026, 9, 30), "case": "grace", "months_below": 2},
    )
    three = _previous("high_end", dt.date(2026, 10, 31), below_since=dt.date(2026, 8, 31))
    down = assign_tier(customer(adb="300000.00"), PRACTICE, as_of=AS_OF, previous=three)
    assert (down.tier, down.movement, down.decided_by) == (
        "mid_end",
        Movement.DOWN,
        "tier.hysteresis",
    )
    facts = {k: v for k, v in _HELD_FACTS.items() if k != "rules_tier"}
    assert _hysteresis_reason(down) == (
        "TIER_DOWNGRADE",
        "tier.hysteresis",
        "below high_end's bar less 10% buffer for 3 month(s) (grace 3)",
        {
            **facts,
            "below_since": dt.date(2026, 8, 31),
            "buffer": Decimal("0.1"),
            "case": "below_floor",
            "months_below": 3,
        },
    )


def test_without_hysteresis_a_downgrade_applies_at_once_and_says_so() -> None:
    bare = PRACTICE.replace(tiering=PRACTICE.tiering.model_copy(update={"hysteresis": None}))
    prev = _previous("high_end", dt.date(2026, 10, 31)).model_copy(update={"playbook": bare.ref})
    d = assign_tier(customer(adb="300000.00"), bare, as_of=AS_OF, previous=prev)
    assert (d.tier, d.movement, d.decided_by) == ("mid_end", Movement.DOWN, "tier.adb.mid_end")
    assert _hysteresis_reason(d) == (
        "TIER_DOWNGRADE",
        "tier",
        "down from high_end; the playbook has no hysteresis",
        {"case": "no_hysteresis", "previous_tier": "high_end"},
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"customer_key": "C2"},
            "previous.customer_key",
            "previous decision is for another customer",
        ),
        (
            {"as_of": dt.date(2026, 12, 31)},
            "previous.as_of",
            "previous decision is dated after as_of",
        ),
        (
            {"outcome": "vip"},
            "previous.outcome",
            "previous decision's tier is not in this playbook; re-tier without previous",
        ),
    ],
)
def test_a_previous_decision_that_cannot_be_this_customers_is_refused_naming_the_field(
    change: dict[str, Any], field: str, message: str
) -> None:
    prev = _previous("high_end", dt.date(2026, 10, 31)).model_copy(update=change)
    with pytest.raises(InputError) as info:
        assign_tier(customer(adb="300000.00"), PRACTICE, as_of=AS_OF, previous=prev)
    assert (info.value.field, str(info.value)) == (field, message)


def test_a_served_grace_period_waits_for_a_rating_month_and_says_so() -> None:
    prev = _previous("high_end", dt.date(2026, 1, 31), below_since=dt.date(2026, 1, 31))
    prev = prev.model_copy(update={"playbook": REGULATORY.ref})
    held = assign_tier(customer(adb="100000.00"), REGULATORY, as_of=AS_OF, previous=prev)
    assert _hysteresis_reason(held) == (
        "TIER_HELD",
        "tier.hysteresis",
        "kept at high_end: grace served; waiting for a review month",
        {
            **_HELD_FACTS,
            "floor": Decimal("475000.00"),
            "grace_months": 6,
            "below_since": dt.date(2026, 1, 31),
            "case": "review",
            "months_below": 10,
        },
    )


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (dt.date(2026, 11, 30), dt.date(2027, 2, 28), 3),  # month ends count as whole months
        (dt.date(2026, 11, 30), dt.date(2027, 2, 27), 2),
        (dt.date(2026, 1, 31), dt.date(2026, 2, 27), 0),  # not yet one month
        (dt.date(2025, 1, 31), dt.date(2026, 1, 30), 11),  # across a year end
        (dt.date(2025, 11, 15), dt.date(2027, 3, 15), 16),
        (dt.date(2026, 5, 1), dt.date(2026, 5, 1), 0),
        (dt.date(2026, 5, 1), dt.date(2026, 3, 1), 0),  # never negative
    ],
)
def test_months_below_are_whole_calendar_months(start: dt.date, end: dt.date, months: int) -> None:
    from custtier.tiering._assign import months_between as _months_between

    assert _months_between(start, end) == months


# --- every reason a tier decision can carry, stated in full --------------------


def _stated(decision: TierDecision) -> list[tuple[str, str, str, dict[str, Any]]]:
    return [
        (r.code.value, r.rule_id, r.message, dict(r.facts))
        for r in decision.reasons
        if r.code is not ReasonCode.KYC_GAP
    ]


_NOT_EVALUATED = (
    "TIER_PARETO_NOT_EVALUATED",
    "tier.pareto.80_20",
    "the Pareto rule was not evaluated (it needs the whole book): pass the book's cut as "
    "pareto_cut= to get the book's answer",
    {"profit_share": Decimal("0.8"), "tier": "high_end"},
)
_MASS_BAND = (
    "TIER_BAND",
    "tier.adb.mass",
    "average_daily_balance in [0, 50000)",
    {
        "basis": "average_daily_balance",
        "lower": Decimal(0),
        "upper": Decimal(50000),
        "value": Decimal("1000.00"),
        "window_months": 3,
    },
)


def test_one_customer_alone_says_the_pareto_rule_was_not_evaluated() -> None:
    d = assign_tier(customer(adb="1000.00"), PRACTICE, as_of=AS_OF)
    assert (d.tier, d.decided_by) == ("mass", "tier.adb.mass")
    assert _stated(d) == [_MASS_BAND, _NOT_EVALUATED]


def test_the_pareto_set_lifts_a_customer_and_cites_the_profit() -> None:
    c = customer(adb="1000.00", annual_profit_contribution="90000.00")
    d = assign_tier(c, PRACTICE, as_of=AS_OF, in_pareto_set=True)
    assert (d.tier, d.decided_by) == ("high_end", "tier.pareto.80_20")
    assert _stated(d) == [
        _MASS_BAND,
        (
            "TIER_PARETO",
            "tier.pareto.80_20",
            "among the customers carrying 80% of the book's profit",
            {"profit": Decimal("90000.00"), "profit_share": Decimal("0.8")},
        ),
    ]
    # Already high-end by a band: the band decides, the Pareto rule only agrees.
    top = assign_tier(customer(adb="600000.00"), PRACTICE, as_of=AS_OF, in_pareto_set=True)
    assert (top.tier, top.decided_by) == ("high_end", "tier.adb.high_end")


def test_pareto_arguments_that_cannot_both_hold_are_refused_naming_pareto() -> None:
    book = tier_book([customer("C1", adb="1000.00")], PRACTICE, as_of=AS_OF)
    with pytest.raises(InputError, match=r"^pass pareto_cut or in_pareto_set, not both$") as info:
        assign_tier(
            customer(adb="1000.00"),
            PRACTICE,
            as_of=AS_OF,
            pareto_cut=book.pareto_cut,
            in_pareto_set=True,
        )
    assert info.value.field == "pareto_cut"
    other = tier_book(
        [customer("C1", adb="1000.00")], PRACTICE.replace(version="9.9.9"), as_of=AS_OF
    )
    with pytest.raises(InputError) as info:
        assign_tier(customer(adb="1000.00"), PRACTICE, as_of=AS_OF, pareto_cut=other.pareto_cut)
    assert (info.value.field, str(info.value)) == (
        "pareto_cut",
        "the Pareto cut was computed under another playbook; use the cut of a book tiered "
        "under this one",
    )


def test_a_customer_in_another_currency_is_refused_with_what_to_do() -> None:
    with pytest.raises(InputError) as info:
        assign_tier(customer(adb="1000.00", currency="USD"), PRACTICE, as_of=AS_OF)
    assert (info.value.field, str(info.value)) == (
        "currency",
        "customer currency differs from the playbook's (CNY); convert amounts before tiering",
    )


def test_an_override_reason_says_who_set_it_from_its_first_day() -> None:
    o = _override()
    on_first_day = assign_tier(customer(adb="1000.00"), PRACTICE, as_of=o.set_on, override=o)
    assert (on_first_day.tier, on_first_day.decided_by) == ("high_end", "tier.override")
    assert (
        "TIER_OVERRIDE",
        "tier.override",
        "manual override set by RM-007",
        {
            "expires_on": dt.date(2026, 12, 31),
            "reference": None,
            "set_by": "RM-007",
            "set_on": dt.date(2026, 6, 1),
            "tier": "high_end",
        },
    ) in _stated(on_first_day)
    day_before = assign_tier(
        customer(adb="1000.00"), PRACTICE, as_of=o.set_on - dt.timedelta(1), override=o
    )
    assert (day_before.tier, day_before.decided_by) == ("mass", "tier.adb.mass")
    assert (
        "TIER_OVERRIDE_PENDING",
        "tier.override",
        "manual override not in force on this date; rules decide",
        {"expires_on": dt.date(2026, 12, 31), "set_on": dt.date(2026, 6, 1), "tier": "high_end"},
    ) in _stated(day_before)
    with pytest.raises(InputError) as info:
        assign_tier(customer(adb="1000.00"), PRACTICE, as_of=AS_OF, override=_override(tier="vip"))
    assert (
        str(info.value) == "override tier is not a tier of this playbook; fix or drop the override"
    )


def test_a_run_of_held_decisions_remembers_when_it_began() -> None:
    prev = _previous("high_end", dt.date(2026, 9, 30))
    first = assign_tier(
        customer(adb="460000.00"), PRACTICE, as_of=dt.date(2026, 10, 31), previous=prev
    )
    second = assign_tier(customer(adb="460000.00"), PRACTICE, as_of=AS_OF, previous=first)
    assert (first.movement, first.held_since) == (Movement.HELD, dt.date(2026, 10, 31))
    assert (second.movement, second.held_since) == (Movement.HELD, dt.date(2026, 10, 31))
    again = assign_tier(customer(adb="600000.00"), PRACTICE, as_of=AS_OF, previous=first)
    assert (again.movement, again.held_since) == (Movement.SAME, None)


def test_an_incomplete_window_says_which_months_and_how_it_was_averaged() -> None:
    two_of_three = customer(
        adb=None,
        monthly_balances=[
            {"month": m, "average_daily_balance": "1000.00"} for m in ("2026-09", "2026-10")
        ],
    )
    d = assign_tier(two_of_three, PRACTICE, as_of=AS_OF)
    assert _stated(d)[0] == (
        "BASIS_INCOMPLETE",
        "tier.adb.mass",
        "1 of 3 months missing (average_available); averaged as the playbook says",
        {
            "case": "usable",
            "months_missing": 1,
            "window_months": 3,
            "months_present": 2,
            "months_required": 2,
            "policy": "average_available",
            "window_end": "2026-10",
            "window_start": "2026-08",
        },
    )
    one = customer(
        adb=None, monthly_balances=[{"month": "2026-10", "average_daily_balance": "1.00"}]
    )
    assert _stated(assign_tier(one, PRACTICE, as_of=AS_OF))[0][2] == (
        "2 of 3 months missing (average_available); basis not usable, lowest band"
    )


def test_a_decision_carries_the_previous_tier_and_the_manager() -> None:
    prev = _previous("high_end", dt.date(2026, 10, 31))
    c = customer(adb="460000.00", manager_id="RM-007")
    d = assign_tier(c, PRACTICE, as_of=AS_OF, previous=prev)
    assert (d.previous_tier, d.manager_id) == ("high_end", "RM-007")
    fresh = assign_tier(customer(adb="460000.00"), PRACTICE, as_of=AS_OF)
    assert (fresh.previous_tier, fresh.manager_id) == (None, None)


def test_a_held_decision_from_before_held_since_existed_counts_from_its_own_date() -> None:
    prev = _previous("high_end", dt.date(2026, 9, 30))
    first = assign_tier(
        customer(adb="460000.00"), PRACTICE, as_of=dt.date(2026, 10, 31), previous=prev
    )
    legacy = first.model_copy(update={"held_since": None})
    d = assign_tier(customer(adb="460000.00"), PRACTICE, as_of=AS_OF, previous=legacy)
    assert d.held_since == dt.date(2026, 10, 31)


def test_an_override_reason_cites_its_reference_not_free_text() -> None:
    o = _override(reference="TICKET-42")
    d = assign_tier(customer(adb="1000.00"), PRACTICE, as_of=AS_OF, override=o)
    (r,) = [r for r in d.reasons if r.code is ReasonCode.TIER_OVERRIDE]
    assert r.facts["reference"] == "TICKET-42"
    with pytest.raises(InputError) as info:
        assign_tier(
            customer(adb="1000.00"), PRACTICE, as_of=AS_OF, override=_override(customer_key="C2")
        )
    assert str(info.value) == "override is for another customer"


def test_older_months_are_outside_the_window_and_do_not_stop_the_average() -> None:
    year = [f"2026-{m:02d}" for m in range(1, 11)]
    c = customer(
        adb=None,
        monthly_balances=[
            {"month": m, "average_daily_balance": "900000.00" if m < "2026-08" else "60000.00"}
            for m in year
        ],
    )
    d = assign_tier(c, PRACTICE, as_of=AS_OF)
    assert (d.tier, d.decided_by) == ("mid_end", "tier.adb.mid_end")
    (band,) = [r for r in d.reasons if r.code is ReasonCode.TIER_BAND]
    assert band.facts["value"] == Decimal("60000.00")


def test_counting_missing_months_as_zero_with_no_months_at_all_gives_zero() -> None:
    basis = PRACTICE.tiering.bases[0].model_copy(update={"missing_months": "count_as_zero"})
    pb = PRACTICE.replace(tiering=PRACTICE.tiering.model_copy(update={"bases": (basis,)}))
    d = assign_tier(customer(adb=None), pb, as_of=AS_OF)
    (band,) = [r for r in d.reasons if r.code is ReasonCode.TIER_BAND]
    assert (d.tier, band.facts["value"]) == ("mass", Decimal("0.00"))


def _two_bases(combine: str) -> Playbook:
    adb = PRACTICE.tiering.bases[0]
    aum = adb.model_copy(
        update={
            "basis": "assets_under_management",
            "window_months": 1,
            "min_months": 1,
            "bands": tuple(
                b.model_copy(update={"rule_id": b.rule_id.replace("adb", "aum")}) for b in adb.bands
            ),
        }
    )
    return PRACTICE.replace(
        tiering=PRACTICE.tiering.model_copy(update={"bases": (adb, aum), "combine": combine})
    )


def test_when_bases_agree_the_first_in_playbook_order_decides() -> None:
    for combine in ("highest", "lowest"):
        pb = _two_bases(combine)
        c = customer(adb="600000.00", assets_under_management="700000.00")
        assert assign_tier(c, pb, as_of=AS_OF).decided_by == "tier.adb.high_end", combine


def test_lowest_takes_the_lowest_basis_and_highest_the_highest() -> None:
    c = customer(adb="600000.00", assets_under_management="60000.00")
    low = assign_tier(c, _two_bases("lowest"), as_of=AS_OF)
    high = assign_tier(c, _two_bases("highest"), as_of=AS_OF)
    assert (low.tier, low.decided_by) == ("mid_end", "tier.aum.mid_end")
    assert (high.tier, high.decided_by) == ("high_end", "tier.adb.high_end")
    flipped = customer(adb="60000.00", assets_under_management="600000.00")
    assert assign_tier(flipped, _two_bases("lowest"), as_of=AS_OF).decided_by == "tier.adb.mid_end"


def test_each_bases_reason_quotes_that_basis_and_the_pareto_reasons_cite_the_pareto_rule() -> None:
    pb = _two_bases("lowest")
    both = assign_tier(
        customer(adb="600000.00", assets_under_management="60000.00"), pb, as_of=AS_OF
    )
    bands = [
        (r.rule_id, r.facts["basis"], r.facts["window_months"])
        for r in both.reasons
        if r.code is ReasonCode.TIER_BAND
    ]
    assert bands == [
        ("tier.adb.high_end", "average_daily_balance", 3),
        ("tier.aum.mid_end", "assets_under_management", 1),
    ]
    # The first basis has no months: its incompleteness quotes its own 3-month window.
    aum_only = assign_tier(customer(assets_under_management="60000.00"), pb, as_of=AS_OF)
    (gap,) = [r for r in aum_only.reasons if r.code is ReasonCode.BASIS_INCOMPLETE]
    assert (gap.rule_id, gap.facts["window_months"], gap.facts["months_required"]) == (
        "tier.adb.mass",
        3,
        2,
    )
    rule = PRACTICE.tiering.pareto
    assert rule is not None
    (unevaluated,) = [r for r in both.reasons if r.code is ReasonCode.TIER_PARETO_NOT_EVALUATED]
    assert unevaluated.rule_id == rule.rule_id
    member = assign_tier(customer(adb="1000.00"), PRACTICE, as_of=AS_OF, in_pareto_set=True)
    (pareto,) = [r for r in member.reasons if r.code is ReasonCode.TIER_PARETO]
    assert (member.tier, pareto.rule_id) == (rule.tier, rule.rule_id)


def test_the_buffer_holds_until_its_last_day_and_then_grace_runs() -> None:
    # The practice preset lets the buffer hold a customer for 12 months at most.
    held_a_year = _previous("high_end", dt.date(2026, 10, 31)).model_copy(
        update={"movement": Movement.HELD, "held_since": dt.date(2025, 11, 30)}
    )
    facts = {**_HELD_FACTS, "buffer_hold_ends_on": dt.date(2026, 11, 30)}
    eve = assign_tier(
        customer(adb="460000.00"), PRACTICE, as_of=dt.date(2026, 11, 29), previous=held_a_year
    )
    assert (eve.movement, eve.below_since, eve.held_since) == (
        Movement.HELD,
        None,
        dt.date(2025, 11, 30),
    )
    assert _hysteresis_reason(eve) == (
        "TIER_HELD",
        "tier.hysteresis",
        "kept at high_end: inside the buffer under the bar until 2026-11-30",
        {**facts, "below_since": None, "case": "buffer_until", "months_below": 0},
    )
    last = assign_tier(customer(adb="460000.00"), PRACTICE, as_of=AS_OF, previous=held_a_year)
    assert (last.movement, last.below_since) == (Movement.HELD, AS_OF)
    assert _hysteresis_reason(last) == (
        "TIER_HELD",
        "tier.hysteresis",
        "kept at high_end: below for 0 of 3 grace month(s) (the buffer's hold ended)",
        {**facts, "below_since": AS_OF, "case": "grace_hold_ended", "months_below": 0},
    )


def test_an_overridden_customer_is_not_held() -> None:
    d = assign_tier(customer(adb="1000.00"), PRACTICE, as_of=AS_OF, override=_override())
    assert (d.movement, d.held_since, d.below_since) == (Movement.OVERRIDDEN, None, None)


def test_after_the_buffers_hold_ends_grace_runs_from_that_day() -> None:
    held_long = _previous("high_end", dt.date(2026, 10, 31)).model_copy(
        update={"movement": Movement.HELD, "held_since": dt.date(2025, 8, 31)}
    )
    d = assign_tier(customer(adb="460000.00"), PRACTICE, as_of=AS_OF, previous=held_long)
    assert (d.tier, d.movement, d.decided_by) == ("mid_end", Movement.DOWN, "tier.hysteresis")
    facts = {k: v for k, v in _HELD_FACTS.items() if k != "rules_tier"}
    assert _hysteresis_reason(d) == (
        "TIER_DOWNGRADE",
        "tier.hysteresis",
        "the buffer's hold under high_end's bar ended on 2026-08-31, and 3 month(s) of grace "
        "have run (grace 3)",
        {
            **facts,
            "below_since": dt.date(2026, 8, 31),
            "buffer_hold_ends_on": dt.date(2026, 8, 31),
            "buffer": Decimal("0.1"),
            "case": "hold_ended",
            "months_below": 3,
        },
    )


def test_without_a_time_limit_the_buffer_holds_without_an_end_date() -> None:
    hyst = PRACTICE.tiering.hysteresis
    assert hyst is not None
    endless = PRACTICE.replace(
        tiering=PRACTICE.tiering.model_copy(
            update={"hysteresis": hyst.model_copy(update={"max_buffer_months": None})}
        )
    )
    prev = _previous("high_end", dt.date(2026, 10, 31)).model_copy(update={"playbook": endless.ref})
    d = assign_tier(customer(adb="460000.00"), endless, as_of=AS_OF, previous=prev)
    assert _hysteresis_reason(d) == (
        "TIER_HELD",
        "tier.hysteresis",
        "kept at high_end: inside the buffer under the bar",
        {**_HELD_FACTS, "below_since": None, "case": "buffer", "months_below": 0},
    )


def test_grace_served_exactly_waits_for_a_rating_month() -> None:
    prev = _previous("high_end", dt.date(2026, 10, 31), below_since=dt.date(2026, 5, 31))
    prev = prev.model_copy(update={"playbook": REGULATORY.ref})
    held = assign_tier(customer(adb="100000.00"), REGULATORY, as_of=AS_OF, previous=prev)
    assert (
        _hysteresis_reason(held)[2] == "kept at high_end: grace served; waiting for a review month"
    )


# --- a tier no basis has a bar for ----------------------------------------------


def pareto_only_top() -> Playbook:
    """PRACTICE whose high_end tier has no balance band: only the Pareto rule reaches it."""
    data = json.loads(PRACTICE.to_json())
    adb = data["tiering"]["bases"][0]
    adb["bands"] = [b for b in adb["bands"] if b["tier"] != "high_end"]
    adb["bands"][-1]["upper"] = None  # mid_end from 50,000 up
    data["id"] = "pareto-only-top"
    return Playbook.from_json(json.dumps(data))


def test_a_tier_with_no_bar_holds_a_customer_only_through_the_grace_period() -> None:
    # High-end by the Pareto rule last month, out of the Pareto set now: no basis has a
    # high_end bar, so no buffer holds the customer, however high the balance; the grace
    # period runs from today and the reason quotes a bar and a floor of 0.
    pb = pareto_only_top()
    prev = assign_tier(
        customer(adb="100000.00"), pb, as_of=dt.date(2026, 10, 31), in_pareto_set=True
    )
    assert (prev.tier, prev.decided_by) == ("high_end", "tier.pareto.80_20")
    d = assign_tier(customer(adb="4800000.00"), pb, as_of=AS_OF, previous=prev, in_pareto_set=False)
    assert (d.tier, d.rule_tier, d.movement, d.below_since) == (
        "high_end",
        "mid_end",
        Movement.HELD,
        AS_OF,
    )
    assert _hysteresis_reason(d) == (
        "TIER_HELD",
        "tier.hysteresis",
        "kept at high_end: below for 0 of 3 grace month(s)",
        {
            "bar": Decimal(0),
            "floor": Decimal("0.00"),
            "below_since": AS_OF,
            "case": "grace",
            "grace_months": 3,
            "months_below": 0,
            "previous_tier": "high_end",
            "rules_tier": "mid_end",
        },
    )


# --- amount bases, overrides' last day, a book's error rows ---------------------


def one_amount_basis(basis: str) -> Playbook:
    """PRACTICE tiering on one amount field (same bars as the balance), no Pareto rule."""
    data = json.loads(PRACTICE.to_json())
    bands = data["tiering"]["bases"][0]["bands"]
    short = {"assets_under_management": "aum", "profit_contribution": "profit"}[basis]
    renamed = [band | {"rule_id": band["rule_id"].replace("adb", short)} for band in bands]
    data["tiering"]["bases"] = [{"basis": basis, "bands": renamed}]
    data["tiering"]["pareto"] = None
    data["id"] = f"on-{short}"
    return Playbook.from_json(json.dumps(data))


@pytest.mark.parametrize(
    ("basis", "field", "short"),
    [
        ("assets_under_management", "assets_under_management", "aum"),
        ("profit_contribution", "annual_profit_contribution", "profit"),
    ],
)
def test_an_amount_basis_is_one_amount_always_complete_and_reads_no_months(
    basis: str, field: str, short: str
) -> None:
    from custtier import Completeness, trace_tier

    pb = one_amount_basis(basis)
    c = Customer(key="C1", **{field: "650000.00"})
    assert trace_tier(c, pb, as_of=AS_OF).bases == (
        (Decimal("650000.00"), Completeness.COMPLETE, 2, 0),  # value, completeness, band, months
    )
    d = assign_tier(c, pb, as_of=AS_OF)
    assert d.basis_values == {basis: Decimal("650000.00")}
    (band,) = [r for r in d.reasons if r.code is not ReasonCode.KYC_GAP]  # no "incomplete"
    assert (band.code, band.rule_id, band.message, band.facts) == (
        ReasonCode.TIER_BAND,
        f"tier.{short}.high_end",
        f"{basis} in [500000, ∞)",
        {
            "basis": basis,
            "value": Decimal("650000.00"),
            "lower": Decimal("500000"),
            "upper": None,
            "window_months": 1,
        },
    )


def test_an_override_holds_through_its_expiry_day_and_lapses_the_day_after() -> None:
    last_day = _override(expires_on=AS_OF)
    on = assign_tier(customer(adb="1000.00"), PRACTICE, as_of=AS_OF, override=last_day)
    assert (on.tier, on.movement) == ("high_end", Movement.OVERRIDDEN)
    after = assign_tier(
        customer(adb="1000.00"), PRACTICE, as_of=AS_OF + dt.timedelta(days=1), override=last_day
    )
    assert after.tier == "mass"
    assert ReasonCode.TIER_OVERRIDE_EXPIRED in codes(after)
    first_day = _override(set_on=AS_OF, expires_on=AS_OF)
    assert (
        assign_tier(customer(adb="1000.00"), PRACTICE, as_of=AS_OF, override=first_day).tier
        == "high_end"
    )


def test_a_books_error_rows_name_the_customer_the_row_and_the_field_to_fix() -> None:
    records = [
        customer("C1", adb="5.00"),
        customer("C2", adb="5.00", currency="USD"),
        customer("C1", adb="6.00"),
        customer("C3", adb="300000.00"),
        customer("C4", adb="300000.00"),
    ]
    stale = _previous("high_end", dt.date(2026, 10, 31))
    previous = [
        stale.model_copy(update={"customer_key": "C3", "as_of": dt.date(2026, 12, 31)}),
        stale.model_copy(update={"customer_key": "C4", "outcome": "vip"}),
    ]
    result = tier_book(records, PRACTICE, as_of=AS_OF, previous=previous)
    assert result.decisions == ()
    assert [(e.customer_key, e.index, e.code, e.field, e.message) for e in result.errors] == [
        (
            "C1",
            0,
            "duplicate_key",
            "key",
            "key appears more than once in the book; keep one record",
        ),
        ("C2", 1, "currency_mismatch", "currency", "currency differs from the playbook's (CNY)"),
        (
            "C1",
            2,
            "duplicate_key",
            "key",
            "key appears more than once in the book; keep one record",
        ),
        (
            "C3",
            3,
            "previous_after_as_of",
            "previous.as_of",
            "previous decision is dated after as_of",
        ),
        (
            "C4",
            4,
            "unknown_previous_tier",
            "previous.outcome",
            "previous decision's tier is not in this playbook; re-tier without previous",
        ),
    ]


def test_a_books_pareto_cut_picks_the_same_customers_from_columns() -> None:
    # A warehouse applies the cut tier_book returns to its own columns (profits in minor
    # units); the rows it picks are the book's Pareto set, and a row marked invalid is out.
    np = pytest.importorskip("numpy")
    pa = pytest.importorskip("pyarrow")
    book = _book([5000, 3000, 1000, 400, 300, 200, 100])
    cut = tier_book(book, PRACTICE, as_of=AS_OF).pareto_cut
    assert cut is not None
    keys = pa.array([c.key for c in book], pa.string())
    profits = np.array([p * 100 for p in (5000, 3000, 1000, 400, 300, 200, 100)], np.int64)
    valid = np.ones(len(book), bool)
    inside = cut.members(keys, profits, valid).tolist()
    assert {c.key for c, i in zip(book, inside, strict=True) if i} == pareto_set(book, PRACTICE)
    assert pareto_set(book, PRACTICE) == {"C000", "C001"}
    valid[0] = False
    assert cut.members(keys, profits, valid).tolist()[:2] == [False, True]


def test_a_customer_without_positive_profit_is_never_in_the_pareto_set() -> None:
    from custtier.tiering import ParetoCut

    # A book where nobody made a profit has an empty set: it lifts no one later.
    empty = tier_book(_book([0, -50]), PRACTICE, as_of=AS_OF).pareto_cut
    assert empty is not None
    assert empty.count == 0
    rich = customer("C9", adb="1000.00", annual_profit_contribution="90000")
    assert assign_tier(rich, PRACTICE, as_of=AS_OF, pareto_cut=empty).tier == "mass"
    assert not empty.contains("C9", 9_000_000)
    # Whatever a cut says, a profit of 0 is not a share of profit.
    at_zero = ParetoCut(playbook_hash=PRACTICE.content_hash, count=1, customer_key="Z")
    assert (at_zero.contains("A", 0), at_zero.contains("A", 1)) == (False, True)
    # At the cut's own profit, keys up to the cut's key are in (ties go by key), later ones out.
    cut = ParetoCut(
        playbook_hash=PRACTICE.content_hash, count=2, profit_minor_units=300, customer_key="C2"
    )
    assert [cut.contains(k, 300) for k in ("C1", "C2", "C3")] == [True, True, False]
    assert (cut.contains("C9", 301), cut.contains("C0", 299)) == (True, False)


@pytest.mark.parametrize("scale", [1, 10**18])  # 10**18: sums beyond int64, exact in Python
def test_the_pareto_set_stops_at_the_first_customer_who_reaches_the_share(scale: int) -> None:
    # Half of two equal profits is the first (by key): it reaches 50% exactly, so the
    # set stops there; so do five of ten. 80% of four equal profits takes all four.
    half = Decimal("0.5")
    assert pareto_keys(["B", "A"], [7 * scale, 7 * scale], half) == {"A"}
    keys = [f"K{i}" for i in range(10)]
    assert pareto_keys(keys, [3 * scale] * 10, half) == {"K0", "K1", "K2", "K3", "K4"}
    assert pareto_keys(keys[:4], [3 * scale] * 4, Decimal("0.8")) == set(keys[:4])


def test_a_tier_with_two_bands_on_one_basis_is_held_against_its_lowest_bar() -> None:
    # mid_end split into [50,000, 100,000) and [100,000, 500,000): its bar is 50,000, so a
    # mid-end customer now at 46,000 is inside the 10% buffer and held.
    data = json.loads(PRACTICE.to_json())
    bands = data["tiering"]["bases"][0]["bands"]
    mid = next(b for b in bands if b["tier"] == "mid_end")
    upper = mid | {"rule_id": "tier.adb.mid_end_upper", "lower": "100000"}
    mid["upper"] = "100000"
    bands.insert(bands.index(mid) + 1, upper)
    data["id"] = "split-mid"
    pb = Playbook.from_json(json.dumps(data))
    prev = assign_tier(customer(adb="200000.00"), pb, as_of=dt.date(2026, 10, 31))
    assert prev.tier == "mid_end"
    d = assign_tier(customer(adb="46000.00"), pb, as_of=AS_OF, previous=prev)
    assert (d.tier, d.movement, d.below_since) == ("mid_end", Movement.HELD, None)
    facts = _hysteresis_reason(d)[3]
    assert (facts["bar"], facts["floor"]) == (Decimal("50000"), Decimal("45000.00"))


# --- arguments -------------------------------------------------------------
# The tiering calls take what a caller has at hand (a Customer or the record it
# was read from) and refuse anything else before any rule runs, naming the
# argument and what it should have been.


def test_a_customer_record_is_tiered_as_the_customer_it_describes() -> None:
    record = customer(adb="520000.00").to_record(reveal_personal_data=True)
    assert assign_tier(record, PRACTICE, as_of=AS_OF) == assign_tier(
        Customer.from_record(record), PRACTICE, as_of=AS_OF
    )


@pytest.mark.parametrize("call", [assign_tier, trace_tier], ids=["assign_tier", "trace_tier"])
@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("previous", "previous must be the customer's last TierDecision or None"),
        ("override", "override must be an Override or None"),
        ("pareto_cut", "pareto_cut must be a book's ParetoCut or None"),
    ],
)
def test_a_wrong_optional_argument_is_named_with_what_it_should_be(
    call: Any, argument: str, message: str
) -> None:
    # A tier id where the decision or override object belongs: a common slip.
    with pytest.raises(InputError) as info:
        call(customer(adb="520000.00"), PRACTICE, as_of=AS_OF, **{argument: "high_end"})
    assert (info.value.field, str(info.value)) == (argument, message)


_RECORD = {"key": "C1"}
#: Wrong values, typed Any: what a caller passes by mistake.
_NAME: Any = "practice"
_TEXT_DAY: Any = "2026-11-30"
_ONE_KEY: Any = "C1"


@pytest.mark.parametrize(
    ("call", "field", "message"),
    [
        (
            lambda: assign_tier(customer(), _NAME, as_of=AS_OF),
            "playbook",
            "playbook must be a Playbook: a preset (custtier.presets) or one loaded with "
            "Playbook.from_json",
        ),
        (
            lambda: assign_tier(_RECORD, PRACTICE, as_of=_TEXT_DAY),
            "as_of",
            "as_of must be a date",
        ),
        (
            lambda: tier_book([_RECORD], PRACTICE, as_of=_TEXT_DAY),
            "as_of",
            "as_of must be a date",
        ),
        (
            lambda: tier_book(_ONE_KEY, PRACTICE, as_of=AS_OF),
            "customers",
            "customers must be a list of records",
        ),
        (
            lambda: tier_book([_RECORD], _NAME, as_of=AS_OF),
            "playbook",
            "playbook must be a Playbook: a preset (custtier.presets) or one loaded with "
            "Playbook.from_json",
        ),
    ],
    ids=[
        "assign_tier-playbook",
        "assign_tier-as_of",
        "tier_book-as_of",
        "tier_book-customers",
        "tier_book-playbook",
    ],
)
def test_a_wrong_argument_to_a_tiering_call_is_named_with_what_it_should_be(
    call: Any, field: str, message: str
) -> None:
    with pytest.raises(InputError) as info:
        call()
    assert (info.value.field, str(info.value)) == (field, message)


# --- upgrade signals, each as the practice words it ---------------------------
# docs/tiering.md, "Upgrade candidates": each signal flags a customer on its own
# rule and says why in its facts, which an adviser reads before calling.


def test_each_upgrade_signal_flags_on_its_rule_and_states_its_facts() -> None:
    six = ("2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10")
    rising = dict.fromkeys(six, "10000.00") | {"2026-10": "12500.00"}  # last 25% above first
    book = [
        customer("C1", adb="40000.00"),  # exactly 20% under the 50,000 bar: within it
        customer(
            "C2",
            monthly_balances=[{"month": m, "average_daily_balance": b} for m, b in rising.items()],
            products_held=[{"product_id": p, "principal": "1000.00"} for p in ("P1", "P2", "P3")],
        ),
        customer(
            "C3",
            adb="20000.00",
            assets_under_management="20000.00",
            kyc={
                "customer_key": "C3",
                "declared_external_assets": "480000.00",
                "declared_annual_income": "300000.00",  # the income threshold exactly
            },
        ),  # 20,000 with the bank + 480,000 declared: the 500,000 threshold exactly
        customer("C4", adb="1000.00", referred_by="C3"),
        customer("C5", adb="1000.00", referred_by="C3"),
    ]
    result = tier_book(book, PRACTICE, as_of=AS_OF)
    facts = {c.customer_key: {s.rule_id: s.facts for s in c.signals} for c in result.candidates}
    assert facts == {
        "C1": {
            "cand.near_bar": {
                "threshold": Decimal("0.2"),
                "target": "mid_end",
                "value": Decimal("40000.00"),
                "bar": Decimal("50000"),
                "signal": "near_bar",
            },
        },
        "C2": {
            "cand.rising": {
                "threshold": Decimal("0.25"),
                "first": Decimal("10000.00"),
                "last": Decimal("12500.00"),
                "signal": "rising_balance",
            },
            "cand.breadth": {"products": 3, "signal": "product_breadth"},
        },
        "C3": {
            "cand.wealth": {
                "wealth": Decimal("500000.00"),
                "threshold": Decimal("500000"),
                "signal": "declared_wealth",
            },
            "cand.income": {
                "income": Decimal("300000.00"),
                "threshold": Decimal("300000"),
                "signal": "declared_income",
            },
            "cand.referrals": {"referrals": 2, "signal": "referrals"},
        },
    }


@pytest.mark.parametrize("profit_first", [False, True])
def test_near_a_bar_reports_the_basis_relatively_closest_to_its_bar(profit_first: bool) -> None:
    # 45,000 is 10% under the 50,000 balance bar; 1,950 is 2.5% under the
    # 2,000 profit bar: the profit basis is the nearer, whichever basis comes first.
    c = customer("C1", adb="45000.00", annual_profit_contribution="1950.00")
    result = tier_book([c], two_bases(profit_first), as_of=AS_OF)
    (signal,) = [s for s in result.candidates[0].signals if s.rule_id == "cand.near_bar"]
    assert (signal.facts["value"], signal.facts["bar"]) == (Decimal("1950.00"), Decimal("2000"))


def test_a_book_tiers_new_customers_beside_known_ones_and_refuses_only_an_unusable_previous() -> (
    None
):
    # Last month's run is the previous decision of the customers it knew; a
    # customer opened since has none and is tiered as new; a previous decision
    # dated after the run cannot drive hysteresis and is that customer's error alone.
    last_month = dt.date(2026, 10, 31)
    known = customer("C1", adb="60000.00")
    later = customer("C3", adb="60000.00")
    previous = tier_book([known], PRACTICE, as_of=last_month).decisions
    future = tier_book([later], PRACTICE, as_of=dt.date(2026, 12, 31)).decisions
    book = [known, customer("C2", adb="60000.00"), later]
    result = tier_book(book, PRACTICE, as_of=AS_OF, previous=[*previous, *future])
    assert {d.customer_key: d.movement for d in result.decisions} == {
        "C1": Movement.SAME,
        "C2": Movement.NEW,
    }
    assert [(e.customer_key, e.index, e.field, e.message) for e in result.errors] == [
        ("C3", 2, "previous.as_of", "previous decision is dated after as_of")
    ]


# --- the Pareto rule, exactly ------------------------------------------------


def test_the_pareto_set_reaches_eighty_percent_of_profit_exactly_at_any_size() -> None:
    # 80% of 1,250,000,000,000,000.04 is 1,000,000,000,000,000.032: the largest
    # contributor's 1,000,000,000,000,000.03 falls short of it by a fifth of a
    # cent, so the next contributor is needed too (in floats the shortfall rounds away).
    a = customer("A", annual_profit_contribution="1000000000000000.03")
    b = customer("B", annual_profit_contribution="250000000000000.01")
    assert pareto_set([a, b], PRACTICE) == {"A", "B"}


def test_a_customer_below_the_books_pareto_cut_is_outside_it_whatever_their_key() -> None:
    # C1 alone carries 80% of the book's profit. Tiered later against that cut,
    # a customer with less profit is outside the set even with a key sorting
    # first; one with the cut's profit and a key sorting first is inside (ties by key).
    book = [
        customer("C1", annual_profit_contribution="8000.00"),
        customer("C2", annual_profit_contribution="1000.00"),
        customer("C3", annual_profit_contribution="1000.00"),
    ]
    cut = tier_book(book, PRACTICE, as_of=AS_OF).pareto_cut
    less = assign_tier(
        customer("A0", annual_profit_contribution="7999.99"), PRACTICE, as_of=AS_OF, pareto_cut=cut
    )
    tie = assign_tier(
        customer("B0", annual_profit_contribution="8000.00"), PRACTICE, as_of=AS_OF, pareto_cut=cut
    )
    assert (less.tier, ReasonCode.TIER_PARETO in codes(less)) == ("mass", False)
    assert (tie.tier, ReasonCode.TIER_PARETO in codes(tie)) == ("high_end", True)


def test_a_pareto_member_is_told_so_with_its_profit_when_last_months_decision_is_given() -> None:
    c = customer("C1", adb="1000.00", annual_profit_contribution="8000.00")
    last = assign_tier(c, PRACTICE, as_of=dt.date(2026, 10, 31), in_pareto_set=True)
    d = assign_tier(c, PRACTICE, as_of=AS_OF, previous=last, in_pareto_set=True)
    (reason,) = [r for r in d.reasons if r.code is ReasonCode.TIER_PARETO]
    assert d.tier == "high_end"
    assert reason.facts == {"profit": Decimal("8000.00"), "profit_share": Decimal("0.8")}


def test_pareto_keys_refuses_keys_and_profits_of_different_lengths() -> None:
    with pytest.raises(ValueError, match=r"^keys and profits must have the same length$"):
        pareto_keys(["C1", "C2"], [100], Decimal("0.8"))


def test_near_a_bar_names_the_basis_still_short_when_every_basis_must_qualify() -> None:
    # Under "lowest" every basis must reach the bar: a balance already on the
    # 50,000 bar is not near it; the profit 5% short of its 2,000 bar is.
    data = json.loads(two_bases(profit_first=False).to_json())
    data["tiering"]["combine"], data["id"] = "lowest", "two-bases-lowest"
    pb = Playbook.from_json(json.dumps(data))
    c = customer("C1", adb="50000.00", annual_profit_contribution="1900.00")
    result = tier_book([c], pb, as_of=AS_OF)
    (cand,) = result.candidates
    (signal,) = [s for s in cand.signals if s.rule_id == "cand.near_bar"]
    assert (cand.tier, cand.target_tier) == ("mass", "mid_end")
    assert (signal.facts["value"], signal.facts["bar"]) == (Decimal("1900.00"), Decimal("2000"))


@pytest.mark.parametrize(
    ("balances", "rising"),
    [
        ({"2026-09": "10000.00", "2026-10": "12500.00"}, True),  # two months are a trend
        ({"2026-10": "12500.00"}, False),  # one month is not
        ({"2026-05": "0.00", "2026-10": "12500.00"}, False),  # nothing to grow from
        ({"2026-05": "1.00", "2026-10": "12500.00"}, True),  # little, but something
        ({"2026-05": "10000.00", "2026-06": "20000.00", "2026-10": "10000.00"}, False),  # fell back
        ({"2026-05": "10000.00", "2026-10": "12499.99"}, False),  # a cent short of 25%
    ],
)
def test_a_rising_balance_is_the_last_month_of_six_against_the_first(
    balances: dict[str, str], rising: bool
) -> None:
    # docs/tiering.md: the last monthly balance of the six months before as_of
    # at least 25% above the first. Two points of rising balance plus two of
    # declared income make a candidate, so the signal alone decides.
    c = customer(
        "C1",
        monthly_balances=[{"month": m, "average_daily_balance": b} for m, b in balances.items()],
        annual_income="300000.00",
    )
    result = tier_book([c], PRACTICE, as_of=AS_OF)
    flagged = {s.rule_id for cand in result.candidates for s in cand.signals}
    assert ("cand.rising" in flagged) is rising


def test_candidates_are_every_customer_below_the_top_tier_whose_signals_reach_the_score() -> None:
    # docs/tiering.md: customers below the top tier (mid_end ones included),
    # flagged when their signals' points reach min_score (3); a top-tier
    # customer anywhere in the book is passed over, not the end of the list.
    book = [
        customer("C0", adb="900000.00"),  # high_end: nothing to upgrade to
        customer("C1", adb="450000.00"),  # mid_end, 10% under the 500,000 bar: 3 points
        customer(  # three products: 1 point, short of the score
            "C2",
            adb="1000.00",
            products_held=[{"product_id": p, "principal": "100.00"} for p in ("P1", "P2", "P3")],
        ),
    ]
    result = tier_book(book, PRACTICE, as_of=AS_OF)
    assert [(c.customer_key, c.tier, c.target_tier, c.score) for c in result.candidates] == [
        ("C1", "mid_end", "high_end", 3)
    ]
