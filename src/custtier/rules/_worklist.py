"""Playbook section: the relationship manager's worklist — what comes first, and how long it takes.

The ranking is data: a priority per item kind and tier (1 first), then the
stated tie-break keys in order. KYC gaps are ordered by what the missing
item blocks (``kyc_blocks``, rank 1 blocks most). Minutes per item kind
count against the manager's day (``working_days_per_week`` splits the weekly
hours); contacts take their contact rule's own minutes.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, field_validator

from custtier._enum import Vocabulary
from custtier.models._base import CusttierModel
from custtier.models._types import Channel, Identifier, Label, Whole
from custtier.rules._tiering import KycItem

__all__ = ["KycBlock", "TieBreak", "TierPriority", "WorkKind", "WorkKindRule", "WorklistRules"]


class WorkKind(Vocabulary):
    """What a worklist item asks the manager to do."""

    CONTACT = "contact"  # a contact the plan placed (greeting, visit, call, review)
    RISK_EXPIRY = "risk_expiry"  # re-assess before risky sales are blocked
    MATURITY = "maturity"  # a holding matures: reinvestment options for that amount
    KYC_GAP = "kyc_gap"  # the KYC file lacks what the tier requires
    UPGRADE_CANDIDATE = "upgrade_candidate"  # a potential high-quality customer to approach


class TieBreak(Vocabulary):
    """A key that orders items of equal priority, in the order the playbook states them."""

    DUE_ON = "due_on"  # earlier due date first; items without one last
    TIER = "tier"  # higher tier first
    BLOCKS = "blocks"  # a KYC gap that blocks more (lower kyc_blocks rank) first; others last
    AMOUNT = "amount"  # larger maturing principal first
    SCORE = "score"  # higher upgrade-candidate score first


class TierPriority(CusttierModel):
    """A kind's priority for one tier: 1 first."""

    tier: Identifier
    priority: Whole = Field(ge=1, le=99)


class WorkKindRule(CusttierModel):
    """One item kind: its priority per tier (1 first) and the minutes it takes.

    ``minutes`` is ``None`` for contacts (each takes its contact rule's
    ``duration_minutes``); a risk expiry or maturity the plan already holds a
    contact for takes that contact's minutes.
    """

    rule_id: Identifier
    kind: WorkKind
    # Rows, not a mapping: a playbook is hashable (engines cache by it).
    priorities: tuple[TierPriority, ...] = Field(min_length=1)
    minutes: Whole | None = Field(default=None, ge=0, le=600)
    description: str = ""
    source: Identifier | None = None

    @field_validator("priorities")
    @classmethod
    def _one_per_tier(cls, rows: tuple[TierPriority, ...]) -> tuple[TierPriority, ...]:
        tiers = [r.tier for r in rows]
        if len(set(tiers)) != len(tiers):
            raise ValueError("give each tier one priority")
        return rows

    def priority(self, tier: str) -> int:
        """The priority of ``tier`` (every tier has one in a valid playbook)."""
        return next(r.priority for r in self.priorities if r.tier == tier)


class KycBlock(CusttierModel):
    """What a missing KYC item blocks (``blocks``, said for the manager) and how much (rank 1 most)."""

    rule_id: Identifier
    item: KycItem
    blocks: Label = Field(min_length=1, max_length=120)
    rank: Whole = Field(ge=1, le=99)
    source: Identifier | None = None


class WorklistRules(CusttierModel):
    """How a manager's worklist is ranked and sized.

    Items sort by the kind's priority for the tier (1 first), then by each key
    of ``tie_break`` in order, then by customer key, kind, rule id and label
    (so the order is total and never depends on input order).
    ``horizon_days`` is the default look-ahead; ``channels`` the order in
    which a channel is chosen for an item the plan holds no contact for (the
    first one the customer allows for the item's purpose).
    """

    rule_id: Identifier = "worklist.rank"
    kinds: tuple[WorkKindRule, ...] = Field(min_length=1)
    tie_break: tuple[TieBreak, ...] = ()
    kyc_blocks: tuple[KycBlock, ...] = ()
    working_days_per_week: Whole = Field(default=5, ge=1, le=7)
    horizon_days: Whole = Field(default=14, ge=1, le=366)
    channels: tuple[Channel, ...] = Field(min_length=1)
    source: Identifier | None = None

    @field_validator("tie_break", "channels")
    @classmethod
    def _no_repeats(cls, values: tuple[StrEnum, ...]) -> tuple[StrEnum, ...]:
        if len(set(values)) != len(values):
            raise ValueError("list each value at most once")
        return values

    def kind(self, kind: WorkKind) -> WorkKindRule:
        """The rule of ``kind`` (every kind has one in a valid playbook)."""
        return next(k for k in self.kinds if k.kind is kind)
