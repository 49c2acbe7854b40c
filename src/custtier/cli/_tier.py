"""``custtier tier``: one tier decision or error line per input line, in input order."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from pydantic import ValidationError

from custtier._explain import upgrade_audit_record
from custtier.cli._common import (
    EPILOG,
    Failed,
    batch_options,
    customer,
    error_record,
    iso_date,
    lang_option,
    playbook,
    playbook_options,
    progress,
    run_batch,
    with_lang,
)
from custtier.cli._input import LineError, UsageError, json_lines, records
from custtier.cli._output import Sink
from custtier.cli._report import Tally
from custtier.models import Customer
from custtier.tiering import TierDecision, tier_book

__all__ = ["add_parser", "previous_decisions"]

HELP = """\
Tier a book: read one customer record (JSON) per line, write one line per
record, in order: the tier decision, or an error line naming the line, the
field and what is wrong (never the value); blank lines are skipped. The Pareto rule needs the
whole book, so the file is tiered as one book.

record format (one JSON object per line; see docs/models.md):
  {"key": "C0000001", "monthly_balances": [{"month": "2026-10",
   "average_daily_balance": "612000.00"}], "annual_profit_contribution": "3200.00", ...}
  money as strings ("1234.50"), never floats; dates as YYYY-MM-DD

example:
  custtier synth --size 1000 --seed 7 --out book.jsonl
  custtier tier book.jsonl --preset practice --as-of 2026-11-30 -o decisions.jsonl
  custtier tier book.jsonl --preset practice --as-of 2026-12-31 \\
      --previous decisions.jsonl --max-errors 1% -o next.jsonl
"""


def add_parser(sub: Any) -> None:
    """Register ``tier``."""
    parser = sub.add_parser(
        "tier",
        help="tier a JSONL file of customers, one decision per line",
        description=HELP,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="CUSTOMERS.jsonl", help='JSON lines ("-" for stdin)')
    playbook_options(parser)
    parser.add_argument("--as-of", type=iso_date, required=True, help="YYYY-MM-DD")
    parser.add_argument(
        "--previous", metavar="FILE", help="last run's decisions, JSON lines (hysteresis)"
    )
    lang_option(parser)
    batch_options(parser)
    parser.set_defaults(command=run)


def previous_decisions(name: str | None, as_of: dt.date) -> list[TierDecision]:
    """Last run's decisions; its error lines are skipped, anything else unreadable is exit 2."""
    if name is None:
        return []
    out: list[TierDecision] = []
    for number, value in json_lines(name):
        if isinstance(value, LineError):
            raise UsageError(f"--previous {name} line {number} is {value.message}")
        if isinstance(value, dict) and "error" in value:
            continue
        try:
            decision = TierDecision.model_validate(upgrade_audit_record(value))
        except (ValidationError, ValueError, TypeError):
            raise UsageError(
                f"--previous {name} line {number} is not a tier decision written by "
                "custtier tier: pass last run's output as it is"
            ) from None
        if decision.as_of > as_of:
            raise UsageError(
                f"--previous {name} holds decisions as of {decision.as_of}, after --as-of "
                f"{as_of}: pass the output of an earlier run"
            )
        out.append(decision)
    return out


def run(args: argparse.Namespace) -> int:
    """Tier the file; return the exit code."""
    book = playbook(args)
    previous = previous_decisions(args.previous, args.as_of)

    def body(sink: Sink, tally: Tally) -> None:
        rows = [(number, customer(value)) for number, value in records(args.file)]
        valid = [c for _, c in rows if isinstance(c, Customer)]
        result = tier_book(
            valid, book, as_of=args.as_of, previous=previous, progress=progress("tiering", args)
        )
        decided = {d.customer_key: d for d in result.decisions}
        errors = {e.index: Failed(e.code, e.field, e.message) for e in result.errors}
        index = 0
        for number, read in rows:
            tally.records += 1
            outcome = read
            if isinstance(read, Customer):
                outcome, index = errors.get(index, read), index + 1
            if isinstance(outcome, Failed):
                sink.record(error_record(number, outcome))
                tally.error(outcome.code)
            else:
                sink.record(with_lang(decided[outcome.key].to_audit_json(), args, book))
                tally.decided += 1

    return run_batch(args, Tally("tier"), body)
