"""State changes of the core: each one audited in its own transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from guardian.shortcuts import get_perms

from elections import services
from elections.access import scope_of
from elections.models import AuditEvent, Milestone, Role, RoleAssignment
from elections.stages import _CHECKS, Issue, register_check
from tests.conftest import ELECTION_DAY, Cast


def milestone(cast: Cast, kind: str) -> Milestone:
    return Milestone.objects.get(election=cast.election_a, kind=kind)


def test_cycle_creates_a_lawful_schedule_for_every_community(cast: Cast) -> None:
    for election in (cast.election_a, cast.election_b):
        assert services.schedule_violations(election) == []
        kinds = set(election.milestones.values_list("kind", flat=True))
        assert {"voter_list_published", "formal_candidates_published", "party_congress"} <= kinds
    assert milestone(cast, "voter_list_published").date == ELECTION_DAY - dt.timedelta(days=20)
    assert AuditEvent.objects.filter(action="elections.community_election.created").count() == 3


def test_moving_a_milestone_to_a_lawful_date_is_saved_and_audited(cast: Cast) -> None:
    officer = cast.users["officer"]
    m = milestone(cast, "voter_list_published")
    new_date = m.date - dt.timedelta(days=3)
    services.move_milestone(m, new_date, actor=officer)
    m.refresh_from_db()
    assert m.date == new_date and m.exception_reason == ""
    event = AuditEvent.objects.get(action="elections.milestone.moved")
    assert event.actor_name == "officer"
    assert event.community_id == cast.community_a.pk
    assert event.street_id == cast.street.pk
    assert event.data["to"] == new_date.isoformat()
    # The objection deadline follows the publication date.
    assert milestone(cast, "objection_deadline").date < ELECTION_DAY - dt.timedelta(days=15)


def test_moving_to_an_unlawful_date_without_reason_is_refused(cast: Cast) -> None:
    m = milestone(cast, "voter_list_published")
    before = m.date
    late = ELECTION_DAY - dt.timedelta(days=19)
    with pytest.raises(services.ElectionsError) as excinfo:
        services.move_milestone(m, late, actor=cast.users["officer"])
    assert [v.rule_id for v in excinfo.value.issues] == ["R12"]
    assert "例外理由" in excinfo.value.message
    m.refresh_from_db()
    assert m.date == before
    assert not AuditEvent.objects.filter(action__startswith="elections.milestone").exists()


def test_moving_to_an_unlawful_date_with_a_reason_is_recorded_as_exception(cast: Cast) -> None:
    m = milestone(cast, "voter_list_published")
    late = ELECTION_DAY - dt.timedelta(days=19)
    services.move_milestone(m, late, actor=cast.users["officer"], reason="  领导小组批准推迟一天 ")
    m.refresh_from_db()
    assert m.date == late
    assert m.exception_reason == "领导小组批准推迟一天"
    event = AuditEvent.objects.get(action="elections.milestone.moved_with_exception")
    assert event.data["reason"] == "领导小组批准推迟一天"
    assert event.data["violations"][0].startswith("R12")


def test_derived_milestones_cannot_be_moved(cast: Cast) -> None:
    with pytest.raises(services.ElectionsError):
        services.move_milestone(
            milestone(cast, "objection_deadline"), ELECTION_DAY, actor=cast.users["officer"]
        )


def test_page_move_shows_the_violation_and_keeps_the_date(cast: Cast) -> None:
    client = cast.client("officer")
    late = ELECTION_DAY - dt.timedelta(days=19)
    response = client.post(
        "/c/XH01/schedule/voter_list_published/move/",
        {"voter_list_published-date": late.isoformat()},
        follow=True,
    )
    body = response.content.decode()
    assert "例外理由" in body and "R12" in body
    assert milestone(cast, "voter_list_published").date == ELECTION_DAY - dt.timedelta(days=20)


def test_page_move_with_bad_date_gives_a_message_not_an_error(cast: Cast) -> None:
    response = cast.client("officer").post(
        "/c/XH01/schedule/voter_list_published/move/",
        {"voter_list_published-date": "2027-02-30"},
        follow=True,
    )
    assert response.status_code == 200
    assert "请填写有效的日期" in response.content.decode()


def test_advance_stage_refused_while_a_check_reports_issues(cast: Cast) -> None:
    key = ("committee", "preparation")
    saved = list(_CHECKS.get(key, []))

    @register_check("committee", "preparation")
    def blocker(election: object) -> list[Issue]:
        return [Issue("test", "选举委员会尚未推选", "R6")]

    try:
        with pytest.raises(services.ElectionsError) as excinfo:
            services.advance_stage(cast.election_a, "committee", actor=cast.users["officer"])
        assert excinfo.value.issues[0].message == "选举委员会尚未推选"
        cast.election_a.refresh_from_db()
        assert cast.election_a.committee_stage == "preparation"
        assert not AuditEvent.objects.filter(action__startswith="elections.stage").exists()
    finally:
        _CHECKS[key] = saved


def test_unexcused_unlawful_schedule_blocks_leaving_preparation(cast: Cast) -> None:
    Milestone.objects.filter(election=cast.election_a, kind="voter_list_published").update(
        date=ELECTION_DAY - dt.timedelta(days=10)
    )
    with pytest.raises(services.ElectionsError) as excinfo:
        services.advance_stage(cast.election_a, "committee", actor=cast.users["officer"])
    assert {i.rule_id for i in excinfo.value.issues} >= {"R12"}
    # Party track is not affected by the committee schedule.
    services.advance_stage(cast.election_a, "party", actor=cast.users["officer"])


def test_advance_stage_moves_and_audits(cast: Cast) -> None:
    updated = services.advance_stage(cast.election_a, "committee", actor=cast.users["officer"])
    assert updated.committee_stage == "committee_formed"
    event = AuditEvent.objects.get(action="elections.stage.committee.advanced")
    assert event.data == {"from": "preparation", "to": "committee_formed"}


def test_advance_stage_refuses_a_stale_view(cast: Cast) -> None:
    stale = type(cast.election_a).objects.get(pk=cast.election_a.pk)
    services.advance_stage(cast.election_a, "party", actor=cast.users["officer"])
    with pytest.raises(services.ElectionsError, match="已被他人更新"):
        services.advance_stage(stale, "party", actor=cast.users["officer"])


def test_assign_role_grants_object_permissions_and_audits(cast: Cast) -> None:
    user = get_user_model().objects.create_user("new_member", password="x-test-pass")
    services.assign_role(user, Role.COMMITTEE_CHAIR, cast.community_b, actor=cast.users["officer"])
    assert set(get_perms(user, cast.community_b)) == {"work_community", "chair_community"}
    assert get_perms(user, cast.community_a) == []
    assert user.groups.filter(name="选举委员会主任").exists()
    event = AuditEvent.objects.filter(action="elections.role.assigned").latest("id")
    assert event.data["user"] == "new_member"
    assert event.community_id == cast.community_b.pk
    # Assigning again changes nothing and writes no second row.
    count = AuditEvent.objects.count()
    services.assign_role(user, Role.COMMITTEE_CHAIR, cast.community_b, actor=cast.users["officer"])
    assert AuditEvent.objects.count() == count


def test_role_cannot_be_given_for_the_wrong_kind_of_scope(cast: Cast) -> None:
    user = cast.users["no_role"]
    with pytest.raises(services.ElectionsError, match="不能授予"):
        services.assign_role(user, Role.COMMITTEE_MEMBER, cast.street, actor=cast.admin)
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_revoking_chair_keeps_member_permission(cast: Cast) -> None:
    user = cast.users["chair_a"]
    services.assign_role(user, Role.COMMITTEE_MEMBER, cast.community_a, actor=cast.admin)
    chair = RoleAssignment.objects.get(user=user, role=Role.COMMITTEE_CHAIR)
    services.revoke_role(chair, actor=cast.admin)
    assert get_perms(user, cast.community_a) == ["work_community"]
    assert AuditEvent.objects.filter(action="elections.role.revoked").count() == 1
    fresh = get_user_model().objects.get(pk=user.pk)
    assert cast.community_a.pk in scope_of(fresh).worked_communities
    assert cast.community_a.pk not in scope_of(fresh).chaired_communities


def test_officer_creates_user_with_role_from_the_page(cast: Cast) -> None:
    scope = f"community:{cast.community_b.pk}"
    response = cast.client("officer").post(
        "/users/",
        {
            "action": "create",
            "new-username": "xh02_new",
            "new-full_name": "王芳",
            "new-password": "Longer-pass-2026",
            "new-role": Role.COMMITTEE_MEMBER,
            "new-scope": scope,
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="xh02_new")
    assert user.first_name == "王芳"
    assert user.check_password("Longer-pass-2026")
    assert get_perms(user, cast.community_b) == ["work_community"]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"elections.user.created", "elections.role.assigned"} <= actions
    assert "Longer-pass-2026" not in str(list(AuditEvent.objects.values_list("data", flat=True)))


def test_officer_cannot_give_roles_outside_their_street(cast: Cast) -> None:
    scope = f"community:{cast.community_other_street.pk}"
    response = cast.client("officer").post(
        "/users/",
        {
            "action": "create",
            "new-username": "sneaky",
            "new-full_name": "某人",
            "new-password": "Longer-pass-2026",
            "new-role": Role.COMMITTEE_MEMBER,
            "new-scope": scope,
        },
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not get_user_model().objects.filter(username="sneaky").exists()


def test_duplicate_username_gets_a_chinese_message(cast: Cast) -> None:
    response = cast.client("officer").post(
        "/users/",
        {
            "action": "create",
            "new-username": "member_a",
            "new-full_name": "重复",
            "new-password": "Longer-pass-2026",
            "new-role": Role.COMMITTEE_MEMBER,
            "new-scope": f"community:{cast.community_a.pk}",
        },
    )
    assert response.status_code == 200
    assert "已被使用" in response.content.decode()


def test_recording_the_real_publication_day_moves_the_objection_window(cast: Cast) -> None:
    published = milestone(cast, "voter_list_published")
    day = published.date - dt.timedelta(days=2)
    services.complete_milestone(published, day, actor=cast.users["member_a"], today=published.date)
    published.refresh_from_db()
    assert published.done_on == day
    assert published.date == ELECTION_DAY - dt.timedelta(days=20)  # the plan is kept
    deadline = milestone(cast, "objection_deadline").date
    assert deadline >= day + dt.timedelta(days=5)
    assert deadline <= day + dt.timedelta(days=7)  # at most a weekend's extension
    event = AuditEvent.objects.get(action="elections.milestone.completed")
    assert event.data["done_on"] == day.isoformat()
    assert event.actor_name == "member_a"
    with pytest.raises(services.ElectionsError, match="已于"):
        services.complete_milestone(published, day, actor=cast.users["member_a"], today=day)
    with pytest.raises(services.ElectionsError, match="已经完成"):
        services.move_milestone(published, day, actor=cast.users["officer"])


def test_a_late_real_publication_needs_a_reason(cast: Cast) -> None:
    published = milestone(cast, "voter_list_published")
    late = ELECTION_DAY - dt.timedelta(days=18)
    with pytest.raises(services.ElectionsError) as excinfo:
        services.complete_milestone(published, late, actor=cast.users["officer"], today=late)
    assert [v.rule_id for v in excinfo.value.issues] == ["R12"]
    published.refresh_from_db()
    assert published.done_on is None
    services.complete_milestone(
        published, late, actor=cast.users["officer"], reason="打印延误，晚两天张贴", today=late
    )
    published.refresh_from_db()
    assert published.done_on == late and published.exception_reason == "打印延误，晚两天张贴"


def test_a_completion_day_in_the_future_is_refused(cast: Cast) -> None:
    published = milestone(cast, "voter_list_published")
    with pytest.raises(services.ElectionsError, match="不能晚于今天"):
        services.complete_milestone(
            published,
            published.date,
            actor=cast.users["officer"],
            today=published.date - dt.timedelta(days=1),
        )


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("member_a", True),
        ("chair_a", True),
        ("officer", True),
        ("member_b", False),
        ("supervisor", False),
        ("org_reviewer", False),
    ],
)
def test_who_may_record_a_milestone_as_done(cast: Cast, role: str, allowed: bool) -> None:
    published = milestone(cast, "voter_list_published")
    # Move the plan into the past so that today is a lawful completion day.
    Milestone.objects.filter(pk=published.pk).update(date=dt.date(2020, 1, 1))
    response = cast.client(role).post(
        "/c/XH01/schedule/voter_list_published/done/",
        {
            "done-voter_list_published-done_on": "2020-01-01",
            "done-voter_list_published-reason": "测试",
        },
    )
    published.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert published.done_on == dt.date(2020, 1, 1)
    else:
        assert response.status_code == 404
        assert published.done_on is None
