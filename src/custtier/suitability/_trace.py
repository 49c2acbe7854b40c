"""The trace of a suitability check: how it was reached, as a few typed codes.

Both paths produce it: the scalar engine for one (customer, product)
(:class:`SuitabilityTrace`), ``custtier.frames.suitability_table`` as one
array per code for a table. Reasons are not part of it:
:mod:`custtier.suitability._explanation` turns a trace (plus its facts)
into the outcome, the conditions of sale and the reasons, the same table
for both paths.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import IntEnum, IntFlag
from typing import TYPE_CHECKING, NamedTuple

from custtier.models import Product, RiskAssessment
from custtier.suitability._at_sale import AgeSource, ValidityBound
from custtier.suitability._models import SuitabilityDecision

if TYPE_CHECKING:
    from custtier.suitability._plan import SuitabilityPlan

__all__ = [
    "AmountCheck",
    "LevelStep",
    "SaleFlag",
    "SuitabilityOutcome",
    "SuitabilityTrace",
    "TierCheck",
    "TraceKey",
]


class LevelStep(IntEnum):
    """What the level step found: risk-free product, assessment, matrix, elderly cap."""

    __hash__ = int.__hash__  # as the int it equals: numpy codes find the same entries

    NONE = 0  # none of these checks is in the playbook's policy
    RISK_FREE = 1  # a risk-free product at the lowest level: sold without an assessment
    NO_ASSESSMENT = 2
    EXPIRED = 3  # the assessment is not valid on the day of sale
    EXCEEDED = 4  # the product is above the customer's row of the matrix
    WITHIN = 5
    ELDERLY_CAPPED = 6  # within the row, above the elderly cap's row


class TierCheck(IntEnum):
    """What the tier-reservation step found."""

    __hash__ = int.__hash__  # as the int it equals: numpy codes find the same entries

    OPEN = 0  # reserved for no tier, or the policy does not check reservations
    ELIGIBLE = 1  # reserved, and the customer's tier is among its tiers
    RESERVED = 2  # reserved for other tiers (or the customer has none): blocks


class AmountCheck(IntEnum):
    """What the minimum-and-increment step found."""

    __hash__ = int.__hash__  # as the int it equals: numpy codes find the same entries

    NO_AMOUNT = 0  # no amount given, or the policy does not check amounts
    BELOW_MINIMUM = 1
    OFF_INCREMENT = 2
    ON_GRID = 3


class SaleFlag(IntFlag):
    """The conditions of sale the rules attach (kept on an allowed sale only)."""

    __hash__ = int.__hash__  # as the int it equals: numpy codes find the same entries

    COOLING_OFF = 1
    EXTRA_CONFIRMATION = 2  # an elderly customer, a product that is not risk-free
    RECORDED_SALE = 4  # sold in a branch, a product that is not risk-free


class SuitabilityOutcome(IntEnum):
    """The decision: allowed unless a step blocks (the explanation table says which do)."""

    __hash__ = int.__hash__  # as the int it equals: numpy codes find the same entries

    BLOCKED = 0
    ALLOWED = 1


class TraceKey(NamedTuple):
    """The part of a trace that decides the outcome, the conditions and the reasons.

    Small integers only, so the columnar path finds a table's distinct keys
    with numpy and asks the explanation table once per key. ``row`` is the
    customer rank whose matrix row decided (the assessed level when the
    product is above it, else the level after the elderly cap), -1 when
    the matrix did not speak; ``sale`` holds :class:`SaleFlag` bits.
    """

    level: LevelStep
    row: int
    tier: TierCheck
    amount: AmountCheck
    sale: int


class SuitabilityTrace(NamedTuple):
    """How one (customer, product) check was reached: codes and the facts reasons quote.

    What :func:`custtier.trace_suitability` returns. ``key`` holds the codes
    (level step and the matrix row that decided, tier check, amount check,
    conditions of sale); :attr:`allowed` and :attr:`outcome` come from the
    explanation table both paths share, and :meth:`decision` renders the
    reasons there and returns what :func:`custtier.check_suitability`
    returns, so a caller who needs only the outcome never pays for the
    messages.

    >>> import datetime as dt
    >>> from custtier import Customer, Product, presets, trace_suitability
    >>> c = Customer(key="C1", risk_assessment={"level": "C2", "score": 30,
    ...     "assessed_on": "2026-03-01", "valid_until": "2027-02-28"})
    >>> fund = Product(id="EQ-1", name="Growth Equity Fund", category="equity_fund",
    ...                risk_level="R4", minimum_investment="1000.00", increment="100.00")
    >>> t = trace_suitability(c, fund, presets.REGULATORY, as_of=dt.date(2026, 11, 30))
    >>> t.allowed, t.key.level.name, t.decision().reasons[0].code.value
    (False, 'EXCEEDED', 'SUIT_LEVEL_EXCEEDED')
    """

    plan: SuitabilityPlan
    customer_key: str
    product: Product
    as_of: dt.date
    key: TraceKey  # the codes the explanation table reads
    # Facts the reasons quote, beyond the codes.
    assessment: RiskAssessment | None
    until: tuple[dt.date, ValidityBound] | None  # the assessment's effective validity, if read
    elderly: tuple[AgeSource, ...]  # what makes the customer elderly (read only when it matters)
    tier: str | None
    amount: Decimal | None
    nearest: tuple[Decimal, ...]  # valid amounts around ``amount`` (itself when on the grid)

    def __repr__(self) -> str:
        return (
            f"SuitabilityTrace(outcome={self.outcome.name}, customer_key={self.customer_key!r}, "
            f"product_id={self.product.id!r}, as_of={self.as_of!r}, key={self.key!r})"
        )

    @property
    def outcome(self) -> SuitabilityOutcome:
        """Allowed, or blocked by a step (the explanation table says which steps block)."""
        # Imported here: the explanation table reads traces, so it imports this module.
        from custtier.suitability._explanation import explain  # noqa: PLC0415

        return explain(self.plan, self.key).outcome

    @property
    def allowed(self) -> bool:
        """Whether the sale may be made."""
        return self.outcome is SuitabilityOutcome.ALLOWED

    def decision(self) -> SuitabilityDecision:
        """The decision, its reasons rendered from this trace (what ``check_suitability`` returns)."""
        from custtier.suitability._explanation import decision_of  # noqa: PLC0415

        return decision_of(self)
