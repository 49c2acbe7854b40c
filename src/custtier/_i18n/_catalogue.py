"""The renderer: a reason's text from its code and facts, in a locale, with a playbook's terms.

A locale's catalogue maps every reason code to a template (or, for a code
with several wordings, to :class:`Cases` picked by one of its facts).
Templates are ``str.format`` strings whose fields name facts; the format
spec says how a fact is written:

========================  ===================================================
``{amount:money}``        an amount in the playbook's currency (``¥50,000.00``)
``{share:pct}``           a share as a percentage (``80%``)
``{on:date}``             a date as the locale writes it (``2026年12月1日``)
``{lower:from}``          a band's lower end, ``[50000`` or ``(-∞``
``{upper:to}``            a band's upper end, ``500000)`` or ``∞)``
``{tier:tier}``           a playbook row by its label in the locale (tier,
                          level, plevel, category, service, channel,
                          occasion, contact); ``tier*`` for a list of ids
``{basis:t.basis}``       a term of custtier's own vocabulary (``t.kyc*``: a
                          list of them; ``t.age_from&``: joined with "and")
========================  ===================================================

Labels come from the playbook (:meth:`Playbook.terms`); a term the
playbook does not label falls back to the catalogue's vocabulary, then to
the id itself. With no playbook terms (:data:`NEUTRAL`) ids and amounts are
written as the facts hold them: that is the English record every reason
carries as ``message``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from string import Formatter
from types import MappingProxyType

from custtier._cache import cached, module_cache
from custtier._i18n._format import AmountStyle, Locale, amount_text, date_text, percent_text

__all__ = ["NEUTRAL", "Cases", "Catalogue", "Entry", "Terms", "fields_of", "render"]

Fact = str | int | bool | Decimal | dt.date | None

#: Label kinds: a fact holding an id of this kind is written by the id's label.
LABEL_KINDS = frozenset(
    {"tier", "level", "plevel", "category", "service", "channel", "occasion", "contact"}
)
#: Kinds whose labels are shown beside a code-like id (``C3（稳健型）``): C3 is itself a term.
_WITH_ID = frozenset({"level", "plevel"})
_CODE_LIKE = re.compile(r"[A-Z][0-9]{1,2}")
#: Groups of custtier's own vocabulary (``{fact:t.<group>}``), named by each catalogue.
TERM_GROUPS = frozenset(
    {
        "basis",
        "missing_months",
        "signal",
        "kyc",
        "age_from",
        "need",
        "bound",
        "aml",
        "leap_day",
        "service_kind",
        "purpose",
        "work",
    }
)
_PLAIN_KINDS = frozenset({"", "money", "pct", "date", "from", "to"})


@dataclass(frozen=True, slots=True)
class Cases:
    """Wordings of one code, picked by the value of the fact ``by``."""

    by: str
    cases: Mapping[str, str]


Entry = str | Cases


@dataclass(frozen=True, slots=True)
class Catalogue:
    """One locale: a template per reason code, custtier's vocabulary, and punctuation."""

    locale: Locale
    messages: Mapping[str, Entry]
    vocabulary: Mapping[str, str]
    list_separator: str
    and_word: str
    with_id: str  # how a level's label sits beside its id: "{id} ({label})"
    #: Whether every level id is shown beside its label (English), or only code-like
    #: ids such as C3 (Chinese: 稳健型 alone reads as the term it is).
    level_ids: bool = False


@dataclass(frozen=True, slots=True)
class Terms:
    """What a playbook contributes to a rendering: its labels, currency and amount style."""

    labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    currency: str | None = None
    amounts: AmountStyle = AmountStyle.GROUPED


#: No playbook: ids and amounts as the facts hold them (the language-neutral record).
NEUTRAL = Terms()


@cached(maxsize=None)
def _compiled(template: str) -> tuple[tuple[str, str | None, str], ...]:
    return tuple(
        (literal, name, spec or "") for literal, name, spec, _ in Formatter().parse(template)
    )


def fields_of(template: str) -> dict[str, str]:
    """The facts a template names, with the spec each is written with.

    >>> fields_of("{a:money} of {b}")
    {'a': 'money', 'b': ''}
    """
    return {name: spec for _, name, spec in _compiled(template) if name is not None}


def valid_spec(spec: str) -> bool:
    """Whether ``spec`` is a kind the renderer knows (used by the catalogue tests)."""
    base = spec.rstrip("*&")
    if base in _PLAIN_KINDS:
        return spec == base
    if base in LABEL_KINDS:
        return spec in (base, base + "*")
    if base.startswith("t."):
        return base[2:] in TERM_GROUPS and spec[-1] in "*&" + base[-1]
    return False


def _items(value: Fact) -> list[str]:
    return [] if value is None else [p.strip() for p in str(value).split(",") if p.strip()]


def _label(kind: str, ident: str, cat: Catalogue, terms: Terms) -> str:
    key = f"{kind}.{ident}"
    label = terms.labels.get(key) or cat.vocabulary.get(key)
    if not label or label.casefold() == ident.replace("_", " ").casefold():
        return ident
    if kind in _WITH_ID and (cat.level_ids or _CODE_LIKE.fullmatch(ident)):
        return cat.with_id.format(id=ident, label=label)
    return label


def _write(value: Fact, spec: str, cat: Catalogue, terms: Terms) -> str:  # noqa: PLR0911  # one branch per kind
    if spec.startswith("t."):
        group, joiner = spec[2:].rstrip("*&"), spec[-1]
        words = [cat.vocabulary.get(f"{group}.{v}", v) for v in _items(value)]
        if joiner == "&":
            return cat.and_word.join(words)
        return cat.list_separator.join(words)
    if spec.rstrip("*") in LABEL_KINDS:
        kind = spec.rstrip("*")
        return cat.list_separator.join(_label(kind, v, cat, terms) for v in _items(value))
    if spec == "from":
        return "(-∞" if value is None else f"[{_write(value, 'money', cat, terms)}"
    if spec == "to":
        return "∞)" if value is None else f"{_write(value, 'money', cat, terms)})"
    if isinstance(value, dt.date):
        return date_text(value, cat.locale)
    if spec == "money" and isinstance(value, Decimal | int) and not isinstance(value, bool):
        return amount_text(value, terms.currency, cat.locale, terms.amounts)
    if spec == "pct" and isinstance(value, Decimal | int):
        return percent_text(value)
    return str(value)


def template_for(cat: Catalogue, code: str, facts: Mapping[str, Fact]) -> str:
    """The template of ``code`` that applies to these facts (its case, if it has several)."""
    entry = cat.messages[code]
    if isinstance(entry, Cases):
        return entry.cases[str(facts.get(entry.by))]
    return entry


@cached(maxsize=None)
def _names(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _ in _compiled(template) if name is not None)


#: Neutral renderings by template and the values they quote: engines build the same
#: reason text for many customers (a band, a matrix row), and looking it up is
#: cheaper than formatting it. Bounded: cleared when full.
_MEMO: dict[tuple[object, ...], str] = module_cache({}, "_i18n._catalogue._MEMO")
_MEMO_SIZE = 1 << 16


def _memo_key(value: Fact) -> object:
    # Decimal("1.0") == Decimal("1") but they are written differently; True == 1 too.
    return (type(value), str(value) if isinstance(value, Decimal) else value)


def render_neutral(cat: Catalogue, code: str, facts: Mapping[str, Fact]) -> str:
    """:func:`render` with no playbook terms, memoised by the values the template quotes."""
    template = template_for(cat, code, facts)
    key = (template, *[_memo_key(facts[name]) for name in _names(template)])
    found = _MEMO.get(key)
    if found is None:
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.clear()
        found = _MEMO[key] = render(cat, code, facts)
    return found


def render(cat: Catalogue, code: str, facts: Mapping[str, Fact], terms: Terms = NEUTRAL) -> str:
    """The text of a reason: its code's template filled from its facts.

    Raises ``KeyError`` when a template names a fact the reason does not
    carry: a catalogue bug, which the catalogue tests rule out for every
    reason the engines produce.
    """
    out: list[str] = []
    for literal, name, spec in _compiled(template_for(cat, code, facts)):
        out.append(literal)
        if name is not None:
            out.append(_write(facts[name], spec, cat, terms))
    return "".join(out)
