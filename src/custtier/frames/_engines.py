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

import pyarrow as pa

from custtier.cadence import Calendar
from custtier.errors import MissingExtraError
from custtier.frames._arrow import as_table
from custtier.frames._cadence import occasions_output_schema, occasions_table
from custtier.frames._suitability import suitability_output_schema, suitability_table
from custtier.frames._tier import TierMapper, pareto_candidates_schema, pareto_cut
from custtier.frames._types import (
    ArrowSchema,
    ArrowTable,
    DaskFrame,
    FrameLike,
    PandasFrame,
    SparkFrame,
)
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
) -> SparkFrame:
    """Tier a Spark DataFrame (columns as :func:`~custtier.frames.tier_input_schema`).

    Returns a Spark DataFrame of :func:`~custtier.frames.tier_output_schema`,
    computed partition by partition with ``mapInArrow``. Keys must be unique
    across the book (check with ``groupBy("key").count()`` first).
    ``overrides`` (``Override`` models or a small Arrow table) go to every
    partition, as in :func:`~custtier.frames.tier_table`.
    """
    types = _module("pyspark.sql.pandas.types", "spark", "tiering a Spark DataFrame")
    mapper = TierMapper(playbook, as_of, overrides=overrides)
    if playbook.tiering.pareto is not None:
        candidates = frame.mapInArrow(
            mapper.candidates, types.from_arrow_schema(pareto_candidates_schema())
        ).toArrow()
        mapper = mapper.with_pareto_cut(pareto_cut(candidates, playbook))
    return frame.mapInArrow(mapper, types.from_arrow_schema(mapper.output_schema))


def tier_dask(
    frame: DaskFrame,
    playbook: Playbook,
    *,
    as_of: dt.date,
    scheduler: str | None = None,
    overrides: Iterable[Override] | FrameLike | None = None,
) -> DaskFrame:
    """Tier a Dask DataFrame (Arrow-backed pandas partitions of the input schema).

    Returns a lazy Dask DataFrame of the output schema (``pd.ArrowDtype``
    columns), computed with ``map_partitions``. ``scheduler`` is used for
    pass 1 (``"processes"``, ``"threads"``, … or None for Dask's default).
    Keys must be unique across the book (``frame.key.value_counts()``);
    ``overrides`` as for :func:`tier_spark`.
    """
    pd = _module("pandas", "dask", "tiering a Dask DataFrame")
    _module("dask.dataframe", "dask", "tiering a Dask DataFrame")
    mapper = TierMapper(playbook, as_of, overrides=overrides)
    if playbook.tiering.pareto is not None:
        meta = pareto_candidates_schema().empty_table().to_pandas(types_mapper=pd.ArrowDtype)
        parts = frame.map_partitions(mapper.pandas_candidates, meta=meta)
        found = parts.compute(scheduler=scheduler) if scheduler else parts.compute()
        cut = pareto_cut(pa.Table.from_pandas(found, preserve_index=False), playbook)
        mapper = mapper.with_pareto_cut(cut)
    return frame.map_partitions(mapper.pandas, meta=mapper.pandas_meta())


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
    output_schema: ArrowSchema
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    one_row_per_input: bool = False

    def table(self, data: FrameLike) -> ArrowTable:
        """One partition (a table, batch or frame) through the function."""
        return self.function(as_table(data), *self.args, **self.kwargs)

    def __call__(self, batches: Iterable[Any]) -> Iterator[Any]:
        """``mapInArrow``: record batches in, record batches of the output schema out."""
        for batch in batches:
            yield from self.table(batch).to_batches()

    def pandas(self, frame: PandasFrame) -> PandasFrame:
        """Dask ``map_partitions``: a pandas partition in, the output as Arrow-backed pandas."""
        import pandas as pd  # noqa: PLC0415  # optional: only the pandas helpers need it

        out = self.table(pa.Table.from_pandas(frame, preserve_index=False))
        result = out.to_pandas(types_mapper=pd.ArrowDtype)
        if self.one_row_per_input:
            result.index = frame.index
        return result

    def pandas_meta(self) -> PandasFrame:
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


def _occasions_mapper(
    playbook: Playbook, start: dt.date, end: dt.date, calendar: Calendar | None
) -> RowMapper:
    return RowMapper(
        occasions_table, occasions_output_schema(playbook), (playbook,),
        {"start": start, "end": end, "calendar": calendar},
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
) -> SparkFrame:
    """Contact occasions of every customer of a Spark DataFrame, batch by batch.

    ``mapInArrow`` hands over Arrow batches (up to
    ``spark.sql.execution.arrow.maxRecordsPerBatch`` rows, 10,000 by
    default): ``input_row`` counts rows within each batch, and duplicate keys
    are only found within a batch, so check ``groupBy("key").count()`` first.
    """
    types = _module("pyspark.sql.pandas.types", "spark", "expanding occasions in Spark")
    mapper = _occasions_mapper(playbook, start, end, calendar)
    return frame.mapInArrow(mapper, types.from_arrow_schema(mapper.output_schema))


def occasions_dask(
    frame: DaskFrame,
    playbook: Playbook,
    *,
    start: dt.date,
    end: dt.date,
    calendar: Calendar | None = None,
) -> DaskFrame:
    """Contact occasions of a Dask DataFrame's customers; lazy.

    ``input_row`` counts rows within each partition and duplicate keys are
    only found within a partition (check ``frame.key.value_counts()``). The
    result has a fresh index per partition, so its divisions are cleared.
    """
    _module("dask.dataframe", "dask", "expanding occasions in Dask")
    mapper = _occasions_mapper(playbook, start, end, calendar)
    return frame.map_partitions(mapper.pandas, meta=mapper.pandas_meta(), clear_divisions=True)
