"""The demo's report: a synthetic book through the engines, as text lines.

Pure: it builds strings and never prints (the CLI does).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal

from custtier import synth
from custtier.cadence import Calendar, HolidaysCalendar, plan_contacts
from custtier.errors import MissingExtraError
from custtier.models import CalendarKind, Channel, Customer, Purpose
from custtier.rules import Playbook
from custtier.suitability import AllocationLine, allocate
from custtier.tiering import BookTiering, tier_book

__all__ = ["summary"]

SAMPLE_AMOUNT = Decimal("500000.00")


def summary(book: synth.Book, *, seed: int, as_of: dt.date) -> list[str]:
    """The demo's report on ``book``, line by line (the CLI prints it)."""
    pb, cs = book.playbook, book.customers
    result = tier_book(cs, pb, as_of=as_of)
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
        *_pyramid(result),
        "",
        *_kyc(result, pb),
        "",
        *_candidates(result),
        "",
        *_allocations(book, result, as_of),
        "",
        *_plan(book, result, as_of),
        "",
        *_contact_and_dates(cs, as_of),
        "",
        *_catalogue(book),
    ]


def _pyramid(result: BookTiering) -> list[str]:
    pb_id = result.playbook.id
    lines = [
        f"tier pyramid ({pb_id}: bands, the 80/20 rule and KYC, as of {result.as_of.isoformat()})",
        f"  {'tier':<16}{'customers':>10}{'share':>9}{'AUM share':>11}{'profit share':>14}",
    ]
    for row in result.summary:
        lines.append(
            f"  {row.tier:<16}{row.count:>10,}{_share(row.customer_share):>9}"
            f"{_share(row.asset_share):>11}{_share(row.profit_share):>14}"
        )
    if result.pareto_profit_share is not None:
        n = len(result.decisions)
        lines.append(
            f"  80/20 rule: {result.pareto_count:,} customers ({_pct(result.pareto_count, n)}) "
            f"carry {_share(result.pareto_profit_share)} of positive profit and are high-end"
        )
    if result.errors:
        lines.append(f"  {len(result.errors):,} records could not be tiered (error records)")
    return lines


def _kyc(result: BookTiering, pb: Playbook) -> list[str]:
    counts: Counter[str] = Counter()
    complete: Counter[str] = Counter()
    gaps: dict[str, Counter[str]] = {t.id: Counter() for t in pb.tiers}
    for d in result.decisions:
        counts[d.outcome] += 1
        complete[d.outcome] += not d.kyc_gaps
        gaps[d.outcome].update(item.value for item in d.kyc_gaps)
    lines = [
        "KYC files against what each tier requires (the KYC problem set)",
        f"  {'tier':<16}{'complete':>9}{'gaps':>7}  most common gaps",
    ]
    for tier in reversed([t.id for t in pb.tiers]):
        common = ", ".join(f"{item} {n:,}" for item, n in gaps[tier].most_common(3))
        lines.append(
            f"  {tier:<16}{complete[tier]:>9,}{counts[tier] - complete[tier]:>7,}  {common}"
        )
    return lines


def _candidates(result: BookTiering) -> list[str]:
    signals = Counter(str(r.facts.get("signal")) for c in result.candidates for r in c.signals)
    top = ", ".join(f"{c.customer_key} ({c.score})" for c in result.candidates[:5])
    return [
        f"upgrade candidates  {len(result.candidates):,} potential high-quality customers; "
        f"top: {top or '-'}",
        "  signals: " + (", ".join(f"{s} {n:,}" for s, n in signals.most_common()) or "-"),
    ]


def _allocations(book: synth.Book, result: BookTiering, as_of: dt.date) -> list[str]:
    """For one customer per risk level, where a sample amount goes and what is refused."""
    pb = book.playbook
    tiers = {d.customer_key: d.outcome for d in result.decisions}
    lines = [
        f"allocating {_whole(SAMPLE_AMOUNT)} at the counter for one customer per risk level "
        "[conditions of sale]"
    ]
    for level in pb.risk.customer_levels:
        customer = next(
            (c for c in book.customers if c.risk_assessment
             and c.risk_assessment.level == level.id and c.risk_assessment.is_valid_on(as_of)),
            None,
        )  # fmt: skip
        if customer is None:
            lines.append(f"  {level.id}: no customer with a valid assessment at this level")
            continue
        tier = tiers.get(customer.key)
        d = allocate(
            customer, SAMPLE_AMOUNT, book.catalogue, pb, as_of=as_of, tier=tier, in_branch=True
        )
        placed = ", ".join(_sold(line) for line in d.lines)
        refused = Counter(e.reasons[0].code.value for e in d.excluded if e.reasons)
        lines.append(f"  {level.id} ({customer.key}, {tier}): {placed}")
        lines.append(
            "    refused: " + ", ".join(f"{code} x{n}" for code, n in sorted(refused.items()))
        )
    return lines


def _sold(line: AllocationLine) -> str:
    """One allocation line: product (or cash), amount, and its conditions of sale if any."""
    text = f"{line.product_id or 'cash'} {_whole(line.amount)}"
    if line.conditions:
        text += " [" + ", ".join(c.value for c in line.conditions) + "]"
    return text


def _plan(book: synth.Book, result: BookTiering, as_of: dt.date) -> list[str]:
    """The next 30 days: touchpoints by channel and week, manager load, what did not fit."""
    start = as_of + dt.timedelta(days=1)
    end = start + dt.timedelta(days=29)
    try:
        calendar: Calendar | None = HolidaysCalendar("CN")
    except MissingExtraError:  # without custtier[calendars]: weekends only
        calendar = None
    plan = plan_contacts(book.customers, book.playbook, start=start, end=end,
                         tiers={d.customer_key: d for d in result.decisions},
                         calendar=calendar, managers=book.managers)  # fmt: skip
    weeks = sorted({t.on.isocalendar()[:2] for t in plan.touchpoints})
    by = Counter((t.channel.value, t.on.isocalendar()[:2]) for t in plan.touchpoints)
    lines = [
        f"contact plan {start.isoformat()} to {end.isoformat()} ({plan.calendar}): "
        f"{plan.required:,} contacts required, {len(plan.touchpoints):,} planned, "
        f"{len(plan.unscheduled):,} unscheduled, {plan.provisional:,} provisional",
        f"  {'channel':<16}" + "".join(f"{f'W{w:02d}':>8}" for _, w in weeks),
    ]
    for channel in sorted({c for c, _ in by}):
        lines.append(f"  {channel:<16}" + "".join(f"{by[channel, w]:>8,}" for w in weeks))
    busiest = sorted(plan.load, key=lambda w: -w.booked_minutes)[:3]
    lines.append("  busiest manager weeks: " + ", ".join(
        f"{w.manager_id} {w.week} {w.booked_minutes // 60}h/{(w.capacity_minutes or 0) // 60}h"
        for w in busiest) if busiest else "  no manager-owned work")  # fmt: skip
    reasons = Counter(u.code.value for u in plan.unscheduled)
    lines.append("  unscheduled: " + (", ".join(f"{c} {n:,}" for c, n in reasons.most_common())
                                      or "none"))  # fmt: skip
    return lines


def _share(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.1'), ROUND_HALF_EVEN)}%"


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
