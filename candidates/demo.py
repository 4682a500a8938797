"""The candidates app's part of the demo street (`seed_demo`, via `elections.demo`):
a community whose committee track has left 选举委员会推选 has its election committee
recorded — five members in 推选 order, two alternates, the first as chair — through the
committee service, as a committee would enter it."""

from __future__ import annotations

from typing import Any

from candidates.models import CommitteeMember
from candidates.services.committee import add_member, set_chair
from elections.models import COMMITTEE_STAGES, CommunityElection
from elections.registration.models import Voter, VoterStatus

_ORDER = [code for code, _label in COMMITTEE_STAGES]
DEMO_MEMBERS = 5
DEMO_ALTERNATES = 2


def seed_committee(
    election: CommunityElection, committee_stage: str, _party: str, actor: Any
) -> None:
    if _ORDER.index(committee_stage) <= _ORDER.index("committee_formed"):
        return
    if CommitteeMember.objects.filter(election=election).exists():
        return
    voters = list(
        Voter.objects.filter(election=election, status=VoterStatus.REGISTERED).order_by("pk")[
            : DEMO_MEMBERS + DEMO_ALTERNATES
        ]
    )
    first = None
    for i, voter in enumerate(voters):
        member = add_member(
            election,
            voter=voter,
            votes=None,
            alternate=i >= DEMO_MEMBERS,
            actor=actor,
        )
        first = first or member
    if first is not None:
        set_chair(election, first, actor=actor)
