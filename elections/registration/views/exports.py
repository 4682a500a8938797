"""The page of a stored voter roll export: its progress (htmx) and its download.

The job is found through the community's roll the user may read (elections.access),
so another community's member gets the same 404 as for a job that does not exist."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from elections import access
from elections.exports import attachment, stored_path
from elections.models import CommunityElection, ExportJob, ExportStatus
from elections.registration.exports import record_export_download


def _get_job(election: CommunityElection, pk: int) -> ExportJob:
    job = (
        ExportJob.objects.select_related("community__street", "created_by")
        .filter(pk=pk, community_id=election.community_id)
        .first()
    )
    if job is None:
        raise Http404("没有找到这次导出")
    return job


@access.require(access.community_worker_or_reader)
def export_job(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = access.get_roll_for_reader(request.user, code)
    job = _get_job(election, pk)
    return render(
        request,
        "registration/exports/job.html",
        {"job": job, "community": election.community, "election": election},
    )


@access.require(access.community_worker_or_reader)
def export_job_progress(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The fragment the job page polls (htmx) until the file is ready or failed."""
    election = access.get_roll_for_reader(request.user, code)
    job = _get_job(election, pk)
    return render(
        request,
        "registration/exports/_progress.html",
        {"job": job, "community": election.community},
    )


@access.require(access.community_worker_or_reader)
def export_job_download(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = access.get_roll_for_reader(request.user, code)
    job = _get_job(election, pk)
    if job.status != ExportStatus.DONE:
        raise Http404("这个导出文件还没有生成或已过期")
    try:
        content = stored_path(job).read_bytes()
    except FileNotFoundError:
        raise Http404("这个导出文件已过期，请重新导出") from None
    record_export_download(job, actor=request.user)
    return attachment(content, job.filename)


urlpatterns: list[URLPattern] = [
    path("c/<str:code>/voters/exports/<int:pk>/", export_job, name="voter_export_job"),
    path(
        "c/<str:code>/voters/exports/<int:pk>/progress/",
        export_job_progress,
        name="voter_export_progress",
    ),
    path(
        "c/<str:code>/voters/exports/<int:pk>/download/",
        export_job_download,
        name="voter_export_download",
    ),
]
