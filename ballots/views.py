"""Election-day pages: polling places, ballot rounds, tally entry (twice, blind), the
chair's comparison and confirmation, round results, and the help page of check codes.

Who does what: the community's committee (members and chair) and the street's officers
enter sheets; the chair (or a street officer) resolves differences, confirms sheets,
opens and closes rounds; supervisors and organisation reviewers read. Another
community's users get 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from ballots import checks, services
from ballots.models import (
    BallotRound,
    PlaceKind,
    PollingPlace,
    RoundKind,
    RoundStatus,
    SheetStatus,
    TallyEntry,
    TallySheet,
)
from ballots.services import NEXT_STEPS, VOID_GROUNDS, BallotsError
from candidates.models.choices import COMMITTEE_POSTS, Post
from elections import access
from elections.models import CommunityElection


def _election(request: HttpRequest, code: str) -> CommunityElection:
    return access.get_election_for_user(request.user, code)


def _can_enter(request: HttpRequest, election: CommunityElection) -> bool:
    return access.can_work_in_community(request.user, election.community)


def _is_chair(request: HttpRequest, election: CommunityElection) -> bool:
    return access.can_chair_community(request.user, election.community)


def _round(election: CommunityElection, pk: int) -> BallotRound:
    r = BallotRound.objects.filter(pk=pk, election=election).select_related("parent").first()
    if r is None:
        raise Http404("没有找到这一轮投票")
    r.election = election  # the same row, already read with its community and cycle
    return r


def _sheet(election: CommunityElection, pk: int) -> TallySheet:
    sheet = (
        TallySheet.objects.filter(pk=pk, round__election=election)
        .select_related("round", "place")
        .prefetch_related("round__candidates")  # the ballot's names, read once per page
        .first()
    )
    if sheet is None:
        raise Http404("没有找到这张计票单")
    sheet.round.election = election  # the same row, already read with its community and cycle
    return sheet


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _time(value: str) -> dt.time | None:
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        return None


@access.require(access.community_worker_or_reader)
@require_http_methods(["GET", "POST"])
def overview(request: HttpRequest, code: str) -> HttpResponse:
    election = _election(request, code)
    can_enter, is_chair = _can_enter(request, election), _is_chair(request, election)
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "place" and can_enter:
                place = services.add_place(
                    election,
                    kind=request.POST.get("kind", ""),
                    name=request.POST.get("name", ""),
                    place=request.POST.get("place", ""),
                    opens_at=_time(request.POST.get("opens_at", "")),
                    closes_at=_time(request.POST.get("closes_at", "")),
                    actor=request.user,
                )
                messages.success(request, f"已添加{place}")
            elif action == "formal" and is_chair:
                r = services.open_formal_round(
                    election, request.POST.get("post", ""), actor=request.user
                )
                messages.success(request, f"已开始{r.label}，每个投票点一张计票单")
                return redirect("ballots:round", code=code, pk=r.pk)
            else:
                raise Http404("没有找到")
        except BallotsError as exc:
            errors = exc.errors
            messages.error(request, exc.message)
        else:
            return redirect("ballots:overview", code=code)
    rounds = list(
        BallotRound.objects.filter(election=election).select_related("parent").order_by("number")
    )
    started = {r.post for r in rounds if r.kind == RoundKind.FORMAL}
    return render(
        request,
        "ballots/overview.html",
        {
            "election": election,
            "community": election.community,
            "places": list(PollingPlace.objects.filter(election=election)),
            "rounds": rounds,
            "posts": [(p, Post(p).label, p in started) for p in COMMITTEE_POSTS],
            "kinds": PlaceKind.choices,
            "can_enter": can_enter,
            "is_chair": is_chair,
            "can_read_archive": access.can_read_archive(request.user, election.community),
            "errors": errors,
            "form": request.POST if errors else {},
        },
    )


@access.require(access.community_worker_or_reader)
@require_http_methods(["GET", "POST"])
def round_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = _election(request, code)
    r = _round(election, pk)
    is_chair = _is_chair(request, election)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not is_chair:
            raise Http404("没有找到")
        action = request.POST.get("action", "")
        try:
            if action == "close":
                services.close_round(r, actor=request.user)
                messages.success(request, "已宣布本轮结果")
            elif action == "revote":
                new = services.open_revote(r, actor=request.user)
                return redirect("ballots:round", code=code, pk=new.pk)
            elif action == "runoff":
                held = _date(request.POST.get("held_on", ""))
                if held is None:
                    raise BallotsError("请填写另行选举日期", {"held_on": "请填写日期"})
                new = services.open_runoff(r, actor=request.user, held_on=held)
                return redirect("ballots:round", code=code, pk=new.pk)
            elif action == "void":
                services.declare_void(
                    r,
                    grounds=request.POST.getlist("grounds"),
                    note=request.POST.get("note", ""),
                    actor=request.user,
                )
                messages.success(request, "已宣布本轮投票无效，请安排重新选举")
            elif action == "rerun":
                held = _date(request.POST.get("held_on", ""))
                if held is None:
                    raise BallotsError("请填写重新选举日期", {"held_on": "请填写日期"})
                new = services.open_rerun(r, actor=request.user, held_on=held)
                return redirect("ballots:round", code=code, pk=new.pk)
            else:
                raise Http404("没有找到")
        except BallotsError as exc:
            errors = exc.errors
            messages.error(request, exc.message)
        else:
            return redirect("ballots:round", code=code, pk=pk)
        r = _round(election, pk)
    sheets = list(r.sheets.select_related("place", "confirmed_by").order_by("place_id"))
    entered: dict[int, set[int]] = {s.pk: set() for s in sheets}
    counts: dict[int, int] = dict.fromkeys(entered, 0)
    for sheet_id, user_id in TallyEntry.objects.filter(sheet__round=r, discarded=False).values_list(
        "sheet_id", "entered_by_id"
    ):
        entered[sheet_id].add(user_id)
        counts[sheet_id] += 1
    rows = [
        {
            "sheet": s,
            "entries": counts[s.pk],
            "mine": request.user.pk in entered[s.pk],
        }
        for s in sheets
    ]
    result = r.result or {}
    table = _result_rows(r)
    return render(
        request,
        "ballots/round.html",
        {
            "election": election,
            "community": election.community,
            "round": r,
            "candidates": list(r.candidates.all()),
            "rows": rows,
            "all_confirmed": bool(sheets)
            and all(s.status == SheetStatus.CONFIRMED for s in sheets),
            "result": result,
            "table": table,
            "next_zh": NEXT_STEPS.get(result.get("next", ""), ""),
            "followers": list(r.followers.all()),
            "void_grounds": VOID_GROUNDS,
            "void_labels": [dict(VOID_GROUNDS)[g] for g in r.void_grounds],
            "can_enter": _can_enter(request, election),
            "is_chair": is_chair,
            "open": r.status == RoundStatus.OPEN,
            "errors": errors,
        },
    )


def _entry_context(
    sheet: TallySheet,
    numbers: dict[str, Any] | None,
    field_errors: dict[str, str] | None = None,
    found: list[checks.Finding] | None = None,
) -> dict[str, Any]:
    """The form's rows in the paper sheet's order, each with its value, its input error
    and the checks that belong beside it."""
    keys = services.candidate_keys(sheet.round)
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
    while len(write_ins) < 5:
        write_ins.append(["", None])
    return {
        "fields": [row(f, label, numbers.get(f)) for f, label in checks.NUMBER_FIELDS],
        "votes": [row(f"votes-{k}", name, (numbers.get("votes") or {}).get(k)) for k, name in keys],
        "write_ins": [
            {**row(f"writein-{i}", f"第{i + 1}行另选人", value), "person": person, "index": i}
            for i, (person, value) in enumerate(write_ins)
        ],
        "sheet_level": by_field.get("", []),
    }


@access.require(access.community_worker_or_reader)
@require_http_methods(["GET", "POST"])
def enter_sheet(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Type a sheet from the paper (entry 1 or 2). Blind: the form is always empty at
    first; the other entry's numbers are never shown here."""
    election = _election(request, code)
    if not _can_enter(request, election):
        raise Http404("没有找到")
    sheet = _sheet(election, pk)
    keys = services.candidate_keys(sheet.round)
    numbers: dict[str, Any] | None = None
    field_errors: dict[str, str] = {}
    found: list[checks.Finding] = []
    if request.method == "POST":
        numbers, field_errors = services.parse_numbers(request.POST, keys)
        found = [] if field_errors else services.findings(sheet, numbers)
        if not field_errors and (not found or request.POST.get("checked") == "1"):
            try:
                entry = services.enter(sheet, numbers, actor=request.user)
            except BallotsError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    f"已保存{sheet.place.name}计票单的第{entry.slot}次录入"
                    + ("；请另一位工作人员进行第二次录入" if entry.slot == 1 else ""),
                )
                return redirect("ballots:round", code=code, pk=sheet.round_id)
    entries = services.active_entries(sheet)
    mine = any(e.entered_by_id == request.user.pk for e in entries.values())
    return render(
        request,
        "ballots/enter.html",
        {
            "election": election,
            "community": election.community,
            "sheet": sheet,
            "round": sheet.round,
            "slot": 1 if 1 not in entries else 2,
            "mine": mine,
            "closed": sheet.status != SheetStatus.ENTERING,
            "found": found,
            **_entry_context(sheet, numbers, field_errors, found),
        },
    )


@access.require(access.community_worker_or_reader)
@require_http_methods(["GET", "POST"])
def review_sheet(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The chair: both entries field by field when they differ (keep one or send one
    back), the checks and the confirmation when they match."""
    election = _election(request, code)
    if not _is_chair(request, election):
        raise Http404("没有找到")
    sheet = _sheet(election, pk)
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        version = request.POST.get("version", "")
        v = int(version) if version.isdigit() else None
        try:
            if action in ("keep-1", "keep-2"):
                services.keep_entry(sheet, int(action[-1]), actor=request.user, version=v)
                messages.success(request, f"已保留第{action[-1]}次录入")
            elif action in ("back-1", "back-2"):
                services.send_back(
                    sheet,
                    int(action[-1]),
                    reason=request.POST.get("reason", ""),
                    actor=request.user,
                    version=v,
                )
                messages.success(request, f"已退回第{action[-1]}次录入，请重新录入")
                return redirect("ballots:round", code=code, pk=sheet.round_id)
            elif action == "confirm":
                explanations = {
                    k[len("explain-") :]: str(val)
                    for k, val in request.POST.items()
                    if k.startswith("explain-")
                }
                services.confirm(sheet, explanations=explanations, actor=request.user, version=v)
                messages.success(request, f"已确认{sheet.place.name}计票单")
                return redirect("ballots:round", code=code, pk=sheet.round_id)
            else:
                raise Http404("没有找到")
        except BallotsError as exc:
            errors = exc.errors
            messages.error(request, exc.message)
        else:
            return redirect("ballots:review", code=code, pk=pk)
        sheet = _sheet(election, pk)
    keys = services.candidate_keys(sheet.round)
    entries = services.active_entries(sheet)
    diffs: list[tuple[str, Any, Any]] = []
    if sheet.status == SheetStatus.DIFFERENT and len(entries) == 2:
        diffs = checks.differences(entries[1].numbers, entries[2].numbers, candidates=keys)
    shown = sheet.chosen.numbers if sheet.chosen is not None else None
    found = services.findings(sheet, shown) if shown is not None else []
    return render(
        request,
        "ballots/review.html",
        {
            "election": election,
            "community": election.community,
            "sheet": sheet,
            "round": sheet.round,
            "entries": entries,
            "discarded": list(sheet.entries.filter(discarded=True).select_related("entered_by")),
            "diffs": diffs,
            "shown": shown,
            "numbers": _entry_context(sheet, shown) if shown is not None else None,
            "errors_found": checks.errors(found),
            "warnings_found": checks.warnings(found),
            "errors": errors,
            "posted": request.POST if request.method == "POST" else {},
        },
    )


@access.require(access.any_role)
def check_codes(request: HttpRequest) -> HttpResponse:
    return render(
        request, "ballots/checks.html", {"checks": (*checks.CHECKS, *checks.PARTY_CHECKS)}
    )


def _result_rows(r: BallotRound) -> list[tuple[str, int, bool, bool]]:
    result = r.result or {}
    labels = result.get("labels", {})
    return sorted(
        (
            (labels.get(k, k), v, k in result.get("elected", []), k in result.get("tied", []))
            for k, v in result.get("votes", {}).items()
        ),
        key=lambda row: (-row[1], row[0]),
    )


@access.require(access.street_reader)
def live(request: HttpRequest) -> HttpResponse:
    """Election night for the street: every community, each round's state and how many
    of its sheets are confirmed (reloads itself every 30 seconds)."""
    elections = list(
        access.visible_elections(request.user).order_by(
            "community__street__code", "community__code", "-cycle__term"
        )
    )
    by_election: dict[int, list[dict[str, Any]]] = {e.pk: [] for e in elections}
    rounds = list(
        BallotRound.objects.filter(election__in=elections)
        .annotate(
            n_sheets=Count("sheets", distinct=True),
            n_confirmed=Count(
                "sheets", filter=Q(sheets__status=SheetStatus.CONFIRMED), distinct=True
            ),
            n_different=Count(
                "sheets", filter=Q(sheets__status=SheetStatus.DIFFERENT), distinct=True
            ),
        )
        .order_by("election_id", "number")
    )
    for r in rounds:
        by_election[r.election_id].append(
            {
                "round": r,
                "sheets": r.n_sheets,
                "confirmed": r.n_confirmed,
                "different": r.n_different,
                "next_zh": NEXT_STEPS.get((r.result or {}).get("next", ""), ""),
            }
        )
    rows: list[dict[str, Any]] = [{"election": e, "rounds": by_election[e.pk]} for e in elections]
    reported = sum(
        1
        for e in elections
        if by_election[e.pk]
        and all(x["round"].status != RoundStatus.OPEN for x in by_election[e.pk])
    )
    return render(
        request,
        "ballots/live.html",
        {
            "rows": rows,
            "reported": reported,
        },
    )


@access.require(access.community_worker_or_reader)
def wall(request: HttpRequest, code: str) -> HttpResponse:
    """The results to project on the wall: every announced round, votes for everyone."""
    election = _election(request, code)
    rounds = list(
        BallotRound.objects.filter(election=election)
        .exclude(status=RoundStatus.OPEN)
        .order_by("number")
    )
    return render(
        request,
        "ballots/wall.html",
        {
            "election": election,
            "community": election.community,
            "rounds": [
                {
                    "round": r,
                    "table": _result_rows(r),
                    "next_zh": NEXT_STEPS.get((r.result or {}).get("next", ""), ""),
                    "void_labels": [dict(VOID_GROUNDS)[g] for g in r.void_grounds],
                }
                for r in rounds
            ],
            "open_rounds": BallotRound.objects.filter(
                election=election, status=RoundStatus.OPEN
            ).count(),
        },
    )


urlpatterns: list[URLPattern] = [
    path("c/<str:code>/ballots/", overview, name="overview"),
    path("c/<str:code>/ballots/wall/", wall, name="wall"),
    path("c/<str:code>/ballots/rounds/<int:pk>/", round_detail, name="round"),
    path("c/<str:code>/ballots/sheets/<int:pk>/enter/", enter_sheet, name="enter"),
    path("c/<str:code>/ballots/sheets/<int:pk>/review/", review_sheet, name="review"),
    path("ballots/checks/", check_codes, name="checks"),
    path("ballots/live/", live, name="live"),
]
