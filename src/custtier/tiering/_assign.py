"""One customer's tier: bands per basis, Pareto, hysteresis, overrides, KYC gaps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from custtier._args import as_customer, as_date, as_optional, as_playbook
from custtier._error_codes import ErrorCode
from custtier._kyc import gaps_mask
from custtier._money import EXACT, to_minor_units
from custtier.errors import InputError
from custtier.models import Customer
from custtier.rules import Playbook
from custtier.tiering._explanation import decision_of, rendered_decision
from custtier.tiering._models import Movement, Override, TierDecision
from custtier.tiering._pareto import ParetoCut
from custtier.tiering._plan import OVERRIDE_RULE, TierPlan, tier_plan
from custtier.tiering._trace import (
    BasisTrace,
    HysteresisFacts,
    HysteresisState,
    OverrideState,
    ParetoState,
    TierTrace,
)

__all__ = [
    "assign_tier",
    "decide",
    "months_between",
    "previous_problem",
    "trace",
    "trace_tier",
]


# Enum members as module constants: on CPython 3.11 ``HysteresisState.NEW`` is a
# class attribute lookup through the enum's metaclass, 0.2 µs each, which the
# per-customer path pays several times a call.
_NO_RULE = ParetoState.NO_RULE
_OUTSIDE = ParetoState.OUTSIDE
_MEMBER = ParetoState.MEMBER
_NOT_EVALUATED = ParetoState.NOT_EVALUATED
_NEW = HysteresisState.NEW
_NO_OVERRIDE = OverrideState.NONE
_tuple_new = tuple.__new__


def assign_tier(
    customer: Customer | Mapping[str, Any],
    playbook: Playbook,
    *,
    as_of: dt.date,
    previous: TierDecision | None = None,
    override: Override | None = None,
    pareto_cut: ParetoCut | None = None,
    in_pareto_set: bool | None = None,
) -> TierDecision:
    """Decide ``customer``'s tier under ``playbook`` on ``as_of``.

    Bands are half-open ``[lower, upper)``: a balance exactly on a bar belongs
    to the higher tier. ``previous`` (the last decision for this customer)
    drives hysteresis; ``override`` a manual decision. The Pareto rule needs
    the whole book: pass the nightly book's cut as ``pareto_cut``
    (``tier_book(...).pareto_cut``) and the decision equals the book's, or say
    directly whether the customer is in the set with ``in_pareto_set``. With
    neither, under a playbook with a Pareto rule, the rule is not evaluated
    and the decision says so (``TIER_PARETO_NOT_EVALUATED``). The same as
    ``trace_tier(...).decision()``: the decision holds its ``customer_key``
    and ``outcome`` and renders its reasons and other fields from the trace
    when first read, so routing on the outcome builds no message.

    >>> import datetime as dt
    >>> from custtier import Customer, presets
    >>> c = Customer(key="C1", monthly_balances=[
    ...     {"month": m, "average_daily_balance": "520000.00"}
    ...     for m in ("2026-08", "2026-09", "2026-10")])
    >>> d = assign_tier(c, presets.PRACTICE, as_of=dt.date(2026, 11, 30))
    >>> d.tier, d.decided_by
    ('high_end', 'tier.adb.high_end')
    """
    return decision_of(
        trace_tier(
            customer,
            playbook,
            as_of=as_of,
            previous=previous,
            override=override,
            pareto_cut=pareto_cut,
            in_pareto_set=in_pareto_set,
        )
    )


def trace_tier(
    customer: Customer | Mapping[str, Any],
    playbook: Playbook,
    *,
    as_of: dt.date,
    previous: TierDecision | None = None,
    override: Override | None = None,
    pareto_cut: ParetoCut | None = None,
    in_pareto_set: bool | None = None,
) -> TierTrace:
    """How ``customer``'s tier is reached (arguments as :func:`assign_tier`), reasons unbuilt.

    For a caller who needs the tier and not the messages: the trace holds
    the outcome and the codes behind it, and ``.decision()`` renders the
    reasons when they are wanted, equal to :func:`assign_tier`'s.

    >>> import datetime as dt
    >>> from custtier import Customer, presets
    >>> t = trace_tier(Customer(key="C1"), presets.PRACTICE, as_of=dt.date(2026, 11, 30))
    >>> t.tier, [b.completeness.name for b in t.bases]
    ('mass', ['UNUSABLE'])
    """
    customer, playbook, as_of = _arguments(customer, playbook, as_of)
    if previous is not None or override is not None or pareto_cut is not None:
        _check_optional(previous, override, pareto_cut)
    if in_pareto_set is not None and not isinstance(in_pareto_set, bool):
        raise InputError("in_pareto_set must be True, False or None", field="in_pareto_set")
    if customer.currency != playbook.currency:
        raise InputError(
            f"customer currency differs from the playbook's ({playbook.currency}); "
            "convert amounts before tiering",
            field="currency",
        )
    if override is not None and override.customer_key != customer.key:
        raise InputError("override is for another customer", field="override.customer_key")
    member = in_pareto_set
    if pareto_cut is not None:
        if in_pareto_set is not None:
            raise InputError("pass pareto_cut or in_pareto_set, not both", field="pareto_cut")
        if pareto_cut.playbook_hash != playbook.content_hash:
            raise InputError(
                "the Pareto cut was computed under another playbook; use the cut of a book "
                "tiered under this one",
                field="pareto_cut",
            )
        member = pareto_cut.contains(
            customer.key, to_minor_units(customer.annual_profit_contribution, playbook.currency)
        )
    # Decimal arithmetic in the rules calls custtier's context explicitly,
    # so no context is entered here (comparisons need none).
    if previous is None and override is None:  # the common call: straight to the rules
        return first_trace(customer, tier_plan(playbook), as_of, member)
    return trace(
        customer,
        tier_plan(playbook),
        as_of=as_of,
        previous=previous,
        override=override,
        pareto=member,
    )


def _arguments(
    customer: object, playbook: object, as_of: object
) -> tuple[Customer, Playbook, dt.date]:
    """The arguments as their types; the common call passes straight through."""
    if type(customer) is Customer and type(playbook) is Playbook and type(as_of) is dt.date:
        return customer, playbook, as_of
    return as_customer(customer), as_playbook(playbook), as_date(as_of, "as_of")


def _check_optional(previous: object, override: object, pareto_cut: object) -> None:
    as_optional(previous, TierDecision, "previous", "the customer's last TierDecision")
    as_optional(override, Override, "override", "an Override")
    as_optional(pareto_cut, ParetoCut, "pareto_cut", "a book's ParetoCut")


def decide(
    customer: Customer,
    plan: TierPlan,
    *,
    as_of: dt.date,
    previous: TierDecision | None,
    override: Override | None,
    pareto: bool | None,
) -> TierDecision:
    """The engine proper, on the compiled plan (inputs checked, inside ``exact_context``).

    Every field rendered at once: a book reads each decision's movement and
    rank, and writes them all.
    """
    return rendered_decision(
        trace(customer, plan, as_of=as_of, previous=previous, override=override, pareto=pareto)
    )


def trace(
    customer: Customer,
    plan: TierPlan,
    *,
    as_of: dt.date,
    previous: TierDecision | None,
    override: Override | None,
    pareto: bool | None,
) -> TierTrace:
    """How the tier is reached, as codes and facts: no reason is built here (any context).

    ``pareto`` is whether the customer is in the book's Pareto set; ``None``
    means nobody said, and the trace records the rule as not evaluated.
    """
    if previous is None and override is None:  # a first decision: nothing can move the tier
        return first_trace(customer, plan, as_of, pareto)
    pb = plan.playbook
    bases, state, rule_rank, decided_by = _by_rules(customer, plan, as_of, pareto)
    if previous is not None and (problem := previous_problem(previous, customer.key, plan, as_of)):
        raise InputError(problem[2], field=problem[1])
    rank, hyst, hold = rule_rank, HysteresisState.NEW, None
    below_since = held_since = None
    # A tier an override set is not a tier the customer earned: once the
    # override lapses, rules decide at once rather than hysteresis holding it.
    if previous is not None and previous.movement is not Movement.OVERRIDDEN:
        rank, hyst, hold = _hysteresis(
            customer, plan, rule_rank, previous, as_of=as_of, bases=bases
        )
        if hyst is HysteresisState.HELD:
            assert hold is not None
            below_since = hold.below_since
            held_since = _held_since(previous) or as_of
        if hyst in (HysteresisState.HELD, HysteresisState.DOWN):
            decided_by = pb.tiering.hysteresis.rule_id  # type: ignore[union-attr]

    ov_state = OverrideState.NONE
    if override is not None:
        if override.tier not in plan.rank:
            raise InputError(
                "override tier is not a tier of this playbook; fix or drop the override",
                field="override.tier",
            )
        if override.in_force_on(as_of):
            ov_state = OverrideState.IN_FORCE
            rank, below_since, held_since = plan.rank[override.tier], None, None
            decided_by = OVERRIDE_RULE
        else:
            ov_state = OverrideState.PENDING if as_of < override.set_on else OverrideState.EXPIRED
    return TierTrace(
        plan=plan,
        customer_key=customer.key,
        as_of=as_of,
        bases=bases,
        pareto=state,
        rule_rank=rule_rank,
        decided_by=decided_by,
        hysteresis=hyst,
        override=ov_state,
        rank=rank,
        kyc_gaps=gaps_mask(customer, plan.kyc_checks[rank], as_of),
        profit=customer.annual_profit_contribution,
        manager_id=customer.manager_id,
        previous_tier=previous.outcome if previous is not None else None,
        below_since=below_since,
        held_since=held_since,
        hold=hold,
        override_given=override,
    )


def _by_rules(
    customer: Customer, plan: TierPlan, as_of: dt.date, pareto: bool | None
) -> tuple[tuple[BasisTrace, ...], ParetoState, int, str]:
    """Each basis's trace, the Pareto state, and the rank and rule the rules give."""
    pb = plan.playbook
    if len(plan.bases) == 1:  # the usual playbook: one basis decides, no list to build
        bp = plan.bases[0]
        b = bp.kind.scalar(customer, bp, pb, as_of)
        bases: tuple[BasisTrace, ...] = (b,)
        rule_rank, decided_by = bp.ranks[b.band], bp.rule_ids[b.band]
    else:
        bases = tuple([bp.kind.scalar(customer, bp, pb, as_of) for bp in plan.bases])
        rule_rank, decided_by = _rules_rank(plan, bases)
    pr = pb.tiering.pareto
    state = _NO_RULE
    if pr is not None:
        state = _NOT_EVALUATED if pareto is None else _MEMBER if pareto else _OUTSIDE
        if pareto and (prank := plan.rank[pr.tier]) > rule_rank:
            rule_rank, decided_by = prank, pr.rule_id
    return bases, state, rule_rank, decided_by


def first_trace(
    customer: Customer, plan: TierPlan, as_of: dt.date, pareto: bool | None
) -> TierTrace:
    """The trace of a decision with no previous decision and no override: the rules' tier.

    :func:`trace`'s path when nothing can move the tier off the rules' one,
    taken by most calls. The trace is built as the tuple it is, in
    :class:`TierTrace`'s field order: the named tuple's own ``__new__`` (a
    Python function) costs a sixth of a whole ``trace_tier`` call, by
    keyword a quarter. With one basis and no Pareto membership given (the
    usual call), the basis decides alone, without :func:`_by_rules`'s call.
    """
    bp = plan.one_basis
    if bp is None or pareto is not None:
        bases, state, rank, decided_by = _by_rules(customer, plan, as_of, pareto)
    else:
        b = bp.kind.scalar(customer, bp, plan.playbook, as_of)
        bases, state = (b,), plan.unevaluated_pareto
        rank, decided_by = bp.ranks[b.band], bp.rule_ids[b.band]
    return _tuple_new(
        TierTrace,
        (
            plan,
            customer.key,
            as_of,
            bases,
            state,
            rank,  # rule_rank
            decided_by,
            _NEW,
            _NO_OVERRIDE,
            rank,
            gaps_mask(customer, plan.kyc_checks[rank], as_of),
            customer.annual_profit_contribution,  # profit
            customer.manager_id,
            None,  # previous_tier
            None,  # below_since
            None,  # held_since
            None,  # hold
            None,  # override_given
        ),
    )


def _rules_rank(plan: TierPlan, bases: tuple[BasisTrace, ...]) -> tuple[int, str]:
    """Rank by the bands of every basis, combined as the playbook says."""
    best: tuple[int, str] | None = None
    highest = plan.highest
    for bp, b in zip(plan.bases, bases, strict=True):
        candidate = (bp.ranks[b.band], bp.rule_ids[b.band])
        if best is None or (candidate[0] > best[0] if highest else candidate[0] < best[0]):
            best = candidate
    assert best is not None  # playbooks have at least one basis
    return best


def _hysteresis(
    customer: Customer,
    plan: TierPlan,
    rule_rank: int,
    previous: TierDecision,
    *,
    as_of: dt.date,
    bases: tuple[BasisTrace, ...],
) -> tuple[int, HysteresisState, HysteresisFacts | None]:
    """Upgrade at once; downgrade only after the grace period below the buffered bar."""
    prev_rank = plan.rank[previous.outcome]  # checked by previous_problem
    hyst = plan.playbook.tiering.hysteresis
    if rule_rank > prev_rank:
        return rule_rank, HysteresisState.UP, None
    if rule_rank == prev_rank:
        return rule_rank, HysteresisState.SAME, None
    if hyst is None:
        return rule_rank, HysteresisState.DOWN_NO_HYSTERESIS, None
    prev_tier = previous.outcome
    # Inside the buffer on any basis that has a bar for the tier, each basis
    # against its own floor (a tier reached only by the Pareto rule or an
    # override has none, so nothing holds it).
    holding = _holding_bars(plan, prev_rank, bases)
    in_buffer = bool(holding)
    # The reason quotes the bar that held the customer, else the first one.
    shown = plan.bar(prev_tier)
    bar = holding[0] if holding else shown[1] if shown else Decimal(0)
    # The buffer holds for at most max_buffer_months from the first held
    # decision; then the grace rule runs from the day the hold ended.
    hold_ends_on = None
    if hyst.max_buffer_months is not None:
        hold_ends_on = (_held_since(previous) or as_of) + relativedelta(
            months=hyst.max_buffer_months
        )
    buffer_holds = in_buffer and (hold_ends_on is None or as_of < hold_ends_on)
    if buffer_holds:
        below_since = None
    elif in_buffer:
        below_since = previous.below_since or hold_ends_on
    else:
        below_since = previous.below_since or as_of
    months_below = 0 if below_since is None else months_between(below_since, as_of)
    facts = HysteresisFacts(
        previous_tier=prev_tier,
        bar=bar,
        floor=EXACT.multiply(bar, EXACT.subtract(1, hyst.buffer)),
        below_since=below_since,
        hold_ends_on=hold_ends_on,
        in_buffer=in_buffer,
        months_below=months_below,
    )
    review_ok = not hyst.review_months or as_of.month in hyst.review_months
    if below_since is not None and months_below >= hyst.grace_months and review_ok:
        return rule_rank, HysteresisState.DOWN, facts
    return prev_rank, HysteresisState.HELD, facts


def _holding_bars(plan: TierPlan, rank: int, bases: tuple[BasisTrace, ...]) -> list[Decimal]:
    """The bars for the tier of ``rank`` of the bases whose value is inside that bar's buffer."""
    out = []
    for bp, b in zip(plan.bases, bases, strict=True):
        floor, bar = bp.floors[rank], bp.bars[rank]
        if b.value is not None and floor is not None and bar is not None and b.value >= floor:
            out.append(bar)
    return out


def previous_problem(
    previous: TierDecision, customer_key: str, plan: TierPlan, as_of: dt.date
) -> tuple[ErrorCode, str, str] | None:
    """What makes ``previous`` unusable for this customer, as (code, field, message).

    Checked whatever the previous movement (an overridden one included), as the
    columnar path flags the same rows: a book turns it into that customer's error.
    """
    if previous.customer_key != customer_key:
        return (
            ErrorCode.INVALID_VALUE,
            "previous.customer_key",
            "previous decision is for another customer",
        )
    if previous.as_of > as_of:
        return (
            ErrorCode.PREVIOUS_AFTER_AS_OF,
            "previous.as_of",
            "previous decision is dated after as_of",
        )
    if previous.outcome not in plan.rank:
        return (
            ErrorCode.UNKNOWN_PREVIOUS_TIER,
            "previous.outcome",
            "previous decision's tier is not in this playbook; re-tier without previous",
        )
    return None


def _held_since(previous: TierDecision) -> dt.date | None:
    """When the current run of held decisions began, if ``previous`` was one of them."""
    if previous.movement is not Movement.HELD:
        return None
    # A decision made before held_since existed was held at least since its own date.
    return previous.held_since or previous.as_of


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from ``start`` to ``end``; month ends count as whole months.

    Uses dateutil's month arithmetic, which clips to the end of shorter months,
    so 30 November to 28 February is three months.

    >>> months_between(dt.date(2026, 11, 30), dt.date(2027, 2, 28))
    3
    >>> months_between(dt.date(2026, 11, 30), dt.date(2027, 2, 27))
    2
    """
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if months > 0 and start + relativedelta(months=months) > end:
        months -= 1
    return max(months, 0)
