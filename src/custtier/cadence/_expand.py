"""Date expansion: the contacts one customer's tier asks for over the horizon.

One :class:`Item` per required contact, with its window of allowed days.
Greetings have a one-day window (the day itself); other work may move to
business days inside ``[first, last]``. What a contact is apart from whom it
is for (rule, dates, window, reasons) is an occurrence shared through the
tables (``cadence._occurrence``); an item adds the customer and their notes. Nothing here reads the clock or
calls ``rrule``: recurrence and holiday dates come from the tables.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Collection, Mapping
from typing import Any, NamedTuple, cast

from custtier._dates import age_on
from custtier._explain import Reason, ReasonCode
from custtier._validity import relied_until
from custtier.cadence._calendar import LunarDay
from custtier.cadence._dates import (
    anniversary,
    lunar_anniversary_of,
    months_later,
    plus_days,
)
from custtier.cadence._occurrence import Occurrence, occurrence, shared_reason
from custtier.cadence._tables import NO_DATA, Tables
from custtier.models import Customer
from custtier.models._types import (
    AmlRating,
    CalendarKind,
    Channel,
    DateKind,
    Need,
    Purpose,
    Relation,
)
from custtier.rules import Campaign, ContactRule, KycReview, Occasion, Offer, Owner, Segment

__all__ = [
    "Item",
    "birthdays",
    "campaign_items",
    "due_dates",
    "first_due",
    "fixed",
    "fixed_occurrences",
    "greeting_dates",
    "important_dates",
    "important_label",
    "in_segment",
    "interval_dates",
    "kyc_due",
    "kyc_reviews",
    "maturities",
    "maturity_label",
    "recurring",
    "risk_reassessments",
    "rule_label",
    "stagger",
]

_DAY = dt.timedelta(days=1)


class Item(NamedTuple):
    """One required contact of one customer, before levelling.

    The contact itself (rule, dates, window, reasons) is the shared
    :class:`~custtier.cadence._occurrence.Occurrence`; the item adds whom it is
    for and the customer's own notes. ``order`` is the levelling order
    (highest tier and priority first, then date, customer key, rule id).
    The properties read the item as one record (the columnar path's tests do).
    """

    order: tuple[Any, ...]
    occ: Occurrence
    customer: Customer
    notes: tuple[Reason, ...]

    @property
    def key(self) -> str:
        return self.customer.key

    @property
    def manager_id(self) -> str | None:
        return self.customer.manager_id

    @property
    def tier(self) -> str:
        return self.occ.tier

    @property
    def rank(self) -> int:
        return self.occ.rank

    @property
    def rule_id(self) -> str:
        return self.occ.rule_id

    @property
    def occasion(self) -> Occasion:
        return self.occ.occasion

    @property
    def channel(self) -> Channel:
        return self.occ.channel

    @property
    def purpose(self) -> Purpose:
        return self.occ.purpose

    @property
    def owner(self) -> Owner:
        return self.occ.owner

    @property
    def priority(self) -> int:
        return self.occ.priority

    @property
    def duration(self) -> int:
        return self.occ.duration

    @property
    def label(self) -> str:
        return self.occ.label

    @property
    def offer(self) -> Offer | None:
        return self.occ.offer

    @property
    def due(self) -> dt.date | None:
        return self.occ.due

    @property
    def first(self) -> dt.date | None:  # first allowed day (None when blocked)
        return self.occ.first

    @property
    def last(self) -> dt.date | None:
        return self.occ.last

    @property
    def fixed(self) -> bool:  # a greeting: the day itself, never rolled
        return self.occ.fixed

    @property
    def blocked(self) -> ReasonCode | None:
        return self.occ.blocked


_new_item = tuple.__new__  # Item's own __new__ is a Python call: about 0.2 µs an item


def _add(out: list[Item], occ: Occurrence, c: Customer, notes: tuple[Reason, ...] = ()) -> None:
    out.append(_new_item(Item, ((occ.head, c.key, occ.tail), occ, c, notes)))


def campaign_items(customer: Customer, tier: str, t: Tables, out: list[Item]) -> None:
    """The campaigns of ``tier`` whose segment ``customer`` is in, appended to ``out``."""
    found = t.derived.get(("campaigns", tier))
    if found is None:
        found = t.derived.setdefault(
            ("campaigns", tier),
            tuple(
                (camp, first, _campaign_occ(tier, camp, first, last, t))
                for camp, first, last in t.campaigns[tier]
            ),
        )
    key = customer.key
    for camp, first, occ in found:
        if _in_segment(customer, camp, first):
            out.append(_new_item(Item, ((occ.head, key, occ.tail), occ, customer, ())))


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
        fixed(c, tier, rule, t, out)
    else:
        _recurring_interval(c, tier, rule, t, last_contact, out)


def _rule_occ(  # noqa: PLR0917  # internal constructor, positional for speed
    tier: str,
    rule: ContactRule,
    t: Tables,
    label: str,
    due: dt.date | None,
    first: dt.date | None,
    last: dt.date | None,
    fixed: bool,
    blocked: ReasonCode | None = None,
) -> Occurrence:
    """The shared occurrence of ``rule`` on these dates."""
    return occurrence(
        t,
        tier,
        rule.id,
        rule.occasion,
        rule.channel,
        rule.purpose,
        rule.owner,
        rule.priority,
        rule.duration_minutes,
        label,
        None,
        due,
        first,
        last,
        fixed,
        blocked,
    )


def greeting_dates(
    on: dt.date, kind: CalendarKind, t: Tables
) -> list[tuple[dt.date | None, Reason | None, int]]:
    """``(date, note, year)`` of each occurrence in the horizon; date None = no calendar data.

    The dates depend on the day and month (lunar: the lunar day, month and
    leap flag) and are listed once per tables; the original year only says
    which of them come after the event.
    """
    if kind is CalendarKind.LUNAR:
        cal = t.calendar
        if not _lunar_known(on, t):
            return [(None, None, year) for year in t.years]
        origin = cal.to_lunar(on)
        listed = t.derived.get(("lunar", origin.month, origin.day, origin.leap))
        if listed is None:
            listed = t.derived.setdefault(
                ("lunar", origin.month, origin.day, origin.leap), _lunar_dates(origin, t)
            )
        born = origin.year
        return [(day, note, year) for year, day, note, anniversary in listed
                if not anniversary or year > born]  # fmt: skip
    listed = t.derived.get(("gregorian", on.month, on.day))
    if listed is None:
        listed = t.derived.setdefault(("gregorian", on.month, on.day), _gregorian_dates(on, t))
    born = on.year
    return [(day, note, year) for year, day, note in listed if year > born]


def _lunar_known(on: dt.date, t: Tables) -> bool:
    """:func:`lunar_known`, with the calendar's first lunar day looked up once per tables."""
    years = t.calendar.lunar_years
    if on.year not in years:
        return False
    found = t.derived.get("lunar-first")
    if found is None:
        first = t.calendar.from_lunar(years.start, 1, 1, leap=False)
        found = t.derived.setdefault("lunar-first", (first,))
    first = found[0]
    return first is not None and on >= first


def _lunar_dates(
    origin: LunarDay, t: Tables
) -> list[tuple[int, dt.date | None, Reason | None, bool]]:
    """Per year: the lunar day's anniversary in the horizon (``True``) or no calendar data."""
    cad = t.playbook.cadence
    cal = t.calendar
    lunar_years = cal.lunar_years
    out: list[tuple[int, dt.date | None, Reason | None, bool]] = []
    # Lunar year Y runs from late January/February of Y into the next year.
    for year in range(t.start.year - 1, t.end.year + 1):
        if year not in lunar_years:
            if year >= t.start.year:  # report each Gregorian year once, never guess
                out.append((year, None, None, False))
            continue
        found, why = lunar_anniversary_of(
            origin, year, cal, cad.lunar_leap_month, cad.lunar_short_month
        )
        if found is not None and t.start <= found <= t.end:
            # The lunar year only: the original date is personal (a birth date).
            note = shared_reason(
                t, ReasonCode.CADENCE_LUNAR_DATE, "cadence.lunar", case=why or "exact",
                lunar_year=year,
            )  # fmt: skip
            out.append((year, found, note, True))
    return out


def _gregorian_dates(on: dt.date, t: Tables) -> list[tuple[int, dt.date, Reason | None]]:
    """Per year of the horizon: the day and month's anniversary in it, with a leap-day note."""
    cad = t.playbook.cadence
    out: list[tuple[int, dt.date, Reason | None]] = []
    for year in t.years:
        day, moved = anniversary(on, year, cad.leap_day)
        if t.start <= day <= t.end:
            note: Reason | None = (
                shared_reason(
                    t,
                    ReasonCode.CADENCE_LEAP_DAY,
                    f"cadence.leap_day.{cad.leap_day}",
                    policy=str(cad.leap_day),
                    year=year,
                )
                if moved
                else None
            )
            out.append((year, day, note))
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
            occ = _rule_occ(tier, rule, t, f"{label} {year}", None, None, None, True,
                            ReasonCode.CADENCE_NO_CALENDAR_DATA)  # fmt: skip
            _add(out, occ, c)
        else:
            _add(out, _rule_occ(tier, rule, t, label, day, day, day, True), c,
                 () if note is None else (note,))  # fmt: skip


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
        _add_greetings(c, tier, rule, t, d.on, d.calendar, important_label(d.kind, d.relation), out)


def important_label(kind: DateKind, relation: Relation) -> str:
    """An important date's contact label: kind and relation only (a free-text label may name a person)."""
    return f"{kind} ({relation})"


def _holiday_occurrences(tier: str, rule: ContactRule, t: Tables) -> tuple[Occurrence, ...]:
    """A holiday rule's contacts: the same for every customer of the tier, listed once."""
    found: tuple[Occurrence, ...] | None = t.derived.get(rule.id)
    if found is not None:
        return found
    occs: list[Occurrence] = []
    for year in t.years:
        for name in rule.holidays:
            day = t.holiday_dates[name, year]
            if day is None:
                continue
            if isinstance(day, dt.date):
                label = t.holiday_labels[name, year]
                occs.append(_rule_occ(tier, rule, t, label, day, day, day, True))
            elif day == NO_DATA:
                occs.append(_rule_occ(tier, rule, t, f"{name} {year}", None, None, None, True,
                                      ReasonCode.CADENCE_NO_CALENDAR_DATA))  # fmt: skip
    return cast("tuple[Occurrence, ...]", t.derived.setdefault(rule.id, tuple(occs)))


def rule_label(rule: ContactRule) -> str:
    """A periodic, event or RRULE contact's label: the rule's description, else its occasion."""
    return rule.description or str(rule.occasion)


def fixed_occurrences(tier: str, rule: ContactRule, t: Tables) -> tuple[Occurrence, ...]:
    """The contacts every customer of ``tier`` shares on a holiday or an RRULE rule, listed once."""
    if rule.occasion is Occasion.HOLIDAY:
        return _holiday_occurrences(tier, rule, t)
    return _rrule_occurrences(tier, rule, t)


def fixed(c: Customer, tier: str, rule: ContactRule, t: Tables, out: list[Item]) -> None:
    """A holiday or RRULE rule: the tier's shared contacts, each put on this customer."""
    key = c.key
    for occ in fixed_occurrences(tier, rule, t):
        out.append(_new_item(Item, ((occ.head, key, occ.tail), occ, c, ())))


def _window(rule: ContactRule, first: dt.date, t: Tables) -> dt.date:
    return min(plus_days(first, rule.flex_days), t.end)


def _rrule_occurrences(tier: str, rule: ContactRule, t: Tables) -> tuple[Occurrence, ...]:
    """An RRULE rule's contacts: the same for every customer of the tier, listed once."""
    found: tuple[Occurrence, ...] | None = t.derived.get(rule.id)
    if found is not None:
        return found
    occs: list[Occurrence] = []
    lead = dt.timedelta(days=rule.lead_days)
    label = rule_label(rule)
    for event in t.rrule_dates[rule.id]:
        first = event - lead
        if first < t.start:
            continue
        last = _window(rule, first, t)
        if rule.lead_days:
            last = min(last, event - _DAY)  # an invitation arrives before the event
        occs.append(_rule_occ(tier, rule, t, label, event, first, last, False))
    return cast("tuple[Occurrence, ...]", t.derived.setdefault(rule.id, tuple(occs)))


def stagger(key: str, rule_id: str, interval: int) -> int:
    """Where in its first ``interval`` days a customer's first periodic contact falls."""
    # A stable spread of first contacts over the interval (crc32 is the same
    # in every process, unlike hash()).
    return zlib.crc32(f"{key}|{rule_id}".encode()) % interval


def first_due(
    previous: dt.date | None, stagger: int, interval: int, t: Tables
) -> tuple[dt.date, dt.date | None]:
    """An interval rule's first due date, and the due date an overdue contact missed (or None).

    ``interval`` days after the last contact made (at once if that day has
    passed), else the plan's start plus the customer's ``stagger``.
    """
    if previous is None:
        return plus_days(t.start, stagger), None
    due = plus_days(previous, interval)
    if due < t.start:
        return t.start, due
    return due, None


def interval_dates(rule: ContactRule, t: Tables, due: dt.date) -> list[tuple[dt.date, dt.date]]:
    """``(due, last day of its window)`` of an interval rule's contacts from ``due`` on."""
    interval = rule.interval_days or 1
    out: list[tuple[dt.date, dt.date]] = []
    while due <= t.end:
        out.append((due, _window(rule, due, t)))
        due = plus_days(due, interval)  # stops at 9999-12-31, after every horizon
    return out


def _recurring_interval(  # noqa: PLR0917  # internal helper
    c: Customer,
    tier: str,
    rule: ContactRule,
    t: Tables,
    last_contact: Mapping[tuple[str, str], dt.date],
    out: list[Item],
) -> None:
    interval = rule.interval_days or 1
    key = c.key
    previous = last_contact.get((key, rule.id)) if last_contact else None
    spread = stagger(key, rule.id, interval) if previous is None else 0
    due, lapsed = first_due(previous, spread, interval, t)
    series = t.series.peek(("every", rule.id, due))
    if series is None:
        series = t.series.get(("every", rule.id, due), lambda: _every(tier, rule, t, due))
    notes = (_overdue(rule.id, lapsed, t),) if lapsed is not None else ()
    for occ in series:
        out.append(_new_item(Item, ((occ.head, key, occ.tail), occ, c, notes)))
        notes = ()


def _every(tier: str, rule: ContactRule, t: Tables, due: dt.date) -> tuple[Occurrence, ...]:
    """An interval rule's contacts from ``due`` on: every customer due that day has these."""
    label = rule_label(rule)
    return tuple(
        _rule_occ(tier, rule, t, label, day, day, last, False)
        for day, last in interval_dates(rule, t, due)
    )


def _overdue(rule_id: str, due: dt.date, t: Tables) -> Reason:
    return shared_reason(t, ReasonCode.CADENCE_OVERDUE, rule_id, due_on=due)


def _due_items(  # noqa: PLR0917  # internal helper
    c: Customer,
    tier: str,
    rule: ContactRule,
    t: Tables,
    due: dt.date,
    every: int | None,
    label: str,
    out: list[Item],
    note: tuple[Reason, ...] = (),
) -> None:
    """Contacts ``lead_days`` before each due date; repeats every ``every`` months.

    ``note`` goes on each of them, after an overdue contact's own.
    """
    key = (rule.id, label, due, every)
    series = t.series.peek(key)
    if series is None:
        series = t.series.get(key, lambda: _due_series(tier, rule, t, due, every, label))
    ckey = c.key
    for occ, overdue in series:
        out.append(_new_item(Item, ((occ.head, ckey, occ.tail), occ, c, overdue + note)))


def _due_series(  # noqa: PLR0917  # internal helper
    tier: str,
    rule: ContactRule,
    t: Tables,
    due: dt.date,
    every: int | None,
    label: str,
) -> tuple[tuple[Occurrence, tuple[Reason, ...]], ...]:
    """The contacts of a due date and its repeats, each with its overdue note if it lapsed."""
    return tuple(
        (
            _rule_occ(tier, rule, t, label, day, first, last, False),
            (_overdue(rule.id, day, t),) if lapsed else (),
        )
        for day, first, last, lapsed in due_dates(due, every, rule.lead_days, t)
    )


def due_dates(
    due: dt.date, every: int | None, lead: int, t: Tables
) -> list[tuple[dt.date, dt.date, dt.date, bool]]:
    """``(due, first, last, lapsed)`` of a due date and its repeats every ``every`` months.

    Each contact's window runs from ``lead`` days before its due date to the
    due date; one already lapsed at the plan's start is due as soon as the
    plan allows, and its repeats count from the start.
    """
    # Day counts, not date sums: a due date may lie at either end of the calendar.
    out: list[tuple[dt.date, dt.date, dt.date, bool]] = []
    nxt: dt.date | None = due
    while nxt is not None and (nxt - t.end).days <= lead:
        due = nxt
        if due < t.start:  # lapsed before the plan: as soon as the plan allows
            out.append((due, t.start, min(plus_days(t.start, lead), t.end), True))
            if every is None:
                break
            nxt = months_later(t.start, every)
            continue
        first = max(due - dt.timedelta(days=lead), t.start)
        out.append((due, first, min(due, t.end), False))
        if every is None:
            break
        nxt = months_later(due, every)  # None: past 9999, after every horizon
    return out


def kyc_due(
    rating: AmlRating | None, reviewed: dt.date | None, t: Tables
) -> tuple[dt.date | None, KycReview]:
    """When a KYC file falls due (None: after 9999), and the review rule that says so.

    An unrated file is reviewed as often as a high-risk one; a file never
    reviewed (or missing) is due at once.
    """
    review = t.reviews[rating or AmlRating.HIGH]
    if reviewed is None:
        return t.start - _DAY, review
    return months_later(reviewed, review.interval_months), review


def kyc_reviews(c: Customer, tier: str, rule: ContactRule, t: Tables, out: list[Item]) -> None:
    kyc = c.kyc
    rating = (kyc.aml_rating if kyc is not None else None) or AmlRating.HIGH
    reviewed = kyc.last_reviewed_on if kyc is not None else None
    due, review = kyc_due(rating, reviewed, t)
    if due is None:
        return  # reviewed so late that the next review falls after 9999
    months = review.interval_months
    note = shared_reason(
        t,
        ReasonCode.CADENCE_OCCASION,
        review.rule_id,
        case="kyc_review",
        months=months,
        aml_rating=str(rating),
        last_reviewed_on=reviewed,
    )
    _due_items(c, tier, rule, t, due, months, "KYC review", out, (note,))


def risk_reassessments(
    c: Customer, tier: str, rule: ContactRule, t: Tables, out: list[Item]
) -> None:
    ra = c.risk_assessment
    if ra is None:
        return  # nothing lapses; the missing assessment is a KYC gap
    # Due by the day check_suitability stops honouring it, not by the record's
    # own valid_until: an imported record may carry a later one.
    months = t.playbook.risk.validity_months
    until, _ = relied_until(ra.assessed_on, ra.valid_until, months)
    _due_items(c, tier, rule, t, until, months, "risk re-assessment", out)


def maturities(c: Customer, tier: str, rule: ContactRule, t: Tables, out: list[Item]) -> None:
    held = c.products_held
    if not held:
        return
    for h in sorted(held, key=lambda h: (h.product_id, h.matures_on or dt.date.min)):
        if h.matures_on is not None and h.matures_on >= t.start:
            _due_items(c, tier, rule, t, h.matures_on, None, maturity_label(h.product_id), out)


def maturity_label(product_id: str) -> str:
    """A maturity contact's label: the product, never the customer."""
    return f"maturity {product_id}"


def _in_segment(c: Customer, camp: Campaign, on: dt.date) -> bool:
    seg = camp.segment
    ages = seg.min_age is not None or seg.max_age is not None
    age = age_on(c.birth_date, on) if ages and c.birth_date is not None else None
    return in_segment(seg, c.needs, age)


def in_segment(seg: Segment, needs: Collection[Need], age: int | None) -> bool:
    """Whether a customer with these ``needs`` and ``age`` (None: unknown) is in ``seg``."""
    if seg.needs_any and not set(seg.needs_any) & set(needs):
        return False
    if seg.min_age is None and seg.max_age is None:
        return True
    if age is None:
        return False  # an age-bound campaign needs a known age
    return (seg.min_age is None or age >= seg.min_age) and (
        seg.max_age is None or age <= seg.max_age
    )


def _campaign_occ(
    tier: str, camp: Campaign, first: dt.date, last: dt.date, t: Tables
) -> Occurrence:
    return occurrence(
        t,
        tier,
        camp.id,
        Occasion.CAMPAIGN,
        camp.channel,
        camp.purpose,
        camp.owner,
        camp.priority,
        camp.duration_minutes,
        camp.label,
        camp.offer,
        first,
        first,
        last,
        False,
    )
