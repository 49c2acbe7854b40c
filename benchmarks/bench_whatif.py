"""What-if on a large book: ``frames.simulate_table`` on one core, against one ``tier_table``.

Run: ``python benchmarks/bench_whatif.py [--customers N]`` (needs the
``frames`` extra). The book is ``_bigbook.customer_table`` (validated
``synth`` customers repeated to N rows, each with its own key) with the
tiering columns and ``manager_id``; the proposal raises the wealth bar from
¥500,000 to ¥600,000 and the grace period from 3 to 12 months
(docs/what-if.md). One process pinned to one CPU, Arrow's pools at one
thread; each timing is one run (the brief asks for one), with one
``tier_table`` of the same book in the same run as the baseline, since a
simulation is two tierings plus the counting. Prints a Markdown block for
docs/performance.md; nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import sys
import time

import _bigbook
import _common as common
from suite import pin_one_core

from custtier import Playbook, presets

AS_OF = dt.date(2026, 11, 30)


def proposal() -> Playbook:
    """The practice preset with the wealth bar at ¥600,000 and a 12-month grace period."""
    data = json.loads(presets.PRACTICE.canonical_json())
    data["version"] = "1.3.0"
    bands = data["tiering"]["bases"][0]["bands"]
    bands[1]["upper"] = bands[2]["lower"] = "600000"
    data["tiering"]["hysteresis"]["grace_months"] = 12
    return Playbook.model_validate(data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    n = parser.parse_args().customers
    cpu = pin_one_core()
    import custtier.frames as cf

    t0 = time.perf_counter()
    book = _bigbook.customer_table(n, playbook=presets.PRACTICE, as_of=AS_OF)
    book = book.select([*_bigbook.TIER_COLUMNS, "manager_id"])
    made = time.perf_counter() - t0
    proposed = proposal()
    gc.collect()
    t0 = time.perf_counter()
    cf.tier_table(book, presets.PRACTICE, as_of=AS_OF)
    one = time.perf_counter() - t0
    gc.collect()
    t0 = time.perf_counter()
    impact = cf.simulate_table(book, presets.PRACTICE, proposed, as_of=AS_OF)
    both = time.perf_counter() - t0
    moved = impact.moved.num_rows
    print(common.machine_block())
    print(
        f"\nPinned to {cpu}; {n:,} customers; book built in {common.fmt_seconds(made)} (not timed).\n"
    )
    rows = [
        ("`frames.tier_table` (current only, baseline)", f"{n:,}", "", "", one),
        (
            "`frames.simulate_table` (both sides, matrix, managers)",
            f"{n:,}",
            f"{moved:,}",
            f"{len(impact.managers):,}",
            both,
        ),
    ]
    headers = ("step", "customers", "moved", "manager shifts", "time", "µs / customer")
    table = [(*r[:4], common.fmt_seconds(r[4]), f"{r[4] / n * 1e6:.2f}") for r in rows]
    print(common.md_table(headers, table, "lrrrrr"))
    print(f"\nsimulate_table / tier_table: {both / one:.2f}x; peak {common.peak_mib():,.0f} MiB")
    cell = impact.cell("high_end", "mid_end")
    print(
        f"high_end -> mid_end: {cell.customers:,} customers, AUM {cell.aum}, profit {cell.profit}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
