"""The customer's lean validator (custtier.models._lean) reads what the full validation reads.

``Customer.from_record`` / ``from_json`` / ``model_validate`` first try a
validator compiled without the Python checks a record nearly always passes
unchanged, then one pass asking whether they would have. Its refusals are
never seen: the full validation runs instead and words them. So the one
promise to hold is that the lean validator accepts nothing the full one
refuses, and gives the very same customer where it accepts (every field, its
type, a Decimal's exponent). These tests hold it on valid, tweaked and
hostile records, and check that the records a bank sends do take it.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, SecretStr
from pydantic_core import SchemaValidator, ValidationError

import strategies as cst
from custtier import Customer, synth
from custtier.errors import RecordValidationError
from custtier.models import customer as customer_module
from custtier.models._lean import lean_validator


def _in_use() -> SchemaValidator:
    lean = customer_module._LEAN
    assert lean is not None  # built, and its probe passed, with this pydantic-core
    return lean


LEAN = _in_use()
FULL = Customer.__pydantic_validator__
AS_OF = dt.date(2026, 11, 30)
_RECORDS = [
    c.to_record(reveal_personal_data=True) for c in synth.book(40, seed=5, as_of=AS_OF).customers
]


def _facts(value: Any) -> Any:
    """Everything a model holds, as comparable data: types, secrets and exponents included."""
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        return (type(value), tuple((name, _facts(getattr(value, name))) for name in fields))
    if isinstance(value, tuple):
        return tuple(map(_facts, value))
    if isinstance(value, SecretStr):
        return (SecretStr, value.get_secret_value())
    return (type(value), repr(value))


def _same_or_narrower(data: Any) -> None:
    reads: list[tuple[str, Any]] = [("python", data)]
    with contextlib.suppress(TypeError, ValueError):  # Decimals, dates...: Python only
        reads.append(("json", json.dumps(data)))
    for mode, supplied in reads:
        read = "validate_json" if mode == "json" else "validate_python"
        try:
            lean = getattr(LEAN, read)(supplied)
        except ValidationError:
            continue  # the lean validator gave way: the full validation decides, as before
        full = getattr(FULL, read)(supplied)  # must accept too
        assert _facts(lean) == _facts(full), mode
        assert lean.to_json(reveal_personal_data=True) == full.to_json(reveal_personal_data=True)
        assert lean.model_fields_set == full.model_fields_set


class _Money(Decimal):
    """A Decimal subclass: the full validation keeps the subclass; the lean one must not differ."""


def _tweak(draw: st.DrawFn, record: dict[str, Any]) -> dict[str, Any]:  # noqa: PLR0912  # one branch a tweak
    data = copy.deepcopy(record)
    months, held = data.get("monthly_balances") or [], data.get("products_held") or []
    kyc, risk = data.get("kyc"), data.get("risk_assessment")
    consents = (data.get("contact") or {}).get("consents") or []
    amount = draw(
        st.sampled_from(
            ["1.005", "1.5", "1.50", "1.500", "-0.00", "7", " 7", "1e3", "1E+5", "0.000", "1_0"]
        )
        | st.sampled_from([Decimal("2.5"), Decimal("2.505"), Decimal("1E+2"), Decimal("0E-30")])
        | st.sampled_from([Decimal("1.000000000000000"), _Money("3.25"), 7, True, 1.5])
    )
    tweaks = draw(st.lists(st.integers(0, 15), min_size=1, max_size=3))
    for tweak in tweaks:
        if tweak == 0 and len(months) > 1:
            months.reverse()
        elif tweak == 1 and months:
            months.append(dict(months[0]))
        elif tweak == 2 and months:
            months[0]["average_daily_balance"] = amount
        elif tweak == 3:
            data["currency"] = draw(st.sampled_from(["JPY", "KWD", "USD", "XXX", "cny"]))
        elif tweak == 4:
            data[draw(st.sampled_from(["assets_under_management", "annual_income"]))] = amount
        elif tweak == 5 and held:
            held[0]["principal"] = amount
        elif tweak == 6 and held:
            held[0]["opened_on"], held[0]["matures_on"] = "2026-05-01", "2026-04-30"
        elif tweak == 7 and kyc:
            kyc[draw(st.sampled_from(["declared_annual_income", "declared_external_assets"]))] = (
                draw(st.sampled_from(["-1.00", "-0.01", "0.005", "12"]))
                if draw(st.booleans())
                else amount
            )
        elif tweak == 8 and kyc:
            kyc["currency"] = draw(st.sampled_from(["JPY", "KWD", "XXX"]))
        elif tweak == 9 and kyc:
            kyc["customer_key"] = "C-other"
        elif tweak == 10:
            data["referred_by"] = data.get("key")
        elif tweak == 11 and risk:
            risk["valid_until"] = "2000-01-01"
        elif tweak == 12 and len(consents) > 1:
            consents.reverse() if draw(st.booleans()) else consents.append(dict(consents[0]))
        elif tweak == 13:
            data["needs"] = draw(st.sampled_from([["pension", "housing"], ["housing", "housing"]]))
        elif tweak == 14 and kyc:
            kyc["occupation"] = draw(st.sampled_from(["x" * 80, "x" * 81, "[redacted]", ""]))
        elif tweak == 15 and risk:
            risk["score"] = draw(st.sampled_from([True, "12", 12, 1001, -1]))
    return data


@st.composite
def _tweaked(draw: st.DrawFn) -> dict[str, Any]:
    return _tweak(draw, draw(st.sampled_from(_RECORDS)))


_lean_settings = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@_lean_settings
@given(cst.customers())
def test_lean_validator_reads_valid_customers_as_the_full_validation_does(c: Customer) -> None:
    _same_or_narrower(c.to_record(reveal_personal_data=True))


@_lean_settings
@given(_tweaked())
def test_lean_validator_never_accepts_what_the_checks_would_change_or_refuse(
    data: dict[str, Any],
) -> None:
    _same_or_narrower(data)


@_lean_settings
@given(st.sampled_from(_RECORDS).flatmap(cst.damaged))
def test_lean_validator_never_accepts_a_damaged_record_the_full_one_refuses(data: Any) -> None:
    _same_or_narrower(data)


@pytest.mark.parametrize(
    "change",
    [
        {"monthly_balances": [{"month": "2026-02", "average_daily_balance": "1"},
                              {"month": "2026-01", "average_daily_balance": "2"}]},
        {"currency": "JPY", "assets_under_management": "10.5"},
        {"kyc": {"customer_key": "C1", "currency": "JPY", "declared_annual_income": "1.5"}},
        {"kyc": {"customer_key": "C1", "declared_annual_income": "-0.01"}},
        {"kyc": {"customer_key": "C1", "declared_external_assets": "-1.00"}},
        {"kyc": {"customer_key": "C2"}},
        {"referred_by": "C1"},
        {"products_held": [{"product_id": "P", "principal": "1", "opened_on": "2026-05-01",
                            "matures_on": "2026-04-30"}]},
        {"risk_assessment": {"level": "C1", "score": 1, "assessed_on": "2026-05-01",
                             "valid_until": "2026-04-30"}},
        {"contact": {"consents": [{"channel": "sms"}, {"channel": "phone"}]}},
        {"assets_under_management": Decimal("1.005")},
        {"assets_under_management": _Money("1.00")},
    ],
)  # fmt: skip
def test_what_the_lean_validator_gives_way_on_is_decided_by_the_full_one(
    change: dict[str, Any],
) -> None:
    record = {"key": "C1", **change}
    with pytest.raises(ValidationError):
        LEAN.validate_python(record)
    try:
        want: Any = FULL.validate_python(record)
    except ValidationError:
        with pytest.raises(RecordValidationError):
            Customer.from_record(record)
        return
    assert _facts(Customer.from_record(record)) == _facts(want)


def test_the_records_a_bank_sends_take_the_lean_path() -> None:
    # Not a timing: the lean validator accepts the synthetic book as it is
    # exported (JSON text and parsed), so ingest does not pay twice.
    for record in _RECORDS:
        LEAN.validate_python(record)
        LEAN.validate_json(json.dumps(record))
    as_decimals = copy.deepcopy(_RECORDS[0])
    as_decimals["assets_under_management"] = Decimal(as_decimals["assets_under_management"])
    LEAN.validate_python(as_decimals)  # a database row's Decimal too


def test_a_lean_check_that_is_not_in_the_schema_fails_the_build() -> None:
    with pytest.raises(RuntimeError, match=r"Customer\._renamed"):
        lean_validator(
            Customer.__pydantic_core_schema__,
            (*customer_module._LEAN_CHECKS, "Customer._renamed"),
            lambda c: c,
        )


def test_building_a_lean_validator_leaves_the_models_as_they_were() -> None:
    lean_validator(Customer.__pydantic_core_schema__, customer_module._LEAN_CHECKS, lambda c: c)
    for cls in (Customer, *(type(v) for v in Customer.from_record(_RECORDS[0]).__dict__.values())):
        if isinstance(cls, type) and issubclass(cls, BaseModel):
            assert cls.__pydantic_complete__
    # and the full validation still makes the checks the lean one leaves out
    with pytest.raises(ValidationError):
        FULL.validate_python({"key": "C1", "referred_by": "C1"})


@pytest.mark.parametrize(
    ("field", "sent", "kept"),
    [
        ("needs", ["pension", "housing", "pension"], ("housing", "pension")),
        ("kyc.interests", ["tea", "golf"], ("golf", "tea")),
    ],
)
def test_sets_sent_in_json_out_of_order_are_read_in_order(
    field: str, sent: list[str], kept: tuple[str, ...]
) -> None:
    # The lean validator reads a JSON list as sent and gives way on its order;
    # the full validation sorts and de-duplicates it, as before.
    record: dict[str, Any] = {"key": "C1", "kyc": {"customer_key": "C1"}}
    parent, _, name = field.rpartition(".")
    (record[parent] if parent else record)[name] = sent
    text = json.dumps(record)
    with pytest.raises(ValidationError):
        LEAN.validate_json(text)
    customer = Customer.from_json(text)
    value = customer.kyc.interests if parent else customer.needs  # type: ignore[union-attr]
    assert tuple(value) == kept
    assert _facts(customer) == _facts(FULL.validate_json(text))


@pytest.mark.parametrize("field", ["needs", "kyc.interests"])
@pytest.mark.parametrize(
    "container",
    [list, tuple, set, frozenset, lambda v: (x for x in v), lambda v: dict.fromkeys(v).keys()],
    ids=["list", "tuple", "set", "frozenset", "generator", "dict_keys"],
)
@pytest.mark.parametrize(
    "sent", [["pension", "housing"], ["housing", "pension"], ["housing", "housing"], []]
)
def test_a_set_sent_from_python_in_any_container_is_read_as_the_full_validation_reads_it(
    field: str, container: Any, sent: list[str]
) -> None:
    # The lean validator reads a tuple or a list as sent and gives way on its order; any
    # other container (a set, a generator) is left to the full validation untouched: a
    # generator the lean one consumed would reach the full one empty.
    def record() -> dict[str, Any]:
        data: dict[str, Any] = {"key": "C1", "kyc": {"customer_key": "C1"}}
        parent, _, name = field.rpartition(".")
        (data[parent] if parent else data)[name] = container(sent)
        return data

    customer = Customer.from_record(record())
    value = customer.kyc.interests if "." in field else customer.needs  # type: ignore[union-attr]
    assert tuple(value) == tuple(sorted(set(sent)))
    assert _facts(customer) == _facts(FULL.validate_python(record()))
    _same_or_narrower(record())


@pytest.mark.parametrize("score", ["true", '"12"', "12.0", "1001", "-1"])
def test_a_score_json_does_not_write_as_a_whole_number_goes_the_full_way(score: str) -> None:
    text = (
        '{"key": "C1", "risk_assessment": {"level": "C1", "assessed_on": "2026-01-01", '
        f'"valid_until": "2026-12-31", "score": {score}}}}}'
    )
    with pytest.raises(ValidationError):
        LEAN.validate_json(text)
    try:
        want = FULL.validate_json(text)
    except ValidationError:
        with pytest.raises(RecordValidationError):
            Customer.from_json(text)
        return
    assert _facts(Customer.from_json(text)) == _facts(want)
