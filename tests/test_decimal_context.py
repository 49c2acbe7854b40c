"""Answers and errors do not depend on the caller's ``decimal`` context.

Numeric code often sets the thread's context (three digits, another rounding,
``InvalidOperation`` untrapped so a bad parse is NaN, a small exponent range).
custtier parses and computes money in its own context: every operation here
gives the same value, text and error under each hostile context as under the
default one. Each is compared as it reaches the caller: the decision's JSON,
its explanation in both languages, the error's type and message.
"""

from __future__ import annotations

import datetime as dt
import decimal
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies as cst
from custtier import (
    Customer,
    allocate,
    assign_tier,
    check_catalogue,
    check_suitability,
    plan_contacts,
    presets,
    quantize,
    simulate,
    split,
    synth,
    tier_book,
    worklists,
)
from custtier._cache import clear_all
from custtier._money import check_amount

AS_OF = dt.date(2026, 11, 30)
PRACTICE = presets.PRACTICE
BOOK = synth.book(12, seed=3, as_of=AS_OF)


def outcome(run: Callable[[], Any]) -> tuple[str, ...]:
    """What the caller meets: the answer as text, or the error's type and message."""
    try:
        got = run()
    except Exception as e:  # the error is the outcome compared
        return ("raised", type(e).__name__, str(e))
    return ("returned", _text(got))


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    if hasattr(value, "model_dump_json"):
        text: str = value.model_dump_json()
        if hasattr(value, "explain"):  # each language, with and without the playbook's terms
            text += value.explain() + value.explain("en", playbook=PRACTICE)
            text += value.explain("zh_CN", playbook=PRACTICE)
            text += value.to_audit_json("zh_CN", playbook=PRACTICE)
            text += value.display("zh_CN", playbook=PRACTICE)._repr_html_()
        elif hasattr(value, "_repr_html_"):  # a book, a plan, a what-if in a notebook
            text += value._repr_html_()
        for name in ("decisions", "lines", "customers", "managers", "touchpoints"):
            text += _text(getattr(value, name, ()))
        return text
    return repr(value)


def same_under(context: decimal.Context, run: Callable[[], Any]) -> None:
    expected = outcome(run)
    clear_all()  # so compiled plans and memos are built again, in the hostile context
    with decimal.localcontext(context):
        got = outcome(run)
    assert got == expected


_AMOUNT_TEXT = st.one_of(
    st.sampled_from(["abc", "", " ", "1e5", "-0", "NaN", "sNaN", "-Infinity", "1.2.3", "0E-99"]),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.text(alphabet="0123456789.-+eE ", max_size=40),
    cst.hostile_scalars(),
)


@given(cst.hostile_contexts(), _AMOUNT_TEXT)
def test_an_amount_is_read_or_refused_alike_whatever_the_callers_decimal_context(
    context: decimal.Context, value: Any
) -> None:
    same_under(context, lambda: check_amount(value))
    record = {"key": "K1", "currency": "CNY", "assets_under_management": value}
    same_under(context, lambda: Customer.from_record(record))


@settings(max_examples=40, deadline=None)
@given(cst.hostile_contexts(), cst.hostile_customer_records())
def test_a_customer_record_reads_alike_whatever_the_callers_decimal_context(
    context: decimal.Context, record: Any
) -> None:
    same_under(context, lambda: Customer.from_record(record))


@given(
    cst.hostile_contexts(),
    cst.currencies().flatmap(lambda c: st.tuples(st.just(c), cst.amounts(c))),
    cst.weight_vectors(),
    cst.roundings(),
)
def test_money_splits_and_rounds_alike_whatever_the_callers_decimal_context(
    context: decimal.Context, case: tuple[str, Decimal], weights: list[Decimal], mode: Any
) -> None:
    currency, total = case
    seventh = total / 7  # the caller's own arithmetic, in the default context
    same_under(context, lambda: split(total, weights, currency))
    same_under(context, lambda: quantize(seventh, currency, mode))


@settings(max_examples=25, deadline=None)
@given(
    cst.hostile_contexts(), cst.customers("CNY"), st.sampled_from(["1000.00", "250000.00", "abc"])
)
def test_a_customers_decisions_are_alike_whatever_the_callers_decimal_context(
    context: decimal.Context, customer: Customer, amount: str
) -> None:
    same_under(context, lambda: assign_tier(customer, PRACTICE, as_of=AS_OF))
    tier = assign_tier(customer, PRACTICE, as_of=AS_OF).tier
    same_under(
        context,
        lambda: allocate(customer, amount, BOOK.catalogue, PRACTICE, as_of=AS_OF, tier=tier),
    )
    product = BOOK.catalogue[0]
    same_under(
        context,
        lambda: check_suitability(
            customer, product, PRACTICE, as_of=AS_OF, tier=tier, amount=amount
        ),
    )


def _decisions_of(customer: Customer, tier: str) -> list[Any]:
    kw: dict[str, Any] = {"as_of": AS_OF, "tier": tier}
    return [
        assign_tier(customer, PRACTICE, as_of=AS_OF),
        allocate(customer, "250000.00", BOOK.catalogue, PRACTICE, **kw),
        check_catalogue(customer, BOOK.catalogue, PRACTICE, **kw),
    ]


@pytest.mark.parametrize("name", sorted(cst.HOSTILE_CONTEXTS))
def test_a_book_and_a_what_if_are_alike_whatever_the_callers_decimal_context(name: str) -> None:
    context = cst.HOSTILE_CONTEXTS[name].copy()
    tiers = {
        d.customer_key: d.tier for d in tier_book(BOOK.customers, PRACTICE, as_of=AS_OF).decisions
    }
    for c in BOOK.customers:
        same_under(context, partial(_decisions_of, c, tiers[c.key]))
    same_under(context, lambda: tier_book(BOOK.customers, PRACTICE, as_of=AS_OF))
    same_under(
        context,
        lambda: simulate(
            BOOK.customers, PRACTICE, presets.REGULATORY, as_of=AS_OF, catalogue=BOOK.catalogue
        ),
    )
    end = AS_OF + dt.timedelta(days=60)
    same_under(
        context,
        lambda: plan_contacts(
            BOOK.customers, PRACTICE, start=AS_OF, end=end, tiers=tiers, managers=BOOK.managers
        ),
    )
    same_under(
        context,
        lambda: worklists(
            BOOK.customers, PRACTICE, BOOK.managers, on=AS_OF, catalogue=BOOK.catalogue
        ),
    )


@pytest.mark.parametrize("name", sorted(cst.HOSTILE_CONTEXTS))
def test_a_columnar_book_and_what_if_are_alike_whatever_the_callers_decimal_context(
    name: str,
) -> None:
    import custtier.frames as cf

    table = cf.tier_input_table(BOOK.customers, PRACTICE, as_of=AS_OF)
    context = cst.HOSTILE_CONTEXTS[name].copy()
    same_under(context, lambda: cf.table_digest(cf.tier_table(table, PRACTICE, as_of=AS_OF)))
    same_under(context, lambda: cf.simulate_table(table, PRACTICE, presets.REGULATORY, as_of=AS_OF))
    pairs = cf.suitability_input_table(
        BOOK.customers,
        BOOK.catalogue,
        amounts={(c.key, p.id): "123456.78" for c in BOOK.customers for p in BOOK.catalogue},
    )
    same_under(
        context,
        lambda: cf.table_digest(cf.suitability_table(pairs, BOOK.catalogue, PRACTICE, as_of=AS_OF)),
    )


_IMPORT_AND_READ = """
from decimal import *
{set_context}
import custtier
from custtier import presets
from custtier._money import check_amount
for text in ("0.000000000001", "0.0000000000001", "99999999999999999999.99"):
    try:
        print(check_amount(text))
    except custtier.CusttierError as e:
        print(type(e).__name__, e)
print(*[p.content_hash for p in presets.ALL.values()])
"""


@pytest.mark.parametrize("name", sorted(cst.HOSTILE_CONTEXTS))
def test_custtier_imported_under_a_hostile_context_reads_amounts_as_under_the_default(
    name: str,
) -> None:
    # A process that sets its context before importing custtier (a service's start-up
    # code): the constants built at import are the same, so amounts read the same.
    def run(set_context: str) -> str:
        script = _IMPORT_AND_READ.format(set_context=set_context)
        return subprocess.run(  # a fresh interpreter: custtier not yet imported
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        ).stdout

    hostile = cst.HOSTILE_CONTEXTS[name]
    assert run(f"setcontext({hostile!r})") == run("")
