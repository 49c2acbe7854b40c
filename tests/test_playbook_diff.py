"""Playbook.diff: what a policy committee approves, rule by rule; and validate --against."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies as cst
from custtier import Playbook, presets
from custtier.errors import RecordValidationError
from custtier.rules._diff import ChangeKind, RuleChange

_DATA = {p.id: cst.playbook_data(p) for p in presets.ALL.values()}


def _with(base: Playbook, **edits: Any) -> Playbook:
    data = cst.playbook_data(base)
    for path, value in edits.items():
        node: Any = data
        *parts, last = path.split("__")
        for part in parts:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value
    return Playbook.model_validate(data)


def test_raising_the_wealth_bar_names_both_bands_with_old_and_new_values() -> None:
    new = _with(
        presets.PRACTICE,
        tiering__bases__0__bands__1__upper="600000",
        tiering__bases__0__bands__2__lower="600000",
    )
    changes = presets.PRACTICE.diff(new)
    assert [(c.kind, c.rule_id, c.old, c.new) for c in changes] == [
        (ChangeKind.CHANGED, "tier.adb.mid_end", Decimal(500000), Decimal(600000)),
        (ChangeKind.CHANGED, "tier.adb.high_end", Decimal(500000), Decimal(600000)),
    ]
    assert changes[1].path == "tiering.bases[average_daily_balance].bands[tier.adb.high_end].lower"
    band = new.find_rule("tier.adb.high_end")
    assert band is not None
    assert band.lower == Decimal(600000)


def test_a_removed_service_and_an_added_one_are_rows_not_field_edits() -> None:
    data = cst.playbook_data(presets.PRACTICE)
    gone = data["services"].pop(0)
    extra = dict(data["services"][0], id="concierge", label="Concierge")
    data["services"].append(extra)
    new = Playbook.model_validate(data)
    changes = presets.PRACTICE.diff(new)
    assert [(c.kind, c.rule_id) for c in changes] == [
        (ChangeKind.REMOVED, f"service.{gone['id']}"),
        (ChangeKind.ADDED, "service.concierge"),
    ]
    assert changes[0].old.id == gone["id"]
    assert changes[1].new.id == "concierge"


def test_settings_outside_any_row_cite_their_section_which_find_rule_resolves() -> None:
    new = _with(
        presets.PRACTICE,
        title="Practice 2027",
        tiers__2__label="Wealth customers",
        tiering__combine="lowest",
        tiering__bases__0__window_months=4,
        risk__customer_levels__0__label="Careful",
    )
    changes = presets.PRACTICE.diff(new)
    assert [(c.path, c.rule_id) for c in changes] == [
        ("title", "playbook"),
        ("tiers[high_end].label", "tier.high_end"),
        (
            "tiering.bases[average_daily_balance].window_months",
            "tiering.basis.average_daily_balance",
        ),
        ("tiering.combine", "tiering"),
        ("risk.customer_levels[conservative].label", "risk.customer_level.conservative"),
    ]
    assert new.find_rule("playbook") is new
    assert new.find_rule("tiering") is new.tiering
    assert new.find_rule("tiering.basis.average_daily_balance") is new.tiering.bases[0]
    assert new.find_rule("tier.high_end") is new.tiers[2]


def test_policies_switched_and_grace_lengthened_cite_their_own_rules() -> None:
    new = _with(presets.PRACTICE, cadence__leap_day="mar1", tiering__hysteresis__grace_months=12)
    assert [(c.rule_id, str(c)) for c in presets.PRACTICE.diff(new)] == [
        ("tier.hysteresis", "tiering.hysteresis.grace_months (tier.hysteresis): 3 -> 12"),
        ("cadence.leap_day.mar1", "cadence.leap_day (cadence.leap_day.mar1): feb28 -> mar1"),
    ]


def test_equal_playbooks_differ_in_nothing() -> None:
    for pb in presets.ALL.values():
        assert pb.diff(Playbook.from_json(pb.canonical_json())) == ()


def _inverse(c: RuleChange) -> tuple[str, str, Any, Any]:
    kind = {ChangeKind.ADDED: "removed", ChangeKind.REMOVED: "added"}.get(c.kind, "changed")
    return (kind, c.path, c.new, c.old)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(list(presets.ALL.values())).flatmap(
        lambda p: st.tuples(st.just(p), cst.playbook_mutations(_DATA[p.id]))
    )
)
def test_every_mutation_is_found_cited_and_reversible(case: Any) -> None:
    base, mutation = case
    new = Playbook.model_validate(mutation.data)
    changes = base.diff(new)
    assert changes, mutation.path
    section = mutation.path.split(".")[0]
    assert all(c.path.startswith(section) for c in changes)
    for c in changes:  # every change cites a rule id, a row or section of one of the two
        assert c.rule_id is not None, c.path
        assert new.find_rule(c.rule_id) is not None or base.find_rule(c.rule_id) is not None
    assert changes == base.diff(new)  # deterministic
    back = new.diff(base)
    assert sorted(map(_inverse, back), key=str) == sorted(
        ((c.kind.value, c.path, c.old, c.new) for c in changes), key=str
    )


# --- custtier validate FILE --against OLD -------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "custtier", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )


def _write(tmp_path: Path, name: str, data: dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_validate_against_refuses_changed_rules_under_the_same_version(tmp_path: Path) -> None:
    old = _write(tmp_path, "old.json", _DATA["practice"])
    data = cst.playbook_data(presets.PRACTICE)
    data["tiering"]["hysteresis"]["grace_months"] = 12
    new = _write(tmp_path, "new.json", data)
    run = _cli("validate", new, "--against", old)
    assert run.returncode == 1
    assert "tiering.hysteresis.grace_months (tier.hysteresis): 3 -> 12" in run.stdout
    assert "version 1.2.0 is unchanged" in run.stderr

    data["version"] = "1.3.0"
    run = _cli("validate", _write(tmp_path, "bumped.json", data), "--against", old)
    assert run.returncode == 0, run.stderr
    assert "v1.2.0 -> v1.3.0, 2 change(s)" in run.stdout  # the version is one


def test_validate_against_itself_is_ok_and_a_bad_old_file_is_exit_2(tmp_path: Path) -> None:
    old = _write(tmp_path, "old.json", _DATA["practice"])
    assert _cli("validate", old, "--against", old).returncode == 0
    bad = _write(tmp_path, "bad.json", {"id": "x"})
    run = _cli("validate", old, "--against", bad)
    assert run.returncode == 2
    assert "--against" in run.stderr


@pytest.mark.parametrize("flag", ["--help"])
def test_validate_help_documents_against(flag: str) -> None:
    run = _cli("validate", flag)
    assert "--against OLD" in run.stdout
    assert "version did not" in run.stdout


def test_a_service_cost_stated_or_changed_cites_the_service() -> None:
    priced = _with(presets.PRACTICE, services__4__annual_cost="1800")
    dearer = _with(priced, services__4__annual_cost="2400")
    assert [(c.path, c.rule_id, c.old, c.new) for c in presets.PRACTICE.diff(priced)] == [
        ("services[airport_service].annual_cost", "service.airport_service", None, Decimal(1800))
    ]
    assert [str(c) for c in priced.diff(dearer)] == [
        "services[airport_service].annual_cost (service.airport_service): 1800 -> 2400"
    ]


_HAND_EDITED = {
    "kind": "changed",
    "path": "tiering.hysteresis.grace_months",
    "rule_id": None,
    "old": "abc",
    "new": 12,
}


def test_a_change_read_back_with_a_value_its_setting_cannot_hold_is_refused_naming_it() -> None:
    # An archived what-if edited by hand: grace months of "abc" is not a change a playbook made.
    with pytest.raises(RecordValidationError) as refused:
        RuleChange.from_record(_HAND_EDITED)
    assert [e.loc for e in refused.value.details] == [("old",)]
    # A path no setting has (a change built by hand) keeps its values as given.
    mine = RuleChange(kind=ChangeKind.CHANGED, path="our.own.note", rule_id=None, old="a", new=1)
    assert (mine.old, mine.new) == ("a", 1)
