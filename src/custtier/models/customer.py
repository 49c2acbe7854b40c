"""The customer as the engines see it: a pseudonymous key and the facts rules read."""

from __future__ import annotations

from decimal import Decimal
from operator import attrgetter

from pydantic import Field, field_validator, model_validator

from custtier._money import Amount, NonNegativeAmount, check_precision, first_too_fine
from custtier.errors import InputError
from custtier.models._base import CusttierModel
from custtier.models._types import (
    Channel,
    CustomerKey,
    Day,
    Identifier,
    Need,
    Purpose,
    SortedTuple,
    TimeZoneName,
    YearMonth,
)
from custtier.models.kyc import KycFile
from custtier.models.risk import RiskAssessment

__all__ = [
    "ChannelConsent",
    "ContactPreferences",
    "Customer",
    "MonthlyBalance",
    "ProductHolding",
]


# Sort keys and fields read without a Python call per item.
_BY_CHANNEL = attrgetter("channel")
_BY_MONTH = attrgetter("month")
_BALANCE = attrgetter("average_daily_balance")
_PRINCIPAL = attrgetter("principal")


class MonthlyBalance(CusttierModel):
    """The average daily balance of one calendar month."""

    month: YearMonth
    # Deposit and investment balances; an overdraft is not an asset.
    average_daily_balance: NonNegativeAmount


class ProductHolding(CusttierModel):
    """A product the customer holds, with its principal and maturity if any."""

    product_id: Identifier
    principal: NonNegativeAmount
    opened_on: Day | None = None
    matures_on: Day | None = None

    @model_validator(mode="after")
    def _sane(self) -> ProductHolding:
        if self.opened_on and self.matures_on and self.matures_on < self.opened_on:
            raise InputError("matures_on must not be before opened_on", field="matures_on")
        return self


class ChannelConsent(CusttierModel):
    """Consent on one channel, per purpose. Absent channel = no consent."""

    channel: Channel
    service: bool = True
    marketing: bool = False
    recorded_on: Day | None = None

    def allows(self, purpose: Purpose) -> bool:
        """Whether this consent covers ``purpose`` (a service channel carries regulatory duties)."""
        return self.marketing if purpose == Purpose.MARKETING else self.service


class ContactPreferences(CusttierModel):
    """Per-channel consent and an overall do-not-contact flag that overrides it.

    ``allows`` is the customer's own answer. The cadence planner lets through
    the purposes the playbook's ``cadence.do_not_contact`` block does not bind
    (regulatory duties in the shipped presets), on a consented channel.

    >>> prefs = ContactPreferences(consents=[ChannelConsent(channel="sms", marketing=True)])
    >>> prefs.allows(Channel.SMS, Purpose.MARKETING), prefs.allows(Channel.PHONE, Purpose.SERVICE)
    (True, False)
    """

    consents: tuple[ChannelConsent, ...] = ()
    do_not_contact: bool = False
    do_not_contact_since: Day | None = None

    @field_validator("consents")
    @classmethod
    def _one_per_channel(cls, consents: tuple[ChannelConsent, ...]) -> tuple[ChannelConsent, ...]:
        channels = list(map(_BY_CHANNEL, consents))
        if channels == sorted(set(channels)):  # a member sorts as its value
            return consents  # as an export writes them: sorted, each once
        if len(set(channels)) != len(channels):
            raise ValueError("consents must list each channel at most once")
        return tuple(sorted(consents, key=_BY_CHANNEL))

    def allows(self, channel: Channel, purpose: Purpose) -> bool:
        """Whether ``channel`` may be used for ``purpose`` (do-not-contact wins)."""
        if self.do_not_contact:
            return False
        # == rather than `is`: plain strings such as "sms" compare equal to the enum.
        return any(c.channel == channel and c.allows(purpose) for c in self.consents)


class Customer(CusttierModel):
    """A bank customer, keyed pseudonymously, with the facts the rules read.

    All amounts are in ``currency`` and may not be finer than its minor unit.
    ``annual_profit_contribution`` is the bank's profit from the customer over
    the last twelve months (it may be negative). ``monthly_balances`` are the
    average daily balances per calendar month, one entry per month.

    >>> c = Customer(key="C000001", currency="CNY", assets_under_management="620000.00",
    ...              annual_profit_contribution="8400.00")
    >>> c.assets_under_management
    Decimal('620000.00')
    >>> Customer(key="C000002", assets_under_management=0.5)
    Traceback (most recent call last):
    ...
    custtier.errors.RecordValidationError: invalid Customer (1 problem(s)):
      - assets_under_management: amount is a float; pass a Decimal, an int or a string such as "1234.50" [value_error]
    """

    key: CustomerKey
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    birth_date: Day | None = None
    assets_under_management: NonNegativeAmount = Field(default=Decimal(0))
    monthly_balances: tuple[MonthlyBalance, ...] = ()
    annual_profit_contribution: Amount = Field(default=Decimal(0))
    annual_income: Amount | None = None
    products_held: tuple[ProductHolding, ...] = ()
    needs: SortedTuple[Need] = ()
    contact: ContactPreferences = Field(default_factory=ContactPreferences)
    time_zone: TimeZoneName = "Asia/Shanghai"
    manager_id: Identifier | None = None
    referred_by: CustomerKey | None = None
    customer_since: Day | None = None
    risk_assessment: RiskAssessment | None = None
    kyc: KycFile | None = None

    @field_validator("monthly_balances")
    @classmethod
    def _months_unique_sorted(
        cls, months: tuple[MonthlyBalance, ...]
    ) -> tuple[MonthlyBalance, ...]:
        keys = list(map(_BY_MONTH, months))
        if keys == sorted(set(keys)):
            return months  # as an export writes them: sorted, each once
        if len(set(keys)) != len(keys):
            raise ValueError("monthly_balances must list each month at most once")
        return tuple(sorted(months, key=_BY_MONTH))

    @model_validator(mode="after")
    def _consistent(self) -> Customer:
        # Every amount against the currency in one loop; field names only for a refusal.
        months, held, income = self.monthly_balances, self.products_held, self.annual_income
        amounts = [
            self.assets_under_management,
            self.annual_profit_contribution,
            *(() if income is None else (income,)),
            *map(_BALANCE, months),
            *map(_PRINCIPAL, held),
        ]
        bad = first_too_fine(amounts, self.currency)
        if bad >= 0:
            fields = [
                "assets_under_management",
                "annual_profit_contribution",
                *(() if income is None else ("annual_income",)),
                *(f"monthly_balances.{i}.average_daily_balance" for i in range(len(months))),
                *(f"products_held.{i}.principal" for i in range(len(held))),
            ]
            check_precision(amounts[bad], self.currency, field=fields[bad])
        if self.kyc is not None and self.kyc.customer_key != self.key:
            raise ValueError("kyc.customer_key must equal the customer's key")
        if self.referred_by == self.key:
            raise ValueError("referred_by must not be the customer's own key")
        return self

    def balances_by_month(self) -> dict[str, Decimal]:
        """Monthly average daily balances keyed by ``"YYYY-MM"``."""
        return {m.month: m.average_daily_balance for m in self.monthly_balances}
