"""Joint vetting (资格联审) of XH01 and XH02, walked in the browser.

The street officer starts a round for both communities' nominees with four
departments (公安, 法院, 信访, 卫健). The reviewers answer: three in their queue (one
request page each where they find something, then the batch "勾选的人选全部通过" with
its confirmation), the health reviewer by the spreadsheet round trip (download, fill
in 结论, upload, preview, import). A 不能 finding by the police blocks an XH01 委员
nominee, the committee records 资格不符 and 递补 brings in the next nominee by votes,
who is vetted in a second round. A change of birth date makes four sign-offs stale:
each department's queue lists them under 数据已变更，须重新审核 until it signs again; a tip-off holds a candidate until it is closed as
反映不实; the organisation reviewer clears a 不宜 finding with a reason. With every
承诺书 signed, XH01's formal list is published.

No clearance test double: the vetting app's own provider decides throughout."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest

from tests.e2e.conftest import CHROMIUM, login, shoot

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from elections.models import CommunityElection
    from elections.registration.models import Voter

if not CHROMIUM.exists():
    pytest.skip(f"end-to-end tests need Debian's chromium at {CHROMIUM}", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

#: As in the candidates walk: the committee's formal list (due 7 days before election
#: day) can be published today.
ELECTION_DAY_AHEAD = 45
DEPARTMENTS = ("区公安分局", "区人民法院", "区信访局", "区卫生健康局")
REVIEWERS = {
    "police_reviewer": "区公安分局",
    "court_reviewer": "区人民法院",
    "petition_reviewer": "区信访局",
    "health_reviewer": "区卫生健康局",
}

#: The people of the walk, by role (filled in by the fixture from the demo roll).
CAST: dict[str, str] = {}


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def iso(day: dt.date) -> str:
    return day.isoformat()


# -- set-up: the demo street, with nominations entered through the services -------------


def unique_voters(election: CommunityElection) -> tuple[list[Voter], list[Voter]]:
    """Registered voters not on the election committee (R7) whose name nobody else on
    the roll bears: (men, women), in roll order."""
    from candidates.models import CommitteeMember
    from elections.registration.models import Voter, VoterStatus

    roll = list(
        Voter.objects.filter(election=election, status=VoterStatus.REGISTERED).order_by("pk")
    )
    names = Counter(v.name for v in roll)
    committee = set(
        CommitteeMember.objects.filter(election=election).values_list("voter_id", flat=True)
    )
    men: list[Voter] = []
    women: list[Voter] = []
    for voter in roll:
        if voter.pk in committee or names[voter.name] > 1:
            continue
        (men if voter.gender == "男" else women).append(voter)
    return men, women


def enter_post(
    election: CommunityElection, post: str, votes: Mapping[Voter, int], actor: Any
) -> None:
    """A post's nomination count (meeting two days ago, 20 of 24 voters), its nominees
    and their votes, then the cut promoted to the slate."""
    from candidates.services.nominations import (
        add_nominee,
        promote_nominees,
        save_nomination_count,
    )

    held_on = today() - dt.timedelta(days=2)
    save_nomination_count(election, post, held_on=held_on, ballots=20, actor=actor)
    nominations = {v: add_nominee(election, post, v.pk, actor=actor) for v in votes}
    save_nomination_count(
        election,
        post,
        held_on=held_on,
        ballots=20,
        votes={n.pk: votes[v] for v, n in nominations.items()},
        actor=actor,
    )
    promote_nominees(election, post, actor=actor)


@pytest.fixture
def demo(live_server: Any) -> str:
    """The demo street with a later election day, the default negative list, and the
    nominations of XH01 (three posts, each with one nominee more than its seats + 1, so
    that 递补 has someone to bring in) and XH02 (主任) promoted to the slate."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from candidates.models import Seat, Track
    from elections.models import CommunityElection
    from vetting.defaults import install_default_list
    from vetting.models import NegativeItem, NegativeList

    election_day = today() + dt.timedelta(days=ELECTION_DAY_AHEAD)
    call_command("seed_demo", "--election-day", election_day.isoformat(), verbosity=0)
    # The list ships as a data migration; the live server's flush after an earlier
    # test of the session removes it, so put it back (idempotent).
    install_default_list(NegativeList, NegativeItem)
    admin = get_user_model().objects.get(username="admin")

    xh01 = CommunityElection.objects.get(community__code="XH01")
    for post, seats in (("director", 1), ("deputy_director", 1), ("member", 2)):
        Seat.objects.create(election=xh01, track=Track.COMMITTEE, post=post, seats=seats)
    men, women = unique_voters(xh01)
    assert len(men) >= 7 and len(women) >= 3, (men, women)
    enter_post(xh01, "director", {women[0]: 9, men[0]: 7, men[1]: 3}, admin)
    enter_post(xh01, "deputy_director", {women[1]: 9, men[2]: 7, men[3]: 2}, admin)
    enter_post(xh01, "member", {men[4]: 10, women[2]: 8, men[5]: 6, men[6]: 4}, admin)
    CAST.clear()
    CAST.update(
        stale=women[0].name,  # 主任: the birth date changes after every department passed
        unsuitable=men[2].name,  # 副主任: a 不宜 finding, cleared by the 组织部
        tipped=men[4].name,  # 委员: a tip-off, found untrue
        blocked=men[5].name,  # 委员: a 不能 finding, 资格不符
        spare=men[6].name,  # 委员: the next by votes, 递补
    )

    xh02 = CommunityElection.objects.get(community__code="XH02")
    Seat.objects.create(election=xh02, track=Track.COMMITTEE, post="director", seats=1)
    men2, women2 = unique_voters(xh02)
    enter_post(xh02, "director", {women2[0]: 10, men2[0]: 8}, admin)
    return str(live_server.url)


# -- page helpers -------------------------------------------------------------------------


def main_text(page: Page) -> str:
    return page.inner_text("main")


def expect_text(page: Page, text: str) -> None:
    page.locator("main").get_by_text(text, exact=False).first.wait_for()


def switch_user(page: Page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)


def matrix_row(page: Page, name: str) -> Locator:
    return page.locator("[data-testid=matrix] tbody tr", has=page.locator("th", has_text=name))


def cell_texts(page: Page, name: str) -> list[str]:
    """The department cells of a candidate's matrix row, then the 结论 cell."""
    return [t.strip() for t in matrix_row(page, name).locator("td").all_inner_texts()[1:]]


def open_round(page: Page, label: str) -> None:
    page.goto("/vetting/rounds/")
    page.locator("main table").get_by_role("link", name=label, exact=True).click()
    expect_text(page, label)


def start_round(page: Page, candidates: list[str] | None, deadline: dt.date) -> None:
    """On the rounds page: keep only the four departments (and, when given, only
    `candidates`), set the deadline and start."""
    form = page.locator("main form", has=page.locator("input[name=departments]"))
    for box in form.locator("input[name=departments]").all():
        label = form.locator(f"label[for='{box.get_attribute('id')}']").inner_text().strip()
        box.set_checked(label in DEPARTMENTS)
    if candidates is not None:
        for box in form.locator("input[name=candidates]").all():
            label = form.locator(f"label[for='{box.get_attribute('id')}']").inner_text()
            box.set_checked(any(f" · {name}（" in label for name in candidates))
    form.locator("input[name=deadline]").fill(iso(deadline))


def pass_all_in_queue(page: Page) -> int:
    """Tick every open request in the queue, confirm, and pass them in one go."""
    page.goto("/vetting/queue/")
    boxes = page.locator("[data-testid=queue] input[name=requests]")
    n = boxes.count()
    for i in range(n):
        boxes.nth(i).check()
    page.get_by_label("我已逐一核查，确认以上勾选的人选均无负面清单情形").check()
    page.get_by_role("button", name="勾选的人选全部通过").click()
    expect_text(page, f"已将 {n} 名人选标记为“通过”")
    return n


def open_request(page: Page, name: str, *, answered: bool = False) -> None:
    page.goto("/vetting/queue/")
    if answered:
        page.locator("main section", has_text="已反馈").get_by_role(
            "link", name=name, exact=True
        ).click()
    else:
        page.locator("[data-testid=queue] tbody tr", has_text=name).get_by_role(
            "link", name="填写意见"
        ).click()
    expect_text(page, "身份证号")


def sign_request(
    page: Page,
    result: str,
    *,
    items: tuple[str, ...] = (),
    note: str = "",
    shot: Callable[[], object] | None = None,
) -> None:
    """On a request page: the 结论, the negative-list items, the note (`shot` is
    called before submitting); submit."""
    name = page.locator("h1").inner_text().split("·")[0].strip()
    page.get_by_label(result, exact=True).check()
    for item in items:
        page.locator("main label", has_text=item).click()
    if note:
        page.fill("#note", note)
    if shot is not None:
        shot()
    page.get_by_role("button", name="提交意见").click()
    expect_text(page, f"已提交{name}的联审意见")


def slate_link(page: Page, name: str) -> None:
    page.goto("/c/XH01/candidates/slate/")
    page.locator("main tbody").get_by_role("link", name=name, exact=True).click()
    expect_text(page, "资格联审")


class Snapshots:
    """Full-page screenshots numbered in the order taken: vet-01-….png, vet-02-…"""

    def __init__(self, page: Page, folder: Path) -> None:
        self.page = page
        self.folder = folder
        self.count = 0

    def __call__(self, name: str) -> None:
        self.count += 1
        shoot(self.page, self.folder, f"vet-{self.count:02}-{name}")


def clearance_box(page: Page) -> str:
    return page.locator("[data-testid=clearance]").inner_text().strip()


# -- the walk ------------------------------------------------------------------------------


def test_joint_vetting_to_formal_list(page: Page, screenshots: Path, tmp_path: Path) -> None:
    from candidates.models import Candidate
    from elections.crypto import decrypt_text, encryption_key

    day = today()
    snap = Snapshots(page, screenshots)
    blocked, spare = CAST["blocked"], CAST["spare"]
    unsuitable, stale, tipped = CAST["unsuitable"], CAST["stale"], CAST["tipped"]

    # 1. The street officer starts the first round: 9 nominees, the four departments.
    login(page, "officer")
    page.goto("/vetting/rounds/")
    text = main_text(page)
    assert "还没有发起资格联审" in text
    assert page.locator("main input[name=candidates]").count() == 9
    # The form asks every department of the district by default.
    assert page.locator("main input[name=departments]:checked").count() == 16
    start_round(page, None, day + dt.timedelta(days=5))
    snap("start-round")
    page.get_by_role("button", name="发起资格联审").click()
    expect_text(page, "已发起初次联审：9 名人选，4 个部门")
    headers = page.locator("[data-testid=matrix] thead th").all_inner_texts()
    assert len(headers) == 7 and set(headers[2:-1]) == set(DEPARTMENTS), headers
    assert cell_texts(page, blocked)[:4] == ["待反馈"] * 4
    assert "待联审" in cell_texts(page, blocked)[4]
    assert "三角塘社区" in main_text(page)
    snap("matrix-waiting")

    # 2a. The police: a 不能 finding (第2项) for one XH01 委员 nominee, on its request
    #     page with the full ID number.
    switch_user(page, "police_reviewer")
    page.goto("/vetting/queue/")
    text = main_text(page)
    assert "您所在部门：区公安分局" in text
    assert page.locator("[data-testid=queue] tbody tr").count() == 9
    masked = page.locator("[data-testid=queue] tbody tr", has_text=blocked).locator(
        "td.font-monospace"
    )
    assert "*" in masked.inner_text()
    snap("police-queue")
    open_request(page, blocked)
    record = Candidate.objects.get(name=blocked, election__community__code="XH01")
    full_id = page.locator("[data-testid=full-id]").inner_text()
    assert decrypt_text(record.id_encrypted, encryption_key()) in full_id
    assert "查看已记入操作记录" in full_id
    sign_request(
        page,
        "发现问题",
        items=("第2项（不能）",),
        note="2019年因寻衅滋事罪被判处有期徒刑一年，已核实判决书",
        shot=lambda: snap("police-finding"),
    )
    snap("police-queue-after-finding")

    # 3. The matrix: 联审未通过, with the department and the item.
    switch_user(page, "officer")
    open_round(page, "初次联审")
    cells = cell_texts(page, blocked)
    assert cells[headers.index("区公安分局") - 2].startswith("发现问题")
    assert "第2项（不能）" in cells[headers.index("区公安分局") - 2]
    assert cells[4].startswith("联审未通过")
    assert "区公安分局：第2项（不能确定为候选人）" in cells[4]
    snap("matrix-blocked")

    # The committee member records 资格不符 on the candidate's page and 递补 brings in
    # the next nominee of 委员 by votes.
    switch_user(page, "xh01_member")
    slate_link(page, blocked)
    text = main_text(page)
    assert "联审未通过（区公安分局：第2项（不能确定为候选人））" in text
    snap("candidate-blocked")
    page.get_by_role("link", name="退出或资格不符").click()
    page.get_by_label("资格不符").check()
    page.get_by_label("日期").fill(iso(day))
    page.get_by_label("理由").fill("资格联审：区公安分局反馈受过刑事处罚（第2项，不能）")
    snap("disqualify")
    page.get_by_role("button", name="确认").click()
    expect_text(page, f"已记录{blocked}离开候选人名单，请办理递补。")
    replace = page.get_by_role("button", name=f"按提名得票顺序递补：{spare}（4票）")
    replace.click()
    expect_text(page, f"{spare}（提名票 4）递补{blocked}，须经资格联审后公布。")
    snap("replaced")
    page.goto("/c/XH01/candidates/slate/")
    text = main_text(page)
    assert spare in text and blocked not in text
    assert f"{spare}：待联审（尚未提交资格联审）" in text
    snap("slate-with-replacement")

    # The replacement goes to the four departments in a second round.
    switch_user(page, "officer")
    page.goto("/vetting/rounds/")
    page.locator("main summary", has_text="发起新一轮资格联审").click()
    start_round(page, [spare], day + dt.timedelta(days=3))
    snap("second-round")
    page.get_by_role("button", name="发起资格联审").click()
    expect_text(page, "已发起第2次联审：1 名人选，4 个部门")
    assert cell_texts(page, spare)[:4] == ["待反馈"] * 4
    snap("second-round-matrix")

    # 2b. The police pass everyone else, both rounds, in one batch.
    switch_user(page, "police_reviewer")
    assert pass_all_in_queue(page) == 9
    assert "目前没有需要您审核的候选人" in main_text(page)
    snap("police-batch-done")

    # The court: the batch refuses without the confirmation, then passes all.
    switch_user(page, "court_reviewer")
    page.goto("/vetting/queue/")
    page.locator("[data-testid=queue] input[name=requests]").first.check()
    page.get_by_role("button", name="勾选的人选全部通过").click()
    expect_text(page, "请勾选“我已逐一核查，确认以上人选均无负面清单情形”后再提交")
    snap("court-batch-needs-confirmation")
    assert pass_all_in_queue(page) == 10
    snap("court-batch-done")

    # The petition bureau: a 不宜 finding (第10项) for the XH01 副主任 nominee, then
    # the batch for the rest.
    switch_user(page, "petition_reviewer")
    open_request(page, unsuitable)
    sign_request(
        page,
        "发现问题",
        items=("第10项（不宜）",),
        note="近两年多次越级上访，已息访；请组织部研判",
        shot=lambda: snap("petition-unsuitable"),
    )
    assert pass_all_in_queue(page) == 9
    snap("petition-done")

    # The health commission: the first round by the spreadsheet round trip.
    switch_user(page, "health_reviewer")
    page.goto("/vetting/queue/")
    sheets = page.locator("main section", has_text="用表格反馈")
    first = sheets.locator("li", has_text="初次联审")
    with page.expect_download() as download:
        first.get_by_role("link", name="下载联审表").click()
    assert download.value.suggested_filename == "区卫生健康局_初次联审_联审表.xlsx"
    blank = tmp_path / "blank.xlsx"
    download.value.save_as(blank)
    book = openpyxl.load_workbook(blank)
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["编号", "社区", "姓名"] and "结论" in header
    result_col = header.index("结论") + 1
    names = []
    for row in range(2, sheet.max_row + 1):
        names.append(sheet.cell(row, 3).value)
        sheet.cell(row, result_col).value = "通过"
    assert len(names) == 9 and blocked in names
    filled = tmp_path / "区卫生健康局_初次联审_联审表（已填）.xlsx"
    book.save(filled)
    snap("health-queue")
    first.get_by_role("link", name="上传填好的联审表").click()
    page.set_input_files("#file", str(filled))
    snap("health-upload")
    page.get_by_role("button", name="上传并核对").click()
    expect_text(page, "全部 9 行可以导入")
    rows = page.locator("[data-testid=sheet-rows] tbody tr").all_inner_texts()
    assert len(rows) == 9 and all("通过" in r for r in rows)
    snap("health-preview")
    page.get_by_role("button", name="确认导入").click()
    expect_text(page, "已导入 9 条联审意见")
    snap("health-imported")
    # The second round's one request on its page.
    open_request(page, spare)
    sign_request(page, "通过")
    assert "目前没有需要您审核的候选人" in main_text(page)
    snap("health-done")

    # The matrix once every department has answered.
    switch_user(page, "officer")
    open_round(page, "初次联审")
    assert cell_texts(page, stale)[4] == "联审通过"
    assert cell_texts(page, blocked)[4].startswith("联审未通过")
    assert cell_texts(page, unsuitable)[4].startswith("待联审")
    assert "有不宜情形，待组织部认定" in cell_texts(page, unsuitable)[4]
    snap("matrix-answered")

    # 4. A change of identity data makes the sign-offs stale. The sign-offs are bound to
    #    the voter roll's record; the roll's correction (through an objection or the
    #    roll's edit page) is made through the ORM here to keep the walk short.
    person = Candidate.objects.get(name=stale, election__community__code="XH01")
    from elections.registration.models import Voter as RollVoter

    assert person.voter_id is not None
    RollVoter.objects.filter(pk=person.voter_id).update(
        birth_date=person.birth_date + dt.timedelta(days=1)
    )
    page.reload()
    cells = cell_texts(page, stale)
    assert cells[:4] == ["数据已变更，须重新审核"] * 4, cells
    assert cells[4].startswith("待联审")
    snap("matrix-stale")

    # Each department's queue asks again; the reviewer signs again on the request
    # page: a correction.
    for n, username in enumerate(REVIEWERS):
        switch_user(page, username)
        page.goto("/vetting/queue/")
        recheck = page.locator("[data-testid=recheck]")
        assert "数据已变更，须重新审核" in recheck.inner_text()
        assert "目前没有需要您审核的候选人" not in main_text(page)
        if n == 0:
            snap("queue-recheck")
        recheck.locator("li", has_text=stale).get_by_role("link", name="重新审核").click()
        text = main_text(page)
        assert "当前意见\n数据已变更，须重新审核" in text
        assert "更正意见（原意见保留在记录中）" in text
        if n == 0:
            snap("request-stale")
        sign_request(page, "通过")
        assert page.locator("[data-testid=recheck]").count() == 0
        if n == 0:
            open_request(page, stale, answered=True)
            assert "（已被更正）" in main_text(page)
            assert "当前意见\n通过" in main_text(page)
            snap("request-corrected")
    switch_user(page, "officer")
    open_round(page, "初次联审")
    cells = cell_texts(page, stale)
    assert cells == ["通过"] * 4 + ["联审通过"], cells
    snap("matrix-resigned")

    # 5. A tip-off holds a candidate until it is closed as 反映不实.
    matrix_row(page, tipped).get_by_role("link", name=tipped).click()
    assert clearance_box(page) == "联审通过"
    page.locator("main summary", has_text="登记举报线索").click()
    page.get_by_label("收到日期").fill(iso(day))
    page.get_by_label("渠道").select_option(label="来信")
    page.get_by_label("交由核实的部门").select_option(label="区公安分局")
    page.get_by_label("反映内容").fill("反映其在外地经营期间拖欠工人工资")
    snap("tipoff-form")
    page.get_by_role("button", name="登记", exact=True).click()
    expect_text(page, "已登记举报线索；核实办结前，此人不能通过资格联审")
    assert clearance_box(page) == "待联审：有1条举报线索正在核实"
    assert "核实中，交区公安分局核实" in main_text(page)
    snap("tipoff-open")
    page.get_by_label("核实结果").select_option(label="反映不实")
    page.get_by_label("核实情况").fill("经公安分局与劳动监察核实，无欠薪记录")
    page.get_by_role("button", name="办结").click()
    expect_text(page, "线索已办结")
    assert clearance_box(page) == "联审通过"
    assert "反映不实" in main_text(page)
    snap("tipoff-closed")

    # 6. The organisation reviewer clears the 不宜 finding, with a reason.
    switch_user(page, "org_reviewer")
    open_round(page, "初次联审")
    matrix_row(page, unsuitable).get_by_role("link", name=unsuitable).click()
    assert clearance_box(page) == "待联审：有不宜情形，待组织部认定"
    assert "第10项（不宜）" in main_text(page)
    page.get_by_label("认定", exact=True).select_option(label="认定可以确定为候选人")
    reason = "已息访两年，所反映问题已依法处理完毕，群众基础较好，经研究可以确定为候选人"
    page.get_by_label("理由", exact=True).fill(reason)
    snap("org-decision")
    page.get_by_role("button", name="记录认定").click()
    expect_text(page, "已记录组织部认定")
    assert clearance_box(page) == f"联审通过：组织部认定：{reason}"
    assert f"认定可以确定为候选人：{reason}" in main_text(page)
    snap("org-cleared")

    # 7. XH01's formal list: every 承诺书 signed, then publish.
    switch_user(page, "xh01_member")
    page.goto("/c/XH01/candidates/slate/")
    text = main_text(page)
    assert "暂不能公布" in text and "尚未签署承诺书" in text
    on_slate = [t.strip() for t in page.locator("main tbody tr td:nth-child(2)").all_inner_texts()]
    assert len(on_slate) == 7 and spare in on_slate and blocked not in on_slate
    snap("slate-pledges-missing")
    for name in on_slate:
        slate_link(page, name)
        page.get_by_role("link", name="补充信息").click()
        page.fill("#id_pledge_signed_on", iso(day - dt.timedelta(days=1)))
        page.get_by_role("button", name="保存").click()
        expect_text(page, f"已保存{name}的信息")
    page.goto("/c/XH01/candidates/slate/")
    text = main_text(page)
    assert "暂不能公布" not in text
    assert "待联审" not in text and "联审未通过" not in text
    publish = page.get_by_role("button", name="公布正式候选人名单")
    assert publish.is_enabled()
    snap("slate-ready")
    publish.click()
    expect_text(page, "已公布正式候选人 7 名")
    statuses = page.locator("main tbody tr").all_inner_texts()
    assert len(statuses) == 7 and all("正式候选人" in r for r in statuses), statuses
    assert re.search(rf"{re.escape(spare)}.*正式候选人", "\n".join(statuses))
    snap("formal-list")
