"""Per-playbook lookup tables, built once per content hash and reused for every customer."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal

from custtier._cache import Memo, per_playbook
from custtier._explain import PlaybookRef, Reason
from custtier.rules import BasisRule, Playbook, TierBand

__all__ = ["BasisTable", "Tables", "band_text", "months_before", "tables"]


@dataclass(frozen=True, slots=True)
class BasisTable:
    """One basis's bands with their lower bounds, ready for ``bisect``."""

    rule: BasisRule
    lowers: tuple[Decimal, ...]  # first band's lower may be -inf (unbounded)
    bands: tuple[TierBand, ...]
    ranks: tuple[int, ...]
    messages: tuple[str, ...]  # each band's TIER_BAND message, formatted once

    def band_for(self, value: Decimal) -> int:
        """Index of the band ``[lower, upper)`` holding ``value``."""
        return max(bisect.bisect_right(self.lowers, value) - 1, 0)


@dataclass(frozen=True, slots=True)
class Tables:
    """Everything the tiering engine precomputes from a playbook."""

    playbook: Playbook
    ref: PlaybookRef
    tier_ids: tuple[str, ...]
    rank: dict[str, int]
    bases: tuple[BasisTable, ...]
    # Each basis's bar (lowest band lower bound) per tier, by basis value
    # ("assets_under_management"): bases have their own scales, so a bar is
    # only ever compared with its own basis's value.
    bars: dict[str, dict[str, Decimal]]

    def bar(self, tier: str) -> tuple[str, Decimal] | None:
        """The first basis (in playbook order) with a bar for ``tier``, and that bar."""
        for basis, by_tier in self.bars.items():
            if tier in by_tier:
                return basis, by_tier[tier]
        return None

    # Reasons that depend only on the playbook (a tier's KYC gaps), built once.
    reasons: Memo[Reason] = field(default_factory=Memo, compare=False, repr=False)


def band_text(band: TierBand) -> str:
    """A band as a person reads it: half-open, an open end written as infinity.

    >>> band_text(TierBand(rule_id="t.loss", tier="mass", lower=None, upper=Decimal(0)))
    '(-∞, 0)'
    >>> band_text(TierBand(rule_id="t.top", tier="high", lower=Decimal(500000)))
    '[500000, ∞)'
    """
    # A bound of 0 is a bound, not a missing one: test for None, never truthiness.
    lower = "(-∞" if band.lower is None else f"[{band.lower}"
    upper = "∞)" if band.upper is None else f"{band.upper})"
    return f"{lower}, {upper}"


def _build(playbook: Playbook) -> Tables:
    """The tables for ``playbook``, built once per playbook object."""
    tier_ids = tuple(t.id for t in playbook.tiers)
    rank = {t: i for i, t in enumerate(tier_ids)}
    bases = []
    bars: dict[str, dict[str, Decimal]] = {}
    for rule in playbook.tiering.bases:
        lowers = tuple(Decimal("-Infinity") if b.lower is None else b.lower for b in rule.bands)
        messages = tuple(f"{rule.basis.value} in {band_text(b)}" for b in rule.bands)
        ranks = tuple(rank[b.tier] for b in rule.bands)
        bases.append(BasisTable(rule, lowers, rule.bands, ranks, messages))
        by_tier = bars.setdefault(rule.basis.value, {})
        for band in rule.bands:
            if band.lower is not None:
                by_tier[band.tier] = min(band.lower, by_tier.get(band.tier, band.lower))
    return Tables(playbook, playbook.ref, tier_ids, rank, tuple(bases), bars)


tables = per_playbook(_build)


@functools.lru_cache(maxsize=1024)  # a handful of (as_of, count) pairs per run
def months_before(as_of: dt.date, count: int) -> tuple[str, ...]:
    """The ``count`` complete calendar months before ``as_of``'s month, oldest first.

    >>> months_before(dt.date(2026, 2, 15), 3)
    ('2025-11', '2025-12', '2026-01')
    """
    y, m = as_of.year, as_of.month
    out = []
    for _ in range(count):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        out.append(f"{y:04d}-{m:02d}")
    return tuple(reversed(out))
