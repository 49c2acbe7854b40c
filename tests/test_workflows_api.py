"""Acceptance: the public API as a new user meets it, one name per concept.

A customer is ``customer_key`` on every object that names one; an audit log
written before that rename still reads back.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from custtier import (
    Decision,
    allocate,
    assess_risk,
    check_suitability,
    presets,
    synth,
    tier_book,
    tier_services,
)
from custtier._explain import AUDIT_SCHEMA_VERSION, audit_kinds, decision_kinds

AS_OF = dt.date(2026, 11, 30)
GOLDENS = Path(__file__).parent / "goldens"


def _one_of_each_kind() -> tuple[synth.Book, list[Decision]]:
    """The decisions tests/goldens/audit_v1.jsonl was written from (custtier 0.1.0.dev0)."""
    book = synth.book(50, seed=13, as_of=AS_OF, playbook=presets.REGULATORY)
    customer, pb = book.customers[3], book.playbook
    answers = {q.id: q.options[0].id for q in pb.risk.questionnaire}
    return book, [
        tier_book(book.customers, pb, as_of=AS_OF).decisions[3],
        assess_risk(answers, pb, as_of=AS_OF, customer_key=customer.key),
        check_suitability(customer, book.catalogue[-1], pb, as_of=AS_OF, tier="mass"),
        allocate(customer, "88000.00", book.catalogue, pb, as_of=AS_OF),
        tier_services(customer.key, "mass", pb, as_of=AS_OF),
    ]


def test_a_new_user_names_the_customer_on_every_decision_kind() -> None:
    book, decisions = _one_of_each_kind()
    key = book.customers[3].key
    assert {d.kind for d in decisions} == set(audit_kinds())  # every kind an engine writes
    for d in decisions:
        assert d.customer_key == key, d.kind
        assert json.loads(d.to_audit_json())["customer_key"] == key
        assert "subject" not in json.loads(d.to_audit_json())
        assert d.explain().startswith(f"{key}: ")
    for kind, cls in decision_kinds().items():  # the bare Decision too
        assert "customer_key" in cls.model_fields, kind
        assert "subject" not in cls.model_fields, kind
    result = tier_book(
        [*book.customers[:3], {"key": "C9", "currency": 1}], book.playbook, as_of=AS_OF
    )
    assert [e.customer_key for e in result.errors] == ["C9"]


def test_an_audit_record_written_by_the_previous_schema_reads_back() -> None:
    lines = (GOLDENS / "audit_v1.jsonl").read_text(encoding="utf-8").splitlines()
    _, now = _one_of_each_kind()
    assert AUDIT_SCHEMA_VERSION == 2
    for line, current in zip(lines, now, strict=True):
        old = json.loads(line)
        assert (old["schema_version"], "subject" in old) == (1, True)  # as 0.1.0.dev0 wrote it
        back = Decision.from_audit_json(line)
        assert type(back) is type(current)
        assert type(current).from_audit_json(line.encode()) == back
        assert back.customer_key == old["subject"] == current.customer_key
        assert (back.outcome, back.rule_ids) == (current.outcome, current.rule_ids)
        assert [r.code for r in back.reasons] == [r.code for r in current.reasons]
        record = json.loads(back.to_audit_json())
        assert record["schema_version"] == AUDIT_SCHEMA_VERSION
        assert "subject" not in record
        assert record["custtier_version"] == old["custtier_version"]  # who wrote it stays


# --------------------------------------------------------------------------- error codes


def test_every_error_a_batch_reports_has_a_code_from_the_one_documented_set() -> None:
    from custtier import ERROR_DESCRIPTIONS, ErrorCode, plan_contacts

    book: list[dict[str, Any]] = [
        {"key": "C1"},
        {"key": "C2", "currency": "USD"},
        {"key": "C3", "assets_under_management": 1.5},
        {"key": "C4"},
        {"key": "C4"},
    ]
    result = tier_book(book, presets.PRACTICE, as_of=AS_OF)
    plan = plan_contacts(
        book, presets.PRACTICE, start=AS_OF, end=AS_OF, tiers={"C1": "mass", "C2": "mass"}
    )
    codes = {e.code for e in (*result.errors, *plan.errors)}
    want = {ErrorCode.CURRENCY_MISMATCH, ErrorCode.INVALID_RECORD, ErrorCode.DUPLICATE_KEY}
    assert codes == want
    assert all(type(e.code) is ErrorCode for e in (*result.errors, *plan.errors))
    record = json.loads(result.errors[0].model_dump_json())
    assert record["code"] == "currency_mismatch"  # JSON holds the plain value
    assert set(ERROR_DESCRIPTIONS) == set(ErrorCode)


def test_the_columnar_error_codes_are_the_same_set() -> None:
    import pytest

    pytest.importorskip("pyarrow")
    import pyarrow as pa

    import custtier.frames as cf
    from custtier import ErrorCode

    for table in (cf.TIER_ERROR_CODES, cf.SUITABILITY_ERROR_CODES, cf.OCCASIONS_ERROR_CODES):
        assert set(table) <= set(ErrorCode)
    pb = presets.PRACTICE
    rows = [{"key": "C1"}, {"key": "bad key"}, {"key": None}, {"key": "C4", "currency": "USD"}]
    table = pa.Table.from_pylist(rows, schema=cf.tier_input_schema(pb))
    out = cf.tier_table(table, pb, as_of=AS_OF)
    codes = {c for c in out.column("error_code").to_pylist() if c}
    assert codes == {"invalid_value", "missing_value", "currency_mismatch"}
    assert codes <= set(ErrorCode)


def test_docs_list_every_error_code_with_its_meaning() -> None:
    from custtier import ERROR_DESCRIPTIONS, ErrorCode

    page = (Path(__file__).parents[1] / "docs" / "errors.md").read_text(encoding="utf-8")
    section = page.split("\n## Error codes\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    want = [f"| `{code.value}` | {ERROR_DESCRIPTIONS[code]} |" for code in ErrorCode]
    assert rows == want, "docs/errors.md's code table must list ErrorCode, in order:\n" + "\n".join(
        want
    )


# --------------------------------------------------------------------------- tiers in


def test_a_tier_decision_goes_wherever_a_tier_goes_in() -> None:
    import pytest

    from custtier import Customer, TierDecision, assign_tier, plan_contacts
    from custtier.errors import InputError

    book, _ = _one_of_each_kind()
    pb = book.playbook
    me, other = book.customers[3], book.customers[4]
    mine = assign_tier(me, pb, as_of=AS_OF, in_pareto_set=False)
    theirs = assign_tier(other, pb, as_of=AS_OF, in_pareto_set=False)
    tier = mine.outcome
    product = book.catalogue[-1]

    def same(call: Any) -> None:
        """``call(tier)`` answers alike for the id and the decision; refuses another's."""
        assert call(mine) == call(tier)
        with pytest.raises(InputError, match="another customer") as info:
            call(theirs)
        assert info.value.field in {"tier", "tiers"}
        with pytest.raises(InputError, match="tier id or the TierDecision"):
            call(3)

    same(lambda t: check_suitability(me, product, pb, as_of=AS_OF, tier=t))
    same(lambda t: allocate(me, "88000.00", book.catalogue, pb, as_of=AS_OF, tier=t))
    same(lambda t: tier_services(me.key, t, pb, as_of=AS_OF))

    # A batch does not raise for one customer's bad tier: that customer is its error record.
    def plan(t: Any) -> Any:
        return plan_contacts([me], pb, start=AS_OF, end=AS_OF, tiers={me.key: t})

    assert plan(mine) == plan(tier)
    for wrong, says in ((theirs, "another customer"), (3, "tier id or the TierDecision")):
        ((error,),) = [plan(wrong).errors]
        assert (error.customer_key, error.code, error.field) == (me.key, "no_tier", "tiers")
        assert says in error.message
    assert isinstance(mine, TierDecision)
    assert isinstance(me, Customer)


def test_a_tier_decision_goes_into_the_columnar_input_builders() -> None:
    import pytest

    pytest.importorskip("pyarrow")
    import custtier.frames as cf
    from custtier import assign_tier

    book, _ = _one_of_each_kind()
    pb, me = book.playbook, book.customers[3]
    mine = assign_tier(me, pb, as_of=AS_OF, in_pareto_set=False)
    by_id, by_decision = {me.key: mine.outcome}, {me.key: mine}
    assert cf.suitability_input_table([me], book.catalogue[:2], tiers=by_decision).equals(
        cf.suitability_input_table([me], book.catalogue[:2], tiers=by_id)
    )
    assert cf.occasions_input_table([me], by_decision).equals(cf.occasions_input_table([me], by_id))


# --------------------------------------------------------------------------- one public surface

#: Modules that are public namespaces of their own (``custtier.errors.InputError``).
NAMESPACES = {"errors", "frames", "plot", "presets", "rules", "synth", "cli"}
#: Names a subpackage lists on purpose without the top: why, beside each.
INTENTIONAL = {
    "custtier.models": {"CusttierModel"},  # the base class, documented for its methods
}


def test_subpackages_export_nothing_that_is_not_public_at_the_top() -> None:
    import importlib
    import pkgutil

    import custtier

    top = set(custtier.__all__)
    # Private packages (custtier._i18n) are no API: their names are for custtier's own modules.
    packages = [
        m.name
        for m in pkgutil.iter_modules(custtier.__path__)
        if m.ispkg and not m.name.startswith("_")
    ]
    for name in packages:
        module = importlib.import_module(f"custtier.{name}")
        if name in NAMESPACES:
            assert name in top or name in {"frames", "cli"}, name  # frames: an optional extra
            continue
        extra = set(module.__all__) - INTENTIONAL.get(module.__name__, set()) - top
        assert not extra, f"custtier.{name} exports {sorted(extra)}, not public at the top"
        for shared in set(module.__all__) & top:
            assert getattr(custtier, shared) is getattr(module, shared)


def test_one_public_name_per_pareto_concept() -> None:
    import warnings

    import pytest

    import custtier
    from custtier import assign_tier, pareto_set

    pareto_names = {n for n in custtier.__all__ if "pareto" in n.lower()}
    # the set, its cut, and (in a trace) how the rule applied to one customer
    assert pareto_names == {"ParetoCut", "ParetoState", "pareto_set"}
    book = synth.book(40, seed=3, as_of=AS_OF)
    result = tier_book(book.customers, book.playbook, as_of=AS_OF)
    cut = result.pareto_cut
    assert cut is not None
    assert pareto_set(book.customers, book.playbook) == {
        c.key
        for c in book.customers
        if cut.contains(c.key, int(c.annual_profit_contribution * 100))
    }
    d = assign_tier(book.customers[0], book.playbook, as_of=AS_OF, pareto_cut=cut)
    assert d == result.decisions[0]
    with pytest.warns(DeprecationWarning, match="pareto_set"):
        old = custtier.pareto_keys
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert old(["a", "b"], [500, 100], Decimal("0.8")) == {"a"}


def test_columnar_names_follow_the_engine_they_feed_and_old_ones_warn() -> None:
    import pytest

    import custtier.frames as cf

    renamed = {
        "ERROR_CODES": "TIER_ERROR_CODES",
        "PAIR_INPUT_COLUMNS": "SUITABILITY_INPUT_COLUMNS",
        "OCCASION_ERROR_CODES": "OCCASIONS_ERROR_CODES",
        "customers_table": "tier_input_table",
        "decisions_table": "tier_output_table",
        "pairs_table": "suitability_input_table",
        "cadence_table": "occasions_input_table",
        "candidates_schema": "pareto_candidates_schema",
    }
    for old, new in renamed.items():
        assert new in cf.__all__
        assert old not in cf.__all__
        with pytest.warns(DeprecationWarning, match=new):
            assert getattr(cf, old) is getattr(cf, new)
    engines = ("tier", "suitability", "occasions", "pareto", "results", "simulate")
    for name in cf.__all__:
        if name[0].islower() and name.endswith(("_table", "_schema")):
            assert name.startswith(engines), name


def test_every_public_frames_function_says_what_it_takes_and_gives() -> None:
    import inspect

    import custtier.frames as cf

    for name in cf.__all__:
        obj = getattr(cf, name)
        if not inspect.isfunction(obj):
            continue
        hints = inspect.get_annotations(obj)
        assert "return" in hints, name
        untyped = [p for p, hint in hints.items() if hint in ("Any", Any)]
        assert not untyped, f"frames.{name}: name what {untyped} hold (frames._types)"


def test_last_nights_file_written_before_the_rename_feeds_tonights_run(tmp_path: Path) -> None:
    """The nightly job upgrades custtier; yesterday's output (audit schema 1) is --previous."""
    import subprocess
    import sys

    book, decisions = _one_of_each_kind()
    customer = book.customers[3]
    old_tier_line = (GOLDENS / "audit_v1.jsonl").read_text(encoding="utf-8").splitlines()[0]
    assert json.loads(old_tier_line)["subject"] == customer.key  # written by 0.1.0.dev0
    (tmp_path / "previous.jsonl").write_text(old_tier_line + "\n", encoding="utf-8")
    balances = [m.model_dump(mode="json") for m in customer.monthly_balances]
    record = {"key": customer.key, "monthly_balances": balances}  # what tiering reads
    (tmp_path / "book.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    command = str(Path(sys.executable).with_name("custtier"))
    args = ["tier", "book.jsonl", "--preset", "regulatory_c1_c5", "--as-of", "2026-12-31"]
    args += ["--previous", "previous.jsonl"]
    done = subprocess.run(
        [command, *args], cwd=tmp_path, capture_output=True, check=False, timeout=300
    )
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.decode("utf-8").splitlines()
    tonight = json.loads(line)
    assert tonight["customer_key"] == customer.key
    assert tonight["schema_version"] == AUDIT_SCHEMA_VERSION
    assert tonight["previous_tier"] == decisions[0].outcome  # last night's tier was read
