"""Playbook section: contact cadence — who is contacted when, how, why and by whom.

Recurrences are data: an interval in days, or an RFC 5545 ``RRULE`` anchored
to an explicit ``anchor`` date (dateutil's ``rrule`` would otherwise start
from the wall clock). Every RRULE is parsed when the playbook is built, so a
playbook with a malformed one never exists.
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field, field_validator, model_validator

from custtier._enum import Vocabulary
from custtier.models._base import CusttierModel
from custtier.models._types import (
    AmlRating,
    Channel,
    Identifier,
    Label,
    LocalTime,
    Need,
    Purpose,
    SortedTuple,
    Whole,
)
from custtier.rules._budget import WorkBudget
from custtier.rules._rrule import parse_rrule

__all__ = [
    "CadenceRules",
    "Campaign",
    "ContactRule",
    "DoNotContact",
    "FrequencyCap",
    "KycReview",
    "LeapDayPolicy",
    "LunarLeapMonthPolicy",
    "LunarShortMonthPolicy",
    "Occasion",
    "Offer",
    "Owner",
    "QuietHours",
    "Segment",
]


class Occasion(Vocabulary):
    """Why a contact is due."""

    BIRTHDAY = "birthday"
    HOLIDAY = "holiday"
    IMPORTANT_DATE = "important_date"
    PERIODIC = "periodic"
    EVENT = "event"
    CAMPAIGN = "campaign"
    KYC_REFRESH = "kyc_refresh"
    RISK_REASSESSMENT = "risk_reassessment"
    PRODUCT_MATURITY = "product_maturity"


#: Occasions that fall on a fixed day (greetings): never moved to a business day.
GREETINGS = frozenset({Occasion.BIRTHDAY, Occasion.HOLIDAY, Occasion.IMPORTANT_DATE})

#: Occasions whose dates come from a recurrence (``interval_days`` or ``rrule``).
RECURRING = frozenset({Occasion.PERIODIC, Occasion.EVENT})


class Owner(Vocabulary):
    """Who carries a contact out."""

    MANAGER = "manager"
    MARKETING_SYSTEM = "marketing_system"


class LeapDayPolicy(Vocabulary):
    """Where a 29 February date falls in a common year."""

    FEB28 = "feb28"
    MAR1 = "mar1"


class LunarLeapMonthPolicy(Vocabulary):
    """Where a date born in a lunar leap month falls in later lunar years."""

    #: In the leap month when that year repeats the same month, else the regular month.
    LEAP_IF_PRESENT = "leap_if_present"
    #: Always in the regular month of the same number (the more common custom).
    REGULAR_MONTH = "regular_month"


class LunarShortMonthPolicy(Vocabulary):
    """Where a 30th-day lunar date falls in a 29-day month."""

    LAST_DAY = "last_day"  # the 29th
    NEXT_DAY = "next_day"  # the 1st of the following month


class ContactRule(CusttierModel):
    """A contact a tier's customers get: occasion, channel, cadence, owner.

    Dates by occasion: ``birthday`` / ``important_date`` from the customer's
    records (each year's occurrence), ``holiday`` from the calendar by the
    names in ``holidays``, ``periodic`` / ``event`` from ``interval_days``
    (staggered per customer, continued from the last contact of this rule in
    the history) or ``rrule`` (every customer, on the same anchored dates),
    ``kyc_refresh`` / ``risk_reassessment`` / ``product_maturity`` from the
    due date less ``lead_days``. Greetings fall on the day itself; other work
    moves to the next business day and may slip up to ``flex_days`` later
    (or, for due dates, until the due date) when capacity or caps are short.
    ``priority`` 1 is the most urgent.
    """

    id: Identifier
    tier: Identifier
    occasion: Occasion
    channel: Channel
    purpose: Purpose
    owner: Owner
    interval_days: Whole | None = Field(default=None, ge=1, le=3660)
    rrule: str | None = Field(default=None, min_length=6, max_length=300)
    anchor: dt.date | None = None
    holidays: tuple[Label, ...] = ()
    lead_days: Whole = Field(default=0, ge=0, le=366)
    flex_days: Whole = Field(default=0, ge=0, le=366)
    priority: Whole = Field(default=5, ge=1, le=9)
    duration_minutes: Whole = Field(default=0, ge=0, le=600)
    description: Label = ""
    source: Identifier | None = None

    @field_validator("rrule")
    @classmethod
    def _parsable(cls, rule: str | None) -> str | None:
        if rule is None:
            return None
        text = rule.strip()
        if text.upper().startswith("RRULE:"):
            text = text[6:]
        if "DTSTART" in text.upper():
            raise ValueError("rrule must not carry DTSTART; give the start as anchor")
        # A fixed, explicit start: parsing never reads the clock.
        parse_rrule(text, dt.datetime(2000, 1, 1))  # noqa: DTZ001  # naive by design
        return text

    @model_validator(mode="after")
    def _recurrence(self) -> ContactRule:
        if self.rrule is not None and self.anchor is None:
            raise ValueError("an rrule needs an explicit anchor date to start from")
        if self.rrule is not None and self.interval_days is not None:
            raise ValueError("give either interval_days or rrule, not both")
        return self


class FrequencyCap(CusttierModel):
    """At most ``max_contacts`` in any ``window_days`` consecutive days (rolling).

    ``channel`` / ``purpose`` narrow what is counted; ``None`` counts all.
    Past contacts in the history count too.
    """

    rule_id: Identifier
    channel: Channel | None = None
    purpose: Purpose | None = None
    max_contacts: Whole = Field(ge=0, le=1000)
    window_days: Whole = Field(ge=1, le=366)
    source: Identifier | None = None


class QuietHours(CusttierModel):
    """Calls and messages on ``channels`` only in ``[earliest, latest)`` customer-local time.

    Touchpoints on these channels get a time: ``send_at`` in the customer's
    own time zone.
    """

    rule_id: Identifier
    channels: SortedTuple[Channel] = Field(min_length=1)
    earliest: LocalTime
    latest: LocalTime
    send_at: LocalTime
    source: Identifier | None = None


class KycReview(CusttierModel):
    """How often a KYC file with this AML rating is reviewed."""

    rule_id: Identifier
    aml_rating: AmlRating
    interval_months: Whole = Field(ge=1, le=120)
    source: Identifier | None = None


class Offer(Vocabulary):
    """What a mass-customer campaign offers."""

    WEALTH_PRODUCT_ENTRY = "wealth_product_entry"
    POINTS = "points"
    DEPOSIT_GIFT = "deposit_gift"
    LOTTERY = "lottery"
    REFERRAL_INVITATION = "referral_invitation"


class Segment(CusttierModel):
    """Which customers a campaign targets: tiers, and optionally needs and ages."""

    tiers: tuple[Identifier, ...] = Field(min_length=1)
    needs_any: SortedTuple[Need] = ()
    min_age: Whole | None = Field(default=None, ge=0, le=130)
    max_age: Whole | None = Field(default=None, ge=0, le=130)


class Campaign(CusttierModel):
    """A campaign: one contact per customer of the segment within ``[start_on, end_on]``."""

    id: Identifier
    label: Label = Field(min_length=1, max_length=120)
    segment: Segment
    channel: Channel
    purpose: Purpose = Purpose.MARKETING
    owner: Owner = Owner.MARKETING_SYSTEM
    start_on: dt.date
    end_on: dt.date
    offer: Offer
    priority: Whole = Field(default=8, ge=1, le=9)
    duration_minutes: Whole = Field(default=0, ge=0, le=600)
    source: Identifier | None = None


class DoNotContact(CusttierModel):
    """Which purposes a customer's do-not-contact flag blocks (``binds``).

    A purpose not bound stays due for a do-not-contact customer, on a channel
    they consented to, and is marked ``CADENCE_REGULATORY_DUTY``: the shipped
    presets bind marketing and relationship (service) contacts and leave
    regulatory duties (KYC refresh, risk re-assessment, maturity notices)
    due. Marketing is always bound. The default binds every purpose.
    """

    rule_id: Identifier = "cadence.do_not_contact"
    binds: SortedTuple[Purpose] = (Purpose.MARKETING, Purpose.REGULATORY, Purpose.SERVICE)
    source: Identifier | None = None

    @field_validator("binds")
    @classmethod
    def _marketing_bound(cls, binds: tuple[Purpose, ...]) -> tuple[Purpose, ...]:
        if Purpose.MARKETING not in binds:
            raise ValueError("do-not-contact must bind marketing: a refusal stops marketing")
        return binds


class CadenceRules(CusttierModel):
    """Contact rules per tier, with the policies, caps and reviews that shape them."""

    #: How much contact work the rules may ask for (see :class:`WorkBudget`).
    budget: WorkBudget = Field(default_factory=WorkBudget)

    contact_rules: tuple[ContactRule, ...] = ()
    leap_day: LeapDayPolicy = LeapDayPolicy.FEB28
    lunar_leap_month: LunarLeapMonthPolicy = LunarLeapMonthPolicy.REGULAR_MONTH
    lunar_short_month: LunarShortMonthPolicy = LunarShortMonthPolicy.LAST_DAY
    caps: tuple[FrequencyCap, ...] = ()
    quiet_hours: tuple[QuietHours, ...] = ()
    kyc_reviews: tuple[KycReview, ...] = ()
    campaigns: tuple[Campaign, ...] = ()
    do_not_contact: DoNotContact = DoNotContact()
