"""The manager's worklist end to end, as a manager and a branch use it (issue 17).

Each test is one task done through the installed ``custtier`` command or the
public API: open Monday's worklist, put the dated items in a calendar
client, hand every manager their list. Calendars are read back with
``icalendar``'s parser, not with custtier's.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from custtier import HolidaysCalendar, presets, synth, worklist, worklists

CUSTTIER = str(Path(sys.executable).with_name("custtier"))
MONDAY = "2026-11-30"


def custtier(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CUSTTIER, *args],
        cwd=cwd,
        capture_output=True,
        check=False,
        timeout=300,
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("book")
    done = custtier("synth", "--size", "600", "--seed", "7", "--out", "book.jsonl", cwd=where)
    assert done.returncode == 0, done.stderr
    return where


def _worklist(book: Path, *more: str) -> subprocess.CompletedProcess[str]:
    return custtier(
        "worklist",
        "book.jsonl",
        "--preset",
        "practice",
        "--managers",
        "book.managers.json",
        "--manager",
        "RM-001",
        "--on",
        MONDAY,
        "--catalogue",
        "book.catalogue.json",
        *more,
        cwd=book,
    )


def test_a_manager_opens_mondays_worklist_from_the_command_line(book: Path) -> None:
    table = _worklist(book, "--table")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].startswith(f"Worklist of RM-001 for {MONDAY}: ")
    assert lines[1].split() == ["#", "customer", "tier", "what", "why", "due", "channel", "min"]
    positions = [int(line.split()[0]) for line in lines[2:-1]]
    assert positions == list(range(1, len(positions) + 1))
    assert positions, "Monday has work"
    assert "carried over" in lines[-1]
    assert table.stderr.startswith(
        "custtier worklist: 600 records in, 600 customers read, 0 errors"
    )

    # The same list as records: the table's rows are the day's items, in order.
    records = _worklist(book)
    assert records.returncode == 0, records.stderr
    rows = [json.loads(line) for line in records.stdout.splitlines()]
    head = rows[0]
    assert (head["record"], head["manager_id"], head["on"]) == ("worklist", "RM-001", MONDAY)
    items = [r for r in rows if r["record"] == "item"]
    today = [r for r in items if r["on"] == MONDAY]
    assert [r["position"] for r in today] == positions
    assert head["today"] == len(today)
    assert head["today"] + head["later"] + head["carried_over"] == len(items)
    days = [r for r in rows if r["record"] == "day"]
    assert all(d["booked_minutes"] <= d["capacity_minutes"] for d in days)
    # Every item says why, with rule ids the playbook resolves, and what it may use.
    for r in items:
        assert r["reasons"]
        assert all(presets.PRACTICE.find_rule(x["rule_id"]) for x in r["reasons"])
        if r["on"] is not None:  # listed on a day: with a channel the customer allows
            assert r["channel"] is not None
            assert r["carried"] is None
        else:
            assert r["carried"] is not None
    kinds = {r["kind"] for r in items}
    assert {"contact", "risk_expiry", "kyc_gap", "upgrade_candidate", "maturity"} <= kinds


def test_a_manager_puts_the_dated_items_in_a_calendar_client(book: Path) -> None:
    icalendar = pytest.importorskip("icalendar")
    ics = _worklist(book, "--ics", "--output", "monday.ics")
    assert ics.returncode == 0, ics.stderr
    text = (book / "monday.ics").read_bytes().decode("utf-8")
    events = list(icalendar.Calendar.from_ical(text).walk("VEVENT"))
    records = [json.loads(line) for line in _worklist(book).stdout.splitlines()]
    dated = [r for r in records if r["record"] == "item" and r["on"] is not None]
    assert len(events) == len(dated)
    assert len({str(e["UID"]) for e in events}) == len(events)
    first = events[0]
    assert str(first["SUMMARY"]).startswith("#1 ")
    start = first["DTSTART"].dt
    if isinstance(start, dt.datetime):  # timed by the plan: the customer's local day
        start = start.astimezone(ZoneInfo("Asia/Shanghai")).date()
    assert start.isoformat() == MONDAY
    # The same run gives the same bytes (DTSTAMP from the day, UIDs from the items).
    assert _worklist(book, "--ics").stdout.replace("\n", "\r\n") == text


def test_a_branch_hands_every_manager_their_list_in_one_pass() -> None:
    on = dt.date(2026, 11, 30)
    b = synth.book(600, seed=7, as_of=on)
    cal = HolidaysCalendar("CN")
    every = worklists(
        b.customers, presets.PRACTICE, b.managers, on=on, catalogue=b.catalogue, calendar=cal
    )
    table = every.to_pandas("items") if _has("pandas") else None
    for m in b.managers:
        own = worklist(m, b.customers, presets.PRACTICE, on=on, catalogue=b.catalogue, calendar=cal)
        assert every.for_manager(m.id) == own
        # Capacity holds every day; nothing due is dropped: listed or carried over with why.
        assert all(d.booked_minutes <= d.capacity_minutes for d in own.days)
        assert all(i.carried is not None for i in own.carried_over)
        assert all(any(r.code is i.carried for r in i.reasons) for i in own.carried_over)
        if table is not None:
            mine = table[table.manager_id == m.id]
            assert len(mine) == len(own.items())
    assert all(w.today for w in every.worklists)  # every manager has a Monday


def _has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def test_a_broken_line_is_an_error_line_and_the_rest_is_still_listed(book: Path) -> None:
    lines = (book / "book.jsonl").read_text(encoding="utf-8").splitlines()
    broken = book / "broken.jsonl"
    broken.write_text("\n".join(['{"key": 5}', *lines[:200], "not json"]) + "\n", encoding="utf-8")
    args = (
        "worklist",
        "broken.jsonl",
        "--preset",
        "practice",
        "--managers",
        "book.managers.json",
        "--manager",
        "RM-001",
        "--on",
        MONDAY,
    )
    failed = custtier(*args, cwd=book)
    assert failed.returncode == 1  # two lines failed; the default budget is 0
    rows = [json.loads(line) for line in failed.stdout.splitlines()]
    assert [r["error"]["line"] for r in rows if "error" in r] == [1, 202]
    assert any(r.get("record") == "item" for r in rows)
    assert custtier(*args, "--max-errors", "2", cwd=book).returncode == 0
    unknown = custtier(*args[:-3], "RM-999", "--on", MONDAY, cwd=book)
    assert unknown.returncode == 2
    assert unknown.stderr == "error: --manager RM-999 is not in book.managers.json\n"
    assert unknown.stdout == ""
