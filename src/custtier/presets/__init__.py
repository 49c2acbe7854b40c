"""The two playbooks custtier ships, validated when this module is imported.

* :data:`PRACTICE` — the practice as written: high-end / mid-end / mass and
  conservative / steady / aggressive.
* :data:`REGULATORY` — five customer levels C1-C5 against product levels R1-R5,
  with a private-banking tier.

>>> from custtier import presets
>>> sorted(presets.ALL)
['practice', 'regulatory_c1_c5']
>>> [lv.id for lv in presets.REGULATORY.risk.customer_levels]
['C1', 'C2', 'C3', 'C4', 'C5']
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from custtier.presets.practice import PRACTICE_DATA
from custtier.presets.regulatory import REGULATORY_DATA
from custtier.rules.playbook import Playbook

__all__ = ["ALL", "PRACTICE", "REGULATORY", "get"]

PRACTICE: Playbook = Playbook.model_validate(PRACTICE_DATA)
REGULATORY: Playbook = Playbook.model_validate(REGULATORY_DATA)

#: Every shipped preset by id.
ALL: Mapping[str, Playbook] = MappingProxyType({p.id: p for p in (PRACTICE, REGULATORY)})


def get(preset_id: str) -> Playbook:
    """The shipped preset with this id; ``KeyError`` names the choices otherwise."""
    try:
        return ALL[preset_id]
    except KeyError:
        raise KeyError(f"no preset {preset_id!r}; choose one of {sorted(ALL)}") from None
