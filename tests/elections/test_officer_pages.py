"""The street officer's pages: create a cycle, add a community, change an election day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from elections import schedule, services
from elections.calendar import rest_days_around
from elections.models import (
    AuditEvent,
    Community,
    CommunityElection,
    ElectionCycle,
    Milestone,
    Role,
    RuleProfile,
)
from tests.conftest import ELECTION_DAY, ROLE_NAMES, Cast

TODAY = dt.date(2026, 12, 1)
PAGES = ["/cycles/new/", "/communities/new/", "/c/XH01/election-day/"]


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> Iterator[dt.date]:
    """Pages and services read today's date through timezone.localdate()."""
    original = timezone.localdate

    def localdate(value: Any = None, timezone: Any = None) -> dt.date:
        return TODAY if value is None else original(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    yield TODAY


def other_officer(cast: Cast) -> Client:
    user = get_user_model().objects.create_user("qh_officer", password="x-test-pass")
    services.assign_role(user, Role.STREET_OFFICER, cast.other_street, actor=cast.admin)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("role", ROLE_NAMES)
def test_only_the_street_officer_opens_the_pages(cast: Cast, path: str, role: str) -> None:
    response = cast.client(role).get(path)
    if role == "officer":
        assert response.status_code == 200
    elif role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 404


def test_officer_of_another_street_cannot_change_xh01(cast: Cast) -> None:
    client = other_officer(cast)
    assert client.get("/c/XH01/election-day/").status_code == 404
    response = client.post(
        "/c/XH01/election-day/", {"election_day": "2027-02-04", "reason": "经领导小组批准推迟"}
    )
    assert response.status_code == 404
    cast.election_a.refresh_from_db()
    assert cast.election_a.election_day == ELECTION_DAY


def test_officer_of_another_street_cannot_create_a_cycle_for_xh(cast: Cast) -> None:
    response = other_officer(cast).post(
        "/cycles/new/",
        {
            "street": cast.street.pk,
            "term": 12,
            "name": "新河街道第十二届换届",
            "rule_profile": RuleProfile.objects.get(code="xinhe-2020").pk,
            "election_day": "2027-03-01",
        },
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode() or "有效" in response.content.decode()
    assert not ElectionCycle.objects.filter(term=12).exists()


def test_dashboard_links_to_the_officer_pages(cast: Cast) -> None:
    body = cast.client("officer").get("/dashboard/").content.decode()
    assert 'href="/cycles/new/"' in body and 'href="/communities/new/"' in body
    assert (
        'href="/cycles/new/"' not in cast.client("supervisor").get("/dashboard/").content.decode()
    )
    community = cast.client("officer").get("/c/XH01/").content.decode()
    assert 'href="/c/XH01/election-day/"' in community
    assert "/election-day/" not in cast.client("member_a").get("/c/XH01/").content.decode()


# -- creating a cycle --------------------------------------------------------------------


def cycle_post(cast: Cast, **overrides: Any) -> dict[str, Any]:
    data = {
        "street": cast.street.pk,
        "term": 12,
        "name": "新河街道第十二届社区“两委”换届",
        "rule_profile": RuleProfile.objects.get(code="xinhe-2020").pk,
        "election_day": "2027-03-04",
        "party_meeting_day": "2027-02-01",
    }
    data.update(overrides)
    return data


def _finish_the_running_cycle(cast: Cast) -> None:
    CommunityElection.objects.filter(cycle=cast.cycle).update(
        committee_stage="done", party_stage="done"
    )


def test_a_second_cycle_is_refused_while_the_first_is_running(cast: Cast) -> None:
    response = cast.client("officer").post("/cycles/new/", cycle_post(cast))
    assert response.status_code == 200
    assert "还没有完成" in response.content.decode()
    assert "同一街道同时只能进行一次换届" in response.content.decode()
    assert not ElectionCycle.objects.filter(street=cast.street, term=12).exists()


def test_officer_creates_a_cycle_with_every_communitys_schedule(cast: Cast) -> None:
    _finish_the_running_cycle(cast)
    response = cast.client("officer").post("/cycles/new/", cycle_post(cast), follow=True)
    assert response.redirect_chain[-1][0] == "/dashboard/"
    cycle = ElectionCycle.objects.get(street=cast.street, term=12)
    elections = CommunityElection.objects.filter(cycle=cycle)
    assert {e.community.code for e in elections} == {"XH01", "XH02"}
    published = Milestone.objects.get(election__in=elections[:1], kind="voter_list_published")
    assert published.date == dt.date(2027, 3, 4) - dt.timedelta(days=20)
    assert AuditEvent.objects.filter(action="elections.cycle.created", object_id=cycle.pk).exists()
    assert "2 个社区的日程已按选举日生成" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"term": 11}, "第11届换届已经创建过了"),
        ({"election_day": TODAY.isoformat()}, "选举日须在今天（2026年12月1日）之后"),
        ({"election_day": "2027-02-30"}, "有效的日期"),
        ({"name": "   "}, "这个字段是必填项"),
    ],
)
def test_bad_cycle_input_is_refused_with_a_message(
    cast: Cast, overrides: dict[str, Any], message: str
) -> None:
    before = ElectionCycle.objects.count()
    response = cast.client("officer").post("/cycles/new/", cycle_post(cast, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ElectionCycle.objects.count() == before


# -- adding a community ------------------------------------------------------------------


def test_officer_adds_a_community_into_the_current_cycle(cast: Cast) -> None:
    response = cast.client("officer").post(
        "/communities/new/",
        {"street": cast.street.pk, "name": "营盘社区", "code": "xh03", "join_cycle": "on"},
    )
    assert response.status_code == 302 and response["Location"] == "/c/XH03/"
    community = Community.objects.get(code="XH03")
    election = CommunityElection.objects.get(community=community)
    assert election.cycle == cast.cycle
    assert election.milestones.filter(kind="voter_list_published").exists()
    event = AuditEvent.objects.get(action="elections.community.created")
    assert event.data["code"] == "XH03" and event.street_id == cast.street.pk


def test_a_community_may_stay_out_of_the_cycle(cast: Cast) -> None:
    cast.client("officer").post(
        "/communities/new/", {"street": cast.street.pk, "name": "营盘社区", "code": "XH03"}
    )
    assert Community.objects.filter(code="XH03").exists()
    assert not CommunityElection.objects.filter(community__code="XH03").exists()


@pytest.mark.parametrize("code", ["XH01", "QH01", "x", "XH 03"])
def test_community_code_must_be_new_and_well_formed(cast: Cast, code: str) -> None:
    before = Community.objects.count()
    response = cast.client("officer").post(
        "/communities/new/", {"street": cast.street.pk, "name": "营盘社区", "code": code}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "已被使用" in body or "2到20位" in body
    assert Community.objects.count() == before


# -- changing an election day ------------------------------------------------------------


def test_postponing_moves_the_schedule_and_is_audited(cast: Cast) -> None:
    new_day = dt.date(2027, 2, 4)
    response = cast.client("officer").post(
        "/c/XH01/election-day/",
        {"election_day": new_day.isoformat(), "reason": "经街道换届领导小组批准，因寒潮推迟"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/c/XH01/schedule/"
    assert "选举日已改为2027年2月4日" in response.content.decode()
    election = CommunityElection.objects.get(pk=cast.election_a.pk)
    assert election.election_day == new_day
    dates = dict(election.milestones.values_list("kind", "date"))
    defaults = schedule.default_dates(
        election_day=new_day,
        party_meeting_day=election.party_meeting_day,
        params=cast.cycle.rule_profile.params(),
        rest_days=rest_days_around(new_day),
    )
    for kind in ("voter_list_published", "formal_candidates_published", "election_day"):
        assert dates[kind] == defaults[kind]
    assert dates["handover_deadline"] == new_day + dt.timedelta(days=10)
    # The party track does not follow the committee's election day.
    assert dates["party_congress"] == cast.election_a.party_meeting_day
    assert services.schedule_violations(election) == []
    event = AuditEvent.objects.get(action="elections.community_election.election_day_changed")
    assert event.data["from"] == ELECTION_DAY.isoformat()
    assert event.data["to"] == new_day.isoformat()
    assert "voter_list_published" in event.data["moved"]
    assert event.community_id == cast.community_a.pk
    # The other community keeps its day.
    cast.election_b.refresh_from_db()
    assert cast.election_b.election_day == ELECTION_DAY


def test_done_milestones_stay_and_warn_when_now_unlawful(cast: Cast) -> None:
    officer = cast.users["officer"]
    published = Milestone.objects.get(election=cast.election_a, kind="voter_list_published")
    services.complete_milestone(published, published.date, actor=officer, today=published.date)
    result = services.change_election_day(
        cast.election_a,
        dt.date(2027, 1, 20),
        reason="经街道换届领导小组批准提前",
        actor=officer,
        today=published.date,
    )
    published.refresh_from_db()
    assert published.done_on == published.date == dt.date(2027, 1, 8)
    assert [w.rule_id for w in result.warnings] == ["R12"]
    assert "voter_list_published" not in result.moved
    event = AuditEvent.objects.get(action="elections.community_election.election_day_changed")
    assert event.data["violations"][0].startswith("R12")


@pytest.mark.parametrize(
    ("day", "reason", "message"),
    [
        ("2027-02-04", "", "这个字段是必填项"),
        ("2027-02-04", "x", "至少6个字"),
        ("2027-02-04", "推迟推迟", "至少6个字"),
        (TODAY.isoformat(), "经街道换届领导小组批准", "之后"),
        (ELECTION_DAY.isoformat(), "经街道换届领导小组批准", "相同"),
    ],
)
def test_bad_postponement_is_refused_and_changes_nothing(
    cast: Cast, day: str, reason: str, message: str
) -> None:
    response = cast.client("officer").post(
        "/c/XH01/election-day/", {"election_day": day, "reason": reason}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    cast.election_a.refresh_from_db()
    assert cast.election_a.election_day == ELECTION_DAY
    assert not AuditEvent.objects.filter(
        action="elections.community_election.election_day_changed"
    ).exists()


def test_the_page_shows_the_schedules_violations_with_rule_ids(cast: Cast) -> None:
    Milestone.objects.filter(election=cast.election_a, kind="voter_list_published").update(
        date=ELECTION_DAY - dt.timedelta(days=10), exception_reason="经领导小组批准推迟"
    )
    body = cast.client("officer").get("/c/XH01/election-day/").content.decode()
    assert "规则 R12" in body


def test_election_day_cannot_change_after_voting(cast: Cast) -> None:
    CommunityElection.objects.filter(pk=cast.election_a.pk).update(committee_stage="results")
    with pytest.raises(services.ElectionsError, match="投票阶段"):
        services.change_election_day(
            cast.election_a,
            dt.date(2027, 2, 4),
            reason="经街道换届领导小组批准",
            actor=cast.users["officer"],
            today=TODAY,
        )
