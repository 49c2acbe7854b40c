"""The tiering engine: which tier is each customer in, and why.

Public entry points: :func:`assign_tier` for one customer (:func:`trace_tier`
for its outcome and trace, reasons rendered only when read), :func:`tier_book`
for a whole book (which adds the Pareto rule, the pyramid, movements and
upgrade candidates), :func:`kyc_gaps` for what a tier's KYC file lacks.
"""

from custtier._kyc import kyc_gaps
from custtier.tiering._assign import assign_tier, trace_tier
from custtier.tiering._book import pareto_set, tier_book
from custtier.tiering._models import (
    BookTiering,
    Movement,
    Override,
    TierDecision,
    TierSummary,
    UpgradeCandidate,
)
from custtier.tiering._pareto import ParetoCut
from custtier.tiering._trace import (
    Completeness,
    HysteresisState,
    OverrideState,
    ParetoState,
    TierTrace,
)

__all__ = [
    "BookTiering",
    "Completeness",
    "HysteresisState",
    "Movement",
    "Override",
    "OverrideState",
    "ParetoCut",
    "ParetoState",
    "TierDecision",
    "TierSummary",
    "TierTrace",
    "UpgradeCandidate",
    "assign_tier",
    "kyc_gaps",
    "pareto_set",
    "tier_book",
    "trace_tier",
]
