"""Messages in the bank's languages: one catalogue per locale, keyed by reason code.

This package is the one place a reason's text comes from. An engine
records *why* as a code, a rule id and facts; :func:`reason_text` writes
that in a locale, with a playbook's labels and currency when given
(:meth:`custtier.Playbook.terms`). Stdlib only (``str.format`` templates):
see docs/design.md, "Messages in two languages".

>>> from decimal import Decimal
>>> reason_text("SUIT_BELOW_MINIMUM", {"amount": Decimal(1), "minimum": Decimal(50000)})
'below the minimum 50000'
>>> reason_text("SUIT_BELOW_MINIMUM", {"amount": Decimal(1), "minimum": Decimal(50000)},
...             "zh_CN", Terms(currency="CNY"))
'购买金额低于产品起购金额¥50,000.00，不得销售。'
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from custtier._i18n import en, zh_cn
from custtier._i18n._catalogue import NEUTRAL, Catalogue, Fact, Terms, render, render_neutral
from custtier._i18n._facts import REASON_FACTS
from custtier._i18n._format import AmountStyle, Locale
from custtier.errors import InputError

__all__ = [
    "CATALOGUES",
    "HOLIDAY_LANGUAGES",
    "NEUTRAL",
    "REASON_FACTS",
    "AmountStyle",
    "Catalogue",
    "Locale",
    "Terms",
    "locale_of",
    "reason_text",
]

#: The ``holidays`` package's language for each locale's holiday names.
HOLIDAY_LANGUAGES: Mapping[Locale, str] = MappingProxyType(
    {Locale.EN: "en_US", Locale.ZH_CN: "zh_CN"}
)

#: Every shipped catalogue by locale.
CATALOGUES: Mapping[Locale, Catalogue] = MappingProxyType(
    {Locale.EN: en.CATALOGUE, Locale.ZH_CN: zh_cn.CATALOGUE}
)

_ALIASES = {
    **dict.fromkeys(("zh", "zh-cn", "zh_cn", "zh-hans"), Locale.ZH_CN),
    **dict.fromkeys(("en", "en-us", "en_us", "en-gb", "en_gb"), Locale.EN),
}


_EN = CATALOGUES[Locale.EN]


def locale_of(value: str | Locale) -> Locale:
    """The shipped locale ``value`` names (``"zh_CN"``, ``"zh-CN"``, ``"zh"``, ``"en"``…).

    >>> locale_of("zh-CN")
    <Locale.ZH_CN: 'zh_CN'>
    """
    if isinstance(value, Locale):
        return value
    found = _ALIASES.get(str(value).strip().lower())
    if found is None:
        raise InputError(
            f"no message catalogue for that locale; choose one of {', '.join(Locale)}",
            field="locale",
        )
    return found


def reason_text(
    code: str,
    facts: Mapping[str, Fact],
    locale: str | Locale = Locale.EN,
    terms: Terms = NEUTRAL,
) -> str:
    """A reason's text in ``locale`` from its code and facts (and a playbook's ``terms``)."""
    if terms is NEUTRAL and locale is Locale.EN:  # every reason's message: the hot path
        return render_neutral(_EN, code, facts)
    return render(CATALOGUES[locale_of(locale)], code, facts, terms)
