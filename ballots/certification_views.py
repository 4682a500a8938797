"""The certification page (结果确认) and the 当选证书 downloads.

Everyone who reads the community's election day sees whether the result is certified,
what stops it, its content fingerprint and the certificates; only the street officer
of the community's street certifies or revokes. Another community's users get 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from ballots import certification
from ballots.models import BallotRound, Certification, ElectionCertificate
from ballots.services import BallotsError
from ballots.views import _date
from elections import access


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


@access.require(access.community_worker_or_reader)
@require_http_methods(["GET", "POST"])
def certify_page(request: HttpRequest, code: str) -> HttpResponse:
    election = access.get_election_for_user(request.user, code)
    officer = access.can_manage_community(request.user, election.community)
    errors: dict[str, str] = {}
    chair = access.can_chair_community(request.user, election.community)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if not (officer or (chair and action == "vacancy_runoff")):
            raise Http404("没有找到")
        try:
            if action == "vacancy_runoff":
                last = BallotRound.objects.filter(
                    election=election, pk=_int(request.POST.get("round"))
                ).first()
                held_on = _date(request.POST.get("held_on", ""))
                if last is None:
                    raise Http404("没有找到这一轮投票")
                if held_on is None:
                    raise BallotsError("请填写另行选举的日期", {"held_on": "请填写日期"})
                r = certification.open_vacancy_runoff(last, actor=request.user, held_on=held_on)
                messages.success(request, f"已开始{r.label}")
                return redirect("ballots:round", code=code, pk=r.pk)
            if action == "certify":
                cert = certification.certify(
                    election,
                    actor=request.user,
                    women_waiver=request.POST.get("women_waiver", ""),
                )
                messages.success(
                    request,
                    f"选举结果已确认，生成当选证书{cert.certificates.count()}份；"
                    "结果公告已发布，归档正在生成",
                )
            elif action == "revoke":
                current = certification.in_force(election)
                if current is None:
                    raise BallotsError("本社区选举结果还没有确认")
                certification.revoke(
                    current, reason=request.POST.get("reason", ""), actor=request.user
                )
                messages.success(request, "已撤销确认，数据可以修改；改完后请重新确认")
            else:
                raise Http404("没有找到")
        except BallotsError as exc:
            errors = exc.errors
            messages.error(request, exc.message)
        else:
            return redirect("ballots:certify", code=code)
    current = certification.in_force(election)
    posts = certification.outcomes(election)
    blockers = [] if current else certification.blockers(election)
    history = list(
        Certification.objects.filter(election=election)
        .select_related("certified_by", "revoked_by")
        .order_by("-certified_at")
    )
    return render(
        request,
        "ballots/certify.html",
        {
            "election": election,
            "community": election.community,
            "current": current,
            "certificates": list(current.certificates.all()) if current else [],
            "posts": posts,
            "blockers": blockers,
            "needs_waiver": any("R32" in b for b in blockers),
            "history": history,
            "officer": officer,
            "chair": chair,
            "errors": errors,
            "form": request.POST if errors or request.method == "POST" else {},
        },
    )


@access.require(access.community_worker_or_reader)
@require_http_methods(["GET"])
def certificate_pdf(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = access.get_election_for_user(request.user, code)
    item = ElectionCertificate.objects.filter(pk=pk, certification__election=election).first()
    if item is None:
        raise Http404("没有找到这份当选证书")
    with item.pdf.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(
            as_attachment=False, filename=f"当选证书-{item.post_label}-{item.name}.pdf"
        )
        or ""
    )
    response["X-Content-SHA256"] = item.sha256
    return response


urlpatterns: list[URLPattern] = [
    path("c/<str:code>/ballots/certify/", certify_page, name="certify"),
    path("c/<str:code>/ballots/certificates/<int:pk>.pdf", certificate_pdf, name="certificate"),
]
