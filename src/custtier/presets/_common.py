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
SRC_NFRA_SUITABILITY = {
    "id": "nfra-suitability-2025",
    "citation": "NFRA, Measures for the Suitability Management of Products of Financial "
    "Institutions (金融机构产品适当性管理办法), NFRA Order 2025 No. 7, published 11 July 2025, "
    "in force 1 February 2026",
    "note": "Investment products (bank and wealth-management-company products, "
    "non-principal-protected structured deposits among them) are risk-rated and sold only to "
    "customers whose assessed risk tolerance matches; selling high-risk products to "
    "customers aged 65 or over carries a special duty of care.",
}
SRC_TIER_REVIEW = {
    "id": "tier-review-practice",
    "citation": "Retail-bank practice: customer tiers are re-rated at least once a year, so a "
    "tier kept by the buffer under its bar is held for at most twelve months (custtier's "
    "choice, an industry convention, not a single rule)",
}
SRC_AML_CDD = {
    "id": "pboc-cdd-2022",
    "citation": "PBOC/CBIRC/CSRC, Measures for Customer Due Diligence and Preservation of "
    "Customer Identity Information and Transaction Records (金融机构客户尽职调查和客户身份资料"
    "及交易记录保存管理办法), 2022",
    "note": "Risk-based customer due diligence: higher AML ratings are reviewed more often.",
}
SRC_CONSUMER = {
    "id": "pboc-consumer-2020",
    "citation": "PBOC, Implementation Measures for the Protection of Financial Consumers' "
    "Rights and Interests (中国人民银行金融消费者权益保护实施办法), PBOC Order [2020] No. 5",
    "note": "Marketing needs the consumer's consent and stops when they refuse; the caps on "
    "contact frequency are the bank's own way of keeping marketing from harassing.",
}
SRC_SMS = {
    "id": "miit-sms-2015",
    "citation": "MIIT, Provisions on the Administration of Short Message Services "
    "(通信短信息服务管理规定), MIIT Order No. 31, 2015",
    "note": "Commercial SMS only with the recipient's consent, and never after they refuse.",
}
SRC_CONTACT_HOURS = {
    "id": "contact-hours-practice",
    "citation": "Retail-bank practice: no calls or marketing messages before 08:00 or after "
    "21:00 in the customer's local time (an industry convention, not a single rule)",
}
SRC_MARKET_BARS = {
    "id": "market-tier-bars",
    "citation": "Published entry bars of Chinese retail banks, e.g. China Merchants Bank "
    "Sunflower (金葵花) at ¥500,000 and private banking at ¥10,000,000 monthly average "
    "daily total assets; private-banking bars of ¥6M-¥10M are common",
}


def _q(
    qid: str,
    topic: str,
    text: str,
    *options: tuple[str, str, int],
    min_ages: dict[str, int] | None = None,
) -> dict[str, Any]:
    ages = min_ages or {}
    return {
        "id": qid,
        "topic": topic,
        "text": text,
        "options": [
            {"id": o, "text": t, "score": s, **({"min_age": ages[o]} if o in ages else {})}
            for o, t, s in options
        ],
    }


# Seven questions on the topics suitability rules ask about (age, finances,
# experience, objective, horizon, liquidity need, loss tolerance); scores
# total 0-100 so the CSRC-style bands (<=20 / 21-45 / 46-70 / 71-85 / 86-100)
# apply directly. Age scores fall to 0 at 65+, so elderly customers have age
# weighed as the practice of extra care requires.
QUESTIONNAIRE: list[dict[str, Any]] = [
    _q("q_age", "age", "Your age",
       ("a", "Under 30", 8), ("b", "30 to 50", 10), ("c", "51 to 64", 5), ("d", "65 or over", 0),
       min_ages={"b": 30, "c": 51, "d": 65}),
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
    """Tier services as the practice lists them, for the given tier ids.

    No ``annual_cost``: the practice names these services but gives no
    figure, and no cited source does; a bank states its own.
    """

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


def _rule(  # noqa: PLR0917  # rows read like a table: id, tier, occasion, channel …
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


# Holidays greeted, by the names of the `holidays` package's China calendar
# (matched as a substring: "Spring Festival" is "Chinese New Year (Spring Festival)").
GREETED_HOLIDAYS = ["New Year's Day", "Spring Festival", "Mid-Autumn Festival", "National Day"]


def high_end_rules(tier: str, *, visit_days: int) -> list[dict[str, Any]]:
    """High-end (and private-banking) customers: greetings and home visits by the manager."""
    r = _rule
    return [
        r(f"{tier}.birthday", tier, "birthday", "phone", "service", "manager",
          priority=2, duration_minutes=10, description="Birthday call from the manager",
          source="practice"),
        r(f"{tier}.holiday", tier, "holiday", "sms", "service", "manager",
          holidays=GREETED_HOLIDAYS, priority=3, duration_minutes=2,
          description="Holiday greeting from the manager", source="practice"),
        r(f"{tier}.important_date", tier, "important_date", "phone", "service", "manager",
          priority=3, duration_minutes=10, description="Anniversary or family date greeting",
          source="practice"),
        r(f"{tier}.visit", tier, "periodic", "home_visit", "service", "manager",
          interval_days=visit_days, flex_days=21, priority=2, duration_minutes=90,
          description="Home visit", source="practice"),
        r(f"{tier}.kyc", tier, "kyc_refresh", "phone", "regulatory", "manager",
          lead_days=30, priority=1, duration_minutes=20, description="KYC review",
          source="pboc-cdd-2022"),
        r(f"{tier}.risk", tier, "risk_reassessment", "phone", "regulatory", "manager",
          lead_days=30, priority=1, duration_minutes=20, description="Risk re-assessment",
          source="cbirc-wm-2018"),
        r(f"{tier}.maturity", tier, "product_maturity", "phone", "regulatory", "manager",
          lead_days=14, priority=2, duration_minutes=15, description="Maturity review",
          source="practice"),
    ]  # fmt: skip


def contact_rules(high: str, mid: str, mass: str) -> list[dict[str, Any]]:
    """Contact cadence per tier, as the practice describes it."""
    r = _rule
    return [
        *high_end_rules(high, visit_days=90),
        # Mid-end: salons and events, regular phone or SMS contact.
        r(f"{mid}.salon", mid, "event", "in_branch_event", "marketing", "manager",
          # A salon on the second Saturday of every quarter's first month, invited 14 days ahead.
          rrule="FREQ=MONTHLY;INTERVAL=3;BYDAY=SA;BYSETPOS=2", anchor="2026-01-01",
          lead_days=14, flex_days=7, priority=5, duration_minutes=15,
          description="Salon invitation", source="practice"),
        r(f"{mid}.call", mid, "periodic", "phone", "service", "manager",
          interval_days=60, flex_days=14, priority=4, duration_minutes=15,
          description="Regular call", source="practice"),
        r(f"{mid}.birthday", mid, "birthday", "sms", "service", "marketing_system",
          priority=6, description="Birthday SMS", source="practice"),
        r(f"{mid}.holiday", mid, "holiday", "sms", "service", "marketing_system",
          holidays=["Spring Festival", "Mid-Autumn Festival"], priority=6,
          description="Holiday SMS", source="practice"),
        r(f"{mid}.kyc", mid, "kyc_refresh", "phone", "regulatory", "manager",
          lead_days=30, priority=3, duration_minutes=15, description="KYC review",
          source="pboc-cdd-2022"),
        r(f"{mid}.risk", mid, "risk_reassessment", "phone", "regulatory", "manager",
          lead_days=30, priority=3, duration_minutes=15, description="Risk re-assessment",
          source="cbirc-wm-2018"),
        r(f"{mid}.maturity", mid, "product_maturity", "sms", "regulatory", "marketing_system",
          lead_days=7, priority=5, description="Maturity notice", source="practice"),
        # Mass: regular service by the marketing system; campaigns are in CAMPAIGNS.
        r(f"{mass}.service", mass, "periodic", "sms", "service", "marketing_system",
          interval_days=90, flex_days=14, priority=7, description="Account service notice",
          source="practice"),
        r(f"{mass}.birthday", mass, "birthday", "sms", "service", "marketing_system",
          priority=8, description="Birthday SMS", source="practice"),
        r(f"{mass}.kyc", mass, "kyc_refresh", "sms", "regulatory", "marketing_system",
          lead_days=30, priority=7, description="KYC update request", source="pboc-cdd-2022"),
        r(f"{mass}.maturity", mass, "product_maturity", "sms", "regulatory", "marketing_system",
          lead_days=7, priority=6, description="Maturity notice", source="practice"),
    ]  # fmt: skip


def campaigns(mass: str) -> list[dict[str, Any]]:
    """Campaigns for mass customers over 2026 and early 2027 (dated, as banks run them)."""

    def camp(  # noqa: PLR0917  # rows read like a table
        cid: str, label: str, channel: str, offer: str, start: str, end: str, **segment: Any
    ) -> dict[str, Any]:
        return {
            "id": cid, "label": label, "channel": channel, "offer": offer,
            "start_on": start, "end_on": end, "segment": {"tiers": [mass], **segment},
            "priority": 9 if channel == "mass_sms" else 8, "source": "practice",
        }  # fmt: skip

    return [
        camp("camp.2026.spring_gift", "Spring Festival deposit gift", "mass_sms",
             "deposit_gift", "2026-01-19", "2026-02-13"),
        camp("camp.2026.wm_entry", "First wealth product: a low-risk entry product",
             "telemarketing", "wealth_product_entry", "2026-04-01", "2026-06-30"),
        camp("camp.2026.points", "Summer points exchange", "mass_sms", "points",
             "2026-07-01", "2026-07-31"),
        camp("camp.2026.referral", "Refer a friend", "mass_sms", "referral_invitation",
             "2026-09-01", "2026-09-30"),
        camp("camp.2026.lottery", "Year-end deposit lottery", "mass_sms", "lottery",
             "2026-12-01", "2026-12-31"),
        camp("camp.2027.spring_gift", "Spring Festival deposit gift", "mass_sms",
             "deposit_gift", "2027-01-11", "2027-02-05"),
        camp("camp.2027.pension_entry", "Personal pension account: entry product",
             "telemarketing", "wealth_product_entry", "2027-03-01", "2027-04-30",
             needs_any=["pension"], min_age=40),
    ]  # fmt: skip


#: KYC review intervals by AML rating: high every 6 months, each lower rating
#: at most twice the interval of the rating above.
KYC_REVIEWS: list[dict[str, Any]] = [
    {"rule_id": "kyc.review.high", "aml_rating": "high", "interval_months": 6,
     "source": "pboc-cdd-2022"},
    {"rule_id": "kyc.review.medium", "aml_rating": "medium", "interval_months": 12,
     "source": "pboc-cdd-2022"},
    {"rule_id": "kyc.review.low", "aml_rating": "low", "interval_months": 24,
     "source": "pboc-cdd-2022"},
]  # fmt: skip

#: Contact pressure: marketing at most 4 in any 30 days, telemarketing once in
#: any 90 days, and no more than 3 contacts of any kind in any 7 days.
CAPS: list[dict[str, Any]] = [
    {"rule_id": "cap.marketing.30d", "purpose": "marketing", "max_contacts": 4,
     "window_days": 30, "source": "pboc-consumer-2020"},
    {"rule_id": "cap.telemarketing.90d", "channel": "telemarketing", "max_contacts": 1,
     "window_days": 90, "source": "pboc-consumer-2020"},
    {"rule_id": "cap.any.7d", "max_contacts": 3, "window_days": 7, "source": "practice"},
]  # fmt: skip

#: The work a contact rule may ask for: nothing finer than weekly, no rule more
#: than weekly for a customer, and no tier more than 120 contacts a customer a
#: year (ten a month; the 7-day cap already stops more than 156 being made).
#: The presets ask for at most 13 (high-end), so a bank's edits have room.
BUDGET: dict[str, Any] = {
    "rule_id": "cadence.budget",
    "finest_frequency": "weekly",
    "min_interval_days": 7,
    "max_per_rule_per_year": 53,
    "max_per_customer_per_year": 120,
    "source": "practice",
}

#: Calls and messages only between 08:00 and 21:00 in the customer's time zone.
QUIET_HOURS: list[dict[str, Any]] = [
    {"rule_id": "quiet.calls_and_messages",
     "channels": ["phone", "sms", "mass_sms", "telemarketing", "messaging_app"],
     "earliest": "08:00", "latest": "21:00", "send_at": "10:00",
     "source": "contact-hours-practice"},
]  # fmt: skip


def cadence(high: list[str], mid: str, mass: str) -> dict[str, Any]:
    """The whole cadence section for the given tier ids (``high`` from the top tier down).

    The first high tier gets the practice's full rule set; each further one
    (private banking) the high-end rules with visits every 60 days.
    """
    rules = contact_rules(high[0], mid, mass)
    for tier in high[1:]:
        rules += high_end_rules(tier, visit_days=60)
    return {
        "contact_rules": rules,
        "leap_day": "feb28",
        "lunar_leap_month": "regular_month",
        "lunar_short_month": "last_day",
        "caps": CAPS,
        "quiet_hours": QUIET_HOURS,
        "kyc_reviews": KYC_REVIEWS,
        "campaigns": campaigns(mass),
        "budget": BUDGET,
        # A refusal stops marketing and relationship contacts; duties the bank
        # owes under regulation stay due, on a channel the customer allows.
        "do_not_contact": {
            "rule_id": "cadence.do_not_contact",
            "binds": ["marketing", "service"],
            "source": "pboc-consumer-2020",
        },
    }


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
         "source": "nfra-suitability-2025"},
        {"rule_id": "suit.level_matrix", "check": "level_matrix", "source": source_matrix},
        {"rule_id": "suit.tier_reservation", "check": "tier_reservation", "source": "practice"},
        {"rule_id": "suit.minimum_and_increment", "check": "minimum_and_increment",
         "source": "cbirc-wm-2018"},
        {"rule_id": "suit.cooling_off", "check": "cooling_off", "source": "cbirc-wm-2018"},
        {"rule_id": "suit.elderly_confirmation", "check": "elderly_confirmation",
         "source": "nfra-suitability-2025"},
        {"rule_id": "suit.recorded_sale", "check": "recorded_sale",
         "source": "cbrc-recording-2017"},
    ]  # fmt: skip


# The worklist's ranking. A lapsing risk assessment comes first: from the day
# after it lapses only risk-free products may be sold (nfra-suitability-2025).
# Planned contacts and maturities next (a maturity left alone drifts to cash),
# then KYC gaps and upgrade candidates, which can wait a day. Within a kind,
# higher tiers first; ties by due date, by what a KYC gap blocks, by tier, by
# maturing amount and by candidate score.
_WORK_PRIORITY: dict[str, dict[str, int]] = {
    "risk_expiry": {"private_banking": 1, "high_end": 1, "mid_end": 2, "mass": 4},
    "contact": {"private_banking": 2, "high_end": 2, "mid_end": 3, "mass": 5},
    "maturity": {"private_banking": 2, "high_end": 2, "mid_end": 3, "mass": 5},
    "kyc_gap": {"private_banking": 3, "high_end": 3, "mid_end": 4, "mass": 6},
    "upgrade_candidate": {"private_banking": 9, "high_end": 5, "mid_end": 5, "mass": 6},
}
_WORK_MINUTES = {"risk_expiry": 20, "maturity": 20, "kyc_gap": 15, "upgrade_candidate": 15}
_WORK_SOURCE = {"risk_expiry": "nfra-suitability-2025", "kyc_gap": "pboc-cdd-2022"}
_WORK_TEXT = {
    "contact": "A contact the plan placed for the day.",
    "risk_expiry": "Re-assess before the assessment lapses and risky sales are blocked.",
    "maturity": "A holding matures: offer suitable reinvestment for the amount.",
    "kyc_gap": "Complete what the tier's KYC file lacks.",
    "upgrade_candidate": "Approach a potential high-quality customer ('tap potential').",
}

# What a missing KYC item blocks, most blocking first (rank 1).
_KYC_BLOCKS: list[tuple[str, str, int, str]] = [
    (
        "risk_assessment",
        "risky sales: only risk-free products until assessed",
        1,
        "nfra-suitability-2025",
    ),
    ("identity", "customer due diligence: the file cannot be reviewed", 2, "pboc-cdd-2022"),
    ("contact_consent", "every contact: no channel may be used", 2, "pboc-consumer-2020"),
    ("aml_rating", "the review schedule: reviewed as high risk until rated", 2, "pboc-cdd-2022"),
    ("source_of_funds", "due diligence on large investments", 3, "pboc-cdd-2022"),
    ("occupation", "due diligence and needs-based advice", 3, "pboc-cdd-2022"),
    ("declared_income", "needs-based advice and the income upgrade signal", 4, "practice"),
    ("external_assets", "the declared-wealth upgrade signal", 4, "practice"),
    ("birthday", "birthday greetings", 5, "practice"),
    ("important_dates", "anniversary and family greetings", 5, "practice"),
    ("family", "household needs (education, pension, insurance)", 6, "practice"),
    ("interests", "salon and event invitations", 6, "practice"),
]


def worklist(tiers: list[str]) -> dict[str, Any]:
    """The worklist section for the given tier ids."""
    return {
        "rule_id": "worklist.rank",
        "kinds": [
            {
                "rule_id": f"worklist.{kind}",
                "kind": kind,
                "priorities": [{"tier": t, "priority": by_tier[t]} for t in tiers],
                "minutes": _WORK_MINUTES.get(kind),
                "description": _WORK_TEXT[kind],
                "source": _WORK_SOURCE.get(kind, "practice"),
            }
            for kind, by_tier in _WORK_PRIORITY.items()
        ],
        "tie_break": ["due_on", "blocks", "tier", "amount", "score"],
        "kyc_blocks": [
            {
                "rule_id": f"worklist.kyc.{item}",
                "item": item,
                "blocks": text,
                "rank": rank,
                "source": source,
            }
            for item, text, rank, source in _KYC_BLOCKS
        ],
        "working_days_per_week": 5,
        "horizon_days": 14,
        "channels": ["phone", "messaging_app", "sms", "email"],
        "source": "practice",
    }
