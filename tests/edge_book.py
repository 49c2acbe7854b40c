"""The edge-case book: about forty customers, each there for one reason its key names.

Golden files (``tests/goldens/``) record every engine's answer on this book
under both presets, one line per decision, so a reviewer reads a rule change
as a few changed lines about named cases. Records are plain data (as a bank
file gives them); :func:`edge_book` fills in the preset's own risk levels.
A record that must fail (a float amount, a wrong currency, a key twice) is
here too: it is one error line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from custtier import Override, Playbook, Product, TierDecision, synth, tier_book

#: The day every golden is decided on; the contact plan starts here.
AS_OF = dt.date(2026, 11, 30)
#: The plan horizon: December, the new year, and the Spring Festival of 2027.
PLAN_END = dt.date(2027, 2, 28)
#: The three completed months a 3-month average reads on AS_OF.
MONTHS = ("2026-08", "2026-09", "2026-10")


def _flat(amount: str, months: Sequence[str] = MONTHS) -> list[dict[str, str]]:
    return [{"month": m, "average_daily_balance": amount} for m in months]


def _consents(*channels: str, marketing: bool = False) -> dict[str, Any]:
    return {"consents": [{"channel": c, "marketing": marketing} for c in channels]}


#: ``risk`` placeholders: ``"lowest"``, ``"middle"``, ``"top"`` become the preset's levels.
def _risk(level: str, on: str = "2026-06-01", until: str = "2027-05-31") -> dict[str, Any]:
    return {"level": level, "score": 50, "assessed_on": on, "valid_until": until}


_FULL_KYC = {
    "identity": {"full_name": "Test Person", "id_number": "TEST-ID-0001"},
    "occupation": "engineer",
    "declared_annual_income": "300000.00",
    "source_of_funds": "salary",
    "aml_rating": "low",
    "last_reviewed_on": "2026-06-01",
    "important_dates": [{"kind": "wedding_anniversary", "relation": "spouse", "on": "2010-12-20"}],
    "interests": ["golf"],
    "family": [{"relation": "child", "birth_on": "2012-05-01"}],
    "declared_external_assets": "1000000.00",
}

#: (key, record without its key). The key says why the customer is in the book.
EDGE_RECORDS: tuple[tuple[str, dict[str, Any]], ...] = (
    # --- tier bands: half-open [lower, upper), edges exact
    ("edge-band-zero-balances", {"monthly_balances": _flat("0.00")}),
    ("edge-band-49999.99", {"monthly_balances": _flat("49999.99")}),
    ("edge-band-exactly-50000", {"monthly_balances": _flat("50000.00")}),
    ("edge-band-499999.99", {"monthly_balances": _flat("499999.99")}),
    ("edge-band-exactly-500000", {"monthly_balances": _flat("500000.00")}),
    ("edge-band-exactly-6000000", {"monthly_balances": _flat("6000000.00")}),
    (
        "edge-band-average-a-third-of-a-cent-below-50000",
        {"monthly_balances": _flat("50000.00", MONTHS[:2]) + _flat("49999.99", MONTHS[2:])},
    ),
    # --- missing months: practice averages what is there (2 of 3 needed), regulatory counts zero
    ("edge-months-none", {}),
    ("edge-months-only-one", {"monthly_balances": _flat("900000.00", MONTHS[-1:])}),
    ("edge-months-two-of-three", {"monthly_balances": _flat("600000.00", MONTHS[-2:])}),
    (
        "edge-months-outside-the-window-ignored",
        {"monthly_balances": _flat("900000.00", ("2026-04", "2026-05", "2026-11"))},
    ),
    # --- the 80/20 rule (practice) on profit
    (
        "edge-pareto-top-profit-low-balance",
        {"monthly_balances": _flat("1000.00"), "annual_profit_contribution": "900000.00"},
    ),
    (
        "edge-pareto-tie-a",
        {"monthly_balances": _flat("1000.00"), "annual_profit_contribution": "50000.00"},
    ),
    (
        "edge-pareto-tie-b",
        {"monthly_balances": _flat("1000.00"), "annual_profit_contribution": "50000.00"},
    ),
    (
        "edge-pareto-negative-profit",
        {"monthly_balances": _flat("80000.00"), "annual_profit_contribution": "-5000.00"},
    ),
    # --- overrides (see OVERRIDES)
    ("edge-override-in-force", {"monthly_balances": _flat("1000.00")}),
    ("edge-override-expired", {"monthly_balances": _flat("1000.00")}),
    ("edge-override-pending", {"monthly_balances": _flat("1000.00")}),
    # --- hysteresis against last month's decisions (see PREVIOUS_RUNS)
    ("edge-down-within-buffer", {"monthly_balances": _flat("480000.00")}),
    ("edge-down-first-month-in-grace", {"monthly_balances": _flat("100000.00")}),
    ("edge-down-after-three-months-below", {"monthly_balances": _flat("100000.00")}),
    ("edge-up-from-mass", {"monthly_balances": _flat("120000.00")}),
    ("edge-same-as-last-month", {"monthly_balances": _flat("70000.00")}),
    # --- KYC: what a high-end file lacks
    (
        "edge-kyc-complete-high-end",
        {
            "monthly_balances": _flat("800000.00"),
            "birth_date": "1975-06-15",
            "kyc": _FULL_KYC,
            "contact": _consents("phone"),
            "risk_assessment": _risk("middle"),
        },
    ),
    ("edge-kyc-nothing-on-file-high-end", {"monthly_balances": _flat("800000.00")}),
    # --- upgrade candidates: just under a bar, with needs
    (
        "edge-upgrade-candidate-near-bar",
        {"monthly_balances": _flat("480000.00"), "needs": ["wealth_growth", "pension"]},
    ),
    # --- dates the planner must get right
    (
        "edge-29-february-birthday",
        {"birth_date": "1988-02-29", "contact": _consents("phone", "sms"), "manager_id": "RM-1"},
    ),
    (
        "edge-birthday-on-as-of",
        {"birth_date": "1980-11-30", "contact": _consents("phone", "sms"), "manager_id": "RM-1"},
    ),
    (
        "edge-lunar-birthday",
        {
            "contact": _consents("phone", "sms"),
            "manager_id": "RM-1",
            "kyc": {
                "important_dates": [{"kind": "birthday", "on": "1970-01-01", "calendar": "lunar"}]
            },
        },
    ),
    (
        "edge-spouse-wedding-anniversary",
        {
            "monthly_balances": _flat("600000.00"),
            "contact": _consents("phone", "home_visit"),
            "manager_id": "RM-2",
            "kyc": {
                "important_dates": [
                    {"kind": "wedding_anniversary", "relation": "spouse", "on": "2001-12-24"}
                ]
            },
        },
    ),
    (
        "edge-maturity-in-horizon",
        {
            "monthly_balances": _flat("200000.00"),
            "contact": _consents("phone"),
            "manager_id": "RM-2",
            "products_held": [
                {"product_id": "WM-90D", "principal": "100000.00", "matures_on": "2026-12-31"}
            ],
        },
    ),
    (
        "edge-kyc-review-high-aml-overdue",
        {
            "monthly_balances": _flat("200000.00"),
            "contact": _consents("phone"),
            "manager_id": "RM-2",
            "kyc": {"aml_rating": "high", "last_reviewed_on": "2025-01-15"},
        },
    ),
    (
        "edge-kyc-never-reviewed",
        {
            "monthly_balances": _flat("200000.00"),
            "contact": _consents("phone"),
            "manager_id": "RM-2",
            "kyc": {},
        },
    ),
    # --- consent
    (
        "edge-do-not-contact",
        {
            "monthly_balances": _flat("700000.00"),
            "birth_date": "1970-12-10",
            "manager_id": "RM-1",
            "contact": {**_consents("phone", "sms"), "do_not_contact": True},
        },
    ),
    (
        "edge-no-consent-at-all",
        {"monthly_balances": _flat("700000.00"), "birth_date": "1970-12-10", "manager_id": "RM-1"},
    ),
    (
        "edge-manager-not-listed",
        {"birth_date": "1970-12-11", "contact": _consents("phone"), "manager_id": "RM-9"},
    ),
    # --- suitability and allocation
    ("edge-risk-lowest-level", {"risk_assessment": _risk("lowest")}),
    ("edge-risk-top-level", {"risk_assessment": _risk("top")}),
    (
        "edge-risk-expires-on-as-of",
        {"risk_assessment": _risk("middle", "2025-12-01", "2026-11-30")},
    ),
    (
        "edge-risk-expired-day-before",
        {"risk_assessment": _risk("middle", "2025-11-30", "2026-11-29")},
    ),
    ("edge-risk-none-on-file", {"monthly_balances": _flat("300000.00")}),
    (
        "edge-elderly-65-on-as-of",
        {"birth_date": "1961-11-30", "risk_assessment": _risk("top")},
    ),
    (
        "edge-elderly-64-day-before-birthday",
        {"birth_date": "1961-12-01", "risk_assessment": _risk("top")},
    ),
    # --- records that must become error lines
    ("edge-error-float-amount", {"assets_under_management": 1.5}),
    ("edge-error-usd-customer", {"currency": "USD"}),
    ("edge-error-key-twice", {"monthly_balances": _flat("1000.00")}),
    ("edge-error-key-twice", {"monthly_balances": _flat("2000.00")}),
)

#: The customers the contact-plan golden plans: the date, consent and manager cases
#: (a plan of the whole book would mostly repeat "no consent" for the tiering cases).
PLANNED = (
    "edge-29-february-birthday",
    "edge-birthday-on-as-of",
    "edge-lunar-birthday",
    "edge-spouse-wedding-anniversary",
    "edge-maturity-in-horizon",
    "edge-kyc-review-high-aml-overdue",
    "edge-kyc-never-reviewed",
    "edge-kyc-complete-high-end",
    "edge-do-not-contact",
    "edge-no-consent-at-all",
    "edge-manager-not-listed",
)

#: The customers the suitability and allocation goldens sell to: every risk case
#: (the others have no assessment, so they would all read "risk-free only").
SOLD_TO = (
    "edge-risk-lowest-level",
    "edge-risk-top-level",
    "edge-risk-expires-on-as-of",
    "edge-risk-expired-day-before",
    "edge-risk-none-on-file",
    "edge-elderly-65-on-as-of",
    "edge-elderly-64-day-before-birthday",
    "edge-kyc-complete-high-end",
)

#: Earlier monthly runs, oldest first: (as_of, {key: balance of the 3 months before}).
#: Each run passes its decisions to the next, as a nightly job does.
PREVIOUS_RUNS: tuple[tuple[dt.date, dict[str, str]], ...] = (
    (dt.date(2026, 7, 31), {"edge-down-after-three-months-below": "600000.00"}),
    (dt.date(2026, 8, 31), {"edge-down-after-three-months-below": "100000.00"}),
    (
        dt.date(2026, 10, 31),
        {
            "edge-down-after-three-months-below": "100000.00",
            "edge-down-within-buffer": "600000.00",
            "edge-down-first-month-in-grace": "600000.00",
            "edge-up-from-mass": "10000.00",
            "edge-same-as-last-month": "70000.00",
        },
    ),
)


def overrides() -> tuple[Override, ...]:
    """One override in force, one expired the day before ``AS_OF``, one set for next month."""

    def one(key: str, set_on: str, expires_on: str) -> Override:
        return Override(
            customer_key=key,
            tier="high_end",
            reference="OVR-1",
            set_by="RM-1",
            set_on=dt.date.fromisoformat(set_on),
            expires_on=dt.date.fromisoformat(expires_on),
        )

    return (
        one("edge-override-in-force", "2026-11-01", "2027-04-30"),
        one("edge-override-expired", "2026-05-01", "2026-11-29"),
        one("edge-override-pending", "2026-12-01", "2027-05-31"),
    )


def _levels(playbook: Playbook) -> dict[str, str]:
    ids = [level.id for level in playbook.risk.customer_levels]
    return {"lowest": ids[0], "middle": ids[len(ids) // 2], "top": ids[-1]}


def edge_book(playbook: Playbook) -> list[dict[str, Any]]:
    """The records of :data:`EDGE_RECORDS` for ``playbook`` (its own risk levels, keys set)."""
    levels = _levels(playbook)
    out = []
    for key, record in EDGE_RECORDS:
        row: dict[str, Any] = {"key": key, **record}
        if "risk_assessment" in row:
            row["risk_assessment"] = {
                **row["risk_assessment"],
                "level": levels[row["risk_assessment"]["level"]],
            }
        if "kyc" in row:
            row["kyc"] = {"customer_key": key, **row["kyc"]}
        out.append(row)
    return out


def previous_decisions(playbook: Playbook) -> tuple[TierDecision, ...]:
    """Last run's decisions, built run by run from :data:`PREVIOUS_RUNS` (movement cases)."""
    last: dict[str, TierDecision] = {}
    for as_of, balances in PREVIOUS_RUNS:
        months = [f"{as_of.year}-{m:02d}" for m in range(as_of.month - 3, as_of.month)]
        records = [{"key": k, "monthly_balances": _flat(b, months)} for k, b in balances.items()]
        run = tier_book(records, playbook, as_of=as_of, previous=last)
        last |= {d.customer_key: d for d in run.decisions}
    return tuple(last[k] for k in sorted(last))


def catalogue(playbook: Playbook) -> tuple[Product, ...]:
    """A small shelf: the lowest-risk deposit, and one product per level above it."""
    shelf: dict[str, Product] = {}
    for product in synth.catalogue(playbook):
        shelf.setdefault(product.risk_level, product)
    return tuple(shelf.values())
