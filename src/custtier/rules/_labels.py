"""A playbook's words in each locale: labels of its rows and how amounts are written.

``Playbook.locales`` maps a locale (``"zh_CN"``, ``"en"``) to labels keyed
``<kind>.<id>``: ``tier.high_end``, ``level.C3`` (customer risk levels),
``plevel.R4`` (product risk levels), ``category.deposit``,
``service.<id>``, ``contact.<contact rule or campaign id>``,
``channel.phone`` and ``occasion.holiday``. A key must be of one of these
kinds; a label for an id the playbook no longer has is kept, harmless, so a
variant that drops a row need not edit its labels (the presets' tests check
that every row they have is labelled). The content hash covers the labels,
since a label is what a customer is told.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from pydantic import Field

from custtier._i18n import AmountStyle, Locale, Terms
from custtier.models._base import CusttierModel
from custtier.models._types import LABEL_RULE, NOT_IN_A_LABEL

if TYPE_CHECKING:
    from custtier.rules.playbook import Playbook

__all__ = ["LABEL_KINDS", "LocaleText", "label_problems", "terms"]

#: The kinds of thing a playbook labels, and what each kind's ids are.
LABEL_KINDS = ("tier", "level", "plevel", "category", "service", "contact", "channel", "occasion")


class LocaleText(CusttierModel):
    """A playbook's words in one locale."""

    labels: dict[str, str] = Field(default_factory=dict)
    amounts: AmountStyle = AmountStyle.GROUPED


def label_problems(pb: Playbook) -> Iterator[tuple[str, str]]:
    """A label keyed by an unknown kind, or whose text is empty or not one printable line."""
    for locale, text in pb.locales.items():
        for key, label in text.labels.items():
            path = f"locales.{locale}.labels.{key}"
            kind, _, ident = key.partition(".")
            if kind not in LABEL_KINDS or not ident:
                yield path, f"labels are keyed <kind>.<id>, kind one of {', '.join(LABEL_KINDS)}"
            elif not label.strip():
                yield path, "a label must not be empty"
            elif NOT_IN_A_LABEL.search(label):
                yield path, f"the label {LABEL_RULE}"


def _own_label(ident: str, label: str) -> str:
    # Regulatory labels repeat the id ("C3 Balanced"); the renderer shows the id itself.
    return label[len(ident) :].strip() if label.startswith(ident + " ") else label


def terms(pb: Playbook, locale: Locale) -> Terms:
    """The labels, currency and amount style of ``pb`` in ``locale``.

    English falls back to each row's own ``label``; other locales use only
    the labels the playbook gives them (custtier's vocabulary fills in
    channels and occasions).
    """
    labels: dict[str, str] = {}
    if locale is Locale.EN:
        rows: Mapping[str, list[tuple[str, str]]] = {
            "tier": [(t.id, t.label) for t in pb.tiers],
            "level": [(lv.id, lv.label) for lv in pb.risk.customer_levels],
            "plevel": [(lv.id, lv.label) for lv in pb.risk.product_levels],
            "category": [(c.id, c.label) for c in pb.allocation.categories],
            "service": [(s.id, s.label) for s in pb.services],
            "contact": [(c.id, c.label) for c in pb.cadence.campaigns]
            + [(r.id, r.description) for r in pb.cadence.contact_rules if r.description],
        }
        for kind, pairs in rows.items():
            labels.update((f"{kind}.{i}", _own_label(i, label)) for i, label in pairs)
    own = pb.locales.get(locale)
    if own is not None:
        labels.update(own.labels)
    return Terms(
        labels=labels,
        currency=pb.currency,
        amounts=own.amounts if own is not None else AmountStyle.GROUPED,
    )
