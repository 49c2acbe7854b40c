"""simulate_table (columnar) = simulate (scalar) on the same book: generated books and playbooks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow", reason='columnar tests need pip install "custtier[frames]"')
pytest.importorskip("numpy", reason='columnar tests need pip install "custtier[frames]"')

import custtier.frames as cf  # noqa: E402  # after the importorskip above, on purpose
import strategies as cst  # noqa: E402
import test_frames as tiering  # noqa: E402  # their book and previous-table builders
from custtier import Customer, Playbook, TierDecision, presets, simulate, synth  # noqa: E402

AS_OF = dt.date(2026, 11, 30)
Case = tuple[Playbook, dt.date, list[Customer], list[TierDecision]]


def _with_managers(customers: list[Customer], managers: list[str | None]) -> list[Customer]:
    return [
        Customer.model_validate({**c.model_dump(), "manager_id": m})
        for c, m in zip(customers, managers, strict=True)
    ]


def _table(customers: list[Customer], pb: Playbook, as_of: dt.date) -> Any:
    table = cf.tier_input_table(customers, pb, as_of=as_of)
    return table.append_column(
        "manager_id", pa.array([c.manager_id for c in customers], pa.string())
    )


@settings(max_examples=60, deadline=None)
@given(tiering.cases(cst.playbooks()), st.data())
def test_simulate_table_equals_simulate_on_generated_books_and_playbooks(
    case: Case, data: st.DataObject
) -> None:
    current, as_of, customers, previous = case
    proposed = data.draw(
        st.one_of(st.just(current), cst.playbooks(currencies=(current.currency,))), "proposed"
    )
    n = len(customers)
    managers = data.draw(
        st.lists(st.sampled_from([None, "RM-1", "RM-2", "RM-3"]), min_size=n, max_size=n),
        "managers",
    )
    customers = _with_managers(customers, managers)
    scalar = simulate(customers, current, proposed, as_of=as_of, previous=previous)
    out = cf.simulate_table(
        _table(customers, current, as_of),
        current,
        proposed,
        as_of=as_of,
        previous=tiering.previous_table(previous) if previous else None,
        chunk_rows=data.draw(st.integers(1, 30), "chunk_rows"),
    )
    assert out.tiers == scalar.tiers
    assert out.matrix == scalar.matrix
    assert out.managers == scalar.managers
    assert out.decided == scalar.decided
    assert out.changes == scalar.changes
    moved = out.moved.select(["customer_key", "from_tier", "to_tier"]).to_pylist()
    assert sorted(moved, key=lambda r: r["customer_key"]) == [
        {"customer_key": m.customer_key, "from_tier": m.current.tier, "to_tier": m.proposed.tier}
        for m in scalar.moved
    ]
    errors = out.errors.to_pylist()
    assert [
        (e["input_row"], e["current_error_code"] is not None, e["proposed_error_code"] is not None)
        for e in errors
    ] == [(e.index, e.current is not None, e.proposed is not None) for e in scalar.errors]
    assert out.rows == out.decided + len(errors) == len(customers)


@settings(max_examples=20, deadline=None)
@given(tiering.cases(cst.playbooks()))
def test_a_table_simulated_against_its_own_playbook_moves_nobody(case: Case) -> None:
    pb, as_of, customers, _ = case
    out = cf.simulate_table(_table(customers, pb, as_of), pb, pb, as_of=as_of)
    assert out.moved.num_rows == 0
    assert out.managers == ()
    assert out.changes == ()
    assert all(c.customers == 0 for c in out.matrix if c.from_tier != c.to_tier)
    assert sum(c.customers for c in out.matrix) == out.decided


def test_the_synthetic_book_simulates_alike_on_both_paths_with_bad_rows() -> None:
    book = synth.book(600, seed=16, as_of=AS_OF)
    data = cst.playbook_data(presets.PRACTICE)
    bands = data["tiering"]["bases"][0]["bands"]
    bands[1]["upper"] = bands[2]["lower"] = "600000"
    data["version"] = "9"
    proposed = Playbook.model_validate(data)
    customers = list(book.customers)
    scalar = simulate(customers, presets.PRACTICE, proposed, as_of=AS_OF)
    table = _table(customers, presets.PRACTICE, AS_OF)
    # A duplicated key and a foreign currency (its key counts once: only valid rows can
    # duplicate): error rows on both sides, never dropped.
    bad = table.slice(0, 2).set_column(1, "currency", pa.array(["CNY", "USD"]))
    out = cf.simulate_table(pa.concat_tables([table, bad]), presets.PRACTICE, proposed, as_of=AS_OF)
    assert scalar.moved
    assert out.moved.num_rows == len(scalar.moved)
    assert out.errors.column("input_row").to_pylist() == [0, 600, 601]
    assert out.rows == out.decided + 3 == 602
    assert out.decided == scalar.decided - 1
    codes = out.errors.column("current_error_code").to_pylist()
    assert codes == ["duplicate_key", "duplicate_key", "currency_mismatch"]
    # In a notebook: counts and small tables, never the rows.
    assert (
        repr(out)
        == f"<TableImpact: practice v{presets.PRACTICE.version} -> practice v9, {len(scalar.moved)} moved>"
    )
    html = out._repr_html_()
    assert "tier.adb.high_end" in html
    assert "Managers" in html
    assert len(html) < 10_000
