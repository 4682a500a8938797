"""Pages for importing a voter roll from Excel: template, upload, progress, preview,
error report, commit (elections.registration.importing)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from elections import access
from elections.exports import attachment
from elections.registration import importing as imports
from elections.registration.models import ImportStatus, VoterImport
from elections.registration.services import VoterError, correction_notice_warning
from elections.registration.xlsx.types import ImportFileError
from elections.registration.xlsx.writing import write_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

STATE_LABELS = {
    "new": "新增",
    "update": "更新",
    "unchanged": "无变化",
    "warning": "需核对",
    "error": "错误",
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label="选民登记表（.xlsx）",
        error_messages={"required": "请选择要上传的文件", "empty": "上传的文件是空的"},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx", "class": "form-control"}),
    )


def _attachment(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@access.require(access.roll_editor)
def template_download(request: HttpRequest, code: str) -> HttpResponse:
    access.get_roll_for_editor(request.user, code)
    return _attachment(write_template(), "选民登记导入模板.xlsx")


@access.require(access.roll_editor)
def import_start(request: HttpRequest, code: str) -> HttpResponse:
    election = access.get_roll_for_editor(request.user, code)
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > imports.MAX_UPLOAD_BYTES:
            form.add_error(
                "file",
                f"文件太大（{upload.size / 1024 / 1024:.1f} MB），最大 "
                f"{imports.MAX_UPLOAD_BYTES // 1024 // 1024} MB。请分成几个文件上传",
            )
        else:
            try:
                voter_import = imports.upload(
                    election, filename=upload.name, data=upload.read(), actor=request.user
                )
            except ImportFileError as exc:
                form.add_error("file", exc.message)
            else:
                return redirect("voter_import_detail", code=code, pk=voter_import.pk)
    recent = list(
        VoterImport.objects.filter(election=election)
        .select_related("created_by")
        .order_by("-created_at", "-id")[:10]
    )
    return render(
        request,
        "registration/imports/start.html",
        {"election": election, "community": election.community, "form": form, "recent": recent},
    )


@access.require(access.roll_editor)
def import_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = access.get_roll_for_editor(request.user, code)
    voter_import = access.get_import_for_election(election, pk)
    state = request.GET.get("state", "")
    rows = voter_import.rows.order_by("row_number")
    if state in STATE_LABELS:
        rows = rows.filter(state=state)
    elif state == "all":
        pass
    elif voter_import.error_count or voter_import.warning_count:
        state = "problems"
        rows = rows.filter(state__in=["error", "warning"])
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "registration/imports/detail.html",
        {
            "election": election,
            "community": election.community,
            "imp": voter_import,
            "notice": imports.check_notice(voter_import),
            "correction_warning": correction_notice_warning(election),
            "page": page,
            "state": state,
            "state_labels": STATE_LABELS,
        },
    )


@access.require(access.roll_editor)
def import_progress(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The progress fragment the detail page polls (htmx) while the check runs."""
    election = access.get_roll_for_editor(request.user, code)
    voter_import = access.get_import_for_election(election, pk)
    response = render(
        request,
        "registration/imports/_progress.html",
        {
            "imp": voter_import,
            "community": election.community,
            "notice": imports.check_notice(voter_import),
        },
    )
    if not voter_import.is_running:
        # Reload the whole page once the preview is ready.
        response["HX-Refresh"] = "true"
    return response


@require_POST
@access.require(access.roll_editor)
def import_commit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = access.get_roll_for_editor(request.user, code)
    voter_import = access.get_import_for_election(election, pk)
    try:
        committed = imports.commit(voter_import, actor=request.user)
    except (VoterError, ImportFileError) as exc:
        messages.error(request, exc.message)
        return redirect("voter_import_detail", code=code, pk=pk)
    messages.success(
        request,
        f"已导入“{committed.filename}”：新增 {committed.new_count} 人，"
        f"更新 {committed.update_count} 人。",
    )
    warning = correction_notice_warning(election)
    if warning and (committed.new_count or committed.update_count):
        messages.warning(request, warning)
    return redirect("voter_import_detail", code=code, pk=pk)


@require_POST
@access.require(access.roll_editor)
def import_recheck(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """重新检查: queue again a check that never started or stopped."""
    election = access.get_roll_for_editor(request.user, code)
    voter_import = access.get_import_for_election(election, pk)
    try:
        imports.recheck(voter_import, actor=request.user)
    except VoterError as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, f"已重新安排检查“{voter_import.filename}”。")
    return redirect("voter_import_detail", code=code, pk=pk)


@require_POST
@access.require(access.roll_editor)
def import_discard(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = access.get_roll_for_editor(request.user, code)
    voter_import = access.get_import_for_election(election, pk)
    try:
        imports.discard(voter_import, actor=request.user)
    except VoterError as exc:
        messages.error(request, exc.message)
        return redirect("voter_import_detail", code=code, pk=pk)
    messages.info(request, f"已放弃“{voter_import.filename}”，名册没有变化。")
    return redirect("voter_import", code=code)


@access.require(access.roll_editor)
def import_error_report(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = access.get_roll_for_editor(request.user, code)
    voter_import = access.get_import_for_election(election, pk)
    if (
        voter_import.status != ImportStatus.PREVIEW
        and voter_import.status != ImportStatus.COMMITTED
    ):
        messages.error(request, "这个文件还没有检查完成，暂时没有错误报告。")
        return redirect("voter_import_detail", code=code, pk=pk)
    try:
        content = imports.error_report(voter_import, actor=request.user)
    except ImportFileError as exc:
        messages.error(request, exc.message)
        return redirect("voter_import_detail", code=code, pk=pk)
    stem = voter_import.filename.rsplit(".", 1)[0]
    return attachment(content, f"{stem}-错误报告.xlsx")


urlpatterns: list[URLPattern] = [
    path("c/<str:code>/voters/import/", import_start, name="voter_import"),
    path(
        "c/<str:code>/voters/import/template.xlsx",
        template_download,
        name="voter_import_template",
    ),
    path("c/<str:code>/voters/import/<int:pk>/", import_detail, name="voter_import_detail"),
    path(
        "c/<str:code>/voters/import/<int:pk>/progress/",
        import_progress,
        name="voter_import_progress",
    ),
    path("c/<str:code>/voters/import/<int:pk>/commit/", import_commit, name="voter_import_commit"),
    path(
        "c/<str:code>/voters/import/<int:pk>/recheck/",
        import_recheck,
        name="voter_import_recheck",
    ),
    path(
        "c/<str:code>/voters/import/<int:pk>/discard/",
        import_discard,
        name="voter_import_discard",
    ),
    path(
        "c/<str:code>/voters/import/<int:pk>/errors.xlsx",
        import_error_report,
        name="voter_import_errors",
    ),
]
