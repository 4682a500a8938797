"""The street dashboard: both tracks' stages and the next deadline, in a pinned
number of queries whatever the number of communities (STYLE.md habit 8)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from elections import services
from elections.models import Community
from tests.conftest import Cast


def add_communities(cast: Cast, count: int) -> None:
    for index in range(count):
        community = Community.objects.create(
            street=cast.street, code=f"XX{index:02}", name=f"测试{index}社区"
        )
        services.add_community_to_cycle(cast.cycle, community, actor=cast.admin)


def dashboard_queries(cast: Cast, django_assert_num_queries, expected: int) -> str:
    client = Client()
    client.force_login(get_user_model().objects.get(pk=cast.users["officer"].pk))
    with django_assert_num_queries(expected):
        # 1 session, 2 user, 3 the user's object permissions (scope), 4 the
        # community elections with communities, streets, cycles and profiles,
        # 5 their milestones (prefetch), 6 rest days of the period, 7 role labels
        # for the navigation bar.
        response = client.get("/dashboard/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("extra", [0, 12])
def test_dashboard_query_count_does_not_grow_with_communities(
    cast: Cast, django_assert_num_queries, extra: int
) -> None:
    add_communities(cast, extra)
    body = dashboard_queries(cast, django_assert_num_queries, 7)
    assert body.count('href="/c/') == 2 + extra


def test_dashboard_shows_stages_next_deadline_and_problems(cast: Cast) -> None:
    cast.election_a.party_stage = "congress"
    cast.election_a.save()
    milestone = cast.election_a.milestones.get(kind="voter_list_published")
    # An unlawful date without a reason is counted as a problem for the community.
    type(milestone).objects.filter(pk=milestone.pk).update(date=cast.election_a.election_day)
    response = cast.client("officer").get("/dashboard/")
    rows = {row.election.community.code: row for row in response.context["rows"]}
    assert rows["XH01"].problems >= 1
    assert rows["XH02"].problems == 0
    today = timezone.localdate()
    upcoming = [m for m in cast.election_b.milestones.order_by("date") if m.date >= today]
    assert rows["XH02"].next_milestone == upcoming[0]
    assert rows["XH02"].days_left == (upcoming[0].date - today).days
    body = response.content.decode()
    assert "党员大会" in body and "准备" in body


def test_dashboard_next_deadline_skips_past_milestones(cast: Cast) -> None:
    today = timezone.localdate()
    milestones = list(cast.election_a.milestones.order_by("date"))
    for index, m in enumerate(milestones):
        m.date = today - dt.timedelta(days=len(milestones) - index)
    type(milestones[0]).objects.bulk_update(milestones, ["date"])
    last = milestones[-1]
    last.date = today + dt.timedelta(days=2)
    last.save()
    response = cast.client("officer").get("/dashboard/")
    rows = {row.election.community.code: row for row in response.context["rows"]}
    assert rows["XH01"].next_milestone == last
    assert rows["XH01"].days_left == 2
