"""Spread an amount over suitable products, following the level's model portfolio.

The procedure, in order (each step deterministic):

1. **Level.** A valid risk assessment gives the customer level and its model
   portfolio; without one the whole amount goes to the cash category.
2. **Shares.** The amount is split exactly (largest remainder, in minor
   units) into the model part and, if the customer has needs the playbook
   maps to categories, ``needs_share`` for those categories in equal parts.
3. **Products.** Each category's share goes to one suitable product of that
   category, preferring products reserved for the customer's tier, then
   products serving the customer's needs, then the lowest minimum, then the
   product id. The product takes the largest amount on its
   ``minimum + k × increment`` grid not above the share.
4. **Remainder.** What no product could take is kept in a cash line, or
   reported as unplaced, as the playbook says. Lines plus unplaced equal
   the amount to the last minor unit.

Removing a product from the catalogue changes only its own category: the
next preferred product of that category takes the share, or it falls to
the remainder (the documented redistribution).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from custtier._args import as_customer, as_date, as_playbook, as_products, as_tier
from custtier._explain import Reason, ReasonCode, construct
from custtier._money import check_amount, check_precision, exact_context, split
from custtier._tier_arg import TierLike
from custtier.errors import InputError
from custtier.models import Customer, Product
from custtier.rules import CategoryWeight, Playbook, Remainder
from custtier.suitability._at_sale import AgeSource, elderly_sources, valid_assessment
from custtier.suitability._check import (
    Buyer,
    buyer,
    capped_level,
    require_known_level,
    require_known_tier,
    trace_of,
)
from custtier.suitability._explanation import explain
from custtier.suitability._models import AllocationDecision, AllocationLine, Condition, Exclusion
from custtier.suitability._plan import suitability_plan
from custtier.suitability._tables import RiskTables, risk_tables
from custtier.suitability._trace import SuitabilityOutcome

__all__ = ["allocate"]

_WEIGHT = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class _Sale:
    """What every sale of one allocation shares: the day, the tier, the channel, the buyer."""

    as_of: dt.date
    tier: str | None
    in_branch: bool
    who: Buyer  # the customer's side of every check, read once


RISK_FREE_ONLY = "risk_free_only"


def allocate(
    customer: Customer | Mapping[str, Any],
    amount: Decimal | int | str,
    catalogue: Iterable[Product | Mapping[str, Any]],
    playbook: Playbook,
    *,
    as_of: dt.date,
    tier: TierLike | None = None,
    in_branch: bool = False,
) -> AllocationDecision:
    """Allocate ``amount`` for ``customer`` over ``catalogue`` (see the module docstring).

    Each product line carries the conditions of sale :func:`check_suitability`
    attaches to that product and amount (``tier`` and ``in_branch`` as given):
    cooling-off, extra confirmation for an elderly customer, a recorded
    in-branch sale; the decision's ``conditions`` are their union.

    >>> import datetime as dt
    >>> from custtier import Customer, Product, presets
    >>> c = Customer(key="C1", risk_assessment={"level": "conservative", "score": 20,
    ...     "assessed_on": "2026-03-01", "valid_until": "2027-02-28"})
    >>> catalogue = [
    ...     Product(id="TD-1", name="1y deposit", category="deposit", risk_level="low",
    ...             minimum_investment="50.00", increment="0.01"),
    ...     Product(id="MM-1", name="Money fund", category="money_market", risk_level="low",
    ...             minimum_investment="1.00", increment="0.01"),
    ... ]
    >>> d = allocate(c, "100000.00", catalogue, presets.PRACTICE, as_of=dt.date(2026, 11, 30))
    >>> [(l.product_id, str(l.amount)) for l in d.lines]
    [('TD-1', '40000.00'), ('MM-1', '20000.00'), (None, '40000.00')]
    >>> sum(l.amount for l in d.lines) + d.unplaced
    Decimal('100000.00')
    """
    person = as_customer(customer)  # a request may be any JSON
    tier_ = as_tier(tier, person.key)
    as_of, playbook = as_date(as_of, "as_of"), as_playbook(playbook)
    products = _unique(as_products(catalogue))
    t = risk_tables(playbook)
    total = check_precision(check_amount(amount), playbook.currency)
    if total < 0:
        raise InputError("amount must not be negative", field="amount")
    if person.currency != playbook.currency:
        raise InputError("customer currency differs from the playbook's", field="currency")
    if not isinstance(in_branch, bool):  # a JSON "false" must not sell as a counter sale
        raise InputError("in_branch must be true or false", field="in_branch")
    require_known_tier(tier_, t)
    require_known_level(person, t)  # a level from another playbook is an error, not "no assessment"
    with exact_context():
        return _allocate(person, total, products, t, as_of=as_of, tier=tier_, in_branch=in_branch)


def _unique(products: list[Product]) -> list[Product]:
    ids = [p.id for p in products]
    if len(set(ids)) != len(ids):
        raise InputError("catalogue lists a product id more than once", field="catalogue")
    return products


def _allocate(  # one procedure, kept in one place for reading
    customer: Customer,
    total: Decimal,
    products: Sequence[Product],
    t: RiskTables,
    *,
    as_of: dt.date,
    tier: str | None,
    in_branch: bool,
) -> AllocationDecision:
    pb = t.playbook
    alloc = pb.allocation
    currency = pb.currency
    ra = valid_assessment(customer, t, as_of)
    reasons: list[Reason] = []
    level = None
    if ra is not None:
        elderly = elderly_sources(customer, t, as_of)
        level = capped_level(ra.level, t, elderly)
        if level != ra.level:
            reasons.append(_capped_reason(t, ra.level, level, elderly))

    shares, why = _shares(customer, total, t, level, reasons)
    lines: list[AllocationLine] = []
    excluded: dict[str, list[Reason]] = {}
    by_category: dict[str, list[Product]] = {}
    for p in products:
        problem = _unknown(p, t, customer)
        if problem is not None:
            excluded[p.id] = [problem]
            continue
        by_category.setdefault(p.category, []).append(p)

    remainder = Decimal(0)
    left: list[Reason] = []
    code = ReasonCode.ALLOC_CASH if alloc.remainder is Remainder.CASH else ReasonCode.ALLOC_UNPLACED
    sale = _Sale(as_of, tier, in_branch, buyer(customer, suitability_plan(pb), as_of))
    for category, share in shares.items():
        placed, line = _place(
            customer,
            category,
            share,
            by_category.get(category, []),
            t,
            sale=sale,
            excluded=excluded,
            why=why[category],
            total=total,
        )
        if line is not None:
            lines.append(line)
        if placed < share:
            remainder += share - placed
            left.append(
                Reason.of(
                    code,
                    alloc.rule_id,
                    case="no_product" if line is None else "remainder",
                    category=category,
                    share=share,
                    placed=placed,
                    left=share - placed,
                )
            )
    for category, members in by_category.items():
        if category not in shares:
            no_share = _excluded_reason(t, case="no_share", category=category)
            for p in members:
                excluded.setdefault(p.id, []).append(no_share)

    unplaced = Decimal(0)
    reasons.extend(left)
    if remainder and alloc.remainder is Remainder.CASH:
        lines.append(_line(None, alloc.cash_category, remainder, total, tuple(left)))
    elif remainder:
        unplaced = remainder
    return AllocationDecision.trusted(
        customer_key=customer.key,
        outcome=level if level is not None and level in t.portfolio else RISK_FREE_ONLY,
        reasons=tuple(reasons),
        playbook=t.ref,
        as_of=as_of,
        amount=total,
        currency=currency,
        lines=tuple(lines),
        unplaced=unplaced,
        excluded=tuple(
            construct(Exclusion, {"product_id": pid, "reasons": tuple(rs)})
            for pid, rs in sorted(excluded.items())
        ),
        conditions=tuple(c for c in Condition if any(c in line.conditions for line in lines)),
    )


def _shares(
    customer: Customer,
    total: Decimal,
    t: RiskTables,
    level: str | None,
    reasons: list[Reason],
) -> tuple[dict[str, Decimal], dict[str, list[Reason]]]:
    """Category shares of ``total`` (exact), with the reasons behind each."""
    alloc = t.playbook.allocation
    currency = t.playbook.currency
    if level is None or level not in t.portfolio:
        reason = t.reasons.get(
            ReasonCode.ALLOC_NO_ASSESSMENT,
            lambda: Reason.of(
                ReasonCode.ALLOC_NO_ASSESSMENT, alloc.rule_id, category=alloc.cash_category
            ),
        )
        reasons.append(reason)
        return {alloc.cash_category: total}, {alloc.cash_category: [reason]}
    shares: dict[str, Decimal] = {}
    why: dict[str, list[Reason]] = {}
    portfolio = t.portfolio[level]
    need_cats = sorted({alloc.need_categories[n] for n in customer.needs
                        if n in alloc.need_categories})  # fmt: skip
    needs_share = alloc.needs_share if need_cats else Decimal(0)
    model_part, needs_part = split(total, [1 - needs_share, needs_share], currency)
    weights = [w.weight for w in portfolio.weights]
    for w, part in zip(portfolio.weights, split(model_part, weights, currency), strict=True):
        shares[w.category] = shares.get(w.category, Decimal(0)) + part
        why.setdefault(w.category, []).append(_weight_reason(t, portfolio.rule_id, level, w))
    if need_cats:
        parts = split(needs_part, [Decimal(1)] * len(need_cats), currency)
        for cat, part in zip(need_cats, parts, strict=True):
            shares[cat] = shares.get(cat, Decimal(0)) + part
            needs = sorted(n.value for n in customer.needs if alloc.need_categories.get(n) == cat)
            why.setdefault(cat, []).append(
                Reason.of(
                    ReasonCode.ALLOC_NEED,
                    alloc.rule_id,
                    needs=",".join(needs),
                    needs_share=needs_share,
                )
            )
    reasons.append(
        t.reasons.get(
            (ReasonCode.ALLOC_MODEL_WEIGHT, level),
            lambda: Reason.of(
                ReasonCode.ALLOC_MODEL_WEIGHT, portfolio.rule_id, case="portfolio", level=level
            ),
        )
    )
    return shares, why


def _capped_reason(
    t: RiskTables, level: str, capped: str, elderly: tuple[AgeSource, ...]
) -> Reason:
    age_from = ",".join(e.value for e in elderly)
    return t.reasons.get(
        (ReasonCode.RISK_ELDERLY_CAP, level, elderly),
        lambda: Reason.of(
            ReasonCode.RISK_ELDERLY_CAP,
            "risk.elderly",
            case="allocation",
            scored_level=level,
            capped_level=capped,
            elderly_age=t.elderly_age,
            age_from=age_from,
        ),
    )


def _excluded_reason(t: RiskTables, **facts: str) -> Reason:
    """An ALLOC_EXCLUDED reason that depends only on the playbook and its facts, shared."""
    # Each call site names its facts in one order, so the key needs no sorting.
    key = (ReasonCode.ALLOC_EXCLUDED, *facts.items())
    rule_id = t.playbook.allocation.rule_id
    return t.reasons.peek(key) or t.reasons.get(
        key, lambda: Reason.of(ReasonCode.ALLOC_EXCLUDED, rule_id, **facts)
    )


def _weight_reason(t: RiskTables, rule_id: str, level: str, w: CategoryWeight) -> Reason:
    return t.reasons.get(
        (ReasonCode.ALLOC_MODEL_WEIGHT, level, w.category),
        lambda: Reason.of(
            ReasonCode.ALLOC_MODEL_WEIGHT, rule_id, case="weight", weight=w.weight, level=level
        ),
    )


def _unknown(p: Product, t: RiskTables, customer: Customer) -> Reason | None:
    rule = t.playbook.allocation.rule_id
    if p.risk_level not in t.product_rank:
        return Reason.of(
            ReasonCode.ALLOC_EXCLUDED, rule, case="unknown_level", risk_level=p.risk_level
        )
    if p.category not in t.categories:
        return Reason.of(
            ReasonCode.ALLOC_EXCLUDED, rule, case="unknown_category", category=p.category
        )
    if p.category in t.risk_free and t.product_rank[p.risk_level] > 0:
        return Reason.of(
            ReasonCode.ALLOC_EXCLUDED,
            rule,
            case="misfiled",
            category=p.category,
            risk_level=p.risk_level,
        )
    if p.currency != customer.currency:
        return Reason.of(ReasonCode.ALLOC_EXCLUDED, rule, case="currency", currency=p.currency)
    return None


def _place(
    customer: Customer,
    category: str,
    share: Decimal,
    candidates: list[Product],
    t: RiskTables,
    *,
    sale: _Sale,
    excluded: dict[str, list[Reason]],
    why: list[Reason],
    total: Decimal,
) -> tuple[Decimal, AllocationLine | None]:
    """Give ``share`` to the most preferred suitable product of ``category``."""
    rule = t.playbook.allocation.rule_id
    plan = suitability_plan(t.playbook)
    needs = set(customer.needs)
    suitable = []
    for p in candidates:
        # The explanation table's answer, and only the blocks rendered (no decision built).
        tr = trace_of(sale.who, p, plan, sale.as_of, sale.tier, None, sale.in_branch)
        x = explain(plan, tr.key)
        if x.outcome is SuitabilityOutcome.ALLOWED:
            suitable.append(p)
        else:
            excluded[p.id] = [render(tr, e) for render, e in x.steps if e.blocks]
    suitable.sort(key=lambda p: (sale.tier not in p.reserved_for_tiers, not needs & set(p.needs_served),
                                 p.minimum_investment, p.id))  # fmt: skip
    chosen: tuple[Product, Decimal] | None = None
    for p in suitable:
        if chosen is not None:
            preferred = chosen[0].id
            excluded[p.id] = [
                _excluded_reason(t, case="preferred", preferred=preferred, category=category)
            ]
            continue
        if share < p.minimum_investment:
            excluded[p.id] = [
                Reason.of(
                    ReasonCode.ALLOC_EXCLUDED,
                    rule,
                    case="below_minimum",
                    category=category,
                    share=share,
                    minimum=p.minimum_investment,
                )
            ]
            continue
        steps = (share - p.minimum_investment) // p.increment
        chosen = (p, p.minimum_investment + steps * p.increment)
    if chosen is None:
        return Decimal(0), None
    product, placed = chosen
    if placed == 0:  # a zero share, or one smaller than the product's increment
        excluded[product.id] = [
            Reason.of(
                ReasonCode.ALLOC_EXCLUDED,
                rule,
                case="too_small",
                category=category,
                share=share,
                increment=product.increment,
            )
        ]
        return Decimal(0), None
    pick = Reason.of(
        ReasonCode.ALLOC_PRODUCT,
        rule,
        product=product.id,
        category=category,
        share=share,
        placed=placed,
        product_level=product.risk_level,
    )
    # The line is sold as check_suitability decides a sale of this product for this amount.
    sold = trace_of(sale.who, product, plan, sale.as_of, sale.tier, placed, sale.in_branch)
    x = explain(plan, sold.key)
    hours = product.cooling_off_hours if x.outcome is SuitabilityOutcome.ALLOWED else 0
    return placed, _line(product.id, category, placed, total, (*why, pick), x.conditions, hours)


def _line(  # noqa: PLR0917  # private constructor of one line, fields in order
    product_id: str | None,
    category: str,
    amount: Decimal,
    total: Decimal | None,
    reasons: tuple[Reason, ...],
    conditions: tuple[Condition, ...] = (),
    cooling_off_hours: int = 0,
) -> AllocationLine:
    weight = Decimal(0) if not total else (amount / total).quantize(_WEIGHT, ROUND_HALF_EVEN)
    return construct(
        AllocationLine,
        {
            "product_id": product_id,
            "category": category,
            "amount": amount,
            "weight": weight,
            "reasons": reasons,
            "conditions": conditions,
            "cooling_off_hours": cooling_off_hours,
        },
    )
