"""Names for what the columnar functions take and give.

pyarrow, pandas, Spark and Dask ship no type information here, so each name
is ``Any`` to mypy; the names say in a signature what is meant, and the
docstrings say what is checked at run time.
"""

from __future__ import annotations

from typing import Any, TypeAlias

__all__ = [
    "ArrowSchema",
    "ArrowTable",
    "DaskFrame",
    "Frame",
    "FrameLike",
    "PandasFrame",
    "PolarsFrame",
    "SparkFrame",
]

#: An Arrow table or record batch, a pandas or a polars frame: every function takes each.
FrameLike: TypeAlias = Any
#: What a function hands back: the caller's frame type (Arrow in, Arrow out; pandas in, pandas out).
Frame: TypeAlias = Any
#: A ``pyarrow.Table``.
ArrowTable: TypeAlias = Any
#: A ``pyarrow.Schema``.
ArrowSchema: TypeAlias = Any
#: A ``pandas.DataFrame``.
PandasFrame: TypeAlias = Any
#: A ``polars.DataFrame``.
PolarsFrame: TypeAlias = Any
#: A ``pyspark.sql.DataFrame``.
SparkFrame: TypeAlias = Any
#: A ``dask.dataframe.DataFrame``.
DaskFrame: TypeAlias = Any
