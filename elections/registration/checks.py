"""Voter registration's stage gates (RULES.md R12, R13): the committee track leaves
选民登记 and 选民名单公布与申诉 only with a roll that has registered voters, a
published voter list and every objection decided. Registered at start-up from
elections.apps."""

from __future__ import annotations

from django.urls import reverse

from elections.models import CommunityElection
from elections.registration.models import Objection, ObjectionStatus, Voter, VoterStatus
from elections.stages import Issue, register_check


def roll_issues(election: CommunityElection) -> list[Issue]:
    code = election.community.code
    found: list[Issue] = []
    if not Voter.objects.filter(election=election, status=VoterStatus.REGISTERED).exists():
        found.append(
            Issue(
                "registration.empty_roll",
                "选民名册里还没有已登记的选民：请先登记或导入选民。",
                "R10",
                url=reverse("voters", args=[code]),
                link_label="去选民名册",
            )
        )
    return found


def voter_list_issues(election: CommunityElection) -> list[Issue]:
    code = election.community.code
    found = roll_issues(election)  # a roll emptied meanwhile blocks here too
    published = election.milestones.filter(kind="voter_list_published").first()
    if published is None or published.done_on is None:
        found.append(
            Issue(
                "registration.list_not_published",
                "选民名单还没有记录张榜公布日期：张榜后请在日程中标记“张榜公布选民名单”已完成。",
                "R12",
                url=reverse("community_schedule", args=[code]),
                link_label="去日程标记完成",
            )
        )
    pending = Objection.objects.filter(election=election, status=ObjectionStatus.PENDING).count()
    if pending:
        found.append(
            Issue(
                "registration.objections_pending",
                f"还有 {pending} 件选民名单申诉尚未作出处理决定。",
                "R13",
                url=reverse("objections", args=[code]),
                link_label="去处理申诉",
            )
        )
    return found


@register_check("committee", "voter_registration")
def registration_has_voters(election: CommunityElection) -> list[Issue]:
    return roll_issues(election)


@register_check("committee", "voter_list")
def voter_list_is_settled(election: CommunityElection) -> list[Issue]:
    return voter_list_issues(election)
