"""The arguments of a point-of-sale request, checked before any rule reads them.

A request often arrives as JSON from another system: a customer that is not a
record, a tier that is a list, a catalogue that is not a list of products.
Each becomes an :class:`~custtier.errors.InputError` naming the argument.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from custtier._tier_arg import tier_id
from custtier.errors import InputError
from custtier.models import Customer, Product

__all__ = ["as_customer", "as_date", "as_products", "as_tier"]


def as_customer(value: Any) -> Customer:
    """A :class:`Customer`, or a mapping validated as one."""
    if isinstance(value, Customer):
        return value
    if isinstance(value, Mapping):
        return Customer.from_record(value)
    raise InputError("customer must be a Customer or a customer record", field="customer")


def as_products(catalogue: Any) -> list[Product]:
    """The catalogue as a list of products (mappings are validated as products)."""
    if isinstance(catalogue, (str, bytes, Mapping)) or not isinstance(catalogue, Iterable):
        raise InputError("catalogue must be a list of products", field="catalogue")
    out: list[Product] = []
    for i, p in enumerate(catalogue):
        if isinstance(p, Product):
            out.append(p)
        elif isinstance(p, Mapping):
            out.append(Product.from_record(p))
        else:
            raise InputError("catalogue must hold products", field=f"catalogue.{i}")
    return out


def as_tier(value: Any, customer_key: str) -> str | None:
    """A tier id (given as one or as the customer's ``TierDecision``) or ``None``."""
    return None if value is None else tier_id(value, customer_key=customer_key)


def as_date(value: Any, field: str) -> dt.date:
    """A calendar date (not a datetime, not text)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise InputError(f"{field} must be a date", field=field)
