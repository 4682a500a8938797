from __future__ import annotations

import contextlib
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from elections.access import scope_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The navigation items of the user's roles (the base template shows them)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    scope = scope_of(user)
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
        from elections.models import Community

        for community in Community.objects.filter(pk__in=scope.worked_communities).order_by("code"):
            items.append((community.name, reverse("community", args=[community.code])))
    if scope.reviewed_departments:
        items.append(("联审待办", reverse("vetting:queue")))
    if scope.is_street_officer:
        items.append(("用户与角色", reverse("users")))
    if scope.reads_audit:
        items.append(("操作记录", reverse("audit_log")))
    return {"nav_items": items, "user_roles": _role_labels(user)}


def _role_labels(user: Any) -> list[str]:
    from elections.models import RoleAssignment

    return sorted(
        {
            f"{a.get_role_display()}·{a.scope_label}"
            for a in RoleAssignment.objects.filter(user=user).select_related(
                "street", "community", "department", "district"
            )
        }
    )
