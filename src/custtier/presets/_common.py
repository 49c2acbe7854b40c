"""Parts both shipped presets share: questionnaire, categories, services, contact rules.

Kept as plain literals (dicts), validated when each preset is built at import.
"""

from __future__ import annotations

from typing import Any

SRC_PRACTICE = {
    "id": "practice",
    "citation": "How do bank managers manage accounts? (the relationship-management practice "
    "custtier encodes; docs/practice.md)",
}
SRC_CSRC_SUITABILITY = {
    "id": "csrc-suitability-2016",
    "citation": "CSRC, Measures for the Suitability Management of Securities and Futures "
    "Investors (证券期货投资者适当性管理办法), CSRC Order No. 130, 2016",
    "note": "Five investor categories C1-C5 against product levels R1-R5; the lowest "
    "category may buy only the lowest-risk products.",
}
SRC_CBIRC_WM = {
    "id": "cbirc-wm-2018",
    "citation": "CBIRC, Measures for the Supervision and Administration of the Wealth "
    "Management Business of Commercial Banks (商业银行理财业务监督管理办法), 2018",
    "note": "Product risk ratings, customer risk assessment, and a cooling-off period of "
    "at least 24 hours for privately offered wealth-management products.",
}
SRC_RECORDING = {
    "id": "cbrc-recording-2017",
    "citation": "CBRC, Interim Provisions on the Management of Audio and Video Recording in "
    "Sales Areas of Banking Financial Institutions (银行业金融机构销售专区录音录像管理暂行规定), 2017",
    "note": "In-branch sales of wealth-management and agency products are audio/video recorded.",
}
SRC_ELDERLY = {
    "id": "elderly-care-practice",
    "citation": "Retail-bank practice for customers aged 65 and over: risk levels capped and "
    "sales of risky products confirmed again (an industry convention, not a single rule)",
}
SRC_AML_CDD = {
    "id": "pboc-cdd-2022",
    "citation": "PBOC/CBIRC/CSRC, Measures for Customer Due Diligence and Preservation of "
    "Customer Identity Information and Transaction Records (金融机构客户尽职调查和客户身份资料"
    "及交易记录保存管理办法), 2022",
    "note": "Risk-based customer due diligence: higher AML ratings are reviewed more often.",
}
SRC_MARKET_BARS = {
    "id": "market-tier-bars",
    "citation": "Published entry bars of Chinese retail banks, e.g. China Merchants Bank "
    "Sunflower (金葵花) at ¥500,000 and private banking at ¥10,000,000 monthly average "
    "daily total assets; private-banking bars of ¥6M-¥10M are common",
}


def _q(qid: str, topic: str, text: str, *options: tuple[str, str, int]) -> dict[str, Any]:
    return {
        "id": qid,
        "topic": topic,
        "text": text,
        "options": [{"id": o, "text": t, "score": s} for o, t, s in options],
    }


# Seven questions on the topics suitability rules ask about (age, finances,
# experience, objective, horizon, liquidity need, loss tolerance); scores
# total 0-100 so the CSRC-style bands (<=20 / 21-45 / 46-70 / 71-85 / 86-100)
# apply directly. Age scores fall to 0 at 65+, so elderly customers have age
# weighed as the practice of extra care requires.
QUESTIONNAIRE: list[dict[str, Any]] = [
    _q("q_age", "age", "Your age",
       ("a", "Under 30", 8), ("b", "30 to 50", 10), ("c", "51 to 64", 5), ("d", "65 or over", 0)),
    _q("q_finances", "finances", "Investable financial assets of your household",
       ("a", "Under ¥100,000", 0), ("b", "¥100,000 to ¥500,000", 5),
       ("c", "¥500,000 to ¥2,000,000", 10), ("d", "Over ¥2,000,000", 15)),
    _q("q_experience", "experience", "Products you have invested in before",
       ("a", "None beyond deposits", 0), ("b", "Bank wealth-management products", 5),
       ("c", "Bond or mixed funds", 10), ("d", "Equities, derivatives or private funds", 15)),
    _q("q_objective", "objective", "Your main investment objective",
       ("a", "Keep my principal absolutely safe", 0), ("b", "Steady income", 5),
       ("c", "Balanced growth and income", 10), ("d", "The highest possible return", 15)),
    _q("q_horizon", "horizon", "How long you expect to stay invested",
       ("a", "Under 1 year", 0), ("b", "1 to 3 years", 5), ("c", "3 to 5 years", 10),
       ("d", "Over 5 years", 15)),
    _q("q_liquidity", "liquidity", "When you may need this money back",
       ("a", "At any time", 0), ("b", "Within a year", 4), ("c", "In 1 to 3 years", 7),
       ("d", "Not for 3 years or more", 10)),
    _q("q_loss", "loss_tolerance", "The largest loss in a year you could accept",
       ("a", "No loss of principal", 0), ("b", "Up to 5%", 5), ("c", "Up to 15%", 12),
       ("d", "Up to 30%", 17), ("e", "More than 30%", 20)),
]  # fmt: skip

CATEGORIES: list[dict[str, str]] = [
    {"id": "deposit", "label": "Time deposits and large certificates of deposit"},
    {"id": "money_market", "label": "Money-market funds and cash management products"},
    {"id": "bond_fund", "label": "Bond funds"},
    {"id": "fixed_income_wm", "label": "Fixed-income bank wealth-management products"},
    {"id": "balanced_fund", "label": "Balanced (mixed) funds"},
    {"id": "equity_fund", "label": "Equity funds"},
    {"id": "structured_product", "label": "Structured products"},
    {"id": "private_wealth", "label": "Private wealth-management products and private funds"},
    {"id": "protection_insurance", "label": "Protection insurance (medical, critical illness)"},
    {"id": "pension_product", "label": "Pension products (personal pension, annuities)"},
    {"id": "education_savings", "label": "Education savings plans"},
]

# Needs the practice names → the category that serves them.
NEED_CATEGORIES = {
    "pension": "pension_product",
    "insurance": "protection_insurance",
    "medical": "protection_insurance",
    "education": "education_savings",
    "housing": "deposit",
    "leisure": "money_market",
}

KYC_BASIC = ["identity", "aml_rating", "contact_consent"]
KYC_MID = [*KYC_BASIC, "occupation", "declared_income", "risk_assessment", "birthday"]
KYC_DETAILED = [
    *KYC_MID, "source_of_funds", "external_assets", "important_dates", "interests", "family",
]  # fmt: skip


def services(high: list[str], mid: list[str], mass: list[str]) -> list[dict[str, Any]]:
    """Tier services as the practice lists them, for the given tier ids."""

    def s(sid: str, label: str, kind: str, tiers: list[str]) -> dict[str, Any]:
        return {"id": sid, "label": label, "kind": kind, "tiers": tiers}

    return [
        s("wealth_package", "Customised wealth-management package", "wealth_package", high),
        s("innovative_loans", "Innovative loan products", "wealth_package", high),
        s("financial_consultant", "Dedicated financial consultant", "priority_channel", high),
        s("wealth_centre", "Wealth management centre and VIP windows", "priority_channel", high),
        s("airport_service", "Domestic airport guest service", "value_added", high),
        s("business_travel", "Business travel value-added service", "value_added", high),
        s("medical_service", "Medical value-added service", "value_added", high),
        s("customer_salon", "Customer salons, beauty salons and tasting meetings", "event", mid),
        s("points_exchange", "Points exchange", "loyalty", mass),
        s("deposit_gift", "Deposit gifts and deposit lottery", "loyalty", mass),
        s("referral_reward", "Rewards for referring new customers", "loyalty", mass),
    ]


def contact_rules(high: str, mid: str, mass: str) -> list[dict[str, Any]]:
    """Contact cadence per tier, as the practice describes it."""

    def r(  # noqa: PLR0917  # rows read like a table: id, tier, occasion, channel …
        rid: str, tier: str, occasion: str, channel: str, purpose: str, owner: str, **kw: Any
    ) -> dict[str, Any]:
        return {
            "id": rid,
            "tier": tier,
            "occasion": occasion,
            "channel": channel,
            "purpose": purpose,
            "owner": owner,
            **kw,
        }

    return [
        # High-end: detailed greetings and regular home visits by the manager.
        r(
            f"{high}.birthday",
            high,
            "birthday",
            "phone",
            "service",
            "manager",
            priority=2,
            duration_minutes=10,
            description="Birthday greeting from the manager",
        ),
        r(
            f"{high}.holiday",
            high,
            "holiday",
            "sms",
            "service",
            "manager",
            priority=3,
            duration_minutes=2,
            description="Holiday greeting",
        ),
        r(
            f"{high}.important_date",
            high,
            "important_date",
            "phone",
            "service",
            "manager",
            priority=3,
            duration_minutes=10,
            description="Anniversary or family date greeting",
        ),
        r(
            f"{high}.visit",
            high,
            "periodic",
            "home_visit",
            "service",
            "manager",
            interval_days=90,
            priority=2,
            duration_minutes=90,
            description="Home visit",
        ),
        r(
            f"{high}.kyc",
            high,
            "kyc_refresh",
            "phone",
            "service",
            "manager",
            lead_days=30,
            priority=1,
            duration_minutes=20,
            description="KYC review",
        ),
        r(
            f"{high}.risk",
            high,
            "risk_reassessment",
            "phone",
            "service",
            "manager",
            lead_days=30,
            priority=1,
            duration_minutes=20,
            description="Risk re-assessment",
        ),
        r(
            f"{high}.maturity",
            high,
            "product_maturity",
            "phone",
            "service",
            "manager",
            lead_days=14,
            priority=2,
            duration_minutes=15,
            description="Maturity review",
        ),
        # Mid-end: salons and events, regular phone or SMS contact.
        r(
            f"{mid}.salon",
            mid,
            "event",
            "in_branch_event",
            "marketing",
            "manager",
            interval_days=90,
            priority=5,
            duration_minutes=15,
            description="Salon invitation",
        ),
        r(
            f"{mid}.call",
            mid,
            "periodic",
            "phone",
            "service",
            "manager",
            interval_days=60,
            priority=4,
            duration_minutes=15,
            description="Regular call",
        ),
        r(
            f"{mid}.birthday",
            mid,
            "birthday",
            "sms",
            "service",
            "marketing_system",
            priority=6,
            description="Birthday SMS",
        ),
        r(
            f"{mid}.risk",
            mid,
            "risk_reassessment",
            "phone",
            "service",
            "manager",
            lead_days=30,
            priority=3,
            duration_minutes=15,
            description="Risk re-assessment",
        ),
        r(
            f"{mid}.maturity",
            mid,
            "product_maturity",
            "sms",
            "service",
            "marketing_system",
            lead_days=7,
            priority=5,
            description="Maturity notice",
        ),
        # Mass: regular service plus mass SMS and telemarketing campaigns.
        r(
            f"{mass}.sms",
            mass,
            "campaign",
            "mass_sms",
            "marketing",
            "marketing_system",
            interval_days=30,
            priority=8,
            description="Mass SMS campaign",
        ),
        r(
            f"{mass}.telemarketing",
            mass,
            "campaign",
            "telemarketing",
            "marketing",
            "marketing_system",
            interval_days=180,
            priority=8,
            description="Telephone invitation with a wealth product as entry point",
        ),
        r(
            f"{mass}.kyc",
            mass,
            "kyc_refresh",
            "sms",
            "service",
            "marketing_system",
            lead_days=30,
            priority=7,
            description="KYC update request",
        ),
    ]


# "Tap potential high-quality customers": signals from the practice's own
# words (balances close to the next bar, rising balances, declared wealth or
# income, referrals of new customers, breadth of business). Points rank them.
UPGRADE_CANDIDATES: dict[str, Any] = {
    "signals": [
        {"rule_id": "cand.near_bar", "kind": "near_bar", "threshold": "0.2", "points": 3},
        {"rule_id": "cand.rising", "kind": "rising_balance", "threshold": "0.25", "points": 2},
        {"rule_id": "cand.wealth", "kind": "declared_wealth", "threshold": "500000.00",
         "points": 3},
        {"rule_id": "cand.income", "kind": "declared_income", "threshold": "300000.00",
         "points": 2},
        {"rule_id": "cand.referrals", "kind": "referrals", "threshold": "2", "points": 1},
        {"rule_id": "cand.breadth", "kind": "product_breadth", "threshold": "3", "points": 1},
    ],
    "min_score": 3,
}  # fmt: skip


def suitability_policy(source_matrix: str) -> list[dict[str, Any]]:
    """The suitability checks both presets apply, each with a rule id and its source."""
    return [
        {"rule_id": "suit.assessment_required", "check": "assessment_required",
         "source": "cbirc-wm-2018"},
        {"rule_id": "suit.level_matrix", "check": "level_matrix", "source": source_matrix},
        {"rule_id": "suit.tier_reservation", "check": "tier_reservation", "source": "practice"},
        {"rule_id": "suit.minimum_and_increment", "check": "minimum_and_increment",
         "source": "cbirc-wm-2018"},
        {"rule_id": "suit.cooling_off", "check": "cooling_off", "source": "cbirc-wm-2018"},
        {"rule_id": "suit.elderly_confirmation", "check": "elderly_confirmation",
         "source": "elderly-care-practice"},
        {"rule_id": "suit.recorded_sale", "check": "recorded_sale",
         "source": "cbrc-recording-2017"},
    ]  # fmt: skip
