"""Stage check of the 居民选举委员会 (R6): the committee track leaves 选举委员会推选 only
once the 推选 result is recorded with a chair."""

from __future__ import annotations

from django.urls import reverse

from elections.models import CommunityElection
from elections.stages import Issue, register_check


@register_check("committee", "committee_formed")
def committee_recorded(election: CommunityElection) -> list[Issue]:
    from candidates.services.committee import committee_blockers

    url = reverse("candidates_committee", args=[election.community.code])
    return [
        Issue("election_committee", message, "R6", url, "去选举委员会")
        for message in committee_blockers(election)
    ]
