"""Money on ``Decimal``: currencies, boundary checks, quantisation and exact splits.

custtier represents an amount as a plain :class:`~decimal.Decimal` beside a
currency code held by the record (a customer, a product, a playbook). These
helpers are the only places amounts are checked, rounded or split, and none of
them reads the ambient :mod:`decimal` context: each operation passes its own
context, so results are the same in every thread and worker process.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from contextlib import AbstractContextManager
from decimal import Decimal
from functools import reduce
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema
from pydantic_core import core_schema

from custtier._cache import cached, module_cache
from custtier._enum import Vocabulary
from custtier._fast import FastPath
from custtier.errors import CurrencyError, InputError, MoneyError

__all__ = [
    "EXACT",
    "Amount",
    "ExactDecimal",
    "NonNegativeAmount",
    "Rounding",
    "RuleAmount",
    "Weight",
    "check_amount",
    "check_precision",
    "exact_context",
    "from_minor_units",
    "known_currencies",
    "minor_unit",
    "quantize",
    "split",
    "takes_cents",
    "to_minor_units",
]

# ISO 4217 minor units (List One, SIX Financial Information, the maintenance
# agency). Only currencies a retail bank in scope plausibly books; extend by
# pull request with the list as the source. Pure data, no I/O.
_MINOR_UNITS: dict[str, int] = {
    "AUD": 2, "BHD": 3, "CAD": 2, "CHF": 2, "CNY": 2, "EUR": 2, "GBP": 2,
    "HKD": 2, "IDR": 2, "INR": 2, "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3,
    "MOP": 2, "MYR": 2, "NZD": 2, "OMR": 3, "PHP": 2, "SAR": 2, "SGD": 2,
    "THB": 2, "TND": 3, "TWD": 2, "USD": 2, "VND": 0,
}  # fmt: skip

# One private context for every operation: enough precision for any book
# (28 digits covers 10^26 minor units), traps on so nothing is silently lost.
_CONTEXT = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

#: The same context, for hot paths that call its methods (``EXACT.divide``)
#: instead of entering ``exact_context()`` around a line or two.
EXACT = _CONTEXT


# Additions here are exact: a precision and exponent range no finite sum of
# amounts reaches, so nothing is rounded (only used to add, never to divide).
_UNBOUNDED = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)

# One quantum per currency (Decimal("0.01") for CNY), built on first use.
_QUANTA: dict[str, Decimal] = module_cache({}, "_money._QUANTA")


# Bounds that keep every sum and product of a book inside the private
# context's 34 digits: 10^20 is far beyond any balance, 12 places beyond any
# currency or weight a rule needs.
_MAX_DIGITS = 20
_MAX_PLACES = 12
# Built from ints, and negated here, not in check_amount: a negation or a
# power rounds in the caller's context (three digits, Rounded trapped: a raise).
_LIMIT = Decimal(10**_MAX_DIGITS)
_NEGATIVE_LIMIT = Decimal(-(10**_MAX_DIGITS))
_FINEST = Decimal(1).scaleb(-_MAX_PLACES, context=_CONTEXT)  # never the importer's context
_PLACES_CHECK = decimal.Context(prec=34, traps=[decimal.InvalidOperation, decimal.Rounded])
# Reading text: Decimal(text) signals a bad spelling in the caller's context, which
# may not trap it (the text then reads as NaN, refused as "NaN or infinite"). This
# context traps it and, at the largest precision and exponent range, reads any
# number exactly as Decimal(text) does; it refuses surrounding whitespace, which
# the slow path strips first.
_parse = decimal.Context(
    prec=decimal.MAX_PREC,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation],
).create_decimal


class Rounding(Vocabulary):
    """Rounding modes a playbook may name; values are the :mod:`decimal` constants."""

    HALF_EVEN = decimal.ROUND_HALF_EVEN
    HALF_UP = decimal.ROUND_HALF_UP
    HALF_DOWN = decimal.ROUND_HALF_DOWN
    DOWN = decimal.ROUND_DOWN
    UP = decimal.ROUND_UP
    FLOOR = decimal.ROUND_FLOOR
    CEILING = decimal.ROUND_CEILING


def exact_context() -> AbstractContextManager[decimal.Context]:
    """A ``with`` block in which ordinary ``Decimal`` operators use custtier's context.

    Engines wrap their public entry points in it, so sums, products and
    divisions never depend on the caller's ambient context (which differs per
    thread and does not travel into worker processes).
    """
    return decimal.localcontext(_CONTEXT)


def minor_unit(currency: str) -> int:
    """Number of decimal places of ``currency`` (ISO 4217).

    >>> minor_unit("CNY"), minor_unit("JPY"), minor_unit("KWD")
    (2, 0, 3)
    """
    try:
        return _MINOR_UNITS[currency]
    except KeyError:
        raise CurrencyError(
            "currency code is not one custtier knows the ISO 4217 minor unit of; "
            f"use one of {', '.join(sorted(_MINOR_UNITS))}",
            field="currency",
        ) from None


def known_currencies() -> tuple[str, ...]:
    """Every currency code custtier accepts, sorted."""
    return tuple(sorted(_MINOR_UNITS))


def check_amount(value: Any, *, field: str = "amount") -> Decimal:
    """Accept an exact amount (``Decimal``, ``int`` or numeric ``str``); reject the rest.

    Floats are rejected because a binary float cannot hold most cent amounts
    exactly (``0.1 + 0.2 != 0.3``); so are NaN, infinities and booleans.

    >>> check_amount("1234.50")
    Decimal('1234.50')
    >>> check_amount(0.1)
    Traceback (most recent call last):
    ...
    custtier.errors.MoneyError: amount is a float; pass a Decimal, an int or a string such as "1234.50"
    """
    # The common cases first, by exact type (one check each): this runs for
    # every amount of every record a batch ingests.
    kind = type(value)
    if kind is str and (not value.isascii() or "_" in value):
        _not_plain(field)
    if kind is str or kind is Decimal:
        try:
            amount = value if kind is Decimal else _parse(value)
        except decimal.InvalidOperation:
            return _check_amount_slow(value, field)  # it strips, then reads or refuses
        # In range and at most 12 places, trailing zeros included: quantizing
        # to 12 places signals Rounded exactly when digits would be dropped
        # (as_tuple builds a named tuple in Python, three times dearer).
        if amount.is_finite() and _NEGATIVE_LIMIT < amount < _LIMIT:
            try:
                amount.quantize(_FINEST, context=_PLACES_CHECK)
            except decimal.Rounded:
                pass  # the slow path decides (zero may carry any exponent)
            else:
                return amount
    return _check_amount_slow(value, field)


def _not_plain(field: str) -> None:
    # Decimal() reads "1_000" and full-width digits ("１２"): a typo or another
    # system's formatting must not silently become an amount.
    raise MoneyError(
        f'{field} is not a plain number; write it with the digits 0-9, like "1234.50"',
        field=field,
    )


def _check_amount_slow(value: Any, field: str) -> Decimal:
    if isinstance(value, (bool, float)):
        kind = "a boolean" if isinstance(value, bool) else "a float"
        raise MoneyError(
            f'{field} is {kind}; pass a Decimal, an int or a string such as "1234.50"',
            field=field,
        )
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, str):
        if not value.isascii() or "_" in value:
            _not_plain(field)
        try:
            amount = _parse(value.strip())
        except decimal.InvalidOperation:
            raise MoneyError(
                f'{field} is not a number; write it like "1234.50"', field=field
            ) from None
    else:
        raise MoneyError(
            f'{field} has an unsupported type; pass a Decimal, an int or a string such as "1234.50"',
            field=field,
        )
    if not amount.is_finite():
        raise MoneyError(f"{field} is NaN or infinite; pass a finite amount", field=field)
    exponent = amount.as_tuple().exponent  # an int: NaN and infinities were refused above
    if amount and (amount.adjusted() >= _MAX_DIGITS or int(exponent) < -_MAX_PLACES):
        raise MoneyError(
            f"{field} is out of range; amounts must be below 10^{_MAX_DIGITS} "
            f"with at most {_MAX_PLACES} decimal places",
            field=field,
        )
    return amount


def check_precision(amount: Decimal, currency: str, *, field: str = "amount") -> Decimal:
    """Return ``amount`` at the currency's scale; reject digits finer than its minor unit.

    Trailing zeros are fine (``"100.10"`` in CNY); ``"100.105"`` is not, because
    rounding it silently would change the customer's money.

    >>> check_precision(Decimal("100.1"), "CNY")
    Decimal('100.10')
    >>> check_precision(Decimal("100.105"), "CNY")
    Traceback (most recent call last):
    ...
    custtier.errors.MoneyError: amount has more decimal places than CNY allows (2); round it first with an explicit rounding mode
    """
    exponent = _quantum(currency)
    scaled = amount.quantize(exponent, rounding=decimal.ROUND_DOWN, context=_CONTEXT)
    if scaled != amount:
        places = -int(exponent.as_tuple().exponent)
        raise MoneyError(
            f"{field} has more decimal places than {currency} allows ({places}); "
            "round it first with an explicit rounding mode",
            field=field,
        )
    return scaled


def _quantum(currency: str) -> Decimal:
    exponent = _QUANTA.get(currency)
    if exponent is None:
        exponent = _QUANTA.setdefault(currency, Decimal(1).scaleb(-minor_unit(currency)))
    return exponent


def first_too_fine(amounts: Sequence[Decimal], currency: str) -> int:
    """The index of the first amount :func:`check_precision` would refuse, or -1.

    One loop for a record's amounts (a customer has a dozen or more): the
    caller builds field names, and calls ``check_precision`` for the error,
    only when one is refused. An unknown currency is refused as there.

    >>> first_too_fine([Decimal("1.10"), Decimal("2.005")], "CNY")
    1
    """
    exponent = _quantum(currency)
    # Exact addition keeps the smallest exponent of its terms, so one C-level
    # sum (starting from the quantum, exponent -places) tells whether every
    # amount is written with at most the currency's places: the common case,
    # for a sixth of the quantizes' cost. Otherwise (trailing zeros such as
    # "100.100" are still allowed) each amount is checked by value.
    if reduce(_UNBOUNDED.add, amounts, exponent).same_quantum(exponent):
        return -1
    down = decimal.ROUND_DOWN
    for i, amount in enumerate(amounts):
        if amount.quantize(exponent, rounding=down, context=_CONTEXT) != amount:
            return i
    return -1


def takes_cents(currency: str) -> bool:
    """Whether ``currency`` is one custtier knows with two or more minor places.

    Every amount written with at most two places is then at its scale.

    >>> takes_cents("CNY"), takes_cents("JPY"), takes_cents("KWD"), takes_cents("XXX")
    (True, False, True, False)
    """
    return _MINOR_UNITS.get(currency, 0) >= 2


def quantize(amount: Decimal | int | str, currency: str, rounding: Rounding) -> Decimal:
    """Round ``amount`` to the currency's minor unit with the named mode.

    >>> quantize(Decimal("2.345"), "CNY", Rounding.HALF_EVEN)
    Decimal('2.34')
    >>> quantize(Decimal("2.345"), "CNY", Rounding.HALF_UP)
    Decimal('2.35')
    """
    exponent = _quantum(currency)
    if type(amount) is Decimal:
        try:
            rounded = amount.quantize(exponent, rounding=str(rounding), context=_CONTEXT)
        except (TypeError, decimal.InvalidOperation):
            pass  # infinite, or not a rounding mode: say which below
        else:
            if rounded.is_finite():  # NaN quantizes to NaN without a signal
                return rounded
    return _quantize_checked(amount, exponent, rounding)


def _quantize_checked(amount: Any, exponent: Decimal, rounding: Any) -> Decimal:
    # The slow path names the argument that is wrong (the fast one raised a bare
    # AttributeError or TypeError, or let NaN through).
    if not isinstance(rounding, Rounding):
        try:
            rounding = Rounding(rounding)
        except ValueError:
            raise InputError(
                f"rounding is not a rounding mode; pass custtier.Rounding "
                f"({', '.join(r.name for r in Rounding)})",
                field="rounding",
            ) from None
    checked = check_amount(amount)
    return checked.quantize(exponent, rounding=str(rounding), context=_CONTEXT)


def to_minor_units(amount: Decimal, currency: str) -> int:
    """Exact integer count of minor units; the amount must already be at scale.

    >>> to_minor_units(Decimal("12.34"), "CNY")
    1234
    """
    scaled = check_precision(amount, currency)
    return int(scaled.scaleb(minor_unit(currency), context=_CONTEXT))


def from_minor_units(units: int, currency: str) -> Decimal:
    """Inverse of :func:`to_minor_units`.

    >>> from_minor_units(1234, "CNY")
    Decimal('12.34')
    """
    return Decimal(units).scaleb(-minor_unit(currency), context=_CONTEXT)


def split(
    total: Decimal | int | str, weights: Sequence[Decimal | int | str], currency: str
) -> tuple[Decimal, ...]:
    """Split ``total`` over ``weights`` so the parts sum to ``total`` exactly.

    Largest-remainder (Hamilton) method on integer minor units: each part first
    gets the floor of its exact share; the units left over go one each to the
    parts with the largest fractional remainder. **Tie-break:** equal
    remainders are served in input order (earlier first), so the result never
    depends on hashing or sorting stability. Every part is within one minor
    unit of its exact share. Weights must be non-negative and not all zero;
    they need not sum to 1 (they are normalised exactly, with fractions).

    >>> split(Decimal("100.00"), [Decimal(1), Decimal(1), Decimal(1)], "CNY")
    (Decimal('33.34'), Decimal('33.33'), Decimal('33.33'))
    >>> sum(split(Decimal("0.05"), [Decimal("0.5"), Decimal("0.5")], "CNY"))
    Decimal('0.05')

    ``total`` and the weights may also be given as an ``int`` or a numeric
    string (read as amounts are read); a float, NaN or anything else is
    refused with a :class:`~custtier.errors.MoneyError` naming it.
    """
    if type(total) is not Decimal or not total.is_finite():
        total = check_amount(total, field="total")
    key = tuple(weights)
    if bool in map(type, key):  # True == 1: a cached (1,) would answer for (True,)
        key = tuple(_weight(w, i) for i, w in enumerate(key))  # refuses the boolean
    try:
        numerators, denominator = _ratios(key)
    except TypeError:  # an unhashable weight (a signalling NaN): read it as it is
        numerators, denominator = _ratios.__wrapped__(key)
    units = to_minor_units(total, currency)
    if units < 0:
        raise MoneyError("split total must not be negative", field="total")
    if denominator == 0:
        raise MoneyError("split weights must not all be zero", field="weights")
    floors: list[int] = []
    remainders: list[int] = []
    for n in numerators:
        q, r = divmod(units * n, denominator)
        floors.append(q)
        remainders.append(r)
    leftover = units - sum(floors)
    if leftover:
        # Largest remainder first; ties keep input order (sorted is stable, reversed too).
        order = sorted(range(len(floors)), key=remainders.__getitem__, reverse=True)
        for i in order[:leftover]:
            floors[i] += 1
    exponent = -minor_unit(currency)  # from_minor_units, its currency read once
    return tuple([Decimal(f).scaleb(exponent, context=_CONTEXT) for f in floors])


@cached(maxsize=256)
def _ratios(weights: tuple[Decimal, ...]) -> tuple[tuple[int, ...], int]:
    """``weights`` as integer numerators over a common scale, and their sum (exact).

    Weights are a playbook's (a portfolio, the needs share), so each set is
    read once. Equal weights spelled differently (0.4, 0.40) give numerators
    in the same ratio, hence the same split.
    """
    if not weights:
        raise MoneyError("split needs at least one weight", field="weights")
    weights = tuple(_weight(w, i) for i, w in enumerate(weights))
    if any(w < 0 for w in weights):
        raise MoneyError("split weights must be non-negative", field="weights")
    scale = max(-int(w.as_tuple().exponent) for w in weights)
    numerators = tuple(int(w.scaleb(scale, context=_CONTEXT)) for w in weights)
    return numerators, sum(numerators)


def _weight(value: Any, index: int) -> Decimal:
    # Any finite Decimal (a third has 28 places) or int; anything else is read as an
    # amount is (a string), or refused naming it (a float, a boolean, NaN).
    if type(value) is Decimal and value.is_finite():
        return value
    if type(value) is int:
        return Decimal(value)
    return check_amount(value, field=f"weights[{index}]")


def _validate_amount(value: Any) -> Decimal:
    # Inside a model pydantic already knows the field's location: raise a
    # plain ValueError so the location is not extended by a generic name.
    try:
        return check_amount(value)
    except MoneyError as exc:
        raise ValueError(str(exc)) from None


def _validate_non_negative(value: Any) -> Decimal:
    # One Python call for both checks: a record has a dozen balances.
    amount = _validate_amount(value)
    if amount < 0:
        raise ValueError("must not be negative")
    return amount


def _validate_exact(value: Any) -> Decimal:
    # Rule values are held in their canonical spelling, not only written in
    # it: a playbook reloaded from its canonical JSON then renders every
    # number in every decision exactly as the original did.
    return Decimal(_canonical(_validate_amount(value)))


def _validate_weight(value: Any) -> Decimal:
    try:
        weight = check_amount(value, field="weight")
    except MoneyError as exc:
        raise ValueError(str(exc)) from None
    if not Decimal(0) <= weight <= Decimal(1):
        raise ValueError("weight must lie in [0, 1]")
    return Decimal(_canonical(weight))


def _canonical(value: Decimal) -> str:
    # One spelling per number ("0.3", never "0.30" or "3E-1"; "0", never
    # "-0"), so equal rule sets hash equally and render equally.
    text = format(value.normalize(context=_CONTEXT), "f")
    return "0" if text in {"-0", "0"} else text


#: What the JSON Schema (and so OpenAPI) says of an exact number: a decimal
#: string with its pattern, or an integer, never "number" (a generated client
#: would send floats, which are refused). Written out: numbers arrive as strings.
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
_UNSIGNED_PATTERN = r"^[0-9]+(\.[0-9]+)?$"


def _schema(pattern: str, *, minimum: int | None = None) -> tuple[WithJsonSchema, WithJsonSchema]:
    integer: dict[str, Any] = {"type": "integer"}
    if minimum is not None:
        integer["minimum"] = minimum
    text = {"type": "string", "pattern": pattern}
    described = 'an exact decimal: a string such as "1234.50" or an integer; never a float'
    return (
        WithJsonSchema({"anyOf": [text, integer], "description": described}, mode="validation"),
        WithJsonSchema(text, mode="serialization"),
    )


def _plain_amounts(*, signed: bool) -> tuple[core_schema.CoreSchema, ...]:
    # The amounts check_amount accepts as they are, read natively: digit
    # strings of at most 20 integer and 12 decimal places, and integers below
    # 10^20. Decimal(text) and Decimal(int) give the same value either way.
    sign = "-?" if signed else ""
    text = core_schema.str_schema(strict=True, pattern=rf"^{sign}[0-9]{{1,20}}(\.[0-9]{{1,12}})?$")
    whole = core_schema.int_schema(strict=True, lt=_LIMIT_INT, gt=-_LIMIT_INT if signed else -1)
    return tuple(core_schema.chain_schema([s, core_schema.decimal_schema()]) for s in (text, whole))


_LIMIT_INT = 10**_MAX_DIGITS
_CENT = Decimal("0.01")


def _lean_amounts(*, signed: bool) -> core_schema.CoreSchema:
    # What a lean validator (models/_lean.py) reads: amounts of at most two
    # places, so that a record in a currency with cents needs no precision
    # check. Text and integers natively; a Decimal through the reference
    # check. Anything else makes the lean validator give way to the full one.
    reference = _validate_amount if signed else _validate_non_negative
    sign = "-?" if signed else ""
    text = core_schema.str_schema(strict=True, pattern=rf"^{sign}[0-9]{{1,20}}(\.[0-9]{{1,2}})?$")

    def exact(value: Any) -> Decimal:
        if type(value) is Decimal:
            amount = reference(value)
            if amount.quantize(_CENT, rounding=decimal.ROUND_DOWN, context=_CONTEXT) == amount:
                return amount
        raise ValueError("not an amount the lean validator reads")

    return core_schema.union_schema(
        [
            core_schema.chain_schema([text, core_schema.decimal_schema()]),
            _plain_amounts(signed=signed)[1],
            core_schema.no_info_plain_validator_function(exact),
        ],
        mode="left_to_right",
    )


#: An exact amount. Accepts ``Decimal``, ``int`` or a numeric string; rejects
#: float, bool, NaN and infinity. Precision against the currency is checked by
#: the model that knows the currency. Serialised as a JSON string.
Amount = Annotated[
    Decimal,
    BeforeValidator(_validate_amount),
    FastPath(*_plain_amounts(signed=True), lean=_lean_amounts(signed=True)),
    PlainSerializer(str, return_type=str, when_used="json"),
    *_schema(DECIMAL_PATTERN),
]

#: An ``Amount`` that must not be negative (balances, assets, principals).
NonNegativeAmount = Annotated[
    Decimal,
    BeforeValidator(_validate_non_negative),
    FastPath(*_plain_amounts(signed=False), lean=_lean_amounts(signed=False)),
    PlainSerializer(str, return_type=str, when_used="json"),
    *_schema(_UNSIGNED_PATTERN, minimum=0),
]

#: An exact non-money quantity (hours, ratios, thresholds): same checks as
#: ``Amount``, held and serialised in canonical form (``Decimal("40")`` whether
#: written ``40`` or ``"40.00"``), so equal rules hash and render equally.
ExactDecimal = Annotated[
    Decimal,
    BeforeValidator(_validate_exact),
    PlainSerializer(_canonical, return_type=str, when_used="json"),
    *_schema(DECIMAL_PATTERN),
]

#: An amount inside a rule set (a band's bar): held and serialised in
#: canonical form (``Decimal("50000")`` whether written ``50000`` or
#: ``"50000.00"``), so neither the playbook's content hash nor the text of a
#: decision depends on how a number was spelled.
RuleAmount = ExactDecimal

#: A weight in [0, 1], exact, held and serialised in canonical form (``"0.3"``).
Weight = Annotated[
    Decimal,
    BeforeValidator(_validate_weight),
    PlainSerializer(_canonical, return_type=str, when_used="json"),
    *_schema(_UNSIGNED_PATTERN, minimum=0),
]
