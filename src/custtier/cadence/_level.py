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
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from custtier._explain import ReasonCode
from custtier.cadence._expand import Item
from custtier.cadence._tables import Tables
from custtier.models import ContactRecord, RelationshipManager
from custtier.rules import FrequencyCap, Owner

__all__ = ["Leveller", "Placement", "cap_allows", "counts_toward", "zone"]

_MINUTES_PER_HOUR = 60


class Placement(NamedTuple):  # one per contact placed: a tuple is the cheapest to make
    """Where a contact went: its day, time, and how far it moved."""

    on: dt.date
    at: dt.datetime | None
    business_first: dt.date  # the first business day of its window
    quiet_rule: str | None


@lru_cache(maxsize=1024)
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
        self.counted: dict[tuple[str, int], list[int]] = {}
        for record in history:
            if record.customer_key not in keys:
                continue
            for ci, cap in enumerate(self.caps):
                if counts_toward(cap, record.channel, record.purpose):
                    self.counted.setdefault((record.customer_key, ci), []).append(
                        record.on.toordinal()
                    )
        for dates in self.counted.values():
            dates.sort()
        self.week_left: dict[tuple[str, str], int] = {}
        # The caps a contact counts toward, per (channel, purpose): read once, not per item.
        self.caps_for: dict[tuple[object, object], list[tuple[int, FrequencyCap]]] = {}
        self.day_used: dict[tuple[str, dt.date], int] = {}

    def capacity(self, manager_id: str) -> int | None:
        """Weekly minutes of a manager, ``None`` when planning without managers."""
        manager = self.managers.get(manager_id)
        if manager is None:
            return None
        return int(manager.capacity_hours_per_week * _MINUTES_PER_HOUR)

    def place(self, item: Item, tz: str) -> Placement | tuple[ReasonCode, str]:  # noqa: PLR0912  # one pass over the days
        """Book ``item`` on its first feasible day, or return ``(code, rule id)`` why not."""
        t = self.t
        manager_id = item.manager_id if item.owner is Owner.MANAGER else None
        if item.owner is Owner.MANAGER and (
            manager_id is None or (self.managers and manager_id not in self.managers)
        ):
            return ReasonCode.CADENCE_NO_MANAGER, item.rule_id
        assert item.first is not None  # blocked items never get here
        assert item.last is not None
        quiet = t.quiet.get(item.channel)
        caps = self._caps(item)
        first_business: dt.date | None = None
        no_data = capped = full = False
        capped_by = item.rule_id
        for day in self._days(item):
            if day is None:
                no_data = True
                continue
            if first_business is None:
                first_business = day
            ordinal = day.toordinal()
            blocking = self._blocking(item.key, caps, ordinal) if caps else None
            if blocking is not None:
                capped, capped_by = True, blocking.rule_id
                continue
            at: dt.datetime | None = None
            left, week = 0, ""
            if manager_id is not None:
                week = t.weeks[t.index(day)]
                known = self.week_left.get((manager_id, week))
                if known is None:
                    cap_minutes = self.capacity(manager_id)
                    known = cap_minutes if cap_minutes is not None else 1 << 30
                left = known
                if item.duration > left:
                    full = True
                    continue
            if quiet is not None:
                offset = self.day_used.get((manager_id, day), 0) if manager_id else 0
                begin = quiet.send_at.hour * 60 + quiet.send_at.minute + offset
                if begin + item.duration > quiet.latest.hour * 60 + quiet.latest.minute:
                    full = True
                    continue
                at = dt.datetime.combine(day, dt.time(begin // 60, begin % 60), tzinfo=zone(tz))
                if manager_id:
                    self.day_used[manager_id, day] = offset + item.duration
            if manager_id is not None:
                self.week_left[manager_id, week] = left - item.duration
            for ci, _ in caps:
                bisect.insort(self.counted.setdefault((item.key, ci), []), ordinal)
            return Placement(day, at, first_business, quiet.rule_id if quiet else None)
        if first_business is None:
            code = (
                ReasonCode.CADENCE_NO_CALENDAR_DATA if no_data else ReasonCode.CADENCE_NO_VALID_DAY
            )
            return code, item.rule_id
        if full:
            return ReasonCode.CADENCE_CAPACITY, item.rule_id
        assert capped
        return ReasonCode.CADENCE_CAPPED, capped_by

    def _blocking(
        self, key: str, caps: list[tuple[int, FrequencyCap]], ordinal: int
    ) -> FrequencyCap | None:
        """The first cap one more contact of ``key`` on day ``ordinal`` would break."""
        for ci, cap in caps:
            if not cap_allows(self.counted.get((key, ci), []), ordinal, cap):
                return cap
        return None

    def _caps(self, item: Item) -> list[tuple[int, FrequencyCap]]:
        """The caps (with their index) a contact on the item's channel and purpose counts toward."""
        caps = self.caps_for.get((item.channel, item.purpose))
        if caps is None:
            caps = [
                (ci, cap)
                for ci, cap in enumerate(self.caps)
                if counts_toward(cap, item.channel, item.purpose)
            ]
            self.caps_for[item.channel, item.purpose] = caps
        return caps

    def _days(self, item: Item) -> Iterable[dt.date | None]:
        """Allowed days in order; ``None`` for a day whose year the calendar lacks."""
        assert item.first is not None
        assert item.last is not None
        if item.fixed:
            yield item.first
            return
        t = self.t
        business = t.business
        for i in range(t.index(item.first), t.index(item.last) + 1):
            ok = business[i]
            if ok is None:
                yield None
            elif ok:
                yield t.start + dt.timedelta(days=i)


def counts_toward(cap: FrequencyCap, channel: object, purpose: object) -> bool:
    """Whether a contact on ``channel`` for ``purpose`` counts toward ``cap``."""
    return (cap.channel is None or cap.channel == channel) and (
        cap.purpose is None or cap.purpose == purpose
    )
