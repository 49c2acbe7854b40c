"""One required contact's shared part, built once per tables and shared by every customer.

A contact the rules ask for is the same for every customer of a tier on the
same rule, label and dates, apart from whom it is for (key, manager, time
zone) and a few notes of the customer's own (an overdue review, a lunar or
leap-day policy). That shared part, an :class:`Occurrence`, holds what the
planner used to work out again for each customer: the window's business days
(so levelling jumps from one candidate day to the next instead of walking the
calendar), the occasion reason, the reasons a placement adds (rolled, slipped,
provisional, quiet hours) per day and time, the touchpoint's and unscheduled
item's fields in order, and the sort keys. Occurrences live in the cadence
tables (per playbook, horizon and calendar), keyed by every fact they hold, so
a shared one is exactly the one a fresh build would give.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from custtier import _json_out as jo
from custtier._explain import Reason, ReasonCode
from custtier.cadence._tables import Tables
from custtier.models._types import Channel, Purpose
from custtier.rules import Occasion, Offer, Owner
from custtier.rules._cadence import GREETINGS

__all__ = ["Occurrence", "Tail", "occurrence", "shared_reason"]

#: The reasons a placement adds after the occasion's (rolled, slipped, provisional,
#: quiet hours), the full tuple when the customer adds no note, and whether it is provisional.
Tail = tuple[tuple[Reason, ...], tuple[Reason, ...], bool]


class Occurrence:
    """What a required contact is, apart from whom it is for (see the module's docstring)."""

    __slots__ = (
        "blocked",
        "business_first",
        "candidates",
        "channel",
        "chunks",
        "completes_kyc",
        "consent",
        "due",
        "duration",
        "first",
        "fixed",
        "head",
        "json_head",
        "json_touch",
        "json_unscheduled",
        "label",
        "last",
        "manager_owned",
        "no_data",
        "occasion",
        "offer",
        "owner",
        "priority",
        "purpose",
        "quiet",
        "rank",
        "reason",
        "rolled",
        "rule_id",
        "start",
        "tail",
        "tails",
        "tier",
        "touch",
        "unsched",
        "why",
    )

    def __init__(  # noqa: PLR0917  # built on a memo miss only: every fact of the contact
        self,
        t: Tables,
        tier: str,
        rule_id: str,
        occasion: Occasion,
        channel: Channel,
        purpose: Purpose,
        owner: Owner,
        priority: int,
        duration: int,
        label: str,
        offer: Offer | None,
        due: dt.date | None,
        first: dt.date | None,
        last: dt.date | None,
        fixed: bool,
        blocked: ReasonCode | None,
    ) -> None:
        self.tier, self.rank, self.rule_id = tier, t.rank[tier], rule_id
        self.occasion, self.channel, self.purpose, self.owner = occasion, channel, purpose, owner
        self.priority, self.duration, self.label, self.offer = priority, duration, label, offer
        self.due, self.first, self.last, self.fixed, self.blocked = due, first, last, fixed, blocked
        self.manager_owned = owner is Owner.MANAGER
        self.start = t.start
        self.consent = (channel, purpose)
        # The planner's orders, flattened: (-rank, priority, first), key, tail sorts as the
        # seven-field tuple it replaces; the touchpoints' and unscheduled items' orders too.
        self.head = (-self.rank, priority, first or dt.date.min)
        self.tail = (rule_id, due or dt.date.min, label)
        self.candidates, self.no_data = _candidates(t, first, last, fixed)
        self.business_first = self.candidates[0] if self.candidates else None
        q = t.quiet.get(channel)
        self.quiet = (
            None
            if q is None
            else (
                q.send_at.hour * 60 + q.send_at.minute,
                q.latest.hour * 60 + q.latest.minute,
                q.rule_id,
            )
        )
        self.reason = _occasion_reason(self, t)
        self.rolled: tuple[Reason, ...] = ()
        if not fixed and self.business_first is not None and t.days[self.business_first] != first:
            self.rolled = (
                shared_reason(
                    t,
                    ReasonCode.CADENCE_ROLLED,
                    rule_id,
                    from_on=first,
                    to_on=t.days[self.business_first],
                ),
            )
        self.completes_kyc = (
            self.manager_owned and purpose is not Purpose.MARKETING and occasion not in GREETINGS
        )
        # Field order is the models' (JSON follows it); who and when are filled per customer.
        self.touch: dict[str, Any] = {
            "customer_key": None,
            "tier": tier,
            "rule_id": rule_id,
            "occasion": occasion,
            "channel": channel,
            "purpose": purpose,
            "owner": owner,
            "manager_id": None,
            "on": None,
            "at": None,
            "due_on": due,
            "priority": priority,
            "duration_minutes": duration,
            "label": label,
            "offer": offer,
            "kyc_items": (),
            "reasons": (),
        }
        # Built when first unscheduled: most contacts never are.
        self.unsched: dict[str, Any] | None = None
        # The JSON of the fields it fixes, between those of whom it is for (the plan's
        # writer, cadence._plan_json): as pydantic-core writes them.
        string = jo.string
        self.json_head = (
            f',"tier":{string(tier)},"rule_id":{string(rule_id)},"occasion":{string(occasion)}'
            f',"channel":{string(channel)},"purpose":{string(purpose)},"owner":{string(owner)}'
        )
        due_json = "null" if due is None else jo.date(due)
        self.json_touch = (
            f',"due_on":{due_json},"priority":{priority:d},"duration_minutes":{duration:d}'
            f',"label":{string(label)},"offer":{"null" if offer is None else string(offer)}'
        )
        week = t.weeks[t.index(first)] if first is not None and t.start <= first <= t.end else None
        self.json_unscheduled = (
            f',"due_on":{due_json},"week":{"null" if week is None else string(week)}'
            f',"label":{string(label)}'
        )
        # Per (day index, minute of the day): the reasons a placement there adds.
        self.tails: dict[tuple[int, int], Tail] = {}
        # Per (code, rule id): the reason an unscheduled item of this contact gives first.
        self.why: dict[tuple[ReasonCode, str], Reason] = {}
        # The plan writer's JSON of a touchpoint from its day on, per (day, minute, zone),
        # and of an unscheduled item from its due date on, per first reason: for the
        # items whose reasons are this occurrence's shared ones (cadence._plan_json).
        self.chunks: dict[tuple[Any, ...], str] = {}

    def unscheduled_fields(self, t: Tables) -> dict[str, Any]:
        """The unscheduled item's fields in order; whom it is for, code and reasons to fill."""
        found = self.unsched
        if found is None:
            first = self.first
            week = None
            if first is not None and t.start <= first <= t.end:
                week = t.weeks[t.index(first)]
            found = self.unsched = {
                "customer_key": None,
                "tier": self.tier,
                "rule_id": self.rule_id,
                "occasion": self.occasion,
                "channel": self.channel,
                "purpose": self.purpose,
                "owner": self.owner,
                "manager_id": None,
                "due_on": self.due,
                "week": week,
                "label": self.label,
                "code": None,
                "reasons": (),
            }
        return found

    def tail_at(self, j: int, minute: int, at: dt.datetime | None, t: Tables) -> Tail:
        """The reasons a placement on day ``j`` at ``minute`` (``at``) adds: built once."""
        found = self.tails.get((j, minute))
        if found is None:
            found = self.tails.setdefault((j, minute), self._tail(j, at, t))
        return found

    def _tail(self, j: int, at: dt.datetime | None, t: Tables) -> Tail:
        on = t.days[j]
        reasons = list(self.rolled)
        business_first = t.days[self.business_first] if self.business_first is not None else None
        rule_id = self.rule_id
        if on != business_first:
            reasons.append(
                shared_reason(
                    t, ReasonCode.CADENCE_SLIPPED, rule_id, from_on=business_first, to_on=on
                )
            )
        provisional = not self.fixed and t.any_provisional(self.first or on, on)
        if provisional:
            # Greetings are fixed by the calendar; work found its day by business days.
            reasons.append(
                shared_reason(
                    t,
                    ReasonCode.CADENCE_PROVISIONAL,
                    rule_id,
                    calendar=t.calendar.name,
                    from_on=self.first,
                    to_on=on,
                )
            )
        if at is not None and self.quiet is not None:
            reasons.append(_quiet_reason(self.quiet[2], at, t))
        tail = tuple(reasons)
        return tail, (self.reason, *tail), provisional

    def unscheduled_reason(self, code: ReasonCode, rule_id: str, t: Tables) -> Reason:
        """Why this contact went unscheduled (``code`` under ``rule_id``): built once."""
        found = self.why.get((code, rule_id))
        if found is None:
            channel = self.channel.value
            found = t.reasons.get(
                (code, rule_id, channel), lambda: Reason.of(code, rule_id, channel=channel)
            )
            self.why[code, rule_id] = found
        return found


def occurrence(  # noqa: PLR0917  # every fact of the contact, positional for speed
    t: Tables,
    tier: str,
    rule_id: str,
    occasion: Occasion,
    channel: Channel,
    purpose: Purpose,
    owner: Owner,
    priority: int,
    duration: int,
    label: str,
    offer: Offer | None,
    due: dt.date | None,
    first: dt.date | None,
    last: dt.date | None,
    fixed: bool,
    blocked: ReasonCode | None = None,
) -> Occurrence:
    """The shared occurrence with these facts, built the first time they occur."""
    # The key is every fact the occurrence holds: a rule and a campaign sharing an id
    # differ in their occasion, channel or figures, or are the same contact.
    key = (tier, rule_id, occasion, channel, purpose, owner, priority, duration, label, offer,
           due, first, last, fixed, blocked)  # fmt: skip
    found = t.occurrences.peek(key)
    if found is None:
        found = t.occurrences.get(
            key,
            lambda: Occurrence(t, tier, rule_id, occasion, channel, purpose, owner, priority,
                               duration, label, offer, due, first, last, fixed, blocked),
        )  # fmt: skip
    return found


def _candidates(
    t: Tables, first: dt.date | None, last: dt.date | None, fixed: bool
) -> tuple[tuple[int, ...], bool]:
    """The day indexes a contact may go on, in order, and whether a day of its window lacks data.

    A greeting has its own day only; other work the business days of
    ``[first, last]``. A day of a year the calendar has no data for is never a
    candidate, but says why nothing was found.
    """
    if first is None or last is None:
        return (), False
    if fixed:
        return (t.index(first),), False
    business = t.business
    out: list[int] = []
    no_data = False
    for i in range(t.index(first), t.index(last) + 1):
        ok = business[i]
        if ok is None:
            no_data = True
        elif ok:
            out.append(i)
    return tuple(out), no_data


def shared_reason(t: Tables, code: ReasonCode, rule_id: str, /, **facts: Any) -> Reason:
    """A reason that depends only on its code, rule and facts: shared across the plan."""
    key = (code, rule_id, *facts.values())
    found = t.contact_reasons.peek(key)
    if found is None:
        found = t.contact_reasons.get(key, lambda: Reason.of(code, rule_id, **facts))
    return found


def _occasion_reason(o: Occurrence, t: Tables) -> Reason:
    return shared_reason(
        t,
        ReasonCode.CADENCE_OCCASION,
        o.rule_id,
        case="contact",
        occasion=o.occasion.value,
        contact=o.rule_id,
        tier=o.tier,
        due_on=o.due,
        channel=o.channel.value,
    )


def _quiet_reason(rule_id: str, at: dt.datetime, t: Tables) -> Reason:
    """The time a contact is sent inside the quiet-hours rule (shared by the clock time)."""
    key = (ReasonCode.CADENCE_QUIET_HOURS, rule_id, at.hour, at.minute)
    found = t.contact_reasons.peek(key)
    if found is None:
        found = t.contact_reasons.get(
            key,
            lambda: Reason.of(
                ReasonCode.CADENCE_QUIET_HOURS, rule_id, case="timed", time=at.strftime("%H:%M")
            ),
        )
    return found
