"""The benchmark suite in one command: custtier beside its baselines, as Markdown tables.

Run: ``python benchmarks/suite.py [--sizes 10000,100000,1000000] [--quick] [--out FILE.md]``
(from a checkout with ``pip install -e ".[bench,frames,calendars]"``; about 20
minutes in full, under 2 with ``--quick``). Sections:

1. **Tiering, columnar** on seeded books (``bench_batch.book``):
   ``custtier.frames.tier_table`` against numpy ``searchsorted`` (the
   baseline), pandas and polars ``cut``, zen-engine and rule-engine per row,
   a bare Python loop, and ``tier_book`` on validated models. Answers are
   checked to agree before anything is timed.
2. **Ingest**: ``Customer.from_record`` / ``model_validate`` / ``from_json``
   on synthetic records against a bare pydantic v2 model of the same schema
   (plain ``str``, ``Decimal``, ``date``, the same enums and nesting, no
   custom validators).
3. **One customer end to end** through the scalar API (validate, tier,
   suitability over the catalogue, allocation, a 12-month contact plan,
   decisions out as JSON): p50 / p90 / p99 per step and in total, against a
   straightforward pydantic-in / pydantic-out pipeline.
4. **A 1,000,000-customer book on one core**: ``tier_table``, then
   ``suitability_table`` and ``occasions_table`` when ``custtier.frames``
   has them; wall time and peak memory against the goals.
5. **Peers at their fastest documented path**: ``assign_tier`` against
   zen-engine (basic, loader with ``ZenDecisionContent``, ``evaluate_batch``,
   ``compile_expression``), rule-engine (per band, one rule) and a bare
   if/elif on the same bands, one customer at a time, round-robin.

Every measurement runs in a fresh subprocess, so each peak memory
(its own high-water mark, ``VmHWM``) is its own. Throughput is the best of several repeats;
latency is a distribution. The machine block comes first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import math
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as common
import bench_batch
import bench_cadence
import bench_suitability
import bench_tiering

from custtier import AmlRating, CalendarKind, Channel, DateKind, Need, Relation, presets

SCRIPT = Path(__file__).resolve()
AS_OF = bench_batch.AS_OF  # 2026-11-30, also bench_suitability's
assert AS_OF == bench_suitability.AS_OF
PB = presets.PRACTICE  # bench_cadence's playbook; tiers high_end / mid_end / mass
PLAN_START, PLAN_END = bench_cadence.START, bench_cadence.END  # the 12 months of 2026
AMOUNT = bench_suitability.AMOUNT  # ¥250,000.00 to allocate
TIMEOUT = 3_600.0

# --------------------------------------------------------------------------- 1. tiering

#: (method, label); the first five run in ``bench_batch.prepare``.
TIER_METHODS = (
    ("columnar", "custtier `frames.tier_table` (Pareto rule on)"),
    ("columnar_no_pareto", "custtier `frames.tier_table` (bands only)"),
    ("numpy", "numpy `searchsorted` + labels (baseline)"),
    ("pandas", "pandas `cut`"),
    ("polars", "polars `cut`"),
    ("bare", "bare Python loop (if/elif per row)"),
    ("rule_engine", "rule-engine, per row (one rule per band, first match)"),
    ("zen", "zen-engine, per row (JDM decision table, first hit)"),
    ("scalar", "custtier `tier_book` (scalar, validated models)"),
)
PER_ROW = {"rule_engine", "zen", "scalar"}


def prepare_tier(method: str, n: int) -> Callable[[], Any]:
    """The timed call of ``method`` on ``bench_batch.book(n)``; inputs built here, untimed."""
    if method in bench_batch.METHODS:
        return bench_batch.prepare(method, n)
    data = bench_batch.book(n)
    low, high = bench_batch.BARS
    if method == "bare":
        rows = data["balances"].tolist()

        def bare() -> list[str]:
            out = []
            for a, b, c in rows:
                avg = (a + b + c) // 3
                if avg >= high:
                    out.append("high_end")
                elif avg >= low:
                    out.append("mid_end")
                else:
                    out.append("mass")
            return out

        return bare
    # The engines get each row's three-month average (in yuan) ready-made:
    # they evaluate the band table only.
    inputs = [{"aum": x} for x in (data["balances"].sum(axis=1) / 300).tolist()]
    if method == "zen":
        import zen

        decision = zen.ZenEngine().create_decision(bench_tiering.zen_table())
        return lambda: [decision.evaluate(x)["result"]["tier"] for x in inputs]
    if method == "rule_engine":
        import rule_engine

        ctx = rule_engine.Context(default_value=None)
        rules = [
            (tier, rule_engine.Rule(f"aum >= {lo}", context=ctx))
            for tier, lo in reversed(bench_tiering.BANDS)
        ]
        return lambda: [next(t for t, r in rules if r.matches(x)) for x in inputs]
    raise SystemExit(f"unknown tiering method {method}")


def labels_of(result: Any) -> list[str]:
    if hasattr(result, "to_list"):  # polars
        return [str(x) for x in result.to_list()]
    return [str(x) for x in list(result)]


def check_tiering(n: int, methods: Sequence[str]) -> str:
    """Columnar = scalar (digest), and every band-only method gives numpy's labels."""
    bench_batch.check_same_answers(n)
    expected = labels_of(prepare_tier("numpy", n)())
    for method in methods:
        if method.startswith("columnar") or method in {"numpy", "scalar"}:
            continue
        got = labels_of(prepare_tier(method, n)())
        bad = sum(a != b for a, b in zip(got, expected, strict=True))
        assert bad == 0, f"{method} disagrees with numpy on {bad} of {n} customers"
    return (
        f"Checked before timing, on a {n:,}-customer book: `tier_table`'s output digest "
        "equals `tier_book`'s (KYC columns off); numpy's bands equal `tier_table`'s rule "
        "tier on every complete row outside the Pareto set; pandas, polars, the bare loop, "
        "zen-engine and rule-engine give numpy's label on every row."
    )


def measure_tier(spec: dict[str, Any]) -> dict[str, Any]:
    call = prepare_tier(spec["method"], spec["n"])
    gc.collect()
    base = common.peak_mib()
    times = []
    for _ in range(spec["repeat"]):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return {"seconds": min(times), "peak_mib": common.peak_mib() - base}


def section_tiering(args: argparse.Namespace) -> str:
    sizes = args.sizes
    methods = [m for m, _ in TIER_METHODS]
    note = check_tiering(min(5_000, max(sizes)), methods)
    results: dict[tuple[str, int], dict[str, Any]] = {}
    for n in sizes:
        for method in methods:
            cap = args.scalar_max if method == "scalar" else args.engine_max
            if method in PER_ROW and n > cap:
                continue
            repeat = 3 if method in PER_ROW and n <= 10_000 else 1 if method in PER_ROW else 5
            if n >= 1_000_000 and method not in PER_ROW:
                repeat = 3
            spec = {"kind": "tier", "method": method, "n": n, "repeat": repeat}
            results[method, n] = run(spec)
    rows = []
    for method, label in TIER_METHODS:
        cells, points, last = [], [], None
        for n in sizes:
            r = results.get((method, n))
            base = results.get(("numpy", n), {})
            if r is None:
                cells.append("—")
            elif "error" in r:
                cells.append(f"failed ({r['error']})")
            else:
                ratio = r["seconds"] / base["seconds"] if "seconds" in base else math.nan
                cells.append(f"{common.fmt_seconds(r['seconds'])} ({common.fmt_ratio(ratio)})")
                points.append((n, r["seconds"]))
                last = (n, r)
        if last is None:
            rows.append([label, *cells, "—", "—", "—"])
            continue
        n, r = last
        where = "" if n == sizes[-1] else f" (at {n:,})"
        k = common.exponent(points)
        rows.append([
            label, *cells, f"{r['seconds'] / n * 1e6:,.3f}{where}",
            f"{r['peak_mib']:,.0f}{where}", "—" if math.isnan(k) else f"{k:.2f}",
        ])  # fmt: skip
    heads = ["implementation", *(f"{n:,}" for n in sizes), "µs / customer", "peak MiB", "k"]
    table = common.md_table(heads, rows, "l" + "r" * (len(sizes) + 3))
    return "\n\n".join([
        "## 1. Tiering, columnar",
        "The practice preset's three bands (mass below ¥50,000, mid-end below ¥500,000, "
        "high-end above) on the three-month average daily balance of a seeded columnar "
        "book (`bench_batch.book`: log-normal balances, 3 % of months missing, money as "
        "exact integers). Each cell: best time, then the ratio to numpy at that size. "
        f"Best of 5 runs (3 at 1,000,000); per-row engines and the scalar path best of 3 "
        f"up to 10,000 and one run above, and only up to {args.engine_max:,} customers "
        f"(zen-engine, rule-engine) and {args.scalar_max:,} (`tier_book`), where one run "
        "stays under about a minute. zen-engine and rule-engine receive each row's "
        "average ready-made (they evaluate the band table only); the bare loop averages "
        "the three integer balances itself. `tier_table` also validates every row, "
        "applies the missing-month policy, the Pareto rule and writes twenty audit "
        "columns. Peak MiB: the measuring subprocess's peak resident memory above the "
        "prepared data (0 = no new high-water mark), at the largest size measured; k: the exponent in time ∝ n^k.",
        note,
        table,
    ])  # fmt: skip


# --------------------------------------------------------------------------- bare pydantic models


class BareMonthlyBalance(BaseModel):
    month: str
    average_daily_balance: Decimal


class BareProductHolding(BaseModel):
    product_id: str
    principal: Decimal
    opened_on: dt.date | None = None
    matures_on: dt.date | None = None


class BareChannelConsent(BaseModel):
    channel: Channel
    service: bool = True
    marketing: bool = False
    recorded_on: dt.date | None = None


class BareContactPreferences(BaseModel):
    consents: tuple[BareChannelConsent, ...] = ()
    do_not_contact: bool = False
    do_not_contact_since: dt.date | None = None


class BareAnswer(BaseModel):
    question_id: str
    option_id: str


class BareRiskAssessment(BaseModel):
    level: str
    score: int
    assessed_on: dt.date
    valid_until: dt.date
    answers: tuple[BareAnswer, ...] = ()
    playbook_id: str | None = None
    playbook_version: str | None = None


class BareIdentity(BaseModel):
    full_name: str | None = None
    id_document_type: str | None = None
    id_number: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    account_numbers: tuple[str, ...] = ()


class BareImportantDate(BaseModel):
    kind: DateKind
    relation: Relation = Relation.SELF
    on: dt.date
    calendar: CalendarKind = CalendarKind.GREGORIAN
    label: str | None = None


class BareFamilyMember(BaseModel):
    relation: Relation
    birth_on: dt.date | None = None
    needs_note: str | None = None


class BareKycFile(BaseModel):
    customer_key: str
    identity: BareIdentity | None = None
    occupation: str | None = None
    employer_industry: str | None = None
    currency: str = "CNY"
    declared_annual_income: Decimal | None = None
    declared_external_assets: Decimal | None = None
    source_of_funds: str | None = None
    aml_rating: AmlRating | None = None
    last_reviewed_on: dt.date | None = None
    important_dates: tuple[BareImportantDate, ...] = ()
    interests: tuple[str, ...] = ()
    family: tuple[BareFamilyMember, ...] = ()


class BareCustomer(BaseModel):
    """``custtier.Customer``'s fields and nesting, as a developer would write them plainly."""

    key: str
    currency: str = "CNY"
    birth_date: dt.date | None = None
    assets_under_management: Decimal = Decimal(0)
    monthly_balances: tuple[BareMonthlyBalance, ...] = ()
    annual_profit_contribution: Decimal = Decimal(0)
    annual_income: Decimal | None = None
    products_held: tuple[BareProductHolding, ...] = ()
    needs: tuple[Need, ...] = ()
    contact: BareContactPreferences = Field(default_factory=BareContactPreferences)
    time_zone: str = "Asia/Shanghai"
    manager_id: str | None = None
    referred_by: str | None = None
    customer_since: dt.date | None = None
    risk_assessment: BareRiskAssessment | None = None
    kyc: BareKycFile | None = None


class BareResult(BaseModel):
    """The baseline pipeline's answer: pydantic out."""

    key: str
    tier: str
    suitable: list[str]
    allocated_minor_units: int
    contacts: int


# --------------------------------------------------------------------------- 2. ingest

INGEST_METHODS = (
    ("custtier_from_record", "dict", "custtier `Customer.from_record`"),
    ("custtier_model_validate", "dict", "custtier `Customer.model_validate`"),
    ("bare_model_validate", "dict", "bare pydantic `model_validate` (baseline)"),
    ("custtier_from_json", "json", "custtier `Customer.from_json`"),
    ("bare_validate_json", "json", "bare pydantic `model_validate_json` (baseline)"),
)


def records(n: int, *, seed: int = 11) -> list[dict[str, Any]]:
    """``n`` synthetic customers as JSON-ready dicts, personal data in clear (it is fake)."""
    from custtier import synth

    book = synth.customers(n, seed=seed, as_of=AS_OF, playbook=PB)
    return [c.to_record(reveal_personal_data=True) for c in book]


def records_file(n: int, seed: int) -> str:
    """:func:`records` written once as JSON lines under the run's work directory."""
    path = Path(os.environ["CUSTTIER_SUITE_DIR"]) / f"records-{seed}-{n}.jsonl"
    if not path.exists():
        path.write_text("\n".join(json.dumps(r) for r in records(n, seed=seed)), encoding="utf-8")
    return str(path)


def load_records(path: str, *, parse: bool = True) -> list[Any]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines] if parse else lines


def check_ingest(n: int) -> str:
    from custtier import Customer

    for rec in records(n):
        ours, bare = Customer.from_record(rec), BareCustomer.model_validate(rec)
        assert ours.key == bare.key
        assert ours.assets_under_management == bare.assets_under_management
        assert [m.average_daily_balance for m in ours.monthly_balances] == [
            m.average_daily_balance for m in bare.monthly_balances
        ]
        assert len(ours.products_held) == len(bare.products_held)
        assert (ours.kyc is None) == (bare.kyc is None)
        assert ours.to_record(reveal_personal_data=True) == rec  # the round trip is exact
    return (
        f"Checked before timing on {n:,} records: both models accept every record, agree on "
        "the fields compared, and custtier's export of what it read equals the input record."
    )


def measure_ingest(spec: dict[str, Any]) -> dict[str, Any]:
    from custtier import Customer

    method = spec["method"]
    recs = load_records(spec["records"], parse=not method.endswith("json"))
    parse: Callable[[Any], Any] = {
        "custtier_from_record": Customer.from_record,
        "custtier_model_validate": Customer.model_validate,
        "bare_model_validate": BareCustomer.model_validate,
        "custtier_from_json": Customer.from_json,
        "bare_validate_json": BareCustomer.model_validate_json,
    }[method]
    for rec in recs[:200]:  # warm-up: first-call costs (schema caches, imports)
        parse(rec)
    gc.collect()
    base = common.peak_mib()
    times = []
    for _ in range(spec["repeat"]):
        kept: list[Any] = []  # a batch load keeps what it read
        if not spec["gc"]:
            gc.disable()
        t0 = time.perf_counter()
        for rec in recs:
            kept.append(parse(rec))
        elapsed = time.perf_counter() - t0
        gc.enable()
        times.append(elapsed)
        del kept
        gc.collect()
    peak = common.peak_mib()
    tracemalloc.start()  # one more pass, untimed: what the validated records hold
    kept = [parse(rec) for rec in recs]
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del kept
    return {"seconds": min(times), "peak_mib": peak, "held_mib": held / 2**20, "base_mib": base}


def section_ingest(args: argparse.Namespace) -> str:
    n = args.customers
    note = check_ingest(min(n, 1_000))
    results = {}
    for gc_on in (True, False):
        for method, _, _ in INGEST_METHODS:
            spec = {
                "kind": "ingest", "method": method, "n": n, "repeat": 3, "gc": gc_on,
                "records": records_file(n, 11),
            }  # fmt: skip
            results[method, gc_on] = run(spec)
    rows = []
    for gc_on in (True, False):
        for form, ours, bare in (
            ("dict", "custtier_from_record", "bare_model_validate"),
            ("dict", "custtier_model_validate", "bare_model_validate"),
            ("JSON text", "custtier_from_json", "bare_validate_json"),
        ):
            a, b = results[ours, gc_on], results[bare, gc_on]
            label = next(lbl for m, _, lbl in INGEST_METHODS if m == ours)
            if "error" in a or "error" in b:
                rows.append([label, form, "on" if gc_on else "off", a.get("error", ""), b.get("error", ""), "—", "—", "—", "—"])  # fmt: skip
                continue
            ratio = a["seconds"] / b["seconds"]
            rows.append([
                label, form, "on" if gc_on else "off",
                f"{a['seconds'] / n * 1e6:,.1f}", f"{b['seconds'] / n * 1e6:,.1f}",
                common.fmt_ratio(ratio), "**yes**" if ratio <= 1.25 else "**no**",
                f"{a['held_mib']:,.1f} / {b['held_mib']:,.1f}",
                f"{a['peak_mib']:,.0f} / {b['peak_mib']:,.0f}",
            ])  # fmt: skip
    heads = [
        "custtier", "input", "cyclic gc", "custtier µs / record", "bare pydantic µs / record",
        "ratio", "≤ 1.25×?", "MiB held (custtier / bare)", "peak MiB (custtier / bare)",
    ]  # fmt: skip
    return "\n\n".join([
        "## 2. Ingest",
        f"{n:,} synthetic customers (`synth.customers(seed=11)` under the practice preset, "
        "exported with `to_record(reveal_personal_data=True)`, so amounts and dates arrive "
        "as JSON strings), validated one by one and kept in a list, as a batch load does. "
        "The baseline is a bare pydantic v2 model of the same schema written in this "
        "benchmark: plain `str`, `Decimal`, `date`, the same enums, tuples and nesting, "
        "default config, no custom validators (custtier adds: frozen models, "
        "`extra='forbid'`, key / identifier / month / time-zone patterns, masked personal "
        "fields, exact-money and currency-precision checks, sorted de-duplicated sets, "
        "cross-field checks, errors without input values). Best of 3 passes after a "
        "200-record warm-up; the cyclic garbage collector on (the default) or off during "
        "the timed pass. MiB held: what the list of validated records holds "
        "(`tracemalloc`, in one more, untimed pass); peak MiB: the subprocess's "
        "peak resident memory (records loaded from a JSON-lines file, interpreter and imports "
        "included). With the collector on, its collections over the growing list of kept "
        "objects cost both sides alike and grow with the number kept (compare a `--quick` "
        "run), which flattens the ratio: the rows with the collector off compare the "
        "validation work itself. Goal (issue 6): custtier ≤ 1.25× the bare model.",
        note,
        common.md_table(heads, rows, "lllrrrlrr"),
    ])  # fmt: skip


# --------------------------------------------------------------------------- 3. end to end

E2E_STEPS = ("validate", "tier", "suitability", "allocate", "cadence", "out")
STEP_LABELS = {
    "validate": "validate the record",
    "tier": "tier",
    "suitability": "suitability, every catalogue product",
    "allocate": "allocate ¥250,000",
    "cadence": "12-month contact cadence",
    "out": "decisions out (JSON)",
    "total": "**total**",
}


def e2e_context() -> dict[str, Any]:
    from custtier import HolidaysCalendar, synth
    from custtier.cadence import _tables

    catalogue = synth.catalogue(PB)
    calendar = HolidaysCalendar("CN")
    return {
        "catalogue": catalogue,
        "calendar": calendar,
        "tables": _tables.tables(PB, PLAN_START, PLAN_END, calendar),
        "suitable": bench_suitability.bare_suitable(PB),
        "alloc": bench_suitability.bare_allocate(PB, list(catalogue)),
        "window": set(bench_batch.WINDOW),
        "bars": tuple(Decimal(b).scaleb(-2) for b in bench_batch.BARS),
    }


def bare_tier(c: BareCustomer, ctx: dict[str, Any]) -> str:
    """if/elif on the average of the window's months present (fewer than two: mass)."""
    values = [m.average_daily_balance for m in c.monthly_balances if m.month in ctx["window"]]
    if len(values) < 2:
        return "mass"
    avg = sum(values) / len(values)
    low, high = ctx["bars"]
    if avg >= high:
        return "high_end"
    if avg >= low:
        return "mid_end"
    return "mass"


def custtier_steps(ctx: dict[str, Any]) -> Callable[[dict[str, Any], list[int]], None]:
    from custtier import Customer, allocate, assign_tier, check_catalogue, plan_contacts

    catalogue, calendar = ctx["catalogue"], ctx["calendar"]
    clock = time.perf_counter_ns

    def one(rec: dict[str, Any], ns: list[int]) -> None:
        ns[0] = clock()
        c = Customer.from_record(rec)
        ns[1] = clock()
        d = assign_tier(c, PB, as_of=AS_OF)
        ns[2] = clock()
        suits = check_catalogue(c, catalogue, PB, as_of=AS_OF, tier=d.outcome)
        ns[3] = clock()
        alloc = allocate(c, AMOUNT, catalogue, PB, as_of=AS_OF, tier=d.outcome)
        ns[4] = clock()
        plan = plan_contacts(
            (c,), PB, start=PLAN_START, end=PLAN_END, tiers={c.key: d}, calendar=calendar
        )
        ns[5] = clock()
        _ = [x.model_dump_json() for x in (d, *suits, alloc, plan)]
        ns[6] = clock()

    return one


def baseline_steps(ctx: dict[str, Any]) -> Callable[[dict[str, Any], list[int]], None]:
    catalogue, tables = ctx["catalogue"], ctx["tables"]
    suitable, alloc = ctx["suitable"], ctx["alloc"]
    clock = time.perf_counter_ns

    def one(rec: dict[str, Any], ns: list[int]) -> None:
        ns[0] = clock()
        c = BareCustomer.model_validate(rec)
        ns[1] = clock()
        tier = bare_tier(c, ctx)
        ns[2] = clock()
        ok = [p.id for p in catalogue if suitable(c, p, tier)]
        ns[3] = clock()
        placed = alloc(c, tier)
        ns[4] = clock()
        contacts = bench_cadence.baseline([c], {c.key: tier}, tables)
        ns[5] = clock()
        BareResult(
            key=c.key, tier=tier, suitable=ok, allocated_minor_units=placed, contacts=contacts
        ).model_dump_json()
        ns[6] = clock()

    return one


def check_e2e(n: int) -> str:
    """How often the baseline's answers match custtier's (they are not asserted equal)."""
    from custtier import Customer, assign_tier, check_suitability

    ctx = e2e_context()
    same_tier = same_set = 0
    recs = records(n, seed=12)
    for rec in recs:
        c, b = Customer.from_record(rec), BareCustomer.model_validate(rec)
        tier = assign_tier(c, PB, as_of=AS_OF).outcome
        same_tier += tier == bare_tier(b, ctx)
        ours = {
            p.id
            for p in ctx["catalogue"]
            if check_suitability(c, p, PB, as_of=AS_OF, tier=tier).allowed
        }
        same_set += ours == {p.id for p in ctx["catalogue"] if ctx["suitable"](b, p, tier)}
    return (
        f"Agreement on {n:,} customers: the baseline's if/elif gives custtier's tier for "
        f"{same_tier / n:.1%} (differences: the practice preset's rounding and "
        "missing-month policy); given custtier's tier, its list comprehension allows exactly "
        f"custtier's products for {same_set / n:.1%}."
    )


def measure_e2e(spec: dict[str, Any]) -> dict[str, Any]:
    ctx = e2e_context()
    one = (custtier_steps if spec["pipeline"] == "custtier" else baseline_steps)(ctx)
    warm = spec["warm"]
    recs = load_records(spec["records"])
    ns = [0] * (len(E2E_STEPS) + 1)
    for rec in recs[:warm]:
        one(rec, ns)
    recs = recs[warm:]
    samples = [[0] * len(recs) for _ in (*E2E_STEPS, "total")]
    gc.collect()
    base = common.peak_mib()
    if not spec["gc"]:
        gc.disable()
    t0 = time.perf_counter()
    for i, rec in enumerate(recs):
        one(rec, ns)
        for s in range(len(E2E_STEPS)):
            samples[s][i] = ns[s + 1] - ns[s]
        samples[-1][i] = ns[-1] - ns[0]
    wall = time.perf_counter() - t0
    gc.enable()
    out: dict[str, Any] = {"wall": wall, "peak_mib": common.peak_mib() - base}
    for name, values in zip((*E2E_STEPS, "total"), samples, strict=True):
        values.sort()
        out[name] = {f"p{q}": common.percentile(values, q) / 1e3 for q in (50, 90, 99)} | {
            "mean": sum(values) / len(values) / 1e3
        }
    return out


def section_e2e(args: argparse.Namespace) -> str:
    n = args.customers
    warm = min(200, max(1, n // 10))
    note = check_e2e(min(n, 1_000))
    spec = {"kind": "e2e", "n": n, "warm": warm, "records": records_file(n + warm, 13)}
    res = {
        (p, g): run({**spec, "pipeline": p, "gc": g})
        for p in ("custtier", "baseline")
        for g in (True, False)
    }
    parts = [
        "## 3. One customer end to end",
        f"{n:,} synthetic customers (`synth.customers(seed=13)`, records as in section 2) "
        "through the scalar API one at a time under the practice preset, as of "
        f"{AS_OF}: validate the record (`Customer.from_record`), `assign_tier` (alone: no "
        "Pareto set, no previous decision), `check_catalogue` (`check_suitability`'s "
        f"decision for **each** of the catalogue's {len(synth_catalogue())} products, "
        "`synth.catalogue`, the customer's side read once), `allocate` "
        "¥250,000 over that catalogue, `plan_contacts` for that one customer over the 12 "
        "months of 2026 (`HolidaysCalendar('CN')`, no managers, so no levelling), and the "
        "decisions out as JSON (`model_dump_json` of the tier decision, every suitability "
        "decision, the allocation and the plan). Baseline, the same steps written "
        "plainly: the bare pydantic model, an if/elif on the three-month average, a list "
        "comprehension of `bench_suitability.bare_suitable`, `bench_suitability."
        "bare_allocate`, `bench_cadence.baseline` (stdlib date arithmetic, counting the "
        "dates) and a bare pydantic result model dumped to JSON. Each step timed with "
        f"`time.perf_counter_ns` around it; {warm} customers first as an untimed warm-up; "
        "the cyclic garbage collector on (as in a service) and, in a second run, off.",
        note,
    ]  # fmt: skip
    for g in (True, False):
        a, b = res["custtier", g], res["baseline", g]
        head = f"### cyclic gc {'on' if g else 'off'}"
        if "error" in a or "error" in b:
            parts += [head, f"failed: {a.get('error', '')} {b.get('error', '')}"]
            continue
        rows = []
        for step in (*E2E_STEPS, "total"):
            x, y = a[step], b[step]
            rows.append([
                STEP_LABELS[step],
                *(f"{x[q]:,.1f}" for q in ("p50", "p90", "p99")),
                *(f"{y[q]:,.1f}" for q in ("p50", "p90", "p99")),
                common.fmt_ratio(x["p50"] / y["p50"]) if y["p50"] else "—",
            ])  # fmt: skip
        heads = [
            "step (µs)", "custtier p50", "p90", "p99", "baseline p50", "p90", "p99",
            "ratio at p50",
        ]  # fmt: skip
        total, btotal = a["total"], b["total"]
        goals = common.md_table(
            ["goal (issue 6), end to end", "custtier", "met?", "baseline", "met?"],
            [
                ["p50 ≤ 15 µs", f"{total['p50']:,.1f} µs", _met(total["p50"] <= 15),
                 f"{btotal['p50']:,.1f} µs", _met(btotal["p50"] <= 15)],
                ["p99 ≤ 40 µs", f"{total['p99']:,.1f} µs", _met(total["p99"] <= 40),
                 f"{btotal['p99']:,.1f} µs", _met(btotal["p99"] <= 40)],
            ],
            "lrlrl",
        )  # fmt: skip
        parts += [
            head,
            common.md_table(heads, rows, "lrrrrrrr"),
            f"Wall time {a['wall']:.1f} s custtier, {b['wall']:.1f} s baseline "
            f"({a['wall'] / n * 1e6:,.0f} and {b['wall'] / n * 1e6:,.0f} µs per customer "
            f"with the timing around each step); peak MiB above the records: "
            f"{a['peak_mib']:,.0f} and {b['peak_mib']:,.0f}.",
            goals,
        ]
    return "\n\n".join(parts)


def _count(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"


def _met(ok: bool) -> str:
    return "**yes**" if ok else "**no**"


def synth_catalogue() -> tuple[Any, ...]:
    from custtier import synth

    return synth.catalogue(PB)


# --------------------------------------------------------------------------- 4. the big book

STAGES = ("tier_table", "suitability_table", "occasions_table")
PAIRS_PER_CUSTOMER = 3
PLAN_DAYS = 90


def pin_one_core() -> str:
    """Run this process (and Arrow's pool) on one CPU; say which."""
    import pyarrow as pa

    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    return f"CPU {cpu}"


def measure_big(spec: dict[str, Any]) -> dict[str, Any]:
    import _bigbook

    import custtier.frames as cf
    from custtier import HolidaysCalendar, synth

    n = spec["n"]
    cpu = pin_one_core()
    cf.require()
    start_mib = common.peak_mib()
    t0 = time.perf_counter()
    book = _bigbook.customer_table(n, playbook=PB, as_of=AS_OF)
    gc.collect()
    out: dict[str, Any] = {
        "cpu": cpu,
        "start_mib": start_mib,
        "book_seconds": time.perf_counter() - t0,
        "book_mib": common.peak_mib(),
        "book_bytes": book.nbytes,
        "stages": {},
    }
    catalogue = synth.catalogue(PB)
    plan_start = AS_OF + dt.timedelta(days=1)
    plan_end = AS_OF + dt.timedelta(days=PLAN_DAYS)

    def stage(name: str, build: Callable[[], Any], call: Callable[[Any], Any]) -> Any:
        if not hasattr(cf, name):
            out["stages"][name] = {"missing": True}
            return None
        t_build = time.perf_counter()
        try:
            data = build()
        except Exception as exc:  # the input shape is this benchmark's assumption
            out["stages"][name] = {"error": f"input: {type(exc).__name__}: {exc}"[:300]}
            return None
        built = time.perf_counter() - t_build
        t = time.perf_counter()
        try:
            result = call(data)
        except Exception as exc:  # a stage still being written may refuse the input
            out["stages"][name] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
            return None
        seconds = time.perf_counter() - t
        rows_in = getattr(data, "num_rows", None)
        rows_out = getattr(result, "num_rows", None)
        names = getattr(result, "column_names", ())
        errors = rows_out - result.column("error_code").null_count if "error_code" in names else None  # fmt: skip
        out["stages"][name] = {
            "error_rows": errors,
            "seconds": seconds,
            "input_seconds": built,
            "rows_in": rows_in,
            "rows_out": rows_out,
            "peak_mib": common.peak_mib(),
        }
        return result

    def schema(prefix: str) -> Any:
        maker = getattr(cf, f"{prefix}_input_schema", None)
        return maker(PB) if maker is not None else None

    tiered = stage(
        "tier_table",
        lambda: book.select(list(_bigbook.TIER_COLUMNS)),
        lambda data: cf.tier_table(data, PB, as_of=AS_OF),
    )
    if tiered is None:
        return out
    tiers = _bigbook.tiers_or_lowest(tiered, PB)
    del tiered
    suited = stage(
        "suitability_table",
        lambda: _bigbook.suitability_input_table(
            book, tiers, catalogue, per_customer=PAIRS_PER_CUSTOMER, schema=schema("suitability")
        ),
        lambda pairs: cf.suitability_table(pairs, catalogue, PB, as_of=AS_OF),
    )
    if suited is not None:
        out["suitability_check"] = check_pairs(book, tiers, suited, catalogue)
    del suited
    gc.collect()
    calendar = HolidaysCalendar("CN")
    stage(
        "occasions_table",
        lambda: _bigbook.occasions_input(book, tiers, schema=schema("occasions")),
        lambda customers: cf.occasions_table(
            customers, PB, start=plan_start, end=plan_end, calendar=calendar
        ),
    )
    out["peak_mib"] = common.peak_mib()
    if "seconds" in out["stages"].get("occasions_table", {}):
        out["occasions_check"] = check_occasions(book, tiers, schema("occasions"))
    return out


def check_pairs(book: Any, tiers: Any, suited: Any, catalogue: Sequence[Any], sample: int = 300) -> str:  # fmt: skip
    """After timing: the first pairs' outcomes and reasons against ``check_suitability``."""
    from custtier import Customer, check_suitability

    products = {p.id: p for p in catalogue}
    per = PAIRS_PER_CUSTOMER
    rows = suited.slice(0, sample * per).select(
        ["customer_key", "product_id", "outcome", "reason_codes"]
    )
    customers = [Customer.model_validate(r) for r in book.slice(0, sample).to_pylist()]
    same = 0
    for i, row in enumerate(rows.to_pylist()):
        c = customers[i // per]
        d = check_suitability(c, products[row["product_id"]], PB, as_of=AS_OF, tier=tiers[i // per].as_py())  # fmt: skip
        same += (c.key, d.outcome, [r.code.value for r in d.reasons]) == (
            row["customer_key"], row["outcome"], row["reason_codes"],
        )  # fmt: skip
    return (
        f"`suitability_table` gives `check_suitability`'s outcome and reason codes on {same:,} "
        f"of the first {rows.num_rows:,} pairs (checked after timing)."
    )


def check_occasions(book: Any, tiers: Any, schema: Any, sample: int = 300) -> str:
    """After timing: the occasions input of the first customers equals ``occasions_input_table``'s."""
    import _bigbook

    import custtier.frames as cf
    from custtier import Customer

    if not hasattr(cf, "occasions_input_table"):
        return ""
    head, head_tiers = book.slice(0, sample), tiers.slice(0, sample)
    ours = _bigbook.occasions_input(head, head_tiers, schema=schema)
    models = [Customer.model_validate(r) for r in head.to_pylist()]
    keys = head.column("key").to_pylist()
    ref = cf.occasions_input_table(models, dict(zip(keys, head_tiers.to_pylist(), strict=True)))
    names = [c for c in ref.column_names if c != "last_contacts"]  # no history here
    same = ours.select(names).to_pylist() == ref.select(names).to_pylist()
    verdict = "equals" if same else "**differs from**"
    return (
        f"The occasions input of the first {sample:,} customers {verdict} what "
        "`occasions_input_table` builds from the same customers validated as models (no history)."
    )


def section_big(args: argparse.Namespace) -> str:
    n = args.big
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", POLARS_MAX_THREADS="1")
    r = run({"kind": "big", "n": n}, env=env)
    intro = (
        f"One process pinned to one CPU (`sched_setaffinity`, Arrow's thread pools at 1). "
        f"The book: {n:,} customers in `Customer`'s shape as Arrow columns "
        f"(`benchmarks/_bigbook.py`: {min(n, 5_000):,} validated `synth` customers repeated with `take`, "
        "each row with its own key and its dates moved back by its own 0-364 days; no "
        f"million pydantic models), as of {AS_OF}. Stages, each timed once: "
        "`frames.tier_table` on the tiering columns (practice preset, Pareto rule on); "
        f"`frames.suitability_table` on {PAIRS_PER_CUSTOMER} (customer, product) pairs per "
        f"customer ({PAIRS_PER_CUSTOMER * n:,} rows in `suitability_input_schema`: key, "
        "currency, birth date, the risk assessment's level and validity, the tier from the "
        "first stage, no amount, not in branch; products drawn at random, distinct per "
        f"customer, from the {len(synth_catalogue())}-product `synth.catalogue`); "
        "`frames.occasions_table` "
        f"over the {PLAN_DAYS} days after {AS_OF} with `HolidaysCalendar('CN')` (in "
        "`occasions_input_schema`: the customers' cadence fields flattened as "
        "`occasions_input_table` lays them out, and the tier from the first stage; no contact "
        "history). Building each stage's input from the book "
        "is glue, shown apart and not counted. A stage `custtier.frames` does not have yet "
        "is *not available*. Goals (issue 6): the whole run ≤ 60 s and ≤ 4 GB; the memory "
        "column is the process's peak resident memory so far, the book included. Peak "
        "memory everywhere is the measuring subprocess's own high-water mark (`VmHWM`; "
        "`ru_maxrss` would start at the parent's peak, which Linux carries across `exec`)."
    )
    head = f"## 4. A {n:,}-customer book through tiering, suitability and a {PLAN_DAYS}-day plan on one core"  # fmt: skip
    if "error" in r:
        return "\n\n".join([head, intro, f"failed: {r['error']}"])
    rows = [[
        "generate the book (not timed against the goal)", f"{n:,}", "—", "—",
        common.fmt_seconds(r["book_seconds"]), "—", f"{r['book_mib']:,.0f}",
    ]]  # fmt: skip
    total = 0.0
    for name in STAGES:
        s = r["stages"].get(name)
        label = f"custtier `frames.{name}`"
        if s is None or s.get("missing") or "error" in s:
            why = (
                "not run (an earlier stage failed)" if s is None
                else "not available" if s.get("missing") else f"failed: {s['error']}"
            )  # fmt: skip
            rows.append([label, "—", "—", "—", why, "—", "—"])
            continue
        total += s["seconds"]
        rows.append([
            label, _count(s["rows_in"]), _count(s["rows_out"]), _count(s["error_rows"]),
            common.fmt_seconds(s["seconds"]), common.fmt_seconds(s["input_seconds"]),
            f"{s['peak_mib']:,.0f}",
        ])  # fmt: skip
    peaks = [r["book_mib"], r.get("peak_mib", 0), *(s.get("peak_mib", 0) for s in r["stages"].values())]  # fmt: skip
    peak = max(peaks)
    ran = [k for k, s in r["stages"].items() if "seconds" in s]
    rows.append([
        f"**stages run** ({', '.join(ran) or 'none'})", "", "", "",
        f"**{common.fmt_seconds(total)}**", "", f"**{peak:,.0f}**",
    ])  # fmt: skip
    table = common.md_table(
        ["stage", "rows in", "rows out", "error rows", "wall time", "input glue", "peak MiB"],
        rows,
        "lrrrrrr",
    )
    complete = len(ran) == len(STAGES)
    partial = "" if complete else f" ({len(ran)} of {len(STAGES)} stages)"

    def verdict(ok: bool) -> str:
        if n != 1_000_000:
            return "— (the goals are for 1,000,000)"
        return _met(ok) if complete else "not yet (stages missing)"

    goals = common.md_table(
        ["goal (issue 6)", "result", "met?"],
        [
            ["whole run ≤ 60 s", common.fmt_seconds(total) + partial, verdict(total <= 60)],
            ["peak memory ≤ 4 GB", f"{peak / 1024:,.2f} GiB{partial}", verdict(peak <= 4096)],
        ],
        "lrl",
    )
    facts = (
        f"The book holds {r['book_bytes'] / 2**20:,.0f} MiB of Arrow buffers; the process "
        f"peaked at {r['start_mib']:,.0f} MiB after imports and {r['book_mib']:,.0f} MiB "
        f"once the book was built. Ran on {r['cpu']}."
    )
    for check in ("suitability_check", "occasions_check"):
        if r.get(check):
            facts += " " + r[check]
    return "\n\n".join([head, intro, table, facts, goals])


# --------------------------------------------------------------------------- 5. peers at their best

#: (method, label) of ``bench_tiering.peer_runs``, in the order of the table.
PEER_METHODS = (
    ("assign_tier", "custtier `assign_tier` (a decision; reasons rendered when read)"),
    (
        "trace_tier",
        "custtier `trace_tier` (the tier and its trace; `.decision()` renders the reasons)",
    ),
    ("zen_basic", "zen-engine `create_decision(...).evaluate` (basic usage)"),
    ("zen_loader", "zen-engine `ZenEngine` + loader (`ZenDecisionContent`), `evaluate(key, ctx)`"),
    ("zen_batch", "zen-engine `ZenEngine` + loader, `evaluate_batch` (all rows in one call)"),
    ("zen_static", "zen-engine `ZenEngine` + static loader config, `evaluate(key, ctx)`"),
    ("zen_static_batch", "zen-engine `ZenEngine` + static loader config, `evaluate_batch`"),
    ("zen_expression", "zen-engine `compile_expression` (one nested ternary, a label only)"),
    ("rule_engine_rules", "rule-engine, one rule per band (first match)"),
    ("rule_engine_ternary", "rule-engine, one rule (nested ternary), `evaluate`"),
    ("bare", "bare if/elif on `Decimal`"),
)


def measure_peers(spec: dict[str, Any]) -> dict[str, Any]:
    """Best of ``repeat`` rounds; each round times every method once, in turn.

    Round-robin in one process: on a shared machine a slow spell then falls on
    every method alike instead of on whichever ran during it.
    """
    pb = bench_tiering.aum_playbook()
    book = bench_tiering.customers(spec["n"], seed=1)
    calls = bench_tiering.peer_runs(book, pb)
    expected = calls["bare"]()
    for name, call in calls.items():
        assert call() == expected, f"{name} disagrees with the bare if/elif"
    best = dict.fromkeys(calls, math.inf)
    load = [os.getloadavg()[0]]
    for _ in range(spec["repeat"]):
        for name, call in calls.items():
            gc.collect()
            t0 = time.perf_counter()
            call()
            best[name] = min(best[name], time.perf_counter() - t0)
    load.append(os.getloadavg()[0])
    return {"us": {k: v / spec["n"] * 1e6 for k, v in best.items()}, "load": load}


def section_peers(args: argparse.Namespace) -> str:
    n = args.customers
    r = run({"kind": "peers", "n": n, "repeat": 3 if args.quick else 5})
    head = "## 5. Peers at their fastest documented path"
    if "error" in r:
        return f"{head}\n\nfailed ({r['error']})"
    us = r["us"]
    zen = us["zen_loader"]
    rows = [
        [label, f"{us[m]:,.3f}", common.fmt_ratio(us[m] / us["assign_tier"]),
         common.fmt_ratio(us[m] / zen)]
        for m, label in PEER_METHODS
    ]  # fmt: skip
    table = common.md_table(
        ["implementation", "µs / customer", "ratio to `assign_tier`", "ratio to zen loader"],
        rows,
        "lrrr",
    )
    # The goal holds against zen's fastest decision-graph path in this run, whichever it is.
    fastest = min(("zen_loader", "zen_static", "zen_batch", "zen_static_batch"), key=us.__getitem__)
    rows = []
    for method in ("trace_tier", "assign_tier"):
        ratio = us[method] / us[fastest]
        rows.append([f"`{method}` ≤ 0.5× zen-engine's fastest `ZenEngine` path (here {fastest})",
                     f"{ratio:.2f}×", _met(ratio <= 0.5)])  # fmt: skip
    goals = common.md_table(["goal (issue 13)", "result", "met?"], rows, "lrl")
    intro = (
        f"The same three bands (mass below ¥50,000, mid-end below ¥500,000, high-end above) "
        f"on assets under management, {n:,} validated customers with log-normal assets "
        "(`bench_tiering.customers`), one customer at a time. zen-engine is measured at "
        "every path its documentation names: basic usage, the loader with a pre-compiled "
        "`ZenDecisionContent` (the one its performance page recommends), `evaluate_batch` "
        "on that engine, both again with the static loader config its type stubs offer (no "
        "Python call per request), and `compile_expression`; rule-engine per band and as one rule. "
        "Every method's labels are checked to equal the bare if/elif's first. "
        f"Best of {3 if args.quick else 5} rounds, each round timing every method once in "
        "turn, in one subprocess. The peers return a label; `assign_tier` returns a "
        "decision whose reasons, facts, rule id, playbook hash and KYC gaps it renders "
        "from its trace when read (`.outcome` alone renders nothing). Load "
        f"average (1 min) at the start and end: {r['load'][0]:.2f}, {r['load'][1]:.2f} on "
        f"{os.cpu_count()} CPUs; on a loaded machine treat the ratios as the figures."
    )
    return "\n\n".join([head, intro, table, goals])


# --------------------------------------------------------------------------- driver


def run(spec: dict[str, Any], env: dict[str, str] | None = None) -> dict[str, Any]:
    t0 = time.perf_counter()
    result = common.run_json(SCRIPT, spec, timeout=TIMEOUT, env=env)
    shown = {k: v for k, v in spec.items() if k != "kind"}
    print(f"# {spec['kind']} {shown}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    if "error" in result:
        print(f"#   failed: {result['error']}", file=sys.stderr)
    return result


def one(spec_text: str) -> None:
    spec = json.loads(spec_text)
    measure = {"tier": measure_tier, "ingest": measure_ingest, "e2e": measure_e2e,
               "big": measure_big, "peers": measure_peers}  # fmt: skip
    print(json.dumps(measure[spec["kind"]](spec)))


SECTIONS = {
    "1": section_tiering, "2": section_ingest, "3": section_e2e, "4": section_big,
    "5": section_peers,
}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", help="book sizes of section 1 (default 10000,100000,1000000; --quick 1000,10000)")  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="small sizes: 10,000 at most, 2,000 customers")  # fmt: skip
    parser.add_argument("--out", type=Path, help="also write the Markdown to this file")
    parser.add_argument("--customers", type=int, help="records for sections 2 and 3 (default 20,000; --quick 2,000)")  # fmt: skip
    parser.add_argument("--big", type=int, help="book size of section 4 (default 1,000,000; --quick the largest size)")  # fmt: skip
    parser.add_argument("--engine-max", type=int, default=100_000, help="largest book for zen-engine and rule-engine")  # fmt: skip
    parser.add_argument("--scalar-max", type=int, default=100_000, help="largest book for tier_book")  # fmt: skip
    parser.add_argument("--sections", default="12345", help="which sections to run, e.g. 15")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.one)
        return 0
    default_sizes = "1000,10000" if args.quick else "10000,100000,1000000"
    args.sizes = sorted(int(s) for s in (args.sizes or default_sizes).split(","))
    if args.quick and max(args.sizes) > 10_000:
        parser.error("--quick runs books of 10,000 customers at most")
    args.customers = args.customers or (2_000 if args.quick else 20_000)
    args.big = args.big or (min(10_000, max(args.sizes)) if args.quick else 1_000_000)
    started = time.perf_counter()
    work = tempfile.TemporaryDirectory(prefix="custtier-suite-")
    os.environ["CUSTTIER_SUITE_DIR"] = work.name
    title = "# custtier benchmark suite" + (" (--quick)" if args.quick else "")
    parts = [title, "## Machine", common.machine_block()]
    emit("\n\n".join(parts))
    for key in args.sections:
        text = SECTIONS[key](args)
        emit(text)
        parts.append(text)
    footer = f"Suite finished in {time.perf_counter() - started:,.0f} s."
    emit(footer)
    parts.append(footer)
    if args.out:
        args.out.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    work.cleanup()
    return 0


def emit(text: str) -> None:
    print(text + "\n", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
