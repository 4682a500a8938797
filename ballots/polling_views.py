"""Pages of polling preparation: the polling places with their hours (added on the
overview page), polling staff (R8), the voters of each mobile box (R35), proxies
(委托投票, B6) and the printable 委托投票证.

The community's committee (members and chair) and the street's officers change them;
supervisors and organisation reviewers read; everyone else gets 404 (anonymous
visitors go to the login page), through `elections.access` like every other page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from ballots import proxies as proxy_svc
from ballots import staff as staff_svc
from ballots.models import PlaceKind, PollingPlace
from ballots.polling_models import MobileBoxVoter, PollingStaff, Proxy, ProxyStatus, StaffRole
from ballots.services import BallotsError
from ballots.staff import PollingError
from ballots.views import _date, _election
from electionlaw import latest_date_before
from elections import access
from elections.models import CommunityElection
from elections.registration.models import Voter


def _can_edit(request: HttpRequest, election: CommunityElection) -> bool:
    return access.can_work_in_community(request.user, election.community)


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0


def _place(election: CommunityElection, pk: int, field: str = "place") -> PollingPlace:
    place = PollingPlace.objects.filter(pk=pk, election=election).first()
    if place is None:
        raise PollingError("请选择投票点", {field: "请选择投票点"})
    return place


def _pick_voter(
    request: HttpRequest,
    election: CommunityElection,
    field: str,
    label: str,
    missing: str = "",
) -> tuple[Voter | None, list[Voter]]:
    """The voter typed into `field` (a name) or chosen among namesakes (`field_id`).
    Returns (voter, namesakes); raises PollingError when nobody of that name is on the
    roll (`missing`: what to tell beside the field then)."""
    chosen = _int(request.POST.get(f"{field}_id"))
    name = request.POST.get(field, "").strip()
    people = Voter.objects.filter(election=election).only(
        "pk", "election_id", "name", "group", "id_masked", "id_hash", "status", "rights_deprived"
    )
    if chosen:
        voter = people.filter(pk=chosen).first()
        if voter is not None and (not name or voter.name == name):
            return voter, []
    if not name:
        raise PollingError(f"请填写{label}的姓名", {field: f"请填写{label}的姓名"})
    found = list(people.filter(name=name).order_by("group", "pk")[:20])
    if not found:
        raise PollingError(
            f"本社区选民名册中没有“{name}”",
            {
                field: missing
                or f"本社区选民名册中没有“{name}”，{label}必须是本社区登记的选民（规则 B6）"
            },
        )
    if len(found) > 1:
        return None, found
    return found[0], []


def _namesakes_error(field: str, label: str) -> PollingError:
    return PollingError(
        f"名册中有几位同名的选民，请选择{label}是哪一位", {field: "请从下面选择是哪一位"}
    )


@access.require(access.community_worker_or_reader)
@require_http_methods(["GET", "POST"])
def proxies_page(request: HttpRequest, code: str) -> HttpResponse:
    election = _election(request, code)
    can_edit = _can_edit(request, election)
    errors: dict[str, str] = {}
    namesakes: dict[str, list[Voter]] = {}
    refused: list[str] = []
    if request.method == "POST":
        if not can_edit:
            raise Http404("没有找到")
        action = request.POST.get("action", "")
        try:
            if action == "add":
                principal, p_same = _pick_voter(request, election, "principal", "委托人")
                holder, h_same = _pick_voter(request, election, "holder", "受委托人")
                namesakes = {k: v for k, v in (("principal", p_same), ("holder", h_same)) if v}
                if principal is None or holder is None:
                    raise _namesakes_error(
                        "principal" if principal is None else "holder",
                        "委托人" if principal is None else "受委托人",
                    )
                proxy = proxy_svc.add_proxy(
                    election,
                    principal=principal,
                    holder=holder,
                    relation=request.POST.get("relation", ""),
                    note=request.POST.get("note", ""),
                    actor=request.user,
                )
                messages.success(
                    request, f"已办理{proxy.principal.name}委托{proxy.holder.name}投票"
                )
            elif action == "withdraw":
                found = (
                    Proxy.objects.filter(pk=_int(request.POST.get("proxy")), election=election)
                    .select_related("election__community")
                    .first()
                )
                if found is None:
                    raise Http404("没有找到")
                proxy_svc.withdraw_proxy(
                    found, reason=request.POST.get("reason", ""), actor=request.user
                )
                messages.success(request, "已撤回这项委托")
            else:
                raise Http404("没有找到")
        except BallotsError as exc:
            errors = exc.errors
            refused = [staff_svc.violation_text(v) for v in getattr(exc, "violations", ())]
            if not refused:
                messages.error(request, exc.message)
        else:
            return redirect("ballots:proxies", code=code)
    params = election.cycle.rule_profile.params()
    rows = list(
        Proxy.objects.filter(election=election)
        .select_related("principal", "holder")
        .order_by("status", "principal__group", "principal__name", "pk")
    )
    active = [p for p in rows if p.status == ProxyStatus.ACTIVE]
    counts: dict[int, int] = {}
    for p in active:
        counts[p.holder_id] = counts.get(p.holder_id, 0) + 1
    return render(
        request,
        "ballots/polling/proxies.html",
        {
            "election": election,
            "community": election.community,
            "active": active,
            "withdrawn": [p for p in rows if p.status != ProxyStatus.ACTIVE],
            "counts": counts,
            "params": params,
            "any_voter": params.proxy_relation_set == "any_voter",
            "deadline": latest_date_before(
                election.election_day,
                params.proxy_request_days_before,
                clear_days=params.clear_days_mode,
            ),
            "relations": proxy_svc.relation_choices(),
            "can_edit": can_edit,
            "errors": errors,
            "refused": refused,
            "namesakes": namesakes,
            "form": request.POST if errors else {},
        },
    )


@access.require(access.community_worker_or_reader)
@require_http_methods(["GET"])
def proxy_form(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """委托投票证: the printed form the holder brings to the polling place."""
    election = _election(request, code)
    proxy = (
        Proxy.objects.filter(pk=pk, election=election).select_related("principal", "holder").first()
    )
    if proxy is None:
        raise Http404("没有找到这项委托")
    context: dict[str, Any] = {
        "election": election,
        "community": election.community,
        "proxy": proxy,
        "params": election.cycle.rule_profile.params(),
    }
    return render(request, "ballots/polling/proxy_form.html", context)


def _places(election: CommunityElection) -> list[PollingPlace]:
    return list(PollingPlace.objects.filter(election=election).order_by("id"))


@access.require(access.community_worker_or_reader)
@require_http_methods(["GET"])
def places_page(request: HttpRequest, code: str) -> HttpResponse:
    """The polling places with their hours, how many staff each has and how many voters
    use each mobile box. Places are added on the overview page (one form, not two)."""
    election = _election(request, code)
    places = _places(election)
    staff = staff_svc.staff_by_place(election)
    mobile: dict[int, int] = {}
    for place_id in MobileBoxVoter.objects.filter(election=election).values_list(
        "place_id", flat=True
    ):
        mobile[place_id] = mobile.get(place_id, 0) + 1
    rows = [
        {
            "place": p,
            "staff": len(staff.get(p.pk, [])),
            "monitors": sum(1 for s in staff.get(p.pk, []) if s.role == StaffRole.MONITOR),
            "mobile": mobile.get(p.pk, 0) if p.kind == PlaceKind.MOBILE else None,
        }
        for p in places
    ]
    return render(
        request,
        "ballots/polling/places.html",
        {
            "election": election,
            "community": election.community,
            "rows": rows,
            "can_edit": _can_edit(request, election),
            "params": election.cycle.rule_profile.params(),
        },
    )


def _failure(request: HttpRequest, exc: BallotsError) -> dict[str, str]:
    """A refused change: its message at the top (unless the rules it broke are listed
    there already) and its field messages for the form."""
    if not getattr(exc, "violations", ()):
        messages.error(request, exc.message)
    return dict(exc.errors)


@access.require(access.community_worker_or_reader)
@require_http_methods(["GET", "POST"])
def staff_page(request: HttpRequest, code: str) -> HttpResponse:
    """Polling staff per place and role (R8: no candidate nor a candidate's near
    relative), with what must be fixed before the round opens shown first."""
    election = _election(request, code)
    can_edit = _can_edit(request, election)
    errors: dict[str, str] = {}
    namesakes: list[Voter] = []
    refused: list[str] = []
    removing: tuple[int, str] | None = None
    if request.method == "POST":
        if not can_edit:
            raise Http404("没有找到")
        action = request.POST.get("action", "")
        try:
            if action == "add":
                place = _place(election, _int(request.POST.get("place")))
                voter: Voter | None = None
                if not request.POST.get("outside"):
                    voter, namesakes = _pick_voter(
                        request,
                        election,
                        "name",
                        "工作人员",
                        missing=(
                            f"本社区选民名册中没有“{request.POST.get('name', '').strip()}”；"
                            "不在名册中的人员请勾选“名册外人员”并填写单位"
                        ),
                    )
                    if voter is None:
                        raise _namesakes_error("name", "工作人员")
                added = staff_svc.add_staff(
                    place,
                    role=request.POST.get("role", ""),
                    voter=voter,
                    name=request.POST.get("name", ""),
                    note=request.POST.get("note", ""),
                    actor=request.user,
                )
                messages.success(
                    request, f"已安排{added.name}担任{place.name}的{added.get_role_display()}"
                )
            elif action == "remove":
                pk = _int(request.POST.get("staff"))
                found = (
                    PollingStaff.objects.filter(pk=pk, place__election=election)
                    .select_related("place__election__community")
                    .first()
                )
                if found is None:
                    messages.info(request, "没有找到这名人员，可能已经撤换过了")
                    return redirect("ballots:staff", code=code)
                try:
                    staff_svc.remove_staff(
                        found, reason=request.POST.get("reason", ""), actor=request.user
                    )
                except PollingError as exc:
                    if "reason" in exc.errors:
                        removing = (pk, exc.errors["reason"])
                    raise
                messages.success(request, f"已撤换{found.place.name}的{found.name}")
            else:
                raise Http404("没有找到")
        except BallotsError as exc:
            errors = _failure(request, exc)
            refused = [staff_svc.violation_text(v) for v in getattr(exc, "violations", ())]
            if removing is not None:
                errors = {}
        else:
            return redirect("ballots:staff", code=code)
    places = _places(election)
    by_place = staff_svc.staff_by_place(election)
    roles = StaffRole.choices
    blocks = [
        {
            "place": p,
            "count": len(by_place.get(p.pk, [])),
            "roles": [
                (label, [s for s in by_place.get(p.pk, []) if s.role == value])
                for value, label in roles
            ],
        }
        for p in places
    ]
    params = election.cycle.rule_profile.params()
    return render(
        request,
        "ballots/polling/staff.html",
        {
            "election": election,
            "community": election.community,
            "blocks": blocks,
            "places": places,
            "roles": roles,
            "problems": staff_svc.staff_findings(election),
            "min_monitors": params.mobile_box_min_monitors,
            "can_edit": can_edit,
            "errors": errors,
            "refused": refused,
            "namesakes": namesakes,
            "removing": removing,
            "form": request.POST if errors else {},
        },
    )


@access.require(access.community_worker_or_reader)
@require_http_methods(["GET", "POST"])
def mobile_page(request: HttpRequest, code: str) -> HttpResponse:
    """The voters of each mobile box (R35), each with the approval the profile requires
    (who approved, when, the document or minutes)."""
    election = _election(request, code)
    can_edit = _can_edit(request, election)
    errors: dict[str, str] = {}
    namesakes: list[Voter] = []
    removing: tuple[int, str] | None = None
    if request.method == "POST":
        if not can_edit:
            raise Http404("没有找到")
        action = request.POST.get("action", "")
        try:
            if action == "add":
                place = _place(election, _int(request.POST.get("place")))
                voter, namesakes = _pick_voter(
                    request,
                    election,
                    "name",
                    "使用流动票箱的选民",
                    missing=(
                        f"本社区选民名册中没有“{request.POST.get('name', '').strip()}”，"
                        "只有本社区登记的选民才能使用流动票箱（规则 R35）"
                    ),
                )
                if voter is None:
                    raise _namesakes_error("name", "这位选民")
                entry = staff_svc.add_mobile_voter(
                    place,
                    voter,
                    approved_by=request.POST.get("approved_by", ""),
                    approved_on=_date(request.POST.get("approved_on", "")),
                    document=request.POST.get("document", ""),
                    reason=request.POST.get("reason", ""),
                    actor=request.user,
                )
                messages.success(request, f"已登记{voter.name}使用流动票箱“{entry.place.name}”")
            elif action == "remove":
                pk = _int(request.POST.get("entry"))
                found = (
                    MobileBoxVoter.objects.filter(pk=pk, election=election)
                    .select_related("place", "voter", "election__community")
                    .first()
                )
                if found is None:
                    messages.info(request, "没有找到这位选民，可能已经移出过了")
                    return redirect("ballots:mobile", code=code)
                try:
                    staff_svc.remove_mobile_voter(
                        found, reason=request.POST.get("reason", ""), actor=request.user
                    )
                except PollingError as exc:
                    if "reason" in exc.errors:
                        removing = (pk, exc.errors["reason"])
                    raise
                messages.success(request, f"已将{found.voter.name}移出流动票箱“{found.place.name}”")
            else:
                raise Http404("没有找到")
        except BallotsError as exc:
            errors = _failure(request, exc)
            if removing is not None:
                errors = {}
        else:
            return redirect("ballots:mobile", code=code)
    boxes = [p for p in _places(election) if p.kind == PlaceKind.MOBILE]
    entries = list(
        MobileBoxVoter.objects.filter(election=election)
        .select_related("voter")
        .order_by("voter__group", "voter__name", "pk")
    )
    monitors: dict[int, int] = {}
    for place_id in PollingStaff.objects.filter(
        place__election=election, role=StaffRole.MONITOR
    ).values_list("place_id", flat=True):
        monitors[place_id] = monitors.get(place_id, 0) + 1
    params = election.cycle.rule_profile.params()
    return render(
        request,
        "ballots/polling/mobile.html",
        {
            "election": election,
            "community": election.community,
            "boxes": [
                {
                    "place": b,
                    "entries": [e for e in entries if e.place_id == b.pk],
                    "monitors": monitors.get(b.pk, 0),
                }
                for b in boxes
            ],
            "approver": staff_svc.approver_label(election),
            "min_monitors": params.mobile_box_min_monitors,
            "can_edit": can_edit,
            "errors": errors,
            "namesakes": namesakes,
            "removing": removing,
            "form": request.POST if errors else {},
        },
    )


urlpatterns: list[URLPattern] = [
    path("c/<str:code>/ballots/places/", places_page, name="places"),
    path("c/<str:code>/ballots/staff/", staff_page, name="staff"),
    path("c/<str:code>/ballots/mobile/", mobile_page, name="mobile"),
    path("c/<str:code>/ballots/proxies/", proxies_page, name="proxies"),
    path("c/<str:code>/ballots/proxies/<int:pk>/form/", proxy_form, name="proxy_form"),
]
