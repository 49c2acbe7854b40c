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
from typing import Any, NamedTuple

from pydantic import BaseModel

from custtier import _json_out
from custtier._args import as_customer, as_date, as_playbook, as_products, as_tier, unchanging
from custtier._cache import module_cache
from custtier._deferred import PENDING, raw_set, renders, writes
from custtier._explain import Reason, ReasonCode, construct
from custtier._money import check_amount, check_precision, exact_context, split
from custtier._tier_arg import TierLike
from custtier.errors import InputError
from custtier.models import Customer, Need, Product
from custtier.rules import CategoryWeight, Playbook, Remainder
from custtier.suitability._at_sale import AgeSource, elderly_sources, valid_assessment
from custtier.suitability._check import (
    Buyer,
    Codes,
    buyer,
    capped_level,
    codes_for,
    require_known_level,
    require_known_tier,
    traced,
)
from custtier.suitability._explanation import Explanation, explain
from custtier.suitability._models import AllocationDecision, AllocationLine, Condition, Exclusion
from custtier.suitability._plan import SuitabilityPlan, suitability_plan
from custtier.suitability._tables import RiskTables, risk_tables
from custtier.suitability._trace import SuitabilityOutcome

_ALLOWED = SuitabilityOutcome.ALLOWED

__all__ = ["allocate"]

_WEIGHT = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class _Sale:
    """What every sale of one allocation shares: the day, the tier, the channel, the buyer."""

    as_of: dt.date
    tier: str | None
    in_branch: bool
    who: Buyer  # the customer's side of every check, read once
    plan: SuitabilityPlan
    needs: frozenset[Need]  # the customer's needs, for the order of preference
    codes: Codes  # the trace keys found for buyers like this one (_check.codes_for)


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
    t = risk_tables(playbook)
    shelf = shelf_of(catalogue, t, person.currency)
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
        return _allocate(person, total, shelf, t, as_of=as_of, tier=tier_, in_branch=in_branch)


class Shelf(NamedTuple):
    """A catalogue as allocation reads it: by category, and what the playbook cannot place."""

    by_category: dict[str, list[Product]]  # read only: shared by every allocation over it
    unplaceable: tuple[tuple[str, Reason], ...]  # product id and why, in catalogue order


#: Catalogues kept per risk tables (more are read each time, never wrong).
_SHELVES_LIMIT = 64


def shelf_of(catalogue: object, t: RiskTables, currency: str) -> Shelf:
    """The catalogue sorted by category for a customer in ``currency``; refused if malformed.

    A tuple of products cannot change, so it is read once per currency and
    kept, keyed by its identity (the entry holds it, so the id is not
    reused while it lives): a session allocating for customer after
    customer over one shelf reads it once. A list, or a tuple holding
    records, is read each time.
    """
    key = (id(catalogue), currency)
    hit = t.shelves.get(key)
    if hit is not None and hit[0] is catalogue:
        shelf: Shelf = hit[1]
        return shelf
    products = _unique(as_products(catalogue))
    problems: dict[str, list[Reason]] = {}
    by_category = _by_category(products, t, currency, problems)
    shelf = Shelf(by_category, tuple((pid, rs[0]) for pid, rs in problems.items()))
    if unchanging(catalogue) and len(t.shelves) < _SHELVES_LIMIT:
        t.shelves[key] = (catalogue, shelf)
    return shelf


def _unique(products: list[Product]) -> list[Product]:
    ids = [p.id for p in products]
    if len(set(ids)) != len(ids):
        raise InputError("catalogue lists a product id more than once", field="catalogue")
    return products


def _allocate(  # one procedure, kept in one place for reading
    customer: Customer,
    total: Decimal,
    shelf: Shelf,
    t: RiskTables,
    *,
    as_of: dt.date,
    tier: str | None,
    in_branch: bool,
) -> AllocationDecision:
    pb = t.playbook
    alloc = pb.allocation
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
    # A product the playbook cannot place is excluded first (its own list: more may follow).
    excluded: dict[str, list[Reason]] = {pid: [why] for pid, why in shelf.unplaceable}
    by_category = shelf.by_category

    remainder = Decimal(0)
    left: list[Reason] = []
    code = ReasonCode.ALLOC_CASH if alloc.remainder is Remainder.CASH else ReasonCode.ALLOC_UNPLACED
    plan = suitability_plan(pb)
    who = buyer(customer, plan, as_of)
    codes = codes_for(who, plan, tier, in_branch)
    sale = _Sale(as_of, tier, in_branch, who, plan, frozenset(customer.needs), codes)
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
    outcome = level if level is not None and level in t.portfolio else RISK_FREE_ONLY
    return _pending(customer.key, outcome, reasons, t, as_of, total, lines, unplaced, excluded)


def _by_category(
    products: Sequence[Product],
    t: RiskTables,
    currency: str,
    excluded: dict[str, list[Reason]],
) -> dict[str, list[Product]]:
    """The catalogue's products by category, each one the playbook cannot place excluded."""
    by_category: dict[str, list[Product]] = {}
    rank, categories, risk_free = t.product_rank, t.categories, t.risk_free
    for p in products:
        category = p.category
        # The common product passes every check of _unknown; only a doubtful one is asked.
        if (
            p.currency != currency
            or category not in categories
            or p.risk_level not in rank
            or (category in risk_free and rank[p.risk_level] > 0)
        ):
            problem = _unknown(p, t, currency)
            if problem is not None:
                excluded[p.id] = [problem]
                continue
        by_category.setdefault(category, []).append(p)
    return by_category


def _pending(  # noqa: PLR0917  # private constructor of one decision, fields in order
    key: str,
    outcome: str,
    reasons: list[Reason],
    t: RiskTables,
    as_of: dt.date,
    total: Decimal,
    lines: list[AllocationLine],
    unplaced: Decimal,
    excluded: dict[str, list[Reason]],
) -> AllocationDecision:
    """The decision, its exclusions built as models when read (every other field is built)."""
    if not reasons:  # a portfolio or the cash rule always speaks: none is a bug
        raise ValueError("a decision needs at least one reason")
    held: set[Condition] = set()
    for line in lines:
        held.update(line.conditions)
    record = {
        "kind": _KIND,
        "customer_key": key,
        "outcome": outcome,
        "reasons": tuple(reasons),
        "playbook": t.ref,
        "schema_version": _SCHEMA,
        "custtier_version": _VERSION,
        "as_of": as_of,
        "amount": total,
        "currency": t.playbook.currency,
        "lines": tuple(lines),
        "unplaced": unplaced,
        # Each exclusion as (product id, reasons): built into Exclusion models when read.
        "excluded": tuple([(pid, tuple(rs)) for pid, rs in sorted(excluded.items())]),
        "conditions": tuple([c for c in _CONDITIONS if c in held]),
    }
    decision = _new(AllocationDecision)  # :func:`custtier._deferred.deferred`, without its call
    _raw_set(
        decision,
        {"customer_key": key, "outcome": outcome, "amount": total, PENDING: record},
    )
    return decision


_new = object.__new__
_raw_set = raw_set
_CONDITIONS = tuple(Condition)  # in Condition order (iterating the enum is slow on a hot path)
#: The decision's fields the engine never varies (the model's defaults).
_KIND, _SCHEMA, _VERSION = (
    AllocationDecision.model_fields[name].default
    for name in ("kind", "schema_version", "custtier_version")
)


@renders(AllocationDecision)
def fields_of(record: dict[str, Any]) -> dict[str, Any]:
    """Every field of an allocation, in field order: its exclusions built as models."""
    return {
        **record,
        "excluded": tuple(
            [
                construct(Exclusion, {"product_id": pid, "reasons": rs})
                for pid, rs in record["excluded"]
            ]
        ),
    }


#: The fields the writer below knows, in each model's order (a test holds them equal).
#: The decision header repeats suitability/_explanation.py's on purpose: each list is
#: its own writer's claim, so a field added to Decision turns off only writers not yet taught it.
JSON_FIELDS: dict[type[BaseModel], tuple[str, ...]] = {
    AllocationDecision: (
        "kind",
        "customer_key",
        "outcome",
        "reasons",
        "playbook",
        "schema_version",
        "custtier_version",
        "as_of",
        "amount",
        "currency",
        "lines",
        "unplaced",
        "excluded",
        "conditions",
    ),
    AllocationLine: (
        "product_id",
        "category",
        "amount",
        "weight",
        "reasons",
        "conditions",
        "cooling_off_hours",
    ),
    Exclusion: ("product_id", "reasons"),
}
_WRITABLE = all(tuple(cls.__pydantic_fields__) == names for cls, names in JSON_FIELDS.items())
# Reasons and the playbook reference, written once each: an allocation's reasons are the
# playbook's shared ones (weights, exclusions, suitability blocks) but for a few of its own.
_fragments = module_cache(_json_out.Fragments(), "suitability._allocate._fragments")
_string, _decimal = _json_out.string, _json_out.decimal
# An exclusion's JSON by its product id and the identity of its (mostly shared) reasons.
_exclusions: dict[tuple[Any, ...], tuple[tuple[Reason, ...], str]] = module_cache(
    {}, "suitability._allocate._exclusions"
)
_EXCLUSIONS_LIMIT = 8192


@writes(AllocationDecision)
def json_of(record: dict[str, Any]) -> str | None:
    """``model_dump_json()`` of a pending allocation, spliced; ``None`` if it cannot be.

    tests/test_json_out.py holds the bytes equal to pydantic's.
    """
    key, as_of = record["customer_key"], record["as_of"]
    if not _WRITABLE or type(key) is not str or type(as_of) is not dt.date:
        return None
    get, write = _fragments.get_entry, _fragments

    def reasons(rs: tuple[Reason, ...]) -> str:
        out = []
        for r in rs:
            hit = get(id(r))
            out.append(hit[1] if hit is not None and hit[0] is r else write(r))
        return ",".join(out)

    lines = [
        f'{{"product_id":{"null" if line.product_id is None else _string(line.product_id)}'
        f',"category":{_string(line.category)},"amount":{_decimal(line.amount)}'
        f',"weight":{_decimal(line.weight)},"reasons":[{reasons(line.reasons)}]'
        f',"conditions":[{",".join([_string(c.value) for c in line.conditions])}]'
        f',"cooling_off_hours":{int(line.cooling_off_hours)}}}'
        for line in record["lines"]
    ]
    excluded = []
    memo = _exclusions
    for pid, rs in record["excluded"]:
        # The entry holds its reasons, so their ids are not reused while it lives.
        k = (pid, *map(id, rs))
        hit = memo.get(k)
        if hit is None:
            if len(memo) >= _EXCLUSIONS_LIMIT:
                memo.clear()
            hit = memo[k] = (rs, f'{{"product_id":{_string(pid)},"reasons":[{reasons(rs)}]}}')
        excluded.append(hit[1])
    return _json_out.finish(
        [
            f'{{"kind":{_string(record["kind"])},"customer_key":{_string(key)}',
            f',"outcome":{_string(record["outcome"])},"reasons":[{reasons(record["reasons"])}]',
            f',"playbook":{write(record["playbook"])}',
            f',"schema_version":{int(record["schema_version"])}',
            f',"custtier_version":{_string(record["custtier_version"])}',
            f',"as_of":{_json_out.date(as_of)},"amount":{_decimal(record["amount"])}',
            f',"currency":{_string(record["currency"])},"lines":[{",".join(lines)}]',
            f',"unplaced":{_decimal(record["unplaced"])},"excluded":[{",".join(excluded)}]',
            f',"conditions":[{",".join([_string(c.value) for c in record["conditions"]])}]}}',
        ]
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
            why.setdefault(cat, []).append(_need_reason(t, ",".join(needs)))
    key = (ReasonCode.ALLOC_MODEL_WEIGHT, level)
    reasons.append(
        t.reasons.peek(key)
        or t.reasons.get(
            key,
            lambda: Reason.of(
                ReasonCode.ALLOC_MODEL_WEIGHT, portfolio.rule_id, case="portfolio", level=level
            ),
        )
    )
    return shares, why


def _need_reason(t: RiskTables, needs: str) -> Reason:
    """The needs a category serves: shared per set of needs (a few of a closed list)."""
    key = (ReasonCode.ALLOC_NEED, needs)
    alloc = t.playbook.allocation
    return t.reasons.peek(key) or t.reasons.get(
        key,
        lambda: Reason.of(
            ReasonCode.ALLOC_NEED, alloc.rule_id, needs=needs, needs_share=alloc.needs_share
        ),
    )


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
    key = (ReasonCode.ALLOC_MODEL_WEIGHT, level, w.category)
    return t.reasons.peek(key) or t.reasons.get(
        key,
        lambda: Reason.of(
            ReasonCode.ALLOC_MODEL_WEIGHT, rule_id, case="weight", weight=w.weight, level=level
        ),
    )


def _unknown(p: Product, t: RiskTables, currency: str) -> Reason | None:
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
    if p.currency != currency:
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
    plan, needs, tier, codes = sale.plan, sale.needs, sale.tier, sale.codes
    suitable: list[tuple[Product, Explanation]] = []
    for p in candidates:
        # The explanation table's answer, and only the blocks rendered (no decision built).
        tr = traced(codes, sale.who, p, plan, sale.as_of, tier, sale.in_branch)
        x = plan.explanations.peek(tr.key) or explain(plan, tr.key)
        if x.outcome is _ALLOWED:
            suitable.append((p, x))
        else:
            excluded[p.id] = [render(tr, e) for render, e in x.steps if e.blocks]
    suitable.sort(key=lambda px: _preference(px[0], tier, needs))
    chosen: tuple[Product, Decimal, Explanation] | None = None
    passed_over: list[Reason] | None = None  # the one "preferred" reason of this category
    for p, x in suitable:
        if chosen is not None:
            if passed_over is None:
                passed_over = [_preferred_reason(t, chosen[0].id, category)]
            excluded[p.id] = passed_over.copy()
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
        chosen = (p, p.minimum_investment + steps * p.increment, x)
    if chosen is None:
        return Decimal(0), None
    product, placed, x = chosen
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
    # The line is sold as check_suitability decides a sale of this product for this amount:
    # ``placed`` is on the product's grid (minimum plus whole increments, not below the
    # minimum, exact), so the amount check passes and the sale keeps the allowed candidate's
    # conditions (tests/test_suitability_properties.py checks each line against the call).
    return placed, _line(
        product.id, category, placed, total, (*why, pick), x.conditions, product.cooling_off_hours
    )


def _preference(p: Product, tier: str | None, needs: frozenset[Need]) -> tuple[Any, ...]:
    """The order of preference: reserved for the tier, serving a need, lowest minimum, id."""
    return (
        tier not in p.reserved_for_tiers,
        needs.isdisjoint(p.needs_served),
        p.minimum_investment,
        p.id,
    )


def _preferred_reason(t: RiskTables, preferred: str, category: str) -> Reason:
    """Passed over for the category's preferred product: shared per product and category."""
    key = (ReasonCode.ALLOC_EXCLUDED, "preferred", preferred, category)
    return t.reasons.peek(key) or t.reasons.get(
        key,
        lambda: Reason.of(
            ReasonCode.ALLOC_EXCLUDED,
            t.playbook.allocation.rule_id,
            case="preferred",
            preferred=preferred,
            category=category,
        ),
    )


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
