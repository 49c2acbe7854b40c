"""English: every reason code's wording, as the engines have always written it.

Rendered with no playbook terms, these give each reason's ``message`` (the
English record kept in audit JSON), so they keep the wording decisions have
carried since 1.0; rendered with a playbook's terms they show its labels and
amounts in its currency.
"""

from __future__ import annotations

from custtier._i18n._catalogue import Cases, Catalogue, Entry
from custtier._i18n._format import Locale

__all__ = ["CATALOGUE"]

_HELD = "kept at {previous_tier:tier}: "
_GRACE = "below for {months_below} of {grace_months} grace month(s)"
_AGED = "aged {elderly_age}+ (from {age_from:t.age_from&})"
_UNSCHEDULED = {
    "CADENCE_NO_CONSENT": "no consent on this channel for this purpose",
    "CADENCE_DO_NOT_CONTACT": "the customer asked not to be contacted",
    "CADENCE_CAPPED": "every allowed day would break this frequency cap",
    "CADENCE_CAPACITY": "the manager's hours are used up on every allowed day",
    "CADENCE_NO_MANAGER": "manager work, and no planned manager owns the customer",
    "CADENCE_NO_VALID_DAY": "no business day inside the plan and the rule's window",
    "CADENCE_NO_CALENDAR_DATA": "the calendar has no (published) data for this date; not guessed",
}
_SHORT_NEXT = "30th day of a 29-day month moved to the next day"
_SHORT_KEPT = "30th day of a 29-day month kept on the 29th"
_LEAP = "leap month kept in the regular month"
_LEFT = {
    "no_product": "{category:category}: no suitable product of this category",
    "remainder": "{category:category}: the product's minimum and increment leave the rest",
}

MESSAGES: dict[str, Entry] = {
    # Tiering
    "TIER_BAND": "{basis:t.basis} in {lower:from}, {upper:to}",
    "TIER_PARETO": "among the customers carrying {profit_share:pct} of the book's profit",
    "TIER_OVERRIDE": "manual override set by {set_by}",
    "TIER_OVERRIDE_EXPIRED": "manual override not in force on this date; rules decide",
    "TIER_OVERRIDE_PENDING": "manual override not in force on this date; rules decide",
    "TIER_UPGRADE": "up from {previous_tier:tier}; upgrades apply at once",
    "TIER_DOWNGRADE": Cases(
        "case",
        {
            "no_hysteresis": "down from {previous_tier:tier}; the playbook has no hysteresis",
            "hold_ended": "the buffer's hold under {previous_tier:tier}'s bar ended on "
            "{buffer_hold_ends_on:date}, and {months_below} month(s) of grace have run "
            "(grace {grace_months})",
            "below_floor": "below {previous_tier:tier}'s bar less {buffer:pct} buffer for "
            "{months_below} month(s) (grace {grace_months})",
        },
    ),
    "TIER_HELD": Cases(
        "case",
        {
            "buffer": _HELD + "inside the buffer under the bar",
            "buffer_until": _HELD
            + "inside the buffer under the bar until {buffer_hold_ends_on:date}",
            "grace": _HELD + _GRACE,
            "grace_hold_ended": _HELD + _GRACE + " (the buffer's hold ended)",
            "review": _HELD + "grace served; waiting for a review month",
        },
    ),
    "TIER_PARETO_NOT_EVALUATED": "the Pareto rule was not evaluated (it needs the whole "
    "book): pass the book's cut as pareto_cut= to get the book's answer",
    "BASIS_INCOMPLETE": Cases(
        "case",
        {
            "usable": "{months_missing} of {window_months} months missing "
            "({policy:t.missing_months}); averaged as the playbook says",
            "unusable": "{months_missing} of {window_months} months missing "
            "({policy:t.missing_months}); basis not usable, lowest band",
        },
    ),
    "UPGRADE_SIGNAL": Cases(
        "signal",
        {
            "near_bar": "within {threshold:pct} of the {target:tier} bar",
            "rising_balance": "balances rose at least {threshold:pct} over six months",
            "declared_wealth": "assets with the bank plus declared external assets",
            "declared_income": "annual income at or above the signal's threshold",
            "referrals": "referred new customers to the bank",
            "product_breadth": "holds a broad range of products",
        },
    ),
    "KYC_GAP": "the {tier:tier} KYC file lacks: {missing:t.kyc*}",
    # Risk assessment
    "RISK_SCORED": "score {score} in [{lower}, {upper}] → {level:level}",
    "RISK_ELDERLY_CAP": Cases(
        "case",
        {
            "assessment": _AGED + ": level capped at {capped_level:level} "
            "(scored {scored_level:level})",
            "allocation": _AGED + " on the day of allocation: the {capped_level:level} model "
            "portfolio, not {scored_level:level}'s",
        },
    ),
    # Suitability
    "SUIT_LEVEL_OK": Cases(
        "case",
        {
            "matrix": "{product_level:plevel} within {customer_level:level}'s limit {max:plevel}",
            "no_checks": "no suitability check applies",
        },
    ),
    "SUIT_LEVEL_EXCEEDED": "{product_level:plevel} is above {customer_level:level}'s limit "
    "{max:plevel}",
    "SUIT_RISK_FREE": "{category:category} is risk-free at the lowest level",
    "SUIT_NO_ASSESSMENT": "no risk assessment on file",
    "SUIT_ASSESSMENT_EXPIRED": Cases(
        "case",
        {
            "dated_after_sale": "risk assessment is dated after the sale",
            "too_old": "risk assessment older than the playbook's {validity_months} month(s): "
            "valid to {effective_until:date} whatever the record says",
            "expired": "risk assessment expired on {effective_until:date}",
        },
    ),
    "SUIT_RESERVED": "reserved for {reserved_for:tier*}",
    "SUIT_BELOW_MINIMUM": "below the minimum {minimum:money}",
    "SUIT_OFF_INCREMENT": "not on the {increment:money} increment",
    "SUIT_COOLING_OFF": "{hours} h cooling-off after purchase",
    "SUIT_ELDERLY_CONFIRM": "customer " + _AGED + " confirms again",
    "SUIT_ELDERLY_CAP": _AGED + " on the day of sale: {customer_level:level} is capped at "
    "{capped_level:level}, and {product_level:plevel} is above {capped_level:level}'s limit "
    "{max:plevel}",
    "SUIT_RECORDED_SALE": "in-branch sale of a risky product is recorded",
    # Allocation
    "ALLOC_MODEL_WEIGHT": Cases(
        "case",
        {
            "portfolio": "model portfolio for {level:level}",
            "weight": "{weight:pct} of the {level:level} model portfolio",
        },
    ),
    "ALLOC_NEED": "serves the customer's need: {needs:t.need*}",
    "ALLOC_PRODUCT": "{product} carries the {category:category} share",
    "ALLOC_CASH": Cases("case", _LEFT),
    "ALLOC_UNPLACED": Cases("case", _LEFT),
    "ALLOC_EXCLUDED": Cases(
        "case",
        {
            "no_share": "{category:category} has no share for this customer",
            "preferred": "{preferred} is preferred in {category:category}",
            "below_minimum": "the {category:category} share is below the minimum",
            "too_small": "the {category:category} share is too small to place",
            "unknown_level": "risk level unknown to the playbook",
            "unknown_category": "category unknown to the playbook",
            "misfiled": "filed under a risk-free category above the lowest risk level; "
            "file it under its own category or correct its rating",
            "currency": "product in another currency",
        },
    ),
    "ALLOC_NO_ASSESSMENT": "no valid risk assessment: all to {category:category}",
    # Tier services
    "SERVICE_ENTITLED": Cases(
        "case",
        {"entitled": "entitled to {service:service}", "none": "no services listed for {tier:tier}"},
    ),
    # Cadence
    "CADENCE_OCCASION": Cases(
        "case",
        {
            "contact": "{occasion:occasion}: {contact:contact} by {channel:channel}",
            "kyc_review": "{aml_rating:t.aml} AML rating: KYC reviewed every {months} months",
        },
    ),
    "CADENCE_LEAP_DAY": "29 February in a common year",
    "CADENCE_LUNAR_DATE": Cases(
        "case",
        {
            "exact": "lunar date",
            "leap_month": _LEAP,
            "short_next": _SHORT_NEXT,
            "short_kept": _SHORT_KEPT,
            "leap_month_short_next": f"{_LEAP}; {_SHORT_NEXT}",
            "leap_month_short_kept": f"{_LEAP}; {_SHORT_KEPT}",
        },
    ),
    "CADENCE_ROLLED": "moved to the next business day",
    "CADENCE_SLIPPED": "moved later: capacity or a cap was full on earlier days",
    "CADENCE_OVERDUE": "already due before the plan starts",
    "CADENCE_QUIET_HOURS": Cases(
        "case",
        {
            "timed": "timed inside the allowed hours, customer-local",
            "window": "only between {earliest} and {latest}, customer-local",
        },
    ),
    "CADENCE_PROVISIONAL": "placed by rule-based business days; re-check when the official "
    "holiday arrangement is published",
    "CADENCE_REGULATORY_DUTY": "a regulatory duty: due despite do-not-contact, on a channel "
    "the customer allows",
    "CADENCE_COMPLETE_KYC": "complete the KYC file on this contact",
    **_UNSCHEDULED,
    # Worklist
    "WORKLIST_PRIORITY": "{kind:t.work} for a {tier:tier} customer: priority {priority}",
    "WORKLIST_ASSESSMENT_EXPIRING": Cases(
        "case",
        {
            "lapsed": "lapsed: risky sales blocked until re-assessed",
            "lapsing": "re-assess before it lapses: risky sales blocked after the last valid day",
        },
    ),
    "WORKLIST_MATURITY": "matures: the amount to reinvest",
    "WORKLIST_REINVEST_OPTION": Cases(
        "case", {"product": "{product_id}: {amount:money}", "cash": "cash: {amount:money}"}
    ),
    "WORKLIST_KYC_BLOCKS": "{item:t.kyc} missing blocks {blocks}",
    "WORKLIST_OVERDUE": "due before this day and still open",
    "WORKLIST_CARRIED_OVER": Cases(
        "case",
        {
            "later": "the day's hours went to higher-ranked items",
            "horizon": "no day of the horizon had room: carried over",
        },
    ),
    "WORKLIST_AHEAD": "a greeting on a day off: prepare or schedule it on the working day before",
}

CATALOGUE = Catalogue(
    locale=Locale.EN,
    messages=MESSAGES,
    vocabulary={},
    list_separator=", ",
    and_word=" and ",
    with_id="{id} ({label})",
    level_ids=True,
)
