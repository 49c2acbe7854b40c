"""The registry of contact occasions: every occasion has both halves, and the columns it reads."""

from __future__ import annotations

import inspect

import pytest

from custtier.cadence._occasions import OCCASIONS, needed_columns
from custtier.presets import PRACTICE, REGULATORY
from custtier.rules import Occasion


@pytest.mark.parametrize("occasion", list(Occasion))
def test_every_occasion_has_both_halves_in_the_registry(occasion: Occasion) -> None:
    """A new Occasion member fails here until it has a scalar and a columnar expansion."""
    kind = OCCASIONS.get(occasion)
    assert kind is not None, f"{occasion} has no entry in custtier.cadence._occasions.OCCASIONS"
    assert kind.occasion is occasion
    if occasion is Occasion.CAMPAIGN:  # campaigns expand through cadence.campaigns
        assert kind.scalar is None
        assert kind.columnar_name is None
        with pytest.raises(LookupError, match=r"^campaign has no columnar expansion$"):
            kind.columnar()
        return
    assert kind.scalar is not None
    assert len(inspect.signature(kind.scalar).parameters) == 6
    pytest.importorskip("numpy", reason='the columnar half needs "custtier[frames]"')
    import custtier.frames as cf  # optional extra

    columnar = kind.columnar()
    assert list(inspect.signature(columnar).parameters) == [
        "c", "rows", "rule", "ctx", "items", "at",
    ]  # fmt: skip
    schema = cf.occasions_input_schema(PRACTICE)
    assert kind.columns <= set(schema.names), kind.columns - set(schema.names)


def test_the_columns_a_playbook_needs_come_from_its_occasions() -> None:
    rules = PRACTICE.cadence.contact_rules
    assert needed_columns(rules) == {
        column for r in rules for column in OCCASIONS[r.occasion].columns
    }
    assert "products_held" in needed_columns(REGULATORY.cadence.contact_rules) or not any(
        r.occasion is Occasion.PRODUCT_MATURITY for r in REGULATORY.cadence.contact_rules
    )
    kyc_only = [r for r in rules if r.occasion is Occasion.KYC_REFRESH]
    assert needed_columns(kyc_only) == {"aml_rating", "last_reviewed_on"}
