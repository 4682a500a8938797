"""The navigation every page renders: the user's communities and role labels, in one
query once the scope is known (it runs on every request of election night)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from guardian.shortcuts import assign_perm

from elections import services
from elections.access import scope_of
from elections.context_processors import navigation
from elections.models import Community, Role
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def nav_for(user: Any, django_assert_num_queries: Any, queries: int) -> dict[str, Any]:
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(pk=user.pk)
    scope_of(request.user)  # the access helper has already read it on a real request
    with django_assert_num_queries(queries):
        return navigation(request)


def test_a_member_sees_their_communities_and_roles_in_one_query(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    member = cast.users["member_a"]
    services.assign_role(member, Role.COMMITTEE_MEMBER, cast.community_b, actor=cast.admin)
    nav = nav_for(member, django_assert_num_queries, 1)
    assert nav["nav_items"] == [
        (cast.community_a.name, f"/c/{cast.community_a.code}/"),
        (cast.community_b.name, f"/c/{cast.community_b.code}/"),
    ]
    assert nav["user_roles"] == sorted(
        {
            f"{Role.COMMITTEE_MEMBER.label}·{cast.community_a}",
            f"{Role.COMMITTEE_MEMBER.label}·{cast.community_b}",
        }
    )
    assert cast.community_other_street.name not in str(nav)


def test_a_permission_without_a_role_assignment_still_shows_its_community(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    """A permission granted by hand (no RoleAssignment row): one more query, not a gap."""
    user = cast.users["no_role"]
    assign_perm("elections.work_community", user, cast.community_b)
    nav = nav_for(user, django_assert_num_queries, 2)
    assert nav["nav_items"] == [(cast.community_b.name, f"/c/{cast.community_b.code}/")]
    assert nav["user_roles"] == []


def test_the_communities_are_in_code_order(cast: Cast, django_assert_num_queries: Any) -> None:
    first = Community.objects.create(street=cast.street, code="AA00", name="最前社区")
    member = cast.users["member_b"]
    services.assign_role(member, Role.COMMITTEE_MEMBER, first, actor=cast.admin)
    nav = nav_for(member, django_assert_num_queries, 1)
    assert [url for _label, url in nav["nav_items"]] == ["/c/AA00/", f"/c/{cast.community_b.code}/"]


def test_an_assignment_whose_permission_is_gone_shows_no_link(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    """The link follows the permission (what access checks), not the assignment row."""
    from guardian.shortcuts import remove_perm

    member = cast.users["member_a"]
    services.assign_role(member, Role.COMMITTEE_MEMBER, cast.community_b, actor=cast.admin)
    remove_perm("elections.work_community", member, cast.community_a)
    nav = nav_for(member, django_assert_num_queries, 1)
    assert nav["nav_items"] == [(cast.community_b.name, f"/c/{cast.community_b.code}/")]
