"""P1, P2, P14–P16 and G4 at their boundaries: who votes at the 党员大会, what the
应到会 leaves out, the 预备期, the 20% 差额 and the organisation type."""

from __future__ import annotations

import datetime as dt

import pytest

from electionlaw import (
    ABSENCE_CATEGORIES,
    MemberFacts,
    PartyExclusion,
    RulesInputError,
    absence_categories,
    elects_secretary_directly,
    expected_party_voters,
    min_party_candidates,
    party_org_type,
    probation_period_ends,
)

FULL = MemberFacts(full=True)


def test_only_full_members_with_rights_count() -> None:
    members = [
        FULL,
        FULL,
        MemberFacts(full=False),  # 预备党员 (P1)
        MemberFacts(full=True, on_probation=True),
        MemberFacts(full=True, detained=True),
        MemberFacts(full=True, arrested=True, detained=True),  # counted once
        MemberFacts(full=True, directly_managed=False),
    ]
    result = expected_party_voters(members)
    assert result.on_roll == 7
    assert result.not_directly_managed == 1
    assert result.probationary == 1
    assert result.full == 5
    assert result.without_rights == {"on_probation": 1, "detained": 2, "arrested": 0}
    assert result.voting == 2
    assert result.expected == 2
    assert "P1" in result.rules and "P2" in result.rules


def test_probationary_member_never_counts_even_with_an_exclusion() -> None:
    ex = PartyExclusion(category=2, superior_approved=True, meeting_passed=True)
    result = expected_party_voters([FULL, MemberFacts(full=False, exclusion=ex)])
    assert result.voting == 1
    assert result.excluded == 0
    assert result.expected == 1


def test_member_on_probation_on_meeting_day_has_no_vote() -> None:
    assert expected_party_voters([MemberFacts(full=True, on_probation=True)]).voting == 0
    assert expected_party_voters([MemberFacts(full=True, on_probation=False)]).voting == 1


@pytest.mark.parametrize(
    ("superior", "meeting", "expected", "pending"),
    [(True, True, 1, 0), (True, False, 2, 1), (False, True, 2, 1), (False, False, 2, 1)],
)
def test_exclusion_counts_only_with_both_approvals(
    superior: bool, meeting: bool, expected: int, pending: int
) -> None:
    ex = PartyExclusion(category=4, superior_approved=superior, meeting_passed=meeting)
    result = expected_party_voters([FULL, MemberFacts(full=True, exclusion=ex)])
    assert result.voting == 2
    assert result.expected == expected
    assert result.pending == pending
    assert result.excluded == 2 - expected


def test_sixth_category_only_with_the_variant() -> None:
    ex = PartyExclusion(category=6, superior_approved=True, meeting_passed=True)
    members = [FULL, MemberFacts(full=True, exclusion=ex)]
    with pytest.raises(RulesInputError):
        expected_party_voters(members, categories=5)
    assert expected_party_voters(members, categories=6).expected == 1


def test_empty_roll() -> None:
    result = expected_party_voters([])
    assert (result.on_roll, result.voting, result.expected) == (0, 0, 0)


def test_absence_categories_of_the_profile() -> None:
    assert list(absence_categories(5)) == [1, 2, 3, 4, 5]
    assert absence_categories(6)[6] == ABSENCE_CATEGORIES[6]
    assert "正在服刑" in ABSENCE_CATEGORIES[3]
    with pytest.raises(RulesInputError):
        absence_categories(4)


@pytest.mark.parametrize(
    ("joined", "ends"),
    [
        (dt.date(2025, 12, 28), dt.date(2026, 12, 28)),
        (dt.date(2024, 2, 29), dt.date(2025, 2, 28)),
        (dt.date(2025, 1, 1), dt.date(2026, 1, 1)),
    ],
)
def test_probation_period_is_one_year(joined: dt.date, ends: dt.date) -> None:
    assert probation_period_ends(joined) == ends


@pytest.mark.parametrize(("full", "direct"), [(0, True), (6, True), (7, False), (50, False)])
def test_branch_under_seven_full_members_elects_secretary_directly(full: int, direct: bool) -> None:
    assert elects_secretary_directly(full) is direct


@pytest.mark.parametrize(("seats", "minimum"), [(1, 2), (3, 4), (5, 6), (7, 9), (9, 11), (10, 12)])
def test_party_difference_rounds_up(seats: int, minimum: int) -> None:
    assert min_party_candidates(seats, pct=20, rounding="ceil") == minimum


@pytest.mark.parametrize(
    ("members", "kind"),
    [(49, "branch"), (50, "general_branch"), (99, "general_branch"), (100, "committee")],
)
def test_org_type_thresholds_are_inclusive(members: int, kind: str) -> None:
    assert party_org_type(members, zongzhi_min=50, dangwei_min=100) == kind
