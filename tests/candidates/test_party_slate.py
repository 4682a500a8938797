"""两推一选 (P5, P6): the tallies, the 20% 差额 of the 初步人选, and "没有经过组织考察、
资格审查和公示的，不能列为候选人" from 初步人选 to 正式候选人; the stage checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from candidates.models import Candidate, CandidateStatus, PartyMember, Post
from candidates.services import CandidateError
from candidates.services import party as svc
from elections.models import AuditEvent, CommunityElection
from elections.stages import issues_before_leaving
from tests.candidates.party_support import member, set_party_seats
from tests.conftest import Cast

pytestmark = pytest.mark.django_db
PAST = dt.date(2026, 11, 1)


def _members(cast: Cast, n: int) -> list[PartyMember]:
    return [member(cast.election_a, cast.admin, f"党员{i:02}") for i in range(n)]


def _initial(cast: Cast, members: list[PartyMember]) -> list[Candidate]:
    return [
        svc.add_initial(cast.election_a, m, Post.PARTY_COMMITTEE, actor=cast.admin) for m in members
    ]


def _ready(cast: Cast, candidates: list[Candidate], double: Any) -> list[Candidate]:
    double.clear(*candidates)
    out = []
    for c in candidates:
        svc.record_inspection(
            c, inspected_on=PAST, summary="政治素质好，群众认可", actor=cast.admin
        )
        out.append(svc.make_pre_candidate(c, actor=cast.admin))
    return out


def _stage(election: CommunityElection, stage: str) -> CommunityElection:
    election.party_stage = stage
    election.save(update_fields=["party_stage"])
    return election


def test_tallies_refuse_members_without_rights_and_votes_over_participants(cast: Cast) -> None:
    ok = member(cast.election_a, cast.admin, "甲")
    probationary = member(
        cast.election_a, cast.admin, "乙", status="probationary", joined_on=dt.date(2026, 6, 1)
    )
    detained = member(cast.election_a, cast.admin, "丙", detained=True)
    meeting = svc.save_meeting(
        cast.election_a, "members", held_on=PAST, participants=30, actor=cast.admin
    )
    for bad in (probationary, detained):
        with pytest.raises(CandidateError) as exc:
            svc.save_tally(meeting, Post.PARTY_COMMITTEE, {ok.pk: 3, bad.pk: 2}, actor=cast.admin)
        assert "P1" in exc.value.errors[f"m{bad.pk}"]
    with pytest.raises(CandidateError) as exc:
        svc.save_tally(meeting, Post.PARTY_COMMITTEE, {ok.pk: 31}, actor=cast.admin)
    assert "不能超过参加推荐人数 30" in exc.value.errors[f"m{ok.pk}"]
    assert svc.save_tally(meeting, Post.PARTY_COMMITTEE, {ok.pk: 30}, actor=cast.admin) == 1
    with pytest.raises(CandidateError, match="不能少于此数"):
        svc.save_meeting(
            cast.election_a, "members", held_on=PAST, participants=29, actor=cast.admin
        )
    assert AuditEvent.objects.filter(action="candidates.recommendation.tally_saved").count() == 1


def test_ranking_adds_both_recommendations(cast: Cast) -> None:
    a, b, c = _members(cast, 3)
    m1 = svc.save_meeting(
        cast.election_a, "members", held_on=PAST, participants=40, actor=cast.admin
    )
    m2 = svc.save_meeting(
        cast.election_a, "masses", held_on=PAST, participants=60, actor=cast.admin
    )
    svc.save_tally(m1, Post.PARTY_COMMITTEE, {a.pk: 10, b.pk: 30, c.pk: 20}, actor=cast.admin)
    svc.save_tally(m2, Post.PARTY_COMMITTEE, {a.pk: 50, b.pk: 10, c.pk: 20}, actor=cast.admin)
    ranked = svc.ranking(cast.election_a)[Post.PARTY_COMMITTEE]
    assert [(r.name, r.total) for r in ranked] == [("党员00", 60), ("党员01", 40), ("党员02", 40)]


@pytest.mark.parametrize(("seats", "needed"), [(3, 4), (5, 6), (7, 9)])
def test_initial_list_needs_twenty_percent_more_than_seats(
    cast: Cast, seats: int, needed: int
) -> None:
    set_party_seats(cast.election_a, seats)
    _initial(cast, _members(cast, needed - 1))
    diff = svc.difference(cast.election_a)
    assert (diff.minimum, diff.count, diff.ok) == (needed, needed - 1, False)
    assert "还差 1 名" in diff.message
    _initial(cast, [member(cast.election_a, cast.admin, "补充")])
    assert svc.difference(cast.election_a).ok


def test_leaving_recommendation_needs_both_tallies_and_the_difference(cast: Cast) -> None:
    set_party_seats(cast.election_a, 3)
    election = _stage(cast.election_a, "recommendation")
    codes = {i.code for i in issues_before_leaving(election, "party")}
    assert codes == {"party_members_tally", "party_masses_tally", "party_initial_difference"}
    people = _members(cast, 4)
    for kind in ("members", "masses"):
        meeting = svc.save_meeting(election, kind, held_on=PAST, participants=20, actor=cast.admin)
        svc.save_tally(meeting, Post.PARTY_COMMITTEE, {people[0].pk: 5}, actor=cast.admin)
    _initial(cast, people)
    assert issues_before_leaving(election, "party") == []


def test_only_members_with_rights_become_initial_candidates(cast: Cast) -> None:
    on_probation = member(cast.election_a, cast.admin, "察看", on_probation=True)
    with pytest.raises(CandidateError, match="P1"):
        svc.add_initial(cast.election_a, on_probation, Post.PARTY_COMMITTEE, actor=cast.admin)
    c = svc.add_initial(
        cast.election_a, member(cast.election_a, cast.admin), Post.PARTY_COMMITTEE, actor=cast.admin
    )
    assert (c.track, c.status, c.source) == ("party", "initial", "street")


def test_nobody_uninspected_or_unvetted_becomes_a_pre_candidate(
    cast: Cast, vetting_double: Any
) -> None:
    (c,) = _initial(cast, _members(cast, 1))
    with pytest.raises(CandidateError, match="没有经过组织考察"):
        svc.make_pre_candidate(c, actor=cast.admin)
    svc.record_inspection(c, inspected_on=PAST, summary="考察合格", actor=cast.admin)
    with pytest.raises(CandidateError, match="没有经过资格审查"):
        svc.make_pre_candidate(c, actor=cast.admin)
    vetting_double.block(c, "公安：有违法记录")
    with pytest.raises(CandidateError, match="资格联审未通过"):
        svc.make_pre_candidate(c, actor=cast.admin)
    vetting_double.blocked.clear()
    vetting_double.clear(c)
    assert svc.make_pre_candidate(c, actor=cast.admin).status == CandidateStatus.PRE_CANDIDATE
    assert AuditEvent.objects.filter(action="candidates.party_candidate.pre_candidate").count() == 1


def test_publicity_then_approval_after_the_window_makes_formal_candidates(
    cast: Cast, vetting_double: Any
) -> None:
    set_party_seats(cast.election_a, 3)
    pre = _ready(cast, _initial(cast, _members(cast, 5)), vetting_double)
    publicity = svc.open_publicity(cast.election_a, starts_on=PAST, actor=cast.admin)
    assert publicity.ends_on == PAST + dt.timedelta(days=5)  # G3: start day not counted
    late = member(cast.election_a, cast.admin, "迟到")
    with pytest.raises(CandidateError, match="已经公示"):
        svc.add_initial(cast.election_a, late, Post.PARTY_COMMITTEE, actor=cast.admin)
    with pytest.raises(CandidateError, match="公示期满之后"):
        svc.record_approval(
            cast.election_a,
            doc_no="新党工复〔2026〕1号",
            approval_date=publicity.ends_on,
            approved=[c.pk for c in pre],
            actor=cast.admin,
        )
    with pytest.raises(CandidateError, match="少于差额要求"):
        svc.record_approval(
            cast.election_a,
            doc_no="新党工复〔2026〕1号",
            approval_date=publicity.ends_on + dt.timedelta(days=1),
            approved=[c.pk for c in pre[:3]],
            actor=cast.admin,
        )
    chosen = svc.record_approval(
        cast.election_a,
        doc_no="新党工复〔2026〕1号",
        approval_date=publicity.ends_on + dt.timedelta(days=1),
        approved=[c.pk for c in pre[:4]],
        actor=cast.admin,
    )
    assert len(chosen) == 4
    statuses = dict(Candidate.objects.values_list("name", "status"))
    assert list(statuses.values()).count("formal") == 4
    assert statuses[pre[4].name] == "withdrawn"
    assert AuditEvent.objects.filter(action="candidates.party_publicity.approved").count() == 1
    election = _stage(cast.election_a, "approval")
    assert issues_before_leaving(election, "party") == []


def test_approval_refused_while_the_window_runs(cast: Cast, vetting_double: Any) -> None:
    set_party_seats(cast.election_a, 3)
    _ready(cast, _initial(cast, _members(cast, 4)), vetting_double)
    today = dt.date.today()
    publicity = svc.open_publicity(cast.election_a, starts_on=today, actor=cast.admin)
    election = _stage(cast.election_a, "publicity")
    assert [i.code for i in issues_before_leaving(election, "party")] == ["party_publicity_running"]
    with pytest.raises(CandidateError, match="公示期满之后"):
        svc.record_approval(
            election, doc_no="x", approval_date=today, approved=[1], actor=cast.admin
        )
    assert publicity.approval_date is None
    assert [i.code for i in issues_before_leaving(_stage(election, "approval"), "party")] == [
        "party_approval_missing"
    ]


def test_publicity_refused_without_the_difference(cast: Cast, vetting_double: Any) -> None:
    set_party_seats(cast.election_a, 5)
    _ready(cast, _initial(cast, _members(cast, 5)), vetting_double)
    with pytest.raises(CandidateError, match="预备人选不足"):
        svc.open_publicity(cast.election_a, starts_on=PAST, actor=cast.admin)
