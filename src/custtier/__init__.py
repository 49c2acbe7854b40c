"""custtier: a retail bank's relationship-management practice as deterministic, explainable decisions.

>>> import custtier
>>> custtier.presets.PRACTICE.id
'practice'
"""

from custtier import errors, presets
from custtier._explain import REASON_DESCRIPTIONS, Decision, PlaybookRef, Reason, ReasonCode
from custtier._money import Rounding, minor_unit, quantize, split
from custtier._version import __version__
from custtier.errors import CusttierError
from custtier.models import (
    AmlRating,
    Answer,
    CalendarKind,
    Channel,
    ChannelConsent,
    ContactPreferences,
    ContactRecord,
    Customer,
    DateKind,
    FamilyMember,
    Identity,
    ImportantDate,
    KycFile,
    Liquidity,
    MonthlyBalance,
    Need,
    Product,
    ProductHolding,
    Purpose,
    Relation,
    RelationshipManager,
    RiskAssessment,
)
from custtier.rules import Playbook

__all__ = [
    "REASON_DESCRIPTIONS",
    "AmlRating",
    "Answer",
    "CalendarKind",
    "Channel",
    "ChannelConsent",
    "ContactPreferences",
    "ContactRecord",
    "Customer",
    "CusttierError",
    "DateKind",
    "Decision",
    "FamilyMember",
    "Identity",
    "ImportantDate",
    "KycFile",
    "Liquidity",
    "MonthlyBalance",
    "Need",
    "Playbook",
    "PlaybookRef",
    "Product",
    "ProductHolding",
    "Purpose",
    "Reason",
    "ReasonCode",
    "Relation",
    "RelationshipManager",
    "RiskAssessment",
    "Rounding",
    "__version__",
    "errors",
    "minor_unit",
    "presets",
    "quantize",
    "split",
]
