"""Whole-book passes with a bounded driver: the exact Pareto cut and book-wide key checks.

The Pareto cut is one customer: the ``k``-th in the order *profit
descending, key ascending* at which the running profit first reaches the
playbook's share of the total (:func:`~custtier.frames.pareto_cut`). Here
it is found without bringing the book to the driver, by **bracketing**.
Each round, every partition sorts its candidates into at most ``buckets``
buckets of one *word* of that order, the engine adds the buckets up (rows,
exact profit sum, smallest and largest word) and the driver keeps the one
bucket where the running sum crosses the target: rows before it are
counted, rows after it dropped. When that bucket holds at most
``max_rows`` rows, only those rows come to the driver and the cut is read
off them, with the tie-break of :func:`~custtier.frames.pareto_cut`.

Words: word 0 is ``2**62 - profit`` (ascending means profit descending);
words 1 to 8 are the key's bytes, 8 at a time, big-endian, padded with
zero bytes (keys are ASCII and never hold a zero byte, so word order is
key order). A bucket whose smallest and largest words are equal fixes that
word, and the next round brackets the next one: many customers on the
threshold profit cost more rounds (at most one per key word and width
step), never a bigger fetch.

Book-wide key checks: every partition reports the keys of its otherwise
valid rows (a *screen*), the engine groups them by key, and keys on more
than one row are duplicates; their rows become ``duplicate_key`` error
rows, every copy, as :func:`~custtier.frames.tier_table` and
:func:`~custtier.frames.occasions_table` do in one process.

Everything here is engine-neutral Arrow and numpy; ``_engines.py`` runs the
per-partition jobs on Spark (``mapInArrow``) and Dask (``map_partitions``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from custtier.cadence._calendar import Calendar
from custtier.cadence._plan import DEFAULT_CALENDAR
from custtier.cadence._tables import tables
from custtier.errors import InputError
from custtier.frames._arrow import I64, MAX_MINOR_UNITS, as_table, string_column
from custtier.frames._cadence import _assemble as _occasions_assemble
from custtier.frames._cadence import _Context, _expand
from custtier.frames._cadence import _validate as _occasions_validate
from custtier.frames._tier import (
    DEFAULT_CHUNK_ROWS,
    TierMapper,
    _assemble,
    _check_cut,
    _join_overrides,
    _plan,
    _validate,
    pareto_candidates_schema,
    spark_table,
)
from custtier.rules import Playbook
from custtier.tiering._pareto import ParetoCut

__all__ = [
    "DEFAULT_BUCKETS",
    "DEFAULT_DRIVER_ROWS",
    "DUPLICATE_COLUMN",
    "ROW_COLUMN",
    "BookOccasionMapper",
    "BookTierMapper",
    "Histogram",
    "KeyScreen",
    "Slice",
    "ToDriver",
    "bracket_cut",
    "histogram_schema",
    "screen_schema",
]

#: Rows the driver may receive in one fetch, by default (the bracket's rows,
#: or the duplicate keys when they are this few): 8,192 rows of at most a
#: 64-byte key, its offset and an int64 are at most 608 KiB, under Spark's
#: smallest ``spark.driver.maxResultSize`` (1 MiB). A smaller cap costs
#: at most one more bracketing round.
DEFAULT_DRIVER_ROWS = 8_192
#: Buckets per bracketing round: 1,024 rows of seven int64 (56 KiB) per round.
DEFAULT_BUCKETS = 1_024
#: A hidden input column: true on rows whose key is a book-wide duplicate.
DUPLICATE_COLUMN = "__custtier_duplicate_key"
#: A hidden input column: the row's 0-based position in the whole frame.
ROW_COLUMN = "__custtier_input_row"

_TOP = 2**62  # word 0 = _TOP - profit; profits are at most 10**17 < 2**57
_LIMB = 20  # profit sums in three 20-bit limbs: exact in int64 up to 2**43 rows
_LIMB_MASK = (1 << _LIMB) - 1
_KEY_WORDS = 8  # keys are at most 64 ASCII bytes
_WORD_END = 2**63 - 1  # key words are below it (ASCII bytes are below 0x7f), and int64


@dataclass(frozen=True)
class ToDriver:
    """One result brought to the driver: which step, how many rows, how many Arrow bytes."""

    step: str
    rows: int
    nbytes: int


Report = Callable[[ToDriver], None]


def screen_schema() -> Any:
    """Rows a screen reports: the key of each otherwise valid row and its profit."""
    return pareto_candidates_schema()


def histogram_schema() -> Any:
    """One bucket of a bracketing round (per partition, then summed by the engine)."""
    return pa.schema(
        [(name, pa.int64()) for name in ("bucket", "rows", "s0", "s1", "s2", "lo", "hi")]
    )


# --------------------------------------------------------------------------- words of the order


def _key_word(keys: Any, word: int) -> I64:
    """Bytes ``8*word`` to ``8*word + 7`` of each key, big-endian, zero-padded."""
    narrow = np.frombuffer(keys.buffers()[1], dtype=np.int32)
    offsets = narrow[keys.offset : keys.offset + len(keys) + 1].astype(np.int64)
    data = keys.buffers()[2]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    raw = raw if len(raw) else np.zeros(1, np.uint8)
    starts, ends = offsets[:-1], offsets[1:]
    out = np.zeros(len(keys), dtype=np.int64)
    for b in range(8):
        at = starts + 8 * word + b
        live = at < ends
        byte = raw[np.where(live, at, 0)].astype(np.int64) * live
        out = (out << 8) | byte
    return out


def _words(keys: Any, profits: I64, level: int) -> I64:
    if level == 0:
        return _TOP - profits
    return _key_word(keys, level - 1)


def _candidates(batch: Any) -> tuple[Any, I64]:
    table = as_table(batch)
    keys = string_column(table, "customer_key")
    profits = np.asarray(table.column("profit_minor_units").to_numpy(), dtype=np.int64)
    return keys, profits


def _inside(keys: Any, profits: I64, fixed: Sequence[int]) -> Any:
    mask = np.ones(len(profits), dtype=np.bool_)
    for level, value in enumerate(fixed):
        mask &= _words(keys, profits, level) == value
    return mask


def _iter_batches(batches: Iterable[Any], job: Callable[[Any], Any]) -> Iterator[Any]:
    """``mapInArrow``: ``job`` over the partition in chunks of about ``DEFAULT_CHUNK_ROWS`` rows.

    Spark hands over batches of ``spark.sql.execution.arrow.maxRecordsPerBatch``
    rows (10,000 by default); each call has a fixed cost, so small batches are
    joined first (answers never depend on the chunking).
    """
    held: list[Any] = []
    count = 0
    for batch in batches:
        held.append(batch)
        count += batch.num_rows
        if count >= DEFAULT_CHUNK_ROWS:
            yield from job(pa.Table.from_batches(held)).to_batches()
            held, count = [], 0
    if held:
        yield from job(pa.Table.from_batches(held)).to_batches()


def _pandas(job: Callable[[Any], Any], frame: Any) -> Any:
    import pandas as pd  # noqa: PLC0415  # optional: only the Dask helpers need it

    return job(pa.Table.from_pandas(frame, preserve_index=False)).to_pandas(
        types_mapper=pd.ArrowDtype
    )


@dataclass(frozen=True)
class Histogram:
    """A bracketing round: bucket a partition's candidates by the word after ``fixed``.

    Only candidates whose first ``len(fixed)`` words are ``fixed`` and whose
    next word lies in ``[edges[0], edges[-1])`` are counted; bucket ``i`` is
    ``[edges[i], edges[i+1])``.
    """

    fixed: tuple[int, ...]
    edges: tuple[int, ...]

    def table(self, batch: Any) -> Any:
        """One partition's buckets (empty buckets left out)."""
        keys, profits = _candidates(batch)
        level = len(self.fixed)
        inside = _inside(keys, profits, self.fixed)
        words = _words(keys, profits, level)
        inside &= (words >= self.edges[0]) & (words < self.edges[-1])
        pick = np.flatnonzero(inside)
        edges = np.asarray(self.edges, dtype=np.int64)
        bucket = np.searchsorted(edges, words[pick], side="right") - 1
        order = np.argsort(bucket, kind="stable")
        bucket, w, p = bucket[order], words[pick][order], profits[pick][order]
        if not len(bucket):
            return histogram_schema().empty_table()
        ids, starts = np.unique(bucket, return_index=True)
        cols = {
            "bucket": ids.astype(np.int64),
            "rows": np.diff(np.append(starts, len(bucket))).astype(np.int64),
            "s0": np.add.reduceat(p & _LIMB_MASK, starts),
            "s1": np.add.reduceat((p >> _LIMB) & _LIMB_MASK, starts),
            "s2": np.add.reduceat(p >> (2 * _LIMB), starts),
            "lo": np.minimum.reduceat(w, starts),
            "hi": np.maximum.reduceat(w, starts),
        }
        return pa.table({k: pa.array(v, pa.int64()) for k, v in cols.items()})

    def __call__(self, batches: Iterable[Any]) -> Iterator[Any]:
        """``mapInArrow``."""
        return _iter_batches(batches, self.table)

    def pandas(self, frame: Any) -> Any:
        """Dask ``map_partitions``."""
        return _pandas(self.table, frame)


@dataclass(frozen=True)
class Slice:
    """The candidates inside a bracket: words ``fixed``, then the next in ``[lo, hi)``."""

    fixed: tuple[int, ...]
    lo: int
    hi: int

    def table(self, batch: Any) -> Any:
        """One partition's candidates inside the bracket, as ``(key, profit_minor_units)``."""
        keys, profits = _candidates(batch)
        inside = _inside(keys, profits, self.fixed)
        words = _words(keys, profits, len(self.fixed))
        keep = pa.array(inside & (words >= self.lo) & (words < self.hi))
        return pa.table(
            {
                "customer_key": keys.filter(keep),
                "profit_minor_units": pa.array(profits).filter(keep),
            },
            schema=pareto_candidates_schema(),
        )

    def __call__(self, batches: Iterable[Any]) -> Iterator[Any]:
        """``mapInArrow``."""
        return _iter_batches(batches, self.table)

    def pandas(self, frame: Any) -> Any:
        """Dask ``map_partitions``."""
        return _pandas(self.table, frame)


# --------------------------------------------------------------------------- the driver's loop


class Book(Protocol):
    """What the bracketing loop needs from an engine holding the candidates."""

    def histogram(self, job: Histogram) -> Any:
        """The buckets of ``job`` summed over the book (one row per non-empty bucket)."""

    def rows(self, job: Slice) -> Any:
        """The candidates of ``job`` from every partition."""


def _first_edges(buckets: int) -> tuple[int, ...]:
    """Round one: buckets of geometric width in profit (profits are heavy-tailed)."""
    profits = {1, MAX_MINOR_UNITS + 1}
    profits |= {max(1, round(2 ** (57 * i / buckets))) for i in range(buckets + 1)}
    return tuple(sorted(_TOP - p + 1 for p in profits if p <= MAX_MINOR_UNITS + 1))


def _linear_edges(lo: int, hi: int, buckets: int) -> tuple[int, ...]:
    return tuple(sorted({lo + (hi - lo) * i // buckets for i in range(buckets + 1)}))


def bracket_cut(
    book: Book,
    playbook: Playbook,
    *,
    max_rows: int = DEFAULT_DRIVER_ROWS,
    buckets: int = DEFAULT_BUCKETS,
) -> ParetoCut:
    """The Pareto cut of the candidates ``book`` holds, equal to :func:`pareto_cut`'s.

    The driver receives at most ``buckets`` histogram rows a round and, once,
    at most ``max_rows`` candidate rows. Candidates are unique keys with
    profits in ``[1, 10**17]`` (what a screen and a group-by leave).
    """
    if max_rows < 1 or buckets < 2:
        raise ValueError("max_rows must be at least 1 and buckets at least 2")
    rule = playbook.tiering.pareto
    empty = ParetoCut(playbook_hash=playbook.content_hash, count=0)
    if rule is None:
        return empty
    num, den = rule.profit_share.as_integer_ratio()
    fixed: list[int] = []
    edges = _first_edges(buckets)
    before_rows = before_sum = 0
    target: int | None = None
    while True:
        hist = as_table(book.histogram(Histogram(tuple(fixed), edges))).sort_by("bucket")
        entries = [
            (r["rows"], r["s0"] + (r["s1"] << _LIMB) + (r["s2"] << 2 * _LIMB), r["lo"], r["hi"])
            for r in hist.to_pylist()
        ]
        if target is None:
            total = sum(s for _, s, _, _ in entries)
            if total == 0:
                return empty
            target = -((-total * num) // den)  # smallest integer >= total x share
        chosen = None
        for rows, amount, lo, hi in entries:
            if before_sum + amount >= target:
                chosen = (rows, lo, hi)
                break
            before_rows += rows
            before_sum += amount
        if chosen is None:
            raise InputError(
                "the book changed between passes of the Pareto cut (a partition gave other "
                "rows when read again): persist or checkpoint the frame first",
                field="pareto",
            )
        rows, lo, hi = chosen
        if rows > max_rows and len(fixed) > _KEY_WORDS:
            raise InputError("two Pareto candidates share a key", field="key")
        if rows <= max_rows:
            return _finish(
                book.rows(Slice(tuple(fixed), lo, hi + 1)),
                playbook,
                target,
                before_rows,
                before_sum,
            )
        if lo == hi:  # every row in the bucket shares this word: bracket the next one
            fixed.append(lo)
            edges = _linear_edges(0, _WORD_END, buckets)
        else:
            edges = _linear_edges(lo, hi + 1, buckets)


def _finish(
    rows: Any, playbook: Playbook, target: int, before_rows: int, before_sum: int
) -> ParetoCut:
    table = as_table(rows)
    ranked = sorted(
        zip(
            table.column("profit_minor_units").to_pylist(),
            table.column("customer_key").to_pylist(),
            strict=True,
        ),
        key=lambda pk: (-pk[0], pk[1]),
    )
    count, running = before_rows, before_sum
    for profit, key in ranked:
        count += 1
        running += profit
        if running >= target:
            return ParetoCut(
                playbook_hash=playbook.content_hash,
                count=count,
                profit_minor_units=profit,
                customer_key=key,
            )
    raise InputError(
        "the book changed between passes of the Pareto cut: persist or checkpoint the frame first",
        field="pareto",
    )


# --------------------------------------------------------------------------- screens and mappers


@dataclass(frozen=True)
class KeyScreen:
    """Pass 1 of a book-wide check: the key (and profit) of each otherwise valid row.

    ``kind`` is ``"tier"`` (validated as :class:`~custtier.frames.TierMapper`
    would, overrides included) or ``"occasions"`` (as ``occasions_table``).
    """

    tier: TierMapper | None = None
    occasions: BookOccasionMapper | None = None

    def table(self, batch: Any) -> Any:
        """The valid rows of one partition as ``(key, profit_minor_units)``."""
        table = as_table(batch)
        if self.tier is not None:
            m = self.tier
            plan = _plan(m.playbook)
            if m.overrides is not None:
                table = _join_overrides(table, m.overrides, plan, m.as_of)
            v = _validate(table, plan, m.as_of)
            keys, ok, profit = v.keys, v.ok, v.profit
        else:
            assert self.occasions is not None  # one of the two, by construction
            c = _occasions_validate(table, self.occasions.plan_tables(), 0)
            keys, ok, profit = c.keys, c.ok, np.zeros(c.n, dtype=np.int64)
        return pa.table(
            {
                "customer_key": keys.filter(pa.array(ok)),
                "profit_minor_units": pa.array(profit[ok]),
            },
            schema=screen_schema(),
        )

    def __call__(self, batches: Iterable[Any]) -> Iterator[Any]:
        """``mapInArrow``."""
        return _iter_batches(batches, self.table)

    def pandas(self, frame: Any) -> Any:
        """Dask ``map_partitions``."""
        return _pandas(self.table, frame)


def _duplicate_mask(table: Any, duplicates: frozenset[str] | None) -> tuple[Any, Any]:
    """The table without the hidden duplicate column, and the rows whose key is a duplicate."""
    if DUPLICATE_COLUMN in table.column_names:
        flag = pc.fill_null(table.column(DUPLICATE_COLUMN), False)
        mask = np.asarray(flag.to_numpy(zero_copy_only=False), dtype=np.bool_)
        return table.drop_columns([DUPLICATE_COLUMN]), mask
    if not duplicates:
        return table, np.zeros(table.num_rows, dtype=np.bool_)
    found = pc.is_in(string_column(table, "key"), value_set=pa.array(sorted(duplicates)))
    return table, np.asarray(pc.fill_null(found, False).to_numpy(zero_copy_only=False), bool)


@dataclass(frozen=True)
class BookTierMapper:
    """:class:`~custtier.frames.TierMapper` with the book's duplicate keys flagged.

    Duplicates come either as ``duplicates`` (a few keys, shipped to every
    worker) or as the hidden column :data:`DUPLICATE_COLUMN` (a join, when
    there are too many to ship).
    """

    mapper: TierMapper
    duplicates: frozenset[str] | None = None

    @property
    def output_schema(self) -> Any:
        """The Arrow schema of the output."""
        return self.mapper.output_schema

    def table(self, data: Any) -> Any:
        """Tier one partition, its book-wide duplicate keys as error rows."""
        m = self.mapper
        _check_cut(m.pareto_cut, m.playbook)
        plan = _plan(m.playbook)
        table, dup = _duplicate_mask(as_table(data), self.duplicates)
        if m.overrides is not None:
            table = _join_overrides(table, m.overrides, plan, m.as_of)
        v = _validate(table, plan, m.as_of)
        v.errors.flag(dup & v.ok, "duplicate_key", "key")
        v.finish()
        return _assemble(v, plan, m.as_of, m.pareto_cut)

    def __call__(self, batches: Iterable[Any]) -> Iterator[Any]:
        """``mapInArrow``: plain strings where the output has dictionaries (Spark has none)."""
        return _iter_batches(
            batches, lambda data: spark_table(self.table(data), self.mapper.playbook)
        )

    def pandas(self, frame: Any, duplicates: Any = None) -> Any:
        """Dask ``map_partitions``; the index is kept. ``duplicates``: a broadcast key set."""
        import pandas as pd  # noqa: PLC0415  # optional: only the Dask helpers need it

        mapper = self if duplicates is None else BookTierMapper(self.mapper, frozenset(duplicates))
        out = mapper.table(pa.Table.from_pandas(frame, preserve_index=False))
        result = out.to_pandas(types_mapper=pd.ArrowDtype)
        result.index = frame.index
        return result


@dataclass(frozen=True)
class BookOccasionMapper:
    """``occasions_table`` per partition with book-wide duplicates and row numbers.

    The input carries :data:`ROW_COLUMN` (the row's position in the whole
    frame), which becomes ``input_row``; duplicates as for
    :class:`BookTierMapper`.
    """

    playbook: Playbook
    start: dt.date
    end: dt.date
    calendar: Calendar | None = None
    duplicates: frozenset[str] | None = None

    def plan_tables(self) -> Any:
        """The planner's per-plan tables (cached per playbook and horizon)."""
        calendar = self.calendar if self.calendar is not None else DEFAULT_CALENDAR
        return tables(self.playbook, self.start, self.end, calendar)

    def table(self, data: Any) -> Any:
        """The occasions of one partition, ``input_row`` counted over the whole frame."""
        table, dup = _duplicate_mask(as_table(data), self.duplicates)
        rows = table.column(ROW_COLUMN)
        table = table.drop_columns([ROW_COLUMN])
        t = self.plan_tables()
        ctx = _Context(t)
        c = _occasions_validate(table, t, 0)
        c.errors.flag(dup & c.ok, "duplicate_key", "key")
        c.finish()
        out = _occasions_assemble(c, _expand(c, ctx), ctx)
        at = out.schema.get_field_index("input_row")
        return out.set_column(at, "input_row", rows.take(out.column("input_row")))

    def __call__(self, batches: Iterable[Any]) -> Iterator[Any]:
        """``mapInArrow``."""
        return _iter_batches(batches, self.table)

    def pandas(self, frame: Any, duplicates: Any = None) -> Any:
        """Dask ``map_partitions`` (a fresh index); ``duplicates``: a broadcast key set."""
        import pandas as pd  # noqa: PLC0415  # optional: only the Dask helpers need it

        mapper = self if duplicates is None else _with_duplicates(self, duplicates)
        out = mapper.table(pa.Table.from_pandas(frame, preserve_index=False))
        return out.to_pandas(types_mapper=pd.ArrowDtype)


def _with_duplicates(mapper: BookOccasionMapper, duplicates: Any) -> BookOccasionMapper:
    return BookOccasionMapper(
        mapper.playbook, mapper.start, mapper.end, mapper.calendar, frozenset(duplicates)
    )
