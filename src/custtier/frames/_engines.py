"""The two-pass recipes for Spark and Dask, as functions.

The Pareto rule needs the whole book, so tiering a distributed book takes two
passes: (1) every partition reports its valid rows with positive profit
(:func:`~custtier.frames.pareto_candidates`, two narrow columns), the driver
computes the cut (:func:`~custtier.frames.pareto_cut`, two scalars);
(2) every partition is tiered with that cut (:class:`~custtier.frames.TierMapper`).
Without a Pareto rule, pass 1 is skipped. Pass 1 runs when these functions
are called; pass 2 stays lazy, as the engine's own transformations do.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pyarrow as pa

from custtier.errors import MissingExtraError
from custtier.frames._tier import TierMapper, candidates_schema, pareto_cut
from custtier.rules import Playbook

__all__ = ["tier_dask", "tier_spark"]


def _module(name: str, extra: str, purpose: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        raise MissingExtraError(
            extra=extra, module=name.partition(".")[0], purpose=purpose
        ) from None


def tier_spark(frame: Any, playbook: Playbook, *, as_of: dt.date) -> Any:
    """Tier a Spark DataFrame (columns as :func:`~custtier.frames.tier_input_schema`).

    Returns a Spark DataFrame of :func:`~custtier.frames.tier_output_schema`,
    computed partition by partition with ``mapInArrow``. Keys must be unique
    across the book (check with ``groupBy("key").count()`` first).
    """
    types = _module("pyspark.sql.pandas.types", "spark", "tiering a Spark DataFrame")
    mapper = TierMapper(playbook, as_of)
    if playbook.tiering.pareto is not None:
        candidates = frame.mapInArrow(
            mapper.candidates, types.from_arrow_schema(candidates_schema())
        ).toArrow()
        mapper = mapper.with_pareto(pareto_cut(candidates, playbook))
    return frame.mapInArrow(mapper, types.from_arrow_schema(mapper.output_schema))


def tier_dask(
    frame: Any, playbook: Playbook, *, as_of: dt.date, scheduler: str | None = None
) -> Any:
    """Tier a Dask DataFrame (Arrow-backed pandas partitions of the input schema).

    Returns a lazy Dask DataFrame of the output schema (``pd.ArrowDtype``
    columns), computed with ``map_partitions``. ``scheduler`` is used for
    pass 1 (``"processes"``, ``"threads"``, … or None for Dask's default).
    Keys must be unique across the book (``frame.key.value_counts()``).
    """
    pd = _module("pandas", "dask", "tiering a Dask DataFrame")
    _module("dask.dataframe", "dask", "tiering a Dask DataFrame")
    mapper = TierMapper(playbook, as_of)
    if playbook.tiering.pareto is not None:
        meta = candidates_schema().empty_table().to_pandas(types_mapper=pd.ArrowDtype)
        parts = frame.map_partitions(mapper.pandas_candidates, meta=meta)
        found = parts.compute(scheduler=scheduler) if scheduler else parts.compute()
        cut = pareto_cut(pa.Table.from_pandas(found, preserve_index=False), playbook)
        mapper = mapper.with_pareto(cut)
    return frame.map_partitions(mapper.pandas, meta=mapper.pandas_meta())
