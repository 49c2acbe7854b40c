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
    months: I64 = np.array(numbers, dtype=np.int64)[indices]
    shaped: BOOL = np.array(ok, dtype=np.bool_)[indices]
    return months, shaped


def _distinct(month: Any) -> tuple[list[str | None], npt.NDArray[np.intp]]:
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
        raw = np.frombuffer(data, dtype=np.uint8)
        # Seven bytes per string, zero-padded to eight: one uint64 per string.
        padded = np.zeros((n, 8), dtype=np.uint8)
        padded[:, :_WIDTH] = raw[first : first + _WIDTH * n].reshape(n, _WIDTH)
        coded = pc.dictionary_encode(pa.array(padded.view(np.uint64).ravel()))
        keys: list[int] = coded.dictionary.to_pylist()
        # latin-1 maps every byte to one character: a byte that is not ASCII
        # stays a character the pattern refuses, as on the UTF-8 text.
        spelled: list[str | None] = [
            k.to_bytes(8, "little")[:_WIDTH].decode("latin-1") for k in keys
        ]
        return spelled, np.asarray(coded.indices.to_numpy(), dtype=np.intp)
    coded = pc.dictionary_encode(month)
    spelled = coded.dictionary.to_pylist()
    # Nulls get their own entry at the end.
    indices = pc.fill_null(coded.indices, len(spelled)).to_numpy(zero_copy_only=False)
    return [*spelled, None], np.asarray(indices, dtype=np.intp)
