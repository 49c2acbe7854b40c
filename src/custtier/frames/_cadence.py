"""Contact occasions on Arrow tables: the cadence engine's date expansion, column by column.

:func:`occasions_table` lists every contact a customer's tier asks for over a
horizon — what :func:`custtier.cadence._expand.expand` gives one customer at a
time — for a whole table of customers, without building a model per row.
Levelling (consent, caps, capacity) stays with :func:`custtier.plan_contacts`.

Each rule exists once, in the scalar planner (``custtier.cadence._expand``):
this module calls it once per *distinct* input value and broadcasts the
answer to every row with numpy, so the columnar path has no rules of its own:

* birthdays and important dates: ``greeting_dates`` per distinct (date,
  calendar), Gregorian (29 February policy) and lunar alike;
* holiday greetings and ``rrule`` invitations: the tier's shared occurrences
  (``fixed_occurrences``), the same for every customer;
* periodic contacts: ``first_due`` per distinct (last contact, or stagger)
  and ``interval_dates`` per distinct first due date; the stagger
  (``stagger``, a CRC-32 of the key) per row, as every key is distinct;
* KYC reviews (``kyc_due`` per distinct AML rating and review date), risk
  re-assessments (``relied_until`` per distinct assessment) and maturities:
  ``due_dates`` per distinct (due date, months);
* campaigns: ``in_segment`` per distinct (needs, age), ages by ``age_on``
  per distinct birth date.

A book holds few distinct values of each (thousands of dates among millions
of customers), so the scalar calls cost little next to the numpy work.

Answers equal the scalar expansion item by item (a property test keeps them
equal under both shipped presets).
"""

from __future__ import annotations

import calendar as _stdcal
import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from custtier._args import (
    as_customers,
    as_date,
    as_playbook,
    check_chunk_rows,
)
from custtier._dates import age_on
from custtier._explain import Reason, ReasonCode
from custtier._progress import ProgressCallback, Ticker
from custtier._tier_arg import TierLike, tier_id
from custtier._validity import relied_until
from custtier.cadence._calendar import Calendar
from custtier.cadence._expand import (
    due_dates,
    first_due,
    fixed_occurrences,
    greeting_dates,
    important_label,
    in_segment,
    interval_dates,
    kyc_due,
    maturity_label,
    rule_label,
    stagger,
)
from custtier.cadence._horizon import check_horizon
from custtier.cadence._occasions import OCCASIONS, needed_columns
from custtier.cadence._plan import DEFAULT_CALENDAR
from custtier.cadence._tables import Tables, tables
from custtier.errors import InputError
from custtier.frames._arrow import (
    BOOL,
    EPOCH,
    I64,
    Errors,
    any_per_row,
    as_array,
    as_table,
    date_days,
    duplicated,
    epoch_days,
    like_input,
    list_column,
    np_bool,
    playbook_columns,
    playbook_fields,
    string_column,
    well_formed_keys,
)
from custtier.frames._distinct import PAST_CALENDAR, lay_out, per_code, per_distinct, repeat
from custtier.frames._types import ArrowSchema, ArrowTable, Frame, FrameLike
from custtier.models import ContactRecord, Customer
from custtier.models._types import AmlRating, CalendarKind, DateKind, Need, Relation
from custtier.rules import ContactRule, Occasion, Playbook, Segment
from custtier.rules._cadence import GREETINGS

__all__ = [
    "DEFAULT_OCCASION_CHUNK_ROWS",
    "OCCASIONS_ERROR_CODES",
    "OCCASIONS_INPUT_COLUMNS",
    "occasions_input_schema",
    "occasions_input_table",
    "occasions_output_schema",
    "occasions_table",
]

#: Input rows per chunk of :func:`occasions_table` (answers never depend on it).
DEFAULT_OCCASION_CHUNK_ROWS = 65_536

#: Input columns of :func:`occasions_table` and what each holds (``docs/scale-out.md``).
OCCASIONS_INPUT_COLUMNS: dict[str, str] = {
    "key": "string, required: the pseudonymous customer key",
    "tier": "string, required: the customer's tier id (tier_table's tier column)",
    "manager_id": "string, optional: the customer's relationship manager (null: none)",
    "birth_date": "date32, required with a birthday rule or an age-bound campaign",
    "important_dates": (
        "list<struct<kind: string, relation: string, on: date32, calendar: string>>, required "
        "with a birthday or important_date rule: KycFile.important_dates (labels are not read)"
    ),
    "aml_rating": "string, required with a kyc_refresh rule: low, medium, high or null",
    "last_reviewed_on": "date32, required with a kyc_refresh rule: null = never reviewed",
    "risk_assessed_on": (
        "date32, required with a risk_reassessment rule: the assessment's day (null = no "
        "assessment); with the playbook's validity_months it bounds risk_valid_until"
    ),
    "risk_valid_until": "date32, required with a risk_reassessment rule: null = no assessment",
    "products_held": (
        "list<struct<product_id: string, matures_on: date32>>, required with a "
        "product_maturity rule (other fields are ignored)"
    ),
    "needs": "list<string>, required when a campaign's segment names needs",
    "last_contacts": (
        "list<struct<rule_id: string, on: date32>>, optional: past contacts by rule id, "
        "which periodic contacts continue from"
    ),
}

#: Error codes of error rows: ``error_code`` → meaning. ``error_field`` names the column.
OCCASIONS_ERROR_CODES: dict[str, str] = {
    "missing_value": "a required value is null",
    "invalid_value": "a value has the wrong shape (key, identifier, vocabulary word), a "
    "date outside years 1-9999, or risk_valid_until before risk_assessed_on",
    "unknown_tier": "tier is not a tier of this playbook",
    "duplicate_key": "the key occurs on more than one valid row (every such row)",
}

_IDENTIFIER = r"^[A-Za-z][A-Za-z0-9_.\-]{0,63}$"
_MIN_DAY = epoch_days(dt.date(1, 1, 1))
_MAX_DAY = epoch_days(dt.date(9999, 12, 31))
_AML = (AmlRating.LOW, AmlRating.MEDIUM, AmlRating.HIGH)
_KINDS = tuple(DateKind)
_RELATIONS = tuple(Relation)
_CALENDARS = tuple(CalendarKind)
_NEEDS = tuple(Need)
_SEQ = 16  # greeting occurrences per date at most (years of a horizon, plus one)


def _date(days: int) -> dt.date:
    return EPOCH + dt.timedelta(days=days)


# --------------------------------------------------------------------------- schemas


def _important_date_type() -> Any:
    return pa.struct(
        [
            ("kind", pa.string()),
            ("relation", pa.string()),
            ("on", pa.date32()),
            ("calendar", pa.string()),
        ]
    )


def occasions_input_schema(playbook: Playbook) -> ArrowSchema:
    """The canonical input schema of :func:`occasions_table` (every optional column included).

    The same for every playbook today (no money is read); ``playbook`` is
    taken so the signature matches :func:`tier_input_schema`.

    >>> import custtier.frames as cf
    >>> from custtier import presets
    >>> cf.occasions_input_schema(presets.PRACTICE).names[:4]
    ['key', 'tier', 'manager_id', 'birth_date']
    """
    del playbook  # the schema does not vary with it (yet)
    return _INPUT_SCHEMA


_INPUT_SCHEMA = pa.schema(
    [
        ("key", pa.string()),
        ("tier", pa.string()),
        ("manager_id", pa.string()),
        ("birth_date", pa.date32()),
        ("important_dates", pa.list_(_important_date_type())),
        ("aml_rating", pa.string()),
        ("last_reviewed_on", pa.date32()),
        ("risk_assessed_on", pa.date32()),
        ("risk_valid_until", pa.date32()),
        (
            "products_held",
            pa.list_(pa.struct([("product_id", pa.string()), ("matures_on", pa.date32())])),
        ),
        ("needs", pa.list_(pa.string())),
        ("last_contacts", pa.list_(pa.struct([("rule_id", pa.string()), ("on", pa.date32())]))),
    ]
)


def occasions_output_schema(playbook: Playbook) -> ArrowSchema:
    """The fixed output schema of :func:`occasions_table` (the same for every playbook).

    >>> import custtier.frames as cf
    >>> from custtier import presets
    >>> cf.occasions_output_schema(presets.PRACTICE).names[:5]
    ['customer_key', 'input_row', 'error_code', 'error_field', 'tier']
    """
    del playbook  # the schema does not vary with it
    strings = pa.list_(pa.string())
    return pa.schema(
        [
            ("customer_key", pa.string()),
            ("input_row", pa.int64()),
            ("error_code", pa.string()),
            ("error_field", pa.string()),
            ("tier", pa.string()),
            ("rank", pa.int32()),
            ("manager_id", pa.string()),
            ("rule_id", pa.string()),
            ("occasion", pa.string()),
            ("channel", pa.string()),
            ("purpose", pa.string()),
            ("owner", pa.string()),
            ("priority", pa.int32()),
            ("duration_minutes", pa.int32()),
            ("label", pa.string()),
            ("offer", pa.string()),
            ("due_on", pa.date32()),
            ("first_on", pa.date32()),
            ("last_on", pa.date32()),
            ("fixed", pa.bool_()),
            ("provisional_days", pa.bool_()),
            ("blocked_code", pa.string()),
            ("note_codes", strings),
            ("note_rule_ids", strings),
            ("start", pa.date32()),
            ("end", pa.date32()),
            ("calendar", pa.string()),
            *playbook_fields(),
        ]
    )


def _needed_columns(playbook: Playbook) -> set[str]:
    """Input columns the playbook's cadence rules read (each must be present)."""
    cad = playbook.cadence
    needs = {"key", "tier"} | needed_columns(cad.contact_rules)
    for camp in cad.campaigns:
        if camp.segment.needs_any:
            needs.add("needs")
        if camp.segment.min_age is not None or camp.segment.max_age is not None:
            needs.add("birth_date")
    return needs


# --------------------------------------------------------------------------- reading columns


def _strings(arr: Any, name: str) -> Any:
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    if pa.types.is_large_string(arr.type) or pa.types.is_string_view(arr.type):
        arr = arr.cast(pa.string())
    if pa.types.is_null(arr.type):
        arr = arr.cast(pa.string())
    if not pa.types.is_string(arr.type):
        raise InputError(f"{name!r} has type {arr.type}; it must hold strings (utf8)", field=name)
    return arr


def _words(arr: Any, vocab: tuple[str, ...]) -> I64:
    """Index of each string in ``vocab``; -1 for null or an unknown word."""
    idx = pc.index_in(arr, value_set=pa.array(list(vocab), pa.string()))
    return np.asarray(pc.fill_null(idx, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _identifiers(arr: Any) -> BOOL:
    """Which strings match the models' ``Identifier`` pattern (null → False)."""
    coded = pc.dictionary_encode(arr)
    shaped = pc.match_substring_regex(coded.dictionary, _IDENTIFIER)
    return np_bool(shaped.take(coded.indices))


@dataclass(frozen=True, slots=True)
class _Elements:
    """A flattened list<struct> column: each element's owning row and its fields."""

    parents: I64
    fields: dict[str, Any]

    @property
    def size(self) -> int:
        return len(self.parents)

    def position(self) -> I64:
        """Each element's position within its row's list."""
        first = np.searchsorted(self.parents, self.parents, side="left")
        out: I64 = np.arange(self.size, dtype=np.int64) - first
        return out


def _struct_list(
    table: Any, name: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> _Elements:
    lists = as_array(table.column(name))
    t = lists.type
    if pa.types.is_null(t) or (
        (pa.types.is_list(t) or pa.types.is_large_list(t))
        and pa.types.is_null(t.value_type)
        and not len(pc.list_flatten(lists))
    ):  # all null, or only empty lists (a type inferred from empty lists)
        return _Elements(np.zeros(0, dtype=np.int64), {})
    if not (pa.types.is_list(t) or pa.types.is_large_list(t)) or not pa.types.is_struct(
        t.value_type
    ):
        raise InputError(
            f"column {name!r} has type {t}; it must be a list<struct<...>> "
            f"with fields {', '.join(required + optional)}",
            field=name,
        )
    struct = t.value_type
    names = [struct.field(i).name for i in range(struct.num_fields)]
    missing = [f for f in required if f not in names]
    if missing:
        raise InputError(
            f"{name} elements must have field(s) {missing}", field=f"{name}.{missing[0]}"
        )
    parents = np.asarray(pc.list_parent_indices(lists).to_numpy(), dtype=np.int64)
    flat = pc.list_flatten(lists).flatten()  # struct nulls carried into each field
    fields = {f: flat[names.index(f)] for f in (*required, *optional) if f in names}
    return _Elements(parents, fields)


def _string_list(table: Any, name: str) -> tuple[I64, Any]:
    lists = as_array(table.column(name))
    t = lists.type
    if pa.types.is_null(t):
        return np.zeros(0, dtype=np.int64), pa.array([], pa.string())
    if not (pa.types.is_list(t) or pa.types.is_large_list(t)):
        raise InputError(f"column {name!r} has type {t}; it must be list<string>", field=name)
    parents = np.asarray(pc.list_parent_indices(lists).to_numpy(), dtype=np.int64)
    return parents, _strings(pc.list_flatten(lists), name)


# --------------------------------------------------------------------------- validation


@dataclass
class _Chunk:
    """One chunk of input rows, read and checked: what the expansion needs, and the errors."""

    n: int
    offset: int
    errors: Errors
    keys: Any
    key_ok: BOOL
    rank: I64  # -1 where the tier is null or unknown
    manager: Any  # string array (all null without the column)
    birth: I64
    has_birth: BOOL
    dates: _Elements  # kind, relation, calendar (word indices), on (days)
    aml: I64  # index into _AML, -1 = unrated
    reviewed: I64
    has_reviewed: BOOL
    risk_on: I64  # risk_assessed_on
    risk_until: I64  # risk_valid_until
    has_risk: BOOL
    products: _Elements  # product_id (strings), matures_on (days), has (bool)
    needs: I64  # bit i set: the customer has _NEEDS[i]
    contacts: _Elements  # rule_id (strings), on (days)
    ok: BOOL = field(init=False)
    # Built on first use by the occasions that need them, then shared by every rule.
    own: I64 | None = field(default=None, init=False)  # each row's own birthday element
    key_list: list[str] | None = field(default=None, init=False)  # the keys as str

    def finish(self) -> None:
        self.ok = ~self.errors.bad


def _check_dates(
    errors: Errors, days: I64, nulls: BOOL, *, name: str, parents: I64 | None = None
) -> None:
    """Flag dates outside years 1-9999 (``datetime.date``'s range) as ``invalid_value``."""
    out = ~nulls & ((days < _MIN_DAY) | (days > _MAX_DAY))
    errors.flag(
        out if parents is None else any_per_row(errors.n, parents, out), "invalid_value", name
    )


def _validate(table: Any, t: Tables, offset: int) -> _Chunk:
    names = set(table.column_names)
    n = table.num_rows
    errors = Errors(n)
    keys = string_column(table, "key")
    key_ok = well_formed_keys(keys)
    errors.flag(np_bool(keys.is_null()), "missing_value", "key")
    errors.flag(~key_ok, "invalid_value", "key")
    tier = string_column(table, "tier")
    tier_null = np_bool(tier.is_null())
    rank = _words(tier, tuple(t.rank))
    errors.flag(tier_null, "missing_value", "tier")
    errors.flag(rank < 0, "unknown_tier", "tier")

    manager = pa.nulls(n, pa.string())
    if "manager_id" in names:
        manager = string_column(table, "manager_id")
        has = ~np_bool(manager.is_null())
        errors.flag(has & ~_identifiers(manager), "invalid_value", "manager_id")

    no_day = np.zeros(n, dtype=np.int64)
    none = np.ones(n, dtype=np.bool_)
    birth, birth_null = no_day, none
    if "birth_date" in names:
        birth, birth_null = date_days(as_array(table.column("birth_date")), "birth_date")
        _check_dates(errors, birth, birth_null, name="birth_date")

    dates = _Elements(np.zeros(0, dtype=np.int64), {})
    if "important_dates" in names:
        dates = _important_dates(table, errors, n)
    if "on" not in dates.fields:
        empty = np.zeros(0, dtype=np.int64)
        dates = _Elements(empty, {"kind": empty, "relation": empty, "calendar": empty, "on": empty})

    aml = np.full(n, -1, dtype=np.int64)
    if "aml_rating" in names:
        rating = string_column(table, "aml_rating")
        aml = _words(rating, tuple(a.value for a in _AML))
        errors.flag(~np_bool(rating.is_null()) & (aml < 0), "invalid_value", "aml_rating")

    reviewed, reviewed_null = no_day, none
    if "last_reviewed_on" in names:
        reviewed, reviewed_null = date_days(
            as_array(table.column("last_reviewed_on")), "last_reviewed_on"
        )
        _check_dates(errors, reviewed, reviewed_null, name="last_reviewed_on")

    risk_on, risk_until, risk_null = no_day, no_day, none
    if "risk_valid_until" in names and "risk_assessed_on" in names:
        risk_on, risk_until, risk_null = _risk_dates(table, errors)

    products = _products(table, errors, n) if "products_held" in names else _no_products()
    needs = _needs(table, errors, n) if "needs" in names else np.zeros(n, dtype=np.int64)
    contacts = _contacts(table, errors, n) if "last_contacts" in names else _no_contacts()

    chunk = _Chunk(
        n, offset, errors, keys, key_ok, np.where(rank < 0, -1, rank), manager,
        birth, ~birth_null, dates, aml, reviewed, ~reviewed_null, risk_on, risk_until, ~risk_null,
        products, needs, contacts,
    )  # fmt: skip
    chunk.finish()
    return chunk


def _risk_dates(table: Any, errors: Errors) -> tuple[I64, I64, BOOL]:
    """Each assessment's day and its record's last valid day, checked, and where either is null."""
    until, until_null = date_days(as_array(table.column("risk_valid_until")), "risk_valid_until")
    on, on_null = date_days(as_array(table.column("risk_assessed_on")), "risk_assessed_on")
    _check_dates(errors, until, until_null, name="risk_valid_until")
    _check_dates(errors, on, on_null, name="risk_assessed_on")
    errors.flag(on_null & ~until_null, "missing_value", "risk_assessed_on")
    errors.flag(until_null & ~on_null, "missing_value", "risk_valid_until")
    both = ~on_null & ~until_null
    errors.flag(both & (until < on), "invalid_value", "risk_valid_until")
    return on, until, until_null | on_null


def _important_dates(table: Any, errors: Errors, n: int) -> _Elements:
    e = _struct_list(table, "important_dates", ("kind", "on"), ("relation", "calendar"))
    if not e.fields:
        return e
    p = e.parents
    fields: dict[str, Any] = {}
    kind = _strings(e.fields["kind"], "important_dates.kind")
    k = _words(kind, tuple(x.value for x in _KINDS))
    kind_null = np_bool(kind.is_null())
    errors.flag(any_per_row(n, p, kind_null), "missing_value", "important_dates.kind")
    errors.flag(any_per_row(n, p, ~kind_null & (k < 0)), "invalid_value", "important_dates.kind")
    fields["kind"] = k
    for name, vocab, default in (
        ("relation", tuple(x.value for x in _RELATIONS), _RELATIONS.index(Relation.SELF)),
        ("calendar", tuple(x.value for x in _CALENDARS), _CALENDARS.index(CalendarKind.GREGORIAN)),
    ):
        if name not in e.fields:
            fields[name] = np.full(e.size, default, dtype=np.int64)
            continue
        words = _strings(e.fields[name], f"important_dates.{name}")
        idx = _words(words, vocab)
        null = np_bool(words.is_null())
        errors.flag(
            any_per_row(n, p, ~null & (idx < 0)), "invalid_value", f"important_dates.{name}"
        )
        fields[name] = np.where(null, default, idx)
    on, on_null = date_days(e.fields["on"], "important_dates.on")
    errors.flag(any_per_row(n, p, on_null), "missing_value", "important_dates.on")
    _check_dates(errors, on, on_null, name="important_dates.on", parents=p)
    fields["on"] = on
    return _Elements(p, fields)


def _no_products() -> _Elements:
    empty = np.zeros(0, dtype=np.int64)
    return _Elements(
        empty,
        {"product_id": pa.array([], pa.string()), "matures_on": empty,
         "has": np.zeros(0, dtype=np.bool_)},
    )  # fmt: skip


def _products(table: Any, errors: Errors, n: int) -> _Elements:
    e = _struct_list(table, "products_held", ("product_id", "matures_on"))
    if not e.fields:
        return _no_products()
    p = e.parents
    pid = _strings(e.fields["product_id"], "products_held.product_id")
    pid_null = np_bool(pid.is_null())
    errors.flag(any_per_row(n, p, pid_null), "missing_value", "products_held.product_id")
    errors.flag(any_per_row(n, p, ~pid_null & ~_identifiers(pid)), "invalid_value",
                "products_held.product_id")  # fmt: skip
    matures, null = date_days(e.fields["matures_on"], "products_held.matures_on")
    _check_dates(errors, matures, null, name="products_held.matures_on", parents=p)
    return _Elements(p, {"product_id": pid, "matures_on": matures, "has": ~null})


def _needs(table: Any, errors: Errors, n: int) -> I64:
    parents, words = _string_list(table, "needs")
    idx = _words(words, tuple(x.value for x in _NEEDS))
    null = np_bool(words.is_null())
    errors.flag(any_per_row(n, parents, null), "missing_value", "needs")
    errors.flag(any_per_row(n, parents, ~null & (idx < 0)), "invalid_value", "needs")
    bits = np.zeros(n, dtype=np.int64)
    known = idx >= 0
    np.bitwise_or.at(bits, parents[known], np.left_shift(1, idx[known]))
    return bits


def _no_contacts() -> _Elements:
    empty = np.zeros(0, dtype=np.int64)
    return _Elements(empty, {"rule_id": pa.array([], pa.string()), "on": empty})


def _contacts(table: Any, errors: Errors, n: int) -> _Elements:
    e = _struct_list(table, "last_contacts", ("rule_id", "on"))
    if not e.fields:
        return _no_contacts()
    p = e.parents
    rule_id = _strings(e.fields["rule_id"], "last_contacts.rule_id")
    errors.flag(
        any_per_row(n, p, np_bool(rule_id.is_null())), "missing_value", "last_contacts.rule_id"
    )
    on, null = date_days(e.fields["on"], "last_contacts.on")
    errors.flag(any_per_row(n, p, null), "missing_value", "last_contacts.on")
    _check_dates(errors, on, null, name="last_contacts.on", parents=p)
    return _Elements(p, {"rule_id": rule_id, "on": on})


def _duplicate_keys(table: Any, t: Tables, starts: Sequence[int], chunk_rows: int) -> list[BOOL]:
    """Per chunk: rows whose key occurs on another otherwise valid row of the whole table.

    A first, light pass: each chunk is validated and only its valid keys are
    kept, so the table's parsed columns never sit in memory all at once.
    """
    kept, oks = [pa.array([], pa.string())], []
    for at in starts:
        c = _validate(table.slice(at, chunk_rows), t, at)
        oks.append(c.ok)
        kept.append(c.keys.filter(pa.array(c.ok)))
    dup = duplicated(pa.concat_arrays(kept))
    masks, at = [], 0
    for ok in oks:
        count = int(ok.sum())
        mask = np.zeros(len(ok), dtype=np.bool_)
        mask[ok] = dup[at : at + count]
        at += count
        masks.append(mask)
    return masks


# --------------------------------------------------------------------------- per-call vocabularies


class _Vocab:
    """Values interned to small integers (labels, note lists); index 0 is the first added."""

    def __init__(self, *first: Any) -> None:
        self.items: list[Any] = []
        self._at: dict[Any, int] = {}
        for value in first:
            self(value)

    def __call__(self, value: Any) -> int:
        found = self._at.get(value)
        if found is None:
            found = self._at[value] = len(self.items)
            self.items.append(value)
        return found


@dataclass(frozen=True, slots=True)
class _Spec:
    """What every item of one rule (or campaign) shares."""

    rule_id: str
    occasion: str
    channel: str
    purpose: str
    owner: str
    priority: int
    duration: int
    fixed: bool
    offer: str | None


@dataclass
class _Context:
    """Per-call state: the tables, vocabularies and caches shared by every chunk."""

    t: Tables
    labels: _Vocab = field(default_factory=_Vocab)
    notes: _Vocab = field(default_factory=lambda: _Vocab(()))
    specs: list[_Spec] = field(default_factory=list)
    spec_at: dict[tuple[str, int], int] = field(default_factory=dict)
    year_labels: dict[tuple[int, int], int] = field(default_factory=dict)
    fixed_entries: dict[str, I64] = field(default_factory=dict)
    # The scalar rules' answers per distinct input, kept across chunks.
    greetings: dict[int, list[tuple[int, ...]]] = field(default_factory=dict)
    runs: dict[tuple[str, int], list[tuple[int, ...]]] = field(default_factory=dict)
    kyc: dict[tuple[str, int], tuple[int, ...]] = field(default_factory=dict)
    note_at: dict[tuple[tuple[ReasonCode, str], ...], int] = field(default_factory=dict)
    dues: dict[tuple[int, int | None, int], list[tuple[int, ...]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        t = self.t
        for tier, rules in t.rules.items():
            for pos, rule in enumerate(rules):
                self.spec_at[tier, pos] = len(self.specs)
                self.specs.append(
                    _Spec(rule.id, rule.occasion.value, rule.channel.value, rule.purpose.value,
                          rule.owner.value, rule.priority, rule.duration_minutes,
                          rule.occasion in GREETINGS, None)
                )  # fmt: skip
            for j, (camp, _, _) in enumerate(t.campaigns[tier]):
                self.spec_at[tier, len(rules) + j] = len(self.specs)
                self.specs.append(
                    _Spec(camp.id, Occasion.CAMPAIGN.value, camp.channel.value,
                          camp.purpose.value, camp.owner.value, camp.priority,
                          camp.duration_minutes, False, camp.offer.value)
                )  # fmt: skip

    def note(self, *pairs: tuple[ReasonCode, str]) -> int:
        found = self.note_at.get(pairs)
        if found is None:  # an enum's .value is a slow lookup: once per note
            found = self.note_at[pairs] = self.notes(
                tuple((code.value, rule_id) for code, rule_id in pairs)
            )
        return found

    def year_label(self, label: int, year: int) -> int:
        found = self.year_labels.get((label, year))
        if found is None:
            found = self.year_labels[label, year] = self.labels(
                f"{self.labels.items[label]} {year}"
            )
        return found

    def greeting_entries(self, code: int) -> list[tuple[int, ...]]:
        """``(day, blocked, note, year)`` of a date's greetings: the scalar ``greeting_dates``.

        ``code`` is the date's day number times two, plus one for a lunar date.
        """
        found = self.greetings.get(code)
        if found is None:
            kind = CalendarKind.LUNAR if code & 1 else CalendarKind.GREGORIAN
            found = self.greetings[code] = [
                (0, 1, 0, year)
                if day is None
                else (epoch_days(day), 0, 0 if note is None else self._note(note), year)
                for day, note, year in greeting_dates(_date(code >> 1), kind, self.t)
            ]
        return found

    def due_entries(self, due: int, every: int | None, lead: int) -> list[tuple[int, ...]]:
        """``(due, first, last, lapsed)`` of a due date's series: the scalar ``due_dates``."""
        key = (due, every, lead)
        found = self.dues.get(key)
        if found is None:
            found = self.dues[key] = [
                (epoch_days(d), epoch_days(first), epoch_days(last), int(lapsed))
                for d, first, last, lapsed in due_dates(_date(due), every, lead, self.t)
            ]
        return found

    def _note(self, reason: Reason) -> int:
        return self.note((reason.code, reason.rule_id))


# --------------------------------------------------------------------------- items, as columns


class _At(NamedTuple):
    """Where a block of items goes: the rule's position in the tier's order, and its spec."""

    pos: int
    spec: int
    tier: str


@dataclass
class _Items:
    """Items as parallel arrays, appended in blocks; sorted once at the end of a chunk."""

    row: list[I64] = field(default_factory=list)
    pos: list[I64] = field(default_factory=list)
    seq: list[I64] = field(default_factory=list)
    spec: list[I64] = field(default_factory=list)
    due: list[I64] = field(default_factory=list)
    first: list[I64] = field(default_factory=list)
    last: list[I64] = field(default_factory=list)
    blocked: list[BOOL] = field(default_factory=list)
    label: list[I64] = field(default_factory=list)
    notes: list[I64] = field(default_factory=list)

    def add(
        self,
        row: I64,
        *,
        at: _At,
        seq: I64 | int,
        due: I64 | int,
        first: I64 | int,
        last: I64 | int,
        label: I64 | int,
        notes: I64 | int = 0,
        blocked: BOOL | bool = False,
    ) -> None:
        k = len(row)
        if not k:
            return

        def full(value: Any, dtype: Any = np.int64) -> Any:
            return np.broadcast_to(np.asarray(value, dtype=dtype), (k,))

        self.row.append(np.asarray(row, dtype=np.int64))
        self.pos.append(full(at.pos))
        self.seq.append(full(seq))
        self.spec.append(full(at.spec))
        self.due.append(full(due))
        self.first.append(full(first))
        self.last.append(full(last))
        self.blocked.append(full(blocked, np.bool_))
        self.label.append(full(label))
        self.notes.append(full(notes))


def _expand(c: _Chunk, ctx: _Context) -> _Items:
    t = ctx.t
    items = _Items()
    for tier, r in t.rank.items():
        rows = np.flatnonzero(c.ok & (c.rank == r))
        if not len(rows):
            continue
        rules = t.rules[tier]
        for pos, rule in enumerate(rules):
            at = _At(pos, ctx.spec_at[tier, pos], tier)
            OCCASIONS[rule.occasion].columnar()(c, rows, rule=rule, ctx=ctx, items=items, at=at)
        for j, (camp, first_on, last_on) in enumerate(t.campaigns[tier]):
            pos = len(rules) + j
            eligible = _in_segment(c, rows, camp.segment, first_on)
            first_day = epoch_days(first_on)
            items.add(rows[eligible], at=_At(pos, ctx.spec_at[tier, pos], tier), seq=0, due=first_day,
                      first=first_day, last=epoch_days(last_on), label=ctx.labels(camp.label))  # fmt: skip
    return items


def _expand_birthdays(
    c: _Chunk, rows: I64, *, rule: ContactRule, ctx: _Context, items: _Items, at: _At
) -> None:
    if c.own is None:
        c.own = _own_birthdays(c)
    _birthdays(c, rows, own=c.own, ctx=ctx, items=items, at=at)


def _expand_important_dates(
    c: _Chunk, rows: I64, *, rule: ContactRule, ctx: _Context, items: _Items, at: _At
) -> None:
    _important(c, rows, ctx=ctx, items=items, at=at)


def _expand_fixed(
    c: _Chunk, rows: I64, *, rule: ContactRule, ctx: _Context, items: _Items, at: _At
) -> None:
    """Dates every customer shares (a holiday, an RRULE): the same entries for every row."""
    due, blocked, first, last, label = _fixed_entries(rule, at.tier, ctx)
    group, within = repeat(np.full(len(rows), len(due), dtype=np.int64))
    items.add(rows[group], at=at, seq=within, due=due[within], first=first[within],
              last=last[within], label=label[within], blocked=blocked[within] != 0)  # fmt: skip


def _expand_recurring(
    c: _Chunk, rows: I64, *, rule: ContactRule, ctx: _Context, items: _Items, at: _At
) -> None:
    """A periodic or event rule: its RRULE's anchored dates, or every ``interval_days``."""
    if rule.rrule is not None:
        _expand_fixed(c, rows, rule=rule, ctx=ctx, items=items, at=at)
        return
    _interval(c, rows, rule=rule, ctx=ctx, items=items, at=at)


def _own_birthdays(c: _Chunk) -> I64:
    """Per row: the element index of its first (birthday, self) important date, or -1."""
    own = np.full(c.n, -1, dtype=np.int64)
    d = c.dates
    if not d.size:
        return own
    is_own = (d.fields["kind"] == _KINDS.index(DateKind.BIRTHDAY)) & (
        d.fields["relation"] == _RELATIONS.index(Relation.SELF)
    )
    where = np.flatnonzero(is_own)
    parents = d.parents[where]
    # Elements come in row order: the first of each parent is where the parent changes.
    first = np.ones(len(where), dtype=np.bool_)
    first[1:] = parents[1:] != parents[:-1]
    own[parents[first]] = where[first]
    return own


def _birthdays(c: _Chunk, rows: I64, *, own: I64, ctx: _Context, items: _Items, at: _At) -> None:
    d = c.dates
    src = own[rows]
    kyc = src >= 0
    plain = ~kyc & c.has_birth[rows]
    lunar_kind = _CALENDARS.index(CalendarKind.LUNAR)
    label = ctx.labels("birthday")
    e = src[kyc]
    on = np.concatenate([d.fields["on"][e], c.birth[rows[plain]]])
    lunar = np.concatenate(
        [d.fields["calendar"][e] == lunar_kind, np.zeros(int(plain.sum()), dtype=np.bool_)]
    )
    who = np.concatenate([rows[kyc], rows[plain]])
    _greetings(who, on, lunar=lunar, label=np.full(len(who), label),
               position=np.zeros(len(who), np.int64), ctx=ctx, items=items, at=at)  # fmt: skip


def _important(c: _Chunk, rows: I64, *, ctx: _Context, items: _Items, at: _At) -> None:
    d = c.dates
    if not d.size:
        return
    mine = np.zeros(c.n, dtype=np.bool_)
    mine[rows] = True
    kind, relation = d.fields["kind"], d.fields["relation"]
    own = (kind == _KINDS.index(DateKind.BIRTHDAY)) & (relation == _RELATIONS.index(Relation.SELF))
    e = np.flatnonzero(mine[d.parents] & ~own & (kind >= 0) & (relation >= 0))
    labels = np.array(
        [[ctx.labels(important_label(k, rel)) for rel in _RELATIONS] for k in _KINDS],
        dtype=np.int64,
    )
    _greetings(
        d.parents[e], d.fields["on"][e],
        lunar=d.fields["calendar"][e] == _CALENDARS.index(CalendarKind.LUNAR),
        label=labels[kind[e], relation[e]], position=d.position()[e],
        ctx=ctx, items=items, at=at,
    )  # fmt: skip


def _greetings(
    rows: I64,
    on: I64,
    *,
    lunar: BOOL,
    label: I64,
    position: I64,
    ctx: _Context,
    items: _Items,
    at: _At,
) -> None:
    """Each date's greetings in the horizon: ``greeting_dates`` per distinct date and calendar."""
    who, within, e = lay_out(_greeting_codes(on, lunar, ctx.t), ctx.greeting_entries, 4)
    day, blocked, notes, year = e[:, 0], e[:, 1] != 0, e[:, 2], e[:, 3]
    labels = label[who].copy()
    hit = np.flatnonzero(blocked)  # no calendar data: the label names the year
    if len(hit):
        pairs = np.stack([labels[hit], year[hit]], axis=1)
        uniq, where = np.unique(pairs, axis=0, return_inverse=True)
        named = np.array([ctx.year_label(int(b), int(y)) for b, y in uniq.tolist()], np.int64)
        labels[hit] = named[where.reshape(-1)]
    items.add(rows[who], at=at, seq=position[who] * _SEQ + within, due=day, first=day, last=day,
              label=labels, notes=notes, blocked=blocked)  # fmt: skip


def _greeting_codes(on: I64, lunar: BOOL, t: Tables) -> I64:
    """Each date's key for ``greeting_dates``: its day number times two, plus one if lunar.

    A Gregorian date's greetings depend on its year only through "is the
    horizon's year after it": every date before the horizon's years answers
    as its day and month in a leap year before them (one that has 29
    February), so a book's birth dates share a few hundred keys instead of
    tens of thousands. Only the key is computed here; the dates are the
    scalar rule's.
    """
    canon = t.years.start - 1
    while not _stdcal.isleap(canon):
        canon -= 1
    day = np.asarray(on, dtype=np.int64).astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    year = month.astype("datetime64[Y]").astype(np.int64) + 1970
    early = ~lunar & (year <= canon)
    moved = (month + ((canon - year) * 12).astype("timedelta64[M]")).astype("datetime64[D]") + (
        day - month.astype("datetime64[D]")
    )
    days = np.where(early, moved.astype(np.int64), on)
    out: I64 = days * 2 + lunar
    return out


def _fixed_entries(rule: ContactRule, tier: str, ctx: _Context) -> I64:
    """``(due, blocked, first, last, label)`` rows of the tier's shared ``fixed_occurrences``."""
    found = ctx.fixed_entries.get(rule.id)
    if found is None:
        found = ctx.fixed_entries[rule.id] = np.array(
            [
                (_days(o.due), o.blocked is not None, _days(o.first), _days(o.last),
                 ctx.labels(o.label))
                for o in fixed_occurrences(tier, rule, ctx.t)
            ],
            dtype=np.int64,
        ).reshape(-1, 5).T  # fmt: skip
    return found


def _days(day: dt.date | None) -> int:
    return 0 if day is None else epoch_days(day)


def _interval(
    c: _Chunk, rows: I64, *, rule: ContactRule, ctx: _Context, items: _Items, at: _At
) -> None:
    """Every ``interval_days``: ``first_due`` per distinct last contact (or stagger), its series.

    The stagger is the scalar ``stagger`` per row: every key is distinct, and
    ``zlib.crc32`` in a Python loop costs about 0.2 s a million rows (a numpy
    CRC-32 over the key bytes saved about half of that, as a second copy of the rule).
    """
    t = ctx.t
    interval = rule.interval_days or 1
    previous, has_previous = _last_contact(c, rule.id)
    prev, has_prev = previous[rows], has_previous[rows]
    if c.key_list is None:
        c.key_list = c.keys.to_pylist()
    keys, rid = c.key_list, rule.id
    fresh = rows[~has_prev].tolist()
    spread = np.zeros(len(rows), dtype=np.int64)
    spread[~has_prev] = np.fromiter(
        (stagger(keys[r], rid, interval) for r in fresh), np.int64, len(fresh)
    )
    # A code per row: the stagger (below interval) or the last contact's day after it.
    code = np.where(has_prev, prev - _MIN_DAY + interval, spread)

    def series(k: int) -> list[tuple[int, ...]]:
        found = ctx.runs.get((rid, k))
        if found is None:
            last = None if k < interval else _date(k - interval + _MIN_DAY)
            due, lapsed = first_due(last, k if last is None else 0, interval, t)
            found = ctx.runs[rid, k] = [
                (epoch_days(day), epoch_days(end), int(lapsed is not None and i == 0))
                for i, (day, end) in enumerate(interval_dates(rule, t, due))
            ]
        return found

    who, within, e = lay_out(code, series, 3)
    note = ctx.note((ReasonCode.CADENCE_OVERDUE, rid))
    items.add(rows[who], at=at, seq=within, due=e[:, 0], first=e[:, 0], last=e[:, 1],
              label=ctx.labels(rule_label(rule)),
              notes=np.where(e[:, 2] != 0, note, 0))  # fmt: skip


def _last_contact(c: _Chunk, rule_id: str) -> tuple[I64, BOOL]:
    """Per row: the latest ``last_contacts.on`` with this rule id, and whether there is one."""
    e = c.contacts
    latest = np.full(c.n, np.iinfo(np.int64).min, dtype=np.int64)
    if e.size:
        same = np_bool(pc.equal(e.fields["rule_id"], pa.scalar(rule_id, pa.string())))
        np.maximum.at(latest, e.parents[same], e.fields["on"][same])
    has: BOOL = latest != np.iinfo(np.int64).min
    return np.where(has, latest, 0), has


def _kyc(c: _Chunk, rows: I64, *, rule: ContactRule, ctx: _Context, items: _Items, at: _At) -> None:
    """KYC reviews: ``kyc_due`` per distinct (AML rating, last review), then its due series."""
    t = ctx.t
    reviewed = np.where(c.has_reviewed[rows], c.reviewed[rows] - _MIN_DAY + 1, 0)
    code = reviewed * 4 + c.aml[rows] + 1  # aml: -1 (unrated) to 2

    def due(k: int) -> tuple[int, ...]:
        found = ctx.kyc.get((rule.id, k))
        if found is None:
            day, rating = divmod(k, 4)
            on, review = kyc_due(
                _AML[rating - 1] if rating else None, _date(day - 1 + _MIN_DAY) if day else None, t
            )
            occasion = (ReasonCode.CADENCE_OCCASION, review.rule_id)
            found = ctx.kyc[rule.id, k] = (
                int(PAST_CALENDAR) if on is None else epoch_days(on), review.interval_months,
                ctx.note((ReasonCode.CADENCE_OVERDUE, rule.id), occasion), ctx.note(occasion),
            )  # fmt: skip
        return found

    e = per_code(code, due, 4)
    _due_series(
        rows, e[:, 0], every=e[:, 1], rule=rule, label=np.full(len(rows), ctx.labels("KYC review")),
        over_notes=e[:, 2], notes=e[:, 3], ctx=ctx, items=items, at=at,
    )  # fmt: skip


_DAYS = _MAX_DAY - _MIN_DAY + 1  # datetime.date's days: the radix of a pair of dates


def _risk(
    c: _Chunk, rows: I64, *, rule: ContactRule, ctx: _Context, items: _Items, at: _At
) -> None:
    """Risk re-assessment by ``relied_until`` per distinct assessment, then every period."""
    sel = rows[c.has_risk[rows]]
    k = len(sel)
    months = ctx.t.playbook.risk.validity_months

    def until(code: int) -> tuple[int, ...]:
        on, valid = divmod(code, _DAYS)
        day, _ = relied_until(_date(on + _MIN_DAY), _date(valid + _MIN_DAY), months)
        return (epoch_days(day),)

    code = (c.risk_on[sel] - _MIN_DAY) * _DAYS + (c.risk_until[sel] - _MIN_DAY)
    _due_series(
        sel, per_code(code, until, 1)[:, 0], every=np.full(k, months, dtype=np.int64),
        rule=rule, label=np.full(k, ctx.labels("risk re-assessment")),
        over_notes=np.full(k, ctx.note((ReasonCode.CADENCE_OVERDUE, rule.id)), dtype=np.int64),
        notes=np.zeros(k, dtype=np.int64), ctx=ctx, items=items, at=at,
    )  # fmt: skip


def _due_series(
    rows: I64,
    due0: I64,
    *,
    every: I64 | None,
    rule: ContactRule,
    label: I64,
    over_notes: I64,
    notes: I64,
    ctx: _Context,
    items: _Items,
    at: _At,
    seq: I64 | None = None,
) -> None:
    """Each row's due date and its repeats: ``due_dates`` per distinct (due date, months).

    ``every`` is None for a one-off; a due date of :data:`PAST_CALENDAR` has none.
    """
    months = np.full(len(rows), -1, dtype=np.int64) if every is None else every
    live = due0 != PAST_CALENDAR  # the scalar planner's None: after 9999
    lead = rule.lead_days
    for m in np.unique(months[live]).tolist():  # a playbook has a few periods
        sel = np.flatnonzero(live & (months == m))
        period = None if m < 0 else m
        who, within, e = lay_out(
            due0[sel], functools.partial(ctx.due_entries, every=period, lead=lead), 4
        )
        mine = sel[who]
        items.add(rows[mine], at=at, seq=within if seq is None else seq[mine] + within,
                  due=e[:, 0], first=e[:, 1], last=e[:, 2], label=label[mine],
                  notes=np.where(e[:, 3] != 0, over_notes[mine], notes[mine]))  # fmt: skip


def _maturities(
    c: _Chunk, rows: I64, *, rule: ContactRule, ctx: _Context, items: _Items, at: _At
) -> None:
    e = c.products
    if not e.size:
        return
    start = epoch_days(ctx.t.start)
    mine = np.zeros(c.n, dtype=np.bool_)
    mine[rows] = True
    matures = e.fields["matures_on"]
    sel = np.flatnonzero(mine[e.parents] & e.fields["has"] & (matures >= start))
    if not len(sel):
        return
    pid = e.fields["product_id"].take(pa.array(sel, pa.int64()))
    coded = pc.dictionary_encode(pid)
    words = coded.dictionary.to_pylist()
    # Order within a customer as the scalar path: by product id, then maturity.
    order_of_word = np.argsort(np.array(words, dtype=object), kind="stable")
    word_rank = np.empty(len(words), dtype=np.int64)
    word_rank[order_of_word] = np.arange(len(words))
    codes = np.asarray(coded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    parents, due = e.parents[sel], matures[sel]
    order = np.lexsort((due, word_rank[codes], parents))
    parents, due, codes = parents[order], due[order], codes[order]
    first_of_parent = np.searchsorted(parents, parents, side="left")
    labels = np.array([ctx.labels(maturity_label(w)) for w in words], dtype=np.int64)[codes]
    k = len(parents)
    _due_series(
        parents, due, every=None, rule=rule, label=labels, over_notes=np.zeros(k, np.int64),
        notes=np.zeros(k, np.int64), ctx=ctx, items=items, at=at,
        seq=np.arange(k, dtype=np.int64) - first_of_parent,
    )  # fmt: skip


_AGES, _AGE0 = 2**15, 10_000  # an age's code: age + _AGE0 (1 to 19,999), 0 = unknown


def _in_segment(c: _Chunk, rows: I64, seg: Segment, on: dt.date) -> BOOL:
    """``in_segment`` per distinct (needs, age); ages by ``age_on`` per distinct birth date."""
    age = np.zeros(len(rows), dtype=np.int64)
    if seg.min_age is not None or seg.max_age is not None:
        known = c.has_birth[rows]
        age[known] = per_distinct(c.birth[rows[known]], lambda born: age_on(born, on)) + _AGE0

    def holds(code: int) -> tuple[int, ...]:
        bits, a = divmod(code, _AGES)
        needs = [need for i, need in enumerate(_NEEDS) if bits >> i & 1]
        return (int(in_segment(seg, needs, a - _AGE0 if a else None)),)

    eligible: BOOL = per_code(c.needs[rows] * _AGES + age, holds, 1)[:, 0] != 0
    return eligible


# --------------------------------------------------------------------------- assembling


def _item_order(row: I64, pos: I64, seq: I64) -> I64:
    """The permutation that sorts items by input row, then rule position, then occurrence."""
    if not len(row):
        return np.zeros(0, dtype=np.int64)
    p, q = int(pos.max()) + 2, int(seq.max()) + 1  # pos is -1 on error rows
    if (int(row.max()) + 1) * p * q < 2**62:  # one int64 key: a third of lexsort's time
        key = (row * p + pos + 1) * q + seq
        order: I64 = np.argsort(key, kind="stable")
        return order
    lex: I64 = np.lexsort((seq, pos, row))
    return lex


def _assemble(c: _Chunk, items: _Items, ctx: _Context) -> Any:
    t = ctx.t
    pb = t.playbook
    bad = np.flatnonzero(~c.ok)
    items.add(bad, at=_At(-1, 0, ""), seq=0, due=0, first=0, last=0, label=0)

    def cat(parts: list[Any], dtype: Any = np.int64) -> Any:
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

    row, pos, seq = cat(items.row), cat(items.pos), cat(items.seq)
    order = _item_order(row, pos, seq)
    row, pos = row[order], pos[order]
    spec = cat(items.spec)[order]
    due, first, last = cat(items.due)[order], cat(items.first)[order], cat(items.last)[order]
    blocked = cat(items.blocked, np.bool_)[order]
    label, notes = cat(items.label)[order], cat(items.notes)[order]
    err = pos < 0
    m = len(row)
    take = pa.array(row, pa.int64())
    error_code, error_field = c.errors.columns()
    # A placeholder spec for a playbook without contact rules: only error rows index it.
    specs = ctx.specs or [_Spec("", "", "", "", "", 0, 0, False, None)]

    def spec_strings(values: list[str | None], mask: BOOL) -> Any:
        return pa.array(values, pa.string()).take(pa.array(spec, mask=mask))

    def spec_ints(values: list[int]) -> Any:
        return pa.array(np.array(values, dtype=np.int32)[spec], pa.int32(), mask=err)

    def days(values: I64) -> Any:
        mask = err | blocked
        return pa.array(np.where(mask, 0, values).astype(np.int32), pa.int32(), mask=mask).cast(
            pa.date32()
        )

    fixed = np.array([s.fixed for s in specs], dtype=np.bool_)[spec]
    rank = np.where(err, 0, c.rank[row])
    tier_ids = pa.array(list(t.rank), pa.string())
    note_lists = ctx.notes.items
    columns: dict[str, Any] = {
        "customer_key": pc.if_else(
            pa.array(c.key_ok[row]), c.keys.take(take), pa.scalar(None, pa.string())
        ),
        "input_row": pa.array(c.offset + row, pa.int64()),
        "error_code": error_code.take(take),
        "error_field": error_field.take(take),
        "tier": tier_ids.take(pa.array(rank, mask=err)),
        "rank": pa.array(rank.astype(np.int32), pa.int32(), mask=err),
        "manager_id": pc.if_else(pa.array(err), pa.scalar(None, pa.string()), c.manager.take(take)),
        "rule_id": spec_strings([s.rule_id for s in specs], err),
        "occasion": spec_strings([s.occasion for s in specs], err),
        "channel": spec_strings([s.channel for s in specs], err),
        "purpose": spec_strings([s.purpose for s in specs], err),
        "owner": spec_strings([s.owner for s in specs], err),
        "priority": spec_ints([s.priority for s in specs]),
        "duration_minutes": spec_ints([s.duration for s in specs]),
        "label": pa.array(ctx.labels.items or [""], pa.string()).take(pa.array(label, mask=err)),
        "offer": spec_strings([s.offer for s in specs], err),
        "due_on": days(due),
        "first_on": days(first),
        "last_on": days(last),
        "fixed": pa.array(fixed, pa.bool_(), mask=err),
        "provisional_days": pa.array(
            _provisional_days(t, first, last, err | blocked | fixed), pa.bool_(), mask=err
        ),
        "blocked_code": pa.array([ReasonCode.CADENCE_NO_CALENDAR_DATA.value], pa.string()).take(
            pa.array(np.zeros(m, dtype=np.int64), mask=err | ~blocked)
        ),
        "note_codes": list_column(notes, [[code for code, _ in n] for n in note_lists], err),
        "note_rule_ids": list_column(notes, [[rid for _, rid in n] for n in note_lists], err),
        "start": pa.repeat(pa.scalar(t.start, pa.date32()), m),
        "end": pa.repeat(pa.scalar(t.end, pa.date32()), m),
        "calendar": pa.repeat(pa.scalar(t.calendar.name, pa.string()), m),
        **playbook_columns(pb, m),
    }
    return pa.Table.from_pydict(columns, schema=occasions_output_schema(pb))


def _provisional_days(t: Tables, first: I64, last: I64, skip: BOOL) -> BOOL:
    """Per item: does its window hold a provisional day (``Tables.any_provisional``)?

    What the scalar planner marks ``CADENCE_PROVISIONAL`` when it places the
    item on or after such a day; greetings (``skip``) never are.
    """
    upto = np.asarray(t.provisional_upto, dtype=np.int64)
    if not len(first) or not upto[-1]:
        return np.zeros(len(first), dtype=np.bool_)
    at = epoch_days(t.start)
    i = np.clip(first - at, 0, len(upto) - 1)
    j = np.clip(last - at, 0, len(upto) - 1)
    before = np.where(i > 0, upto[np.maximum(i - 1, 0)], 0)
    found: BOOL = ~skip & (upto[j] - before > 0)
    return found


# --------------------------------------------------------------------------- public entry points


def occasions_table(
    customers: FrameLike,
    playbook: Playbook,
    *,
    start: dt.date,
    end: dt.date,
    calendar: Calendar | None = None,
    progress: ProgressCallback | None = None,
    chunk_rows: int = DEFAULT_OCCASION_CHUNK_ROWS,
) -> Frame:
    """Every contact the playbook asks for over ``[start, end]``, one row each, for a whole table.

    ``customers`` is an Arrow table or record batch (or a pandas or polars
    frame) in :func:`occasions_input_schema`: ``key``, ``tier`` and the
    fields the cadence rules read. The output, in
    :func:`occasions_output_schema`, is what the scalar planner's date
    expansion gives each customer — rule, occasion, channel, purpose, owner,
    priority, due date and window, notes — in **input row order**, then the
    scalar order of items; a customer may have no row at all. A bad input
    row becomes exactly one error row (``error_code``, ``error_field``, the
    key only if well-formed, everything else but the audit columns null).
    ``input_row`` (0-based) is on every row, so the number of input rows is
    the distinct ``input_row`` values of occasion rows, plus error rows,
    plus customers without occasions.

    Levelling — consent, caps, capacity, time of day — is not done here; it
    is :func:`custtier.plan_contacts`'s. ``calendar`` defaults to weekends
    only, as there. The table is worked through ``chunk_rows`` rows at a
    time (answers never depend on it); ``progress(done, total)`` is called
    with input rows after each chunk, and last with ``done == total``.

    >>> import datetime as dt
    >>> import pyarrow as pa
    >>> from custtier import presets
    >>> import custtier.frames as cf
    >>> book = pa.table({
    ...     "key": ["C1", "C2", "C3"],
    ...     "tier": ["high_end", "mass", "platinum"],
    ...     "birth_date": pa.array([dt.date(1984, 2, 29), None, None], pa.date32()),
    ...     "important_dates": pa.nulls(3, cf.occasions_input_schema(presets.PRACTICE)[4].type),
    ...     "aml_rating": ["high", None, None],
    ...     "last_reviewed_on": pa.array([dt.date(2026, 1, 15), None, None], pa.date32()),
    ...     "risk_assessed_on": pa.array([None, None, None], pa.date32()),
    ...     "risk_valid_until": pa.array([None, None, None], pa.date32()),
    ...     "products_held": [[], [], []],
    ...     "needs": [[], [], []],
    ... })
    >>> out = cf.occasions_table(book, presets.PRACTICE, start=dt.date(2027, 2, 1),
    ...                          end=dt.date(2027, 2, 28))
    >>> birthday = out.filter(pa.compute.equal(out["rule_id"], "high_end.birthday")).to_pylist()[0]
    >>> birthday["due_on"], birthday["note_codes"]
    (datetime.date(2027, 2, 28), ['CADENCE_LEAP_DAY'])
    >>> out.filter(pa.compute.is_valid(out["error_code"])).select(
    ...     ["customer_key", "input_row", "error_code", "error_field"]).to_pylist()
    [{'customer_key': 'C3', 'input_row': 2, 'error_code': 'unknown_tier', 'error_field': 'tier'}]
    """
    playbook = as_playbook(playbook)
    start, end = as_date(start, "start"), as_date(end, "end")
    chunk_rows = check_chunk_rows(chunk_rows)
    check_horizon(start, end)
    table = as_table(customers, "customers")
    missing = sorted(c for c in _needed_columns(playbook) if c not in table.column_names)
    if missing:
        raise InputError(
            f"the table lacks column(s) {missing} that the playbook's cadence rules read",
            field=missing[0],
        )
    t = tables(playbook, start, end, calendar if calendar is not None else DEFAULT_CALENDAR)
    ctx = _Context(t)
    n = table.num_rows
    starts = range(0, n, chunk_rows) or range(1)
    duplicates = _duplicate_keys(table, t, starts, chunk_rows)
    ticker = Ticker(progress, n, every=chunk_rows)
    out = []
    for at, duplicate in zip(starts, duplicates, strict=True):
        c = _validate(table.slice(at, chunk_rows), t, at)  # again: cheaper than keeping it
        c.errors.flag(duplicate, "duplicate_key", "key")
        c.finish()
        out.append(_assemble(c, _expand(c, ctx), ctx))
        ticker.add(c.n)
    ticker.finish()
    return like_input(customers, pa.concat_tables(out) if len(out) > 1 else out[0])


def occasions_input_table(
    customers: Iterable[Customer],
    tiers: Mapping[str, TierLike],
    *,
    history: Iterable[ContactRecord] = (),
) -> ArrowTable:
    """Customer models and their tiers as a table in :func:`occasions_input_schema`.

    ``tiers`` is ``plan_contacts``'s mapping (key → tier id or decision); a
    customer without one gets a null tier (an error row). ``history``
    becomes ``last_contacts``: per customer, the latest contact of each rule
    id (``ContactRecord.occasion``). Labels of important dates are left out:
    they may name a person.
    """
    customers = as_customers(customers)
    latest: dict[str, dict[str, dt.date]] = {}
    for record in history:
        if record.occasion is not None:
            mine = latest.setdefault(record.customer_key, {})
            if record.occasion not in mine or record.on > mine[record.occasion]:
                mine[record.occasion] = record.on
    rows = []
    for c in customers:
        given = tiers.get(c.key)
        kyc = c.kyc
        rows.append(
            {
                "key": c.key,
                "tier": None
                if given is None
                else tier_id(given, customer_key=c.key, field="tiers"),
                "manager_id": c.manager_id,
                "birth_date": c.birth_date,
                "important_dates": [
                    {
                        "kind": d.kind.value,
                        "relation": d.relation.value,
                        "on": d.on,
                        "calendar": d.calendar.value,
                    }
                    for d in (kyc.important_dates if kyc is not None else ())
                ],
                "aml_rating": kyc.aml_rating.value if kyc and kyc.aml_rating else None,
                "last_reviewed_on": kyc.last_reviewed_on if kyc is not None else None,
                "risk_assessed_on": (
                    c.risk_assessment.assessed_on if c.risk_assessment is not None else None
                ),
                "risk_valid_until": (
                    c.risk_assessment.valid_until if c.risk_assessment is not None else None
                ),
                "products_held": [
                    {"product_id": h.product_id, "matures_on": h.matures_on}
                    for h in c.products_held
                ],
                "needs": [need.value for need in c.needs],
                "last_contacts": [
                    {"rule_id": rule_id, "on": on}
                    for rule_id, on in sorted(latest.get(c.key, {}).items())
                ],
            }
        )
    return pa.Table.from_pylist(rows, schema=_INPUT_SCHEMA)
