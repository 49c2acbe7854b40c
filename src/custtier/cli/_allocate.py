"""``custtier allocate``: one allocation decision or error line per request line."""

from __future__ import annotations

import argparse
from typing import Any

from custtier import synth
from custtier._error_codes import ErrorCode
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
from custtier.cli._input import LineError, UsageError, json_file, records
from custtier.cli._output import Sink
from custtier.cli._report import Tally
from custtier.errors import CusttierError, InputError
from custtier.models import Customer, Product
from custtier.rules import Playbook
from custtier.suitability import AllocationDecision, allocate

__all__ = ["add_parser", "records_of"]

HELP = """\
Allocate amounts: read one request per line, write one allocation decision
or error line per request line, in order (blank lines are skipped). A decision lists the products
placed and what stays unplaced; the products left out and why are listed
only with --include-excluded (otherwise their count, excluded_count).
With --in-branch the sales are made at the counter: each line placed in a
product that is not risk-free carries the recorded_sale condition when the
playbook's policy has it (both presets do), as check_suitability attaches it.

record format (one JSON object per line):
  {"customer": {"key": "C0000001", "risk_assessment": {...}, ...},
   "amount": "250000.00", "tier": "mid_end"}
  amount as a decimal string; tier optional (the customer's tier id)

example:
  custtier synth --size 200 --seed 7 --out book.jsonl --requests requests.jsonl
  custtier allocate requests.jsonl --preset practice --as-of 2026-11-30 \\
      --catalogue book.catalogue.json -o allocations.jsonl

  at the counter (lines carry the recorded-sale condition):
  custtier allocate requests.jsonl --preset practice --as-of 2026-11-30 \\
      --catalogue book.catalogue.json --in-branch -o allocations.jsonl
"""


def add_parser(sub: Any) -> None:
    """Register ``allocate``."""
    parser = sub.add_parser(
        "allocate",
        help="allocate amounts for a JSONL file of requests",
        description=HELP,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="REQUESTS.jsonl", help='JSON lines ("-" for stdin)')
    playbook_options(parser)
    parser.add_argument("--as-of", type=iso_date, required=True, help="YYYY-MM-DD")
    parser.add_argument(
        "--catalogue", metavar="FILE", help="products as a JSON list (default: synthetic)"
    )
    parser.add_argument(
        "--include-excluded",
        action="store_true",
        help="list every product left out and why (large: most of a decision)",
    )
    parser.add_argument(
        "--in-branch",
        action="store_true",
        help="the sales are made at the counter: lines carry the recorded-sale condition",
    )
    lang_option(parser)
    batch_options(parser)
    parser.set_defaults(command=run)


def records_of(name: str, model: Any, *, what: str) -> list[Any]:
    """A JSON list of records in file ``name``, each validated by ``model.from_record``."""
    data = json_file(name, what=what)
    if not isinstance(data, list):
        raise UsageError(f"{what} {name} must hold a JSON list of objects")
    out = []
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise UsageError(f"{what} {name} item {index} is not a JSON object")
        try:
            out.append(model.from_record(item))
        except InputError as exc:
            raise UsageError(
                f"{what} {name} item {index}: {exc.field or 'record'}: {first_line(exc)}"
            ) from None
        except (CusttierError, ValueError, TypeError, RecursionError):
            raise UsageError(f"{what} {name} item {index} cannot be read") from None
    return out


def _request(value: Any) -> tuple[Customer, Any, str | None] | Failed:
    if isinstance(value, LineError):
        return Failed(value.code, None, value.message)
    if not isinstance(value, dict):
        return Failed(ErrorCode.INVALID_REQUEST, None, "a line must be a JSON object (a request)")
    amount, tier = value.get("amount"), value.get("tier")
    if isinstance(amount, bool) or not isinstance(amount, (str, int)):
        return Failed(
            ErrorCode.INVALID_REQUEST, "amount", 'give the amount as a string like "250000.00"'
        )
    if tier is not None and not isinstance(tier, str):
        return Failed(
            ErrorCode.INVALID_REQUEST, "tier", "give the tier as a tier id, or leave it out"
        )
    found = customer(value.get("customer"))
    if isinstance(found, Failed):
        field = "customer" if found.field is None else f"customer.{found.field}"
        return Failed(ErrorCode.INVALID_REQUEST, field, found.message)
    return found, amount, tier


def _decided(
    request: tuple[Customer, Any, str | None],
    catalogue: list[Product],
    book: Playbook,
    args: argparse.Namespace,
) -> AllocationDecision | Failed:
    c, amount, tier = request
    try:
        return allocate(
            c, amount, catalogue, book, as_of=args.as_of, tier=tier, in_branch=args.in_branch
        )
    except InputError as exc:
        return Failed(ErrorCode.INVALID_REQUEST, exc.field, str(exc))
    except CusttierError as exc:
        return Failed(ErrorCode.INVALID_REQUEST, None, first_line(exc))


def run(args: argparse.Namespace) -> int:
    """Allocate every request; return the exit code."""
    book = playbook(args)
    catalogue = (
        records_of(args.catalogue, Product, what="catalogue")
        if args.catalogue
        else list(synth.catalogue(book))
    )

    def body(sink: Sink, tally: Tally) -> None:
        rows = list(records(args.file))
        report = progress("allocating", args)
        step = max(len(rows) // 100, 1)
        for done, (number, value) in enumerate(rows, start=1):
            tally.records += 1
            request = _request(value)
            decision = (
                request if isinstance(request, Failed) else _decided(request, catalogue, book, args)
            )
            if isinstance(decision, Failed):
                sink.record(error_record(number, decision))
                tally.error(decision.code)
            else:
                output = _output(decision, include_excluded=args.include_excluded)
                sink.record(with_lang(output, args, book))
                tally.decided += 1
            if done % step == 0 or done == len(rows):
                report(done, len(rows))

    return run_batch(args, Tally("allocate"), body)


def _output(decision: AllocationDecision, *, include_excluded: bool) -> dict[str, Any] | str:
    if include_excluded:
        return decision.to_audit_json()
    data = decision.model_dump(mode="json", exclude={"excluded"})
    data["excluded_count"] = len(decision.excluded)
    return data
