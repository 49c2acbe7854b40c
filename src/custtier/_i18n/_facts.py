"""The facts each reason code may carry: the vocabulary its templates may use.

A template may name only facts its code carries (tests/test_catalogue.py),
and every reason an engine builds carries only facts listed here. ``case``
(where present) names which of the code's wordings applies.

Each fact name also has one type (``FACT_TYPES``), whatever the code: JSON
writes an amount and a date as strings, and a reason read back from a record
turns a string into an amount or a date only where the fact is declared one,
never by what the string looks like (a playbook's own text, such as a KYC
block's ``blocks``, may well read ``"10"`` or ``"2026-12-31"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from custtier._enum import Vocabulary

__all__ = ["FACT_TYPES", "REASON_FACTS", "FactType"]


class FactType(Vocabulary):
    """What a fact holds; every fact may also be ``None`` (not known, not bounded)."""

    TEXT = "text"  # an id, a label, a word of a closed vocabulary, a list joined by ","
    NUMBER = "number"  # a Decimal (written as its string) or an int (a score band's edge)
    COUNT = "count"  # an int: months, hours, a rank, a year
    DATE = "date"  # a date, written ISO 8601


def _f(*names: str) -> frozenset[str]:
    return frozenset(names)


_HYSTERESIS = (
    "case",
    "previous_tier",
    "bar",
    "floor",
    "below_since",
    "grace_months",
    "buffer_hold_ends_on",
    "months_below",
)
_VALIDITY = ("effective_until", "bound")

REASON_FACTS: Mapping[str, frozenset[str]] = {
    "TIER_BAND": _f("basis", "value", "lower", "upper", "window_months"),
    "TIER_PARETO": _f("profit", "profit_share"),
    "TIER_OVERRIDE": _f("reference", "set_by", "set_on", "expires_on", "tier"),
    "TIER_OVERRIDE_EXPIRED": _f("set_on", "expires_on", "tier"),
    "TIER_OVERRIDE_PENDING": _f("set_on", "expires_on", "tier"),
    "TIER_UPGRADE": _f("previous_tier"),
    "TIER_DOWNGRADE": _f(*_HYSTERESIS, "buffer"),
    "TIER_HELD": _f(*_HYSTERESIS, "rules_tier"),
    "TIER_PARETO_NOT_EVALUATED": _f("tier", "profit_share"),
    "BASIS_INCOMPLETE": _f(
        "case",
        "months_present",
        "months_required",
        "months_missing",
        "window_months",
        "window_start",
        "window_end",
        "policy",
    ),
    "UPGRADE_SIGNAL": _f(
        "signal",
        "value",
        "bar",
        "threshold",
        "target",
        "first",
        "last",
        "wealth",
        "income",
        "referrals",
        "products",
    ),
    "KYC_GAP": _f("tier", "missing"),
    "RISK_SCORED": _f("score", "lower", "upper", "level"),
    "RISK_ELDERLY_CAP": _f("case", "scored_level", "capped_level", "elderly_age", "age_from"),
    "SUIT_LEVEL_OK": _f("case", "customer_level", "product_level", "max", *_VALIDITY),
    "SUIT_LEVEL_EXCEEDED": _f("customer_level", "product_level", "max", *_VALIDITY),
    "SUIT_RISK_FREE": _f("category"),
    "SUIT_NO_ASSESSMENT": _f("product_level"),
    "SUIT_ASSESSMENT_EXPIRED": _f(
        "case", "assessed_on", "valid_until", "validity_months", *_VALIDITY
    ),
    "SUIT_RESERVED": _f("tier", "reserved_for"),
    "SUIT_BELOW_MINIMUM": _f("amount", "minimum"),
    "SUIT_OFF_INCREMENT": _f("amount", "below", "above", "increment"),
    "SUIT_COOLING_OFF": _f("hours"),
    "SUIT_ELDERLY_CONFIRM": _f("elderly_age", "age_from"),
    "SUIT_ELDERLY_CAP": _f(
        "customer_level",
        "capped_level",
        "product_level",
        "max",
        "elderly_age",
        "age_from",
        *_VALIDITY,
    ),
    "SUIT_RECORDED_SALE": _f(),
    "ALLOC_MODEL_WEIGHT": _f("case", "level", "weight"),
    "ALLOC_NEED": _f("needs", "needs_share"),
    "ALLOC_PRODUCT": _f("product", "category", "share", "placed", "product_level"),
    "ALLOC_CASH": _f("case", "category", "share", "placed", "left"),
    "ALLOC_UNPLACED": _f("case", "category", "share", "placed", "left"),
    "ALLOC_EXCLUDED": _f(
        "case", "category", "preferred", "share", "minimum", "increment", "risk_level", "currency"
    ),
    "ALLOC_NO_ASSESSMENT": _f("category"),
    "SERVICE_ENTITLED": _f("case", "service", "kind", "tier"),
    "CADENCE_OCCASION": _f(
        "case",
        "tier",
        "due_on",
        "channel",
        "occasion",
        "contact",
        "aml_rating",
        "last_reviewed_on",
        "months",
    ),
    "CADENCE_LEAP_DAY": _f("policy", "year"),
    "CADENCE_LUNAR_DATE": _f("case", "lunar_year"),
    "CADENCE_ROLLED": _f("from_on", "to_on"),
    "CADENCE_SLIPPED": _f("from_on", "to_on"),
    "CADENCE_OVERDUE": _f("due_on"),
    "CADENCE_QUIET_HOURS": _f("case", "time", "earliest", "latest"),
    "CADENCE_PROVISIONAL": _f("calendar", "from_on", "to_on"),
    "CADENCE_REGULATORY_DUTY": _f("binds"),
    "CADENCE_COMPLETE_KYC": _f("items"),
    "CADENCE_NO_CONSENT": _f("channel", "channels"),  # channels: the worklist's carried item
    "CADENCE_DO_NOT_CONTACT": _f("channel", "channels"),  # channels: the worklist's carried item
    "CADENCE_CAPPED": _f("channel", "channels", "until"),
    "CADENCE_CAPACITY": _f("channel", "channels"),  # channels: the worklist's carried item
    "CADENCE_NO_MANAGER": _f("channel", "channels"),  # channels: the worklist's carried item
    "CADENCE_NO_VALID_DAY": _f("channel", "channels"),  # channels: the worklist's carried item
    "CADENCE_NO_CALENDAR_DATA": _f("channel", "channels"),  # channels: the worklist's carried item
    "WORKLIST_PRIORITY": _f("kind", "tier", "priority"),
    "WORKLIST_ASSESSMENT_EXPIRING": _f("case", "last_valid_on", "bound", "level"),
    "WORKLIST_MATURITY": _f("product_id", "matures_on", "amount"),
    "WORKLIST_REINVEST_OPTION": _f("case", "product_id", "amount", "conditions"),
    "WORKLIST_KYC_BLOCKS": _f("item", "rank", "blocks"),
    "WORKLIST_OVERDUE": _f("due_on"),
    "WORKLIST_CARRIED_OVER": _f("case", "from_on", "to_on", "until"),
    "WORKLIST_AHEAD": _f("due_on", "listed_on"),
}

# The facts that are not text, by type (names separated by spaces).
_TYPED = {
    FactType.NUMBER: """above amount bar below buffer first floor income increment last left lower
        minimum needs_share placed profit profit_share share threshold upper value wealth weight""",
    FactType.COUNT: """elderly_age grace_months hours lunar_year months months_below months_missing
        months_present months_required priority products rank referrals score validity_months
        window_months year""",
    FactType.DATE: """assessed_on below_since buffer_hold_ends_on due_on effective_until expires_on
        from_on last_reviewed_on last_valid_on listed_on matures_on set_on to_on until
        valid_until""",
}

#: The type of every fact name any code carries (``TEXT`` unless listed in ``_TYPED``).
FACT_TYPES: Mapping[str, FactType] = MappingProxyType(
    {
        name: next((t for t, names in _TYPED.items() if name in names.split()), FactType.TEXT)
        for name in sorted(frozenset().union(*REASON_FACTS.values()))
    }
)
