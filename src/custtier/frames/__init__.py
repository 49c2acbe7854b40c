"""Columnar entry points: the engines over Arrow tables, for notebooks and Spark or Dask jobs.

Needs the ``frames`` extra (``pip install "custtier[frames]"``: pyarrow and
numpy). Importing ``custtier.frames`` is free; the first use of a name loads
pyarrow, or raises :class:`~custtier.errors.MissingExtraError` saying what
to install. pandas and polars frames go through Arrow
(``pa.Table.from_pandas(df)``, ``polars_df.to_arrow()``); every function
also accepts them directly. See ``docs/scale-out.md`` for the input and
output schemas and the Spark and Dask recipes.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from custtier.errors import MissingExtraError

if TYPE_CHECKING:
    from custtier.frames._cadence import (
        OCCASION_ERROR_CODES,
        OCCASION_INPUT_COLUMNS,
        cadence_table,
        occasions_input_schema,
        occasions_output_schema,
        occasions_table,
    )
    from custtier.frames._engines import (
        RowMapper,
        occasions_dask,
        occasions_spark,
        suitability_dask,
        suitability_spark,
        tier_dask,
        tier_spark,
    )
    from custtier.frames._results import results_pandas, results_polars, results_table
    from custtier.frames._simulate import TableImpact, simulate_table
    from custtier.frames._suitability import (
        PAIR_ERROR_CODES,
        PAIR_INPUT_COLUMNS,
        pairs_table,
        suitability_input_schema,
        suitability_output_schema,
        suitability_table,
    )
    from custtier.frames._tier import (
        ERROR_CODES,
        INPUT_COLUMNS,
        ParetoCut,
        TierMapper,
        candidates_schema,
        customers_table,
        decisions_table,
        pareto_candidates,
        pareto_cut,
        table_digest,
        tier_input_schema,
        tier_output_schema,
        tier_table,
    )

__all__ = [
    "ERROR_CODES",
    "INPUT_COLUMNS",
    "OCCASION_ERROR_CODES",
    "OCCASION_INPUT_COLUMNS",
    "PAIR_ERROR_CODES",
    "PAIR_INPUT_COLUMNS",
    "ParetoCut",
    "RowMapper",
    "TableImpact",
    "TierMapper",
    "cadence_table",
    "candidates_schema",
    "customers_table",
    "decisions_table",
    "occasions_dask",
    "occasions_input_schema",
    "occasions_output_schema",
    "occasions_spark",
    "occasions_table",
    "pairs_table",
    "pareto_candidates",
    "pareto_cut",
    "results_pandas",
    "results_polars",
    "results_table",
    "simulate_table",
    "suitability_dask",
    "suitability_input_schema",
    "suitability_output_schema",
    "suitability_spark",
    "suitability_table",
    "table_digest",
    "tier_dask",
    "tier_input_schema",
    "tier_output_schema",
    "tier_spark",
    "tier_table",
]

_HOME = dict.fromkeys(__all__, "custtier.frames._tier")
_HOME |= dict.fromkeys(
    ["RowMapper", "occasions_dask", "occasions_spark", "suitability_dask", "suitability_spark",
     "tier_dask", "tier_spark"],
    "custtier.frames._engines",
)  # fmt: skip
_HOME |= dict.fromkeys(
    ["PAIR_ERROR_CODES", "PAIR_INPUT_COLUMNS", "pairs_table", "suitability_input_schema",
     "suitability_output_schema", "suitability_table"],
    "custtier.frames._suitability",
)  # fmt: skip
_HOME |= dict.fromkeys(["TableImpact", "simulate_table"], "custtier.frames._simulate")
_HOME |= dict.fromkeys(
    ["results_pandas", "results_polars", "results_table"], "custtier.frames._results"
)
_HOME |= dict.fromkeys(
    ["OCCASION_ERROR_CODES", "OCCASION_INPUT_COLUMNS", "cadence_table", "occasions_input_schema",
     "occasions_output_schema", "occasions_table"],
    "custtier.frames._cadence",
)  # fmt: skip


def require() -> None:
    """Raise :class:`~custtier.errors.MissingExtraError` unless pyarrow and numpy import."""
    for module in ("numpy", "pyarrow"):
        try:
            importlib.import_module(module)
        except ImportError:
            raise MissingExtraError(
                extra="frames", module=module, purpose="custtier's columnar entry points"
            ) from None


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'custtier.frames' has no attribute {name!r}")
    require()
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
