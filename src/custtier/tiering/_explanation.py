"""The one explanation table: a tier trace (plus its facts) in, reasons out, for both paths.

:func:`entries` says which reasons a decision has, in which order, with
which rule id: a pure function of the trace's key (:class:`TraceKey`),
memoised per plan. The scalar engine renders each entry into a
:class:`Reason` with the facts it quotes (:func:`decision_of`);
``custtier.frames`` asks for the entries once per distinct key in a table
and lays out their codes and rule ids for every row. Neither path orders
reasons by itself, so the two cannot drift apart.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from custtier._deferred import PENDING, raw_set, reads, renders
from custtier._explain import Reason, ReasonCode, construct
from custtier._money import quantize
from custtier.rules import KycItem
from custtier.tiering._bases import months_before
from custtier.tiering._models import TierDecision
from custtier.tiering._plan import OVERRIDE_RULE, TierPlan, kyc_items_of
from custtier.tiering._trace import (
    Completeness,
    HysteresisState,
    OverrideState,
    ParetoState,
    TierTrace,
    TraceKey,
)

__all__ = ["Entry", "decision_of", "entries", "fields_of", "reasons_of", "rendered_decision"]

_OVERRIDE_CODE = {
    OverrideState.IN_FORCE: ReasonCode.TIER_OVERRIDE,
    OverrideState.PENDING: ReasonCode.TIER_OVERRIDE_PENDING,
    OverrideState.EXPIRED: ReasonCode.TIER_OVERRIDE_EXPIRED,
}


class Entry(NamedTuple):
    """One reason of a decision: its code, rule id, the basis it is about (-1: none)."""

    code: ReasonCode
    rule_id: str
    basis: int = -1

    def render(self, trace: TierTrace) -> Reason:
        """This reason with the facts it quotes from ``trace``."""
        return _RENDER[self.code](trace, self)


def entries(plan: TierPlan, key: TraceKey) -> tuple[Entry, ...]:
    """The reasons a trace with ``key`` has, in the engine's order (built once per key)."""
    found = plan.entries.peek(key)
    if found is None:
        found = plan.entries.get(key, lambda: _entries(plan, key))
    return found  # type: ignore[return-value]  # the memo holds only entry tuples


def _entries(plan: TierPlan, key: TraceKey) -> tuple[Entry, ...]:
    pb = plan.playbook
    out: list[Entry] = []
    for i, ((completeness, band), bp) in enumerate(zip(key.bases, plan.bases, strict=True)):
        if completeness != Completeness.COMPLETE:
            out.append(Entry(ReasonCode.BASIS_INCOMPLETE, bp.rule_ids[0], i))
        if completeness != Completeness.UNUSABLE:
            out.append(Entry(ReasonCode.TIER_BAND, bp.rule_ids[band], i))
    if key.pareto == ParetoState.MEMBER and pb.tiering.pareto is not None:
        out.append(Entry(ReasonCode.TIER_PARETO, pb.tiering.pareto.rule_id))
    h = pb.tiering.hysteresis
    if key.hysteresis == HysteresisState.UP:
        # An upgrade cites the rule that placed the customer last.
        out.append(Entry(ReasonCode.TIER_UPGRADE, out[-1].rule_id if out else "tier"))
    elif key.hysteresis == HysteresisState.DOWN_NO_HYSTERESIS:
        out.append(Entry(ReasonCode.TIER_DOWNGRADE, "tier"))
    elif key.hysteresis == HysteresisState.DOWN and h is not None:
        out.append(Entry(ReasonCode.TIER_DOWNGRADE, h.rule_id))
    elif key.hysteresis == HysteresisState.HELD and h is not None:
        out.append(Entry(ReasonCode.TIER_HELD, h.rule_id))
    if key.override != OverrideState.NONE:
        out.append(Entry(_OVERRIDE_CODE[OverrideState(key.override)], OVERRIDE_RULE))
    if key.pareto == ParetoState.NOT_EVALUATED and pb.tiering.pareto is not None:
        out.append(Entry(ReasonCode.TIER_PARETO_NOT_EVALUATED, pb.tiering.pareto.rule_id))
    if key.kyc_gaps:
        out.append(Entry(ReasonCode.KYC_GAP, f"kyc.{plan.tier_ids[key.rank]}"))
    return tuple(out)


_new = object.__new__
_raw_set = raw_set
# The fields every tier decision holds at their class defaults.
_DEFAULT = {
    name: TierDecision.model_fields[name].default
    for name in ("kind", "schema_version", "custtier_version")
}


def decision_of(trace: TierTrace) -> TierDecision:
    """The decision of ``trace``, its outcome set and every other field rendered on first read.

    What :func:`custtier.assign_tier` returns: a caller who routes on the
    outcome never pays for the reasons (:mod:`custtier._deferred`).
    """
    decision = _new(TierDecision)  # :func:`custtier._deferred.deferred`, without its call
    _raw_set(
        decision,
        {
            "customer_key": trace.customer_key,
            "outcome": trace.plan.tier_ids[trace.rank],
            PENDING: trace,
        },
    )
    return decision


def rendered_decision(trace: TierTrace) -> TierDecision:
    """The decision of ``trace`` with every field rendered now (a book reads them all)."""
    return construct(TierDecision, fields_of(trace))


@renders(TierDecision)
def fields_of(trace: TierTrace) -> dict[str, Any]:
    """Every field of the decision of ``trace``, in field order: its reasons rendered."""
    plan = trace.plan
    reasons = reasons_of(trace)
    if not reasons:  # every basis gives a reason: a decision without one is a bug
        raise ValueError("a decision needs at least one reason")
    return {
        "kind": _DEFAULT["kind"],
        "customer_key": trace.customer_key,
        "outcome": plan.tier_ids[trace.rank],
        "reasons": reasons,
        "playbook": plan.ref,
        "schema_version": _DEFAULT["schema_version"],
        "custtier_version": _DEFAULT["custtier_version"],
        "as_of": trace.as_of,
        "rank": trace.rank,
        "rule_tier": plan.tier_ids[trace.rule_rank],
        "decided_by": trace.decided_by,
        "movement": trace.movement,
        "previous_tier": trace.previous_tier,
        "below_since": trace.below_since,
        "held_since": trace.held_since,
        "basis_values": dict(zip(plan.basis_names, [b.value for b in trace.bases], strict=True)),
        "kyc_gaps": gaps_of(trace),
        "manager_id": trace.manager_id,
    }


# What another engine reads of a tier decision it is handed (its kind, its KYC gaps),
# read from the trace: planning a customer's contacts does not render their reasons.
@reads(TierDecision, "kind")
def kind_of(trace: TierTrace) -> str:
    """The decision's kind (a tier decision's is fixed)."""
    return str(_DEFAULT["kind"])


@reads(TierDecision, "kyc_gaps")
def gaps_of(trace: TierTrace) -> tuple[KycItem, ...]:
    """The KYC items the decided tier requires and the customer's file lacks, in the tier's order."""
    return kyc_items_of(trace.plan, trace.rank, trace.kyc_gaps)


def reasons_of(trace: TierTrace) -> tuple[Reason, ...]:
    """Each entry of the trace's key as a :class:`Reason` with the facts it quotes."""
    # Amounts are rounded with custtier's context explicitly (``quantize``).
    return tuple([e.render(trace) for e in entries(trace.plan, trace.key)])


def _band(trace: TierTrace, entry: Entry) -> Reason:
    bp = trace.plan.bases[entry.basis]
    b = trace.bases[entry.basis]
    band = bp.bands[b.band]
    return Reason.of(
        ReasonCode.TIER_BAND,
        entry.rule_id,
        basis=bp.rule.basis.value,
        value=b.value,
        lower=band.lower,
        upper=band.upper,
        window_months=bp.rule.window_months,
    )


def _incomplete(trace: TierTrace, entry: Entry) -> Reason:
    rule = trace.plan.bases[entry.basis].rule
    b = trace.bases[entry.basis]
    window = months_before(trace.as_of, rule.window_months)
    missing = len(window) - b.months_present
    usable = b.completeness != Completeness.UNUSABLE
    policy = rule.missing_months
    return Reason.of(
        ReasonCode.BASIS_INCOMPLETE,
        entry.rule_id,
        case="usable" if usable else "unusable",
        months_missing=missing,
        window_months=len(window),
        months_present=b.months_present,
        months_required=rule.min_months,
        window_start=window[0],
        window_end=window[-1],
        policy=policy.value,
    )


def _pareto(trace: TierTrace, entry: Entry) -> Reason:
    pr = trace.plan.playbook.tiering.pareto
    assert pr is not None  # the entry exists only under a Pareto rule
    return Reason.of(
        ReasonCode.TIER_PARETO,
        entry.rule_id,
        profit=trace.profit,
        profit_share=pr.profit_share,
    )


def _moved(trace: TierTrace, entry: Entry) -> Reason:
    plan = trace.plan
    prev = trace.previous_tier
    if entry.code is ReasonCode.TIER_UPGRADE:
        return Reason.of(
            ReasonCode.TIER_UPGRADE,
            entry.rule_id,
            previous_tier=prev,
        )
    if trace.hysteresis is HysteresisState.DOWN_NO_HYSTERESIS:
        return Reason.of(
            ReasonCode.TIER_DOWNGRADE,
            entry.rule_id,
            case="no_hysteresis",
            previous_tier=prev,
        )
    hyst = plan.playbook.tiering.hysteresis
    h = trace.hold
    # DOWN and HELD exist only under hysteresis, with its facts.
    assert hyst is not None
    assert h is not None
    in_buffer, hold_ends_on, months_below = h.in_buffer, h.hold_ends_on, h.months_below
    # When the buffer's hold ends (or ended), said on every decision inside the buffer.
    hold = {"buffer_hold_ends_on": hold_ends_on} if in_buffer and hold_ends_on else {}
    floor = quantize(h.floor, plan.playbook.currency, plan.playbook.rounding)
    if entry.code is ReasonCode.TIER_DOWNGRADE:
        return Reason.of(
            ReasonCode.TIER_DOWNGRADE,
            entry.rule_id,
            case="hold_ended" if in_buffer else "below_floor",
            months_below=months_below,
            buffer=hyst.buffer,
            previous_tier=prev,
            bar=h.bar,
            floor=floor,
            below_since=h.below_since,
            grace_months=hyst.grace_months,
            **hold,
        )
    return Reason.of(
        ReasonCode.TIER_HELD,
        entry.rule_id,
        case=_held_case(
            h.below_since, hold_ends_on, months_below, hyst.grace_months, in_buffer=in_buffer
        ),
        months_below=months_below,
        previous_tier=prev,
        rules_tier=plan.tier_ids[trace.rule_rank],
        bar=h.bar,
        floor=floor,
        below_since=h.below_since,
        grace_months=hyst.grace_months,
        **hold,
    )


def _held_case(
    below_since: object, hold_ends_on: object, months_below: int, grace: int, *, in_buffer: bool
) -> str:
    """Which wording of TIER_HELD applies: inside the buffer, in grace, or awaiting review."""
    if below_since is None:
        return "buffer" if hold_ends_on is None else "buffer_until"
    if months_below < grace:
        return "grace_hold_ended" if in_buffer else "grace"
    return "review"


def _override(trace: TierTrace, entry: Entry) -> Reason:
    override = trace.override_given
    assert override is not None  # an override state other than NONE comes with one
    if entry.code is ReasonCode.TIER_OVERRIDE:
        return Reason.of(
            ReasonCode.TIER_OVERRIDE,
            entry.rule_id,
            # The operator's free text stays with the override: a
            # decision carries the author and an opaque reference only.
            reference=override.reference,
            set_by=override.set_by,
            set_on=override.set_on,
            expires_on=override.expires_on,
            tier=override.tier,
        )
    return Reason.of(
        entry.code,
        entry.rule_id,
        set_on=override.set_on,
        expires_on=override.expires_on,
        tier=override.tier,
    )


def _pareto_not_evaluated(plan: TierPlan) -> Reason:
    rule = plan.playbook.tiering.pareto
    assert rule is not None
    return plan.reasons.get(
        ReasonCode.TIER_PARETO_NOT_EVALUATED,
        lambda: Reason.of(
            ReasonCode.TIER_PARETO_NOT_EVALUATED,
            rule.rule_id,
            tier=rule.tier,
            profit_share=rule.profit_share,
        ),
    )


def _kyc_gap(trace: TierTrace, entry: Entry) -> Reason:
    plan = trace.plan
    rank, mask = trace.rank, trace.kyc_gaps

    def build() -> Reason:
        tier = plan.tier_ids[rank]
        gaps = [g.value for g in kyc_items_of(plan, rank, mask)]
        return Reason.of(
            ReasonCode.KYC_GAP,
            entry.rule_id,
            tier=tier,
            missing=",".join(gaps),
        )

    return plan.reasons.peek((rank, mask)) or plan.reasons.get((rank, mask), build)


#: How each code's reason is rendered from a trace (a test walks ReasonCode's tiering codes).
_RENDER = {
    ReasonCode.TIER_BAND: _band,
    ReasonCode.BASIS_INCOMPLETE: _incomplete,
    ReasonCode.TIER_PARETO: _pareto,
    ReasonCode.TIER_UPGRADE: _moved,
    ReasonCode.TIER_DOWNGRADE: _moved,
    ReasonCode.TIER_HELD: _moved,
    ReasonCode.TIER_OVERRIDE: _override,
    ReasonCode.TIER_OVERRIDE_PENDING: _override,
    ReasonCode.TIER_OVERRIDE_EXPIRED: _override,
    ReasonCode.TIER_PARETO_NOT_EVALUATED: lambda trace, _: _pareto_not_evaluated(trace.plan),
    ReasonCode.KYC_GAP: _kyc_gap,
}
