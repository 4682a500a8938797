"""Kinship avoidance (回避, R4, R7, R8) before the vote: relations between people, the
居务监督委员会, and the warnings when related people stand for or sit together on the
两委 and the supervisory committee, or a candidate's relative sits on the election
committee. The count resolves conflicts among the elected by R30 (ballots issue).

A person is known by the hash of their ID number, so that a party-track candidate
(from the party-member roll) and a residents' committee candidate (from the voter
roll) are recognised as the same person. Warnings never block: the law leaves the
choice to the voters and the result is resolved by R30 (RULES.md §4 B1)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from candidates.models import (
    ACTIVE_STATUSES,
    RELATION_CHOICES,
    Candidate,
    CommitteeMember,
    CommitteeMemberStatus,
    Relation,
    SupervisionMember,
    Track,
)
from candidates.services import CandidateError
from electionlaw import avoidance_conflicts, relation_in_set
from elections import audit
from elections.models import CommunityElection
from elections.registration.models import Voter, VoterStatus

AUDIT_LABELS: Mapping[str, str] = {
    "candidates.relation.added": "记录亲属关系",
    "candidates.relation.removed": "删除亲属关系",
    "candidates.supervision.added": "记入居务监督委员会成员",
    "candidates.supervision.removed": "移出居务监督委员会成员",
}

KIND_LABELS: Mapping[str, str] = dict(RELATION_CHOICES)
CODE_LABELS: Mapping[str, str] = {
    "two_committees": "“两委”人选之间",
    "supervision": "“两委”与居务监督委员会",
    "election_committee": "候选人与选举委员会",
}


@dataclass
class Person:
    """Someone the avoidance rules look at, with every place they hold."""

    key: str  # id_hash
    name: str
    voter_id: int | None = None
    places: list[str] = field(default_factory=list)
    two_committees: bool = False
    supervision: bool = False
    election_committee: bool = False

    @property
    def label(self) -> str:
        return f"{self.name}（{'、'.join(self.places)}）" if self.places else self.name


@dataclass(frozen=True)
class KinshipWarning:
    code: str
    title: str
    message: str
    rules: tuple[str, ...]


@dataclass
class Avoidance:
    """One community's pool of people, its relations and the warnings they raise."""

    people: dict[str, Person]
    relations: list[Relation]
    warnings: list[KinshipWarning]


def _candidate_place(c: Candidate) -> str:
    track = "居委会" if c.track == Track.COMMITTEE else "党组织"
    return f"{track}{c.get_post_display()}{c.get_status_display()}"


def avoidance_for(elections: Sequence[CommunityElection]) -> dict[int, Avoidance]:
    """The pool, relations and warnings of each election, in a fixed number of queries
    (the street overview asks for every community at once)."""
    ids = [e.pk for e in elections]
    out: dict[int, Avoidance] = {pk: Avoidance({}, [], []) for pk in ids}
    if not ids:
        return out

    def person(pk: int, key: str, name: str) -> Person:
        pool = out[pk].people
        if key not in pool:
            pool[key] = Person(key, name)
        return pool[key]

    candidates = Candidate.objects.filter(election_id__in=ids, status__in=ACTIVE_STATUSES).only(
        "election_id", "track", "post", "status", "name", "id_hash", "voter_id"
    )
    for c in candidates.order_by("track", "post", "name", "pk"):
        p = person(c.election_id, c.id_hash, c.name)
        p.two_committees = True
        p.voter_id = p.voter_id or c.voter_id
        p.places.append(_candidate_place(c))
    committee = CommitteeMember.objects.filter(
        election_id__in=ids, status=CommitteeMemberStatus.MEMBER, voter__isnull=False
    ).select_related("voter")
    for m in committee.order_by("rank"):
        assert m.voter is not None
        p = person(m.election_id, m.voter.id_hash, m.name)
        p.voter_id = m.voter_id
        p.election_committee = True
        p.places.append("选举委员会主任" if m.is_chair else "选举委员会成员")
    for s in SupervisionMember.objects.filter(election_id__in=ids).select_related("voter"):
        p = person(s.election_id, s.voter.id_hash, s.voter.name)
        p.voter_id = s.voter_id
        p.supervision = True
        p.places.append(f"居务监督委员会{s.role}" if s.role else "居务监督委员会成员")
    relations = (
        Relation.objects.filter(election_id__in=ids)
        .select_related("a", "b")
        .order_by("created_at", "pk")
    )
    for r in relations:
        out[r.election_id].relations.append(r)
    params = {e.pk: e.cycle.rule_profile.params() for e in elections}
    for pk, found in out.items():
        found.warnings = _warnings(found, params[pk].kinship_relation_set)
    return out


def avoidance_of(election: CommunityElection) -> Avoidance:
    return avoidance_for([election])[election.pk]


def _warnings(found: Avoidance, relation_set: str) -> list[KinshipWarning]:
    people = found.people
    names = {r.a.id_hash: r.a.name for r in found.relations} | {
        r.b.id_hash: r.b.name for r in found.relations
    }
    conflicts = avoidance_conflicts(
        two_committees=[k for k, p in people.items() if p.two_committees],
        supervision=[k for k, p in people.items() if p.supervision],
        election_committee=[k for k, p in people.items() if p.election_committee],
        relations=[(r.a.id_hash, r.b.id_hash, r.kind) for r in found.relations],
        relation_set=relation_set,
    )

    def who(key: str) -> str:
        p = people.get(key)
        return p.label if p else names.get(key, "")

    warnings: list[KinshipWarning] = []
    for c in conflicts:
        if c.kind is None:
            message = f"{who(c.a)}：“两委”人选不得同时担任居务监督委员会成员"
        else:
            message = f"{who(c.a)}是{who(c.b)}的{KIND_LABELS.get(c.kind, c.kind)}"
            message += {
                "two_committees": "，同时为“两委”人选，应实行任职回避",
                "supervision": "，“两委”成员的近亲属不得担任居务监督委员会成员",
                "election_committee": "，候选人的近亲属在选举委员会中的，该成员应当退出选举委员会",
            }[c.code]
        warnings.append(
            KinshipWarning(
                c.code,
                CODE_LABELS[c.code],
                f"{message}（{'、'.join(c.rules)}）",
                c.rules,
            )
        )
    return warnings


def in_relation_set(election: CommunityElection, kind: str) -> bool:
    return relation_in_set(kind, election.cycle.rule_profile.params().kinship_relation_set)


# -- relations -------------------------------------------------------------------------


def add_relation(
    election: CommunityElection, a: Voter, b: Voter, kind: str, *, note: str = "", actor: Any
) -> Relation:
    """R4: record that `a` is `kind` of `b` (both voters of this community)."""
    if kind not in KIND_LABELS:
        raise CandidateError("请选择亲属关系", errors={"kind": "请选择亲属关系"})
    if a.election_id != election.pk or b.election_id != election.pk:
        raise CandidateError("只能记录本社区选民之间的关系")
    if a.pk == b.pk:
        raise CandidateError("请选择两个不同的人", errors={"b": "不能与自己构成亲属关系"})
    note = note.strip()[:200]
    with transaction.atomic():
        if Relation.objects.filter(election=election, a__in=(a, b), b__in=(a, b)).exists():
            raise CandidateError(f"已记录过{a.name}与{b.name}的关系，如需更正请先删除原记录")
        try:
            with transaction.atomic():
                relation = Relation.objects.create(
                    election=election,
                    a=a,
                    b=b,
                    kind=kind,
                    note=note,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError:
            raise CandidateError(f"已记录过{a.name}与{b.name}的关系") from None
        audit.record(
            actor,
            "candidates.relation.added",
            relation,
            community_id=election.community_id,
            data={"甲": a.name, "乙": b.name, "关系": KIND_LABELS[kind], "说明": note},
        )
    return relation


def remove_relation(relation: Relation, *, actor: Any) -> None:
    with transaction.atomic():
        election = relation.election
        audit.record(
            actor,
            "candidates.relation.removed",
            relation,
            community_id=election.community_id,
            data={
                "甲": relation.a.name,
                "乙": relation.b.name,
                "关系": KIND_LABELS.get(relation.kind, relation.kind),
            },
        )
        relation.delete()


def relation_choices(election: CommunityElection, avoidance: Avoidance) -> list[tuple[int, str]]:
    """Who a relation can be recorded for on the page: every person of the pool who is
    a registered voter (a party candidate is matched to the voter roll by ID hash)."""
    missing = [p.key for p in avoidance.people.values() if p.voter_id is None]
    if missing:
        for voter_id, id_hash in Voter.objects.filter(
            election=election, id_hash__in=missing
        ).values_list("pk", "id_hash"):
            avoidance.people[id_hash].voter_id = voter_id
    return sorted(
        ((p.voter_id, p.label) for p in avoidance.people.values() if p.voter_id is not None),
        key=lambda item: item[1],
    )


# -- the 居务监督委员会 ----------------------------------------------------------------


def add_supervision_member(
    election: CommunityElection, voter: Voter, *, role: str = "", actor: Any
) -> SupervisionMember:
    """R4: a member (or candidate) of the 居务监督委员会, so that the warnings see them."""
    if voter.election_id != election.pk or voter.status != VoterStatus.REGISTERED:
        raise CandidateError("只能从本社区的登记选民中选择")
    role = role.strip()[:30]
    with transaction.atomic():
        try:
            with transaction.atomic():
                member = SupervisionMember.objects.create(election=election, voter=voter, role=role)
        except IntegrityError:
            raise CandidateError(f"{voter.name}已在居务监督委员会名单中") from None
        audit.record(
            actor,
            "candidates.supervision.added",
            member,
            community_id=election.community_id,
            data={"姓名": voter.name, "职务": role},
        )
    return member


def remove_supervision_member(member: SupervisionMember, *, actor: Any) -> None:
    with transaction.atomic():
        election = member.election
        audit.record(
            actor,
            "candidates.supervision.removed",
            member,
            community_id=election.community_id,
            data={"姓名": member.voter.name, "职务": member.role},
        )
        member.delete()


def warning_messages(elections: Iterable[CommunityElection]) -> dict[int, list[str]]:
    return {pk: [w.message for w in a.warnings] for pk, a in avoidance_for(list(elections)).items()}
