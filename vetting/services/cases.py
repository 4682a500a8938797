"""Tip-offs (举报线索), 劝退 and the organisation reviewer's decisions (Q1, Q2, R36)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from candidates.models import Candidate, CandidateStatus, Track
from candidates.services import CandidateError
from elections import audit
from elections.access import scope_of
from elections.models import Department
from vetting.models import (
    Decision,
    DecisionKind,
    Persuasion,
    TipChannel,
    TipOff,
    TipOutcome,
)
from vetting.services import VettingError

AUDIT_LABELS = {
    "vetting.tipoff.received": "登记举报线索",
    "vetting.tipoff.closed": "举报线索办结",
    "vetting.decision.recorded": "组织部作出资格认定",
    "vetting.persuasion.recorded": "劝退并办理退出",
}


def _not_future(day: dt.date | None, label: str, today: dt.date) -> dict[str, str]:
    if day is None:
        return {"date": f"请填写{label}"}
    if day > today:
        return {"date": f"{label}不能晚于今天"}
    return {}


def receive_tipoff(
    candidate: Candidate,
    *,
    received_on: dt.date | None,
    channel: str,
    content: str,
    department: Department | None,
    actor: Any,
    today: dt.date | None = None,
) -> TipOff:
    today = today or timezone.localdate()
    content = content.strip()
    errors = _not_future(received_on, "收到日期", today)
    if channel not in TipChannel.values:
        errors["channel"] = "请选择渠道"
    if not content:
        errors["content"] = "请填写反映的内容"
    district_id = candidate.election.community.street.district_id
    if department is not None and department.district_id != district_id:
        errors["department"] = "只能交本区的部门核实"
    if errors:
        raise VettingError("没有登记，请改正标红的内容", errors=errors)
    assert received_on is not None
    with transaction.atomic():
        tip = TipOff.objects.create(
            candidate=candidate,
            received_on=received_on,
            channel=channel,
            content=content,
            department=department,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.record(
            actor,
            "vetting.tipoff.received",
            tip,
            community_id=candidate.election.community_id,
            data={
                "人选": candidate.name,
                "渠道": tip.get_channel_display(),
                "核实部门": department.name if department else "",
            },
        )
    return tip


def close_tipoff(
    tip: TipOff,
    *,
    outcome: str,
    note: str,
    closed_on: dt.date | None,
    actor: Any,
    today: dt.date | None = None,
) -> TipOff:
    today = today or timezone.localdate()
    note = note.strip()
    errors = _not_future(closed_on, "办结日期", today)
    if outcome not in (TipOutcome.CONFIRMED, TipOutcome.UNFOUNDED):
        errors["outcome"] = "请选择核实结果"
    if not note:
        errors["note"] = "请写明核实情况"
    if errors:
        raise VettingError("没有保存，请改正标红的内容", errors=errors)
    with transaction.atomic():
        locked = (
            TipOff.objects.select_for_update().select_related("candidate__election").get(pk=tip.pk)
        )
        if locked.outcome != TipOutcome.OPEN:
            raise VettingError("这条线索已经办结")
        locked.outcome = outcome
        locked.outcome_note = note
        locked.closed_on = closed_on
        locked.save()
        audit.record(
            actor,
            "vetting.tipoff.closed",
            locked,
            community_id=locked.candidate.election.community_id,
            data={"人选": locked.candidate.name, "结果": locked.get_outcome_display()},
        )
    return locked


def can_decide(user: Any, candidate: Candidate) -> bool:
    """Only the organisation reviewer of the candidate's district (or a superuser)."""
    scope = scope_of(user)
    district_id = candidate.election.community.street.district_id
    return scope.superuser or district_id in scope.reviewed_districts


def decide(candidate: Candidate, kind: str, *, reason: str, actor: Any) -> Decision:
    """The organisation reviewer's decision, always with a reason: clear (a 不宜 finding
    or a late department overridden), block, or — for a winner found on the 不能 list
    after the vote — void (Q1, R36; the ballots issue acts on it)."""
    if not can_decide(actor, candidate):
        raise VettingError("只有区委组织部审核人可以作出认定")
    reason = reason.strip()
    if kind not in DecisionKind.values:
        raise VettingError("请选择认定结果", errors={"kind": "请选择认定结果"})
    if not reason:
        raise VettingError("请写明理由", errors={"reason": "作出认定必须写明理由"})
    from vetting.services.aggregate import vetting_of

    if kind == DecisionKind.CLEAR and any(
        c.cannot for c in vetting_of([candidate])[candidate.pk].cells.values()
    ):
        raise VettingError("有“不能”情形的人选不能通过认定放行（Q1）；如部门意见有误，请部门更正")
    with transaction.atomic():
        decision = Decision.objects.create(
            candidate=candidate,
            kind=kind,
            reason=reason,
            decided_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.record(
            actor,
            "vetting.decision.recorded",
            decision,
            community_id=candidate.election.community_id,
            data={"人选": candidate.name, "认定": decision.get_kind_display(), "理由": reason},
        )
    return decision


# Who may still be persuaded to withdraw (劝退): a 居委会 nominee before the formal list,
# a party 初步人选 or 预备人选. The candidate page offers the form only for these.
PERSUADABLE = ("nominee", "initial", "pre_candidate")


def persuade(
    candidate: Candidate,
    *,
    on: dt.date | None,
    reason: str,
    actor: Any,
    today: dt.date | None = None,
) -> tuple[Persuasion, str]:
    """劝退: the candidate withdraws after persuasion; a 居委会 nominee is replaced (递补)
    through the candidates service by nomination-vote order. Returns the record and the
    replacement's name ("" when nobody is left to move up, or on the party track)."""
    today = today or timezone.localdate()
    reason = reason.strip()
    errors = _not_future(on, "劝退日期", today)
    if not reason:
        errors["reason"] = "请写明劝退原因"
    if errors:
        raise VettingError("没有保存，请改正标红的内容", errors=errors)
    assert on is not None
    from candidates.services import party as party_svc
    from candidates.services import slate as slate_svc

    replacement = ""
    try:
        with transaction.atomic():
            if Persuasion.objects.filter(candidate=candidate).exists():
                raise VettingError("已为此人记录过劝退")
            record = Persuasion.objects.create(
                candidate=candidate,
                on=on,
                reason=reason[:200],
                recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            audit.record(
                actor,
                "vetting.persuasion.recorded",
                record,
                community_id=candidate.election.community_id,
                data={"人选": candidate.name, "原因": reason},
            )
            full = f"经资格联审劝退：{reason}"
            if candidate.track == Track.COMMITTEE:
                left = slate_svc.withdraw_candidate(candidate, reason=full, on=on, actor=actor)
                if slate_svc.next_in_line(left.election, left.post) is not None:
                    replacement = slate_svc.replace_candidate(left, actor=actor).replacement_name
            elif candidate.status in (CandidateStatus.INITIAL, CandidateStatus.PRE_CANDIDATE):
                party_svc.withdraw_candidate(candidate, reason=full, actor=actor)
            else:
                raise VettingError("此人已不在人选名单上")
    except CandidateError as exc:
        raise VettingError(exc.message) from None
    return record, replacement
