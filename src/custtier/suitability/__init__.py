"""Risk assessment, suitability, allocation and tier services.

Regulators make the core a hard rule: a customer may only buy products at or
below their assessed risk level, with a record of why. :func:`assess_risk`
scores a questionnaire; :func:`check_suitability` decides one sale
(:func:`trace_suitability`: its outcome and how, reasons unbuilt;
:func:`check_catalogue`: one customer against a whole catalogue);
:func:`allocate` spreads an amount over suitable products and accounts for
every minor unit; :func:`tier_services` lists what a tier is entitled to.
"""

from custtier.suitability._allocate import allocate
from custtier.suitability._assess import assess_risk
from custtier.suitability._check import (
    check_catalogue,
    check_suitability,
    trace_suitability,
)
from custtier.suitability._models import (
    AllocationDecision,
    AllocationLine,
    Condition,
    Exclusion,
    RiskDecision,
    ServicesDecision,
    SuitabilityDecision,
)
from custtier.suitability._services import tier_services
from custtier.suitability._trace import (
    AmountCheck,
    LevelStep,
    SaleFlag,
    SuitabilityOutcome,
    SuitabilityTrace,
    TierCheck,
)

__all__ = [
    "AllocationDecision",
    "AllocationLine",
    "AmountCheck",
    "Condition",
    "Exclusion",
    "LevelStep",
    "RiskDecision",
    "SaleFlag",
    "ServicesDecision",
    "SuitabilityDecision",
    "SuitabilityOutcome",
    "SuitabilityTrace",
    "TierCheck",
    "allocate",
    "assess_risk",
    "check_catalogue",
    "check_suitability",
    "tier_services",
    "trace_suitability",
]
