"""Native fast paths (custtier._fast.FastPath) read what the reference validators read, the same way.

Dates, amounts, time zones and personal fields are read natively when they
are plain; anything else goes to the Python validators that define the type.
These tests hold the two promises that make that safe: a fast path accepts
nothing the reference refuses and gives the reference's own value, and a
refusal keeps its field, type and message whichever path saw the value first.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr, TypeAdapter
from pydantic_core import SchemaValidator, ValidationError

from custtier import Customer
from custtier._fast import FAST_PATH, REFERENCE
from custtier._money import Amount, NonNegativeAmount
from custtier.errors import RecordValidationError
from custtier.models._types import Day, PersonalStr, TimeZoneName


def _paths(annotated: Any) -> tuple[list[SchemaValidator], SchemaValidator]:
    """The fast members and the reference validation of a type, each compiled alone."""
    union = TypeAdapter(annotated).core_schema
    assert union["type"] == "union"
    choices = union["choices"]
    assert [label for _, label in choices] == [FAST_PATH] * (len(choices) - 1) + [REFERENCE]
    return [SchemaValidator(s) for s, _ in choices[:-1]], SchemaValidator(choices[-1][0])


def _same_or_narrower(annotated: Any, value: Any) -> None:
    fast, reference = _paths(annotated)
    reads: list[tuple[Any, Any]] = [(lambda v, x: v.validate_python(x), value)]
    if isinstance(value, (str, int)):
        reads.append((lambda v, x: v.validate_json(x), json.dumps(value)))
    for read, supplied in reads:
        for path in fast:
            try:
                got = read(path, supplied)
            except ValidationError:
                continue  # the fast path declined: the reference decides, as before
            want = read(reference, supplied)
            assert type(got) is type(want)
            if isinstance(want, SecretStr):
                got, want = got.get_secret_value(), want.get_secret_value()
            assert repr(got) == repr(want)  # Decimal's exponent included: "1.50" stays "1.50"


_NUMBERISH = st.text(alphabet="0123456789.-+_ eE\n", max_size=40)
_AMOUNT_TEXT = st.from_regex(r"-?[0-9]{1,22}(\.[0-9]{0,14})?", fullmatch=True)
_DAYISH = st.from_regex(r"[0-9+-]{0,5}-?[0-9]{1,3}-?[0-9]{1,3}(T[0-9:]{0,8})?", fullmatch=True)


@given(st.one_of(_AMOUNT_TEXT, _NUMBERISH, st.integers(-(10**21), 10**21), st.booleans()))
def test_an_amount_read_natively_is_the_amount_check_amount_reads(value: Any) -> None:
    _same_or_narrower(Amount, value)
    _same_or_narrower(NonNegativeAmount, value)


@given(
    st.one_of(_DAYISH, st.dates().map(dt.date.isoformat), st.dates(), st.integers(), st.datetimes())
)
def test_a_date_read_natively_is_the_date_the_reference_reads(value: Any) -> None:
    _same_or_narrower(Day, value)


@given(
    st.one_of(st.from_regex(r"[A-Z][A-Za-z_/+-]{0,30}\n?", fullmatch=True), st.text(max_size=30))
)
def test_a_time_zone_read_natively_is_one_the_reference_accepts(value: str) -> None:
    _same_or_narrower(TimeZoneName, value)


@given(st.one_of(st.text(max_size=300), st.just("[redacted]"), st.binary(max_size=20)))
def test_personal_text_read_natively_is_what_the_reference_keeps(value: Any) -> None:
    _same_or_narrower(PersonalStr, value)


# --------------------------------------------------------------------------- refusals

_WHOLE_NUMBER = "a date is written YYYY-MM-DD; a number is not read as a timestamp"
_FLOAT = 'amount is a float; pass a Decimal, an int or a string such as "1234.50"'
_NOT_PLAIN = 'amount is not a plain number; write it with the digits 0-9, like "1234.50"'
_RANGE = "amount is out of range; amounts must be below 10^20 with at most 12 decimal places"
_CNY_PLACES = (
    "{0} has more decimal places than CNY allows (2); round it first with an explicit rounding mode"
)
_MARKER = (
    "holds the redaction marker: a redacted export cannot be re-imported; "
    "use an export made with reveal_personal_data=True"
)


@pytest.mark.parametrize(
    ("field", "value", "kind", "message"),
    [
        ("birth_date", 0, "value_error", _WHOLE_NUMBER),
        ("birth_date", "20200101", "value_error", _WHOLE_NUMBER),
        ("birth_date", b"2020-01-01", "value_error", _WHOLE_NUMBER),
        (
            "birth_date",
            "2020-02-30",
            "date_from_datetime_parsing",
            "Input should be a valid date or datetime, day value is outside expected range",
        ),
        (
            "birth_date",
            dt.datetime(2020, 1, 1, 5),  # noqa: DTZ001  # naive, as a record holds it
            "date_from_datetime_inexact",
            "Datetimes provided to dates should have zero time - e.g. be exact dates",
        ),
        ("assets_under_management", 5.5, "value_error", _FLOAT),
        ("assets_under_management", "1_000", "value_error", _NOT_PLAIN),
        ("assets_under_management", "１２", "value_error", _NOT_PLAIN),
        ("assets_under_management", "-5", "value_error", "must not be negative"),
        ("assets_under_management", 10**20, "value_error", _RANGE),
        ("assets_under_management", "1.0000000000000", "value_error", _RANGE),
        (
            "assets_under_management",
            True,
            "value_error",
            'amount is a boolean; pass a Decimal, an int or a string such as "1234.50"',
        ),
        (
            "assets_under_management",
            "NaN",
            "value_error",
            "amount is NaN or infinite; pass a finite amount",
        ),
        (
            "assets_under_management",
            "1234.567",
            "value_error",
            _CNY_PLACES.format("assets_under_management"),
        ),
        ("annual_income", "12.345", "value_error", _CNY_PLACES.format("annual_income")),
        (
            "time_zone",
            "utc",
            "value_error",
            'time zone must be an IANA name such as "Asia/Shanghai" or "UTC"',
        ),
    ],
)
def test_a_refusal_names_the_field_and_the_problem_as_before(
    field: str, value: Any, kind: str, message: str
) -> None:
    with pytest.raises(RecordValidationError) as err:
        Customer.from_record({"key": "C1", field: value})
    assert err.value.errors() == [{"loc": [field], "type": kind, "msg": message}]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "must hold 1 to 256 characters"),
        ("x" * 257, "must hold 1 to 256 characters"),
        ("[redacted]", _MARKER),
    ],
)
def test_a_personal_field_refusal_is_as_before(value: str, message: str) -> None:
    record = {"key": "C1", "kyc": {"customer_key": "C1", "identity": {"phone": value}}}
    for read in (Customer.from_record, lambda r: Customer.from_json(json.dumps(r))):
        with pytest.raises(RecordValidationError) as err:
            read(record)
        assert err.value.errors() == [
            {"loc": ["kyc", "identity", "phone"], "type": "value_error", "msg": message}
        ]


def test_a_monthly_balance_too_fine_for_the_currency_is_named_by_its_index() -> None:
    months = [
        {"month": "2026-09", "average_daily_balance": "10.00"},
        {"month": "2026-10", "average_daily_balance": "10.001"},
    ]
    with pytest.raises(RecordValidationError) as err:
        Customer.from_record({"key": "C1", "currency": "CNY", "monthly_balances": months})
    field = "monthly_balances.1.average_daily_balance"
    assert err.value.errors() == [
        {"loc": ["monthly_balances", 1, "average_daily_balance"], "type": "value_error",
         "msg": _CNY_PLACES.format(field)}
    ]  # fmt: skip


def test_plain_and_unusual_spellings_read_to_the_same_customer() -> None:
    # The same facts, once in the fast paths' plain forms, once in forms only
    # the reference validators read (Decimal and date objects, padded text).
    plain = Customer.from_record(
        {"key": "C1", "assets_under_management": "1200.50", "birth_date": "1980-02-29",
         "annual_income": "-3"}
    )  # fmt: skip
    unusual = Customer.from_record(
        {"key": "C1", "assets_under_management": Decimal("1200.50"),
         "birth_date": dt.date(1980, 2, 29), "annual_income": " -3 "}
    )  # fmt: skip
    assert plain == unusual
    assert repr(plain.assets_under_management) == "Decimal('1200.50')"


# --------------------------------------------------------------------------- however it arrives
# The bank's rule for an amount does not depend on how a record reaches it: a
# database row handed over as a dict (Decimals, ints, even bytes from a
# driver) or another system's JSON. A balance below zero, bytes, a float, a
# boolean, an amount of 10^20 or more, or one finer than the currency's minor
# unit is refused, naming the field and the problem, by every entry point (the
# native fast paths and the lean validator in front of the checks included).

_UNSUPPORTED = (
    'amount has an unsupported type; pass a Decimal, an int or a string such as "1234.50"'
)
_NEGATIVE = "must not be negative"
_READS: dict[str, Callable[[Any], Customer]] = {
    "from_record": Customer.from_record,
    "model_validate": Customer.model_validate,
    "from_json": lambda r: Customer.from_json(json.dumps(r)),
    "model_validate_json": lambda r: Customer.model_validate_json(json.dumps(r)),
}


_REFUSED = [
    ("assets_under_management", -1, _NEGATIVE),
    ("assets_under_management", "-0.01", _NEGATIVE),
    ("assets_under_management", Decimal("-0.01"), _NEGATIVE),
    ("assets_under_management", Decimal(-5), _NEGATIVE),
    ("assets_under_management", b"100.00", _UNSUPPORTED),
    ("assets_under_management", bytearray(b"100"), _UNSUPPORTED),
    ("annual_profit_contribution", b"-100.00", _UNSUPPORTED),
    ("annual_profit_contribution", 2.0, _FLOAT),
    ("annual_profit_contribution", 10**20, _RANGE),
    ("annual_profit_contribution", -(10**20), _RANGE),
    ("assets_under_management", "100.005", _CNY_PLACES.format("assets_under_management")),
    (
        "assets_under_management",
        Decimal("100.005"),
        _CNY_PLACES.format("assets_under_management"),
    ),
    ("annual_income", Decimal("-0.001"), _CNY_PLACES.format("annual_income")),
]


@pytest.mark.parametrize(
    ("read", "field", "value", "message"),
    [
        (read, *refused)
        for refused in _REFUSED
        for read in sorted(_READS)
        # JSON carries numbers and strings only: Decimals and bytes come in a dict
        if not (read.endswith("json") and isinstance(refused[1], (Decimal, bytes, bytearray)))
    ],
)
def test_an_amount_the_bank_refuses_is_refused_however_the_record_arrives(
    read: str, field: str, value: Any, message: str
) -> None:
    with pytest.raises(RecordValidationError) as err:
        _READS[read]({"key": "C1", "currency": "CNY", field: value})
    assert err.value.errors() == [{"loc": [field], "type": "value_error", "msg": message}]


@pytest.mark.parametrize("read", ["from_record", "model_validate"])
def test_a_monthly_balance_below_zero_from_a_database_row_is_refused(read: str) -> None:
    months = [
        {"month": "2026-09", "average_daily_balance": Decimal("10.00")},
        {"month": "2026-10", "average_daily_balance": Decimal("-10.00")},
    ]
    with pytest.raises(RecordValidationError) as err:
        _READS[read]({"key": "C1", "monthly_balances": months})
    assert err.value.errors() == [
        {
            "loc": ["monthly_balances", 1, "average_daily_balance"],
            "type": "value_error",
            "msg": _NEGATIVE,
        }
    ]
