"""Invariants of the tiering engine, checked over generated customers and books."""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from custtier import (
    Customer,
    Movement,
    ParetoCut,
    Playbook,
    assign_tier,
    pareto_set,
    presets,
    tier_book,
)
from custtier.tiering._pareto import pareto_keys
from custtier.tiering._plan import months_before

AS_OF = dt.date(2026, 11, 30)
PLAYBOOKS = st.sampled_from([presets.PRACTICE, presets.REGULATORY])

cents = st.integers(min_value=0, max_value=10**10).map(lambda c: Decimal(c).scaleb(-2))
profits = st.integers(min_value=-(10**7), max_value=10**8).map(lambda c: Decimal(c).scaleb(-2))


def with_adb(
    key: str, adb: Decimal, as_of: dt.date = AS_OF, profit: Decimal = Decimal(0)
) -> Customer:
    months = months_before(as_of, 3)
    return Customer(
        key=key,
        monthly_balances=[{"month": m, "average_daily_balance": adb} for m in months],
        assets_under_management=adb,
        annual_profit_contribution=profit,
    )


@st.composite
def books(draw: st.DrawFn, max_size: int = 30) -> list[Customer]:
    n = draw(st.integers(min_value=0, max_value=max_size))
    return [with_adb(f"C{i:04d}", draw(cents), profit=draw(profits)) for i in range(n)]


def rule_ids(pb: Playbook) -> set[str]:
    ids = {b.rule_id for basis in pb.tiering.bases for b in basis.bands}
    if pb.tiering.pareto:
        ids.add(pb.tiering.pareto.rule_id)
    if pb.tiering.hysteresis:
        ids.add(pb.tiering.hysteresis.rule_id)
    return ids | {"tier.override"}


@given(PLAYBOOKS, cents, cents)
def test_raising_the_basis_never_lowers_the_tier(pb: Playbook, a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    d_low = assign_tier(with_adb("C1", low), pb, as_of=AS_OF)
    d_high = assign_tier(with_adb("C1", high), pb, as_of=AS_OF)
    assert d_low.rank <= d_high.rank


@given(PLAYBOOKS, st.data())
def test_boundaries_minus_a_cent_at_and_plus_a_cent(pb: Playbook, data: st.DataObject) -> None:
    bands = [b for b in pb.tiering.bases[0].bands if b.lower not in (None, Decimal(0))]
    band = data.draw(st.sampled_from(bands))
    assert band.lower is not None
    index = pb.tiering.bases[0].bands.index(band)
    below = pb.tiering.bases[0].bands[index - 1]
    cent = Decimal("0.01")
    assert assign_tier(with_adb("C1", band.lower - cent), pb, as_of=AS_OF).tier == below.tier
    assert assign_tier(with_adb("C1", band.lower), pb, as_of=AS_OF).tier == band.tier
    assert assign_tier(with_adb("C1", band.lower + cent), pb, as_of=AS_OF).tier == band.tier


@given(PLAYBOOKS, books())
def test_every_customer_gets_one_tier_and_a_rule_id_from_the_playbook(
    pb: Playbook, book: list[Customer]
) -> None:
    result = tier_book(book, pb, as_of=AS_OF)
    assert [d.customer_key for d in result.decisions] == sorted(c.key for c in book)
    assert not result.errors
    tiers = {t.id for t in pb.tiers}
    for d in result.decisions:
        assert d.tier in tiers
        assert d.decided_by in rule_ids(pb)
        assert d.reasons


@given(books())
def test_the_pareto_set_reaches_the_share_and_no_smaller_set_does(book: list[Customer]) -> None:
    pb = presets.PRACTICE
    assert pb.tiering.pareto is not None
    share = pb.tiering.pareto.profit_share
    chosen = pareto_set(book, pb)
    positive = sorted((c.annual_profit_contribution for c in book
                       if c.annual_profit_contribution > 0), reverse=True)  # fmt: skip
    total = sum(positive, Decimal(0))
    carried = sum((c.annual_profit_contribution for c in book if c.key in chosen), Decimal(0))
    assert carried >= share * total
    # The k largest profits are the most any k customers can carry: with one
    # fewer member, even the best set falls short.
    best_smaller = sum(positive[: max(len(chosen) - 1, 0)], Decimal(0))
    assert not chosen or best_smaller < share * total


@given(books(max_size=15), st.data())
def test_raising_a_members_profit_never_demotes_them(
    book: list[Customer], data: st.DataObject
) -> None:
    chosen = pareto_set(book, presets.PRACTICE)
    if not chosen:
        return
    key = data.draw(st.sampled_from(sorted(chosen)))
    bump = data.draw(st.integers(min_value=1, max_value=10**9)).__index__()
    raised = [
        c.replace(annual_profit_contribution=c.annual_profit_contribution + Decimal(bump))
        if c.key == key else c
        for c in book
    ]  # fmt: skip
    assert key in pareto_set(raised, presets.PRACTICE)


@given(PLAYBOOKS, st.lists(cents, min_size=2, max_size=14))
def test_hysteresis_never_downgrades_before_the_grace_period(
    pb: Playbook, balances: list[Decimal]
) -> None:
    hyst = pb.tiering.hysteresis
    assert hyst is not None
    previous = None
    below_months = 0
    year, month = 2026, 1
    for adb in balances:
        as_of = dt.date(year, month, 28)
        decision = assign_tier(with_adb("C1", adb, as_of), pb, as_of=as_of, previous=previous)
        if decision.movement is Movement.DOWN:
            assert below_months >= hyst.grace_months
            if hyst.review_months:
                assert as_of.month in hyst.review_months
        below_months = below_months + 1 if decision.below_since is not None else 0
        if decision.movement is Movement.DOWN:
            below_months = 0
        previous = decision
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


@given(PLAYBOOKS, books(), st.randoms(use_true_random=False))
def test_the_book_is_the_same_in_any_order_and_equals_row_by_row(
    pb: Playbook, book: list[Customer], rnd: object
) -> None:
    shuffled = book[:]
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    a = tier_book(book, pb, as_of=AS_OF)
    b = tier_book(shuffled, pb, as_of=AS_OF)
    assert a.model_dump_json() == b.model_dump_json()
    promoted = pareto_set(book, pb)
    for decision, c in zip(a.decisions, sorted(book, key=lambda c: c.key), strict=True):
        alone = assign_tier(c, pb, as_of=AS_OF, in_pareto_set=c.key in promoted)
        assert alone.to_audit_json() == decision.to_audit_json()


@given(PLAYBOOKS, books(), books(max_size=6))
def test_a_service_given_the_nightly_cut_gives_the_book_s_decision_for_every_customer(
    pb: Playbook, book: list[Customer], newcomers: list[Customer]
) -> None:
    last_month = tier_book(book, pb, as_of=AS_OF - dt.timedelta(days=30))
    previous = {d.customer_key: d for d in last_month.decisions}
    known = {c.key for c in book}
    book = book + [c for c in newcomers if c.key not in known]
    nightly = tier_book(book, pb, as_of=AS_OF, previous=previous)
    cut = nightly.pareto_cut
    assert (cut is None) == (pb.tiering.pareto is None)
    shipped = None if cut is None else ParetoCut.model_validate_json(cut.model_dump_json())
    for decision, c in zip(nightly.decisions, sorted(book, key=lambda c: c.key), strict=True):
        service = assign_tier(c, pb, as_of=AS_OF, previous=previous.get(c.key), pareto_cut=shipped)
        assert service == decision


@given(PLAYBOOKS, books(max_size=10))
def test_the_ambient_decimal_context_changes_nothing(pb: Playbook, book: list[Customer]) -> None:
    expected = tier_book(book, pb, as_of=AS_OF).model_dump_json()
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = decimal.ROUND_UP
        assert tier_book(book, pb, as_of=AS_OF).model_dump_json() == expected


@given(
    st.lists(st.tuples(st.integers(0, 50), st.integers(-(10**6), 10**6)), max_size=60,
             unique_by=lambda kp: kp[0]),
    st.sampled_from([Decimal("0.5"), Decimal("0.8"), Decimal("0.95")]),
    st.randoms(use_true_random=False),
)  # fmt: skip
def test_pareto_keys_numpy_and_python_paths_agree_in_any_order(
    rows: list[tuple[int, int]], share: Decimal, rnd: object
) -> None:
    from custtier.tiering import _pareto

    keys = [f"K{k:03d}" for k, _ in rows]
    profits = [p for _, p in rows]
    num, den = share.as_integer_ratio()
    expected = _pareto._python(keys, profits, num, den)
    assert pareto_keys(keys, profits, share) == expected
    shuffled = list(zip(keys, profits, strict=True))
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert pareto_keys([k for k, _ in shuffled], [p for _, p in shuffled], share) == expected
