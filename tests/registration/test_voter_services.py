"""Voter registration services at their boundaries: 18 on election day (G5, including
29 February and a moved election day), one registration per street (R11, also as a
database constraint), the approval that categories (c) and (d) need (R10), and
补登 on election day (R9, 新河 plan)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from electionlaw import latest_eligible_birth_date
from elections.idnumbers import mask_id_number
from elections.models import AuditEvent, CommunityElection
from elections.registration.models import (
    ApprovalBody,
    Voter,
    VoterCategory,
    VoterSource,
    VoterStatus,
)
from elections.registration.public import age_on
from elections.registration.services import (
    VoterData,
    VoterError,
    eligible_voters,
    hash_id,
    register_voter,
    remove_voter,
    update_voter,
)
from tests.conftest import ELECTION_DAY, Cast, new_id


def register(
    cast: Cast,
    election: CommunityElection,
    *,
    id_number: str,
    name: str = "张三",
    category: str = VoterCategory.RESIDENT,
    **kwargs: Any,
) -> Voter:
    options = {k: kwargs.pop(k) for k in ("source", "today") if k in kwargs}
    return register_voter(
        election,
        VoterData(name=name, id_number=id_number, category=category, **kwargs),
        actor=cast.users["member_a"],
        **options,
    )


def move_election_day(election: CommunityElection, day: dt.date) -> None:
    election.election_day = day
    election.save(update_fields=["election_day", "updated_at"])


# -- G5: 18 on election day ------------------------------------------------------------


def test_eighteenth_birthday_on_election_day_is_eligible(cast: Cast) -> None:
    assert dt.date(2027, 1, 28) == ELECTION_DAY
    number = new_id(dt.date(2009, 1, 28))
    assert AuditEvent.objects.filter(action="elections.voter.registered").count() == 0

    voter = register(cast, cast.election_a, id_number=number)

    assert voter.status == VoterStatus.REGISTERED
    assert voter.birth_date == dt.date(2009, 1, 28)
    assert voter.id_masked == mask_id_number(number) == number[:2] + "*" * 13 + number[-3:]
    assert list(eligible_voters(cast.election_a)) == [voter]
    event = AuditEvent.objects.get(action="elections.voter.registered")
    assert event.object_type == "elections.voter"
    assert event.object_id == str(voter.pk)
    assert event.data["id_number"] == mask_id_number(number)  # never the full number
    assert number not in str(event.data)


def test_born_the_day_after_is_refused_with_the_g5_message(cast: Cast) -> None:
    number = new_id(dt.date(2009, 1, 29))
    with pytest.raises(VoterError) as refused:
        register(cast, cast.election_a, id_number=number)
    assert refused.value.errors == {
        "id_number": "选举日（2027年1月28日）未满18周岁，不能登记（规则 G5）"
    }
    assert not Voter.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="elections.voter").exists()


def test_born_29_february_is_18_on_28_february_of_a_common_year(cast: Cast) -> None:
    move_election_day(cast.election_a, dt.date(2030, 2, 28))
    assert latest_eligible_birth_date(dt.date(2030, 2, 28)) == dt.date(2012, 2, 29)

    leapling = register(cast, cast.election_a, id_number=new_id(dt.date(2012, 2, 29)))
    with pytest.raises(VoterError) as refused:
        register(cast, cast.election_a, id_number=new_id(dt.date(2012, 3, 1)), name="李四")

    assert "未满18周岁" in refused.value.errors["id_number"]
    assert list(eligible_voters(cast.election_a)) == [leapling]
    assert age_on(dt.date(2012, 2, 29), dt.date(2030, 2, 28)) == 18
    assert age_on(dt.date(2012, 2, 29), dt.date(2030, 2, 27)) == 17
    assert age_on(dt.date(2012, 3, 1), dt.date(2030, 2, 28)) == 17


def test_moving_the_election_day_re_evaluates_everyone(cast: Cast) -> None:
    # Registered while the election was postponed to 28 February: 18 by then.
    move_election_day(cast.election_a, dt.date(2027, 2, 28))
    late = register(cast, cast.election_a, id_number=new_id(dt.date(2009, 2, 10)))
    early = register(cast, cast.election_a, id_number=new_id(dt.date(1980, 5, 1)), name="王五")
    assert set(eligible_voters(cast.election_a)) == {late, early}

    # Back to 28 January: the younger one is on the roll but not eligible.
    move_election_day(cast.election_a, dt.date(2027, 1, 28))
    assert list(eligible_voters(cast.election_a)) == [early]
    late.refresh_from_db()
    assert late.status == VoterStatus.REGISTERED

    # On 10 February, the 18th birthday: eligible again.
    move_election_day(cast.election_a, dt.date(2027, 2, 10))
    assert set(eligible_voters(cast.election_a)) == {late, early}
    move_election_day(cast.election_a, dt.date(2027, 2, 9))
    assert list(eligible_voters(cast.election_a)) == [early]


def test_a_person_deprived_of_political_rights_is_not_eligible(cast: Cast) -> None:
    voter = register(
        cast, cast.election_a, id_number=new_id(dt.date(1970, 3, 3)), rights_deprived=True
    )
    assert voter.status == VoterStatus.REGISTERED
    assert voter.rights_deprived
    assert not eligible_voters(cast.election_a).exists()


# -- R11: one registration per street ----------------------------------------------------


def test_registering_in_another_community_names_the_first_one(cast: Cast) -> None:
    number = new_id(dt.date(1985, 6, 15))
    register(cast, cast.election_a, id_number=number)

    with pytest.raises(VoterError) as refused:
        register(cast, cast.election_b, id_number=number, name="张三")

    message = "已在新河社区（XH01）登记，同一届选举只能登记一处（规则 R11）"
    assert refused.value.message == message
    assert refused.value.errors == {"id_number": message}
    assert Voter.objects.filter(election=cast.election_b).count() == 0


def test_registering_the_same_person_twice_in_one_community_is_refused(cast: Cast) -> None:
    number = new_id(dt.date(1985, 6, 16))
    register(cast, cast.election_a, id_number=number)
    with pytest.raises(VoterError) as refused:
        # The same number typed with spaces and a lowercase x still is the same person.
        register(cast, cast.election_a, id_number=f" {number[:6]} {number[6:].lower()}")
    assert refused.value.message == "此人已在本社区登记（张三），请勿重复登记"
    assert Voter.objects.count() == 1


def test_the_database_refuses_a_second_registration_even_without_the_service(
    cast: Cast,
) -> None:
    number = new_id(dt.date(1975, 9, 9))
    first = register(cast, cast.election_a, id_number=number)
    copy = {
        "cycle": cast.cycle,
        "name": "张三",
        "id_hash": first.id_hash,
        "id_encrypted": first.id_encrypted,
        "id_masked": first.id_masked,
        "gender": first.gender,
        "birth_date": first.birth_date,
        "category": VoterCategory.RESIDENT,
        "status": VoterStatus.REGISTERED,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Voter.objects.create(election=cast.election_b, **copy)
    # Pending approval counts as a registration too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Voter.objects.create(
            election=cast.election_b, **{**copy, "status": VoterStatus.PENDING_APPROVAL}
        )
    assert Voter.objects.filter(id_hash=hash_id(number)).count() == 1

    # A removed registration does not block one elsewhere.
    remove_voter(first, actor=cast.users["member_a"], reason="已迁出本社区")
    moved = Voter.objects.create(election=cast.election_b, **copy)
    assert Voter.objects.filter(id_hash=hash_id(number)).count() == 2
    assert moved.status == VoterStatus.REGISTERED


def test_after_removal_the_person_can_register_in_another_community(cast: Cast) -> None:
    number = new_id(dt.date(1990, 12, 1), "女")
    first = register(cast, cast.election_a, id_number=number, name="刘芳")
    remove_voter(first, actor=cast.users["member_a"], reason="已迁往三角塘社区")

    second = register(cast, cast.election_b, id_number=number, name="刘芳")

    assert second.status == VoterStatus.REGISTERED
    assert [v.pk for v in eligible_voters(cast.election_b)] == [second.pk]
    assert not eligible_voters(cast.election_a).exists()
    removal = AuditEvent.objects.get(action="elections.voter.removed")
    assert removal.data["reason"] == "已迁往三角塘社区"


# -- R10: categories that need the meeting's approval ------------------------------------


def test_nonresident_without_approval_is_pending_and_not_a_voter(cast: Cast) -> None:
    voter = register(
        cast,
        cast.election_a,
        id_number=new_id(dt.date(1988, 8, 8)),
        category=VoterCategory.NONRESIDENT,
    )
    assert voter.status == VoterStatus.PENDING_APPROVAL
    assert not eligible_voters(cast.election_a).exists()

    approved = update_voter(
        voter,
        {
            "approval_body": ApprovalBody.REPRESENTATIVES_MEETING,
            "approval_date": dt.date(2026, 11, 20),
        },
        actor=cast.users["member_a"],
        reason="居民代表会议同意",
    )

    assert approved.status == VoterStatus.REGISTERED
    assert list(eligible_voters(cast.election_a)) == [approved]
    event = AuditEvent.objects.get(action="elections.voter.updated")
    assert event.data["reason"] == "居民代表会议同意"
    assert event.data["changes"]["approval_body"] == ["", "representatives_meeting"]


@pytest.mark.parametrize("category", [VoterCategory.NONRESIDENT, VoterCategory.COMMUNITY_WORKER])
def test_approved_categories_are_registered_at_once(cast: Cast, category: str) -> None:
    voter = register(
        cast,
        cast.election_a,
        id_number=new_id(dt.date(1992, 2, 2)),
        category=category,
        approval_body=ApprovalBody.RESIDENTS_MEETING,
        approval_date=dt.date(2026, 11, 1),
    )
    assert voter.status == VoterStatus.REGISTERED
    assert voter.approval_body == ApprovalBody.RESIDENTS_MEETING


def test_approval_needs_both_the_meeting_and_the_date(cast: Cast) -> None:
    with pytest.raises(VoterError) as refused:
        register(
            cast,
            cast.election_a,
            id_number=new_id(dt.date(1992, 2, 3)),
            category=VoterCategory.NONRESIDENT,
            approval_body=ApprovalBody.RESIDENTS_MEETING,
        )
    assert refused.value.errors == {"approval_date": "请同时填写同意登记的会议和日期"}


# -- R9: 补登 on election day --------------------------------------------------------------


def test_election_day_entry_is_refused_on_other_days(cast: Cast) -> None:
    with pytest.raises(VoterError) as refused:
        register(
            cast,
            cast.election_a,
            id_number=new_id(dt.date(1960, 1, 1)),
            source=VoterSource.ELECTION_DAY,
            today=ELECTION_DAY - dt.timedelta(days=1),
        )
    assert refused.value.message == "选举日补登只能在选举日（2027年1月28日）办理"
    assert not Voter.objects.exists()


def test_election_day_entry_on_election_day_is_marked_as_such(cast: Cast) -> None:
    voter = register(
        cast,
        cast.election_a,
        id_number=new_id(dt.date(1960, 1, 2)),
        source=VoterSource.ELECTION_DAY,
        today=ELECTION_DAY,
    )
    assert voter.source == VoterSource.ELECTION_DAY
    assert list(eligible_voters(cast.election_a)) == [voter]
    event = AuditEvent.objects.get(action="elections.voter.registered")
    assert event.data["source"] == "election_day"


def test_update_and_remove_refuse_a_stale_version(cast: Cast) -> None:
    from elections.registration.services import StaleVoterError

    voter = register(cast, cast.election_a, id_number=new_id(dt.date(1980, 1, 1)))
    seen = voter.updated_at.isoformat()
    update_voter(voter, {"group": "二组"}, actor=cast.users["member_a"])
    with pytest.raises(StaleVoterError):
        update_voter(voter, {"group": "三组"}, actor=cast.users["chair_a"], expected_version=seen)
    with pytest.raises(StaleVoterError):
        remove_voter(voter, actor=cast.users["chair_a"], reason="搬走", expected_version=seen)
    voter.refresh_from_db()
    assert (voter.group, voter.status) == ("二组", "registered")
