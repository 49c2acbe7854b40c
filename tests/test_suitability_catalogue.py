"""check_catalogue: one customer against a whole catalogue, as check_suitability per product."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

import strategies as cst
from custtier import (
    Customer,
    Playbook,
    Product,
    assign_tier,
    check_catalogue,
    check_suitability,
    presets,
    synth,
)
from custtier.errors import CusttierError, InputError

AS_OF = dt.date(2026, 11, 30)


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
        risk_assessment=draw(st.none() | cst.risk_assessments(levels)),
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
