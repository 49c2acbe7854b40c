"""Models: JSON round trips, immutability, validated replace, and the bank's own examples."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import strategies as cst
from custtier import (
    Channel,
    ChannelConsent,
    ContactPreferences,
    ContactRecord,
    Customer,
    FamilyMember,
    Identity,
    ImportantDate,
    KycFile,
    MonthlyBalance,
    Need,
    Product,
    ProductHolding,
    Purpose,
    RelationshipManager,
    RiskAssessment,
)
from custtier.errors import CusttierError, FrozenError, RecordValidationError
from custtier.models import CusttierModel

D = Decimal

# --------------------------------------------------------------------------- round trips

_EVERY_MODEL: list[st.SearchStrategy[Any]] = [
    cst.customers(),
    cst.customers(full=True),
    cst.kyc_files(),
    cst.identities(),
    cst.important_dates(),
    cst.family_members(),
    cst.risk_assessments(),
    cst.answers(),
    cst.products(),
    cst.managers(),
    cst.contact_records(),
    cst.monthly_balances(),
    cst.holdings(),
    cst.channel_consents(),
    cst.contact_preferences(),
]


@given(st.one_of(_EVERY_MODEL))
def test_every_model_round_trips_through_revealed_json(model: CusttierModel) -> None:
    text = model.to_json(reveal_personal_data=True)
    back = type(model).from_json(text)
    assert back == model
    assert back.to_json(reveal_personal_data=True) == text  # same bytes again


@given(st.one_of(_EVERY_MODEL))
def test_every_model_round_trips_through_revealed_records(model: CusttierModel) -> None:
    record = model.to_record(reveal_personal_data=True)
    assert type(model).from_record(record) == model
    # The record is JSON data: no Decimal, date or enum objects left in it.
    assert _only_json_types(record)


def _only_json_types(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _only_json_types(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_only_json_types(v) for v in value)
    return value is None or type(value) in (str, int, bool)


@given(cst.customers(full=True))
def test_full_customers_hold_every_part(customer: Customer) -> None:
    # The strategy promise other engines' tests rely on.
    assert customer.kyc is not None
    assert customer.kyc.identity is not None
    assert customer.kyc.customer_key == customer.key
    assert customer.risk_assessment is not None
    assert customer.monthly_balances
    assert customer.products_held


# --------------------------------------------------------------------------- immutability


@given(cst.customers(), st.sampled_from(["key", "currency", "assets_under_management", "kyc"]))
def test_assignment_is_refused(customer: Customer, field: str) -> None:
    before = customer.to_json(reveal_personal_data=True)
    with pytest.raises(FrozenError, match=r"\.replace\("):
        setattr(customer, field, getattr(customer, field))
    with pytest.raises(FrozenError):
        delattr(customer, field)
    assert customer.to_json(reveal_personal_data=True) == before


@given(cst.customers(currency="CNY"), cst.amounts("CNY"))
def test_replace_returns_a_new_validated_model(customer: Customer, aum: Decimal) -> None:
    changed = customer.replace(assets_under_management=aum)
    assert changed.assets_under_management == aum
    assert changed is not customer
    assert changed.key == customer.key
    assert changed.replace(assets_under_management=customer.assets_under_management) == customer


@given(
    cst.customers(currency="CNY"),
    st.sampled_from(
        [
            {"assets_under_management": 0.5},
            {"assets_under_management": "1.001"},
            {"assets_under_management": "-1.00"},
            {"key": "no spaces allowed"},
            {"currency": "XYZ"},
            {"time_zone": "Shanghai time"},
            {"unknown_field": 1},
        ]
    ),
)
def test_invalid_replace_raises_and_leaves_the_original(
    customer: Customer, change: dict[str, Any]
) -> None:
    before = customer.to_json(reveal_personal_data=True)
    with pytest.raises(RecordValidationError) as info:
        customer.replace(**change)
    assert info.value.model == "Customer"
    assert customer.to_json(reveal_personal_data=True) == before


def test_replace_accepts_nested_models_and_revalidates_cross_field_rules() -> None:
    c = Customer(key="C1")
    with_kyc = c.replace(kyc=KycFile(customer_key="C1", occupation="teacher"))
    assert with_kyc.kyc is not None
    assert with_kyc.kyc.occupation == "teacher"
    with pytest.raises(RecordValidationError, match=r"kyc\.customer_key must equal"):
        c.replace(kyc=KycFile(customer_key="C2"))


def test_nested_collections_are_tuples_not_lists() -> None:
    c = Customer.from_record(
        {
            "key": "C1",
            "needs": ["pension", "housing", "pension"],
            "monthly_balances": [{"month": "2026-02", "average_daily_balance": "1.00"}],
        }
    )
    assert isinstance(c.needs, tuple)
    assert isinstance(c.monthly_balances, tuple)
    assert c.needs == (Need.HOUSING, Need.PENSION)  # sorted, duplicates dropped


def test_model_copy_with_an_update_validates_like_replace() -> None:
    # pydantic's own model_copy(update=...) skips validation; custtier's does not.
    c = Customer(key="C1")
    with pytest.raises(RecordValidationError):
        c.model_copy(update={"assets_under_management": D("-5")})
    with pytest.raises(RecordValidationError):
        c.replace(assets_under_management=D("-5"))
    assert c.model_copy(update={"assets_under_management": D("5")}).assets_under_management == 5
    assert c.model_copy() == c


# --------------------------------------------------------------------------- the bank's examples


def test_a_customer_with_620000_yuan_validates_but_a_tenth_of_a_fen_more_does_not() -> None:
    ok = Customer.from_record(
        {"key": "C000001", "currency": "CNY", "assets_under_management": "620000.00"}
    )
    assert ok.assets_under_management == D("620000.00")
    with pytest.raises(RecordValidationError) as info:
        Customer.from_record(
            {"key": "C000001", "currency": "CNY", "assets_under_management": "620000.001"}
        )
    # CNY has two decimal places: the error names the field and the rule, not the value.
    assert info.value.field == "assets_under_management"
    assert "more decimal places than CNY allows (2)" in str(info.value)
    assert "620000.001" not in str(info.value)


def test_a_yen_account_has_no_minor_unit() -> None:
    assert Customer.from_record(
        {"key": "J1", "currency": "JPY", "assets_under_management": "620000"}
    ).assets_under_management == D(620000)
    with pytest.raises(RecordValidationError, match=r"JPY allows \(0\)"):
        Customer.from_record({"key": "J1", "currency": "JPY", "assets_under_management": "0.5"})


@pytest.mark.parametrize(
    ("field", "value", "where"),
    [
        ("assets_under_management", 620000.0, "assets_under_management"),
        ("assets_under_management", "NaN", "assets_under_management"),
        ("assets_under_management", "Infinity", "assets_under_management"),
        ("assets_under_management", True, "assets_under_management"),
        ("annual_profit_contribution", 1e3, "annual_profit_contribution"),
        ("annual_profit_contribution", "8400.005", "annual_profit_contribution"),
        ("annual_income", "inf", "annual_income"),
        ("annual_income", "1.234", "annual_income"),
    ],
)
def test_float_nan_bool_and_over_precise_amounts_are_rejected_by_field(
    field: str, value: Any, where: str
) -> None:
    with pytest.raises(RecordValidationError) as info:
        Customer.from_record({"key": "C1", field: value})
    assert [d.field for d in info.value.details] == [where]


@pytest.mark.parametrize(
    ("record", "where"),
    [
        ({"monthly_balances": [{"month": "2026-01", "average_daily_balance": 1.5}]},
         "monthly_balances.0.average_daily_balance"),
        ({"monthly_balances": [{"month": "2026-01", "average_daily_balance": "1.555"}]},
         "monthly_balances.0"),
        ({"products_held": [{"product_id": "P", "principal": float("nan")}]},
         "products_held.0.principal"),
        ({"products_held": [{"product_id": "P", "principal": "3.333"}]},
         "products_held.0.principal"),
        ({"kyc": {"customer_key": "C1", "declared_annual_income": 1.5}},
         "kyc.declared_annual_income"),
        ({"kyc": {"customer_key": "C1", "declared_annual_income": "1.005"}},
         "kyc.declared_annual_income"),
    ],
)  # fmt: skip
def test_nested_amounts_are_checked_and_located(record: dict[str, Any], where: str) -> None:
    with pytest.raises(RecordValidationError) as info:
        Customer.from_record({"key": "C1", **record})
    fields = [d.field for d in info.value.details]
    assert len(fields) == 1
    assert fields[0].startswith(where)


@pytest.mark.parametrize(
    ("field", "value"),
    [("minimum_investment", 0.5), ("minimum_investment", "10000.001"), ("increment", "0")],
)
def test_product_amounts_are_checked(field: str, value: Any) -> None:
    record = {"id": "WM-1", "name": "Steady", "category": "bond_fund", "risk_level": "R2"}
    with pytest.raises(RecordValidationError) as info:
        Product.from_record({**record, field: value})
    assert field in str(info.value)


def test_profit_may_be_negative_but_assets_may_not() -> None:
    loss = Customer.from_record({"key": "C1", "annual_profit_contribution": "-120.50"})
    assert loss.annual_profit_contribution == D("-120.50")
    with pytest.raises(RecordValidationError, match="must not be negative"):
        Customer.from_record({"key": "C1", "assets_under_management": "-0.01"})


def test_kyc_file_must_belong_to_the_customer() -> None:
    with pytest.raises(RecordValidationError, match=r"kyc\.customer_key must equal"):
        Customer(key="C1", kyc=KycFile(customer_key="C2"))


def test_a_customer_cannot_refer_themselves() -> None:
    assert Customer(key="C1", referred_by="C0").referred_by == "C0"
    with pytest.raises(RecordValidationError, match="referred_by"):
        Customer(key="C1", referred_by="C1")


def test_monthly_balances_are_one_per_month_and_kept_in_month_order() -> None:
    c = Customer(
        key="C1",
        monthly_balances=(
            MonthlyBalance(month="2026-03", average_daily_balance=D("3.00")),
            MonthlyBalance(month="2025-12", average_daily_balance=D("1.00")),
        ),
    )
    assert [m.month for m in c.monthly_balances] == ["2025-12", "2026-03"]
    assert c.balances_by_month() == {"2025-12": D("1.00"), "2026-03": D("3.00")}
    with pytest.raises(RecordValidationError, match="each month at most once"):
        Customer(
            key="C1",
            monthly_balances=(
                MonthlyBalance(month="2026-03", average_daily_balance=D("3.00")),
                MonthlyBalance(month="2026-03", average_daily_balance=D("1.00")),
            ),
        )


@pytest.mark.parametrize("month", ["2026-00", "2026-13", "26-01", "2026-1", "2026/01"])
def test_months_are_year_dash_month(month: str) -> None:
    with pytest.raises(RecordValidationError):
        MonthlyBalance.from_record({"month": month, "average_daily_balance": "1"})


def test_do_not_contact_overrides_every_consent() -> None:
    consents = (
        ChannelConsent(channel=Channel.SMS, marketing=True),
        ChannelConsent(channel=Channel.PHONE, service=True, marketing=False),
    )
    prefs = ContactPreferences(consents=consents)
    assert prefs.allows(Channel.SMS, Purpose.MARKETING)
    assert prefs.allows(Channel.PHONE, Purpose.SERVICE)
    assert not prefs.allows(Channel.PHONE, Purpose.MARKETING)
    assert not prefs.allows(Channel.EMAIL, Purpose.SERVICE)  # absent channel: no consent
    opted_out = prefs.replace(do_not_contact=True)
    assert not any(opted_out.allows(ch, p) for ch in Channel for p in Purpose)


def test_consent_is_given_once_per_channel() -> None:
    with pytest.raises(RecordValidationError, match="each channel at most once"):
        ContactPreferences(
            consents=(ChannelConsent(channel=Channel.SMS), ChannelConsent(channel=Channel.SMS))
        )


def test_risk_assessment_is_valid_on_its_closed_interval() -> None:
    ra = RiskAssessment(
        level="C3", score=52, assessed_on=dt.date(2026, 3, 1), valid_until=dt.date(2027, 2, 28)
    )
    assert not ra.is_valid_on(dt.date(2026, 2, 28))
    assert ra.is_valid_on(dt.date(2026, 3, 1))
    assert ra.is_valid_on(dt.date(2027, 2, 28))
    assert not ra.is_valid_on(dt.date(2027, 3, 1))
    with pytest.raises(RecordValidationError, match="valid_until must not be before"):
        RiskAssessment(
            level="C3", score=52, assessed_on=dt.date(2026, 3, 1), valid_until=dt.date(2026, 2, 1)
        )


def test_a_product_buy_rule_needs_a_positive_increment_and_bounded_cooling_off() -> None:
    p = Product(id="WM-001", name="Steady Income 90d", category="wealth_management",
                risk_level="R2", minimum_investment=D("10000"), increment=D("1000"),
                cooling_off_hours=24)  # fmt: skip
    assert p.currency == "CNY"
    assert p.cooling_off_hours == 24
    with pytest.raises(RecordValidationError):
        p.replace(cooling_off_hours=24 * 30 + 1)
    with pytest.raises(RecordValidationError, match="increment must be positive"):
        p.replace(increment=D(0))


def test_a_manager_works_at_most_80_hours_a_week() -> None:
    rm = RelationshipManager(id="RM-01", capacity_hours_per_week=D("37.5"))
    assert rm.capacity_hours_per_week == D("37.5")
    for hours in (D("-1"), D("80.5")):
        with pytest.raises(RecordValidationError, match=r"\[0, 80\]"):
            RelationshipManager(id="RM-01", capacity_hours_per_week=hours)


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "UTC", "America/Argentina/Buenos_Aires"])
def test_time_zones_are_iana_names(tz: str) -> None:
    assert Customer(key="C1", time_zone=tz).time_zone == tz


@pytest.mark.parametrize("tz", ["CST", "+08:00", "shanghai", "", "UTC\n", "Asia/Shanghai\n"])
def test_non_iana_time_zones_are_rejected(tz: str) -> None:
    with pytest.raises(RecordValidationError, match="IANA"):
        Customer(key="C1", time_zone=tz)


@pytest.mark.parametrize("key", ["", "has space", "-leading-dash", "x" * 65, "名字"])
def test_customer_keys_are_pseudonymous_tokens(key: str) -> None:
    with pytest.raises(RecordValidationError) as info:
        Customer(key=key)
    assert info.value.field == "key"


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(RecordValidationError) as info:
        Customer.from_record({"key": "C1", "vip": True})
    assert info.value.details[0].type == "extra_forbidden"
    # The key is not repeated (it may be a phone number): the location says where.
    assert info.value.field == "<unknown key>"
    assert "vip" not in str(info.value)


def test_a_high_end_kyc_file_records_family_dates_and_interests_without_names() -> None:
    kyc = KycFile(
        customer_key="C1",
        identity=Identity.from_record({"full_name": "Li Lei", "phone": "13800138000"}),
        occupation="surgeon",
        important_dates=(
            ImportantDate.from_record({"kind": "wedding_anniversary", "on": "2010-05-20"}),
            ImportantDate.from_record(
                {"kind": "birthday", "relation": "child", "on": "2016-02-29", "calendar": "lunar"}
            ),
        ),
        interests=("golf", "calligraphy", "golf"),
        family=(FamilyMember.from_record({"relation": "child", "birth_on": "2016-02-29"}),),
    )
    assert kyc.interests == ("calligraphy", "golf")
    assert kyc.important_dates[1].on == dt.date(2016, 2, 29)
    assert "name" not in FamilyMember.model_fields  # household members are never named
    assert kyc.to_record()["identity"]["phone"] == "[redacted]"


def test_a_contact_note_is_short() -> None:
    rec = ContactRecord.from_record(
        {"customer_key": "C1", "on": "2026-02-01", "channel": "phone", "purpose": "service"}
    )
    assert rec.note is None
    with pytest.raises(RecordValidationError):
        rec.replace(note="x" * 201)


def test_every_error_from_a_model_is_a_custtier_error() -> None:
    for build in (
        lambda: ProductHolding.from_record({"product_id": "", "principal": "1"}),
        lambda: Identity.from_record({"phone": ""}),
        lambda: ImportantDate.from_record({"kind": "name_day", "on": "2026-01-01"}),
    ):
        with pytest.raises(CusttierError):
            build()


def test_vocabulary_dumps_as_before() -> None:
    # Vocabulary members are written by pydantic-core's str serializer (no
    # Python call for .value); what each dump returns must not change.
    from custtier._enum import Vocabulary

    assert issubclass(Channel, Vocabulary)
    assert issubclass(Purpose, Vocabulary)
    consent = ChannelConsent(channel="sms", marketing=True)
    prefs = ContactPreferences(consents=[consent])
    assert prefs.model_dump()["consents"][0]["channel"] is Channel.SMS  # python mode: members
    dumped = prefs.model_dump(mode="json")["consents"][0]["channel"]
    assert type(dumped) is str
    assert dumped == "sms"
    assert prefs.model_dump_json() == (
        '{"consents":[{"channel":"sms","service":true,"marketing":true,"recorded_on":null}],'
        '"do_not_contact":false,"do_not_contact_since":null}'
    )
    assert ContactPreferences.model_json_schema()["$defs"]["Channel"]["enum"] == [
        c.value for c in Channel
    ]


@given(st.lists(st.sampled_from(list(Channel)), max_size=10))
def test_consents_come_back_sorted_or_a_repeated_channel_is_refused(
    channels: list[Channel],
) -> None:
    # Consents already in order (as an export writes them) are kept as given;
    # any other order is sorted, and a channel listed twice is refused.
    consents = [ChannelConsent(channel=ch) for ch in channels]
    if len(set(channels)) < len(channels):
        with pytest.raises(RecordValidationError, match="each channel at most once"):
            ContactPreferences(consents=consents)
        return
    prefs = ContactPreferences(consents=consents)
    assert [c.channel for c in prefs.consents] == sorted(channels)


@given(st.lists(st.sampled_from(["2025-11", "2025-12", "2026-01", "2026-02"]), max_size=6))
def test_months_come_back_sorted_or_a_repeated_month_is_refused(months: list[str]) -> None:
    record = {
        "key": "C1",
        "monthly_balances": [{"month": m, "average_daily_balance": "1.00"} for m in months],
    }
    if len(set(months)) < len(months):
        with pytest.raises(RecordValidationError, match="each month at most once"):
            Customer.from_record(record)
        return
    assert [m.month for m in Customer.from_record(record).monthly_balances] == sorted(months)
