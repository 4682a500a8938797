"""The street dashboard: every community with both tracks' stage and the next deadline.

A fixed number of queries whatever the number of communities (pinned in tests)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch

from elections import access, schedule
from elections.calendar import rest_days_between
from elections.models import CommunityElection, Milestone


@dataclass
class DashboardRow:
    election: CommunityElection
    next_milestone: Milestone | None
    next_label: str
    days_left: int | None
    problems: int


def dashboard_rows(user: object, today: dt.date) -> list[DashboardRow]:
    elections = list(
        access.visible_elections(user)  # type: ignore[arg-type]
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("date", "id")))
        .order_by("community__code", "-cycle__election_day")
    )
    # Newest cycle per community only.
    latest: dict[int, CommunityElection] = {}
    for election in elections:
        latest.setdefault(election.community_id, election)
    if not latest:
        return []
    days = [e.election_day for e in latest.values()]
    rest_days = rest_days_between(
        min(days) - dt.timedelta(days=90), max(days) + dt.timedelta(days=60)
    )
    rows = []
    for election in latest.values():
        milestones = list(election.milestones.all())
        upcoming = next((m for m in milestones if m.date >= today and m.done_on is None), None)
        excused = {m.kind for m in milestones if m.exception_reason}
        problems = [
            v
            for v in schedule.check_schedule(
                {m.kind: m.effective_date for m in milestones},
                election_day=election.election_day,
                party_meeting_day=election.party_meeting_day,
                params=election.cycle.rule_profile.params(),
                rest_days=rest_days,
            )
            if v.kind not in excused
        ]
        rows.append(
            DashboardRow(
                election=election,
                next_milestone=upcoming,
                next_label=schedule.SPEC_BY_KIND[upcoming.kind].label if upcoming else "",
                days_left=(upcoming.date - today).days if upcoming else None,
                problems=len(problems),
            )
        )
    return rows
