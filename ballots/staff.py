"""Polling staff (发票、唱票、计票、监票、代书; R8) and the voters of mobile boxes (R35).

R8: candidates and their near relatives may not serve. "Candidate" is anyone standing
in this election (提名人选 or 正式候选人, matched by voter or by the hash of the ID
number); "near relative" comes from the relations recorded on the 回避 page
(`candidates.Relation`), within the profile's `kinship_relation_set`. The decision is
`electionlaw.check_counting_staff`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

import electionlaw
from ballots.models import PlaceKind, PollingPlace
from ballots.polling_models import MobileBoxVoter, PollingStaff, StaffRole
from ballots.services import BallotsError
from candidates.models import Candidate, CandidateStatus, Relation
from electionlaw import Violation
from elections import audit
from elections.models import CommunityElection
from elections.registration.models import Voter, VoterStatus

POLLING_AUDIT_LABELS: Mapping[str, str] = {
    "ballots.staff.added": "安排监票计票人员",
    "ballots.staff.removed": "撤换监票计票人员",
    "ballots.mobile_voter.added": "登记流动票箱选民",
    "ballots.mobile_voter.removed": "移出流动票箱选民",
    "ballots.proxy.added": "办理委托投票",
    "ballots.proxy.withdrawn": "撤回委托投票",
}

#: R8 looks at people standing in this election.
STANDING = (CandidateStatus.NOMINEE, CandidateStatus.FORMAL)

#: The same relation seen from the other person (a is b's parent ⇔ b is a's child).
INVERSE_RELATION: Mapping[str, str] = {
    "spouse": "spouse",
    "parent": "child",
    "child": "parent",
    "sibling": "sibling",
    "grandparent": "grandchild",
    "grandchild": "grandparent",
    "maternal_grandparent": "maternal_grandchild",
    "maternal_grandchild": "maternal_grandparent",
    "other_lineal": "other_lineal",
    "other": "other",
}

#: `mobile_box_approver` → who signs the approval (R35).
APPROVER_LABELS: Mapping[str, str] = {
    "township": "街道换届选举指导机构",
    "residents_rep_meeting": "居民代表会议",
}


class PollingError(BallotsError):
    """A refused change of staff, mobile boxes or proxies; `violations` carries the
    rule ids when a rule refused it."""

    def __init__(
        self,
        message: str,
        errors: Mapping[str, str] | None = None,
        violations: Iterable[Violation] = (),
    ) -> None:
        super().__init__(message, errors)
        self.violations = tuple(violations)


def violation_text(v: Violation) -> str:
    return f"{v.message_zh}（规则 {'、'.join(v.rules)}）"


def _scope(election: CommunityElection) -> dict[str, Any]:
    """Where an audit row belongs: the community and its street."""
    return {"community_id": election.community_id, "street_id": election.community.street_id}


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def lock_open(election: CommunityElection) -> None:
    """Inside a transaction: lock the election row, then refuse if its results are
    certified (`ballots.certification.assert_open` raises BallotsError)."""
    from ballots.lock import assert_open

    CommunityElection.objects.select_for_update().filter(pk=election.pk).first()
    assert_open(election)


def is_eligible(voter: Voter) -> bool:
    """A registered voter with the right to vote (B6, R35)."""
    return voter.status == VoterStatus.REGISTERED and not voter.rights_deprived


# -- who stands in this election ------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """The people standing in an election: their voter ids, ID hashes and names."""

    voter_ids: frozenset[int]
    id_hashes: frozenset[str]
    names: Mapping[str, str]  # id_hash → name

    def includes(self, voter: Voter) -> bool:
        return voter.pk in self.voter_ids or voter.id_hash in self.id_hashes


def standing_in(election: CommunityElection) -> Standing:
    rows = list(
        Candidate.objects.filter(election=election, status__in=STANDING).values_list(
            "voter_id", "id_hash", "name"
        )
    )
    return Standing(
        voter_ids=frozenset(v for v, _h, _n in rows if v is not None),
        id_hashes=frozenset(h for _v, h, _n in rows if h),
        names={h: n for _v, h, n in rows},
    )


def relations_to_candidates(
    election: CommunityElection, voter: Voter, standing: Standing
) -> list[tuple[str, str]]:
    """(kind, candidate name): how `voter` is related to each candidate, seen from the
    voter (a relation recorded the other way round is inverted)."""
    out: list[tuple[str, str]] = []
    rows = Relation.objects.filter(election=election).filter(Q(a=voter) | Q(b=voter))
    for r in rows.select_related("a", "b"):
        if r.a_id == voter.pk:
            other, kind = r.b, r.kind
        else:
            other, kind = r.a, INVERSE_RELATION.get(r.kind, "other")
        if standing.includes(other):
            out.append((kind, other.name))
    return out


def staff_violations(
    election: CommunityElection, voter: Voter | None, name: str
) -> tuple[Violation, ...]:
    """R8 for one person (a voter of the roll, or a free name from outside it)."""
    params = election.cycle.rule_profile.params()
    standing = standing_in(election)
    if voter is None:
        # Someone from outside the roll cannot be matched by ID; a candidate's name
        # typed in as "outside" is refused so that R8 cannot be passed by mistake.
        return electionlaw.check_counting_staff(
            is_candidate=name in standing.names.values(),
            relation_set=params.kinship_relation_set,
        )
    return electionlaw.check_counting_staff(
        is_candidate=standing.includes(voter),
        relations_to_candidates=[k for k, _n in relations_to_candidates(election, voter, standing)],
        relation_set=params.kinship_relation_set,
    )


# -- staff ------------------------------------------------------------------------------


def add_staff(
    place: PollingPlace,
    *,
    role: str,
    voter: Voter | None = None,
    name: str = "",
    note: str = "",
    actor: Any,
) -> PollingStaff:
    """Put a person on a role at a place; refused for candidates and their near
    relatives (R8)."""
    election = place.election
    name, note = (voter.name if voter is not None else name.strip()), note.strip()[:100]
    errors: dict[str, str] = {}
    if role not in StaffRole.values:
        errors["role"] = "请选择职责"
    if not name:
        errors["name"] = "请填写姓名"
    if voter is not None and voter.election_id != election.pk:
        errors["name"] = "只能从本社区的选民名册中选择"
    if voter is not None and not is_eligible(voter):
        errors["name"] = f"{voter.name}不是有选举权的登记选民；名册外人员请勾选“名册外人员”"
    if errors:
        raise PollingError("没有保存，请改正标红的内容", errors)
    with transaction.atomic():
        lock_open(election)
        # R8 read under the election lock: publishing the candidate list takes the same
        # lock, so nobody becomes a candidate between this check and the insert.
        found = staff_violations(election, voter, name)
        if found:
            text = "；".join(violation_text(v) for v in found)
            raise PollingError(
                f"{name}不能担任{StaffRole(role).label}：{text}", {"name": text}, found
            )
        try:
            with transaction.atomic():
                obj = PollingStaff.objects.create(
                    place=place,
                    role=role,
                    voter=voter,
                    name=name[:50],
                    note=note,
                    created_by=_user(actor),
                )
        except IntegrityError:
            raise PollingError(
                f"{name}已是{place.name}的{StaffRole(role).label}", {"name": "已安排过"}
            ) from None
        audit.record(
            actor,
            "ballots.staff.added",
            obj,
            **_scope(election),
            data={
                "投票点": place.name,
                "职责": obj.get_role_display(),
                "姓名": obj.name,
                **({"说明": note} if note else {}),
                **({} if voter is not None else {"名册外人员": "是"}),
            },
        )
    return obj


def remove_staff(staff: PollingStaff, *, reason: str, actor: Any) -> None:
    reason = reason.strip()[:200]
    if not reason:
        raise PollingError("请填写撤换理由", {"reason": "请填写撤换理由"})
    election = staff.place.election
    with transaction.atomic():
        lock_open(election)
        if not PollingStaff.objects.select_for_update().filter(pk=staff.pk).exists():
            raise PollingError(f"{staff.name}已经撤换过了")
        audit.record(
            actor,
            "ballots.staff.removed",
            staff,
            **_scope(election),
            data={
                "投票点": staff.place.name,
                "职责": staff.get_role_display(),
                "姓名": staff.name,
                "理由": reason,
            },
        )
        staff.delete()


@dataclass(frozen=True)
class StaffProblem:
    """One thing to fix before the round opens: what is wrong (`text`, naming its rule)
    and what to do next (`todo`), with the place it belongs to."""

    text: str
    todo: str
    place_id: int


def staff_findings(election: CommunityElection) -> list[StaffProblem]:
    """What must be fixed before the round opens: a mobile box with fewer 监票人 than
    the profile requires (R35), and staff who have since become candidates or a
    candidate's near relatives (R8)."""
    params = election.cycle.rule_profile.params()
    places = list(PollingPlace.objects.filter(election=election).order_by("id"))
    staff = list(
        PollingStaff.objects.filter(place__election=election).select_related("voter", "place")
    )
    problems: list[StaffProblem] = []
    need = params.mobile_box_min_monitors
    for place in places:
        if place.kind != PlaceKind.MOBILE:
            continue
        have = sum(1 for s in staff if s.place_id == place.pk and s.role == StaffRole.MONITOR)
        if have < need:
            problems.append(
                StaffProblem(
                    f"流动票箱“{place.name}”只有{have}名监票人，至少需要{need}名（规则 R35）",
                    f"请在下面为“{place.name}”再安排{need - have}名监票人。",
                    place.pk,
                )
            )
    if staff:
        standing = standing_in(election)
        relations = list(Relation.objects.filter(election=election).select_related("a", "b"))
        for s in staff:
            if s.voter is None:
                is_candidate, kinds = s.name in standing.names.values(), []
            else:
                voter = s.voter
                is_candidate = standing.includes(voter)
                kinds = [
                    r.kind if r.a_id == voter.pk else INVERSE_RELATION.get(r.kind, "other")
                    for r in relations
                    if (r.a_id == voter.pk and standing.includes(r.b))
                    or (r.b_id == voter.pk and standing.includes(r.a))
                ]
            found = electionlaw.check_counting_staff(
                is_candidate=is_candidate,
                relations_to_candidates=kinds,
                relation_set=params.kinship_relation_set,
            )
            for v in found:
                problems.append(
                    StaffProblem(
                        f"{s.place.name}的{s.get_role_display()}{s.name}：{violation_text(v)}",
                        f"请撤换{s.name}，另外安排一位不是候选人、也不是候选人近亲属的人员。",
                        s.place_id,
                    )
                )
    return problems


def staff_problems(election: CommunityElection) -> list[str]:
    """The texts of `staff_findings`."""
    return [p.text for p in staff_findings(election)]


def staff_by_place(election: CommunityElection) -> dict[int, list[PollingStaff]]:
    out: dict[int, list[PollingStaff]] = {}
    rows = PollingStaff.objects.filter(place__election=election).select_related("voter")
    for s in rows.order_by("role", "id"):
        out.setdefault(s.place_id, []).append(s)
    return out


# -- mobile boxes -------------------------------------------------------------------------


def approver_label(election: CommunityElection) -> str:
    approver = election.cycle.rule_profile.params().mobile_box_approver
    return APPROVER_LABELS.get(approver, approver)


def add_mobile_voter(
    place: PollingPlace,
    voter: Voter,
    *,
    approved_by: str = "",
    approved_on: dt.date | None,
    document: str,
    reason: str = "",
    actor: Any,
) -> MobileBoxVoter:
    """R35: a voter votes through this mobile box, as approved by the body the profile
    names (`mobile_box_approver`)."""
    election = place.election
    approved_by = approved_by.strip()[:50] or approver_label(election)
    document, reason = document.strip()[:200], reason.strip()[:100]
    errors: dict[str, str] = {}
    if place.kind != PlaceKind.MOBILE:
        errors["place"] = "只能登记到流动票箱"
    if voter.election_id != election.pk or not is_eligible(voter):
        errors["name"] = f"{voter.name}不是本社区有选举权的登记选民"
    if approved_on is None:
        errors["approved_on"] = "请填写批准日期"
    if not document:
        errors["document"] = f"请填写{approved_by}的批准文件或会议记录"
    if errors:
        raise PollingError("没有保存，请改正标红的内容", errors)
    assert approved_on is not None
    with transaction.atomic():
        lock_open(election)
        existing = (
            MobileBoxVoter.objects.filter(election=election, voter=voter)
            .select_related("place")
            .first()
        )
        if existing is not None:
            raise PollingError(
                f"{voter.name}已登记在流动票箱“{existing.place.name}”，每位选民只能使用一个票箱",
                {"name": "已登记在其他票箱"},
            )
        try:
            with transaction.atomic():
                obj = MobileBoxVoter.objects.create(
                    election=election,
                    place=place,
                    voter=voter,
                    reason=reason,
                    approved_by=approved_by,
                    approved_on=approved_on,
                    document=document,
                    created_by=_user(actor),
                )
        except IntegrityError:
            raise PollingError(
                f"{voter.name}已登记在流动票箱，每位选民只能使用一个票箱", {"name": "已登记"}
            ) from None
        audit.record(
            actor,
            "ballots.mobile_voter.added",
            obj,
            **_scope(election),
            data={
                "票箱": place.name,
                "选民": voter.name,
                "批准机关": approved_by,
                "批准日期": approved_on.isoformat(),
                "批准文件": document,
            },
        )
    return obj


def remove_mobile_voter(entry: MobileBoxVoter, *, reason: str, actor: Any) -> None:
    reason = reason.strip()[:200]
    if not reason:
        raise PollingError("请填写移出理由", {"reason": "请填写移出理由"})
    with transaction.atomic():
        lock_open(entry.election)
        if not MobileBoxVoter.objects.select_for_update().filter(pk=entry.pk).exists():
            raise PollingError(f"{entry.voter.name}已经移出流动票箱了")
        audit.record(
            actor,
            "ballots.mobile_voter.removed",
            entry,
            **_scope(entry.election),
            data={"票箱": entry.place.name, "选民": entry.voter.name, "理由": reason},
        )
        entry.delete()
