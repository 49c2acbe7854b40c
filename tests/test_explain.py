"""Explanations: reasons, decisions, text for a person, byte-stable JSON for an audit log."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given

import strategies as cst
from custtier import (
    REASON_DESCRIPTIONS,
    ContactPlan,
    Decision,
    Playbook,
    PlaybookRef,
    Reason,
    ReasonCode,
    allocate,
    assess_risk,
    check_suitability,
    plan_contacts,
    presets,
    synth,
    tier_book,
    tier_services,
)
from custtier._explain import Fact
from custtier.errors import RecordValidationError

REASONS_MD = Path(__file__).resolve().parents[1] / "docs" / "reasons.md"

# --------------------------------------------------------------------------- reasons


def test_reason_facts_are_sorted_whichever_way_it_is_built() -> None:
    facts: dict[str, str | int | bool | Decimal | dt.date | None] = {
        "window_months": 1, "basis": "adb", "value": Decimal("1.50"), "lower": None,
    }  # fmt: skip
    validated = Reason(code=ReasonCode.TIER_BAND, rule_id="tier.adb.mass", message="m", facts=facts)
    fast = Reason.of(ReasonCode.TIER_UPGRADE, "tier.adb.mass", previous_tier="mass", **facts)
    assert list(validated.facts) == ["basis", "lower", "value", "window_months"]
    assert list(fast.facts) == ["basis", "lower", "previous_tier", "value", "window_months"]


@given(cst.reasons())
def test_reason_facts_are_always_in_key_order(reason: Reason) -> None:
    assert list(reason.facts) == sorted(reason.facts)


def test_reason_codes_are_a_closed_set() -> None:
    with pytest.raises(ValueError):  # noqa: PT011  # pydantic's ValidationError is a ValueError
        Reason.model_validate({"code": "TIER_WHIM", "rule_id": "r", "message": "m"})


def test_reason_renders_code_rule_message_and_facts() -> None:
    r = Reason(
        code=ReasonCode.TIER_OVERRIDE, rule_id="tier.override", message="set by hand",
        facts={"tier": "high_end", "set_on": dt.date(2026, 3, 31), "reference": None},
    )  # fmt: skip
    assert r.render() == (
        "[TIER_OVERRIDE tier.override] set by hand (reference=None, set_on=2026-03-31, "
        "tier=high_end)"
    )
    gap = Reason.of(ReasonCode.SUIT_RECORDED_SALE, "suit.recorded")
    assert gap.render() == (
        "[SUIT_RECORDED_SALE suit.recorded] in-branch sale of a risky product is recorded"
    )


# --------------------------------------------------------------------------- decisions


def _decision(**overrides: object) -> Decision:
    fields: dict[str, object] = {
        "customer_key": "C000001",
        "outcome": "high_end",
        "reasons": (
            Reason.of(ReasonCode.TIER_BAND, "tier.adb.high_end", basis="average_daily_balance",
                      value=Decimal("620000.00"), lower=Decimal("500000.00"), upper=None),
            Reason.of(ReasonCode.TIER_UPGRADE, "tier.hysteresis", previous_tier="mid_end"),
        ),
        "playbook": presets.PRACTICE.ref,
        "as_of": dt.date(2026, 3, 31),
    }  # fmt: skip
    fields.update(overrides)
    return Decision.model_validate(fields)


def test_a_decision_needs_at_least_one_reason() -> None:
    with pytest.raises(ValueError, match="at least 1 item"):
        _decision(reasons=())
    with pytest.raises(ValueError, match="at least one reason"):
        Decision.trusted(
            customer_key="C1", outcome="mass", reasons=(), playbook=presets.PRACTICE.ref,
            as_of=dt.date(2026, 1, 1),
        )  # fmt: skip
    with pytest.raises(ValueError, match="at least one reason"):
        Decision.trusted(customer_key="C1", outcome="mass", playbook=presets.PRACTICE.ref)


def test_trusted_construction_equals_validated_construction() -> None:
    d = _decision()
    fast = Decision.trusted(
        customer_key=d.customer_key,
        outcome=d.outcome,
        reasons=d.reasons,
        playbook=d.playbook,
        as_of=d.as_of,
    )
    assert fast == d
    assert fast.to_audit_json() == d.to_audit_json()


def test_a_decision_cites_a_real_content_hash() -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        _decision(
            playbook=PlaybookRef.model_validate({"id": "p", "version": "1", "content_hash": "abc"})
        )


def test_explain_names_outcome_rules_playbook_version_and_hash() -> None:
    d = _decision()
    text = d.explain()
    lines = text.splitlines()
    assert len(lines) == 1 + len(d.reasons)
    head = lines[0]
    assert head.startswith("C000001: high_end ")
    assert "as of 2026-03-31" in head
    assert "practice v1.2.0" in head
    assert f"#{presets.PRACTICE.content_hash[:12]}" in head
    assert "tier.adb.high_end" in lines[1]
    assert "tier.hysteresis" in lines[2]
    assert "value=620000.00" in lines[1]
    assert d.rule_ids == ("tier.adb.high_end", "tier.hysteresis")


@given(cst.decisions())
def test_explain_mentions_every_rule_id_in_order(d: Decision) -> None:
    lines = d.explain().splitlines()
    assert d.outcome in lines[0]
    assert d.playbook.content_hash[:12] in lines[0]
    for line, reason in zip(lines[1:], d.reasons, strict=True):
        assert line.startswith(f"  - [{reason.code} {reason.rule_id}]")


@given(cst.decisions())
def test_audit_json_is_deterministic(d: Decision) -> None:
    text = d.to_audit_json()
    assert text == d.to_audit_json()
    copy = Decision.model_validate(d.model_dump())
    assert copy.to_audit_json() == text
    assert "\n" not in text


_SCRIPT = """
import datetime as dt, sys
from decimal import Decimal
from custtier import Decision, Reason, ReasonCode, presets
# Facts gathered from a set: iteration order follows the string hash seed.
names = {"first", "last", "value", "income", "referrals", "products", "wealth", "threshold"}
facts = {n: len(n) for n in names}
facts["bar"] = Decimal("620000.00")
d = Decision.trusted(
    customer_key="C000001",
    outcome="high_end",
    reasons=(Reason(code=ReasonCode.UPGRADE_SIGNAL, rule_id="tier.adb.high_end", message="near",
                    facts=facts),
             Reason(code=ReasonCode.CADENCE_ROLLED, rule_id="c.x", message="rolled",
                    facts={"to_on": dt.date(2025, 3, 3), "from_on": dt.date(2025, 2, 28)}),),
    playbook=presets.PRACTICE.ref,
    as_of=dt.date(2026, 3, 31),
)
sys.stdout.write(d.to_audit_json())
"""


def _run(env_overrides: dict[str, str]) -> str:
    env = {**os.environ, **env_overrides}
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT], env=env, capture_output=True, text=True, check=True,
        timeout=60,
    )  # fmt: skip
    return out.stdout


def test_audit_json_is_identical_across_processes_hash_seeds_and_time_zones() -> None:
    first = _run({"PYTHONHASHSEED": "0", "TZ": "Asia/Shanghai", "LC_ALL": "C"})
    second = _run({"PYTHONHASHSEED": "4242", "TZ": "America/Los_Angeles", "LC_ALL": "C.UTF-8"})
    assert first == second
    assert '"bar":"620000.00"' in first
    assert presets.PRACTICE.content_hash in first
    assert first.index('"first"') < first.index('"wealth"')
    assert first.index('"from_on"') < first.index('"to_on"')


# --------------------------------------------------------------------------- the documented codes


def test_every_reason_code_has_a_description() -> None:
    assert set(REASON_DESCRIPTIONS) == set(ReasonCode)
    for code, text in REASON_DESCRIPTIONS.items():
        assert text.strip().endswith("."), code
    assert all(code.value == code.name for code in ReasonCode)


def test_docs_reasons_md_lists_exactly_the_reason_codes() -> None:
    assert REASONS_MD.is_file(), f"{REASONS_MD} is missing: it must document every reason code"
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", REASONS_MD.read_text(encoding="utf-8")))
    codes = {code.value for code in ReasonCode}
    assert not codes - documented, f"undocumented reason codes: {sorted(codes - documented)}"
    assert not documented - codes, (
        f"documented codes that do not exist: {sorted(documented - codes)}"
    )


@pytest.mark.parametrize("pb", [presets.PRACTICE, presets.REGULATORY], ids=lambda pb: pb.id)
def test_every_engine_decision_reads_back_from_its_audit_json_equal(pb: Playbook) -> None:
    as_of = dt.date(2026, 11, 30)
    book = synth.book(40, seed=23, as_of=as_of, playbook=pb)
    tiered = tier_book(book.customers, pb, as_of=as_of)
    tiers = {d.customer_key: d.tier for d in tiered.decisions}
    decisions: list[Decision] = list(tiered.decisions)
    for c in book.customers[:10]:
        tier = tiers[c.key]
        decisions += [check_suitability(c, p, pb, as_of=as_of, tier=tier,
                                        amount=p.minimum_investment, in_branch=True)
                      for p in book.catalogue]  # fmt: skip
        decisions.append(allocate(c, "250000.00", book.catalogue, pb, as_of=as_of, tier=tier))
        decisions.append(tier_services(c.key, tier, pb, as_of=as_of))
    answers = {q.id: q.options[0].id for q in pb.risk.questionnaire}
    decisions.append(assess_risk(answers, pb, as_of=as_of, birth_date=dt.date(1950, 1, 1)))
    typed = 0
    for d in decisions:
        back = type(d).from_json(d.to_audit_json())
        assert back == d, d.explain()
        typed += sum(
            isinstance(v, (Decimal, dt.date)) for r in back.reasons for v in r.facts.values()
        )
    assert typed > 100  # amounts and dates really were among the facts

    plan = plan_contacts(book.customers, pb, start=as_of, end=dt.date(2027, 5, 31),
                         tiers={d.customer_key: d for d in tiered.decisions}, managers=book.managers)  # fmt: skip
    assert ContactPlan.from_json(plan.to_json()) == plan


def test_facts_are_read_back_as_their_declared_type_in_every_mode() -> None:
    # Amounts and dates are written as strings; each comes back as the type its
    # name declares (FACT_TYPES), from Python data as from JSON text.
    r = Reason.of(
        ReasonCode.WORKLIST_MATURITY, "w.maturity",
        product_id="TD-1", matures_on=dt.date(2026, 11, 30), amount=Decimal("12.50"),
    )  # fmt: skip
    record = r.model_dump(mode="json")
    assert record["facts"] == {"amount": "12.50", "matures_on": "2026-11-30", "product_id": "TD-1"}
    assert Reason.model_validate(record) == r
    assert Reason.model_validate_json(r.model_dump_json()) == r


@pytest.mark.parametrize("text", ["10", "-0", "12.50", "1E+3", "2026-12-31", "2026-02-30"])
def test_text_facts_stay_text_whatever_they_look_like(text: str) -> None:
    # A bank's playbook says what a missing KYC item blocks in its own words.
    r = Reason.of(ReasonCode.WORKLIST_KYC_BLOCKS, "w.kyc", item="identity", blocks=text, rank=1)
    for back in (
        Reason.model_validate_json(r.model_dump_json()),
        Reason.model_validate(r.model_dump(mode="json")),
    ):
        assert back == r
        assert back.facts["blocks"] == text


def test_a_fact_of_the_wrong_type_or_name_is_refused_without_echoing_it() -> None:
    base = {"code": "SUIT_BELOW_MINIMUM", "rule_id": "r", "message": "m"}
    for facts, said in [
        ({"amount": "twelve"}, "'amount' of SUIT_BELOW_MINIMUM must be a number"),
        ({"amount": True}, "'amount' of SUIT_BELOW_MINIMUM must be a number"),
        ({"minimum": dt.date(2026, 1, 1)}, "'minimum' of SUIT_BELOW_MINIMUM must be a number"),
        ({"13912345678": "1"}, "SUIT_BELOW_MINIMUM does not carry; its facts are: amount, minimum"),
    ]:
        with pytest.raises(RecordValidationError, match=re.escape(said)) as info:
            Reason.model_validate({**base, "facts": facts})
        assert "13912345678" not in str(info.value)
        assert "twelve" not in str(info.value)
    with pytest.raises(RecordValidationError, match="must be a date"):
        Reason.model_validate_json(
            '{"code":"CADENCE_OVERDUE","rule_id":"r","message":"m","facts":{"due_on":"2026-02-30"}}'
        )


def test_amounts_in_exponent_form_also_read_back_from_json() -> None:
    facts = {"amount": Decimal("1E+3"), "below": Decimal("1E-7"), "above": Decimal("-2.5E+2")}
    r = Reason(code=ReasonCode.SUIT_OFF_INCREMENT, rule_id="r", message="m", facts=facts)
    back = Reason.model_validate_json(r.model_dump_json())
    assert back == r
    assert all(isinstance(v, Decimal) for v in back.facts.values())


# --------------------------------------------------------------------------- serialisation paths


def test_facts_of_every_type_write_as_before() -> None:
    # Facts are written by each value's own type (custtier._explain._WrittenByType),
    # no longer by trying the union's members in turn: the bytes must not move.
    facts: dict[str, Fact] = {
        "text": "mass", "count": 3, "flag": True, "off": False, "amount": Decimal("1234.50"),
        "ratio": Decimal("0.15"), "negative": Decimal("-2"), "day": dt.date(2026, 2, 28),
        "nothing": None, "code": ReasonCode.TIER_BAND,
    }  # fmt: skip
    r = Reason.of(ReasonCode.SUIT_RISK_FREE, "suit.x", category="deposit", **facts)
    assert r.model_dump_json() == (
        '{"code":"SUIT_RISK_FREE","rule_id":"suit.x",'
        '"message":"deposit is risk-free at the lowest level","facts":{"amount":"1234.50",'
        '"category":"deposit","code":"TIER_BAND","count":3,"day":"2026-02-28","flag":true,"negative":"-2",'
        '"nothing":null,"off":false,"ratio":"0.15","text":"mass"}}'
    )
    as_json = r.model_dump(mode="json")["facts"]
    assert {k: type(v) for k, v in as_json.items()} == {
        "amount": str, "category": str, "code": str, "count": int, "day": str, "flag": bool, "negative": str,
        "nothing": type(None), "off": bool, "ratio": str, "text": str,
    }  # fmt: skip
    assert r.model_dump()["facts"]["amount"] == Decimal("1234.50")  # python mode: the values


def test_model_dump_json_without_options_is_pydantics_own() -> None:
    # CusttierModel.model_dump_json skips pydantic's wrapper when called bare;
    # with options it is pydantic's call. Both write the same bytes.
    from pydantic import BaseModel

    as_of = dt.date(2026, 11, 30)
    book = tier_book(synth.customers(3, seed=2, as_of=as_of), presets.PRACTICE, as_of=as_of)
    for x in (book, *book.decisions):
        assert x.model_dump_json() == BaseModel.model_dump_json(x)
        assert x.model_dump_json(indent=2) == BaseModel.model_dump_json(x, indent=2)
