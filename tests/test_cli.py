"""The command line: demo, schema, validate, preset, and their exit codes."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
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
    assert f"playbook   practice v1.0.0  sha256:{pb.content_hash}" in out
    assert "400 customers, 3 managers, 31 products, amounts in CNY" in out
    assert "as of 2026-11-30" in out  # the documented fixed default, not today
    assert re.search(r"80/20 check: the top 20% \(80 customers\) carry \d+\.\d% of profit", out)
    for needle in ("assets under management", "do-not-contact", "29 February birthdays"):
        assert needle in out
    assert len(out.splitlines()) < 60


def test_demo_pyramid_counts_every_customer_once(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "demo", "--size", "500", "--seed", "3")
    rows = re.findall(r"^  (mass|mid_end|high_end) +\[.*?\) +([\d,]+) +([\d.]+)%", out, re.M)
    assert [tier for tier, _, _ in rows] == ["mass", "mid_end", "high_end"]
    assert sum(int(n.replace(",", "")) for _, n, _ in rows) == 500
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
    assert "regulatory_c1_c5 v1.0.0" in regulatory
    assert "as of 2025-06-30" in regulatory
    assert re.search(r"^  private_banking +\[6,000,000, inf\)", regulatory, re.M)
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
    assert (code, out, err) == (0, f"ok: practice v1.0.0 sha256:{pb.content_hash}\n", "")


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
    assert out.startswith("ok: regulatory_c1_c5 v1.0.0 sha256:")


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
