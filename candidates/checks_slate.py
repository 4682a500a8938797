"""Stage checks of the residents' committee formal list (R17–R20): leaving 资格联审
or 正式候选人公布 needs every check of every post passing (and, for the latter, the
list published)."""

from __future__ import annotations

from django.urls import reverse

from candidates.models import CandidateStatus
from elections.models import CommunityElection
from elections.stages import Issue, register_check


def _slate_issues(election: CommunityElection) -> list[Issue]:
    from candidates.services.slate import slate_of

    url = reverse("candidates_slate", args=[election.community.code])
    return [
        Issue("slate", message, "R17", url, "去正式候选人名单")
        for message in slate_of(election).problems
    ]


@register_check("committee", "vetting")
def slate_checks_pass(election: CommunityElection) -> list[Issue]:
    return _slate_issues(election)


@register_check("committee", "formal_candidates")
def slate_published(election: CommunityElection) -> list[Issue]:
    from candidates.services.slate import slate_of

    slate = slate_of(election)
    url = reverse("candidates_slate", args=[election.community.code])
    issues = [Issue("slate", m, "R17", url, "去正式候选人名单") for m in slate.problems]
    unpublished = [c.name for c in slate.candidates if c.status == CandidateStatus.NOMINEE]
    if unpublished:
        issues.append(
            Issue(
                "slate_unpublished",
                f"{'、'.join(unpublished)}尚未作为正式候选人公布（R19）",
                "R19",
                url,
                "去公布",
            )
        )
    return issues
