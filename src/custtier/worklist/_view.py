"""What a worklist shows in a notebook: the day's list, the days ahead, what carries over."""

from __future__ import annotations

from collections import Counter

from custtier._display import Table, View, register
from custtier.worklist._models import BookWorklists, WorkItem, Worklist

__all__: list[str] = []


def _why(item: WorkItem) -> str:
    # The first reason after the priority says what the item is about.
    return item.reasons[1].message if len(item.reasons) > 1 else item.reasons[0].message


def today_table(w: Worklist) -> Table:
    """The day's list as the manager reads it: rank, customer, what, why, by when, how."""
    return Table(
        f"{w.on} ({w.days[0].booked_minutes} of {w.days[0].capacity_minutes} min)",
        ("#", "customer", "tier", "kind", "what", "why", "due", "channel", "min", "priority"),
        [
            (
                i.position,
                i.customer_key,
                i.tier,
                i.kind.value,
                i.label,
                _why(i),
                i.due_on or "",
                i.channel.value if i.channel else "",
                i.minutes,
                i.priority,
            )
            for i in w.today
        ],
    )


@register(Worklist, short_repr=True)
def worklist_view(w: Worklist) -> View:
    """The day's list, minutes per day, and what is carried over by reason."""
    carried = Counter(i.carried.value for i in w.carried_over if i.carried is not None)
    facts: list[tuple[str, object]] = [
        ("manager", w.manager_id),
        ("horizon", f"{w.on} to {w.end}"),
        ("calendar", w.calendar),
        ("items on a day", sum(len(d.items) for d in w.days)),
        ("carried over", len(w.carried_over)),
        ("playbook", f"{w.playbook.id} v{w.playbook.version}"),
    ]
    days = Table(
        "Days: items and minutes against capacity",
        ("day", "items", "booked min", "capacity min"),
        [(d.on, len(d.items), d.booked_minutes, d.capacity_minutes) for d in w.days],
    )
    reasons = Table("Carried over, by reason", ("code", "items"), sorted(carried.items()))
    return View(
        f"Worklist of {w.manager_id} for {w.on}: {len(w.today)} items today, "
        f"{len(w.carried_over)} carried over",
        facts,
        [today_table(w), days, reasons],
    )


@register(BookWorklists, short_repr=True)
def book_worklists_view(b: BookWorklists) -> View:
    """One row per manager: today's items and minutes, and what is carried over."""
    rows = [
        (
            w.manager_id,
            len(w.today),
            w.days[0].booked_minutes if w.days else 0,
            w.days[0].capacity_minutes if w.days else 0,
            len(w.carried_over),
        )
        for w in b.worklists
    ]
    return View(
        f"Worklists of {len(b.worklists)} managers for {b.on}",
        [("horizon", f"{b.on} to {b.end}"), ("errors", len(b.errors))],
        [
            Table(
                "Managers", ("manager", "today", "booked min", "capacity min", "carried over"), rows
            )
        ],
    )
