"""Suitability on Arrow tables: :func:`custtier.check_suitability`'s answers, pair by pair.

One input row is one (customer, product[, amount]) pair. The rules are the
suitability engine's own, called once per *distinct* input and broadcast:
the assessment's validity on the day per distinct pair of dates, elderly
per distinct birth date and age answer, and the level step, matrix row,
tier reservation and conditions of sale from ``trace_of`` per distinct kind
of buyer and product. Only the minimum/increment grid (exact integer minor
units, as many amounts as rows) is numpy arithmetic. Each row's trace (the codes of
:mod:`custtier.suitability._trace`) is a handful of integer arrays; the
outcome, reason codes, rule ids and conditions come from the explanation
table the scalar engine renders from, asked once per *distinct* trace and
laid out for every row with numpy, as :func:`custtier.frames.tier_table`
does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from custtier._args import (
    as_customers,
    as_date,
    as_playbook,
    as_products,
    as_tier,
    check_chunk_rows,
)
from custtier._cache import per_playbook
from custtier._money import EXACT, check_amount, minor_unit
from custtier._progress import ProgressCallback, Ticker
from custtier._tier_arg import TierLike
from custtier.errors import InputError
from custtier.frames._arrow import (
    BOOL,
    EPOCH,
    I64,
    MAX_MINOR_UNITS,
    Errors,
    Money,
    as_array,
    as_table,
    date_days,
    epoch_days,
    like_input,
    list_column,
    money_array,
    np_bool,
    playbook_columns,
    playbook_fields,
    signatures,
    string_column,
    to_decimal,
    well_formed_keys,
)
from custtier.frames._distinct import last_holding, per_code
from custtier.frames._types import ArrowSchema, ArrowTable, Frame, FrameLike
from custtier.models import Customer, Product
from custtier.rules import Playbook
from custtier.suitability._at_sale import (
    AgeSource,
    elderly_by_answer,
    elderly_by_birth,
    validity_on,
)
from custtier.suitability._check import Buyer, matrix_row, trace_of
from custtier.suitability._explanation import Explanation, explain
from custtier.suitability._plan import (
    ProductClass,
    SuitabilityPlan,
    product_class,
    suitability_plan,
)
from custtier.suitability._trace import (
    AmountCheck,
    LevelStep,
    SaleFlag,
    SuitabilityOutcome,
    TierCheck,
    TraceKey,
)

__all__ = [
    "SUITABILITY_ERROR_CODES",
    "SUITABILITY_INPUT_COLUMNS",
    "suitability_input_schema",
    "suitability_input_table",
    "suitability_output_schema",
    "suitability_table",
]

#: Rows per chunk of :func:`suitability_table`: answers never depend on it.
DEFAULT_CHUNK_ROWS = 65_536
_CURRENCY_PATTERN = r"^[A-Z]{3}$"

#: Input columns of :func:`suitability_table` and what each holds (``docs/scale-out.md``).
SUITABILITY_INPUT_COLUMNS: dict[str, str] = {
    "key": "string, required: the pseudonymous customer key",
    "product_id": "string, required: the id of a product of the catalogue",
    "currency": "string, optional: the customer's currency, which must be the product's "
    "(default: the playbook's currency)",
    "tier": "string, required when the policy has tier_reservation: the customer's tier; "
    "null = none",
    "risk_level": "string, required when the policy has assessment_required or level_matrix: "
    "the assessed customer level; null = no assessment",
    "assessed_on": "date32, with risk_level: the day of the assessment",
    "valid_until": "date32, with risk_level: the last day the record says the assessment may "
    "be relied on (the playbook's validity_months from assessed_on bounds it too)",
    "answers": "list<struct<question_id: string, option_id: string>>, with risk_level: the "
    "assessment's questionnaire answers (only the answer to the age question is read); "
    "required when the elderly rules apply (elderly_confirmation, or level_matrix with "
    "elderly_max_level) and the questionnaire's age question states ages; null = none",
    "birth_date": "date32, required when the elderly rules apply (elderly_confirmation, or "
    "level_matrix with elderly_max_level); null = unknown",
    "amount": "money, optional: the amount to buy in the product's currency; null = none",
    "in_branch": "bool, required when the policy has recorded_sale: sold in a branch; null = false",
}

#: Error codes of :func:`suitability_table`'s error rows: ``error_code`` → meaning.
#: The first five are :data:`custtier.frames.TIER_ERROR_CODES`' codes; the others are
#: the scalar :func:`custtier.check_suitability`'s ``InputError`` as data.
SUITABILITY_ERROR_CODES: dict[str, str] = {
    "missing_value": "a required value is null (key, product_id, currency, or one of "
    "risk_level, assessed_on and valid_until without the others, or answers without them)",
    "invalid_value": "a value has the wrong shape (key, currency code, an amount given as "
    "text that is not a plain decimal number), a date outside years 1-9999, or valid_until is "
    "before assessed_on",
    "too_precise": "amount has non-zero digits finer than the product currency's minor unit",
    "out_of_range": "amount's magnitude (or the product's minimum or increment) exceeds "
    "10^17 minor units",
    "currency_mismatch": "the row's currency is not the product's",
    "unknown_product": "product_id is not the id of a product of the catalogue",
    "unknown_tier": "tier is not a tier of this playbook",
    "unknown_risk_level": "risk_level is not a customer level of this playbook "
    "(re-assess the customer under it)",
    "product_not_in_playbook": "the product's risk level or category is not defined in "
    "this playbook (error_field product.risk_level or product.category)",
    "risk_free_above_lowest": "the product is filed under a risk-free category but rated "
    "above the lowest product level (error_field product.category)",
}


# --------------------------------------------------------------------------- schemas


def suitability_input_schema(playbook: Playbook) -> ArrowSchema:
    """The canonical input schema of :func:`suitability_table` (amount at the currency scale).

    Other layouts are accepted too (integer minor units or any decimal scale
    for ``amount``, ``large_string``, absent optional columns); this is the
    one to cast to.

    >>> import custtier.frames as cf
    >>> from custtier import presets
    >>> cf.suitability_input_schema(presets.REGULATORY).names
    ['key', 'product_id', 'currency', 'tier', 'risk_level', 'assessed_on', 'valid_until', 'answers', 'birth_date', 'amount', 'in_branch']
    """
    return _input_schema(minor_unit(playbook.currency))


_ANSWERS = pa.list_(pa.struct([("question_id", pa.string()), ("option_id", pa.string())]))


def _input_schema(scale: int) -> Any:
    return pa.schema(
        [
            ("key", pa.string()),
            ("product_id", pa.string()),
            ("currency", pa.string()),
            ("tier", pa.string()),
            ("risk_level", pa.string()),
            ("assessed_on", pa.date32()),
            ("valid_until", pa.date32()),
            ("answers", _ANSWERS),
            ("birth_date", pa.date32()),
            ("amount", pa.decimal128(38, scale)),
            ("in_branch", pa.bool_()),
        ]
    )


def suitability_output_schema(playbook: Playbook) -> ArrowSchema:
    """The fixed output schema of :func:`suitability_table` (amounts at the currency scale).

    >>> import custtier.frames as cf
    >>> from custtier import presets
    >>> cf.suitability_output_schema(presets.PRACTICE).names[:6]
    ['customer_key', 'product_id', 'error_code', 'error_field', 'outcome', 'allowed']
    """
    strings = pa.list_(pa.string())
    return pa.schema(
        [
            ("customer_key", pa.string()),
            ("product_id", pa.string()),
            ("error_code", pa.string()),
            ("error_field", pa.string()),
            ("outcome", pa.string()),
            ("allowed", pa.bool_()),
            ("conditions", strings),
            ("cooling_off_hours", pa.int32()),
            ("nearest_valid_amounts", pa.list_(pa.decimal128(38, minor_unit(playbook.currency)))),
            ("reason_codes", strings),
            ("rule_ids", strings),
            ("as_of", pa.date32()),
            *playbook_fields(),
        ]
    )


# --------------------------------------------------------------------------- per-playbook rules


@dataclass(frozen=True, slots=True)
class _Rules:
    """The compiled suitability plan, with its integer tables as numpy arrays."""

    plan: SuitabilityPlan
    playbook: Playbook
    scale: int
    caps: I64  # per customer rank: highest product rank of its matrix row, -1: none
    age_min: I64  # aligned with plan.age_options


def _build_rules(pb: Playbook) -> _Rules:
    plan = suitability_plan(pb)
    return _Rules(
        plan=plan,
        playbook=pb,
        scale=minor_unit(pb.currency),
        caps=np.array(plan.caps, dtype=np.int64),
        age_min=np.array(plan.age_min, dtype=np.int64),
    )


_rules = per_playbook(_build_rules)


# --------------------------------------------------------------------------- per-call catalogue


@dataclass(frozen=True, slots=True)
class _Catalogue:
    """The catalogue as lookup arrays indexed by product; index ``size`` is "no product"."""

    size: int
    ids: tuple[str, ...]  # the product ids, by catalogue index
    products: tuple[Product, ...]
    currencies: tuple[str, ...]  # the distinct currencies, the playbook's first
    currency: I64  # each product's currency, as an index into ``currencies``
    scales: I64  # minor unit of each product's currency
    rank: I64  # product risk level rank; -1 when not a level of the playbook
    category_ok: BOOL
    risk_free: BOOL  # a risk-free category at the lowest product level
    misfiled: BOOL  # a risk-free category above the lowest product level
    reserved: BOOL  # (product, tier rank): the tier may buy it
    has_reserved: BOOL
    minimum: I64  # minor units of the product's currency
    increment: I64
    minimum_too_big: BOOL
    increment_too_big: BOOL
    cooling: I64


def _units(value: Decimal, scale: int) -> int:
    # Exact (product amounts are checked at their scale) in custtier's context: the
    # caller's might round at three digits or trap.
    return int(value.scaleb(scale, context=EXACT))


def _build_catalogue(catalogue: Sequence[Product], rules: _Rules) -> _Catalogue:
    plan = rules.plan
    t = plan.tables
    products = list(catalogue)
    for p in products:
        if not isinstance(p, Product):
            raise InputError(
                "the catalogue must hold custtier.Product models; build them with Product(...)",
                field="catalogue",
            )
    ids = [p.id for p in products]
    if len(set(ids)) != len(ids):
        raise InputError("the catalogue lists a product id more than once", field="catalogue")
    for p in products:
        if minor_unit(p.currency) > rules.scale:
            raise InputError(
                f"a product's currency has more decimal places than the playbook's "
                f"{rules.playbook.currency}, so its amounts do not fit the output; check its "
                "pairs with check_suitability",
                field="catalogue",
            )
    rows = [*products, None]  # the sentinel answers for rows whose product is unknown
    currencies = tuple(dict.fromkeys([rules.playbook.currency, *(p.currency for p in products)]))
    scales = [minor_unit(p.currency) if p else rules.scale for p in rows]
    minimum = [
        _units(p.minimum_investment, s) if p else 0 for p, s in zip(rows, scales, strict=True)
    ]
    increment = [_units(p.increment, s) if p else 1 for p, s in zip(rows, scales, strict=True)]
    classes = [product_class(plan, p) if p else ProductClass.ORDINARY for p in rows]
    reserved = np.zeros((len(rows), len(plan.tier_ids)), dtype=np.bool_)
    for i, p in enumerate(products):
        for j, tier in enumerate(plan.tier_ids):
            reserved[i, j] = tier in p.reserved_for_tiers
    return _Catalogue(
        size=len(products),
        ids=tuple(ids),
        products=tuple(products),
        currencies=currencies,
        currency=np.array([currencies.index(p.currency) if p else 0 for p in rows], np.int64),
        scales=np.array(scales, dtype=np.int64),
        rank=np.array([t.product_rank.get(p.risk_level, -1) if p else 0 for p in rows], np.int64),
        category_ok=np.array([p.category in t.categories if p else True for p in rows]),
        risk_free=np.array([c is ProductClass.RISK_FREE for c in classes], dtype=np.bool_),
        misfiled=np.array([c is ProductClass.MISFILED for c in classes], dtype=np.bool_),
        reserved=reserved,
        has_reserved=np.array([bool(p.reserved_for_tiers) if p else False for p in rows]),
        minimum=np.array([min(u, MAX_MINOR_UNITS + 1) for u in minimum], dtype=np.int64),
        increment=np.array([min(u, MAX_MINOR_UNITS + 1) for u in increment], dtype=np.int64),
        minimum_too_big=np.array([u > MAX_MINOR_UNITS for u in minimum], dtype=np.bool_),
        increment_too_big=np.array([u > MAX_MINOR_UNITS for u in increment], dtype=np.bool_),
        cooling=np.array([p.cooling_off_hours if p else 0 for p in rows], dtype=np.int64),
    )


# --------------------------------------------------------------------------- reading columns


def _nulls(arr: Any) -> BOOL:
    return np_bool(arr.is_null())


def _strings(table: Any, name: str) -> Any:
    """A string column (an all-null column of type null too); all nulls when it is absent."""
    if name not in table.column_names:
        return pa.nulls(table.num_rows, pa.string())
    if pa.types.is_null(table.schema.field(name).type):
        return pa.nulls(table.num_rows, pa.string())
    return string_column(table, name)


def _days(table: Any, name: str) -> tuple[I64, BOOL]:
    """A date column as day numbers (0 where null) and its nulls; an absent column is all null."""
    if name not in table.column_names:
        return np.zeros(table.num_rows, dtype=np.int64), np.ones(table.num_rows, dtype=np.bool_)
    return date_days(as_array(table.column(name)), name)


def _flags(table: Any, name: str) -> BOOL:
    """A bool column, null → False; all False when the column is absent."""
    if name not in table.column_names:
        return np.zeros(table.num_rows, dtype=np.bool_)
    arr = as_array(table.column(name))
    if pa.types.is_null(arr.type):
        arr = arr.cast(pa.bool_())
    if not pa.types.is_boolean(arr.type):
        raise InputError(f"column {name!r} has type {arr.type}; it must be bool", field=name)
    return np_bool(arr)


def _index(values: Any, vocabulary: Sequence[str]) -> I64:
    """Each string's position in ``vocabulary``; -1 where null or not in it."""
    found = pc.index_in(values, value_set=pa.array(list(vocabulary), pa.string()))
    return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _amounts(table: Any, cat: _Catalogue, rules: _Rules, pidx: I64) -> Money | None:
    """The amount column as minor units of each row's product currency; None when absent."""
    if "amount" not in table.column_names:
        return None
    arr = as_array(table.column("amount"))
    if pa.types.is_null(arr.type):
        return None
    scales = sorted({int(s) for s in cat.scales}) or [rules.scale]
    read = {s: money_array(arr, "amount", s) for s in scales}  # floats are refused here
    if len(read) == 1:
        return read[scales[0]]
    row_scale = cat.scales[pidx]
    out = read[scales[0]]
    for s in scales[1:]:
        m, here = read[s], row_scale == s
        out = Money(
            np.where(here, m.values, out.values),
            out.nulls,
            np.where(here, m.out_of_range, out.out_of_range),
            np.where(here, m.too_precise, out.too_precise),
            np.where(here, m.invalid, out.invalid),
        )
    return out


_NO_ANSWER = -1


def _age_answers(table: Any, rules: _Rules) -> tuple[I64, BOOL]:
    """Per row: the youngest age the answer to the age question states, and any answers given.

    The first answer to the age question counts (as the scalar engine reads
    it); an option that states no age, or none of the playbook's, gives none.
    """
    n = table.num_rows
    none = np.full(n, _NO_ANSWER, dtype=np.int64)
    if "answers" not in table.column_names:
        return none, np.zeros(n, dtype=np.bool_)
    arr = as_array(table.column("answers"))
    if pa.types.is_null(arr.type):
        return none, np.zeros(n, dtype=np.bool_)
    if pa.types.is_large_list(arr.type):
        arr = arr.cast(pa.list_(arr.type.value_type))
    value = arr.type.value_type if pa.types.is_list(arr.type) else None
    if (
        value is None
        or not pa.types.is_struct(value)
        or {value.field(i).name for i in range(value.num_fields)} < {"question_id", "option_id"}
    ):
        raise InputError(
            f"column 'answers' has type {arr.type}; it must be "
            "list<struct<question_id: string, option_id: string>>",
            field="answers",
        )
    answered = np.asarray(
        pc.fill_null(pc.greater(pc.list_value_length(arr), 0), False).to_numpy(
            zero_copy_only=False
        ),
        dtype=np.bool_,
    )
    if rules.plan.age_question is None:
        return none, answered
    flat = arr.flatten()
    parents = np.asarray(pc.list_parent_indices(arr).to_numpy(), dtype=np.int64)
    questions = pc.struct_field(flat, "question_id").cast(pa.string())
    hit = np_bool(pc.fill_null(pc.equal(questions, rules.plan.age_question), False))
    rows, first = np.unique(parents[hit], return_index=True)
    options = pc.struct_field(flat, "option_id").cast(pa.string()).filter(pa.array(hit))
    found = _index(options.take(pa.array(first, pa.int64())), rules.plan.age_options)
    ages = np.append(rules.age_min, _NO_ANSWER)  # index -1 (not an age option): no age
    none[rows] = ages[found]
    return none, answered


# --------------------------------------------------------------------------- one chunk


@dataclass
class _Pairs:
    """One chunk's columns, checked: what the rules read, and where rows went wrong."""

    n: int
    table: Any
    errors: Errors
    keys: Any  # string array, the input keys
    key_ok: BOOL  # keys that may be echoed (well-formed)
    product_ids: Any  # string array, the input product ids
    known: BOOL  # product_id names a product of the catalogue
    product: I64  # catalogue index; the sentinel ``size`` where unknown
    has_level: BOOL
    level: I64  # customer level rank, -1 where none or unknown
    assessed: I64  # days since the epoch
    until: I64
    tier: I64  # tier rank, -1 where none or unknown
    money: Money | None  # the amounts, None without an amount column
    min_age: I64  # the youngest age the age answer states, _NO_ANSWER where none


def _validate(table: Any, cat: _Catalogue, rules: _Rules) -> _Pairs:
    """Read a chunk's columns and flag each row's first problem (check_suitability's order)."""
    errors = Errors(table.num_rows)
    keys = _strings(table, "key")
    key_ok = well_formed_keys(keys)
    errors.flag(_nulls(keys), "missing_value", "key")
    errors.flag(~key_ok, "invalid_value", "key")
    pids = _strings(table, "product_id")
    found = _index(pids, cat.ids)
    known = found >= 0
    product = np.where(known, found, cat.size)
    errors.flag(_nulls(pids), "missing_value", "product_id")
    errors.flag(~known, "unknown_product", "product_id")
    if "currency" in table.column_names:
        currency = _strings(table, "currency")
        errors.flag(_nulls(currency), "missing_value", "currency")
        shaped = np_bool(pc.match_substring_regex(currency, _CURRENCY_PATTERN))
        errors.flag(~shaped, "invalid_value", "currency")
        own = _index(currency, cat.currencies)
    else:
        own = np.zeros(table.num_rows, dtype=np.int64)  # the playbook's currency
    same = own == cat.currency[product]
    # The assessment: all three values, or none (the model's shape).
    level_text = _strings(table, "risk_level")
    has_level = ~_nulls(level_text)
    assessed, no_assessed = _days(table, "assessed_on")
    until, no_until = _days(table, "valid_until")
    errors.flag((~no_assessed | ~no_until) & ~has_level, "missing_value", "risk_level")
    errors.flag(has_level & no_assessed, "missing_value", "assessed_on")
    errors.flag(has_level & no_until, "missing_value", "valid_until")
    errors.flag(has_level & (until < assessed), "invalid_value", "valid_until")
    _check_dates(errors, table, rules, has_level & _outside(assessed), has_level & _outside(until))
    min_age, answered = _age_answers(table, rules)
    errors.flag(answered & ~has_level, "missing_value", "risk_level")
    # What check_suitability refuses, in its order.
    tier_text = _strings(table, "tier")
    tier = _index(tier_text, rules.plan.tier_ids)
    errors.flag(~_nulls(tier_text) & (tier < 0), "unknown_tier", "tier")
    level = _index(level_text, rules.plan.levels)
    errors.flag(has_level & (level < 0), "unknown_risk_level", "risk_level")
    errors.flag(cat.rank[product] < 0, "product_not_in_playbook", "product.risk_level")
    errors.flag(~cat.category_ok[product], "product_not_in_playbook", "product.category")
    errors.flag(cat.misfiled[product], "risk_free_above_lowest", "product.category")
    errors.flag(~same, "currency_mismatch", "currency")
    money = _amounts(table, cat, rules, product)
    if money is not None:
        errors.flag(money.invalid, "invalid_value", "amount")
        errors.flag(money.out_of_range, "out_of_range", "amount")
        errors.flag(money.too_precise, "too_precise", "amount")
    errors.flag(cat.minimum_too_big[product], "out_of_range", "product.minimum_investment")
    errors.flag(cat.increment_too_big[product], "out_of_range", "product.increment")
    return _Pairs(
        n=table.num_rows,
        table=table,
        errors=errors,
        keys=keys,
        key_ok=key_ok,
        product_ids=pids,
        known=known,
        product=product,
        has_level=has_level,
        level=level,
        assessed=assessed,
        until=until,
        tier=tier,
        money=money,
        min_age=min_age,
    )


@dataclass
class _Outcome:
    """Each row's trace (the explanation table's key, one array per code) and its amounts."""

    level: I64  # LevelStep codes
    row: I64  # the customer rank whose matrix row decided, -1 where none
    tier: I64  # TierCheck codes
    grid: I64  # AmountCheck codes
    sale: I64  # SaleFlag bits
    amount: I64  # minor units of the product's currency
    lower: I64  # the grid amount at or below ``amount``


def _outcomes(v: _Pairs, cat: _Catalogue, rules: _Rules, as_of: dt.date, memo: _Memo) -> _Outcome:
    """The trace per row: the scalar rules once per distinct input, the amount grid in numpy.

    Validity (``validity_on``) per distinct assessment, elderly by birth date
    and by age answer per distinct value, then the codes ``trace_of`` gives
    per distinct kind of buyer (level, validity, elderly, tier, branch) and
    product, as ``check_catalogue`` shares them.
    """
    n, p = v.n, v.product
    plan = rules.plan
    t = plan.tables
    todo = ~v.errors.bad
    pair = (v.assessed - _MIN_DAY) * _DAYS + (v.until - _MIN_DAY)

    def valid_on(code: int) -> tuple[int, ...]:
        on, until = divmod(code, _DAYS)
        return (int(validity_on(_date(on + _MIN_DAY), _date(until + _MIN_DAY), t, as_of)[1]),)

    valid = np.zeros(n, dtype=np.bool_)
    has = np.flatnonzero(todo & v.has_level)
    valid[has] = per_code(pair[has], _kept(memo, "valid", valid_on), 1)[:, 0] != 0
    elderly = _elderly(v, rules, as_of, todo)
    in_branch = _flags(v.table, "in_branch")
    # A kind of buyer and product, packed: each part's radix is its count of values.
    parts = [
        (p, cat.size + 1), (v.tier + 1, len(plan.tier_ids) + 1), (v.level + 1, len(plan.levels) + 1),
        (v.has_level, 2), (valid, 2), (elderly, 2), (in_branch, 2),
    ]  # fmt: skip
    code = np.zeros(n, dtype=np.int64)
    for values, radix in parts:
        code = code * radix + np.asarray(values, dtype=np.int64)

    def codes(k: int) -> tuple[int, ...]:
        digits = []
        for _, radix in reversed(parts):
            k, d = divmod(k, radix)
            digits.append(d)
        branch, old, ok, assessed, level, tier, product = digits
        step, rank, cap, row, row_cap, _ = matrix_row(
            plan, plan.levels[level - 1] if level else None, assessed=bool(assessed),
            valid=bool(ok), elderly=bool(old),
        )  # fmt: skip
        who = Buyer("", None, None, step, rank, cap, row, row_cap, _ELDERLY[old])
        try:
            key = trace_of(who, cat.products[product], plan, as_of,
                           plan.tier_ids[tier - 1] if tier else None, None, bool(branch)).key  # fmt: skip
        except InputError:  # the assessment's level has no row in the matrix
            return (-1, -1, 0, 0)
        return (key.level, key.row, key.tier, key.sale)

    traced = np.zeros((n, 4), dtype=np.int64)
    rows = np.flatnonzero(todo)
    traced[rows] = per_code(code[rows], _kept(memo, "codes", codes), 4)
    v.errors.flag(todo & (traced[:, 0] < 0), "unknown_risk_level", "risk_level")
    grid, amount, lower = _grid(v, cat, plan)
    level = np.where(traced[:, 0] < 0, LevelStep.NONE, traced[:, 0])
    return _Outcome(level, traced[:, 1], traced[:, 2], grid, traced[:, 3], amount, lower)


#: A call's answers of the scalar rules per distinct input, kept across its chunks.
_Memo = dict[tuple[str, int], tuple[int, ...]]


def _kept(
    memo: _Memo, rule: str, fn: Callable[[int], tuple[int, ...]]
) -> Callable[[int], tuple[int, ...]]:
    def run(code: int) -> tuple[int, ...]:
        found = memo.get((rule, code))
        if found is None:
            found = memo[rule, code] = fn(code)
        return found

    return run


def _grid(v: _Pairs, cat: _Catalogue, plan: SuitabilityPlan) -> tuple[I64, I64, I64]:
    """The amount check (``_amount``) per row: its code, the amount and the grid amount below.

    On the grid minimum + k x increment, in exact minor units. Kept in numpy:
    amounts are about as many as the rows, and ``grid_neighbours`` is
    ``Decimal`` arithmetic, a microsecond or more a row.
    """
    n, p = v.n, v.product
    grid = np.full(n, AmountCheck.NO_AMOUNT, dtype=np.int64)
    amount = lower = np.zeros(n, dtype=np.int64)
    if v.money is not None and plan.grid is not None:
        minimum, increment = cat.minimum[p], cat.increment[p]
        amount = v.money.values
        given = ~v.money.nulls
        below = given & (amount < minimum)
        above = given & ~below
        lower = minimum + (np.where(above, amount - minimum, 0) // increment) * increment
        grid[below] = AmountCheck.BELOW_MINIMUM
        grid[above] = np.where(
            lower[above] == amount[above], AmountCheck.ON_GRID, AmountCheck.OFF_INCREMENT
        )
    return grid, amount, lower


_ELDERLY = ((), (AgeSource.BIRTH_DATE,))  # a buyer's elderly sources: only "any" counts here
_MIN_DAY = epoch_days(dt.date.min)
_DAYS = epoch_days(dt.date.max) - _MIN_DAY + 1  # the radix of a pair of dates


def _date(days: int) -> dt.date:
    return EPOCH + dt.timedelta(days=days)


def _check_dates(
    errors: Errors, table: Any, rules: _Rules, assessed_out: BOOL, until_out: BOOL
) -> None:
    """The rules read dates as ``datetime.date`` (years 1-9999), as a customer model holds them."""
    errors.flag(assessed_out, "invalid_value", "assessed_on")
    errors.flag(until_out, "invalid_value", "valid_until")
    if rules.plan.elderly_rules:
        born, unknown = _days(table, "birth_date")
        errors.flag(~unknown & _outside(born), "invalid_value", "birth_date")


def _outside(days: I64) -> BOOL:
    """Day numbers outside ``datetime.date``'s years 1-9999."""
    out: BOOL = (days < _MIN_DAY) | (days > _MIN_DAY + _DAYS - 1)
    return out


def _elderly(v: _Pairs, rules: _Rules, as_of: dt.date, todo: BOOL) -> BOOL:
    """Elderly on ``as_of`` by birth date or by the age answer: the scalar rules, bisected.

    Both hold for every day up to a last one (an age reached by every earlier
    birth date, or by every earlier assessment), so the scalar rule is asked
    about twenty times to find that day instead of once per distinct date.
    """
    out = np.zeros(v.n, dtype=np.bool_)
    t = rules.plan.tables
    if not rules.plan.elderly_rules:
        return out
    born, unknown = _days(v.table, "birth_date")
    rows = np.flatnonzero(todo & ~unknown)
    if len(rows):
        days = born[rows]
        last = last_holding(int(days.min()), int(days.max()),
                            lambda day: elderly_by_birth(_date(day), t, as_of))  # fmt: skip
        out[rows] = days <= last
    answered = todo & v.has_level & (v.min_age != _NO_ANSWER)
    for youngest in np.unique(v.min_age[answered]).tolist():
        rows = np.flatnonzero(answered & (v.min_age == youngest))
        days = v.assessed[rows]

        def by_answer(day: int, youngest: int = youngest) -> bool:
            return elderly_by_answer(youngest, _date(day), t, as_of)

        last = last_holding(int(days.min()), int(days.max()), by_answer)
        out[rows] |= days <= last
    return out


def _decide(table: Any, cat: _Catalogue, rules: _Rules, as_of: dt.date, memo: _Memo) -> Any:
    """One chunk in, its output table out."""
    v = _validate(table, cat, rules)
    out = _outcomes(v, cat, rules, as_of, memo)
    n, p = v.n, v.product
    bad = v.errors.bad
    plan = rules.plan
    parts = [
        (out.level, len(LevelStep)),
        (out.row + 1, len(plan.levels) + 1),
        (out.tier, len(TierCheck)),
        (out.grid, len(AmountCheck)),
        (out.sale, 1 << len(SaleFlag)),
    ]
    inv, combos = signatures([(np.where(bad, 0, a), r) for a, r in parts])
    lists = [_lists(explain(plan, _trace_key(c))) for c in combos]
    allowed = np.array([ok for *_, ok in lists], dtype=np.bool_)[inv] & ~bad
    up = 10 ** (rules.scale - cat.scales[p])  # product currency -> playbook scale, exact
    increment = cat.increment[p]
    units = (cat.minimum[p] * up, out.lower * up, (out.lower + increment) * up, out.amount * up)
    pb = rules.playbook
    error_code, error_field = v.errors.columns()
    columns: dict[str, Any] = {
        "customer_key": pc.if_else(pa.array(v.key_ok), v.keys, pa.scalar(None, pa.string())),
        "product_id": pc.if_else(pa.array(v.known), v.product_ids, pa.scalar(None, pa.string())),
        "error_code": error_code,
        "error_field": error_field,
        "outcome": pa.array(["blocked", "allowed"], pa.string()).take(
            pa.array(allowed.astype(np.int64), mask=bad)
        ),
        "allowed": pa.array(allowed, pa.bool_(), mask=bad),
        "conditions": list_column(inv, [c for _, _, c, _ in lists], bad),
        "cooling_off_hours": pa.array(
            np.where(allowed, cat.cooling[p], 0).astype(np.int32), pa.int32(), mask=bad
        ),
        "nearest_valid_amounts": _nearest(allowed | bad, out.grid, units, bad, rules.scale),
        "reason_codes": list_column(inv, [c for c, _, _, _ in lists], bad),
        "rule_ids": list_column(inv, [r for _, r, _, _ in lists], bad),
        "as_of": pa.repeat(pa.scalar(as_of, pa.date32()), n),
        **playbook_columns(pb, n),
    }
    return pa.Table.from_pydict(columns, schema=suitability_output_schema(pb))


def _nearest(
    empty: BOOL, grid: I64, units: tuple[I64, I64, I64, I64], bad: BOOL, scale: int
) -> Any:
    """``nearest_valid_amounts``: as ``grid_neighbours`` says, on blocked rows only."""
    minimum, lower, upper, amount = units
    n = len(grid)
    below = grid == AmountCheck.BELOW_MINIMUM
    off = grid == AmountCheck.OFF_INCREMENT
    on = grid == AmountCheck.ON_GRID
    count = np.select([below, off, on], [1, 2, 1], 0)
    count = np.where(empty, 0, count).astype(np.int64)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(count, out=offsets[1:])
    row = np.repeat(np.arange(n, dtype=np.int64), count)
    second = (np.arange(int(offsets[-1]), dtype=np.int64) - offsets[:-1][row]) == 1
    first = np.select(
        [grid[row] == AmountCheck.BELOW_MINIMUM, grid[row] == AmountCheck.OFF_INCREMENT],
        [minimum[row], lower[row]],
        amount[row],
    )
    values = np.where(second, upper[row], first)
    flat = to_decimal(values, np.zeros(len(values), dtype=np.bool_), scale)
    return pa.ListArray.from_arrays(
        pa.array(offsets.astype(np.int32), pa.int32()), flat, mask=pa.array(bad)
    ).cast(pa.list_(pa.decimal128(38, scale)))


def _trace_key(digits: list[int]) -> TraceKey:
    """One distinct combination of the trace's columns (as laid out by ``_decide``)."""
    level, row, tier, grid, sale = digits
    return TraceKey(LevelStep(level), row - 1, TierCheck(tier), AmountCheck(grid), sale)


def _lists(x: Explanation) -> tuple[list[str], list[str], list[str], bool]:
    """Reason codes, rule ids and conditions of one explanation, and whether it allows the sale."""
    return (
        [e.code.value for e in x.entries],
        [e.rule_id for e in x.entries],
        [c.value for c in x.conditions],
        x.outcome is SuitabilityOutcome.ALLOWED,
    )


# --------------------------------------------------------------------------- public entry points


def suitability_table(
    pairs: FrameLike,
    catalogue: Sequence[Product],
    playbook: Playbook,
    *,
    as_of: dt.date,
    progress: ProgressCallback | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> Frame:
    """Decide every (customer, product) pair of an Arrow table, as :func:`custtier.check_suitability`.

    ``pairs`` is a table, record batch, pandas or polars frame with the
    columns of :func:`suitability_input_schema`; ``catalogue`` the products
    the rows name by ``product_id``. Returns one row per input row, **in
    input order**, in :func:`suitability_output_schema`: a decision (outcome,
    conditions, nearest valid amounts, reason codes and rule ids in the
    scalar decision's order), or an error row (``error_code`` and
    ``error_field`` set, decision columns null, the key only if well-formed).

    Rows are independent: the table is worked through ``chunk_rows`` rows at
    a time (answers never depend on it), and ``progress(done, total)``, if
    given, is called after each chunk with rows done of the table's rows,
    last with ``done == total``.

    >>> import datetime as dt
    >>> import pyarrow as pa
    >>> from custtier import Product, presets
    >>> import custtier.frames as cf
    >>> fund = Product(id="EQ-1", name="Growth Equity Fund", category="equity_fund",
    ...                risk_level="R4", minimum_investment="1000.00", increment="100.00")
    >>> pairs = pa.table({
    ...     "key": ["C1", "C2", "C3"],
    ...     "product_id": ["EQ-1", "EQ-1", "EQ-9"],
    ...     "tier": [None, None, None],
    ...     "risk_level": ["C4", "C2", None],
    ...     "assessed_on": pa.array([dt.date(2026, 3, 1)] * 2 + [None], pa.date32()),
    ...     "valid_until": pa.array([dt.date(2027, 2, 28)] * 2 + [None], pa.date32()),
    ...     "answers": [None, None, None],
    ...     "birth_date": pa.array([None, None, None], pa.date32()),
    ...     "amount": pa.array([1050_00, None, None], pa.int64()),
    ...     "in_branch": [True, False, None],
    ... })
    >>> out = cf.suitability_table(pairs, [fund], presets.REGULATORY, as_of=dt.date(2026, 11, 30))
    >>> out.select(["customer_key", "outcome", "error_code"]).to_pylist()[1]
    {'customer_key': 'C2', 'outcome': 'blocked', 'error_code': None}
    >>> out.column("reason_codes")[0].as_py(), out.column("nearest_valid_amounts")[0].as_py()
    (['SUIT_OFF_INCREMENT', 'SUIT_LEVEL_OK', 'SUIT_RECORDED_SALE'], [Decimal('1000.00'), Decimal('1100.00')])
    >>> out.select(["error_code", "error_field"]).to_pylist()[2]
    {'error_code': 'unknown_product', 'error_field': 'product_id'}
    """
    catalogue, playbook = as_products(catalogue), as_playbook(playbook)
    as_of = as_date(as_of, "as_of")
    chunk_rows = check_chunk_rows(chunk_rows)
    table = as_table(pairs, "pairs")
    rules = _rules(playbook)
    missing = sorted(c for c in rules.plan.columns if c not in table.column_names)
    if missing:
        raise InputError(
            f"the table lacks column(s) {missing} that the playbook's suitability policy reads",
            field=missing[0],
        )
    cat = _build_catalogue(catalogue, rules)
    n = table.num_rows
    ticker = Ticker(progress, n, every=chunk_rows)
    out = []
    memo: _Memo = {}
    for start in range(0, n, chunk_rows) if n else (0,):
        out.append(_decide(table.slice(start, chunk_rows), cat, rules, as_of, memo))
        ticker.add(out[-1].num_rows)
    ticker.finish()
    return like_input(pairs, pa.concat_tables(out) if len(out) > 1 else out[0])


def suitability_input_table(
    customers: Iterable[Customer],
    catalogue_or_product_ids: Iterable[Product | str],
    *,
    tiers: Mapping[str, TierLike | None] | None = None,
    amounts: Mapping[tuple[str, str], Decimal | int | str | None] | None = None,
) -> ArrowTable:
    """Every customer paired with every product, as a :func:`suitability_table` input table.

    Rows come customer by customer, products in the given order. ``tiers``
    maps a customer key to its tier id or ``TierDecision`` (absent: null); ``amounts`` maps a
    ``(customer key, product id)`` pair to the amount to check (absent: null;
    checked as :func:`custtier.check_suitability` checks it, so a float is
    refused). ``in_branch`` is false: set the column for in-branch sales.
    ``amount`` is a ``decimal128`` at the finest scale of the currencies and
    amounts given.

    >>> from custtier import Customer
    >>> import custtier.frames as cf
    >>> t = cf.suitability_input_table([Customer(key="C1"), Customer(key="C2")], ["WM-1", "EQ-1"],
    ...                    tiers={"C1": "mass"}, amounts={("C2", "EQ-1"): "1000"})
    >>> t.select(["key", "product_id", "tier", "amount"]).to_pylist()[3]
    {'key': 'C2', 'product_id': 'EQ-1', 'tier': None, 'amount': Decimal('1000.00')}
    """
    customers = as_customers(customers)
    product_ids = [p.id if isinstance(p, Product) else p for p in catalogue_or_product_ids]
    tiers = tiers or {}
    amounts = amounts or {}
    rows: list[dict[str, Any]] = []
    scale = 0
    for c in customers:
        ra = c.risk_assessment
        scale = max(scale, minor_unit(c.currency))
        for pid in product_ids:
            given = amounts.get((c.key, pid))
            value = check_amount(given) if given is not None else None
            if value is not None:
                scale = max(scale, -min(int(value.as_tuple().exponent), 0))
            rows.append(
                {
                    "key": c.key,
                    "product_id": pid,
                    "currency": c.currency,
                    "tier": as_tier(tiers.get(c.key), c.key),
                    "risk_level": ra.level if ra else None,
                    "assessed_on": ra.assessed_on if ra else None,
                    "valid_until": ra.valid_until if ra else None,
                    "answers": [
                        {"question_id": a.question_id, "option_id": a.option_id} for a in ra.answers
                    ]
                    if ra
                    else None,
                    "birth_date": c.birth_date,
                    "amount": value,
                    "in_branch": False,
                }
            )
    return pa.Table.from_pylist(rows, schema=_input_schema(scale))
