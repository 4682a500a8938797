"""职数: defaults from the previous term, the officer sets them (R1 checked, audited),
everyone else of the community reads them, outsiders get 404."""

from __future__ import annotations

import pytest

from candidates.models import Seat
from candidates.services import CandidateError
from candidates.services.seats import DEFAULT_SEATS, default_seats, seats_for, set_seats
from elections.models import AuditEvent
from tests.conftest import Cast

URL = "/c/{code}/candidates/seats/"


def _post(director: int = 1, deputy: int = 2, members: int = 4) -> dict[str, str]:
    return {
        "track": "committee",
        "committee-director": str(director),
        "committee-deputy_director": str(deputy),
        "committee-member": str(members),
    }


def test_defaults_without_a_previous_term(cast: Cast) -> None:
    assert seats_for(cast.election_a, "committee") == {}
    assert default_seats(cast.election_a, "committee") == dict(DEFAULT_SEATS["committee"])


def test_the_officer_sets_seats_and_it_is_audited(cast: Cast) -> None:
    response = cast.client("officer").post(URL.format(code="XH01"), _post())
    assert response.status_code == 302
    assert seats_for(cast.election_a, "committee") == {
        "director": 1,
        "deputy_director": 2,
        "member": 4,
    }
    event = AuditEvent.objects.get(action="candidates.seats.set")
    assert event.data["changes"]["member"] == [None, 4]
    page = cast.client("member_a").get(URL.format(code="XH01")).content.decode()
    assert "4 名" in page and "保存" not in page


def test_ten_seats_are_refused_with_the_reason(cast: Cast) -> None:
    response = cast.client("officer").post(URL.format(code="XH01"), _post(members=7))
    assert response.status_code == 200
    assert "共 5至9 人组成（现为 10 人）" in response.content.decode()
    assert not Seat.objects.exists()
    with pytest.raises(CandidateError):
        set_seats(cast.election_a, "committee", {"director": 1, "member": 3}, actor=None)


def test_the_next_term_starts_from_this_terms_seats(cast: Cast) -> None:
    from elections import services
    from elections.models import CommunityElection

    set_seats(
        cast.election_a,
        "committee",
        {"director": 1, "deputy_director": 2, "member": 6},
        actor=cast.users["officer"],
    )
    import datetime as dt

    cycle = services.create_cycle(
        street=cast.street,
        term=cast.cycle.term + 1,
        name="新河街道第十二届换届",
        election_day=dt.date(2031, 6, 30),
        party_meeting_day=dt.date(2031, 5, 28),
        profile=cast.cycle.rule_profile,
        actor=cast.admin,
        communities=[cast.community_a],
    )
    later = CommunityElection.objects.get(cycle=cycle, community=cast.community_a)
    assert default_seats(later, "committee") == {"director": 1, "deputy_director": 2, "member": 6}


@pytest.mark.parametrize(
    ("name", "get", "post"),
    [
        ("officer", 200, 302),
        ("member_a", 200, 404),
        ("chair_a", 200, 404),
        ("supervisor", 200, 404),
        ("org_reviewer", 200, 404),
        ("member_b", 404, 404),
        ("dept_reviewer", 404, 404),
    ],
)
def test_seats_page_against_the_cast(cast: Cast, name: str, get: int, post: int) -> None:
    client = cast.client(name)
    assert client.get(URL.format(code="XH01")).status_code == get
    assert client.post(URL.format(code="XH01"), _post()).status_code == post
    assert Seat.objects.exists() is (post == 302)
