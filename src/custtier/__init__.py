"""custtier: a retail bank's relationship-management practice as deterministic, explainable decisions.

>>> import custtier
>>> custtier.presets.PRACTICE.id
'practice'
"""

from custtier import errors, presets
from custtier._explain import (
    REASON_DESCRIPTIONS,
    Decision,
    ErrorRecord,
    PlaybookRef,
    Reason,
    ReasonCode,
)
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
from custtier.tiering import (
    BookTiering,
    Movement,
    Override,
    TierDecision,
    TierSummary,
    UpgradeCandidate,
    assign_tier,
    kyc_gaps,
    pareto_keys,
    pareto_set,
    tier_book,
)

__all__ = [
    "REASON_DESCRIPTIONS",
    "AmlRating",
    "Answer",
    "BookTiering",
    "CalendarKind",
    "Channel",
    "ChannelConsent",
    "ContactPreferences",
    "ContactRecord",
    "Customer",
    "CusttierError",
    "DateKind",
    "Decision",
    "ErrorRecord",
    "FamilyMember",
    "Identity",
    "ImportantDate",
    "KycFile",
    "Liquidity",
    "MonthlyBalance",
    "Movement",
    "Need",
    "Override",
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
    "TierDecision",
    "TierSummary",
    "UpgradeCandidate",
    "__version__",
    "assign_tier",
    "errors",
    "kyc_gaps",
    "minor_unit",
    "pareto_keys",
    "pareto_set",
    "presets",
    "quantize",
    "split",
    "tier_book",
]
