"""The per-playbook memo: values built once and shared, memory bounded."""

from __future__ import annotations

from custtier._cache import Memo, clear_all, per_playbook
from custtier.presets import PRACTICE
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
