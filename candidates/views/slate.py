"""Pages of the residents' committee formal list (R17–R20) and ballot order (R19, P7):
the slate with every check beside it and the publish button, a candidate's page and
edit form, withdrawal / disqualification with 递补, and the ballot order with its
manual override. Read-only roles read; changes are the committee's and officers'."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods, require_POST

from candidates import access
from candidates.clearance import clearance_of
from candidates.forms_slate import CandidateForm, LeaveForm, OrderOverrideForm, add_service_errors
from candidates.models import COMMITTEE_POSTS, Candidate, CandidateStatus, Track
from candidates.services import CandidateError
from candidates.services.kinship import avoidance_of
from candidates.services.nominations import post_label
from candidates.services.slate import (
    EDITABLE_FIELDS,
    ON_SLATE,
    computed_order,
    disqualify_candidate,
    next_in_line,
    override_ballot_order,
    publish_slate,
    replace_candidate,
    replacement_notice,
    set_ballot_order,
    slate_of,
    update_candidate,
    withdraw_candidate,
)
from candidates.services.structure import structure_of
from electionlaw import age_on
from elections import access as core_access
from elections.models import CommunityElection, Milestone


def _candidate(election: CommunityElection, pk: int) -> Candidate:
    candidate = access.get_for_election(
        Candidate.objects.select_related("election", "nomination", "replaces"), election, pk
    )
    if candidate.track != Track.COMMITTEE:
        raise Http404("没有找到")
    return candidate


@core_access.require(core_access.community_worker_or_reader)
def slate(request: HttpRequest, code: str) -> HttpResponse:
    election = access.get_election_for_reader(request.user, code)
    return render(
        request,
        "candidates/committee/slate.html",
        {
            "election": election,
            "community": election.community,
            "slate": slate_of(election),
            "can_edit": access.can_edit(request.user, election.community),
            "structure": structure_of(election, Track.COMMITTEE),
            "kinship": avoidance_of(election).warnings,
        },
    )


@core_access.require(core_access.roll_editor)
@require_POST
def publish(request: HttpRequest, code: str) -> HttpResponse:
    election = access.get_election_for_editor(request.user, code)
    try:
        new = publish_slate(election, actor=request.user)
    except CandidateError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已公布正式候选人 {len(new)} 名。")
        if Milestone.objects.filter(
            election=election, kind="formal_candidates_published", done_on__isnull=True
        ).exists():
            messages.warning(
                request,
                "日程中的“公布正式候选人名单”没有自动标记完成（与其他节点的日期不衔接），"
                "请到社区日程页标记完成日期并填写理由。",
            )
    return redirect("candidates_slate", code=code)


@core_access.require(core_access.community_worker_or_reader)
def candidate_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = access.get_election_for_reader(request.user, code)
    candidate = _candidate(election, pk)
    return render(
        request,
        "candidates/committee/candidate.html",
        {
            "election": election,
            "community": election.community,
            "candidate": candidate,
            "age": age_on(candidate.birth_date, election.election_day),
            "clearance": clearance_of([candidate])[candidate.pk],
            "notice": replacement_notice(candidate),
            "next": next_in_line(election, candidate.post)
            if candidate.status in (CandidateStatus.WITHDRAWN, CandidateStatus.DISQUALIFIED)
            else None,
            "replaced_by": list(candidate.replaced_by.all()),
            "can_edit": access.can_edit(request.user, election.community),
        },
    )


@core_access.require(core_access.roll_editor)
@require_http_methods(["GET", "POST"])
def candidate_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = access.get_election_for_editor(request.user, code)
    candidate = _candidate(election, pk)
    form = CandidateForm(
        request.POST or None,
        instance=Candidate.objects.get(pk=candidate.pk),
        initial={"updated_at": candidate.updated_at.isoformat()},
    )
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in EDITABLE_FIELDS}
        try:
            update_candidate(
                candidate,
                changes,
                actor=request.user,
                expected_version=form.cleaned_data.get("updated_at") or None,
            )
        except CandidateError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存{candidate.name}的信息。")
            return redirect("candidates_candidate", code=code, pk=pk)
    return render(
        request,
        "candidates/committee/candidate_edit.html",
        {
            "election": election,
            "community": election.community,
            "candidate": candidate,
            "age": age_on(candidate.birth_date, election.election_day),
            "form": form,
        },
    )


@core_access.require(core_access.roll_editor)
@require_http_methods(["GET", "POST"])
def candidate_leave(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = access.get_election_for_editor(request.user, code)
    candidate = _candidate(election, pk)
    if candidate.status not in ON_SLATE:
        messages.info(request, "此人已不在候选人名单上。")
        return redirect("candidates_candidate", code=code, pk=pk)
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = (
            withdraw_candidate if form.cleaned_data["kind"] == "withdraw" else disqualify_candidate
        )
        try:
            service(
                candidate,
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data["left_on"],
                actor=request.user,
            )
        except CandidateError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已记录{candidate.name}离开候选人名单，请办理递补。")
            return redirect("candidates_candidate", code=code, pk=pk)
    return render(
        request,
        "candidates/committee/candidate_leave.html",
        {
            "election": election,
            "community": election.community,
            "candidate": candidate,
            "form": form,
        },
    )


@core_access.require(core_access.roll_editor)
@require_POST
def candidate_replace(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = access.get_election_for_editor(request.user, code)
    candidate = _candidate(election, pk)
    try:
        notice = replace_candidate(candidate, actor=request.user)
    except CandidateError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"{notice.replacement_name}（提名票 {notice.replacement_votes}）递补{notice.left_name}"
            "，须经资格联审后公布。",
        )
    return redirect("candidates_candidate", code=code, pk=pk)


@core_access.require(core_access.community_worker_or_reader)
@require_http_methods(["GET", "POST"])
def ballot_order(request: HttpRequest, code: str, post: str) -> HttpResponse:
    if post not in COMMITTEE_POSTS:
        raise Http404("没有这个职位")
    if request.method == "POST":
        election = access.get_election_for_editor(request.user, code)
    else:
        election = access.get_election_for_reader(request.user, code)
    order = computed_order(election, post)
    current = sorted(
        order.candidates, key=lambda c: (c.ballot_order is None, c.ballot_order or 0, c.pk)
    )
    override = request.method == "POST" and request.POST.get("action") == "override"
    form = OrderOverrideForm(request.POST if override else None, candidates=current)
    if request.method == "POST":
        try:
            if not override:
                set_ballot_order(election, post, actor=request.user)
                messages.success(request, f"已按“{order.rule_label}”确定{order.label}的选票顺序。")
                return redirect("candidates_ballot_order", code=code, post=post)
            if form.is_valid():
                override_ballot_order(
                    election,
                    post,
                    form.order(),
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
                messages.success(request, f"已人工调整{order.label}的选票顺序。")
                return redirect("candidates_ballot_order", code=code, post=post)
        except CandidateError as exc:
            add_service_errors(form, exc)
    return render(
        request,
        "candidates/committee/ballot_order.html",
        {
            "election": election,
            "community": election.community,
            "post": post,
            "post_label": post_label(post),
            "order": order,
            "current": current,
            "form": form,
            "can_edit": access.can_edit(request.user, election.community),
        },
    )


urlpatterns: list[URLPattern] = [
    path("c/<str:code>/candidates/slate/", slate, name="candidates_slate"),
    path("c/<str:code>/candidates/slate/publish/", publish, name="candidates_publish"),
    path("c/<str:code>/candidates/person/<int:pk>/", candidate_detail, name="candidates_candidate"),
    path(
        "c/<str:code>/candidates/person/<int:pk>/edit/",
        candidate_edit,
        name="candidates_candidate_edit",
    ),
    path(
        "c/<str:code>/candidates/person/<int:pk>/leave/",
        candidate_leave,
        name="candidates_candidate_leave",
    ),
    path(
        "c/<str:code>/candidates/person/<int:pk>/replace/",
        candidate_replace,
        name="candidates_candidate_replace",
    ),
    path(
        "c/<str:code>/candidates/ballot-order/<str:post>/",
        ballot_order,
        name="candidates_ballot_order",
    ),
]
