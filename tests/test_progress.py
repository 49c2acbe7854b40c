"""Progress callbacks: monotone, sparse, and always ending at the total."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from custtier import plan_contacts, presets, synth, tier_book
from custtier._progress import Ticker

AS_OF = dt.date(2026, 11, 30)


def _well_formed(calls: list[tuple[int, int]], total: int) -> None:
    assert calls, "no progress reported"
    assert calls[-1] == (total, total)
    assert all(t == total for _, t in calls)
    done = [d for d, _ in calls]
    assert done == sorted(done)
    assert all(0 <= d <= total for d in done)


@given(st.lists(st.integers(0, 50), max_size=30), st.integers(1, 40))
def test_a_ticker_reports_rarely_in_order_and_ends_at_the_total(
    steps: list[int], every: int
) -> None:
    total = sum(steps)
    calls: list[tuple[int, int]] = []
    ticker = Ticker(lambda d, t: calls.append((d, t)), total, every=every)
    for units in steps:
        ticker.add(units)
    ticker.finish()
    _well_formed(calls, total)
    assert len(calls) <= total // every + 1  # at most one report per step, plus the last
    assert (total, total) not in calls[:-1]  # the end is reported once


def test_tier_book_counts_every_record_including_invalid_ones() -> None:
    book = synth.book(500, seed=3, as_of=AS_OF)
    records: list[object] = [*book.customers, {"key": "bad key"}, {"key": "C-x", "aum": "1"}]
    calls: list[tuple[int, int]] = []
    result = tier_book(records, presets.PRACTICE, as_of=AS_OF,  # type: ignore[arg-type]
                       progress=lambda d, t: calls.append((d, t)))  # fmt: skip
    _well_formed(calls, len(records))
    assert len(result.errors) == 2
    assert 50 <= len(calls) <= 110  # about every 1 %


def test_plan_contacts_counts_required_contacts() -> None:
    book = synth.book(200, seed=5, as_of=AS_OF)
    tiers = {
        d.customer_key: d
        for d in tier_book(book.customers, presets.PRACTICE, as_of=AS_OF).decisions
    }
    calls: list[tuple[int, int]] = []
    plan = plan_contacts(book.customers, presets.PRACTICE, start=AS_OF,
                         end=AS_OF + dt.timedelta(days=90), tiers=tiers,
                         progress=lambda d, t: calls.append((d, t)))  # fmt: skip
    _well_formed(calls, plan.required)
    assert plan.required > 100


def test_an_empty_book_reports_zero_of_zero() -> None:
    calls: list[tuple[int, int]] = []
    tier_book([], presets.PRACTICE, as_of=AS_OF, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(0, 0)]
