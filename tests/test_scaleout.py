"""Scale-out for real: Spark (local[2], mapInArrow) and Dask (processes scheduler).

Each test tiers the same seeded book on the engine and through the scalar API
and compares the digests of the two outputs. Marked ``scaleout``: deselect
with ``-m "not scaleout"``; skipped with a message when an engine (or Java,
for Spark) is not installed (``pip install "custtier[spark,dask]"``).
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import pytest

pytestmark = [
    pytest.mark.scaleout,
    # pyspark 4.3 warns that it "does not yet fully support pandas >= 3"; mapInArrow
    # does not go through pandas.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

pa = pytest.importorskip("pyarrow", reason='scale-out tests need pip install "custtier[frames]"')

import custtier.frames as cf  # noqa: E402  # after the importorskip above, on purpose
from custtier import Override, Playbook, presets, synth, tier_book  # noqa: E402

AS_OF = dt.date(2026, 11, 30)
N = 2_000
#: Manual overrides (in force, expired) that every engine must apply as tier_book does.
OVERRIDES = [
    Override(customer_key="C0000007", tier="high_end", reason="Branch president's client",
             set_by="RM-007", set_on=dt.date(2026, 1, 1), expires_on=dt.date(2026, 12, 31)),
    Override(customer_key="C0000011", tier="high_end", reason="Former board member",
             set_by="RM-007", set_on=dt.date(2025, 1, 1), expires_on=dt.date(2025, 12, 31)),
]  # fmt: skip


def book_and_digest(pb: Playbook) -> tuple[Any, str]:
    """The seeded book as an input table, and the digest of the scalar API's answer."""
    book = synth.book(N, seed=2026, as_of=AS_OF, playbook=pb)
    scalar = tier_book(book.customers, pb, as_of=AS_OF, overrides=OVERRIDES)
    table = cf.tier_input_table(book.customers, pb, as_of=AS_OF)
    return table, cf.table_digest(cf.tier_output_table(scalar, pb))


@pytest.mark.parametrize("pb", [presets.PRACTICE, presets.REGULATORY], ids=lambda p: p.id)
def test_spark_map_in_arrow_equals_the_scalar_api(spark: Any, written: Any, pb: Playbook) -> None:
    table, expected = book_and_digest(pb)
    frame = spark.createDataFrame(table).repartition(4)
    assert frame.groupBy("key").count().where("count > 1").count() == 0
    result = written(
        cf.tier_spark(frame, pb, as_of=AS_OF, overrides=OVERRIDES), cf.tier_output_schema(pb)
    )
    assert result.num_rows == N
    assert cf.table_digest(result) == expected


def test_dask_processes_scheduler_equals_the_scalar_api() -> None:
    pd = pytest.importorskip("pandas", reason='Dask tests need pip install "custtier[dask]"')
    dd = pytest.importorskip(
        "dask.dataframe", reason='Dask tests need pip install "custtier[dask]"'
    )
    pb = presets.PRACTICE
    # A hostile ambient context in the driver: nothing may depend on it.
    with decimal.localcontext() as ctx:
        ctx.prec = 5
        ctx.rounding = decimal.ROUND_UP
        table, expected = book_and_digest(pb)
        frame = dd.from_pandas(table.to_pandas(types_mapper=pd.ArrowDtype), npartitions=4)
        assert int(frame.key.value_counts().max().compute()) == 1
        lazy = cf.tier_dask(frame, pb, as_of=AS_OF, scheduler="processes", overrides=OVERRIDES)
        result = lazy.compute(scheduler="processes")
    assert len(result) == N
    assert cf.table_digest(pa.Table.from_pandas(result, preserve_index=False)) == expected


# --------------------------------------------------------------------------- one-pass recipes


def pairs_and_digest(pb: Playbook) -> tuple[Any, Any, str]:
    """Customer × catalogue pairs, the catalogue, and the in-process columnar digest.

    ``suitability_table`` equals ``check_suitability`` row by row (property
    tests in test_frames_suitability.py); here the engines must equal it.
    """
    book = synth.book(150, seed=7, as_of=AS_OF, playbook=pb)
    tiers = {d.customer_key: d.tier for d in tier_book(book.customers, pb, as_of=AS_OF).decisions}
    amounts = {(c.key, p.id): p.minimum_investment + p.increment / 2
               for c in book.customers[::3] for p in book.catalogue}  # fmt: skip
    pairs = cf.suitability_input_table(book.customers, book.catalogue, tiers=tiers, amounts=amounts)
    local = cf.suitability_table(pairs, book.catalogue, pb, as_of=AS_OF)
    return pairs, book.catalogue, cf.table_digest(local)


def occasions_and_digest(pb: Playbook) -> tuple[Any, str]:
    """The cadence input of a seeded book and the digest of its occasions.

    ``input_row`` counts over the whole frame on every engine, so a frame
    that keeps the table's row order gives the in-process numbers.
    """
    book = synth.book(400, seed=11, as_of=AS_OF, playbook=pb)
    tiers = {d.customer_key: d for d in tier_book(book.customers, pb, as_of=AS_OF).decisions}
    table = cf.occasions_input_table(book.customers, tiers)
    local = cf.occasions_table(table, pb, start=START, end=END)
    return table, cf.table_digest(local)


START, END = dt.date(2027, 1, 1), dt.date(2027, 3, 31)


def test_spark_checks_pairs_and_expands_occasions_as_in_process(spark: Any, written: Any) -> None:
    pb = presets.REGULATORY
    pairs, catalogue, expected = pairs_and_digest(pb)
    frame = spark.createDataFrame(pairs).repartition(3)
    result = written(
        cf.suitability_spark(frame, catalogue, pb, as_of=AS_OF), cf.suitability_output_schema(pb)
    )
    assert result.num_rows == pairs.num_rows
    assert cf.table_digest(result) == expected

    table, expected = occasions_and_digest(pb)
    frame = spark.createDataFrame(table)  # in order: two partitions, batches of 64 rows
    result = written(
        cf.occasions_spark(frame, pb, start=START, end=END), cf.occasions_output_schema(pb)
    )
    assert cf.table_digest(result) == expected


def test_dask_processes_check_pairs_and_expand_occasions_as_in_process() -> None:
    pd = pytest.importorskip("pandas", reason='Dask tests need pip install "custtier[dask]"')
    dd = pytest.importorskip(
        "dask.dataframe", reason='Dask tests need pip install "custtier[dask]"'
    )
    pb = presets.PRACTICE
    pairs, catalogue, expected = pairs_and_digest(pb)
    pdf = pairs.to_pandas(types_mapper=pd.ArrowDtype)
    pdf.index = pd.RangeIndex(1000, 1000 + len(pdf))  # an index of its own, kept row for row
    frame = dd.from_pandas(pdf, npartitions=3)
    result = cf.suitability_dask(frame, catalogue, pb, as_of=AS_OF).compute(scheduler="processes")
    assert cf.table_digest(pa.Table.from_pandas(result, preserve_index=False)) == expected
    assert list(result.index) == list(pdf.index)

    table, expected = occasions_and_digest(pb)
    frame = dd.from_pandas(table.to_pandas(types_mapper=pd.ArrowDtype), npartitions=3)
    lazy = cf.occasions_dask(frame, pb, start=START, end=END)
    assert not lazy.known_divisions  # many rows per customer: no index to keep
    result = lazy.compute(scheduler="processes")
    assert cf.table_digest(pa.Table.from_pandas(result, preserve_index=False)) == expected
