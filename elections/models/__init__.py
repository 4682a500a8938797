"""The core's models, one module per area (DESIGN.md "Layout").

Voter registration's models live in elections.registration.models (same app label);
they are imported here so that Django registers them with the app."""

from elections.models.audit import (
    AuditEvent,
    AuditEventQuerySet,
    AuditImmutableError,
)
from elections.models.cycle import (
    COMMITTEE_STAGES,
    PARTY_STAGES,
    TRACK_LABELS,
    TRACKS,
    CommunityElection,
    ElectionCycle,
    Milestone,
    RestDay,
)
from elections.models.exports import (
    ExportJob,
    ExportStatus,
)
from elections.models.geography import (
    Community,
    Department,
    District,
    Street,
)
from elections.models.notices import Notice, NoticeFailure, NoticePosting
from elections.models.profiles import (
    CHOICE_LABELS,
    RuleProfile,
)
from elections.models.roles import (
    ROLE_SCOPES,
    Role,
    RoleAssignment,
)
from elections.registration import models as _registration_models  # noqa: F401

__all__ = [
    "CHOICE_LABELS",
    "COMMITTEE_STAGES",
    "PARTY_STAGES",
    "ROLE_SCOPES",
    "TRACKS",
    "TRACK_LABELS",
    "AuditEvent",
    "AuditEventQuerySet",
    "AuditImmutableError",
    "Community",
    "CommunityElection",
    "Department",
    "District",
    "ElectionCycle",
    "ExportJob",
    "ExportStatus",
    "Milestone",
    "Notice",
    "NoticeFailure",
    "NoticePosting",
    "RestDay",
    "Role",
    "RoleAssignment",
    "RuleProfile",
    "Street",
]
