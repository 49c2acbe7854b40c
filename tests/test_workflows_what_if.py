"""Acceptance: a policy committee asks what raising the wealth bar would do, before approving it."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

import strategies as cst
from custtier import Customer, Playbook, presets, simulate, synth, tier_book
from custtier.errors import InputError

AS_OF = dt.date(2026, 11, 30)
LAST_MONTH = dt.date(2026, 10, 31)


def _adb(c: Customer, as_of: dt.date) -> Decimal | None:
    """The preset's basis, from the data: mean of the 3 months before as_of's month, 2 needed."""
    y, m = as_of.year, as_of.month
    window = []
    for _ in range(3):
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        window.append(f"{y:04d}-{m:02d}")
    values = [b.average_daily_balance for b in c.monthly_balances if b.month in window]
    return sum(values, Decimal(0)) / len(values) if len(values) >= 2 else None


def _pareto(customers: list[Customer], share: Decimal) -> set[str]:
    """The 80/20 set, from the data: highest profit first, ties by key, until the share is met."""
    positive = [c for c in customers if c.annual_profit_contribution > 0]
    total = sum((c.annual_profit_contribution for c in positive), Decimal(0))
    ranked = sorted(positive, key=lambda c: (-c.annual_profit_contribution, c.key))
    members: set[str] = set()
    running = Decimal(0)
    for c in ranked:
        if running >= share * total:
            break
        members.add(c.key)
        running += c.annual_profit_contribution
    return members


def test_raise_the_wealth_bar_to_600k_and_add_a_grace_period() -> None:
    current = presets.PRACTICE
    data = cst.playbook_data(current)
    data["version"] = "1.3.0"
    data["tiering"]["bases"][0]["bands"][1]["upper"] = "600000"  # mid-end ends at 600k
    data["tiering"]["bases"][0]["bands"][2]["lower"] = "600000"  # the wealth bar
    data["tiering"]["hysteresis"]["grace_months"] = 12  # a year's grace, not three months
    proposed = Playbook.model_validate(data)
    book = synth.book(5000, seed=16, as_of=AS_OF)
    customers = list(book.customers)
    # Last month's ratings under today's rules: hysteresis keeps whoever was already high-end.
    previous = tier_book(customers, current, as_of=LAST_MONTH).decisions

    fresh = simulate(customers, current, proposed, as_of=AS_OF)
    impact = simulate(
        customers, current, proposed, as_of=AS_OF, catalogue=book.catalogue, previous=previous
    )

    # The diff names the band and the grace period, with old and new values.
    changes = {(c.rule_id, c.old, c.new) for c in impact.changes}
    assert ("tier.adb.high_end", Decimal(500000), Decimal(600000)) in changes
    assert ("tier.adb.mid_end", Decimal(500000), Decimal(600000)) in changes
    assert ("tier.hysteresis", 3, 12) in changes
    assert proposed.find_rule("tier.adb.high_end") is not None

    # Who moves, computed from the data alone: ADB in [500k, 600k), not in the 80/20 set,
    # and not high-end last month (then the grace period holds them).
    pareto = _pareto(customers, Decimal("0.8"))
    was_high = {d.customer_key for d in previous if d.tier == "high_end"}
    in_gap = {
        c.key
        for c in customers
        if (adb := _adb(c, AS_OF)) is not None and Decimal(500000) <= adb < Decimal(600000)
    }
    # A fresh rating (no previous decisions): the bar alone decides.
    assert {m.customer_key for m in fresh.moved} == in_gap - pareto
    expected = in_gap - pareto - was_high
    assert expected  # the synthetic book has customers in the gap, or the test proves nothing
    assert (in_gap - pareto) & was_high  # and some the grace period keeps
    assert {m.customer_key for m in impact.moved} == expected
    for m in impact.moved:
        assert (m.current.tier, m.proposed.tier) == ("high_end", "mid_end")
        assert "tier.adb.high_end" in {r.rule_id for r in m.current.reasons}
        assert m.proposed.playbook.version == "1.3.0"

    # The matrix carries them, with their money.
    by_key = {c.key: c for c in customers}
    cell = impact.cell("high_end", "mid_end")
    assert cell.customers == len(expected)
    assert cell.aum == sum((by_key[k].assets_under_management for k in expected), Decimal(0))
    assert cell.profit == sum((by_key[k].annual_profit_contribution for k in expected), Decimal(0))
    assert impact.decided == len(customers)
    assert impact.errors == ()

    # What they lose: the high-end services, and the products reserved for high-end.
    lost = {s.customer_key: s.lost for s in impact.services}
    assert set(lost) == expected
    assert all("wealth_package" in services for services in lost.values())
    reserved = {p.id for p in book.catalogue if "high_end" in p.reserved_for_tiers}
    lost_products = {(e.customer_key, e.product_id) for e in impact.eligibility if not e.gained}
    assert {p for _, p in lost_products} <= reserved
    assert {k for k, _ in lost_products} <= expected
    assert not [e for e in impact.eligibility if e.gained]


def test_the_committee_runs_the_what_if_from_the_command_line(tmp_path: Path) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "custtier", *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
            cwd=tmp_path,
        )

    assert cli("synth", "--size", "800", "--seed", "16", "--out", "book.jsonl").returncode == 0
    data = cst.playbook_data(presets.PRACTICE)
    (tmp_path / "current.json").write_text(json.dumps(data), encoding="utf-8")
    data["version"] = "1.3.0"
    data["tiering"]["bases"][0]["bands"][1]["upper"] = "600000"
    data["tiering"]["bases"][0]["bands"][2]["lower"] = "600000"
    (tmp_path / "proposed.json").write_text(json.dumps(data), encoding="utf-8")
    with (tmp_path / "book.jsonl").open("a", encoding="utf-8") as f:
        f.write("not json\n")
    run = cli(
        "simulate",
        "book.jsonl",
        "--playbook",
        "proposed.json",
        "--against",
        "current.json",
        "--as-of",
        "2026-11-30",
        "--catalogue",
        "book.catalogue.json",
        "-o",
        "impact.jsonl",
    )
    assert run.returncode == 1  # the unreadable line
    lines = [json.loads(x) for x in (tmp_path / "impact.jsonl").read_text("utf-8").splitlines()]
    kinds = Counter(x["kind"] for x in lines)
    assert kinds["cell"] == 9
    assert kinds["error"] == 1
    assert [x["line"] for x in lines if x["kind"] == "error"] == [801]
    moved = [x for x in lines if x["kind"] == "moved"]
    assert moved
    assert all((x["from"], x["to"]) == ("high_end", "mid_end") for x in moved)
    band = next(x for x in lines if x["kind"] == "change" and x["rule_id"] == "tier.adb.high_end")
    assert (band["old"], band["new"]) == ("500000", "600000")
    assert f"{len(moved)} moved" in run.stderr
    # The library on the same book says the same.
    customers = [
        json.loads(x) for x in (tmp_path / "book.jsonl").read_text("utf-8").splitlines()[:-1]
    ]
    impact = simulate(customers, presets.PRACTICE, Playbook.model_validate(data), as_of=AS_OF)
    assert [m.customer_key for m in impact.moved] == [x["customer_key"] for x in moved]


def test_a_policy_committee_simulates_raising_the_wealth_bar_on_a_large_book_from_the_command_line_parquet_details(
    tmp_path: Path,
) -> None:
    pq = pytest.importorskip("pyarrow.parquet", reason="Parquet needs the frames extra")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "custtier", *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
            cwd=tmp_path,
        )

    assert cli("synth", "--size", "5000", "--seed", "16", "--out", "book.jsonl").returncode == 0
    data = cst.playbook_data(presets.PRACTICE)
    data["version"] = "1.3.0"
    bands = data["tiering"]["bases"][0]["bands"]
    bands[1]["upper"] = bands[2]["lower"] = "600000"
    data["tiering"]["hysteresis"]["grace_months"] = 12
    (tmp_path / "proposed.json").write_text(json.dumps(data), encoding="utf-8")
    with (tmp_path / "book.jsonl").open("a", encoding="utf-8") as f:
        f.write('{"key": "BAD", "assets_under_management": 1.5}\n')  # a float: refused
    args = [
        *("simulate", "book.jsonl", "--playbook", "proposed.json", "--against-preset", "practice"),
        *("--as-of", "2026-11-30", "--catalogue", "book.catalogue.json"),
        *("--progress", "-o", "impact.parquet"),
    ]
    strict = cli(*args)
    assert strict.returncode == 1  # one record undecided, no budget for it
    run = cli(*args, "--max-errors", "1")
    assert run.returncode == 0, run.stderr
    # The summary: records, both sides' decisions, the error by code, what moved.
    summary = run.stderr.strip().splitlines()[-1]
    assert summary.startswith("custtier simulate: 5,001 records in, 5,000 decided on both sides")
    assert "1 errors (invalid_record 1)" in summary
    assert "8 moved (high_end->mid_end 8)" in summary
    assert "simulating: 10,002/10,002 (100%)" in run.stderr  # --progress: both sides, as log lines
    rows = pq.read_table(tmp_path / "impact.parquet").to_pylist()
    kinds = Counter(r["kind"] for r in rows)
    assert kinds["cell"] == 9
    assert kinds["moved"] == 8
    assert kinds["error"] == 1
    assert kinds["manager"] > 0
    cell = next(
        r for r in rows if r["kind"] == "cell" and r["from"] == "high_end" and r["to"] == "mid_end"
    )
    # The library on the same book says the same, to the cent.
    customers = [
        json.loads(x) for x in (tmp_path / "book.jsonl").read_text("utf-8").splitlines()[:-1]
    ]
    impact = simulate(customers, presets.PRACTICE, Playbook.model_validate(data), as_of=AS_OF)
    want = impact.cell("high_end", "mid_end")
    got = (cell["customers"], Decimal(cell["aum"]), Decimal(cell["profit"]))
    assert got == (want.customers, want.aum, want.profit)
    error = next(r for r in rows if r["kind"] == "error")
    assert (error["line"], error["customer_key"], error["field"]) == (
        5001,
        "BAD",
        "assets_under_management",
    )


def test_the_committee_sees_the_migration_as_a_chart_and_in_the_notebook() -> None:
    pytest.importorskip("matplotlib", reason="charts need the plot extra")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from custtier import plot

    data = cst.playbook_data(presets.PRACTICE)
    data["version"] = "1.3.0"
    bands = data["tiering"]["bases"][0]["bands"]
    bands[1]["upper"] = bands[2]["lower"] = "600000"
    proposed = Playbook.model_validate(data)
    book = synth.book(1500, seed=16, as_of=AS_OF)
    impact = simulate(book.customers, presets.PRACTICE, proposed, as_of=AS_OF)
    fig, (left, right) = plt.subplots(1, 2)
    assert plot.migration(impact, ax=left) is left
    # Every customer decided on both sides is in one labelled cell.
    assert sum(int(t.get_text().replace(",", "")) for t in left.texts) == impact.decided
    assert [t.get_text() for t in left.get_yticklabels()] == list(impact.tiers)
    moved = [t for t in left.texts if t.get_fontweight() == "bold"]
    assert sum(int(t.get_text()) for t in moved) == len(impact.moved)
    plot.migration(impact, ax=right, value="aum")
    assert "aum" in right.get_title()
    with pytest.raises(InputError, match="customers, aum or profit"):
        plot.migration(impact, value="hours")
    fig.savefig(io.BytesIO(), format="png")
    plt.close("all")
    # In a notebook: the counts, the rule changes, the matrix and the services, a few kB.
    html = impact._repr_html_()
    assert "Migration (today -&gt; proposed)" in html
    assert "Tier services that change hands" in html
    assert len(html) < 12_000
