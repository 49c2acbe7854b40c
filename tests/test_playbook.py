"""The playbook: presets as the bank wrote them, canonical JSON and hash, and rejected rule sets."""

from __future__ import annotations

import copy
import decimal
import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import strategies as cst
from custtier import Need, Playbook, presets
from custtier.errors import CusttierError, FrozenError, PlaybookError
from custtier.rules import KycItem

D = Decimal
PRESETS = [presets.PRACTICE, presets.REGULATORY]
PRESET_IDS = [p.id for p in PRESETS]

# --------------------------------------------------------------------------- the presets, as practice


def test_two_presets_ship_and_get_finds_them() -> None:
    assert sorted(presets.ALL) == ["practice", "regulatory_c1_c5"]
    assert presets.get("practice") is presets.PRACTICE
    assert presets.get("regulatory_c1_c5") is presets.REGULATORY
    with pytest.raises(KeyError, match="choose one of"):
        presets.get("gold")


def test_the_practice_has_three_tiers_and_three_risk_profiles() -> None:
    pb = presets.PRACTICE
    assert [t.id for t in pb.tiers] == ["mass", "mid_end", "high_end"]
    assert [lv.id for lv in pb.risk.customer_levels] == ["conservative", "steady", "aggressive"]
    assert pb.currency == "CNY"
    assert pb.tier_rank("mass") < pb.tier_rank("mid_end") < pb.tier_rank("high_end")
    with pytest.raises(KeyError):
        pb.tier_rank("vip")


def test_the_wealth_tier_starts_at_500k_average_daily_balance() -> None:
    basis = presets.PRACTICE.tiering.bases[0]
    assert basis.basis == "average_daily_balance"
    assert basis.window_months == 3
    high = next(b for b in basis.bands if b.tier == "high_end")
    assert high.lower == D("500000")
    assert high.upper is None


def test_the_regulatory_preset_has_a_private_banking_tier_at_6m() -> None:
    bands = presets.REGULATORY.tiering.bases[0].bands
    assert [b.tier for b in bands] == ["mass", "mid_end", "high_end", "private_banking"]
    assert bands[-1].lower == D("6000000")
    # Private-banking bars of ¥6M-¥10M are common; this preset sits at the bottom of that range.
    assert D("6000000") <= bands[-1].lower <= D("10000000")


def test_the_80_20_rule_lifts_profit_carriers_to_high_end() -> None:
    pareto = presets.PRACTICE.tiering.pareto
    assert pareto is not None
    assert pareto.tier == "high_end"
    assert pareto.profit_share == D("0.8")


def test_the_lowest_regulatory_level_c1_may_buy_only_r1() -> None:
    risk = presets.REGULATORY.risk
    rows = {row.customer_level: row.max_product_level for row in risk.suitability}
    assert rows["C1"] == "R1"
    assert rows == {f"C{n}": f"R{n}" for n in range(1, 6)}  # Cn may buy up to Rn


def test_a_conservative_customer_buys_only_cautious_products() -> None:
    rows = {r.customer_level: r.max_product_level for r in presets.PRACTICE.risk.suitability}
    assert rows == {"conservative": "low", "steady": "medium", "aggressive": "high"}


@pytest.mark.parametrize("pb", PRESETS, ids=PRESET_IDS)
def test_model_portfolio_weights_of_every_preset_level_sum_to_exactly_1(pb: Playbook) -> None:
    levels = [lv.id for lv in pb.risk.customer_levels]
    portfolios = {mp.level: mp for mp in pb.allocation.model_portfolios}
    assert sorted(portfolios) == sorted(levels)
    categories = {c.id for c in pb.allocation.categories}
    for level, mp in portfolios.items():
        total = sum((w.weight for w in mp.weights), D(0))
        assert total == D(1), level
        assert all(D(0) < w.weight <= D(1) for w in mp.weights)
        assert {w.category for w in mp.weights} <= categories


@pytest.mark.parametrize("pb", PRESETS, ids=PRESET_IDS)
def test_a_high_end_kyc_file_must_hold_important_dates_interests_and_family(pb: Playbook) -> None:
    high = next(t for t in pb.tiers if t.id == "high_end")
    assert {KycItem.IMPORTANT_DATES, KycItem.INTERESTS, KycItem.FAMILY} <= set(high.kyc_requires)
    mass = next(t for t in pb.tiers if t.id == "mass")
    assert KycItem.FAMILY not in mass.kyc_requires  # a mass customer's file stays basic


@pytest.mark.parametrize("pb", PRESETS, ids=PRESET_IDS)
def test_each_higher_tier_requires_at_least_what_the_lower_one_does(pb: Playbook) -> None:
    for lower, higher in zip(pb.tiers, pb.tiers[1:], strict=False):
        assert set(lower.kyc_requires) <= set(higher.kyc_requires), (lower.id, higher.id)


@pytest.mark.parametrize("pb", PRESETS, ids=PRESET_IDS)
def test_score_bands_cover_the_whole_questionnaire(pb: Playbook) -> None:
    risk = pb.risk
    lo = sum(min(o.score for o in q.options) for q in risk.questionnaire)
    hi = sum(max(o.score for o in q.options) for q in risk.questionnaire)
    assert (lo, hi) == (0, 100)
    covered = [s for band in risk.score_bands for s in range(band.lower, band.upper + 1)]
    assert covered == list(range(lo, hi + 1))  # every score exactly once, in order


@pytest.mark.parametrize("pb", PRESETS, ids=PRESET_IDS)
def test_elderly_customers_are_those_65_and_over(pb: Playbook) -> None:
    assert pb.risk.elderly_age == 65
    assert pb.risk.validity_months == 12
    assert "deposit" in pb.risk.risk_free_categories


@pytest.mark.parametrize("pb", PRESETS, ids=PRESET_IDS)
def test_every_cited_source_is_listed(pb: Playbook) -> None:
    listed = {s.id for s in pb.sources}
    cited = {b.source for basis in pb.tiering.bases for b in basis.bands}
    cited |= {r.source for r in pb.risk.suitability} | {pb.risk.source}
    if pb.tiering.pareto is not None:
        cited.add(pb.tiering.pareto.source)
    cited.discard(None)
    assert cited <= listed


@pytest.mark.parametrize("pb", PRESETS, ids=PRESET_IDS)
def test_every_tier_gets_services_and_contact_rules(pb: Playbook) -> None:
    tiers = {t.id for t in pb.tiers}
    assert {t for s in pb.services for t in s.tiers} == tiers
    assert {r.tier for r in pb.cadence.contact_rules} == tiers
    needs = pb.allocation.need_categories
    assert needs[Need.PENSION] == "pension_product"
    assert needs[Need.EDUCATION] == "education_savings"


# --------------------------------------------------------------------------- canonical JSON and hash


@pytest.mark.parametrize("pb", PRESETS, ids=PRESET_IDS)
def test_preset_round_trips_through_canonical_json(pb: Playbook) -> None:
    text = pb.canonical_json()
    back = Playbook.from_json(text)
    assert back == pb
    assert back.canonical_json() == text
    assert back.content_hash == pb.content_hash
    assert Playbook.model_validate(json.loads(text)).content_hash == pb.content_hash
    assert Playbook.from_json(pb.to_json(reveal_personal_data=True)) == pb


@pytest.mark.parametrize("pb", PRESETS, ids=PRESET_IDS)
def test_content_hash_is_sha256_of_canonical_json(pb: Playbook) -> None:
    text = pb.canonical_json()
    assert pb.content_hash == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert (
        json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        == text
    )
    assert "¥" in text  # UTF-8 text, not \\u escapes
    ref = pb.ref
    assert (ref.id, ref.version, ref.content_hash) == (pb.id, pb.version, pb.content_hash)


def test_the_two_presets_hash_differently() -> None:
    assert presets.PRACTICE.content_hash != presets.REGULATORY.content_hash


_PRESET_DATA = {p.id: cst.playbook_data(p) for p in PRESETS}


@given(
    st.sampled_from(PRESETS).flatmap(
        lambda p: st.tuples(st.just(p), cst.playbook_mutations(_PRESET_DATA[p.id]))
    )
)
def test_hash_changes_when_any_rule_changes(case: tuple[Playbook, cst.PlaybookMutation]) -> None:
    pb, mutation = case
    changed = Playbook.model_validate(mutation.data)  # still a valid playbook
    assert changed.content_hash != pb.content_hash, mutation.path
    assert changed.canonical_json() != pb.canonical_json()


@given(
    st.sampled_from(PRESETS).flatmap(
        lambda p: st.tuples(st.just(p), cst.equivalent_rewrites(_PRESET_DATA[p.id]))
    )
)
def test_hash_does_not_change_when_only_the_spelling_does(
    case: tuple[Playbook, dict[str, Any]],
) -> None:
    pb, data = case
    same = Playbook.model_validate(data)
    assert same.content_hash == pb.content_hash
    assert Playbook.from_json(json.dumps(data, indent=2)).content_hash == pb.content_hash


def test_weights_spelled_030_and_03_hash_the_same() -> None:
    data = cst.playbook_data(presets.PRACTICE)
    weights = data["allocation"]["model_portfolios"][0]["weights"]
    assert weights[0]["weight"] == "0.4"  # canonical spelling of the preset's "0.40"
    weights[0]["weight"] = "0.40000"
    assert Playbook.model_validate(data).content_hash == presets.PRACTICE.content_hash


def test_replace_rehashes_and_leaves_the_preset_alone() -> None:
    pb = presets.PRACTICE
    newer = pb.replace(version="1.0.1")
    assert newer.version == "1.0.1"
    assert newer.content_hash != pb.content_hash
    assert pb.version == "1.2.0"
    assert pb.replace(version="1.2.0").content_hash == pb.content_hash
    with pytest.raises(PlaybookError):
        pb.replace(tiers=[])


def test_a_playbook_is_frozen() -> None:
    with pytest.raises(FrozenError):
        presets.PRACTICE.id = "mine"  # type: ignore[misc]
    assert presets.PRACTICE.id == "practice"


def test_json_schema_describes_every_section() -> None:
    schema = Playbook.json_schema()
    json.dumps(schema)  # plain JSON data
    assert {"id", "version", "effective_from", "currency", "rounding", "tiers", "tiering",
            "risk", "allocation", "services", "cadence"} <= set(schema["properties"])  # fmt: skip
    assert {"id", "version", "tiers", "tiering", "risk", "allocation"} <= set(schema["required"])


# --------------------------------------------------------------------------- invalid playbooks

Mutator = Callable[[dict[str, Any]], None]


def _bands(d: dict[str, Any]) -> list[dict[str, Any]]:
    bands: list[dict[str, Any]] = d["tiering"]["bases"][0]["bands"]
    return bands


def _set_boundary(i: int, value: str | None) -> Mutator:
    def m(d: dict[str, Any]) -> None:
        _bands(d)[i]["upper"] = value

    return m


def _set(path: str, value: Any) -> Mutator:
    def m(d: dict[str, Any]) -> None:
        *head, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        node: Any = d
        for part in head:
            node = node[part]
        node[last] = value

    return m


def _suitability(**caps: str) -> Mutator:
    def m(d: dict[str, Any]) -> None:
        for row in d["risk"]["suitability"]:
            if row["customer_level"] in caps:
                row["max_product_level"] = caps[row["customer_level"]]

    return m


def _drop(path: str, index: int) -> Mutator:
    def m(d: dict[str, Any]) -> None:
        node: Any = d
        for part in path.split("."):
            node = node[part]
        del node[index]

    return m


def _weights(*values: str) -> Mutator:
    def m(d: dict[str, Any]) -> None:
        ws = d["allocation"]["model_portfolios"][0]["weights"]
        for w, v in zip(ws, values, strict=False):
            w["weight"] = v

    return m


def _dup_rule_id(d: dict[str, Any]) -> None:
    d["risk"]["suitability"][0]["rule_id"] = _bands(d)[0]["rule_id"]


def _dup_tier(d: dict[str, Any]) -> None:
    d["tiers"].append(copy.deepcopy(d["tiers"][0]))


def _dup_basis(d: dict[str, Any]) -> None:
    twin = copy.deepcopy(d["tiering"]["bases"][0])
    twin["window_months"] = 6
    for band in twin["bands"]:
        band["rule_id"] += ".6m"
    d["tiering"]["bases"].append(twin)


# (what, mutation of the practice preset, expected problem path, words in its message)
INVALID: list[tuple[str, Mutator, str, str]] = [
    ("band gap", _set("tiering.bases.0.bands.1.lower", "60000.00"), "tiering.bases.0.bands.0", "gap"),
    ("band overlap", _set("tiering.bases.0.bands.1.lower", "40000.00"), "tiering.bases.0.bands.0", "overlaps"),
    ("open band not last", _set_boundary(1, None), "tiering.bases.0.bands.1.upper", "only the last band may be open"),
    ("last band closed", _set_boundary(2, "9000000.00"), "tiering.bases.0.bands.2.upper", "must be open"),
    ("first band not at 0", _set("tiering.bases.0.bands.0.lower", "100.00"), "tiering.bases.0.bands.0.lower", "must start at 0"),
    ("unbounded band not first", _set("tiering.bases.0.bands.1.lower", None), "tiering.bases.0.bands.1.lower", "only the first band"),
    ("band upper below lower", _set("tiering.bases.0.bands.1.upper", "40000.00"), "tiering.bases.0.bands.1", "upper must be greater"),
    ("band finer than a fen", _set("tiering.bases.0.bands.2.lower", "500000.001"), "tiering.bases.0.bands.2.lower", "decimal places"),
    ("band to an unknown tier", _set("tiering.bases.0.bands.2.tier", "vip"), "tiering.bases.0.bands.2.tier", "'vip' is not defined"),
    ("higher band, lower tier", _set("tiering.bases.0.bands.2.tier", "mass"), "tiering.bases.0.bands.2", "must not map to a lower tier"),
    ("min months over window", _set("tiering.bases.0.min_months", 4), "tiering.bases.0", "min_months"),
    ("pareto to an unknown tier", _set("tiering.pareto.tier", "vip"), "tiering.pareto.tier", "not defined"),
    ("pareto share of 1", _set("tiering.pareto.profit_share", "1"), "tiering.pareto.profit_share", "strictly between 0 and 1"),
    ("review month 13", _set("tiering.hysteresis.review_months", [1, 13]), "tiering.hysteresis.review_months", "1..12"),
    ("service for an unknown tier", _set("services.0.tiers", ["high_end", "vip"]), "services.0.tiers", "'vip' is not defined"),
    ("contact rule for an unknown tier", _set("cadence.contact_rules.0.tier", "vip"), "cadence.contact_rules.0.tier", "'vip' is not defined"),
    ("tier defined twice", _dup_tier, "tiers", "more than once"),
    ("two rules for one basis", _dup_basis, "tiering.bases", "more than one rule"),
    ("unknown category in a portfolio", _set("allocation.model_portfolios.0.weights.0.category", "crypto"), "allocation.model_portfolios.0.weights.0.category", "'crypto' is not defined"),
    ("category twice in a portfolio", _set("allocation.model_portfolios.0.weights.1.category", "deposit"), "allocation.model_portfolios.0.weights", "appears more than once"),
    ("weights sum to 0.99", _weights("0.39"), "allocation.model_portfolios.0.weights", "sum to 0.99"),
    ("weights sum to 1.01", _weights("0.41"), "allocation.model_portfolios.0.weights", "sum to 1.01"),
    ("weight above 1", _weights("1.5"), "allocation.model_portfolios.0.weights.0.weight", "[0, 1]"),
    ("weight as a float", _weights(0.4), "allocation.model_portfolios.0.weights.0.weight", "float"),  # type: ignore[arg-type]
    ("portfolio for an unknown level", _set("allocation.model_portfolios.0.level", "C9"), "allocation.model_portfolios.0.level", "not a customer level"),
    ("level without a portfolio", _drop("allocation.model_portfolios", 2), "allocation.model_portfolios", "'aggressive' has no model portfolio"),
    ("cash category undefined", _set("allocation.cash_category", "gold"), "allocation.cash_category", "not a defined category"),
    ("need served by an undefined category", _set("allocation.need_categories.pension", "gold"), "allocation.need_categories.pension", "not defined"),
    ("risk-free category undefined", _set("risk.risk_free_categories", ["gold"]), "risk.risk_free_categories", "not defined"),
    ("score band gap", _set("risk.score_bands.1.lower", 37), "risk.score_bands.0", "gap"),
    ("score band overlap", _set("risk.score_bands.1.lower", 35), "risk.score_bands.0", "overlaps"),
    ("score bands miss the top score", _set("risk.score_bands.2.upper", 99), "risk.score_bands", "cover every possible score [0, 100]"),
    ("score bands miss score 0", _set("risk.score_bands.0.lower", 1), "risk.score_bands", "cover every possible score"),
    ("score band for an unknown level", _set("risk.score_bands.0.level", "timid"), "risk.score_bands.0.level", "not a customer level"),
    ("score band upside down", _set("risk.score_bands.1.upper", 30), "risk.score_bands.1", "must not be below"),
    ("suitability row missing", _drop("risk.suitability", 1), "risk.suitability", "'steady' has no suitability row"),
    ("lowest level buys above the lowest product", _suitability(conservative="medium"), "risk.suitability", "lowest customer level may buy only the lowest"),
    ("non-monotone suitability", _suitability(steady="high", aggressive="medium"), "risk.suitability", "must not buy less"),
    ("suitability to an unknown product level", _suitability(aggressive="extreme"), "risk.suitability.2.max_product_level", "not a product level"),
    ("customer level defined twice", _set("risk.customer_levels.1.id", "conservative"), "risk.customer_levels", "more than once"),
    ("option defined twice", _set("risk.questionnaire.0.options.1.id", "a"), "risk.questionnaire.0.options", "more than once"),
    ("unknown currency", _set("currency", "XYZ"), "currency", "ISO 4217"),
    ("rule id used twice across sections", _dup_rule_id, "rule ids", "'tier.adb.mass' is used more than once"),
    ("two bands share a rule id", _set("tiering.bases.0.bands.1.rule_id", "tier.adb.mass"), "rule ids", "used more than once"),
    ("two contact rules share an id", _set("cadence.contact_rules.1.id", "high_end.birthday"), "rule ids", "used more than once"),
    ("band cites an unlisted source", _set("tiering.bases.0.bands.0.source", "hearsay"), "tiering.bases.0.bands.0.source", "not listed"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("mutate", "path", "words"), [pytest.param(m, p, w, id=what) for what, m, p, w in INVALID]
)
def test_invalid_playbooks_are_rejected_naming_the_path(
    mutate: Mutator, path: str, words: str
) -> None:
    data = cst.playbook_data(presets.PRACTICE)
    mutate(data)
    for build in (
        Playbook.model_validate,
        Playbook.from_record,
        lambda d: Playbook(**d),
        lambda d: Playbook.from_json(json.dumps(d)),
    ):
        with pytest.raises(PlaybookError) as info:
            build(data)
        err = info.value
        assert isinstance(err, ValueError)
        assert isinstance(err, CusttierError)
        matching = [msg for p, msg in err.problems if p == path]
        assert matching, f"no problem at {path!r}: {err.problems}"
        assert any(words in msg for msg in matching), (words, matching)
        assert f"  - {path}: " in str(err)


def test_every_problem_is_listed_at_once() -> None:
    data = cst.playbook_data(presets.PRACTICE)
    for mutate in (
        _set("tiering.pareto.tier", "vip"),
        _weights("0.39"),
        _drop("risk.suitability", 1),
    ):
        mutate(data)
    with pytest.raises(PlaybookError) as info:
        Playbook.model_validate(data)
    paths = {p for p, _ in info.value.problems}
    assert {
        "tiering.pareto.tier",
        "allocation.model_portfolios.0.weights",
        "risk.suitability",
    } <= paths
    assert info.value.playbook_id == "practice"


def test_a_playbook_read_from_broken_json_is_a_playbook_error() -> None:
    with pytest.raises(PlaybookError, match="Invalid JSON"):
        Playbook.from_json('{"id": "mine"')


def test_the_regulatory_preset_rejects_c1_buying_r2() -> None:
    data = cst.playbook_data(presets.REGULATORY)
    _suitability(C1="R2")(data)
    with pytest.raises(PlaybookError) as info:
        Playbook.model_validate(data)
    assert (
        "risk.suitability",
        "the lowest customer level may buy only the lowest product level",
    ) in info.value.problems


# --------------------------------------------------------------------------- regressions


@pytest.mark.parametrize("spelling", ["50000", "50000.00", "50000.0", "5E+4", 50000])
def test_amount_spelling_does_not_change_the_hash(spelling: str | int) -> None:
    data = cst.playbook_data(presets.PRACTICE)
    _bands(data)[0]["upper"] = _bands(data)[1]["lower"] = spelling
    data["tiering"]["upgrade_candidates"]["signals"][2]["threshold"] = "500000.00"
    assert Playbook.model_validate(data).content_hash == presets.PRACTICE.content_hash


def test_weights_a_hair_over_1_are_rejected() -> None:
    data = cst.playbook_data(presets.PRACTICE)
    _weights("0.5", "0.50000000000000000000000000001", "0", "0")(data)
    with pytest.raises(PlaybookError):
        Playbook.model_validate(data)


def test_weight_check_ignores_the_ambient_decimal_context() -> None:
    data = cst.playbook_data(presets.PRACTICE)
    _weights("0.3333", "0.3333", "0.3335", "0")(data)
    with decimal.localcontext(prec=3), pytest.raises(PlaybookError):
        Playbook.model_validate(data)


def test_playbook_mappings_cannot_be_mutated_in_place() -> None:
    pb = Playbook.from_json(presets.PRACTICE.canonical_json())  # a private copy
    with pytest.raises(TypeError):
        pb.allocation.need_categories[Need.PENSION] = "no_such_category"  # type: ignore[index]
    assert pb.allocation.need_categories[Need.PENSION] == "pension_product"
    assert pb.content_hash == presets.PRACTICE.content_hash


# --- tier service costs ---------------------------------------------------------------------


def _priced(cost: Any, index: int = 4) -> dict[str, Any]:
    data = cst.playbook_data(presets.PRACTICE)
    data["services"][index]["annual_cost"] = cost
    return data


def test_a_service_may_state_its_yearly_cost_and_the_presets_state_none() -> None:
    pb = Playbook.model_validate(_priced("1800"))
    service = pb.services[4]
    assert (service.id, service.annual_cost) == ("airport_service", Decimal(1800))
    # The practice text names the services but no cost: the presets leave it unstated.
    assert all(s.annual_cost is None for p in presets.ALL.values() for s in p.services)


@pytest.mark.parametrize(
    ("cost", "says"),
    [("-1", "must not be negative"), ("1800.005", "more decimal places than CNY allows")],
)
def test_a_service_cost_is_money_in_the_playbooks_currency(cost: str, says: str) -> None:
    with pytest.raises(PlaybookError) as info:
        Playbook.model_validate(_priced(cost))
    assert "services.4.annual_cost" in str(info.value)
    assert says in str(info.value)


def test_a_service_cost_refuses_a_float() -> None:
    with pytest.raises(PlaybookError) as info:
        Playbook.model_validate(_priced(1800.5))
    assert "annual_cost" in str(info.value)


def test_a_stated_cost_is_in_the_hash_and_an_unstated_one_leaves_it_as_it_was() -> None:
    # Left out of the canonical JSON when unstated: every existing playbook keeps its hash.
    assert "annual_cost" not in presets.PRACTICE.canonical_json()
    same = Playbook.model_validate(cst.playbook_data(presets.PRACTICE))
    assert same.content_hash == presets.PRACTICE.content_hash
    priced = Playbook.model_validate(_priced("1800"))
    assert '"annual_cost":"1800"' in priced.canonical_json()
    assert priced.content_hash != presets.PRACTICE.content_hash
    assert Playbook.from_json(priced.canonical_json()).content_hash == priced.content_hash
