"""Every page against every role of the cast (STYLE.md habit 7), including 404 for a
user of another community or street."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.http import Http404
from django.test import Client

from elections import access
from elections.models import AuditEvent, CommunityElection, Milestone, Role, RoleAssignment
from elections.registration.models import Objection, ObjectionKind, VoterImport
from elections.services import assign_role
from tests.conftest import ROLE_NAMES, Cast

OK, NOT_FOUND, LOGIN = 200, 404, "login"

# page → the roles that may open it; everyone else gets 404, anonymous goes to login.
PAGES: dict[str, set[str]] = {
    "/dashboard/": {"officer", "supervisor", "org_reviewer"},
    "/c/XH01/": {"officer", "supervisor", "org_reviewer", "member_a", "chair_a"},
    "/c/XH01/schedule/": {"officer", "supervisor", "org_reviewer", "member_a", "chair_a"},
    "/c/XH02/": {"officer", "supervisor", "org_reviewer", "member_b"},
    "/c/XH02/schedule/": {"officer", "supervisor", "org_reviewer", "member_b"},
    # Another street of the same district: only the district's organisation reviewer.
    "/c/QH01/": {"org_reviewer"},
    "/c/QH01/schedule/": {"org_reviewer"},
    # A community that does not exist: nobody, and the same answer as "not yours".
    "/c/NOPE/": set(),
    "/users/": {"officer"},
    "/audit/": {"officer", "supervisor"},
    "/vetting/queue/": {"dept_reviewer"},
    "/no-role/": {r for r in ROLE_NAMES if r != "anonymous"},
}


@pytest.mark.parametrize("role", ROLE_NAMES)
@pytest.mark.parametrize("path", list(PAGES))
def test_page_answers_each_role(cast: Cast, path: str, role: str) -> None:
    response = cast.client(role).get(path)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    elif role in PAGES[path]:
        assert response.status_code == OK, f"{role} should open {path}"
    else:
        assert response.status_code == NOT_FOUND, f"{role} must not see {path}"


HOME_TARGETS = {
    "officer": "/dashboard/",
    "supervisor": "/dashboard/",
    "org_reviewer": "/dashboard/",
    "member_a": "/c/XH01/",
    "chair_a": "/c/XH01/",
    "member_b": "/c/XH02/",
    "dept_reviewer": "/vetting/queue/",
    "no_role": "/no-role/",
}


@pytest.mark.parametrize("role", list(HOME_TARGETS))
def test_home_sends_each_role_to_its_work(cast: Cast, role: str) -> None:
    response = cast.client(role).get("/")
    assert response.status_code == 302
    assert response["Location"] == HOME_TARGETS[role]


def test_anonymous_home_goes_to_login(cast: Cast) -> None:
    response = cast.client("anonymous").get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_committee_member_cannot_see_other_community_in_page_content(cast: Cast) -> None:
    body = cast.client("member_a").get("/c/XH01/").content.decode()
    assert "新河社区" in body
    assert "三角塘社区" not in body


def test_dashboard_lists_only_the_users_street(cast: Cast) -> None:
    body = cast.client("officer").get("/dashboard/").content.decode()
    assert "新河社区" in body and "三角塘社区" in body
    assert "青竹社区" not in body
    district_view = cast.client("org_reviewer").get("/dashboard/").content.decode()
    assert "青竹社区" in district_view


# POST endpoints: only the street officer of the community's street may act.
def _move_path(code: str) -> str:
    return f"/c/{code}/schedule/nominees_published/move/"


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_only_street_officer_moves_a_milestone(cast: Cast, role: str) -> None:
    milestone = Milestone.objects.get(election=cast.election_a, kind="nominees_published")
    before = milestone.date
    new_date = before.replace(day=before.day - 1)
    response = cast.client(role).post(
        _move_path("XH01"), {"nominees_published-date": new_date.isoformat()}
    )
    milestone.refresh_from_db()
    if role == "officer":
        assert response.status_code == 302
        assert milestone.date == new_date
    else:
        assert response.status_code == (302 if role == "anonymous" else 404)
        assert milestone.date == before


def test_officer_of_another_street_cannot_move_milestones(cast: Cast) -> None:
    outsider = get_user_model().objects.create_user("qh_officer", password="x-test-pass")
    assign_role(outsider, Role.STREET_OFFICER, cast.other_street, actor=cast.admin)
    client = Client()
    client.force_login(outsider)
    response = client.post(_move_path("XH01"), {"nominees_published-date": "2027-01-10"})
    assert response.status_code == 404
    assert client.get("/c/XH01/").status_code == 404


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_only_street_officer_advances_a_stage(cast: Cast, role: str) -> None:
    events_before = AuditEvent.objects.filter(action__startswith="elections.stage").count()
    response = cast.client(role).post("/c/XH01/stage/party/advance/", {})
    cast.election_a.refresh_from_db()
    if role == "officer":
        assert response.status_code == 302
        assert cast.election_a.party_stage == "recommendation"
        assert AuditEvent.objects.filter(action="elections.stage.party.advanced").count() == 1
    else:
        assert response.status_code == (302 if role == "anonymous" else 404)
        assert cast.election_a.party_stage == "preparation"
        assert (
            AuditEvent.objects.filter(action__startswith="elections.stage").count() == events_before
        )


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_only_street_officer_revokes_roles(cast: Cast, role: str) -> None:
    assignment = RoleAssignment.objects.get(user=cast.users["member_b"])
    response = cast.client(role).post(f"/users/roles/{assignment.pk}/revoke/")
    exists = RoleAssignment.objects.filter(pk=assignment.pk).exists()
    if role == "officer":
        assert response.status_code == 302
        assert not exists
    else:
        assert response.status_code == (302 if role == "anonymous" else 404)
        assert exists


def test_get_on_post_only_endpoints_is_refused(cast: Cast) -> None:
    client = cast.client("officer")
    assert client.get(_move_path("XH01")).status_code == 405
    assert client.get("/c/XH01/stage/party/advance/").status_code == 405


# -- the fetch-or-404 helpers, against the cast ---------------------------------------------


def _objection(election: CommunityElection) -> Objection:
    return Objection.objects.create(
        election=election,
        complainant_name="王五",
        kind=ObjectionKind.OMISSION,
        subject_name="赵六",
        description="漏登",
        received_on=dt.date(2027, 1, 10),
    )


def _voter_import(election: CommunityElection) -> VoterImport:
    return VoterImport.objects.create(
        election=election, filename="名册.xlsx", sha256="0" * 64, stored_file="x"
    )


def test_objection_helper_finds_only_the_elections_own(cast: Cast) -> None:
    own, other = _objection(cast.election_a), _objection(cast.election_b)
    assert access.get_objection_for_election(cast.election_a, own.pk) == own
    with pytest.raises(Http404):
        access.get_objection_for_election(cast.election_a, other.pk)
    with pytest.raises(Http404):
        access.get_objection_for_election(cast.election_a, other.pk + 1000)


def test_another_communitys_objection_page_is_not_found(cast: Cast) -> None:
    other = _objection(cast.election_b)
    client = cast.client("member_a")
    assert client.get(f"/c/XH01/objections/{other.pk}/").status_code == 404
    assert cast.client("member_b").get(f"/c/XH02/objections/{other.pk}/").status_code == 200


def test_import_helper_finds_only_the_elections_own(cast: Cast) -> None:
    own, other = _voter_import(cast.election_a), _voter_import(cast.election_b)
    assert access.get_import_for_election(cast.election_a, own.pk) == own
    with pytest.raises(Http404):
        access.get_import_for_election(cast.election_a, other.pk)
    assert cast.client("member_a").get(f"/c/XH01/voters/import/{other.pk}/").status_code == 404


def test_milestone_helper_finds_the_elections_milestone_of_a_kind(cast: Cast) -> None:
    milestone = access.get_milestone_for_election(cast.election_a, "nominees_published")
    assert (milestone.election_id, milestone.kind) == (cast.election_a.pk, "nominees_published")
    other = access.get_milestone_for_election(cast.election_b, "nominees_published")
    assert other.pk != milestone.pk
    with pytest.raises(Http404):
        access.get_milestone_for_election(cast.election_a, "no_such_kind")
    response = cast.client("officer").post(
        "/c/XH01/schedule/no_such_kind/move/", {"no_such_kind-date": "2027-01-10"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_assignment_helper_answers_only_the_street_officer(cast: Cast, role: str) -> None:
    assignment = RoleAssignment.objects.get(user=cast.users["member_b"])
    if role == "anonymous":
        return  # the view sends anonymous users to the login page before any lookup
    if role == "officer":
        assert access.get_assignment_for_officer(cast.users[role], assignment.pk) == assignment
    else:
        with pytest.raises(Http404):
            access.get_assignment_for_officer(cast.users[role], assignment.pk)


def test_assignment_helper_hides_another_streets_assignments(cast: Cast) -> None:
    User = get_user_model()
    outsider = User.objects.create_user("qh_member", password="x-test-pass")
    assign_role(outsider, Role.COMMITTEE_MEMBER, cast.community_other_street, actor=cast.admin)
    theirs = RoleAssignment.objects.get(user=outsider)
    with pytest.raises(Http404):
        access.get_assignment_for_officer(cast.users["officer"], theirs.pk)
    response = cast.client("officer").post(f"/users/roles/{theirs.pk}/revoke/")
    assert response.status_code == 404
    assert RoleAssignment.objects.filter(pk=theirs.pk).exists()
    with pytest.raises(Http404):
        access.get_assignment_for_officer(cast.users["officer"], theirs.pk + 1000)
