"""May this customer buy this product? Every rule that speaks gives a reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from custtier._money import check_amount, check_precision, exact_context
from custtier._tier_arg import TierLike, tier_id
from custtier.errors import InputError
from custtier.models import Customer, Product
from custtier.rules import Playbook
from custtier.suitability._at_sale import (
    AgeSource,
    ValidityBound,
    effective_validity,
    elderly_sources,
)
from custtier.suitability._explanation import decision_of
from custtier.suitability._models import SuitabilityDecision
from custtier.suitability._plan import (
    ProductClass,
    SuitabilityPlan,
    product_class,
    suitability_plan,
)
from custtier.suitability._tables import RiskTables
from custtier.suitability._trace import (
    AmountCheck,
    LevelStep,
    SaleFlag,
    SuitabilityTrace,
    TierCheck,
    TraceKey,
)

__all__ = [
    "capped_level",
    "check_suitability",
    "evaluate",
    "grid_neighbours",
    "trace",
    "trace_suitability",
]


def check_suitability(
    customer: Customer,
    product: Product,
    playbook: Playbook,
    *,
    as_of: dt.date,
    tier: TierLike | None = None,
    amount: Decimal | int | str | None = None,
    in_branch: bool = False,
) -> SuitabilityDecision:
    """Decide whether ``customer`` may buy ``product`` on ``as_of``, with every reason.

    Blocks: a product level above the customer's row of the matrix (the
    matrix binds every product, whatever its category); no risk assessment
    valid on ``as_of`` (valid to the earlier of its ``valid_until`` and
    ``assessed_on`` plus the playbook's ``validity_months``), when only
    risk-free products (a risk-free category *and* the lowest product level)
    may be sold; for a customer ``elderly_age`` or older on ``as_of`` (by
    birth date or by the questionnaire's age answer), a product above the
    row of ``elderly_max_level``; a product reserved for tiers other than
    ``tier`` (a tier id or the customer's :class:`~custtier.TierDecision`); an ``amount`` below the minimum or off the increment (with the
    nearest valid amounts). Conditions of an allowed sale (never blocks): a
    cooling-off period, extra confirmation for an elderly customer, and a
    recorded sale when ``in_branch`` and the product is not risk-free. Each
    applies only if the playbook's ``policy`` lists it (the elderly cap with
    ``level_matrix``). A product filed under a risk-free category above the
    lowest level is an :class:`~custtier.errors.InputError` naming it.

    >>> import datetime as dt
    >>> from custtier import Customer, Product, presets
    >>> c = Customer(key="C1", risk_assessment={"level": "C2", "score": 30,
    ...     "assessed_on": "2026-03-01", "valid_until": "2027-02-28"})
    >>> equity = Product(id="EQ-1", name="Growth Equity Fund", category="equity_fund",
    ...                  risk_level="R4", minimum_investment="1000.00", increment="100.00")
    >>> d = check_suitability(c, equity, presets.REGULATORY, as_of=dt.date(2026, 11, 30))
    >>> d.outcome, d.reasons[0].code.value
    ('blocked', 'SUIT_LEVEL_EXCEEDED')
    """
    plan, tier_, value = _checked(customer, product, playbook, tier, amount)
    with exact_context():
        return decision_of(
            trace(
                customer, product, plan, as_of=as_of, tier=tier_, amount=value, in_branch=in_branch
            )
        )


def trace_suitability(
    customer: Customer,
    product: Product,
    playbook: Playbook,
    *,
    as_of: dt.date,
    tier: TierLike | None = None,
    amount: Decimal | int | str | None = None,
    in_branch: bool = False,
) -> SuitabilityTrace:
    """How a check is reached (arguments as :func:`check_suitability`), its reasons unbuilt.

    For a caller who needs the outcome and not the messages (which products
    of a catalogue to offer): the trace holds the codes of each step and
    ``.allowed``; ``.decision()`` renders the reasons when they are wanted,
    equal to :func:`check_suitability`'s. Inputs are checked, and refused,
    as :func:`check_suitability` does.

    >>> import datetime as dt
    >>> from custtier import Customer, Product, presets
    >>> deposit = Product(id="DEP-1Y", name="One-year deposit", category="deposit",
    ...                   risk_level="R1")
    >>> t = trace_suitability(Customer(key="C1"), deposit, presets.REGULATORY,
    ...                       as_of=dt.date(2026, 11, 30))
    >>> t.allowed, t.key.level.name
    (True, 'RISK_FREE')
    """
    plan, tier_, value = _checked(customer, product, playbook, tier, amount)
    with exact_context():
        return trace(
            customer, product, plan, as_of=as_of, tier=tier_, amount=value, in_branch=in_branch
        )


def _checked(
    customer: Customer,
    product: Product,
    playbook: Playbook,
    tier: TierLike | None,
    amount: Decimal | int | str | None,
) -> tuple[SuitabilityPlan, str | None, Decimal | None]:
    """The plan, the tier id and the amount, once the inputs are known to fit the playbook."""
    plan = suitability_plan(playbook)
    t = plan.tables
    tier_ = None if tier is None else tier_id(tier, customer_key=customer.key)
    require_known_tier(tier_, t)
    require_known_level(customer, t)
    _check_inputs(customer, product, plan)
    value = None
    if amount is not None:
        value = check_precision(check_amount(amount), product.currency)
    return plan, tier_, value


def require_known_tier(tier: str | None, t: RiskTables) -> None:
    if tier is not None and tier not in t.tier_rank:
        raise InputError(f"tier is not one of the playbook's {list(t.tier_rank)}", field="tier")


def require_known_level(customer: Customer, t: RiskTables) -> None:
    ra = customer.risk_assessment
    if ra is not None and ra.level not in t.customer_rank:
        raise InputError(
            f"risk assessment level is not one of the playbook's {list(t.customer_rank)}; "
            "re-assess the customer under this playbook",
            field="risk_assessment.level",
        )


def _check_inputs(customer: Customer, product: Product, plan: SuitabilityPlan) -> None:
    t = plan.tables
    if product.risk_level not in t.product_rank:
        raise InputError(
            f"product risk level is not one of the playbook's {list(t.product_rank)}",
            field="product.risk_level",
        )
    if product.category not in t.categories:
        raise InputError(
            "product category is not defined in the playbook", field="product.category"
        )
    if product_class(plan, product) is ProductClass.MISFILED:
        raise InputError(
            f"product {product.id!r} is rated {product.risk_level} but filed under the "
            f"risk-free category {product.category!r}; only products at the lowest level "
            f"({t.playbook.risk.product_levels[0].id}) may be risk-free: file it under its own "
            "category (a structured deposit under structured_product) or correct its rating",
            field="product.category",
        )
    if product.currency != customer.currency:
        raise InputError("product and customer currencies differ", field="product.currency")


def evaluate(
    customer: Customer,
    product: Product,
    plan: SuitabilityPlan,
    *,
    as_of: dt.date,
    tier: str | None,
    amount: Decimal | None,
    in_branch: bool,
) -> SuitabilityDecision:
    """The engine proper (inputs checked, inside ``exact_context``): the trace, rendered."""
    return decision_of(
        trace(customer, product, plan, as_of=as_of, tier=tier, amount=amount, in_branch=in_branch)
    )


# Named tuples built without their Python-level __new__ (the hot path: one per check).
_new = tuple.__new__


def trace(
    customer: Customer,
    product: Product,
    plan: SuitabilityPlan,
    *,
    as_of: dt.date,
    tier: str | None,
    amount: Decimal | None,
    in_branch: bool,
) -> SuitabilityTrace:
    """Each step's code and the facts its reasons quote; no reason is built here."""
    # Risk-free only at the lowest product level (a misfiled product was refused earlier).
    risk_free = product_class(plan, product) is ProductClass.RISK_FREE
    elderly = elderly_sources(customer, plan.tables, as_of) if plan.elderly_rules else ()
    if risk_free:  # sold without an assessment: the matrix does not speak
        level, row, until = LevelStep.RISK_FREE, -1, None
    else:
        level, row, until = _level(customer, product, plan, as_of, elderly)
    reserved = product.reserved_for_tiers
    if not reserved or plan.reservation is None:
        tier_check = TierCheck.OPEN
    else:
        tier_check = TierCheck.ELIGIBLE if tier in reserved else TierCheck.RESERVED
    nearest: tuple[Decimal, ...] = ()
    if amount is None or plan.grid is None:
        amount_check = AmountCheck.NO_AMOUNT
    else:
        amount_check, nearest = _amount(product, amount)
    # Plain int arithmetic on the flags: IntFlag's own | is slow on a hot path.
    sale = (
        (SaleFlag.COOLING_OFF if product.cooling_off_hours and plan.cooling is not None else 0)
        + (
            SaleFlag.EXTRA_CONFIRMATION
            if not risk_free and elderly and plan.elderly is not None
            else 0
        )
        + (
            SaleFlag.RECORDED_SALE
            if in_branch and not risk_free and plan.recorded is not None
            else 0
        )
    )
    return _new(
        SuitabilityTrace,
        (
            plan,
            customer.key,
            product,
            as_of,
            _new(TraceKey, (level, row, tier_check, amount_check, sale)),
            customer.risk_assessment,
            until,
            elderly,
            tier,
            amount,
            nearest,
        ),
    )


def capped_level(level: str, t: RiskTables, elderly: tuple[AgeSource, ...]) -> str:
    """``level``, or the playbook's elderly cap when the customer is elderly and above it."""
    cap = t.elderly_cap
    if elderly and cap is not None and t.customer_rank[level] > t.customer_rank[cap]:
        return cap
    return level


def _level(
    customer: Customer,
    product: Product,
    plan: SuitabilityPlan,
    as_of: dt.date,
    elderly: tuple[AgeSource, ...],
) -> tuple[LevelStep, int, tuple[dt.date, ValidityBound] | None]:
    """Assessment valid on the day, the matrix row, the elderly cap (not for a risk-free product).

    Returns the step, the customer rank whose matrix row decided (-1: none)
    and the valid assessment's effective validity (None without one).
    """
    ra = customer.risk_assessment
    # The effective validity (the earlier bound, and which) decides and is quoted.
    until = None if ra is None else effective_validity(ra, plan.tables)
    valid = until is not None and ra is not None and ra.assessed_on <= as_of <= until[0]
    if not valid or plan.matrix is None:
        if valid or plan.required is None:
            return LevelStep.NONE, -1, None
        return (LevelStep.NO_ASSESSMENT if ra is None else LevelStep.EXPIRED), -1, until
    assert ra is not None  # valid
    rank = plan.tables.customer_rank[ra.level]
    cap = plan.caps[rank]
    if cap < 0:
        raise InputError(
            "risk assessment level is not a level of this playbook", field="risk_assessment.level"
        )
    prank = plan.tables.product_rank[product.risk_level]
    if prank > cap:
        return LevelStep.EXCEEDED, rank, until
    row = plan.elderly_cap if elderly and 0 <= plan.elderly_cap < rank else rank
    if prank > plan.caps[row]:
        return LevelStep.ELDERLY_CAPPED, row, until
    return LevelStep.WITHIN, row, until


def _amount(product: Product, amount: Decimal) -> tuple[AmountCheck, tuple[Decimal, ...]]:
    """Minimum and increment: the check, and the nearest valid amounts (``amount`` if on grid)."""
    if amount < product.minimum_investment:
        return AmountCheck.BELOW_MINIMUM, (product.minimum_investment,)
    nearest = grid_neighbours(amount, product)
    return (AmountCheck.ON_GRID if len(nearest) == 1 else AmountCheck.OFF_INCREMENT), nearest


def grid_neighbours(amount: Decimal, product: Product) -> tuple[Decimal, ...]:
    """Valid amounts ``minimum + k × increment`` around ``amount`` (itself, if valid).

    >>> from custtier import Product
    >>> p = Product(id="P", name="P", category="c", risk_level="R1",
    ...             minimum_investment="10000", increment="1000")
    >>> grid_neighbours(Decimal("12500"), p)
    (Decimal('12000'), Decimal('13000'))
    >>> grid_neighbours(Decimal("12000"), p)
    (Decimal('12000'),)
    """
    steps, rest = divmod(amount - product.minimum_investment, product.increment)
    below = product.minimum_investment + steps * product.increment
    return (amount,) if rest == 0 else (below, below + product.increment)
