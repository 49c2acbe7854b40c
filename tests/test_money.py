"""Money on Decimal: boundary checks, quantisation, exact splits, context independence."""

from __future__ import annotations

import decimal
import json
from contextlib import AbstractContextManager
from decimal import ROUND_UP, Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies as cst
from custtier import Customer, Rounding, minor_unit, quantize, split
from custtier._money import (
    _check_amount_slow,
    check_amount,
    check_precision,
    from_minor_units,
    known_currencies,
    to_minor_units,
)
from custtier.errors import (
    CurrencyError,
    CusttierError,
    InputError,
    MoneyError,
    RecordValidationError,
)

D = Decimal

# --------------------------------------------------------------------------- currencies


def test_minor_units_follow_iso_4217() -> None:
    assert minor_unit("CNY") == 2
    assert minor_unit("USD") == 2
    assert minor_unit("JPY") == 0
    assert minor_unit("KRW") == 0
    assert minor_unit("KWD") == 3
    assert minor_unit("BHD") == 3


def test_known_currencies_are_sorted_iso_codes() -> None:
    codes = known_currencies()
    assert list(codes) == sorted(set(codes))
    assert "CNY" in codes
    assert all(len(c) == 3 and c.isupper() for c in codes)


@pytest.mark.parametrize("code", ["XYZ", "cny", "", "RMB"])
def test_unknown_currency_is_a_lookup_error_naming_the_field(code: str) -> None:
    with pytest.raises(CurrencyError) as info:
        minor_unit(code)
    err = info.value
    assert isinstance(err, LookupError)
    assert isinstance(err, ValueError)
    assert isinstance(err, CusttierError)
    assert err.field == "currency"
    assert "CNY" in str(err)  # says what to use instead


# --------------------------------------------------------------------------- boundary checks


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1234.50", D("1234.50")),
        (" 1234.50 ", D("1234.50")),
        (D("0.01"), D("0.01")),
        (7, D(7)),
        ("-3", D(-3)),
    ],
)
def test_exact_amounts_are_accepted_as_given(value: Any, expected: Decimal) -> None:
    result = check_amount(value)
    assert result == expected
    assert result.as_tuple() == expected.as_tuple()  # scale kept, nothing rounded


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (0.1, "float"),
        (1.0, "float"),
        (float("nan"), "float"),
        (float("inf"), "float"),
        (True, "boolean"),
        (False, "boolean"),
        (D("NaN"), "NaN"),
        (D("sNaN"), "NaN"),
        (D("Infinity"), "infinite"),
        (D("-Infinity"), "infinite"),
        ("nan", "NaN"),
        ("-inf", "infinite"),
        ("12,50", "not a number"),
        ("", "not a number"),
        (None, "unsupported type"),
        ([1], "unsupported type"),
    ],
)
def test_non_exact_amounts_are_rejected_naming_the_field(value: Any, kind: str) -> None:
    with pytest.raises(MoneyError) as info:
        check_amount(value, field="monthly_fee")
    err = info.value
    assert isinstance(err, InputError)
    assert isinstance(err, ValueError)
    assert err.field == "monthly_fee"
    assert str(err).startswith("monthly_fee ")
    assert kind in str(err)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_every_float_is_rejected(value: float) -> None:
    with pytest.raises(MoneyError, match="float"):
        check_amount(value)


@given(
    st.sampled_from(known_currencies()).flatmap(
        lambda c: st.tuples(st.just(c), cst.over_precise_amounts(c))
    )
)
def test_over_precise_amounts_are_rejected_for_every_currency(case: tuple[str, Decimal]) -> None:
    currency, amount = case
    with pytest.raises(MoneyError) as info:
        check_precision(amount, currency, field="principal")
    assert info.value.field == "principal"
    assert currency in str(info.value)


@given(cst.currencies().flatmap(lambda c: st.tuples(st.just(c), cst.amounts(c))))
def test_amounts_at_scale_pass_and_round_trip_minor_units(case: tuple[str, Decimal]) -> None:
    currency, amount = case
    assert check_precision(amount, currency) == amount
    units = to_minor_units(amount, currency)
    assert isinstance(units, int)
    assert from_minor_units(units, currency) == amount


def test_trailing_zeros_are_fine_and_scale_is_normalised() -> None:
    assert check_precision(D("100.1"), "CNY").as_tuple() == D("100.10").as_tuple()
    assert check_precision(D("100.100"), "CNY") == D("100.10")
    assert check_precision(D("5"), "JPY") == D(5)
    with pytest.raises(MoneyError):
        check_precision(D("5.5"), "JPY")


# --------------------------------------------------------------------------- quantize

_MODES = [
    Rounding.HALF_EVEN,
    Rounding.HALF_UP,
    Rounding.HALF_DOWN,
    Rounding.DOWN,
    Rounding.UP,
    Rounding.FLOOR,
    Rounding.CEILING,
]

# Expected results written out by hand from the decimal module's documented
# rounding modes (ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_HALF_DOWN, ROUND_DOWN,
# ROUND_UP, ROUND_FLOOR, ROUND_CEILING), in that column order.
_QUANTIZE_TABLE: list[tuple[str, str, tuple[str, ...]]] = [
    ("CNY", "2.345", ("2.34", "2.35", "2.34", "2.34", "2.35", "2.34", "2.35")),
    ("CNY", "2.355", ("2.36", "2.36", "2.35", "2.35", "2.36", "2.35", "2.36")),
    ("CNY", "-2.345", ("-2.34", "-2.35", "-2.34", "-2.34", "-2.35", "-2.35", "-2.34")),
    ("CNY", "2.3451", ("2.35", "2.35", "2.35", "2.34", "2.35", "2.34", "2.35")),
    ("CNY", "-2.341", ("-2.34", "-2.34", "-2.34", "-2.34", "-2.35", "-2.35", "-2.34")),
    ("CNY", "2.34", ("2.34",) * 7),
    ("JPY", "2.5", ("2", "3", "2", "2", "3", "2", "3")),
    ("JPY", "3.5", ("4", "4", "3", "3", "4", "3", "4")),
    ("KWD", "0.0005", ("0.000", "0.001", "0.000", "0.000", "0.001", "0.000", "0.001")),
]


@pytest.mark.parametrize(("currency", "amount", "expected"), _QUANTIZE_TABLE)
def test_quantize_follows_each_documented_rounding_mode(
    currency: str, amount: str, expected: tuple[str, ...]
) -> None:
    for mode, want in zip(_MODES, expected, strict=True):
        got = quantize(D(amount), currency, mode)
        assert got.as_tuple() == D(want).as_tuple(), (mode, got, want)


def test_rounding_values_are_the_decimal_constants() -> None:
    assert str(Rounding.HALF_EVEN) == decimal.ROUND_HALF_EVEN
    assert str(Rounding.HALF_UP) == decimal.ROUND_HALF_UP
    assert Rounding("ROUND_CEILING") is Rounding.CEILING
    assert {str(r) for r in Rounding} == {
        decimal.ROUND_HALF_EVEN,
        decimal.ROUND_HALF_UP,
        decimal.ROUND_HALF_DOWN,
        decimal.ROUND_DOWN,
        decimal.ROUND_UP,
        decimal.ROUND_FLOOR,
        decimal.ROUND_CEILING,
    }


_RAW = st.decimals(min_value=-(10**12), max_value=10**12, places=6, allow_nan=False)


@given(cst.currencies(), _RAW, cst.roundings())
def test_quantize_lands_on_scale_within_one_unit(
    currency: str, amount: Decimal, mode: Rounding
) -> None:
    got = quantize(amount, currency, mode)
    unit = Fraction(1, 10 ** minor_unit(currency))
    assert check_precision(got, currency) == got
    assert abs(Fraction(got) - Fraction(amount)) < unit
    assert quantize(got, currency, mode) == got  # idempotent


# --------------------------------------------------------------------------- split


def test_split_examples_and_tie_break_in_input_order() -> None:
    assert split(D("100.00"), [D(1), D(1), D(1)], "CNY") == (D("33.34"), D("33.33"), D("33.33"))
    # Five cents over six equal weights: the first five parts get a cent each.
    assert split(D("0.05"), [D(1)] * 6, "CNY") == (D("0.01"),) * 5 + (D("0.00"),)
    # Parts 1 and 2 tie on the remainder; the earlier one gets the last cent.
    assert split(D("0.02"), [D(2), D(1), D(1)], "CNY") == (D("0.01"), D("0.01"), D("0.00"))
    # The largest remainder wins over input order.
    assert split(D("0.10"), [D("0.33"), D("0.67")], "CNY") == (D("0.03"), D("0.07"))
    assert split(D("1000"), [D("0.5"), D("0.5")], "JPY") == (D(500), D(500))


def test_split_weights_need_not_sum_to_one_and_zero_weights_get_nothing() -> None:
    assert split(D("10.00"), [D(3), D(0), D(1)], "CNY") == (D("7.50"), D("0.00"), D("2.50"))


@pytest.mark.parametrize(
    ("total", "weights", "error"),
    [
        (D("1.00"), [], ValueError),
        (D("1.00"), [D(0), D(0)], ValueError),
        (D("1.00"), [D(1), D(-1)], ValueError),
        (D("-1.00"), [D(1)], MoneyError),
        (D("1.001"), [D(1)], MoneyError),
    ],
)
def test_split_rejects_what_it_cannot_split(
    total: Decimal, weights: list[Decimal], error: type[Exception]
) -> None:
    with pytest.raises(error):
        split(total, weights, "CNY")


def _check_split(total: Decimal, weights: list[Decimal], currency: str) -> tuple[Decimal, ...]:
    parts = split(total, weights, currency)
    assert len(parts) == len(weights)
    assert sum(parts, D(0)) == total  # every minor unit conserved
    unit = Fraction(1, 10 ** minor_unit(currency))
    wsum = sum(Fraction(w) for w in weights)
    for part, w in zip(parts, weights, strict=True):
        assert part >= 0
        assert check_precision(part, currency) == part
        exact = Fraction(total) * Fraction(w) / wsum
        assert abs(Fraction(part) - exact) < unit
    return parts


@given(
    cst.currencies().flatmap(lambda c: st.tuples(st.just(c), cst.amounts(c))),
    cst.weight_vectors(),
)
def test_split_conserves_every_minor_unit_and_stays_within_one_unit(
    case: tuple[str, Decimal], weights: list[Decimal]
) -> None:
    currency, total = case
    _check_split(total, weights, currency)


@given(cst.amounts("CNY", max_value=10**6), cst.weight_vectors(min_size=2))
def test_split_is_deterministic_and_order_equivariant_without_ties(
    total: Decimal, weights: list[Decimal]
) -> None:
    parts = split(total, weights, "CNY")
    assert split(total, list(weights), "CNY") == parts
    # Reversing the weights reverses the parts unless two remainders tie (a
    # tie is broken by input order, which reversing changes).
    exact = [Fraction(total) * Fraction(w) / sum(map(Fraction, weights)) for w in weights]
    remainders = [e * 100 - int(e * 100) for e in exact]
    if len(set(remainders)) == len(remainders):
        assert split(total, weights[::-1], "CNY") == parts[::-1]


def _reference_split(total: Decimal, weights: list[Decimal], currency: str) -> list[Decimal]:
    """Hamilton's method read straight off its definition, in fractions: the slow path."""
    scale = 10 ** minor_unit(currency)
    units = int(Fraction(total) * scale)
    wsum = sum(map(Fraction, weights))
    exact = [units * Fraction(w) / wsum for w in weights]
    floors = [e.numerator // e.denominator for e in exact]
    left = units - sum(floors)
    # The largest fractional parts get one unit each; equal ones in input order.
    for i in sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))[:left]:
        floors[i] += 1
    return [Decimal(f) / scale if scale > 1 else Decimal(f) for f in floors]


@given(
    cst.currencies().flatmap(lambda c: st.tuples(st.just(c), cst.amounts(c))),
    cst.weight_vectors(),
    st.booleans(),
)
def test_split_is_hamiltons_method_with_ties_in_input_order(
    case: tuple[str, Decimal], weights: list[Decimal], tied: bool
) -> None:
    currency, total = case
    if tied:  # equal weights: every remainder ties, so input order alone decides
        weights = [max(weights)] * len(weights)
    parts = split(total, weights, currency)
    assert parts == tuple(_reference_split(total, weights, currency))
    assert [str(p) for p in parts] == [str(p) for p in split(total, weights, currency)]
    assert all(p.as_tuple().exponent == -minor_unit(currency) for p in parts)


# --------------------------------------------------------------------------- ambient context


def hostile() -> AbstractContextManager[decimal.Context]:
    """A thread context that would wreck any arithmetic that relied on it."""
    return decimal.localcontext(prec=3, rounding=ROUND_UP)


@given(
    cst.currencies().flatmap(lambda c: st.tuples(st.just(c), cst.amounts(c))),
    cst.weight_vectors(),
    _RAW,
    cst.roundings(),
)
def test_results_do_not_depend_on_the_ambient_decimal_context(
    case: tuple[str, Decimal], weights: list[Decimal], raw: Decimal, mode: Rounding
) -> None:
    currency, total = case
    expected = (
        split(total, weights, currency),
        quantize(raw, currency, mode),
        to_minor_units(total, currency),
        check_precision(total, currency),
    )
    with hostile():
        got = (
            split(total, weights, currency),
            quantize(raw, currency, mode),
            to_minor_units(total, currency),
            check_precision(total, currency),
        )
    assert got == expected
    assert [g.as_tuple() for g in got[0]] == [e.as_tuple() for e in expected[0]]


def test_models_validate_the_same_under_a_hostile_context() -> None:
    record = {"key": "C1", "assets_under_management": "123456789.12"}
    with hostile():
        inside = Customer.from_record(record)
        with pytest.raises(CusttierError):
            Customer.from_record({**record, "assets_under_management": "123456789.123"})
    assert inside == Customer.from_record(record)
    assert inside.assets_under_management == D("123456789.12")


_DATABASE_ROW = {
    "key": "C1",
    "assets_under_management": D("123456789.12"),
    "annual_income": D("-1234567.25"),
    "annual_profit_contribution": D("1E+3"),
    "monthly_balances": [{"month": "2026-10", "average_daily_balance": D("98765432.10")}],
}


@pytest.mark.parametrize("read", [Customer.from_record, Customer.model_validate])
def test_a_database_row_of_decimals_reads_the_same_under_a_hostile_context(read: Any) -> None:
    # A driver hands over Decimals: they are checked by custtier's own context
    # too, never by the caller's (three digits here, which would trap or round).
    want = Customer.from_record(_DATABASE_ROW)
    with hostile():
        got = read(_DATABASE_ROW)
        with pytest.raises(CusttierError):
            read({**_DATABASE_ROW, "assets_under_management": D("123456789.123")})
    assert got == want
    assert repr(got.monthly_balances[0].average_daily_balance) == "Decimal('98765432.10')"


#: A caller's context that refuses any rounding at all (a ledger's, say), at three digits.
_EVERY_TRAP = decimal.Context(
    prec=3,
    traps=[
        decimal.Rounded,
        decimal.Inexact,
        decimal.InvalidOperation,
        decimal.DivisionByZero,
        decimal.Overflow,
        decimal.Underflow,
        decimal.Subnormal,
        decimal.FloatOperation,
    ],
)


@settings(max_examples=60, deadline=None)
@given(cst.customers(), st.booleans())
def test_a_customer_reads_the_same_under_a_caller_context_that_traps_every_rounding(
    c: Customer, as_json: bool
) -> None:
    # Regression: the range check negated its limit (10^20, 21 digits) in the
    # caller's context, so a three-digit context trapping Rounded raised
    # decimal.Rounded out of Customer.from_record instead of reading the record.
    record = c.to_record(reveal_personal_data=True)
    rows = [record, _DATABASE_ROW]
    with decimal.localcontext(_EVERY_TRAP):
        got = [
            Customer.from_json(json.dumps(r))
            if as_json and r is record
            else Customer.from_record(r)
            for r in rows
        ]
    assert got == [Customer.from_record(r) for r in rows]


# --------------------------------------------------------------------------- regressions


@pytest.mark.parametrize("value", ["1E+40", "1e999999"])
def test_absurdly_large_amounts_are_rejected_with_a_custtier_error(value: str) -> None:
    with pytest.raises(CusttierError):
        Customer.from_record({"key": "C1", "assets_under_management": value})


# --------------------------------------------------------------------------- heavy fuzzing


@pytest.mark.slow
@settings(max_examples=3000)
@given(
    cst.currencies().flatmap(lambda c: st.tuples(st.just(c), cst.amounts(c, max_value=10**20))),
    cst.weight_vectors(max_size=60),
)
def test_split_fuzz_big_totals_many_parts(
    case: tuple[str, Decimal], weights: list[Decimal]
) -> None:
    currency, total = case
    _check_split(total, weights, currency)


def _as_decimal(text: str) -> Any:
    try:
        return Decimal(text)
    except decimal.InvalidOperation:
        return text


_SPELLINGS = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.builds(lambda digits, places, zeros: f"{digits}.{'0' * zeros}".rstrip(".") if places == 0
              else f"{digits}.{'5' * places}{'0' * zeros}",
              st.integers(-(10**22), 10**22), st.integers(0, 14), st.integers(0, 4)),
    st.sampled_from(["0E-13", "-0.0000000000000", "1.0000000000000", "1E+19", "1E+20", " 12.5 ",
                     "1_000.5", "abc", ""]),
)  # fmt: skip


@given(st.one_of(_SPELLINGS, _SPELLINGS.map(_as_decimal)))
def test_the_fast_path_accepts_and_refuses_exactly_what_the_full_check_does(value: Any) -> None:
    try:
        expected: Any = _check_amount_slow(value, "amount")
    except MoneyError as exc:
        expected = str(exc)
    try:
        got: Any = check_amount(value)
    except MoneyError as exc:
        got = str(exc)
    assert got == expected
    if isinstance(got, Decimal):
        assert got.as_tuple() == expected.as_tuple()  # the very same spelling


# --------------------------------------------------------------------------- the limits, stated
# Each test pins one documented bound at its exact edge, on both the fast path
# (str and Decimal) and the slow one (int, padded text), so moving a bound by
# one, or relaxing a comparison, fails a test (the mutation pass found these
# unguarded).

_BELOW_LIMIT = ["99999999999999999999.99", "-99999999999999999999.99", "99999999999999999999"]
_AT_LIMIT = ["100000000000000000000", "-100000000000000000000", "1E+20", "100000000000000000000.0"]


@pytest.mark.parametrize("text", _BELOW_LIMIT)
def test_amounts_just_below_10_to_the_20_are_accepted(text: str) -> None:
    for value in (text, D(text), f" {text} ", int(D(text)) if "." not in text else D(text)):
        assert check_amount(value) == D(text)


@pytest.mark.parametrize("text", _AT_LIMIT)
def test_amounts_of_10_to_the_20_or_more_are_refused(text: str) -> None:
    for value in (text, D(text), f" {text} ", int(D(text))):
        with pytest.raises(MoneyError, match="below 10\\^20 with at most 12 decimal places"):
            check_amount(value)


def test_twelve_decimal_places_are_accepted_and_thirteen_refused() -> None:
    for twelve in ("0.000000000001", "-1.000000000001", "0.100000000000"):
        assert check_amount(twelve) == D(twelve)
        assert check_amount(f" {twelve} ") == D(twelve)  # the slow path states it too
        assert check_amount(D(twelve)).as_tuple() == D(twelve).as_tuple()
    for thirteen in ("0.0000000000001", "-1.0000000000001", "0.1000000000001"):
        for value in (thirteen, f" {thirteen} ", D(thirteen)):
            with pytest.raises(MoneyError, match="out of range"):
                check_amount(value)


class _Text(str):
    """A str subclass, as ``numpy.str_`` is: amounts read from an array arrive as one."""


class _Amount(D):
    """A Decimal subclass, as another library's money type may be."""


def test_twelve_places_hold_for_subclasses_of_str_and_decimal_too() -> None:
    # Subclasses skip the exact-type fast path: the general check states the limit.
    for twelve in ("0.000000000001", "-1.000000000001"):
        assert check_amount(_Text(twelve)) == D(twelve)
        assert check_amount(_Amount(twelve)) == D(twelve)
    for thirteen in ("0.0000000000001", "100000000000000000000"):
        for value in (_Text(thirteen), _Amount(thirteen)):
            with pytest.raises(MoneyError, match="out of range"):
                check_amount(value)


@pytest.mark.parametrize("raw", [b"100.00", bytearray(b"100.00"), b"-5", b"7"])
def test_an_amount_in_bytes_is_refused_in_a_record_as_check_amount_refuses_it(raw: Any) -> None:
    # Records are read natively first; that path must refuse what check_amount
    # refuses (lax string parsing would decode bytes as text).
    signed = {"key": "C1", "annual_profit_contribution": raw}
    month = {"month": "2026-10", "average_daily_balance": raw}
    unsigned = {"key": "C1", "monthly_balances": [month]}
    cases = [
        (signed, "annual_profit_contribution"),
        (unsigned, "monthly_balances.0.average_daily_balance"),
    ]
    for record, field in cases:
        with pytest.raises(RecordValidationError, match="unsupported type") as info:
            Customer.from_record(record)
        assert info.value.details[0].field == field


@pytest.mark.parametrize("negative", [-1, -2, "-1", "-0.01", Decimal("-1")])
def test_a_balance_below_zero_is_refused_however_it_is_written(negative: Any) -> None:
    month = {"month": "2026-10", "average_daily_balance": negative}
    with pytest.raises(RecordValidationError) as info:
        Customer.from_record({"key": "C1", "monthly_balances": [month]})
    assert info.value.details[0].field == "monthly_balances.0.average_daily_balance"


def test_the_private_context_holds_every_digit_of_the_largest_amounts() -> None:
    # 22 significant digits: a 16-digit context would round them silently.
    big = D("99999999999999999999.99")
    assert to_minor_units(big, "CNY") == 9999999999999999999999
    assert from_minor_units(9999999999999999999999, "CNY") == big
    assert quantize(D("99999999999999999999.985"), "CNY", Rounding.HALF_EVEN) == D(
        "99999999999999999999.98"
    )
    assert check_precision(D("12345678901234567890.1"), "CNY") == D("12345678901234567890.10")
    assert sum(split(big, [D(1), D(2)], "CNY")) == big
    assert split(big, [D(1), D(1)], "CNY")[1] == D("49999999999999999999.99")


def test_split_refuses_any_negative_weight_even_when_the_sum_is_positive() -> None:
    for weights in ([D(2), D(-1)], [D(-1), D(3), D(1)]):
        with pytest.raises(ValueError, match="non-negative"):
            split(D("1.00"), weights, "CNY")


def test_split_refuses_the_smallest_negative_total() -> None:
    for total in ("-0.01", "-1"):
        with pytest.raises(MoneyError, match="must not be negative") as info:
            split(D(total), [D(1)], "CNY")
        assert info.value.field == "total"
    assert split(D("0.00"), [D(1), D(1)], "CNY") == (D("0.00"), D("0.00"))


@pytest.mark.parametrize("spelling", ["-0", "-0.00", "0E+3", "-0E-5", "0.000"])
def test_zero_has_one_canonical_spelling_and_no_sign(spelling: str) -> None:
    from pydantic import TypeAdapter

    from custtier._money import ExactDecimal, Weight

    for kind in (ExactDecimal, Weight):
        adapter = TypeAdapter(kind)
        held = adapter.validate_python(spelling)
        assert held == 0
        assert not held.is_signed()
        assert str(held) == "0"
        assert adapter.dump_json(held) == b'"0"'
        assert adapter.dump_json(D(spelling)) == b'"0"'  # written canonically whatever is held


# --------------------------------------------------------------------------- messages, stated
# A person reads these: each names the field and says what to do. The
# mutation pass showed their wording and their ``field`` could change unseen.


def test_every_refusal_of_an_amount_names_its_field_on_every_path() -> None:
    for value in (" abc ", "1E+20", " 0.0000000000001 ", 10**20, D("1E+20")):
        with pytest.raises(MoneyError) as info:
            check_amount(value, field="monthly_fee")
        assert info.value.field == "monthly_fee"
        assert str(info.value).startswith("monthly_fee is ")


def test_split_says_what_it_cannot_split() -> None:
    cases = [
        ([], D("1.00"), "split needs at least one weight"),
        ([D(0), D(0)], D("1.00"), "split weights must not all be zero"),
        ([D(2), D(-1)], D("1.00"), "split weights must be non-negative"),
        ([D(1)], D("-0.01"), "split total must not be negative"),
    ]
    for weights, total, message in cases:
        with pytest.raises(ValueError, match=f"^{message}$"):
            split(total, weights, "CNY")


def test_model_messages_carry_the_money_rule() -> None:
    with pytest.raises(CusttierError) as info:
        Customer.from_record({"key": "C1", "assets_under_management": "abc"})
    assert 'amount is not a number; write it like "1234.50"' in str(info.value)
    with pytest.raises(CusttierError) as info:
        Customer.from_record({"key": "C1", "assets_under_management": "-1.00"})
    assert "must not be negative" in str(info.value)


def test_playbook_weights_are_refused_as_weights() -> None:
    from custtier import Playbook, presets

    data = cst.playbook_data(presets.PRACTICE)
    weights = data["allocation"]["model_portfolios"][0]["weights"]
    weights[0]["weight"] = 0.4
    with pytest.raises(CusttierError) as info:
        Playbook.model_validate(data)
    assert "weight is a float" in str(info.value)
    weights[0]["weight"] = "1.5"
    with pytest.raises(CusttierError) as info:
        Playbook.model_validate(data)
    assert "weight must lie in [0, 1]" in str(info.value)


def test_an_unknown_currency_lists_the_known_ones() -> None:
    with pytest.raises(CurrencyError) as info:
        minor_unit("XYZ")
    message = str(info.value)
    assert message.startswith("currency code is not one custtier knows the ISO 4217 minor unit of")
    assert message.endswith("use one of " + ", ".join(known_currencies()))


def test_precision_is_checked_right_on_a_cold_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    # One quantum per currency is cached on first use; the first use must be right too.
    from custtier import _money

    monkeypatch.setattr(_money, "_QUANTA", {})
    for currency in known_currencies():
        places = minor_unit(currency)
        fine = D(1).scaleb(-places)
        assert check_precision(fine, currency).as_tuple() == fine.as_tuple()
        with pytest.raises(MoneyError, match=f"than {currency} allows \\({places}\\)") as info:
            check_precision(fine / 10, currency, field="principal")
        assert info.value.field == "principal"
    cached = _money._QUANTA
    assert cached == {c: D(1).scaleb(-minor_unit(c)) for c in known_currencies()}


def test_exact_messages_of_the_money_rules() -> None:
    with pytest.raises(MoneyError) as info:
        check_precision(D("100.105"), "CNY")
    assert info.value.field == "amount"  # the default name, when the caller gives none
    assert str(info.value) == (
        "amount has more decimal places than CNY allows (2); "
        "round it first with an explicit rounding mode"
    )
    with pytest.raises(MoneyError, match=r"^flag is a boolean; pass a Decimal, an int or a string"):
        check_amount(True, field="flag")

    class Text(str):  # a str subclass takes the full check, which must say the same
        pass

    with pytest.raises(
        MoneyError, match=r'^fee is not a number; write it like "1234\.50"$'
    ) as info:
        check_amount(Text("abc"), field="fee")
    assert info.value.field == "fee"
    with pytest.raises(CusttierError) as refused:
        Customer.from_record({"key": "C1", "assets_under_management": "-1.00"})
    assert "assets_under_management: must not be negative [value_error]" in str(refused.value)


def test_a_weight_outside_zero_to_one_is_refused_with_the_rule() -> None:
    from custtier import Playbook, presets

    data = cst.playbook_data(presets.PRACTICE)
    data["allocation"]["model_portfolios"][0]["weights"][0]["weight"] = "1.5"
    with pytest.raises(CusttierError) as info:
        Playbook.model_validate(data)
    assert str(info.value).endswith(".weights.0.weight: weight must lie in [0, 1]")


@pytest.mark.parametrize("spelling", ["1_000", "１２", "12\u0663"])
def test_digits_other_than_0_to_9_are_refused_with_the_rule_and_the_field(spelling: str) -> None:
    # Decimal() would read these; another system's formatting must not become an amount.
    class Text(str):  # a str subclass takes the full check, which must say the same
        pass

    for value in (spelling, Text(spelling)):
        with pytest.raises(MoneyError) as info:
            check_amount(value, field="monthly_fee")
        assert info.value.field == "monthly_fee"
        assert str(info.value) == (
            'monthly_fee is not a plain number; write it with the digits 0-9, like "1234.50"'
        )


# --------------------------------------------------------------------------- published schema
# `custtier schema` hands other systems the JSON schema of a playbook or a
# decision: an amount is published as an exact decimal string or an integer,
# never as a JSON number (a float), and written back as a string.


def test_the_json_schema_publishes_amounts_as_strings_or_integers_never_floats() -> None:
    from pydantic import TypeAdapter

    from custtier._money import _UNSIGNED_PATTERN, DECIMAL_PATTERN, Amount, NonNegativeAmount

    described = 'an exact decimal: a string such as "1234.50" or an integer; never a float'
    for kind, pattern, integer in (
        (Amount, DECIMAL_PATTERN, {"type": "integer"}),
        (NonNegativeAmount, _UNSIGNED_PATTERN, {"type": "integer", "minimum": 0}),
    ):
        adapter = TypeAdapter(kind)
        text = {"type": "string", "pattern": pattern}
        assert adapter.json_schema(mode="validation") == {
            "anyOf": [text, integer],
            "description": described,
        }
        assert adapter.json_schema(mode="serialization") == text


_SPELLED = st.builds(
    lambda units, places, zeros: (
        Decimal(units).scaleb(-places) + Decimal(0).scaleb(-places - zeros)
    ),
    st.integers(-(10**15), 10**15),
    st.integers(-3, 6),
    st.integers(0, 3),
)  # amounts with trailing zeros, positive exponents and more places than a currency has


@given(st.lists(_SPELLED, max_size=20), st.sampled_from(["CNY", "JPY", "KWD"]))
def test_first_too_fine_is_the_first_amount_check_precision_refuses(
    amounts: list[Decimal], currency: str
) -> None:
    from custtier._money import check_precision, first_too_fine

    refused = []
    for i, amount in enumerate(amounts):
        try:
            check_precision(amount, currency)
        except MoneyError:
            refused.append(i)
    assert first_too_fine(amounts, currency) == (refused[0] if refused else -1)


# --------------------------------------------------------------------------- arguments

#: The helpers as an untyped caller (a notebook) reaches them.
_split: Any = split
_quantize: Any = quantize


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: _split(D("100.00"), [0.3, 0.7], "CNY"), "weights[0]"),
        (lambda: _split(D("100.00"), [D(1), True], "CNY"), "weights[1]"),
        (lambda: _split(D("100.00"), [D(1), D("NaN")], "CNY"), "weights[1]"),
        (lambda: _split(D("100.00"), [D(1), [1]], "CNY"), "weights[1]"),
        (lambda: _split(D("100.00"), [D(1), D(-1)], "CNY"), "weights"),
        (lambda: _split(100.0, [D(1)], "CNY"), "total"),
        (lambda: _split(None, [D(1)], "CNY"), "total"),
        (lambda: _split(D("NaN"), [D(1)], "CNY"), "total"),
        (lambda: _quantize(2.345, "CNY", Rounding.HALF_UP), "amount"),
        (lambda: _quantize(D("NaN"), "CNY", Rounding.HALF_UP), "amount"),
        (lambda: _quantize(D("2.345"), "CNY", "half up"), "rounding"),
    ],
)
def test_split_and_quantize_name_the_argument_that_is_not_an_exact_amount(
    call: Any, field: str
) -> None:
    # A notebook passing floats, a boolean or NaN got AttributeError or TypeError from
    # inside decimal (or NaN back, silently); now a CusttierError names what to fix.
    with pytest.raises(InputError) as refused:
        call()
    assert refused.value.field == field


def test_split_and_quantize_read_exact_amounts_given_as_text_or_integers() -> None:
    assert split("100.00", ["3", 7], "CNY") == (D("30.00"), D("70.00"))
    assert _quantize(D("2.345"), "CNY", "ROUND_HALF_UP") == D("2.35")
    assert split(D("1.00"), [D(1) / D(3), D(2) / D(3)], "CNY") == (D("0.33"), D("0.67"))


@given(cst.hostile_scalars(), st.lists(cst.hostile_scalars(), max_size=3))
def test_split_answers_or_raises_a_custtier_error_whatever_it_is_given(
    total: Any, weights: list[Any]
) -> None:
    try:
        parts = split(total, weights, "CNY")
    except CusttierError:
        return
    assert sum(parts) == D(str(total))
