"""Joint vetting: rounds, the reviewer's queue (their department only), sign-offs bound
to the data they checked, tip-offs, the organisation reviewer's override, the
spreadsheet round trip, the second round, the overdue job and the clearance the
formal list reads."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from candidates.clearance import clearance_of
from candidates.models import Candidate, CandidateStatus
from candidates.services.nominations import promote_nominees
from elections import services as core
from elections.models import AuditEvent, Department, District, Role
from elections.registration.models import Voter
from elections.registration.services import reveal_id_number
from tests.candidates.committee_slate_helpers import enter, set_seats, voters
from tests.conftest import Cast
from vetting.models import NegativeItem, SignOff, VettingRequest
from vetting.services import VettingError, cases, rounds, sheets
from vetting.services.aggregate import vetting_of
from vetting.services.deadlines import mark_overdue

TODAY = dt.date(2026, 12, 2)


def item(number: int) -> NegativeItem:
    return NegativeItem.objects.get(negative_list__code="xinhe-10", number=number)


@pytest.fixture
def setup(cast: Cast) -> dict[str, Any]:
    officer = cast.users["officer"]
    election = cast.election_a
    set_seats(election)
    people = voters(
        election,
        officer,
        {
            "赵主": "男",
            "钱主": "女",
            "孙补": "男",
            "周委": "男",
            "吴委": "女",
            "郑委": "男",
            "王委": "男",
            "冯委": "女",
        },
        filler=50,
    )
    enter(
        election,
        "director",
        {people["赵主"]: 25, people["钱主"]: 15, people["孙补"]: 10},
        ballots=50,
        actor=officer,
    )
    promote_nominees(election, "director", actor=officer)
    court = Department.objects.create(district=cast.district, code="court", name="区人民法院")
    other_district = District.objects.create(code="430102", name="芙蓉区", city="长沙市")
    elsewhere = Department.objects.create(district=other_district, code="police", name="芙蓉公安")
    User = get_user_model()
    court_reviewer = User.objects.create_user("court_r", password="x-test-pass")
    core.assign_role(court_reviewer, Role.DEPARTMENT_REVIEWER, court, actor=cast.admin)
    far_reviewer = User.objects.create_user("far_r", password="x-test-pass")
    core.assign_role(far_reviewer, Role.DEPARTMENT_REVIEWER, elsewhere, actor=cast.admin)
    candidates = list(
        Candidate.objects.filter(election=election, status=CandidateStatus.NOMINEE).order_by("pk")
    )
    vround = rounds.start_round(
        cast.cycle,
        candidates,
        [cast.department, court],
        deadline=TODAY + dt.timedelta(days=5),
        actor=officer,
        today=TODAY,
    )
    return {
        "people": people,
        "candidates": {c.name: c for c in candidates},
        "round": vround,
        "police": cast.department,
        "court": court,
        "court_reviewer": court_reviewer,
        "far_reviewer": far_reviewer,
        "elsewhere": elsewhere,
    }


def req(setup: dict[str, Any], name: str, department: str) -> VettingRequest:
    return VettingRequest.objects.get(
        round=setup["round"], candidate=setup["candidates"][name], department=setup[department]
    )


def test_round_is_numbered_audited_and_pending_until_every_department_passes(
    cast: Cast, setup: dict[str, Any]
) -> None:
    zhao = setup["candidates"]["赵主"]
    assert setup["round"].number == 1
    assert VettingRequest.objects.filter(round=setup["round"]).count() == 4
    assert AuditEvent.objects.filter(action="vetting.round.started").count() == 1
    assert clearance_of([zhao])[zhao.pk].state == "pending"
    rounds.sign_off(req(setup, "赵主", "police"), "pass", actor=cast.users["dept_reviewer"])
    state = clearance_of([zhao])[zhao.pk]
    assert state.state == "pending" and "区人民法院" in state.reason
    rounds.sign_off(req(setup, "赵主", "court"), "pass", actor=setup["court_reviewer"])
    assert clearance_of([zhao])[zhao.pk].state == "cleared"


def test_a_reviewer_answers_only_for_their_department(cast: Cast, setup: dict[str, Any]) -> None:
    with pytest.raises(VettingError, match="本部门"):
        rounds.sign_off(req(setup, "赵主", "court"), "pass", actor=cast.users["dept_reviewer"])
    mine = set(rounds.requests_for_reviewer(cast.users["dept_reviewer"]))
    assert mine == {req(setup, "赵主", "police"), req(setup, "钱主", "police")}
    assert not rounds.requests_for_reviewer(setup["far_reviewer"]).exists()


@pytest.mark.parametrize("name", ["far_r", "court_r"])
def test_queue_and_request_pages_hide_other_departments(
    cast: Cast, setup: dict[str, Any], name: str
) -> None:
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=name))
    page = client.get("/vetting/queue/").content.decode()
    police_request = req(setup, "赵主", "police")
    assert client.get(f"/vetting/requests/{police_request.pk}/").status_code == 404
    if name == "far_r":
        assert "赵主" not in page
    else:
        assert "赵主" in page and "区人民法院" in page
        assert setup["candidates"]["赵主"].id_masked in page
        assert reveal_id_number(setup["people"]["赵主"]) not in page


def test_the_single_request_shows_the_full_id_and_audits_the_view(
    cast: Cast, setup: dict[str, Any]
) -> None:
    request = req(setup, "赵主", "police")
    page = cast.client("dept_reviewer").get(f"/vetting/requests/{request.pk}/").content.decode()
    assert reveal_id_number(setup["people"]["赵主"]) in page
    assert AuditEvent.objects.filter(action="vetting.request.id_viewed").count() == 1


@pytest.mark.parametrize("name", ["member_a", "officer", "supervisor", "org_reviewer", "no_role"])
def test_other_roles_have_no_reviewer_pages(cast: Cast, setup: dict[str, Any], name: str) -> None:
    request = req(setup, "赵主", "police")
    client = cast.client(name)
    assert client.get(f"/vetting/requests/{request.pk}/").status_code == 404
    assert client.get("/vetting/queue/").status_code == 404


def test_sign_off_is_final_and_a_correction_supersedes_it(
    cast: Cast, setup: dict[str, Any]
) -> None:
    reviewer = cast.users["dept_reviewer"]
    request = req(setup, "钱主", "police")
    first = rounds.sign_off(request, "pass", actor=reviewer)
    with pytest.raises(VettingError, match="刷新"):
        rounds.sign_off(request, "pass", actor=reviewer, expected_current=0)
    second = rounds.sign_off(
        request,
        "finding",
        actor=reviewer,
        items=[item(2)],
        note="2019年判处有期徒刑",
        expected_current=first.pk,
    )
    first.refresh_from_db()
    assert not first.current and second.supersedes == first
    assert AuditEvent.objects.filter(action="vetting.signoff.corrected").count() == 1
    qian = setup["candidates"]["钱主"]
    state = clearance_of([qian])[qian.pk]
    assert state.state == "blocked" and "第2项" in state.reason


def test_a_finding_needs_items_and_a_note(cast: Cast, setup: dict[str, Any]) -> None:
    with pytest.raises(VettingError) as exc:
        rounds.sign_off(req(setup, "赵主", "police"), "finding", actor=cast.users["dept_reviewer"])
    assert set(exc.value.errors) == {"items", "note"}
    assert not SignOff.objects.exists()


def test_changed_data_makes_a_sign_off_stale(cast: Cast, setup: dict[str, Any]) -> None:
    zhao = setup["candidates"]["赵主"]
    rounds.sign_off(req(setup, "赵主", "police"), "pass", actor=cast.users["dept_reviewer"])
    rounds.sign_off(req(setup, "赵主", "court"), "pass", actor=setup["court_reviewer"])
    assert clearance_of([zhao])[zhao.pk].state == "cleared"
    # A correction on the voter roll (the source of the candidate's identity) …
    Voter.objects.filter(pk=zhao.voter_id).update(birth_date=dt.date(1975, 1, 2))
    state = vetting_of([zhao])[zhao.pk]
    assert state.stale == ["区公安分局", "区人民法院"]
    assert state.clearance.state == "pending"
    # Signing again (a correction) binds to the new data.
    rounds.sign_off(req(setup, "赵主", "police"), "pass", actor=cast.users["dept_reviewer"])
    assert vetting_of([zhao])[zhao.pk].stale == ["区人民法院"]


def test_the_queue_asks_again_for_a_stale_sign_off(cast: Cast, setup: dict[str, Any]) -> None:
    """A sign-off whose candidate's data changed is no longer "已反馈": the queue
    lists it to be checked again instead of saying there is nothing to review."""
    from django.test import Client

    reviewer = cast.users["dept_reviewer"]
    for name in ("赵主", "钱主"):
        rounds.sign_off(req(setup, name, "police"), "pass", actor=reviewer)
    client = Client()
    client.force_login(reviewer)
    page = client.get("/vetting/queue/").content.decode()
    assert "目前没有需要您审核的候选人" in page and "须重新审核" not in page
    zhao = setup["candidates"]["赵主"]
    Voter.objects.filter(pk=zhao.voter_id).update(birth_date=dt.date(1975, 1, 2))  # the roll
    page = client.get("/vetting/queue/").content.decode()
    assert "目前没有需要您审核的候选人" not in page
    recheck = page.split('data-testid="recheck"')[1].split("</section>")[0]
    assert "数据已变更，须重新审核" in recheck
    assert "赵主" in recheck and "钱主" not in recheck
    assert f'href="/vetting/requests/{req(setup, "赵主", "police").pk}/"' in recheck
    done = page.split('id="done"')[1]
    assert "钱主" in done and "赵主" not in done
    # Signing again clears it.
    rounds.sign_off(req(setup, "赵主", "police"), "pass", actor=reviewer)
    page = client.get("/vetting/queue/").content.decode()
    assert "须重新审核" not in page and "目前没有需要您审核的候选人" in page


def test_unsuitable_finding_needs_the_organisation_reviewers_decision_with_a_reason(
    cast: Cast, setup: dict[str, Any]
) -> None:
    zhao = setup["candidates"]["赵主"]
    rounds.sign_off(
        req(setup, "赵主", "police"),
        "finding",
        actor=cast.users["dept_reviewer"],
        items=[item(10)],
        note="群众反映较大",
    )
    rounds.sign_off(req(setup, "赵主", "court"), "pass", actor=setup["court_reviewer"])
    assert "待组织部认定" in clearance_of([zhao])[zhao.pk].reason
    with pytest.raises(VettingError, match="组织部审核人"):
        cases.decide(zhao, "clear", reason="核实无问题", actor=cast.users["officer"])
    with pytest.raises(VettingError, match="理由"):
        cases.decide(zhao, "clear", reason=" ", actor=cast.users["org_reviewer"])
    cases.decide(zhao, "clear", reason="经核实，反映的问题已解决", actor=cast.users["org_reviewer"])
    assert clearance_of([zhao])[zhao.pk].state == "cleared"
    assert AuditEvent.objects.filter(action="vetting.decision.recorded").count() == 1


def test_a_cannot_finding_is_not_overridden(cast: Cast, setup: dict[str, Any]) -> None:
    zhao = setup["candidates"]["赵主"]
    rounds.sign_off(
        req(setup, "赵主", "police"),
        "finding",
        actor=cast.users["dept_reviewer"],
        items=[item(2)],
        note="受过刑事处罚",
    )
    with pytest.raises(VettingError, match="不能"):
        cases.decide(zhao, "clear", reason="想放行", actor=cast.users["org_reviewer"])
    assert clearance_of([zhao])[zhao.pk].state == "blocked"


def test_an_open_tip_off_holds_the_candidate_until_closed(
    cast: Cast, setup: dict[str, Any]
) -> None:
    zhao = setup["candidates"]["赵主"]
    rounds.sign_off(req(setup, "赵主", "police"), "pass", actor=cast.users["dept_reviewer"])
    rounds.sign_off(req(setup, "赵主", "court"), "pass", actor=setup["court_reviewer"])
    tip = cases.receive_tipoff(
        zhao,
        received_on=TODAY,
        channel="letter",
        content="反映拉票",
        department=setup["police"],
        actor=cast.users["officer"],
        today=TODAY,
    )
    state = clearance_of([zhao])[zhao.pk]
    assert state.state == "pending" and "举报线索" in state.reason
    cases.close_tipoff(
        tip,
        outcome="unfounded",
        note="经核实不属实",
        closed_on=TODAY,
        actor=cast.users["officer"],
        today=TODAY,
    )
    assert clearance_of([zhao])[zhao.pk].state == "cleared"


def test_persuasion_withdraws_and_the_next_nominee_moves_up(
    cast: Cast, setup: dict[str, Any]
) -> None:
    qian = setup["candidates"]["钱主"]
    _, replacement = cases.persuade(
        qian, on=TODAY, reason="本人长期外出", actor=cast.users["officer"], today=TODAY
    )
    assert replacement == "孙补"
    qian.refresh_from_db()
    assert qian.status == CandidateStatus.WITHDRAWN and "劝退" in qian.left_reason
    assert Candidate.objects.filter(name="孙补", status=CandidateStatus.NOMINEE).exists()
    assert AuditEvent.objects.filter(action="vetting.persuasion.recorded").count() == 1
    assert AuditEvent.objects.filter(action="candidates.candidate.replaced").count() == 1


def test_the_persuasion_form_shows_only_for_someone_still_on_a_list(
    cast: Cast, setup: dict[str, Any]
) -> None:
    qian = setup["candidates"]["钱主"]
    url = f"/vetting/candidates/{qian.pk}/"
    assert "记录劝退" in cast.client("officer").get(url).content.decode()
    assert "记录劝退" not in cast.client("org_reviewer").get(url).content.decode()
    Candidate.objects.filter(pk=qian.pk).update(status=CandidateStatus.FORMAL)
    assert "记录劝退" not in cast.client("officer").get(url).content.decode()


def test_second_round_shows_what_the_first_missed(cast: Cast, setup: dict[str, Any]) -> None:
    reviewer = cast.users["dept_reviewer"]
    rounds.sign_off(req(setup, "赵主", "police"), "pass", actor=reviewer)
    second = rounds.start_round(
        cast.cycle,
        [setup["candidates"]["赵主"]],
        [setup["police"]],
        deadline=TODAY + dt.timedelta(days=3),
        actor=cast.users["officer"],
        today=TODAY,
    )
    assert second.number == 2
    again = VettingRequest.objects.get(round=second)
    rounds.sign_off(again, "finding", actor=reviewer, items=[item(3)], note="正在接受审查调查")
    page = cast.client("officer").get(f"/vetting/rounds/{second.pk}/").content.decode()
    assert "本轮发现、以前各轮没有发现的问题" in page and "正在接受审查调查" in page
    zhao = setup["candidates"]["赵主"]
    assert clearance_of([zhao])[zhao.pk].state == "blocked"


def test_overdue_job_marks_once_and_shows_on_the_stage_check(
    cast: Cast, setup: dict[str, Any]
) -> None:
    from elections.stages import issues_before_leaving

    late = setup["round"].deadline + dt.timedelta(days=1)
    rounds.sign_off(req(setup, "赵主", "police"), "pass", actor=cast.users["dept_reviewer"])
    assert mark_overdue(setup["round"].deadline) == 0
    assert mark_overdue(late) == 3
    assert mark_overdue(late) == 0  # safe to run twice
    assert AuditEvent.objects.filter(action="vetting.requests.marked_overdue").count() == 1
    election = cast.election_a
    election.committee_stage = "vetting"
    issues = [
        i for i in issues_before_leaving(election, "committee") if i.code == "vetting_overdue"
    ]
    assert {i.message for i in issues} == {
        "区公安分局逾期未反馈资格联审意见（Q2）",
        "区人民法院逾期未反馈资格联审意见（Q2）",
    }
    zhao = setup["candidates"]["赵主"]
    assert vetting_of([zhao], today=late)[zhao.pk].overdue == ["区人民法院"]


def _filled(content: bytes, answers: dict[str, tuple[str, str, str]]) -> bytes:
    book = load_workbook(io.BytesIO(content))
    sheet = book.active
    assert sheet is not None
    for row in sheet.iter_rows(min_row=2):
        name = str(row[2].value)
        if name in answers:
            row[6].value, row[7].value, row[8].value = answers[name]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_spreadsheet_round_trip_with_a_broken_file(cast: Cast, setup: dict[str, Any]) -> None:
    client = cast.client("dept_reviewer")
    vround, police = setup["round"], setup["police"]
    export = client.get(f"/vetting/rounds/{vround.pk}/sheet/{police.pk}/")
    assert export.status_code == 200
    assert AuditEvent.objects.filter(action="vetting.sheet.exported").count() == 1
    broken = _filled(export.content, {"赵主": ("通过", "", ""), "钱主": ("发现问题", "", "")})
    response = client.post(
        f"/vetting/rounds/{vround.pk}/sheet/{police.pk}/import/",
        {"file": SimpleUploadedFile("联审表.xlsx", broken)},
        follow=True,
    )
    page = response.content.decode()
    assert "有 1 行需要修改" in page and "情形序号" in page
    preview_url = response.redirect_chain[-1][0]
    client.post(preview_url, {"action": "commit"})
    assert not SignOff.objects.exists()  # all or nothing
    fixed = _filled(
        export.content, {"赵主": ("通过", "", ""), "钱主": ("发现问题", "②", "判处刑罚")}
    )
    response = client.post(
        f"/vetting/rounds/{vround.pk}/sheet/{police.pk}/import/",
        {"file": SimpleUploadedFile("联审表.xlsx", fixed)},
        follow=True,
    )
    assert "全部 2 行可以导入" in response.content.decode()
    client.post(response.redirect_chain[-1][0], {"action": "commit"})
    results = dict(SignOff.objects.values_list("request__candidate__name", "result"))
    assert results == {"赵主": "pass", "钱主": "finding"}
    assert set(SignOff.objects.values_list("source", flat=True)) == {"xlsx"}


def test_a_file_that_is_not_a_spreadsheet_is_refused_plainly(
    cast: Cast, setup: dict[str, Any]
) -> None:
    client = cast.client("dept_reviewer")
    url = f"/vetting/rounds/{setup['round'].pk}/sheet/{setup['police'].pk}/import/"
    response = client.post(url, {"file": SimpleUploadedFile("x.xlsx", b"not a zip")}, follow=True)
    assert response.status_code == 200
    assert not SignOff.objects.exists()
    # A row whose number was typed in: refused with its reason.
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(list(sheets.COLUMNS))
    ws.append([99999, "新河社区", "赵主", "男", "", "", "通过", "", ""])
    out = io.BytesIO()
    book.save(out)
    response = client.post(url, {"file": SimpleUploadedFile("y.xlsx", out.getvalue())}, follow=True)
    assert "不是本部门本轮的联审请求" in response.content.decode()


def test_batch_all_pass_needs_the_confirmation(cast: Cast, setup: dict[str, Any]) -> None:
    client = cast.client("dept_reviewer")
    ids = [req(setup, "赵主", "police").pk, req(setup, "钱主", "police").pk]
    page = client.post("/vetting/queue/", {"requests": ids}, follow=True).content.decode()
    assert "请勾选" in page and not SignOff.objects.exists()
    client.post("/vetting/queue/", {"requests": ids, "confirm": "1"})
    assert SignOff.objects.filter(result="pass").count() == 2


@pytest.mark.parametrize("count", [10, 200])
def test_matrix_query_count_does_not_grow(
    cast: Cast, count: int, django_assert_num_queries: Any
) -> None:
    officer = cast.users["officer"]
    election = cast.election_a
    set_seats(election, member=count - 1)
    people = voters(election, officer, {}, filler=count + 10)
    enter(
        election,
        "member",
        dict.fromkeys(list(people.values())[:count], 1),
        ballots=count + 5,
        actor=officer,
    )
    promote_nominees(election, "member", actor=officer)
    candidates = list(Candidate.objects.filter(election=election))
    vround = rounds.start_round(
        cast.cycle,
        candidates,
        [cast.department],
        deadline=TODAY + dt.timedelta(days=5),
        actor=officer,
        today=TODAY,
    )
    client = cast.client("officer")
    client.get(f"/vetting/rounds/{vround.pk}/")
    # 1 session, 2 user, 3 scope, 4 round (visible cycles as a subquery), 5 departments,
    # 6 candidates, 7 requests, 8 sign-offs, 9 their items, 10 identities (data hash),
    # 11 tip-offs, 12 decisions; base.html: 13 role assignments — the same for 10 and
    # for 200 candidates
    with django_assert_num_queries(13):
        assert client.get(f"/vetting/rounds/{vround.pk}/").status_code == 200


def test_the_formal_list_reads_vetting(cast: Cast, setup: dict[str, Any]) -> None:
    from candidates.services.slate import slate_of

    check = next(
        c for c in slate_of(cast.election_a).posts["director"].checks if c.code == "clearance"
    )
    assert not check.ok and "待区公安分局、区人民法院反馈" in check.message


def test_attachment_is_stored(
    cast: Cast, setup: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    request = req(setup, "赵主", "police")
    signoff = rounds.sign_off(
        request,
        "finding",
        actor=cast.users["dept_reviewer"],
        items=[item(6)],
        note="违法信访",
        attachment=SimpleUploadedFile("处理决定.pdf", b"%PDF-1.4 test"),
    )
    assert signoff.attachment.name.endswith(".pdf")
    assert (tmp_path / signoff.attachment.name).read_bytes() == b"%PDF-1.4 test"


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("officer", 200),
        ("supervisor", 200),
        ("org_reviewer", 200),
        ("member_a", 404),
        ("dept_reviewer", 404),
        ("no_role", 404),
    ],
)
def test_street_pages_against_the_cast(
    cast: Cast, setup: dict[str, Any], name: str, status: int
) -> None:
    client = cast.client(name)
    zhao = setup["candidates"]["赵主"]
    assert client.get("/vetting/rounds/").status_code == status
    assert client.get(f"/vetting/rounds/{setup['round'].pk}/").status_code == status
    assert client.get(f"/vetting/candidates/{zhao.pk}/").status_code == status
    if status == 200:
        page = client.get(f"/vetting/rounds/{setup['round'].pk}/").content.decode()
        assert "赵主" in page and reveal_id_number(setup["people"]["赵主"]) not in page


def test_only_the_officer_starts_rounds_and_records_tip_offs(
    cast: Cast, setup: dict[str, Any]
) -> None:
    zhao = setup["candidates"]["赵主"]
    data = {
        "action": "tipoff",
        "received_on": TODAY.isoformat(),
        "channel": "phone",
        "content": "反映其长期外出",
    }
    assert (
        cast.client("supervisor").post(f"/vetting/candidates/{zhao.pk}/", data).status_code == 404
    )
    response = cast.client("officer").post(f"/vetting/candidates/{zhao.pk}/", data, follow=True)
    assert "已登记举报线索" in response.content.decode()
    assert "举报线索正在核实" in response.content.decode()
    start = {
        "cycle": cast.cycle.pk,
        "candidates": [zhao.pk],
        "departments": [cast.department.pk],
        "deadline": (TODAY + dt.timedelta(days=400)).isoformat(),
    }
    assert cast.client("supervisor").post("/vetting/rounds/", start).status_code == 404
    response = cast.client("officer").post("/vetting/rounds/", start, follow=True)
    assert "已发起第2次联审" in response.content.decode()


def test_the_organisation_reviewer_decides_on_the_page_with_a_reason(
    cast: Cast, setup: dict[str, Any]
) -> None:
    zhao = setup["candidates"]["赵主"]
    url = f"/vetting/candidates/{zhao.pk}/"
    assert "区委组织部认定" not in cast.client("officer").get(url).content.decode()
    client = cast.client("org_reviewer")
    page = client.post(url, {"action": "decide", "kind": "clear", "reason": ""}, follow=True)
    assert "作出认定必须写明理由" in page.content.decode() or "请写明理由" in page.content.decode()
    client.post(
        url, {"action": "decide", "kind": "clear", "reason": "部门逾期，经组织部核实无问题"}
    )
    assert clearance_of([zhao])[zhao.pk].state == "cleared"


def test_negative_list_ships_the_ten_situations(cast: Cast) -> None:
    page = cast.client("dept_reviewer").get("/vetting/negative-list/").content.decode()
    assert "新河街道“十种情形”负面清单" in page and "近5年内" in page
    assert NegativeItem.objects.filter(negative_list__code="xinhe-10").count() == 10
    assert NegativeItem.objects.get(negative_list__code="xinhe-10", number=10).severity == (
        "unsuitable"
    )
    assert cast.client("member_a").get("/vetting/negative-list/").status_code == 404
