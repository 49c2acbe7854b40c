"""Columnar tiering benchmark: custtier.frames against numpy, pandas, polars and the scalar API.

Run: ``python benchmarks/bench_batch.py [--sizes 10000,100000,1000000] [--scalar-max N]``
(needs ``pip install -e ".[frames,bench]" pandas polars``). For every book size, one
seeded columnar book (keys, three months of average daily balances with
gaps, annual profit; money as exact integers) is tiered under the practice
preset's three bands on the three-month average daily balance:

* **custtier columnar** — ``custtier.frames.tier_table`` on an Arrow table
  (``monthly_balances`` as ``list<struct<month, decimal128>>``): validation,
  the missing-month policy, the Pareto rule, every audit column;
* the same with the Pareto rule off (bands only), to separate its cost;
* **numpy** — the average of a dense ``n × 3`` int64 matrix, ``searchsorted``
  on the bars and a label ``take`` (no validation, gaps as zero);
* **pandas** ``cut`` and **polars** ``cut`` on the same averages (float64);
* **scalar** — ``tier_book`` on already validated ``Customer`` models (up to
  ``--scalar-max`` customers; model building is not timed).

Each measurement runs in a fresh subprocess so its peak memory (``ru_maxrss``
above the data it was given) is its own. Times are the best of several
repeats. The script prints Markdown: times, ratios to numpy, peak memory and
the growth exponent ``k`` in ``time ∝ n^k`` (least squares on log-log).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

AS_OF = dt.date(2026, 11, 30)
WINDOW = ("2026-08", "2026-09", "2026-10")
BARS = (5_000_000, 50_000_000)  # ¥50,000.00 and ¥500,000.00 in fen
LABELS = ("mass", "mid_end", "high_end")
METHODS = ("columnar", "columnar_no_pareto", "numpy", "pandas", "polars", "scalar")


def book(n: int, seed: int = 2026) -> dict[str, Any]:
    """A seeded book as numpy columns: keys, an n x 3 balance matrix (0 = missing), profit."""
    import numpy as np

    rng = np.random.Generator(np.random.PCG64(seed))
    level = rng.lognormal(mean=np.log(2_000_000), sigma=1.6, size=n)  # fen
    drift = rng.normal(1.0, 0.08, size=(n, 3))
    balances = np.maximum((level[:, None] * drift).astype(np.int64), 0)
    gaps = rng.random((n, 3)) < 0.03
    balances[gaps] = 0
    profit = (level * 0.012 + rng.normal(0, 20_000, size=n)).astype(np.int64)
    return {
        "keys": np.array([f"C{i:08d}" for i in range(n)], dtype=object),
        "balances": balances,
        "present": ~gaps,
        "profit": profit,
    }


def arrow_table(data: dict[str, Any]) -> Any:
    import numpy as np
    import pyarrow as pa

    from custtier.frames._arrow import to_decimal

    n = len(data["keys"])
    present = data["present"].reshape(-1)
    values = data["balances"].reshape(-1)[present]
    months = pa.array(np.tile(np.array(WINDOW, dtype=object), n)[present], pa.string())
    money = to_decimal(values, np.zeros(len(values), dtype=np.bool_), 2)
    elements = pa.StructArray.from_arrays([months, money], ["month", "average_daily_balance"])
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(data["present"].sum(axis=1), out=offsets[1:])
    lists = pa.ListArray.from_arrays(pa.array(offsets), elements)
    profit = to_decimal(data["profit"], np.zeros(n, dtype=np.bool_), 2)
    return pa.table(
        {
            "key": pa.array(data["keys"], pa.string()),
            "annual_profit_contribution": profit,
            "monthly_balances": lists,
        }
    )


def scalar_customers(data: dict[str, Any]) -> list[Any]:
    from decimal import Decimal

    from custtier import Customer

    out = []
    for key, row, present, profit in zip(
        data["keys"], data["balances"], data["present"], data["profit"], strict=True
    ):
        out.append(
            Customer(
                key=key,
                annual_profit_contribution=Decimal(int(profit)).scaleb(-2),
                monthly_balances=[
                    {"month": m, "average_daily_balance": Decimal(int(v)).scaleb(-2)}
                    for m, v, p in zip(WINDOW, row, present, strict=True)
                    if p
                ],
            )
        )
    return out


def prepare(method: str, n: int) -> Callable[[], Any]:
    """Build the inputs of ``method`` for ``n`` customers; return the timed call."""
    import numpy as np

    from custtier import presets

    data = book(n)
    if method.startswith("columnar"):
        import custtier.frames as cf

        pb = presets.PRACTICE
        if method == "columnar_no_pareto":
            dump = pb.model_dump(mode="json")
            dump["tiering"]["pareto"] = None
            pb = type(pb).model_validate(dump)
        table = arrow_table(data)
        return lambda: cf.tier_table(table, pb, as_of=AS_OF)
    if method == "scalar":
        from custtier import tier_book

        customers = scalar_customers(data)
        return lambda: tier_book(customers, presets.PRACTICE, as_of=AS_OF)
    balances = data["balances"]
    labels = np.array(LABELS, dtype=object)
    bars = np.array(BARS, dtype=np.int64)
    if method == "numpy":
        return lambda: labels[np.searchsorted(bars, balances.sum(axis=1) // 3, side="right")]
    if method == "pandas":
        import pandas as pd

        edges = [-math.inf, *(b / 100 for b in BARS), math.inf]
        return lambda: pd.cut(
            pd.Series(balances.sum(axis=1) / 300), edges, right=False, labels=list(LABELS)
        )
    if method == "polars":
        import polars as pl

        breaks = [b / 100 for b in BARS]
        return lambda: pl.Series(balances.sum(axis=1) / 300).cut(
            breaks, labels=list(LABELS), left_closed=True
        )
    raise SystemExit(f"unknown method {method}")


def measure(method: str, n: int, repeat: int) -> dict[str, Any]:
    """In this process: time ``method`` on ``n`` customers; peak RSS above the prepared data."""
    call = prepare(method, n)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"method": method, "n": n, "seconds": min(times), "peak_mib": (peak - base) / 1024}


def check_same_answers(n: int) -> None:
    """custtier columnar = scalar API, and the bands = numpy's, before anything is timed."""
    import numpy as np

    import custtier.frames as cf
    from custtier import presets, tier_book

    data = book(n)
    pb = presets.PRACTICE
    out = cf.tier_table(arrow_table(data), pb, as_of=AS_OF)
    scalar = tier_book(scalar_customers(data), pb, as_of=AS_OF)
    assert cf.table_digest(out) == cf.table_digest(cf.tier_output_table(scalar, pb, kyc=False))
    complete = data["present"].all(axis=1)
    rule_tier = np.array(out.column("rule_tier").to_pylist(), dtype=object)
    pareto = np.array(
        ["TIER_PARETO" in codes for codes in out.column("reason_codes").to_pylist()], dtype=bool
    )
    bars = np.array(BARS, dtype=np.int64)
    avg = data["balances"].sum(axis=1) // 3  # floor; exact only where no rounding tie matters
    base = np.array(LABELS, dtype=object)[np.searchsorted(bars, avg, side="right")]
    agree = rule_tier[complete & ~pareto] == base[complete & ~pareto]
    assert agree.mean() > 0.999, agree.mean()


def exponent(points: list[tuple[int, float]]) -> float:
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    num = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    den = sum((x - mx) ** 2 for x in xs)
    return num / den if den else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--scalar-max", type=int, default=100_000)
    parser.add_argument("--one", nargs=3, metavar=("METHOD", "N", "REPEAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        method, n, repeat = args.one
        print(json.dumps(measure(method, int(n), int(repeat))))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    check_same_answers(5_000)
    results: dict[tuple[str, int], dict[str, Any]] = {}
    for n in sizes:
        for method in METHODS:
            if method == "scalar" and n > args.scalar_max:
                continue
            repeat = 5 if n <= 100_000 else 3
            if method == "scalar":
                repeat = 3 if n <= 10_000 else 1
            proc = subprocess.run(
                [sys.executable, __file__, "--one", method, str(n), str(repeat)],
                check=True,
                capture_output=True,
                text=True,
            )
            results[method, n] = json.loads(proc.stdout)
            print(f"# {method} n={n}: {results[method, n]}", file=sys.stderr)
    report(results, sizes)


def report(results: dict[tuple[str, int], dict[str, Any]], sizes: list[int]) -> None:
    import numpy as np
    import pandas as pd
    import polars as pl
    import pyarrow as pa

    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, pyarrow {pa.__version__}, "
        f"pandas {pd.__version__}, polars {pl.__version__}\n"
    )
    head = " | ".join(f"{n:,}" for n in sizes)
    print(
        f"| implementation | {head} | ratio to numpy at {sizes[-1]:,} | peak MiB at {sizes[-1]:,} | k |"
    )
    print("|---|" + "---:|" * (len(sizes) + 3))
    for method in METHODS:
        cells, points = [], []
        for n in sizes:
            r = results.get((method, n))
            if r is None:
                cells.append("—")
                continue
            cells.append(f"{r['seconds'] * 1e3:,.1f} ms")
            points.append((n, r["seconds"]))
        last = results.get((method, sizes[-1])) or results.get(
            (method, max(n for m, n in results if m == method))
        )
        base = results[("numpy", last["n"])]["seconds"]
        ratio = (
            f"{last['seconds'] / base:,.1f}× (at {last['n']:,})"
            if last["n"] != sizes[-1]
            else f"{last['seconds'] / base:,.1f}×"
        )
        k = f"{exponent(points):.2f}" if len(points) > 1 else "—"
        print(f"| {method} | {' | '.join(cells)} | {ratio} | {last['peak_mib']:,.0f} | {k} |")


if __name__ == "__main__":
    main()
