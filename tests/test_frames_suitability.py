"""Suitability for many pairs: the columnar answers are check_suitability's, row by row."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow", reason='columnar tests need pip install "custtier[frames]"')
pytest.importorskip("numpy", reason='columnar tests need pip install "custtier[frames]"')

import custtier.frames as cf  # noqa: E402  # after the importorskip above, on purpose
import strategies as cst  # noqa: E402
from custtier import (  # noqa: E402
    Customer,
    Playbook,
    Product,
    RiskAssessment,
    check_suitability,
    minor_unit,
    presets,
    synth,
)
from custtier._money import from_minor_units  # noqa: E402
from custtier.errors import InputError, MoneyError  # noqa: E402
from custtier.frames._arrow import epoch_days  # noqa: E402

AS_OF = dt.date(2026, 11, 30)
DOCS = Path(__file__).parent.parent / "docs"


#: The level matrix and the grid alone: no assessment needed, no conditions of sale.
MATRIX_ONLY = cst.policy_variant(
    presets.PRACTICE, ["level_matrix", "minimum_and_increment"], "matrix"
)
#: No check at all: every sale is allowed and still explains itself.
NO_CHECKS = cst.policy_variant(presets.REGULATORY, [], "no_checks")
PLAYBOOKS = (presets.PRACTICE, presets.REGULATORY, MATRIX_ONLY, NO_CHECKS)

#: Map of the scalar path's InputError fields to the columnar error row.
SCALAR_ERRORS = {
    "tier": ("unknown_tier", "tier"),
    "risk_assessment.level": ("unknown_risk_level", "risk_level"),
    "product.risk_level": ("product_not_in_playbook", "product.risk_level"),
    "product.category": ("product_not_in_playbook", "product.category"),
    "product.currency": ("currency_mismatch", "currency"),
    "amount": ("too_precise", "amount"),
}


@cache
def catalogue(pb: Playbook) -> tuple[Product, ...]:
    """The synthetic catalogue, plus products the scalar path refuses or treats specially."""
    levels = [lv.id for lv in pb.risk.product_levels]
    category = pb.allocation.categories[-1].id
    odd = (
        Product(id="X-LEVEL", name="Unknown level", category=category, risk_level="R99"),
        Product(id="X-CATEGORY", name="Unknown category", category="crypto",
                risk_level=levels[0]),
        Product(id="X-MISFILED", name="Structured deposit", category="deposit",
                risk_level=levels[1]),
        Product(id="X-USD", name="Dollar deposit", category="deposit", risk_level=levels[0],
                currency="USD", minimum_investment="100.00", increment="0.50"),
        Product(id="X-JPY", name="Yen fund", category=category, risk_level=levels[-1],
                currency="JPY", minimum_investment="10000", increment="1000",
                cooling_off_hours=48, reserved_for_tiers=[pb.tiers[0].id, "platinum"]),
    )  # fmt: skip
    return (*synth.catalogue(pb), *odd)


# --------------------------------------------------------------------------- the scalar answer


def expected_row(
    pb: Playbook,
    customer: Customer,
    product_id: str,
    *,
    as_of: dt.date,
    tier: str | None,
    amount: Decimal | None,
    in_branch: bool,
) -> dict[str, Any]:
    """``check_suitability``'s answer for one pair, as a row of the output schema."""
    products = {p.id: p for p in catalogue(pb)}
    row: dict[str, Any] = dict.fromkeys(cf.suitability_output_schema(pb).names)
    row |= {
        "customer_key": customer.key,
        "product_id": product_id if product_id in products else None,
    }
    row |= {"as_of": as_of, "playbook_id": pb.id, "playbook_version": pb.version,
            "playbook_hash": pb.content_hash}  # fmt: skip
    if product_id not in products:
        return row | {"error_code": "unknown_product", "error_field": "product_id"}
    try:
        d = check_suitability(customer, products[product_id], pb, as_of=as_of, tier=tier,
                              amount=amount, in_branch=in_branch)  # fmt: skip
    except InputError as exc:
        code, field = SCALAR_ERRORS[str(exc.field)]
        if "risk-free category" in str(exc):  # the other product.category refusal
            code = "risk_free_above_lowest"
        return row | {"error_code": code, "error_field": field}
    return row | {
        "outcome": d.outcome,
        "allowed": d.allowed,
        "conditions": [c.value for c in d.conditions],
        "cooling_off_hours": d.cooling_off_hours,
        "nearest_valid_amounts": list(d.nearest_valid_amounts),
        "reason_codes": [r.code.value for r in d.reasons],
        "rule_ids": [r.rule_id for r in d.reasons],
    }


# --------------------------------------------------------------------------- strategies


@st.composite
def assessments(draw: st.DrawFn, pb: Playbook, as_of: dt.date) -> RiskAssessment | None:
    """None, or an assessment whose validity starts or ends near ``as_of``."""
    if draw(st.booleans()):
        return None
    levels = [lv.id for lv in pb.risk.customer_levels]
    level = draw(st.sampled_from([*levels, *levels, *levels, "C9"]))
    back = draw(st.sampled_from([-1, 0, 1, 90, 364, 365, 366, 400, 800]))
    assessed = as_of - dt.timedelta(days=back)
    # Imported records carry any valid_until: past the playbook's validity too.
    until = assessed + dt.timedelta(days=draw(st.sampled_from([0, 1, 364, 365, 366, 800])))
    age = draw(st.sampled_from([None, "a", "b", "c", "d", "d", "d", "z"]))
    answers = [] if age is None else [{"question_id": "q_age", "option_id": age}]
    if draw(st.booleans()):
        answers.insert(0, {"question_id": "q_loss", "option_id": "c"})
    return RiskAssessment(
        level=level, score=1, assessed_on=assessed, valid_until=until, answers=answers
    )


@st.composite
def birth_dates(draw: st.DrawFn, pb: Playbook, as_of: dt.date) -> dt.date | None:
    """None, any date, or a day around the elderly birthday (29 February included)."""
    kind = draw(st.sampled_from(["none", "any", "edge"]))
    if kind == "none":
        return None
    if kind == "any":
        return draw(cst.dates(cst.MIN_DATE, dt.date(2010, 12, 31)))
    year = as_of.year - pb.risk.elderly_age
    birthday = dt.date(year, as_of.month, min(as_of.day, 28))
    return birthday + dt.timedelta(days=draw(st.integers(-2, 3)))


@st.composite
def amounts_for(draw: st.DrawFn, product: Product | None, currency: str) -> Decimal | None:
    """None, or an amount on, off or below the product's grid, over-precise, or anywhere."""
    if product is None or draw(st.booleans()):
        return None
    unit = Decimal(1).scaleb(-minor_unit(product.currency))
    on_grid = product.minimum_investment + product.increment * draw(st.integers(0, 30))
    kind = draw(st.sampled_from(["grid"] * 4 + ["over_precise", "any"]))
    if kind == "over_precise":
        return draw(cst.over_precise_amounts(currency))
    if kind == "any":
        return draw(cst.amounts(currency, max_value=10**8))
    near = [product.minimum_investment - unit, product.minimum_investment, on_grid,
            on_grid + unit, -on_grid]  # fmt: skip
    return draw(st.sampled_from(near))


@st.composite
def cases(
    draw: st.DrawFn, playbooks: st.SearchStrategy[Playbook] | None = None
) -> tuple[Playbook, dt.date, Any, list[dict[str, Any]]]:
    """A playbook (``PLAYBOOKS`` unless given), an as_of, pairs, and each row's scalar answer."""
    pb = draw(st.sampled_from(PLAYBOOKS) if playbooks is None else playbooks)
    as_of = draw(st.sampled_from([AS_OF, dt.date(2028, 2, 29)]) | cst.dates(
        dt.date(2025, 1, 1), dt.date(2028, 12, 31)))  # fmt: skip
    products = {p.id: p for p in catalogue(pb)}
    keys = draw(st.lists(cst.customer_keys(), min_size=1, max_size=4, unique=True))
    customers = [
        Customer(key=key, currency=draw(st.sampled_from([pb.currency] * 5 + ["USD"])),
                 birth_date=draw(birth_dates(pb, as_of)),
                 risk_assessment=draw(assessments(pb, as_of)))
        for key in keys
    ]  # fmt: skip
    ids = draw(st.lists(st.sampled_from([*products, "NOPE-1"]), min_size=3, max_size=10))
    tier_ids = [t.id for t in pb.tiers]
    tiers = {c.key: draw(st.sampled_from([None, *tier_ids * 3, "platinum"]))
             for c in customers}  # fmt: skip
    amounts = {
        (c.key, pid): draw(amounts_for(products.get(pid), c.currency))
        for c in customers
        for pid in ids
    }
    table = cf.suitability_input_table(customers, ids, tiers=tiers, amounts=amounts)
    branch = draw(st.lists(st.sampled_from([None, False, True]), min_size=table.num_rows,
                           max_size=table.num_rows))  # fmt: skip
    table = table.set_column(
        table.schema.get_field_index("in_branch"), "in_branch", pa.array(branch, pa.bool_())
    )
    expected = [
        expected_row(pb, c, pid, as_of=as_of, tier=tiers[c.key], amount=amounts[c.key, pid],
                     in_branch=bool(b))
        for (c, pid), b in zip(itertools.product(customers, ids), branch, strict=True)
    ]  # fmt: skip
    return pb, as_of, table, expected


def split(table: Any, cuts: Sequence[int]) -> list[Any]:
    """``table`` as record batches cut at ``cuts`` (sliced batches keep their offsets)."""
    edges = [0, *sorted(c for c in cuts if 0 < c < table.num_rows), table.num_rows]
    batches = []
    for a, b in itertools.pairwise(edges):
        batches += table.slice(a, b - a).to_batches()
    return batches


# --------------------------------------------------------------------------- same answers


@given(cases())
def test_columnar_suitability_equals_check_suitability_row_by_row(
    case: tuple[Playbook, dt.date, Any, list[dict[str, Any]]],
) -> None:
    pb, as_of, table, expected = case
    out = cf.suitability_table(table, catalogue(pb), pb, as_of=as_of)
    assert out.schema == cf.suitability_output_schema(pb)
    assert out.to_pylist() == expected


@given(cases(), st.data())
def test_row_order_batches_and_chunks_do_not_change_any_answer(
    case: tuple[Playbook, dt.date, Any, list[dict[str, Any]]], data: st.DataObject
) -> None:
    pb, as_of, table, expected = case
    order = data.draw(st.permutations(range(table.num_rows)))
    shuffled = table.take(pa.array(order, pa.int64()))
    cuts = data.draw(st.lists(st.integers(0, max(table.num_rows, 1)), max_size=4))
    whole = pa.Table.from_batches(split(shuffled, cuts), schema=table.schema)
    chunk_rows = data.draw(st.integers(1, 9), label="chunk_rows")
    out = cf.suitability_table(whole, catalogue(pb), pb, as_of=as_of, chunk_rows=chunk_rows)
    assert out.to_pylist() == [expected[i] for i in order]


def test_a_synthetic_book_against_the_whole_catalogue_under_both_presets() -> None:
    for pb in (presets.PRACTICE, presets.REGULATORY):
        book = synth.book(40, seed=7, as_of=AS_OF, playbook=pb)
        products = synth.catalogue(pb)
        tiers = {c.key: pb.tiers[i % len(pb.tiers)].id for i, c in enumerate(book.customers)}
        amounts = {(c.key, p.id): p.minimum_investment + p.increment * (i % 3) / 2
                   for i, c in enumerate(book.customers) for p in products}  # fmt: skip
        table = cf.suitability_input_table(book.customers, products, tiers=tiers, amounts=amounts)
        out = cf.suitability_table(table, products, pb, as_of=AS_OF)
        expected = [
            expected_row(pb, c, p.id, as_of=AS_OF, tier=tiers[c.key],
                         amount=amounts[c.key, p.id], in_branch=False)
            for c, p in itertools.product(book.customers, products)
        ]  # fmt: skip
        assert out.to_pylist() == expected
        assert set(out.column("outcome").to_pylist()) == {"allowed", "blocked"}


# --------------------------------------------------------------------------- policy examples


def _one(pb: Playbook = presets.REGULATORY, **columns: Any) -> dict[str, Any]:
    """One pair (EQ-GROWTH, an R4 equity fund, unless ``product_id`` says otherwise)."""
    row: dict[str, Any] = {
        "key": "C1", "product_id": "EQ-GROWTH", "currency": "CNY", "tier": "mass", "risk_level": "C4",
        "assessed_on": dt.date(2026, 3, 1), "valid_until": dt.date(2027, 2, 28),
        "birth_date": dt.date(1980, 5, 5), "amount": None, "in_branch": False,
    } | columns  # fmt: skip
    table = pa.Table.from_pylist([row], schema=cf.suitability_input_schema(pb))
    out = cf.suitability_table(table, synth.catalogue(pb), pb, as_of=AS_OF)
    result: dict[str, Any] = out.to_pylist()[0]
    return result


def test_a_customer_may_buy_up_to_their_row_of_the_matrix_and_no_higher() -> None:
    within = _one(risk_level="C4")
    assert (within["outcome"], within["reason_codes"]) == ("allowed", ["SUIT_LEVEL_OK"])
    above = _one(risk_level="C3")
    assert above["outcome"] == "blocked"
    assert (above["reason_codes"], above["rule_ids"]) == (["SUIT_LEVEL_EXCEEDED"], ["suit.C3"])


def test_without_a_valid_assessment_only_risk_free_products_may_be_sold() -> None:
    none: dict[str, Any] = {"risk_level": None, "assessed_on": None, "valid_until": None}
    assert _one(**none)["reason_codes"] == ["SUIT_NO_ASSESSMENT"]
    expired = _one(valid_until=dt.date(2026, 11, 29))
    assert (expired["outcome"], expired["reason_codes"]) == ("blocked", ["SUIT_ASSESSMENT_EXPIRED"])
    assert _one(valid_until=AS_OF)["outcome"] == "allowed"  # valid through its last day
    deposit = _one(product_id="DEP-1Y", **none)
    assert (deposit["outcome"], deposit["reason_codes"]) == ("allowed", ["SUIT_RISK_FREE"])


def test_private_products_are_reserved_for_the_upper_tiers() -> None:
    assert _one(product_id="PRV-FI", tier="mass")["reason_codes"][0] == "SUIT_RESERVED"
    assert _one(product_id="PRV-FI", tier=None)["reason_codes"][0] == "SUIT_RESERVED"
    allowed = _one(product_id="PRV-FI", tier="high_end")
    assert (allowed["outcome"], allowed["conditions"], allowed["cooling_off_hours"]) == (
        "allowed", ["cooling_off"], 24)  # fmt: skip
    # A blocked sale carries no conditions, though its reasons still name them.
    blocked = _one(product_id="PRV-FI", tier="mass")
    assert (blocked["conditions"], blocked["cooling_off_hours"]) == ([], 0)
    assert "SUIT_COOLING_OFF" in blocked["reason_codes"]


def test_amounts_off_the_grid_are_blocked_with_the_nearest_valid_amounts() -> None:
    # WM-90D: minimum 10,000.00, increment 1,000.00.
    off = _one(product_id="WM-90D", amount=Decimal("12500.00"))
    assert off["reason_codes"][0] == "SUIT_OFF_INCREMENT"
    assert off["nearest_valid_amounts"] == [Decimal("12000.00"), Decimal("13000.00")]
    below = _one(product_id="WM-90D", amount=Decimal("9999.99"))
    assert below["reason_codes"][0] == "SUIT_BELOW_MINIMUM"
    assert below["nearest_valid_amounts"] == [Decimal("10000.00")]
    on = _one(product_id="WM-90D", amount=Decimal("12000.00"))
    assert (on["outcome"], on["nearest_valid_amounts"]) == ("allowed", [])
    # Blocked for another reason, an amount on the grid is its own nearest valid amount.
    elsewhere = _one(product_id="WM-90D", amount=Decimal("12000.00"), risk_level="C1")
    assert elsewhere["nearest_valid_amounts"] == [Decimal("12000.00")]


def test_customers_of_the_elderly_age_confirm_again_from_their_birthday() -> None:
    sixty_five = dt.date(1961, 11, 30)
    fund: dict[str, Any] = {"product_id": "BF-SHORT"}  # within the elderly cap (C3)
    assert _one(birth_date=sixty_five, **fund)["conditions"] == ["extra_confirmation"]
    assert _one(birth_date=sixty_five + dt.timedelta(days=1), **fund)["conditions"] == []
    assert _one(product_id="DEP-1Y", birth_date=sixty_five)["conditions"] == []  # risk-free
    # Born on 29 February: 65 on 1 March in a common year.
    leap = dt.date(1960, 2, 29)
    pb = presets.REGULATORY
    for as_of, conditions in ((dt.date(2025, 2, 28), []), (dt.date(2025, 3, 1), ["extra_confirmation"])):  # fmt: skip
        row = {"key": "C1", "product_id": "BF-SHORT", "risk_level": "C2",
               "assessed_on": as_of, "valid_until": as_of, "birth_date": leap, "tier": None,
               "answers": None}  # fmt: skip
        out = cf.suitability_table(pa.Table.from_pylist([row]).append_column(
            "in_branch", pa.array([None], pa.bool_())), synth.catalogue(pb), pb, as_of=as_of)  # fmt: skip
        assert out.column("conditions").to_pylist() == [conditions]


def test_in_branch_sales_of_risky_products_are_recorded() -> None:
    assert _one(in_branch=True)["conditions"] == ["recorded_sale"]
    assert _one(in_branch=None)["conditions"] == []
    assert _one(product_id="DEP-1Y", in_branch=True)["conditions"] == []


def test_the_age_answer_and_the_day_of_sale_bind_as_in_check_suitability() -> None:
    over_65 = [{"question_id": "q_age", "option_id": "d"}]
    fund = _one(product_id="BF-SHORT", birth_date=None, answers=over_65)
    assert (fund["outcome"], fund["conditions"]) == ("allowed", ["extra_confirmation"])
    r4 = _one(birth_date=None, answers=over_65)  # a C4 customer capped at C3 on the day
    assert (r4["outcome"], r4["reason_codes"], r4["rule_ids"]) == (
        "blocked", ["SUIT_ELDERLY_CAP", "SUIT_ELDERLY_CONFIRM"],
        ["risk.elderly", "suit.elderly_confirmation"])  # fmt: skip
    # A record valid "until 2027" but assessed 13 months ago: the playbook's 12 months bind.
    old = _one(assessed_on=dt.date(2025, 10, 30), valid_until=dt.date(2027, 12, 31))
    assert (old["outcome"], old["reason_codes"]) == ("blocked", ["SUIT_ASSESSMENT_EXPIRED"])
    misfiled = cf.suitability_table(
        pa.Table.from_pylist([{"key": "C1", "product_id": "X-MISFILED", "risk_level": "C1",
                               "assessed_on": AS_OF, "valid_until": AS_OF, "tier": None,
                               "birth_date": None, "answers": None, "in_branch": None}]),
        catalogue(presets.REGULATORY), presets.REGULATORY, as_of=AS_OF)  # fmt: skip
    assert misfiled.select(["error_code", "error_field"]).to_pylist() == [
        {"error_code": "risk_free_above_lowest", "error_field": "product.category"}]  # fmt: skip


def test_a_playbook_without_checks_allows_every_sale_and_still_explains_itself() -> None:
    out = _one(NO_CHECKS, product_id="PRV-PE", risk_level=None, assessed_on=None,
               valid_until=None, amount=Decimal("1.00"))  # fmt: skip
    assert (out["outcome"], out["reason_codes"], out["rule_ids"]) == (
        "allowed", ["SUIT_LEVEL_OK"], ["suit"])  # fmt: skip


def test_integer_minor_units_and_any_decimal_scale_read_the_same_amount() -> None:
    pb = presets.REGULATORY
    base = {"key": ["C1", "C2"], "product_id": ["WM-90D"] * 2, "tier": [None, None],
            "risk_level": ["C5"] * 2, "assessed_on": pa.array([AS_OF] * 2, pa.date32()),
            "valid_until": pa.array([AS_OF] * 2, pa.date32()),
            "birth_date": pa.array([None, None], pa.date32()), "in_branch": [False, False],
            "answers": pa.nulls(2)}  # fmt: skip
    answers = []
    for amount in (
        pa.array([12_000_00, 12_500_00], pa.int64()),
        pa.array([Decimal("12000.0000"), Decimal("12500.0000")], pa.decimal128(20, 4)),
        pa.array([Decimal(12000), Decimal(12500)], pa.decimal128(10, 0)),
    ):
        out = cf.suitability_table(pa.table(base | {"amount": amount}), synth.catalogue(pb), pb,
                                   as_of=AS_OF)  # fmt: skip
        answers.append(out.to_pylist())
    assert answers[0] == answers[1] == answers[2]
    assert [r["outcome"] for r in answers[0]] == ["allowed", "blocked"]


# --------------------------------------------------------------------------- errors as rows


CANARY = "110101199003077777"  # shaped like a Chinese ID number: must never be echoed


def test_bad_rows_become_error_rows_with_code_and_field_and_nothing_is_lost() -> None:
    pb = presets.REGULATORY
    products = catalogue(pb)
    ok: dict[str, Any] = {"key": "C-ok", "product_id": "BF-SHORT", "currency": "CNY",
                          "tier": "mass", "risk_level": "C2", "assessed_on": dt.date(2026, 1, 1),
                          "valid_until": dt.date(2026, 12, 31), "birth_date": None,
                          "amount": Decimal("1000.000"), "in_branch": False}  # fmt: skip
    cases: list[tuple[dict[str, Any], tuple[str | None, str | None, str | None]]] = [
        ({}, ("C-ok", None, None)),
        ({"key": f"ID {CANARY}"}, (None, "invalid_value", "key")),
        ({"key": None}, (None, "missing_value", "key")),
        ({"product_id": None}, ("C-ok", "missing_value", "product_id")),
        ({"product_id": CANARY}, ("C-ok", "unknown_product", "product_id")),
        ({"currency": None}, ("C-ok", "missing_value", "currency")),
        ({"currency": "cny"}, ("C-ok", "invalid_value", "currency")),
        ({"risk_level": None}, ("C-ok", "missing_value", "risk_level")),
        ({"assessed_on": None}, ("C-ok", "missing_value", "assessed_on")),
        ({"valid_until": None}, ("C-ok", "missing_value", "valid_until")),
        ({"valid_until": dt.date(2025, 12, 31)}, ("C-ok", "invalid_value", "valid_until")),
        ({"tier": "platinum"}, ("C-ok", "unknown_tier", "tier")),
        ({"risk_level": "aggressive"}, ("C-ok", "unknown_risk_level", "risk_level")),
        ({"product_id": "X-LEVEL"}, ("C-ok", "product_not_in_playbook", "product.risk_level")),
        ({"product_id": "X-CATEGORY"}, ("C-ok", "product_not_in_playbook", "product.category")),
        ({"product_id": "X-MISFILED"}, ("C-ok", "risk_free_above_lowest", "product.category")),
        ({"answers": [{"question_id": "q_age", "option_id": "d"}], "risk_level": None,
          "assessed_on": None, "valid_until": None}, ("C-ok", "missing_value", "risk_level")),
        ({"currency": "USD"}, ("C-ok", "currency_mismatch", "currency")),
        ({"product_id": "X-USD"}, ("C-ok", "currency_mismatch", "currency")),
        ({"amount": Decimal("1000.005")}, ("C-ok", "too_precise", "amount")),
        ({"amount": Decimal(10) ** 18}, ("C-ok", "out_of_range", "amount")),
        ({"product_id": "X-JPY", "currency": "JPY", "amount": Decimal("10000.500")},
         ("C-ok", "too_precise", "amount")),
        ({"key": None, "tier": "platinum"}, (None, "missing_value", "key")),  # the first problem
    ]  # fmt: skip
    base = cf.suitability_input_schema(pb)
    schema = base.set(base.get_field_index("amount"), pa.field("amount", pa.decimal128(38, 3)))
    table = pa.Table.from_pylist([ok | change for change, _ in cases], schema=schema)
    out = cf.suitability_table(table, products, pb, as_of=AS_OF)
    assert out.num_rows == table.num_rows
    got = [(r["customer_key"], r["error_code"], r["error_field"]) for r in out.to_pylist()]
    assert got == [want for _, want in cases]
    assert {code for _, code, _ in got if code} <= set(cf.SUITABILITY_ERROR_CODES)
    errors = out.filter(pa.compute.is_valid(out.column("error_code")))
    for name in ("outcome", "allowed", "conditions", "cooling_off_hours",
                 "nearest_valid_amounts", "reason_codes", "rule_ids"):  # fmt: skip
        assert errors.column(name).null_count == errors.num_rows, name
    assert CANARY not in str(out.to_pylist())


def test_dates_no_customer_record_can_hold_are_error_rows_not_a_crash() -> None:
    """Arrow's date32 reaches far past 9999-12-31; a customer's record (and the rules) cannot."""
    pb = presets.REGULATORY
    far = pa.array([epoch_days(dt.date.max) + 1], pa.int32()).cast(pa.date32())
    before = pa.array([epoch_days(dt.date.min) - 1], pa.int32()).cast(pa.date32())
    rows = []
    for name, value in (("valid_until", far), ("assessed_on", before), ("birth_date", far)):
        row = pa.Table.from_pylist([_row()], schema=cf.suitability_input_schema(pb))
        at = row.schema.get_field_index(name)
        rows.append(row.set_column(at, row.schema.field(at), value))
    out = cf.suitability_table(pa.concat_tables(rows), catalogue(pb), pb, as_of=AS_OF)
    assert [(r["error_code"], r["error_field"]) for r in out.to_pylist()] == [
        ("invalid_value", "valid_until"), ("invalid_value", "assessed_on"),
        ("invalid_value", "birth_date"),
    ]  # fmt: skip


def _row() -> dict[str, Any]:
    return {"key": "C1", "product_id": "EQ-GROWTH", "currency": "CNY", "tier": "mass",
            "risk_level": "C4", "assessed_on": dt.date(2026, 3, 1),
            "valid_until": dt.date(2027, 2, 28), "birth_date": dt.date(1950, 5, 5),
            "amount": None, "in_branch": False}  # fmt: skip


def test_the_scalar_path_refuses_what_the_columnar_path_makes_error_rows() -> None:
    pb = presets.REGULATORY
    products = {p.id: p for p in catalogue(pb)}
    c = Customer(key="C1", risk_assessment={"level": "C2", "score": 1,
                 "assessed_on": "2026-01-01", "valid_until": "2026-12-31"})  # fmt: skip
    refused: list[tuple[str, dict[str, Any], str]] = [
        ("BF-SHORT", {"tier": "platinum"}, "tier"),
        ("X-LEVEL", {}, "product.risk_level"),
        ("X-CATEGORY", {}, "product.category"),
        ("X-MISFILED", {}, "product.category"),
        ("X-USD", {}, "product.currency"),
        ("BF-SHORT", {"amount": Decimal("1000.005")}, "amount"),
    ]
    for pid, kwargs, field in refused:
        with pytest.raises(InputError) as info:
            check_suitability(c, products[pid], pb, as_of=AS_OF, **kwargs)
        assert info.value.field == field
        assert field in SCALAR_ERRORS


@pytest.mark.parametrize(
    ("column_type", "message"),
    [
        (pa.float64(), "'amount' holds floating-point numbers"),
        (pa.float32(), "'amount' holds floating-point numbers"),
    ],
)
def test_float_amount_columns_are_refused_naming_the_column(column_type: Any, message: str) -> None:
    values = ["1.5", "2"] if pa.types.is_string(column_type) else [1.5, 2.0]
    table = cf.suitability_input_table([Customer(key="C1"), Customer(key="C2")], ["DEP-1Y"])
    table = table.set_column(
        table.schema.get_field_index("amount"), "amount", pa.array(values, column_type)
    )
    with pytest.raises(MoneyError, match=message) as info:
        cf.suitability_table(table, synth.catalogue(presets.PRACTICE), presets.PRACTICE,
                             as_of=AS_OF)  # fmt: skip
    assert info.value.field == "amount"


def test_a_text_amount_column_decides_row_by_row() -> None:
    # An amount read from a CSV as text: each good value decides as its decimal
    # does, a bad one is its own invalid_value row.
    pb = presets.PRACTICE
    products = synth.catalogue(pb)
    customers = [Customer(key=f"C{i}") for i in range(4)]
    amounts = {("C0", "DEP-1Y"): "12500.00", ("C2", "DEP-1Y"): "300"}
    exact = cf.suitability_input_table(customers, ["DEP-1Y"], amounts=amounts)
    text = exact.set_column(
        exact.schema.get_field_index("amount"),
        "amount",
        pa.array(["12500.00", "abc", "300", "1.005"], pa.string()),
    )
    out = cf.suitability_table(text, products, pb, as_of=AS_OF).to_pylist()
    reference = cf.suitability_table(exact, products, pb, as_of=AS_OF).to_pylist()
    assert [(r["error_code"], r["error_field"]) for r in out] == [
        (None, None),
        ("invalid_value", "amount"),
        (None, None),
        ("too_precise", "amount"),
    ]
    assert [out[0], out[2]] == [reference[0], reference[2]]


def test_columns_the_policy_reads_must_be_there_and_the_catalogue_must_be_sound() -> None:
    pb = presets.PRACTICE
    products = synth.catalogue(pb)
    table = cf.suitability_input_table([Customer(key="C1")], products[:2])
    with pytest.raises(InputError, match="birth_date") as info:
        cf.suitability_table(table.drop_columns(["birth_date"]), products, pb, as_of=AS_OF)
    assert info.value.field == "birth_date"
    # Without the policy's checks, the columns are optional.
    bare = cf.suitability_table(table.select(["key", "product_id"]), synth.catalogue(NO_CHECKS), NO_CHECKS,
                                as_of=AS_OF)  # fmt: skip
    assert bare.column("outcome").to_pylist() == ["allowed", "allowed"]
    with pytest.raises(InputError, match="more than once"):
        cf.suitability_table(table, [*products, products[0]], pb, as_of=AS_OF)
    kwd = Product(id="K", name="K", category="deposit", risk_level="low", currency="KWD")
    with pytest.raises(InputError, match="decimal places"):
        cf.suitability_table(table, [*products, kwd], pb, as_of=AS_OF)
    with pytest.raises(ValueError, match="chunk_rows"):
        cf.suitability_table(table, products, pb, as_of=AS_OF, chunk_rows=0)


def test_pairs_table_checks_amounts_as_check_suitability_does() -> None:
    floats: Any = {("C1", "DEP-1Y"): 0.5}  # what a caller's JSON may hold
    with pytest.raises(MoneyError, match="float"):
        cf.suitability_input_table([Customer(key="C1")], ["DEP-1Y"], amounts=floats)
    t = cf.suitability_input_table(
        [Customer(key="C1")], ["DEP-1Y"], amounts={("C1", "DEP-1Y"): "1.005"}
    )
    assert t.schema.field("amount").type == pa.decimal128(38, 3)


# --------------------------------------------------------------------------- frames, progress, docs


def test_pandas_and_polars_frames_go_through_arrow() -> None:
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    pl = pytest.importorskip("polars", reason="polars is not installed")
    pb = presets.PRACTICE
    book = synth.book(30, seed=3, as_of=AS_OF, playbook=pb)
    products = synth.catalogue(pb)
    table = cf.suitability_input_table(book.customers, products,
                           amounts={(c.key, "WM-90D"): "12500.00" for c in book.customers})  # fmt: skip
    reference = cf.suitability_table(table, products, pb, as_of=AS_OF).to_pylist()
    frame = table.to_pandas(types_mapper=pd.ArrowDtype)
    out = cf.suitability_table(frame, products, pb, as_of=AS_OF)
    assert isinstance(out, pd.DataFrame)  # the caller's frame type comes back
    assert pa.Table.from_pandas(out, preserve_index=False).to_pylist() == reference
    plain = table.to_pandas()  # object columns: decimals and dates as Python objects
    out = cf.suitability_table(plain, products, pb, as_of=AS_OF)
    assert pa.Table.from_pandas(out, preserve_index=False).to_pylist() == reference
    polars_frame = pl.from_arrow(table)
    out = cf.suitability_table(polars_frame, products, pb, as_of=AS_OF)
    assert isinstance(out, pl.DataFrame)
    assert out.to_arrow().to_pylist() == reference


def test_progress_reports_rows_in_order_and_ends_at_the_total() -> None:
    pb = presets.PRACTICE
    products = synth.catalogue(pb)
    table = cf.suitability_input_table([Customer(key=f"C{i}") for i in range(3)], products)
    calls: list[tuple[int, int]] = []
    whole = cf.suitability_table(table, products, pb, as_of=AS_OF)
    out = cf.suitability_table(table, products, pb, as_of=AS_OF, chunk_rows=10,
                               progress=lambda done, total: calls.append((done, total)))  # fmt: skip
    assert out.to_pylist() == whole.to_pylist()
    assert calls[-1] == (table.num_rows, table.num_rows)
    assert len(calls) == -(-table.num_rows // 10)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    calls.clear()
    empty = cf.suitability_table(table.slice(0, 0), products, pb, as_of=AS_OF,
                                 progress=lambda done, total: calls.append((done, total)))  # fmt: skip
    assert (empty.num_rows, calls) == (0, [(0, 0)])
    assert empty.schema == cf.suitability_output_schema(pb)


def test_docs_list_every_error_code_and_column() -> None:
    text = (DOCS / "scale-out.md").read_text(encoding="utf-8")
    start = text.index("## Suitability for many pairs")
    end = text.find("\n## ", start)
    section = text[start : end if end >= 0 else len(text)]
    schemas = cf.suitability_input_schema(presets.PRACTICE).names + (
        cf.suitability_output_schema(presets.PRACTICE).names)  # fmt: skip
    for name in [*cf.SUITABILITY_ERROR_CODES, *cf.SUITABILITY_INPUT_COLUMNS, *schemas]:
        assert re.search(rf"`{name}`", section), name
    assert set(cf.SUITABILITY_INPUT_COLUMNS) == set(
        cf.suitability_input_schema(presets.PRACTICE).names
    )
    shared = set(cf.SUITABILITY_ERROR_CODES) & set(cf.TIER_ERROR_CODES)
    assert shared == {"missing_value", "invalid_value", "too_precise", "out_of_range",
                      "currency_mismatch"}  # fmt: skip


def test_amounts_are_exact_at_the_currency_scale() -> None:
    # The nearest valid amounts of a yen product, in a yuan playbook's output scale.
    pb = presets.REGULATORY
    products = catalogue(pb)
    c = Customer(key="C1", currency="JPY", risk_assessment={"level": "C5", "score": 1,
                 "assessed_on": "2026-01-01", "valid_until": "2026-12-31"})  # fmt: skip
    table = cf.suitability_input_table([c], ["X-JPY"], tiers={"C1": "mass"},
                           amounts={("C1", "X-JPY"): "12345"})  # fmt: skip
    out = cf.suitability_table(table, products, pb, as_of=AS_OF).to_pylist()[0]
    assert out["nearest_valid_amounts"] == [Decimal("12000.00"), Decimal("13000.00")]
    assert out == expected_row(pb, c, "X-JPY", as_of=AS_OF, tier="mass",
                               amount=Decimal(12345), in_branch=False)  # fmt: skip
    assert from_minor_units(1, "JPY") == Decimal(1)
