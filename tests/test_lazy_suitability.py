"""A suitability decision whose reasons are rendered when read is the same value as one built whole.

``check_suitability`` and ``check_catalogue`` return decisions holding what a
caller routes on (``customer_key``, ``outcome``, ``product_id``, ``allowed``)
and the engine's trace; the reasons and every other field are rendered on
first read (docs/design.md, "Reasons rendered when read"). Each test compares
such a pending decision with the decision built whole from the same trace
(``rendered_decision``) and with the one validated back from its JSON, on
first contact, as tests/test_lazy_decisions.py does for tier decisions.
"""

from __future__ import annotations

import copy
import datetime as dt
import pickle
import sys
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter

import strategies as cst
import test_frames_suitability as fs  # its generated customers, products and amounts
from custtier import (
    AllocationDecision,
    Customer,
    Exclusion,
    Playbook,
    Product,
    SuitabilityDecision,
    allocate,
    check_catalogue,
    check_suitability,
    presets,
    synth,
    trace_suitability,
)
from custtier._deferred import PENDING
from custtier._explain import construct
from custtier.errors import FrozenError, InputError
from custtier.suitability._allocate import fields_of as allocation_fields
from custtier.suitability._explanation import fields_of, rendered_decision

AS_OF = dt.date(2026, 11, 30)
PB = presets.REGULATORY
SHELF = synth.catalogue(PB)
PEOPLE = synth.customers(12, seed=5, as_of=AS_OF, playbook=PB)
# An elderly customer (cap and confirmation) and one whose assessment expired.
ELDERLY = Customer(
    key="OLD-1",
    birth_date=dt.date(1950, 1, 1),
    risk_assessment={
        "level": "C5",
        "score": 90,
        "assessed_on": "2026-03-01",
        "valid_until": "2027-02-28",
    },
)
EXPIRED = Customer(
    key="EXP-1",
    risk_assessment={
        "level": "C4",
        "score": 70,
        "assessed_on": "2025-01-01",
        "valid_until": "2025-12-31",
    },
)
CUSTOMERS = (*PEOPLE, ELDERLY, EXPIRED)


def _args(i: int) -> dict[str, Any]:
    """A varied check: customer, product, tier, amount (on, off or below the grid), channel."""
    customer = CUSTOMERS[i % len(CUSTOMERS)]
    product = SHELF[(7 * i) % len(SHELF)]
    amount = (
        None,
        product.minimum_investment,
        product.minimum_investment + Decimal("0.01"),
        product.minimum_investment - Decimal("0.01"),
    )[i % 4]
    return {
        "customer": customer,
        "product": product,
        "as_of": AS_OF,
        "tier": (None, "mass", "high_end")[i % 3],
        "amount": None if amount is None or amount < 0 else amount,
        "in_branch": i % 2 == 0,
    }


CASES = range(3 * len(CUSTOMERS))


def pending(i: int = 2) -> SuitabilityDecision:
    """A fresh decision from ``check_suitability``, nothing read yet."""
    a = _args(i)
    d = check_suitability(a.pop("customer"), a.pop("product"), PB, **a)
    assert d._is_pending()
    return d


def whole(i: int = 2) -> SuitabilityDecision:
    """The same decision built whole from the same trace."""
    a = _args(i)
    d = rendered_decision(trace_suitability(a.pop("customer"), a.pop("product"), PB, **a))
    assert not d._is_pending()
    return d


def validated(i: int = 2) -> SuitabilityDecision:
    """The same decision validated back from its audit JSON."""
    return SuitabilityDecision.model_validate_json(whole(i).model_dump_json())


def test_the_cases_cover_every_kind_of_suitability_reason() -> None:
    codes = {r.code.value for i in CASES for r in whole(i).reasons}
    assert {
        "SUIT_LEVEL_OK",
        "SUIT_LEVEL_EXCEEDED",
        "SUIT_RISK_FREE",
        "SUIT_ASSESSMENT_EXPIRED",
        "SUIT_RESERVED",
        "SUIT_BELOW_MINIMUM",
        "SUIT_OFF_INCREMENT",
        "SUIT_COOLING_OFF",
        "SUIT_ELDERLY_CONFIRM",
        "SUIT_ELDERLY_CAP",
        "SUIT_RECORDED_SALE",
    } <= codes
    assert {whole(i).allowed for i in CASES} == {True, False}


def test_routing_on_the_outcome_renders_nothing() -> None:
    for i in CASES:
        d = pending(i)
        w = whole(i)
        assert (d.customer_key, d.outcome, d.product_id, d.allowed) == (
            w.customer_key,
            w.outcome,
            w.product_id,
            w.allowed,
        )
        assert d._is_pending()
        assert d.reasons == w.reasons
        assert not d._is_pending()


def test_the_fields_set_pending_are_the_rendered_ones() -> None:
    for i in CASES:
        d = pending(i)
        held = dict(BaseModel.__dict__["__dict__"].__get__(d))
        trace = held.pop(PENDING)
        rendered = fields_of(trace)
        assert held == {k: rendered[k] for k in held}
        assert set(held) == {"customer_key", "outcome", "product_id", "allowed"}


@pytest.mark.parametrize("name", list(SuitabilityDecision.model_fields))
def test_every_field_reads_as_in_the_decision_built_whole(name: str) -> None:
    for i in CASES:
        assert getattr(pending(i), name) == getattr(whole(i), name)
        assert getattr(pending(i), name) == getattr(validated(i), name)


class _Held(BaseModel):
    """A caller's own model holding a decision (serialised by pydantic-core, nested)."""

    decision: SuitabilityDecision


#: Everything a user may do with a decision, each tried first on a fresh pending one.
READS: dict[str, Callable[[SuitabilityDecision], Any]] = {
    "reasons": lambda d: d.reasons,
    "rule_ids": lambda d: d.rule_ids,
    "conditions": lambda d: d.conditions,
    "nearest": lambda d: d.nearest_valid_amounts,
    "explain": lambda d: d.explain(),
    "explain zh_CN": lambda d: d.explain("zh_CN"),
    "to_text": lambda d: d.to_text("en"),
    "audit JSON": lambda d: d.to_audit_json(),
    "audit JSON zh_CN": lambda d: d.to_audit_json("zh_CN"),
    "model_dump": lambda d: d.model_dump(),
    "model_dump json": lambda d: d.model_dump(mode="json"),
    "model_dump_json": lambda d: d.model_dump_json(),
    "model_dump_json indent": lambda d: d.model_dump_json(indent=2, exclude={"as_of"}),
    "to_record": lambda d: d.to_record(),
    "to_json": lambda d: d.to_json(reveal_personal_data=True),
    "repr": repr,
    "str": str,
    "dict": dict,
    "vars": vars,
    "fields set": lambda d: d.model_fields_set,
    "extra": lambda d: d.model_extra,
    "html": lambda d: d._repr_html_(),
    "display": lambda d: d.display("zh_CN")._repr_html_(),
    "list of decisions": lambda d: TypeAdapter(list[SuitabilityDecision]).dump_json([d, d]),
    "nested": lambda d: _Held(decision=d).model_dump_json(),
    "nested, built without validation": lambda d: _Held.model_construct(
        decision=d
    ).model_dump_json(),
    "nested python": lambda d: _Held(decision=d).model_dump(),
}


@pytest.mark.parametrize("read", list(READS))
def test_every_read_and_export_is_the_same_as_the_decision_built_whole(read: str) -> None:
    for i in CASES:
        first = READS[read](pending(i))
        assert first == READS[read](whole(i))
        assert first == READS[read](validated(i))


def test_the_instance_dictionary_is_the_whole_one_in_field_order() -> None:
    d = pending()
    assert list(vars(d)) == list(SuitabilityDecision.model_fields)
    assert PENDING not in vars(d)


def test_equal_whether_or_not_either_was_read() -> None:
    for i in CASES:
        assert pending(i) == whole(i)
        assert whole(i) == pending(i)
        assert pending(i) == pending(i)
        assert pending(i) == validated(i)
        assert not pending(i) != whole(i)  # noqa: SIM202  # __ne__ itself
    assert pending(2) != pending(3)


def test_decisions_that_differ_only_in_reasons_compare_unequal() -> None:
    # Two expired assessments of one level, customer and product: only the reason's dates differ.
    other = EXPIRED.replace(
        risk_assessment=EXPIRED.risk_assessment.replace(valid_until=dt.date(2025, 11, 30))  # type: ignore[union-attr]
    )
    fund = next(p for p in SHELF if p.risk_level == "R3")
    a = check_suitability(EXPIRED, fund, PB, as_of=AS_OF)
    b = check_suitability(other, fund, PB, as_of=AS_OF)
    assert a != b  # both pending
    assert a.reasons != b.reasons
    assert check_suitability(EXPIRED, fund, PB, as_of=AS_OF) == a


def test_hashing_refuses_as_for_a_decision_built_whole() -> None:
    # A reason holds a dict of facts: unhashable, pending or not.
    with pytest.raises(TypeError, match="unhashable"):
        hash(whole())
    with pytest.raises(TypeError, match="unhashable"):
        hash(pending())


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickling_round_trips_to_an_equal_decision(protocol: int) -> None:
    for i in CASES:
        back = pickle.loads(pickle.dumps(pending(i), protocol=protocol))
        assert not back._is_pending()
        assert back == whole(i)
        assert back.model_dump_json() == whole(i).model_dump_json()


def test_copies_and_validation_round_trip_to_equal_decisions() -> None:
    for i in CASES:
        expected = whole(i)
        for made in (
            copy.copy(pending(i)),
            copy.deepcopy(pending(i)),
            pending(i).model_copy(),
            pending(i).model_copy(deep=True),
            SuitabilityDecision.model_validate(pending(i).model_dump()),
            SuitabilityDecision.model_validate_json(pending(i).model_dump_json()),
            SuitabilityDecision.from_audit_json(pending(i).to_audit_json("zh_CN")),
        ):
            assert made == expected
            assert made.model_dump_json() == expected.model_dump_json()
        record = pending(i).to_record(reveal_personal_data=True)
        assert record == expected.to_record(reveal_personal_data=True)
        changed = pending(i).model_copy(update={"cooling_off_hours": 99})
        assert changed == expected.model_copy(update={"cooling_off_hours": 99})


def test_validating_a_pending_decision_keeps_it_as_it_is() -> None:
    d = pending()
    assert SuitabilityDecision.model_validate(d) is d
    assert _Held(decision=d).decision == whole()


def test_frozen_pending_or_read() -> None:
    d = pending()
    with pytest.raises(FrozenError):
        d.outcome = "allowed"  # type: ignore[misc]
    with pytest.raises(FrozenError):
        d.reasons = ()  # type: ignore[misc]
    assert d._is_pending()
    _ = d.reasons
    with pytest.raises(FrozenError):
        d.reasons = ()  # type: ignore[misc]
    assert d == whole()


def test_a_missing_attribute_is_still_missing() -> None:
    d = pending()
    with pytest.raises(AttributeError):
        d.no_such_field  # type: ignore[attr-defined]  # noqa: B018
    assert d._is_pending()


@pytest.mark.parametrize("first", ["reasons", "model_dump_json", "==", "explain", "pickle"])
def test_threads_reading_at_once_see_one_rendering(first: str) -> None:
    reads: dict[str, Callable[[SuitabilityDecision], Any]] = {
        "reasons": lambda d: d.reasons,
        "model_dump_json": lambda d: d.model_dump_json(),
        "==": lambda d: d == whole(),
        "explain": lambda d: d.explain(),
        "pickle": lambda d: pickle.loads(pickle.dumps(d)),
    }
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns inside the rendering
    try:
        for _ in range(10):
            d = pending()
            n = 6
            start = threading.Barrier(n)
            seen: list[Any] = [None] * n

            def read(
                k: int,
                d: SuitabilityDecision = d,
                seen: list[Any] = seen,
                start: threading.Barrier = start,
            ) -> None:
                start.wait()
                seen[k] = (reads[first](d), d.reasons)

            threads = [threading.Thread(target=read, args=(k,)) for k in range(n)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            expected = reads[first](whole())
            assert all(value == expected for value, _ in seen)
            assert all(reasons is seen[0][1] for _, reasons in seen)
    finally:
        sys.setswitchinterval(switch)


def test_check_catalogue_returns_pending_decisions_equal_to_each_check() -> None:
    for customer in CUSTOMERS:
        ds = check_catalogue(customer, SHELF, PB, as_of=AS_OF, tier="mid_end", in_branch=True)
        assert all(d._is_pending() for d in ds)
        for d, p in zip(ds, SHELF, strict=True):
            alone = check_suitability(customer, p, PB, as_of=AS_OF, tier="mid_end", in_branch=True)
            assert (
                d.model_dump_json()
                == rendered_decision(
                    trace_suitability(customer, p, PB, as_of=AS_OF, tier="mid_end", in_branch=True)
                ).model_dump_json()
            )
            assert d == alone


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


@settings(max_examples=80, deadline=None)
@given(checks())
def test_pending_decisions_equal_whole_ones_on_generated_playbooks(
    case: tuple[Playbook, dt.date, Customer, Product, dict[str, Any]],
) -> None:
    pb, as_of, customer, product, options = case
    try:
        lazy = check_suitability(customer, product, pb, as_of=as_of, **options)
    except InputError:
        return  # refused inputs are tests/test_frames_suitability.py's
    eager = rendered_decision(trace_suitability(customer, product, pb, as_of=as_of, **options))
    assert lazy.model_dump_json() == eager.model_dump_json()
    assert check_suitability(customer, product, pb, as_of=as_of, **options) == eager
    assert pickle.loads(pickle.dumps(lazy)) == eager


# --------------------------------------------------------------------------- allocations
# ``allocate`` returns its decision pending too: the exclusions are built as models, and
# the rest completed, on first read; its JSON is written from the record.

AMOUNTS = (Decimal("250000.00"), Decimal("1234.56"), Decimal(0))


def _allocation_args(i: int) -> dict[str, Any]:
    return {
        "customer": CUSTOMERS[i % len(CUSTOMERS)],
        "amount": AMOUNTS[i % len(AMOUNTS)],
        "catalogue": fs.catalogue(PB)[:-1],  # all but the yen fund, refused by currency
        "as_of": AS_OF,
        "tier": (None, "mass", "high_end")[i % 3],
        "in_branch": i % 2 == 0,
    }


def pending_allocation(i: int) -> AllocationDecision:
    a = _allocation_args(i)
    d = allocate(a.pop("customer"), a.pop("amount"), a.pop("catalogue"), PB, **a)
    assert d._is_pending()
    return d


def whole_allocation(i: int) -> AllocationDecision:
    """The same allocation with every field completed at once, as an eager engine built it."""
    d = pending_allocation(i)
    record = BaseModel.__dict__["__dict__"].__get__(d)[PENDING]
    return construct(AllocationDecision, allocation_fields(record))


ALLOCATION_READS: dict[str, Callable[[Any], Any]] = {
    name: READS[name]
    for name in (
        "reasons",
        "rule_ids",
        "conditions",
        "explain",
        "explain zh_CN",
        "audit JSON",
        "model_dump",
        "model_dump json",
        "model_dump_json",
        "model_dump_json indent",
        "to_record",
        "repr",
        "dict",
        "vars",
        "fields set",
        "html",
    )
} | {
    "lines": lambda d: d.lines,
    "excluded": lambda d: d.excluded,
    "unplaced": lambda d: d.unplaced,
    "list": lambda d: TypeAdapter(list[AllocationDecision]).dump_json([d]),
    "pickle": lambda d: pickle.loads(pickle.dumps(d)),
    "copy": copy.deepcopy,
    "validated back": lambda d: AllocationDecision.model_validate_json(d.model_dump_json()),
}


@pytest.mark.parametrize("read", list(ALLOCATION_READS))
def test_every_read_of_an_allocation_is_the_same_as_the_one_built_whole(read: str) -> None:
    for i in range(len(CUSTOMERS)):
        first = ALLOCATION_READS[read](pending_allocation(i))
        assert first == ALLOCATION_READS[read](whole_allocation(i))


def test_an_allocation_routes_on_its_level_and_amount_without_completing() -> None:
    for i in range(len(CUSTOMERS)):
        d, w = pending_allocation(i), whole_allocation(i)
        assert (d.customer_key, d.outcome, d.amount) == (w.customer_key, w.outcome, w.amount)
        assert d._is_pending()
        assert d.model_dump_json() == w.model_dump_json()
        assert d._is_pending()  # written from the record
        assert d == w
        assert list(vars(d)) == list(AllocationDecision.model_fields)
        assert all(type(x) is Exclusion for x in d.excluded)
        assert sum(line.amount for line in d.lines) + d.unplaced == d.amount
