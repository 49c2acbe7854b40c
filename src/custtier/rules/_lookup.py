"""From a decision's rule id back to the playbook row that decided: the audit trail's last link.

Every reason cites a rule id. Most name a row of the playbook that carries
that id (a band, a policy check, a model portfolio, a contact rule); a few
name a row by a stated convention (``service.<id>``, ``kyc.<tier>``,
``cadence.leap_day.<policy>``, ``cadence.lunar``, ``risk.elderly``); settings
outside any identified row are named by their section (``playbook``,
``tiering``, ``tiering.basis.<basis>``, ``risk``, ``cadence``, ``tier.<id>``
…), which :meth:`Playbook.diff` cites; and four
name the engine itself, not a playbook row (:data:`ENGINE_RULE_IDS`). A test
runs every engine over the synthetic books and checks that every rule id it
cites resolves one way or the other.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from custtier._cache import per_playbook

if TYPE_CHECKING:
    from custtier.rules.playbook import Playbook

__all__ = ["ENGINE_RULE_IDS", "find_rule"]

#: Rule ids that name the engine, not a playbook row, and what they mean.
ENGINE_RULE_IDS: Mapping[str, str] = MappingProxyType(
    {
        "tier": "A tier movement no playbook row decides: an upgrade with no band "
        "reason before it, or a downgrade under a playbook without hysteresis.",
        "tier.override": "A manual override passed to the tiering engine "
        "(`custtier.Override`), with its author and reference; not a playbook row.",
        "suit": "No suitability check of the playbook's `risk.policy` applies to the product.",
        "service": "No service of the playbook's `services` is offered to the tier.",
    }
)


def find_rule(playbook: Playbook, rule_id: str) -> Any | None:
    """The playbook row (or section) that ``rule_id`` names, or ``None``.

    ``None`` means the id is not the playbook's: one of
    :data:`ENGINE_RULE_IDS`, or a rule id from another playbook.
    """
    return _index(playbook).get(rule_id)


def _build(playbook: Playbook) -> Mapping[str, Any]:
    index: dict[str, Any] = {}
    for row in _rows(playbook):
        rule_id = getattr(row, "rule_id", None)
        if isinstance(rule_id, str):
            index.setdefault(rule_id, row)
    # Rows named by their own id: contact rules and campaigns (cadence cites them).
    for rule in playbook.cadence.contact_rules:
        index.setdefault(rule.id, rule)
    for campaign in playbook.cadence.campaigns:
        index.setdefault(campaign.id, campaign)
    # Rows named by convention.
    for service in playbook.services:
        index.setdefault(f"service.{service.id}", service)
    for tier in playbook.tiers:
        index.setdefault(f"kyc.{tier.id}", tier)  # the tier's kyc_requires
    index.setdefault(f"cadence.leap_day.{playbook.cadence.leap_day}", playbook.cadence)
    index.setdefault("cadence.lunar", playbook.cadence)  # the lunar month policies
    if playbook.risk.elderly_max_level is not None:
        index.setdefault("risk.elderly", playbook.risk)  # elderly_age, elderly_max_level
    # Settings outside any identified row, named by their section (Playbook.diff cites them).
    for rule_id, row in _settings(playbook):
        index.setdefault(rule_id, row)
    return MappingProxyType(index)


def _settings(playbook: Playbook) -> Iterator[tuple[str, Any]]:
    """Sections and id-keyed rows that hold settings: ``playbook``, ``tiering.basis.<basis>`` …"""
    yield "playbook", playbook  # id, version, title, currency, rounding …
    yield "tiering", playbook.tiering
    for basis in playbook.tiering.bases:
        yield f"tiering.basis.{basis.basis.value}", basis
    if playbook.tiering.upgrade_candidates is not None:
        yield "tiering.upgrade_candidates", playbook.tiering.upgrade_candidates
    yield "risk", playbook.risk
    for level in playbook.risk.customer_levels:
        yield f"risk.customer_level.{level.id}", level
    for level in playbook.risk.product_levels:
        yield f"risk.product_level.{level.id}", level
    for question in playbook.risk.questionnaire:
        yield f"risk.question.{question.id}", question
    yield "allocation", playbook.allocation
    for category in playbook.allocation.categories:
        yield f"allocation.category.{category.id}", category
    yield "cadence", playbook.cadence
    for source in playbook.sources:
        yield f"source.{source.id}", source
    for tier in playbook.tiers:
        yield f"tier.{tier.id}", tier  # label, description (kyc.<tier> names its kyc_requires)


def _rows(node: Any) -> Iterator[BaseModel]:
    """Every model inside ``node``, depth first, in field order."""
    if isinstance(node, BaseModel):
        yield node
        for name in type(node).model_fields:
            yield from _rows(getattr(node, name))
    elif isinstance(node, (tuple, list)):
        for item in node:
            yield from _rows(item)
    elif isinstance(node, Mapping):
        for item in node.values():
            yield from _rows(item)


_index = per_playbook(_build)
