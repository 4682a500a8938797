"""Stage checks of the party track (两推一选, P5, P6): what must be done before a stage
moves on, each issue with a link to the page where it is fixed."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from candidates.models import (
    Candidate,
    CandidateStatus,
    PartyPublicity,
    Recommendation,
    RecommendationKind,
    Track,
)
from candidates.services.party import difference
from elections.formatting import cn_date
from elections.models import CommunityElection
from elections.stages import Issue, register_check


def _url(name: str, election: CommunityElection) -> str:
    return reverse(name, args=[election.community.code])


@register_check("party", "recommendation")
def recommendations_and_initial_list(election: CommunityElection) -> list[Issue]:
    """Leaving 推荐: both tallies entered, and a 初步人选 list with the 20% 差额."""
    found: list[Issue] = []
    kinds = set(
        Recommendation.objects.filter(meeting__election=election).values_list(
            "meeting__kind", flat=True
        )
    )
    for kind, label in RecommendationKind.choices:
        if kind not in kinds:
            found.append(
                Issue(
                    f"party_{kind}_tally",
                    f"还没有录入{label}的结果",
                    "P6",
                    _url("party_recommendations", election),
                    "去录入推荐票",
                )
            )
    diff = difference(election)
    if not diff.ok:
        found.append(
            Issue(
                "party_initial_difference",
                f"初步人选不足：{diff.message}",
                "P5",
                _url("party_initial", election),
                "去初步人选",
            )
        )
    return found


@register_check("party", "inspection")
def inspected_pre_candidates(election: CommunityElection) -> list[Issue]:
    """Leaving 考察: every remaining 初步人选 decided, and 预备人选 meeting the 差额."""
    found: list[Issue] = []
    waiting = Candidate.objects.filter(
        election=election, track=Track.PARTY, status=CandidateStatus.INITIAL
    ).count()
    if waiting:
        found.append(
            Issue(
                "party_initial_undecided",
                f"还有 {waiting} 名初步人选既未列为预备人选也未退出",
                "P6",
                _url("party_initial", election),
                "去初步人选",
            )
        )
    diff = difference(election, (CandidateStatus.PRE_CANDIDATE,))
    if not diff.ok:
        found.append(
            Issue(
                "party_pre_candidate_difference",
                f"预备人选不足：{diff.message}",
                "P5",
                _url("party_initial", election),
                "去初步人选",
            )
        )
    return found


@register_check("party", "publicity")
def publicity_ended(election: CommunityElection) -> list[Issue]:
    """Leaving 公示: the 预备人选 were publicised and the window has ended."""
    publicity = PartyPublicity.objects.filter(election=election).first()
    if publicity is None:
        return [
            Issue(
                "party_publicity_missing",
                "预备人选还没有公示",
                "P6",
                _url("party_publicity", election),
                "去公示",
            )
        ]
    if timezone.localdate() <= publicity.ends_on:
        return [
            Issue(
                "party_publicity_running",
                f"预备人选公示到 {cn_date(publicity.ends_on)} 结束，公示期满后才能进入批复",
                "P6",
                _url("party_publicity", election),
                "查看公示",
            )
        ]
    return []


@register_check("party", "approval")
def approval_recorded(election: CommunityElection) -> list[Issue]:
    """Leaving 批复: the 批复 (document number and date) is recorded."""
    publicity = PartyPublicity.objects.filter(election=election).first()
    if publicity is None or publicity.approval_date is None:
        return [
            Issue(
                "party_approval_missing",
                "还没有登记街道党工委对预备人选的批复",
                "P6",
                _url("party_approval", election),
                "去登记批复",
            )
        ]
    return []
