"""``plan_contacts``: the contact plan of a book over a horizon."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

from custtier._args import as_date, as_playbook, as_records
from custtier._deferred import field_of
from custtier._error_codes import ErrorCode
from custtier._explain import ErrorRecord, Reason, ReasonCode, construct
from custtier._kyc import missing_items
from custtier._money import exact_context
from custtier._progress import ProgressCallback, Ticker
from custtier._tier_arg import TierLike, tier_id
from custtier.cadence._calendar import Calendar, WeekendCalendar
from custtier.cadence._consent import consents
from custtier.cadence._expand import Item
from custtier.cadence._horizon import MAX_HORIZON_DAYS, check_horizon
from custtier.cadence._level import Leveller, Placement, zone
from custtier.cadence._models import ContactPlan, ManagerWeekLoad, Touchpoint, Unscheduled
from custtier.cadence._occasions import expand
from custtier.cadence._occurrence import Occurrence
from custtier.cadence._plan_json import remember
from custtier.cadence._tables import Tables, tables
from custtier.errors import InputError, RecordValidationError
from custtier.models import ContactRecord, Customer, RelationshipManager
from custtier.rules import KycItem, Playbook

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
        items: list[Item] = []
        for customer, tier, _gaps in valid:
            items += expand(customer, tier, t, last_contact)
        leveller = Leveller(t, staff, records, {c.key for c, _, _ in valid})
        ticker = Ticker(progress, len(items), every=max(len(items) // 100, 1))
        placed, missed = _level(items, leveller, t, ticker)
        ticker.finish()
        booked: dict[tuple[str, str], list[int]] = {}
        touch, provisional = _touchpoints(placed, {c.key: g for c, _, g in valid if g}, t, booked)
        unsched = _unscheduled(missed, t, booked)
        plan = construct(
            ContactPlan,
            {
                "playbook": t.ref,
                "start": start,
                "end": end,
                "calendar": cal.name,
                "required": len(items),
                "provisional": provisional,
                "touchpoints": touch,
                "unscheduled": unsched,
                "load": _load(booked, leveller, staff, t),
                "errors": tuple(errors),
            },
        )
        # Placed and missed are in plan order now: their occurrences write the plan's JSON.
        remember(plan, tuple(map(_second, placed)), tuple(map(_second, missed)))
        return plan


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
        # Read without rendering a pending decision's reasons (the plan does not quote them).
        gaps = field_of(given, "kyc_gaps")
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


#: A placed contact: its touchpoint order, who it is for, its notes and marks, where it went.
Placed = tuple[
    tuple[Any, ...], Occurrence, Customer, tuple[Reason, ...], tuple[Reason, ...], Placement
]
#: A contact not placed: its order, who, notes, marks, code and the rule that decided it.
Missed = tuple[
    tuple[Any, ...], Occurrence, Customer, tuple[Reason, ...], tuple[Reason, ...], ReasonCode, str
]

_first = itemgetter(0)
_second = itemgetter(1)
_build = construct


def _level(
    items: list[Item], leveller: Leveller, t: Tables, ticker: Ticker
) -> tuple[list[Placed], list[Missed]]:
    """Place each contact in levelling order; the models are built afterwards, in output order."""
    placed: list[Placed] = []
    missed: list[Missed] = []
    allowed: dict[str, frozenset[tuple[str, str]]] = {}
    binds = t.playbook.cadence.do_not_contact.binds
    counting = ticker.reports  # finish() reports the total either way
    place = leveller.place
    items.sort(key=_first)  # (-rank, priority, first), key, (rule id, due, label)
    for _, occ, customer, notes in items:
        if counting:
            ticker.add()
        code: ReasonCode | None = occ.blocked
        rule_id = occ.rule_id
        dnc = customer.contact.do_not_contact
        # A duty do-not-contact does not bind stays due; say so on the contact.
        marks = (_duty_reason(t),) if dnc and occ.purpose not in binds else ()
        if code is None:
            # Consent and do-not-contact, as cadence._consent.blocked answers them.
            if dnc and occ.purpose in binds:
                code = ReasonCode.CADENCE_DO_NOT_CONTACT
            else:
                consented = allowed.get(customer.key)
                if consented is None:
                    consented = allowed[customer.key] = consents(customer)
                if occ.consent not in consented:
                    code = ReasonCode.CADENCE_NO_CONSENT
        if code is None:
            where = place(occ, customer)
            if isinstance(where, Placement):
                order = (where.day, customer.key, occ.tail)
                placed.append((order, occ, customer, notes, marks, where))
                continue
            code, rule_id = where
        missed.append(((customer.key, occ.tail, code.value), occ, customer, notes, marks,
                       code, rule_id))  # fmt: skip
    return placed, missed


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


def _touchpoints(
    placed: list[Placed],
    gaps: Mapping[str, tuple[KycItem, ...]],
    t: Tables,
    booked: dict[tuple[str, str], list[int]],
) -> tuple[tuple[Touchpoint, ...], int]:
    """The touchpoints in plan order (day, customer, rule, due, label), and how many are provisional.

    A customer's KYC gaps go on their first manager service contact in that
    order; each manager's booked minutes and contacts per week go to ``booked``.
    """
    placed.sort(key=_first)
    out: list[Touchpoint] = []
    provisional = 0
    kyc_done: set[str] = set()
    days, weeks = t.days, t.weeks
    for _, occ, customer, notes, marks, (j, at, minute) in placed:
        tail, whole, moved = occ.tail_at(j, minute, at, t)
        provisional += moved
        values = occ.touch.copy()
        key = values["customer_key"] = customer.key
        values["on"] = days[j]
        values["at"] = at
        if notes or marks:
            whole = (occ.reason, *notes, *marks, *tail)
        if occ.manager_owned:
            manager_id = values["manager_id"] = customer.manager_id
            if manager_id is not None:
                row = booked.setdefault((manager_id, weeks[j]), [0, 0, 0])
                row[0] += occ.duration
                row[1] += 1
            if key in gaps and occ.completes_kyc and key not in kyc_done:
                kyc_done.add(key)
                items = values["kyc_items"] = gaps[key]
                whole = (*whole, _kyc_reason(occ.tier, items, t))
        values["reasons"] = whole
        out.append(_build(Touchpoint, values))
    return tuple(out), provisional


def _kyc_reason(tier: str, items: tuple[KycItem, ...], t: Tables) -> Reason:
    listed = ", ".join(items)
    return t.reasons.get(
        (ReasonCode.CADENCE_COMPLETE_KYC, tier, listed),
        lambda: Reason.of(ReasonCode.CADENCE_COMPLETE_KYC, f"kyc.{tier}", items=listed),
    )


def _unscheduled(
    missed: list[Missed], t: Tables, booked: dict[tuple[str, str], list[int]]
) -> tuple[Unscheduled, ...]:
    """The unscheduled items in plan order (customer, rule, due, label, code).

    Each manager's contacts that did not fit their week are counted in ``booked``.
    """
    missed.sort(key=_first)
    out: list[Unscheduled] = []
    for _, occ, customer, notes, marks, code, rule_id in missed:
        values = occ.unscheduled_fields(t).copy()
        values["customer_key"] = customer.key
        if occ.manager_owned:
            manager_id = values["manager_id"] = customer.manager_id
            week = values["week"]
            if manager_id is not None and code is ReasonCode.CADENCE_CAPACITY and week:
                booked.setdefault((manager_id, week), [0, 0, 0])[2] += 1
        values["code"] = code
        values["reasons"] = (occ.unscheduled_reason(code, rule_id, t), occ.reason, *notes, *marks)
        out.append(_build(Unscheduled, values))
    return tuple(out)


def _load(
    booked: dict[tuple[str, str], list[int]],
    leveller: Leveller,
    staff: Mapping[str, RelationshipManager],
    t: Tables,
) -> tuple[ManagerWeekLoad, ...]:
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
