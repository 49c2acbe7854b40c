"""simulate: two playbooks on one book; the properties a policy committee relies on."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import strategies as cst
from custtier import (
    Customer,
    Playbook,
    PolicyImpact,
    check_suitability,
    presets,
    simulate,
    synth,
    tier_services,
)
from custtier.tiering import tier_book

AS_OF = dt.date(2026, 11, 30)
_DATA = {p.id: cst.playbook_data(p) for p in presets.ALL.values()}


def _book(pb: Playbook, seed: int, n: int = 40) -> list[Any]:
    records: list[Any] = list(synth.book(n, seed=seed, as_of=AS_OF, playbook=pb).customers)
    # Records neither side can decide: a float amount and a duplicated key.
    records.append({"key": "BAD1", "assets_under_management": 1.5})
    records += [{"key": "DUP"}, {"key": "DUP"}]
    return records


def _cases() -> st.SearchStrategy[tuple[Playbook, Playbook, int]]:
    return st.sampled_from(list(presets.ALL.values())).flatmap(
        lambda p: st.tuples(
            st.just(p),
            cst.playbook_mutations(_DATA[p.id]).map(lambda m: Playbook.model_validate(m.data)),
            st.integers(0, 10_000),
        )
    )


@settings(max_examples=8, deadline=None)
@given(st.sampled_from(list(presets.ALL.values())), st.integers(0, 10_000))
def test_a_playbook_against_itself_changes_nothing(pb: Playbook, seed: int) -> None:
    book = _book(pb, seed)
    impact = simulate(book, pb, pb, as_of=AS_OF, catalogue=synth.catalogue(pb))
    assert impact.unchanged
    assert impact.changes == ()
    assert all(c.customers == 0 for c in impact.matrix if c.from_tier != c.to_tier)
    assert sum(c.customers for c in impact.matrix) == impact.decided


@settings(max_examples=12, deadline=None)
@given(_cases())
def test_the_matrix_sums_to_each_sides_tier_counts(case: tuple[Playbook, Playbook, int]) -> None:
    current, proposed, seed = case
    book = _book(current, seed)
    impact = simulate(book, current, proposed, as_of=AS_OF)
    by_key = {r.key: r for r in book if isinstance(r, Customer)}
    decided = {m for m in by_key if m not in {e.customer_key for e in impact.errors}}
    for side, pb, index in (("from", current, 0), ("to", proposed, 1)):
        tiers = {d.customer_key: d.tier for d in tier_book(book, pb, as_of=AS_OF).decisions}
        want_n: Counter[str] = Counter()
        want_aum: dict[str, Decimal] = {}
        want_profit: dict[str, Decimal] = {}
        for k in decided:
            t = tiers[k]
            want_n[t] += 1
            want_aum[t] = want_aum.get(t, Decimal(0)) + by_key[k].assets_under_management
            want_profit[t] = want_profit.get(t, Decimal(0)) + by_key[k].annual_profit_contribution
        for t in impact.tiers:
            cells = [c for c in impact.matrix if (c.from_tier, c.to_tier)[index] == t]
            assert sum(c.customers for c in cells) == want_n[t], (side, t)
            assert sum(c.aum for c in cells) == want_aum.get(t, Decimal(0)), (side, t)
            assert sum(c.profit for c in cells) == want_profit.get(t, Decimal(0)), (side, t)


@settings(max_examples=12, deadline=None)
@given(_cases())
def test_every_customer_appears_exactly_once(case: tuple[Playbook, Playbook, int]) -> None:
    current, proposed, seed = case
    book = _book(current, seed)
    impact = simulate(book, current, proposed, as_of=AS_OF)
    assert impact.decided + len(impact.errors) == len(book)
    assert sorted(e.index for e in impact.errors) == [len(book) - 3, len(book) - 2, len(book) - 1]
    moved = [m.customer_key for m in impact.moved]
    assert moved == sorted(set(moved))
    assert all(m.current.tier != m.proposed.tier for m in impact.moved)
    off_diagonal = sum(c.customers for c in impact.matrix if c.from_tier != c.to_tier)
    assert off_diagonal == len(impact.moved)
    again = simulate(list(reversed(book)), current, proposed, as_of=AS_OF)
    for name in type(impact).model_fields:  # error indexes follow input order; nothing else does
        if name != "errors":
            assert getattr(impact, name) == getattr(again, name), name


def _brute_force(
    book: list[Any], current: Playbook, proposed: Playbook, catalogue: Any
) -> set[tuple[str, str, bool]]:
    """Every product checked for every customer under both sides: what the skip must equal."""
    old = {d.customer_key: d.tier for d in tier_book(book, current, as_of=AS_OF).decisions}
    new = {d.customer_key: d.tier for d in tier_book(book, proposed, as_of=AS_OF).decisions}
    out = set()
    for c in book:
        if not isinstance(c, Customer) or c.key not in old or c.key not in new:
            continue
        for p in catalogue:
            a = check_suitability(c, p, current, as_of=AS_OF, tier=old[c.key]).allowed
            b = check_suitability(c, p, proposed, as_of=AS_OF, tier=new[c.key]).allowed
            if a != b:
                out.add((c.key, p.id, b))
    return out


@settings(max_examples=6, deadline=None)
@given(_cases())
def test_eligibility_skips_only_checks_that_cannot_differ(
    case: tuple[Playbook, Playbook, int],
) -> None:
    current, proposed, seed = case
    book = _book(current, seed, n=25)
    catalogue = synth.catalogue(current)
    impact = simulate(book, current, proposed, as_of=AS_OF, catalogue=catalogue)
    got = {(e.customer_key, e.product_id, e.gained) for e in impact.eligibility}
    assert got == _brute_force(book, current, proposed, catalogue)


def test_a_tighter_suitability_matrix_reaches_customers_whose_tier_stays() -> None:
    data = cst.playbook_data(presets.PRACTICE)
    data["version"] = "1.3.0"
    data["risk"]["suitability"][2]["max_product_level"] = "medium"  # aggressive: no more "high"
    proposed = Playbook.model_validate(data)
    book = _book(presets.PRACTICE, 5, n=200)
    catalogue = synth.catalogue(presets.PRACTICE)
    impact = simulate(book, presets.PRACTICE, proposed, as_of=AS_OF, catalogue=catalogue)
    assert impact.moved == ()
    assert impact.eligibility  # the synthetic book has aggressive customers
    assert all(not e.gained for e in impact.eligibility)
    assert all(e.current.allowed and not e.proposed.allowed for e in impact.eligibility)
    got = {(e.customer_key, e.product_id, e.gained) for e in impact.eligibility}
    assert got == _brute_force(book, presets.PRACTICE, proposed, catalogue)


def test_the_display_is_bounded_and_names_both_playbooks() -> None:
    data = cst.playbook_data(presets.PRACTICE)
    data["tiering"]["bases"][0]["bands"][1]["upper"] = "600000"
    data["tiering"]["bases"][0]["bands"][2]["lower"] = "600000"
    data["version"] = "2.0.0"
    proposed = Playbook.model_validate(data)
    impact = simulate(_book(presets.PRACTICE, 3, n=300), presets.PRACTICE, proposed, as_of=AS_OF)
    assert isinstance(impact, PolicyImpact)
    assert repr(impact).startswith("<PolicyImpact: practice v1.2.0 -> practice v2.0.0")
    html = impact._repr_html_()
    assert "tier.adb.high_end" in html
    assert len(html) < 10_000


def test_manager_load_per_week_is_each_sides_own_plan() -> None:
    from custtier import plan_contacts

    data = cst.playbook_data(presets.PRACTICE)
    data["version"] = "1.3.0"
    data["tiering"]["bases"][0]["bands"][1]["upper"] = "600000"
    data["tiering"]["bases"][0]["bands"][2]["lower"] = "600000"
    proposed = Playbook.model_validate(data)
    sample = synth.book(800, seed=16, as_of=AS_OF)
    horizon = (dt.date(2026, 12, 1), dt.date(2027, 11, 30))  # a year: every periodic rule fires
    same = simulate(
        sample.customers, proposed, proposed, as_of=AS_OF, plan=horizon, managers=sample.managers
    )
    assert same.load
    assert all(w.current_minutes == w.proposed_minutes for w in same.load)
    impact = simulate(
        sample.customers,
        presets.PRACTICE,
        proposed,
        as_of=AS_OF,
        plan=horizon,
        managers=sample.managers,
    )
    assert impact.moved  # or the load could not differ
    for pb, minutes in (
        (presets.PRACTICE, {(w.manager_id, w.week): w.current_minutes for w in impact.load}),
        (proposed, {(w.manager_id, w.week): w.proposed_minutes for w in impact.load}),
    ):
        tiers = {d.customer_key: d for d in tier_book(sample.customers, pb, as_of=AS_OF).decisions}
        plan = plan_contacts(
            sample.customers,
            pb,
            start=horizon[0],
            end=horizon[1],
            tiers=tiers,
            managers=sample.managers,
        )
        want = {(w.manager_id, w.week): w.booked_minutes for w in plan.load}
        assert {k: v for k, v in minutes.items() if v} == {k: v for k, v in want.items() if v}
    # Four high-end customers become mid-end: their managers' year gets lighter.
    assert sum(w.current_minutes for w in impact.load) > sum(
        w.proposed_minutes for w in impact.load
    )


def test_a_proposal_without_a_tier_lists_last_months_customers_of_it_as_errors() -> None:
    # From the regulatory preset's four tiers to the practice's three: last month's
    # private-banking customers cannot be held by hysteresis in a tier that is gone.
    book = synth.book(2000, seed=4, as_of=AS_OF, playbook=presets.REGULATORY).customers
    previous = tier_book(book, presets.REGULATORY, as_of=dt.date(2026, 10, 31)).decisions
    private = {d.customer_key for d in previous if d.tier == "private_banking"}
    assert private
    impact = simulate(book, presets.REGULATORY, presets.PRACTICE, as_of=AS_OF, previous=previous)
    assert {e.customer_key for e in impact.errors} == private
    assert all(e.current is None and e.proposed is not None for e in impact.errors)
    assert {(e.proposed.code, e.proposed.field) for e in impact.errors if e.proposed} == {
        ("unknown_previous_tier", "previous.outcome")  # as tier_book records it
    }
    assert impact.decided + len(impact.errors) == len(book)


def test_progress_counts_both_sides_and_ends_at_twice_the_book() -> None:
    seen: list[tuple[int, int]] = []
    book = _book(presets.PRACTICE, 1, n=300)
    simulate(
        book,
        presets.PRACTICE,
        presets.PRACTICE,
        as_of=AS_OF,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen[-1] == (2 * len(book), 2 * len(book))
    assert {t for _, t in seen} == {2 * len(book)}
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert any(d <= len(book) for d, _ in seen[:-1])  # the current side reports first


def _priced(pb: Playbook, costs: list[str | None]) -> Playbook:
    """``pb`` with each service's annual cost from ``costs`` (cycled), version bumped."""
    data = cst.playbook_data(pb)
    for i, service in enumerate(data["services"]):
        cost = costs[i % len(costs)]
        if cost is not None:
            service["annual_cost"] = cost
    data["version"] = f"{data['version']}-priced"
    return Playbook.model_validate(data)


_COSTS = st.lists(
    st.one_of(st.none(), st.sampled_from(["0", "120", "899.50", "12000"])), min_size=1
)


@settings(max_examples=10, deadline=None, phases=[Phase.generate])
@given(_cases(), _COSTS, _COSTS)
def test_service_totals_count_each_sides_entitled_customers_and_price_them(
    case: tuple[Playbook, Playbook, int], old_costs: list[str | None], new_costs: list[str | None]
) -> None:
    current, proposed, seed = case
    current, proposed = _priced(current, old_costs), _priced(proposed, new_costs)
    book = _book(current, seed)
    impact = simulate(book, current, proposed, as_of=AS_OF)
    failed = {e.customer_key for e in impact.errors}
    for pb, side, totals in (
        (
            current,
            0,
            {
                t.service_id: (t.current_customers, t.current_cost, t.current_total)
                for t in impact.service_totals
            },
        ),
        (
            proposed,
            1,
            {
                t.service_id: (t.proposed_customers, t.proposed_cost, t.proposed_total)
                for t in impact.service_totals
            },
        ),
    ):
        tiers = {d.customer_key: d.tier for d in tier_book(book, pb, as_of=AS_OF).decisions}
        decided = [k for k in tiers if k not in failed]
        for s in pb.services:
            n = sum(
                1 for k in decided if s.id in tier_services(k, tiers[k], pb, as_of=AS_OF).services
            )
            want_total = None if s.annual_cost is None else s.annual_cost * n
            assert totals[s.id] == (n, s.annual_cost, want_total), (side, s.id)
    # Per customer: the cost of what is gained minus what is lost, where every one is priced.
    old_cost = {s.id: s.annual_cost for s in current.services}
    new_cost = {s.id: s.annual_cost for s in proposed.services}
    for change in impact.services:
        prices = [new_cost[s] for s in change.gained] + [old_cost[s] for s in change.lost]
        if any(p is None for p in prices) or current.currency != proposed.currency:
            assert change.cost_change is None
        else:
            gained = sum((new_cost[s] or Decimal(0) for s in change.gained), Decimal(0))
            lost = sum((old_cost[s] or Decimal(0) for s in change.lost), Decimal(0))
            assert change.cost_change == gained - lost


def test_a_cheaper_wealth_bar_shows_what_the_high_end_services_cost_the_bank() -> None:
    data = cst.playbook_data(presets.PRACTICE)
    for service in data["services"]:
        if service["id"] == "airport_service":
            service["annual_cost"] = "1800"  # a bank's own figure, not the practice's
    current = Playbook.model_validate({**data, "version": "1.2.0-priced"})
    bands = data["tiering"]["bases"][0]["bands"]
    bands[1]["upper"] = bands[2]["lower"] = "600000"
    proposed = Playbook.model_validate({**data, "version": "1.3.0-priced"})
    impact = simulate(_book(current, 3, n=2000), current, proposed, as_of=AS_OF)
    airport = next(t for t in impact.service_totals if t.service_id == "airport_service")
    moved_out = impact.cell("high_end", "mid_end").customers
    assert moved_out > 0
    assert airport.current_customers - airport.proposed_customers == moved_out
    assert airport.current_total is not None
    assert airport.proposed_total is not None
    assert airport.current_total - airport.proposed_total == Decimal(1800) * moved_out
    lounge = [s for s in impact.services if "airport_service" in s.lost]
    assert len(lounge) == moved_out
    assert all(s.cost_change is None for s in lounge)  # the other high-end services state no cost
    html = impact._repr_html_()
    assert "airport_service" in html
