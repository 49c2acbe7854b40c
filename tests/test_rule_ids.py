"""Every rule id a decision cites leads back to a playbook row, or names the engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import pytest

from custtier import (
    Customer,
    Override,
    Reason,
    allocate,
    assess_risk,
    check_suitability,
    plan_contacts,
    presets,
    synth,
    tier_book,
    tier_services,
    worklists,
)
from custtier.rules import ENGINE_RULE_IDS, Playbook

AS_OF = dt.date(2026, 11, 30)


def _ids(reasons: Iterable[Reason]) -> set[str]:
    return {r.rule_id for r in reasons}


def _cited(pb: Playbook) -> set[str]:
    """Every rule id the engines cite over a synthetic book under ``pb``."""
    book = synth.book(240, seed=19, as_of=AS_OF, playbook=pb)
    leapling = Customer(key="C-LEAP", birth_date=dt.date(2000, 2, 29),
                        manager_id=book.managers[0].id)  # fmt: skip
    customers = [*book.customers, leapling]
    overrides = [Override(customer_key=customers[0].key, tier=pb.tiers[-1].id, reason="test",
                          set_by="RM-1", set_on=AS_OF, expires_on=AS_OF)]  # fmt: skip
    tiered = tier_book(customers, pb, as_of=AS_OF, overrides=overrides)
    cited = set().union(*(_ids(d.reasons) for d in tiered.decisions))
    cited |= set().union(*(_ids(c.signals) for c in tiered.candidates))
    tiers = {d.customer_key: d.tier for d in tiered.decisions}
    for c in customers[:60]:
        tier = tiers[c.key]
        for p in book.catalogue:
            d = check_suitability(c, p, pb, as_of=AS_OF, tier=tier,
                                  amount=p.minimum_investment + p.increment / 2, in_branch=True)  # fmt: skip
            cited |= _ids(d.reasons)
        a = allocate(c, "250000.00", book.catalogue, pb, as_of=AS_OF, tier=tier)
        cited |= _ids(a.reasons)
        cited |= set().union(*(_ids(line.reasons) for line in a.lines))
        cited |= set().union(*(_ids(ex.reasons) for ex in a.excluded))
        cited |= _ids(tier_services(c.key, tier, pb, as_of=AS_OF).reasons)
    answers = {q.id: q.options[-1].id for q in pb.risk.questionnaire}  # the boldest answers
    for born in (dt.date(1950, 1, 1), dt.date(1990, 1, 1)):
        cited |= _ids(assess_risk(answers, pb, as_of=AS_OF, birth_date=born).reasons)
    plan = plan_contacts(customers, pb, start=AS_OF, end=dt.date(2028, 3, 31),
                         tiers={d.customer_key: d for d in tiered.decisions}, managers=book.managers)  # fmt: skip
    for tp in plan.touchpoints:
        cited |= {tp.rule_id, *_ids(tp.reasons)}
    for un in plan.unscheduled:
        cited |= {un.rule_id, *_ids(un.reasons)}
    lists = worklists(
        customers, pb, book.managers, on=AS_OF, catalogue=book.catalogue, tiers=tiered
    )
    for w in lists.worklists:
        for item in w.items():
            cited |= {item.rule_id, *_ids(item.reasons)}
    return cited


@pytest.mark.parametrize("pb", [presets.PRACTICE, presets.REGULATORY], ids=lambda pb: pb.id)
def test_every_cited_rule_id_resolves_to_a_playbook_row_or_the_engine(pb: Playbook) -> None:
    cited = _cited(pb)
    unresolved = sorted(i for i in cited if pb.find_rule(i) is None and i not in ENGINE_RULE_IDS)
    assert not unresolved
    # The run is broad enough to mean something: rows of every kind were cited.
    for expected in ("tier.override", f"kyc.{pb.tiers[-1].id}", f"service.{pb.services[0].id}"):
        assert expected in cited
    assert any(i.startswith("cadence.leap_day.") for i in cited)
    assert "risk.elderly" in cited
    assert {"worklist.rank", "worklist.kyc_gap", "worklist.upgrade_candidate"} <= cited


def test_a_rule_id_of_another_playbook_does_not_resolve() -> None:
    regulatory_only = "risk.band.C5"
    assert presets.REGULATORY.find_rule(regulatory_only) is not None
    assert presets.PRACTICE.find_rule(regulatory_only) is None
    assert presets.PRACTICE.find_rule("tier") is None
    assert set(ENGINE_RULE_IDS) == {"tier", "tier.override", "suit", "service"}


def test_a_tier_without_services_cites_an_engine_id_that_is_documented() -> None:
    pb = presets.PRACTICE
    services = [s for s in pb.model_dump()["services"] if "mass" not in s["tiers"]]
    bare = Playbook.model_validate({**pb.model_dump(), "services": services})
    reason = tier_services("C1", "mass", bare, as_of=AS_OF).reasons[0]
    assert bare.find_rule(reason.rule_id) is None
    assert reason.rule_id in ENGINE_RULE_IDS


def test_the_reasons_page_lists_every_engine_rule_id_with_its_meaning() -> None:
    page = (Path(__file__).parents[1] / "docs" / "reasons.md").read_text(encoding="utf-8")
    for rule_id, meaning in ENGINE_RULE_IDS.items():
        assert f"| `{rule_id}` | {meaning} |" in page
