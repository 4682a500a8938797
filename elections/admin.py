from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from elections.models import (
    AuditEvent,
    Community,
    CommunityElection,
    Department,
    District,
    ElectionCycle,
    Milestone,
    RestDay,
    RoleAssignment,
    RuleProfile,
    Street,
)

admin.site.register([District, Street, Department, RestDay])


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "street"]
    search_fields = ["code", "name"]


@admin.register(RuleProfile)
class RuleProfileAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "version", "effective_from"]


@admin.register(ElectionCycle)
class ElectionCycleAdmin(admin.ModelAdmin):
    list_display = ["name", "street", "term", "election_day", "rule_profile"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(CommunityElection)
class CommunityElectionAdmin(admin.ModelAdmin):
    list_display = ["community", "cycle", "election_day", "committee_stage", "party_stage"]
    inlines = [MilestoneInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "street", "community", "department", "district"]

    # Roles are given through the app (elections.services.assign_role), which also
    # grants the object permissions and writes the audit row.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is never edited or deleted."""

    list_display = ["created_at", "actor_name", "action", "object_repr", "community_id"]
    list_filter = ["action"]
    search_fields = ["action", "actor_name", "object_repr"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
