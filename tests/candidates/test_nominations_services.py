"""Committee nominations (R15, R16): limits, quorum, ties at the cut and their re-vote,
the two-post choice, the N6 list, promotion to the slate, audit rows."""

from __future__ import annotations

import pytest

from candidates.models import Candidate, CandidateSource, CandidateStatus, Nomination
from candidates.services import CandidateError
from candidates.services.nominations import (
    nominee_notice,
    post_standings,
    promote_nominees,
    record_post_choice,
    record_revote,
    save_nomination_count,
    two_post_nominees,
)
from elections.models import AuditEvent
from elections.stages import issues_before_leaving
from tests.candidates.committee_slate_helpers import HELD_ON, enter, full_slate, set_seats, voters
from tests.conftest import Cast


@pytest.fixture
def people(cast: Cast) -> dict:
    set_seats(cast.election_a)
    return voters(
        cast.election_a,
        cast.admin,
        {"甲": "男", "乙": "女", "丙": "男", "丁": "女", "戊": "男"},
        filler=5,
    )


def test_a_nominee_cannot_have_more_votes_than_ballots(cast: Cast, people: dict) -> None:
    ids = enter(cast.election_a, "director", {people["甲"]: 3}, ballots=6, actor=cast.admin)
    with pytest.raises(CandidateError) as exc:
        save_nomination_count(
            cast.election_a,
            "director",
            held_on=HELD_ON,
            ballots=6,
            votes={ids["甲"]: 7},
            actor=cast.admin,
        )
    assert "超过参加提名人数" in exc.value.errors[f"votes_{ids['甲']}"]
    assert Nomination.objects.get(pk=ids["甲"]).votes == 3


def test_post_total_over_ballots_times_seats_is_refused(cast: Cast, people: dict) -> None:
    # 主任 1 seat, 6 ballots: at most 6 nominations in all (R15).
    ids = enter(
        cast.election_a, "director", {people["甲"]: 3, people["乙"]: 3}, ballots=6, actor=cast.admin
    )
    with pytest.raises(CandidateError, match="R15"):
        save_nomination_count(
            cast.election_a,
            "director",
            held_on=HELD_ON,
            ballots=6,
            votes={ids["甲"]: 4, ids["乙"]: 3},
            actor=cast.admin,
        )


def test_quorum_half_of_registered_voters(cast: Cast, people: dict) -> None:
    # 10 registered: 5 taking part is exactly half → invalid; 6 → valid (R15, G1).
    with pytest.raises(CandidateError) as exc:
        save_nomination_count(
            cast.election_a, "director", held_on=HELD_ON, ballots=5, actor=cast.admin
        )
    assert "R15" in exc.value.errors["ballots"]
    save_nomination_count(cast.election_a, "director", held_on=HELD_ON, ballots=6, actor=cast.admin)


def test_ranked_by_votes_and_cut_at_seats_plus_one(cast: Cast, people: dict) -> None:
    enter(
        cast.election_a,
        "director",
        {people["甲"]: 1, people["乙"]: 3, people["丙"]: 2},
        ballots=6,
        actor=cast.admin,
    )
    standing = post_standings(cast.election_a)["director"]
    assert [r.voter.name for r in standing.order] == ["乙", "丙", "甲"]
    assert [r.voter.name for r in standing.in_cut] == ["乙", "丙"]
    assert standing.problems == []


def test_tie_at_the_cut_waits_for_a_revote_which_resolves_it(cast: Cast, people: dict) -> None:
    ids = enter(
        cast.election_a,
        "director",
        {people["甲"]: 3, people["乙"]: 2, people["丙"]: 2},
        ballots=7,
        actor=cast.admin,
    )
    standing = post_standings(cast.election_a)["director"]
    assert standing.tie_pending
    assert {r.voter.name for r in standing.tied} == {"乙", "丙"}
    assert any("乙、丙" in p or "丙、乙" in p for p in standing.problems)
    with pytest.raises(CandidateError):
        promote_nominees(cast.election_a, "director", actor=cast.admin)
    with pytest.raises(CandidateError, match="仍然相等"):
        record_revote(
            cast.election_a,
            "director",
            held_on=HELD_ON,
            votes={ids["乙"]: 3, ids["丙"]: 3},
            actor=cast.admin,
        )
    after = record_revote(
        cast.election_a,
        "director",
        held_on=HELD_ON,
        votes={ids["乙"]: 2, ids["丙"]: 5},
        actor=cast.admin,
    )
    assert not after.problems
    assert [r.voter.name for r in after.in_cut] == ["甲", "丙"]
    assert [r.voter.name for r in after.order] == ["甲", "丙", "乙"]
    assert AuditEvent.objects.filter(action="candidates.nomination.revote_recorded").count() == 1


def test_a_tie_below_the_cut_does_not_matter(cast: Cast, people: dict) -> None:
    enter(
        cast.election_a,
        "director",
        {people["甲"]: 3, people["乙"]: 2, people["丙"]: 1, people["丁"]: 1},
        ballots=7,
        actor=cast.admin,
    )
    standing = post_standings(cast.election_a)["director"]
    assert not standing.tied and not standing.problems
    assert [r.voter.name for r in standing.in_cut] == ["甲", "乙"]


def test_two_post_nominee_must_choose_and_drops_from_the_other(cast: Cast, people: dict) -> None:
    enter(
        cast.election_a,
        "director",
        {people["甲"]: 4, people["乙"]: 2, people["丙"]: 1},
        ballots=7,
        actor=cast.admin,
    )
    enter(
        cast.election_a,
        "deputy_director",
        {people["甲"]: 3, people["丁"]: 2, people["戊"]: 1},
        ballots=7,
        actor=cast.admin,
    )
    standings = post_standings(cast.election_a)
    assert any("书面确认" in p for p in standings["director"].problems)
    assert [r.voter.name for r in two_post_nominees(cast.election_a)] == ["甲"]
    record_post_choice(
        cast.election_a, people["甲"].pk, chosen_post="director", on=HELD_ON, actor=cast.admin
    )
    standings = post_standings(cast.election_a)
    assert [r.voter.name for r in standings["director"].in_cut] == ["甲", "乙"]
    # 甲 stands down from 副主任: 丁 and 戊 make that cut.
    assert [r.voter.name for r in standings["deputy_director"].in_cut] == ["丁", "戊"]
    assert not standings["deputy_director"].problems
    event = AuditEvent.objects.get(action="candidates.nomination.post_chosen")
    assert event.data["name"] == "甲"


def test_too_few_nominees_is_a_shortfall(cast: Cast, people: dict) -> None:
    enter(cast.election_a, "director", {people["甲"]: 4}, ballots=7, actor=cast.admin)
    assert any("R17" in p for p in post_standings(cast.election_a)["director"].problems)


def test_promotion_copies_the_roll_and_notice_lists_votes(cast: Cast) -> None:
    people, candidates = full_slate(cast.election_a, cast.admin)
    zhao = next(c for c in candidates if c.name == "赵主")
    voter = people["赵主"]
    assert (zhao.status, zhao.source) == (CandidateStatus.NOMINEE, CandidateSource.NOMINATION)
    assert (zhao.id_hash, zhao.id_encrypted, zhao.id_masked) == (
        voter.id_hash,
        voter.id_encrypted,
        voter.id_masked,
    )
    assert (zhao.gender, zhao.birth_date) == (voter.gender, voter.birth_date)
    assert sorted(c.name for c in candidates if c.post == "member") == sorted(
        ["周委", "吴委", "郑委", "王委"]
    )
    notice = {p.post: p for p in nominee_notice(cast.election_a)}
    assert [(r.name, r.votes) for r in notice["member"].rows][:2] == [("周委", 10), ("吴委", 8)]
    assert not hasattr(notice["member"].rows[0], "id_masked")
    assert AuditEvent.objects.filter(action="candidates.nominees.promoted").count() == 3


def test_changing_votes_takes_unpublished_nominees_off_the_slate(cast: Cast) -> None:
    full_slate(cast.election_a, cast.admin)
    count = post_standings(cast.election_a)["director"].count
    assert count is not None
    n = {x.voter.name: x.pk for x in count.nominees.all()}
    save_nomination_count(
        cast.election_a,
        "director",
        held_on=HELD_ON,
        ballots=11,
        votes={n["赵主"]: 5, n["钱主"]: 6},
        actor=cast.admin,
    )
    assert not Candidate.objects.filter(election=cast.election_a, post="director").exists()


def test_leaving_nomination_stage_needs_every_post_settled(cast: Cast, people: dict) -> None:
    cast.election_a.committee_stage = "nomination"
    cast.election_a.save()
    issues = issues_before_leaving(cast.election_a, "committee")
    assert any("提名计票尚未录入" in i.message for i in issues)
    enter(
        cast.election_a,
        "director",
        {people["甲"]: 3, people["乙"]: 2, people["丙"]: 2},
        ballots=7,
        actor=cast.admin,
    )
    issues = issues_before_leaving(cast.election_a, "committee")
    assert any("再次投票" in i.message and i.url for i in issues)
