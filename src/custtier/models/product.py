"""A product in the bank's catalogue."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, model_validator

from custtier._money import Amount, check_precision
from custtier.models._base import CusttierModel
from custtier.models._types import Identifier, Liquidity, Need, SortedTuple, Whole

__all__ = ["Product"]


class Product(CusttierModel):
    """A product with its risk level, category, minimums and restrictions.

    ``risk_level`` and ``category`` are ids the playbook defines (for example
    ``"R2"`` and ``"bond_fund"``); the engines check they exist there. A buy
    is valid when ``amount >= minimum_investment`` and
    ``(amount - minimum_investment) % increment == 0``.

    >>> p = Product(id="WM-001", name="Steady Income 90d", category="wealth_management",
    ...             risk_level="R2", minimum_investment="10000", increment="1000")
    >>> p.currency, p.cooling_off_hours
    ('CNY', 0)
    """

    id: Identifier
    name: str = Field(min_length=1, max_length=120)
    category: Identifier
    risk_level: Identifier
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    minimum_investment: Amount = Field(default=Decimal(0))
    increment: Amount = Field(default=Decimal(1))
    liquidity: Liquidity = Liquidity.DAILY
    term_days: Whole | None = Field(default=None, ge=1)
    reserved_for_tiers: SortedTuple[Identifier] = ()
    needs_served: SortedTuple[Need] = ()
    cooling_off_hours: Whole = Field(default=0, ge=0, le=24 * 30)
    private: bool = False

    @model_validator(mode="after")
    def _amounts(self) -> Product:
        check_precision(self.minimum_investment, self.currency, field="minimum_investment")
        check_precision(self.increment, self.currency, field="increment")
        if self.minimum_investment < 0:
            raise ValueError("minimum_investment must not be negative")
        if self.increment <= 0:
            raise ValueError("increment must be positive")
        return self
