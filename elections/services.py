"""Every state change of the core app (STYLE.md habit 1): each service owns its
transaction, its row locks and its audit row. Views, commands and tasks call
these and nothing else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from elections import audit, schedule
from elections.access import forget_scope
from elections.calendar import rest_days_around, state_council_days
from elections.formatting import cn_date
from elections.models import (
    COMMITTEE_STAGES,
    PARTY_STAGES,
    ROLE_SCOPES,
    TRACK_LABELS,
    TRACKS,
    Community,
    CommunityElection,
    Department,
    District,
    ElectionCycle,
    Milestone,
    RestDay,
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


def next_term(street: Street) -> int:
    """The term a new cycle of `street` gets by default: one after its latest."""
    latest = street.cycles.order_by("-term").values_list("term", flat=True).first()
    return (latest or 0) + 1


#: Every stage but "done", of either track.
_UNFINISHED = sorted({code for code, _ in COMMITTEE_STAGES + PARTY_STAGES if code != "done"})


def open_cycle(
    *,
    street: Street,
    term: int,
    name: str,
    election_day: dt.date,
    party_meeting_day: dt.date | None,
    profile: RuleProfile,
    actor: Any,
) -> ElectionCycle:
    """The street officer opens a cycle for every community of the street (the page's
    service: create_cycle with the refusals a person can read)."""
    name = name.strip()
    if not name:
        raise ElectionsError("请填写换届名称")
    with transaction.atomic():
        Street.objects.select_for_update().get(pk=street.pk)
        if ElectionCycle.objects.filter(street=street, term=term).exists():
            raise ElectionsError(f"{street.name}第{term}届换届已经创建过了")
        running = (
            ElectionCycle.objects.filter(street=street)
            .filter(
                Q(elections__committee_stage__in=_UNFINISHED)
                | Q(elections__party_stage__in=_UNFINISHED)
            )
            .distinct()
            .first()
        )
        if running is not None:
            # A street runs one 换届 at a time: a second one would hide the first's rolls,
            # schedules and objections behind it.
            raise ElectionsError(
                f"“{running.name}”还没有完成（有社区尚未走到“已完成”），"
                "同一街道同时只能进行一次换届。请先完成本届，或在本届的社区页面更改选举日。"
            )
        if not street.communities.exists():
            raise ElectionsError(f"{street.name}还没有社区，请先添加社区再创建换届")
        return create_cycle(
            street=street,
            term=term,
            name=name,
            election_day=election_day,
            party_meeting_day=party_meeting_day,
            profile=profile,
            actor=actor,
        )


def create_community(
    *, street: Street, code: str, name: str, cycle: ElectionCycle | None, actor: Any
) -> Community:
    """Add a community to a street, and (optionally) to the street's current cycle."""
    code, name = code.strip().upper(), name.strip()
    if cycle is not None and cycle.street_id != street.pk:
        raise ElectionsError("只能加入本街道的换届")
    with transaction.atomic():
        if Community.objects.filter(code=code).exists():
            raise ElectionsError(f"社区代码“{code}”已被使用，请换一个")
        try:
            with transaction.atomic():
                community = Community.objects.create(street=street, code=code, name=name)
        except IntegrityError:
            raise ElectionsError(f"社区代码“{code}”已被使用，请换一个") from None
        audit.record(
            actor,
            "elections.community.created",
            community,
            data={"code": code, "community_name": name, "cycle": cycle.name if cycle else ""},
        )
        if cycle is not None:
            add_community_to_cycle(cycle, community, actor=actor)
    return community


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


# Stages after which the committee's election day can no longer change.
_VOTED_STAGES = ("voting", "results", "certification", "handover", "done")


@dataclass(frozen=True)
class Postponement:
    election: CommunityElection
    moved: list[str]  # milestone kinds moved to their new default day
    warnings: list[schedule.Violation]  # done milestones now unlawful


def change_election_day(
    election: CommunityElection,
    new_day: dt.date,
    *,
    reason: str,
    actor: Any,
    today: dt.date | None = None,
) -> Postponement:
    """Change (postpone) one community's election day and recompute its schedule.

    The committee track's milestones not done yet move to their new default days
    (and lose any exception reason: the default is lawful); done ones stay where
    they happened, and are reported when the new day makes them unlawful. The party
    track does not follow the election day and is left as it is."""
    today = today or timezone.localdate()
    problem = reason_problem(reason)
    if problem is not None:
        raise ElectionsError(problem.replace("例外理由", "改期理由"))
    reason = reason.strip()
    if new_day <= today:
        raise ElectionsError("新的选举日须在今天之后")
    with transaction.atomic():
        locked = (
            CommunityElection.objects.select_for_update(of=("self",))
            .select_related("community", "cycle__rule_profile")
            .get(pk=election.pk)
        )
        if locked.committee_stage in _VOTED_STAGES:
            raise ElectionsError("已经进入投票阶段，不能再更改选举日")
        old_day = locked.election_day
        if new_day == old_day:
            raise ElectionsError("新的选举日与原选举日相同")
        locked.election_day = new_day
        locked.save(update_fields=["election_day", "updated_at"])
        moved, warnings = _reschedule(locked)
        audit.record(
            actor,
            "elections.community_election.election_day_changed",
            locked,
            data={
                "from": old_day.isoformat(),
                "to": new_day.isoformat(),
                "reason": reason,
                "moved": moved,
                "violations": [f"{v.rule_id}: {v.message}" for v in warnings],
            },
        )
    return Postponement(locked, moved, warnings)


def _reschedule(election: CommunityElection) -> tuple[list[str], list[schedule.Violation]]:
    params = election.cycle.rule_profile.params()
    rest_days = rest_days_around(election.election_day)
    defaults = schedule.default_dates(
        election_day=election.election_day,
        party_meeting_day=election.party_meeting_day,
        params=params,
        rest_days=rest_days,
    )
    milestones = {m.kind: m for m in Milestone.objects.filter(election=election)}
    changed: list[Milestone] = []
    for kind, m in milestones.items():
        spec = schedule.SPEC_BY_KIND.get(kind)
        if spec is None or spec.track != schedule.COMMITTEE or spec.derived:
            continue
        if (
            m.done_on is None
            and kind in defaults
            and (m.date, m.exception_reason)
            != (
                defaults[kind],
                "",
            )
        ):
            m.date, m.exception_reason = defaults[kind], ""
            changed.append(m)
    if changed:
        Milestone.objects.bulk_update(changed, ["date", "exception_reason"])
    dates = {kind: m.effective_date for kind, m in milestones.items()}
    _refresh_derived(election, milestones, dates)
    done = {kind for kind, m in milestones.items() if m.done_on is not None}
    warnings = [v for v in schedule_violations(election, dates) if v.kind in done]
    return sorted(m.kind for m in changed), warnings


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

    A recorded reason is only ever replaced by another valid reason, or cleared by
    moving to a lawful date; both are audited with the old reason. Derived
    milestones (objection deadlines, 另行选举 window …) follow from the others and
    cannot be moved by hand; they are recomputed here."""
    spec = schedule.SPEC_BY_KIND.get(milestone.kind)
    if spec is None or spec.derived:
        raise ElectionsError("这个节点由其他节点推算得出，不能直接修改")
    reason = reason.strip()
    with transaction.atomic():
        election = (
            CommunityElection.objects.select_for_update(of=("self",))
            .select_related("cycle__rule_profile")
            .get(pk=milestone.election_id)
        )
        milestones = {m.kind: m for m in Milestone.objects.filter(election=election)}
        current = milestones[milestone.kind]
        if current.done_on is not None:
            raise ElectionsError("这个节点已经完成，不能再调整计划日期")
        old_date, old_reason = current.date, current.exception_reason
        dates = {kind: m.effective_date for kind, m in milestones.items()}
        broken = _violations_of_change(election, dates, current.kind, new_date)
        if broken:
            _check_exception(election, new_date, reason, broken, "这个日期不符合规定。")
        dates[current.kind] = new_date
        current.date = new_date
        current.exception_reason = reason if broken else ""
        current.save(update_fields=["date", "exception_reason", "updated_at"])
        _refresh_derived(election, milestones, dates)
        audit.record(
            actor,
            "elections.milestone.moved_with_exception" if broken else "elections.milestone.moved",
            current,
            data={
                "kind": current.kind,
                "from": old_date.isoformat(),
                "to": new_date.isoformat(),
                "reason": current.exception_reason,
                "old_reason": old_reason,
                "reason_removed": bool(old_reason) and not current.exception_reason,
                "violations": [f"{v.rule_id}: {v.message}" for v in broken],
            },
        )
    return current


# A reason is at least this many characters (after trimming), and not one character
# repeated: the shortest real reasons name who decided and why, e.g. "领导小组批准"
# (6) or "因寒潮推迟张贴" (7); "x", "无" or "同意" say nothing an auditor can check.
MIN_REASON_CHARS = 6


def reason_problem(reason: str) -> str | None:
    """Why `reason` cannot stand as an exception reason, or None if it can."""
    text = reason.strip()
    if not text:
        return "请填写例外理由。"
    if len(text) < MIN_REASON_CHARS or len(set(text)) == 1:
        return (
            f"例外理由至少{MIN_REASON_CHARS}个字，并写明由谁决定、为什么，"
            "例如“经街道换届领导小组批准，因寒潮推迟张贴”。"
        )
    return None


def exception_window(election: CommunityElection) -> tuple[dt.date, dt.date]:
    """The days an exception date may fall on: from the day the cycle was opened to the
    end of the longest window after election day the schedule knows (the handover, R39,
    or the 另行选举 window R31 where the profile's is longer)."""
    params = election.cycle.rule_profile.params()
    after = max(schedule.HANDOVER_DAYS, params.lingxing_window_days)
    start = timezone.localdate(election.cycle.created_at)
    return start, election.election_day + dt.timedelta(days=after)


def _violations_of_change(
    election: CommunityElection, dates: dict[str, dt.date], kind: str, day: dt.date
) -> list[schedule.Violation]:
    """What is unlawful about `kind` on `day`: violations the change brings, and the
    milestone's own violations (so an already unlawful date keeps needing its reason)."""
    before = {(v.kind, v.rule_id, v.message) for v in schedule_violations(election, dates)}
    changed = {**dates, kind: day}
    return [
        v
        for v in schedule_violations(election, changed)
        if v.kind == kind or (v.kind, v.rule_id, v.message) not in before
    ]


def _check_exception(
    election: CommunityElection,
    day: dt.date,
    reason: str,
    broken: list[schedule.Violation],
    lead: str,
) -> None:
    problem = reason_problem(reason)
    if problem is not None:
        raise ElectionsError(f"{lead}如确需这样安排，{problem}", issues=broken)
    start, end = exception_window(election)
    if not start <= day <= end:
        raise ElectionsError(
            f"例外日期须在本次换届期间：{cn_date(start)}（创建换届之日）至"
            f"{cn_date(end)}（选举日后工作移交期满）之间。",
            issues=broken,
        )


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
        election = (
            CommunityElection.objects.select_for_update(of=("self",))
            .select_related("cycle__rule_profile")
            .get(pk=milestone.election_id)
        )
        milestones = {m.kind: m for m in Milestone.objects.filter(election=election)}
        current = milestones[milestone.kind]
        if current.done_on is not None:
            raise ElectionsError(f"这个节点已于{cn_date(current.done_on)}标记完成")
        if not reason and done_on == current.date:
            reason = current.exception_reason  # done as planned: the planned reason stands
        dates = {kind: m.effective_date for kind, m in milestones.items()}
        new_violations = _violations_of_change(election, dates, current.kind, done_on)
        if new_violations:
            _check_exception(election, done_on, reason, new_violations, "这个完成日期不符合规定。")
        dates[current.kind] = done_on
        old_reason = current.exception_reason
        current.done_on = done_on
        current.exception_reason = reason if new_violations else ""
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
                "reason": current.exception_reason,
                "old_reason": old_reason,
                "reason_removed": bool(old_reason) and not current.exception_reason,
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
            CommunityElection.objects.select_for_update(of=("self",))
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


# -- rest days (法定节假日 and 调休) ---------------------------------------------------------


@dataclass(frozen=True)
class RestDaySync:
    year: int
    has_data: bool
    created: int = 0
    updated: int = 0
    deleted: int = 0
    kept_local: int = 0


def sync_rest_days(year: int, *, actor: Any = None) -> RestDaySync:
    """Store the State Council's weekday holidays and 调休 working days for `year`.

    Idempotent: a second run changes nothing. Rows from a local source (added in the
    admin) are kept as they are; State Council rows no longer in the calendar go."""
    official = state_council_days(year)
    if official is None:
        return RestDaySync(year, has_data=False)
    wanted = {day.date: day for day in official}
    with transaction.atomic():
        existing = {r.date: r for r in RestDay.objects.select_for_update().filter(date__year=year)}
        local = {d for d, r in existing.items() if r.source != RestDay.SOURCE_STATE_COUNCIL}
        create = [
            RestDay(
                date=d,
                is_working_day=day.is_working_day,
                name=day.name,
                source=RestDay.SOURCE_STATE_COUNCIL,
            )
            for d, day in wanted.items()
            if d not in existing
        ]
        update = []
        for d, day in wanted.items():
            row = existing.get(d)
            if row is None or d in local:
                continue
            if (row.is_working_day, row.name) != (day.is_working_day, day.name):
                row.is_working_day, row.name = day.is_working_day, day.name
                update.append(row)
        stale = [r.pk for d, r in existing.items() if d not in wanted and d not in local]
        RestDay.objects.bulk_create(create)
        RestDay.objects.bulk_update(update, ["is_working_day", "name"])
        RestDay.objects.filter(pk__in=stale).delete()
        result = RestDaySync(
            year,
            has_data=True,
            created=len(create),
            updated=len(update),
            deleted=len(stale),
            kept_local=len(local & set(wanted)),
        )
        if create or update or stale:
            audit.record(
                actor,
                "elections.rest_days.synced",
                data={
                    "year": year,
                    "created": result.created,
                    "updated": result.updated,
                    "deleted": result.deleted,
                    "kept_local": result.kept_local,
                },
            )
    return result
