"""The registry of contact occasions: what each reads, and how each path expands it.

One entry per :class:`custtier.rules.Occasion`: the ``occasions_table``
input columns its rules read, its scalar expansion (here, over one
customer) and the name of its columnar one (in ``custtier.frames._cadence``,
imported only when the columnar path runs: numpy is optional). A test walks
the enum and fails when either half of an entry is missing, so a new
occasion is one entry and two functions instead of edits to two dispatch
ladders and a list of needed columns. Campaigns are not a contact rule's
occasion (the playbook refuses one): they expand through
``cadence.campaigns``, and their entry has neither half.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from custtier.cadence._expand import (
    Item,
    birthdays,
    campaign_items,
    fixed,
    important_dates,
    kyc_reviews,
    maturities,
    recurring,
    risk_reassessments,
)
from custtier.cadence._tables import Tables
from custtier.models import Customer
from custtier.rules import ContactRule, Occasion

__all__ = ["OCCASIONS", "OccasionKind", "expand", "needed_columns"]

#: ``(customer, tier, rule, tables, last_contact, out)``: append the rule's items to ``out``.
ScalarExpand = Callable[
    [Customer, str, ContactRule, Tables, Mapping[tuple[str, str], dt.date], list[Item]], None
]


@dataclass(frozen=True, slots=True)
class OccasionKind:
    """One occasion: the input columns it reads, its scalar and its columnar expansion."""

    occasion: Occasion
    columns: frozenset[str]  # occasions_table input columns its rules read
    scalar: ScalarExpand | None  # None only for campaigns
    columnar_name: str | None  # a function of custtier.frames._cadence; None only for campaigns

    def columnar(self) -> Callable[..., Any]:
        """The columnar expansion (imports ``custtier.frames``: needs ``custtier[frames]``)."""
        if self.columnar_name is None:
            raise LookupError(f"{self.occasion} has no columnar expansion")
        module = importlib.import_module("custtier.frames._cadence")
        fn: Callable[..., Any] = getattr(module, self.columnar_name)
        return fn


def _entry(occasion: Occasion, columns: set[str], scalar: ScalarExpand, name: str) -> OccasionKind:
    return OccasionKind(occasion, frozenset(columns), scalar, name)


def _no_history(
    expand_one: Callable[[Customer, str, ContactRule, Tables, list[Item]], None],
) -> ScalarExpand:
    """An expansion that does not read the contact history, in the registry's signature."""

    def run(  # noqa: PLR0917  # the registry's signature
        c: Customer,
        tier: str,
        rule: ContactRule,
        t: Tables,
        last_contact: Mapping[tuple[str, str], dt.date],
        out: list[Item],
    ) -> None:
        expand_one(c, tier, rule, t, out)

    return run


#: Every occasion, by enum member (a test walks :class:`Occasion` against it).
OCCASIONS: dict[Occasion, OccasionKind] = {
    Occasion.BIRTHDAY: _entry(
        Occasion.BIRTHDAY,
        {"birth_date", "important_dates"},
        _no_history(birthdays),
        "_expand_birthdays",
    ),
    Occasion.HOLIDAY: _entry(Occasion.HOLIDAY, set(), _no_history(fixed), "_expand_fixed"),
    Occasion.IMPORTANT_DATE: _entry(
        Occasion.IMPORTANT_DATE,
        {"important_dates"},
        _no_history(important_dates),
        "_expand_important_dates",
    ),
    Occasion.PERIODIC: _entry(Occasion.PERIODIC, set(), recurring, "_expand_recurring"),
    Occasion.EVENT: _entry(Occasion.EVENT, set(), recurring, "_expand_recurring"),
    Occasion.CAMPAIGN: OccasionKind(Occasion.CAMPAIGN, frozenset(), None, None),
    Occasion.KYC_REFRESH: _entry(
        Occasion.KYC_REFRESH, {"aml_rating", "last_reviewed_on"}, _no_history(kyc_reviews), "_kyc"
    ),
    Occasion.RISK_REASSESSMENT: _entry(
        Occasion.RISK_REASSESSMENT,
        {"risk_assessed_on", "risk_valid_until"},
        _no_history(risk_reassessments),
        "_risk",
    ),
    Occasion.PRODUCT_MATURITY: _entry(
        Occasion.PRODUCT_MATURITY, {"products_held"}, _no_history(maturities), "_maturities"
    ),
}


def expand(
    customer: Customer,
    tier: str,
    t: Tables,
    last_contact: Mapping[tuple[str, str], dt.date],
) -> list[Item]:
    """Every contact ``tier``'s rules and campaigns ask for ``customer`` in the horizon."""
    out: list[Item] = []
    for rule in t.rules[tier]:
        scalar = OCCASIONS[rule.occasion].scalar
        assert scalar is not None  # the playbook refuses a contact rule for campaigns
        scalar(customer, tier, rule, t, last_contact, out)
    campaign_items(customer, tier, t, out)
    return out


def needed_columns(rules: list[ContactRule] | tuple[ContactRule, ...]) -> frozenset[str]:
    """The ``occasions_table`` input columns ``rules`` read, from the registry."""
    out: set[str] = set()
    for rule in rules:
        out |= OCCASIONS[rule.occasion].columns
    return frozenset(out)
