"""A tier decision whose reasons are rendered when read is the same value as one built whole.

``assign_tier`` returns a decision holding its outcome and the engine's
trace; the reasons and every other field are rendered on first read
(docs/design.md, "Reasons rendered when read"). Each test compares such a
pending decision with the decision built whole from the same trace
(``rendered_decision``, what ``tier_book`` holds) and with the one validated
back from its JSON, on first contact: every read, comparison and export
must give what the whole one gives.
"""

from __future__ import annotations

import copy
import datetime as dt
import pickle
import sys
import threading
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter

import strategies as cst
import test_frames as tiering  # its generated tiering cases, reused as they are
from custtier import (
    Customer,
    Override,
    Playbook,
    TierDecision,
    allocate,
    assign_tier,
    check_catalogue,
    check_suitability,
    plan_contacts,
    presets,
    synth,
    tier_book,
    trace_tier,
)
from custtier._deferred import PENDING, field_of
from custtier.errors import FrozenError
from custtier.tiering._explanation import fields_of, rendered_decision

AS_OF = dt.date(2026, 11, 30)
PB = presets.PRACTICE
CUSTOMERS = synth.customers(40, seed=3, as_of=AS_OF, playbook=PB)
# One with a previous decision held by hysteresis (high-end last month, mid-end
# by the rules now) and one with an override in force.
PREVIOUS = assign_tier(CUSTOMERS[0], PB, as_of=dt.date(2026, 10, 31)).replace(
    outcome="high_end", rank=2
)
OVERRIDE = Override(
    customer_key=CUSTOMERS[1].key,
    tier="high_end",
    reason="branch president's client",
    reference="OVR-1",
    set_by="RM-007",
    set_on=dt.date(2026, 11, 1),
    expires_on=dt.date(2026, 12, 31),
)


def _args(i: int) -> dict[str, Any]:
    return {
        "as_of": AS_OF,
        "previous": PREVIOUS if i == 0 else None,
        "override": OVERRIDE if i == 1 else None,
    }


def pending(i: int = 2) -> TierDecision:
    """A fresh decision of customer ``i`` from ``assign_tier``, nothing read yet."""
    d = assign_tier(CUSTOMERS[i], PB, **_args(i))
    assert d._is_pending()
    return d


def whole(i: int = 2) -> TierDecision:
    """The same decision built whole, as ``tier_book`` builds it."""
    d = rendered_decision(trace_tier(CUSTOMERS[i], PB, **_args(i)))
    assert not d._is_pending()
    return d


def validated(i: int = 2) -> TierDecision:
    """The same decision validated back from its audit JSON."""
    return TierDecision.model_validate_json(whole(i).model_dump_json())


CASES = range(len(CUSTOMERS))


def test_routing_on_the_outcome_renders_nothing() -> None:
    d = pending()
    assert (d.outcome, d.tier, d.customer_key) == (whole().outcome, whole().tier, CUSTOMERS[2].key)
    assert d._is_pending()
    assert d.reasons == whole().reasons
    assert not d._is_pending()


def test_the_cases_cover_hysteresis_overrides_and_kyc_gaps() -> None:
    movements = {whole(i).movement.value for i in CASES}
    codes = {r.code.value for i in CASES for r in whole(i).reasons}
    assert {"new", "held", "overridden"} <= movements
    assert {"TIER_BAND", "TIER_HELD", "TIER_OVERRIDE", "KYC_GAP", "BASIS_INCOMPLETE"} <= codes


@pytest.mark.parametrize("name", list(TierDecision.model_fields))
def test_every_field_reads_as_in_the_decision_built_whole(name: str) -> None:
    for i in CASES:
        assert getattr(pending(i), name) == getattr(whole(i), name)
        assert getattr(pending(i), name) == getattr(validated(i), name)


#: Everything a user may do with a decision, each tried first on a fresh pending one.
READS: dict[str, Callable[[TierDecision], Any]] = {
    "reasons": lambda d: d.reasons,
    "rule_ids": lambda d: d.rule_ids,
    "tier": lambda d: d.tier,
    "movement": lambda d: d.movement,
    "explain": lambda d: d.explain(),
    "explain zh_CN": lambda d: d.explain("zh_CN"),
    "to_text": lambda d: d.to_text("en"),
    "audit JSON": lambda d: d.to_audit_json(),
    "audit JSON zh_CN": lambda d: d.to_audit_json("zh_CN"),
    "model_dump": lambda d: d.model_dump(),
    "model_dump json": lambda d: d.model_dump(mode="json"),
    "model_dump_json": lambda d: d.model_dump_json(),
    "model_dump_json indent": lambda d: d.model_dump_json(indent=2, exclude={"manager_id"}),
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
    "list of decisions": lambda d: TypeAdapter(list[TierDecision]).dump_json([d, d]),
    "nested": lambda d: _Held(decision=d).model_dump_json(),
    "nested, built without validation": lambda d: _Held.model_construct(
        decision=d
    ).model_dump_json(),
    "nested python": lambda d: _Held(decision=d).model_dump(),
}


class _Held(BaseModel):
    """A caller's own model holding a decision (serialised by pydantic-core, nested)."""

    decision: TierDecision


@pytest.mark.parametrize("read", list(READS))
def test_every_read_and_export_is_the_same_as_the_decision_built_whole(read: str) -> None:
    for i in CASES:
        first = READS[read](pending(i))
        assert first == READS[read](whole(i))
        assert first == READS[read](validated(i))


def test_the_instance_dictionary_is_the_whole_one_in_field_order() -> None:
    d = pending()
    assert list(vars(d)) == list(TierDecision.model_fields)
    assert PENDING not in vars(d)
    assert list(fields_of(trace_tier(CUSTOMERS[2], PB, as_of=AS_OF))) == list(
        TierDecision.model_fields
    )


def test_equal_whether_or_not_either_was_read() -> None:
    for i in CASES:
        assert pending(i) == whole(i)
        assert whole(i) == pending(i)
        assert pending(i) == pending(i)
        assert pending(i) == validated(i)
        assert validated(i) == pending(i)
        assert not pending(i) != whole(i)  # noqa: SIM202  # __ne__ itself
    assert pending(2) != pending(3)
    assert pending(2) != whole(3)


def test_decisions_that_differ_only_in_reasons_compare_unequal() -> None:
    # Two Pareto members of one tier with one key: the TIER_PARETO reason quotes
    # each one's profit, which no other field holds.
    rich = Customer(key="C1", annual_profit_contribution="90000.00")
    richer = rich.replace(annual_profit_contribution="95000.00")

    def decide(c: Customer) -> TierDecision:
        return assign_tier(c, PB, as_of=AS_OF, in_pareto_set=True)

    a, b = decide(rich), decide(richer)
    assert a != b  # both pending
    same = {n: getattr(a, n) for n in TierDecision.model_fields if n != "reasons"}
    assert same == {n: getattr(b, n) for n in TierDecision.model_fields if n != "reasons"}
    assert a.reasons != b.reasons
    assert decide(rich) == a
    # As decisions built whole compare.
    assert rendered_decision(trace_tier(rich, PB, as_of=AS_OF, in_pareto_set=True)) != b


def test_hashing_refuses_as_for_a_decision_built_whole() -> None:
    # A tier decision holds a dict (basis_values): unhashable, pending or not.
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
            TierDecision.model_validate(pending(i).model_dump()),
            TierDecision.model_validate_json(pending(i).model_dump_json()),
            TierDecision.from_audit_json(pending(i).to_audit_json("zh_CN")),
        ):
            assert made == expected
            assert made.model_dump_json() == expected.model_dump_json()
        # A record (JSON-ready Python data) reads back as the decision too: each
        # fact as its declared type.
        record = pending(i).to_record(reveal_personal_data=True)
        assert record == expected.to_record(reveal_personal_data=True)
        assert TierDecision.from_record(record) == expected
        changed = pending(i).model_copy(update={"manager_id": "RM-999"})
        assert changed == expected.model_copy(update={"manager_id": "RM-999"})
        assert changed.manager_id == "RM-999"


def test_validating_a_pending_decision_keeps_it_as_it_is() -> None:
    d = pending()
    assert TierDecision.model_validate(d) is d
    assert _Held(decision=d).decision == whole()


def test_frozen_pending_or_read() -> None:
    d = pending()
    with pytest.raises(FrozenError):
        d.outcome = "high_end"  # type: ignore[misc]
    with pytest.raises(FrozenError):
        d.reasons = ()  # type: ignore[misc]
    assert d._is_pending()
    with pytest.raises(FrozenError):
        del d.outcome
    _ = d.reasons
    with pytest.raises(FrozenError):
        d.reasons = ()  # type: ignore[misc]
    assert d == whole()


def test_a_missing_attribute_is_still_missing() -> None:
    d = pending()
    with pytest.raises(AttributeError):
        d.no_such_field  # type: ignore[attr-defined]  # noqa: B018
    assert not hasattr(d, "subject")
    assert d._is_pending()  # asking for a name that is not a field renders nothing


@pytest.mark.parametrize("first", ["reasons", "model_dump_json", "==", "explain", "pickle"])
def test_threads_reading_at_once_see_one_rendering(first: str) -> None:
    reads: dict[str, Callable[[TierDecision], Any]] = {
        "reasons": lambda d: d.reasons,
        "model_dump_json": lambda d: d.model_dump_json(),
        "==": lambda d: d == whole(),
        "explain": lambda d: d.explain(),
        "pickle": lambda d: pickle.loads(pickle.dumps(d)),
    }
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns inside the rendering
    try:
        _read_at_once(reads[first])
    finally:
        sys.setswitchinterval(switch)


def _read_at_once(read_first: Callable[[TierDecision], Any]) -> None:
    for _ in range(20):
        d = pending()
        n = 8
        start = threading.Barrier(n)
        seen: list[Any] = [None] * n

        def read(
            k: int,
            d: TierDecision = d,
            start: threading.Barrier = start,
            seen: list[Any] = seen,
        ) -> None:
            start.wait()
            seen[k] = (read_first(d), d.reasons)

        threads = [threading.Thread(target=read, args=(k,)) for k in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        expected = read_first(whole())
        assert all(value == expected for value, _ in seen)
        # Every thread got the one tuple that was published.
        assert all(reasons is seen[0][1] for _, reasons in seen)
        assert seen[0][1] == whole().reasons


def test_a_pending_decision_feeds_the_next_run_as_previous() -> None:
    later = dt.date(2027, 2, 28)
    c = CUSTOMERS[0]
    lazy_prev = assign_tier(c, PB, as_of=AS_OF, previous=PREVIOUS)
    whole_prev = rendered_decision(trace_tier(c, PB, as_of=AS_OF, previous=PREVIOUS))
    assert lazy_prev._is_pending()
    next_lazy = assign_tier(c, PB, as_of=later, previous=lazy_prev)
    assert next_lazy == assign_tier(c, PB, as_of=later, previous=whole_prev)
    book = tier_book([c], PB, as_of=later, previous=[lazy_prev])
    in_book = assign_tier(c, PB, as_of=later, previous=lazy_prev, pareto_cut=book.pareto_cut)
    assert book.decisions == (in_book,)


def test_the_engines_handed_a_pending_decision_answer_as_with_one_built_whole() -> None:
    # They read its kind, outcome and KYC gaps from the trace: its reasons stay unrendered.
    shelf = synth.catalogue(PB)
    start, end = dt.date(2026, 12, 1), dt.date(2027, 11, 30)
    for i in CASES:
        c, lazy, eager = CUSTOMERS[i], pending(i), whole(i)
        for tier in (lazy, eager):
            assert field_of(tier, "kind") == "tier"
            assert field_of(tier, "kyc_gaps") == eager.kyc_gaps
        assert lazy._is_pending()
        plans = [
            plan_contacts((c,), PB, start=start, end=end, tiers={c.key: d}) for d in (lazy, eager)
        ]
        assert plans[0] == plans[1]
        assert plans[0].model_dump_json() == plans[1].model_dump_json()
        assert check_catalogue(c, shelf, PB, as_of=AS_OF, tier=lazy) == check_catalogue(
            c, shelf, PB, as_of=AS_OF, tier=eager
        )
        assert check_suitability(c, shelf[0], PB, as_of=AS_OF, tier=lazy) == check_suitability(
            c, shelf[0], PB, as_of=AS_OF, tier=eager
        )
        args: dict[str, Any] = {"as_of": AS_OF}
        assert allocate(c, "250000.00", shelf, PB, tier=lazy, **args) == allocate(
            c, "250000.00", shelf, PB, tier=eager, **args
        )
        assert lazy._is_pending()
    # The cases hold gaps for the planner to quote (else the reader is never asked for any).
    assert any(whole(i).kyc_gaps for i in CASES)


def test_a_field_without_a_reader_is_read_as_getattr_reads_it() -> None:
    d = pending()
    assert field_of(d, "outcome") == whole().outcome
    assert d._is_pending()
    assert field_of(d, "reasons") == whole().reasons  # no reader: rendered, as any read
    assert not d._is_pending()
    assert field_of("mass", "kyc_gaps") is None
    assert field_of(d, "no_such_field", "absent") == "absent"


@settings(max_examples=60, deadline=None)
@given(tiering.cases(cst.playbooks()), st.data())
def test_pending_decisions_equal_whole_ones_on_generated_playbooks(
    case: tuple[Playbook, dt.date, list[Customer], list[TierDecision]], data: st.DataObject
) -> None:
    pb, as_of, customers, previous = case
    overrides = data.draw(tiering.overrides_for(pb, as_of, [c.key for c in customers]))
    by_key = {d.customer_key: d for d in previous}
    override_of = {o.customer_key: o for o in overrides}
    book = tier_book(customers, pb, as_of=as_of, previous=previous)
    in_book = {d.customer_key: d for d in book.decisions}
    for c in customers:
        args: dict[str, Any] = {"as_of": as_of, "previous": by_key.get(c.key)}
        # As the nightly book decided it (its Pareto cut, no override).
        lazy = assign_tier(c, pb, pareto_cut=book.pareto_cut, **args)
        assert lazy == in_book[c.key]
        assert lazy.model_dump_json() == in_book[c.key].model_dump_json()
        # With an override, against the decision built whole from the same trace.
        args["override"] = override_of.get(c.key)
        lazy = assign_tier(c, pb, **args)
        eager = rendered_decision(trace_tier(c, pb, **args))
        # What another engine reads of it, read from the trace, is the field rendered.
        assert field_of(lazy, "kyc_gaps") == eager.kyc_gaps
        assert field_of(lazy, "kind") == eager.kind
        assert lazy._is_pending()
        assert lazy.model_dump_json() == eager.model_dump_json()
        assert assign_tier(c, pb, **args) == eager
        assert pickle.loads(pickle.dumps(assign_tier(c, pb, **args))) == eager
