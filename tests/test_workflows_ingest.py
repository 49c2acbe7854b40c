"""Acceptance: a nightly ingest of a JSON-lines book with good and bad lines.

The bank's nightly job runs the installed ``custtier tier`` command on the
day's export. Some lines are plain records; some are odd but valid (months
out of order, ``"1.500"``, ``"1e3"``, a yen book); some are wrong in each of
the ways a record can be wrong, one or several at once. Every line in gives
exactly one line out, and each bad line's error record names the same code,
field and problem it did before ingest took its lean path (the expected
records below were written from the command's output before that change).
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

CUSTTIER = str(Path(sys.executable).with_name("custtier"))

Record = dict[str, Any]


def _months_twice(r: Record) -> None:
    r["monthly_balances"].append(dict(r["monthly_balances"][0]))


def _several(r: Record) -> None:
    r["key"] = r["kyc"]["customer_key"] = "bad key!"
    _months_twice(r)


def _odd_but_valid(r: Record) -> None:
    r["monthly_balances"].reverse()
    r["assets_under_management"], r["annual_profit_contribution"] = "1.500", "1e3"


def _yen(r: Record) -> None:
    r["currency"], r["assets_under_management"], r["annual_profit_contribution"] = (
        "JPY",
        "12345",
        "0",
    )
    for month in r["monthly_balances"]:
        month["average_daily_balance"] = "1000"
    for held in r["products_held"]:
        held["principal"] = "500"
    r["kyc"].update(currency="JPY", declared_annual_income=None, declared_external_assets=None)


def _set(path: str, value: Any) -> Callable[[Record], None]:
    def change(r: Record) -> None:
        *parents, last = path.split(".")
        target: Any = r
        for step in parents:
            target = target[int(step)] if step.isdigit() else target[step]
        target[last] = value

    return change


# (key, change, expected error record: code, field, the problems it lists)
BAD: list[tuple[str, Callable[[Record], None], str, str | None, list[str]]] = [
    (
        "X01",
        _set("assets_under_management", 1.5),
        "invalid_record",
        "assets_under_management",
        [
            "assets_under_management: amount is a float; pass a Decimal, an int or a string such as "
            '"1234.50" [value_error]'
        ],
    ),
    (
        "X02",
        _months_twice,
        "invalid_record",
        "monthly_balances",
        ["monthly_balances: monthly_balances must list each month at most once [value_error]"],
    ),
    (
        "X03",
        _set("monthly_balances.0.average_daily_balance", "100.005"),
        "invalid_record",
        "monthly_balances.0.average_daily_balance",
        [
            "monthly_balances.0.average_daily_balance: monthly_balances.0.average_daily_balance has "
            "more decimal places than CNY allows (2); round it first with an explicit rounding mode "
            "[value_error]"
        ],
    ),
    (
        "X04",
        lambda r: r.update(currency="JPY", assets_under_management="10.5"),
        "invalid_record",
        "assets_under_management",
        [
            "assets_under_management: assets_under_management has more decimal places than JPY "
            "allows (0); round it first with an explicit rounding mode [value_error]"
        ],
    ),
    (
        "X05",
        _set(
            "products_held",
            [
                {
                    "product_id": "TD-1Y",
                    "principal": "1000.00",
                    "opened_on": "2026-05-01",
                    "matures_on": "2026-04-30",
                }
            ],
        ),
        "invalid_record",
        "products_held.0.matures_on",
        ["products_held.0.matures_on: matures_on must not be before opened_on [value_error]"],
    ),
    (
        "X06",
        _set("risk_assessment.valid_until", "2000-01-01"),
        "invalid_record",
        "risk_assessment",
        ["risk_assessment: valid_until must not be before assessed_on [value_error]"],
    ),
    (
        "X07",
        _set("kyc.declared_annual_income", "-1.00"),
        "invalid_record",
        "kyc",
        ["kyc: declared_annual_income must not be negative [value_error]"],
    ),
    (
        "X08",
        _set("kyc.customer_key", "OTHER"),
        "invalid_record",
        "<record>",
        ["<record>: kyc.customer_key must equal the customer's key [value_error]"],
    ),
    (
        "X09",
        lambda r: r.update(referred_by=r["key"]),
        "invalid_record",
        "<record>",
        ["<record>: referred_by must not be the customer's own key [value_error]"],
    ),
    (
        "X10",
        lambda r: r["contact"]["consents"].append(dict(r["contact"]["consents"][0])),
        "invalid_record",
        "contact.consents",
        ["contact.consents: consents must list each channel at most once [value_error]"],
    ),
    (
        "X11",
        _set("extra", 1),
        "invalid_record",
        "<unknown key>",
        [
            "<unknown key>: unknown field; remove it or check its spelling (its name is not "
            "repeated) [extra_forbidden]"
        ],
    ),
    (
        "X12",
        _several,
        "invalid_record",
        "key",
        [
            "key: String should match pattern '^[A-Za-z0-9][A-Za-z0-9_.:\\-]{0,63}$' "
            "[string_pattern_mismatch]",
            "monthly_balances: monthly_balances must list each month at most once [value_error]",
            "kyc.customer_key: String should match pattern '^[A-Za-z0-9][A-Za-z0-9_.:\\-]{0,63}$' "
            "[string_pattern_mismatch]",
        ],
    ),
    (
        "X13",
        _set("kyc.occupation", "x" * 81),
        "invalid_record",
        "kyc.occupation",
        ["kyc.occupation: Value should have at most 80 items after validation, not 81 [too_long]"],
    ),
    (
        "X14",
        _set("currency", "XXX"),
        "invalid_record",
        "currency",
        [
            "currency: currency code is not one custtier knows the ISO 4217 minor unit of; use one "
            "of AUD, BHD, CAD, CHF, CNY, EUR, GBP, HKD, IDR, INR, JOD, JPY, KRW, KWD, MOP, MYR, NZD, "
            "OMR, PHP, SAR, SGD, THB, TND, TWD, USD, VND [value_error]"
        ],
    ),
]


def _custtier(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CUSTTIER, *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=300
    )


def _variant(base: Record, key: str, change: Callable[[Record], None]) -> str:
    record = copy.deepcopy(base)
    record["key"] = record["kyc"]["customer_key"] = key
    change(record)
    return json.dumps(record)


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """Tonight's export: a synthetic book, then the bad and the odd lines."""
    where = tmp_path_factory.mktemp("night")
    made = _custtier("synth", "--size", "40", "--seed", "7", "--out", "book.jsonl", cwd=where)
    assert made.returncode == 0, made.stderr
    good = (where / "book.jsonl").read_text(encoding="utf-8").splitlines()
    base = next(
        r
        for r in map(json.loads, good)
        if r["risk_assessment"] and r["kyc"] and r["products_held"] and r["contact"]["consents"]
    )
    lines = [*good, *(_variant(base, key, change) for key, change, *_ in BAD)]
    lines += [
        "[1, 2]",
        "{not json",
        _variant(base, "Y01", _odd_but_valid),
        _variant(base, "Y02", _yen),
    ]
    (where / "night.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return where, len(good)


def test_nightly_ingest_of_good_and_bad_lines(night: tuple[Path, int]) -> None:
    where, good = night
    done = _custtier(
        "tier",
        "night.jsonl",
        "--preset",
        "practice",
        "--as-of",
        "2026-11-30",
        "--max-errors",
        "100%",
        "-o",
        "decisions.jsonl",
        cwd=where,
    )
    assert done.returncode == 0, done.stderr
    lines_in = len((where / "night.jsonl").read_text(encoding="utf-8").splitlines())
    out = [json.loads(line) for line in (where / "decisions.jsonl").read_text().splitlines()]
    decisions = [r for r in out if r.get("kind") == "tier"]
    errors = {r["error"]["line"]: r["error"] for r in out if "error" in r}

    # Every line in is one line out: a decision or an error record, nothing dropped.
    assert len(out) == lines_in == len(decisions) + len(errors)
    assert f"{lines_in} records in, {len(decisions)} decisions, {len(errors)} errors" in done.stderr

    # Each bad line's error record, as before: code, field and every problem listed.
    for offset, (key, _, code, field, problems) in enumerate(BAD, start=good + 1):
        error = errors[offset]
        assert (error["code"], error["field"]) == (code, field), key
        assert error["message"].splitlines() == [
            f"invalid Customer ({len(problems)} problem(s)):",
            *(f"  - {p}" for p in problems),
        ], key
        assert key not in error["message"]  # nothing from the line is echoed
    after = good + len(BAD)
    assert (errors[after + 1]["code"], errors[after + 1]["field"]) == ("invalid_record", None)
    assert errors[after + 2]["code"] == "invalid_json"
    # The odd but valid lines are read: one is decided, the yen one is refused
    # by tiering (the playbook's book is in CNY), not by ingest.
    assert (errors[after + 4]["code"], errors[after + 4]["field"]) == (
        "currency_mismatch",
        "currency",
    )
    decided = {d["customer_key"] for d in decisions}
    assert "Y01" in decided
    assert not decided & {key for key, *_ in BAD}
    assert len(decided) == good + 1
