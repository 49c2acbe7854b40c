"""The worklist's items for one manager's customers, before they are ranked and fitted to days.

Contacts come from the contact plan; risk expiries, maturities, KYC gaps and
upgrade candidates from the customer's records and the tier decisions. A
risk re-assessment or maturity the plan holds a contact for becomes that
contact (its day, channel, time and minutes); otherwise the item gets the
first channel of the playbook's ``worklist.channels`` the customer allows
for its purpose (the planner's consent rule), or is carried over blocked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from custtier._explain import Reason, ReasonCode
from custtier._validity import effective_until
from custtier.cadence import Touchpoint, Unscheduled
from custtier.cadence._consent import first_allowed
from custtier.models import Customer, Product
from custtier.models._types import Channel, Purpose
from custtier.rules import KycItem, Occasion, Owner, Playbook, WorkKind
from custtier.rules._cadence import GREETINGS
from custtier.suitability import allocate
from custtier.tiering import TierDecision, UpgradeCandidate
from custtier.worklist._models import ReinvestOption

__all__ = ["Draft", "drafts"]


@dataclass(slots=True)
class Draft:
    """An item being built: what the ranker and the day-fitter read, then a :class:`WorkItem`."""

    key: str
    tier: str
    tier_rank: int
    kind: WorkKind
    rule_id: str
    label: str
    purpose: Purpose
    available_on: dt.date
    due_on: dt.date | None
    minutes: int
    channel: Channel | None
    reasons: list[Reason]
    at: dt.datetime | None = None
    planned_on: dt.date | None = None  # the planner's day, for a contact (caps were checked there)
    fixed: bool = False  # a greeting: the planner's day is the day itself
    blocked: ReasonCode | None = None
    amount: Decimal | None = None
    score: int | None = None
    blocks: int | None = None  # the lowest kyc_blocks rank among a KYC gap's items
    kyc_items: tuple[KycItem, ...] = ()
    options: tuple[ReinvestOption, ...] = ()
    notes: list[Reason] = field(default_factory=list)  # added while fitting to days


_PLANNED = {Occasion.RISK_REASSESSMENT: WorkKind.RISK_EXPIRY}

# The purpose of an item no contact carries: duties are regulatory (as the
# planner's review and maturity rules), the file is service, an approach
# with an offer in mind is marketing (so do-not-contact binds it).
_PURPOSE = {
    WorkKind.RISK_EXPIRY: Purpose.REGULATORY,
    WorkKind.MATURITY: Purpose.REGULATORY,
    WorkKind.KYC_GAP: Purpose.SERVICE,
    WorkKind.UPGRADE_CANDIDATE: Purpose.MARKETING,
}


def drafts(
    customers: Sequence[Customer],
    playbook: Playbook,
    *,
    decisions: Mapping[str, TierDecision],
    candidates: Mapping[str, UpgradeCandidate],
    plan: tuple[Iterable[Touchpoint], Iterable[Unscheduled]],
    catalogue: Sequence[Product],
    on: dt.date,
    end: dt.date,
) -> list[Draft]:
    """Every item for ``customers`` (one manager's) over ``[on, end]``; ``plan`` is theirs."""
    by_key = {c.key: c for c in customers}
    out, risk_tp, maturity_tp = _from_plan(plan, by_key, decisions, on)
    for c in customers:
        d = decisions[c.key]
        risk = _risk(c, d, playbook, risk_tp.get(c.key), on=on, end=end)
        if risk is not None:
            out.append(risk)
        for h in sorted(c.products_held, key=lambda h: (h.product_id, h.matures_on or on)):
            tp = maturity_tp.get((c.key, f"maturity {h.product_id}", h.matures_on))
            if h.matures_on is not None and on <= h.matures_on and (h.matures_on <= end or tp):
                holding = (h.product_id, h.principal, h.matures_on)
                out.append(_maturity(c, d, holding, tp, playbook, catalogue, on))
        gap = _kyc(c, d, playbook, on, skip_risk=risk is not None)
        if gap is not None:
            out.append(gap)
        if c.key in candidates:
            out.append(_candidate(c, d, candidates[c.key], playbook, on))
    return out


#: A contact of the plan that a risk-expiry or maturity item is (placed, or why not).
Planned = Touchpoint | Unscheduled


def _from_plan(
    plan: tuple[Iterable[Touchpoint], Iterable[Unscheduled]],
    by_key: Mapping[str, Customer],
    decisions: Mapping[str, TierDecision],
    on: dt.date,
) -> tuple[list[Draft], dict[str, Planned], dict[tuple[str, str, dt.date | None], Planned]]:
    """The manager's contacts; re-assessment and maturity contacts kept for their items."""
    out: list[Draft] = []
    risk: dict[str, Planned] = {}
    maturity: dict[tuple[str, str, dt.date | None], Planned] = {}
    touchpoints, unscheduled = plan
    contacts: list[Planned] = [*touchpoints, *unscheduled]
    for c in contacts:
        if c.owner is not Owner.MANAGER or c.customer_key not in by_key:
            continue
        if c.occasion is Occasion.RISK_REASSESSMENT:
            risk.setdefault(c.customer_key, c)
        elif c.occasion is Occasion.PRODUCT_MATURITY:
            maturity.setdefault((c.customer_key, c.label, c.due_on), c)
        elif isinstance(c, Touchpoint):
            out.append(_contact(c, decisions[c.customer_key]))
        else:
            out.append(_unplaced(c, decisions[c.customer_key], on))
    return out, risk, maturity


def _contact(tp: Touchpoint, d: TierDecision) -> Draft:
    return Draft(
        key=tp.customer_key,
        tier=tp.tier,
        tier_rank=d.rank,
        kind=WorkKind.CONTACT,
        rule_id=tp.rule_id,
        label=tp.label,
        purpose=tp.purpose,
        available_on=tp.on,
        due_on=tp.due_on or tp.on,
        minutes=tp.duration_minutes,
        channel=tp.channel,
        reasons=list(tp.reasons),
        at=tp.at,
        planned_on=tp.on,
        fixed=tp.occasion in GREETINGS,
        kyc_items=tp.kyc_items,
    )


def _unplaced(u: Unscheduled, d: TierDecision, on: dt.date) -> Draft:
    # A contact the plan could not place stays on the list, carried over with the planner's code.
    kind = _PLANNED.get(u.occasion, WorkKind.CONTACT)
    return Draft(
        key=u.customer_key,
        tier=u.tier,
        tier_rank=d.rank,
        kind=kind,
        rule_id=u.rule_id,
        label=u.label,
        purpose=u.purpose,
        available_on=on,
        due_on=u.due_on,
        minutes=0,
        channel=u.channel,
        reasons=list(u.reasons),
        blocked=u.code,
    )


def _planned(
    base: dict[str, Any], tp: Touchpoint, label: str, due: dt.date, reasons: list[Reason]
) -> Draft:
    """An item the plan holds a contact for: that contact's rule, day, channel, time, minutes."""
    return Draft(
        **base,
        rule_id=tp.rule_id,
        label=label,
        purpose=tp.purpose,
        available_on=tp.on,
        due_on=due,
        minutes=tp.duration_minutes,
        channel=tp.channel,
        reasons=[*reasons, *tp.reasons],
        at=tp.at,
        planned_on=tp.on,
    )


def _alone(  # noqa: PLR0917  # the fields of an item no contact carries
    base: dict[str, Any],
    c: Customer,
    playbook: Playbook,
    rule_id: str,
    label: str,
    on: dt.date,
    due: dt.date | None,
    minutes: int,
    reasons: list[Reason],
) -> Draft:
    """An item the plan holds no contact for: the first channel the customer allows for it."""
    assert playbook.worklist is not None
    purpose = _PURPOSE[base["kind"]]
    found = first_allowed(
        c, purpose, playbook.worklist.channels, playbook.cadence.do_not_contact.binds
    )
    if isinstance(found, Channel):
        reasons = [*reasons, *_quiet(playbook, found)]
    return Draft(
        **base,
        rule_id=rule_id,
        label=label,
        purpose=purpose,
        available_on=on,
        due_on=due,
        minutes=minutes,
        channel=found if isinstance(found, Channel) else None,
        reasons=reasons,
        blocked=None if isinstance(found, Channel) else found,
    )


def _quiet(playbook: Playbook, channel: Channel) -> list[Reason]:
    """The playbook's quiet hours for ``channel``: the window the manager calls or writes in."""
    return [
        Reason.of(
            ReasonCode.CADENCE_QUIET_HOURS,
            q.rule_id,
            case="window",
            earliest=q.earliest.strftime("%H:%M"),
            latest=q.latest.strftime("%H:%M"),
        )
        for q in playbook.cadence.quiet_hours
        if channel in q.channels
    ]


def _kind_rule(playbook: Playbook, kind: WorkKind) -> tuple[str, int]:
    assert playbook.worklist is not None
    rule = playbook.worklist.kind(kind)
    return rule.rule_id, rule.minutes or 0


def _risk(
    c: Customer,
    d: TierDecision,
    playbook: Playbook,
    tp: Planned | None,
    *,
    on: dt.date,
    end: dt.date,
) -> Draft | None:
    ra = c.risk_assessment
    if ra is None:
        return None  # nothing lapses; a missing assessment is a KYC gap
    until, bound = effective_until(ra, playbook.risk.validity_months)
    if until > end and tp is None:
        return None
    rule_id, minutes = _kind_rule(playbook, WorkKind.RISK_EXPIRY)
    lapsed = until < on
    why = Reason.of(
        ReasonCode.WORKLIST_ASSESSMENT_EXPIRING,
        rule_id,
        case="lapsed" if lapsed else "lapsing",
        last_valid_on=until,
        bound=str(bound),
        level=ra.level,
    )
    reasons = [why]
    if lapsed:
        reasons.append(_overdue(rule_id, until))
    base = {"key": c.key, "tier": d.outcome, "tier_rank": d.rank, "kind": WorkKind.RISK_EXPIRY}
    if isinstance(tp, Touchpoint):
        return _planned(base, tp, "risk re-assessment", until, reasons)
    if tp is not None:  # the planner could not place it: its rule, why not, and another try
        reasons += tp.reasons
        rule_id = tp.rule_id
    return _alone(base, c, playbook, rule_id, "risk re-assessment", on, until, minutes, reasons)


def _overdue(rule_id: str, since: dt.date) -> Reason:
    return Reason.of(ReasonCode.WORKLIST_OVERDUE, rule_id, due_on=since)


def _maturity(  # noqa: PLR0917  # one holding's context
    c: Customer,
    d: TierDecision,
    holding: tuple[str, Decimal, dt.date],
    tp: Planned | None,
    playbook: Playbook,
    catalogue: Sequence[Product],
    on: dt.date,
) -> Draft:
    product_id, principal, matures_on = holding
    rule_id, minutes = _kind_rule(playbook, WorkKind.MATURITY)
    reasons = [
        Reason.of(
            ReasonCode.WORKLIST_MATURITY,
            rule_id,
            product_id=product_id,
            matures_on=matures_on,
            amount=principal,
        )
    ]
    options: tuple[ReinvestOption, ...] = ()
    if catalogue and principal > 0:
        # What may be sold on the maturity day, for exactly that amount.
        alloc = allocate(c, principal, catalogue, playbook, as_of=matures_on, tier=d.outcome)
        options = tuple(
            ReinvestOption(
                product_id=line.product_id,
                category=line.category,
                amount=line.amount,
                conditions=line.conditions,
                cooling_off_hours=line.cooling_off_hours,
            )
            for line in alloc.lines
        )
        for line in alloc.lines:
            reasons.append(
                Reason.of(
                    ReasonCode.WORKLIST_REINVEST_OPTION,
                    line.reasons[0].rule_id,
                    case="cash" if line.product_id is None else "product",
                    product_id=line.product_id,
                    amount=line.amount,
                    conditions=", ".join(line.conditions),
                )
            )
    label = f"maturity {product_id}"
    base = {"key": c.key, "tier": d.outcome, "tier_rank": d.rank, "kind": WorkKind.MATURITY}
    if tp is not None and not isinstance(tp, Touchpoint):
        reasons += tp.reasons  # the planner could not place it: its rule, and why not
        rule_id = tp.rule_id
    draft = (
        _planned(base, tp, label, matures_on, reasons)
        if isinstance(tp, Touchpoint)
        else _alone(base, c, playbook, rule_id, label, on, matures_on, minutes, reasons)
    )
    draft.amount, draft.options = principal, options
    return draft


def _kyc(
    c: Customer, d: TierDecision, playbook: Playbook, on: dt.date, *, skip_risk: bool
) -> Draft | None:
    assert playbook.worklist is not None
    # A lapsing assessment is its own item; the gap would say the same twice.
    items = tuple(i for i in d.kyc_gaps if not (skip_risk and i is KycItem.RISK_ASSESSMENT))
    if not items:
        return None
    rule_id, minutes = _kind_rule(playbook, WorkKind.KYC_GAP)
    rows = {b.item: b for b in playbook.worklist.kyc_blocks}
    ordered = sorted(items, key=lambda i: (rows[i].rank, items.index(i)))
    reasons = [
        Reason.of(
            ReasonCode.KYC_GAP,
            f"kyc.{d.outcome}",
            tier=d.outcome,
            missing=",".join(ordered),
        )
    ]
    reasons += [
        Reason.of(
            ReasonCode.WORKLIST_KYC_BLOCKS,
            rows[i].rule_id,
            item=str(i),
            blocks=rows[i].blocks,
            rank=rows[i].rank,
        )
        for i in ordered
    ]
    base = {"key": c.key, "tier": d.outcome, "tier_rank": d.rank, "kind": WorkKind.KYC_GAP}
    draft = _alone(base, c, playbook, rule_id, "complete the KYC file", on, None, minutes, reasons)
    draft.blocks, draft.kyc_items = rows[ordered[0]].rank, tuple(ordered)
    return draft


def _candidate(
    c: Customer, d: TierDecision, cand: UpgradeCandidate, playbook: Playbook, on: dt.date
) -> Draft:
    rule_id, minutes = _kind_rule(playbook, WorkKind.UPGRADE_CANDIDATE)
    base = {
        "key": c.key,
        "tier": d.outcome,
        "tier_rank": d.rank,
        "kind": WorkKind.UPGRADE_CANDIDATE,
    }
    label = f"approach: potential {cand.target_tier}"
    draft = _alone(base, c, playbook, rule_id, label, on, None, minutes, list(cand.signals))
    draft.score = cand.score
    return draft
