"""Suitability and allocation benchmark: custtier against bare Python of the same rules.

Run: ``python benchmarks/bench_suitability.py [--customers N] [--products P]``.
Defaults (10,000 customers x 100 products) take about a minute here; the
issue's full size is ``--customers 100000``. Measured in one run, on the same
synthetic book, reported per customer and as a ratio:

* ``check_suitability`` of every product of a P-product catalogue, with
  every reason, vs a bare-Python function applying the same checks and
  returning only a boolean;
* ``allocate`` of a sample amount, vs a bare-Python model-portfolio split
  (largest remainder in integer minor units, one suitable product per
  category, no reasons).
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from custtier import Customer, Playbook, Product, allocate, check_suitability, presets, synth

AS_OF = dt.date(2026, 11, 30)
AMOUNT = Decimal("250000.00")


def big_catalogue(pb: Playbook, size: int) -> list[Product]:
    base = list(synth.catalogue(pb))
    out = []
    i = 0
    while len(out) < size:
        p = base[i % len(base)]
        out.append(p.replace(id=f"{p.id}-{i // len(base):02d}"))
        i += 1
    return out


def timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def bare_suitable(pb: Playbook) -> Callable[[Customer, Product, str], bool]:
    prank = {lv.id: i for i, lv in enumerate(pb.risk.product_levels)}
    cap = {r.customer_level: prank[r.max_product_level] for r in pb.risk.suitability}
    risk_free = set(pb.risk.risk_free_categories)

    def suitable(c: Customer, p: Product, tier: str) -> bool:
        if p.reserved_for_tiers and tier not in p.reserved_for_tiers:
            return False
        if p.category in risk_free:
            return True
        ra = c.risk_assessment
        if ra is None or not ra.assessed_on <= AS_OF <= ra.valid_until:
            return False
        return prank[p.risk_level] <= cap[ra.level]

    return suitable


def bare_allocate(pb: Playbook, catalogue: list[Product]) -> Callable[[Customer, str], int]:
    suitable = bare_suitable(pb)
    weights = {mp.level: [(w.category, w.weight) for w in mp.weights]
               for mp in pb.allocation.model_portfolios}  # fmt: skip
    by_cat: dict[str, list[Product]] = {}
    for p in catalogue:
        by_cat.setdefault(p.category, []).append(p)
    units = int(AMOUNT * 100)

    def run(c: Customer, tier: str) -> int:
        ra = c.risk_assessment
        if ra is None or not ra.assessed_on <= AS_OF <= ra.valid_until:
            return units
        ws = weights[ra.level]
        scale = 10**4
        nums = [int(w * scale) for _, w in ws]
        floors = [units * n // scale for n in nums]
        rems = [units * n % scale for n in nums]
        for i in sorted(range(len(ws)), key=lambda i: -rems[i])[: units - sum(floors)]:
            floors[i] += 1
        placed = 0
        for (cat, _), share in zip(ws, floors, strict=True):
            for p in by_cat.get(cat, []):
                mn = int(p.minimum_investment * 100)
                inc = int(p.increment * 100)
                if suitable(c, p, tier) and share >= mn:
                    placed += mn + (share - mn) // inc * inc
                    break
        return placed

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--products", type=int, default=100)
    args = parser.parse_args()
    pb = presets.REGULATORY
    book = synth.customers(args.customers, seed=11, as_of=AS_OF, playbook=pb)
    catalogue = big_catalogue(pb, args.products)
    tiers = [pb.tiers[i % len(pb.tiers)].id for i in range(len(book))]
    suitable = bare_suitable(pb)

    def ct_checks() -> None:
        for c, tier in zip(book, tiers, strict=True):
            for p in catalogue:
                check_suitability(c, p, pb, as_of=AS_OF, tier=tier)

    def bare_checks() -> None:
        for c, tier in zip(book, tiers, strict=True):
            for p in catalogue:
                suitable(c, p, tier)

    # Same answers first.
    for c, tier in list(zip(book, tiers, strict=True))[:500]:
        for p in catalogue:
            assert check_suitability(c, p, pb, as_of=AS_OF, tier=tier).allowed == suitable(
                c, p, tier
            )

    base_alloc = bare_allocate(pb, catalogue)

    def ct_alloc() -> None:
        for c, tier in zip(book, tiers, strict=True):
            allocate(c, AMOUNT, catalogue, pb, as_of=AS_OF, tier=tier)

    def bare_alloc() -> None:
        for c, tier in zip(book, tiers, strict=True):
            base_alloc(c, tier)

    n = len(book)
    rows = {
        "check_suitability x catalogue": (timed(ct_checks), timed(bare_checks)),
        "allocate": (timed(ct_alloc), timed(bare_alloc)),
    }
    print(f"machine: {platform.platform()}, Python {sys.version.split()[0]}")
    print(f"### Suitability and allocation, {n:,} customers, {len(catalogue)} products\n")
    print("| operation | custtier µs / customer | bare Python µs / customer | ratio |")
    print("|---|---:|---:|---:|")
    for name, (ct, bare) in rows.items():
        print(f"| {name} | {ct / n * 1e6:,.1f} | {bare / n * 1e6:,.1f} | {ct / bare:.1f}× |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
