"""Who may see and change the candidates app's data — built on `elections.access`
(the only reader of django-guardian). "Missing" and "not yours" both answer 404.

- read: everyone who may read the community (its committee, the street's officers,
  supervisors and the organisation reviewers of the district);
- change: the community's election committee (members and chair) and the street's
  officers;
- private details (an exclusion's health reasons, full ID numbers): the same people
  who may change, never a read-only role and never a public page;
- seats: the street officer only (R1: set under the street's guidance).
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

from elections import access
from elections.access import AnyUser
from elections.models import Community, CommunityElection

M = TypeVar("M", bound=Model)


def get_election_for_reader(user: AnyUser, code: str) -> CommunityElection:
    return access.get_election_for_user(user, code)


def can_edit(user: AnyUser, community: Community) -> bool:
    return access.can_work_in_community(user, community)


def can_see_private(user: AnyUser, community: Community) -> bool:
    """Health reasons of an exclusion, full ID numbers: committee and street officers."""
    return access.can_work_in_community(user, community)


def can_set_seats(user: AnyUser, community: Community) -> bool:
    return access.can_manage_community(user, community)


def get_election_for_editor(user: AnyUser, code: str) -> CommunityElection:
    """The election whose candidates data the user may change (404 otherwise)."""
    election = access.get_election_for_user(user, code)
    if not can_edit(user, election.community):
        raise Http404("没有找到这个社区")
    return election


def get_election_for_officer(user: AnyUser, code: str) -> CommunityElection:
    return access.get_election_for_officer(user, code)


def get_for_election(
    queryset: QuerySet[M], election: CommunityElection, pk: int, *, field: str = "election"
) -> M:
    """The object `pk` of `queryset` that belongs to `election` (through `field`), or 404."""
    obj = queryset.filter(pk=pk, **{field: election}).first()
    if obj is None:
        raise Http404("没有找到")
    return obj
