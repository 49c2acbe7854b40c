"""The codes of a suitability check's trace, shared by the scalar and columnar paths.

``custtier.frames.suitability_table`` lays these out per row and finds each
distinct combination once; the names say what the scalar engine decided at
each step (``custtier.suitability._check.evaluate``).
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["AmountCheck", "LevelStep"]


class LevelStep(IntEnum):
    """What the level step found: risk-free product, assessment, matrix, elderly cap."""

    __hash__ = int.__hash__  # as the int it equals: numpy codes find the same entries

    NONE = 0  # none of these checks is in the playbook's policy
    RISK_FREE = 1  # a risk-free product at the lowest level: sold without an assessment
    NO_ASSESSMENT = 2
    EXPIRED = 3  # the assessment is not valid on the day of sale
    EXCEEDED = 4  # the product is above the customer's row of the matrix
    WITHIN = 5
    ELDERLY_CAPPED = 6  # within the row, above the elderly cap's row


class AmountCheck(IntEnum):
    """What the minimum-and-increment step found."""

    __hash__ = int.__hash__  # as the int it equals: numpy codes find the same entries

    NO_AMOUNT = 0
    BELOW_MINIMUM = 1
    OFF_INCREMENT = 2
    ON_GRID = 3
