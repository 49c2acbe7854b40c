"""Whether a customer may be contacted on a channel for a purpose: the planner's one answer.

The planner and the worklist both ask here, so consent and do-not-contact
bind them identically: do-not-contact blocks the purposes the playbook's
``cadence.do_not_contact`` binds; otherwise the customer must have consented
to the channel for the purpose (a service consent carries regulatory duties).
"""

from __future__ import annotations

from collections.abc import Iterable

from custtier._cache import module_cache
from custtier._explain import ReasonCode
from custtier.models import Customer
from custtier.models._types import Channel, Purpose

__all__ = ["blocked", "consents", "first_allowed"]

_PURPOSES = tuple(Purpose)  # iterating the enum itself is a Python generator each time
# The purposes a consent allows, by its (service, marketing) flags: what ``allows`` reads.
_ALLOWED: dict[tuple[bool, bool], tuple[Purpose, ...]] = module_cache(
    {}, "cadence._consent._ALLOWED"
)


def consents(customer: Customer) -> frozenset[tuple[str, str]]:
    """The (channel, purpose) pairs consented to, do-not-contact aside.

    The same answers as ``ChannelConsent.allows``, asked once per pair of flags.
    """
    out: list[tuple[str, str]] = []
    for consent in customer.contact.consents:
        flags = (consent.service, consent.marketing)
        purposes = _ALLOWED.get(flags)
        if purposes is None:
            purposes = _ALLOWED.setdefault(flags, tuple(p for p in _PURPOSES if consent.allows(p)))
        channel = consent.channel
        out += [(channel, p) for p in purposes]
    return frozenset(out)


def blocked(
    customer: Customer,
    channel: Channel,
    purpose: Purpose,
    binds: Iterable[Purpose],
    allowed: frozenset[tuple[str, str]],
) -> ReasonCode | None:
    """Why ``customer`` may not be contacted so (``allowed`` is :func:`consents`), or ``None``."""
    if customer.contact.do_not_contact and purpose in binds:
        return ReasonCode.CADENCE_DO_NOT_CONTACT
    if (channel, purpose) not in allowed:
        return ReasonCode.CADENCE_NO_CONSENT
    return None


def first_allowed(
    customer: Customer, purpose: Purpose, channels: Iterable[Channel], binds: Iterable[Purpose]
) -> Channel | ReasonCode:
    """The first of ``channels`` the customer may be contacted on for ``purpose``, else why not.

    >>> from custtier import Customer
    >>> c = Customer(key="C1", contact={"consents": [{"channel": "sms"}]})
    >>> first_allowed(c, Purpose.SERVICE, [Channel.PHONE, Channel.SMS], [Purpose.MARKETING])
    <Channel.SMS: 'sms'>
    >>> first_allowed(c, Purpose.MARKETING, [Channel.PHONE, Channel.SMS], [Purpose.MARKETING])
    <ReasonCode.CADENCE_NO_CONSENT: 'CADENCE_NO_CONSENT'>
    """
    allowed = consents(customer)
    bound = tuple(binds)
    why = ReasonCode.CADENCE_NO_CONSENT
    for channel in channels:
        code = blocked(customer, channel, purpose, bound, allowed)
        if code is None:
            return channel
        why = code
    return why
