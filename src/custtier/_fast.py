"""Native fast paths in front of the Python validators that define a type.

A record's dates and amounts are checked by Python validators (``_day``,
``check_amount``) whose refusals name the problem in custtier's words. Most
values are plain (``"2026-11-30"``, ``"1234.50"``), and for those the checks
can run inside pydantic-core, without a call back into Python: about a
dozen dates and sixteen amounts a customer, two thirds of what custtier's
validation added to a bare pydantic model.

:class:`FastPath` puts native schemas *in front of* the reference
validation, in a left-to-right union: the first that accepts a value decides
it; a value none of them accepts goes to the reference validators, exactly as
before. So a fast path may be narrower than the type, never wider, and must
give the same value where it accepts one (tests/test_models_fast_path.py holds
both for every fast path). When the reference refuses a value too, pydantic
lists the fast paths' errors beside its own; :func:`custtier.errors._details`
drops them and the union's label, so a refusal keeps its field, type and message.
"""

from __future__ import annotations

from typing import Any, cast

from pydantic_core import core_schema

__all__ = ["FAST_PATH", "LEAN", "REFERENCE", "FastPath", "JsonAsSent"]

#: Location labels of the union's members in pydantic's raw errors.
FAST_PATH = "<fast path>"
REFERENCE = "<reference>"

#: The union's metadata key for its form in a lean validator (models/_lean.py).
LEAN = "custtier_lean"


class JsonAsSent:
    """An ``Annotated`` marker, after a ``BeforeValidator``: a lean validator reads JSON without it.

    A before-validator on JSON input is handed the value converted to
    Python, then the schema inside validates that Python value again. In a
    lean validator (models/_lean.py) JSON input goes straight to that inner
    schema, strict (JSON gives exact strings, integers and lists). Python
    input keeps the before-validator, unless ``python_sequences``: then a
    tuple or list is read as sent too (a set, a generator or anything else
    keeps the before-validator's turn by failing the lean validator, which a
    generator it consumed could not survive). The model's lean pass must then
    check whatever the before-validator would have changed (a set's order).
    """

    def __init__(self, *, python_sequences: bool = False) -> None:
        self.python_sequences = python_sequences

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        schema: core_schema.CoreSchema = handler(source)
        node = cast("dict[str, Any]", schema)
        if node["type"] != "function-before":
            raise TypeError("JsonAsSent follows a BeforeValidator")
        lean = _sequences_as_sent if self.python_sequences else _json_as_sent
        node.setdefault("metadata", {})[LEAN] = lean
        return schema


def _json_as_sent(schema: core_schema.CoreSchema) -> core_schema.CoreSchema:
    # Built from the final node, after pydantic placed any constraints (ge, le) inside it.
    inner = cast("dict[str, Any]", schema)["schema"]
    return core_schema.json_or_python_schema(
        json_schema=cast("core_schema.CoreSchema", {**inner, "strict": True}),
        python_schema=cast("core_schema.CoreSchema", {**schema, "metadata": {}}),
    )


def _sequences_as_sent(schema: core_schema.CoreSchema) -> core_schema.CoreSchema:
    # A tuple's items as sent, from JSON, a tuple or a list; the container is strict
    # (its items keep their own mode), so nothing is consumed before a refusal.
    inner = cast("dict[str, Any]", schema)["schema"]
    if inner.get("type") != "tuple" or inner.get("variadic_item_index") != 0:
        raise TypeError("JsonAsSent(python_sequences=True) reads a variadic tuple")
    exact = cast("core_schema.CoreSchema", {**inner, "strict": True})
    (item,) = inner["items_schema"]
    from_list = core_schema.no_info_after_validator_function(
        tuple, core_schema.list_schema(item, strict=True)
    )
    return core_schema.union_schema([exact, from_list], mode="left_to_right")


class FastPath:
    """An ``Annotated`` marker: try ``fast`` (native core schemas) before the type's own validation.

    Place it after the validators it stands in front of and before any
    serializer, which then applies to the union. ``serialization`` is the
    union's serializer when no later annotation sets one (pydantic would
    otherwise try the members one by one); ``json_schema``, if given, is the
    type's JSON Schema as it was before the fast path.

    ``lean`` is what a lean validator (models/_lean.py) reads instead of the
    whole union: the fast members alone unless given. A lean validator's
    refusal is never seen (the full validation runs instead), so the lean
    form may be narrower still; it must give the reference's value wherever
    it accepts one.
    """

    def __init__(
        self,
        *fast: core_schema.CoreSchema,
        serialization: core_schema.SerSchema | None = None,
        json_schema: dict[str, Any] | None = None,
        lean: core_schema.CoreSchema | None = None,
    ) -> None:
        self.fast = fast
        self.serialization = serialization
        self.json_schema = json_schema
        if lean is None:
            lean = (
                fast[0]
                if len(fast) == 1
                else core_schema.union_schema(list(fast), mode="left_to_right")
            )
        self.lean = lean

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        reference: core_schema.CoreSchema = handler(source)
        return core_schema.union_schema(
            [*((schema, FAST_PATH) for schema in self.fast), (reference, REFERENCE)],
            mode="left_to_right",
            serialization=self.serialization,
            metadata={LEAN: self.lean},
        )

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> Any:
        # The type is what the reference validation accepts: describe that
        # (or as given, where pydantic described the reference differently alone).
        if self.json_schema is not None:
            return dict(self.json_schema)
        union = cast("dict[str, Any]", schema)
        written_by = union.get("serialization", {}).get("type", "")
        if handler.mode == "serialization" and written_by.startswith("function"):
            return handler(union)  # what a later serializer function writes
        return handler(union["choices"][-1][0])
