"""Tiering benchmark: custtier against the tools a bank would otherwise reach for.

Run: ``python benchmarks/bench_tiering.py [--customers N] [--pareto N]``
(needs ``pip install -e ".[bench]"``). Everything is measured in one run on the
same data and the same three-band table, and reported as ratios:

* scalar: ``assign_tier`` (a decision; its reasons, facts and KYC gaps
  rendered when read) on validated customers vs zen-engine (a JDM decision
  table) at each path its docs name (basic, loader with ``ZenDecisionContent``, ``evaluate_batch``,
  ``compile_expression``), rule-engine (per band, and as one rule) and a bare
  Python ``if/elif`` on Decimal (``peer_runs``, shared with ``suite.py``);
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

from custtier import Customer, Playbook, assign_tier, presets, trace_tier
from custtier.tiering._pareto import pareto_keys

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


def peer_runs(book: list[Customer], pb: Playbook) -> dict[str, Callable[[], list[Any]]]:
    """Each way of labelling ``book`` with the three bands, as a call returning the labels.

    zen-engine at each path its docs name: basic usage (``create_decision``),
    the loader with a pre-compiled ``ZenDecisionContent`` (the path its
    performance page recommends), ``evaluate_batch`` on that engine, the same
    two with the package's static loader config (no Python callback), and a
    compiled expression (the band table as one nested ternary: a label, no
    decision graph). rule-engine one rule per band (first match) and as one
    rule evaluating to the label. zen takes JSON numbers, so each ``Decimal``
    becomes a float on the way in; rule-engine takes the ``Decimal``.
    """
    import rule_engine
    import zen

    amounts = [c.assets_under_management for c in book]
    floats = [{"aum": float(a)} for a in amounts]
    (_, low), (_, high) = BANDS[1], BANDS[2]

    def bare() -> list[str]:
        out = []
        for a in amounts:
            if a >= high:
                out.append("high_end")
            elif a >= low:
                out.append("mid_end")
            else:
                out.append("mass")
        return out

    basic = zen.ZenEngine().create_decision(zen_table())
    content = zen.ZenDecisionContent(zen_table())  # parsed and compiled once
    engine = zen.ZenEngine({"loader": lambda key: content})
    # The package's own loader config (its type stubs): no Python call per request.
    static = zen.ZenEngine(
        {"loader": {"type": "static", "content": {"tiers.json": json.loads(zen_table())}}}
    )
    requests = [{"key": "tiers.json", "context": x} for x in floats]
    ternary = f"aum >= {high} ? 'high_end' : (aum >= {low} ? 'mid_end' : 'mass')"
    expression = zen.compile_expression(ternary)
    ctx = rule_engine.Context(default_value=None)
    per_band = [(t, rule_engine.Rule(f"aum >= {lo}", context=ctx)) for t, lo in reversed(BANDS)]
    one_rule = rule_engine.Rule(ternary, context=ctx)
    return {
        "assign_tier": lambda: [assign_tier(c, pb, as_of=AS_OF).outcome for c in book],
        "trace_tier": lambda: [trace_tier(c, pb, as_of=AS_OF).tier for c in book],
        "zen_basic": lambda: [basic.evaluate(x)["result"]["tier"] for x in floats],
        "zen_loader": lambda: [engine.evaluate("tiers.json", x)["result"]["tier"] for x in floats],
        "zen_batch": lambda: [r["data"]["result"]["tier"] for r in engine.evaluate_batch(requests)],
        "zen_static": lambda: [static.evaluate("tiers.json", x)["result"]["tier"] for x in floats],
        "zen_static_batch": lambda: [
            r["data"]["result"]["tier"] for r in static.evaluate_batch(requests)
        ],
        "zen_expression": lambda: [expression.evaluate(x) for x in floats],
        "rule_engine_rules": lambda: [
            next(t for t, r in per_band if r.matches({"aum": a})) for a in amounts
        ],
        "rule_engine_ternary": lambda: [one_rule.evaluate({"aum": a}) for a in amounts],
        "bare": bare,
    }


def bench_scalar(n: int) -> dict[str, float]:
    book = customers(n, seed=1)
    calls = peer_runs(book, aum_playbook())
    expected = calls["bare"]()
    for name, call in calls.items():  # same answers before timing anything
        assert call() == expected, f"{name} disagrees with the bare if/elif"
    slow = {"zen_basic", "rule_engine_rules", "rule_engine_ternary"}
    res = {name: best_of(call, repeat=3 if name in slow else 5) for name, call in calls.items()}
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
                 "µs / customer", "bare"))  # fmt: skip
    zen_ratio = scalar["assign_tier"] / scalar["zen_loader"]
    print(f"\nassign_tier / zen-engine loader evaluate = {zen_ratio:.2f} (goal ≤ 0.5); "
          f"assign_tier / bare = {scalar['assign_tier'] / scalar['bare']:.1f} (goal ≤ 10)\n")  # fmt: skip
    pareto = bench_pareto(args.pareto)
    print(report(f"Pareto set, {args.pareto:,} customers", pareto, "seconds",
                 "numpy argsort+cumsum"))  # fmt: skip
    print(f"\nspread check: median of scalar µs = {statistics.median(scalar.values()):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
