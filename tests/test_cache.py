"""The per-playbook memo: values built once and shared, memory bounded."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from custtier import (
    Customer,
    CusttierError,
    allocate,
    assess_risk,
    check_suitability,
    plan_contacts,
    split,
    synth,
    tier_book,
)
from custtier._cache import ALL, Memo, clear_all, per_playbook
from custtier.presets import PRACTICE, REGULATORY
from custtier.rules import Playbook


def test_a_memo_builds_each_value_once_and_shares_it() -> None:
    built: list[str] = []
    memo: Memo[list[str]] = Memo()

    def build(key: str) -> list[str]:
        built.append(key)
        return [key]

    first = memo.get("a", lambda: build("a"))
    assert memo.get("a", lambda: build("a")) is first
    assert built == ["a"]


def test_past_its_limit_a_memo_still_answers_but_keeps_nothing_new() -> None:
    memo: Memo[tuple[int]] = Memo(limit=2)
    kept = [memo.get(0, lambda: (0,)), memo.get(1, lambda: (1,))]
    assert memo.get(0, lambda: (99,)) is kept[0]
    extra = memo.get(7, lambda: (7,))
    assert extra == (7,)
    assert memo.get(7, lambda: (8,)) == (8,)  # not kept: built again


def test_clear_all_makes_every_playbooks_tables_be_built_again() -> None:
    built: list[str] = []

    @per_playbook
    def tables(playbook: Playbook) -> str:
        built.append(playbook.id)
        return playbook.id

    assert tables(PRACTICE) == tables(PRACTICE) == "practice"
    assert built == ["practice"]
    clear_all()
    assert tables(PRACTICE) == "practice"
    assert built == ["practice", "practice"]


# --- clear_all reaches every cache ---------------------------------------------------------

AS_OF = dt.date(2026, 11, 30)


def _a_days_work() -> list[str]:
    """Every engine once, JSON out: fills each cache the package keeps (returns the answers)."""
    import custtier.frames as cf  # the frames extra, as a batch job uses it

    pb = PRACTICE
    book = synth.book(30, seed=5, as_of=AS_OF, playbook=pb)
    tiered = tier_book(book.customers, pb, as_of=AS_OF)
    tiers = {d.customer_key: d.tier for d in tiered.decisions}
    out = [tiered.model_dump_json()]
    for c in book.customers[:8]:
        for p in book.catalogue:
            d = check_suitability(c, p, pb, as_of=AS_OF, tier=tiers[c.key], in_branch=True)
            out += [d.model_dump_json(), str(d.reasons[0])]
        a = allocate(c, "250000.00", book.catalogue, pb, as_of=AS_OF, tier=tiers[c.key])
        out.append(a.model_dump_json())
    answers = {q.id: q.options[0].id for q in pb.risk.questionnaire}
    out.append(assess_risk(answers, pb, as_of=AS_OF).model_dump_json())
    plan = plan_contacts(
        book.customers,
        pb,
        start=AS_OF,
        end=AS_OF + dt.timedelta(days=90),
        tiers=tiers,
        managers=book.managers,
    )
    out += [plan.model_dump_json(), repr(pb.find_rule(plan.touchpoints[0].rule_id))]
    out += [c.to_json() for c in pb.diff(REGULATORY)]
    out.append(str(split(Decimal("100.00"), [Decimal("0.3"), Decimal("0.7")], "CNY")))
    table = cf.tier_table(cf.tier_input_table(book.customers, pb, as_of=AS_OF), pb, as_of=AS_OF)
    out.append(cf.table_digest(table))
    pairs = cf.suitability_input_table(book.customers[:8], book.catalogue, tiers=tiers)
    out.append(cf.table_digest(cf.suitability_table(pairs, book.catalogue, pb, as_of=AS_OF)))
    people = cf.occasions_input_table(book.customers[:8], tiers)
    end = AS_OF + dt.timedelta(days=90)
    out.append(cf.table_digest(cf.occasions_table(people, pb, start=AS_OF, end=end)))
    try:
        Customer.from_record({"key": "K1", "assets_under_management": "lots"})
    except CusttierError as e:
        out.append(str(e))
    return out


def test_clear_all_empties_every_cache_and_answers_stay_the_same() -> None:
    before = _a_days_work()
    empty = [c.name for c in ALL if c.size() == 0]
    assert not empty, f"the workload never filled {empty}: make it reach them"
    assert any(c.name == "cadence._tables._CACHE" for c in ALL)
    clear_all()
    assert {c.name: c.size() for c in ALL if c.size()} == {}
    assert _a_days_work() == before


def unregistered_caches_filled_by_a_days_work() -> list[str]:
    """Module-level containers (and memos of module-level objects) that the work grew.

    Run in a fresh process: registries filled at import do not grow, caches do.
    """
    import custtier

    for info in pkgutil.walk_packages(custtier.__path__, "custtier."):
        if ".cli" not in info.name and not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    registered = {id(c.clear.__self__) for c in ALL}  # type: ignore[attr-defined]

    def holders() -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name, module in list(sys.modules.items()):
            if not name.startswith("custtier."):
                continue
            for attr, value in vars(module).items():
                found[f"{name}.{attr}"] = value
                if type(value).__module__.startswith("custtier") and hasattr(value, "__dict__"):
                    for inner, held in vars(value).items():
                        found[f"{name}.{attr}.{inner}"] = held
        return found

    def size(value: Any) -> int | None:
        if hasattr(value, "cache_info"):
            return int(value.cache_info().currsize)
        if isinstance(value, dict | set | list):
            return len(value)
        return None

    start = {k: size(v) for k, v in holders().items()}
    _a_days_work()
    grown = []
    for name, value in holders().items():
        now, was = size(value), start.get(name)
        if now is not None and now != was and id(value) not in registered:
            grown.append(name)
    return sorted(grown)


def test_every_cache_the_package_fills_is_one_clear_all_empties() -> None:
    here = Path(__file__).parent
    script = (
        f"import sys; sys.path.insert(0, {str(here)!r}); import test_cache; "
        "print(test_cache.unregistered_caches_filled_by_a_days_work())"
    )
    done = subprocess.run(  # a fresh interpreter: nothing filled yet
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
