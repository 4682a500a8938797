"""Profile parameters (RULES §10) and the checks around the count: nomination
(R15–R17), women (R18, R32), vacancies (R33), re-election (R34), proxies (B6, P4),
recall (T3) and the party's 应到会 (P2) and seat reduction (P13)."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

import electionlaw as rules
from electionlaw import (
    Decision,
    PartyExclusion,
    RuleParams,
    RulesInputError,
    check_proxy,
    formal_candidate_count_ok,
    may_stop_with_vacancies,
    no_woman_elected,
    nomination_meeting_valid,
    party_candidate_count_ok,
    party_expected_members,
    party_seat_reduction_approved,
    persons_needing_post_choice,
    rank_nominations,
    recall_initiation_sufficient,
    recall_passed,
    reelection_triggers,
    runoff_turnout_valid,
    top_unelected_women,
    women_candidate_missing,
    women_remedy,
)

# --- RuleParams ------------------------------------------------------------------------------


def test_default_params_are_the_national_reading():
    params = RuleParams()
    assert params.voter_list_days_before == 20
    assert params.proxy_cap == 3
    assert params.election_method == "all_voters"
    assert (params.lingxing_threshold_num, params.lingxing_threshold_den) == (1, 3)
    assert params.party_quorum_inclusive is False
    assert (params.zongzhi_min, params.dangwei_min) == (50, 100)


def test_params_are_built_from_a_mapping_of_field_values():
    values = {f.name: getattr(RuleParams(), f.name) for f in dataclasses.fields(RuleParams)}
    values.update(proxy_cap=5, formal_list_days_before=7, lingxing_window_days=10)
    assert RuleParams(**values).proxy_cap == 5


def test_params_are_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        RuleParams().proxy_cap = 5  # type: ignore[misc]


CHOICE_FIELDS = {
    "law_regime": rules.LAW_REGIMES,
    "nomination_meeting_quorum": rules.NOMINATION_MEETING_QUORUMS,
    "women_remedy": rules.WOMEN_REMEDIES,
    "withdrawal_policy": rules.WITHDRAWAL_POLICIES,
    "proxy_relation_set": rules.PROXY_RELATION_SETS,
    "mobile_box_approver": rules.MOBILE_BOX_APPROVERS,
    "election_method": rules.ELECTION_METHODS,
    "returned_vs": rules.RETURNED_VS,
    "ballot_invalidation": rules.BALLOT_INVALIDATIONS,
    "same_person_two_posts": rules.SAME_PERSON_TWO_POSTS,
    "writein_without_mark": rules.WRITEIN_WITHOUT_MARK,
    "post_vote_aggregation": rules.POST_VOTE_AGGREGATIONS,
    "kinship_relation_set": rules.KINSHIP_RELATION_SETS,
    "ballot_order": rules.BALLOT_ORDERS,
    "birth_date_source": rules.BIRTH_DATE_SOURCES,
}


@pytest.mark.parametrize(("name", "choices"), CHOICE_FIELDS.items())
def test_every_choice_field_accepts_its_choices_and_refuses_others(name, choices):
    for choice in choices:
        values: dict[str, Any] = {name: choice}
        assert getattr(RuleParams(**values), name) == choice
    wrong: dict[str, Any] = {name: "no-such-choice"}
    with pytest.raises(RulesInputError, match="无效"):
        RuleParams(**wrong)


def test_every_field_refuses_a_value_of_the_wrong_type():
    for field in dataclasses.fields(RuleParams):
        with pytest.raises(RulesInputError):
            wrong: dict[str, Any] = {field.name: "x" if field.type != "str" else 1}
            RuleParams(**wrong)


@pytest.mark.parametrize(
    "name",
    [
        "voter_list_days_before",
        "objection_days",
        "objection_decision_days",
        "formal_list_days_before",
        "proxy_request_days_before",
        "proxy_publish_days_before",
        "lingxing_window_days",
        "pre_candidate_publicity_days",
        "proxy_cap",
    ],
)
def test_day_counts_and_caps_may_not_be_negative(name):
    negative: dict[str, Any] = {name: -1}
    with pytest.raises(RulesInputError, match="不能为负数"):
        RuleParams(**negative)
    zero: dict[str, Any] = {name: 0}
    assert getattr(RuleParams(**zero), name) == 0


@pytest.mark.parametrize(
    "overrides",
    [
        {"candidates_extra_min_per_post": 0},
        {"candidates_extra_max_weiyuan": 0},
        {"lingxing_threshold_den": 0},
        {"lingxing_threshold_num": 4},
        {"party_diff_pct": 101},
        {"party_absence_categories": 7},
        {"zongzhi_min": 120},
        {"proxies_per_principal": 0},
        {"min_members_to_stop": 0},
        {"holiday_extension": 1},
    ],
)
def test_params_refuse_impossible_combinations(overrides):
    with pytest.raises(RulesInputError):
        RuleParams(**overrides)


def test_the_shanghai_and_six_category_variants_are_accepted():
    params = RuleParams(candidates_extra_max_weiyuan=3, party_absence_categories=6)
    assert params.candidates_extra_max_weiyuan == 3


# --- R15, R16 nomination ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("registered", "participants", "quorum", "valid"),
    [
        (100, 50, "half", False),
        (100, 51, "half", True),
        (100, 1, "none", True),
        (100, 0, "none", False),
    ],
)
def test_a_nomination_meeting_needs_more_than_half_unless_the_profile_drops_it(
    registered, participants, quorum, valid
):
    assert nomination_meeting_valid(registered, participants, quorum=quorum) is valid


def test_nomination_checks_refuse_impossible_counts():
    with pytest.raises(RulesInputError, match="超过登记选民数"):
        nomination_meeting_valid(100, 101)
    with pytest.raises(RulesInputError, match="提名会议人数要求"):
        nomination_meeting_valid(100, 60, quorum="third")
    with pytest.raises(RulesInputError, match="应选名额必须至少为 1"):
        rank_nominations(0, {"a": 1})
    with pytest.raises(RulesInputError, match="不能为负数"):
        rank_nominations(2, {"a": -1})


def test_formal_candidates_are_the_nominees_with_most_votes():
    result = rank_nominations(3, {"a": 40, "b": 10, "c": 35, "d": 20, "e": 0})
    assert result == Decision(("a", "c", "d"), (), 0, 0, ("R16",))


def test_a_tie_at_the_nomination_cut_off_goes_to_a_revote():
    result = rank_nominations(3, {"a": 40, "b": 20, "c": 35, "d": 20})
    assert result == Decision(("a", "c"), ("b", "d"), 1, 0, ("R16",))


def test_too_few_nominees_leave_the_difference_unmet():
    result = rank_nominations(4, {"a": 40, "b": 20, "z": 0})
    assert result == Decision(("a", "b"), (), 0, 2, ("R16", "R17"))


def test_a_person_nominated_for_two_posts_must_choose_one():
    votes = {"director": {"a": 30, "b": 2}, "member": {"a": 5, "c": 9, "b": 0}}
    assert persons_needing_post_choice(votes) == ("a",)


# --- R17 formal candidate numbers, P5 -----------------------------------------------------------


def test_each_post_needs_more_candidates_than_seats_by_default():
    params = RuleParams()
    assert formal_candidate_count_ok(3, 4, params=params) == ()
    (violation,) = formal_candidate_count_ok(3, 3, params=params)
    assert violation.code == "too_few_candidates"
    assert violation.rules == ("R17",)
    assert "至少 4 名" in violation.message_zh


def test_equal_candidates_are_lawful_only_when_the_profile_allows_them():
    assert (
        formal_candidate_count_ok(
            1, 1, params=RuleParams(allow_equal_candidates=True), post="director"
        )
        == ()
    )
    assert formal_candidate_count_ok(1, 1, params=RuleParams(), post="director") != ()


def test_shanghai_caps_member_candidates_at_three_above_the_seats():
    params = RuleParams(candidates_extra_max_weiyuan=3)
    assert formal_candidate_count_ok(5, 8, params=params) == ()
    assert [v.code for v in formal_candidate_count_ok(5, 9, params=params)] == [
        "too_many_candidates"
    ]
    assert formal_candidate_count_ok(1, 9, params=params, post="director") == ()


def test_party_candidate_numbers_follow_the_twenty_percent_difference():
    assert party_candidate_count_ok(7, 9) == ()
    (violation,) = party_candidate_count_ok(7, 8)
    assert violation.rules == ("P5", "G4")


# --- R18, R32 women ----------------------------------------------------------------------


def test_a_formal_list_without_a_woman_is_flagged_when_required():
    assert women_candidate_missing(["a", "b"], ["c"]) is True
    assert women_candidate_missing(["a", "c"], ["c"]) is False
    assert women_candidate_missing(["a", "b"], ["c"], required=False) is False


def test_no_woman_elected_is_detected():
    assert no_woman_elected(["a", "b"], ["c", "d"]) is True
    assert no_woman_elected(["a", "d"], ["c", "d"]) is False
    assert no_woman_elected([], ["c"]) is True


def test_each_women_remedy_is_described():
    assert women_remedy("reserved_seat").reserved_seats == 1
    assert women_remedy("dedicated_column").candidate_rule == "women_column"
    shanxi = women_remedy("shanxi_runoff")
    assert (shanxi.reserved_seats, shanxi.may_stay_vacant) == (0, True)
    assert all(women_remedy(code).blocks_certification for code in rules.WOMEN_REMEDIES)
    assert all("R32" in women_remedy(code).rules for code in rules.WOMEN_REMEDIES)
    with pytest.raises(RulesInputError):
        women_remedy("quota")


def test_the_top_unelected_woman_joins_the_runoff_in_shanxi():
    votes = {"a": 9, "w1": 4, "w2": 5, "w3": 5, "w0": 8}
    assert top_unelected_women(
        votes, elected_keys=["a", "w0"], women_keys=["w0", "w1", "w2", "w3"]
    ) == (
        "w2",
        "w3",
    )
    assert top_unelected_women(votes, elected_keys=["a"], women_keys=[]) == ()


def test_women_checks_refuse_a_bare_string_for_a_list_of_keys():
    with pytest.raises(RulesInputError, match="单个字符串"):
        no_woman_elected("ab", ["a"])


# --- R33 vacancies ----------------------------------------------------------------------------


@pytest.mark.parametrize(("elected", "may_stop"), [(2, False), (3, True), (5, True)])
def test_seats_may_stay_vacant_once_enough_members_are_elected(elected, may_stop):
    decision = may_stop_with_vacancies(elected, 3, has_director=True)
    assert decision.may_stop is may_stop
    assert bool(decision) is may_stop
    assert decision.reasons == ("R33",)


def test_who_presides_without_a_director():
    assert may_stop_with_vacancies(3, 3, has_director=True).presiding == "director"
    assert may_stop_with_vacancies(
        3, 3, has_director=False, has_deputy_director=True
    ).presiding == ("deputy_director")
    assert may_stop_with_vacancies(3, 3, has_director=False).presiding == "elected_member"
    assert may_stop_with_vacancies(2, 3, has_director=True).presiding is None


def test_beijing_needs_more_than_three_including_the_director():
    assert may_stop_with_vacancies(4, 4, has_director=True, director_required=True).may_stop
    assert not may_stop_with_vacancies(4, 4, has_director=False, director_required=True).may_stop
    assert not may_stop_with_vacancies(3, 4, has_director=True, director_required=True).may_stop


def test_vacancy_check_refuses_a_director_without_any_member_elected():
    with pytest.raises(RulesInputError):
        may_stop_with_vacancies(0, 3, has_director=True)


# --- R34 re-election ---------------------------------------------------------------------------


def test_a_valid_election_has_no_reelection_trigger():
    assert reelection_triggers(registered=1000, participants=600, issued=610, returned=600) == ()


def test_each_reelection_trigger_carries_its_rule():
    found = reelection_triggers(
        registered=1000, participants=500, issued=490, returned=500, voided_for_fraud=True
    )
    assert [(v.code, v.rules) for v in found] == [
        ("turnout", ("R34", "R24")),
        ("returned_exceeds", ("R34", "R25", "P10")),
        ("voided", ("R34", "R40")),
    ]


def test_reelection_uses_the_election_method_and_signed_in_voters():
    assert reelection_triggers(registered=30, participants=20, method="group_reps") == ()
    found = reelection_triggers(
        registered=1000, participants=600, issued=700, returned=600, signed_in=598
    )
    assert [v.code for v in found] == ["returned_exceeds"]


def test_a_runoff_round_needs_the_turnout_only_when_the_profile_says_so():
    assert runoff_turnout_valid(1000, 500) is False
    assert runoff_turnout_valid(1000, 500, required=False) is True
    assert runoff_turnout_valid(1000, 0, required=False) is False


# --- B6 proxies, P4 ----------------------------------------------------------------------------


def test_a_near_relative_within_the_cap_may_hold_a_proxy():
    assert check_proxy(holder_existing=2, relation="spouse") == ()


def test_the_proxy_cap_is_reached_at_the_cap():
    (violation,) = check_proxy(holder_existing=3, relation="spouse")
    assert violation.code == "proxy_cap"
    assert check_proxy(holder_existing=4, relation="spouse", cap=5) == ()


def test_a_principal_gives_one_proxy_only():
    codes = [
        v.code for v in check_proxy(holder_existing=0, relation="parent", principal_existing=1)
    ]
    assert codes == ["principal_already_delegated"]


def test_a_candidate_may_hold_a_proxy_only_where_the_profile_allows():
    assert [
        v.code for v in check_proxy(holder_existing=0, relation="child", holder_is_candidate=True)
    ] == ["holder_is_candidate"]
    assert (
        check_proxy(
            holder_existing=0,
            relation="child",
            holder_is_candidate=True,
            candidate_can_be_proxy=True,
        )
        == ()
    )


def test_a_holder_outside_the_voter_list_is_rejected():
    found = check_proxy(holder_existing=0, relation="child", holder_is_voter=False)
    assert [v.code for v in found] == ["holder_not_voter"]


def test_a_late_proxy_request_is_rejected():
    election = date(2021, 1, 21)
    on_time = check_proxy(
        holder_existing=0, relation="child", requested_on=date(2021, 1, 18), election_day=election
    )
    assert on_time == ()
    late = check_proxy(
        holder_existing=0, relation="child", requested_on=date(2021, 1, 19), election_day=election
    )
    assert [(v.code, v.rules) for v in late] == [("late_request", ("B6", "G3"))]
    assert "2021-01-18" in late[0].message_zh


def test_a_proxy_deadline_check_needs_both_dates():
    with pytest.raises(RulesInputError):
        check_proxy(holder_existing=0, relation="child", requested_on=date(2021, 1, 1))


def test_all_proxy_violations_are_reported_together():
    found = check_proxy(
        holder_existing=3,
        principal_existing=1,
        holder_is_candidate=True,
        relation="other",
        sub_delegation=True,
    )
    assert [v.code for v in found] == [
        "proxy_cap",
        "principal_already_delegated",
        "holder_is_candidate",
        "holder_not_near_relative",
        "sub_delegation",
    ]
    assert all(v.rules == ("B6",) for v in found)


def test_proxy_checks_refuse_negative_counts_and_unknown_relations():
    with pytest.raises(RulesInputError):
        check_proxy(holder_existing=-1, relation="spouse")
    with pytest.raises(RulesInputError):
        check_proxy(holder_existing=0, relation="cousin")


# --- T3 recall ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signers", "registered", "by", "enough"),
    [
        (199, 1000, "voters", False),
        (200, 1000, "voters", True),
        (201, 1001, "voters", True),  # 1005 >= 1001
        (200, 1001, "voters", False),
        (9, 30, "representatives", False),
        (10, 30, "representatives", True),
        (10, 31, "representatives", False),
        (11, 31, "representatives", True),
    ],
)
def test_a_recall_needs_a_fifth_of_voters_or_a_third_of_representatives(
    signers, registered, by, enough
):
    assert recall_initiation_sufficient(signers, registered, by=by) is enough


@pytest.mark.parametrize(
    ("registered", "voting", "yes", "passed"),
    [
        (1000, 520, 261, True),
        (1000, 520, 260, False),
        (1000, 500, 500, False),  # exactly half voting
        (1000, 501, 251, True),
        (1001, 501, 251, True),
        (1001, 500, 500, False),
    ],
)
def test_a_recall_passes_with_a_double_majority(registered, voting, yes, passed):
    assert recall_passed(registered, voting, yes) is passed


def test_recall_refuses_impossible_counts():
    with pytest.raises(RulesInputError):
        recall_passed(1000, 1001, 10)
    with pytest.raises(RulesInputError):
        recall_passed(1000, 500, 501)
    with pytest.raises(RulesInputError):
        recall_initiation_sufficient(1001, 1000)
    with pytest.raises(RulesInputError):
        recall_initiation_sufficient(1, 0)
    with pytest.raises(RulesInputError):
        recall_initiation_sufficient(1, 10, by="council")


# --- P2, P13 -------------------------------------------------------------------------------


def test_only_exclusions_with_both_approvals_leave_the_expected_count():
    exclusions = [
        PartyExclusion(2, superior_approved=True, meeting_passed=True),
        PartyExclusion(2, superior_approved=True, meeting_passed=False),
        PartyExclusion(4, superior_approved=False, meeting_passed=True),
    ]
    assert party_expected_members(30, exclusions) == 29


def test_the_sixth_exclusion_category_needs_the_variant():
    sixth = [PartyExclusion(6, superior_approved=True, meeting_passed=True)]
    assert party_expected_members(30, sixth, categories=6) == 29
    with pytest.raises(RulesInputError, match="不在 1–5 之内"):
        party_expected_members(30, sixth)


@pytest.mark.parametrize(
    ("present", "consenting", "approved"),
    [(21, 10, False), (21, 11, True), (20, 10, True), (20, 9, False)],
)
def test_reducing_party_seats_needs_half_or_more_of_those_present(present, consenting, approved):
    assert party_seat_reduction_approved(present, consenting) is approved


def test_reducing_party_seats_refuses_more_consenting_than_present():
    with pytest.raises(RulesInputError, match="超过实到会人数"):
        party_seat_reduction_approved(20, 21)
    assert party_seat_reduction_approved(0, 0) is False
