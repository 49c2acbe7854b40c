"""Explanations: reason codes, reasons, and the decision every engine returns.

A decision carries its outcome, a non-empty tuple of :class:`Reason` and a
:class:`PlaybookRef` (id, version, content hash) naming the exact rules that
produced it. ``explain()`` renders it for a person; ``to_audit_json()`` gives
byte-identical JSON for the same inputs, for an audit log.

Engines build decisions with :meth:`Decision.trusted`, which skips
re-validation: the engine constructed every part itself from validated
inputs, and validating its own output again would cost more than the rules.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Self, TypeVar, cast

from pydantic import BaseModel, Field, ValidationInfo, field_validator
from pydantic_core import core_schema

from custtier._cache import module_cache
from custtier._display import Displayable
from custtier._enum import Vocabulary
from custtier._error_codes import ErrorCode
from custtier._i18n import CATALOGUES, NEUTRAL, Locale, Terms, locale_of, reason_text
from custtier._i18n._facts import FACT_TYPES, REASON_FACTS, FactType
from custtier._i18n._format import date_text
from custtier._version import __version__
from custtier.errors import InputError
from custtier.models._base import CusttierModel

__all__ = [
    "REASON_DESCRIPTIONS",
    "Decision",
    "ErrorRecord",
    "Fact",
    "PlaybookRef",
    "Reason",
    "ReasonCode",
]

#: A fact a rule used: a scalar that serialises to JSON exactly.
Fact = str | int | bool | Decimal | dt.date | None


class _WrittenByType:
    """Marks a union pydantic-core may write by each value's own type, not by trying members.

    pydantic writes a union by testing the value against each member in turn
    (str, int, bool, Decimal, date), raising and discarding an error for each
    miss: a date fact cost about 2 µs. Every member of ``Fact`` is a type the
    serializer's inference writes natively and in the same way (str as is,
    int, bool, Decimal as its string, date as ISO), so the bytes are
    unchanged (tests/test_snapshots.py) and the validation schema is untouched.
    """

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        schema: core_schema.CoreSchema = handler(source)
        cast("dict[str, Any]", schema)["serialization"] = core_schema.simple_ser_schema("any")
        return schema


class ReasonCode(Vocabulary):
    """The closed set of reason codes; each is described in ``docs/reasons.md``."""

    # Tiering
    TIER_BAND = "TIER_BAND"
    TIER_PARETO = "TIER_PARETO"
    TIER_OVERRIDE = "TIER_OVERRIDE"
    TIER_OVERRIDE_EXPIRED = "TIER_OVERRIDE_EXPIRED"
    TIER_OVERRIDE_PENDING = "TIER_OVERRIDE_PENDING"
    TIER_UPGRADE = "TIER_UPGRADE"
    TIER_DOWNGRADE = "TIER_DOWNGRADE"
    TIER_HELD = "TIER_HELD"
    TIER_PARETO_NOT_EVALUATED = "TIER_PARETO_NOT_EVALUATED"
    BASIS_INCOMPLETE = "BASIS_INCOMPLETE"
    UPGRADE_SIGNAL = "UPGRADE_SIGNAL"
    KYC_GAP = "KYC_GAP"
    # Risk assessment
    RISK_SCORED = "RISK_SCORED"
    RISK_ELDERLY_CAP = "RISK_ELDERLY_CAP"
    # Suitability
    SUIT_LEVEL_OK = "SUIT_LEVEL_OK"
    SUIT_LEVEL_EXCEEDED = "SUIT_LEVEL_EXCEEDED"
    SUIT_RISK_FREE = "SUIT_RISK_FREE"
    SUIT_NO_ASSESSMENT = "SUIT_NO_ASSESSMENT"
    SUIT_ASSESSMENT_EXPIRED = "SUIT_ASSESSMENT_EXPIRED"
    SUIT_RESERVED = "SUIT_RESERVED"
    SUIT_BELOW_MINIMUM = "SUIT_BELOW_MINIMUM"
    SUIT_OFF_INCREMENT = "SUIT_OFF_INCREMENT"
    SUIT_COOLING_OFF = "SUIT_COOLING_OFF"
    SUIT_ELDERLY_CONFIRM = "SUIT_ELDERLY_CONFIRM"
    SUIT_ELDERLY_CAP = "SUIT_ELDERLY_CAP"
    SUIT_RECORDED_SALE = "SUIT_RECORDED_SALE"
    # Allocation
    ALLOC_MODEL_WEIGHT = "ALLOC_MODEL_WEIGHT"
    ALLOC_NEED = "ALLOC_NEED"
    ALLOC_PRODUCT = "ALLOC_PRODUCT"
    ALLOC_CASH = "ALLOC_CASH"
    ALLOC_UNPLACED = "ALLOC_UNPLACED"
    ALLOC_EXCLUDED = "ALLOC_EXCLUDED"
    ALLOC_NO_ASSESSMENT = "ALLOC_NO_ASSESSMENT"
    # Tier services
    SERVICE_ENTITLED = "SERVICE_ENTITLED"
    # Cadence
    CADENCE_OCCASION = "CADENCE_OCCASION"
    CADENCE_LEAP_DAY = "CADENCE_LEAP_DAY"
    CADENCE_LUNAR_DATE = "CADENCE_LUNAR_DATE"
    CADENCE_ROLLED = "CADENCE_ROLLED"
    CADENCE_SLIPPED = "CADENCE_SLIPPED"
    CADENCE_OVERDUE = "CADENCE_OVERDUE"
    CADENCE_QUIET_HOURS = "CADENCE_QUIET_HOURS"
    CADENCE_PROVISIONAL = "CADENCE_PROVISIONAL"
    CADENCE_REGULATORY_DUTY = "CADENCE_REGULATORY_DUTY"
    CADENCE_COMPLETE_KYC = "CADENCE_COMPLETE_KYC"
    CADENCE_NO_CONSENT = "CADENCE_NO_CONSENT"
    CADENCE_DO_NOT_CONTACT = "CADENCE_DO_NOT_CONTACT"
    CADENCE_CAPPED = "CADENCE_CAPPED"
    CADENCE_CAPACITY = "CADENCE_CAPACITY"
    CADENCE_NO_MANAGER = "CADENCE_NO_MANAGER"
    CADENCE_NO_VALID_DAY = "CADENCE_NO_VALID_DAY"
    CADENCE_NO_CALENDAR_DATA = "CADENCE_NO_CALENDAR_DATA"
    # Worklist
    WORKLIST_PRIORITY = "WORKLIST_PRIORITY"
    WORKLIST_ASSESSMENT_EXPIRING = "WORKLIST_ASSESSMENT_EXPIRING"
    WORKLIST_MATURITY = "WORKLIST_MATURITY"
    WORKLIST_REINVEST_OPTION = "WORKLIST_REINVEST_OPTION"
    WORKLIST_KYC_BLOCKS = "WORKLIST_KYC_BLOCKS"
    WORKLIST_OVERDUE = "WORKLIST_OVERDUE"
    WORKLIST_CARRIED_OVER = "WORKLIST_CARRIED_OVER"
    WORKLIST_AHEAD = "WORKLIST_AHEAD"


#: One sentence per code: what it means. ``docs/reasons.md`` must list the same codes.
REASON_DESCRIPTIONS: Mapping[ReasonCode, str] = {
    ReasonCode.TIER_BAND: "The tiering basis fell in the band [lower, upper) of this tier.",
    ReasonCode.TIER_PARETO: (
        "The customer is in the smallest set of customers whose profit reaches "
        "the playbook's Pareto share, so is promoted to the Pareto tier."
    ),
    ReasonCode.TIER_OVERRIDE: (
        "A manual override, with its author, reference and expiry, set the tier "
        "(its free-text reason stays with the override)."
    ),
    ReasonCode.TIER_OVERRIDE_EXPIRED: "A manual override exists but expired; rules decided instead.",
    ReasonCode.TIER_OVERRIDE_PENDING: (
        "A manual override exists but its start date is after the decision date; "
        "rules decided instead."
    ),
    ReasonCode.TIER_UPGRADE: "The rules place the customer above the previous tier; upgrades apply at once.",
    ReasonCode.TIER_DOWNGRADE: (
        "The basis stayed below the previous tier's bar (less the buffer), or inside the "
        "buffer past the playbook's max_buffer_months, for the grace period, so the "
        "downgrade applies."
    ),
    ReasonCode.TIER_HELD: (
        "The rules place the customer below the previous tier, but the buffer still holds "
        "(buffer_hold_ends_on says until when) or the grace period has not run out, so the "
        "previous tier is kept."
    ),
    ReasonCode.TIER_PARETO_NOT_EVALUATED: (
        "The playbook has a Pareto rule, which needs the whole book, and no cut or "
        "membership was given: the rule was not evaluated, so the tier may differ from the "
        "nightly book's. Pass the book's ParetoCut as pareto_cut= to get the book's answer."
    ),
    ReasonCode.BASIS_INCOMPLETE: (
        "Some months of the average-balance window are missing; the playbook's "
        "missing-month rule says how they were treated."
    ),
    ReasonCode.UPGRADE_SIGNAL: "A configured signal flags the customer as a potential upgrade.",
    ReasonCode.KYC_GAP: "The KYC file lacks an item the customer's tier requires.",
    ReasonCode.RISK_SCORED: "The questionnaire's total score fell in this level's score band.",
    ReasonCode.RISK_ELDERLY_CAP: (
        "The customer is at or above the elderly age, so the level is capped at the "
        "playbook's elderly maximum and extra confirmation is required."
    ),
    ReasonCode.SUIT_LEVEL_OK: "The product's risk level is within what the customer's level may buy.",
    ReasonCode.SUIT_LEVEL_EXCEEDED: (
        "The product's risk level is above what the customer's level may buy (for the "
        "lowest level: anything above the lowest product level)."
    ),
    ReasonCode.SUIT_RISK_FREE: (
        "The product is in a risk-free category and at the lowest product level: it may be "
        "sold without a valid assessment."
    ),
    ReasonCode.SUIT_NO_ASSESSMENT: "No risk assessment: only risk-free products may be sold.",
    ReasonCode.SUIT_ASSESSMENT_EXPIRED: (
        "The risk assessment is not valid on the day of sale (past the earlier of its "
        "valid_until and assessed_on plus the playbook's validity; the facts say which "
        "bound applied): only risk-free products may be sold until the customer is re-assessed."
    ),
    ReasonCode.SUIT_RESERVED: "The product is reserved for tiers the customer is not in.",
    ReasonCode.SUIT_BELOW_MINIMUM: "The amount is below the product's minimum investment.",
    ReasonCode.SUIT_OFF_INCREMENT: (
        "The amount is not the minimum plus a whole number of increments; the nearest "
        "valid amounts are given."
    ),
    ReasonCode.SUIT_COOLING_OFF: "Condition of sale: the product has a cooling-off period.",
    ReasonCode.SUIT_ELDERLY_CONFIRM: (
        "Condition of sale: a customer at or above the elderly age on the day of sale (by "
        "birth date or age answer, as the facts say) buying a risky product confirms again."
    ),
    ReasonCode.SUIT_ELDERLY_CAP: (
        "The customer is at or above the elderly age on the day of sale (by birth date or "
        "age answer), so the level is capped at the playbook's elderly maximum, and the "
        "product is above what that level may buy."
    ),
    ReasonCode.SUIT_RECORDED_SALE: (
        "Condition of sale: an in-branch sale of a risky product is audio/video recorded."
    ),
    ReasonCode.ALLOC_MODEL_WEIGHT: "The category's share comes from the level's model portfolio.",
    ReasonCode.ALLOC_NEED: "The category's share serves a need the customer declared.",
    ReasonCode.ALLOC_PRODUCT: "The product chosen to carry the category's share.",
    ReasonCode.ALLOC_CASH: "What no product could take is kept in the cash line.",
    ReasonCode.ALLOC_UNPLACED: "What no product could take is reported as unplaced.",
    ReasonCode.ALLOC_EXCLUDED: "Why a catalogue product has no line in the allocation.",
    ReasonCode.ALLOC_NO_ASSESSMENT: (
        "No valid risk assessment: the whole amount goes to risk-free categories."
    ),
    ReasonCode.SERVICE_ENTITLED: "The customer's tier is entitled to this service.",
    ReasonCode.CADENCE_OCCASION: (
        "The contact rule (or campaign) of the customer's tier asks for this contact: "
        "its occasion, due date and channel."
    ),
    ReasonCode.CADENCE_LEAP_DAY: (
        "A 29 February date in a common year, placed by the playbook's leap-day policy."
    ),
    ReasonCode.CADENCE_LUNAR_DATE: (
        "A date kept by the Chinese lunar calendar, found in this year's lunar calendar "
        "(leap-month and 30th-day policies applied)."
    ),
    ReasonCode.CADENCE_ROLLED: "Manager or system work moved forward to the next business day.",
    ReasonCode.CADENCE_SLIPPED: (
        "Moved later within the rule's window because the manager's week or a frequency "
        "cap was full on the earlier days."
    ),
    ReasonCode.CADENCE_OVERDUE: (
        "Already due before the plan starts, so scheduled as early as the plan allows."
    ),
    ReasonCode.CADENCE_QUIET_HOURS: (
        "A call or message timed inside the allowed hours, in the customer's time zone (on a "
        "worklist item the plan did not time: the hours it may be made in)."
    ),
    ReasonCode.CADENCE_PROVISIONAL: (
        "Placed by the calendar's rule-based business days near a holiday of a year whose "
        "official arrangement is not yet published: re-check when it is."
    ),
    ReasonCode.CADENCE_REGULATORY_DUTY: (
        "A duty the bank owes under regulation (KYC refresh, risk re-assessment, maturity "
        "notice) that the playbook's do-not-contact block does not bind: due despite the "
        "customer's do-not-contact, on a channel they allow."
    ),
    ReasonCode.CADENCE_COMPLETE_KYC: (
        "The customer's KYC file lacks items the tier requires: complete them on this contact."
    ),
    ReasonCode.CADENCE_NO_CONSENT: "Not scheduled: no consent on this channel for this purpose.",
    ReasonCode.CADENCE_DO_NOT_CONTACT: (
        "Not scheduled: the customer asked not to be contacted, and the playbook's "
        "do-not-contact block binds this purpose."
    ),
    ReasonCode.CADENCE_CAPPED: (
        "Not scheduled: every allowed day would break a frequency cap over its rolling "
        "window, prior contacts included."
    ),
    ReasonCode.CADENCE_CAPACITY: (
        "Not scheduled: the manager's weekly hours (or the day's calling hours) are used up "
        "on every allowed day."
    ),
    ReasonCode.CADENCE_NO_MANAGER: (
        "Not scheduled: the contact is manager work and the customer has no manager "
        "among those planned for."
    ),
    ReasonCode.CADENCE_NO_VALID_DAY: (
        "Not scheduled: no allowed day inside the plan (the window ends first, or the "
        "calendar has no such holiday)."
    ),
    ReasonCode.CADENCE_NO_CALENDAR_DATA: (
        "Not scheduled: the calendar has no data for that year (or, under "
        '`unpublished="refuse"`, no published arrangement), so the day is not guessed.'
    ),
    ReasonCode.WORKLIST_PRIORITY: (
        "The item's kind and the customer's tier give its priority in the playbook's "
        "worklist ranking (1 first); ties follow the playbook's stated tie-break."
    ),
    ReasonCode.WORKLIST_ASSESSMENT_EXPIRING: (
        "The risk assessment lapses within the horizon (or has lapsed): from the day after "
        "its last valid day only risk-free products may be sold until the customer is "
        "re-assessed."
    ),
    ReasonCode.WORKLIST_MATURITY: (
        "A holding matures within the horizon: its principal is the amount to reinvest."
    ),
    ReasonCode.WORKLIST_REINVEST_OPTION: (
        "A product the maturing amount may go to, with its amount and conditions of sale, "
        "from the allocation on the maturity day (check_suitability's rules)."
    ),
    ReasonCode.WORKLIST_KYC_BLOCKS: (
        "What the missing KYC item blocks, as the playbook's worklist states it (rank 1 "
        "blocks most)."
    ),
    ReasonCode.WORKLIST_OVERDUE: (
        "Due before the worklist's day and still open by the records: carried over from "
        "that earlier day."
    ),
    ReasonCode.WORKLIST_CARRIED_OVER: (
        "The manager's hours for the day went to higher-ranked items (or the day is not a "
        "working day): listed on a later day, or past the horizon."
    ),
    ReasonCode.WORKLIST_AHEAD: (
        "A greeting falls on a day the manager does not work: listed on the working day "
        "before it, to prepare or schedule; the greeting keeps its own day and time."
    ),
}


#: The version of the decision record layout; a record of a later version is refused.
#: 2 (0.2.0): ``subject`` became ``customer_key``; version 1 records are upgraded when read.
AUDIT_SCHEMA_VERSION = 2

_DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")  # str(Decimal) spellings
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_REFUSED = object()


def _text(value: Any) -> Any:
    return value if isinstance(value, str) else _REFUSED


def _count(value: Any) -> Any:
    return value if isinstance(value, int) and not isinstance(value, bool) else _REFUSED


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value if value.is_finite() else _REFUSED
    if isinstance(value, str):
        return Decimal(value) if _DECIMAL_TEXT.fullmatch(value) else _REFUSED
    return _count(value)  # a score band's edge is an int


def _date(value: Any) -> Any:
    if type(value) is dt.date:  # not a datetime
        return value
    if isinstance(value, str) and _DATE_TEXT.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return _REFUSED
    return _REFUSED


#: How a fact of each type is read, and what it must be.
_READ = {
    FactType.TEXT: (_text, "text"),
    FactType.NUMBER: (_number, "a number (a decimal written as text, or an integer)"),
    FactType.COUNT: (_count, "an integer"),
    FactType.DATE: (_date, "a date written YYYY-MM-DD"),
}


def _typed_fact(code: str, name: str, value: Any, carried: frozenset[str]) -> Any:
    """One fact of a reason read as its declared type (see ``Reason``); refused otherwise.

    The message names the fact only when the code declares it: an unknown
    name comes from the input and may be personal data.
    """
    if name not in carried:
        said = ", ".join(sorted(carried)) or "none"
        raise ValueError(f"a fact that {code} does not carry; its facts are: {said}")
    if value is None:
        return value
    read, what = _READ[FACT_TYPES[name]]
    typed = read(value)
    if typed is _REFUSED:
        raise ValueError(f"the fact {name!r} of {code} must be {what}")
    return typed


_NO_DEFAULT = object()
#: Defaults safe to share between objects: a copy of them would equal them.
_IMMUTABLE = (str, int, bool, Decimal, dt.date, tuple, frozenset, type(None))
_layouts: dict[type, tuple[tuple[str, Any, Any], ...]] = module_cache({}, "_explain._layouts")
# Per class: every field in order with its shareable default (else the marker),
# and the names that have no shareable default (a caller must give them).
_templates: dict[type, tuple[dict[str, Any], frozenset[str]]] = module_cache(
    {}, "_explain._templates"
)


_new = object.__new__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__
#: Classes whose instances ``object.__new__`` makes as ``cls.__new__`` would (no override).
_PLAIN_NEW: set[type] = module_cache(set(), "_explain._PLAIN_NEW")


def _layout(cls: type[BaseModel]) -> tuple[tuple[str, Any, Any], ...]:
    """Each field of ``cls`` in order, with its default when it is immutable (else a marker)."""
    if cls.__new__ is _new:
        _PLAIN_NEW.add(cls)
    layout = tuple(
        (
            name,
            field,
            field.default
            if field.default_factory is None
            and not field.is_required()
            and isinstance(field.default, _IMMUTABLE)
            else _NO_DEFAULT,
        )
        for name, field in cls.__pydantic_fields__.items()
    )
    _layouts[cls] = layout
    _templates[cls] = (
        {name: default for name, _, default in layout},
        frozenset(name for name, _, default in layout if default is _NO_DEFAULT),
    )
    return layout


def construct(cls: type[M], values: dict[str, Any]) -> M:
    """Build a model from values the engine produced itself, without validation.

    A lean ``model_construct``: no alias handling, no post-init; omitted
    fields take the class defaults. Only for models without validation
    aliases or private attributes (decisions, reasons, summaries).
    """
    layout = _layouts.get(cls) or _layout(cls)
    if len(values) < len(layout):
        values = _in_field_order(cls, layout, values)
    # The slots' own setters, looked up once: object.__setattr__ finds them by name on
    # every call, and the engines build a hundred models or so per customer.
    obj = _new(cls) if cls in _PLAIN_NEW else cls.__new__(cls)
    _set_dict(obj, values)
    _set_fields_set(obj, set(values))
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj


def _in_field_order(
    cls: type[BaseModel], layout: tuple[tuple[str, Any, Any], ...], given: dict[str, Any]
) -> dict[str, Any]:
    """``given`` with the omitted fields' defaults, rebuilt in field order.

    JSON follows the dict's order, and a decision must dump the same bytes as
    its validated read-back.
    """
    template, needed = _templates[cls]
    if needed <= given.keys():
        # Only shareable defaults are missing: copy the ordered template and
        # overwrite (keys keep their place), a third of the loop below.
        filled = template.copy()
        filled.update(given)
        if len(filled) == len(layout):  # no name outside the model's fields
            return filled
    values = {}
    for name, field, default in layout:
        if name in given:
            values[name] = given[name]
        elif default is not _NO_DEFAULT:
            values[name] = default
        elif field.is_required():
            raise TypeError(f"{cls.__name__}.{name} is required")
        else:
            values[name] = field.get_default(call_default_factory=True)
    return values


M = TypeVar("M", bound=BaseModel)
D = TypeVar("D", bound="Decision")


class _Frozen(CusttierModel):
    """Explanation models share the models' guarantees: frozen, errors without input."""


class PlaybookRef(_Frozen):
    """Which rules produced a decision: id, version and sha256 content hash."""

    id: str
    version: str
    content_hash: str = Field(pattern=r"^[0-9a-f]{64}$")


class Reason(_Frozen):
    """Why: a closed-set ``code``, the ``rule_id`` in the playbook, the facts, and a message.

    ``message`` is the English record of the reason, rendered from its code
    and facts by the message catalogue (``custtier._i18n``) with no playbook
    labels, so an audit line reads on its own; :meth:`text` writes the same
    reason in another locale, with a playbook's labels and currency.
    """

    code: ReasonCode
    rule_id: str
    message: str
    facts: dict[str, Annotated[Fact, _WrittenByType()]] = Field(default_factory=dict)

    @field_validator("facts", mode="before")
    @classmethod
    def _typed(cls, facts: Any, info: ValidationInfo) -> Any:
        # Records and audit JSON write amounts and dates as strings. Each fact
        # name has one declared type (custtier._i18n._facts.FACT_TYPES), and a
        # string is read back as that type in every mode, never by its look: a
        # playbook's text (a KYC block's "blocks") may well read "10".
        code = info.data.get("code")
        if code is None or not isinstance(facts, dict):
            return facts  # the code was refused, or pydantic names the problem
        carried = REASON_FACTS[code]
        return {name: _typed_fact(code, name, value, carried) for name, value in facts.items()}

    @field_validator("facts")
    @classmethod
    def _sorted_facts(cls, facts: dict[str, Fact]) -> dict[str, Fact]:
        return dict(sorted(facts.items()))

    @classmethod
    def of(cls, code: ReasonCode, rule_id: str, /, **facts: Fact) -> Reason:
        """Build a reason without re-validation (engines use this in hot paths).

        The message is the catalogue's English for the code and facts.

        >>> r = Reason.of(ReasonCode.TIER_UPGRADE, "tier.adb.high_end", previous_tier="mass")
        >>> r.message
        'up from mass; upgrades apply at once'
        """
        ordered = dict(sorted(facts.items()))
        return construct(
            cls,
            {
                "code": code,
                "rule_id": rule_id,
                "message": reason_text(code, ordered),
                "facts": ordered,
            },
        )

    def text(self, locale: str | Locale = Locale.EN, terms: Terms = NEUTRAL) -> str:
        """The reason in ``locale``, with a playbook's ``terms`` (labels, currency) if given.

        >>> from custtier import presets
        >>> r = Reason.of(ReasonCode.SUIT_LEVEL_EXCEEDED, "suit.matrix.C3", customer_level="C3",
        ...               product_level="R4", max="R3")
        >>> r.text("zh_CN", presets.REGULATORY.terms("zh_CN"))
        '客户风险承受能力为C3（稳健型），产品风险等级为R4（中高风险），超过可购买的最高等级R3（中风险），不匹配，不得销售。'
        """
        return reason_text(self.code, self.facts, locale, terms)

    def render(self, locale: str | Locale | None = None, terms: Terms = NEUTRAL) -> str:
        """One line for a person: ``[CODE rule] message (fact=value, …)``.

        In a chosen ``locale`` the line is the reason's text in that language,
        then the code and rule id that a reviewer looks up.
        """
        if locale is None:
            facts = ", ".join(f"{k}={_fmt(v)}" for k, v in self.facts.items())
            tail = f" ({facts})" if facts else ""
            return f"[{self.code} {self.rule_id}] {self.message}{tail}"
        return f"{self.text(locale, terms)} [{self.code} {self.rule_id}]"


class Decision(Displayable, _Frozen):
    """Base of every engine result: ``outcome``, ``reasons``, ``playbook``, ``as_of``.

    Subclasses narrow ``outcome`` and add fields. ``customer_key`` is the
    pseudonymous key of the customer decided about (the same name as on
    every other object that names a customer), never a personal identifier. ``kind`` (``"tier"``, ``"suitability"`` …),
    ``schema_version`` and ``custtier_version`` make an audit record describe
    itself: :meth:`from_audit_json` reads one back and checks its kind.
    """

    kind: str = "decision"
    customer_key: str
    outcome: str
    reasons: tuple[Reason, ...] = Field(min_length=1)
    playbook: PlaybookRef
    schema_version: int = Field(default=AUDIT_SCHEMA_VERSION, ge=1, le=AUDIT_SCHEMA_VERSION)
    custtier_version: str = __version__
    as_of: dt.date

    @classmethod
    def trusted(cls, **fields: Any) -> Self:
        """Construct without validation: for engines that built every part themselves."""
        if not fields.get("reasons"):
            raise ValueError("a decision needs at least one reason")
        return construct(cls, fields)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """The rule ids of all reasons, in order."""
        return tuple(r.rule_id for r in self.reasons)

    def explain(self, locale: str | Locale | None = None, *, playbook: Any = None) -> str:
        """A short text for a person: the outcome, then one line per reason.

        With no ``locale``, the English record with every fact spelled out.
        With one (``"en"``, ``"zh_CN"``), each reason in that language; pass
        the ``playbook`` that decided (or let a shipped preset be found by
        the decision's content hash) to write levels, tiers and products by
        its labels and amounts in its currency.
        """
        if locale is None:
            head = (
                f"{self.customer_key}: {self.outcome} (as of {self.as_of.isoformat()}, playbook "
                f"{self.playbook.id} v{self.playbook.version} #{self.playbook.content_hash[:12]})"
            )
            return "\n".join([head, *(f"  - {r.render()}" for r in self.reasons)])
        loc = locale_of(locale)
        terms = terms_for(self.playbook, playbook, loc)
        head = _HEADS[loc].format(
            customer=self.customer_key,
            outcome=_outcome_text(self.outcome, loc, terms),
            as_of=date_text(self.as_of, loc),
            ref=self.playbook,
            short=self.playbook.content_hash[:12],
        )
        return "\n".join([head, *(f"  - {r.render(loc, terms)}" for r in self.reasons)])

    def to_text(self, locale: str | Locale = Locale.EN, *, playbook: Any = None) -> str:
        """The decision as a person reads it in ``locale`` (``explain`` in that locale)."""
        return self.explain(locale_of(locale), playbook=playbook)

    def to_audit_json(self, locale: str | Locale | None = None, *, playbook: Any = None) -> str:
        """Deterministic JSON for an audit log (same inputs, same bytes).

        With a ``locale``, each reason also carries ``text``: its wording in
        that language (codes, facts and the English ``message`` unchanged);
        :meth:`from_audit_json` reads such a record back all the same.
        """
        if locale is None:
            return self.model_dump_json()
        loc = locale_of(locale)
        data = with_text(
            json.loads(self.model_dump_json()), loc, terms_for(self.playbook, playbook, loc)
        )
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    def display(self, locale: str | Locale | None = None, *, playbook: Any = None) -> Any:
        """The notebook display of this decision with its reasons in ``locale``.

        >>> import datetime as dt
        >>> from custtier import Customer, assign_tier, presets
        >>> d = assign_tier(Customer(key="C1"), presets.PRACTICE, as_of=dt.date(2026, 11, 30))
        >>> "大众客户" in d.display("zh_CN")._repr_html_()
        True
        """
        from custtier._views import decision_in  # noqa: PLC0415  # views import this module

        loc = None if locale is None else locale_of(locale)
        terms = NEUTRAL if loc is None else terms_for(self.playbook, playbook, loc)
        return decision_in(self, loc, terms)

    @classmethod
    def audit_schema(cls) -> dict[str, Any]:
        """The JSON Schema of this kind's audit record (what :meth:`to_audit_json` writes)."""
        schema = cls.model_json_schema(mode="serialization")
        schema["required"] = list(schema["properties"])  # a record always has every field
        return schema

    @classmethod
    def from_audit_json(cls, text: str | bytes) -> Self:
        """Read an audit record back, checking its ``kind`` (any kind, on ``Decision``).

        >>> import datetime as dt
        >>> from custtier import Customer, SuitabilityDecision, TierDecision, assign_tier, presets
        >>> record = assign_tier(Customer(key="C1"), presets.PRACTICE,
        ...                      as_of=dt.date(2026, 11, 30)).to_audit_json()
        >>> type(Decision.from_audit_json(record)).__name__
        'TierDecision'
        >>> SuitabilityDecision.from_audit_json(record)
        Traceback (most recent call last):
        ...
        custtier.errors.InputError: the record is a tier decision, not a suitability decision; read it with Decision.from_audit_json or TierDecision.from_audit_json
        """
        return read_audit_record(cls, text)


def decision_kinds() -> dict[str, type[Decision]]:
    """Every decision class by its ``kind``, found by walking the subclasses of ``Decision``."""
    kinds: dict[str, type[Decision]] = {}
    todo: list[type[Decision]] = [Decision]
    while todo:
        cls = todo.pop()
        kind = cls.model_fields["kind"].default
        if kind in kinds and kinds[kind] is not cls:
            raise TypeError(f"{cls.__name__} needs its own kind (not {kind!r})")
        kinds[kind] = cls
        todo.extend(cls.__subclasses__())
    return dict(sorted(kinds.items()))


def audit_kinds() -> dict[str, type[Decision]]:
    """The kinds of audit record the engines write (every kind but the bare ``Decision``)."""
    return {kind: cls for kind, cls in decision_kinds().items() if cls is not Decision}


def read_audit_record(cls: type[D], text: str | bytes) -> D:
    """``cls.from_audit_json``: the record's ``kind`` picks (on ``Decision``) or must match the class."""
    try:
        data = json.loads(text)
    except ValueError:
        raise InputError("an audit record must be JSON text", field="record") from None
    if not isinstance(data, dict):
        raise InputError("an audit record must be a JSON object", field="record")
    kinds = decision_kinds()
    kind = data.get("kind")
    if kind not in kinds:
        raise InputError(
            f"the record has no known kind; kinds are {', '.join(kinds)}", field="kind"
        )
    target = kinds[kind]
    want = cls.model_fields["kind"].default
    if cls is not Decision and target is not cls:
        raise InputError(
            f"the record is a {kind} decision, not a {want} decision; read it with "
            f"Decision.from_audit_json or {target.__name__}.from_audit_json",
            field="kind",
        )
    if '"text"' in (text if isinstance(text, str) else text.decode("utf-8", "replace")):
        data = _without_text(data)  # a record written with a locale's text
        text = json.dumps(data)
    if data.get("schema_version") != AUDIT_SCHEMA_VERSION:
        text = json.dumps(upgrade_audit_record(data))
    return cast(D, target.model_validate_json(text))  # target is cls or one of its subclasses


def upgrade_audit_record(data: dict[str, Any]) -> dict[str, Any]:
    """An audit record of an earlier ``schema_version``, as the current layout writes it.

    Version 1 named the customer ``subject``; version 2 calls it
    ``customer_key``, as every other object does. Other records come back
    unchanged (validation then refuses a later version).

    >>> upgrade_audit_record({"schema_version": 1, "subject": "C1", "outcome": "mass"})
    {'schema_version': 2, 'customer_key': 'C1', 'outcome': 'mass'}
    """
    if data.get("schema_version") != 1:
        return data
    return {
        ("customer_key" if name == "subject" else name): (
            AUDIT_SCHEMA_VERSION if name == "schema_version" else value
        )
        for name, value in data.items()
    }


_HEADS = {
    Locale.EN: "{customer}: {outcome} (as of {as_of}, playbook {ref.id} v{ref.version} #{short})",
    Locale.ZH_CN: "{customer}：{outcome}（截至{as_of}，规则手册 {ref.id} v{ref.version} #{short}）",
}


def _outcome_text(outcome: str, locale: Locale, terms: Terms) -> str:
    """An outcome as the locale says it: a tier or level by its label, else the vocabulary's word."""
    for kind in ("tier", "level"):
        label = terms.labels.get(f"{kind}.{outcome}")
        if label:
            return label
    return CATALOGUES[locale].vocabulary.get(f"outcome.{outcome}", outcome)


def terms_for(ref: PlaybookRef, playbook: Any, locale: Locale) -> Terms:
    """The terms to write a decision with: the given playbook's, else a shipped preset's.

    A playbook other than the one that decided (by content hash) is refused:
    its labels could name other rules.
    """
    if playbook is None:
        from custtier import presets  # noqa: PLC0415  # presets import this module

        playbook = next(
            (p for p in presets.ALL.values() if p.content_hash == ref.content_hash), None
        )
        if playbook is None:
            return NEUTRAL
    if playbook.content_hash != ref.content_hash:
        raise InputError(
            "the playbook is not the one that made the decision (content hash differs); "
            "pass the playbook the decision names",
            field="playbook",
        )
    return cast(Terms, playbook.terms(locale))


def _is_reason(value: dict[str, Any]) -> bool:
    return {"code", "rule_id", "message", "facts"} <= value.keys()


def with_text(value: Any, locale: Locale, terms: Terms) -> Any:
    """A record as JSON data with ``text`` (in ``locale``) added to every reason in it."""
    if isinstance(value, dict):
        out = {k: with_text(v, locale, terms) for k, v in value.items()}
        if _is_reason(value):
            out["text"] = Reason.model_validate_json(json.dumps(value)).text(locale, terms)
        return out
    if isinstance(value, list):
        return [with_text(v, locale, terms) for v in value]
    return value


def _without_text(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _without_text(v) for k, v in value.items() if not (k == "text" and _is_reason(value))
        }
    if isinstance(value, list):
        return [_without_text(v) for v in value]
    return value


def _fmt(value: Fact) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class ErrorRecord(_Frozen):
    """A record that could not be decided: which, what kind, which field, what to do.

    ``code`` is an :class:`~custtier.ErrorCode` (the same set the columnar
    tables' ``error_code`` takes). Never carries the offending value, which
    may be personal data.
    """

    customer_key: str | None
    index: int
    code: ErrorCode
    field: str | None
    message: str
