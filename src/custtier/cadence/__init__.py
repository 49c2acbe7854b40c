"""The contact-cadence planner: who is contacted when, through which channel, why, by whom.

Public entry points: :func:`plan_contacts` builds a :class:`ContactPlan` of
:class:`Touchpoint` and :class:`Unscheduled` items over a horizon;
:func:`plan_to_ical` renders it as RFC 5545 text. Calendars:
:class:`WeekendCalendar` (stdlib, the default) and :class:`HolidaysCalendar`
(the ``calendars`` extra: public holidays and lunar dates).
"""

from custtier.cadence._calendar import Calendar, HolidaysCalendar, LunarDay, WeekendCalendar
from custtier.cadence._ical import plan_to_ical
from custtier.cadence._models import ContactPlan, ManagerWeekLoad, Touchpoint, Unscheduled
from custtier.cadence._plan import plan_contacts

__all__ = [
    "Calendar",
    "ContactPlan",
    "HolidaysCalendar",
    "LunarDay",
    "ManagerWeekLoad",
    "Touchpoint",
    "Unscheduled",
    "WeekendCalendar",
    "plan_contacts",
    "plan_to_ical",
]
