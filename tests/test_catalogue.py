"""The message catalogue: complete in every locale, and able to write every reason engines give."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import strategies as cst
from custtier import (
    Reason,
    ReasonCode,
    WeekendCalendar,
    allocate,
    check_suitability,
    plan_contacts,
    presets,
    synth,
    tier_book,
    tier_services,
    worklist,
)
from custtier._explain import Fact
from custtier._i18n import CATALOGUES, REASON_FACTS, AmountStyle, Locale, Terms, reason_text
from custtier._i18n._catalogue import TERM_GROUPS, Cases, fields_of, valid_spec
from custtier.errors import InputError
from custtier.models._types import AmlRating, Channel, Need
from custtier.rules import Occasion, Playbook
from custtier.rules._cadence import LeapDayPolicy
from custtier.rules._tiering import Basis, KycItem, MissingMonths
from custtier.rules._worklist import WorkKind
from custtier.suitability._at_sale import AgeSource

AS_OF = dt.date(2026, 11, 30)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _templates(locale: Locale, code: str) -> dict[str, str]:
    entry = CATALOGUES[locale].messages[code]
    return dict(entry.cases) if isinstance(entry, Cases) else {"": entry}


def test_every_reason_code_has_a_template_in_every_shipped_locale() -> None:
    for locale, catalogue in CATALOGUES.items():
        assert set(catalogue.messages) == {c.value for c in ReasonCode}, locale
    assert set(REASON_FACTS) == {c.value for c in ReasonCode}


@pytest.mark.parametrize("locale", list(Locale))
@pytest.mark.parametrize("code", list(ReasonCode))
def test_each_template_uses_only_facts_its_code_carries(locale: Locale, code: ReasonCode) -> None:
    entry = CATALOGUES[locale].messages[code]
    if isinstance(entry, Cases):
        assert entry.by in REASON_FACTS[code]
    for case, template in _templates(locale, code).items():
        for name, spec in fields_of(template).items():
            assert name in REASON_FACTS[code], (code, case, name)
            assert valid_spec(spec), (code, case, spec)


@pytest.mark.parametrize("code", list(ReasonCode))
def test_every_locale_words_every_case_of_a_code(code: ReasonCode) -> None:
    cases = {loc: set(_templates(loc, code)) for loc in Locale}
    assert len(set(map(frozenset, cases.values()))) == 1, cases


def test_chinese_sentences_are_chinese_and_end_in_a_full_stop() -> None:
    for code in ReasonCode:
        for case, template in _templates(Locale.ZH_CN, code).items():
            assert CJK.search(template), (code, case)
            assert template.endswith("。"), (code, case)


@pytest.mark.parametrize(
    ("group", "values"),
    [
        ("basis", Basis), ("missing_months", MissingMonths), ("kyc", KycItem),
        ("age_from", AgeSource), ("need", Need), ("aml", AmlRating),
        ("leap_day", LeapDayPolicy),
        ("work", WorkKind), ("channel", Channel), ("occasion", Occasion),
    ],
)  # fmt: skip
def test_the_chinese_vocabulary_names_every_value_custtier_writes(group: str, values: Any) -> None:
    vocabulary = CATALOGUES[Locale.ZH_CN].vocabulary
    missing = [v.value for v in values if f"{group}.{v.value}" not in vocabulary]
    assert not missing
    assert group in TERM_GROUPS or group in {"channel", "occasion"}


@pytest.mark.parametrize("preset", list(presets.ALL.values()), ids=list(presets.ALL))
def test_every_preset_labels_every_row_in_chinese(preset: Playbook) -> None:
    labels = preset.terms("zh_CN").labels
    rows = {
        "tier": [t.id for t in preset.tiers],
        "level": [lv.id for lv in preset.risk.customer_levels],
        "plevel": [lv.id for lv in preset.risk.product_levels],
        "category": [c.id for c in preset.allocation.categories],
        "service": [s.id for s in preset.services],
        "contact": [r.id for r in preset.cadence.contact_rules]
        + [c.id for c in preset.cadence.campaigns],
    }
    for kind, ids in rows.items():
        for ident in ids:
            assert CJK.search(labels[f"{kind}.{ident}"]), f"{kind}.{ident}"


def test_the_regulatory_levels_carry_the_official_chinese_terms() -> None:
    labels = presets.REGULATORY.terms("zh_CN").labels
    assert [labels[f"level.C{i}"] for i in range(1, 6)] == [
        "保守型", "谨慎型", "稳健型", "积极型", "激进型",
    ]  # fmt: skip
    assert [labels[f"plevel.R{i}"] for i in range(1, 6)] == [
        "低风险", "中低风险", "中风险", "中高风险", "高风险",
    ]  # fmt: skip
    assert [labels[f"tier.{t}"] for t in ("mass", "mid_end", "high_end")] == [
        "大众客户", "中端客户", "高端客户",
    ]  # fmt: skip


def test_amounts_follow_the_playbooks_style_in_chinese() -> None:
    facts = {"amount": Decimal("1234567.89"), "minimum": Decimal("1234567.891")}
    grouped = reason_text("SUIT_BELOW_MINIMUM", facts, "zh_CN", Terms(currency="CNY"))
    assert "¥1,234,567.89" in grouped
    wan = reason_text(
        "SUIT_BELOW_MINIMUM", facts, "zh_CN", Terms(currency="CNY", amounts=AmountStyle.WAN)
    )
    assert "123.46万元" in wan
    assert reason_text("SUIT_BELOW_MINIMUM", facts) == "below the minimum 1234567.891"


def test_an_unknown_locale_is_refused_with_the_choices() -> None:
    from custtier.errors import InputError

    with pytest.raises(InputError, match="en, zh_CN") as info:
        reason_text("SUIT_RECORDED_SALE", {}, "fr_FR")
    assert info.value.field == "locale"


# --------------------------------------------------------------------------- every engine's reasons


def _reasons(value: Any) -> Iterator[Reason]:
    """Every reason inside a result, however deeply it is nested."""
    if isinstance(value, Reason):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _reasons(getattr(value, name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _reasons(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _reasons(item)


def _engine_reasons(book: synth.Book, playbook: Playbook, amount: Decimal) -> Iterator[Reason]:
    tiered = tier_book(book.customers, playbook, as_of=AS_OF)
    yield from _reasons(tiered.decisions)
    yield from _reasons(tiered.candidates)
    tiers = {d.customer_key: d.outcome for d in tiered.decisions}
    for customer in book.customers[:6]:
        tier = tiers[customer.key]
        yield from _reasons(tier_services(customer.key, tier, playbook, as_of=AS_OF))
        yield from _reasons(
            allocate(customer, amount, book.catalogue, playbook, as_of=AS_OF, tier=tier)
        )
        for product in book.catalogue[::3]:
            yield from _reasons(
                check_suitability(
                    customer, product, playbook, as_of=AS_OF, tier=tier, amount=amount
                )
            )
    plan = plan_contacts(
        book.customers, playbook, start=AS_OF, end=AS_OF + dt.timedelta(days=75), tiers=tiers,
        calendar=WeekendCalendar(), managers=book.managers,
    )  # fmt: skip
    yield from _reasons(plan.touchpoints)
    yield from _reasons(plan.unscheduled)
    for manager in book.managers:
        yield from _reasons(
            worklist(
                manager,
                book.customers,
                playbook,
                on=AS_OF,
                horizon_days=14,
                catalogue=book.catalogue,
                calendar=WeekendCalendar(),
                tiers=tiered,
            )
        )


def _unless_refused(engine: Any, *args: Any, **kwargs: Any) -> Any:
    """The engine's result, or None for a documented refusal (nothing to render then)."""
    try:
        return engine(*args, **kwargs)
    except InputError:
        return None


def _check_renders(reason: Reason, playbook: Playbook) -> None:
    assert set(reason.facts) <= REASON_FACTS[reason.code], reason.code
    assert reason.message == reason_text(reason.code, reason.facts)
    zh = reason.text("zh_CN", playbook.terms("zh_CN"))
    assert CJK.search(zh)
    assert "{" not in zh
    assert reason.text("en", playbook.terms("en"))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    preset=st.sampled_from(sorted(presets.ALL)),
    amount=cst.amounts("CNY", min_value=1, max_value=2_000_000),
)
def test_every_reason_of_a_generated_book_renders_in_every_locale(
    seed: int, preset: str, amount: Decimal
) -> None:
    playbook = presets.get(preset)
    book = synth.book(24, seed=seed, as_of=AS_OF, playbook=playbook)
    seen = set()
    for reason in _engine_reasons(book, playbook, amount):
        _check_renders(reason, playbook)
        seen.add(reason.code)
    assert ReasonCode.TIER_BAND in seen


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    customers=st.lists(cst.customers("CNY"), min_size=1, max_size=4, unique_by=lambda c: c.key),
    product=cst.products(
        "CNY",
        categories=[c.id for c in presets.REGULATORY.allocation.categories],
        levels=[lv.id for lv in presets.REGULATORY.risk.product_levels],
    ),
    amount=cst.amounts("CNY", min_value=1, max_value=10**7),
)
def test_every_reason_for_drawn_customers_renders_in_every_locale(
    customers: list[Any], product: Any, amount: Decimal
) -> None:
    playbook = presets.REGULATORY
    tiered = tier_book(customers, playbook, as_of=AS_OF)
    results: list[Any] = [tiered.decisions, tiered.candidates]
    for d in tiered.decisions:
        customer = next(c for c in customers if c.key == d.customer_key)
        kw: dict[str, Any] = {"as_of": AS_OF, "tier": d.outcome}
        results.append(
            _unless_refused(check_suitability, customer, product, playbook, amount=amount, **kw)
        )
        results.append(_unless_refused(allocate, customer, amount, [product], playbook, **kw))
    for reason in _reasons(results):
        _check_renders(reason, playbook)


def test_the_demo_report_has_every_line_in_every_locale() -> None:
    from custtier._demo_words import WORDS  # the demo's own words

    english = set(WORDS[Locale.EN])
    for locale, words in WORDS.items():
        assert english <= set(words), locale
        for key in english:
            en, other = WORDS[Locale.EN][key], words[key]
            if isinstance(en, str):
                assert isinstance(other, str)
                assert set(fields_of(en)) == set(fields_of(other)), (locale, key)
            else:
                assert len(en) == len(other), (locale, key)


def test_the_memoised_english_record_keeps_each_facts_own_spelling() -> None:
    base: dict[str, Fact] = {
        "basis": "average_daily_balance",
        "value": Decimal(1),
        "upper": Decimal(50000),
    }
    plain = reason_text("TIER_BAND", {**base, "lower": Decimal(0)})
    spelled = reason_text("TIER_BAND", {**base, "lower": Decimal("0.00")})
    assert (plain, spelled) == (
        "average_daily_balance in [0, 50000)",
        "average_daily_balance in [0.00, 50000)",
    )
    assert reason_text("SUIT_COOLING_OFF", {"hours": True}) != reason_text(
        "SUIT_COOLING_OFF", {"hours": 1}
    )
