"""Per-playbook, per-horizon tables: built once per plan, never per customer.

Everything that needs ``rrule`` or the calendar (recurrence dates, holiday
dates, business days, ISO weeks) is computed here, so the per-customer loop
is plain integer and date arithmetic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from threading import Lock
from typing import TYPE_CHECKING, Any, Final

from custtier._cache import Memo, module_cache
from custtier._explain import PlaybookRef, Reason
from custtier.cadence._calendar import Calendar
from custtier.cadence._dates import iso_week, plus_days
from custtier.cadence._horizon import check_budget, over_budget
from custtier.models._types import AmlRating, Channel
from custtier.rules import (
    Campaign,
    ContactRule,
    FrequencyCap,
    KycReview,
    Occasion,
    Playbook,
    QuietHours,
    TierDef,
)
from custtier.rules._budget import WorkBudget, bounded_dates, horizon_limit
from custtier.rules._rrule import parse_rrule

if TYPE_CHECKING:
    from custtier.cadence._occurrence import Occurrence

__all__ = ["NO_DATA", "Tables", "tables"]

#: Marker for "the calendar has no data": a holiday of a year it does not cover.
NO_DATA: Final = "no-data"


@dataclass(frozen=True, slots=True)
class Tables:
    """What the planner precomputes for one playbook, horizon and calendar."""

    playbook: Playbook
    ref: PlaybookRef
    start: dt.date
    end: dt.date
    calendar: Calendar
    rank: dict[str, int]
    tier_defs: dict[str, TierDef]
    rules: dict[str, tuple[ContactRule, ...]]
    campaigns: dict[str, tuple[tuple[Campaign, dt.date, dt.date], ...]]
    # Rule id → the event dates of an ``rrule`` rule whose contact falls in the horizon.
    rrule_dates: dict[str, tuple[dt.date, ...]]
    # (holiday name, year) → its date, None (not in the horizon) or NO_DATA.
    holiday_dates: dict[tuple[str, int], dt.date | str | None]
    # (holiday name, year) → the calendar's name of that day, in its language.
    holiday_labels: dict[tuple[str, int], str]
    # Per day index from ``start``: business day? (None: the calendar has no data).
    business: tuple[bool | None, ...]
    # Per day index from ``start``: provisional days seen up to and including it.
    provisional_upto: tuple[int, ...]
    weeks: tuple[str, ...]
    # Per day index from ``start``: the date (levelling works on indexes).
    days: tuple[dt.date, ...]
    quiet: dict[Channel, QuietHours]
    reviews: dict[AmlRating, KycReview]
    caps: tuple[FrequencyCap, ...]
    years: range
    # Reasons and messages that repeat across customers, built once per plan.
    reasons: Memo[Reason] = field(default_factory=Memo, compare=False, repr=False)
    messages: Memo[str] = field(default_factory=Memo, compare=False, repr=False)
    # Each contact's own reasons (occasion, rolled, slipped, provisional, quiet hours) by
    # their facts: the same rule, tier, channel and days recur across a book's customers.
    contact_reasons: Memo[Reason] = field(
        default_factory=lambda: Memo(limit=CONTACT_REASONS), compare=False, repr=False
    )
    # Per (channel, purpose): the caps a contact so counts toward, (index, cap, limit) each.
    caps_for: dict[Any, list[tuple[int, FrequencyCap, int]]] = field(
        default_factory=dict, compare=False, repr=False
    )
    # Each required contact's shared part (``cadence._occurrence``) by its facts, and the
    # customer-local send times: the same rules, dates and zones recur across customers.
    occurrences: Memo[Occurrence] = field(
        default_factory=lambda: Memo(limit=OCCURRENCES), compare=False, repr=False
    )
    times: Memo[dt.datetime] = field(
        default_factory=lambda: Memo(limit=TIMES), compare=False, repr=False
    )
    # What expansion derives from the tables alone, a bounded set of keys: a rule's contacts
    # that are the same for every customer of its tier (holidays, RRULE dates) by rule id, a
    # tier's campaigns, greeting dates per day and month (lunar: lunar day and month).
    derived: dict[object, Any] = field(default_factory=dict, compare=False, repr=False)
    # A customer's run of contacts from its first due date (interval rules, reviews,
    # maturities), by rule, label and that date: shared by customers due on the same day.
    series: Memo[Any] = field(
        default_factory=lambda: Memo(limit=OCCURRENCES), compare=False, repr=False
    )

    def index(self, day: dt.date) -> int:
        """Day index from ``start``."""
        return (day - self.start).days

    def any_provisional(self, first: dt.date, last: dt.date) -> bool:
        """Whether a day of ``[first, last]`` (inside the horizon) is provisional."""
        upto = self.provisional_upto
        i, j = self.index(first), self.index(last)
        return upto[j] - (upto[i - 1] if i else 0) > 0


#: Contact reasons kept per tables (about 1.5 KB each); past it they are built, not kept.
CONTACT_REASONS = 20_000
#: Occurrences kept per tables (about 3 KB each with their reasons by day), and send times.
OCCURRENCES = 10_000
TIMES = 20_000

_CACHE: dict[tuple[int, dt.date, dt.date, int], Tables] = module_cache({}, "cadence._tables._CACHE")
_LOCK = Lock()
_MAX = 16


def tables(playbook: Playbook, start: dt.date, end: dt.date, calendar: Calendar) -> Tables:
    """The tables for this playbook, horizon and calendar, built once and cached.

    Keyed by object identity (checked, so a recycled id cannot match).
    """
    key = (id(playbook), start, end, id(calendar))
    found = _CACHE.get(key)
    if found is not None and found.playbook is playbook and found.calendar is calendar:
        return found
    built = _build(playbook, start, end, calendar)
    with _LOCK:
        if len(_CACHE) >= _MAX:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = built
    return built


def _build(playbook: Playbook, start: dt.date, end: dt.date, calendar: Calendar) -> Tables:
    cad = playbook.cadence
    rank = {t.id: i for i, t in enumerate(playbook.tiers)}
    rules: dict[str, list[ContactRule]] = {t: [] for t in rank}
    for rule in sorted(cad.contact_rules, key=lambda r: r.id):
        rules[rule.tier].append(rule)
    camps: dict[str, list[tuple[Campaign, dt.date, dt.date]]] = {t: [] for t in rank}
    for camp in sorted(cad.campaigns, key=lambda c: c.id):
        first, last = max(camp.start_on, start), min(camp.end_on, end)
        if first <= last:
            for tier in camp.segment.tiers:
                camps[tier].append((camp, first, last))
    check_budget(playbook, start, end)
    years = range(start.year, end.year + 1)
    span = (end - start).days + 1
    days = [start + dt.timedelta(days=i) for i in range(span)]
    known = {y: calendar.has_data(y) for y in years}
    business = tuple(calendar.is_business_day(d) if known[d.year] else None for d in days)
    upto, seen = [], 0
    for d, ok in zip(days, business, strict=True):
        seen += ok is not None and calendar.is_provisional(d)
        upto.append(seen)
    dates, labels = _holiday_dates(cad.contact_rules, calendar, start, end)
    return Tables(
        playbook=playbook,
        ref=playbook.ref,
        start=start,
        end=end,
        calendar=calendar,
        rank=rank,
        tier_defs={t.id: t for t in playbook.tiers},
        rules={t: tuple(rs) for t, rs in rules.items()},
        campaigns={t: tuple(cs) for t, cs in camps.items()},
        rrule_dates=_rrule_dates(cad.contact_rules, start, end, cad.budget),
        holiday_dates=dates,
        holiday_labels=labels,
        business=business,
        provisional_upto=tuple(upto),
        weeks=tuple(iso_week(d) for d in days),
        days=tuple(days),
        quiet={ch: q for q in cad.quiet_hours for ch in q.channels},
        reviews={r.aml_rating: r for r in cad.kyc_reviews},
        caps=tuple(cad.caps),
        years=years,
    )


def _rrule_dates(
    rules: tuple[ContactRule, ...], start: dt.date, end: dt.date, budget: WorkBudget
) -> dict[str, tuple[dt.date, ...]]:
    out: dict[str, tuple[dt.date, ...]] = {}
    limit = horizon_limit(budget, start, end)
    for rule in rules:
        if rule.rrule is None or rule.anchor is None:
            continue
        anchor = dt.datetime.combine(rule.anchor, dt.time())
        # Always the rule's own anchor as DTSTART: never the wall clock.
        recurrence = parse_rrule(rule.rrule, anchor)
        lo = dt.datetime.combine(plus_days(start, rule.lead_days), dt.time())
        hi = dt.datetime.combine(plus_days(end, rule.lead_days), dt.time())
        # At most the budget's dates, then stop: every customer of the tier gets
        # each date, so the dates bound the plan's size before anything else.
        dates = tuple(d.date() for d in bounded_dates(recurrence, lo, hi, limit))
        if len(dates) > limit:
            raise over_budget(rule.id, limit)
        out[rule.id] = dates
    return out


def _holiday_dates(
    rules: tuple[ContactRule, ...], calendar: Calendar, start: dt.date, end: dt.date
) -> tuple[dict[tuple[str, int], dt.date | str | None], dict[tuple[str, int], str]]:
    """Each greeted holiday's date per year of the horizon, and its name in the calendar's language.

    Asked of every year, whether or not its business days are known: a
    festival's date is fixed by the calendar, not by the year's arrangement.
    Matched on the calendar's language-independent keys (the first day whose
    key contains the rule's name: Golden Weeks span days), so the caller's
    language changes the label, never the date.
    """
    names = sorted({n for r in rules if r.occasion is Occasion.HOLIDAY for n in r.holidays})
    dates: dict[tuple[str, int], dt.date | str | None] = {}
    labels: dict[tuple[str, int], str] = {}
    if not names:
        return dates, labels
    for year in range(start.year, end.year + 1):
        keys = sorted(calendar.holiday_keys(year).items())
        shown = calendar.holidays(year)
        for name in names:
            needle = name.casefold()
            found = next(((d, k) for d, k in keys if needle in k.casefold()), None)
            if found is None:
                dates[name, year] = NO_DATA  # the calendar does not know this holiday
                continue
            day, key = found
            dates[name, year] = day if start <= day <= end else None
            labels[name, year] = _label(name, key, shown.get(day, key))
    return dates, labels


def _label(name: str, key: str, shown: str) -> str:
    """The rule's holiday as the calendar names it in its language.

    In the keys' own language the rule's name stands (the bank's wording).
    Otherwise: the ``holidays`` package joins two holidays of one day with
    ``"; "`` in the same order in every language ("Mid-Autumn Festival;
    National Day", "中秋节; 国庆节"), so the part of the key that matched
    picks the part shown.
    """
    if shown == key:
        return name
    keys, parts = key.split("; "), shown.split("; ")
    needle = name.casefold()
    if len(keys) == len(parts):
        for k, part in zip(keys, parts, strict=True):
            if needle in k.casefold():
                return part
    return shown
