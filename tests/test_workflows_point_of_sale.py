"""Acceptance: a relationship manager at the counter, and a service that must agree with the book.

Each test is one task of the point of sale done end to end through the public
API, read as the bank's policy: the suitability matrix binds every product,
the assessment and the customer's age are read on the day of sale.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from custtier import (
    Customer,
    ParetoCut,
    Product,
    allocate,
    assign_tier,
    check_suitability,
    plan_contacts,
    presets,
    synth,
    tier_book,
)
from custtier.errors import InputError

AS_OF = dt.date(2026, 11, 30)
CUSTTIER = str(Path(sys.executable).with_name("custtier"))  # the installed command
REG = presets.REGULATORY


def _assessed(
    level: str,
    *,
    key: str = "C000100",
    assessed_on: str = "2026-03-01",
    valid_until: str = "2027-02-28",
    answers: list[dict[str, str]] | None = None,
    **fields: object,
) -> Customer:
    ra = {
        "level": level,
        "score": 50,
        "assessed_on": assessed_on,
        "valid_until": valid_until,
        "answers": answers or [],
    }
    return Customer.model_validate({"key": key, "risk_assessment": ra, **fields})


def _product(pid: str, category: str, level: str, **fields: object) -> Product:
    return Product.model_validate(
        {
            "id": pid,
            "name": pid,
            "category": category,
            "risk_level": level,
            "minimum_investment": "1000.00",
            "increment": "100.00",
            **fields,
        }
    )


# --------------------------------------------------------------------------- 1. risk-free


def test_a_structured_deposit_filed_as_a_deposit_is_reported_not_sold() -> None:
    c1 = _assessed("C1")
    structured = _product("SD-R2", "deposit", "R2")
    with pytest.raises(InputError, match=r"'SD-R2'.*risk-free category 'deposit'") as info:
        check_suitability(c1, structured, REG, as_of=AS_OF)
    assert info.value.field == "product.category"
    # Filed under its own category, the matrix decides: C1 buys only R1.
    filed = _product("SD-R2", "structured_product", "R2")
    d = check_suitability(c1, filed, REG, as_of=AS_OF)
    assert (d.outcome, d.reasons[0].code.value) == ("blocked", "SUIT_LEVEL_EXCEEDED")
    # The allocator leaves the misfiled product out and says why.
    a = allocate(c1, "100000.00", [structured, _product("TD", "deposit", "R1")], REG, as_of=AS_OF)
    assert "SD-R2" not in {line.product_id for line in a.lines}
    why = {e.product_id: e.reasons[0].message for e in a.excluded}
    assert "risk-free category above the lowest risk level" in why["SD-R2"]


def test_without_an_assessment_only_lowest_level_deposits_sell() -> None:
    nobody = Customer(key="C000101")
    assert check_suitability(nobody, _product("TD", "deposit", "R1"), REG, as_of=AS_OF).allowed
    fund = check_suitability(nobody, _product("MM", "money_market", "R1"), REG, as_of=AS_OF)
    assert (fund.outcome, fund.reasons[0].code.value) == ("blocked", "SUIT_NO_ASSESSMENT")


# --------------------------------------------------------------------------- 2. validity


def test_an_imported_assessment_older_than_twelve_months_is_not_honoured() -> None:
    # Assessed 13 months before the sale; the other system wrote "valid until end of 2027".
    imported = _assessed("C4", assessed_on="2025-10-30", valid_until="2027-12-31")
    d = check_suitability(imported, _product("BF", "bond_fund", "R2"), REG, as_of=AS_OF)
    assert d.outcome == "blocked"
    reason = d.reasons[0]
    assert reason.code.value == "SUIT_ASSESSMENT_EXPIRED"
    assert reason.facts["bound"] == "validity_months"
    assert reason.facts["effective_until"] == dt.date(2026, 10, 29)
    # The record's own, earlier date binds when it comes first.
    short = _assessed("C4", valid_until="2026-11-29")
    r = check_suitability(short, _product("BF", "bond_fund", "R2"), REG, as_of=AS_OF).reasons[0]
    assert (r.facts["bound"], r.facts["effective_until"]) == ("valid_until", dt.date(2026, 11, 29))
    # And the allocator puts the whole amount in deposits, as for no assessment.
    a = allocate(imported, "10000.00", [_product("TD", "deposit", "R1")], REG, as_of=AS_OF)
    assert a.outcome == "risk_free_only"


# --------------------------------------------------------------------------- 3. age


def test_sell_to_a_customer_who_turned_65_during_a_valid_c5_assessment() -> None:
    turned = _assessed("C5", birth_date=dt.date(1961, 6, 1))  # 64 when assessed, 65 today
    r5 = check_suitability(turned, _product("EQ", "equity_fund", "R5"), REG, as_of=AS_OF)
    assert (r5.outcome, r5.reasons[0].code.value, r5.reasons[0].rule_id) == (
        "blocked",
        "SUIT_ELDERLY_CAP",
        "risk.elderly",
    )
    assert r5.reasons[0].facts["age_from"] == "birth_date"
    r3 = check_suitability(turned, _product("BF", "bond_fund", "R3"), REG, as_of=AS_OF)
    assert (r3.outcome, [c.value for c in r3.conditions]) == ("allowed", ["extra_confirmation"])
    # The day before the birthday, at 64, the C5 row applies.
    before = check_suitability(
        turned, _product("EQ", "equity_fund", "R5"), REG, as_of=dt.date(2026, 5, 31)
    )
    assert (before.outcome, before.conditions) == ("allowed", ())


def test_a_customer_who_answered_65_or_over_is_capped_without_a_birth_date() -> None:
    answered = _assessed("C5", answers=[{"question_id": "q_age", "option_id": "d"}])
    d = check_suitability(answered, _product("EQ", "equity_fund", "R4"), REG, as_of=AS_OF)
    assert (d.outcome, d.reasons[0].code.value) == ("blocked", "SUIT_ELDERLY_CAP")
    assert d.reasons[0].facts["age_from"] == "age_answer"
    # Both known: the stricter reading wins, and the reason names both.
    both = _assessed(
        "C5", answers=[{"question_id": "q_age", "option_id": "d"}], birth_date=dt.date(1955, 1, 1)
    )
    d = check_suitability(both, _product("EQ", "equity_fund", "R4"), REG, as_of=AS_OF)
    assert d.reasons[0].facts["age_from"] == "birth_date,age_answer"
    # A birth date saying 60 does not undo an answer saying 65 or over.
    young = _assessed(
        "C5", answers=[{"question_id": "q_age", "option_id": "d"}], birth_date=dt.date(1966, 1, 1)
    )
    assert not check_suitability(
        young, _product("EQ", "equity_fund", "R4"), REG, as_of=AS_OF
    ).allowed


def test_sell_to_a_70_year_old_at_the_counter() -> None:
    seventy = _assessed("C5", birth_date=dt.date(1956, 3, 3))
    catalogue = [
        _product("TD", "deposit", "R1"),
        _product("BF", "bond_fund", "R2"),
        _product("EQ", "equity_fund", "R4"),
    ]
    a = allocate(seventy, "100000.00", catalogue, REG, as_of=AS_OF)
    # The model portfolio of the capped level (C3), not C5's; the R4 fund is excluded.
    assert a.outcome == "C3"
    assert any(r.code.value == "RISK_ELDERLY_CAP" for r in a.reasons)
    assert "EQ" not in {line.product_id for line in a.lines}
    assert sum(line.amount for line in a.lines) + a.unplaced == a.amount
    # Each line is a sale under its conditions: the bond fund is confirmed again.
    sold = {line.product_id: [c.value for c in line.conditions] for line in a.lines}
    assert sold["BF"] == ["extra_confirmation"]
    assert sold["TD"] == []  # a risk-free deposit needs neither
    assert [c.value for c in a.conditions] == ["extra_confirmation"]
    # At the counter the risky lines are also recorded, and the sale alone agrees.
    counter = allocate(seventy, "100000.00", catalogue, REG, as_of=AS_OF, in_branch=True)
    for line in counter.lines:
        if line.product_id is None:
            continue
        product = next(p for p in catalogue if p.id == line.product_id)
        alone = check_suitability(
            seventy, product, REG, as_of=AS_OF, amount=line.amount, in_branch=True
        )
        assert alone.allowed
        assert alone.conditions == line.conditions
    assert [c.value for c in counter.conditions] == ["extra_confirmation", "recorded_sale"]


def test_private_products_in_an_allocation_carry_their_cooling_off() -> None:
    c5 = _assessed("C5")
    private = _product(
        "PRV-FI",
        "private_wealth",
        "R3",
        cooling_off_hours=24,
        reserved_for_tiers=["private_banking"],
    )
    a = allocate(c5, "1000000.00", [private], REG, as_of=AS_OF, tier="private_banking")
    line = next(line for line in a.lines if line.product_id == "PRV-FI")
    assert ([c.value for c in line.conditions], line.cooling_off_hours) == (["cooling_off"], 24)


def test_custtier_demo_shows_conditions_on_its_allocation_lines() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "custtier", "demo", "--size", "400"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    block = out[out.index("allocating") :].split("\n\n")[0]
    assert "recorded_sale]" in block


# --------------------------------------------------------------------------- 5. service = batch


def test_service_tier_equals_nightly_book_with_the_cut() -> None:
    pb = presets.PRACTICE
    book = synth.book(1500, seed=11, as_of=AS_OF, playbook=pb)
    nightly = tier_book(book.customers, pb, as_of=AS_OF)
    assert nightly.pareto_cut is not None
    # The nightly job stores the cut as JSON; the service loads it once.
    cut = ParetoCut.model_validate_json(nightly.pareto_cut.model_dump_json())
    by_key = {c.key: c for c in book.customers}
    differ = 0
    for decision in nightly.decisions:
        customer = by_key[decision.customer_key]
        assert assign_tier(customer, pb, as_of=AS_OF, pareto_cut=cut) == decision
        blind = assign_tier(customer, pb, as_of=AS_OF)
        assert "TIER_PARETO_NOT_EVALUATED" in {r.code.value for r in blind.reasons}
        differ += blind.tier != decision.tier
    assert differ > 0  # without the cut the 80/20 rule is missing, and the decision says so
    # A cut from another playbook is refused, not silently applied.
    other = ParetoCut(playbook_hash="0" * 64, count=1, profit_minor_units=1, customer_key="C")
    with pytest.raises(InputError, match="another playbook"):
        assign_tier(book.customers[0], pb, as_of=AS_OF, pareto_cut=other)


# --------------------------------------------------------------------------- 6. the buffer


def test_a_customer_settled_just_under_the_bar_is_downgraded_after_the_hold_and_the_grace() -> None:
    pb = presets.PRACTICE  # ¥500,000 bar, 10% buffer, 3 months' grace, the buffer holds 12 months
    assert pb.tiering.hysteresis is not None
    assert pb.tiering.hysteresis.max_buffer_months == 12
    balances = {"2025-10": "600000.00", "2025-11": "600000.00", "2025-12": "600000.00"}
    balances |= {f"{y}-{m:02d}": "499999.99" for y in (2026, 2027) for m in range(1, 13)}
    c = Customer(key="C000200", monthly_balances=[
        {"month": k, "average_daily_balance": v} for k, v in balances.items()])  # fmt: skip
    previous = None
    seen = []
    for year, month in [(2026, m) for m in range(1, 13)] + [(2027, m) for m in range(1, 9)]:
        day = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        previous = d = assign_tier(c, pb, as_of=day, previous=previous, in_pareto_set=False)
        seen.append((day, d.tier, d.movement.value))
        if d.movement.value == "held" and d.below_since is None:
            held = next(r for r in d.reasons if r.code.value == "TIER_HELD")
            assert held.facts["buffer_hold_ends_on"] == dt.date(2027, 4, 30)  # the decision says
    # Held in the buffer from April 2026 for twelve months, then three months' grace.
    assert (dt.date(2027, 6, 30), "high_end", "held") in seen
    assert (dt.date(2027, 7, 31), "mid_end", "down") in seen
    # The columnar path ends the hold on the same day (tests/test_frames.py holds them equal).


# --------------------------------------------------------------------------- follow-ups


def test_plan_the_reassessment_call_before_an_imported_assessment_stops_selling() -> None:
    # Imported: assessed 2025-10-01, the other system says valid to 2027-12-31. The
    # practice honours 12 months, so sales stop on 2026-10-01: the call comes first.
    pb = presets.PRACTICE
    c = _assessed("steady", assessed_on="2025-10-01", valid_until="2027-12-31")
    fund = _product("BF-1", "bond_fund", "medium")
    start, end = dt.date(2026, 8, 1), dt.date(2026, 12, 31)
    plan = plan_contacts([c], pb, start=start, end=end, tiers={c.key: "high_end"})
    due = [u.due_on for u in plan.unscheduled if u.rule_id == "high_end.risk"]
    due += [t.due_on for t in plan.touchpoints if t.rule_id == "high_end.risk"]
    last_day = dt.date(2026, 9, 30)
    assert due == [last_day]
    assert check_suitability(c, fund, pb, as_of=last_day).outcome != "blocked"
    stopped = check_suitability(c, fund, pb, as_of=last_day + dt.timedelta(days=1))
    assert stopped.reasons[0].code.value == "SUIT_ASSESSMENT_EXPIRED"
    # The columnar expansion for a whole book says the same.
    pc = pytest.importorskip("pyarrow.compute", reason="needs the frames extra")
    import custtier.frames as cf

    out = cf.occasions_table(
        cf.occasions_input_table([c], {c.key: "high_end"}), pb, start=start, end=end
    )
    risk = out.filter(pc.equal(out["rule_id"], "high_end.risk"))
    assert risk.column("due_on").to_pylist() == [dt.date(2026, 9, 30)]


def test_allocate_at_the_counter_from_the_command_line(tmp_path: Path) -> None:
    # A C3 customer's allocation, sold in branch: the risky lines must be recorded.
    c3 = _assessed("C3")
    catalogue = [
        _product("TD", "deposit", "R1"),
        _product("BF", "bond_fund", "R2"),
        _product("BAL", "balanced_fund", "R3"),
    ]
    request = {"customer": c3.to_record(), "amount": "200000.00"}
    (tmp_path / "requests.jsonl").write_text(json.dumps(request) + "\n", encoding="utf-8")
    products = [p.to_record() for p in catalogue]
    (tmp_path / "catalogue.json").write_text(json.dumps(products), encoding="utf-8")
    command = [CUSTTIER, "allocate", "requests.jsonl", "--preset", REG.id, "--as-of"]
    command += [AS_OF.isoformat(), "--catalogue", "catalogue.json"]

    def decided(*extra: str) -> dict[str, Any]:
        done = subprocess.run(
            [*command, *extra], cwd=tmp_path, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        (line,) = done.stdout.splitlines()
        out: dict[str, Any] = json.loads(line)
        return out

    remote, counter = decided(), decided("--in-branch")
    assert "recorded_sale" not in remote["conditions"]
    assert counter["conditions"] == ["recorded_sale"]
    placed = {ln["product_id"]: ln["conditions"] for ln in counter["lines"] if ln["product_id"]}
    assert placed == {"TD": [], "BF": ["recorded_sale"], "BAL": ["recorded_sale"]}
    # The same decision as the library's, line for line.
    direct = allocate(c3, "200000.00", catalogue, REG, as_of=AS_OF, in_branch=True)
    assert [ln.model_dump(mode="json") for ln in direct.lines] == counter["lines"]
    # --help says how, with an example.
    shown = subprocess.run(
        [CUSTTIER, "allocate", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "--in-branch -o allocations.jsonl" in shown
