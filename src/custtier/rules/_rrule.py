"""RRULE text checked before dateutil reads it: RFC 5545 ranges, named by part, never echoed.

dateutil parses out-of-range parts (``BYMONTH=13``) without complaint and
then iterates to year 9999 finding nothing, and quotes the rejected value in
its errors. custtier checks each part's range itself (RFC 5545 §3.3.10) and
says which part is wrong, not what it held: a playbook may come from another
system, and its text is not custtier's to repeat.
"""

from __future__ import annotations

import datetime as dt
import re

from dateutil.rrule import rrule, rrulestr

__all__ = ["FREQUENCIES", "parse_rrule"]

#: RFC 5545 frequencies, coarsest first.
FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY")

_WEEKDAYS = frozenset({"MO", "TU", "WE", "TH", "FR", "SA", "SU"})

# Part → (lowest, highest) magnitude of each listed number; signed parts may be negative.
_RANGES: dict[str, tuple[int, int, bool]] = {
    "BYSECOND": (0, 60, False),
    "BYMINUTE": (0, 59, False),
    "BYHOUR": (0, 23, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYMONTH": (1, 12, False),
    "BYSETPOS": (1, 366, True),
    "INTERVAL": (1, 10_000, False),
    "COUNT": (1, 100_000, False),
}
_PARTS = frozenset({*_RANGES, "FREQ", "UNTIL", "BYDAY", "BYWEEKDAY", "WKST"})
_MAX_LIST = 366
_UNTIL = re.compile(
    r"[0-9]{8}(T[0-9]{6}Z?)?", re.ASCII
)  # no BY part needs more members than the days of a year


def parse_rrule(text: str, start: dt.datetime) -> rrule:
    """``text`` (no ``RRULE:`` prefix, no DTSTART) as a dateutil rrule starting at ``start``.

    >>> parse_rrule("FREQ=MONTHLY;BYMONTH=13", dt.datetime(2026, 1, 1))
    Traceback (most recent call last):
    ...
    ValueError: rrule is not a valid RFC 5545 RRULE: part BYMONTH is out of range (1 to 12)
    """
    seen: set[str] = set()
    for piece in text.split(";"):
        name, sep, value = piece.partition("=")
        name = name.strip().upper()
        if not sep or name not in _PARTS:
            raise _bad("has a part that is not NAME=VALUE with an RFC 5545 name")
        if name in seen:
            raise _bad(f"gives {name} twice")
        seen.add(name)
        if name == "FREQ" and value.strip().upper() not in FREQUENCIES:
            raise _bad(f"FREQ must be one of {', '.join(FREQUENCIES)}")
        if name == "UNTIL" and not _UNTIL.fullmatch(value.strip()):
            # dateutil reads UNTIL with its fuzzy date parser ("330901" is a date to it).
            raise _bad("UNTIL must be a date YYYYMMDD or a date-time YYYYMMDDTHHMMSS")
        if name in _RANGES:
            _check_numbers(name, value)
        elif name in {"BYDAY", "BYWEEKDAY"} and len(value.split(",")) > _MAX_LIST:
            raise _bad(f"part {name} lists too many days")
    if "FREQ" not in seen:
        raise _bad("needs a FREQ")
    try:
        parsed = rrulestr(text, dtstart=start)
    # dateutil raises what its parser meets (ValueError, OverflowError ...):
    # all mean the same, and its messages quote the value, so none is kept.
    except Exception:
        parsed = None
    if not isinstance(parsed, rrule):
        part = next((p for p in ("UNTIL", "BYDAY", "BYWEEKDAY", "WKST") if p in seen), None)
        where = f" (check {part})" if part else ""
        raise _bad(f"dateutil cannot read it{where}")
    return parsed


def _bad(detail: str) -> ValueError:
    return ValueError(f"rrule is not a valid RFC 5545 RRULE: {detail}")


def _check_numbers(name: str, value: str) -> None:
    lo, hi, signed = _RANGES[name]
    members = value.split(",")
    if len(members) > _MAX_LIST:
        raise _bad(f"part {name} lists too many values")
    for member in members:
        text = member.strip()
        digits = text[1:] if signed and text[:1] in {"+", "-"} else text
        if not (digits.isascii() and digits.isdigit() and len(digits) <= 6):
            raise _bad(f"part {name} must hold whole numbers")
        if not lo <= int(digits) <= hi:
            raise _bad(f"part {name} is out of range ({lo} to {hi})")
