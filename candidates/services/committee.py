"""The 居民选举委员会 (R6, R7): the 推选 result in its original order, and a member who
becomes a candidate leaving it, the first alternate filling the vacancy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from candidates.models import CommitteeMember, CommitteeMemberStatus
from candidates.services import CandidateError
from elections import audit
from elections.models import CommunityElection
from elections.registration.models import Voter

AUDIT_LABELS = {
    "candidates.committee.member_added": "记录选举委员会推选结果",
    "candidates.committee.chair_set": "确定选举委员会主任",
    "candidates.committee.left_for_candidacy": "选举委员会成员因被提名而退出（R7）",
    "candidates.committee.vacancy_filled": "按推选顺序递补选举委员会成员（R7）",
}


def add_member(
    election: CommunityElection,
    *,
    voter: Voter,
    votes: int | None,
    alternate: bool,
    actor: Any,
) -> CommitteeMember:
    """One person of the 推选 result, after those already recorded (their order is the
    order of the result: members first, then the runners-up as alternates)."""
    if voter.election_id != election.pk:
        raise CandidateError("只能从本社区的选民中选择")
    with transaction.atomic():
        CommunityElection.objects.select_for_update().get(pk=election.pk)
        if CommitteeMember.objects.filter(election=election, voter=voter).exists():
            raise CandidateError(f"{voter.name}已在推选结果中")
        last = CommitteeMember.objects.filter(election=election).aggregate(m=Max("rank"))["m"]
        member = CommitteeMember.objects.create(
            election=election,
            name=voter.name,
            voter=voter,
            rank=(last or 0) + 1,
            votes=votes,
            status=CommitteeMemberStatus.ALTERNATE if alternate else CommitteeMemberStatus.MEMBER,
        )
        audit.record(
            actor,
            "candidates.committee.member_added",
            member,
            community_id=election.community_id,
            data={"name": member.name, "推选顺序": member.rank, "候补": alternate},
        )
    return member


def set_chair(election: CommunityElection, member: CommitteeMember, *, actor: Any) -> None:
    if member.election_id != election.pk or member.status != CommitteeMemberStatus.MEMBER:
        raise CandidateError("主任须是选举委员会的现任成员")
    with transaction.atomic():
        CommunityElection.objects.select_for_update().get(pk=election.pk)
        CommitteeMember.objects.filter(election=election, is_chair=True).update(is_chair=False)
        try:
            CommitteeMember.objects.filter(pk=member.pk).update(is_chair=True)
        except IntegrityError:  # pragma: no cover - the lock above serialises this
            raise CandidateError("请刷新页面后重试") from None
        audit.record(
            actor,
            "candidates.committee.chair_set",
            member,
            community_id=election.community_id,
            data={"name": member.name},
        )


def committee_blockers(election: CommunityElection) -> list[str]:
    """What keeps the track in 选举委员会推选 (R6): no 推选 result recorded, or no chair.
    An even or small committee is the 2013 规程's suggestion and only a warning."""
    members = CommitteeMember.objects.filter(election=election, status=CommitteeMemberStatus.MEMBER)
    if not members.exists():
        return ["尚未记录选举委员会推选结果（R6）"]
    if not members.filter(is_chair=True).exists():
        return ["选举委员会没有主任，请确定主任（R6）"]
    return []


def committee_issues(election: CommunityElection) -> list[str]:
    """What a reader should know: no chair, an even or too small committee (R6)."""
    members = [
        m
        for m in CommitteeMember.objects.filter(election=election)
        if m.status == CommitteeMemberStatus.MEMBER
    ]
    issues: list[str] = []
    if not members:
        return ["尚未记录选举委员会推选结果"]
    if len(members) < 3 or len(members) % 2 == 0:
        issues.append(f"选举委员会现有 {len(members)} 人，一般应为不少于3人的单数（R6）")
    if not any(m.is_chair for m in members):
        issues.append("选举委员会没有主任，请确定主任")
    return issues


def withdraw_for_candidacy(
    election: CommunityElection,
    voter_ids: Iterable[int],
    *,
    actor: Any,
    on: dt.date | None = None,
) -> list[tuple[CommitteeMember, CommitteeMember | None]]:
    """R7: members of the committee who became candidates leave it; each vacancy is
    filled by the first alternate in the original 推选 order. Returns (who left, who
    came in or None). Audited; the caller holds or opens the transaction."""
    ids = set(voter_ids)
    if not ids:
        return []
    day = on or timezone.localdate()
    changes: list[tuple[CommitteeMember, CommitteeMember | None]] = []
    with transaction.atomic():
        rows = list(
            CommitteeMember.objects.select_for_update().filter(election=election).order_by("rank")
        )
        leaving = [
            m for m in rows if m.status == CommitteeMemberStatus.MEMBER and m.voter_id in ids
        ]
        alternates = [
            m for m in rows if m.status == CommitteeMemberStatus.ALTERNATE and m.voter_id not in ids
        ]
        for member in leaving:
            member.status = CommitteeMemberStatus.LEFT
            member.left_on = day
            member.left_reason = "被提名为候选人"
            was_chair, member.is_chair = member.is_chair, False
            member.save(update_fields=["status", "left_on", "left_reason", "is_chair"])
            audit.record(
                actor,
                "candidates.committee.left_for_candidacy",
                member,
                community_id=election.community_id,
                data={"name": member.name, "曾任主任": was_chair},
            )
            incoming = alternates.pop(0) if alternates else None
            if incoming is not None:
                incoming.status = CommitteeMemberStatus.MEMBER
                incoming.replaces = member
                incoming.save(update_fields=["status", "replaces"])
                audit.record(
                    actor,
                    "candidates.committee.vacancy_filled",
                    incoming,
                    community_id=election.community_id,
                    data={"name": incoming.name, "递补": member.name},
                )
            changes.append((member, incoming))
    return changes
