"""What the risk, suitability, allocation and services engines return."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from custtier._deferred import Deferred
from custtier._enum import Vocabulary
from custtier._explain import Decision, Reason, _Frozen
from custtier.models import RiskAssessment

__all__ = [
    "AllocationDecision",
    "AllocationLine",
    "Condition",
    "Exclusion",
    "RiskDecision",
    "ServicesDecision",
    "SuitabilityDecision",
]


class RiskDecision(Decision):
    """A scored risk assessment: ``outcome`` is the customer level.

    ``assessment`` is ready to store on the customer
    (``customer.replace(risk_assessment=decision.assessment)``).
    """

    kind: Literal["risk"] = "risk"
    score: int
    assessment: RiskAssessment
    elderly: bool
    requires_extra_confirmation: bool


class Condition(Vocabulary):
    """Conditions attached to an allowed sale (flags, never blocks)."""

    COOLING_OFF = "cooling_off"
    EXTRA_CONFIRMATION = "extra_confirmation"
    RECORDED_SALE = "recorded_sale"


class SuitabilityDecision(Deferred, Decision):
    """``outcome`` is ``"allowed"`` or ``"blocked"``; ``reasons`` list every rule that spoke.

    ``nearest_valid_amounts`` is set when an amount was off the product's
    minimum/increment grid: the valid amounts just below and above.

    :func:`~custtier.check_suitability` and :func:`~custtier.check_catalogue`
    return the decision with ``customer_key``, ``outcome``, ``product_id`` and
    ``allowed`` set and the rest (reasons above all) rendered from the
    engine's trace on first read; it reads, compares, serialises and pickles
    exactly as a decision built whole (docs/design.md, "Reasons rendered
    when read").
    """

    kind: Literal["suitability"] = "suitability"
    product_id: str
    allowed: bool
    conditions: tuple[Condition, ...] = ()
    cooling_off_hours: int = 0
    nearest_valid_amounts: tuple[Decimal, ...] = ()


class AllocationLine(_Frozen):
    """One line of an allocation: a product (or the cash line) and its amount.

    ``conditions`` and ``cooling_off_hours`` are what :func:`custtier.check_suitability`
    attaches to a sale of this product for this amount (same tier, same
    ``in_branch``, same day): the sale of the line is made under them.
    """

    product_id: str | None
    category: str
    amount: Decimal
    weight: Decimal
    reasons: tuple[Reason, ...]
    conditions: tuple[Condition, ...] = ()
    cooling_off_hours: int = 0


class Exclusion(_Frozen):
    """A catalogue product that got no line, and why."""

    product_id: str
    reasons: tuple[Reason, ...]


class AllocationDecision(Deferred, Decision):
    """How ``amount`` is spread: ``lines`` plus ``unplaced`` sum to it exactly.

    ``outcome`` is the customer level the model portfolio came from, or
    ``"risk_free_only"`` without a valid assessment. ``conditions`` is the
    union of the lines' conditions of sale, in :class:`Condition` order.

    :func:`~custtier.allocate` returns it with ``customer_key``, ``outcome``
    and ``amount`` set and the rest completed on first read; its JSON is
    written from shared fragments. It reads, compares, serialises and
    pickles exactly as a decision built whole.
    """

    kind: Literal["allocation"] = "allocation"
    amount: Decimal
    currency: str
    lines: tuple[AllocationLine, ...]
    unplaced: Decimal
    excluded: tuple[Exclusion, ...]
    conditions: tuple[Condition, ...] = ()


class ServicesDecision(Decision):
    """What the customer's tier is entitled to: ``outcome`` is the tier id."""

    kind: Literal["services"] = "services"
    services: tuple[str, ...]
