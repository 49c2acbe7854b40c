"""Playbook section: risk levels, the questionnaire, and the suitability matrix."""

from __future__ import annotations

from pydantic import Field, model_validator

from custtier._enum import Vocabulary
from custtier.models._base import CusttierModel
from custtier.models._types import Identifier, Label, Whole

__all__ = [
    "Check",
    "Level",
    "Option",
    "PolicyRule",
    "Question",
    "QuestionTopic",
    "RiskRules",
    "ScoreBand",
    "SuitabilityRow",
]


class Level(CusttierModel):
    """A risk level (customer or product), listed lowest first."""

    id: Identifier
    label: Label = Field(min_length=1, max_length=80)
    description: str = ""


class QuestionTopic(Vocabulary):
    """What a question asks about; the elderly rule weighs some topics."""

    AGE = "age"
    FINANCES = "finances"
    EXPERIENCE = "experience"
    OBJECTIVE = "objective"
    HORIZON = "horizon"
    LIQUIDITY = "liquidity"
    LOSS_TOLERANCE = "loss_tolerance"


class Option(CusttierModel):
    """One answer option and its score.

    ``min_age`` (on a question of topic ``age`` only) is the youngest age the
    option states ("65 or over" → 65): the suitability engine reads it, aged by
    the years since the assessment, to apply the elderly rules at the point of
    sale when no birth date is known.
    """

    id: Identifier
    text: str = Field(min_length=1)
    score: Whole = Field(ge=0, le=100)
    min_age: Whole | None = Field(default=None, ge=0, le=150)


class Question(CusttierModel):
    """A questionnaire question with its options."""

    id: Identifier
    topic: QuestionTopic
    text: str = Field(min_length=1)
    options: tuple[Option, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _ages_on_age_questions(self) -> Question:
        if self.topic is not QuestionTopic.AGE and any(o.min_age is not None for o in self.options):
            raise ValueError("min_age is only meaningful on options of a question of topic 'age'")
        return self


class ScoreBand(CusttierModel):
    """A total score in ``[lower, upper]`` (inclusive integers) means customer level ``level``."""

    rule_id: Identifier
    level: Identifier
    lower: Whole = Field(ge=0)
    upper: Whole = Field(ge=0)


class SuitabilityRow(CusttierModel):
    """A customer at ``customer_level`` may buy products up to ``max_product_level``."""

    rule_id: Identifier
    customer_level: Identifier
    max_product_level: Identifier
    source: str | None = None


class Check(Vocabulary):
    """Suitability checks a playbook switches on, each with its rule id and source."""

    ASSESSMENT_REQUIRED = "assessment_required"  # no valid assessment: risk-free products only
    LEVEL_MATRIX = "level_matrix"  # product level at most the customer's row allows
    TIER_RESERVATION = "tier_reservation"  # products reserved for tiers
    MINIMUM_AND_INCREMENT = "minimum_and_increment"
    COOLING_OFF = "cooling_off"  # condition of sale, not a block
    ELDERLY_CONFIRMATION = "elderly_confirmation"  # flag, not a block
    RECORDED_SALE = "recorded_sale"  # in-branch sale of a risky product is recorded (flag)


class PolicyRule(CusttierModel):
    """A suitability check the playbook applies, with its rule id and cited source."""

    rule_id: Identifier
    check: Check
    source: str | None = None


class RiskRules(CusttierModel):
    """Risk levels, the questionnaire that assigns them, and what each level may buy.

    ``risk_free_categories`` are the product categories (deposits, typically)
    that may be sold without a valid risk assessment. ``policy`` lists the
    suitability checks applied, each with a rule id and source; a check not
    listed is not applied. ``elderly_max_level`` caps the level an assessment
    gives a customer aged ``elderly_age`` or more (who is also flagged for
    extra confirmation).
    """

    customer_levels: tuple[Level, ...] = Field(min_length=2)
    product_levels: tuple[Level, ...] = Field(min_length=2)
    questionnaire: tuple[Question, ...] = Field(min_length=1)
    score_bands: tuple[ScoreBand, ...] = Field(min_length=2)
    suitability: tuple[SuitabilityRow, ...] = Field(min_length=2)
    risk_free_categories: tuple[Identifier, ...] = Field(min_length=1)
    policy: tuple[PolicyRule, ...] = ()
    validity_months: Whole = Field(default=12, ge=1, le=36)
    elderly_age: Whole = Field(default=65, ge=50, le=100)
    elderly_max_level: Identifier | None = None
    source: str | None = None
