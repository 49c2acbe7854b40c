"""check_catalogue: one customer against a whole catalogue, as check_suitability per product."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies as cst
from custtier import (
    Customer,
    Playbook,
    Product,
    RiskAssessment,
    allocate,
    assign_tier,
    check_catalogue,
    check_suitability,
    presets,
    synth,
)
from custtier.errors import CusttierError, InputError
from custtier.models import Need
from custtier.suitability._check import buyer, codes_for, trace_of, traced
from custtier.suitability._plan import suitability_plan
from custtier.suitability._tables import risk_tables

AS_OF = dt.date(2026, 11, 30)


@st.composite
def valid_on(draw: st.DrawFn, as_of: dt.date, levels: list[str]) -> RiskAssessment:
    """An assessment of one of ``levels`` that the bank may rely on on ``as_of``."""
    assessed = as_of - dt.timedelta(days=draw(st.integers(0, 300)))
    return RiskAssessment(
        level=draw(st.sampled_from(levels)),
        score=50,
        assessed_on=assessed,
        valid_until=assessed + dt.timedelta(days=364),
    )


@st.composite
def counters(
    draw: st.DrawFn,
) -> tuple[Playbook, Customer, list[Product], dt.date, str | None, bool]:
    """A generated playbook, a customer (any assessment, any age), its catalogue shuffled."""
    pb = draw(cst.playbooks())
    as_of = draw(cst.dates(dt.date(2025, 1, 1), dt.date(2028, 12, 31)))
    levels = [lv.id for lv in pb.risk.customer_levels]
    customer = Customer(
        key="C000001",
        currency=pb.currency,
        birth_date=draw(st.none() | cst.dates(dt.date(1925, 1, 1), dt.date(2008, 12, 31))),
        risk_assessment=draw(st.none() | cst.risk_assessments(levels) | valid_on(as_of, levels)),
    )
    catalogue = draw(st.permutations(synth.catalogue(pb)))
    tier = draw(st.sampled_from([None, *(t.id for t in pb.tiers)]))
    return pb, customer, catalogue, as_of, tier, draw(st.booleans())


@given(counters())
def test_each_decision_is_check_suitabilitys_for_that_product(
    case: tuple[Playbook, Customer, list[Product], dt.date, str | None, bool],
) -> None:
    pb, customer, catalogue, as_of, tier, in_branch = case
    got = check_catalogue(customer, catalogue, pb, as_of=as_of, tier=tier, in_branch=in_branch)
    want = [
        check_suitability(customer, p, pb, as_of=as_of, tier=tier, in_branch=in_branch)
        for p in catalogue
    ]
    assert list(got) == want
    assert [d.model_dump_json() for d in got] == [d.model_dump_json() for d in want]


@settings(max_examples=60, deadline=None)
@given(counters(), st.data())
def test_customers_alike_share_the_products_codes_and_each_keeps_their_own_facts(
    case: tuple[Playbook, Customer, list[Product], dt.date, str | None, bool],
    data: st.DataObject,
) -> None:
    # The codes a product gets are kept per kind of buyer (check_catalogue, allocate): the
    # next customer of that kind takes them from the table, with their own dates and ages.
    pb, first, catalogue, as_of, tier, in_branch = case
    levels = [lv.id for lv in pb.risk.customer_levels]
    level = first.risk_assessment.level if first.risk_assessment else levels[0]
    others = [
        first.replace(key="C000002"),  # the same kind for certain: every product is a hit
        first.replace(key="C000003", risk_assessment=data.draw(valid_on(as_of, [level]))),
        Customer(
            key="C000004",
            currency=pb.currency,
            birth_date=data.draw(st.none() | cst.dates(dt.date(1925, 1, 1), dt.date(2008, 12, 31))),
            risk_assessment=data.draw(st.none() | valid_on(as_of, levels)),
        ),
    ]
    plan = suitability_plan(pb)
    tiers = [tier, data.draw(st.sampled_from([None, *(t.id for t in pb.tiers)]))]
    for customer in (first, *others):
        for tier_, branch in ((t, b) for t in tiers for b in (in_branch, not in_branch)):
            who = buyer(customer, plan, as_of)
            codes = codes_for(who, plan, tier_, branch)
            got = check_catalogue(
                customer, catalogue, pb, as_of=as_of, tier=tier_, in_branch=branch
            )
            assert all(codes[id(p)][0] is p for p in catalogue)  # every product's codes kept
            for p, decision in zip(catalogue, got, strict=True):
                slow = trace_of(who, p, plan, as_of, tier_, None, branch)
                assert traced(codes, who, p, plan, as_of, tier_, branch) == slow
                want = check_suitability(customer, p, pb, as_of=as_of, tier=tier_, in_branch=branch)
                assert decision == want
                assert decision.model_dump_json() == want.model_dump_json()


@settings(max_examples=40, deadline=None)
@given(counters(), st.data(), st.sampled_from(["1000.00", "250000.00", "20000000.00"]))
def test_allocations_over_a_kept_shelf_are_the_ones_over_a_list_read_afresh(
    case: tuple[Playbook, Customer, list[Product], dt.date, str | None, bool],
    data: st.DataObject,
    amount: str,
) -> None:
    # allocate keeps a tuple of products sorted by category, per currency; a list is read
    # every time. Products the playbook cannot place (another currency, an unknown
    # category or level) are excluded alike, for every customer, first or next.
    pb, first, catalogue, as_of, tier, in_branch = case
    ids = {p.id for p in catalogue}
    odd = data.draw(st.lists(cst.products(), max_size=3, unique_by=lambda p: p.id))
    shelf = tuple(catalogue + [p for p in odd if p.id not in ids])
    levels = [lv.id for lv in pb.risk.customer_levels]
    customers = [
        first,
        first.replace(key="C000002", risk_assessment=data.draw(valid_on(as_of, levels))),
        Customer(
            key="C000003",
            currency=pb.currency,
            needs=data.draw(st.sets(st.sampled_from(list(Need)))),
        ),
    ]
    args: dict[str, Any] = {"as_of": as_of, "tier": tier, "in_branch": in_branch}
    products = tuple(catalogue)  # every one fits the playbook: check_catalogue keeps that
    for customer in customers * 2:
        checked = check_catalogue(customer, products, pb, **args)
        assert checked == check_catalogue(customer, list(products), pb, **args)
        assert [d.model_dump_json() for d in checked] == [
            check_suitability(customer, p, pb, **args).model_dump_json() for p in products
        ]
        kept = allocate(customer, amount, shelf, pb, **args)
        fresh = allocate(customer, amount, list(shelf), pb, **args)
        assert kept == fresh
        assert kept.model_dump_json() == fresh.model_dump_json()
        # Nothing dropped: every product is on a line or excluded with its reasons.
        named = [line.product_id for line in kept.lines if line.product_id is not None]
        assert sorted(named + [e.product_id for e in kept.excluded]) == sorted(p.id for p in shelf)
    assert risk_tables(pb).shelves[id(shelf), pb.currency][0] is shelf
    assert suitability_plan(pb).fitting[id(products), pb.currency][0] is products
    # A shelf that fits one currency is checked anew for a customer in another.
    if customers[2].currency != "USD":
        with pytest.raises(InputError, match="currencies differ"):
            check_catalogue(customers[2].replace(currency="USD"), products, pb, as_of=as_of)


def test_a_catalogue_that_may_change_is_read_again() -> None:
    pb, shelf = presets.PRACTICE, synth.catalogue(presets.PRACTICE)
    customer = Customer(key="C1", needs=("daily_banking",))
    records = [p.model_dump(mode="json") for p in shelf]
    as_records = tuple(records)  # a tuple, but of records: each may be edited in place
    before = allocate(customer, "250000.00", as_records, pb, as_of=AS_OF)
    assert len(check_catalogue(customer, as_records, pb, as_of=AS_OF)) == len(shelf)
    placed = before.lines[0].product_id
    record = next(r for r in records if r["id"] == placed)
    record["currency"] = "USD"  # the bank moves it to its dollar shelf
    after = allocate(customer, "250000.00", as_records, pb, as_of=AS_OF)
    assert placed not in {line.product_id for line in after.lines}
    assert after == allocate(customer, "250000.00", list(as_records), pb, as_of=AS_OF)
    # check_catalogue reads it again too: the dollar product is refused.
    with pytest.raises(InputError, match="currencies differ"):
        check_catalogue(customer, as_records, pb, as_of=AS_OF)
    # A list edited between two allocations is read again too.
    products = list(shelf)
    first = allocate(customer, "250000.00", products, pb, as_of=AS_OF)
    products.remove(next(p for p in products if p.id == first.lines[0].product_id))
    assert allocate(customer, "250000.00", products, pb, as_of=AS_OF) != first


_BLOCKS = {
    "SUIT_LEVEL_EXCEEDED",
    "SUIT_NO_ASSESSMENT",
    "SUIT_ASSESSMENT_EXPIRED",
    "SUIT_RESERVED",
    "SUIT_ELDERLY_CAP",
}


@settings(max_examples=30)
@given(counters(), st.sampled_from(["1000.00", "250000.00", "20000000.00"]))
def test_allocations_exclude_a_product_with_check_suitabilitys_own_blocks(
    case: tuple[Playbook, Customer, list[Product], dt.date, str | None, bool], amount: str
) -> None:
    """allocate reads the explanation table, not a decision: the blocks it quotes are the same."""
    pb, customer, catalogue, as_of, tier, in_branch = case
    d = allocate(customer, amount, catalogue, pb, as_of=as_of, tier=tier, in_branch=in_branch)
    by_id = {p.id: p for p in catalogue}
    for ex in d.excluded:
        if not ex.reasons[0].code.value.startswith("SUIT_"):
            continue  # excluded by the allocation's own rules (no share, preferred, too small)
        check = check_suitability(
            customer, by_id[ex.product_id], pb, as_of=as_of, tier=tier, in_branch=in_branch
        )
        assert not check.allowed
        assert ex.reasons == tuple(r for r in check.reasons if r.code.value in _BLOCKS)
    sold = {line.product_id: line for line in d.lines if line.product_id is not None}
    for pid, line in sold.items():
        check = check_suitability(
            customer,
            by_id[pid],
            pb,
            as_of=as_of,
            tier=tier,
            amount=line.amount,
            in_branch=in_branch,
        )
        assert check.allowed
        assert (line.conditions, line.cooling_off_hours) == (
            check.conditions,
            check.cooling_off_hours,
        )


def test_a_private_product_reserved_for_higher_tiers_is_excluded_with_the_reservation_only() -> (
    None
):
    """A C5 mass customer: the private products are within the matrix but reserved."""
    pb = presets.REGULATORY
    c = Customer(
        key="C000044",
        risk_assessment={
            "level": "C5",
            "score": 90,
            "assessed_on": "2026-03-01",
            "valid_until": "2027-02-28",
        },
    )
    shelf = {p.id: p for p in synth.catalogue(pb)}
    d = allocate(c, "20000000.00", list(shelf.values()), pb, as_of=AS_OF, tier="mass")
    private = [ex for ex in d.excluded if ex.product_id.startswith("PRV-")]
    assert private
    for ex in private:
        check = check_suitability(c, shelf[ex.product_id], pb, as_of=AS_OF, tier="mass")
        assert [r.code.value for r in check.reasons][:2] == ["SUIT_RESERVED", "SUIT_LEVEL_OK"]
        assert ex.reasons == check.reasons[:1]  # the block, not the notes


def _c3(**changes: object) -> Customer:
    ra = {"level": "C3", "score": 50, "assessed_on": "2026-03-01", "valid_until": "2027-02-28"}
    return Customer(key="C000042", risk_assessment=ra, **changes)


def test_an_elderly_c4_at_the_counter_gets_the_cap_on_risky_products_and_deposits_freely() -> None:
    pb = presets.REGULATORY
    c = Customer(
        key="C000043",
        birth_date=dt.date(1950, 6, 1),
        risk_assessment={
            "level": "C4",
            "score": 70,
            "assessed_on": "2026-03-01",
            "valid_until": "2027-02-28",
        },
    )
    shelf = synth.catalogue(pb)
    ds = {d.product_id: d for d in check_catalogue(c, shelf, pb, as_of=AS_OF, in_branch=True)}
    assert list(ds) == [p.id for p in shelf]
    levels = {p.id: p.risk_level for p in shelf}
    for pid, d in ds.items():
        codes = [r.code.value for r in d.reasons]
        if levels[pid] == "R4":  # within C4's row, above the elderly cap's
            assert not d.allowed
            assert codes[0] == "SUIT_ELDERLY_CAP"
        if d.allowed and levels[pid] != "R1":
            assert "extra_confirmation" in d.conditions


@pytest.mark.parametrize(
    ("tier", "field"),
    [("platinum", "tier"), (object(), "tier")],
)
def test_a_wrong_tier_is_refused_before_any_product(tier: object, field: str) -> None:
    with pytest.raises(InputError) as err:
        check_catalogue(_c3(), [], presets.REGULATORY, as_of=AS_OF, tier=tier)  # type: ignore[arg-type]
    assert err.value.field == field


def test_a_bad_product_is_refused_as_check_suitability_refuses_it() -> None:
    pb = presets.REGULATORY
    odd = Product(id="X", name="X", category="deposit", risk_level="R3")  # misfiled
    shelf = [*synth.catalogue(pb)[:3], odd]
    with pytest.raises(InputError) as checked:
        check_suitability(_c3(), odd, pb, as_of=AS_OF)
    with pytest.raises(InputError) as caught:
        check_catalogue(_c3(), shelf, pb, as_of=AS_OF)
    assert caught.value.field == checked.value.field == "product.category"
    assert str(caught.value) == str(checked.value)


def test_a_level_of_another_playbook_is_refused() -> None:
    c = _c3().replace(
        risk_assessment={
            "level": "balanced",
            "score": 50,
            "assessed_on": "2026-03-01",
            "valid_until": "2027-02-28",
        }
    )
    with pytest.raises(CusttierError) as err:
        check_catalogue(c, synth.catalogue(presets.REGULATORY), presets.REGULATORY, as_of=AS_OF)
    assert getattr(err.value, "field", None) == "risk_assessment.level"


def test_a_tier_decision_about_another_customer_is_refused() -> None:
    other = assign_tier(Customer(key="C000099"), presets.REGULATORY, as_of=AS_OF)
    with pytest.raises(InputError) as err:
        check_catalogue(_c3(), [], presets.REGULATORY, as_of=AS_OF, tier=other)
    assert err.value.field == "tier"
