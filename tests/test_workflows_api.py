"""Acceptance: the public API as a new user meets it, one name per concept.

A customer is ``customer_key`` on every object that names one; an audit log
written before that rename still reads back.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from custtier import (
    Decision,
    allocate,
    assess_risk,
    check_suitability,
    presets,
    synth,
    tier_book,
    tier_services,
)
from custtier._explain import AUDIT_SCHEMA_VERSION, audit_kinds, decision_kinds

AS_OF = dt.date(2026, 11, 30)
GOLDENS = Path(__file__).parent / "goldens"


def _one_of_each_kind() -> tuple[synth.Book, list[Decision]]:
    """The decisions tests/goldens/audit_v1.jsonl was written from (custtier 0.1.0.dev0)."""
    book = synth.book(50, seed=13, as_of=AS_OF, playbook=presets.REGULATORY)
    customer, pb = book.customers[3], book.playbook
    answers = {q.id: q.options[0].id for q in pb.risk.questionnaire}
    return book, [
        tier_book(book.customers, pb, as_of=AS_OF).decisions[3],
        assess_risk(answers, pb, as_of=AS_OF, customer_key=customer.key),
        check_suitability(customer, book.catalogue[-1], pb, as_of=AS_OF, tier="mass"),
        allocate(customer, "88000.00", book.catalogue, pb, as_of=AS_OF),
        tier_services(customer.key, "mass", pb, as_of=AS_OF),
    ]


def test_a_new_user_names_the_customer_on_every_decision_kind() -> None:
    book, decisions = _one_of_each_kind()
    key = book.customers[3].key
    assert {d.kind for d in decisions} == set(audit_kinds())  # every kind an engine writes
    for d in decisions:
        assert d.customer_key == key, d.kind
        assert json.loads(d.to_audit_json())["customer_key"] == key
        assert "subject" not in json.loads(d.to_audit_json())
        assert d.explain().startswith(f"{key}: ")
    for kind, cls in decision_kinds().items():  # the bare Decision too
        assert "customer_key" in cls.model_fields, kind
        assert "subject" not in cls.model_fields, kind
    result = tier_book(
        [*book.customers[:3], {"key": "C9", "currency": 1}], book.playbook, as_of=AS_OF
    )
    assert [e.customer_key for e in result.errors] == ["C9"]


def test_an_audit_record_written_by_the_previous_schema_reads_back() -> None:
    lines = (GOLDENS / "audit_v1.jsonl").read_text(encoding="utf-8").splitlines()
    _, now = _one_of_each_kind()
    assert AUDIT_SCHEMA_VERSION == 2
    for line, current in zip(lines, now, strict=True):
        old = json.loads(line)
        assert (old["schema_version"], "subject" in old) == (1, True)  # as 0.1.0.dev0 wrote it
        back = Decision.from_audit_json(line)
        assert type(back) is type(current)
        assert type(current).from_audit_json(line.encode()) == back
        assert back.customer_key == old["subject"] == current.customer_key
        assert (back.outcome, back.rule_ids) == (current.outcome, current.rule_ids)
        assert [r.code for r in back.reasons] == [r.code for r in current.reasons]
        record = json.loads(back.to_audit_json())
        assert record["schema_version"] == AUDIT_SCHEMA_VERSION
        assert "subject" not in record
        assert record["custtier_version"] == old["custtier_version"]  # who wrote it stays
