"""Roles given for a scope."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from elections.models.geography import Community, Department, District, Street


class Role(models.TextChoices):
    STREET_OFFICER = "street_officer", "街道换届办"
    COMMITTEE_MEMBER = "committee_member", "居民选举委员会成员"
    COMMITTEE_CHAIR = "committee_chair", "选举委员会主任"
    DEPARTMENT_REVIEWER = "department_reviewer", "联审部门审核人"
    ORG_REVIEWER = "org_reviewer", "组织部审核人"
    SUPERVISOR = "supervisor", "纪检监督"


# Which scope each role is given for (DESIGN.md "Who uses it").
ROLE_SCOPES: dict[str, tuple[str, ...]] = {
    Role.STREET_OFFICER: ("street",),
    Role.COMMITTEE_MEMBER: ("community",),
    Role.COMMITTEE_CHAIR: ("community",),
    Role.DEPARTMENT_REVIEWER: ("department",),
    Role.ORG_REVIEWER: ("district",),
    Role.SUPERVISOR: ("street", "district"),
}


class RoleAssignment(models.Model):
    """A user's role for one street, community, department or district.

    The object permissions (django-guardian) and the group membership are
    granted from this row by `elections.services.assign_role`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField("角色", max_length=30, choices=Role.choices)
    street = models.ForeignKey(Street, null=True, blank=True, on_delete=models.CASCADE)
    community = models.ForeignKey(Community, null=True, blank=True, on_delete=models.CASCADE)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.CASCADE)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.CASCADE)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        ordering = ["user__username", "role"]
        constraints = [
            *[
                models.UniqueConstraint(
                    fields=["user", "role", scope],
                    condition=models.Q(**{f"{scope}__isnull": False}),
                    name=f"role_unique_per_{scope}",
                )
                for scope in ("street", "community", "department", "district")
            ],
            # Exactly one scope per assignment.
            models.CheckConstraint(
                condition=(
                    models.Q(street__isnull=False)
                    & models.Q(community__isnull=True)
                    & models.Q(department__isnull=True)
                    & models.Q(district__isnull=True)
                )
                | (
                    models.Q(street__isnull=True)
                    & models.Q(community__isnull=False)
                    & models.Q(department__isnull=True)
                    & models.Q(district__isnull=True)
                )
                | (
                    models.Q(street__isnull=True)
                    & models.Q(community__isnull=True)
                    & models.Q(department__isnull=False)
                    & models.Q(district__isnull=True)
                )
                | (
                    models.Q(street__isnull=True)
                    & models.Q(community__isnull=True)
                    & models.Q(department__isnull=True)
                    & models.Q(district__isnull=False)
                ),
                name="role_assignment_one_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.scope_label}"

    @property
    def scope(self) -> models.Model | None:
        return self.community or self.street or self.department or self.district

    @property
    def scope_label(self) -> str:
        scope = self.scope
        return str(scope) if scope is not None else ""
