"""R4, R7: kinship warnings before the vote (avoidance_conflicts)."""

from __future__ import annotations

import pytest

from electionlaw import RulesInputError, avoidance_conflicts


def pairs(**kw: object) -> list[tuple[str, str, str, str | None]]:
    return [(c.code, c.a, c.b, c.kind) for c in avoidance_conflicts(**kw)]  # type: ignore[arg-type]


def test_related_people_both_standing_for_the_two_committees() -> None:
    found = pairs(two_committees=["甲", "乙", "丙"], relations=[("甲", "乙", "spouse")])
    assert found == [("two_committees", "甲", "乙", "spouse")]


def test_unrelated_or_outside_people_raise_nothing() -> None:
    assert pairs(two_committees=["甲", "丙"], relations=[("甲", "乙", "spouse")]) == []
    # "其他关系" (in-laws, neighbours) is outside every near-relative set.
    assert pairs(two_committees=["甲", "乙"], relations=[("甲", "乙", "other")]) == []


def test_the_profile_relation_set_decides() -> None:
    sibling = [("甲", "乙", "sibling")]
    assert pairs(two_committees=["甲", "乙"], relations=sibling)  # near_relatives_8
    assert pairs(two_committees=["甲", "乙"], relations=sibling, relation_set="spouse_lineal") == []


def test_supervision_committee_same_person_and_relatives() -> None:
    found = pairs(
        two_committees=["甲", "乙"],
        supervision=["乙", "丁"],
        relations=[("丁", "甲", "child")],
    )
    assert ("supervision", "乙", "乙", None) in found
    assert ("supervision", "丁", "甲", "child") in found
    assert len(found) == 2


def test_a_candidates_relative_on_the_election_committee() -> None:
    found = avoidance_conflicts(
        two_committees=["甲"], election_committee=["戊"], relations=[("甲", "戊", "parent")]
    )
    assert [(c.code, c.rules) for c in found] == [("election_committee", ("R7", "R4"))]


def test_each_pair_is_reported_once_per_code() -> None:
    found = pairs(
        two_committees=["甲", "乙"], relations=[("甲", "乙", "spouse"), ("乙", "甲", "spouse")]
    )
    assert found == [("two_committees", "甲", "乙", "spouse")]


def test_impossible_inputs() -> None:
    with pytest.raises(RulesInputError):
        avoidance_conflicts(two_committees=["甲"], relations=[("甲", "甲", "spouse")])
    with pytest.raises(RulesInputError):
        avoidance_conflicts(two_committees=["甲", "乙"], relations=[("甲", "乙", "cousin")])
    with pytest.raises(RulesInputError):
        avoidance_conflicts(two_committees=[], relation_set="any_voter")
