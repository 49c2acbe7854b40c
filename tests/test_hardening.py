"""Escapes a fuzzing pass found: each a regression example, then its class closed by a property.

Every bad record becomes an error record (batch) or a ``CusttierError`` (one
call); never a bare ``TypeError``, ``ValueError``, ``OverflowError`` or
``RecursionError``, and never an echo of the value.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import pickle
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies as cst
from custtier import (
    Customer,
    KycFile,
    Playbook,
    Product,
    RelationshipManager,
    allocate,
    assess_risk,
    assign_tier,
    check_catalogue,
    check_suitability,
    errors,
    kyc_gaps,
    pareto_set,
    plan_contacts,
    plan_to_ical,
    presets,
    simulate,
    tier_book,
    tier_services,
    trace_suitability,
    trace_tier,
    worklist,
    worklists,
)
from custtier._money import check_amount
from custtier.errors import (
    CusttierError,
    ErrorDetail,
    InputError,
    MoneyError,
    PlaybookError,
    RecordValidationError,
)

PRACTICE = presets.PRACTICE
AS_OF = dt.date(2026, 11, 30)
SPAN = (dt.date(2026, 12, 1), dt.date(2027, 11, 30))
BASE = cst.playbook_data(PRACTICE)


def plan(records: list[Any], tiers: dict[str, str], span: tuple[dt.date, dt.date] = SPAN) -> Any:
    return plan_contacts(records, PRACTICE, start=span[0], end=span[1], tiers=tiers)


def edited(path: str, value: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(BASE))
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    node = data
    for step in parents:
        node = node[step]
    node[last] = value
    out: dict[str, Any] = data
    return out


def refusal(data: Any) -> PlaybookError:
    with pytest.raises(PlaybookError) as info:
        Playbook.model_validate(data)
    return info.value


# --------------------------------------------------------------------------- one line aborts a batch


@pytest.mark.parametrize(
    "record",
    [
        {"key": "C1", "needs": [["pension"]]},
        {"key": "C1", "needs": [{"pension": 1}]},
        {"key": "C1", "kyc": {"customer_key": "C1", "interests": [["golf"]]}},
    ],
    ids=["needs-list", "needs-object", "interests-list"],
)
def test_an_unhashable_item_in_a_set_like_field_is_one_error_record(record: Any) -> None:
    book = tier_book([record, {"key": "C2"}], PRACTICE, as_of=AS_OF)
    assert [d.customer_key for d in book.decisions] == ["C2"]
    assert [(e.index, e.code) for e in book.errors] == [(0, "invalid_record")]
    assert book.errors[0].field is not None
    assert book.errors[0].field.split(".")[0] in {"needs", "kyc"}
    planned = plan([record, {"key": "C2"}], {"C1": "mass", "C2": "mass"})
    assert [(e.index, e.code) for e in planned.errors] == [(0, "invalid_record")]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("tiers.0.kyc_requires", [["identity"]]),
        ("tiering.hysteresis.review_months", [[1]]),
        ("cadence.quiet_hours.0.channels", [{"sms": 1}]),
        ("cadence.campaigns.0.segment.needs_any", [["pension"]]),
    ],
)
def test_an_unhashable_item_in_a_playbook_list_is_a_playbook_error_naming_it(
    path: str, value: Any
) -> None:
    error = refusal(edited(path, value))
    assert any(p.startswith(path) for p, _ in error.problems)


def test_a_product_or_manager_with_an_unhashable_tier_is_a_record_error() -> None:
    with pytest.raises(RecordValidationError) as info:
        Product.from_record(
            {
                "id": "P1",
                "name": "n",
                "category": "deposit",
                "risk_level": "low",
                "reserved_for_tiers": [["high_end"]],
            }
        )
    assert info.value.field == "reserved_for_tiers.0"
    with pytest.raises(RecordValidationError):
        RelationshipManager.from_record({"id": "RM1", "tiers_served": [["mass"]]})


@pytest.mark.parametrize("record", [None, [("key", "C1")], "C1", 7, [["key", "C1"]]])
def test_a_record_that_is_not_a_mapping_is_an_error_record_not_a_crash(record: Any) -> None:
    book = tier_book([record, {"key": "C2"}], PRACTICE, as_of=AS_OF)
    assert [d.customer_key for d in book.decisions] == ["C2"]
    assert [(e.index, e.code, e.customer_key) for e in book.errors] == [(0, "invalid_record", None)]
    assert "mapping" in book.errors[0].message
    planned = plan([record], {"C1": "mass"})
    assert [(e.index, e.code) for e in planned.errors] == [(0, "invalid_record")]
    with pytest.raises(RecordValidationError):
        Customer.from_record(record)


# --------------------------------------------------------------------------- boundary dates


def test_a_kyc_file_reviewed_on_the_last_day_of_the_calendar_is_simply_not_due() -> None:
    c = {
        "key": "C1",
        "kyc": {"customer_key": "C1", "aml_rating": "high", "last_reviewed_on": "9999-12-31"},
    }
    result = plan([c], {"C1": "high_end"})
    assert not result.errors
    assert not [u for u in result.unscheduled if u.rule_id == "high_end.kyc"]
    assert not [t for t in result.touchpoints if t.rule_id == "high_end.kyc"]


def test_an_assessment_that_lapsed_in_year_one_is_overdue_at_the_start_of_the_plan() -> None:
    c = {
        "key": "C1",
        "risk_assessment": {
            "level": "steady",
            "score": 50,
            "assessed_on": "0001-01-01",
            "valid_until": "0001-01-01",
        },
    }
    result = plan([c], {"C1": "high_end"})
    assert not result.errors
    due = [u.due_on for u in result.unscheduled if u.rule_id == "high_end.risk"]
    due += [t.due_on for t in result.touchpoints if t.rule_id == "high_end.risk"]
    assert dt.date(1, 1, 1) in due


@pytest.mark.parametrize(
    "span",
    [
        (dt.date(9999, 1, 1), dt.date(9999, 12, 31)),
        (dt.date(1, 1, 1), dt.date(1, 12, 31)),
        (dt.date(9998, 6, 1), dt.date(9999, 1, 1)),
    ],
)
def test_a_horizon_at_the_ends_of_the_calendar_is_a_clear_input_error(
    span: tuple[dt.date, dt.date],
) -> None:
    with pytest.raises(InputError, match="between 0002-01-01 and 9998-12-31") as info:
        plan([{"key": "C1"}], {"C1": "mass"}, span)
    assert info.value.field in {"start", "end"}


def test_the_last_plannable_year_plans_every_rule_without_overflow() -> None:
    c = {
        "key": "C1",
        "birth_date": "0004-02-29",
        "manager_id": "RM-1",
        "products_held": [{"product_id": "TD1", "principal": "1.00", "matures_on": "9999-12-31"}],
        "risk_assessment": {
            "level": "steady",
            "score": 50,
            "assessed_on": "9998-12-01",
            "valid_until": "9999-12-31",
        },
    }
    for tier in ("mass", "mid_end", "high_end"):
        result = plan([c], {"C1": tier}, (dt.date(9996, 1, 1), dt.date(9998, 12, 31)))
        assert not result.errors
        assert result.required == len(result.touchpoints) + len(result.unscheduled)


def test_an_assessment_whose_validity_would_pass_year_9999_is_a_clear_error() -> None:
    answers = {q.id: q.options[0].id for q in PRACTICE.risk.questionnaire}
    with pytest.raises(InputError, match="9999-12-31") as info:
        assess_risk(answers, PRACTICE, as_of=dt.date(9999, 6, 1))
    assert info.value.field == "as_of"
    last = assess_risk(answers, PRACTICE, as_of=dt.date(9998, 12, 31))
    assert last.assessment.valid_until == dt.date(9999, 12, 30)


# --------------------------------------------------------------------------- playbook loading


@pytest.mark.parametrize("value", ["08:00:00+08:00", "08:00Z", 28800, 28800.0])
def test_quiet_hours_with_an_offset_or_as_seconds_are_refused(value: Any) -> None:
    error = refusal(edited("cadence.quiet_hours.0.earliest", value))
    assert error.problems[0][0] == "cadence.quiet_hours.0.earliest"
    assert "without an offset" in error.problems[0][1]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("cadence.contact_rules.0.priority", True),
        ("risk.questionnaire.0.options.0.score", True),
        ("risk.validity_months", "1_2"),
        ("risk.validity_months", "\uff11\uff12"),
    ],
)
def test_leniencies_that_change_meaning_are_refused(path: str, value: Any) -> None:
    assert refusal(edited(path, value)).problems[0][0] == path


def test_interval_days_true_is_not_daily() -> None:
    data = edited("cadence.contact_rules.3.interval_days", True)  # high_end.visit
    assert data["cadence"]["contact_rules"][3]["id"] == "high_end.visit"
    assert refusal(data).problems[0][0] == "cadence.contact_rules.3.interval_days"


@pytest.mark.parametrize("text", ["1_000", "\uff11\uff10\uff10\uff10", "1_000.50", "\u0661\u0662"])
def test_amounts_with_separators_or_non_ascii_digits_are_refused(text: str) -> None:
    with pytest.raises(RecordValidationError, match="digits 0-9"):
        Customer(key="C1", assets_under_management=text)
    with pytest.raises(MoneyError, match="digits 0-9"):
        check_amount(text)
    with pytest.raises(PlaybookError):
        Playbook.model_validate(edited("tiering.bases.0.bands.1.lower", text))


@pytest.mark.parametrize(
    ("rrule", "part"),
    [
        ("FREQ=DAILY;BYHOUR=99999999999999999999", "BYHOUR"),
        ("FREQ=DAILY;UNTIL=99999999T000000", "UNTIL"),
        ("FREQ=DAILY;UNTIL=330901", "UNTIL"),  # dateutil's fuzzy parser reads it as a date
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH"),
        ("FREQ=MONTHLY;BYSETPOS=0", "BYSETPOS"),
        ("FREQ=13912345678", "FREQ"),
        ("FREQ=WEEKLY;X-NAME=13912345678", "NAME=VALUE"),
    ],
)
def test_an_rrule_that_overflows_or_is_out_of_range_is_refused_naming_the_part(
    rrule: str, part: str
) -> None:
    data = edited("cadence.contact_rules.3.rrule", rrule)
    data["cadence"]["contact_rules"][3].update(interval_days=None, anchor="2026-01-01")
    error = refusal(data)
    (path, message), *_ = error.problems
    assert path == "cadence.contact_rules.3.rrule"
    assert part in message
    assert "13912345678" not in str(error)
    assert "9999999" not in str(error)


def test_deeply_nested_json_is_a_playbook_error_not_a_recursion_error() -> None:
    for text in ("[" * 5000, "{" * 5000, '{"id": ' + "[" * 100_000):
        with pytest.raises(PlaybookError):
            Playbook.from_json(text)
        with pytest.raises(RecordValidationError):
            Customer.from_json(text)


# --------------------------------------------------------------------------- allocate requests


CUSTOMER = Customer(key="C1")
PRODUCT = Product(
    id="TD-1",
    name="1y deposit",
    category="deposit",
    risk_level="low",
    minimum_investment="50.00",
    increment="0.01",
)


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        ((None, "100", [PRODUCT]), {}, "customer"),
        (("C1", "100", [PRODUCT]), {}, "customer"),
        ((CUSTOMER, ["100"], [PRODUCT]), {}, "amount"),
        ((CUSTOMER, "100", None), {}, "catalogue"),
        ((CUSTOMER, "100", "TD-1"), {}, "catalogue"),
        ((CUSTOMER, "100", [7]), {}, "catalogue.0"),
        ((CUSTOMER, "100", [PRODUCT]), {"tier": ["mass"]}, "tier"),
        ((CUSTOMER, "100", [PRODUCT]), {"tier": 3}, "tier"),
        ((CUSTOMER, "100", [PRODUCT]), {"as_of": "2026-11-30"}, "as_of"),
    ],
)
def test_allocate_requests_with_wrong_typed_fields_get_errors_naming_the_field(
    args: tuple[Any, ...], kwargs: dict[str, Any], field: str
) -> None:
    options = {"as_of": AS_OF, **kwargs}
    customer, amount, catalogue = args
    with pytest.raises(InputError) as info:
        allocate(customer, amount, catalogue, PRACTICE, **options)
    assert info.value.field == field


def test_allocate_takes_a_customer_record_and_product_records_as_json_gives_them() -> None:
    d = allocate({"key": "C1"}, "100.00", [PRODUCT.to_record()], PRACTICE, as_of=AS_OF)
    assert sum(line.amount for line in d.lines) + d.unplaced == Decimal("100.00")


# --------------------------------------------------------------------------- arguments of every call

#: Each public call of one customer or one batch, with well-formed arguments.
#: A property below swaps one argument at a time for something another system
#: might send instead (text for a date, a file name for a playbook, None, JSON).
_TIER = assign_tier(CUSTOMER, PRACTICE, as_of=AS_OF)
_CALLS: dict[str, tuple[Any, list[Any], dict[str, Any]]] = {
    "assign_tier": (assign_tier, [CUSTOMER, PRACTICE], {"as_of": AS_OF}),
    "trace_tier": (trace_tier, [CUSTOMER, PRACTICE], {"as_of": AS_OF}),
    "tier_book": (tier_book, [[CUSTOMER], PRACTICE], {"as_of": AS_OF}),
    "check_suitability": (
        check_suitability,
        [CUSTOMER, PRODUCT, PRACTICE],
        {"as_of": AS_OF, "tier": _TIER, "amount": "100.00"},
    ),
    "trace_suitability": (trace_suitability, [CUSTOMER, PRODUCT, PRACTICE], {"as_of": AS_OF}),
    "check_catalogue": (check_catalogue, [CUSTOMER, [PRODUCT], PRACTICE], {"as_of": AS_OF}),
    "allocate": (allocate, [CUSTOMER, "100.00", [PRODUCT], PRACTICE], {"as_of": AS_OF}),
    "tier_services": (tier_services, ["C1", _TIER, PRACTICE], {"as_of": AS_OF}),
    "assess_risk": (
        assess_risk,
        [{"q_age": "a"}, PRACTICE],
        {"as_of": AS_OF, "birth_date": dt.date(1960, 1, 1), "customer_key": "C1"},
    ),
    "plan_contacts": (
        plan_contacts,
        [[CUSTOMER], PRACTICE],
        {"start": AS_OF, "end": dt.date(2027, 2, 28), "tiers": {"C1": _TIER}},
    ),
}

_MANAGER = RelationshipManager(id="RM-1", capacity_hours_per_week=40)
_PLAN = plan_contacts(
    [CUSTOMER], PRACTICE, start=AS_OF, end=dt.date(2027, 2, 28), tiers={"C1": _TIER}
)
_CALLS |= {
    "kyc_gaps": (kyc_gaps, [CUSTOMER, PRACTICE.tiers[-1]], {"as_of": AS_OF}),
    "pareto_set": (pareto_set, [[CUSTOMER], PRACTICE], {}),
    "simulate": (simulate, [[CUSTOMER], PRACTICE, presets.REGULATORY], {"as_of": AS_OF}),
    "worklist": (worklist, [_MANAGER, [CUSTOMER], PRACTICE], {"on": AS_OF}),
    "worklists": (worklists, [[CUSTOMER], PRACTICE, [_MANAGER]], {"on": AS_OF}),
    "plan_to_ical": (plan_to_ical, [_PLAN], {"manager_id": "RM-1"}),
}
try:
    from custtier import frames
except ImportError:  # the frames extra is not installed: the table calls are not offered
    pass
else:
    _TABLE = frames.tier_input_table([CUSTOMER], PRACTICE, as_of=AS_OF)
    _TIERS = frames.tier_table(_TABLE, PRACTICE, as_of=AS_OF)
    _CALLS |= {
        "tier_table": (frames.tier_table, [_TABLE, PRACTICE], {"as_of": AS_OF, "chunk_rows": 8}),
        "tier_input_table": (frames.tier_input_table, [[CUSTOMER], PRACTICE], {"as_of": AS_OF}),
        "pareto_candidates": (frames.pareto_candidates, [_TABLE, PRACTICE], {"as_of": AS_OF}),
        "simulate_table": (
            frames.simulate_table,
            [_TABLE, PRACTICE, presets.REGULATORY],
            {"as_of": AS_OF},
        ),
        "suitability_table": (
            frames.suitability_table,
            [frames.suitability_input_table([CUSTOMER], [PRODUCT]), [PRODUCT], PRACTICE],
            {"as_of": AS_OF, "chunk_rows": 8},
        ),
        "occasions_table": (
            frames.occasions_table,
            [frames.occasions_input_table([CUSTOMER], {"C1": _TIER}), PRACTICE],
            {"start": AS_OF, "end": dt.date(2027, 2, 28), "chunk_rows": 8},
        ),
    }

#: Arguments read as tables: a mapping given is read as columns.
_TABLES = {"data", "customers", "pairs", "table"}


def _positional(fn: Any) -> list[str]:
    """The names of ``fn``'s positional parameters, in order."""
    return [
        p.name
        for p in inspect.signature(fn).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]


_WRONG = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.just("2026-11-30"),
    st.binary(max_size=4),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.just(dt.datetime(2026, 11, 30, 9, 30, tzinfo=dt.UTC)),
    st.just(Decimal("1")),
    st.builds(object),
)


@settings(max_examples=600, deadline=None)
@given(call=st.sampled_from(sorted(_CALLS)), data=st.data(), wrong=_WRONG)
def test_a_call_given_the_wrong_kind_of_argument_answers_or_raises_a_custtier_error(
    call: str, data: st.DataObject, wrong: Any
) -> None:
    fn, args, kwargs = _CALLS[call]
    slot = data.draw(st.sampled_from([*range(len(args)), *sorted(kwargs)]), label="argument")
    args, kwargs = list(args), dict(kwargs)
    if isinstance(slot, int):
        args[slot] = wrong
    else:
        kwargs[slot] = wrong
    params = _positional(fn)
    name = slot if isinstance(slot, str) else params[slot]
    refused: CusttierError | None = None
    try:
        result = fn(*args, **kwargs)
    except (RecordValidationError, PlaybookError):
        return  # a record or playbook read from what was given: its own field is named
    except CusttierError as exc:
        refused = exc
    if refused is not None:
        if name in _TABLES and isinstance(wrong, (dict, list)):
            return  # read as columns (pyarrow takes a mapping or a list of arrays): a column
        # The error names an argument of the call (a well-typed value may clash with
        # another: a key with another customer's decision), and says something.
        field = getattr(refused, "field", None)
        assert field is not None, (call, name, refused)
        root = field.split(".")[0]
        assert root in {*params, *kwargs}, (call, name, refused)
        if isinstance(wrong, bytes) or type(wrong) is object:
            assert root == name, (call, name, refused)  # never valid anywhere: this one
        assert str(refused).strip(), (call, name)
        return
    # Answered: then whatever it was given, it was read as a well-typed value.
    for name in ("as_of", "start", "end"):
        value = getattr(result, name, None)
        assert value is None or type(value) is dt.date, (name, value)
    key = getattr(result, "customer_key", None)
    assert key is None or isinstance(key, str)


@pytest.mark.parametrize("call", ["assign_tier", "check_suitability", "tier_services"])
def test_a_date_written_as_text_is_refused_not_carried_into_the_decision(call: str) -> None:
    fn, args, kwargs = _CALLS[call]
    with pytest.raises(InputError, match="as_of must be a date") as info:
        fn(*args, **(kwargs | {"as_of": "2026-11-30"}))
    assert info.value.field == "as_of"
    with pytest.raises(InputError) as info:
        fn(*args, **(kwargs | {"as_of": dt.datetime(2026, 11, 30, 9, 30, tzinfo=dt.UTC)}))
    assert info.value.field == "as_of"


def test_a_playbook_given_as_its_file_name_or_json_is_refused_naming_the_playbook() -> None:
    for wrong in ("practice.json", PRACTICE.canonical_json(), PRACTICE.model_dump()):
        with pytest.raises(InputError, match=r"^playbook must be a Playbook") as info:
            assign_tier(CUSTOMER, wrong, as_of=AS_OF)  # type: ignore[arg-type]
        assert info.value.field == "playbook"


def test_a_customer_record_is_tiered_and_checked_as_the_customer_it_describes() -> None:
    record = CUSTOMER.to_record()
    assert assign_tier(record, PRACTICE, as_of=AS_OF) == _TIER
    assert check_suitability(record, PRODUCT.to_record(), PRACTICE, as_of=AS_OF) == (
        check_suitability(CUSTOMER, PRODUCT, PRACTICE, as_of=AS_OF)
    )


# --------------------------------------------------------------------------- pickling


def _every_error() -> list[CusttierError]:
    return [
        errors.InputError("bad", field="x"),
        errors.MoneyError("m", field="amount"),
        errors.CurrencyError("c", field="currency"),
        errors.RecordValidationError("Customer", [ErrorDetail(("needs", 0), "enum", "bad need")]),
        errors.FrozenError("frozen"),
        errors.RuleProblemsError([("a.b", "wrong"), ("c", "also wrong")]),
        errors.PlaybookError([("tiers", "empty")], playbook_id="pb"),
        errors.MissingExtraError(extra="frames", module="pyarrow", purpose="tables"),
    ]


def test_every_error_class_survives_a_pickle_round_trip_with_its_fields() -> None:
    classes = {type(e) for e in _every_error()}
    public = {getattr(errors, n) for n in errors.__all__ if isinstance(getattr(errors, n), type)}
    assert public - {ErrorDetail, CusttierError} <= classes  # every class is exercised
    for error in _every_error():
        back = pickle.loads(pickle.dumps(error))  # our own bytes
        assert type(back) is type(error)
        assert str(back) == str(error)
        assert vars(back) == vars(error)


# --------------------------------------------------------------------------- properties


@settings(max_examples=60, deadline=None)
@given(st.lists(cst.hostile_customer_records(), min_size=1, max_size=4), st.data())
def test_hostile_records_each_yield_one_decision_or_one_error_record(
    records: list[Any], data: st.DataObject
) -> None:
    keys = [r.get("key") for r in records if isinstance(r, dict)]
    tiers = {k: data.draw(st.sampled_from(["mass", "mid_end", "high_end"])) for k in keys if k}
    book = tier_book([*records, {"key": "OK1"}], PRACTICE, as_of=AS_OF)
    assert len(book.decisions) + len(book.errors) == len(records) + 1
    assert "OK1" in {d.customer_key for d in book.decisions}
    start = data.draw(cst.edge_dates().filter(lambda d: dt.date(2, 1, 1) <= d))
    start = min(start, dt.date(9998, 1, 1))
    end = min(start + dt.timedelta(days=data.draw(st.integers(0, 400))), dt.date(9998, 12, 31))
    planned = plan_contacts(records, PRACTICE, start=start, end=end, tiers=tiers)
    assert len(planned.errors) <= len(records)
    assert planned.required == len(planned.touchpoints) + len(planned.unscheduled)


@settings(max_examples=80, deadline=None)
@given(cst.hostile_playbook_data(BASE))
def test_hostile_playbook_edits_are_refused_by_a_playbook_error(case: tuple[str, Any]) -> None:
    path, data = case
    error = refusal(data)
    assert any(p.startswith(path) for p, _ in error.problems), error.problems
    assert "13912345678" not in str(error)


@given(cst.unhashables(), st.sampled_from(["needs", "interests"]))
def test_an_unhashable_member_is_a_record_error_for_any_shape(item: Any, where: str) -> None:
    if where == "interests":
        with pytest.raises(RecordValidationError):
            KycFile.from_record({"customer_key": "C1", "interests": ["golf", item]})
    else:
        with pytest.raises(RecordValidationError):
            Customer.from_record({"key": "C1", "needs": ["pension", item]})


@given(cst.edge_dates(), st.sampled_from(["mass", "mid_end", "high_end"]))
def test_any_edge_date_in_any_dated_field_plans_or_is_an_error_record(
    day: dt.date, tier: str
) -> None:
    iso = day.isoformat()
    c = {
        "key": "C1",
        "birth_date": iso,
        "customer_since": iso,
        "kyc": {
            "customer_key": "C1",
            "last_reviewed_on": iso,
            "important_dates": [{"kind": "wedding_anniversary", "on": iso}],
        },
        "risk_assessment": {"level": "steady", "score": 1, "assessed_on": iso, "valid_until": iso},
        "products_held": [{"product_id": "P", "principal": "1.00", "matures_on": iso}],
    }
    result = plan([c], {"C1": tier})
    assert result.required == len(result.touchpoints) + len(result.unscheduled)
    tier_book([c], PRACTICE, as_of=AS_OF)


# --------------------------------------------------------------------------- the work budget


def with_visit(**rule: Any) -> dict[str, Any]:
    """The practice preset with high_end.visit (contact rule 3) changed."""
    data = json.loads(json.dumps(BASE))
    visit = data["cadence"]["contact_rules"][3]
    assert visit["id"] == "high_end.visit"
    visit.update(rule)
    out: dict[str, Any] = data
    return out


def _visits(plan: Any) -> list[Any]:
    return [
        i
        for part in (plan.touchpoints, plan.unscheduled)
        for i in part
        if i.rule_id == "high_end.visit"
    ]


def test_both_presets_state_their_work_budget() -> None:
    for pb in (presets.PRACTICE, presets.REGULATORY):
        budget = pb.cadence.budget
        assert (budget.finest_frequency.value, budget.min_interval_days) == ("weekly", 7)
        assert (budget.max_per_rule_per_year, budget.max_per_customer_per_year) == (53, 120)
        assert pb.find_rule("cadence.budget") is budget
        assert "budget" in json.loads(pb.canonical_json())["cadence"]


@pytest.mark.parametrize(
    ("rule", "path", "words"),
    [
        (
            {"interval_days": None, "anchor": "2026-01-01", "rrule": "FREQ=SECONDLY"},
            "cadence.contact_rules.3.rrule",
            "finer than the budget",
        ),
        (
            {"interval_days": None, "anchor": "2026-01-01", "rrule": "FREQ=DAILY"},
            "cadence.contact_rules.3.rrule",
            "finer than the budget",
        ),
        ({"interval_days": 1}, "cadence.contact_rules.3.interval_days", "min_interval_days"),
        (
            {"interval_days": None, "anchor": "2026-01-01", "rrule": "FREQ=WEEKLY;BYDAY=MO,TH"},
            "cadence.contact_rules.3",
            "max_per_rule_per_year",
        ),
    ],
)
def test_a_rule_beyond_the_budget_is_refused_naming_the_rule(
    rule: dict[str, Any], path: str, words: str
) -> None:
    error = refusal(with_visit(**rule))
    found = dict(error.problems)
    assert path in found
    assert "'high_end.visit'" in found[path]
    assert words in found[path]


def test_a_tier_whose_rules_together_exceed_the_budget_is_refused() -> None:
    data = with_visit(interval_days=7)
    data["cadence"]["budget"]["max_per_customer_per_year"] = 60
    data["cadence"]["budget"]["max_per_rule_per_year"] = 53
    error = refusal(data)
    assert [p for p, _ in error.problems] == ["cadence.budget.max_per_customer_per_year"]
    assert "'high_end'" in error.problems[0][1]


def test_a_weekly_visit_is_within_the_presets_budget_and_plans() -> None:
    pb = Playbook.model_validate(with_visit(interval_days=7))
    result = plan_contacts(
        [{"key": "C1"}], pb, start=SPAN[0], end=SPAN[1], tiers={"C1": "high_end"}
    )
    assert 52 <= len(_visits(result)) <= 53


def test_the_planner_refuses_an_unvalidated_playbook_beyond_the_budget_before_planning() -> None:
    # model_construct skips validation: the planner's own check still holds.
    cad = PRACTICE.cadence
    rules = tuple(
        r.model_construct(**{**dict(r), "interval_days": 1}) if r.id == "high_end.visit" else r
        for r in cad.contact_rules
    )
    pb = Playbook.model_construct(
        **{
            **dict(PRACTICE),
            "cadence": cad.model_construct(**{**dict(cad), "contact_rules": rules}),
        }
    )
    with pytest.raises(PlaybookError, match=r"high_end\.visit"):
        plan_contacts([{"key": "C1"}], pb, start=SPAN[0], end=SPAN[1], tiers={"C1": "high_end"})
    import custtier.frames as cf

    table = cf.occasions_input_table([Customer(key="C1")], {"C1": "high_end"})
    with pytest.raises(PlaybookError, match=r"high_end\.visit"):
        cf.occasions_table(table, pb, start=SPAN[0], end=SPAN[1])


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(
        cst.rrule_texts().map(
            lambda r: {"interval_days": None, "anchor": "2026-01-01", "rrule": r}
        ),
        st.integers(1, 400).map(lambda n: {"interval_days": n}),
    ),
    st.integers(0, 3 * 366 - 1),
    cst.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
)
def test_no_valid_playbook_makes_a_plan_exceed_its_budget(
    rule: dict[str, Any], length: int, start: dt.date
) -> None:
    data = with_visit(**rule)
    data["cadence"]["budget"].update(
        finest_frequency="daily",
        min_interval_days=1,
        max_per_rule_per_year=366,
        max_per_customer_per_year=400,
    )
    refused: PlaybookError | None = None
    try:
        pb = Playbook.model_validate(data)
        end = start + dt.timedelta(days=length)
        result = plan_contacts([{"key": "C1"}], pb, start=start, end=end, tiers={"C1": "high_end"})
    # Refused by validation, or by the planner when a later year is busier
    # than the first: never truncated, never planned beyond the budget.
    except PlaybookError as exc:
        refused = exc
    if refused is not None:
        assert all(
            p.startswith(("cadence.contact_rules", "cadence.budget")) for p, _ in refused.problems
        )
        return
    years = length // 365 + 1
    visits = _visits(result)
    assert len(visits) <= pb.cadence.budget.max_per_rule_per_year * years
    assert result.required <= pb.cadence.budget.max_per_customer_per_year * years


# --------------------------------------------------------------------------- questionnaire answers


@pytest.mark.parametrize("answers", [None, 5, "abc", [7], [["q_age", "a"]]])
def test_answers_that_are_not_answers_are_an_input_error_naming_them(answers: Any) -> None:
    with pytest.raises(InputError) as info:
        assess_risk(answers, PRACTICE, as_of=AS_OF)
    assert info.value.field is not None
    assert info.value.field.startswith("answers")


def test_answers_as_json_records_score_like_answer_objects() -> None:
    chosen = {q.id: q.options[-1].id for q in PRACTICE.risk.questionnaire}
    records = [{"question_id": q, "option_id": o} for q, o in chosen.items()]
    as_records = assess_risk(records, PRACTICE, as_of=AS_OF)
    assert as_records.score == assess_risk(chosen, PRACTICE, as_of=AS_OF).score


@pytest.mark.parametrize("value", [0, 86400, "86400", 1764460800, 1.5, True])
def test_a_number_is_never_read_as_a_date(value: object) -> None:
    # pydantic reads numbers as Unix timestamps: a birth_date of 0 became 1970-01-01
    # and an assessment's assessed_on of 86400 became 1970-01-02, silently.
    with pytest.raises(RecordValidationError) as info:
        Customer(key="C1", birth_date=value)
    assert info.value.errors()[0]["loc"] == ["birth_date"]
    with pytest.raises(RecordValidationError):
        Customer.from_record(
            {
                "key": "C1",
                "risk_assessment": {
                    "level": "steady",
                    "score": 50,
                    "assessed_on": value,
                    "valid_until": "2027-06-30",
                },
            }
        )
    assert Customer(key="C1", birth_date="1956-05-01").birth_date == dt.date(1956, 5, 1)


def test_planning_with_a_book_tiering_as_tiers_says_what_to_pass() -> None:
    # tiers=tier_book(...) is what a user tries first; it raised AttributeError.
    pb = presets.PRACTICE
    book = [Customer(key="C1")]
    result = tier_book(book, pb, as_of=dt.date(2026, 11, 30))
    with pytest.raises(InputError) as info:
        plan_contacts(
            book,
            pb,
            start=dt.date(2026, 12, 1),
            end=dt.date(2026, 12, 31),
            tiers=result,  # type: ignore[arg-type]
        )
    assert info.value.field == "tiers"
    assert "result.decisions" in str(info.value)


#: What another system might send for anything: typed Any so each call takes it.
_SEVEN: Any = 7


@pytest.mark.parametrize(
    ("call", "field", "message"),
    [
        (
            lambda: check_suitability(CUSTOMER, _SEVEN, PRACTICE, as_of=AS_OF),
            "product",
            "product must be a Product or a product record",
        ),
        (
            lambda: check_catalogue(CUSTOMER, [PRODUCT, _SEVEN], PRACTICE, as_of=AS_OF),
            "catalogue.1",
            "catalogue must hold products",
        ),
        (
            lambda: tier_services(_SEVEN, "mass", PRACTICE, as_of=AS_OF),
            "customer_key",
            "customer_key must be text",
        ),
        (
            lambda: assign_tier(_SEVEN, PRACTICE, as_of=AS_OF),
            "customer",
            "customer must be a Customer or a customer record",
        ),
        (
            lambda: pareto_set([CUSTOMER, _SEVEN], PRACTICE),
            "customers.1",
            "customers.1 must be a Customer or a customer record",
        ),
    ],
)
def test_a_wrong_argument_is_named_in_the_error_and_its_message(
    call: Any, field: str, message: str
) -> None:
    with pytest.raises(InputError) as info:
        call()
    assert (info.value.field, str(info.value)) == (field, message)


@pytest.mark.parametrize("rows", [0, -1, True, False, 1.0, "8", None, Decimal(8)])
def test_a_chunk_size_is_a_whole_number_of_rows_at_least_one(rows: Any) -> None:
    frames = pytest.importorskip("custtier.frames")
    with pytest.raises(InputError) as info:
        frames.tier_table(_TABLE, PRACTICE, as_of=AS_OF, chunk_rows=rows)
    assert (info.value.field, str(info.value)) == (
        "chunk_rows",
        "chunk_rows must be a positive number of rows",
    )


def test_one_row_at_a_time_is_a_chunk_size_too() -> None:
    frames = pytest.importorskip("custtier.frames")
    whole = frames.tier_table(_TABLE, PRACTICE, as_of=AS_OF)
    assert frames.tier_table(_TABLE, PRACTICE, as_of=AS_OF, chunk_rows=1).equals(whole)


@pytest.mark.parametrize("call", ["tier_table", "suitability_table", "occasions_table"])
@pytest.mark.parametrize("rows", [2**31, 2**63, 2**64 + 1, 10**30])
def test_a_chunk_larger_than_any_table_is_the_whole_table(call: str, rows: int) -> None:
    # 2**63 rows overflowed Arrow's 64-bit slice length: an OverflowError out of
    # occasions_table, not an answer.
    pytest.importorskip("custtier.frames")
    fn, args, kwargs = _CALLS[call]
    whole = fn(*args, **kwargs)
    assert fn(*args, **{**kwargs, "chunk_rows": rows}).equals(whole)


# --------------------------------------------------------------------------- labels: one printable line


def _row_id(data: dict[str, Any], path: tuple[str | int, ...]) -> str | None:
    """The id of the innermost row on ``path`` (a locale's labels name none)."""
    row: Any = data
    owner = None
    for step in path[:-1]:
        row = row[step]
        if isinstance(row, dict) and isinstance(row.get("id", row.get("rule_id")), str):
            owner = row.get("id", row.get("rule_id"))
    return owner if path[0] != "locales" else None


#: Every playbook text a calendar, list or table shows as one line, by path.
LABEL_PATHS: list[tuple[str | int, ...]] = [
    ("cadence", "contact_rules", 3, "description"),
    ("cadence", "contact_rules", 1, "holidays", 0),
    ("cadence", "campaigns", 0, "label"),
    ("worklist", "kyc_blocks", 0, "blocks"),
    ("tiers", 0, "label"),
    ("risk", "customer_levels", 0, "label"),
    ("risk", "product_levels", 1, "label"),
    ("allocation", "categories", 0, "label"),
    ("services", 0, "label"),
    ("locales", "zh_CN", "labels", "contact.high_end.visit"),
]
_IN_A_LABEL = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Zl", "Zp")))
_NOT_IN_A_LABEL = st.sampled_from(
    ["\r", "\n", "\r\n", "\t", "\x00", "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\ud800"]
)


@settings(max_examples=60)
@given(
    path=st.sampled_from(LABEL_PATHS),
    before=_IN_A_LABEL.map(lambda s: s[:20]),
    bad=_NOT_IN_A_LABEL,
    after=_IN_A_LABEL.map(lambda s: s[:20]),
)
def test_a_playbook_label_with_a_control_character_is_refused_naming_the_rule(
    path: tuple[str | int, ...], before: str, bad: str, after: str
) -> None:
    data = json.loads(json.dumps(BASE))
    label = f"L{before}{bad}{after}"
    assert cst._put(data, path, label)
    with pytest.raises(PlaybookError) as info:
        Playbook.model_validate(data)
    where = ".".join(map(str, path))
    assert [p for p, _ in info.value.problems] == [where]
    (message,) = (m for _, m in info.value.problems)
    if bad != "\ud800":  # pydantic may refuse an unpaired surrogate first, as not text
        assert "one line of printable text" in message
        owner = _row_id(data, path)
        if owner is not None:
            assert f"{owner!r}" in message
    # The same label without the character loads.
    assert cst._put(data, path, f"L{before}{after}")
    Playbook.model_validate(data)
