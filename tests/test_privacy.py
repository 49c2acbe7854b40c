"""Personal identifiers never leak: a canary in every personal field stays out of every rendering."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import traceback
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import strategies as cst
from custtier import (
    ContactRecord,
    Customer,
    Identity,
    KycFile,
    Override,
    Playbook,
    ReasonCode,
    assess_risk,
    assign_tier,
    plan_contacts,
    presets,
    tier_book,
)
from custtier.errors import (
    CusttierError,
    FrozenError,
    InputError,
    PlaybookError,
    RecordValidationError,
)

#: A recognisable personal identifier: ``PII-CANARY-<digits>``.
canaries = st.integers(min_value=10**5, max_value=10**12).map(lambda n: f"PII-CANARY-{n}")

_PERSONAL_FIELDS = ("full_name", "id_number", "phone", "email", "address", "account_numbers")


def _renderings(model: Any) -> dict[str, str]:
    """Every way a model is turned into text or data without an explicit reveal."""
    return {
        "repr": repr(model),
        "str": str(model),
        "format": f"{model}",
        "to_record": json.dumps(model.to_record()),
        "to_json": model.to_json(),
        "model_dump": repr(model.model_dump()),
        "model_dump_json_mode": json.dumps(model.model_dump(mode="json")),
        "model_dump_json": model.model_dump_json(),
        "model_dump_json_indent": model.model_dump_json(indent=2),
    }


def _error_renderings(exc: BaseException) -> dict[str, str]:
    out = {
        "str": str(exc),
        "repr": repr(exc),
        "args": repr(exc.args),
        "traceback": "".join(traceback.format_exception(exc)),
    }
    if isinstance(exc, RecordValidationError):
        out["errors"] = json.dumps(exc.errors())
        out["details"] = repr(exc.details)
    return out


def _assert_absent(canary: str, texts: dict[str, str]) -> None:
    leaks = [name for name, text in texts.items() if canary in text]
    assert not leaks, f"personal identifier leaked through {leaks}"


# --------------------------------------------------------------------------- models


@given(canaries.flatmap(lambda c: st.tuples(st.just(c), cst.customers(canary=c))))
def test_canary_never_appears_in_any_rendering_of_a_customer(case: tuple[str, Customer]) -> None:
    canary, customer = case
    assert customer.kyc is not None
    identity = customer.kyc.identity
    assert identity is not None
    # The canary really is in every personal field ...
    for name in _PERSONAL_FIELDS:
        value = getattr(identity, name)
        secrets = value if isinstance(value, tuple) else (value,)
        assert secrets
        assert all(s.get_secret_value() == canary for s in secrets)
    # ... and in none of the renderings of the customer, its KYC file or identity.
    for model in (customer, customer.kyc, identity):
        _assert_absent(canary, _renderings(model))


@given(canaries.flatmap(lambda c: st.tuples(st.just(c), cst.customers(canary=c))))
def test_redacted_export_marks_every_personal_field(case: tuple[str, Customer]) -> None:
    _, customer = case
    ident = customer.to_record()["kyc"]["identity"]
    for name in ("full_name", "id_number", "phone", "email", "address"):
        assert ident[name] == "[redacted]"
    assert ident["account_numbers"]
    assert set(ident["account_numbers"]) == {"[redacted]"}


@given(canaries.flatmap(lambda c: st.tuples(st.just(c), cst.customers(canary=c))))
def test_explicit_full_export_contains_the_canary_and_round_trips(
    case: tuple[str, Customer],
) -> None:
    canary, customer = case
    record = customer.to_record(reveal_personal_data=True)
    text = customer.to_json(reveal_personal_data=True)
    assert canary in json.dumps(record)
    assert canary in text
    assert record["kyc"]["identity"]["phone"] == canary
    assert Customer.from_record(record) == customer
    back = Customer.from_json(text)
    assert back == customer
    assert back.kyc is not None
    assert back.kyc.identity is not None
    assert back.kyc.identity.id_number is not None
    assert back.kyc.identity.id_number.get_secret_value() == canary


# --------------------------------------------------------------------------- errors


def _identity_record(canary: str) -> dict[str, Any]:
    return {
        "full_name": canary,
        "id_document_type": "resident_id",
        "id_number": canary,
        "phone": canary,
        "email": canary,
        "address": canary,
        "account_numbers": [canary, canary],
    }


@given(canaries)
def test_canary_stays_out_of_errors_when_another_field_is_invalid(canary: str) -> None:
    record = {
        "key": "C1",
        "assets_under_management": 0.5,  # the actual problem
        "kyc": {"customer_key": "C1", "identity": _identity_record(canary)},
    }
    with pytest.raises(RecordValidationError) as info:
        Customer.from_record(record)
    assert info.value.field == "assets_under_management"
    _assert_absent(canary, _error_renderings(info.value))


def _bad_records(canary: str) -> list[tuple[str, dict[str, Any]]]:
    ident = _identity_record(canary)
    kyc = {"customer_key": "C1", "identity": ident}
    return [
        # The canary itself fails validation, in several ways and places.
        ("key", {"key": f"{canary}@bank"}),
        ("key", {"key": canary * 10}),
        ("referred_by", {"key": "C1", "referred_by": f" {canary}"}),
        ("kyc.identity.phone", {"key": "C1", "kyc": {**kyc, "identity": {**ident, "phone": canary * 30}}}),
        ("kyc.identity.email", {"key": "C1", "kyc": {**kyc, "identity": {**ident, "email": 12345}}}),
        ("kyc.identity.account_numbers", {"key": "C1", "kyc": {**kyc, "identity": {**ident, "account_numbers": canary}}}),
        ("kyc.identity.address", {"key": "C1", "kyc": {**kyc, "identity": {**ident, "address": [canary]}}}),
        ("kyc.customer_key", {"key": "C1", "kyc": {**kyc, "customer_key": f"{canary}!"}}),
        ("kyc.occupation", {"key": "C1", "kyc": {**kyc, "occupation": canary * 10}}),
        ("time_zone", {"key": "C1", "time_zone": canary, "kyc": kyc}),
        ("assets_under_management", {"key": "C1", "assets_under_management": canary, "kyc": kyc}),
        ("birth_date", {"key": "C1", "birth_date": canary, "kyc": kyc}),
        ("needs", {"key": "C1", "needs": [canary], "kyc": kyc}),
        ("kyc", {"key": "C1", "kyc": canary}),
        # A mismatch between two fields where one holds a would-be identifier.
        ("", {"key": "C1", "kyc": {**kyc, "customer_key": "C2"}}),
    ]  # fmt: skip


@given(canaries)
def test_canary_stays_out_of_errors_when_it_is_the_invalid_value(canary: str) -> None:
    for where, record in _bad_records(canary):
        for build in (Customer.from_record, lambda r: Customer.from_json(json.dumps(r))):
            with pytest.raises(RecordValidationError) as info:
                build(record)
            fields = [d.field for d in info.value.details]
            assert any(f.startswith(where) for f in fields), (where, fields)
            _assert_absent(canary, _error_renderings(info.value))


@given(canaries)
def test_canary_stays_out_of_errors_of_invalid_json_text(canary: str) -> None:
    text = json.dumps({"key": "C1", "kyc": {"customer_key": "C1", "identity": {"phone": canary}}})
    for broken in (text[:-3], text.replace(":", "=", 1), text + canary):
        with pytest.raises(CusttierError) as info:
            Customer.from_json(broken)
        _assert_absent(canary, _error_renderings(info.value))


@given(canaries)
def test_canary_stays_out_of_replace_errors(canary: str) -> None:
    ident = Identity.from_record(_identity_record(canary))
    kyc = KycFile(customer_key="C1", identity=ident)
    customer = Customer(key="C1", kyc=kyc)
    for change in ({"key": f"{canary}#"}, {"assets_under_management": 1.5}):
        with pytest.raises(RecordValidationError) as info:
            customer.replace(**change)
        _assert_absent(canary, _error_renderings(info.value))


def test_identity_repr_is_masked_and_document_type_is_redacted_by_default() -> None:
    ident = Identity.from_record(
        {
            "full_name": "Li Lei",
            "id_document_type": "resident_id",
            "id_number": "110101199003071234",
        }
    )
    assert "Li Lei" not in repr(ident)
    assert "110101199003071234" not in repr(ident)
    assert "**********" in repr(ident)
    # id_document_type is free text another system typed (it may hold a
    # number): redacted by default, like every KYC free-text field.
    assert ident.to_record()["id_document_type"] == "[redacted]"
    assert ident.to_record(reveal_personal_data=True)["id_document_type"] == "resident_id"
    assert Identity.model_fields["id_document_type"].metadata  # bounded length


@given(canaries)
def test_canary_stays_out_of_the_error_of_assigning_to_a_frozen_model(canary: str) -> None:
    customer = Customer(key="C1", kyc=KycFile(customer_key="C1", identity=Identity()))
    assert customer.kyc is not None
    assert customer.kyc.identity is not None
    for target, field in ((customer, "key"), (customer.kyc.identity, "phone")):
        with pytest.raises(FrozenError) as info:
            setattr(target, field, canary)
        _assert_absent(canary, _error_renderings(info.value))


@pytest.mark.parametrize("raw", [b"[redacted]", b"", b"x" * 257, bytearray(b"[redacted]")])
def test_personal_fields_given_as_bytes_get_the_same_checks_as_text(raw: bytes) -> None:
    with pytest.raises(RecordValidationError) as info:
        Identity.from_record({"phone": raw})
    assert info.value.field == "phone"
    assert Identity.from_record({"phone": b"+86 000 0001"}).phone is not None


# --------------------------------------------------------------------------- operator free text


def _decision_renderings(decision: Any) -> dict[str, str]:
    return {
        "repr": repr(decision),
        "audit": decision.to_audit_json(),
        "explain": decision.explain(),
        "record": json.dumps(decision.to_record()),
        "pickle": repr(pickle.dumps(decision)),
    }


@given(canaries)
def test_an_override_reason_never_enters_a_decision_its_audit_or_its_pickle(canary: str) -> None:
    as_of = dt.date(2026, 11, 30)
    override = Override(customer_key="C1", tier="high_end", reason=f"call {canary}",
                        reference="OVR-1", set_by="RM-007", set_on=as_of, expires_on=as_of)  # fmt: skip
    decision = assign_tier(Customer(key="C1"), presets.PRACTICE, as_of=as_of, override=override)
    assert decision.tier == "high_end"
    reason = next(r for r in decision.reasons if r.code is ReasonCode.TIER_OVERRIDE)
    assert (reason.facts["reference"], reason.facts["set_by"]) == ("OVR-1", "RM-007")
    _assert_absent(canary, _decision_renderings(decision))
    book = tier_book([{"key": "C1"}], presets.PRACTICE, as_of=as_of, overrides=[override])
    _assert_absent(canary, {"book": repr(pickle.dumps(book)), "json": book.model_dump_json()})
    # The override itself keeps it, masked unless revealed.
    _assert_absent(canary, _renderings(override))
    assert canary in json.dumps(override.to_record(reveal_personal_data=True))


# --------------------------------------------------------------------------- KYC free text

_FREE_TEXT_PATHS = (
    ("identity", "id_document_type"), ("occupation",), ("employer_industry",),
    ("source_of_funds",), ("interests", 0), ("important_dates", 0, "label"),
    ("family", 0, "needs_note"),
)  # fmt: skip


def _kyc_with_free_text(canary: str) -> KycFile:
    short = canary[-20:]  # id_document_type holds at most 32 characters
    return KycFile.from_record(
        {
            "customer_key": "C1",
            "identity": {"id_document_type": short},
            "occupation": canary,
            "employer_industry": canary,
            "source_of_funds": canary,
            "interests": [canary],
            "important_dates": [{"kind": "other", "on": "1990-05-01", "label": canary}],
            "family": [{"relation": "child", "needs_note": canary}],
        }
    )


@given(canaries)
def test_kyc_free_text_is_redacted_by_default_and_round_trips_when_revealed(canary: str) -> None:
    kyc = _kyc_with_free_text(canary)
    short = canary[-20:]
    _assert_absent(short, _renderings(kyc))
    record = kyc.to_record()
    for path in _FREE_TEXT_PATHS:
        node: Any = record
        for step in path:
            node = node[step]
        assert node == "[redacted]", path
    revealed = kyc.to_json(reveal_personal_data=True)
    assert canary in revealed
    assert KycFile.from_json(revealed) == kyc
    with pytest.raises(RecordValidationError, match="redaction marker"):
        KycFile.from_record(record)  # a redacted export is not a KYC file


@given(canaries)
def test_a_contact_notes_free_text_is_redacted_like_kyc_text(canary: str) -> None:
    record = ContactRecord(customer_key="C1", on=dt.date(2026, 1, 5), channel="phone",
                           purpose="service", note=canary)  # fmt: skip
    _assert_absent(canary, _renderings(record))
    assert record.to_record(reveal_personal_data=True)["note"] == canary


# --------------------------------------------------------------------------- unknown keys


@given(cst.phone_like_keys())
def test_an_unknown_key_is_never_echoed_by_a_record_error_or_an_error_record(key: str) -> None:
    records: list[Any] = [
        {"key": "C1", key: 1},
        {"key": "C1", "kyc": {"customer_key": "C1", key: "x"}},
        {"key": "C1", "contact": {"consents": [{"channel": "sms", key: True}]}},
    ]
    for record in records:
        with pytest.raises(RecordValidationError) as info:
            Customer.from_record(record)
        _assert_absent(key, _error_renderings(info.value))
        assert info.value.field is not None
        assert "<unknown key>" in info.value.field
    book = tier_book(records, presets.PRACTICE, as_of=dt.date(2026, 11, 30))
    assert len(book.errors) == len(records)
    _assert_absent(key, {"errors": repr(book.errors), "json": book.model_dump_json()})
    plan = plan_contacts(records, presets.PRACTICE, start=dt.date(2026, 12, 1),
                         end=dt.date(2026, 12, 31), tiers={"C1": "mass"})  # fmt: skip
    _assert_absent(key, {"errors": repr(plan.errors), "json": plan.model_dump_json()})


@given(cst.phone_like_keys())
def test_a_playbook_mapping_key_from_input_is_not_echoed(key: str) -> None:
    data = cst.playbook_data(presets.PRACTICE)
    data["allocation"]["need_categories"][key] = "deposit"
    with pytest.raises(PlaybookError) as info:
        Playbook.model_validate(data)
    assert "allocation.need_categories.<unknown key>.[key]" in dict(info.value.problems)
    _assert_absent(key, _error_renderings(info.value))


@given(cst.phone_like_keys())
def test_assess_risk_counts_unknown_answer_keys_and_never_names_them(key: str) -> None:
    answers = {q.id: q.options[0].id for q in presets.PRACTICE.risk.questionnaire}
    answers[key] = "a"
    with pytest.raises(InputError) as info:
        assess_risk(answers, presets.PRACTICE, as_of=dt.date(2026, 11, 30))
    assert info.value.field == "answers"
    assert "1 question(s)" in str(info.value)
    _assert_absent(key, _error_renderings(info.value))


@given(canaries, st.sampled_from(["FREQ={}", "FREQ=DAILY;UNTIL={}", "FREQ=DAILY;BYHOUR={}",
                                  "FREQ=WEEKLY;BYDAY={}", "FREQ=DAILY;{}=1"]))  # fmt: skip
def test_an_rrule_error_names_the_part_and_never_the_rejected_value(canary: str, form: str) -> None:
    digits = canary.removeprefix("PII-CANARY-")
    data = cst.playbook_data(presets.PRACTICE)
    rule = data["cadence"]["contact_rules"][3]
    rule.update(interval_days=None, anchor="2026-01-01", rrule=form.format(digits))
    with pytest.raises(PlaybookError) as info:
        Playbook.model_validate(data)
    _assert_absent(digits, _error_renderings(info.value))
