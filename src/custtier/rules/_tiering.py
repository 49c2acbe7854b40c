"""Playbook section: tiers and how customers are placed in them."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from custtier._enum import Vocabulary
from custtier._money import ExactDecimal, RuleAmount, Weight
from custtier.models._base import CusttierModel
from custtier.models._types import Identifier, Label, SortedTuple, Whole

__all__ = [
    "Basis",
    "BasisRule",
    "Combine",
    "Hysteresis",
    "KycItem",
    "MissingMonths",
    "ParetoRule",
    "SignalKind",
    "TierBand",
    "TierDef",
    "TieringRules",
    "UpgradeCandidates",
    "UpgradeSignal",
]


class KycItem(Vocabulary):
    """Items a tier's KYC file must hold ("improve the KYC problem set")."""

    IDENTITY = "identity"
    OCCUPATION = "occupation"
    DECLARED_INCOME = "declared_income"
    SOURCE_OF_FUNDS = "source_of_funds"
    AML_RATING = "aml_rating"
    RISK_ASSESSMENT = "risk_assessment"
    BIRTHDAY = "birthday"
    IMPORTANT_DATES = "important_dates"  # anniversaries and family birthdays
    INTERESTS = "interests"
    FAMILY = "family"
    EXTERNAL_ASSETS = "external_assets"
    CONTACT_CONSENT = "contact_consent"


class TierDef(CusttierModel):
    """A tier: its id, label, and what its KYC file must hold.

    Tiers are listed from the lowest (rank 0) to the highest.
    """

    id: Identifier
    label: Label = Field(min_length=1, max_length=80)
    description: str = ""
    kyc_requires: SortedTuple[KycItem] = ()


class Basis(Vocabulary):
    """What a band threshold is compared with."""

    ASSETS_UNDER_MANAGEMENT = "assets_under_management"
    AVERAGE_DAILY_BALANCE = "average_daily_balance"  # mean of the last N monthly averages
    PROFIT_CONTRIBUTION = "profit_contribution"  # annual


class MissingMonths(Vocabulary):
    """How months with no balance record count in an N-month average (never silently zero)."""

    AVERAGE_AVAILABLE = "average_available"  # mean over the months present (at least min_months)
    COUNT_AS_ZERO = "count_as_zero"  # a stated, conservative choice: missing means no balance
    INSUFFICIENT = "insufficient"  # any gap: this basis does not qualify above the lowest band


class TierBand(CusttierModel):
    """Customers whose basis lies in ``[lower, upper)`` belong to ``tier``.

    ``upper`` is ``None`` for the top band; ``lower`` may be ``None`` (unbounded
    below) for the first band only, e.g. a profit basis where losses occur. Bands of one basis are contiguous:
    each band's ``upper`` is the next band's ``lower``.
    """

    rule_id: Identifier
    tier: Identifier
    lower: RuleAmount | None
    upper: RuleAmount | None = None
    source: str | None = None


class BasisRule(CusttierModel):
    """Bands over one basis."""

    basis: Basis
    window_months: Whole = Field(default=1, ge=1, le=36)
    missing_months: MissingMonths = MissingMonths.AVERAGE_AVAILABLE
    min_months: Whole = Field(default=1, ge=1, le=36)
    bands: tuple[TierBand, ...] = Field(min_length=1)


class Combine(Vocabulary):
    """How several bases combine into one tier."""

    HIGHEST = "highest"  # any basis that qualifies lifts the customer
    LOWEST = "lowest"  # every basis must qualify


class ParetoRule(CusttierModel):
    """The 80/20 rule: the smallest set carrying ``profit_share`` of profit goes to ``tier``."""

    rule_id: Identifier
    tier: Identifier
    profit_share: Weight
    source: str | None = None


class Hysteresis(CusttierModel):
    """Upgrade at once; downgrade only after ``grace_months`` below the bar less ``buffer``.

    ``buffer`` is a fraction of the bar: with a ¥500,000 bar and buffer 0.1 a
    customer at ¥460,000 is inside the buffer and is held. When
    ``review_months`` is set (e.g. ``[1, 7]``), downgrades that have served
    their grace period take effect only in those calendar months (rating dates).

    ``max_buffer_months`` limits how long the buffer may hold: counted from
    the first decision that held the customer, after that many months the
    buffer no longer protects and the grace rule applies from that day, as if
    the customer were below the buffered bar. ``None`` means no limit (the
    buffer holds as long as the customer stays in it); both presets set one.
    ``source`` cites where the figures come from.
    """

    rule_id: Identifier
    grace_months: Whole = Field(ge=0, le=24)
    buffer: Weight = Field(default=Decimal(0))
    review_months: SortedTuple[Whole] = ()
    max_buffer_months: Whole | None = Field(default=None, ge=1, le=60)
    source: str | None = None


class SignalKind(Vocabulary):
    """Signals that flag a potential high-quality customer; ``threshold`` means:"""

    NEAR_BAR = "near_bar"  # basis >= next tier's bar x (1 - threshold)
    RISING_BALANCE = "rising_balance"  # last month >= first month of the window x (1 + threshold)
    DECLARED_WEALTH = "declared_wealth"  # AUM + declared external assets >= threshold
    DECLARED_INCOME = "declared_income"  # declared (or observed) annual income >= threshold
    REFERRALS = "referrals"  # customers in the book referred by this one >= threshold
    PRODUCT_BREADTH = "product_breadth"  # distinct products held >= threshold


class UpgradeSignal(CusttierModel):
    """One configured signal and the points it adds to a candidate's score."""

    rule_id: Identifier
    kind: SignalKind
    threshold: ExactDecimal
    points: Whole = Field(ge=1, le=100)


class UpgradeCandidates(CusttierModel):
    """Which signals flag "potential high-quality customers", and the score that lists them."""

    signals: tuple[UpgradeSignal, ...] = Field(min_length=1)
    min_score: Whole = Field(default=1, ge=1)


class TieringRules(CusttierModel):
    """How a customer's tier is decided."""

    bases: tuple[BasisRule, ...] = Field(min_length=1)
    combine: Combine = Combine.HIGHEST
    pareto: ParetoRule | None = None
    hysteresis: Hysteresis | None = None
    upgrade_candidates: UpgradeCandidates | None = None
