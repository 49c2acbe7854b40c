"""What every batch command shares: options, the playbook, error records, the run's frame."""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from custtier import presets
from custtier._error_codes import ErrorCode
from custtier._explain import with_text
from custtier._i18n import Locale, locale_of
from custtier.cli._input import LineError, UsageError, json_text
from custtier.cli._output import Format, Sink, choose_format, open_sink
from custtier.cli._report import ErrorBudget, Progress, Tally
from custtier.errors import CusttierError, InputError, PlaybookError
from custtier.models import Customer
from custtier.rules import Playbook

__all__ = [
    "EPILOG",
    "Failed",
    "batch_options",
    "collector_paused",
    "customer",
    "error_record",
    "first_line",
    "iso_date",
    "playbook",
    "playbook_options",
    "progress",
    "run_batch",
]

EPILOG = """\
exit codes:
  0  every record decided (or failures within --max-errors)
  1  more records failed than --max-errors allows (default 0); each failed
     record is an error line {"error": {"line": N, "code": ..., "field": ..., "message": ...}}
  2  the invocation or an input file as a whole is wrong (a one-line message
     on standard error says what to fix); nothing is written
"""


def iso_date(text: str) -> dt.date:
    """An argparse type: ``YYYY-MM-DD``."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-30") from None


def playbook_options(parser: argparse.ArgumentParser) -> None:
    """``--playbook FILE | --preset ID``."""
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--playbook", metavar="FILE", help="a playbook JSON file")
    which.add_argument("--preset", choices=sorted(presets.ALL), help="a shipped playbook")


def lang_option(parser: argparse.ArgumentParser) -> None:
    """``--lang en|zh_CN``: the language reasons (and reports) are written in."""
    parser.add_argument(
        "--lang",
        choices=[str(loc) for loc in Locale],
        help="write each reason's text in this language too (records gain a 'text' per "
        "reason; codes, facts and the English message are unchanged): en or zh_CN",
    )


def with_lang(record: dict[str, Any] | str, args: argparse.Namespace, book: Playbook) -> Any:
    """``record`` with each reason's text in ``--lang`` (unchanged without it)."""
    if not getattr(args, "lang", None):
        return record
    locale = locale_of(args.lang)
    data = json.loads(record) if isinstance(record, str) else record
    out = with_text(data, locale, book.terms(locale))
    return (
        json.dumps(out, ensure_ascii=False, separators=(",", ":"))
        if isinstance(record, str)
        else out
    )


def batch_options(parser: argparse.ArgumentParser, *, formats: bool = True) -> None:
    """``--output``, ``--format``, ``--max-errors``, ``--progress``, ``--quiet``."""
    out = parser.add_argument_group("output and reporting")
    out.add_argument("--output", "-o", metavar="FILE", help="write here, not to standard output")
    if formats:
        out.add_argument(
            "--format",
            choices=[f.value for f in Format],
            help="jsonl (default), csv or parquet (needs the frames extra); "
            "default: from --output's suffix",
        )
    out.add_argument(
        "--max-errors",
        metavar="N|P%",
        default="0",
        help="failed records tolerated before exit 1: a count or a share (default 0)",
    )
    out.add_argument(
        "--progress",
        action="store_true",
        help="report progress on standard error (a bar on a terminal, lines in a log)",
    )
    out.add_argument("--quiet", "-q", action="store_true", help="no summary line at the end")


def first_line(exc: BaseException) -> str:
    """An exception's message on one line (the first; more detail via ``custtier validate``)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def playbook(args: argparse.Namespace) -> Playbook:
    """The playbook ``--preset`` names or ``--playbook`` holds; a ``UsageError`` if invalid."""
    if args.preset:
        return presets.get(args.preset)
    text, data = json_text(args.playbook, what="playbook")
    if not isinstance(data, dict):
        raise UsageError(f"playbook {args.playbook} must hold a JSON object")
    try:
        return Playbook.from_json(text)
    except CusttierError as exc:
        raise UsageError(
            f"playbook {args.playbook} is not valid: {first_line(exc).rstrip(': ')}"
            f"{_first_problem(exc)}; custtier validate {args.playbook} lists every problem"
        ) from None


def _first_problem(exc: CusttierError) -> str:
    """The first problem of a refused playbook (path and message), so one fix needs no second run."""
    if not isinstance(exc, PlaybookError) or not exc.problems:
        return ""
    path, message = exc.problems[0]
    return f": {path}: {message}"


@dataclass(frozen=True, slots=True)
class Failed:
    """Why one input line yields no decision: a code, the field, what to do."""

    code: ErrorCode
    field: str | None
    message: str


def customer(value: Any) -> Customer | Failed:
    """A customer record validated, or why not (never the offending value).

    Validated here, line by line, so one record the models cannot read — of
    any kind — is an error line and the rest of the book is still decided.
    """
    if isinstance(value, LineError):
        return Failed(value.code, None, value.message)
    if not isinstance(value, dict):
        return Failed(
            ErrorCode.INVALID_RECORD, None, "a line must be a JSON object (a customer record)"
        )
    try:
        return Customer.from_record(value)
    except InputError as exc:
        return Failed(ErrorCode.INVALID_RECORD, exc.field, str(exc))
    except (CusttierError, ValueError, TypeError, RecursionError) as exc:
        # A record shape the models do not anticipate: still this line's error.
        return Failed(
            ErrorCode.INVALID_RECORD, None, f"cannot be read as a customer ({type(exc).__name__})"
        )


def error_record(line: int, failed: Failed) -> dict[str, Any]:
    """The error line for input line ``line`` (never the offending value)."""
    return {
        "error": {
            "code": failed.code.value,
            "field": failed.field,
            "line": line,
            "message": failed.message,
        }
    }


@contextmanager
def collector_paused() -> Iterator[None]:
    """Building tens of thousands of models pays the cyclic collector 2-3x for nothing.

    The library never touches the collector; the application, which owns the
    process, may.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def run_batch(args: argparse.Namespace, tally: Tally, body: Callable[[Sink, Tally], None]) -> int:
    """Run ``body`` writing to the chosen sink; summary line, exit code, clean exit 2."""
    budget = ErrorBudget.parse(args.max_errors)
    fmt = choose_format(getattr(args, "format", None), args.output)
    sink = open_sink(fmt, args.output)
    try:
        with collector_paused():
            body(sink, tally)
    except UsageError:
        sink.discard()
        raise
    sink.close()
    if not args.quiet:
        print(tally.line(), file=sys.stderr)
    return tally.exit_code(budget)


def progress(label: str, args: argparse.Namespace) -> Progress:
    """The ``--progress`` reporter for one stage."""
    return Progress(label, enabled=args.progress)
