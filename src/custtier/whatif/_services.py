"""Tier services under two playbooks: who is entitled, and what it costs per year."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from custtier._money import check_precision, exact_context
from custtier.rules import Playbook
from custtier.whatif._models import MigrationCell, ServiceTotal

__all__ = ["service_totals"]


def service_totals(
    matrix: Sequence[MigrationCell], current: Playbook, proposed: Playbook
) -> tuple[ServiceTotal, ...]:
    """Each service of either playbook: entitled customers and yearly cost on each side.

    Entitlement depends on the tier only, so the matrix's row and column sums
    give the counts; both the scalar and the columnar simulation use this.
    Costs and totals are at each playbook's currency scale (exact).
    """
    old = {s.id: s for s in current.services}
    new = {s.id: s for s in proposed.services}
    out = []
    with exact_context():
        for sid in [*old, *(k for k in new if k not in old)]:
            a, b = old.get(sid), new.get(sid)
            before = sum(c.customers for c in matrix if a is not None and c.from_tier in a.tiers)
            after = sum(c.customers for c in matrix if b is not None and c.to_tier in b.tiers)
            cost_a = _cost(a.annual_cost if a is not None else None, current.currency)
            cost_b = _cost(b.annual_cost if b is not None else None, proposed.currency)
            out.append(
                ServiceTotal(
                    service_id=sid,
                    current_customers=before,
                    proposed_customers=after,
                    current_cost=cost_a,
                    proposed_cost=cost_b,
                    current_total=_cost(
                        None if cost_a is None else cost_a * before, current.currency
                    ),
                    proposed_total=_cost(
                        None if cost_b is None else cost_b * after, proposed.currency
                    ),
                )
            )
    return tuple(out)


def _cost(amount: Decimal | None, currency: str) -> Decimal | None:
    """At the currency's scale: a stated cost has no finer digits, so nothing is rounded."""
    return None if amount is None else check_precision(amount, currency)


def cost_of(ids: Sequence[str], costs: dict[str, Decimal | None]) -> Decimal | None:
    """The summed yearly cost of ``ids``; ``None`` if any of them states none."""
    total = Decimal(0)
    for sid in ids:
        cost = costs.get(sid)
        if cost is None:
            return None
        total += cost
    return total
