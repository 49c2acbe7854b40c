"""Month strings (``YYYY-MM``) of a balance column: checked and numbered once per spelling.

A book's ``monthly_balances`` hold a few million month strings but a few
dozen distinct spellings, so each spelling is checked against
``^[0-9]{4}-(0[1-9]|1[0-2])$`` and numbered once, then broadcast to its
elements. Finding the distinct spellings is most of the cost: when every
string is seven bytes (as every month is), the bytes are read as one
integer per string and the distinct integers found, about half the cost of
hashing the strings.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from custtier.frames._arrow import BOOL, I64

__all__ = ["MONTH_PATTERN", "month_numbers"]

MONTH_PATTERN = r"[0-9]{4}-(0[1-9]|1[0-2])"  # whole string (fullmatch)
_MONTH = re.compile(MONTH_PATTERN)
_WIDTH = 7  # len("YYYY-MM")


def month_numbers(month: Any) -> tuple[I64, BOOL]:
    """Each string as ``year * 12 + month - 1`` (0 where not a month) and whether it is one.

    ``month`` is a ``string`` array; a null is not a month.
    """
    spellings, indices = _distinct(month)
    ok = [s is not None and _MONTH.fullmatch(s) is not None for s in spellings]
    numbers = [
        int(s[:4]) * 12 + int(s[5:]) - 1 if s is not None and good else 0
        for s, good in zip(spellings, ok, strict=True)
    ]
    months: I64 = np.take(np.array(numbers, dtype=np.int64), indices)
    if all(ok):  # every spelling is a month (the usual column): no mask to lay out
        return months, np.ones(len(indices), dtype=np.bool_)
    shaped: BOOL = np.take(np.array(ok, dtype=np.bool_), indices)
    return months, shaped


def _seven_bytes(data: Any, first: int, n: int) -> npt.NDArray[np.uint64]:
    """The ``n`` seven-byte strings from byte ``first`` as one little-endian integer each.

    Eight bytes are read at a stride of seven (no copy of the strings), then
    the eighth, the next string's first byte, is masked off. The last string
    is read on its own when the buffer ends right after it.
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    whole = n if len(raw) >= first + _WIDTH * n + 1 else n - 1
    words = np.ndarray((whole,), dtype="<u8", buffer=raw, offset=first, strides=(_WIDTH,))
    out = np.empty(n, dtype=np.uint64)
    np.bitwise_and(words, np.uint64(2**56 - 1), out=out[:whole])
    if whole < n:
        tail = raw[first + _WIDTH * whole : first + _WIDTH * n]
        out[whole] = int.from_bytes(tail.tobytes(), "little")
    return out


def _spelled(word: int) -> str:
    """A seven-byte word back as its string (latin-1 maps every byte to one character)."""
    return word.to_bytes(8, "little")[:_WIDTH].decode("latin-1")


def _distinct(month: Any) -> tuple[list[str | None], npt.NDArray[np.integer[Any]]]:
    """The distinct spellings (``None`` for null) and each element's index among them."""
    n = len(month)
    if n and not month.null_count:
        _, offset_buffer, data = month.buffers()
        offsets = np.frombuffer(offset_buffer, dtype=np.int32)[month.offset : month.offset + n + 1]
        first = int(offsets[0])
        fixed = int(offsets[-1]) - first == _WIDTH * n and bool((np.diff(offsets) == _WIDTH).all())
    else:
        fixed = False
    if fixed:
        coded = pc.dictionary_encode(pa.array(_seven_bytes(data, first, n)))
        keys: list[int] = coded.dictionary.to_pylist()
        # latin-1 maps every byte to one character: a byte that is not ASCII
        # stays a character the pattern refuses, as on the UTF-8 text.
        spelled: list[str | None] = [_spelled(k) for k in keys]
        return spelled, coded.indices.to_numpy()
    coded = pc.dictionary_encode(month)
    spelled = coded.dictionary.to_pylist()
    # Nulls get their own entry at the end.
    indices = pc.fill_null(coded.indices, len(spelled)).to_numpy(zero_copy_only=False)
    return [*spelled, None], np.asarray(indices, dtype=np.intp)
