"""A plan as RFC 5545 iCalendar text, for any standard calendar client.

CRLF line ends, lines folded at 75 octets (never inside a UTF-8 character),
TEXT values escaped, and never a control character: a line break in a label
(CR, LF, CRLF, NEL, U+2028, U+2029) is written as the TEXT escape ``\\n``,
any other control character (TEXT allows none but the tab, RFC 5545
§3.3.11) and an unpaired surrogate as U+FFFD (:func:`calendar_text`). UIDs
are derived from the playbook hash and the contact (unique within a plan,
RFC 5545 §3.8.4.7), and DTSTAMP from the plan's start date, so the same plan
gives the same bytes.
Events carry the pseudonymous customer key and the rules' reasons, nothing
personal; an event placed by a provisional business day is ``STATUS:TENTATIVE``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from custtier._explain import ReasonCode
from custtier.cadence._models import ContactPlan, Touchpoint
from custtier.errors import InputError

__all__ = ["calendar_text", "plan_to_ical", "uids"]

_LIMIT = 75  # octets per line, CRLF excluded (RFC 5545 §3.1)


def plan_to_ical(plan: ContactPlan, *, manager_id: str | None = None) -> str:
    """The plan (or one manager's touchpoints) as a VCALENDAR with one VEVENT per touchpoint.

    >>> import datetime as dt
    >>> from custtier import Customer, presets, plan_contacts
    >>> plan = plan_contacts([], presets.PRACTICE, start=dt.date(2026, 3, 1),
    ...                      end=dt.date(2026, 3, 31), tiers={})
    >>> plan_to_ical(plan).splitlines()[:3]
    ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//custtier//contact plan//EN']
    """
    if not isinstance(plan, ContactPlan):
        raise InputError("plan must be a ContactPlan (from plan_contacts)", field="plan")
    if manager_id is not None and not isinstance(manager_id, str):
        raise InputError("manager_id must be text or None", field="manager_id")
    stamp = _utc(dt.datetime.combine(plan.start, dt.time(), tzinfo=dt.UTC))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//custtier//contact plan//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_text(_calendar_name(plan, manager_id))}",
    ]
    # UIDs over the whole plan, so one manager's export keeps the plan's UIDs.
    for tp, event_uid in zip(plan.touchpoints, uids(plan), strict=True):
        if manager_id is None or tp.manager_id == manager_id:
            lines += _event(tp, event_uid, stamp)
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _calendar_name(plan: ContactPlan, manager_id: str | None) -> str:
    who = f" for {manager_id}" if manager_id else ""
    return f"Contact plan{who} {plan.start.isoformat()} to {plan.end.isoformat()}"


def uids(plan: ContactPlan) -> list[str]:
    """One UID per touchpoint, in plan order: unique within the plan and stable across runs.

    The same contact under the same rules gets the same UID. Contacts alike in
    every part the UID reads (twins' birthdays as two important dates of one
    customer, two holdings of one product maturing on one day) are told apart
    by their occurrence in plan order, which the plan fixes.
    """
    seen: dict[str, int] = {}
    out = []
    for tp in plan.touchpoints:
        due = tp.due_on.isoformat() if tp.due_on else ""
        parts = [plan.playbook.content_hash, tp.customer_key, tp.rule_id, tp.label, due]
        parts.append(tp.on.isoformat())
        base = "|".join(parts)
        n = seen.get(base, 0)
        seen[base] = n + 1
        if n:  # the first keeps the UID earlier releases gave it
            base = f"{base}|{n}"
        # surrogatepass: the same digest for any text, an unpaired surrogate included
        digest = hashlib.sha256(base.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        out.append(f"{digest}@custtier")
    return out


def _event(tp: Touchpoint, event_uid: str, stamp: str) -> list[str]:
    summary = f"{tp.label} - {tp.channel.value} - {tp.customer_key}"
    description = "\n".join(r.render() for r in tp.reasons)
    lines = ["BEGIN:VEVENT", f"UID:{event_uid}", f"DTSTAMP:{stamp}"]
    if tp.at is not None:
        lines.append(f"DTSTART:{_utc(tp.at)}")
        lines.append(f"DURATION:PT{max(tp.duration_minutes, 1)}M")
    else:
        lines.append(f"DTSTART;VALUE=DATE:{tp.on.strftime('%Y%m%d')}")
        end = tp.on + dt.timedelta(days=1)
        lines.append(f"DTEND;VALUE=DATE:{end.strftime('%Y%m%d')}")
    lines += [
        f"SUMMARY:{_text(summary)}",
        f"DESCRIPTION:{_text(description)}",
        f"CATEGORIES:{_text(tp.occasion.value)},{_text(tp.channel.value)}",
        f"PRIORITY:{tp.priority}",
        "TRANSP:TRANSPARENT" if tp.duration_minutes == 0 else "TRANSP:OPAQUE",
        *_status(tp),
        f"X-CUSTTIER-CUSTOMER:{_text(tp.customer_key)}",
        f"X-CUSTTIER-RULE:{_text(tp.rule_id)}",
        "END:VEVENT",
    ]
    return lines


def _status(tp: Touchpoint) -> list[str]:
    # A day an unpublished holiday arrangement may move: tentative (RFC 5545 §3.8.1.11).
    if any(r.code is ReasonCode.CADENCE_PROVISIONAL for r in tp.reasons):
        return ["STATUS:TENTATIVE"]
    return []


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


#: Line breaks as Unicode has them; each becomes one line break of the text.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
#: What TEXT may not hold (CONTROL, RFC 5545 §3.3.11: all C0 but the tab, and
#: DEL), the C1 controls, and unpaired surrogates (no UTF-8 spelling).
_UNWRITABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def calendar_text(value: str) -> str:
    """The text an .ics file carries for ``value``: what a calendar client shows.

    Line breaks of every kind become ``"\\n"``; other control characters,
    which RFC 5545 TEXT may not hold, become U+FFFD (never dropped silently).
    A playbook's labels hold none (they are refused when it loads), but a plan
    read back from JSON, a custom calendar's holiday names or a manager id may.

    >>> calendar_text("Year-end review\\r\\nQ4\\x07\\u2028done")
    'Year-end review\\nQ4\ufffd\\ndone'
    """
    return _UNWRITABLE.sub("\ufffd", _LINE_BREAK.sub("\n", value))


def _text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11) holding :func:`calendar_text` of ``value``."""
    return (
        calendar_text(value)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Fold a content line at 75 octets; continuation lines start with one space."""
    data = line.encode("utf-8")
    if len(data) <= _LIMIT:
        return line
    out: list[str] = []
    chunk = ""
    size = 0
    limit = _LIMIT
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            out.append(chunk)
            chunk, size, limit = "", 0, _LIMIT - 1  # the leading space takes one octet
        chunk += ch
        size += width
    out.append(chunk)
    return "\r\n ".join(out)
