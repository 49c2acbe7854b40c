"""The relationship manager's worklist: what comes first, what fits the day, what carries over."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies as cst
from custtier import (
    Customer,
    Playbook,
    ReasonCode,
    RelationshipManager,
    Touchpoint,
    Unscheduled,
    allocate,
    plan_contacts,
    presets,
    synth,
    tier_book,
)
from custtier.errors import InputError, PlaybookError
from custtier.rules import ENGINE_RULE_IDS, Owner, WorkKind
from custtier.worklist import WorkItem, Worklist, worklist, worklists

MONDAY = dt.date(2026, 11, 30)
PB = presets.PRACTICE
RM = RelationshipManager(id="RM-1", capacity_hours_per_week="30")
PHONE_AND_SMS = {"consents": [{"channel": "phone"}, {"channel": "sms"}]}
ASSESSED = {
    "level": "steady",
    "score": 50,
    "assessed_on": "2025-12-10",
    "valid_until": "2026-12-09",
}


@cache
def _book() -> synth.Book:
    return synth.book(400, seed=11, as_of=MONDAY)


def _kinds(items: tuple[WorkItem, ...]) -> list[tuple[str, str]]:
    return [(i.customer_key, i.kind.value) for i in items]


def _with(data: dict[str, Any]) -> Playbook:
    return Playbook.model_validate({**data, "version": "9.0.0"})


# --------------------------------------------------------------------------- the policy, by example


def test_an_assessment_lapsing_next_week_comes_before_completing_a_kyc_file() -> None:
    lapsing = Customer(
        key="C-LAPSE", manager_id="RM-1", contact=PHONE_AND_SMS, risk_assessment=ASSESSED
    )
    w = worklist(RM, [lapsing], PB, on=MONDAY)
    kinds = [i.kind for i in w.today if i.customer_key == "C-LAPSE"]
    assert kinds[0] is WorkKind.RISK_EXPIRY
    assert WorkKind.KYC_GAP in kinds
    risk = w.today[0]
    assert risk.due_on == dt.date(2026, 12, 9)  # sales of risky products blocked after this day
    expiring = next(r for r in risk.reasons if r.code is ReasonCode.WORKLIST_ASSESSMENT_EXPIRING)
    assert expiring.rule_id == "worklist.risk_expiry"
    assert expiring.facts["last_valid_on"] == dt.date(2026, 12, 9)
    # The lapsing assessment is its own item: the KYC gap does not say it again.
    gap = next(i for i in w.today if i.kind is WorkKind.KYC_GAP)
    assert "risk_assessment" not in gap.kyc_items


def test_a_lapsed_assessment_is_carried_over_from_the_day_it_lapsed() -> None:
    lapsed = Customer(
        key="C-OLD",
        manager_id="RM-1",
        contact=PHONE_AND_SMS,
        risk_assessment={**ASSESSED, "assessed_on": "2025-01-02", "valid_until": "2026-01-01"},
    )
    item = worklist(RM, [lapsed], PB, on=MONDAY).today[0]
    assert item.kind is WorkKind.RISK_EXPIRY
    overdue = next(r for r in item.reasons if r.code is ReasonCode.WORKLIST_OVERDUE)
    assert overdue.facts["due_on"] == dt.date(2026, 1, 1)


def test_the_ranking_is_playbook_data_not_code() -> None:
    customer = Customer(
        key="C1", manager_id="RM-1", contact=PHONE_AND_SMS, risk_assessment=ASSESSED
    )
    data = PB.model_dump(mode="json")
    for kind in data["worklist"]["kinds"]:
        if kind["kind"] == "kyc_gap":
            kind["priorities"] = [{**r, "priority": 1} for r in kind["priorities"]]
        if kind["kind"] == "risk_expiry":
            kind["priorities"] = [{**r, "priority": 9} for r in kind["priorities"]]
    flipped = _with(data)
    assert worklist(RM, [customer], PB, on=MONDAY).today[0].kind is WorkKind.RISK_EXPIRY
    assert worklist(RM, [customer], flipped, on=MONDAY).today[0].kind is WorkKind.KYC_GAP


def _balances(amount: str) -> list[dict[str, str]]:
    return [{"month": m, "average_daily_balance": amount} for m in ("2026-09", "2026-10")]


def test_kyc_gaps_are_ordered_by_tier_then_by_what_the_gap_blocks() -> None:
    # Two mid-end customers: one lacks only a birthday, one lacks a risk assessment.
    kyc = {
        "identity": {"id_number": "X"},
        "occupation": "teacher",
        "aml_rating": "low",
        "declared_annual_income": "1.00",
    }
    mid = {"manager_id": "RM-1", "contact": PHONE_AND_SMS, "monthly_balances": _balances("90000")}
    no_birthday = Customer(
        key="C-A",
        risk_assessment=ASSESSED | {"valid_until": "2027-12-01"},
        kyc={"customer_key": "C-A", **kyc},
        **mid,
    )
    no_assessment = Customer(
        key="C-B", birth_date="1980-05-05", kyc={"customer_key": "C-B", **kyc}, **mid
    )
    rich = Customer(
        key="C-C", manager_id="RM-1", contact=PHONE_AND_SMS, monthly_balances=_balances("900000")
    )
    w = worklist(RM, [no_birthday, no_assessment, rich], PB, on=MONDAY)
    gaps = [i for i in w.today if i.kind is WorkKind.KYC_GAP]
    assert [(i.customer_key, i.tier) for i in gaps] == [
        ("C-C", "high_end"),  # the higher tier first (priority 3 against mid-end's 4)
        ("C-B", "mid_end"),  # blocks risky sales (rank 1)
        ("C-A", "mid_end"),  # blocks only the birthday greeting (rank 5)
    ]
    blocks = [r for r in gaps[1].reasons if r.code is ReasonCode.WORKLIST_KYC_BLOCKS]
    assert [r.rule_id for r in blocks] == ["worklist.kyc.risk_assessment"]


def test_a_maturity_lists_the_reinvestment_allocate_gives_on_that_day() -> None:
    book = _book()
    on = dt.date(2026, 12, 7)
    w = worklist(book.managers[0], book.customers, PB, on=on, catalogue=book.catalogue)
    maturities = [i for i in w.items() if i.kind is WorkKind.MATURITY]
    assert maturities, "the synthetic book has maturities in the next two weeks"
    by_key = {c.key: c for c in book.customers}
    tiers = {d.customer_key: d.outcome for d in tier_book(book.customers, PB, as_of=on).decisions}
    for item in maturities:
        assert item.amount is not None
        assert item.due_on is not None
        assert on <= item.due_on
        alloc = allocate(
            by_key[item.customer_key],
            item.amount,
            book.catalogue,
            PB,
            as_of=item.due_on,
            tier=tiers[item.customer_key],
        )
        assert [(o.product_id, o.amount, o.conditions) for o in item.options] == [
            (line.product_id, line.amount, line.conditions) for line in alloc.lines
        ]
        assert sum(o.amount for o in item.options) == item.amount - alloc.unplaced


def test_a_call_the_plan_did_not_time_still_states_the_quiet_hours() -> None:
    c = Customer(key="C1", manager_id="RM-1", contact=PHONE_AND_SMS)
    gap = worklist(RM, [c], PB, on=MONDAY).today[0]
    assert (gap.kind, gap.channel, gap.at) == (WorkKind.KYC_GAP, "phone", None)
    quiet = [r for r in gap.reasons if r.code is ReasonCode.CADENCE_QUIET_HOURS]
    assert [(r.rule_id, r.facts) for r in quiet] == [
        ("quiet.calls_and_messages", {"case": "window", "earliest": "08:00", "latest": "21:00"})
    ]


def test_do_not_contact_blocks_an_approach_but_not_a_regulatory_duty() -> None:
    refusing = Customer(
        key="C-DNC",
        manager_id="RM-1",
        contact={**PHONE_AND_SMS, "do_not_contact": True},
        risk_assessment=ASSESSED,
    )
    w = worklist(RM, [refusing], PB, on=MONDAY)
    risk = next(i for i in w.today if i.kind is WorkKind.RISK_EXPIRY)
    assert risk.channel is not None  # regulatory: the presets' do-not-contact does not bind it
    gap = next(i for i in w.carried_over if i.kind is WorkKind.KYC_GAP)
    assert gap.carried is ReasonCode.CADENCE_DO_NOT_CONTACT
    assert gap.channel is None
    assert any(r.rule_id == "cadence.do_not_contact" for r in gap.reasons)


def test_without_consent_an_item_is_carried_over_with_the_reason_not_dropped() -> None:
    silent = Customer(key="C-NONE", manager_id="RM-1", risk_assessment=ASSESSED)
    w = worklist(RM, [silent], PB, on=MONDAY)
    assert not w.today
    assert {(i.kind, i.carried) for i in w.carried_over} >= {
        (WorkKind.RISK_EXPIRY, ReasonCode.CADENCE_NO_CONSENT),
        (WorkKind.KYC_GAP, ReasonCode.CADENCE_NO_CONSENT),
    }


def test_a_busy_day_moves_the_rest_to_later_days_and_past_the_horizon() -> None:
    book = _book()
    short = RelationshipManager(id=book.managers[0].id, capacity_hours_per_week="5")
    w = worklist(short, book.customers, PB, on=MONDAY, horizon_days=7)
    assert w.days[0].capacity_minutes == 60  # five hours over five working days
    assert all(d.booked_minutes <= d.capacity_minutes for d in w.days)
    assert [d.capacity_minutes for d in w.days[5:]] == [0, 0]  # the weekend
    later = [i for d in w.days[1:] for i in d.items if i.available_on < i.on]  # type: ignore[operator]
    assert later
    assert all(any(r.code is ReasonCode.WORKLIST_CARRIED_OVER for r in i.reasons) for i in later)
    past = [i for i in w.carried_over if i.carried is ReasonCode.WORKLIST_CARRIED_OVER]
    assert past
    assert all(
        r.rule_id == "worklist.rank"
        for i in past
        for r in i.reasons
        if r.code is ReasonCode.WORKLIST_CARRIED_OVER
    )


def test_a_birthday_call_on_saturday_is_listed_on_friday() -> None:
    saturday = dt.date(2026, 12, 5)
    vip = Customer(
        key="C-VIP",
        manager_id="RM-1",
        contact=PHONE_AND_SMS,
        birth_date=dt.date(1970, 12, 5),
        monthly_balances=_balances("900000"),
    )
    w = worklist(RM, [vip], PB, on=MONDAY, horizon_days=7)
    call = next(i for i in w.items() if i.rule_id == "high_end.birthday")
    assert call.due_on == saturday
    assert call.on == dt.date(2026, 12, 4)
    assert any(r.code is ReasonCode.WORKLIST_AHEAD for r in call.reasons)


def test_an_upgrade_candidate_carries_its_signals() -> None:
    book = _book()
    tiering = tier_book(book.customers, PB, as_of=MONDAY)
    w = worklist(book.managers[0], book.customers, PB, on=MONDAY, tiers=tiering)
    found = [i for i in w.items() if i.kind is WorkKind.UPGRADE_CANDIDATE]
    assert found
    signals = {c.customer_key: c for c in tiering.candidates}
    for item in found:
        assert item.score == signals[item.customer_key].score
        assert {r.rule_id for r in item.reasons} >= {
            s.rule_id for s in signals[item.customer_key].signals
        }


def test_bad_inputs_are_clear_errors() -> None:
    bare = Playbook.model_validate({**PB.model_dump(), "worklist": None})
    with pytest.raises(InputError, match="worklist section"):
        worklist(RM, [], bare, on=MONDAY)
    with pytest.raises(InputError, match="horizon_days"):
        worklist(RM, [], PB, on=MONDAY, horizon_days=0)
    with pytest.raises(InputError, match="listed twice"):
        worklists([], PB, [RM, RM], on=MONDAY)
    other = tier_book([], presets.REGULATORY, as_of=MONDAY)
    with pytest.raises(InputError, match="another playbook"):
        worklist(RM, [], PB, on=MONDAY, tiers=other)


def test_a_customer_the_planner_refuses_is_an_error_numbered_by_its_place_in_the_book() -> None:
    others = [{"key": f"C{n}", "manager_id": "RM-2"} for n in range(3)]
    far = Customer(key="C-FAR", manager_id="RM-1").model_dump()
    far["time_zone"] = "Mars/Olympus_Mons"
    w = worklist(RM, [*others, far], PB, on=MONDAY)
    assert [(e.customer_key, e.index, e.code) for e in w.errors] == [
        ("C-FAR", 3, "unknown_time_zone")
    ]


def test_an_unreadable_record_is_an_error_record_not_a_gap() -> None:
    w = worklist(RM, [{"key": "C1", "manager_id": "RM-1"}, {"key": 5}], PB, on=MONDAY)
    assert [(e.index, e.code) for e in w.errors] == [(1, "invalid_record")]
    assert {i.customer_key for i in w.items()} == {"C1"}


# --------------------------------------------------------------------------- the playbook section


def test_the_worklist_section_is_validated() -> None:
    data = PB.model_dump(mode="json")
    data["worklist"]["kinds"] = data["worklist"]["kinds"][:-1]
    with pytest.raises(PlaybookError, match="no priority"):
        _with(data)
    data = PB.model_dump(mode="json")
    data["worklist"]["kinds"][0]["priorities"].append({"tier": "gold", "priority": 1})
    with pytest.raises(PlaybookError, match="'gold' is not defined"):
        _with(data)
    data = PB.model_dump(mode="json")
    data["worklist"]["kyc_blocks"] = data["worklist"]["kyc_blocks"][1:]
    with pytest.raises(PlaybookError, match="say what its gap blocks"):
        _with(data)
    data = PB.model_dump(mode="json")
    data["worklist"]["tie_break"] = ["tier", "tier"]
    with pytest.raises(PlaybookError, match="at most once"):
        _with(data)


def test_a_playbook_with_a_worklist_is_hashable_like_any_playbook() -> None:
    assert hash(PB) == hash(Playbook.model_validate(PB.model_dump()))


def test_a_changed_priority_changes_the_hash_and_the_diff_names_its_rule() -> None:
    data = PB.model_dump(mode="json")
    data["worklist"]["kinds"][0]["priorities"][0]["priority"] = 3  # mass
    changed = _with(data)
    assert changed.content_hash != PB.content_hash
    worklist_changes = [c for c in PB.diff(changed) if c.path.startswith("worklist")]
    assert [(c.path, c.rule_id, c.old, c.new) for c in worklist_changes] == [
        (
            "worklist.kinds[worklist.risk_expiry].priorities[mass].priority",
            "worklist.risk_expiry",
            4,
            3,
        )
    ]
    assert changed.find_rule("worklist.risk_expiry") is not None


# --------------------------------------------------------------------------- properties


def _run(inputs: cst.WorklistInputs, managers: tuple[RelationshipManager, ...]) -> list[Worklist]:
    catalogue = synth.catalogue(PB)
    return [
        worklist(
            m,
            inputs.customers,
            PB,
            on=inputs.on,
            horizon_days=inputs.horizon_days,
            history=inputs.history,
            catalogue=catalogue,
        )
        for m in managers
    ]


@settings(max_examples=25)  # drawing a book costs more than the worklist
@given(cst.worklist_inputs())
def test_every_item_cites_rules_the_playbook_resolves(inputs: cst.WorklistInputs) -> None:
    for w in _run(inputs, inputs.managers):
        for item in w.items():
            assert PB.find_rule(item.rule_id) is not None
            assert item.reasons
            for r in item.reasons:
                assert PB.find_rule(r.rule_id) is not None or r.rule_id in ENGINE_RULE_IDS
            assert item.reasons[0].code is ReasonCode.WORKLIST_PRIORITY


@settings(max_examples=25)  # drawing a book costs more than the worklist
@given(cst.worklist_inputs(), st.integers(min_value=0, max_value=2**32))
def test_the_same_inputs_in_any_order_give_the_same_list(
    inputs: cst.WorklistInputs, seed: int
) -> None:
    first = _run(inputs, inputs.managers)
    shuffled = list(inputs.customers)
    history = list(inputs.history)
    random.Random(seed).shuffle(shuffled)
    random.Random(seed).shuffle(history)
    again = _run(
        cst.WorklistInputs(
            tuple(shuffled), inputs.managers, inputs.on, inputs.horizon_days, tuple(history)
        ),
        inputs.managers,
    )
    assert [w.model_dump_json() for w in first] == [w.model_dump_json() for w in again]


@settings(max_examples=25)  # drawing a book costs more than the worklist
@given(cst.worklist_inputs())
def test_no_day_is_booked_beyond_the_managers_hours(inputs: cst.WorklistInputs) -> None:
    for m, w in zip(inputs.managers, _run(inputs, inputs.managers), strict=True):
        for day in w.days:
            assert day.booked_minutes == sum(i.minutes for i in day.items)
            assert day.booked_minutes <= day.capacity_minutes
            assert day.capacity_minutes <= m.capacity_hours_per_week * 60 / 5
            assert [i.position for i in day.items] == list(range(1, len(day.items) + 1))
            assert all(i.on == day.on and i.carried is None for i in day.items)
        assert all(i.on is None and i.carried is not None for i in w.carried_over)


@settings(max_examples=25)  # drawing a book costs more than the worklist
@given(cst.worklist_inputs())
def test_every_due_item_is_on_a_day_or_carried_over(inputs: cst.WorklistInputs) -> None:
    end = inputs.on + dt.timedelta(days=inputs.horizon_days - 1)
    tiering = tier_book(inputs.customers, PB, as_of=inputs.on)
    decided = {d.customer_key: d for d in tiering.decisions}
    for m, w in zip(inputs.managers, _run(inputs, inputs.managers), strict=True):
        theirs = [c for c in inputs.customers if c.manager_id == m.id and c.key in decided]
        plan = plan_contacts(
            theirs,
            PB,
            start=inputs.on,
            end=end,
            managers=[m],
            history=inputs.history,
            tiers={c.key: decided[c.key] for c in theirs},
        )
        # Each contact of the manager's plan is an item (a file may list a date twice).
        items = Counter((i.customer_key, i.rule_id, i.due_on) for i in w.items())
        contacts: list[Touchpoint | Unscheduled] = [*plan.touchpoints, *plan.unscheduled]
        due = Counter(
            (c.customer_key, c.rule_id, c.due_on) for c in contacts if c.owner is Owner.MANAGER
        )
        assert not due - items
        kinds = {(i.customer_key, i.kind) for i in w.items()}
        for cand in tiering.candidates:
            if cand.customer_key in {c.key for c in theirs}:
                assert (cand.customer_key, WorkKind.UPGRADE_CANDIDATE) in kinds
        for c in theirs:
            gaps = set(decided[c.key].kyc_gaps) - {"risk_assessment"}
            if gaps:
                assert (c.key, WorkKind.KYC_GAP) in kinds
            for h in c.products_held:
                if h.matures_on is not None and inputs.on <= h.matures_on <= end:
                    assert (c.key, WorkKind.MATURITY) in kinds


@settings(max_examples=25)  # drawing a book costs more than the worklist
@given(cst.worklist_inputs())
def test_every_managers_list_in_one_pass_equals_each_managers_own(
    inputs: cst.WorklistInputs,
) -> None:
    catalogue = synth.catalogue(PB)
    book = worklists(
        inputs.customers,
        PB,
        inputs.managers,
        on=inputs.on,
        horizon_days=inputs.horizon_days,
        history=inputs.history,
        catalogue=catalogue,
    )
    for own in _run(inputs, inputs.managers):
        assert book.for_manager(own.manager_id).model_dump_json() == own.model_dump_json()


def test_one_pass_over_a_synthetic_book_equals_each_managers_own() -> None:
    book = _book()
    every = worklists(book.customers, PB, book.managers, on=MONDAY, catalogue=book.catalogue)
    for m in book.managers:
        own = worklist(m, book.customers, PB, on=MONDAY, catalogue=book.catalogue)
        assert every.for_manager(m.id) == own
    table = every.to_arrow("items")
    assert table.num_rows == sum(len(w.items()) for w in every.worklists)
    assert table.schema.field("amount").type.scale == 2
    assert Decimal(0) < sum(a for a in table.column("amount").to_pylist() if a is not None)


def test_the_notebook_display_is_short_and_escaped() -> None:
    book = _book()
    w = worklist(book.managers[0], book.customers, PB, on=MONDAY, catalogue=book.catalogue)
    assert repr(w).startswith(f"<Worklist of {book.managers[0].id} for {MONDAY}")
    html = w._repr_html_()
    assert len(html) < 20_000
    assert "<script" not in html
    assert "Carried over, by reason" in html
