"""Golden files: every engine's answers on the curated edge-case book, one line per decision.

``tests/edge_book.py`` holds about forty customers, each named for the case it
is there for; these tests decide the book under both shipped presets and
compare with the files in ``tests/snapshots/``, written so a reviewer reads a
rule change as a few changed lines about named customers::

    edge-band-exactly-500000 high_end TIER_BAND@tier.adb.high_end KYC_GAP@tier.kyc.high_end

After an intended change, regenerate with::

    CUSTTIER_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshots.py

and label the change in CHANGELOG.md ("Rule presets" for preset changes).
Playbook hashes are kept in ``presets.txt`` only, so one rule edit changes
one line there rather than every decision.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import pytest

import edge_book
from custtier import (
    Customer,
    ErrorRecord,
    HolidaysCalendar,
    Playbook,
    Reason,
    RelationshipManager,
    __version__,
    allocate,
    assess_risk,
    check_suitability,
    plan_contacts,
    presets,
    tier_book,
)
from custtier.tiering import BookTiering

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("CUSTTIER_UPDATE_SNAPSHOTS") == "1"
PRESETS = [presets.PRACTICE, presets.REGULATORY]
AS_OF = edge_book.AS_OF
AMOUNT = Decimal("100000.00")
MANAGERS = (
    RelationshipManager(id="RM-1", capacity_hours_per_week=Decimal(2)),
    RelationshipManager(id="RM-2", capacity_hours_per_week=Decimal(40)),
)


def check(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if UPDATE:
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"missing snapshot {path.name}: run with CUSTTIER_UPDATE_SNAPSHOTS=1"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{path.name} differs; review, then regenerate if intended"


def codes(reasons: Iterable[Reason]) -> str:
    """``CODE@rule_id`` per reason, in the decision's order."""
    return " ".join(f"{r.code.value}@{r.rule_id}" for r in reasons)


def error_line(e: ErrorRecord) -> str:
    return f"{e.customer_key or f'#{e.index}'} ERROR {e.code}@{e.field or '-'}"


def lines(rows: Iterable[str]) -> str:
    return "".join(f"{row}\n" for row in rows)


def tiered(pb: Playbook) -> BookTiering:
    return tier_book(
        edge_book.edge_book(pb),
        pb,
        as_of=AS_OF,
        previous=edge_book.previous_decisions(pb),
        overrides=edge_book.overrides(),
    )


def customers(result: BookTiering, pb: Playbook) -> list[Customer]:
    """The book's records that were decided, as models."""
    decided = {d.customer_key for d in result.decisions}
    return [Customer.from_record(r) for r in edge_book.edge_book(pb) if r["key"] in decided]


def test_preset_identities() -> None:
    check("presets.txt", lines(f"{pb.id} {pb.version} {pb.content_hash}" for pb in PRESETS))


@pytest.mark.parametrize("pb", PRESETS, ids=lambda pb: pb.id)
def test_tiering_the_edge_book(pb: Playbook) -> None:
    result = tiered(pb)
    rows = [
        f"{d.customer_key} {d.outcome} {d.movement.value} {codes(d.reasons)}"
        for d in result.decisions
    ]
    rows += [error_line(e) for e in result.errors]
    for c in result.candidates:
        rows.append(f"candidate {c.customer_key} {c.tier}->{c.target_tier} {codes(c.signals)}")
    check(f"{pb.id}.tiering.txt", lines(rows))


@pytest.mark.parametrize("pb", PRESETS, ids=lambda pb: pb.id)
def test_suitability_and_allocation_of_the_edge_book(pb: Playbook) -> None:
    result = tiered(pb)
    tiers = {d.customer_key: d for d in result.decisions}
    shelf = edge_book.catalogue(pb)
    sold = [c for c in customers(result, pb) if c.key in edge_book.SOLD_TO]
    rows = []
    for c in sold:
        for p in shelf:
            d = check_suitability(c, p, pb, as_of=AS_OF, tier=tiers[c.key], amount=AMOUNT)
            conditions = ",".join(x.value for x in d.conditions) or "-"
            rows.append(f"{c.key} {p.id} {d.outcome} {conditions} {codes(d.reasons)}")
    check(f"{pb.id}.suitability.txt", lines(rows))
    rows = []
    for c in sold:
        a = allocate(c, AMOUNT, shelf, pb, as_of=AS_OF, tier=tiers[c.key])
        split = " ".join(f"{line.product_id or 'cash'}={line.amount}" for line in a.lines)
        rows.append(f"{c.key} {a.outcome} {split} unplaced={a.unplaced} {codes(a.reasons)}")
    check(f"{pb.id}.allocation.txt", lines(rows))


@pytest.mark.parametrize("pb", PRESETS, ids=lambda pb: pb.id)
def test_the_contact_plan_of_the_edge_book(pb: Playbook) -> None:
    result = tiered(pb)
    plan = plan_contacts(
        [c for c in customers(result, pb) if c.key in edge_book.PLANNED],
        pb,
        start=AS_OF,
        end=edge_book.PLAN_END,
        tiers={d.customer_key: d for d in result.decisions},
        calendar=HolidaysCalendar("CN"),
        managers=MANAGERS,
    )
    rows = [
        f"{t.customer_key} {t.on} {t.channel.value} {t.rule_id} {codes(t.reasons)}"
        for t in plan.touchpoints
    ]
    rows += [
        f"{u.customer_key} unscheduled {u.rule_id} {codes(u.reasons)}" for u in plan.unscheduled
    ]
    rows += [error_line(e) for e in plan.errors]
    check(f"{pb.id}.plan.txt", lines(sorted(rows)))


def _audit(text: str, pb: Playbook) -> str:
    # The playbook's hash and the library's version change for reasons of their own.
    text = text.replace(pb.content_hash, "<content-hash>")
    text = text.replace(f'"custtier_version":"{__version__}"', '"custtier_version":"<version>"')
    return json.dumps(json.loads(text), indent=1, ensure_ascii=False) + "\n"


def test_full_audit_records_of_three_customers() -> None:
    pb = presets.PRACTICE
    result = tiered(pb)
    tiers = {d.customer_key: d for d in result.decisions}
    models = {c.key: c for c in customers(result, pb)}
    held = tiers["edge-down-within-buffer"]
    check("audit.tier.edge-down-within-buffer.json", _audit(held.to_audit_json(), pb))
    elderly = models["edge-elderly-65-on-as-of"]
    top = edge_book.catalogue(pb)[-1]
    sale = check_suitability(elderly, top, pb, as_of=AS_OF, tier=tiers[elderly.key], amount=AMOUNT)
    check("audit.suitability.edge-elderly-65-on-as-of.json", _audit(sale.to_audit_json(), pb))
    bold = models["edge-risk-top-level"]
    split = allocate(bold, AMOUNT, edge_book.catalogue(pb), pb, as_of=AS_OF, tier=tiers[bold.key])
    check("audit.allocation.edge-risk-top-level.json", _audit(split.to_audit_json(), pb))


@pytest.mark.parametrize("pb", PRESETS, ids=lambda pb: pb.id)
def test_columnar_digests_of_the_edge_book(pb: Playbook) -> None:
    pytest.importorskip("pyarrow")
    import custtier.frames as cf

    result = tiered(pb)
    models = customers(result, pb)
    tier_out = cf.tier_table(
        cf.tier_input_table(models, pb, as_of=AS_OF),
        pb,
        as_of=AS_OF,
        previous=cf.tier_output_table(edge_book.previous_decisions(pb), pb),
        overrides=edge_book.overrides(),
    )
    # The columnar path decides as the scalar one (the digest ignores row order).
    assert cf.table_digest(tier_out) == cf.table_digest(cf.tier_output_table(result, pb))
    tiers = {d.customer_key: d.outcome for d in result.decisions}
    shelf = edge_book.catalogue(pb)
    pairs = cf.suitability_input_table(models, shelf, tiers=tiers)
    suit_out = cf.suitability_table(pairs, shelf, pb, as_of=AS_OF)
    facts = cf.occasions_input_table(models, tiers)
    end, calendar = edge_book.PLAN_END, HolidaysCalendar("CN")
    occasions = cf.occasions_table(facts, pb, start=AS_OF, end=end, calendar=calendar)
    rows = [
        f"tier_table {tier_out.num_rows} {cf.table_digest(tier_out)}",
        f"suitability_table {suit_out.num_rows} {cf.table_digest(suit_out)}",
        f"occasions_table {occasions.num_rows} {cf.table_digest(occasions)}",
    ]
    check(f"{pb.id}.digests.txt", lines(rows))


@pytest.mark.parametrize("pb", PRESETS, ids=lambda pb: pb.id)
def test_risk_assessment_of_every_single_answer_pattern(pb: Playbook) -> None:
    # For each question, every option with all other answers at the lowest
    # and at the highest option: the band edges move exactly as scored.
    qs = pb.risk.questionnaire
    rows = []
    for base_name, pick in (("low", 0), ("high", -1)):
        base = {q.id: q.options[pick].id for q in qs}
        for q in qs:
            for o in q.options:
                d = assess_risk(base | {q.id: o.id}, pb, as_of=AS_OF)
                rows.append(f"{base_name}:{q.id}={o.id} {d.outcome} {d.score}")
    check(f"{pb.id}.risk.txt", lines(rows))


def test_the_edge_book_names_every_case_once_and_covers_both_presets() -> None:
    keys = [key for key, _ in edge_book.EDGE_RECORDS]
    assert 38 <= len(set(keys)) <= 50
    assert all(k.startswith("edge-") for k in keys)
    twice = {k for k in keys if keys.count(k) > 1}
    assert twice == {"edge-error-key-twice"}  # the one duplicate is the case itself
    for pb in PRESETS:
        result = tiered(pb)
        assert len(result.decisions) + len(result.errors) == len(keys)  # nothing dropped
