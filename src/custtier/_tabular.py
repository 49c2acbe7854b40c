"""``to_arrow()``, ``to_pandas()``, ``to_polars()`` on results that hold tables.

A mixin, so result classes gain the methods without code of their own; the
work is in :mod:`custtier.frames._results`, imported on first use so that
pyarrow, pandas and polars stay optional.
"""

from __future__ import annotations

import importlib
from typing import Any, Literal

from custtier import frames

__all__ = ["Tabular"]


def _results() -> Any:
    frames.require()  # MissingExtraError naming the frames extra
    return importlib.import_module("custtier.frames._results")


class Tabular:
    """Mixin: the result's tables (``part``) as Arrow, pandas or polars.

    ``money="decimal"`` (the default) keeps money and shares exact;
    ``money="float"`` gives float64 columns for plotting only.
    """

    __slots__ = ()

    def to_arrow(
        self, part: str | None = None, *, money: Literal["decimal", "float"] = "decimal"
    ) -> Any:
        """One of the result's tables as a ``pyarrow.Table`` (``custtier[frames]``)."""
        return _results().results_table(self, part=part, money=money)

    def to_pandas(
        self, part: str | None = None, *, money: Literal["decimal", "float"] = "decimal"
    ) -> Any:
        """One of the result's tables as a pandas DataFrame (``custtier[pandas]``)."""
        return _results().results_pandas(self, part=part, money=money)

    def to_polars(
        self, part: str | None = None, *, money: Literal["decimal", "float"] = "decimal"
    ) -> Any:
        """One of the result's tables as a polars DataFrame (``custtier[polars]``)."""
        return _results().results_polars(self, part=part, money=money)
