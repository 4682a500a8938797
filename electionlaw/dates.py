"""Day arithmetic (RULES G3) and age on election day (RULES G5).

Dates are ``datetime.date``; a ``datetime`` is refused because comparing it with
a ``date`` is an error waiting to happen.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date, datetime, timedelta

from ._base import RulesInputError, require_choice, require_int
from .params import BIRTH_DATE_SOURCES

__all__ = [
    "MAX_REST_DAY_RUN",
    "adulthood_date",
    "age_on",
    "effective_birth_date",
    "eligible_on",
    "is_on_or_before_deadline",
    "is_within",
    "last_day_within",
    "latest_date_before",
    "latest_eligible_birth_date",
    "runoff_within_window",
]

VOTING_AGE = 18  # G5, R9: 年满十八周岁

# G3: 民法典 art. 203 moves a last day that is a rest day to the next working day.
# No real calendar has a longer run of rest days; a longer run means bad input.
MAX_REST_DAY_RUN = 31


def _require_date(value: object, label_zh: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise RulesInputError(f"{label_zh}必须是日期（收到 {value!r}）")


def latest_date_before(election_day: date, days: int, *, clear_days: bool = False) -> date:
    """The last lawful date for an act due "在选举日的 N 日前" (G3).

    Default: ``D - N`` (election 2021-01-21, 20 days → 2021-01-01). With
    ``clear_days`` (the "clear days" variant, profile ``clear_days_mode``):
    ``D - N - 1``, so that N whole days lie between the act and election day.
    """
    _require_date(election_day, "选举日")
    require_int(days, "提前天数")
    return election_day - timedelta(days=days + (1 if clear_days else 0))


def is_on_or_before_deadline(
    action: date, election_day: date, days: int, *, clear_days: bool = False
) -> bool:
    """G3: was ``action`` done in time for a "选举日的 N 日前" deadline?"""
    _require_date(action, "行为日期")
    return action <= latest_date_before(election_day, days, clear_days=clear_days)


def last_day_within(
    start: date,
    days: int,
    *,
    rest_days: Container[date] = frozenset(),
    extend_for_rest_days: bool = False,
) -> date:
    """The last day of a period "自…之日起 N 日内" (G3).

    民法典 art. 201: the start day is not counted, so the last day is
    ``start + N`` (ending at 24:00, art. 203 para 2). 民法典 art. 203 para 1: when
    ``extend_for_rest_days`` (profile ``holiday_extension``) and that day is in
    ``rest_days`` (statutory holidays and rest days), the period ends on the next
    day that is not.
    """
    _require_date(start, "起算日")
    require_int(days, "期间天数")
    last = start + timedelta(days=days)
    if extend_for_rest_days:
        for _ in range(MAX_REST_DAY_RUN):
            if last not in rest_days:
                return last
            last += timedelta(days=1)
        raise RulesInputError(f"休息日连续超过 {MAX_REST_DAY_RUN} 天，请检查节假日设置", rule="G3")
    return last


def is_within(
    action: date,
    start: date,
    days: int,
    *,
    rest_days: Container[date] = frozenset(),
    extend_for_rest_days: bool = False,
) -> bool:
    """G3: does ``action`` fall in the period "自 start 之日起 N 日内"?

    The start day itself is inside the period; a day before it is not.
    """
    _require_date(action, "行为日期")
    last = last_day_within(
        start, days, rest_days=rest_days, extend_for_rest_days=extend_for_rest_days
    )
    return start <= action <= last


def runoff_within_window(first_round_day: date, runoff_day: date, *, window_days: int) -> bool:
    """R31: the 另行选举 is held the same day or within ``window_days`` days after
    the first round (profile ``lingxing_window_days``; 新河 10, Zhejiang 30)."""
    return is_within(runoff_day, first_round_day, window_days)


def adulthood_date(birth_date: date, *, age: int = VOTING_AGE) -> date:
    """The day a person born on ``birth_date`` reaches ``age`` full years (G5).

    Born 29 February: in a year without 29 February the anniversary is 28 February
    (民法典 art. 202: 没有对应日的，月末日为期间的最后一日) [U].
    """
    _require_date(birth_date, "出生日期")
    require_int(age, "年龄")
    year = birth_date.year + age
    try:
        return birth_date.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 2, 28)


def age_on(birth_date: date, day: date) -> int:
    """Full years of age on ``day`` (G5); 0 before the first birthday.

    Born 29 February: a year older on 28 February of a common year, the day
    :func:`adulthood_date` uses (民法典 art. 202).
    """
    _require_date(birth_date, "出生日期")
    _require_date(day, "日期")
    years = day.year - birth_date.year
    if years > 0 and adulthood_date(birth_date, age=years) > day:
        years -= 1
    return max(years, 0)


def eligible_on(birth_date: date, election_day: date) -> bool:
    """G5 / R9: 年满十八周岁 on election day, the 18th birthday itself included."""
    _require_date(election_day, "选举日")
    return adulthood_date(birth_date) <= election_day


def latest_eligible_birth_date(election_day: date) -> date:
    """The latest birth date that is still eligible on ``election_day`` (G5).

    This is the cut-off printed on the registration notice (N2: "…年…月…日前出生",
    inclusive). It is ``election_day`` minus 18 years, except around 29 February:
    election on 28 Feb of a common year whose date 18 years back is a leap year →
    people born on 29 Feb of that year are eligible too.
    """
    _require_date(election_day, "选举日")
    try:
        candidate = election_day.replace(year=election_day.year - VOTING_AGE)
    except ValueError:  # election on 29 Feb; 18 years back is a common year
        candidate = date(election_day.year - VOTING_AGE, 2, 28)
    following = candidate + timedelta(days=1)
    return following if eligible_on(following, election_day) else candidate


def effective_birth_date(
    *, id_card: date | None, hukou: date | None, source: str = "id_card"
) -> date:
    """G5: the birth date to use when the 居民身份证 and 户口簿 may differ.

    ``source`` (profile ``birth_date_source``) names the record that wins when both
    exist: the ID card by default, the 户口簿 in 罗湖 practice. When only one record
    exists it is used (G5: "from the 居民身份证, or 户籍 if there is none").
    """
    require_choice(source, BIRTH_DATE_SOURCES, "出生日期依据")
    first, second = (id_card, hukou) if source == "id_card" else (hukou, id_card)
    chosen = first if first is not None else second
    if chosen is None:
        raise RulesInputError("身份证和户口簿都没有出生日期，无法确定年龄", rule="G5")
    return _require_date(chosen, "出生日期")
