"""Scalar = columnar on generated playbooks: a bank's own rules, not only the ones written here.

The row-by-row comparisons of ``test_frames*.py`` (5, 4 and 2 fixed playbooks)
run again on playbooks drawn by ``strategies.playbooks()``: bands of any count
and scale on any basis, Pareto and hysteresis on or off, any suitability policy
and matrix, contact rules re-timed and dropped, calendar policies, caps.
"""

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
import test_frames as tiering  # noqa: E402  # their comparison helpers, reused as they are
import test_frames_cadence as cadence  # noqa: E402
import test_frames_suitability as suitability  # noqa: E402
from custtier import Customer, Playbook, TierDecision, tier_book  # noqa: E402


@given(tiering.cases(cst.playbooks()), st.data())
def test_tier_table_equals_tier_book_on_generated_playbooks(
    case: tuple[Playbook, dt.date, list[Customer], list[TierDecision]], data: st.DataObject
) -> None:
    pb, as_of, customers, previous = case
    overrides = data.draw(tiering.overrides_for(pb, as_of, [c.key for c in customers]))
    scalar = tier_book(customers, pb, as_of=as_of, previous=previous, overrides=overrides)
    assert not scalar.errors
    expected = cf.tier_output_table(scalar, pb)
    table = cf.tier_input_table(customers, pb, as_of=as_of)
    out = cf.tier_table(table, pb, as_of=as_of, previous=tiering.previous_table(previous),
                        overrides=overrides)  # fmt: skip
    assert out.schema == cf.tier_output_schema(pb)
    assert tiering.rows_by_key(out) == tiering.rows_by_key(expected)
    assert cf.table_digest(out) == cf.table_digest(expected)
    # Both paths encode over the playbook's own dictionaries, whatever the rows hold.
    assert dictionaries_of(out) == dictionaries_of(expected) == cf.tier_output_dictionaries(pb)


def dictionaries_of(table: Any) -> dict[str, tuple[str, ...]]:
    """Each dictionary-encoded column's dictionary (the one every chunk of it has)."""
    found: dict[str, tuple[str, ...]] = {}
    for field in table.schema:
        if not (pa.types.is_dictionary(field.type) or pa.types.is_list(field.type)):
            continue
        seen = {
            tuple((c if pa.types.is_dictionary(field.type) else c.values).dictionary.to_pylist())
            for c in table.column(field.name).chunks
        }
        assert len(seen) == 1, field.name
        found[field.name] = seen.pop()
    return found


#: The columnar path refuses a catalogue finer than the playbook's currency (the cases
#: hold a dollar product), documented; a yen playbook is tiering's and cadence's to draw.
@given(suitability.cases(cst.playbooks(currencies=("CNY", "KWD", "USD"))))
def test_suitability_table_equals_check_suitability_on_generated_playbooks(
    case: tuple[Playbook, dt.date, Any, list[dict[str, Any]]],
) -> None:
    pb, as_of, table, expected = case
    out = cf.suitability_table(table, suitability.catalogue(pb), pb, as_of=as_of)
    assert out.schema == cf.suitability_output_schema(pb)
    assert out.to_pylist() == expected


@given(cadence.books(max_customers=6, playbooks=cst.playbooks()))
def test_occasions_table_equals_the_scalar_expansion_on_generated_playbooks(
    case: dict[str, Any],
) -> None:
    pb, customers, tiers, span = case["pb"], case["customers"], case["tiers"], case["span"]
    kw = {"calendar": case["calendar"], "history": case["history"]}
    out = cadence.occasions(customers, tiers, pb, span, **kw)
    expected = cadence.scalar_rows(customers, tiers, pb, span, **kw)
    assert out.select(cadence.ITEM_COLUMNS).to_pylist() == expected
    assert out.column("error_code").null_count == out.num_rows


def test_generated_playbooks_are_varied_enough_to_mean_something() -> None:
    """The strategy reaches what it claims: currencies, bases, rules on and off."""
    seen: dict[str, set[Any]] = {}

    # A claim about the strategy's reach, not a search for a failure: a fixed
    # seed and enough draws, so a profile's random seed cannot miss a currency.
    @settings(max_examples=200, derandomize=True, database=None)
    @given(cst.playbooks())
    def draw(pb: Playbook) -> None:
        t = pb.tiering
        for name, value in {
            "currency": pb.currency,
            "bases": tuple(b.basis for b in t.bases),
            "open_below": any(b.bands[0].lower is None for b in t.bases),
            "pareto": t.pareto is not None,
            "hysteresis": t.hysteresis is not None,
            "checks": len(pb.risk.policy),
            "rrule": any(r.rrule for r in pb.cadence.contact_rules),
        }.items():
            seen.setdefault(name, set()).add(value)

    draw()
    assert seen["currency"] == {"CNY", "JPY", "KWD", "USD"}
    assert len(seen["bases"]) > 5
    assert seen["open_below"] == seen["pareto"] == seen["hysteresis"] == {True, False}
    assert seen["rrule"] == {True, False}
    assert len(seen["checks"]) > 3
