"""Stage check of the residents' committee nominations (R15, R16): leaving 提名 needs
every post's count entered, ties at the cut-off re-voted, two-post choices made in
writing and the nominees in the cut on the slate."""

from __future__ import annotations

from django.urls import reverse

from candidates.models import Candidate, CandidateStatus, Track
from elections.models import CommunityElection
from elections.stages import Issue, register_check


@register_check("committee", "nomination")
def nominations_settled(election: CommunityElection) -> list[Issue]:
    from candidates.services.nominations import post_standings

    code = election.community.code
    issues: list[Issue] = []
    on_slate = set(
        Candidate.objects.filter(
            election=election,
            track=Track.COMMITTEE,
            status__in=(CandidateStatus.NOMINEE, CandidateStatus.FORMAL),
        ).values_list("post", flat=True)
    )
    for post, standing in post_standings(election).items():
        url = reverse("candidates_nominations", args=[code, post])
        for problem in standing.problems:
            issues.append(Issue("nominations", problem, "R16", url, "去录入提名"))
        if not standing.problems and post not in on_slate:
            issues.append(
                Issue(
                    "nominees_not_promoted",
                    f"{standing.label}的提名人选尚未列入候选人名单",
                    "R16",
                    url,
                    "去确定提名人选",
                )
            )
    return issues
