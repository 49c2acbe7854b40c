"""The arguments of a public call, checked before any rule reads them.

A call often arrives from another system: a customer that is not a record, a
tier that is a list, a catalogue that is not a list of products, a date
written as text, a playbook that is a file name. Each becomes an
:class:`~custtier.errors.InputError` naming the argument, never an
``AttributeError`` from deep inside a rule, and never a decision that carries
the wrong type (a decision dated ``"2026-11-30"`` the text).

Entry points check the common, well-typed call with ``type(x) is ...`` first,
so the check costs a few tens of nanoseconds on the hot path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from custtier._tier_arg import tier_id
from custtier.errors import InputError
from custtier.models import Customer, Product
from custtier.rules import Playbook

__all__ = [
    "as_customer",
    "as_customers",
    "as_date",
    "as_key",
    "as_optional",
    "as_playbook",
    "as_product",
    "as_products",
    "as_records",
    "as_tier",
    "check_chunk_rows",
]

T = TypeVar("T")


def as_customer(value: Any, field: str = "customer") -> Customer:
    """A :class:`Customer`, or a mapping validated as one."""
    if isinstance(value, Customer):
        return value
    if isinstance(value, Mapping):
        return Customer.from_record(value)
    raise InputError(f"{field} must be a Customer or a customer record", field=field)


def as_customers(value: Any) -> list[Customer]:
    """A list of customers, each a :class:`Customer` or a mapping validated as one.

    An item that is neither is an error naming its place (``customers.3``).
    """
    return [as_customer(c, f"customers.{i}") for i, c in enumerate(as_records(value))]


def as_product(value: Any, field: str = "product") -> Product:
    """A :class:`Product`, or a mapping validated as one."""
    if isinstance(value, Product):
        return value
    if isinstance(value, Mapping):
        return Product.from_record(value)
    raise InputError(f"{field} must be a Product or a product record", field=field)


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


def unchanging(catalogue: object) -> bool:
    """Whether ``catalogue`` can never change: a tuple of products (frozen models, no records).

    An engine may then keep what it read of it, keyed by its identity (and
    holding it, so the identity is not reused while kept).
    """
    return type(catalogue) is tuple and all(type(p) is Product for p in catalogue)


def as_tier(value: Any, customer_key: str) -> str | None:
    """A tier id (given as one or as the customer's ``TierDecision``) or ``None``."""
    return None if value is None else tier_id(value, customer_key=customer_key)


def as_date(value: Any, field: str) -> dt.date:
    """A calendar date (not a datetime, not text)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise InputError(f"{field} must be a date", field=field)


def as_playbook(value: Any, field: str = "playbook") -> Playbook:
    """A loaded :class:`~custtier.rules.Playbook` (not its JSON, not a file name)."""
    if isinstance(value, Playbook):
        return value
    raise InputError(
        f"{field} must be a Playbook: a preset (custtier.presets) or one loaded with "
        "Playbook.from_json",
        field=field,
    )


def as_key(value: Any, field: str = "customer_key") -> str:
    """A customer key given as text."""
    if isinstance(value, str):
        return value
    raise InputError(f"{field} must be text", field=field)


def as_optional(value: T | None, cls: type[T], field: str, what: str) -> T | None:
    """``value`` if it is ``None`` or a ``cls``; otherwise an error naming ``field``."""
    if value is None or isinstance(value, cls):
        return value
    raise InputError(f"{field} must be {what} or None", field=field)


def as_records(value: Any, field: str = "customers") -> Iterable[Any]:
    """A batch of records: any iterable but text, bytes or a single mapping."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InputError(f"{field} must be a list of records", field=field)
    return value


#: No table has more rows than this; a larger chunk is the whole table (and Arrow's
#: slice lengths are 64-bit: 2**63 rows overflowed inside pyarrow).
_MOST_ROWS = 1 << 40


def check_chunk_rows(value: Any) -> int:
    """A chunk size: a whole number of rows, at least one; any larger than a table is one."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError("chunk_rows must be a positive number of rows", field="chunk_rows")
    return min(value, _MOST_ROWS)
