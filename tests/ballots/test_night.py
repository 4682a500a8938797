"""Election night: the street's live view (who has reported, each round's state) and
the result page to project on the wall, against the cast of roles."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ballots import services
from tests.ballots.helpers import Day, count, day, enter_twice, numbers, sheets, zero
from tests.candidates.test_slate_pages import ROLES, _check, client_for
from tests.conftest import Cast

STREET = {"officer", "supervisor", "org_reviewer"}
READERS = STREET | {"member_a", "chair_a"}


@pytest.fixture
def d(cast: Cast) -> Day:
    d = day(cast)
    r = services.open_formal_round(d.election, "director", actor=d.chair)
    count(d, r, [numbers(r, {"赵主任": 10, "钱主任": 4}, signed_in=15, blank=1), zero(r)])
    m = services.open_formal_round(d.election, "member", actor=d.chair)
    enter_twice(d, sheets(m)[0], numbers(m, {"孙委": 9}, signed_in=15))
    return d


@pytest.mark.parametrize("role", ROLES)
def test_night_pages_answer_each_role(d: Day, role: str) -> None:
    client = client_for(d.cast, role)
    for url, allowed in {
        "/ballots/live/": STREET | {"other_officer"},  # each sees their own street
        "/c/XH01/ballots/wall/": READERS,
        "/c/QH01/ballots/wall/": {"org_reviewer", "other_officer"},  # same district
    }.items():
        response = client.get(url)
        _check(response, role, allowed, url)
        if role in allowed:
            assert response.status_code == 200
    if role == "other_officer":
        page = client.get("/ballots/live/").content.decode()
        assert "青竹社区" in page and "新河社区" not in page


def test_the_live_view_shows_each_round_and_its_sheets(d: Day) -> None:
    page = d.cast.client("officer").get("/ballots/live/").content.decode()
    assert "新河社区" in page and "三角塘社区" in page and "青竹社区" not in page
    assert "主任·正式选举（第1轮）" in page and "已确认 2 / 2" in page
    assert "委员·正式选举（第2轮）" in page and "已确认 0 / 2" in page
    assert "本职位选举完成" in page and "还没有开始投票" in page
    assert 'http-equiv="refresh"' in page


def test_the_live_view_has_a_pinned_query_count(d: Day) -> None:
    client = d.cast.client("officer")
    client.get("/ballots/live/")
    with CaptureQueriesContext(connection) as before:
        client.get("/ballots/live/")
    services.add_place(
        d.election,
        kind="station",
        name="第三投票站",
        place="三组",
        opens_at=d.places[0].opens_at,
        closes_at=d.places[0].closes_at,
        actor=d.member,
    )
    with CaptureQueriesContext(connection) as after:
        client.get("/ballots/live/")
    assert len(after) == len(before)


def test_the_wall_shows_every_announced_vote_and_not_the_open_round(d: Day) -> None:
    page = d.cast.client("chair_a").get("/c/XH01/ballots/wall/").content.decode()
    assert "赵主任" in page and "钱主任" in page and "当选" in page
    assert "登记选民22人，参加投票15人" in page
    assert "孙委" not in page  # the member round is still being counted
    assert "还有1轮投票正在计票" in page
