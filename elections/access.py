"""Who may see and do what (STYLE.md habits 4–6).

Every view of the core app fetches its objects through these helpers. They are
the only code that reads django-guardian's tables. "Does not exist" and "not
yours" are the same answer: 404.

A user's scope (which streets, communities, departments and districts they hold
which permission on) is read in one query and cached on the request's user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from guardian.models import UserObjectPermission

from elections.models import (
    Community,
    CommunityElection,
    Department,
    District,
    ElectionCycle,
    Milestone,
    RoleAssignment,
    Street,
)
from elections.registration.models import Objection, Voter, VoterImport

AnyUser = AbstractBaseUser | AnonymousUser


@dataclass
class Scope:
    """The objects a user holds each permission on (ids)."""

    superuser: bool = False
    managed_streets: set[int] = field(default_factory=set)  # street officer
    supervised_streets: set[int] = field(default_factory=set)  # supervisor (street)
    supervised_districts: set[int] = field(default_factory=set)  # supervisor (district)
    reviewed_districts: set[int] = field(default_factory=set)  # organisation reviewer
    worked_communities: set[int] = field(default_factory=set)  # committee member or chair
    chaired_communities: set[int] = field(default_factory=set)  # committee chair
    reviewed_departments: set[int] = field(default_factory=set)  # department reviewer

    @property
    def is_street_officer(self) -> bool:
        return self.superuser or bool(self.managed_streets)

    @property
    def reads_streets(self) -> bool:
        """Street officers, supervisors and organisation reviewers read street-wide pages."""
        return self.superuser or bool(
            self.managed_streets
            or self.supervised_streets
            or self.supervised_districts
            or self.reviewed_districts
        )

    @property
    def reads_audit(self) -> bool:
        return self.superuser or bool(
            self.managed_streets or self.supervised_streets or self.supervised_districts
        )


_PERMISSION_SLOTS = {
    ("street", "manage_street"): "managed_streets",
    ("street", "supervise_street"): "supervised_streets",
    ("district", "supervise_district"): "supervised_districts",
    ("district", "review_district"): "reviewed_districts",
    ("community", "work_community"): "worked_communities",
    ("community", "chair_community"): "chaired_communities",
    ("department", "review_department"): "reviewed_departments",
}


def scope_of(user: AnyUser) -> Scope:
    cached = getattr(user, "_huanjie_scope", None)
    if isinstance(cached, Scope):
        return cached
    scope = Scope()
    if user.is_authenticated and user.is_active:
        if getattr(user, "is_superuser", False):
            scope.superuser = True
        rows = UserObjectPermission.objects.filter(
            user_id=user.pk, content_type__app_label="elections"
        ).values_list("content_type__model", "permission__codename", "object_pk")
        for model, codename, object_pk in rows:
            slot = _PERMISSION_SLOTS.get((model, codename))
            if slot is not None:
                getattr(scope, slot).add(int(object_pk))
        setattr(user, "_huanjie_scope", scope)  # noqa: B010 — a per-request cache on the user
    return scope


def forget_scope(user: AnyUser) -> None:
    if hasattr(user, "_huanjie_scope"):
        delattr(user, "_huanjie_scope")


def _street_filter(scope: Scope, prefix: str) -> Q:
    """Rows under the streets (and districts) the user reads street-wide."""
    streets = scope.managed_streets | scope.supervised_streets
    districts = scope.supervised_districts | scope.reviewed_districts
    query = Q(pk__in=[])
    if streets:
        query |= Q(**{f"{prefix}__in": streets})
    if districts:
        district_path = prefix.removesuffix("street") + "street__district"
        if prefix == "pk":
            district_path = "district"
        query |= Q(**{f"{district_path}__in": districts})
    return query


def visible_streets(user: AnyUser) -> QuerySet[Street]:
    scope = scope_of(user)
    qs = Street.objects.select_related("district")
    if scope.superuser:
        return qs
    return qs.filter(_street_filter(scope, "pk"))


def visible_communities(user: AnyUser) -> QuerySet[Community]:
    """Communities the user may open: their own, or all of the streets they read."""
    scope = scope_of(user)
    qs = Community.objects.select_related("street__district")
    if scope.superuser:
        return qs
    query = _street_filter(scope, "street")
    if scope.worked_communities:
        query |= Q(pk__in=scope.worked_communities)
    return qs.filter(query)


def visible_elections(user: AnyUser) -> QuerySet[CommunityElection]:
    scope = scope_of(user)
    qs = CommunityElection.objects.select_related(
        "community__street__district", "cycle__rule_profile"
    )
    if scope.superuser:
        return qs
    query = _street_filter(scope, "community__street")
    if scope.worked_communities:
        query |= Q(community_id__in=scope.worked_communities)
    return qs.filter(query)


def get_community_for_user(user: AnyUser, code: str) -> Community:
    try:
        return visible_communities(user).get(code=code)
    except Community.DoesNotExist:
        raise Http404("没有找到这个社区") from None


def get_election_for_user(user: AnyUser, code: str) -> CommunityElection:
    """The community's election in its newest cycle, or 404."""
    election = (
        visible_elections(user)
        .filter(community__code=code)
        .order_by("-cycle__election_day")
        .first()
    )
    if election is None:
        raise Http404("没有找到这个社区的换届")
    return election


def can_manage_community(user: AnyUser, community: Community) -> bool:
    """Street officers of the community's street change its schedule and stages."""
    scope = scope_of(user)
    return scope.superuser or community.street_id in scope.managed_streets


def can_work_in_community(user: AnyUser, community: Community) -> bool:
    """Committee members (and chairs) enter their community's data; officers may too."""
    scope = scope_of(user)
    return (
        scope.superuser
        or community.pk in scope.worked_communities
        or community.street_id in scope.managed_streets
    )


def can_chair_community(user: AnyUser, community: Community) -> bool:
    """The community's 选举委员会主任 (resolves double-entry differences, confirms tally
    sheets, closes rounds) — and the street's officers, who stand in when the chair
    cannot."""
    scope = scope_of(user)
    return (
        scope.superuser
        or community.pk in scope.chaired_communities
        or community.street_id in scope.managed_streets
    )


def get_election_for_officer(user: AnyUser, code: str) -> CommunityElection:
    """The community's newest election, for the street officer of its street (404 otherwise)."""
    election = get_election_for_user(user, code)
    if not can_manage_community(user, election.community):
        raise Http404("没有找到这个社区的换届")
    return election


def can_read_archive(user: AnyUser, community: Community) -> bool:
    """The sealed archive of a certified election (issue 11 item 8): the street officers
    of the community's street, its supervisors (street or district) and superusers —
    not organisation reviewers, not the community's committee."""
    scope = scope_of(user)
    if scope.superuser:
        return True
    if community.street_id in scope.managed_streets | scope.supervised_streets:
        return True
    return bool(scope.supervised_districts) and (
        Street.objects.filter(
            pk=community.street_id, district_id__in=scope.supervised_districts
        ).exists()
    )


def get_election_for_archive(user: AnyUser, code: str) -> CommunityElection:
    """The community's newest election, for those who may read its archive (404 otherwise)."""
    election = get_election_for_user(user, code)
    if not can_read_archive(user, election.community):
        raise Http404("没有找到这个社区的换届")
    return election


def current_cycles(streets: QuerySet[Street]) -> dict[int, ElectionCycle]:
    """Each street's newest cycle (the one new communities join), by street id."""
    cycles: dict[int, ElectionCycle] = {}
    for cycle in ElectionCycle.objects.filter(street__in=streets).order_by("street_id", "-term"):
        cycles.setdefault(cycle.street_id, cycle)
    return cycles


def get_street_for_officer(user: AnyUser, street_id: int) -> Street:
    scope = scope_of(user)
    if not (scope.superuser or street_id in scope.managed_streets):
        raise Http404("没有找到这个街道")
    try:
        return Street.objects.select_related("district").get(pk=street_id)
    except Street.DoesNotExist:
        raise Http404("没有找到这个街道") from None


def get_milestone_for_election(election: CommunityElection, kind: str) -> Milestone:
    """The election's milestone of this kind (the election already fetched for the user)."""
    milestone = Milestone.objects.filter(election=election, kind=kind).first()
    if milestone is None:
        raise Http404("没有这个时间节点")
    return milestone


def officer_assignments_filter(streets: list[Street]) -> Q:
    """Role assignments a street officer of `streets` manages: their streets, the
    streets' communities, and the departments and districts of their districts."""
    street_ids = [s.pk for s in streets]
    district_ids = [s.district_id for s in streets]
    return (
        Q(street_id__in=street_ids)
        | Q(community__street_id__in=street_ids)
        | Q(department__district_id__in=district_ids)
        | Q(district_id__in=district_ids)
    )


def get_assignment_for_officer(user: AnyUser, pk: int) -> RoleAssignment:
    """A role assignment the street officer manages, or 404 (also for another street's)."""
    streets = list(managed_streets(user))
    assignment = (
        RoleAssignment.objects.filter(officer_assignments_filter(streets), pk=pk)
        .select_related("user", "street", "community", "department", "district")
        .first()
    )
    if assignment is None:
        raise Http404("没有找到这个角色")
    return assignment


def managed_streets(user: AnyUser) -> QuerySet[Street]:
    scope = scope_of(user)
    qs = Street.objects.select_related("district")
    return qs if scope.superuser else qs.filter(pk__in=scope.managed_streets)


def visible_departments(user: AnyUser) -> QuerySet[Department]:
    scope = scope_of(user)
    qs = Department.objects.select_related("district")
    return qs if scope.superuser else qs.filter(pk__in=scope.reviewed_departments)


def visible_districts(user: AnyUser) -> QuerySet[District]:
    scope = scope_of(user)
    if scope.superuser:
        return District.objects.all()
    ids = scope.reviewed_districts | scope.supervised_districts
    return District.objects.filter(
        Q(pk__in=ids) | Q(streets__pk__in=scope.managed_streets | scope.supervised_streets)
    ).distinct()


def audit_scope_filter(user: AnyUser) -> Q:
    """Audit rows the user may read: those of their streets (and their districts' streets)."""
    scope = scope_of(user)
    if scope.superuser:
        return Q()
    street_ids = set(scope.managed_streets | scope.supervised_streets)
    if scope.supervised_districts:
        street_ids |= set(
            Street.objects.filter(district__in=scope.supervised_districts).values_list(
                "pk", flat=True
            )
        )
    return Q(street_id__in=street_ids)


# A file download (FileResponse) is a streaming response, not an HttpResponse.
ViewFunc = Callable[..., HttpResponseBase]


def require(test: Callable[[Scope], bool]) -> Callable[[ViewFunc], ViewFunc]:
    """Declare on the view which roles may open it (STYLE.md habit 6).

    Anonymous users go to the login page; logged-in users without the role get
    404, the same answer as for an object that does not exist."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not test(scope_of(request.user)):
                raise Http404("没有找到这个页面")
            return view(request, *args, **kwargs)

        wrapper.required_test = test  # type: ignore[attr-defined]
        return wrapper

    return decorator


def any_role(scope: Scope) -> bool:
    return True


def street_reader(scope: Scope) -> bool:
    return scope.reads_streets


def street_officer(scope: Scope) -> bool:
    return scope.is_street_officer


def audit_reader(scope: Scope) -> bool:
    return scope.reads_audit


def archive_reader(scope: Scope) -> bool:
    """Street officers, supervisors and superusers (the archive; see can_read_archive)."""
    return scope.superuser or bool(
        scope.managed_streets or scope.supervised_streets or scope.supervised_districts
    )


def community_worker_or_reader(scope: Scope) -> bool:
    return scope.reads_streets or bool(scope.worked_communities)


def department_reviewer(scope: Scope) -> bool:
    return scope.superuser or bool(scope.reviewed_departments)


def home_url_for(user: AnyUser) -> str:
    """Where each role's work is (the home page sends them there)."""
    from django.urls import reverse

    scope = scope_of(user)
    if scope.reads_streets:
        return reverse("dashboard")
    if len(scope.worked_communities) >= 1:
        community = (
            Community.objects.filter(pk__in=scope.worked_communities).order_by("code").first()
        )
        if community is not None:
            return reverse("community", args=[community.code])
    if scope.reviewed_departments:
        return reverse("vetting:queue")
    return reverse("no_role")


def redirect_home(user: AnyUser) -> HttpResponse:
    return redirect(home_url_for(user))


# -- the voter roll ---------------------------------------------------------------------


def can_edit_roll(user: AnyUser, community: Community) -> bool:
    """Committee members and chairs of the community, and its street's officers."""
    return can_work_in_community(user, community)


def can_see_full_id(user: AnyUser, community: Community) -> bool:
    """The full ID number is shown on a voter's own page only to these (RULES.md §9)."""
    return can_work_in_community(user, community)


def get_roll_for_reader(user: AnyUser, code: str) -> CommunityElection:
    """The election whose roll the user may read (404 otherwise)."""
    return get_election_for_user(user, code)


def get_roll_for_editor(user: AnyUser, code: str) -> CommunityElection:
    """The election whose roll the user may change (404 otherwise, also for read-only roles)."""
    election = get_election_for_user(user, code)
    if not can_edit_roll(user, election.community):
        raise Http404("没有找到这个社区")
    return election


def get_voter_for_user(user: AnyUser, election: CommunityElection, pk: int) -> Voter:
    try:
        return Voter.objects.select_related("election__community").get(pk=pk, election=election)
    except Voter.DoesNotExist:
        raise Http404("没有找到这位选民") from None


def get_objection_for_election(election: CommunityElection, pk: int) -> Objection:
    """The election's objection, or 404 (also for another community's)."""
    try:
        return Objection.objects.select_related("subject_voter", "decided_by").get(
            pk=pk, election=election
        )
    except Objection.DoesNotExist:
        raise Http404("没有找到这件申诉") from None


def get_import_for_election(election: CommunityElection, pk: int) -> VoterImport:
    """The election's voter import, or 404 (also for another community's)."""
    voter_import = (
        VoterImport.objects.select_related("election__community", "created_by")
        .filter(pk=pk, election=election)
        .first()
    )
    if voter_import is None:
        raise Http404("没有找到这次导入")
    return voter_import


def roll_editor(scope: Scope) -> bool:
    return scope.superuser or bool(scope.worked_communities or scope.managed_streets)
