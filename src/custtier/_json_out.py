"""JSON written from fragments, byte for byte what pydantic-core writes.

A customer's audit JSON is mostly text that other customers' JSON holds
too: the playbook reference, the shared reasons of the explanation tables
(a matrix row, a cooling-off note), the fixed field names between them.
pydantic-core writes all of it again for every decision. A writer here
splices the JSON of a model from pieces: each shared model's JSON once
(:class:`Fragments`, written by pydantic itself), and each value that
varies per customer escaped as pydantic-core escapes it (:func:`string`,
:func:`decimal`, :func:`date`). :func:`finish` joins them and refuses what
pydantic would refuse (a lone surrogate cannot be UTF-8), so a writer can
fall back to pydantic, which raises its own error.

Writers must be held byte-identical to pydantic's serializer by property
tests (tests/test_json_out.py) and must return ``None`` (fall back) for any
value they do not know.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

__all__ = ["Fragments", "date", "decimal", "finish", "model_json", "string"]

#: A str as pydantic-core writes it: ``"`` and ``\\`` escaped, control characters
#: (below U+0020) as ``\b \f \n \r \t`` or ``\u00xx`` in lower case, everything
#: else (U+007F, U+2028, non-BMP) as itself. serde_json and the stdlib agree.
string = json.encoder.encode_basestring


def decimal(value: Decimal) -> str:
    """A ``Decimal`` as pydantic-core writes it: its ``str`` as a JSON string."""
    return f'"{value!s}"'  # !s: format() of a Decimal is three times slower than str


def date(value: dt.date) -> str:
    """A ``date`` as pydantic-core writes it: ISO 8601 as a JSON string."""
    return f'"{value.isoformat()}"'


def model_json(model: BaseModel) -> str:
    """``model.model_dump_json()`` without options, as pydantic-core writes it."""
    return model.__pydantic_serializer__.to_json(model).decode()


def finish(parts: list[str]) -> str | None:
    """The parts joined; ``None`` if pydantic could not write it (a lone surrogate)."""
    out = "".join(parts)
    if out.isascii():
        return out
    try:
        out.encode()
    except UnicodeEncodeError:
        return None
    return out


class Fragments:
    """The JSON of shared immutable models, written once each (by pydantic) and reused.

    Keyed by object identity; each entry holds its object, so an ``id()``
    cannot be recycled while its entry lives. Past ``limit`` entries the
    memo is emptied and refilled: a writer that meets many unshared models
    costs memory never more than ``limit`` entries, and shared ones are
    written again once. Two threads may both write an entry; either is kept.
    """

    __slots__ = ("_entries", "_limit", "get_entry")

    def __init__(self, limit: int = 8192) -> None:
        self._entries: dict[int, tuple[Any, str]] = {}
        self._limit = limit
        #: ``get_entry(id(model))``: the entry, if any, for a hot loop to check itself
        #: (``entry[0] is model``) before calling the memo.
        self.get_entry = self._entries.get

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Forget every entry (each is written again on next use)."""
        self._entries.clear()

    def __call__(self, model: BaseModel) -> str:
        """The JSON of ``model``, from the memo when it was written before."""
        hit = self._entries.get(id(model))
        if hit is not None and hit[0] is model:
            return hit[1]
        text = model_json(model)
        if len(self._entries) >= self._limit:
            self._entries.clear()
        self._entries[id(model)] = (model, text)
        return text
