"""RULES.md §8 worked examples, one test per example that concerns the counting
engine, named with the example's number. (Examples 47, 55 and 68 concern
registration and committee workflow, not this engine.)"""

from __future__ import annotations

from datetime import date, timedelta

from electionlaw import (
    BallotSection,
    Decision,
    ElectedPerson,
    PartyExclusion,
    check_counting_staff,
    check_proxy,
    decide_party,
    decide_post,
    decide_posts_in_order,
    decide_revote,
    decide_runoff,
    effective_birth_date,
    eligible_on,
    is_within,
    no_woman_elected,
    party_expected_members,
    party_org_type,
    party_quorum_met,
    party_seat_reduction_approved,
    read_ballot,
    read_party_ballot,
    recall_initiation_sufficient,
    recall_passed,
    resolve_kinship,
    round_valid,
    runoff_candidates,
    runoff_turnout_valid,
    runoff_within_window,
    turnout_valid,
    women_candidate_missing,
    women_remedy,
)

# --- Turnout and validity -------------------------------------------------------------------


def test_example_01_exactly_half_of_registered_voters_is_an_invalid_election():
    assert turnout_valid(1000, 500) is False


def test_example_02_one_more_than_half_is_a_valid_election():
    assert turnout_valid(1000, 501) is True


def test_example_04_household_method_needs_more_than_half_of_households():
    assert turnout_valid(300, 150, method="household") is False
    assert turnout_valid(300, 151, method="household") is True


def test_example_05_group_representatives_need_two_thirds():
    assert turnout_valid(30, 20, method="group_reps") is True
    assert turnout_valid(30, 19, method="group_reps") is False


def test_example_07_more_ballots_returned_than_issued_voids_the_round():
    assert round_valid(600, 602) is False


def test_example_08_fewer_ballots_returned_is_valid_and_participants_are_those_returned():
    assert round_valid(600, 598) is True
    # 300 of 598 participants is more than half; against the 600 issued it would not be.
    assert decide_post(seats=1, participants=598, votes={"a": 300}).elected == ("a",)


# --- Winner thresholds -----------------------------------------------------------------------


def test_example_10_exactly_half_not_elected():
    assert decide_post(seats=1, participants=600, votes={"a": 300}) == Decision(
        (), (), 0, 1, ("R27", "G1", "R31")
    )


def test_example_11_one_vote_over_half_of_an_odd_total_is_elected():
    assert decide_post(seats=1, participants=601, votes={"a": 301}) == Decision(
        ("a",), (), 0, 0, ("R27", "G1")
    )


def test_example_13_a_tie_at_the_last_member_seat_revotes_between_the_two_only():
    result = decide_post(
        seats=3, participants=100, votes={"a": 90, "b": 80, "c": 60, "d": 60, "e": 10}
    )
    assert result == Decision(("a", "b"), ("c", "d"), 1, 0, ("R27", "G1", "R28"))


def test_example_14_a_revote_that_ties_again_is_repeated():
    again = decide_revote(seats=1, votes={"c": 45, "d": 45}, ballots_cast=95)
    assert again == Decision((), ("c", "d"), 1, 0, ("R28",))
    final = decide_revote(seats=1, votes={"c": 46, "d": 44}, ballots_cast=95)
    assert final == Decision(("c",), (), 0, 0, ("R28",))


def test_example_16_a_shortfall_of_two_goes_to_a_runoff_with_three_runners_up():
    votes = {"a": 90, "b": 80, "c": 70, "d": 50, "e": 40, "f": 30, "g": 20}
    first = decide_post(seats=5, participants=100, votes=votes)
    assert first == Decision(("a", "b", "c"), (), 0, 2, ("R27", "G1", "R31"))
    assert runoff_candidates(votes, elected=first.elected, shortfall=first.shortfall) == (
        "d",
        "e",
        "f",
    )


def test_example_17_a_third_of_all_ballots_cast_including_invalid_ones_elects():
    result = decide_runoff(seats=1, total_ballots_cast=600, votes={"a": 200, "b": 170})
    assert result == Decision(("a",), (), 0, 0, ("R31", "G1"))


def test_example_19_a_runoff_eleven_days_later_breaks_a_ten_day_window():
    first_round = date(2021, 1, 28)
    assert (
        runoff_within_window(first_round, first_round + timedelta(days=11), window_days=10) is False
    )
    assert (
        runoff_within_window(first_round, first_round + timedelta(days=10), window_days=10) is True
    )


def test_example_20_a_runoff_with_half_turnout_is_invalid():
    assert runoff_turnout_valid(1000, 500) is False
    assert runoff_turnout_valid(1000, 501) is True


# --- Ballot validity ------------------------------------------------------------------------


def _director(*keys: str) -> BallotSection:
    return BallotSection("director", 1, approvals=keys)


def _members(*keys: str, **kw: object) -> BallotSection:
    return BallotSection("member", 3, approvals=keys, **kw)  # type: ignore[arg-type]


def test_example_22_four_marks_for_three_member_seats_void_the_post_or_the_ballot():
    ballot = [_director("a"), _members("b", "c", "d", "e")]
    per_post = read_ballot(ballot)
    assert (per_post.valid, dict(per_post.counted)) == (True, {"director": ("a",), "member": ()})
    whole = read_ballot(ballot, ballot_invalidation="whole")
    assert (whole.valid, dict(whole.counted)) == (False, {"director": (), "member": ()})


def test_example_23_overvotes_in_both_posts_void_the_ballot_in_both_variants():
    ballot = [_director("a", "x"), _members("b", "c", "d", "e")]
    assert read_ballot(ballot).valid is False
    assert read_ballot(ballot, ballot_invalidation="whole").valid is False


def test_example_25_an_unmarked_write_in_counts_or_not_per_profile():
    ballot = [_members("b", unmarked_write_ins=("写:张三",))]
    assert dict(read_ballot(ballot).counted) == {"member": ("b",)}
    approved = read_ballot(ballot, writein_without_mark="approve")
    assert dict(approved.counted) == {"member": ("b", "写:张三")}


def test_example_26_the_same_person_for_director_and_member_voids_or_counts_for_director():
    ballot = [_director("a"), _members("a", "b")]
    assert read_ballot(ballot).valid is False
    higher = read_ballot(ballot, same_person_two_posts="higher_post_only")
    assert (higher.valid, dict(higher.counted)) == (True, {"director": ("a",), "member": ("b",)})


def test_example_28_an_illegible_post_is_void_and_the_others_count():
    reading = read_ballot([BallotSection("director", 1, illegible=True), _members("b", "c")])
    assert reading.valid is True
    assert dict(reading.counted) == {"director": (), "member": ("b", "c")}
    assert reading.invalid_posts == ("director",)


def test_example_29_a_party_abstainer_may_not_write_in():
    ignored = read_party_ballot(seats=5, approvals=("b",), write_ins=("写:丁",))
    assert (ignored.valid, dict(ignored.counted)) == (True, {"committee": ("b",)})
    void = read_party_ballot(
        seats=5, approvals=("b",), write_ins=("写:丁",), abstainer_write_in="invalid_ballot"
    )
    assert void.valid is False


# --- Multi-post and kinship -----------------------------------------------------------------


def test_example_31_the_elected_director_leaves_the_member_tally_and_the_next_takes_the_seat():
    # Separate rounds per post (新河), so "a" can lead both tallies.
    result = decide_posts_in_order(
        seats={"director": 1, "member": 2},
        participants={"director": 100, "member": 100},
        votes={"director": {"a": 80, "x": 20}, "member": {"a": 80, "b": 60, "c": 55, "d": 5}},
    )
    assert result.elected == {"director": ("a",), "member": ("b", "c")}


def test_example_32_downward_aggregation_elects_a_failed_deputy_as_member():
    result = decide_posts_in_order(
        seats={"director": 1, "deputy_director": 1, "member": 3},
        participants=100,
        votes={
            "director": {"a": 70, "b": 20},
            "deputy_director": {"c": 55, "b": 25},
            "member": {"b": 10, "d": 60, "e": 55, "f": 40},
        },
        aggregation="downward_cumulative",
    )
    assert result.elected["deputy_director"] == ("c",)
    assert dict(result.effective_votes["member"])["b"] == 55
    assert result.elected["member"] == ("d", "b", "e")


def test_example_34_siblings_elected_members_with_equal_votes_revote():
    result = resolve_kinship(
        elected=[ElectedPerson("a", "member", 60), ElectedPerson("b", "member", 60)],
        relations=[("a", "b", "sibling")],
    )
    assert result.revote_groups == (("a", "b"),)
    assert result.kept == ()
    assert result.removed == ()


def test_example_35_a_replacement_after_a_runoff_needs_a_third_of_ballots_cast():
    elected = [ElectedPerson("a", "member", 300), ElectedPerson("b", "member", 250)]
    tallies = {"member": {"a": 300, "b": 250, "c": 199, "d": 150}}
    result = resolve_kinship(
        elected=elected,
        relations=[("a", "b", "spouse")],
        tallies=tallies,
        after_runoff=True,
        total_ballots_cast=600,
    )
    assert result.removed == ("b",)
    assert result.fills == {"member": Decision((), (), 0, 1, ("R30", "R31", "G1", "R33"))}
    tallies["member"]["c"] = 200
    result = resolve_kinship(
        elected=elected,
        relations=[("a", "b", "spouse")],
        tallies=tallies,
        after_runoff=True,
        total_ballots_cast=600,
    )
    assert result.fills["member"].elected == ("c",)


# --- Women ---------------------------------------------------------------------------------


def test_example_37_no_woman_elected_blocks_certification_until_the_remedy():
    assert no_woman_elected(["a", "b", "c"], women_keys=["w1", "w2"]) is True
    assert women_remedy("reserved_seat").blocks_certification is True


def test_example_38_a_formal_list_without_a_woman_is_blocked():
    assert women_candidate_missing(["a", "b", "c"], women_keys=["w1"]) is True


# --- Registration and dates -------------------------------------------------------------------


def test_example_40_turning_eighteen_on_election_day_is_eligible():
    assert eligible_on(date(2003, 1, 28), date(2021, 1, 28)) is True


def test_example_41_turning_eighteen_the_day_after_is_not_eligible():
    assert eligible_on(date(2003, 1, 29), date(2021, 1, 28)) is False


def test_example_43_born_29_february_is_eligible_on_28_february_of_a_common_year():
    assert eligible_on(date(2004, 2, 29), date(2022, 2, 28)) is True


def test_example_44_postponing_the_election_makes_newly_eligible_voters():
    birth = date(2003, 2, 3)
    assert eligible_on(birth, date(2021, 1, 28)) is False
    assert eligible_on(birth, date(2021, 1, 28) + timedelta(days=10)) is True


def test_example_46_the_profile_decides_between_id_card_and_household_register():
    id_card, hukou = date(2003, 1, 1), date(2003, 3, 1)
    assert effective_birth_date(id_card=id_card, hukou=hukou) == id_card
    assert effective_birth_date(id_card=id_card, hukou=hukou, source="hukou") == hukou


def test_example_49_an_objection_on_the_fifth_day_is_in_time_the_sixth_only_with_extension():
    published = date(2021, 1, 4)
    assert is_within(published + timedelta(days=5), published, 5) is True
    assert is_within(published + timedelta(days=6), published, 5) is False
    rest = {published + timedelta(days=5)}  # the fifth day is a holiday
    assert is_within(
        published + timedelta(days=6), published, 5, rest_days=rest, extend_for_rest_days=True
    )


def test_example_50_an_objection_decided_four_days_after_receipt_breaches_three_days():
    received = date(2021, 1, 6)
    assert is_within(received + timedelta(days=4), received, 3) is False


# --- Proxies -------------------------------------------------------------------------------


def test_example_52_a_formal_candidate_may_not_hold_a_proxy():
    found = check_proxy(holder_existing=0, relation="spouse", holder_is_candidate=True)
    assert [(v.code, v.rules) for v in found] == [("holder_is_candidate", ("B6",))]


def test_example_53_a_neighbour_may_hold_a_proxy_only_under_the_any_voter_profile():
    assert [v.code for v in check_proxy(holder_existing=0, relation="other")] == [
        "holder_not_near_relative"
    ]
    assert check_proxy(holder_existing=0, relation="other", relation_set="any_voter") == ()
    assert check_proxy(holder_existing=0, relation=None, relation_set="any_voter") == ()


def test_example_56_a_proxy_holder_may_not_sub_delegate():
    found = check_proxy(holder_existing=1, relation="parent", sub_delegation=True)
    assert [v.code for v in found] == ["sub_delegation"]


# --- Party ---------------------------------------------------------------------------------


def test_example_58_twenty_one_of_twenty_five_is_a_quorum():
    assert party_quorum_met(25, 21) is True


def test_example_59_an_exclusion_not_passed_by_the_meeting_still_counts():
    abroad = PartyExclusion(2, superior_approved=True, meeting_passed=False)
    assert party_expected_members(25, [abroad]) == 25


def test_example_61_eleven_of_twenty_one_elects_ten_does_not():
    assert decide_party(seats=1, present=21, approvals={"a": 10}).elected == ()
    assert decide_party(seats=1, present=21, approvals={"a": 11}).elected == ("a",)


def test_example_62_four_of_five_seats_filled_leaves_one_for_another_vote_or_a_reduction():
    approvals = {"a": 20, "b": 18, "c": 15, "d": 12, "e": 10, "f": 9}
    result = decide_party(seats=5, present=21, approvals=approvals)
    assert result == Decision(("a", "b", "c", "d"), (), 0, 1, ("P11", "G1", "P13"))
    assert party_seat_reduction_approved(21, 11) is True


def test_example_64_a_party_member_may_not_vote_by_proxy():
    found = check_proxy(holder_existing=0, relation="spouse", party_election=True)
    assert [(v.code, v.rules) for v in found] == [("party_no_proxy", ("P4",))]


def test_example_65_fifty_members_form_a_general_branch_unless_the_exceeding_reading_applies():
    assert party_org_type(50) == "general_branch"
    assert party_org_type(50, zongzhi_min=51, dangwei_min=101) == "branch"


# --- Counting integrity -------------------------------------------------------------------------


def test_example_67_a_candidates_sister_may_not_count_votes():
    found = check_counting_staff(is_candidate=False, relations_to_candidates=["sibling"])
    assert [v.code for v in found] == ["candidate_relative"]


# --- Other ---------------------------------------------------------------------------------


def test_example_70_a_recall_with_261_of_520_passes_and_260_fails():
    assert recall_passed(1000, 520, 261) is True
    assert recall_passed(1000, 520, 260) is False


def test_example_71_a_recall_needs_200_of_1000_signatures():
    assert recall_initiation_sufficient(199, 1000) is False
    assert recall_initiation_sufficient(200, 1000) is True
