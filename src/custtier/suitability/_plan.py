"""The compiled suitability plan: everything a playbook fixes, built once and shared by both paths.

The level matrix as a highest product rank per customer rank, the rule id
of each policy check the playbook has (``None``: not checked), the
elderly rules, the age question's stated ages, the risk-free categories
and the input columns ``custtier.frames.suitability_table`` reads. Plain
tuples and ints: the scalar engine indexes them, ``custtier.frames`` wraps
them in numpy arrays. Built once per playbook object
(:func:`suitability_plan`), never per check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from custtier._cache import Memo, per_playbook
from custtier._explain import PlaybookRef, Reason
from custtier.models import Product
from custtier.rules import Check, Playbook
from custtier.suitability._tables import RiskTables, risk_tables

if TYPE_CHECKING:
    from custtier.suitability._explanation import Explanation

__all__ = ["ProductClass", "SuitabilityPlan", "product_class", "suitability_plan"]


class ProductClass(IntEnum):
    """How the playbook's risk-free categories see a product."""

    __hash__ = int.__hash__  # as the int it equals: numpy codes find the same entries

    ORDINARY = 0
    RISK_FREE = 1  # a risk-free category at the lowest product level: sold without an assessment
    MISFILED = 2  # a risk-free category above the lowest level: refused as an input error


@dataclass(frozen=True, slots=True)
class SuitabilityPlan:
    """Everything the suitability engine precomputes from a playbook."""

    tables: RiskTables  # the lookups shared with risk assessment and allocation
    ref: PlaybookRef
    tier_ids: tuple[str, ...]
    levels: tuple[str, ...]  # customer levels, by rank
    product_levels: tuple[str, ...]  # product levels, by rank
    caps: tuple[int, ...]  # per customer rank: highest product rank of its matrix row, -1: none
    matrix_rules: tuple[str, ...]  # per customer rank: its matrix row's rule id, "": none
    # The rule id of each policy check the playbook has; None where it does not check it.
    required: str | None
    matrix: str | None
    reservation: str | None
    grid: str | None
    cooling: str | None
    elderly: str | None
    recorded: str | None
    risk_free_rule: str  # what a risk-free sale cites: the assessment rule, else "suit"
    elderly_age: int
    elderly_rules: bool  # the customer's age is read: confirmation, or the cap on the matrix
    elderly_cap: int  # customer rank an elderly customer is capped at; -1: no cap (or matrix)
    age_question: str | None  # the questionnaire's age question, when its options state ages
    age_options: tuple[str, ...]  # its options that state a youngest age
    age_min: tuple[int, ...]  # ... and that age, aligned with age_options
    validity_months: int
    columns: frozenset[str]  # input columns of suitability_table the policy reads
    # Reasons that depend only on the playbook and a few attributes, built once.
    reasons: Memo[Reason] = field(default_factory=Memo, compare=False, repr=False)
    # The explanation table's answer per trace key, built once per distinct key.
    explanations: Memo[Explanation] = field(default_factory=Memo, compare=False, repr=False)
    # What the audit JSON of a decision with each trace key shares, built once per key.
    json: Memo[Any] = field(default_factory=Memo, compare=False, repr=False)
    # Per kind of buyer (custtier.suitability._check.codes_for): each product's trace key.
    codes: dict[Any, dict[int, Any]] = field(default_factory=dict, compare=False, repr=False)
    # Catalogues (unchanging tuples) whose every product fits, per currency: (it, products).
    fitting: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)


def product_class(plan: SuitabilityPlan, product: Product) -> ProductClass:
    """Whether ``product`` is risk-free, ordinary, or misfiled under a risk-free category."""
    if product.category not in plan.tables.risk_free:
        return ProductClass.ORDINARY
    # An unknown level is refused before this matters (product_not_in_playbook).
    if plan.tables.product_rank.get(product.risk_level, -1) > 0:
        return ProductClass.MISFILED
    return ProductClass.RISK_FREE


def _build(pb: Playbook) -> SuitabilityPlan:
    """The plan for ``pb``, built once per playbook object."""
    t = risk_tables(pb)
    policy = {check: rule.rule_id for check, rule in t.policy.items()}
    levels = tuple(t.customer_rank)
    columns = {"key", "product_id"}
    if Check.ASSESSMENT_REQUIRED in policy or Check.LEVEL_MATRIX in policy:
        columns |= {"risk_level", "assessed_on", "valid_until"}
    if Check.TIER_RESERVATION in policy:
        columns.add("tier")
    # The elderly cap lowers a row of the matrix: without the matrix it has nothing to cap.
    cap = t.elderly_cap if Check.LEVEL_MATRIX in policy else None
    elderly_rules = Check.ELDERLY_CONFIRMATION in policy or cap is not None
    age_question = t.age_question if t.age_min else None
    if elderly_rules:
        columns.add("birth_date")
        if age_question is not None:
            columns.add("answers")
    if Check.RECORDED_SALE in policy:
        columns.add("in_branch")
    return SuitabilityPlan(
        tables=t,
        ref=t.ref,
        tier_ids=tuple(t.tier_rank),
        levels=levels,
        product_levels=tuple(t.product_rank),
        caps=tuple(t.max_product_rank.get(lv, -1) for lv in levels),
        matrix_rules=tuple(t.matrix_rule.get(lv, "") for lv in levels),
        required=policy.get(Check.ASSESSMENT_REQUIRED),
        matrix=policy.get(Check.LEVEL_MATRIX),
        reservation=policy.get(Check.TIER_RESERVATION),
        grid=policy.get(Check.MINIMUM_AND_INCREMENT),
        cooling=policy.get(Check.COOLING_OFF),
        elderly=policy.get(Check.ELDERLY_CONFIRMATION),
        recorded=policy.get(Check.RECORDED_SALE),
        risk_free_rule=policy.get(Check.ASSESSMENT_REQUIRED, "suit"),
        elderly_age=t.elderly_age,
        elderly_rules=elderly_rules,
        elderly_cap=t.customer_rank[cap] if cap is not None else -1,
        age_question=age_question,
        age_options=tuple(t.age_min),
        age_min=tuple(t.age_min.values()),
        validity_months=t.validity_months,
        columns=frozenset(columns),
    )


suitability_plan = per_playbook(_build)
