"""Per-playbook tables for risk, suitability and allocation, built once per playbook."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from custtier._cache import Memo, per_playbook
from custtier._explain import PlaybookRef, Reason
from custtier.rules import Check, ModelPortfolio, Playbook, PolicyRule, QuestionTopic, ScoreBand

__all__ = ["RiskTables", "risk_tables"]


@dataclass(frozen=True, slots=True)
class RiskTables:
    """Lookups derived from ``playbook.risk`` and ``playbook.allocation``."""

    playbook: Playbook
    ref: PlaybookRef
    customer_rank: dict[str, int]
    product_rank: dict[str, int]
    max_product_rank: dict[str, int]  # customer level -> highest product rank allowed
    matrix_rule: dict[str, str]  # customer level -> suitability row rule id
    policy: dict[Check, PolicyRule]
    risk_free: frozenset[str]
    option_score: dict[tuple[str, str], int]
    score_bands: tuple[ScoreBand, ...]
    portfolio: dict[str, ModelPortfolio]
    categories: frozenset[str]
    tier_rank: dict[str, int]
    validity_months: int
    elderly_age: int
    elderly_cap: str | None  # the level an elderly customer is capped at, if any
    age_question: str | None  # the first question of topic "age", if any
    age_min: dict[str, int]  # its options that state a youngest age → that age
    # Reasons that depend only on the playbook and a few product or customer
    # attributes, built once: most of a suitability check's cost was building
    # the same reason (message text, sorted facts) again for every customer.
    reasons: Memo[Reason] = field(default_factory=Memo, compare=False, repr=False)
    # Catalogues given as tuples of products, sorted by category (suitability._allocate).
    shelves: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def currency(self) -> str:
        """The playbook's currency."""
        return self.playbook.currency

    def weights(self, level: str) -> dict[str, Decimal]:
        """Category weights of ``level``'s model portfolio."""
        return {w.category: w.weight for w in self.portfolio[level].weights}


def _build(pb: Playbook) -> RiskTables:
    """The tables for ``pb``, built once per playbook object."""
    risk = pb.risk
    prank = {lv.id: i for i, lv in enumerate(risk.product_levels)}
    age = next((q for q in risk.questionnaire if q.topic is QuestionTopic.AGE), None)
    ages = age.options if age is not None else ()
    return RiskTables(
        playbook=pb,
        ref=pb.ref,
        customer_rank={lv.id: i for i, lv in enumerate(risk.customer_levels)},
        product_rank=prank,
        max_product_rank={r.customer_level: prank[r.max_product_level] for r in risk.suitability},
        matrix_rule={r.customer_level: r.rule_id for r in risk.suitability},
        policy={p.check: p for p in risk.policy},
        risk_free=frozenset(risk.risk_free_categories),
        option_score={(q.id, o.id): o.score for q in risk.questionnaire for o in q.options},
        score_bands=risk.score_bands,
        portfolio={mp.level: mp for mp in pb.allocation.model_portfolios},
        categories=frozenset(c.id for c in pb.allocation.categories),
        tier_rank={t.id: i for i, t in enumerate(pb.tiers)},
        validity_months=risk.validity_months,
        elderly_age=risk.elderly_age,
        elderly_cap=risk.elderly_max_level,
        age_question=age.id if age is not None else None,
        age_min={o.id: o.min_age for o in ages if o.min_age is not None},
    )


risk_tables = per_playbook(_build)
