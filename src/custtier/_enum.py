"""The base of custtier's closed vocabularies: a ``StrEnum`` pydantic writes natively."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, cast

from pydantic_core import core_schema

__all__ = ["Vocabulary"]


class Vocabulary(StrEnum):
    """A ``StrEnum`` whose members pydantic-core writes to JSON as the strings they are.

    pydantic's enum serializer reads each member's ``.value``, a Python
    property: two Python calls per member, about 170 per customer in a
    decision's audit JSON (every reason code, channel, occasion...). A member
    of a ``StrEnum`` *is* its value as a string, so the str serializer writes
    the same bytes natively. Validation and the JSON Schema are the enum's;
    ``model_dump()`` still returns members, ``model_dump(mode="json")`` plain
    strings, as before (tests/test_models.py::test_vocabulary_dumps_as_before).
    """

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        schema: core_schema.CoreSchema = handler(source)
        cast("dict[str, Any]", schema)["serialization"] = core_schema.simple_ser_schema("str")
        return schema
