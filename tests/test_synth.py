"""Synthetic books: reproducible, valid, and shaped like a real retail book."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from custtier import Customer, Playbook, presets, synth
from custtier.errors import CurrencyError

AS_OF = dt.date(2026, 11, 30)
MONTHS = {f"2025-{m:02d}" for m in (11, 12)} | {f"2026-{m:02d}" for m in range(1, 11)}
SIZE = 3000


@pytest.fixture(scope="module")
def book() -> synth.Book:
    return synth.book(SIZE, seed=7, as_of=AS_OF)


def adb3(c: Customer) -> Decimal:
    """Mean of the months present among the last three (the practice preset's basis)."""
    by_month = c.balances_by_month()
    present = [by_month[m] for m in ("2026-08", "2026-09", "2026-10") if m in by_month]
    return sum(present, Decimal(0)) / len(present) if present else Decimal(0)


def share(count: int) -> float:
    return count / SIZE


def book_json(b: synth.Book) -> str:
    return json.dumps(
        {
            "customers": [c.to_record(reveal_personal_data=True) for c in b.customers],
            "managers": [m.to_record() for m in b.managers],
            "catalogue": [p.to_record() for p in b.catalogue],
        },
        sort_keys=True,
    )


# --- determinism -----------------------------------------------------------------


def test_same_seed_gives_the_same_book_and_another_seed_a_different_one() -> None:
    first = synth.book(300, seed=11, as_of=AS_OF)
    assert book_json(first) == book_json(synth.book(300, seed=11, as_of=AS_OF))
    assert first == synth.book(300, seed=11, as_of=AS_OF)
    other = synth.book(300, seed=12, as_of=AS_OF)
    assert book_json(first) != book_json(other)
    # Not a trivial difference: most customers differ.
    differing = sum(a != b for a, b in zip(first.customers, other.customers, strict=True))
    assert differing > 250


def test_the_book_does_not_depend_on_the_process_hash_seed() -> None:
    script = (
        "import datetime as dt, hashlib, json; from custtier import synth;"
        "b = synth.book(150, seed=5, as_of=dt.date(2026, 11, 30));"
        "print(hashlib.sha256(json.dumps([c.to_record(reveal_personal_data=True)"
        " for c in b.customers], sort_keys=True).encode()).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
        ).stdout.strip()
        for hash_seed in ("1", "2")
    }
    here = synth.book(150, seed=5, as_of=AS_OF)
    expected = hashlib.sha256(
        json.dumps(
            [c.to_record(reveal_personal_data=True) for c in here.customers], sort_keys=True
        ).encode()
    ).hexdigest()
    assert digests == {expected}


def test_the_parts_agree_with_the_whole() -> None:
    b = synth.book(120, seed=3, as_of=AS_OF, managers=4)
    assert b.customers == synth.customers(120, seed=3, as_of=AS_OF, managers=4)
    assert b.managers == synth.managers(4, seed=3)
    assert b.catalogue == synth.catalogue(presets.PRACTICE)


# --- validity ----------------------------------------------------------------------


def walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from walk(v)


def test_every_customer_round_trips_and_holds_no_float(book: synth.Book) -> None:
    for c in book.customers:
        assert Customer.from_json(c.to_json(reveal_personal_data=True)) == c
        assert not any(isinstance(v, float) for v in walk(c.model_dump()))
    for p in book.catalogue:
        assert not any(isinstance(v, float) for v in walk(p.model_dump()))


def test_amounts_are_at_the_currency_scale(book: synth.Book) -> None:
    amounts = [
        a
        for c in book.customers
        for a in (
            c.assets_under_management,
            c.annual_profit_contribution,
            *(m.average_daily_balance for m in c.monthly_balances),
            *(h.principal for h in c.products_held),
        )
    ]
    assert {a.as_tuple().exponent for a in amounts} == {-2}
    yen = synth.customers(40, seed=1, as_of=AS_OF, currency="JPY")
    assert {c.assets_under_management.as_tuple().exponent for c in yen} == {0}
    assert {c.currency for c in yen} == {"JPY"}


def test_keys_are_pseudonymous_and_identifiers_obviously_synthetic(book: synth.Book) -> None:
    assert [c.key for c in book.customers[:3]] == ["C0000001", "C0000002", "C0000003"]
    assert len({c.key for c in book.customers}) == SIZE
    idents = [c.kyc.identity for c in book.customers if c.kyc and c.kyc.identity]
    assert len(idents) > SIZE * 0.9
    for ident in idents:
        if ident.id_number is not None:
            assert ident.id_number.get_secret_value().startswith("SYNTH")
        if ident.email is not None:
            assert ident.email.get_secret_value().endswith("@example.invalid")
    assert "SYNTH" not in repr(book.customers[0])


# --- shape -------------------------------------------------------------------------


def test_balances_form_a_pyramid_with_a_few_above_six_million(book: synth.Book) -> None:
    adb = [adb3(c) for c in book.customers]
    mass = share(sum(a < 50_000 for a in adb))
    high = share(sum(a >= 500_000 for a in adb))
    assert 0.45 <= mass <= 0.75
    assert 0.20 <= 1 - mass - high <= 0.45
    assert 0.04 <= high <= 0.15
    assert 1 <= sum(a >= 6_000_000 for a in adb) <= SIZE * 0.01


def test_a_fifth_of_customers_carry_about_four_fifths_of_profit(book: synth.Book) -> None:
    profits = sorted((c.annual_profit_contribution for c in book.customers), reverse=True)
    top = sum(profits[: SIZE // 5]) / sum(profits)
    assert Decimal("0.70") <= top <= Decimal("0.90")
    losing = share(sum(p < 0 for p in profits))
    assert 0.01 <= losing <= 0.10


def test_profit_follows_assets(book: synth.Book) -> None:
    by_aum = sorted(book.customers, key=lambda c: c.assets_under_management)
    tenth = SIZE // 10

    def median_profit(group: list[Customer]) -> Decimal:
        return sorted(c.annual_profit_contribution for c in group)[len(group) // 2]

    poorest, richest = median_profit(by_aum[:tenth]), median_profit(by_aum[-tenth:])
    assert poorest < 100
    assert richest > 3000


def test_months_cover_the_year_before_as_of_with_some_gaps(book: synth.Book) -> None:
    for c in book.customers:
        assert {m.month for m in c.monthly_balances} <= MONTHS
    partial = share(sum(len(c.monthly_balances) < 12 for c in book.customers))
    assert 0.05 <= partial <= 0.30
    newcomers = [c for c in book.customers if c.customer_since and c.customer_since.year == 2026]
    assert newcomers
    for c in newcomers:
        assert c.customer_since is not None
        joined = f"{c.customer_since:%Y-%m}"
        assert all(m.month >= joined for m in c.monthly_balances)


def test_balances_trend_both_ways(book: synth.Book) -> None:
    full = [c.monthly_balances for c in book.customers if len(c.monthly_balances) == 12]
    rising = sum(
        m[-1].average_daily_balance > Decimal("1.5") * m[0].average_daily_balance for m in full
    )
    falling = sum(
        m[-1].average_daily_balance < Decimal("0.6") * m[0].average_daily_balance for m in full
    )
    assert rising > len(full) * 0.05
    assert falling > len(full) * 0.05


def test_birthdays_include_29_february_and_nobody_is_a_minor(book: synth.Book) -> None:
    births = [c.birth_date for c in book.customers if c.birth_date is not None]
    assert sum((b.month, b.day) == (2, 29) for b in births) >= 3
    assert max(births) <= AS_OF - relativedelta(years=18)
    assert sum(b <= AS_OF - relativedelta(years=65) for b in births) > SIZE * 0.05
    assert 0 < SIZE - len(births) < SIZE * 0.1


def test_dates_fall_inside_the_relationship(book: synth.Book) -> None:
    for c in book.customers:
        since = c.customer_since
        assert since is not None
        assert since <= AS_OF
        for h in c.products_held:
            assert h.opened_on is not None
            assert since <= h.opened_on <= AS_OF
        if c.risk_assessment:
            assert since <= c.risk_assessment.assessed_on <= AS_OF
        if c.kyc and c.kyc.last_reviewed_on:
            assert since <= c.kyc.last_reviewed_on <= AS_OF
        if c.contact.do_not_contact_since:
            assert since <= c.contact.do_not_contact_since <= AS_OF
        if c.kyc:
            assert all(d.on <= AS_OF for d in c.kyc.important_dates)
            own = [
                d.on for d in c.kyc.important_dates if d.kind == "birthday" and d.relation == "self"
            ]
            assert own in ([], [c.birth_date])


def test_consent_opt_outs_and_do_not_contact(book: synth.Book) -> None:
    contacts = [c.contact for c in book.customers]
    assert 0.005 <= share(sum(p.do_not_contact for p in contacts)) <= 0.05
    no_marketing = sum(
        bool(p.consents) and not any(x.marketing for x in p.consents) for p in contacts
    )
    assert 0.05 <= share(no_marketing) <= 0.30
    assert 0 < sum(not p.consents for p in contacts) < SIZE * 0.05
    # Consent is per channel: some customers accept marketing on one channel and not another.
    assert any(
        len({x.marketing for x in p.consents}) == 2 for p in contacts if not p.do_not_contact
    )


def test_managers_and_referrals_point_inside_the_book(book: synth.Book) -> None:
    keys = {c.key for c in book.customers}
    manager_ids = {m.id for m in book.managers}
    assigned = [c.manager_id for c in book.customers if c.manager_id is not None]
    assert set(assigned) == manager_ids  # every manager has customers
    assert 0 < SIZE - len(assigned) < SIZE * 0.5
    # Only mass customers go without a manager (a few sit just across the bar).
    unassigned = [adb3(c) for c in book.customers if c.manager_id is None]
    assert sum(a < 50_000 for a in unassigned) > 0.95 * len(unassigned)
    assert max(unassigned) < 500_000
    referred = [c.referred_by for c in book.customers if c.referred_by]
    assert set(referred) <= keys
    assert 0.03 <= share(len(referred)) <= 0.15
    assert max(referred.count(k) for k in set(referred)) >= 3  # some prolific referrers


def test_risk_assessments_follow_the_playbook(book: synth.Book) -> None:
    risk = presets.PRACTICE.risk
    options = {(q.id, o.id): o.score for q in risk.questionnaire for o in q.options}
    assessed = [c.risk_assessment for c in book.customers if c.risk_assessment]
    assert 0.5 <= share(len(assessed)) <= 0.9
    for ra in assessed:
        assert ra.score == sum(options[a.question_id, a.option_id] for a in ra.answers)
        band = next(b for b in risk.score_bands if b.lower <= ra.score <= b.upper)
        assert ra.level == band.level
        assert ra.valid_until == ra.assessed_on + relativedelta(months=12) - dt.timedelta(1)
        assert ra.playbook_id == "practice"
    expired = sum(not ra.is_valid_on(AS_OF) for ra in assessed)
    assert 0.05 * len(assessed) <= expired <= 0.4 * len(assessed)
    assert {ra.level for ra in assessed} == {"conservative", "steady", "aggressive"}


def test_holdings_are_real_products_bought_by_the_rules(book: synth.Book) -> None:
    pb = presets.PRACTICE
    products = {p.id: p for p in book.catalogue}
    levels = [lv.id for lv in pb.risk.product_levels]
    allowed = {r.customer_level: levels.index(r.max_product_level) for r in pb.risk.suitability}
    premium_ids = {"INS-MED", "INS-CI", "PEN-ANNUITY", "EDU-INS"}
    held: set[str] = set()
    for c in book.customers:
        invested = Decimal(0)
        ra = c.risk_assessment
        for h in c.products_held:
            p = products[h.product_id]
            held.add(p.id)
            assert h.principal >= p.minimum_investment
            assert (h.principal - p.minimum_investment) % p.increment == 0
            assert levels.index(p.risk_level) <= (allowed[ra.level] if ra else 0)
            if p.term_days is not None:
                assert h.matures_on is not None
                assert h.matures_on >= AS_OF
            if p.id not in premium_ids:
                invested += h.principal
            if p.private:
                assert adb3(c) >= 500_000
        assert invested <= c.assets_under_management
    assert len(held) >= 25  # the whole catalogue is in use, private products included
    assert any(products[p].private for p in held)


def test_kyc_completeness_grows_with_wealth(book: synth.Book) -> None:
    def detailed(c: Customer) -> bool:
        return c.kyc is not None and bool(c.kyc.family) and bool(c.kyc.interests)

    mass = [c for c in book.customers if adb3(c) < 50_000]
    high = [c for c in book.customers if adb3(c) >= 500_000]
    assert sum(map(detailed, high)) / len(high) > 3 * sum(map(detailed, mass)) / len(mass)
    assert any(c.kyc is None for c in mass)
    lunar = [
        d for c in book.customers if c.kyc for d in c.kyc.important_dates if d.calendar == "lunar"
    ]
    assert lunar


# --- catalogue ---------------------------------------------------------------------


@pytest.mark.parametrize("playbook", [presets.PRACTICE, presets.REGULATORY], ids=lambda p: p.id)
def test_catalogue_uses_only_what_the_playbook_defines(playbook: Playbook) -> None:
    products = synth.catalogue(playbook)
    levels = {lv.id for lv in playbook.risk.product_levels}
    tiers = {t.id for t in playbook.tiers}
    assert {p.category for p in products} == {c.id for c in playbook.allocation.categories}
    assert {p.risk_level for p in products} == levels  # every level has a product
    assert len({p.id for p in products}) == len(products)
    for p in products:
        assert set(p.reserved_for_tiers) <= tiers
        assert p.currency == playbook.currency
        if p.private:
            assert p.cooling_off_hours == 24
            assert p.reserved_for_tiers
            assert p.minimum_investment >= 1_000_000


def test_catalogue_sizes_are_realistic() -> None:
    practice = {p.id: p for p in synth.catalogue(presets.PRACTICE)}
    regulatory = {p.id: p for p in synth.catalogue(presets.REGULATORY)}
    wm = practice["WM-90D"]
    assert (wm.minimum_investment, wm.increment) == (Decimal("10000.00"), Decimal("1000.00"))
    assert practice["LCD-3Y"].minimum_investment == Decimal("200000.00")
    assert practice["PRV-PE"].reserved_for_tiers == ("high_end",)
    assert regulatory["PRV-PE"].reserved_for_tiers == ("high_end", "private_banking")
    assert regulatory["PRV-TRUST"].reserved_for_tiers == ("private_banking",)
    assert [practice[i].risk_level for i in ("DEP-1Y", "BF-SHORT", "BAL-FLEX", "EQ-CSI300")] == [
        "low",
        "low",
        "medium",
        "high",
    ]
    assert [regulatory[i].risk_level for i in ("DEP-1Y", "BF-SHORT", "BAL-FLEX", "EQ-QDII")] == [
        "R1",
        "R2",
        "R3",
        "R5",
    ]


def test_regulatory_books_use_the_regulatory_levels() -> None:
    cs = synth.customers(400, seed=2, as_of=AS_OF, playbook=presets.REGULATORY)
    levels = {c.risk_assessment.level for c in cs if c.risk_assessment}
    assert levels <= {"C1", "C2", "C3", "C4", "C5"}
    assert len(levels) >= 4
    ids = {p.id for p in synth.catalogue(presets.REGULATORY)}
    assert {h.product_id for c in cs for h in c.products_held} <= ids


# --- arguments ---------------------------------------------------------------------


def test_managers() -> None:
    ms = synth.managers(9, seed=1)
    assert [m.id for m in ms] == [f"RM-{i:03d}" for i in range(1, 10)]
    assert {m.capacity_hours_per_week for m in ms} <= {Decimal(h) for h in (24, 28, 32, 36, 40)}
    assert len({m.branch for m in ms}) == 3
    assert synth.managers(9, seed=1) == ms


def test_sizes_and_currencies_are_checked() -> None:
    assert synth.customers(0, seed=1, as_of=AS_OF) == ()
    with pytest.raises(ValueError, match="non-negative"):
        synth.customers(-1, seed=1, as_of=AS_OF)
    with pytest.raises(ValueError, match="at least 1"):
        synth.customers(5, seed=1, as_of=AS_OF, managers=0)
    with pytest.raises(CurrencyError):
        synth.customers(5, seed=1, as_of=AS_OF, currency="XXX")


def test_dates_derive_from_as_of() -> None:
    early = synth.customers(50, seed=4, as_of=dt.date(2020, 3, 15))
    months = {m.month for c in early for m in c.monthly_balances}
    assert max(months) == "2020-02"
    assert min(months) == "2019-03"
    assert all(c.customer_since and c.customer_since <= dt.date(2020, 3, 15) for c in early)
