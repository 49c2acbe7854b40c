"""A worklist's dated items as RFC 5545 iCalendar text: each item on the day it is listed.

The same conventions as the contact plan's export (CRLF, folding at 75
octets, escaped TEXT, UIDs from the playbook hash and the item, DTSTAMP from
the worklist's day): the same worklist gives the same bytes. Items carried
over past the horizon have no day and are not exported.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from custtier.cadence._ical import _fold, _text, _utc
from custtier.worklist._models import WorkItem, Worklist

__all__ = ["worklist_to_ical"]


def worklist_to_ical(w: Worklist) -> str:
    """The items listed on a day, one VEVENT each (timed when the plan gave a time).

    >>> import datetime as dt
    >>> from custtier import Customer, RelationshipManager, presets, worklist
    >>> rm = RelationshipManager(id="RM-1", capacity_hours_per_week="30")
    >>> c = Customer(key="C1", manager_id="RM-1", contact={"consents": [{"channel": "phone"}]})
    >>> text = worklist_to_ical(worklist(rm, [c], presets.PRACTICE, on=dt.date(2026, 11, 30)))
    >>> [line for line in text.splitlines() if line.startswith(("DTSTART", "SUMMARY"))]
    ['DTSTART;VALUE=DATE:20261130', 'SUMMARY:#1 complete the KYC file - phone - C1']
    """
    stamp = _utc(dt.datetime.combine(w.on, dt.time(), tzinfo=dt.UTC))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//custtier//worklist//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_text(f'Worklist for {w.manager_id} {w.on} to {w.end}')}",
    ]
    seen: dict[str, int] = {}
    for day in w.days:
        for item in day.items:
            base = "|".join(
                [
                    w.playbook.content_hash,
                    w.manager_id,
                    item.customer_key,
                    item.kind.value,
                    item.rule_id,
                    item.label,
                    str(item.due_on or ""),
                    item.available_on.isoformat(),
                ]
            )
            n = seen.get(base, 0)
            seen[base] = n + 1
            text = f"{base}|{n}".encode("utf-8", "surrogatepass")  # as the plan's UIDs
            digest = hashlib.sha256(text).hexdigest()[:32]
            lines += _event(item, day.on, f"{digest}@custtier", stamp)
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _event(item: WorkItem, on: dt.date, uid: str, stamp: str) -> list[str]:
    channel = item.channel.value if item.channel is not None else "no channel"
    summary = f"#{item.position} {item.label} - {channel} - {item.customer_key}"
    lines = ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}"]
    if item.at is not None:
        lines.append(f"DTSTART:{_utc(item.at)}")
        lines.append(f"DURATION:PT{max(item.minutes, 1)}M")
    else:
        lines.append(f"DTSTART;VALUE=DATE:{on.strftime('%Y%m%d')}")
        lines.append(f"DTEND;VALUE=DATE:{(on + dt.timedelta(days=1)).strftime('%Y%m%d')}")
    lines += [
        f"SUMMARY:{_text(summary)}",
        f"DESCRIPTION:{_text(chr(10).join(r.render() for r in item.reasons))}",
        f"CATEGORIES:{_text(item.kind.value)}",
        f"PRIORITY:{min(item.priority, 9)}",
        f"X-CUSTTIER-CUSTOMER:{_text(item.customer_key)}",
        f"X-CUSTTIER-RULE:{_text(item.rule_id)}",
        "END:VEVENT",
    ]
    return lines
