"""The Pareto (80/20) set on plain columns: keys and integer minor units of profit.

The set is defined exactly: the smallest number ``k`` of customers whose
positive profits, largest first, reach ``share`` of the book's positive
profit; among customers tied on the boundary profit, the smallest keys are
taken. Sums are exact integers (never floats), compared as fractions.

numpy, when installed (``pip install "custtier[fast]"``), sorts the column;
without it a pure-Python path gives the identical set.
"""

from __future__ import annotations

import heapq
import importlib
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from pydantic import Field

from custtier.models._base import CusttierModel

__all__ = ["ParetoCut", "pareto_keys"]

_INT64_SAFE = 2**62


class ParetoCut(CusttierModel):
    """A book's Pareto set as two scalars: small, serialisable, and the same on every path.

    Customers ranked by profit (highest first, ties by key ascending, as
    :func:`pareto_keys`); the set is every customer up to and including the
    one at the cut: ``profit > profit_minor_units``, or equal profit and
    key ``<= customer_key``. Only positive profits count; ``count == 0`` means the set
    is empty. ``playbook_hash`` ties the cut to its playbook.

    A nightly :func:`custtier.tier_book` run gives it as
    ``BookTiering.pareto_cut``; a service passes it to
    :func:`custtier.assign_tier` as ``pareto_cut=`` to get the book's answer for
    one customer; the columnar path (:func:`custtier.frames.pareto_cut`) builds
    the same object.

    >>> cut = ParetoCut(playbook_hash="abc", count=2, profit_minor_units=300, customer_key="b")
    >>> cut.contains("a", 300), cut.contains("c", 300), cut.contains("z", 301)
    (True, False, True)
    >>> ParetoCut.model_validate_json(cut.model_dump_json()) == cut
    True
    """

    playbook_hash: str
    count: int = Field(ge=0)
    profit_minor_units: int = Field(default=0, ge=0)
    customer_key: str = ""

    def contains(self, customer_key: str, profit_minor_units: int) -> bool:
        """Whether a customer with this key and profit (integer minor units) is in the set."""
        if self.count == 0 or profit_minor_units <= 0:
            return False
        p = self.profit_minor_units
        return profit_minor_units > p or (
            profit_minor_units == p and customer_key <= self.customer_key
        )

    def members(self, keys: Any, profits: Any, valid: Any) -> Any:
        """Which rows of columns are in the set (numpy/pyarrow; ``custtier[frames]``)."""
        from custtier.frames._tier import cut_members  # noqa: PLC0415  # optional extra

        return cut_members(self, keys, profits, valid)

    @classmethod
    def of(cls, members: dict[str, int], playbook_hash: str) -> ParetoCut:
        """The cut of a Pareto set given as ``{key: profit in minor units}`` of its members."""
        if not members:
            return cls(playbook_hash=playbook_hash, count=0)
        boundary = min(members.values())
        last = max(k for k, p in members.items() if p == boundary)
        return cls(
            playbook_hash=playbook_hash,
            count=len(members),
            profit_minor_units=boundary,
            customer_key=last,
        )


def pareto_keys(
    keys: Sequence[str], profits: Sequence[int] | Any, share: Decimal
) -> frozenset[str]:
    """Keys of the smallest set of customers carrying ``share`` of positive profit.

    ``profits`` are integer minor units (a list or an integer numpy array),
    aligned with ``keys``. Customers with no positive profit are never chosen.

    >>> sorted(pareto_keys(["a", "b", "c", "d"], [500, 300, 100, 100], Decimal("0.8")))
    ['a', 'b']
    >>> sorted(pareto_keys(["d", "c", "b", "a"], [100, 100, 100, 100], Decimal("0.5")))
    ['a', 'b']
    """
    if len(keys) != len(profits):
        raise ValueError("keys and profits must have the same length")
    num, den = share.as_integer_ratio()
    if not 0 < num < den:
        raise ValueError("share must lie strictly between 0 and 1")
    np = _numpy_module()
    if np is None or not len(keys):
        return _python(keys, [int(p) for p in profits], num, den)
    arr = np.asarray(profits)
    if arr.dtype.kind not in "iuO":
        raise TypeError("profits must be integer minor units, not floats")
    if arr.dtype == object or int(np.abs(arr).max(initial=0)) * max(len(arr), 1) >= _INT64_SAFE:
        return _python(keys, [int(p) for p in profits], num, den)  # int64 sums could overflow
    pos = np.where(arr > 0, arr, 0).astype(np.int64, copy=False)
    return _numpy(np, keys, pos, int(pos.sum()), num, den)


def _numpy_module() -> Any:
    # Optional: imported lazily so custtier itself never requires numpy.
    try:
        return importlib.import_module("numpy")
    except ImportError:  # pragma: no cover - exercised where numpy is absent
        return None


def _target(total: int, num: int, den: int) -> int:
    # Smallest integer t with t >= total * num / den.
    return -((-total * num) // den)


def _numpy(  # noqa: PLR0917  # private helper; the arguments are one computation's state
    np: Any, keys: Sequence[str], pos: Any, total: int, num: int, den: int
) -> frozenset[str]:
    if total == 0:
        return frozenset()
    order = np.argsort(-pos, kind="stable")
    cum = np.cumsum(pos[order])
    k = int(np.searchsorted(cum, _target(total, num, den), side="left")) + 1
    boundary = int(pos[order[k - 1]])
    above = np.flatnonzero(pos > boundary)
    tied = np.flatnonzero(pos == boundary)
    need = k - len(above)
    chosen = [keys[i] for i in above.tolist()]
    chosen += heapq.nsmallest(need, (keys[i] for i in tied.tolist()))
    return frozenset(chosen)


def _python(keys: Sequence[str], profits: Sequence[int], num: int, den: int) -> frozenset[str]:
    ranked = sorted(
        ((p, k) for p, k in zip(profits, keys, strict=True) if p > 0),
        key=lambda pk: (-pk[0], pk[1]),
    )
    total = sum(p for p, _ in ranked)
    if total == 0:
        return frozenset()
    target = _target(total, num, den)
    chosen: list[str] = []
    running = 0
    for p, k in ranked:
        if running >= target:
            break
        chosen.append(k)
        running += p
    return frozenset(chosen)
