"""Acceptance: a branch routes its whole book on the tier and reads the reasons of a few.

The user's task (issue 13): a branch system tiers 10,000 customers one by
one with ``assign_tier`` and routes each on ``.outcome`` alone; for the few
it escalates it prints the reasons. Routing must not pay for the messages
(no reason is built while routing), and the reasons printed must be those
of the decision built whole: the nightly book's, the audit record's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from custtier import Reason, TierDecision, assign_tier, presets, synth, tier_book

AS_OF = dt.date(2026, 11, 30)


def test_a_branch_routes_ten_thousand_customers_on_the_tier_and_prints_the_reasons_of_the_few_it_escalates(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pb = presets.PRACTICE
    customers = synth.customers(10_000, seed=13, as_of=AS_OF, playbook=pb)
    nightly = tier_book(customers, pb, as_of=AS_OF)  # last night's batch: every field built
    cut = nightly.pareto_cut

    built: list[Reason] = []
    original = Reason.of

    def counting(*args: Any, **kwargs: Any) -> Reason:
        built.append(original(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(Reason, "of", counting)

    # The branch system: each customer to the desk of their tier; a high-end
    # customer who asked not to be contacted goes to the branch head, who
    # decides how the relationship is kept.
    desks: dict[str, list[str]] = {t.id: [] for t in pb.tiers}
    escalated: list[TierDecision] = []
    for customer in customers:
        decision = assign_tier(customer, pb, as_of=AS_OF, pareto_cut=cut)
        desks[decision.outcome].append(decision.customer_key)
        if decision.outcome == "high_end" and customer.contact.do_not_contact:
            escalated.append(decision)
    assert not built  # 10,000 tiers, not one reason, fact or message built
    assert sum(map(len, desks.values())) == 10_000
    assert all(desks.values())
    assert 0 < len(escalated) < 100

    # The branch head reads why each escalated customer is high-end.
    for decision in escalated:
        print(decision.explain())
    shown = capsys.readouterr().out
    # Only the escalated decisions' reasons were built (playbook-wide ones are shared).
    assert 0 < len(built) <= sum(len(d.reasons) for d in escalated)

    by_key = {d.customer_key: d for d in nightly.decisions}
    for decision in escalated:
        whole = by_key[decision.customer_key]
        assert decision.reasons == whole.reasons
        assert decision == whole
        assert decision.explain() in shown
        assert decision.explain() == whole.explain()
        assert decision.to_audit_json() == whole.to_audit_json()
        assert TierDecision.from_audit_json(decision.to_audit_json()) == whole
    # Every routed tier is the nightly book's.
    routed = {key: tier for tier, keys in desks.items() for key in keys}
    assert routed == {d.customer_key: d.outcome for d in nightly.decisions}
