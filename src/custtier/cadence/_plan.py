"""``plan_contacts``: the contact plan of a book over a horizon."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

from custtier._args import as_date, as_playbook, as_records
from custtier._error_codes import ErrorCode
from custtier._explain import ErrorRecord, Reason, ReasonCode, construct
from custtier._kyc import missing_items
from custtier._money import exact_context
from custtier._progress import ProgressCallback, Ticker
from custtier._tier_arg import TierLike, tier_id
from custtier.cadence._calendar import Calendar, WeekendCalendar
from custtier.cadence._consent import blocked, consents
from custtier.cadence._dates import iso_week
from custtier.cadence._expand import Item
from custtier.cadence._horizon import MAX_HORIZON_DAYS, check_horizon
from custtier.cadence._level import Leveller, Placement, zone
from custtier.cadence._models import ContactPlan, ManagerWeekLoad, Touchpoint, Unscheduled
from custtier.cadence._occasions import expand
from custtier.cadence._tables import Tables, tables
from custtier.errors import InputError, RecordValidationError
from custtier.models import ContactRecord, Customer, RelationshipManager
from custtier.models._types import Purpose
from custtier.rules import KycItem, Owner, Playbook
from custtier.rules._cadence import GREETINGS

__all__ = ["DEFAULT_CALENDAR", "MAX_HORIZON_DAYS", "plan_contacts"]

DEFAULT_CALENDAR = WeekendCalendar()


def plan_contacts(
    customers: Iterable[Customer | Mapping[str, Any]],
    playbook: Playbook,
    *,
    start: dt.date,
    end: dt.date,
    tiers: Mapping[str, TierLike],
    calendar: Calendar | None = None,
    managers: Iterable[RelationshipManager] = (),
    history: Iterable[ContactRecord] = (),
    progress: ProgressCallback | None = None,
) -> ContactPlan:
    """Plan every contact the playbook asks for over ``[start, end]`` (both inclusive).

    ``tiers`` maps each customer key to a tier id or a tier decision (whose
    ``kyc_gaps`` are then used). ``calendar`` defaults to weekends only;
    pass :class:`HolidaysCalendar` for holidays and lunar dates. With
    ``managers``, manager work is levelled against their weekly hours and a
    customer whose manager is not listed gets it unscheduled; without, it is
    not levelled. ``history`` counts against frequency caps and continues
    periodic contacts from the last one made (matched by rule id in
    ``ContactRecord.occasion``).

    Every required contact ends up as one touchpoint or one unscheduled item
    (``plan.required`` counts them); every input record that cannot be
    planned is an error record. The plan does not depend on input order.
    ``progress(done, total)``, if given, counts required contacts as they are
    levelled (``total`` is known once every customer's dates are expanded,
    which comes first), about every 1 %, and last ``done == total``.

    >>> import datetime as dt
    >>> from custtier import Customer, presets
    >>> c = Customer(key="C1", birth_date=dt.date(1980, 2, 29), manager_id="RM-1")
    >>> plan = plan_contacts([c], presets.PRACTICE, start=dt.date(2027, 2, 1),
    ...                      end=dt.date(2027, 3, 31), tiers={"C1": "mid_end"})
    >>> [(u.rule_id, u.code.value) for u in plan.unscheduled if u.occasion == "birthday"]
    [('mid_end.birthday', 'CADENCE_NO_CONSENT')]
    """
    customers, playbook = as_records(customers), as_playbook(playbook)
    start, end = as_date(start, "start"), as_date(end, "end")
    check_horizon(start, end)
    if not isinstance(tiers, Mapping):
        # A BookTiering is the natural thing to pass; it raised AttributeError.
        raise InputError(
            "tiers must map each customer key to a tier id or decision; from tier_book: "
            "{d.customer_key: d for d in result.decisions}",
            field="tiers",
        )
    cal = calendar if calendar is not None else DEFAULT_CALENDAR
    staff = _managers(managers)
    t = tables(playbook, start, end, cal)
    # The garbage collector is the application's to tune (the CLI pauses it):
    # a library switching it off would change every thread of its host.
    with exact_context():
        valid, errors = _validated(customers, playbook, tiers, t)
        records = tuple(history)
        last_contact = _last_contacts(records)
        items: list[tuple[Item, Customer]] = []
        for customer, _tier, _gaps in valid:
            items += [(i, customer) for i in expand(customer, _tier, t, last_contact)]
        leveller = Leveller(t, staff, records, {c.key for c, _, _ in valid})
        ticker = Ticker(progress, len(items), every=max(len(items) // 100, 1))
        touch, unsched = _level(items, leveller, t, ticker)
        ticker.finish()
        touch = _attach_kyc(touch, {c.key: g for c, _, g in valid if g})
        provisional = sum(
            any(r.code is ReasonCode.CADENCE_PROVISIONAL for r in tp.reasons) for tp in touch
        )
        return construct(
            ContactPlan,
            {
                "playbook": t.ref,
                "start": start,
                "end": end,
                "calendar": cal.name,
                "required": len(items),
                "provisional": provisional,
                "touchpoints": tuple(sorted(touch, key=_touch_order)),
                "unscheduled": tuple(sorted(unsched, key=_unsched_order)),
                "load": _load(touch, unsched, leveller, staff, t),
                "errors": tuple(errors),
            },
        )


def _managers(managers: Iterable[RelationshipManager]) -> dict[str, RelationshipManager]:
    out: dict[str, RelationshipManager] = {}
    for m in managers:
        if m.id in out:
            raise InputError(f"manager {m.id} is listed twice; list each once", field="managers")
        out[m.id] = m
    return out


def _validated(
    records: Iterable[Customer | Mapping[str, Any]],
    playbook: Playbook,
    tiers: Mapping[str, TierLike],
    t: Tables,
) -> tuple[list[tuple[Customer, str, tuple[KycItem, ...]]], list[ErrorRecord]]:
    parsed: list[tuple[int, Customer]] = []
    errors: list[ErrorRecord] = []
    for index, record in enumerate(records):
        try:
            customer = record if isinstance(record, Customer) else Customer.from_record(record)
        except RecordValidationError as exc:
            errors.append(_error(None, index, ErrorCode.INVALID_RECORD, exc.field, str(exc)))
            continue
        parsed.append((index, customer))
    counts: dict[str, int] = {}
    for _, c in parsed:
        counts[c.key] = counts.get(c.key, 0) + 1
    valid: list[tuple[Customer, str, tuple[KycItem, ...]]] = []
    for index, c in parsed:
        problem = _problem(c, counts[c.key], tiers, t)
        if problem is not None:
            errors.append(_error(c.key, index, *problem))
            continue
        given = tiers[c.key]
        tier = tier_id(given, customer_key=c.key, field="tiers")
        gaps = getattr(given, "kyc_gaps", None)
        if not isinstance(gaps, tuple):
            gaps = missing_items(c, t.tier_defs[tier], t.start)
        valid.append((c, tier, gaps))
    valid.sort(key=lambda v: v[0].key)  # order independence
    return valid, errors


def _problem(
    c: Customer, count: int, tiers: Mapping[str, TierLike], t: Tables
) -> tuple[ErrorCode, str, str] | None:
    # Every copy of a duplicated key is refused: keeping "the first" would
    # make the plan depend on input order.
    if count > 1:
        return ErrorCode.DUPLICATE_KEY, "key", "key appears more than once; keep one record"
    given = tiers.get(c.key)
    if given is None:
        return ErrorCode.NO_TIER, "key", "no tier given for this customer; add it to tiers"
    try:
        tier = tier_id(given, customer_key=c.key, field="tiers")
    except InputError as exc:  # another customer's decision, or not a tier at all
        return ErrorCode.NO_TIER, "tiers", str(exc)
    if tier not in t.rank:
        return ErrorCode.UNKNOWN_TIER, "key", "the tier given is not one of the playbook's tiers"
    try:
        zone(c.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ErrorCode.UNKNOWN_TIME_ZONE, "time_zone", "time zone is not in the IANA database"
    return None


def _error(
    key: str | None, index: int, code: ErrorCode, field: str | None, msg: str
) -> ErrorRecord:
    return ErrorRecord(customer_key=key, index=index, code=code, field=field, message=msg)


def _last_contacts(history: Iterable[ContactRecord]) -> dict[tuple[str, str], dt.date]:
    last: dict[tuple[str, str], dt.date] = {}
    for r in history:
        if r.occasion is not None:
            k = (r.customer_key, r.occasion)
            if k not in last or r.on > last[k]:
                last[k] = r.on
    return last


def _order(pair: tuple[Item, Customer]) -> tuple[Any, ...]:
    i = pair[0]
    return (-i.rank, i.priority, i.first or dt.date.min, i.key, i.rule_id, i.due or dt.date.min,
            i.label)  # fmt: skip


def _level(
    items: list[tuple[Item, Customer]], leveller: Leveller, t: Tables, ticker: Ticker
) -> tuple[list[Touchpoint], list[Unscheduled]]:
    touch: list[Touchpoint] = []
    unsched: list[Unscheduled] = []
    allowed: dict[str, frozenset[tuple[str, str]]] = {}
    binds = t.playbook.cadence.do_not_contact.binds
    counting = ticker.reports  # finish() reports the total either way
    for item, customer in sorted(items, key=_order):
        if counting:
            ticker.add()
        code: ReasonCode | None = item.blocked
        rule_id = item.rule_id
        # A duty do-not-contact does not bind stays due; say so on the contact.
        duty = customer.contact.do_not_contact and item.purpose not in binds
        marks = (_duty_reason(t),) if duty else ()
        if code is None:
            if customer.key not in allowed:
                allowed[customer.key] = consents(customer)
            code = blocked(customer, item.channel, item.purpose, binds, allowed[customer.key])
        if code is None:
            placed = leveller.place(item, customer.time_zone)
            if isinstance(placed, Placement):
                touch.append(_touchpoint(item, placed, t, marks))
                continue
            code, rule_id = placed
        unsched.append(_unscheduled(item, code, rule_id, t, marks))
    return touch, unsched


def _duty_reason(t: Tables) -> Reason:
    dnc = t.playbook.cadence.do_not_contact
    return t.reasons.get(
        (ReasonCode.CADENCE_REGULATORY_DUTY, dnc.rule_id, ""),
        lambda: Reason.of(
            ReasonCode.CADENCE_REGULATORY_DUTY,
            dnc.rule_id,
            binds=", ".join(dnc.binds),
        ),
    )


def _occasion_reason(item: Item, t: Tables) -> Reason:
    key = (
        ReasonCode.CADENCE_OCCASION,
        item.rule_id,
        item.occasion,
        item.tier,
        item.due,
        item.channel,
    )
    return t.contact_reasons.peek(key) or t.contact_reasons.get(
        key,
        lambda: Reason.of(
            ReasonCode.CADENCE_OCCASION,
            item.rule_id,
            case="contact",
            occasion=item.occasion.value,
            contact=item.rule_id,
            tier=item.tier,
            due_on=item.due,
            channel=item.channel.value,
        ),
    )


def _moved(code: ReasonCode, rule_id: str, t: Tables, **facts: Any) -> Reason:
    """A reason that depends only on its code, rule and facts: shared across the plan."""
    key = (code, rule_id, *facts.values())
    return t.contact_reasons.peek(key) or t.contact_reasons.get(
        key, lambda: Reason.of(code, rule_id, **facts)
    )


def _quiet_reason(rule_id: str, at: dt.datetime, t: Tables) -> Reason:
    """The time a contact is sent inside the quiet-hours rule (shared by the clock time)."""
    key = (ReasonCode.CADENCE_QUIET_HOURS, rule_id, at.hour, at.minute)
    return t.contact_reasons.peek(key) or t.contact_reasons.get(
        key,
        lambda: Reason.of(
            ReasonCode.CADENCE_QUIET_HOURS, rule_id, case="timed", time=at.strftime("%H:%M")
        ),
    )


def _touchpoint(item: Item, p: Placement, t: Tables, marks: tuple[Reason, ...]) -> Touchpoint:
    reasons = [_occasion_reason(item, t), *item.notes, *marks]
    if not item.fixed and p.business_first != item.first:
        reasons.append(
            _moved(
                ReasonCode.CADENCE_ROLLED,
                item.rule_id,
                t,
                from_on=item.first,
                to_on=p.business_first,
            )
        )
    if p.on != p.business_first:
        reasons.append(
            _moved(
                ReasonCode.CADENCE_SLIPPED, item.rule_id, t, from_on=p.business_first, to_on=p.on
            )
        )
    if not item.fixed and t.any_provisional(item.first or p.on, p.on):
        # Greetings are fixed by the calendar; work found its day by business days.
        reasons.append(
            _moved(
                ReasonCode.CADENCE_PROVISIONAL,
                item.rule_id,
                t,
                calendar=t.calendar.name,
                from_on=item.first,
                to_on=p.on,
            )
        )
    if p.at is not None and p.quiet_rule is not None:
        reasons.append(_quiet_reason(p.quiet_rule, p.at, t))
    return construct(
        Touchpoint,
        {
            "customer_key": item.key,
            "tier": item.tier,
            "rule_id": item.rule_id,
            "occasion": item.occasion,
            "channel": item.channel,
            "purpose": item.purpose,
            "owner": item.owner,
            "manager_id": item.manager_id if item.owner is Owner.MANAGER else None,
            "on": p.on,
            "at": p.at,
            "due_on": item.due,
            "priority": item.priority,
            "duration_minutes": item.duration,
            "label": item.label,
            "offer": item.offer,
            "kyc_items": (),
            "reasons": tuple(reasons),
        },
    )


def _contact_fields(item: Item) -> dict[str, Any]:
    """Who and what a contact is: shared by touchpoints and unscheduled items."""
    return {
        "customer_key": item.key,
        "tier": item.tier,
        "rule_id": item.rule_id,
        "occasion": item.occasion,
        "channel": item.channel,
        "purpose": item.purpose,
        "owner": item.owner,
        "manager_id": item.manager_id if item.owner is Owner.MANAGER else None,
    }


def _unscheduled(
    item: Item, code: ReasonCode, rule_id: str, t: Tables, marks: tuple[Reason, ...]
) -> Unscheduled:
    week = None
    if item.first is not None and t.start <= item.first <= t.end:
        week = t.weeks[t.index(item.first)]
    channel = item.channel.value
    why = t.reasons.get(
        (code, rule_id, channel),
        lambda: Reason.of(code, rule_id, channel=channel),
    )
    return construct(
        Unscheduled,
        {
            **_contact_fields(item),
            "due_on": item.due,
            "week": week,
            "label": item.label,
            "code": code,
            "reasons": (why, _occasion_reason(item, t), *item.notes, *marks),
        },
    )


def _attach_kyc(
    touch: list[Touchpoint], gaps: Mapping[str, tuple[KycItem, ...]]
) -> list[Touchpoint]:
    """KYC gaps go on each customer's first manager service contact."""
    first: dict[str, tuple[tuple[Any, ...], int]] = {}
    for n, tp in enumerate(touch):
        if tp.customer_key in gaps and _completes_kyc(tp):
            k = tp.customer_key
            order = _touch_order(tp)
            if k not in first or order < first[k][0]:
                first[k] = (order, n)
    for key, (_, n) in first.items():
        tp = touch[n]
        items = gaps[key]
        reason = Reason.of(
            ReasonCode.CADENCE_COMPLETE_KYC, f"kyc.{tp.tier}", items=", ".join(items)
        )
        values = dict(tp.__dict__)
        values["kyc_items"] = items
        values["reasons"] = (*tp.reasons, reason)
        touch[n] = construct(Touchpoint, values)
    return touch


def _touch_order(tp: Touchpoint) -> tuple[Any, ...]:
    return (tp.on, tp.customer_key, tp.rule_id, tp.due_on or dt.date.min, tp.label)


def _unsched_order(u: Unscheduled) -> tuple[Any, ...]:
    return (u.customer_key, u.rule_id, u.due_on or dt.date.min, u.label, u.code.value)


def _load(
    touch: list[Touchpoint],
    unsched: list[Unscheduled],
    leveller: Leveller,
    staff: Mapping[str, RelationshipManager],
    t: Tables,
) -> tuple[ManagerWeekLoad, ...]:
    booked: dict[tuple[str, str], list[int]] = {}
    for tp in touch:
        if tp.manager_id is not None:
            row = booked.setdefault((tp.manager_id, iso_week(tp.on)), [0, 0, 0])
            row[0] += tp.duration_minutes
            row[1] += 1
    for u in unsched:
        if u.manager_id is not None and u.code is ReasonCode.CADENCE_CAPACITY and u.week:
            booked.setdefault((u.manager_id, u.week), [0, 0, 0])[2] += 1
    if staff:
        for mid in staff:
            for week in dict.fromkeys(t.weeks):
                booked.setdefault((mid, week), [0, 0, 0])
    return tuple(
        construct(
            ManagerWeekLoad,
            {
                "manager_id": mid,
                "week": week,
                "capacity_minutes": leveller.capacity(mid),
                "booked_minutes": row[0],
                "touchpoints": row[1],
                "unscheduled": row[2],
            },
        )
        for (mid, week), row in sorted(booked.items())
    )


def _completes_kyc(tp: Touchpoint) -> bool:
    # A conversation with the manager, not a greeting: where a file gets completed.
    return (
        tp.owner is Owner.MANAGER
        and tp.purpose is not Purpose.MARKETING
        and tp.occasion not in GREETINGS
    )
