"""Hypothesis strategies shared by every custtier test module.

One module, so every engine's property tests draw customers, products and
playbooks the same way. Amounts are always ``Decimal`` at the scale of their
currency; keys and ids always match the models' patterns; a drawn record
always validates. Strategies that take a ``canary`` put that string in every
personal field, for the privacy tests.

Import as ``import strategies as cst`` (``tests/conftest.py`` puts ``tests/``
on ``sys.path``).
"""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import json
import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar

from hypothesis import strategies as st
from pydantic import SecretStr

from custtier import (
    AmlRating,
    Answer,
    CalendarKind,
    Channel,
    ChannelConsent,
    ContactPreferences,
    ContactRecord,
    Customer,
    DateKind,
    Decision,
    FamilyMember,
    Identity,
    ImportantDate,
    KycFile,
    Liquidity,
    MonthlyBalance,
    Need,
    Playbook,
    PlaybookRef,
    Product,
    ProductHolding,
    Purpose,
    Reason,
    ReasonCode,
    Relation,
    RelationshipManager,
    RiskAssessment,
    Rounding,
    minor_unit,
    presets,
)
from custtier._explain import Fact
from custtier._i18n._facts import FACT_TYPES, REASON_FACTS, FactType
from custtier._money import from_minor_units, known_currencies
from custtier.rules import KycItem

__all__ = [
    "FUZZ_INPUTS",
    "LINE_BREAKS",
    "PlaybookMutation",
    "amounts",
    "answers",
    "cadence_variant",
    "channel_consents",
    "contact_preferences",
    "contact_records",
    "currencies",
    "customer_keys",
    "customers",
    "damaged",
    "dates",
    "decisions",
    "edge_dates",
    "equivalent_rewrites",
    "facts",
    "family_members",
    "holdings",
    "hostile_customer_records",
    "hostile_lines",
    "hostile_playbook_data",
    "hostile_rows",
    "hostile_scalars",
    "hostile_values",
    "identifiers",
    "identities",
    "important_dates",
    "kyc_files",
    "managers",
    "monthly_balances",
    "over_precise_amounts",
    "phone_like_keys",
    "playbook_data",
    "playbook_mutations",
    "playbook_refs",
    "playbook_variant",
    "playbooks",
    "policy_variant",
    "products",
    "reasons",
    "risk_assessments",
    "roundings",
    "rrule_texts",
    "short_text",
    "time_zones",
    "unhashables",
    "weight_vectors",
    "weights",
    "worklist_inputs",
    "year_months",
]

T = TypeVar("T")

# --------------------------------------------------------------------------- scalars

#: Dates a retail book plausibly holds: birth dates from 1920, plans to 2040.
MIN_DATE = dt.date(1920, 1, 1)
MAX_DATE = dt.date(2040, 12, 31)

#: Largest amount drawn, in whole currency units (a trillion: more than any book).
MAX_WHOLE_UNITS = 10**12

#: Names the models accept as IANA time zones.
TIME_ZONES = ("Asia/Shanghai", "Asia/Hong_Kong", "Asia/Singapore", "Europe/London", "UTC")


@cache
def currencies() -> st.SearchStrategy[str]:
    """Every currency custtier knows the ISO 4217 minor unit of."""
    return st.sampled_from(known_currencies())


@cache
def roundings() -> st.SearchStrategy[Rounding]:
    """Every rounding mode a playbook may name."""
    return st.sampled_from(list(Rounding))


@cache
def amounts(
    currency: str = "CNY",
    *,
    min_value: Decimal | int = 0,
    max_value: Decimal | int = MAX_WHOLE_UNITS,
) -> st.SearchStrategy[Decimal]:
    """Exact amounts at ``currency``'s scale (``Decimal('12.30')`` for CNY), in ``[min, max]``.

    Drawn as integer minor units, so every value is exactly representable and
    small, round and large amounts all appear.
    """
    scale = 10 ** minor_unit(currency)
    lo = int(Decimal(min_value) * scale)
    hi = int(Decimal(max_value) * scale)
    return st.integers(min_value=lo, max_value=hi).map(lambda u: from_minor_units(u, currency))


@st.composite
def over_precise_amounts(draw: st.DrawFn, currency: str = "CNY") -> Decimal:
    """Amounts with at least one non-zero digit finer than ``currency``'s minor unit."""
    places = minor_unit(currency)
    extra = draw(st.integers(min_value=1, max_value=4))
    units = draw(st.integers(min_value=-(10**9), max_value=10**9))
    last = draw(st.integers(min_value=1, max_value=9))
    # units * 10**extra + last, at places + extra decimal places: the last digit is non-zero.
    return Decimal(units * 10**extra + last).scaleb(-(places + extra))


@cache
def weights(*, places: int = 4) -> st.SearchStrategy[Decimal]:
    """A weight in ``[0, 1]`` with at most ``places`` decimal places."""
    scale = 10**places
    return st.integers(min_value=0, max_value=scale).map(lambda n: Decimal(n).scaleb(-places))


def weight_vectors(*, min_size: int = 1, max_size: int = 12) -> st.SearchStrategy[list[Decimal]]:
    """Non-negative weights, not all zero, with mixed scales (they need not sum to 1)."""
    one = st.one_of(
        weights(places=2),
        weights(places=4),
        st.integers(min_value=0, max_value=1000).map(Decimal),
    )
    return st.lists(one, min_size=min_size, max_size=max_size).filter(any)


@cache
def dates(
    min_value: dt.date = MIN_DATE, max_value: dt.date = MAX_DATE
) -> st.SearchStrategy[dt.date]:
    """Calendar dates in a plausible range (29 February included)."""
    return st.dates(min_value=min_value, max_value=max_value)


@cache
def year_months() -> st.SearchStrategy[str]:
    """``"YYYY-MM"`` months."""
    return st.builds(
        lambda y, m: f"{y:04d}-{m:02d}",
        st.integers(min_value=2000, max_value=2040),
        st.integers(min_value=1, max_value=12),
    )


@cache
def identifiers(max_extra: int = 15) -> st.SearchStrategy[str]:
    """Stable ids (rule ids, product ids, tiers, levels): a letter, then ``[A-Za-z0-9_.-]``."""
    return st.from_regex(rf"[A-Za-z][A-Za-z0-9_.\-]{{0,{max_extra}}}", fullmatch=True)


@cache
def customer_keys() -> st.SearchStrategy[str]:
    """Pseudonymous customer keys (``C000123``, ``br01:4711`` …)."""
    return st.one_of(
        st.integers(min_value=0, max_value=10**9 - 1).map(lambda n: f"C{n:09d}"),
        st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:\-]{0,20}", fullmatch=True),
    )


@cache
def short_text(max_size: int = 40) -> st.SearchStrategy[str]:
    """Free text, any printable Unicode (CJK included); never the redaction marker."""
    return st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
        max_size=max_size,
    ).filter(lambda text: text != "[redacted]")


@cache
def time_zones() -> st.SearchStrategy[str]:
    """IANA time-zone names the models accept."""
    return st.sampled_from(TIME_ZONES)


@cache
def _maybe(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.none() | strategy


@cache
def _lists(strategy: st.SearchStrategy[T], max_size: int) -> st.SearchStrategy[list[T]]:
    return st.lists(strategy, max_size=max_size)


# --------------------------------------------------------------------------- small records


@cache
def monthly_balances(currency: str = "CNY") -> st.SearchStrategy[MonthlyBalance]:
    """One month's average daily balance."""
    return st.builds(
        MonthlyBalance,
        month=year_months(),
        average_daily_balance=amounts(currency, max_value=10**9),
    )


@st.composite
def holdings(draw: st.DrawFn, currency: str = "CNY") -> ProductHolding:
    """A product holding; maturity, when present, is not before opening."""
    opened = draw(_maybe(dates(dt.date(2000, 1, 1), dt.date(2035, 12, 31))))
    matures = None
    if opened is not None and draw(st.booleans()):
        matures = opened + dt.timedelta(days=draw(st.integers(1, 3650)))
    return ProductHolding(
        product_id=draw(identifiers()),
        principal=draw(amounts(currency, max_value=10**8)),
        opened_on=opened,
        matures_on=matures,
    )


@cache
def channel_consents() -> st.SearchStrategy[ChannelConsent]:
    """Consent on one channel, per purpose."""
    return st.builds(
        ChannelConsent,
        channel=st.sampled_from(list(Channel)),
        service=st.booleans(),
        marketing=st.booleans(),
        recorded_on=st.none() | dates(),
    )


@st.composite
def contact_preferences(draw: st.DrawFn) -> ContactPreferences:
    """Per-channel consents (each channel at most once) and a do-not-contact flag."""
    consents = draw(
        st.lists(channel_consents(), max_size=len(Channel), unique_by=lambda c: c.channel)
    )
    dnc = draw(st.booleans())
    return ContactPreferences(
        consents=tuple(consents),
        do_not_contact=dnc,
        do_not_contact_since=draw(dates()) if dnc and draw(st.booleans()) else None,
    )


@cache
def answers() -> st.SearchStrategy[Answer]:
    """One questionnaire answer (question ids like the presets' ``q_age``, options ``a``-``e``)."""
    return st.builds(
        Answer,
        question_id=st.sampled_from(["q_age", "q_finances", "q_experience", "q_objective",
                                     "q_horizon", "q_liquidity", "q_loss"]) | identifiers(),
        option_id=st.sampled_from("abcde"),
    )  # fmt: skip


@st.composite
def risk_assessments(draw: st.DrawFn, levels: Sequence[str] | None = None) -> RiskAssessment:
    """An assessment valid on ``[assessed_on, valid_until]``, level from ``levels`` if given."""
    assessed = draw(dates(dt.date(2010, 1, 1), dt.date(2035, 12, 31)))
    level = draw(st.sampled_from(list(levels))) if levels else draw(identifiers())
    return RiskAssessment(
        level=level,
        score=draw(st.integers(min_value=0, max_value=100)),
        assessed_on=assessed,
        valid_until=assessed + dt.timedelta(days=draw(st.integers(0, 3 * 366))),
        answers=tuple(draw(_lists(answers(), 7))),
        playbook_id=draw(_maybe(identifiers())),
        playbook_version=draw(_maybe(st.just("1.0.0"))),
    )


def _personal(canary: str | None) -> st.SearchStrategy[str]:
    if canary is not None:
        return st.just(canary)
    return st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=16
    ).filter(lambda v: v != "[redacted]")  # the redaction marker is refused on import


@st.composite
def identities(draw: st.DrawFn, canary: str | None = None) -> Identity:
    """Personal identifiers; with ``canary`` every personal field holds that string.

    ``id_document_type`` (e.g. ``"passport"``) is a kind, not an identifier,
    and is never the canary.
    """
    text = _personal(canary)

    def secret() -> SecretStr:
        return SecretStr(draw(text))

    def maybe() -> SecretStr | None:
        return secret() if canary is not None or draw(st.booleans()) else None

    n_accounts = draw(st.integers(min_value=1 if canary is not None else 0, max_value=3))
    return Identity(
        full_name=maybe(),
        id_document_type=draw(_maybe(st.sampled_from(["resident_id", "passport"]))),
        id_number=maybe(),
        phone=maybe(),
        email=maybe(),
        address=maybe(),
        account_numbers=tuple(secret() for _ in range(n_accounts)),
    )


@cache
def important_dates() -> st.SearchStrategy[ImportantDate]:
    """A birthday, anniversary or other date, Gregorian or lunar."""
    return st.builds(
        ImportantDate,
        kind=st.sampled_from(list(DateKind)),
        relation=st.sampled_from(list(Relation)),
        on=dates(),
        calendar=st.sampled_from(list(CalendarKind)),
        label=st.none() | short_text(24),
    )


@cache
def family_members() -> st.SearchStrategy[FamilyMember]:
    """A household member: relation, birth date, a note; never a name."""
    return st.builds(
        FamilyMember,
        relation=st.sampled_from(list(Relation)),
        birth_on=st.none() | dates(),
        needs_note=st.none() | short_text(24),
    )


@st.composite
def kyc_files(
    draw: st.DrawFn,
    customer_key: str | None = None,
    currency: str | None = None,
    canary: str | None = None,
) -> KycFile:
    """A KYC file (identity always present when ``canary`` is given)."""
    cur = currency if currency is not None else draw(currencies())
    identity = draw(identities(canary)) if canary is not None else draw(_maybe(identities()))
    return KycFile(
        customer_key=customer_key if customer_key is not None else draw(customer_keys()),
        identity=identity,
        occupation=draw(_maybe(short_text(24))),
        employer_industry=draw(_maybe(short_text(24))),
        currency=cur,
        declared_annual_income=draw(_maybe(amounts(cur, max_value=10**8))),
        declared_external_assets=draw(_maybe(amounts(cur, max_value=10**10))),
        source_of_funds=draw(_maybe(short_text(24))),
        aml_rating=draw(_maybe(st.sampled_from(list(AmlRating)))),
        last_reviewed_on=draw(_maybe(dates())),
        important_dates=tuple(draw(_lists(important_dates(), 4))),
        interests=tuple(draw(st.lists(short_text(20), max_size=4))),
        family=tuple(draw(_lists(family_members(), 3))),
    )


# --------------------------------------------------------------------------- customers


@st.composite
def customers(
    draw: st.DrawFn,
    currency: str | None = None,
    *,
    canary: str | None = None,
    full: bool | None = None,
) -> Customer:
    """A valid customer. ``full=True`` fills every part (balances, holdings, consents,
    risk assessment, KYC file with identity); ``None`` draws any mix.
    """
    cur = currency if currency is not None else draw(currencies())
    key = draw(customer_keys())
    everything = full if full is not None else draw(st.booleans())

    def part(strategy: st.SearchStrategy[Any]) -> Any:
        return draw(strategy) if everything or draw(st.booleans()) else None

    months = draw(
        st.lists(monthly_balances(cur), min_size=1 if everything else 0, max_size=12,
                 unique_by=lambda m: m.month)
    )  # fmt: skip
    referrer = draw(_maybe(customer_keys()))
    kyc = None
    if everything or canary is not None or draw(st.booleans()):
        kyc = draw(kyc_files(customer_key=key, currency=cur, canary=canary))
        if everything and kyc.identity is None:
            kyc = kyc.replace(identity=draw(identities()))
    return Customer(
        key=key,
        currency=cur,
        birth_date=part(dates(MIN_DATE, dt.date(2010, 12, 31))),
        assets_under_management=draw(amounts(cur, max_value=10**10)),
        monthly_balances=tuple(months),
        annual_profit_contribution=draw(amounts(cur, min_value=-(10**6), max_value=10**7)),
        annual_income=part(amounts(cur, max_value=10**8)),
        products_held=tuple(draw(st.lists(holdings(cur), min_size=int(everything), max_size=4))),
        needs=tuple(draw(st.lists(st.sampled_from(list(Need)), max_size=4))),
        contact=draw(contact_preferences()),
        time_zone=draw(time_zones()),
        manager_id=part(identifiers()),
        referred_by=None if referrer == key else referrer,
        customer_since=part(dates(dt.date(1990, 1, 1), dt.date(2035, 12, 31))),
        risk_assessment=part(risk_assessments()),
        kyc=kyc,
    )


# --------------------------------------------------------------------------- catalogue, staff, history


@st.composite
def products(
    draw: st.DrawFn,
    currency: str | None = None,
    *,
    categories: Sequence[str] | None = None,
    levels: Sequence[str] | None = None,
) -> Product:
    """A product; category and risk level drawn from the given ids when supplied."""
    cur = currency if currency is not None else draw(currencies())
    unit = Decimal(1).scaleb(-minor_unit(cur))
    return Product(
        id=draw(identifiers()),
        name=draw(short_text(24).filter(lambda s: len(s) >= 1)),
        category=draw(st.sampled_from(list(categories))) if categories else draw(identifiers()),
        risk_level=draw(st.sampled_from(list(levels))) if levels else draw(identifiers()),
        currency=cur,
        minimum_investment=draw(amounts(cur, max_value=10**7)),
        increment=draw(amounts(cur, min_value=unit, max_value=10**5)),
        liquidity=draw(st.sampled_from(list(Liquidity))),
        term_days=draw(_maybe(st.integers(min_value=1, max_value=3650))),
        reserved_for_tiers=tuple(draw(_lists(identifiers(), 3))),
        needs_served=tuple(draw(st.lists(st.sampled_from(list(Need)), max_size=3))),
        cooling_off_hours=draw(st.integers(min_value=0, max_value=24 * 30)),
        private=draw(st.booleans()),
    )


@cache
def managers() -> st.SearchStrategy[RelationshipManager]:
    """A relationship manager with weekly capacity in ``[0, 80]`` hours."""
    return st.builds(
        RelationshipManager,
        id=identifiers(),
        branch=st.none() | identifiers(),
        capacity_hours_per_week=st.integers(min_value=0, max_value=160).map(
            lambda n: Decimal(n) / 2
        ),
        tiers_served=st.lists(identifiers(), max_size=3).map(tuple),
        time_zone=time_zones(),
    )


def contact_records(customer_key: str | None = None) -> st.SearchStrategy[ContactRecord]:
    """One past contact."""
    return st.builds(
        ContactRecord,
        customer_key=st.just(customer_key) if customer_key is not None else customer_keys(),
        on=dates(dt.date(2015, 1, 1), dt.date(2035, 12, 31)),
        channel=st.sampled_from(list(Channel)),
        purpose=st.sampled_from(list(Purpose)),
        occasion=st.none() | identifiers(),
        manager_id=st.none() | identifiers(),
        note=st.none() | short_text(24),
    )


# --------------------------------------------------------------------------- explanations


#: Text that reads like an amount or a date: text facts (a playbook's KYC block
#: ``blocks``, a calendar's name) may hold it and must come back as text.
NUMBER_LIKE_TEXT = ("10", "-0", "0.50", "1E+3", "2026-12-31", "0001-01-01", "2026-02-30")


def _fact_values(kind: FactType) -> st.SearchStrategy[Fact]:
    by_kind: dict[FactType, st.SearchStrategy[Any]] = {
        FactType.TEXT: identifiers(10) | short_text(20) | st.sampled_from(NUMBER_LIKE_TEXT),
        FactType.NUMBER: amounts("CNY", min_value=-(10**6), max_value=10**9)
        | st.integers(min_value=-(10**12), max_value=10**12)
        | st.sampled_from([Decimal("1E+3"), Decimal("1E-7"), Decimal("-2.5E+2"), Decimal("-0")]),
        FactType.COUNT: st.integers(min_value=-(10**6), max_value=10**6),
        FactType.DATE: dates(),
    }
    return st.none() | by_kind[kind]


@cache
def facts(code: ReasonCode) -> st.SearchStrategy[dict[str, Fact]]:
    """Facts a reason of ``code`` may carry: its own names, each of its declared type."""
    names = sorted(REASON_FACTS[code])
    if not names:
        return st.just({})
    return st.fixed_dictionaries(
        {}, optional={name: _fact_values(FACT_TYPES[name]) for name in names}
    )


@cache
def reasons() -> st.SearchStrategy[Reason]:
    """A reason of any code, with facts of its own, and any message (as an audit record may hold)."""
    return st.sampled_from(list(ReasonCode)).flatmap(
        lambda code: st.builds(
            lambda rule_id, message, fs: Reason(
                code=code, rule_id=rule_id, message=message, facts=fs
            ),
            identifiers(),
            short_text(60),
            facts(code),
        )
    )


@cache
def playbook_refs() -> st.SearchStrategy[PlaybookRef]:
    """A reference to a playbook: id, version, sha256 hex."""
    return st.builds(
        PlaybookRef,
        id=identifiers(),
        version=st.sampled_from(["1.0.0", "2.1", "3"]),
        content_hash=st.binary(min_size=32, max_size=32).map(bytes.hex),
    )


def decisions() -> st.SearchStrategy[Decision]:
    """A validated decision with one to four reasons."""
    return st.builds(
        Decision,
        customer_key=customer_keys(),
        outcome=identifiers(),
        reasons=st.lists(reasons(), min_size=1, max_size=4).map(tuple),
        playbook=playbook_refs(),
        as_of=dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)),
    )


# --------------------------------------------------------------------------- playbooks


def playbook_data(playbook: Playbook) -> dict[str, Any]:
    """A playbook as the plain JSON data a bank would load (a fresh, mutable copy)."""
    data: dict[str, Any] = json.loads(playbook.canonical_json())
    return data


@dataclass(frozen=True)
class PlaybookMutation:
    """A change to one rule of a playbook: where, and the changed data."""

    path: str
    data: dict[str, Any]

    def __repr__(self) -> str:  # keep hypothesis' falsifying examples short
        return f"PlaybookMutation(path={self.path!r})"


def _units(text: str, currency: str) -> int:
    return int(Decimal(text).scaleb(minor_unit(currency)))


@st.composite
def playbook_mutations(draw: st.DrawFn, base: Mapping[str, Any]) -> PlaybookMutation:
    """One rule of ``base`` (playbook JSON data) changed so the playbook stays valid.

    Kinds: a tier threshold moved between its neighbours; weight moved between two
    categories of one model portfolio (the sum stays exactly 1); a label, a
    score-band boundary, a contact priority, the Pareto share or a KYC requirement changed.
    """
    data = copy.deepcopy(dict(base))
    cur = data["currency"]
    kinds: list[Callable[[], str]] = []

    def threshold() -> str:
        b = draw(st.integers(0, len(data["tiering"]["bases"]) - 1))
        bands = data["tiering"]["bases"][b]["bands"]
        i = draw(st.integers(0, len(bands) - 2))
        old = _units(bands[i]["upper"], cur)
        room = max(abs(old), 10**6)
        lower, upper = bands[i]["lower"], bands[i + 1]["upper"]
        lo = _units(lower, cur) if lower is not None else old - room
        hi = _units(upper, cur) if upper is not None else old + room
        new = draw(st.integers(lo + 1, hi - 1).filter(lambda u: u != old))
        text = str(from_minor_units(new, cur))
        bands[i]["upper"] = bands[i + 1]["lower"] = text
        return f"tiering.bases.{b}.bands.{i}.upper"

    def weight_pair() -> str:
        p = draw(st.integers(0, len(data["allocation"]["model_portfolios"]) - 1))
        ws = data["allocation"]["model_portfolios"][p]["weights"]
        positive = [i for i, w in enumerate(ws) if Decimal(w["weight"]) >= Decimal("0.01")]
        j = draw(st.sampled_from(positive))
        k = draw(st.sampled_from([i for i in range(len(ws)) if i != j]))
        wj, wk = Decimal(ws[j]["weight"]), Decimal(ws[k]["weight"])
        step = Decimal("0.01")
        delta = step * draw(st.integers(1, int(wj / step)))
        ws[j]["weight"], ws[k]["weight"] = str(wj - delta), str(wk + delta)
        return f"allocation.model_portfolios.{p}.weights"

    def label() -> str:
        section, items = draw(
            st.sampled_from(
                [
                    ("tiers", data["tiers"]),
                    ("risk.customer_levels", data["risk"]["customer_levels"]),
                    ("risk.product_levels", data["risk"]["product_levels"]),
                    ("allocation.categories", data["allocation"]["categories"]),
                ]
            )
        )
        i = draw(st.integers(0, len(items) - 1))
        old = items[i]["label"]
        items[i]["label"] = draw(
            st.text(alphabet="abcdefghij 高端客户", min_size=1, max_size=30).filter(
                lambda s: s != old
            )
        )
        return f"{section}.{i}.label"

    def score_band() -> str:
        bands = data["risk"]["score_bands"]
        i = draw(st.integers(0, len(bands) - 2))
        lo, hi = bands[i]["lower"], bands[i + 1]["upper"]
        new = draw(st.integers(lo, hi - 1).filter(lambda u: u != bands[i]["upper"]))
        bands[i]["upper"], bands[i + 1]["lower"] = new, new + 1
        return f"risk.score_bands.{i}.upper"

    def priority() -> str:
        rules = data["cadence"]["contact_rules"]
        i = draw(st.integers(0, len(rules) - 1))
        rules[i]["priority"] = draw(st.integers(1, 9).filter(lambda n: n != rules[i]["priority"]))
        return f"cadence.contact_rules.{i}.priority"

    def pareto() -> str:
        old = Decimal(data["tiering"]["pareto"]["profit_share"])
        new = draw(st.integers(1, 99).map(lambda n: Decimal(n) / 100).filter(lambda d: d != old))
        data["tiering"]["pareto"]["profit_share"] = str(new)
        return "tiering.pareto.profit_share"

    def kyc_requirement() -> str:
        i = draw(st.integers(0, len(data["tiers"]) - 1))
        reqs = data["tiers"][i]["kyc_requires"]
        missing = [k.value for k in KycItem if k.value not in reqs]
        if missing and (not reqs or draw(st.booleans())):
            reqs.append(draw(st.sampled_from(missing)))
        else:
            reqs.pop(draw(st.integers(0, len(reqs) - 1)))
        return f"tiers.{i}.kyc_requires"

    kinds += [threshold, weight_pair, label, score_band, kyc_requirement]
    if data["cadence"]["contact_rules"]:
        kinds.append(priority)
    if data["tiering"].get("pareto") is not None:
        kinds.append(pareto)
    path = draw(st.sampled_from(kinds))()
    return PlaybookMutation(path=path, data=data)


def _shuffle_keys(rnd: random.Random, value: Any) -> Any:
    if isinstance(value, dict):
        keys = list(value)
        rnd.shuffle(keys)
        return {k: _shuffle_keys(rnd, value[k]) for k in keys}
    if isinstance(value, list):
        return [_shuffle_keys(rnd, v) for v in value]
    return value


def _respell_weights(rnd: random.Random, data: dict[str, Any]) -> None:
    for mp in data["allocation"]["model_portfolios"]:
        for w in mp["weights"]:
            zeros = rnd.randint(0, 3)
            text = str(w["weight"])
            if zeros:
                text = text + ("" if "." in text else ".") + "0" * zeros
            w["weight"] = text


def _respell_amounts(rnd: random.Random, data: dict[str, Any]) -> None:
    places = minor_unit(data["currency"])
    for basis in data["tiering"]["bases"]:
        for band in basis["bands"]:
            for end in ("lower", "upper"):
                if band[end] is not None and rnd.random() < 0.5:
                    band[end] = str(Decimal(band[end]).quantize(Decimal(1).scaleb(-places)))


@st.composite
def equivalent_rewrites(draw: st.DrawFn, base: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` written differently but meaning the same rules.

    Object keys in another order at every level, weights spelled with
    trailing zeros (``"0.30"`` for ``"0.3"``), band bounds written at the
    currency's scale (``"50000.00"`` for ``"50000"``).
    """
    data = copy.deepcopy(dict(base))
    rnd = random.Random(draw(st.integers(0, 2**32 - 1)))  # one draw, not one per shuffle
    if draw(st.booleans()):
        _respell_weights(rnd, data)
    if draw(st.booleans()):
        _respell_amounts(rnd, data)
    shuffled: dict[str, Any] = _shuffle_keys(rnd, data)
    return shuffled


# --------------------------------------------------------------------------- generated playbooks
# A bank's own playbook: the presets' structure with every rule's data drawn anew.
# The scalar = columnar tests draw from here (tests/test_frames_generated.py), so
# what they guarantee is not limited to the playbooks someone thought to write.

#: Currencies of different minor units: 2, 0 and 3 decimal places.
_PLAYBOOK_CURRENCIES = ("CNY", "JPY", "KWD", "USD")

#: RRULEs at most weekly and at most 53 a year (the presets' work budget).
_RRULES = (
    "FREQ=MONTHLY;INTERVAL=3;BYDAY=SA;BYSETPOS=2",
    "FREQ=MONTHLY;BYMONTHDAY=-1",
    "FREQ=MONTHLY;BYMONTHDAY=31",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
    "FREQ=WEEKLY",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
    "FREQ=YEARLY;BYMONTH=12;BYDAY=-1FR",
)

_BASIS_PREFIX = {
    "average_daily_balance": "adb",
    "assets_under_management": "aum",
    "profit_contribution": "profit",
}


def playbook_variant(base: Playbook, **changes: Any) -> Playbook:
    """``base`` with top-level sections replaced (``tiering={...}``), validated again."""
    data = base.model_dump(mode="json")
    data.update(changes)
    return Playbook.model_validate(data)


def policy_variant(base: Playbook, checks: Sequence[str], id_: str) -> Playbook:
    """``base`` keeping only the suitability ``checks`` named, under the id ``id_``."""
    data = base.model_dump(mode="json")
    data["id"] = id_
    data["risk"]["policy"] = [p for p in data["risk"]["policy"] if p["check"] in checks]
    return Playbook.model_validate(data)


def cadence_variant(base: Playbook, **cadence: Any) -> Playbook:
    """``base`` with cadence settings replaced (``leap_day="mar1"``), validated again."""
    data = base.model_dump(mode="json")
    data["id"] = f"{base.id}_variant"
    data["cadence"].update(cadence)
    return Playbook.model_validate(data)


@st.composite
def _band_data(
    draw: st.DrawFn, basis: str, tiers: Sequence[str], currency: str
) -> list[dict[str, Any]]:
    """Contiguous bands from 0 (or unbounded below), tiers never falling, edges at any scale."""
    count = draw(st.integers(1, len(tiers) + 1))
    ranks = sorted(draw(st.lists(st.integers(0, len(tiers) - 1), min_size=count, max_size=count)))
    # Bars as minor units: some round (10^k), some ragged, from one unit to 10^13.
    scale = draw(st.integers(0, 11))
    bar = st.integers(1, 10**13) | st.integers(1, 999).map(lambda n: n * 10**scale)
    edges = sorted(draw(st.lists(bar, min_size=count - 1, max_size=count - 1, unique=True)))
    first = None if draw(st.integers(0, 3)) == 0 else "0"
    lowers = [first, *(str(from_minor_units(e, currency)) for e in edges)]
    prefix = _BASIS_PREFIX[basis]
    return [
        {"rule_id": f"{prefix}.{i}", "tier": tiers[r], "lower": lo, "upper": hi}
        for i, (r, lo, hi) in enumerate(zip(ranks, lowers, [*lowers[1:], None], strict=True))
    ]


@st.composite
def _tiering_data(
    draw: st.DrawFn, base: Mapping[str, Any], tiers: Sequence[str], currencies: Sequence[str]
) -> dict[str, Any]:
    currency = draw(st.sampled_from(list(currencies)))
    kinds = draw(st.permutations(list(_BASIS_PREFIX)))[: draw(st.integers(1, 3))]
    bases = []
    for kind in kinds:
        bands = draw(_band_data(kind, tiers, currency))
        window = draw(st.integers(1, 12))
        bases.append({
            "basis": kind,
            "window_months": window,
            "min_months": draw(st.integers(1, window)),
            "missing_months": draw(st.sampled_from(["average_available", "count_as_zero",
                                                    "insufficient"])),
            "bands": bands,
        })  # fmt: skip
    pareto = None
    if draw(st.booleans()):
        share = draw(st.integers(1, 9999)) / Decimal(10000)
        pareto = {"rule_id": "tier.pareto", "tier": draw(st.sampled_from(tiers)),
                  "profit_share": str(share)}  # fmt: skip
    hysteresis = None
    if draw(st.integers(0, 3)) > 0:
        hysteresis = {
            "rule_id": "tier.hysteresis",
            "grace_months": draw(st.sampled_from([0, 1, 3]) | st.integers(0, 24)),
            "buffer": str(draw(st.sampled_from([0, 5, 10]) | st.integers(0, 99)) / Decimal(100)),
            "review_months": draw(st.lists(st.integers(1, 12), max_size=4, unique=True)),
            "max_buffer_months": draw(st.none() | st.integers(1, 60)),
        }
    return {
        "currency": currency,
        "rounding": draw(st.sampled_from(["ROUND_HALF_EVEN", "ROUND_HALF_UP", "ROUND_DOWN"])),
        "tiering": {
            "bases": bases,
            "combine": draw(st.sampled_from(["highest", "lowest"])),
            "pareto": pareto,
            "hysteresis": hysteresis,
            "upgrade_candidates": base["tiering"].get("upgrade_candidates"),
        },
    }


@st.composite
def _risk_data(draw: st.DrawFn, base: Mapping[str, Any]) -> dict[str, Any]:
    """The suitability policy (checks in any order), matrix and age rules drawn anew."""
    risk: dict[str, Any] = copy.deepcopy(dict(base))
    policy = risk["policy"]
    risk["policy"] = draw(st.permutations(policy))[: draw(st.integers(0, len(policy)))]
    clevels = [lv["id"] for lv in risk["customer_levels"]]
    plevels = [lv["id"] for lv in risk["product_levels"]]
    # Rows never fall and the lowest level buys only the lowest products.
    caps = sorted(draw(st.lists(st.integers(0, len(plevels) - 1), min_size=len(clevels),
                                max_size=len(clevels))))  # fmt: skip
    caps[0] = 0
    for row in risk["suitability"]:
        row["max_product_level"] = plevels[caps[clevels.index(row["customer_level"])]]
    risk["elderly_max_level"] = draw(st.none() | st.sampled_from(clevels))
    risk["elderly_age"] = draw(st.sampled_from([60, 65]) | st.integers(50, 100))
    risk["validity_months"] = draw(st.sampled_from([12]) | st.integers(1, 36))
    return risk


@st.composite
def _contact_rule_data(draw: st.DrawFn, base: Mapping[str, Any]) -> dict[str, Any]:
    rule = dict(base)
    greeting = rule["occasion"] in ("birthday", "holiday", "important_date")
    if rule["interval_days"] is not None or rule["rrule"] is not None:
        if draw(st.booleans()):
            rule |= {"interval_days": draw(st.integers(7, 400)), "rrule": None, "anchor": None}
        else:
            anchor = draw(dates(dt.date(2020, 1, 1), dt.date(2028, 12, 31)))
            rule |= {"interval_days": None, "rrule": draw(st.sampled_from(_RRULES)),
                     "anchor": anchor.isoformat()}  # fmt: skip
    if not greeting:
        rule["lead_days"] = draw(st.sampled_from([0, 7, 30]) | st.integers(0, 120))
        rule["flex_days"] = draw(st.sampled_from([0, 14]) | st.integers(0, 60))
    rule["priority"] = draw(st.integers(1, 9))
    rule["channel"] = draw(st.sampled_from([rule["channel"], *(c.value for c in Channel)]))
    return rule


@st.composite
def _cadence_data(draw: st.DrawFn, base: Mapping[str, Any], tiers: Sequence[str]) -> dict[str, Any]:
    """Contact rules kept or dropped and re-timed, calendar policies, reviews, caps, campaigns."""
    cadence: dict[str, Any] = copy.deepcopy(dict(base))
    rules = [r for r in cadence["contact_rules"] if draw(st.integers(0, 4)) > 0]
    cadence["contact_rules"] = [draw(_contact_rule_data(r)) for r in rules]
    cadence["leap_day"] = draw(st.sampled_from(["feb28", "mar1"]))
    cadence["lunar_leap_month"] = draw(st.sampled_from(["leap_if_present", "regular_month"]))
    cadence["lunar_short_month"] = draw(st.sampled_from(["last_day", "next_day"]))
    # KYC reviews tighten with AML risk: high 6-12 months, each lower at most twice as long.
    high = draw(st.integers(6, 12))
    medium = draw(st.integers(high, 2 * high))
    low = draw(st.integers(medium, 2 * medium))
    for review in cadence["kyc_reviews"]:
        review["interval_months"] = {"high": high, "medium": medium, "low": low}[
            review["aml_rating"]
        ]
    for cap in cadence["caps"]:
        cap["max_contacts"] = draw(st.integers(0, 6))
        cap["window_days"] = draw(st.sampled_from([7, 30, 90]) | st.integers(1, 366))
    campaigns = [c for c in cadence["campaigns"] if draw(st.booleans())]
    for camp in campaigns:
        segment = camp["segment"]
        segment["tiers"] = draw(st.lists(st.sampled_from(tiers), min_size=1, max_size=2,
                                         unique=True))  # fmt: skip
        segment["needs_any"] = draw(st.lists(st.sampled_from([n.value for n in Need]),
                                             max_size=2, unique=True))  # fmt: skip
        lo = draw(st.none() | st.integers(18, 70))
        segment["min_age"] = lo
        segment["max_age"] = draw(st.none() | st.integers(lo or 0, 100))
    cadence["campaigns"] = campaigns
    binds = draw(st.lists(st.sampled_from(["regulatory", "service"]), unique=True))
    cadence["do_not_contact"]["binds"] = sorted({"marketing", *binds})
    return cadence


@st.composite
def playbooks(
    draw: st.DrawFn,
    bases: Sequence[Playbook] | None = None,
    currencies: Sequence[str] = _PLAYBOOK_CURRENCIES,
) -> Playbook:
    """A valid bank playbook: a preset's structure, each engine's rules drawn anew.

    Tiering: one to three bases in any order, bands of any count and scale (from
    0 or unbounded below) in CNY, JPY, KWD or USD (or ``currencies``), combine highest or lowest,
    Pareto share on or off, hysteresis buffer, grace, review months and
    max_buffer_months. Suitability: the checks switched on (in any order), the
    matrix, the elderly rules, the validity period. Cadence: contact rules kept,
    re-timed (interval or RRULE) and re-channelled, calendar policies, KYC
    review intervals, caps, campaign segments, do-not-contact. Every draw goes
    through ``Playbook.model_validate``: each one is a playbook a bank could load.
    """
    base = draw(st.sampled_from(list(bases or (presets.PRACTICE, presets.REGULATORY))))
    data = base.model_dump(mode="json")
    tiers = [t["id"] for t in data["tiers"]]
    data["id"] = f"{base.id}_generated"
    data["version"] = str(draw(st.integers(1, 99)))
    data |= draw(_tiering_data(data, tiers, currencies))
    for tier in data["tiers"]:
        tier["kyc_requires"] = draw(st.lists(st.sampled_from([k.value for k in KycItem]),
                                             max_size=4, unique=True))  # fmt: skip
    data["risk"] = draw(_risk_data(data["risk"]))
    data["cadence"] = draw(_cadence_data(data["cadence"], tiers))
    return Playbook.model_validate(data)


# --------------------------------------------------------------------------- hostile input


def unhashables() -> st.SearchStrategy[Any]:
    """What JSON gives where a set member belongs: a list or an object."""
    return st.one_of(
        st.lists(st.sampled_from(["pension", "identity", "sms", 1, "x"]), max_size=2),
        st.dictionaries(st.sampled_from(["a", "pension"]), st.integers(0, 3), max_size=2),
    )


#: Dates at the ends of ``datetime.date``'s range, where arithmetic overflows.
EDGE_DATES = (
    dt.date.min, dt.date(1, 1, 2), dt.date(1, 12, 31), dt.date(2, 1, 1), dt.date(4, 2, 29),
    dt.date(9996, 2, 29), dt.date(9998, 12, 31), dt.date(9999, 1, 31), dt.date(9999, 12, 30),
    dt.date.max,
)  # fmt: skip


def edge_dates() -> st.SearchStrategy[dt.date]:
    """Dates at either end of the calendar (years 1 and 9999), and a few anywhere."""
    return st.one_of(
        st.sampled_from(EDGE_DATES),
        st.dates(dt.date.min, dt.date(3, 12, 31)),
        st.dates(dt.date(9997, 1, 1), dt.date.max),
        st.dates(),
    )


def phone_like_keys() -> st.SearchStrategy[str]:
    """Mobile numbers (``139…``), ID-number-like strings: keys that must never be echoed."""
    return st.one_of(
        st.integers(13000000000, 19999999999).map(str),
        st.from_regex(r"\A[1-6][0-9]{16}[0-9X]\Z"),
    )


# Where a customer record holds a set (a sorted tuple) and where it holds a date.
_SET_PATHS: tuple[tuple[str | int, ...], ...] = (("needs",), ("kyc", "interests"))
_DATE_PATHS: tuple[tuple[str | int, ...], ...] = (
    ("birth_date",), ("customer_since",), ("kyc", "last_reviewed_on"),
    ("risk_assessment", "valid_until"), ("products_held", 0, "matures_on"),
    ("kyc", "important_dates", 0, "on"), ("kyc", "family", 0, "birth_on"),
)  # fmt: skip


def _put(data: Any, path: Sequence[str | int], value: Any) -> bool:
    """Set ``data[path]`` if every step but the last exists; whether it was set."""
    for step in path[:-1]:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return False
        if data is None:
            return False
    last = path[-1]
    if isinstance(data, dict):
        data[last] = value
        return True
    if isinstance(data, list) and isinstance(last, int) and last < len(data):
        data[last] = value
        return True
    return False


@st.composite
def hostile_customer_records(draw: st.DrawFn, currency: str = "CNY") -> Any:
    """A customer record as plain JSON data with one hostile part, or not a record at all.

    Kinds: not a mapping (``None``, a list of pairs, a string, a number); an
    unhashable item in a set-like field; a date at either end of the calendar
    (with a risk assessment's ``assessed_on`` moved along, so the record
    stays valid); an unknown key that looks like a phone number; a count
    given as ``true``. Every kind must give a decision or an error record.
    """
    base: dict[str, Any] = draw(customers(currency, full=True)).to_record(reveal_personal_data=True)
    kind = draw(st.sampled_from(["not_mapping", "unhashable", "edge_date", "unknown_key", "bool"]))
    if kind == "not_mapping":
        return draw(
            st.sampled_from([None, [["key", base["key"]]], list(base.items()), "C1", 7, True])
        )
    if kind == "unhashable":
        path = draw(st.sampled_from(_SET_PATHS))
        items = [draw(unhashables())]
        _put(base, path, items)
    elif kind == "edge_date":
        for path in draw(st.lists(st.sampled_from(_DATE_PATHS), min_size=1, max_size=3)):
            day = draw(edge_dates())
            _put(base, path, day.isoformat())
            if path[0] == "risk_assessment":
                _put(base, ("risk_assessment", "assessed_on"), day.isoformat())
            if path[-1] == "matures_on":
                _put(base, ("products_held", 0, "opened_on"), None)
    elif kind == "unknown_key":
        base[draw(phone_like_keys())] = draw(st.sampled_from([1, "x", None]))
    else:
        _put(base, ("risk_assessment", "score"), True)
    return base


#: Playbook edits that must be refused (each with the path it lands on).
_HOSTILE_EDITS: tuple[tuple[str, Any], ...] = (
    ("tiers.0.kyc_requires", "unhashable"),
    ("tiering.hysteresis.review_months", "unhashable"),
    ("cadence.quiet_hours.0.channels", "unhashable"),
    ("cadence.campaigns.0.segment.needs_any", "unhashable"),
    ("cadence.contact_rules.0.priority", True),
    ("risk.questionnaire.0.options.0.score", True),
    ("risk.validity_months", "1_2"),
    ("cadence.quiet_hours.0.earliest", "08:00:00+08:00"),
    ("cadence.quiet_hours.0.latest", 72000),
    ("cadence.quiet_hours.0.send_at", "09:00Z"),
    ("tiering.bases.0.bands.1.lower", "50_000"),
    ("tiering.bases.0.bands.1.lower", "\uff15\uff10\uff10\uff10\uff10"),
)


def _walk(data: Any, path: str) -> tuple[Any, str | int] | None:
    steps: list[str | int] = [int(p) if p.isdigit() else p for p in path.split(".")]
    for step in steps[:-1]:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data, steps[-1]


@st.composite
def hostile_playbook_data(draw: st.DrawFn, base: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """``base`` (playbook JSON data) with one hostile edit: ``(path, data)``.

    The edits are ones a lenient loader would accept with another meaning, or
    crash on: an unhashable member of a set-like list, ``true`` for a count or
    a score, an amount or count with ``_`` or full-width digits, a quiet-hours
    time with an offset or as seconds, an RRULE that overflows or names a
    recurrence finer than a day.
    """
    data = copy.deepcopy(dict(base))
    rrules = [
        "FREQ=DAILY;BYHOUR=99999999999999999999",
        "FREQ=DAILY;UNTIL=99999999T000000",
        "FREQ=MONTHLY;BYSETPOS=99999999999999999999",
        "FREQ=13912345678",
        "FREQ=YEARLY;BYMONTH=13912345678",
        "FREQ=SECONDLY",  # finer than any budget allows
        "FREQ=MINUTELY;INTERVAL=5",
        "FREQ=HOURLY",
        "FREQ=DAILY",  # finer than the presets' budget (weekly)
        "FREQ=WEEKLY;BYDAY=MO,TU,WE",  # weekly, but more than 53 a year
    ]
    if draw(st.booleans()):
        path, value = draw(st.sampled_from(_HOSTILE_EDITS))
        if value == "unhashable":
            value = [draw(unhashables())]
    else:
        rule = next(
            i for i, r in enumerate(data["cadence"]["contact_rules"])
            if r["occasion"] in ("periodic", "event")
        )  # fmt: skip
        path = f"cadence.contact_rules.{rule}"
        r = data["cadence"]["contact_rules"][rule]
        r.update(interval_days=None, anchor="2026-01-01", rrule=draw(st.sampled_from(rrules)))
        return path, data
    found = _walk(data, path)
    assert found is not None, path
    parent, last = found
    parent[last] = value
    return path, data


# --------------------------------------------------------------------------- hostile inputs
# For the fuzz profile (tests/test_fuzz.py): data a bank's other systems might
# send by mistake. Every value is JSON data (what a file or a message holds);
# the engines must turn each into a decision, a documented error or an error
# row, never a crash.

#: Counts of inputs the fuzz tests fed, by kind; printed at the end of a run.
FUZZ_INPUTS: Counter[str] = Counter()

#: Characters a line-based reader may treat as line breaks (U+2028 ...): legal
#: inside a JSON string; the command line splits JSON lines on "\n" only.
LINE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"

_HOSTILE_TEXT = [
    "",
    " ",
    "abc",
    "NaN",
    "-inf",
    "1e999999",
    "-0",
    "0E-20",
    "１２３",
    "1_000",
    "12,50",
    "9" * 40,
    "0.0000000000001",
    "\x00",
    "😀",
    "a" * 300,
    "2026-02-30",
    "2026-13-01",
    "99999-01-01",
    "1899-12-31",
    "0001-01-01",
    "9999-12-31",
    "[[[[[[[[",
    "2026-11-30T10:00:00+08:00",
    "13800138000",
]


#: Ambient decimal contexts numeric code sets that would change any arithmetic relying on
#: them: three digits rounding up; InvalidOperation untrapped (a bad parse is NaN, no
#: raise); a tiny exponent range, trapped and untrapped; every signal trapped (with a
#: tiny exponent range too: 1E-12 underflows).
HOSTILE_CONTEXTS: dict[str, decimal.Context] = {
    "prec3_round_up": decimal.Context(prec=3, rounding=decimal.ROUND_UP),
    "invalid_untrapped": decimal.Context(traps=[]),
    "emax_small": decimal.Context(
        Emax=3, Emin=-3, traps=[decimal.InvalidOperation, decimal.Overflow]
    ),
    "emax_small_untrapped_clamped": decimal.Context(
        prec=4, rounding=decimal.ROUND_FLOOR, Emax=4, Emin=-4, clamp=1, traps=[]
    ),
    "every_trap": decimal.Context(prec=3, traps=list(decimal.Context().flags)),
    "every_trap_tiny_exponents": decimal.Context(
        prec=3, Emax=4, Emin=-4, traps=list(decimal.Context().flags)
    ),
}


def hostile_contexts() -> st.SearchStrategy[decimal.Context]:
    """One of :data:`HOSTILE_CONTEXTS` (a fresh copy: a context collects flags)."""
    return st.sampled_from(sorted(HOSTILE_CONTEXTS)).map(lambda k: HOSTILE_CONTEXTS[k].copy())


@cache
def hostile_scalars() -> st.SearchStrategy[Any]:
    """One JSON scalar of the wrong kind, size or spelling for most fields."""
    return st.one_of(
        st.sampled_from(_HOSTILE_TEXT),
        st.none(),
        st.booleans(),
        st.sampled_from([0, -1, 2**31, 2**63, -(2**63), 10**30]),
        st.integers(),
        st.floats(),
        st.text(max_size=20),
        st.text(alphabet=LINE_BREAKS + "ab", max_size=6),
    )


@cache
def hostile_values() -> st.SearchStrategy[Any]:
    """A hostile scalar, or a flat list or object of them (no lists inside lists)."""
    scalar = hostile_scalars()
    return st.one_of(
        scalar,
        st.lists(scalar, max_size=3),
        st.dictionaries(st.sampled_from(["a", "key", "month", "13912345678"]), scalar, max_size=2),
    )


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def damaged(draw: st.DrawFn, base: Any, *, max_changes: int = 3, skip: tuple[str, ...] = ()) -> Any:
    """``base`` (JSON data) with up to ``max_changes`` values replaced, removed or added.

    Replacements go anywhere below the top level, lists and objects inside
    set-like fields included; a removed key or list item may be required; an
    added key is one the model does not know. Paths through a key named in
    ``skip`` are left alone.
    """
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, max_changes))):
        paths = [p for p in _paths(data) if p and not any(step in skip for step in p)]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "replace", "remove", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(hostile_values())
        elif action == "remove":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "13912345678", "Key"]))] = draw(hostile_values())
    return data


_HOSTILE_STRINGS = [
    "",
    " ",
    "x",
    "XYZ",
    "cny",
    "2026-13",
    "2026-1",
    "0000-00",
    "13912345678",
    "😀",
    "a" * 80,
    "nope",
    "\x00",
]
_HOSTILE_DECIMALS = [
    Decimal(0),
    Decimal("-0.01"),
    Decimal("0.01"),
    Decimal(10) ** 17,
    Decimal(10) ** 35,
    -(Decimal(10) ** 35),
    Decimal("-5000.00"),
]


@st.composite
def hostile_rows(
    draw: st.DrawFn, base: Sequence[Mapping[str, Any]], *, min_rows: int = 1, max_rows: int = 30
) -> list[dict[str, Any]]:
    """Rows for ``custtier.frames.tier_input_schema``: valid rows, nulls and extremes.

    Values keep their column's Arrow type (a table with a wrong-typed column
    is refused as a whole, which the fuzz test also checks); within a type
    anything goes: empty and malformed strings, negative and huge amounts,
    empty lists, null list items, duplicate keys.
    """
    rows: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(min_rows, max_rows))):
        row = copy.deepcopy(dict(draw(st.sampled_from(list(base)))))
        for name in list(row):
            if draw(st.integers(0, 3)) != 0:
                continue
            old = row[name]
            if isinstance(old, str) or name in ("key", "currency"):
                row[name] = draw(st.sampled_from([None, *_HOSTILE_STRINGS]))
            elif isinstance(old, Decimal):
                row[name] = draw(st.sampled_from([None, *_HOSTILE_DECIMALS]))
            elif name == "monthly_balances":
                item = {
                    "month": draw(st.sampled_from([None, *_HOSTILE_STRINGS, "2026-10"])),
                    "average_daily_balance": draw(st.sampled_from([None, *_HOSTILE_DECIMALS])),
                }
                row[name] = draw(st.sampled_from([None, [], [item], [*(old or []), item]]))
            elif name == "kyc_items":
                row[name] = draw(st.sampled_from([None, [], ["nope"], [None], ["identity"] * 2]))
        rows.append(row)
    return rows


@st.composite
def hostile_lines(
    draw: st.DrawFn,
    records: Sequence[Mapping[str, Any]],
    *,
    min_lines: int = 1,
    max_lines: int = 20,
) -> list[str]:
    """Lines of a JSON-lines file: records, damaged records, non-objects and non-JSON.

    Lines may hold characters other readers split on (``LINE_BREAKS``, inside
    strings and bare), a 5,000-digit number or deep nesting, and the file may
    start with a byte-order mark: the command line splits on "\\n" only.
    """
    record = st.sampled_from(list(records))
    line = st.one_of(
        record.map(lambda r: json.dumps(r, ensure_ascii=False)),
        record.flatmap(damaged).map(lambda r: json.dumps(r, ensure_ascii=False)),
        hostile_values().map(lambda v: json.dumps(v, ensure_ascii=False)),
        st.sampled_from(["{", "}", "[1,", "{'key': 'C1'}", "nul", '{"key": "C1",}', "\t"]),
        st.sampled_from(list(LINE_BREAKS)),
        st.just('{"key": ' + "9" * 5000 + "}"),
        st.just("[" * 5000 + "]" * 5000),
    )
    drawn: tuple[list[str], bool] = draw(
        st.tuples(st.lists(line, min_size=min_lines, max_size=max_lines), st.booleans())
    )
    lines, bom = drawn
    if lines and bom:
        lines[0] = "\ufeff" + lines[0]  # a byte-order mark, as some exporters write
    return lines


@st.composite
def rrule_texts(draw: st.DrawFn) -> str:
    """RRULE text within RFC 5545's ranges, from yearly to secondly, dense or sparse."""
    parts = [f"FREQ={draw(st.sampled_from(['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY', 'HOURLY']))}"]
    if draw(st.booleans()):
        parts.append(f"INTERVAL={draw(st.integers(1, 12))}")
    days = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    if draw(st.booleans()):
        parts.append("BYDAY=" + ",".join(draw(st.lists(st.sampled_from(days), min_size=1,
                                                        max_size=7, unique=True))))  # fmt: skip
    if draw(st.booleans()):
        monthdays = draw(st.lists(st.integers(1, 28), min_size=1, max_size=10, unique=True))
        parts.append("BYMONTHDAY=" + ",".join(map(str, monthdays)))
    if draw(st.booleans()):
        hours = draw(st.lists(st.integers(0, 23), min_size=1, max_size=4, unique=True))
        parts.append("BYHOUR=" + ",".join(map(str, hours)))
    return ";".join(parts)


# --------------------------------------------------------------------------- worklist


@dataclass(frozen=True)
class WorklistInputs:
    """A small book with its managers, a day, a horizon and past contacts."""

    customers: tuple[Customer, ...]
    managers: tuple[RelationshipManager, ...]
    on: dt.date
    horizon_days: int
    history: tuple[ContactRecord, ...]


_REACHABLE = ContactPreferences(
    consents=(ChannelConsent(channel=Channel.PHONE), ChannelConsent(channel=Channel.SMS))
)


@st.composite
def worklist_inputs(draw: st.DrawFn, playbook: Playbook = presets.PRACTICE) -> WorklistInputs:
    """Up to 6 customers of up to 3 managers (or none), their risk levels the playbook's."""
    count = draw(st.integers(min_value=1, max_value=3))
    staff = tuple(
        RelationshipManager(
            # Mostly short weeks, so days fill up and items carry over.
            id=f"RM-{i}",
            capacity_hours_per_week=draw(st.sampled_from([0, 1, 2, 5, 40])),
        )
        for i in range(count)
    )
    levels = [lv.id for lv in playbook.risk.customer_levels]
    people = draw(st.lists(customers(playbook.currency), max_size=6, unique_by=lambda c: c.key))
    book = []
    for c in people:
        ra = draw(_maybe(risk_assessments(levels)))
        owner = draw(st.sampled_from([*(m.id for m in staff), None]))
        # Half consent to calls and messages, so work reaches the days at all.
        contact = draw(st.sampled_from([c.contact, _REACHABLE]))
        book.append(c.replace(manager_id=owner, risk_assessment=ra, contact=contact))
    on = draw(dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31)))
    keys = [c.key for c in book] or ["C-NOBODY"]
    history = draw(
        st.lists(
            st.builds(
                ContactRecord,
                customer_key=st.sampled_from(keys),
                on=dates(on - dt.timedelta(days=60), on - dt.timedelta(days=1)),
                channel=st.sampled_from(list(Channel)),
                purpose=st.sampled_from(list(Purpose)),
                occasion=st.none()
                | st.sampled_from([r.id for r in playbook.cadence.contact_rules]),
            ),
            max_size=6,
        )
    )
    return WorklistInputs(
        customers=tuple(book),
        managers=staff,
        on=on,
        horizon_days=draw(st.integers(min_value=1, max_value=21)),
        history=tuple(history),
    )
