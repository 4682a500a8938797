"""Pages of the objections to the voter list (选民名单申诉, RULES.md R13, §9 N4).

Readers of the roll (street officer, supervisor, organisation reviewer, the
community's committee) see the objections and the N4 results; only editors of the
roll (the committee and the street officer) record and decide them: a POST from
anyone else is answered 404 by `access.get_roll_for_editor`."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone

from elections import access
from elections.formatting import cn_date
from elections.registration.models import ObjectionKind, ObjectionStatus
from elections.registration.objection_forms import (
    CorrectionForm,
    DecideObjectionForm,
    NewVoterForm,
    RecordObjectionForm,
)
from elections.registration.objections import (
    added_voters,
    decide_objection,
    objection_results,
    objection_row,
    objection_rows,
    objection_window,
    pending_count,
    record_objection,
    registered_voter_count,
)
from elections.registration.services import VoterError


def _today() -> dt.date:
    return timezone.localdate()


@access.require(access.community_worker_or_reader)
def objection_list(request: HttpRequest, code: str) -> HttpResponse:
    today = _today()
    if request.method == "POST":
        election = access.get_roll_for_editor(request.user, code)
        form = RecordObjectionForm(request.POST, election=election)
        if form.is_valid():
            data = form.cleaned_data
            try:
                objection = record_objection(
                    election,
                    complainant_name=data["complainant_name"],
                    complainant_phone=data["complainant_phone"],
                    kind=data["kind"],
                    subject_voter=data["subject_voter"],
                    subject_name=data["subject_name"],
                    description=data["description"],
                    received_on=data["received_on"],
                    actor=request.user,
                )
            except VoterError as exc:
                if exc.message not in form.apply_errors(exc.errors):  # each message once
                    messages.error(request, exc.message)
            else:
                window = objection_window(election)
                if window is not None and window.received_late(objection.received_on):
                    messages.warning(
                        request,
                        f"已登记申诉（编号 {objection.pk}）。收到日期晚于申诉期最后一天"
                        f"（{cn_date(window.last_day)}），已标为逾期（规则 R13）。",
                    )
                else:
                    messages.success(request, f"已登记申诉（编号 {objection.pk}）。")
                return redirect("objection_detail", code=code, pk=objection.pk)
    else:
        election = access.get_roll_for_reader(request.user, code)
        form = RecordObjectionForm(election=election, initial={"received_on": today})
        voter_pk = request.GET.get("voter", "")
        if voter_pk.isdigit():
            form.prefill_voter(int(voter_pk))
    can_edit = access.can_edit_roll(request.user, election.community)
    window = objection_window(election)
    rows = objection_rows(election, window, today)
    return render(
        request,
        "registration/objections/list.html",
        {
            "election": election,
            "community": election.community,
            "window": window,
            "window_days_left": window.days_left(today) if window else None,
            "window_not_open": window.not_yet_open(today) if window else False,
            "rows": rows,
            "pending": sum(1 for r in rows if r.objection.status == ObjectionStatus.PENDING),
            "form": form if can_edit else None,
            "can_edit": can_edit,
            "today": today,
        },
    )


@access.require(access.community_worker_or_reader)
def objection_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    today = _today()
    posted = request.method == "POST"
    if posted:
        election = access.get_roll_for_editor(request.user, code)
    else:
        election = access.get_roll_for_reader(request.user, code)
    objection = access.get_objection_for_election(election, pk)
    can_edit = access.can_edit_roll(request.user, election.community)
    pending = objection.status == ObjectionStatus.PENDING
    subject = objection.subject_voter
    omission = objection.kind == ObjectionKind.OMISSION
    wrong_entry = objection.kind == ObjectionKind.WRONG_ENTRY

    if posted:
        form = DecideObjectionForm(request.POST)
        accepted = form.accepted
        voter_form = (
            NewVoterForm(request.POST, prefix="voter", active=accepted) if omission else None
        )
        fix_form = (
            CorrectionForm(request.POST, prefix="fix", voter=subject, active=accepted)
            if wrong_entry
            else None
        )
        subforms_ok = all(f.is_valid() for f in (voter_form, fix_form) if f is not None)
        if form.is_valid() and subforms_ok:
            try:
                decide_objection(
                    objection,
                    accepted=accepted,
                    reason=form.cleaned_data["reason"],
                    decided_on=form.cleaned_data["decided_on"],
                    actor=request.user,
                    voter_data=voter_form.voter_data() if voter_form and accepted else None,
                    corrections=fix_form.corrections() if fix_form and accepted else None,
                )
            except VoterError as exc:
                placed = form.apply_errors(exc.errors)  # each message once on the page
                for sub in (voter_form, fix_form):
                    if sub is not None and accepted:
                        sub.apply_errors(exc.errors, placed=placed)
                if exc.message not in placed:
                    messages.error(request, exc.message)
                objection.refresh_from_db()
                if objection.status != ObjectionStatus.PENDING:
                    return redirect("objection_detail", code=code, pk=objection.pk)
            else:
                messages.success(request, "已记录处理决定。")
                return redirect("objection_detail", code=code, pk=objection.pk)
        else:
            messages.error(request, "请改正标出的内容后再保存。")
    else:
        form = DecideObjectionForm(initial={"decided_on": today})
        voter_form = (
            NewVoterForm(prefix="voter", initial={"name": objection.subject_name})
            if omission
            else None
        )
        fix_form = CorrectionForm(prefix="fix", voter=subject) if wrong_entry else None

    window = objection_window(election)
    row = objection_row(objection, window, today) if window is not None else None
    return render(
        request,
        "registration/objections/detail.html",
        {
            "election": election,
            "community": election.community,
            "objection": objection,
            "subject": subject,
            "row": row,
            "window": window,
            "pending": pending,
            "can_decide": can_edit and pending,
            "form": form,
            "voter_form": voter_form,
            "fix_form": fix_form,
            "added_voters": added_voters(objection),
            "today": today,
        },
    )


@access.require(access.community_worker_or_reader)
def objection_results_page(request: HttpRequest, code: str) -> HttpResponse:
    election = access.get_roll_for_reader(request.user, code)
    return render(
        request,
        "registration/objections/results.html",
        {
            "election": election,
            "community": election.community,
            "results": objection_results(election),
            "registered": registered_voter_count(election),
            "pending": pending_count(election),
            "window": objection_window(election),
            "today": _today(),
        },
    )


urlpatterns: list[URLPattern] = [
    path("c/<str:code>/objections/", objection_list, name="objections"),
    path(
        "c/<str:code>/objections/results/",
        objection_results_page,
        name="objection_results",
    ),
    path("c/<str:code>/objections/<int:pk>/", objection_detail, name="objection_detail"),
]
