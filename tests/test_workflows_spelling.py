"""One decision, one spelling: equal playbooks write byte-identical decisions.

A bank keeps its playbook as a JSON file (often exported from a preset with
``custtier preset``) and reloads it every night. The reloaded playbook has
the same content hash as the one it came from, so an auditor must find the
same bytes in every decision it writes, through every engine, the columnar
path and the command line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies as cst
from custtier import (
    Playbook,
    allocate,
    assess_risk,
    check_suitability,
    plan_contacts,
    presets,
    synth,
    tier_book,
)

try:
    from custtier import frames

    frames.require()
except ImportError:  # the frames extra is optional; the scalar engines are checked anyway
    frames = None  # type: ignore[assignment]

AS_OF = dt.date(2026, 11, 30)
PRESETS = [presets.PRACTICE, presets.REGULATORY]
_BOOKS = {pb.id: synth.book(24, seed=12, as_of=AS_OF, playbook=pb) for pb in PRESETS}
_PRESET_DATA = {pb.id: cst.playbook_data(pb) for pb in PRESETS}


def transcript(pb: Playbook, book: synth.Book) -> list[str]:
    """Everything the engines write about ``book`` under ``pb``: audit JSON and explanations."""
    out: list[str] = []
    tiering = tier_book(book.customers, pb, as_of=AS_OF)
    out.append(tiering.model_dump_json())
    out += [d.explain() for d in tiering.decisions]
    tiers = {d.customer_key: d for d in tiering.decisions}
    for c in book.customers[:8]:
        tier = tiers[c.key].outcome if c.key in tiers else None
        for p in book.catalogue[:6]:
            d = check_suitability(c, p, pb, as_of=AS_OF, tier=tier)
            out += [d.to_audit_json(), d.explain()]
        a = allocate(c, Decimal("250000.00"), book.catalogue, pb, as_of=AS_OF, tier=tier)
        out += [a.to_audit_json(), a.explain()]
    answers = {q.id: q.options[-1].id for q in pb.risk.questionnaire}
    r = assess_risk(answers, pb, as_of=AS_OF, birth_date=dt.date(1950, 1, 1))
    out += [r.to_audit_json(), r.explain()]
    plan = plan_contacts(
        book.customers,
        pb,
        start=AS_OF,
        end=AS_OF + dt.timedelta(days=60),
        tiers=tiers,
        managers=book.managers,
    )
    out.append(plan.model_dump_json())
    if frames is not None:  # the columnar path writes the same messages and facts
        table = frames.tier_input_table(book.customers, pb, as_of=AS_OF)
        out.append(repr(frames.tier_table(table, pb, as_of=AS_OF).to_pylist()))
    return out


@pytest.mark.parametrize("pb", PRESETS, ids=lambda pb: pb.id)
def test_a_playbook_reloaded_from_its_canonical_json_gives_byte_identical_decisions(
    pb: Playbook,
) -> None:
    reloaded = Playbook.from_json(pb.canonical_json())
    assert reloaded == pb
    assert reloaded.content_hash == pb.content_hash
    book = _BOOKS[pb.id]
    assert transcript(reloaded, book) == transcript(pb, book)


@pytest.mark.parametrize("pb", PRESETS, ids=lambda pb: pb.id)
def test_a_playbook_written_at_currency_scale_renders_bands_in_one_spelling(
    pb: Playbook,
) -> None:
    # "50000.00" and "50000" are one rule: its decisions say "[0, 50000)" either way.
    data = cst.playbook_data(pb)
    for basis in data["tiering"]["bases"]:
        for band in basis["bands"]:
            for end in ("lower", "upper"):
                if band[end] is not None:
                    band[end] = str(Decimal(band[end]).quantize(Decimal("0.01")))
    respelled = Playbook.model_validate(data)
    tiering = tier_book(_BOOKS[pb.id].customers, respelled, as_of=AS_OF)
    messages = {r.message for d in tiering.decisions for r in d.reasons}
    assert any("in [0, 50000)" in m for m in messages)
    assert not any(".00" in m for m in messages if " in [" in m)


def test_an_open_lower_band_reads_as_minus_infinity() -> None:
    # A profit basis where losses occur: [None, 0) is "below zero", not "[None, ∞)".
    data = cst.playbook_data(presets.PRACTICE)
    data["tiering"]["bases"].append(
        {
            "basis": "profit_contribution",
            "bands": [
                {"rule_id": "tier.profit.loss", "tier": "mass", "lower": None, "upper": "0"},
                {"rule_id": "tier.profit.mass", "tier": "mass", "lower": "0", "upper": "20000"},
                {"rule_id": "tier.profit.high", "tier": "high_end", "lower": "20000"},
            ],
        }
    )
    pb = Playbook.model_validate(data)
    customers = [
        {"key": "LOSS", "currency": "CNY", "annual_profit_contribution": "-120.00"},
        {"key": "TOP", "currency": "CNY", "annual_profit_contribution": "25000.00"},
    ]
    texts = {d.customer_key: d.explain() for d in tier_book(customers, pb, as_of=AS_OF).decisions}
    assert "profit_contribution in (-∞, 0)" in texts["LOSS"]
    assert "profit_contribution in [20000, ∞)" in texts["TOP"]
    assert "[None" not in texts["LOSS"]
    assert "[20000, None" not in texts["TOP"]


@settings(max_examples=15)
@given(
    st.sampled_from(PRESETS).flatmap(
        lambda p: st.tuples(
            st.just(p),
            cst.playbook_mutations(_PRESET_DATA[p.id]).map(lambda m: m.data)
            | cst.equivalent_rewrites(_PRESET_DATA[p.id]),
        )
    )
)
def test_equal_playbooks_give_byte_identical_decisions(
    case: tuple[Playbook, dict[str, Any]],
) -> None:
    base, data = case
    pb = Playbook.model_validate(data)  # written any way the generators spell it
    reloaded = Playbook.from_json(pb.canonical_json())
    book = _BOOKS[base.id]
    assert transcript(reloaded, book) == transcript(pb, book)


# --- the command line -----------------------------------------------------------


def _custtier(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["custtier", *argv], capture_output=True, text=True, encoding="utf-8", cwd=cwd, check=False
    )


@pytest.mark.parametrize("pb", PRESETS, ids=lambda pb: pb.id)
def test_preset_flag_and_exported_playbook_file_give_the_same_bytes(
    pb: Playbook, tmp_path: Path
) -> None:
    book = _BOOKS[pb.id]
    customers = tmp_path / "customers.jsonl"
    customers.write_text(
        "".join(c.to_json(reveal_personal_data=True) + "\n" for c in book.customers),
        encoding="utf-8",
    )
    exported = _custtier("preset", pb.id, cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    (tmp_path / "playbook.json").write_text(exported.stdout, encoding="utf-8")
    by_preset = _custtier(
        "tier", "--preset", pb.id, "--as-of", "2026-11-30", str(customers), cwd=tmp_path
    )
    by_file = _custtier(
        "tier", "--playbook", "playbook.json", "--as-of", "2026-11-30", str(customers), cwd=tmp_path
    )
    assert by_preset.returncode == by_file.returncode == 0, by_file.stderr
    assert by_preset.stdout == by_file.stdout
    assert len(by_preset.stdout.splitlines()) == len(book.customers)
    assert pb.content_hash in by_preset.stdout


@pytest.mark.parametrize("pb", PRESETS, ids=lambda pb: pb.id)
def test_an_auditor_recomputes_the_cited_hash_from_the_exported_file(
    pb: Playbook, tmp_path: Path
) -> None:
    # docs/playbook.md: parse the file, RFC 8785-canonicalize, sha256.
    jcs = pytest.importorskip("jcs")
    exported = _custtier("preset", pb.id, cwd=tmp_path)
    data = json.loads(exported.stdout)
    assert hashlib.sha256(jcs.canonicalize(data)).hexdigest() == pb.content_hash
