"""Acceptance: a nightly job runs the installed ``custtier`` command and can trust it.

Every test here goes through the installed console script (``custtier``, next
to the interpreter), in a subprocess, as a scheduler would: exit codes, error
lines, the summary line, formats, encodings and the docs page's commands.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

CUSTTIER = str(Path(sys.executable).with_name("custtier"))
DOCS = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
SUMMARY = re.compile(
    r"custtier (?P<command>\w+): (?P<records>[\d,]+) records in, (?P<decided>[\d,]+) "
    r"(?:decisions|customers planned), (?P<errors>[\d,]+) errors(?: \((?P<codes>[^)]*)\))?"
)


def custtier(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run the installed command; bytes out, so the encoding is checked, not assumed."""
    return subprocess.run(
        [CUSTTIER, *args], cwd=cwd, capture_output=True, check=False, env=env, timeout=300
    )


def summary(stderr: bytes) -> dict[str, int | str]:
    match = SUMMARY.search(stderr.decode("utf-8"))
    assert match is not None, stderr
    return {
        "records": int(match["records"].replace(",", "")),
        "decided": int(match["decided"].replace(",", "")),
        "errors": int(match["errors"].replace(",", "")),
        "codes": match["codes"] or "",
    }


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic book written by ``custtier synth``, with its managers and catalogue."""
    where = tmp_path_factory.mktemp("book")
    done = custtier(
        "synth",
        "--size",
        "300",
        "--seed",
        "7",
        "--out",
        "book.jsonl",
        "--requests",
        "requests.jsonl",
        cwd=where,
    )
    assert done.returncode == 0, done.stderr
    return where


def test_nightly_tier_run_with_bad_lines_exits_1_and_counts_add_up(
    book: Path, tmp_path: Path
) -> None:
    good = (book / "book.jsonl").read_bytes().split(b"\n")[:40]
    with_separator = json.loads(good[1])
    with_separator["kyc"] = {"customer_key": with_separator["key"], "occupation": "a\u2028b"}
    lines = [
        b"\xef\xbb\xbf" + good[0],  # a byte order mark before the first record
        json.dumps(with_separator, ensure_ascii=False).encode(),  # U+2028 inside a string
        b"not json",
        b"",  # blank: not a record
        b"1" * 5000,  # beyond Python's integer digit limit
        b"[" * 50_000 + b"]" * 50_000,  # deeper than the parser's recursion limit
        b'{"key": "X1", "assets_under_management": 1.5}',  # a float amount
        b"[1, 2]",  # JSON, not an object
        b"\xff\xfe not utf-8",
        good[2],
        good[2],  # the same key twice: both lines fail
        *good[3:40],
    ]
    extract = tmp_path / "tonight.jsonl"
    extract.write_bytes(b"\r\n".join(lines) + b"\n")  # Windows line ends, too
    done = custtier(
        "tier", str(extract), "--preset", "practice", "--as-of", "2026-11-30", cwd=tmp_path
    )
    assert done.returncode == 1  # some records failed; the default budget is 0
    out = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    records_in = len([line for line in lines if line.strip()])
    assert len(out) == records_in == 47  # one output line per non-blank input line
    errors = [o["error"] for o in out if "error" in o]
    decisions = [o for o in out if "error" not in o]
    assert len(decisions) + len(errors) == records_in
    assert [(e["line"], e["code"]) for e in errors] == [
        (3, "invalid_json"),
        (5, "invalid_json"),
        (6, "invalid_json"),
        (7, "invalid_record"),
        (8, "invalid_record"),
        (9, "invalid_json"),
        (10, "duplicate_key"),
        (11, "duplicate_key"),
    ]
    assert errors[3]["field"] == "assets_under_management"
    # The BOM line and the U+2028 line are decided, in input order.
    first_two = [json.loads(good[0])["key"], with_separator["key"]]
    assert [d["customer_key"] for d in decisions[:2]] == first_two
    counted = summary(done.stderr)
    assert counted == {
        "records": 47,
        "decided": 39,
        "errors": 8,
        "codes": "duplicate_key 2, invalid_json 4, invalid_record 2",
    }
    assert b"Traceback" not in done.stderr
    # --max-errors chooses when failures fail the job: a count, or a share of the records.
    args = ("tier", str(extract), "--preset", "practice", "--as-of", "2026-11-30", "-q")
    assert custtier(*args, "--max-errors", "8", cwd=tmp_path).returncode == 0
    assert custtier(*args, "--max-errors", "7", cwd=tmp_path).returncode == 1
    assert custtier(*args, "--max-errors", "17.1%", cwd=tmp_path).returncode == 0  # 8/47
    assert custtier(*args, "--max-errors", "17%", cwd=tmp_path).returncode == 1
    # With no bad line, exit 0.
    clean = tmp_path / "clean.jsonl"
    clean.write_bytes(b"\n".join(good[:40]) + b"\n")
    done = custtier(
        "tier", str(clean), "--preset", "practice", "--as-of", "2026-11-30", cwd=tmp_path
    )
    assert done.returncode == 0
    assert summary(done.stderr)["decided"] == 40


def test_a_nightly_run_whose_last_night_file_names_a_retired_tier_tiers_everyone_else(
    book: Path, tmp_path: Path
) -> None:
    """Last night's output feeds tonight's run; one decision names a tier since retired."""
    args = ("tier", str(book / "book.jsonl"), "--preset", "practice")
    last = custtier(*args, "--as-of", "2026-10-31", "--output", "oct.jsonl", cwd=tmp_path)
    assert last.returncode == 0, last.stderr
    lines = (tmp_path / "oct.jsonl").read_text(encoding="utf-8").splitlines()
    retired = json.loads(lines[4])
    retired["outcome"] = "platinum"  # a tier the playbook no longer has
    lines[4] = json.dumps(retired, ensure_ascii=False)
    (tmp_path / "oct.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = custtier(*args, "--as-of", "2026-11-30", "--previous", "oct.jsonl", cwd=tmp_path)
    assert b"Traceback" not in done.stderr
    assert done.returncode == 1  # one customer in error, the default budget is 0
    out = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    errors = [o["error"] for o in out if "error" in o]
    assert [(e["line"], e["code"], e["field"]) for e in errors] == [
        (5, "unknown_previous_tier", "previous.outcome")
    ]
    assert summary(done.stderr) == {
        "records": 300,
        "decided": 299,
        "errors": 1,
        "codes": "unknown_previous_tier 1",
    }


def test_plan_goes_on_past_a_bad_line_and_writes_records(book: Path, tmp_path: Path) -> None:
    good = (book / "book.jsonl").read_text(encoding="utf-8").splitlines()[:60]
    extract = tmp_path / "book.jsonl"
    extract.write_text("\n".join([*good[:10], "{oops", *good[10:]]) + "\n", encoding="utf-8")
    done = custtier(
        "plan",
        str(extract),
        "--preset",
        "practice",
        "--start",
        "2026-12-01",
        "--end",
        "2027-02-28",
        "--managers",
        str(book / "book.managers.json"),
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr
    records = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    header, rest = records[0], records[1:]
    assert header["record"] == "plan"
    assert [r["error"]["line"] for r in rest if "error" in r] == [11]
    kinds = [r["record"] for r in rest if "record" in r]
    assert header["required"] == kinds.count("touchpoint") + kinds.count("unscheduled")
    assert kinds.count("load") == header["load"] > 0
    counted = summary(done.stderr)
    assert (counted["records"], counted["decided"], counted["errors"]) == (61, 60, 1)
    assert max(len(line) for line in done.stdout.splitlines()) < 5_000  # no giant document


def test_planning_next_year_with_the_china_calendar_counts_provisional_items(book: Path) -> None:
    pytest.importorskip("holidays", reason="the calendars extra is not installed")
    done = custtier(
        "plan",
        "book.jsonl",
        "--preset",
        "practice",
        "--start",
        "2026-12-01",
        "--end",
        "2027-03-31",
        "--calendar",
        "CN",
        "--managers",
        "book.managers.json",
        cwd=book,
    )
    assert done.returncode == 0, done.stderr
    header = json.loads(done.stdout.splitlines()[0])
    assert header["calendar"] == "holidays:CN"
    assert header["provisional"] > 0
    assert f"{header['provisional']:,} provisional" in done.stderr.decode("utf-8")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            [
                "plan",
                "book.jsonl",
                "--preset",
                "practice",
                "--start",
                "2026-12-01",
                "--end",
                "2026-11-01",
            ],
            "--end 2026-11-01 is before --start 2026-12-01",
        ),
        (
            [
                "plan",
                "book.jsonl",
                "--preset",
                "practice",
                "--start",
                "2026-12-01",
                "--end",
                "2027-01-31",
                "--calendar",
                "XX",
            ],
            "--calendar 'XX' is unknown",
        ),
        (
            [
                "plan",
                "book.jsonl",
                "--preset",
                "practice",
                "--start",
                "2026-12-01",
                "--end",
                "2030-12-31",
            ],
            "--end: a plan covers at most three years",
        ),
        (
            [
                "tier",
                "book.jsonl",
                "--preset",
                "practice",
                "--as-of",
                "2026-10-31",
                "--previous",
                "decisions.jsonl",
            ],
            "after --as-of 2026-10-31",
        ),
        (
            ["tier", "missing.jsonl", "--preset", "practice", "--as-of", "2026-11-30"],
            "cannot read missing.jsonl",
        ),
        (
            ["tier", "book.jsonl", "--playbook", "bad-playbook.json", "--as-of", "2026-11-30"],
            "playbook bad-playbook.json is not valid",
        ),
        (
            ["tier", "book.jsonl", "--playbook", "book.jsonl", "--as-of", "2026-11-30"],
            "playbook book.jsonl is not valid JSON: line 2",
        ),
        (
            [
                "allocate",
                "requests.jsonl",
                "--preset",
                "practice",
                "--as-of",
                "2026-11-30",
                "--catalogue",
                "book.managers.json",
            ],
            "catalogue book.managers.json item 0",
        ),
        (
            [
                "tier",
                "book.jsonl",
                "--preset",
                "practice",
                "--as-of",
                "2026-11-30",
                "--format",
                "parquet",
            ],
            "add --output FILE.parquet",
        ),
        (
            [
                "tier",
                "book.jsonl",
                "--preset",
                "practice",
                "--as-of",
                "2026-11-30",
                "--max-errors",
                "lots",
            ],
            "--max-errors 'lots'",
        ),
        (
            ["tier", "book.jsonl", "--preset", "practice", "--as-of", "30/11/2026"],
            "is not a date like 2026-11-30",
        ),
    ],
)
def test_a_wrong_invocation_exits_2_with_one_line_naming_what_to_fix(
    book: Path, argv: list[str], message: str
) -> None:
    (book / "bad-playbook.json").write_text('{"id": "x"}', encoding="utf-8")
    if not (book / "decisions.jsonl").exists():
        done = custtier(
            "tier",
            "book.jsonl",
            "--preset",
            "practice",
            "--as-of",
            "2026-11-30",
            "-o",
            "decisions.jsonl",
            cwd=book,
        )
        assert done.returncode == 0
    (book / "result.jsonl").unlink(missing_ok=True)
    output = [] if "--format" in argv else ["--output", "result.jsonl"]
    done = custtier(*argv, *output, cwd=book)
    err = done.stderr.decode("utf-8")
    assert done.returncode == 2
    assert message in err
    assert b"Traceback" not in done.stderr
    assert done.stdout == b""
    assert not (book / "result.jsonl").exists()  # nothing half-written
    # One line says what to fix (argparse's own errors follow its usage line).
    assert [line for line in err.splitlines() if "error: " in line] == [err.splitlines()[-1]]


def test_a_closed_pipe_ends_the_command_quietly(book: Path) -> None:
    for argv in (
        ["demo", "--size", "300"],
        ["tier", "book.jsonl", "--preset", "practice", "--as-of", "2026-11-30"],
    ):
        proc = subprocess.Popen(
            [CUSTTIER, *argv], cwd=book, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert proc.stdout is not None
        assert proc.stderr is not None
        first = proc.stdout.readline()  # what `| head -1` reads, then closes the pipe
        proc.stdout.close()
        err = proc.stderr.read()
        proc.wait(timeout=120)
        proc.stderr.close()
        assert first
        assert b"BrokenPipeError" not in err
        assert b"Traceback" not in err
        if argv[0] == "tier":  # more than a pipe holds was left to write: incomplete
            assert proc.returncode == 1


def test_input_and_output_are_utf8_whatever_the_locale(book: Path, tmp_path: Path) -> None:
    args = ("tier", "book.jsonl", "--preset", "practice", "--as-of", "2026-11-30", "-q")
    reference = custtier(*args, cwd=book)
    assert reference.returncode == 0
    assert "∞".encode() in reference.stdout  # the top band's open end: not ASCII, not Latin-1
    base = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "PYTHON"))}
    for extra in (
        {"LC_ALL": "C"},
        {"LC_ALL": "C", "PYTHONIOENCODING": "iso-8859-1"},
        {"LANG": "en_US.ISO-8859-1", "PYTHONUTF8": "0", "PYTHONIOENCODING": "latin-1"},
    ):
        done = custtier(*args, cwd=book, env={**base, **extra})
        assert (done.returncode, done.stderr) == (0, b""), extra
        assert done.stdout == reference.stdout, extra


def test_synth_writes_a_book_every_command_reads_without_personal_data(
    book: Path, tmp_path: Path
) -> None:
    text = (book / "book.jsonl").read_text(encoding="utf-8")
    for personal in ("Synthetic Customer", "SYNTH-ACCT", "example.invalid", "+86", "SYNTH0"):
        assert personal not in text
    assert '"id_number":"on file"' in text
    assert "[redacted]" not in text
    done = custtier("synth", "--size", "300", "--seed", "7", "--out", "book.parquet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    args = ("--preset", "practice", "--as-of", "2026-11-30", "-q")
    from_jsonl = custtier("tier", str(book / "book.jsonl"), *args, cwd=tmp_path)
    from_parquet = custtier("tier", "book.parquet", *args, cwd=tmp_path)
    assert from_jsonl.returncode == from_parquet.returncode == 0
    assert from_jsonl.stdout == from_parquet.stdout
    assert len(from_jsonl.stdout.splitlines()) == 300
    alloc = custtier(
        "allocate", "requests.jsonl", *args, "--catalogue", "book.catalogue.json", cwd=book
    )
    assert alloc.returncode == 0, alloc.stdout[:500]
    first = json.loads(alloc.stdout.splitlines()[0])
    assert "excluded" not in first
    with_excluded = custtier(
        "allocate",
        "requests.jsonl",
        *args,
        "--catalogue",
        "book.catalogue.json",
        "--include-excluded",
        cwd=book,
    )
    # The excluded list is most of it: "about two thirds" in docs/cli.md.
    share = 1 - len(alloc.stdout) / len(with_excluded.stdout)
    assert 0.6 < share < 0.75
    same_again = custtier(
        "synth", "--size", "300", "--seed", "7", "--out", "again.jsonl", cwd=tmp_path
    )
    assert same_again.returncode == 0
    assert (tmp_path / "again.jsonl").read_bytes() == (book / "book.jsonl").read_bytes()


def test_csv_and_parquet_outputs_hold_the_same_records(book: Path, tmp_path: Path) -> None:
    import csv

    import pyarrow.parquet as pq

    extract = tmp_path / "book.jsonl"
    lines = (book / "book.jsonl").read_text(encoding="utf-8").splitlines()[:50]
    extract.write_text("\n".join([*lines, "nope"]) + "\n", encoding="utf-8")
    args = ("tier", str(extract), "--preset", "practice", "--as-of", "2026-11-30", "-q")
    jsonl = custtier(*args, "--max-errors", "1", cwd=tmp_path)
    assert custtier(*args, "--max-errors", "1", "-o", "out.csv", cwd=tmp_path).returncode == 0
    assert custtier(*args, "--max-errors", "1", "-o", "out.parquet", cwd=tmp_path).returncode == 0
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as f:
        table = list(csv.DictReader(f))
    parquet = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert len(table) == len(parquet) == len(rows) == 51
    assert [r["customer_key"] for r in table[:50]] == [r["customer_key"] for r in rows[:50]]
    assert [r["customer_key"] for r in parquet[:50]] == [r["customer_key"] for r in rows[:50]]
    assert table[50]["error.code"] == parquet[50]["error.code"] == "invalid_json"
    assert parquet[50]["error.line"] == 51
    assert (
        parquet[0]["basis_values.average_daily_balance"]
        == (rows[0]["basis_values"]["average_daily_balance"])
    )  # money stays an exact decimal string


def test_parquet_without_the_arrow_extra_is_a_clean_exit_2(book: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "no_arrow"
    blocker.mkdir()
    (blocker / "pyarrow.py").write_text("raise ImportError('blocked for the test')\n")
    env = {**os.environ, "PYTHONPATH": str(blocker)}
    done = custtier(
        "tier",
        "book.jsonl",
        "--preset",
        "practice",
        "--as-of",
        "2026-11-30",
        "-o",
        str(tmp_path / "out.parquet"),
        cwd=book,
        env=env,
    )
    assert done.returncode == 2
    assert b'pip install "custtier[frames]"' in done.stderr
    assert b"Traceback" not in done.stderr


def test_progress_in_a_log_file_is_whole_lines(book: Path, tmp_path: Path) -> None:
    log = tmp_path / "job.log"
    with log.open("wb") as f:
        done = subprocess.run(
            [
                CUSTTIER,
                "plan",
                "book.jsonl",
                "--preset",
                "practice",
                "--start",
                "2026-12-01",
                "--end",
                "2026-12-31",
                "--progress",
                "-o",
                str(tmp_path / "plan.jsonl"),
            ],
            cwd=book,
            stderr=f,
            stdout=subprocess.PIPE,
            check=False,
        )
    assert done.returncode == 0
    text = log.read_text(encoding="utf-8")
    assert "\r" not in text
    lines = text.splitlines()
    assert "tiering: 300/300 (100%)" in lines
    assert any(re.fullmatch(r"planning: [\d,]+/[\d,]+ \(100%\)", line) for line in lines)
    assert lines[-1].startswith("custtier plan: 300 records in")


@pytest.mark.parametrize("command", ["tier", "allocate", "plan", "synth", "worklist"])
def test_help_shows_an_example_the_record_format_and_exit_codes(
    command: str, tmp_path: Path
) -> None:
    done = custtier(command, "--help", cwd=tmp_path)
    text = done.stdout.decode("utf-8")
    assert done.returncode == 0
    assert "example:" in text
    assert f"custtier {command} " in text.split("example:")[1]
    if command != "synth":
        assert "record format" in text
        assert "exit codes:" in text
        for code in ("0 ", "1 ", "2 "):
            assert f"\n  {code}" in text


def _documented_commands() -> list[tuple[str, int]]:
    """Each ``$ custtier …`` line of docs/cli.md and the exit code the page gives it."""
    out: list[tuple[str, int]] = []
    lines = DOCS.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("$ custtier "):
            after = "\n".join(lines[i + 1 : i + 6])
            expected = 2 if re.search(r"^\(exit 2\)$", after, re.M) else 0
            out.append((line[2:], expected))
    return out


def test_the_docs_page_commands_run_as_documented(tmp_path: Path) -> None:
    commands = _documented_commands()
    assert len(commands) >= 8
    for command, expected in commands:
        argv = shlex.split(command)
        assert argv[0] == "custtier"
        done = custtier(*argv[1:], cwd=tmp_path)
        assert done.returncode == expected, (command, done.stderr)
        assert b"Traceback" not in done.stderr
    # What the page says the files hold.
    assert (tmp_path / "book.managers.json").exists()
    assert len((tmp_path / "decisions.jsonl").read_text(encoding="utf-8").splitlines()) == 2000
    plan = (tmp_path / "plan.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(plan[0])["record"] == "plan"


def test_a_csv_export_read_as_text_tiers_in_polars_and_comes_back_as_polars(
    book: Path, tmp_path: Path
) -> None:
    """Columnar inputs the way they arrive: a CSV read as text, in a polars frame."""
    pl = pytest.importorskip("polars", reason="polars is not installed")
    import datetime as dt

    import custtier.frames as cf
    from custtier import presets

    csv_file = tmp_path / "profits.csv"
    csv_file.write_text(
        "key,annual_profit_contribution\n"
        "C1,9000.00\nC2,500\nC3,not a number\nC4,1.005\nC5,120.50\n",
        encoding="utf-8",
    )
    frame = pl.read_csv(csv_file, infer_schema=False)  # every column as text (large_string)
    frame = frame.with_columns(
        pl.lit(
            [], dtype=pl.List(pl.Struct({"month": pl.String, "average_daily_balance": pl.String}))
        ).alias("monthly_balances")
    )
    out = cf.tier_table(frame, presets.PRACTICE, as_of=dt.date(2026, 11, 30))
    assert isinstance(out, pl.DataFrame)  # the caller's frame type comes back
    rows = out.select("customer_key", "tier", "error_code").rows()
    assert [r[0] for r in rows] == ["C1", "C2", "C3", "C4", "C5"]
    assert [r[2] for r in rows] == [None, None, "invalid_value", "too_precise", None]
    assert all(r[1] for r in rows if r[2] is None)  # every good row decided
