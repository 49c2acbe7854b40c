"""Golden snapshots: the shipped presets' decisions on a fixed synthetic book.

Any change to a preset, an engine or the synthetic book shows up here as a
diff to review. After an intended change, regenerate with::

    CUSTTIER_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshots.py

and label the change in CHANGELOG.md ("Rule presets" for preset changes).
Playbook hashes are kept in ``presets.json`` only, so one rule edit changes
one line there rather than every decision.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from custtier import (
    Playbook,
    __version__,
    allocate,
    assess_risk,
    check_suitability,
    presets,
    synth,
    tier_book,
)

SNAPSHOTS = Path(__file__).parent / "snapshots"
AS_OF = dt.date(2026, 11, 30)
UPDATE = os.environ.get("CUSTTIER_UPDATE_SNAPSHOTS") == "1"
PRESETS = [presets.PRACTICE, presets.REGULATORY]


def _normalise(text: str, pb: Playbook) -> Any:
    # The playbook's hash and the library's version change for reasons of their own.
    text = text.replace(pb.content_hash, "<content-hash>")
    text = text.replace(f'"custtier_version":"{__version__}"', '"custtier_version":"<version>"')
    return json.loads(text)


def check(name: str, value: Any) -> None:
    path = SNAPSHOTS / f"{name}.json"
    text = json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if UPDATE:
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"missing snapshot {path.name}: run with CUSTTIER_UPDATE_SNAPSHOTS=1"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{path.name} differs; review, then regenerate if intended"


def test_preset_identities() -> None:
    check("presets", {pb.id: {"version": pb.version, "content_hash": pb.content_hash}
                      for pb in PRESETS})  # fmt: skip


@pytest.mark.parametrize("pb", PRESETS, ids=lambda pb: pb.id)
def test_tiering_a_fixed_book(pb: Playbook) -> None:
    book = synth.book(60, seed=2026, as_of=AS_OF, playbook=pb)
    result = tier_book(book.customers, pb, as_of=AS_OF)
    check(f"{pb.id}.tiering", _normalise(result.model_dump_json(), pb))


@pytest.mark.parametrize("pb", PRESETS, ids=lambda pb: pb.id)
def test_suitability_of_a_fixed_book_against_the_catalogue(pb: Playbook) -> None:
    book = synth.book(12, seed=2026, as_of=AS_OF, playbook=pb)
    tiers = {
        d.customer_key: d.outcome for d in tier_book(book.customers, pb, as_of=AS_OF).decisions
    }
    rows = {
        c.key: {
            p.id: [r.code.value for r in check_suitability(
                c, p, pb, as_of=AS_OF, tier=tiers[c.key]).reasons]
            for p in book.catalogue
        }
        for c in book.customers
    }  # fmt: skip
    check(f"{pb.id}.suitability", rows)


@pytest.mark.parametrize("pb", PRESETS, ids=lambda pb: pb.id)
def test_allocations_of_a_fixed_book(pb: Playbook) -> None:
    book = synth.book(12, seed=2026, as_of=AS_OF, playbook=pb)
    tiers = {
        d.customer_key: d.outcome for d in tier_book(book.customers, pb, as_of=AS_OF).decisions
    }
    out = {}
    for c in book.customers:
        d = allocate(c, Decimal("300000.00"), book.catalogue, pb, as_of=AS_OF, tier=tiers[c.key])
        out[c.key] = _normalise(d.to_audit_json(), pb)
    check(f"{pb.id}.allocation", out)


@pytest.mark.parametrize("pb", PRESETS, ids=lambda pb: pb.id)
def test_risk_assessment_of_every_single_answer_pattern(pb: Playbook) -> None:
    # For each question, every option with all other answers at the lowest
    # and at the highest option: the band edges move exactly as scored.
    qs = pb.risk.questionnaire
    out = {}
    for base_name, pick in (("low", 0), ("high", -1)):
        base = {q.id: q.options[pick].id for q in qs}
        for q in qs:
            for o in q.options:
                d = assess_risk(base | {q.id: o.id}, pb, as_of=AS_OF)
                out[f"{base_name}:{q.id}={o.id}"] = [d.outcome, d.score]
    check(f"{pb.id}.risk", out)
