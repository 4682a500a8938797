"""The street overview of every community's candidates, the xlsx of candidate lists,
the structure warnings on the slate, the election committee's stage check, and the
schedule step a publication completes."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from candidates.models import Candidate
from candidates.services.committee import add_member, set_chair
from candidates.services.slate import publish_slate, update_candidate
from candidates.services.street import street_rows
from elections import services
from elections.models import AuditEvent, CommunityElection, Milestone
from elections.registration.services import reveal_id_number
from elections.stages import issues_before_leaving
from tests.candidates.committee_slate_helpers import full_slate, voters
from tests.conftest import Cast

STREET = "/street/candidates/"
TODAY = dt.date(2026, 12, 2)


@pytest.fixture
def slate_a(cast: Cast, vetting_double: Any) -> list[Candidate]:
    _, candidates = full_slate(cast.election_a, cast.admin)
    return candidates


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("officer", 200),
        ("supervisor", 200),
        ("org_reviewer", 200),
        ("member_a", 403),
        ("dept_reviewer", 403),
        ("no_role", 403),
    ],
)
def test_street_overview_against_the_cast(cast: Cast, slate_a: Any, name: str, status: int) -> None:
    client = cast.client(name)
    response = client.get(STREET)
    assert response.status_code in ({status} if status == 200 else {403, 404})
    export = client.get(STREET + "export/")
    assert export.status_code in ({status} if status == 200 else {403, 404})
    if status == 200:
        page = response.content.decode()
        assert "新河社区" in page and "三角塘社区" in page
        assert "青竹社区" not in page or name == "org_reviewer"  # the district reads both


def test_street_overview_shows_problems_and_warnings(cast: Cast, slate_a: Any) -> None:
    page = cast.client("officer").get(STREET).content.decode()
    # Nothing is cleared by vetting yet: the slate cannot be published, and says why.
    assert "待完善" in page and "须资格联审通过后才能确定为正式候选人" in page
    # Q3 on the 新河 profile: nobody is 35 or under with a college degree.
    assert "大专以上学历" in page
    assert "未提名" in page  # 三角塘社区 has no nominations yet


def test_street_overview_query_count_does_not_grow_with_communities(
    cast: Cast, vetting_double: Any, django_assert_num_queries: Any
) -> None:
    client = cast.client("officer")
    full_slate(cast.election_a, cast.admin)
    client.get(STREET)
    # 1 session, 2 user, 3 scope, 4 elections; slates: 5 seats, 6 candidates, 7 milestones;
    # 8 structure; kinship: 9 candidates, 10 committee, 11 supervision, 12 relations;
    # party: 13 seats, 14 publicity, 15 candidates; base.html: 16 role assignments
    with django_assert_num_queries(16):
        assert client.get(STREET).status_code == 200
    full_slate(cast.election_b, cast.admin)
    with django_assert_num_queries(16):
        page = client.get(STREET).content.decode()
    assert page.count("待完善") == 2


def test_street_rows_give_each_community_its_own_slate(cast: Cast, slate_a: Any) -> None:
    rows = {r.election.community.code: r for r in street_rows([cast.election_a, cast.election_b])}
    assert len(rows["XH01"].slate.candidates) == 8
    assert rows["XH02"].slate.candidates == []
    assert rows["XH01"].committee_state == "待完善"
    assert rows["XH02"].committee_state == "未提名"


def test_export_is_masked_formula_safe_and_audited(cast: Cast, slate_a: list[Candidate]) -> None:
    zhao = next(c for c in slate_a if c.name == "赵主")
    update_candidate(zhao, {"work": '=HYPERLINK("http://x","点我")'}, actor=cast.admin)
    response = cast.client("member_a").get("/c/XH01/candidates/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "no-store" in response["Cache-Control"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("社区编码", "社区", "工作线", "职位", "选票顺序", "姓名")
    names = [r[5] for r in rows[1:]]
    assert len(names) == 8 and names[0] == "赵主"  # 主任 first
    cell = next(c for c in sheet["L"] if c.value and str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"  # text, never a formula
    content = response.content
    for c in slate_a:
        assert reveal_id_number_of(c).encode() not in content
    event = AuditEvent.objects.get(action="candidates.list.exported")
    assert event.community_id == cast.community_a.pk and event.data["社区"] == ["XH01"]


def reveal_id_number_of(candidate: Candidate) -> str:
    assert candidate.voter is not None
    return reveal_id_number(candidate.voter)


@pytest.mark.parametrize(("name", "status"), [("member_b", 404), ("dept_reviewer", 404)])
def test_community_export_is_404_to_outsiders(
    cast: Cast, slate_a: Any, name: str, status: int
) -> None:
    assert cast.client(name).get("/c/XH01/candidates/export/").status_code == status
    assert not AuditEvent.objects.filter(action="candidates.list.exported").exists()


def test_street_export_holds_every_visible_community(cast: Cast, slate_a: Any) -> None:
    response = cast.client("officer").get(STREET + "export/")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    codes = {r[0] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert codes == {"XH01"}
    event = AuditEvent.objects.get(action="candidates.list.exported")
    assert event.street_id == cast.street.pk


def test_slate_page_shows_structure_warnings_that_do_not_block(
    cast: Cast, slate_a: Any, vetting_double: Any
) -> None:
    page = cast.client("member_a").get("/c/XH01/candidates/slate/").content.decode()
    assert "结构和回避提示" in page and "只作提醒" in page
    vetting_double.clear(*Candidate.objects.filter(election=cast.election_a))
    # The young-graduate warning stands, yet the list can be published.
    assert publish_slate(cast.election_a, actor=cast.admin, on=TODAY)


def test_first_publication_completes_the_schedule_step(
    cast: Cast, slate_a: Any, vetting_double: Any
) -> None:
    vetting_double.clear(*Candidate.objects.filter(election=cast.election_a))
    milestone = Milestone.objects.get(election=cast.election_a, kind="formal_candidates_published")
    publish_slate(cast.election_a, actor=cast.admin, on=milestone.date)
    milestone.refresh_from_db()
    assert milestone.done_on == milestone.date
    assert AuditEvent.objects.filter(action="elections.milestone.completed").count() == 1


def test_a_publication_the_schedule_cannot_take_is_published_and_says_so(
    cast: Cast, slate_a: Any, vetting_double: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    vetting_double.clear(*Candidate.objects.filter(election=cast.election_a))
    # Weeks before the planned 提名 notice: the schedule would need a recorded reason.
    response = cast.client("member_a").post("/c/XH01/candidates/slate/publish/", follow=True)
    page = response.content.decode()
    assert "已公布正式候选人 8 名" in page and "请到社区日程页标记完成日期" in page
    milestone = Milestone.objects.get(election=cast.election_a, kind="formal_candidates_published")
    assert milestone.done_on is None
    event = AuditEvent.objects.get(action="candidates.slate.published")
    assert "未能自动标记完成" in event.data["日程"]


def test_leaving_committee_formed_needs_the_committee_and_its_chair(cast: Cast) -> None:
    officer = cast.users["officer"]
    election = services.advance_stage(cast.election_a, "committee", actor=officer)
    assert election.committee_stage == "committee_formed"
    with pytest.raises(services.ElectionsError) as exc:
        services.advance_stage(election, "committee", actor=officer)
    assert [i.code for i in exc.value.issues] == ["election_committee"]
    assert exc.value.issues[0].url == "/c/XH01/candidates/committee/"
    people = voters(election, officer, {"甲": "男", "乙": "女", "丙": "男"})
    first = add_member(election, voter=people["甲"], votes=9, alternate=False, actor=officer)
    for name in ("乙", "丙"):
        add_member(election, voter=people[name], votes=8, alternate=False, actor=officer)
    assert "没有主任" in issues_before_leaving(election, "committee")[0].message
    set_chair(election, first, actor=officer)
    assert issues_before_leaving(election, "committee") == []
    election = CommunityElection.objects.get(pk=election.pk)
    assert services.advance_stage(election, "committee", actor=officer).committee_stage == (
        "voter_registration"
    )
