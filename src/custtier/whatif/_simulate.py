"""Run two playbooks on one book and compare the decisions customer by customer."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from custtier._args import as_date, as_playbook, as_records
from custtier._error_codes import ErrorCode
from custtier._explain import ErrorRecord
from custtier._money import check_precision, exact_context
from custtier._progress import ProgressCallback
from custtier.cadence import Calendar, ManagerWeekLoad, plan_contacts
from custtier.errors import CusttierError, RecordValidationError
from custtier.models import Customer, Product, RelationshipManager
from custtier.rules import Playbook
from custtier.suitability import check_suitability, tier_services
from custtier.tiering import TierDecision, tier_book
from custtier.whatif._models import (
    EligibilityChange,
    KycChange,
    LoadChange,
    ManagerShift,
    MigrationCell,
    MovedCustomer,
    PolicyImpact,
    ServicesChange,
    SimulationError,
)
from custtier.whatif._services import cost_of, service_totals

__all__ = ["simulate"]


def simulate(  # keyword-only options
    book: Iterable[Customer | Mapping[str, Any]],
    current: Playbook,
    proposed: Playbook,
    *,
    as_of: dt.date,
    catalogue: Sequence[Product] | None = None,
    previous: Iterable[TierDecision] | None = None,
    plan: tuple[dt.date, dt.date] | None = None,
    managers: Iterable[RelationshipManager] = (),
    calendar: Calendar | None = None,
    progress: ProgressCallback | None = None,
) -> PolicyImpact:
    """The impact of replacing ``current`` with ``proposed`` on ``book`` on ``as_of``.

    Each side is :func:`~custtier.tier_book` of the whole book (so the Pareto
    cut is each playbook's cut of this book), with the same ``previous``
    decisions (for hysteresis). Product eligibility is compared over
    ``catalogue`` (none if ``None``) only where it can differ: for a customer
    whose tier moved, or for everyone when the playbooks' suitability inputs
    (``risk``, ``allocation``, tier ids, currency) differ; otherwise the
    check would give the same answer twice and is skipped. The cost is then
    customers x products checks per side.

    With ``plan=(start, end)``, each side's tiers are planned with
    :func:`~custtier.plan_contacts` over that horizon (``managers`` and
    ``calendar`` as there) and ``load`` compares the work per manager and
    ISO week; the cost is two whole plans. ``progress(done, total)`` counts
    records tiered over both sides (``total`` is twice the book).

    >>> import datetime as dt
    >>> from custtier import presets
    >>> book = [{"key": "C1", "monthly_balances": [
    ...     {"month": m, "average_daily_balance": "550000"} for m in ("2026-09", "2026-10")]}]
    >>> data = presets.PRACTICE.model_dump()
    >>> data["tiering"]["bases"][0]["bands"][1]["upper"] = "600000"
    >>> data["tiering"]["bases"][0]["bands"][2]["lower"] = "600000"
    >>> data["version"] = "2.0"
    >>> impact = simulate(book, presets.PRACTICE, Playbook.model_validate(data),
    ...                   as_of=dt.date(2026, 11, 30))
    >>> [(m.customer_key, m.current.tier, m.proposed.tier) for m in impact.moved]
    [('C1', 'high_end', 'mid_end')]
    """
    book = as_records(book, "book")
    current, proposed = as_playbook(current, "current"), as_playbook(proposed, "proposed")
    as_of = as_date(as_of, "as_of")
    records = [_parsed(r) for r in book]
    prev = tuple(previous) if previous is not None else None
    n = len(records)
    old_decisions, old_errors = _side(records, current, as_of, prev, _half(progress, 0, n))
    new_decisions, new_errors = _side(records, proposed, as_of, prev, _half(progress, n, n))
    old_by = {d.customer_key: d for d in old_decisions}
    new_by = {d.customer_key: d for d in new_decisions}
    customers = {r.key: r for r in records if isinstance(r, Customer)}
    positions = {r.key: i for i, r in enumerate(records) if isinstance(r, Customer)}
    both = sorted(old_by.keys() & new_by.keys())
    tiers = (*(t.id for t in current.tiers), *_extra(proposed, current))
    with exact_context():
        matrix = _matrix(both, old_by, new_by, customers, tiers)
    moved = tuple(
        MovedCustomer(customer_key=k, current=old_by[k], proposed=new_by[k])
        for k in both
        if old_by[k].outcome != new_by[k].outcome
    )
    errors = _errors(records, old_errors, new_errors)
    eligibility, more = _eligibility(
        both, old_by, new_by, customers, positions, catalogue or (), current, proposed, as_of
    )
    load = (
        _load(customers, (current, old_by), (proposed, new_by), plan, tuple(managers), calendar)
        if plan is not None
        else ()
    )
    return PolicyImpact(
        load=load,
        current=current.ref,
        proposed=proposed.ref,
        as_of=as_of,
        changes=current.diff(proposed),
        tiers=tiers,
        matrix=matrix,
        moved=moved,
        eligibility=eligibility,
        services=_services(both, old_by, new_by, current=current, proposed=proposed, as_of=as_of),
        kyc=_kyc(both, old_by, new_by),
        errors=tuple(errors),
        eligibility_errors=more,
        decided=len(both),
        managers=_managers(both, old_by, new_by, customers, tiers),
        service_totals=service_totals(matrix, current, proposed),
    )


def _parsed(record: Customer | Mapping[str, Any]) -> Customer | Mapping[str, Any]:
    # Validate once for both sides; an invalid record goes on as it came, and
    # tier_book turns it into the same error record on each side.
    if isinstance(record, Customer):
        return record
    try:
        return Customer.from_record(record)
    except RecordValidationError:
        return record


def _half(progress: ProgressCallback | None, before: int, n: int) -> ProgressCallback | None:
    """One side's tier_book progress as part of both sides' (``total`` = 2n)."""
    if progress is None:
        return None
    report = progress

    def half(done: int, total: int) -> None:
        # tier_book's total is the records it kept; scale to this side's n.
        report(before + (done * n // total if total else n), 2 * n)

    return half


def _side(
    records: Sequence[Customer | Mapping[str, Any]],
    playbook: Playbook,
    as_of: dt.date,
    previous: tuple[TierDecision, ...] | None,
    progress: ProgressCallback | None,
) -> tuple[tuple[TierDecision, ...], list[ErrorRecord]]:
    """One playbook's decisions and errors, indexed by position in ``records``.

    A previous decision in a tier this playbook lacks (a proposal that drops
    or renames a tier) makes its customer this side's error record, as
    ``tier_book`` and ``frames.tier_table`` do, rather than stopping the
    whole run; that customer is left out of this side's Pareto cut.
    """
    result = tier_book(records, playbook, as_of=as_of, previous=previous, progress=progress)
    return result.decisions, list(result.errors)


def _extra(proposed: Playbook, current: Playbook) -> tuple[str, ...]:
    known = {t.id for t in current.tiers}
    return tuple(t.id for t in proposed.tiers if t.id not in known)


def _matrix(
    keys: Sequence[str],
    old: Mapping[str, TierDecision],
    new: Mapping[str, TierDecision],
    customers: Mapping[str, Customer],
    tiers: Sequence[str],
) -> tuple[MigrationCell, ...]:
    pairs = [(a, b) for a in tiers for b in tiers]
    count = dict.fromkeys(pairs, 0)
    aum = dict.fromkeys(pairs, Decimal(0))
    profit = dict.fromkeys(pairs, Decimal(0))
    for k in keys:
        pair = (old[k].outcome, new[k].outcome)
        count[pair] += 1
        aum[pair] += customers[k].assets_under_management
        profit[pair] += customers[k].annual_profit_contribution
    return tuple(
        MigrationCell(
            from_tier=a, to_tier=b, customers=count[a, b], aum=aum[a, b], profit=profit[a, b]
        )
        for a, b in pairs
    )


def _managers(
    keys: Sequence[str],
    old: Mapping[str, TierDecision],
    new: Mapping[str, TierDecision],
    customers: Mapping[str, Customer],
    tiers: Sequence[str],
) -> tuple[ManagerShift, ...]:
    before: Counter[tuple[str | None, str]] = Counter()
    after: Counter[tuple[str | None, str]] = Counter()
    for k in keys:
        manager = customers[k].manager_id
        before[manager, old[k].outcome] += 1
        after[manager, new[k].outcome] += 1
    rank = {t: i for i, t in enumerate(tiers)}
    pairs = sorted(
        before.keys() | after.keys(), key=lambda p: (p[0] is not None, p[0] or "", rank[p[1]])
    )
    return tuple(
        ManagerShift(manager_id=m, tier=t, current=before[m, t], proposed=after[m, t])
        for m, t in pairs
        if before[m, t] != after[m, t]
    )


def _errors(
    records: Sequence[Customer | Mapping[str, Any]],
    old_errors: Sequence[ErrorRecord],
    new_errors: Sequence[ErrorRecord],
) -> list[SimulationError]:
    olds = {e.index: e for e in old_errors}
    news = {e.index: e for e in new_errors}
    out = []
    for index in sorted(olds.keys() | news.keys()):
        record = records[index]
        key = (olds.get(index) or news[index]).customer_key
        if isinstance(record, Customer):
            key = record.key
        out.append(
            SimulationError(
                index=index, customer_key=key, current=olds.get(index), proposed=news.get(index)
            )
        )
    return out


def _suitability_inputs(pb: Playbook) -> tuple[Any, ...]:
    return (pb.risk, pb.allocation, tuple(t.id for t in pb.tiers), pb.currency)


def _eligibility(  # noqa: PLR0917  # private: the two sides and what they share
    keys: Sequence[str],
    old_by: Mapping[str, TierDecision],
    new_by: Mapping[str, TierDecision],
    customers: Mapping[str, Customer],
    positions: Mapping[str, int],
    catalogue: Sequence[Product],
    current: Playbook,
    proposed: Playbook,
    as_of: dt.date,
) -> tuple[tuple[EligibilityChange, ...], tuple[ErrorRecord, ...]]:
    everyone = _suitability_inputs(current) != _suitability_inputs(proposed)
    out: list[EligibilityChange] = []
    failed: list[ErrorRecord] = []
    if not catalogue:
        return (), ()
    for k in keys:
        a, b = old_by[k], new_by[k]
        if not everyone and a.outcome == b.outcome:
            continue
        c = customers[k]
        try:
            for p in sorted(catalogue, key=lambda p: p.id):
                x = check_suitability(c, p, current, as_of=as_of, tier=a.outcome)
                y = check_suitability(c, p, proposed, as_of=as_of, tier=b.outcome)
                if x.allowed != y.allowed:
                    out.append(
                        EligibilityChange(
                            customer_key=k, product_id=p.id, gained=y.allowed, current=x, proposed=y
                        )
                    )
        except CusttierError as exc:  # e.g. a risk level one playbook does not define
            failed.append(
                ErrorRecord(
                    customer_key=k,
                    index=positions[k],
                    code=ErrorCode.INVALID_INPUT,
                    field=getattr(exc, "field", None),
                    message=str(exc),
                )
            )
    return tuple(out), tuple(failed)


def _services(
    keys: Sequence[str],
    old_by: Mapping[str, TierDecision],
    new_by: Mapping[str, TierDecision],
    *,
    current: Playbook,
    proposed: Playbook,
    as_of: dt.date,
) -> tuple[ServicesChange, ...]:
    # Entitlements depend on the tier only: one lookup per (side, tier).
    old_s = {t.id: tier_services("-", t.id, current, as_of=as_of).services for t in current.tiers}
    new_s = {t.id: tier_services("-", t.id, proposed, as_of=as_of).services for t in proposed.tiers}
    # A change in cost is one currency's: none across playbooks of different currencies.
    same = current.currency == proposed.currency
    old_cost = {s.id: s.annual_cost if same else None for s in current.services}
    new_cost = {s.id: s.annual_cost if same else None for s in proposed.services}
    out = []
    with exact_context():
        for k in keys:
            before, after = old_s[old_by[k].outcome], new_s[new_by[k].outcome]
            gained = tuple(s for s in after if s not in before)
            lost = tuple(s for s in before if s not in after)
            if gained or lost:
                plus, minus = cost_of(gained, new_cost), cost_of(lost, old_cost)
                change = None
                if plus is not None and minus is not None:
                    change = check_precision(plus - minus, proposed.currency)
                out.append(
                    ServicesChange(customer_key=k, gained=gained, lost=lost, cost_change=change)
                )
    return tuple(out)


def _kyc(
    keys: Sequence[str], old_by: Mapping[str, TierDecision], new_by: Mapping[str, TierDecision]
) -> tuple[KycChange, ...]:
    out = []
    for k in keys:
        unmet = tuple(i for i in new_by[k].kyc_gaps if i not in old_by[k].kyc_gaps)
        if unmet:
            out.append(KycChange(customer_key=k, tier=new_by[k].outcome, newly_unmet=unmet))
    return tuple(out)


def _load(  # noqa: PLR0917  # private: both sides and the plan's options
    customers: Mapping[str, Customer],
    old: tuple[Playbook, Mapping[str, TierDecision]],
    new: tuple[Playbook, Mapping[str, TierDecision]],
    plan: tuple[dt.date, dt.date],
    managers: tuple[RelationshipManager, ...],
    calendar: Calendar | None,
) -> tuple[LoadChange, ...]:
    start, end = plan
    sides: list[dict[tuple[str, str], ManagerWeekLoad]] = []
    for pb, decided in (old, new):
        book = [customers[k] for k in decided if k in customers]
        made = plan_contacts(
            book,
            pb,
            start=start,
            end=end,
            tiers=dict(decided),
            calendar=calendar,
            managers=managers,
        )
        sides.append({(w.manager_id, w.week): w for w in made.load})
    out = []
    for key in sorted(sides[0].keys() | sides[1].keys()):
        a, b = sides[0].get(key), sides[1].get(key)
        out.append(
            LoadChange(
                manager_id=key[0],
                week=key[1],
                current_minutes=a.booked_minutes if a else 0,
                proposed_minutes=b.booked_minutes if b else 0,
                current_touchpoints=a.touchpoints if a else 0,
                proposed_touchpoints=b.touchpoints if b else 0,
                current_unscheduled=a.unscheduled if a else 0,
                proposed_unscheduled=b.unscheduled if b else 0,
            )
        )
    return tuple(out)
