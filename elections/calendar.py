"""Rest days for deadline extension (民法典 art. 203, RULES.md G3)."""

from __future__ import annotations

import datetime as dt

from elections.models import RestDay


def rest_days_between(start: dt.date, end: dt.date) -> frozenset[dt.date]:
    """Saturdays, Sundays and listed holidays in [start, end], less 调休 working days."""
    listed = dict(
        RestDay.objects.filter(date__range=(start, end)).values_list("date", "is_working_day")
    )
    days: set[dt.date] = set()
    day = start
    while day <= end:
        working = listed.get(day)
        if working is None:
            if day.weekday() >= 5:
                days.add(day)
        elif not working:
            days.add(day)
        day += dt.timedelta(days=1)
    return frozenset(days)


def rest_days_around(day: dt.date, *, before: int = 90, after: int = 60) -> frozenset[dt.date]:
    return rest_days_between(day - dt.timedelta(days=before), day + dt.timedelta(days=after))
