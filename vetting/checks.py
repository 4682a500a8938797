"""Stage checks of joint vetting: the committee track leaves 资格联审 and the party track
its 资格联审 only when no department is overdue for that community's candidates (the
street dashboard lists what blocks each community)."""

from __future__ import annotations

from django.urls import reverse

from elections.models import CommunityElection
from elections.stages import Issue, register_check


def overdue_issues(election: CommunityElection, track: str) -> list[Issue]:
    from vetting.models import SignOff, VettingRequest

    answered = SignOff.objects.filter(current=True).values("request_id")
    names = sorted(
        set(
            VettingRequest.objects.filter(
                candidate__election=election, candidate__track=track, overdue_on__isnull=False
            )
            .exclude(pk__in=answered)
            .values_list("department__name", flat=True)
        )
    )
    url = reverse("vetting:rounds")
    return [
        Issue("vetting_overdue", f"{name}逾期未反馈资格联审意见（Q2）", "Q2", url, "去资格联审")
        for name in names
    ]


@register_check("committee", "vetting")
def committee_overdue(election: CommunityElection) -> list[Issue]:
    return overdue_issues(election, "committee")


@register_check("party", "vetting")
def party_overdue(election: CommunityElection) -> list[Issue]:
    return overdue_issues(election, "party")
