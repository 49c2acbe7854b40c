"""Charts of results: the tier pyramid, profit concentration, movements, manager load, what-if.

Needs the ``plot`` extra (``pip install "custtier[plot]"``: matplotlib),
imported on first use; without it each function raises
:class:`~custtier.errors.MissingExtraError` naming the extra. Every function
draws on ``ax`` when given (a subplot of your figure) or on a new figure, and
returns the matplotlib ``Axes`` so you can restyle it. Amounts and shares
become floats here and only here: a chart needs no cent.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from custtier._money import exact_context
from custtier._views import eighty_twenty
from custtier.cadence import ContactPlan
from custtier.errors import InputError, MissingExtraError
from custtier.tiering import BookTiering

__all__ = ["concentration", "manager_load", "migration", "movements", "pyramid"]


def _axes(ax: Any) -> Any:
    """``ax``, or the axes of a new figure (matplotlib imported only now)."""
    if ax is not None:
        return ax
    try:
        plt = importlib.import_module("matplotlib.pyplot")
    except ImportError:
        raise MissingExtraError(
            extra="plot", module="matplotlib", purpose="custtier.plot"
        ) from None
    _, new = plt.subplots()
    return new


def pyramid(result: BookTiering, *, ax: Any = None, share: str = "customer_share") -> Any:
    """The tier pyramid: customers per tier, top tier on top, each bar labelled with its shares.

    ``share`` picks the bar length: ``customer_share`` (default),
    ``asset_share`` or ``profit_share``. The label gives all three, so the
    80/20 shape reads off one chart.
    """
    if share not in {"customer_share", "asset_share", "profit_share"}:
        raise InputError("share must be customer_share, asset_share or profit_share", field="share")
    ax = _axes(ax)
    rows = list(reversed(result.summary))  # barh draws bottom-up: the top tier last
    values = [float(getattr(s, share)) * 100 for s in rows]
    bars = ax.barh([s.tier for s in rows], values, color="#4c72b0")
    labels = [
        f"{s.count} customers · {_whole_percent(s.asset_share)} of assets · "
        f"{_whole_percent(s.profit_share)} of profit"
        for s in rows
    ]
    ax.bar_label(bars, labels=labels, padding=3, fontsize="small")
    ax.set_xlabel(f"{share.replace('_', ' ')} (%)")
    ax.set_xlim(0, max([*values, 1.0]) * 1.9)  # room for the labels
    ax.set_title(f"Tier pyramid, as of {result.as_of}")
    return ax


def concentration(result: BookTiering, *, ax: Any = None) -> Any:
    """The profit concentration curve with the 80/20 markers.

    Customers ordered by profit, highest first; the dashed lines mark 20 %
    of customers and 80 % of profit, and the dot where the curve reaches
    80 % says which share of customers carries it.
    """
    ax = _axes(ax)
    if not result.concentration:
        ax.set_title("Profit concentration (no customers)")
        return ax
    xs = [float(c) * 100 for c, _ in result.concentration]
    ys = [float(p) * 100 for _, p in result.concentration]
    ax.plot(xs, ys, color="#4c72b0", label="share of profit carried")
    ax.plot([0, 100], [0, 100], color="grey", linewidth=0.8, label="every customer equal")
    ax.axvline(20, color="#dd8452", linestyle="--", linewidth=1)
    ax.axhline(80, color="#dd8452", linestyle="--", linewidth=1)
    line = eighty_twenty(result.concentration)
    if line is not None:
        carriers, top = line
        ax.plot([float(carriers) * 100], [80], "o", color="#c44e52")
        ax.annotate(
            f"{_whole_percent(carriers)} of customers carry at least 80% of profit\n"
            f"the top 20% carry {_whole_percent(top)}",
            xy=(float(carriers) * 100, 80),
            xytext=(35, 40),
            arrowprops={"arrowstyle": "->"},
            fontsize="small",
        )
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_xlabel("customers, highest profit first (%)")
    ax.set_ylabel("profit (%)")
    ax.set_title(f"Profit concentration, as of {result.as_of}")
    ax.legend(loc="lower right", fontsize="small")
    return ax


def movements(before: BookTiering, after: BookTiering, *, ax: Any = None) -> Any:
    """Tier movements between two runs: customers per (tier before, tier after) cell.

    Customers in only one run are counted as ``(new)`` or ``(gone)``. The
    diagonal is who stayed; above it, upgrades.
    """
    ax = _axes(ax)
    was = {d.customer_key: d.outcome for d in before.decisions}
    now = {d.customer_key: d.outcome for d in after.decisions}
    moved = Counter(
        (was.get(key, "(new)"), now.get(key, "(gone)")) for key in sorted(was.keys() | now.keys())
    )
    tiers = _tier_order(before, after)
    rows = ["(new)", *tiers]
    cols = [*tiers, "(gone)"]
    grid = [[moved.get((r, c), 0) for c in cols] for r in rows]
    ax.imshow(grid, cmap="Blues")
    darkest = max(max(row) for row in grid) or 1
    for i, row in enumerate(grid):
        for j, count in enumerate(row):
            if count:
                colour = "white" if count > darkest / 2 else "black"
                ax.text(j, i, str(count), ha="center", va="center", color=colour, fontsize="small")
    ax.set_xticks(range(len(cols)), cols, rotation=30, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel(f"tier on {after.as_of}")
    ax.set_ylabel(f"tier on {before.as_of}")
    ax.set_title("Tier movements")
    return ax


def _tier_order(*results: BookTiering) -> list[str]:
    """Tiers lowest first, as the summaries list them top first."""
    order: list[str] = []
    for result in results:
        for s in reversed(result.summary):
            if s.tier not in order:
                order.append(s.tier)
    return order


def manager_load(plan: ContactPlan, *, ax: Any = None, managers: Sequence[str] = ()) -> Any:
    """Booked hours per ISO week for each manager (or those in ``managers``), with capacity.

    Capacity is drawn dashed where the plan was levelled against it.
    """
    ax = _axes(ax)
    wanted = set(managers)
    by_manager: dict[str, list[Any]] = {}
    for row in plan.load:
        if not wanted or row.manager_id in wanted:
            by_manager.setdefault(row.manager_id, []).append(row)
    weeks = sorted({row.week for rows in by_manager.values() for row in rows})
    position = {week: i for i, week in enumerate(weeks)}
    for manager, rows in sorted(by_manager.items()):
        rows.sort(key=lambda r: r.week)
        xs = [position[r.week] for r in rows]
        (drawn,) = ax.plot(xs, [r.booked_minutes / 60 for r in rows], marker="o", label=manager)
        capacity = [r.capacity_minutes for r in rows]
        if all(c is not None for c in capacity):
            ax.plot(xs, [c / 60 for c in capacity], linestyle="--", color=drawn.get_color())
    step = max(1, len(weeks) // 12)
    ax.set_xticks(range(0, len(weeks), step), weeks[::step], rotation=30, ha="right")
    ax.set_ylim(bottom=0)
    ax.set_ylabel("hours booked (dashed: capacity)")
    ax.set_title(f"Manager load, {plan.start} to {plan.end}")
    if by_manager:
        ax.legend(fontsize="small")
    return ax


def migration(impact: Any, *, ax: Any = None, value: str = "customers") -> Any:
    """A what-if's tier migration: today's tier down the side, the proposal's across.

    ``impact`` is a :class:`~custtier.PolicyImpact` or a
    :class:`custtier.frames.TableImpact`; ``value`` colours and labels each
    cell with ``customers`` (default), ``aum`` or ``profit``. The diagonal is
    who keeps their tier; the cells off it, who moves.
    """
    if value not in {"customers", "aum", "profit"}:
        raise InputError("value must be customers, aum or profit", field="value")
    ax = _axes(ax)
    tiers = list(impact.tiers)
    at = {(c.from_tier, c.to_tier): c for c in impact.matrix}
    grid = [[float(getattr(at[a, b], value)) for b in tiers] for a in tiers]
    ax.imshow(grid, cmap="Blues")
    darkest = max(max(row) for row in grid) if grid else 0.0
    for i, a in enumerate(tiers):
        for j, b in enumerate(tiers):
            cell = at[a, b]
            if cell.customers:
                amount = getattr(cell, value)
                shown = f"{amount:,}" if value == "customers" else _short(amount)
                colour = "white" if grid[i][j] > darkest / 2 else "black"
                weight = "normal" if a == b else "bold"
                ax.text(
                    j,
                    i,
                    shown,
                    ha="center",
                    va="center",
                    color=colour,
                    fontsize="small",
                    fontweight=weight,
                )
    ax.set_xticks(range(len(tiers)), tiers, rotation=30, ha="right")
    ax.set_yticks(range(len(tiers)), tiers)
    current, proposed = impact.current, impact.proposed
    ax.set_ylabel(f"today: {current.id} v{current.version}")
    ax.set_xlabel(f"proposed: {proposed.id} v{proposed.version}")
    ax.set_title(f"Tier migration ({value}), as of {impact.as_of}")
    return ax


def _whole_percent(share: Decimal) -> str:
    """A label's share in whole percent from the exact Decimal, half-even (floats only place marks)."""
    with exact_context():  # the caller's decimal context must not change a label
        return f"{share.scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)}%"


def _short(amount: Decimal) -> str:
    """``1.2M``, ``350k``: a cell label, rounded half-even from the exact amount."""
    with exact_context():
        for size, suffix in ((9, "B"), (6, "M"), (3, "k")):
            if abs(amount) >= Decimal(10) ** size:
                tenths = amount.scaleb(-size).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
                return f"{tenths}{suffix}"
        return f"{amount.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)}"
