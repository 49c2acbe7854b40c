"""Results as tables: book tiering, plans, suitability and allocation lists to Arrow, pandas, polars.

The scalar API's results become Arrow tables in the columnar path's own
schemas where one exists (tier decisions in :func:`tier_output_schema`'s
columns with plain strings for its dictionaries, plus ``manager_id``; suitability decisions in :func:`suitability_output_schema`),
and in the schemas listed in ``docs/scale-out.md`` otherwise. Money and
shares stay exact decimals (``decimal128``, at the scale the values carry);
``money="float"`` gives ``float64`` columns instead, for plotting only (a
float cannot hold every amount exactly, so floats exist only on the way out).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from enum import Enum
from typing import Any, Literal, TypeAlias

import pyarrow as pa

from custtier._explain import Decision, ErrorRecord, Reason, ReasonCode
from custtier.cadence import ContactPlan, ManagerWeekLoad, Touchpoint, Unscheduled
from custtier.errors import InputError, MissingExtraError
from custtier.frames._arrow import playbook_fields
from custtier.frames._suitability import suitability_output_schema
from custtier.frames._tier import plain_tier_schema
from custtier.frames._types import ArrowTable, PandasFrame, PolarsFrame
from custtier.presets import PRACTICE
from custtier.rules import Basis
from custtier.suitability import AllocationDecision, SuitabilityDecision
from custtier.tiering import BookTiering, TierDecision, TierSummary, UpgradeCandidate
from custtier.worklist import BookWorklists, WorkDay, WorkItem, Worklist

__all__ = ["MONEY", "PARTS", "results_pandas", "results_polars", "results_table"]

#: How money and shares leave: exact decimals (the default) or floats for plotting.
Money = Literal["decimal", "float"]
MONEY: tuple[str, ...] = ("decimal", "float")

#: The tables each result holds; the first is the default ``part``.
PARTS: dict[str, tuple[str, ...]] = {
    "BookTiering": ("decisions", "summary", "candidates", "errors"),
    "ContactPlan": ("touchpoints", "unscheduled", "load", "errors"),
    "Worklist": ("items", "days", "errors"),
    "BookWorklists": ("items", "days", "errors"),
}

_STRINGS = pa.list_(pa.string())


def _audit(d: Decision) -> dict[str, Any]:
    return {
        "as_of": d.as_of,
        "playbook_id": d.playbook.id,
        "playbook_version": d.playbook.version,
        "playbook_hash": d.playbook.content_hash,
    }


def _codes(reasons: Sequence[Reason]) -> dict[str, list[str]]:
    return {
        "reason_codes": [r.code.value for r in reasons],
        "rule_ids": [r.rule_id for r in reasons],
    }


def _tier_rows(decisions: Iterable[TierDecision]) -> tuple[list[dict[str, Any]], Any]:
    """Rows in :func:`tier_output_schema`'s columns, read column by column off each decision.

    Columns are named after the decision's fields, so a column the schema
    gains (``held_since``) fills itself; only the renamed ones are spelled out.
    Plain strings where ``tier_table`` has dictionaries: those are the
    playbook's, and a decision carries only the playbook's reference.
    """
    schema = plain_tier_schema(PRACTICE).append(pa.field("manager_id", pa.string()))
    special = {
        "customer_key",
        "error_code",
        "error_field",
        "tier",
        "reason_codes",
        "rule_ids",
        "kyc_gaps",
    }
    plain = [
        name
        for name in schema.names
        if name not in special and not name.startswith(("basis_", "playbook_"))
    ]
    rows = []
    for d in decisions:
        row: dict[str, Any] = {
            "customer_key": d.customer_key,
            "error_code": None,
            "error_field": None,
            "tier": d.outcome,
            **{f"basis_{b.value}": d.basis_values.get(b.value) for b in Basis},
            **_codes(d.reasons),
            "kyc_gaps": [g.value for g in d.kyc_gaps],
            **_audit(d),
        }
        for name in plain:
            value = getattr(d, name)
            row[name] = value.value if isinstance(value, Enum) else value
        rows.append(row)
    return rows, schema


def _suitability_rows(decisions: Iterable[SuitabilityDecision]) -> tuple[list[dict[str, Any]], Any]:
    rows = [
        {
            "customer_key": d.customer_key,
            "product_id": d.product_id,
            "error_code": None,
            "error_field": None,
            "outcome": d.outcome,
            "allowed": d.allowed,
            "conditions": [c.value for c in d.conditions],
            "cooling_off_hours": d.cooling_off_hours,
            "nearest_valid_amounts": list(d.nearest_valid_amounts),
            **_codes(d.reasons),
            **_audit(d),
        }
        for d in decisions
    ]
    return rows, suitability_output_schema(PRACTICE)


_ALLOCATION_SCHEMA = pa.schema(
    [
        ("customer_key", pa.string()),
        ("outcome", pa.string()),
        ("amount", pa.decimal128(38, 2)),
        ("currency", pa.string()),
        ("line", pa.int32()),
        ("line_kind", pa.string()),
        ("product_id", pa.string()),
        ("category", pa.string()),
        ("line_amount", pa.decimal128(38, 2)),
        ("weight", pa.decimal128(38, 4)),
        ("conditions", _STRINGS),
        ("reason_codes", _STRINGS),
        ("rule_ids", _STRINGS),
        ("as_of", pa.date32()),
        *playbook_fields(),
    ]
)


def _allocation_rows(decisions: Iterable[AllocationDecision]) -> tuple[list[dict[str, Any]], Any]:
    """One row per line; the unplaced remainder is a row of its own, so every cent is a row."""
    rows = []
    for d in decisions:
        head = {
            "customer_key": d.customer_key,
            "outcome": d.outcome,
            "amount": d.amount,
            "currency": d.currency,
        }
        for i, line in enumerate(d.lines):
            rows.append(
                {
                    **head,
                    "line": i,
                    "line_kind": "cash" if line.product_id is None else "product",
                    "product_id": line.product_id,
                    "category": line.category,
                    "line_amount": line.amount,
                    "weight": line.weight,
                    "conditions": [c.value for c in line.conditions],
                    **_codes(line.reasons),
                    **_audit(d),
                }
            )
        if d.unplaced or not d.lines:
            rows.append(
                {
                    **head,
                    "line": len(d.lines),
                    "line_kind": "unplaced",
                    "product_id": None,
                    "category": None,
                    "line_amount": d.unplaced,
                    "weight": None,
                    "conditions": [],
                    **_codes(d.reasons),
                    **_audit(d),
                }
            )
    return rows, _ALLOCATION_SCHEMA


_PLAN_COLUMNS: list[tuple[str, Any]] = [
    ("customer_key", pa.string()),
    ("tier", pa.string()),
    ("manager_id", pa.string()),
    ("rule_id", pa.string()),
    ("occasion", pa.string()),
    ("channel", pa.string()),
    ("purpose", pa.string()),
    ("owner", pa.string()),
    ("label", pa.string()),
    ("due_on", pa.date32()),
]
_TOUCHPOINT_SCHEMA = pa.schema(
    [
        *_PLAN_COLUMNS,
        ("on", pa.date32()),
        ("at", pa.timestamp("s")),
        ("week", pa.string()),
        ("priority", pa.int32()),
        ("duration_minutes", pa.int32()),
        ("offer", pa.string()),
        ("provisional", pa.bool_()),
        ("kyc_items", _STRINGS),
        ("reason_codes", _STRINGS),
        ("rule_ids", _STRINGS),
    ]
)
_UNSCHEDULED_SCHEMA = pa.schema(
    [
        *_PLAN_COLUMNS,
        ("week", pa.string()),
        ("code", pa.string()),
        ("reason_codes", _STRINGS),
        ("rule_ids", _STRINGS),
    ]
)
_LOAD_SCHEMA = pa.schema(
    [
        ("manager_id", pa.string()),
        ("week", pa.string()),
        ("capacity_minutes", pa.int64()),
        ("booked_minutes", pa.int64()),
        ("touchpoints", pa.int64()),
        ("unscheduled", pa.int64()),
    ]
)


def _plan_head(t: Touchpoint | Unscheduled) -> dict[str, Any]:
    return {
        "customer_key": t.customer_key,
        "tier": t.tier,
        "manager_id": t.manager_id,
        "rule_id": t.rule_id,
        "occasion": t.occasion.value,
        "channel": t.channel.value,
        "purpose": t.purpose.value,
        "owner": t.owner.value,
        "label": t.label,
        "due_on": t.due_on,
    }


def _touchpoint_rows(items: Iterable[Touchpoint]) -> tuple[list[dict[str, Any]], Any]:
    rows = []
    for t in items:
        year, week, _ = t.on.isocalendar()
        rows.append(
            {
                **_plan_head(t),
                "on": t.on,
                # Wall time in the customer's zone (the zone is the customer's, not a column).
                "at": t.at.replace(tzinfo=None) if t.at is not None else None,
                "week": f"{year}-W{week:02d}",
                "priority": t.priority,
                "duration_minutes": t.duration_minutes,
                "offer": t.offer.value if t.offer is not None else None,
                "provisional": any(r.code is ReasonCode.CADENCE_PROVISIONAL for r in t.reasons),
                "kyc_items": [k.value for k in t.kyc_items],
                **_codes(t.reasons),
            }
        )
    return rows, _TOUCHPOINT_SCHEMA


def _unscheduled_rows(items: Iterable[Unscheduled]) -> tuple[list[dict[str, Any]], Any]:
    rows = [
        {**_plan_head(u), "week": u.week, "code": u.code.value, **_codes(u.reasons)} for u in items
    ]
    return rows, _UNSCHEDULED_SCHEMA


def _load_rows(items: Iterable[ManagerWeekLoad]) -> tuple[list[dict[str, Any]], Any]:
    return [item.model_dump() for item in items], _LOAD_SCHEMA


_SUMMARY_SCHEMA = pa.schema(
    [
        ("tier", pa.string()),
        ("count", pa.int64()),
        ("customer_share", pa.decimal128(38, 4)),
        ("asset_share", pa.decimal128(38, 4)),
        ("profit_share", pa.decimal128(38, 4)),
    ]
)


def _summary_rows(items: Iterable[TierSummary]) -> tuple[list[dict[str, Any]], Any]:
    return [s.model_dump() for s in items], _SUMMARY_SCHEMA


_CANDIDATES_SCHEMA = pa.schema(
    [
        ("customer_key", pa.string()),
        ("tier", pa.string()),
        ("target_tier", pa.string()),
        ("score", pa.int64()),
        ("reason_codes", _STRINGS),
        ("rule_ids", _STRINGS),
    ]
)


def _candidate_rows(items: Iterable[UpgradeCandidate]) -> tuple[list[dict[str, Any]], Any]:
    rows = [
        {
            "customer_key": c.customer_key,
            "tier": c.tier,
            "target_tier": c.target_tier,
            "score": c.score,
            **_codes(c.signals),
        }
        for c in items
    ]
    return rows, _CANDIDATES_SCHEMA


_ERRORS_SCHEMA = pa.schema(
    [
        ("customer_key", pa.string()),
        ("index", pa.int64()),
        ("code", pa.string()),
        ("field", pa.string()),
        ("message", pa.string()),
    ]
)


def _error_rows(items: Iterable[ErrorRecord]) -> tuple[list[dict[str, Any]], Any]:
    rows = [
        {
            "customer_key": e.customer_key,
            "index": e.index,
            "code": e.code,
            "field": e.field,
            "message": e.message,
        }
        for e in items
    ]
    return rows, _ERRORS_SCHEMA


_WORK_ITEM_SCHEMA = pa.schema(
    [
        ("manager_id", pa.string()),
        ("on", pa.date32()),
        ("position", pa.int32()),
        ("key", pa.string()),
        ("tier", pa.string()),
        ("kind", pa.string()),
        ("rule_id", pa.string()),
        ("label", pa.string()),
        ("due_on", pa.date32()),
        ("available_on", pa.date32()),
        ("at", pa.timestamp("s")),
        ("priority", pa.int32()),
        ("channel", pa.string()),
        ("purpose", pa.string()),
        ("minutes", pa.int32()),
        ("carried", pa.string()),
        ("amount", pa.decimal128(38, 2)),
        ("score", pa.int32()),
        ("kyc_items", _STRINGS),
        ("option_products", _STRINGS),
        ("option_amounts", pa.list_(pa.decimal128(38, 2))),
        ("reason_codes", _STRINGS),
        ("rule_ids", _STRINGS),
    ]
)


def _work_item_rows(items: Iterable[WorkItem]) -> tuple[list[dict[str, Any]], Any]:
    rows = [
        {
            "manager_id": i.manager_id,
            "on": i.on,
            "position": i.position,
            "key": i.customer_key,
            "tier": i.tier,
            "kind": i.kind.value,
            "rule_id": i.rule_id,
            "label": i.label,
            "due_on": i.due_on,
            "available_on": i.available_on,
            # Wall time in the customer's zone, as touchpoints' "at".
            "at": i.at.replace(tzinfo=None) if i.at is not None else None,
            "priority": i.priority,
            "channel": i.channel.value if i.channel is not None else None,
            "purpose": i.purpose.value,
            "minutes": i.minutes,
            "carried": i.carried.value if i.carried is not None else None,
            "amount": i.amount,
            "score": i.score,
            "kyc_items": [k.value for k in i.kyc_items],
            "option_products": [o.product_id or "" for o in i.options],
            "option_amounts": [o.amount for o in i.options],
            **_codes(i.reasons),
        }
        for i in items
    ]
    return rows, _WORK_ITEM_SCHEMA


_WORK_DAY_SCHEMA = pa.schema(
    [
        ("manager_id", pa.string()),
        ("on", pa.date32()),
        ("capacity_minutes", pa.int64()),
        ("booked_minutes", pa.int64()),
        ("items", pa.int64()),
    ]
)


def _work_day_rows(items: Iterable[tuple[str, WorkDay]]) -> tuple[list[dict[str, Any]], Any]:
    rows = [
        {
            "manager_id": manager_id,
            "on": d.on,
            "capacity_minutes": d.capacity_minutes,
            "booked_minutes": d.booked_minutes,
            "items": len(d.items),
        }
        for manager_id, d in items
    ]
    return rows, _WORK_DAY_SCHEMA


_Rows = Callable[[Any], tuple[list[dict[str, Any]], Any]]
_BY_ITEM: dict[type, _Rows] = {
    TierDecision: _tier_rows,
    SuitabilityDecision: _suitability_rows,
    AllocationDecision: _allocation_rows,
    Touchpoint: _touchpoint_rows,
    Unscheduled: _unscheduled_rows,
    ManagerWeekLoad: _load_rows,
    TierSummary: _summary_rows,
    UpgradeCandidate: _candidate_rows,
    ErrorRecord: _error_rows,
    WorkItem: _work_item_rows,
    tuple: _work_day_rows,  # (manager id, WorkDay): a worklist's days
}
_EMPTY: dict[str, type] = {
    "decisions": TierDecision,
    "summary": TierSummary,
    "candidates": UpgradeCandidate,
    "errors": ErrorRecord,
    "touchpoints": Touchpoint,
    "unscheduled": Unscheduled,
    "load": ManagerWeekLoad,
    "items": WorkItem,
    "days": tuple,
}


#: What the results helpers take: a whole result, or a list of rows of one kind.
Results: TypeAlias = (
    BookTiering
    | ContactPlan
    | Iterable[
        TierDecision
        | SuitabilityDecision
        | AllocationDecision
        | Touchpoint
        | Unscheduled
        | ManagerWeekLoad
        | TierSummary
        | UpgradeCandidate
        | ErrorRecord
    ]
)


def _items(results: Any, part: str | None) -> tuple[Sequence[Any], type]:
    """The rows a result (or a list of results) holds, and their type."""
    if isinstance(results, (Worklist, BookWorklists)):
        return _worklist_part(results, part)
    if isinstance(results, (BookTiering, ContactPlan)):
        parts = PARTS[type(results).__name__]
        chosen = parts[0] if part is None else part
        if chosen not in parts:
            raise InputError(
                f"part must be one of {', '.join(parts)} for a {type(results).__name__}",
                field="part",
            )
        return tuple(getattr(results, chosen)), _EMPTY[chosen]
    if part is not None:
        raise InputError(
            "part applies to a BookTiering, ContactPlan or worklist only", field="part"
        )
    items = tuple(results)
    kinds = {type(item) for item in items}
    if len(kinds) > 1:
        raise InputError("results must all be of one kind (one table per kind)", field="results")
    kind = kinds.pop() if kinds else TierDecision
    if kind not in _BY_ITEM:
        raise InputError(
            f"no table for {kind.__name__}; give tier, suitability or allocation decisions, "
            "touchpoints, unscheduled contacts or load rows",
            field="results",
        )
    return items, kind


def _worklist_part(
    results: Worklist | BookWorklists, part: str | None
) -> tuple[Sequence[Any], type]:
    parts = PARTS[type(results).__name__]
    chosen = parts[0] if part is None else part
    if chosen not in parts:
        raise InputError(
            f"part must be one of {', '.join(parts)} for a {type(results).__name__}", field="part"
        )
    lists = results.worklists if isinstance(results, BookWorklists) else (results,)
    if chosen == "items":
        return tuple(i for w in lists for i in w.items()), WorkItem
    if chosen == "days":
        return tuple((w.manager_id, d) for w in lists for d in w.days), tuple
    return tuple(results.errors), ErrorRecord


def _scale(values: Iterable[Any]) -> int | None:
    exponents = [v.as_tuple().exponent for v in values if isinstance(v, Decimal)]
    places = [-e for e in exponents if isinstance(e, int)]  # custtier's decimals are finite
    return max(0, *places) if places else None


def _rescaled(schema: Any, rows: Sequence[dict[str, Any]]) -> Any:
    """The schema with each decimal column at the scale its values carry (money stays exact)."""
    fields = []
    for f in schema:
        t = f.type
        if pa.types.is_decimal(t):
            scale = _scale(row[f.name] for row in rows)
            t = pa.decimal128(38, t.scale if scale is None else scale)
        elif pa.types.is_list(t) and pa.types.is_decimal(t.value_type):
            scale = _scale(v for row in rows for v in row[f.name] or ())
            t = pa.list_(pa.decimal128(38, t.value_type.scale if scale is None else scale))
        fields.append(f.with_type(t))
    return pa.schema(fields)


def _floats(table: Any) -> Any:
    """Decimal columns as float64: for plotting only (not every amount is a float)."""
    fields = []
    for f in table.schema:
        t = f.type
        if pa.types.is_decimal(t):
            t = pa.float64()
        elif pa.types.is_list(t) and pa.types.is_decimal(t.value_type):
            t = pa.list_(pa.float64())
        fields.append(f.with_type(t))
    return table.cast(pa.schema(fields))


def results_table(
    results: Results, *, part: str | None = None, money: Money = "decimal"
) -> ArrowTable:
    """Results as an Arrow table: a ``BookTiering`` or ``ContactPlan`` part, or a list of results.

    ``part`` picks a table of a book tiering (``decisions`` by default,
    ``summary``, ``candidates``, ``errors``) or a plan (``touchpoints`` by
    default, ``unscheduled``, ``load``, ``errors``). A list holds tier,
    suitability or allocation decisions (or plan rows) of one kind.
    ``money="float"`` gives float64 money for plotting.

    >>> import datetime as dt
    >>> from custtier import presets, synth, tier_book
    >>> b = synth.book(40, seed=3, as_of=dt.date(2026, 11, 30))
    >>> t = tier_book(b.customers, presets.PRACTICE, as_of=dt.date(2026, 11, 30))
    >>> table = results_table(t)
    >>> table.num_rows, table.schema.field("basis_average_daily_balance").type
    (40, Decimal128Type(decimal128(38, 2)))
    >>> results_table(t, part="summary", money="float").schema.field("profit_share").type
    DataType(double)
    """
    if money not in MONEY:
        raise InputError('money must be "decimal" or "float"', field="money")
    items, kind = _items(results, part)
    rows, schema = _BY_ITEM[kind](items)
    table = pa.Table.from_pylist(rows, schema=_rescaled(schema, rows))
    return _floats(table) if money == "float" else table


def _module(name: str, extra: str, purpose: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        raise MissingExtraError(extra=extra, module=name, purpose=purpose) from None


def results_pandas(
    results: Results, *, part: str | None = None, money: Money = "decimal"
) -> PandasFrame:
    """:func:`results_table` as a pandas DataFrame; decimals stay exact (``decimal128[pyarrow]``)."""
    pd = _module("pandas", "pandas", "to_pandas()")
    table = results_table(results, part=part, money=money)

    def exact(t: Any) -> Any:
        return pd.ArrowDtype(t) if pa.types.is_decimal(t) else None

    return table.to_pandas(types_mapper=exact)


def results_polars(
    results: Results, *, part: str | None = None, money: Money = "decimal"
) -> PolarsFrame:
    """:func:`results_table` as a polars DataFrame; decimals stay exact (``pl.Decimal``)."""
    pl = _module("polars", "polars", "to_polars()")
    return pl.from_arrow(results_table(results, part=part, money=money))
