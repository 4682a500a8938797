"""职数 page: every reader of the community sees them; the street officer sets them (R1, P15)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from candidates import access
from candidates.models import POSTS_OF_TRACK, Post, Track
from candidates.services import CandidateError
from candidates.services.seats import default_seats, seat_problems, seats_for, set_seats
from elections import access as core_access
from elections.models import CommunityElection


def _tracks(election: CommunityElection, posted: dict[str, dict[str, int]] | None) -> list[Any]:
    labels = dict(Post.choices)
    out = []
    for track, track_label in Track.choices:
        current = seats_for(election, track)
        shown = posted.get(track) if posted else None
        values = shown or current or default_seats(election, track)
        violations, warnings = seat_problems(election, track, values)
        out.append(
            {
                "code": track,
                "label": track_label,
                "set": bool(current),
                "rows": [
                    {"post": p, "label": labels[p], "value": values.get(p, 0)}
                    for p in POSTS_OF_TRACK[track]
                ],
                "total": sum(values.values()),
                "violations": violations,
                "warnings": warnings,
            }
        )
    return out


def _posted(request: HttpRequest, track: str) -> dict[str, int] | None:
    values: dict[str, int] = {}
    for post in POSTS_OF_TRACK[track]:
        raw = request.POST.get(f"{track}-{post}", "").strip()
        if not raw.isdigit() or len(raw) > 2:
            return None
        values[post] = int(raw)
    return values


@core_access.require(core_access.community_worker_or_reader)
@require_http_methods(["GET", "POST"])
def seats(request: HttpRequest, code: str) -> HttpResponse:
    election = access.get_election_for_reader(request.user, code)
    can_set = access.can_set_seats(request.user, election.community)
    posted: dict[str, dict[str, int]] | None = None
    if request.method == "POST":
        election = access.get_election_for_officer(request.user, code)
        track = request.POST.get("track", "")
        if track not in POSTS_OF_TRACK:
            messages.error(request, "请选择要设定的职数")
            return redirect("candidates_seats", code=code)
        values = _posted(request, track)
        if values is None:
            messages.error(request, "每个职位都要填写人数（0–99 的整数）")
        else:
            try:
                set_seats(election, track, values, actor=request.user)
            except CandidateError as exc:
                messages.error(request, exc.message)
                posted = {track: values}
            else:
                messages.success(request, f"{dict(Track.choices)[track]}的职数已保存")
                return redirect("candidates_seats", code=code)
    return render(
        request,
        "candidates/seats/seats.html",
        {
            "election": election,
            "community": election.community,
            "tracks": _tracks(election, posted),
            "can_set": can_set,
        },
    )


urlpatterns: list[URLPattern] = [
    path("c/<str:code>/candidates/seats/", seats, name="candidates_seats"),
]
