from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from elections import access


@access.require(access.department_reviewer)
def queue(request: HttpRequest) -> HttpResponse:
    """The department reviewer's queue of candidates to vet (filled by the vetting issue)."""
    departments = list(access.visible_departments(request.user))
    return render(request, "vetting/queue.html", {"departments": departments, "items": []})
