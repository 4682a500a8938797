"""The 居民选举委员会 page (R6, R7): the 推选 result in order; the committee and the street
officer record it; everyone who reads the community sees it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from candidates import access
from candidates.models import CommitteeMember
from candidates.services import CandidateError
from candidates.services.committee import add_member, committee_issues, set_chair
from elections import access as core_access
from elections.registration.models import Voter, VoterStatus

SEARCH_LIMIT = 20


@core_access.require(core_access.community_worker_or_reader)
@require_http_methods(["GET", "POST"])
def committee(request: HttpRequest, code: str) -> HttpResponse:
    election = access.get_election_for_reader(request.user, code)
    can_edit = access.can_edit(request.user, election.community)
    if request.method == "POST":
        election = access.get_election_for_editor(request.user, code)
        try:
            if request.POST.get("action") == "chair":
                member = access.get_for_election(
                    CommitteeMember.objects.all(), election, _int(request.POST.get("member"))
                )
                set_chair(election, member, actor=request.user)
                messages.success(request, f"已确定{member.name}为选举委员会主任")
            else:
                voter = access.get_for_election(
                    Voter.objects.all(), election, _int(request.POST.get("voter"))
                )
                raw_votes = request.POST.get("votes", "").strip()
                if raw_votes and not raw_votes.isdigit():
                    raise CandidateError("推选得票请填写整数，或留空")
                add_member(
                    election,
                    voter=voter,
                    votes=int(raw_votes) if raw_votes else None,
                    alternate=request.POST.get("alternate") == "1",
                    actor=request.user,
                )
                messages.success(request, f"已把{voter.name}记入推选结果")
        except CandidateError as exc:
            messages.error(request, exc.message)
        return redirect("candidates_committee", code=code)
    query = request.GET.get("q", "").strip()[:50]
    found = (
        list(
            Voter.objects.filter(
                election=election, status=VoterStatus.REGISTERED, name__contains=query
            ).order_by("name", "pk")[:SEARCH_LIMIT]
        )
        if query and can_edit
        else []
    )
    members = list(
        CommitteeMember.objects.filter(election=election)
        .select_related("replaces")
        .order_by("rank")
    )
    return render(
        request,
        "candidates/committee_body/committee.html",
        {
            "election": election,
            "community": election.community,
            "members": members,
            "issues": committee_issues(election),
            "can_edit": can_edit,
            "query": query,
            "found": found,
        },
    )


def _int(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() else 0


urlpatterns: list[URLPattern] = [
    path("c/<str:code>/candidates/committee/", committee, name="candidates_committee"),
]
