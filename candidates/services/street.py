"""The street officer's view of every community's candidates side by side (issue 8
item 11), and the candidate lists as xlsx. A fixed number of queries for the whole
street: the slates, the party lists, the structure and kinship warnings are each read
for all communities at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import transaction
from django.utils import timezone

from candidates import clearance
from candidates.models import (
    ACTIVE_STATUSES,
    Candidate,
    CandidateStatus,
    PartyPublicity,
    Post,
    Seat,
    Track,
)
from candidates.services.kinship import KinshipWarning, avoidance_for
from candidates.services.nominations import post_label
from candidates.services.slate import Slate, slates_for
from candidates.services.structure import structure_for
from electionlaw import Violation, age_on, min_party_candidates
from elections import audit
from elections.exports import Exporter, Value
from elections.models import CommunityElection

AUDIT_LABELS = {"candidates.list.exported": "导出候选人名单"}

PARTY_POST_LABELS: dict[str, str] = {
    Post.PARTY_COMMITTEE: "党组织委员",
    Post.SECRETARY: "书记",
    Post.DEPUTY_SECRETARY: "副书记",
}


@dataclass
class PartySummary:
    seats: int | None
    minimum: int | None
    initial: int = 0
    pre_candidates: int = 0
    women: int = 0
    publicity: PartyPublicity | None = None

    @property
    def approved(self) -> bool:
        return bool(self.publicity and self.publicity.approval_date)

    @property
    def state(self) -> str:
        if self.approved:
            return "已批复"
        if self.publicity is not None:
            return "公示中"
        if self.pre_candidates:
            return "已确定预备人选"
        if self.initial:
            return "考察中"
        return "未开始"

    @property
    def short(self) -> bool:
        """P5: 初步人选 (committee post) fewer than seats + ceil(20%)."""
        return self.minimum is not None and self.initial + self.pre_candidates < self.minimum


@dataclass
class CommunityRow:
    election: CommunityElection
    slate: Slate
    party: PartySummary
    structure: dict[str, tuple[Violation, ...]] = field(default_factory=dict)
    kinship: list[KinshipWarning] = field(default_factory=list)

    @property
    def committee_structure(self) -> tuple[Violation, ...]:
        return self.structure.get(Track.COMMITTEE, ())

    @property
    def party_structure(self) -> tuple[Violation, ...]:
        return self.structure.get(Track.PARTY, ())

    @property
    def committee_state(self) -> str:
        rows = [r for p in self.slate.posts.values() for r in p.rows]
        if not rows:
            return "未提名"
        if all(r.candidate.status == CandidateStatus.FORMAL for r in rows):
            return "已公布"
        return "可以公布" if self.slate.publishable else "待完善"

    @property
    def advice(self) -> list[str]:
        """Structure (Q3) and kinship (R4, R7) warnings: never a block."""
        return [
            *(f"居委会：{v.message_zh}" for v in self.committee_structure),
            *(f"党组织：{v.message_zh}" for v in self.party_structure),
            *(w.message for w in self.kinship),
        ]

    @property
    def clean(self) -> bool:
        return not self.slate.problems and not self.party.short and not self.advice


def street_rows(elections: Sequence[CommunityElection]) -> list[CommunityRow]:
    """Each election with its slate, party summary and warnings (≈10 queries in all)."""
    elections = list(elections)
    ids = [e.pk for e in elections]
    slates = slates_for(elections)
    structure = structure_for(elections)
    avoidance = avoidance_for(elections)
    party_seats = dict(
        Seat.objects.filter(
            election_id__in=ids, track=Track.PARTY, post=Post.PARTY_COMMITTEE
        ).values_list("election_id", "seats")
    )
    publicity = {p.election_id: p for p in PartyPublicity.objects.filter(election_id__in=ids)}
    rows: list[CommunityRow] = []
    summaries: dict[int, PartySummary] = {}
    for e in elections:
        seats = party_seats.get(e.pk) or None
        pct = e.cycle.rule_profile.params().party_diff_pct
        summaries[e.pk] = PartySummary(
            seats,
            min_party_candidates(seats, pct=pct) if seats else None,
            publicity=publicity.get(e.pk),
        )
    for election_id, post, status, gender in Candidate.objects.filter(
        election_id__in=ids, track=Track.PARTY, status__in=ACTIVE_STATUSES
    ).values_list("election_id", "post", "status", "gender"):
        summary = summaries[election_id]
        if post == Post.PARTY_COMMITTEE:
            if status == CandidateStatus.INITIAL:
                summary.initial += 1
            else:
                summary.pre_candidates += 1
            summary.women += gender == "女"
    for e in elections:
        rows.append(
            CommunityRow(
                e,
                slates[e.pk],
                summaries[e.pk],
                structure.get(e.pk, {}),
                avoidance[e.pk].warnings,
            )
        )
    return rows


# -- xlsx ------------------------------------------------------------------------------

HEADER = (
    "社区编码",
    "社区",
    "工作线",
    "职位",
    "选票顺序",
    "姓名",
    "性别",
    "年龄（选举日）",
    "民族",
    "学历",
    "政治面貌",
    "现工作单位及职务",
    "现任“两委”成员",
    "交叉任职",
    "拟“一肩挑”",
    "提名票",
    "资格联审",
    "承诺书签署日期",
    "状态",
    "公布日期",
)


class CandidateListExport(Exporter):
    """Candidate lists of one or more communities, both tracks, masked (no ID number at
    all: a list for the street's files, not for vetting). Formula-safe through the
    core's writer."""

    sheet_title = "候选人名单"
    column_widths: ClassVar[Sequence[int]] = (
        10,
        14,
        10,
        10,
        8,
        10,
        6,
        8,
        8,
        10,
        10,
        28,
        10,
        8,
        8,
        8,
        12,
        14,
        10,
        14,
    )

    def __init__(self, elections: Sequence[CommunityElection], name: str) -> None:
        self.elections = list(elections)
        self.name = name

    def filename(self) -> str:
        return f"{self.name}候选人名单_{timezone.localdate():%Y%m%d}.xlsx"

    def header(self) -> Sequence[str]:
        return HEADER

    def candidates(self) -> list[Candidate]:
        return list(
            Candidate.objects.filter(
                election__in=self.elections, status__in=ACTIVE_STATUSES
            ).select_related("nomination", "election__community")
        )

    def rows(self) -> Iterator[Sequence[Value]]:
        found = self.candidates()
        cleared = clearance.clearance_of(found)
        order = {e.pk: i for i, e in enumerate(self.elections)}
        track_order = {Track.COMMITTEE: 0, Track.PARTY: 1}
        post_order = {p: i for i, p in enumerate(Post.values)}
        found.sort(
            key=lambda c: (
                order[c.election_id],
                track_order.get(Track(c.track), 2),
                post_order.get(c.post, 9),
                c.ballot_order is None,
                c.ballot_order or 0,
                c.name,
                c.pk,
            )
        )
        by_pk = {e.pk: e for e in self.elections}
        for c in found:
            election = by_pk[c.election_id]
            yield (
                election.community.code,
                election.community.name,
                "居委会" if c.track == Track.COMMITTEE else "党组织",
                post_label(c.post)
                if c.track == Track.COMMITTEE
                else PARTY_POST_LABELS.get(c.post, c.post),
                c.ballot_order,
                c.name,
                c.gender,
                age_on(c.birth_date, election.election_day),
                c.ethnicity,
                c.get_education_display(),
                c.get_political_status_display(),
                c.work,
                "是" if c.incumbent else "否",
                "是" if c.cross_track else "否",
                "是" if c.one_shoulder else "否",
                c.nomination.votes if c.nomination else None,
                cleared[c.pk].label,
                c.pledge_signed_on,
                c.get_status_display(),
                c.published_on,
            )


def export_candidates(
    elections: Sequence[CommunityElection], *, name: str, actor: Any, scope: Any
) -> bytes:
    """The xlsx, with its audit row written in the same transaction as the read."""
    from elections.exports import write_xlsx

    exporter = CandidateListExport(elections, name)
    with transaction.atomic():
        content = write_xlsx(exporter)
        audit.record(
            actor,
            "candidates.list.exported",
            scope,
            community_id=elections[0].community_id if len(elections) == 1 else None,
            street_id=elections[0].community.street_id if elections else None,
            data={
                "社区": [e.community.code for e in elections],
                "导出时间": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            },
        )
    return content
