"""The fuzz profile: hostile records, playbooks, Arrow tables and CLI files.

The promise under test (docs/errors.md): every bad input becomes a decision,
a documented ``CusttierError`` or an error row naming the field, and nothing
is dropped (counts in = counts out). Anything else escaping is a bug.

The default suite runs a quick pass (a few seconds). The heavy run is opt-in::

    CUSTTIER_FUZZ=heavy python -m pytest tests/test_fuzz.py -p no:cacheprovider -q

and prints how many inputs of each kind it fed. ``CUSTTIER_FUZZ_EXAMPLES``
overrides the number of examples per test (each example is a batch).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import strategies as cst
from custtier import Playbook, plan_contacts, presets, synth, tier_book
from custtier.cli import main
from custtier.errors import CusttierError

HEAVY = os.environ.get("CUSTTIER_FUZZ") == "heavy"
EXAMPLES = int(os.environ.get("CUSTTIER_FUZZ_EXAMPLES") or (2500 if HEAVY else 12))
# Inputs per example (records, rows, lines): the heavy run feeds about a
# million inputs in all; the quick run a few hundred.
BATCH = (100, 300) if HEAVY else (1, 20)

fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

AS_OF = dt.date(2026, 11, 30)
PRACTICE = presets.PRACTICE
_BOOK = synth.book(30, seed=11, as_of=AS_OF)
_RECORDS = [c.to_record(reveal_personal_data=True) for c in _BOOK.customers]

#: Error-row codes the docs name (docs/tiering.md, docs/cadence.md).
ROW_CODES = {
    "invalid_record",
    "duplicate_key",
    "currency_mismatch",
    "no_tier",
    "unknown_tier",
    "unknown_time_zone",
}


def _records() -> st.SearchStrategy[list[Any]]:
    record = st.one_of(
        st.sampled_from(_RECORDS),
        st.sampled_from(_RECORDS).flatmap(cst.damaged),
        cst.hostile_values(),  # not a mapping at all
    )
    return st.lists(record, min_size=BATCH[0], max_size=BATCH[1])


# --- records ------------------------------------------------------------------


@fuzz
@given(_records())
def test_hostile_records_become_decisions_or_error_rows(records: list[Any]) -> None:
    cst.FUZZ_INPUTS["records"] += len(records)
    result = tier_book(records, PRACTICE, as_of=AS_OF)
    assert len(result.decisions) + len(result.errors) == len(records)
    assert len({e.index for e in result.errors}) == len(result.errors)
    assert {e.code for e in result.errors} <= ROW_CODES
    tiers = {d.customer_key: d for d in result.decisions}
    plan = plan_contacts(
        records, PRACTICE, start=AS_OF, end=AS_OF + dt.timedelta(days=45), tiers=tiers
    )
    assert {e.code for e in plan.errors} <= ROW_CODES
    failed = {e.index for e in result.errors if e.code == "invalid_record"}
    assert {e.index for e in plan.errors if e.code == "invalid_record"} == failed


# --- playbooks ----------------------------------------------------------------

_PLAYBOOK_DATA = cst.playbook_data(PRACTICE)


@fuzz
@given(cst.damaged(_PLAYBOOK_DATA, max_changes=2))
def test_hostile_playbooks_load_or_raise_a_playbook_error(data: dict[str, Any]) -> None:
    cst.FUZZ_INPUTS["playbooks"] += 1
    try:
        pb = Playbook.model_validate(data)
    except CusttierError:
        return
    # A playbook that loads is one a job may run: it must decide a book.
    result = tier_book(_RECORDS[:5], pb, as_of=AS_OF)
    assert len(result.decisions) + len(result.errors) == 5


# --- Arrow tables -------------------------------------------------------------

try:
    import pyarrow as pa

    from custtier import frames

    _SCHEMA = frames.tier_input_schema(PRACTICE)
    _ROWS = frames.tier_input_table(_BOOK.customers, PRACTICE, as_of=AS_OF).to_pylist()
except ImportError:  # the frames extra is optional
    pa = None


@pytest.mark.skipif(pa is None, reason="needs the frames extra (pyarrow)")
@fuzz
@given(
    cst.hostile_rows(_ROWS if pa is not None else [{}], min_rows=BATCH[0], max_rows=BATCH[1]),
    st.booleans(),
)
def test_hostile_tables_give_one_row_out_per_row_in(rows: list[dict[str, Any]], drop: bool) -> None:
    cst.FUZZ_INPUTS["table rows"] += len(rows)
    table = pa.Table.from_pylist(rows, schema=_SCHEMA)
    if drop:  # a table without a required column is refused as a whole
        table = table.drop_columns(["key"])
        with pytest.raises(CusttierError):
            frames.tier_table(table, PRACTICE, as_of=AS_OF)
        return
    out = frames.tier_table(table, PRACTICE, as_of=AS_OF)
    assert out.num_rows == len(rows)
    codes = set(out.column("error_code").to_pylist()) - {None}
    assert codes <= set(frames.TIER_ERROR_CODES)


# --- command-line files -------------------------------------------------------


@fuzz
@given(lines=cst.hostile_lines(_RECORDS, min_lines=BATCH[0] // 5, max_lines=BATCH[1] // 5 + 1))
def test_hostile_cli_files_give_one_line_out_per_line_in(
    lines: list[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    cst.FUZZ_INPUTS["cli lines"] += len(lines)
    path = tmp_path_factory.mktemp("fuzz") / "customers.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = _run_cli("tier", "--preset", "practice", "--as-of", "2026-11-30", str(path))
    # Blank lines are skipped as the reader skips them: ASCII white space only.
    expected = sum(1 for line in lines if line.encode().removeprefix(b"\xef\xbb\xbf").strip())
    assert len(out) == expected
    errors = 0
    for line in out:
        value = json.loads(line)
        assert set(value) == {"error"} or "outcome" in value or "tier" in value
        errors += "error" in value
    assert code == (1 if errors else 0)  # exit 1: some records failed (--max-errors 0)


def _run_cli(*argv: str) -> tuple[int, list[str]]:
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(io.StringIO()):
        code = main(list(argv))
    return code, buffer.getvalue().split("\n")[:-1]  # "\n" only: U+2028 may sit in a line
