"""Election day of XH01 (新河社区), walked in the browser by the people a street has.

Polling set-up (a 中心会场 and a 流动票箱 on the overview's add-place form, three
监票人 for the box until the R35 warning goes, a mobile-box voter with the approval);
proxies (委托投票) up to the 新河 cap and two refusals (over the cap, the holder a
candidate: B6, named beside the field, the input kept); the tally by double entry:
the chair opens the 主任 round, member 1 types entry 1 of the central sheet with the
keyboard, member 2 types entry 2 with one number different, the chair sees the
difference field by field, keeps entry 1, confirms both sheets and announces the
result. The 委员 round ends in a tie at the last seat → 再次投票 (R28); the 副主任 round
fills no seat → 另行选举, won with exactly one third of the ballots cast (R31). The
party track (党员大会 without quorum → 流会, again with quorum, the 委员 round by double
entry, the 书记 with the 上级 approval, the 选举结果报告) comes before the certification
because the certification waits for it (`party_blockers`) and locks it afterwards.
Then the street officer certifies (SHA-256, 当选证书, one PDF downloaded) and the data
is locked.

The earlier stages (roll, nominations, vetting, the formal list) are walked by the
other e2e tests; here the fixture puts XH01's formal candidates, seats, a few voters for
the proxies and the party roll in place through the models and services."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import shutil
import time
import zipfile
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.conftest import CHROMIUM, DEMO_PASSWORD, login, shoot

if TYPE_CHECKING:
    from playwright.sync_api import Browser, FilePayload, Locator, Page

    from elections.models import CommunityElection
    from elections.registration.models import Voter

if not CHROMIUM.exists():
    pytest.skip(f"end-to-end tests need Debian's chromium at {CHROMIUM}", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

CODE = "XH01"
BASE = f"/c/{CODE}/ballots"
#: Proxies must be asked for 3 days before election day (B6); the demo's is 10 days ahead.
ELECTION_DAY_AHEAD = 10
SECOND_MEMBER = ("xh01_member2", "周敏")
CENTRAL, MOBILE = "中心会场", "流动票箱一"
#: The holder of the proxies, the principals (the last one asks a candidate), all added
#: to the roll by the fixture with names nobody else bears.
HOLDER = "杨守信"
PRINCIPALS = ("郑国华", "冯秀兰", "褚志明", "卫桂芳", "蒋建华", "沈玉梅", "韩立新")
PARTY_NAMES = ("王一", "李二", "张三", "刘四")
PARTY_SEATS = 3
APPROVAL_NO = "新河党工〔2026〕12号"
#: Where the key screenshots are copied as walk-*.png.
SHOTS = Path("/work/shots")

#: The people of the walk by role, filled in by the fixture from the demo roll.
CAST: dict[str, str] = {}


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


# -- set-up: the demo street, XH01's formal candidates and the party roll --------------------


def unique_voters(election: CommunityElection) -> tuple[list[Voter], list[Voter]]:
    """Registered voters of the roll whose name nobody else bears: (women, men)."""
    from elections.registration.models import Voter, VoterStatus

    roll = list(
        Voter.objects.filter(election=election, status=VoterStatus.REGISTERED).order_by("pk")
    )
    names = Counter(v.name for v in roll)
    women = [v for v in roll if names[v.name] == 1 and v.gender == "女"]
    men = [v for v in roll if names[v.name] == 1 and v.gender == "男"]
    return women, men


def formal(election: CommunityElection, post: str, people: Sequence[Voter]) -> None:
    """Formal candidates of one committee post from roll voters, in ballot order (the
    formal list as published: the candidates walk publishes it through the pages)."""
    from candidates.models import Candidate, CandidateStatus, Track
    from candidates.models.slate import CandidateSource

    for i, v in enumerate(people, start=1):
        Candidate.objects.create(
            election=election,
            track=Track.COMMITTEE,
            post=post,
            status=CandidateStatus.FORMAL,
            source=CandidateSource.NOMINATION,
            voter=v,
            name=v.name,
            id_hash=v.id_hash,
            id_encrypted=v.id_encrypted,
            id_masked=v.id_masked,
            gender=v.gender,
            birth_date=v.birth_date,
            ballot_order=i,
        )


def party_roll(election: CommunityElection, actor: Any) -> None:
    """Ten 正式党员 on the party roll (so the committee elects the 书记, P14), three
    seats and four formal party candidates (差额 P5)."""
    from candidates.models import Candidate, CandidateStatus, Post, Track
    from candidates.models.slate import CandidateSource
    from tests.candidates.party_support import member, set_party_seats

    members = [
        member(election, actor, f"党员{i:02}", birth=dt.date(1970 + i, 3, 4)) for i in range(1, 11)
    ]
    set_party_seats(election, PARTY_SEATS)
    for m, name in zip(members, PARTY_NAMES, strict=False):
        Candidate.objects.create(
            election=election,
            track=Track.PARTY,
            post=Post.PARTY_COMMITTEE,
            status=CandidateStatus.FORMAL,
            source=CandidateSource.STREET,
            party_member=m,
            name=name,
            id_hash=m.id_hash,
            id_encrypted=m.id_encrypted,
            id_masked=m.id_masked,
            gender=m.gender,
            birth_date=m.birth_date,
        )


@pytest.fixture
def demo(live_server: Any) -> str:
    """The demo street; for XH01 a second committee member, the seats (主任 1, 副主任 1,
    委员 2), eight formal candidates from the roll, eight more voters for the proxies,
    and the party roll with its candidates."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from elections import services as core
    from elections.models import CommunityElection, Role
    from tests.candidates.committee_slate_helpers import set_seats, voters

    election_day = today() + dt.timedelta(days=ELECTION_DAY_AHEAD)
    call_command("seed_demo", "--election-day", election_day.isoformat(), verbosity=0)
    User = get_user_model()
    admin = User.objects.get(username="admin")
    xh01 = CommunityElection.objects.get(community__code=CODE)

    username, full_name = SECOND_MEMBER
    second = User.objects.create_user(username, password=DEMO_PASSWORD, first_name=full_name)
    core.assign_role(second, Role.COMMITTEE_MEMBER, xh01.community, actor=admin)

    set_seats(xh01, director=1, deputy=1, member=2)
    women, men = unique_voters(xh01)
    assert len(women) >= 6 and len(men) >= 6, (women, men)
    director = [women[0], men[0]]
    deputy = [men[1], women[1]]
    members = [men[2], women[2], men[3], women[3]]
    formal(xh01, "director", director)
    formal(xh01, "deputy_director", deputy)
    formal(xh01, "member", members)
    voters(xh01, admin, dict.fromkeys((HOLDER, *PRINCIPALS), "男"))
    party_roll(xh01, admin)

    CAST.clear()
    CAST.update(
        director_a=director[0].name,  # 主任: elected
        director_b=director[1].name,  # the number member 2 mistypes
        deputy_a=deputy[0].name,  # 副主任: no majority, then one third in the 另行选举
        deputy_b=deputy[1].name,
        member_a=members[0].name,  # 委员: elected outright
        member_b=members[1].name,  # tied at the last seat, wins the 再次投票
        member_c=members[2].name,  # tied at the last seat
        member_d=members[3].name,
        mobile_voter=women[4].name,
        monitor_1=men[4].name,
        monitor_2=women[5].name,
        monitor_3=men[5].name,
    )
    return str(live_server.url)


# -- the people, each in a browser context of their own ---------------------------------------


@dataclass
class Crew:
    member1: Page
    member2: Page
    chair: Page
    officer: Page


def open_page(browser: Browser, base_url: str) -> Page:
    """A context like the harness's `page` (base URL, zh-CN, nothing outside the server)."""
    context = browser.new_context(
        base_url=base_url, locale="zh-CN", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(10_000)
    context.route(
        re.compile(r"^(?!" + re.escape(base_url) + r")https?://"), lambda route: route.abort()
    )
    return context.new_page()


@pytest.fixture
def crew(browser: Browser, demo: str, page: Page) -> Iterator[Crew]:
    """胡刚 (member 1, the harness's page), 周敏 (member 2), 李元丰 (chair), 任洁琳
    (street officer): logged in once each, side by side as on the day."""
    others = [open_page(browser, demo) for _ in range(3)]
    try:
        for pg, username in zip(
            [page, *others], ["xh01_member", SECOND_MEMBER[0], "xh01_chair", "officer"], strict=True
        ):
            login(pg, username)
        yield Crew(page, others[0], others[1], others[2])
    finally:
        for pg in others:
            pg.context.close()


# -- page helpers -------------------------------------------------------------------------------


class Snapshots:
    """Full-page screenshots numbered in the order taken: day-01-….png, …; the key ones
    are also copied to /work/shots/walk-<name>.png."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        self.key: list[tuple[Path, str]] = []

    def __call__(self, page: Page, name: str, *, key: bool = False) -> None:
        self.count += 1
        path = shoot(page, self.folder, f"day-{self.count:02}-{name}")
        if key:
            self.key.append((path, name))

    def copy_key(self) -> None:
        try:
            SHOTS.mkdir(parents=True, exist_ok=True)
        except OSError:
            return
        for path, name in self.key:
            shutil.copyfile(path, SHOTS / f"walk-{name}.png")


def main_text(page: Page) -> str:
    return page.inner_text("main")


def expect_text(page: Page, text: str) -> None:
    page.locator("main").get_by_text(text, exact=False).first.wait_for()


def click_and_wait(page: Page, target: Locator) -> None:
    with page.expect_navigation():
        target.click()


def press(page: Page, name: str, *, exact: bool = True) -> None:
    click_and_wait(page, page.locator("main").get_by_role("button", name=name, exact=exact))


@dataclass(frozen=True)
class Paper:
    """A paper tally sheet: ballots (签到 = 发出 = 收回), blank, invalid, votes by name."""

    ballots: int
    votes: Mapping[str, int]
    blank: int = 0
    invalid: int = 0

    def numbers(self) -> dict[str, int]:
        return {
            "signed_in": self.ballots,
            "issued": self.ballots,
            "returned": self.ballots,
            "blank": self.blank,
            "invalid": self.invalid,
        }

    def but(self, name: str, votes: int) -> Paper:
        return Paper(self.ballots, {**self.votes, name: votes}, self.blank, self.invalid)


def ballot_names(page: Page) -> list[str]:
    """The candidates of the entry form in ballot order (labels "1. 姓名")."""
    labels = page.locator("fieldset", has_text="候选人得票").locator("label").all_inner_texts()
    return [re.sub(r"^\d+\.\s*", "", t).strip() for t in labels]


def row_of(page: Page, place: str) -> Locator:
    return page.locator("section[aria-labelledby=sheets] tbody tr", has_text=place)


def open_entry(page: Page, round_url: str, place: str) -> int:
    """From the round page to the entry form of a place's sheet; returns the slot."""
    page.goto(round_url)
    click_and_wait(page, row_of(page, place).get_by_role("link", name=re.compile("次录入")))
    title = page.locator("h1").inner_text()
    assert place in title, title
    return int(re.search(r"第(\d)次录入", title).group(1))  # type: ignore[union-attr]


def type_with_keyboard(page: Page, paper: Paper) -> None:
    """As from the paper, top to bottom: the first box has the focus; type, Tab, type…"""
    page.locator("#f-signed_in").wait_for()
    assert page.evaluate("document.activeElement.id") == "f-signed_in"
    names = ballot_names(page)
    values = [*paper.numbers().values(), *(paper.votes.get(n, 0) for n in names)]
    for value in values:
        page.keyboard.type(str(value))
        page.keyboard.press("Tab")
    # Tab went through the boxes in the paper's order: each holds what was typed.
    for key, value in paper.numbers().items():
        assert page.input_value(f"#f-{key}") == str(value), key
    for i, name in enumerate(names, start=1):
        assert page.get_by_label(f"{i}. {name}", exact=True).input_value() == str(
            paper.votes.get(name, 0)
        )
    # The focus has left the candidates for the first write-in name.
    assert page.evaluate("document.activeElement.id") == "w-0-name"


def fill_sheet(page: Page, paper: Paper) -> None:
    for key, value in paper.numbers().items():
        page.fill(f"#f-{key}", str(value))
    for i, name in enumerate(ballot_names(page), start=1):
        page.get_by_label(f"{i}. {name}", exact=True).fill(str(paper.votes.get(name, 0)))


def enter(
    page: Page,
    round_url: str,
    place: str,
    paper: Paper,
    *,
    keyboard: bool = False,
    snap: Any = None,
) -> None:
    slot = open_entry(page, round_url, place)
    (type_with_keyboard if keyboard else fill_sheet)(page, paper)
    if snap is not None:
        snap()
    press(page, f"保存第{slot}次录入")
    expect_text(page, f"已保存{place}计票单的第{slot}次录入")


def confirm(page: Page, round_url: str, place: str) -> None:
    page.goto(round_url)
    click_and_wait(page, row_of(page, place).get_by_role("link", name="核对并确认"))
    press(page, "确认这张计票单")
    expect_text(page, f"已确认{place}计票单")


def count(crew: Crew, round_url: str, sheets: Mapping[str, Paper]) -> None:
    """Both entries of every sheet (member 1, then member 2) and the chair's confirmation."""
    for pg in (crew.member1, crew.member2):
        for place, paper in sheets.items():
            enter(pg, round_url, place, paper)
    for place in sheets:
        confirm(crew.chair, round_url, place)


def announce(page: Page, round_url: str) -> str:
    page.goto(round_url)
    press(page, "宣布本轮结果")
    expect_text(page, "已宣布本轮结果")
    return main_text(page)


def result_rows(page: Page) -> dict[str, tuple[int, str]]:
    """The round's result table: name → (votes, 结果)."""
    out = {}
    table = page.locator("section[aria-labelledby=result] table tbody tr")
    for row in table.all():
        cells = [c.strip() for c in row.locator("td").all_inner_texts()]
        out[cells[0]] = (int(cells[1]), cells[2])
    return out


def field_error(page: Page, field_id: str) -> str:
    """The message beside a form field (Bootstrap's invalid-feedback after the input)."""
    box = page.locator(f"#{field_id}")
    assert "is-invalid" in (box.get_attribute("class") or ""), field_id
    return page.locator(f"#{field_id} ~ .invalid-feedback").inner_text().strip()


def audit_count(action: str) -> int:
    from elections.models import AuditEvent

    return AuditEvent.objects.filter(action=action).count()


# -- the walk ------------------------------------------------------------------------------------


def test_election_day_of_xh01(crew: Crew, screenshots: Path) -> None:
    started = time.monotonic()
    snap = Snapshots(screenshots)
    m1, m2, chair, officer = crew.member1, crew.member2, crew.chair, crew.officer
    a, b = CAST["director_a"], CAST["director_b"]

    # 1. Polling set-up. Member 1 adds the 中心会场 and the 流动票箱 on the overview.
    m1.goto(f"{BASE}/")
    assert "还没有设置投票点" in main_text(m1)
    snap(m1, "overview-empty")
    for kind, name, where in (
        ("中心会场", CENTRAL, "社区服务中心一楼大厅"),
        ("流动票箱", MOBILE, "第一至第四居民小组"),
    ):
        m1.locator("#add-place summary").click()
        m1.get_by_label("类型", exact=True).select_option(label=kind)
        m1.get_by_label("名称", exact=True).fill(name)
        m1.get_by_label("地点或路线", exact=True).fill(where)
        m1.get_by_label("开始", exact=True).fill("08:00")
        m1.get_by_label("结束", exact=True).fill("17:00")
        if kind == "流动票箱":
            snap(m1, "add-place-form")
        press(m1, "添加")
        expect_text(m1, f"已添加{kind}：{name}")
    places = m1.locator("section[aria-labelledby=places] tbody tr").all_inner_texts()
    assert len(places) == 2 and "中心会场" in places[0] and "流动票箱" in places[1], places
    assert "08:00–17:00" in places[1]
    assert audit_count("ballots.place.added") == 2
    snap(m1, "overview-places", key=True)

    # Three 监票人 go with the box; the R35 warning goes with the third.
    m1.get_by_role("link", name="监票计票人员").click()
    m1.wait_for_url(f"**{BASE}/staff/")
    r35 = f"流动票箱“{MOBILE}”只有0名监票人，至少需要3名（规则 R35）"
    assert r35 in main_text(m1)
    snap(m1, "staff-r35-warning", key=True)
    for n in (1, 2, 3):
        name = CAST[f"monitor_{n}"]
        m1.get_by_label("投票点", exact=True).select_option(label=MOBILE)
        m1.get_by_label("职责", exact=True).select_option(label="监票人")
        m1.get_by_label("姓名", exact=True).fill(name)
        press(m1, "安排")
        expect_text(m1, f"已安排{name}担任{MOBILE}的监票人")
        if n == 2:
            assert f"流动票箱“{MOBILE}”只有2名监票人，至少需要3名（规则 R35）" in main_text(m1)
    text = main_text(m1)
    assert f"流动票箱“{MOBILE}”只有" not in text
    assert "开始投票前还要处理" not in text
    assert "各投票点的人员安排符合要求" in text
    snap(m1, "staff-monitors-done", key=True)

    # A voter who cannot leave her bed votes by the mobile box, with the approval.
    m1.goto(f"{BASE}/mobile/")
    assert "随箱监票人3名" in main_text(m1)
    voter = CAST["mobile_voter"]
    m1.get_by_label("流动票箱", exact=True).select_option(label=MOBILE)
    m1.get_by_label("选民姓名", exact=True).fill(voter)
    m1.get_by_label("不能到场的原因", exact=True).fill("卧床")
    assert m1.get_by_label("批准机关", exact=True).input_value()  # the approver the profile names
    m1.get_by_label("批准日期", exact=True).fill((today() - dt.timedelta(days=1)).isoformat())
    m1.get_by_label("批准文件文号或会议记录", exact=True).fill("12月2日居民代表会议记录")
    snap(m1, "mobile-voter-form")
    press(m1, "登记")
    expect_text(m1, f"已登记{voter}使用流动票箱“{MOBILE}”")
    box = m1.locator("section[aria-labelledby^=box-]")
    assert voter in box.inner_text() and "12月2日居民代表会议记录" in box.inner_text()
    snap(m1, "mobile-voter-added", key=True)

    # 2. Proxies: five to one holder (the 新河 cap, read from the page), a sixth refused.
    m1.goto(f"{BASE}/proxies/")
    cap = int(re.search(r"每位受委托人最多接受(\d+)人的委托", main_text(m1)).group(1))  # type: ignore[union-attr]
    assert cap == 5
    for principal in PRINCIPALS[:cap]:
        m1.get_by_label("委托人姓名", exact=True).fill(principal)
        m1.get_by_label("受委托人姓名", exact=True).fill(HOLDER)
        m1.get_by_label("受委托人是委托人的", exact=True).select_option(label="兄弟姐妹")
        press(m1, "办理委托")
        expect_text(m1, f"已办理{principal}委托{HOLDER}投票")
    assert f"已办理的委托（{cap}项）" in main_text(m1)
    m1.get_by_label("委托人姓名", exact=True).fill(PRINCIPALS[cap])
    m1.get_by_label("受委托人姓名", exact=True).fill(HOLDER)
    m1.get_by_label("受委托人是委托人的", exact=True).select_option(label="兄弟姐妹")
    press(m1, "办理委托")
    beside = field_error(m1, "holder")
    assert "B6" in beside and str(cap) in beside, beside
    assert m1.get_by_label("受委托人姓名", exact=True).input_value() == HOLDER
    assert m1.get_by_label("委托人姓名", exact=True).input_value() == PRINCIPALS[cap]
    assert "不能办理这项委托" in main_text(m1)
    assert f"已办理的委托（{cap}项）" in main_text(m1)
    snap(m1, "proxy-over-cap", key=True)
    # The holder a candidate: refused too.
    candidate = CAST["member_a"]
    m1.get_by_label("委托人姓名", exact=True).fill(PRINCIPALS[cap + 1])
    m1.get_by_label("受委托人姓名", exact=True).fill(candidate)
    m1.get_by_label("受委托人是委托人的", exact=True).select_option(label="子女")
    press(m1, "办理委托")
    beside = field_error(m1, "holder")
    assert "候选人" in beside and "B6" in beside, beside
    assert m1.get_by_label("受委托人姓名", exact=True).input_value() == candidate
    snap(m1, "proxy-holder-candidate", key=True)
    assert audit_count("ballots.proxy.added") == cap

    # 3. The 主任 round. The chair opens it on the overview.
    chair.goto(f"{BASE}/")
    press(chair, "开始主任正式选举")
    expect_text(chair, "已开始主任·正式选举（第1轮），每个投票点一张计票单")
    director_url = chair.url
    assert [t.strip() for t in chair.locator("#cands ~ ol li").all_inner_texts()] == [a, b]
    snap(chair, "director-round-open", key=True)
    central = Paper(22, {a: 15, b: 7})
    mobile = Paper(2, {a: 1, b: 1})
    # Member 1 types entry 1 of the central sheet with the keyboard, as on the paper.
    enter(m1, director_url, CENTRAL, central, keyboard=True, snap=lambda: snap(m1, "entry-1-typed"))
    assert "您已录入，等待另一位工作人员" in row_of(m1, CENTRAL).inner_text()
    snap(m1, "director-after-entry-1")
    # Blind: member 2's form is empty; one number typed differently.
    open_entry(m2, director_url, CENTRAL)
    assert m2.input_value("#f-signed_in") == ""
    m2.goto(director_url)
    enter(
        m2,
        director_url,
        CENTRAL,
        central.but(b, 6),
        snap=lambda: snap(m2, "entry-2-one-number-different"),
    )
    assert "两次录入不一致" in row_of(m2, CENTRAL).inner_text()
    for pg in (m1, m2):
        enter(pg, director_url, MOBILE, mobile)
    # The chair sees the difference, field by field.
    chair.goto(director_url)
    click_and_wait(chair, row_of(chair, CENTRAL).get_by_role("link", name="处理差异"))
    diffs = chair.locator("section[aria-labelledby=diff] tbody tr").all_inner_texts()
    assert len(diffs) == 1, diffs
    assert b in diffs[0] and re.search(r"7\s+6", diffs[0]), diffs
    # Who typed each entry, by name.
    assert "第一次录入：胡刚" in main_text(chair) and "第二次录入：周敏" in main_text(chair)
    snap(chair, "review-difference", key=True)
    press(chair, "第一次录入是对的，保留")
    expect_text(chair, "已保留第1次录入")
    assert "两次录入一致，待确认" in chair.locator("h1").inner_text()
    assert "主任保留第1次录入" in main_text(chair)
    snap(chair, "review-kept-entry-1")
    press(chair, "确认这张计票单")
    expect_text(chair, f"已确认{CENTRAL}计票单")
    confirm(chair, director_url, MOBILE)
    assert "（李元丰 " in row_of(chair, CENTRAL).inner_text()
    snap(chair, "director-sheets-confirmed")
    text = announce(chair, director_url)
    rows = result_rows(chair)
    assert rows[a] == (16, "当选") and rows[b] == (8, ""), rows
    assert "参加投票（收回选票）\n24人" in text or "24人" in text
    assert "本职位选举完成" in text
    snap(chair, "director-result", key=True)
    assert audit_count("ballots.entry.kept") == 1

    # 4. 委员: a tie at the last seat goes to a 再次投票 (R28).
    ma, mb, mc, md = (CAST[k] for k in ("member_a", "member_b", "member_c", "member_d"))
    chair.goto(f"{BASE}/")
    press(chair, "开始委员正式选举")
    member_url = chair.url
    count(
        crew,
        member_url,
        {
            CENTRAL: Paper(22, {ma: 16, mb: 13, mc: 13, md: 2}),
            MOBILE: Paper(2, {ma: 1, mb: 1, mc: 1, md: 1}),
        },
    )
    text = announce(chair, member_url)
    rows = result_rows(chair)
    assert rows[ma] == (17, "当选"), rows
    assert rows[mb] == (14, "得票相同，需再次投票") and rows[mc] == (14, "得票相同，需再次投票")
    assert "再次投票（R28）" in text
    snap(chair, "member-tie", key=True)
    press(chair, "开始再次投票（应选1名）")
    revote_url = chair.url
    text = main_text(chair)
    assert "委员·再次投票（第3轮）" in text and "只对得票相同的人投票" in text
    assert [
        t.split("（")[0].strip() for t in chair.locator("#cands ~ ol li").all_inner_texts()
    ] == [
        mb,
        mc,
    ]
    snap(chair, "revote-open", key=True)
    # Member 2 types 6 for 7: the chair sends entry 2 back and it is typed again.
    revote_central = Paper(22, {mb: 15, mc: 7})
    enter(m1, revote_url, CENTRAL, revote_central)
    enter(m2, revote_url, CENTRAL, revote_central.but(mc, 6))
    for pg in (m1, m2):
        enter(pg, revote_url, MOBILE, Paper(0, {}))
    chair.goto(revote_url)
    click_and_wait(chair, row_of(chair, CENTRAL).get_by_role("link", name="处理差异"))
    diffs = chair.locator("section[aria-labelledby=diff] tbody tr").all_inner_texts()
    assert len(diffs) == 1 and mc in diffs[0] and re.search(r"7\s+6", diffs[0]), diffs
    chair.get_by_label("退回理由（可不填）", exact=True).fill("对照纸质计票单，第二次录入少计一票")
    press(chair, "退回第二次录入")
    expect_text(chair, "已退回第2次录入，请重新录入")
    assert "1 / 2" in row_of(chair, CENTRAL).inner_text()
    snap(chair, "revote-sent-back", key=True)
    enter(m2, revote_url, CENTRAL, revote_central)
    for place in (CENTRAL, MOBILE):
        confirm(chair, revote_url, place)
    assert audit_count("ballots.entry.sent_back") == 1
    text = announce(chair, revote_url)
    rows = result_rows(chair)
    assert rows[mb] == (15, "当选") and rows[mc][1] == "", rows
    assert "本职位选举完成" in text
    snap(chair, "revote-result", key=True)

    # 5. 副主任: no one has a majority → 另行选举, won with exactly one third (R31).
    da, db = CAST["deputy_a"], CAST["deputy_b"]
    chair.goto(f"{BASE}/")
    press(chair, "开始副主任正式选举")
    deputy_url = chair.url
    count(
        crew,
        deputy_url,
        {CENTRAL: Paper(22, {da: 11, db: 9}, blank=2), MOBILE: Paper(2, {da: 1, db: 1})},
    )
    text = announce(chair, deputy_url)
    rows = result_rows(chair)
    assert rows[da] == (12, "") and rows[db] == (10, ""), rows  # 12 of 24: not over half
    assert "有名额没有选出，另行选举（R31）（缺额1名）" in text
    snap(chair, "deputy-shortfall", key=True)
    assert (
        chair.get_by_label("另行选举日期", exact=True).input_value()
        == (today() + dt.timedelta(days=ELECTION_DAY_AHEAD)).isoformat()
    )
    press(chair, "开始另行选举（应选1名）")
    runoff_url = chair.url
    text = main_text(chair)
    assert "副主任·另行选举（第5轮）" in text
    assert "不少于已投选票总数的三分之一（R31）" in text
    snap(chair, "runoff-open", key=True)
    # 18 ballots cast: 6 is exactly one third.
    count(crew, runoff_url, {CENTRAL: Paper(18, {da: 6, db: 5}, blank=7), MOBILE: Paper(0, {})})
    text = announce(chair, runoff_url)
    rows = result_rows(chair)
    assert rows[da] == (6, "当选") and rows[db] == (5, ""), rows
    assert "参加投票（收回选票）\n18人" in text or "18人" in text
    assert "依据 R31" in text
    snap(chair, "runoff-one-third", key=True)
    assert audit_count("ballots.round.closed") == 5

    # 7 (before 6: the certification waits for the party track and then locks it).
    #    The 党员大会: first without quorum (7 of 10 is not over four fifths) → 流会.
    chair.goto(f"{BASE}/party/")
    text = main_text(chair)
    assert "应到会有选举权人数 10 人" in text
    chair.get_by_label("实到会有选举权的党员人数", exact=True).fill("7")
    press(chair, "登记党员大会到会人数")
    expect_text(chair, "到会人数不足，流会")
    assert chair.get_by_role("button", name="开始委员正式选举（发放选票）").count() == 0
    assert "党员大会达到法定到会人数后，才能开始选举" in main_text(chair)
    snap(chair, "party-no-quorum", key=True)
    # Convened again: 9 of 10.
    chair.get_by_label("实到会有选举权的党员人数", exact=True).fill("9")
    press(chair, "登记重新召开的党员大会")
    expect_text(chair, "到会人数符合规定，选举有效进行")
    snap(chair, "party-quorum")
    press(chair, "开始委员正式选举（发放选票）")
    expect_text(chair, "请发放选票")
    party_url = chair.url
    snap(chair, "party-round-open")
    party_paper = {
        "issued": 9,
        "returned": 9,
        "invalid": 0,
        PARTY_NAMES[0]: 8,
        PARTY_NAMES[1]: 7,
        PARTY_NAMES[2]: 6,
        PARTY_NAMES[3]: 3,
    }
    # Double entry: the chair, then the street officer (the party pages let those two).
    for pg, n in ((chair, 1), (officer, 2)):
        pg.goto(party_url)
        click_and_wait(pg, pg.get_by_role("link", name=re.compile("录入计票单")))
        assert f"第{n}次录入" in pg.locator("h1").inner_text()
        names = ballot_names_party(pg)
        assert sorted(names) == sorted(PARTY_NAMES), names
        for key in ("issued", "returned", "invalid"):
            pg.fill(f"#f-{key}", str(party_paper[key]))
        for i, name in enumerate(names, start=1):
            pg.get_by_label(f"{i}. {name}", exact=True).fill(str(party_paper[name]))
        if n == 2:
            snap(pg, "party-entry-2")
        press(pg, f"保存第{n}次录入")
    chair.goto(party_url)
    assert "两次录入一致，待确认" in main_text(chair)
    click_and_wait(chair, chair.get_by_role("link", name="核对并确认计票单"))
    press(chair, "确认这张计票单")
    expect_text(chair, "已确认计票单，可以宣布本轮结果")
    press(chair, "宣布本轮结果")
    expect_text(chair, "已宣布本轮结果")
    text = main_text(chair)
    for name in PARTY_NAMES[:3]:
        assert re.search(rf"{name}\s+\d+\s+当选", text), name
    assert re.search(rf"{PARTY_NAMES[3]}\s+3\s+未当选", text)
    snap(chair, "party-round-result", key=True)
    # The 书记 (P14): the new committee's first meeting, approved by the 上级.
    chair.goto(f"{BASE}/party/leadership/")
    chair.get_by_label("会议日期", exact=True).fill(today().isoformat())
    chair.get_by_label("书记", exact=True).select_option(label=PARTY_NAMES[0])
    chair.get_by_label("书记得票（可不填）", exact=True).fill("3")
    chair.get_by_label(PARTY_NAMES[1], exact=True).check()
    chair.get_by_label("批准的上级党组织", exact=True).fill("中共长沙市开福区新河街道工作委员会")
    chair.get_by_label("批准日期", exact=True).fill(today().isoformat())
    chair.get_by_label("批准文号", exact=True).fill(APPROVAL_NO)
    snap(chair, "party-secretary-form")
    press(chair, "登记书记、副书记和上级批准")
    expect_text(chair, "已登记书记、副书记和上级党组织的批准")
    chair.goto(f"{BASE}/party/")
    assert f"党组织换届选举已完成，书记、副书记已经上级党组织批准（{APPROVAL_NO}）" in main_text(
        chair
    )
    snap(chair, "party-done")
    chair.get_by_role("link", name="选举结果报告").first.click()
    chair.wait_for_url(f"**{BASE}/party/report/")
    report = main_text(chair)
    assert APPROVAL_NO in report and PARTY_NAMES[0] in report
    snap(chair, "party-report", key=True)

    # 6. Certification by the street officer.
    officer.goto(f"{BASE}/certify/")
    text = main_text(officer)
    assert "可以确认" in text and "还不能确认" not in text, text
    snap(officer, "certify-ready", key=True)
    press(officer, "确认选举结果")
    expect_text(officer, "选举结果已确认，生成当选证书")
    text = main_text(officer)
    assert "任洁琳 于" in text
    sha = officer.locator("section[aria-labelledby=done] code").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", sha), sha
    certificates = officer.locator("section[aria-labelledby=done] tbody tr")
    winners = {a, ma, mb, da}
    listed = certificates.all_inner_texts()
    assert len(listed) == len(winners), listed
    assert all(any(w in row for row in listed) for w in winners), listed
    snap(officer, "certified", key=True)
    link = certificates.filter(has_text=a).get_by_role("link", name="下载 PDF")
    pdf = officer.request.get(str(link.get_attribute("href")))
    assert pdf.ok and pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.body().startswith(b"%PDF")
    from ballots.models import Certification
    from elections.models import Notice

    cert = Certification.objects.get(election__community__code=CODE, revoked_at__isnull=True)
    assert cert.sha256 == sha
    assert set(
        Notice.objects.filter(election__community__code=CODE, kind__in=("N13", "N14")).values_list(
            "kind", flat=True
        )
    ) == {"N13", "N14"}
    assert audit_count("ballots.result.certified") == 1
    # The archive: built on commit of the certification (the Celery task runs eagerly
    # here); the officer downloads the zip and checks it against its manifest, by hand
    # (every file's SHA-256) and with the page's verification form.
    officer.get_by_role("link", name="查看归档、下载和核对清单").click()
    expect_text(officer, "已生成")
    snap(officer, "archive", key=True)
    response = officer.request.get(f"{BASE}/archive/archive.zip")
    assert response.ok and response.headers["content-type"].startswith("application/zip")
    blob = response.body()
    with zipfile.ZipFile(io.BytesIO(blob)) as bundle:
        manifest = bundle.read("MANIFEST.sha256").decode()
        lines = [line.split("  ", 1) for line in manifest.splitlines() if line]
        assert {"archive.pdf"} <= {name for _, name in lines}
        for digest, name in lines:
            assert hashlib.sha256(bundle.read(name)).hexdigest() == digest, name
    shown = officer.locator("section[aria-labelledby=state] code").nth(1).inner_text().strip()
    assert shown == hashlib.sha256(manifest.encode()).hexdigest()
    upload: FilePayload = {"name": "archive.zip", "mimeType": "application/zip", "buffer": blob}
    officer.set_input_files("#zip", files=[upload])
    press(officer, "核对")
    expect_text(officer, "核对通过")
    assert "清单与系统登记的归档清单一致" in main_text(officer)
    snap(officer, "archive-verified", key=True)

    # The data is locked: a member adding a place is told so.
    m1.goto(f"{BASE}/")
    m1.locator("#add-place summary").click()
    m1.get_by_label("类型", exact=True).select_option(label="投票站")
    m1.get_by_label("名称", exact=True).fill("第二投票站")
    m1.get_by_label("地点或路线", exact=True).fill("社区老年活动室")
    press(m1, "添加")
    expect_text(m1, "本社区选举结果已经确认，数据已锁定")
    assert "第二投票站" not in m1.locator("section[aria-labelledby=places] table").inner_text()
    snap(m1, "locked-after-certification", key=True)

    snap.copy_key()
    elapsed = time.monotonic() - started
    print(f"election-day walk: {snap.count} screenshots in {screenshots}, {elapsed:.0f} s")


def ballot_names_party(page: Page) -> list[str]:
    labels = page.locator("fieldset", has_text="候选人赞成票").locator("label").all_inner_texts()
    return [re.sub(r"^\d+\.\s*", "", t).strip() for t in labels]
