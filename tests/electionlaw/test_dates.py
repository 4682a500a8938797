"""Day arithmetic (RULES G3) and age on election day (RULES G5)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from electionlaw import (
    RulesInputError,
    adulthood_date,
    effective_birth_date,
    eligible_on,
    is_on_or_before_deadline,
    is_within,
    last_day_within,
    latest_date_before,
    latest_eligible_birth_date,
    runoff_within_window,
)

# --- "在选举日的 N 日前" -------------------------------------------------------------------


def test_voter_list_twenty_days_before_a_january_21_election_is_due_january_1():
    assert latest_date_before(date(2021, 1, 21), 20) == date(2021, 1, 1)


def test_clear_days_move_the_deadline_one_day_earlier():
    assert latest_date_before(date(2021, 1, 21), 20, clear_days=True) == date(2020, 12, 31)


def test_a_deadline_counted_back_crosses_month_and_leap_day_boundaries():
    assert latest_date_before(date(2024, 3, 5), 5) == date(2024, 2, 29)
    assert latest_date_before(date(2023, 3, 5), 5) == date(2023, 2, 28)


def test_zero_days_before_means_on_election_day_at_the_latest():
    assert latest_date_before(date(2021, 1, 21), 0) == date(2021, 1, 21)


@pytest.mark.parametrize(
    ("action", "clear_days", "in_time"),
    [
        (date(2021, 1, 1), False, True),
        (date(2020, 12, 20), False, True),
        (date(2021, 1, 2), False, False),
        (date(2021, 1, 1), True, False),
        (date(2020, 12, 31), True, True),
    ],
)
def test_an_act_is_in_time_on_or_before_the_deadline(action, clear_days, in_time):
    election = date(2021, 1, 21)
    assert is_on_or_before_deadline(action, election, 20, clear_days=clear_days) is in_time


def test_deadlines_refuse_negative_day_counts():
    with pytest.raises(RulesInputError, match="不能为负数"):
        latest_date_before(date(2021, 1, 21), -1)


def test_deadlines_refuse_datetimes_instead_of_dates():
    with pytest.raises(RulesInputError, match="必须是日期"):
        latest_date_before(datetime(2021, 1, 21, 9, 0), 20)
    with pytest.raises(RulesInputError, match="必须是日期"):
        is_on_or_before_deadline(datetime(2021, 1, 1, 9, 0), date(2021, 1, 21), 20)


# --- "自…之日起 N 日内" ----------------------------------------------------------------------


def test_a_five_day_period_does_not_count_the_start_day():
    assert last_day_within(date(2021, 1, 1), 5) == date(2021, 1, 6)


def test_a_period_ending_on_rest_days_is_extended_to_the_next_working_day():
    rest = {date(2021, 1, 6), date(2021, 1, 7)}
    assert last_day_within(date(2021, 1, 1), 5, rest_days=rest) == date(2021, 1, 6)
    assert last_day_within(date(2021, 1, 1), 5, rest_days=rest, extend_for_rest_days=True) == date(
        2021, 1, 8
    )


def test_rest_days_before_the_last_day_do_not_extend_the_period():
    rest = {date(2021, 1, 3), date(2021, 1, 4)}
    assert last_day_within(date(2021, 1, 1), 5, rest_days=rest, extend_for_rest_days=True) == date(
        2021, 1, 6
    )


def test_an_endless_run_of_rest_days_is_refused():
    class Everyday:
        def __contains__(self, item: object) -> bool:
            return True

    with pytest.raises(RulesInputError, match="休息日连续超过"):
        last_day_within(date(2021, 1, 1), 5, rest_days=Everyday(), extend_for_rest_days=True)


@pytest.mark.parametrize(
    ("offset", "inside"),
    [(-1, False), (0, True), (1, True), (5, True), (6, False)],
)
def test_an_act_is_within_the_period_from_the_start_day_to_the_last_day(offset, inside):
    start = date(2021, 1, 1)
    assert is_within(start + timedelta(days=offset), start, 5) is inside


def test_an_act_on_the_extended_last_day_is_within_the_period_only_with_extension():
    start = date(2021, 1, 1)
    rest = {date(2021, 1, 6)}
    assert is_within(date(2021, 1, 7), start, 5, rest_days=rest) is False
    assert is_within(date(2021, 1, 7), start, 5, rest_days=rest, extend_for_rest_days=True)


def test_a_decision_due_within_three_days_of_receipt():
    received = date(2021, 1, 4)
    assert is_within(date(2021, 1, 7), received, 3) is True
    assert is_within(date(2021, 1, 8), received, 3) is False


def test_a_runoff_may_be_held_the_same_day_or_within_the_window():
    first = date(2021, 1, 21)
    assert runoff_within_window(first, first, window_days=10) is True
    assert runoff_within_window(first, date(2021, 1, 31), window_days=10) is True
    assert runoff_within_window(first, date(2021, 2, 1), window_days=10) is False
    assert runoff_within_window(first, date(2021, 2, 20), window_days=30) is True


# --- G5 age --------------------------------------------------------------------------------


def test_a_voter_turning_eighteen_on_election_day_is_eligible():
    assert eligible_on(date(2003, 1, 21), date(2021, 1, 21)) is True


def test_a_voter_turning_eighteen_the_day_after_election_day_is_not_eligible():
    assert eligible_on(date(2003, 1, 22), date(2021, 1, 21)) is False


def test_someone_born_after_election_day_is_not_eligible():
    assert eligible_on(date(2021, 5, 1), date(2021, 1, 21)) is False


@pytest.mark.parametrize(
    ("birth", "election", "eligible"),
    [
        (date(2004, 2, 29), date(2022, 2, 27), False),
        (date(2004, 2, 29), date(2022, 2, 28), True),  # 28 Feb rule in a common year
        (date(2004, 2, 29), date(2022, 3, 1), True),
        (date(2004, 2, 28), date(2022, 2, 28), True),
        (date(2004, 3, 1), date(2022, 2, 28), False),
        (date(2006, 2, 28), date(2024, 2, 29), True),
        (date(2006, 3, 1), date(2024, 2, 29), False),
    ],
)
def test_people_born_on_29_february_turn_eighteen_on_28_february(birth, election, eligible):
    assert eligible_on(birth, election) is eligible


def test_the_eighteenth_birthday_of_a_leap_day_baby_is_28_february():
    assert adulthood_date(date(2004, 2, 29)) == date(2022, 2, 28)
    assert adulthood_date(date(2004, 2, 29), age=20) == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("election", "cutoff"),
    [
        (date(2021, 1, 21), date(2003, 1, 21)),
        (date(2022, 2, 28), date(2004, 2, 29)),  # leap-day babies of 2004 are in
        (date(2021, 2, 28), date(2003, 2, 28)),
        (date(2024, 2, 29), date(2006, 2, 28)),
        (date(2024, 3, 1), date(2006, 3, 1)),
    ],
)
def test_the_birth_date_cut_off_for_the_registration_notice(election, cutoff):
    assert latest_eligible_birth_date(election) == cutoff
    assert eligible_on(cutoff, election) is True
    assert eligible_on(cutoff + timedelta(days=1), election) is False


def test_eligibility_refuses_datetimes():
    with pytest.raises(RulesInputError, match="出生日期必须是日期"):
        eligible_on(datetime(2003, 1, 1, 0, 0), date(2021, 1, 21))


def test_the_id_card_birth_date_wins_by_default():
    assert effective_birth_date(id_card=date(2003, 1, 1), hukou=date(2003, 2, 1)) == date(
        2003, 1, 1
    )


def test_the_household_register_wins_when_the_profile_says_so():
    chosen = effective_birth_date(id_card=date(2003, 1, 1), hukou=date(2003, 2, 1), source="hukou")
    assert chosen == date(2003, 2, 1)


def test_the_other_record_is_used_when_the_preferred_one_is_missing():
    assert effective_birth_date(id_card=None, hukou=date(2003, 2, 1)) == date(2003, 2, 1)
    assert effective_birth_date(id_card=date(2003, 1, 1), hukou=None, source="hukou") == date(
        2003, 1, 1
    )


def test_a_birth_date_is_required_from_one_of_the_records():
    with pytest.raises(RulesInputError, match="无法确定年龄"):
        effective_birth_date(id_card=None, hukou=None)
    with pytest.raises(RulesInputError, match="出生日期依据"):
        effective_birth_date(id_card=date(2003, 1, 1), hukou=None, source="passport")


def test_age_on_boundaries() -> None:
    from datetime import date

    from electionlaw import age_on

    assert age_on(date(2008, 12, 11), date(2026, 12, 11)) == 18  # birthday today
    assert age_on(date(2008, 12, 12), date(2026, 12, 11)) == 17  # birthday tomorrow
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 18  # 29 Feb: 28 Feb counts
    assert age_on(date(2008, 2, 29), date(2026, 2, 27)) == 17
    assert age_on(date(2008, 2, 29), date(2028, 2, 29)) == 20
    assert age_on(date(2026, 12, 11), date(2026, 12, 1)) == 0
