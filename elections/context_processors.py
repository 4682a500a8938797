from __future__ import annotations

import contextlib
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from elections.access import scope_of
from elections.models import Community, RoleAssignment


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The navigation items of the user's roles (the base template shows them)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    scope = scope_of(user)
    # One query for the role labels and the names of the communities the user works in
    # (every page renders this: it used to be two).
    assignments = list(
        RoleAssignment.objects.filter(user=user).select_related(
            "street", "community", "department", "district"
        )
    )
    items: list[tuple[str, str]] = []
    if scope.reads_streets:
        items.append(("各社区进度", reverse("dashboard")))
        items.append(("选民登记", reverse("street_voters")))
        # The candidates app's street overview (an app above the core: by name only).
        with contextlib.suppress(NoReverseMatch):
            items.append(("候选人", reverse("candidates_street")))
        with contextlib.suppress(NoReverseMatch):
            items.append(("资格联审", reverse("vetting:rounds")))
    if scope.worked_communities and not scope.reads_streets:
        communities = {
            a.community.pk: a.community
            for a in assignments
            if a.community is not None and a.community.pk in scope.worked_communities
        }
        missing = scope.worked_communities - communities.keys()
        if missing:  # a permission granted without a role assignment (by hand, say)
            communities |= {c.pk: c for c in Community.objects.filter(pk__in=missing)}
        for community in sorted(communities.values(), key=lambda c: c.code):
            items.append((community.name, reverse("community", args=[community.code])))
    if scope.reviewed_departments:
        items.append(("联审待办", reverse("vetting:queue")))
    if scope.is_street_officer:
        items.append(("用户与角色", reverse("users")))
    if scope.reads_audit:
        items.append(("操作记录", reverse("audit_log")))
    labels = sorted({f"{a.get_role_display()}·{a.scope_label}" for a in assignments})
    return {"nav_items": items, "user_roles": labels}
