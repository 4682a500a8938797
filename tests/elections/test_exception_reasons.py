"""An unlawful milestone date stands only with a real reason, inside the cycle."""

from __future__ import annotations

import datetime as dt

import pytest

from elections import services
from elections.models import AuditEvent, ElectionCycle, Milestone
from tests.conftest import ELECTION_DAY, Cast

LATE = ELECTION_DAY - dt.timedelta(days=19)  # one day too late for R12 (20 days before)
REASON = "经领导小组批准推迟一天"


def published(cast: Cast) -> Milestone:
    return Milestone.objects.get(election=cast.election_a, kind="voter_list_published")


def move(cast: Cast, day: dt.date, reason: str = "", kind: str = "voter_list_published") -> None:
    m = Milestone.objects.get(election=cast.election_a, kind=kind)
    services.move_milestone(m, day, actor=cast.users["officer"], reason=reason)


def test_saving_the_same_unlawful_date_without_reason_is_refused(cast: Cast) -> None:
    move(cast, LATE, REASON)
    with pytest.raises(services.ElectionsError, match="请填写例外理由"):
        move(cast, LATE, "")
    assert published(cast).exception_reason == REASON
    assert AuditEvent.objects.filter(action__startswith="elections.milestone").count() == 1


def test_a_reason_is_replaced_by_another_and_both_are_audited(cast: Cast) -> None:
    move(cast, LATE, REASON)
    move(cast, LATE, "经街道党工委会议研究同意")
    assert published(cast).exception_reason == "经街道党工委会议研究同意"
    event = AuditEvent.objects.filter(action="elections.milestone.moved_with_exception").first()
    assert event is not None
    assert event.data["old_reason"] == REASON
    assert event.data["reason"] == "经街道党工委会议研究同意"


def test_moving_to_a_lawful_date_clears_the_reason_and_says_so(cast: Cast) -> None:
    move(cast, LATE, REASON)
    move(cast, ELECTION_DAY - dt.timedelta(days=21))
    assert published(cast).exception_reason == ""
    event = AuditEvent.objects.get(action="elections.milestone.moved")
    assert event.data["old_reason"] == REASON
    assert event.data["reason_removed"] is True


@pytest.mark.parametrize(
    ("reason", "accepted"),
    [
        ("x", False),
        ("同意", False),
        ("领导小组批", False),
        ("哈哈哈哈哈哈", False),
        ("领导小组批准", True),
        ("  因寒潮推迟张贴 ", True),
    ],
)
def test_reason_minimum_at_its_boundary(cast: Cast, reason: str, accepted: bool) -> None:
    if accepted:
        move(cast, LATE, reason)
        assert published(cast).exception_reason == reason.strip()
    else:
        with pytest.raises(services.ElectionsError, match="至少6个字"):
            move(cast, LATE, reason)
        assert published(cast).date == ELECTION_DAY - dt.timedelta(days=20)


def test_exception_date_at_most_the_handover_window_after_election_day(cast: Cast) -> None:
    # 新河 profile: handover 10 days (R39), 另行选举 10 days (R31).
    last = ELECTION_DAY + dt.timedelta(days=10)
    with pytest.raises(services.ElectionsError, match="本次换届期间"):
        move(cast, last + dt.timedelta(days=1), REASON)
    move(cast, last, REASON)
    assert published(cast).date == last


def test_exception_date_not_before_the_cycle_was_opened(cast: Cast) -> None:
    start = dt.date(2026, 12, 20)
    ElectionCycle.objects.filter(pk=cast.cycle.pk).update(
        created_at=dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.UTC)
    )
    # 委托投票名单 before the requests close is unlawful (B6).
    with pytest.raises(services.ElectionsError, match="本次换届期间"):
        move(cast, start - dt.timedelta(days=1), REASON, kind="proxies_published")
    move(cast, start, REASON, kind="proxies_published")
    m = Milestone.objects.get(election=cast.election_a, kind="proxies_published")
    assert m.date == start and m.exception_reason == REASON


def test_lawful_dates_are_not_bound_by_the_window(cast: Cast) -> None:
    ElectionCycle.objects.filter(pk=cast.cycle.pk).update(
        created_at=dt.datetime(2027, 1, 1, 9, 0, tzinfo=dt.UTC)
    )
    move(cast, dt.date(2026, 12, 15))  # earlier is lawful for R12
    assert published(cast).date == dt.date(2026, 12, 15)


def test_completing_on_an_unlawful_day_needs_a_real_reason(cast: Cast) -> None:
    m = published(cast)
    with pytest.raises(services.ElectionsError, match="至少6个字"):
        services.complete_milestone(m, LATE, actor=cast.users["officer"], reason="x", today=LATE)
    services.complete_milestone(m, LATE, actor=cast.users["officer"], reason=REASON, today=LATE)
    assert published(cast).exception_reason == REASON


def test_done_as_planned_keeps_the_planned_reason(cast: Cast) -> None:
    move(cast, LATE, REASON)
    services.complete_milestone(published(cast), LATE, actor=cast.users["officer"], today=LATE)
    m = published(cast)
    assert m.done_on == LATE and m.exception_reason == REASON
    event = AuditEvent.objects.get(action="elections.milestone.completed")
    assert event.data["reason"] == REASON and event.data["reason_removed"] is False


def test_schedule_page_refuses_an_empty_reason_with_a_message(cast: Cast) -> None:
    move(cast, LATE, REASON)
    response = cast.client("officer").post(
        "/c/XH01/schedule/voter_list_published/move/",
        {"voter_list_published-date": LATE.isoformat(), "voter_list_published-reason": ""},
        follow=True,
    )
    body = response.content.decode()
    assert "请填写例外理由" in body and "R12" in body
    assert published(cast).exception_reason == REASON
