"""Pages of the core app. Each view: fetch-and-authorise through `elections.access`,
validate a form, call one service, redirect (STYLE.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from elections import access, schedule
from elections.auth import LockoutAuthenticationForm, login_context
from elections.dashboard import dashboard_rows
from elections.formatting import cn_date
from elections.forms import (
    AssignRoleForm,
    AuditFilterForm,
    CommunityForm,
    CompleteMilestoneForm,
    CycleForm,
    ElectionDayForm,
    MoveMilestoneForm,
    NewUserForm,
)
from elections.models import (
    TRACK_LABELS,
    TRACKS,
    AuditEvent,
    Community,
    RoleAssignment,
    Street,
)
from elections.services import (
    ElectionsError,
    advance_stage,
    assign_role,
    change_election_day,
    complete_milestone,
    create_community,
    create_user,
    move_milestone,
    next_term,
    open_cycle,
    revoke_role,
    schedule_violations,
)
from elections.stages import issues_before_leaving, next_stage


class HuanjieLoginView(LoginView):
    form_class = LockoutAuthenticationForm
    template_name = "elections/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **login_context()}


def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@access.require(access.any_role)
def home(request: HttpRequest) -> HttpResponse:
    return access.redirect_home(request.user)


@access.require(access.any_role)
def no_role(request: HttpRequest) -> HttpResponse:
    return render(request, "elections/no_role.html")


@access.require(access.street_reader)
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = dashboard_rows(request.user, today)
    return render(
        request,
        "elections/dashboard.html",
        {
            "rows": rows,
            "today": today,
            "is_officer": access.scope_of(request.user).is_street_officer,
        },
    )


def _today() -> dt.date:
    return timezone.localdate()


@access.require(access.community_worker_or_reader)
def community(request: HttpRequest, code: str) -> HttpResponse:
    election = access.get_election_for_user(request.user, code)
    today = _today()
    milestones = list(election.milestones.all())
    upcoming = [m for m in milestones if m.date >= today][:4]
    tracks = []
    for track, stages in TRACKS.items():
        current = election.stage(track)
        codes = [c for c, _ in stages]
        tracks.append(
            {
                "code": track,
                "label": TRACK_LABELS[track],
                "stages": [
                    {"code": c, "label": label, "state": _stage_state(codes, c, current)}
                    for c, label in stages
                ],
                "current_label": election.stage_label(track),
                "next_label": dict(stages).get(next_stage(track, current) or "", ""),
                "issues": issues_before_leaving(election, track),
            }
        )
    return render(
        request,
        "elections/community.html",
        {
            "election": election,
            "community": election.community,
            "tracks": tracks,
            "upcoming": upcoming,
            "today": today,
            "can_manage": access.can_manage_community(request.user, election.community),
            "can_edit_roll": access.can_edit_roll(request.user, election.community),
        },
    )


def _stage_state(codes: list[str], code: str, current: str) -> str:
    position, now = codes.index(code), codes.index(current)
    if position < now:
        return "done"
    return "current" if position == now else "todo"


@access.require(access.community_worker_or_reader)
def community_schedule(request: HttpRequest, code: str) -> HttpResponse:
    election = access.get_election_for_user(request.user, code)
    milestones = list(election.milestones.all())
    violations = schedule_violations(election, {m.kind: m.effective_date for m in milestones})
    by_kind: dict[str, list[schedule.Violation]] = {}
    for violation in violations:
        by_kind.setdefault(violation.kind, []).append(violation)
    today = _today()
    timeline = {track: [] for track in TRACKS}  # type: dict[str, list[dict[str, object]]]
    for milestone in sorted(milestones, key=lambda m: (m.date, m.pk)):
        spec = schedule.SPEC_BY_KIND.get(milestone.kind)
        if spec is None:
            continue
        timeline[spec.track].append(
            {
                "milestone": milestone,
                "spec": spec,
                "violations": by_kind.get(milestone.kind, []),
                "past": milestone.date < today,
                "is_today": milestone.date == today,
                "form": MoveMilestoneForm(initial={"date": milestone.date}, prefix=milestone.kind),
                "done_form": CompleteMilestoneForm(
                    initial={"done_on": min(today, milestone.date)},
                    prefix=f"done-{milestone.kind}",
                ),
            }
        )
    return render(
        request,
        "elections/schedule.html",
        {
            "election": election,
            "community": election.community,
            "timeline": [(TRACK_LABELS[t], items) for t, items in timeline.items() if items],
            "today": today,
            "can_manage": access.can_manage_community(request.user, election.community),
            "can_record": access.can_work_in_community(request.user, election.community),
        },
    )


def _milestone_action(
    request: HttpRequest,
    code: str,
    kind: str,
    *,
    allowed: Any,
    form: forms.Form,
    act: Any,
    done: Any,
) -> HttpResponse:
    """Shared body of the schedule's POST actions: fetch-and-authorise, validate, call
    the service, report its refusal (with the broken rules) or its success."""
    election = access.get_election_for_user(request.user, code)
    if not allowed(request.user, election.community):
        raise Http404("没有找到这个社区")
    milestone = access.get_milestone_for_election(election, kind)
    if not form.is_valid():
        messages.error(request, "请填写有效的日期，例如 2026-12-01。")
        return redirect("community_schedule", code=code)
    try:
        act(milestone, form.cleaned_data)
    except ElectionsError as exc:
        details = "；".join(f"{v.message}（规则 {v.rule_id}）" for v in exc.issues)
        messages.error(request, f"{exc.message} {details}".strip())
    else:
        messages.success(request, done(milestone, form.cleaned_data))
    return redirect("community_schedule", code=code)


@require_POST
@access.require(access.roll_editor)
def complete_milestone_view(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    return _milestone_action(
        request,
        code,
        kind,
        allowed=access.can_work_in_community,
        form=CompleteMilestoneForm(request.POST, prefix=f"done-{kind}"),
        act=lambda m, data: complete_milestone(
            m, data["done_on"], actor=request.user, reason=data["reason"]
        ),
        done=lambda m, data: f"已记录“{m.label}”于 {cn_date(data['done_on'])} 完成。",
    )


@require_POST
@access.require(access.street_officer)
def move_milestone_view(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    return _milestone_action(
        request,
        code,
        kind,
        allowed=access.can_manage_community,
        form=MoveMilestoneForm(request.POST, prefix=kind),
        act=lambda m, data: move_milestone(
            m, data["date"], actor=request.user, reason=data["reason"]
        ),
        done=lambda m, data: f"“{m.label}”已改为 {cn_date(data['date'])}。",
    )


@require_POST
@access.require(access.street_officer)
def advance_stage_view(request: HttpRequest, code: str, track: str) -> HttpResponse:
    election = access.get_election_for_user(request.user, code)
    if not access.can_manage_community(request.user, election.community) or track not in TRACKS:
        raise Http404("没有找到这个社区")
    expected = request.POST.get("current_stage", "")
    if expected and expected != election.stage(track):
        messages.error(request, "阶段已被他人更新，请核对后再操作。")
        return redirect("community", code=code)
    try:
        updated = advance_stage(election, track, actor=request.user)
    except ElectionsError as exc:
        details = "；".join(issue.message for issue in exc.issues)
        messages.error(request, f"{exc.message}。{details}")
    else:
        messages.success(
            request, f"{TRACK_LABELS[track]}已进入“{updated.stage_label(track)}”阶段。"
        )
    return redirect("community", code=code)


@access.require(access.audit_reader)
def audit_log(request: HttpRequest) -> HttpResponse:
    communities = access.visible_communities(request.user).order_by("code")
    form = AuditFilterForm(request.GET or None, communities=communities)
    events = AuditEvent.objects.filter(access.audit_scope_filter(request.user))
    if form.is_valid():
        if form.cleaned_data.get("community"):
            events = events.filter(community_id=form.cleaned_data["community"].pk)
        if form.cleaned_data.get("action"):
            events = events.filter(action=form.cleaned_data["action"])
    page = Paginator(events.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    names = dict(
        Community.objects.filter(pk__in={e.community_id for e in page}).values_list("pk", "name")
    )
    for event in page:
        event.community_name = names.get(event.community_id or 0, "")  # type: ignore[attr-defined]
    return render(request, "elections/audit.html", {"form": form, "page": page})


@access.require(access.street_officer)
def users(request: HttpRequest) -> HttpResponse:
    streets = list(access.managed_streets(request.user))
    new_user_form = NewUserForm(streets=streets, prefix="new")
    assign_form = AssignRoleForm(streets=streets, prefix="assign")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            new_user_form = NewUserForm(request.POST, streets=streets, prefix="new")
            if new_user_form.is_valid():
                return _create_user_with_role(request, new_user_form)
        elif action == "assign":
            assign_form = AssignRoleForm(request.POST, streets=streets, prefix="assign")
            if assign_form.is_valid():
                return _assign(request, assign_form)
    assignments = (
        RoleAssignment.objects.filter(_assignment_filter(streets))
        .select_related("user", "street", "community", "department", "district")
        .order_by("user__username", "role")
    )
    return render(
        request,
        "elections/users.html",
        {
            "assignments": assignments,
            "new_user_form": new_user_form,
            "assign_form": assign_form,
        },
    )


def _assignment_filter(streets: list[Street]) -> Q:
    street_ids = [s.pk for s in streets]
    district_ids = [s.district_id for s in streets]
    return (
        Q(street_id__in=street_ids)
        | Q(community__street_id__in=street_ids)
        | Q(department__district_id__in=district_ids)
        | Q(district_id__in=district_ids)
    )


def _create_user_with_role(request: HttpRequest, form: NewUserForm) -> HttpResponse:
    data = form.cleaned_data
    try:
        with transaction.atomic():
            user = create_user(
                username=data["username"],
                full_name=data["full_name"],
                password=data["password"],
                actor=request.user,
                street=form.street_of_scope(),
            )
            assign_role(user, data["role"], form.scope_object(), actor=request.user)
    except ElectionsError as exc:
        form.add_error(None, exc.message)
        messages.error(request, exc.message)
        return redirect("users")
    messages.success(request, f"已添加用户“{user.get_username()}”，角色：{form.role_label()}。")
    return redirect("users")


def _assign(request: HttpRequest, form: AssignRoleForm) -> HttpResponse:
    try:
        assign_role(
            form.cleaned_data["user"],
            form.cleaned_data["role"],
            form.scope_object(),
            actor=request.user,
        )
    except ElectionsError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已授予角色。")
    return redirect("users")


@require_POST
@access.require(access.street_officer)
def revoke_role_view(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = access.get_assignment_for_officer(request.user, pk)
    if assignment.user_id == request.user.pk and assignment.role == "street_officer":
        messages.error(request, "不能撤销自己的街道换届办角色。")
        return redirect("users")
    revoke_role(assignment, actor=request.user)
    messages.success(
        request, f"已撤销“{assignment.user.get_username()}”的{assignment.get_role_display()}角色。"
    )
    return redirect("users")


# -- the street officer's cycle, communities and election days ----------------------------


def _issue_text(exc: ElectionsError) -> str:
    details = "；".join(f"{v.message}（规则 {v.rule_id}）" for v in exc.issues)
    return f"{exc.message} {details}".strip()


@access.require(access.street_officer)
def cycle_new(request: HttpRequest) -> HttpResponse:
    streets = access.managed_streets(request.user)
    form = CycleForm(request.POST or None, streets=streets, today=_today())
    if not request.POST and streets.count() == 1:
        street = streets.get()
        form.initial = {"street": street, "term": next_term(street)}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = open_cycle(
                street=data["street"],
                term=data["term"],
                name=data["name"],
                election_day=data["election_day"],
                party_meeting_day=data["party_meeting_day"],
                profile=data["rule_profile"],
                actor=request.user,
            )
        except ElectionsError as exc:
            form.add_error(None, exc.message)
        else:
            count = cycle.elections.count()
            messages.success(
                request,
                f"已创建“{cycle.name}”，{count} 个社区的日程已按选举日生成。"
                "下一步：打开各社区的日程核对日期，需要时单独更改某个社区的选举日。",
            )
            return redirect("dashboard")
    return render(request, "elections/cycle_new.html", {"form": form})


@access.require(access.street_officer)
def community_new(request: HttpRequest) -> HttpResponse:
    streets = access.managed_streets(request.user)
    cycles = access.current_cycles(streets)
    form = CommunityForm(request.POST or None, streets=streets)
    if not request.POST and streets.count() == 1:
        form.initial = {"street": streets.get(), "join_cycle": True}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        cycle = cycles.get(data["street"].pk) if data["join_cycle"] else None
        try:
            community = create_community(
                street=data["street"],
                code=data["code"],
                name=data["name"],
                cycle=cycle,
                actor=request.user,
            )
        except ElectionsError as exc:
            form.add_error(None, exc.message)
        else:
            if cycle is not None:
                messages.success(
                    request,
                    f"已添加“{community.name}”（{community.code}）并加入“{cycle.name}”。"
                    "下一步：核对它的日程，并在“用户与角色”中为它的选举委员会添加成员。",
                )
                return redirect("community", code=community.code)
            messages.success(
                request,
                f"已添加“{community.name}”（{community.code}）。它还没有加入换届："
                "创建换届时会自动加入。",
            )
            return redirect("dashboard")
    return render(
        request,
        "elections/community_new.html",
        {"form": form, "cycles": [cycles[s.pk] for s in streets if s.pk in cycles]},
    )


@access.require(access.street_officer)
def election_day_edit(request: HttpRequest, code: str) -> HttpResponse:
    election = access.get_election_for_officer(request.user, code)
    form = ElectionDayForm(
        request.POST or None, today=_today(), initial={"election_day": election.election_day}
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = change_election_day(
                election,
                form.cleaned_data["election_day"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                today=_today(),
            )
        except ElectionsError as exc:
            form.add_error(None, _issue_text(exc))
        else:
            messages.success(
                request,
                f"选举日已改为{cn_date(result.election.election_day)}，"
                f"{len(result.moved)} 个未完成的时间节点已按新选举日重新推算。",
            )
            for warning in result.warnings:
                messages.warning(
                    request,
                    f"已完成的节点现在不符合规定：{warning.message}（规则 {warning.rule_id}）",
                )
            return redirect("community_schedule", code=code)
    return render(
        request,
        "elections/election_day.html",
        {
            "election": election,
            "community": election.community,
            "form": form,
            "violations": schedule_violations(election),
        },
    )
