"""Policy what-if: two playbooks on one book, and who and what changes between them.

>>> import datetime as dt
>>> from custtier import presets
>>> from custtier.whatif import simulate
>>> impact = simulate([{"key": "C1"}], presets.PRACTICE, presets.PRACTICE,
...                   as_of=dt.date(2026, 11, 30))
>>> impact.unchanged, impact.changes
(True, ())
"""

from custtier.whatif import _view as _view  # registers the notebook display
from custtier.whatif._models import (
    EligibilityChange,
    KycChange,
    LoadChange,
    ManagerShift,
    MigrationCell,
    MovedCustomer,
    PolicyImpact,
    ServicesChange,
    ServiceTotal,
    SimulationError,
)
from custtier.whatif._simulate import simulate

__all__ = [
    "EligibilityChange",
    "KycChange",
    "LoadChange",
    "ManagerShift",
    "MigrationCell",
    "MovedCustomer",
    "PolicyImpact",
    "ServiceTotal",
    "ServicesChange",
    "SimulationError",
    "simulate",
]
