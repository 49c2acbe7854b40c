"""Personal identifiers never leak: a canary in every personal field stays out of every rendering."""

from __future__ import annotations

import json
import traceback
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import strategies as cst
from custtier import Customer, Identity, KycFile
from custtier.errors import CusttierError, FrozenError, RecordValidationError

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


def test_identity_repr_is_masked_and_document_type_is_a_kind_not_a_number() -> None:
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
    # id_document_type names a kind of document; it is not masked.
    assert ident.to_record()["id_document_type"] == "resident_id"
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
