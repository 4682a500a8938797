"""The committee formal list (R17–R20): 差额 and women at their boundaries, clearance
gating, pledges, the publication deadline, withdrawal per profile, 递补 order, ballot
order and its audited override, the stage checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from candidates.models import Candidate, CandidateSource, CandidateStatus
from candidates.services import CandidateError
from candidates.services.slate import (
    computed_order,
    disqualify_candidate,
    override_ballot_order,
    publication_deadline,
    publish_slate,
    replace_candidate,
    set_ballot_order,
    slate_of,
    withdraw_candidate,
)
from elections.models import AuditEvent, RuleProfile
from elections.stages import issues_before_leaving
from tests.candidates.committee_slate_helpers import full_slate
from tests.conftest import ELECTION_DAY, Cast

TODAY = dt.date(2026, 12, 2)


def _by_name(election: Any) -> dict[str, Candidate]:
    return {c.name: c for c in Candidate.objects.filter(election=election)}


def _check(slate: Any, post: str, code: str) -> Any:
    return next(c for c in slate.posts[post].checks if c.code == code)


@pytest.fixture
def slate_a(cast: Cast, vetting_double: Any) -> dict[str, Candidate]:
    full_slate(cast.election_a, cast.admin)
    return _by_name(cast.election_a)


def _clear_all(double: Any, election: Any) -> None:
    double.clear(*Candidate.objects.filter(election=election))


def test_count_check_at_seats_plus_one_and_at_seats(cast: Cast, slate_a: Any) -> None:
    # 主任: 1 seat, 2 candidates = seats + 1 → fine.
    assert _check(slate_of(cast.election_a), "director", "count").ok
    Candidate.objects.filter(name="钱主").update(status=CandidateStatus.WITHDRAWN)
    check = _check(slate_of(cast.election_a), "director", "count")
    assert not check.ok and "R17" in check.message and "至少 2 名" in check.message


def test_equal_candidates_pass_when_the_profile_allows_them(cast: Cast, slate_a: Any) -> None:
    profile = cast.cycle.rule_profile
    RuleProfile.objects.filter(pk=profile.pk).update(allow_equal_candidates=True)
    Candidate.objects.filter(name="钱主").update(status=CandidateStatus.WITHDRAWN)
    cast.election_a.refresh_from_db()
    cast.election_a.cycle.rule_profile.refresh_from_db()
    assert _check(slate_of(cast.election_a), "director", "count").ok


def test_women_check_zero_and_one_woman(cast: Cast, slate_a: Any) -> None:
    assert _check(slate_of(cast.election_a), "member", "women").ok  # 吴委 only
    Candidate.objects.filter(name="吴委").update(gender="男")
    check = _check(slate_of(cast.election_a), "member", "women")
    assert not check.ok and "R18" in check.message


def test_clearance_gates_publication(cast: Cast, slate_a: Any, vetting_double: Any) -> None:
    slate = slate_of(cast.election_a)
    assert not _check(slate, "director", "clearance").ok
    assert "待联审" in _check(slate, "director", "clearance").message
    with pytest.raises(CandidateError, match="待联审"):
        publish_slate(cast.election_a, actor=cast.admin, on=TODAY)
    _clear_all(vetting_double, cast.election_a)
    vetting_double.block(slate_a["赵主"], "公安：正被立案侦查")
    check = _check(slate_of(cast.election_a), "director", "clearance")
    assert not check.ok and "公安：正被立案侦查" in check.message
    vetting_double.blocked.clear()
    calls = vetting_double.calls
    slate_of(cast.election_a)
    assert vetting_double.calls == calls + 1  # one call for the whole list
    published = publish_slate(cast.election_a, actor=cast.admin, on=TODAY)
    assert len(published) == 8
    assert set(
        Candidate.objects.filter(election=cast.election_a).values_list("status", "published_on")
    ) == {(CandidateStatus.FORMAL, TODAY)}
    assert AuditEvent.objects.filter(action="candidates.slate.published").count() == 1


def test_missing_pledge_blocks(cast: Cast, slate_a: Any, vetting_double: Any) -> None:
    _clear_all(vetting_double, cast.election_a)
    Candidate.objects.filter(name="孙副").update(pledge_signed_on=None)
    with pytest.raises(CandidateError, match="孙副尚未签署承诺书"):
        publish_slate(cast.election_a, actor=cast.admin, on=TODAY)


def test_publication_deadline(cast: Cast, slate_a: Any, vetting_double: Any) -> None:
    _clear_all(vetting_double, cast.election_a)
    latest = publication_deadline(cast.election_a)
    assert latest == ELECTION_DAY - dt.timedelta(days=7)  # 新河: 7 days (R19)
    with pytest.raises(CandidateError, match="R19"):
        publish_slate(cast.election_a, actor=cast.admin, on=latest + dt.timedelta(days=1))
    assert publish_slate(cast.election_a, actor=cast.admin, on=latest)


def _publish(cast: Cast, double: Any) -> None:
    _clear_all(double, cast.election_a)
    publish_slate(cast.election_a, actor=cast.admin, on=TODAY)


def test_xinhe_refuses_withdrawal_after_publication(
    cast: Cast, slate_a: Any, vetting_double: Any
) -> None:
    # Before publication a nominee may withdraw (and is replaced).
    withdraw_candidate(slate_a["王委"], reason="本人书面申请", on=TODAY, actor=cast.admin)
    assert replace_candidate(slate_a["王委"], actor=cast.admin).replacement_name == "冯委"
    Candidate.objects.filter(name="冯委").update(pledge_signed_on=TODAY)
    _publish(cast, vetting_double)
    with pytest.raises(CandidateError, match="R20"):
        withdraw_candidate(slate_a["周委"], reason="本人书面申请", on=TODAY, actor=cast.admin)
    # A disqualification stays possible.
    disqualify_candidate(slate_a["周委"], reason="联审复核不符", on=TODAY, actor=cast.admin)


@pytest.mark.parametrize(
    ("policy", "day", "allowed"),
    [
        ("until_d_minus_3", ELECTION_DAY - dt.timedelta(days=3), True),
        ("until_d_minus_3", ELECTION_DAY - dt.timedelta(days=2), False),
        ("publish_plus_3", TODAY + dt.timedelta(days=3), True),
        ("publish_plus_3", TODAY + dt.timedelta(days=4), False),
    ],
)
def test_withdrawal_per_profile(
    cast: Cast, slate_a: Any, vetting_double: Any, policy: str, day: dt.date, allowed: bool
) -> None:
    RuleProfile.objects.filter(pk=cast.cycle.rule_profile_id).update(withdrawal_policy=policy)
    _publish(cast, vetting_double)
    candidate = Candidate.objects.select_related("election__cycle__rule_profile").get(
        pk=slate_a["周委"].pk
    )
    if allowed:
        withdraw_candidate(candidate, reason="书面退出", on=day, actor=cast.admin)
        assert Candidate.objects.get(pk=candidate.pk).status == CandidateStatus.WITHDRAWN
    else:
        with pytest.raises(CandidateError, match="R20"):
            withdraw_candidate(candidate, reason="书面退出", on=day, actor=cast.admin)


def test_replacement_by_nomination_vote_order(
    cast: Cast, slate_a: Any, vetting_double: Any
) -> None:
    _publish(cast, vetting_double)
    disqualify_candidate(slate_a["郑委"], reason="联审复核不符", on=TODAY, actor=cast.admin)
    notice = replace_candidate(slate_a["郑委"], actor=cast.admin)
    assert (notice.left_name, notice.left_kind, notice.replacement_name) == (
        "郑委",
        "资格不符",
        "冯委",
    )
    assert notice.replacement_votes == 3 and notice.replacement_rank == 5
    new = Candidate.objects.get(name="冯委")
    assert (new.source, new.status, new.replaces_id) == (
        CandidateSource.REPLACEMENT,
        CandidateStatus.NOMINEE,
        slate_a["郑委"].pk,
    )
    with pytest.raises(CandidateError, match="已经为此人办理过递补"):
        replace_candidate(slate_a["郑委"], actor=cast.admin)
    disqualify_candidate(new, reason="复核不符", on=TODAY, actor=cast.admin)
    assert replace_candidate(new, actor=cast.admin).replacement_name == "陈委"
    event = AuditEvent.objects.filter(action="candidates.candidate.replaced").order_by("pk").first()
    assert event is not None and event.data["递补谁"] == "郑委"
    # The replacement needs vetting before it is published.
    assert not slate_of(cast.election_a, on=TODAY).publishable


def test_ballot_order_by_votes(cast: Cast, slate_a: Any) -> None:
    RuleProfile.objects.filter(pk=cast.cycle.rule_profile_id).update(
        ballot_order="nomination_votes"
    )
    cast.election_a.cycle.rule_profile.refresh_from_db()
    order = set_ballot_order(cast.election_a, "member", actor=cast.admin)
    assert [c.name for c in order.candidates] == ["周委", "吴委", "郑委", "王委"]
    assert Candidate.objects.get(name="王委").ballot_order == 4


def test_ballot_order_by_strokes_uses_stroke_sort(
    cast: Cast, slate_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from candidates import ordering

    seen: list[list[str]] = []

    def fake(names: list[str]) -> list[str]:
        seen.append(list(names))
        return sorted(names, reverse=True)

    monkeypatch.setattr(ordering, "stroke_sort", fake)
    order = computed_order(cast.election_a, "member")
    assert len(seen) == 1 and sorted(seen[0]) == sorted(["周委", "吴委", "郑委", "王委"])
    assert [c.name for c in order.candidates] == sorted(seen[0], reverse=True)


def test_override_needs_a_reason_and_is_audited(cast: Cast, slate_a: Any) -> None:
    ids = [slate_a[n].pk for n in ("王委", "郑委", "吴委", "周委")]
    with pytest.raises(CandidateError, match="理由"):
        override_ballot_order(cast.election_a, "member", ids, reason=" ", actor=cast.admin)
    with pytest.raises(CandidateError):
        override_ballot_order(cast.election_a, "member", ids[:3], reason="x", actor=cast.admin)
    override_ballot_order(
        cast.election_a, "member", ids, reason="“王”缺少笔画数据", actor=cast.admin
    )
    got = Candidate.objects.get(name="王委")
    assert (got.ballot_order, got.order_override_reason) == (1, "“王”缺少笔画数据")
    event = AuditEvent.objects.get(action="candidates.ballot_order.overridden")
    assert event.data["reason"] == "“王”缺少笔画数据"
    assert event.data["顺序"] == ["王委", "郑委", "吴委", "周委"]


def test_stage_checks_block_vetting_and_formal_stages(
    cast: Cast, slate_a: Any, vetting_double: Any
) -> None:
    cast.election_a.committee_stage = "vetting"
    cast.election_a.save()
    assert any("待联审" in i.message for i in issues_before_leaving(cast.election_a, "committee"))
    _clear_all(vetting_double, cast.election_a)
    assert issues_before_leaving(cast.election_a, "committee") == []
    cast.election_a.committee_stage = "formal_candidates"
    cast.election_a.save()
    assert any(
        "尚未作为正式候选人公布" in i.message
        for i in issues_before_leaving(cast.election_a, "committee")
    )
    publish_slate(cast.election_a, actor=cast.admin, on=TODAY)
    assert issues_before_leaving(cast.election_a, "committee") == []
