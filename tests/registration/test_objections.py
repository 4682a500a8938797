"""Objections to the voter list (R13, G3, §9 N4): deadlines at their boundaries
(examples 49, 50), each decision's effect on the roll and its audit rows, refusals,
the N4 results without personal data, and every page against every role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from random import Random
from typing import Any

import pytest
from django.utils import timezone

from electionlaw import RuleParams
from elections.models import AuditEvent, Milestone, RestDay
from elections.registration.models import (
    Objection,
    ObjectionKind,
    ObjectionStatus,
    Voter,
    VoterSource,
    VoterStatus,
)
from elections.registration.objections import (
    ObjectionError,
    decide_objection,
    decided_in_time,
    decision_deadline,
    objection_results,
    objection_row,
    objection_window,
    objection_window_last_day,
    received_in_time,
    record_objection,
    registered_voter_count,
)
from elections.registration.services import VoterData, VoterError, register_voter
from tests.conftest import ROLE_NAMES, Cast
from tests.idgen import generate_valid_id

D = dt.date
# The cast's 新河 schedule: election 2027-01-28 (Thu) → list published 2027-01-08 (Fri,
# 20 days before), objections until 2027-01-13 (Wed).
PUBLISHED = D(2027, 1, 8)
WINDOW_LAST_DAY = D(2027, 1, 13)
TODAY = D(2027, 1, 20)
NO_REST: frozenset[dt.date] = frozenset()
ADULT_BIRTH = D(1980, 5, 1)
NEW_PERSON_BIRTH = D(1990, 3, 3)
WEEKEND_JAN_2027 = frozenset({D(2027, 1, 9), D(2027, 1, 10), D(2027, 1, 16), D(2027, 1, 17)})


def params(**overrides: Any) -> RuleParams:
    return RuleParams(**overrides)


# -- deadlines (pure) --------------------------------------------------------------------


def test_window_last_day_is_publication_plus_five_publication_day_not_counted() -> None:
    assert objection_window_last_day(PUBLISHED, params(), NO_REST) == D(2027, 1, 13)


def test_objection_on_publish_plus_5_is_in_time_and_on_publish_plus_6_is_late() -> None:
    # Example 49, R13, G3.
    assert received_in_time(D(2027, 1, 13), PUBLISHED, params(), WEEKEND_JAN_2027)
    assert not received_in_time(D(2027, 1, 14), PUBLISHED, params(), WEEKEND_JAN_2027)


def test_objection_on_publication_day_is_in_time_and_the_day_before_is_not() -> None:
    assert received_in_time(PUBLISHED, PUBLISHED, params(), NO_REST)
    assert not received_in_time(D(2027, 1, 7), PUBLISHED, params(), NO_REST)


def test_fifth_day_on_a_rest_day_extends_to_next_working_day_with_extension_on() -> None:
    # Published Tue 2027-01-05: the 5th day is Sunday 01-10 → Monday 01-11 (民法典 art. 203).
    published = D(2027, 1, 5)
    assert objection_window_last_day(published, params(), WEEKEND_JAN_2027) == D(2027, 1, 11)
    assert received_in_time(D(2027, 1, 11), published, params(), WEEKEND_JAN_2027)
    assert not received_in_time(D(2027, 1, 12), published, params(), WEEKEND_JAN_2027)


def test_fifth_day_on_a_rest_day_is_not_extended_with_extension_off() -> None:
    published = D(2027, 1, 5)
    off = params(holiday_extension=False)
    assert objection_window_last_day(published, off, WEEKEND_JAN_2027) == D(2027, 1, 10)
    assert received_in_time(D(2027, 1, 10), published, off, WEEKEND_JAN_2027)
    assert not received_in_time(D(2027, 1, 11), published, off, WEEKEND_JAN_2027)


def test_a_holiday_week_extends_the_window_past_its_end() -> None:
    # Published 2026-09-26: the 5th day is 10-01, the National Day holiday runs to 10-07.
    golden_week = frozenset(D(2026, 10, day) for day in range(1, 8))
    published = D(2026, 9, 26)
    assert objection_window_last_day(published, params(), golden_week) == D(2026, 10, 8)
    assert not received_in_time(D(2026, 10, 9), published, params(), golden_week)


def test_a_rest_day_before_the_fifth_day_changes_nothing() -> None:
    # Published Fri 01-08: the weekend falls inside the window, the 5th day (Wed) is working.
    assert objection_window_last_day(PUBLISHED, params(), WEEKEND_JAN_2027) == WINDOW_LAST_DAY


def test_profile_objection_days_are_used() -> None:
    assert objection_window_last_day(PUBLISHED, params(objection_days=7), NO_REST) == D(2027, 1, 15)


def test_decided_on_receipt_plus_3_is_in_time_and_plus_4_is_a_breach() -> None:
    # Example 50, R13: received Mon 01-11 → decide by Thu 01-14.
    received = D(2027, 1, 11)
    assert decision_deadline(received, params(), WEEKEND_JAN_2027) == D(2027, 1, 14)
    assert decided_in_time(D(2027, 1, 14), received, params(), WEEKEND_JAN_2027)
    assert not decided_in_time(D(2027, 1, 15), received, params(), WEEKEND_JAN_2027)


def test_decision_deadline_on_a_rest_day_moves_with_extension_on_only() -> None:
    # Received Wed 01-13 → the 3rd day is Saturday 01-16.
    received = D(2027, 1, 13)
    assert decision_deadline(received, params(), WEEKEND_JAN_2027) == D(2027, 1, 18)
    assert decided_in_time(D(2027, 1, 18), received, params(), WEEKEND_JAN_2027)
    assert not decided_in_time(D(2027, 1, 19), received, params(), WEEKEND_JAN_2027)
    off = params(holiday_extension=False)
    assert decision_deadline(received, off, WEEKEND_JAN_2027) == D(2027, 1, 16)
    assert not decided_in_time(D(2027, 1, 17), received, off, WEEKEND_JAN_2027)


# -- the election's window from its milestone -----------------------------------------------


def _published_milestone(cast: Cast) -> Milestone:
    return Milestone.objects.get(election=cast.election_a, kind="voter_list_published")


def test_window_uses_the_planned_date_when_publication_is_not_recorded(cast: Cast) -> None:
    window = objection_window(cast.election_a)
    assert window is not None
    assert (window.published, window.last_day, window.planned) == (
        PUBLISHED,
        WINDOW_LAST_DAY,
        True,
    )


def test_window_uses_the_recorded_publication_date_and_the_weekend(cast: Cast) -> None:
    milestone = _published_milestone(cast)
    milestone.done_on = D(2027, 1, 5)  # Tue: 5th day Sunday 01-10 → Monday 01-11
    milestone.save()
    window = objection_window(cast.election_a)
    assert window is not None
    assert (window.published, window.last_day, window.planned) == (
        D(2027, 1, 5),
        D(2027, 1, 11),
        False,
    )


def test_window_extends_past_a_listed_holiday(cast: Cast) -> None:
    RestDay.objects.create(date=WINDOW_LAST_DAY, name="测试假日")
    window = objection_window(cast.election_a)
    assert window is not None and window.last_day == D(2027, 1, 14)


def test_window_without_extension_in_the_profile(cast: Cast) -> None:
    profile = cast.cycle.rule_profile
    profile.holiday_extension = False
    profile.save()
    RestDay.objects.create(date=WINDOW_LAST_DAY, name="测试假日")
    window = objection_window(cast.election_a)
    assert window is not None and window.last_day == WINDOW_LAST_DAY


# -- helpers for the services --------------------------------------------------------------


def _voter(
    cast: Cast,
    name: str,
    *,
    election: Any = None,
    seed: int = 1,
    birth: dt.date = ADULT_BIRTH,
    group: str = "第一居民小组",
) -> tuple[Voter, str]:
    number = generate_valid_id(Random(seed), birth_date=birth, gender="男")
    voter = register_voter(
        election or cast.election_a,
        VoterData(
            name=name,
            id_number=number,
            category="resident",
            group=group,
            address="新河路88号3栋",
            phone="13912345678",
        ),
        actor=cast.users["officer"],
        today=TODAY,
    )
    return voter, number


def _record(cast: Cast, **overrides: Any) -> Objection:
    values: dict[str, Any] = {
        "complainant_name": "李申诉",
        "complainant_phone": "13800001111",
        "kind": ObjectionKind.OMISSION,
        "subject_name": "王漏登",
        "description": "户籍在本社区，名单上没有。",
        "received_on": D(2027, 1, 11),
        "actor": cast.users["member_a"],
        "today": TODAY,
    }
    values.update(overrides)
    return record_objection(cast.election_a, **values)


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# -- recording -------------------------------------------------------------------------------


def test_recording_an_objection_in_time_writes_it_and_its_audit_row(cast: Cast) -> None:
    assert Objection.objects.count() == 0
    objection = _record(cast, received_on=WINDOW_LAST_DAY)
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.PENDING
    assert objection.created_by == cast.users["member_a"]
    [event] = _events("elections.objection.received")
    assert event.object_id == str(objection.pk)
    assert event.community_id == cast.community_a.pk
    assert event.actor_name == "member_a"
    assert event.data == {
        "objection_kind": "漏登（应登记而未登记）",
        "subject": "王漏登",
        "complainant": "李申诉",
        "phone": "138****1111",
        "received_on": "2027-01-13",
        "deadline": "2027-01-18",  # 01-16 is a Saturday: extended to Monday
        "late": None,
    }


def test_an_objection_received_after_the_window_is_recorded_and_flagged_late(
    cast: Cast,
) -> None:
    # Example 49: publish+6.
    objection = _record(cast, received_on=D(2027, 1, 14))
    assert Objection.objects.filter(pk=objection.pk).exists()
    [event] = _events("elections.objection.received")
    assert event.data["late"] == "申诉期已于2027年1月13日结束（规则 R13）"
    window = objection_window(cast.election_a)
    assert window is not None
    assert objection_row(objection, window, TODAY).late is True
    in_time = _record(cast, received_on=WINDOW_LAST_DAY, description="另一件")
    assert objection_row(in_time, window, TODAY).late is False


def test_received_date_in_the_future_is_refused(cast: Cast) -> None:
    with pytest.raises(ObjectionError) as exc:
        _record(cast, received_on=TODAY + dt.timedelta(days=1))
    assert exc.value.errors["received_on"] == "收到日期不能晚于今天（2027年1月20日）"
    assert Objection.objects.count() == 0
    assert _events("elections.objection.received") == []


def test_received_date_before_publication_is_refused(cast: Cast) -> None:
    with pytest.raises(ObjectionError) as exc:
        _record(cast, received_on=PUBLISHED - dt.timedelta(days=1))
    assert exc.value.errors["received_on"] == (
        "收到日期不能早于选民名单公布日期2027年1月8日（按计划日期计算）"
    )
    assert Objection.objects.count() == 0


def test_wrong_entry_needs_a_voter_of_the_same_election(cast: Cast) -> None:
    other, _ = _voter(cast, "外社区人", election=cast.election_b, seed=2)
    with pytest.raises(ObjectionError) as exc:
        _record(cast, kind=ObjectionKind.WRONG_ENTRY, subject_name="")
    assert exc.value.errors["subject_voter"] == "错登或不应登记的申诉，请选择名单中涉及的选民"
    with pytest.raises(ObjectionError) as exc:
        _record(cast, kind=ObjectionKind.SHOULD_NOT_BE_LISTED, subject_voter=other)
    assert exc.value.errors["subject_voter"] == "所选的人不在本社区的选民名单中"
    assert Objection.objects.count() == 0


def test_omission_names_no_voter_and_needs_a_name(cast: Cast) -> None:
    listed, _ = _voter(cast, "张在册", seed=3)
    with pytest.raises(ObjectionError) as exc:
        _record(cast, subject_voter=listed)
    assert "不要选择名单中的选民" in exc.value.errors["subject_voter"]
    with pytest.raises(ObjectionError) as exc:
        _record(cast, subject_name="  ")
    assert exc.value.errors["subject_name"] == "请填写漏登人员的姓名"


def test_subject_name_defaults_to_the_voter_name(cast: Cast) -> None:
    listed, _ = _voter(cast, "张在册", seed=3)
    objection = _record(cast, kind=ObjectionKind.WRONG_ENTRY, subject_voter=listed, subject_name="")
    assert objection.subject_name == "张在册"


def test_the_same_objection_submitted_twice_is_refused(cast: Cast) -> None:
    _record(cast)
    with pytest.raises(ObjectionError) as exc:
        _record(cast)
    assert "请勿重复提交" in exc.value.message
    assert Objection.objects.count() == 1
    assert len(_events("elections.objection.received")) == 1


# -- deciding --------------------------------------------------------------------------------


def _new_person(seed: int = 10, birth: dt.date = NEW_PERSON_BIRTH) -> tuple[VoterData, str]:
    number = generate_valid_id(Random(seed), birth_date=birth, gender="女")
    return (
        VoterData(name="王漏登", id_number=number, category="resident", group="第二居民小组"),
        number,
    )


def test_accepted_omission_registers_the_person_linked_to_the_objection(cast: Cast) -> None:
    objection = _record(cast)
    data, number = _new_person()
    assert Voter.objects.filter(election=cast.election_a).count() == 0
    decide_objection(
        objection,
        accepted=True,
        reason="经核实户籍在本社区，应予登记。",
        decided_on=D(2027, 1, 12),
        actor=cast.users["chair_a"],
        voter_data=data,
        today=TODAY,
    )
    [voter] = Voter.objects.filter(election=cast.election_a)
    assert (voter.name, voter.group, voter.status, voter.source, voter.source_objection_id) == (
        "王漏登",
        "第二居民小组",
        VoterStatus.REGISTERED,
        VoterSource.OBJECTION,
        objection.pk,
    )
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.ACCEPTED
    assert objection.decided_on == D(2027, 1, 12)
    assert objection.decided_by == cast.users["chair_a"]
    assert objection.decision_reason == "经核实户籍在本社区，应予登记。"
    [registered] = _events("elections.voter.registered")
    assert registered.object_id == str(voter.pk)
    assert registered.data["source"] == "objection"
    assert registered.data["id_number"] == number[:2] + "*" * 13 + number[-3:]
    [decided] = _events("elections.objection.decided")
    assert decided.data == {
        "objection_kind": "漏登（应登记而未登记）",
        "subject": "王漏登",
        "decision": "申诉成立",
        "reason": "经核实户籍在本社区，应予登记。",
        "decided_on": "2027-01-12",
        "deadline": "2027-01-14",
        "sla_breach": None,
        "voter": voter.pk,
        "fields": None,
    }


def test_accepted_wrong_entry_corrects_the_field(cast: Cast) -> None:
    voter, _ = _voter(cast, "张错登", seed=4, group="第一居民小组")
    objection = _record(cast, kind=ObjectionKind.WRONG_ENTRY, subject_voter=voter, subject_name="")
    decide_objection(
        objection,
        accepted=True,
        reason="实际居住在第三居民小组。",
        decided_on=D(2027, 1, 12),
        actor=cast.users["member_a"],
        corrections={"name": "张错登", "group": "第三居民小组"},
        today=TODAY,
    )
    voter.refresh_from_db()
    assert voter.group == "第三居民小组"
    assert voter.status == VoterStatus.REGISTERED
    [updated] = _events("elections.voter.updated")
    assert updated.data["changes"] == {"group": ["第一居民小组", "第三居民小组"]}
    assert updated.data["objection"] == objection.pk
    [decided] = _events("elections.objection.decided")
    assert decided.data["fields"] == ["居民小组"]
    assert decided.data["decision"] == "申诉成立"


def test_accepted_should_not_be_listed_removes_with_the_reason(cast: Cast) -> None:
    voter, _ = _voter(cast, "赵已迁出", seed=5)
    objection = _record(
        cast, kind=ObjectionKind.SHOULD_NOT_BE_LISTED, subject_voter=voter, subject_name=""
    )
    decide_objection(
        objection,
        accepted=True,
        reason="户籍已于2026年迁出，且不在本社区居住。",
        decided_on=D(2027, 1, 13),
        actor=cast.users["member_a"],
        today=TODAY,
    )
    voter.refresh_from_db()
    assert voter.status == VoterStatus.REMOVED
    assert voter.removed_reason == (
        f"申诉处理（编号 {objection.pk}）：户籍已于2026年迁出，且不在本社区居住。"
    )
    [removed] = _events("elections.voter.removed")
    assert removed.data["objection"] == objection.pk
    assert len(_events("elections.objection.decided")) == 1


def test_rejected_objection_leaves_the_roll_unchanged(cast: Cast) -> None:
    voter, _ = _voter(cast, "赵在册", seed=6)
    objection = _record(
        cast,
        kind=ObjectionKind.SHOULD_NOT_BE_LISTED,
        subject_voter=voter,
        subject_name="",
        received_on=D(2027, 1, 14),
    )
    decide_objection(
        objection,
        accepted=False,
        reason="申诉期已过，且经核实登记无误。",
        decided_on=D(2027, 1, 15),
        actor=cast.users["member_a"],
        today=TODAY,
    )
    voter.refresh_from_db()
    assert voter.status == VoterStatus.REGISTERED
    assert _events("elections.voter.removed") == []
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.REJECTED
    [decided] = _events("elections.objection.decided")
    assert decided.data["decision"] == "申诉不成立"
    assert decided.data["voter"] is None


def _assert_nothing_decided(objection: Objection, voters_before: int, cast: Cast) -> None:
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.PENDING
    assert objection.decided_on is None and objection.decision_reason == ""
    assert Voter.objects.filter(election=cast.election_a).count() == voters_before
    assert _events("elections.objection.decided") == []


def test_omission_of_someone_registered_in_another_community_fails_and_saves_nothing(
    cast: Cast,
) -> None:
    _other, number = _voter(cast, "王漏登", election=cast.election_b, seed=7)
    objection = _record(cast)
    registered_before = len(_events("elections.voter.registered"))
    with pytest.raises(VoterError) as exc:
        decide_objection(
            objection,
            accepted=True,
            reason="应予登记。",
            decided_on=D(2027, 1, 12),
            actor=cast.users["member_a"],
            voter_data=VoterData(name="王漏登", id_number=number, category="resident"),
            today=TODAY,
        )
    assert exc.value.errors["id_number"] == (
        "已在三角塘社区（XH02）登记，同一届选举只能登记一处（规则 R11）"
    )
    _assert_nothing_decided(objection, 0, cast)
    assert len(_events("elections.voter.registered")) == registered_before


def test_omission_of_someone_under_18_on_election_day_fails_and_saves_nothing(
    cast: Cast,
) -> None:
    # Turns 18 on 2027-01-29, the day after election day (example 41).
    data, _ = _new_person(seed=8, birth=D(2009, 1, 29))
    objection = _record(cast)
    with pytest.raises(VoterError) as exc:
        decide_objection(
            objection,
            accepted=True,
            reason="应予登记。",
            decided_on=D(2027, 1, 12),
            actor=cast.users["member_a"],
            voter_data=data,
            today=TODAY,
        )
    assert exc.value.errors["id_number"] == "选举日（2027年1月28日）未满18周岁，不能登记（规则 G5）"
    _assert_nothing_decided(objection, 0, cast)


def test_accepted_omission_without_registration_data_is_refused(cast: Cast) -> None:
    objection = _record(cast)
    with pytest.raises(ObjectionError):
        decide_objection(
            objection,
            accepted=True,
            reason="应予登记。",
            decided_on=D(2027, 1, 12),
            actor=cast.users["member_a"],
            today=TODAY,
        )
    _assert_nothing_decided(objection, 0, cast)


@pytest.mark.parametrize("corrections", [None, {}, {"group": "第一居民小组"}])
def test_accepted_wrong_entry_without_a_change_is_refused(
    cast: Cast, corrections: dict[str, str] | None
) -> None:
    voter, _ = _voter(cast, "张错登", seed=4, group="第一居民小组")
    objection = _record(cast, kind=ObjectionKind.WRONG_ENTRY, subject_voter=voter, subject_name="")
    with pytest.raises(ObjectionError) as exc:
        decide_objection(
            objection,
            accepted=True,
            reason="更正。",
            decided_on=D(2027, 1, 12),
            actor=cast.users["member_a"],
            corrections=corrections,
            today=TODAY,
        )
    assert exc.value.errors == {"corrections": "没有改动"}
    _assert_nothing_decided(objection, 1, cast)
    assert _events("elections.voter.updated") == []


def test_deciding_twice_is_refused(cast: Cast) -> None:
    objection = _record(cast)
    decide_objection(
        objection,
        accepted=False,
        reason="不属实。",
        decided_on=D(2027, 1, 12),
        actor=cast.users["member_a"],
        today=TODAY,
    )
    data, _ = _new_person()
    # The stale, still-"pending" instance of a double submission.
    assert objection.status == ObjectionStatus.PENDING
    with pytest.raises(ObjectionError) as exc:
        decide_objection(
            objection,
            accepted=True,
            reason="应予登记。",
            decided_on=D(2027, 1, 13),
            actor=cast.users["chair_a"],
            voter_data=data,
            today=TODAY,
        )
    assert exc.value.message == "这件申诉已于2027年1月12日处理（申诉不成立），不能重复处理"
    objection.refresh_from_db()
    assert (objection.status, objection.decided_on) == (ObjectionStatus.REJECTED, D(2027, 1, 12))
    assert Voter.objects.filter(election=cast.election_a).count() == 0
    assert len(_events("elections.objection.decided")) == 1


def test_decision_on_receipt_plus_3_is_in_time_and_plus_4_is_flagged(cast: Cast) -> None:
    # Example 50: received Mon 01-11 → deadline Thu 01-14.
    window = objection_window(cast.election_a)
    assert window is not None
    first = _record(cast, description="第一件")
    second = _record(cast, description="第二件")
    for objection, decided_on in ((first, D(2027, 1, 14)), (second, D(2027, 1, 15))):
        decide_objection(
            objection,
            accepted=False,
            reason="不属实。",
            decided_on=decided_on,
            actor=cast.users["member_a"],
            today=TODAY,
        )
        objection.refresh_from_db()
    on_time, late = _events("elections.objection.decided")
    assert on_time.data["sla_breach"] is None
    assert late.data["sla_breach"] == "超过处理期限（2027年1月14日，规则 R13）"
    assert objection_row(first, window, TODAY).sla_breach is False
    assert objection_row(second, window, TODAY).sla_breach is True


def test_decision_dates_in_the_future_or_before_receipt_are_refused(cast: Cast) -> None:
    objection = _record(cast)
    for decided_on, field_message in (
        (TODAY + dt.timedelta(days=1), "决定日期不能晚于今天（2027年1月20日）"),
        (D(2027, 1, 10), "决定日期不能早于收到申诉的日期（2027年1月11日）"),
    ):
        with pytest.raises(ObjectionError) as exc:
            decide_objection(
                objection,
                accepted=False,
                reason="不属实。",
                decided_on=decided_on,
                actor=cast.users["member_a"],
                today=TODAY,
            )
        assert exc.value.errors["decided_on"] == field_message
    _assert_nothing_decided(objection, 0, cast)


def test_a_reason_is_required(cast: Cast) -> None:
    objection = _record(cast)
    with pytest.raises(ObjectionError) as exc:
        decide_objection(
            objection,
            accepted=False,
            reason="   ",
            decided_on=D(2027, 1, 12),
            actor=cast.users["member_a"],
            today=TODAY,
        )
    assert exc.value.errors["reason"] == "请填写处理理由"


# -- the N4 results ---------------------------------------------------------------------------


def _decide(cast: Cast, objection: Objection, accepted: bool, **kwargs: Any) -> None:
    decide_objection(
        objection,
        accepted=accepted,
        reason=kwargs.pop("reason", "经核实。"),
        decided_on=kwargs.pop("decided_on", D(2027, 1, 12)),
        actor=cast.users["member_a"],
        today=TODAY,
        **kwargs,
    )


@pytest.fixture
def decided(cast: Cast) -> dict[str, Any]:
    """One decision of each kind, one rejection and one pending objection."""
    staying, staying_id = _voter(cast, "孙在册", seed=21, group="第一居民小组")
    wrong, wrong_id = _voter(cast, "钱错登", seed=22, group="第一居民小组")
    leaving, leaving_id = _voter(cast, "周迁出", seed=23, group="第四居民小组")
    omitted = _record(cast, description="漏登")
    corrected = _record(
        cast,
        kind=ObjectionKind.WRONG_ENTRY,
        subject_voter=wrong,
        subject_name="",
        complainant_phone="13700002222",
    )
    removed = _record(
        cast, kind=ObjectionKind.SHOULD_NOT_BE_LISTED, subject_voter=leaving, subject_name=""
    )
    rejected = _record(
        cast,
        kind=ObjectionKind.SHOULD_NOT_BE_LISTED,
        subject_voter=staying,
        subject_name="",
        complainant_phone="13600003333",
    )
    _record(cast, subject_name="吴待定", description="待处理")
    data, new_id = _new_person(seed=24)
    _decide(cast, omitted, True, voter_data=data, decided_on=D(2027, 1, 12))
    _decide(cast, corrected, True, corrections={"group": "第二居民小组"}, decided_on=D(2027, 1, 13))
    _decide(cast, removed, True, decided_on=D(2027, 1, 13))
    _decide(cast, rejected, False, decided_on=D(2027, 1, 14))
    return {"ids": [staying_id, wrong_id, leaving_id, new_id]}


def test_results_list_each_decision_with_public_data_only(
    cast: Cast, decided: dict[str, Any]
) -> None:
    results = objection_results(cast.election_a)
    assert [(r.number, r.name, r.group, r.outcome, r.decided_on) for r in results] == [
        (1, "王漏登", "第二居民小组", "增加", D(2027, 1, 12)),
        (2, "钱错登", "第二居民小组", "更正", D(2027, 1, 13)),
        (3, "周迁出", "第四居民小组", "移除", D(2027, 1, 13)),
        (4, "孙在册", "第一居民小组", "不予支持", D(2027, 1, 14)),
    ]
    # 孙在册, 钱错登 and the added 王漏登; 周迁出 was removed.
    assert registered_voter_count(cast.election_a) == 3


def test_results_contain_no_id_number_phone_or_address(cast: Cast, decided: dict[str, Any]) -> None:
    text = repr(objection_results(cast.election_a))
    forbidden = [
        *decided["ids"],
        *[number[-4:] for number in decided["ids"]],
        "13912345678",
        "13800001111",
        "13700002222",
        "13600003333",
        "1111",
        "新河路",
        "李申诉",
    ]
    for value in forbidden:
        assert value not in text
    page = cast.client("officer").get("/c/XH01/objections/results/").content.decode()
    for value in forbidden:
        assert value not in page, value
    for voter in Voter.objects.filter(election=cast.election_a):
        assert voter.id_masked not in page
    assert "处理后，本社区登记参加选举的选民共 <strong>3</strong> 人" in page
    assert "还有 1 件申诉待处理" in page


# -- pages -------------------------------------------------------------------------------------

PAGE_TODAY = D(2027, 1, 11)  # Monday: the window (01-08 … 01-13) is open


@pytest.fixture
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> Iterator[dt.date]:
    """Pages and services read today's date through timezone.localdate()."""
    original = timezone.localdate

    def localdate(value: Any = None, timezone: Any = None) -> dt.date:
        return PAGE_TODAY if value is None else original(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    yield PAGE_TODAY


READERS = {"officer", "supervisor", "org_reviewer", "member_a", "chair_a"}
EDITORS = {"officer", "member_a", "chair_a"}


def _page_objection(cast: Cast, **overrides: Any) -> Objection:
    values: dict[str, Any] = {"received_on": D(2027, 1, 8), "today": PAGE_TODAY}
    values.update(overrides)
    return _record(cast, **values)


@pytest.mark.parametrize("role", ROLE_NAMES)
@pytest.mark.parametrize("page", ["list", "detail", "results"])
def test_objection_pages_answer_each_role(
    cast: Cast, frozen_today: dt.date, role: str, page: str
) -> None:
    objection = _page_objection(cast)
    path = {
        "list": "/c/XH01/objections/",
        "detail": f"/c/XH01/objections/{objection.pk}/",
        "results": "/c/XH01/objections/results/",
    }[page]
    response = cast.client(role).get(path)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    elif role in READERS:
        assert response.status_code == 200, f"{role} should open {path}"
    else:
        assert response.status_code == 404, f"{role} must not see {path}"


def _record_post() -> dict[str, str]:
    return {
        "complainant_name": "李申诉",
        "complainant_phone": "13800001111",
        "kind": "omission",
        "subject_name": "王漏登",
        "description": "名单上没有。",
        "received_on": "2027-01-11",
    }


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_only_roll_editors_record_objections(cast: Cast, frozen_today: dt.date, role: str) -> None:
    response = cast.client(role).post("/c/XH01/objections/", _record_post())
    if role in EDITORS:
        objection = Objection.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/c/XH01/objections/{objection.pk}/"
        assert objection.created_by == cast.users[role]
        assert len(_events("elections.objection.received")) == 1
    else:
        assert response.status_code == (302 if role == "anonymous" else 404)
        assert Objection.objects.count() == 0
        assert _events("elections.objection.received") == []


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_only_roll_editors_decide_objections(cast: Cast, frozen_today: dt.date, role: str) -> None:
    objection = _page_objection(cast)
    response = cast.client(role).post(
        f"/c/XH01/objections/{objection.pk}/",
        {"decision": "rejected", "reason": "不属实。", "decided_on": "2027-01-11"},
    )
    objection.refresh_from_db()
    if role in EDITORS:
        assert response.status_code == 302
        assert objection.status == ObjectionStatus.REJECTED
        assert objection.decided_by == cast.users[role]
        assert len(_events("elections.objection.decided")) == 1
    else:
        assert response.status_code == (302 if role == "anonymous" else 404)
        assert objection.status == ObjectionStatus.PENDING
        assert _events("elections.objection.decided") == []


def test_another_communitys_objection_is_not_found_under_this_community(
    cast: Cast, frozen_today: dt.date
) -> None:
    objection = record_objection(
        cast.election_b,
        complainant_name="钱",
        kind=ObjectionKind.OMISSION,
        subject_name="孙",
        description="漏登",
        received_on=D(2027, 1, 8),
        actor=cast.users["member_b"],
    )
    officer = cast.client("officer")
    assert officer.get(f"/c/XH01/objections/{objection.pk}/").status_code == 404
    assert officer.get(f"/c/XH02/objections/{objection.pk}/").status_code == 200
    assert cast.client("member_a").get(f"/c/XH02/objections/{objection.pk}/").status_code == 404


def test_list_shows_the_window_and_deadline_badges(cast: Cast, frozen_today: dt.date) -> None:
    _page_objection(cast, received_on=D(2027, 1, 8), description="一")  # due Mon 01-11: today
    _page_objection(cast, received_on=D(2027, 1, 9), description="二")  # due Tue 01-12
    _page_objection(cast, received_on=D(2027, 1, 11), description="三")  # due Thu 01-14
    body = cast.client("member_a").get("/c/XH01/objections/").content.decode()
    assert "申诉期：<strong>1月8日 至 1月13日</strong>" in body
    assert "还剩2天" in body
    assert "按计划日期计算" in body
    assert body.count("今天截止") == 1
    assert body.count("明天截止") == 1
    assert "还剩 3 天" in body
    assert "共 3 件，待处理 3 件" in body


def test_list_after_the_window_shows_it_ended_and_overdue_and_late_flags(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = timezone.localdate
    monkeypatch.setattr(
        "django.utils.timezone.localdate",
        lambda value=None, timezone=None: (
            D(2027, 1, 14) if value is None else original(value, timezone)
        ),
    )
    _page_objection(cast, received_on=D(2027, 1, 8), description="一", today=D(2027, 1, 14))
    _page_objection(cast, received_on=D(2027, 1, 14), description="二", today=D(2027, 1, 14))
    body = cast.client("member_a").get("/c/XH01/objections/").content.decode()
    assert "申诉期已结束" in body
    assert "已超期 3 天" in body
    assert ">逾期</span>" in body
    # Received Thu 01-14 → Sunday 01-17 → Monday 01-18.
    assert "1月18日" in body and "还剩 4 天" in body


def test_readers_see_no_record_or_decision_form(cast: Cast, frozen_today: dt.date) -> None:
    objection = _page_objection(cast)
    for role in ("supervisor", "org_reviewer"):
        client = cast.client(role)
        assert "登记新的申诉" not in client.get("/c/XH01/objections/").content.decode()
        detail = client.get(f"/c/XH01/objections/{objection.pk}/").content.decode()
        assert "保存处理决定" not in detail
    editor = cast.client("member_a")
    assert "登记新的申诉" in editor.get("/c/XH01/objections/").content.decode()
    assert "保存处理决定" in editor.get(f"/c/XH01/objections/{objection.pk}/").content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"received_on": "2027-13-45"}, "请填写有效的日期"),
        ({"received_on": "2027-01-12"}, "收到日期不能晚于今天（2027年1月11日）"),
        ({"received_on": "2027-01-07"}, "收到日期不能早于选民名单公布日期"),
        ({"kind": "wrong_entry", "subject_query": ""}, "请填写涉及的选民"),
        ({"kind": "wrong_entry", "subject_query": "查无此人"}, "选民名单中没有找到“查无此人”"),
        ({"kind": "nonsense"}, "选择一个有效的选项"),
        ({"complainant_name": ""}, "这个字段是必填项"),
    ],
)
def test_bad_record_input_is_shown_not_a_500(
    cast: Cast, frozen_today: dt.date, change: dict[str, str], message: str
) -> None:
    response = cast.client("member_a").post("/c/XH01/objections/", {**_record_post(), **change})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Objection.objects.count() == 0


def test_record_form_finds_the_subject_by_name_and_offers_a_choice_between_namesakes(
    cast: Cast, frozen_today: dt.date
) -> None:
    first, _ = _voter(cast, "张同名", seed=31, group="第一居民小组")
    second, second_id = _voter(cast, "张同名", seed=32, group="第二居民小组")
    client = cast.client("member_a")
    post = {**_record_post(), "kind": "wrong_entry", "subject_query": "张同名", "subject_name": ""}
    response = client.post("/c/XH01/objections/", post)
    body = response.content.decode()
    assert response.status_code == 200
    assert "找到多位选民，请在下面选择一位" in body
    assert f'value="{first.pk}"' in body and f'value="{second.pk}"' in body
    response = client.post(
        "/c/XH01/objections/",
        {**post, "subject_voter": str(second.pk), "subject_name": "漏登栏误填"},
    )
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert (objection.subject_voter, objection.subject_name) == (second, "张同名")
    # A full ID number finds one person directly.
    response = client.post(
        "/c/XH01/objections/",
        {**post, "subject_query": second_id, "description": "另一件"},
    )
    assert response.status_code == 302
    assert Objection.objects.filter(subject_voter=second).count() == 2


def test_decide_page_shows_a_failing_roll_change_and_keeps_the_objection_pending(
    cast: Cast, frozen_today: dt.date
) -> None:
    _other, number = _voter(cast, "王漏登", election=cast.election_b, seed=41)
    objection = _page_objection(cast)
    response = cast.client("member_a").post(
        f"/c/XH01/objections/{objection.pk}/",
        {
            "decision": "accepted",
            "reason": "应予登记。",
            "decided_on": "2027-01-11",
            "voter-name": "王漏登",
            "voter-id_number": number,
            "voter-category": "resident",
        },
    )
    assert response.status_code == 200
    # Shown once: on the ID number field, not repeated as the page's alert.
    assert response.content.decode().count("已在三角塘社区（XH02）登记") == 1
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.PENDING
    assert Voter.objects.filter(election=cast.election_a).count() == 0


def test_decide_page_registers_the_omitted_person(cast: Cast, frozen_today: dt.date) -> None:
    objection = _page_objection(cast)
    _data, number = _new_person(seed=42)
    response = cast.client("chair_a").post(
        f"/c/XH01/objections/{objection.pk}/",
        {
            "decision": "accepted",
            "reason": "应予登记。",
            "decided_on": "2027-01-11",
            "voter-name": "王漏登",
            "voter-id_number": number,
            "voter-category": "resident",
            "voter-group": "第五居民小组",
        },
    )
    assert response.status_code == 302
    voter = Voter.objects.get(election=cast.election_a)
    assert (voter.source, voter.source_objection_id, voter.group) == (
        VoterSource.OBJECTION,
        objection.pk,
        "第五居民小组",
    )


def test_decide_page_asks_for_the_registration_data_when_accepting_an_omission(
    cast: Cast, frozen_today: dt.date
) -> None:
    objection = _page_objection(cast)
    response = cast.client("member_a").post(
        f"/c/XH01/objections/{objection.pk}/",
        {"decision": "accepted", "reason": "应予登记。", "decided_on": "2027-01-11"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "请填写身份证号" in body and "请选择登记类别" in body
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.PENDING


def test_decide_page_corrects_a_wrong_entry(cast: Cast, frozen_today: dt.date) -> None:
    voter, _ = _voter(cast, "张错登", seed=43, group="第一居民小组")
    objection = _page_objection(
        cast, kind=ObjectionKind.WRONG_ENTRY, subject_voter=voter, subject_name=""
    )
    client = cast.client("member_a")
    form = client.get(f"/c/XH01/objections/{objection.pk}/").content.decode()
    assert 'name="fix-group"' in form and 'value="第一居民小组"' in form
    response = client.post(
        f"/c/XH01/objections/{objection.pk}/",
        {
            "decision": "accepted",
            "reason": "实际在第二组。",
            "decided_on": "2027-01-11",
            "fix-name": "张错登",
            "fix-group": "第二居民小组",
            "fix-address": voter.address,
            "fix-phone": voter.phone,
            "fix-category": "resident",
        },
    )
    assert response.status_code == 302
    voter.refresh_from_db()
    assert voter.group == "第二居民小组"
    [updated] = _events("elections.voter.updated")
    assert updated.data["changes"] == {"group": ["第一居民小组", "第二居民小组"]}


def test_double_submitted_decision_is_refused_without_a_500(
    cast: Cast, frozen_today: dt.date
) -> None:
    objection = _page_objection(cast)
    client = cast.client("member_a")
    post = {"decision": "rejected", "reason": "不属实。", "decided_on": "2027-01-11"}
    assert client.post(f"/c/XH01/objections/{objection.pk}/", post).status_code == 302
    again = client.post(f"/c/XH01/objections/{objection.pk}/", post, follow=True)
    assert again.status_code == 200
    assert "不能重复处理" in again.content.decode()
    assert len(_events("elections.objection.decided")) == 1


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"reason": "x", "decided_on": "2027-01-11"}, "请选择处理结果"),
        ({"decision": "rejected", "reason": "x", "decided_on": "bad"}, "请填写有效的日期"),
        ({"decision": "rejected", "reason": "x", "decided_on": "2027-01-12"}, "不能晚于今天"),
        ({"decision": "rejected", "reason": "", "decided_on": "2027-01-11"}, "请填写处理理由"),
        ({"decision": "maybe", "reason": "x", "decided_on": "2027-01-11"}, "选择一个有效的选项"),
    ],
)
def test_bad_decision_input_is_shown_not_a_500(
    cast: Cast, frozen_today: dt.date, post: dict[str, str], message: str
) -> None:
    objection = _page_objection(cast)
    response = cast.client("member_a").post(f"/c/XH01/objections/{objection.pk}/", post)
    assert response.status_code == 200
    assert message in response.content.decode()
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.PENDING


def test_list_page_query_count_is_pinned_and_does_not_grow_with_objections(
    cast: Cast, frozen_today: dt.date, django_assert_num_queries: Any
) -> None:
    client = cast.client("officer")
    for index in range(3):
        _page_objection(cast, description=f"第{index}件")
    client.get("/c/XH01/objections/")  # warm caches (content types)
    for count in (3, 13):
        for index in range(Objection.objects.count(), count):
            _page_objection(cast, description=f"第{index}件")
        # 1 session, 2 user, 3 the user's scope (guardian), 4 the election with its
        # community, cycle and profile, 5 the publication milestone, 6 the rest days,
        # 7 the objections with their subject voters, 8 the navigation's role names.
        with django_assert_num_queries(8):
            response = client.get("/c/XH01/objections/")
        assert f"共 {count} 件" in response.content.decode()
