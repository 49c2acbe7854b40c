"""``custtier plan``: a contact plan as records — touchpoints, unscheduled items, the load table."""

from __future__ import annotations

import argparse
from typing import Any

from custtier._i18n import HOLIDAY_LANGUAGES, locale_of
from custtier.cadence import Calendar, HolidaysCalendar, plan_contacts, plan_to_ical
from custtier.cadence._calendar import UNPUBLISHED_POLICIES
from custtier.cadence._models import ContactPlan
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
    progress,
    run_batch,
    with_lang,
)
from custtier.cli._input import UsageError, records
from custtier.cli._output import Sink
from custtier.cli._report import Tally
from custtier.errors import CusttierError, InputError, MissingExtraError
from custtier.models import Customer, RelationshipManager
from custtier.tiering import tier_book

__all__ = ["add_parser", "calendar"]

HELP = """\
Plan contacts: read one customer record (JSON) per line, tier the book as of
--start, plan every contact the playbook asks for over [--start, --end] and
write the plan as records, one JSON line each:

  {"record": "plan", ...}          the horizon, calendar, playbook, counts
  {"error": {"line": N, ...}}      an input line that could not be planned
  {"record": "touchpoint", ...}    one scheduled contact
  {"record": "unscheduled", ...}   one required contact that found no slot, and why
  {"record": "load", ...}          one manager-week of booked minutes

With --format csv or parquet the same records are rows of one table (column
"record"). --ics writes iCalendar text instead (one manager's with --manager).

record format: as for custtier tier (see custtier tier --help).

example:
  custtier synth --size 1000 --seed 7 --out book.jsonl
  custtier plan book.jsonl --preset practice --start 2026-12-01 --end 2027-02-28 \\
      --managers book.managers.json --calendar CN -o plan.jsonl

Planning a year whose holiday arrangement is not yet published (2027 from late
2026): its festival greetings are scheduled as usual; work is placed on the
calendar's rule-based business days, and what an arrangement may still move
is marked CADENCE_PROVISIONAL (counted in the plan record's "provisional" and
the summary; STATUS:TENTATIVE with --ics). --unpublished refuse reports that
work unscheduled instead. --holiday-language zh_CN names holidays 春节, 中秋节.
"""


def add_parser(sub: Any) -> None:
    """Register ``plan``."""
    parser = sub.add_parser(
        "plan",
        help="plan contacts for a JSONL file of customers",
        description=HELP,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="CUSTOMERS.jsonl", help='JSON lines ("-" for stdin)')
    playbook_options(parser)
    parser.add_argument("--start", type=iso_date, required=True, help="first day, YYYY-MM-DD")
    parser.add_argument("--end", type=iso_date, required=True, help="last day, YYYY-MM-DD")
    parser.add_argument(
        "--calendar",
        metavar="weekends|CN|CODE",
        default="weekends",
        help="business days: weekends only (default), or the public holidays of an ISO "
        'country code (CN: with lunar dates; needs "custtier[calendars]")',
    )
    parser.add_argument(
        "--unpublished",
        choices=UNPUBLISHED_POLICIES,
        help="with a holiday calendar, a year whose official holiday arrangement is not yet "
        "published: provisional (default: plan it on rule-based business days, mark what "
        "may move) or refuse (report its business-day work unscheduled)",
    )
    parser.add_argument(
        "--published-through",
        type=int,
        metavar="YEAR",
        help="with a holiday calendar, the last year whose arrangement counts as published "
        "(default: the last the installed holidays package holds)",
    )
    parser.add_argument(
        "--holiday-language",
        metavar="LANG",
        help="with a holiday calendar, the language of holiday names: en_US (default), "
        "zh_CN, zh_TW, ...",
    )
    parser.add_argument("--managers", metavar="FILE", help="managers as a JSON list")
    parser.add_argument("--ics", action="store_true", help="write iCalendar text, not records")
    parser.add_argument("--manager", metavar="ID", help="with --ics: one manager's part")
    lang_option(parser)
    batch_options(parser)
    parser.set_defaults(command=run)


def calendar(
    name: str,
    *,
    unpublished: str | None = None,
    published_through: int | None = None,
    language: str | None = None,
) -> Calendar | None:
    """The ``--calendar`` choice (``None``: weekends only); a ``UsageError`` if unknown."""
    options = {
        "--unpublished": unpublished,
        "--published-through": published_through,
        "--holiday-language": language,
    }
    if name.lower() == "weekends":
        given = [flag for flag, value in options.items() if value is not None]
        if given:
            raise UsageError(f"{given[0]} needs a holiday calendar: add --calendar CN")
        return None
    try:
        return HolidaysCalendar(
            name.upper(),
            language=language or "en_US",
            unpublished=unpublished or "provisional",
            published_through=published_through,
        )
    except MissingExtraError:
        raise UsageError(
            f'--calendar {name} needs the calendars extra: pip install "custtier[calendars]"'
        ) from None
    except InputError as exc:
        if exc.field == "language":
            raise UsageError(f"--holiday-language {language!r}: {first_line(exc)}") from None
        raise _unknown(name) from None
    except (NotImplementedError, KeyError, ValueError, CusttierError):
        raise _unknown(name) from None


def _holiday_language(args: argparse.Namespace) -> str | None:
    """With ``--lang`` and a holiday calendar, holidays are named in that language too."""
    if not args.lang or args.calendar.lower() == "weekends":
        return None
    return HOLIDAY_LANGUAGES[locale_of(args.lang)]


def _unknown(name: str) -> UsageError:
    return UsageError(
        f"--calendar {name!r} is unknown: use weekends, CN, or an ISO 3166 country code "
        "the holidays package knows"
    )


def run(args: argparse.Namespace) -> int:
    """Plan the book; return the exit code."""
    if args.end < args.start:
        raise UsageError(f"--end {args.end} is before --start {args.start}")
    if args.manager and not args.ics:
        raise UsageError("--manager selects one manager's iCalendar: add --ics")
    book = playbook(args)
    cal = calendar(
        args.calendar,
        unpublished=args.unpublished,
        published_through=args.published_through,
        language=args.holiday_language or _holiday_language(args),
    )
    managers = (
        records_of(args.managers, RelationshipManager, what="managers") if args.managers else []
    )

    def body(sink: Sink, tally: Tally) -> None:
        rows = [(number, customer(value)) for number, value in records(args.file)]
        valid = [c for _, c in rows if isinstance(c, Customer)]
        tiered = tier_book(valid, book, as_of=args.start, progress=progress("tiering", args))
        failed = {e.index: Failed(e.code, e.field, e.message) for e in tiered.errors}
        planned = [c for i, c in enumerate(valid) if i not in failed]
        try:
            plan = plan_contacts(
                planned,
                book,
                start=args.start,
                end=args.end,
                tiers={d.customer_key: d for d in tiered.decisions},
                calendar=cal,
                managers=managers,
                progress=progress("planning", args),
            )
        except CusttierError as exc:  # the horizon or the managers as a whole
            where = f"--{exc.field}: " if isinstance(exc, InputError) and exc.field else ""
            raise UsageError(where + first_line(exc)) from None
        # Map both engines' error indexes back to input line numbers.
        numbers = [n for n, c in rows if isinstance(c, Customer)]
        planned_numbers = [n for i, n in enumerate(numbers) if i not in failed]
        errors: dict[int, Failed] = {n: c for n, c in rows if isinstance(c, Failed)}
        errors.update({numbers[i]: f for i, f in failed.items()})
        errors.update(
            {planned_numbers[e.index]: Failed(e.code, e.field, e.message) for e in plan.errors}
        )
        tally.records = len(rows)
        tally.decided = len(rows) - len(errors)
        for failure in errors.values():
            tally.error(failure.code)
        _count(plan, tally)
        if args.ics:
            sink.text(plan_to_ical(plan, manager_id=args.manager))
            return
        sink.record(_header(plan, len(errors)))
        for number in sorted(errors):
            sink.record(error_record(number, errors[number]))
        for kind, items in (
            ("touchpoint", plan.touchpoints),
            ("unscheduled", plan.unscheduled),
            ("load", plan.load),
        ):
            for item in items:
                sink.record(with_lang({"record": kind, **item.model_dump(mode="json")}, args, book))

    return run_batch(args, Tally("plan", outcome="customers planned"), body)


def _count(plan: ContactPlan, tally: Tally) -> None:
    tally.details.append(
        f"{plan.required:,} contacts required: {len(plan.touchpoints):,} scheduled, "
        f"{len(plan.unscheduled):,} unscheduled"
    )
    if plan.provisional:  # placed by days an unpublished holiday arrangement may move
        tally.details.append(f"{plan.provisional:,} provisional")


def _header(plan: ContactPlan, errors: int) -> dict[str, Any]:
    data = plan.model_dump(mode="json", exclude={"touchpoints", "unscheduled", "load", "errors"})
    data.update(
        touchpoints=len(plan.touchpoints),
        unscheduled=len(plan.unscheduled),
        load=len(plan.load),
        errors=errors,
    )
    return {"record": "plan", **data}
