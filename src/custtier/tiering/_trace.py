"""The trace of a tier decision: how it was reached, as a few typed codes.

Both paths produce it: the scalar engine for one customer
(:class:`TierTrace`), ``custtier.frames`` as one array per field for a
table. Reasons are not part of it: :mod:`custtier.tiering._explanation`
turns a trace (plus its facts) into reasons, the same table for both
paths, and only when someone reads them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum
from typing import TYPE_CHECKING, NamedTuple

from custtier.tiering._models import Movement, Override, TierDecision

if TYPE_CHECKING:
    from custtier.tiering._plan import TierPlan

__all__ = [
    "MOVEMENT_OF",
    "BasisTrace",
    "Completeness",
    "HysteresisFacts",
    "HysteresisState",
    "OverrideState",
    "ParetoState",
    "TierTrace",
    "TraceKey",
]


class Completeness(IntEnum):
    """Whether a basis had every month of its window, and whether it was usable anyway."""

    __hash__ = int.__hash__  # as the int it equals: traces from both paths share keys

    COMPLETE = 0  # every month present (or a basis without a window)
    AVERAGED = 1  # months missing; the missing-month policy still gives a value
    UNUSABLE = 2  # months missing; the basis places the customer in its lowest band


class ParetoState(IntEnum):
    """The Pareto rule's part in the decision."""

    __hash__ = int.__hash__  # as the int it equals: traces from both paths share keys

    NO_RULE = 0  # the playbook has no Pareto rule
    OUTSIDE = 1  # evaluated: the customer is not in the set
    MEMBER = 2  # evaluated: the customer is in the set
    NOT_EVALUATED = 3  # the playbook has a rule, nobody gave the book's cut


class HysteresisState(IntEnum):
    """What hysteresis did with the rules' tier against the previous decision."""

    __hash__ = int.__hash__  # as the int it equals: traces from both paths share keys

    NEW = 0  # no previous decision (or it was an override: rules decide at once)
    SAME = 1
    UP = 2  # upgrades apply at once
    DOWN_NO_HYSTERESIS = 3  # the playbook has no hysteresis rule
    DOWN = 4  # grace served (and a review month): the downgrade applies
    HELD = 5  # buffer or grace keeps the previous tier


class OverrideState(IntEnum):
    """The manual override's state on the decision date."""

    __hash__ = int.__hash__  # as the int it equals: traces from both paths share keys

    NONE = 0
    IN_FORCE = 1
    PENDING = 2  # set_on is after as_of
    EXPIRED = 3


#: The decision's movement for each hysteresis state (an override in force: OVERRIDDEN).
MOVEMENT_OF: dict[HysteresisState, Movement] = {
    HysteresisState.NEW: Movement.NEW,
    HysteresisState.SAME: Movement.SAME,
    HysteresisState.UP: Movement.UP,
    HysteresisState.DOWN_NO_HYSTERESIS: Movement.DOWN,
    HysteresisState.DOWN: Movement.DOWN,
    HysteresisState.HELD: Movement.HELD,
}


# Enum members as module constants: a member looked up on its class costs 0.2 µs
# on CPython 3.11, and these are read once per decision.
_IN_FORCE = OverrideState.IN_FORCE
_OVERRIDDEN = Movement.OVERRIDDEN


class BasisTrace(NamedTuple):
    """One basis: its value (``None`` when unusable), completeness, band and months present."""

    value: Decimal | None
    completeness: Completeness
    band: int  # index into the basis's bands; 0 when unusable
    months_present: int


class TraceKey(NamedTuple):
    """The part of a trace that decides which reasons a decision has, and in what order.

    Everything in it is a small integer, so the columnar path finds each
    table's distinct keys with numpy and asks the explanation table once per
    key. ``bases`` holds ``(completeness, band)`` per basis in playbook
    order; ``kyc_gaps`` is a bitmask over :class:`custtier.rules.KycItem`
    in declaration order.
    """

    bases: tuple[tuple[Completeness, int], ...]
    pareto: ParetoState
    hysteresis: HysteresisState
    override: OverrideState
    rank: int
    kyc_gaps: int


@dataclass(frozen=True, slots=True)
class HysteresisFacts:
    """What the hysteresis reasons quote: the bar, its floor, and the dates of the hold."""

    previous_tier: str
    bar: Decimal
    floor: Decimal  # bar x (1 - buffer), unrounded
    below_since: dt.date | None = None
    hold_ends_on: dt.date | None = None
    in_buffer: bool = False
    months_below: int = 0


class TierTrace(NamedTuple):
    """How one customer's tier was reached: codes and the facts the reasons quote, no reasons.

    What :func:`custtier.trace_tier` returns. ``tier`` is the outcome;
    :meth:`decision` returns the :class:`~custtier.TierDecision`
    :func:`custtier.assign_tier` would, which renders its reasons (through
    the explanation table both paths share) when they are first read, so a
    caller who needs only the tier never pays for the messages. An
    immutable named tuple: built per customer, so it is as cheap to make as
    Python allows.

    >>> import datetime as dt
    >>> from custtier import Customer, presets, trace_tier
    >>> t = trace_tier(Customer(key="C1", assets_under_management="600000.00"),
    ...                presets.PRACTICE, as_of=dt.date(2026, 11, 30))
    >>> t.tier, t.hysteresis.name, t.decision().outcome
    ('mass', 'NEW', 'mass')
    """

    plan: TierPlan
    customer_key: str
    as_of: dt.date
    bases: tuple[BasisTrace, ...]
    pareto: ParetoState
    rule_rank: int
    decided_by: str
    hysteresis: HysteresisState
    override: OverrideState
    rank: int
    kyc_gaps: int  # bitmask over KycItem (see TraceKey)
    # Facts the reasons quote, beyond the codes.
    profit: Decimal
    manager_id: str | None
    previous_tier: str | None = None
    below_since: dt.date | None = None
    held_since: dt.date | None = None
    hold: HysteresisFacts | None = None
    override_given: Override | None = None

    def __repr__(self) -> str:
        codes = ", ".join(
            f"{name}={getattr(self, name)!r}"
            for name in ("customer_key", "as_of", "rank", "pareto", "hysteresis", "override")
        )
        return f"TierTrace(tier={self.tier!r}, {codes}, bases={self.bases!r})"

    @property
    def tier(self) -> str:
        """The tier id."""
        return self.plan.tier_ids[self.rank]

    @property
    def movement(self) -> Movement:
        """How the tier moved against the previous decision."""
        if self.override is _IN_FORCE:
            return _OVERRIDDEN
        return MOVEMENT_OF[self.hysteresis]

    @property
    def key(self) -> TraceKey:
        """The codes that decide which reasons the decision has (the explanation table's key)."""
        bases = self.bases
        return TraceKey(
            ((bases[0].completeness, bases[0].band),)  # one basis: no generator to run
            if len(bases) == 1
            else tuple([(b.completeness, b.band) for b in bases]),
            self.pareto,
            self.hysteresis,
            self.override,
            self.rank,
            self.kyc_gaps,
        )

    def decision(self) -> TierDecision:
        """The decision of this trace (what ``assign_tier`` returns): its reasons rendered when read."""
        # Imported here: the explanation table reads traces, so it imports this module.
        from custtier.tiering._explanation import decision_of  # noqa: PLC0415

        return decision_of(self)
