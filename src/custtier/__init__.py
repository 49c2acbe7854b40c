"""custtier: a retail bank's relationship-management practice as deterministic, explainable decisions.

>>> import custtier
>>> custtier.presets.PRACTICE.id
'practice'
"""

import warnings as _warnings
from typing import Any as _Any

from custtier import _views as _views  # registers every result's notebook display
from custtier import errors, plot, presets, rules, synth
from custtier._error_codes import ERROR_DESCRIPTIONS, ErrorCode
from custtier._explain import (
    REASON_DESCRIPTIONS,
    Decision,
    ErrorRecord,
    PlaybookRef,
    Reason,
    ReasonCode,
)
from custtier._money import Rounding, minor_unit, quantize, split
from custtier._progress import ProgressCallback
from custtier._version import __version__
from custtier.cadence import (
    Calendar,
    ContactPlan,
    HolidaysCalendar,
    LunarDay,
    ManagerWeekLoad,
    Touchpoint,
    Unscheduled,
    WeekendCalendar,
    plan_contacts,
    plan_to_ical,
)
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
from custtier.suitability import (
    AllocationDecision,
    AllocationLine,
    Condition,
    Exclusion,
    RiskDecision,
    ServicesDecision,
    SuitabilityDecision,
    allocate,
    assess_risk,
    check_suitability,
    tier_services,
)
from custtier.tiering import (
    BookTiering,
    Completeness,
    HysteresisState,
    Movement,
    Override,
    OverrideState,
    ParetoCut,
    ParetoState,
    TierDecision,
    TierSummary,
    TierTrace,
    UpgradeCandidate,
    assign_tier,
    kyc_gaps,
    pareto_set,
    tier_book,
    trace_tier,
)
from custtier.whatif import (
    EligibilityChange,
    KycChange,
    LoadChange,
    ManagerShift,
    MigrationCell,
    MovedCustomer,
    PolicyImpact,
    ServicesChange,
    ServiceTotal,
    SimulationError,
    simulate,
)
from custtier.worklist import (
    BookWorklists,
    ReinvestOption,
    WorkDay,
    WorkItem,
    Worklist,
    worklist,
    worklist_to_ical,
    worklists,
)

__all__ = [
    "ERROR_DESCRIPTIONS",
    "REASON_DESCRIPTIONS",
    "AllocationDecision",
    "AllocationLine",
    "AmlRating",
    "Answer",
    "BookTiering",
    "BookWorklists",
    "Calendar",
    "CalendarKind",
    "Channel",
    "ChannelConsent",
    "Completeness",
    "Condition",
    "ContactPlan",
    "ContactPreferences",
    "ContactRecord",
    "Customer",
    "CusttierError",
    "DateKind",
    "Decision",
    "EligibilityChange",
    "ErrorCode",
    "ErrorRecord",
    "Exclusion",
    "FamilyMember",
    "HolidaysCalendar",
    "HysteresisState",
    "Identity",
    "ImportantDate",
    "KycChange",
    "KycFile",
    "Liquidity",
    "LoadChange",
    "LunarDay",
    "ManagerShift",
    "ManagerWeekLoad",
    "MigrationCell",
    "MonthlyBalance",
    "MovedCustomer",
    "Movement",
    "Need",
    "Override",
    "OverrideState",
    "ParetoCut",
    "ParetoState",
    "Playbook",
    "PlaybookRef",
    "PolicyImpact",
    "Product",
    "ProductHolding",
    "ProgressCallback",
    "Purpose",
    "Reason",
    "ReasonCode",
    "ReinvestOption",
    "Relation",
    "RelationshipManager",
    "RiskAssessment",
    "RiskDecision",
    "Rounding",
    "ServiceTotal",
    "ServicesChange",
    "ServicesDecision",
    "SimulationError",
    "SuitabilityDecision",
    "TierDecision",
    "TierSummary",
    "TierTrace",
    "Touchpoint",
    "Unscheduled",
    "UpgradeCandidate",
    "WeekendCalendar",
    "WorkDay",
    "WorkItem",
    "Worklist",
    "__version__",
    "allocate",
    "assess_risk",
    "assign_tier",
    "check_suitability",
    "errors",
    "kyc_gaps",
    "minor_unit",
    "pareto_set",
    "plan_contacts",
    "plan_to_ical",
    "plot",
    "presets",
    "quantize",
    "rules",
    "simulate",
    "split",
    "synth",
    "tier_book",
    "tier_services",
    "trace_tier",
    "worklist",
    "worklist_to_ical",
    "worklists",
]


def __getattr__(name: str) -> _Any:
    if name == "pareto_keys":  # one public name per Pareto concept since 0.2.0
        _warnings.warn(
            "custtier.pareto_keys is deprecated: pareto_set(customers, playbook) gives the "
            "set, custtier.frames.pareto_cut the same on columns; the old name goes in 1.0",
            DeprecationWarning,
            stacklevel=2,
        )
        from custtier.tiering._pareto import pareto_keys  # noqa: PLC0415  # deprecated alias

        return pareto_keys
    raise AttributeError(f"module 'custtier' has no attribute {name!r}")
