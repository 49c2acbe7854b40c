"""Acceptance: a data scientist's notebook tour and a backend engineer's service, end to end.

A notebook shows results through ``_repr_html_`` / ``_repr_pretty_``; every
display is bounded (a few kB whatever the book) and safe (no personal data,
escaped HTML).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custtier import (
    Customer,
    Decision,
    PlaybookRef,
    Reason,
    ReasonCode,
    SuitabilityDecision,
    TierDecision,
    allocate,
    check_suitability,
    plan_contacts,
    presets,
    synth,
    tier_book,
)
from strategies import decisions, short_text

AS_OF = dt.date(2026, 11, 30)
_TAGS = {"div", "strong", "ul", "li", "p", "table", "thead", "tbody", "tr", "th", "td", "small"}


class _Html(HTMLParser):
    """Collects the tags and the text of a display."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parsed(html: str) -> _Html:
    parser = _Html()
    parser.feed(html)
    parser.close()
    return parser


class _Pretty:
    """IPython's pretty printer, as far as ``_repr_pretty_`` uses it."""

    def __init__(self) -> None:
        self.out: list[str] = []

    def text(self, text: str) -> None:
        self.out.append(text)


def _pretty(obj: object) -> str:
    p = _Pretty()
    obj._repr_pretty_(p, False)  # type: ignore[attr-defined]
    return "".join(p.out)


@pytest.fixture(scope="module")
def book() -> synth.Book:
    return synth.book(3000, seed=14, as_of=AS_OF)


def test_the_80_20_line_claims_no_fewer_customers_than_the_exact_pareto_set(
    book: synth.Book,
) -> None:
    # The line is read off a 100-point curve, so it is an upper bound on the
    # exact smallest set carrying 80 % of profit and must say "at least".
    from custtier._views import eighty_twenty

    result = tier_book(book.customers, book.playbook, as_of=AS_OF)
    assert result.pareto_count is not None
    line = eighty_twenty(result.concentration)
    assert line is not None
    carriers, _ = line
    exact = Decimal(result.pareto_count) / Decimal(len(result.decisions))
    assert exact <= carriers < exact + Decimal("0.01") + Decimal(1) / len(result.decisions)
    assert "carry at least 80 % of profit" in "".join(_parsed(result._repr_html_()).text)


def test_display_a_3000_customer_book_tiering_in_a_notebook(book: synth.Book) -> None:
    result = tier_book(book.customers, book.playbook, as_of=AS_OF)
    html = result._repr_html_()
    text = _pretty(result)
    assert len(html.encode()) < 10_000
    assert len(text.encode()) < 10_000
    assert len(repr(result)) < 300  # was 2.8 MB: the whole book
    parsed = _parsed(html)
    assert parsed.tags <= _TAGS
    shown = "".join(parsed.text)
    # The pyramid, the movements and the 80/20 line; never the book itself.
    for tier in ("high_end", "mid_end", "mass"):
        assert tier in shown
    assert "80/20 line" in shown
    assert "Movements" in shown
    keys = {c.key for c in book.customers}
    assert not any(k in html or k in text for k in keys)
    # No personal data either: names, phone numbers, identity documents of the synthetic book.
    for c in book.customers[:200]:
        for record in (c.to_record(reveal_personal_data=True),):
            kyc = record.get("kyc") or {}
            for value in (kyc.get("identity") or {}).values():
                if isinstance(value, str) and len(value) > 4:
                    assert value not in html
                    assert value not in text


def test_display_one_managers_plan_the_book_and_the_playbook(book: synth.Book) -> None:
    tiers = tier_book(book.customers, book.playbook, as_of=AS_OF)
    manager = book.managers[0]
    mine = [c for c in book.customers if c.manager_id == manager.id]
    plan = plan_contacts(
        mine,
        book.playbook,
        start=AS_OF,
        end=AS_OF + dt.timedelta(days=30),
        tiers={d.customer_key: d for d in tiers.decisions},
        managers=[manager],
    )
    for obj, words in [
        (plan, ["Touchpoints per ISO week and channel", "Manager load", manager.id]),
        (book, ["Managers", "Catalogue", "3000"]),
        (presets.PRACTICE, ["tier.adb.high_end", "cadence", "allocation"]),
        (presets.REGULATORY, ["C5", "R5"]),
    ]:
        html = obj._repr_html_()
        text = _pretty(obj)
        assert len(html.encode()) < 10_000, type(obj)
        assert len(text.encode()) < 10_000, type(obj)
        assert len(repr(obj)) < 300, type(obj)
        assert _parsed(html).tags <= _TAGS
        for word in words:
            assert word in html, (type(obj), word)
            assert word in text, (type(obj), word)
        assert not any(c.key in html for c in mine)


def test_display_a_decision_with_its_reasons_table(book: synth.Book) -> None:
    customer = book.customers[0]
    product = book.catalogue[-1]
    decision = check_suitability(customer, product, book.playbook, as_of=AS_OF, tier="mass")
    html = decision._repr_html_()
    shown = "".join(_parsed(html).text)
    assert f"SuitabilityDecision: {decision.outcome}" in shown
    for header in ("code", "rule id", "message", "facts"):
        assert header in shown
    for reason in decision.reasons:
        assert reason.code.value in shown
        assert reason.rule_id in shown
    assert _pretty(decision).splitlines()[0] == f"SuitabilityDecision: {decision.outcome}"

    allocation = allocate(customer, "250000.00", book.catalogue, book.playbook, as_of=AS_OF)
    shown = "".join(_parsed(allocation._repr_html_()).text)
    assert "Lines" in shown
    assert "unplaced" in shown
    for line in allocation.lines:
        assert str(line.amount) in shown


def _hostile_decision(message: str, reasons: int = 1) -> Decision:
    ref = PlaybookRef(id="pb", version="1", content_hash="0" * 64)
    return Decision(
        customer_key="C1",
        outcome="allowed",
        reasons=tuple(
            Reason(
                code=ReasonCode.SUIT_LEVEL_OK,
                rule_id="suit.x",
                message=message,
                facts={"customer_level": message},
            )
            for _ in range(reasons)
        ),
        playbook=ref,
        as_of=AS_OF,
    )


def test_hostile_strings_are_escaped() -> None:
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;'
    html = _hostile_decision(attack)._repr_html_()
    assert "<script>" not in html
    assert "<img" not in html
    parsed = _parsed(html)
    assert parsed.tags <= _TAGS
    assert attack[:60] in "".join(parsed.text)


@settings(max_examples=40)
@given(message=short_text(200), reasons=st.integers(min_value=1, max_value=60))
def test_decision_display_is_escaped_and_bounded(message: str, reasons: int) -> None:
    decision = _hostile_decision(message, reasons)
    html = decision._repr_html_()
    parsed = _parsed(html)
    assert parsed.tags <= _TAGS
    # Messages are clipped to 80 characters: what is shown is a prefix of the message.
    shown = "".join(parsed.text)
    assert message[:40] in shown
    assert len(html.encode()) < 12 * 1024
    assert len(_pretty(decision).encode()) < 12 * 1024


@settings(max_examples=20)
@given(decision=decisions())
def test_any_decision_displays_within_bounds(decision: Decision) -> None:
    assert _parsed(decision._repr_html_()).tags <= _TAGS
    assert len(decision._repr_html_().encode()) < 12 * 1024


@settings(max_examples=6)
@given(n=st.integers(min_value=0, max_value=600), seed=st.integers(min_value=0, max_value=99))
def test_book_displays_are_bounded_whatever_the_book_size(n: int, seed: int) -> None:
    b = synth.book(n, seed=seed, as_of=AS_OF)
    result = tier_book(b.customers, b.playbook, as_of=AS_OF)
    for obj in (b, result):
        assert len(obj._repr_html_().encode()) < 10_000
        assert len(_pretty(obj).encode()) < 10_000
        assert len(repr(obj)) < 300


def test_the_80_20_line_reads_the_concentration_curve() -> None:
    from custtier._views import eighty_twenty

    curve = [(Decimal(k) / 10, min(Decimal(1), Decimal(k) * 4 / 10)) for k in range(11)]
    assert eighty_twenty(curve) == (Decimal("0.2"), Decimal("0.8"))
    assert eighty_twenty([]) is None


# --------------------------------------------------------------------------- conversions


def test_tiers_per_manager_and_the_pyramid_as_frames_without_glue(book: synth.Book) -> None:
    import custtier.frames as cf

    result = tier_book(book.customers, book.playbook, as_of=AS_OF)
    decisions = result.to_pandas()
    # The manager rides on each decision: tiers per manager need no join.
    per_manager = decisions.groupby(["manager_id", "tier"]).size()
    owned = {c.key: c.manager_id for c in book.customers}
    mine = [d for d in result.decisions if owned[d.customer_key] == book.managers[0].id]
    assert per_manager[book.managers[0].id].sum() == len(mine)
    # Money stays exact by default ...
    first = result.decisions[0]
    assert (
        decisions["basis_average_daily_balance"][0] == first.basis_values["average_daily_balance"]
    )
    assert str(decisions["basis_average_daily_balance"].dtype).startswith("decimal128")
    # ... the documented columnar columns, plus the manager, with tier_output_table's values
    # (plain strings for its dictionaries: a decision does not carry the playbook) ...
    table = result.to_arrow()
    same_as_columnar(
        table.drop_columns(["manager_id"]), cf.tier_output_table(result, book.playbook)
    )
    later_on = dt.date(2027, 5, 31)
    later_book = synth.book(3000, seed=14, as_of=later_on)
    later = tier_book(
        later_book.customers, book.playbook, as_of=later_on, previous=result.decisions
    )
    assert later.movements.get("held")  # hysteresis columns are filled, and equal too
    same_as_columnar(
        later.to_arrow().drop_columns(["manager_id"]), cf.tier_output_table(later, book.playbook)
    )
    # ... and plotting-friendly floats are one option away (was "no numeric data to plot").
    summary = result.to_pandas("summary", money="float")
    assert str(summary["profit_share"].dtype) == "float64"
    assert summary["count"].sum() == len(result.decisions)
    assert summary.set_index("tier")["profit_share"].sum() == pytest.approx(1, abs=1e-3)
    polars = result.to_polars("summary")
    assert [Decimal(str(v)) for v in polars["profit_share"]] == [
        s.profit_share for s in result.summary
    ]


def test_plan_allocation_and_suitability_lists_as_tables(book: synth.Book) -> None:
    import custtier.frames as cf

    tiers = tier_book(book.customers[:300], book.playbook, as_of=AS_OF)
    plan = plan_contacts(
        book.customers[:300],
        book.playbook,
        start=AS_OF,
        end=AS_OF + dt.timedelta(days=60),
        tiers={d.customer_key: d for d in tiers.decisions},
        managers=book.managers,
    )
    touchpoints = plan.to_pandas()
    assert len(touchpoints) == len(plan.touchpoints)
    assert touchpoints["provisional"].sum() == len(plan.provisional_touchpoints())
    assert list(touchpoints["manager_id"].fillna("")) == [
        t.manager_id or "" for t in plan.touchpoints
    ]
    unscheduled = plan.to_arrow("unscheduled")
    assert unscheduled.num_rows == len(plan.unscheduled)
    assert sorted(set(unscheduled["code"].to_pylist())) == sorted(plan.unscheduled_counts())
    load = plan.to_polars("load")
    assert load["booked_minutes"].sum() == sum(r.booked_minutes for r in plan.load)

    allocations = [
        allocate(c, "123456.78", book.catalogue, book.playbook, as_of=AS_OF)
        for c in book.customers[:20]
    ]
    lines = cf.results_pandas(allocations)
    # Every cent is a row: lines, cash and unplaced add up to each amount exactly.
    for key, rows in lines.groupby("customer_key"):
        assert sum(rows["line_amount"]) == Decimal("123456.78"), key
    conditions = [[c.value for c in line.conditions] for a in allocations for line in a.lines]
    assert [list(c) for c in lines[lines["line_kind"] != "unplaced"]["conditions"]] == conditions

    pairs = [
        check_suitability(c, p, book.playbook, as_of=AS_OF, tier="mass")
        for c in book.customers[:5]
        for p in book.catalogue
    ]
    table = cf.results_table(pairs)
    assert table.schema.equals(cf.suitability_output_schema(book.playbook))
    assert table["allowed"].to_pylist() == [d.allowed for d in pairs]


def test_conversions_refuse_what_they_cannot_tabulate(book: synth.Book) -> None:
    import custtier.frames as cf
    from custtier.errors import InputError

    result = tier_book(book.customers[:10], book.playbook, as_of=AS_OF)
    with pytest.raises(InputError, match="part must be one of"):
        result.to_arrow("touchpoints")
    with pytest.raises(InputError, match="money"):
        result.to_arrow(money="double")  # type: ignore[arg-type]
    pair = check_suitability(book.customers[0], book.catalogue[0], book.playbook, as_of=AS_OF)
    mixed: list[TierDecision | SuitabilityDecision] = [result.decisions[0], pair]
    with pytest.raises(InputError, match="one kind"):
        cf.results_table(mixed)
    assert cf.results_table([]).num_rows == 0


def test_a_missing_pandas_names_the_extra(
    book: synth.Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from custtier.errors import MissingExtraError

    result = tier_book(book.customers[:10], book.playbook, as_of=AS_OF)
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(MissingExtraError, match=r"custtier\[pandas\]"):
        result.to_pandas()
    with pytest.raises(MissingExtraError, match=r"custtier\[polars\]"):
        result.to_polars()


# --------------------------------------------------------------------------- audit records


def _one_of_each(book: synth.Book) -> list[Decision]:
    from custtier import assess_risk, tier_services

    customer = book.customers[3]
    pb = book.playbook
    answers = {q.id: q.options[0].id for q in pb.risk.questionnaire}
    return [
        tier_book(book.customers[:50], pb, as_of=AS_OF).decisions[3],
        assess_risk(answers, pb, as_of=AS_OF, customer_key=customer.key),
        check_suitability(customer, book.catalogue[-1], pb, as_of=AS_OF, tier="mass"),
        allocate(customer, "88000.00", book.catalogue, pb, as_of=AS_OF),
        tier_services(customer.key, "mass", pb, as_of=AS_OF),
    ]


def test_an_audit_log_of_mixed_kinds_reads_back_each_as_its_kind(book: synth.Book) -> None:
    import json

    from custtier import __version__
    from custtier.errors import InputError, RecordValidationError

    decisions = _one_of_each(book)
    log = [d.to_audit_json() for d in decisions]
    kinds = [json.loads(line)["kind"] for line in log]
    assert kinds == ["tier", "risk", "suitability", "allocation", "services"]
    for line, decision in zip(log, decisions, strict=True):
        record = json.loads(line)
        assert next(iter(record)) == "kind"  # a reader sees what it is first
        assert record["schema_version"] == 2
        assert record["custtier_version"] == __version__
        assert record["playbook"]["content_hash"] == book.playbook.content_hash
        back = Decision.from_audit_json(line)
        assert type(back) is type(decision)
        assert back == decision
        assert back.to_audit_json() == line  # same bytes again
        assert type(decision).from_audit_json(line) == decision
    tier_line, suitability_line = log[0], log[2]
    with pytest.raises(InputError, match="is a tier decision, not a suitability") as info:
        type(decisions[2]).from_audit_json(tier_line)
    assert info.value.field == "kind"
    forged = json.loads(suitability_line)
    forged["kind"] = "<script>Li Lei 110101199003071234</script>"
    with pytest.raises(InputError, match="no known kind") as info:
        Decision.from_audit_json(json.dumps(forged))
    assert "Li Lei" not in str(info.value)
    future = json.loads(suitability_line)
    future["schema_version"] = 3
    with pytest.raises(RecordValidationError, match="schema_version"):
        Decision.from_audit_json(json.dumps(future))
    with pytest.raises(InputError, match="JSON object"):
        Decision.from_audit_json("[1, 2]")


def test_every_decision_class_has_its_own_kind() -> None:
    from custtier._explain import audit_kinds, decision_kinds

    def subclasses(cls: type) -> set[type]:
        direct: list[type] = cls.__subclasses__()
        return set(direct).union(*(subclasses(c) for c in direct))

    kinds = decision_kinds()  # raises TypeError when two classes share a kind
    assert set(kinds.values()) == {Decision} | subclasses(Decision)
    assert set(audit_kinds()) == {"allocation", "risk", "services", "suitability", "tier"}


def test_custtier_schema_decision_prints_each_kinds_json_schema(book: synth.Book) -> None:
    import json
    import subprocess
    import sys

    for decision in _one_of_each(book):
        kind = decision.kind
        done = subprocess.run(
            [sys.executable, "-m", "custtier", "schema", "--decision", kind],
            capture_output=True,
            text=True,
            check=True,
        )
        schema = json.loads(done.stdout)
        assert schema["properties"]["kind"]["const"] == kind
        record = json.loads(decision.to_audit_json())
        assert set(schema["required"]) == set(record) == set(schema["properties"])
    done = subprocess.run(
        [sys.executable, "-m", "custtier", "schema", "--decision", "nonsense"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "invalid choice" in done.stderr


# --------------------------------------------------------------------------- service


def _service() -> object:
    """The FastAPI app of docs/service.md, loaded from its file (docs/service_app.py)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parent.parent / "docs" / "service_app.py"
    spec = importlib.util.spec_from_file_location("service_app", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _personal_record(book: synth.Book) -> tuple[dict[str, object], list[str]]:
    """A full customer record with its personal values revealed, and those values."""
    import json

    record = book.customers[2].to_record(reveal_personal_data=True)
    kyc = record["kyc"]
    assert isinstance(kyc, dict)
    identity = kyc["identity"]
    values = [v for v in identity.values() if isinstance(v, str) and len(v) >= 6]
    values.append(str(record["birth_date"]))
    assert json.dumps(record).count("SYNTH") or values  # the record does hold personal data
    return record, values


def test_a_fastapi_422_does_not_echo_the_customer_record(
    book: synth.Book, caplog: pytest.LogCaptureFixture
) -> None:
    import json
    import logging

    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    service = _service()
    client = TestClient(service.app)  # type: ignore[attr-defined]
    record, personal = _personal_record(book)
    # A birth date that does not exist, a float amount and an over-long name: each echoed
    # by FastAPI's own 422 ("input": ...), whatever the model config says.
    name = "Li Lei the customer " * 20
    kyc = record["kyc"]
    assert isinstance(kyc, dict)
    bad_kyc = {**kyc, "identity": {**kyc["identity"], "full_name": name}}
    bad = {**record, "birth_date": "1961-02-30", "assets_under_management": 9876.5, "kyc": bad_kyc}
    canaries = ["1961-02-30", "9876.5", name[:40]]
    response = client.post("/tier", params={"as_of": "2026-11-30"}, json=bad)
    assert response.status_code == 422
    text = response.text
    for value in [*personal, *canaries]:
        assert value not in text, value
    fields = {tuple(d["loc"]) for d in response.json()["detail"]}
    assert ("body", "assets_under_management") in fields
    assert ("body", "birth_date") in fields
    assert ("body", "kyc", "identity", "full_name") in fields

    # The same endpoint without custtier's handler: FastAPI echoes every one (the bug).
    # (Customer is imported at module level: FastAPI resolves the annotation there.)
    bare = FastAPI()

    @bare.post("/tier")
    def tier(customer: Customer) -> str:
        return customer.key

    echoed = TestClient(bare).post("/tier", json=bad).text
    assert all(value in echoed for value in canaries)

    # A valid request: the decision describes itself, and its audit record is logged.
    with caplog.at_level(logging.INFO, logger="custtier.audit"):
        ok = client.post("/tier", params={"as_of": "2026-11-30"}, json=record)
    assert ok.status_code == 200
    decision = ok.json()
    assert decision["kind"] == "tier"
    assert decision["customer_key"] == record["key"]
    logged = [json.loads(r.getMessage()) for r in caplog.records if r.name == "custtier.audit"]
    assert [r["kind"] for r in logged] == ["tier"]
    assert not any(value in caplog.text for value in personal)

    # custtier's own errors are 422s too, naming the field and not the value.
    sale = {"customer": record, "product": book.catalogue[0].to_record(), "amount": "12.345"}
    refused = client.post("/suitability", params={"as_of": "2026-11-30"}, json=sale)
    assert refused.status_code == 422
    assert not any(value in refused.text for value in personal)
    allowed = client.post(
        "/suitability",
        params={"as_of": "2026-11-30"},
        json={**sale, "amount": str(book.catalogue[0].minimum_investment)},
    )
    assert allowed.status_code == 200
    assert allowed.json()["kind"] == "suitability"


def _numbers(node: object, path: str = "") -> list[str]:
    """Paths in a JSON Schema that admit a JSON number (a float)."""
    found = []
    if isinstance(node, dict):
        if node.get("type") == "number":
            found.append(path)
        for key, value in node.items():
            found += _numbers(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _numbers(value, f"{path}/{i}")
    return found


def test_the_service_openapi_publishes_money_as_decimal_strings(book: synth.Book) -> None:
    from fastapi.testclient import TestClient

    service = _service()
    openapi = TestClient(service.app).get("/openapi.json").json()  # type: ignore[attr-defined]
    schemas = openapi["components"]["schemas"]
    aum = schemas["Customer"]["properties"]["assets_under_management"]
    assert {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"} in aum["anyOf"]
    assert {"type": "integer", "minimum": 0} in aum["anyOf"]
    # No money field anywhere admits a float: generated clients send strings.
    assert _numbers(openapi) == []
    amount = schemas["AllocationDecision"]["properties"]["amount"]
    assert amount["type"] == "string"
    with TestClient(service.app) as client:  # type: ignore[attr-defined]
        response = client.post(
            "/allocate",
            params={"as_of": "2026-11-30"},
            json={
                "customer": book.customers[2].to_record(reveal_personal_data=True),
                "amount": "250000.00",
                "catalogue": [p.to_record() for p in book.catalogue],
            },
        )
    assert response.status_code == 200
    lines = response.json()["lines"]
    total = sum(Decimal(line["amount"]) for line in lines) + Decimal(response.json()["unplaced"])
    assert total == Decimal("250000.00")


# --------------------------------------------------------------------------- plots


@pytest.fixture
def agg() -> Iterator[Any]:
    """matplotlib on the headless Agg backend; figures closed afterwards."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def test_plot_the_tour_headless_each_chart_returns_its_axes(book: synth.Book, agg: Any) -> None:
    from custtier import plot

    as_of = AS_OF
    first = tier_book(book.customers[:400], book.playbook, as_of=as_of)
    later_on = dt.date(2027, 5, 31)
    later_book = synth.book(400, seed=14, as_of=later_on)
    later = tier_book(later_book.customers, book.playbook, as_of=later_on, previous=first.decisions)
    manager = book.managers[0]
    plan = plan_contacts(
        [c for c in book.customers[:400] if c.manager_id == manager.id],
        book.playbook,
        start=as_of,
        end=as_of + dt.timedelta(days=40),
        tiers={d.customer_key: d for d in first.decisions},
        managers=[manager],
    )
    fig, axes = agg.subplots(2, 2)
    drawn = [
        plot.pyramid(first, ax=axes[0][0]),
        plot.concentration(first, ax=axes[0][1]),
        plot.movements(first, later, ax=axes[1][0]),
        plot.manager_load(plan, ax=axes[1][1]),
    ]
    assert drawn == [axes[0][0], axes[0][1], axes[1][0], axes[1][1]]  # drawn where asked
    # The pyramid: one bar per tier, top tier on top, lengths the customer shares.
    bars = axes[0][0].patches
    assert [round(b.get_width(), 6) for b in bars] == [
        round(float(s.customer_share) * 100, 6) for s in reversed(first.summary)
    ]
    assert [t.get_text() for t in axes[0][0].get_yticklabels()] == [
        s.tier for s in reversed(first.summary)
    ]
    # The concentration curve and its 80/20 markers.
    curve = axes[0][1].lines[0]
    assert len(curve.get_xdata()) == len(first.concentration)
    texts = " ".join(t.get_text() for t in axes[0][1].texts)
    assert "carry at least 80% of profit" in texts
    # Movements: every customer of either run is counted once.
    counted = sum(int(t.get_text()) for t in axes[1][0].texts)
    assert counted == len({d.customer_key for d in (*first.decisions, *later.decisions)})
    # Load: one line of booked hours per manager, capacity dashed beside it.
    booked = [line for line in axes[1][1].lines if line.get_linestyle() == "-"]
    assert len(booked) == len({row.manager_id for row in plan.load})
    assert axes[1][1].get_ylim()[0] == 0
    # Without ax=, a new figure.
    assert plot.pyramid(first).figure is not fig
    fig.savefig(io.BytesIO(), format="png")  # renders headless


def test_plot_without_matplotlib_names_the_extra(
    book: synth.Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from custtier import plot
    from custtier.errors import MissingExtraError

    result = tier_book(book.customers[:10], book.playbook, as_of=AS_OF)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(MissingExtraError, match=r"custtier\[plot\]"):
        plot.pyramid(result)


def test_the_gallery_draws_the_docs_figures(tmp_path: Path, agg: Any) -> None:
    import importlib.util

    path = Path(__file__).parent.parent / "docs" / "_gallery.py"
    spec = importlib.util.spec_from_file_location("_gallery", path)
    assert spec is not None
    assert spec.loader is not None
    gallery = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gallery)
    written = gallery.draw(tmp_path)
    assert [p.name for p in written] == [
        "pyramid.png",
        "concentration.png",
        "movements.png",
        "manager_load.png",
        "migration.png",
    ]
    for p in written:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (path.parent / "img" / p.name).exists()  # the docs show each figure


# --------------------------------------------------------------------------- a real database


def test_tier_a_book_read_from_duckdb_and_write_the_decisions_back(
    book: synth.Book, tmp_path: Path
) -> None:
    duckdb = pytest.importorskip("duckdb")
    import pyarrow.parquet as pq

    import custtier.frames as cf

    pb = book.playbook
    # The bank's side: a customers table in a database, and the same book as Parquet.
    source = cf.tier_input_table(book.customers, pb, as_of=AS_OF)
    con = duckdb.connect(str(tmp_path / "bank.duckdb"))
    con.register("incoming", source)
    con.execute("CREATE TABLE customers AS SELECT * FROM incoming")
    con.unregister("incoming")
    pq.write_table(source, tmp_path / "book.parquet")

    # The recipe (docs/scale-out.md): query into Arrow, tier, write the table back.
    book_table = con.sql("SELECT * FROM customers").to_arrow_table()
    decided = cf.tier_table(book_table, pb, as_of=AS_OF)
    con.register("decided", decided)
    con.execute("CREATE TABLE decisions AS SELECT * FROM decided")
    con.unregister("decided")

    # Money stays exact on the way in and out (DECIMAL, never DOUBLE) ...
    types = dict(
        con.execute("SELECT column_name, column_type FROM (DESCRIBE decisions)").fetchall()
    )
    assert types["basis_average_daily_balance"].startswith("DECIMAL")
    # ... every customer has one row ...
    assert con.execute("SELECT count(*) FROM decisions").fetchall() == [(len(book.customers),)]
    # ... and the answers are the scalar API's.
    scalar = cf.tier_output_table(tier_book(book.customers, pb, as_of=AS_OF), pb)
    stored = con.sql("SELECT * FROM decisions").to_arrow_table()
    assert cf.table_digest(stored.cast(scalar.schema)) == cf.table_digest(scalar)
    per_tier = dict(con.execute("SELECT tier, count(*) FROM decisions GROUP BY tier").fetchall())
    assert per_tier == {s.tier: s.count for s in tier_book(book.customers, pb, as_of=AS_OF).summary}

    # Parquet through DuckDB: the same decisions.
    from_parquet = duckdb.sql(f"SELECT * FROM read_parquet('{tmp_path / 'book.parquet'}')")
    again = cf.tier_table(from_parquet.to_arrow_table(), pb, as_of=AS_OF)
    assert cf.table_digest(again) == cf.table_digest(decided)
    con.close()


def same_as_columnar(table: Any, columnar: Any) -> None:
    """The same columns and values: plain strings where the columnar table has dictionaries."""
    assert table.schema.names == columnar.schema.names
    assert table.equals(columnar.cast(table.schema))
