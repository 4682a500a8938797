"""The committee nominations and slate pages against the cast of roles (STYLE habit 7),
form round trips, the publish button, and pinned query counts (habit 8)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from candidates.models import Candidate, CandidateStatus, Nomination
from elections import services
from elections.models import AuditEvent, Role
from tests.candidates.committee_slate_helpers import HELD_ON, full_slate
from tests.conftest import ROLE_NAMES, Cast

READERS = {"officer", "supervisor", "org_reviewer", "member_a", "chair_a"}
EDITORS = {"officer", "member_a", "chair_a"}
ROLES = [*ROLE_NAMES, "other_officer"]

PAGES: dict[str, set[str]] = {
    "/c/XH01/candidates/": READERS,
    "/c/XH01/candidates/nominees/": READERS,
    "/c/XH01/candidates/choices/": READERS,
    "/c/XH01/candidates/nominations/director/": READERS,
    "/c/XH01/candidates/nominations/member/revote/": READERS,
    "/c/XH01/candidates/slate/": READERS,
    "/c/XH01/candidates/person/{c}/": READERS,
    "/c/XH01/candidates/person/{c}/edit/": EDITORS,
    "/c/XH01/candidates/person/{c}/leave/": EDITORS,
    "/c/XH01/candidates/ballot-order/member/": READERS,
    "/c/XH01/candidates/nominations/secretary/": set(),
    "/c/XH02/candidates/person/{c}/": set(),  # XH01's candidate under XH02's address
    "/c/XH02/candidates/": {"officer", "supervisor", "org_reviewer", "member_b"},
}

POSTS: dict[str, set[str]] = {
    "/c/XH01/candidates/nominations/director/": EDITORS,
    "/c/XH01/candidates/nominations/director/add/": EDITORS,
    "/c/XH01/candidates/nominations/director/promote/": EDITORS,
    "/c/XH01/candidates/choices/": EDITORS,
    "/c/XH01/candidates/slate/publish/": EDITORS,
    "/c/XH01/candidates/person/{c}/edit/": EDITORS,
    "/c/XH01/candidates/person/{c}/replace/": EDITORS,
    "/c/XH01/candidates/ballot-order/member/": EDITORS,
}


def client_for(cast: Cast, role: str) -> Client:
    if role != "other_officer":
        return cast.client(role)
    user = get_user_model().objects.create_user("other_officer", password="x-test-pass")
    services.assign_role(user, Role.STREET_OFFICER, cast.other_street, actor=cast.admin)
    client = Client()
    client.force_login(user)
    return client


def _check(response: Any, role: str, allowed: set[str], url: str) -> None:
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    elif role in allowed:
        assert response.status_code in (200, 302), f"{role} should reach {url}"
    else:
        assert response.status_code == 404, f"{role} must not reach {url}"


@pytest.fixture
def zhou(cast: Cast) -> Candidate:
    full_slate(cast.election_a, cast.admin)
    return Candidate.objects.get(name="周委")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", list(PAGES))
def test_page_answers_each_role(cast: Cast, zhou: Candidate, path: str, role: str) -> None:
    url = path.format(c=zhou.pk)
    response = client_for(cast, role).get(url)
    _check(response, role, PAGES[path], url)
    if role in PAGES[path]:
        assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", list(POSTS))
def test_post_is_refused_to_readers_and_outsiders(
    cast: Cast, zhou: Candidate, path: str, role: str
) -> None:
    url = path.format(c=zhou.pk)
    client = client_for(cast, role)
    before = AuditEvent.objects.count()
    response = client.post(url, {})
    _check(response, role, POSTS[path], url)
    if role not in POSTS[path]:
        assert AuditEvent.objects.count() == before


def test_nomination_entry_round_trip(cast: Cast, zhou: Candidate) -> None:
    client = cast.client("member_a")
    page = client.get("/c/XH01/candidates/nominations/director/").content.decode()
    assert 'inputmode="numeric"' in page and "autofocus" in page
    assert "赵主" in page and "*" in page  # masked ID beside the name
    nominations = {n.voter.name: n.pk for n in Nomination.objects.filter(count__post="director")}
    data = {
        "held_on": HELD_ON.isoformat(),
        "ballots": "11",
        f"votes_{nominations['赵主']}": "12",
        f"votes_{nominations['钱主']}": "4",
    }
    refused = client.post("/c/XH01/candidates/nominations/director/", data)
    assert refused.status_code == 200
    assert "超过参加提名人数" in refused.content.decode()
    data[f"votes_{nominations['赵主']}"] = "5"
    saved = client.post("/c/XH01/candidates/nominations/director/", data)
    assert saved.status_code == 302
    assert Nomination.objects.get(pk=nominations["赵主"]).votes == 5


def test_roll_search_adds_a_nominee(cast: Cast, zhou: Candidate) -> None:
    client = cast.client("chair_a")
    page = client.get("/c/XH01/candidates/nominations/director/?q=居民03").content.decode()
    assert "居民03" in page
    voter = cast.election_a.voters.get(name="居民03")
    client.post("/c/XH01/candidates/nominations/director/add/", {"voter": voter.pk})
    assert Nomination.objects.filter(count__post="director", voter=voter).exists()


def test_publish_button_disabled_with_reasons(cast: Cast, zhou: Candidate) -> None:
    page = cast.client("member_a").get("/c/XH01/candidates/slate/").content.decode()
    assert "disabled" in page and "待联审" in page and "暂不能公布" in page
    response = cast.client("member_a").post("/c/XH01/candidates/slate/publish/")
    assert response.status_code == 302
    assert not Candidate.objects.filter(status=CandidateStatus.FORMAL).exists()


def test_publish_through_the_page(cast: Cast, zhou: Candidate, vetting_double: Any) -> None:
    vetting_double.clear(*Candidate.objects.all())
    page = cast.client("officer").get("/c/XH01/candidates/slate/").content.decode()
    assert "暂不能公布" not in page
    cast.client("officer").post("/c/XH01/candidates/slate/publish/")
    assert Candidate.objects.filter(status=CandidateStatus.FORMAL).count() == 8


def test_candidate_edit_round_trip(cast: Cast, zhou: Candidate) -> None:
    response = cast.client("member_a").post(
        f"/c/XH01/candidates/person/{zhou.pk}/edit/",
        {
            "education": "bachelor",
            "political_status": "cpc",
            "work": "某某公司职员",
            "current_posts": "",
            "incumbent": "on",
            "pledge_signed_on": HELD_ON.isoformat(),
            "updated_at": zhou.updated_at.isoformat(),
        },
    )
    assert response.status_code == 302
    zhou.refresh_from_db()
    assert (zhou.education, zhou.incumbent) == ("bachelor", True)
    event = AuditEvent.objects.get(action="candidates.candidate.updated")
    assert "education" in event.data["changes"]
    stale = cast.client("member_a").post(
        f"/c/XH01/candidates/person/{zhou.pk}/edit/",
        {"education": "college", "updated_at": "2000-01-01T00:00:00+00:00"},
    )
    assert stale.status_code == 200 and "已被其他人修改" in stale.content.decode()


def test_ballot_order_override_through_the_page(cast: Cast, zhou: Candidate) -> None:
    client = cast.client("member_a")
    members = list(Candidate.objects.filter(post="member").order_by("pk"))
    data: dict[str, str] = {"action": "override", "reason": ""}
    for i, c in enumerate(reversed(members), start=1):
        data[f"pos_{c.pk}"] = str(i)
    refused = client.post("/c/XH01/candidates/ballot-order/member/", data)
    assert refused.status_code == 200 and "理由" in refused.content.decode()
    data["reason"] = "笔画相同，抽签确定"
    assert client.post("/c/XH01/candidates/ballot-order/member/", data).status_code == 302
    assert Candidate.objects.get(pk=members[-1].pk).ballot_order == 1
    assert AuditEvent.objects.filter(action="candidates.ballot_order.overridden").exists()


def test_hub_query_count(cast: Cast, zhou: Candidate, django_assert_max_num_queries: Any) -> None:
    client = cast.client("member_a")
    client.get("/c/XH01/candidates/")  # warm the session
    # 1 session, 2 user, 3 scope, 4 election; standings: 5 seats, 6 counts,
    # 7 nominations, 8 their voters; the slate: 9 seats, 10 candidates (+ nomination),
    # 11 milestone; clearance (vetting): 12 requests, 13 tip-offs, 14 decisions;
    # base.html: 15 communities, 16 role assignments
    with django_assert_max_num_queries(16):
        assert client.get("/c/XH01/candidates/").status_code == 200


def test_slate_query_count(cast: Cast, zhou: Candidate, django_assert_max_num_queries: Any) -> None:
    client = cast.client("member_a")
    client.get("/c/XH01/candidates/slate/")
    # 1 session, 2 user, 3 scope, 4 election; 5 seats, 6 candidates (+ nomination),
    # 7 milestone; clearance (vetting): 8 requests, 9 tip-offs, 10 decisions;
    # 11 structure (Q3) candidates; kinship: 12 candidates, 13 committee,
    # 14 supervision, 15 relations; base.html: 16 communities, 17 role assignments
    with django_assert_max_num_queries(17):
        assert client.get("/c/XH01/candidates/slate/").status_code == 200
