"""A customer's risk assessment: answers, score, level and validity."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, model_validator

from custtier.models._base import CusttierModel
from custtier.models._types import Day, Identifier, Whole

__all__ = ["Answer", "RiskAssessment"]


class Answer(CusttierModel):
    """The option a customer chose for one questionnaire question."""

    question_id: Identifier
    option_id: Identifier


class RiskAssessment(CusttierModel):
    """The outcome of a risk questionnaire, valid on ``[assessed_on, valid_until]``.

    >>> import datetime as dt
    >>> ra = RiskAssessment(level="C3", score=52, assessed_on=dt.date(2026, 3, 1),
    ...                     valid_until=dt.date(2027, 2, 28))
    >>> ra.is_valid_on(dt.date(2027, 3, 1))
    False
    """

    level: Identifier
    score: Whole = Field(ge=0, le=1000)
    assessed_on: Day
    valid_until: Day
    answers: tuple[Answer, ...] = ()
    playbook_id: str | None = None
    playbook_version: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> RiskAssessment:
        self._check_dates()
        return self

    def _check_dates(self) -> None:
        if self.valid_until < self.assessed_on:
            raise ValueError("valid_until must not be before assessed_on")

    def is_valid_on(self, day: dt.date) -> bool:
        """Whether the assessment may be relied on for a sale on ``day``."""
        return self.assessed_on <= day <= self.valid_until
