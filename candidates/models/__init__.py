"""The candidates app's tables, one module per part of the work (docs/architecture.md)."""

from candidates.models.choices import (
    COLLEGE_OR_ABOVE,
    COMMITTEE_POSTS,
    PARTY_POSTS,
    POSTS_OF_TRACK,
    Education,
    Gender,
    PoliticalStatus,
    Post,
    Track,
)
from candidates.models.kinship import RELATION_CHOICES, Relation, SupervisionMember
from candidates.models.nominations import Nomination, NominationCount
from candidates.models.party import (
    MembershipStatus,
    PartyExclusion,
    PartyMember,
    PartyMemberImport,
    PartyPublicity,
    Recommendation,
    RecommendationKind,
    RecommendationMeeting,
)
from candidates.models.seats import CommitteeMember, CommitteeMemberStatus, Seat
from candidates.models.slate import (
    ACTIVE_STATUSES,
    Candidate,
    CandidateSource,
    CandidateStatus,
)

__all__ = [
    "ACTIVE_STATUSES",
    "COLLEGE_OR_ABOVE",
    "COMMITTEE_POSTS",
    "PARTY_POSTS",
    "POSTS_OF_TRACK",
    "RELATION_CHOICES",
    "Candidate",
    "CandidateSource",
    "CandidateStatus",
    "CommitteeMember",
    "CommitteeMemberStatus",
    "Education",
    "Gender",
    "MembershipStatus",
    "Nomination",
    "NominationCount",
    "PartyExclusion",
    "PartyMember",
    "PartyMemberImport",
    "PartyPublicity",
    "PoliticalStatus",
    "Post",
    "Recommendation",
    "RecommendationKind",
    "RecommendationMeeting",
    "Relation",
    "Seat",
    "SupervisionMember",
    "Track",
]
