"""The compiled tiering plan, the basis registry, the trace and the one explanation table."""

from __future__ import annotations

import datetime as dt
import decimal
import inspect
from decimal import Decimal
from enum import IntEnum

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

import strategies as cst
from custtier import Customer, Playbook, ReasonCode, TierDecision, presets, trace_tier
from custtier.models import Customer as CustomerModel
from custtier.rules import Basis, KycItem
from custtier.suitability._trace import AmountCheck, LevelStep
from custtier.tiering import (
    Completeness,
    HysteresisState,
    Movement,
    OverrideState,
    ParetoState,
    tier_book,
)
from custtier.tiering._assign import _by_rules, first_trace, trace
from custtier.tiering._bases import BASES
from custtier.tiering._explanation import _RENDER, entries
from custtier.tiering._plan import tier_plan
from custtier.tiering._trace import MOVEMENT_OF, BasisTrace, TierTrace, TraceKey

AS_OF = dt.date(2026, 11, 30)

#: The reason codes a tier decision can carry (upgrade signals belong to candidates).
TIER_CODES = {c for c in ReasonCode if c.name.startswith(("TIER_", "BASIS_", "KYC_"))}


# --------------------------------------------------------------------------- registries


@pytest.mark.parametrize("basis", list(Basis))
def test_every_basis_has_both_halves_in_the_registry(basis: Basis) -> None:
    """A new Basis member fails here until it has a scalar and a columnar evaluation."""
    kind = BASES.get(basis)
    assert kind is not None, f"{basis} has no entry in custtier.tiering._bases.BASES"
    assert kind.basis is basis
    assert set(kind.fields) <= set(CustomerModel.model_fields), kind.fields
    assert callable(kind.scalar)
    assert list(inspect.signature(kind.scalar).parameters) == ["customer", "bp", "pb", "as_of"]
    pytest.importorskip("numpy", reason='the columnar half needs "custtier[frames]"')
    import custtier.frames as cf  # optional extra

    assert kind.column in cf.TIER_INPUT_COLUMNS, f"{kind.column} is not a tier_table input column"
    assert callable(kind.columnar())


def test_every_tier_reason_code_has_a_renderer_in_the_explanation_table() -> None:
    assert set(_RENDER) == TIER_CODES - {ReasonCode.UPGRADE_SIGNAL}


def test_every_hysteresis_state_has_a_movement() -> None:
    assert set(MOVEMENT_OF) == set(HysteresisState)


@pytest.mark.parametrize(
    "enum", [Completeness, ParetoState, HysteresisState, OverrideState, LevelStep, AmountCheck]
)
def test_trace_codes_hash_as_the_ints_they_equal(enum: type[IntEnum]) -> None:
    """Scalar keys (enums) and columnar keys (ints from numpy) find the same table entry."""
    for member in enum:
        assert hash(member) == hash(int(member))
        assert {int(member): 1}[member] == 1


# --------------------------------------------------------------------------- the plan


def test_the_plan_is_built_once_per_playbook_and_holds_both_forms_of_each_edge() -> None:
    pb = presets.PRACTICE
    plan = tier_plan(pb)
    assert tier_plan(pb) is plan
    for bp in plan.bases:
        for band, lower, minor in zip(bp.bands, bp.lowers, bp.lowers_minor, strict=True):
            if band.lower is None:
                assert minor is None
                assert lower == Decimal("-Infinity")
            else:
                assert minor is not None
                assert Decimal(minor).scaleb(-plan.scale) == band.lower
    # A tier's KYC mask has exactly its required items' bits.
    for tier, mask in zip(pb.tiers, plan.kyc_masks, strict=True):
        held = [item for i, item in enumerate(KycItem) if mask >> i & 1]
        assert held == sorted(tier.kyc_requires, key=list(KycItem).index)


@given(cst.playbooks())
@example(presets.PRACTICE)
def test_hysteresis_floors_are_the_bar_less_the_buffer_rounded_up_in_minor_units(
    pb: Playbook,
) -> None:
    # Rounded up, never to nearest: a balance a fraction of a cent below the
    # floor is below it (generated buffers leave such fractions).
    hyst = pb.tiering.hysteresis
    assume(hyst is not None)
    assert hyst is not None
    plan = tier_plan(pb)
    for bp in plan.bases:
        for bar, floor, minor in zip(bp.bars, bp.floors, bp.floors_minor, strict=True):
            if bar is None:
                assert floor is None
                assert minor is None
                continue
            assert floor == bar * (1 - hyst.buffer)
            assert minor is not None
            assert (
                Decimal(minor - 1).scaleb(-plan.scale) < floor <= Decimal(minor).scaleb(-plan.scale)
            )


@given(cst.playbooks(), st.data())
def test_a_first_decision_takes_the_rules_tier_by_the_general_path_too(
    pb: Playbook, data: st.DataObject
) -> None:
    """``first_trace`` (one basis decides alone; bands by ``edges``) = ``_by_rules`` + ``band_for``."""
    plan = tier_plan(pb)
    customers = data.draw(st.lists(cst.customers(pb.currency), min_size=1, max_size=5))
    pareto = data.draw(st.sampled_from([None, True, False]))
    for c in customers:
        fast = first_trace(c, plan, AS_OF, pareto)
        bases, state, rank, rule = _by_rules(c, plan, AS_OF, pareto)
        assert (fast.bases, fast.pareto, fast.rule_rank, fast.decided_by) == (
            bases,
            state,
            rank,
            rule,
        )
        assert fast == trace(c, plan, as_of=AS_OF, previous=None, override=None, pareto=pareto)
        assert type(fast) is TierTrace
        assert all(type(b) is BasisTrace for b in fast.bases)
    # A band is the half-open [lower, upper) that holds the value, on and beside every bar.
    for bp in plan.bases:
        for i, band in enumerate(bp.bands):
            if band.lower is not None:
                assert bp.band_for(band.lower) == i
                assert bp.band_for(band.lower - Decimal("0.001")) == max(i - 1, 0)
            if band.upper is not None:
                assert bp.band_for(band.upper - Decimal("0.001")) == i


# --------------------------------------------------------------------------- trace = decision


@given(cst.playbooks(), st.data())
def test_a_trace_renders_the_decision_assign_tier_makes(pb: Playbook, data: st.DataObject) -> None:
    """Reasons are a function of the trace: rendered later, they are exactly the engine's."""
    customers = data.draw(
        st.lists(cst.customers(pb.currency), min_size=1, max_size=5, unique_by=lambda c: c.key)
    )
    book = tier_book(customers, pb, as_of=AS_OF)
    assert not book.errors
    later = AS_OF + dt.timedelta(days=data.draw(st.integers(0, 800)))
    cut = book.pareto_cut
    for d in book.decisions:
        c = next(c for c in customers if c.key == d.customer_key)
        t = trace_tier(c, pb, as_of=later, previous=d, pareto_cut=cut)
        decision = t.decision()
        assert decision == _assign(c, pb, later, d, cut)
        assert t.tier == decision.outcome
        assert t.movement is decision.movement
        found = entries(tier_plan(pb), t.key)
        assert [(e.code, e.rule_id) for e in found] == [
            (r.code, r.rule_id) for r in decision.reasons
        ]


def _assign(c: Customer, pb: Playbook, as_of: dt.date, prev: TierDecision, cut: object) -> object:
    from custtier import assign_tier  # the public entry, beside the trace

    return assign_tier(c, pb, as_of=as_of, previous=prev, pareto_cut=cut)  # type: ignore[arg-type]


def test_a_trace_says_how_without_any_message() -> None:
    pb = presets.PRACTICE
    c = Customer(
        key="C1",
        monthly_balances=[
            {"month": m, "average_daily_balance": "520000.00"} for m in ("2026-09", "2026-10")
        ],
    )
    t = trace_tier(c, pb, as_of=AS_OF)
    assert t.tier == "high_end"
    assert t.bases[0].completeness is Completeness.AVERAGED
    assert t.bases[0].months_present == 2
    assert t.pareto is ParetoState.NOT_EVALUATED
    assert t.hysteresis is HysteresisState.NEW
    assert t.override is OverrideState.NONE
    assert t.movement is Movement.NEW
    assert t.kyc_gaps  # a bare record lacks what the top tier's file requires
    assert "TierPlan" not in repr(t)  # the plan is not dumped into a notebook
    bare = trace_tier(Customer(key="C1"), pb, as_of=AS_OF)
    assert repr(bare) == (
        "TierTrace(tier='mass', customer_key='C1', as_of=datetime.date(2026, 11, 30), rank=0, "
        "pareto=<ParetoState.NOT_EVALUATED: 3>, hysteresis=<HysteresisState.NEW: 0>, "
        "override=<OverrideState.NONE: 0>, bases=(BasisTrace(value=None, "
        "completeness=<Completeness.UNUSABLE: 2>, band=0, months_present=0),))"
    )
    codes = [r.code for r in t.decision().reasons]
    assert codes == [
        ReasonCode.BASIS_INCOMPLETE,
        ReasonCode.TIER_BAND,
        ReasonCode.TIER_PARETO_NOT_EVALUATED,
        ReasonCode.KYC_GAP,
    ]


def test_the_explanation_table_orders_reasons_as_documented() -> None:
    """Bases (incomplete, band), Pareto, movement, override, Pareto not evaluated, KYC."""
    pb = presets.PRACTICE
    plan = tier_plan(pb)
    key = TraceKey(
        bases=((Completeness.AVERAGED, 2),),
        pareto=ParetoState.MEMBER,
        hysteresis=HysteresisState.UP,
        override=OverrideState.EXPIRED,
        rank=2,
        kyc_gaps=1,
    )
    found = entries(plan, key)
    assert [e.code for e in found] == [
        ReasonCode.BASIS_INCOMPLETE,
        ReasonCode.TIER_BAND,
        ReasonCode.TIER_PARETO,
        ReasonCode.TIER_UPGRADE,
        ReasonCode.TIER_OVERRIDE_EXPIRED,
        ReasonCode.KYC_GAP,
    ]
    # An upgrade cites the rule that placed the customer last: here the Pareto rule.
    assert found[3].rule_id == found[2].rule_id
    # The same key as plain ints (what the columnar path finds) gives the same entries.
    assert entries(plan, TraceKey(((1, 2),), 2, 2, 3, 2, 1)) is found  # type: ignore[arg-type]


@given(cst.playbooks(), st.data())
def test_a_hostile_ambient_decimal_context_changes_no_trace_or_reason(
    pb: Playbook, data: st.DataObject
) -> None:
    """``trace_tier`` enters no context: its arithmetic names custtier's context itself."""
    customers = data.draw(
        st.lists(cst.customers(pb.currency), min_size=1, max_size=4, unique_by=lambda c: c.key)
    )
    book = tier_book(customers, pb, as_of=AS_OF)
    later = AS_OF + dt.timedelta(days=data.draw(st.integers(0, 400)))
    expected = [
        trace_tier(c, pb, as_of=later, previous=d, pareto_cut=book.pareto_cut).decision()
        for c, d in zip(sorted(customers, key=lambda c: c.key), book.decisions, strict=True)
    ]
    with decimal.localcontext(decimal.Context(prec=3, rounding=decimal.ROUND_DOWN)):
        hostile = [
            trace_tier(c, pb, as_of=later, previous=d, pareto_cut=book.pareto_cut).decision()
            for c, d in zip(sorted(customers, key=lambda c: c.key), book.decisions, strict=True)
        ]
    assert [d.to_audit_json() for d in hostile] == [d.to_audit_json() for d in expected]
