"""What one customer gets does not depend on who was served before them in the session.

The engines keep memos between calls (per playbook: codes per kind of buyer,
a catalogue read once, shared reasons and JSON fragments, the planner's
tables and caps). A memo keyed on too little hands one customer's facts to
the next customer who looks alike. Here a generated playbook serves a book
in one order with every memo warm, and each customer again alone after
``clear_all()``: every decision must be byte-identical.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

import strategies as cst
from custtier import Playbook, allocate, assign_tier, check_catalogue, plan_contacts, synth
from custtier._cache import clear_all
from custtier.models import Customer, Product

PLAN_DAYS = 92


def _alias(c: Customer, key: str, **changes: object) -> Customer:
    """``c`` under another key (its KYC file follows), with ``changes``."""
    kyc = None if c.kyc is None else c.kyc.replace(customer_key=key)
    return c.replace(key=key, kyc=kyc, **changes)


def _serve(
    c: Customer, pb: Playbook, shelf: tuple[Product, ...], as_of: dt.date, amount: Decimal
) -> list[str]:
    """Every decision a branch makes for ``c``: tier, catalogue, allocation, a quarter's plan."""
    tier = assign_tier(c, pb, as_of=as_of)
    out = [d.model_dump_json() for d in check_catalogue(c, shelf, pb, as_of=as_of, tier=tier)]
    out.append(allocate(c, amount, shelf, pb, as_of=as_of, tier=tier).model_dump_json())
    plan = plan_contacts(
        (c,), pb, start=as_of, end=as_of + dt.timedelta(days=PLAN_DAYS), tiers={c.key: tier}
    )
    out.append(plan.model_dump_json())
    out.append(tier.model_dump_json())  # last: the engines above read it pending
    return out


@settings(max_examples=25, deadline=None)
@given(
    pb=cst.playbooks(),
    seed=st.integers(0, 10_000),
    as_of=cst.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31)),
    order=st.randoms(use_true_random=False),
    amount=st.sampled_from(["1000", "250000", "3000000"]),
)
def test_a_customer_gets_the_same_decisions_whoever_was_served_before(
    pb: Playbook, seed: int, as_of: dt.date, order: random.Random, amount: str
) -> None:
    book = list(synth.customers(12, seed=seed, as_of=as_of, playbook=pb))
    # Look-alikes: the same customer under another key, born on another day, assessed a
    # month earlier, with the richest customer's balances (another tier); a memo keyed on
    # too little serves them the first one's facts.
    first = book[0]
    book.append(_alias(first, "Z0000001"))
    if first.birth_date is not None:
        book.append(_alias(first, "Z0000002", birth_date=first.birth_date.replace(day=1)))
    if first.risk_assessment is not None:
        ra = first.risk_assessment
        older = ra.model_copy(update={"assessed_on": ra.assessed_on - dt.timedelta(days=30)})
        book.append(_alias(first, "Z0000003", risk_assessment=older))
    richest = max(book, key=lambda c: c.assets_under_management)
    book.append(_alias(first, "Z0000004", monthly_balances=richest.monthly_balances))
    order.shuffle(book)
    shelf = synth.catalogue(pb)
    money = Decimal(amount)

    warm = {c.key: _serve(c, pb, shelf, as_of, money) for c in book}
    for c in reversed(book):
        clear_all()
        assert _serve(c, pb, shelf, as_of, money) == warm[c.key], c.key
