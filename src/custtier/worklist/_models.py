"""What the worklist gives out: items, a day's list, a manager's worklist, every manager's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from custtier._display import Displayable
from custtier._explain import ErrorRecord, PlaybookRef, Reason, ReasonCode
from custtier._tabular import Tabular
from custtier.models._base import CusttierModel
from custtier.models._types import Channel, CustomerKey, Identifier, Purpose
from custtier.rules import KycItem, WorkKind
from custtier.suitability import Condition

__all__ = ["BookWorklists", "ReinvestOption", "WorkDay", "WorkItem", "Worklist"]


class ReinvestOption(CusttierModel):
    """Where a maturing amount may go: a product (``None``: the cash line) and its amount.

    ``conditions`` and ``cooling_off_hours`` are the conditions of sale
    :func:`custtier.check_suitability` attaches to that product and amount on
    the maturity day.
    """

    product_id: Identifier | None
    category: Identifier
    amount: Decimal
    conditions: tuple[Condition, ...] = ()
    cooling_off_hours: int = 0


class WorkItem(CusttierModel):
    """One thing for the manager to do: for whom, what, why, by when, how and how urgent.

    ``priority`` is the playbook's priority for the kind and tier (1 first);
    ``position`` is the item's place on its day's list (1 first; 0 when
    carried over). ``on`` is the day it is listed on (``None``: carried over
    past the horizon or blocked, with ``carried`` saying why).
    ``available_on`` is the first day it can be worked (a planned contact's
    day); ``due_on`` its deadline (``None`` for work with none: a KYC gap, an
    upgrade candidate). ``channel`` is the channel allowed for it (``None``
    when the customer allows none). Every reason's rule id resolves with
    ``Playbook.find_rule``.
    """

    customer_key: CustomerKey
    manager_id: Identifier
    tier: Identifier
    kind: WorkKind
    rule_id: Identifier
    label: str
    due_on: dt.date | None
    available_on: dt.date
    on: dt.date | None
    at: dt.datetime | None = None
    priority: int
    position: int = 0
    channel: Channel | None
    purpose: Purpose
    minutes: int
    carried: ReasonCode | None = None
    amount: Decimal | None = None
    score: int | None = None
    kyc_items: tuple[KycItem, ...] = ()
    options: tuple[ReinvestOption, ...] = ()
    reasons: tuple[Reason, ...]


class WorkDay(CusttierModel):
    """One day of the manager's list: ranked items whose minutes fit the day's capacity."""

    on: dt.date
    capacity_minutes: int
    booked_minutes: int
    items: tuple[WorkItem, ...]


class Worklist(Displayable, Tabular, CusttierModel):
    """A manager's worklist from ``on`` over ``[on, end]``: every item on a day or carried over.

    ``days[0]`` is the day's list itself. ``carried_over`` holds what no day
    of the horizon had room for, and what the customer's consent or
    do-not-contact blocks, each with ``carried`` saying why: nothing is
    dropped. ``errors`` are the book's records that could not be read or
    decided (any manager's: a broken record names no manager).
    """

    playbook: PlaybookRef
    manager_id: Identifier
    on: dt.date
    end: dt.date
    calendar: str
    days: tuple[WorkDay, ...]
    carried_over: tuple[WorkItem, ...]
    errors: tuple[ErrorRecord, ...] = ()

    @property
    def today(self) -> tuple[WorkItem, ...]:
        """The day's list: the items of ``on``, in rank order."""
        return self.days[0].items if self.days else ()

    def items(self) -> tuple[WorkItem, ...]:
        """Every item: each day's list in order, then what is carried over."""
        return (*(i for d in self.days for i in d.items), *self.carried_over)


class BookWorklists(Displayable, Tabular, CusttierModel):
    """Every listed manager's worklist for one book and day, from one tiering and one plan."""

    playbook: PlaybookRef
    on: dt.date
    end: dt.date
    worklists: tuple[Worklist, ...]
    errors: tuple[ErrorRecord, ...] = ()

    def for_manager(self, manager_id: str) -> Worklist:
        """The worklist of one manager; ``KeyError`` when the manager was not listed."""
        for w in self.worklists:
            if w.manager_id == manager_id:
                return w
        raise KeyError(manager_id)
