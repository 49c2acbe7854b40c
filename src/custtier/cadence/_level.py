"""Levelling: place each required contact on an allowed day, or say why it cannot be.

Contacts are placed one at a time, highest tier and priority first (ties by
date, customer key, rule id), each on the first allowed day of its window
where every frequency cap still holds over its rolling window (history
included), the manager's ISO week has the minutes, and — for calls and
messages under quiet hours — the day's allowed hours have room.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import NamedTuple
from zoneinfo import ZoneInfo

from custtier._cache import cached
from custtier._explain import ReasonCode
from custtier.cadence._occurrence import Occurrence
from custtier.cadence._tables import Tables
from custtier.models import ContactRecord, Customer, RelationshipManager
from custtier.rules import FrequencyCap

__all__ = ["Leveller", "Placement", "cap_allows", "counts_toward", "zone"]

_MINUTES_PER_HOUR = 60


class Placement(NamedTuple):  # one per contact placed: a tuple is the cheapest to make
    """Where a contact went: its day (index from the plan's start), time, and minute of the day.

    ``minute`` is -1 when the channel has no quiet hours (``at`` is then None).
    The first business day of its window is the occurrence's ``business_first``.
    """

    day: int
    at: dt.datetime | None
    minute: int


_placement = tuple.__new__  # Placement's own __new__ is a Python call
_NONE: list[int] = []  # no contact counted yet (read only)


@cached(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    """The IANA zone (cached; raises ``ZoneInfoNotFoundError`` for an unknown name)."""
    return ZoneInfo(name)


def cap_allows(dates: list[int], day: int, cap: FrequencyCap) -> bool:
    """Whether one more contact on ``day`` keeps every ``window_days`` window within the cap.

    ``dates`` are the sorted day ordinals already counted (history and plan).

    >>> from custtier.rules import FrequencyCap
    >>> cap = FrequencyCap(rule_id="c", max_contacts=2, window_days=30)
    >>> cap_allows([100, 110], 125, cap), cap_allows([100, 110], 130, cap)
    (False, True)
    """
    width, limit = cap.window_days, cap.max_contacts
    lo = bisect.bisect_left(dates, day - width + 1)
    hi = bisect.bisect_right(dates, day + width - 1)
    if hi - lo < limit:
        return True
    if limit == 0:
        return False
    for first in range(day - width + 1, day + 1):
        inside = bisect.bisect_right(dates, first + width - 1, lo, hi) - bisect.bisect_left(
            dates, first, lo, hi
        )
        if inside >= limit:
            return False
    return True


class Leveller:
    """The mutable booking state of one planning run."""

    def __init__(
        self,
        t: Tables,
        managers: Mapping[str, RelationshipManager],
        history: Iterable[ContactRecord],
        keys: set[str],
    ) -> None:
        self.t = t
        self.managers = managers
        self.caps = t.caps
        # Per customer, per cap (by index): the sorted day ordinals counted so far.
        self.counted: dict[str, list[list[int]]] = {}
        for record in history:
            if record.customer_key not in keys:
                continue
            for ci, cap in enumerate(self.caps):
                if counts_toward(cap, record.channel, record.purpose):
                    self._counted(record.customer_key)[ci].append(record.on.toordinal())
        for lists in self.counted.values():
            for dates in lists:
                dates.sort()
        self.week_left: dict[tuple[str, str], int] = {}
        # The caps a contact counts toward, per (channel, purpose): read once per tables.
        self.caps_for = t.caps_for
        self.day_used: dict[tuple[str, int], int] = {}
        self.ordinal0 = t.start.toordinal()
        # (day index, minute, zone) -> the customer-local send time, if built before.
        self.time_at = t.times.peek

    def capacity(self, manager_id: str) -> int | None:
        """Weekly minutes of a manager, ``None`` when planning without managers."""
        manager = self.managers.get(manager_id)
        if manager is None:
            return None
        return int(manager.capacity_hours_per_week * _MINUTES_PER_HOUR)

    def place(  # noqa: PLR0912, PLR0915  # one pass over the candidate days
        self, occ: Occurrence, customer: Customer
    ) -> Placement | tuple[ReasonCode, str]:
        """Book ``occ`` for ``customer`` on its first feasible day, or ``(code, rule id)`` why not."""
        manager_id = None
        if occ.manager_owned:
            manager_id = customer.manager_id
            if manager_id is None or (self.managers and manager_id not in self.managers):
                return ReasonCode.CADENCE_NO_MANAGER, occ.rule_id
        candidates = occ.candidates
        if not candidates:
            if occ.no_data:
                return ReasonCode.CADENCE_NO_CALENDAR_DATA, occ.rule_id
            return ReasonCode.CADENCE_NO_VALID_DAY, occ.rule_id
        t = self.t
        caps = self.caps_for.get(occ.consent)
        if caps is None:
            caps = self._caps(occ)
        quiet = occ.quiet
        duration = occ.duration
        key = customer.key
        # No contact counted yet: no cap with a limit above zero can bind.
        mine = self.counted.get(key)
        capped = full = False
        capped_by = occ.rule_id
        left, week = 0, ""
        for j in candidates:
            if caps:
                # A cap binds only once the contacts already counted reach its limit.
                ordinal = self.ordinal0 + j
                blocking = None
                for ci, cap, limit in caps:
                    dates = mine[ci] if mine is not None else _NONE
                    if len(dates) >= limit and not cap_allows(dates, ordinal, cap):
                        blocking = cap
                        break
                if blocking is not None:
                    capped, capped_by = True, blocking.rule_id
                    continue
            if manager_id is not None:
                week = t.weeks[j]
                known = self.week_left.get((manager_id, week))
                if known is None:
                    cap_minutes = self.capacity(manager_id)
                    known = cap_minutes if cap_minutes is not None else 1 << 30
                left = known
                if duration > left:
                    full = True
                    continue
            at: dt.datetime | None = None
            begin = -1
            if quiet is not None:
                offset = self.day_used.get((manager_id, j), 0) if manager_id else 0
                begin = quiet[0] + offset
                if begin + duration > quiet[1]:
                    full = True
                    continue
                at = self.time_at((j, begin, customer.time_zone))
                if at is None:
                    at = self._at(j, begin, customer.time_zone)
                if manager_id:
                    self.day_used[manager_id, j] = offset + duration
            if manager_id is not None:
                self.week_left[manager_id, week] = left - duration
            if caps:
                if mine is None:
                    mine = self._counted(key)
                for ci, _, _ in caps:
                    bisect.insort(mine[ci], self.ordinal0 + j)
            return _placement(Placement, (j, at, begin))
        if full:
            return ReasonCode.CADENCE_CAPACITY, occ.rule_id
        assert capped
        return ReasonCode.CADENCE_CAPPED, capped_by

    def _counted(self, key: str) -> list[list[int]]:
        """The day lists of ``key``, one per cap, made on first use."""
        lists = self.counted.get(key)
        if lists is None:
            lists = self.counted[key] = [[] for _ in self.caps]
        return lists

    def _at(self, j: int, minute: int, tz: str) -> dt.datetime:
        """Day ``j`` at ``minute`` in zone ``tz`` (shared: the same times recur)."""
        day = self.t.days[j]
        return self.t.times.get(
            (j, minute, tz),
            lambda: dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=zone(tz)),
        )

    def _caps(self, occ: Occurrence) -> list[tuple[int, FrequencyCap, int]]:
        """The caps (index, cap, limit) a contact on the occurrence's channel and purpose counts toward."""
        caps = [
            (ci, cap, cap.max_contacts)
            for ci, cap in enumerate(self.caps)
            if counts_toward(cap, occ.channel, occ.purpose)
        ]
        self.caps_for[occ.consent] = caps
        return caps


def counts_toward(cap: FrequencyCap, channel: object, purpose: object) -> bool:
    """Whether a contact on ``channel`` for ``purpose`` counts toward ``cap``."""
    return (cap.channel is None or cap.channel == channel) and (
        cap.purpose is None or cap.purpose == purpose
    )
