"""What the tiering engine takes in (overrides) and gives out (decisions, summaries)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from custtier._deferred import Deferred
from custtier._display import Displayable
from custtier._enum import Vocabulary
from custtier._explain import Decision, ErrorRecord, PlaybookRef, Reason
from custtier._tabular import Tabular
from custtier.models._base import CusttierModel
from custtier.models._types import CustomerKey, FreeText, Identifier
from custtier.rules import KycItem
from custtier.tiering._pareto import ParetoCut

__all__ = [
    "BookTiering",
    "Movement",
    "Override",
    "TierDecision",
    "TierSummary",
    "UpgradeCandidate",
]


class Override(CusttierModel):
    """A manual tier decision: who set it, why, and until when (inclusive).

    ``reason`` is the operator's free text: it stays with the override (and
    exports as ``"[redacted]"`` unless revealed) and never enters a
    decision, whose reason carries the ``TIER_OVERRIDE`` code, the author and
    ``reference``: an opaque id of the override in the bank's own system
    (a ticket, an approval), where the free text lives.

    >>> o = Override(customer_key="C1", tier="high_end", reason="Branch president's client",
    ...              reference="OVR-2026-0042", set_by="RM-007",
    ...              set_on=dt.date(2026, 1, 1), expires_on=dt.date(2026, 6, 30))
    >>> o.in_force_on(dt.date(2026, 7, 1))
    False
    >>> o.to_record()["reason"]
    '[redacted]'
    """

    customer_key: CustomerKey
    tier: Identifier
    reason: FreeText | None = Field(default=None, min_length=1, max_length=200, repr=False)
    reference: Identifier | None = None
    set_by: Identifier
    set_on: dt.date
    expires_on: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Override:
        if self.expires_on < self.set_on:
            raise ValueError("expires_on must not be before set_on")
        return self

    def in_force_on(self, day: dt.date) -> bool:
        """Whether the override applies on ``day``."""
        return self.set_on <= day <= self.expires_on


class Movement(Vocabulary):
    """How the tier moved against the previous decision."""

    NEW = "new"  # no previous decision
    SAME = "same"
    UP = "up"
    DOWN = "down"
    HELD = "held"  # rules say lower, hysteresis keeps the previous tier
    OVERRIDDEN = "overridden"


class TierDecision(Deferred, Decision):
    """A customer's tier with the facts and rules behind it.

    ``outcome`` is the tier id. ``rule_tier`` is what the rules alone said
    before hysteresis and overrides. ``below_since`` (the first day of the
    grace period) and ``held_since`` (the first day of the current run of
    decisions held by hysteresis, which bounds how long the buffer may hold)
    carry hysteresis state to the next run: pass this decision back as
    ``previous``. ``manager_id``
    is the customer's manager, so per-manager views need no join.

    :func:`~custtier.assign_tier` returns the decision with its outcome set
    and the rest (reasons above all) rendered from the engine's trace on
    first read; it reads, compares, serialises and pickles exactly as a
    decision built whole (docs/design.md, "Reasons rendered when read").
    """

    kind: Literal["tier"] = "tier"
    rank: int
    rule_tier: Identifier
    decided_by: str
    movement: Movement
    previous_tier: Identifier | None = None
    below_since: dt.date | None = None
    held_since: dt.date | None = None
    basis_values: dict[str, Decimal | None] = Field(default_factory=dict)
    kyc_gaps: tuple[KycItem, ...] = ()
    manager_id: Identifier | None = None

    @property
    def tier(self) -> str:
        """The tier id (same as ``outcome``)."""
        return self.outcome


class TierSummary(CusttierModel):
    """One row of the tier pyramid."""

    tier: Identifier
    count: int
    customer_share: Decimal
    asset_share: Decimal
    profit_share: Decimal


class UpgradeCandidate(CusttierModel):
    """A lower-tier customer showing signals of a potential high-quality customer."""

    customer_key: CustomerKey
    tier: Identifier
    target_tier: Identifier
    score: int
    signals: tuple[Reason, ...]


class BookTiering(Displayable, Tabular, CusttierModel):
    """The result of tiering a whole book.

    ``decisions`` (sorted by customer key) and ``errors`` together account for
    every input record. ``concentration`` is the profit concentration curve:
    ``(customer_share, profit_share)`` points, customers ordered by profit
    descending, from ``(0, 0)`` to ``(1, 1)``. ``pareto_cut`` is the book's
    Pareto set as a small serialisable :class:`ParetoCut` (``None`` when the
    playbook has no Pareto rule): pass it to :func:`custtier.assign_tier` as
    ``pareto_cut=`` and a single decision equals the book's.
    """

    playbook: PlaybookRef
    as_of: dt.date
    decisions: tuple[TierDecision, ...]
    errors: tuple[ErrorRecord, ...]
    summary: tuple[TierSummary, ...]
    movements: dict[str, int]
    candidates: tuple[UpgradeCandidate, ...]
    concentration: tuple[tuple[Decimal, Decimal], ...]
    pareto_count: int
    pareto_profit_share: Decimal | None
    pareto_cut: ParetoCut | None = None
