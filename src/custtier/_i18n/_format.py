"""How a locale writes numbers, amounts, percentages, dates and lists (stdlib only).

Amounts are grouped by thousands with the currency's minor units
(``¥1,234,567.89``), or, where a playbook asks for it, in 万 (ten
thousands: ``123.46万元``). Rounding is explicit (half-even) and done on
a copy: the fact itself is never changed.
"""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum

__all__ = ["AmountStyle", "Locale", "amount_text", "date_text", "percent_text"]


class Locale(StrEnum):
    """The locales custtier ships a message catalogue for."""

    EN = "en"
    ZH_CN = "zh_CN"


class AmountStyle(StrEnum):
    """How a locale's reader wants amounts written."""

    GROUPED = "grouped"  # ¥1,234,567.89
    WAN = "wan"  # 123.46万元 (Chinese readers' unit of ten thousand)


#: Symbols of the currencies a playbook is likeliest to use; others are written by code.
_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "HKD": "HK$", "JPY": "¥"}
_ZERO_DECIMALS = frozenset({"JPY", "KRW"})
_WAN = Decimal(10000)
# Writing an amount never uses the caller's decimal context (three digits there would
# round the amount, a trap would raise): every step here is exact in this one, and the
# one rounding is explicit.
_EXACT = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)


def _grouped(value: Decimal, places: int) -> str:
    quantum = Decimal(1).scaleb(-places, context=_EXACT)
    rounded = value.quantize(quantum, rounding=ROUND_HALF_EVEN, context=_EXACT)
    return f"{rounded:,.{places}f}"


def amount_text(
    value: Decimal | int, currency: str | None, locale: Locale, style: AmountStyle
) -> str:
    """An amount as ``locale`` writes it in ``currency``; plain when no currency is known.

    >>> amount_text(Decimal("1234567.891"), "CNY", Locale.ZH_CN, AmountStyle.GROUPED)
    '¥1,234,567.89'
    >>> amount_text(Decimal("1234567.891"), "CNY", Locale.ZH_CN, AmountStyle.WAN)
    '123.46万元'
    >>> amount_text(Decimal("50000"), None, Locale.EN, AmountStyle.GROUPED)
    '50000'
    """
    value = Decimal(value)
    if currency is None:  # the language-neutral record: the fact as written
        return str(value)
    if style is AmountStyle.WAN and locale is Locale.ZH_CN and currency == "CNY":
        return f"{_grouped(_EXACT.divide(value, _WAN), 2)}万元"
    places = 0 if currency in _ZERO_DECIMALS else 2
    symbol = _SYMBOLS.get(currency)
    text = _grouped(_EXACT.abs(value), places)
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{currency} {text}"


def percent_text(value: Decimal | int) -> str:
    """A share as a percentage, exact (``0.8`` is ``80%``, ``0.125`` is ``12.5%``).

    >>> percent_text(Decimal("0.125")), percent_text(Decimal("0.8"))
    ('12.5%', '80%')
    """
    return f"{Decimal(value):%}"


def date_text(value: dt.date, locale: Locale) -> str:
    """A date as the locale writes it (ISO 8601 in English records).

    >>> date_text(dt.date(2026, 12, 1), Locale.ZH_CN), date_text(dt.date(2026, 12, 1), Locale.EN)
    ('2026年12月1日', '2026-12-01')
    """
    if locale is Locale.ZH_CN:
        return f"{value.year}年{value.month}月{value.day}日"
    return value.isoformat()
