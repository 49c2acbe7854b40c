"""A relationship manager and their weekly capacity."""

from __future__ import annotations

from pydantic import field_validator

from custtier._money import ExactDecimal
from custtier.models._base import CusttierModel
from custtier.models._types import Identifier, SortedTuple, TimeZoneName

__all__ = ["RelationshipManager"]


class RelationshipManager(CusttierModel):
    """A manager (or branch president) who owns customers and has hours to give.

    >>> RelationshipManager(id="RM-01", capacity_hours_per_week="30").capacity_hours_per_week
    Decimal('30')
    """

    id: Identifier
    branch: Identifier | None = None
    capacity_hours_per_week: ExactDecimal
    tiers_served: SortedTuple[Identifier] = ()
    time_zone: TimeZoneName = "Asia/Shanghai"

    @field_validator("capacity_hours_per_week")
    @classmethod
    def _sane_hours(cls, hours: ExactDecimal) -> ExactDecimal:
        if not 0 <= hours <= 80:
            raise ValueError("capacity_hours_per_week must lie in [0, 80]")
        return hours
