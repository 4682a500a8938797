"""R1 (residents' committee 5–9, one 主任) and P14/P15 (party committee size) at their bounds."""

from __future__ import annotations

import pytest

from electionlaw.seats import committee_seats_ok, party_seats_ok


@pytest.mark.parametrize(
    ("deputy", "members", "ok"),
    [(1, 2, False), (1, 3, True), (2, 6, True), (2, 7, False)],  # totals 4, 5, 9, 10
)
def test_committee_size_five_to_nine(deputy: int, members: int, ok: bool) -> None:
    found = committee_seats_ok({"director": 1, "deputy_director": deputy, "member": members})
    assert (found == ()) is ok
    if not ok:
        assert [v.rules for v in found] == [("R1",)]


def test_exactly_one_director() -> None:
    assert [
        v.code for v in committee_seats_ok({"director": 2, "deputy_director": 1, "member": 3})
    ] == ["director_count"]
    assert [
        v.code for v in committee_seats_ok({"director": 0, "deputy_director": 2, "member": 3})
    ] == ["director_count"]


def _party(members: int, deputy: int = 1) -> dict[str, int]:
    return {"party_committee": members, "secretary": 1, "deputy_secretary": deputy}


@pytest.mark.parametrize(("members", "ok"), [(2, False), (3, True), (7, True), (8, False)])
def test_party_committee_three_to_seven(members: int, ok: bool) -> None:
    found, _warnings = party_seats_ok(_party(members), full_members=30)
    assert (found == ()) is ok


def test_party_committee_over_five_is_a_warning() -> None:
    assert party_seats_ok(_party(5), full_members=30)[1] == ()
    found, warnings = party_seats_ok(_party(6), full_members=30)
    assert found == () and len(warnings) == 1


def test_a_branch_under_seven_full_members_has_no_committee() -> None:
    found, _ = party_seats_ok(_party(3), full_members=6)
    assert [v.code for v in found] == ["no_committee"]
    assert party_seats_ok(_party(0), full_members=6)[0] == ()
    assert party_seats_ok(_party(0, deputy=2), full_members=6)[0] != ()
    # exactly 7: a committee again
    assert [v.code for v in party_seats_ok(_party(0), full_members=7)[0]] == [
        "party_committee_size"
    ]
    # roll not in yet: sizes as for a committee
    assert party_seats_ok(_party(5), full_members=None)[0] == ()
