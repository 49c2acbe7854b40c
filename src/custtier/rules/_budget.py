"""The work budget: how much contact work a playbook may ask for, checked before any plan.

A playbook is configuration a bank loads from another system; a valid one
must not be able to take a job down. ``FREQ=SECONDLY`` once took a minute and
1.3 GB for one customer over a week, and ``interval_days: 1`` for 2,000
customers over three years ran out of memory. The budget caps the finest
recurrence a contact rule may have and the contacts per customer per year a
rule, and a tier's rules together, may produce. Validation refuses a playbook
beyond it, naming the rule; the planner and the columnar expansion check the
same counts again for their horizon before they allocate anything
(:func:`horizon_limit`), so the work of a plan is at most linear in the
number of customers and the length of the horizon.

What the budget counts per customer and year: a recurring rule's occurrences
(``interval_days`` or ``rrule``), a holiday rule's holidays, a birthday rule's
one greeting, a KYC-refresh or risk rule's due dates (by the shortest review
interval or the validity period), and the campaigns of a year. Important
dates and product maturities come one per record the customer has: the
record's size bounds them, not the rules.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from custtier._enum import Vocabulary
from custtier.models._base import CusttierModel
from custtier.models._types import Identifier, Whole
from custtier.rules._rrule import FREQUENCIES, parse_rrule

if TYPE_CHECKING:
    from custtier.rules._cadence import CadenceRules, ContactRule

__all__ = [
    "Frequency",
    "WorkBudget",
    "bounded_dates",
    "budget_problems",
    "horizon_limit",
    "rrule_count",
    "yearly_counts",
]

_YEAR = dt.timedelta(days=366)


class Frequency(Vocabulary):
    """The finest recurrence a contact rule may have (RFC 5545 frequencies a plan can use)."""

    YEARLY = "yearly"
    MONTHLY = "monthly"
    WEEKLY = "weekly"
    DAILY = "daily"


class WorkBudget(CusttierModel):
    """How much contact work the playbook's rules may ask for, per customer.

    ``finest_frequency``: an RRULE's ``FREQ`` may be no finer (``HOURLY`` and
    finer are never allowed: contacts are planned per day). ``min_interval_days``:
    the shortest ``interval_days`` of a periodic rule. ``max_per_rule_per_year``:
    the most contacts one rule may produce for one customer in any year;
    ``max_per_customer_per_year``: the most a tier's rules and campaigns
    together may produce for one of its customers in a year.
    """

    rule_id: Identifier = "cadence.budget"
    finest_frequency: Frequency = Frequency.DAILY
    min_interval_days: Whole = Field(default=7, ge=1, le=366)
    max_per_rule_per_year: Whole = Field(default=53, ge=1, le=366)
    max_per_customer_per_year: Whole = Field(default=120, ge=1, le=5000)
    source: Identifier | None = None

    @model_validator(mode="after")
    def _consistent(self) -> WorkBudget:
        if self.max_per_rule_per_year > self.max_per_customer_per_year:
            raise ValueError("max_per_rule_per_year must not exceed max_per_customer_per_year")
        return self

    def allows(self, freq: str) -> bool:
        """Whether an RRULE ``FREQ`` (``"WEEKLY"``) is no finer than ``finest_frequency``."""
        finest = FREQUENCIES.index(self.finest_frequency.value.upper())
        return freq.upper() in FREQUENCIES and FREQUENCIES.index(freq.upper()) <= finest


def bounded_dates(
    recurrence: Iterable[dt.datetime], lo: dt.datetime, hi: dt.datetime, limit: int
) -> list[dt.datetime]:
    """The dates of ``recurrence`` in ``[lo, hi]``, stopping one past ``limit``.

    Stopping early means a rule that would produce millions of dates costs
    ``limit`` steps and ``limit`` dates, not millions.
    """
    out: list[dt.datetime] = []
    for day in recurrence:
        if day > hi:
            break
        if day >= lo:
            out.append(day)
            if len(out) > limit:
                break
    return out


def rrule_count(text: str, anchor: dt.date, start: dt.date, end: dt.date, limit: int) -> int:
    """Occurrences of the RRULE ``text`` from ``anchor`` in ``[start, end]``, to ``limit + 1``."""
    recurrence = parse_rrule(text, dt.datetime.combine(anchor, dt.time()))
    lo, hi = dt.datetime.combine(start, dt.time()), dt.datetime.combine(end, dt.time.max)
    return len(bounded_dates(recurrence, lo, hi, limit))


def _rule_per_year(rule: ContactRule, cad: CadenceRules, validity_months: int) -> int:
    if rule.interval_days is not None:
        return math.ceil(366 / rule.interval_days)
    if rule.rrule is not None and rule.anchor is not None:
        # The year from the anchor: RRULE patterns repeat yearly or slower. The
        # planner counts each plan's own horizon again before it allocates.
        first = rule.anchor
        last = first + min(_YEAR - dt.timedelta(days=1), dt.date.max - first)
        return rrule_count(rule.rrule, first, first, last, cad.budget.max_per_rule_per_year)
    shortest_review = min((r.interval_months for r in cad.kyc_reviews), default=12)
    per_year = {
        "holiday": len(rule.holidays),
        "birthday": 1,
        "kyc_refresh": math.ceil(12 / shortest_review),
        "risk_reassessment": math.ceil(12 / validity_months),
    }
    # Important dates and maturities: one per record the customer has.
    return per_year.get(str(rule.occasion), 0)


def yearly_counts(cad: CadenceRules, validity_months: int) -> dict[str, int]:
    """Contacts per customer per year each contact rule may produce, by rule id."""
    return {r.id: _rule_per_year(r, cad, validity_months) for r in cad.contact_rules}


def _campaigns_per_year(cad: CadenceRules, tier: str) -> int:
    years: dict[int, int] = {}
    for camp in cad.campaigns:
        if tier in camp.segment.tiers:
            for year in range(camp.start_on.year, camp.end_on.year + 1):
                years[year] = years.get(year, 0) + 1
    return max(years.values(), default=0)


def budget_problems(
    cad: CadenceRules, tiers: list[str], validity_months: int
) -> Iterator[tuple[str, str]]:
    """Rules and tiers beyond the budget, as ``(path, message)`` naming the rule."""
    budget = cad.budget
    counts: dict[str, int] = {}
    for i, rule in enumerate(cad.contact_rules):
        path = f"cadence.contact_rules.{i}"
        if rule.rrule is not None:
            freq = _freq(rule.rrule)
            if freq is not None and not budget.allows(freq):
                yield (
                    f"{path}.rrule",
                    f"rule {rule.id!r} recurs {freq.lower()}, finer than the budget's "
                    f"finest_frequency ({budget.finest_frequency}); see cadence.budget",
                )
                continue  # not counted: counting a finer rule is the work refused
        if rule.interval_days is not None and rule.interval_days < budget.min_interval_days:
            yield (
                f"{path}.interval_days",
                f"rule {rule.id!r} recurs every {rule.interval_days} day(s), more often than the "
                f"budget's min_interval_days ({budget.min_interval_days}); see cadence.budget",
            )
        count = _rule_per_year(rule, cad, validity_months)
        counts[rule.id] = count
        if count > budget.max_per_rule_per_year:
            yield (
                path,
                f"rule {rule.id!r} asks for more contacts per customer a year than the budget's "
                f"max_per_rule_per_year ({budget.max_per_rule_per_year}); see cadence.budget",
            )
    for tier in tiers:
        total = sum(counts.get(r.id, 0) for r in cad.contact_rules if r.tier == tier)
        total += _campaigns_per_year(cad, tier)
        if total > budget.max_per_customer_per_year:
            yield (
                "cadence.budget.max_per_customer_per_year",
                f"tier {tier!r}'s rules and campaigns ask for up to {total} contacts per customer "
                f"a year, more than the budget allows ({budget.max_per_customer_per_year})",
            )


def _freq(text: str) -> str | None:
    for piece in text.split(";"):
        name, _, value = piece.partition("=")
        if name.strip().upper() == "FREQ":
            return value.strip().upper()
    return None


def horizon_limit(budget: WorkBudget, start: dt.date, end: dt.date) -> int:
    """The most contacts one rule may produce for one customer over ``[start, end]``.

    The yearly budget for every started year of the horizon (a three-year
    plan may hold up to four calendar years' worth of a rule's dates).
    """
    years = (end - start).days // 365 + 1
    return budget.max_per_rule_per_year * years
