"""Contact-cadence benchmark: 12 months of contacts for a synthetic book.

Run: ``python benchmarks/bench_cadence.py [--customers N] [--full]``
(``--full`` plans 100,000 customers; needs the ``calendars`` extra).
Measured in one run on the same book, the practice preset and the China
holiday calendar:

* date expansion: the planner's per-customer expansion (every required
  contact with its window: birthdays with the 29 February policy, lunar
  dates, holidays, periodic contacts, KYC / risk / maturity due dates,
  campaigns) against a bare stdlib baseline computing the same dates with
  plain ``datetime`` arithmetic, and against the naive per-customer
  ``rrule`` (a fresh recurrence per customer and rule);
* levelling (consent, caps, capacity, touchpoints with reasons) reported
  separately, and the whole ``plan_contacts`` call.

Timings are best-of-N with the cyclic collector off, as the planner runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import platform
import sys
import time
import zlib
from collections.abc import Callable
from typing import Any

from dateutil.rrule import DAILY, YEARLY, rrule

from custtier import Customer, HolidaysCalendar, plan_contacts, presets, synth, tier_book
from custtier.cadence import _expand, _plan, _tables
from custtier.cadence._dates import add_months
from custtier.cadence._level import Leveller
from custtier.models import AmlRating

START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
PB = presets.PRACTICE


def best_of(fn: Callable[[], Any], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def baseline(customers: list[Customer], tiers: dict[str, str], t: _tables.Tables) -> int:  # noqa: PLR0912  # one branch per occasion, as in the planner
    """The same dates with bare stdlib arithmetic: no reasons, no items, no policies objects."""
    count = 0
    months = {r.aml_rating: r.interval_months for r in PB.cadence.kyc_reviews}
    for c in customers:
        for rule in t.rules[tiers[c.key]]:
            occ = rule.occasion
            if occ == "birthday" and c.birth_date is not None:
                b = c.birth_date
                for y in (START.year,):
                    if b.month == 2 and b.day == 29 and y % 4:
                        d = dt.date(y, 2, 28)
                    else:
                        d = b.replace(year=y)
                    count += START <= d <= END
            elif occ == "holiday":
                count += sum(
                    isinstance(t.holiday_dates[n, y], dt.date)
                    for y in t.years
                    for n in rule.holidays
                )
            elif rule.interval_days:
                step = rule.interval_days
                due = START + dt.timedelta(days=zlib.crc32(f"{c.key}|{rule.id}".encode()) % step)
                while due <= END:
                    count += 1
                    due += dt.timedelta(days=step)
            elif rule.rrule:
                count += len(t.rrule_dates[rule.id])
            elif occ == "kyc_refresh":
                rating = (c.kyc.aml_rating if c.kyc else None) or AmlRating.HIGH
                last = c.kyc.last_reviewed_on if c.kyc else None
                due = add_months(last, months[rating]) if last else START
                while due <= END:
                    count += 1
                    due = add_months(max(due, START), months[rating])
            elif occ == "risk_reassessment" and c.risk_assessment is not None:
                count += c.risk_assessment.valid_until <= END
            elif occ == "product_maturity":
                count += sum(
                    1 for h in c.products_held if h.matures_on and START <= h.matures_on <= END
                )
        count += len(t.campaigns[tiers[c.key]])
    return count


def naive_rrule(customers: list[Customer], tiers: dict[str, str], t: _tables.Tables) -> int:
    """A fresh ``rrule`` per customer and rule (what the hot path must avoid)."""
    count = 0
    lo, hi = dt.datetime.combine(START, dt.time()), dt.datetime.combine(END, dt.time())
    for c in customers:
        for rule in t.rules[tiers[c.key]]:
            if rule.occasion == "birthday" and c.birth_date is not None:
                b = c.birth_date
                r = rrule(YEARLY, dtstart=dt.datetime.combine(b, dt.time()), bymonth=b.month,
                          bymonthday=b.day)  # fmt: skip
                count += len(r.between(lo, hi, inc=True))
            elif rule.interval_days:
                first = lo + dt.timedelta(days=zlib.crc32(f"{c.key}|{rule.id}".encode()) % 90)
                count += len(rrule(DAILY, interval=rule.interval_days, dtstart=first).between(
                    lo, hi, inc=True))  # fmt: skip
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--full", action="store_true", help="plan 100,000 customers")
    args = parser.parse_args()
    n = 100_000 if args.full else args.customers
    print(f"machine: {platform.platform()}, Python {sys.version.split()[0]}, "
          f"{platform.processor() or platform.machine()}")  # fmt: skip
    t0 = time.perf_counter()
    gc.disable()
    book = synth.book(n, seed=7, as_of=dt.date(2025, 12, 31))
    decisions = tier_book(book.customers, PB, as_of=dt.date(2025, 12, 31)).decisions
    tiers = {d.customer_key: d.tier for d in decisions}
    print(f"book of {n:,} customers built and tiered in {time.perf_counter() - t0:.1f} s")
    cal = HolidaysCalendar("CN")
    t = _tables.tables(PB, START, END, cal)
    customers = list(book.customers)

    def expansion() -> list[Any]:
        out: list[Any] = []
        for c in customers:
            out += _expand.expand(c, tiers[c.key], t, {})
        return out

    items = expansion()
    exp = best_of(expansion)
    base = best_of(lambda: baseline(customers, tiers, t))
    sample = customers[: min(2_000, n)]
    naive = best_of(lambda: naive_rrule(sample, tiers, t), repeat=1) * n / len(sample)
    by_key = {c.key: c for c in customers}
    pairs = [(i, by_key[i.key]) for i in items]

    def levelling() -> None:
        lv = Leveller(t, {m.id: m for m in book.managers}, (), set(by_key))
        _plan._level(pairs, lv, t)

    lev = best_of(levelling, repeat=1)
    whole = best_of(
        lambda: plan_contacts(
            customers, PB, start=START, end=END, tiers=tiers, calendar=cal, managers=book.managers
        ),
        repeat=1,
    )
    plan = plan_contacts(customers, PB, start=START, end=END, tiers=tiers, calendar=cal,
                         managers=book.managers)  # fmt: skip
    gc.enable()
    us = 1e6 / n
    print(f"required contacts: {len(items):,} ({len(items) / n:.1f} per customer); "
          f"touchpoints {len(plan.touchpoints):,}, unscheduled {plan.unscheduled_counts()}")  # fmt: skip
    print(f"date expansion (custtier):       {exp * us:8.1f} µs/customer")
    print(f"date expansion (bare stdlib):    {base * us:8.1f} µs/customer  "
          f"-> custtier is {exp / base:.2f}x")  # fmt: skip
    print(f"naive per-customer rrule:        {naive * us:8.1f} µs/customer  "
          f"-> {naive / base:.0f}x the baseline")  # fmt: skip
    print(f"levelling (consent, caps, capacity, reasons): {lev * us:8.1f} µs/customer, "
          f"{lev:.2f} s total")  # fmt: skip
    print(f"plan_contacts end to end:        {whole * us:8.1f} µs/customer, {whole:.2f} s total")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
