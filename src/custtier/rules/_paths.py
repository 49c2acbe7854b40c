"""The type of a playbook setting named by a diff path, to read its old and new values back.

A :class:`~custtier.rules.RuleChange` carries values of many types (an
amount, a list of channels, a whole band); its path names the setting, so
the playbook's own schema says which. ``tiering.bases[assets_under_management]
.bands[tier.aum.high_end].lower`` is a band's ``lower``; ``...bands[x]``
alone is a ``Band``. Keys in brackets may hold dots and brackets themselves
(a row id, a label key), so each ``]`` that could end one is tried.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, TypeAdapter
from pydantic_core import to_json

from custtier._cache import module_cache

__all__ = ["setting_type", "typed"]

# TypeAdapters by path: a what-if's changes repeat a few dozen settings.
_ADAPTERS: dict[str, TypeAdapter[Any] | None] = module_cache({}, "rules._paths._ADAPTERS")
_LIMIT = 4096


def setting_type(path: str) -> Any | None:
    """The annotation of the playbook setting at ``path``, or ``None`` if no setting has it."""
    from custtier.rules.playbook import Playbook  # noqa: PLC0415  # the playbook imports diffs

    return _at(Playbook, path)


def typed(path: str, value: Any) -> Any:
    """``value`` read as the setting at ``path`` holds it (unchanged if no setting has that path).

    From whatever form it comes in (the typed value, a record's JSON-ready
    data, parsed JSON), it goes through JSON, so each form gives the same value.
    """
    if value is None:
        return None
    adapter = _ADAPTERS.get(path)
    if adapter is None and path not in _ADAPTERS:
        found = setting_type(path)
        adapter = None if found is None else TypeAdapter(found)
        if len(_ADAPTERS) < _LIMIT:
            _ADAPTERS[path] = adapter
    if adapter is None:
        return value
    return adapter.validate_json(to_json(value))


def _at(annotation: Any, rest: str) -> Any | None:
    if not rest:
        return annotation
    if rest[0] == "[":
        element = _element(annotation)
        if element is None:
            return None
        end = rest.find("]")
        while end != -1:
            after = rest[end + 1 :]
            if not after or after[0] in ".[":
                found = _at(element, after)
                if found is not None:
                    return found
            end = rest.find("]", end + 1)
        return None
    rest = rest.removeprefix(".")
    cut = min((i for i in (rest.find("."), rest.find("[")) if i != -1), default=len(rest))
    name, rest = rest[:cut], rest[cut:]
    for model in _models(annotation):
        field = model.model_fields.get(name)
        if field is not None:
            inner = (
                field.annotation
                if not field.metadata
                else Annotated[(field.annotation, *field.metadata)]
            )
            return _at(inner, rest)
    return None


def _members(annotation: Any) -> tuple[Any, ...]:
    """The types ``annotation`` may be: itself, or each member of a union; Annotated unwrapped."""
    if get_origin(annotation) is Annotated:
        return _members(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        return tuple(m for a in get_args(annotation) for m in _members(a))
    return (annotation,)


def _models(annotation: Any) -> list[type[BaseModel]]:
    return [m for m in _members(annotation) if isinstance(m, type) and issubclass(m, BaseModel)]


def _element(annotation: Any) -> Any | None:
    """The type of one row of a tuple, or of one value of a mapping."""
    for member in _members(annotation):
        origin, args = get_origin(member), get_args(member)
        if origin is tuple and args:
            return args[0]
        if isinstance(origin, type) and issubclass(origin, Mapping) and len(args) == 2:
            return args[1]
    return None
