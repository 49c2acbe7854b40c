"""One decision, one spelling: every result reads back equal from every form it is exported in.

A record (``to_record``, JSON-ready Python data), JSON text (``to_json``),
Python data (``model_dump``), an audit line (``to_audit_json``) and a pickle
of any result the engines produce read back to an equal object that writes
the same JSON bytes. Facts come back as the type their name declares
(``FACT_TYPES``), never by what a string looks like: a playbook's own text
may read ``"10"`` or ``"2026-12-31"``.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
import string
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import strategies as cst
from custtier import (
    Decision,
    Playbook,
    ReasonCode,
    WeekendCalendar,
    allocate,
    assess_risk,
    assign_tier,
    check_suitability,
    plan_contacts,
    presets,
    simulate,
    synth,
    tier_book,
    tier_services,
    worklists,
)
from custtier._i18n import CATALOGUES
from custtier._i18n._catalogue import Cases
from custtier._i18n._facts import FACT_TYPES, REASON_FACTS, FactType
from custtier.errors import InputError
from custtier.models import CusttierModel
from custtier.rules._paths import setting_type

AS_OF = dt.date(2026, 11, 30)
NUMBER_LIKE_TEXT = cst.NUMBER_LIKE_TEXT


def assert_round_trips(x: CusttierModel) -> None:
    """``x`` read back from each exported form equals ``x`` and writes the same bytes."""
    kind = type(x)
    text = x.to_json(reveal_personal_data=True)
    forms: dict[str, Callable[[], CusttierModel]] = {
        "record": lambda: kind.from_record(x.to_record(reveal_personal_data=True)),
        "record via a JSON store": lambda: kind.from_record(json.loads(text)),
        "json": lambda: kind.from_json(text),
        "python": lambda: kind.model_validate(x.model_dump()),
        "pickle": lambda: pickle.loads(pickle.dumps(x)),
    }
    if isinstance(x, Decision):
        decision = x
        forms["audit"] = lambda: Decision.from_audit_json(decision.to_audit_json())
        forms["audit zh_CN"] = lambda: type(decision).from_audit_json(
            decision.to_audit_json("zh_CN")
        )
    for form, read in forms.items():
        back = read()
        assert back == x, (kind.__name__, form)
        assert back.to_json(reveal_personal_data=True) == text, (kind.__name__, form)


def _with_blocks(pb: Playbook, texts: list[str]) -> Playbook:
    """``pb`` whose KYC blocks say, in the bank's words, ``texts`` (amount- or date-like)."""
    data = cst.playbook_data(pb)
    for block, said in zip(data["worklist"]["kyc_blocks"], texts, strict=False):
        block["blocks"] = said
    return Playbook.model_validate(data)


def _unless_refused(engine: Any, *args: Any, **kwargs: Any) -> list[CusttierModel]:
    """The engine's result, or none for a documented refusal (a drawn customer's
    risk level unknown to the playbook, a product in another currency)."""
    try:
        return [engine(*args, **kwargs)]
    except InputError:
        return []


def _results(pb: Playbook, seed: int, drawn: list[Any], amount: Decimal) -> list[CusttierModel]:
    """Every kind of result the engines give for one book: wholes, and parts one may archive."""
    book = synth.book(10, seed=seed, as_of=AS_OF, playbook=pb)
    customers = [*book.customers, *drawn]
    records: list[Any] = [*customers, {"key": "BAD", "needs": [["pension"]]}]
    tiered = tier_book(records, pb, as_of=AS_OF)
    tiers = {d.customer_key: d for d in tiered.decisions}
    out: list[CusttierModel] = [tiered, *tiered.decisions, *tiered.candidates, *tiered.errors]
    out += tiered.summary
    for c in customers[::3]:
        tier = tiers[c.key].outcome
        out.append(assign_tier(c, pb, as_of=AS_OF))
        out.append(tier_services(c.key, tier, pb, as_of=AS_OF))
        for product in book.catalogue[::4]:
            out += _unless_refused(
                check_suitability, c, product, pb, as_of=AS_OF, tier=tier, amount=amount
            )
        out += _unless_refused(allocate, c, amount, book.catalogue, pb, as_of=AS_OF, tier=tier)
    for i, option in enumerate((0, -1)):
        answers = {q.id: q.options[option].id for q in pb.risk.questionnaire}
        born = dt.date(1950 + 30 * i, 6, 1)
        out.append(assess_risk(answers, pb, as_of=AS_OF, birth_date=born))
    plan = plan_contacts(
        records,
        pb,
        start=AS_OF,
        end=AS_OF + dt.timedelta(days=60),
        tiers=tiers,
        calendar=WeekendCalendar(),
        managers=book.managers,
    )
    out += [plan, *plan.touchpoints[:20], *plan.unscheduled[:20], *plan.errors, *plan.load[:5]]
    lists = worklists(
        customers,
        pb,
        book.managers,
        on=AS_OF,
        horizon_days=10,
        catalogue=book.catalogue,
        calendar=WeekendCalendar(),
        tiers=tiered,
    )
    out += [lists, *lists.worklists]
    out += [item for w in lists.worklists for item in w.items()][:30]
    return out


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    data=st.data(),
    seed=st.integers(0, 10_000),
    blocks=st.lists(st.sampled_from(NUMBER_LIKE_TEXT), min_size=1, max_size=12),
)
def test_every_result_reads_back_equal_from_every_form(
    data: st.DataObject, seed: int, blocks: list[str]
) -> None:
    pb = _with_blocks(data.draw(cst.playbooks()), blocks)
    drawn = data.draw(
        st.lists(cst.customers(pb.currency), max_size=3, unique_by=lambda c: c.key), label="drawn"
    )
    amount = data.draw(cst.amounts(pb.currency, min_value=1, max_value=10**7), label="amount")
    results = _results(pb, seed, drawn, amount)
    for x in results:
        assert_round_trips(x)
    assert {type(x).__name__ for x in results} >= {
        "BookTiering",
        "TierDecision",
        "ErrorRecord",
        "TierSummary",
        "ServicesDecision",
        "AllocationDecision",
        "RiskDecision",
        "ContactPlan",
        "BookWorklists",
        "Worklist",
    }


@settings(max_examples=60, deadline=None)
@given(reason=cst.reasons())
def test_any_valid_reason_reads_back_equal_from_every_form(reason: Any) -> None:
    assert_round_trips(reason)


def test_every_fact_name_has_one_declared_type() -> None:
    assert set(FACT_TYPES) == set().union(*REASON_FACTS.values())


def _facts_in(value: Any) -> Any:
    """Every (code, name, value) of every reason in a result."""
    if isinstance(value, BaseModel):
        if hasattr(value, "facts") and hasattr(value, "code"):
            yield from ((value.code, k, v) for k, v in value.facts.items())
        for name in type(value).model_fields:
            yield from _facts_in(getattr(value, name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _facts_in(item)


_PYTHON_TYPES = {
    FactType.TEXT: (str,),
    FactType.NUMBER: (Decimal, int),
    FactType.COUNT: (int,),
    FactType.DATE: (dt.date,),
}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pb=cst.playbooks(), seed=st.integers(0, 10_000))
def test_the_engines_write_each_fact_as_its_declared_type(pb: Playbook, seed: int) -> None:
    seen: set[ReasonCode] = set()
    for code, name, value in _facts_in(_results(pb, seed, [], Decimal("250000.00"))):
        seen.add(code)
        assert name in REASON_FACTS[code], (code, name)
        if value is not None:
            assert isinstance(value, _PYTHON_TYPES[FACT_TYPES[name]]), (code, name, value)
            assert not isinstance(value, bool), (code, name)
    assert ReasonCode.TIER_BAND in seen


_SPEC_TYPES = {"money": FactType.NUMBER, "pct": FactType.NUMBER, "from": FactType.NUMBER}
_SPEC_TYPES |= {"to": FactType.NUMBER, "date": FactType.DATE}


def test_the_message_catalogues_format_each_fact_as_its_declared_type() -> None:
    # A template writes {amount:money} or {due_on:date}: the same facts the type
    # table calls numbers and dates; labels and vocabulary words are text.
    checked = 0
    for catalogue in CATALOGUES.values():
        for entry in catalogue.messages.values():
            texts = entry.cases.values() if isinstance(entry, Cases) else [entry]
            for text in texts:
                for _, name, spec, _ in string.Formatter().parse(text):
                    if name is None or not spec:
                        continue
                    want = _SPEC_TYPES.get(spec, FactType.TEXT)
                    assert FACT_TYPES[name] is want, (name, spec)
                    checked += 1
    assert checked > 100


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data(), seed=st.integers(0, 10_000))
def test_a_what_if_reads_back_equal_from_every_form(data: st.DataObject, seed: int) -> None:
    # The rule changes' old and new values are read back as the setting their path names
    # holds them (a band, an amount, channels), not as the JSON that carried them.
    current = data.draw(st.sampled_from(list(presets.ALL.values())), label="current")
    proposed = data.draw(
        st.one_of(
            cst.playbooks(bases=[current]),
            cst.playbook_mutations(cst.playbook_data(current)).map(
                lambda m: Playbook.model_validate(m.data)
            ),
        ),
        label="proposed",
    )
    book = synth.book(12, seed=seed, as_of=AS_OF, playbook=current)
    horizon = (AS_OF, AS_OF + dt.timedelta(days=20))
    impact = simulate(
        book.customers,
        current,
        proposed,
        as_of=AS_OF,
        catalogue=book.catalogue,
        plan=horizon,
        managers=book.managers,
    )
    assert impact.changes, "two playbooks drawn apart differ somewhere"
    for change in impact.changes:
        assert setting_type(change.path) is not None, change.path
        assert_round_trips(change)
    assert_round_trips(impact)
