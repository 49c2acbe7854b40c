"""What each result shows in a notebook: aggregates and rule text, never a whole book.

One view builder per displayable class, registered with
:func:`custtier._display.register`; the package imports this module once, after
every class exists. Views show counts, shares, rule ids and pseudonymous keys
of single decisions; never a customer's record, and never every decision of a
book (a book's decisions are a table: ``to_pandas()``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from functools import reduce
from typing import Any

from pydantic import BaseModel

from custtier import synth
from custtier._display import Shown, Table, View, register
from custtier._explain import Decision, PlaybookRef, Reason
from custtier._i18n import NEUTRAL, Locale, Terms
from custtier._money import EXACT
from custtier.cadence import ContactPlan
from custtier.rules import Playbook
from custtier.rules._lookup import _rows
from custtier.suitability import AllocationDecision
from custtier.tiering import BookTiering

__all__: list[str] = []

_SHARE = Decimal("0.8")  # the 80/20 line: what share of customers carries 80 % of profit
_FEW = Decimal("0.2")


def _ref(ref: PlaybookRef) -> str:
    return f"{ref.id} v{ref.version} #{ref.content_hash[:12]}"


_TENTH = Decimal("0.1")


def _pct(share: Decimal | None) -> str:
    # Rounded here, half-even in custtier's context: a format spec would round in the
    # caller's (ROUND_UP there would turn 12.34 % into 12.4 %).
    if share is None:
        return ""
    percent = share.scaleb(2, context=EXACT)
    return f"{percent.quantize(_TENTH, rounding=ROUND_HALF_EVEN, context=EXACT):f} %"


def _facts(reason: Reason) -> str:
    return ", ".join(f"{k}={v}" for k, v in reason.facts.items())


def _reasons(
    reasons: Sequence[Reason],
    title: str = "Reasons",
    locale: Locale | None = None,
    terms: Terms = NEUTRAL,
) -> Table:
    if locale is None:
        return Table(
            title,
            ("code", "rule id", "message", "facts"),
            [(r.code.value, r.rule_id, r.message, _facts(r)) for r in reasons],
        )
    return Table(
        title,
        ("code", "rule id", "text"),
        [(r.code.value, r.rule_id, r.text(locale, terms)) for r in reasons],
    )


def _errors(errors: Iterable[Any]) -> Table:
    counts = Counter((e.code, e.field or "") for e in errors)
    return Table(
        "Errors (records not decided), by code and field",
        ("code", "field", "records"),
        [(code, f, n) for (code, f), n in sorted(counts.items())],
    )


@register(Decision)
def decision(d: Decision) -> View:
    """Any decision: its outcome, then its reasons."""
    return _decision(d, None, NEUTRAL)


def _decision(d: Decision, locale: Locale | None, terms: Terms) -> View:
    facts: list[tuple[str, object]] = [
        ("customer", d.customer_key),
        ("as of", d.as_of.isoformat()),
        ("playbook", _ref(d.playbook)),
    ]
    outcome = terms.labels.get(f"tier.{d.outcome}") or terms.labels.get(f"level.{d.outcome}")
    title = f"{type(d).__name__}: {d.outcome}" + (f" ({outcome})" if outcome else "")
    return View(title, facts, [_reasons(d.reasons, locale=locale, terms=terms)])


def decision_in(d: Decision, locale: Locale | None, terms: Terms) -> Shown:
    """``d``'s display with reasons in ``locale`` (``Decision.display``)."""
    return Shown(_decision(d, locale, terms))


@register(AllocationDecision)
def allocation(d: AllocationDecision) -> View:
    """An allocation: lines (with conditions where a line carries them), cash, unplaced."""
    lines = [
        (
            line.product_id or "(cash)",
            line.category,
            line.amount,
            _pct(line.weight),
            ", ".join(c.value for c in line.conditions),
        )
        for line in d.lines
    ]
    cash = reduce(  # in custtier's context, not the caller's
        EXACT.add, (line.amount for line in d.lines if line.product_id is None), Decimal(0)
    )
    facts: list[tuple[str, object]] = [
        ("customer", d.customer_key),
        ("amount", f"{d.amount} {d.currency}"),
        ("cash", cash),
        ("unplaced", d.unplaced),
        ("conditions of sale", ", ".join(c.value for c in d.conditions) or "none"),
        ("excluded products", len(d.excluded)),
        ("as of", d.as_of.isoformat()),
        ("playbook", _ref(d.playbook)),
    ]
    excluded = Table(
        "Excluded products",
        ("product", "codes"),
        [(x.product_id, " ".join(r.code.value for r in x.reasons)) for x in d.excluded],
    )
    return View(
        f"AllocationDecision: {d.outcome}",
        facts,
        [
            Table("Lines", ("product", "category", "amount", "weight", "conditions"), lines),
            excluded,
            _reasons(d.reasons),
        ],
    )


def eighty_twenty(curve: Sequence[tuple[Decimal, Decimal]]) -> tuple[Decimal, Decimal] | None:
    """(share of customers carrying 80 % of profit, profit share of the top 20 %), from the curve.

    Both read off the curve's points: the first point reaching 80 % of
    profit, and the last point at or below 20 % of customers. At the curve's
    resolution the first is an upper bound (those customers carry *at least*
    80 %); the exact smallest set is the book's Pareto count.
    """
    if not curve:
        return None
    carriers = next((c for c, p in curve if p >= _SHARE), curve[-1][0])
    top = max((p for c, p in curve if c <= _FEW), default=Decimal(0))
    return carriers, top


@register(BookTiering, short_repr=True)
def book_tiering(b: BookTiering) -> View:
    """A tiered book: the pyramid, movements, the 80/20 line; never the decisions."""
    facts: list[tuple[str, object]] = [
        ("decisions", len(b.decisions)),
        ("errors", len(b.errors)),
        ("upgrade candidates", len(b.candidates)),
        ("as of", b.as_of.isoformat()),
        ("playbook", _ref(b.playbook)),
    ]
    line = eighty_twenty(b.concentration)
    if line is not None:
        carriers, top = line
        text = f"{_pct(carriers)} of customers carry at least 80 % of profit; the top 20 % carry {_pct(top)}"
        facts.append(("80/20 line", text))
    if b.pareto_profit_share is not None:
        facts.append(
            ("Pareto set", f"{b.pareto_count} customers, {_pct(b.pareto_profit_share)} of profit")
        )
    pyramid = Table(
        "Tier pyramid (top first)",
        ("tier", "customers", "customer share", "asset share", "profit share"),
        [
            (s.tier, s.count, _pct(s.customer_share), _pct(s.asset_share), _pct(s.profit_share))
            for s in b.summary
        ],
    )
    movements = Table("Movements", ("movement", "customers"), sorted(b.movements.items()))
    tables = [pyramid, movements]
    if b.errors:
        tables.append(_errors(b.errors))
    return View(f"BookTiering of {len(b.decisions)} customers, as of {b.as_of}", facts, tables)


@register(ContactPlan, short_repr=True)
def contact_plan(p: ContactPlan) -> View:
    """A plan: touchpoints per week and channel, unscheduled by reason, manager load."""
    weeks: Counter[tuple[str, str]] = Counter()
    for t in p.touchpoints:
        year, week, _ = t.on.isocalendar()
        weeks[(f"{year}-W{week:02d}", t.channel.value)] += 1
    channels = sorted({c for _, c in weeks})
    per_week = [
        (w, *(weeks.get((w, c), 0) for c in channels)) for w in sorted({w for w, _ in weeks})
    ]
    load: dict[str, list[int]] = {}
    capacity: dict[str, int] = {}
    for row in p.load:
        acc = load.setdefault(row.manager_id, [0, 0, 0, 0])
        acc[0] += 1
        acc[1] += row.booked_minutes
        acc[2] += row.touchpoints
        acc[3] += row.unscheduled
        if row.capacity_minutes is not None:
            capacity[row.manager_id] = capacity.get(row.manager_id, 0) + row.capacity_minutes
    managers = [
        (
            m,
            weeks_,
            booked,
            _pct(EXACT.divide(booked, capacity[m])) if capacity.get(m) else "",
            tps,
            uns,
        )
        for m, (weeks_, booked, tps, uns) in sorted(load.items())
    ]
    facts: list[tuple[str, object]] = [
        ("period", f"{p.start} to {p.end}"),
        ("calendar", p.calendar),
        ("required", p.required),
        ("scheduled", len(p.touchpoints)),
        ("unscheduled", len(p.unscheduled)),
        ("provisional", p.provisional),
        ("errors", len(p.errors)),
        ("playbook", _ref(p.playbook)),
    ]
    tables = [
        Table("Touchpoints per ISO week and channel", ("week", *channels), per_week),
        Table("Unscheduled, by reason", ("code", "contacts"), list(p.unscheduled_counts().items())),
        Table(
            "Manager load over the plan",
            ("manager", "weeks", "booked min", "of capacity", "touchpoints", "unscheduled"),
            managers,
        ),
    ]
    if p.errors:
        tables.append(_errors(p.errors))
    return View(
        f"ContactPlan {p.start} to {p.end}: {len(p.touchpoints)} touchpoints, "
        f"{len(p.unscheduled)} unscheduled",
        facts,
        tables,
    )


@register(synth.Book, short_repr=True)
def synthetic_book(b: synth.Book) -> View:
    """A synthetic book: sizes, managers and catalogue; no customer record."""
    owned = Counter(c.manager_id for c in b.customers if c.manager_id)
    managers = [
        (m.id, m.branch or "", m.capacity_hours_per_week, owned.get(m.id, 0)) for m in b.managers
    ]
    products = [(p.id, p.category, p.risk_level, p.minimum_investment) for p in b.catalogue]
    facts: list[tuple[str, object]] = [
        ("customers", len(b.customers)),
        ("without a manager", sum(1 for c in b.customers if not c.manager_id)),
        ("managers", len(b.managers)),
        ("products", len(b.catalogue)),
        ("playbook", _ref(b.playbook.ref)),
    ]
    return View(
        f"synth.Book of {len(b.customers)} customers",
        facts,
        [
            Table("Managers", ("manager", "branch", "hours/week", "customers"), managers),
            Table("Catalogue", ("product", "category", "risk level", "minimum"), products),
        ],
    )


_SECTIONS = ("tiers", "tiering", "risk", "allocation", "services", "cadence")
_SKIP = frozenset({"rule_id", "id", "source", "description", "citation", "note"})


def _rule_id(pb: Playbook, row: BaseModel) -> str | None:
    """The id a decision would cite for ``row`` (what ``find_rule`` resolves to it), if any."""
    own = getattr(row, "rule_id", None)
    ident = getattr(row, "id", None)
    names = [own, ident, f"service.{ident}", f"kyc.{ident}"]
    return next((n for n in names if isinstance(n, str) and pb.find_rule(n) is row), None)


def _summary(row: BaseModel) -> str:
    """The row's scalar fields, ``name=value``, short (the display clips it further)."""
    parts = []
    for name in type(row).model_fields:
        value = getattr(row, name)
        if name in _SKIP or isinstance(value, (BaseModel, tuple, list, dict)) or value is None:
            continue
        parts.append(f"{name}={value}")
    return ", ".join(parts)


@register(Playbook)
def playbook(pb: Playbook) -> View:
    """A playbook: what identifies it, then each section's rules (id, kind, settings)."""
    facts: list[tuple[str, object]] = [
        ("title", pb.title),
        ("version", pb.version),
        ("effective from", pb.effective_from.isoformat()),
        ("currency", pb.currency),
        ("rounding", pb.rounding.value),
        ("content hash", pb.content_hash),
    ]
    tables = []
    for section in _SECTIONS:
        rows = [
            (rule_id, type(row).__name__, _summary(row))
            for row in _rows(getattr(pb, section))
            if (rule_id := _rule_id(pb, row)) is not None
        ]
        tables.append(
            Table(f"{section} ({len(rows)} rules)", ("rule id", "kind", "settings"), rows)
        )
    return View(f"Playbook {pb.id} v{pb.version}", facts, tables)
