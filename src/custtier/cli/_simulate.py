"""``custtier simulate``: a proposed playbook against the current one, on one book."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from custtier.cli._allocate import records_of
from custtier.cli._common import first_line, iso_date
from custtier.cli._input import LineError, UsageError, json_text, records
from custtier.cli._report import Exit
from custtier.cli._tier import previous_decisions
from custtier.errors import CusttierError
from custtier.models import Product
from custtier.rules import Playbook
from custtier.whatif import PolicyImpact, simulate

__all__ = ["add_parser"]

HELP = """\
What if PROPOSED replaced CURRENT? Tier the book under both playbooks and
write what changes, one JSON object per line: "change" (a rule, with its
rule id, old and new value), "cell" (the migration matrix: customers, AUM,
profit per pair of tiers), "moved" (a customer whose tier differs, with both
decisions' reason codes and rule ids), "eligibility" (a product gained or
lost, with --catalogue), "services" (tier services gained and lost), "kyc"
(KYC items newly unmet) and "error" (a record undecided on either side).
A summary goes to standard error.

example:
  custtier synth --size 1000 --seed 7 --out book.jsonl
  custtier preset practice > current.json   # copy, edit the copy, then
  custtier simulate book.jsonl --playbook proposed.json --against current.json \\
      --as-of 2026-11-30 -o impact.jsonl
"""

EPILOG = """\
exit codes:
  0  every record decided under both playbooks
  1  some records were not decided on at least one side; each is an "error" line
  2  the invocation or an input file as a whole is wrong; nothing is written
"""


def add_parser(sub: Any) -> None:
    """Register ``simulate``."""
    parser = sub.add_parser(
        "simulate",
        help="compare a proposed playbook with the current one on a book",
        description=HELP,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="BOOK.jsonl", help='customers, JSON lines ("-" for stdin)')
    parser.add_argument("--playbook", metavar="FILE", required=True, help="the proposed playbook")
    parser.add_argument("--against", metavar="FILE", required=True, help="the current playbook")
    parser.add_argument("--as-of", type=iso_date, required=True, help="YYYY-MM-DD")
    parser.add_argument(
        "--catalogue", metavar="FILE", help="products as a JSON list: eligibility gained and lost"
    )
    parser.add_argument(
        "--previous", metavar="FILE", help="last run's decisions, JSON lines (hysteresis)"
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write here, not to standard output")
    parser.set_defaults(command=run)


def _playbook(name: str, option: str) -> Playbook:
    text, _ = json_text(name, what="playbook")
    try:
        return Playbook.from_json(text)
    except CusttierError as exc:
        raise UsageError(
            f"{option} {name} is not a valid playbook: {first_line(exc).rstrip(': ')}; "
            f"custtier validate {name} lists every problem"
        ) from None


def run(args: argparse.Namespace) -> int:
    """Read everything, simulate, then write: a usage error leaves nothing behind."""
    proposed = _playbook(args.playbook, "--playbook")
    current = _playbook(args.against, "--against")
    catalogue: list[Product] | None = (
        records_of(args.catalogue, Product, what="catalogue") if args.catalogue else None
    )
    previous = previous_decisions(args.previous, args.as_of)
    book: list[Any] = []
    unread: list[dict[str, Any]] = []
    for number, value in records(args.file):
        if isinstance(value, LineError):
            unread.append(
                {"kind": "error", "line": number, "code": value.code, "message": value.message}
            )
        elif not isinstance(value, dict):
            unread.append(
                {
                    "kind": "error",
                    "line": number,
                    "code": "not_an_object",
                    "message": "not a JSON object",
                }
            )
        else:
            book.append((number, value))
    lines = [n for n, _ in book]
    impact = simulate(
        [v for _, v in book],
        current,
        proposed,
        as_of=args.as_of,
        catalogue=catalogue,
        previous=previous or None,
    )
    out = [*_lines(impact, lines), *unread]
    text = "".join(json.dumps(o, ensure_ascii=False, default=str) + "\n" for o in out)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    failed = len(impact.errors) + len(unread)
    print(_summary(impact, failed), file=sys.stderr)
    return Exit.FAILED if failed else Exit.OK


def _lines(impact: PolicyImpact, lines: list[int]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {
            "kind": "change",
            "change": c.kind.value,
            "path": c.path,
            "rule_id": c.rule_id,
            "old": _plain(c.old),
            "new": _plain(c.new),
        }
        for c in impact.changes
    ]
    out += [
        {
            "kind": "cell",
            "from": c.from_tier,
            "to": c.to_tier,
            "customers": c.customers,
            "aum": str(c.aum),
            "profit": str(c.profit),
        }
        for c in impact.matrix
    ]
    for m in impact.moved:
        out.append(
            {
                "kind": "moved",
                "customer_key": m.customer_key,
                "from": m.current.tier,
                "to": m.proposed.tier,
                "current_reasons": [[r.code.value, r.rule_id] for r in m.current.reasons],
                "proposed_reasons": [[r.code.value, r.rule_id] for r in m.proposed.reasons],
            }
        )
    out += [
        {
            "kind": "eligibility",
            "customer_key": e.customer_key,
            "product_id": e.product_id,
            "change": "gained" if e.gained else "lost",
        }
        for e in impact.eligibility
    ]
    out += [
        {
            "kind": "services",
            "customer_key": s.customer_key,
            "gained": list(s.gained),
            "lost": list(s.lost),
        }
        for s in impact.services
    ]
    out += [
        {
            "kind": "kyc",
            "customer_key": k.customer_key,
            "tier": k.tier,
            "newly_unmet": [i.value for i in k.newly_unmet],
        }
        for k in impact.kyc
    ]
    for e in impact.errors:
        either = e.current or e.proposed
        out.append(
            {
                "kind": "error",
                "line": lines[e.index],
                "customer_key": e.customer_key,
                "code": either.code if either else None,
                "field": either.field if either else None,
                "sides": [s for s, r in (("current", e.current), ("proposed", e.proposed)) if r],
            }
        )
    return out


def _plain(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value if isinstance(value, (int, bool, type(None))) else str(value)


def _summary(impact: PolicyImpact, failed: int) -> str:
    flows = ", ".join(
        f"{c.from_tier}->{c.to_tier} {c.customers:,}"
        for c in impact.matrix
        if c.customers and c.from_tier != c.to_tier
    )
    return (
        f"custtier simulate: {impact.current.version} -> {impact.proposed.version}, "
        f"{len(impact.changes)} rule change(s); {impact.decided:,} decided, "
        f"{len(impact.moved):,} moved"
        + (f" ({flows})" if flows else "")
        + f", {len(impact.eligibility):,} eligibility, {len(impact.services):,} services, "
        f"{len(impact.kyc):,} kyc, {failed:,} errors"
    )
