"""The playbook: a bank's relationship-management rules as one validated, hashed value."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Self

from pydantic import Field, PrivateAttr, model_validator

from custtier import _jcs
from custtier._display import Displayable
from custtier._explain import PlaybookRef
from custtier._i18n import Locale, Terms, locale_of
from custtier._money import Rounding, exact_context
from custtier.errors import PlaybookError, RecordValidationError, RuleProblemsError
from custtier.models._base import CusttierModel
from custtier.models._types import Identifier
from custtier.rules import _checks, _diff, _labels, _lookup
from custtier.rules._cadence import CadenceRules
from custtier.rules._offer import AllocationRules, Service
from custtier.rules._risk import RiskRules
from custtier.rules._tiering import TierDef, TieringRules
from custtier.rules._worklist import WorklistRules

__all__ = ["Playbook", "Source"]


class Source(CusttierModel):
    """A document a rule cites (regulation, industry practice, the bank's own policy)."""

    id: Identifier
    citation: str = Field(min_length=1)
    note: str = ""


class Playbook(Displayable, CusttierModel):
    """A bank's rules: tiers, risk levels, allocation, services and contact cadence.

    Invalid playbooks never exist: building one checks every cross-row rule
    (contiguous bands, resolvable references, weights that sum to exactly 1)
    and raises :class:`~custtier.errors.PlaybookError` listing every problem.
    ``content_hash`` is the sha256 of the canonical JSON, so two playbooks
    with the same rules have the same hash whatever their formatting.

    >>> from custtier import presets
    >>> pb = presets.PRACTICE
    >>> pb.id, [t.id for t in pb.tiers]
    ('practice', ['mass', 'mid_end', 'high_end'])
    >>> Playbook.from_json(pb.canonical_json()).content_hash == pb.content_hash
    True
    """

    id: Identifier
    version: str = Field(pattern=r"^[0-9]+(\.[0-9]+){0,2}([a-z0-9.\-+]*)$")
    effective_from: dt.date
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    rounding: Rounding = Rounding.HALF_EVEN
    sources: tuple[Source, ...] = ()
    tiers: tuple[TierDef, ...] = Field(min_length=1)
    tiering: TieringRules
    risk: RiskRules
    allocation: AllocationRules
    services: tuple[Service, ...] = ()
    cadence: CadenceRules = Field(default_factory=CadenceRules)
    #: How a manager's worklist is ranked and sized; ``None``: the playbook has no worklist.
    worklist: WorklistRules | None = None
    #: Labels per locale (``{"zh_CN": {"labels": {"level.C3": "稳健型"}}}``): see ``terms``.
    locales: dict[Locale, _labels.LocaleText] = Field(default_factory=dict)

    _hash: str = PrivateAttr(default="")

    @model_validator(mode="after")
    def _cross_check(self) -> Self:
        with exact_context():  # sums of weights never depend on the caller's context
            problems = [*_checks.problems(self), *_labels.label_problems(self)]
        if problems:
            raise RuleProblemsError(problems)
        return self

    def model_post_init(self, context: Any, /) -> None:
        try:
            text = self.canonical_json()
        except _jcs.NotCanonicalError as exc:  # a number other languages would read differently
            raise RuleProblemsError([(exc.path, exc.reason)]) from None
        self._hash = hashlib.sha256(text.encode("utf-8")).hexdigest()

    # Playbooks report PlaybookError (a rule set that must not exist) rather
    # than the RecordValidationError of ordinary records.
    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
            return
        except RecordValidationError as exc:
            error = _as_playbook_error(exc, data)
        raise error

    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]  # see CusttierModel

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, *args, **kwargs)
        except RecordValidationError as exc:
            error = _as_playbook_error(exc, obj)
        raise error

    @classmethod
    def model_validate_json(
        cls, json_data: str | bytes | bytearray, *args: Any, **kwargs: Any
    ) -> Self:
        try:
            return super().model_validate_json(json_data, *args, **kwargs)
        except RecordValidationError as exc:
            error = _as_playbook_error(exc, _peek(json_data))
        raise error

    def __repr__(self) -> str:
        # The full rule set runs to pages; name it by what identifies it.
        return f"Playbook(id={self.id!r}, version={self.version!r}, hash={self._hash[:12]!r})"

    __str__ = __repr__

    def __hash__(self) -> int:
        # Equal playbooks have equal content hashes; the labels' dicts are not hashable.
        return hash(self._hash)

    @property
    def content_hash(self) -> str:
        """sha256 (hex) of :meth:`canonical_json`."""
        return self._hash

    @property
    def ref(self) -> PlaybookRef:
        """What decisions cite: id, version and content hash."""
        return PlaybookRef.model_construct(
            id=self.id, version=self.version, content_hash=self._hash
        )

    def canonical_json(self) -> str:
        """The playbook in RFC 8785 canonical form (JCS): the input of the content hash.

        Members sorted by UTF-16 code units, no whitespace, minimal string
        escapes, amounts and weights as strings in one spelling (``"50000"``,
        ``"0.4"``). Any JCS implementation, in any language, turns the
        playbook's JSON back into these bytes; ``content_hash`` is their
        sha256 (of the UTF-8 encoding).
        """
        data = self.model_dump(mode="json")
        if not data["locales"]:  # a playbook without labels keeps the hash it always had
            del data["locales"]
        return _jcs.canonical_json(data)

    def terms(self, locale: str | Locale = Locale.EN) -> Terms:
        """How this playbook's decisions are written in ``locale``: labels, currency, amounts.

        >>> from custtier import presets
        >>> t = presets.REGULATORY.terms("zh_CN")
        >>> t.labels["level.C3"], t.labels["plevel.R4"], t.currency
        ('稳健型', '中高风险', 'CNY')
        """
        return _labels.terms(self, locale_of(locale))

    def find_rule(self, rule_id: str) -> Any | None:
        """The row of this playbook that a decision's ``rule_id`` names, or ``None``.

        Resolves ids carried by rows (bands, checks, model portfolios, caps),
        contact rules and campaigns by their id, and the conventions
        ``service.<id>``, ``kyc.<tier>`` (the tier's ``kyc_requires``),
        ``cadence.leap_day.<policy>``, ``cadence.lunar`` and ``risk.elderly``.
        ``None`` for ids that name the engine (``custtier.rules.ENGINE_RULE_IDS``)
        or another playbook.

        >>> from custtier import presets
        >>> presets.PRACTICE.find_rule("tier.adb.high_end").lower
        Decimal('500000')
        >>> presets.PRACTICE.find_rule("kyc.high_end").id  # the tier, with its kyc_requires
        'high_end'
        >>> presets.PRACTICE.find_rule("tier.override") is None
        True
        """
        return _lookup.find_rule(self, rule_id)

    def diff(self, other: Playbook) -> tuple[_diff.RuleChange, ...]:
        """The rule-level changes from this playbook to ``other``; empty when their hashes agree.

        Settings in field order, rows matched by their id; each change names
        its ``path``, the ``rule_id`` :meth:`find_rule` resolves (``None`` for
        settings outside any identified row), and the old and new values.

        >>> from custtier import presets
        >>> data = presets.PRACTICE.model_dump()
        >>> data["tiering"]["hysteresis"]["grace_months"] = 12
        >>> [str(c) for c in presets.PRACTICE.diff(Playbook.model_validate(data))]
        ['tiering.hysteresis.grace_months (tier.hysteresis): 3 -> 12']
        >>> presets.PRACTICE.diff(presets.PRACTICE)
        ()
        """
        return _diff.diff(self, other)

    def tier_rank(self, tier_id: str) -> int:
        """0 for the lowest tier, rising; raises ``KeyError`` for an unknown tier."""
        for rank, tier in enumerate(self.tiers):
            if tier.id == tier_id:
                return rank
        raise KeyError(tier_id)

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The JSON Schema a bank can edit its playbook against."""
        return cls.model_json_schema(mode="validation")


def _peek(json_data: str | bytes | bytearray) -> Any:
    # Only to name the playbook in the error; the text was already rejected.
    try:
        return json.loads(json_data)
    except (ValueError, RecursionError):  # RecursionError: "[" * 5000
        return None


def _as_playbook_error(exc: RecordValidationError, data: Any) -> PlaybookError:
    pid = data.get("id") if isinstance(data, dict) else None
    return PlaybookError(
        [(d.field, d.msg) for d in exc.details], playbook_id=pid if isinstance(pid, str) else None
    )
