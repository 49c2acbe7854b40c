"""Recipes for Spark and Dask, as functions: tiering in two passes, the rest in one.

The Pareto rule needs the whole book, so tiering a distributed book takes two
passes: (1) every partition reports its valid rows with positive profit
(:func:`~custtier.frames.pareto_candidates`, two narrow columns), the driver
computes the cut (:func:`~custtier.frames.pareto_cut`, two scalars);
(2) every partition is tiered with that cut (:class:`~custtier.frames.TierMapper`).
Without a Pareto rule, pass 1 is skipped. Pass 1 runs when these functions
are called; pass 2 stays lazy, as the engine's own transformations do.

Suitability pairs and contact occasions need no whole-book pass: every row
(pair, customer) is decided on its own, so :class:`RowMapper` maps each
partition through :func:`~custtier.frames.suitability_table` or
:func:`~custtier.frames.occasions_table` directly.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from custtier.cadence import Calendar
from custtier.errors import InputError, MissingExtraError
from custtier.frames._arrow import as_table
from custtier.frames._bounded import (
    DEFAULT_DRIVER_ROWS,
    DUPLICATE_COLUMN,
    ROW_COLUMN,
    BookOccasionMapper,
    BookTierMapper,
    Histogram,
    KeyScreen,
    Slice,
    ToDriver,
    bracket_cut,
    histogram_schema,
    screen_schema,
)
from custtier.frames._cadence import occasions_output_schema
from custtier.frames._suitability import suitability_output_schema, suitability_table
from custtier.frames._tier import TierMapper, pareto_candidates_schema
from custtier.frames._types import DaskFrame, FrameLike, SparkFrame
from custtier.models import Product
from custtier.rules import Playbook
from custtier.tiering import Override

__all__ = [
    "RowMapper",
    "occasions_dask",
    "occasions_spark",
    "suitability_dask",
    "suitability_spark",
    "tier_dask",
    "tier_spark",
]


def _module(name: str, extra: str, purpose: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        raise MissingExtraError(
            extra=extra, module=name.partition(".")[0], purpose=purpose
        ) from None


def tier_spark(
    frame: SparkFrame,
    playbook: Playbook,
    *,
    as_of: dt.date,
    overrides: Iterable[Override] | FrameLike | None = None,
    max_driver_rows: int = DEFAULT_DRIVER_ROWS,
    on_fetch: Callable[[ToDriver], None] | None = None,
) -> SparkFrame:
    """Tier a Spark DataFrame (columns as :func:`~custtier.frames.tier_input_schema`).

    Returns a Spark DataFrame of :func:`~custtier.frames.tier_output_schema`,
    computed partition by partition with ``mapInArrow``, equal to
    :func:`~custtier.frames.tier_table` on the whole book. Before it, the
    book's keys are checked with a group-by (every row of a key that occurs
    on more than one valid row is a ``duplicate_key`` error row) and the
    Pareto cut is found by bracketing: the driver never receives more than
    ``max_driver_rows`` rows in one result, nor histograms of more than
    1,024 rows (``docs/scale-out.md``). ``on_fetch`` is called with each
    :class:`~custtier.frames.ToDriver`. ``overrides`` (``Override``
    models or a small Arrow table) go to every partition, as in
    :func:`~custtier.frames.tier_table`.
    """
    spark = _Spark.load("tiering a Spark DataFrame")
    report = on_fetch or _ignore
    mapper = TierMapper(playbook, as_of, overrides=overrides)
    keyed = spark.keyed(frame, KeyScreen(tier=mapper)).persist()
    try:
        frame, duplicates = spark.duplicates(frame, keyed, max_driver_rows, report)
        if playbook.tiering.pareto is not None:
            candidates = keyed.where("copies = 1 AND profit_minor_units > 0").drop("copies")
            book = _SparkBook(spark, candidates, report)
            mapper = mapper.with_pareto_cut(bracket_cut(book, playbook, max_rows=max_driver_rows))
    finally:
        keyed.unpersist()
    book_mapper = BookTierMapper(mapper, duplicates)
    return frame.mapInArrow(book_mapper, spark.schema(book_mapper.output_schema))


def tier_dask(
    frame: DaskFrame,
    playbook: Playbook,
    *,
    as_of: dt.date,
    scheduler: str | None = None,
    overrides: Iterable[Override] | FrameLike | None = None,
    max_driver_rows: int = DEFAULT_DRIVER_ROWS,
    on_fetch: Callable[[ToDriver], None] | None = None,
) -> DaskFrame:
    """Tier a Dask DataFrame (Arrow-backed pandas partitions of the input schema).

    Returns a lazy Dask DataFrame of the output schema (``pd.ArrowDtype``
    columns, each partition's index kept), computed with
    ``map_partitions``, equal to :func:`~custtier.frames.tier_table` on the
    whole book. Keys are checked book-wide and the Pareto cut bracketed as
    in :func:`tier_spark`, with the same bounds on what ``compute`` brings
    back. ``scheduler`` is used for those passes (``"processes"``,
    ``"threads"``, … or None for Dask's default); ``overrides`` as for
    :func:`tier_spark`.
    """
    dask = _Dask.load("tiering a Dask DataFrame", scheduler)
    report = on_fetch or _ignore
    mapper = TierMapper(playbook, as_of, overrides=overrides)
    keyed = dask.persist(dask.keyed(frame, KeyScreen(tier=mapper)))
    duplicates = dask.duplicates(keyed, max_driver_rows, report)
    if playbook.tiering.pareto is not None:
        candidates = keyed[(keyed.copies == 1) & (keyed.profit_minor_units > 0)]
        book = _DaskBook(dask, candidates.drop(columns=["copies"]), report)
        mapper = mapper.with_pareto_cut(bracket_cut(book, playbook, max_rows=max_driver_rows))
    book_mapper = BookTierMapper(mapper)
    meta = dask.meta(book_mapper.output_schema)
    return frame.map_partitions(book_mapper.pandas, duplicates, meta=meta)


def _ignore(fetch: ToDriver) -> None:
    del fetch


def _fetched(table: Any, step: str, report: Callable[[ToDriver], None]) -> Any:
    report(ToDriver(step, table.num_rows, table.nbytes))
    return table


@dataclass(frozen=True)
class _Spark:
    """The pyspark modules a recipe uses, and the whole-book passes on them."""

    types: Any
    functions: Any

    @classmethod
    def load(cls, purpose: str) -> _Spark:
        return cls(
            _module("pyspark.sql.pandas.types", "spark", purpose),
            _module("pyspark.sql.functions", "spark", purpose),
        )

    def schema(self, arrow_schema: Any) -> Any:
        return self.types.from_arrow_schema(arrow_schema)

    def keyed(self, frame: Any, screen: KeyScreen) -> Any:
        """Per key of the valid rows: how many rows carry it, and the largest profit."""
        f = self.functions
        valid = frame.mapInArrow(screen, self.schema(screen_schema()))
        return valid.groupBy("customer_key").agg(
            f.count(f.lit(1)).alias("copies"),
            f.max("profit_minor_units").alias("profit_minor_units"),
        )

    def duplicates(
        self, frame: Any, keyed: Any, max_rows: int, report: Callable[[ToDriver], None]
    ) -> tuple[Any, frozenset[str] | None]:
        """The frame (joined with its duplicate keys when they are many) and the few keys."""
        found = keyed.where("copies > 1").select("customer_key")
        count = found.count()
        report(ToDriver("duplicate keys (count)", 1, 8))
        if count == 0:
            return frame, None
        if count <= max_rows:
            keys = _fetched(found.toArrow(), "duplicate keys", report)
            return frame, frozenset(keys.column("customer_key").to_pylist())
        f = self.functions
        flagged = found.select(
            f.col("customer_key").alias("key"), f.lit(True).alias(DUPLICATE_COLUMN)
        )
        return frame.join(flagged, on="key", how="left"), None

    def row_numbers(self, frame: Any, report: Callable[[ToDriver], None]) -> Any:
        """The frame with :data:`ROW_COLUMN`: each row's 0-based position in it."""
        sizes = frame.mapInArrow(_PartitionSizes(), self.schema(_PartitionSizes.schema())).toArrow()
        _fetched(sizes, "partition sizes", report)
        offsets = _offsets(sizes)
        types = _module("pyspark.sql.types", "spark", "numbering rows")
        schema = types.StructType(
            [*frame.schema.fields, types.StructField(ROW_COLUMN, types.LongType(), False)]
        )
        return frame.mapInArrow(_RowNumbers(offsets), schema)


@dataclass(frozen=True)
class _SparkBook:
    """The Pareto candidates as a Spark DataFrame: each round is one small job."""

    spark: _Spark
    candidates: Any
    report: Callable[[ToDriver], None]

    def histogram(self, job: Histogram) -> Any:
        f = self.spark.functions
        parts = self.candidates.mapInArrow(job, self.spark.schema(histogram_schema()))
        summed = parts.groupBy("bucket").agg(
            *(f.sum(c).alias(c) for c in ("rows", "s0", "s1", "s2")),
            f.min("lo").alias("lo"),
            f.max("hi").alias("hi"),
        )
        return _fetched(summed.toArrow(), "Pareto histogram", self.report)

    def rows(self, job: Slice) -> Any:
        rows = self.candidates.mapInArrow(job, self.spark.schema(pareto_candidates_schema()))
        return _fetched(rows.toArrow(), "Pareto bracket rows", self.report)


@dataclass(frozen=True)
class _Dask:
    """The Dask scheduler a recipe uses, and the whole-book passes on it."""

    pd: Any
    dask: Any
    scheduler: str | None

    @classmethod
    def load(cls, purpose: str, scheduler: str | None) -> _Dask:
        pd = _module("pandas", "dask", purpose)
        _module("dask.dataframe", "dask", purpose)
        return cls(pd, _module("dask", "dask", purpose), scheduler)

    def compute(self, value: Any) -> Any:
        kwargs = {"scheduler": self.scheduler} if self.scheduler else {}
        return self.dask.compute(value, **kwargs)[0]

    def persist(self, value: Any) -> Any:
        kwargs = {"scheduler": self.scheduler} if self.scheduler else {}
        return value.persist(**kwargs)

    def meta(self, schema: Any) -> Any:
        return schema.empty_table().to_pandas(types_mapper=self.pd.ArrowDtype)

    def arrow(self, frame: Any) -> Any:
        return pa.Table.from_pandas(frame, preserve_index=False)

    def keyed(self, frame: Any, screen: KeyScreen) -> Any:
        """Per key of the valid rows: how many rows carry it, and the largest profit."""
        valid = frame.map_partitions(screen.pandas, meta=self.meta(screen_schema()))
        per_key = valid.groupby("customer_key").agg(
            copies=("profit_minor_units", "count"),
            profit_minor_units=("profit_minor_units", "max"),
            split_out=frame.npartitions,
        )
        return per_key.reset_index()

    def duplicates(self, keyed: Any, max_rows: int, report: Callable[[ToDriver], None]) -> Any:
        """The duplicate keys: a set when few, else a lazy one-partition frame for every task."""
        found = keyed[keyed.copies > 1][["customer_key"]]
        count = int(self.compute(found.shape[0]))
        report(ToDriver("duplicate keys (count)", 1, 8))
        if count == 0:
            return None
        if count <= max_rows:
            keys = _fetched(self.arrow(self.compute(found)), "duplicate keys", report)
            return frozenset(keys.column("customer_key").to_pylist())
        return self.dask.delayed(_key_set)(found.repartition(npartitions=1).to_delayed()[0])

    def row_numbers(self, frame: Any, report: Callable[[ToDriver], None]) -> Any:
        """The frame with :data:`ROW_COLUMN`: each row's 0-based position in it."""
        sizes = [int(n) for n in self.compute(frame.map_partitions(len))]
        report(ToDriver("partition sizes", len(sizes), 8 * len(sizes)))
        offsets = tuple(int(x) for x in np.concatenate([[0], np.cumsum(sizes)]))
        meta = frame._meta.assign(  # Dask's documented way to an empty frame
            **{ROW_COLUMN: self.pd.Series([], dtype=self.pd.ArrowDtype(pa.int64()))}
        )
        return frame.map_partitions(_RowNumbers(offsets).pandas, meta=meta)


def _key_set(frame: Any) -> frozenset[str]:
    return frozenset(frame["customer_key"].tolist())


@dataclass(frozen=True)
class _DaskBook:
    """The Pareto candidates as a persisted Dask DataFrame: each round one small graph."""

    dask: _Dask
    candidates: Any
    report: Callable[[ToDriver], None]

    def histogram(self, job: Histogram) -> Any:
        parts = self.candidates.map_partitions(job.pandas, meta=self.dask.meta(histogram_schema()))
        summed = parts.groupby("bucket").agg(
            {"rows": "sum", "s0": "sum", "s1": "sum", "s2": "sum", "lo": "min", "hi": "max"}
        )
        table = self.dask.arrow(self.dask.compute(summed).reset_index())
        return _fetched(table, "Pareto histogram", self.report)

    def rows(self, job: Slice) -> Any:
        parts = self.candidates.map_partitions(
            job.pandas, meta=self.dask.meta(pareto_candidates_schema())
        )
        table = self.dask.arrow(self.dask.compute(parts))
        return _fetched(table, "Pareto bracket rows", self.report)


@dataclass(frozen=True)
class _PartitionSizes:
    """``mapInArrow``: one row per partition, its id and its number of rows."""

    @staticmethod
    def schema() -> Any:
        return pa.schema([("partition", pa.int64()), ("rows", pa.int64())])

    def __call__(self, batches: Iterable[Any]) -> Iterator[Any]:
        rows = sum(batch.num_rows for batch in batches)
        partition = _partition_id()
        yield pa.record_batch([pa.array([partition]), pa.array([rows])], schema=self.schema())


def _partition_id() -> int:
    """The Spark partition this worker is computing (a ``mapInArrow`` function runs in a task)."""
    from pyspark import TaskContext  # noqa: PLC0415  # runs on a Spark worker

    context = TaskContext.get()
    if context is None:
        raise InputError("row numbering runs inside a Spark task only", field="frame")
    return int(context.partitionId())


def _offsets(sizes: Any) -> tuple[int, ...]:
    """Each partition's first row: partitions in id order, absent ones empty."""
    partitions = sizes.column("partition").to_pylist()
    count = dict(zip(partitions, sizes.column("rows").to_pylist(), strict=True))
    per_partition = [count.get(p, 0) for p in range(max(count, default=-1) + 1)]
    return tuple(int(x) for x in np.concatenate([[0], np.cumsum(per_partition)]))


@dataclass(frozen=True)
class _RowNumbers:
    """Adds :data:`ROW_COLUMN` from each partition's first row (``offsets[partition]``)."""

    offsets: tuple[int, ...]

    def _check(self, partition: int, end: int | None) -> int:
        """The partition's first row; with ``end``, check the partition ended where counted."""
        known = partition + 1 < len(self.offsets)
        if not known or (end is not None and end != self.offsets[partition + 1]):
            raise InputError(
                "the frame's partitions changed between two passes over it (a nondeterministic "
                "source or repartition): persist or checkpoint the frame first",
                field="frame",
            )
        return self.offsets[partition]

    def __call__(self, batches: Iterable[Any]) -> Iterator[Any]:
        """``mapInArrow``: the partition's batches, numbered (checked against the count)."""
        partition = _partition_id()
        at = self._check(partition, None)
        for batch in batches:
            rows = pa.array(np.arange(at, at + batch.num_rows, dtype=np.int64))
            at += batch.num_rows
            yield pa.RecordBatch.from_arrays(
                [*batch.columns, rows], names=[*batch.schema.names, ROW_COLUMN]
            )
        self._check(partition, at)

    def pandas(self, frame: Any, partition_info: Any = None) -> Any:
        """Dask ``map_partitions`` (Dask passes ``partition_info``)."""
        import pandas as pd  # noqa: PLC0415  # optional: only the Dask helpers need it

        partition = 0 if partition_info is None else int(partition_info["number"])
        at = self._check(partition, None)
        self._check(partition, at + len(frame))
        rows = pd.array(np.arange(at, at + len(frame)), dtype=pd.ArrowDtype(pa.int64()))
        return frame.assign(**{ROW_COLUMN: pd.Series(rows, index=frame.index)})


@dataclass(frozen=True, eq=False)
class RowMapper:
    """A picklable per-partition function for a columnar function whose rows are independent.

    ``function(partition, *args, **kwargs)`` must return a table of
    ``output_schema`` (:func:`~custtier.frames.suitability_table` and
    :func:`~custtier.frames.occasions_table` do). Call it with record
    batches for Spark's ``mapInArrow``, use :meth:`pandas` for Dask's
    ``map_partitions``. With ``one_row_per_input`` (suitability) the pandas
    output keeps the partition's index; otherwise (occasions: any number of
    rows per input row) it has a fresh index and Dask must be told
    ``clear_divisions=True``.
    """

    function: Callable[..., Any]
    output_schema: Any
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    one_row_per_input: bool = False

    def table(self, data: Any) -> Any:
        """One partition (a table, batch or frame) through the function."""
        return self.function(as_table(data), *self.args, **self.kwargs)

    def __call__(self, batches: Iterable[Any]) -> Iterator[Any]:
        """``mapInArrow``: record batches in, record batches of the output schema out."""
        for batch in batches:
            yield from self.table(batch).to_batches()

    def pandas(self, frame: Any) -> Any:
        """Dask ``map_partitions``: a pandas partition in, the output as Arrow-backed pandas."""
        import pandas as pd  # noqa: PLC0415  # optional: only the pandas helpers need it

        out = self.table(pa.Table.from_pandas(frame, preserve_index=False))
        result = out.to_pandas(types_mapper=pd.ArrowDtype)
        if self.one_row_per_input:
            result.index = frame.index
        return result

    def pandas_meta(self) -> Any:
        """An empty pandas frame of the output schema (Dask's ``meta=``)."""
        import pandas as pd  # noqa: PLC0415  # optional: only the pandas helpers need it

        return self.output_schema.empty_table().to_pandas(types_mapper=pd.ArrowDtype)


def _suitability_mapper(
    catalogue: Sequence[Product], playbook: Playbook, as_of: dt.date
) -> RowMapper:
    return RowMapper(
        suitability_table, suitability_output_schema(playbook),
        (tuple(catalogue), playbook), {"as_of": as_of}, one_row_per_input=True,
    )  # fmt: skip


def suitability_spark(
    frame: SparkFrame, catalogue: Sequence[Product], playbook: Playbook, *, as_of: dt.date
) -> SparkFrame:
    """Check every (customer, product) pair of a Spark DataFrame, partition by partition.

    ``frame`` has the columns of :func:`~custtier.frames.suitability_input_schema`;
    the result is a lazy Spark DataFrame of
    :func:`~custtier.frames.suitability_output_schema`.
    """
    types = _module("pyspark.sql.pandas.types", "spark", "checking pairs in Spark")
    mapper = _suitability_mapper(catalogue, playbook, as_of)
    return frame.mapInArrow(mapper, types.from_arrow_schema(mapper.output_schema))


def suitability_dask(
    frame: DaskFrame, catalogue: Sequence[Product], playbook: Playbook, *, as_of: dt.date
) -> DaskFrame:
    """Check every pair of a Dask DataFrame (Arrow-backed pandas partitions); lazy."""
    _module("dask.dataframe", "dask", "checking pairs in Dask")
    mapper = _suitability_mapper(catalogue, playbook, as_of)
    return frame.map_partitions(mapper.pandas, meta=mapper.pandas_meta())


def occasions_spark(
    frame: SparkFrame,
    playbook: Playbook,
    *,
    start: dt.date,
    end: dt.date,
    calendar: Calendar | None = None,
    max_driver_rows: int = DEFAULT_DRIVER_ROWS,
    on_fetch: Callable[[ToDriver], None] | None = None,
) -> SparkFrame:
    """Contact occasions of every customer of a Spark DataFrame, as ``occasions_table`` gives.

    ``input_row`` is the row's 0-based position in the whole frame (from a
    first pass that counts each partition's rows), and duplicate keys are
    found across the whole book by a group-by, every copy an error row, so
    the output equals :func:`~custtier.frames.occasions_table` on the frame
    collected in order. The frame must give the same partitions each time
    it is read (persist it if its source is not deterministic; a change is
    an ``InputError``). The driver receives one row per partition, the
    count of duplicate keys, and those keys when at most
    ``max_driver_rows`` (else they are joined in); ``on_fetch`` as for
    :func:`tier_spark`.
    """
    spark = _Spark.load("expanding occasions in Spark")
    report = on_fetch or _ignore
    mapper = BookOccasionMapper(playbook, start, end, calendar)
    numbered = spark.row_numbers(frame, report)
    keyed = spark.keyed(frame, KeyScreen(occasions=mapper))
    numbered, duplicates = spark.duplicates(numbered, keyed, max_driver_rows, report)
    book_mapper = _with(mapper, duplicates)
    return numbered.mapInArrow(book_mapper, spark.schema(occasions_output_schema(playbook)))


def occasions_dask(
    frame: DaskFrame,
    playbook: Playbook,
    *,
    start: dt.date,
    end: dt.date,
    calendar: Calendar | None = None,
    scheduler: str | None = None,
    max_driver_rows: int = DEFAULT_DRIVER_ROWS,
    on_fetch: Callable[[ToDriver], None] | None = None,
) -> DaskFrame:
    """Contact occasions of a Dask DataFrame's customers; lazy, as for :func:`occasions_spark`.

    ``input_row`` counts over the whole frame and duplicate keys are found
    book-wide. The result has a fresh index per partition, so its divisions
    are cleared. ``scheduler`` is used for the counting passes.
    """
    dask = _Dask.load("expanding occasions in Dask", scheduler)
    report = on_fetch or _ignore
    mapper = BookOccasionMapper(playbook, start, end, calendar)
    numbered = dask.row_numbers(frame, report)
    keyed = dask.keyed(frame, KeyScreen(occasions=mapper))
    duplicates = dask.duplicates(keyed, max_driver_rows, report)
    meta = dask.meta(occasions_output_schema(playbook))
    return numbered.map_partitions(mapper.pandas, duplicates, meta=meta, clear_divisions=True)


def _with(mapper: BookOccasionMapper, duplicates: frozenset[str] | None) -> BookOccasionMapper:
    return BookOccasionMapper(
        mapper.playbook, mapper.start, mapper.end, mapper.calendar, duplicates
    )
