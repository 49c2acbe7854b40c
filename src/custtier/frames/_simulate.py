"""Policy what-if on an Arrow table: the migration matrix and manager shifts of a whole book.

:func:`simulate_table` is :func:`custtier.simulate`'s tiering half for books
too large for a model per customer: each playbook tiers the table with
:func:`~custtier.frames.tier_table` (its own Pareto cut of this book), then
the matrix is counted with numpy, never a Python object per row. Its
answers equal the scalar ``simulate`` on the same book (a property test
keeps them equal on generated books and playbooks). Product eligibility,
services, KYC and the contact plan's load stay with the scalar path, which
runs them on the few customers who move (``moved`` lists them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from custtier._args import as_date, as_playbook
from custtier._display import Displayable, View, register
from custtier._explain import PlaybookRef
from custtier._money import exact_context, minor_unit
from custtier._progress import ProgressCallback
from custtier.frames._arrow import I64, as_table, money_column, np_bool
from custtier.frames._tier import DEFAULT_CHUNK_ROWS, tier_table
from custtier.frames._types import ArrowTable, FrameLike
from custtier.rules import Playbook, RuleChange
from custtier.whatif._models import ManagerShift, MigrationCell, ServiceTotal
from custtier.whatif._services import service_totals
from custtier.whatif._view import impact_tables, impact_title

__all__ = ["TableImpact", "simulate_table"]

_LOW = np.int64(0xFFFFFFFF)


@dataclass(frozen=True, slots=True, repr=False)
class TableImpact(Displayable):
    """What :func:`simulate_table` gives back: the counts as values, the rows as Arrow tables.

    ``matrix``, ``managers``, ``service_totals``, ``tiers``, ``changes`` and ``decided`` mean what
    they mean on :class:`custtier.PolicyImpact` (equal to it on the same
    book). ``moved`` has one row per customer whose tier differs
    (``input_row``, ``customer_key``, ``from_tier``, ``to_tier``, and each side's
    deciding rule id), ``errors`` one per row not decided on at least one
    side (``input_row``, the key if well-formed, each side's ``error_code``
    and ``error_field``, null on a side that decided it); both in input order.
    ``rows`` = ``decided`` + the rows of ``errors``: nothing is dropped.
    """

    current: PlaybookRef
    proposed: PlaybookRef
    as_of: dt.date
    changes: tuple[RuleChange, ...]
    tiers: tuple[str, ...]
    matrix: tuple[MigrationCell, ...]
    managers: tuple[ManagerShift, ...]
    service_totals: tuple[ServiceTotal, ...]
    decided: int
    rows: int
    moved: ArrowTable
    errors: ArrowTable

    def cell(self, from_tier: str, to_tier: str) -> MigrationCell:
        """The matrix cell from ``from_tier`` to ``to_tier``; ``KeyError`` if either is unknown."""
        for c in self.matrix:
            if c.from_tier == from_tier and c.to_tier == to_tier:
                return c
        raise KeyError((from_tier, to_tier))


@register(TableImpact, short_repr=True)
def _table_impact(t: TableImpact) -> View:
    facts: list[tuple[str, object]] = [
        ("as of", t.as_of.isoformat()),
        ("rows", t.rows),
        ("decided on both sides", t.decided),
        ("moved tier", t.moved.num_rows),
        ("errors", t.errors.num_rows),
    ]
    title = impact_title("TableImpact", t.current, t.proposed, t.moved.num_rows)
    return View(title, facts, impact_tables(t.changes, t.matrix, t.managers, t.service_totals))


def simulate_table(
    data: FrameLike,
    current: Playbook,
    proposed: Playbook,
    *,
    as_of: dt.date,
    previous: FrameLike | None = None,
    progress: ProgressCallback | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> TableImpact:
    """The tier migration of ``data`` when ``proposed`` replaces ``current``, on ``as_of``.

    ``data`` is a table in :func:`~custtier.frames.tier_input_schema`'s
    columns (an Arrow table or record batch, a pandas or polars frame), with
    an optional ``manager_id`` column for ``managers``; ``previous`` is last
    run's :func:`~custtier.frames.tier_table` output (hysteresis), as there.
    AUM and profit per cell are exact sums, at the current playbook's
    currency scale. ``progress(done, total)`` counts rows over both
    playbooks' two passes (``total`` is four times the rows).

    >>> import datetime as dt
    >>> import pyarrow as pa
    >>> from custtier import Playbook, presets
    >>> import custtier.frames as cf
    >>> book = pa.table({
    ...     "key": ["C1", "C2"],
    ...     "assets_under_management": pa.array([550_000_00, 20_000_00], pa.int64()),
    ...     "annual_profit_contribution": pa.array([0, 0], pa.int64()),
    ...     "monthly_balances": [
    ...         [{"month": m, "average_daily_balance": 550_000_00} for m in ("2026-09", "2026-10")],
    ...         [{"month": m, "average_daily_balance": 20_000_00} for m in ("2026-09", "2026-10")]],
    ...     "manager_id": ["RM1", "RM1"],
    ... })
    >>> data = presets.PRACTICE.model_dump()
    >>> data["tiering"]["bases"][0]["bands"][1]["upper"] = "600000"
    >>> data["tiering"]["bases"][0]["bands"][2]["lower"] = "600000"
    >>> data["version"] = "2.0"
    >>> impact = cf.simulate_table(book, presets.PRACTICE, Playbook.model_validate(data),
    ...                            as_of=dt.date(2026, 11, 30))
    >>> cell = impact.cell("high_end", "mid_end")
    >>> cell.customers, cell.aum
    (1, Decimal('550000.00'))
    >>> impact.moved.select(["customer_key", "from_tier", "to_tier"]).to_pylist()
    [{'customer_key': 'C1', 'from_tier': 'high_end', 'to_tier': 'mid_end'}]
    >>> [(m.manager_id, m.tier, m.current, m.proposed) for m in impact.managers]
    [('RM1', 'mid_end', 0, 1), ('RM1', 'high_end', 1, 0)]
    """
    current, proposed = as_playbook(current, "current"), as_playbook(proposed, "proposed")
    as_of = as_date(as_of, "as_of")
    table = as_table(data)
    n = table.num_rows
    sides = []
    for i, pb in enumerate((current, proposed)):
        report = None if progress is None else _offset(progress, i * 2 * n, 4 * n)
        sides.append(
            tier_table(
                table, pb, as_of=as_of, previous=previous, progress=report, chunk_rows=chunk_rows
            )
        )
    old, new = sides
    known = {t.id for t in current.tiers}
    tiers = (*(t.id for t in current.tiers), *(t.id for t in proposed.tiers if t.id not in known))
    ok = np_bool(pc.is_null(old.column("error_code"))) & np_bool(
        pc.is_null(new.column("error_code"))
    )
    vocab = pa.array(tiers, pa.string())
    size = len(tiers)
    src = _codes(old.column("tier"), vocab)
    dst = _codes(new.column("tier"), vocab)
    cells = (src * size + dst)[ok]
    scale = minor_unit(current.currency)
    counts = np.bincount(cells, minlength=size * size)
    aum = _sums(_minor(table, "assets_under_management", scale)[ok], cells, size * size)
    profit = _sums(_minor(table, "annual_profit_contribution", scale)[ok], cells, size * size)
    with exact_context():
        matrix = tuple(
            MigrationCell(
                from_tier=tiers[i // size],
                to_tier=tiers[i % size],
                customers=int(counts[i]),
                aum=Decimal(aum[i]).scaleb(-scale),
                profit=Decimal(profit[i]).scaleb(-scale),
            )
            for i in range(size * size)
        )
    return TableImpact(
        current=current.ref,
        proposed=proposed.ref,
        as_of=as_of,
        changes=current.diff(proposed),
        tiers=tiers,
        matrix=matrix,
        managers=_managers(table, ok, src, dst, tiers),
        service_totals=service_totals(matrix, current, proposed),
        decided=int(ok.sum()),
        rows=n,
        moved=_moved(old, new, np.flatnonzero(ok & (src != dst))),
        errors=_errors(old, new, np.flatnonzero(~ok)),
    )


def _offset(progress: ProgressCallback, before: int, total: int) -> ProgressCallback:
    def report(done: int, _of: int) -> None:
        progress(before + done, total)

    return report


def _codes(column: Any, vocab: Any) -> I64:
    """Each row's tier as its position in ``vocab`` (-1 on error rows)."""
    found = pc.index_in(column, value_set=vocab)
    return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _minor(table: Any, name: str, scale: int) -> I64:
    """A money column as int64 minor units (zeros if absent, as the scalar model's default)."""
    if name not in table.column_names:
        return np.zeros(table.num_rows, dtype=np.int64)
    return money_column(table, name, scale).values


def _sums(values: I64, cells: I64, size: int) -> list[int]:
    """Exact per-cell sums: the int64 halves summed apart, joined as Python ints."""
    # Each half's sum stays inside int64 for any book under two billion rows.
    high = np.zeros(size, dtype=np.int64)
    low = np.zeros(size, dtype=np.int64)
    np.add.at(high, cells, values >> 32)
    np.add.at(low, cells, values & _LOW)
    return [(int(h) << 32) + int(lo) for h, lo in zip(high, low, strict=True)]


def _managers(
    table: Any, ok: Any, src: I64, dst: I64, tiers: tuple[str, ...]
) -> tuple[ManagerShift, ...]:
    if "manager_id" not in table.column_names:
        return ()
    encoded = pc.dictionary_encode(table.column("manager_id")).combine_chunks()
    names: list[str] = encoded.dictionary.to_pylist()
    none = len(names)  # the code of "no manager"
    ids = np.asarray(pc.fill_null(encoded.indices, none).to_numpy(zero_copy_only=False), np.int64)
    size = len(tiers)
    width = (none + 1) * size
    before = np.bincount((ids * size + src)[ok], minlength=width)
    after = np.bincount((ids * size + dst)[ok], minlength=width)
    order = sorted(range(len(names)), key=lambda i: names[i])
    out = []
    for m in [none, *order]:  # customers without a manager first, as the scalar path
        for t in range(size):
            a, b = int(before[m * size + t]), int(after[m * size + t])
            if a != b:
                manager = None if m == none else names[m]
                out.append(ManagerShift(manager_id=manager, tier=tiers[t], current=a, proposed=b))
    return tuple(out)


def _moved(old: Any, new: Any, rows: Any) -> Any:
    at = pa.array(rows, pa.int64())
    return pa.table(
        {
            "input_row": at,
            "customer_key": old.column("customer_key").take(at),
            # Plain strings, as before tier_table's columns were dictionary-encoded.
            "from_tier": _text(old.column("tier").take(at)),
            "to_tier": _text(new.column("tier").take(at)),
            "current_decided_by": _text(old.column("decided_by").take(at)),
            "proposed_decided_by": _text(new.column("decided_by").take(at)),
        }
    )


def _text(column: Any) -> Any:
    return column.cast(pa.string())


def _errors(old: Any, new: Any, rows: Any) -> Any:
    at = pa.array(rows, pa.int64())
    key = pc.coalesce(old.column("customer_key").take(at), new.column("customer_key").take(at))
    return pa.table(
        {
            "input_row": at,
            "customer_key": key,
            "current_error_code": old.column("error_code").take(at),
            "current_error_field": old.column("error_field").take(at),
            "proposed_error_code": new.column("error_code").take(at),
            "proposed_error_field": new.column("error_field").take(at),
        }
    )
