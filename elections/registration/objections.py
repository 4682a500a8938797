"""Objections to the published voter list (选民名单申诉, RULES.md R13, G3, §9 N4).

Anyone may object within 5 days of the list's publication (R13, profile
``objection_days``); the election committee decides within 3 days of receipt
(``objection_decision_days``) and publishes the result (N4). An accepted objection
changes the roll through `elections.registration.services` — the same service, checks and audit
rows as any other change — in the same transaction as the decision.

The deadline arithmetic is `electionlaw.last_day_within` (G3: the start day is not
counted; 民法典 art. 203 moves a last day on a rest day to the next working day when
the profile's ``holiday_extension`` is on). The small functions below apply it to
objections and take plain dates, so they can be tested at every boundary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from electionlaw import RuleParams, is_within, last_day_within
from electionlaw.dates import MAX_REST_DAY_RUN
from elections import audit
from elections.calendar import rest_days_around
from elections.formatting import cn_date
from elections.models import CommunityElection, Milestone
from elections.registration.models import (
    Objection,
    ObjectionKind,
    ObjectionStatus,
    Voter,
    VoterSource,
    VoterStatus,
)
from elections.registration.services import (
    EDITABLE_FIELDS,
    VoterData,
    VoterError,
    eligible_voters,
    register_voter,
    remove_voter,
    update_voter,
)

PUBLICATION_MILESTONE = "voter_list_published"

# Objections about someone on the list name that voter; an omission is about
# someone who is not on it.
KINDS_NEEDING_SUBJECT = frozenset({ObjectionKind.WRONG_ENTRY, ObjectionKind.SHOULD_NOT_BE_LISTED})

# What the N4 notice says was done (RULES.md §9 N4: added, removed, corrected).
OUTCOME_ADDED = "增加"
OUTCOME_CORRECTED = "更正"
OUTCOME_REMOVED = "移除"
OUTCOME_REJECTED = "不予支持"
_ACCEPTED_OUTCOMES = {
    ObjectionKind.OMISSION: OUTCOME_ADDED,
    ObjectionKind.WRONG_ENTRY: OUTCOME_CORRECTED,
    ObjectionKind.SHOULD_NOT_BE_LISTED: OUTCOME_REMOVED,
}


class ObjectionError(VoterError):
    """A refusal about an objection, with Chinese messages ({field: message}).

    A subclass of `VoterError`, so that a caller handling the roll's refusals also
    handles these: an accepted objection fails exactly when its roll change does."""


# -- deadlines (pure: dates and the profile's parameters in, dates out) ------------------


def objection_window_last_day(
    published: dt.date, params: RuleParams, rest_days: Container[dt.date]
) -> dt.date:
    """The last day to object: "自公布之日起5日内" (R13).

    G3 / 民法典 art. 201: the publication day is not counted, so the last day is
    ``published + objection_days``; art. 203: on a rest day it moves to the next
    working day when ``holiday_extension`` is on."""
    return last_day_within(
        published,
        params.objection_days,
        rest_days=rest_days,
        extend_for_rest_days=params.holiday_extension,
    )


def received_in_time(
    received_on: dt.date,
    published: dt.date,
    params: RuleParams,
    rest_days: Container[dt.date],
) -> bool:
    """R13, G3: was the objection lodged within the window (example 49)?"""
    return is_within(
        received_on,
        published,
        params.objection_days,
        rest_days=rest_days,
        extend_for_rest_days=params.holiday_extension,
    )


def decision_deadline(
    received_on: dt.date, params: RuleParams, rest_days: Container[dt.date]
) -> dt.date:
    """The last day to decide: "自收到申诉之日起三日内作出处理决定" (R13, G3).

    ``received_on + objection_decision_days``, extended past rest days like the
    window itself (the same profile flag)."""
    return last_day_within(
        received_on,
        params.objection_decision_days,
        rest_days=rest_days,
        extend_for_rest_days=params.holiday_extension,
    )


def decided_in_time(
    decided_on: dt.date,
    received_on: dt.date,
    params: RuleParams,
    rest_days: Container[dt.date],
) -> bool:
    """R13: decided by the deadline? A later decision is an SLA breach (example 50)."""
    return decided_on <= decision_deadline(received_on, params, rest_days)


# -- one election's window -----------------------------------------------------------


# Rest days are read once per page for this many days after publication; a later
# date (a very late objection) reads its own.
_REST_DAY_SPAN = 180


@dataclass(frozen=True)
class ObjectionWindow:
    """One election's objection period, from its voter-list publication date."""

    published: dt.date
    # True when the milestone has no done_on: the planned date is used (按计划日期计算).
    planned: bool
    last_day: dt.date
    params: RuleParams
    rest_days: frozenset[dt.date]

    def _rest_days_for(self, day: dt.date) -> frozenset[dt.date]:
        covered_until = self.published + dt.timedelta(days=_REST_DAY_SPAN)
        needed = day + dt.timedelta(days=self.params.objection_decision_days + MAX_REST_DAY_RUN)
        if self.published <= day and needed <= covered_until:
            return self.rest_days
        return rest_days_around(day, before=0, after=_REST_DAY_SPAN)

    def received_late(self, received_on: dt.date) -> bool:
        """R13: received after the last day of the window (逾期)."""
        return received_on > self.last_day

    def decision_deadline(self, received_on: dt.date) -> dt.date:
        return decision_deadline(received_on, self.params, self._rest_days_for(received_on))

    def days_left(self, today: dt.date) -> int:
        """Days from today to the last day: 0 on the last day, negative once it is over."""
        return (self.last_day - today).days

    def is_over(self, today: dt.date) -> bool:
        return today > self.last_day

    def not_yet_open(self, today: dt.date) -> bool:
        return today < self.published


def objection_window(election: CommunityElection) -> ObjectionWindow | None:
    """The window from the `voter_list_published` milestone: its done_on if set,
    else its planned date. None when the election has no such milestone."""
    milestone = (
        Milestone.objects.filter(election=election, kind=PUBLICATION_MILESTONE)
        .only("date", "done_on")
        .first()
    )
    if milestone is None:
        return None
    published = milestone.done_on or milestone.date
    params = election.cycle.rule_profile.params()
    rest_days = rest_days_around(published, before=0, after=_REST_DAY_SPAN)
    return ObjectionWindow(
        published=published,
        planned=milestone.done_on is None,
        last_day=objection_window_last_day(published, params, rest_days),
        params=params,
        rest_days=rest_days,
    )


@dataclass(frozen=True)
class ObjectionRow:
    """An objection with what the list shows about its deadlines."""

    objection: Objection
    late: bool  # received after the window (R13)
    decision_deadline: dt.date
    days_left: int | None  # pending only: days to the decision deadline (negative: overdue)
    sla_breach: bool  # decided after the deadline (R13, example 50)

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0


def objection_row(objection: Objection, window: ObjectionWindow, today: dt.date) -> ObjectionRow:
    deadline = window.decision_deadline(objection.received_on)
    pending = objection.status == ObjectionStatus.PENDING
    return ObjectionRow(
        objection=objection,
        late=window.received_late(objection.received_on),
        decision_deadline=deadline,
        days_left=(deadline - today).days if pending else None,
        sla_breach=(
            not pending and objection.decided_on is not None and objection.decided_on > deadline
        ),
    )


def objection_rows(
    election: CommunityElection, window: ObjectionWindow | None, today: dt.date
) -> list[ObjectionRow]:
    """The election's objections, newest first, each with its deadlines."""
    if window is None:
        return []
    objections = (
        Objection.objects.filter(election=election)
        .select_related("subject_voter")
        .order_by("-received_on", "-id")
    )
    return [objection_row(o, window, today) for o in objections]


# -- services --------------------------------------------------------------------------


def _require_window(election: CommunityElection) -> ObjectionWindow:
    window = objection_window(election)
    if window is None:
        message = "本社区还没有“张榜公布选民名单”的日期，不能登记申诉（规则 R13）"
        raise ObjectionError(message, errors={"received_on": message})
    return window


def _actor_or_none(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def record_objection(
    election: CommunityElection,
    *,
    complainant_name: str,
    complainant_phone: str = "",
    kind: str,
    subject_voter: Voter | None = None,
    subject_name: str = "",
    description: str,
    received_on: dt.date,
    actor: Any,
    today: dt.date | None = None,
) -> Objection:
    """Record an objection to the published list (R13).

    One received after the window is recorded and flagged late (逾期); the
    decision may reject it for that. ``subject_name`` defaults to the subject
    voter's name; an omission names a person who is not on the list."""
    today = today or timezone.localdate()
    complainant_name = complainant_name.strip()
    complainant_phone = complainant_phone.strip()
    subject_name = subject_name.strip()
    description = description.strip()
    errors: dict[str, str] = {}
    if not complainant_name:
        errors["complainant_name"] = "请填写申诉人姓名"
    elif len(complainant_name) > 50:
        errors["complainant_name"] = "申诉人姓名不能超过50个字"
    if len(complainant_phone) > 30:
        errors["complainant_phone"] = "联系电话不能超过30个字符"
    if kind not in ObjectionKind.values:
        errors["kind"] = "请选择申诉事项：漏登、错登或不应登记而登记"
    elif kind in KINDS_NEEDING_SUBJECT:
        if subject_voter is None:
            errors["subject_voter"] = "错登或不应登记的申诉，请选择名单中涉及的选民"
        elif subject_voter.election_id != election.pk:
            errors["subject_voter"] = "所选的人不在本社区的选民名单中"
        elif subject_voter.status == VoterStatus.REMOVED:
            errors["subject_voter"] = f"{subject_voter.name}已被移出选民名单，不能再对其登记申诉"
        elif not subject_name:
            subject_name = subject_voter.name
    elif subject_voter is not None:
        errors["subject_voter"] = "漏登申诉涉及的是名单上没有的人，不要选择名单中的选民"
    if kind == ObjectionKind.OMISSION and not subject_name:
        errors["subject_name"] = "请填写漏登人员的姓名"
    if len(subject_name) > 50:
        errors["subject_name"] = "姓名不能超过50个字"
    if not description:
        errors["description"] = "请写明申诉的内容和理由"
    window = _require_window(election)
    if received_on > today:
        errors["received_on"] = f"收到日期不能晚于今天（{cn_date(today)}）"
    elif received_on < window.published:
        basis = "（按计划日期计算）" if window.planned else ""
        errors["received_on"] = (
            f"收到日期不能早于选民名单公布日期{cn_date(window.published)}{basis}"
        )
    if errors:
        raise ObjectionError("请改正标出的内容后再保存", errors=errors)

    with transaction.atomic():
        # One recording at a time per election, so that a double submission is caught.
        CommunityElection.objects.select_for_update().filter(pk=election.pk).first()
        duplicate = (
            Objection.objects.filter(
                election=election,
                complainant_name=complainant_name,
                kind=kind,
                subject_voter=subject_voter,
                subject_name=subject_name,
                description=description,
                received_on=received_on,
            )
            .only("pk")
            .first()
        )
        if duplicate is not None:
            raise ObjectionError(
                f"同样的申诉已经登记过（编号 {duplicate.pk}），请勿重复提交",
                errors={"__all__": "重复提交"},
            )
        objection = Objection.objects.create(
            election=election,
            complainant_name=complainant_name,
            complainant_phone=complainant_phone,
            kind=kind,
            subject_voter=subject_voter,
            subject_name=subject_name,
            description=description,
            received_on=received_on,
            created_by=_actor_or_none(actor),
        )
        late = window.received_late(received_on)
        audit.record(
            actor,
            "elections.objection.received",
            objection,
            community_id=election.community_id,
            data={
                "objection_kind": ObjectionKind(kind).label,
                "subject": subject_name,
                "complainant": complainant_name,
                "phone": complainant_phone,
                "received_on": received_on.isoformat(),
                "deadline": window.decision_deadline(received_on).isoformat(),
                # R13: recorded, but flagged.
                "late": (f"申诉期已于{cn_date(window.last_day)}结束（规则 R13）" if late else None),
            },
        )
    return objection


def _apply_to_roll(
    objection: Objection,
    *,
    reason: str,
    actor: Any,
    voter_data: VoterData | None,
    corrections: Mapping[str, Any] | None,
    today: dt.date,
) -> tuple[Voter, dict[str, Any]]:
    """Change the roll as an accepted objection says, through the voter services."""
    roll_reason = f"申诉处理（编号 {objection.pk}）：{reason}"
    if objection.kind == ObjectionKind.OMISSION:
        if voter_data is None:
            raise ObjectionError(
                "申诉成立时，请填写要补登的选民的登记信息",
                errors={"voter": "请填写选民信息"},
            )
        voter = register_voter(
            objection.election,
            voter_data,
            actor=actor,
            source=VoterSource.OBJECTION,
            source_objection=objection,
            today=today,
        )
        return voter, {}
    if objection.subject_voter_id is None:
        raise ObjectionError("这件申诉没有涉及名单中的选民，无法更改名单")
    subject = Voter.objects.get(pk=objection.subject_voter_id)
    if objection.kind == ObjectionKind.WRONG_ENTRY:
        corrections = dict(corrections or {})
        unknown = set(corrections) - set(EDITABLE_FIELDS)
        if unknown:
            raise ObjectionError(f"不能更正这些内容：{'、'.join(sorted(unknown))}")
        changed = {
            name: value
            for name, value in corrections.items()
            if _comparable(getattr(subject, name)) != _comparable(value)
        }
        if not changed:
            raise ObjectionError(
                "申诉成立时，请填写更正后的登记信息（至少改动一项）",
                errors={"corrections": "没有改动"},
            )
        voter = update_voter(
            subject, changed, actor=actor, reason=roll_reason, source_objection=objection
        )
        return voter, changed
    voter = remove_voter(subject, actor=actor, reason=roll_reason, source_objection=objection)
    return voter, {}


def _field_label(name: str) -> str:
    for model_field in Voter._meta.concrete_fields:
        if model_field.name == name:
            return str(model_field.verbose_name)
    return name


def _comparable(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    return value


def decide_objection(
    objection: Objection,
    *,
    accepted: bool,
    reason: str,
    decided_on: dt.date,
    actor: Any,
    voter_data: VoterData | None = None,
    corrections: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
) -> Objection:
    """Decide an objection (R13); when accepted, change the roll in the same transaction.

    Accepted omission → `register_voter` (source 申诉处理, linked to the objection)
    with ``voter_data``; accepted wrong entry → `update_voter` with the changed
    fields of ``corrections``; accepted "should not be listed" → `remove_voter`.
    If the roll change is refused (`VoterError`), nothing is saved. A decision
    after the deadline is saved and flagged (example 50). Deciding twice is refused."""
    today = today or timezone.localdate()
    reason = reason.strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = "请填写处理理由"
    if decided_on > today:
        errors["decided_on"] = f"决定日期不能晚于今天（{cn_date(today)}）"
    if errors:
        raise ObjectionError("请改正标出的内容后再保存", errors=errors)

    with transaction.atomic():
        locked = (
            Objection.objects.select_for_update(of=("self",))
            .select_related("election__cycle__rule_profile", "election__community")
            .get(pk=objection.pk)
        )
        if locked.status != ObjectionStatus.PENDING:
            when = f"已于{cn_date(locked.decided_on)}" if locked.decided_on else "已"
            raise ObjectionError(
                f"这件申诉{when}处理（{locked.get_status_display()}），不能重复处理",
                errors={"__all__": "已处理"},
            )
        if decided_on < locked.received_on:
            message = f"决定日期不能早于收到申诉的日期（{cn_date(locked.received_on)}）"
            raise ObjectionError(message, errors={"decided_on": message})
        window = _require_window(locked.election)
        voter: Voter | None = None
        changed: dict[str, Any] = {}
        if accepted:
            voter, changed = _apply_to_roll(
                locked,
                reason=reason,
                actor=actor,
                voter_data=voter_data,
                corrections=corrections,
                today=today,
            )
        locked.status = ObjectionStatus.ACCEPTED if accepted else ObjectionStatus.REJECTED
        locked.decision_reason = reason
        locked.decided_on = decided_on
        locked.decided_by = _actor_or_none(actor)
        locked.save(update_fields=["status", "decision_reason", "decided_on", "decided_by"])
        deadline = window.decision_deadline(locked.received_on)
        audit.record(
            actor,
            "elections.objection.decided",
            locked,
            community_id=locked.election.community_id,
            data={
                "objection_kind": ObjectionKind(locked.kind).label,
                "subject": voter.name if voter is not None else locked.subject_name,
                "decision": str(locked.get_status_display()),
                "reason": reason,
                "decided_on": decided_on.isoformat(),
                "deadline": deadline.isoformat(),
                # R13, example 50: saved, but flagged.
                "sla_breach": (
                    f"超过处理期限（{cn_date(deadline)}，规则 R13）"
                    if decided_on > deadline
                    else None
                ),
                "voter": voter.pk if voter is not None else None,
                "fields": [_field_label(name) for name in changed] or None,
            },
        )
    return locked


# -- the N4 notice -------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectionResult:
    """One line of the 选民名单申诉处理结果公告 (N4): public data only (RULES.md §9)."""

    number: int
    name: str
    group: str
    outcome: str  # 增加 / 更正 / 移除 / 不予支持
    decided_on: dt.date


def objection_results(election: CommunityElection) -> list[ObjectionResult]:
    """The decided objections, in decision order, as the N4 notice lists them.

    Only the person's name, 居民小组, what was decided and when: no ID number,
    phone, address, nor anything about the complainant (§9, PIPL art. 6)."""
    decided = list(
        Objection.objects.filter(election=election)
        .exclude(status=ObjectionStatus.PENDING)
        .select_related("subject_voter")
        .only(
            "pk",
            "kind",
            "status",
            "subject_name",
            "decided_on",
            "subject_voter__name",
            "subject_voter__group",
        )
        .order_by("decided_on", "id")
    )
    added = {
        voter.source_objection_id: voter
        for voter in Voter.objects.filter(
            source_objection__in=[o.pk for o in decided if o.kind == ObjectionKind.OMISSION]
        ).only("name", "group", "source_objection")
    }
    results = []
    for number, objection in enumerate(decided, start=1):
        voter = added.get(objection.pk) or objection.subject_voter
        accepted = objection.status == ObjectionStatus.ACCEPTED
        assert objection.decided_on is not None
        results.append(
            ObjectionResult(
                number=number,
                name=voter.name if voter is not None else objection.subject_name,
                group=voter.group if voter is not None else "",
                outcome=(
                    _ACCEPTED_OUTCOMES[ObjectionKind(objection.kind)]
                    if accepted
                    else OUTCOME_REJECTED
                ),
                decided_on=objection.decided_on,
            )
        )
    return results


def registered_voter_count(election: CommunityElection) -> int:
    """The revised count for the N4 notice: 登记参加选举的选民数 (G6), the same set
    as `eligible_voters` (registered, not deprived, 18 on election day)."""
    return eligible_voters(election).count()


def added_voters(objection: Objection) -> list[Voter]:
    """The voter an accepted omission put on the roll (linked by source_objection)."""
    if objection.kind != ObjectionKind.OMISSION or objection.status != ObjectionStatus.ACCEPTED:
        return []
    return list(Voter.objects.filter(source_objection=objection))


def pending_count(election: CommunityElection) -> int:
    return Objection.objects.filter(election=election, status=ObjectionStatus.PENDING).count()
