"""What changed between two playbooks, rule by rule: the committee's first question.

The walk is generic over the playbook's model fields, so a section added to
the playbook later is covered without touching this module. Rows of a tuple
are matched by their key (``rule_id``, else ``id``, else the row's first
field when it is unique on both sides, else their position), so moving a row
is not reported as "every row after it changed".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from custtier._enum import Vocabulary
from custtier.models._base import CusttierModel
from custtier.rules._lookup import _index
from custtier.rules._paths import typed
from custtier.rules._tiering import TierDef

if TYPE_CHECKING:
    from custtier.rules.playbook import Playbook

__all__ = ["ChangeKind", "RuleChange", "diff"]


class ChangeKind(Vocabulary):
    """What happened to a setting or a row."""

    CHANGED = "changed"  # a setting's value (old -> new)
    ADDED = "added"  # a row only the new playbook has (``old`` is None)
    REMOVED = "removed"  # a row only the old playbook has (``new`` is None)


class RuleChange(CusttierModel):
    """One difference between two playbooks.

    ``path`` names the setting, rows by their key:
    ``tiering.bases[assets_under_management].bands[tier.aum.high_end].lower``.
    ``rule_id`` is the nearest enclosing row's id that ``Playbook.find_rule``
    resolves (in the new playbook, or the old one for a removed row); settings
    outside any identified row cite their section (``playbook`` for ``title``,
    ``tiering`` for ``tiering.combine``, ``tiering.basis.<basis>`` for a
    basis's ``window_months``). ``None`` only when a bank's own row id shadows
    such a section name. ``old`` and
    ``new`` are the values (a whole row, as a model, when added or removed).
    """

    kind: ChangeKind
    path: str
    rule_id: str | None
    old: Any = Field(default=None)
    new: Any = Field(default=None)

    @field_validator("old", "new", mode="before")
    @classmethod
    def _typed_by_path(cls, value: Any, info: ValidationInfo) -> Any:
        # Read as the setting at path holds it (a band, an amount, a tuple of channels), so
        # a change read back from its JSON or record equals it. path is validated first.
        path = info.data.get("path")
        return value if path is None else typed(path, value)

    def __str__(self) -> str:
        where = f"{self.path} ({self.rule_id})" if self.rule_id else self.path
        if self.kind is ChangeKind.ADDED:
            return f"added {where}"
        if self.kind is ChangeKind.REMOVED:
            return f"removed {where}"
        return f"{where}: {_show(self.old)} -> {_show(self.new)}"


def diff(old: Playbook, new: Playbook) -> tuple[RuleChange, ...]:
    """Every difference from ``old`` to ``new``, in the old playbook's field order.

    Empty exactly when the two have the same content hash.
    """
    if old.content_hash == new.content_hash:
        return ()
    ids = (_ids_of(old), _ids_of(new))
    known = _index(old).keys() | _index(new).keys()
    return tuple(
        c if c.rule_id is None or c.rule_id in known else c.model_copy(update={"rule_id": None})
        for c in _walk(old, new, "", None, ids)
    )


# Conventions of find_rule that name a whole section: cite them only for their own fields.
_SECTION_IDS = {
    ("risk", "elderly_age"): "risk.elderly",
    ("risk", "elderly_max_level"): "risk.elderly",
    ("cadence", "lunar_leap_month"): "cadence.lunar",
    ("cadence", "lunar_short_month"): "cadence.lunar",
}


def _ids_of(playbook: Playbook) -> dict[int, str]:
    """Row or section object -> the id find_rule resolves it by."""
    out: dict[int, str] = {}
    for rule_id, row in _index(playbook).items():
        if row is playbook.cadence or row is playbook.risk:
            continue  # a section reached by convention; see _SECTION_IDS
        if isinstance(row, TierDef) and rule_id.startswith("kyc."):
            continue  # kyc.<tier> names kyc_requires only; see _SECTION_IDS
        out.setdefault(id(row), rule_id)
    index = _index(playbook)
    for section in ("cadence", "risk"):
        if index.get(section) is getattr(playbook, section):
            out[id(getattr(playbook, section))] = section
    return out


def _walk(
    old: Any, new: Any, path: str, cited: str | None, ids: tuple[dict[int, str], dict[int, str]]
) -> Iterator[RuleChange]:
    if isinstance(old, BaseModel) and type(old) is type(new):
        cited = ids[1].get(id(new), ids[0].get(id(old), cited))
        section = path.rsplit(".", 1)[-1]
        for name in type(old).model_fields:
            here = f"{path}.{name}" if path else name
            rule = _SECTION_IDS.get((section, name), cited)
            if section == "cadence" and name == "leap_day":
                rule = f"cadence.leap_day.{getattr(new, name)}"
            if isinstance(new, TierDef) and name == "kyc_requires":
                rule = f"kyc.{new.id}"
            yield from _walk(getattr(old, name), getattr(new, name), here, rule, ids)
    elif _rows(old) and _rows(new):
        yield from _walk_rows(old, new, path, cited, ids)
    elif isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in [*old, *(k for k in new if k not in old)]:
            here = f"{path}[{key}]"
            if key not in new:
                yield RuleChange(kind=ChangeKind.REMOVED, path=here, rule_id=cited, old=old[key])
            elif key not in old:
                yield RuleChange(kind=ChangeKind.ADDED, path=here, rule_id=cited, new=new[key])
            else:
                yield from _walk(old[key], new[key], here, cited, ids)
    elif old != new or type(old) is not type(new):
        yield RuleChange(kind=ChangeKind.CHANGED, path=path, rule_id=cited, old=old, new=new)


def _rows(value: Any) -> bool:
    """A tuple of models (a table of rows); an empty tuple counts, so rows can be added."""
    return isinstance(value, tuple) and all(isinstance(v, BaseModel) for v in value)


def _walk_rows(
    old: Sequence[BaseModel],
    new: Sequence[BaseModel],
    path: str,
    cited: str | None,
    ids: tuple[dict[int, str], dict[int, str]],
) -> Iterator[RuleChange]:
    field = _key_field(old, new)
    olds = {_key(row, field, i): row for i, row in enumerate(old)}
    news = {_key(row, field, i): row for i, row in enumerate(new)}
    for key, row in olds.items():
        here = f"{path}[{key}]"
        if key not in news:
            rule = ids[0].get(id(row), cited)
            yield RuleChange(kind=ChangeKind.REMOVED, path=here, rule_id=rule, old=row)
        else:
            yield from _walk(row, news[key], here, cited, ids)
    for key, row in news.items():
        if key not in olds:
            rule = ids[1].get(id(row), cited)
            yield RuleChange(kind=ChangeKind.ADDED, path=f"{path}[{key}]", rule_id=rule, new=row)


def _key_field(old: Sequence[BaseModel], new: Sequence[BaseModel]) -> str | None:
    """The field that keys these rows: ``rule_id``, ``id``, else a unique first field."""
    rows = [*old, *new]
    if not rows or any(type(r) is not type(rows[0]) for r in rows):
        return None
    fields = list(type(rows[0]).model_fields)
    for name in ("rule_id", "id", fields[0]):
        if name in fields and _unique(old, name) and _unique(new, name):
            return name
    return None


def _unique(rows: Sequence[BaseModel], name: str) -> bool:
    values = [getattr(r, name) for r in rows]
    scalar = all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in values)
    return scalar and len(set(values)) == len(values)


def _key(row: BaseModel, field: str | None, index: int) -> str:
    return str(index) if field is None else str(getattr(row, field))


def _show(value: Any) -> str:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)
