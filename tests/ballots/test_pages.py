"""The election-day pages against the cast of roles, the entry form's round trip (blank
is not zero, nothing half-saved, checks beside their fields), the chair's field-by-field
comparison and confirmation, round buttons, the check-code help page, and pinned query
counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ballots import checks, services
from ballots.models import SheetStatus, TallyEntry
from elections.models import AuditEvent
from tests.ballots.helpers import Day, count, day, numbers, sheets, zero
from tests.candidates.test_slate_pages import ROLES, _check, client_for
from tests.conftest import Cast

READERS = {"officer", "supervisor", "org_reviewer", "member_a", "chair_a"}
ENTERERS = {"officer", "member_a", "chair_a"}
CHAIRS = {"officer", "chair_a"}


@pytest.fixture
def d(cast: Cast) -> Day:
    return day(cast)


@pytest.fixture
def opened(d: Day) -> dict[str, Any]:
    r = services.open_formal_round(d.election, "director", actor=d.chair)
    first, second = sheets(r)
    services.enter(first, numbers(r, {"赵主任": 10, "钱主任": 4}, signed_in=15), actor=d.member2)
    services.enter(first, numbers(r, {"赵主任": 10, "钱主任": 3}, signed_in=15), actor=d.chair)
    return {"round": r, "first": first, "second": second}


def _pages(o: dict[str, Any]) -> dict[str, set[str]]:
    r, first, second = o["round"], o["first"], o["second"]
    return {
        "/c/XH01/ballots/": READERS,
        f"/c/XH01/ballots/rounds/{r.pk}/": READERS,
        f"/c/XH01/ballots/sheets/{second.pk}/enter/": ENTERERS,
        f"/c/XH01/ballots/sheets/{first.pk}/review/": CHAIRS,
        f"/c/XH02/ballots/rounds/{r.pk}/": set(),  # XH01's round under XH02's address
        f"/c/XH02/ballots/sheets/{second.pk}/enter/": set(),
        "/c/XH02/ballots/": {"officer", "supervisor", "org_reviewer", "member_b"},
    }


@pytest.mark.parametrize("role", ROLES)
def test_pages_answer_each_role(cast: Cast, opened: dict[str, Any], role: str) -> None:
    client = client_for(cast, role)
    for url, allowed in _pages(opened).items():
        response = client.get(url)
        _check(response, role, allowed, url)
        if role in allowed:
            assert response.status_code == 200, url


@pytest.mark.parametrize("role", ROLES)
def test_posts_are_refused_to_readers_and_outsiders(
    cast: Cast, opened: dict[str, Any], role: str
) -> None:
    r, first, second = opened["round"], opened["first"], opened["second"]
    posts = {
        "/c/XH01/ballots/": ({"action": "formal", "post": "member"}, CHAIRS),
        f"/c/XH01/ballots/rounds/{r.pk}/": ({"action": "void", "grounds": ["procedure"]}, CHAIRS),
        f"/c/XH01/ballots/sheets/{second.pk}/enter/": ({"signed_in": "1"}, ENTERERS),
        f"/c/XH01/ballots/sheets/{first.pk}/review/": ({"action": "keep-1"}, CHAIRS),
    }
    client = client_for(cast, role)
    for url, (data, allowed) in posts.items():
        before = AuditEvent.objects.count()
        response = client.post(url, data)
        _check(response, role, allowed, url)
        if role not in allowed:
            assert AuditEvent.objects.count() == before, url


def test_the_help_page_lists_every_code(cast: Cast) -> None:
    page = cast.client("member_a").get("/ballots/checks/").content.decode()
    for spec in checks.CHECKS:
        assert spec.code in page and spec.title in page


def _form(r: Any, votes: dict[str, str], **fields: str) -> dict[str, str]:
    by_name = {rc.name: f"votes-c{rc.pk}" for rc in r.candidates.all()}
    data = {"signed_in": "15", "issued": "15", "returned": "15", "blank": "1", "invalid": "0"}
    data |= fields
    data |= {by_name[name]: v for name, v in votes.items()}
    return data


def test_a_blank_box_is_not_zero_and_nothing_is_saved(d: Day) -> None:
    r = services.open_formal_round(d.election, "director", actor=d.chair)
    sheet = sheets(r)[0]
    client = d.cast.client("member_a")
    url = f"/c/XH01/ballots/sheets/{sheet.pk}/enter/"
    response = client.post(url, _form(r, {"赵主任": "10", "钱主任": ""}, issued="十五"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "发出选票数请填写0或正整数" in page
    assert 'value="10"' in page  # the typed numbers stay in the form
    assert not TallyEntry.objects.exists()
    response = client.post(url, _form(r, {"赵主任": "10", "钱主任": ""}))
    page = response.content.decode()
    assert "E01" in page and "请填写钱主任的得票数" in page
    assert not TallyEntry.objects.exists()


def test_a_sheet_with_warnings_is_saved_after_the_typist_checks_it(d: Day) -> None:
    r = services.open_formal_round(d.election, "director", actor=d.chair)
    sheet = sheets(r)[0]
    client = d.cast.client("member_a")
    url = f"/c/XH01/ballots/sheets/{sheet.pk}/enter/"
    data = _form(r, {"赵主任": "10", "钱主任": "4"}, signed_in="16")  # W01
    page = client.post(url, data).content.decode()
    assert "W01" in page and "我已核对" in page
    assert not TallyEntry.objects.exists()
    response = client.post(url, data | {"checked": "1"})
    assert response.status_code == 302
    entry = TallyEntry.objects.get()
    assert entry.numbers["signed_in"] == 16 and entry.entered_by == d.member


def test_two_entries_by_form_then_differences_kept_and_confirmed(d: Day) -> None:
    r = services.open_formal_round(d.election, "director", actor=d.chair)
    sheet = sheets(r)[0]
    url = f"/c/XH01/ballots/sheets/{sheet.pk}/enter/"
    assert (
        d.cast.client("member_a").post(url, _form(r, {"赵主任": "10", "钱主任": "4"})).status_code
        == 302
    )
    other = d.cast.client("member_a")
    other.force_login(d.member2)
    assert other.post(url, _form(r, {"赵主任": "10", "钱主任": "3"})).status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.DIFFERENT
    chair = d.cast.client("chair_a")
    review = f"/c/XH01/ballots/sheets/{sheet.pk}/review/"
    page = chair.get(review).content.decode()
    assert "钱主任 得票" in page and "第一次录入是对的，保留" in page
    assert (
        chair.post(review, {"action": "keep-1", "version": str(sheet.version)}).status_code == 302
    )
    sheet.refresh_from_db()
    page = chair.get(review).content.decode()
    assert "确认" in page
    response = chair.post(review, {"action": "confirm", "version": str(sheet.version)})
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.chosen is not None
    assert (
        sheet.status == SheetStatus.CONFIRMED
        and sheet.chosen.numbers["votes"][f"c{r.candidates.get(name='钱主任').pk}"] == 4
    )


def test_confirm_with_a_missing_explanation_shows_the_field(d: Day) -> None:
    r = services.open_formal_round(d.election, "director", actor=d.chair)
    sheet = sheets(r)[0]
    nums = numbers(r, {"赵主任": 10, "钱主任": 3}, signed_in=16, issued=15, returned=15)  # W01
    services.enter(sheet, nums, actor=d.member)
    services.enter(sheet, nums, actor=d.member2)
    chair = d.cast.client("chair_a")
    review = f"/c/XH01/ballots/sheets/{sheet.pk}/review/"
    page = chair.post(review, {"action": "confirm"}).content.decode()
    assert "请写明原因" in page and 'name="explain-W01"' in page
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.MATCHED
    chair.post(review, {"action": "confirm", "explain-W01": "一位选民代领"})
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.CONFIRMED and sheet.explanations == {"W01": "一位选民代领"}


def test_round_page_closes_and_offers_the_next_step(d: Day) -> None:
    r = services.open_formal_round(d.election, "member", actor=d.chair)
    count(
        d,
        r,
        [
            numbers(r, {"孙委": 12, "李委": 12, "周委": 9, "吴委": 9}, signed_in=15, blank=1),
            zero(r),
        ],
        close=False,
    )
    chair = d.cast.client("chair_a")
    url = f"/c/XH01/ballots/rounds/{r.pk}/"
    assert chair.post(url, {"action": "close"}).status_code == 302
    page = chair.get(url).content.decode()
    assert "得票相同" in page and "开始再次投票（应选1名）" in page and "R28" in page
    response = chair.post(url, {"action": "revote"})
    assert response.status_code == 302
    r.refresh_from_db()
    follower = r.followers.get()
    assert response["Location"] == f"/c/XH01/ballots/rounds/{follower.pk}/"


def test_the_runoff_date_is_checked_on_the_page(d: Day) -> None:
    r = services.open_formal_round(d.election, "member", actor=d.chair)
    count(d, r, [numbers(r, {"孙委": 12, "李委": 9, "周委": 5, "吴委": 4}, signed_in=15), zero(r)])
    chair = d.cast.client("chair_a")
    url = f"/c/XH01/ballots/rounds/{r.pk}/"
    page = chair.post(url, {"action": "runoff", "held_on": "2030-01-01"}).content.decode()
    assert "日期不在法定期限内" in page
    assert not r.followers.exists()


def test_overview_and_round_pages_have_pinned_query_counts(d: Day) -> None:
    r = services.open_formal_round(d.election, "director", actor=d.chair)
    client = d.cast.client("chair_a")
    client.get(f"/c/XH01/ballots/rounds/{r.pk}/")
    with CaptureQueriesContext(connection) as small:
        client.get(f"/c/XH01/ballots/rounds/{r.pk}/")
    # session, user, scope, election, round, sheets, entries, candidates, followers, nav
    assert len(small) == 10
    member = d.cast.client("member_a")
    enter = f"/c/XH01/ballots/sheets/{sheets(r)[0].pk}/enter/"
    member.get(enter)
    # session, user, scope, election, sheet with its round and place, candidates,
    # entries, nav
    with CaptureQueriesContext(connection) as typing:
        assert member.get(enter).status_code == 200
    assert len(typing) == 8
    for i in range(6):
        services.add_place(
            d.election,
            kind="station",
            name=f"投票站{i}",
            place="活动室",
            opens_at=d.places[0].opens_at,
            closes_at=d.places[0].closes_at,
            actor=d.member,
        )
    for sheet in sheets(r)[2:]:
        services.enter(sheet, numbers(r, {}, signed_in=0), actor=d.member)
    with CaptureQueriesContext(connection) as big:
        client.get(f"/c/XH01/ballots/rounds/{r.pk}/")
    assert len(big) == len(small)
    with CaptureQueriesContext(connection) as overview:
        client.get("/c/XH01/ballots/")
    assert len(overview) <= 14
