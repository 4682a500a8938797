"""The schedule checker at its boundaries (RULES.md G3, R12, R13, R19, B6, N11, P6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from electionlaw import RuleParams
from elections.schedule import check_schedule, default_dates, derived_dates

D = dt.date(2021, 1, 28)  # 新河 plan's election day (a Thursday)
M = dt.date(2020, 12, 28)  # its party meeting
NATIONAL = RuleParams()
XINHE = replace(NATIONAL, formal_list_days_before=7, proxy_cap=5, lingxing_window_days=10)


def kinds(violations: list) -> set[tuple[str, str]]:
    return {(v.kind, v.rule_id) for v in violations}


def check(dates: dict[str, dt.date], params: RuleParams = XINHE, rest: frozenset = frozenset()):
    return check_schedule(dates, election_day=D, party_meeting_day=M, params=params, rest_days=rest)


def test_default_schedule_is_lawful() -> None:
    dates = default_dates(election_day=D, party_meeting_day=M, params=XINHE)
    assert check(dates) == []
    # The 新河 plan's own dates: voter list 2021-01-08, formal list 2021-01-21.
    assert dates["voter_list_published"] == dt.date(2021, 1, 8)
    assert dates["formal_candidates_published"] == dt.date(2021, 1, 21)
    assert dates["nominees_published"] == dt.date(2021, 1, 18)


@pytest.mark.parametrize(
    ("day", "lawful"),
    [
        (dt.date(2021, 1, 7), True),  # 21 days before
        (dt.date(2021, 1, 8), True),  # exactly 20 days before: "20 日前" includes it
        (dt.date(2021, 1, 9), False),  # 19 days before
    ],
)
def test_voter_list_twenty_days_before(day: dt.date, lawful: bool) -> None:
    found = kinds(check({"voter_list_published": day}))
    assert (("voter_list_published", "R12") not in found) is lawful


def test_clear_days_mode_needs_one_more_day() -> None:
    params = replace(XINHE, clear_days_mode=True)
    assert ("voter_list_published", "R12") in kinds(
        check({"voter_list_published": dt.date(2021, 1, 8)}, params)
    )
    assert check({"voter_list_published": dt.date(2021, 1, 7)}, params) == []


@pytest.mark.parametrize(
    ("day", "params", "lawful"),
    [
        (dt.date(2021, 1, 21), XINHE, True),  # exactly 7 days before under 新河
        (dt.date(2021, 1, 22), XINHE, False),  # 6 days: too late for 新河
        (dt.date(2021, 1, 23), NATIONAL, True),  # exactly 5 days before nationally
        (dt.date(2021, 1, 24), NATIONAL, False),
    ],
)
def test_formal_list_days_before_follow_the_profile(
    day: dt.date, params: RuleParams, lawful: bool
) -> None:
    found = kinds(check({"formal_candidates_published": day}, params))
    assert (("formal_candidates_published", "R19") not in found) is lawful


def test_objection_deadline_is_five_days_after_publication_without_the_first_day() -> None:
    published = dt.date(2021, 1, 8)  # a Friday
    derived = derived_dates(
        {"voter_list_published": published}, election_day=D, party_meeting_day=M, params=XINHE
    )
    assert derived["objection_deadline"] == dt.date(2021, 1, 13)
    assert derived["objection_decisions_due"] == dt.date(2021, 1, 16)


def test_objection_deadline_on_a_rest_day_moves_to_the_next_working_day() -> None:
    published = dt.date(2021, 1, 4)  # + 5 = Saturday 9 January
    rest = frozenset({dt.date(2021, 1, 9), dt.date(2021, 1, 10)})
    derived = derived_dates(
        {"voter_list_published": published},
        election_day=D,
        party_meeting_day=M,
        params=XINHE,
        rest_days=rest,
    )
    assert derived["objection_deadline"] == dt.date(2021, 1, 11)
    no_extension = derived_dates(
        {"voter_list_published": published},
        election_day=D,
        party_meeting_day=M,
        params=replace(XINHE, holiday_extension=False),
        rest_days=rest,
    )
    assert no_extension["objection_deadline"] == dt.date(2021, 1, 9)


def test_objection_decisions_must_end_before_election_day() -> None:
    # A list published late (with a recorded exception) leaves no time to decide.
    params = replace(XINHE, voter_list_days_before=5)
    found = kinds(check({"voter_list_published": dt.date(2021, 1, 20)}, params))
    # 20 Jan + 5 = 25 Jan; + 3 = 28 Jan = election day → too late.
    assert ("objection_decisions_due", "R13") in found
    assert ("objection_decisions_due", "R13") not in kinds(
        check({"voter_list_published": dt.date(2021, 1, 19)}, params)
    )


def test_nominees_must_come_after_voter_list_and_before_formal_list() -> None:
    dates = {
        "voter_list_published": dt.date(2021, 1, 8),
        "nominees_published": dt.date(2021, 1, 21),
        "formal_candidates_published": dt.date(2021, 1, 21),
    }
    assert ("nominees_published", "R16") in kinds(check(dates))
    dates["nominees_published"] = dt.date(2021, 1, 8)
    found = kinds(check(dates))
    assert ("nominees_published", "R15") in found
    dates["nominees_published"] = dt.date(2021, 1, 20)
    assert check(dates) == []


@pytest.mark.parametrize(
    ("requests_close", "published", "expected"),
    [
        (dt.date(2021, 1, 25), dt.date(2021, 1, 26), set()),  # D−3 and D−2 exactly
        (dt.date(2021, 1, 26), dt.date(2021, 1, 26), {("proxy_requests_close", "B6")}),
        (dt.date(2021, 1, 25), dt.date(2021, 1, 27), {("proxies_published", "B6")}),
        (dt.date(2021, 1, 24), dt.date(2021, 1, 23), {("proxies_published", "B6")}),
    ],
)
def test_proxy_deadlines(requests_close: dt.date, published: dt.date, expected: set) -> None:
    found = kinds(check({"proxy_requests_close": requests_close, "proxies_published": published}))
    assert found == expected


def test_polling_notice_five_days_before() -> None:
    assert check({"polling_notice_published": dt.date(2021, 1, 23)}) == []
    assert kinds(check({"polling_notice_published": dt.date(2021, 1, 24)})) == {
        ("polling_notice_published", "N11")
    }


def test_party_publicity_must_end_before_approval_and_meeting() -> None:
    lawful = {
        "party_recommendation": dt.date(2020, 12, 15),
        "pre_candidate_publicity_start": dt.date(2020, 12, 21),  # ends 26 Dec
        "party_approval": dt.date(2020, 12, 27),
    }
    assert check(lawful) == []
    late_start = {**lawful, "pre_candidate_publicity_start": dt.date(2020, 12, 22)}  # ends 27th
    assert kinds(check(late_start)) == {("party_approval", "P6")}
    too_late = {**lawful, "pre_candidate_publicity_start": dt.date(2020, 12, 23)}  # ends 28th
    assert ("pre_candidate_publicity_start", "P6") in kinds(check(too_late))
    approval_on_meeting_day = {**lawful, "party_approval": M}
    assert kinds(check(approval_on_meeting_day)) == {("party_approval", "P6")}
    recommendation_late = {**lawful, "party_recommendation": dt.date(2020, 12, 21)}
    assert kinds(check(recommendation_late)) == {("party_recommendation", "P6")}


def test_lingxing_window_follows_profile() -> None:
    assert derived_dates({}, election_day=D, party_meeting_day=None, params=XINHE)[
        "lingxing_deadline"
    ] == dt.date(2021, 2, 7)
    assert derived_dates({}, election_day=D, party_meeting_day=None, params=NATIONAL)[
        "lingxing_deadline"
    ] == dt.date(2021, 2, 27)


def test_every_violation_carries_a_rule_id_and_chinese_message() -> None:
    dates = {
        "voter_list_published": dt.date(2021, 1, 20),
        "formal_candidates_published": dt.date(2021, 1, 27),
    }
    violations = check(dates)
    assert violations
    for violation in violations:
        assert violation.rule_id
        assert "选举日" in violation.message or "申诉" in violation.message
