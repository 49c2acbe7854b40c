"""Tiering on Spark local[2] and Dask, stage by stage: the figures of docs/scale-out.md's capacity model.

A lean book of ``--customers`` rows (key, currency, AUM, profit, three
monthly balances; log-normal money, as tests/test_workflows_scale.py builds
it) is written to Parquet in ``--files`` files, then tiered under the
practice preset by ``tier_spark`` (the driver capped at 1 MiB per action)
and, with ``--dask``, by ``tier_dask`` on the processes scheduler, each
output written back to Parquet. For Spark, each phase runs under its own
job description and Spark's own REST API (the UI) gives, per phase: task
time summed over cores (core-seconds), records in and out, and shuffle
bytes written; rows per second per core = rows / core-seconds. What the
driver received comes from ``on_fetch``. In-process ``tier_table`` on the
same book, on one core, is the baseline.

    python benchmarks/bench_scaleout.py --customers 2000000 [--dask]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

import custtier.frames as cf
from custtier import presets

AS_OF = dt.date(2026, 11, 30)
PB = presets.PRACTICE


def lean_book(start: int, n: int, *, seed: int) -> Any:
    """Rows ``start`` to ``start + n`` of the book: tier_table's input columns only."""
    rng = np.random.Generator(np.random.PCG64(seed))
    keys = pa.array([f"C{i:09d}" for i in range(start, start + n)], pa.string())
    profit = rng.lognormal(8, 2, n).astype(np.int64) - 200
    balances = rng.lognormal(11, 1.5, 3 * n).astype(np.int64)
    monthly = pa.ListArray.from_arrays(
        pa.array(np.arange(0, 3 * n + 1, 3, dtype=np.int32)),
        pa.StructArray.from_arrays(
            [pa.array(["2026-08", "2026-09", "2026-10"] * n), pa.array(balances)],
            names=["month", "average_daily_balance"],
        ),
    )
    return pa.table(
        {
            "key": keys,
            "currency": pa.array(["CNY"] * n, pa.string()),
            "assets_under_management": pa.array(balances[::3]),
            "annual_profit_contribution": pa.array(profit),
            "monthly_balances": monthly,
        }
    )


def peak_mib(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def rest(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as reply:  # Spark's local UI
        return json.loads(reply.read())


def spark_run(source: Path, out: Path, n: int) -> dict[str, Any]:
    os.environ["PYSPARK_PYTHON"] = os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("custtier-bench-scaleout")
        .config("spark.driver.memory", "4g")
        .config("spark.driver.maxResultSize", "1m")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    sc = spark.sparkContext
    sc.setLogLevel("ERROR")
    fetches: list[tuple[float, cf.ToDriver]] = []
    started = time.perf_counter()

    def seen(fetch: cf.ToDriver) -> None:
        fetches.append((time.perf_counter() - started, fetch))
        sc.setJobDescription("cut" if fetch.step.startswith("duplicate") else "cut rounds")

    sc.setJobDescription("keys")
    frame = spark.read.parquet(str(source))
    lazy = cf.tier_spark(frame, PB, as_of=AS_OF, on_fetch=seen)
    cut_at = time.perf_counter() - started
    sc.setJobDescription("tier")
    lazy.write.parquet(str(out))
    total = time.perf_counter() - started
    app = rest(f"{sc.uiWebUrl}/api/v1/applications")[0]["id"]
    base = f"{sc.uiWebUrl}/api/v1/applications/{app}"
    jobs = rest(f"{base}/jobs")
    stages = {s["stageId"]: s for s in rest(f"{base}/stages?details=false")}
    phases: dict[str, dict[str, float]] = {}
    for job in jobs:
        phase = phases.setdefault(
            job.get("description", "?"),
            {"jobs": 0, "core_s": 0, "in": 0, "out": 0, "shuffle_w": 0, "shuffle_r": 0},
        )
        phase["jobs"] += 1
        for sid in job["stageIds"]:
            s = stages.get(sid)
            if s is None or s.get("status") != "COMPLETE":
                continue
            phase["core_s"] += s["executorRunTime"] / 1000
            phase["in"] += s["inputRecords"]
            phase["out"] += s["outputRecords"]
            phase["shuffle_w"] += s["shuffleWriteBytes"]
            phase["shuffle_r"] += s["shuffleReadBytes"]
    jvm = peak_mib(sc._gateway.proc.pid)  # the local JVM's own peak
    spark.stop()
    return {
        "cut_s": cut_at,
        "total_s": total,
        "phases": phases,
        "fetches": [(round(t, 1), f.step, f.rows, f.nbytes) for t, f in fetches],
        "driver_python_peak_mib": peak_mib(),
        "jvm_peak_mib": jvm,
        "rows": n,
    }


def dask_run(source: Path, out: Path) -> dict[str, Any]:
    import dask.dataframe as dd

    fetches: list[tuple[float, cf.ToDriver]] = []
    started = time.perf_counter()
    frame = dd.read_parquet(str(source), dtype_backend="pyarrow")

    def seen(fetch: cf.ToDriver) -> None:
        fetches.append((time.perf_counter() - started, fetch))

    lazy = cf.tier_dask(frame, PB, as_of=AS_OF, scheduler="processes", on_fetch=seen)
    cut_at = time.perf_counter() - started
    lazy.to_parquet(str(out), compute_kwargs={"scheduler": "processes"})
    return {
        "cut_s": cut_at,
        "total_s": time.perf_counter() - started,
        "fetches": [(round(t, 1), f.step, f.rows, f.nbytes) for t, f in fetches],
        "driver_peak_mib": peak_mib(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2_000_000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--dask", action="store_true")
    parser.add_argument("--local", action="store_true", help="also tier_table in this process")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="custtier-scaleout-") as tmp:
        root = Path(tmp)
        (root / "book").mkdir()
        per = -(-args.customers // args.files)
        for i, start in enumerate(range(0, args.customers, per)):
            part = lean_book(start, min(per, args.customers - start), seed=1_000 + i)
            pq.write_table(part, root / "book" / f"part-{i:04d}.parquet")
        size = sum(f.stat().st_size for f in (root / "book").iterdir())
        print(f"book: {args.customers:,} customers, {size / 2**20:.0f} MiB of Parquet")
        result: dict[str, Any] = {"spark": spark_run(root / "book", root / "spark", args.customers)}
        if args.dask:
            result["dask"] = dask_run(root / "book", root / "dask")
        if args.local:
            os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
            started = time.perf_counter()
            cf.tier_table(pq.read_table(root / "book"), PB, as_of=AS_OF)
            result["in_process_one_core_s"] = time.perf_counter() - started
        print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
