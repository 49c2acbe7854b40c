"""The relationship manager's worklist: today's ranked list of what to do, for whom, and why.

:func:`worklist` gives one manager's :class:`Worklist`; :func:`worklists`
every manager's in one pass (:class:`BookWorklists`, ``to_arrow("items")``).
"""

from custtier.worklist import _view as _view  # registers the notebook display
from custtier.worklist._build import worklist, worklists
from custtier.worklist._ical import worklist_to_ical
from custtier.worklist._models import BookWorklists, ReinvestOption, WorkDay, WorkItem, Worklist

__all__ = [
    "BookWorklists",
    "ReinvestOption",
    "WorkDay",
    "WorkItem",
    "Worklist",
    "worklist",
    "worklist_to_ical",
    "worklists",
]
