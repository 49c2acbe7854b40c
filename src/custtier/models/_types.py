"""Small value types and closed vocabularies shared by the models."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PlainSerializer,
    SecretStr,
    ValidationInfo,
)
from pydantic_core import core_schema

from custtier._enum import Vocabulary
from custtier._fast import FastPath, JsonAsSent
from custtier.models._base import REVEAL_PERSONAL_DATA

T = TypeVar("T")

__all__ = [
    "AmlRating",
    "CalendarKind",
    "Channel",
    "CustomerKey",
    "DateKind",
    "Day",
    "FreeText",
    "FrozenDict",
    "Identifier",
    "Label",
    "Liquidity",
    "LocalTime",
    "Need",
    "PersonalStr",
    "Purpose",
    "Relation",
    "SortedTuple",
    "TimeZoneName",
    "Whole",
    "YearMonth",
    "year_month",
]


def _day(value: Any) -> Any:
    # pydantic reads a number, or a string of digits, as a Unix timestamp: a
    # birth_date of 0 would silently be 1970-01-01. A date is written YYYY-MM-DD.
    digits = isinstance(value, str) and value.strip().lstrip("+-").isdigit()
    if digits or isinstance(value, int | float | bytes):
        raise ValueError("a date is written YYYY-MM-DD; a number is not read as a timestamp")
    return value


# Text already in ISO form: read natively (a chain: the pattern, then the date itself).
_ISO_DAY = core_schema.chain_schema(
    [
        core_schema.str_schema(strict=True, pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
        core_schema.date_schema(),
    ]
)

#: A calendar date from a record: a ``date`` or ISO text, never a timestamp.
#: The common forms (a ``date`` object, ``"YYYY-MM-DD"``) are read natively;
#: everything else, refusals included, by ``_day`` and pydantic's date.
Day = Annotated[
    dt.date,
    BeforeValidator(_day),
    FastPath(
        # Not pydantic's strict date for JSON: it reads digit strings as timestamps.
        core_schema.json_or_python_schema(
            json_schema=_ISO_DAY,
            python_schema=core_schema.union_schema(
                [_ISO_DAY, core_schema.date_schema(strict=True)], mode="left_to_right"
            ),
        ),
        serialization=core_schema.simple_ser_schema("date"),
    ),
]

#: Stable machine identifier used for rule ids, tiers, levels, categories, products.
Identifier = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.\-]{0,63}$")]

#: A pseudonymous customer key. It must not be a personal identifier (ID
#: number, phone, account number): banks map those to keys before custtier.
CustomerKey = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$")]

#: A calendar month, ``"YYYY-MM"``.
YearMonth = Annotated[str, Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]

_TZ = re.compile(r"^(UTC|[A-Z][A-Za-z_\-]+(/[A-Za-z0-9_+\-]+){1,2})$")


def _check_tz(name: str) -> str:
    if not _TZ.fullmatch(name):  # not .match: its "$" also matches before a final "\n"
        raise ValueError('time zone must be an IANA name such as "Asia/Shanghai" or "UTC"')
    return name


#: An IANA time-zone name; resolved by the engines that need clock times.
TimeZoneName = Annotated[
    str,
    AfterValidator(_check_tz),
    # The same pattern natively (where Python's "$" would also take a final
    # newline, the native one does not: such a name goes to _check_tz).
    FastPath(
        core_schema.str_schema(strict=True, pattern=_TZ.pattern),
        serialization=core_schema.simple_ser_schema("str"),
    ),
]


#: What one line of text a person reads may not hold: control characters (the
#: tab and every line break included), U+2028/U+2029, unpaired surrogates. A
#: calendar file may hold none of them but the tab (RFC 5545 §3.3.11), and a
#: label is written into calendars, tables and terminals.
NOT_IN_A_LABEL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")

LABEL_RULE = (
    "must be one line of printable text: it holds a control character (a tab, a line "
    "break, a carriage return pasted with it, U+2028); remove it"
)


def _one_line(value: str, info: ValidationInfo) -> str:
    if NOT_IN_A_LABEL.search(value):
        # The row's id is validated before its label: name the rule at fault.
        data = info.data or {}
        owner = data.get("id", data.get("rule_id"))
        whose = f" of {owner!r}" if isinstance(owner, str) else ""
        raise ValueError(f"the {info.field_name}{whose} {LABEL_RULE}")
    return value


#: A playbook's label: one line of printable text (see ``NOT_IN_A_LABEL``).
Label = Annotated[str, AfterValidator(_one_line)]


_WHOLE = re.compile(r"\s*[+-]?[0-9]+\s*", re.ASCII)


def _whole(value: Any) -> Any:
    # pydantic's lax ints read True as 1 and "1_000" as 1000: for a rule, a
    # flag typed where a count belongs (interval_days: true) must not mean "1".
    if isinstance(value, bool):
        raise ValueError("must be a whole number, not true or false")
    if isinstance(value, str) and not _WHOLE.fullmatch(value):
        raise ValueError("must be a whole number written with the digits 0-9")
    return value


#: An ``int`` that refuses booleans and digit strings with separators or non-ASCII digits.
Whole = Annotated[int, BeforeValidator(_whole), JsonAsSent()]

_CLOCK = re.compile(r"[0-9]{2}:[0-9]{2}(:[0-9]{2})?", re.ASCII)


def _local_time(value: Any) -> Any:
    # A time with an offset (or seconds since midnight, which pydantic reads
    # as UTC) would be compared with naive ones, or silently ignored.
    if (isinstance(value, dt.time) and value.tzinfo is None) or (
        isinstance(value, str) and _CLOCK.fullmatch(value)
    ):
        return value
    raise ValueError(
        'must be a local time of day written "HH:MM" without an offset '
        "(it applies in each customer's own time zone)"
    )


#: A wall-clock time of day without offset: ``"08:30"``.
LocalTime = Annotated[dt.time, BeforeValidator(_local_time)]


def year_month(text: str) -> tuple[int, int]:
    """``"2026-10"`` → ``(2026, 10)``.

    >>> year_month("2026-10")
    (2026, 10)
    """
    return int(text[:4]), int(text[5:7])


REDACTED = "[redacted]"


def _serialise_personal(value: SecretStr, info: Any) -> str:
    context = info.context or {}
    return value.get_secret_value() if context.get(REVEAL_PERSONAL_DATA) else REDACTED


_PERSONAL_MAX = 256


def _personal(value: Any) -> Any:
    # Length and the redaction marker in one call (pydantic's own length
    # checks on SecretStr are two more Python calls per field).
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    if isinstance(text, (bytes, bytearray)):  # pydantic would decode it: check the text
        try:
            text = bytes(text).decode()
        except UnicodeDecodeError:
            return value  # SecretStr's own validation refuses it
    if not isinstance(text, str):
        return value  # not text: SecretStr's own validation names the problem
    if not 1 <= len(text) <= _PERSONAL_MAX:
        raise ValueError(f"must hold 1 to {_PERSONAL_MAX} characters")
    if text == REDACTED:
        raise ValueError(
            "holds the redaction marker: a redacted export cannot be re-imported; "
            "use an export made with reveal_personal_data=True"
        )
    return value


#: A personal identifier (ID number, phone, account number, address, name).
#: Masked in ``repr``/``str``; exported as ``"[redacted]"`` unless the caller
#: asks for ``reveal_personal_data=True``. Note: pickling writes it in clear.
PersonalStr = Annotated[
    SecretStr,
    BeforeValidator(_personal),
    # Text of 1 to 256 characters that cannot be the marker (it does not start
    # with "[") needs none of _personal's checks: wrapped natively.
    FastPath(
        core_schema.no_info_after_validator_function(
            SecretStr,
            core_schema.str_schema(
                strict=True, min_length=1, max_length=_PERSONAL_MAX, pattern=r"^[^\[]"
            ),
        ),
    ),
    Field(json_schema_extra={"minLength": 1, "maxLength": _PERSONAL_MAX}),
    PlainSerializer(_serialise_personal, return_type=str, when_used="always"),
]


def _serialise_free_text(value: str, info: Any) -> str:
    context = info.context or {}
    return value if context.get(REVEAL_PERSONAL_DATA) else REDACTED


def _free_text(value: str) -> str:
    if value == REDACTED:
        raise ValueError(
            "holds the redaction marker: a redacted export cannot be re-imported; "
            "use an export made with reveal_personal_data=True"
        )
    return value


#: Free text an operator or a KYC interview wrote (a label, a note, an
#: occupation): it may name a person or hold a phone number, so it exports as
#: ``"[redacted]"`` unless the caller asks for ``reveal_personal_data=True``.
#: Engines read it only for presence; decisions never carry it. Declare the
#: field with ``repr=False`` so ``repr`` leaves it out too.
FreeText = Annotated[
    str,
    AfterValidator(_free_text),
    # Text not starting with "[" cannot be the marker: kept as it is, natively.
    FastPath(
        core_schema.str_schema(strict=True, pattern=r"^(?:[^\[]|$)"),
        serialization=core_schema.simple_ser_schema("str"),
    ),
    PlainSerializer(_serialise_free_text, return_type=str, when_used="always"),
]


def _sorted_unique(value: Any) -> Any:
    # Sets have no stable order across processes (string hashing is seeded):
    # keep collections as sorted tuples so JSON and hashes are deterministic.
    # Any iterable but text and mappings (which the tuple refuses by name) is
    # read once, here: a generator or a dict view is sorted like a list.
    if isinstance(value, str | bytes | bytearray | Mapping) or not isinstance(value, Iterable):
        return value
    items = list(value)
    try:
        return tuple(sorted(set(items), key=str))
    except TypeError:  # an unhashable item (a list, a dict): item validation names it
        return tuple(items)


#: A tuple kept sorted and free of duplicates: a set with a deterministic order.
#: (A lean validator reads JSON lists, tuples and lists as sent: its model's lean pass
#: checks the order.)
SortedTuple = Annotated[
    tuple[T, ...], BeforeValidator(_sorted_unique), JsonAsSent(python_sequences=True)
]


class FrozenDict(dict[Any, Any]):
    """A dict that refuses changes: mappings inside frozen rule sets stay as hashed.

    Picklable (unlike ``MappingProxyType``), so playbooks travel to worker processes.
    """

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("this mapping is part of a frozen value; build a new one instead")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]
    __ior__ = _refuse  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (dict(self),))

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items(), key=str)))


class Channel(Vocabulary):
    """Ways to reach a customer."""

    HOME_VISIT = "home_visit"
    PHONE = "phone"
    SMS = "sms"
    EMAIL = "email"
    MESSAGING_APP = "messaging_app"
    IN_BRANCH_EVENT = "in_branch_event"
    MASS_SMS = "mass_sms"
    TELEMARKETING = "telemarketing"


class Purpose(Vocabulary):
    """Why a contact is made; consent is given per channel and purpose."""

    SERVICE = "service"  # relationship: greetings, visits, regular calls, servicing
    MARKETING = "marketing"  # campaigns, product offers, events
    #: Duties the bank owes under regulation: KYC refresh, risk re-assessment,
    #: maturity notices. Carried on a channel the customer consented to for service.
    REGULATORY = "regulatory"


class Need(Vocabulary):
    """Needs the practice names for mid-end customers (and beyond)."""

    WEALTH_GROWTH = "wealth_growth"  # preservation and appreciation of assets
    HOUSING = "housing"
    EDUCATION = "education"
    MEDICAL = "medical"
    PENSION = "pension"
    LEISURE = "leisure"
    INSURANCE = "insurance"
    GLOBAL_ALLOCATION = "global_allocation"  # high-end: global asset allocation
    DAILY_BANKING = "daily_banking"  # mass: savings, receipts and payments


class AmlRating(Vocabulary):
    """Anti-money-laundering customer risk rating, which sets KYC review frequency."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Liquidity(Vocabulary):
    """How soon an investment can be turned back into cash."""

    INSTANT = "instant"  # T+0
    DAILY = "daily"  # T+1
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    AT_MATURITY = "at_maturity"  # closed-end, term products
    LOCKED = "locked"  # private products with lock-up


class DateKind(Vocabulary):
    """Kinds of important dates a KYC file keeps."""

    BIRTHDAY = "birthday"
    WEDDING_ANNIVERSARY = "wedding_anniversary"
    RELATIONSHIP_ANNIVERSARY = "relationship_anniversary"  # customer of the bank since
    OTHER = "other"


class CalendarKind(Vocabulary):
    """Which calendar a recurring date follows."""

    GREGORIAN = "gregorian"
    LUNAR = "lunar"  # Chinese lunisolar calendar


class Relation(Vocabulary):
    """Whose date it is, relative to the customer."""

    SELF = "self"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    OTHER = "other"
