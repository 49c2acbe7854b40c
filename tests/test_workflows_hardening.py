"""Acceptance: a night's batch survives hostile input, and hostile rules are refused up front.

Each test does a user's whole task through the public API or the installed
``custtier`` command, named as the task.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from custtier import Playbook, plan_contacts, presets, synth, tier_book
from custtier.errors import PlaybookError

PRACTICE = presets.PRACTICE
AS_OF = dt.date(2026, 11, 30)

#: One record of each kind a fuzzing pass found aborting a whole batch.
HOSTILE: list[Any] = [
    {"key": "H1", "needs": [["pension"]]},
    {"key": "H2", "kyc": {"customer_key": "H2", "interests": [{"golf": 1}]}},
    None,
    [["key", "H4"]],
    {
        "key": "H5",
        "kyc": {"customer_key": "H5", "aml_rating": "high", "last_reviewed_on": "9999-12-31"},
    },
    {
        "key": "H6",
        "risk_assessment": {
            "level": "steady",
            "score": 40,
            "assessed_on": "0001-01-01",
            "valid_until": "0001-01-01",
        },
    },
    {"key": "H7", "assets_under_management": "1_000"},
]


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # our own interpreter, fixed arguments
        [sys.executable, "-m", "custtier", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )


def test_nightly_book_with_one_hostile_record_decides_every_other_customer() -> None:
    book = [
        c.to_record(reveal_personal_data=True) for c in synth.customers(200, seed=11, as_of=AS_OF)
    ]
    for hostile in HOSTILE:
        records = [*book[:100], hostile, *book[100:]]
        tiered = tier_book(records, PRACTICE, as_of=AS_OF)
        # Every input yields one decision or one error record; nobody else is lost.
        assert len(tiered.decisions) + len(tiered.errors) == len(records)
        assert {d.customer_key for d in tiered.decisions} >= {r["key"] for r in book}
        tiers = {d.customer_key: d for d in tiered.decisions}
        plan = plan_contacts(
            records, PRACTICE, start=dt.date(2026, 12, 1), end=dt.date(2027, 2, 28), tiers=tiers
        )
        planned = {t.customer_key for t in plan.touchpoints} | {
            u.customer_key for u in plan.unscheduled
        }
        errors = {e.index for e in plan.errors}
        assert plan.required == len(plan.touchpoints) + len(plan.unscheduled)
        # Every customer of the book either has contacts or none due; the hostile
        # record is planned (boundary dates) or one error record (the rest).
        assert errors <= {100}
        assert planned <= set(tiers)


def test_the_tier_command_writes_one_line_per_input_line_despite_hostile_lines(
    tmp_path: Path,
) -> None:
    book = [c.to_json(reveal_personal_data=True) for c in synth.customers(20, seed=3, as_of=AS_OF)]
    lines = [*book[:10], *(json.dumps(h) for h in HOSTILE), *book[10:]]
    path = tmp_path / "book.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = _cli("tier", str(path), "--preset", "practice", "--as-of", "2026-11-30")
    assert done.returncode == 1, done.stderr  # some records failed: error lines, no crash
    assert "Traceback" not in done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(out) == len(lines)
    bad = [i for i, row in enumerate(out) if "error" in row]
    hostile_lines = set(range(10, 10 + len(HOSTILE)))
    assert set(bad) <= hostile_lines
    assert len(bad) >= len(HOSTILE) - 2  # the two boundary-date records are decided


@pytest.mark.parametrize(
    ("edit", "path"),
    [
        ({"interval_days": True}, "cadence.contact_rules.3.interval_days"),
        (
            {
                "interval_days": None,
                "anchor": "2026-01-01",
                "rrule": "FREQ=DAILY;BYHOUR=99999999999",
            },
            "cadence.contact_rules.3.rrule",
        ),
    ],
)
def test_a_bank_loading_a_playbook_with_a_hostile_rule_gets_every_problem_named(
    edit: dict[str, Any], path: str, tmp_path: Path
) -> None:
    data = json.loads(PRACTICE.canonical_json())
    data["cadence"]["contact_rules"][3].update(edit)
    with pytest.raises(PlaybookError) as info:
        Playbook.model_validate(data)
    assert [p for p, _ in info.value.problems] == [path]
    file = tmp_path / "playbook.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    done = _cli("validate", str(file))
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert path in done.stdout + done.stderr


def test_a_playbook_with_a_secondly_rrule_is_refused_naming_the_rule(tmp_path: Path) -> None:
    # A bank edits the practice preset (as `custtier preset practice` prints
    # it) and makes the home visit recur every second: the playbook used to
    # load and take a minute and 1.3 GB a customer-week to plan.
    done = _cli("preset", "practice")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    visit = data["cadence"]["contact_rules"][3]
    assert visit["id"] == "high_end.visit"
    visit.update(interval_days=None, anchor="2026-01-01", rrule="FREQ=SECONDLY")
    file = tmp_path / "bank.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    checked = _cli("validate", str(file))
    assert checked.returncode != 0
    said = checked.stdout + checked.stderr
    assert "cadence.contact_rules.3.rrule" in said
    assert "high_end.visit" in said
    assert "finest_frequency" in said
    # The same playbook through the library: refused before any plan exists.
    with pytest.raises(PlaybookError) as info:
        Playbook.model_validate(data)
    assert any("'high_end.visit'" in m for _, m in info.value.problems)
    # Within the budget (weekly), the bank's change loads and plans.
    visit.update(rrule="FREQ=WEEKLY;BYDAY=TH")
    pb = Playbook.model_validate(data)
    plan = plan_contacts(
        [{"key": "C1"}],
        pb,
        start=dt.date(2026, 12, 1),
        end=dt.date(2026, 12, 31),
        tiers={"C1": "high_end"},
    )
    visits = [
        x
        for part in (plan.touchpoints, plan.unscheduled)
        for x in part
        if x.rule_id == "high_end.visit"
    ]
    assert len(visits) == 5  # the Thursdays of December 2026


def test_a_nightly_file_with_a_phone_number_as_a_column_name_never_prints_it(
    tmp_path: Path,
) -> None:
    # A misaligned export puts a customer's phone number where a field name belongs.
    lines = [
        json.dumps({"key": "C1", "13912345678": "500000.00"}),
        json.dumps({"key": "C2", "kyc": {"customer_key": "C2", "13800138000": True}}),
        json.dumps({"key": "C3"}),
    ]
    path = tmp_path / "book.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = _cli("tier", str(path), "--preset", "practice", "--as-of", "2026-11-30")
    assert done.returncode == 1, done.stderr  # two records failed: error lines, no crash
    said = done.stdout + done.stderr
    assert "13912345678" not in said
    assert "13800138000" not in said
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(out) == len(lines)
    assert ["error" in row for row in out] == [True, True, False]


def test_a_counter_service_passing_a_json_request_through_gets_answers_or_named_errors() -> None:
    # A branch system forwards the request body it received as JSON: the customer
    # and product as records, the day as text until someone parses it.
    from custtier import check_suitability
    from custtier.errors import InputError

    book = synth.customers(1, seed=7, as_of=AS_OF)
    product = synth.catalogue(PRACTICE)[0]
    body = {
        "customer": book[0].to_record(reveal_personal_data=True),
        "product": product.to_record(),
        "as_of": "2026-11-30",
    }
    request = json.loads(json.dumps(body))
    with pytest.raises(InputError, match="as_of must be a date") as info:
        check_suitability(request["customer"], request["product"], PRACTICE, as_of=request["as_of"])
    assert info.value.field == "as_of"
    with pytest.raises(InputError, match="playbook must be a Playbook") as info:
        check_suitability(book[0], product, "practice.json", as_of=AS_OF)  # type: ignore[arg-type]
    assert info.value.field == "playbook"
    parsed = dt.date.fromisoformat(request["as_of"])
    answer = check_suitability(request["customer"], request["product"], PRACTICE, as_of=parsed)
    assert answer == check_suitability(book[0], product, PRACTICE, as_of=AS_OF)
    assert (answer.as_of, answer.customer_key) == (AS_OF, book[0].key)


def test_a_decision_archived_as_a_record_reads_back_as_the_same_decision() -> None:
    # A bank archives each night's results as documents in its store (to_record,
    # kept as JSON) and reads them back for an audit months later. Its playbook
    # says in its own words what a missing KYC item blocks, and two of those
    # words read like a date and an amount.
    from custtier import (
        ReasonCode,
        allocate,
        assess_risk,
        check_suitability,
        tier_services,
        worklists,
    )

    data = json.loads(PRACTICE.canonical_json())
    blocks = data["worklist"]["kyc_blocks"]
    for block, said in zip(blocks, ["2027-01-01", "10"] * len(blocks), strict=False):
        block["blocks"] = said
    pb = Playbook.model_validate(data)
    book = synth.book(60, seed=3, as_of=AS_OF, playbook=pb)
    tiered = tier_book(book.customers, pb, as_of=AS_OF)
    customer, tier = book.customers[0], tiered.decisions[0].outcome
    answers = {q.id: q.options[1].id for q in pb.risk.questionnaire}
    plan = plan_contacts(
        book.customers,
        pb,
        start=AS_OF,
        end=dt.date(2027, 2, 28),
        tiers={d.customer_key: d for d in tiered.decisions},
    )
    lists = worklists(book.customers, pb, book.managers, on=AS_OF, catalogue=book.catalogue)
    night = [
        tiered,
        *tiered.decisions,
        tier_services(customer.key, tier, pb, as_of=AS_OF),
        check_suitability(customer, book.catalogue[0], pb, as_of=AS_OF, tier=tier),
        allocate(customer, "250000.00", book.catalogue, pb, as_of=AS_OF, tier=tier),
        assess_risk(answers, pb, as_of=AS_OF, birth_date=dt.date(1958, 3, 1)),
        plan,
        lists,
    ]
    store = [json.dumps(x.to_record(reveal_personal_data=True)) for x in night]

    for original, document in zip(night, store, strict=True):
        back = type(original).from_record(json.loads(document))
        assert back == original, type(original).__name__
        assert back.to_json() == original.to_json()
        assert type(original).from_json(original.to_json()) == original
    # The bank's words came back as the text they are, not as a date or an amount.
    words = {
        r.facts["blocks"]
        for w in type(lists).from_record(json.loads(store[-1])).worklists
        for item in w.items()
        for r in item.reasons
        if r.code is ReasonCode.WORKLIST_KYC_BLOCKS
    }
    assert words == {"2027-01-01", "10"}


def test_an_operator_exports_the_quarter_plan_to_outlook_with_a_label_pasted_from_a_spreadsheet(
    tmp_path: Path,
) -> None:
    # An operator renames the home visit in the bank's playbook by pasting the new
    # name from a spreadsheet cell: it comes with the cell's carriage return.
    import icalendar

    data = json.loads(_cli("preset", "practice").stdout)
    visit = data["cadence"]["contact_rules"][3]
    visit["description"] = "Quarterly wealth review\r"
    bank = tmp_path / "bank.json"
    bank.write_text(json.dumps(data), encoding="utf-8")
    book = tmp_path / "book.jsonl"
    assert _cli("synth", "--size", "60", "--seed", "5", "--out", str(book)).returncode == 0
    plan_args = ["plan", str(book), "--playbook", str(bank), "--start", "2027-01-01"]
    plan_args += ["--end", "2027-03-31", "--managers", str(tmp_path / "book.managers.json")]

    # Refused when the playbook is checked, and when the plan is asked for, naming the rule.
    for done in (_cli("validate", str(bank)), _cli(*plan_args, "--ics")):
        assert done.returncode != 0
        said = done.stdout + done.stderr
        assert "Traceback" not in said
        assert "cadence.contact_rules.3.description" in said
        assert "'high_end.visit'" in said
        assert "one line of printable text" in said

    # Fixed, the quarter's plan goes to Outlook as a valid RFC 5545 file.
    visit["description"] = "Quarterly wealth review"
    bank.write_text(json.dumps(data), encoding="utf-8")
    done = _cli(*plan_args, "--ics", "--output", str(tmp_path / "q1.ics"))
    assert done.returncode == 0, done.stderr
    raw = (tmp_path / "q1.ics").read_bytes()
    lines = raw.split(b"\r\n")
    assert lines[-1] == b""
    assert all(len(line) <= 75 for line in lines)
    assert not any(b"\r" in line or b"\n" in line for line in lines)
    events = icalendar.Calendar.from_ical(raw.decode("utf-8")).walk("VEVENT")
    summaries = [str(e["SUMMARY"]) for e in events]
    visits = [s for s in summaries if s.startswith("Quarterly wealth review - ")]
    assert visits
    assert all("\r" not in s for s in summaries)


def test_a_quant_notebook_that_set_its_own_decimal_context_gets_the_same_answers_and_errors() -> (
    None
):
    # A risk team's notebook sets three digits, ROUND_UP and no traps for its own sums,
    # then reads the night's customers and explains their allocations in Chinese.
    import decimal

    from custtier import Customer, CusttierError, allocate

    book = synth.book(6, seed=17, as_of=AS_OF)
    bad = {"key": "C9", "assets_under_management": "abc"}

    def the_day() -> tuple[str, list[str]]:
        with pytest.raises(CusttierError) as refused:
            Customer.from_record(bad)
        tiered = tier_book(book.customers, PRACTICE, as_of=AS_OF)
        texts = [d.explain("zh_CN", playbook=PRACTICE) for d in tiered.decisions]
        tiers = {d.customer_key: d.tier for d in tiered.decisions}
        texts += [
            allocate(
                c, "1234567.89", book.catalogue, PRACTICE, as_of=AS_OF, tier=tiers[c.key]
            ).explain("zh_CN", playbook=PRACTICE)
            for c in book.customers
        ]
        return str(refused.value), texts

    expected = the_day()
    with decimal.localcontext(decimal.Context(prec=3, rounding=decimal.ROUND_UP, traps=[])):
        assert the_day() == expected
    assert "not a number" in expected[0]
    assert any("¥" in t for t in expected[1])


def test_a_policy_committee_archives_a_what_if_as_json_and_reads_back_the_same_impact(
    tmp_path: Path,
) -> None:
    from decimal import Decimal

    from custtier import PolicyImpact, simulate

    data = json.loads(PRACTICE.canonical_json())
    data["version"] = "1.3.0"
    data["tiering"]["bases"][0]["bands"][2]["lower"] = "600000"
    data["tiering"]["bases"][0]["bands"][1]["upper"] = "600000"
    data["services"].pop(0)
    proposed = Playbook.model_validate(data)
    book = synth.book(30, seed=8, as_of=AS_OF)
    impact = simulate(book.customers, PRACTICE, proposed, as_of=AS_OF, catalogue=book.catalogue)
    archive = tmp_path / "what-if-2027.json"
    archive.write_text(impact.to_json(), encoding="utf-8")

    back = PolicyImpact.from_json(archive.read_text(encoding="utf-8"))
    assert back == impact
    assert PolicyImpact.from_record(json.loads(archive.read_text(encoding="utf-8"))) == impact
    bar = next(c for c in back.changes if c.path.endswith("].lower"))
    assert (bar.old, bar.new) == (Decimal(500000), Decimal(600000))
    removed = next(c for c in back.changes if c.kind == "removed")
    assert removed.old == PRACTICE.services[0]  # the whole row, as the playbook held it
