"""Seeded synthetic books: customers, managers and a product catalogue for demos and tests.

Every function takes its ``seed`` explicitly and draws from its own
:class:`random.Random` (seeded with a string, which Python hashes with
SHA-512, not with the per-process string hash), so the same arguments give
the same book in every process, on every machine. No function reads the
clock: dates derive from ``as_of``. Nothing here does I/O.

The book is shaped like a real retail book, not like uniform noise:

* a pyramid of three-month average daily balances — most customers are mass
  (< ¥50,000), a solid mid band (¥50,000-¥500,000), a high-end share of
  roughly 5-15 % (>= ¥500,000) and a handful above ¥6,000,000 — from a
  lognormal drawn around an age-dependent median, plus ~5 % dormant accounts;
* profit that follows assets (spread on balances, product fees, some loans,
  less a servicing cost), so about a fifth of customers carry about 80 % of it
  and dormant accounts lose money;
* twelve months of balances before ``as_of``'s month, trending up or down,
  with gaps for some customers and fewer months for new ones;
* risk assessments answered on the playbook's own questionnaire (some
  expired), holdings the assessment allows, KYC files whose completeness
  grows with wealth, per-channel consents with opt-outs and do-not-contact,
  29 February and lunar birthdays, referrals between customers.

Personal identifiers are obviously fake (``SYNTH…`` numbers, ``example.invalid``
e-mail addresses).

>>> import datetime as dt
>>> from custtier import synth
>>> b = synth.book(300, seed=7, as_of=dt.date(2026, 11, 30))
>>> len(b.customers), b.customers[0].key, b.managers[0].id
(300, 'C0000001', 'RM-001')
>>> b == synth.book(300, seed=7, as_of=dt.date(2026, 11, 30))
True
>>> sorted({p.risk_level for p in b.catalogue})
['high', 'low', 'medium']
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from dateutil.relativedelta import relativedelta

from custtier._display import Displayable
from custtier._money import from_minor_units, minor_unit
from custtier.models import (
    AmlRating,
    CalendarKind,
    Channel,
    Customer,
    DateKind,
    Liquidity,
    Need,
    Product,
    Relation,
    RelationshipManager,
)
from custtier.presets import PRACTICE
from custtier.rules import Option, Playbook, QuestionTopic

__all__ = ["Book", "book", "catalogue", "customers", "managers"]


@dataclass(frozen=True, slots=True, repr=False)  # repr: custtier._views, never the book
class Book(Displayable):
    """A synthetic book: customers, the managers who own them, and the catalogue they hold."""

    customers: tuple[Customer, ...]
    managers: tuple[RelationshipManager, ...]
    catalogue: tuple[Product, ...]
    playbook: Playbook


def book(
    n: int,
    *,
    seed: int,
    as_of: dt.date,
    playbook: Playbook = PRACTICE,
    managers: int | None = None,
) -> Book:
    """A whole seeded book of ``n`` customers for ``playbook`` (default: the practice preset).

    ``managers`` is the number of relationship managers (default: one per 400
    customers, at least three).

    >>> b = book(50, seed=1, as_of=dt.date(2026, 11, 30))
    >>> {c.manager_id for c in b.customers if c.manager_id} <= {m.id for m in b.managers}
    True
    """
    count = _manager_count(n) if managers is None else managers
    return Book(
        customers=customers(n, seed=seed, as_of=as_of, playbook=playbook, managers=count),
        managers=_managers(count, seed),
        catalogue=catalogue(playbook),
        playbook=playbook,
    )


# --- managers ----------------------------------------------------------------


def managers(n: int, *, seed: int) -> tuple[RelationshipManager, ...]:
    """``n`` relationship managers ``RM-001``, ``RM-002`` … spread over a few branches.

    >>> [(m.id, m.branch) for m in managers(2, seed=1)]
    [('RM-001', 'BR-01'), ('RM-002', 'BR-01')]
    """
    return _managers(n, seed)


def _managers(n: int, seed: int) -> tuple[RelationshipManager, ...]:
    # Separate from ``managers`` because ``book`` and ``customers`` take a
    # ``managers`` count that shadows the public function's name.
    _check_count(n)
    rng = random.Random(f"custtier.synth.managers:{seed}")
    branches = max(1, math.ceil(n / 4))
    return tuple(
        RelationshipManager(
            id=_manager_id(i),
            branch=f"BR-{i * branches // n + 1:02d}",
            capacity_hours_per_week=Decimal(rng.choice((24, 28, 32, 36, 40))),
        )
        for i in range(n)
    )


def _manager_id(i: int) -> str:
    return f"RM-{i + 1:03d}"


def _manager_count(n: int) -> int:
    return max(3, math.ceil(n / 400))


def _check_count(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError("n must be a non-negative int")


# --- catalogue ---------------------------------------------------------------


class _Spec(NamedTuple):
    """One catalogue row before it meets a playbook.

    ``rank`` is the risk on the five-step regulatory scale (1 = R1 … 5 = R5);
    :func:`_level_index` maps it onto the playbook's product levels. Amounts
    are whole units of the playbook's currency (sized for CNY).
    """

    id: str
    name: str
    category: str
    rank: int
    minimum: int
    increment: int
    liquidity: Liquidity
    term_days: int | None
    needs: tuple[Need, ...]
    reserve: str = ""  # "" | "high" (tiers above the middle) | "top" (top tier only)
    premium: bool = False  # insurance-like: a premium paid in, not a share of assets
    min_wealth: int = 0  # qualified-investor bar the synthetic holder must meet


_L = Liquidity
_N = Need
# Sizes follow common Chinese retail practice: large CDs from ¥200,000 (PBOC,
# 2015 rules on large certificates of deposit), bank WM from ¥10,000 in ¥1,000
# steps, private products from ¥1,000,000 for qualified investors (financial
# assets >= ¥3,000,000) with a 24-hour cooling-off (CBIRC 2018), family trusts
# from ¥10,000,000.
_SPECS: tuple[_Spec, ...] = (
    _Spec("DEP-3M", "3-month time deposit", "deposit", 1, 50, 1, _L.AT_MATURITY, 91, (_N.DAILY_BANKING,)),
    _Spec("DEP-1Y", "1-year time deposit", "deposit", 1, 50, 1, _L.AT_MATURITY, 365, (_N.DAILY_BANKING, _N.HOUSING)),
    _Spec("DEP-3Y", "3-year time deposit", "deposit", 1, 50, 1, _L.AT_MATURITY, 1095, (_N.PENSION, _N.HOUSING)),
    _Spec("LCD-3Y", "3-year large certificate of deposit", "deposit", 1, 200_000, 10_000, _L.AT_MATURITY, 1095, (_N.HOUSING, _N.WEALTH_GROWTH)),
    _Spec("MMF-T0", "Cash Plus money-market fund (T+0)", "money_market", 1, 1, 1, _L.INSTANT, None, (_N.DAILY_BANKING, _N.LEISURE)),
    _Spec("MMF-T1", "Treasury money-market fund", "money_market", 1, 1_000, 1, _L.DAILY, None, (_N.DAILY_BANKING,)),
    _Spec("BF-SHORT", "Short-term bond fund", "bond_fund", 2, 1_000, 1, _L.DAILY, None, (_N.WEALTH_GROWTH,)),
    _Spec("BF-CREDIT", "Pure credit bond fund", "bond_fund", 2, 1_000, 1, _L.DAILY, None, (_N.WEALTH_GROWTH, _N.PENSION)),
    _Spec("BF-CONV", "Convertible bond fund", "bond_fund", 3, 1_000, 1, _L.DAILY, None, (_N.WEALTH_GROWTH,)),
    _Spec("WM-90D", "Steady Income 90-day wealth-management product", "fixed_income_wm", 2, 10_000, 1_000, _L.AT_MATURITY, 90, (_N.WEALTH_GROWTH,)),
    _Spec("WM-180D", "Fixed Income Plus 180-day wealth-management product", "fixed_income_wm", 2, 10_000, 1_000, _L.AT_MATURITY, 180, (_N.WEALTH_GROWTH, _N.EDUCATION)),
    _Spec("WM-1Y", "Annual Harvest 1-year wealth-management product", "fixed_income_wm", 2, 10_000, 1_000, _L.AT_MATURITY, 365, (_N.WEALTH_GROWTH, _N.PENSION)),
    _Spec("WM-OPEN", "Daily Open wealth-management product", "fixed_income_wm", 1, 1_000, 1_000, _L.DAILY, None, (_N.LEISURE, _N.DAILY_BANKING)),
    _Spec("BAL-FLEX", "Flexible allocation mixed fund", "balanced_fund", 3, 1_000, 1, _L.DAILY, None, (_N.WEALTH_GROWTH,)),
    _Spec("BAL-VALUE", "Value balanced fund", "balanced_fund", 3, 1_000, 1, _L.DAILY, None, (_N.WEALTH_GROWTH, _N.EDUCATION)),
    _Spec("EQ-CSI300", "CSI 300 index fund", "equity_fund", 4, 1_000, 1, _L.DAILY, None, (_N.WEALTH_GROWTH,)),
    _Spec("EQ-GROWTH", "Growth equity fund", "equity_fund", 4, 1_000, 1, _L.DAILY, None, (_N.WEALTH_GROWTH,)),
    _Spec("EQ-QDII", "Global equity QDII fund", "equity_fund", 5, 1_000, 1, _L.WEEKLY, None, (_N.GLOBAL_ALLOCATION,)),
    _Spec("SP-GOLD", "Gold-linked structured deposit", "structured_product", 2, 10_000, 1_000, _L.AT_MATURITY, 91, (_N.WEALTH_GROWTH,)),
    _Spec("SP-RANGE", "Range-accrual structured note", "structured_product", 3, 50_000, 10_000, _L.AT_MATURITY, 180, (_N.WEALTH_GROWTH,)),
    _Spec("PRV-FI", "Private fixed-income product", "private_wealth", 3, 1_000_000, 100_000, _L.AT_MATURITY, 365, (_N.WEALTH_GROWTH,), reserve="high", min_wealth=3_000_000),
    _Spec("PRV-QUANT", "Private quantitative securities fund", "private_wealth", 4, 1_000_000, 100_000, _L.MONTHLY, None, (_N.WEALTH_GROWTH, _N.GLOBAL_ALLOCATION), reserve="high", min_wealth=3_000_000),
    _Spec("PRV-PE", "Private equity fund", "private_wealth", 5, 1_000_000, 100_000, _L.LOCKED, 1825, (_N.WEALTH_GROWTH,), reserve="high", min_wealth=3_000_000),
    _Spec("PRV-TRUST", "Family trust", "private_wealth", 3, 10_000_000, 1_000_000, _L.LOCKED, 3650, (_N.PENSION, _N.EDUCATION, _N.GLOBAL_ALLOCATION), reserve="top", min_wealth=15_000_000),
    _Spec("INS-MED", "Million-yuan medical insurance", "protection_insurance", 1, 300, 1, _L.LOCKED, 365, (_N.MEDICAL, _N.INSURANCE), premium=True),
    _Spec("INS-CI", "Critical illness insurance", "protection_insurance", 1, 3_000, 1, _L.LOCKED, 7300, (_N.MEDICAL, _N.INSURANCE), premium=True),
    _Spec("PEN-ANNUITY", "Commercial pension annuity", "pension_product", 1, 10_000, 1_000, _L.LOCKED, 3650, (_N.PENSION,), premium=True),
    _Spec("PEN-TDF", "Target-date 2045 pension FOF (3-year holding)", "pension_product", 3, 1_000, 1, _L.AT_MATURITY, 1095, (_N.PENSION,)),
    _Spec("PEN-PERSONAL", "Personal pension savings deposit", "pension_product", 1, 1, 1, _L.LOCKED, None, (_N.PENSION,)),
    _Spec("EDU-SAVE", "Education savings deposit", "education_savings", 1, 50, 50, _L.AT_MATURITY, 1095, (_N.EDUCATION,)),
    _Spec("EDU-INS", "Education endowment insurance", "education_savings", 1, 5_000, 1, _L.LOCKED, 5475, (_N.EDUCATION, _N.INSURANCE), premium=True),
)  # fmt: skip


def catalogue(playbook: Playbook = PRACTICE) -> tuple[Product, ...]:
    """A realistic sample catalogue whose levels, categories and tiers exist in ``playbook``.

    Products whose category the playbook does not define are left out. Private
    products (24-hour cooling-off) are reserved for the tiers above the middle
    of the playbook's ladder; the family trust for the top tier only.

    >>> from custtier import presets
    >>> p = {p.id: p for p in catalogue(presets.REGULATORY)}
    >>> p["PRV-PE"].risk_level, p["PRV-PE"].reserved_for_tiers, p["PRV-PE"].cooling_off_hours
    ('R5', ('high_end', 'private_banking'), 24)
    >>> p["EQ-CSI300"].risk_level, {p.id: p.risk_level for p in catalogue()}["EQ-CSI300"]
    ('R4', 'high')
    """
    return tuple(product for _, product in _catalogue_rows(playbook))


def _catalogue_rows(playbook: Playbook) -> tuple[tuple[_Spec, Product], ...]:
    categories = {c.id for c in playbook.allocation.categories}
    levels = [lv.id for lv in playbook.risk.product_levels]
    tiers = [t.id for t in playbook.tiers]
    reserved = {"": (), "high": tuple(tiers[(len(tiers) + 1) // 2 :]), "top": (tiers[-1],)}
    scale = 10 ** minor_unit(playbook.currency)
    rows = []
    for s in _SPECS:
        if s.category not in categories:
            continue
        product = Product(
            id=s.id,
            name=s.name,
            category=s.category,
            risk_level=levels[_level_index(s.rank, len(levels))],
            currency=playbook.currency,
            minimum_investment=from_minor_units(s.minimum * scale, playbook.currency),
            increment=from_minor_units(s.increment * scale, playbook.currency),
            liquidity=s.liquidity,
            term_days=s.term_days,
            reserved_for_tiers=reserved[s.reserve],
            needs_served=s.needs,
            cooling_off_hours=24 if s.reserve else 0,
            private=bool(s.reserve),
        )
        rows.append((s, product))
    return tuple(rows)


def _level_index(rank: int, count: int) -> int:
    """Five regulatory steps onto ``count`` levels, rounding away from the middle step.

    Five levels map one to one; three map R1-R2 → low, R3 → medium, R4-R5 → high,
    the usual reading of a three-level scheme.

    >>> [_level_index(r, 3) for r in range(1, 6)], [_level_index(r, 5) for r in range(1, 6)]
    ([0, 0, 1, 2, 2], [0, 1, 2, 3, 4])
    """
    exact = (rank - 1) * (count - 1) / 4  # quarters: exact in binary floating point
    return math.floor(exact + 0.5) if rank >= 3 else math.ceil(exact - 0.5)


# --- customers ---------------------------------------------------------------

_DAY = dt.timedelta(days=1)
_OCCUPATIONS = (
    "engineer", "teacher", "physician", "civil servant", "business owner", "sales manager",
    "accountant", "lawyer", "retired", "freelancer", "factory technician", "nurse",
    "researcher", "shop owner", "executive",
)  # fmt: skip
_INDUSTRIES = (
    "manufacturing", "education", "healthcare", "public administration", "retail",
    "information technology", "finance", "construction", "logistics", "hospitality",
)  # fmt: skip
_FUNDS = (
    "salary",
    "business income",
    "investment returns",
    "inheritance",
    "property sale",
    "pension",
)
_INTERESTS = (
    "golf", "tea", "calligraphy", "travel", "wine tasting", "parenting", "health",
    "investment seminars", "photography", "hiking", "art collecting", "classical music",
)  # fmt: skip
_OVERSEAS = ("Asia/Hong_Kong", "Asia/Singapore", "America/Vancouver", "Australia/Sydney")
_MARKETING_CHANNELS = {
    Channel.PHONE: 0.35, Channel.SMS: 0.55, Channel.EMAIL: 0.4, Channel.MESSAGING_APP: 0.5,
    Channel.MASS_SMS: 0.5, Channel.TELEMARKETING: 0.3, Channel.HOME_VISIT: 0.6,
    Channel.IN_BRANCH_EVENT: 0.7,
}  # fmt: skip
_MID, _HIGH = 50_000, 500_000  # band edges (whole units) for shaping probabilities only
# Lognormal balances: median (whole units, at full working age) and spread,
# tuned so the pyramid and the 80/20 profit split come out as documented.
_MEDIAN, _SIGMA = 30_000.0, 1.7


@dataclass(frozen=True, slots=True)
class _Context:
    """What every customer draw needs, computed once per book."""

    as_of: dt.date
    currency: str
    scale: int  # minor units per whole unit
    playbook: Playbook
    rows: tuple[tuple[_Spec, Product], ...]
    level_rank: dict[str, int]  # product level id → index, lowest 0
    max_product: dict[str, int]  # customer level id → highest product level index allowed
    months: tuple[str, ...]  # the twelve complete months before as_of, oldest first
    manager_ids: tuple[str, ...]
    manager_weights: tuple[float, ...]


@dataclass(slots=True)
class _Person:
    """Latent draws for one customer, from which the record is built."""

    index: int
    key: str
    age: float
    birth: dt.date
    wealth: float  # three-month average daily balance the balances revolve around
    appetite: float  # risk appetite in [0, 1]
    since: dt.date
    band: int  # 0 mass, 1 mid, 2 high (shapes probabilities only)
    dormant: bool  # an account nobody uses: tiny balance, no transactions
    birth_known: bool  # whether the bank recorded the birth date


def customers(
    n: int,
    *,
    seed: int,
    as_of: dt.date,
    playbook: Playbook = PRACTICE,
    currency: str | None = None,
    managers: int | None = None,
) -> tuple[Customer, ...]:
    """``n`` validated customers keyed ``C0000001`` … for ``playbook`` as of ``as_of``.

    ``currency`` defaults to the playbook's; ``managers`` is how many managers
    (``RM-001`` …) customers are assigned to (default: one per 400 customers,
    at least three). About half the mass customers have no manager.

    >>> cs = customers(100, seed=3, as_of=dt.date(2026, 11, 30))
    >>> cs[0].monthly_balances[-1].month, cs[0].currency
    ('2026-10', 'CNY')
    >>> all(isinstance(c.assets_under_management, Decimal) for c in cs)
    True
    """
    _check_count(n)
    count = _manager_count(n) if managers is None else managers
    if count < 1:
        raise ValueError("managers must be at least 1")
    rng = random.Random(f"custtier.synth.customers:{seed}")
    ctx = _context(playbook, currency or playbook.currency, as_of, count, rng)
    connectors: list[str] = []  # customers who refer many others
    out: list[Customer] = []
    for i in range(n):
        person = _person(i, ctx, rng)
        record = _record(person, ctx, rng)
        record["referred_by"] = _referrer(out, connectors, rng)
        if rng.random() < 0.03:
            connectors.append(person.key)
        out.append(Customer.model_validate(record))
    return tuple(out)


def _context(
    playbook: Playbook, currency: str, as_of: dt.date, count: int, rng: random.Random
) -> _Context:
    levels = {lv.id: i for i, lv in enumerate(playbook.risk.product_levels)}
    return _Context(
        as_of=as_of,
        currency=currency,
        scale=10 ** minor_unit(currency),
        playbook=playbook,
        rows=_catalogue_rows(playbook),
        level_rank=levels,
        max_product={
            r.customer_level: levels[r.max_product_level] for r in playbook.risk.suitability
        },
        months=_months_before(as_of, 12),
        manager_ids=tuple(_manager_id(i) for i in range(count)),
        # Some managers carry bigger books than others.
        manager_weights=tuple(rng.uniform(0.6, 1.4) for _ in range(count)),
    )


def _months_before(as_of: dt.date, count: int) -> tuple[str, ...]:
    """The ``count`` complete calendar months before ``as_of``'s month, oldest first."""
    index = as_of.year * 12 + as_of.month - 1
    return tuple(f"{k // 12:04d}-{k % 12 + 1:02d}" for k in range(index - count, index))


def _person(i: int, ctx: _Context, rng: random.Random) -> _Person:
    age = rng.triangular(18.0, 88.0, 42.0)
    birth = _birth_date(age, ctx.as_of, rng)
    # Wealth rises with age to the mid-fifties; ~5 % are dormant accounts.
    age_factor = 0.35 + 1.3 * min(1.0, (age - 18.0) / 37.0)
    dormant = rng.random() < 0.05
    if dormant:
        wealth = rng.uniform(0.0, 800.0)
    else:
        wealth = min(3e8, rng.lognormvariate(math.log(_MEDIAN * age_factor), _SIGMA))
    band = 0 if wealth < _MID else 1 if wealth < _HIGH else 2
    appetite = rng.betavariate(2.2, 2.2) + 0.1 * (band == 2) - 0.2 * (age >= 60)
    since = _customer_since(birth, ctx.as_of, rng)
    key = f"C{i + 1:07d}"
    birth_known = rng.random() >= 0.03 * (2 - band)  # 6 % of mass, 3 % of mid-end unknown
    return _Person(
        i, key, age, birth, wealth, min(1.0, max(0.0, appetite)), since, band, dormant, birth_known
    )


def _birth_date(age: float, as_of: dt.date, rng: random.Random) -> dt.date:
    birth = as_of - dt.timedelta(days=int(age * 365.25))
    if rng.random() < 0.004:  # leap-day birthdays, well above their natural 1 in 1,461
        year = birth.year - 1
        while not calendar.isleap(year):
            year -= 1
        return dt.date(year, 2, 29)
    return birth


def _customer_since(birth: dt.date, as_of: dt.date, rng: random.Random) -> dt.date:
    days = rng.randint(20, 330) if rng.random() < 0.08 else rng.randint(366, 25 * 365)
    adult = birth + relativedelta(years=16)
    return min(as_of, max(as_of - dt.timedelta(days=days), adult))


def _days_before(as_of: dt.date, days: int, floor: dt.date) -> dt.date:
    """``days`` before ``as_of``, but not before ``floor`` (nothing predates the relationship)."""
    return max(floor, as_of - dt.timedelta(days=days))


def _units(ctx: _Context, whole: float) -> Decimal:
    """Whole currency units (a float drawn internally) → an exact Decimal at scale."""
    return from_minor_units(round(whole * ctx.scale), ctx.currency)


def _record(p: _Person, ctx: _Context, rng: random.Random) -> dict[str, Any]:
    balances = _balances(p, ctx, rng)
    latest = balances[-1][1] if balances else p.wealth
    aum = max(0.0, latest * rng.uniform(0.9, 1.1))
    needs = _needs(p, rng)
    assessment = _assessment(p, ctx, rng)
    level = assessment["level"] if assessment else None
    holdings, invested, premiums = _holdings(p, ctx, aum, level=level, needs=needs, rng=rng)
    income = _income(p, rng)
    record: dict[str, Any] = {
        "key": p.key,
        "currency": ctx.currency,
        "birth_date": p.birth if p.birth_known else None,
        "assets_under_management": _units(ctx, aum),
        "monthly_balances": [
            {"month": m, "average_daily_balance": _units(ctx, b)} for m, b in balances
        ],
        "annual_profit_contribution": _units(ctx, _profit(p, aum, invested, premiums, rng)),
        "annual_income": None if income is None else _units(ctx, income),
        "products_held": holdings,
        "needs": needs,
        "contact": _contact(p, ctx, rng),
        "time_zone": rng.choice(_OVERSEAS) if rng.random() < 0.02 else "Asia/Shanghai",
        "manager_id": _manager(p, ctx, rng),
        "customer_since": p.since,
        "risk_assessment": assessment,
        "kyc": _kyc(p, ctx, income, rng),
    }
    return record


def _balances(p: _Person, ctx: _Context, rng: random.Random) -> list[tuple[str, float]]:
    """Monthly averages around ``wealth`` with a trend; gaps for some, fewer months for new."""
    roll = rng.random()
    growth = (
        rng.uniform(0.02, 0.08)
        if roll < 0.18
        else rng.uniform(-0.08, -0.02)
        if roll < 0.35
        else rng.gauss(0.0, 0.01)
    )
    first = f"{p.since.year:04d}-{p.since.month:02d}"
    gaps = set(rng.sample(range(12), rng.randint(1, 3))) if rng.random() < 0.06 else set()
    out = []
    for k, month in enumerate(ctx.months):
        if month < first or k in gaps:
            continue
        level = p.wealth * (1.0 + growth) ** (k - 10) * rng.uniform(0.93, 1.07)
        out.append((month, max(0.0, level)))
    return out


def _needs(p: _Person, rng: random.Random) -> list[Need]:
    chances = {
        Need.DAILY_BANKING: 0.7 if p.band == 0 else 0.2,
        Need.WEALTH_GROWTH: (0.2, 0.7, 0.9)[p.band],
        Need.HOUSING: 0.4 if 25 <= p.age < 42 else 0.05,
        Need.EDUCATION: 0.45 if 30 <= p.age < 52 else 0.03,
        Need.PENSION: 0.55 if p.age >= 45 else 0.1,
        Need.MEDICAL: 0.35 if p.age >= 55 else 0.1,
        Need.INSURANCE: 0.2,
        Need.LEISURE: 0.15,
        Need.GLOBAL_ALLOCATION: 0.5 if p.wealth >= 2_000_000 else 0.0,
    }
    return [need for need, chance in chances.items() if rng.random() < chance]


def _assessment(p: _Person, ctx: _Context, rng: random.Random) -> dict[str, Any] | None:
    """Answers to the playbook's questionnaire, the score and level they give; some expired."""
    if rng.random() >= (0.55, 0.85, 0.95)[p.band]:
        return None
    risk = ctx.playbook.risk
    answers, score = [], 0
    for q in risk.questionnaire:
        option = _answer(q.topic, q.options, p, rng)
        answers.append({"question_id": q.id, "option_id": option.id})
        score += option.score
    level = next((b.level for b in risk.score_bands if b.lower <= score <= b.upper), None)
    if level is None:
        return None
    days_ago = rng.randint(0, 360) if rng.random() < 0.8 else rng.randint(380, 900)
    assessed = max(ctx.as_of - dt.timedelta(days=days_ago), p.since)
    return {
        "level": level,
        "score": score,
        "assessed_on": assessed,
        "valid_until": assessed + relativedelta(months=risk.validity_months) - _DAY,
        "answers": answers,
        "playbook_id": ctx.playbook.id,
        "playbook_version": ctx.playbook.version,
    }


def _answer(
    topic: QuestionTopic, options: Sequence[Option], p: _Person, rng: random.Random
) -> Option:
    """Age options are taken as listed youngest first, finances smallest first; the
    other topics follow the person's appetite over options ordered by score."""
    last = len(options) - 1
    if topic is QuestionTopic.AGE:
        return options[min(last, max(0, round((p.age - 18.0) * last / 47.0)))]
    if topic is QuestionTopic.FINANCES:
        steps = sum(p.wealth >= bar for bar in (100_000, 500_000, 2_000_000))
        return options[min(last, round(steps * last / 3))]
    ranked = sorted(options, key=lambda o: o.score)
    pick = min(1.0, max(0.0, p.appetite + rng.uniform(-0.25, 0.25)))
    return ranked[round(pick * last)]


def _holdings(
    p: _Person,
    ctx: _Context,
    aum: float,
    *,
    level: str | None,
    needs: list[Need],
    rng: random.Random,
) -> tuple[list[dict[str, Any]], float, float]:
    """Products the customer holds (within what the assessment allows), sized from assets.

    Returns the holdings, the amount invested from assets, and insurance-like premiums.
    """
    allowed = ctx.max_product.get(level, 0) if level else 0
    pool = [
        (s, prod)
        for s, prod in ctx.rows
        if ctx.level_rank[prod.risk_level] <= allowed and p.wealth >= s.min_wealth
    ]
    k = rng.choice((0, 1, 1, 2)) if p.band == 0 else rng.randint(1, 4 + 2 * (p.band == 2))
    chosen = _pick(pool, k, set(needs), rng)
    remaining = aum * rng.uniform(0.5, 0.9)  # the rest stays on demand deposit
    holdings: list[dict[str, Any]] = []
    invested = premiums = 0.0
    for j, (s, prod) in enumerate(chosen):
        if s.premium:
            amount = _on_grid(s, s.minimum * rng.uniform(1.0, 4.0))
            premiums += amount
        else:
            share = remaining if j == len(chosen) - 1 else remaining * rng.uniform(0.3, 0.8)
            amount = _on_grid(s, share)
            if amount < s.minimum:
                continue
            remaining -= amount
            invested += amount
        holdings.append(_holding(prod, amount, p, ctx, rng))
    return holdings, invested, premiums


def _pick(
    pool: list[tuple[_Spec, Product]], k: int, needs: set[Need], rng: random.Random
) -> list[tuple[_Spec, Product]]:
    """``k`` distinct products, weighted: those serving the customer's needs three times
    as likely as the rest, private products (in the pool only for qualified investors)
    ten times, as private banking sells them first.

    Weighted sampling without replacement in one pass (Efraimidis-Spirakis keys).
    """
    if k == 0:
        return []
    keyed = [(rng.random() ** (1.0 / _weight(s, needs)), i) for i, (s, _) in enumerate(pool)]
    keyed.sort(reverse=True)
    return [pool[i] for _, i in keyed[:k]]


def _weight(s: _Spec, needs: set[Need]) -> float:
    if s.min_wealth:
        return 10.0
    return 3.0 if needs.intersection(s.needs) else 1.0


def _on_grid(s: _Spec, amount: float) -> int:
    """The largest ``minimum + k * increment`` not above ``amount`` (or 0 if below minimum)."""
    if amount < s.minimum:
        return 0
    return s.minimum + int((amount - s.minimum) // s.increment) * s.increment


def _holding(
    prod: Product, amount: int, p: _Person, ctx: _Context, rng: random.Random
) -> dict[str, Any]:
    span = (ctx.as_of - p.since).days
    if prod.term_days is None:
        opened = ctx.as_of - dt.timedelta(days=rng.randint(0, span))
        return {"product_id": prod.id, "principal": _units(ctx, amount), "opened_on": opened}
    # Term products: opened within one term before as_of, so they mature on or after it.
    opened = ctx.as_of - dt.timedelta(days=rng.randint(1, min(prod.term_days, max(1, span))))
    return {
        "product_id": prod.id,
        "principal": _units(ctx, amount),
        "opened_on": opened,
        "matures_on": opened + dt.timedelta(days=prod.term_days),
    }


def _profit(p: _Person, aum: float, invested: float, premiums: float, rng: random.Random) -> float:
    """Spread on balances + product fees + insurance commission + payments + loans − cost.

    Dormant accounts earn nothing but still cost their servicing: they are the
    loss-makers.
    """
    spread = (aum - invested) * rng.uniform(0.008, 0.018)
    fees = invested * rng.uniform(0.003, 0.01) + premiums * 0.15
    payments = 0.0 if p.dormant else rng.uniform(10, 80)
    loans = rng.uniform(1_000, 30_000) if not p.dormant and rng.random() < 0.07 else 0.0
    return spread + fees + payments + loans - rng.uniform(20, 60)


def _income(p: _Person, rng: random.Random) -> float | None:
    if rng.random() >= (0.55, 0.75, 0.85)[p.band]:
        return None
    median = 80_000 * (max(p.wealth, 1_000.0) / 20_000) ** 0.25
    return round(rng.lognormvariate(math.log(median), 0.5), -2)


def _manager(p: _Person, ctx: _Context, rng: random.Random) -> str | None:
    if p.band == 0 and rng.random() < 0.5:
        return None  # served by the marketing system, not a named manager
    return rng.choices(ctx.manager_ids, ctx.manager_weights)[0]


def _referrer(earlier: list[Customer], connectors: list[str], rng: random.Random) -> str | None:
    """About 8 % were referred, half of them by a few prolific "connector" customers."""
    if not earlier or rng.random() >= 0.08:
        return None
    if connectors and rng.random() < 0.5:
        return rng.choice(connectors)
    return rng.choice(earlier).key


def _contact(p: _Person, ctx: _Context, rng: random.Random) -> dict[str, Any]:
    """Per-channel consent; ~12 % opted out of all marketing, ~2 % do-not-contact."""
    if rng.random() < 0.01:
        return {}  # consent never recorded: a KYC gap
    channels = [Channel.PHONE, Channel.SMS]
    channels += [c for c, chance in _optional_channels(p).items() if rng.random() < chance]
    no_marketing = rng.random() < 0.12
    recorded = ctx.as_of - dt.timedelta(days=rng.randint(0, max(0, (ctx.as_of - p.since).days)))
    consents = [
        {
            "channel": c,
            "service": rng.random() < 0.97,
            "marketing": not no_marketing and rng.random() < _MARKETING_CHANNELS[c],
            "recorded_on": recorded,
        }
        for c in channels
    ]
    out: dict[str, Any] = {"consents": consents}
    if rng.random() < 0.02:
        out["do_not_contact"] = True
        out["do_not_contact_since"] = _days_before(ctx.as_of, rng.randint(0, 700), p.since)
    return out


def _optional_channels(p: _Person) -> dict[Channel, float]:
    return {
        Channel.EMAIL: 0.4,
        Channel.MESSAGING_APP: 0.45,
        Channel.MASS_SMS: (0.75, 0.6, 0.2)[p.band],
        Channel.TELEMARKETING: (0.5, 0.4, 0.1)[p.band],
        Channel.HOME_VISIT: (0.0, 0.1, 0.7)[p.band],
        Channel.IN_BRANCH_EVENT: (0.1, 0.6, 0.6)[p.band],
    }


def _kyc(
    p: _Person, ctx: _Context, income: float | None, rng: random.Random
) -> dict[str, Any] | None:
    """A KYC file whose completeness grows with wealth (gaps remain at every level)."""
    if rng.random() >= (0.93, 0.98, 1.0)[p.band]:
        return None

    def has(mass: float, mid: float, high: float) -> bool:
        return rng.random() < (mass, mid, high)[p.band]

    declared = income if income is not None else rng.lognormvariate(math.log(90_000), 0.5)
    married = p.age >= 28 and rng.random() < 0.75
    family = _family(p, ctx.as_of, married, rng)
    return {
        "customer_key": p.key,
        "identity": _identity(p, with_id=has(0.95, 0.99, 1.0), rng=rng),
        "occupation": rng.choice(_OCCUPATIONS) if has(0.5, 0.85, 0.95) else None,
        "employer_industry": rng.choice(_INDUSTRIES) if has(0.3, 0.6, 0.8) else None,
        "currency": ctx.currency,
        "declared_annual_income": (
            _units(ctx, round(declared, -4)) if has(0.35, 0.75, 0.9) else None
        ),
        "declared_external_assets": (
            _units(ctx, round(p.wealth * rng.uniform(0.2, 3.0), -4))
            if has(0.05, 0.3, 0.7)
            else None
        ),
        "source_of_funds": rng.choice(_FUNDS) if has(0.15, 0.45, 0.8) else None,
        "aml_rating": _aml(rng) if has(0.95, 0.98, 0.99) else None,
        "last_reviewed_on": _days_before(ctx.as_of, rng.randint(0, 3 * 365), p.since),
        "important_dates": _important_dates(p, married, family, rng) if has(0.1, 0.45, 0.8) else [],
        "interests": rng.sample(_INTERESTS, rng.randint(1, 3)) if has(0.1, 0.5, 0.85) else [],
        "family": family if has(0.05, 0.35, 0.75) else [],
    }


def _identity(p: _Person, *, with_id: bool, rng: random.Random) -> dict[str, Any]:
    """Obviously fake identifiers, so no synthetic record can be mistaken for a person."""
    n = p.index + 1
    return {
        "full_name": f"Synthetic Customer {n:07d}",
        "id_document_type": "synthetic_id" if with_id else None,
        "id_number": f"SYNTH{n:013d}" if with_id else None,
        "phone": f"+86 000 {n:08d}",
        "email": f"c{n:07d}@example.invalid" if rng.random() < 0.4 else None,
        "address": f"{n} Synthetic Road, Example District",
        "account_numbers": [f"SYNTH-ACCT-{n:07d}-1"],
    }


def _aml(rng: random.Random) -> AmlRating:
    roll = rng.random()
    return AmlRating.LOW if roll < 0.85 else AmlRating.MEDIUM if roll < 0.97 else AmlRating.HIGH


def _family(p: _Person, as_of: dt.date, married: bool, rng: random.Random) -> list[dict[str, Any]]:
    members: list[dict[str, Any]] = []
    if married:
        spouse = p.birth + dt.timedelta(days=rng.randint(-5 * 365, 5 * 365))
        members.append({"relation": Relation.SPOUSE, "birth_on": spouse})
    if p.age >= 28:
        for _ in range(rng.choice((0, 1, 1, 2))):
            child = p.birth + dt.timedelta(days=rng.randint(24 * 365, 36 * 365))
            members.append({"relation": Relation.CHILD, "birth_on": child})
    if p.age < 50 and rng.random() < 0.3:
        parent = p.birth - dt.timedelta(days=rng.randint(22 * 365, 35 * 365))
        members.append({"relation": Relation.PARENT, "birth_on": parent})
    return [m for m in members if m["birth_on"] <= as_of]  # no one not yet born


def _important_dates(
    p: _Person, married: bool, family: list[dict[str, Any]], rng: random.Random
) -> list[dict[str, Any]]:
    """Own birthday (a fifth kept by the lunar calendar), anniversaries, family birthdays."""

    def kept_by() -> CalendarKind:
        return CalendarKind.LUNAR if rng.random() < 0.2 else CalendarKind.GREGORIAN

    dates = [
        {
            "kind": DateKind.BIRTHDAY,
            "relation": Relation.SELF,
            "on": p.birth,
            "calendar": kept_by(),
        }
        for _ in range(p.birth_known)
    ]
    if married:
        wedding = p.birth + dt.timedelta(
            days=rng.randint(23 * 365, max(23 * 365, int(p.age * 365) - 30))
        )
        dates.append(
            {"kind": DateKind.WEDDING_ANNIVERSARY, "relation": Relation.SPOUSE, "on": wedding}
        )
    dates += [
        {
            "kind": DateKind.BIRTHDAY,
            "relation": m["relation"],
            "on": m["birth_on"],
            "calendar": kept_by(),
        }
        for m in family
    ]
    dates.append(
        {
            "kind": DateKind.RELATIONSHIP_ANNIVERSARY,
            "relation": Relation.SELF,
            "on": p.since,
            "label": "customer of the bank since",
        }
    )
    return dates
