"""Registration's stage gates: an empty roll, an unpublished list or an undecided
objection keeps the committee track in 选民登记 / 选民名单公布与申诉."""

from __future__ import annotations

import datetime as dt
from random import Random

import pytest

from elections import services
from elections.models import CommunityElection, Milestone
from elections.registration.models import Objection, ObjectionStatus
from elections.registration.services import VoterData, register_voter
from tests.conftest import Cast
from tests.idgen import generate_valid_id

TODAY = dt.date(2026, 12, 1)


def at_stage(cast: Cast, stage: str) -> CommunityElection:
    CommunityElection.objects.filter(pk=cast.election_a.pk).update(committee_stage=stage)
    return CommunityElection.objects.get(pk=cast.election_a.pk)


def add_voter(cast: Cast) -> None:
    register_voter(
        cast.election_a,
        VoterData(
            name="王小明",
            id_number=generate_valid_id(Random(7), birth_date=dt.date(1980, 5, 1), gender="男"),
            category="resident",
            group="第一居民小组",
            address="新河路1号",
            phone="13912345678",
        ),
        actor=cast.users["officer"],
        today=TODAY,
    )


def advance(cast: Cast) -> CommunityElection:
    election = CommunityElection.objects.get(pk=cast.election_a.pk)
    return services.advance_stage(election, "committee", actor=cast.users["officer"])


def codes(exc: pytest.ExceptionInfo[services.ElectionsError]) -> set[str]:
    return {issue.code for issue in exc.value.issues}


def test_an_empty_roll_blocks_leaving_voter_registration(cast: Cast) -> None:
    at_stage(cast, "voter_registration")
    with pytest.raises(services.ElectionsError) as exc:
        advance(cast)
    assert codes(exc) == {"registration.empty_roll"}
    assert exc.value.issues[0].url == "/c/XH01/voters/"
    add_voter(cast)
    assert advance(cast).committee_stage == "voter_list"


def test_the_voter_list_stage_needs_publication_and_decided_objections(cast: Cast) -> None:
    at_stage(cast, "voter_list")
    add_voter(cast)
    objection = Objection.objects.create(
        election=cast.election_a,
        complainant_name="李四",
        kind="omission",
        subject_name="李四",
        description="漏登",
        received_on=TODAY,
    )
    with pytest.raises(services.ElectionsError) as exc:
        advance(cast)
    assert codes(exc) == {"registration.list_not_published", "registration.objections_pending"}
    urls = {issue.code: issue.url for issue in exc.value.issues}
    assert urls["registration.list_not_published"] == "/c/XH01/schedule/"
    assert urls["registration.objections_pending"] == "/c/XH01/objections/"

    published = Milestone.objects.get(election=cast.election_a, kind="voter_list_published")
    services.complete_milestone(
        published, published.date, actor=cast.users["officer"], today=published.date
    )
    with pytest.raises(services.ElectionsError) as exc:
        advance(cast)
    assert codes(exc) == {"registration.objections_pending"}

    Objection.objects.filter(pk=objection.pk).update(
        status=ObjectionStatus.REJECTED, decided_on=TODAY
    )
    assert advance(cast).committee_stage == "nomination"


def test_the_stage_page_links_to_where_each_issue_is_fixed(cast: Cast) -> None:
    at_stage(cast, "voter_list")
    body = cast.client("officer").get("/c/XH01/").content.decode()
    assert 'href="/c/XH01/voters/">去选民名册</a>' in body
    assert 'href="/c/XH01/schedule/">去日程标记完成</a>' in body
    assert "disabled" in body
