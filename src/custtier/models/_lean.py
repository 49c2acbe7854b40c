"""A model's lean validator: its own schema without the Python checks, then one pass over them.

A customer record passes about a dozen of custtier's Python checks (each
model's after-validator, the sorted-and-unique lists, every amount against
the currency), one call and one walk of its list each. Nearly every record
passes them all unchanged: months already in order, one consent per channel,
amounts at the currency's scale. A *lean* validator compiles the model's own
core schema with those checks taken out and a single Python pass at the end
that asks one question: would every check have let the record through
untouched? If so its result is the model the full validation builds, value
for value; if not, or if anything else fails, the caller throws it away and
runs the full validation, which decides and words every refusal as before.

Like :class:`custtier._fast.FastPath` one level up: the lean validator may
accept less than the model, never more, and never gives another value
(tests/test_models_lean.py holds both on generated and hostile records).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from typing import Any

from pydantic._internal._validators import max_length_validator
from pydantic_core import CoreSchema, SchemaValidator, core_schema

from custtier._fast import LEAN

__all__ = ["lean_validator"]


def lean_validator(
    schema: CoreSchema, checks: Collection[str], final: Callable[[Any], Any]
) -> SchemaValidator:
    """``schema`` compiled without the after-validators named in ``checks``, then ``final``.

    ``checks`` are qualified names (``"Customer._consistent"``); each must
    be found at least once, so a renamed validator fails here, loudly, not
    silently kept twice or lost. ``final`` gets the built model and raises
    ``ValueError`` unless every removed check would have passed it unchanged.
    """
    found: set[str] = set()
    lean = _strip(schema, frozenset(checks), found)
    missing = set(checks) - found
    if missing:
        raise RuntimeError(f"lean validator: no such validator in the schema: {sorted(missing)}")
    # pydantic-core puts a finished model class's own validator wherever its
    # schema appears: marked unfinished while this one is compiled, each model
    # is compiled from its lean schema instead.
    finished = [cls for cls in _models(lean) if cls.__dict__.get("__pydantic_complete__")]
    for cls in finished:
        setattr(cls, "__pydantic_complete__", False)  # noqa: B010
    try:
        return SchemaValidator(core_schema.no_info_after_validator_function(final, lean))
    finally:
        for cls in finished:
            setattr(cls, "__pydantic_complete__", True)  # noqa: B010


def _models(node: Any) -> set[type]:
    if isinstance(node, list | tuple):
        return set().union(*map(_models, node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found = {node["cls"]} if node.get("type") == "model" else set()
    return found.union(*(_models(v) for k, v in node.items() if k not in _AS_IS))


def _strip(node: Any, checks: frozenset[str], found: set[str]) -> Any:
    if isinstance(node, list | tuple):
        return type(node)(_strip(item, checks, found) for item in node)
    if not isinstance(node, dict):
        return node
    if node.get("type") == "definition-ref":  # shared definitions would need their own copy
        raise RuntimeError("lean validator: schemas with definitions are not supported")
    metadata = node.get("metadata")
    if isinstance(metadata, dict) and LEAN in metadata:
        # A FastPath's union: its lean form; a JsonAsSent type: built from the node.
        lean = metadata[LEAN]
        return _strip(lean(node) if callable(lean) else lean, checks, found)
    if node.get("type") == "function-after":
        return _function_after(node, checks, found)
    # No schema here is referred to (definition-refs are refused above), and
    # a lean form may hold a copy of a referable one: references are dropped.
    return {
        key: value if key in _AS_IS else _strip(value, checks, found)
        for key, value in node.items()
        if key != "ref"
    }


def _function_after(node: dict[str, Any], checks: frozenset[str], found: set[str]) -> Any:
    function = node["function"]["function"]
    name = getattr(function, "__qualname__", "")
    inner = _strip(node["schema"], checks, found)
    if name in checks:
        found.add(name)
        return inner
    if (
        isinstance(function, functools.partial)
        and function.func is max_length_validator
        and inner.get("type") == "str"
        and "max_length" not in inner
    ):
        # pydantic checks a length it cannot place on a union in Python; on
        # the lean form (a str schema) it is placed natively.
        return {**inner, "max_length": function.keywords["max_length"]}
    return {**node, "schema": inner}


# Keys whose values are not schemas (functions, classes, defaults): kept as they are.
_AS_IS = frozenset(
    {"function", "serialization", "metadata", "cls", "default", "default_factory", "members"}
)
