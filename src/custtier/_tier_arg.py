"""One way to hand a tier to another engine: its id, or the ``TierDecision`` that decided it.

The engines that take a tier read the decision through its base class
(``kind == "tier"``), so they do not import the tiering package: the arrows
between engines stay one-way (docs/design.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from custtier._deferred import field_of
from custtier._explain import Decision
from custtier.errors import InputError

if TYPE_CHECKING:
    from custtier.tiering._models import TierDecision

__all__ = ["TierLike", "tier_id"]

#: What every engine that takes a tier accepts: a tier id, or the decision that gave it.
TierLike: TypeAlias = "str | TierDecision"


def tier_id(tier: object, *, customer_key: str | None, field: str = "tier") -> str:
    """The tier id of ``tier``; a decision must be about ``customer_key`` (when known).

    >>> tier_id("mass", customer_key="C1")
    'mass'
    >>> tier_id(3, customer_key="C1")
    Traceback (most recent call last):
    ...
    custtier.errors.InputError: give the tier as a tier id or the TierDecision that decided it
    """
    if isinstance(tier, str):
        return tier
    # field_of: a pending decision's kind is read without rendering its reasons.
    if isinstance(tier, Decision) and field_of(tier, "kind") == "tier":
        if customer_key is not None and tier.customer_key != customer_key:
            raise InputError(
                "the tier decision is about another customer; pass this customer's own",
                field=field,
            )
        return tier.outcome
    raise InputError("give the tier as a tier id or the TierDecision that decided it", field=field)
