"""Cross-row checks of a playbook: what makes a rule set one that must not exist."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from custtier._money import check_precision, minor_unit
from custtier.errors import CusttierError
from custtier.models._types import AmlRating
from custtier.rules._budget import budget_problems
from custtier.rules._cadence import GREETINGS, RECURRING, Occasion
from custtier.rules._tiering import KycItem
from custtier.rules._worklist import WorkKind

if TYPE_CHECKING:
    from custtier.rules.playbook import Playbook

__all__ = ["problems"]

#: ``(path, message)``: where in the playbook, and what is wrong.
Problem = tuple[str, str]


def _duplicates(ids: list[str]) -> set[str]:
    seen: set[str] = set()
    dups: set[str] = set()
    for i in ids:
        (dups if i in seen else seen).add(i)
    return dups


def problems(pb: Playbook) -> Iterator[Problem]:
    """Every cross-row problem, as ``(path, message)``; empty for a valid playbook."""
    try:
        minor_unit(pb.currency)
    except CusttierError as exc:
        yield "currency", str(exc)
        return
    rule_ids: list[str] = []
    yield from _tiering(pb, rule_ids)
    yield from _risk(pb, rule_ids)
    yield from _allocation(pb, rule_ids)
    yield from _references(pb, rule_ids)
    yield from _cadence(pb, rule_ids)
    yield from _worklist(pb, rule_ids)
    for dup in sorted(_duplicates(rule_ids)):
        yield "rule ids", f"rule id {dup!r} is used more than once; rule ids must be unique"


def _tiering(pb: Playbook, rule_ids: list[str]) -> Iterator[Problem]:  # noqa: PLR0912, PLR0915  # one checklist
    tiers = [t.id for t in pb.tiers]
    rank = {t: i for i, t in enumerate(tiers)}
    for dup in sorted(_duplicates(tiers)):
        yield "tiers", f"tier {dup!r} is defined more than once"

    # One rule per basis: values and bars are keyed by basis, so a second rule
    # of the same basis would silently share the first one's value.
    kinds = [basis.basis.value for basis in pb.tiering.bases]
    for dup in sorted(_duplicates(kinds)):
        yield "tiering.bases", f"basis {dup!r} has more than one rule; give each basis one"

    # Tiering: bands contiguous, ascending, starting at 0, tiers known and monotone.
    for b, basis in enumerate(pb.tiering.bases):
        path = f"tiering.bases.{b}"
        if basis.min_months > basis.window_months:
            yield path, "min_months must not exceed window_months"
        bands = basis.bands
        for i, band in enumerate(bands):
            rule_ids.append(band.rule_id)
            bpath = f"{path}.bands.{i}"
            if band.tier not in rank:
                yield bpath + ".tier", f"tier {band.tier!r} is not defined in tiers"
            for name in ("lower", "upper"):
                value: Decimal | None = getattr(band, name)
                if value is not None:
                    try:
                        check_precision(value, pb.currency, field=name)
                    except CusttierError as exc:
                        yield f"{bpath}.{name}", str(exc)
            if i > 0 and band.lower is None:
                yield bpath + ".lower", "only the first band may be unbounded below"
            if band.upper is not None and band.lower is not None and band.upper <= band.lower:
                yield bpath, "upper must be greater than lower (bands are [lower, upper))"
            if i + 1 < len(bands):
                nxt = bands[i + 1]
                if band.upper is None:
                    yield bpath + ".upper", "only the last band may be open-ended"
                elif nxt.lower is None:
                    pass  # reported on that band
                elif band.upper < nxt.lower:
                    yield bpath, f"gap between this band's upper and band {i + 1}'s lower"
                elif band.upper > nxt.lower:
                    yield bpath, f"overlaps band {i + 1}: upper must equal the next lower"
                if rank.get(nxt.tier, 0) < rank.get(band.tier, 0):
                    yield f"{path}.bands.{i + 1}", "a higher band must not map to a lower tier"
        if bands and bands[-1].upper is not None:
            yield f"{path}.bands.{len(bands) - 1}.upper", "the last band must be open (upper null)"
        if bands and bands[0].lower not in (None, Decimal(0)):
            yield (
                f"{path}.bands.0.lower",
                ("the first band must start at 0 (or null, unbounded) so every customer fits"),
            )
    pareto = pb.tiering.pareto
    if pareto is not None:
        rule_ids.append(pareto.rule_id)
        if pareto.tier not in rank:
            yield "tiering.pareto.tier", f"tier {pareto.tier!r} is not defined in tiers"
        if not 0 < pareto.profit_share < 1:
            yield "tiering.pareto.profit_share", "profit_share must lie strictly between 0 and 1"
    if pb.tiering.hysteresis is not None:
        rule_ids.append(pb.tiering.hysteresis.rule_id)
        for month in pb.tiering.hysteresis.review_months:
            if not 1 <= month <= 12:
                yield "tiering.hysteresis.review_months", "months must lie in 1..12"
    if pb.tiering.upgrade_candidates is not None:
        for i, sig in enumerate(pb.tiering.upgrade_candidates.signals):
            rule_ids.append(sig.rule_id)
            if sig.threshold < 0:
                yield f"tiering.upgrade_candidates.signals.{i}.threshold", "must not be negative"


def _risk(pb: Playbook, rule_ids: list[str]) -> Iterator[Problem]:  # noqa: PLR0912  # one checklist
    """Levels unique, score bands contiguous over the questionnaire's range, matrix sane."""
    risk = pb.risk
    clevels = [lv.id for lv in risk.customer_levels]
    plevels = [lv.id for lv in risk.product_levels]
    for name, ids in (("customer_levels", clevels), ("product_levels", plevels)):
        for dup in sorted(_duplicates(ids)):
            yield f"risk.{name}", f"level {dup!r} is defined more than once"
    qids = [q.id for q in risk.questionnaire]
    for dup in sorted(_duplicates(qids)):
        yield "risk.questionnaire", f"question {dup!r} is defined more than once"
    for q, question in enumerate(risk.questionnaire):
        for dup in sorted(_duplicates([o.id for o in question.options])):
            yield f"risk.questionnaire.{q}.options", f"option {dup!r} is defined more than once"
    max_score = sum(max(o.score for o in q.options) for q in risk.questionnaire)
    min_score = sum(min(o.score for o in q.options) for q in risk.questionnaire)
    bands_ = risk.score_bands
    for i, sb in enumerate(bands_):
        rule_ids.append(sb.rule_id)
        if sb.level not in clevels:
            yield f"risk.score_bands.{i}.level", f"level {sb.level!r} is not a customer level"
        if sb.upper < sb.lower:
            yield f"risk.score_bands.{i}", "upper must not be below lower"
        if i + 1 < len(bands_):
            nxt_lower = bands_[i + 1].lower
            if nxt_lower > sb.upper + 1:
                yield f"risk.score_bands.{i}", f"gap between this band and band {i + 1}"
            elif nxt_lower < sb.upper + 1:
                yield f"risk.score_bands.{i}", f"overlaps band {i + 1}"
    if bands_ and (bands_[0].lower > min_score or bands_[-1].upper < max_score):
        yield (
            "risk.score_bands",
            (f"score bands must cover every possible score [{min_score}, {max_score}]"),
        )
    if risk.elderly_max_level is not None and risk.elderly_max_level not in clevels:
        yield "risk.elderly_max_level", "not a customer level"
    checks = [p.check for p in risk.policy]
    for dup in sorted(_duplicates([str(c) for c in checks])):
        yield "risk.policy", f"check {dup!r} is listed more than once"
    rule_ids.extend(p.rule_id for p in risk.policy)
    for dup in sorted(_duplicates([row.customer_level for row in risk.suitability])):
        yield "risk.suitability", f"customer level {dup!r} has more than one row"
    rows = {row.customer_level: row for row in risk.suitability}
    for i, row in enumerate(risk.suitability):
        rule_ids.append(row.rule_id)
        if row.customer_level not in clevels:
            yield f"risk.suitability.{i}.customer_level", "not a customer level"
        if row.max_product_level not in plevels:
            yield f"risk.suitability.{i}.max_product_level", "not a product level"
    for level in clevels:
        if level not in rows:
            yield "risk.suitability", f"customer level {level!r} has no suitability row"
    caps = [
        plevels.index(rows[lv].max_product_level)
        for lv in clevels
        if lv in rows and rows[lv].max_product_level in plevels
    ]
    if caps != sorted(caps):
        yield "risk.suitability", "a higher customer level must not buy less than a lower one"
    if clevels and clevels[0] in rows and rows[clevels[0]].max_product_level != plevels[0]:
        yield "risk.suitability", "the lowest customer level may buy only the lowest product level"


def _allocation(pb: Playbook, rule_ids: list[str]) -> Iterator[Problem]:  # noqa: PLR0912  # one checklist
    """Categories known; one portfolio per customer level; weights sum to exactly 1."""
    risk = pb.risk
    clevels = [lv.id for lv in risk.customer_levels]
    alloc = pb.allocation
    cats = [c.id for c in alloc.categories]
    for dup in sorted(_duplicates(cats)):
        yield "allocation.categories", f"category {dup!r} is defined more than once"
    if alloc.needs_share >= 1:
        yield "allocation.needs_share", "needs_share must be below 1"
    rule_ids.append(alloc.rule_id)
    for cat in risk.risk_free_categories:
        if cat not in cats:
            yield "risk.risk_free_categories", f"category {cat!r} is not defined"
    if alloc.cash_category not in cats:
        yield "allocation.cash_category", "not a defined category"
    for need, cat in sorted(alloc.need_categories.items()):
        if cat not in cats:
            yield f"allocation.need_categories.{need}", f"category {cat!r} is not defined"
    seen_levels: list[str] = []
    for i, mp in enumerate(alloc.model_portfolios):
        rule_ids.append(mp.rule_id)
        seen_levels.append(mp.level)
        path = f"allocation.model_portfolios.{i}"
        if mp.level not in clevels:
            yield path + ".level", f"{mp.level!r} is not a customer level"
        total = sum((w.weight for w in mp.weights), Decimal(0))
        if total != 1:
            yield path + ".weights", f"weights sum to {total}, not exactly 1"
        wcats = [w.category for w in mp.weights]
        for dup in sorted(_duplicates(wcats)):
            yield path + ".weights", f"category {dup!r} appears more than once"
        for j, cat in enumerate(wcats):
            if cat not in cats:
                yield f"{path}.weights.{j}.category", f"category {cat!r} is not defined"
    for level in clevels:
        if level not in seen_levels:
            yield "allocation.model_portfolios", f"customer level {level!r} has no model portfolio"
    for dup in sorted(_duplicates(seen_levels)):
        yield "allocation.model_portfolios", f"level {dup!r} has more than one portfolio"


def _references(pb: Playbook, rule_ids: list[str]) -> Iterator[Problem]:
    """Services and contact rules reference tiers that exist; cited sources are listed."""
    sources = {s.id for s in pb.sources}
    hyst = pb.tiering.hysteresis
    cited: list[tuple[str, str | None]] = [
        *((f"tiering.bases.{i}.bands.{j}.source", band.source)
          for i, basis in enumerate(pb.tiering.bases) for j, band in enumerate(basis.bands)),
        ("tiering.pareto.source", pb.tiering.pareto.source if pb.tiering.pareto else None),
        ("tiering.hysteresis.source", hyst.source if hyst else None),
        *((f"risk.suitability.{i}.source", row.source) for i, row in enumerate(pb.risk.suitability)),
        *((f"risk.policy.{i}.source", rule.source) for i, rule in enumerate(pb.risk.policy)),
        ("risk.source", pb.risk.source),
    ]  # fmt: skip
    for path, source in cited:
        if source is not None and source not in sources:
            yield path, f"source {source!r} is not listed in sources"
    rank = {t.id: i for i, t in enumerate(pb.tiers)}
    for dup in sorted(_duplicates([s.id for s in pb.services])):
        yield "services", f"service {dup!r} is defined more than once"
    for i, svc in enumerate(pb.services):
        for t in svc.tiers:
            if t not in rank:
                yield f"services.{i}.tiers", f"tier {t!r} is not defined"
        if svc.annual_cost is not None:
            if svc.annual_cost < 0:
                yield f"services.{i}.annual_cost", "must not be negative (a cost to the bank)"
            try:
                check_precision(svc.annual_cost, pb.currency, field="annual_cost")
            except CusttierError as exc:
                yield f"services.{i}.annual_cost", str(exc)
    for i, rule in enumerate(pb.cadence.contact_rules):
        rule_ids.append(rule.id)
        if rule.tier not in rank:
            yield f"cadence.contact_rules.{i}.tier", f"tier {rule.tier!r} is not defined"


# AML ratings from the highest risk down: each lower rating is reviewed at
# most half as often as the one above (interval at most twice as long).
_AML_ORDER = (AmlRating.HIGH, AmlRating.MEDIUM, AmlRating.LOW)
_HIGH_REVIEW_MONTHS = (6, 12)


def _cadence(pb: Playbook, rule_ids: list[str]) -> Iterator[Problem]:  # noqa: PLR0912, PLR0915  # one checklist
    """Recurrences fit their occasion, KYC reviews tighten with risk, caps and windows sane."""
    cad = pb.cadence
    tiers = {t.id for t in pb.tiers}
    sources = {s.id for s in pb.sources}
    cited: list[tuple[str, str | None]] = []
    for i, rule in enumerate(cad.contact_rules):
        path = f"cadence.contact_rules.{i}"
        cited.append((f"{path}.source", rule.source))
        recurs = rule.interval_days is not None or rule.rrule is not None
        if rule.occasion in RECURRING and not recurs:
            yield path, f"a {rule.occasion} rule needs interval_days or rrule"
        if rule.occasion not in RECURRING and recurs:
            yield path, f"a {rule.occasion} rule takes its dates from records; drop the recurrence"
        if rule.occasion is Occasion.CAMPAIGN:
            yield path + ".occasion", "campaign contacts are defined in cadence.campaigns"
        if rule.occasion is Occasion.HOLIDAY and not rule.holidays:
            yield path + ".holidays", "a holiday rule must name at least one holiday"
        if rule.occasion is not Occasion.HOLIDAY and rule.holidays:
            yield path + ".holidays", "only holiday rules name holidays"
        if rule.occasion in GREETINGS and (rule.lead_days or rule.flex_days):
            yield path, "greetings fall on the day itself: lead_days and flex_days must be 0"
    ratings = [r.aml_rating for r in cad.kyc_reviews]
    for dup in sorted(_duplicates([str(r) for r in ratings])):
        yield "cadence.kyc_reviews", f"AML rating {dup!r} has more than one review interval"
    months = {r.aml_rating: r.interval_months for r in cad.kyc_reviews}
    for i, review in enumerate(cad.kyc_reviews):
        rule_ids.append(review.rule_id)
        cited.append((f"cadence.kyc_reviews.{i}.source", review.source))
    needs_reviews = any(r.occasion is Occasion.KYC_REFRESH for r in cad.contact_rules)
    if needs_reviews and set(months) != set(_AML_ORDER):
        yield "cadence.kyc_reviews", "kyc_refresh rules need a review interval for every AML rating"
    low, high = _HIGH_REVIEW_MONTHS
    if AmlRating.HIGH in months and not low <= months[AmlRating.HIGH] <= high:
        yield "cadence.kyc_reviews", f"high-risk files are reviewed every {low} to {high} months"
    for above, below in itertools.pairwise(_AML_ORDER):
        if above in months and below in months:
            if months[below] < months[above]:
                yield "cadence.kyc_reviews", f"{below} must not be reviewed more often than {above}"
            elif months[below] > 2 * months[above]:
                yield (
                    "cadence.kyc_reviews",
                    f"{below} must be reviewed at most twice the interval of {above}",
                )
    for i, cap in enumerate(cad.caps):
        rule_ids.append(cap.rule_id)
        cited.append((f"cadence.caps.{i}.source", cap.source))
    seen: set[str] = set()
    for i, quiet in enumerate(cad.quiet_hours):
        rule_ids.append(quiet.rule_id)
        cited.append((f"cadence.quiet_hours.{i}.source", quiet.source))
        if not quiet.earliest <= quiet.send_at < quiet.latest:
            yield f"cadence.quiet_hours.{i}", "need earliest <= send_at < latest"
        for ch in quiet.channels:
            if ch in seen:
                yield f"cadence.quiet_hours.{i}.channels", f"{ch} is in more than one rule"
            seen.add(ch)
    for i, camp in enumerate(cad.campaigns):
        path = f"cadence.campaigns.{i}"
        rule_ids.append(camp.id)
        cited.append((f"{path}.source", camp.source))
        if camp.end_on < camp.start_on:
            yield path, "end_on must not be before start_on"
        for t in camp.segment.tiers:
            if t not in tiers:
                yield f"{path}.segment.tiers", f"tier {t!r} is not defined"
        seg = camp.segment
        if seg.min_age is not None and seg.max_age is not None and seg.min_age > seg.max_age:
            yield f"{path}.segment", "min_age must not exceed max_age"
    rule_ids.append(cad.budget.rule_id)
    cited.append(("cadence.budget.source", cad.budget.source))
    yield from budget_problems(cad, [t.id for t in pb.tiers], pb.risk.validity_months)
    for path, source in cited:
        if source is not None and source not in sources:
            yield path, f"source {source!r} is not listed in sources"


def _worklist(pb: Playbook, rule_ids: list[str]) -> Iterator[Problem]:
    """Every kind ranked once for exactly the playbook's tiers; every KYC item's block stated."""
    wl = pb.worklist
    if wl is None:
        return
    tiers = {t.id for t in pb.tiers}
    sources = {s.id for s in pb.sources}
    rule_ids.append(wl.rule_id)
    cited: list[tuple[str, str | None]] = [("worklist.source", wl.source)]
    kinds = [k.kind.value for k in wl.kinds]
    for dup in sorted(_duplicates(kinds)):
        yield "worklist.kinds", f"kind {dup!r} is ranked more than once"
    for missing in [k.value for k in WorkKind if k.value not in kinds]:
        yield "worklist.kinds", f"kind {missing!r} has no priority; rank every kind"
    for i, rule in enumerate(wl.kinds):
        path = f"worklist.kinds.{i}"
        rule_ids.append(rule.rule_id)
        cited.append((f"{path}.source", rule.source))
        ranked = {r.tier for r in rule.priorities}
        for tier in sorted(ranked - tiers):
            yield f"{path}.priorities", f"tier {tier!r} is not defined in tiers"
        for tier in sorted(tiers - ranked):
            yield f"{path}.priorities", f"tier {tier!r} has no priority; give every tier one"
        if (rule.kind is WorkKind.CONTACT) != (rule.minutes is None):
            yield (
                f"{path}.minutes",
                "contacts take their rule's minutes (null); other kinds state theirs",
            )
    items = [b.item.value for b in wl.kyc_blocks]
    for dup in sorted(_duplicates(items)):
        yield "worklist.kyc_blocks", f"KYC item {dup!r} is listed more than once"
    for missing in [k.value for k in KycItem if k.value not in items]:
        yield "worklist.kyc_blocks", f"KYC item {missing!r} has no row; say what its gap blocks"
    for i, block in enumerate(wl.kyc_blocks):
        rule_ids.append(block.rule_id)
        cited.append((f"worklist.kyc_blocks.{i}.source", block.source))
    for path, source in cited:
        if source is not None and source not in sources:
            yield path, f"source {source!r} is not listed in sources"
