"""The polling-preparation pages (投票点, 监票计票人员, 流动票箱选民) against the cast
of roles, the staff form's R8 refusals beside the field, the R35 monitor warning,
removals that need a reason and are audited, double submissions, and the lock of a
certified result."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ballots import proxies, services, staff
from ballots.certification import LOCKED_MESSAGE
from ballots.models import Certification
from ballots.polling_models import MobileBoxVoter, PollingStaff, Proxy, StaffRole
from ballots.services import BallotsError
from candidates.services.kinship import add_relation
from elections.models import AuditEvent
from elections.registration.models import Voter
from tests.ballots.helpers import Day, day
from tests.candidates.committee_slate_helpers import voters
from tests.candidates.test_slate_pages import ROLES, _check, client_for
from tests.conftest import Cast

READERS = {"officer", "supervisor", "org_reviewer", "member_a", "chair_a"}
EDITORS = {"officer", "member_a", "chair_a"}
XH02_EDITORS = {"officer", "member_b"}
EARLY = dt.date(2027, 1, 10)

STAFF = "/c/XH01/ballots/staff/"
MOBILE = "/c/XH01/ballots/mobile/"
PLACES = "/c/XH01/ballots/places/"


@pytest.fixture
def d(cast: Cast) -> Day:
    return day(cast)


@pytest.fixture
def roll(d: Day) -> dict[str, Voter]:
    names = {f"工作{i}": "女" for i in range(6)} | {"孙大爷": "男", "周奶奶": "女"}
    out = voters(d.election, d.cast.users["officer"], names)
    Voter.objects.filter(pk__in=[v.pk for v in out.values()]).update(group="第一居民小组")
    return out


def _central(d: Day) -> Any:
    return d.places[0]


def _box(d: Day) -> Any:
    return d.places[1]


def _staff_form(d: Day, name: str, role: str = StaffRole.ISSUER, **extra: str) -> dict[str, Any]:
    return {"action": "add", "place": str(_central(d).pk), "role": role, "name": name, **extra}


def _mobile_form(d: Day, name: str, **extra: str) -> dict[str, Any]:
    data = {
        "action": "add",
        "place": str(_box(d).pk),
        "name": name,
        "reason": "卧床",
        "approved_by": "",
        "approved_on": "2027-01-12",
        "document": "新街办〔2027〕3号",
    }
    return data | extra


# -- the cast of roles ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_pages_answer_each_role(d: Day, roll: dict[str, Voter], role: str) -> None:
    staff.add_staff(_central(d), role=StaffRole.ISSUER, voter=roll["工作0"], actor=d.member)
    staff.add_mobile_voter(
        _box(d), roll["孙大爷"], approved_on=EARLY, document="新街办〔2027〕1号", actor=d.member
    )
    client = client_for(d.cast, role)
    pages = {
        PLACES: READERS,
        STAFF: READERS,
        MOBILE: READERS,
        # XH02 belongs to member_b, not to XH01's committee
        "/c/XH02/ballots/places/": {"officer", "supervisor", "org_reviewer", "member_b"},
        "/c/XH02/ballots/staff/": {"officer", "supervisor", "org_reviewer", "member_b"},
        "/c/XH02/ballots/mobile/": {"officer", "supervisor", "org_reviewer", "member_b"},
    }
    for url, allowed in pages.items():
        response = client.get(url)
        _check(response, role, allowed, url)
        if role in allowed:
            assert response.status_code == 200, url
            page = response.content.decode()
            assert roll["工作0"].id_masked not in page  # masked IDs only to tell namesakes
            if url.startswith("/c/XH01/"):
                assert "流动票箱一" in page
                if url == STAFF:
                    assert "工作0" in page
                if url == MOBILE:
                    assert "孙大爷" in page and "新街办〔2027〕1号" in page
            else:
                assert "工作0" not in page and "孙大爷" not in page


@pytest.mark.parametrize("role", ROLES)
def test_changes_only_by_the_committee_and_the_street(
    d: Day, roll: dict[str, Voter], role: str
) -> None:
    victim = staff.add_staff(
        _central(d), role=StaffRole.CALLER, voter=roll["工作5"], actor=d.member
    )
    entry = staff.add_mobile_voter(
        _box(d), roll["周奶奶"], approved_on=EARLY, document="新街办〔2027〕1号", actor=d.member
    )
    client = client_for(d.cast, role)
    allowed = role in EDITORS
    posts: list[tuple[str, dict[str, Any]]] = [
        (STAFF, _staff_form(d, "工作1")),
        (STAFF, {"action": "remove", "staff": str(victim.pk), "reason": "临时有事"}),
        (MOBILE, _mobile_form(d, "孙大爷")),
        (MOBILE, {"action": "remove", "entry": str(entry.pk), "reason": "能到场投票"}),
        ("/c/XH02/ballots/staff/", _staff_form(d, "工作2")),  # XH01's place under XH02
        ("/c/XH02/ballots/mobile/", _mobile_form(d, "周奶奶")),
    ]
    for url, data in posts:
        before = AuditEvent.objects.count()
        response = client.post(url, data)
        # XH02's editors reach XH02's page, where XH01's place is not offered
        _check(response, role, EDITORS if url.startswith("/c/XH01/") else XH02_EDITORS, url)
        if not allowed or not url.startswith("/c/XH01/"):
            assert AuditEvent.objects.count() == before, url
    names = set(PollingStaff.objects.values_list("name", flat=True))
    assert ("工作1" in names) is allowed and ("工作5" in names) is not allowed
    assert "工作2" not in names
    mobile = set(MobileBoxVoter.objects.values_list("voter__name", flat=True))
    assert mobile == ({"孙大爷"} if allowed else {"周奶奶"})


def test_places_page_lists_hours_and_points_to_the_one_add_form(
    d: Day, roll: dict[str, Voter]
) -> None:
    for i in range(2):
        staff.add_staff(_box(d), role=StaffRole.MONITOR, voter=roll[f"工作{i}"], actor=d.member)
    page = d.cast.client("member_a").get(PLACES).content.decode()
    assert "中心会场" in page and "流动票箱一" in page and "08:00–17:00" in page
    assert "2人，不足3人" in page
    assert "?add=place#add-place" in page
    overview = d.cast.client("member_a").get("/c/XH01/ballots/?add=place").content.decode()
    assert '<details id="add-place" open>' in overview
    for name in ("places", "staff", "mobile", "proxies"):
        assert f'href="/c/XH01/ballots/{name}/"' in overview
    reader = d.cast.client("supervisor").get(PLACES).content.decode()
    assert "添加投票点" not in reader


# -- the staff form ---------------------------------------------------------------------------


def test_the_staff_form_refuses_a_candidate_and_a_spouse_naming_r8(
    d: Day, roll: dict[str, Voter]
) -> None:
    candidate = d.candidates["钱主任"].voter
    assert candidate is not None
    client = d.cast.client("member_a")
    page = client.post(
        STAFF, _staff_form(d, "钱主任", StaffRole.COUNTER, note="社区干部")
    ).content.decode()
    assert "R8" in page and "不能安排钱主任" in page
    assert 'value="钱主任"' in page and 'value="社区干部"' in page  # the input stays
    assert f'<option value="{StaffRole.COUNTER}" selected>' in page
    assert "is-invalid" in page
    add_relation(d.election, roll["工作3"], candidate, "spouse", actor=d.member)
    page = client.post(STAFF, _staff_form(d, "工作3", StaffRole.MONITOR)).content.decode()
    assert "R8" in page and "近亲属" in page and 'value="工作3"' in page
    # the candidate typed in as "outside the roll" is refused too
    page = client.post(STAFF, _staff_form(d, "钱主任", outside="1")).content.decode()
    assert "R8" in page and 'name="outside" value="1" id="outside" checked' in page
    assert not PollingStaff.objects.exists()
    assert not AuditEvent.objects.filter(action="ballots.staff.added").exists()


def test_someone_outside_the_roll_and_bad_input(d: Day, roll: dict[str, Voter]) -> None:
    client = d.cast.client("officer")
    page = client.post(STAFF, _staff_form(d, "街道老王")).content.decode()
    assert "本社区选民名册中没有“街道老王”" in page and "名册外人员" in page
    assert not PollingStaff.objects.exists()
    response = client.post(STAFF, _staff_form(d, "街道老王", outside="1", note="街道办事处"))
    assert response.status_code == 302
    person = PollingStaff.objects.get()
    assert person.voter is None and person.note == "街道办事处"
    page = client.get(STAFF).content.decode()
    assert "名册外：街道办事处" in page
    # nonsense never gives a 500
    for data in (
        {"action": "add", "place": "x", "role": "boss", "name": ""},
        {"action": "add", "place": str(_central(d).pk), "role": "boss", "name": "工作1"},
        {"action": "remove", "staff": "abc", "reason": "x"},
    ):
        assert client.post(STAFF, data).status_code in (200, 302)
    assert PollingStaff.objects.count() == 1
    assert client.post(STAFF, {"action": "dance"}).status_code == 404


def test_namesakes_are_told_apart_by_group_and_masked_id(d: Day, roll: dict[str, Voter]) -> None:
    other = voters(d.election, d.cast.users["officer"], {"占位": "男", "另一人": "男"})
    Voter.objects.filter(pk=other["另一人"].pk).update(name="工作0", group="第二居民小组")
    client = d.cast.client("member_a")
    page = client.post(STAFF, _staff_form(d, "工作0")).content.decode()
    assert "是哪一位" in page and "第一居民小组" in page and "第二居民小组" in page
    assert roll["工作0"].id_masked in page
    assert not PollingStaff.objects.exists()
    client.post(STAFF, _staff_form(d, "工作0", name_id=str(other["另一人"].pk)))
    assert PollingStaff.objects.get().voter_id == other["另一人"].pk


def test_monitor_warning_with_two_and_none_with_three(d: Day, roll: dict[str, Voter]) -> None:
    client = d.cast.client("member_a")
    for i in range(2):
        form = _staff_form(d, f"工作{i}", StaffRole.MONITOR, place=str(_box(d).pk))
        client.post(STAFF, form)
    page = client.get(STAFF).content.decode()
    assert "流动票箱“流动票箱一”只有2名监票人，至少需要3名" in page
    assert "再安排1名监票人" in page
    assert "随箱监票人只有2名" in client.get(MOBILE).content.decode()
    client.post(STAFF, _staff_form(d, "工作2", StaffRole.MONITOR, place=str(_box(d).pk)))
    page = client.get(STAFF).content.decode()
    assert "只有" not in page and "至少需要" not in page
    assert "各投票点的人员安排符合要求" in page
    assert "随箱监票人只有" not in client.get(MOBILE).content.decode()


def test_a_staff_member_who_became_a_relative_is_flagged(d: Day, roll: dict[str, Voter]) -> None:
    staff.add_staff(_central(d), role=StaffRole.COUNTER, voter=roll["工作4"], actor=d.member)
    candidate = d.candidates["赵主任"].voter
    assert candidate is not None
    add_relation(d.election, candidate, roll["工作4"], "parent", actor=d.member)
    page = d.cast.client("member_a").get(STAFF).content.decode()
    assert "中心会场的计票人工作4" in page and "R8" in page and "请撤换工作4" in page


# -- removals, double submissions -------------------------------------------------------------


def test_removal_needs_a_reason_and_is_audited(d: Day, roll: dict[str, Voter]) -> None:
    person = staff.add_staff(
        _central(d), role=StaffRole.WRITER, voter=roll["工作1"], actor=d.member
    )
    entry = staff.add_mobile_voter(
        _box(d), roll["孙大爷"], approved_on=EARLY, document="新街办〔2027〕1号", actor=d.member
    )
    client = d.cast.client("chair_a")
    page = client.post(
        STAFF, {"action": "remove", "staff": str(person.pk), "reason": "  "}
    ).content.decode()
    assert "请填写撤换理由" in page and f'id="r-{person.pk}-error"' in page
    page = client.post(
        MOBILE, {"action": "remove", "entry": str(entry.pk), "reason": ""}
    ).content.decode()
    assert "请填写移出理由" in page and f'id="r-{entry.pk}-error"' in page
    assert PollingStaff.objects.exists() and MobileBoxVoter.objects.exists()
    assert not AuditEvent.objects.filter(action__endswith=".removed").exists()
    client.post(STAFF, {"action": "remove", "staff": str(person.pk), "reason": "生病"})
    client.post(MOBILE, {"action": "remove", "entry": str(entry.pk), "reason": "能到场"})
    assert not PollingStaff.objects.exists() and not MobileBoxVoter.objects.exists()
    removed = AuditEvent.objects.get(action="ballots.staff.removed")
    assert removed.data["理由"] == "生病" and removed.data["姓名"] == "工作1"
    assert removed.actor_id == d.chair.pk and removed.community_id == d.election.community_id
    moved = AuditEvent.objects.get(action="ballots.mobile_voter.removed")
    assert moved.data == {"票箱": "流动票箱一", "选民": "孙大爷", "理由": "能到场"}


def test_a_double_submission_creates_no_duplicate(d: Day, roll: dict[str, Voter]) -> None:
    client = d.cast.client("member_a")
    first = client.post(STAFF, _staff_form(d, "工作1"))
    assert first.status_code == 302
    again = client.post(STAFF, _staff_form(d, "工作1")).content.decode()
    assert "工作1已是中心会场的发票人" in again
    assert PollingStaff.objects.count() == 1
    assert AuditEvent.objects.filter(action="ballots.staff.added").count() == 1
    assert client.post(MOBILE, _mobile_form(d, "孙大爷")).status_code == 302
    again = client.post(MOBILE, _mobile_form(d, "孙大爷")).content.decode()
    assert "已登记在流动票箱“流动票箱一”" in again
    assert MobileBoxVoter.objects.count() == 1
    person = PollingStaff.objects.get()
    remove = {"action": "remove", "staff": str(person.pk), "reason": "换人"}
    assert client.post(STAFF, remove).status_code == 302
    stale = client.post(STAFF, remove, follow=True).content.decode()
    assert "可能已经撤换过了" in stale
    entry = MobileBoxVoter.objects.get()
    remove = {"action": "remove", "entry": str(entry.pk), "reason": "能到场"}
    client.post(MOBILE, remove)
    assert "可能已经移出过了" in client.post(MOBILE, remove, follow=True).content.decode()
    assert AuditEvent.objects.filter(action="ballots.staff.removed").count() == 1
    assert AuditEvent.objects.filter(action="ballots.mobile_voter.removed").count() == 1


def test_the_mobile_form_asks_for_the_approval(d: Day, roll: dict[str, Voter]) -> None:
    client = d.cast.client("member_a")
    page = client.get(MOBILE).content.decode()
    assert 'value="街道换届选举指导机构"' in page or 'value="居民代表会议"' in page
    page = client.post(
        MOBILE, _mobile_form(d, "孙大爷", approved_on="明天", document="")
    ).content.decode()
    assert "请填写批准日期" in page and "批准文件或会议记录" in page
    assert 'value="孙大爷"' in page and 'value="卧床"' in page
    page = client.post(MOBILE, _mobile_form(d, "没这人")).content.decode()
    assert "本社区选民名册中没有“没这人”" in page
    central = _mobile_form(d, "孙大爷", place=str(_central(d).pk))
    page = client.post(MOBILE, central).content.decode()
    assert "只能登记到流动票箱" in page  # the central meeting is not a mobile box
    assert not MobileBoxVoter.objects.exists()
    client.post(MOBILE, _mobile_form(d, "孙大爷"))
    entry = MobileBoxVoter.objects.get()
    assert entry.approved_on == dt.date(2027, 1, 12) and entry.approved_by
    event = AuditEvent.objects.get(action="ballots.mobile_voter.added")
    assert event.data["批准文件"] == "新街办〔2027〕3号"


# -- a certified result is locked ----------------------------------------------------------


def test_a_certified_result_locks_staff_mobile_boxes_and_proxies(
    d: Day, roll: dict[str, Voter]
) -> None:
    person = staff.add_staff(
        _central(d), role=StaffRole.ISSUER, voter=roll["工作0"], actor=d.member
    )
    entry = staff.add_mobile_voter(
        _box(d), roll["孙大爷"], approved_on=EARLY, document="新街办〔2027〕1号", actor=d.member
    )
    proxy = proxies.add_proxy(
        d.election,
        principal=roll["工作4"],
        holder=roll["工作5"],
        relation="sibling",
        actor=d.member,
        today=EARLY,
    )
    Certification.objects.create(election=d.election, content={}, sha256="0" * 64)
    before = AuditEvent.objects.count()
    calls: list[Any] = [
        lambda: staff.add_staff(
            _central(d), role=StaffRole.CALLER, voter=roll["工作1"], actor=d.member
        ),
        lambda: staff.remove_staff(person, reason="换人", actor=d.member),
        lambda: staff.add_mobile_voter(
            _box(d), roll["周奶奶"], approved_on=EARLY, document="1号", actor=d.member
        ),
        lambda: staff.remove_mobile_voter(entry, reason="能到场", actor=d.member),
        lambda: proxies.add_proxy(
            d.election,
            principal=roll["工作2"],
            holder=roll["工作3"],
            relation="sibling",
            actor=d.member,
            today=EARLY,
        ),
        lambda: proxies.withdraw_proxy(proxy, reason="回来了", actor=d.member),
    ]
    for call in calls:
        with pytest.raises(BallotsError) as exc:
            call()
        assert exc.value.message == LOCKED_MESSAGE
    client = d.cast.client("member_a")
    for url, data in (
        (STAFF, _staff_form(d, "工作1")),
        (STAFF, {"action": "remove", "staff": str(person.pk), "reason": "换人"}),
        (MOBILE, _mobile_form(d, "周奶奶")),
        (MOBILE, {"action": "remove", "entry": str(entry.pk), "reason": "能到场"}),
        ("/c/XH01/ballots/proxies/", {"action": "add", "principal": "工作2", "holder": "工作3"}),
        ("/c/XH01/ballots/proxies/", {"action": "withdraw", "proxy": str(proxy.pk), "reason": "x"}),
    ):
        response = client.post(url, data)
        assert response.status_code == 200, url
        assert "数据已锁定" in response.content.decode(), url
    assert AuditEvent.objects.count() == before
    assert PollingStaff.objects.count() == 1 and MobileBoxVoter.objects.count() == 1
    assert Proxy.objects.filter(status="active").count() == 1


def test_the_pages_do_not_query_per_row(d: Day, roll: dict[str, Voter]) -> None:
    client = d.cast.client("member_a")
    staff.add_staff(_box(d), role=StaffRole.MONITOR, voter=roll["工作0"], actor=d.member)
    staff.add_mobile_voter(
        _box(d), roll["孙大爷"], approved_on=EARLY, document="新街办〔2027〕1号", actor=d.member
    )
    small = {}
    for url in (PLACES, STAFF, MOBILE):
        client.get(url)
        with CaptureQueriesContext(connection) as q:
            client.get(url)
        small[url] = len(q)
    box2 = services.add_place(
        d.election,
        kind="mobile",
        name="流动票箱二",
        place="四组",
        opens_at=_box(d).opens_at,
        closes_at=_box(d).closes_at,
        actor=d.member,
    )
    for i in range(1, 5):
        staff.add_staff(box2, role=StaffRole.MONITOR, voter=roll[f"工作{i}"], actor=d.member)
    staff.add_staff(
        _central(d), role=StaffRole.ISSUER, name="街道老王", note="街道", actor=d.member
    )
    staff.add_mobile_voter(
        box2, roll["周奶奶"], approved_on=EARLY, document="新街办〔2027〕2号", actor=d.member
    )
    for url in (PLACES, STAFF, MOBILE):
        with CaptureQueriesContext(connection) as q:
            client.get(url)
        assert len(q) == small[url], url
