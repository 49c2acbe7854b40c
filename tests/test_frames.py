"""The columnar entry points: same answers as the scalar API, errors as rows, schemas fixed."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import sys
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow", reason='columnar tests need pip install "custtier[frames]"')
pytest.importorskip("numpy", reason='columnar tests need pip install "custtier[frames]"')

import numpy as np  # noqa: E402

import custtier  # noqa: E402
import custtier.frames as cf  # noqa: E402  # after the importorskip above, on purpose
import strategies as cst  # noqa: E402
from custtier import (  # noqa: E402
    Customer,
    Movement,
    Override,
    Playbook,
    Reason,
    ReasonCode,
    TierDecision,
    minor_unit,
    presets,
    tier_book,
)
from custtier._money import from_minor_units  # noqa: E402
from custtier.errors import InputError, MissingExtraError, MoneyError  # noqa: E402
from custtier.frames import _arrow as arrow_helpers  # noqa: E402
from custtier.frames._arrow import duplicated, well_formed_keys  # noqa: E402
from custtier.frames._tier import KEY_PATTERN  # noqa: E402
from custtier.tiering._pareto import pareto_keys  # noqa: E402
from custtier.tiering._plan import months_before  # noqa: E402

AS_OF = dt.date(2026, 11, 30)
DOCS = Path(__file__).parent.parent / "docs"


# --------------------------------------------------------------------------- playbooks


def _bands(prefix: str, edges: Sequence[str | None], tiers: Sequence[str]) -> list[dict[str, Any]]:
    return [
        {"rule_id": f"{prefix}.{tier}", "tier": tier, "lower": lo, "upper": hi}
        for tier, lo, hi in zip(tiers, edges, [*edges[1:], None], strict=False)
    ]


TIERS3 = ("mass", "mid_end", "high_end")

#: Every basis must qualify; a gap disqualifies; KWD has three decimal places.
LOWEST_KWD = cst.playbook_variant(
    presets.PRACTICE,
    id="lowest_kwd",
    currency="KWD",
    rounding="ROUND_HALF_UP",
    tiering={
        "bases": [
            {
                "basis": "average_daily_balance",
                "window_months": 3,
                "min_months": 3,
                "missing_months": "insufficient",
                "bands": _bands("adb", ["0", "5000", "50000"], TIERS3),
            },
            {
                "basis": "assets_under_management",
                "bands": _bands("aum", ["0", "10000", "100000"], TIERS3),
            },
        ],
        "combine": "lowest",
        "hysteresis": {
            "rule_id": "tier.hysteresis",
            "grace_months": 2,
            "buffer": "0.2",
            "review_months": [3, 9],
        },
    },
)

#: Profit bands open below (losses), a six-month average counting gaps as zero, yen.
PROFIT_JPY = cst.playbook_variant(
    presets.PRACTICE,
    id="profit_jpy",
    currency="JPY",
    rounding="ROUND_DOWN",
    tiering={
        "bases": [
            {
                "basis": "average_daily_balance",
                "window_months": 6,
                "missing_months": "count_as_zero",
                "bands": _bands("adb", ["0", "5000000", "50000000"], TIERS3),
            },
            {
                "basis": "profit_contribution",
                "bands": _bands("profit", [None, "100000", "1000000"], TIERS3),
            },
        ],
        "combine": "highest",
        "pareto": {"rule_id": "tier.pareto", "tier": "mid_end", "profit_share": "0.5"},
    },
)

#: Two bases of very different scales, profit first, with hysteresis: each value
#: must be held against its own basis's bar.
PROFIT_FIRST = cst.playbook_variant(
    presets.PRACTICE,
    id="profit_first",
    tiering={
        "bases": [
            {
                "basis": "profit_contribution",
                "bands": _bands("profit", ["0", "2000", "10000"], TIERS3),
            },
            {
                "basis": "average_daily_balance",
                "window_months": 3,
                "bands": _bands("adb", ["0", "50000", "500000"], TIERS3),
            },
        ],
        "combine": "highest",
        "hysteresis": {"rule_id": "tier.hysteresis", "grace_months": 3, "buffer": "0.1"},
    },
)

PLAYBOOKS = (presets.PRACTICE, presets.REGULATORY, LOWEST_KWD, PROFIT_JPY, PROFIT_FIRST)


# --------------------------------------------------------------------------- strategies


def _interesting(pb: Playbook) -> list[int]:
    """Minor-unit amounts on, just below and just above every bar and buffered bar."""
    scale = minor_unit(pb.currency)
    buffer = pb.tiering.hysteresis.buffer if pb.tiering.hysteresis else Decimal(0)
    out = {0, 1}
    for basis in pb.tiering.bases:
        for band in basis.bands:
            if band.lower is not None:
                for bar in (band.lower, band.lower * (1 - buffer)):
                    units = int(bar.scaleb(scale))
                    out |= {max(units + d, 0) for d in (-1, 0, 1)}
    return sorted(out)


@st.composite
def amounts(draw: st.DrawFn, pb: Playbook, *, signed: bool = False) -> int:
    units = draw(
        st.one_of(
            st.sampled_from(_interesting(pb)),
            st.integers(0, 10**11),
            st.sampled_from([100, 5_000, 77_777]),  # ties for the Pareto rule
        )
    )
    negative = signed and draw(st.booleans())
    return -units if negative else units


@st.composite
def cases(
    draw: st.DrawFn, playbooks: st.SearchStrategy[Playbook] | None = None
) -> tuple[Playbook, dt.date, list[Customer], list[TierDecision]]:
    """A playbook (``PLAYBOOKS`` unless given), an as_of, valid customers, previous decisions."""
    pb = draw(st.sampled_from(PLAYBOOKS) if playbooks is None else playbooks)
    as_of = draw(st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31)))
    currency = pb.currency
    months = months_before(as_of, 8)
    n = draw(st.integers(0, 24))
    customers: list[Customer] = []
    previous: list[TierDecision] = []
    for i in range(n):
        key = f"C{draw(st.integers(0, 99)):02d}-{i}"
        present = draw(st.lists(st.sampled_from(months), unique=True, max_size=len(months)))
        level = draw(amounts(pb))
        balances = [
            {
                "month": m,
                "average_daily_balance": from_minor_units(
                    draw(st.sampled_from([level, level + 1, draw(amounts(pb))])), currency
                ),
            }
            for m in present
        ]
        customers.append(
            Customer(
                key=key,
                currency=currency,
                assets_under_management=from_minor_units(draw(amounts(pb)), currency),
                annual_profit_contribution=from_minor_units(
                    draw(amounts(pb, signed=True)), currency
                ),
                monthly_balances=balances,
            )
        )
        if draw(st.booleans()):
            prev_on = as_of - dt.timedelta(days=draw(st.integers(0, 500)))
            below = None
            if draw(st.booleans()):
                below = prev_on - dt.timedelta(days=draw(st.integers(0, 400)))
            tier = draw(st.sampled_from([t.id for t in pb.tiers]))
            movement = draw(st.sampled_from([Movement.NEW, Movement.OVERRIDDEN, Movement.HELD]))
            # A held decision carries when its hold began (sometimes long ago; None: older data).
            held_since = None
            if movement is Movement.HELD and draw(st.booleans()):
                held_since = prev_on - dt.timedelta(days=draw(st.integers(0, 800)))
            previous.append(
                TierDecision.trusted(
                    customer_key=key,
                    outcome=tier,
                    reasons=(
                        Reason(code=ReasonCode.TIER_BAND, rule_id="x", message="previous run"),
                    ),
                    playbook=pb.ref,
                    as_of=prev_on,
                    rank=pb.tier_rank(tier),
                    rule_tier=tier,
                    decided_by="x",
                    movement=movement,
                    below_since=below,
                    held_since=held_since,
                )
            )
    return pb, as_of, customers, previous


def previous_table(previous: Sequence[TierDecision]) -> Any:
    return pa.table(
        {
            "customer_key": pa.array([d.customer_key for d in previous], pa.string()),
            "tier": pa.array([d.outcome for d in previous], pa.string()),
            "as_of": pa.array([d.as_of for d in previous], pa.date32()),
            "below_since": pa.array([d.below_since for d in previous], pa.date32()),
            "held_since": pa.array([d.held_since for d in previous], pa.date32()),
            "movement": pa.array([d.movement.value for d in previous], pa.string()),
        }
    )


def with_previous_columns(table: Any, previous: Sequence[TierDecision]) -> Any:
    by_key = {d.customer_key: d for d in previous}
    keys = table.column("key").to_pylist()
    rows = [by_key.get(k) for k in keys]
    return (
        table.append_column(
            "previous_tier", pa.array([d.outcome if d else None for d in rows], pa.string())
        )
        .append_column(
            "previous_as_of", pa.array([d.as_of if d else None for d in rows], pa.date32())
        )
        .append_column(
            "previous_below_since",
            pa.array([d.below_since if d else None for d in rows], pa.date32()),
        )
        .append_column(
            "previous_held_since",
            pa.array([d.held_since if d else None for d in rows], pa.date32()),
        )
        .append_column(
            "previous_movement",
            pa.array([d.movement.value if d else None for d in rows], pa.string()),
        )
    )


def split(table: Any, cuts: Sequence[int]) -> list[Any]:
    """``table`` as record batches cut at ``cuts`` (sliced batches keep their offsets)."""
    edges = [0, *sorted(c for c in cuts if 0 < c < table.num_rows), table.num_rows]
    batches = []
    for a, b in itertools.pairwise(edges):
        batches += table.slice(a, b - a).to_batches()
    return batches


def rows_by_key(table: Any) -> list[dict[str, Any]]:
    return sorted(table.to_pylist(), key=lambda r: (r["customer_key"] or "", r["error_code"] or ""))


# --------------------------------------------------------------------------- same answers


@given(cases())
def test_columnar_tiering_equals_tier_book_row_by_row(
    case: tuple[Playbook, dt.date, list[Customer], list[TierDecision]],
) -> None:
    pb, as_of, customers, previous = case
    scalar = tier_book(customers, pb, as_of=as_of, previous=previous)
    assert not scalar.errors
    expected = cf.tier_output_table(scalar, pb)
    table = cf.tier_input_table(customers, pb, as_of=as_of)
    out = cf.tier_table(table, pb, as_of=as_of, previous=previous_table(previous))
    assert out.schema == cf.tier_output_schema(pb)
    assert out.num_rows == len(customers)
    assert rows_by_key(out) == rows_by_key(expected)
    assert cf.table_digest(out) == cf.table_digest(expected)


@given(cases(), st.data())
def test_an_unusable_previous_decision_is_that_customers_error_on_both_paths(
    case: tuple[Playbook, dt.date, list[Customer], list[TierDecision]], data: st.DataObject
) -> None:
    """A retired tier or a later date in last run's file: that customer's error, not the book's."""
    pb, as_of, customers, previous = case
    spoil = data.draw(st.sets(st.sampled_from(range(len(previous))))) if previous else set()
    for i in spoil:
        retired = data.draw(st.booleans())
        change = {"outcome": "retired"} if retired else {"as_of": as_of + dt.timedelta(days=1)}
        previous[i] = previous[i].model_copy(update=change)
    scalar = tier_book(customers, pb, as_of=as_of, previous=previous)
    assert {e.customer_key for e in scalar.errors} == {previous[i].customer_key for i in spoil}
    assert len(scalar.decisions) + len(scalar.errors) == len(customers)
    expected = cf.tier_output_table(scalar, pb)
    table = cf.tier_input_table(customers, pb, as_of=as_of)
    out = cf.tier_table(table, pb, as_of=as_of, previous=previous_table(previous))
    rows = rows_by_key(out)
    assert [r for r in rows if r["error_code"] is None] == rows_by_key(expected)
    errors = sorted((e.customer_key, e.code.value) for e in scalar.errors)
    assert [(r["customer_key"], r["error_code"]) for r in rows if r["error_code"]] == errors


@st.composite
def overrides_for(draw: st.DrawFn, pb: Playbook, as_of: dt.date, keys: list[str]) -> list[Override]:
    """Manual overrides for some keys (and a stranger): in force, pending or expired, some twice."""
    out = []
    for key in draw(st.lists(st.sampled_from([*keys, "C-nobody"]), max_size=8)) if keys else []:
        # Boundaries often: set today, tomorrow, yesterday; expiring today or yesterday.
        start = draw(st.sampled_from([-1, 0, 1]) | st.integers(-400, 60))
        end = draw(st.sampled_from([0, -1]) | st.integers(-400, 400))
        set_on = as_of + dt.timedelta(days=start)
        expires_on = max(set_on, as_of + dt.timedelta(days=end))
        out.append(Override(customer_key=key, tier=draw(st.sampled_from([t.id for t in pb.tiers])),
                            reason="relationship manager's judgement", set_by="RM-1",
                            set_on=set_on, expires_on=expires_on))  # fmt: skip
    return out


@given(cases(), st.data())
def test_overrides_decide_as_in_tier_book_row_by_row(
    case: tuple[Playbook, dt.date, list[Customer], list[TierDecision]], data: st.DataObject
) -> None:
    pb, as_of, customers, previous = case
    overrides = data.draw(overrides_for(pb, as_of, [c.key for c in customers]))
    scalar = tier_book(customers, pb, as_of=as_of, previous=previous, overrides=overrides)
    expected = cf.tier_output_table(scalar, pb)
    table = cf.tier_input_table(customers, pb, as_of=as_of)
    out = cf.tier_table(table, pb, as_of=as_of, previous=previous_table(previous),
                        overrides=overrides)  # fmt: skip
    assert rows_by_key(out) == rows_by_key(expected)
    # The same overrides as a table, and batch by batch through the mapper.
    as_rows = pa.table({
        "customer_key": [o.customer_key for o in overrides], "tier": [o.tier for o in overrides],
        "set_on": pa.array([o.set_on for o in overrides], pa.date32()),
        "expires_on": pa.array([o.expires_on for o in overrides], pa.date32()),
    })  # fmt: skip
    again = cf.tier_table(table, pb, as_of=as_of, previous=previous_table(previous),
                          overrides=as_rows, chunk_rows=5)  # fmt: skip
    assert again.to_pylist() == out.to_pylist()


@given(cases(), st.data())
def test_row_order_and_batch_boundaries_do_not_change_any_answer(
    case: tuple[Playbook, dt.date, list[Customer], list[TierDecision]], data: st.DataObject
) -> None:
    pb, as_of, customers, previous = case
    table = with_previous_columns(cf.tier_input_table(customers, pb, as_of=as_of), previous)
    reference = cf.tier_table(table, pb, as_of=as_of)
    order = data.draw(st.permutations(range(table.num_rows)))
    shuffled = table.take(pa.array(order, pa.int64()))
    cuts = data.draw(st.lists(st.integers(0, max(table.num_rows, 1)), max_size=4))
    batches = split(shuffled, cuts)
    expected = reference.take(pa.array(order, pa.int64())).to_pylist()
    # One table of many batches: the same rows, in the shuffled input order.
    whole = pa.Table.from_batches(batches, schema=table.schema)
    assert cf.tier_table(whole, pb, as_of=as_of).to_pylist() == expected
    # Worked through in small chunks: duplicates and the Pareto cut still span the table.
    chunk_rows = data.draw(st.integers(1, 7), label="chunk_rows")
    assert cf.tier_table(whole, pb, as_of=as_of, chunk_rows=chunk_rows).to_pylist() == expected
    # Batch by batch, as Spark's mapInArrow calls it, with the whole book's Pareto cut.
    candidates = [cf.pareto_candidates(b, pb, as_of=as_of) for b in batches]
    cut = cf.pareto_cut(
        pa.concat_tables([cf.pareto_candidates_schema().empty_table(), *candidates]), pb
    )
    mapper = cf.TierMapper(pb, as_of).with_pareto_cut(cut)
    mapped = [row for b in mapper(iter(batches)) for row in b.to_pylist()]
    assert mapped == expected


@given(
    st.lists(
        st.tuples(
            st.text("abcd", min_size=1, max_size=3),
            st.one_of(st.integers(-5, 5), st.integers(-(10**17), 10**17)),
        ),
        max_size=40,
        unique_by=lambda kp: kp[0],
    )
)
def test_the_pareto_cut_holds_exactly_the_set_pareto_keys_chooses(
    rows: list[tuple[str, int]],
) -> None:
    pb = presets.PRACTICE
    assert pb.tiering.pareto is not None
    keys = [k for k, _ in rows]
    profits = [p for _, p in rows]
    cut = cf.pareto_cut(pa.table({"customer_key": keys, "profit_minor_units": profits}), pb)
    expected = pareto_keys(keys, profits, pb.tiering.pareto.profit_share)
    import numpy as np

    inside = cut.members(
        pa.array(keys, pa.string()), np.array(profits, dtype=np.int64), np.ones(len(keys), bool)
    )
    assert {k for k, i in zip(keys, inside.tolist(), strict=True) if i} == expected
    assert cut.count == len(expected)


def test_synthetic_book_under_both_presets_equals_tier_book() -> None:
    from custtier import synth

    for pb in (presets.PRACTICE, presets.REGULATORY):
        book = synth.book(400, seed=11, as_of=AS_OF, playbook=pb)
        scalar = tier_book(book.customers, pb, as_of=AS_OF)
        out = cf.tier_table(cf.tier_input_table(book.customers, pb, as_of=AS_OF), pb, as_of=AS_OF)
        assert cf.table_digest(out) == cf.table_digest(cf.tier_output_table(scalar, pb))
        # A second run a year later with this one as previous: hysteresis from the table.
        later = dt.date(2027, 7, 31)
        book2 = synth.book(400, seed=12, as_of=later, playbook=pb)
        scalar2 = tier_book(book2.customers, pb, as_of=later, previous=scalar.decisions)
        out2 = cf.tier_table(
            cf.tier_input_table(book2.customers, pb, as_of=later), pb, as_of=later, previous=out
        )
        assert cf.table_digest(out2) == cf.table_digest(cf.tier_output_table(scalar2, pb))
        assert {"held", "down"} & set(scalar2.movements)


def test_without_kyc_items_gaps_are_not_evaluated() -> None:
    c = Customer(key="C1", monthly_balances=[{"month": "2026-10", "average_daily_balance": "1"}])
    pb = presets.PRACTICE
    table = cf.tier_input_table([c], pb, as_of=AS_OF, kyc=False)
    out = cf.tier_table(table, pb, as_of=AS_OF)
    assert out.column("kyc_gaps").to_pylist() == [None]
    expected = cf.tier_output_table(tier_book([c], pb, as_of=AS_OF), pb, kyc=False)
    assert out.to_pylist() == expected.to_pylist()


# --------------------------------------------------------------------------- frames from elsewhere


def test_pandas_and_polars_frames_go_through_arrow() -> None:
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    pl = pytest.importorskip("polars", reason="polars is not installed")
    from custtier import synth

    pb = presets.PRACTICE
    book = synth.book(200, seed=5, as_of=AS_OF)
    table = cf.tier_input_table(book.customers, pb, as_of=AS_OF)
    reference = cf.table_digest(cf.tier_table(table, pb, as_of=AS_OF))
    frame = table.to_pandas(types_mapper=pd.ArrowDtype)
    assert cf.table_digest(cf.tier_table(pa.Table.from_pandas(frame), pb, as_of=AS_OF)) == (
        reference
    )
    assert cf.table_digest(cf.tier_table(frame, pb, as_of=AS_OF)) == reference
    polars_frame = pl.from_arrow(table)
    assert cf.table_digest(cf.tier_table(polars_frame.to_arrow(), pb, as_of=AS_OF)) == reference
    mapper = cf.TierMapper(pb, AS_OF).with_pareto_cut(
        cf.pareto_cut(cf.pareto_candidates(table, pb, as_of=AS_OF), pb)
    )
    assert cf.table_digest(pa.Table.from_pandas(mapper.pandas(frame))) == reference


def test_integer_columns_are_minor_units_and_any_decimal_scale_is_read_exactly() -> None:
    pb = presets.REGULATORY  # no Pareto rule: the bands alone decide
    window = months_before(AS_OF, 3)

    def book(money: Any, values: list[Any]) -> Any:
        month = pa.struct([("month", pa.string()), ("average_daily_balance", money)])
        return pa.table(
            {
                "key": ["C1", "C2"],
                "annual_profit_contribution": pa.array(values, money),
                "monthly_balances": pa.array(
                    [[{"month": m, "average_daily_balance": v} for m in window] for v in values],
                    pa.list_(month),
                ),
            }
        )

    as_minor = cf.tier_table(book(pa.int64(), [50_000_00, 49_999_99]), pb, as_of=AS_OF)
    as_scale4 = cf.tier_table(
        book(pa.decimal128(20, 4), [Decimal("50000.0000"), Decimal("49999.9900")]), pb, as_of=AS_OF
    )
    as_scale0 = cf.tier_table(
        book(pa.decimal128(10, 0), [Decimal(50000), Decimal(49999)]), pb, as_of=AS_OF
    )
    assert as_minor.column("tier").to_pylist() == ["mid_end", "mass"]
    assert as_minor.to_pylist() == as_scale4.to_pylist()
    assert as_scale0.column("basis_average_daily_balance").to_pylist() == [
        Decimal("50000.00"),
        Decimal("49999.00"),
    ]


def _money_book(amounts: Sequence[str], window: Sequence[str], money: Any) -> Any:
    """One customer per amount: profit and every month's balance of ``window`` in ``money``."""
    month = pa.struct([("month", pa.string()), ("average_daily_balance", money)])
    values = [Decimal(a) for a in amounts]
    return pa.table(
        {
            "key": [f"C{i}" for i in range(len(values))],
            "annual_profit_contribution": pa.array(values, money),
            "monthly_balances": pa.array(
                [[{"month": m, "average_daily_balance": v} for m in window] for v in values],
                pa.list_(month),
            ),
        }
    )


@pytest.mark.parametrize("scale", [3, 12, 18, 20])
def test_fine_decimal_scales_read_exactly_above_int64s_unscaled_range(scale: int) -> None:
    # decimal128(38, 18) holds 9.22 as 9.22e18 unscaled, beyond int64: a warehouse's
    # (and Spark's) common money type must still read 9.22, 9.2 million and more.
    pb = presets.REGULATORY
    window = months_before(AS_OF, 3)
    amounts = ["9.22", "9200000.00", "49999.99", "6000000.00", "123456789012345.67", "1.005"]

    fine = cf.tier_table(_money_book(amounts, window, pa.decimal128(38, scale)), pb, as_of=AS_OF)
    exact = cf.tier_table(_money_book(amounts, window, pa.decimal128(38, 3)), pb, as_of=AS_OF)
    assert fine.to_pylist() == exact.to_pylist()
    assert fine.column("error_code").to_pylist() == [None] * 5 + ["too_precise"]
    assert fine.column("basis_average_daily_balance").to_pylist()[:5] == [
        Decimal(a) for a in amounts[:5]
    ]


@pytest.mark.parametrize("scale", [23, 30, 38])
def test_decimal_scales_up_to_38_read_exactly_not_only_those_that_hold_the_range(
    scale: int,
) -> None:
    # decimal128(38, 30) holds at most 8 integer digits: no value can pass the money
    # range, so the range test must not need the limit in that type (ArrowInvalid).
    pb = presets.PRACTICE
    window = months_before(AS_OF, 3)
    amounts = ["0.01", "0.50", "0.99", "0.015"]

    fine = cf.tier_table(_money_book(amounts, window, pa.decimal128(38, scale)), pb, as_of=AS_OF)
    exact = cf.tier_table(_money_book(amounts, window, pa.decimal128(38, 3)), pb, as_of=AS_OF)
    assert fine.to_pylist() == exact.to_pylist()
    assert fine.column("error_code").to_pylist() == [None] * 3 + ["too_precise"]


def test_text_money_columns_decide_row_by_row_as_tier_book_does() -> None:
    # A CSV read as text: good values decide as decimals, each bad value is its own
    # error row (tier_book makes the same records invalid), the rest of the table decides.
    pb = presets.PRACTICE
    profits = ["9000.00", "500", "12.5", "abc", "1.005", "１２", "1_000", None, " 300.00", "-0.00"]
    keys = [f"C{i}" for i in range(len(profits))]
    table = pa.table(
        {
            "key": keys,
            "annual_profit_contribution": pa.array(profits, pa.string()),
            "monthly_balances": pa.array(
                [[] for _ in keys], cf.tier_input_schema(pb).field("monthly_balances").type
            ),
        }
    )
    out = cf.tier_table(table, pb, as_of=AS_OF).to_pylist()
    records = [
        {"key": k} | ({} if p is None else {"annual_profit_contribution": p})
        for k, p in zip(keys, profits, strict=True)
    ]
    scalar = tier_book(records, pb, as_of=AS_OF)
    failed_scalar = {keys[e.index] for e in scalar.errors}
    failed_columnar = {keys[i] for i, row in enumerate(out) if row["error_code"] is not None}
    # A null profit is a missing value in a table; a record may leave it out.
    assert failed_columnar - {"C7"} == failed_scalar == {"C3", "C4", "C5", "C6"}
    codes = {keys[i]: (row["error_code"], row["error_field"]) for i, row in enumerate(out)}
    assert codes["C3"] == ("invalid_value", "annual_profit_contribution")
    assert codes["C4"] == ("too_precise", "annual_profit_contribution")
    decided = {d.customer_key: d.tier for d in scalar.decisions}
    assert {keys[i]: row["tier"] for i, row in enumerate(out) if row["tier"]} == {
        k: t for k, t in decided.items() if k != "C7"
    }


@given(
    st.lists(
        st.decimals(
            min_value=Decimal("-1e15"), max_value=Decimal("1e15"), places=2, allow_nan=False
        ),
        min_size=1,
        max_size=8,
    ),
    st.integers(min_value=2, max_value=20),  # 10^15 at scale 20: 35 of 38 digits
)
def test_text_and_any_decimal_scale_decide_as_the_same_decimals(
    amounts: list[Decimal], scale: int
) -> None:
    # One rule, however the column arrives: text, decimal128 at the currency's
    # scale, or decimal128 at any finer scale.
    pb = presets.PRACTICE
    window = months_before(AS_OF, 3)

    def book(money: Any, values: list[Any]) -> Any:
        month = pa.struct([("month", pa.string()), ("average_daily_balance", money)])
        return pa.table(
            {
                "key": [f"C{i}" for i in range(len(values))],
                "annual_profit_contribution": pa.array(values, money),
                "monthly_balances": pa.array(
                    [[{"month": m, "average_daily_balance": v} for m in window] for v in values],
                    pa.list_(month),
                ),
            }
        )

    exact = cf.tier_table(book(pa.decimal128(38, 2), amounts), pb, as_of=AS_OF).to_pylist()
    text = cf.tier_table(book(pa.string(), [str(a) for a in amounts]), pb, as_of=AS_OF)
    fine = cf.tier_table(book(pa.decimal128(38, scale), amounts), pb, as_of=AS_OF)
    assert text.to_pylist() == exact
    assert fine.to_pylist() == exact


def test_text_monthly_balances_decide_as_decimals_and_a_bad_one_is_its_rows_error() -> None:
    pb = presets.REGULATORY
    window = months_before(AS_OF, 3)
    month = pa.struct([("month", pa.string()), ("average_daily_balance", pa.string())])
    balances = [["600000.00"] * 3, ["600000.00", "six hundred", "600000.00"], ["49999.99"] * 3]
    table = pa.table(
        {
            "key": ["C1", "C2", "C3"],
            "monthly_balances": pa.array(
                [
                    [
                        {"month": m, "average_daily_balance": v}
                        for m, v in zip(window, row, strict=True)
                    ]
                    for row in balances
                ],
                pa.list_(month),
            ),
            "assets_under_management": pa.array(["1.00"] * 3),
            "annual_profit_contribution": pa.array(["1.00"] * 3),
        }
    )
    out = cf.tier_table(table, pb, as_of=AS_OF).to_pylist()
    assert [(r["tier"], r["error_code"], r["error_field"]) for r in out] == [
        (out[0]["tier"], None, None),
        (None, "invalid_value", "monthly_balances.average_daily_balance"),
        (out[2]["tier"], None, None),
    ]
    assert out[0]["basis_average_daily_balance"] == Decimal("600000.00")
    assert out[2]["basis_average_daily_balance"] == Decimal("49999.99")


def test_polars_frames_with_large_types_come_back_as_polars() -> None:
    pl = pytest.importorskip("polars", reason="polars is not installed")
    pb = presets.PRACTICE
    table = cf.tier_input_table(
        [Customer(key="C1", annual_profit_contribution="9000.00", needs=["pension"])],
        pb,
        as_of=AS_OF,
    )
    frame = pl.from_arrow(table)
    large = pa.table(frame.to_arrow())  # polars writes large_string and large_list<large_string>
    assert any(pa.types.is_large_list(f.type) for f in large.schema) or any(
        pa.types.is_large_string(f.type) or pa.types.is_string_view(f.type) for f in large.schema
    )
    out = cf.tier_table(frame, pb, as_of=AS_OF)
    assert isinstance(out, pl.DataFrame)
    assert out.to_arrow().to_pylist() == cf.tier_table(table, pb, as_of=AS_OF).to_pylist()
    assert cf.tier_table(large, pb, as_of=AS_OF).to_pylist() == out.to_arrow().to_pylist()


def test_a_column_name_given_twice_is_an_input_error_naming_it() -> None:
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    twice = pa.table([pa.array(["C1"]), pa.array(["C2"])], names=["key", "key"])
    with pytest.raises(InputError, match="column 'key' occurs more than once") as info:
        cf.tier_table(twice, presets.PRACTICE, as_of=AS_OF)
    assert info.value.field == "key"
    frame = pd.DataFrame([["C1", "1.00", "2.00"]], columns=["key", "aum", "aum"])
    with pytest.raises(InputError, match="column 'aum' occurs more than once"):
        cf.tier_table(frame, presets.PRACTICE, as_of=AS_OF)


# --------------------------------------------------------------------------- errors as rows


CANARY = "110101199003077777"  # shaped like a Chinese ID number: must never be echoed


def _bad_book() -> Any:
    money = pa.decimal128(38, 3)
    month = pa.struct([("month", pa.string()), ("average_daily_balance", money)])
    good = [{"month": "2026-10", "average_daily_balance": Decimal("1.000")}]
    rows: list[dict[str, Any]] = [
        {"key": "C-ok", "aum": Decimal("1.000"), "balances": good},
        {"key": f"ID {CANARY}", "aum": Decimal("1.000"), "balances": good},
        {"key": None, "aum": Decimal("1.000"), "balances": good},
        {"key": "C-null-aum", "aum": None, "balances": good},
        {"key": "C-negative", "aum": Decimal("-1.000"), "balances": good},
        {"key": "C-precise", "aum": Decimal("1.005"), "balances": good},
        {"key": "C-huge", "aum": Decimal("10") ** 30, "balances": good},
        {"key": "C-month", "aum": Decimal(0), "balances": [{"month": "2026-13", **_adb(1)}]},
        {"key": "C-dup-month", "aum": Decimal(0), "balances": good + good},
        {"key": "C-neg-balance", "aum": Decimal(0), "balances": [{"month": "2026-10", **_adb(-1)}]},
        {"key": "C-null-balance", "aum": Decimal(0), "balances": [{"month": "2026-10", **_adb()}]},
        {"key": "C-usd", "aum": Decimal(0), "balances": good, "currency": "USD"},
        {"key": "C-kyc", "aum": Decimal(0), "balances": good, "kyc": ["birthday", "shoe_size"]},
        {"key": "C-twice", "aum": Decimal(0), "balances": good},
        {"key": "C-twice", "aum": Decimal(1), "balances": good},
        {"key": "C-prev-tier", "aum": Decimal(0), "balances": None, "prev": "platinum"},
        {"key": "C-prev-late", "aum": Decimal(0), "balances": None, "prev": "mass", "late": True},
    ]
    return pa.table(
        {
            "key": pa.array([r["key"] for r in rows], pa.string()),
            "currency": pa.array([r.get("currency", "CNY") for r in rows], pa.string()),
            "assets_under_management": pa.array([r["aum"] for r in rows], pa.decimal128(38, 3)),
            "annual_profit_contribution": pa.array([Decimal(0)] * len(rows), money),
            "monthly_balances": pa.array([r["balances"] for r in rows], pa.list_(month)),
            "kyc_items": pa.array([r.get("kyc", []) for r in rows], pa.list_(pa.string())),
            "previous_tier": pa.array([r.get("prev") for r in rows], pa.string()),
            "previous_as_of": pa.array(
                [
                    (AS_OF + dt.timedelta(days=1) if r.get("late") else AS_OF)
                    if r.get("prev")
                    else None
                    for r in rows
                ],
                pa.date32(),
            ),
        }
    )


def _adb(value: int | None = None) -> dict[str, Any]:
    return {"average_daily_balance": None if value is None else Decimal(value)}


def test_bad_rows_become_error_rows_with_code_and_field_and_nothing_is_lost() -> None:
    table = _bad_book()
    out = cf.tier_table(table, presets.PRACTICE, as_of=AS_OF)
    assert out.num_rows == table.num_rows
    got = [(r["customer_key"], r["error_code"], r["error_field"]) for r in out.to_pylist()]
    assert got == [
        ("C-ok", None, None),
        (None, "invalid_value", "key"),
        (None, "missing_value", "key"),
        ("C-null-aum", "missing_value", "assets_under_management"),
        ("C-negative", "invalid_value", "assets_under_management"),
        ("C-precise", "too_precise", "assets_under_management"),
        ("C-huge", "out_of_range", "assets_under_management"),
        ("C-month", "invalid_value", "monthly_balances.month"),
        ("C-dup-month", "duplicate_month", "monthly_balances"),
        ("C-neg-balance", "invalid_value", "monthly_balances.average_daily_balance"),
        ("C-null-balance", "missing_value", "monthly_balances.average_daily_balance"),
        ("C-usd", "currency_mismatch", "currency"),
        ("C-kyc", "invalid_value", "kyc_items"),
        ("C-twice", "duplicate_key", "key"),
        ("C-twice", "duplicate_key", "key"),
        ("C-prev-tier", "unknown_previous_tier", "previous_tier"),
        ("C-prev-late", "previous_after_as_of", "previous_as_of"),
    ]
    assert {code for _, code, _ in got if code} <= set(cf.TIER_ERROR_CODES)
    decided = out.filter(pa.compute.is_null(out.column("error_code")))
    assert decided.column("tier").null_count == 0
    errors = out.filter(pa.compute.is_valid(out.column("error_code")))
    for name in ("tier", "decided_by", "reason_codes", "basis_average_daily_balance"):
        assert errors.column(name).null_count == errors.num_rows
    assert CANARY not in str(out.to_pylist())


def test_chunks_see_duplicates_and_errors_across_their_boundaries() -> None:
    table = _bad_book()
    whole = cf.tier_table(table, presets.PRACTICE, as_of=AS_OF)
    for chunk_rows in (1, 3, 14):  # 14 puts the two C-twice rows in different chunks
        out = cf.tier_table(table, presets.PRACTICE, as_of=AS_OF, chunk_rows=chunk_rows)
        assert out.to_pylist() == whole.to_pylist()


def test_progress_reports_both_passes_in_order_and_ends_at_the_total() -> None:
    table = _bad_book()
    calls: list[tuple[int, int]] = []
    cf.tier_table(
        table, presets.PRACTICE, as_of=AS_OF, chunk_rows=4,
        progress=lambda done, total: calls.append((done, total)),
    )  # fmt: skip
    total = 2 * table.num_rows
    assert calls[-1] == (total, total)
    assert len(calls) > 2
    assert all(t == total for _, t in calls)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    with pytest.raises(ValueError, match="chunk_rows"):
        cf.tier_table(table, presets.PRACTICE, as_of=AS_OF, chunk_rows=0)


@given(st.lists(st.one_of(st.none(), st.text("ab\u00e9\x00", max_size=4)), max_size=30))
def test_duplicated_marks_every_copy_of_a_repeated_string_and_nothing_else(
    values: list[str | None],
) -> None:
    counts = Counter(v for v in values if v is not None)
    expected = [v is not None and counts[v] > 1 for v in values]
    assert duplicated(pa.array(values, pa.string())).tolist() == expected
    # Every hash colliding: the exact comparison alone decides.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(arrow_helpers, "_fnv1a", lambda keys: np.zeros(len(keys), dtype=np.uint64))
        assert duplicated(pa.array(values, pa.string())).tolist() == expected
    sliced = pa.array(["x", *values, "y"], pa.string()).slice(1, len(values))
    assert duplicated(sliced).tolist() == expected


_KEYISH = st.text(st.sampled_from("aZ09_.:-é \n\x00/"), max_size=66)


@given(st.lists(st.one_of(st.none(), _KEYISH, st.text(max_size=3)), max_size=20), st.booleans())
def test_the_byte_level_key_check_is_exactly_the_models_key_pattern(
    values: list[str | None], fixed_width: bool
) -> None:
    if fixed_width:  # the 2-D fast path: every key the same length
        values = [(v or "a")[:1] + "0" * 8 for v in values]
    expected = [v is not None and re.fullmatch(KEY_PATTERN[1:-1], v) is not None
                for v in values]  # fmt: skip
    assert well_formed_keys(pa.array(values, pa.string())).tolist() == expected
    sliced = pa.array(["x", *values, "y y"], pa.string()).slice(1, len(values))
    assert well_formed_keys(sliced).tolist() == expected


def test_batch_by_batch_does_not_check_duplicates_across_the_book() -> None:
    table = _bad_book().slice(13, 2)  # the two C-twice rows
    mapper = cf.TierMapper(presets.REGULATORY, AS_OF)
    out = pa.Table.from_batches(list(mapper(table.to_batches())))
    assert out.column("error_code").to_pylist() == [None, None]


@pytest.mark.parametrize(
    ("column_type", "message"),
    [
        (pa.float64(), "'annual_profit_contribution' holds floating-point numbers"),
        (pa.float32(), "'annual_profit_contribution' holds floating-point numbers"),
    ],
)
def test_float_money_columns_are_refused_naming_the_column(column_type: Any, message: str) -> None:
    values = [1.5, 2.0]
    table = pa.table(
        {
            "key": ["C1", "C2"],
            "annual_profit_contribution": pa.array(values, column_type),
            "monthly_balances": pa.array([[], []], cf.tier_input_schema(presets.PRACTICE)[4].type),
        }
    )
    with pytest.raises(MoneyError, match=message) as info:
        cf.tier_table(table, presets.PRACTICE, as_of=AS_OF)
    assert info.value.field == "annual_profit_contribution"


def test_a_column_the_rules_read_must_be_there() -> None:
    with pytest.raises(InputError, match="monthly_balances"):
        cf.tier_table(pa.table({"key": ["C1"]}), presets.REGULATORY, as_of=AS_OF)


def test_pareto_playbooks_need_the_whole_books_cut_batch_by_batch() -> None:
    table = cf.tier_input_table([Customer(key="C1")], presets.PRACTICE, as_of=AS_OF)
    with pytest.raises(InputError, match="needs the whole book"):
        list(cf.TierMapper(presets.PRACTICE, AS_OF)(table.to_batches()))
    foreign = cf.pareto_cut(cf.pareto_candidates_schema().empty_table(), PROFIT_JPY)
    with pytest.raises(InputError, match="another playbook"):
        cf.tier_table(table, presets.PRACTICE, as_of=AS_OF, pareto_cut=foreign)


def test_previous_given_twice_or_with_repeated_keys_is_refused() -> None:
    pb = presets.REGULATORY
    table = cf.tier_input_table([Customer(key="C1")], pb, as_of=AS_OF)
    prev = cf.tier_table(table, pb, as_of=AS_OF)
    with pytest.raises(InputError, match="more than once"):
        cf.tier_table(table, pb, as_of=AS_OF, previous=pa.concat_tables([prev, prev]))
    with_cols = with_previous_columns(table, [])
    with pytest.raises(InputError, match="not both"):
        cf.tier_table(with_cols, pb, as_of=AS_OF, previous=prev)


# --------------------------------------------------------------------------- the package itself


def test_missing_pyarrow_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(MissingExtraError, match=r'pip install "custtier\[frames\]"'):
        cf.require()


def test_unknown_names_are_attribute_errors_and_dir_lists_the_public_names() -> None:
    with pytest.raises(AttributeError):
        _ = cf.no_such_thing
    assert set(cf.__all__) <= set(dir(cf))
    # ruff's RUF022 order: SCREAMING_CASE, then CamelCase, then the rest.
    kind = [0 if n.isupper() else 1 if n[0].isupper() else 2 for n in cf.__all__]
    assert cf.__all__ == sorted(cf.__all__, key=lambda n: (kind[cf.__all__.index(n)], n))


def test_key_pattern_is_the_models() -> None:
    assert Customer.model_json_schema()["properties"]["key"]["pattern"] == KEY_PATTERN


def test_docs_list_every_error_code_and_input_column() -> None:
    text = (DOCS / "scale-out.md").read_text(encoding="utf-8")
    for name in [
        *cf.TIER_ERROR_CODES,
        *cf.TIER_INPUT_COLUMNS,
        *cf.tier_output_schema(LOWEST_KWD).names,
    ]:
        assert f"`{name}`" in text, name


def test_a_manual_override_in_force_decides_and_a_lapsed_one_is_only_noted() -> None:
    book = [Customer(key=k) for k in ("C-vip", "C-lapsed", "C-plain")]  # no profit: no Pareto
    table = cf.tier_input_table(book, presets.PRACTICE, as_of=AS_OF)
    year = dt.timedelta(days=365)
    overrides = [
        Override(customer_key="C-vip", tier="high_end", reason="Branch president's client",
                 set_by="RM-007", set_on=AS_OF - year, expires_on=AS_OF),
        Override(customer_key="C-lapsed", tier="high_end", reason="Former board member",
                 set_by="RM-007", set_on=AS_OF - 2 * year, expires_on=AS_OF - year),
    ]  # fmt: skip
    out = cf.tier_table(table, presets.PRACTICE, as_of=AS_OF, overrides=overrides)
    vip, lapsed, plain = out.to_pylist()
    assert (vip["tier"], vip["movement"], vip["decided_by"]) == (
        "high_end",
        "overridden",
        "tier.override",
    )
    assert "TIER_OVERRIDE" in vip["reason_codes"]
    assert (lapsed["tier"], lapsed["movement"]) == ("mass", "new")
    assert "TIER_OVERRIDE_EXPIRED" in lapsed["reason_codes"]
    assert "TIER_OVERRIDE" not in " ".join(plain["reason_codes"])
    mapper = cf.TierMapper(presets.PRACTICE, AS_OF, overrides=overrides)
    cut = cf.pareto_cut(
        cf.pareto_candidates(table, presets.PRACTICE, as_of=AS_OF), presets.PRACTICE
    )
    assert mapper.with_pareto_cut(cut).table(table).to_pylist() == out.to_pylist()


def test_overrides_to_unknown_tiers_or_given_twice_are_refused() -> None:
    table = cf.tier_input_table([Customer(key="C1")], presets.PRACTICE, as_of=AS_OF)
    vip = Override(customer_key="C1", tier="vip", reason="r", set_by="RM-1",
                   set_on=AS_OF, expires_on=AS_OF)  # fmt: skip
    with pytest.raises(InputError) as info:
        cf.tier_table(table, presets.PRACTICE, as_of=AS_OF, overrides=[vip])
    assert info.value.field == "overrides.tier"
    columns = (
        table.append_column("override_tier", pa.array(["vip"]))
        .append_column("override_set_on", pa.array([AS_OF], pa.date32()))
        .append_column("override_expires_on", pa.array([AS_OF], pa.date32()))
    )
    row = cf.tier_table(columns, presets.PRACTICE, as_of=AS_OF).to_pylist()[0]
    assert (row["error_code"], row["error_field"]) == ("unknown_override_tier", "override_tier")
    with pytest.raises(InputError, match="not both"):
        cf.tier_table(columns, presets.PRACTICE, as_of=AS_OF, overrides=[])


@st.composite
def buffer_cases(draw: st.DrawFn) -> tuple[Playbook, dt.date, list[Customer], list[TierDecision]]:
    """Customers inside the buffer under their previous tier's bar, held for various lengths."""
    pb = draw(st.sampled_from([presets.PRACTICE, presets.REGULATORY]))
    as_of = draw(st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31)))
    hyst = pb.tiering.hysteresis
    assert hyst is not None
    band = pb.tiering.bases[0].bands[2]  # high_end's band
    assert band.lower is not None
    bar = int(band.lower.scaleb(2))
    floor = int((band.lower * (1 - hyst.buffer)).scaleb(2))
    customers: list[Customer] = []
    previous: list[TierDecision] = []
    for i in range(draw(st.integers(1, 12))):
        key = f"B{i:02d}"
        units = draw(st.sampled_from([floor - 1, floor, floor + 1, bar - 1, bar]))
        adb = from_minor_units(units, pb.currency)
        months = months_before(as_of, 3)
        customers.append(Customer(key=key, monthly_balances=[
            {"month": m, "average_daily_balance": adb} for m in months]))  # fmt: skip
        prev_on = as_of - dt.timedelta(days=draw(st.integers(0, 120)))
        movement = draw(st.sampled_from([Movement.HELD, Movement.HELD, Movement.SAME]))
        held = None
        if movement is Movement.HELD and draw(st.integers(0, 3)):
            limit = as_of - relativedelta(months=hyst.max_buffer_months or 0)  # the hold's edge
            held = draw(
                st.sampled_from([limit, limit - dt.timedelta(days=1), limit + dt.timedelta(days=1)])
                | st.just(prev_on - dt.timedelta(days=draw(st.integers(0, 500))))
            )
        below = None
        if movement is Movement.HELD and not draw(st.integers(0, 3)):
            below = prev_on - dt.timedelta(days=draw(st.integers(0, 200)))
        previous.append(TierDecision.trusted(
            customer_key=key, outcome=band.tier, playbook=pb.ref, as_of=prev_on,
            reasons=(Reason(code=ReasonCode.TIER_BAND, rule_id="x", message="previous run"),),
            rank=pb.tier_rank(band.tier), rule_tier=band.tier, decided_by="x",
            movement=movement, below_since=below, held_since=held))  # fmt: skip
    return pb, as_of, customers, previous


@given(buffer_cases())
def test_the_buffer_s_hold_ends_on_the_same_day_in_both_paths(
    case: tuple[Playbook, dt.date, list[Customer], list[TierDecision]],
) -> None:
    pb, as_of, customers, previous = case
    scalar = tier_book(customers, pb, as_of=as_of, previous=previous)
    expected = cf.tier_output_table(scalar, pb)
    table = cf.tier_input_table(customers, pb, as_of=as_of)
    out = cf.tier_table(table, pb, as_of=as_of, previous=previous_table(previous))
    assert rows_by_key(out) == rows_by_key(expected)
    for d in scalar.decisions:  # the buffer never holds beyond its limit
        held = d.held_since
        limit = pb.tiering.hysteresis.max_buffer_months if pb.tiering.hysteresis else None
        if held is not None and limit is not None and d.below_since is None:
            assert as_of < held + relativedelta(months=limit)


@given(cases())
def test_the_columnar_cut_is_the_book_s_cut_and_the_same_type(
    case: tuple[Playbook, dt.date, list[Customer], list[TierDecision]],
) -> None:
    pb, as_of, customers, _ = case
    book = tier_book(customers, pb, as_of=as_of)
    table = cf.tier_input_table(customers, pb, as_of=as_of)
    cut = cf.pareto_cut(cf.pareto_candidates(table, pb, as_of=as_of), pb)
    assert cf.ParetoCut is custtier.ParetoCut
    if pb.tiering.pareto is None:
        assert book.pareto_cut is None
    else:
        assert cut == book.pareto_cut


def test_a_table_for_a_pareto_playbook_must_carry_profit_and_one_for_another_need_not() -> None:
    # The Pareto rule reads each customer's profit contribution; a playbook
    # without one reads the balances alone, so only a Pareto playbook asks for it.
    table = cf.tier_input_table([Customer(key="C1")], presets.PRACTICE, as_of=AS_OF)
    table = table.drop_columns(["annual_profit_contribution"])
    with pytest.raises(InputError) as info:
        cf.tier_table(table, presets.PRACTICE, as_of=AS_OF)
    assert (info.value.field, str(info.value)) == (
        "annual_profit_contribution",
        "the table lacks column(s) ['annual_profit_contribution'] that the playbook's rules read",
    )
    assert presets.REGULATORY.tiering.pareto is None
    assert cf.tier_table(table, presets.REGULATORY, as_of=AS_OF).num_rows == 1
