"""What a policy impact shows in a notebook: the matrix and counts, never every customer."""

from __future__ import annotations

from collections.abc import Sequence

from custtier._display import Table, View, register
from custtier._explain import PlaybookRef
from custtier.rules import RuleChange
from custtier.whatif._models import ManagerShift, MigrationCell, PolicyImpact, ServiceTotal

__all__ = ["impact_tables", "impact_title"]


def impact_title(kind: str, current: PlaybookRef, proposed: PlaybookRef, moved: int) -> str:
    """``PolicyImpact: practice v1.2.0 -> practice v1.3.0, 8 moved``."""
    return (
        f"{kind}: {current.id} v{current.version} -> {proposed.id} v{proposed.version}, "
        f"{moved:,} moved"
    )


def impact_tables(
    changes: Sequence[RuleChange],
    matrix: Sequence[MigrationCell],
    managers: Sequence[ManagerShift],
    services: Sequence[ServiceTotal],
) -> list[Table]:
    """Rule changes, non-empty matrix cells, managers' shifts and services that change hands."""
    return [
        Table(
            "Rule changes",
            ("rule id", "path", "old", "new"),
            [(c.rule_id or "", c.path, c.old, c.new) for c in changes],
        ),
        Table(
            "Migration (today -> proposed), cells with customers",
            ("from", "to", "customers", "AUM", "profit"),
            [(c.from_tier, c.to_tier, c.customers, c.aum, c.profit) for c in matrix if c.customers],
        ),
        Table(
            "Managers' customers per tier, where they change",
            ("manager", "tier", "today", "proposed", "change"),
            [_shift(m) for m in managers],
        ),
        Table(
            "Tier services that change hands (cost per customer per year where stated)",
            (
                "service",
                "customers today",
                "proposed",
                "cost today",
                "proposed",
                "per year today",
                "proposed",
            ),
            [_service(s) for s in services if _changes_hands(s)],
        ),
    ]


def _changes_hands(s: ServiceTotal) -> bool:
    return (s.current_customers, s.current_total) != (s.proposed_customers, s.proposed_total)


def _service(s: ServiceTotal) -> tuple[object, ...]:
    def money(v: object) -> object:
        return "not stated" if v is None else v

    return (
        s.service_id,
        s.current_customers,
        s.proposed_customers,
        money(s.current_cost),
        money(s.proposed_cost),
        money(s.current_total),
        money(s.proposed_total),
    )


def _shift(m: ManagerShift) -> tuple[object, ...]:
    return (m.manager_id or "(none)", m.tier, m.current, m.proposed, f"{m.proposed - m.current:+,}")


@register(PolicyImpact, short_repr=True)
def policy_impact(p: PolicyImpact) -> View:
    """Counts, the rule changes, the migration matrix (customers, AUM, profit), managers."""
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
    title = impact_title("PolicyImpact", p.current, p.proposed, len(p.moved))
    return View(title, facts, impact_tables(p.changes, p.matrix, p.managers, p.service_totals))
