"""Arrow building blocks: money columns as exact integers, error rows, list columns.

Everything here works on whole columns (numpy and ``pyarrow.compute``); no
per-row Python objects are built. Amounts become ``int64`` minor units read
straight from the ``decimal128`` buffer, so no value ever passes through a
float.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from custtier._money import EXACT, check_amount, exact_context
from custtier.errors import InputError, MoneyError

__all__ = [
    "BOOL",
    "EPOCH",
    "I64",
    "MAX_MINOR_UNITS",
    "Errors",
    "Money",
    "any_per_row",
    "any_repeated",
    "as_array",
    "as_table",
    "date_days",
    "dict_list_columns",
    "duplicated",
    "epoch_days",
    "key_hashes",
    "like_input",
    "list_column",
    "money_array",
    "money_column",
    "np_bool",
    "null_mask",
    "playbook_columns",
    "playbook_fields",
    "signatures",
    "string_column",
    "to_decimal",
    "well_formed_keys",
]

I64 = npt.NDArray[np.int64]
BOOL = npt.NDArray[np.bool_]

#: Largest magnitude, in minor units, a columnar amount may have (10^17: a
#: quadrillion yuan). Sums of up to 36 monthly balances then stay inside int64.
MAX_MINOR_UNITS = 10**17


def as_array(column: Any) -> Any:
    """One contiguous ``pa.Array`` from an array or a chunked column."""
    if isinstance(column, pa.ChunkedArray):
        return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    return column


@dataclass
class Errors:
    """The first problem of each row: an error code and the field, never the value.

    Codes are registered once as ``(code, field)`` pairs; each row holds the
    index of its first problem (0 = no problem), so later checks never
    overwrite an earlier one and the order of checks decides which is shown.
    """

    n: int
    index: npt.NDArray[np.int16] = field(init=False)
    pairs: list[tuple[str, str]] = field(default_factory=lambda: [("", "")])

    def __post_init__(self) -> None:
        self.index = np.zeros(self.n, dtype=np.int16)

    def flag(self, mask: BOOL, code: str, field_name: str) -> None:
        """Record ``code`` on ``field_name`` for the rows in ``mask`` that have no error yet."""
        hit = mask & (self.index == 0)
        if not hit.any():
            return
        pair = (code, field_name)
        if pair not in self.pairs:
            self.pairs.append(pair)
        self.index[hit] = self.pairs.index(pair)

    @property
    def bad(self) -> BOOL:
        """Rows with an error."""
        bad: BOOL = self.index != 0
        return bad

    def columns(self) -> tuple[Any, Any]:
        """``(error_code, error_field)`` string arrays, null on rows without error."""
        if len(self.pairs) == 1:  # no row has a problem (the usual chunk)
            return pa.nulls(self.n, pa.string()), pa.nulls(self.n, pa.string())
        codes = pa.array([None, *(c for c, _ in self.pairs[1:])], pa.string())
        fields = pa.array([None, *(f for _, f in self.pairs[1:])], pa.string())
        idx = pa.array(self.index.astype(np.int32))
        return codes.take(idx), fields.take(idx)


def key_hashes(keys: Any) -> npt.NDArray[np.uint64]:
    """The 64-bit hash :func:`duplicated` sorts, of each string (equal strings, equal hashes)."""
    if not len(keys):
        return np.zeros(0, dtype=np.uint64)
    return _fnv1a(keys)


def any_repeated(hashes: npt.NDArray[np.uint64]) -> bool:
    """Whether a value occurs twice: if not, no two of the strings hashed are equal."""
    ordered = np.sort(hashes)
    return bool((ordered[1:] == ordered[:-1]).any())


def duplicated(keys: Any) -> BOOL:
    """Where a non-null string occurs more than once in ``keys`` (every copy is marked).

    Hashing a million distinct strings in an Arrow hash table is the slowest
    step of a batch; a 64-bit FNV-1a-style hash computed with numpy (eight
    bytes at a time for keys of one width, else one byte position at a time)
    finds the few candidates, and only those are compared exactly.
    Collisions therefore cost time, never answers.
    """
    n = len(keys)
    out = np.zeros(n, dtype=np.bool_)
    if n < 2:
        return out
    hashes = _fnv1a(keys)
    ordered = np.sort(hashes)
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    if not len(repeated):
        return out
    candidates = np.flatnonzero(np.isin(hashes, repeated) & ~null_mask(keys))
    coded = pc.dictionary_encode(keys.take(pa.array(candidates, pa.int64())))
    codes = np.asarray(coded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    out[candidates] = np.bincount(codes)[codes] > 1
    return out


_ALNUM = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_KEY_FIRST = np.zeros(256, dtype=np.bool_)
_KEY_FIRST[list(_ALNUM)] = True
KEY_MAX_LENGTH = 64


def well_formed_keys(keys: Any) -> BOOL:
    """Which strings are customer keys: ``^[A-Za-z0-9][A-Za-z0-9_.:\\-]{0,63}$``, null → False.

    The models' key pattern, checked on the UTF-8 bytes with byte ranges
    (every allowed character is ASCII, so any byte >= 128 fails, as the
    pattern does): a regular expression per row costs more than the rest of
    a row's validation. A test keeps this equal to the pattern.
    """
    offsets, raw = _string_buffers(keys)
    starts, lengths = offsets[:-1], np.diff(offsets)
    ok = (lengths >= 1) & (lengths <= KEY_MAX_LENGTH) & ~null_mask(keys)
    if not len(keys):
        return ok
    ok &= _KEY_FIRST[raw[np.minimum(starts, len(raw) - 1)]]
    first = int(starts[0])
    allowed = key_bytes(raw[first : int(offsets[-1])])
    if allowed.all():  # the usual book: no row has a byte outside the set
        return ok
    bad = np.zeros(len(allowed) + 1, dtype=np.int64)
    np.cumsum(~allowed, out=bad[1:])
    ok &= bad[offsets[1:] - first] == bad[starts - first]
    return ok


def key_bytes(raw: npt.NDArray[np.uint8]) -> BOOL:
    """Which bytes may occur in a key after its first: ``A-Z a-z 0-9 _ . : -``.

    Comparisons on the bytes as they are (a table lookup would first widen
    every byte to an index); a test checks all 256 bytes against the pattern.
    """
    allowed: BOOL = np.subtract(raw, 48, dtype=np.uint8) < 10  # 0-9
    allowed |= np.subtract(raw | 32, 97, dtype=np.uint8) < 26  # A-Z, a-z
    allowed |= np.subtract(raw, 45, dtype=np.uint8) < 2  # - .
    allowed |= (raw == 95) | (raw == 58)  # _ :
    return allowed


def _string_buffers(keys: Any) -> tuple[I64, npt.NDArray[np.uint8]]:
    """A string array's offsets (int64, its own slice) and data bytes (never empty)."""
    narrow = np.frombuffer(keys.buffers()[1], dtype=np.int32)
    offsets: I64 = narrow[keys.offset : keys.offset + len(keys) + 1].astype(np.int64)
    data = keys.buffers()[2]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    return offsets, raw if len(raw) else np.zeros(1, np.uint8)


def _fnv1a(keys: Any) -> npt.NDArray[np.uint64]:
    offsets, raw = _string_buffers(keys)
    starts, lengths = offsets[:-1], np.diff(offsets)
    hashes = np.full(len(keys), 0xCBF29CE484222325, dtype=np.uint64)
    prime = np.uint64(0x100000001B3)
    width = int(lengths[0])
    if width and (lengths == width).all():  # fixed-width keys (the usual case): a 2-D view
        first = int(starts[0])
        # Eight bytes at a time, read in place as one little-endian word per key,
        # then the bytes left over: FNV-1a's steps on words (a hash, not FNV's value).
        for word in range(width // 8):
            at = first + 8 * word
            words = np.ndarray((len(keys),), "<u8", buffer=raw, offset=at, strides=(width,))
            hashes = (hashes ^ words) * prime
        grid = raw[first : first + width * len(keys)].reshape(-1, width)
        for position in range(width // 8 * 8, width):
            hashes = (hashes ^ grid[:, position].astype(np.uint64)) * prime
        return hashes
    for position in range(int(lengths.max(initial=0))):
        live = np.flatnonzero(lengths > position)
        byte = raw[starts[live] + position].astype(np.uint64)
        hashes[live] = (hashes[live] ^ byte) * prime  # wraps modulo 2**64, as FNV intends
    return hashes


def string_column(table: Any, name: str) -> Any:
    """Column ``name`` as a ``string`` array; any other type is a schema error."""
    arr = as_array(table.column(name))
    if pa.types.is_large_string(arr.type) or pa.types.is_string_view(arr.type):
        arr = arr.cast(pa.string())
    if pa.types.is_dictionary(arr.type) and pa.types.is_string(arr.type.value_type):
        arr = arr.cast(pa.string())
    if not pa.types.is_string(arr.type):
        raise InputError(
            f"column {name!r} has type {arr.type}; it must hold strings (utf8)", field=name
        )
    return arr


def _unscaled(arr: Any) -> tuple[I64, BOOL]:
    """The unscaled integers of a ``decimal128`` array and where they fit in int64.

    decimal128 values are 16-byte little-endian two's complement integers: a
    value fits in int64 when the high word is the sign extension of the low.
    """
    # Only the words this array covers: a producer (polars) may pad the buffer
    # to a length that is not a whole number of values.
    count = 2 * (arr.offset + len(arr))
    words = np.frombuffer(arr.buffers()[1], dtype=np.int64, count=count).reshape(-1, 2)
    words = words[arr.offset :]
    low = words[:, 0].copy()
    high = words[:, 1]
    fits = high == (low >> 63)
    return low, fits


@dataclass(frozen=True, slots=True)
class Money:
    """A money column as int64 minor units, with each row's problem masks.

    ``values`` is 0 wherever the value is null or unusable.
    """

    values: I64
    nulls: BOOL
    out_of_range: BOOL
    too_precise: BOOL
    invalid: BOOL  # text that is not a plain decimal number

    @property
    def bad(self) -> BOOL:
        """Values that are present but unusable."""
        return self.out_of_range | self.too_precise | self.invalid

    def flag(self, errors: Errors, field_name: str) -> None:
        """Record this column's problems as error rows on ``field_name``."""
        errors.flag(self.nulls, "missing_value", field_name)
        errors.flag(self.invalid, "invalid_value", field_name)
        errors.flag(self.out_of_range, "out_of_range", field_name)
        errors.flag(self.too_precise, "too_precise", field_name)


def money_column(table: Any, name: str, scale: int) -> Money:
    """Column ``name`` as int64 minor units at ``scale`` decimal places.

    Accepts ``decimal128``/``decimal256`` at any scale up to 38 (read exactly:
    finer digits that are not zero make the row ``too_precise``), integer
    columns, which hold **minor units** (fen, cents), and text columns (a CSV
    read as strings), parsed row by row as the scalar path parses a string
    amount: ``"1234.50"`` decides as the decimal would, a value that is not a
    plain decimal number makes its row ``invalid_value``. Floats are refused
    for the whole column (:class:`~custtier.errors.MoneyError` naming it),
    because a binary float cannot hold most cent amounts exactly.
    """
    return money_array(as_array(table.column(name)), name, scale)


def money_array(arr: Any, name: str, scale: int) -> Money:
    """:func:`money_column` on an array (``name`` is only for messages)."""
    t = arr.type
    nulls = null_mask(arr)
    too_precise = np.zeros(len(arr), dtype=np.bool_)
    invalid = np.zeros(len(arr), dtype=np.bool_)
    if _is_text(t):
        return _text_money(arr, name, scale, nulls)
    if pa.types.is_floating(t):
        raise MoneyError(
            f"column {name!r} holds floating-point numbers ({t}); money must be exact: "
            f"give it as decimal128(38, {scale}) cast from the source's exact decimals, "
            "or as integer minor units",
            field=name,
        )
    if pa.types.is_decimal(t):
        if not pa.types.is_decimal128(t):
            if t.precision > 38:
                raise MoneyError(
                    f"column {name!r} is {t}; use decimal128 (at most 38 digits)", field=name
                )
            arr = arr.cast(pa.decimal128(t.precision, t.scale))
        if t.scale > scale:
            # Rescaled in 128 bits before the int64 test: decimal128(38, 18) holds
            # 9.22 as 9.22e18 unscaled, beyond int64, though it is 922 fen.
            arr, fits, too_precise = _finer(arr, scale, nulls)
        unscaled, fitted = _unscaled(arr)
        fits = fitted if t.scale <= scale else fits & fitted
        values = unscaled if fits.all() else np.where(fits, unscaled, 0)
        if t.scale < scale:
            factor = 10 ** (scale - t.scale)
            fits &= np.abs(values) <= MAX_MINOR_UNITS // factor
            values = np.where(fits, values, 0) * factor
    elif pa.types.is_integer(t):
        fits = np.ones(len(arr), dtype=np.bool_)
        if pa.types.is_uint64(t):  # the only integer type that may not fit int64
            over = pc.fill_null(pc.greater(arr, pa.scalar(MAX_MINOR_UNITS, t)), False)
            fits = ~np.asarray(over.to_numpy(zero_copy_only=False), dtype=np.bool_)
            arr = pc.if_else(over, pa.scalar(0, t), arr)
        values = np.asarray(pc.fill_null(arr, 0).cast(pa.int64()).to_numpy(), dtype=np.int64)
    else:
        raise MoneyError(
            f"column {name!r} has type {t}; money columns must be decimal128 at the "
            f"currency's scale ({scale} places), integer minor units or decimal text",
            field=name,
        )
    # Both bounds compared: np.abs of int64's minimum is itself, negative.
    big = (values > MAX_MINOR_UNITS) | (values < -MAX_MINOR_UNITS)
    out_of_range = ~nulls & (~fits | big)
    unusable = out_of_range | nulls | too_precise
    if unusable.any():
        values = np.where(unusable, 0, values)
    return Money(values.astype(np.int64, copy=False), nulls, out_of_range, too_precise, invalid)


def _finer(arr: Any, scale: int, nulls: BOOL) -> tuple[Any, BOOL, BOOL]:
    """A decimal128 array finer than ``scale``: truncated to ``scale``, what fits, what was lost.

    Values beyond the range are set aside first (they are ``out_of_range``
    whatever their digits), so the truncation and its check never overflow.
    """
    t = arr.type
    wide = arr.cast(pa.decimal128(38, t.scale))
    if MAX_MINOR_UNITS * 10 ** (t.scale - scale) >= 10**38:
        # The limit does not fit this type (decimal128(38, 30) holds 8 integer
        # digits), so no value of the column can pass it.
        big = np.zeros(len(arr), dtype=np.bool_)
    else:
        limit = pa.scalar(Decimal(MAX_MINOR_UNITS).scaleb(-scale, context=EXACT), wide.type)
        big = np_bool(pc.greater(pc.abs(wide), limit))
    kept = pc.if_else(pa.array(big), pa.scalar(Decimal(0), wide.type), wide)
    truncated = kept.cast(pa.decimal128(38, scale), safe=False)
    lost = ~np_bool(pc.equal(truncated.cast(wide.type), kept))
    return truncated, ~big, ~nulls & ~big & lost


def _is_text(t: Any) -> bool:
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t))


def _text_money(arr: Any, name: str, scale: int, nulls: BOOL) -> Money:
    """A text money column, row by row: each value as :func:`check_amount` reads a string."""
    n = len(arr)
    values = np.zeros(n, dtype=np.int64)
    invalid = np.zeros(n, dtype=np.bool_)
    out_of_range = np.zeros(n, dtype=np.bool_)
    too_precise = np.zeros(n, dtype=np.bool_)
    limit = Decimal(MAX_MINOR_UNITS)
    with exact_context():
        for i, text in enumerate(arr.to_pylist()):
            if text is None:
                continue
            try:
                units = check_amount(text, field=name).scaleb(scale)
            except MoneyError:
                invalid[i] = True
                continue
            if abs(units) > limit:
                out_of_range[i] = True
            elif units != units.to_integral_value():
                too_precise[i] = True
            else:
                values[i] = int(units)
    return Money(values, nulls, out_of_range, too_precise, invalid)


def null_mask(arr: Any) -> BOOL:
    """Where ``arr`` is null, as numpy (no pass over the array when it has no null)."""
    if arr.null_count == 0:
        return np.zeros(len(arr), dtype=np.bool_)
    return np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=np.bool_)


def to_decimal(values: I64, nulls: BOOL, scale: int) -> Any:
    """int64 minor units → ``decimal128(38, scale)`` holding exactly those units, null where ``nulls``.

    Written straight into the decimal128 buffer (low word the value, high
    word its sign extension), so no value is ever rescaled or rounded.
    """
    some = bool(nulls.any())
    words = np.empty((len(values), 2), dtype=np.int64)
    words[:, 0] = np.where(nulls, 0, values) if some else values
    np.right_shift(words[:, 0], 63, out=words[:, 1])
    validity = pa.py_buffer(np.packbits(~nulls, bitorder="little")) if some else None
    return pa.Array.from_buffers(
        pa.decimal128(38, scale), len(values), [validity, pa.py_buffer(words)]
    )


def list_column(per_row: npt.NDArray[np.intp], lists: Sequence[Sequence[str]], mask: BOOL) -> Any:
    """A ``list<string>`` column: row ``i`` holds ``lists[per_row[i]]``, null where ``mask``.

    One Arrow ``take`` of the distinct lists, so the cost is Arrow's copy per
    row and Python work per *distinct* list (about twice as fast as laying out
    the flat values' indices with numpy and taking the strings).
    """
    distinct = pa.array(list(lists), pa.list_(pa.string()))
    return distinct.take(pa.array(per_row, pa.int64(), mask=mask))


def dict_list_columns(
    per_row: npt.NDArray[np.intp],
    columns: Sequence[tuple[Sequence[Sequence[int]], Any]],
    mask: BOOL | None,
) -> list[Any]:
    """``list<dictionary<int32, string>>`` columns whose lists have the same lengths.

    Each of ``columns`` is ``(lists, dictionary)``: row ``i`` holds
    ``lists[per_row[i]]``, indices into ``dictionary``; rows in ``mask`` are
    null. The lists of every column have the same length per distinct entry
    (reason codes and their rule ids), so the offsets and the positions are
    laid out once with numpy from the distinct lists' lengths, and no string
    is copied per row.
    """
    first = columns[0][0]
    lengths = np.array([len(x) for x in first], dtype=np.int64)
    starts = np.zeros(len(first) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    row_lengths = lengths[per_row]
    if mask is not None:
        row_lengths[mask] = 0
    offsets = np.zeros(len(per_row) + 1, dtype=np.int32)
    np.cumsum(row_lengths, out=offsets[1:])
    total = int(offsets[-1])
    # Element j of row i is flat[starts[per_row[i]] + j]: each row's first element's
    # position in flat, repeated over its elements, plus the element's place in its row.
    at = np.repeat(starts[:-1][per_row] - offsets[:-1], row_lengths)
    at += np.arange(total, dtype=np.int64)
    offset_array = pa.array(offsets, pa.int32())
    validity = None if mask is None else pa.array(mask, pa.bool_())
    out = []
    for lists, dictionary in columns:
        flat = np.fromiter((i for x in lists for i in x), dtype=np.int32, count=int(starts[-1]))
        values = pa.DictionaryArray.from_arrays(pa.array(flat[at]), dictionary, safe=False)
        out.append(pa.ListArray.from_arrays(offset_array, values, mask=validity))
    return out


def as_table(data: Any, field: str = "data") -> Any:
    """An Arrow table from a table, a record batch, a pandas or polars frame.

    ``field`` is the caller's name for the argument, which an error names.

    Arrow's large and view types (polars writes ``large_string`` and
    ``large_list<large_string>``) are read as their plain forms, and a column
    name that occurs twice is an ``InputError`` naming it (which of the two
    would the engine read?).
    """
    if isinstance(data, pa.Table):
        table = data
    elif isinstance(data, pa.RecordBatch):
        table = pa.Table.from_batches([data])
    else:
        # pandas refuses repeated names in its own words: name the column first.
        _no_duplicate_columns([str(c) for c in getattr(data, "columns", ())])
        try:  # pandas (from_pandas), polars, other Arrow C-stream producers, dicts of columns
            table = pa.table(data)
        except (TypeError, ValueError, pa.ArrowException) as exc:
            raise InputError(
                f"{field} must be an Arrow table or record batch, a pandas or polars "
                "DataFrame, or a mapping of column names to columns",
                field=field,
            ) from exc
    _no_duplicate_columns(table.column_names)
    plain = pa.schema([f.with_type(_plain_type(f.type)) for f in table.schema])
    return table if plain.equals(table.schema) else table.cast(plain)


def like_input(data: Any, table: Any) -> Any:
    """``table`` in the caller's frame type: pandas in, pandas out; polars in, polars out.

    Arrow in (a table or a record batch), or any other Arrow producer, gives
    an Arrow table. pandas gets Arrow-backed columns (``pd.ArrowDtype``: exact
    decimals, integers that stay integers beside nulls), as the Dask recipes
    do; polars gets its own types (``pl.Decimal`` for money).
    """
    library = type(data).__module__.partition(".")[0]
    if library == "pandas":
        pd = importlib.import_module("pandas")
        return table.to_pandas(types_mapper=pd.ArrowDtype)
    if library == "polars":
        return importlib.import_module("polars").from_arrow(table)
    return table


def _no_duplicate_columns(names: Sequence[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputError(
                f"column {name!r} occurs more than once; keep one column of each name",
                field=name,
            )
        seen.add(name)


def _plain_type(t: Any) -> Any:
    """``t`` with large and view types replaced by their plain forms, recursively."""
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return pa.string()
    if pa.types.is_large_binary(t) or pa.types.is_binary_view(t):
        return pa.binary()
    if pa.types.is_large_list(t) or pa.types.is_list_view(t) or pa.types.is_large_list_view(t):
        return pa.list_(t.value_field.with_type(_plain_type(t.value_type)))
    if pa.types.is_list(t):
        return pa.list_(t.value_field.with_type(_plain_type(t.value_type)))
    if pa.types.is_struct(t):
        return pa.struct([f.with_type(_plain_type(f.type)) for f in t])
    return t


def np_bool(arr: Any) -> BOOL:
    """A boolean Arrow array as numpy, null as False."""
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=np.bool_)


def any_per_row(n: int, parents: npt.NDArray[np.int64], elem_mask: BOOL) -> BOOL:
    """Rows (of ``n``) owning at least one list element in ``elem_mask`` (``parents``: owners)."""
    out = np.zeros(n, dtype=np.bool_)
    if elem_mask.any():  # the usual column has no bad element
        out[parents[elem_mask]] = True
    return out


DENSE_RADIX = 1 << 22  # signatures up to this use a 4 MB presence table


def signatures(parts: Sequence[tuple[I64, int]]) -> tuple[npt.NDArray[np.intp], list[list[int]]]:
    """Each row's index among the distinct combinations of ``parts``, and those combinations."""
    n = len(parts[0][0])
    radix = 1
    for _, r in parts:
        radix *= r
    if radix < 2**62:  # one int64 per row: a fast unique
        sig = np.zeros(n, dtype=np.int64)
        mult = 1
        for values, r in parts:
            sig += values * mult
            mult *= r
        if radix <= DENSE_RADIX:  # a presence table beats sorting the rows
            seen = np.zeros(radix, dtype=np.bool_)
            seen[sig] = True
            uniq = np.flatnonzero(seen)
            inv = (np.cumsum(seen, dtype=np.int64) - 1)[sig]
        else:
            uniq, inv = np.unique(sig, return_inverse=True)
        combos = []
        for code in uniq.tolist():
            digits = []
            rest = code
            for _, r in parts:
                rest, d = divmod(rest, r)
                digits.append(d)
            combos.append(digits)
        return np.asarray(inv, dtype=np.intp).reshape(-1), combos
    stacked = np.stack([values for values, _ in parts], axis=1)
    rows, inv = np.unique(stacked, axis=0, return_inverse=True)
    return np.asarray(inv, dtype=np.intp).reshape(-1), [list(map(int, r)) for r in rows]


# --------------------------------------------------------------------------- dates and audit columns

#: Day 0 of Arrow's ``date32``: dates are int64 day numbers from here on.
EPOCH = dt.date(1970, 1, 1)


def epoch_days(day: dt.date) -> int:
    """``day`` as a ``date32`` day number (days since 1970-01-01)."""
    return (day - EPOCH).days


def date_days(arr: Any, name: str) -> tuple[I64, BOOL]:
    """A date column as int64 day numbers (0 where null) and its null mask.

    ``date32``, ``date64`` and an all-null column are read; another type is an
    :class:`~custtier.errors.InputError` naming the column.
    """
    if pa.types.is_null(arr.type) or pa.types.is_date64(arr.type):
        arr = arr.cast(pa.date32())
    if not pa.types.is_date32(arr.type):
        raise InputError(f"column {name!r} has type {arr.type}; it must be date32", field=name)
    days = np.asarray(pc.fill_null(arr.cast(pa.int32()), 0).to_numpy(), dtype=np.int64)
    return days, np_bool(arr.is_null())


def playbook_fields() -> list[tuple[str, Any]]:
    """The audit columns every output table ends with: which playbook decided."""
    return [
        ("playbook_id", pa.string()),
        ("playbook_version", pa.string()),
        ("playbook_hash", pa.string()),
    ]


def playbook_columns(playbook: Any, n: int) -> dict[str, Any]:
    """The audit columns' values for ``n`` rows (the same playbook on every row)."""
    return {
        "playbook_id": pa.repeat(pa.scalar(playbook.id, pa.string()), n),
        "playbook_version": pa.repeat(pa.scalar(playbook.version, pa.string()), n),
        "playbook_hash": pa.repeat(pa.scalar(playbook.content_hash, pa.string()), n),
    }
