"""Pages of proxies (委托投票, B6) and the printable 委托投票证 (polling staff and
mobile-box voters have services in ballots.staff; their pages are still to come).

The community's committee (members and chair) and the street's officers change them;
supervisors and organisation reviewers read; everyone else gets 404 (anonymous
visitors go to the login page), through `elections.access` like every other page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from ballots import proxies as proxy_svc
from ballots import staff as staff_svc
from ballots.models import PollingPlace
from ballots.polling_models import Proxy, ProxyStatus
from ballots.staff import PollingError
from electionlaw import latest_date_before
from elections import access
from elections.models import CommunityElection
from elections.registration.models import Voter


def _election(request: HttpRequest, code: str) -> CommunityElection:
    return access.get_election_for_user(request.user, code)


def _can_edit(request: HttpRequest, election: CommunityElection) -> bool:
    return access.can_work_in_community(request.user, election.community)


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _place(election: CommunityElection, pk: int, field: str = "place") -> PollingPlace:
    place = PollingPlace.objects.filter(pk=pk, election=election).first()
    if place is None:
        raise PollingError("请选择投票点", {field: "请选择投票点"})
    return place


def _pick_voter(
    request: HttpRequest, election: CommunityElection, field: str, label: str
) -> tuple[Voter | None, list[Voter]]:
    """The voter typed into `field` (a name) or chosen among namesakes (`field_id`).
    Returns (voter, namesakes); raises PollingError when nobody of that name is on the
    roll."""
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
            {field: f"本社区选民名册中没有“{name}”，{label}必须是本社区登记的选民（规则 B6）"},
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
        except PollingError as exc:
            errors = exc.errors
            refused = [staff_svc.violation_text(v) for v in exc.violations]
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


urlpatterns: list[URLPattern] = [
    path("c/<str:code>/ballots/proxies/", proxies_page, name="proxies"),
    path("c/<str:code>/ballots/proxies/<int:pk>/form/", proxy_form, name="proxy_form"),
]
