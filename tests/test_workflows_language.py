"""Workflows in the bank's language: the same decisions read in Simplified Chinese and English.

A compliance officer reads a suitability refusal as the regulator's record
is written; a relationship manager runs the demo, the batch commands and a
notebook in Chinese; holidays are named 春节 and 中秋节. Everything goes
through the public API or the installed ``custtier`` command.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from custtier import (
    Customer,
    Decision,
    HolidaysCalendar,
    Playbook,
    Product,
    RiskAssessment,
    TierDecision,
    allocate,
    assess_risk,
    assign_tier,
    check_suitability,
    plan_contacts,
    presets,
    synth,
    tier_book,
    tier_services,
    worklist,
)
from custtier._demo_words import WORDS
from custtier._i18n import Locale
from custtier.errors import InputError

CUSTTIER = str(Path(sys.executable).with_name("custtier"))
AS_OF = dt.date(2026, 11, 30)
REG = presets.REGULATORY
CJK = re.compile(r"[\u4e00-\u9fff]")


def _custtier(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [CUSTTIER, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        env=env,
        timeout=600,
    )


def _c3_customer(key: str = "C000042") -> Customer:
    return Customer(
        key=key,
        birth_date=dt.date(1980, 5, 1),
        assets_under_management=Decimal("620000.00"),
        monthly_balances=[
            {"month": f"2026-{m:02d}", "average_daily_balance": "620000.00"} for m in range(6, 12)
        ],
        risk_assessment=RiskAssessment(
            level="C3",
            score=60,
            assessed_on=dt.date(2026, 3, 1),
            valid_until=dt.date(2027, 2, 28),
        ),
    )


def _product(level: str, category: str = "equity_fund", pid: str = "EQ-GROWTH") -> Product:
    return Product(
        id=pid,
        name="A fund",
        category=category,
        risk_level=level,
        minimum_investment="10000",
        increment="1000",
    )


# --------------------------------------------------------------------------- the demo, in Chinese


def test_custtier_demo_lang_zh_cn_prints_the_whole_report_in_chinese() -> None:
    run = _custtier("demo", "--size", "300", "--lang", "zh_CN")
    assert (run.returncode, run.stderr) == (0, "")
    out = run.stdout
    # Every section of the English report has its Chinese heading.
    for heading in (
        "规则手册",
        "客户分层金字塔",
        "各层级客户资料",
        "潜在升级客户",
        "联系计划",
        "风险评估",
        "产品目录",
        "适当性不匹配的销售记录",
    ):
        assert heading in out, heading
    for tier in ("高端客户", "中端客户", "大众客户"):
        assert tier in out
    # The refusal reads as a suitability record, from the message catalogue.
    assert "，不匹配，不得销售。" in out
    assert "截至2026年11月30日" in out
    # No English words of the report are left: only ids, codes and figures.
    english = {
        w.lower()
        for text in WORDS[Locale.EN].values()
        for w in re.findall(r"[A-Za-z]{4,}", " ".join(text) if isinstance(text, tuple) else text)
    } - {"custtier", "median"}
    leftover = {w.lower() for w in re.findall(r"\b[A-Za-z]{4,}\b", out)} & english
    assert not leftover, leftover
    lines = [line for line in out.splitlines() if line.strip()]
    assert sum(bool(CJK.search(line)) for line in lines) >= len(lines) * 0.9


def test_the_english_demo_is_unchanged_by_the_catalogue() -> None:
    english = _custtier("demo", "--size", "300").stdout
    assert english == _custtier("demo", "--size", "300", "--lang", "en").stdout
    assert "tier pyramid (practice" in english
    assert not CJK.search(english)


# --------------------------------------------------------------------------- a compliance officer's record


def test_a_compliance_officer_reads_a_suitability_refusal_in_chinese() -> None:
    d = check_suitability(_c3_customer(), _product("R4"), REG, as_of=AS_OF)
    assert not d.allowed
    text = d.explain(locale="zh_CN")
    assert text.splitlines()[0] == (
        f"C000042：不得销售（截至2026年11月30日，规则手册 regulatory_c1_c5 v{REG.version} "
        f"#{REG.content_hash[:12]}）"
    )
    assert (
        "客户风险承受能力为C3（稳健型），产品风险等级为R4（中高风险），"
        "超过可购买的最高等级R3（中风险），不匹配，不得销售。"
    ) in text
    # The audit record keeps codes and facts, and can carry the Chinese text beside them.
    record = d.to_audit_json(locale="zh_CN")
    reason = json.loads(record)["reasons"][0]
    assert reason["code"] == "SUIT_LEVEL_EXCEEDED"
    assert reason["facts"]["customer_level"] == "C3"
    assert reason["message"] == "R4 is above C3's limit R3"
    assert reason["text"].startswith("客户风险承受能力为C3（稳健型）")
    assert Decision.from_audit_json(record) == d


def test_the_same_refusal_reads_in_english_with_the_playbooks_labels() -> None:
    d = check_suitability(_c3_customer(), _product("R4"), REG, as_of=AS_OF)
    assert "R4 (Medium-high risk) is above C3 (Steady)'s limit R3 (Medium risk)" in d.to_text("en")


# --------------------------------------------------------------------------- one example per engine


def test_tiering_explains_the_band_in_chinese_with_amounts_in_yuan() -> None:
    d = assign_tier(_c3_customer(), REG, as_of=AS_OF)
    text = d.explain(locale="zh_CN")
    assert text.startswith("C000042：高端客户（截至2026年11月30日")
    assert "日均余额为¥620,000.00，落在区间[¥500,000.00, ¥6,000,000.00)内。" in text


def test_a_risk_assessment_reads_as_the_questionnaire_record() -> None:
    answers = {
        "q_age": "b",
        "q_finances": "c",
        "q_experience": "c",
        "q_objective": "c",
        "q_horizon": "c",
        "q_liquidity": "c",
        "q_loss": "c",
    }
    d = assess_risk(answers, REG, as_of=AS_OF, customer_key="C000042")
    assert "问卷得分69分，在[46, 70]分区间内，风险承受能力评定为C3（稳健型）。" in d.explain(
        "zh_CN"
    )


def test_an_allocation_names_categories_and_the_model_portfolio_in_chinese() -> None:
    catalogue = [
        _product("R1", "deposit", "DEP-1Y"),
        _product("R2", "bond_fund", "BF-CREDIT"),
        _product("R1", "money_market", "MMF-T0"),
    ]
    d = allocate(_c3_customer(), "100000.00", catalogue, REG, as_of=AS_OF, tier="high_end")
    text = d.explain(locale="zh_CN")
    assert "按C3（稳健型）的模型组合配置。" in text
    assert "股票型基金：无适合的产品，该部分未能配置，留作现金。" in text


def test_tier_services_are_listed_by_their_chinese_names() -> None:
    d = tier_services("C000042", "high_end", REG, as_of=AS_OF)
    assert "客户所在层级可享受：专属理财顾问。" in d.explain("zh_CN")


def test_a_contact_plan_names_the_spring_festival_greeting_in_chinese() -> None:
    customer = Customer(
        key="C000042", contact={"consents": [{"channel": "sms"}, {"channel": "phone"}]}
    )
    calendar = HolidaysCalendar("CN", language="zh", published_through=2026)
    plan = plan_contacts(
        [customer],
        REG,
        start=dt.date(2027, 2, 1),
        end=dt.date(2027, 2, 28),
        tiers={"C000042": "mid_end"},
        calendar=calendar,
    )
    greeting = next(t for t in plan.touchpoints if "春节" in t.label)
    texts = [r.text("zh_CN", REG.terms("zh_CN")) for r in greeting.reasons]
    assert "节日问候：节日祝福短信（春节、中秋），经短信联系，应于2027年2月6日完成。" in texts


def test_holidays_are_named_in_the_chosen_language() -> None:
    assert "春节" in HolidaysCalendar("CN", language="zh_CN").holidays(2027).values()
    assert "春节" in HolidaysCalendar("CN", language="zh-CN").holidays(2027).values()
    english = HolidaysCalendar("CN", language="en").holidays(2027).values()
    assert any("Spring Festival" in name for name in english)


# --------------------------------------------------------------------------- batch commands and notebooks


def test_custtier_tier_lang_zh_cn_writes_chinese_text_beside_codes_and_facts(
    tmp_path: Path,
) -> None:
    book = tmp_path / "book.jsonl"
    book.write_text(json.dumps(_c3_customer().to_record()) + "\n", encoding="utf-8")
    run = _custtier(
        "tier", str(book), "--preset", REG.id, "--as-of", "2026-11-30", "--lang", "zh_CN"
    )
    assert run.returncode == 0, run.stderr
    line = run.stdout.strip()
    record = json.loads(line)
    assert all(CJK.search(r["text"]) for r in record["reasons"])
    assert TierDecision.from_audit_json(line) == assign_tier(_c3_customer(), REG, as_of=AS_OF)


def test_custtier_plan_lang_zh_cn_names_holidays_and_reasons_in_chinese(tmp_path: Path) -> None:
    book = tmp_path / "book.jsonl"
    customer = Customer(
        key="C000042",
        monthly_balances=[
            {"month": f"2026-{m:02d}", "average_daily_balance": "100000.00"} for m in range(6, 13)
        ],
        contact={"consents": [{"channel": "sms"}]},
    )
    book.write_text(json.dumps(customer.to_record()) + "\n", encoding="utf-8")
    run = _custtier(
        "plan",
        str(book),
        "--preset",
        REG.id,
        "--start",
        "2027-02-01",
        "--end",
        "2027-02-28",
        "--calendar",
        "CN",
        "--lang",
        "zh_CN",
    )
    assert run.returncode == 0, run.stderr
    touchpoints = [json.loads(x) for x in run.stdout.splitlines() if '"touchpoint"' in x]
    spring = [t for t in touchpoints if "春节" in t["label"]]
    assert spring
    assert any("节日问候" in r["text"] for r in spring[0]["reasons"])


def test_a_notebook_shows_a_decision_in_chinese() -> None:
    d = check_suitability(_c3_customer(), _product("R4"), REG, as_of=AS_OF)
    html = d.display("zh_CN")._repr_html_()
    assert "不匹配，不得销售。" in html
    assert "不匹配" not in d._repr_html_()  # the default display stays the English record


def test_a_playbook_may_ask_for_amounts_in_wan() -> None:
    data = REG.model_dump(mode="json")
    data["version"] = "1.2.0-wan"
    data["locales"]["zh_CN"]["amounts"] = "wan"
    wan = Playbook.model_validate(data)
    assert wan.content_hash != REG.content_hash  # what a customer is told is hashed
    d = check_suitability(
        _c3_customer(), _product("R1", "deposit", "DEP-1Y"), wan, as_of=AS_OF, amount="5000"
    )
    assert "购买金额低于产品起购金额1.00万元，不得销售。" in d.explain("zh_CN", playbook=wan)


def test_explaining_with_another_playbook_is_refused() -> None:
    d = check_suitability(_c3_customer(), _product("R4"), REG, as_of=AS_OF)
    with pytest.raises(InputError) as info:
        d.explain("zh_CN", playbook=presets.PRACTICE)
    assert info.value.field == "playbook"


def test_custtier_simulate_lang_zh_cn_explains_each_move_under_both_playbooks(
    tmp_path: Path,
) -> None:
    data = REG.model_dump(mode="json")
    data["version"] = "9.0.0"
    bands = data["tiering"]["bases"][0]["bands"]
    bands[2]["lower"] = bands[1]["upper"] = "700000"  # the wealth bar raised
    proposed, current = tmp_path / "proposed.json", tmp_path / "current.json"
    proposed.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    current.write_text(REG.canonical_json(), encoding="utf-8")
    book = tmp_path / "book.jsonl"
    book.write_text(json.dumps(_c3_customer().to_record()) + "\n", encoding="utf-8")
    run = _custtier(
        "simulate",
        str(book),
        "--playbook",
        str(proposed),
        "--against",
        str(current),
        "--as-of",
        "2026-11-30",
        "--lang",
        "zh_CN",
    )
    assert run.returncode == 0, run.stderr
    moved = [json.loads(x) for x in run.stdout.splitlines() if '"moved"' in x]
    assert [(m["from"], m["to"]) for m in moved] == [("high_end", "mid_end")]
    assert any("¥500,000.00" in t for t in moved[0]["current_text"])
    assert any("¥700,000.00" in t for t in moved[0]["proposed_text"])


def test_a_managers_worklist_reads_in_chinese() -> None:
    book = synth.book(300, seed=7, as_of=AS_OF, playbook=REG)
    tiers = tier_book(book.customers, REG, as_of=AS_OF)
    terms = REG.terms("zh_CN")
    texts = [
        r.text("zh_CN", terms)
        for manager in book.managers
        for item in worklist(
            manager,
            book.customers,
            REG,
            on=AS_OF,
            horizon_days=14,
            catalogue=book.catalogue,
            tiers=tiers,
        ).items()
        for r in item.reasons
    ]
    assert any(t.startswith("客户联系（") and "优先级" in t for t in texts)
    assert all(CJK.search(t) for t in texts)


def test_custtier_worklist_lang_zh_cn_writes_each_items_reasons_in_chinese(tmp_path: Path) -> None:
    book = tmp_path / "book.jsonl"
    run = _custtier("synth", "--size", "200", "--seed", "7", "--preset", REG.id, "--out", str(book))
    assert run.returncode == 0, run.stderr
    managers = json.loads((tmp_path / "book.managers.json").read_text(encoding="utf-8"))
    run = _custtier(
        "worklist",
        str(book),
        "--preset",
        REG.id,
        "--managers",
        str(tmp_path / "book.managers.json"),
        "--manager",
        managers[0]["id"],
        "--on",
        "2026-11-30",
        "--lang",
        "zh_CN",
    )
    assert run.returncode == 0, run.stderr
    items = [json.loads(x) for x in run.stdout.splitlines() if '"record":"item"' in x]
    assert items
    assert all(CJK.search(r["text"]) for item in items for r in item["reasons"])
