"""Workflow: tier a book on Spark and Dask whose driver may receive only a few rows.

A bank's nightly job tiers a book far larger than its driver may collect.
``tier_spark`` and ``tier_dask`` find the Pareto cut by bracketing and the
duplicate keys by a group-by, so the driver receives histograms of at most
1,024 rows and, once, at most ``max_driver_rows`` rows; the answers are
exactly ``tier_table``'s on the whole book. The Spark session of every test
caps what one action may bring to the driver at 1 MiB
(``spark.driver.maxResultSize``, Spark's smallest), below what the old
all-candidates pass collected from the books here.

Opt-in at scale: ``CUSTTIER_SCALE=10m python -m pytest
tests/test_workflows_scale.py -k at_scale -s`` tiers a 10,000,000-customer
book (``100k``, ``1m`` … work too) on Spark ``local[2]`` and Dask's processes
scheduler, the driver capped at 1 MiB per action, and compares a digest of
each output with ``tier_table`` in one process; it prints wall times and peak
memory (figures in docs/performance.md).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import resource
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytestmark = [
    pytest.mark.scaleout,
    # pyspark 4.3 warns that it "does not yet fully support pandas >= 3"; mapInArrow
    # does not go through pandas.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

pa = pytest.importorskip("pyarrow", reason='scale-out tests need pip install "custtier[frames]"')
np = pytest.importorskip("numpy", reason='scale-out tests need pip install "custtier[frames]"')

import custtier.frames as cf  # noqa: E402  # after the importorskip above, on purpose
from custtier import presets  # noqa: E402
from custtier.frames._bounded import (  # noqa: E402  # the engine-neutral loop, tested directly
    DEFAULT_BUCKETS,
    Histogram,
    Slice,
    bracket_cut,
)

AS_OF = dt.date(2026, 11, 30)
PB = presets.PRACTICE
#: What the driver may receive in one fetch, in these tests.
CAP = 64
#: Arrow bytes a fetched row may take: a key of at most 64 bytes, its offset and
#: an int64 (candidates), or seven int64 (a histogram bucket), plus validity bits.
ROW_BYTES = 80


def book(n: int, *, seed: int, prefix: str = "C", duplicated: int = 0, tied: int = 0) -> Any:
    """``n`` customers in tier_table's input columns, built column by column.

    Keys are ``prefix`` + a zero-padded number. ``duplicated`` keys occur
    twice, the copies half a book apart (so in other partitions); ``tied``
    customers share the book's largest profit. Every 997th row has a foreign
    currency (an error row). Profits are log-normal, some zero or negative.
    """
    rng = np.random.Generator(np.random.PCG64(seed))
    numbers = np.arange(n)
    if duplicated:
        numbers[n // 2 : n // 2 + duplicated] = numbers[:duplicated]
    width = max(8, 64 - len(prefix)) if len(prefix) > 1 else 8
    keys = pa.array([f"{prefix}{i:0{width}d}" for i in numbers.tolist()], pa.string())
    profit = rng.lognormal(8, 2, n).astype(np.int64) - 200
    if tied:
        profit[rng.choice(n, tied, replace=False)] = int(profit.max()) + 1
    balances = rng.lognormal(11, 1.5, 3 * n).astype(np.int64)
    months = pa.array(["2026-08", "2026-09", "2026-10"] * n, pa.string())
    monthly = pa.ListArray.from_arrays(
        pa.array(np.arange(0, 3 * n + 1, 3, dtype=np.int32)),
        pa.StructArray.from_arrays(
            [months, pa.array(balances)], names=["month", "average_daily_balance"]
        ),
    )
    currency = np.where(numbers % 997 == 5, "USD", "CNY")
    return pa.table(
        {
            "key": keys,
            "currency": pa.array(currency.tolist(), pa.string()),
            "assets_under_management": pa.array(balances[::3]),
            "annual_profit_contribution": pa.array(profit),
            "monthly_balances": monthly,
        }
    )


def bounded(fetches: list[cf.ToDriver], cap: int) -> None:
    """Every fetch within the stated bound: histograms <= buckets rows, others <= cap rows."""
    assert fetches
    for f in fetches:
        limit = DEFAULT_BUCKETS if f.step == "Pareto histogram" else cap
        assert f.rows <= limit, f
        assert f.nbytes <= ROW_BYTES * max(f.rows, 1), f


# --------------------------------------------------------------------------- the loop itself


class LocalBook:
    """The candidates as in-process partitions; what the driver received, fetch by fetch."""

    def __init__(self, parts: list[Any]) -> None:
        self.parts = parts
        self.fetches: list[cf.ToDriver] = []

    def _fetched(self, table: Any, step: str) -> Any:
        self.fetches.append(cf.ToDriver(step, table.num_rows, table.nbytes))
        return table

    def histogram(self, job: Histogram) -> Any:
        each = pa.concat_tables([job.table(p) for p in self.parts])
        summed = each.group_by("bucket").aggregate(
            [(c, "sum") for c in ("rows", "s0", "s1", "s2")] + [("lo", "min"), ("hi", "max")]
        )
        summed = summed.rename_columns([c.rsplit("_", 1)[0] for c in summed.column_names])
        return self._fetched(summed, "Pareto histogram")

    def rows(self, job: Slice) -> Any:
        return self._fetched(pa.concat_tables([job.table(p) for p in self.parts]), "rows")


@st.composite
def candidate_books(draw: st.DrawFn) -> tuple[Any, list[int]]:
    """Unique keys (some long, sharing prefixes) and profits with many ties; partition cuts."""
    n = draw(st.integers(1, 120))
    prefix = draw(st.sampled_from(["", "branch-0042.relationship.", "x" * 50]))
    numbers = draw(st.lists(st.integers(0, 10**6), min_size=n, max_size=n, unique=True))
    keys = [f"K{prefix}{i}" for i in numbers]
    profits = draw(
        st.lists(
            st.one_of(st.sampled_from([7, 10**17]), st.integers(1, 10**17), st.integers(1, 50)),
            min_size=n,
            max_size=n,
        )
    )
    cuts = sorted(draw(st.lists(st.integers(0, n), max_size=4)))
    table = pa.table({"customer_key": keys, "profit_minor_units": pa.array(profits, pa.int64())})
    return table, cuts


@given(candidate_books(), st.integers(1, 6), st.integers(2, 5))
def test_bracketing_gives_pareto_cut_exactly_with_any_cap(
    drawn: tuple[Any, list[int]], cap: int, buckets: int
) -> None:
    table, cuts = drawn
    edges = [0, *cuts, table.num_rows]
    parts = [table.slice(a, b - a) for a, b in itertools.pairwise(edges)]
    local = LocalBook(parts)
    assert bracket_cut(local, PB, max_rows=cap, buckets=buckets) == cf.pareto_cut(table, PB)
    assert all(f.rows <= (buckets if f.step == "Pareto histogram" else cap) for f in local.fetches)


@pytest.mark.parametrize("cap", [1, 2, 64])
def test_a_running_profit_of_exactly_80_percent_ends_the_set_there(cap: int) -> None:
    # 400 + 400 of 1,000 is exactly 80 %: the set is the two 400s, not one customer more.
    table = pa.table(
        {
            "customer_key": ["a", "b", "c", "d", "e"],
            "profit_minor_units": pa.array([400, 400, 100, 50, 50]),
        }
    )
    cut = bracket_cut(LocalBook([table.slice(0, 2), table.slice(2)]), PB, max_rows=cap)
    assert (cut.count, cut.profit_minor_units, cut.customer_key) == (2, 400, "b")
    assert cut == cf.pareto_cut(table, PB)


def test_many_customers_on_the_threshold_profit_cost_rounds_not_driver_rows() -> None:
    # The worst case: 20,000 customers share every profit, keys share a 50-byte prefix.
    n = 20_000
    keys = [f"{'x' * 50}{i:08d}" for i in range(n)]
    table = pa.table({"customer_key": keys, "profit_minor_units": pa.array([500] * n, pa.int64())})
    parts = [table.slice(i, 5_000) for i in range(0, n, 5_000)]
    local = LocalBook(parts)
    cut = bracket_cut(local, PB, max_rows=CAP)
    assert cut == cf.pareto_cut(table, PB)
    assert cut.count == 16_000  # 80 % of equal profits: the 16,000 smallest keys
    rounds = [f for f in local.fetches if f.step == "Pareto histogram"]
    # One round fixes the profit, then one per shared 8-byte key word (6 of them:
    # 50 x's and the first digits), then the words that differ are narrowed.
    assert 7 <= len(rounds) <= 12
    assert max(f.rows for f in local.fetches if f.step == "rows") <= CAP


# --------------------------------------------------------------------------- Spark and Dask


def old_candidates_pass(spark: Any, frame: Any) -> Any:
    """Before issue 18: every positive-profit candidate to the driver."""
    from pyspark.sql.pandas.types import from_arrow_schema

    mapper = cf.TierMapper(PB, AS_OF)
    schema = from_arrow_schema(cf.pareto_candidates_schema())
    return frame.mapInArrow(mapper.candidates, schema).toArrow()


def test_tier_a_book_on_spark_whose_driver_may_receive_only_64_rows(
    spark: Any, written: Any
) -> None:
    # 64-byte keys: the candidates alone are about 1.3 MiB, over the 1 MiB cap.
    table = book(18_000, seed=18, prefix="branch-0042.", duplicated=300)
    local = cf.tier_table(table, PB, as_of=AS_OF)
    expected = cf.table_digest(local)
    frame = spark.createDataFrame(table).repartition(4)
    with pytest.raises(Exception, match="maxResultSize"):
        old_candidates_pass(spark, frame)
    fetches: list[cf.ToDriver] = []
    lazy = cf.tier_spark(frame, PB, as_of=AS_OF, max_driver_rows=CAP, on_fetch=fetches.append)
    result = written(lazy, cf.tier_output_schema(PB))
    assert cf.table_digest(result) == expected
    bounded(fetches, CAP)
    # 300 duplicated keys are more than the driver may receive: they were joined, not fetched.
    assert "duplicate keys" not in {f.step for f in fetches}
    dup = result.filter(pa.compute.equal(result["error_code"], "duplicate_key"))
    assert dup.num_rows == 598  # 300 keys twice, less a pair whose other copy is an error row


def test_tier_a_book_on_dask_whose_driver_may_receive_only_64_rows() -> None:
    pd = pytest.importorskip("pandas", reason='Dask tests need pip install "custtier[dask]"')
    dd = pytest.importorskip(
        "dask.dataframe", reason='Dask tests need pip install "custtier[dask]"'
    )
    table = book(18_000, seed=18, prefix="branch-0042.", duplicated=300)
    expected = cf.table_digest(cf.tier_table(table, PB, as_of=AS_OF))
    frame = dd.from_pandas(table.to_pandas(types_mapper=pd.ArrowDtype), npartitions=4)
    fetches: list[cf.ToDriver] = []
    options: dict[str, Any] = {"max_driver_rows": CAP, "on_fetch": fetches.append}
    lazy = cf.tier_dask(frame, PB, as_of=AS_OF, scheduler="processes", **options)
    result = lazy.compute(scheduler="processes")
    assert cf.table_digest(pa.Table.from_pandas(result, preserve_index=False)) == expected
    assert list(result.index) == list(range(table.num_rows))  # each partition's index kept
    bounded(fetches, CAP)


@pytest.mark.parametrize("engine", ["spark", "dask"])
def test_a_book_where_thousands_share_the_threshold_profit_on_each_engine(
    engine: str, request: pytest.FixtureRequest
) -> None:
    # 3,000 customers on the top profit, carrying far more than 80 % of the book's:
    # the cut falls among them, decided by key.
    table = book(4_000, seed=7, prefix="C", duplicated=5, tied=3_000)
    local = cf.tier_table(table, PB, as_of=AS_OF)
    fetches: list[cf.ToDriver] = []
    options: dict[str, Any] = {"max_driver_rows": CAP, "on_fetch": fetches.append}
    if engine == "spark":
        spark, written = request.getfixturevalue("spark"), request.getfixturevalue("written")
        frame = spark.createDataFrame(table).repartition(3)
        result = written(cf.tier_spark(frame, PB, as_of=AS_OF, **options), local.schema)
    else:
        pd = pytest.importorskip("pandas")
        dd = pytest.importorskip("dask.dataframe")
        frame = dd.from_pandas(table.to_pandas(types_mapper=pd.ArrowDtype), npartitions=3)
        lazy = cf.tier_dask(frame, PB, as_of=AS_OF, scheduler="processes", **options)
        result = pa.Table.from_pandas(lazy.compute(scheduler="processes"), preserve_index=False)
    assert cf.table_digest(result) == cf.table_digest(local)
    bounded(fetches, CAP)
    assert {f.step for f in fetches} >= {"duplicate keys", "Pareto bracket rows"}
    assert sum(f.step == "Pareto histogram" for f in fetches) >= 2  # the tie took rounds


def occasions_book() -> Any:
    """A cadence input whose keys repeat across partitions."""
    from custtier import synth

    source = synth.book(300, seed=11, as_of=AS_OF, playbook=PB)
    decided = cf.tier_table(cf.tier_input_table(source.customers, PB, as_of=AS_OF), PB, as_of=AS_OF)
    tiers = dict(zip(decided["customer_key"].to_pylist(), decided["tier"].to_pylist(), strict=True))
    table = cf.occasions_input_table(source.customers, tiers)
    return pa.concat_tables([table, table.slice(0, 40)])  # 40 keys twice, far apart


START, END = dt.date(2027, 1, 1), dt.date(2027, 3, 31)


def test_occasions_on_spark_number_rows_over_the_frame_and_find_duplicates_across_it(
    spark: Any, written: Any
) -> None:
    table = occasions_book()
    expected = cf.occasions_table(table, PB, start=START, end=END)
    frame = spark.createDataFrame(table)  # in order, batches of 64 rows
    for cap in (CAP, 10):  # 40 duplicated keys: fetched, then joined
        fetches: list[cf.ToDriver] = []
        lazy = cf.occasions_spark(
            frame, PB, start=START, end=END, max_driver_rows=cap, on_fetch=fetches.append
        )
        result = written(lazy, expected.schema)
        assert cf.table_digest(result) == cf.table_digest(expected)
        assert ("duplicate keys" in {f.step for f in fetches}) is (cap == CAP)
        bounded(fetches, cap)
    errors = expected.filter(pa.compute.equal(expected["error_code"], "duplicate_key"))
    assert errors.num_rows == 80


def test_occasions_on_dask_number_rows_over_the_frame_and_find_duplicates_across_it() -> None:
    pd = pytest.importorskip("pandas", reason='Dask tests need pip install "custtier[dask]"')
    dd = pytest.importorskip(
        "dask.dataframe", reason='Dask tests need pip install "custtier[dask]"'
    )
    table = occasions_book()
    expected = cf.table_digest(cf.occasions_table(table, PB, start=START, end=END))
    frame = dd.from_pandas(table.to_pandas(types_mapper=pd.ArrowDtype), npartitions=3)
    for cap in (CAP, 10):  # 40 duplicated keys: fetched, then broadcast lazily
        lazy = cf.occasions_dask(
            frame, PB, start=START, end=END, scheduler="processes", max_driver_rows=cap
        )
        result = lazy.compute(scheduler="processes")
        assert cf.table_digest(pa.Table.from_pandas(result, preserve_index=False)) == expected


# --------------------------------------------------------------------------- opt-in: at scale


def _scale() -> int:
    flag = os.environ.get("CUSTTIER_SCALE", "")
    found = re.fullmatch(r"(\d+)([km]?)", flag.lower())
    if not found:
        return 0
    return int(found[1]) * {"": 1, "k": 1_000, "m": 1_000_000}[found[2]]


def _peak_mib(pid: int | str = "self") -> float:
    """A process's peak resident memory (``VmHWM``), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def row_digest(tables: Any, schema: Any) -> tuple[int, int, int]:
    """Rows, and two sums of polars row hashes (mod 2**64): order-free and streamable."""
    pl = pytest.importorskip("polars")
    rows = a = b = 0
    for table in tables:
        frame = pl.from_arrow(table.select(schema.names).cast(schema))
        rows += frame.height
        a = (a + int(frame.hash_rows(seed=1).to_numpy().sum(dtype=np.uint64))) % 2**64
        b = (b + int(frame.hash_rows(seed=2).to_numpy().sum(dtype=np.uint64))) % 2**64
    return rows, a, b


def parquet_digest(path: Path, schema: Any) -> tuple[int, int, int]:
    import pyarrow.parquet as pq

    files = sorted(path.rglob("*.parquet"))
    return row_digest(
        (pa.Table.from_batches([b]) for f in files for b in pq.ParquetFile(f).iter_batches()),
        schema,
    )


@pytest.mark.skipif(not _scale(), reason="opt-in: CUSTTIER_SCALE=10m (see the module docstring)")
def test_tier_a_book_at_scale_on_spark_and_dask_with_a_capped_driver(
    tmp_path: Path, spark: Any
) -> None:
    import pyarrow.parquet as pq

    n = _scale()
    schema = cf.tier_output_schema(PB)
    source = tmp_path / "book"
    source.mkdir()
    step = 1_000_000
    started = time.perf_counter()
    for i, at in enumerate(range(0, n, step)):
        part = book(min(step, n - at), seed=1_000 + i)
        keys = pa.array([f"C{k:09d}" for k in range(at, at + part.num_rows)], pa.string())
        pq.write_table(part.set_column(0, "key", keys), source / f"part-{i:04d}.parquet")
    print(f"\nbook of {n:,} written in {time.perf_counter() - started:.1f} s")
    figures: dict[str, Any] = {}

    fetches: list[cf.ToDriver] = []
    started = time.perf_counter()
    frame = spark.read.parquet(str(source))
    lazy = cf.tier_spark(frame, PB, as_of=AS_OF, on_fetch=fetches.append)
    cut_done = time.perf_counter() - started
    lazy.write.parquet(str(tmp_path / "spark"))
    figures["spark"] = (cut_done, time.perf_counter() - started, _peak_mib())
    jvm = spark.sparkContext._gateway.proc.pid  # the local JVM, for its memory
    figures["spark jvm peak MiB"] = _peak_mib(jvm)
    bounded(fetches, cf.DEFAULT_DRIVER_ROWS)
    figures["spark fetches"] = [(f.step, f.rows, f.nbytes) for f in fetches]
    spark_digest = parquet_digest(tmp_path / "spark", schema)

    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    fetches = []
    started = time.perf_counter()
    frame = dd.read_parquet(str(source), dtype_backend="pyarrow")
    lazy = cf.tier_dask(frame, PB, as_of=AS_OF, scheduler="processes", on_fetch=fetches.append)
    cut_done = time.perf_counter() - started
    lazy.to_parquet(str(tmp_path / "dask"), compute_kwargs={"scheduler": "processes"})
    figures["dask"] = (cut_done, time.perf_counter() - started, _peak_mib())
    bounded(fetches, cf.DEFAULT_DRIVER_ROWS)
    figures["dask fetches"] = [(f.step, f.rows, f.nbytes) for f in fetches]
    dask_digest = parquet_digest(tmp_path / "dask", schema)
    del pd

    started = time.perf_counter()
    local = cf.tier_table(pq.read_table(source), PB, as_of=AS_OF)
    figures["in process"] = (time.perf_counter() - started, _peak_mib())
    local_digest = row_digest(local.to_batches(1_000_000), schema)
    for name, value in figures.items():
        print(f"{name}: {value}")
    assert local_digest[0] == n
    assert spark_digest == local_digest
    assert dask_digest == local_digest
