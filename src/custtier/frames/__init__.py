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
import warnings
from typing import TYPE_CHECKING, Any

from custtier.errors import MissingExtraError

if TYPE_CHECKING:
    from custtier.frames._bounded import DEFAULT_DRIVER_ROWS, ToDriver
    from custtier.frames._cadence import (
        OCCASIONS_ERROR_CODES,
        OCCASIONS_INPUT_COLUMNS,
        occasions_input_schema,
        occasions_input_table,
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
        SUITABILITY_ERROR_CODES,
        SUITABILITY_INPUT_COLUMNS,
        suitability_input_schema,
        suitability_input_table,
        suitability_output_schema,
        suitability_table,
    )
    from custtier.frames._tier import (
        TIER_ERROR_CODES,
        TIER_INPUT_COLUMNS,
        ParetoCut,
        TierMapper,
        pareto_candidates,
        pareto_candidates_schema,
        pareto_cut,
        table_digest,
        tier_input_schema,
        tier_input_table,
        tier_output_dictionaries,
        tier_output_schema,
        tier_output_table,
        tier_table,
    )

#: Each public name and the private module that defines it (loaded on first use).
_HOMES: dict[str, tuple[str, ...]] = {
    "custtier.frames._tier": (
        "TIER_ERROR_CODES",
        "TIER_INPUT_COLUMNS",
        "ParetoCut",
        "TierMapper",
        "pareto_candidates",
        "pareto_candidates_schema",
        "pareto_cut",
        "table_digest",
        "tier_input_schema",
        "tier_input_table",
        "tier_output_dictionaries",
        "tier_output_schema",
        "tier_output_table",
        "tier_table",
    ),
    "custtier.frames._suitability": (
        "SUITABILITY_ERROR_CODES",
        "SUITABILITY_INPUT_COLUMNS",
        "suitability_input_schema",
        "suitability_input_table",
        "suitability_output_schema",
        "suitability_table",
    ),
    "custtier.frames._cadence": (
        "OCCASIONS_ERROR_CODES",
        "OCCASIONS_INPUT_COLUMNS",
        "occasions_input_schema",
        "occasions_input_table",
        "occasions_output_schema",
        "occasions_table",
    ),
    "custtier.frames._engines": (
        "RowMapper",
        "occasions_dask",
        "occasions_spark",
        "suitability_dask",
        "suitability_spark",
        "tier_dask",
        "tier_spark",
    ),
    "custtier.frames._results": ("results_pandas", "results_polars", "results_table"),
    "custtier.frames._simulate": ("TableImpact", "simulate_table"),
    "custtier.frames._bounded": ("DEFAULT_DRIVER_ROWS", "ToDriver"),
}
_HOME = {name: home for home, names in _HOMES.items() for name in names}

#: Names before 0.2.0, each named after what it built rather than the engine it feeds.
_DEPRECATED: dict[str, str] = {
    "ERROR_CODES": "TIER_ERROR_CODES",
    "INPUT_COLUMNS": "TIER_INPUT_COLUMNS",
    "PAIR_ERROR_CODES": "SUITABILITY_ERROR_CODES",
    "PAIR_INPUT_COLUMNS": "SUITABILITY_INPUT_COLUMNS",
    "OCCASION_ERROR_CODES": "OCCASIONS_ERROR_CODES",
    "OCCASION_INPUT_COLUMNS": "OCCASIONS_INPUT_COLUMNS",
    "customers_table": "tier_input_table",
    "decisions_table": "tier_output_table",
    "pairs_table": "suitability_input_table",
    "cadence_table": "occasions_input_table",
    "candidates_schema": "pareto_candidates_schema",
}

__all__ = [
    "DEFAULT_DRIVER_ROWS",
    "OCCASIONS_ERROR_CODES",
    "OCCASIONS_INPUT_COLUMNS",
    "SUITABILITY_ERROR_CODES",
    "SUITABILITY_INPUT_COLUMNS",
    "TIER_ERROR_CODES",
    "TIER_INPUT_COLUMNS",
    "ParetoCut",
    "RowMapper",
    "TableImpact",
    "TierMapper",
    "ToDriver",
    "occasions_dask",
    "occasions_input_schema",
    "occasions_input_table",
    "occasions_output_schema",
    "occasions_spark",
    "occasions_table",
    "pareto_candidates",
    "pareto_candidates_schema",
    "pareto_cut",
    "results_pandas",
    "results_polars",
    "results_table",
    "simulate_table",
    "suitability_dask",
    "suitability_input_schema",
    "suitability_input_table",
    "suitability_output_schema",
    "suitability_spark",
    "suitability_table",
    "table_digest",
    "tier_dask",
    "tier_input_schema",
    "tier_input_table",
    "tier_output_dictionaries",
    "tier_output_schema",
    "tier_output_table",
    "tier_spark",
    "tier_table",
]


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
    if name in _DEPRECATED:
        new = _DEPRECATED[name]
        warnings.warn(
            f"custtier.frames.{name} is now custtier.frames.{new} (named after the engine it "
            "feeds); the old name goes in 1.0",
            DeprecationWarning,
            stacklevel=2,
        )
        return __getattr__(new)
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'custtier.frames' has no attribute {name!r}")
    require()
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
