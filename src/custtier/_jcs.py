"""RFC 8785 (JSON Canonicalization Scheme): one byte sequence per JSON value.

A playbook's content hash is the sha256 of its canonical JSON, so a verifier
written in any language with a JCS implementation recomputes it from the
playbook's JSON file. The rules (RFC 8785 section 3.2):

* no whitespace; object members sorted by their names' UTF-16 code units
  (not by code points: U+1F600 sorts before U+FB33);
* strings escape only ``"``, ``\\`` and the controls U+0000–U+001F (``\\b``
  ``\\t`` ``\\n`` ``\\f`` ``\\r``, the rest as ``\\u00xx``, lower-case hex);
  everything else is written as itself, in UTF-8;
* numbers as ECMAScript writes an IEEE 754 double (``1e+30``, ``4.5``,
  ``0.002``). Money never meets this: custtier writes amounts as strings.

Integers beyond 2^53 are refused rather than rounded: another language reads
them as doubles, and its hash would not match.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

__all__ = ["MAX_SAFE_INTEGER", "NotCanonicalError", "canonical_json"]

#: The largest integer every JSON reader holds exactly (I-JSON, RFC 7493).
MAX_SAFE_INTEGER = 2**53 - 1

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f"}
_ESCAPES["\r"] = "\\r"


class NotCanonicalError(ValueError):
    """A value JSON cannot carry exactly; ``path`` (dotted, like ``a.b.0``) says where."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path or '<root>'}: {reason}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.path, self.reason))


def canonical_json(value: Any) -> str:
    """``value`` (JSON data: dict, list, str, int, float, bool, None) as RFC 8785 text.

    >>> canonical_json({"b": [1, 2.50, None], "a": "€\\n"})
    '{"a":"€\\\\n","b":[1,2.5,null]}'

    Raises :class:`NotCanonicalError` naming the path for what JSON cannot
    carry exactly: NaN, infinities, integers beyond 2^53 - 1, lone
    surrogates, non-string keys.
    """
    out: list[str] = []
    _write(value, out, "")
    return "".join(out)


_LITERALS = {None: "null", True: "true", False: "false"}


def _write(value: Any, out: list[str], path: str) -> None:
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise NotCanonicalError(path, "object keys must be strings")
        out.append("{")
        for i, key in enumerate(sorted(value, key=_utf16)):
            out.append(f"{',' if i else ''}{_string(key, path)}:")
            _write(value[key], out, _join(path, key))
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out, _join(path, str(i)))
        out.append("]")
    else:
        out.append(_scalar(value, path))


def _scalar(value: Any, path: str) -> str:
    if value is None or isinstance(value, bool):
        return _LITERALS[value]
    if isinstance(value, str):
        return _string(value, path)
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise NotCanonicalError(
                path, "integer beyond 2^53 - 1; JSON readers cannot hold it exactly"
            )
        return str(value)
    if isinstance(value, float):
        return _number(value, path)
    raise NotCanonicalError(path, f"{type(value).__name__} is not JSON data")


def _join(path: str, part: str) -> str:
    return f"{path}.{part}" if path else part


def _utf16(key: str) -> bytes:
    # Big-endian code units compare bytewise exactly as the units compare.
    return key.encode("utf-16-be", "surrogatepass")


def _string(text: str, path: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NotCanonicalError(
            path, "a string holds a lone surrogate, which is not Unicode"
        ) from None
    parts = ['"']
    for ch in text:
        if ch in _ESCAPES:
            parts.append(_ESCAPES[ch])
        elif ch < " ":
            parts.append(f"\\u{ord(ch):04x}")
        else:
            parts.append(ch)
    parts.append('"')
    return "".join(parts)


def _number(x: float, path: str) -> str:
    """ECMAScript's Number.prototype.toString (ECMA-262, 7.1.12.1) for a finite double."""
    if not math.isfinite(x):
        raise NotCanonicalError(path, "NaN and infinities are not JSON numbers")
    if x == 0:
        return "0"  # -0 too
    if x < 0:
        return "-" + _number(-x, path)
    # repr is the shortest text that reads back as x: the digits ECMAScript uses.
    # Decimal(str) is exact whatever the ambient context; no arithmetic here.
    parsed = Decimal(repr(x)).as_tuple()
    digits = "".join(map(str, parsed.digits)).lstrip("0")
    stripped = digits.rstrip("0")
    k = len(stripped)
    n = int(parsed.exponent) + len(digits)  # x = 0.digits × 10^n
    digits = stripped
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return f"{digits[:n]}.{digits[n:]}"
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    e = n - 1
    mantissa = digits if k == 1 else f"{digits[0]}.{digits[1:]}"
    return f"{mantissa}e{'+' if e > 0 else '-'}{abs(e)}"
