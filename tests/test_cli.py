"""The command line: demo, schema, validate, preset, and their exit codes."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from custtier import Playbook, presets
from custtier.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- demo ------------------------------------------------------------------------


def test_demo_summarises_the_book(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "demo", "--size", "400")
    assert (code, err) == (0, "")
    pb = presets.PRACTICE
    assert f"playbook   practice v1.2.0  sha256:{pb.content_hash}" in out
    assert "400 customers, 3 managers, 31 products, amounts in CNY" in out
    assert "as of 2026-11-30" in out  # the documented fixed default, not today
    assert re.search(r"80/20 check: the top 20% \(80 customers\) carry \d+\.\d% of profit", out)
    for needle in ("assets under management", "do-not-contact", "29 February birthdays"):
        assert needle in out
    assert len(out.splitlines()) < 75


def test_demo_pyramid_counts_every_customer_once(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "demo", "--size", "500", "--seed", "3")
    rows = re.findall(r"^  (mass|mid_end|high_end) +([\d,]+) +([\d.]+)% +([\d.]+)%", out, re.M)
    assert [row[0] for row in rows] == ["high_end", "mid_end", "mass"]
    assert sum(int(row[1].replace(",", "")) for row in rows) == 500
    assert re.search(r"80/20 rule: [\d,]+ customers \([\d.]+%\) carry 8\d\.\d% of positive", out)
    kyc = re.findall(r"^  (mass|mid_end|high_end) +([\d,]+) +([\d,]+)  ", out, re.M)
    assert sum(int(a.replace(",", "")) + int(b.replace(",", "")) for _, a, b in kyc) == 500


def test_demo_is_reproducible_and_follows_its_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, first, _ = run(capsys, "demo", "--size", "300", "--seed", "5")
    _, again, _ = run(capsys, "demo", "--size", "300", "--seed", "5")
    _, other, _ = run(capsys, "demo", "--size", "300", "--seed", "6")
    assert first == again
    assert first != other
    _, regulatory, _ = run(
        capsys, "demo", "--size", "300", "--preset", "regulatory_c1_c5", "--as-of", "2025-06-30"
    )
    assert "regulatory_c1_c5 v1.2.0" in regulatory
    assert "as of 2025-06-30" in regulatory
    assert re.search(r"^  private_banking +\d+ +[\d.]+%", regulatory, re.M)
    assert re.search(r"category +R1 +R2 +R3 +R4 +R5 +total", regulatory)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["demo", "--size", "0"], "must be at least 1"),
        (["demo", "--as-of", "2026-13-01"], "is not a date"),
        (["demo", "--preset", "nope"], "invalid choice"),
        ([], "required"),
    ],
)
def test_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert out == ""


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "demo" in out
    assert "validate" in out


# --- schema and preset -------------------------------------------------------------


def test_schema_is_the_playbook_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    assert schema == Playbook.json_schema()
    assert {"tiers", "tiering", "risk", "allocation"} <= set(schema["properties"])


def test_preset_prints_a_playbook_that_validates_to_the_same_hash(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, compact, _ = run(capsys, "preset", "regulatory_c1_c5", "--compact")
    assert code == 0
    assert compact == presets.REGULATORY.canonical_json() + "\n"
    _, indented, _ = run(capsys, "preset", "regulatory_c1_c5")
    assert indented.count("\n") > 100  # indented for editing
    assert Playbook.from_json(indented).content_hash == presets.REGULATORY.content_hash


# --- validate ----------------------------------------------------------------------


def test_validate_accepts_a_valid_playbook(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "practice.json"
    path.write_text(presets.PRACTICE.canonical_json(), encoding="utf-8")
    code, out, err = run(capsys, "validate", str(path))
    pb = presets.PRACTICE
    assert (code, out, err) == (0, f"ok: practice v1.2.0 sha256:{pb.content_hash}\n", "")


def test_validate_explains_what_is_wrong(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = json.loads(presets.PRACTICE.canonical_json())
    data["tiering"]["bases"][0]["bands"][1]["lower"] = "60000.00"  # a gap after mass
    data["allocation"]["model_portfolios"][0]["weights"][0]["weight"] = "0.5"  # sums to 1.1
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = run(capsys, "validate", str(path))
    assert code == 1
    assert out == ""
    assert str(path) in err
    assert "tiering.bases.0.bands" in err
    assert "gap" in err
    assert "model_portfolios.0" in err


def test_validate_reads_standard_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(presets.REGULATORY.canonical_json()))
    code, out, _ = run(capsys, "validate", "-")
    assert code == 0
    assert out.startswith("ok: regulatory_c1_c5 v1.2.0 sha256:")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        (b'{"id": "x",', "is not valid JSON: line 1"),
        (b"\xff\xfe{}", "is not UTF-8 text"),
    ],
)
def test_validate_unreadable_or_not_json_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "playbook.json"
    if content is not None:
        path.write_bytes(content)
    code, out, err = run(capsys, "validate", str(path))
    assert code == 2
    assert out == ""
    assert message in err


def test_validate_json_that_is_not_an_object_is_an_invalid_playbook(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "list.json"
    path.write_text("[1, 2]", encoding="utf-8")
    code, _, err = run(capsys, "validate", str(path))
    assert code == 1
    assert "invalid" in err


# --- python -m custtier ------------------------------------------------------------


def test_python_dash_m_runs_the_demo() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "custtier", "demo", "--size", "200"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "200 customers" in done.stdout
    assert "80/20 check" in done.stdout


def _jsonl(path: Path, rows: list[str]) -> str:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return str(path)


def test_tier_writes_one_line_per_input_line_in_order(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    months = ",".join(
        f'{{"month": "{m}", "average_daily_balance": "600000.00"}}'
        for m in ("2026-08", "2026-09", "2026-10")
    )
    canary = "PII-CANARY-13800138000"
    path = _jsonl(tmp_path / "book.jsonl", [
        f'{{"key": "C1", "monthly_balances": [{months}]}}',
        '{"key": "C2", "assets_under_management": 12.5}',
        "not json",
        "",
        f'{{"key": "C3", "kyc": {{"customer_key": "C3", "identity": {{"phone": "{canary}"}}}}}}',
        '{"key": "C4"}',
        '{"key": "C4"}',
    ])  # fmt: skip
    code, out, err = run(capsys, "tier", path, "--preset", "practice", "--as-of", "2026-11-30")
    assert code == 1  # some records failed (the default --max-errors is 0)
    assert err.startswith("custtier tier: 6 records in, 2 decisions, 4 errors (")
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 6  # the blank line is not a record
    assert lines[0]["outcome"] == "high_end"
    assert lines[0]["playbook"]["content_hash"] == presets.PRACTICE.content_hash
    assert lines[1]["error"] == {
        "code": "invalid_record", "field": "assets_under_management", "line": 2,
        "message": lines[1]["error"]["message"],
    }  # fmt: skip
    assert "float" in lines[1]["error"]["message"]
    assert lines[2]["error"]["code"] == "invalid_json"
    assert lines[3]["customer_key"] == "C3"
    assert lines[4]["error"]["code"] == "duplicate_key"
    assert lines[5]["error"]["code"] == "duplicate_key"
    assert canary not in out


def test_tier_uses_the_previous_run_for_hysteresis(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def book(balance: str) -> str:
        months = ",".join(
            f'{{"month": "{m}", "average_daily_balance": "{balance}"}}'
            for m in ("2026-08", "2026-09", "2026-10")
        )
        return _jsonl(
            tmp_path / f"{balance}.jsonl", [f'{{"key": "C1", "monthly_balances": [{months}]}}']
        )

    _, first, _ = run(
        capsys, "tier", book("600000.00"), "--preset", "practice", "--as-of", "2026-11-30"
    )
    prev = tmp_path / "previous.jsonl"
    # Last run's output, error lines included, is accepted as it is.
    prev.write_text(first + '{"error": {"code": "invalid_json", "line": 2}}\n', encoding="utf-8")
    _, second, _ = run(capsys, "tier", book("300000.00"), "--preset", "practice",
                       "--as-of", "2026-11-30", "--previous", str(prev))  # fmt: skip
    decision = json.loads(second)
    assert decision["outcome"] == "high_end"
    assert decision["movement"] == "held"


def test_allocate_writes_decisions_and_error_records(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ra = (
        '{"level": "steady", "score": 50, "assessed_on": "2026-03-01", "valid_until": "2027-02-28"}'
    )
    path = _jsonl(tmp_path / "requests.jsonl", [
        f'{{"customer": {{"key": "C1", "risk_assessment": {ra}}}, "amount": "250000.00"}}',
        '{"customer": {"key": "C2"}, "amount": 1.5}',
    ])  # fmt: skip
    code, out, _ = run(capsys, "allocate", path, "--preset", "practice", "--as-of", "2026-11-30")
    assert code == 1
    first, second = (json.loads(line) for line in out.splitlines())
    assert "excluded" not in first  # only with --include-excluded
    assert first["excluded_count"] > 0
    total = sum(Decimal(line["amount"]) for line in first["lines"]) + Decimal(first["unplaced"])
    assert total == Decimal("250000.00")
    assert second["error"]["field"] == "amount"
    code, again, bar = run(capsys, "allocate", path, "--preset", "practice",
                           "--as-of", "2026-11-30", "--progress", "--max-errors", "1")  # fmt: skip
    assert (code, again) == (0, out)
    assert bar.startswith("allocating: 1/2 (50%)\nallocating: 2/2 (100%)\n")
    assert "\r" not in bar  # standard error is not a terminal here: whole lines


def test_tier_needs_a_playbook_and_a_readable_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "tier", "/no/such.jsonl", "--preset", "practice",
                       "--as-of", "2026-11-30")  # fmt: skip
    assert code == 2
    assert "cannot read" in err
    code, _, err = run(capsys, "tier", "/no/such.jsonl", "--as-of", "2026-11-30")
    assert code == 2


def test_plan_writes_a_plan_and_its_icalendar(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import datetime as dt

    from custtier import synth

    book = synth.book(40, seed=3, as_of=dt.date(2026, 11, 30))
    path = _jsonl(tmp_path / "book.jsonl",
                  [c.to_json(reveal_personal_data=True) for c in book.customers])  # fmt: skip
    managers = tmp_path / "managers.json"
    managers.write_text(json.dumps([m.to_record() for m in book.managers]), encoding="utf-8")
    args = ["plan", path, "--preset", "practice", "--start", "2026-12-01", "--end", "2026-12-31",
            "--managers", str(managers)]  # fmt: skip
    code, out, err = run(capsys, *args)
    assert code == 0
    assert err.startswith("custtier plan: 40 records in, 40 customers planned, 0 errors, ")
    records = [json.loads(line) for line in out.splitlines()]
    header = records[0]
    assert header["record"] == "plan"
    kinds = [r["record"] for r in records[1:]]
    assert kinds == sorted(kinds, key=["touchpoint", "unscheduled", "load"].index)
    assert header["touchpoints"] == kinds.count("touchpoint")
    assert header["unscheduled"] == kinds.count("unscheduled")
    assert header["load"] == kinds.count("load") > 0
    assert header["required"] == header["touchpoints"] + header["unscheduled"]
    code, ics, _ = run(capsys, *args, "--ics")
    assert code == 0
    assert ics.startswith("BEGIN:VCALENDAR\r\n")
    assert ics.count("BEGIN:VEVENT") == header["touchpoints"]


def test_progress_goes_to_stderr_and_leaves_the_output_unchanged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = [f'{{"key": "C{i}", "annual_profit_contribution": "{i * 10}.00"}}' for i in range(250)]
    path = _jsonl(tmp_path / "book.jsonl", [*rows, "not json"])
    args = ("tier", path, "--preset", "practice", "--as-of", "2026-11-30", "-q")
    code, quiet, err = run(capsys, *args)
    assert (code, err) == (1, "")
    code, out, log = run(capsys, *args, "--progress")
    assert code == 1
    assert out == quiet
    # Not a terminal: whole lines every 10 %, never a carriage return.
    assert "\r" not in log
    assert log.splitlines()[-1] == "tiering: 250/250 (100%)"  # the records read as customers
    assert len(log.splitlines()) <= 12
    code, out, log = run(capsys, "plan", path, "--preset", "practice", "--start", "2026-12-01",
                         "--end", "2026-12-31", "--progress", "-q")  # fmt: skip
    assert code == 1  # the bad line is an error line; the other 250 are planned
    assert "tiering: " in log
    assert "planning: " in log
    assert log.endswith("\n")
    errors = [json.loads(line) for line in out.splitlines() if '"error"' in line[:10]]
    assert [e["error"]["line"] for e in errors] == [251]
