"""Joint vetting pages: the street officer's rounds and matrix, the department
reviewer's queue, single request (full ID, audited) and spreadsheet round trip, and the
candidate's vetting page (tip-offs, 劝退, the organisation reviewer's decision)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from candidates.models import Candidate, CandidateStatus
from elections import access
from elections.exports import attachment
from elections.models import Department, ElectionCycle
from vetting.models import (
    Decision,
    DecisionKind,
    NegativeItem,
    SheetImport,
    SignOff,
    TipChannel,
    TipOff,
    TipOutcome,
    VettingRequest,
    VettingRound,
)
from vetting.services import VettingError, cases, rounds, sheets
from vetting.services.aggregate import STATE_LABELS, vetting_of


def _int(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() else 0


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def _cycles_for_officer(user: Any) -> list[ElectionCycle]:
    streets = access.visible_streets(user)
    scope = access.scope_of(user)
    if not scope.superuser:
        streets = streets.filter(pk__in=scope.managed_streets)
    return list(
        ElectionCycle.objects.filter(street__in=streets)
        .select_related("street__district")
        .order_by("street__code", "-term")
    )


def _cycles_for_reader(user: Any) -> list[ElectionCycle]:
    return list(
        ElectionCycle.objects.filter(street__in=access.visible_streets(user))
        .select_related("street__district")
        .order_by("street__code", "-term")
    )


def _round_for_reader(user: Any, pk: int) -> VettingRound:
    vround = (
        VettingRound.objects.filter(pk=pk, cycle__in=_cycles_for_reader(user))
        .select_related("cycle__street__district", "negative_list")
        .first()
    )
    if vround is None:
        raise Http404("没有找到这一轮联审")
    return vround


# -- the street officer ------------------------------------------------------------------


@access.require(access.street_reader)
@require_http_methods(["GET", "POST"])
def round_list(request: HttpRequest) -> HttpResponse:
    cycles = _cycles_for_reader(request.user)
    officer_cycles = {c.pk: c for c in _cycles_for_officer(request.user)}
    errors: dict[str, str] = {}
    if request.method == "POST":
        cycle = officer_cycles.get(_int(request.POST.get("cycle")))
        if cycle is None:
            raise Http404("没有找到这次换届")
        picked = set(map(int, filter(str.isdigit, request.POST.getlist("candidates"))))
        candidates = [c for c in rounds.vettable_candidates(cycle) if c.pk in picked]
        dept_ids = set(map(int, filter(str.isdigit, request.POST.getlist("departments"))))
        departments = list(
            Department.objects.filter(district_id=cycle.street.district_id, pk__in=dept_ids)
        )
        deadline = _date(request.POST.get("deadline"))
        try:
            if deadline is None:
                raise VettingError("请填写反馈期限", errors={"deadline": "请填写反馈期限"})
            vround = rounds.start_round(
                cycle, candidates, departments, deadline=deadline, actor=request.user
            )
        except VettingError as exc:
            messages.error(request, exc.message)
            errors = exc.errors
        else:
            messages.success(
                request,
                f"已发起{vround.label}：{len(candidates)} 名人选，{len(departments)} 个部门",
            )
            return redirect("vetting:round", pk=vround.pk)
    sections = []
    for cycle in cycles:
        can_start = cycle.pk in officer_cycles
        sections.append(
            {
                "cycle": cycle,
                "rounds": list(
                    VettingRound.objects.filter(cycle=cycle).prefetch_related("departments")
                ),
                "can_start": can_start,
                "candidates": list(rounds.vettable_candidates(cycle)) if can_start else [],
                "departments": list(Department.objects.filter(district_id=cycle.street.district_id))
                if can_start
                else [],
            }
        )
    return render(
        request,
        "vetting/rounds.html",
        {
            "sections": sections,
            "errors": errors,
            "default_deadline": timezone.localdate() + dt.timedelta(days=7),
        },
    )


@access.require(access.street_reader)
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The matrix: every candidate of the round × every department asked."""
    vround = _round_for_reader(request.user, pk)
    departments = list(vround.departments.order_by("code"))
    candidate_ids = VettingRequest.objects.filter(round=vround).values_list(
        "candidate_id", flat=True
    )
    candidates = list(
        Candidate.objects.filter(pk__in=candidate_ids)
        .select_related("election__community")
        .order_by("election__community__code", "track", "post", "name", "pk")
    )
    state = vetting_of(candidates)
    found_later = _found_in_this_round(vround, candidates)
    rows = [
        {
            "candidate": c,
            "cells": [state[c.pk].cells.get(d.pk) for d in departments],
            "clearance": state[c.pk].clearance,
            "left_statuses": LEFT,
        }
        for c in candidates
    ]
    return render(
        request,
        "vetting/round.html",
        {
            "round": vround,
            "departments": departments,
            "rows": rows,
            "found_later": found_later,
            "labels": STATE_LABELS,
        },
    )


LEFT = (CandidateStatus.WITHDRAWN, CandidateStatus.DISQUALIFIED, CandidateStatus.REPLACED)


def _found_in_this_round(vround: VettingRound, candidates: list[Candidate]) -> list[SignOff]:
    """A second round shows what it found that an earlier one did not (淄川: 二次联审)."""
    if vround.number == 1:
        return []
    earlier = set(
        SignOff.objects.filter(
            request__round__cycle=vround.cycle,
            request__round__number__lt=vround.number,
            result="finding",
        ).values_list("request__candidate_id", "request__department_id")
    )
    found = (
        SignOff.objects.filter(request__round=vround, result="finding", current=True)
        .select_related("request__candidate", "request__department")
        .prefetch_related("items")
    )
    return [s for s in found if (s.request.candidate_id, s.request.department_id) not in earlier]


# -- the department reviewer --------------------------------------------------------------


@access.require(access.department_reviewer)
@require_http_methods(["GET", "POST"])
def queue(request: HttpRequest) -> HttpResponse:
    """Only the reviewer's departments' requests, open ones first; masked IDs."""
    departments = list(access.visible_departments(request.user))
    mine = rounds.requests_for_reviewer(request.user)
    answered = set(
        SignOff.objects.filter(request__in=mine, current=True).values_list("request_id", flat=True)
    )
    if request.method == "POST":
        ids = set(map(int, filter(str.isdigit, request.POST.getlist("requests"))))
        batch = [r for r in mine.filter(pk__in=ids) if r.pk not in answered]
        if request.POST.get("confirm") != "1":
            messages.error(request, "请勾选“我已逐一核查，确认以上人选均无负面清单情形”后再提交")
        elif not batch:
            messages.error(request, "请勾选要标记为“通过”的人选")
        else:
            try:
                done = rounds.sign_all_pass(batch, actor=request.user)
            except VettingError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"已将 {done} 名人选标记为“通过”")
        return redirect("vetting:queue")
    items = list(mine.order_by("round__deadline", "candidate__name", "pk"))
    today = timezone.localdate()
    open_items = [r for r in items if r.pk not in answered]
    # An answer whose candidate's name, ID or birth date changed since is stale: the
    # department has to check again (the matrix shows "数据已变更，须重新审核").
    state = vetting_of(list({r.candidate_id: r.candidate for r in items}.values()))
    stale = {
        cell.request.pk
        for r in items
        if (cell := state[r.candidate_id].cells.get(r.department_id)) and cell.state == "stale"
    }
    recheck_items = [r for r in items if r.pk in stale]
    done_items = [r for r in items if r.pk in answered and r.pk not in stale]
    return render(
        request,
        "vetting/queue.html",
        {
            "departments": departments,
            "items": open_items,
            "recheck": recheck_items,
            "done": done_items,
            "today": today,
            "rounds": sorted(
                {(r.round_id, r.department_id): r for r in items}.values(),
                key=lambda r: (r.round.number, r.department.code),
            ),
        },
    )


def _request_for_reviewer(user: Any, pk: int) -> VettingRequest:
    found = rounds.requests_for_reviewer(user).filter(pk=pk).first()
    if found is None:
        raise Http404("没有找到这条联审请求")
    return found


@access.require(access.department_reviewer)
@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _request_for_reviewer(request.user, pk)
    errors: dict[str, str] = {}
    if request.method == "POST":
        picked = set(map(int, filter(str.isdigit, request.POST.getlist("items"))))
        chosen = list(
            NegativeItem.objects.filter(negative_list=item.round.negative_list, pk__in=picked)
        )
        try:
            rounds.sign_off(
                item,
                request.POST.get("result", ""),
                actor=request.user,
                items=chosen,
                note=request.POST.get("note", ""),
                attachment=request.FILES.get("attachment"),
                expected_current=_int(request.POST.get("current")),
            )
        except VettingError as exc:
            messages.error(request, exc.message)
            errors = exc.errors
        else:
            messages.success(request, f"已提交{item.candidate.name}的联审意见")
            return redirect("vetting:queue")
    state = vetting_of([item.candidate])[item.candidate_id]
    history = list(
        SignOff.objects.filter(request=item)
        .select_related("signed_by")
        .prefetch_related("items")
        .order_by("-signed_at", "-pk")
    )
    current = next((s for s in history if s.current), None)
    return render(
        request,
        "vetting/request.html",
        {
            "item": item,
            "candidate": item.candidate,
            "full_id": rounds.reveal_id(item, actor=request.user),
            "cell": state.cells.get(item.department_id),
            "history": history,
            "current": current,
            "negative_items": list(item.round.negative_list.items.all()),
            "errors": errors,
            "posted": request.POST if request.method == "POST" else None,
        },
    )


def _department_of_reviewer(user: Any, pk: int) -> Department:
    department = access.visible_departments(user).filter(pk=pk).first()
    if department is None:
        raise Http404("没有找到这个部门")
    return department


def _round_of_department(department: Department, pk: int) -> VettingRound:
    vround = VettingRound.objects.filter(
        pk=pk, departments=department, cycle__street__district_id=department.district_id
    ).first()
    if vround is None:
        raise Http404("没有找到这一轮联审")
    return vround


@access.require(access.department_reviewer)
def sheet_export(request: HttpRequest, pk: int, department: int) -> HttpResponse:
    dept = _department_of_reviewer(request.user, department)
    vround = _round_of_department(dept, pk)
    content, filename = sheets.export_sheet(vround, dept, actor=request.user)
    return attachment(content, filename)


@access.require(access.department_reviewer)
@require_http_methods(["GET", "POST"])
def sheet_import(request: HttpRequest, pk: int, department: int) -> HttpResponse:
    dept = _department_of_reviewer(request.user, department)
    vround = _round_of_department(dept, pk)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择填好的联审表（.xlsx）")
        else:
            try:
                item = sheets.upload_sheet(
                    vround,
                    dept,
                    filename=upload.name or "联审表.xlsx",
                    data=upload.read(),
                    actor=request.user,
                )
            except VettingError as exc:
                messages.error(request, exc.message)
            else:
                return redirect("vetting:sheet_preview", pk=item.pk)
    return render(request, "vetting/sheet_import.html", {"round": vround, "department": dept})


def _sheet_for_reviewer(user: Any, pk: int) -> SheetImport:
    item = (
        SheetImport.objects.filter(pk=pk, department__in=access.visible_departments(user))
        .select_related("round__cycle", "round__negative_list", "department")
        .first()
    )
    if item is None:
        raise Http404("没有找到这个文件")
    return item


@access.require(access.department_reviewer)
@require_http_methods(["GET", "POST"])
def sheet_preview(request: HttpRequest, pk: int) -> HttpResponse:
    item = _sheet_for_reviewer(request.user, pk)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "discard":
                sheets.discard_sheet(item, actor=request.user)
                messages.success(request, "已放弃这个文件，没有导入任何意见")
            else:
                count = sheets.commit_sheet(item, actor=request.user)
                messages.success(request, f"已导入 {count} 条联审意见")
        except VettingError as exc:
            messages.error(request, exc.message)
            return redirect("vetting:sheet_preview", pk=item.pk)
        return redirect("vetting:queue")
    preview = sheets.preview_of(item) if item.state == SheetImport.State.CHECKED else None
    return render(request, "vetting/sheet_preview.html", {"item": item, "preview": preview})


# -- one candidate: tip-offs, 劝退, decisions ----------------------------------------------


def _candidate_for_reader(user: Any, pk: int) -> Candidate:
    found = (
        Candidate.objects.filter(pk=pk, election__in=access.visible_elections(user))
        .select_related("election__community__street__district")
        .first()
    )
    if found is None or not access.scope_of(user).reads_streets:
        raise Http404("没有找到这名人选")
    return found


@access.require(access.street_reader)
@require_http_methods(["GET", "POST"])
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = _candidate_for_reader(request.user, pk)
    community = candidate.election.community
    officer = access.can_manage_community(request.user, community)
    decider = cases.can_decide(request.user, candidate)
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "tipoff" and officer:
                dept_id = _int(request.POST.get("department"))
                department = Department.objects.filter(pk=dept_id).first() if dept_id else None
                cases.receive_tipoff(
                    candidate,
                    received_on=_date(request.POST.get("received_on")),
                    channel=request.POST.get("channel", ""),
                    content=request.POST.get("content", ""),
                    department=department,
                    actor=request.user,
                )
                messages.success(request, "已登记举报线索；核实办结前，此人不能通过资格联审")
            elif action == "close_tipoff" and officer:
                tip = TipOff.objects.filter(
                    pk=_int(request.POST.get("tip")), candidate=candidate
                ).first()
                if tip is None:
                    raise Http404("没有找到这条线索")
                cases.close_tipoff(
                    tip,
                    outcome=request.POST.get("outcome", ""),
                    note=request.POST.get("note", ""),
                    closed_on=_date(request.POST.get("closed_on")),
                    actor=request.user,
                )
                messages.success(request, "线索已办结")
            elif action == "persuade" and officer:
                _, replacement = cases.persuade(
                    candidate,
                    on=_date(request.POST.get("on")),
                    reason=request.POST.get("reason", ""),
                    actor=request.user,
                )
                messages.success(
                    request,
                    f"已记录劝退，{candidate.name}已退出"
                    + (f"；按提名得票顺序由{replacement}递补" if replacement else ""),
                )
            elif action == "decide" and decider:
                cases.decide(
                    candidate,
                    request.POST.get("kind", ""),
                    reason=request.POST.get("reason", ""),
                    actor=request.user,
                )
                messages.success(request, "已记录组织部认定")
            else:
                raise Http404("没有这个操作")
        except VettingError as exc:
            messages.error(request, exc.message)
            errors = exc.errors
        else:
            return redirect("vetting:candidate", pk=candidate.pk)
    state = vetting_of([candidate])[candidate.pk]
    return render(
        request,
        "vetting/candidate.html",
        {
            "candidate": candidate,
            "community": community,
            "state": state,
            "cells": [
                (state.departments[pk], cell)
                for pk, cell in sorted(state.cells.items(), key=lambda kv: kv[1].request.pk)
            ],
            "tips": list(
                TipOff.objects.filter(candidate=candidate)
                .select_related("department")
                .order_by("-received_on", "-pk")
            ),
            "decisions": list(
                Decision.objects.filter(candidate=candidate).select_related("decided_by")
            ),
            "officer": officer,
            "can_persuade": officer and candidate.status in cases.PERSUADABLE,
            "decider": decider,
            "channels": TipChannel.choices,
            "outcomes": [(v, label) for v, label in TipOutcome.choices if v != TipOutcome.OPEN],
            "kinds": DecisionKind.choices,
            "departments": list(
                Department.objects.filter(district_id=community.street.district_id)
            ),
            "today": timezone.localdate(),
            "errors": errors,
        },
    )


@access.require(access.any_role)
def negative_list(request: HttpRequest) -> HttpResponse:
    """The negative list each round checks against (versioned data, Q1)."""
    scope = access.scope_of(request.user)
    if not (scope.reads_streets or scope.reviewed_departments):
        raise Http404("没有找到这个页面")
    current = rounds.default_list()
    departments = dict(Department.objects.values_list("code", "name").distinct())
    items = [
        (i, [departments.get(code, code) for code in i.department_codes])
        for i in current.items.all()
    ]
    return render(request, "vetting/negative_list.html", {"list": current, "items": items})
