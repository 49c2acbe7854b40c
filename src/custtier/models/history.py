"""What already happened: past contacts, which count against frequency caps."""

from __future__ import annotations

from pydantic import Field

from custtier.models._base import CusttierModel
from custtier.models._types import Channel, CustomerKey, Day, FreeText, Identifier, Purpose

__all__ = ["ContactRecord"]


class ContactRecord(CusttierModel):
    """One past contact with a customer."""

    customer_key: CustomerKey
    on: Day
    channel: Channel
    purpose: Purpose
    occasion: Identifier | None = None
    manager_id: Identifier | None = None
    note: FreeText | None = Field(default=None, max_length=200, repr=False)
