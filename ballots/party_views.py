"""The party track's election-day pages (issue 11 item 6): the 党员大会 (到会 and
quorum, the 组织部 decision at exactly four fifths), the party rounds of the 委员
(double entry, comparison, confirmation, result and the next step), the 书记 / 副书记
with their approval, and the 选举结果报告 (page and PDF).

Readers: street officers, supervisors, organisation reviewers and the community's
committee. Changes (including typing the sheets): the community's committee chair or a
street officer. Anyone else, another community's users included: 404. No proxies in
party elections (P4): none of these pages offers one.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ballots import checks, party
from ballots.models import (
    AssemblyStatus,
    PartyAssembly,
    PartyLeadership,
    PartyRound,
    PartyRoundStatus,
    PartySheetStatus,
)
from ballots.services import BallotsError, params_of
from ballots.views import _date, _election
from ballots.views import _is_chair as _can_change
from candidates.services import party as roll
from elections import access
from elections.models import CommunityElection


def _round(election: CommunityElection, pk: int) -> PartyRound:
    r = (
        PartyRound.objects.filter(pk=pk, election=election)
        .select_related("assembly", "parent", "election__community__street", "election__cycle")
        .first()
    )
    if r is None:
        raise Http404("没有找到这一轮投票")
    return r


def _int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and value.isascii() and len(value) < 7 else None


def _base(request: HttpRequest, election: CommunityElection) -> dict[str, Any]:
    return {
        "election": election,
        "community": election.community,
        "can_change": _can_change(request, election),
    }


@access.require(access.community_worker_or_reader)
@require_http_methods(["GET", "POST"])
def overview(request: HttpRequest, code: str) -> HttpResponse:
    election = _election(request, code)
    can_change = _can_change(request, election)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not can_change:
            raise Http404("没有找到")
        action = request.POST.get("action", "")
        try:
            if action == "assembly":
                raw = request.POST.get("present", "")
                present = _int(raw)
                if raw.strip() and present is None:
                    raise BallotsError("没有保存", {"present": "实到会人数请填写0或正整数"})
                a = party.record_assembly(
                    election,
                    held_on=_date(request.POST.get("held_on", "")),
                    present=present,
                    actor=request.user,
                )
                messages.success(request, f"已登记{a}：{a.get_status_display()}")
            elif action == "decision":
                found = PartyAssembly.objects.filter(
                    election=election, pk=_int(request.POST.get("assembly", "")) or 0
                ).first()
                if found is None:
                    raise Http404("没有找到")
                allowed = {"yes": True, "no": False}.get(request.POST.get("allowed", ""))
                a = party.record_org_decision(
                    found,
                    decided_by=request.POST.get("decided_by", ""),
                    doc_no=request.POST.get("doc_no", ""),
                    allowed=allowed,
                    note=request.POST.get("note", ""),
                    actor=request.user,
                )
                messages.success(request, f"已登记组织部决定：{a.get_status_display()}")
            elif action == "formal":
                r = party.open_formal_round(election, actor=request.user)
                messages.success(request, f"已开始{r.label}，请发放选票")
                return redirect("ballots:party_round", code=code, pk=r.pk)
            else:
                raise Http404("没有找到")
        except BallotsError as exc:
            errors = exc.errors
            messages.error(request, exc.message)
        else:
            return redirect("ballots:party", code=code)
    assemblies = list(PartyAssembly.objects.filter(election=election).order_by("number"))
    standing = party.current_assembly(election)
    breakdown = roll.breakdown(election)
    return render(
        request,
        "ballots/party/overview.html",
        {
            **_base(request, election),
            "assemblies": assemblies,
            "standing": standing,
            "numbers": breakdown.numbers,
            "inclusive": params_of(election).party_quorum_inclusive,
            "rounds": list(PartyRound.objects.filter(election=election).order_by("number")),
            "state": party.committee_state(election),
            "seats": party.committee_seats(election),
            "people": party.formal_candidates(election),
            "leadership": PartyLeadership.objects.filter(election=election).first(),
            "blockers": party.party_blockers(election),
            "can_open": standing is not None
            and standing.status == AssemblyStatus.QUORUM
            and not PartyRound.objects.filter(election=election).exists(),
            "errors": errors,
            "form": request.POST if errors else {},
            "today": timezone.localdate().isoformat(),
        },
    )


@access.require(access.community_worker_or_reader)
@require_http_methods(["GET", "POST"])
def round_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = _election(request, code)
    r = _round(election, pk)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not _can_change(request, election):
            raise Http404("没有找到")
        action = request.POST.get("action", "")
        try:
            if action == "close":
                party.close_round(r, actor=request.user)
                messages.success(request, "已宣布本轮结果")
            elif action in ("revote", "runoff", "rerun"):
                opener = {
                    "revote": party.open_revote,
                    "runoff": party.open_runoff,
                    "rerun": party.open_rerun,
                }[action]
                new = opener(r, actor=request.user)
                messages.success(request, f"已开始{new.label}")
                return redirect("ballots:party_round", code=code, pk=new.pk)
            elif action == "reduce":
                raw = request.POST.get("consenting", "")
                consenting = _int(raw)
                if raw.strip() and consenting is None:
                    raise BallotsError("没有保存", {"consenting": "同意人数请填写0或正整数"})
                party.reduce_seats(
                    r, consenting=consenting, note=request.POST.get("note", ""), actor=request.user
                )
                messages.success(request, "已登记减少名额，不再另行选举")
            else:
                raise Http404("没有找到")
        except BallotsError as exc:
            errors = exc.errors
            messages.error(request, exc.message)
        else:
            return redirect("ballots:party_round", code=code, pk=pk)
        r = _round(election, pk)
    result = r.result or {}
    labels = result.get("labels", {})
    table = sorted(
        (
            (labels.get(k, k), v, k in result.get("elected", []), k in result.get("tied", []))
            for k, v in result.get("votes", {}).items()
        ),
        key=lambda row: (-row[1], row[0]),
    )
    entries = party.active_entries(r)
    return render(
        request,
        "ballots/party/round.html",
        {
            **_base(request, election),
            "round": r,
            "candidates": list(r.candidates.all()),
            "entries": len(entries),
            "mine": any(e.entered_by_id == request.user.pk for e in entries.values()),
            "result": result,
            "table": table,
            "next_zh": party.NEXT_STEPS.get(result.get("next", ""), ""),
            "followers": list(r.followers.all()),
            "reduction": getattr(r, "reduction", None),
            "open": r.status == PartyRoundStatus.OPEN,
            "errors": errors,
            "form": request.POST if errors else {},
        },
    )


def _entry_context(
    r: PartyRound,
    numbers: dict[str, Any] | None,
    field_errors: dict[str, str] | None = None,
    found: list[checks.Finding] | None = None,
) -> dict[str, Any]:
    numbers = numbers or {}
    field_errors = field_errors or {}
    by_field: dict[str, list[checks.Finding]] = {}
    for f in found or []:
        by_field.setdefault(f.field, []).append(f)

    def row(name: str, label: str, value: Any) -> dict[str, Any]:
        return {
            "name": name,
            "label": label,
            "value": value,
            "error": field_errors.get(name, ""),
            "findings": by_field.get(name, []),
        }

    write_ins = list(numbers.get("write_ins") or [])
    if party.allows_write_ins(r):
        while len(write_ins) < r.seats:
            write_ins.append(["", None])
    return {
        "fields": [row(f, label, numbers.get(f)) for f, label in checks.PARTY_NUMBER_FIELDS],
        "votes": [
            row(f"votes-{k}", name, (numbers.get("votes") or {}).get(k))
            for k, name in party.candidate_keys(r)
        ],
        "write_ins": [
            {**row(f"writein-{i}", f"第{i + 1}行另选人", value), "person": person, "index": i}
            for i, (person, value) in enumerate(write_ins)
        ],
        "sheet_level": by_field.get("", []),
    }


@access.require(access.community_worker_or_reader)
@require_http_methods(["GET", "POST"])
def enter_sheet(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Type the round's sheet (entry 1 or 2), blind to the other entry."""
    election = _election(request, code)
    if not _can_change(request, election):
        raise Http404("没有找到")
    r = _round(election, pk)
    numbers: dict[str, Any] | None = None
    field_errors: dict[str, str] = {}
    found: list[checks.Finding] = []
    if request.method == "POST" and r.status == PartyRoundStatus.OPEN:
        numbers, field_errors = party.parse_numbers(request.POST, r)
        found = [] if field_errors else party.findings(r, numbers)
        if not field_errors and (not found or request.POST.get("checked") == "1"):
            try:
                entry = party.enter(r, numbers, actor=request.user)
            except BallotsError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    f"已保存计票单的第{entry.slot}次录入"
                    + ("；请另一位工作人员进行第二次录入" if entry.slot == 1 else ""),
                )
                return redirect("ballots:party_round", code=code, pk=r.pk)
    entries = party.active_entries(r)
    return render(
        request,
        "ballots/party/enter.html",
        {
            **_base(request, election),
            "round": r,
            "slot": 1 if 1 not in entries else 2,
            "mine": any(e.entered_by_id == request.user.pk for e in entries.values()),
            "closed": r.status != PartyRoundStatus.OPEN
            or r.sheet_status != PartySheetStatus.ENTERING,
            "found": found,
            "write_ins_allowed": party.allows_write_ins(r),
            **_entry_context(r, numbers, field_errors, found),
        },
    )


def _differences(r: PartyRound, a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    out: list[tuple[str, Any, Any]] = []
    for field, label in checks.PARTY_NUMBER_FIELDS:
        if a.get(field) != b.get(field):
            out.append((label, a.get(field), b.get(field)))
    for key, name in party.candidate_keys(r):
        va, vb = (a.get("votes") or {}).get(key), (b.get("votes") or {}).get(key)
        if va != vb:
            out.append((f"{name} 赞成票", va, vb))
    wa = {str(n): v for n, v in a.get("write_ins") or []}
    wb = {str(n): v for n, v in b.get("write_ins") or []}
    for name in sorted(set(wa) | set(wb)):
        if wa.get(name) != wb.get(name):
            out.append(
                (
                    f"另选 {name} 赞成票",
                    wa.get(name, "（没有这一行）"),
                    wb.get(name, "（没有这一行）"),
                )
            )
    return out


@access.require(access.community_worker_or_reader)
@require_http_methods(["GET", "POST"])
def review_sheet(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = _election(request, code)
    if not _can_change(request, election):
        raise Http404("没有找到")
    r = _round(election, pk)
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        version = request.POST.get("version", "")
        v = int(version) if version.isdigit() else None
        try:
            if action in ("keep-1", "keep-2"):
                party.keep_entry(r, int(action[-1]), actor=request.user, version=v)
                messages.success(request, f"已保留第{action[-1]}次录入")
            elif action in ("back-1", "back-2"):
                party.send_back(
                    r,
                    int(action[-1]),
                    reason=request.POST.get("reason", ""),
                    actor=request.user,
                    version=v,
                )
                messages.success(request, f"已退回第{action[-1]}次录入，请重新录入")
                return redirect("ballots:party_round", code=code, pk=r.pk)
            elif action == "confirm":
                explanations = {
                    k[len("explain-") :]: str(val)
                    for k, val in request.POST.items()
                    if k.startswith("explain-")
                }
                party.confirm(r, explanations=explanations, actor=request.user, version=v)
                messages.success(request, "已确认计票单，可以宣布本轮结果")
                return redirect("ballots:party_round", code=code, pk=r.pk)
            else:
                raise Http404("没有找到")
        except BallotsError as exc:
            errors = exc.errors
            messages.error(request, exc.message)
        else:
            return redirect("ballots:party_review", code=code, pk=pk)
        r = _round(election, pk)
    entries = party.active_entries(r)
    diffs: list[tuple[str, Any, Any]] = []
    if r.sheet_status == PartySheetStatus.DIFFERENT and len(entries) == 2:
        diffs = _differences(r, entries[1].numbers, entries[2].numbers)
    shown = r.chosen.numbers if r.chosen is not None else None
    found = party.findings(r, shown) if shown is not None else []
    return render(
        request,
        "ballots/party/review.html",
        {
            **_base(request, election),
            "round": r,
            "entries": entries,
            "discarded": list(r.entries.filter(discarded=True).select_related("entered_by")),
            "diffs": diffs,
            "numbers": _entry_context(r, shown) if shown is not None else None,
            "errors_found": checks.errors(found),
            "warnings_found": checks.warnings(found),
            "errors": errors,
            "posted": request.POST if request.method == "POST" else {},
        },
    )


@access.require(access.community_worker_or_reader)
@require_http_methods(["GET", "POST"])
def leadership(request: HttpRequest, code: str) -> HttpResponse:
    """P14: the 书记 and 副书记 and the 上级党组织's approval."""
    election = _election(request, code)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not _can_change(request, election):
            raise Http404("没有找到")
        try:
            typed = {
                f: request.POST.get(f, "").strip() for f in ("members_present", "secretary_votes")
            }
            bad = {
                f: "请填写0或正整数，或者不填" for f, v in typed.items() if v and _int(v) is None
            }
            if bad:
                raise BallotsError("没有保存，请改正标红的内容", bad)
            party.record_leadership(
                election,
                meeting_date=_date(request.POST.get("meeting_date", "")),
                members_present=_int(typed["members_present"]),
                secretary=request.POST.get("secretary", ""),
                secretary_votes=_int(typed["secretary_votes"]),
                deputies=request.POST.getlist("deputies"),
                approved_by=request.POST.get("approved_by", ""),
                approval_date=_date(request.POST.get("approval_date", "")),
                approval_doc_no=request.POST.get("approval_doc_no", ""),
                actor=request.user,
            )
        except BallotsError as exc:
            errors = exc.errors
            messages.error(request, exc.message)
        else:
            messages.success(request, "已登记书记、副书记和上级党组织的批准")
            return redirect("ballots:party_leadership", code=code)
    mode = party.leadership_mode(election)
    state = party.committee_state(election)
    if mode == "committee":
        pool = [e.name for e in state.elected]
    else:
        pool = [c.name for c in party.formal_candidates(election)]
    return render(
        request,
        "ballots/party/leadership.html",
        {
            **_base(request, election),
            "mode": mode,
            "state": state,
            "pool": pool,
            "leadership": PartyLeadership.objects.filter(election=election).first(),
            "errors": errors,
            "form": request.POST if errors else {},
            "chosen_deputies": request.POST.getlist("deputies") if errors else [],
        },
    )


@access.require(access.community_worker_or_reader)
def report_page(request: HttpRequest, code: str) -> HttpResponse:
    election = _election(request, code)
    return render(request, "ballots/party/report.html", party.report(election))


@access.require(access.community_worker_or_reader)
def report_pdf(request: HttpRequest, code: str) -> HttpResponse:
    election = _election(request, code)
    response = HttpResponse(party.report_pdf(election), content_type="application/pdf")
    response["Content-Disposition"] = (
        f"inline; filename*=UTF-8''{election.community.code}-party-report.pdf"
    )
    return response


urlpatterns: list[URLPattern] = [
    path("c/<str:code>/ballots/party/", overview, name="party"),
    path("c/<str:code>/ballots/party/rounds/<int:pk>/", round_detail, name="party_round"),
    path("c/<str:code>/ballots/party/rounds/<int:pk>/enter/", enter_sheet, name="party_enter"),
    path("c/<str:code>/ballots/party/rounds/<int:pk>/review/", review_sheet, name="party_review"),
    path("c/<str:code>/ballots/party/leadership/", leadership, name="party_leadership"),
    path("c/<str:code>/ballots/party/report/", report_page, name="party_report"),
    path("c/<str:code>/ballots/party/report.pdf", report_pdf, name="party_report_pdf"),
]
