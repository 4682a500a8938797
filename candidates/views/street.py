"""The street officer's candidates overview (every community's slates side by side with
their warnings) and the xlsx of the candidate lists (street and community)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone

from candidates import access
from candidates.services.street import CommunityRow, export_candidates, street_rows
from elections import access as core_access
from elections.access import AnyUser
from elections.exports import attachment
from elections.models import CommunityElection


def _latest(user: AnyUser) -> list[CommunityElection]:
    """Each visible community's newest election, in street and community order."""
    latest: dict[int, CommunityElection] = {}
    for election in core_access.visible_elections(user).order_by(
        "community__street__code", "community__code", "-cycle__election_day"
    ):
        latest.setdefault(election.community_id, election)
    return list(latest.values())


@core_access.require(core_access.street_reader)
def street(request: HttpRequest) -> HttpResponse:
    rows = street_rows(_latest(request.user))
    by_street: dict[int, list[CommunityRow]] = {}
    for row in rows:
        by_street.setdefault(row.election.community.street_id, []).append(row)
    sections = [
        {"street": items[0].election.community.street, "rows": items}
        for items in by_street.values()
    ]
    return render(request, "candidates/street/street.html", {"sections": sections})


@core_access.require(core_access.street_reader)
def street_export(request: HttpRequest) -> HttpResponse:
    elections = _latest(request.user)
    content = export_candidates(elections, name="各社区", actor=request.user, scope=None)
    return attachment(content, f"各社区候选人名单_{timezone.localdate():%Y%m%d}.xlsx")


@core_access.require(core_access.community_worker_or_reader)
def community_export(request: HttpRequest, code: str) -> HttpResponse:
    election = access.get_election_for_reader(request.user, code)
    name = election.community.name
    content = export_candidates([election], name=name, actor=request.user, scope=election)
    return attachment(content, f"{name}候选人名单_{timezone.localdate():%Y%m%d}.xlsx")


urlpatterns: list[URLPattern] = [
    path("street/candidates/", street, name="candidates_street"),
    path("street/candidates/export/", street_export, name="candidates_street_export"),
    path("c/<str:code>/candidates/export/", community_export, name="candidates_export"),
]
