"""``custtier demo`` and ``custtier synth``: a seeded synthetic book, summarised or on disk."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from custtier import presets, synth
from custtier._demo import summary
from custtier._i18n import locale_of
from custtier._money import exact_context
from custtier.cli._common import collector_paused, iso_date, lang_option
from custtier.cli._input import UsageError
from custtier.cli._output import Format, open_sink
from custtier.cli._report import Exit
from custtier.models import Customer

__all__ = ["DEFAULT_AS_OF", "add_parsers", "engine_record"]

#: The demo's evaluation date: fixed, so the demo prints the same on every run.
DEFAULT_AS_OF = dt.date(2026, 11, 30)

#: What ``synth`` writes for an identity document on file: the engines only ask
#: whether one is there (KYC completeness), never what it says.
ON_FILE = "on file"

SYNTH_HELP = """\
Write a seeded synthetic book to disk, in the formats the other commands
read: the customers (JSON lines, or Parquet for *.parquet), and beside them
BOOK.managers.json and BOOK.catalogue.json (and, with --requests, allocation
requests). The same size, seed, --as-of and preset give the same bytes.

The files carry the fields the engines read and no personal data: no names,
phone numbers, e-mail or postal addresses, account or ID numbers. An ID
document on file is written as {"id_number": "on file"}, so KYC completeness
is what the book has; free-text fields hold the generator's fixed vocabulary
(occupations, interests). (custtier's default export redacts personal and
free-text fields to "[redacted]", which the models refuse to read back; this
one reads back.)

example:
  custtier synth --size 10000 --seed 7 --out book.jsonl
  custtier tier book.jsonl --preset practice --as-of 2026-11-30 -o decisions.jsonl
"""


def add_parsers(sub: Any) -> None:
    """Register ``demo`` and ``synth``."""
    demo = sub.add_parser("demo", help="build a seeded synthetic book and summarise it")
    _book_options(demo, size_default=3000)
    lang_option(demo)
    demo.set_defaults(command=run_demo)

    out = sub.add_parser(
        "synth",
        help="write a seeded synthetic book, its managers and catalogue to disk",
        description=SYNTH_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _book_options(out, size_default=1000)
    out.add_argument(
        "--out", required=True, metavar="BOOK.jsonl|BOOK.parquet", help="the customers file"
    )
    out.add_argument(
        "--requests", metavar="FILE", help="also write one allocation request per customer"
    )
    out.set_defaults(command=run_synth)


def _book_options(parser: argparse.ArgumentParser, *, size_default: int) -> None:
    parser.add_argument(
        "--size", type=_positive_int, default=size_default, help=f"customers ({size_default})"
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (7)")
    parser.add_argument(
        "--as-of",
        type=iso_date,
        default=DEFAULT_AS_OF,
        help=f"evaluation date, YYYY-MM-DD ({DEFAULT_AS_OF.isoformat()})",
    )
    parser.add_argument("--preset", choices=sorted(presets.ALL), default=presets.PRACTICE.id)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def run_demo(args: argparse.Namespace) -> int:
    """Summarise a synthetic book on standard output."""
    playbook = presets.get(args.preset)
    with collector_paused():
        book = synth.book(args.size, seed=args.seed, as_of=args.as_of, playbook=playbook)
    with exact_context():  # sums and shares never depend on the ambient decimal context
        lines = summary(book, seed=args.seed, as_of=args.as_of, locale=locale_of(args.lang or "en"))
    sys.stdout.write("\n".join(lines) + "\n")
    return Exit.OK


def engine_record(customer: Customer) -> dict[str, Any]:
    """``customer`` as a record with no personal identifiers that the models read back.

    >>> c = Customer.from_record({"key": "C1", "kyc": {"customer_key": "C1",
    ...     "identity": {"full_name": "Li Lei", "id_number": "110101199003071234"}}})
    >>> engine_record(c)["kyc"]["identity"]
    {'id_number': 'on file'}
    """
    # Revealed, then the identity replaced: the free-text fields of a synthetic
    # book hold the generator's fixed vocabulary (occupations, interests), which
    # the engines read, and the identity is all that could name a person.
    record = customer.to_record(reveal_personal_data=True)
    kyc = record.get("kyc")
    if isinstance(kyc, dict) and customer.kyc is not None:
        identity = customer.kyc.identity
        if identity is None:
            kyc.pop("identity", None)
        else:
            kyc["identity"] = {"id_number": ON_FILE} if identity.id_number is not None else {}
    return record


def _sibling(out: Path, what: str) -> Path:
    stem = out.name.split(".")[0] or "book"
    return out.with_name(f"{stem}.{what}.json")


def run_synth(args: argparse.Namespace) -> int:
    """Write the book, its managers and catalogue (and requests) to disk."""
    playbook = presets.get(args.preset)
    out = Path(args.out)
    fmt = Format.PARQUET if out.suffix.lower() in (".parquet", ".pq") else Format.JSONL
    with collector_paused():
        book = synth.book(args.size, seed=args.seed, as_of=args.as_of, playbook=playbook)
        sink = open_sink(fmt, str(out), nested=True)
        for c in book.customers:
            sink.record(engine_record(c))
        sink.close()
    files = [out]
    for what, items in (("managers", book.managers), ("catalogue", book.catalogue)):
        path = _sibling(out, what)
        _write(path, json.dumps([i.to_record() for i in items], ensure_ascii=False, indent=1))
        files.append(path)
    if args.requests:
        _write(Path(args.requests), _requests(book.customers))
        files.append(Path(args.requests))
    sys.stderr.write(
        f"custtier synth: {len(book.customers):,} customers, {len(book.managers)} managers, "
        f"{len(book.catalogue)} products -> {', '.join(str(f) for f in files)}\n"
    )
    return Exit.OK


def _json(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


#: Request amounts cycle through these, so a small book meets every minimum.
_AMOUNTS = ("50000.00", "100000.00", "250000.00", "1000000.00")


def _requests(customers: tuple[Customer, ...]) -> str:
    lines = [
        _json({"customer": engine_record(c), "amount": _AMOUNTS[i % len(_AMOUNTS)]})
        for i, c in enumerate(customers)
    ]
    return "".join(line + "\n" for line in lines)


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
