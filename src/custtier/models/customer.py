"""The customer as the engines see it: a pseudonymous key and the facts rules read."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from operator import attrgetter, lt
from typing import Any, Self

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_core import SchemaValidator

from custtier._money import (
    Amount,
    NonNegativeAmount,
    check_precision,
    first_too_fine,
    takes_cents,
)
from custtier.errors import InputError
from custtier.models._base import CusttierModel
from custtier.models._lean import lean_validator
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
        self._check_dates()
        return self

    def _check_dates(self) -> None:
        if self.opened_on and self.matures_on and self.matures_on < self.opened_on:
            raise InputError("matures_on must not be before opened_on", field="matures_on")


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
        self._check_consistent()
        return self

    def _check_consistent(self) -> None:
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

    def balances_by_month(self) -> dict[str, Decimal]:
        """Monthly average daily balances keyed by ``"YYYY-MM"``."""
        return {m.month: m.average_daily_balance for m in self.monthly_balances}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Self:  # same call
        # The lean validator first (models/_lean.py); whatever it does not
        # accept as it stands, the full validation decides and words.
        if cls is Customer and _LEAN is not None and type(record) is dict:
            try:
                customer: Self = _LEAN.validate_python(record)
                return customer
            except ValidationError:
                pass
        return super().from_record(record)

    @classmethod
    def from_json(cls, text: str | bytes) -> Self:  # same call
        if cls is Customer and _LEAN is not None:
            try:
                customer: Self = _LEAN.validate_json(text)
                return customer
            except ValidationError:
                pass
        return super().from_json(text)

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:  # same call
        if cls is Customer and _LEAN is not None and not args and not kwargs:
            try:
                customer: Self = _LEAN.validate_python(obj)
                return customer
            except ValidationError:
                pass
        return super().model_validate(obj, *args, **kwargs)

    @classmethod
    def model_validate_json(  # same call
        cls, json_data: str | bytes | bytearray, *args: Any, **kwargs: Any
    ) -> Self:
        if cls is Customer and _LEAN is not None and not args and not kwargs:
            try:
                customer: Self = _LEAN.validate_json(json_data)
                return customer
            except ValidationError:
                pass
        return super().model_validate_json(json_data, *args, **kwargs)


# The Python checks a customer's validation makes, each of which nearly every
# record passes unchanged: the lean validator leaves them out and asks
# _unchanged instead, once per record.
_LEAN_CHECKS = (
    "Customer._consistent",
    "Customer._months_unique_sorted",
    "ContactPreferences._one_per_channel",
    "ProductHolding._sane",
    "RiskAssessment._ordered",
    "KycFile._amounts_fit_currency",
)


def _unchanged(customer: Customer) -> Customer:
    """``customer`` if every check in ``_LEAN_CHECKS`` passes it unchanged; else ``ValueError``."""
    # The two sorting checks return their tuple as it is exactly when its
    # keys strictly increase (sorted, each once); otherwise they sort or refuse.
    # So do the sets (SortedTuple), which a lean validator reads from JSON as sent.
    months = list(map(_BY_MONTH, customer.monthly_balances))
    channels = list(map(_BY_CHANNEL, customer.contact.consents))
    needs, kyc = customer.needs, customer.kyc
    interests = () if kyc is None else kyc.interests
    if not (
        all(map(lt, months, months[1:]))
        and all(map(lt, channels, channels[1:]))
        and all(map(lt, needs, needs[1:]))
        and all(map(lt, interests, interests[1:]))
    ):
        raise ValueError("not as the full validation leaves it")
    # The others return what they are given, or raise (a ValueError each).
    for held in customer.products_held:
        held._check_dates()
    if customer.risk_assessment is not None:
        customer.risk_assessment._check_dates()
    # The lean validator reads amounts of at most two places (custtier._money):
    # in a currency with cents the precision checks pass them all.
    if kyc is not None:
        income, assets = kyc.declared_annual_income, kyc.declared_external_assets
        if income is None and assets is None:
            pass
        elif takes_cents(kyc.currency):
            if (income is not None and income < 0) or (assets is not None and assets < 0):
                raise ValueError("not as the full validation leaves it")
        else:
            kyc._check_amounts()
    if not takes_cents(customer.currency):
        customer._check_consistent()
        return customer
    if (
        kyc is not None and kyc.customer_key != customer.key
    ) or customer.referred_by == customer.key:
        raise ValueError("not as the full validation leaves it")
    return customer


def _lean() -> SchemaValidator | None:
    lean = lean_validator(Customer.__pydantic_core_schema__, _LEAN_CHECKS, _unchanged)
    # A pydantic-core that kept a nested model's own validator would read its
    # amounts in full, and a CNY customer's precision would go unchecked:
    # such a lean validator accepts this record, and is not used.
    try:
        lean.validate_python(
            {
                "key": "K",
                "monthly_balances": [{"month": "2026-01", "average_daily_balance": "0.001"}],
            }
        )
    except ValidationError:
        return lean
    return None  # pragma: no cover - not with the pydantic-core versions tested


# Built with the module (about a millisecond), before any other code can
# validate these models: compiling it briefly marks them unfinished.
_LEAN = _lean()
