"""The array kernels ``tier_table`` uses for speed give what their plain forms give.

Each kernel replaced a simpler numpy or Python form (``searchsorted``,
``np.add.at``, a sum of Python ints, a flat ``take``); these properties hold
them equal to that form on drawn inputs, including the inputs where the fast
form falls back (many edges, sums past int64).
"""

from __future__ import annotations

import re
from decimal import Decimal, localcontext

import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from custtier import presets
from custtier._money import Rounding
from custtier.frames import pareto_cut
from custtier.frames._arrow import (
    any_repeated,
    dict_list_columns,
    duplicated,
    key_bytes,
    key_hashes,
    list_column,
    money_array,
)
from custtier.frames._months import month_numbers
from custtier.frames._tier import _band_of
from custtier.frames._tier_bases import round_div, row_bounds, segment_sums

_INT64_MIN = np.iinfo(np.int64).min
money = st.integers(min_value=-(2**40), max_value=2**40)


@given(
    edges=st.lists(money, min_size=1, max_size=40, unique=True),
    unbounded=st.booleans(),
    values=st.lists(money, max_size=50),
)
def test_bands_by_comparison_are_the_binary_search(
    edges: list[int], unbounded: bool, values: list[int]
) -> None:
    lowers = np.array(sorted(edges), dtype=np.int64)
    if unbounded:  # the first band open below, as the plan writes it
        lowers[0] = _INT64_MIN
    value = np.array(values, dtype=np.int64)
    expected = np.maximum(np.searchsorted(lowers, value, side="right") - 1, 0)
    assert _band_of(lowers, value).tolist() == expected.tolist()


@given(
    counts=st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=30),
    data=st.data(),
)
def test_segment_sums_are_the_per_row_sums(counts: list[int], data: st.DataObject) -> None:
    parents = np.repeat(np.arange(len(counts)), counts).astype(np.int64)
    # Large values: the running total wraps around int64, each row's sum does not.
    values = np.array(
        data.draw(
            st.lists(st.integers(-(2**61), 2**61), min_size=len(parents), max_size=len(parents))
        ),
        dtype=np.int64,
    )
    expected = [int(values[parents == row].astype(object).sum()) for row in range(len(counts))]
    assert segment_sums(row_bounds(parents, len(counts)), values).tolist() == expected


def test_the_pareto_total_is_exact_past_int64() -> None:
    # Four profits of 2^61 minor units sum past int64: the cut must still be
    # found on the exact total (share 0.2 of 2^63 + 1: two customers).
    profits = [2**61, 2**61, 2**61, 2**61, 1]
    cands = pa.table(
        {
            "customer_key": ["a", "b", "c", "d", "e"],
            "profit_minor_units": pa.array(profits, pa.int64()),
        }
    )
    share = presets.PRACTICE.tiering.pareto
    assert share is not None
    total = sum(profits)
    num, den = share.profit_share.as_integer_ratio()
    target = -((-total * num) // den)
    running, k = 0, 0
    for p in sorted(profits, reverse=True):
        running, k = running + p, k + 1
        if running >= target:
            break
    cut = pareto_cut(cands, presets.PRACTICE)
    assert cut.count == k


@given(
    lists=st.lists(
        st.lists(st.sampled_from(["A", "BB", "", "dé"]), max_size=3), min_size=1, max_size=5
    ),
    data=st.data(),
)
def test_list_columns_hold_each_rows_list(lists: list[list[str]], data: st.DataObject) -> None:
    rows = data.draw(st.lists(st.integers(0, len(lists) - 1), max_size=20))
    nulls = data.draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))
    column = list_column(np.array(rows, dtype=np.intp), lists, np.array(nulls, dtype=np.bool_))
    expected = [None if null else lists[row] for row, null in zip(rows, nulls, strict=True)]
    assert column.type == pa.list_(pa.string())
    assert column.to_pylist() == expected


@given(
    lists=st.lists(st.lists(st.integers(0, 4), max_size=3), min_size=1, max_size=5),
    data=st.data(),
)
def test_dictionary_list_columns_hold_each_rows_list(
    lists: list[list[int]], data: st.DataObject
) -> None:
    # Reason codes and their rule ids: two columns whose lists have the same lengths.
    rows = data.draw(st.lists(st.integers(0, len(lists) - 1), max_size=20))
    drawn = data.draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))
    nulls = np.array(drawn, dtype=np.bool_)
    codes = pa.array(["A", "B", "C", "D", "E"])
    ids = pa.array(["r0", "r1", "r2", "r3", "r4"])
    mirrored = [[4 - i for i in x] for x in lists]
    first, second = dict_list_columns(
        np.array(rows, dtype=np.intp),
        [(lists, codes), (mirrored, ids)],
        nulls if nulls.any() else None,
    )
    plain = list_column(
        np.array(rows, dtype=np.intp), [[codes[i].as_py() for i in x] for x in lists], nulls
    )
    first.validate(full=True)
    assert first.type == pa.list_(pa.dictionary(pa.int32(), pa.string()))
    assert first.to_pylist() == plain.to_pylist()
    expected = [
        None if null else [f"r{4 - i}" for i in lists[r]]
        for r, null in zip(rows, nulls, strict=True)
    ]
    assert second.to_pylist() == expected


@given(keys=st.lists(st.text(alphabet="ab9_", min_size=0, max_size=18), max_size=30))
def test_keys_whose_hashes_never_repeat_are_all_distinct(keys: list[str]) -> None:
    # The book-wide duplicate check skips gathering the keys when no hash repeats:
    # sound only if equal keys always hash equal (fixed widths read eight bytes at a time).
    for column in (keys, [k for k in keys if len(k) == 9], [k for k in keys if len(k) == 17]):
        arr = pa.array(column, pa.string())
        if duplicated(arr).any():
            assert any_repeated(key_hashes(arr))
        for offset in (0, 1):
            sliced = arr.slice(min(offset, len(arr)))
            assert (
                key_hashes(sliced).tolist()
                == key_hashes(pa.array(sliced.to_pylist(), pa.string())).tolist()
            )


def test_the_smallest_int64_is_out_of_range_not_a_huge_debt() -> None:
    # |int64 min| is not representable: np.abs returns it unchanged (negative), so an
    # abs-based bound let -2^63 minor units through as a valid amount.
    m = money_array(pa.array([-(2**63), -(10**17), 10**17, 10**17 + 1], pa.int64()), "x", 2)
    assert m.out_of_range.tolist() == [True, False, False, True]
    assert m.values.tolist() == [0, -(10**17), 10**17, 0]


_MONTH_RE = r"[0-9]{4}-(0[1-9]|1[0-2])"
month_like = st.one_of(
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}\Z"),  # seven bytes, mostly months
    st.text(alphabet="0129-é\n", min_size=5, max_size=8),  # near misses, some not ASCII
    st.none(),
)


@given(values=st.lists(month_like, max_size=12), start=st.integers(0, 3))
def test_months_are_numbered_as_the_pattern_reads_them(
    values: list[str | None], start: int
) -> None:
    # Both ways of finding the distinct spellings: all seven bytes (no nulls), or not.
    for column in (values, [v for v in values if v is not None and len(v.encode()) == 7]):
        arr = pa.array(column, pa.string()).slice(min(start, len(column)))
        months, ok = month_numbers(arr)
        expected = [
            v is not None and re.fullmatch(_MONTH_RE, v) is not None for v in arr.to_pylist()
        ]
        assert ok.tolist() == expected
        numbers = [
            int(v[:4]) * 12 + int(v[5:]) - 1 if good else 0
            for v, good in zip(arr.to_pylist(), expected, strict=True)
        ]
        assert months.tolist() == numbers


def test_key_bytes_are_the_patterns_characters() -> None:
    every = np.arange(256, dtype=np.uint8)
    expected = [re.fullmatch(r"[A-Za-z0-9_.:\-]", chr(b)) is not None for b in range(128)]
    assert key_bytes(every).tolist() == expected + [False] * 128


@given(
    totals=st.lists(st.integers(0, 10**17), min_size=1, max_size=20),
    divisor=st.integers(1, 12),
    rounding=st.sampled_from(list(Rounding)),
)
def test_rounded_division_is_the_decimal_quotient_rounded(
    totals: list[int], divisor: int, rounding: Rounding
) -> None:
    # One divisor for the column (the usual window) and one per row give the same;
    # an odd divisor takes the shortcut that has no exact half to break.
    with localcontext() as ctx:
        ctx.prec = 40
        quotients = [Decimal(t) / divisor for t in totals]
        expected = [int(q.quantize(Decimal(1), rounding=rounding.value)) for q in quotients]
    total = np.array(totals, dtype=np.int64)
    assert round_div(total, divisor, rounding).tolist() == expected
    per_row = np.full(len(totals), divisor, dtype=np.int64)
    assert round_div(total, per_row, rounding).tolist() == expected
