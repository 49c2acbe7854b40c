"""The KYC file: identity (masked), finances, AML rating, reviews, dates, interests."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, model_validator

from custtier._money import Amount, check_precision
from custtier.models._base import CusttierModel
from custtier.models._types import (
    AmlRating,
    CalendarKind,
    CustomerKey,
    DateKind,
    Day,
    FreeText,
    PersonalStr,
    Relation,
    SortedTuple,
)

__all__ = ["FamilyMember", "Identity", "ImportantDate", "KycFile"]


class Identity(CusttierModel):
    """Personal identifiers. The only place custtier holds them; always masked.

    Engines never read this part: they work on the pseudonymous customer key.

    >>> ident = Identity(full_name="Li Lei", id_number="110101199003071234")
    >>> ident
    Identity(full_name=SecretStr('**********'), id_number=SecretStr('**********'), phone=None, email=None, address=None, account_numbers=())
    >>> ident.to_record()["id_number"]
    '[redacted]'
    """

    full_name: PersonalStr | None = None
    id_document_type: FreeText | None = Field(default=None, max_length=32, repr=False)
    id_number: PersonalStr | None = None
    phone: PersonalStr | None = None
    email: PersonalStr | None = None
    address: PersonalStr | None = None
    account_numbers: tuple[PersonalStr, ...] = ()


class ImportantDate(CusttierModel):
    """A date worth a greeting: a birthday, an anniversary, another occasion.

    ``on`` is the Gregorian date it happened (for a lunar date, the Gregorian
    date of the original event; the cadence planner finds each year's
    occurrence in the lunar calendar).
    """

    kind: DateKind
    relation: Relation = Relation.SELF
    on: Day
    calendar: CalendarKind = CalendarKind.GREGORIAN
    label: FreeText | None = Field(default=None, max_length=80, repr=False)


class FamilyMember(CusttierModel):
    """A household member as the detailed (high-end) KYC file records them: no names."""

    relation: Relation
    birth_on: Day | None = None
    needs_note: FreeText | None = Field(default=None, max_length=200, repr=False)


class KycFile(CusttierModel):
    """What the bank knows about a customer beyond their accounts.

    ``currency`` is the currency of the declared amounts. Completeness against
    what a tier requires is checked by the tiering engine from the playbook.
    """

    customer_key: CustomerKey
    identity: Identity | None = None
    occupation: FreeText | None = Field(default=None, max_length=80, repr=False)
    employer_industry: FreeText | None = Field(default=None, max_length=80, repr=False)
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    declared_annual_income: Amount | None = None
    declared_external_assets: Amount | None = None
    source_of_funds: FreeText | None = Field(default=None, max_length=120, repr=False)
    aml_rating: AmlRating | None = None
    last_reviewed_on: Day | None = None
    important_dates: tuple[ImportantDate, ...] = ()
    interests: SortedTuple[FreeText] = Field(default=(), repr=False)
    family: tuple[FamilyMember, ...] = ()

    @model_validator(mode="after")
    def _amounts_fit_currency(self) -> KycFile:
        self._check_amounts()
        return self

    def _check_amounts(self) -> None:
        for name in ("declared_annual_income", "declared_external_assets"):
            value: Decimal | None = getattr(self, name)
            if value is not None:
                check_precision(value, self.currency, field=name)
                if value < 0:
                    raise ValueError(f"{name} must not be negative")
