"""The archive page (归档, issue 11 item 8): its state, the manifest, the downloads, a
rebuild button for the street officer, and a form that checks an uploaded zip against
its manifest.

Who: the street officer of the community's street, its supervisors and superusers. The
organisation reviewer, the community's committee and another street's users get 404.
Files are served through the view (FileResponse), never from a public media address.
"""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from ballots import archive as archiving
from ballots.models import Archive, ArchiveStatus, Certification
from elections import access, audit
from elections.models import CommunityElection

MAX_UPLOAD = 512 * 1024 * 1024


def _election(request: HttpRequest, code: str) -> CommunityElection:
    return access.get_election_for_archive(request.user, code)


def _certification(election: CommunityElection) -> Certification | None:
    return (
        Certification.objects.filter(election=election, revoked_at__isnull=True)
        .select_related("certified_by")
        .first()
    )


def _scope(election: CommunityElection) -> dict[str, int]:
    return {"community_id": election.community_id, "street_id": election.community.street_id}


@access.require(access.archive_reader)
@require_http_methods(["GET", "POST"])
def archive_page(request: HttpRequest, code: str) -> HttpResponse:
    election = _election(request, code)
    certification = _certification(election)
    arch = Archive.objects.filter(certification=certification).first() if certification else None
    can_rebuild = access.can_manage_community(request.user, election.community)
    verification = None
    uploaded_name = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "rebuild":
            if not can_rebuild or certification is None:
                raise Http404("没有找到")
            _rebuild(request, election, certification)
            return redirect("ballots:archive", code=code)
        if action != "verify":
            raise Http404("没有找到")
        upload = request.FILES.get("zip")
        if upload is None:
            messages.error(request, "请选择要核对的归档压缩包（.zip）")
        elif upload.size is not None and upload.size > MAX_UPLOAD:
            messages.error(request, "文件太大，不是本系统生成的归档压缩包")
        else:
            uploaded_name = PurePath(upload.name or "").name
            verification = archiving.verify_zip(
                upload, arch.manifest_sha256 if arch and arch.manifest_sha256 else None
            )
    return render(
        request,
        "ballots/archive/page.html",
        {
            "election": election,
            "community": election.community,
            "certification": certification,
            "archive": arch,
            "ready": arch is not None and arch.status == ArchiveStatus.READY,
            "can_rebuild": can_rebuild,
            "verification": verification,
            "uploaded_name": uploaded_name,
            "statuses": ArchiveStatus,
        },
    )


def _rebuild(
    request: HttpRequest, election: CommunityElection, certification: Certification
) -> None:
    from ballots.tasks import build_archive

    with transaction.atomic():
        arch, _ = Archive.objects.select_for_update().get_or_create(certification=certification)
        # Also from BUILDING: a worker that died mid-build leaves it there; a second
        # build writes the same bytes (deterministic), so running it again is safe.
        before = arch.get_status_display()
        arch.status, arch.error = ArchiveStatus.QUEUED, ""
        arch.save(update_fields=["status", "error"])
        audit.record(
            request.user,
            "ballots.archive.rebuilt",
            arch,
            **_scope(election),
            data={"原状态": before},
        )
        election_id = election.pk
        transaction.on_commit(lambda: build_archive.delay(election_id, force=True))
    messages.success(request, "已安排重新生成归档；生成需要一点时间，请稍后刷新页面")


def _download(request: HttpRequest, code: str, kind: str) -> FileResponse:
    election = _election(request, code)
    certification = _certification(election)
    arch = Archive.objects.filter(certification=certification).first() if certification else None
    if arch is None or arch.status != ArchiveStatus.READY:
        raise Http404("归档还没有生成")
    stored = arch.zip if kind == "zip" else arch.pdf
    if not stored:
        raise Http404("归档还没有生成")
    with transaction.atomic():
        audit.record(
            request.user,
            "ballots.archive.downloaded",
            arch,
            **_scope(election),
            data={"文件": "归档压缩包" if kind == "zip" else "归档 PDF"},
        )
    community = election.community
    filename = f"{community.name}归档-{community.code}-第{election.cycle.term}届.{kind}"
    return FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/zip" if kind == "zip" else "application/pdf",
    )


@access.require(access.archive_reader)
@require_http_methods(["GET"])
def download_zip(request: HttpRequest, code: str) -> FileResponse:
    return _download(request, code, "zip")


@access.require(access.archive_reader)
@require_http_methods(["GET"])
def download_pdf(request: HttpRequest, code: str) -> FileResponse:
    return _download(request, code, "pdf")


urlpatterns: list[URLPattern] = [
    path("c/<str:code>/ballots/archive/", archive_page, name="archive"),
    path("c/<str:code>/ballots/archive/archive.zip", download_zip, name="archive_zip"),
    path("c/<str:code>/ballots/archive/archive.pdf", download_pdf, name="archive_pdf"),
]
