"""Pages of the voter roll (选民登记, RULES.md B3 and §9).

Each view fetches the community's election through `elections.access` (404 for
"missing" and "not yours" alike), validates a form and calls one service of
`elections.registration.services`. Lists show masked ID numbers only; the full number appears
on a voter's own page, to committee members and street officers, after a POST
that is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods

from electionlaw import adulthood_date, latest_eligible_birth_date
from elections import access, audit
from elections.crypto import DecryptionError
from elections.exports import xlsx_response
from elections.models import AuditEvent, CommunityElection
from elections.registration.exports import export_params, voter_roll_export
from elections.registration.forms import (
    NO_GROUP,
    NO_GROUP_LABEL,
    VoterEditForm,
    VoterFilterForm,
    VoterForm,
    VoterRemoveForm,
    add_service_errors,
    is_full_id_number,
)
from elections.registration.models import Voter, VoterCategory, VoterSource, VoterStatus
from elections.registration.public import age_on, group_sort_key, public_voter_list
from elections.registration.services import (
    StaleVoterError,
    VoterError,
    correction_notice_warning,
    hash_id,
    is_number_search,
    register_voter,
    remove_voter,
    reveal_id_number,
    update_voter,
)

PAGE_SIZE = 50

# What a row of the roll shows; the encrypted number, its hash and the address stay unread.
LIST_COLUMNS = (
    "pk",
    "election_id",
    "name",
    "gender",
    "birth_date",
    "group",
    "category",
    "status",
    "rights_deprived",
    "id_masked",
    "source",
)


# -- counts --------------------------------------------------------------------------------


@dataclass
class RollCounts:
    """Counts of one slice of a roll (a category, a 居民小组, a community or the total)."""

    label: str = ""
    key: str = ""
    registered: int = 0  # 已登记 (whether or not 18 on election day)
    pending: int = 0  # 待会议同意 (R10 c, d)
    removed: int = 0
    eligible: int = 0  # registered, not deprived, 18 on election day: eligible_voters()
    under_18: int = 0  # registered but not 18 on election day (a moved election day)
    deprived: int = 0  # registered but deprived of political rights

    def add(self, other: RollCounts) -> None:
        for name in ("registered", "pending", "removed", "eligible", "under_18", "deprived"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _count_annotations(adult: Q) -> dict[str, Count]:
    """Conditional counts for one aggregate query; `adult` is "18 on election day"."""
    registered = Q(status=VoterStatus.REGISTERED)
    return {
        "registered": Count("pk", filter=registered),
        "pending": Count("pk", filter=Q(status=VoterStatus.PENDING_APPROVAL)),
        "removed": Count("pk", filter=Q(status=VoterStatus.REMOVED)),
        # The same conditions as elections.registration.services.eligible_voters.
        "eligible": Count("pk", filter=registered & Q(rights_deprived=False) & adult),
        "under_18": Count("pk", filter=registered & ~adult),
        "deprived": Count("pk", filter=registered & Q(rights_deprived=True)),
    }


def _counts_from(row: dict[str, Any], label: str, key: str) -> RollCounts:
    return RollCounts(
        label=label,
        key=key,
        registered=row["registered"],
        pending=row["pending"],
        removed=row["removed"],
        eligible=row["eligible"],
        under_18=row["under_18"],
        deprived=row["deprived"],
    )


def roll_counts(election: CommunityElection) -> tuple[list[RollCounts], list[RollCounts]]:
    """Counts per 登记类别 and per 居民小组: one aggregate query each."""
    adult = Q(birth_date__lte=latest_eligible_birth_date(election.election_day))
    voters = Voter.objects.filter(election=election)
    per_category = {
        row["category"]: row
        for row in voters.values("category")
        .annotate(**_count_annotations(adult))
        .order_by("category")
    }
    by_category = [
        _counts_from(per_category[code], str(label), code)
        if code in per_category
        else RollCounts(label=str(label), key=code)
        for code, label in VoterCategory.choices
    ]
    groups = voters.values("group").annotate(**_count_annotations(adult)).order_by("group")
    by_group = [
        _counts_from(row, row["group"] or NO_GROUP_LABEL, row["group"] or NO_GROUP)
        for row in sorted(groups, key=lambda row: group_sort_key(row["group"]))
    ]
    return by_category, by_group


def _in_group_order(voters: QuerySet[Voter], by_group: list[RollCounts]) -> QuerySet[Voter]:
    """The roll in the 居民小组 order people count in (第二 before 第十), then by name."""
    if len(by_group) < 2:
        return voters.order_by("group", "name", "pk")
    position = Case(
        *[
            When(group="" if part.key == NO_GROUP else part.key, then=Value(index))
            for index, part in enumerate(by_group)
        ],
        default=Value(len(by_group)),
        output_field=IntegerField(),
    )
    return voters.order_by(position, "name", "pk")


def _total(parts: list[RollCounts], label: str = "合计") -> RollCounts:
    total = RollCounts(label=label)
    for part in parts:
        total.add(part)
    return total


# -- eligibility on election day ----------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    code: str  # eligible, under_18, deprived, pending, removed
    label: str
    age: int  # full years on election day
    adult_on: dt.date  # the 18th birthday (G5)


def eligibility(voter: Voter, election: CommunityElection) -> Eligibility:
    """Whether the voter may vote on the community's (possibly moved) election day."""
    day = election.election_day
    age = age_on(voter.birth_date, day)
    adult_on = adulthood_date(voter.birth_date)
    if voter.status == VoterStatus.REMOVED:
        code, label = "removed", "已移除，不参加本次选举"
    elif voter.status == VoterStatus.PENDING_APPROVAL:
        code, label = "pending", "待居民会议或居民代表会议同意后才算登记（规则 R10）"
    elif voter.rights_deprived:
        code, label = "deprived", "被剥夺政治权利，没有选举权（规则 R9）"
    elif adult_on > day:
        code, label = "under_18", "选举日未满18周岁（规则 G5）"
    else:
        code, label = "eligible", "有选举权"
    return Eligibility(code=code, label=label, age=age, adult_on=adult_on)


# -- the roll -----------------------------------------------------------------------------


def _url_of(name: str, code: str, fallback: str) -> str:
    """Another part's page (the import and objection pages), by name once it exists."""
    try:
        return reverse(name, args=[code])
    except NoReverseMatch:
        return fallback


#: Session key of the number searches of this session (token → text), newest last.
SEARCH_SESSION_KEY = "voter_number_searches"
_MAX_KEPT_SEARCHES = 20


def _search_address(request: HttpRequest, code: str, sent: QueryDict) -> str:
    """Post/Redirect/Get for the roll's search: the GET address of the filters in `sent`.

    A whole ID number becomes its keyed hash (`idh`); a phone number or any other run of
    7 or more digits is kept in the session under a random token (`s`), so that no
    number reaches a URL, a server or proxy log or the browser's history."""
    params = QueryDict(mutable=True)
    for name in ("group", "category", "status", "under_18"):
        value = str(sent.get(name, ""))
        if value:
            params[name] = value
    query = str(sent.get("q", "")).strip()
    if is_full_id_number(query):
        params["idh"] = hash_id(query)
    elif is_number_search(query):
        token = secrets.token_hex(16)
        kept = dict(request.session.get(SEARCH_SESSION_KEY, {}))
        kept[token] = query
        request.session[SEARCH_SESSION_KEY] = dict(list(kept.items())[-_MAX_KEPT_SEARCHES:])
        params["s"] = token
    elif query:
        params["q"] = query
    else:
        # Only the filters changed: the number search already on the page stays.
        for name in ("idh", "s"):
            value = str(sent.get(name, ""))
            if re.fullmatch(r"[0-9a-f]{32}|[0-9a-f]{64}", value):
                params[name] = value
    return f"{reverse('voters', args=[code])}?{params.urlencode()}"


def _search_data(request: HttpRequest) -> tuple[QueryDict, bool]:
    """The filters of a GET address, with a number search's token resolved from the
    session; and whether the search box must stay empty (it held a number)."""
    data = request.GET.copy()
    token = data.get("s", "")
    if token:
        query = request.session.get(SEARCH_SESSION_KEY, {}).get(token)
        if query is None:
            data.pop("s")
            messages.warning(request, "这次按号码查找已过期，请重新输入号码查找。")
            return data, False
        data["q"] = query
        return data, True
    return data, False


@access.require(access.community_worker_or_reader)
@require_http_methods(["GET", "POST"])
def voter_list(request: HttpRequest, code: str) -> HttpResponse:
    election = access.get_roll_for_reader(request.user, code)
    if request.method == "POST":
        return redirect(_search_address(request, code, request.POST))
    if is_full_id_number(request.GET.get("q", "")) or is_number_search(request.GET.get("q", "")):
        # Typed into the address bar or an old bookmark: move it out of the URL at once.
        return redirect(_search_address(request, code, request.GET))
    data, hide_query = _search_data(request)
    by_category, by_group = roll_counts(election)
    form = VoterFilterForm(data or None, groups=[g.key for g in by_group])
    voters = _in_group_order(form.filtered(election).only(*LIST_COLUMNS), by_group)
    if hide_query:
        shown = data.copy()
        shown["q"] = ""
        form.data = shown  # the box stays empty: the number is not written into the page
    page = Paginator(voters, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(voter, eligibility(voter, election)) for voter in page]
    return render(
        request,
        "registration/voters/list.html",
        {
            "election": election,
            "community": election.community,
            "form": form,
            "page": page,
            "rows": rows,
            "by_category": by_category,
            "by_group": by_group,
            "total": _total(by_category),
            "cutoff": latest_eligible_birth_date(election.election_day),
            "can_edit": access.can_edit_roll(request.user, election.community),
            "import_url": _url_of("voter_import", code, f"/c/{code}/voters/import/"),
            "objections_url": _url_of("objections", code, f"/c/{code}/objections/"),
            "is_election_day": election.election_day == timezone.localdate(),
            "number_search": hide_query,
            "correction_warning": correction_notice_warning(election),
        },
    )


@access.require(access.community_worker_or_reader)
def voter_export(request: HttpRequest, code: str) -> HttpResponse:
    """A small roll downloads at once; a large one becomes a stored job (its page polls)."""
    election = access.get_roll_for_reader(request.user, code)
    data, _ = _search_data(request)
    exporter, job = voter_roll_export(election, export_params(data), actor=request.user)
    if job is not None:
        return redirect("voter_export_job", code=code, pk=job.pk)
    assert exporter is not None
    return xlsx_response(exporter)


@access.require(access.community_worker_or_reader)
def voter_public_list(request: HttpRequest, code: str) -> HttpResponse:
    election = access.get_roll_for_reader(request.user, code)
    with_age = request.GET.get("age") == "1"
    profile = election.cycle.rule_profile
    return render(
        request,
        "registration/voters/public.html",
        {
            "election": election,
            "community": election.community,
            "data": public_voter_list(election, with_age=with_age),
            "with_age": with_age,
            "objection_days": profile.objection_days,
            "decision_days": profile.objection_decision_days,
        },
    )


# -- one voter ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@access.require(access.community_worker_or_reader)
def voter_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = access.get_roll_for_reader(request.user, code)
    voter = access.get_voter_for_user(request.user, election, pk)
    may_see_full_id = access.can_see_full_id(request.user, election.community)
    full_id = ""
    if request.method == "POST":
        # The only POST here: 显示完整身份证号 (a POST, so that prefetchers log nothing).
        if not may_see_full_id:
            raise Http404("没有找到这个页面")
        full_id = _reveal(request, voter)
    history = AuditEvent.objects.filter(object_type="elections.voter", object_id=str(voter.pk))
    response = render(
        request,
        "registration/voters/detail.html",
        {
            "election": election,
            "community": election.community,
            "voter": voter,
            "eligibility": eligibility(voter, election),
            "may_see_full_id": may_see_full_id,
            "full_id": full_id,
            "can_edit": access.can_edit_roll(request.user, election.community)
            and voter.status != VoterStatus.REMOVED,
            "history": history.order_by("-created_at", "-id")[:100],
        },
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


def _reveal(request: HttpRequest, voter: Voter) -> str:
    try:
        number = reveal_id_number(voter)
    except DecryptionError:
        messages.error(request, "无法读取完整身份证号（密钥不符），请联系系统管理员。")
        return ""
    with transaction.atomic():
        audit.record(request.user, "elections.voter.id_viewed", voter, data={"name": voter.name})
    return number


@access.require(access.roll_editor)
def voter_new(request: HttpRequest, code: str) -> HttpResponse:
    return _register(request, code, source=VoterSource.MANUAL)


@access.require(access.roll_editor)
def voter_election_day(request: HttpRequest, code: str) -> HttpResponse:
    return _register(request, code, source=VoterSource.ELECTION_DAY)


def _warn_if_list_posted(request: HttpRequest, election: CommunityElection) -> None:
    warning = correction_notice_warning(election)
    if warning:
        messages.warning(request, warning)


def _register(request: HttpRequest, code: str, *, source: str) -> HttpResponse:
    election = access.get_roll_for_editor(request.user, code)
    form = VoterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            voter = register_voter(election, form.voter_data(), actor=request.user, source=source)
        except VoterError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _registered_message(voter))
            for warning in getattr(voter, "warnings", []):
                messages.warning(request, warning)
            _warn_if_list_posted(request, election)
            return redirect("voter_detail", code=code, pk=voter.pk)
    return render(
        request,
        "registration/voters/form.html",
        {
            "election": election,
            "community": election.community,
            "form": form,
            "election_day_entry": source == VoterSource.ELECTION_DAY,
            "is_election_day": election.election_day == timezone.localdate(),
            "groups": _groups(election),
        },
    )


def _registered_message(voter: Voter) -> str:
    if voter.status == VoterStatus.PENDING_APPROVAL:
        return (
            f"已录入“{voter.name}”，状态为“待会议同意”：须经居民会议或居民代表会议同意后"
            "才算登记（规则 R10）。会议同意后，请在“修改”中填写会议和日期。"
        )
    return f"已登记“{voter.name}”（{voter.id_masked}）。"


def _groups(election: CommunityElection) -> list[str]:
    """The roll's 居民小组 names, for the input's suggestions."""
    return list(
        Voter.objects.filter(election=election)
        .exclude(group="")
        .values_list("group", flat=True)
        .distinct()
        .order_by("group")
    )


@access.require(access.roll_editor)
def voter_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = access.get_roll_for_editor(request.user, code)
    voter = access.get_voter_for_user(request.user, election, pk)
    if voter.status == VoterStatus.REMOVED:
        messages.error(request, "这位选民已被移除，不能修改。")
        return redirect("voter_detail", code=code, pk=pk)
    form = VoterEditForm(request.POST or None, voter=voter)
    if request.method == "POST" and form.is_valid():
        changes = form.changes(voter)
        current = voter
        try:
            if changes or form.is_stale(voter):
                current = update_voter(
                    voter,
                    changes,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data.get("updated_at") or None,
                )
        except StaleVoterError as exc:
            messages.error(request, exc.message)
            return redirect("voter_edit", code=code, pk=pk)
        except VoterError as exc:
            add_service_errors(form, exc)
        else:
            if changes:
                messages.success(request, f"已保存对“{current.name}”的修改。")
                _warn_if_list_posted(request, election)
            else:
                messages.info(request, "没有修改任何内容。")
            return redirect("voter_detail", code=code, pk=pk)
    return render(
        request,
        "registration/voters/edit.html",
        {
            "election": election,
            "community": election.community,
            "voter": voter,
            "form": form,
            "groups": _groups(election),
        },
    )


@access.require(access.roll_editor)
def voter_remove(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = access.get_roll_for_editor(request.user, code)
    voter = access.get_voter_for_user(request.user, election, pk)
    if voter.status == VoterStatus.REMOVED:
        messages.info(request, "这位选民已被移除。")
        return redirect("voter_detail", code=code, pk=pk)
    form = VoterRemoveForm(request.POST or None, voter=voter)
    if request.method == "POST" and form.is_valid():
        try:
            remove_voter(
                voter,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data.get("updated_at") or None,
            )
        except StaleVoterError as exc:
            messages.error(request, exc.message)
            return redirect("voter_detail", code=code, pk=pk)
        except VoterError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已将“{voter.name}”从选民名单中移除。")
            _warn_if_list_posted(request, election)
            return redirect("voter_detail", code=code, pk=pk)
    return render(
        request,
        "registration/voters/remove.html",
        {"election": election, "community": election.community, "voter": voter, "form": form},
    )


# -- the street -----------------------------------------------------------------------------


@dataclass
class StreetRow:
    election: CommunityElection
    counts: RollCounts


@access.require(access.street_reader)
def street_voters(request: HttpRequest) -> HttpResponse:
    rows = street_rows(request.user)
    streets: dict[int, list[StreetRow]] = {}
    for row in rows:
        streets.setdefault(row.election.community.street_id, []).append(row)
    sections = [
        {
            "street": items[0].election.community.street,
            "rows": items,
            "total": _total([r.counts for r in items], label="街道合计"),
        }
        for items in streets.values()
    ]
    return render(
        request,
        "registration/voters/street.html",
        {"sections": sections, "total": _total([r.counts for r in rows], label="总计")},
    )


def street_rows(user: Any) -> list[StreetRow]:
    """Every visible community (its newest cycle) with its roll's counts: two queries."""
    latest: dict[int, CommunityElection] = {}
    for election in access.visible_elections(user).order_by(
        "community__street__code", "community__code", "-cycle__election_day"
    ):
        latest.setdefault(election.community_id, election)
    if not latest:
        return []
    # "18 on election day" per community: one condition per distinct election day.
    by_cutoff: dict[dt.date, list[int]] = {}
    for election in latest.values():
        cutoff = latest_eligible_birth_date(election.election_day)
        by_cutoff.setdefault(cutoff, []).append(election.pk)
    adult = Q(pk__in=[])
    for cutoff, ids in by_cutoff.items():
        adult |= Q(election_id__in=ids, birth_date__lte=cutoff)
    counts = {
        row["election_id"]: row
        for row in Voter.objects.filter(election_id__in=[e.pk for e in latest.values()])
        .values("election_id")
        .annotate(**_count_annotations(adult))
        .order_by("election_id")
    }
    return [
        StreetRow(
            election=election,
            counts=_counts_from(counts[election.pk], election.community.name, "")
            if election.pk in counts
            else RollCounts(label=election.community.name),
        )
        for election in latest.values()
    ]


urlpatterns: list[URLPattern] = [
    path("voters/", street_voters, name="street_voters"),
    path("c/<str:code>/voters/", voter_list, name="voters"),
    path("c/<str:code>/voters/new/", voter_new, name="voter_new"),
    path("c/<str:code>/voters/election-day/", voter_election_day, name="voter_election_day"),
    path("c/<str:code>/voters/export.xlsx", voter_export, name="voter_export"),
    path("c/<str:code>/voters/public/", voter_public_list, name="voter_public_list"),
    path("c/<str:code>/voters/<int:pk>/", voter_detail, name="voter_detail"),
    path("c/<str:code>/voters/<int:pk>/edit/", voter_edit, name="voter_edit"),
    path("c/<str:code>/voters/<int:pk>/remove/", voter_remove, name="voter_remove"),
]
