"""Reading one ballot (RULES R26, P8, P9), one nomination ballot (R15) and adding
readings up (G6)."""

from __future__ import annotations

import pytest

from electionlaw import (
    BallotSection,
    RulesInputError,
    read_ballot,
    read_nomination_ballot,
    read_party_ballot,
    tally_readings,
)


def director(*approvals: str, **kw: object) -> BallotSection:
    return BallotSection("director", 1, approvals=approvals, **kw)  # type: ignore[arg-type]


def members(*approvals: str, **kw: object) -> BallotSection:
    return BallotSection("member", 3, approvals=approvals, **kw)  # type: ignore[arg-type]


# --- R26 residents' committee ballot ------------------------------------------------------


def test_a_ballot_within_the_seats_counts_for_every_post():
    reading = read_ballot([director("a"), members("b", "c", write_ins=("写:张三",))])
    assert reading.valid is True
    assert reading.blank is False
    assert dict(reading.counted) == {"director": ("a",), "member": ("b", "c", "写:张三")}
    assert reading.invalid_posts == ()
    assert reading.problems == ()
    assert reading.reasons == ("R26",)


def test_an_overvoted_post_is_void_and_the_other_posts_count():
    reading = read_ballot([director("a"), members("b", "c", "d", "e")])
    assert reading.valid is True
    assert dict(reading.counted) == {"director": ("a",), "member": ()}
    assert reading.invalid_posts == ("member",)
    assert [p.code for p in reading.problems] == ["overvote"]
    assert reading.problems[0].post == "member"


def test_an_overvoted_post_voids_the_whole_ballot_in_the_whole_variant():
    reading = read_ballot([director("a"), members("b", "c", "d", "e")], ballot_invalidation="whole")
    assert reading.valid is False
    assert dict(reading.counted) == {"director": (), "member": ()}
    assert reading.invalid_posts == ("director", "member")
    assert [p.code for p in reading.problems] == ["overvote", "void_column"]


@pytest.mark.parametrize("invalidation", ["per_post", "whole"])
def test_overvotes_in_every_post_void_the_whole_ballot(invalidation):
    reading = read_ballot(
        [director("a", "b"), members("c", "d", "e", "f")], ballot_invalidation=invalidation
    )
    assert reading.valid is False
    assert reading.invalid_posts == ("director", "member")


def test_write_ins_count_against_the_seats():
    reading = read_ballot([members("a", "b", write_ins=("写:张三", "写:李四"))])
    assert reading.valid is False  # the only post is void
    assert reading.invalid_posts == ("member",)


def test_the_same_person_named_twice_in_one_post_is_one_mark():
    reading = read_ballot([members("a", write_ins=("a", "写:张三", "写:张三"))])
    assert dict(reading.counted) == {"member": ("a", "写:张三")}


def test_an_unmarked_write_in_is_ignored_by_default():
    reading = read_ballot([members("a", unmarked_write_ins=("写:张三",))])
    assert dict(reading.counted) == {"member": ("a",)}
    assert [p.code for p in reading.problems] == ["unmarked_write_in"]
    assert reading.reasons == ("R26", "P8")


def test_an_unmarked_write_in_counts_as_approval_when_the_profile_says_so():
    reading = read_ballot(
        [members("a", unmarked_write_ins=("写:张三",))], writein_without_mark="approve"
    )
    assert dict(reading.counted) == {"member": ("a", "写:张三")}
    assert reading.problems == ()


def test_an_unmarked_write_in_that_is_approved_can_overvote_the_post():
    reading = read_ballot(
        [director("a"), members("b", "c", "d", unmarked_write_ins=("写:张三",))],
        writein_without_mark="approve",
    )
    assert reading.invalid_posts == ("member",)


def test_the_same_person_for_two_posts_voids_the_ballot_by_default():
    reading = read_ballot([director("a"), members("a", "b")])
    assert reading.valid is False
    assert [p.code for p in reading.problems] == ["same_person_two_posts"]
    assert reading.problems[0].post is None


def test_the_same_person_for_two_posts_counts_for_the_higher_post_only_when_chosen():
    reading = read_ballot(
        [director("a"), BallotSection("deputy_director", 1, approvals=("a",)), members("a", "b")],
        same_person_two_posts="higher_post_only",
    )
    assert reading.valid is True
    assert dict(reading.counted) == {"director": ("a",), "deputy_director": (), "member": ("b",)}
    assert [(p.post, p.code) for p in reading.problems] == [
        ("deputy_director", "same_person_two_posts"),
        ("member", "same_person_two_posts"),
    ]
    assert reading.reasons == ("R26", "R29")


def test_a_person_in_a_void_column_does_not_clash_with_another_post():
    reading = read_ballot([director("a", "b"), members("a", "c")])
    assert reading.valid is True
    assert dict(reading.counted) == {"director": (), "member": ("a", "c")}


def test_an_illegible_post_is_void_and_the_others_count():
    reading = read_ballot([director(illegible=True), members("b")])
    assert reading.valid is True
    assert dict(reading.counted) == {"director": (), "member": ("b",)}
    assert [p.code for p in reading.problems] == ["illegible"]


def test_an_illegible_post_voids_the_whole_ballot_in_the_whole_variant():
    reading = read_ballot([director(illegible=True), members("b")], ballot_invalidation="whole")
    assert reading.valid is False


def test_a_blank_ballot_is_a_valid_abstention():
    reading = read_ballot([director(), members()])
    assert reading.valid is True
    assert reading.blank is True
    assert dict(reading.counted) == {"director": (), "member": ()}
    assert reading.invalid_posts == ()


def test_a_ballot_with_only_an_ignored_write_in_is_not_blank():
    reading = read_ballot([members(unmarked_write_ins=("写:张三",))])
    assert reading.blank is False
    assert reading.valid is True


def test_reading_refuses_duplicate_posts_and_empty_ballots():
    with pytest.raises(RulesInputError, match="出现了两次"):
        read_ballot([members("a"), members("b")])
    with pytest.raises(RulesInputError, match="至少要有一个职位栏"):
        read_ballot([])


def test_a_section_refuses_a_listed_candidate_marked_twice_and_zero_seats():
    with pytest.raises(RulesInputError, match="重复"):
        members("a", "a")
    with pytest.raises(RulesInputError, match="应选名额必须至少为 1"):
        BallotSection("member", 0)
    with pytest.raises(RulesInputError, match="单个字符串"):
        BallotSection("member", 1, approvals="ab")  # type: ignore[arg-type]


def test_reading_refuses_unknown_profile_choices():
    with pytest.raises(RulesInputError):
        read_ballot([members("a")], ballot_invalidation="some")
    with pytest.raises(RulesInputError):
        read_ballot([members("a")], same_person_two_posts="lower")
    with pytest.raises(RulesInputError):
        read_ballot([members("a")], writein_without_mark="maybe")


# --- P8 / P9 party ballot ------------------------------------------------------------


def test_a_party_ballot_within_the_seats_counts_approvals_and_write_ins():
    reading = read_party_ballot(
        seats=3, approvals=("a", "b"), disapprovals=("c",), write_ins=("写:丁",)
    )
    assert reading.valid is True
    assert dict(reading.counted) == {"committee": ("a", "b", "写:丁")}
    assert reading.reasons == ("P9",)


def test_a_party_ballot_over_the_seats_is_wholly_invalid():
    reading = read_party_ballot(
        seats=2, approvals=("a", "b"), disapprovals=("c",), write_ins=("写:丁",)
    )
    assert reading.valid is False
    assert dict(reading.counted) == {"committee": ()}
    assert [p.code for p in reading.problems] == ["overvote"]


def test_a_party_write_in_without_a_disapproval_is_ignored_by_default():
    reading = read_party_ballot(seats=3, approvals=("a",), write_ins=("写:丁",))
    assert reading.valid is True
    assert dict(reading.counted) == {"committee": ("a",)}
    assert [p.code for p in reading.problems] == ["abstainer_write_in"]
    assert reading.reasons == ("P9", "P8")


def test_a_party_write_in_without_a_disapproval_can_void_the_ballot():
    reading = read_party_ballot(
        seats=3, approvals=("a",), write_ins=("写:丁",), abstainer_write_in="invalid_ballot"
    )
    assert reading.valid is False


def test_party_write_ins_are_kept_up_to_the_number_of_disapprovals():
    reading = read_party_ballot(
        seats=3, approvals=("a",), disapprovals=("b",), write_ins=("写:丁", "写:戊")
    )
    assert dict(reading.counted) == {"committee": ("a", "写:丁")}


def test_a_party_name_written_without_the_circle_is_ignored_or_approved_per_profile():
    ignored = read_party_ballot(seats=3, disapprovals=("b",), unmarked_write_ins=("写:丁",))
    assert dict(ignored.counted) == {"committee": ()}
    approved = read_party_ballot(
        seats=3,
        disapprovals=("b",),
        unmarked_write_ins=("写:丁",),
        writein_without_mark="approve",
    )
    assert dict(approved.counted) == {"committee": ("写:丁",)}


def test_a_blank_party_ballot_is_a_valid_abstention():
    reading = read_party_ballot(seats=5)
    assert reading.valid is True
    assert reading.blank is True


def test_a_party_ballot_with_only_disapprovals_is_valid_and_not_blank():
    reading = read_party_ballot(seats=5, disapprovals=("a", "b"))
    assert reading.valid is True
    assert reading.blank is False
    assert dict(reading.counted) == {"committee": ()}


def test_an_illegible_party_ballot_is_invalid():
    assert read_party_ballot(seats=5, illegible=True).valid is False


def test_a_party_ballot_refuses_approval_and_disapproval_of_the_same_candidate():
    with pytest.raises(RulesInputError, match="既赞成又不赞成"):
        read_party_ballot(seats=3, approvals=("a",), disapprovals=("a",))


# --- R15 nomination ballot -------------------------------------------------------------


SEATS = {"director": 1, "deputy_director": 1, "member": 3}


def test_a_nomination_ballot_within_the_seats_counts():
    reading = read_nomination_ballot({"director": ["a"], "member": ["b", "c"]}, SEATS)
    assert reading.valid is True
    assert dict(reading.counted) == {
        "director": ("a",),
        "deputy_director": (),
        "member": ("b", "c"),
    }
    assert reading.reasons == ("R15",)


def test_nominating_more_than_the_seats_voids_that_post_only():
    reading = read_nomination_ballot({"director": ["a", "b"], "member": ["c"]}, SEATS)
    assert reading.valid is True
    assert dict(reading.counted) == {"director": (), "deputy_director": (), "member": ("c",)}
    assert reading.invalid_posts == ("director",)


def test_nominating_one_person_for_two_posts_voids_that_nomination_only():
    reading = read_nomination_ballot({"director": ["a"], "member": ["a", "b"]}, SEATS)
    assert reading.valid is True
    assert dict(reading.counted) == {"director": (), "deputy_director": (), "member": ("b",)}
    assert [p.code for p in reading.problems] == ["same_person_two_posts"]


def test_a_nomination_by_proxy_is_void():
    reading = read_nomination_ballot({"director": ["a"]}, SEATS, by_proxy=True)
    assert reading.valid is False
    assert dict(reading.counted) == {"director": (), "deputy_director": (), "member": ()}


def test_a_nomination_ballot_refuses_posts_without_seats():
    with pytest.raises(RulesInputError, match="没有应选名额"):
        read_nomination_ballot({"secretary": ["a"]}, SEATS)


# --- G6 tally ------------------------------------------------------------------------------


def test_readings_add_up_to_tallies_with_blank_and_invalid_ballots_counted_as_cast():
    readings = [
        read_ballot([director("a"), members("b", "c")]),
        read_ballot([director("a"), members("b", "c", "d", "e")]),  # member column void
        read_ballot([director("a", "x"), members("b", "c", "d", "e")]),  # both void: 废票
        read_ballot([director(), members()]),  # blank
        read_ballot([director("x"), members("写:张三")]),
    ]
    tally = tally_readings(readings)
    assert tally.ballots_cast == 5
    assert tally.invalid_ballots == 1
    assert tally.blank_ballots == 1
    assert {p: dict(v) for p, v in tally.votes.items()} == {
        "director": {"a": 2, "x": 1},
        "member": {"b": 1, "c": 1, "写:张三": 1},
    }
    assert dict(tally.invalid_columns) == {"director": 1, "member": 2}
    assert tally.reasons == ("G6",)


def test_no_readings_make_an_empty_tally():
    tally = tally_readings([])
    assert (tally.ballots_cast, tally.invalid_ballots, tally.blank_ballots) == (0, 0, 0)
    assert dict(tally.votes) == {}
