"""KYC gaps: what a tier's file must hold and what this customer's file lacks.

Shared by the tiering engine and the cadence planner (which turns gaps into
"complete the file" purposes), so neither engine imports the other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from custtier._args import as_customer, as_date
from custtier.errors import InputError
from custtier.models import Customer
from custtier.models._types import DateKind, Relation
from custtier.rules import KycItem, TierDef

__all__ = ["KYC_BIT", "KycChecks", "gaps_mask", "kyc_checks", "kyc_gaps"]

#: Each KYC item's bit in a gaps (or holdings) mask: declaration order.
KYC_BIT: dict[KycItem, int] = {item: 1 << i for i, item in enumerate(KycItem)}

# One predicate per item: True when the customer's records hold it.
_HOLDS: dict[KycItem, Callable[[Customer, dt.date], bool]] = {
    KycItem.IDENTITY: lambda c, _: (
        c.kyc is not None and c.kyc.identity is not None and c.kyc.identity.id_number is not None
    ),
    KycItem.OCCUPATION: lambda c, _: c.kyc is not None and c.kyc.occupation is not None,
    KycItem.DECLARED_INCOME: lambda c, _: (
        c.kyc is not None and c.kyc.declared_annual_income is not None
    ),
    KycItem.SOURCE_OF_FUNDS: lambda c, _: c.kyc is not None and c.kyc.source_of_funds is not None,
    KycItem.AML_RATING: lambda c, _: c.kyc is not None and c.kyc.aml_rating is not None,
    KycItem.RISK_ASSESSMENT: lambda c, day: (
        c.risk_assessment is not None and c.risk_assessment.is_valid_on(day)
    ),
    KycItem.BIRTHDAY: lambda c, _: c.birth_date is not None,
    # Beyond the customer's own birthday: anniversaries, family birthdays.
    KycItem.IMPORTANT_DATES: lambda c, _: (
        c.kyc is not None
        and any(
            d.kind is not DateKind.BIRTHDAY or d.relation is not Relation.SELF
            for d in c.kyc.important_dates
        )
    ),
    KycItem.INTERESTS: lambda c, _: c.kyc is not None and bool(c.kyc.interests),
    KycItem.FAMILY: lambda c, _: c.kyc is not None and bool(c.kyc.family),
    KycItem.EXTERNAL_ASSETS: lambda c, _: (
        c.kyc is not None and c.kyc.declared_external_assets is not None
    ),
    KycItem.CONTACT_CONSENT: lambda c, _: bool(c.contact.consents) or c.contact.do_not_contact,
}


def kyc_gaps(customer: Customer, tier: TierDef, *, as_of: dt.date) -> tuple[KycItem, ...]:
    """The items ``tier`` requires that ``customer``'s records lack, in the tier's order.

    A risk assessment counts only while valid on ``as_of``.

    >>> from custtier import Customer, presets
    >>> high_end = presets.PRACTICE.tiers[-1]
    >>> gaps = kyc_gaps(Customer(key="C1"), high_end, as_of=dt.date(2026, 11, 30))
    >>> "family" in gaps and "identity" in gaps
    True
    """
    customer, as_of = as_customer(customer), as_date(as_of, "as_of")
    if not isinstance(tier, TierDef):
        raise InputError(
            "tier must be one of the playbook's tiers (a TierDef from playbook.tiers)", field="tier"
        )
    return missing_items(customer, tier, as_of)


def missing_items(customer: Customer, tier: TierDef, as_of: dt.date) -> tuple[KycItem, ...]:
    """:func:`kyc_gaps` for the engines, whose arguments are already checked."""
    return tuple(item for item in tier.kyc_requires if not _HOLDS[item](customer, as_of))


#: A tier's KYC check, compiled: ``(bit, holds)`` per required item.
KycChecks = tuple[tuple[int, Callable[[Customer, dt.date], bool]], ...]


def kyc_checks(items: tuple[KycItem, ...]) -> KycChecks:
    """The checks of ``items``, for :func:`gaps_mask` (built once per tier, in a plan)."""
    return tuple((KYC_BIT[item], _HOLDS[item]) for item in items)


def gaps_mask(customer: Customer, checks: KycChecks, as_of: dt.date) -> int:
    """:func:`kyc_gaps` of a tier's compiled ``checks``, as a bitmask (:data:`KYC_BIT`)."""
    mask = 0
    for bit, holds in checks:
        if not holds(customer, as_of):
            mask |= bit
    return mask
