"""The horizon a plan may cover and the work it may ask for: checked once, for both paths.

The scalar planner and the columnar expansion build the same per-plan tables
(``cadence._tables``), which call :func:`check_budget` before anything is
expanded: per customer, no rule may produce more than the playbook's
``cadence.budget.max_per_rule_per_year`` for every started year of the
horizon, and a tier's rules together no more than
``max_per_customer_per_year`` for each. A plan beyond it is refused with a
:class:`~custtier.errors.PlaybookError` naming the rule, before any memory
is allocated for it; it is never truncated or split silently. Validation
already refuses playbooks beyond the budget, so this second check only
fires for recurrences whose later years are busier than their first, or
for a playbook built without validation.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from custtier.errors import InputError, PlaybookError
from custtier.rules._budget import budget_problems, horizon_limit

if TYPE_CHECKING:
    from custtier.rules import Playbook

__all__ = [
    "FIRST_PLAN_DAY",
    "LAST_PLAN_DAY",
    "MAX_HORIZON_DAYS",
    "check_budget",
    "check_horizon",
    "over_budget",
]

MAX_HORIZON_DAYS = 3 * 366

# A year of room on either side of a horizon: lead and flex days (at most 366)
# reach past its ends, and ``datetime.date`` stops at years 1 and 9999.
FIRST_PLAN_DAY = dt.date(2, 1, 1)
LAST_PLAN_DAY = dt.date(9998, 12, 31)


def check_horizon(start: dt.date, end: dt.date, *, what: str = "plan") -> None:
    """Raise :class:`InputError` unless ``[start, end]`` is a horizon custtier can plan.

    >>> check_horizon(dt.date(9999, 1, 1), dt.date(9999, 1, 31))
    Traceback (most recent call last):
    ...
    custtier.errors.InputError: a plan must lie between 0002-01-01 and 9998-12-31 (lead and flex days reach a year past its ends)
    """
    if end < start:
        raise InputError("end must not be before start", field="end")
    for name, day in (("start", start), ("end", end)):
        if not FIRST_PLAN_DAY <= day <= LAST_PLAN_DAY:
            raise InputError(
                f"a {what} must lie between {FIRST_PLAN_DAY} and {LAST_PLAN_DAY} "
                "(lead and flex days reach a year past its ends)",
                field=name,
            )
    if (end - start).days >= MAX_HORIZON_DAYS:
        raise InputError(
            f"a {what} covers at most three years; plan longer spans in parts", field="end"
        )


def over_budget(rule_id: str, limit: int) -> PlaybookError:
    """The error for a rule that would produce more than ``limit`` contacts a customer."""
    return PlaybookError(
        [
            (
                f"cadence.contact_rules[{rule_id}]",
                f"rule {rule_id!r} would produce more than {limit} contacts per customer over "
                "this horizon, beyond cadence.budget; plan was refused before it was built",
            )
        ]
    )


def check_budget(playbook: Playbook, start: dt.date, end: dt.date) -> None:
    """Refuse a plan whose interval rules or tiers exceed the budget over ``[start, end]``.

    RRULE rules are counted where their dates are listed (bounded by the same
    limit); here interval rules, by arithmetic, and each tier's yearly total.
    """
    cad = playbook.cadence
    budget = cad.budget
    limit = horizon_limit(budget, start, end)
    days = (end - start).days + 1
    for rule in cad.contact_rules:
        if rule.interval_days is not None and -(-days // rule.interval_days) > limit:
            raise over_budget(rule.id, limit)
    tiers = [t.id for t in playbook.tiers]
    problems = list(budget_problems(cad, tiers, playbook.risk.validity_months))
    if problems:
        raise PlaybookError(problems, playbook_id=playbook.id)
