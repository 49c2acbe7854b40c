"""The command-line adapter: the one place custtier reads files and prints.

Commands::

    custtier demo [--size N] [--seed S] [--as-of YYYY-MM-DD] [--preset ID]
    custtier schema [--decision KIND]
    custtier validate FILE        (FILE may be "-" for standard input)
    custtier preset ID [--compact]
    custtier tier CUSTOMERS.jsonl (--playbook FILE | --preset ID) --as-of DATE [--previous FILE]
                  [--progress]
    custtier allocate REQUESTS.jsonl (--playbook FILE | --preset ID) --as-of DATE
                      [--catalogue FILE] [--progress]
    custtier plan CUSTOMERS.jsonl (--playbook FILE | --preset ID) --start DATE --end DATE
                  [--calendar CN] [--managers FILE] [--ics [--manager ID]] [--progress]

``tier`` reads one customer record (JSON) per line and writes one line per
input line, in order: the tier decision, or an error record
``{"error": {...}}`` naming the line, the field and what is wrong (never the
value). The Pareto rule needs the whole book, so the file is tiered as one
book. ``--previous`` is a JSONL file of last run's decisions (hysteresis).
``allocate`` reads one request per line, ``{"customer": {...}, "amount":
"250000.00", "tier": "mid_end"}``, against ``--catalogue`` (a JSON list of
products; default: the synthetic catalogue of the playbook) and writes one
allocation decision or error record per line. ``plan`` tiers the file as
one book, then plans its contacts over ``[start, end]`` and writes the plan
as JSON, or as iCalendar text with ``--ics`` (one manager's part with
``--manager``); ``--calendar CN`` uses the ``holidays``/``lunardate``
calendar (``pip install "custtier[calendars]"``), the default is weekends only;
``--managers`` is a JSON list of relationship managers. ``--progress``
draws a progress bar on standard error (standard output carries only the
results).

``demo`` builds a seeded synthetic book (default 3,000 customers, seed 7, as
of 2026-11-30 — a fixed date, so the output is the same on every run and
machine) and prints a summary. ``schema`` prints the playbook JSON Schema
(``--decision tier`` that of a tier decision's audit record, and so on).
``validate`` checks a playbook JSON file. ``preset`` prints a shipped
playbook's JSON (indented, keys sorted; ``--compact`` prints the exact
canonical JSON whose sha256 is the content hash), a starting point for a
bank's own.

Exit codes:

* ``0`` — success (``validate``: the playbook is valid);
* ``1`` — ``validate``: the file is JSON but not a valid playbook; the
  problems are listed on standard error;
* ``2`` — usage error, unreadable file, text that is not UTF-8, or invalid JSON.

>>> main(["validate", "/no/such/playbook.json"])
2
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from custtier import presets, synth
from custtier._demo import summary
from custtier._explain import audit_kinds
from custtier._money import exact_context
from custtier._progress import Ticker
from custtier._version import __version__
from custtier.cadence import HolidaysCalendar, plan_contacts, plan_to_ical
from custtier.errors import CusttierError, InputError, PlaybookError
from custtier.models import Customer, Product, RelationshipManager
from custtier.rules import Playbook
from custtier.suitability import allocate
from custtier.tiering import TierDecision, tier_book

__all__ = ["DEFAULT_AS_OF", "main"]

#: The demo's evaluation date: fixed, so the demo prints the same on every run.
DEFAULT_AS_OF = dt.date(2026, 11, 30)

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error argparse already printed
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    command: Callable[[argparse.Namespace], int] = args.command
    return command(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="custtier",
        description="Deterministic, explainable relationship-management decisions.",
    )
    parser.add_argument("--version", action="version", version=f"custtier {__version__}")
    sub = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="build a seeded synthetic book and summarise it")
    demo.add_argument("--size", type=_positive_int, default=3000, help="customers (3000)")
    demo.add_argument("--seed", type=int, default=7, help="random seed (7)")
    demo.add_argument(
        "--as-of",
        type=_iso_date,
        default=DEFAULT_AS_OF,
        help=f"evaluation date, YYYY-MM-DD ({DEFAULT_AS_OF.isoformat()})",
    )
    demo.add_argument("--preset", choices=sorted(presets.ALL), default=presets.PRACTICE.id)
    demo.set_defaults(command=_demo)

    schema = sub.add_parser("schema", help="print the playbook JSON Schema")
    schema.add_argument(
        "--decision",
        metavar="KIND",
        choices=sorted(audit_kinds()),
        help=f"the JSON Schema of a decision record instead ({', '.join(sorted(audit_kinds()))})",
    )
    schema.set_defaults(command=_schema)

    validate = sub.add_parser("validate", help="check a playbook JSON file")
    validate.add_argument("file", metavar="FILE", help='playbook JSON file ("-" for stdin)')
    validate.set_defaults(command=_validate)

    preset = sub.add_parser("preset", help="print a shipped playbook as JSON")
    preset.add_argument("name", metavar="ID", choices=sorted(presets.ALL))
    preset.add_argument("--compact", action="store_true", help="the exact canonical JSON")
    preset.set_defaults(command=_preset)

    tier = sub.add_parser("tier", help="tier a JSONL file of customers, one decision per line")
    tier.add_argument("file", metavar="CUSTOMERS.jsonl", help='JSON lines ("-" for stdin)')
    _engine_options(tier)
    tier.add_argument("--previous", metavar="FILE", help="last run's decisions (JSON lines)")
    _progress_option(tier)
    tier.set_defaults(command=_tier)

    alloc = sub.add_parser("allocate", help="allocate amounts for a JSONL file of requests")
    alloc.add_argument("file", metavar="REQUESTS.jsonl", help='JSON lines ("-" for stdin)')
    _engine_options(alloc)
    alloc.add_argument("--catalogue", metavar="FILE", help="products as a JSON list")
    _progress_option(alloc)
    alloc.set_defaults(command=_allocate)

    plan = sub.add_parser("plan", help="plan contacts for a JSONL file of customers")
    plan.add_argument("file", metavar="CUSTOMERS.jsonl", help='JSON lines ("-" for stdin)')
    which = plan.add_mutually_exclusive_group(required=True)
    which.add_argument("--playbook", metavar="FILE", help="a playbook JSON file")
    which.add_argument("--preset", choices=sorted(presets.ALL), help="a shipped playbook")
    plan.add_argument("--start", type=_iso_date, required=True, help="first day, YYYY-MM-DD")
    plan.add_argument("--end", type=_iso_date, required=True, help="last day, YYYY-MM-DD")
    plan.add_argument("--calendar", metavar="COUNTRY", help="holiday calendar, e.g. CN")
    plan.add_argument("--managers", metavar="FILE", help="managers as a JSON list")
    plan.add_argument("--ics", action="store_true", help="write iCalendar text, not JSON")
    plan.add_argument("--manager", metavar="ID", help="with --ics: one manager's part")
    _progress_option(plan)
    plan.set_defaults(command=_plan)
    return parser


def _progress_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--progress", action="store_true", help="show a progress bar on standard error"
    )


class _Bar:
    """A one-line progress bar on standard error (the output stays clean on stdout).

    Redrawn in place with a carriage return, at most once per percent;
    ``custtier.ProgressCallback``-shaped, so the engines drive it directly.
    """

    def __init__(self, label: str, *, enabled: bool, width: int = 30) -> None:
        self._label, self._enabled, self._width = label, enabled, width
        self._shown = -1

    def __call__(self, done: int, total: int) -> None:
        if not self._enabled:
            return
        percent = 100 if total == 0 else done * 100 // total
        if percent == self._shown and done != total:
            return
        self._shown = percent
        filled = self._width * percent // 100
        bar = "#" * filled + "." * (self._width - filled)
        end = "\n" if done == total else ""
        sys.stderr.write(f"\r{self._label} [{bar}] {percent:3d}% {done:,}/{total:,}{end}")
        sys.stderr.flush()


def _engine_options(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--playbook", metavar="FILE", help="a playbook JSON file")
    which.add_argument("--preset", choices=sorted(presets.ALL), help="a shipped playbook")
    parser.add_argument("--as-of", type=_iso_date, required=True, help="YYYY-MM-DD")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-30") from None


# --- schema, preset, validate ----------------------------------------------------


def _schema(args: argparse.Namespace) -> int:
    if args.decision is not None:
        schema = audit_kinds()[args.decision].audit_schema()
    else:
        schema = Playbook.json_schema()
    print(json.dumps(schema, indent=2, ensure_ascii=False))
    return EXIT_OK


def _preset(args: argparse.Namespace) -> int:
    playbook = presets.get(args.name)
    if args.compact:
        print(playbook.canonical_json())
    else:
        data = json.loads(playbook.canonical_json())
        print(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    name: str = args.file
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return _fail(f"{name} is not UTF-8 text")
    except OSError as exc:
        return _fail(f"cannot read {name}: {exc.strerror or exc}")
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return _fail(f"{name} is not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}")
    try:
        playbook = Playbook.from_json(text)
    except PlaybookError as exc:
        print(f"error: {name}: {exc}", file=sys.stderr)
        return EXIT_INVALID
    print(f"ok: {playbook.id} v{playbook.version} sha256:{playbook.content_hash}")
    return EXIT_OK


def _read(name: str) -> str:
    """Text of a file (``-``: standard input); raises ``_Unreadable`` with a message."""
    try:
        return sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise _UnreadableError(f"{name} is not UTF-8 text") from None
    except OSError as exc:
        raise _UnreadableError(f"cannot read {name}: {exc.strerror or exc}") from None


class _UnreadableError(Exception):
    pass


def _playbook(args: argparse.Namespace) -> Playbook:
    if args.preset:
        return presets.get(args.preset)
    return Playbook.from_json(_read(args.playbook))


def _json_lines(text: str) -> list[tuple[int, Any]]:
    """``(line number, parsed value or the JSON error)`` per non-blank line."""
    out: list[tuple[int, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                out.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                out.append((number, exc))
    return out


def _error_line(line: int, code: str, field: str | None, message: str) -> str:
    record = {"line": line, "code": code, "field": field, "message": message}
    return json.dumps({"error": record}, ensure_ascii=False, sort_keys=True)


def _tier(args: argparse.Namespace) -> int:
    try:
        playbook = _playbook(args)
        rows = _json_lines(_read(args.file))
        previous = [  # last run's error lines carry no decision: skip them
            TierDecision.model_validate(v) for _, v in _json_lines(_read(args.previous))
            if isinstance(v, dict) and "error" not in v
        ] if args.previous else []  # fmt: skip
    except (_UnreadableError, CusttierError) as exc:
        return _fail(str(exc))
    records = [v if isinstance(v, dict) else {} for _, v in rows]
    with _collector_paused():
        result = tier_book(records, playbook, as_of=args.as_of, previous=previous,
                           progress=_Bar("tiering", enabled=args.progress))  # fmt: skip
    decided = {d.subject: d for d in result.decisions}
    errors = {e.index: e for e in result.errors}
    for index, (number, value) in enumerate(rows):
        if isinstance(value, json.JSONDecodeError):
            print(_error_line(number, "invalid_json", None, f"not JSON: {value.msg}"))
        elif not isinstance(value, dict):
            print(_error_line(number, "invalid_record", None, "a line must be a JSON object"))
        elif index in errors:
            e = errors[index]
            print(_error_line(number, e.code, e.field, e.message))
        else:
            print(decided[value["key"]].to_audit_json())
    return EXIT_OK


def _allocate(args: argparse.Namespace) -> int:
    try:
        playbook = _playbook(args)
        rows = _json_lines(_read(args.file))
        catalogue = (
            [Product.from_record(p) for p in json.loads(_read(args.catalogue))]
            if args.catalogue
            else list(synth.catalogue(playbook))
        )
    except (_UnreadableError, CusttierError, json.JSONDecodeError, TypeError) as exc:
        return _fail(str(exc))
    ticker = Ticker(
        _Bar("allocating", enabled=args.progress), len(rows), every=max(len(rows) // 100, 1)
    )
    for number, value in rows:
        ticker.add()
        if isinstance(value, json.JSONDecodeError):
            print(_error_line(number, "invalid_json", None, f"not JSON: {value.msg}"))
            continue
        try:
            request = value if isinstance(value, dict) else {}
            customer = Customer.from_record(request.get("customer") or {})
            decision = allocate(customer, request.get("amount", ""), catalogue, playbook,
                                as_of=args.as_of, tier=request.get("tier"))  # fmt: skip
        except InputError as exc:
            print(_error_line(number, "invalid_request", exc.field, str(exc)))
            continue
        print(decision.to_audit_json())
    ticker.finish()
    return EXIT_OK


def _plan(args: argparse.Namespace) -> int:
    try:
        playbook = _playbook(args)
        rows = _json_lines(_read(args.file))
        managers = (
            [RelationshipManager.from_record(m) for m in json.loads(_read(args.managers))]
            if args.managers
            else []
        )
        calendar = HolidaysCalendar(args.calendar) if args.calendar else None
    except (_UnreadableError, CusttierError, json.JSONDecodeError, TypeError) as exc:
        return _fail(str(exc))
    records = [v for _, v in rows if isinstance(v, dict)]
    if len(records) != len(rows):
        return _fail("every line must be a JSON object (a customer record)")
    with _collector_paused():
        tiered = tier_book(records, playbook, as_of=args.start,
                           progress=_Bar("tiering", enabled=args.progress))  # fmt: skip
        plan = plan_contacts(
            records, playbook, start=args.start, end=args.end,
            tiers={d.subject: d for d in tiered.decisions}, calendar=calendar,
            managers=managers, progress=_Bar("planning", enabled=args.progress),
        )  # fmt: skip
    if args.ics:
        sys.stdout.write(plan_to_ical(plan, manager_id=args.manager))
    else:
        print(plan.model_dump_json())
    return EXIT_OK


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


# --- demo ------------------------------------------------------------------------


@contextmanager
def _collector_paused() -> Iterator[None]:
    # Building tens of thousands of models pays the cyclic collector 2-3x for
    # nothing (they form no cycles). The library never touches the collector;
    # the application, which owns the process, may.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _demo(args: argparse.Namespace) -> int:
    playbook = presets.get(args.preset)
    with _collector_paused():
        book = synth.book(args.size, seed=args.seed, as_of=args.as_of, playbook=playbook)
    with exact_context():  # sums and shares never depend on the ambient decimal context
        lines = summary(book, seed=args.seed, as_of=args.as_of)
    print("\n".join(lines))
    return EXIT_OK
