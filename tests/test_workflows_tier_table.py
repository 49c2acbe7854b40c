"""Workflow: a nightly job tiers a book in chunks and stores it as Parquet for pandas and polars.

The book arrives as Arrow record batches; the job tiers each chunk with the
whole book's Pareto cut, concatenates the chunk tables, writes one Parquet
file with pyarrow, and the analysts read it back with pandas and polars.
The low-cardinality columns (tier, rule ids, movement, reasons, KYC items,
playbook) are dictionary-encoded over dictionaries the playbook fixes, so
every chunk carries the same dictionary: the concatenation needs no
re-encoding, the file stores each column once per dictionary, pandas reads
categoricals and polars ``Categorical`` columns, and every value equals
the scalar ``assign_tier`` of that customer.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow", reason='needs pip install "custtier[frames]"')
pq = pytest.importorskip("pyarrow.parquet")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

import custtier.frames as cf  # noqa: E402  # after the importorskip above, on purpose
from custtier import assign_tier, presets, synth  # noqa: E402

AS_OF = dt.date(2026, 11, 30)
PB = presets.PRACTICE
#: The columns that hold one of a few values, dictionary-encoded.
CODED = ("tier", "rule_tier", "decided_by", "movement", "previous_tier")
LISTS = ("reason_codes", "rule_ids", "kyc_gaps")
AUDIT = ("playbook_id", "playbook_version", "playbook_hash")


def expected_row(decision: Any) -> dict[str, Any]:
    """What the stored row must say, read off the scalar decision."""
    return {
        "customer_key": decision.customer_key,
        "tier": decision.tier,
        "rule_tier": decision.rule_tier,
        "decided_by": decision.decided_by,
        "movement": decision.movement.value,
        "reason_codes": [r.code.value for r in decision.reasons],
        "rule_ids": [r.rule_id for r in decision.reasons],
        "kyc_gaps": [g.value for g in decision.kyc_gaps],
        "basis_average_daily_balance": decision.basis_values.get("average_daily_balance"),
        "playbook_hash": decision.playbook.content_hash,
    }


def test_a_nightly_job_tiers_a_book_in_two_chunks_stores_parquet_and_reads_it_in_pandas_and_polars(
    tmp_path: Path,
) -> None:
    book = synth.book(1200, seed=31, as_of=AS_OF)
    customers = list(book.customers)
    table = cf.tier_input_table(customers, PB, as_of=AS_OF)
    chunks = [table.slice(0, 700), table.slice(700)]
    # Pass 1: the Pareto cut needs the whole book; each chunk reports its candidates.
    candidates = pa.concat_tables([cf.pareto_candidates(c, PB, as_of=AS_OF) for c in chunks])
    cut = cf.pareto_cut(candidates, PB)
    # Pass 2: each chunk tiered on its own, then joined.
    outputs = [cf.tier_table(c, PB, as_of=AS_OF, pareto_cut=cut) for c in chunks]
    tiered = pa.concat_tables(outputs)
    assert tiered.schema.equals(cf.tier_output_schema(PB))
    # Every chunk carries the playbook's dictionaries, so joining them is exact and cheap.
    dictionaries = cf.tier_output_dictionaries(PB)
    for name in (*CODED, *AUDIT):
        for chunk in tiered.column(name).chunks:
            assert chunk.dictionary.to_pylist() == list(dictionaries[name])
    for name in LISTS:
        for chunk in tiered.column(name).chunks:
            assert chunk.values.dictionary.to_pylist() == list(dictionaries[name])
    assert tiered.combine_chunks().column("tier").chunk(0).dictionary.to_pylist() == list(
        dictionaries["tier"]
    )

    path = tmp_path / "tiers-2026-11-30.parquet"
    pq.write_table(tiered, path)
    scalar = {
        c.key: expected_row(assign_tier(c, PB, as_of=AS_OF, pareto_cut=cut)) for c in customers
    }
    assert any(r["decided_by"] == PB.tiering.pareto.rule_id for r in scalar.values())  # type: ignore[union-attr]
    assert len({r["tier"] for r in scalar.values()}) == len(PB.tiers)

    frame = pd.read_parquet(path)
    assert isinstance(frame["tier"].dtype, pd.CategoricalDtype)
    assert list(frame["tier"].cat.categories) == list(dictionaries["tier"])
    assert len(frame) == len(customers)
    for row in frame.to_dict("records"):
        want = scalar[row["customer_key"]]
        got = {name: row[name] for name in want}
        for name in LISTS:
            got[name] = list(got[name])
        assert got == want

    polars = pl.read_parquet(path)
    assert polars.schema["tier"] == pl.Categorical
    assert len(polars) == len(customers)
    for row in polars.iter_rows(named=True):
        want = scalar[row["customer_key"]]
        assert {name: row[name] for name in want} == want
