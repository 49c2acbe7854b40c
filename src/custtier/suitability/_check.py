"""May this customer buy this product? Every rule that speaks gives a reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from custtier._args import (
    as_customer,
    as_date,
    as_playbook,
    as_product,
    as_products,
    unchanging,
)
from custtier._money import check_amount, check_precision, exact_context
from custtier._tier_arg import TierLike, tier_id
from custtier.errors import InputError
from custtier.models import Customer, Product, RiskAssessment
from custtier.rules import Playbook
from custtier.suitability._at_sale import (
    AgeSource,
    ValidityBound,
    elderly_sources,
    validity_on,
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
    "Buyer",
    "buyer",
    "capped_level",
    "check_catalogue",
    "check_suitability",
    "codes_for",
    "grid_neighbours",
    "matrix_row",
    "trace",
    "trace_of",
    "trace_suitability",
    "traced",
]


def check_suitability(
    customer: Customer | Mapping[str, Any],
    product: Product | Mapping[str, Any],
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
    customer, product, playbook, as_of = _arguments(customer, product, playbook, as_of)
    plan, tier_, value = _checked(customer, product, playbook, tier, amount)
    with exact_context():
        return decision_of(
            trace(
                customer, product, plan, as_of=as_of, tier=tier_, amount=value, in_branch=in_branch
            )
        )


def trace_suitability(
    customer: Customer | Mapping[str, Any],
    product: Product | Mapping[str, Any],
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
    customer, product, playbook, as_of = _arguments(customer, product, playbook, as_of)
    plan, tier_, value = _checked(customer, product, playbook, tier, amount)
    with exact_context():
        return trace(
            customer, product, plan, as_of=as_of, tier=tier_, amount=value, in_branch=in_branch
        )


def check_catalogue(
    customer: Customer | Mapping[str, Any],
    catalogue: Iterable[Product | Mapping[str, Any]],
    playbook: Playbook,
    *,
    as_of: dt.date,
    tier: TierLike | None = None,
    in_branch: bool = False,
) -> tuple[SuitabilityDecision, ...]:
    """:func:`check_suitability` for each product of ``catalogue``, in its order, without amounts.

    What an advisor's screen asks at the counter: which of the bank's
    products may this customer buy today, and why not the others. Each
    decision equals ``check_suitability(customer, product, playbook,
    as_of=as_of, tier=tier, in_branch=in_branch)``; the customer's side
    (the assessment's validity on the day, the matrix row, the elderly cap)
    is read once instead of once per product. Inputs are refused as
    :func:`check_suitability` refuses them, the tier and the assessment's
    level before any product, then each product in turn.

    >>> import datetime as dt
    >>> from custtier import Customer, presets, synth
    >>> c = Customer(key="C1", risk_assessment={"level": "C2", "score": 30,
    ...     "assessed_on": "2026-03-01", "valid_until": "2027-02-28"})
    >>> shelf = synth.catalogue(presets.REGULATORY)
    >>> ds = check_catalogue(c, shelf, presets.REGULATORY, as_of=dt.date(2026, 11, 30))
    >>> len(ds) == len(shelf), sum(d.allowed for d in ds)
    (True, 19)
    """
    customer, playbook = as_customer(customer), as_playbook(playbook)
    plan = suitability_plan(playbook)
    # A tuple of products already checked whole for this currency: every product fits.
    key = (id(catalogue), customer.currency)
    fitting = plan.fitting.get(key)
    checked = fitting is not None and fitting[0] is catalogue
    products = fitting[1] if fitting is not None and checked else as_products(catalogue)
    as_of = as_date(as_of, "as_of")
    t = plan.tables
    tier_ = None if tier is None else tier_id(tier, customer_key=customer.key)
    require_known_tier(tier_, t)
    require_known_level(customer, t)
    out = []
    rank, categories, risk_free, currency = (
        t.product_rank,
        t.categories,
        t.risk_free,
        customer.currency,
    )
    with exact_context():
        who = buyer(customer, plan, as_of)
        codes = codes_for(who, plan, tier_, in_branch)
        for product in products:
            # A product that fits the playbook passes every check; only a doubtful one is asked.
            category = product.category
            if not checked and (
                product.currency != currency
                or category not in categories
                or product.risk_level not in rank
                or (category in risk_free and rank[product.risk_level] > 0)
            ):
                _check_inputs(customer, product, plan)  # a doubtful product is refused
            out.append(decision_of(traced(codes, who, product, plan, as_of, tier_, in_branch)))
    if not checked and unchanging(catalogue) and len(plan.fitting) < _FITTING_LIMIT:
        plan.fitting[key] = (catalogue, products)
    return tuple(out)


#: Catalogues kept as checked, per playbook (more are checked each time, never wrong).
_FITTING_LIMIT = 64


def _arguments(
    customer: object, product: object, playbook: object, as_of: object
) -> tuple[Customer, Product, Playbook, dt.date]:
    """The arguments as their types; the common call passes straight through."""
    if (
        type(customer) is Customer
        and type(product) is Product
        and type(playbook) is Playbook
        and type(as_of) is dt.date
    ):
        return customer, product, playbook, as_of
    return (
        as_customer(customer),
        as_product(product),
        as_playbook(playbook),
        as_date(as_of, "as_of"),
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


# Named tuples built without their Python-level __new__ (the hot path: one per check).
_new = tuple.__new__


class Buyer(NamedTuple):
    """What one customer brings to every check on one day, read once (a catalogue shares it).

    ``rank`` is the customer rank whose matrix row applies (-1: the matrix
    does not speak, and ``step`` says why: no check, no assessment, expired);
    ``cap`` that row's highest product rank, ``row`` the row after the
    elderly cap and ``row_cap`` its highest product rank.
    """

    key: str
    assessment: RiskAssessment | None
    until: tuple[dt.date, ValidityBound] | None  # the effective validity a level step quotes
    step: LevelStep
    rank: int
    cap: int
    row: int
    row_cap: int
    elderly: tuple[AgeSource, ...]


def buyer(customer: Customer, plan: SuitabilityPlan, as_of: dt.date) -> Buyer:
    """The customer's facts on ``as_of``: assessment validity, matrix row, elderly cap."""
    elderly = elderly_sources(customer, plan.tables, as_of) if plan.elderly_rules else ()
    ra = customer.risk_assessment
    # The effective validity (the earlier bound, and which) decides and is quoted.
    until, valid = (
        (None, False)
        if ra is None
        else validity_on(ra.assessed_on, ra.valid_until, plan.tables, as_of)
    )
    step, rank, cap, row, row_cap, quoted = matrix_row(
        plan, None if ra is None else ra.level, assessed=ra is not None, valid=valid,
        elderly=bool(elderly),
    )  # fmt: skip
    until = until if quoted else None
    return _new(Buyer, (customer.key, ra, until, step, rank, cap, row, row_cap, elderly))


def matrix_row(
    plan: SuitabilityPlan, level: str | None, *, assessed: bool, valid: bool, elderly: bool
) -> tuple[LevelStep, int, int, int, int, bool]:
    """A buyer's level step, matrix ranks (``Buyer``'s) and whether the validity is quoted.

    ``level`` is the assessment's customer level, ``assessed`` whether there
    is an assessment, ``valid`` whether a sale may rely on it on the day.
    """
    if not valid or plan.matrix is None:
        if valid or plan.required is None:
            return LevelStep.NONE, -1, -1, -1, -1, False
        return (LevelStep.EXPIRED if assessed else LevelStep.NO_ASSESSMENT), -1, -1, -1, -1, True
    assert level is not None  # valid
    rank = plan.tables.customer_rank[level]
    row = plan.elderly_cap if elderly and 0 <= plan.elderly_cap < rank else rank
    caps = plan.caps
    return LevelStep.WITHIN, rank, caps[rank], row, caps[row], True


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
    return trace_of(buyer(customer, plan, as_of), product, plan, as_of, tier, amount, in_branch)


def trace_of(  # noqa: PLR0917  # the hot path of a catalogue: one call per product
    who: Buyer,
    product: Product,
    plan: SuitabilityPlan,
    as_of: dt.date,
    tier: str | None,
    amount: Decimal | None,
    in_branch: bool,
) -> SuitabilityTrace:
    """:func:`trace` for a customer already read: only the product's own steps run."""
    # Risk-free only at the lowest product level (a misfiled product was refused earlier).
    risk_free = product_class(plan, product) is ProductClass.RISK_FREE
    if risk_free:  # sold without an assessment: the matrix does not speak
        level, row, until = LevelStep.RISK_FREE, -1, None
    else:
        level, row, until = _level(who, product, plan)
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
    elderly = who.elderly
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
            who.key,
            product,
            as_of,
            _new(TraceKey, (level, row, tier_check, amount_check, sale)),
            who.assessment,
            until,
            elderly,
            tier,
            amount,
            nearest,
        ),
    )


#: Products whose codes one kind of buyer keeps (past it, traced each time: never wrong).
_CODES_LIMIT = 4096
Codes = dict[int, tuple[Product, TraceKey, bool]]


def codes_for(who: Buyer, plan: SuitabilityPlan, tier: str | None, in_branch: bool) -> Codes:
    """The trace keys already found, per product, for buyers like ``who`` (no amount).

    A trace's codes are a function of the product and of what the buyer
    brings to them: the level step, the matrix ranks, whether elderly rules
    speak, the tier and the branch. Customers alike in those (most of a
    book, a few dozen kinds per playbook; the tier is one of the playbook's)
    share one table of the codes each product gets.
    """
    kind = (who.step, who.rank, who.cap, who.row, who.row_cap, bool(who.elderly), tier, in_branch)
    found = plan.codes.get(kind)
    if found is None:
        found = plan.codes.setdefault(kind, {})
    return found


def traced(  # noqa: PLR0917  # the hot path of a catalogue: one call per product
    codes: Codes,
    who: Buyer,
    product: Product,
    plan: SuitabilityPlan,
    as_of: dt.date,
    tier: str | None,
    in_branch: bool,
) -> SuitabilityTrace:
    """:func:`trace_of` without an amount, its codes from ``codes`` (:func:`codes_for`) if found.

    Keyed by the product's identity; the entry holds the product, so its
    ``id`` is not reused while the entry lives. A product met first is
    traced by :func:`trace_of` (which refuses what it refuses) and its key
    kept; the facts a reason quotes are always this buyer's own.
    """
    hit = codes.get(id(product))
    if hit is not None and hit[0] is product:
        return _new(
            SuitabilityTrace,
            (
                plan,
                who.key,
                product,
                as_of,
                hit[1],
                who.assessment,
                None if hit[2] else who.until,  # a risk-free sale quotes no validity
                who.elderly,
                tier,
                None,
                (),
            ),
        )
    found = trace_of(who, product, plan, as_of, tier, None, in_branch)
    if len(codes) < _CODES_LIMIT:
        codes[id(product)] = (product, found.key, found.key.level == LevelStep.RISK_FREE)
    return found


def capped_level(level: str, t: RiskTables, elderly: tuple[AgeSource, ...]) -> str:
    """``level``, or the playbook's elderly cap when the customer is elderly and above it."""
    cap = t.elderly_cap
    if elderly and cap is not None and t.customer_rank[level] > t.customer_rank[cap]:
        return cap
    return level


def _level(
    who: Buyer, product: Product, plan: SuitabilityPlan
) -> tuple[LevelStep, int, tuple[dt.date, ValidityBound] | None]:
    """Assessment valid on the day, the matrix row, the elderly cap (not for a risk-free product).

    Returns the step, the customer rank whose matrix row decided (-1: none)
    and the valid assessment's effective validity (None without one).
    """
    if who.rank < 0:
        return who.step, -1, who.until
    if who.cap < 0:
        raise InputError(
            "risk assessment level is not a level of this playbook", field="risk_assessment.level"
        )
    prank = plan.tables.product_rank[product.risk_level]
    if prank > who.cap:
        return LevelStep.EXCEEDED, who.rank, who.until
    if prank > who.row_cap:
        return LevelStep.ELDERLY_CAPPED, who.row, who.until
    return LevelStep.WITHIN, who.row, who.until


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
