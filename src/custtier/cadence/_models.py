"""What the planner gives out: touchpoints, unscheduled contacts, load, the plan."""

from __future__ import annotations

import datetime as dt
from typing import Any

from custtier._display import Displayable
from custtier._explain import ErrorRecord, PlaybookRef, Reason, ReasonCode
from custtier._tabular import Tabular
from custtier.cadence._plan_json import plan_json
from custtier.models._base import CusttierModel
from custtier.models._types import Channel, CustomerKey, Identifier, Purpose
from custtier.rules import KycItem, Occasion, Offer, Owner

__all__ = ["ContactPlan", "ManagerWeekLoad", "Touchpoint", "Unscheduled"]


class Touchpoint(CusttierModel):
    """One planned contact: who, when, how, why and by whom.

    ``on`` is the day in the customer's calendar; ``at`` is set for channels
    under quiet hours (a time inside them, in the customer's time zone).
    ``due_on`` is the occasion's own date (the birthday, the review due date,
    the event). ``kyc_items`` are KYC file items to complete on this contact.
    """

    customer_key: CustomerKey
    tier: Identifier
    rule_id: Identifier
    occasion: Occasion
    channel: Channel
    purpose: Purpose
    owner: Owner
    manager_id: Identifier | None
    on: dt.date
    at: dt.datetime | None
    due_on: dt.date | None
    priority: int
    duration_minutes: int
    label: str
    offer: Offer | None
    kyc_items: tuple[KycItem, ...]
    reasons: tuple[Reason, ...]


class Unscheduled(CusttierModel):
    """A contact the rules ask for that the plan could not place, and why (``code``)."""

    customer_key: CustomerKey
    tier: Identifier
    rule_id: Identifier
    occasion: Occasion
    channel: Channel
    purpose: Purpose
    owner: Owner
    manager_id: Identifier | None
    due_on: dt.date | None
    week: str | None
    label: str
    code: ReasonCode
    reasons: tuple[Reason, ...]


class ManagerWeekLoad(CusttierModel):
    """A manager's booked minutes in one ISO week (``"2026-W07"``) against capacity.

    ``capacity_minutes`` is ``None`` when the plan was made without managers
    (no capacity levelling). ``unscheduled`` counts contacts that did not fit.
    """

    manager_id: Identifier
    week: str
    capacity_minutes: int | None
    booked_minutes: int
    touchpoints: int
    unscheduled: int


class ContactPlan(Displayable, Tabular, CusttierModel):
    """A contact plan over ``[start, end]``: every required contact placed or explained.

    ``required`` is how many contacts the rules asked for; it always equals
    ``len(touchpoints) + len(unscheduled)``. ``provisional`` counts the
    touchpoints placed by a calendar's rule-based business days of a year
    whose official arrangement is not yet published (each carries a
    ``CADENCE_PROVISIONAL`` reason): re-check them when it is. ``errors``
    are input records that could not be planned (invalid, duplicate key, no
    tier).
    """

    playbook: PlaybookRef
    start: dt.date
    end: dt.date
    calendar: str
    required: int
    provisional: int = 0
    touchpoints: tuple[Touchpoint, ...]
    unscheduled: tuple[Unscheduled, ...]
    load: tuple[ManagerWeekLoad, ...]
    errors: tuple[ErrorRecord, ...]

    def model_dump_json(self, **options: Any) -> str:
        """pydantic's ``model_dump_json``; without options, a plan ``plan_contacts`` built is
        spliced from its contacts' shared JSON (the same bytes, cadence._plan_json)."""
        if not options:
            out = plan_json(self)
            if out is not None:
                return out
        return super().model_dump_json(**options)

    def for_manager(self, manager_id: str) -> tuple[Touchpoint, ...]:
        """The touchpoints owned by one manager, in plan order."""
        return tuple(t for t in self.touchpoints if t.manager_id == manager_id)

    def provisional_touchpoints(self) -> tuple[Touchpoint, ...]:
        """The touchpoints to re-check when the calendar's official arrangement is published."""
        return tuple(
            t
            for t in self.touchpoints
            if any(r.code is ReasonCode.CADENCE_PROVISIONAL for r in t.reasons)
        )

    def unscheduled_counts(self) -> dict[str, int]:
        """How many contacts went unscheduled, by reason code (sorted)."""
        counts: dict[str, int] = {}
        for u in self.unscheduled:
            counts[u.code.value] = counts.get(u.code.value, 0) + 1
        return dict(sorted(counts.items()))
