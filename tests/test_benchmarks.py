"""The benchmark suite runs end to end (tiny sizes): ``pytest --run-slow tests/test_benchmarks.py``.

Nothing is timed or asserted about speed here; the suite needs the ``bench``,
``frames`` and ``calendars`` extras, and is skipped without them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SUITE = Path(__file__).resolve().parent.parent / "benchmarks" / "suite.py"
HEADERS = (
    "## Machine",
    "## 1. Tiering, columnar",
    "## 2. Ingest",
    "## 3. One customer end to end",
    "## 4. A 2,000-customer book",
    "## 5. Peers at their fastest documented path",
)


@pytest.mark.slow
def test_suite_quick_runs_every_section(tmp_path: Path) -> None:
    for module in ("numpy", "pyarrow", "pandas", "polars", "zen", "rule_engine", "holidays"):
        pytest.importorskip(module)
    out = tmp_path / "suite.md"
    proc = subprocess.run(
        [sys.executable, str(SUITE), "--quick", "--sizes", "2000", "--customers", "100",
         "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    for header in HEADERS:
        assert header in proc.stdout, header
    assert "failed" not in proc.stderr, proc.stderr[-2000:]
    assert out.read_text(encoding="utf-8").strip() == proc.stdout.strip()


def test_rule_twins_counts_every_listed_function() -> None:
    """The twin count of issue 13 names functions by hand: a rename must update it, not break it."""
    proc = subprocess.run(
        [sys.executable, str(SUITE.with_name("rule_twins.py"))],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr or proc.stdout
    rows = {
        line.split("|")[1].strip(): line
        for line in proc.stdout.splitlines()
        if line.startswith("| ")
    }
    assert {"tiering", "suitability", "cadence", "all"} <= rows.keys(), proc.stdout
