"""Date expansion: the contacts one customer's tier asks for over the horizon.

One :class:`Item` per required contact, with its window of allowed days.
Greetings have a one-day window (the day itself); other work may move to
business days inside ``[first, last]``. Nothing here reads the clock or
calls ``rrule``: recurrence and holiday dates come from the tables.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Mapping
from dataclasses import dataclass

from custtier._dates import age_on
from custtier._explain import Reason, ReasonCode
from custtier._validity import effective_until
from custtier.cadence._dates import (
    anniversary,
    lunar_anniversary,
    lunar_known,
    months_later,
    plus_days,
)
from custtier.cadence._tables import NO_DATA, Tables
from custtier.models import Customer
from custtier.models._types import AmlRating, CalendarKind, Channel, DateKind, Purpose, Relation
from custtier.rules import Campaign, ContactRule, Occasion, Offer, Owner

__all__ = [
    "Item",
    "birthdays",
    "campaign_items",
    "greeting_dates",
    "holidays",
    "important_dates",
    "kyc_reviews",
    "maturities",
    "recurring",
    "risk_reassessments",
]

_DAY = dt.timedelta(days=1)


@dataclass(slots=True)
class Item:
    """One required contact, before levelling."""

    key: str
    tier: str
    rank: int
    manager_id: str | None
    rule_id: str
    occasion: Occasion
    channel: Channel
    purpose: Purpose
    owner: Owner
    priority: int
    duration: int
    label: str
    offer: Offer | None
    due: dt.date | None
    first: dt.date | None  # first allowed day (None when blocked)
    last: dt.date | None
    fixed: bool  # a greeting: the day itself, never rolled
    notes: tuple[Reason, ...] = ()  # a shared empty tuple: no allocation per item
    blocked: ReasonCode | None = None


def campaign_items(customer: Customer, tier: str, t: Tables, out: list[Item]) -> None:
    """The campaigns of ``tier`` whose segment ``customer`` is in, appended to ``out``."""
    for camp, first, last in t.campaigns[tier]:
        if _in_segment(customer, camp, first):
            out.append(_campaign_item(customer, tier, camp, first, last, t))


def recurring(  # noqa: PLR0917  # the registry's signature
    c: Customer,
    tier: str,
    rule: ContactRule,
    t: Tables,
    last_contact: Mapping[tuple[str, str], dt.date],
    out: list[Item],
) -> None:
    """A periodic or event rule: its RRULE's anchored dates, or every ``interval_days``."""
    if rule.rrule is not None:
        _recurring_rrule(c, tier, rule, t, out)
    else:
        _recurring_interval(c, tier, rule, t, last_contact, out)


def _item(  # noqa: PLR0917  # internal constructor, positional for speed
    c: Customer,
    tier: str,
    rule: ContactRule,
    t: Tables,
    label: str,
    due: dt.date | None,
    first: dt.date | None,
    last: dt.date | None,
    fixed: bool,
) -> Item:
    return Item(
        c.key, tier, t.rank[tier], c.manager_id, rule.id, rule.occasion, rule.channel,
        rule.purpose, rule.owner, rule.priority, rule.duration_minutes, label, None,
        due, first, last, fixed,
    )  # fmt: skip


def greeting_dates(
    on: dt.date, kind: CalendarKind, t: Tables
) -> list[tuple[dt.date | None, Reason | None, int]]:
    """``(date, note, year)`` of each occurrence in the horizon; date None = no calendar data."""
    cad = t.playbook.cadence
    out: list[tuple[dt.date | None, Reason | None, int]] = []
    if kind is CalendarKind.LUNAR:
        cal = t.calendar
        lunar_years = cal.lunar_years
        known = lunar_known(cal, on)
        # Lunar year Y runs from late January/February of Y into the next year.
        for year in range(t.start.year - 1, t.end.year + 1):
            if not known or year not in lunar_years:
                if year >= t.start.year:  # report each Gregorian year once, never guess
                    out.append((None, None, year))
                continue
            found, why = lunar_anniversary(
                on, year, cal, cad.lunar_leap_month, cad.lunar_short_month
            )
            if found is not None and t.start <= found <= t.end:
                # The lunar year only: the original date is personal (a birth date).
                lunar_note = Reason.of(
                    ReasonCode.CADENCE_LUNAR_DATE,
                    "cadence.lunar",
                    case=why or "exact",
                    lunar_year=year,
                )
                out.append((found, lunar_note, year))
        return out
    for year in t.years:
        if year <= on.year:
            continue
        day, moved = anniversary(on, year, cad.leap_day)
        if t.start <= day <= t.end:
            note: Reason | None = (
                Reason.of(
                    ReasonCode.CADENCE_LEAP_DAY,
                    f"cadence.leap_day.{cad.leap_day}",
                    policy=str(cad.leap_day),
                    year=year,
                )
                if moved
                else None
            )
            out.append((day, note, year))
    return out


def _add_greetings(  # noqa: PLR0917  # internal helper
    c: Customer,
    tier: str,
    rule: ContactRule,
    t: Tables,
    on: dt.date,
    kind: CalendarKind,
    label: str,
    out: list[Item],
) -> None:
    for day, note, year in greeting_dates(on, kind, t):
        if day is None:
            item = _item(c, tier, rule, t, f"{label} {year}", None, None, None, True)
            item.blocked = ReasonCode.CADENCE_NO_CALENDAR_DATA
        else:
            item = _item(c, tier, rule, t, label, day, day, day, True)
            if note is not None:
                item.notes += (note,)
        out.append(item)


def birthdays(c: Customer, tier: str, rule: ContactRule, t: Tables, out: list[Item]) -> None:
    # The KYC file's own-birthday entry says which calendar it is kept by.
    own = None
    if c.kyc is not None:
        own = next(
            (
                d
                for d in c.kyc.important_dates
                if d.kind is DateKind.BIRTHDAY and d.relation is Relation.SELF
            ),
            None,
        )
    if own is not None:
        _add_greetings(c, tier, rule, t, own.on, own.calendar, "birthday", out)
    elif c.birth_date is not None:
        _add_greetings(c, tier, rule, t, c.birth_date, CalendarKind.GREGORIAN, "birthday", out)


def important_dates(c: Customer, tier: str, rule: ContactRule, t: Tables, out: list[Item]) -> None:
    if c.kyc is None:
        return
    for d in c.kyc.important_dates:
        if d.kind is DateKind.BIRTHDAY and d.relation is Relation.SELF:
            continue  # the birthday rule's
        # Kind and relation only: the free-text label may name a person.
        _add_greetings(c, tier, rule, t, d.on, d.calendar, f"{d.kind} ({d.relation})", out)


def holidays(c: Customer, tier: str, rule: ContactRule, t: Tables, out: list[Item]) -> None:
    for year in t.years:
        for name in rule.holidays:
            day = t.holiday_dates[name, year]
            if day is None:
                continue
            if isinstance(day, dt.date):
                label = t.holiday_labels[name, year]
                out.append(_item(c, tier, rule, t, label, day, day, day, True))
            elif day == NO_DATA:
                item = _item(c, tier, rule, t, f"{name} {year}", None, None, None, True)
                item.blocked = ReasonCode.CADENCE_NO_CALENDAR_DATA
                out.append(item)


def _window(rule: ContactRule, first: dt.date, t: Tables) -> dt.date:
    return min(plus_days(first, rule.flex_days), t.end)


def _recurring_rrule(c: Customer, tier: str, rule: ContactRule, t: Tables, out: list[Item]) -> None:
    lead = dt.timedelta(days=rule.lead_days)
    for event in t.rrule_dates[rule.id]:
        first = event - lead
        if first < t.start:
            continue
        last = _window(rule, first, t)
        if rule.lead_days:
            last = min(last, event - _DAY)  # an invitation arrives before the event
        out.append(_item(c, tier, rule, t, rule.description or str(rule.occasion),
                         event, first, last, False))  # fmt: skip


def _stagger(key: str, rule_id: str, interval: int) -> int:
    # A stable spread of first contacts over the interval (crc32 is the same
    # in every process, unlike hash()).
    return zlib.crc32(f"{key}|{rule_id}".encode()) % interval


def _recurring_interval(  # noqa: PLR0917  # internal helper
    c: Customer,
    tier: str,
    rule: ContactRule,
    t: Tables,
    last_contact: Mapping[tuple[str, str], dt.date],
    out: list[Item],
) -> None:
    interval = rule.interval_days or 1
    previous = last_contact.get((c.key, rule.id))
    lapsed: dt.date | None = None  # the due date an overdue contact missed
    if previous is None:
        due = plus_days(t.start, _stagger(c.key, rule.id, interval))
    else:
        due = plus_days(previous, interval)
        if due < t.start:
            due, lapsed = t.start, due
    label = rule.description or str(rule.occasion)
    while due <= t.end:
        item = _item(c, tier, rule, t, label, due, due, _window(rule, due, t), False)
        if lapsed is not None:
            item.notes += (_overdue(rule.id, lapsed),)
            lapsed = None
        out.append(item)
        due = plus_days(due, interval)  # stops at 9999-12-31, after every horizon


def _overdue(rule_id: str, due: dt.date) -> Reason:
    return Reason.of(ReasonCode.CADENCE_OVERDUE, rule_id, due_on=due)


def _due_items(  # noqa: PLR0917  # internal helper
    c: Customer,
    tier: str,
    rule: ContactRule,
    t: Tables,
    due: dt.date,
    every: int | None,
    label: str,
    out: list[Item],
) -> None:
    """Contacts ``lead_days`` before each due date; repeats every ``every`` months."""
    # Day counts, not date sums: a due date may lie at either end of the calendar.
    lead = rule.lead_days
    nxt: dt.date | None = due
    while nxt is not None and (nxt - t.end).days <= lead:
        due = nxt
        if due < t.start:  # lapsed before the plan: as soon as the plan allows
            first, last = t.start, min(plus_days(t.start, lead), t.end)
            item = _item(c, tier, rule, t, label, due, first, last, False)
            item.notes += (_overdue(rule.id, due),)
            out.append(item)
            if every is None:
                return
            nxt = months_later(t.start, every)
            continue
        first = max(due - dt.timedelta(days=lead), t.start)
        out.append(_item(c, tier, rule, t, label, due, first, min(due, t.end), False))
        if every is None:
            return
        nxt = months_later(due, every)  # None: past 9999, after every horizon


def kyc_reviews(c: Customer, tier: str, rule: ContactRule, t: Tables, out: list[Item]) -> None:
    # An unrated file is reviewed as often as a high-risk one; a file never
    # reviewed (or missing) is due at once.
    kyc = c.kyc
    rating = (kyc.aml_rating if kyc is not None else None) or AmlRating.HIGH
    review = t.reviews[rating]
    months = review.interval_months
    reviewed = kyc.last_reviewed_on if kyc is not None else None
    due = months_later(reviewed, months) if reviewed is not None else t.start - _DAY
    if due is None:
        return  # reviewed so late that the next review falls after 9999
    before = len(out)
    _due_items(c, tier, rule, t, due, months, "KYC review", out)
    for item in out[before:]:
        item.notes += (
            Reason.of(
                ReasonCode.CADENCE_OCCASION,
                review.rule_id,
                case="kyc_review",
                months=months,
                aml_rating=str(rating),
                last_reviewed_on=reviewed,
            ),
        )


def risk_reassessments(
    c: Customer, tier: str, rule: ContactRule, t: Tables, out: list[Item]
) -> None:
    ra = c.risk_assessment
    if ra is None:
        return  # nothing lapses; the missing assessment is a KYC gap
    # Due by the day check_suitability stops honouring it, not by the record's
    # own valid_until: an imported record may carry a later one.
    months = t.playbook.risk.validity_months
    until, _ = effective_until(ra, months)
    _due_items(c, tier, rule, t, until, months, "risk re-assessment", out)


def maturities(c: Customer, tier: str, rule: ContactRule, t: Tables, out: list[Item]) -> None:
    for h in sorted(c.products_held, key=lambda h: (h.product_id, h.matures_on or dt.date.min)):
        if h.matures_on is not None and h.matures_on >= t.start:
            _due_items(c, tier, rule, t, h.matures_on, None, f"maturity {h.product_id}", out)


def _in_segment(c: Customer, camp: Campaign, on: dt.date) -> bool:
    seg = camp.segment
    if seg.needs_any and not set(seg.needs_any) & set(c.needs):
        return False
    if seg.min_age is None and seg.max_age is None:
        return True
    if c.birth_date is None:
        return False  # an age-bound campaign needs a known age
    age = age_on(c.birth_date, on)
    return (seg.min_age is None or age >= seg.min_age) and (
        seg.max_age is None or age <= seg.max_age
    )


def _campaign_item(  # noqa: PLR0917  # internal helper
    c: Customer, tier: str, camp: Campaign, first: dt.date, last: dt.date, t: Tables
) -> Item:
    return Item(
        c.key, tier, t.rank[tier], c.manager_id, camp.id, Occasion.CAMPAIGN, camp.channel,
        camp.purpose, camp.owner, camp.priority, camp.duration_minutes, camp.label, camp.offer,
        first, first, last, False,
    )  # fmt: skip
