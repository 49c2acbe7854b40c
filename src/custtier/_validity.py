"""How long a risk assessment may be relied on: the rule the sale and the contact planner share.

The earlier of the record's ``valid_until`` and ``assessed_on`` + the
playbook's ``validity_months``: an imported record may carry any
``valid_until``. Suitability checks refuse a sale after that day, and the
cadence planner schedules the re-assessment by it, so both read it here
(engines do not import each other).
"""

from __future__ import annotations

import datetime as dt

from custtier._cache import cached
from custtier._dates import months_later
from custtier._enum import Vocabulary
from custtier.models import RiskAssessment

__all__ = [
    "ValidityBound",
    "effective_until",
    "ends_past_calendar",
    "playbook_until",
    "relied_until",
]


class ValidityBound(Vocabulary):
    """Which bound ended (or ends) an assessment's validity."""

    RECORD = "valid_until"  # the record's own valid_until
    PLAYBOOK = "validity_months"  # assessed_on + the playbook's validity_months


@cached(maxsize=8192)
def playbook_until(assessed_on: dt.date, months: int) -> dt.date:
    """The last day the playbook lets an assessment made on ``assessed_on`` be relied on.

    As :func:`custtier.assess_risk` sets ``valid_until``: the day before the
    same date ``months`` on (clipped to the end of a shorter month).

    >>> playbook_until(dt.date(2026, 3, 1), 12), playbook_until(dt.date(2027, 2, 28), 12)
    (datetime.date(2027, 2, 28), datetime.date(2028, 2, 27))
    >>> playbook_until(dt.date(9999, 6, 1), 12)  # past the calendar: no bound before its end
    datetime.date(9999, 12, 31)
    >>> from dateutil.relativedelta import relativedelta
    >>> playbook_until(dt.date(2024, 2, 29), 12) == dt.date(2024, 2, 29) + relativedelta(
    ...     months=12) - dt.timedelta(days=1)
    True
    """
    # Memoised: a book has few distinct dates, and this runs once per sale check.
    later = months_later(assessed_on, months)
    if later is None:  # past the calendar: the record's own bound is the earlier
        return dt.date.max
    return later - dt.timedelta(days=1)


def ends_past_calendar(assessed_on: dt.date, months: int) -> bool:
    """Whether :func:`playbook_until`'s true day falls after 9999-12-31, where ``date`` ends.

    Made on 9999-01-01, a 12-month assessment is relied on through
    9999-12-31 (the day before 10000-01-01): still inside the calendar.

    >>> ends_past_calendar(dt.date(9999, 1, 1), 12), ends_past_calendar(dt.date(9999, 1, 2), 12)
    (False, True)
    """
    index = assessed_on.month - 1 + months
    year, month = assessed_on.year + index // 12, index % 12 + 1
    return year > dt.MAXYEAR and (year, month, assessed_on.day) != (dt.MAXYEAR + 1, 1, 1)


def effective_until(
    assessment: RiskAssessment, validity_months: int
) -> tuple[dt.date, ValidityBound]:
    """The last day ``assessment`` may be relied on, and which bound sets it (a tie: the record's).

    >>> ra = RiskAssessment(level="C3", score=50, assessed_on=dt.date(2025, 10, 1),
    ...                     valid_until=dt.date(2027, 12, 31))
    >>> effective_until(ra, 12)
    (datetime.date(2026, 9, 30), <ValidityBound.PLAYBOOK: 'validity_months'>)
    """
    return relied_until(assessment.assessed_on, assessment.valid_until, validity_months)


def relied_until(
    assessed_on: dt.date, valid_until: dt.date, validity_months: int
) -> tuple[dt.date, ValidityBound]:
    """:func:`effective_until` from the assessment's two dates (the columnar path's shape)."""
    limit = playbook_until(assessed_on, validity_months)
    if valid_until <= limit:
        return valid_until, ValidityBound.RECORD
    return limit, ValidityBound.PLAYBOOK
