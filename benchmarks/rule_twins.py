"""Lines of rule logic that exist in two forms: scalar (tiering/, suitability/, cadence/) and numpy (frames/).

Run: ``python benchmarks/rule_twins.py``. The "before" figure of issue 13's
redesign, counted the same way each time:

* A line is a line of code: not blank, not a comment, not a docstring.
* A function counts when it computes a rule's result (a band, an average
  over months, the Pareto cut, hysteresis, an override's choice, KYC gaps,
  reasons and their order, a suitability outcome, nearest amounts, a due
  date, a stagger, a segment) and the other path computes the same result
  with its own code: the pairs are listed below, by hand, per engine.
* Not counted: input validation, Arrow and schema plumbing, output assembly,
  and whatever the columnar path already takes from the scalar one (the
  compiled tiering and suitability plans and risk tables, ``cadence._tables.tables``,
  the cadence rules the columnar planner calls once per distinct value
  (``greeting_dates``, ``fixed_occurrences``, ``first_due``, ``interval_dates``,
  ``stagger``, ``kyc_due``, ``due_dates``, ``relied_until``, ``in_segment``, the
  labels) and the suitability rules it calls the same way (``validity_on``,
  ``elderly_by_birth``, ``elderly_by_answer``, ``matrix_row``, ``trace_of``'s
  codes per kind of buyer and product), ``kyc_gaps`` per distinct value, the
  tiering and suitability explanation tables (reasons, their order, the
  suitability outcome), ``product_class``, the override choice, month arithmetic evaluated
  per distinct date), because that exists once.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "custtier"

#: engine -> (scalar functions, columnar functions), as "module:function".
TWINS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "tiering": (
        (
            "tiering/_assign.py:trace", "tiering/_assign.py:_rules_rank",
            "tiering/_bases.py:_average_daily_balance", "tiering/_assign.py:_hysteresis",
            "tiering/_assign.py:_holding_bars", "tiering/_assign.py:_held_since",
            "tiering/_book.py:pareto_set", "tiering/_book.py:_cut",
            "tiering/_pareto.py:pareto_keys", "tiering/_pareto.py:_target",
            "tiering/_pareto.py:_numpy", "tiering/_pareto.py:_python",
        ),
        (
            "frames/_tier.py:cut_members", "frames/_tier.py:pareto_candidates",
            "frames/_tier.py:pareto_cut", "frames/_tier.py:_balances",
            "frames/_tier.py:_previous_held", "frames/_tier.py:_override",
            "frames/_tier.py:_decide", "frames/_tier.py:_hysteresis",
            "frames/_tier_bases.py:average_daily_balance", "frames/_tier_bases.py:round_div",
        ),
    ),
    "suitability": (
        (
            "suitability/_check.py:_amount", "suitability/_check.py:grid_neighbours",
            "suitability/_at_sale.py:answered_min_age",
        ),
        (
            "frames/_suitability.py:_age_answers", "frames/_suitability.py:_grid",
            "frames/_suitability.py:_nearest",
        ),
    ),
    "cadence": (
        (
            "cadence/_occasions.py:expand", "cadence/_expand.py:campaign_items",
            "cadence/_expand.py:_campaign_occ", "cadence/_expand.py:birthdays",
            "cadence/_expand.py:important_dates", "cadence/_expand.py:_recurring_interval",
            "cadence/_expand.py:_due_items", "cadence/_expand.py:kyc_reviews",
            "cadence/_expand.py:maturities", "cadence/_plan.py:_last_contacts",
        ),
        (
            "frames/_cadence.py:_expand", "frames/_cadence.py:_own_birthdays",
            "frames/_cadence.py:_birthdays", "frames/_cadence.py:_important",
            "frames/_cadence.py:_interval", "frames/_cadence.py:_kyc",
            "frames/_cadence.py:_maturities", "frames/_cadence.py:_last_contact",
            "frames/_cadence.py:_item_order",
        ),
    ),
}  # fmt: skip


def _docstring_lines(tree: ast.Module) -> set[int]:
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):  # fmt: skip
                out.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    return out


def code_lines(qualified: str) -> int:
    """Code lines of the top-level function or class ``module:name``."""
    module, name = qualified.split(":")
    text = (SRC / module).read_text(encoding="utf-8")
    tree = ast.parse(text)
    docs = _docstring_lines(tree)
    lines = text.splitlines()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name == name:
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            return sum(
                1
                for i in range(start, (node.end_lineno or start) + 1)
                if i not in docs
                and lines[i - 1].strip()
                and not lines[i - 1].strip().startswith("#")
            )
    raise SystemExit(f"{qualified} not found: update the list in {__file__}")


def main() -> int:
    total_s = total_c = 0
    print("| engine | scalar lines (functions) | columnar lines (functions) |")
    print("|---|---:|---:|")
    for engine, (scalar, columnar) in TWINS.items():
        s, c = sum(map(code_lines, scalar)), sum(map(code_lines, columnar))
        total_s, total_c = total_s + s, total_c + c
        print(f"| {engine} | {s} ({len(scalar)}) | {c} ({len(columnar)}) |")
    print(f"| all | {total_s} | {total_c} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
