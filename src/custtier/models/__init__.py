"""Typed, frozen models for customers, KYC files, assessments, products, managers."""

from custtier.models._base import CusttierModel
from custtier.models._types import (
    AmlRating,
    CalendarKind,
    Channel,
    DateKind,
    Liquidity,
    Need,
    Purpose,
    Relation,
)
from custtier.models.customer import (
    ChannelConsent,
    ContactPreferences,
    Customer,
    MonthlyBalance,
    ProductHolding,
)
from custtier.models.history import ContactRecord
from custtier.models.kyc import FamilyMember, Identity, ImportantDate, KycFile
from custtier.models.manager import RelationshipManager
from custtier.models.product import Product
from custtier.models.risk import Answer, RiskAssessment

__all__ = [
    "AmlRating",
    "Answer",
    "CalendarKind",
    "Channel",
    "ChannelConsent",
    "ContactPreferences",
    "ContactRecord",
    "Customer",
    "CusttierModel",
    "DateKind",
    "FamilyMember",
    "Identity",
    "ImportantDate",
    "KycFile",
    "Liquidity",
    "MonthlyBalance",
    "Need",
    "Product",
    "ProductHolding",
    "Purpose",
    "Relation",
    "RelationshipManager",
    "RiskAssessment",
]
