"""The compiled tiering plan: everything a playbook fixes, built once and shared by both paths.

Band edges as ``Decimal`` (the scalar engine bisects them) and as integer
minor units (``custtier.frames`` searches them with numpy), each basis's
bar per tier and its hysteresis floor in both forms, the rule-id
vocabulary, the KYC requirement of each tier as a bitmask, and the input
columns the playbook reads. Built once per playbook object
(:func:`tier_plan`), never per customer.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from custtier._cache import Memo, per_playbook
from custtier._explain import PlaybookRef, Reason
from custtier._kyc import KYC_BIT, KycChecks, kyc_checks
from custtier._money import exact_context, minor_unit
from custtier.rules import BasisRule, Combine, KycItem, Playbook, TierBand
from custtier.tiering._bases import BASES, BasisKind, months_before
from custtier.tiering._trace import ParetoState

__all__ = [
    "KYC_BIT",
    "OVERRIDE_RULE",
    "BasisPlan",
    "TierPlan",
    "kyc_items_of",
    "months_before",
    "tier_plan",
]

#: The rule id of every manual override's reason.
OVERRIDE_RULE = "tier.override"


@dataclass(frozen=True, slots=True)
class BasisPlan:
    """One basis's bands, ready for ``bisect`` (Decimal) and ``searchsorted`` (minor units)."""

    rule: BasisRule
    kind: BasisKind
    lowers: tuple[Decimal, ...]  # first band's lower may be -inf (unbounded)
    lowers_minor: tuple[int | None, ...]  # ceil(lower) in minor units; None: unbounded
    bands: tuple[TierBand, ...]
    ranks: tuple[int, ...]
    rule_ids: tuple[str, ...]
    # Per tier rank: this basis's bar for the tier, and bar x (1 - buffer) as
    # a Decimal and in minor units (ceil); None where the basis has no bar.
    bars: tuple[Decimal | None, ...]
    floors: tuple[Decimal | None, ...]
    floors_minor: tuple[int | None, ...]

    # The lower bounds of every band but the first: a value's band is the
    # number of them at or below it (below a bounded first band: the first).
    edges: tuple[Decimal, ...]

    def band_for(self, value: Decimal) -> int:
        """Index of the band ``[lower, upper)`` holding ``value``."""
        return bisect_right(self.edges, value)


@dataclass(frozen=True, slots=True)
class TierPlan:
    """Everything the tiering engine precomputes from a playbook."""

    playbook: Playbook
    ref: PlaybookRef
    scale: int  # digits of the currency's minor unit
    tier_ids: tuple[str, ...]
    rank: dict[str, int]
    bases: tuple[BasisPlan, ...]
    highest: bool  # Combine.HIGHEST: any basis lifts; else every basis must qualify
    # Each basis's bar (lowest band lower bound) per tier, by basis value
    # ("assets_under_management"): bases have their own scales, so a bar is
    # only ever compared with its own basis's value.
    bars: dict[str, dict[str, Decimal]]
    kyc_masks: tuple[int, ...]  # per tier rank: the KYC items it requires, as bits
    kyc_checks: tuple[KycChecks, ...]  # per tier rank: the checks of those items
    columns: frozenset[str]  # input columns of tier_table the playbook's rules read
    basis_names: tuple[str, ...]  # each basis's name (``Basis`` value), in playbook order
    one_basis: BasisPlan | None  # the basis, when the playbook has only one
    # The Pareto state of a decision nobody gave the book's cut for:
    # NOT_EVALUATED under a Pareto rule, else NO_RULE.
    unevaluated_pareto: ParetoState

    def bar(self, tier: str) -> tuple[str, Decimal] | None:
        """The first basis (in playbook order) with a bar for ``tier``, and that bar."""
        for basis, by_tier in self.bars.items():
            if tier in by_tier:
                return basis, by_tier[tier]
        return None

    # Reasons that depend only on the playbook (a tier's KYC gaps), built once.
    reasons: Memo[Reason] = field(default_factory=Memo, compare=False, repr=False)
    # Each (tier rank, gaps mask)'s KYC items, decoded once.
    gap_items: Memo[tuple[KycItem, ...]] = field(default_factory=Memo, compare=False, repr=False)
    # The explanation table's entries per trace key, built once per distinct key.
    entries: Memo[tuple[object, ...]] = field(default_factory=Memo, compare=False, repr=False)


def kyc_items_of(plan: TierPlan, rank: int, gaps: int) -> tuple[KycItem, ...]:
    """The items of a gaps mask, in the order the tier of ``rank`` lists them."""
    if not gaps:
        return ()
    return plan.gap_items.peek((rank, gaps)) or plan.gap_items.get(
        (rank, gaps),
        lambda: tuple(i for i in plan.playbook.tiers[rank].kyc_requires if KYC_BIT[i] & gaps),
    )


def _ceil_units(value: Decimal, scale: int) -> int:
    return int(value.scaleb(scale).to_integral_value(rounding=ROUND_CEILING))


def _build(playbook: Playbook) -> TierPlan:
    """The plan for ``playbook``, built once per playbook object."""
    tier_ids = tuple(t.id for t in playbook.tiers)
    rank = {t: i for i, t in enumerate(tier_ids)}
    scale = minor_unit(playbook.currency)
    hyst = playbook.tiering.hysteresis
    keep = 1 - (hyst.buffer if hyst is not None else Decimal(0))
    bases = []
    bars: dict[str, dict[str, Decimal]] = {}
    for rule in playbook.tiering.bases:
        by_tier = bars.setdefault(rule.basis.value, {})
        for band in rule.bands:
            if band.lower is not None:
                by_tier[band.tier] = min(band.lower, by_tier.get(band.tier, band.lower))
    with exact_context():
        for rule in playbook.tiering.bases:
            per_rank = tuple(bars[rule.basis.value].get(t) for t in tier_ids)
            floors = tuple(None if b is None else b * keep for b in per_rank)
            lowers = tuple(Decimal("-Infinity") if b.lower is None else b.lower for b in rule.bands)
            bases.append(
                BasisPlan(
                    rule=rule,
                    kind=BASES[rule.basis],
                    lowers=lowers,
                    lowers_minor=tuple(
                        None if b.lower is None else _ceil_units(b.lower, scale) for b in rule.bands
                    ),
                    bands=rule.bands,
                    ranks=tuple(rank[b.tier] for b in rule.bands),
                    rule_ids=tuple(b.rule_id for b in rule.bands),
                    bars=per_rank,
                    floors=floors,
                    floors_minor=tuple(
                        None if f is None else _ceil_units(f, scale) for f in floors
                    ),
                    edges=lowers[1:],  # only the first band may be unbounded below
                )
            )
    columns = {BASES[r.basis].column for r in playbook.tiering.bases}
    if playbook.tiering.pareto is not None:
        columns.add("annual_profit_contribution")
    return TierPlan(
        playbook=playbook,
        ref=playbook.ref,
        scale=scale,
        tier_ids=tier_ids,
        rank=rank,
        bases=tuple(bases),
        highest=playbook.tiering.combine is Combine.HIGHEST,
        bars=bars,
        kyc_masks=tuple(sum(KYC_BIT[i] for i in t.kyc_requires) for t in playbook.tiers),
        kyc_checks=tuple(kyc_checks(t.kyc_requires) for t in playbook.tiers),
        columns=frozenset(columns),
        basis_names=tuple(r.basis.value for r in playbook.tiering.bases),
        one_basis=bases[0] if len(bases) == 1 else None,
        unevaluated_pareto=ParetoState.NO_RULE
        if playbook.tiering.pareto is None
        else ParetoState.NOT_EVALUATED,
    )


tier_plan = per_playbook(_build)
