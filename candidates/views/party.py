"""Pages of the party side (两推一选, RULES.md P1, P2, P5, P6, P14–P16).

Every view fetches the community's election through `candidates.access` first (404 for
"missing" and "not yours"); read-only roles (supervisor, organisation reviewer) may
read and get 404 on every page that changes something. Changes go through
`candidates.services.party`. Lists show masked ID numbers only; an exclusion's
health details only to those who may see private data.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from candidates import access as cac
from candidates import forms_party as f
from candidates import party_import as pi
from candidates.clearance import clearance_of
from candidates.models import (
    Candidate,
    CandidateStatus,
    MembershipStatus,
    PartyExclusion,
    PartyMember,
    PartyMemberImport,
    PartyPublicity,
    Post,
    Recommendation,
    RecommendationKind,
    RecommendationMeeting,
    Track,
)
from candidates.services import CandidateError
from candidates.services import party as svc
from candidates.services.kinship import avoidance_of
from candidates.services.seats import seats_for
from candidates.services.structure import structure_of
from electionlaw import RIGHTS_REASONS
from elections import access
from elections.exports import attachment
from elections.models import CommunityElection

READER = access.require(access.community_worker_or_reader)
EDITOR = access.require(access.roll_editor)
PARTY_POSTS = dict(f.PARTY_POST_CHOICES)


def _ctx(request: HttpRequest, election: CommunityElection, **extra: Any) -> dict[str, Any]:
    return {
        "election": election,
        "community": election.community,
        "can_edit": cac.can_edit(request.user, election.community),
        **extra,
    }


def _publicity(election: CommunityElection) -> PartyPublicity | None:
    return PartyPublicity.objects.filter(election=election).first()


# -- hub --------------------------------------------------------------------------------


@READER
def party_hub(request: HttpRequest, code: str) -> HttpResponse:
    election = cac.get_election_for_reader(request.user, code)
    counts = {
        row["status"]: row["n"]
        for row in Candidate.objects.filter(election=election, track="party")
        .values("status")
        .annotate(n=Count("pk"))
    }
    return render(
        request,
        "candidates/party/hub.html",
        _ctx(
            request,
            election,
            breakdown=svc.breakdown(election),
            difference=svc.difference(election),
            counts=counts,
            meetings=list(RecommendationMeeting.objects.filter(election=election)),
            publicity=_publicity(election),
            seats=seats_for(election, "party"),
        ),
    )


# -- the roll ---------------------------------------------------------------------------


def _filtered(election: CommunityElection, form: f.MemberFilterForm) -> QuerySet[PartyMember]:
    members = PartyMember.objects.filter(election=election).select_related("exclusion")
    if not form.is_valid():
        return members
    status = form.cleaned_data["status"]
    if status:
        members = members.filter(status=status)
    rights = Q(
        status=MembershipStatus.FULL,
        directly_managed=True,
        on_probation=False,
        detained=False,
        arrested=False,
    )
    match form.cleaned_data["rights"]:
        case "yes":
            members = members.filter(rights)
        case "no":
            members = members.exclude(rights)
        case "excluded":
            members = members.filter(exclusion__isnull=False)
    return members


def rights_label(member: PartyMember) -> str:
    if not member.directly_managed:
        return "非直管，不参加本社区党员大会"
    if member.status != MembershipStatus.FULL:
        return "预备党员，无选举权"
    for code, label in RIGHTS_REASONS.items():
        if getattr(member, code):
            return f"{label}，无选举权"
    return "有选举权"


@READER
def party_members(request: HttpRequest, code: str) -> HttpResponse:
    election = cac.get_election_for_reader(request.user, code)
    form = f.MemberFilterForm(request.GET or None)
    members = _filtered(election, form)
    rows = [(m, rights_label(m)) for m in members]
    return render(
        request,
        "candidates/party/members.html",
        _ctx(request, election, form=form, rows=rows, breakdown=svc.breakdown(election)),
    )


@EDITOR
@require_http_methods(["GET", "POST"])
def party_member_new(request: HttpRequest, code: str) -> HttpResponse:
    election = cac.get_election_for_editor(request.user, code)
    form = f.MemberForm(request.POST or None, initial={"directly_managed": True})
    if request.method == "POST" and form.is_valid():
        try:
            member = svc.add_member(election, form.member_data(), actor=request.user)
        except CandidateError as exc:
            f.add_service_errors(form, exc)
        else:
            messages.success(request, f"已把{member.name}加入党员台账。")
            return redirect("party_members", code=code)
    return render(request, "candidates/party/member_form.html", _ctx(request, election, form=form))


def _member(election: CommunityElection, pk: int) -> PartyMember:
    return cac.get_for_election(
        PartyMember.objects.select_related("election__community"), election, pk
    )


@EDITOR
@require_http_methods(["GET", "POST"])
def party_member_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = cac.get_election_for_editor(request.user, code)
    member = _member(election, pk)
    initial = {
        name: getattr(member, name)
        for name in ("name", "status", "gender", "birth_date", "joined_on", "directly_managed")
    } | {
        "on_probation": member.on_probation,
        "detained": member.detained,
        "arrested": member.arrested,
        "notes": member.notes,
        "id_number": member.id_masked,
        "version": member.updated_at.isoformat(),
    }
    form = f.MemberForm(request.POST or None, initial=initial, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            number = svc.reveal_member_id(member)
            svc.update_member(
                member,
                form.member_data(id_number=number),
                actor=request.user,
                expected_version=form.cleaned_data["version"] or None,
            )
        except CandidateError as exc:
            f.add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存{member.name}的信息。")
            return redirect("party_members", code=code)
    return render(
        request,
        "candidates/party/member_form.html",
        _ctx(request, election, form=form, member=member, remove_form=f.RemoveForm()),
    )


@EDITOR
@require_POST
def party_member_remove(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = cac.get_election_for_editor(request.user, code)
    member = _member(election, pk)
    try:
        svc.remove_member(member, actor=request.user, reason=request.POST.get("reason", ""))
    except CandidateError as exc:
        messages.error(request, exc.message)
        return redirect("party_member_edit", code=code, pk=pk)
    messages.success(request, f"已从党员台账删除{member.name}。")
    return redirect("party_members", code=code)


# -- import -----------------------------------------------------------------------------


@EDITOR
@require_http_methods(["GET", "POST"])
def party_import(request: HttpRequest, code: str) -> HttpResponse:
    election = cac.get_election_for_editor(request.user, code)
    form = f.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            form.add_error("file", "文件太大：党员台账不能超过 5 MB")
        else:
            try:
                item = svc.upload_roll(
                    election, filename=upload.name, data=upload.read(), actor=request.user
                )
            except CandidateError as exc:
                f.add_service_errors(form, exc)
            else:
                return redirect("party_import_detail", code=code, pk=item.pk)
    imports = PartyMemberImport.objects.filter(election=election).defer("data")[:10]
    return render(
        request, "candidates/party/import.html", _ctx(request, election, form=form, imports=imports)
    )


@EDITOR
def party_import_template(request: HttpRequest, code: str) -> HttpResponse:
    cac.get_election_for_editor(request.user, code)
    return attachment(pi.write_template(), "党员台账导入模板.xlsx")


def _import(election: CommunityElection, pk: int) -> PartyMemberImport:
    return cac.get_for_election(
        PartyMemberImport.objects.select_related("election__community"), election, pk
    )


@EDITOR
@require_http_methods(["GET", "POST"])
def party_import_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = cac.get_election_for_editor(request.user, code)
    item = _import(election, pk)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "discard":
                svc.discard_import(item, actor=request.user)
                messages.info(request, "已放弃这次导入。")
            else:
                counts = svc.commit_roll(item, actor=request.user)
                messages.success(
                    request,
                    f"党员台账已导入：新增 {counts['added']} 名，更新 {counts['updated']} 名，"
                    f"未变 {counts['unchanged']} 名。",
                )
                return redirect("party_members", code=code)
        except CandidateError as exc:
            messages.error(request, exc.message)
        return redirect("party_import_detail", code=code, pk=pk)
    preview = svc.preview_of(item) if item.state == PartyMemberImport.State.CHECKED else None
    rows = [(r, pi.masked(r)) for r, _ in preview.rows if r.state != "unchanged"] if preview else []
    return render(
        request,
        "candidates/party/import_detail.html",
        _ctx(request, election, item=item, preview=preview, rows=rows),
    )


@EDITOR
def party_import_errors(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = cac.get_election_for_editor(request.user, code)
    item = _import(election, pk)
    if item.state != PartyMemberImport.State.CHECKED:
        raise Http404("没有找到这次导入")
    return attachment(svc.error_report(item, actor=request.user), "党员台账错误报告.xlsx")


# -- exclusions (P2) --------------------------------------------------------------------


@READER
def party_exclusions(request: HttpRequest, code: str) -> HttpResponse:
    election = cac.get_election_for_reader(request.user, code)
    exclusions = PartyExclusion.objects.filter(member__election=election).select_related("member")
    if not cac.can_see_private(request.user, election.community):
        exclusions = exclusions.defer("detail")
    return render(
        request,
        "candidates/party/exclusions.html",
        _ctx(
            request,
            election,
            exclusions=exclusions.order_by("member__name"),
            categories=svc.categories_of(election),
            can_see_private=cac.can_see_private(request.user, election.community),
            breakdown=svc.breakdown(election),
        ),
    )


@EDITOR
@require_http_methods(["GET", "POST"])
def party_exclusion_new(request: HttpRequest, code: str) -> HttpResponse:
    election = cac.get_election_for_editor(request.user, code)
    members = svc.with_rights(election).filter(exclusion__isnull=True)
    categories = svc.categories_of(election)
    form = f.ExclusionForm(request.POST or None, members=members, categories=categories)
    if request.method == "POST" and form.is_valid():
        member = _member(election, form.cleaned_data["member"])
        try:
            svc.propose_exclusion(
                member,
                category=form.cleaned_data["category"],
                detail=form.cleaned_data["detail"],
                actor=request.user,
            )
        except CandidateError as exc:
            f.add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"已登记{member.name}。须上级党组织同意并经党员大会通过后才不计入应到会人数。",
            )
            return redirect("party_exclusions", code=code)
    return render(
        request, "candidates/party/exclusion_new.html", _ctx(request, election, form=form)
    )


@EDITOR
@require_http_methods(["GET", "POST"])
def party_exclusion_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = cac.get_election_for_editor(request.user, code)
    exclusion = cac.get_for_election(
        PartyExclusion.objects.select_related("member__election__community"),
        election,
        pk,
        field="member__election",
    )
    consent = f.ConsentForm(
        request.POST if request.POST.get("action") == "consent" else None,
        initial={"doc_no": exclusion.consent_doc_no, "consent_date": exclusion.consent_date},
        prefix="c",
    )
    vote = f.VoteForm(
        request.POST if request.POST.get("action") == "vote" else None,
        initial={"vote_date": exclusion.congress_vote_date},
        prefix="v",
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "withdraw":
                svc.withdraw_exclusion(exclusion, actor=request.user)
                messages.info(request, f"已撤回{exclusion.member.name}的登记。")
                return redirect("party_exclusions", code=code)
            if action == "consent" and consent.is_valid():
                svc.record_exclusion_consent(
                    exclusion,
                    doc_no=consent.cleaned_data["doc_no"],
                    consent_date=consent.cleaned_data["consent_date"],
                    actor=request.user,
                )
                return redirect("party_exclusion_edit", code=code, pk=pk)
            if action == "vote" and vote.is_valid():
                svc.record_exclusion_vote(
                    exclusion, vote_date=vote.cleaned_data["vote_date"], actor=request.user
                )
                return redirect("party_exclusion_edit", code=code, pk=pk)
        except CandidateError as exc:
            f.add_service_errors(consent if action == "consent" else vote, exc)
    return render(
        request,
        "candidates/party/exclusion_edit.html",
        _ctx(
            request,
            election,
            exclusion=exclusion,
            category=svc.categories_of(election).get(exclusion.category, ""),
            consent=consent,
            vote=vote,
        ),
    )


# -- recommendations (两推) ---------------------------------------------------------------


@READER
def party_recommendations(request: HttpRequest, code: str) -> HttpResponse:
    election = cac.get_election_for_reader(request.user, code)
    meetings = {m.kind: m for m in RecommendationMeeting.objects.filter(election=election)}
    ranking = svc.ranking(election)
    return render(
        request,
        "candidates/party/recommendations.html",
        _ctx(
            request,
            election,
            kinds=[(k, label, meetings.get(k)) for k, label in RecommendationKind.choices],
            ranking=[(PARTY_POSTS[p], rows) for p, rows in ranking.items()],
            posts=f.PARTY_POST_CHOICES,
        ),
    )


def _kind(kind: str) -> str:
    if kind not in RecommendationKind.values:
        raise Http404("没有找到")
    return kind


@EDITOR
@require_http_methods(["GET", "POST"])
def party_recommendation_meeting(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    election = cac.get_election_for_editor(request.user, code)
    meeting = RecommendationMeeting.objects.filter(election=election, kind=_kind(kind)).first()
    initial = {"held_on": meeting.held_on, "participants": meeting.participants} if meeting else {}
    form = f.MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            svc.save_meeting(election, kind, actor=request.user, **form.cleaned_data)
        except CandidateError as exc:
            f.add_service_errors(form, exc)
        else:
            messages.success(request, "推荐会议已保存，请录入推荐票。")
            return redirect(
                "party_recommendation_tally", code=code, kind=kind, post=Post.PARTY_COMMITTEE
            )
    return render(
        request,
        "candidates/party/meeting_form.html",
        _ctx(request, election, form=form, kind_label=RecommendationKind(kind).label),
    )


@EDITOR
@require_http_methods(["GET", "POST"])
def party_recommendation_tally(
    request: HttpRequest, code: str, kind: str, post: str
) -> HttpResponse:
    election = cac.get_election_for_editor(request.user, code)
    if post not in PARTY_POSTS:
        raise Http404("没有找到")
    meeting = RecommendationMeeting.objects.filter(election=election, kind=_kind(kind)).first()
    if meeting is None:
        messages.info(request, "请先登记推荐会议的日期和参加人数。")
        return redirect("party_recommendation_meeting", code=code, kind=kind)
    members = list(svc.with_rights(election).order_by("name", "pk"))
    current = dict(
        Recommendation.objects.filter(meeting=meeting, post=post).values_list("member_id", "votes")
    )
    form = f.TallyForm(request.POST or None, members=members, initial_votes=current)
    if request.method == "POST" and form.is_valid():
        try:
            n = svc.save_tally(meeting, post, form.votes(), actor=request.user)
        except CandidateError as exc:
            f.add_service_errors(form, exc)
        else:
            messages.success(
                request, f"已保存{meeting.get_kind_display()}（{PARTY_POSTS[post]}）：{n} 人得票。"
            )
            return redirect("party_recommendations", code=code)
    return render(
        request,
        "candidates/party/tally.html",
        _ctx(
            request,
            election,
            form=form,
            meeting=meeting,
            post=post,
            post_label=PARTY_POSTS[post],
            posts=f.PARTY_POST_CHOICES,
        ),
    )


# -- 初步人选, 考察, 预备人选 --------------------------------------------------------------


@READER
def party_initial(request: HttpRequest, code: str) -> HttpResponse:
    election = cac.get_election_for_reader(request.user, code)
    candidates = list(svc.party_candidates(election).order_by("post", "status", "name"))
    clear = clearance_of(candidates)
    rows = [
        (c, clear[c.pk], svc.pre_candidate_refusal(c, clear[c.pk].state, clear[c.pk].reason))
        for c in candidates
    ]
    return render(
        request,
        "candidates/party/initial.html",
        _ctx(
            request,
            election,
            rows=rows,
            difference=svc.difference(election),
            pre_difference=svc.difference(election, (CandidateStatus.PRE_CANDIDATE,)),
            publicity=_publicity(election),
            structure=structure_of(election, Track.PARTY),
            kinship=avoidance_of(election).warnings,
        ),
    )


@EDITOR
@require_http_methods(["GET", "POST"])
def party_initial_add(request: HttpRequest, code: str) -> HttpResponse:
    election = cac.get_election_for_editor(request.user, code)
    members = svc.with_rights(election).order_by("name", "pk")
    form = f.InitialForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        member = _member(election, form.cleaned_data["member"])
        try:
            svc.add_initial(election, member, form.cleaned_data["post"], actor=request.user)
        except CandidateError as exc:
            f.add_service_errors(form, exc)
        else:
            messages.success(request, f"已把{member.name}列为初步人选。")
            return redirect("party_initial", code=code)
    return render(
        request,
        "candidates/party/initial_add.html",
        _ctx(
            request,
            election,
            form=form,
            ranking=svc.ranking(election),
            difference=svc.difference(election),
        ),
    )


def _candidate(election: CommunityElection, pk: int) -> Candidate:
    return cac.get_for_election(
        Candidate.objects.filter(track="party").select_related("election__community"), election, pk
    )


@EDITOR
@require_http_methods(["GET", "POST"])
def party_inspection(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = cac.get_election_for_editor(request.user, code)
    candidate = _candidate(election, pk)
    form = f.InspectionForm(
        request.POST or None,
        initial={
            "inspected_on": candidate.inspected_on or timezone.localdate(),
            "inspection_summary": candidate.inspection_summary,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            svc.record_inspection(
                candidate,
                inspected_on=form.cleaned_data["inspected_on"],
                summary=form.cleaned_data["inspection_summary"],
                actor=request.user,
            )
        except CandidateError as exc:
            f.add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存{candidate.name}的考察情况。")
            return redirect("party_initial", code=code)
    return render(
        request,
        "candidates/party/inspection.html",
        _ctx(request, election, form=form, candidate=candidate, withdraw_form=f.WithdrawForm()),
    )


@EDITOR
@require_POST
def party_pre_candidate(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = cac.get_election_for_editor(request.user, code)
    candidate = _candidate(election, pk)
    try:
        svc.make_pre_candidate(candidate, actor=request.user)
    except CandidateError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已把{candidate.name}列为候选人预备人选。")
    return redirect("party_initial", code=code)


@EDITOR
@require_POST
def party_withdraw(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = cac.get_election_for_editor(request.user, code)
    candidate = _candidate(election, pk)
    try:
        svc.withdraw_candidate(candidate, reason=request.POST.get("reason", ""), actor=request.user)
    except CandidateError as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, f"{candidate.name}已退出。")
    return redirect("party_initial", code=code)


# -- 公示, 批复 -----------------------------------------------------------------------------


@READER
@require_http_methods(["GET", "POST"])
def party_publicity(request: HttpRequest, code: str) -> HttpResponse:
    election = cac.get_election_for_reader(request.user, code)
    publicity = _publicity(election)
    default_start = svc.publicity_start_default(election)
    form = f.PublicityForm(request.POST or None, initial={"starts_on": default_start})
    if request.method == "POST":
        election = cac.get_election_for_editor(request.user, code)
        if form.is_valid():
            try:
                svc.open_publicity(
                    election, starts_on=form.cleaned_data["starts_on"], actor=request.user
                )
            except CandidateError as exc:
                f.add_service_errors(form, exc)
            else:
                messages.success(request, "预备人选已公示。")
                return redirect("party_publicity", code=code)
    listed = svc.party_candidates(election).filter(
        status__in=[CandidateStatus.PRE_CANDIDATE, CandidateStatus.FORMAL]
    )
    return render(
        request,
        "candidates/party/publicity.html",
        _ctx(
            request,
            election,
            publicity=publicity,
            form=form,
            listed=listed.order_by("post", "name"),
            days=svc.params_of(election).pre_candidate_publicity_days,
            default_end=svc.publicity_end(election, default_start) if default_start else None,
            today=timezone.localdate(),
        ),
    )


@READER
@require_http_methods(["GET", "POST"])
def party_approval(request: HttpRequest, code: str) -> HttpResponse:
    election = cac.get_election_for_reader(request.user, code)
    publicity = _publicity(election)
    pre = list(
        svc.party_candidates(election)
        .filter(status=CandidateStatus.PRE_CANDIDATE)
        .order_by("post", "name")
    )
    form = f.ApprovalForm(
        request.POST or None, candidates=pre, initial={"approved": [c.pk for c in pre]}
    )
    if request.method == "POST":
        election = cac.get_election_for_editor(request.user, code)
        if form.is_valid():
            try:
                svc.record_approval(
                    election,
                    doc_no=form.cleaned_data["doc_no"],
                    approval_date=form.cleaned_data["approval_date"],
                    approved=form.cleaned_data["approved"],
                    feedback=form.cleaned_data["feedback"],
                    actor=request.user,
                )
            except CandidateError as exc:
                f.add_service_errors(form, exc)
            else:
                messages.success(request, "批复已登记，批复同意的预备人选已列为正式候选人。")
                return redirect("party_approval", code=code)
    formal = (
        svc.party_candidates(election)
        .filter(status=CandidateStatus.FORMAL)
        .order_by("post", "name")
    )
    return render(
        request,
        "candidates/party/approval.html",
        _ctx(
            request,
            election,
            publicity=publicity,
            form=form,
            pre=pre,
            formal=formal,
            today=timezone.localdate(),
        ),
    )


_P = "c/<str:code>/party/"
urlpatterns: list[URLPattern] = [
    path(_P, party_hub, name="party_hub"),
    path(_P + "members/", party_members, name="party_members"),
    path(_P + "members/new/", party_member_new, name="party_member_new"),
    path(_P + "members/<int:pk>/edit/", party_member_edit, name="party_member_edit"),
    path(_P + "members/<int:pk>/remove/", party_member_remove, name="party_member_remove"),
    path(_P + "import/", party_import, name="party_import"),
    path(_P + "import/template.xlsx", party_import_template, name="party_import_template"),
    path(_P + "import/<int:pk>/", party_import_detail, name="party_import_detail"),
    path(_P + "import/<int:pk>/errors.xlsx", party_import_errors, name="party_import_errors"),
    path(_P + "exclusions/", party_exclusions, name="party_exclusions"),
    path(_P + "exclusions/new/", party_exclusion_new, name="party_exclusion_new"),
    path(_P + "exclusions/<int:pk>/", party_exclusion_edit, name="party_exclusion_edit"),
    path(_P + "recommendations/", party_recommendations, name="party_recommendations"),
    path(
        _P + "recommendations/<str:kind>/",
        party_recommendation_meeting,
        name="party_recommendation_meeting",
    ),
    path(
        _P + "recommendations/<str:kind>/<str:post>/",
        party_recommendation_tally,
        name="party_recommendation_tally",
    ),
    path(_P + "initial/", party_initial, name="party_initial"),
    path(_P + "initial/add/", party_initial_add, name="party_initial_add"),
    path(_P + "candidates/<int:pk>/inspection/", party_inspection, name="party_inspection"),
    path(
        _P + "candidates/<int:pk>/pre-candidate/", party_pre_candidate, name="party_pre_candidate"
    ),
    path(_P + "candidates/<int:pk>/withdraw/", party_withdraw, name="party_withdraw"),
    path(_P + "publicity/", party_publicity, name="party_publicity"),
    path(_P + "approval/", party_approval, name="party_approval"),
]
