"""What a policy impact shows in a notebook: the matrix and counts, never every customer."""

from __future__ import annotations

from custtier._display import Table, View, register
from custtier.whatif._models import PolicyImpact

__all__: list[str] = []


def _ref(impact: PolicyImpact) -> str:
    a, b = impact.current, impact.proposed
    return f"{a.id} v{a.version} -> {b.id} v{b.version}"


@register(PolicyImpact, short_repr=True)
def policy_impact(p: PolicyImpact) -> View:
    """Counts, the rule changes, and the migration matrix (customers, AUM, profit)."""
    facts: list[tuple[str, object]] = [
        ("as of", p.as_of.isoformat()),
        ("decided on both sides", p.decided),
        ("moved tier", len(p.moved)),
        ("eligibility changes", len(p.eligibility)),
        ("services changes", len(p.services)),
        ("KYC newly unmet", len(p.kyc)),
        ("errors", len(p.errors) + len(p.eligibility_errors)),
    ]
    if p.load:
        before = sum(w.current_minutes for w in p.load)
        after = sum(w.proposed_minutes for w in p.load)
        facts.append(("manager minutes planned", f"{before:,} -> {after:,}"))
    changes = Table(
        "Rule changes",
        ("rule id", "path", "old", "new"),
        [(c.rule_id or "", c.path, c.old, c.new) for c in p.changes],
    )
    matrix = Table(
        "Migration (today -> proposed), cells with customers",
        ("from", "to", "customers", "AUM", "profit"),
        [(c.from_tier, c.to_tier, c.customers, c.aum, c.profit) for c in p.matrix if c.customers],
    )
    return View(f"PolicyImpact: {_ref(p)}, {len(p.moved)} moved", facts, [changes, matrix])
