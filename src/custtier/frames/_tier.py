"""Tiering on Arrow tables and record batches: the scalar engine's answers, column by column.

The rules are the tiering engine's (:func:`custtier.assign_tier`), applied to
whole columns: band edges become integer minor units and ``searchsorted``;
the N-month average is an exact integer sum divided with the playbook's
rounding mode; the Pareto rule is a two-scalar cut in the order of
:func:`custtier.pareto_set`; hysteresis is a handful of masks. Reason codes,
rule ids and KYC gaps are built once per *distinct* combination of outcomes,
then laid out for every row with numpy, so Python work does not grow with
the number of rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from dateutil.relativedelta import relativedelta

from custtier._args import (
    as_customers,
    as_date,
    as_playbook,
    check_chunk_rows,
)
from custtier._cache import per_playbook
from custtier._explain import ReasonCode
from custtier._kyc import KYC_BIT, missing_items
from custtier._money import minor_unit
from custtier._progress import ProgressCallback, Ticker
from custtier.errors import InputError
from custtier.frames._arrow import (
    BOOL,
    I64,
    Errors,
    any_per_row,
    any_repeated,
    as_array,
    as_table,
    date_days,
    dict_list_columns,
    duplicated,
    epoch_days,
    key_hashes,
    like_input,
    money_array,
    money_column,
    np_bool,
    null_mask,
    playbook_fields,
    signatures,
    string_column,
    to_decimal,
    well_formed_keys,
)
from custtier.frames._distinct import per_distinct
from custtier.frames._months import month_numbers
from custtier.frames._tier_bases import row_bounds
from custtier.frames._types import ArrowSchema, ArrowTable, Frame, FrameLike, PandasFrame
from custtier.models import Customer
from custtier.rules import Basis, KycItem, Playbook, TierDef
from custtier.tiering import BookTiering, Movement, Override, TierDecision
from custtier.tiering._assign import months_between
from custtier.tiering._book import choose_overrides
from custtier.tiering._explanation import entries
from custtier.tiering._pareto import ParetoCut
from custtier.tiering._plan import (
    OVERRIDE_RULE,
    BasisPlan,
    TierPlan,
    kyc_items_of,
    tier_plan,
)
from custtier.tiering._trace import (
    MOVEMENT_OF,
    Completeness,
    HysteresisState,
    OverrideState,
    ParetoState,
    TraceKey,
)

__all__ = [
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
]

#: The pattern of :data:`custtier.models.CustomerKey` (a test keeps them equal).
KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$"
#: Rows per chunk of :func:`tier_table`: large enough that per-chunk Python
#: work is noise, small enough that each step's temporaries are memory the
#: allocator hands back warm (at 262,144 rows, fresh pages cost about a tenth
#: of the time), and to bound them. The
#: validated columns of every chunk are kept until the end (duplicates and
#: the Pareto cut span the table), so this bounds temporaries, not the total.
DEFAULT_CHUNK_ROWS = 65_536
_CURRENCY_PATTERN = r"^[A-Z]{3}$"
_INT64_MIN = np.iinfo(np.int64).min
_INT64_MAX = np.iinfo(np.int64).max

#: Input columns of :func:`tier_table` and what each holds (``docs/scale-out.md``).
TIER_INPUT_COLUMNS: dict[str, str] = {
    "key": "string, required: the pseudonymous customer key",
    "currency": "string, optional: must equal the playbook's currency (default: it does)",
    "assets_under_management": "money, required when a basis reads it",
    "annual_profit_contribution": "money, required when a basis or the Pareto rule reads it",
    "monthly_balances": (
        "list<struct<month: string 'YYYY-MM', average_daily_balance: money>>, required "
        "when a basis is the N-month average daily balance; null = no months"
    ),
    "kyc_items": "list<string>, optional: KYC items the customer's records hold on as_of",
    "previous_tier": "string, optional: the tier of the previous decision (hysteresis)",
    "previous_as_of": "date32, required with previous_tier: the previous decision's as_of",
    "previous_below_since": "date32, optional: the previous decision's below_since",
    "previous_held_since": (
        "date32, optional: the previous decision's held_since (when its run of held "
        "decisions began, which bounds how long the buffer may hold)"
    ),
    "previous_movement": (
        "string, optional: the previous decision's movement; 'overridden' means the "
        "previous tier was a manual override, so rules decide at once (no hysteresis)"
    ),
    "override_tier": "string, optional: a manual override's tier (null: no override)",
    "override_set_on": "date32, required with override_tier: the first day it applies",
    "override_expires_on": "date32, required with override_tier: the last day it applies",
}

#: Error codes of error rows: ``error_code`` → meaning. ``error_field`` names the column.
TIER_ERROR_CODES: dict[str, str] = {
    "missing_value": "a required value is null",
    "invalid_value": "a value has the wrong shape (key, month, currency code, KYC item, "
    "an amount given as text that is not a plain decimal number) "
    "or is negative where it must not be",
    "too_precise": "an amount has non-zero digits finer than the currency's minor unit",
    "out_of_range": "an amount's magnitude exceeds 10^17 minor units",
    "currency_mismatch": "the row's currency is not the playbook's",
    "duplicate_month": "monthly_balances lists the same month twice",
    "duplicate_key": "the key occurs on more than one valid row (tier_table only)",
    "unknown_previous_tier": "previous_tier is not a tier of this playbook",
    "previous_after_as_of": "previous_as_of is later than as_of",
    "unknown_override_tier": "override_tier is not a tier of this playbook",
}

#: Low-cardinality output columns are dictionary-encoded over vocabularies the
#: playbook (or custtier) fixes, so every chunk and partition of a book shares them.
_DICT = pa.dictionary(pa.int32(), pa.string())
_DICT_LIST = pa.list_(_DICT)
#: The ``movement`` dictionary: :class:`~custtier.tiering.Movement` in its order.
_MOVEMENTS = tuple(m.value for m in Movement)
#: Each hysteresis state's position in ``_MOVEMENTS``, then an override's.
_MOVEMENT_CODE = np.array(
    [_MOVEMENTS.index(MOVEMENT_OF[h].value) for h in HysteresisState]
    + [_MOVEMENTS.index(Movement.OVERRIDDEN.value)],
    dtype=np.int32,
)
_OVERRIDDEN = len(HysteresisState)
#: The ``reason_codes`` dictionary: every :class:`~custtier.ReasonCode`, in its order.
_REASON_CODES = tuple(c.value for c in ReasonCode)
_REASON_INDEX = {c: i for i, c in enumerate(ReasonCode)}
_KYC_ITEMS = tuple(KycItem)
#: The ``kyc_gaps`` dictionary: every :class:`~custtier.rules.KycItem`, in its order.
_KYC_VALUES = tuple(i.value for i in KycItem)
_KYC_INDEX = {item: i for i, item in enumerate(KycItem)}
_KYC_BIT = {item.value: bit for item, bit in KYC_BIT.items()}


# --------------------------------------------------------------------------- schemas


def tier_input_schema(playbook: Playbook) -> ArrowSchema:
    """The canonical input schema (every optional column included), money at the currency scale.

    Other layouts are accepted too (integer minor units, any decimal scale,
    ``large_string``, absent optional columns); this is the one to cast to.

    >>> import custtier.frames as cf
    >>> from custtier import presets
    >>> cf.tier_input_schema(presets.PRACTICE).field("assets_under_management").type
    Decimal128Type(decimal128(38, 2))
    """
    money = pa.decimal128(38, minor_unit(playbook.currency))
    month = pa.struct([("month", pa.string()), ("average_daily_balance", money)])
    return pa.schema(
        [
            ("key", pa.string()),
            ("currency", pa.string()),
            ("assets_under_management", money),
            ("annual_profit_contribution", money),
            ("monthly_balances", pa.list_(month)),
            ("kyc_items", pa.list_(pa.string())),
            ("previous_tier", pa.string()),
            ("previous_as_of", pa.date32()),
            ("previous_below_since", pa.date32()),
            ("previous_held_since", pa.date32()),
        ]
    )


def tier_output_schema(playbook: Playbook) -> ArrowSchema:
    """The fixed output schema of :func:`tier_table` (basis values at the currency scale).

    Tier, rule-id, movement, reason-code, KYC-item and playbook columns are
    dictionary-encoded (``dictionary<int32, string>``, alone or in a list)
    over the vocabularies of :func:`tier_output_dictionaries`.

    >>> import custtier.frames as cf
    >>> from custtier import presets
    >>> schema = cf.tier_output_schema(presets.PRACTICE)
    >>> schema.names[:4]
    ['customer_key', 'error_code', 'error_field', 'tier']
    >>> schema.field("tier").type
    DictionaryType(dictionary<values=string, indices=int32, ordered=0>)
    """
    money = pa.decimal128(38, minor_unit(playbook.currency))
    return pa.schema(
        [
            ("customer_key", pa.string()),
            ("error_code", pa.string()),
            ("error_field", pa.string()),
            ("tier", _DICT),
            ("rank", pa.int32()),
            ("rule_tier", _DICT),
            ("decided_by", _DICT),
            ("movement", _DICT),
            ("previous_tier", _DICT),
            ("below_since", pa.date32()),
            ("held_since", pa.date32()),
            *((f"basis_{b.value}", money) for b in Basis),
            ("reason_codes", _DICT_LIST),
            ("rule_ids", _DICT_LIST),
            ("kyc_gaps", _DICT_LIST),
            ("as_of", pa.date32()),
            *((name, _DICT) for name, _ in playbook_fields()),
        ]
    )


def tier_output_dictionaries(playbook: Playbook) -> dict[str, tuple[str, ...]]:
    """Each dictionary-encoded column of :func:`tier_output_schema` and its dictionary.

    The dictionaries depend only on the playbook (and custtier's closed
    vocabularies), never on the rows: every chunk of :func:`tier_table`, every
    Spark or Dask partition and :func:`tier_output_table` use the same ones,
    so concatenated tables keep one dictionary per column. Tiers are in rank
    order (lowest first); rule ids are the playbook's tiering rules (bands
    basis by basis, Pareto, hysteresis, ``tier`` for a move without
    hysteresis, ``tier.override``, then ``kyc.<tier>`` for each tier that
    requires KYC items).

    >>> import custtier.frames as cf
    >>> from custtier import presets
    >>> d = cf.tier_output_dictionaries(presets.PRACTICE)
    >>> d["tier"]
    ('mass', 'mid_end', 'high_end')
    >>> d["movement"]
    ('new', 'same', 'up', 'down', 'held', 'overridden')
    """
    plan = _plan(playbook)
    return {
        "tier": plan.tier_ids,
        "rule_tier": plan.tier_ids,
        "decided_by": plan.rule_vocab,
        "movement": _MOVEMENTS,
        "previous_tier": plan.tier_ids,
        "reason_codes": _REASON_CODES,
        "rule_ids": plan.rule_vocab,
        "kyc_gaps": _KYC_VALUES,
        "playbook_id": (playbook.id,),
        "playbook_version": (playbook.version,),
        "playbook_hash": (playbook.content_hash,),
    }


def _rule_vocab(core: TierPlan) -> tuple[str, ...]:
    """Every rule id a tiering decision of this playbook can cite, each once, in a fixed order."""
    t = core.playbook.tiering
    ids = [r for bp in core.bases for r in bp.rule_ids]
    ids += [t.pareto.rule_id] if t.pareto is not None else []
    ids += [t.hysteresis.rule_id] if t.hysteresis is not None else []
    ids += ["tier", OVERRIDE_RULE]
    ids += [f"kyc.{tier.id}" for tier in core.playbook.tiers if tier.kyc_requires]
    return tuple(dict.fromkeys(ids))


def _dictionary_array(codes: npt.NDArray[Any], mask: BOOL | None, dictionary: Any) -> Any:
    """``dictionary<int32, string>``: row ``i`` is ``dictionary[codes[i]]``, null where ``mask``."""
    indices = pa.array(codes.astype(np.int32, copy=False), pa.int32(), mask=mask)
    return pa.DictionaryArray.from_arrays(indices, dictionary, safe=False)


def _null_dictionary(n: int, dictionary: Any, *, lists: bool = False) -> Any:
    """``n`` nulls of a dictionary (or list of dictionary) column, on the fixed ``dictionary``.

    Arrow's own nulls of the type would carry an empty dictionary, and a
    chunk without previous decisions would then differ from one with them.
    """
    none = pa.py_buffer(bytes((n + 7) // 8))  # a validity bitmap of zeros: every row null
    if not lists:
        indices = pa.Array.from_buffers(
            pa.int32(), n, [none, pa.py_buffer(bytes(4 * n))], null_count=n
        )
        return pa.DictionaryArray.from_arrays(indices, dictionary)
    empty = pa.DictionaryArray.from_arrays(pa.array([], pa.int32()), dictionary)
    offsets = pa.py_buffer(bytes(4 * (n + 1)))
    return pa.Array.from_buffers(_DICT_LIST, n, [none, offsets], null_count=n, children=[empty])


def _encoded(strings: Any, dictionary: Any, name: str) -> Any:
    """A string (or list of strings) array re-encoded over the fixed ``dictionary``."""
    if pa.types.is_list(strings.type):
        flat = _encoded(strings.values, dictionary, name)
        offsets = strings.offsets
        return pa.ListArray.from_arrays(offsets, flat, mask=strings.is_null())
    plain = strings.cast(pa.string())
    idx = pc.index_in(plain, value_set=dictionary)
    if idx.null_count != plain.null_count:
        raise ValueError(f"internal: a {name} value outside the playbook's vocabulary")
    return pa.DictionaryArray.from_arrays(idx.cast(pa.int32()), dictionary)


# --------------------------------------------------------------------------- per-playbook plan


@dataclass(frozen=True, slots=True)
class _BasisArrays:
    """One basis of the compiled plan, its edges and floors as numpy arrays."""

    plan: BasisPlan
    lowers: I64  # band lower bounds in minor units (ceil), first may be int64 min
    ranks: I64
    # Per tier rank: ceil(this basis's bar x (1 - buffer)) in minor units;
    # int64 max where the basis has no bar for the tier (it never holds it).
    floors: I64

    @property
    def basis(self) -> Basis:
        """The basis these bands are over."""
        return self.plan.rule.basis


@dataclass(frozen=True, slots=True)
class _Plan:
    """The compiled tiering plan (``tier_plan``) with numpy arrays for this path."""

    core: TierPlan
    playbook: Playbook
    scale: int
    tier_ids: tuple[str, ...]
    bases: tuple[_BasisArrays, ...]
    highest: bool
    requires: I64  # per tier rank: bitmask of KYC items required
    needs: frozenset[str]  # input columns the playbook reads
    rule_vocab: tuple[str, ...]  # the decided_by and rule_ids dictionary
    rule_index: dict[str, int]
    dictionaries: dict[str, Any]  # output column -> its dictionary as an Arrow array
    schema: ArrowSchema  # tier_output_schema


def _build_plan(pb: Playbook) -> _Plan:
    core = tier_plan(pb)
    bases = tuple(
        _BasisArrays(
            plan=bp,
            lowers=np.array([_INT64_MIN if x is None else x for x in bp.lowers_minor], np.int64),
            ranks=np.array(bp.ranks, dtype=np.int64),
            floors=np.array([_INT64_MAX if x is None else x for x in bp.floors_minor], np.int64),
        )
        for bp in core.bases
    )
    rule_vocab = _rule_vocab(core)
    tiers = pa.array(core.tier_ids, pa.string())
    rules = pa.array(rule_vocab, pa.string())
    return _Plan(
        core=core,
        playbook=pb,
        scale=core.scale,
        tier_ids=core.tier_ids,
        bases=bases,
        highest=core.highest,
        requires=np.array(core.kyc_masks, dtype=np.int64),
        needs=core.columns,
        rule_vocab=rule_vocab,
        rule_index={r: i for i, r in enumerate(rule_vocab)},
        schema=tier_output_schema(pb),
        dictionaries={
            "tier": tiers,
            "rule_tier": tiers,
            "decided_by": rules,
            "movement": pa.array(_MOVEMENTS, pa.string()),
            "previous_tier": tiers,
            "reason_codes": pa.array(_REASON_CODES, pa.string()),
            "rule_ids": rules,
            "kyc_gaps": pa.array(_KYC_VALUES, pa.string()),
            "playbook_id": pa.array([pb.id], pa.string()),
            "playbook_version": pa.array([pb.version], pa.string()),
            "playbook_hash": pa.array([pb.content_hash], pa.string()),
        },
    )


_plan = per_playbook(_build_plan)


# --------------------------------------------------------------------------- the Pareto cut


def cut_members(cut: ParetoCut, keys: Any, profits: I64, valid: BOOL) -> BOOL:
    """Which rows (keys as a string array, profits in minor units) are in ``cut``'s set."""
    if cut.count == 0:
        return np.zeros(len(profits), dtype=np.bool_)
    p = cut.profit_minor_units
    inside: BOOL = valid & (profits > 0) & (profits > p)
    tied = np.flatnonzero(valid & (profits == p) & (profits > 0))
    if len(tied):  # only the boundary's profit is decided by the key
        on_keys = keys.take(pa.array(tied, pa.int64()))
        at_or_before = pc.less_equal(on_keys, pa.scalar(cut.customer_key, pa.string()))
        inside[tied] = np_bool(at_or_before)
    return inside


def pareto_candidates(data: FrameLike, playbook: Playbook, *, as_of: dt.date) -> ArrowTable:
    """The valid rows with positive profit, as a table ``(customer_key, profit_minor_units)``.

    Pass 1 of the distributed recipe: run it on every partition, bring the
    (narrow) result to the driver and give it to :func:`pareto_cut`. Rows that
    would be error rows are left out, exactly as :func:`tier_table` leaves
    them out of the Pareto rule.
    """
    playbook, as_of = as_playbook(playbook), as_date(as_of, "as_of")
    table = as_table(data)
    v = _validate(table, _plan(playbook), as_of)
    keep = v.ok & (v.profit > 0)
    return pa.table(
        {
            "customer_key": v.keys.filter(pa.array(keep)),
            "profit_minor_units": pa.array(v.profit[keep], pa.int64()),
        }
    )


def pareto_cut(candidates: FrameLike, playbook: Playbook) -> ParetoCut:
    """The cut of the Pareto set over ``candidates`` (from :func:`pareto_candidates`).

    The same set as :func:`custtier.pareto_set` (a test keeps them equal):
    the smallest ``k`` customers, by profit descending then key ascending,
    whose exact integer profit reaches the share of the positive total.

    >>> import pyarrow as pa
    >>> from custtier import presets
    >>> import custtier.frames as cf
    >>> cands = pa.table({"customer_key": ["a", "b", "c", "d"], "profit_minor_units": [500, 300, 100, 100]})
    >>> cut = cf.pareto_cut(cands, presets.PRACTICE)
    >>> cut.count, cut.profit_minor_units, cut.customer_key
    (2, 300, 'b')
    """
    playbook = as_playbook(playbook)
    table = as_table(candidates, "candidates")
    if playbook.tiering.pareto is None or table.num_rows == 0:
        return ParetoCut(playbook_hash=playbook.content_hash, count=0)
    keys = string_column(table, "customer_key")
    profits = np.asarray(as_array(table.column("profit_minor_units")).to_numpy(), dtype=np.int64)
    return _cut(
        np.where(profits > 0, profits, 0), lambda rows: keys.filter(pa.array(rows)), playbook
    )


def _cut(pos: I64, keys_of: Callable[[BOOL], Any], playbook: Playbook) -> ParetoCut:
    """The cut over the positive profits ``pos`` (0: not a candidate); ``keys_of(rows)`` the keys.

    Keys are read only for the rows tied on the boundary's profit.
    """
    rule = playbook.tiering.pareto
    if rule is None or len(pos) == 0:
        return ParetoCut(playbook_hash=playbook.content_hash, count=0)
    # Exact whatever the size: in int64 when max x count cannot overflow it (a
    # sum of Python ints, which never overflows, costs 20x more on a million rows).
    fits = len(pos) == 0 or int(pos.max()) * len(pos) < 2**62
    total = int(pos.sum()) if fits else int(pos.sum(dtype=object))
    if total == 0:
        return ParetoCut(playbook_hash=playbook.content_hash, count=0)
    num, den = rule.profit_share.as_integer_ratio()
    target = -((-total * num) // den)  # smallest integer >= total x share
    ranked = np.sort(pos)[::-1]  # values only: ties are resolved by key below
    if fits:  # int64 running sums cannot overflow
        k = int(np.searchsorted(np.cumsum(ranked), target, side="left")) + 1
    else:
        running, k = 0, 0
        for p in ranked.tolist():
            running += p
            k += 1
            if running >= target:
                break
    boundary = int(ranked[k - 1])
    need = k - int(np.count_nonzero(pos > boundary))
    tied_keys = keys_of(pos == boundary)
    last = tied_keys.take(pc.sort_indices(tied_keys))[need - 1].as_py()
    return ParetoCut(
        playbook_hash=playbook.content_hash, count=k, profit_minor_units=boundary, customer_key=last
    )


# --------------------------------------------------------------------------- validation


@dataclass
class _Valid:
    """One table's columns, checked: what the rules read, and where rows went wrong."""

    n: int
    errors: Errors
    keys: Any  # string array, the input keys
    key_ok: BOOL  # keys that may be echoed in the output (well-formed)
    aum: I64
    profit: I64
    # Flattened monthly balances: owning row, month as year*12+month-1, amount.
    parents: npt.NDArray[np.int64]
    bounds: I64  # n + 1: where each row's elements start and end in the flat arrays
    months: I64
    balances: I64
    held: I64 | None  # KYC items held, as bitmasks; None when no kyc_items column
    prev_rank: I64 | None  # -1 where no previous decision
    prev_below: I64 | None  # days since epoch, int64 min where none
    prev_overridden: BOOL | None  # the previous decision was a manual override
    prev_held: I64 | None  # days since epoch the previous run of held decisions began, or min
    ov_rank: I64 | None  # the override's tier rank, -1 where none
    ov_state: I64 | None  # OverrideState codes
    ok: BOOL = field(init=False)

    def finish(self) -> None:
        self.ok = ~self.errors.bad


def _validate(table: Any, plan: _Plan, as_of: dt.date) -> _Valid:
    names = set(table.column_names)
    missing = sorted(c for c in plan.needs | {"key"} if c not in names)
    if missing:
        raise InputError(
            f"the table lacks column(s) {missing} that the playbook's rules read",
            field=missing[0],
        )
    n = table.num_rows
    errors = Errors(n)
    keys = string_column(table, "key")
    key_ok = well_formed_keys(keys)
    errors.flag(np_bool(keys.is_null()), "missing_value", "key")
    errors.flag(~key_ok, "invalid_value", "key")
    if "currency" in names:
        cur = string_column(table, "currency")
        errors.flag(np_bool(cur.is_null()), "missing_value", "currency")
        shaped = np_bool(pc.match_substring_regex(cur, _CURRENCY_PATTERN))
        errors.flag(~shaped, "invalid_value", "currency")
        same = np_bool(pc.equal(cur, pa.scalar(plan.playbook.currency, pa.string())))
        errors.flag(~same, "currency_mismatch", "currency")
    zeros = np.zeros(n, dtype=np.int64)
    aum = profit = zeros
    if "assets_under_management" in names:
        m = money_column(table, "assets_under_management", plan.scale)
        m.flag(errors, "assets_under_management")
        errors.flag(m.values < 0, "invalid_value", "assets_under_management")
        aum = m.values
    if "annual_profit_contribution" in names:
        m = money_column(table, "annual_profit_contribution", plan.scale)
        m.flag(errors, "annual_profit_contribution")
        profit = m.values
    parents = np.zeros(0, dtype=np.int64)
    bounds = np.zeros(n + 1, dtype=np.int64)
    months = balances = np.zeros(0, dtype=np.int64)
    if "monthly_balances" in names:
        parents, bounds, months, balances = _balances(table, plan, errors)
    held = _kyc(table, errors) if "kyc_items" in names else None
    prev_rank = prev_below = prev_overridden = prev_held = None
    if "previous_tier" in names:
        prev_rank, prev_below = _previous(table, plan, as_of, errors)
        prev_held = _previous_held(table)
        if "previous_movement" in names:
            moved = string_column(table, "previous_movement")
            prev_overridden = np_bool(pc.equal(moved, Movement.OVERRIDDEN.value))
    ov_rank = ov_state = None
    if "override_tier" in names:
        ov_rank, ov_state = _override(table, plan, as_of, errors)
    v = _Valid(
        n, errors, keys, key_ok, aum, profit, parents, bounds, months, balances, held,
        prev_rank, prev_below, prev_overridden, prev_held, ov_rank, ov_state,
    )  # fmt: skip
    v.finish()
    return v


def _balances(
    table: Any, plan: _Plan, errors: Errors
) -> tuple[npt.NDArray[np.int64], I64, I64, I64]:
    lists = as_array(table.column("monthly_balances"))
    t = lists.type
    if not (pa.types.is_list(t) or pa.types.is_large_list(t)) or not pa.types.is_struct(
        t.value_type
    ):
        raise InputError(
            f"column 'monthly_balances' has type {t}; it must be "
            "list<struct<month: string, average_daily_balance: decimal128>>",
            field="monthly_balances",
        )
    struct_type = t.value_type
    names = [struct_type.field(i).name for i in range(struct_type.num_fields)]
    if "month" not in names or "average_daily_balance" not in names:
        raise InputError(
            "monthly_balances elements must have fields 'month' and 'average_daily_balance'",
            field="monthly_balances",
        )
    n = len(lists)
    parents = np.asarray(pc.list_parent_indices(lists).to_numpy(), dtype=np.int64)
    elements = pc.list_flatten(lists)
    columns = elements.flatten()  # struct nulls carried into each field
    month = columns[names.index("month")]
    if pa.types.is_large_string(month.type) or pa.types.is_string_view(month.type):
        month = month.cast(pa.string())
    if not pa.types.is_string(month.type):
        raise InputError(
            f"monthly_balances.month has type {month.type}; it must be a 'YYYY-MM' string",
            field="monthly_balances.month",
        )
    month_null = null_mask(month)
    months, month_ok = month_numbers(month)  # 0 where not a month
    errors.flag(any_per_row(n, parents, month_null), "missing_value", "monthly_balances.month")
    errors.flag(any_per_row(n, parents, ~month_ok), "invalid_value", "monthly_balances.month")
    field_name = "monthly_balances.average_daily_balance"
    m = money_array(columns[names.index("average_daily_balance")], field_name, plan.scale)
    errors.flag(any_per_row(n, parents, m.nulls), "missing_value", field_name)
    errors.flag(any_per_row(n, parents, m.invalid), "invalid_value", field_name)
    errors.flag(any_per_row(n, parents, m.out_of_range), "out_of_range", field_name)
    errors.flag(any_per_row(n, parents, m.too_precise), "too_precise", field_name)
    errors.flag(any_per_row(n, parents, m.values < 0), "invalid_value", field_name)
    errors.flag(any_per_row(n, parents, _repeated_months(parents, months) & month_ok),
                "duplicate_month", "monthly_balances")  # fmt: skip
    return parents, _row_bounds(lists, parents), months, m.values


def _row_bounds(lists: Any, parents: npt.NDArray[np.int64]) -> I64:
    """Where each row's elements start and end among the flattened elements.

    The list offsets themselves (from 0: a slice's own) when no list is null;
    a null list may still span elements in its offsets, which flattening
    drops, so then they are counted from the elements' owners.
    """
    if lists.null_count:
        return row_bounds(parents, len(lists))
    offsets = np.asarray(lists.offsets.to_numpy(), dtype=np.int64)
    bounds: I64 = offsets - offsets[0]
    return bounds


def _repeated_months(parents: npt.NDArray[np.int64], months: I64) -> BOOL:
    """Elements whose month occurs earlier in the same customer's list (any order)."""
    same = np.zeros(len(parents), dtype=np.bool_)
    if len(parents) < 2:
        return same
    # Lists usually come in month order: only rows that do not need sorting.
    step_ok = (parents[1:] != parents[:-1]) | (months[1:] > months[:-1])
    if step_ok.all():
        return same
    pair = parents * 1_000_000 + months  # months < 10^6 for four-digit years
    order = np.argsort(pair, kind="stable")
    same[order[1:]] = pair[order[1:]] == pair[order[:-1]]
    return same


def _kyc(table: Any, errors: Errors) -> I64:
    lists = as_array(table.column("kyc_items"))
    t = lists.type
    if not (pa.types.is_list(t) or pa.types.is_large_list(t)):
        raise InputError(
            f"column 'kyc_items' has type {t}; it must be list<string>", field="kyc_items"
        )
    n = len(lists)
    parents = np.asarray(pc.list_parent_indices(lists).to_numpy(), dtype=np.int64)
    items = pc.list_flatten(lists)
    if not (pa.types.is_string(items.type) or pa.types.is_large_string(items.type)):
        raise InputError("kyc_items must hold strings", field="kyc_items")
    items = items.cast(pa.string())
    vocab = pa.array(list(_KYC_BIT), pa.string())
    idx = pc.index_in(items, value_set=vocab)
    known = np_bool(idx.is_valid())
    errors.flag(any_per_row(n, parents, ~known), "invalid_value", "kyc_items")
    bits = np.array(list(_KYC_BIT.values()), dtype=np.int64)
    held = np.zeros(n, dtype=np.int64)
    idx_np = np.asarray(pc.fill_null(idx, 0).to_numpy(), dtype=np.int64)
    np.bitwise_or.at(held, parents[known], bits[idx_np[known]])
    return held


def _previous(table: Any, plan: _Plan, as_of: dt.date, errors: Errors) -> tuple[I64, I64]:
    tier = string_column(table, "previous_tier")
    has = ~np_bool(tier.is_null())
    idx = pc.index_in(tier, value_set=pa.array(plan.tier_ids, pa.string()))
    rank = np.asarray(pc.fill_null(idx, -1).to_numpy(), dtype=np.int64)
    errors.flag(has & (rank < 0), "unknown_previous_tier", "previous_tier")
    if "previous_as_of" not in table.column_names:
        raise InputError(
            "previous_tier needs a previous_as_of column (the previous decision's date)",
            field="previous_as_of",
        )
    prev_as_of, prev_null = date_days(as_array(table.column("previous_as_of")), "previous_as_of")
    errors.flag(has & prev_null, "missing_value", "previous_as_of")
    errors.flag(has & (prev_as_of > epoch_days(as_of)), "previous_after_as_of", "previous_as_of")
    below = np.full(len(rank), _INT64_MIN, dtype=np.int64)
    if "previous_below_since" in table.column_names:
        days, nulls = date_days(
            as_array(table.column("previous_below_since")), "previous_below_since"
        )
        below = np.where(nulls, _INT64_MIN, days)
    return np.where(has, rank, -1), below


def _previous_held(table: Any) -> I64:
    """When each previous decision's run of held decisions began (int64 min: not held).

    As the engine reads it: ``previous_held_since`` of a held decision, else
    the held decision's own ``previous_as_of``; nothing when the previous
    decision was not held (``previous_movement``, when given, says).
    """
    n = table.num_rows
    names = table.column_names
    held = np.full(n, _INT64_MIN, dtype=np.int64)
    was_held = np.ones(n, dtype=np.bool_)
    if "previous_movement" in names:
        moved = string_column(table, "previous_movement")
        was_held = np_bool(pc.fill_null(pc.equal(moved, Movement.HELD.value), False))
        as_of, as_of_null = date_days(as_array(table.column("previous_as_of")), "previous_as_of")
        held = np.where(was_held & ~as_of_null, as_of, held)
    if "previous_held_since" in names:
        days, nulls = date_days(
            as_array(table.column("previous_held_since")), "previous_held_since"
        )
        held = np.where(was_held & ~nulls, days, held)
    return held


def _override(table: Any, plan: _Plan, as_of: dt.date, errors: Errors) -> tuple[I64, I64]:
    """Each row's override: the tier's rank (-1: none) and whether it is in force on ``as_of``."""
    tier = string_column(table, "override_tier")
    has = ~np_bool(tier.is_null())
    idx = pc.index_in(tier, value_set=pa.array(plan.tier_ids, pa.string()))
    rank = np.asarray(pc.fill_null(idx, -1).to_numpy(), dtype=np.int64)
    errors.flag(has & (rank < 0), "unknown_override_tier", "override_tier")
    for name in ("override_set_on", "override_expires_on"):
        if name not in table.column_names:
            raise InputError(f"override_tier needs a {name} column", field=name)
    set_on, set_null = date_days(as_array(table.column("override_set_on")), "override_set_on")
    expires, exp_null = date_days(
        as_array(table.column("override_expires_on")), "override_expires_on"
    )
    errors.flag(has & set_null, "missing_value", "override_set_on")
    errors.flag(has & exp_null, "missing_value", "override_expires_on")
    today = epoch_days(as_of)
    state = np.where(
        today < set_on,
        OverrideState.PENDING,
        np.where(today > expires, OverrideState.EXPIRED, OverrideState.IN_FORCE),
    ).astype(np.int64)
    return np.where(has, rank, -1), np.where(has & (rank >= 0), state, OverrideState.NONE)


# --------------------------------------------------------------------------- the rules


@dataclass
class _Trace:
    """The columnar trace: per row, the codes of ``custtier.tiering.TierTrace``, and the dates."""

    completeness: list[I64]  # per basis: Completeness codes
    band: list[I64]  # per basis: band index (0 where unusable)
    pareto: I64  # ParetoState codes
    hysteresis: I64  # HysteresisState codes
    override: I64  # OverrideState codes
    rank: I64
    rule_rank: I64
    decided_by: I64  # index into vocab
    below_since: I64  # days, int64 min = none
    held_since: I64  # days, int64 min = none
    values: dict[Basis, tuple[I64, BOOL]]  # basis -> (minor units, usable)
    vocab: list[str]  # rule ids that decided_by indexes


def _decide(v: _Valid, plan: _Plan, as_of: dt.date, cut: ParetoCut | None) -> _Trace:
    pb = plan.playbook
    n = v.n
    vocab: list[str] = []
    values: dict[Basis, tuple[I64, BOOL]] = {}
    completeness: list[I64] = []
    bands: list[I64] = []
    best_rank = np.zeros(n, dtype=np.int64)
    best_rule = np.zeros(n, dtype=np.int64)
    for i, bp in enumerate(plan.bases):
        value, complete = bp.plan.kind.columnar()(v, bp, pb, as_of)
        usable = complete != Completeness.UNUSABLE
        values[bp.basis] = (value, usable)
        band = np.where(usable, _band_of(bp.lowers, value), 0)
        rank = bp.ranks[band]
        base = len(vocab)
        vocab.extend(bp.plan.rule_ids)
        rule = base + band
        if i == 0:
            best_rank, best_rule = rank, rule
        else:
            better = rank > best_rank if plan.highest else rank < best_rank
            best_rank = np.where(better, rank, best_rank)
            best_rule = np.where(better, rule, best_rule)
        completeness.append(complete)
        bands.append(band)
    pareto = np.full(n, ParetoState.NO_RULE, dtype=np.int64)
    if pb.tiering.pareto is not None:
        if cut is None:
            raise ValueError("internal: a Pareto playbook needs a cut")
        member = cut_members(cut, v.keys, v.profit, v.ok)
        pareto = np.where(member, int(ParetoState.MEMBER), int(ParetoState.OUTSIDE))
        prank = pb.tier_rank(pb.tiering.pareto.tier)
        vocab.append(pb.tiering.pareto.rule_id)
        lift = member & (prank > best_rank)
        best_rank = np.where(lift, prank, best_rank)
        best_rule = np.where(lift, len(vocab) - 1, best_rule)
    rank, hyst, below, decided, held_since = _hysteresis(
        v, plan, as_of, rule_rank=best_rank, values=values, vocab=vocab
    )
    decided_by = best_rule if decided is None else np.where(decided >= 0, decided, best_rule)
    state = np.zeros(n, dtype=np.int64) if v.ov_state is None else v.ov_state
    if v.ov_rank is not None:
        in_force = state == OverrideState.IN_FORCE
        vocab.append(OVERRIDE_RULE)
        rank = np.where(in_force, v.ov_rank, rank)
        below = np.where(in_force, _INT64_MIN, below)
        held_since = np.where(in_force, _INT64_MIN, held_since)
        decided_by = np.where(in_force, len(vocab) - 1, decided_by)
    return _Trace(
        completeness, bands, pareto, hyst, state, rank, best_rank, decided_by, below,
        held_since, values, vocab,
    )  # fmt: skip


def _band_of(lowers: I64, value: I64) -> I64:
    """The band ``[lower, next lower)`` holding each value; the first band below its bound.

    ``max(searchsorted(lowers, value, "right") - 1, 0)``: for a sorted array
    that is the count of the other lowers at or below the value, and a
    comparison per edge (a playbook has a handful) costs less than a binary
    search per row.
    """
    if len(lowers) > 16:
        return np.maximum(np.searchsorted(lowers, value, side="right") - 1, 0)
    band = np.zeros(len(value), dtype=np.int64)
    for edge in lowers[1:].tolist():
        band += value >= edge
    return band


def _hysteresis(
    v: _Valid,
    plan: _Plan,
    as_of: dt.date,
    *,
    rule_rank: I64,
    values: dict[Basis, tuple[I64, BOOL]],
    vocab: list[str],
) -> tuple[I64, I64, I64, I64 | None, I64]:
    """Upgrade at once; downgrade after the grace period below the buffered bar (as the engine).

    The buffer holds for at most ``max_buffer_months`` from the first held
    decision; then the grace period runs from the day the hold ended.
    """
    n = v.n
    code = np.full(n, HysteresisState.NEW, dtype=np.int64)
    below = np.full(n, _INT64_MIN, dtype=np.int64)
    held_since = below if v.prev_rank is None else below.copy()
    if v.prev_rank is None or v.prev_below is None:  # every row new: the rules decide
        return rule_rank, code, below, None, held_since
    rank = rule_rank.copy()
    decided = np.full(n, -1, dtype=np.int64)
    prev = v.prev_rank
    has = prev >= 0
    if v.prev_overridden is not None:  # an override's tier was not earned: rules decide
        has &= ~v.prev_overridden
    code[has & (rule_rank > prev)] = HysteresisState.UP
    code[has & (rule_rank == prev)] = HysteresisState.SAME
    down = has & (rule_rank < prev)
    h = plan.playbook.tiering.hysteresis
    if h is None:
        code[down] = HysteresisState.DOWN_NO_HYSTERESIS
        return rank, code, below, decided, held_since
    # Only the rows moving down need the hold and grace dates.
    rows = np.flatnonzero(down)
    p = prev[rows]
    in_buffer = np.zeros(len(rows), dtype=np.bool_)
    for bp in plan.bases:
        value, usable = values[bp.basis]
        in_buffer |= usable[rows] & (value[rows] >= bp.floors[p])
    today = epoch_days(as_of)
    prev_held = v.prev_held[rows] if v.prev_held is not None else np.full(len(rows), _INT64_MIN)
    started = np.where(prev_held != _INT64_MIN, prev_held, today)
    holds = in_buffer
    hold_end = np.full(len(rows), _INT64_MAX, dtype=np.int64)
    if (k := h.max_buffer_months) is not None:
        hold_end = per_distinct(started, lambda d: d + relativedelta(months=k))
        holds = in_buffer & (today < hold_end)
    below_from = np.where(in_buffer, hold_end, today)  # the hold ended, or below the floor now
    prev_below = v.prev_below[rows]
    since = np.where(holds, _INT64_MIN, np.where(prev_below != _INT64_MIN, prev_below, below_from))
    has_since = since != _INT64_MIN
    months = per_distinct(np.where(has_since, since, today), lambda d: months_between(d, as_of))
    review_ok = not h.review_months or as_of.month in h.review_months
    go = has_since & (months >= h.grace_months) & review_ok
    held = rows[~go]
    code[rows[go]] = HysteresisState.DOWN
    code[held] = HysteresisState.HELD
    rank[held] = prev[held]
    below[held] = since[~go]
    held_since[held] = started[~go]
    vocab.append(h.rule_id)
    decided[down] = len(vocab) - 1
    return rank, code, below, decided, held_since


# --------------------------------------------------------------------------- reasons as lists


def _trace_key(plan: _Plan, digits: list[int], with_kyc: bool) -> TraceKey:
    """One distinct combination of the trace's columns (as laid out by ``_assemble``)."""
    nb = len(plan.bases)
    pareto, hyst, override, rank = digits[2 * nb : 2 * nb + 4]
    return TraceKey(
        bases=tuple((Completeness(digits[2 * i]), digits[2 * i + 1]) for i in range(nb)),
        pareto=ParetoState(pareto),
        hysteresis=HysteresisState(hyst),
        override=OverrideState(override),
        rank=rank,
        kyc_gaps=digits[2 * nb + 4] if with_kyc else 0,
    )


def _reason_lists(plan: _Plan, key: TraceKey) -> tuple[list[int], list[int], list[int]]:
    """Reason codes, rule ids and KYC gaps of one trace key (dictionary indices)."""
    found = entries(plan.core, key)
    gaps = kyc_items_of(plan.core, key.rank, key.kyc_gaps)
    return (
        [_REASON_INDEX[e.code] for e in found],
        [plan.rule_index[e.rule_id] for e in found],
        [_KYC_INDEX[g] for g in gaps],
    )


# --------------------------------------------------------------------------- assembling


def _assemble(v: _Valid, plan: _Plan, as_of: dt.date, cut: ParetoCut | None) -> Any:
    n = v.n
    bad = ~v.ok
    out = _decide(v, plan, as_of, cut)
    parts: list[tuple[I64, int]] = []
    for complete, band, bp in zip(out.completeness, out.band, plan.bases, strict=True):
        parts += [(complete, len(Completeness)), (band, len(bp.plan.bands))]
    parts += [
        (out.pareto, len(ParetoState)),
        (out.hysteresis, len(HysteresisState)),
        (out.override, len(OverrideState)),
        (out.rank, len(plan.tier_ids)),
    ]
    with_kyc = v.held is not None
    if v.held is not None:
        parts.append((plan.requires[out.rank] & ~v.held, 1 << len(_KYC_ITEMS)))
    some_bad = bool(bad.any())
    inv, combos = signatures([(np.where(bad, 0, a) if some_bad else a, r) for a, r in parts])
    lists = [_reason_lists(plan, _trace_key(plan, c, with_kyc)) for c in combos]
    d = plan.dictionaries
    in_force = out.override == OverrideState.IN_FORCE
    movement = np.where(in_force, _OVERRIDDEN, out.hysteresis)
    error_code, error_field = v.errors.columns()
    money = pa.decimal128(38, plan.scale)
    mask = bad if some_bad else None
    decided_by = np.array([plan.rule_index[r] for r in out.vocab], np.int32)[out.decided_by]
    rank = pa.array(out.rank.astype(np.int32), pa.int32(), mask=mask)  # also the tier's index
    columns: dict[str, Any] = {
        "customer_key": (
            v.keys
            if v.key_ok.all()  # the usual chunk: every key may be echoed
            else pc.if_else(pa.array(v.key_ok), v.keys, pa.scalar(None, pa.string()))
        ),
        "error_code": error_code,
        "error_field": error_field,
        "tier": pa.DictionaryArray.from_arrays(rank, d["tier"], safe=False),
        "rank": rank,
        "rule_tier": _dictionary_array(out.rule_rank, mask, d["rule_tier"]),
        "decided_by": _dictionary_array(decided_by, mask, d["decided_by"]),
        "movement": _dictionary_array(_MOVEMENT_CODE[movement], mask, d["movement"]),
        "previous_tier": (
            _null_dictionary(n, d["previous_tier"])
            if v.prev_rank is None  # no previous decisions given: null on every row
            else _dictionary_array(
                np.maximum(v.prev_rank, 0), bad | (v.prev_rank < 0), d["previous_tier"]
            )
        ),
        "below_since": _dates(out.below_since, bad),
        "held_since": _dates(out.held_since, bad),
    }
    for basis in Basis:
        if basis in out.values:
            value, usable = out.values[basis]
            columns[f"basis_{basis.value}"] = to_decimal(value, bad | ~usable, plan.scale)
        else:
            columns[f"basis_{basis.value}"] = pa.nulls(n, money)
    columns["reason_codes"], columns["rule_ids"] = dict_list_columns(
        inv,
        [([c for c, _, _ in lists], d["reason_codes"]), ([r for _, r, _ in lists], d["rule_ids"])],
        mask,
    )
    columns["kyc_gaps"] = (
        dict_list_columns(inv, [([g for _, _, g in lists], d["kyc_gaps"])], mask)[0]
        if with_kyc
        else _null_dictionary(n, d["kyc_gaps"], lists=True)  # no kyc_items column: unknown
    )
    columns["as_of"] = _same_date(as_of, n)
    zeros = np.zeros(n, dtype=np.int32)
    for name in ("playbook_id", "playbook_version", "playbook_hash"):
        columns[name] = _dictionary_array(zeros, None, d[name])
    return pa.Table.from_pydict(columns, schema=plan.schema)


def _same_date(day: dt.date, n: int) -> Any:
    """``day`` on ``n`` rows as ``date32``, written as one int32 buffer."""
    days = np.full(n, epoch_days(day), dtype=np.int32)
    return pa.Array.from_buffers(pa.date32(), n, [None, pa.py_buffer(days)])


def _dates(days: I64, bad: BOOL) -> Any:
    """Day numbers as ``date32``, null on error rows and where ``days`` is int64 min."""
    none = days == _INT64_MIN
    if none.all():  # no row holds a date (no previous decisions, nobody held)
        return pa.nulls(len(days), pa.date32())
    return pa.array(np.where(none, 0, days).astype(np.int32), pa.int32(), mask=bad | none).cast(
        pa.date32()
    )


def _check_cut(cut: ParetoCut | None, playbook: Playbook) -> None:
    if playbook.tiering.pareto is None:
        return
    if cut is None:
        raise InputError(
            "the playbook has a Pareto rule, which needs the whole book: compute "
            "pareto_cut(...) over every partition's pareto_candidates(...) first and pass "
            "it as pareto_cut=",
            field="pareto_cut",
        )
    if cut.playbook_hash != playbook.content_hash:
        raise InputError("the Pareto cut was computed under another playbook", field="pareto_cut")


# --------------------------------------------------------------------------- public entry points


def tier_table(
    data: FrameLike,
    playbook: Playbook,
    *,
    as_of: dt.date,
    previous: FrameLike | None = None,
    pareto_cut: ParetoCut | None = None,
    overrides: Iterable[Override] | FrameLike | None = None,
    progress: ProgressCallback | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> Frame:
    """Tier every row of an Arrow table (or record batch, pandas or polars frame).

    Returns one output row per input row, **in input order**, in
    :func:`tier_output_schema`: a decision, or an error row (``error_code``
    and ``error_field`` set, decision columns null, the key only if it is
    well-formed). The Pareto rule is computed over the valid rows of the
    whole table (or taken from ``pareto_cut``, a cut computed over a larger
    book). ``previous`` is the previous run's output (columns ``key``,
    ``tier``, ``as_of``, ``below_since`` and optionally ``movement``); rows
    without a previous decision are new. ``overrides`` are manual tier
    decisions: ``Override`` models or a table with their columns
    (``customer_key``, ``tier``, ``set_on``, ``expires_on``); per customer,
    one in force on ``as_of`` wins (then the latest set), as in
    :func:`custtier.tier_book`. An override to a tier the playbook lacks is
    an ``InputError``. Keys occurring on more than one valid row are all
    ``duplicate_key`` errors.

    The table is worked through ``chunk_rows`` rows at a time (answers never
    depend on it; memory and progress steps do). ``progress(done, total)``,
    if given, is called after each chunk of each of the two passes (validate,
    then decide), so ``total`` is twice the number of rows, and last with
    ``done == total``.

    >>> import datetime as dt
    >>> import pyarrow as pa
    >>> from custtier import presets
    >>> import custtier.frames as cf
    >>> book = pa.table({
    ...     "key": ["C1", "C2", "bad key"],
    ...     "annual_profit_contribution": pa.array([9000_00, 500_00, 1_00], pa.int64()),
    ...     "monthly_balances": [
    ...         [{"month": m, "average_daily_balance": 520_000_00} for m in ("2026-08", "2026-09", "2026-10")],
    ...         [], []],
    ... })
    >>> out = cf.tier_table(book, presets.PRACTICE, as_of=dt.date(2026, 11, 30))
    >>> out.select(["customer_key", "tier", "decided_by", "error_code"]).to_pylist()[0]
    {'customer_key': 'C1', 'tier': 'high_end', 'decided_by': 'tier.adb.high_end', 'error_code': None}
    >>> out.column("reason_codes")[1].as_py()
    ['BASIS_INCOMPLETE']
    >>> out.select(["customer_key", "error_code", "error_field"]).to_pylist()[2]
    {'customer_key': None, 'error_code': 'invalid_value', 'error_field': 'key'}
    """
    playbook, as_of = as_playbook(playbook), as_date(as_of, "as_of")
    chunk_rows = check_chunk_rows(chunk_rows)
    table = as_table(data)
    if previous is not None:
        table = _join_previous(table, as_table(previous, "previous"))
    plan = _plan(playbook)
    if overrides is not None:
        table = _join_overrides(table, overrides, plan, as_of)
    n = table.num_rows
    ticker = Ticker(progress, 2 * n, every=chunk_rows)
    parts = []
    for start in range(0, n, chunk_rows) if n else (0,):
        parts.append(_validate(table.slice(start, chunk_rows), plan, as_of))
        ticker.add(parts[-1].n)
    _flag_duplicate_keys(parts)
    cut = pareto_cut
    if playbook.tiering.pareto is not None and cut is None:
        cut = _cut_of_parts(parts, playbook)
    _check_cut(cut, playbook)
    out = []
    for v in parts:
        out.append(_assemble(v, plan, as_of, cut))
        ticker.add(v.n)
    ticker.finish()
    return like_input(data, pa.concat_tables(out) if len(out) > 1 else out[0])


def _flag_duplicate_keys(parts: Sequence[_Valid]) -> None:
    """Mark every row whose key occurs on another valid row of the table (across chunks)."""
    clean = [v.ok for v in parts]
    # Each chunk's keys hashed in place: when no two valid rows' hashes are equal,
    # no key repeats and the keys need not be gathered (the usual book).
    hashes = np.concatenate([key_hashes(v.keys)[ok] for v, ok in zip(parts, clean, strict=True)])
    if not any_repeated(hashes):
        return
    keys = pa.concat_arrays(
        [v.keys.filter(pa.array(ok)) for v, ok in zip(parts, clean, strict=True)]
    )
    dup = duplicated(keys)
    at = 0
    for v, ok in zip(parts, clean, strict=True):
        count = int(ok.sum())
        mask = np.zeros(v.n, dtype=np.bool_)
        mask[ok] = dup[at : at + count]
        at += count
        v.errors.flag(mask, "duplicate_key", "key")
        v.finish()


def _cut_of_parts(parts: Sequence[_Valid], playbook: Playbook) -> ParetoCut:
    """The Pareto cut over validated chunks: their valid rows with positive profit."""
    pos = np.concatenate([np.where(v.ok & (v.profit > 0), v.profit, 0) for v in parts])
    bounds = np.cumsum([0, *(v.n for v in parts)])

    def keys_of(rows: BOOL) -> Any:
        return pa.concat_arrays(
            [
                v.keys.filter(pa.array(rows[lo:hi]))
                for v, lo, hi in zip(parts, bounds[:-1], bounds[1:], strict=True)
            ]
        )

    return _cut(pos, keys_of, playbook)


def _join_previous(table: Any, previous: Any) -> Any:
    clash = [c for c in table.column_names if c.startswith("previous_")]
    if clash:
        raise InputError(
            "give the previous decisions either as previous_* columns or as previous=, not both",
            field=clash[0],
        )
    for name in ("customer_key", "tier", "as_of"):
        if name not in previous.column_names:
            raise InputError(f"the previous table lacks column {name!r}", field=f"previous.{name}")
    prev_tier = string_column(previous, "tier")
    previous = previous.filter(pc.is_valid(prev_tier))
    prev_keys = string_column(previous, "customer_key")
    if pc.count_distinct(prev_keys).as_py() != previous.num_rows:
        raise InputError(
            "the previous table lists a customer key more than once",
            field="previous.customer_key",
        )
    idx = pc.index_in(string_column(table, "key"), value_set=prev_keys)
    below = (
        previous.column("below_since")
        if "below_since" in previous.column_names
        else pa.nulls(previous.num_rows, pa.date32())
    )
    moved = (
        string_column(previous, "movement")
        if "movement" in previous.column_names
        else pa.nulls(previous.num_rows, pa.string())
    )
    held = (
        previous.column("held_since")
        if "held_since" in previous.column_names
        else pa.nulls(previous.num_rows, pa.date32())
    )
    return (
        table.append_column("previous_tier", string_column(previous, "tier").take(idx))
        .append_column("previous_as_of", as_array(previous.column("as_of")).take(idx))
        .append_column("previous_below_since", as_array(below).take(idx))
        .append_column("previous_held_since", as_array(held).take(idx))
        .append_column("previous_movement", moved.take(idx))
    )


def _join_overrides(table: Any, overrides: Any, plan: _Plan, as_of: dt.date) -> Any:
    """Append ``override_*`` columns: per key, the override the scalar engine would apply.

    Overrides are few (manual decisions), so the choice is made in Python
    with the scalar rule: one in force wins, then the latest ``set_on``,
    then the tier id.
    """
    clash = [c for c in table.column_names if c.startswith("override_")]
    if clash:
        raise InputError(
            "give overrides either as override_* columns or as overrides=, not both",
            field=clash[0],
        )
    rows = _override_rows(overrides)
    for _, tier, _, _ in rows:
        if tier not in plan.tier_ids:
            raise InputError(
                "override tier is not a tier of this playbook; fix or drop the override",
                field="overrides.tier",
            )
    chosen = choose_overrides(((row, row) for row in rows), as_of)
    keys = pa.array(list(chosen), pa.string())
    idx = pc.index_in(string_column(table, "key"), value_set=keys)
    picked = list(chosen.values())
    return (
        table.append_column(
            "override_tier", pa.array([c[1] for c in picked], pa.string()).take(idx)
        )
        .append_column("override_set_on", pa.array([c[2] for c in picked], pa.date32()).take(idx))
        .append_column(
            "override_expires_on", pa.array([c[3] for c in picked], pa.date32()).take(idx)
        )
    )


def _override_rows(overrides: Any) -> list[tuple[str, str, dt.date, dt.date]]:
    """``(customer_key, tier, set_on, expires_on)`` from Override models or a table."""
    if not isinstance(overrides, (pa.Table, pa.RecordBatch)) and not hasattr(overrides, "columns"):
        items = list(overrides)  # Override models
        if not all(isinstance(o, Override) for o in items):
            raise InputError("overrides must be Override models or a table", field="overrides")
        return [(o.customer_key, o.tier, o.set_on, o.expires_on) for o in items]
    table = as_table(overrides, "overrides")
    for name in ("customer_key", "tier", "set_on", "expires_on"):
        if name not in table.column_names:
            raise InputError(
                f"the overrides table lacks column {name!r}", field=f"overrides.{name}"
            )
    out = []
    for row in table.select(["customer_key", "tier", "set_on", "expires_on"]).to_pylist():
        if None in row.values():
            missing = next(k for k, val in row.items() if val is None)
            raise InputError("an override lacks a value", field=f"overrides.{missing}")
        if row["expires_on"] < row["set_on"]:
            raise InputError("an override expires before it is set", field="overrides.expires_on")
        out.append((row["customer_key"], row["tier"], row["set_on"], row["expires_on"]))
    return out


@dataclass(frozen=True)
class TierMapper:
    """A picklable per-partition function for Spark's ``mapInArrow`` and Dask's ``map_partitions``.

    Each partition is tiered on its own (no state crosses partitions; key
    uniqueness is a whole-book property to check once, upstream). When the
    playbook has a Pareto rule, ``pareto_cut`` must be the cut of the *whole
    book*, computed in a first pass with :meth:`candidates` and
    :func:`pareto_cut`; :meth:`with_pareto_cut` returns the mapper with it.
    """

    playbook: Playbook
    as_of: dt.date
    pareto_cut: ParetoCut | None = None
    overrides: Iterable[Override] | FrameLike | None = None  # shipped to every worker

    def with_pareto_cut(self, cut: ParetoCut) -> TierMapper:
        """This mapper with the whole book's Pareto cut."""
        return replace(self, pareto_cut=cut)

    @property
    def output_schema(self) -> ArrowSchema:
        """The Arrow schema of the output (see :func:`tier_output_schema`)."""
        return tier_output_schema(self.playbook)

    def table(self, data: FrameLike) -> ArrowTable:
        """Tier one partition (a table, batch or frame) into an output table."""
        _check_cut(self.pareto_cut, self.playbook)
        plan = _plan(self.playbook)
        table = as_table(data)
        if self.overrides is not None:
            table = _join_overrides(table, self.overrides, plan, self.as_of)
        v = _validate(table, plan, self.as_of)
        return _assemble(v, plan, self.as_of, self.pareto_cut)

    def __call__(self, batches: Iterable[Any]) -> Iterator[Any]:
        """``mapInArrow``: record batches in, record batches of the output schema out.

        Spark has no dictionary type, so the dictionary-encoded columns leave
        as plain strings (``from_arrow_schema`` maps them to ``StringType``).
        """
        for batch in batches:
            yield from spark_table(self.table(batch), self.playbook).to_batches()

    def candidates(self, batches: Iterable[Any]) -> Iterator[Any]:
        """Pass 1 for ``mapInArrow``: each batch's :func:`pareto_candidates`."""
        for batch in batches:
            yield from pareto_candidates(batch, self.playbook, as_of=self.as_of).to_batches()

    def pandas(self, frame: PandasFrame) -> PandasFrame:
        """Dask ``map_partitions``: a pandas partition in, the output as Arrow-backed pandas."""
        import pandas as pd  # noqa: PLC0415  # optional: only the pandas helpers need it

        out = self.table(pa.Table.from_pandas(frame, preserve_index=False))
        result = out.to_pandas(types_mapper=pd.ArrowDtype)
        result.index = frame.index
        return result

    def pandas_candidates(self, frame: PandasFrame) -> PandasFrame:
        """Pass 1 for Dask: a partition's :func:`pareto_candidates` as pandas."""
        import pandas as pd  # noqa: PLC0415  # optional: only the pandas helpers need it

        table = pa.Table.from_pandas(frame, preserve_index=False)
        return pareto_candidates(table, self.playbook, as_of=self.as_of).to_pandas(
            types_mapper=pd.ArrowDtype
        )

    def pandas_meta(self) -> PandasFrame:
        """An empty pandas frame of the output schema (Dask's ``meta=``)."""
        import pandas as pd  # noqa: PLC0415  # optional: only the pandas helpers need it

        return self.output_schema.empty_table().to_pandas(types_mapper=pd.ArrowDtype)


def pareto_candidates_schema() -> ArrowSchema:
    """The schema of :func:`pareto_candidates` (pass 1's output)."""
    return pa.schema([("customer_key", pa.string()), ("profit_minor_units", pa.int64())])


def tier_output_table(
    decisions: BookTiering | Iterable[TierDecision], playbook: Playbook, *, kyc: bool = True
) -> ArrowTable:
    """The scalar API's decisions in :func:`tier_output_schema`, to compare or to store.

    With ``kyc=False`` the KYC gaps are left out (``kyc_gaps`` null, no
    ``KYC_GAP`` reason), as :func:`tier_table` does without a ``kyc_items``
    column.
    """
    if isinstance(decisions, BookTiering):
        decisions = decisions.decisions
    rows = []
    for d in decisions:
        reasons = [r for r in d.reasons if kyc or r.code is not ReasonCode.KYC_GAP]
        row: dict[str, Any] = {
            "customer_key": d.customer_key,
            "error_code": None,
            "error_field": None,
            "tier": d.outcome,
            "rank": d.rank,
            "rule_tier": d.rule_tier,
            "decided_by": d.decided_by,
            "movement": d.movement.value,
            "previous_tier": d.previous_tier,
            "below_since": d.below_since,
            "held_since": d.held_since,
            **{f"basis_{b.value}": d.basis_values.get(b.value) for b in Basis},
            "reason_codes": [r.code.value for r in reasons],
            "rule_ids": [r.rule_id for r in reasons],
            "kyc_gaps": [g.value for g in d.kyc_gaps] if kyc else None,
            "as_of": d.as_of,
            "playbook_id": d.playbook.id,
            "playbook_version": d.playbook.version,
            "playbook_hash": d.playbook.content_hash,
        }
        rows.append(row)
    return _with_dictionaries(
        pa.Table.from_pylist(rows, schema=plain_tier_schema(playbook)), playbook
    )


def plain_tier_schema(playbook: Playbook) -> ArrowSchema:
    """:func:`tier_output_schema` with plain strings where it has dictionaries."""
    return pa.schema(
        [
            f.with_type(
                pa.string()
                if f.type == _DICT
                else pa.list_(pa.string())
                if f.type == _DICT_LIST
                else f.type
            )
            for f in tier_output_schema(playbook)
        ]
    )


def spark_table(table: Any, playbook: Playbook) -> ArrowTable:
    """An output table with plain strings where it has dictionaries (Spark has no such type)."""
    return table.cast(plain_tier_schema(playbook))


def _with_dictionaries(table: Any, playbook: Playbook) -> ArrowTable:
    """A table of :func:`plain_tier_schema` in :func:`tier_output_schema`, on the fixed dictionaries."""
    for name, dictionary in _plan(playbook).dictionaries.items():
        at = table.schema.get_field_index(name)
        table = table.set_column(at, name, _encoded(as_array(table.column(name)), dictionary, name))
    return table.cast(tier_output_schema(playbook))


def tier_input_table(
    customers: Iterable[Customer], playbook: Playbook, *, as_of: dt.date, kyc: bool = True
) -> ArrowTable:
    """Customer models as a table in :func:`tier_input_schema` (without previous columns).

    For moving a book held as models into the columnar path, and for tests.
    ``kyc_items`` lists what each customer's records hold on ``as_of`` (left
    out with ``kyc=False``).
    """
    customers = as_customers(customers)
    playbook, as_of = as_playbook(playbook), as_date(as_of, "as_of")
    every = TierDef(id="every_item", label="every KYC item", kyc_requires=tuple(KycItem))
    rows = []
    for c in customers:
        row: dict[str, Any] = {
            "key": c.key,
            "currency": c.currency,
            "assets_under_management": c.assets_under_management,
            "annual_profit_contribution": c.annual_profit_contribution,
            "monthly_balances": [
                {"month": m.month, "average_daily_balance": m.average_daily_balance}
                for m in c.monthly_balances
            ],
        }
        if kyc:
            gaps = set(missing_items(c, every, as_of))
            row["kyc_items"] = [i.value for i in KycItem if i not in gaps]
        rows.append(row)
    schema = tier_input_schema(playbook)
    names = [n for n in schema.names if not n.startswith("previous_") and (kyc or n != "kyc_items")]
    return pa.Table.from_pylist(rows, schema=pa.schema([schema.field(n) for n in names]))


def table_digest(table: FrameLike) -> str:
    """sha256 of a tier output table's rows, whatever their order, chunking or engine.

    Each row becomes canonical JSON (sorted keys, decimals and dates as text);
    the lines are sorted, so Spark's, Dask's and the scalar API's outputs of
    the same book have the same digest.
    """
    lines = sorted(
        json.dumps(row, sort_keys=True, separators=(",", ":"), default=_json_default)
        for row in as_table(table, "table").to_pylist()
    )
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


def _json_default(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"unexpected value of type {type(value).__name__} in a tier table")
