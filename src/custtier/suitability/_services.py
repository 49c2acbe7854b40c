"""What a customer's tier is entitled to: packages, channels, value-added services, events."""

from __future__ import annotations

import datetime as dt

from custtier._args import as_date, as_key, as_playbook
from custtier._explain import Reason, ReasonCode
from custtier._tier_arg import TierLike, tier_id
from custtier.errors import InputError
from custtier.rules import Playbook
from custtier.suitability._models import ServicesDecision

__all__ = ["tier_services"]


def tier_services(
    customer_key: str, tier: TierLike, playbook: Playbook, *, as_of: dt.date
) -> ServicesDecision:
    """The services ``tier`` is entitled to under ``playbook``, one reason per service.

    ``tier`` is a tier id or the customer's :class:`~custtier.TierDecision`.

    >>> import datetime as dt
    >>> from custtier import presets
    >>> d = tier_services("C1", "mass", presets.PRACTICE, as_of=dt.date(2026, 11, 30))
    >>> d.services
    ('points_exchange', 'deposit_gift', 'referral_reward')
    """
    customer_key, playbook = as_key(customer_key), as_playbook(playbook)
    as_of = as_date(as_of, "as_of")
    tier = tier_id(tier, customer_key=customer_key)
    if tier not in {t.id for t in playbook.tiers}:
        raise InputError("tier is not defined in the playbook", field="tier")
    entitled = [s for s in playbook.services if tier in s.tiers]
    reasons = tuple(
        Reason.of(
            ReasonCode.SERVICE_ENTITLED,
            f"service.{s.id}",
            case="entitled",
            service=s.id,
            kind=s.kind.value,
        )
        for s in entitled
    )
    if not reasons:
        reasons = (Reason.of(ReasonCode.SERVICE_ENTITLED, "service", case="none", tier=tier),)
    return ServicesDecision.trusted(
        customer_key=customer_key,
        outcome=tier,
        reasons=reasons,
        playbook=playbook.ref,
        as_of=as_of,
        services=tuple(s.id for s in entitled),
    )
