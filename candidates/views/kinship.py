"""回避 (R4, R7): the relations between people of the community, the 居务监督委员会, and
the warnings they raise. The committee and the street officer record; every reader of
the community sees the warnings (names and places only, never an ID number)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from candidates import access
from candidates.models import RELATION_CHOICES, Relation, SupervisionMember
from candidates.services import CandidateError
from candidates.services import kinship as svc
from elections import access as core_access
from elections.registration.models import Voter, VoterStatus

SEARCH_LIMIT = 20


def _int(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() else 0


@core_access.require(core_access.community_worker_or_reader)
@require_http_methods(["GET", "POST"])
def kinship(request: HttpRequest, code: str) -> HttpResponse:
    election = access.get_election_for_reader(request.user, code)
    can_edit = access.can_edit(request.user, election.community)
    if request.method == "POST":
        election = access.get_election_for_editor(request.user, code)
        action = request.POST.get("action")
        voters = Voter.objects.all()
        try:
            if action == "relation":
                a = access.get_for_election(voters, election, _int(request.POST.get("a")))
                b = access.get_for_election(voters, election, _int(request.POST.get("b")))
                svc.add_relation(
                    election,
                    a,
                    b,
                    request.POST.get("kind", ""),
                    note=request.POST.get("note", ""),
                    actor=request.user,
                )
                messages.success(request, f"已记录{a.name}与{b.name}的关系")
            elif action == "relation_remove":
                relation = access.get_for_election(
                    Relation.objects.select_related("a", "b", "election"),
                    election,
                    _int(request.POST.get("relation")),
                )
                svc.remove_relation(relation, actor=request.user)
                messages.success(request, "已删除这条亲属关系")
            elif action == "supervision":
                voter = access.get_for_election(voters, election, _int(request.POST.get("voter")))
                svc.add_supervision_member(
                    election, voter, role=request.POST.get("role", ""), actor=request.user
                )
                messages.success(request, f"已把{voter.name}记入居务监督委员会")
            elif action == "supervision_remove":
                member = access.get_for_election(
                    SupervisionMember.objects.select_related("voter", "election"),
                    election,
                    _int(request.POST.get("member")),
                )
                svc.remove_supervision_member(member, actor=request.user)
                messages.success(request, f"已把{member.voter.name}移出居务监督委员会名单")
            else:
                messages.error(request, "没有这个操作，请刷新页面后重试")
        except CandidateError as exc:
            messages.error(request, exc.message)
        return redirect("candidates_kinship", code=code)
    avoidance = svc.avoidance_of(election)
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
    supervision = list(
        SupervisionMember.objects.filter(election=election)
        .select_related("voter")
        .order_by("voter__name", "pk")
    )
    return render(
        request,
        "candidates/kinship/kinship.html",
        {
            "election": election,
            "community": election.community,
            "avoidance": avoidance,
            "kind_labels": svc.KIND_LABELS,
            "kinds": RELATION_CHOICES,
            "choices": svc.relation_choices(election, avoidance) if can_edit else [],
            "supervision": supervision,
            "can_edit": can_edit,
            "query": query,
            "found": found,
        },
    )


urlpatterns: list[URLPattern] = [
    path("c/<str:code>/candidates/kinship/", kinship, name="candidates_kinship"),
]
