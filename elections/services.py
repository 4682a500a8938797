"""Every state change of the core app (STYLE.md habit 1): each service owns its
transaction, its row locks and its audit row. Views, commands and tasks call
these and nothing else."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.db import IntegrityError, transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from elections import audit, schedule
from elections.access import forget_scope
from elections.calendar import rest_days_around
from elections.models import (
    ROLE_SCOPES,
    TRACK_LABELS,
    TRACKS,
    Community,
    CommunityElection,
    Department,
    District,
    ElectionCycle,
    Milestone,
    Role,
    RoleAssignment,
    RuleProfile,
    Street,
)
from elections.stages import Issue, issues_before_leaving, next_stage


class ElectionsError(Exception):
    """A refusal a user can read (in Chinese); views show it as a form error or message."""

    def __init__(self, message: str, *, issues: list[Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.issues = issues or []


# -- roles -------------------------------------------------------------------

# The guardian permissions each role gets on its scope object.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.STREET_OFFICER: ("elections.manage_street",),
    Role.COMMITTEE_MEMBER: ("elections.work_community",),
    Role.COMMITTEE_CHAIR: ("elections.work_community", "elections.chair_community"),
    Role.DEPARTMENT_REVIEWER: ("elections.review_department",),
    Role.ORG_REVIEWER: ("elections.review_district",),
}
SUPERVISOR_PERMISSIONS = {
    "street": "elections.supervise_street",
    "district": "elections.supervise_district",
}

ScopeObject = Street | Community | Department | District


def _scope_kind(obj: ScopeObject) -> str:
    return obj._meta.model_name or ""


def _permissions_for(role: str, obj: ScopeObject) -> tuple[str, ...]:
    if role == Role.SUPERVISOR:
        return (SUPERVISOR_PERMISSIONS[_scope_kind(obj)],)
    return ROLE_PERMISSIONS[role]


def role_group(role: str) -> Group:
    group, _created = Group.objects.get_or_create(name=Role(role).label)
    return group


def assign_role(user: AbstractUser, role: str, scope: ScopeObject, *, actor: Any) -> RoleAssignment:
    """Give `user` a role for a street, community, department or district."""
    kind = _scope_kind(scope)
    if role not in ROLE_SCOPES:
        raise ElectionsError("未知的角色")
    if kind not in ROLE_SCOPES[role]:
        raise ElectionsError(f"“{Role(role).label}”不能授予给{scope._meta.verbose_name}")
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user, role=role, **{kind: scope}, defaults={"granted_by": actor if actor else None}
        )
        if not created:
            return assignment
        user.groups.add(role_group(role))
        for perm in _permissions_for(role, scope):
            assign_perm(perm, user, scope)
        audit.record(
            actor,
            "elections.role.assigned",
            scope,
            data={"user": user.get_username(), "role": role, "scope": str(scope)},
        )
    forget_scope(user)
    return assignment


def revoke_role(assignment: RoleAssignment, *, actor: Any) -> None:
    user = assignment.user
    scope = assignment.scope
    assert isinstance(scope, Street | Community | Department | District)
    with transaction.atomic():
        role = assignment.role
        assignment.delete()
        # A chair and a member of the same community share work_community: keep
        # every permission another remaining assignment still needs.
        still_needed = {
            perm
            for other in RoleAssignment.objects.filter(user=user)
            if other.scope == scope
            and isinstance(other.scope, Street | Community | Department | District)
            for perm in _permissions_for(other.role, scope)
        }
        for perm in _permissions_for(role, scope):
            if perm not in still_needed:
                remove_perm(perm, user, scope)
        if not RoleAssignment.objects.filter(user=user, role=role).exists():
            user.groups.remove(role_group(role))
        audit.record(
            actor,
            "elections.role.revoked",
            scope,
            data={"user": user.get_username(), "role": role, "scope": str(scope)},
        )
    forget_scope(user)


def create_user(
    *, username: str, full_name: str, password: str, actor: Any, street: Street | None = None
) -> AbstractUser:
    User = get_user_model()
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise ElectionsError(f"用户名“{username}”已被使用")
        try:
            user = User.objects.create_user(username=username, password=password)
        except IntegrityError:
            raise ElectionsError(f"用户名“{username}”已被使用") from None
        user.first_name = full_name
        user.save(update_fields=["first_name"])
        audit.record(
            actor,
            "elections.user.created",
            user,
            street_id=street.pk if street else None,
            data={"username": username, "full_name": full_name},
        )
    return user


# -- cycle and schedule --------------------------------------------------------


def create_cycle(
    *,
    street: Street,
    term: int,
    name: str,
    election_day: dt.date,
    party_meeting_day: dt.date | None,
    profile: RuleProfile,
    actor: Any,
    communities: list[Community] | None = None,
) -> ElectionCycle:
    """Open a cycle for a street: one CommunityElection per community, each with its schedule."""
    with transaction.atomic():
        cycle = ElectionCycle.objects.create(
            street=street,
            term=term,
            name=name,
            election_day=election_day,
            party_meeting_day=party_meeting_day,
            rule_profile=profile,
        )
        audit.record(
            actor,
            "elections.cycle.created",
            cycle,
            data={
                "term": term,
                "election_day": election_day.isoformat(),
                "profile": profile.code,
            },
        )
        for community in communities if communities is not None else street.communities.all():
            add_community_to_cycle(cycle, community, actor=actor)
    return cycle


def add_community_to_cycle(
    cycle: ElectionCycle, community: Community, *, actor: Any
) -> CommunityElection:
    with transaction.atomic():
        election = CommunityElection.objects.create(
            cycle=cycle,
            community=community,
            election_day=cycle.election_day,
            party_meeting_day=cycle.party_meeting_day,
        )
        dates = schedule.default_dates(
            election_day=election.election_day,
            party_meeting_day=election.party_meeting_day,
            params=cycle.rule_profile.params(),
            rest_days=rest_days_around(election.election_day),
        )
        Milestone.objects.bulk_create(
            [
                Milestone(
                    election=election,
                    kind=kind,
                    track=schedule.SPEC_BY_KIND[kind].track,
                    date=day,
                )
                for kind, day in dates.items()
            ]
        )
        audit.record(
            actor,
            "elections.community_election.created",
            election,
            data={"election_day": election.election_day.isoformat()},
        )
    return election


def schedule_violations(
    election: CommunityElection, dates: dict[str, dt.date] | None = None
) -> list[schedule.Violation]:
    if dates is None:
        dates = {m.kind: m.effective_date for m in election.milestones.all()}
    return schedule.check_schedule(
        dates,
        election_day=election.election_day,
        party_meeting_day=election.party_meeting_day,
        params=election.cycle.rule_profile.params(),
        rest_days=rest_days_around(election.election_day),
    )


def move_milestone(
    milestone: Milestone, new_date: dt.date, *, actor: Any, reason: str = ""
) -> Milestone:
    """Move a milestone to a lawful date, or to an unlawful one with a recorded reason.

    Derived milestones (objection deadlines, 另行选举 window …) follow from the
    others and cannot be moved by hand; they are recomputed here."""
    spec = schedule.SPEC_BY_KIND.get(milestone.kind)
    if spec is None or spec.derived:
        raise ElectionsError("这个节点由其他节点推算得出，不能直接修改")
    reason = reason.strip()
    with transaction.atomic():
        election = CommunityElection.objects.select_for_update().get(pk=milestone.election_id)
        milestones = {m.kind: m for m in Milestone.objects.filter(election=election)}
        current = milestones[milestone.kind]
        if current.done_on is not None:
            raise ElectionsError("这个节点已经完成，不能再调整计划日期")
        old_date = current.date
        dates = {kind: m.effective_date for kind, m in milestones.items()}
        before = {(v.kind, v.rule_id, v.message) for v in schedule_violations(election, dates)}
        dates[current.kind] = new_date
        after = schedule_violations(election, dates)
        new_violations = [v for v in after if (v.kind, v.rule_id, v.message) not in before]
        if new_violations and not reason:
            raise ElectionsError(
                "这个日期不符合规定。如确需调整，请填写例外理由。", issues=new_violations
            )
        current.date = new_date
        current.exception_reason = reason if new_violations else ""
        current.save(update_fields=["date", "exception_reason", "updated_at"])
        _refresh_derived(election, milestones, dates)
        audit.record(
            actor,
            "elections.milestone.moved_with_exception"
            if new_violations
            else "elections.milestone.moved",
            current,
            data={
                "kind": current.kind,
                "from": old_date.isoformat(),
                "to": new_date.isoformat(),
                "reason": reason,
                "violations": [f"{v.rule_id}: {v.message}" for v in new_violations],
            },
        )
    return current


def complete_milestone(
    milestone: Milestone,
    done_on: dt.date,
    *,
    actor: Any,
    reason: str = "",
    today: dt.date | None = None,
) -> Milestone:
    """Record the day a step really happened (e.g. the voter list was posted).

    Deadlines that follow from it (the objection window) are recomputed from that
    day. A day that breaks the law stands only with a recorded reason."""
    spec = schedule.SPEC_BY_KIND.get(milestone.kind)
    if spec is None or spec.derived:
        raise ElectionsError("这个节点由其他节点推算得出，不需要标记完成")
    today = today or timezone.localdate()
    if done_on > today:
        raise ElectionsError("完成日期不能晚于今天")
    reason = reason.strip()
    with transaction.atomic():
        election = CommunityElection.objects.select_for_update().get(pk=milestone.election_id)
        milestones = {m.kind: m for m in Milestone.objects.filter(election=election)}
        current = milestones[milestone.kind]
        if current.done_on is not None:
            raise ElectionsError(f"这个节点已于{current.done_on:%Y-%m-%d}标记完成")
        dates = {kind: m.effective_date for kind, m in milestones.items()}
        before = {(v.kind, v.rule_id, v.message) for v in schedule_violations(election, dates)}
        dates[current.kind] = done_on
        new_violations = [
            v
            for v in schedule_violations(election, dates)
            if (v.kind, v.rule_id, v.message) not in before
        ]
        if new_violations and not reason:
            raise ElectionsError(
                "这个完成日期不符合规定。如属实，请填写说明理由后再保存。", issues=new_violations
            )
        current.done_on = done_on
        if new_violations:
            current.exception_reason = reason
        current.save(update_fields=["done_on", "exception_reason", "updated_at"])
        _refresh_derived(election, milestones, dates)
        audit.record(
            actor,
            "elections.milestone.completed",
            current,
            data={
                "kind": current.kind,
                "done_on": done_on.isoformat(),
                "planned": current.date.isoformat(),
                "reason": reason,
                "violations": [f"{v.rule_id}: {v.message}" for v in new_violations],
            },
        )
    return current


def _refresh_derived(
    election: CommunityElection, milestones: dict[str, Milestone], dates: dict[str, dt.date]
) -> None:
    derived = schedule.derived_dates(
        dates,
        election_day=election.election_day,
        party_meeting_day=election.party_meeting_day,
        params=election.cycle.rule_profile.params(),
        rest_days=rest_days_around(election.election_day),
    )
    changed = []
    for kind, day in derived.items():
        existing = milestones.get(kind)
        if existing is not None and existing.date != day:
            existing.date = day
            changed.append(existing)
    if changed:
        Milestone.objects.bulk_update(changed, ["date"])


def advance_stage(election: CommunityElection, track: str, *, actor: Any) -> CommunityElection:
    """Move one track to its next stage, unless a registered check still blocks it."""
    if track not in TRACKS:
        raise ElectionsError("未知的工作线")
    with transaction.atomic():
        locked = (
            CommunityElection.objects.select_for_update()
            .select_related("community", "cycle__rule_profile")
            .get(pk=election.pk)
        )
        if locked.stage(track) != election.stage(track):
            raise ElectionsError("阶段已被他人更新，请刷新页面后再试")
        current = locked.stage(track)
        target = next_stage(track, current)
        if target is None:
            raise ElectionsError(f"{TRACK_LABELS[track]}已经完成")
        issues: list[Issue] = issues_before_leaving(locked, track)
        if issues:
            raise ElectionsError(
                f"还有 {len(issues)} 个问题需要先处理，才能进入下一阶段", issues=issues
            )
        field = "committee_stage" if track == "committee" else "party_stage"
        setattr(locked, field, target)
        locked.save(update_fields=[field, "updated_at"])
        audit.record(
            actor,
            f"elections.stage.{track}.advanced",
            locked,
            data={"from": current, "to": target},
        )
    return locked
