"""Dates at the ends of the calendar: the columnar expansion gives the scalar planner's items."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("pyarrow", reason='columnar tests need pip install "custtier[frames]"')

import strategies as cst
from custtier import Customer, presets
from test_frames_cadence import ITEM_COLUMNS, occasions, scalar_rows

#: The first and last plannable years, and an ordinary one.
SPANS = [
    (dt.date(2, 1, 1), dt.date(4, 12, 31)),
    (dt.date(9996, 1, 1), dt.date(9998, 12, 31)),
    (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
]


@settings(max_examples=60, deadline=None)
@given(cst.edge_dates(), st.sampled_from(["mass", "mid_end", "high_end"]), st.sampled_from(SPANS))
def test_edge_dates_expand_the_same_in_the_columnar_path_as_in_the_scalar_one(
    day: dt.date, tier: str, span: tuple[dt.date, dt.date]
) -> None:
    iso = day.isoformat()
    c = Customer.from_record(
        {
            "key": "C1",
            "birth_date": iso,
            "kyc": {
                "customer_key": "C1",
                "aml_rating": "high",
                "last_reviewed_on": iso,
                "important_dates": [{"kind": "wedding_anniversary", "on": iso}],
            },
            "risk_assessment": {
                "level": "steady",
                "score": 1,
                "assessed_on": iso,
                "valid_until": iso,
            },
            "products_held": [{"product_id": "P", "principal": "1.00", "matures_on": iso}],
        }
    )
    expected = scalar_rows([c], {"C1": tier}, presets.PRACTICE, span)
    out = occasions([c], {"C1": tier}, presets.PRACTICE, span)
    rows = [r for r in out.select(ITEM_COLUMNS).to_pylist() if r["rule_id"] is not None]
    assert rows == expected
