"""Invariants of suitability and allocation over generated customers, catalogues and amounts."""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from custtier import (
    Condition,
    Customer,
    Playbook,
    Product,
    allocate,
    check_suitability,
    presets,
    synth,
)

AS_OF = dt.date(2026, 11, 30)
PLAYBOOKS = st.sampled_from([presets.PRACTICE, presets.REGULATORY])


@st.composite
def products(draw: st.DrawFn, pb: Playbook, pid: str, *, misfiled: bool = False) -> Product:
    """A product of ``pb``; one filed as risk-free above the lowest level only if ``misfiled``."""
    category = draw(st.sampled_from([c.id for c in pb.allocation.categories]))
    levels = [lv.id for lv in pb.risk.product_levels]
    if category in pb.risk.risk_free_categories and not misfiled:
        levels = levels[:1]
    level = draw(st.sampled_from(levels))
    minimum = draw(st.sampled_from(["0.00", "1.00", "1000.00", "10000.00", "50000.00"]))
    increment = draw(st.sampled_from(["0.01", "1.00", "100.00", "1000.00"]))
    reserved = draw(st.sampled_from([[], [pb.tiers[-1].id]]))
    return Product(id=pid, name=pid, category=category, risk_level=level,
                   minimum_investment=minimum, increment=increment,
                   reserved_for_tiers=reserved,
                   cooling_off_hours=draw(st.sampled_from([0, 0, 24])))  # fmt: skip


@st.composite
def cases(draw: st.DrawFn) -> tuple[Playbook, Customer, list[Product], Decimal, str]:
    pb = draw(PLAYBOOKS)
    n = draw(st.integers(min_value=0, max_value=14))
    catalogue = [draw(products(pb, f"P{i:02d}", misfiled=True)) for i in range(n)]
    level = draw(st.sampled_from([None, *[lv.id for lv in pb.risk.customer_levels]]))
    expired = draw(st.booleans())
    ra = None
    if level is not None:
        until = "2026-11-29" if expired else "2027-02-28"
        ra = {"level": level, "score": 1, "assessed_on": "2025-12-01", "valid_until": until}
    needs = draw(st.lists(st.sampled_from(["pension", "education", "insurance", "housing"]),
                          max_size=3))  # fmt: skip
    customer = Customer(key="C1", risk_assessment=ra, needs=needs)
    amount = Decimal(draw(st.integers(min_value=0, max_value=10**9))).scaleb(-2)
    tier = draw(st.sampled_from([t.id for t in pb.tiers]))
    return pb, customer, catalogue, amount, tier


def _cap(pb: Playbook, customer: Customer) -> int | None:
    ra = customer.risk_assessment
    if ra is None or not ra.is_valid_on(AS_OF):
        return None
    row = next(r for r in pb.risk.suitability if r.customer_level == ra.level)
    return [lv.id for lv in pb.risk.product_levels].index(row.max_product_level)


@given(cases())
def test_allocations_place_every_cent_on_valid_amounts_of_suitable_products(
    case: tuple[Playbook, Customer, list[Product], Decimal, str],
) -> None:
    pb, customer, catalogue, amount, tier = case
    d = allocate(customer, amount, catalogue, pb, as_of=AS_OF, tier=tier)
    assert sum((line.amount for line in d.lines), Decimal(0)) + d.unplaced == amount
    by_id = {p.id: p for p in catalogue}
    levels = [lv.id for lv in pb.risk.product_levels]
    cap = _cap(pb, customer)
    for line in d.lines:
        assert line.amount > 0
        if line.product_id is None:
            continue
        p = by_id[line.product_id]
        assert line.amount >= p.minimum_investment
        assert (line.amount - p.minimum_investment) % p.increment == 0
        # A risk-free category widens the sale only at the lowest level; misfiled never sells.
        if p.category in pb.risk.risk_free_categories:
            assert p.risk_level == levels[0]
            continue
        # Expired or missing assessments never yield risky products.
        assert cap is not None
        assert levels.index(p.risk_level) <= cap
        if (
            customer.risk_assessment
            and customer.risk_assessment.level == pb.risk.customer_levels[0].id
        ):
            assert p.risk_level == levels[0]
        assert not p.reserved_for_tiers or tier in p.reserved_for_tiers
    placed = {line.product_id for line in d.lines} - {None}
    assert placed | {e.product_id for e in d.excluded} == set(by_id)


@given(cases())
def test_removing_a_product_changes_only_its_own_category(
    case: tuple[Playbook, Customer, list[Product], Decimal, str],
) -> None:
    pb, customer, catalogue, amount, tier = case
    if not catalogue:
        return
    before = allocate(customer, amount, catalogue, pb, as_of=AS_OF, tier=tier)
    gone = catalogue[0]
    after = allocate(customer, amount, catalogue[1:], pb, as_of=AS_OF, tier=tier)
    other = {(line.product_id, line.amount) for line in before.lines
             if line.category != gone.category and line.product_id is not None}  # fmt: skip
    now = {(line.product_id, line.amount) for line in after.lines
           if line.category != gone.category and line.product_id is not None}  # fmt: skip
    assert other == now


@given(PLAYBOOKS, st.data())
def test_raising_the_customer_level_never_removes_a_product(
    pb: Playbook, data: st.DataObject
) -> None:
    levels = [lv.id for lv in pb.risk.customer_levels]
    i = data.draw(st.integers(min_value=0, max_value=len(levels) - 2))
    j = data.draw(st.integers(min_value=i + 1, max_value=len(levels) - 1))
    p = data.draw(products(pb, "P1"))

    def allowed(level: str) -> bool:
        ra = {"level": level, "score": 1, "assessed_on": "2026-01-01", "valid_until": "2026-12-31"}
        c = Customer(key="C1", risk_assessment=ra)
        return check_suitability(c, p, pb, as_of=AS_OF, tier=pb.tiers[-1].id).allowed

    assert not allowed(levels[i]) or allowed(levels[j])


@given(cases())
def test_the_ambient_decimal_context_changes_nothing(
    case: tuple[Playbook, Customer, list[Product], Decimal, str],
) -> None:
    pb, customer, catalogue, amount, tier = case
    expected = allocate(customer, amount, catalogue, pb, as_of=AS_OF, tier=tier).to_audit_json()
    with decimal.localcontext() as ctx:
        ctx.prec = 4
        ctx.rounding = decimal.ROUND_FLOOR
        got = allocate(customer, amount, catalogue, pb, as_of=AS_OF, tier=tier).to_audit_json()
    assert got == expected


@st.composite
def sales(draw: st.DrawFn) -> tuple[Playbook, Customer, Product, dt.date]:
    """A customer with any assessment dates, birth date and age answer; a product; a day."""
    pb = draw(PLAYBOOKS)
    as_of = draw(st.dates(dt.date(2024, 1, 1), dt.date(2029, 12, 31)))
    assessed = as_of - dt.timedelta(days=draw(st.integers(-5, 800)))
    until = assessed + dt.timedelta(days=draw(st.integers(0, 1200)))
    level = draw(st.sampled_from([lv.id for lv in pb.risk.customer_levels]))
    age = draw(st.sampled_from([None, "a", "b", "c", "d"]))
    answers = [] if age is None else [{"question_id": "q_age", "option_id": age}]
    born = draw(st.none() | st.dates(dt.date(1930, 1, 1), dt.date(2000, 12, 31)))
    ra = {"level": level, "score": 1, "assessed_on": assessed, "valid_until": until,
          "answers": answers}  # fmt: skip
    customer = Customer(key="C1", risk_assessment=ra, birth_date=born)
    return pb, customer, draw(products(pb, "P1")), as_of


@given(sales())
def test_a_sale_is_allowed_only_within_the_day_s_validity_and_the_day_s_age_cap(
    sale: tuple[Playbook, Customer, Product, dt.date],
) -> None:
    pb, customer, product, as_of = sale
    d = check_suitability(customer, product, pb, as_of=as_of, tier=pb.tiers[-1].id)
    levels = [lv.id for lv in pb.risk.product_levels]
    if product.category in pb.risk.risk_free_categories:
        return  # risk-free, lowest level (the strategy files no other): no assessment needed
    ra = customer.risk_assessment
    assert ra is not None
    # The oracle: 12 calendar months from assessed_on, and whole years of age by the calendar.
    limit = ra.assessed_on + relativedelta(months=pb.risk.validity_months, days=-1)
    valid = ra.assessed_on <= as_of <= min(ra.valid_until, limit)
    by_birth = customer.birth_date is not None and (
        relativedelta(as_of, customer.birth_date).years >= pb.risk.elderly_age
    )
    stated = {"b": 30, "c": 51, "d": 65}.get(ra.answers[0].option_id) if ra.answers else None
    by_answer = stated is not None and (
        stated + relativedelta(as_of, ra.assessed_on).years >= pb.risk.elderly_age
    )
    level = ra.level
    cl = [lv.id for lv in pb.risk.customer_levels]
    cap_level = pb.risk.elderly_max_level
    if (by_birth or by_answer) and cap_level and cl.index(level) > cl.index(cap_level):
        level = cap_level
    row = next(r for r in pb.risk.suitability if r.customer_level == level)
    may = valid and levels.index(product.risk_level) <= levels.index(row.max_product_level)
    assert d.allowed == may
    if d.allowed:
        confirm = (by_birth or by_answer) and "extra_confirmation" in {
            c.value for c in d.conditions
        }
        assert confirm == (by_birth or by_answer)


@st.composite
def counter_sales(draw: st.DrawFn) -> tuple[Playbook, Customer, list[Product], Decimal, str, bool]:
    """A validly assessed customer (maybe elderly) allocating over a bank's catalogue."""
    pb = draw(PLAYBOOKS)
    level = draw(st.sampled_from([lv.id for lv in pb.risk.customer_levels]))
    ra = {"level": level, "score": 1, "assessed_on": "2026-03-01", "valid_until": "2027-02-28"}
    born = draw(st.none() | st.dates(dt.date(1940, 1, 1), dt.date(1990, 12, 31)))
    needs = draw(st.lists(st.sampled_from(["pension", "education", "insurance"]), max_size=2))
    customer = Customer(key="C1", risk_assessment=ra, birth_date=born, needs=needs)
    extra = [draw(products(pb, f"P{i:02d}", misfiled=True)) for i in range(draw(st.integers(0, 4)))]
    amount = Decimal(draw(st.integers(min_value=0, max_value=10**9))).scaleb(-2)
    tier = draw(st.sampled_from([t.id for t in pb.tiers]))
    return pb, customer, [*extra, *synth.catalogue(pb)], amount, tier, draw(st.booleans())


@given(counter_sales())
def test_every_allocated_line_is_a_sale_check_suitability_allows_with_the_same_conditions(
    case: tuple[Playbook, Customer, list[Product], Decimal, str, bool],
) -> None:
    pb, customer, catalogue, amount, tier, in_branch = case
    d = allocate(customer, amount, catalogue, pb, as_of=AS_OF, tier=tier, in_branch=in_branch)
    by_id = {p.id: p for p in catalogue}
    union: set[Condition] = set()
    for line in d.lines:
        if line.product_id is None:
            assert (line.conditions, line.cooling_off_hours) == ((), 0)
            continue
        alone = check_suitability(customer, by_id[line.product_id], pb, as_of=AS_OF, tier=tier,
                                  amount=line.amount, in_branch=in_branch)  # fmt: skip
        assert alone.allowed
        assert (line.conditions, line.cooling_off_hours) == (
            alone.conditions, alone.cooling_off_hours)  # fmt: skip
        union |= set(line.conditions)
    assert d.conditions == tuple(c for c in Condition if c in union)


@given(st.dates(dt.date(1900, 1, 1), dt.date(9000, 12, 31)), st.integers(1, 36))
def test_the_playbook_bound_is_dateutil_s_month_arithmetic(day: dt.date, months: int) -> None:
    from custtier._validity import playbook_until  # private helper

    assert playbook_until(day, months) == day + relativedelta(months=months, days=-1)
