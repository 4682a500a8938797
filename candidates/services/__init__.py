"""Every change to seats, the election committee, nominations, the party roll and the
slates, one module per part (docs/architecture.md "candidates"). Each function runs in a
transaction, checks what the law says (electionlaw/, RULES.md ids in comments) and writes
its audit row in that transaction."""

from __future__ import annotations

from collections.abc import Mapping

from electionlaw import RuleParams
from elections.models import CommunityElection


class CandidateError(Exception):
    """A refusal with a Chinese message (and per-field messages where there are fields)."""

    def __init__(self, message: str, *, errors: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = dict(errors or {})


def params_of(election: CommunityElection) -> RuleParams:
    """The election's rule-profile parameters (RULES.md §10)."""
    return election.cycle.rule_profile.params()
