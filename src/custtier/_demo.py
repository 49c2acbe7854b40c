"""The demo's report: a synthetic book through the engines, as text lines.

Pure: it builds strings and never prints (the CLI does). ``locale`` picks
the report's words (``custtier._demo_words``) and writes reasons, tiers,
levels and categories by the message catalogue and the playbook's labels.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections import Counter
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from custtier import synth
from custtier._dates import age_on
from custtier._demo_words import WORDS
from custtier._i18n import CATALOGUES, HOLIDAY_LANGUAGES, Locale, Terms
from custtier.cadence import Calendar, HolidaysCalendar, plan_contacts
from custtier.errors import MissingExtraError
from custtier.models import CalendarKind, Channel, Customer, Purpose
from custtier.rules import Playbook
from custtier.suitability import AllocationLine, allocate, check_suitability
from custtier.tiering import BookTiering, tier_book

__all__ = ["summary"]

SAMPLE_AMOUNT = Decimal("500000.00")


class _Say:
    """The report's words and labels in one locale."""

    def __init__(self, locale: Locale, playbook: Playbook) -> None:
        self.locale = locale
        self.words = WORDS[locale]
        self.terms: Terms = playbook.terms(locale)
        self.vocabulary = CATALOGUES[locale].vocabulary

    def __call__(self, what: str, /, **fields: Any) -> str:
        text = self.words[what]
        assert isinstance(text, str)
        return text.format(**fields)

    def head(self, key: str) -> tuple[str, ...]:
        found = self.words[key]
        assert isinstance(found, tuple)
        return found

    def label(self, kind: str, ident: str) -> str:
        """A row by its label in Chinese; by its id in English (as the report always has)."""
        if self.locale is Locale.EN:
            return ident
        return self.terms.labels.get(f"{kind}.{ident}") or ident

    def term(self, group: str, ident: str) -> str:
        return self.vocabulary.get(f"{group}.{ident}") or str(
            self.words.get(f"{group}.{ident}", ident)
        )


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _left(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (a Chinese character takes two)."""
    return text + " " * max(0, width - _width(text))


def _right(text: str, width: int) -> str:
    return " " * max(0, width - _width(text)) + text


def summary(
    book: synth.Book, *, seed: int, as_of: dt.date, locale: Locale = Locale.EN
) -> list[str]:
    """The demo's report on ``book``, line by line (the CLI prints it)."""
    pb, cs = book.playbook, book.customers
    say = _Say(locale, pb)
    result = tier_book(cs, pb, as_of=as_of)
    return [
        say("title", seed=seed, as_of=as_of.isoformat()),
        "",
        say("playbook", id=pb.id, version=pb.version, hash=pb.content_hash),
        say(
            "book",
            customers=f"{len(cs):,}",
            managers=len(book.managers),
            products=len(book.catalogue),
            currency=pb.currency,
        ),
        *_managers(book, say),
        "",
        *_distributions(cs, say),
        "",
        *_pyramid(result, pb, say),
        "",
        *_kyc(result, pb, say),
        "",
        *_candidates(result, say),
        "",
        *_allocations(book, result, as_of, say),
        "",
        *_refusal(book, result, as_of, say),
        "",
        *_plan(book, result, as_of, say),
        "",
        *_contact_and_dates(cs, as_of, say),
        "",
        *_catalogue(book, say),
    ]


def _pyramid(result: BookTiering, pb: Playbook, say: _Say) -> list[str]:
    h = say.head("pyramid_head")
    lines = [
        say("pyramid", id=result.playbook.id, as_of=result.as_of.isoformat()),
        f"  {_left(h[0], 16)}{_right(h[1], 10)}{_right(h[2], 9)}{_right(h[3], 11)}"
        f"{_right(h[4], 14)}",
    ]
    for row in result.summary:
        lines.append(
            f"  {_left(say.label('tier', row.tier), 16)}{row.count:>10,}"
            f"{_share(row.customer_share):>9}{_share(row.asset_share):>11}"
            f"{_share(row.profit_share):>14}"
        )
    pareto = pb.tiering.pareto
    if result.pareto_profit_share is not None and pareto is not None:
        n = len(result.decisions)
        tier = "high-end" if say.locale is Locale.EN else say.label("tier", pareto.tier)
        lines.append(
            say(
                "pareto",
                count=f"{result.pareto_count:,}",
                share=_pct(result.pareto_count, n),
                profit=_share(result.pareto_profit_share),
                tier=tier,
            )
        )
    if result.errors:
        lines.append(say("not_tiered", count=f"{len(result.errors):,}"))
    return lines


def _kyc(result: BookTiering, pb: Playbook, say: _Say) -> list[str]:
    counts: Counter[str] = Counter()
    complete: Counter[str] = Counter()
    gaps: dict[str, Counter[str]] = {t.id: Counter() for t in pb.tiers}
    for d in result.decisions:
        counts[d.outcome] += 1
        complete[d.outcome] += not d.kyc_gaps
        gaps[d.outcome].update(item.value for item in d.kyc_gaps)
    h = say.head("kyc_head")
    lines = [say("kyc"), f"  {_left(h[0], 16)}{_right(h[1], 9)}{_right(h[2], 7)}  {h[3]}"]
    sep = CATALOGUES[say.locale].list_separator
    for tier in reversed([t.id for t in pb.tiers]):
        common = sep.join(f"{say.term('kyc', item)} {n:,}" for item, n in gaps[tier].most_common(3))
        lines.append(
            f"  {_left(say.label('tier', tier), 16)}{complete[tier]:>9,}"
            f"{counts[tier] - complete[tier]:>7,}  {common}"
        )
    return lines


def _candidates(result: BookTiering, say: _Say) -> list[str]:
    signals = Counter(str(r.facts.get("signal")) for c in result.candidates for r in c.signals)
    top = ", ".join(f"{c.customer_key} ({c.score})" for c in result.candidates[:5])
    listed = ", ".join(f"{say.term('signal', s)} {n:,}" for s, n in signals.most_common())
    return [
        say("candidates", count=f"{len(result.candidates):,}", top=top or "-"),
        say("signals", signals=listed or "-"),
    ]


def _with_level(book: synth.Book, level: str, as_of: dt.date) -> Customer | None:
    return next(
        (c for c in book.customers if c.risk_assessment
         and c.risk_assessment.level == level and c.risk_assessment.is_valid_on(as_of)),
        None,
    )  # fmt: skip


def _allocations(book: synth.Book, result: BookTiering, as_of: dt.date, say: _Say) -> list[str]:
    """For one customer per risk level, where a sample amount goes and what is refused."""
    pb = book.playbook
    tiers = {d.customer_key: d.outcome for d in result.decisions}
    lines = [say("allocating", amount=_whole(SAMPLE_AMOUNT))]
    for level in pb.risk.customer_levels:
        shown = say.label("level", level.id)
        customer = _with_level(book, level.id, as_of)
        if customer is None:
            lines.append(say("no_customer", level=shown))
            continue
        tier = tiers.get(customer.key)
        d = allocate(
            customer, SAMPLE_AMOUNT, book.catalogue, pb, as_of=as_of, tier=tier, in_branch=True
        )
        placed = ", ".join(_sold(line, say) for line in d.lines)
        refused = Counter(
            say.term("code", e.reasons[0].code.value) for e in d.excluded if e.reasons
        )
        tier_text = say.label("tier", tier) if tier else "-"
        lines.append(say("allocated", level=shown, key=customer.key, tier=tier_text, placed=placed))
        lines.append(
            say("refused", refused=", ".join(f"{c} x{n}" for c, n in sorted(refused.items())))
        )
    return lines


def _sold(line: AllocationLine, say: _Say) -> str:
    """One allocation line: product (or cash), amount, and its conditions of sale if any."""
    text = f"{line.product_id or say('cash')} {_whole(line.amount)}"
    if line.conditions:
        text += " [" + ", ".join(say.term("condition", c.value) for c in line.conditions) + "]"
    return text


def _refusal(book: synth.Book, result: BookTiering, as_of: dt.date, say: _Say) -> list[str]:
    """The most cautious assessed customer offered the riskiest product: the record of a refusal."""
    pb = book.playbook
    tiers = {d.customer_key: d.outcome for d in result.decisions}
    riskiest = pb.risk.product_levels[-1].id
    product = next((p for p in book.catalogue if p.risk_level == riskiest), None)
    for level in pb.risk.customer_levels:
        customer = _with_level(book, level.id, as_of)
        if customer is None or product is None:
            continue
        d = check_suitability(customer, product, pb, as_of=as_of, tier=tiers.get(customer.key))
        if not d.allowed:
            head = say("refusal", product=product.id, level=say.label("level", level.id))
            return [
                head,
                *(f"  {line}" for line in d.explain(say.locale, playbook=pb).splitlines()),
            ]
    return []


def _calendar(locale: Locale) -> Calendar | None:
    try:
        return HolidaysCalendar("CN", language=HOLIDAY_LANGUAGES[locale])
    except MissingExtraError:  # without custtier[calendars]: weekends only
        return None


def _plan(book: synth.Book, result: BookTiering, as_of: dt.date, say: _Say) -> list[str]:
    """The next 30 days: touchpoints by channel and week, manager load, what did not fit."""
    start = as_of + dt.timedelta(days=1)
    end = start + dt.timedelta(days=29)
    plan = plan_contacts(book.customers, book.playbook, start=start, end=end,
                         tiers={d.customer_key: d for d in result.decisions},
                         calendar=_calendar(say.locale), managers=book.managers)  # fmt: skip
    weeks = sorted({t.on.isocalendar()[:2] for t in plan.touchpoints})
    by = Counter((t.channel.value, t.on.isocalendar()[:2]) for t in plan.touchpoints)
    lines = [
        say(
            "plan",
            start=start.isoformat(),
            end=end.isoformat(),
            calendar=plan.calendar,
            required=f"{plan.required:,}",
            planned=f"{len(plan.touchpoints):,}",
            unscheduled=f"{len(plan.unscheduled):,}",
            provisional=f"{plan.provisional:,}",
        ),
        f"  {_left(say('channel'), 16)}" + "".join(f"{f'W{w:02d}':>8}" for _, w in weeks),
    ]
    for channel in sorted({c for c, _ in by}):
        name = (
            say.label("channel", channel)
            if say.locale is Locale.EN
            else say.term("channel", channel)
        )
        lines.append(f"  {_left(name, 16)}" + "".join(f"{by[channel, w]:>8,}" for w in weeks))
    busiest = sorted(plan.load, key=lambda w: -w.booked_minutes)[:3]
    if busiest:
        lines.append(say("busiest", weeks=", ".join(
            f"{w.manager_id} {w.week} {w.booked_minutes // 60}h/{(w.capacity_minutes or 0) // 60}h"
            for w in busiest)))  # fmt: skip
    else:
        lines.append(say("no_manager_work"))
    reasons = Counter(say.term("code", u.code.value) for u in plan.unscheduled)
    counts = ", ".join(f"{c} {n:,}" for c, n in reasons.most_common())
    lines.append(say("unscheduled", counts=counts or say("none")))
    return lines


def _share(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.1'), ROUND_HALF_EVEN)}%"


def _managers(book: synth.Book, say: _Say) -> list[str]:
    per = Counter(c.manager_id for c in book.customers)
    loads = sorted(per[m.id] for m in book.managers)
    return [say("managers", low=f"{loads[0]:,}", high=f"{loads[-1]:,}", none=f"{per[None]:,}")]


def _distributions(cs: Sequence[Customer], say: _Say) -> list[str]:
    aum = sorted(c.assets_under_management for c in cs)
    profit = sorted((c.annual_profit_contribution for c in cs), reverse=True)
    total = sum(profit, Decimal(0))
    top = math.ceil(len(profit) / 5)
    negative = sum(1 for p in profit if p < 0)
    head = f"{'':<28}" + "".join(_right(h, 12) for h in say.head("percentiles"))
    return [
        head,
        _percentile_row(say("aum"), aum),
        _percentile_row(say("profit"), profit[::-1]),
        say("profit_total", total=_whole(total), negative=f"{negative:,}",
            share=_pct(negative, len(cs))),
        say("top_20", top=f"{top:,}", share=_pct(sum(profit[:top], Decimal(0)), total)),
    ]  # fmt: skip


def _percentile_row(label: str, ascending: Sequence[Decimal]) -> str:
    points = [_percentile(ascending, q) for q in (10, 25, 50, 90, 99)] + [ascending[-1]]
    return _left(label, 28) + "".join(f"{_whole(v):>12}" for v in points)


def _percentile(ascending: Sequence[Decimal], q: int) -> Decimal:
    """Nearest-rank percentile: the smallest value with at least q % at or below it."""
    return ascending[max(0, math.ceil(q * len(ascending) / 100) - 1)]


def _contact_and_dates(cs: Sequence[Customer], as_of: dt.date, say: _Say) -> list[str]:
    dnc = sum(c.contact.do_not_contact for c in cs)
    none = sum(1 for c in cs if not c.contact.consents and not c.contact.do_not_contact)
    no_marketing = sum(
        1 for c in cs if c.contact.consents and not any(x.marketing for x in c.contact.consents)
    )
    sms = sum(c.contact.allows(Channel.SMS, Purpose.MARKETING) for c in cs)
    leap = sum(1 for c in cs if c.birth_date and (c.birth_date.month, c.birth_date.day) == (2, 29))
    unknown = sum(1 for c in cs if c.birth_date is None)
    elderly = sum(1 for c in cs if c.birth_date and age_on(c.birth_date, as_of) >= 65)
    lunar = sum(
        1
        for c in cs
        if c.kyc and any(d.calendar is CalendarKind.LUNAR for d in c.kyc.important_dates)
    )
    risk = [c.risk_assessment for c in cs]
    valid = sum(1 for r in risk if r and r.is_valid_on(as_of))
    expired = sum(1 for r in risk if r and not r.is_valid_on(as_of))
    return [
        say("contact", dnc=f"{dnc:,}", none=f"{none:,}"),
        say("marketing", opted_out=f"{no_marketing:,}", sms=f"{sms:,}"),
        say("dates", leap=f"{leap:,}", unknown=f"{unknown:,}", elderly=f"{elderly:,}"),
        say("lunar", lunar=f"{lunar:,}"),
        say("risk", valid=f"{valid:,}", expired=f"{expired:,}",
            none=f"{len(cs) - valid - expired:,}"),
        say("referrals", count=f"{sum(1 for c in cs if c.referred_by):,}"),
    ]  # fmt: skip


def _catalogue(book: synth.Book, say: _Say) -> list[str]:
    levels = [lv.id for lv in book.playbook.risk.product_levels]
    grid = Counter((p.category, p.risk_level) for p in book.catalogue)
    width = 22 if say.locale is Locale.EN else 30
    lines = [
        say("catalogue"),
        f"  {_left(say('category'), width)}"
        + "".join(_right(say.label("plevel", lv), 8) for lv in levels)
        + _right(say("total"), 8),
    ]
    for cat in book.playbook.allocation.categories:
        row = [grid[cat.id, lv] for lv in levels]
        cells = "".join(f"{n if n else '.':>8}" for n in row)
        lines.append(f"  {_left(say.label('category', cat.id), width)}{cells}{sum(row):>8}")
    return lines


def _whole(amount: Decimal) -> str:
    """An amount rounded to whole units, with thousands separators."""
    return f"{amount.quantize(Decimal(1), rounding=ROUND_HALF_EVEN):,}"


def _pct(part: Decimal | int, whole: Decimal | int) -> str:
    if not whole:
        return "-"
    share = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_EVEN)
    return f"{share}%"
