"""JSON spliced from fragments is byte for byte what pydantic-core writes.

``custtier._json_out`` escapes per-customer values itself and reuses the
JSON of shared models; every writer built on it (a pending suitability
decision's ``model_dump_json()``) must give pydantic's bytes for any value,
hostile strings included, and fall back to pydantic for anything it does
not know (docs/design.md, "Audit JSON spliced from fragments").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter
from pydantic_core import PydanticSerializationError

import strategies as cst
import test_frames_suitability as fs
from custtier import (
    AllocationDecision,
    AllocationLine,
    Customer,
    Playbook,
    Product,
    SuitabilityDecision,
    allocate,
    presets,
    synth,
)
from custtier import _json_out as jo
from custtier._deferred import PENDING
from custtier._explain import construct
from custtier.errors import InputError
from custtier.suitability._allocate import JSON_FIELDS as ALLOCATION_FIELDS
from custtier.suitability._allocate import fields_of as allocation_fields
from custtier.suitability._allocate import json_of as allocation_json
from custtier.suitability._check import trace_suitability
from custtier.suitability._explanation import JSON_FIELDS, decision_of, json_of, rendered_decision

#: Any text: quotes, backslashes, control characters, U+2028, non-BMP and lone surrogates.
HOSTILE = st.text(st.characters(codec=None, categories=None), max_size=40) | st.sampled_from(
    ['"', "\\", "\x00\x1f\x7f", "\u2028\u2029", "\U0001f600", "\ud800", "a\tb\nc\rd\x08\x0c"]
)


def _pydantic(ta: TypeAdapter[Any], value: Any) -> str | None:
    try:
        return ta.dump_json(value).decode()
    except PydanticSerializationError:
        return None


@given(HOSTILE)
def test_a_string_is_escaped_as_pydantic_core_escapes_it(text: str) -> None:
    assert jo.finish([jo.string(text)]) == _pydantic(TypeAdapter(str), text)


@given(st.decimals(allow_nan=True, allow_infinity=True) | st.decimals(places=2))
@example(Decimal("1E+3"))
@example(Decimal("-0.00"))
def test_a_decimal_is_written_as_pydantic_core_writes_it(value: Decimal) -> None:
    assert jo.decimal(value) == _pydantic(TypeAdapter(Decimal), value)


@given(st.dates())
def test_a_date_is_written_as_pydantic_core_writes_it(value: dt.date) -> None:
    assert jo.date(value) == _pydantic(TypeAdapter(dt.date), value)


def test_fragments_are_written_once_per_object_and_emptied_past_their_limit() -> None:
    memo = jo.Fragments(limit=2)
    refs = [presets.PRACTICE.ref, presets.REGULATORY.ref, presets.PRACTICE.ref.model_copy()]
    assert memo(refs[0]) == refs[0].model_dump_json()
    assert memo(refs[0]) is memo(refs[0])  # the memo's own text
    for ref in refs:
        assert memo(ref) == ref.model_dump_json()
    assert len(memo._entries) <= 2


def test_the_writer_knows_every_field_of_a_suitability_decision() -> None:
    assert tuple(SuitabilityDecision.model_fields) == JSON_FIELDS


@st.composite
def checks(draw: st.DrawFn) -> tuple[Playbook, dt.date, Customer, Product, dict[str, Any]]:
    """A generated playbook, a day, a customer near the validity and age edges, a product."""
    pb = draw(cst.playbooks(currencies=("CNY", "KWD", "USD")))
    as_of = draw(cst.dates(dt.date(2025, 1, 1), dt.date(2028, 12, 31)))
    customer = Customer(
        key=draw(cst.customer_keys()),
        currency=pb.currency,
        birth_date=draw(fs.birth_dates(pb, as_of)),
        risk_assessment=draw(fs.assessments(pb, as_of)),
    )
    product = draw(st.sampled_from(fs.catalogue(pb)))
    options = {
        "tier": draw(st.sampled_from([None, *[t.id for t in pb.tiers]])),
        "amount": draw(fs.amounts_for(product, pb.currency)),
        "in_branch": draw(st.booleans()),
    }
    return pb, as_of, customer, product, options


@settings(max_examples=150, deadline=None)
@given(checks(), HOSTILE, HOSTILE, st.booleans())
def test_a_pending_suitability_decision_writes_pydantic_s_bytes(
    case: tuple[Playbook, dt.date, Customer, Product, dict[str, Any]],
    key: str,
    product_id: str,
    hostile: bool,
) -> None:
    pb, as_of, customer, product, options = case
    try:
        trace = trace_suitability(customer, product, pb, as_of=as_of, **options)
    except InputError:
        return  # refused inputs are tests/test_frames_suitability.py's
    if hostile:  # values no validated input holds: the writer must still match or fall back
        odd = Product.model_construct(**{**dict(product), "id": product_id})
        trace = trace._replace(customer_key=key, product=odd)
    expected = _dump(rendered_decision(trace))
    assert _dump(decision_of(trace)) == expected
    written = json_of(trace)
    assert written == expected or (written is None and expected is None)
    if expected is not None:
        assert SuitabilityDecision.model_validate_json(expected) == rendered_decision(trace)


def _dump(d: SuitabilityDecision | AllocationDecision) -> str | None:
    try:
        return d.model_dump_json()
    except PydanticSerializationError:
        return None


def test_a_lone_surrogate_falls_back_to_pydantic_s_error() -> None:
    shelf = synth.catalogue(presets.REGULATORY)
    trace = trace_suitability(
        Customer(key="C1"), shelf[0], presets.REGULATORY, as_of=dt.date(2026, 11, 30)
    )
    trace = trace._replace(customer_key="\ud800")
    assert json_of(trace) is None
    with pytest.raises(PydanticSerializationError):
        decision_of(trace).model_dump_json()


def test_options_and_read_decisions_are_written_by_pydantic() -> None:
    shelf = synth.catalogue(presets.REGULATORY)
    trace = trace_suitability(
        Customer(key="C1"),
        shelf[-1],
        presets.REGULATORY,
        as_of=dt.date(2026, 11, 30),
        amount="1.00",
    )
    whole = rendered_decision(trace)
    pending = decision_of(trace)
    assert pending.model_dump_json() == whole.model_dump_json()
    assert pending._is_pending()  # written from the trace, not rendered
    assert pending.model_dump_json(indent=2) == whole.model_dump_json(indent=2)
    assert decision_of(trace).model_dump_json(exclude={"reasons"}) == whole.model_dump_json(
        exclude={"reasons"}
    )
    assert pending.model_dump_json() == whole.model_dump_json()  # read: pydantic writes it


def test_the_writer_knows_every_field_of_an_allocation() -> None:
    for cls, names in ALLOCATION_FIELDS.items():
        assert tuple(cls.__pydantic_fields__) == names


@st.composite
def allocations(draw: st.DrawFn) -> tuple[Playbook, dt.date, Customer, Decimal, dict[str, Any]]:
    """A generated playbook, a day, a customer with needs, an amount, tier and channel."""
    pb = draw(cst.playbooks(currencies=("CNY", "KWD", "USD")))
    as_of = draw(cst.dates(dt.date(2025, 1, 1), dt.date(2028, 12, 31)))
    needs = draw(
        st.lists(st.sampled_from(["pension", "education", "insurance", "housing"]), max_size=3)
    )
    customer = Customer(
        key=draw(cst.customer_keys()),
        currency=pb.currency,
        needs=needs,
        birth_date=draw(fs.birth_dates(pb, as_of)),
        risk_assessment=draw(fs.assessments(pb, as_of)),
    )
    amount = draw(cst.amounts(pb.currency, max_value=10**8))
    options = {
        "tier": draw(st.sampled_from([None, *[t.id for t in pb.tiers]])),
        "in_branch": draw(st.booleans()),
    }
    return pb, as_of, customer, amount, options


@settings(max_examples=120, deadline=None)
@given(allocations(), HOSTILE, HOSTILE, st.booleans())
def test_a_pending_allocation_writes_pydantic_s_bytes(
    case: tuple[Playbook, dt.date, Customer, Decimal, dict[str, Any]],
    key: str,
    name: str,
    hostile: bool,
) -> None:
    pb, as_of, customer, amount, options = case
    catalogue = fs.catalogue(pb)
    try:
        d = allocate(customer, amount, catalogue, pb, as_of=as_of, **options)
    except InputError:
        return  # refused inputs are tests/test_suitability.py's
    record = dict(BaseModel.__dict__["__dict__"].__get__(d)[PENDING])
    if hostile:  # values no validated input holds: the writer must still match or fall back
        record["customer_key"] = key
        record["excluded"] = tuple((f"{pid}{name}", rs) for pid, rs in record["excluded"])
        record["lines"] = tuple(
            construct(AllocationLine, {**dict(line), "category": name}) for line in record["lines"]
        )
    whole = construct(AllocationDecision, allocation_fields(record))
    expected = _dump(whole)
    written = allocation_json(record)
    assert written == expected or (written is None and expected is None)
    assert allocation_json(record) == written  # again, from the memoised fragments
    if expected is not None and not hostile:
        assert d.model_dump_json() == expected
        assert AllocationDecision.model_validate_json(expected) == whole


def test_a_product_s_part_is_kept_per_product_object_not_per_product_id() -> None:
    pb = presets.REGULATORY
    fund = next(p for p in synth.catalogue(pb) if p.category == "deposit")
    twins = [fund.replace(cooling_off_hours=h) for h in (0, 24, 48, 0, 24)]
    for twin in twins:
        trace = trace_suitability(Customer(key="C1"), twin, pb, as_of=dt.date(2026, 11, 30))
        assert json_of(trace) == rendered_decision(trace).model_dump_json()
