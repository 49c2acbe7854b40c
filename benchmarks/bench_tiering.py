"""Tiering benchmark: custtier against the tools a bank would otherwise reach for.

Run: ``python benchmarks/bench_tiering.py [--customers N] [--pareto N]``
(needs ``pip install -e ".[bench]"``). Everything is measured in one run on the
same data and the same three-band table, and reported as ratios:

* scalar: ``assign_tier`` (decision with reasons, facts, KYC gaps) on
  validated customers vs zen-engine (a JDM decision table), rule-engine (one
  rule per band, first match) and a bare Python ``if/elif`` on Decimal;
* Pareto: ``pareto_set`` / ``pareto_keys`` on N customers vs a numpy
  ``argsort`` + ``cumsum`` baseline with exact integer minor-unit sums.

Timings use the best of several repeats (``timeit``-style) because these
machines are shared; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from custtier import Customer, Playbook, assign_tier, pareto_keys, presets

AS_OF = dt.date(2026, 11, 30)
BANDS = (("mass", Decimal(0)), ("mid_end", Decimal("50000.00")), ("high_end", Decimal("500000.00")))


def aum_playbook() -> Playbook:
    """The practice preset tiering on current assets only (one basis, three bands)."""
    data = json.loads(presets.PRACTICE.canonical_json())
    basis = data["tiering"]["bases"][0]
    basis.update(basis="assets_under_management", window_months=1, min_months=1)
    data["tiering"].update(pareto=None, hysteresis=None)
    return Playbook.model_validate(data)


def customers(n: int, seed: int) -> list[Customer]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        cents = int(rnd.lognormvariate(10.5, 1.6) * 100)
        out.append(Customer(key=f"C{i:07d}", assets_under_management=Decimal(cents).scaleb(-2)))
    return out


def best_of(fn: Callable[[], Any], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def zen_table() -> str:
    """An equivalent JDM decision table (first hit) for the zen engine."""
    rules = [
        {"_id": tier, "in": f"[{lo}..{hi})" if hi is not None else f">= {lo}", "out": f'"{tier}"'}
        for (tier, lo), hi in zip(BANDS, [*[b[1] for b in BANDS[1:]], None], strict=True)
    ]
    return json.dumps({
        "contentType": "application/vnd.gorules.decision",
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "Request", "position": {"x": 0, "y": 0}},
            {"id": "out", "type": "outputNode", "name": "Response", "position": {"x": 0, "y": 0}},
            {"id": "table", "type": "decisionTableNode", "name": "Tier",
             "position": {"x": 0, "y": 0},
             "content": {"hitPolicy": "first",
                         "inputs": [{"id": "aum", "name": "AUM", "type": "expression",
                                     "field": "aum"}],
                         "outputs": [{"id": "tier", "name": "Tier", "type": "expression",
                                      "field": "tier"}],
                         "rules": [{"_id": r["_id"], "aum": r["in"], "tier": r["out"]}
                                   for r in rules]}},
        ],
        "edges": [{"id": "e1", "sourceId": "in", "targetId": "table", "type": "edge"},
                  {"id": "e2", "sourceId": "table", "targetId": "out", "type": "edge"}],
    })  # fmt: skip


def bench_scalar(n: int) -> dict[str, float]:
    import rule_engine
    import zen

    pb = aum_playbook()
    book = customers(n, seed=1)
    amounts = [c.assets_under_management for c in book]

    def bare() -> list[str]:
        out = []
        for a in amounts:
            if a >= BANDS[2][1]:
                out.append("high_end")
            elif a >= BANDS[1][1]:
                out.append("mid_end")
            else:
                out.append("mass")
        return out

    decision = zen.ZenEngine().create_decision(zen_table())
    # zen takes JSON numbers; a Decimal has to become a float on the way in.
    zen_inputs = [{"aum": float(a)} for a in amounts]

    def zen_run() -> list[Any]:
        return [decision.evaluate(x)["result"]["tier"] for x in zen_inputs]

    ctx = rule_engine.Context(default_value=None)
    re_rules = [(t, rule_engine.Rule(f"aum >= {lo}", context=ctx)) for t, lo in reversed(BANDS)]

    def re_run() -> list[str]:
        out = []
        for a in amounts:
            thing = {"aum": a}
            out.append(next(t for t, r in re_rules if r.matches(thing)))
        return out

    def custtier_run() -> list[str]:
        return [assign_tier(c, pb, as_of=AS_OF).outcome for c in book]

    # Same answers before timing anything.
    expected = bare()
    assert custtier_run() == expected
    assert zen_run() == expected
    assert re_run() == expected
    res = {
        "bare if/elif": best_of(bare),
        "custtier assign_tier": best_of(custtier_run),
        "rule-engine": best_of(re_run, repeat=3),
        "zen-engine": best_of(zen_run, repeat=3),
    }
    return {k: v / n * 1e6 for k, v in res.items()}  # µs per customer


def bench_pareto(n: int) -> dict[str, float]:
    import numpy as np

    rnd = random.Random(2)
    keys = [f"C{i:07d}" for i in range(n)]
    profits = [int(rnd.paretovariate(1.16) * 10_000) - 5_000 for _ in range(n)]  # minor units
    share = Decimal("0.8")

    def numpy_baseline() -> int:
        arr = np.asarray(profits, dtype=np.int64)
        pos = np.where(arr > 0, arr, 0)
        order = np.argsort(-pos, kind="stable")
        cum = np.cumsum(pos[order])
        target = int(pos.sum()) * 8 // 10
        return int(np.searchsorted(cum, target, side="left")) + 1

    def custtier_run() -> int:
        return len(pareto_keys(keys, profits, share))

    assert custtier_run() == numpy_baseline()
    return {
        "numpy argsort+cumsum": best_of(numpy_baseline, repeat=3),
        "custtier pareto_keys": best_of(custtier_run, repeat=3),
    }


def report(title: str, results: dict[str, float], unit: str, base: str) -> str:
    lines = [
        f"### {title}",
        "",
        f"| implementation | {unit} | ratio to {base} |",
        "|---|---:|---:|",
    ]
    for name, value in sorted(results.items(), key=lambda kv: kv[1]):
        lines.append(f"| {name} | {value:,.3f} | {value / results[base]:.2f}× |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--pareto", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"machine: {platform.platform()}, Python {sys.version.split()[0]}, "
          f"{platform.processor() or platform.machine()}")  # fmt: skip
    scalar = bench_scalar(args.customers)
    print(report(f"Scalar tiering, {args.customers:,} customers, 3 bands", scalar,
                 "µs / customer", "bare if/elif"))  # fmt: skip
    zen_ratio = scalar["custtier assign_tier"] / scalar["zen-engine"]
    print(f"\ncusttier / zen-engine = {zen_ratio:.2f} (goal ≤ 0.33); "
          f"custtier / bare = {scalar['custtier assign_tier'] / scalar['bare if/elif']:.1f} "
          "(goal ≤ 10)\n")  # fmt: skip
    pareto = bench_pareto(args.pareto)
    print(report(f"Pareto set, {args.pareto:,} customers", pareto, "seconds",
                 "numpy argsort+cumsum"))  # fmt: skip
    print(f"\nspread check: median of scalar µs = {statistics.median(scalar.values()):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
