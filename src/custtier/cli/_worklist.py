"""``custtier worklist``: one manager's ranked day (and the days ahead) as records, a table or iCalendar."""

from __future__ import annotations

import argparse
from typing import Any

from custtier.cli._allocate import records_of
from custtier.cli._common import (
    EPILOG,
    Failed,
    batch_options,
    customer,
    error_record,
    first_line,
    iso_date,
    lang_option,
    playbook,
    playbook_options,
    run_batch,
    with_lang,
)
from custtier.cli._input import UsageError, records
from custtier.cli._output import Sink
from custtier.cli._plan import calendar
from custtier.cli._report import Tally
from custtier.errors import CusttierError, InputError
from custtier.models import ContactRecord, Customer, Product, RelationshipManager
from custtier.worklist import Worklist, worklist
from custtier.worklist._ical import worklist_to_ical

__all__ = ["add_parser"]

HELP = """\
A manager's worklist: read the book (one customer record, JSON, per line),
tier it as of --on, and list what the manager --manager should do from --on
over the horizon, ranked by the playbook's worklist rules, each day fitted to
the manager's hours (from --managers); what does not fit is carried over
with its reason. Records, one JSON line each:

  {"record": "worklist", ...}    the manager, horizon, calendar, playbook, counts
  {"error": {"line": N, ...}}    an input line that could not be read or decided
  {"record": "day", ...}         one day: capacity and booked minutes
  {"record": "item", ...}        one item: customer, kind, why (reasons with rule
                                 ids), due date, priority, channel, its day and
                                 position, or "carried" and why

--table prints the day's list for a person instead; --ics writes the items
listed on a day as iCalendar events. With --format csv or parquet the records
are rows of one table (column "record").

record format: as for custtier tier (see custtier tier --help); --managers,
--catalogue and --history are JSON lists as custtier synth writes them.

example:
  custtier synth --size 1000 --seed 7 --out book.jsonl
  custtier worklist book.jsonl --preset practice --managers book.managers.json \\
      --manager RM-001 --on 2026-11-30 --catalogue book.catalogue.json --table
"""


def add_parser(sub: Any) -> None:
    """Register ``worklist``."""
    parser = sub.add_parser(
        "worklist",
        help="one manager's ranked worklist for a day",
        description=HELP,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="BOOK.jsonl", help='JSON lines ("-" for stdin)')
    playbook_options(parser)
    parser.add_argument("--manager", metavar="ID", required=True, help="whose worklist")
    parser.add_argument("--on", type=iso_date, required=True, help="the day, YYYY-MM-DD")
    parser.add_argument(
        "--managers", metavar="FILE", required=True, help="managers as a JSON list (their hours)"
    )
    parser.add_argument(
        "--horizon", type=int, metavar="DAYS", help="days ahead (default: the playbook's)"
    )
    parser.add_argument(
        "--catalogue", metavar="FILE", help="products as a JSON list (reinvestment)"
    )
    parser.add_argument("--history", metavar="FILE", help="past contacts as a JSON list")
    parser.add_argument(
        "--calendar",
        metavar="weekends|CN|CODE",
        default="weekends",
        help="working days: weekends only (default), or an ISO country's public holidays",
    )
    shape = parser.add_mutually_exclusive_group()
    shape.add_argument("--table", action="store_true", help="print the day's list for a person")
    shape.add_argument("--ics", action="store_true", help="write the dated items as iCalendar")
    lang_option(parser)
    batch_options(parser)
    parser.set_defaults(command=run)


def run(args: argparse.Namespace) -> int:
    """Build the manager's worklist; return the exit code."""
    book = playbook(args)
    staff = records_of(args.managers, RelationshipManager, what="managers")
    manager = next((m for m in staff if m.id == args.manager), None)
    if manager is None:
        raise UsageError(f"--manager {args.manager} is not in {args.managers}")
    catalogue = records_of(args.catalogue, Product, what="catalogue") if args.catalogue else []
    history = records_of(args.history, ContactRecord, what="history") if args.history else []
    cal = calendar(args.calendar)

    def body(sink: Sink, tally: Tally) -> None:
        rows = [(number, customer(value)) for number, value in records(args.file)]
        valid = [c for _, c in rows if isinstance(c, Customer)]
        try:
            w = worklist(
                manager,
                valid,
                book,
                on=args.on,
                horizon_days=args.horizon,
                history=history,
                catalogue=catalogue,
                calendar=cal,
            )
        except CusttierError as exc:  # the horizon, or a playbook without a worklist
            where = f"--{exc.field}: " if isinstance(exc, InputError) and exc.field else ""
            raise UsageError(where + first_line(exc)) from None
        numbers = [n for n, c in rows if isinstance(c, Customer)]
        errors: dict[int, Failed] = {n: c for n, c in rows if isinstance(c, Failed)}
        errors.update({numbers[e.index]: Failed(e.code, e.field, e.message) for e in w.errors})
        tally.records = len(rows)
        tally.decided = len(rows) - len(errors)
        for failure in errors.values():
            tally.error(failure.code)
        tally.details.append(
            f"{len(w.today):,} items on {w.on}, {sum(len(d.items) for d in w.days[1:]):,} "
            f"on later days, {len(w.carried_over):,} carried over"
        )
        if args.ics:
            sink.text(worklist_to_ical(w))
            return
        if args.table:
            sink.text(table(w))
            return
        sink.record(_header(w, len(errors)))
        for number in sorted(errors):
            sink.record(error_record(number, errors[number]))
        for day in w.days:
            sink.record(
                {
                    "record": "day",
                    **day.model_dump(mode="json", exclude={"items"}),
                    "items": len(day.items),
                }
            )
        for item in w.items():
            sink.record(with_lang({"record": "item", **item.model_dump(mode="json")}, args, book))

    return run_batch(args, Tally("worklist", outcome="customers read"), body)


def _header(w: Worklist, errors: int) -> dict[str, Any]:
    data = w.model_dump(mode="json", exclude={"days", "carried_over", "errors"})
    data.update(
        today=len(w.today),
        later=sum(len(d.items) for d in w.days[1:]),
        carried_over=len(w.carried_over),
        errors=errors,
    )
    return {"record": "worklist", **data}


_COLUMNS = ("#", "customer", "tier", "what", "why", "due", "channel", "min")


def table(w: Worklist) -> str:
    """The day's list as aligned text, every item (a terminal, not a notebook: no clipping)."""
    day = w.days[0]
    rows = [
        (
            str(i.position),
            i.customer_key,
            i.tier,
            i.label,
            _why(i),
            i.due_on.isoformat() if i.due_on else "",
            i.channel.value if i.channel else "",
            str(i.minutes),
        )
        for i in day.items
    ]
    widths = [max(len(h), *(len(r[n]) for r in rows)) for n, h in enumerate(_COLUMNS)]
    lines = [
        f"Worklist of {w.manager_id} for {w.on}: {len(day.items)} items, "
        f"{day.booked_minutes} of {day.capacity_minutes} minutes",
        "  ".join(h.ljust(n) for h, n in zip(_COLUMNS, widths, strict=True)).rstrip(),
    ]
    lines += ["  ".join(c.ljust(n) for c, n in zip(r, widths, strict=True)).rstrip() for r in rows]
    later = sum(len(d.items) for d in w.days[1:])
    lines.append(f"later days: {later} items; carried over: {len(w.carried_over)}")
    return "\n".join(lines) + "\n"


def _why(item: Any) -> str:
    # The first reason after the priority says what the item is about.
    reason = item.reasons[1] if len(item.reasons) > 1 else item.reasons[0]
    return str(reason.message)
