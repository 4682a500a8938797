"""Unit tests of the counting engine's public interface (RULES G1, R17, R24–R28,
R31, P3, P5, P11–P13, P16), each threshold at and around its boundary."""

from __future__ import annotations

import pytest

from electionlaw import (
    Decision,
    RulesInputError,
    ballot_section_valid,
    decide_party,
    decide_post,
    decide_revote,
    decide_runoff,
    min_formal_candidates,
    min_party_candidates,
    party_org_type,
    party_quorum_met,
    round_valid,
    runoff_candidates,
    turnout_valid,
)

# --- R24 turnout ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("registered", "participants", "valid"),
    [
        (1000, 499, False),
        (1000, 500, False),  # exactly half of an even total
        (1000, 501, True),
        (999, 499, False),
        (999, 500, True),  # odd total: the smallest majority
        (1, 0, False),
        (1, 1, True),
        (2, 1, False),
        (2, 2, True),
    ],
)
def test_all_voters_turnout_needs_more_than_half(registered, participants, valid):
    assert turnout_valid(registered, participants) is valid
    assert turnout_valid(registered, participants, method="all_voters") is valid


@pytest.mark.parametrize(
    ("households", "voting", "valid"),
    [(300, 150, False), (300, 151, True), (301, 150, False), (301, 151, True)],
)
def test_household_turnout_needs_more_than_half(households, voting, valid):
    assert turnout_valid(households, voting, method="household") is valid


@pytest.mark.parametrize(
    ("reps", "present", "valid"),
    [
        (30, 19, False),
        (30, 20, True),  # exactly two thirds
        (30, 21, True),
        (31, 20, False),  # 60 < 62
        (31, 21, True),  # 63 >= 62
        (3, 2, True),
        (3, 1, False),
    ],
)
def test_group_representatives_turnout_needs_at_least_two_thirds(reps, present, valid):
    assert turnout_valid(reps, present, method="group_reps") is valid


@pytest.mark.parametrize("method", ["all_voters", "household", "group_reps"])
def test_nobody_voting_is_never_a_valid_turnout(method):
    assert turnout_valid(0, 0, method=method) is False
    assert turnout_valid(10, 0, method=method) is False


def test_turnout_refuses_more_participants_than_registered_voters():
    with pytest.raises(RulesInputError) as err:
        turnout_valid(100, 101)
    assert "超过登记选民数" in err.value.message_zh
    assert err.value.rule == "R24"


@pytest.mark.parametrize(("registered", "participants"), [(-1, 0), (10, -1)])
def test_turnout_refuses_negative_counts(registered, participants):
    with pytest.raises(RulesInputError, match="不能为负数"):
        turnout_valid(registered, participants)


def test_turnout_refuses_an_unknown_method():
    with pytest.raises(RulesInputError, match="选举方式"):
        turnout_valid(10, 6, method="everyone")


def test_turnout_refuses_booleans_and_floats_as_counts():
    with pytest.raises(RulesInputError, match="整数"):
        turnout_valid(True, 1)
    with pytest.raises(RulesInputError, match="整数"):
        turnout_valid(10, 6.0)  # type: ignore[arg-type]


# --- R25 / P10 returned ballots ---------------------------------------------------------


@pytest.mark.parametrize(
    ("issued", "returned", "signed_in", "valid"),
    [
        (600, 599, None, True),
        (600, 600, None, True),
        (600, 601, None, False),
        (600, 598, 598, True),
        (600, 599, 598, False),  # fewer voters signed in than ballots returned
        (600, 601, 700, False),
        (0, 0, None, True),
    ],
)
def test_returned_ballots_may_not_exceed_issued_nor_signed_in(issued, returned, signed_in, valid):
    assert round_valid(issued, returned, signed_in) is valid


def test_returned_ballots_can_be_compared_with_issued_only():
    assert round_valid(600, 599, 598, returned_vs="issued") is True
    assert round_valid(600, 601, 700, returned_vs="issued") is False


def test_returned_ballots_can_be_compared_with_voters_signed_in_only():
    assert round_valid(600, 601, 700, returned_vs="signed") is True
    assert round_valid(600, 599, 598, returned_vs="signed") is False


def test_comparing_with_voters_signed_in_needs_that_number():
    with pytest.raises(RulesInputError, match="签到投票人数"):
        round_valid(600, 500, returned_vs="signed")


def test_round_validity_refuses_negative_counts():
    with pytest.raises(RulesInputError):
        round_valid(-1, 0)
    with pytest.raises(RulesInputError):
        round_valid(10, 5, -1)


# --- R26 marks per post ------------------------------------------------------------


@pytest.mark.parametrize(
    ("seats", "approvals", "write_ins", "valid"),
    [
        (3, 3, 0, True),
        (3, 2, 1, True),
        (3, 4, 0, False),
        (3, 3, 1, False),
        (1, 0, 0, True),  # abstention
        (1, 0, 2, False),
    ],
)
def test_marks_for_a_post_may_not_exceed_its_seats(seats, approvals, write_ins, valid):
    assert ballot_section_valid(seats=seats, approvals=approvals, write_ins=write_ins) is valid


def test_section_validity_refuses_zero_seats_and_negative_marks():
    with pytest.raises(RulesInputError, match="应选名额必须至少为 1"):
        ballot_section_valid(seats=0, approvals=0, write_ins=0)
    with pytest.raises(RulesInputError):
        ballot_section_valid(seats=1, approvals=-1, write_ins=0)


# --- R27 / R28 formal election --------------------------------------------------------


def test_more_than_half_of_participants_elects_the_only_candidate():
    assert decide_post(seats=1, participants=601, votes={"a": 301, "b": 300}) == Decision(
        elected=("a",), tied=(), contested=0, shortfall=0, reasons=("R27", "G1")
    )


def test_exactly_half_of_participants_does_not_elect():
    result = decide_post(seats=1, participants=600, votes={"a": 300, "b": 300})
    assert result == Decision((), (), 0, 1, ("R27", "G1", "R31"))


def test_one_vote_below_half_does_not_elect_with_an_odd_total():
    assert decide_post(seats=1, participants=601, votes={"a": 300}).elected == ()


def test_most_votes_win_when_more_candidates_qualify_than_seats():
    result = decide_post(seats=2, participants=20, votes={"a": 15, "b": 11, "c": 13, "d": 1})
    assert result == Decision(("a", "c"), (), 0, 0, ("R27", "G1", "R28"))


def test_winners_are_listed_most_votes_first_and_by_key_when_equal():
    result = decide_post(seats=3, participants=10, votes={"z": 6, "m": 9, "a": 6})
    assert result.elected == ("m", "a", "z")


def test_a_tie_for_the_last_of_two_seats_goes_to_a_revote_among_the_tied():
    result = decide_post(seats=2, participants=10, votes={"c": 6, "b": 6, "a": 6, "d": 1})
    assert result == Decision((), ("a", "b", "c"), 2, 0, ("R27", "G1", "R28"))


def test_two_candidates_above_half_for_one_seat_is_an_impossible_tally():
    # Each ballot approves at most one person for a one-seat post (R26), so two
    # people above half would need more votes than ballots.
    with pytest.raises(RulesInputError, match="每张选票最多选 1 人"):
        decide_post(seats=1, participants=10, votes={"a": 6, "b": 6})


def test_a_tie_for_the_last_of_several_seats_elects_those_above_it():
    result = decide_post(seats=3, participants=10, votes={"a": 9, "b": 8, "c": 6, "d": 6})
    assert result == Decision(("a", "b"), ("c", "d"), 1, 0, ("R27", "G1", "R28"))


def test_a_three_way_tie_straddling_two_seats_contests_both():
    votes = {"a": 9, "b": 7, "c": 7, "d": 7}
    result = decide_post(seats=3, participants=12, votes=votes)
    assert result == Decision(("a",), ("b", "c", "d"), 2, 0, ("R27", "G1", "R28"))


def test_a_tie_that_fits_inside_the_seats_elects_everyone_tied():
    result = decide_post(seats=3, participants=10, votes={"a": 9, "b": 6, "c": 6, "d": 2})
    assert result == Decision(("a", "b", "c"), (), 0, 0, ("R27", "G1"))


def test_a_tie_below_the_threshold_is_not_a_revote_but_a_shortfall():
    result = decide_post(seats=2, participants=10, votes={"a": 9, "b": 5, "c": 5})
    assert result == Decision(("a",), (), 0, 1, ("R27", "G1", "R31"))


def test_fewer_qualifiers_than_seats_leaves_a_shortfall_for_another_election():
    result = decide_post(
        seats=5, participants=100, votes={"a": 90, "b": 80, "c": 51, "d": 50, "e": 49}
    )
    assert result == Decision(("a", "b", "c"), (), 0, 2, ("R27", "G1", "R31"))


def test_write_in_keys_can_win():
    result = decide_post(seats=1, participants=9, votes={"候选人甲": 3, "写:张三": 6})
    assert result.elected == ("写:张三",)


def test_no_votes_at_all_leaves_every_seat_short():
    assert decide_post(seats=3, participants=50, votes={}) == Decision(
        (), (), 0, 3, ("R27", "G1", "R31")
    )


def test_zero_participants_elects_nobody():
    assert decide_post(seats=2, participants=0, votes={"a": 0, "b": 0}).shortfall == 2


def test_one_participant_voting_for_a_candidate_elects_him():
    assert decide_post(seats=1, participants=1, votes={"a": 1}).elected == ("a",)


def test_decide_post_refuses_more_votes_for_a_key_than_participants():
    with pytest.raises(RulesInputError) as err:
        decide_post(seats=1, participants=10, votes={"a": 11})
    assert err.value.message_zh == "「a」的得票数 11 超过参加投票人数 10"


def test_decide_post_refuses_more_votes_in_total_than_ballots_could_carry():
    with pytest.raises(RulesInputError, match="每张选票最多选 1 人"):
        decide_post(seats=1, participants=10, votes={"a": 6, "b": 5})


def test_decide_post_refuses_zero_seats():
    with pytest.raises(RulesInputError) as err:
        decide_post(seats=0, participants=10, votes={})
    assert err.value.message_zh == "应选名额必须至少为 1（收到 0）"


@pytest.mark.parametrize("votes", [{"a": -1}, {"": 1}, {1: 1}, {"a": 1.0}, {"a": True}])
def test_decide_post_refuses_malformed_tallies(votes):
    with pytest.raises(RulesInputError):
        decide_post(seats=1, participants=10, votes=votes)


def test_decide_post_refuses_negative_participants():
    with pytest.raises(RulesInputError, match="参加投票人数不能为负数"):
        decide_post(seats=1, participants=-1, votes={})


def test_rules_input_error_is_a_value_error_with_chinese_text():
    with pytest.raises(ValueError, match="应选名额"):
        decide_post(seats=-3, participants=1, votes={})


# --- R31 另行选举 -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "votes", "elected"),
    [
        (600, 200, True),  # exactly one third
        (600, 199, False),
        (601, 200, False),  # 600 < 601
        (601, 201, True),
        (3, 1, True),
        (2, 1, True),
        (1, 1, True),
    ],
)
def test_runoff_needs_at_least_a_third_of_all_ballots_cast(total, votes, elected):
    result = decide_runoff(seats=1, total_ballots_cast=total, votes={"a": votes})
    assert result.elected == (("a",) if elected else ())


def test_runoff_elects_most_votes_first():
    result = decide_runoff(
        seats=2, total_ballots_cast=600, votes={"a": 250, "b": 240, "c": 210, "d": 100}
    )
    assert result == Decision(("a", "b"), (), 0, 0, ("R31", "G1", "R28"))


def test_runoff_tie_at_the_last_seat_goes_to_a_revote():
    result = decide_runoff(seats=1, total_ballots_cast=600, votes={"a": 250, "b": 250})
    assert result == Decision((), ("a", "b"), 1, 0, ("R31", "G1", "R28"))


def test_runoff_seats_still_unfilled_fall_under_the_vacancy_rule():
    result = decide_runoff(seats=2, total_ballots_cast=600, votes={"a": 300, "b": 150})
    assert result == Decision(("a",), (), 0, 1, ("R31", "G1", "R33"))


def test_runoff_with_no_ballots_elects_nobody():
    assert decide_runoff(seats=1, total_ballots_cast=0, votes={"a": 0}).shortfall == 1


def test_runoff_never_elects_a_key_without_votes_even_at_a_zero_threshold():
    result = decide_runoff(seats=2, total_ballots_cast=10, votes={"a": 1, "b": 0}, threshold_num=0)
    assert result.elected == ("a",)
    assert result.shortfall == 1


def test_runoff_threshold_follows_the_profile_fraction():
    votes = {"a": 149}
    assert (
        decide_runoff(seats=1, total_ballots_cast=600, votes=votes, threshold_den=4).elected == ()
    )
    votes = {"a": 150}
    assert decide_runoff(seats=1, total_ballots_cast=600, votes=votes, threshold_den=4).elected == (
        "a",
    )


@pytest.mark.parametrize(("num", "den"), [(2, 1), (1, 0), (-1, 3)])
def test_runoff_refuses_an_impossible_threshold(num, den):
    with pytest.raises(RulesInputError):
        decide_runoff(seats=1, total_ballots_cast=3, votes={}, threshold_num=num, threshold_den=den)


def test_runoff_refuses_more_votes_than_ballots_cast():
    with pytest.raises(RulesInputError, match="超过已投选票总数"):
        decide_runoff(seats=1, total_ballots_cast=5, votes={"a": 6})


# --- P3 party quorum ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "present", "strict", "inclusive"),
    [
        (25, 21, True, True),  # 105 > 100
        (25, 20, False, True),  # exactly four fifths
        (25, 19, False, False),
        (26, 21, True, True),  # 105 > 104
        (26, 20, False, False),  # 100 < 104
        (24, 20, True, True),  # 100 > 96
        (5, 4, False, True),
        (5, 5, True, True),
        (1, 1, True, True),
        (1, 0, False, False),
    ],
)
def test_party_quorum_needs_more_than_four_fifths(expected, present, strict, inclusive):
    assert party_quorum_met(expected, present) is strict
    assert party_quorum_met(expected, present, inclusive=True) is inclusive


def test_party_quorum_with_nobody_expected_is_not_met():
    assert party_quorum_met(0, 0) is False
    assert party_quorum_met(0, 0, inclusive=True) is False


def test_party_quorum_refuses_more_present_than_expected():
    with pytest.raises(RulesInputError, match="实到会人数 26 超过应到会人数 25"):
        party_quorum_met(25, 26)


# --- P11–P13 party election -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("present", "approvals", "elected"),
    [(21, 10, False), (21, 11, True), (20, 10, False), (20, 11, True)],
)
def test_party_candidate_needs_more_than_half_of_those_present(present, approvals, elected):
    result = decide_party(seats=1, present=present, approvals={"a": approvals})
    assert result.elected == (("a",) if elected else ())


def test_party_election_ranks_by_approvals_when_more_qualify_than_seats():
    result = decide_party(seats=2, present=21, approvals={"a": 16, "b": 13, "c": 11, "d": 2})
    assert result == Decision(("a", "b"), (), 0, 0, ("P11", "G1", "P12"))


def test_party_tie_at_the_last_seat_revotes_among_the_tied_only():
    result = decide_party(seats=2, present=21, approvals={"a": 16, "b": 12, "c": 12, "d": 2})
    assert result == Decision(("a",), ("b", "c"), 1, 0, ("P11", "G1", "P12"))


def test_party_shortfall_is_never_filled_by_ranking_those_at_half():
    result = decide_party(seats=3, present=20, approvals={"a": 15, "b": 10, "c": 10})
    assert result == Decision(("a",), (), 0, 2, ("P11", "G1", "P13"))


def test_party_election_refuses_more_approvals_than_members_present():
    with pytest.raises(RulesInputError, match="「a」的赞成票 22 超过实到会有选举权人数 21"):
        decide_party(seats=1, present=21, approvals={"a": 22})


# --- R17, P5/G4 candidate numbers ------------------------------------------------------------


@pytest.mark.parametrize(("seats", "minimum"), [(1, 2), (2, 3), (5, 6), (9, 10)])
def test_each_residents_committee_post_needs_one_more_candidate_than_seats(seats, minimum):
    assert min_formal_candidates(seats) == minimum


def test_the_per_post_extra_is_a_profile_value():
    assert min_formal_candidates(3, extra=2) == 5


@pytest.mark.parametrize(
    ("seats", "minimum"),
    [(1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 8), (7, 9), (9, 11), (10, 12), (11, 14)],
)
def test_party_committee_needs_twenty_percent_more_candidates_rounded_up(seats, minimum):
    assert min_party_candidates(seats) == minimum
    assert min_party_candidates(seats, pct=20, rounding="ceil") == minimum


@pytest.mark.parametrize(("seats", "minimum"), [(3, 3), (5, 6), (7, 8), (10, 12)])
def test_party_difference_can_be_rounded_down(seats, minimum):
    assert min_party_candidates(seats, rounding="floor") == minimum


def test_party_difference_percentage_is_a_parameter():
    assert min_party_candidates(7, pct=30) == 10
    assert min_party_candidates(7, pct=0) == 7


@pytest.mark.parametrize(
    "kwargs",
    [
        {"seats": 0},
        {"seats": 5, "pct": -1},
        {"seats": 5, "pct": 101},
        {"seats": 5, "rounding": "half"},
    ],
)
def test_party_candidate_minimum_refuses_impossible_inputs(kwargs):
    with pytest.raises(RulesInputError):
        min_party_candidates(**kwargs)


def test_formal_candidate_minimum_refuses_zero_seats():
    with pytest.raises(RulesInputError, match="应选名额必须至少为 1"):
        min_formal_candidates(0)


# --- P16 organisation type -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("members", "kind"),
    [
        (0, "branch"),
        (3, "branch"),
        (49, "branch"),
        (50, "general_branch"),
        (99, "general_branch"),
        (100, "committee"),
        (350, "committee"),
    ],
)
def test_party_organisation_type_follows_membership_inclusively(members, kind):
    assert party_org_type(members) == kind


@pytest.mark.parametrize(
    ("members", "kind"),
    [(50, "branch"), (51, "general_branch"), (100, "general_branch"), (101, "committee")],
)
def test_party_organisation_type_supports_the_exceeding_reading(members, kind):
    assert party_org_type(members, zongzhi_min=51, dangwei_min=101) == kind


def test_party_organisation_type_refuses_negative_membership_and_crossed_bounds():
    with pytest.raises(RulesInputError):
        party_org_type(-1)
    with pytest.raises(RulesInputError, match="总支"):
        party_org_type(60, zongzhi_min=120, dangwei_min=100)


# --- R28 re-vote, R31 runoff candidates ----------------------------------------------------


def test_the_revote_elects_the_higher_total_without_a_threshold():
    result = decide_revote(seats=1, votes={"c": 3, "d": 2}, ballots_cast=100)
    assert result == Decision(("c",), (), 0, 0, ("R28",))


def test_a_revote_for_two_of_three_can_tie_again_for_the_last_seat():
    result = decide_revote(seats=2, votes={"b": 50, "c": 40, "d": 40}, ballots_cast=100)
    assert result == Decision(("b",), ("c", "d"), 1, 0, ("R28",))


def test_a_party_revote_carries_the_party_rule():
    assert decide_revote(seats=1, votes={"a": 9, "b": 12}, rule="P12").reasons == ("P12",)


def test_a_revote_needs_more_tied_keys_than_seats_and_a_known_rule():
    with pytest.raises(RulesInputError, match="必须多于"):
        decide_revote(seats=2, votes={"a": 1, "b": 1})
    with pytest.raises(RulesInputError, match="再次投票依据"):
        decide_revote(seats=1, votes={"a": 1, "b": 1}, rule="R99")
    with pytest.raises(RulesInputError, match="超过再次投票的选票数"):
        decide_revote(seats=1, votes={"a": 11, "b": 1}, ballots_cast=10)


def test_runoff_candidates_are_the_unelected_with_most_votes_ties_included():
    votes = {"a": 90, "b": 40, "c": 30, "d": 30, "e": 0, "f": 10}
    assert runoff_candidates(votes, elected=["a"], shortfall=1) == ("b", "c", "d")
    assert runoff_candidates(votes, elected=["a"], shortfall=2) == ("b", "c", "d")
    assert runoff_candidates(votes, elected=["a"], shortfall=3) == ("b", "c", "d", "f")
    assert runoff_candidates(votes, elected=["a"], shortfall=1, extra=0) == ("b",)


def test_runoff_candidates_refuse_a_zero_shortfall():
    with pytest.raises(RulesInputError, match="至少为 1"):
        runoff_candidates({"a": 1}, elected=[], shortfall=0)


# --- Decision ---------------------------------------------------------------------------


def test_a_decision_knows_its_seats_and_whether_it_is_complete():
    assert Decision(("a",), ("b", "c"), 1, 2, ()).seats == 4
    assert Decision(("a",), (), 0, 0, ()).complete is True
    assert Decision(("a",), (), 0, 1, ()).complete is False


@pytest.mark.parametrize(
    "fields",
    [
        ((), ("a", "b"), 2, 0),  # contested must be below the tied count
        ((), ("a", "b"), 0, 0),
        ((), (), 1, 0),
        (("a",), ("a", "b"), 1, 0),
        (("a", "a"), (), 0, 0),
        ((), (), 0, -1),
    ],
)
def test_a_decision_refuses_inconsistent_fields(fields):
    elected, tied, contested, shortfall = fields
    with pytest.raises(RulesInputError):
        Decision(elected, tied, contested, shortfall, ())
