"""The party track of election day (issue 11 item 6): the 党员大会's 应到会 and quorum
(P2, P3, the 4/5 switch and the 组织部 decision), no ballots without quorum, the party
rounds (P4, P8–P13), 书记 / 副书记 (P14), the report, the pages against the cast of
roles, the audit rows and party_blockers."""

from __future__ import annotations

from typing import Any

import pytest

from ballots import party
from ballots.models import (
    AssemblyStatus,
    PartyAssembly,
    PartyEntry,
    PartyLeadership,
    PartyRound,
    PartyRoundKind,
    PartySeatReduction,
)
from ballots.services import BallotsError
from candidates.services.party import reveal_member_id
from elections.models import AuditEvent
from tests.ballots.party_helpers import count, exclude, numbers, roll, setup, today
from tests.candidates.test_slate_pages import ROLES, _check, client_for
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def _inclusive(cast: Cast, value: bool) -> None:
    """Switch the profile's party_quorum_inclusive (P3) for XH01's cycle."""
    profile = cast.election_a.cycle.rule_profile
    profile.party_quorum_inclusive = value
    profile.save(update_fields=["party_quorum_inclusive"])


def _assembly(cast: Cast, present: int) -> PartyAssembly:
    return party.record_assembly(
        cast.election_a, held_on=today(), present=present, actor=cast.users["chair_a"]
    )


# -- 应到会 and quorum (P2, P3) ----------------------------------------------------------


def test_expected_excludes_only_exclusions_with_both_approvals(cast: Cast) -> None:
    people = roll(cast, 12)
    exclude(people[0])  # both: not counted
    exclude(people[1], vote=False)  # 上级 consent only: still counts
    exclude(people[2], consent=False)  # vote only: still counts
    a = _assembly(cast, 11)
    assert (a.voting_members, a.excluded, a.expected) == (12, 1, 11)
    assert a.status == AssemblyStatus.QUORUM


@pytest.mark.parametrize(
    ("inclusive", "status"),
    [(False, AssemblyStatus.PENDING), (True, AssemblyStatus.QUORUM)],
)
def test_exactly_four_fifths_follows_the_switch(cast: Cast, inclusive: bool, status: str) -> None:
    setup(cast, members=10)
    _inclusive(cast, inclusive)
    a = _assembly(cast, 8)  # 8 of 10: exactly four fifths
    assert a.status == status and a.exactly_four_fifths and a.quorum_inclusive is inclusive
    if inclusive:
        assert party.open_formal_round(cast.election_a, actor=cast.users["chair_a"])
    else:
        with pytest.raises(BallotsError, match="组织部决定之前不能发放选票"):
            party.open_formal_round(cast.election_a, actor=cast.users["chair_a"])
        assert not PartyRound.objects.exists()


def test_the_org_decision_is_recorded_and_lets_the_election_go_on(cast: Cast) -> None:
    setup(cast, members=10)
    a = _assembly(cast, 8)
    with pytest.raises(BallotsError) as exc:
        party.record_org_decision(
            a, decided_by="", doc_no="", allowed=None, actor=cast.users["officer"]
        )
    assert set(exc.value.errors) == {"decided_by", "doc_no", "allowed"}
    a = party.record_org_decision(
        a,
        decided_by="区委组织部 李某",
        doc_no="开组〔2026〕9号",
        allowed=True,
        actor=cast.users["officer"],
    )
    a.refresh_from_db()
    assert (a.status, a.decision_doc_no, a.decision_allowed) == ("quorum", "开组〔2026〕9号", True)
    assert a.exactly_four_fifths  # still flagged in the record
    assert party.open_formal_round(cast.election_a, actor=cast.users["chair_a"])
    assert AuditEvent.objects.filter(action="ballots.party.decision_recorded").count() == 1


def test_one_below_four_fifths_fails_blocks_ballots_then_a_new_assembly_succeeds(
    cast: Cast,
) -> None:
    setup(cast, members=10)
    _inclusive(cast, True)
    failed = _assembly(cast, 7)
    assert failed.status == AssemblyStatus.FAILED and not failed.exactly_four_fifths
    with pytest.raises(BallotsError, match="不能发放选票"):
        party.open_formal_round(cast.election_a, actor=cast.users["chair_a"])
    assert not PartyRound.objects.exists()
    assert "党员大会还没有在达到法定到会人数的情况下召开（P3）" in party.party_blockers(
        cast.election_a
    )
    again = _assembly(cast, 9)
    assert (again.number, again.status) == (2, AssemblyStatus.QUORUM)
    r = party.open_formal_round(cast.election_a, actor=cast.users["chair_a"])
    assert r.assembly == again
    with pytest.raises(BallotsError, match="不能再登记新的党员大会"):
        _assembly(cast, 10)


def test_present_over_expected_is_refused_beside_the_field(cast: Cast) -> None:
    setup(cast, members=5)
    with pytest.raises(BallotsError) as exc:
        _assembly(cast, 6)
    assert "present" in exc.value.errors
    assert not PartyAssembly.objects.exists()


# -- rounds (P7, P10–P13) -------------------------------------------------------------------


def _opened(
    cast: Cast, *, members: int = 10, seats: int = 3, present: int = 10, **kw: Any
) -> PartyRound:
    setup(cast, members=members, seats=seats, **kw)
    _assembly(cast, present)
    return party.open_formal_round(cast.election_a, actor=cast.users["chair_a"])


def test_the_ballot_is_in_stroke_order(cast: Cast) -> None:
    r = _opened(cast)
    assert [c.name for c in r.candidates.all()] == ["王一", "刘四", "李二", "张三"]


def test_exactly_half_of_present_is_not_elected(cast: Cast) -> None:
    r = _opened(cast, present=10)
    # 5 of 实到会 10 is exactly half (not elected), though more than half of the 8 valid
    # ballots: the denominator is 实到会, never the ballots (P11).
    nums = numbers(
        r, {"王一": 6, "李二": 6, "张三": 5, "刘四": 5}, issued=10, returned=9, invalid=1
    )
    r = count(cast, r, nums)
    labels = r.result["labels"]
    assert sorted(labels[k] for k in r.result["elected"]) == ["李二", "王一"]
    assert r.result["shortfall"] == 1 and r.result["next"] == "shortfall"  # 5 of 10: not > half


def test_a_tie_at_the_last_seat_revotes_the_tied_only(cast: Cast) -> None:
    r = _opened(cast)
    r = count(cast, r, numbers(r, {"王一": 9, "李二": 8, "张三": 6, "刘四": 6}, issued=10))
    assert r.result["next"] == "revote" and r.result["contested"] == 1
    rv = party.open_revote(r, actor=cast.users["chair_a"])
    assert rv.kind == PartyRoundKind.REVOTE and rv.seats == 1
    assert sorted(c.name for c in rv.candidates.all()) == ["刘四", "张三"]
    rv = count(cast, rv, numbers(rv, {"张三": 6, "刘四": 4}, issued=10))
    assert [e.name for e in party.elected_committee(cast.election_a)] == ["王一", "李二", "张三"]
    assert party.committee_state(cast.election_a).pending == ""


def test_shortfall_goes_to_a_runoff_with_the_same_threshold(cast: Cast) -> None:
    r = _opened(cast)
    r = count(cast, r, numbers(r, {"王一": 9, "李二": 8, "张三": 5, "刘四": 4}, issued=10))
    assert r.result["shortfall"] == 1
    ro = party.open_runoff(r, actor=cast.users["chair_a"])
    assert ro.kind == PartyRoundKind.RUNOFF and ro.seats == 1
    assert [c.name for c in ro.candidates.all()] == ["张三", "刘四"]
    ro = count(cast, ro, numbers(ro, {"张三": 5, "刘四": 5}, issued=10))
    assert ro.result["elected"] == [] and ro.result["next"] == "shortfall"  # still > half
    ro2 = party.open_runoff(ro, actor=cast.users["chair_a"])
    ro2 = count(cast, ro2, numbers(ro2, {"张三": 6, "刘四": 4}, issued=10))
    assert [e.name for e in party.elected_committee(cast.election_a)] == ["王一", "李二", "张三"]


def test_seat_reduction_needs_half_of_present_consenting(cast: Cast) -> None:
    r = _opened(cast)
    r = count(cast, r, numbers(r, {"王一": 9, "李二": 8, "张三": 5, "刘四": 4}, issued=10))
    with pytest.raises(BallotsError, match="不足") as exc:
        party.reduce_seats(r, consenting=4, note="", actor=cast.users["chair_a"])
    assert "consenting" in exc.value.errors and not PartySeatReduction.objects.exists()
    red = party.reduce_seats(r, consenting=5, note="接近应选名额", actor=cast.users["chair_a"])
    assert (red.seats_dropped, red.present, red.consenting) == (1, 10, 5)
    state = party.committee_state(cast.election_a)
    assert state.unfilled == 0 and state.pending == ""
    with pytest.raises(BallotsError):
        party.open_runoff(r, actor=cast.users["chair_a"])


def test_returned_over_present_makes_the_round_void_and_rerun(cast: Cast) -> None:
    r = _opened(cast, present=9)
    nums = numbers(r, {"王一": 9}, issued=9, returned=10)
    codes = {f.code for f in party.findings(r, nums)}
    assert "PE02" in codes
    nums = numbers(r, {"王一": 9}, issued=10)
    assert "PE03" in {f.code for f in party.findings(r, nums)}  # no proxies: issued ≤ present


def test_double_entry_needs_two_users_and_the_chair_resolves_differences(cast: Cast) -> None:
    r = _opened(cast)
    a = numbers(r, {"王一": 9, "李二": 8, "张三": 7}, issued=10)
    b = numbers(r, {"王一": 9, "李二": 8, "张三": 6}, issued=10)
    party.enter(r, a, actor=cast.users["chair_a"])
    with pytest.raises(BallotsError, match="另一位工作人员"):
        party.enter(r, a, actor=cast.users["chair_a"])
    party.enter(r, b, actor=cast.users["officer"])
    r.refresh_from_db()
    assert r.sheet_status == "different"
    party.keep_entry(r, 1, actor=cast.users["chair_a"])
    r.refresh_from_db()
    assert r.sheet_status == "matched" and r.chosen is not None and r.chosen.slot == 1
    assert PartyEntry.objects.filter(discarded=True).count() == 1


# -- P14 -------------------------------------------------------------------------------------


def _elected(cast: Cast) -> PartyRound:
    r = _opened(cast)
    return count(cast, r, numbers(r, {"王一": 9, "李二": 8, "张三": 7, "刘四": 2}, issued=10))


def _lead(cast: Cast, **kw: Any) -> PartyLeadership:
    data: dict[str, Any] = {
        "meeting_date": today(),
        "members_present": 3,
        "secretary": "王一",
        "secretary_votes": 3,
        "deputies": ["李二"],
        "approved_by": "中共新河街道工作委员会",
        "approval_date": today(),
        "approval_doc_no": "新党工〔2026〕15号",
    }
    data |= kw
    return party.record_leadership(cast.election_a, actor=cast.users["chair_a"], **data)


def test_the_secretary_needs_a_document_number_and_an_elected_member(cast: Cast) -> None:
    _elected(cast)
    assert party.party_blockers(cast.election_a) == [
        "书记、副书记的选举结果和上级党组织的批准还没有登记（P14）"
    ]
    with pytest.raises(BallotsError) as exc:
        _lead(cast, approval_doc_no=" ")
    assert "approval_doc_no" in exc.value.errors
    with pytest.raises(BallotsError) as exc:
        _lead(cast, secretary="刘四")  # a candidate, not elected
    assert "secretary" in exc.value.errors
    with pytest.raises(BallotsError) as exc:
        _lead(cast, deputies=["外人"])
    assert "deputies" in exc.value.errors
    assert not PartyLeadership.objects.exists()
    lead = _lead(cast)
    assert (lead.secretary, lead.deputies, lead.mode) == ("王一", ["李二"], "committee")
    assert party.party_blockers(cast.election_a) == []
    assert AuditEvent.objects.filter(action="ballots.party.leadership_recorded").count() == 1


def test_the_secretary_waits_for_the_committee(cast: Cast) -> None:
    r = _opened(cast)
    with pytest.raises(BallotsError, match="委员还没有选举完成"):
        _lead(cast)
    assert r.pk


def test_blockers_are_empty_without_party_work(cast: Cast) -> None:
    assert party.party_blockers(cast.election_a) == []


def test_every_change_is_audited(cast: Cast) -> None:
    r = _elected(cast)
    _lead(cast)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "ballots.party.assembly_recorded",
        "ballots.party.round_opened",
        "ballots.party.entry_saved",
        "ballots.party.sheet_confirmed",
        "ballots.party.round_closed",
        "ballots.party.leadership_recorded",
    } <= actions
    row = AuditEvent.objects.get(action="ballots.party.round_closed")
    assert row.community_id == cast.community_a.pk and "王一" in row.data["当选"]
    assert r.result["present"] == 10


# -- pages against the cast of roles ---------------------------------------------------------

READERS = {"officer", "supervisor", "org_reviewer", "member_a", "chair_a"}
CHANGERS = {"officer", "chair_a"}


@pytest.fixture
def opened(cast: Cast) -> PartyRound:
    return _opened(cast)


def _pages(r: PartyRound) -> dict[str, set[str]]:
    return {
        "/c/XH01/ballots/party/": READERS,
        f"/c/XH01/ballots/party/rounds/{r.pk}/": READERS,
        f"/c/XH01/ballots/party/rounds/{r.pk}/enter/": CHANGERS,
        f"/c/XH01/ballots/party/rounds/{r.pk}/review/": CHANGERS,
        "/c/XH01/ballots/party/leadership/": READERS,
        "/c/XH01/ballots/party/report/": READERS,
        f"/c/XH02/ballots/party/rounds/{r.pk}/": set(),  # XH01's round under XH02's address
        f"/c/XH02/ballots/party/rounds/{r.pk}/enter/": set(),
        "/c/XH02/ballots/party/": {"officer", "supervisor", "org_reviewer", "member_b"},
    }


@pytest.mark.parametrize("role", ROLES)
def test_party_pages_answer_each_role(cast: Cast, opened: PartyRound, role: str) -> None:
    client = client_for(cast, role)
    for url, allowed in _pages(opened).items():
        response = client.get(url)
        _check(response, role, allowed, url)
        if role in allowed:
            assert response.status_code == 200, url


@pytest.mark.parametrize("role", ROLES)
def test_party_posts_are_refused_to_readers_and_outsiders(
    cast: Cast, opened: PartyRound, role: str
) -> None:
    r = opened
    posts = {
        "/c/XH01/ballots/party/": {"action": "assembly", "present": "9"},
        f"/c/XH01/ballots/party/rounds/{r.pk}/": {"action": "close"},
        f"/c/XH01/ballots/party/rounds/{r.pk}/enter/": {"issued": "1"},
        f"/c/XH01/ballots/party/rounds/{r.pk}/review/": {"action": "keep-1"},
        "/c/XH01/ballots/party/leadership/": {"secretary": "王一"},
        f"/c/XH02/ballots/party/rounds/{r.pk}/": {"action": "close"},
    }
    client = client_for(cast, role)
    for url, data in posts.items():
        allowed = CHANGERS if url.startswith("/c/XH01/") else set()
        before = AuditEvent.objects.count()
        response = client.post(url, data)
        _check(response, role, allowed, url)
        if role not in allowed:
            assert AuditEvent.objects.count() == before, url


def test_the_round_page_says_no_proxies(cast: Cast, opened: PartyRound) -> None:
    page = (
        cast.client("member_a").get(f"/c/XH01/ballots/party/rounds/{opened.pk}/").content.decode()
    )
    assert "不允许委托投票" in page
    assert "王一" in page and "录入计票单" not in page  # a reader sees no button


def test_the_assembly_form_keeps_bad_input_beside_the_field(cast: Cast) -> None:
    setup(cast, members=10)
    client = cast.client("chair_a")
    response = client.post(
        "/c/XH01/ballots/party/", {"action": "assembly", "held_on": "", "present": "九"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "实到会人数请填写0或正整数" in page and not PartyAssembly.objects.exists()
    response = client.post(
        "/c/XH01/ballots/party/",
        {"action": "assembly", "held_on": today().isoformat(), "present": "11"},
    )
    assert "实到会人数不能多于应到会有选举权人数 10 人" in response.content.decode()
    assert not PartyAssembly.objects.exists()
    response = client.post(
        "/c/XH01/ballots/party/",
        {"action": "assembly", "held_on": today().isoformat(), "present": "8"},
        follow=True,
    )
    page = response.content.decode()
    assert "恰好五分之四，待组织部决定" in page and "登记组织部决定" in page
    assert "开始委员正式选举" not in page  # no ballots before the decision


def _form(r: PartyRound, votes: dict[str, str], **fields: str) -> dict[str, str]:
    by_name = {rc.name: f"votes-c{rc.pk}" for rc in r.candidates.all()}
    data = {"issued": "10", "returned": "10", "invalid": "0"} | fields
    return data | {by_name[n]: v for n, v in votes.items()}


def test_the_whole_round_through_the_pages(cast: Cast, opened: PartyRound) -> None:
    r = opened
    chair, officer = cast.client("chair_a"), client_for(cast, "officer")
    url = f"/c/XH01/ballots/party/rounds/{r.pk}/enter/"
    votes = {"王一": "9", "李二": "8", "张三": "7", "刘四": ""}
    page = chair.post(url, _form(r, votes)).content.decode()
    assert "PE01" in page and "请填写刘四的赞成票数" in page and not PartyEntry.objects.exists()
    page = chair.post(url, _form(r, votes | {"刘四": "2"}, issued="11")).content.decode()
    assert "PE03" in page and not PartyEntry.objects.exists()  # no proxies: issued ≤ 实到会
    assert chair.post(url, _form(r, votes | {"刘四": "2"})).status_code == 302
    assert officer.post(url, _form(r, votes | {"刘四": "2"})).status_code == 302
    review = f"/c/XH01/ballots/party/rounds/{r.pk}/review/"
    assert "确认这张计票单" in chair.get(review).content.decode()
    assert chair.post(review, {"action": "confirm"}).status_code == 302
    detail = f"/c/XH01/ballots/party/rounds/{r.pk}/"
    page = chair.post(detail, {"action": "close"}, follow=True).content.decode()
    assert "当选" in page and "选举书记、副书记" in page
    lead = "/c/XH01/ballots/party/leadership/"
    data = {
        "meeting_date": today().isoformat(),
        "secretary": "王一",
        "deputies": ["李二"],
        "approved_by": "中共新河街道工作委员会",
        "approval_date": today().isoformat(),
        "approval_doc_no": "",
    }
    page = chair.post(lead, data).content.decode()
    assert "请填写上级党组织批准的文号" in page and not PartyLeadership.objects.exists()
    page = chair.post(
        lead, data | {"secretary": "刘四", "approval_doc_no": "新党工〔2026〕15号"}
    ).content.decode()
    assert "书记必须从当选的委员中产生" in page and not PartyLeadership.objects.exists()
    assert chair.post(lead, data | {"approval_doc_no": "新党工〔2026〕15号"}).status_code == 302
    assert PartyLeadership.objects.get().approval_doc_no == "新党工〔2026〕15号"


def test_the_report_shows_the_figures_and_no_id_numbers(cast: Cast) -> None:
    r = _elected(cast)
    _lead(cast)
    page = cast.client("supervisor").get("/c/XH01/ballots/party/report/").content.decode()
    for text in ("应到会", "实到会", "王一", "新党工〔2026〕15号", "书记 王一", "副书记 李二"):
        assert text in page, text
    assert "<td>10</td>" in page  # 实到会 10
    for rc in r.candidates.select_related("candidate"):
        assert rc.candidate is not None
        assert rc.candidate.id_masked not in page
        assert rc.candidate.party_member is not None
        assert reveal_member_id(rc.candidate.party_member) not in page
    response = cast.client("chair_a").get("/c/XH01/ballots/party/report.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_a_refused_decision_fails_the_assembly_and_a_new_one_may_be_convened(cast: Cast) -> None:
    setup(cast, members=10)
    a = _assembly(cast, 8)
    with pytest.raises(BallotsError, match="不能再登记新的党员大会"):
        _assembly(cast, 9)  # pending: wait for the decision
    assert party.party_blockers(cast.election_a) == [
        "党员大会恰好五分之四到会，还在等待组织部的决定（P3）"
    ]
    a = party.record_org_decision(
        a,
        decided_by="区委组织部",
        doc_no="开组〔2026〕10号",
        allowed=False,
        actor=cast.users["officer"],
    )
    assert a.status == AssemblyStatus.FAILED
    with pytest.raises(BallotsError):
        party.open_formal_round(cast.election_a, actor=cast.users["chair_a"])
    assert _assembly(cast, 9).status == AssemblyStatus.QUORUM


def test_a_certified_result_locks_every_party_change(cast: Cast) -> None:
    from ballots.models import Certification

    r = _opened(cast)
    Certification.objects.create(election=cast.election_a, content={}, sha256="0" * 64)
    before = AuditEvent.objects.count()
    with pytest.raises(BallotsError, match="已经确认"):
        party.enter(r, numbers(r, {"王一": 9}, issued=10), actor=cast.users["chair_a"])
    with pytest.raises(BallotsError, match="已经确认"):
        _lead(cast)
    assert AuditEvent.objects.count() == before and not PartyEntry.objects.exists()


def test_under_seven_full_members_the_assembly_elects_the_secretary(cast: Cast) -> None:
    people, _ = setup(cast, members=5, seats=1, names=["王一", "李二"])
    assert party.leadership_mode(cast.election_a) == "assembly"
    _assembly(cast, 5)
    lead = _lead(cast, deputies=[])
    assert lead.mode == "assembly" and lead.secretary == "王一"
    page = cast.client("chair_a").get("/c/XH01/ballots/party/leadership/").content.decode()
    assert "党员大会直接选举" in page and "新党工〔2026〕15号" in page
    assert len(people) == 5


def test_the_party_overview_shows_the_rounds_and_the_expected_count(
    cast: Cast, opened: PartyRound
) -> None:
    page = cast.client("chair_a").get("/c/XH01/ballots/party/").content.decode()
    assert opened.label in page and "应到会有选举权人数 10 人" in page


def test_the_leadership_form_refuses_words_for_numbers(cast: Cast) -> None:
    _elected(cast)
    page = (
        cast.client("chair_a")
        .post(
            "/c/XH01/ballots/party/leadership/",
            {"meeting_date": today().isoformat(), "secretary": "王一", "secretary_votes": "三"},
        )
        .content.decode()
    )
    assert "请填写0或正整数，或者不填" in page and not PartyLeadership.objects.exists()


@pytest.mark.parametrize(
    "role", ["member_b", "other_officer", "no_role", "dept_reviewer", "anonymous"]
)
def test_the_report_pdf_is_refused_to_outsiders(cast: Cast, role: str) -> None:
    setup(cast)
    response = client_for(cast, role).get("/c/XH01/ballots/party/report.pdf")
    _check(response, role, set(), "/c/XH01/ballots/party/report.pdf")


def test_the_help_page_lists_the_party_codes(cast: Cast) -> None:
    from ballots import checks

    page = cast.client("chair_a").get("/ballots/checks/").content.decode()
    for spec in checks.PARTY_CHECKS:
        assert spec.code in page and spec.title in page
