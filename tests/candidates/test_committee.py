"""The 居民选举委员会 (R6, R7): the 推选 result in order; a member nominated as a
candidate leaves and the first alternate fills the vacancy, audited; the page per role."""

from __future__ import annotations

import pytest

from candidates.models import CommitteeMember
from candidates.services.committee import (
    add_member,
    committee_issues,
    set_chair,
    withdraw_for_candidacy,
)
from candidates.services.nominations import promote_nominees
from elections.models import AuditEvent
from tests.candidates.committee_slate_helpers import enter, set_seats, voters
from tests.conftest import Cast

URL = "/c/XH01/candidates/committee/"


def _committee(cast: Cast) -> dict[str, CommitteeMember]:
    officer = cast.users["officer"]
    people = voters(
        cast.election_a,
        officer,
        {"甲委": "男", "乙委": "女", "丙委": "男", "丁候": "女", "戊候": "男"},
    )
    out: dict[str, CommitteeMember] = {}
    for name, voter in people.items():
        out[name] = add_member(
            cast.election_a,
            voter=voter,
            votes=100 - len(out),
            alternate=name.endswith("候"),
            actor=officer,
        )
    set_chair(cast.election_a, out["甲委"], actor=officer)
    return out


def _voter_ids(members: dict[str, CommitteeMember], *names: str) -> list[int]:
    return [v for n in names if (v := members[n].voter_id) is not None]


def test_a_member_who_becomes_a_candidate_leaves_and_the_first_alternate_fills_in(
    cast: Cast,
) -> None:
    members = _committee(cast)
    assert committee_issues(cast.election_a) == []
    changes = withdraw_for_candidacy(
        cast.election_a, _voter_ids(members, "甲委"), actor=cast.users["officer"]
    )
    assert [(left.name, came.name if came else None) for left, came in changes] == [
        ("甲委", "丁候")
    ]
    rows = {m.name: m for m in CommitteeMember.objects.filter(election=cast.election_a)}
    assert rows["甲委"].status == "left" and not rows["甲委"].is_chair
    assert rows["丁候"].status == "member" and rows["丁候"].replaces_id == rows["甲委"].pk
    assert rows["戊候"].status == "alternate"
    assert "选举委员会没有主任，请确定主任" in committee_issues(cast.election_a)
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "candidates.committee.left_for_candidacy" in actions
    assert "candidates.committee.vacancy_filled" in actions
    # the next one takes the next alternate; when none are left the seat stays empty
    changes = withdraw_for_candidacy(
        cast.election_a,
        _voter_ids(members, "乙委", "丙委"),
        actor=cast.users["officer"],
    )
    assert [(a.name, b.name if b else None) for a, b in changes] == [
        ("乙委", "戊候"),
        ("丙委", None),
    ]


def test_promoting_nominees_takes_them_off_the_committee(cast: Cast) -> None:
    officer = cast.users["officer"]
    election = cast.election_a
    set_seats(election)
    people = voters(election, officer, {"赵主": "男", "钱主": "女", "候补甲": "男"}, filler=50)
    add_member(election, voter=people["赵主"], votes=40, alternate=False, actor=officer)
    add_member(election, voter=people["候补甲"], votes=30, alternate=True, actor=officer)
    enter(election, "director", {people["赵主"]: 30, people["钱主"]: 20}, ballots=50, actor=officer)
    promote_nominees(election, "director", actor=officer)
    rows = {m.name: m.status for m in CommitteeMember.objects.filter(election=election)}
    assert rows == {"赵主": "left", "候补甲": "member"}


@pytest.mark.parametrize(
    ("name", "get", "post"),
    [
        ("officer", 200, 302),
        ("member_a", 200, 302),
        ("chair_a", 200, 302),
        ("supervisor", 200, 404),
        ("org_reviewer", 200, 404),
        ("member_b", 404, 404),
        ("dept_reviewer", 404, 404),
    ],
)
def test_committee_page_against_the_cast(cast: Cast, name: str, get: int, post: int) -> None:
    voter = voters(cast.election_a, cast.users["officer"], {"张选委": "男"})["张选委"]
    client = cast.client(name)
    assert client.get(URL).status_code == get
    assert client.post(URL, {"voter": voter.pk, "votes": "88"}).status_code == post
    assert CommitteeMember.objects.filter(voter=voter).exists() is (post == 302)
    if get == 200 and post == 302:
        page = client.get(URL).content.decode()
        assert "张选委" in page and "88" in page
