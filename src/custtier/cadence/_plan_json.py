"""A contact plan's JSON spliced from its contacts' shared parts, byte for byte pydantic's.

Most of a plan's audit JSON is text other customers' plans hold too: each
contact's tier, rule, channel, purpose, owner, due date and label, and above
all its reasons (shared objects whose JSON pydantic writes once). When
``plan_contacts`` builds a plan it records, beside it, the occurrence each
touchpoint and unscheduled item was built from (:func:`remember`, by the
plan's identity, dropped when the plan is); ``ContactPlan.model_dump_json()``
without options then splices the plan from those occurrences' JSON and each
item's own values (key, manager, day, time, KYC items, code), escaped as
pydantic-core escapes them (``custtier._json_out``). A plan built any other
way (validated, copied), any option, or a value the writer does not know goes
to pydantic. Held to pydantic's bytes by property tests (tests/test_plan_json.py).
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter

from custtier import _json_out as jo
from custtier._cache import module_cache
from custtier.cadence._occurrence import Occurrence

if TYPE_CHECKING:
    from custtier.cadence._models import ContactPlan

__all__ = ["plan_json", "remember"]

_Entry = tuple["weakref.ref[ContactPlan]", tuple[Occurrence, ...], tuple[Occurrence, ...]]
# By the plan's id: a weak reference to it (checked: an id is reused only once the plan
# is gone, and its entry with it) and the occurrences of its touchpoints and items.
_plans: dict[int, _Entry] = module_cache({}, "cadence._plan_json._plans")

_reasons = module_cache(
    jo.Fragments(limit=32_768), "cadence._plan_json._reasons"
)  # shared Reason objects, written once by pydantic
_LIMIT = 16_384
# Send times, shared through the tables.
_times: dict[int, tuple[dt.datetime, str]] = module_cache({}, "cadence._plan_json._times")
_DATETIME = TypeAdapter(dt.datetime)


def remember(
    plan: ContactPlan, touch: tuple[Occurrence, ...], unscheduled: tuple[Occurrence, ...]
) -> None:
    """Record the occurrences ``plan``'s touchpoints and unscheduled items were built from."""
    key = id(plan)

    def forget(_: object) -> None:
        _plans.pop(key, None)

    _plans[key] = (weakref.ref(plan, forget), touch, unscheduled)


def plan_json(plan: ContactPlan) -> str | None:
    """``plan``'s JSON as pydantic writes it, or ``None`` (let pydantic write it)."""
    entry = _plans.get(id(plan))
    if entry is None or entry[0]() is not plan:
        return None
    _, touch_occs, unsched_occs = entry
    d = plan.__dict__
    touchpoints, unscheduled = d["touchpoints"], d["unscheduled"]
    if len(touchpoints) != len(touch_occs) or len(unscheduled) != len(unsched_occs):
        return None
    parts = [
        '{"playbook":',
        _reasons(d["playbook"]),
        ',"start":',
        jo.date(d["start"]),
        ',"end":',
        jo.date(d["end"]),
        ',"calendar":',
        jo.string(d["calendar"]),
        f',"required":{d["required"]:d},"provisional":{d["provisional"]:d},"touchpoints":[',
    ]
    _items(parts, touchpoints, touch_occs, _touch_rest)
    parts.append('],"unscheduled":[')
    _items(parts, unscheduled, unsched_occs, _unscheduled_rest)
    parts.append('],"load":[')
    parts.append(",".join(map(_load_json, d["load"])))
    parts.append('],"errors":[')
    parts.append(",".join(map(jo.model_json, d["errors"])))
    parts.append("]}")
    return jo.finish(parts)


def _items(
    parts: list[str],
    items: Sequence[Any],
    occs: tuple[Occurrence, ...],
    rest: Callable[[dict[str, Any], Occurrence], str],
) -> None:
    """Each touchpoint or unscheduled item: its customer and manager, then ``rest``."""
    string = jo.string
    sep = ""
    for item, occ in zip(items, occs, strict=True):
        v = item.__dict__
        manager = v["manager_id"]
        parts.append(
            f'{sep}{{"customer_key":{string(v["customer_key"])}{occ.json_head}'
            f',"manager_id":{"null" if manager is None else string(manager)}'
        )
        parts.append(rest(v, occ))
        sep = ","


def _touch_rest(v: dict[str, Any], occ: Occurrence) -> str:
    """A touchpoint's JSON from ``"on"`` to its end; shared when its reasons are the occurrence's."""
    on, at, reasons, kyc = v["on"], v["at"], v["reasons"], v["kyc_items"]
    key = None
    if not kyc:
        minute = -1 if at is None else at.hour * 60 + at.minute
        j = (on - occ.start).days
        tail = occ.tails.get((j, minute))
        if tail is not None and reasons is tail[1]:  # no note of the customer's own
            key = (j, minute, None if at is None else at.tzinfo)
            found = occ.chunks.get(key)
            if found is not None:
                return found
    text = (
        f',"on":"{on.isoformat()}","at":{_time_json(at)}{occ.json_touch}'
        f',"kyc_items":[{",".join(map(jo.string, kyc))}],"reasons":{_reasons_json(reasons)}}}'
    )
    if key is not None:
        occ.chunks[key] = text
    return text


def _unscheduled_rest(v: dict[str, Any], occ: Occurrence) -> str:
    """An unscheduled item's JSON from ``"due_on"`` on; shared when its reasons are the occurrence's."""
    reasons = v["reasons"]
    key = None
    if len(reasons) == 2 and reasons[1] is occ.reason:
        first = reasons[0]
        if any(first is why for why in occ.why.values()):  # held there: its id is its own
            key = ("unscheduled", id(first))
            found = occ.chunks.get(key)
            if found is not None:
                return found
    text = (
        f'{occ.json_unscheduled},"code":{jo.string(v["code"])},"reasons":{_reasons_json(reasons)}}}'
    )
    if key is not None:
        occ.chunks[key] = text
    return text


def _reasons_json(reasons: tuple[Any, ...]) -> str:
    get = _reasons.get_entry
    out = []
    for r in reasons:
        hit = get(id(r))
        out.append(hit[1] if hit is not None and hit[0] is r else _reasons(r))
    return f"[{','.join(out)}]"


def _time_json(at: dt.datetime | None) -> str:
    if at is None:
        return "null"
    hit = _times.get(id(at))
    if hit is not None and hit[0] is at:
        return hit[1]
    text = _DATETIME.dump_json(at).decode()
    if len(_times) >= _LIMIT:
        _times.clear()
    _times[id(at)] = (at, text)
    return text


def _load_json(row: Any) -> str:
    v = row.__dict__
    capacity = v["capacity_minutes"]
    return (
        f'{{"manager_id":{jo.string(v["manager_id"])},"week":{jo.string(v["week"])}'
        f',"capacity_minutes":{"null" if capacity is None else f"{capacity:d}"}'
        f',"booked_minutes":{v["booked_minutes"]:d},"touchpoints":{v["touchpoints"]:d}'
        f',"unscheduled":{v["unscheduled"]:d}}}'
    )
