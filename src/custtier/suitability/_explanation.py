"""The one explanation table: a suitability trace (plus its facts) in, outcome and reasons out.

:func:`explain` says, for a trace's key, whether the sale is allowed, its
conditions of sale, and which reasons it has in which order citing which
rule: the blocks (level, reservation, amount), then the notes (level,
cooling-off, elderly confirmation, recorded sale). A pure function of the
key, memoised per plan. The scalar engine renders each entry into a
:class:`Reason` with the facts it quotes (:func:`decision_of`);
``custtier.frames.suitability_table`` asks once per distinct key in a
table and lays out the codes, rule ids and conditions for every row.
Neither path orders reasons or decides the outcome by itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, NamedTuple

from custtier import _json_out
from custtier._cache import module_cache
from custtier._deferred import PENDING, raw_set, renders, writes
from custtier._explain import Reason, ReasonCode, construct
from custtier.models import Product
from custtier.suitability._at_sale import ValidityBound
from custtier.suitability._models import Condition, SuitabilityDecision
from custtier.suitability._plan import SuitabilityPlan
from custtier.suitability._trace import (
    AmountCheck,
    LevelStep,
    SaleFlag,
    SuitabilityOutcome,
    SuitabilityTrace,
    TierCheck,
    TraceKey,
)

__all__ = [
    "Entry",
    "Explanation",
    "decision_of",
    "explain",
    "fields_of",
    "json_of",
    "rendered_decision",
]

#: The rule id a check without any rule that spoke cites.
NO_CHECKS_RULE = "suit"


Render = Callable[["SuitabilityTrace", "Entry"], Reason]


class Entry(NamedTuple):
    """One reason of a decision: its code and rule id, and whether it blocks the sale."""

    code: ReasonCode
    rule_id: str
    blocks: bool


class Explanation(NamedTuple):
    """What a trace key means: the outcome, the reasons in order, the conditions of sale."""

    outcome: SuitabilityOutcome
    entries: tuple[Entry, ...]
    conditions: tuple[Condition, ...]  # of an allowed sale; () when blocked
    steps: tuple[tuple[Render, Entry], ...]  # each entry with its renderer, looked up once


def explain(plan: SuitabilityPlan, key: TraceKey) -> Explanation:
    """The outcome, reasons and conditions of a trace with ``key`` (built once per key)."""
    found = plan.explanations.peek(key)
    if found is None:
        found = plan.explanations.get(key, lambda: _explain(plan, key))
    return found


_LEVEL_BLOCKS = {
    LevelStep.NO_ASSESSMENT: ReasonCode.SUIT_NO_ASSESSMENT,
    LevelStep.EXPIRED: ReasonCode.SUIT_ASSESSMENT_EXPIRED,
}
#: The conditions of sale, in the order their notes come: flag, reason code, condition.
_SALE = (
    (SaleFlag.COOLING_OFF, ReasonCode.SUIT_COOLING_OFF, Condition.COOLING_OFF),
    (SaleFlag.EXTRA_CONFIRMATION, ReasonCode.SUIT_ELDERLY_CONFIRM, Condition.EXTRA_CONFIRMATION),
    (SaleFlag.RECORDED_SALE, ReasonCode.SUIT_RECORDED_SALE, Condition.RECORDED_SALE),
)
_AMOUNT_BLOCKS = {
    AmountCheck.BELOW_MINIMUM: ReasonCode.SUIT_BELOW_MINIMUM,
    AmountCheck.OFF_INCREMENT: ReasonCode.SUIT_OFF_INCREMENT,
}


def _explain(plan: SuitabilityPlan, key: TraceKey) -> Explanation:
    out: list[Entry] = []
    level = key.level
    if level == LevelStep.ELDERLY_CAPPED:
        out.append(Entry(ReasonCode.SUIT_ELDERLY_CAP, "risk.elderly", blocks=True))
    elif level in _LEVEL_BLOCKS and plan.required is not None:
        out.append(Entry(_LEVEL_BLOCKS[LevelStep(level)], plan.required, blocks=True))
    elif level == LevelStep.EXCEEDED:
        out.append(Entry(ReasonCode.SUIT_LEVEL_EXCEEDED, plan.matrix_rules[key.row], blocks=True))
    if key.tier == TierCheck.RESERVED and plan.reservation is not None:
        out.append(Entry(ReasonCode.SUIT_RESERVED, plan.reservation, blocks=True))
    if key.amount in _AMOUNT_BLOCKS and plan.grid is not None:
        out.append(Entry(_AMOUNT_BLOCKS[AmountCheck(key.amount)], plan.grid, blocks=True))
    allowed = not out
    if level == LevelStep.RISK_FREE:
        out.append(Entry(ReasonCode.SUIT_RISK_FREE, plan.risk_free_rule, blocks=False))
    elif level == LevelStep.WITHIN:
        out.append(Entry(ReasonCode.SUIT_LEVEL_OK, plan.matrix_rules[key.row], blocks=False))
    conditions: list[Condition] = []
    rules = (plan.cooling, plan.elderly, plan.recorded)  # the policy's rule of each, in _SALE order
    for (flag, code, condition), rule in zip(_SALE, rules, strict=True):
        if key.sale & flag and rule is not None:
            out.append(Entry(code, rule, blocks=False))
            conditions.append(condition)
    if not out:  # a playbook with no checks still explains itself
        out.append(Entry(ReasonCode.SUIT_LEVEL_OK, NO_CHECKS_RULE, blocks=False))
    return Explanation(
        SuitabilityOutcome.ALLOWED if allowed else SuitabilityOutcome.BLOCKED,
        tuple(out),
        tuple(conditions) if allowed else (),
        tuple((_RENDER[e.code], e) for e in out),
    )


#: The decision's fields the engine never varies (the model's defaults).
_KIND, _SCHEMA, _VERSION = (
    SuitabilityDecision.model_fields[name].default
    for name in ("kind", "schema_version", "custtier_version")
)
_new = object.__new__
_raw_set = raw_set
_ALLOWED = SuitabilityOutcome.ALLOWED


def decision_of(trace: SuitabilityTrace) -> SuitabilityDecision:
    """The decision of ``trace``: what a caller routes on set, every other field rendered on first read.

    What :func:`custtier.check_suitability` and :func:`custtier.check_catalogue`
    return: a caller who reads only the outcome never pays for the reasons
    (:mod:`custtier._deferred`).
    """
    plan = trace.plan
    x = plan.explanations.peek(trace.key) or explain(plan, trace.key)
    allowed = x.outcome is _ALLOWED
    decision = _new(SuitabilityDecision)  # :func:`custtier._deferred.deferred`, without its call
    _raw_set(
        decision,
        {
            "customer_key": trace.customer_key,
            "outcome": "allowed" if allowed else "blocked",
            "product_id": trace.product.id,
            "allowed": allowed,
            PENDING: trace,
        },
    )
    return decision


def rendered_decision(trace: SuitabilityTrace) -> SuitabilityDecision:
    """The decision of ``trace`` with every field rendered now (what an eager engine built)."""
    return construct(SuitabilityDecision, fields_of(trace))


@renders(SuitabilityDecision)
def fields_of(trace: SuitabilityTrace) -> dict[str, Any]:
    """Every field of the decision of ``trace``, in field order: its reasons rendered."""
    plan, product = trace.plan, trace.product
    x = plan.explanations.peek(trace.key) or explain(plan, trace.key)
    allowed = x.outcome is _ALLOWED
    # The explanation table gives every key at least one reason (Decision.trusted's check).
    return {
        "kind": _KIND,
        "customer_key": trace.customer_key,
        "outcome": "allowed" if allowed else "blocked",
        "reasons": tuple([render(trace, e) for render, e in x.steps]),
        "playbook": plan.ref,
        "schema_version": _SCHEMA,
        "custtier_version": _VERSION,
        "as_of": trace.as_of,
        "product_id": product.id,
        "allowed": allowed,
        "conditions": x.conditions,
        "cooling_off_hours": product.cooling_off_hours if allowed else 0,
        "nearest_valid_amounts": () if allowed else trace.nearest,
    }


#: The fields :func:`json_of` writes, in the model's order (a test holds them equal).
#: The header is not shared with the allocation writer's list: see suitability/_allocate.py.
JSON_FIELDS = (
    "kind",
    "customer_key",
    "outcome",
    "reasons",
    "playbook",
    "schema_version",
    "custtier_version",
    "as_of",
    "product_id",
    "allowed",
    "conditions",
    "cooling_off_hours",
    "nearest_valid_amounts",
)
_WRITABLE = tuple(SuitabilityDecision.model_fields) == JSON_FIELDS
#: Codes whose reasons quote one customer's facts (rendered anew each time, never shared).
_UNSHARED = frozenset(
    {
        ReasonCode.SUIT_BELOW_MINIMUM,
        ReasonCode.SUIT_OFF_INCREMENT,
    }
)
_shared_json = module_cache(_json_out.Fragments(), "suitability._explanation._shared_json")
_string, _model_json, _date = _json_out.string, _json_out.model_json, _json_out.date
_HEAD = '{"kind":' + _string(_KIND) + ',"customer_key":'


class _Writer(NamedTuple):
    """What the JSON of every decision with one trace key shares, built once per key."""

    steps: tuple[tuple[Render, Entry, bool], ...]  # renderer, entry, whether its reason is unshared
    opening: str  # from the outcome to the opening of the reasons
    middle: str  # from the end of the reasons to as_of's value
    closing: str  # after the product id: up to cooling_off_hours' value, or to the end
    allowed: bool
    products: dict[int, tuple[Product, str]]  # per product: its part of the JSON


@writes(SuitabilityDecision)
def json_of(trace: SuitabilityTrace) -> str | None:
    """``model_dump_json()`` of the decision of ``trace``, spliced; ``None`` if it cannot be.

    The playbook reference and each shared reason are written once (by
    pydantic) and reused; the customer's key, the product id, the day and
    the nearest amounts are escaped as pydantic-core escapes them.
    tests/test_json_out.py holds the bytes equal to pydantic's.
    """
    plan, product, key, as_of = trace.plan, trace.product, trace.customer_key, trace.as_of
    if not _WRITABLE or type(key) is not str or type(as_of) is not dt.date:
        return None
    w = plan.json.peek(trace.key) or plan.json.get(trace.key, lambda: _writer(plan, trace.key))
    get = _shared_entries_get
    reasons = []
    for render, e, unshared in w.steps:
        r = render(trace, e)
        if unshared:
            reasons.append(_model_json(r))
        else:
            hit = get(id(r))
            reasons.append(hit[1] if hit is not None and hit[0] is r else _shared_json(r))
    # From the product id on: the product's part, kept per writer (the entry holds the
    # product, so its id is not reused while the entry lives).
    part = w.products.get(id(product))
    if part is None or part[0] is not product:
        part = (product, _product_part(w, product))
        if len(w.products) < _PRODUCTS_LIMIT:
            w.products[id(product)] = part
    tail = part[1]
    if not w.allowed:
        tail = f"{tail}{','.join([_json_out.decimal(v) for v in trace.nearest])}]}}"
    out = (
        f'{_HEAD}{_string(key)}{w.opening}{",".join(reasons)}{w.middle}"{as_of.isoformat()}"{tail}'
    )
    return out if out.isascii() else _json_out.finish([out])


def _product_part(w: _Writer, product: Product) -> str:
    """From the product id to the end (or, when blocked, to the nearest amounts' values)."""
    hours = f"{int(product.cooling_off_hours)}{_NO_AMOUNTS}" if w.allowed else ""
    return f',"product_id":{_string(product.id)}{w.closing}{hours}'


_PRODUCTS_LIMIT = 1024
_shared_entries_get = _shared_json.get_entry
_NO_AMOUNTS = ',"nearest_valid_amounts":[]}'


def _writer(plan: SuitabilityPlan, key: TraceKey) -> _Writer:
    x = explain(plan, key)
    allowed = x.outcome is _ALLOWED
    conditions = ",".join(_string(c.value) for c in x.conditions)
    return _Writer(
        tuple((render, e, e.code in _UNSHARED) for render, e in x.steps),
        f',"outcome":{_string("allowed" if allowed else "blocked")},"reasons":[',
        f'],"playbook":{_model_json(plan.ref)},"schema_version":{int(_SCHEMA)},'
        f'"custtier_version":{_string(_VERSION)},"as_of":',
        f',"allowed":true,"conditions":[{conditions}],"cooling_off_hours":'
        if allowed
        else ',"allowed":false,"conditions":[],"cooling_off_hours":0,"nearest_valid_amounts":[',
        allowed,
        {},
    )


# --------------------------------------------------------------------------- renderers
# Reasons whose facts repeat across customers are memoised on the plan by those facts.


def _risk_free(trace: SuitabilityTrace, e: Entry) -> Reason:
    key = (e.code, trace.product.category)
    return trace.plan.reasons.peek(key) or trace.plan.reasons.get(
        key, lambda: Reason.of(e.code, e.rule_id, category=key[1])
    )


def _no_assessment(trace: SuitabilityTrace, e: Entry) -> Reason:
    key = (e.code, trace.product.risk_level)
    return trace.plan.reasons.peek(key) or trace.plan.reasons.get(
        key, lambda: Reason.of(e.code, e.rule_id, product_level=key[1])
    )


def _expired(trace: SuitabilityTrace, e: Entry) -> Reason:
    # Shared by the customer's dates: every product of a catalogue quotes the same ones.
    ra = trace.assessment
    assert ra is not None  # EXPIRED: there is an assessment, not valid on the day
    assert trace.until is not None  # ... and the level step read its effective validity
    until, bound = trace.until
    if trace.as_of < ra.assessed_on:
        case = "dated_after_sale"
    elif bound is ValidityBound.PLAYBOOK:
        case = "too_old"
    else:
        case = "expired"
    key = (e.code, case, ra.assessed_on, ra.valid_until, until, bound)
    return trace.plan.reasons.peek(key) or trace.plan.reasons.get(
        key,
        lambda: Reason.of(
            e.code,
            e.rule_id,
            case=case,
            assessed_on=ra.assessed_on,
            valid_until=ra.valid_until,
            effective_until=until,
            bound=bound.value,
            validity_months=trace.plan.validity_months,
        ),
    )


def _matrix(trace: SuitabilityTrace, e: Entry) -> Reason:
    """The matrix row that decided: exceeded, or within (after any elderly cap)."""
    plan = trace.plan
    if trace.key.level != LevelStep.WITHIN and e.code is ReasonCode.SUIT_LEVEL_OK:
        return plan.reasons.peek(e.code) or plan.reasons.get(
            e.code, lambda: Reason.of(e.code, e.rule_id, case="no_checks")
        )
    key = (e.code, trace.key.row, trace.product.risk_level, trace.until)
    return plan.reasons.peek(key) or plan.reasons.get(key, lambda: _matrix_reason(trace, e))


def _matrix_reason(trace: SuitabilityTrace, e: Entry) -> Reason:
    plan, row, until = trace.plan, trace.key.row, trace.until
    assert until is not None  # the matrix speaks only on a valid assessment
    case = {} if e.code is ReasonCode.SUIT_LEVEL_EXCEEDED else {"case": "matrix"}
    return Reason.of(
        e.code,
        e.rule_id,
        **case,
        customer_level=plan.levels[row],
        product_level=trace.product.risk_level,
        max=plan.product_levels[plan.caps[row]],
        effective_until=until[0],
        bound=until[1].value,
    )


def _elderly_cap(trace: SuitabilityTrace, e: Entry) -> Reason:
    ra = trace.assessment
    assert ra is not None  # the cap applies only on a valid assessment
    key = (e.code, ra.level, trace.product.risk_level, trace.elderly, trace.until)
    return trace.plan.reasons.peek(key) or trace.plan.reasons.get(
        key, lambda: _elderly_cap_reason(trace, e, ra.level)
    )


def _elderly_cap_reason(trace: SuitabilityTrace, e: Entry, level: str) -> Reason:
    plan, row, until = trace.plan, trace.key.row, trace.until
    assert until is not None  # the cap applies only on a valid assessment
    return Reason.of(
        e.code,
        e.rule_id,
        customer_level=level,
        capped_level=plan.levels[row],
        product_level=trace.product.risk_level,
        max=plan.product_levels[plan.caps[row]],
        elderly_age=plan.elderly_age,
        age_from=",".join(s.value for s in trace.elderly),
        effective_until=until[0],
        bound=until[1].value,
    )


def _reserved(trace: SuitabilityTrace, e: Entry) -> Reason:
    tier, reserved = trace.tier, trace.product.reserved_for_tiers
    key = (e.code, tier, reserved)
    return trace.plan.reasons.peek(key) or trace.plan.reasons.get(
        key, lambda: Reason.of(e.code, e.rule_id, tier=tier, reserved_for=",".join(reserved))
    )


def _below_minimum(trace: SuitabilityTrace, e: Entry) -> Reason:
    return Reason.of(
        e.code, e.rule_id, amount=trace.amount, minimum=trace.product.minimum_investment
    )


def _off_increment(trace: SuitabilityTrace, e: Entry) -> Reason:
    return Reason.of(
        e.code,
        e.rule_id,
        amount=trace.amount,
        below=trace.nearest[0],
        above=trace.nearest[-1],
        increment=trace.product.increment,
    )


def _cooling_off(trace: SuitabilityTrace, e: Entry) -> Reason:
    key = (e.code, trace.product.cooling_off_hours)
    return trace.plan.reasons.peek(key) or trace.plan.reasons.get(
        key, lambda: Reason.of(e.code, e.rule_id, hours=key[1])
    )


def _elderly_confirm(trace: SuitabilityTrace, e: Entry) -> Reason:
    plan, elderly = trace.plan, trace.elderly
    key = (e.code, elderly)
    return plan.reasons.peek(key) or plan.reasons.get(
        key,
        lambda: Reason.of(
            e.code,
            e.rule_id,
            elderly_age=plan.elderly_age,
            age_from=",".join(s.value for s in elderly),
        ),
    )


def _recorded(trace: SuitabilityTrace, e: Entry) -> Reason:
    found = trace.plan.reasons.peek(e.code)
    return found or trace.plan.reasons.get(e.code, lambda: Reason.of(e.code, e.rule_id))


#: How each code's reason is rendered from a trace (a test walks ReasonCode's SUIT_ codes).
_RENDER: dict[ReasonCode, Render] = {
    ReasonCode.SUIT_RISK_FREE: _risk_free,
    ReasonCode.SUIT_NO_ASSESSMENT: _no_assessment,
    ReasonCode.SUIT_ASSESSMENT_EXPIRED: _expired,
    ReasonCode.SUIT_LEVEL_EXCEEDED: _matrix,
    ReasonCode.SUIT_LEVEL_OK: _matrix,
    ReasonCode.SUIT_ELDERLY_CAP: _elderly_cap,
    ReasonCode.SUIT_RESERVED: _reserved,
    ReasonCode.SUIT_BELOW_MINIMUM: _below_minimum,
    ReasonCode.SUIT_OFF_INCREMENT: _off_increment,
    ReasonCode.SUIT_COOLING_OFF: _cooling_off,
    ReasonCode.SUIT_ELDERLY_CONFIRM: _elderly_confirm,
    ReasonCode.SUIT_RECORDED_SALE: _recorded,
}
