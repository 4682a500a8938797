"""Rest days for deadline extension (民法典 art. 203, RULES.md G3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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


# -- the State Council's calendar (chinesecalendar) ------------------------------------

# chinese_calendar names its holidays in English.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争胜利70周年纪念日",
}


@dataclass(frozen=True)
class OfficialDay:
    date: dt.date
    is_working_day: bool
    name: str


def _chinese_name(english: str | None) -> str:
    if not english:
        return ""
    return HOLIDAY_NAMES.get(english, english)


def state_council_days(year: int) -> list[OfficialDay] | None:
    """The year's weekday holidays and 调休 working days (weekend days worked), as the
    State Council announced them; None when the package has no data for the year.

    Weekend holidays are not listed: Saturdays and Sundays are rest days anyway."""
    import chinese_calendar as cc

    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    try:
        holidays = {
            d for d in cc.get_holidays(start, end, include_weekends=False) if d.weekday() < 5
        }
    except NotImplementedError:
        return None
    makeup = {d for d in cc.workdays if d.year == year and d.weekday() >= 5}
    days = [OfficialDay(d, False, _chinese_name(cc.get_holiday_detail(d)[1])) for d in holidays] + [
        OfficialDay(d, True, f"{_chinese_name(cc.get_holiday_detail(d)[1])}调休上班".lstrip())
        for d in makeup
    ]
    return sorted(days, key=lambda day: day.date)
