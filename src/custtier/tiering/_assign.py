"""One customer's tier: bands per basis, Pareto, hysteresis, overrides, KYC gaps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from custtier._explain import Fact, Reason, ReasonCode
from custtier._kyc import kyc_gaps
from custtier._money import exact_context, quantize, to_minor_units
from custtier.errors import InputError
from custtier.models import Customer
from custtier.rules import Basis, Combine, MissingMonths, Playbook
from custtier.tiering._models import Movement, Override, TierDecision
from custtier.tiering._pareto import ParetoCut
from custtier.tiering._tables import BasisTable, Tables, months_before, tables

__all__ = ["assign_tier", "decide"]


def assign_tier(
    customer: Customer,
    playbook: Playbook,
    *,
    as_of: dt.date,
    previous: TierDecision | None = None,
    override: Override | None = None,
    pareto: ParetoCut | None = None,
    in_pareto_set: bool | None = None,
) -> TierDecision:
    """Decide ``customer``'s tier under ``playbook`` on ``as_of``.

    Bands are half-open ``[lower, upper)``: a balance exactly on a bar belongs
    to the higher tier. ``previous`` (the last decision for this customer)
    drives hysteresis; ``override`` a manual decision. The Pareto rule needs
    the whole book: pass the nightly book's cut as ``pareto``
    (``tier_book(...).pareto_cut``) and the decision equals the book's, or say
    directly whether the customer is in the set with ``in_pareto_set``. With
    neither, under a playbook with a Pareto rule, the rule is not evaluated
    and the decision says so (``TIER_PARETO_NOT_EVALUATED``).

    >>> import datetime as dt
    >>> from custtier import Customer, presets
    >>> c = Customer(key="C1", monthly_balances=[
    ...     {"month": m, "average_daily_balance": "520000.00"}
    ...     for m in ("2026-08", "2026-09", "2026-10")])
    >>> d = assign_tier(c, presets.PRACTICE, as_of=dt.date(2026, 11, 30))
    >>> d.tier, d.decided_by
    ('high_end', 'tier.adb.high_end')
    """
    if customer.currency != playbook.currency:
        raise InputError(
            f"customer currency differs from the playbook's ({playbook.currency}); "
            "convert amounts before tiering",
            field="currency",
        )
    if override is not None and override.customer_key != customer.key:
        raise InputError("override is for another customer", field="override.customer_key")
    member = in_pareto_set
    if pareto is not None:
        if in_pareto_set is not None:
            raise InputError("pass pareto or in_pareto_set, not both", field="pareto")
        if pareto.playbook_hash != playbook.content_hash:
            raise InputError(
                "the Pareto cut was computed under another playbook; use the cut of a book "
                "tiered under this one",
                field="pareto",
            )
        member = pareto.contains(
            customer.key, to_minor_units(customer.annual_profit_contribution, playbook.currency)
        )
    with exact_context():
        return decide(
            customer,
            tables(playbook),
            as_of=as_of,
            previous=previous,
            override=override,
            pareto=member,
        )


def decide(
    customer: Customer,
    t: Tables,
    *,
    as_of: dt.date,
    previous: TierDecision | None,
    override: Override | None,
    pareto: bool | None,
) -> TierDecision:
    """The engine proper, on precomputed tables (inputs checked, inside ``exact_context``).

    ``pareto`` is whether the customer is in the book's Pareto set; ``None``
    means nobody said, and the decision reports the rule as not evaluated.
    """
    reasons: list[Reason] = []
    values: dict[str, Decimal | None] = {}
    rule_rank, decided_by = _rules_rank(customer, t, as_of, reasons, values)
    pb = t.playbook
    if pareto and pb.tiering.pareto is not None:
        pr = pb.tiering.pareto
        prank = t.rank[pr.tier]
        reasons.append(
            Reason.of(
                ReasonCode.TIER_PARETO,
                pr.rule_id,
                f"among the customers carrying {pr.profit_share:%} of the book's profit",
                profit=customer.annual_profit_contribution,
                profit_share=pr.profit_share,
            )
        )
        if prank > rule_rank:
            rule_rank, decided_by = prank, pr.rule_id
    rule_tier = t.tier_ids[rule_rank]

    rank, movement, below_since = rule_rank, Movement.NEW, None
    held_since: dt.date | None = None
    # A tier an override set is not a tier the customer earned: once the
    # override lapses, rules decide at once rather than hysteresis holding it.
    if previous is not None and previous.movement is not Movement.OVERRIDDEN:
        rank, movement, below_since, rule = _hysteresis(
            customer, t, rule_rank, previous, as_of=as_of, values=values, reasons=reasons
        )
        decided_by = rule or decided_by
        if movement is Movement.HELD:
            held_since = _held_since(previous) or as_of

    if override is not None:
        if override.tier not in t.rank:
            raise InputError(
                "override tier is not a tier of this playbook; fix or drop the override",
                field="override.tier",
            )
        if override.in_force_on(as_of):
            reasons.append(
                Reason.of(
                    ReasonCode.TIER_OVERRIDE,
                    "tier.override",
                    # The operator's free text stays with the override: a
                    # decision carries the author and an opaque reference only.
                    f"manual override set by {override.set_by}",
                    reference=override.reference,
                    set_by=override.set_by,
                    set_on=override.set_on,
                    expires_on=override.expires_on,
                    tier=override.tier,
                )
            )
            rank, movement, below_since = t.rank[override.tier], Movement.OVERRIDDEN, None
            held_since = None
            decided_by = "tier.override"
        else:
            code = (
                ReasonCode.TIER_OVERRIDE_PENDING
                if as_of < override.set_on
                else ReasonCode.TIER_OVERRIDE_EXPIRED
            )
            reasons.append(
                Reason.of(
                    code,
                    "tier.override",
                    "manual override not in force on this date; rules decide",
                    set_on=override.set_on,
                    expires_on=override.expires_on,
                    tier=override.tier,
                )
            )

    if pareto is None and pb.tiering.pareto is not None:
        reasons.append(_pareto_not_evaluated(t))
    tier = t.tier_ids[rank]
    gaps = kyc_gaps(customer, pb.tiers[rank], as_of=as_of)
    if gaps:
        reasons.append(
            t.reasons.get(
                (tier, gaps),
                lambda: Reason.of(
                    ReasonCode.KYC_GAP,
                    f"kyc.{tier}",
                    f"the {tier} KYC file lacks: {', '.join(gaps)}",
                    missing=",".join(gaps),
                ),
            )
        )
    return TierDecision.trusted(
        subject=customer.key,
        outcome=tier,
        reasons=tuple(reasons),
        playbook=t.ref,
        as_of=as_of,
        rank=rank,
        rule_tier=rule_tier,
        decided_by=decided_by,
        movement=movement,
        previous_tier=previous.outcome if previous is not None else None,
        below_since=below_since,
        held_since=held_since,
        basis_values=values,
        kyc_gaps=gaps,
        manager_id=customer.manager_id,
    )


def _pareto_not_evaluated(t: Tables) -> Reason:
    rule = t.playbook.tiering.pareto
    assert rule is not None
    return t.reasons.get(
        ReasonCode.TIER_PARETO_NOT_EVALUATED,
        lambda: Reason.of(
            ReasonCode.TIER_PARETO_NOT_EVALUATED,
            rule.rule_id,
            "the Pareto rule was not evaluated (it needs the whole book): pass the book's "
            "cut as pareto= to get the book's answer",
            tier=rule.tier,
            profit_share=rule.profit_share,
        ),
    )


def _rules_rank(
    customer: Customer,
    t: Tables,
    as_of: dt.date,
    reasons: list[Reason],
    values: dict[str, Decimal | None],
) -> tuple[int, str]:
    """Rank by the bands of every basis, combined as the playbook says."""
    best: tuple[int, str] | None = None
    highest = t.playbook.tiering.combine is Combine.HIGHEST
    for table in t.bases:
        value = _basis_value(customer, table, t, as_of, reasons)
        values[table.rule.basis.value] = value
        i = 0 if value is None else table.band_for(value)
        band = table.bands[i]
        if value is not None:
            reasons.append(
                Reason.of(
                    ReasonCode.TIER_BAND,
                    band.rule_id,
                    table.messages[i],
                    basis=table.rule.basis.value,
                    value=value,
                    lower=band.lower,
                    upper=band.upper,
                    window_months=table.rule.window_months,
                )
            )
        candidate = (table.ranks[i], band.rule_id)
        if best is None or (candidate[0] > best[0] if highest else candidate[0] < best[0]):
            best = candidate
    assert best is not None  # playbooks have at least one basis
    return best


def _basis_value(
    customer: Customer, table: BasisTable, t: Tables, as_of: dt.date, reasons: list[Reason]
) -> Decimal | None:
    rule = table.rule
    if rule.basis is Basis.ASSETS_UNDER_MANAGEMENT:
        return customer.assets_under_management
    if rule.basis is Basis.PROFIT_CONTRIBUTION:
        return customer.annual_profit_contribution
    window = months_before(as_of, rule.window_months)
    # Balances are sorted by month (the model sorts them): walk back from the
    # newest and stop below the window, rather than indexing a whole history.
    first, last = window[0], window[-1]
    present = []
    for balance in reversed(customer.monthly_balances):
        if balance.month > last:
            continue
        if balance.month < first:
            break
        present.append(balance.average_daily_balance)
    missing = len(window) - len(present)
    if missing == 0:
        return _mean(sum(present, Decimal(0)), len(window), t)
    policy = rule.missing_months
    usable = policy is MissingMonths.COUNT_AS_ZERO or (
        policy is MissingMonths.AVERAGE_AVAILABLE and len(present) >= rule.min_months
    )
    reasons.append(
        Reason.of(
            ReasonCode.BASIS_INCOMPLETE,
            table.bands[0].rule_id,
            f"{missing} of {len(window)} months missing ({policy.value}); "
            + ("averaged as the playbook says" if usable else "basis not usable, lowest band"),
            months_present=len(present),
            months_required=rule.min_months,
            window_start=window[0],
            window_end=window[-1],
            policy=policy.value,
        )
    )
    if not usable:
        return None
    divisor = len(window) if policy is MissingMonths.COUNT_AS_ZERO else len(present)
    return _mean(sum(present, Decimal(0)), divisor, t)


def _mean(total: Decimal, count: int, t: Tables) -> Decimal:
    pb = t.playbook
    # Runs inside exact_context(): the division uses custtier's precision.
    return quantize(total / count, pb.currency, pb.rounding)


def _hysteresis(
    customer: Customer,
    t: Tables,
    rule_rank: int,
    previous: TierDecision,
    *,
    as_of: dt.date,
    values: dict[str, Decimal | None],
    reasons: list[Reason],
) -> tuple[int, Movement, dt.date | None, str | None]:
    """Upgrade at once; downgrade only after the grace period below the buffered bar."""
    if previous.subject != customer.key:
        raise InputError("previous decision is for another customer", field="previous.subject")
    if previous.as_of > as_of:
        raise InputError("previous decision is dated after as_of", field="previous.as_of")
    prev_rank = t.rank.get(previous.outcome)
    if prev_rank is None:
        raise InputError(
            "previous decision's tier is not in this playbook; re-tier without previous",
            field="previous.outcome",
        )
    hyst = t.playbook.tiering.hysteresis
    if rule_rank > prev_rank:
        reasons.append(
            Reason.of(
                ReasonCode.TIER_UPGRADE,
                reasons[-1].rule_id if reasons else "tier",
                f"up from {previous.outcome}; upgrades apply at once",
                previous_tier=previous.outcome,
            )
        )
        return rule_rank, Movement.UP, None, None
    if rule_rank == prev_rank:
        return rule_rank, Movement.SAME, None, None
    if hyst is None:
        reasons.append(
            Reason.of(
                ReasonCode.TIER_DOWNGRADE,
                "tier",
                f"down from {previous.outcome}; the playbook has no hysteresis",
                previous_tier=previous.outcome,
            )
        )
        return rule_rank, Movement.DOWN, None, None
    prev_tier = previous.outcome
    # Inside the buffer on any basis that has a bar for the tier, each basis
    # against its own bar (a tier reached only by the Pareto rule or an
    # override has none, so nothing holds it).
    keep = 1 - hyst.buffer
    holding = [
        bar
        for basis, v in values.items()
        if v is not None and (bar := t.bars[basis].get(prev_tier)) is not None and v >= bar * keep
    ]
    in_buffer = bool(holding)
    # The reason quotes the bar that held the customer, else the first one.
    shown = t.bar(prev_tier)
    bar = holding[0] if holding else shown[1] if shown else Decimal(0)
    floor = bar * keep
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
    # When the buffer's hold ends (or ended), said on every decision inside the buffer.
    hold: dict[str, Fact] = (
        {"buffer_hold_ends_on": hold_ends_on} if in_buffer and hold_ends_on else {}
    )
    months_below = 0 if below_since is None else _months_between(below_since, as_of)
    review_ok = not hyst.review_months or as_of.month in hyst.review_months
    if below_since is not None and months_below >= hyst.grace_months and review_ok:
        reasons.append(
            Reason.of(
                ReasonCode.TIER_DOWNGRADE,
                hyst.rule_id,
                (
                    f"the buffer's hold under {prev_tier}'s bar ended on {hold_ends_on}, and "
                    f"{months_below} month(s) of grace have run (grace {hyst.grace_months})"
                    if in_buffer
                    else f"below {prev_tier}'s bar less {hyst.buffer:%} buffer for "
                    f"{months_below} month(s) (grace {hyst.grace_months})"
                ),
                previous_tier=prev_tier,
                bar=bar,
                floor=quantize(floor, t.playbook.currency, t.playbook.rounding),
                below_since=below_since,
                grace_months=hyst.grace_months,
                **hold,
            )
        )
        return rule_rank, Movement.DOWN, None, hyst.rule_id
    why = (
        "inside the buffer under the bar"
        + (f" until {hold_ends_on}" if hold_ends_on is not None else "")
        if below_since is None
        else f"below for {months_below} of {hyst.grace_months} grace month(s)"
        + (" (the buffer's hold ended)" if in_buffer else "")
        if months_below < hyst.grace_months
        else "grace served; waiting for a review month"
    )
    reasons.append(
        Reason.of(
            ReasonCode.TIER_HELD,
            hyst.rule_id,
            f"kept at {prev_tier}: {why}",
            previous_tier=prev_tier,
            rules_tier=t.tier_ids[rule_rank],
            bar=bar,
            floor=quantize(floor, t.playbook.currency, t.playbook.rounding),
            below_since=below_since,
            grace_months=hyst.grace_months,
            **hold,
        )
    )
    return prev_rank, Movement.HELD, below_since, hyst.rule_id


def _held_since(previous: TierDecision) -> dt.date | None:
    """When the current run of held decisions began, if ``previous`` was one of them."""
    if previous.movement is not Movement.HELD:
        return None
    # A decision made before held_since existed was held at least since its own date.
    return previous.held_since or previous.as_of


def _months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from ``start`` to ``end``; month ends count as whole months.

    Uses dateutil's month arithmetic, which clips to the end of shorter months,
    so 30 November to 28 February is three months.

    >>> _months_between(dt.date(2026, 11, 30), dt.date(2027, 2, 28))
    3
    >>> _months_between(dt.date(2026, 11, 30), dt.date(2027, 2, 27))
    2
    """
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if months > 0 and start + relativedelta(months=months) > end:
        months -= 1
    return max(months, 0)
