"""``worklist`` and ``worklists``: rank a manager's items and fit them to the days' hours.

One tiering of the whole book (the Pareto rule needs it) and one contact
plan (the planner's consent, do-not-contact, caps, quiet hours and weekly
levelling) feed the items; the playbook's ``worklist`` section ranks them;
then each day of the horizon takes items in rank order while the manager's
hours for the day last. What a day has no room for moves to the next one;
what no day has room for is carried over. Nothing is dropped.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from custtier._args import as_date, as_playbook, as_records
from custtier._error_codes import ErrorCode
from custtier._explain import ErrorRecord, Reason, ReasonCode, construct
from custtier._money import exact_context
from custtier.cadence import Calendar, Touchpoint, Unscheduled, WeekendCalendar, plan_contacts
from custtier.cadence._level import cap_allows, counts_toward
from custtier.errors import CusttierError, InputError, RecordValidationError
from custtier.models import ContactRecord, Customer, Product, RelationshipManager
from custtier.rules import Playbook, TieBreak, WorklistRules
from custtier.tiering import BookTiering, tier_book
from custtier.worklist._items import Draft, drafts
from custtier.worklist._models import BookWorklists, WorkDay, WorkItem, Worklist

__all__ = ["worklist", "worklists"]

_MINUTES_PER_HOUR = 60


def worklist(  # the engines' inputs, keyword-only
    manager: RelationshipManager,
    book: Iterable[Customer | Mapping[str, Any]],
    playbook: Playbook,
    *,
    on: dt.date,
    horizon_days: int | None = None,
    history: Iterable[ContactRecord] = (),
    catalogue: Iterable[Product] = (),
    calendar: Calendar | None = None,
    tiers: BookTiering | None = None,
) -> Worklist:
    """``manager``'s worklist from ``on``: the day's ranked list, the next days', what carries over.

    ``book`` is the whole book (tiered as one: the Pareto rule needs every
    customer) unless ``tiers``, the book's :func:`~custtier.tier_book` of the
    same playbook, is given. The manager's customers are those whose
    ``manager_id`` is ``manager.id``. ``horizon_days`` (default: the
    playbook's ``worklist.horizon_days``) sets ``end = on + horizon_days - 1``:
    contacts are planned over ``[on, end]`` with :func:`~custtier.plan_contacts`
    (``history`` and ``calendar`` as there, the manager's weekly hours
    levelled); risk assessments lapsing and holdings maturing by ``end`` are
    listed, a maturity with the reinvestment options
    :func:`~custtier.allocate` gives for its principal over ``catalogue`` on
    the maturity day. A day's hours are the weekly hours over the playbook's
    ``working_days_per_week``, on the calendar's business days.

    >>> import datetime as dt
    >>> from custtier import Customer, RelationshipManager, presets
    >>> rm = RelationshipManager(id="RM-1", capacity_hours_per_week="30")
    >>> c = Customer(key="C1", manager_id="RM-1", contact={"consents": [{"channel": "phone"}]})
    >>> w = worklist(rm, [c], presets.PRACTICE, on=dt.date(2026, 11, 30))
    >>> [(i.customer_key, i.kind.value, i.channel.value) for i in w.today]
    [('C1', 'kyc_gap', 'phone')]
    >>> [str(k) for k in w.today[0].kyc_items]  # what the mass tier's file lacks
    ['aml_rating', 'identity']
    """
    if not isinstance(manager, RelationshipManager):
        raise InputError("manager must be a RelationshipManager", field="manager")
    out = _run(book, playbook, (manager,), on, horizon_days, history, catalogue, calendar, tiers)
    return out.worklists[0]


def worklists(  # the engines' inputs, keyword-only
    book: Iterable[Customer | Mapping[str, Any]],
    playbook: Playbook,
    managers: Iterable[RelationshipManager],
    *,
    on: dt.date,
    horizon_days: int | None = None,
    history: Iterable[ContactRecord] = (),
    catalogue: Iterable[Product] = (),
    calendar: Calendar | None = None,
    tiers: BookTiering | None = None,
) -> BookWorklists:
    """Every manager's worklist for ``book`` in one pass: one tiering, one contact plan.

    Equal, manager by manager, to :func:`worklist` with the same inputs (the
    planner levels each manager's hours and caps each customer on their
    own). ``to_arrow("items")`` gives every item of every list as one table.
    """
    return _run(
        book,
        playbook,
        tuple(as_records(managers, "managers")),
        on,
        horizon_days,
        history,
        catalogue,
        calendar,
        tiers,
    )


def _run(  # noqa: PLR0917  # the public functions' inputs
    book: Iterable[Customer | Mapping[str, Any]],
    playbook: Playbook,
    managers: tuple[RelationshipManager, ...],
    on: dt.date,
    horizon_days: int | None,
    history: Iterable[ContactRecord],
    catalogue: Iterable[Product],
    calendar: Calendar | None,
    tiers: BookTiering | None,
) -> BookWorklists:
    book, playbook = as_records(book, "book"), as_playbook(playbook)
    on = as_date(on, "on")
    if not all(isinstance(m, RelationshipManager) for m in managers):
        raise InputError("managers must be RelationshipManager models", field="managers")
    rules = playbook.worklist
    if rules is None:
        raise InputError(
            "the playbook has no worklist section; add one (see the presets)", field="worklist"
        )
    horizon = rules.horizon_days if horizon_days is None else horizon_days
    if isinstance(horizon, bool) or not isinstance(horizon, int) or not 1 <= horizon <= 366:
        raise InputError("horizon_days must be a whole number in [1, 366]", field="horizon_days")
    ids = [m.id for m in managers]
    if len(set(ids)) != len(ids):
        raise InputError("a manager is listed twice; list each once", field="managers")
    end = on + dt.timedelta(days=horizon - 1)
    products = tuple(catalogue)
    records = tuple(history)
    cal = calendar if calendar is not None else WeekendCalendar()
    customers, tiering = _tiered(book, playbook, on, tiers)
    positions = {c.key: i for i, c in customers}
    decisions = {d.customer_key: d for d in tiering.decisions}
    staff = set(ids)
    mine = sorted(
        (c for _, c in customers if c.manager_id in staff and c.key in decisions),
        key=lambda c: c.key,
    )
    plan = plan_contacts(
        mine,
        playbook,
        start=on,
        end=end,
        tiers={c.key: decisions[c.key] for c in mine},
        calendar=cal,
        managers=managers,
        history=records,
    )
    # The plan numbers its errors by position among the customers it was given.
    errors = [*tiering.errors, *(_at(e, positions) for e in plan.errors)]
    candidates = {c.customer_key: c for c in tiering.candidates}
    # Grouped once: each customer's own contacts, each manager's own customers.
    tps_of: dict[str, list[Touchpoint]] = {}
    uns_of: dict[str, list[Unscheduled]] = {}
    for t in plan.touchpoints:
        tps_of.setdefault(t.customer_key, []).append(t)
    for u in plan.unscheduled:
        uns_of.setdefault(u.customer_key, []).append(u)
    theirs_of: dict[str, list[Customer]] = {}
    for c in mine:
        theirs_of.setdefault(c.manager_id or "", []).append(c)
    lists = []
    with exact_context():
        for m in managers:
            theirs = theirs_of.get(m.id, [])
            items: list[Draft] = []
            for c in theirs:
                try:
                    items += drafts(
                        [c],
                        playbook,
                        decisions=decisions,
                        candidates=candidates,
                        plan=(tps_of.get(c.key, []), uns_of.get(c.key, [])),
                        catalogue=products,
                        on=on,
                        end=end,
                    )
                except CusttierError as exc:  # e.g. a catalogue the allocation refuses
                    errors.append(_error(c.key, positions.get(c.key, 0), exc))
            tps = [t for c in theirs for t in tps_of.get(c.key, [])]
            days, carried = _fit(items, m, rules, cal, records, tps, playbook, on=on, end=end)
            lists.append(
                construct(
                    Worklist,
                    {
                        "playbook": playbook.ref,
                        "manager_id": m.id,
                        "on": on,
                        "end": end,
                        "calendar": cal.name,
                        "days": days,
                        "carried_over": carried,
                        "errors": (),
                    },
                )
            )
    shared = tuple(errors)
    lists = [construct(Worklist, {**w.__dict__, "errors": shared}) for w in lists]
    return construct(
        BookWorklists,
        {
            "playbook": playbook.ref,
            "on": on,
            "end": end,
            "worklists": tuple(lists),
            "errors": shared,
        },
    )


def _tiered(
    book: Iterable[Customer | Mapping[str, Any]],
    playbook: Playbook,
    on: dt.date,
    tiers: BookTiering | None,
) -> tuple[list[tuple[int, Customer]], BookTiering]:
    records = [_parsed(r) for r in book]
    if tiers is None:
        tiers = tier_book(records, playbook, as_of=on)
    elif not isinstance(tiers, BookTiering):
        raise InputError("tiers must be the book's tier_book result", field="tiers")
    elif tiers.playbook.content_hash != playbook.content_hash:
        raise InputError(
            "tiers were decided under another playbook; tier the book with this one", field="tiers"
        )
    return [(i, r) for i, r in enumerate(records) if isinstance(r, Customer)], tiers


def _parsed(record: Customer | Mapping[str, Any]) -> Customer | Mapping[str, Any]:
    # Validate once; an invalid record goes on as it came and tier_book reports it.
    if isinstance(record, Customer):
        return record
    try:
        return Customer.from_record(record)
    except RecordValidationError:
        return record


def _at(error: ErrorRecord, positions: Mapping[str, int]) -> ErrorRecord:
    """A plan's error record numbered by the customer's position in the book."""
    index = positions.get(error.customer_key or "", error.index)
    return ErrorRecord(
        customer_key=error.customer_key,
        index=index,
        code=error.code,
        field=error.field,
        message=error.message,
    )


def _error(key: str, index: int, exc: CusttierError) -> ErrorRecord:
    return ErrorRecord(
        customer_key=key,
        index=index,
        code=ErrorCode.WORKLIST,
        field=getattr(exc, "field", None),
        message=str(exc),
    )


def rank_key(d: Draft, rules: WorklistRules) -> tuple[Any, ...]:
    """The playbook's order: priority, the stated tie-break keys, then a total fallback."""
    keys: list[Any] = [rules.kind(d.kind).priority(d.tier)]
    for tie in rules.tie_break:
        if tie is TieBreak.DUE_ON:
            keys += [d.due_on is None, d.due_on or dt.date.min]
        elif tie is TieBreak.TIER:
            keys.append(-d.tier_rank)
        elif tie is TieBreak.BLOCKS:
            keys += [d.blocks is None, d.blocks or 0]
        elif tie is TieBreak.AMOUNT:
            keys.append(-(d.amount or 0))
        else:
            keys.append(-(d.score or 0))
    return (*keys, d.key, d.kind.value, d.rule_id, d.label, d.available_on, d.due_on or dt.date.min)


class _Caps:
    """The planner's frequency caps, counted per customer over history and the plan."""

    def __init__(
        self, playbook: Playbook, history: Sequence[ContactRecord], plan: Sequence[Touchpoint]
    ) -> None:
        self.caps = playbook.cadence.caps
        self.counted: dict[tuple[str, int], list[int]] = {}
        dated = [(r.customer_key, r.on, r.channel, r.purpose) for r in history]
        dated += [(t.customer_key, t.on, t.channel, t.purpose) for t in plan]
        for key, day, channel, purpose in dated:
            for ci, cap in enumerate(self.caps):
                if counts_toward(cap, channel, purpose):
                    self.counted.setdefault((key, ci), []).append(day.toordinal())
        for dates in self.counted.values():
            dates.sort()

    def move(self, d: Draft, day: dt.date) -> str | None:
        """Count ``d`` on ``day`` (moved off its planned day if it has one); else the cap's id."""
        assert d.channel is not None
        caps = [ci for ci, c in enumerate(self.caps) if counts_toward(c, d.channel, d.purpose)]
        for ci in caps:
            dates = list(self.counted.get((d.key, ci), []))
            if d.planned_on is not None:
                dates.remove(d.planned_on.toordinal())
            if not cap_allows(dates, day.toordinal(), self.caps[ci]):
                return self.caps[ci].rule_id
        for ci in caps:
            dates = self.counted.setdefault((d.key, ci), [])
            if d.planned_on is not None:
                dates.remove(d.planned_on.toordinal())
            bisect.insort(dates, day.toordinal())
        return None


def _fit(  # noqa: PLR0917  # one manager's day-fitting
    items: list[Draft],
    manager: RelationshipManager,
    rules: WorklistRules,
    cal: Calendar,
    history: Sequence[ContactRecord],
    plan: Sequence[Touchpoint],
    playbook: Playbook,
    *,
    on: dt.date,
    end: dt.date,
) -> tuple[tuple[WorkDay, ...], tuple[WorkItem, ...]]:
    daily = int(manager.capacity_hours_per_week * _MINUTES_PER_HOUR) // rules.working_days_per_week
    days = [on + dt.timedelta(days=i) for i in range((end - on).days + 1)]
    working = {day: cal.has_data(day.year) and cal.is_business_day(day) for day in days}
    for d in items:
        if d.fixed and not working[d.available_on]:
            _ahead(d, days, working, rules)
    ordered = sorted(items, key=lambda d: rank_key(d, rules))
    caps = _Caps(playbook, history, plan)
    left = {day: daily if working[day] else 0 for day in days}
    placed: dict[dt.date, list[Draft]] = {day: [] for day in days}
    capped: dict[int, str] = {}
    waiting = [d for d in ordered if d.blocked is None]
    for day in days:
        still: list[Draft] = []
        for d in waiting:
            if d.available_on > day or d.minutes > left[day]:
                still.append(d)
                continue
            if d.channel is not None and (d.planned_on is None or d.planned_on != day):
                cap = caps.move(d, day)
                if cap is not None:
                    capped[id(d)] = cap
                    still.append(d)
                    continue
            left[day] -= d.minutes
            placed[day].append(d)
        waiting = still
    out_days = tuple(
        construct(
            WorkDay,
            {
                "on": day,
                "capacity_minutes": daily if working[day] else 0,
                "booked_minutes": sum(d.minutes for d in placed[day]),
                "items": tuple(
                    _item(d, manager, rules, day, n) for n, d in enumerate(placed[day], 1)
                ),
            },
        )
        for day in days
    )
    left_over = {id(d) for d in waiting}
    carried = [d for d in ordered if d.blocked is not None or id(d) in left_over]
    return out_days, tuple(
        _carried(d, manager, rules, playbook, capped.get(id(d)), end) for d in carried
    )


def _ahead(
    d: Draft, days: list[dt.date], working: Mapping[dt.date, bool], rules: WorklistRules
) -> None:
    """A greeting on a day off: listed on the last working day before it, when the horizon has one."""
    before = [day for day in days if day < d.available_on and working[day]]
    if before:
        d.notes.append(
            Reason.of(
                ReasonCode.WORKLIST_AHEAD,
                rules.rule_id,
                due_on=d.available_on,
                listed_on=before[-1],
            )
        )
        d.available_on = before[-1]


def _priority(d: Draft, rules: WorklistRules) -> Reason:
    kind = rules.kind(d.kind)
    return Reason.of(
        ReasonCode.WORKLIST_PRIORITY,
        kind.rule_id,
        kind=d.kind.value,
        priority=kind.priority(d.tier),
        tier=d.tier,
    )


def _work_item(
    d: Draft,
    manager: RelationshipManager,
    rules: WorklistRules,
    *,
    on: dt.date | None,
    at: dt.datetime | None,
    position: int,
    carried: ReasonCode | None,
    reasons: tuple[Reason, ...],
) -> WorkItem:
    # In the model's field order: JSON follows the dict's, and an item must
    # write the same bytes as its validated read-back.
    values = {
        "customer_key": d.key,
        "manager_id": manager.id,
        "tier": d.tier,
        "kind": d.kind,
        "rule_id": d.rule_id,
        "label": d.label,
        "due_on": d.due_on,
        "available_on": d.available_on,
        "on": on,
        "at": at,
        "priority": rules.kind(d.kind).priority(d.tier),
        "position": position,
        "channel": d.channel,
        "purpose": d.purpose,
        "minutes": d.minutes,
        "carried": carried,
        "amount": d.amount,
        "score": d.score,
        "kyc_items": d.kyc_items,
        "options": d.options,
        "reasons": reasons,
    }
    return construct(WorkItem, values)


def _item(
    d: Draft, manager: RelationshipManager, rules: WorklistRules, day: dt.date, position: int
) -> WorkItem:
    notes = list(d.notes)
    if day > d.available_on:
        notes.append(
            Reason.of(
                ReasonCode.WORKLIST_CARRIED_OVER,
                rules.rule_id,
                case="later",
                from_on=d.available_on,
                to_on=day,
            )
        )
    at = d.at
    if at is not None and d.planned_on is not None and day != d.planned_on:
        at += day - d.planned_on  # the same customer-local time, inside the quiet hours
    return _work_item(
        d,
        manager,
        rules,
        on=day,
        at=at,
        position=position,
        carried=None,
        reasons=(_priority(d, rules), *d.reasons, *notes),
    )


def _carried(  # noqa: PLR0917  # one carried item's context
    d: Draft,
    manager: RelationshipManager,
    rules: WorklistRules,
    playbook: Playbook,
    cap: str | None,
    end: dt.date,
) -> WorkItem:
    notes = list(d.notes)
    code = d.blocked
    if code is None and cap is not None:
        code = ReasonCode.CADENCE_CAPPED
        notes.append(Reason.of(code, cap, until=end))
    elif code is None:
        code = ReasonCode.WORKLIST_CARRIED_OVER
        notes.append(
            Reason.of(
                code,
                rules.rule_id,
                case="horizon",
                from_on=d.available_on,
                until=end,
            )
        )
    elif not any(r.code is code for r in d.reasons):
        rule = (
            playbook.cadence.do_not_contact.rule_id
            if code is ReasonCode.CADENCE_DO_NOT_CONTACT
            else rules.kind(d.kind).rule_id
        )
        notes.append(
            Reason.of(
                code,
                rule,
                channels=", ".join(rules.channels),
            )
        )
    return _work_item(
        d,
        manager,
        rules,
        on=None,
        at=None,
        position=0,
        carried=code,
        reasons=(_priority(d, rules), *d.reasons, *notes),
    )
