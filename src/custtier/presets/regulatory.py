"""A five-level regulatory preset: customer levels C1-C5 against product levels R1-R5.

Four tiers by average daily balance (mass, mid-end, high-end, private banking)
and the suitability matrix of the CSRC measures: Cn may buy up to Rn, and C1
only R1.
"""

from __future__ import annotations

from typing import Any

from custtier.presets import _common as c
from custtier.presets._zh_cn import zh_cn_locale

_LEVELS = [
    ("1", "Conservative", "Lowest risk tolerance"),
    ("2", "Cautious", "Low risk tolerance"),
    ("3", "Steady", "Medium risk tolerance"),
    ("4", "Active", "Medium-high risk tolerance"),
    ("5", "Aggressive", "High risk tolerance"),
]
_BANDS = [(0, 20), (21, 45), (46, 70), (71, 85), (86, 100)]
_PRODUCT_LABELS = ["Low risk", "Medium-low risk", "Medium risk", "Medium-high risk", "High risk"]

_WEIGHTS: dict[str, list[tuple[str, str]]] = {
    "C1": [("deposit", "0.60"), ("money_market", "0.40")],
    "C2": [
        ("deposit", "0.30"),
        ("money_market", "0.20"),
        ("bond_fund", "0.25"),
        ("fixed_income_wm", "0.25"),
    ],
    "C3": [
        ("deposit", "0.15"),
        ("money_market", "0.10"),
        ("bond_fund", "0.25"),
        ("fixed_income_wm", "0.20"),
        ("balanced_fund", "0.20"),
        ("equity_fund", "0.10"),
    ],
    "C4": [
        ("deposit", "0.10"),
        ("money_market", "0.05"),
        ("bond_fund", "0.20"),
        ("balanced_fund", "0.25"),
        ("equity_fund", "0.30"),
        ("structured_product", "0.10"),
    ],
    "C5": [
        ("deposit", "0.05"),
        ("money_market", "0.05"),
        ("bond_fund", "0.10"),
        ("balanced_fund", "0.20"),
        ("equity_fund", "0.40"),
        ("structured_product", "0.10"),
        ("private_wealth", "0.10"),
    ],
}

_KYC_PRIVATE = c.KYC_DETAILED


def _band(tier: str, lower: str, upper: str | None) -> dict[str, Any]:
    return {
        "rule_id": f"tier.adb.{tier}",
        "tier": tier,
        "lower": lower,
        "upper": upper,
        "source": "market-tier-bars",
    }


REGULATORY_DATA: dict[str, Any] = {
    "id": "regulatory_c1_c5",
    "version": "1.2.0",
    "effective_from": "2026-01-01",
    "title": "Five-level suitability (C1-C5 / R1-R5) with four wealth tiers",
    "description": (
        "Customer risk levels C1-C5 from a 100-point questionnaire (<=20 / 21-45 / 46-70 / "
        "71-85 / 86-100); Cn may buy products up to Rn; tiers by three-month average daily "
        "balance with a private-banking tier at ¥6,000,000."
    ),
    "currency": "CNY",
    "rounding": "ROUND_HALF_EVEN",
    "sources": [
        c.SRC_PRACTICE,
        c.SRC_CSRC_SUITABILITY,
        c.SRC_CBIRC_WM,
        c.SRC_NFRA_SUITABILITY,
        c.SRC_AML_CDD,
        c.SRC_RECORDING,
        c.SRC_ELDERLY,
        c.SRC_CONSUMER,
        c.SRC_SMS,
        c.SRC_CONTACT_HOURS,
        c.SRC_MARKET_BARS,
        c.SRC_TIER_REVIEW,
    ],
    "tiers": [
        {"id": "mass", "label": "Mass customers", "kyc_requires": c.KYC_BASIC},
        {"id": "mid_end", "label": "Mid-end (affluent) customers", "kyc_requires": c.KYC_MID},
        {"id": "high_end", "label": "High-end (wealth) customers", "kyc_requires": c.KYC_DETAILED},
        {
            "id": "private_banking",
            "label": "Private-banking customers",
            "kyc_requires": _KYC_PRIVATE,
        },
    ],
    "tiering": {
        "bases": [
            {
                "basis": "average_daily_balance",
                "window_months": 3,
                "min_months": 3,
                "missing_months": "count_as_zero",
                "bands": [
                    _band("mass", "0", "50000.00"),
                    _band("mid_end", "50000.00", "500000.00"),
                    _band("high_end", "500000.00", "6000000.00"),
                    _band("private_banking", "6000000.00", None),
                ],
            }
        ],
        "combine": "highest",
        "hysteresis": {
            "rule_id": "tier.hysteresis",
            "grace_months": 6,
            "buffer": "0.05",
            "review_months": [1, 7],
            "max_buffer_months": 12,
            "source": "tier-review-practice",
        },
        "upgrade_candidates": c.UPGRADE_CANDIDATES,
    },
    "risk": {
        "customer_levels": [
            {"id": f"C{n}", "label": f"C{n} {label}", "description": d} for n, label, d in _LEVELS
        ],
        "product_levels": [
            {"id": f"R{n}", "label": f"R{n} {_PRODUCT_LABELS[int(n) - 1]}"} for n, _, _ in _LEVELS
        ],
        "questionnaire": c.QUESTIONNAIRE,
        "score_bands": [
            {"rule_id": f"risk.band.C{i + 1}", "level": f"C{i + 1}", "lower": lo, "upper": hi}
            for i, (lo, hi) in enumerate(_BANDS)
        ],
        "suitability": [
            {
                "rule_id": f"suit.C{n}",
                "customer_level": f"C{n}",
                "max_product_level": f"R{n}",
                "source": "csrc-suitability-2016",
            }
            for n, _, _ in _LEVELS
        ],
        "risk_free_categories": ["deposit"],
        "policy": c.suitability_policy("csrc-suitability-2016"),
        "validity_months": 12,
        "elderly_age": 65,
        "elderly_max_level": "C3",
        "source": "csrc-suitability-2016",
    },
    "allocation": {
        "categories": c.CATEGORIES,
        "cash_category": "deposit",
        "need_categories": c.NEED_CATEGORIES,
        "needs_share": "0.1",
        "remainder": "cash",
        "model_portfolios": [
            {
                "rule_id": f"alloc.{lv}",
                "level": lv,
                "weights": [{"category": cat, "weight": w} for cat, w in weights],
            }
            for lv, weights in _WEIGHTS.items()
        ],
    },
    "services": c.services(high=["high_end", "private_banking"], mid=["mid_end"], mass=["mass"]),
    "worklist": c.worklist(["mass", "mid_end", "high_end", "private_banking"]),
    "cadence": c.cadence(["high_end", "private_banking"], "mid_end", "mass"),
}

#: The official Chinese terms of the five suitability levels, customer and product.
_ZH_LEVELS = ["保守型", "谨慎型", "稳健型", "积极型", "激进型"]
_ZH_PRODUCT_LEVELS = ["低风险", "中低风险", "中风险", "中高风险", "高风险"]

REGULATORY_DATA["locales"] = {
    "zh_CN": zh_cn_locale(
        REGULATORY_DATA,
        levels={f"C{i}": label for i, label in enumerate(_ZH_LEVELS, 1)},
        product_levels={f"R{i}": label for i, label in enumerate(_ZH_PRODUCT_LEVELS, 1)},
    )
}
