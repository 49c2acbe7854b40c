"""What a what-if run gives back: one frozen value a policy committee can read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from custtier._display import Displayable
from custtier._explain import ErrorRecord, PlaybookRef
from custtier.models._base import CusttierModel
from custtier.rules import KycItem, RuleChange
from custtier.suitability import SuitabilityDecision
from custtier.tiering import TierDecision

__all__ = [
    "EligibilityChange",
    "KycChange",
    "LoadChange",
    "ManagerShift",
    "MigrationCell",
    "MovedCustomer",
    "PolicyImpact",
    "ServiceTotal",
    "ServicesChange",
    "SimulationError",
]


class MigrationCell(CusttierModel):
    """Customers in ``from_tier`` today and ``to_tier`` under the proposal, with their money."""

    from_tier: str
    to_tier: str
    customers: int
    aum: Decimal
    profit: Decimal


class MovedCustomer(CusttierModel):
    """A customer whose tier differs: both decisions, each with its reasons and playbook."""

    customer_key: str
    current: TierDecision
    proposed: TierDecision


class EligibilityChange(CusttierModel):
    """A product the customer may buy under one playbook and not the other."""

    customer_key: str
    product_id: str
    gained: bool  # allowed under the proposal only (False: lost)
    current: SuitabilityDecision
    proposed: SuitabilityDecision


class ServicesChange(CusttierModel):
    """Tier services a customer gains and loses (service ids, in the playbook's order).

    ``cost_change`` is the yearly cost of what is gained (at the proposal's
    stated costs) minus what is lost (at today's); ``None`` when a service
    gained or lost states no cost.
    """

    customer_key: str
    gained: tuple[str, ...]
    lost: tuple[str, ...]
    cost_change: Decimal | None = None


class ServiceTotal(CusttierModel):
    """One service under each playbook: customers entitled, cost per customer, cost per year.

    Counts are over the customers decided on both sides. A cost is the
    playbook's ``annual_cost`` (``None``: not stated, or the playbook lacks
    the service); a total is customers x cost, ``None`` without a cost.
    """

    service_id: str
    current_customers: int
    proposed_customers: int
    current_cost: Decimal | None
    proposed_cost: Decimal | None
    current_total: Decimal | None
    proposed_total: Decimal | None


class KycChange(CusttierModel):
    """KYC items the proposed tier requires that the customer's file lacks and today's does not."""

    customer_key: str
    tier: str
    newly_unmet: tuple[KycItem, ...]


class LoadChange(CusttierModel):
    """A manager's planned contact work in one ISO week under each playbook.

    Minutes are what the plan booked (levelled against the manager's hours
    when managers were given); ``unscheduled`` counts contacts that did not fit.
    """

    manager_id: str
    week: str
    current_minutes: int
    proposed_minutes: int
    current_touchpoints: int
    proposed_touchpoints: int
    current_unscheduled: int
    proposed_unscheduled: int


class ManagerShift(CusttierModel):
    """A manager's customers in one tier under each playbook, where the two differ.

    ``manager_id`` is ``None`` for customers without a manager. The work a
    tier asks for follows its customers; with a plan horizon, ``load`` books it.
    """

    manager_id: str | None
    tier: str
    current: int
    proposed: int


class SimulationError(CusttierModel):
    """An input record not decided on at least one side; ``index`` is its position in the book."""

    index: int
    customer_key: str | None
    current: ErrorRecord | None
    proposed: ErrorRecord | None


class PolicyImpact(Displayable, CusttierModel):
    """Who and what changes when ``proposed`` replaces ``current`` on one book, on ``as_of``.

    ``tiers`` orders the matrix's rows and columns (today's tiers, then any
    only the proposal has). ``matrix`` has one cell per (from, to) pair,
    zeros included, over the customers decided on both sides; every input
    record is either decided on both sides or in ``errors``, never both.
    Lists are sorted by customer key (then product id).
    """

    current: PlaybookRef
    proposed: PlaybookRef
    as_of: dt.date
    changes: tuple[RuleChange, ...]
    tiers: tuple[str, ...]
    matrix: tuple[MigrationCell, ...]
    moved: tuple[MovedCustomer, ...]
    eligibility: tuple[EligibilityChange, ...]
    services: tuple[ServicesChange, ...]
    kyc: tuple[KycChange, ...]
    errors: tuple[SimulationError, ...]
    eligibility_errors: tuple[ErrorRecord, ...] = ()  # decided, but a product check failed
    decided: int  # customers decided on both sides
    load: tuple[LoadChange, ...] = ()  # per manager and week, when a plan horizon was given
    managers: tuple[ManagerShift, ...] = ()  # per manager and tier, where the counts differ
    service_totals: tuple[ServiceTotal, ...] = ()  # per service of either playbook

    def cell(self, from_tier: str, to_tier: str) -> MigrationCell:
        """The matrix cell from ``from_tier`` to ``to_tier``; ``KeyError`` if either is unknown."""
        for c in self.matrix:
            if c.from_tier == from_tier and c.to_tier == to_tier:
                return c
        raise KeyError((from_tier, to_tier))

    @property
    def unchanged(self) -> bool:
        """Nobody moves, gains or loses anything (the rules may still differ: see ``changes``)."""
        return not (self.moved or self.eligibility or self.services or self.kyc)
