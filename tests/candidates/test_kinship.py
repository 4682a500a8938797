"""回避 (R4, R7): relations, the 居务监督委员会 and the warnings, through the service and
the page, for every role of the cast."""

from __future__ import annotations

from typing import Any

import pytest

from candidates.models import Relation, SupervisionMember
from candidates.services import CandidateError
from candidates.services.committee import add_member
from candidates.services.kinship import (
    add_relation,
    add_supervision_member,
    avoidance_of,
    remove_relation,
)
from candidates.services.nominations import promote_nominees
from candidates.services.party import add_initial
from elections.audit import AuditEvent
from elections.registration.services import reveal_id_number
from tests.candidates.committee_slate_helpers import enter, set_seats, voters
from tests.candidates.party_support import member
from tests.conftest import Cast

URL = "/c/XH01/candidates/kinship/"


def _candidates(cast: Cast) -> dict[str, Any]:
    officer = cast.users["officer"]
    election = cast.election_a
    set_seats(election)
    people = voters(
        election, officer, {"赵主": "男", "钱主": "女", "赵妻": "女", "选委甲": "男"}, filler=50
    )
    enter(election, "director", {people["赵主"]: 30, people["钱主"]: 20}, ballots=50, actor=officer)
    promote_nominees(election, "director", actor=officer)
    return people


def test_related_candidates_on_both_tracks_are_warned(cast: Cast) -> None:
    officer = cast.users["officer"]
    election = cast.election_a
    people = _candidates(cast)
    # 赵妻 stands on the party track (from the party-member roll: same ID, same person).
    wife = people["赵妻"]
    party = member(election, officer, "赵妻", gender="女", id_number=reveal_id_number(wife))
    add_initial(election, party, "party_committee", actor=officer)
    assert avoidance_of(election).warnings == []
    add_relation(election, wife, people["赵主"], "spouse", note="户口本", actor=officer)
    warnings = avoidance_of(election).warnings
    assert [w.code for w in warnings] == ["two_committees"]
    assert (
        "赵妻（党组织党组织委员初步人选）是赵主（居委会主任提名人选）的配偶" in warnings[0].message
    )
    event = AuditEvent.objects.get(action="candidates.relation.added")
    assert event.data["关系"] == "配偶" and event.community_id == cast.community_a.pk


def test_a_relation_outside_the_profile_set_is_kept_but_not_warned(cast: Cast) -> None:
    people = _candidates(cast)
    add_relation(
        cast.election_a, people["钱主"], people["赵主"], "other", actor=cast.users["officer"]
    )
    assert Relation.objects.count() == 1
    assert avoidance_of(cast.election_a).warnings == []


def test_supervision_and_election_committee_warnings(cast: Cast) -> None:
    officer = cast.users["officer"]
    election = cast.election_a
    people = _candidates(cast)
    add_member(election, voter=people["选委甲"], votes=30, alternate=False, actor=officer)
    add_relation(election, people["选委甲"], people["赵主"], "sibling", actor=officer)
    add_supervision_member(election, people["赵妻"], role="主任", actor=officer)
    add_relation(election, people["赵妻"], people["钱主"], "child", actor=officer)
    codes = [w.code for w in avoidance_of(election).warnings]
    assert sorted(codes) == ["election_committee", "supervision"]
    assert AuditEvent.objects.filter(action="candidates.supervision.added").count() == 1


def test_relations_are_recorded_once_and_removed_with_an_audit_row(cast: Cast) -> None:
    officer = cast.users["officer"]
    people = _candidates(cast)
    relation = add_relation(
        cast.election_a, people["赵妻"], people["赵主"], "spouse", actor=officer
    )
    with pytest.raises(CandidateError, match="已记录过"):
        add_relation(cast.election_a, people["赵主"], people["赵妻"], "spouse", actor=officer)
    with pytest.raises(CandidateError, match="两个不同的人"):
        add_relation(cast.election_a, people["赵主"], people["赵主"], "spouse", actor=officer)
    with pytest.raises(CandidateError, match="请选择亲属关系"):
        add_relation(cast.election_a, people["钱主"], people["赵主"], "cousin", actor=officer)
    other = voters(cast.election_b, officer, {"外社区": "男"})["外社区"]
    with pytest.raises(CandidateError, match="本社区"):
        add_relation(cast.election_a, other, people["赵主"], "spouse", actor=officer)
    remove_relation(relation, actor=officer)
    assert not Relation.objects.exists()
    assert AuditEvent.objects.filter(action="candidates.relation.removed").count() == 1


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
        ("no_role", 404, 404),
    ],
)
def test_kinship_page_against_the_cast(cast: Cast, name: str, get: int, post: int) -> None:
    people = _candidates(cast)
    client = cast.client(name)
    response = client.get(URL)
    assert response.status_code == get
    data = {"action": "relation", "a": people["赵妻"].pk, "b": people["赵主"].pk, "kind": "spouse"}
    assert client.post(URL, data).status_code == post
    assert Relation.objects.exists() is (post == 302)
    if get == 200:
        page = client.get(URL).content.decode()
        if post == 302:
            # 赵妻 is not standing for anything: the relation is kept, nothing to avoid yet.
            assert "目前没有发现需要回避的亲属关系" in page
            assert "赵妻" in page and "配偶" in page
        assert reveal_id_number(people["赵主"]) not in page
        assert ('name="kind"' in page) is (post == 302)  # read-only roles get no form


def test_anonymous_is_sent_to_log_in(cast: Cast) -> None:
    response = cast.client("anonymous").get(URL)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_page_shows_warnings_and_records_the_supervisory_committee(cast: Cast) -> None:
    people = _candidates(cast)
    client = cast.client("member_a")
    found = client.get(URL, {"q": "赵妻"}).content.decode()
    assert "记入" in found
    response = client.post(
        URL, {"action": "supervision", "voter": people["赵妻"].pk, "role": "委员"}, follow=True
    )
    assert "已把赵妻记入居务监督委员会" in response.content.decode()
    client.post(
        URL,
        {"action": "relation", "a": people["赵妻"].pk, "b": people["赵主"].pk, "kind": "spouse"},
    )
    page = client.get(URL).content.decode()
    assert "“两委”成员的近亲属不得担任居务监督委员会成员" in page
    # The warning reaches the slate page too (a reminder, never a block).
    slate = client.get("/c/XH01/candidates/slate/").content.decode()
    assert "结构和回避提示" in slate and "居务监督委员会" in slate
    member_ = SupervisionMember.objects.get()
    client.post(URL, {"action": "supervision_remove", "member": member_.pk})
    assert not SupervisionMember.objects.exists()


def test_a_stale_or_foreign_id_answers_404_and_changes_nothing(cast: Cast) -> None:
    people = _candidates(cast)
    other = voters(cast.election_b, cast.users["officer"], {"外社区": "男"})["外社区"]
    client = cast.client("member_a")
    data = {"action": "relation", "a": other.pk, "b": people["赵主"].pk, "kind": "spouse"}
    assert client.post(URL, data).status_code == 404
    assert client.post(URL, {"action": "relation_remove", "relation": "999"}).status_code == 404
    assert not Relation.objects.exists()
