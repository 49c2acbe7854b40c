"""The command-line adapter: the one place custtier reads files and prints.

Commands::

    custtier demo [--size N] [--seed S] [--as-of YYYY-MM-DD] [--preset ID]
    custtier schema
    custtier validate FILE        (FILE may be "-" for standard input)
    custtier preset ID [--compact]

``demo`` builds a seeded synthetic book (default 3,000 customers, seed 7, as
of 2026-11-30 — a fixed date, so the output is the same on every run and
machine) and prints a summary. ``schema`` prints the playbook JSON Schema.
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
import math
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

from custtier import presets, synth
from custtier._money import exact_context
from custtier._version import __version__
from custtier.errors import PlaybookError
from custtier.models import CalendarKind, Channel, Customer, Purpose
from custtier.rules import Basis, BasisRule, MissingMonths, Playbook, TierBand
from custtier.tiering import kyc_gaps

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
    schema.set_defaults(command=_schema)

    validate = sub.add_parser("validate", help="check a playbook JSON file")
    validate.add_argument("file", metavar="FILE", help='playbook JSON file ("-" for stdin)')
    validate.set_defaults(command=_validate)

    preset = sub.add_parser("preset", help="print a shipped playbook as JSON")
    preset.add_argument("name", metavar="ID", choices=sorted(presets.ALL))
    preset.add_argument("--compact", action="store_true", help="the exact canonical JSON")
    preset.set_defaults(command=_preset)
    return parser


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


def _schema(_: argparse.Namespace) -> int:
    print(json.dumps(Playbook.json_schema(), indent=2, ensure_ascii=False))
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
        lines = _summary(book, args.seed, args.as_of)
    print("\n".join(lines))
    return EXIT_OK


def _summary(book: synth.Book, seed: int, as_of: dt.date) -> list[str]:
    pb, cs = book.playbook, book.customers
    basis = pb.tiering.bases[0]
    tiers = [_band(basis, _basis_value(c, basis, as_of)).tier for c in cs]
    return [
        f"custtier demo: a synthetic book (seed {seed}, as of {as_of.isoformat()})",
        "",
        f"playbook   {pb.id} v{pb.version}  sha256:{pb.content_hash}",
        f"book       {len(cs):,} customers, {len(book.managers)} managers, "
        f"{len(book.catalogue)} products, amounts in {pb.currency}",
        *_managers(book),
        "",
        *_distributions(cs),
        "",
        *_pyramid(cs, tiers, basis),
        "",
        *_kyc(cs, tiers, pb, as_of),
        "",
        *_contact_and_dates(cs, as_of),
        "",
        *_catalogue(book),
    ]


def _managers(book: synth.Book) -> list[str]:
    per = Counter(c.manager_id for c in book.customers)
    loads = sorted(per[m.id] for m in book.managers)
    return [
        f"managers   {loads[0]:,}-{loads[-1]:,} customers each; "
        f"{per[None]:,} customers without one (marketing system only)"
    ]


def _distributions(cs: Sequence[Customer]) -> list[str]:
    aum = sorted(c.assets_under_management for c in cs)
    profit = sorted((c.annual_profit_contribution for c in cs), reverse=True)
    total = sum(profit, Decimal(0))
    top = math.ceil(len(profit) / 5)
    negative = sum(1 for p in profit if p < 0)
    head = f"{'':<28}" + "".join(f"{h:>12}" for h in ("p10", "p25", "median", "p90", "p99", "max"))
    return [
        head,
        _percentile_row("assets under management", aum),
        _percentile_row("annual profit contribution", profit[::-1]),
        f"  profit {_whole(total)} in all; {negative:,} customers ({_pct(negative, len(cs))}) "
        "lose money",
        f"  80/20 check: the top 20% ({top:,} customers) carry "
        f"{_pct(sum(profit[:top], Decimal(0)), total)} of profit",
    ]


def _percentile_row(label: str, ascending: Sequence[Decimal]) -> str:
    points = [_percentile(ascending, q) for q in (10, 25, 50, 90, 99)] + [ascending[-1]]
    return f"{label:<28}" + "".join(f"{_whole(v):>12}" for v in points)


def _percentile(ascending: Sequence[Decimal], q: int) -> Decimal:
    """Nearest-rank percentile: the smallest value with at least q % at or below it."""
    return ascending[max(0, math.ceil(q * len(ascending) / 100) - 1)]


def _pyramid(cs: Sequence[Customer], tiers: Sequence[str], basis: BasisRule) -> list[str]:
    counts = Counter(tiers)
    assets = dict.fromkeys(counts, Decimal(0))
    for c, tier in zip(cs, tiers, strict=True):
        assets[tier] += c.assets_under_management
    total = sum(assets.values(), Decimal(0))
    lines = [
        f"pyramid by {basis.window_months}-month {basis.basis.value.replace('_', ' ')} "
        f"bands only (missing months: {basis.missing_months.value})",
        f"  {'tier':<16}{'band':<26}{'customers':>10}{'share':>8}{'AUM share':>11}",
    ]
    for band in basis.bands:
        lower = "-inf" if band.lower is None else _whole(band.lower)
        upper = "inf" if band.upper is None else _whole(band.upper)
        n = counts[band.tier]
        lines.append(
            f"  {band.tier:<16}{f'[{lower}, {upper})':<26}{n:>10,}{_pct(n, len(cs)):>8}"
            f"{_pct(assets.get(band.tier, Decimal(0)), total):>11}"
        )
    return lines


def _basis_value(c: Customer, basis: BasisRule, as_of: dt.date) -> Decimal:
    """The customer's value on ``basis``, honouring its missing-months policy.

    A customer whose months do not qualify gets 0, which places them in the
    lowest band, as the tiering engine does.
    """
    if basis.basis is Basis.ASSETS_UNDER_MANAGEMENT:
        return c.assets_under_management
    if basis.basis is Basis.PROFIT_CONTRIBUTION:
        return c.annual_profit_contribution
    by_month = c.balances_by_month()
    window = _months_before(as_of, basis.window_months)
    present = [by_month[m] for m in window if m in by_month]
    total = sum(present, Decimal(0))
    if basis.missing_months is MissingMonths.COUNT_AS_ZERO:
        return total / len(window)
    if basis.missing_months is MissingMonths.INSUFFICIENT and len(present) < len(window):
        return Decimal(0)
    return total / len(present) if len(present) >= max(1, basis.min_months) else Decimal(0)


def _months_before(as_of: dt.date, count: int) -> list[str]:
    index = as_of.year * 12 + as_of.month - 1
    return [f"{k // 12:04d}-{k % 12 + 1:02d}" for k in range(index - count, index)]


def _band(basis: BasisRule, value: Decimal) -> TierBand:
    """The band holding ``value`` in ``[lower, upper)``; below every band, the lowest."""
    for band in reversed(basis.bands):
        if band.lower is None or value >= band.lower:
            return band
    return basis.bands[0]


def _kyc(cs: Sequence[Customer], tiers: Sequence[str], pb: Playbook, as_of: dt.date) -> list[str]:
    defs = {t.id: t for t in pb.tiers}
    counts = Counter(tiers)
    complete: Counter[str] = Counter()
    gaps: dict[str, Counter[str]] = {t: Counter() for t in defs}
    for c, tier in zip(cs, tiers, strict=True):
        missing = kyc_gaps(c, defs[tier], as_of=as_of)
        complete[tier] += not missing
        gaps[tier].update(item.value for item in missing)
    lines = [
        "KYC files against what each band's tier requires",
        f"  {'tier':<16}{'complete':>9}{'gaps':>7}  most common gaps",
    ]
    for tier in dict.fromkeys(b.tier for b in pb.tiering.bases[0].bands):
        common = ", ".join(f"{item} {n:,}" for item, n in gaps[tier].most_common(3))
        lines.append(
            f"  {tier:<16}{complete[tier]:>9,}{counts[tier] - complete[tier]:>7,}  {common}"
        )
    return lines


def _contact_and_dates(cs: Sequence[Customer], as_of: dt.date) -> list[str]:
    dnc = sum(c.contact.do_not_contact for c in cs)
    none = sum(1 for c in cs if not c.contact.consents and not c.contact.do_not_contact)
    no_marketing = sum(
        1 for c in cs if c.contact.consents and not any(x.marketing for x in c.contact.consents)
    )
    sms = sum(c.contact.allows(Channel.SMS, Purpose.MARKETING) for c in cs)
    leap = sum(1 for c in cs if c.birth_date and (c.birth_date.month, c.birth_date.day) == (2, 29))
    unknown = sum(1 for c in cs if c.birth_date is None)
    elderly = sum(1 for c in cs if c.birth_date and _age(c.birth_date, as_of) >= 65)
    lunar = sum(
        1
        for c in cs
        if c.kyc and any(d.calendar is CalendarKind.LUNAR for d in c.kyc.important_dates)
    )
    risk = [c.risk_assessment for c in cs]
    valid = sum(1 for r in risk if r and r.is_valid_on(as_of))
    expired = sum(1 for r in risk if r and not r.is_valid_on(as_of))
    return [
        f"contact    do-not-contact {dnc:,}; no consent recorded {none:,}",
        f"           opted out of all marketing {no_marketing:,}; SMS marketing allowed {sms:,}",
        f"dates      29 February birthdays {leap:,}; birth date unknown {unknown:,}; "
        f"aged 65+ {elderly:,}",
        f"           customers keeping lunar-calendar dates {lunar:,}",
        f"risk       assessments valid {valid:,}; expired {expired:,}; "
        f"none {len(cs) - valid - expired:,}",
        f"referrals  {sum(1 for c in cs if c.referred_by):,} customers were referred by another",
    ]


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _catalogue(book: synth.Book) -> list[str]:
    levels = [lv.id for lv in book.playbook.risk.product_levels]
    grid = Counter((p.category, p.risk_level) for p in book.catalogue)
    lines = [
        "catalogue by category and risk level",
        f"  {'category':<22}" + "".join(f"{lv:>8}" for lv in levels) + f"{'total':>8}",
    ]
    for cat in book.playbook.allocation.categories:
        row = [grid[cat.id, lv] for lv in levels]
        cells = "".join(f"{n if n else '.':>8}" for n in row)
        lines.append(f"  {cat.id:<22}{cells}{sum(row):>8}")
    return lines


def _whole(amount: Decimal) -> str:
    """An amount rounded to whole units, with thousands separators."""
    return f"{amount.quantize(Decimal(1), rounding=ROUND_HALF_EVEN):,}"


def _pct(part: Decimal | int, whole: Decimal | int) -> str:
    if not whole:
        return "-"
    share = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_EVEN)
    return f"{share}%"
