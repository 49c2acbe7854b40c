"""``custtier simulate``: a proposed playbook against the current one, on one book."""

from __future__ import annotations

import argparse
import json
from typing import Any

from custtier import presets
from custtier._error_codes import ErrorCode
from custtier._i18n import Locale, locale_of
from custtier.cli._allocate import records_of
from custtier.cli._common import (
    EPILOG,
    batch_options,
    first_line,
    iso_date,
    lang_option,
    playbook,
    progress,
    run_batch,
)
from custtier.cli._input import LineError, UsageError, json_text, records
from custtier.cli._output import Format, Sink
from custtier.cli._report import Tally
from custtier.cli._tier import previous_decisions
from custtier.errors import CusttierError
from custtier.models import Product
from custtier.rules import Playbook
from custtier.whatif import PolicyImpact, simulate

__all__ = ["add_parser"]

HELP = """\
What if PROPOSED replaced CURRENT? Tier the book under both playbooks and
write what changes, one record each, with its "kind": "change" (a rule, with
its rule id, old and new value), "cell" (the migration matrix: customers,
AUM, profit per pair of tiers), "moved" (a customer whose tier differs, with
both decisions' reason codes and rule ids), "manager" (a manager's customers
in a tier under each playbook, where they differ), "eligibility" (a product
gained or lost, with --catalogue), "services" (tier services gained and
lost, with the yearly cost change where the playbook states costs),
"service" (each service: customers entitled and yearly cost on each side), "kyc" (KYC items
newly unmet) and "error" (a record undecided on either side, or a product
check that failed). With --format csv or parquet the same records are rows
of one table (column "kind"). A summary line goes to standard error.

record format: as for custtier tier (see custtier tier --help).

example:
  custtier synth --size 1000 --seed 7 --out book.jsonl
  custtier preset practice > current.json   # copy, edit the copy, then
  custtier simulate book.jsonl --playbook proposed.json --against current.json \\
      --as-of 2026-11-30 -o impact.parquet
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
    new = parser.add_mutually_exclusive_group(required=True)
    new.add_argument("--playbook", metavar="FILE", help="the proposed playbook")
    new.add_argument("--preset", choices=sorted(presets.ALL), help="a shipped playbook, proposed")
    old = parser.add_mutually_exclusive_group(required=True)
    old.add_argument("--against", metavar="FILE", help="the current playbook")
    old.add_argument(
        "--against-preset", choices=sorted(presets.ALL), help="a shipped playbook, current"
    )
    parser.add_argument("--as-of", type=iso_date, required=True, help="YYYY-MM-DD")
    parser.add_argument(
        "--catalogue", metavar="FILE", help="products as a JSON list: eligibility gained and lost"
    )
    parser.add_argument(
        "--previous", metavar="FILE", help="last run's decisions, JSON lines (hysteresis)"
    )
    lang_option(parser)
    batch_options(parser)
    parser.set_defaults(command=run)


def _current(args: argparse.Namespace) -> Playbook:
    if args.against_preset:
        return presets.get(args.against_preset)
    text, _ = json_text(args.against, what="playbook")
    try:
        return Playbook.from_json(text)
    except CusttierError as exc:
        raise UsageError(
            f"--against {args.against} is not a valid playbook: "
            f"{first_line(exc).rstrip(': ')}; custtier validate {args.against} lists every problem"
        ) from None


def run(args: argparse.Namespace) -> int:
    """Read everything, simulate, then write: a usage error leaves nothing behind."""
    proposed = playbook(args)
    current = _current(args)
    catalogue: list[Product] | None = (
        records_of(args.catalogue, Product, what="catalogue") if args.catalogue else None
    )
    previous = previous_decisions(args.previous, args.as_of)

    def body(sink: Sink, tally: Tally) -> None:
        book: list[tuple[int, Any]] = []
        unread: list[dict[str, Any]] = []
        for number, value in records(args.file):
            tally.records += 1
            if isinstance(value, LineError):
                unread.append(_unread(number, value.code, value.message))
            elif not isinstance(value, dict):
                unread.append(_unread(number, ErrorCode.INVALID_RECORD, "not a JSON object"))
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
            progress=progress("simulating", args),
        )
        table = sink.format is not Format.JSONL
        out = _lines(impact, lines, table=table)
        if args.lang:
            _add_text(out, impact, locale_of(args.lang), (current, proposed), table=table)
        for record in (*out, *unread):
            sink.record(record)
            if record["kind"] == "error":
                tally.error(record["code"] or "error")
        tally.decided = impact.decided
        tally.details.append(_summary(impact))

    return run_batch(args, Tally("simulate", outcome="decided on both sides"), body)


def _add_text(
    out: list[dict[str, Any]],
    impact: PolicyImpact,
    locale: Locale,
    sides: tuple[Playbook, Playbook],
    *,
    table: bool,
) -> None:
    """``--lang``: each moved customer's reasons on both sides, written in ``locale``."""
    now, then = (side.terms(locale) for side in sides)
    moved = iter(impact.moved)
    for record in out:
        if record.get("kind") == "moved":
            m = next(moved)
            texts = {
                "current_text": [r.text(locale, now) for r in m.current.reasons],
                "proposed_text": [r.text(locale, then) for r in m.proposed.reasons],
            }
            for name, value in texts.items():
                record[name] = json.dumps(value, ensure_ascii=False) if table else value


def _unread(number: int, code: ErrorCode, message: str) -> dict[str, Any]:
    return {"kind": "error", "line": number, "code": code.value, "message": message}


def _lines(impact: PolicyImpact, lines: list[int], *, table: bool) -> list[dict[str, Any]]:
    """The records; ``table``: a whole row added or removed as JSON text, one column each."""
    out: list[dict[str, Any]] = [
        {
            "kind": "change",
            "change": c.kind.value,
            "path": c.path,
            "rule_id": c.rule_id,
            "old": _value(c.old, table=table),
            "new": _value(c.new, table=table),
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
            "cost_change": None if s.cost_change is None else str(s.cost_change),
        }
        for s in impact.services
    ]
    out += [
        {
            "kind": "service",
            "service_id": t.service_id,
            "current_customers": t.current_customers,
            "proposed_customers": t.proposed_customers,
            **{
                name: None if value is None else str(value)
                for name, value in (
                    ("current_cost", t.current_cost),
                    ("proposed_cost", t.proposed_cost),
                    ("current_total", t.current_total),
                    ("proposed_total", t.proposed_total),
                )
            },
        }
        for t in impact.service_totals
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
    out += [
        {
            "kind": "manager",
            "manager_id": m.manager_id,
            "tier": m.tier,
            "current": m.current,
            "proposed": m.proposed,
        }
        for m in impact.managers
    ]
    for e in impact.errors:
        either = e.current or e.proposed
        out.append(
            {
                "kind": "error",
                "line": lines[e.index],
                "customer_key": e.customer_key,
                "code": either.code.value if either else None,
                "field": either.field if either else None,
                "message": either.message if either else None,
                "sides": [s for s, r in (("current", e.current), ("proposed", e.proposed)) if r],
            }
        )
    out += [
        {
            "kind": "error",
            "line": lines[f.index],
            "customer_key": f.customer_key,
            "code": f.code.value,
            "field": f.field,
            "message": f.message,
            "sides": ["eligibility"],
        }
        for f in impact.eligibility_errors
    ]
    return out


def _value(value: Any, *, table: bool) -> Any:
    plain = _plain(value)
    if table and isinstance(plain, (dict, list)):
        return json.dumps(plain, ensure_ascii=False, sort_keys=True)
    return plain


def _plain(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value if isinstance(value, (int, bool, type(None))) else str(value)


def _summary(impact: PolicyImpact) -> str:
    """``1.1.0 -> 1.2.0, 3 rule change(s), 4 moved (high_end->mid_end 4), ...``."""
    flows = ", ".join(
        f"{c.from_tier}->{c.to_tier} {c.customers:,}"
        for c in impact.matrix
        if c.customers and c.from_tier != c.to_tier
    )
    return (
        f"{impact.current.version} -> {impact.proposed.version}, "
        f"{len(impact.changes)} rule change(s), {len(impact.moved):,} moved"
        + (f" ({flows})" if flows else "")
        + f", {len(impact.eligibility):,} eligibility, {len(impact.services):,} services, "
        f"{len(impact.kyc):,} kyc"
    )
