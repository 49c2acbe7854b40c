"""A whole book: the Pareto set, every decision, the pyramid, candidates, movements."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, TypeVar

from custtier._args import as_customers, as_date, as_playbook, as_records
from custtier._error_codes import ErrorCode
from custtier._explain import ErrorRecord, Reason, ReasonCode, construct
from custtier._money import exact_context, to_minor_units
from custtier._progress import ProgressCallback, Ticker
from custtier.errors import CusttierError, RecordValidationError
from custtier.models import Customer
from custtier.rules import Playbook, SignalKind
from custtier.tiering._assign import decide, previous_problem
from custtier.tiering._models import (
    BookTiering,
    Movement,
    Override,
    TierDecision,
    TierSummary,
    UpgradeCandidate,
)
from custtier.tiering._pareto import ParetoCut, pareto_keys
from custtier.tiering._plan import TierPlan, months_before, tier_plan

__all__ = ["choose_overrides", "pareto_set", "tier_book"]

_SHARE = Decimal("0.0001")


def tier_book(
    customers: Iterable[Customer | Mapping[str, Any]],
    playbook: Playbook,
    *,
    as_of: dt.date,
    previous: Iterable[TierDecision] | Mapping[str, TierDecision] | None = None,
    overrides: Iterable[Override] = (),
    concentration_points: int = 100,
    progress: ProgressCallback | None = None,
) -> BookTiering:
    """Tier every customer of a book, with the Pareto rule, summary and candidates.

    Records may be :class:`~custtier.Customer` objects or mappings (validated
    here). Every input yields exactly one decision or one error record
    (invalid record, duplicate key, wrong currency); decisions are sorted by
    customer key, so the result does not depend on input order.
    ``progress(done, total)``, if given, counts input records: the invalid
    ones once validated, the others as they are decided (about every 1 %),
    and last ``done == total``.

    >>> import datetime as dt
    >>> from custtier import presets
    >>> book = [{"key": f"C{i}", "annual_profit_contribution": str(p)}
    ...         for i, p in enumerate([9000, 500, 300, 150, 50])]
    >>> result = tier_book(book, presets.PRACTICE, as_of=dt.date(2026, 11, 30))
    >>> [(d.customer_key, d.tier) for d in result.decisions][:2]
    [('C0', 'high_end'), ('C1', 'mass')]
    >>> result.pareto_count, str(result.pareto_profit_share)
    (1, '0.9000')
    """
    customers, playbook = as_records(customers), as_playbook(playbook)
    as_of = as_date(as_of, "as_of")
    t = tier_plan(playbook)
    with exact_context():
        valid, errors, rows = _validated(customers, playbook)
        prev = _by_customer(previous)
        valid, errors = _usable_previous(valid, errors, rows, prev, plan=t, as_of=as_of)
        ovr = _overrides_by_key(overrides, as_of)
        promoted = _pareto_members(valid, playbook)
        total = len(valid) + len(errors)
        ticker = Ticker(progress, total, every=max(total // 100, 1))
        ticker.add(len(errors))
        decided: list[TierDecision] = []
        for c in sorted(valid, key=lambda c: c.key):
            decided.append(
                decide(
                    c,
                    t,
                    as_of=as_of,
                    previous=prev.get(c.key),
                    override=ovr.get(c.key),
                    pareto=c.key in promoted,
                )
            )
            ticker.add()
        decisions = tuple(decided)
        by_key = {c.key: c for c in valid}
        result = construct(
            BookTiering,
            {
                "playbook": t.ref,
                "as_of": as_of,
                "decisions": decisions,
                "errors": tuple(errors),
                "summary": _summary(decisions, by_key, t),
                "movements": dict(sorted(Counter(d.movement.value for d in decisions).items())),
                "candidates": _candidates(decisions, by_key, t, as_of),
                "concentration": _concentration(valid, concentration_points),
                "pareto_count": len(promoted),
                "pareto_profit_share": _share(
                    sum((by_key[k].annual_profit_contribution for k in promoted), Decimal(0)),
                    _positive_total(valid),
                )
                if playbook.tiering.pareto
                else None,
                "pareto_cut": _cut(valid, promoted, playbook),
            },
        )
        ticker.finish()
        return result


def pareto_set(customers: Sequence[Customer], playbook: Playbook) -> frozenset[str]:
    """Keys of the smallest set of customers whose profit reaches the Pareto share.

    Customers are ranked by profit, highest first; **ties are broken by
    customer key, ascending**, so the set is deterministic. Only positive
    contributions count towards the total (losses are not a share of profit),
    and a customer with no positive profit is never in the set. See
    :func:`pareto_keys` for the same on plain columns.
    """
    customers = as_customers(customers)
    return _pareto_members(customers, as_playbook(playbook))


def _pareto_members(customers: Sequence[Customer], playbook: Playbook) -> frozenset[str]:
    """:func:`pareto_set` for a book already validated (``tier_book``'s)."""
    rule = playbook.tiering.pareto
    if rule is None:
        return frozenset()
    currency = playbook.currency
    return pareto_keys(
        [c.key for c in customers],
        [to_minor_units(c.annual_profit_contribution, currency) for c in customers],
        rule.profit_share,
    )


def _cut(
    customers: Sequence[Customer], promoted: frozenset[str], playbook: Playbook
) -> ParetoCut | None:
    if playbook.tiering.pareto is None:
        return None
    currency = playbook.currency
    members = {
        c.key: to_minor_units(c.annual_profit_contribution, currency)
        for c in customers
        if c.key in promoted
    }
    return ParetoCut.of(members, playbook.content_hash)


def _validated(
    records: Iterable[Customer | Mapping[str, Any]], playbook: Playbook
) -> tuple[list[Customer], list[ErrorRecord], dict[str, int]]:
    """Valid customers, error records, and each valid key's input position."""
    parsed: list[tuple[int, Customer]] = []
    errors: list[ErrorRecord] = []
    for index, record in enumerate(records):
        try:
            customer = record if isinstance(record, Customer) else Customer.from_record(record)
        except RecordValidationError as exc:
            key = record.get("key") if isinstance(record, Mapping) else None
            errors.append(
                ErrorRecord(
                    customer_key=key if isinstance(key, str) and _safe_key(key) else None,
                    index=index,
                    code=ErrorCode.INVALID_RECORD,
                    field=exc.field,
                    message=str(exc),
                )
            )
            continue
        except CusttierError as exc:  # pragma: no cover - from_record raises only the above
            errors.append(
                ErrorRecord(
                    customer_key=None,
                    index=index,
                    code=ErrorCode.INVALID_RECORD,
                    field=getattr(exc, "field", None),
                    message=str(exc),
                )
            )
            continue
        parsed.append((index, customer))
    # Every copy of a duplicated key is an error: keeping "the first" would make
    # the result depend on input order.
    counts = Counter(c.key for _, c in parsed)
    valid: list[Customer] = []
    rows: dict[str, int] = {}
    for index, customer in parsed:
        if counts[customer.key] > 1:
            errors.append(
                _error(
                    customer,
                    index,
                    ErrorCode.DUPLICATE_KEY,
                    "key",
                    "key appears more than once in the book; keep one record",
                )
            )
            continue
        if customer.currency != playbook.currency:
            errors.append(
                _error(
                    customer,
                    index,
                    ErrorCode.CURRENCY_MISMATCH,
                    "currency",
                    f"currency differs from the playbook's ({playbook.currency})",
                )
            )
            continue
        valid.append(customer)
        rows[customer.key] = index
    errors.sort(key=lambda e: e.index)
    return valid, errors, rows


def _usable_previous(
    valid: list[Customer],
    errors: list[ErrorRecord],
    rows: Mapping[str, int],
    previous: Mapping[str, TierDecision],
    *,
    plan: TierPlan,
    as_of: dt.date,
) -> tuple[list[Customer], list[ErrorRecord]]:
    # One unusable previous decision is that customer's error, not the book's
    # abort; left out before the Pareto set, as tier_table leaves out its rows.
    if not previous:
        return valid, errors
    kept: list[Customer] = []
    more: list[ErrorRecord] = []
    for customer in valid:
        last = previous.get(customer.key)
        problem = None if last is None else previous_problem(last, customer.key, plan, as_of)
        if problem is None:
            kept.append(customer)
        else:
            more.append(_error(customer, rows[customer.key], *problem))
    if not more:
        return valid, errors
    return kept, sorted(errors + more, key=lambda e: e.index)


def _safe_key(key: str) -> bool:
    # Echo a key back only if it has the shape of a pseudonymous key.
    try:
        Customer(key=key)
    except CusttierError:
        return False
    return True


def _error(
    customer: Customer, index: int, code: ErrorCode, field: str, message: str
) -> ErrorRecord:
    return ErrorRecord(
        customer_key=customer.key, index=index, code=code, field=field, message=message
    )


def _by_customer(
    previous: Iterable[TierDecision] | Mapping[str, TierDecision] | None,
) -> Mapping[str, TierDecision]:
    if previous is None:
        return {}
    if isinstance(previous, Mapping):
        return previous
    return {d.customer_key: d for d in previous}


#: An override as the choice reads it: ``(customer_key, tier, set_on, expires_on)``.
OverrideRow = tuple[str, str, dt.date, dt.date]
T = TypeVar("T")


def choose_overrides(rows: Iterable[tuple[OverrideRow, T]], as_of: dt.date) -> dict[str, T]:
    """One override per customer: one in force wins, then the latest ``set_on``, then the tier.

    The one rule for both paths: ``tier_book`` passes models, ``tier_table``
    the rows of an overrides table (few: manual decisions).
    """
    best: dict[str, tuple[tuple[bool, dt.date, str], T]] = {}
    for (key, tier, set_on, expires_on), item in rows:
        order = (set_on <= as_of <= expires_on, set_on, tier)
        current = best.get(key)
        if current is None or order > current[0]:
            best[key] = (order, item)
    return {key: item for key, (_, item) in best.items()}


def _overrides_by_key(overrides: Iterable[Override], as_of: dt.date) -> dict[str, Override]:
    return choose_overrides(
        (((o.customer_key, o.tier, o.set_on, o.expires_on), o) for o in overrides), as_of
    )


def _share(part: Decimal, whole: Decimal) -> Decimal:
    if whole <= 0:
        return Decimal("0.0000")
    return (part / whole).quantize(_SHARE, rounding=ROUND_HALF_EVEN)


def _positive_total(customers: Iterable[Customer]) -> Decimal:
    return sum(
        (c.annual_profit_contribution for c in customers if c.annual_profit_contribution > 0),
        Decimal(0),
    )


def _summary(
    decisions: Sequence[TierDecision], by_key: Mapping[str, Customer], t: TierPlan
) -> tuple[TierSummary, ...]:
    n = len(decisions)
    assets_total = sum((c.assets_under_management for c in by_key.values()), Decimal(0))
    profit_total = sum((c.annual_profit_contribution for c in by_key.values()), Decimal(0))
    rows = []
    for tier in reversed(t.tier_ids):  # the pyramid, top first
        members = [by_key[d.customer_key] for d in decisions if d.outcome == tier]
        rows.append(
            construct(
                TierSummary,
                {
                    "tier": tier,
                    "count": len(members),
                    "customer_share": _share(Decimal(len(members)), Decimal(n)),
                    "asset_share": _share(
                        sum((c.assets_under_management for c in members), Decimal(0)), assets_total
                    ),
                    "profit_share": _share(
                        sum((c.annual_profit_contribution for c in members), Decimal(0)),
                        profit_total,
                    ),
                },
            )
        )
    return tuple(rows)


def _concentration(
    customers: Sequence[Customer], points: int
) -> tuple[tuple[Decimal, Decimal], ...]:
    """Cumulative share of (positive) profit carried by the top k% of customers."""
    n = len(customers)
    if n == 0 or points < 1:
        return ()
    profits = sorted(
        (max(c.annual_profit_contribution, Decimal(0)) for c in customers), reverse=True
    )
    total = sum(profits, Decimal(0))
    cumulative = [Decimal(0)]
    for p in profits:
        cumulative.append(cumulative[-1] + p)
    curve = []
    for k in range(points + 1):
        top = math.ceil(k * n / points)
        curve.append((_share(Decimal(k), Decimal(points)), _share(cumulative[top], total)))
    return tuple(curve)


def _candidates(
    decisions: Sequence[TierDecision],
    by_key: Mapping[str, Customer],
    t: TierPlan,
    as_of: dt.date,
) -> tuple[UpgradeCandidate, ...]:
    config = t.playbook.tiering.upgrade_candidates
    if config is None:
        return ()
    referrals = Counter(c.referred_by for c in by_key.values() if c.referred_by is not None)
    top = len(t.tier_ids) - 1
    out = []
    for d in decisions:
        if d.rank >= top or d.movement is Movement.OVERRIDDEN:
            continue
        customer = by_key[d.customer_key]
        target = t.tier_ids[d.rank + 1]
        signals = [
            reason
            for sig in config.signals
            if (
                reason := _signal(
                    sig.kind,
                    sig.threshold,
                    sig.rule_id,
                    customer,
                    d,
                    t,
                    target,
                    referrals[customer.key],
                    as_of,
                )
            )
            is not None
        ]
        points = {s.rule_id: s.points for s in config.signals}
        score = sum(points[r.rule_id] for r in signals)
        if signals and score >= config.min_score:
            out.append(
                construct(
                    UpgradeCandidate,
                    {
                        "customer_key": customer.key,
                        "tier": d.outcome,
                        "target_tier": target,
                        "score": score,
                        "signals": tuple(signals),
                    },
                )
            )
    out.sort(key=lambda c: (-c.score, c.customer_key))
    return tuple(out)


def _signal(  # noqa: PLR0911, PLR0917  # one branch per signal kind
    kind: SignalKind,
    threshold: Decimal,
    rule_id: str,
    customer: Customer,
    decision: TierDecision,
    t: TierPlan,
    target: str,
    referral_count: int,
    as_of: dt.date,
) -> Reason | None:
    code = ReasonCode.UPGRADE_SIGNAL
    if kind is SignalKind.NEAR_BAR:
        # Each basis against its own bar for the target tier (bases differ in scale).
        near = [
            (v, bar)
            for basis, v in decision.basis_values.items()
            if v is not None
            and (bar := t.bars.get(basis, {}).get(target)) is not None
            and bar > 0
            and bar * (1 - threshold) <= v < bar
        ]
        if not near:
            return None
        value, bar = max(near, key=lambda vb: vb[0] / vb[1])  # the closest, relatively
        return Reason.of(
            code,
            rule_id,
            threshold=threshold,
            target=target,
            value=value,
            bar=bar,
            signal=kind.value,
        )
    if kind is SignalKind.RISING_BALANCE:
        window = months_before(as_of, 6)
        by_month = customer.balances_by_month()
        series = [by_month[m] for m in window if m in by_month]
        if len(series) < 2 or series[0] <= 0 or series[-1] < series[0] * (1 + threshold):
            return None
        return Reason.of(
            code,
            rule_id,
            threshold=threshold,
            first=series[0],
            last=series[-1],
            signal=kind.value,
        )
    kyc = customer.kyc
    if kind is SignalKind.DECLARED_WEALTH:
        if kyc is None or kyc.declared_external_assets is None:
            return None
        wealth = customer.assets_under_management + kyc.declared_external_assets
        if wealth < threshold:
            return None
        return Reason.of(
            code,
            rule_id,
            wealth=wealth,
            threshold=threshold,
            signal=kind.value,
        )
    if kind is SignalKind.DECLARED_INCOME:
        income = kyc.declared_annual_income if kyc is not None else None
        income = income if income is not None else customer.annual_income
        if income is None or income < threshold:
            return None
        return Reason.of(
            code,
            rule_id,
            income=income,
            threshold=threshold,
            signal=kind.value,
        )
    if kind is SignalKind.REFERRALS:
        if referral_count < threshold:
            return None
        return Reason.of(
            code,
            rule_id,
            referrals=referral_count,
            signal=kind.value,
        )
    breadth = len({h.product_id for h in customer.products_held})
    if breadth < threshold:
        return None
    return Reason.of(code, rule_id, products=breadth, signal=kind.value)
