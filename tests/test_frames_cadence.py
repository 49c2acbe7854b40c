"""Contact occasions over a whole table: the scalar date expansion's items, row by row."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow", reason='columnar tests need pip install "custtier[frames]"')
pytest.importorskip("numpy", reason='columnar tests need pip install "custtier[frames]"')

import numpy as np  # noqa: E402

import custtier.frames as cf  # noqa: E402  # after the importorskip above, on purpose
import strategies as cst  # noqa: E402
from custtier import (  # noqa: E402
    ContactRecord,
    Customer,
    HolidaysCalendar,
    ImportantDate,
    KycFile,
    Playbook,
    ProductHolding,
    RiskAssessment,
    WeekendCalendar,
    presets,
)
from custtier._dates import add_months  # noqa: E402
from custtier.cadence import Calendar  # noqa: E402
from custtier.cadence._expand import Item  # noqa: E402
from custtier.cadence._occasions import expand  # noqa: E402
from custtier.cadence._plan import _last_contacts  # noqa: E402
from custtier.cadence._tables import Tables, tables  # noqa: E402
from custtier.errors import InputError  # noqa: E402
from custtier.frames._distinct import (  # noqa: E402
    PAST_CALENDAR,
    distinct,
    last_holding,
    lay_out,
    months_on,
)

PRACTICE = presets.PRACTICE
REGULATORY = presets.REGULATORY
YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
DOCS = Path(__file__).parent.parent / "docs"
WEEKENDS = WeekendCalendar()
try:
    CN: Calendar | None = HolidaysCalendar("CN")
except ImportError:  # pragma: no cover - the calendars extra is in the dev environment
    CN = None

#: The output columns an ``Item`` determines (the rest: input row, errors, audit).
ITEM_COLUMNS = [
    "customer_key", "tier", "rank", "manager_id", "rule_id", "occasion", "channel", "purpose", "owner",
    "priority", "duration_minutes", "label", "offer", "due_on", "first_on", "last_on", "fixed",
    "provisional_days", "blocked_code", "note_codes", "note_rule_ids",
]  # fmt: skip


def item_row(i: Item, t: Tables) -> dict[str, Any]:
    """One scalar item in the output's terms."""
    provisional = False
    if not i.fixed and i.first is not None and i.last is not None:
        provisional = t.any_provisional(i.first, i.last)
    return {
        "customer_key": i.key, "tier": i.tier, "rank": i.rank, "manager_id": i.manager_id,
        "rule_id": i.rule_id, "occasion": i.occasion.value, "channel": i.channel.value,
        "purpose": i.purpose.value, "owner": i.owner.value, "priority": i.priority,
        "duration_minutes": i.duration, "label": i.label,
        "offer": i.offer.value if i.offer is not None else None, "due_on": i.due,
        "first_on": i.first, "last_on": i.last, "fixed": i.fixed, "provisional_days": provisional,
        "blocked_code": i.blocked.value if i.blocked is not None else None,
        "note_codes": [n.code.value for n in i.notes],
        "note_rule_ids": [n.rule_id for n in i.notes],
    }  # fmt: skip


def scalar_rows(
    customers: Sequence[Customer],
    tiers: Mapping[str, str],
    pb: Playbook,
    span: tuple[dt.date, dt.date],
    *,
    calendar: Calendar = WEEKENDS,
    history: Sequence[ContactRecord] = (),
) -> list[dict[str, Any]]:
    """What the scalar planner's expansion gives, customer after customer in input order."""
    t = tables(pb, span[0], span[1], calendar)
    last = _last_contacts(history)
    return [item_row(i, t) for c in customers for i in expand(c, tiers[c.key], t, last)]


def occasions(
    customers: Sequence[Customer],
    tiers: Mapping[str, str],
    pb: Playbook = PRACTICE,
    span: tuple[dt.date, dt.date] = YEAR,
    **kw: Any,
) -> Any:
    table = cf.occasions_input_table(customers, tiers, history=kw.pop("history", ()))
    out = cf.occasions_table(table, pb, start=span[0], end=span[1], **kw)
    assert out.schema == cf.occasions_output_schema(pb)
    return out


def rows_of(out: Any, rule_id: str) -> list[dict[str, Any]]:
    return [r for r in out.to_pylist() if r["rule_id"] == rule_id]


# --------------------------------------------------------------------------- policy examples


def test_a_high_end_customer_gets_a_birthday_call_on_the_day_by_her_manager() -> None:
    c = Customer(key="C1", birth_date=dt.date(1970, 6, 14), manager_id="RM-001")
    out = occasions([c], {"C1": "high_end"})
    [birthday] = rows_of(out, "high_end.birthday")
    assert birthday["due_on"] == birthday["first_on"] == birthday["last_on"] == dt.date(2026, 6, 14)
    assert (birthday["channel"], birthday["owner"], birthday["manager_id"]) == (
        "phone", "manager", "RM-001",
    )  # fmt: skip
    assert birthday["fixed"] is True  # a greeting is on the day itself, never rolled
    assert (birthday["label"], birthday["note_codes"], birthday["blocked_code"]) == (
        "birthday", [], None,
    )  # fmt: skip
    assert birthday["playbook_hash"] == PRACTICE.content_hash
    assert (birthday["start"], birthday["end"], birthday["calendar"]) == (*YEAR, "weekends")
    # Every other contact of the tier, in the scalar order.
    assert out.select(ITEM_COLUMNS).to_pylist() == scalar_rows(
        [c], {"C1": "high_end"}, PRACTICE, YEAR
    )


@pytest.mark.parametrize(("policy", "greeted"), [("feb28", dt.date(2027, 2, 28)),
                                                 ("mar1", dt.date(2027, 3, 1))])  # fmt: skip
def test_a_29_february_birthday_in_a_common_year_follows_the_playbooks_policy(
    policy: str, greeted: dt.date
) -> None:
    pb = cst.cadence_variant(PRACTICE, leap_day=policy)
    c = Customer(key="C1", birth_date=dt.date(1984, 2, 29))
    out = occasions([c], {"C1": "mass"}, pb, (dt.date(2027, 1, 1), dt.date(2028, 12, 31)))
    birthdays = rows_of(out, "mass.birthday")
    assert [r["due_on"] for r in birthdays] == [greeted, dt.date(2028, 2, 29)]
    assert [r["note_codes"] for r in birthdays] == [["CADENCE_LEAP_DAY"], []]
    assert birthdays[0]["note_rule_ids"] == [f"cadence.leap_day.{policy}"]


@pytest.mark.parametrize(
    ("rating", "months"), [("high", 6), ("medium", 12), ("low", 24), (None, 6)]
)
def test_kyc_reviews_fall_due_by_aml_rating_with_the_lead_time_as_window(
    rating: str | None, months: int
) -> None:
    reviewed = dt.date(2025, 3, 31)
    kyc = KycFile(customer_key="C1", aml_rating=rating, last_reviewed_on=reviewed)
    out = occasions([Customer(key="C1", kyc=kyc)], {"C1": "mid_end"},
                    span=(dt.date(2025, 6, 1), dt.date(2027, 12, 31)))  # fmt: skip
    reviews = rows_of(out, "mid_end.kyc")
    due = [add_months(reviewed, months)]
    while add_months(due[-1], months) - dt.timedelta(days=30) <= dt.date(2027, 12, 31):
        due.append(add_months(due[-1], months))
    assert [r["due_on"] for r in reviews] == due
    assert [r["first_on"] for r in reviews] == [d - dt.timedelta(days=30) for d in due]
    assert {r["label"] for r in reviews} == {"KYC review"}
    # An unrated file is reviewed as often as a high-risk one.
    assert {tuple(r["note_rule_ids"]) for r in reviews} == {(f"kyc.review.{rating or 'high'}",)}


def test_a_kyc_file_never_reviewed_is_due_at_once_and_says_it_is_overdue() -> None:
    out = occasions([Customer(key="C1")], {"C1": "high_end"})
    first = rows_of(out, "high_end.kyc")[0]
    assert first["due_on"] == dt.date(2025, 12, 31)
    assert (first["first_on"], first["last_on"]) == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert first["note_codes"] == ["CADENCE_OVERDUE", "CADENCE_OCCASION"]


def test_risk_reassessments_and_maturities_come_before_the_dates_lapse() -> None:
    c = Customer(
        key="C1",
        risk_assessment=RiskAssessment(level="C3", score=50, assessed_on=dt.date(2025, 5, 1),
                                       valid_until=dt.date(2026, 4, 30)),
        products_held=[
            ProductHolding(product_id="TD-3Y", principal="1", matures_on=dt.date(2026, 9, 1)),
            ProductHolding(product_id="TD-1Y", principal="1", matures_on=dt.date(2026, 9, 1)),
            ProductHolding(product_id="WM-01", principal="1", matures_on=dt.date(2025, 9, 1)),
        ],
    )  # fmt: skip
    out = occasions([c], {"C1": "high_end"})
    [risk] = rows_of(out, "high_end.risk")
    assert (risk["due_on"], risk["first_on"]) == (dt.date(2026, 4, 30), dt.date(2026, 3, 31))
    # Maturities by product id; one that matured before the plan asks nothing.
    assert [r["label"] for r in rows_of(out, "high_end.maturity")] == ["maturity TD-1Y",
                                                                      "maturity TD-3Y"]  # fmt: skip


def test_periodic_contacts_continue_from_the_last_one_made() -> None:
    c = Customer(key="C1")
    made = ContactRecord(customer_key="C1", on=dt.date(2025, 9, 1), channel="home_visit",
                         purpose="service", occasion="high_end.visit")  # fmt: skip
    out = occasions([c], {"C1": "high_end"}, history=[made])
    visits = rows_of(out, "high_end.visit")
    # 90 days after 1 September 2025 is before the plan: due at once, then every 90 days.
    assert [r["due_on"] for r in visits][:2] == [dt.date(2026, 1, 1), dt.date(2026, 4, 1)]
    assert visits[0]["note_codes"] == ["CADENCE_OVERDUE"]
    assert visits[0]["last_on"] == dt.date(2026, 1, 22)  # 21 flexible days
    assert out.select(ITEM_COLUMNS).to_pylist() == scalar_rows(
        [c], {"C1": "high_end"}, PRACTICE, YEAR, history=[made]
    )


def test_a_campaign_reaches_only_its_segment() -> None:
    span = (dt.date(2027, 1, 1), dt.date(2027, 6, 30))
    book = [
        Customer(key="C-old", birth_date=dt.date(1980, 3, 1), needs=["pension"]),
        Customer(key="C-young", birth_date=dt.date(1990, 3, 1), needs=["pension"]),
        Customer(key="C-other", birth_date=dt.date(1960, 3, 1), needs=["housing"]),
        Customer(key="C-no-age", needs=["pension"]),
    ]
    out = occasions(book, dict.fromkeys((c.key for c in book), "mass"), span=span)
    pension = rows_of(out, "camp.2027.pension_entry")
    assert [(r["customer_key"], r["offer"], r["due_on"]) for r in pension] == [
        ("C-old", "wealth_product_entry", dt.date(2027, 3, 1))
    ]


@pytest.mark.skipif(CN is None, reason='needs pip install "custtier[calendars]"')
def test_holidays_and_lunar_birthdays_with_the_china_calendar() -> None:
    assert CN is not None
    lunar = ImportantDate(kind="birthday", on=dt.date(1985, 9, 29), calendar="lunar")
    c = Customer(key="C1", kyc=KycFile(customer_key="C1", important_dates=[lunar]))
    out = occasions([c], {"C1": "high_end"}, calendar=CN)
    holidays = rows_of(out, "high_end.holiday")
    assert [(r["label"], r["due_on"]) for r in holidays][:2] == [
        ("New Year's Day", dt.date(2026, 1, 1)), ("Spring Festival", dt.date(2026, 2, 17)),
    ]  # fmt: skip
    [birthday] = rows_of(out, "high_end.birthday")
    assert birthday["note_codes"] == ["CADENCE_LUNAR_DATE"]
    assert out.select(ITEM_COLUMNS).to_pylist() == scalar_rows(
        [c], {"C1": "high_end"}, PRACTICE, YEAR, calendar=CN
    )
    # Weekends only: no lunar calendar and no holidays — reported, never guessed.
    plain = occasions([c], {"C1": "high_end"})
    [blocked] = rows_of(plain, "high_end.birthday")
    assert (blocked["label"], blocked["blocked_code"], blocked["due_on"]) == (
        "birthday 2026", "CADENCE_NO_CALENDAR_DATA", None,
    )  # fmt: skip


@pytest.mark.skipif(CN is None, reason='needs pip install "custtier[calendars]"')
@pytest.mark.parametrize("policy", ["provisional", "refuse"])
def test_an_unarranged_year_in_chinese_names_expands_as_the_scalar_planner(policy: str) -> None:
    cal = HolidaysCalendar("CN", language="zh_CN", unpublished=policy, published_through=2026)
    c = Customer(key="C1", manager_id="RM-1", birth_date=dt.date(1970, 6, 14))
    span = (dt.date(2026, 11, 30), dt.date(2027, 12, 31))
    out = occasions([c], {"C1": "high_end"}, span=span, calendar=cal)
    holidays = rows_of(out, "high_end.holiday")
    assert [(r["label"], r["due_on"]) for r in holidays][:3] == [
        ("元旦", dt.date(2027, 1, 1)), ("春节", dt.date(2027, 2, 6)),
        ("中秋节", dt.date(2027, 9, 15)),
    ]  # fmt: skip
    assert not [r for r in holidays if r["blocked_code"]]  # festival dates are never refused
    # Work whose window an unpublished arrangement may change is flagged, as the planner marks it.
    flagged = [r["rule_id"] for r in out.to_pylist() if r["provisional_days"]]
    assert bool(flagged) is (policy == "provisional")
    assert not [r for r in holidays if r["provisional_days"]]
    assert out.select(ITEM_COLUMNS).to_pylist() == scalar_rows(
        [c], {"C1": "high_end"}, PRACTICE, span, calendar=cal
    )


@pytest.mark.skipif(CN is None, reason='needs pip install "custtier[calendars]"')
def test_lunar_dates_before_the_lunar_tables_are_reported_without_data() -> None:
    assert CN is not None
    old = ImportantDate(kind="wedding_anniversary", relation="spouse", on=dt.date(1899, 5, 1),
                        calendar="lunar")  # fmt: skip
    c = Customer(key="C1", kyc=KycFile(customer_key="C1", important_dates=[old]))
    span = (dt.date(2026, 6, 1), dt.date(2027, 5, 31))
    out = occasions([c], {"C1": "high_end"}, span=span, calendar=CN)
    dates = rows_of(out, "high_end.important_date")
    assert [r["label"] for r in dates] == ["wedding_anniversary (spouse) 2026",
                                           "wedding_anniversary (spouse) 2027"]  # fmt: skip
    assert out.select(ITEM_COLUMNS).to_pylist() == scalar_rows(
        [c], {"C1": "high_end"}, PRACTICE, span, calendar=CN
    )


# --------------------------------------------------------------------------- same answers


@st.composite
def cadence_customers(draw: st.DrawFn, key: str) -> Customer:
    """A customer the cadence rules have much to say about: 29 February, lunar dates, dues."""
    dates = st.sampled_from([dt.date(1984, 2, 29), dt.date(2000, 2, 29)]) | cst.dates(
        dt.date(1930, 1, 1), dt.date(2028, 12, 31)
    )
    near = cst.dates(dt.date(2023, 1, 1), dt.date(2029, 12, 31))
    important = st.builds(
        ImportantDate, kind=st.sampled_from(["birthday", "wedding_anniversary", "other"]),
        relation=st.sampled_from(["self", "spouse", "child"]), on=dates,
        calendar=st.sampled_from(["gregorian", "lunar"]),
    )  # fmt: skip
    kyc = None
    if draw(st.booleans()):
        kyc = KycFile(
            customer_key=key,
            aml_rating=draw(st.none() | st.sampled_from(["low", "medium", "high"])),
            last_reviewed_on=draw(st.none() | near),
            important_dates=draw(st.lists(important, max_size=3)),
        )
    risk = None
    if draw(st.booleans()):
        # Imported records carry any valid_until: often later than the playbook allows.
        until = draw(near)
        held_for = dt.timedelta(days=draw(st.integers(0, 1200)))
        risk = RiskAssessment(level="C3", score=1, assessed_on=until - held_for, valid_until=until)
    held = [
        ProductHolding(product_id=draw(st.sampled_from(["TD-1Y", "TD-3Y", "WM-01"])),
                       principal="1", matures_on=draw(st.none() | near))
        for _ in range(draw(st.integers(0, 3)))
    ]  # fmt: skip
    return Customer(
        key=key,
        birth_date=draw(st.none() | dates),
        manager_id=draw(st.none() | st.sampled_from(["RM-1", "RM-2"])),
        needs=draw(st.lists(st.sampled_from(["pension", "housing", "education"]), max_size=2)),
        risk_assessment=risk,
        kyc=kyc,
        products_held=held,
    )


@st.composite
def books(
    draw: st.DrawFn, max_customers: int = 8, playbooks: st.SearchStrategy[Playbook] | None = None
) -> dict[str, Any]:
    """A playbook (a preset unless given), a horizon, a calendar, tiered customers, contacts."""
    pb = draw(st.sampled_from([PRACTICE, REGULATORY]) if playbooks is None else playbooks)
    n = draw(st.integers(0, max_customers))
    customers: list[Customer] = []
    for i in range(n):
        if draw(st.booleans()):
            customers.append(draw(cadence_customers(f"C{i}")))
        else:  # anything the models allow, with a fresh key
            customers.append(draw(cst.customers()))
    customers = list({c.key: c for c in customers}.values())  # keys unique
    tiers = {c.key: draw(st.sampled_from([t.id for t in pb.tiers])) for c in customers}
    start = draw(cst.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)))
    end = start + dt.timedelta(days=draw(st.sampled_from([0, 30, 90, 364, 500])))
    interval_rules = [r.id for r in pb.cadence.contact_rules if r.interval_days]
    history = [
        ContactRecord(customer_key=draw(st.sampled_from(list(tiers))), channel="sms",
                      purpose="service", occasion=draw(st.sampled_from(interval_rules)),
                      on=start - dt.timedelta(days=draw(st.integers(1, 200))))
        for _ in range(draw(st.integers(0, 4) if tiers and interval_rules else st.just(0)))
    ]  # fmt: skip
    calendar = draw(st.sampled_from([WEEKENDS, CN] if CN is not None else [WEEKENDS]))
    return {"pb": pb, "customers": customers, "tiers": tiers, "span": (start, end),
            "calendar": calendar, "history": history}  # fmt: skip


@given(books())
def test_columnar_occasions_equal_the_scalar_expansion_item_by_item(case: dict[str, Any]) -> None:
    pb, customers, tiers, span = case["pb"], case["customers"], case["tiers"], case["span"]
    out = occasions(customers, tiers, pb, span, calendar=case["calendar"], history=case["history"])
    expected = scalar_rows(
        customers, tiers, pb, span, calendar=case["calendar"], history=case["history"]
    )
    assert out.select(ITEM_COLUMNS).to_pylist() == expected
    assert out.column("error_code").null_count == out.num_rows
    # input_row says whose each row is; a customer's rows are together, in input order.
    index = {c.key: i for i, c in enumerate(customers)}
    assert out.column("input_row").to_pylist() == [index[r["customer_key"]] for r in expected]


@given(books(), st.data())
def test_row_order_batches_and_chunks_do_not_change_any_answer(
    case: dict[str, Any], data: st.DataObject
) -> None:
    pb, (start, end) = case["pb"], case["span"]
    kw = {"start": start, "end": end, "calendar": case["calendar"]}
    table = cf.occasions_input_table(case["customers"], case["tiers"], history=case["history"])
    reference = cf.occasions_table(table, pb, **kw)
    order = data.draw(st.permutations(range(table.num_rows)))
    cuts = data.draw(st.lists(st.integers(0, max(table.num_rows, 1)), max_size=3))
    shuffled = pa.Table.from_batches(
        split(table.take(pa.array(order, pa.int64())), cuts), schema=table.schema
    )
    out = cf.occasions_table(shuffled, pb, **kw)
    assert by_key(out) == by_key(reference)
    # Chunked: the very same rows, input_row included.
    chunk_rows = data.draw(st.integers(1, 5), label="chunk_rows")
    assert cf.occasions_table(shuffled, pb, chunk_rows=chunk_rows, **kw).equals(out)


def split(table: Any, cuts: Sequence[int]) -> list[Any]:
    """``table`` as record batches cut at ``cuts`` (sliced batches keep their offsets)."""
    edges = [0, *sorted(c for c in cuts if 0 < c < table.num_rows), table.num_rows]
    batches = []
    for a, b in itertools.pairwise(edges):
        batches += table.slice(a, b - a).to_batches()
    return batches


def by_key(out: Any) -> dict[str | None, list[dict[str, Any]]]:
    grouped: dict[str | None, list[dict[str, Any]]] = {}
    for row in out.drop_columns(["input_row"]).to_pylist():
        grouped.setdefault(row["customer_key"], []).append(row)
    return grouped


def test_synthetic_books_under_both_presets_equal_the_scalar_expansion() -> None:
    from custtier import synth, tier_book

    as_of = dt.date(2026, 11, 30)
    for pb, calendar in itertools.product((PRACTICE, REGULATORY), (WEEKENDS, CN)):
        if calendar is None:
            continue
        book = synth.book(300, seed=7, as_of=as_of, playbook=pb)
        tiers = {
            d.customer_key: d.outcome for d in tier_book(book.customers, pb, as_of=as_of).decisions
        }
        span = (dt.date(2026, 10, 1), dt.date(2027, 9, 30))
        out = occasions(book.customers, tiers, pb, span, calendar=calendar)
        expected = scalar_rows(book.customers, tiers, pb, span, calendar=calendar)
        assert out.select(ITEM_COLUMNS).to_pylist() == expected


# --------------------------------------------------------------------------- errors as rows


CANARY = "110101199003077777"  # shaped like a Chinese ID number: must never be echoed


def _bad_book() -> Any:
    schema = cf.occasions_input_schema(PRACTICE)
    good_date = {"kind": "birthday", "relation": "self", "on": dt.date(1980, 5, 1),
                 "calendar": "gregorian"}  # fmt: skip
    rows: list[dict[str, Any]] = [
        {"key": "C-ok", "tier": "mass", "important_dates": [good_date]},
        {"key": f"ID {CANARY}", "tier": "mass"},
        {"key": None, "tier": "mass"},
        {"key": "C-no-tier", "tier": None},
        {"key": "C-platinum", "tier": "platinum"},
        {"key": "C-manager", "tier": "mass", "manager_id": f"RM {CANARY}"},
        {"key": "C-kind", "tier": "mass", "important_dates": [{**good_date, "kind": CANARY}]},
        {"key": "C-on", "tier": "mass", "important_dates": [{**good_date, "on": None}]},
        {"key": "C-lunar", "tier": "mass", "important_dates": [{**good_date, "calendar": "moon"}]},
        {"key": "C-aml", "tier": "mass", "aml_rating": "extreme"},
        {"key": "C-product", "tier": "mass", "products_held": [{"product_id": None}]},
        {"key": "C-needs", "tier": "mass", "needs": ["yacht"]},
        {"key": "C-history", "tier": "mass", "last_contacts": [{"rule_id": None, "on": None}]},
        {"key": "C-twice", "tier": "mass"},
        {"key": "C-twice", "tier": "mid_end"},
        # Valid, and nothing is due on the one day planned: reviewed, no birthday, no campaign.
        {
            "key": "C-none",
            "tier": "mass",
            "aml_rating": "low",
            "last_reviewed_on": dt.date(2026, 1, 1),
        },
    ]
    table = pa.Table.from_pylist(rows, schema=schema)
    # A birth date in year 10000: Arrow holds it, a datetime.date cannot.
    days = (dt.date(9999, 12, 31) - dt.date(1970, 1, 1)).days + 1
    late = pa.array([days], pa.int32()).cast(pa.date32())
    extra = pa.Table.from_pylist([{"key": "C-late", "tier": "mass"}], schema=schema)
    extra = extra.set_column(3, "birth_date", late)
    risk = pa.Table.from_pylist(
        [
            {"key": "C-risk-half", "tier": "mass", "risk_valid_until": dt.date(2026, 9, 30)},
            {
                "key": "C-risk-order",
                "tier": "mass",
                "risk_assessed_on": dt.date(2026, 9, 30),
                "risk_valid_until": dt.date(2026, 9, 29),
            },
        ],
        schema=schema,
    )
    return pa.concat_tables([table, extra, risk])


def test_bad_rows_become_one_error_row_each_and_nothing_is_lost() -> None:
    table = _bad_book()
    span = (dt.date(2026, 3, 2), dt.date(2026, 3, 2))
    out = cf.occasions_table(table, PRACTICE, start=span[0], end=span[1])
    errors = out.filter(pa.compute.is_valid(out.column("error_code")))
    got = [
        (r["customer_key"], r["input_row"], r["error_code"], r["error_field"])
        for r in errors.to_pylist()
    ]
    assert got == [
        (None, 1, "invalid_value", "key"),
        (None, 2, "missing_value", "key"),
        ("C-no-tier", 3, "missing_value", "tier"),
        ("C-platinum", 4, "unknown_tier", "tier"),
        ("C-manager", 5, "invalid_value", "manager_id"),
        ("C-kind", 6, "invalid_value", "important_dates.kind"),
        ("C-on", 7, "missing_value", "important_dates.on"),
        ("C-lunar", 8, "invalid_value", "important_dates.calendar"),
        ("C-aml", 9, "invalid_value", "aml_rating"),
        ("C-product", 10, "missing_value", "products_held.product_id"),
        ("C-needs", 11, "invalid_value", "needs"),
        ("C-history", 12, "missing_value", "last_contacts.rule_id"),
        ("C-twice", 13, "duplicate_key", "key"),
        ("C-twice", 14, "duplicate_key", "key"),
        ("C-late", 16, "invalid_value", "birth_date"),
        ("C-risk-half", 17, "missing_value", "risk_assessed_on"),
        ("C-risk-order", 18, "invalid_value", "risk_valid_until"),
    ]
    assert {code for *_, code, _ in got} <= set(cf.OCCASIONS_ERROR_CODES)
    for name in ("rule_id", "tier", "due_on", "note_codes", "manager_id", "label"):
        assert errors.column(name).null_count == errors.num_rows, name
    assert set(errors.column("playbook_hash").to_pylist()) == {PRACTICE.content_hash}
    assert CANARY not in str(out.to_pylist())
    # Nothing dropped: every input row has occasions, an error row, or nothing to do.
    rows = out.column("input_row").to_numpy()
    with_occasions = set(rows[out.column("error_code").is_null().to_numpy(zero_copy_only=False)])
    assert with_occasions == {0}  # C-ok's KYC review is due at once; C-none has nothing that day
    assert len(with_occasions) + errors.num_rows + 1 == table.num_rows


def test_a_playbook_without_contact_rules_yields_only_error_rows() -> None:
    data = PRACTICE.model_dump(mode="json")
    data["id"], data["cadence"] = "quiet", {}
    quiet = Playbook.model_validate(data)
    table = pa.table({"key": ["C1", "bad key"], "tier": ["mass", "mass"]})
    out = cf.occasions_table(table, quiet, start=YEAR[0], end=YEAR[1])
    assert out.select(["customer_key", "input_row", "error_code"]).to_pylist() == [
        {"customer_key": None, "input_row": 1, "error_code": "invalid_value"}
    ]


def test_chunks_see_duplicate_keys_across_their_boundaries() -> None:
    table = _bad_book()
    whole = cf.occasions_table(table, PRACTICE, start=YEAR[0], end=YEAR[1])
    for chunk_rows in (1, 3, 14):  # 14 puts the two C-twice rows in different chunks
        out = cf.occasions_table(table, PRACTICE, start=YEAR[0], end=YEAR[1], chunk_rows=chunk_rows)
        assert out.equals(whole)


def test_table_problems_are_refused_before_any_row_is_read() -> None:
    with pytest.raises(InputError, match="birth_date") as info:
        cf.occasions_table(pa.table({"key": ["C1"], "tier": ["mass"]}), PRACTICE,
                           start=YEAR[0], end=YEAR[1])  # fmt: skip
    assert info.value.field == "aml_rating"  # the first missing column, by name
    table = cf.occasions_input_table([Customer(key="C1")], {"C1": "mass"})
    floats = table.set_column(3, "birth_date", pa.array([1.5], pa.float64()))
    with pytest.raises(InputError, match="must be date32") as info:
        cf.occasions_table(floats, PRACTICE, start=YEAR[0], end=YEAR[1])
    assert info.value.field == "birth_date"
    with pytest.raises(InputError, match="before start"):
        cf.occasions_table(table, PRACTICE, start=YEAR[1], end=YEAR[0])
    with pytest.raises(InputError, match="three years"):
        cf.occasions_table(table, PRACTICE, start=YEAR[0], end=dt.date(2029, 12, 31))
    with pytest.raises(ValueError, match="chunk_rows"):
        cf.occasions_table(table, PRACTICE, start=YEAR[0], end=YEAR[1], chunk_rows=0)


def test_no_money_is_read_so_a_float_amount_beside_the_dates_is_never_used() -> None:
    schema = cf.occasions_input_schema(PRACTICE)
    for f in schema:
        assert not pa.types.is_floating(f.type), f.name
        assert not pa.types.is_decimal(f.type), f.name
    # A holding with its (float) principal: only product_id and matures_on are read.
    held = pa.array(
        [[{"product_id": "TD-1Y", "matures_on": dt.date(2026, 9, 1), "principal": 1.5}]],
        pa.list_(pa.struct([("product_id", pa.string()), ("matures_on", pa.date32()),
                            ("principal", pa.float64())])),
    )  # fmt: skip
    table = cf.occasions_input_table([Customer(key="C1")], {"C1": "mass"})
    at = table.schema.get_field_index("products_held")
    out = cf.occasions_table(table.set_column(at, "products_held", held), PRACTICE,
                             start=YEAR[0], end=YEAR[1])  # fmt: skip
    assert [r["label"] for r in rows_of(out, "mass.maturity")] == ["maturity TD-1Y"]


# --------------------------------------------------------------------------- frames and progress


def test_pandas_and_polars_frames_go_through_arrow() -> None:
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    pl = pytest.importorskip("polars", reason="polars is not installed")
    from custtier import synth

    book = synth.book(150, seed=5, as_of=YEAR[0])
    table = cf.occasions_input_table(book.customers, {c.key: "high_end" for c in book.customers})
    reference = cf.occasions_table(table, PRACTICE, start=YEAR[0], end=YEAR[1])
    frame = table.to_pandas(types_mapper=pd.ArrowDtype)
    out = cf.occasions_table(frame, PRACTICE, start=YEAR[0], end=YEAR[1])
    assert isinstance(out, pd.DataFrame)  # the caller's frame type comes back
    assert pa.Table.from_pandas(out, preserve_index=False).equals(reference)
    polars_frame = pl.from_arrow(table)
    out = cf.occasions_table(polars_frame, PRACTICE, start=YEAR[0], end=YEAR[1])
    assert isinstance(out, pl.DataFrame)
    assert out.to_arrow().to_pylist() == reference.to_pylist()


def test_progress_counts_input_rows_after_each_chunk_and_ends_at_the_total() -> None:
    table = _bad_book()
    calls: list[tuple[int, int]] = []
    cf.occasions_table(
        table, PRACTICE, start=YEAR[0], end=YEAR[1], chunk_rows=4,
        progress=lambda done, total: calls.append((done, total)),
    )  # fmt: skip
    n = table.num_rows
    assert calls == [(4, n), (8, n), (12, n), (16, n), (n, n)]
    empty = cf.occasions_input_schema(PRACTICE).empty_table()
    calls.clear()
    out = cf.occasions_table(empty, PRACTICE, start=YEAR[0], end=YEAR[1],
                             progress=lambda done, total: calls.append((done, total)))  # fmt: skip
    assert out.num_rows == 0
    assert calls == [(0, 0)]


# --------------------------------------------------------------------------- the arithmetic


@given(
    st.lists(st.integers(-(2**40), 2**40), max_size=30)
    | st.lists(st.integers(-5, 40), max_size=30),  # a narrow range: the counting branch
)
def test_distinct_values_and_their_broadcast_are_numpys_unique(values: list[int]) -> None:
    arr = np.array(values, dtype=np.int64)
    uniq, inverse = distinct(arr)
    want, want_inverse = np.unique(arr, return_inverse=True)
    assert uniq.tolist() == want.tolist()
    assert inverse.tolist() == want_inverse.reshape(-1).tolist()
    calls: list[int] = []

    def rule(k: int) -> list[tuple[int, ...]]:
        calls.append(k)
        return [(k, i) for i in range(k % 3)]

    row, within, entries = lay_out(arr, rule, 2)
    assert sorted(calls) == sorted(set(values))  # once per distinct value
    assert [(values[r], i) for r, i in zip(row.tolist(), within.tolist(), strict=True)] == [
        (v, i) for v in values for i in range(v % 3)
    ]
    assert entries.tolist() == [[v, i] for v in values for i in range(v % 3)]


@given(st.integers(-50, 50), st.integers(0, 60), st.integers(-60, 120))
def test_the_last_day_a_monotone_rule_holds_is_found_by_bisection(
    low: int, width: int, last: int
) -> None:
    high = low + width
    asked: list[int] = []

    def holds(k: int) -> bool:
        asked.append(k)
        return k <= last

    want = max([k for k in range(low, high + 1) if k <= last], default=low - 1)
    assert last_holding(low, high, holds) == want
    assert len(asked) <= width.bit_length() + 1


@given(st.lists(st.dates(), min_size=1, max_size=20), st.integers(0, 120))
def test_day_arithmetic_is_the_scalar_paths(days: list[dt.date], months: int) -> None:
    epoch = dt.date(1970, 1, 1)
    numbers = np.array([(d - epoch).days for d in days], dtype=np.int64)
    shifted = months_on(numbers, months).tolist()
    for day, got in zip(days, shifted, strict=True):
        if day.year * 12 + day.month - 1 + months < 10000 * 12:
            assert got == (add_months(day, months) - epoch).days
        else:  # no datetime.date holds it: after every horizon, as the scalar planner's None
            assert got == PAST_CALENDAR


# --------------------------------------------------------------------------- docs


def test_docs_list_every_input_column_error_code_and_output_column() -> None:
    text = (DOCS / "scale-out.md").read_text(encoding="utf-8")
    names = [*cf.OCCASIONS_INPUT_COLUMNS, *cf.OCCASIONS_ERROR_CODES,
             *cf.occasions_output_schema(PRACTICE).names]  # fmt: skip
    for name in names:
        assert f"`{name}`" in text, name
    assert set(cf.OCCASIONS_INPUT_COLUMNS) == set(cf.occasions_input_schema(PRACTICE).names)
