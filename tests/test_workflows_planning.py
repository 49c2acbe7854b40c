"""Planning workflows end to end, as a bank runs them (issue 11).

Each test is one task a user does through the public API: export a family's
calendar, plan next year from late November, hand the plan to people who
must not see personal data. Dates are checked against the world (the
``holidays`` package, ``lunardate``, ``icalendar``'s parser), not against
custtier itself.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from custtier import (
    Channel,
    ChannelConsent,
    ContactPlan,
    ContactPreferences,
    Customer,
    KycFile,
    ProductHolding,
    RelationshipManager,
    plan_contacts,
    plan_to_ical,
    presets,
)

PRACTICE = presets.PRACTICE


def every_channel() -> ContactPreferences:
    return ContactPreferences(
        consents=[ChannelConsent(channel=c, service=True, marketing=True) for c in Channel]
    )


def family_customer(key: str = "C000007") -> Customer:
    """Twins' birthdays kept as two important dates, and two holdings maturing together."""
    twins = dt.date(2015, 5, 20)
    return Customer(
        key=key,
        manager_id="RM-1",
        birth_date=dt.date(1957, 3, 14),
        contact=every_channel(),
        kyc=KycFile(
            customer_key=key,
            aml_rating="low",
            last_reviewed_on=dt.date(2026, 6, 1),
            important_dates=[
                {"kind": "birthday", "relation": "child", "on": twins, "label": "elder twin"},
                {"kind": "birthday", "relation": "child", "on": twins, "label": "younger twin"},
                {"kind": "birthday", "relation": "self", "on": "1957-03-14", "calendar": "lunar"},
            ],
        ),
        products_held=[
            ProductHolding(product_id="TD-1Y", principal=Decimal("100000.00"),
                           matures_on=dt.date(2026, 9, 15)),
            ProductHolding(product_id="TD-1Y", principal=Decimal("50000.00"),
                           matures_on=dt.date(2026, 9, 15)),
        ],
    )  # fmt: skip


def family_plan(**kw: Any) -> ContactPlan:
    c = family_customer()
    return plan_contacts(
        [c], PRACTICE, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31),
        tiers={c.key: "high_end"},
        managers=[RelationshipManager(id="RM-1", capacity_hours_per_week="40")], **kw,
    )  # fmt: skip


def test_export_a_family_calendar_with_twins_and_twin_maturities_to_a_calendar_client() -> None:
    icalendar = pytest.importorskip("icalendar")
    pytest.importorskip("holidays")
    from custtier import HolidaysCalendar

    plan = family_plan(calendar=HolidaysCalendar("CN"))
    labels = [t.label for t in plan.touchpoints]
    assert labels.count("birthday (child)") == 2  # both twins greeted
    assert labels.count("maturity TD-1Y") == 2  # both holdings reviewed
    text = plan_to_ical(plan)
    events = list(icalendar.Calendar.from_ical(text).walk("VEVENT"))
    uids = [str(e["UID"]) for e in events]
    assert len(events) == len(plan.touchpoints)
    assert len(set(uids)) == len(uids)  # RFC 5545: a UID names one event
    # Re-running the same plan gives the same UIDs (clients update, not duplicate).
    again = family_plan(calendar=HolidaysCalendar("CN"))
    assert [str(e["UID"]) for e in icalendar.Calendar.from_ical(plan_to_ical(again)).walk(
        "VEVENT")] == uids  # fmt: skip
    # One manager's export keeps the plan's UIDs.
    mine = icalendar.Calendar.from_ical(plan_to_ical(plan, manager_id="RM-1")).walk("VEVENT")
    assert {str(e["UID"]) for e in mine} <= set(uids)


def test_hand_a_plan_to_staff_without_any_birth_date_in_it() -> None:
    pytest.importorskip("holidays")
    from custtier import HolidaysCalendar

    plan = family_plan(calendar=HolidaysCalendar("CN"))
    lunar = [t for t in plan.touchpoints if t.rule_id == "high_end.birthday"]
    assert lunar, "the lunar birthday is greeted"
    ics = plan_to_ical(plan)
    exported = {"ical": ics, "plan": plan.to_json()}
    for name, text in exported.items():
        unfolded = text.replace("\r\n ", "")
        for birth in ("1957-03-14", "19570314", "2015-05-20", "20150520"):
            assert birth not in unfolded, f"a birth date in the {name} export"
    # No reason fact names a year of birth either (descriptions are for people).
    facts = json.dumps([r.facts for t in plan.touchpoints for r in t.reasons], default=str)
    assert "1957" not in facts
    assert "2015" not in facts


# --------------------------------------------------------------------------- planning ahead

NOV_30 = dt.date(2026, 11, 30)
END_2027 = dt.date(2027, 12, 31)


def china(**kw: Any) -> Any:
    pytest.importorskip("holidays")
    pytest.importorskip("lunardate")
    from custtier import HolidaysCalendar

    # As on 2026-11-30: the State Council has published 2026's arrangement, not 2027's.
    return HolidaysCalendar("CN", published_through=2026, **kw)


def synthetic_plan(calendar: Any, start: dt.date = NOV_30, end: dt.date = END_2027) -> ContactPlan:
    from custtier import synth, tier_book

    book = synth.book(60, seed=11, as_of=NOV_30)
    tiers = tier_book(book.customers, book.playbook, as_of=NOV_30)
    return plan_contacts(
        book.customers, book.playbook, start=start, end=end,
        tiers={d.customer_key: d for d in tiers.decisions}, calendar=calendar,
        managers=book.managers,
    )  # fmt: skip


def world_festivals_2027() -> dict[str, dt.date]:
    """Spring Festival and Mid-Autumn 2027 from the peers: the lunar calendar and `holidays`."""
    holidays = pytest.importorskip("holidays")
    lunardate = pytest.importorskip("lunardate")
    spring = lunardate.LunarDate(2027, 1, 1).to_solar_date()
    mid_autumn = lunardate.LunarDate(2027, 8, 15).to_solar_date()
    named = {n: d for d, n in holidays.China(years=2027, language="en_US").items()}
    assert named["Mid-Autumn Festival"] == mid_autumn
    assert (
        min(d for d, n in holidays.China(years=2027, language="zh_CN").items() if n == "春节")
        == spring
    )
    return {"Spring Festival": spring, "Mid-Autumn Festival": mid_autumn}


def test_plan_2027_from_late_november_2026_with_the_china_calendar() -> None:
    holidays = pytest.importorskip("holidays")

    festivals = world_festivals_2027()
    assert festivals == {"Spring Festival": dt.date(2027, 2, 6),
                         "Mid-Autumn Festival": dt.date(2027, 9, 15)}  # fmt: skip
    plan = synthetic_plan(china())
    assert plan.required == len(plan.touchpoints) + len(plan.unscheduled)
    # Nothing refused for want of a calendar: 2027 is planned.
    assert "CADENCE_NO_CALENDAR_DATA" not in plan.unscheduled_counts()
    greeted = {(t.label, t.on) for t in plan.touchpoints if t.occasion == "holiday"}
    for name, day in festivals.items():
        assert (name, day) in greeted, f"{name} {day} greeting"
    assert ("National Day", dt.date(2027, 10, 1)) in greeted
    assert ("New Year's Day", dt.date(2027, 1, 1)) in greeted
    # Business-day work of 2027 is placed, never on a (rule-based) public holiday.
    off = set(holidays.China(years=2027))
    work = [t for t in plan.touchpoints if t.on.year == 2027 and t.occasion != "holiday"
            and t.occasion not in {"birthday", "important_date"}]  # fmt: skip
    assert {t.occasion for t in work} >= {"periodic", "kyc_refresh"}
    assert not [t for t in work if t.on in off]
    assert all(t.on.weekday() < 5 for t in work)  # no make-up weekend is known for 2027
    # Provisional items: marked, counted, and exactly the work near a 2027 holiday.
    marked = [t for t in plan.touchpoints
              if any(r.code == "CADENCE_PROVISIONAL" for r in t.reasons)]  # fmt: skip
    assert plan.provisional == len(marked) == len(plan.provisional_touchpoints()) > 0
    assert not [t for t in marked if t.occasion in {"holiday", "birthday", "important_date"}]
    near = {d + dt.timedelta(days=k) for d in off | set(holidays.China(years=2028))
            for k in range(-14, 15)}  # fmt: skip
    assert all(t.on in near for t in marked)
    far = [t for t in work if t.on not in near and t.due_on and t.due_on not in near]
    assert far, "work far from any holiday exists"
    # A calendar client shows the provisional ones as tentative, the rest as they were.
    icalendar = pytest.importorskip("icalendar")
    events = icalendar.Calendar.from_ical(plan_to_ical(plan)).walk("VEVENT")
    tentative = [str(e.get("STATUS", "")) == "TENTATIVE" for e in events]
    assert tentative == [t in marked for t in plan.touchpoints]


def test_a_bank_that_wants_no_guessing_keeps_the_strict_policy() -> None:
    plan = synthetic_plan(china(unpublished="refuse"))
    counts = plan.unscheduled_counts()
    assert counts.get("CADENCE_NO_CALENDAR_DATA", 0) > 0  # 2027 work is reported, not placed
    assert plan.provisional == 0
    assert not [t for t in plan.touchpoints if t.on.year == 2027 and t.occasion == "periodic"]
    # Festival greetings are fixed by the calendar: never refused, even here.
    greeted = {(t.label, t.on) for t in plan.touchpoints if t.occasion == "holiday"}
    for name, day in world_festivals_2027().items():
        assert (name, day) in greeted


def test_a_september_to_december_plan_lists_only_what_falls_inside_it() -> None:
    for policy in ("provisional", "refuse"):
        plan = synthetic_plan(china(unpublished=policy), dt.date(2027, 9, 1), END_2027)
        greetings = [u for u in plan.unscheduled
                     if u.occasion in {"holiday", "birthday", "important_date"}]  # fmt: skip
        for u in greetings:  # a greeting is due on its day: inside the plan, or not listed
            assert "New Year" not in u.label
            assert u.due_on is not None
            assert dt.date(2027, 9, 1) <= u.due_on <= END_2027
        for t in plan.touchpoints:
            assert dt.date(2027, 9, 1) <= t.on <= END_2027
        assert not [t for t in plan.touchpoints if "New Year" in t.label]


def test_plan_with_holiday_names_in_chinese() -> None:
    zh = synthetic_plan(china(language="zh_CN"), NOV_30, dt.date(2027, 10, 31))
    en = synthetic_plan(china(), NOV_30, dt.date(2027, 10, 31))
    shown = {t.on: t.label for t in zh.touchpoints if t.occasion == "holiday"}
    assert shown[dt.date(2027, 2, 6)] == "春节"
    assert shown[dt.date(2027, 9, 15)] == "中秋节"
    assert shown[dt.date(2027, 10, 1)] == "国庆节"
    # The language changes names only: the same contacts on the same days.
    assert [(t.customer_key, t.rule_id, t.on) for t in zh.touchpoints] == [
        (t.customer_key, t.rule_id, t.on) for t in en.touchpoints
    ]
    assert zh.provisional == en.provisional


def test_two_holidays_on_one_day_keep_their_own_names() -> None:
    # 1 October 2020 was both Mid-Autumn Festival and National Day.
    c = Customer(key="C1", manager_id="RM-1", contact=every_channel())
    for language, expected in (("en_US", {"Mid-Autumn Festival", "National Day"}),
                               ("zh_CN", {"中秋节", "国庆节"})):  # fmt: skip
        plan = plan_contacts([c], PRACTICE, start=dt.date(2020, 10, 1), end=dt.date(2020, 10, 1),
                             tiers={"C1": "high_end"}, calendar=china(language=language))  # fmt: skip
        assert {t.label for t in plan.touchpoints if t.occasion == "holiday"} == expected


def test_every_published_arrangement_stayed_within_the_reach_of_a_holiday() -> None:
    """The provisional window is the world's: each make-up or bridged day China published."""
    holidays = pytest.importorskip("holidays")
    china = pytest.importorskip("holidays.countries.china")

    from custtier.cadence._calendar import ARRANGEMENT_REACH_DAYS

    one_off = {2015, 2020}  # Victory Day 2015, the 2020 epidemic extension: separate notices
    for year, entries in china.ChinaStaticHolidays.special_public_holidays.items():
        if year in one_off:
            continue
        base = [d for y in (year - 1, year, year + 1)
                for d, n in holidays.China(years=y, language="en_US").items()
                if "substituted" not in n]  # fmt: skip
        for e in entries:
            days = [dt.date(year, e[0], e[1])]
            if len(e) >= 4:
                days.append(dt.date(e[4] if len(e) > 4 else year, e[2], e[3]))
            for day in days:
                gap = min(abs((day - b).days) for b in base)
                assert gap <= ARRANGEMENT_REACH_DAYS, (year, e)


# --------------------------------------------------------------------------- do-not-contact


@pytest.mark.parametrize("preset", [presets.PRACTICE, presets.REGULATORY])
def test_a_customer_who_asked_not_to_be_contacted_still_gets_the_regulatory_duties(
    preset: Any,
) -> None:
    from custtier import ReasonCode, RiskAssessment

    dnc = preset.cadence.do_not_contact
    assert set(dnc.binds) == {"marketing", "service"}  # the playbook says what the flag binds
    assert preset.find_rule(dnc.rule_id) is dnc
    level = preset.risk.customer_levels[1].id
    c = Customer(
        key="C000099", manager_id="RM-1", birth_date=dt.date(1970, 6, 14),
        contact=ContactPreferences(
            consents=[ChannelConsent(channel="phone", service=True, marketing=True)],
            do_not_contact=True, do_not_contact_since=dt.date(2026, 3, 1),
        ),
        kyc=KycFile(customer_key="C000099", aml_rating="high",
                    last_reviewed_on=dt.date(2025, 9, 1)),
        risk_assessment=RiskAssessment(level=level, score=50, assessed_on=dt.date(2025, 7, 1),
                                       valid_until=dt.date(2026, 6, 30)),
        products_held=[ProductHolding(product_id="TD-1Y", principal=Decimal("100000.00"),
                                      matures_on=dt.date(2026, 5, 20))],
    )  # fmt: skip
    plan = plan_contacts(
        [c], preset, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31),
        tiers={c.key: "high_end"},
        managers=[RelationshipManager(id="RM-1", capacity_hours_per_week="40")],
    )  # fmt: skip
    # Relationship and marketing contacts stop: birthday call, greetings, visits.
    stopped = {u.rule_id for u in plan.unscheduled if u.code == "CADENCE_DO_NOT_CONTACT"}
    assert {"high_end.birthday", "high_end.visit"} <= stopped
    assert not [t for t in plan.touchpoints if t.purpose != "regulatory"]
    # KYC refresh, risk re-assessment and the maturity notice stay due, by phone, marked.
    duties = {t.rule_id for t in plan.touchpoints}
    assert duties == {"high_end.kyc", "high_end.risk", "high_end.maturity"}
    for t in plan.touchpoints:
        assert t.channel == "phone"
        why = [r for r in t.reasons if r.code is ReasonCode.CADENCE_REGULATORY_DUTY]
        assert why
        assert why[0].rule_id == dnc.rule_id
    # A duty on a channel the customer does not allow is not placed there, and says why.
    sms_only = c.replace(contact=c.contact.replace(
        consents=[ChannelConsent(channel="sms", service=True)]))  # fmt: skip
    plan = plan_contacts(
        [sms_only], preset, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31),
        tiers={c.key: "high_end"},
    )  # fmt: skip
    assert not plan.touchpoints
    owed = [u for u in plan.unscheduled if u.rule_id == "high_end.kyc"]
    assert owed
    assert {u.code for u in owed} == {ReasonCode.CADENCE_NO_CONSENT}
    assert all(ReasonCode.CADENCE_REGULATORY_DUTY in {r.code for r in u.reasons} for u in owed)


# --------------------------------------------------------------------------- the command line


def test_plan_next_year_from_the_command_line_in_chinese_with_either_policy(
    tmp_path: Any,
) -> None:
    import subprocess
    import sys
    from pathlib import Path

    pytest.importorskip("holidays")
    exe = str(Path(sys.executable).with_name("custtier"))

    def custtier(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([exe, *args], cwd=tmp_path, capture_output=True, check=False,
                              timeout=300)  # fmt: skip

    made = custtier("synth", "--size", "80", "--seed", "7", "--out", "book.jsonl")
    assert made.returncode == 0, made.stderr
    plan_args = ("plan", "book.jsonl", "--preset", "practice", "--start", "2026-11-30",
                 "--end", "2027-12-31", "--managers", "book.managers.json", "--calendar", "CN",
                 "--published-through", "2026", "--holiday-language", "zh_CN")  # fmt: skip
    done = custtier(*plan_args, "-o", "plan.jsonl")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(x) for x in (tmp_path / "plan.jsonl").read_text("utf-8").splitlines()]
    header = lines[0]
    touch = [x for x in lines if x.get("record") == "touchpoint"]
    greeted = {(x["label"], x["on"]) for x in touch if x["occasion"] == "holiday"}
    assert {("春节", "2027-02-06"), ("中秋节", "2027-09-15")} <= greeted
    marked = [x for x in touch if any(r["code"] == "CADENCE_PROVISIONAL" for r in x["reasons"])]
    assert header["provisional"] == len(marked) > 0
    assert f"{len(marked):,} provisional" in done.stderr.decode("utf-8")
    assert not [x for x in lines if x.get("code") == "CADENCE_NO_CALENDAR_DATA"]
    # The strict policy: 2027's business-day work is reported, festival greetings stay.
    strict = custtier(*plan_args, "--unpublished", "refuse", "-o", "strict.jsonl")
    assert strict.returncode == 0, strict.stderr
    rows = [json.loads(x) for x in (tmp_path / "strict.jsonl").read_text("utf-8").splitlines()]
    assert rows[0]["provisional"] == 0
    assert [x for x in rows if x.get("code") == "CADENCE_NO_CALENDAR_DATA"]
    assert ("春节", "2027-02-06") in {(x["label"], x["on"]) for x in rows
                                       if x.get("record") == "touchpoint"}  # fmt: skip
    # A policy without a holiday calendar, or a language it lacks: exit 2, one line, no output.
    for bad in (("--calendar", "weekends", "--unpublished", "refuse"),
                ("--holiday-language", "xx_XX")):  # fmt: skip
        wrong = custtier(*plan_args, *bad, "-o", "wrong.jsonl")
        assert wrong.returncode == 2
        message = wrong.stderr.decode("utf-8").strip()
        assert len(message.splitlines()) == 1
        assert "Traceback" not in message
        assert not (tmp_path / "wrong.jsonl").exists()
