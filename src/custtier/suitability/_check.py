"""May this customer buy this product? Every rule that speaks gives a reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from custtier._explain import Fact, Reason, ReasonCode
from custtier._money import check_amount, check_precision, exact_context
from custtier._tier_arg import TierLike, tier_id
from custtier.errors import InputError
from custtier.models import Customer, Product, RiskAssessment
from custtier.rules import Check, Playbook
from custtier.suitability._at_sale import (
    AgeSource,
    ValidityBound,
    effective_validity,
    elderly_sources,
    valid_assessment,
)
from custtier.suitability._models import Condition, SuitabilityDecision
from custtier.suitability._tables import RiskTables, risk_tables

__all__ = ["capped_level", "check_suitability", "evaluate", "grid_neighbours"]


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
    t = risk_tables(playbook)
    tier_ = None if tier is None else tier_id(tier, customer_key=customer.key)
    require_known_tier(tier_, t)
    require_known_level(customer, t)
    _check_inputs(customer, product, t)
    value = None
    if amount is not None:
        value = check_precision(check_amount(amount), product.currency)
    with exact_context():
        return evaluate(
            customer, product, t, as_of=as_of, tier=tier_, amount=value, in_branch=in_branch
        )


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


def _check_inputs(customer: Customer, product: Product, t: RiskTables) -> None:
    if product.risk_level not in t.product_rank:
        raise InputError(
            f"product risk level is not one of the playbook's {list(t.product_rank)}",
            field="product.risk_level",
        )
    if product.category not in t.categories:
        raise InputError(
            "product category is not defined in the playbook", field="product.category"
        )
    if product.category in t.risk_free and t.product_rank[product.risk_level] > 0:
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
    t: RiskTables,
    *,
    as_of: dt.date,
    tier: str | None,
    amount: Decimal | None,
    in_branch: bool,
) -> SuitabilityDecision:
    """The engine proper (inputs checked, inside ``exact_context``)."""
    blocks: list[Reason] = []
    notes: list[Reason] = []
    # Risk-free only for the lowest product level (a misfiled product was refused earlier).
    risk_free = product.category in t.risk_free and t.product_rank[product.risk_level] == 0
    elderly = elderly_sources(customer, t, as_of)
    _level(
        customer,
        product,
        t,
        as_of,
        risk_free=risk_free,
        elderly=elderly,
        blocks=blocks,
        notes=notes,
    )
    _reservation(product, t, tier, blocks)
    nearest = _amount(product, t, amount, blocks)
    conditions = _conditions(
        product, t, risk_free=risk_free, elderly=elderly, in_branch=in_branch, notes=notes
    )
    allowed = not blocks
    reasons = (*blocks, *notes)
    if not reasons:  # a playbook with no checks still explains itself
        reasons = (Reason.of(ReasonCode.SUIT_LEVEL_OK, "suit", case="no_checks"),)
    return SuitabilityDecision.trusted(
        customer_key=customer.key,
        outcome="allowed" if allowed else "blocked",
        reasons=reasons,
        playbook=t.ref,
        as_of=as_of,
        product_id=product.id,
        allowed=allowed,
        conditions=conditions if allowed else (),
        cooling_off_hours=product.cooling_off_hours if allowed else 0,
        nearest_valid_amounts=() if allowed else nearest,
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
    t: RiskTables,
    as_of: dt.date,
    *,
    risk_free: bool,
    elderly: tuple[AgeSource, ...],
    blocks: list[Reason],
    notes: list[Reason],
) -> None:
    """Risk-free lowest-level product, assessment valid on the day, and the level matrix."""
    policy = t.policy
    assessment = customer.risk_assessment
    if risk_free:
        category = product.category
        notes.append(
            t.reasons.get(
                (ReasonCode.SUIT_RISK_FREE, category),
                lambda: Reason.of(
                    ReasonCode.SUIT_RISK_FREE,
                    _rule(t, Check.ASSESSMENT_REQUIRED),
                    category=category,
                ),
            )
        )
        return
    valid = valid_assessment(customer, t, as_of)
    if Check.ASSESSMENT_REQUIRED in policy and valid is None:
        rule_id = policy[Check.ASSESSMENT_REQUIRED].rule_id
        if assessment is None:
            plevel = product.risk_level
            blocks.append(
                t.reasons.get(
                    (ReasonCode.SUIT_NO_ASSESSMENT, plevel),
                    lambda: Reason.of(
                        ReasonCode.SUIT_NO_ASSESSMENT,
                        rule_id,
                        product_level=plevel,
                    ),
                )
            )
        else:
            blocks.append(_expired(assessment, t, rule_id, as_of))
        return
    if valid is None or Check.LEVEL_MATRIX not in policy:
        return
    level = valid.level
    cap = t.max_product_rank.get(level)
    if cap is None:
        raise InputError(
            "risk assessment level is not a level of this playbook", field="risk_assessment.level"
        )
    plevel = product.risk_level
    prank = t.product_rank[plevel]
    # The assessment's effective validity and which bound sets it, on every level reason.
    until = effective_validity(valid, t)
    if prank > cap:
        blocks.append(
            t.reasons.get(
                (ReasonCode.SUIT_LEVEL_EXCEEDED, level, plevel, until),
                lambda: _matrix_reason(t, level, plevel, cap, until, exceeded=True),
            )
        )
        return
    capped = capped_level(level, t, elderly)
    if capped != level and prank > t.max_product_rank[capped]:
        blocks.append(_elderly_cap(t, level, capped, plevel, elderly, until))
        return
    ccap = t.max_product_rank[capped]
    notes.append(
        t.reasons.get(
            (ReasonCode.SUIT_LEVEL_OK, capped, plevel, until),
            lambda: _matrix_reason(t, capped, plevel, ccap, until, exceeded=False),
        )
    )


def _matrix_reason(  # private builder, memoised by its arguments
    t: RiskTables,
    level: str,
    plevel: str,
    cap: int,
    until: tuple[dt.date, ValidityBound],
    *,
    exceeded: bool,
) -> Reason:
    cap_id = t.playbook.risk.product_levels[cap].id
    facts: dict[str, Fact] = {
        "customer_level": level,
        "product_level": plevel,
        "max": cap_id,
        "effective_until": until[0],
        "bound": until[1].value,
    }
    if exceeded:
        return Reason.of(
            ReasonCode.SUIT_LEVEL_EXCEEDED,
            t.matrix_rule[level],
            **facts,
        )
    return Reason.of(
        ReasonCode.SUIT_LEVEL_OK,
        t.matrix_rule[level],
        case="matrix",
        **facts,
    )


def _expired(assessment: RiskAssessment, t: RiskTables, rule_id: str, as_of: dt.date) -> Reason:
    until, bound = effective_validity(assessment, t)
    if as_of < assessment.assessed_on:
        case = "dated_after_sale"
    elif bound is ValidityBound.PLAYBOOK:
        case = "too_old"
    else:
        case = "expired"
    return Reason.of(
        ReasonCode.SUIT_ASSESSMENT_EXPIRED,
        rule_id,
        case=case,
        assessed_on=assessment.assessed_on,
        valid_until=assessment.valid_until,
        effective_until=until,
        bound=bound.value,
        validity_months=t.validity_months,
    )


def _elderly_cap(  # noqa: PLR0917  # private builder, memoised by its arguments
    t: RiskTables,
    level: str,
    capped: str,
    plevel: str,
    elderly: tuple[AgeSource, ...],
    until: tuple[dt.date, ValidityBound],
) -> Reason:
    key = (ReasonCode.SUIT_ELDERLY_CAP, level, plevel, elderly, until)
    cap_id = t.playbook.risk.product_levels[t.max_product_rank[capped]].id
    age_from = ",".join(e.value for e in elderly)
    return t.reasons.get(
        key,
        lambda: Reason.of(
            ReasonCode.SUIT_ELDERLY_CAP,
            "risk.elderly",
            customer_level=level,
            capped_level=capped,
            product_level=plevel,
            max=cap_id,
            elderly_age=t.elderly_age,
            age_from=age_from,
            effective_until=until[0],
            bound=until[1].value,
        ),
    )


def _reservation(product: Product, t: RiskTables, tier: str | None, blocks: list[Reason]) -> None:
    reserved = product.reserved_for_tiers
    if reserved and Check.TIER_RESERVATION in t.policy and tier not in reserved:
        blocks.append(
            t.reasons.get(
                (ReasonCode.SUIT_RESERVED, tier, reserved),
                lambda: Reason.of(
                    ReasonCode.SUIT_RESERVED,
                    t.policy[Check.TIER_RESERVATION].rule_id,
                    tier=tier,
                    reserved_for=",".join(reserved),
                ),
            )
        )


def _amount(
    product: Product, t: RiskTables, amount: Decimal | None, blocks: list[Reason]
) -> tuple[Decimal, ...]:
    """Minimum and increment; returns the nearest valid amounts when off the grid."""
    if amount is None or Check.MINIMUM_AND_INCREMENT not in t.policy:
        return ()
    rule_id = t.policy[Check.MINIMUM_AND_INCREMENT].rule_id
    if amount < product.minimum_investment:
        blocks.append(
            Reason.of(
                ReasonCode.SUIT_BELOW_MINIMUM,
                rule_id,
                amount=amount,
                minimum=product.minimum_investment,
            )
        )
        return (product.minimum_investment,)
    nearest = grid_neighbours(amount, product)
    if nearest != (amount,):
        blocks.append(
            Reason.of(
                ReasonCode.SUIT_OFF_INCREMENT,
                rule_id,
                amount=amount,
                below=nearest[0],
                above=nearest[-1],
                increment=product.increment,
            )
        )
    return nearest


def _conditions(
    product: Product,
    t: RiskTables,
    *,
    risk_free: bool,
    elderly: tuple[AgeSource, ...],
    in_branch: bool,
    notes: list[Reason],
) -> tuple[Condition, ...]:
    """Conditions of sale: cooling-off, elderly confirmation, recorded in-branch sale."""
    policy = t.policy
    out: list[Condition] = []
    hours = product.cooling_off_hours
    if hours and Check.COOLING_OFF in policy:
        out.append(Condition.COOLING_OFF)
        notes.append(
            t.reasons.get(
                (ReasonCode.SUIT_COOLING_OFF, hours),
                lambda: Reason.of(
                    ReasonCode.SUIT_COOLING_OFF,
                    policy[Check.COOLING_OFF].rule_id,
                    hours=hours,
                ),
            )
        )
    if not risk_free and elderly and Check.ELDERLY_CONFIRMATION in policy:
        out.append(Condition.EXTRA_CONFIRMATION)
        age = t.elderly_age
        age_from = ",".join(e.value for e in elderly)
        notes.append(
            t.reasons.get(
                (ReasonCode.SUIT_ELDERLY_CONFIRM, elderly),
                lambda: Reason.of(
                    ReasonCode.SUIT_ELDERLY_CONFIRM,
                    policy[Check.ELDERLY_CONFIRMATION].rule_id,
                    elderly_age=age,
                    age_from=age_from,
                ),
            )
        )
    if in_branch and not risk_free and Check.RECORDED_SALE in policy:
        out.append(Condition.RECORDED_SALE)
        notes.append(
            t.reasons.get(
                ReasonCode.SUIT_RECORDED_SALE,
                lambda: Reason.of(
                    ReasonCode.SUIT_RECORDED_SALE,
                    policy[Check.RECORDED_SALE].rule_id,
                ),
            )
        )
    return tuple(out)


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


def _rule(t: RiskTables, check: Check) -> str:
    rule = t.policy.get(check)
    return rule.rule_id if rule is not None else "suit"
