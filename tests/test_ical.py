"""A contact plan as RFC 5545 iCalendar, exactly: the bytes a bank's calendar server stores.

A calendar client updates an event by its UID and a bank diffs exports between runs,
so the same plan must give the same bytes on every machine and in every release.
Text escaping (RFC 5545 §3.3.11) and line folding at 75 octets (§3.1) are checked by
parsing the export back with the ``icalendar`` package.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import strategies as cst
from custtier import (
    ContactPlan,
    Customer,
    Playbook,
    ReasonCode,
    RelationshipManager,
    WeekendCalendar,
    plan_contacts,
    plan_to_ical,
    presets,
    worklist,
    worklist_to_ical,
)
from custtier._explain import PlaybookRef, Reason
from custtier.cadence._ical import _fold, calendar_text
from custtier.cadence._models import Touchpoint
from custtier.errors import InputError
from custtier.models import Channel, Purpose
from custtier.rules import Occasion, Owner

SHANGHAI = ZoneInfo("Asia/Shanghai")
START, END = dt.date(2026, 6, 1), dt.date(2026, 6, 30)


def _reason(code: ReasonCode, rule_id: str, message: str) -> Reason:
    return Reason(code=code, rule_id=rule_id, message=message)


def _touchpoint(**kw: object) -> Touchpoint:
    fields: dict[str, object] = {
        "customer_key": "C1", "tier": "high_end", "rule_id": "high_end.birthday",
        "occasion": Occasion.BIRTHDAY, "channel": Channel.PHONE, "purpose": Purpose.SERVICE,
        "owner": Owner.MANAGER, "manager_id": "RM-1", "on": dt.date(2026, 6, 14), "at": None,
        "due_on": dt.date(2026, 6, 14), "priority": 2, "duration_minutes": 10,
        "label": "birthday", "offer": None, "kyc_items": (), "reasons": (),
    }  # fmt: skip
    fields.update(kw)
    return Touchpoint.model_validate(fields)


def _plan(*touchpoints: Touchpoint) -> ContactPlan:
    return ContactPlan(
        playbook=PlaybookRef(id="practice", version="1", content_hash="ab" * 32),
        start=START, end=END, calendar="holidays:CN", required=len(touchpoints),
        touchpoints=touchpoints, unscheduled=(), load=(), errors=(),
    )  # fmt: skip


#: A KYC call at 10:00 in Shanghai, an SMS birthday greeting the marketing system sends,
#: twins' birthdays (two important dates alike in every part), and a review on a day an
#: unpublished holiday arrangement may still move.
JUNE = _plan(
    _touchpoint(
        rule_id="high_end.kyc", occasion=Occasion.KYC_REFRESH, purpose=Purpose.REGULATORY,
        label="KYC review", on=dt.date(2026, 6, 1), at=dt.datetime(2026, 6, 1, 10, tzinfo=SHANGHAI),
        due_on=dt.date(2026, 5, 31), priority=1, duration_minutes=20,
        reasons=(
            _reason(ReasonCode.CADENCE_OVERDUE, "high_end.kyc", "already due before the plan starts"),
            _reason(ReasonCode.CADENCE_QUIET_HOURS, "quiet.calls",
                    "timed inside the allowed hours, customer-local"),
        ),
    ),
    _touchpoint(
        channel=Channel.SMS, owner=Owner.MARKETING_SYSTEM, manager_id=None, duration_minutes=0,
        reasons=(_reason(ReasonCode.CADENCE_OCCASION, "high_end.birthday", "birthday greeting"),),
    ),
    *[
        _touchpoint(
            customer_key="C2", rule_id="high_end.important_date",
            occasion=Occasion.IMPORTANT_DATE, label="birthday (child)", channel=Channel.SMS,
            on=dt.date(2026, 6, 20), due_on=dt.date(2026, 6, 20),
            at=dt.datetime(2026, 6, 20, 9, 30, tzinfo=SHANGHAI), duration_minutes=0,
        )
        for _twin in range(2)
    ],
    _touchpoint(
        customer_key="C3", tier="mass", rule_id="mass.review", occasion=Occasion.PERIODIC,
        manager_id="RM-2", label="Portfolio review; rebalance, if needed",
        on=dt.date(2026, 6, 29), due_on=None, duration_minutes=30, priority=3,
        reasons=(_reason(ReasonCode.CADENCE_PROVISIONAL, "mass.review",
                         "placed by a provisional business day"),),
    ),
)  # fmt: skip

HEADER = """\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//custtier//contact plan//EN
CALSCALE:GREGORIAN
METHOD:PUBLISH
"""

KYC_CALL = """\
BEGIN:VEVENT
UID:23ba15d8bef988df4d5591f19c7f6191@custtier
DTSTAMP:20260601T000000Z
DTSTART:20260601T020000Z
DURATION:PT20M
SUMMARY:KYC review - phone - C1
DESCRIPTION:[CADENCE_OVERDUE high_end.kyc] already due before the plan star
 ts\\n[CADENCE_QUIET_HOURS quiet.calls] timed inside the allowed hours\\, cus
 tomer-local
CATEGORIES:kyc_refresh,phone
PRIORITY:1
TRANSP:OPAQUE
X-CUSTTIER-CUSTOMER:C1
X-CUSTTIER-RULE:high_end.kyc
END:VEVENT
"""

SMS_GREETING = """\
BEGIN:VEVENT
UID:78c408c34492694eece6e168134683f4@custtier
DTSTAMP:20260601T000000Z
DTSTART;VALUE=DATE:20260614
DTEND;VALUE=DATE:20260615
SUMMARY:birthday - sms - C1
DESCRIPTION:[CADENCE_OCCASION high_end.birthday] birthday greeting
CATEGORIES:birthday,sms
PRIORITY:2
TRANSP:TRANSPARENT
X-CUSTTIER-CUSTOMER:C1
X-CUSTTIER-RULE:high_end.birthday
END:VEVENT
"""

TWIN = """\
BEGIN:VEVENT
UID:{uid}@custtier
DTSTAMP:20260601T000000Z
DTSTART:20260620T013000Z
DURATION:PT1M
SUMMARY:birthday (child) - sms - C2
DESCRIPTION:
CATEGORIES:important_date,sms
PRIORITY:2
TRANSP:TRANSPARENT
X-CUSTTIER-CUSTOMER:C2
X-CUSTTIER-RULE:high_end.important_date
END:VEVENT
"""
TWINS = TWIN.format(uid="2dbcbdd5a06877339bef19238cbcfbd9") + TWIN.format(
    uid="af58d4c3ea1065261c00c9e1db804d83"
)

PROVISIONAL_REVIEW = """\
BEGIN:VEVENT
UID:3d9757de3966d278c7adadec14e918b3@custtier
DTSTAMP:20260601T000000Z
DTSTART;VALUE=DATE:20260629
DTEND;VALUE=DATE:20260630
SUMMARY:Portfolio review\\; rebalance\\, if needed - phone - C3
DESCRIPTION:[CADENCE_PROVISIONAL mass.review] placed by a provisional busin
 ess day
CATEGORIES:periodic,phone
PRIORITY:3
TRANSP:OPAQUE
STATUS:TENTATIVE
X-CUSTTIER-CUSTOMER:C3
X-CUSTTIER-RULE:mass.review
END:VEVENT
"""


def _crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


@pytest.fixture(params=["UTC", "Asia/Shanghai", "America/New_York"])
def machine_time_zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run under the machine time zone ``TZ`` names; the export must not read it."""
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is POSIX only")
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield request.param
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def test_a_months_plan_is_written_exactly_so_on_any_machine(machine_time_zone: str) -> None:
    # Times in UTC; all-day work ends the next day (DTEND is exclusive); what takes
    # no manager time (a greeting message) is transparent and lasts the minimum
    # minute; twins' greetings alike in every part get two UIDs; a day an
    # unpublished arrangement may move is tentative.
    assert plan_to_ical(JUNE) == _crlf(
        HEADER
        + "X-WR-CALNAME:Contact plan 2026-06-01 to 2026-06-30\n"
        + KYC_CALL + SMS_GREETING + TWINS + PROVISIONAL_REVIEW
        + "END:VCALENDAR\n"
    )  # fmt: skip


def test_a_managers_export_keeps_the_plans_uids_and_names_the_manager() -> None:
    # RM-1's calendar: their call and the twins' greetings, not the marketing system's
    # SMS nor RM-2's review; the same UIDs as in the whole plan's export.
    assert plan_to_ical(JUNE, manager_id="RM-1") == _crlf(
        HEADER
        + "X-WR-CALNAME:Contact plan for RM-1 2026-06-01 to 2026-06-30\n"
        + KYC_CALL + TWINS
        + "END:VCALENDAR\n"
    )  # fmt: skip


def test_the_export_parses_back_with_the_icalendar_package() -> None:
    icalendar = pytest.importorskip("icalendar")
    cal = icalendar.Calendar.from_ical(plan_to_ical(JUNE))
    assert str(cal["VERSION"]) == "2.0"
    events = list(cal.walk("VEVENT"))
    assert len(events) == len(JUNE.touchpoints)
    assert len({str(e["UID"]) for e in events}) == len(events)
    kyc, greeting, *_, review = events
    assert kyc.decoded("DTSTART") == dt.datetime(2026, 6, 1, 10, tzinfo=SHANGHAI)
    assert kyc.decoded("DURATION") == dt.timedelta(minutes=20)
    assert (greeting.decoded("DTSTART"), greeting.decoded("DTEND")) == (
        dt.date(2026, 6, 14),
        dt.date(2026, 6, 15),
    )
    assert str(kyc["DESCRIPTION"]) == (
        "[CADENCE_OVERDUE high_end.kyc] already due before the plan starts\n"
        "[CADENCE_QUIET_HOURS quiet.calls] timed inside the allowed hours, customer-local"
    )
    assert str(review["SUMMARY"]) == "Portfolio review; rebalance, if needed - phone - C3"
    assert str(review["STATUS"]) == "TENTATIVE"
    assert [str(e["TRANSP"]) for e in events] == [
        "OPAQUE", "TRANSPARENT", "TRANSPARENT", "TRANSPARENT", "OPAQUE",
    ]  # fmt: skip


# Text a label or a reason may hold: RFC 5545's special characters, line breaks
# (CRLF reads back as LF), CJK in several octet widths, and any printable character.
_PIECES = st.sampled_from(["\\", ";", ",", ":", '"', "\n", "\r\n", "\\n", "\t", "春节", "😀", " "])
_TEXT = st.lists(
    _PIECES | st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=8), max_size=40
).map("".join)


@given(label=_TEXT, message=_TEXT)
@example(label="Review; rebalance, if needed\r\nthen call", message="a\\b\nc; d, e")
def test_any_label_and_reason_read_back_as_written(label: str, message: str) -> None:
    icalendar = pytest.importorskip("icalendar")
    why = _reason(ReasonCode.CADENCE_OCCASION, "high_end.birthday", message)
    text = plan_to_ical(_plan(_touchpoint(label=label, reasons=(why,))))
    assert "\r" not in text.replace("\r\n", "")
    assert "\n" not in text.replace("\r\n", "")
    (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(event["SUMMARY"]) == f"{label} - phone - C1".replace("\r\n", "\n")
    assert str(event["DESCRIPTION"]) == why.render().replace("\r\n", "\n")


@given(st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=300))
def test_a_long_line_is_folded_at_75_octets_filling_each_line_and_losing_nothing(
    value: str,
) -> None:
    line = "DESCRIPTION:" + value
    physical = _fold(line).split("\r\n")
    assert physical[0] == line[: len(physical[0])]
    assert all(p.startswith(" ") for p in physical[1:])
    assert physical[0] + "".join(p[1:] for p in physical[1:]) == line
    octets = [len(p.encode("utf-8")) for p in physical]
    assert all(n <= 75 for n in octets)
    # Each line but the last is as full as whole characters allow: the next line's
    # first character would not have fitted (never folded inside a UTF-8 character).
    for this, after, n in zip(physical, physical[1:], octets, strict=False):
        assert this
        assert n + len(after[1].encode("utf-8")) > 75
    if len(line.encode("utf-8")) <= 75:
        assert physical == [line]


def test_an_ascii_line_of_200_octets_folds_into_75_75_and_the_rest() -> None:
    line = "X-CUSTTIER-RULE:" + "r" * 184
    assert [len(p) for p in _fold(line).split("\r\n")] == [75, 75, 52]
    assert _fold(line[:75]) == line[:75]


@pytest.mark.parametrize(
    ("call", "field", "message"),
    [
        (
            lambda: plan_to_ical({"touchpoints": []}),  # type: ignore[arg-type]
            "plan",
            "plan must be a ContactPlan (from plan_contacts)",
        ),
        (
            lambda: plan_to_ical(JUNE, manager_id=1),  # type: ignore[arg-type]
            "manager_id",
            "manager_id must be text or None",
        ),
    ],
    ids=["a mapping for a plan", "a number for a manager"],
)
def test_an_export_of_the_wrong_thing_is_refused_naming_the_argument_and_what_to_pass(
    call: Callable[[], str], field: str, message: str
) -> None:
    # A caller (a JSON request passed straight through, a notebook) gets a CusttierError
    # it can act on: which argument, and what to pass instead, in these exact words.
    with pytest.raises(InputError) as caught:
        call()
    assert caught.value.field == field
    assert str(caught.value) == message


# --------------------------------------------------------------------------- any text, a valid file

#: RFC 5545 §3.3.11 CONTROL: every C0 control but the tab, and DEL.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")


def _unescaped(value: str) -> str:
    """A TEXT value as RFC 5545 §3.3.11 reads it: ``\\\\``, ``\\;``, ``\\,``, ``\\n``/``\\N``."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def rfc5545_problems(text: str) -> list[str]:
    """What makes ``text`` other than a valid RFC 5545 stream (§3.1, §3.3.11): none, or each."""
    problems = []
    data = text.encode("utf-8")  # an unpaired surrogate has no UTF-8: raises
    if not data.endswith(b"\r\n"):
        problems.append("does not end with CRLF")
    for n, raw in enumerate(data.split(b"\r\n")[:-1]):
        line = raw.decode("utf-8")  # each physical line holds whole characters only
        if len(raw) > 75:
            problems.append(f"line {n} has {len(raw)} octets")
        if "\r" in line or "\n" in line:
            problems.append(f"line {n} holds a bare CR or LF")
        if _CONTROL.search(line):
            problems.append(f"line {n} holds a control character")
        if n and not line:
            problems.append(f"line {n} is empty")
    return problems


#: What a label pasted from a spreadsheet, a terminal or another system may hold:
#: every kind of line break, C0 and C1 controls, DEL, unpaired surrogates, the
#: characters TEXT escapes, CJK and emoji (two to four octets: folds between them).
_HOSTILE_PIECES = st.sampled_from(
    [*"\r\n\x00\x07\x0b\x1b\x7f\x85\x9f\u2028\u2029\t\ud800\udfff\\;,:长😀", "\r\n", "\n\r", "\\n"]
)
_ANY_TEXT = st.lists(
    _HOSTILE_PIECES | st.text(st.characters(codec=None), max_size=8), max_size=80
).map("".join)


@given(label=_ANY_TEXT, message=_ANY_TEXT, manager=_ANY_TEXT)
@example(label="Quarterly review\r", message="x", manager="RM\r1")
@example(label="长" * 200, message="😀" * 90, manager="经理" * 40)
def test_any_text_makes_a_valid_file_that_reads_back_as_the_calendar_text(
    label: str, message: str, manager: str
) -> None:
    # A valid file whatever a label, a reason or the manager asked for holds;
    # icalendar reads each event's SUMMARY and DESCRIPTION back as custtier's
    # calendar text of it, and the calendar's name as the text of the request.
    icalendar = pytest.importorskip("icalendar")
    why = _reason(ReasonCode.CADENCE_OCCASION, "high_end.birthday", message)
    plan = _plan(_touchpoint(label=label, reasons=(why,)))
    for text in (plan_to_ical(plan), plan_to_ical(plan, manager_id="RM-1")):
        assert rfc5545_problems(text) == []
        (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
        assert str(event["SUMMARY"]) == calendar_text(f"{label} - phone - C1")
        assert str(event["DESCRIPTION"]) == calendar_text(why.render())
    theirs = plan_to_ical(plan, manager_id=manager)
    assert rfc5545_problems(theirs) == []
    raw = icalendar.Calendar.from_ical(theirs)["X-WR-CALNAME"]  # an X- name: kept escaped
    who = f" for {manager}" if manager else ""
    assert _unescaped(str(raw)) == calendar_text(f"Contact plan{who} 2026-06-01 to 2026-06-30")


@given(_ANY_TEXT)
def test_calendar_text_holds_no_control_but_tab_and_line_feed_and_keeps_the_rest(
    value: str,
) -> None:
    shown = calendar_text(value)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]", shown)
    shown.encode("utf-8")  # no unpaired surrogate is left to refuse it
    # Only controls and line breaks change: everything else is kept, in order.
    kept = re.sub("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]", "", value)
    assert re.sub("[\n\t\ufffd]", "", shown) == re.sub("[\t\ufffd]", "", kept)
    assert calendar_text(shown) == shown


class _BankCalendar(WeekendCalendar):
    """A bank's own calendar whose holiday names came from an HR system's export."""

    name = "bank:hr\x1b"

    def holidays(self, year: int) -> Mapping[dt.date, str]:
        return {dt.date(year, 6, 18): "Founders' Day\r\n(bank holiday)\x00"}

    def holiday_keys(self, year: int) -> Mapping[dt.date, str]:
        return {dt.date(year, 6, 18): "Founders' Day"}


def test_a_banks_calendar_with_control_characters_in_its_names_still_exports_valid_files() -> None:
    icalendar = pytest.importorskip("icalendar")
    data = cst.playbook_data(presets.PRACTICE)
    rule = next(r for r in data["cadence"]["contact_rules"] if r["id"] == "high_end.holiday")
    rule["holidays"] = ["Founders' Day"]
    rule["tier"] = "mass"  # the customer's tier by the records below
    pb = Playbook.model_validate(data)
    rm = RelationshipManager(id="RM-1", capacity_hours_per_week="30")
    c = Customer(
        key="C1",
        manager_id="RM-1",
        contact={"consents": [{"channel": "phone"}, {"channel": "sms"}]},
        kyc={
            "customer_key": "C1",
            "important_dates": [
                {
                    "kind": "wedding_anniversary",
                    "relation": "spouse",
                    "on": "2001-06-20",
                    "label": "wedding of Zhang San\r\n\x07 13912345678",
                },
            ],
        },
    )
    tiers = {"C1": "mass"}
    plan = plan_contacts(
        [c], pb, start=START, end=END, tiers=tiers, calendar=_BankCalendar(), managers=[rm]
    )
    on_the_day = worklist(
        rm, [c], pb, on=dt.date(2026, 6, 18), calendar=_BankCalendar(), tiers=None
    )
    for text in (plan_to_ical(plan), worklist_to_ical(on_the_day)):
        assert rfc5545_problems(text) == []
        summaries = [str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(text).walk("VEVENT")]
        assert any("Founders' Day\n(bank holiday)\ufffd" in s for s in summaries), summaries
        # The customer's own words never reach a calendar: kind and relation only.
        assert "Zhang" not in text
        assert "13912345678" not in text
