"""The party pages against the whole cast: the community's committee and the street
officer edit; supervisor and organisation reviewer read only; another community's
member and another street's officer get 404. Health details never reach read-only
roles; ID numbers are masked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from candidates.models import PartyMember, Post
from candidates.services import party as svc
from elections import services as core
from elections.models import AuditEvent, Role
from tests.candidates.party_support import member, set_party_seats, sheet
from tests.conftest import ROLE_NAMES, Cast

pytestmark = pytest.mark.django_db

READERS = {"officer", "member_a", "chair_a", "supervisor", "org_reviewer"}
EDITORS = {"officer", "member_a", "chair_a"}
ROLES = [*ROLE_NAMES, "other_officer"]

PAGES: dict[str, set[str]] = {
    "/c/XH01/party/": READERS,
    "/c/XH01/party/members/": READERS,
    "/c/XH01/party/members/?status=full&rights=no": READERS,
    "/c/XH01/party/members/new/": EDITORS,
    "/c/XH01/party/members/{m}/edit/": EDITORS,
    "/c/XH01/party/import/": EDITORS,
    "/c/XH01/party/import/template.xlsx": EDITORS,
    "/c/XH01/party/import/{i}/": EDITORS,
    "/c/XH01/party/exclusions/": READERS,
    "/c/XH01/party/exclusions/new/": EDITORS,
    "/c/XH01/party/exclusions/{e}/": EDITORS,
    "/c/XH01/party/recommendations/": READERS,
    "/c/XH01/party/recommendations/members/": EDITORS,
    "/c/XH01/party/recommendations/members/party_committee/": EDITORS,
    "/c/XH01/party/initial/": READERS,
    "/c/XH01/party/initial/add/": EDITORS,
    "/c/XH01/party/candidates/{c}/inspection/": EDITORS,
    "/c/XH01/party/publicity/": READERS,
    "/c/XH01/party/approval/": READERS,
    # Another community's object under XH01's address: nobody.
    "/c/XH01/party/members/{mb}/edit/": set(),
    "/c/XH02/party/": {"officer", "member_b", "supervisor", "org_reviewer"},
    "/c/QH01/party/": {"org_reviewer", "other_officer"},
    "/c/QH01/party/members/new/": {"other_officer"},
}


def _client(cast: Cast, role: str) -> Client:
    if role == "other_officer":
        user = get_user_model().objects.create_user("other_officer", password="x-test-pass")
        core.assign_role(user, Role.STREET_OFFICER, cast.other_street, actor=cast.admin)
        client = Client()
        client.force_login(user)
        return client
    return cast.client(role)


@pytest.fixture
def objects(cast: Cast) -> dict[str, Any]:
    m = member(cast.election_a, cast.admin, "甲")
    mb = member(cast.election_b, cast.admin, "乙")
    e = svc.propose_exclusion(m, category=1, detail="患阿尔茨海默病", actor=cast.admin)
    c = svc.add_initial(cast.election_a, m, Post.PARTY_COMMITTEE, actor=cast.admin)
    i = svc.upload_roll(
        cast.election_a, filename="x.xlsx", data=sheet([["丙", "1", "正式"]]), actor=cast.admin
    )
    svc.save_meeting(
        cast.election_a, "members", held_on=dt.date(2026, 11, 1), participants=9, actor=cast.admin
    )
    return {"m": m.pk, "mb": mb.pk, "e": e.pk, "c": c.pk, "i": i.pk}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", list(PAGES))
def test_party_page_answers_each_role(
    cast: Cast, objects: dict[str, Any], path: str, role: str
) -> None:
    url = path.format(**objects)
    response = _client(cast, role).get(url)
    if role == "anonymous":
        assert response.status_code == 302
    elif role in PAGES[path]:
        assert response.status_code == 200, f"{role} should open {url}"
    else:
        assert response.status_code == 404, f"{role} must not see {url}"


POSTS = [
    ("/c/XH01/party/members/new/", {"name": "新人", "id_number": "x", "status": "full"}),
    ("/c/XH01/party/members/{m}/remove/", {"reason": "转出"}),
    ("/c/XH01/party/exclusions/{e}/", {"action": "withdraw"}),
    ("/c/XH01/party/recommendations/members/", {"held_on": "2026-11-02", "participants": "12"}),
    ("/c/XH01/party/candidates/{c}/withdraw/", {"reason": "本人放弃"}),
    ("/c/XH01/party/publicity/", {"starts_on": "2026-11-02"}),
    ("/c/XH01/party/approval/", {"doc_no": "x", "approval_date": "2026-11-30"}),
]


@pytest.mark.parametrize("role", ["supervisor", "org_reviewer", "member_b", "other_officer"])
@pytest.mark.parametrize(("path", "data"), POSTS)
def test_read_only_and_outsiders_cannot_change_anything(
    cast: Cast, objects: dict[str, Any], role: str, path: str, data: dict[str, str]
) -> None:
    client = _client(cast, role)
    before = AuditEvent.objects.count()
    response = client.post(path.format(**objects), data)
    assert response.status_code == 404
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("role", ["supervisor", "org_reviewer"])
def test_health_details_never_shown_to_read_only_roles(
    cast: Cast, objects: dict[str, Any], role: str
) -> None:
    for url in (
        "/c/XH01/party/exclusions/",
        "/c/XH01/party/members/",
        "/c/XH01/party/",
        "/c/XH01/party/publicity/",
    ):
        page = _client(cast, role).get(url).content.decode()
        assert "阿尔茨海默" not in page, url
    assert "阿尔茨海默" in cast.client("member_a").get("/c/XH01/party/exclusions/").content.decode()
    assert "阿尔茨海默" in cast.client("officer").get("/c/XH01/party/exclusions/").content.decode()
    assert (
        "阿尔茨海默" not in cast.client("member_a").get("/c/XH01/party/publicity/").content.decode()
    )


def test_roll_shows_masked_ids_only(cast: Cast, objects: dict[str, Any]) -> None:
    m = PartyMember.objects.get(pk=objects["m"])
    page = cast.client("supervisor").get("/c/XH01/party/members/").content.decode()
    assert m.id_masked in page
    assert svc.reveal_member_id(m) not in page


def test_member_added_through_the_page_is_audited(cast: Cast) -> None:
    from tests.conftest import new_id

    number = new_id(dt.date(1970, 8, 9), "女")
    response = cast.client("chair_a").post(
        "/c/XH01/party/members/new/",
        {
            "name": "王芳",
            "id_number": number,
            "status": "full",
            "joined_on": "1999-07-01",
            "directly_managed": "on",
        },
    )
    assert response.status_code == 302
    m = PartyMember.objects.get(name="王芳")
    assert m.gender == "女" and m.directly_managed
    event = AuditEvent.objects.get(action="candidates.party_member.added")
    assert number not in str(event.data)


def test_form_shows_the_chinese_message_beside_the_field(cast: Cast) -> None:
    response = cast.client("member_a").post(
        "/c/XH01/party/members/new/", {"name": "王芳", "id_number": "123", "status": "full"}
    )
    assert response.status_code == 200
    assert "身份证号" in response.content.decode() and "没有保存" in response.content.decode()


def test_tally_page_takes_votes_and_upload_page_previews(
    cast: Cast, objects: dict[str, Any]
) -> None:
    response = cast.client("member_a").get("/c/XH01/party/recommendations/members/party_committee/")
    html = response.content.decode()
    assert 'inputmode="numeric"' in html and "autofocus" in html
    response = cast.client("member_a").post(
        "/c/XH01/party/recommendations/members/party_committee/", {f"m{objects['m']}": "7"}
    )
    assert response.status_code == 302
    assert svc.ranking(cast.election_a)[Post.PARTY_COMMITTEE][0].members_votes == 7
    upload = cast.client("officer").get(f"/c/XH01/party/import/{objects['i']}/").content.decode()
    assert "有错误 1" in upload


def test_initial_page_shows_the_difference(cast: Cast, objects: dict[str, Any]) -> None:
    set_party_seats(cast.election_a, 3)
    page = cast.client("supervisor").get("/c/XH01/party/initial/").content.decode()
    assert "至少需要 4 名" in page and "还差 3 名" in page


def test_roll_page_queries_do_not_grow_with_the_roll(cast: Cast) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = cast.client("member_a")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/c/XH01/party/members/").status_code == 200
        return len(ctx.captured_queries)

    for i in range(3):
        member(cast.election_a, cast.admin, f"少{i}")
    few = queries()
    for i in range(20):
        m = member(cast.election_a, cast.admin, f"多{i}")
        if i % 5 == 0:
            svc.propose_exclusion(m, category=2, detail="", actor=cast.admin)
    assert queries() == few
