"""The voter roll pages: every page against every role of the cast (STYLE.md habit 7),
masked ID numbers everywhere but the voter's own page after a logged reveal (RULES.md
§9), search and filters, form round trips, the export, and pinned query counts
(habit 8)."""

from __future__ import annotations

import datetime as dt
import io
from random import Random
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from elections.crypto import encrypt_text, encryption_key
from elections.idnumbers import mask_id_number
from elections.models import AuditEvent, Community, CommunityElection
from elections.registration.models import Voter, VoterCategory, VoterSource, VoterStatus
from elections.registration.services import (
    StaleVoterError,
    VoterData,
    hash_id,
    register_voter,
    remove_voter,
    update_voter,
)
from elections.services import add_community_to_cycle
from tests.conftest import ELECTION_DAY, ROLE_NAMES, Cast
from tests.idgen import generate_valid_id

STALE_MESSAGE = StaleVoterError().message
_rng = Random(1128)
_issued: set[str] = set()


def new_id(birth: dt.date = dt.date(1980, 4, 5), gender: str = "男") -> str:
    while True:
        number = generate_valid_id(_rng, birth_date=birth, gender=gender)
        if number not in _issued:
            _issued.add(number)
            return number


def add_voter(
    cast: Cast,
    election: CommunityElection | None = None,
    *,
    name: str = "张三",
    id_number: str | None = None,
    **kwargs: Any,
) -> Voter:
    return register_voter(
        election or cast.election_a,
        VoterData(
            name=name,
            id_number=id_number or new_id(),
            category=kwargs.pop("category", VoterCategory.RESIDENT),
            **kwargs,
        ),
        actor=cast.admin,
    )


def bulk_voters(election: CommunityElection, count: int, *, group: str = "第一居民小组") -> None:
    """Many voters at once, straight into the table (for pagination and query counts)."""
    rows = []
    for index in range(count):
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=index * 17)
        number = new_id(birth, "男" if index % 2 else "女")
        rows.append(
            Voter(
                election=election,
                cycle_id=election.cycle_id,
                name=f"选民{index:03}",
                id_hash=hash_id(number),
                id_encrypted=encrypt_text(number, encryption_key()),
                id_masked=mask_id_number(number),
                gender="男" if index % 2 else "女",
                birth_date=birth,
                group=group,
                category=VoterCategory.RESIDENT,
            )
        )
    Voter.objects.bulk_create(rows)


# -- page × role --------------------------------------------------------------------------

READERS_A = {"officer", "supervisor", "org_reviewer", "member_a", "chair_a"}
EDITORS_A = {"officer", "member_a", "chair_a"}

# page → the roles that may open it; everyone else gets 404, anonymous goes to login.
# {a} is a voter of XH01, {b} a voter of XH02.
PAGES: dict[str, set[str]] = {
    "/voters/": {"officer", "supervisor", "org_reviewer"},
    "/c/XH01/voters/": READERS_A,
    "/c/XH01/voters/export.xlsx": READERS_A,
    "/c/XH01/voters/public/": READERS_A,
    "/c/XH01/voters/{a}/": READERS_A,
    "/c/XH01/voters/new/": EDITORS_A,
    "/c/XH01/voters/election-day/": EDITORS_A,
    "/c/XH01/voters/{a}/edit/": EDITORS_A,
    "/c/XH01/voters/{a}/remove/": EDITORS_A,
    "/c/XH02/voters/": {"officer", "supervisor", "org_reviewer", "member_b"},
    "/c/XH02/voters/{b}/": {"officer", "supervisor", "org_reviewer", "member_b"},
    "/c/XH02/voters/new/": {"officer", "member_b"},
    # A voter of XH02 under XH01's address: nobody, the same answer as "not yours".
    "/c/XH01/voters/{b}/": set(),
    "/c/XH01/voters/{b}/edit/": set(),
    # Another street of the district: only the district's organisation reviewer reads it.
    "/c/QH01/voters/": {"org_reviewer"},
    "/c/QH01/voters/new/": set(),
    "/c/NOPE/voters/": set(),
}


@pytest.mark.parametrize("role", ROLE_NAMES)
@pytest.mark.parametrize("path", list(PAGES))
def test_voter_page_answers_each_role(cast: Cast, path: str, role: str) -> None:
    a = add_voter(cast, name="甲")
    b = add_voter(cast, cast.election_b, name="乙")
    url = path.format(a=a.pk, b=b.pk)
    response = cast.client(role).get(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    elif role in PAGES[path]:
        assert response.status_code == 200, f"{role} should open {url}"
    else:
        assert response.status_code == 404, f"{role} must not see {url}"


def _answer(response: Any, role: str, allowed: set[str]) -> bool:
    """Whether the role was let through; asserts the refusal's form otherwise."""
    if role in allowed:
        return True
    assert response.status_code == (302 if role == "anonymous" else 404)
    if role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    return False


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_only_editors_register_voters(cast: Cast, role: str) -> None:
    number = new_id()
    response = cast.client(role).post(
        "/c/XH01/voters/new/",
        {"name": "周明", "id_number": number, "category": VoterCategory.RESIDENT},
    )
    created = Voter.objects.filter(id_hash=hash_id(number)).first()
    if _answer(response, role, EDITORS_A):
        assert created is not None
        assert response.status_code == 302
        assert response["Location"] == f"/c/XH01/voters/{created.pk}/"
        assert created.election == cast.election_a
        assert created.source == VoterSource.MANUAL
        event = AuditEvent.objects.get(action="elections.voter.registered")
        assert event.actor_id == cast.users[role].pk
    else:
        assert created is None
        assert not AuditEvent.objects.filter(action="elections.voter.registered").exists()


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_only_editors_correct_voters(cast: Cast, role: str) -> None:
    voter = add_voter(cast, group="第一居民小组")
    form = {
        "name": voter.name,
        "category": voter.category,
        "group": "第二居民小组",
        "reason": "核对户口簿后更正",
        "updated_at": voter.updated_at.isoformat(),
    }
    response = cast.client(role).post(f"/c/XH01/voters/{voter.pk}/edit/", form)
    voter.refresh_from_db()
    events = AuditEvent.objects.filter(action="elections.voter.updated")
    if _answer(response, role, EDITORS_A):
        assert response.status_code == 302
        assert voter.group == "第二居民小组"
        assert events.get().data["changes"] == {"group": ["第一居民小组", "第二居民小组"]}
        assert events.get().data["reason"] == "核对户口簿后更正"
    else:
        assert voter.group == "第一居民小组"
        assert not events.exists()


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_only_editors_remove_voters(cast: Cast, role: str) -> None:
    voter = add_voter(cast)
    response = cast.client(role).post(
        f"/c/XH01/voters/{voter.pk}/remove/",
        {"reason": "已迁出本社区", "updated_at": voter.updated_at.isoformat()},
    )
    voter.refresh_from_db()
    if _answer(response, role, EDITORS_A):
        assert response.status_code == 302
        assert voter.status == VoterStatus.REMOVED
        assert voter.removed_reason == "已迁出本社区"
        assert AuditEvent.objects.filter(action="elections.voter.removed").count() == 1
    else:
        assert voter.status == VoterStatus.REGISTERED
        assert not AuditEvent.objects.filter(action="elections.voter.removed").exists()


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_only_committee_members_and_officers_reveal_the_full_id(cast: Cast, role: str) -> None:
    number = new_id()
    voter = add_voter(cast, id_number=number)
    response = cast.client(role).post(f"/c/XH01/voters/{voter.pk}/")
    views = AuditEvent.objects.filter(action="elections.voter.id_viewed")
    if _answer(response, role, EDITORS_A):
        assert response.status_code == 200
        assert number in response.content.decode()
        event = views.get()
        assert (event.actor_id, event.object_type, event.object_id) == (
            cast.users[role].pk,
            "elections.voter",
            str(voter.pk),
        )
        assert "no-store" in response["Cache-Control"]
    else:
        assert number.encode() not in response.content
        assert not views.exists()


def test_get_on_the_detail_page_never_shows_or_logs_the_full_id(cast: Cast) -> None:
    number = new_id()
    voter = add_voter(cast, id_number=number)
    body = cast.client("member_a").get(f"/c/XH01/voters/{voter.pk}/").content.decode()
    assert number not in body
    assert voter.id_masked in body
    assert "显示完整身份证号" in body
    assert not AuditEvent.objects.filter(action="elections.voter.id_viewed").exists()
    # Read-only roles do not even get the button.
    body = cast.client("supervisor").get(f"/c/XH01/voters/{voter.pk}/").content.decode()
    assert "显示完整身份证号" not in body
    assert voter.id_masked in body


# -- masking everywhere ---------------------------------------------------------------------


def _sheet(response: Any) -> Any:
    return load_workbook(io.BytesIO(response.content)).active


def _xlsx_rows(response: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in _sheet(response).iter_rows(values_only=True)]


@pytest.mark.parametrize("role", ["officer", "member_a", "supervisor"])
def test_no_full_id_number_in_any_list_export_or_public_list(cast: Cast, role: str) -> None:
    number = new_id(dt.date(1966, 6, 6), "女")
    voter = add_voter(cast, name="钱芳", id_number=number, phone="13912345678", group="一组")
    client = cast.client(role)
    pages: dict[str, Any] = {
        "roll": client.get("/c/XH01/voters/"),
        "filtered roll": client.get("/c/XH01/voters/?group=一组&status=all"),
        "public list": client.get("/c/XH01/voters/public/?age=1"),
        "street": client.get("/voters/") if role != "member_a" else None,
        "detail": client.get(f"/c/XH01/voters/{voter.pk}/"),
    }
    for label, response in pages.items():
        if response is None:
            continue
        assert response.status_code == 200, label
        assert number.encode() not in response.content, label
        assert number[6:14].encode() not in response.content, label  # nor the birth digits
    assert voter.id_masked.encode() in pages["roll"].content
    assert voter.id_masked.encode() not in pages["public list"].content

    export = client.get("/c/XH01/voters/export.xlsx")
    assert number.encode() not in export.content
    cells = [str(value) for row in _xlsx_rows(export) for value in row if value is not None]
    assert number not in cells
    assert "13912345678" not in cells
    assert voter.id_masked in cells
    assert "139****5678" in cells


def test_search_by_full_id_moves_the_number_out_of_the_address(cast: Cast) -> None:
    number = new_id()
    voter = add_voter(cast, name="孙强", id_number=number)
    add_voter(cast, name="李四")
    client = cast.client("member_a")

    response = client.get("/c/XH01/voters/", {"q": number, "category": "resident"})

    assert response.status_code == 302
    location = response["Location"]
    assert number not in location
    assert f"idh={hash_id(number)}" in location
    assert "category=resident" in location
    page = client.get(location)
    body = page.content.decode()
    assert [v.pk for v, _ in page.context["rows"]] == [voter.pk]
    assert number not in body
    assert "按完整身份证号精确查找" in body


def test_search_by_name_last_digits_and_masked_form(cast: Cast) -> None:
    number = new_id()
    voter = add_voter(cast, name="欧阳娜娜", id_number=number)
    add_voter(cast, name="李四")
    client = cast.client("officer")

    def found(query: str) -> list[int]:
        response = client.get("/c/XH01/voters/", {"q": query})
        assert response.status_code == 200
        return [v.pk for v, _ in response.context["rows"]]

    assert found("欧阳") == [voter.pk]
    assert found(number[-4:]) == [voter.pk]
    assert found(number[-3:]) == [voter.pk]
    assert found(voter.id_masked) == [voter.pk]
    assert found("不存在的人") == []


# -- the roll: filters, flags, counts, pagination ----------------------------------------------


def test_filters_by_group_category_status_and_under_18(cast: Cast) -> None:
    cast.election_a.election_day = dt.date(2027, 2, 28)
    cast.election_a.save()
    old = add_voter(cast, name="老王", group="一组", id_number=new_id(dt.date(1950, 1, 1)))
    young = add_voter(cast, name="小李", group="二组", id_number=new_id(dt.date(2009, 2, 20)))
    pending = add_voter(cast, name="外来", group="二组", category=VoterCategory.NONRESIDENT)
    gone = add_voter(cast, name="搬走", group="一组")
    remove_voter(gone, actor=cast.admin, reason="已迁出")
    # The election moves back to 28 January: 小李 is not 18 then.
    cast.election_a.election_day = ELECTION_DAY
    cast.election_a.save()
    client = cast.client("member_a")

    def listed(**params: str) -> set[str]:
        response = client.get("/c/XH01/voters/", params)
        assert response.status_code == 200
        return {v.name for v, _ in response.context["rows"]}

    assert listed() == {"老王", "小李", "外来"}
    assert listed(group="一组") == {"老王"}
    assert listed(group="二组") == {"小李", "外来"}
    assert listed(category="nonresident") == {"外来"}
    assert listed(status="pending_approval") == {"外来"}
    assert listed(status="removed") == {"搬走"}
    assert listed(status="all") == {"老王", "小李", "外来", "搬走"}
    assert listed(under_18="on") == {"小李"}

    response = client.get("/c/XH01/voters/")
    flags = {v.name: e.code for v, e in response.context["rows"]}
    assert flags == {"老王": "eligible", "小李": "under_18", "外来": "pending"}
    body = response.content.decode()
    assert "1 人选举日未满18周岁" in body
    total = response.context["total"]
    assert (total.registered, total.eligible, total.pending, total.removed, total.under_18) == (
        2,
        1,
        1,
        1,
        1,
    )
    groups = {
        g.label: (g.registered, g.eligible, g.pending, g.removed)
        for g in response.context["by_group"]
    }
    assert groups == {"一组": (1, 1, 0, 1), "二组": (1, 0, 1, 0)}
    categories = {c.key: (c.registered, c.pending) for c in response.context["by_category"]}
    assert categories == {
        "resident": (2, 0),
        "registered_absent": (0, 0),
        "nonresident": (0, 1),
        "community_worker": (0, 0),
    }
    # The default view lists exactly the three voters still on the roll, flagged by pk.
    listed_by_pk = {v.pk: e.code for v, e in response.context["rows"]}
    assert listed_by_pk == {old.pk: "eligible", young.pk: "under_18", pending.pk: "pending"}
    statuses = dict(Voter.objects.values_list("pk", "status"))
    assert statuses == {
        old.pk: VoterStatus.REGISTERED,
        young.pk: VoterStatus.REGISTERED,
        pending.pk: VoterStatus.PENDING_APPROVAL,
        gone.pk: VoterStatus.REMOVED,
    }


def test_pagination_keeps_the_filters(cast: Cast) -> None:
    bulk_voters(cast.election_a, 55, group="一组")
    bulk_voters(cast.election_a, 3, group="二组")
    client = cast.client("member_a")

    first = client.get("/c/XH01/voters/", {"group": "一组"})
    body = first.content.decode()
    assert len(first.context["rows"]) == 50
    assert "共 55 人符合条件，第 1 / 2 页" in body
    assert 'href="?group=%E4%B8%80%E7%BB%84&amp;page=2"' in body

    second = client.get("/c/XH01/voters/", {"group": "一组", "page": "2"})
    assert len(second.context["rows"]) == 5
    assert {v.group for v, _ in second.context["rows"]} == {"一组"}
    assert second.context["rows"][0][0].name == "选民050"


def test_readers_see_no_edit_buttons_and_editors_do(cast: Cast) -> None:
    add_voter(cast)
    reader = cast.client("supervisor").get("/c/XH01/voters/").content.decode()
    editor = cast.client("member_a").get("/c/XH01/voters/").content.decode()
    for link in ("/c/XH01/voters/new/", "/c/XH01/voters/election-day/", "/c/XH01/voters/import/"):
        assert link in editor
        assert link not in reader
    for link in ("/c/XH01/voters/export.xlsx", "/c/XH01/voters/public/", "/c/XH01/objections/"):
        assert link in editor and link in reader


def test_member_of_another_community_sees_nothing_of_the_roll(cast: Cast) -> None:
    voter = add_voter(cast, name="独一无二的名字")
    client = cast.client("member_b")
    for url in (
        "/c/XH01/voters/",
        f"/c/XH01/voters/{voter.pk}/",
        "/c/XH01/voters/export.xlsx",
        "/c/XH01/voters/public/",
        "/voters/",
    ):
        assert client.get(url).status_code == 404, url
    assert "独一无二的名字" not in client.get("/c/XH02/voters/").content.decode()


# -- forms ----------------------------------------------------------------------------------


def _registration(number: str, **extra: str) -> dict[str, str]:
    return {"name": "周明", "id_number": number, "category": "resident", **extra}


def test_wrong_check_digit_is_shown_on_the_id_field(cast: Cast) -> None:
    number = new_id()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    response = cast.client("member_a").post("/c/XH01/voters/new/", _registration(wrong))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["id_number"] == ["身份证号校验位不正确，请核对号码是否抄错"]
    body = response.content.decode()
    assert 'id="id_id_number_error"' in body
    assert 'aria-invalid="true"' in body
    assert not Voter.objects.exists()


def test_under_18_on_election_day_is_shown_on_the_id_field(cast: Cast) -> None:
    response = cast.client("member_a").post(
        "/c/XH01/voters/new/", _registration(new_id(dt.date(2009, 1, 29)))
    )
    assert response.context["form"].errors["id_number"] == [
        "选举日（2027年1月28日）未满18周岁，不能登记（规则 G5）"
    ]
    assert not Voter.objects.exists()


def test_gender_and_birth_date_are_checked_against_the_number(cast: Cast) -> None:
    number = new_id(dt.date(1980, 4, 5), "男")
    response = cast.client("member_a").post(
        "/c/XH01/voters/new/", _registration(number, gender="女", birth_date="1980-04-06")
    )
    errors = response.context["form"].errors
    # The import's messages (one shared check, voter_checks).
    assert errors["gender"] == ["性别“女”与身份证号不一致（按身份证号应为“男”）"]
    assert errors["birth_date"] == ["出生日期 1980年4月6日 与身份证号中的 1980年4月5日 不一致"]
    assert not Voter.objects.exists()


def test_double_submission_gets_the_r11_message_not_an_error_page(cast: Cast) -> None:
    number = new_id()
    client = cast.client("member_a")
    assert client.post("/c/XH01/voters/new/", _registration(number)).status_code == 302

    again = client.post("/c/XH01/voters/new/", _registration(number))

    assert again.status_code == 200
    assert again.context["form"].errors["id_number"] == ["此人已在本社区登记（周明），请勿重复登记"]
    assert Voter.objects.count() == 1


def test_registration_in_another_community_names_it(cast: Cast) -> None:
    number = new_id()
    add_voter(cast, id_number=number)
    response = cast.client("member_b").post("/c/XH02/voters/new/", _registration(number))
    assert response.context["form"].errors["id_number"] == [
        "已在新河社区（XH01）登记，同一届选举只能登记一处（规则 R11）"
    ]
    assert Voter.objects.count() == 1


def test_nonresident_without_approval_is_saved_as_pending(cast: Cast) -> None:
    client = cast.client("member_a")
    response = client.post(
        "/c/XH01/voters/new/", _registration(new_id(), category="nonresident"), follow=True
    )
    voter = Voter.objects.get()
    assert voter.status == VoterStatus.PENDING_APPROVAL
    assert "待会议同意" in response.content.decode()
    approved = client.post(
        "/c/XH01/voters/new/",
        _registration(
            new_id(),
            category="nonresident",
            approval_body="residents_meeting",
            approval_date="2026-11-01",
        ),
    )
    assert approved.status_code == 302
    assert Voter.objects.filter(status=VoterStatus.REGISTERED).count() == 1


def _freeze_today(monkeypatch: pytest.MonkeyPatch, today: dt.date) -> None:
    """Pages and services read today's date through timezone.localdate()."""
    original = timezone.localdate
    monkeypatch.setattr(
        "django.utils.timezone.localdate",
        lambda value=None, timezone=None: today if value is None else original(value, timezone),
    )


def test_election_day_entry_on_another_day_shows_the_service_message(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    _freeze_today(monkeypatch, ELECTION_DAY - dt.timedelta(days=1))
    client = cast.client("member_a")
    page = client.get("/c/XH01/voters/election-day/").content.decode()
    assert "今天不是选举日" in page
    response = client.post("/c/XH01/voters/election-day/", _registration(new_id()))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "选举日补登只能在选举日（2027年1月28日）办理"
    ]
    assert not Voter.objects.exists()


def test_election_day_entry_on_election_day_is_marked(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    _freeze_today(monkeypatch, ELECTION_DAY)
    client = cast.client("member_a")
    response = client.post("/c/XH01/voters/election-day/", _registration(new_id()))
    assert response.status_code == 302
    voter = Voter.objects.get()
    assert voter.source == VoterSource.ELECTION_DAY
    assert "选举日补登" in client.get("/c/XH01/voters/").content.decode()


def test_stale_edit_is_refused_without_change(cast: Cast) -> None:
    voter = add_voter(cast, group="一组")
    client = cast.client("member_a")
    opened = client.get(f"/c/XH01/voters/{voter.pk}/edit/")
    stamp = opened.context["form"].initial["updated_at"]
    # Someone else corrects the entry meanwhile.
    update_voter(voter, {"group": "二组"}, actor=cast.users["chair_a"], reason="更正")

    response = client.post(
        f"/c/XH01/voters/{voter.pk}/edit/",
        {
            "name": voter.name,
            "category": voter.category,
            "group": "三组",
            "reason": "更正",
            "updated_at": stamp,
        },
        follow=True,
    )

    voter.refresh_from_db()
    assert voter.group == "二组"
    assert STALE_MESSAGE in response.content.decode()
    assert AuditEvent.objects.filter(action="elections.voter.updated").count() == 1


def test_stale_removal_is_refused_without_change(cast: Cast) -> None:
    voter = add_voter(cast)
    stamp = voter.updated_at.isoformat()
    update_voter(voter, {"phone": "13800000000"}, actor=cast.users["chair_a"], reason="补充")
    response = cast.client("member_a").post(
        f"/c/XH01/voters/{voter.pk}/remove/", {"reason": "已去世", "updated_at": stamp}, follow=True
    )
    voter.refresh_from_db()
    assert voter.status == VoterStatus.REGISTERED
    assert STALE_MESSAGE in response.content.decode()


def test_edit_needs_a_reason_and_saves_nothing_without_one(cast: Cast) -> None:
    voter = add_voter(cast, group="一组")
    response = cast.client("member_a").post(
        f"/c/XH01/voters/{voter.pk}/edit/",
        {
            "name": voter.name,
            "category": voter.category,
            "group": "二组",
            "updated_at": voter.updated_at.isoformat(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["请填写修改理由，例如“核对户口簿后更正”"]
    voter.refresh_from_db()
    assert voter.group == "一组"


def test_edit_without_changes_writes_no_audit_row(cast: Cast) -> None:
    voter = add_voter(cast, group="一组")
    response = cast.client("member_a").post(
        f"/c/XH01/voters/{voter.pk}/edit/",
        {
            "name": voter.name,
            "category": voter.category,
            "group": "一组",
            "reason": "核对",
            "updated_at": voter.updated_at.isoformat(),
        },
        follow=True,
    )
    assert "没有修改任何内容" in response.content.decode()
    assert not AuditEvent.objects.filter(action="elections.voter.updated").exists()


def test_removal_needs_a_reason(cast: Cast) -> None:
    voter = add_voter(cast)
    response = cast.client("member_a").post(
        f"/c/XH01/voters/{voter.pk}/remove/",
        {"reason": "  ", "updated_at": voter.updated_at.isoformat()},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["请填写移除理由"]
    voter.refresh_from_db()
    assert voter.status == VoterStatus.REGISTERED


def test_a_removed_voter_cannot_be_edited(cast: Cast) -> None:
    voter = add_voter(cast)
    remove_voter(voter, actor=cast.admin, reason="已去世")
    response = cast.client("member_a").get(f"/c/XH01/voters/{voter.pk}/edit/", follow=True)
    assert "这位选民已被移除，不能修改" in response.content.decode()
    detail = cast.client("member_a").get(f"/c/XH01/voters/{voter.pk}/").content.decode()
    assert "已去世" in detail
    assert f"/c/XH01/voters/{voter.pk}/edit/" not in detail


def test_detail_shows_eligibility_and_the_voters_history(cast: Cast) -> None:
    cast.election_a.election_day = dt.date(2027, 2, 28)
    cast.election_a.save()
    voter = add_voter(cast, name="小李", id_number=new_id(dt.date(2009, 2, 20)))
    update_voter(voter, {"group": "二组"}, actor=cast.users["chair_a"], reason="更正小组")
    cast.election_a.election_day = ELECTION_DAY
    cast.election_a.save()

    response = cast.client("supervisor").get(f"/c/XH01/voters/{voter.pk}/")

    assert response.context["eligibility"].code == "under_18"
    body = response.content.decode()
    assert "选举日（2027年1月28日）时 17 周岁，2027年2月20日才满18周岁" in body
    assert [e.action for e in response.context["history"]] == [
        "elections.voter.updated",
        "elections.voter.registered",
    ]
    assert "更正小组" in body


# -- the export -----------------------------------------------------------------------------


def test_export_of_the_filtered_roll_is_masked_and_formula_safe(cast: Cast) -> None:
    add_voter(
        cast,
        name='=HYPERLINK("http://x","点我")',
        group="@SUM(A1)",
        ethnicity="-2+3",
        phone="13912345678",
        id_number=new_id(dt.date(1970, 7, 7)),
    )
    add_voter(cast, name="二组的人", group="二组")

    response = cast.client("supervisor").get("/c/XH01/voters/export.xlsx", {"group": "@SUM(A1)"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    rows = list(_sheet(response).iter_rows())
    assert [c.value for c in rows[0]] == [
        "序号",
        "姓名",
        "性别",
        "出生日期",
        "年龄（选举日2027年1月28日）",
        "民族",
        "居民小组",
        "登记类别",
        "状态",
        "身份证号",
        "联系电话",
        "来源",
    ]
    assert len(rows) == 2  # the header and the one voter of the filtered group
    cells = {rows[0][i].value: rows[1][i] for i in range(len(rows[0]))}
    assert cells["姓名"].value == '=HYPERLINK("http://x","点我")'
    assert cells["姓名"].data_type == "s"  # text, not a formula
    assert cells["姓名"].quotePrefix
    assert cells["居民小组"].data_type == "s" and cells["居民小组"].quotePrefix
    assert cells["民族"].value == "-2+3" and cells["民族"].quotePrefix
    assert cells["年龄（选举日2027年1月28日）"].value == 56
    assert cells["联系电话"].value == "139****5678"
    assert cells["身份证号"].value.count("*") == 13
    assert cells["来源"].value == "逐个录入"
    event = AuditEvent.objects.get(action="elections.voter.exported")
    assert event.actor_id == cast.users["supervisor"].pk
    assert event.data == {"rows": 1, "filters": "居民小组：@SUM(A1)"}


def test_export_audit_row_never_holds_a_full_id_number(cast: Cast) -> None:
    number = new_id()
    add_voter(cast, id_number=number)
    response = cast.client("member_a").get("/c/XH01/voters/export.xlsx", {"q": number})
    assert len(_xlsx_rows(response)) == 2
    event = AuditEvent.objects.get(action="elections.voter.exported")
    assert number not in str(event.data)
    assert event.data["filters"] == "查找：按完整身份证号"  # searched by its hash


@pytest.mark.parametrize("count", [3, 30])
def test_export_query_count_does_not_grow(
    cast: Cast, django_assert_num_queries: Any, count: int
) -> None:
    bulk_voters(cast.election_a, count)
    client = cast.client("officer")
    client.get("/c/XH01/voters/")  # a first request warms the session
    with django_assert_num_queries(9):
        # 1 session, 2 user, 3 the user's object permissions (scope), 4 the election
        # with community, street, cycle and profile, 5 the count (direct or a job?),
        # 6 savepoint, 7 the audit row of the export, 8 release savepoint, 9 the voters
        # (masked columns only, streamed while the file is written).
        response = client.get("/c/XH01/voters/export.xlsx")
    assert len(_xlsx_rows(response)) == count + 1


# -- pinned query counts of the list pages ----------------------------------------------------


@pytest.mark.parametrize("count", [3, 30])
def test_roll_page_query_count_does_not_grow(
    cast: Cast, django_assert_num_queries: Any, count: int
) -> None:
    bulk_voters(cast.election_a, count)
    client = cast.client("officer")
    with django_assert_num_queries(10):
        # 1 session, 2 user, 3 the user's object permissions (scope), 4 the election
        # with community, street, cycle and profile, 5 counts per category, 6 counts per
        # 居民小组, 7 the paginator's count, 8 the page of voters, 9 whether the list was
        # posted (the correction-notice warning), 10 role labels for the navigation bar.
        response = client.get("/c/XH01/voters/")
    assert len(response.context["rows"]) == count


@pytest.mark.parametrize(("voters", "communities"), [(3, 0), (30, 5)])
def test_street_page_query_count_does_not_grow(
    cast: Cast, django_assert_num_queries: Any, voters: int, communities: int
) -> None:
    for index in range(communities):
        community = Community.objects.create(
            street=cast.street, code=f"XX{index:02}", name=f"测试{index}社区"
        )
        add_community_to_cycle(cast.cycle, community, actor=cast.admin)
    bulk_voters(cast.election_a, voters)
    bulk_voters(cast.election_b, 2)
    client = cast.client("officer")
    with django_assert_num_queries(6):
        # 1 session, 2 user, 3 the user's object permissions (scope), 4 the visible
        # community elections, 5 the counts of every roll (one aggregate query),
        # 6 role labels for the navigation bar.
        response = client.get("/voters/")
    rows = {
        r.election.community.code: r.counts for s in response.context["sections"] for r in s["rows"]
    }
    assert len(rows) == 2 + communities
    assert (rows["XH01"].registered, rows["XH01"].eligible) == (voters, voters)
    assert rows["XH02"].registered == 2


def test_street_page_counts_each_community_by_its_own_election_day(cast: Cast) -> None:
    add_voter(cast, id_number=new_id(dt.date(2009, 1, 20)))
    add_voter(cast, cast.election_b, id_number=new_id(dt.date(2009, 1, 20)))
    pending = add_voter(cast, cast.election_b, category=VoterCategory.NONRESIDENT)
    gone = add_voter(cast, cast.election_b)
    remove_voter(gone, actor=cast.admin, reason="重复")
    # XH02 votes earlier: its young voter is not 18 then.
    cast.election_b.election_day = dt.date(2027, 1, 15)
    cast.election_b.save()

    response = cast.client("officer").get("/voters/")

    rows = {
        r.election.community.code: r.counts for s in response.context["sections"] for r in s["rows"]
    }
    a, b = rows["XH01"], rows["XH02"]
    assert (a.registered, a.eligible, a.under_18, a.pending, a.removed) == (1, 1, 0, 0, 0)
    assert (b.registered, b.eligible, b.under_18, b.pending, b.removed) == (1, 0, 1, 1, 1)
    street_total = response.context["sections"][0]["total"]
    assert (street_total.registered, street_total.eligible) == (2, 1)
    assert pending.status == VoterStatus.PENDING_APPROVAL
    body = response.content.decode()
    assert "/c/XH01/voters/" in body and "/c/XH02/voters/" in body
    assert "青竹社区" not in body


def test_organisation_reviewer_sees_every_street_of_the_district(cast: Cast) -> None:
    response = cast.client("org_reviewer").get("/voters/")
    streets = [s["street"].code for s in response.context["sections"]]
    assert streets == ["QH", "XH"]


def test_anonymous_client_is_sent_to_login_for_the_export(cast: Cast) -> None:
    response = Client().get("/c/XH01/voters/export.xlsx")
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="elections.voter.exported").exists()


def test_roll_lists_groups_in_counting_order(cast: Cast) -> None:
    for name, group in [("十组的人", "第十居民小组"), ("二组的人", "第二居民小组"), ("无组", "")]:
        add_voter(cast, name=name, group=group)
    response = cast.client("member_a").get("/c/XH01/voters/")
    assert [v.name for v, _ in response.context["rows"]] == ["二组的人", "十组的人", "无组"]
    assert [g.label for g in response.context["by_group"]] == [
        "第二居民小组",
        "第十居民小组",
        "（未填写居民小组）",
    ]
    only_blank = cast.client("member_a").get("/c/XH01/voters/", {"group": "__none__"})
    assert [v.name for v, _ in only_blank.context["rows"]] == ["无组"]


def test_history_reads_in_plain_chinese_with_phones_masked_for_readers(cast: Cast) -> None:
    voter = add_voter(cast, group="一组", phone="13700001111")
    update_voter(
        voter,
        {"group": "二组", "phone": "13922223333", "category": VoterCategory.REGISTERED_ABSENT},
        actor=cast.users["chair_a"],
        reason="核对户口簿",
    )
    body = cast.client("supervisor").get(f"/c/XH01/voters/{voter.pk}/").content.decode()
    assert "居民小组：一组 → 二组" in body
    assert "登记类别：户在人在 → 户在人不在" in body
    assert "联系电话：137****1111 → 139****3333" in body
    assert "13922223333" not in body and "13700001111" not in body
    assert "来源：</span>逐个录入" in body


# -- searches by number never travel in a URL ------------------------------------------


def test_search_form_is_sent_by_post(cast: Cast) -> None:
    body = cast.client("member_a").get("/c/XH01/voters/").content.decode()
    form = body[body.index('role="search"') - 200 : body.index('role="search"')]
    assert 'method="post"' in form
    assert "csrfmiddlewaretoken" in body


def test_search_by_full_id_posted_redirects_to_its_hash(cast: Cast) -> None:
    number = new_id()
    voter = add_voter(cast, name="孙强", id_number=number)
    add_voter(cast, name="李四")
    client = cast.client("member_a")

    response = client.post("/c/XH01/voters/", {"q": number, "category": "resident"})

    assert response.status_code == 302
    location = response["Location"]
    assert number not in location
    assert f"idh={hash_id(number)}" in location
    assert "category=resident" in location
    page = client.get(location)
    assert [v.pk for v, _ in page.context["rows"]] == [voter.pk]
    assert number not in page.content.decode()


def test_search_by_phone_is_kept_in_the_session_not_the_address(cast: Cast) -> None:
    voter = add_voter(cast, name="孙强", phone="13912345678")
    add_voter(cast, name="李四", phone="13800001111")
    client = cast.client("member_a")

    response = client.post("/c/XH01/voters/", {"q": "139 1234 5678"})

    assert response.status_code == 302
    location = response["Location"]
    assert "1391234" not in location.replace("%20", "").replace("+", "")
    assert "s=" in location
    page = client.get(location)
    body = page.content.decode()
    assert [v.pk for v, _ in page.context["rows"]] == [voter.pk]
    assert "13912345678" not in body and "1391234" not in body
    assert "正在按号码查找" in body


def test_search_by_part_of_a_landline_finds_it(cast: Cast) -> None:
    voter = add_voter(cast, name="孙强", phone="0731-84567890")
    add_voter(cast, name="李四", phone="13800001111")
    client = cast.client("member_a")

    page = client.get(client.post("/c/XH01/voters/", {"q": "073184567890"})["Location"])

    assert [v.pk for v, _ in page.context["rows"]] == [voter.pk]


def test_number_search_token_of_another_session_finds_nothing(cast: Cast) -> None:
    add_voter(cast, name="孙强", phone="13912345678")
    location = cast.client("member_a").post("/c/XH01/voters/", {"q": "13912345678"})["Location"]

    other = cast.client("chair_a").get(location)

    assert other.status_code == 200
    assert "已过期" in other.content.decode()
    assert len(other.context["rows"]) == 1  # the filter is dropped, not applied to nobody


def test_a_number_typed_into_the_address_is_moved_out_of_it(cast: Cast) -> None:
    add_voter(cast, name="孙强", phone="13912345678")
    response = cast.client("member_a").get("/c/XH01/voters/", {"q": "13912345678"})
    assert response.status_code == 302
    assert "13912345678" not in response["Location"]


def test_changing_a_filter_keeps_the_number_search(cast: Cast) -> None:
    voter = add_voter(cast, name="孙强", phone="13912345678")
    add_voter(cast, name="李四", phone="13912345678", category=VoterCategory.REGISTERED_ABSENT)
    client = cast.client("member_a")
    first = client.post("/c/XH01/voters/", {"q": "13912345678"})["Location"]
    token = first.split("s=")[1]

    again = client.post("/c/XH01/voters/", {"q": "", "s": token, "category": "resident"})

    page = client.get(again["Location"])
    assert [v.pk for v, _ in page.context["rows"]] == [voter.pk]


def test_export_follows_a_number_search(cast: Cast) -> None:
    add_voter(cast, name="孙强", phone="13912345678")
    add_voter(cast, name="李四", phone="13800001111")
    client = cast.client("member_a")
    location = client.post("/c/XH01/voters/", {"q": "13912345678"})["Location"]
    token = location.split("s=")[1]

    response = client.get("/c/XH01/voters/export.xlsx", {"s": token})

    assert len(_xlsx_rows(response)) == 2  # the header and 孙强


# -- changes after the list was posted need a correction notice -------------------------


def _edit_data(voter: Voter) -> dict[str, str]:
    return {
        "name": voter.name,
        "category": voter.category,
        "group": voter.group,
        "updated_at": voter.updated_at.isoformat(),
    }


def _post_the_list(cast: Cast, day: dt.date) -> None:
    cast.election_a.milestones.filter(kind="voter_list_published").update(done_on=day)


def test_edit_before_the_list_is_posted_gives_no_correction_warning(cast: Cast) -> None:
    voter = add_voter(cast, name="孙强")
    client = cast.client("member_a")
    response = client.post(
        f"/c/XH01/voters/{voter.pk}/edit/",
        {**_edit_data(voter), "address": "新的住址1号", "reason": "搬家"},
        follow=True,
    )
    assert "更正" not in response.content.decode()


def test_edit_after_the_list_is_posted_warns_of_a_correction_notice(cast: Cast) -> None:
    voter = add_voter(cast, name="孙强")
    _post_the_list(cast, dt.date(2026, 12, 31))
    client = cast.client("member_a")

    response = client.post(
        f"/c/XH01/voters/{voter.pk}/edit/",
        {**_edit_data(voter), "address": "新的住址1号", "reason": "搬家"},
        follow=True,
    )

    body = response.content.decode()
    assert "已于2026年12月31日张榜公布" in body
    assert "更正（补正）名单" in body


def test_roll_page_tells_editors_the_list_was_posted(cast: Cast) -> None:
    _post_the_list(cast, dt.date(2026, 12, 31))
    assert "更正（补正）名单" in cast.client("member_a").get("/c/XH01/voters/").content.decode()
    assert (
        "更正（补正）名单" not in cast.client("supervisor").get("/c/XH01/voters/").content.decode()
    )
