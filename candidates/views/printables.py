"""Printables: ballot papers and blank tally forms (the committee and the street officer)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path

from candidates import access
from candidates.printables import ballot_pdf, tally_forms_pdf
from candidates.services import CandidateError
from elections import access as core_access


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{filename}"
    response["Cache-Control"] = "private, no-store"
    return response


@core_access.require(core_access.community_worker_or_reader)
def ballots(request: HttpRequest, code: str) -> HttpResponse:
    election = access.get_election_for_editor(request.user, code)
    try:
        content = ballot_pdf(election, actor=request.user)
    except CandidateError as exc:
        messages.error(request, exc.message)
        return redirect("notices", code=code)
    return _pdf(content, "ballots.pdf")


@core_access.require(core_access.community_worker_or_reader)
def tally_forms(request: HttpRequest, code: str) -> HttpResponse:
    election = access.get_election_for_editor(request.user, code)
    return _pdf(tally_forms_pdf(election, actor=request.user), "tally-forms.pdf")


urlpatterns: list[URLPattern] = [
    path("c/<str:code>/candidates/print/ballots/", ballots, name="print_ballots"),
    path("c/<str:code>/candidates/print/tally-forms/", tally_forms, name="print_tally_forms"),
]
