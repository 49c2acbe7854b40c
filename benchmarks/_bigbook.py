"""A million-customer book as Arrow columns, without a million pydantic models.

:func:`customer_table` validates a seeded sample of ``custtier.synth``
customers once (a few thousand models), lays them out as an Arrow table in
the shape of :class:`custtier.Customer` (one column per field, nested models
as structs, tuples as lists, money as ``decimal128``, dates as ``date32``),
and repeats the sample up to ``n`` rows with ``take``. Each row then gets its
own key (``kyc.customer_key`` follows) and every date of the row moves back
by the same random 0-364 days, so birthdays, review and maturity dates are
spread over the year (as in a real book) while every rule between a
customer's own dates still holds. Referrals are dropped (``referred_by``
null) because repeated rows would refer to keys of other copies.

:func:`suitability_input_table` and :func:`occasions_input` derive the inputs of the
suitability and cadence stages from that table, cast to the stage's input
schema when ``custtier.frames`` publishes one (``suitability_input_schema``,
``occasions_input_schema``), laid out as its ``suitability_input_table`` / ``occasions_input_table``
builders lay out models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from custtier import Product, synth
from custtier.models._base import REVEAL_PERSONAL_DATA
from custtier.rules import Playbook

#: Columns :func:`custtier.frames.tier_table` reads from the customer table.
TIER_COLUMNS = (
    "key",
    "currency",
    "assets_under_management",
    "annual_profit_contribution",
    "monthly_balances",
)


def customer_table(n: int, *, playbook: Playbook, as_of: dt.date, sample: int = 5_000, seed: int = 2026) -> Any:  # fmt: skip
    """``n`` customers in :class:`custtier.Customer`'s shape, keyed ``C00000001`` …"""
    size = max(1, min(n, sample))
    models = synth.customers(size, seed=seed, as_of=as_of, playbook=playbook)
    # Free text is redacted in a default dump and the redaction marker is refused
    # on the way back in: the synthetic book's text is revealed, as an export would be.
    reveal = {REVEAL_PERSONAL_DATA: True}
    drop = {"kyc": {"identity"}, "risk_assessment": {"answers"}}
    rows = [c.model_dump(exclude=drop, context=reveal) for c in models]
    del models
    base = pa.Table.from_pylist(rows)
    del rows
    table = base.take(pa.array(np.arange(n, dtype=np.int64) % size)).combine_chunks()
    rng = np.random.Generator(np.random.PCG64(seed))
    shift = -rng.integers(0, 365, size=n).astype(np.int32)
    keys = pa.array([f"C{i:08d}" for i in range(1, n + 1)], pa.string())
    columns = {}
    for name in table.column_names:
        column = table.column(name).combine_chunks()
        if name == "key":
            column = keys
        elif name == "referred_by":
            column = pa.nulls(n, pa.string())
        else:
            column = _shift_dates(column, shift)
        if name == "kyc":
            column = _replace_field(column, "customer_key", keys)
        columns[name] = column
    return pa.table(columns)


def suitability_input_table(customers: Any, tiers: Any, catalogue: Sequence[Product], *, per_customer: int, schema: Any = None, seed: int = 7) -> Any:  # fmt: skip
    """``per_customer`` distinct catalogue products per customer, in the columns of ``schema``.

    One row per (customer, product): key, product id, currency, tier, the risk
    assessment's level and validity (flattened), birth date, no amount, not
    in branch. Products are drawn at random, distinct within a customer (a
    random start and stride over the catalogue). With ``schema`` (say,
    ``custtier.frames.suitability_input_schema(playbook)``) the columns are
    cast to it, in its order; columns it names that are not built here are
    null.
    """
    n = customers.num_rows
    k = len(catalogue)
    if not 1 <= per_customer <= max(1, (k + 1) // 2):
        raise ValueError("per_customer must be between 1 and half the catalogue")
    rng = np.random.Generator(np.random.PCG64(seed))
    start = rng.integers(0, k, size=n)
    stride = rng.integers(1, max(2, (k + 1) // 2), size=n) if per_customer > 1 else np.ones(n, int)
    picks = (start[:, None] + stride[:, None] * np.arange(per_customer)[None, :]) % k
    rows = pa.array(np.repeat(np.arange(n, dtype=np.int64), per_customer))
    ids = pa.array([p.id for p in catalogue], pa.string())
    assessment = customers.column("risk_assessment").combine_chunks()
    level, assessed_on, valid_until = (
        pc.struct_field(assessment, name) for name in ("level", "assessed_on", "valid_until")
    )
    columns = {
        "key": customers.column("key"),
        "product_id": None,
        "currency": customers.column("currency"),
        "tier": tiers,
        "risk_level": level,
        "assessed_on": assessed_on,
        "valid_until": valid_until,
        "birth_date": customers.column("birth_date"),
    }
    table = pa.table({k: v for k, v in columns.items() if v is not None}).take(rows)
    table = table.add_column(1, "product_id", ids.take(pa.array(picks.reshape(-1))))
    table = table.append_column("amount", pa.nulls(table.num_rows, pa.int64()))
    table = table.append_column("in_branch", pa.array(np.zeros(table.num_rows, dtype=bool)))
    return table if schema is None else conform(table, schema)


def conform(table: Any, schema: Any) -> Any:
    """``table`` with exactly ``schema``'s columns, cast; absent ones null."""
    columns = []
    for f in schema:
        if f.name in table.column_names:
            columns.append(table.column(f.name).cast(f.type))
        else:
            columns.append(pa.nulls(table.num_rows, f.type))
    return pa.table(columns, schema=schema)


def occasions_input(customers: Any, tiers: Any, *, schema: Any = None) -> Any:
    """The customers' cadence fields, flattened as the planner reads them, and their ``tier``.

    Key, tier, manager, birth date, the KYC file's important dates (labels
    left out), AML rating and last review, the risk assessment's last valid
    day, holdings (product and maturity) and needs; no contact history. Cast
    to ``schema`` (say, ``custtier.frames.occasions_input_schema(playbook)``)
    when given.
    """
    kyc = customers.column("kyc").combine_chunks()
    assessment = customers.column("risk_assessment").combine_chunks()
    important = pc.struct_field(kyc, "important_dates")
    important = pc.fill_null(important, pa.scalar([], important.type))
    holdings = customers.column("products_held").combine_chunks()
    table = pa.table(
        {
            "key": customers.column("key"),
            "tier": tiers,
            "manager_id": customers.column("manager_id"),
            "birth_date": customers.column("birth_date"),
            "important_dates": _drop_fields(important, ("label",)),
            "aml_rating": pc.struct_field(kyc, "aml_rating"),
            "last_reviewed_on": pc.struct_field(kyc, "last_reviewed_on"),
            "risk_assessed_on": pc.struct_field(assessment, "assessed_on"),
            "risk_valid_until": pc.struct_field(assessment, "valid_until"),
            "products_held": _drop_fields(holdings, ("principal", "opened_on")),
            "needs": customers.column("needs"),
        }
    )
    return table if schema is None else conform(table, schema)


def _drop_fields(lists: Any, names: Sequence[str]) -> Any:
    """A ``list<struct>`` array without the struct fields ``names``."""
    offsets = np.asarray(lists.offsets, dtype=np.int64)
    values = lists.values.slice(offsets[0], offsets[-1] - offsets[0])
    keep = [i for i, f in enumerate(values.type) if f.name not in names]
    children = values.flatten()
    inner = pa.StructArray.from_arrays(
        [children[i] for i in keep], fields=[values.type[i] for i in keep], mask=values.is_null()
    )
    return pa.ListArray.from_arrays(
        pa.array(offsets - offsets[0], pa.int32()), inner, mask=lists.is_null()
    )


def tiers_or_lowest(tier_output: Any, playbook: Playbook) -> Any:
    """The ``tier`` column of a tier output table; error rows get the lowest tier."""
    return pc.fill_null(tier_output.column("tier"), playbook.tiers[0].id).combine_chunks()


# --------------------------------------------------------------------------- Arrow helpers


def _shift_dates(arr: Any, days: Any) -> Any:
    """Every ``date32`` inside ``arr`` (through structs and lists) plus ``days`` of its row."""
    kind = arr.type
    if pa.types.is_date32(kind):
        shifted = pc.add(arr.cast(pa.int32()), pa.array(days, pa.int32()))
        return shifted.cast(pa.date32())
    if pa.types.is_struct(kind):
        if not _has_date(kind):
            return arr
        children = [_shift_dates(child, days) for child in arr.flatten()]
        return pa.StructArray.from_arrays(children, fields=list(kind), mask=arr.is_null())
    if pa.types.is_list(kind):
        if not _has_date(kind):
            return arr
        offsets = np.asarray(arr.offsets, dtype=np.int64)
        values = arr.values.slice(offsets[0], offsets[-1] - offsets[0])
        parents = np.repeat(np.arange(len(arr)), np.diff(offsets))
        inner = _shift_dates(values, days[parents])
        return pa.ListArray.from_arrays(
            pa.array(offsets - offsets[0], pa.int32()), inner, type=kind, mask=arr.is_null()
        )
    return arr


def _has_date(kind: Any) -> bool:
    if pa.types.is_date32(kind):
        return True
    if pa.types.is_struct(kind):
        return any(_has_date(f.type) for f in kind)
    if pa.types.is_list(kind):
        return _has_date(kind.value_type)
    return False


def _replace_field(arr: Any, name: str, values: Any) -> Any:
    kind = arr.type
    children = arr.flatten()
    children[kind.get_field_index(name)] = values
    return pa.StructArray.from_arrays(children, fields=list(kind), mask=arr.is_null())
