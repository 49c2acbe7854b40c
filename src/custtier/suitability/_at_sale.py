"""What holds on the day of sale: the assessment's effective validity and the customer's age.

Both are read on the ``as_of`` of every suitability check and allocation,
never taken from the record alone: an imported assessment may carry any
``valid_until``, and a customer ages during a valid assessment.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from custtier._dates import age_on
from custtier._validity import ValidityBound, effective_until, relied_until
from custtier.models import Customer, RiskAssessment
from custtier.suitability._tables import RiskTables

__all__ = [
    "AgeSource",
    "ValidityBound",
    "effective_validity",
    "elderly_by_answer",
    "elderly_by_birth",
    "elderly_sources",
    "validity_on",
]


class AgeSource(StrEnum):
    """What told the engine a customer is elderly."""

    BIRTH_DATE = "birth_date"
    AGE_ANSWER = "age_answer"  # the questionnaire's age answer, aged since the assessment


def effective_validity(assessment: RiskAssessment, t: RiskTables) -> tuple[dt.date, ValidityBound]:
    """The earlier of the record's ``valid_until`` and ``assessed_on`` + the playbook's validity.

    On a tie the record's own bound is named.
    """
    return effective_until(assessment, t.validity_months)


def validity_on(
    assessed_on: dt.date, valid_until: dt.date, t: RiskTables, as_of: dt.date
) -> tuple[tuple[dt.date, ValidityBound], bool]:
    """An assessment's effective validity, and whether a sale on ``as_of`` may rely on it."""
    until = relied_until(assessed_on, valid_until, t.validity_months)
    return until, assessed_on <= as_of <= until[0]


def valid_assessment(customer: Customer, t: RiskTables, as_of: dt.date) -> RiskAssessment | None:
    """The customer's assessment if it may be relied on for a sale on ``as_of``."""
    ra = customer.risk_assessment
    if ra is None:
        return None
    return ra if validity_on(ra.assessed_on, ra.valid_until, t, as_of)[1] else None


def answered_min_age(assessment: RiskAssessment, t: RiskTables) -> int | None:
    """The youngest age the assessment's answer to the playbook's age question states."""
    if t.age_question is None:
        return None
    for answer in assessment.answers:
        if answer.question_id == t.age_question:
            return t.age_min.get(answer.option_id)
    return None


def elderly_sources(customer: Customer, t: RiskTables, as_of: dt.date) -> tuple[AgeSource, ...]:
    """Which known facts make the customer ``elderly_age`` or older on ``as_of`` (empty: none).

    The birth date gives the age; the age answer gives a youngest age on the
    day of the assessment, aged by the whole years since. Either one
    suffices (with both known, the stricter reading wins).
    """
    found: list[AgeSource] = []
    if customer.birth_date is not None and elderly_by_birth(customer.birth_date, t, as_of):
        found.append(AgeSource.BIRTH_DATE)
    ra = customer.risk_assessment
    if ra is not None:
        youngest = answered_min_age(ra, t)
        if youngest is not None and elderly_by_answer(youngest, ra.assessed_on, t, as_of):
            found.append(AgeSource.AGE_ANSWER)
    return tuple(found)


def elderly_by_birth(born: dt.date, t: RiskTables, as_of: dt.date) -> bool:
    """``elderly_age`` or older on ``as_of`` by the birth date."""
    return age_on(born, as_of) >= t.elderly_age


def elderly_by_answer(youngest: int, assessed_on: dt.date, t: RiskTables, as_of: dt.date) -> bool:
    """``elderly_age`` or older on ``as_of`` by an age answer: ``youngest`` then, whole years since."""
    return youngest + age_on(assessed_on, as_of) >= t.elderly_age
