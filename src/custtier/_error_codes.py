"""Error codes: why a record, a row or an input line got no decision.

One closed set for every batch path: :class:`~custtier.ErrorRecord` ``code``
(``tier_book``, ``plan_contacts``, ``simulate``), the ``error_code`` column of
the columnar tables (``custtier.frames``) and the ``code`` of the command
line's error lines. ``docs/errors.md`` lists each with its meaning; a test
keeps the page and this module in step.
"""

from __future__ import annotations

from collections.abc import Mapping

from custtier._enum import Vocabulary

__all__ = ["ERROR_DESCRIPTIONS", "ErrorCode"]


class ErrorCode(Vocabulary):
    """Why something was not decided; the value is what JSON and tables carry.

    >>> ErrorCode("duplicate_key") is ErrorCode.DUPLICATE_KEY, ErrorCode.DUPLICATE_KEY == "duplicate_key"
    (True, True)
    """

    # A whole record or line
    INVALID_RECORD = "invalid_record"
    INVALID_REQUEST = "invalid_request"
    INVALID_JSON = "invalid_json"
    INVALID_INPUT = "invalid_input"
    WORKLIST = "worklist"
    # One value of a record or row
    MISSING_VALUE = "missing_value"
    INVALID_VALUE = "invalid_value"
    TOO_PRECISE = "too_precise"
    OUT_OF_RANGE = "out_of_range"
    CURRENCY_MISMATCH = "currency_mismatch"
    DUPLICATE_KEY = "duplicate_key"
    DUPLICATE_MONTH = "duplicate_month"
    UNKNOWN_TIME_ZONE = "unknown_time_zone"
    # Against the playbook or the other inputs
    NO_TIER = "no_tier"
    UNKNOWN_TIER = "unknown_tier"
    UNKNOWN_PREVIOUS_TIER = "unknown_previous_tier"
    PREVIOUS_AFTER_AS_OF = "previous_after_as_of"
    UNKNOWN_OVERRIDE_TIER = "unknown_override_tier"
    UNKNOWN_PRODUCT = "unknown_product"
    UNKNOWN_RISK_LEVEL = "unknown_risk_level"
    PRODUCT_NOT_IN_PLAYBOOK = "product_not_in_playbook"
    RISK_FREE_ABOVE_LOWEST = "risk_free_above_lowest"


#: What each code means and where it occurs (``docs/errors.md`` lists the same).
ERROR_DESCRIPTIONS: Mapping[ErrorCode, str] = {
    ErrorCode.INVALID_RECORD: (
        "a record (or command-line line) the models cannot read as a customer; "
        "`field` names the first field at fault"
    ),
    ErrorCode.INVALID_REQUEST: "an `allocate` command line that is not a valid request",
    ErrorCode.INVALID_JSON: "a command-line input line that is not JSON custtier reads",
    ErrorCode.INVALID_INPUT: (
        "`simulate`: a customer decided on both sides whose suitability check fails under "
        "one playbook (for example a risk level it does not define)"
    ),
    ErrorCode.WORKLIST: (
        "`worklists`: a customer's items could not be built (the message says which rule)"
    ),
    ErrorCode.MISSING_VALUE: "columnar: a required value is null",
    ErrorCode.INVALID_VALUE: (
        "columnar: a value has the wrong shape (key, month, currency code, identifier, "
        "vocabulary word, an amount given as text that is not a plain decimal number) or "
        "is out of order"
    ),
    ErrorCode.TOO_PRECISE: (
        "columnar: an amount has non-zero digits finer than the currency's minor unit"
    ),
    ErrorCode.OUT_OF_RANGE: "columnar: an amount's magnitude exceeds 10^17 minor units",
    ErrorCode.CURRENCY_MISMATCH: (
        "the record's currency is not the playbook's (or, for a product pair, the product's)"
    ),
    ErrorCode.DUPLICATE_KEY: (
        "the customer key occurs on more than one record or valid row (every copy is refused, "
        "so the result does not depend on input order)"
    ),
    ErrorCode.DUPLICATE_MONTH: "columnar: monthly_balances lists the same month twice",
    ErrorCode.UNKNOWN_TIME_ZONE: "`plan_contacts`: the customer's time zone is not in the IANA database",
    ErrorCode.NO_TIER: (
        "`plan_contacts`: no tier was given for the customer, or what was given is not "
        "a tier id or this customer's own TierDecision"
    ),
    ErrorCode.UNKNOWN_TIER: "the tier given is not a tier of the playbook",
    ErrorCode.UNKNOWN_PREVIOUS_TIER: "`tier_book`, `tier_table`: the previous decision's tier is not a tier of the playbook",
    ErrorCode.PREVIOUS_AFTER_AS_OF: "`tier_book`, `tier_table`: the previous decision is dated after as_of",
    ErrorCode.UNKNOWN_OVERRIDE_TIER: "`tier_table`: override_tier is not a tier of the playbook",
    ErrorCode.UNKNOWN_PRODUCT: (
        "`suitability_table`: product_id is not the id of a product of the catalogue"
    ),
    ErrorCode.UNKNOWN_RISK_LEVEL: (
        "`suitability_table`: risk_level is not a customer level of the playbook "
        "(re-assess the customer under it)"
    ),
    ErrorCode.PRODUCT_NOT_IN_PLAYBOOK: (
        "`suitability_table`: the product's risk level or category is not defined in the playbook"
    ),
    ErrorCode.RISK_FREE_ABOVE_LOWEST: (
        "`suitability_table`: the product is filed under a risk-free category but rated "
        "above the lowest product level"
    ),
}
