"""Stage checks of the core app: a schedule that breaks the law blocks the track
from leaving preparation unless each broken date carries a recorded reason."""

from __future__ import annotations

from elections.models import CommunityElection
from elections.stages import Issue, register_check


def _unexcused_schedule_violations(election: CommunityElection, track: str) -> list[Issue]:
    from elections.schedule import SPEC_BY_KIND
    from elections.services import schedule_violations

    milestones = list(election.milestones.all())
    excused = {m.kind for m in milestones if m.exception_reason}
    return [
        Issue("schedule", v.message, v.rule_id)
        for v in schedule_violations(election, {m.kind: m.effective_date for m in milestones})
        if SPEC_BY_KIND[v.kind].track == track and v.kind not in excused
    ]


@register_check("committee", "preparation")
def committee_schedule_is_lawful(election: CommunityElection) -> list[Issue]:
    return _unexcused_schedule_violations(election, "committee")


@register_check("party", "preparation")
def party_schedule_is_lawful(election: CommunityElection) -> list[Issue]:
    return _unexcused_schedule_violations(election, "party")
