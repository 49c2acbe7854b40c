"""The registry of tiering bases: what each reads, and how each path evaluates it.

One entry per :class:`custtier.rules.Basis`: the customer fields the scalar
engine reads, the input column ``custtier.frames.tier_table`` reads, the
scalar evaluation (here) and the columnar one (named, in
``custtier.frames._tier_bases``, imported only when the columnar path runs:
numpy is optional). A test walks the enum and fails when either half of an
entry is missing, so a new basis is one entry here and one function there,
not edits spread over both engines.
"""

from __future__ import annotations

import datetime as dt
import importlib
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from custtier._cache import cached
from custtier._money import EXACT, quantize
from custtier.models import Customer
from custtier.rules import Basis, MissingMonths, Playbook
from custtier.tiering._trace import BasisTrace, Completeness

if TYPE_CHECKING:
    from custtier.tiering._plan import BasisPlan

__all__ = ["BASES", "BasisKind", "months_before"]

ScalarBasis = Callable[[Customer, "BasisPlan", Playbook, dt.date], BasisTrace]


@dataclass(frozen=True, slots=True)
class BasisKind:
    """One basis: the fields and column it reads, its scalar and its columnar evaluation."""

    basis: Basis
    fields: tuple[str, ...]  # Customer fields the scalar evaluation reads
    column: str  # the tier_table input column the columnar evaluation reads
    scalar: ScalarBasis
    columnar_name: str  # a function of custtier.frames._tier_bases

    def columnar(self) -> Callable[..., Any]:
        """The columnar evaluation (imports ``custtier.frames``: needs ``custtier[frames]``)."""
        module = importlib.import_module("custtier.frames._tier_bases")
        fn: Callable[..., Any] = getattr(module, self.columnar_name)
        return fn


# A module constant: an enum member looked up on its class costs 0.2 µs (CPython 3.11).
_COMPLETE = Completeness.COMPLETE
# A named tuple built as the tuple it is: its own ``__new__`` is a Python call.
_tuple_new = tuple.__new__
# ``BasisPlan.band_for`` without the method call, on the two one-line bases.
_bisect = bisect_right


def _aum(customer: Customer, bp: BasisPlan, pb: Playbook, as_of: dt.date) -> BasisTrace:
    value = customer.assets_under_management
    return _tuple_new(BasisTrace, (value, _COMPLETE, _bisect(bp.edges, value), 0))


def _profit(customer: Customer, bp: BasisPlan, pb: Playbook, as_of: dt.date) -> BasisTrace:
    value = customer.annual_profit_contribution
    return _tuple_new(BasisTrace, (value, _COMPLETE, _bisect(bp.edges, value), 0))


def _average_daily_balance(
    customer: Customer, bp: BasisPlan, pb: Playbook, as_of: dt.date
) -> BasisTrace:
    """The mean of the window's monthly averages, as the missing-month policy says."""
    rule = bp.rule
    window = months_before(as_of, rule.window_months)
    # Balances are sorted by month (the model sorts them): walk back from the
    # newest and stop below the window, rather than indexing a whole history.
    first, last = window[0], window[-1]
    total = Decimal(0)
    present = 0
    for balance in reversed(customer.monthly_balances):
        if balance.month > last:
            continue
        if balance.month < first:
            break
        total = EXACT.add(total, balance.average_daily_balance)
        present += 1
    divisor = len(window)
    completeness = Completeness.COMPLETE
    if present < len(window):
        policy = rule.missing_months
        usable = policy is MissingMonths.COUNT_AS_ZERO or (
            policy is MissingMonths.AVERAGE_AVAILABLE and present >= rule.min_months
        )
        if not usable:
            return BasisTrace(None, Completeness.UNUSABLE, 0, present)
        completeness = Completeness.AVERAGED
        if policy is not MissingMonths.COUNT_AS_ZERO:
            divisor = present
    value = quantize(EXACT.divide(total, divisor), pb.currency, pb.rounding)
    return BasisTrace(value, completeness, bp.band_for(value), present)


#: Every basis, by enum member (a test walks :class:`Basis` against it).
BASES: dict[Basis, BasisKind] = {
    Basis.ASSETS_UNDER_MANAGEMENT: BasisKind(
        Basis.ASSETS_UNDER_MANAGEMENT,
        ("assets_under_management",),
        "assets_under_management",
        _aum,
        "assets_under_management",
    ),
    Basis.AVERAGE_DAILY_BALANCE: BasisKind(
        Basis.AVERAGE_DAILY_BALANCE,
        ("monthly_balances",),
        "monthly_balances",
        _average_daily_balance,
        "average_daily_balance",
    ),
    Basis.PROFIT_CONTRIBUTION: BasisKind(
        Basis.PROFIT_CONTRIBUTION,
        ("annual_profit_contribution",),
        "annual_profit_contribution",
        _profit,
        "profit_contribution",
    ),
}


@cached(maxsize=1024)  # a handful of (as_of, count) pairs per run
def months_before(as_of: dt.date, count: int) -> tuple[str, ...]:
    """The ``count`` complete calendar months before ``as_of``'s month, oldest first.

    >>> months_before(dt.date(2026, 2, 15), 3)
    ('2025-11', '2025-12', '2026-01')
    """
    y, m = as_of.year, as_of.month
    out = []
    for _ in range(count):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        out.append(f"{y:04d}-{m:02d}")
    return tuple(reversed(out))
