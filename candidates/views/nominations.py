"""Pages of the residents' committee nominations (R15, R16): the hub of the three
posts, each post's count entry, the tie re-vote, the written choice of two-post
nominees and the nominee list with votes (N6). Read-only roles read; POST pages are
for the committee and the street's officers (404 otherwise)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods, require_POST

from candidates import access
from candidates.forms_slate import (
    NominationCountForm,
    PostChoiceForm,
    RevoteForm,
    add_service_errors,
)
from candidates.models import COMMITTEE_POSTS, Nomination
from candidates.services import CandidateError
from candidates.services.nominations import (
    add_nominee,
    nominee_notice,
    post_label,
    post_standings,
    promote_nominees,
    record_post_choice,
    record_revote,
    remove_nominee,
    roll_matches,
    save_nomination_count,
    two_post_nominees,
)
from candidates.services.slate import slate_of
from elections import access as core_access


def _post(post: str) -> str:
    if post not in COMMITTEE_POSTS:
        raise Http404("没有这个职位")
    return post


@core_access.require(core_access.community_worker_or_reader)
def hub(request: HttpRequest, code: str) -> HttpResponse:
    election = access.get_election_for_reader(request.user, code)
    standings = post_standings(election)
    slate = slate_of(election)
    return render(
        request,
        "candidates/committee/hub.html",
        {
            "election": election,
            "community": election.community,
            "standings": list(standings.values()),
            "slate": slate,
            "choices": [r for s in standings.values() for r in s.rows if r.choice_pending],
            "can_edit": access.can_edit(request.user, election.community),
        },
    )


@core_access.require(core_access.community_worker_or_reader)
@require_http_methods(["GET", "POST"])
def nominations(request: HttpRequest, code: str, post: str) -> HttpResponse:
    _post(post)
    if request.method == "POST":
        election = access.get_election_for_editor(request.user, code)
    else:
        election = access.get_election_for_reader(request.user, code)
    standing = post_standings(election)[post]
    rows = [r.nomination for r in standing.rows]
    count = standing.count
    initial = {"held_on": count.held_on, "ballots": count.ballots} if count else {}
    if count:
        initial["updated_at"] = count.updated_at.isoformat()
    form = NominationCountForm(request.POST or None, initial=initial, nominations=rows)
    if request.method == "POST" and form.is_valid():
        try:
            save_nomination_count(
                election,
                post,
                held_on=form.cleaned_data["held_on"],
                ballots=form.cleaned_data["ballots"],
                votes=form.votes(),
                actor=request.user,
                expected_version=form.cleaned_data.get("updated_at") or None,
            )
        except CandidateError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存{post_label(post)}的提名计票。")
            return redirect("candidates_nominations", code=code, post=post)
    query = request.GET.get("q", "")
    return render(
        request,
        "candidates/committee/nominations.html",
        {
            "election": election,
            "community": election.community,
            "post": post,
            "standing": standing,
            "form": form,
            "query": query,
            "matches": list(roll_matches(election, query)) if query else [],
            "can_edit": access.can_edit(request.user, election.community),
        },
    )


@core_access.require(core_access.roll_editor)
@require_POST
def nominee_add(request: HttpRequest, code: str, post: str) -> HttpResponse:
    _post(post)
    election = access.get_election_for_editor(request.user, code)
    try:
        nomination = add_nominee(
            election, post, int(request.POST.get("voter", "0") or 0), actor=request.user
        )
    except (CandidateError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", "没有找到这位选民"))
    else:
        messages.success(request, f"已添加被提名人{nomination.voter.name}，请录入提名票。")
    return redirect("candidates_nominations", code=code, post=post)


@core_access.require(core_access.roll_editor)
@require_POST
def nominee_remove(request: HttpRequest, code: str, post: str, pk: int) -> HttpResponse:
    _post(post)
    election = access.get_election_for_editor(request.user, code)
    nomination = access.get_for_election(
        Nomination.objects.select_related("voter", "count"),
        election,
        pk,
        field="count__election",
    )
    if nomination.count.post != post:
        raise Http404("没有找到")
    try:
        remove_nominee(nomination, actor=request.user)
    except CandidateError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已删除被提名人{nomination.voter.name}。")
    return redirect("candidates_nominations", code=code, post=post)


@core_access.require(core_access.community_worker_or_reader)
@require_http_methods(["GET", "POST"])
def revote(request: HttpRequest, code: str, post: str) -> HttpResponse:
    _post(post)
    if request.method == "POST":
        election = access.get_election_for_editor(request.user, code)
    else:
        election = access.get_election_for_reader(request.user, code)
    standing = post_standings(election)[post]
    form = RevoteForm(request.POST or None, tied=[r.nomination for r in standing.tied])
    if request.method == "POST" and form.is_valid():
        try:
            record_revote(
                election,
                post,
                held_on=form.cleaned_data["held_on"],
                votes=form.votes(),
                actor=request.user,
            )
        except CandidateError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已录入重新投票结果。")
            return redirect("candidates_nominations", code=code, post=post)
    return render(
        request,
        "candidates/committee/revote.html",
        {
            "election": election,
            "community": election.community,
            "post": post,
            "standing": standing,
            "form": form,
            "can_edit": access.can_edit(request.user, election.community),
        },
    )


@core_access.require(core_access.community_worker_or_reader)
@require_http_methods(["GET", "POST"])
def choices(request: HttpRequest, code: str) -> HttpResponse:
    if request.method == "POST":
        election = access.get_election_for_editor(request.user, code)
    else:
        election = access.get_election_for_reader(request.user, code)
    rows = two_post_nominees(election)
    forms = []
    for row in rows:
        posts = [(n.count.post, post_label(n.count.post)) for n in row.nominations]
        bound = request.method == "POST" and request.POST.get("voter") == str(row.voter.pk)
        form = PostChoiceForm(
            request.POST if bound else None,
            posts=posts,
            auto_id=f"id_v{row.voter.pk}_%s",
            initial={
                "voter": row.voter.pk,
                "chosen_post": row.chosen_post,
                "choice_date": row.choice_date,
            },
        )
        if bound and form.is_valid():
            try:
                record_post_choice(
                    election,
                    row.voter.pk,
                    chosen_post=form.cleaned_data["chosen_post"],
                    on=form.cleaned_data["choice_date"],
                    actor=request.user,
                )
            except CandidateError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已记录{row.voter.name}的书面选择。")
                return redirect("candidates_choices", code=code)
        forms.append((row, form))
    return render(
        request,
        "candidates/committee/choices.html",
        {
            "election": election,
            "community": election.community,
            "forms": forms,
            "can_edit": access.can_edit(request.user, election.community),
        },
    )


@core_access.require(core_access.community_worker_or_reader)
def nominee_list(request: HttpRequest, code: str) -> HttpResponse:
    election = access.get_election_for_reader(request.user, code)
    return render(
        request,
        "candidates/committee/nominee_list.html",
        {
            "election": election,
            "community": election.community,
            "posts": nominee_notice(election),
        },
    )


@core_access.require(core_access.roll_editor)
@require_POST
def promote(request: HttpRequest, code: str, post: str) -> HttpResponse:
    _post(post)
    election = access.get_election_for_editor(request.user, code)
    try:
        new = promote_nominees(election, post, actor=request.user)
    except CandidateError as exc:
        messages.error(request, exc.message)
        return redirect("candidates_nominations", code=code, post=post)
    names = "、".join(c.name for c in new) or "（无新增）"
    messages.success(request, f"{post_label(post)}提名人选已列入候选人名单：{names}。")
    return redirect("candidates_slate", code=code)


urlpatterns: list[URLPattern] = [
    path("c/<str:code>/candidates/", hub, name="candidates_hub"),
    path("c/<str:code>/candidates/nominees/", nominee_list, name="candidates_nominee_list"),
    path("c/<str:code>/candidates/choices/", choices, name="candidates_choices"),
    path(
        "c/<str:code>/candidates/nominations/<str:post>/",
        nominations,
        name="candidates_nominations",
    ),
    path(
        "c/<str:code>/candidates/nominations/<str:post>/add/",
        nominee_add,
        name="candidates_nominee_add",
    ),
    path(
        "c/<str:code>/candidates/nominations/<str:post>/<int:pk>/remove/",
        nominee_remove,
        name="candidates_nominee_remove",
    ),
    path(
        "c/<str:code>/candidates/nominations/<str:post>/revote/",
        revote,
        name="candidates_revote",
    ),
    path(
        "c/<str:code>/candidates/nominations/<str:post>/promote/",
        promote,
        name="candidates_promote",
    ),
]
