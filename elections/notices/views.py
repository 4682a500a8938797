"""The community's notices: each kind with its due date and state, a draft preview at any
time, publication by hand, the published PDFs (every version) and corrections."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from elections import access
from elections.models import Notice, NoticeFailure
from elections.notices import progress
from elections.notices.publishing import (
    NoticeError,
    correct,
    preview,
    public_election,
    publish,
    record_failure,
    record_posting,
)
from elections.notices.registry import NotReady, PersonalDataError, notice_kind, notice_kinds


def _may_publish(user: object, election: object, publisher: str) -> bool:
    community = election.community  # type: ignore[attr-defined]
    if publisher == "officer":
        return access.can_manage_community(user, community)  # type: ignore[arg-type]
    return access.can_work_in_community(user, community)  # type: ignore[arg-type]


@access.require(access.community_worker_or_reader)
def notice_list(request: HttpRequest, code: str) -> HttpResponse:
    election = access.get_election_for_user(request.user, code)
    published = list(
        Notice.objects.filter(election=election)
        .select_related("replaces")
        .prefetch_related("postings")
        .order_by("number")
    )
    latest: dict[str, Notice] = {}
    for n in published:
        latest[n.kind] = n
    dates = public_election(election).milestones
    failures = {f.kind: f for f in NoticeFailure.objects.filter(election=election)}
    kinds = notice_kinds()
    rendering = progress.of(election.pk, [k.code for k in kinds if k.code not in latest])
    rows = [
        {
            "kind": kind,
            "due": dates.get(kind.milestone) if kind.milestone else None,
            "notice": latest.get(kind.code),
            "failure": failures.get(kind.code),
            "progress": rendering.get(kind.code),
            "can_publish": _may_publish(request.user, election, kind.publisher),
        }
        for kind in kinds
    ]
    return render(
        request,
        "notices/list.html",
        {
            "election": election,
            "community": election.community,
            "rows": rows,
            "rendering": bool(rendering),
            "published": published,
            "can_post": access.can_work_in_community(request.user, election.community),
            "today": timezone.localdate(),
        },
    )


@access.require(access.community_worker_or_reader)
def notice_preview(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    election = access.get_election_for_user(request.user, code)
    if notice_kind(kind) is None:
        raise Http404("没有这种公告")
    try:
        pdf = preview(election, kind)
    except (NotReady, PersonalDataError) as exc:
        messages.error(request, f"暂不能生成：{exc}")
        return redirect("notices", code=code)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="preview-{kind}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@access.require(access.community_worker_or_reader)
@require_POST
def notice_publish(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    election = access.get_election_for_user(request.user, code)
    spec = notice_kind(kind)
    if spec is None or not _may_publish(request.user, election, spec.publisher):
        raise Http404("没有找到")
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        # With a worker: the render (minutes for a long list) runs there; the list page
        # shows its progress. Sent after the commit, by ids.
        from elections.tasks import publish_notice

        progress.report(election.pk, kind, 0, 0)
        user_id = request.user.pk
        transaction.on_commit(lambda: publish_notice.delay(election.pk, kind, actor_id=user_id))
        messages.info(request, f"正在后台生成《{spec.title}》，完成后会出现在本页。")
        return redirect("notices", code=code)
    try:
        notice = publish(election, kind, actor=request.user)
    except (NotReady, PersonalDataError, NoticeError) as exc:
        messages.error(request, f"没有发布：{exc}")
    except Exception as exc:
        record_failure(election, kind, f"{type(exc).__name__}: {exc}")
        messages.error(request, "生成公告时出错，没有发布；错误已记录在本页，可以稍后重试。")
    else:
        if notice is None:
            messages.info(request, "这份公告已经发布过了；如需修改，请发布更正公告。")
        else:
            messages.success(request, f"已发布第{notice.number}号公告《{notice.title}》")
    return redirect("notices", code=code)


@access.require(access.community_worker_or_reader)
@require_POST
def notice_correct(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = access.get_election_for_user(request.user, code)
    notice = Notice.objects.filter(pk=pk, election=election).first()
    spec = notice_kind(notice.kind) if notice else None
    if notice is None or spec is None or not _may_publish(request.user, election, spec.publisher):
        raise Http404("没有找到")
    try:
        new = correct(notice, reason=request.POST.get("reason", ""), actor=request.user)
    except (NotReady, PersonalDataError, NoticeError) as exc:
        messages.error(request, f"没有发布更正公告：{exc}")
    else:
        messages.success(
            request, f"已发布第{new.number}号更正公告，原第{notice.number}号公告保留备查"
        )
    return redirect("notices", code=code)


@access.require(access.community_worker_or_reader)
@require_POST
def notice_posting(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = access.get_election_for_user(request.user, code)
    if not access.can_work_in_community(request.user, election.community):
        raise Http404("没有找到")
    notice = Notice.objects.filter(pk=pk, election=election).first()
    if notice is None:
        raise Http404("没有找到这份公告")
    try:
        posted_on = dt.date.fromisoformat(request.POST.get("posted_on", ""))
    except ValueError:
        posted_on = None
    try:
        record_posting(
            notice,
            posted_on=posted_on,
            place=request.POST.get("place", ""),
            photo=request.FILES.get("photo"),
            actor=request.user,
        )
    except NoticeError as exc:
        messages.error(request, f"没有保存：{exc}")
    else:
        messages.success(request, f"已记录第{notice.number}号公告的张贴；相关期限从张贴之日起计算")
    return redirect("notices", code=code)


@access.require(access.community_worker_or_reader)
def voter_cards(request: HttpRequest, code: str) -> HttpResponse:
    from elections.registration.printables import NothingToPrint, voter_cards_pdf

    election = access.get_election_for_user(request.user, code)
    if not access.can_work_in_community(request.user, election.community):
        raise Http404("没有找到")
    try:
        content = voter_cards_pdf(election, actor=request.user)
    except NothingToPrint as exc:
        messages.error(request, str(exc))
        return redirect("notices", code=code)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = "inline; filename=voter-cards.pdf"
    response["Cache-Control"] = "private, no-store"
    return response


@access.require(access.community_worker_or_reader)
def notice_pdf(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = access.get_election_for_user(request.user, code)
    notice = Notice.objects.filter(pk=pk, election=election).first()
    if notice is None:
        raise Http404("没有找到这份公告")
    with notice.pdf.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(
            as_attachment=False, filename=f"{election.community.name}第{notice.number}号公告.pdf"
        )
        or ""
    )
    response["X-Content-SHA256"] = notice.sha256
    return response


urlpatterns: list[URLPattern] = [
    path("c/<str:code>/notices/", notice_list, name="notices"),
    path("c/<str:code>/notices/<str:kind>/preview/", notice_preview, name="notice_preview"),
    path("c/<str:code>/notices/<str:kind>/publish/", notice_publish, name="notice_publish"),
    path("c/<str:code>/notices/<int:pk>/pdf/", notice_pdf, name="notice_pdf"),
    path("c/<str:code>/notices/<int:pk>/correct/", notice_correct, name="notice_correct"),
    path("c/<str:code>/notices/<int:pk>/posting/", notice_posting, name="notice_posting"),
    path("c/<str:code>/print/voter-cards/", voter_cards, name="print_voter_cards"),
]
