"""Playbook sections: product categories, model portfolios, tier services.

Contact cadence lives in :mod:`custtier.rules._cadence`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field, PlainSerializer

from custtier._enum import Vocabulary
from custtier._money import RuleAmount, Weight
from custtier.models._base import CusttierModel
from custtier.models._types import FrozenDict, Identifier, Label, Need

__all__ = [
    "AllocationRules",
    "Category",
    "CategoryWeight",
    "ModelPortfolio",
    "Remainder",
    "Service",
    "ServiceKind",
]


class Category(CusttierModel):
    """A product category (deposit, money-market fund, bond fund …)."""

    id: Identifier
    label: Label = Field(min_length=1, max_length=80)


class CategoryWeight(CusttierModel):
    """A category's share of a model portfolio."""

    category: Identifier
    weight: Weight


class ModelPortfolio(CusttierModel):
    """Weights by category for one customer risk level; they sum to exactly 1."""

    rule_id: Identifier
    level: Identifier
    weights: tuple[CategoryWeight, ...] = Field(min_length=1)


def _read_only(mapping: Mapping[Need, str]) -> Mapping[Need, str]:
    # A frozen playbook must not be changeable in place: its hash would lie.
    return FrozenDict(sorted(mapping.items()))


class Remainder(Vocabulary):
    """What happens to the part of an amount no product can take."""

    CASH = "cash"  # kept in a cash (demand deposit) line
    UNPLACED = "unplaced"  # reported as unplaced, for the manager to decide


class AllocationRules(CusttierModel):
    """How an amount is spread over products.

    ``needs_share`` of the amount goes to the categories serving the
    customer's needs (``need_categories``), split equally; the model
    portfolio's weights are scaled down to make room.
    """

    rule_id: Identifier = "alloc"
    categories: tuple[Category, ...] = Field(min_length=1)
    model_portfolios: tuple[ModelPortfolio, ...] = Field(min_length=1)
    cash_category: Identifier
    need_categories: Annotated[
        Mapping[Need, Identifier],
        AfterValidator(_read_only),
        PlainSerializer(lambda m: dict(sorted(m.items())), return_type=dict[Need, str]),
    ] = Field(default_factory=FrozenDict)
    needs_share: Weight = Field(default=Decimal(0))
    remainder: Remainder = Remainder.CASH


class ServiceKind(Vocabulary):
    """Kinds of tier services the practice names."""

    WEALTH_PACKAGE = "wealth_package"
    PRIORITY_CHANNEL = "priority_channel"
    VALUE_ADDED = "value_added"
    EVENT = "event"
    LOYALTY = "loyalty"


class Service(CusttierModel):
    """A service a tier is entitled to, and what it costs the bank when the bank says so.

    ``annual_cost`` is the cost per entitled customer per year in the
    playbook's currency (at most its minor unit's precision, not negative);
    ``None`` when the playbook states none. Left out of the canonical JSON
    when ``None``, so a playbook that states no cost keeps its content hash.
    """

    id: Identifier
    label: Label = Field(min_length=1, max_length=120)
    kind: ServiceKind
    tiers: tuple[Identifier, ...] = Field(min_length=1)
    annual_cost: RuleAmount | None = Field(default=None, exclude_if=lambda v: v is None)
