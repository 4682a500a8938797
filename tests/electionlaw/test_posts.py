"""Several posts in order (RULES R29) and kinship among the elected (R4, R30)."""

from __future__ import annotations

import pytest

from electionlaw import (
    Decision,
    ElectedPerson,
    RulesInputError,
    check_counting_staff,
    decide_posts_in_order,
    relation_in_set,
    resolve_kinship,
)

# --- R29 ----------------------------------------------------------------------------------


def test_someone_elected_director_is_removed_from_the_member_tally():
    result = decide_posts_in_order(
        seats={"director": 1, "member": 2},
        participants=20,
        votes={"director": {"a": 16, "b": 4}, "member": {"a": 15, "b": 13, "c": 11, "d": 1}},
    )
    assert result.decisions["director"] == Decision(("a",), (), 0, 0, ("R27", "G1", "R29"))
    assert result.decisions["member"] == Decision(("b", "c"), (), 0, 0, ("R27", "G1", "R29"))
    assert dict(result.effective_votes["member"]) == {"b": 13, "c": 11, "d": 1}
    assert result.pending == ()
    assert result.complete is True
    assert result.elected == {"director": ("a",), "member": ("b", "c")}


def test_posts_are_decided_highest_first_whatever_the_mapping_order():
    votes = {"member": {"a": 6, "b": 6}, "deputy_director": {"b": 6}, "director": {"a": 7}}
    result = decide_posts_in_order(
        seats={"member": 2, "deputy_director": 1, "director": 1}, participants=10, votes=votes
    )
    assert list(result.decisions) == ["director", "deputy_director", "member"]
    assert result.elected == {"director": ("a",), "deputy_director": ("b",), "member": ()}
    assert result.decisions["member"].shortfall == 2


def test_downward_aggregation_adds_higher_post_votes_to_lower_posts():
    votes = {
        "director": {"a": 8, "b": 2},
        "deputy_director": {"b": 3, "c": 7},
        "member": {"b": 1, "d": 6, "e": 5},
    }
    result = decide_posts_in_order(
        seats={"director": 1, "deputy_director": 1, "member": 2},
        participants=10,
        votes=votes,
        aggregation="downward_cumulative",
    )
    # b: 2 + 3 = 5 for 副主任 (not elected), 2 + 3 + 1 = 6 for 委员 (elected)
    assert dict(result.effective_votes["deputy_director"]) == {"b": 5, "c": 7}
    assert dict(result.effective_votes["member"]) == {"b": 6, "d": 6, "e": 5}
    assert result.elected == {"director": ("a",), "deputy_director": ("c",), "member": ("b", "d")}


def test_without_aggregation_lower_posts_count_only_their_own_votes():
    votes = {
        "director": {"a": 8, "b": 2},
        "deputy_director": {"b": 3, "c": 7},
        "member": {"b": 1, "d": 6, "e": 5},
    }
    result = decide_posts_in_order(
        seats={"director": 1, "deputy_director": 1, "member": 2}, participants=10, votes=votes
    )
    assert result.elected["member"] == ("d",)
    assert result.decisions["member"].shortfall == 1


def test_a_tie_at_a_higher_post_holds_the_lower_posts_until_the_revote():
    votes = {
        "deputy_director": {"a": 8, "b": 6, "c": 6},
        "member": {"b": 7, "c": 7, "d": 6},
    }
    seats = {"deputy_director": 2, "member": 3}
    held = decide_posts_in_order(seats=seats, participants=10, votes=votes)
    assert held.decisions["deputy_director"] == Decision(
        ("a",), ("b", "c"), 1, 0, ("R27", "G1", "R29", "R28")
    )
    assert held.pending == ("member",)
    assert "member" not in held.decisions
    assert held.complete is False

    settled = decide_posts_in_order(
        seats=seats, participants=10, votes=votes, revote_winners={"deputy_director": ["c"]}
    )
    assert settled.decisions["deputy_director"] == Decision(
        ("a", "c"), (), 0, 0, ("R27", "G1", "R29", "R28")
    )
    assert settled.elected["member"] == ("b", "d")  # the re-vote loser stays eligible
    assert settled.pending == ()


def test_revote_winners_must_be_the_right_number_of_tied_keys():
    votes = {"deputy_director": {"a": 8, "b": 6, "c": 6}}
    seats = {"deputy_director": 2}
    with pytest.raises(RulesInputError, match="得票相等的人"):
        decide_posts_in_order(
            seats=seats, participants=10, votes=votes, revote_winners={"deputy_director": ["a"]}
        )
    with pytest.raises(RulesInputError, match="应确定 1 名"):
        decide_posts_in_order(
            seats=seats,
            participants=10,
            votes=votes,
            revote_winners={"deputy_director": ["b", "c"]},
        )
    with pytest.raises(RulesInputError, match="没有得票相等"):
        decide_posts_in_order(
            seats={"director": 1},
            participants=10,
            votes={"director": {"a": 8}},
            revote_winners={"director": ["a"]},
        )


def test_separate_rounds_judge_each_post_against_its_own_participants():
    result = decide_posts_in_order(
        seats={"director": 1, "member": 2},
        participants={"director": 10, "member": 8},
        votes={"director": {"a": 9}, "member": {"a": 7, "b": 5, "c": 4}},
    )
    assert result.elected == {"director": ("a",), "member": ("b",)}  # c has exactly half of 8
    assert result.decisions["member"].shortfall == 1


def test_separate_rounds_need_every_posts_participants_and_no_aggregation():
    with pytest.raises(RulesInputError, match="参加投票人数"):
        decide_posts_in_order(
            seats={"director": 1, "member": 2}, participants={"director": 10}, votes={}
        )
    with pytest.raises(RulesInputError, match="一张选票"):
        decide_posts_in_order(
            seats={"director": 1},
            participants={"director": 10},
            votes={},
            aggregation="downward_cumulative",
        )


def test_several_posts_refuse_unknown_posts_and_votes_without_seats():
    with pytest.raises(RulesInputError, match="未知职位"):
        decide_posts_in_order(seats={"secretary": 1}, participants=10, votes={})
    with pytest.raises(RulesInputError, match="没有应选名额"):
        decide_posts_in_order(seats={"member": 1}, participants=10, votes={"director": {"a": 1}})


def test_aggregated_votes_above_participants_are_refused():
    with pytest.raises(RulesInputError, match="累计得票"):
        decide_posts_in_order(
            seats={"director": 1, "member": 3},
            participants=10,
            votes={"director": {"a": 4}, "member": {"a": 7}},
            aggregation="downward_cumulative",
        )


# --- R4 relation sets ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "relation_set", "inside"),
    [
        ("sibling", "near_relatives_8", True),
        ("maternal_grandchild", "near_relatives_8", True),
        ("other_lineal", "near_relatives_8", False),
        ("sibling", "spouse_lineal", False),
        ("other_lineal", "spouse_lineal", True),
        ("grandparent", "spouse_parent_child_sibling", False),
        ("spouse", "spouse_parent_child_sibling", True),
        ("other", "near_relatives_8", False),
        ("other", "any_voter", True),
        (None, "any_voter", True),
        (None, "near_relatives_8", False),
    ],
)
def test_relation_sets_follow_the_profile(kind, relation_set, inside):
    assert relation_in_set(kind, relation_set) is inside


def test_relation_sets_refuse_unknown_kinds():
    with pytest.raises(RulesInputError, match="亲属关系"):
        relation_in_set("cousin", "near_relatives_8")


# --- R30 kinship among the elected ---------------------------------------------------------


def person(key: str, post: str, votes: int) -> ElectedPerson:
    return ElectedPerson(key, post, votes)


def test_no_relations_keep_everyone():
    result = resolve_kinship(
        elected=[person("a", "director", 8), person("b", "member", 7)], relations=[]
    )
    assert result.kept == ("a", "b")
    assert result.removed == ()
    assert result.conflicts == ()
    assert result.settled is True
    assert result.reasons == ("R30", "R4")


def test_the_higher_post_is_kept_when_relatives_are_elected():
    result = resolve_kinship(
        elected=[person("b", "member", 9), person("a", "director", 6)],
        relations=[("a", "b", "parent")],
    )
    assert result.kept == ("a",)
    assert result.removed == ("b",)
    assert result.conflicts == (("a", "b"),)
    assert dict(result.vacated) == {"member": 1}


def test_the_one_with_more_votes_is_kept_on_the_same_post():
    result = resolve_kinship(
        elected=[person("a", "member", 6), person("b", "member", 7)],
        relations=[("a", "b", "spouse")],
    )
    assert result.kept == ("b",)
    assert result.removed == ("a",)


def test_relations_outside_the_profile_set_are_not_conflicts():
    elected = [person("a", "member", 6), person("b", "member", 7)]
    relations = [("a", "b", "sibling")]
    result = resolve_kinship(elected=elected, relations=relations, relation_set="spouse_lineal")
    assert result.removed == ()
    assert result.conflicts == ()


def test_relatives_with_equal_post_and_votes_go_to_a_revote():
    elected = [person("a", "member", 6), person("b", "member", 6), person("c", "member", 8)]
    result = resolve_kinship(elected=elected, relations=[("a", "b", "sibling")])
    assert result.kept == ("c",)
    assert result.revote_groups == (("a", "b"),)
    assert result.removed == ()
    assert result.settled is False
    assert result.reasons == ("R30", "R4", "R28")

    after = resolve_kinship(
        elected=elected, relations=[("a", "b", "sibling")], revote_winners=["b"]
    )
    assert after.kept == ("c", "b")
    assert after.removed == ("a",)
    assert after.settled is True


def test_someone_related_to_a_revote_group_waits_for_the_revote():
    elected = [person("a", "member", 8), person("b", "member", 8), person("c", "member", 5)]
    relations = [("a", "b", "sibling"), ("b", "c", "spouse")]
    result = resolve_kinship(elected=elected, relations=relations)
    assert result.revote_groups == (("a", "b"),)
    assert result.pending == ("c",)
    assert result.fills == {}

    b_wins = resolve_kinship(elected=elected, relations=relations, revote_winners=["b"])
    assert (b_wins.kept, b_wins.removed) == (("b",), ("a", "c"))
    a_wins = resolve_kinship(elected=elected, relations=relations, revote_winners=["a"])
    assert (a_wins.kept, a_wins.removed) == (("a", "c"), ("b",))


def test_a_chain_of_relatives_is_resolved_from_the_top():
    # a (主任) – b (委员) – c (委员): b loses to a, so c no longer clashes with anyone kept.
    elected = [person("a", "director", 6), person("b", "member", 9), person("c", "member", 7)]
    relations = [("a", "b", "child"), ("b", "c", "sibling")]
    result = resolve_kinship(elected=elected, relations=relations)
    assert result.kept == ("a", "c")
    assert result.removed == ("b",)


def test_a_vacated_seat_after_a_first_round_goes_to_the_next_with_more_than_half():
    elected = [person("a", "director", 8), person("b", "member", 9), person("c", "member", 7)]
    tallies = {"member": {"b": 9, "c": 7, "d": 6, "e": 6, "f": 5, "g": 2}}
    result = resolve_kinship(
        elected=elected,
        relations=[("a", "b", "sibling"), ("a", "d", "spouse")],
        tallies=tallies,
        participants=10,
    )
    assert result.removed == ("b",)
    # d is a's spouse, so e (6 > 5) fills the seat; f has exactly half
    assert result.fills == {"member": Decision(("e",), (), 0, 0, ("R30", "R27", "G1"))}


def test_a_vacated_seat_nobody_qualifies_for_goes_to_another_election():
    elected = [person("a", "director", 8), person("b", "member", 9)]
    result = resolve_kinship(
        elected=elected,
        relations=[("a", "b", "sibling")],
        tallies={"member": {"b": 9, "c": 5}},
        participants=10,
    )
    assert result.fills == {"member": Decision((), (), 0, 1, ("R30", "R27", "G1", "R31"))}


def test_a_tie_for_a_vacated_seat_goes_to_a_revote():
    elected = [person("a", "director", 8), person("b", "member", 9), person("x", "member", 9)]
    result = resolve_kinship(
        elected=elected,
        relations=[("a", "b", "sibling")],
        tallies={"member": {"b": 9, "x": 9, "c": 6, "d": 6}},
        participants=10,
    )
    assert result.fills == {"member": Decision((), ("c", "d"), 1, 0, ("R30", "R27", "G1", "R28"))}


def test_after_a_runoff_a_vacated_seat_needs_a_third_of_the_ballots_cast():
    elected = [person("a", "director", 8), person("b", "member", 300)]
    tallies = {"member": {"b": 300, "c": 200, "d": 199}}
    result = resolve_kinship(
        elected=elected,
        relations=[("a", "b", "sibling")],
        tallies=tallies,
        after_runoff=True,
        total_ballots_cast=600,
    )
    assert result.fills == {"member": Decision(("c",), (), 0, 0, ("R30", "R31", "G1"))}


def test_filling_needs_the_matching_denominator():
    elected = [person("a", "director", 8), person("b", "member", 9)]
    common = {"elected": elected, "relations": [("a", "b", "sibling")], "tallies": {"member": {}}}
    with pytest.raises(RulesInputError, match="参加投票人数"):
        resolve_kinship(**common)  # type: ignore[arg-type]
    with pytest.raises(RulesInputError, match="已投选票总数"):
        resolve_kinship(**common, after_runoff=True)  # type: ignore[arg-type]


def test_kinship_refuses_impossible_inputs():
    with pytest.raises(RulesInputError, match="出现了两次"):
        resolve_kinship(
            elected=[person("a", "member", 1), person("a", "director", 1)], relations=[]
        )
    with pytest.raises(RulesInputError, match="与自己"):
        resolve_kinship(elected=[person("a", "member", 1)], relations=[("a", "a", "spouse")])
    with pytest.raises(RulesInputError, match="不在当选名单"):
        resolve_kinship(elected=[person("a", "member", 1)], relations=[], revote_winners=["z"])
    with pytest.raises(RulesInputError, match="职位"):
        person("a", "secretary", 1)
    with pytest.raises(RulesInputError, match="不能为负数"):
        person("a", "member", -1)


# --- R8 counting staff ----------------------------------------------------------------------


def test_a_candidate_and_a_candidates_near_relative_may_not_count_votes():
    assert [v.code for v in check_counting_staff(is_candidate=True)] == ["candidate"]
    sister = check_counting_staff(is_candidate=False, relations_to_candidates=["sibling"])
    assert [(v.code, v.rules) for v in sister] == [("candidate_relative", ("R8", "R4"))]
    assert check_counting_staff(is_candidate=False, relations_to_candidates=["other"]) == ()
