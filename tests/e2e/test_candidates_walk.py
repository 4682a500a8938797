"""The candidates of XH01 (新河 profile), walked in the browser.

Residents' committee: the street officer sets the 职数; a committee member enters the
nominations of the three posts, settles a tie at the cut-off by the recorded re-vote,
sees publication blocked on the slate page with its reasons (a post without a woman,
R18; a post short of its 差额, R17), fixes both, and — once every candidate is cleared
and has signed the 承诺书 — publishes the formal list in surname-stroke order.

Party: the party-member roll is imported (preview, then commit), two members are
approved as not counted in the 应到会 (上级党组织 consent and 党员大会 vote), then the
两推 tallies, the 初步人选 with the 20% 差额 (rounded up), 考察, 预备人选, 公示 and
the 批复 give the approved candidate list.

Joint vetting is not built yet: the live server runs in this process, so a clearance
test double is registered for the walk (`candidates.clearance.register_provider`) and
switched on at the point where the vetting app would have answered."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest

from tests.e2e.conftest import CHROMIUM, login, shoot

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from candidates.clearance import Clearance
    from candidates.models import Candidate

if not CHROMIUM.exists():
    pytest.skip(f"end-to-end tests need Debian's chromium at {CHROMIUM}", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

CODE = "XH01"


#: Election day 45 days ahead, so that the 党员大会 (31 days before it in the demo) is
#: still to come while the 两推, 公示 and 批复 are recorded in the past few weeks; the
#: committee's formal list (due 7 days before election day) can be published today
#: either way.
ELECTION_DAY_AHEAD = 45


@pytest.fixture
def demo(live_server: Any) -> str:
    """The shared `demo` fixture (tests/e2e/conftest.py), with a later election day."""
    from django.core.management import call_command

    election_day = today() + dt.timedelta(days=ELECTION_DAY_AHEAD)
    call_command("seed_demo", "--election-day", election_day.isoformat(), verbosity=0)
    return str(live_server.url)


class VettingDouble:
    """Stands in for the vetting app: every candidate reads 待联审 until `enabled`,
    then every candidate asked about is 联审通过."""

    def __init__(self) -> None:
        self.enabled = False

    def __call__(self, candidates: Sequence[Candidate]) -> Mapping[int, Clearance]:
        from candidates.clearance import Clearance

        if not self.enabled:
            return {}
        return {c.pk: Clearance("cleared") for c in candidates}


@pytest.fixture
def vetting() -> Iterator[VettingDouble]:
    from candidates import clearance

    double = VettingDouble()
    clearance.register_provider(double)
    try:
        yield double
    finally:
        clearance.unregister_provider(double)


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def iso(day: dt.date) -> str:
    return day.isoformat()


def main_text(page: Page) -> str:
    return page.inner_text("main")


def expect_text(page: Page, text: str) -> None:
    page.locator("main").get_by_text(text, exact=False).first.wait_for()


def switch_user(page: Page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)


def set_seats(page: Page, track: str, values: Mapping[str, int]) -> None:
    """As the street officer, on the 职数 page."""
    page.goto(f"/c/{CODE}/candidates/seats/")
    form = page.locator("form", has=page.locator(f"input[name=track][value={track}]"))
    for post, n in values.items():
        form.locator(f"#id_{track}-{post}").fill(str(n))
    form.get_by_role("button").click()
    expect_text(page, "职数已保存")


# -- residents' committee ---------------------------------------------------------------


def xh01_voters() -> tuple[list[str], list[str]]:
    """Registered voters of XH01 who are not on its election committee (a member who
    becomes a candidate would leave it, R7) and whose name nobody else on the roll
    bears: (men, women), in roll order."""
    from collections import Counter

    from candidates.models import CommitteeMember
    from elections.models import CommunityElection
    from elections.registration.models import Voter, VoterStatus

    election = CommunityElection.objects.get(community__code=CODE)
    roll = Voter.objects.filter(election=election, status=VoterStatus.REGISTERED).order_by("pk")
    names = Counter(roll.values_list("name", flat=True))
    committee = set(
        CommitteeMember.objects.filter(election=election).values_list("voter_id", flat=True)
    )
    men: list[str] = []
    women: list[str] = []
    for voter in roll:
        if voter.pk in committee or names[voter.name] > 1:
            continue
        (men if voter.gender == "男" else women).append(voter.name)
    return men, women


def nominations_page(page: Page, post: str) -> None:
    page.goto(f"/c/{CODE}/candidates/nominations/{post}/")


def start_count(page: Page, ballots: int, held_on: dt.date) -> None:
    page.fill("#id_ballots", str(ballots))
    page.fill("#id_held_on", iso(held_on))
    page.get_by_role("button", name="保存提名计票").click()
    expect_text(page, "的提名计票")


def add_nominee(page: Page, name: str) -> None:
    page.get_by_label("查找选民").fill(name)
    page.get_by_role("button", name="查找").click()
    page.locator("main li", has_text=name).get_by_role("button", name="添加").click()
    expect_text(page, f"已添加被提名人{name}")


def enter_votes(page: Page, votes: Mapping[str, int]) -> None:
    for name, n in votes.items():
        page.locator("main tbody tr", has_text=name).locator("input").fill(str(n))
    page.get_by_role("button", name="保存提名计票").click()
    expect_text(page, "的提名计票")


def promote(page: Page, label: str) -> None:
    page.get_by_role("button", name=f"将{label}提名人选列入候选人名单").click()
    expect_text(page, f"{label}提名人选已列入候选人名单")


def post_section(page: Page, label: str) -> Locator:
    heading = page.locator("h2", has_text=re.compile(rf"^\s*{label}\s"))
    return page.locator("main section").filter(has=heading)


def slate_names(page: Page, label: str) -> list[str]:
    cells = post_section(page, label).locator("tbody tr td:nth-child(2)")
    return [t.strip() for t in cells.all_inner_texts()]


def test_committee_nominations_to_formal_list(
    page: Page, screenshots: Path, vetting: VettingDouble
) -> None:
    from candidates.ordering import stroke_sort

    men, women = xh01_voters()
    assert len(men) >= 7 and len(women) >= 4, (men, women)
    day = today()

    # The street officer sets the 职数 (none are set in the demo street).
    login(page, "officer")
    page.goto(f"/c/{CODE}/candidates/seats/")
    assert "尚未设定" in main_text(page)
    set_seats(page, "committee", {"director": 1, "deputy_director": 1, "member": 3})
    shoot(page, screenshots, "cand-00-seats")

    switch_user(page, "xh01_member")
    page.goto(f"/c/{CODE}/candidates/")
    hub = main_text(page)
    assert "主任的提名计票尚未录入（R15）" in hub
    assert "应选 3 名，候选人 4 名" in hub
    shoot(page, screenshots, "cand-01-hub")

    # 主任: two men only (R18 will object on the slate).
    nominations_page(page, "director")
    start_count(page, 20, day - dt.timedelta(days=2))
    add_nominee(page, men[0])
    add_nominee(page, men[1])
    enter_votes(page, {men[0]: 7, men[1]: 5})
    assert "列为候选人" in main_text(page)
    shoot(page, screenshots, "cand-01-nominations-director")
    promote(page, "主任")

    # 副主任: a tie for the second place, settled by the re-vote.
    nominations_page(page, "deputy_director")
    start_count(page, 20, day - dt.timedelta(days=2))
    for name in (women[0], men[2], men[3]):
        add_nominee(page, name)
    enter_votes(page, {women[0]: 9, men[2]: 5, men[3]: 5})
    text = main_text(page)
    tie = re.search(r"副主任第2名得票相等：(\S+)（各5票）", text)
    assert tie and sorted(tie.group(1).split("、")) == sorted([men[2], men[3]]), text
    assert "得票相等，待重新投票" in text
    assert "将副主任提名人选列入候选人名单" not in text  # blocked until the re-vote
    shoot(page, screenshots, "cand-02-nominations-deputy-tie")
    page.get_by_role("link", name="录入重新投票结果").click()
    assert "得票相等者重新投票" in main_text(page)
    page.fill("#id_held_on", iso(day - dt.timedelta(days=1)))
    page.get_by_label(men[2], exact=False).fill("11")
    page.get_by_label(men[3], exact=False).fill("7")
    shoot(page, screenshots, "cand-03-revote")
    page.get_by_role("button", name="保存重新投票结果").click()
    expect_text(page, "已录入重新投票结果")
    assert "得票相等，待重新投票" not in main_text(page)
    shoot(page, screenshots, "cand-04-nominations-deputy-after-revote")
    promote(page, "副主任")

    # 委员: only three nominees with votes for four places (R17).
    nominations_page(page, "member")
    start_count(page, 20, day - dt.timedelta(days=2))
    for name in (men[4], men[5], women[1]):
        add_nominee(page, name)
    enter_votes(page, {men[4]: 15, men[5]: 12, women[1]: 10})
    text = main_text(page)
    assert "委员应选 3 名，需要 4 名候选人，有票的被提名人只有 3 名（R17）" in text
    assert "将委员提名人选列入候选人名单" not in text
    shoot(page, screenshots, "cand-05-nominations-member-short")

    # The slate: publication blocked, with the reasons.
    page.goto(f"/c/{CODE}/candidates/slate/")
    text = main_text(page)
    assert "暂不能公布" in text
    assert "主任正式候选人中至少应有一名妇女（R18）" in text
    assert "委员应选 3 名，正式候选人至少 4 名（现有 0 名）（R17）" in text
    assert "待联审" in text and "未签署" in text
    assert page.get_by_role("button", name="公布正式候选人名单").is_disabled()
    shoot(page, screenshots, "cand-06-slate-blocked")

    # Fix 主任: a woman nominee, who gets the most votes.
    nominations_page(page, "director")
    add_nominee(page, women[2])
    enter_votes(page, {women[2]: 8})
    shoot(page, screenshots, "cand-07-nominations-director-woman")
    promote(page, "主任")

    # Fix 委员: two more nominees.
    nominations_page(page, "member")
    fourth, fifth = men[6], women[3]
    add_nominee(page, fourth)
    add_nominee(page, fifth)
    enter_votes(page, {fourth: 8, fifth: 6})
    assert "委员应选 3 名，需要 4 名候选人" not in main_text(page)
    shoot(page, screenshots, "cand-08-nominations-member-fixed")
    promote(page, "委员")

    expected = {
        "主任": [women[2], men[0]],
        "副主任": [women[0], men[2]],
        "委员": [men[4], men[5], women[1], fourth],
    }
    text = main_text(page)
    assert "R18" not in text and "（R17）" not in text
    assert "待联审" in text  # vetting has not answered yet
    for label, names in expected.items():
        assert sorted(slate_names(page, label)) == sorted(names), label
    shoot(page, screenshots, "cand-09-slate-awaiting-vetting")

    # Joint vetting clears everyone (the test double, see the module docstring).
    vetting.enabled = True
    # The 承诺书: entered on each candidate's 补充信息 page.
    for label, names in expected.items():
        for name in names:
            page.goto(f"/c/{CODE}/candidates/slate/")
            post_section(page, label).get_by_role("link", name=name, exact=True).click()
            page.get_by_role("link", name="补充信息").click()
            page.fill("#id_pledge_signed_on", iso(day - dt.timedelta(days=1)))
            if name == women[2]:
                shoot(page, screenshots, "cand-10-candidate-pledge")
            page.get_by_role("button", name="保存").click()
            expect_text(page, f"已保存{name}的信息")
    shoot(page, screenshots, "cand-11-candidate-detail")

    # The ballot order of each post by surname strokes (新河: R19, P7).
    for post, label in (("director", "主任"), ("deputy_director", "副主任"), ("member", "委员")):
        page.goto(f"/c/{CODE}/candidates/ballot-order/{post}/")
        assert "按姓氏笔画排列" in main_text(page)
        page.get_by_role("button", name="按此顺序确定").click()
        expect_text(page, f"已按“按姓氏笔画排列”确定{label}的选票顺序")
        if post == "member":
            shoot(page, screenshots, "cand-12-ballot-order-member")

    page.goto(f"/c/{CODE}/candidates/slate/")
    text = main_text(page)
    assert "暂不能公布" not in text
    assert "联审通过" in text
    shoot(page, screenshots, "cand-13-slate-ready")
    page.get_by_role("button", name="公布正式候选人名单").click()
    expect_text(page, "已公布正式候选人 8 名")
    for label, names in expected.items():
        shown = slate_names(page, label)
        assert shown == stroke_sort(names), (label, shown)
        rows = post_section(page, label).locator("tbody tr").all_inner_texts()
        assert all("正式候选人" in row and "公布" in row for row in rows), rows
    shoot(page, screenshots, "cand-14-formal-list")


# -- party ---------------------------------------------------------------------------------

PARTY_NAMES = [
    ("邓建华", "男"),
    ("曹玉梅", "女"),
    ("彭志远", "男"),
    ("蒋春兰", "女"),
    ("谢国平", "男"),
    ("韩淑珍", "女"),
    ("唐德明", "男"),
    ("冯晓燕", "女"),
    ("于长海", "男"),
    ("董秀云", "女"),
    ("萧卫东", "男"),
    ("程丽娟", "女"),
]


def party_roll_xlsx() -> bytes:
    """The roll as a party branch would type it, columns of `candidates.party_import`:
    ten 正式 members, one 预备, one whose membership is not kept here (非直管)."""
    from candidates.party_import import COLUMNS
    from tests.idgen import generate_valid_id

    rng = random.Random(11)
    joined_probationary = today() - dt.timedelta(days=100)  # still 预备 on the meeting day
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    for i, (name, gender) in enumerate(PARTY_NAMES):
        birth = dt.date(1955 + i * 3, 1 + i % 12, 3 + i)
        values = {
            "姓名": name,
            "身份证号": generate_valid_id(rng, birth_date=birth, gender=gender),
            "性别": gender,
            "出生日期": birth,
            "党员类别": "预备" if i == 10 else "正式",
            "入党时间": dt.date(birth.year + 25, 7, 1) if i != 10 else joined_probationary,
            "是否直管": "否" if i == 11 else "是",
            "留党察看": "否",
            "留置": "否",
            "逮捕": "否",
            "备注": "",
        }
        sheet.append([values[c] for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def expected_count(page: Page) -> str:
    return page.locator("[data-testid=expected]").first.inner_text().strip()


def exclude(page: Page, screenshots: Path, name: str, n: int, *, approve: bool) -> None:
    page.goto(f"/c/{CODE}/party/exclusions/")
    page.get_by_role("link", name="登记一名党员").click()
    value = page.locator("#id_member option", has_text=name).get_attribute("value")
    assert value
    page.select_option("#id_member", value)
    page.locator("input[name=category]").first.check()
    page.fill("#id_detail", "长期外出务工，本人书面说明无法参加党员大会")
    page.get_by_role("button", name="登记").click()
    expect_text(page, f"已登记{name}")
    page.locator("main tr", has_text=name).get_by_role("link", name="登记批准").click()
    assert "批准未齐，仍计入应到会人数" in main_text(page)
    page.fill("#id_c-doc_no", f"开新党工委〔{today().year}〕{20 + n}号")
    page.fill("#id_c-consent_date", iso(today() - dt.timedelta(days=6)))
    page.locator("form", has_text="上级党组织同意").get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    if approve:
        page.fill("#id_v-vote_date", iso(today() - dt.timedelta(days=5)))
        page.locator("form", has_text="党员大会通过").get_by_role("button", name="保存").click()
        expect_text(page, "两项批准已齐，不计入应到会人数")
    shoot(page, screenshots, f"party-02-exclusion-{n}")


def tally(
    page: Page, kind_label: str, held_on: dt.date, people: int, votes: Mapping[str, int]
) -> None:
    page.goto(f"/c/{CODE}/party/recommendations/")
    card = page.locator("main .card", has_text=kind_label)
    card.get_by_role("link", name="登记会议").click()
    page.fill("#id_held_on", iso(held_on))
    page.fill("#id_participants", str(people))
    page.get_by_role("button", name="保存").click()
    expect_text(page, "推荐会议已保存")
    for name, n in votes.items():
        page.locator(f'input[aria-label="{name}的推荐票数"]').fill(str(n))
    page.get_by_role("button", name="保存").click()
    expect_text(page, f"已保存{kind_label}（党组织委员）：{len(votes)} 人得票")


def add_initial(page: Page, name: str) -> None:
    page.goto(f"/c/{CODE}/party/initial/")
    page.get_by_role("link", name="街道党工委推荐初步人选").click()
    value = page.locator("#id_member option", has_text=name).get_attribute("value")
    assert value
    page.select_option("#id_member", value)
    page.select_option("#id_post", "party_committee")
    page.get_by_role("button", name="列为初步人选").click()
    expect_text(page, f"已把{name}列为初步人选")


def test_party_roll_to_approved_candidates(
    page: Page, screenshots: Path, vetting: VettingDouble, tmp_path: Path
) -> None:
    day = today()
    login(page, "officer")
    # 3 委员: the 20% 差额 is 0.6, rounded up to 1, so at least 4 初步人选 (P5, G4).
    set_seats(page, "party", {"party_committee": 3, "secretary": 1, "deputy_secretary": 1})

    switch_user(page, "xh01_member")
    page.goto(f"/c/{CODE}/party/")
    assert "党组织换届（两推一选）" in main_text(page)

    # The roll: upload, preview, commit.
    page.goto(f"/c/{CODE}/party/import/")
    roll = tmp_path / "党员台账.xlsx"
    roll.write_bytes(party_roll_xlsx())
    page.set_input_files("input[type=file]", str(roll))
    page.get_by_role("button", name="上传并检查").click()
    counts = page.locator("[data-testid=counts]")
    counts.wait_for()
    assert "共 12 行：新增 12" in counts.inner_text() and "有错误 0" in counts.inner_text()
    shoot(page, screenshots, "party-01-import-preview")
    page.get_by_role("button", name="确认导入全部 12 行").click()
    expect_text(page, "党员台账已导入：新增 12 名")
    assert "预备党员，无选举权" in main_text(page) and "非直管" in main_text(page)
    assert expected_count(page) == "10"
    shoot(page, screenshots, "party-01-roll")

    # Two exclusions approved (P2); a third registered only counts until both are in.
    exclude(page, screenshots, PARTY_NAMES[8][0], 1, approve=True)
    exclude(page, screenshots, PARTY_NAMES[9][0], 2, approve=True)
    exclude(page, screenshots, PARTY_NAMES[7][0], 3, approve=False)
    page.goto(f"/c/{CODE}/party/exclusions/")
    rows = {n: page.locator("main tbody tr", has_text=n).inner_text() for n, _ in PARTY_NAMES[7:10]}
    assert "不计入应到会" in rows[PARTY_NAMES[8][0]] and "不计入应到会" in rows[PARTY_NAMES[9][0]]
    assert "待批准，仍计入" in rows[PARTY_NAMES[7][0]]
    breakdown = page.locator("#bd-title").locator("..").inner_text()
    assert re.search(r"减：经批准不计入应到会\s+2", breakdown), breakdown
    assert "另有 1 人已提出不计入应到会" in breakdown
    assert expected_count(page) == "8"  # 10 with rights, 2 approved exclusions
    shoot(page, screenshots, "party-05-expected-breakdown")

    # 两推: the members' and the masses' recommendations.
    votes_members = {PARTY_NAMES[i][0]: v for i, v in ((0, 8), (1, 7), (2, 6), (3, 5), (4, 3))}
    votes_masses = {PARTY_NAMES[i][0]: v for i, v in ((0, 30), (1, 25), (2, 18), (3, 20), (4, 9))}
    tally(page, "党员推荐", day - dt.timedelta(days=20), 9, votes_members)
    shoot(page, screenshots, "party-06-members-recommendation")
    tally(page, "群众推荐", day - dt.timedelta(days=19), 40, votes_masses)
    text = main_text(page)
    assert "党组织委员：推荐得票排序" in text
    first = page.locator("main table").first.locator("tbody tr").first.inner_text()
    assert PARTY_NAMES[0][0] in first and "38" in first
    shoot(page, screenshots, "party-07-recommendation-ranking")

    # The street's 初步人选: three are one short of the 差额, four suffice.
    for i in range(3):
        add_initial(page, PARTY_NAMES[i][0])
    difference = page.locator("[data-testid=difference]").inner_text()
    assert "委员职数 3 名，差额不少于 20%，至少需要 4 名；现有 3 名，还差 1 名" in difference
    shoot(page, screenshots, "party-08-initial-short")
    add_initial(page, PARTY_NAMES[3][0])
    difference = page.locator("[data-testid=difference]").inner_text()
    assert "至少 4 名；现有 4 名，符合要求" in difference
    assert "资格联审尚未完成" in main_text(page)
    shoot(page, screenshots, "party-09-initial-list")

    # 考察 of each, then (vetting cleared) 预备人选.
    for i in range(4):
        name = PARTY_NAMES[i][0]
        page.locator("main tbody tr", has_text=name).get_by_role("link", name="考察").click()
        page.fill("#id_inspected_on", iso(day - dt.timedelta(days=3)))
        page.fill("#id_inspection_summary", f"{name}同志政治坚定，群众基础好，考察合格。")
        if i == 0:
            shoot(page, screenshots, "party-10-inspection")
        page.get_by_role("button", name="保存考察情况").click()
        expect_text(page, f"已保存{name}的考察情况")
    vetting.enabled = True
    page.reload()
    assert "资格联审尚未完成" not in main_text(page)
    for i in range(4):
        name = PARTY_NAMES[i][0]
        page.locator("main tbody tr", has_text=name).get_by_role(
            "button", name="列为预备人选"
        ).click()
        expect_text(page, f"已把{name}列为候选人预备人选")
    assert (
        "预备人选（党组织委员）：委员职数 3 名，差额不少于 20%，至少 4 名；现有 4 名，符合要求"
        in main_text(page)
    )
    shoot(page, screenshots, "party-11-pre-candidates")

    # 公示 (started two weeks ago, so the window is over), then the 批复.
    page.goto(f"/c/{CODE}/party/publicity/")
    page.fill("#id_starts_on", iso(day - dt.timedelta(days=14)))
    page.get_by_role("button", name="公示预备人选").click()
    expect_text(page, "预备人选已公示")
    assert "公示期已满，可以登记批复" in page.locator("[data-testid=window]").inner_text()
    shoot(page, screenshots, "party-12-publicity")

    doc_no = f"开新党工委〔{day.year}〕31号"
    page.goto(f"/c/{CODE}/party/approval/")
    page.fill("#id_doc_no", doc_no)
    page.fill("#id_approval_date", iso(day))
    for i in range(4):
        assert page.get_by_label(f"{PARTY_NAMES[i][0]}（党组织委员）").is_checked()
    page.get_by_role("button", name="登记批复").click()
    expect_text(page, "批复已登记，批复同意的预备人选已列为正式候选人")
    text = main_text(page)
    assert f"已批复：{doc_no}" in text
    formal = page.locator("main table tbody tr").all_inner_texts()
    assert sorted(r.split("\t")[0].strip() for r in formal) == sorted(
        PARTY_NAMES[i][0] for i in range(4)
    )
    shoot(page, screenshots, "party-13-approved-list")

    page.goto(f"/c/{CODE}/party/")
    assert doc_no in main_text(page)
    shoot(page, screenshots, "party-14-hub")
