"""The practice as written: three tiers, three risk profiles.

Sources are cited per rule (``source``) and listed in ``sources``.
"""

from __future__ import annotations

from typing import Any

from custtier.presets import _common as c
from custtier.presets._zh_cn import zh_cn_locale

_TIERS = ("mass", "mid_end", "high_end")

PRACTICE_DATA: dict[str, Any] = {
    "id": "practice",
    "version": "1.2.0",
    "effective_from": "2026-01-01",
    "title": "Relationship management as practised: high-end, mid-end and mass customers",
    "description": (
        "Three tiers by three-month average daily balance, with the 80/20 rule lifting "
        "the customers who carry 80% of profit to high-end; three risk profiles "
        "(conservative, steady, aggressive) matched to cautious, balanced and aggressive "
        "products."
    ),
    "currency": "CNY",
    "rounding": "ROUND_HALF_EVEN",
    "sources": [
        c.SRC_PRACTICE,
        c.SRC_MARKET_BARS,
        c.SRC_CBIRC_WM,
        c.SRC_NFRA_SUITABILITY,
        c.SRC_AML_CDD,
        c.SRC_RECORDING,
        c.SRC_ELDERLY,
        c.SRC_CONSUMER,
        c.SRC_SMS,
        c.SRC_CONTACT_HOURS,
        c.SRC_TIER_REVIEW,
    ],
    "tiers": [
        {
            "id": "mass",
            "label": "Mass customers",
            "description": "Small balances, frequent small transactions, a single line of business.",
            "kyc_requires": c.KYC_BASIC,
        },
        {
            "id": "mid_end",
            "label": "Mid-end customers",
            "description": "The main body of the bank: served by needs and by risk profile.",
            "kyc_requires": c.KYC_MID,
        },
        {
            "id": "high_end",
            "label": "High-end customers",
            "description": "About a fifth of customers carrying most of the profit.",
            "kyc_requires": c.KYC_DETAILED,
        },
    ],
    "tiering": {
        "bases": [
            {
                "basis": "average_daily_balance",
                "window_months": 3,
                "min_months": 2,
                "missing_months": "average_available",
                "bands": [
                    {
                        "rule_id": "tier.adb.mass",
                        "tier": "mass",
                        "lower": "0",
                        "upper": "50000.00",
                        "source": "market-tier-bars",
                    },
                    {
                        "rule_id": "tier.adb.mid_end",
                        "tier": "mid_end",
                        "lower": "50000.00",
                        "upper": "500000.00",
                        "source": "market-tier-bars",
                    },
                    {
                        "rule_id": "tier.adb.high_end",
                        "tier": "high_end",
                        "lower": "500000.00",
                        "upper": None,
                        "source": "market-tier-bars",
                    },
                ],
            }
        ],
        "combine": "highest",
        "pareto": {
            "rule_id": "tier.pareto.80_20",
            "tier": "high_end",
            "profit_share": "0.8",
            "source": "practice",
        },
        "hysteresis": {
            "rule_id": "tier.hysteresis",
            "grace_months": 3,
            "buffer": "0.1",
            "max_buffer_months": 12,
            "source": "tier-review-practice",
        },
        "upgrade_candidates": c.UPGRADE_CANDIDATES,
    },
    "risk": {
        "customer_levels": [
            {
                "id": "conservative",
                "label": "Conservative",
                "description": "Wants principal absolutely safe; accepts only small fluctuations.",
            },
            {
                "id": "steady",
                "label": "Steady",
                "description": "Balanced growth and income; accepts some negative fluctuation.",
            },
            {
                "id": "aggressive",
                "label": "Aggressive",
                "description": "Seeks the highest return; accepts short-term losses.",
            },
        ],
        "product_levels": [
            {"id": "low", "label": "Cautious and stable products"},
            {"id": "medium", "label": "Balanced and enterprising products"},
            {"id": "high", "label": "Aggressive products"},
        ],
        "questionnaire": c.QUESTIONNAIRE,
        "score_bands": [
            {"rule_id": "risk.band.conservative", "level": "conservative", "lower": 0, "upper": 35},
            {"rule_id": "risk.band.steady", "level": "steady", "lower": 36, "upper": 65},
            {"rule_id": "risk.band.aggressive", "level": "aggressive", "lower": 66, "upper": 100},
        ],
        "suitability": [
            {
                "rule_id": "suit.conservative",
                "customer_level": "conservative",
                "max_product_level": "low",
                "source": "practice",
            },
            {
                "rule_id": "suit.steady",
                "customer_level": "steady",
                "max_product_level": "medium",
                "source": "practice",
            },
            {
                "rule_id": "suit.aggressive",
                "customer_level": "aggressive",
                "max_product_level": "high",
                "source": "practice",
            },
        ],
        "risk_free_categories": ["deposit"],
        "policy": c.suitability_policy("practice"),
        "validity_months": 12,
        "elderly_age": 65,
        "elderly_max_level": "steady",
        "source": "cbirc-wm-2018",
    },
    "allocation": {
        "categories": c.CATEGORIES,
        "cash_category": "deposit",
        "need_categories": c.NEED_CATEGORIES,
        "needs_share": "0.1",
        "remainder": "cash",
        "model_portfolios": [
            {
                "rule_id": "alloc.conservative",
                "level": "conservative",
                "weights": [
                    {"category": "deposit", "weight": "0.40"},
                    {"category": "money_market", "weight": "0.20"},
                    {"category": "bond_fund", "weight": "0.25"},
                    {"category": "fixed_income_wm", "weight": "0.15"},
                ],
            },
            {
                "rule_id": "alloc.steady",
                "level": "steady",
                "weights": [
                    {"category": "deposit", "weight": "0.15"},
                    {"category": "money_market", "weight": "0.10"},
                    {"category": "bond_fund", "weight": "0.25"},
                    {"category": "fixed_income_wm", "weight": "0.20"},
                    {"category": "balanced_fund", "weight": "0.20"},
                    {"category": "equity_fund", "weight": "0.10"},
                ],
            },
            {
                "rule_id": "alloc.aggressive",
                "level": "aggressive",
                "weights": [
                    {"category": "deposit", "weight": "0.05"},
                    {"category": "money_market", "weight": "0.05"},
                    {"category": "bond_fund", "weight": "0.15"},
                    {"category": "balanced_fund", "weight": "0.20"},
                    {"category": "equity_fund", "weight": "0.40"},
                    {"category": "structured_product", "weight": "0.15"},
                ],
            },
        ],
    },
    "services": c.services(high=["high_end"], mid=["mid_end"], mass=["mass"]),
    "worklist": c.worklist(["mass", "mid_end", "high_end"]),
    "cadence": c.cadence(["high_end"], "mid_end", "mass"),
}

PRACTICE_DATA["locales"] = {
    "zh_CN": zh_cn_locale(
        PRACTICE_DATA,
        levels={"conservative": "保守型", "steady": "稳健型", "aggressive": "进取型"},
        product_levels={"low": "低风险", "medium": "中风险", "high": "高风险"},
    )
}
