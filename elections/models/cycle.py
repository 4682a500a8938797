"""The cycle (换届), each community's election in it, its tracks' stages and its schedule."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone

from elections.models.geography import Community, Street
from elections.models.profiles import RuleProfile

# Stages are per track; see DESIGN.md "Two tracks per community".
COMMITTEE_STAGES: list[tuple[str, str]] = [
    ("preparation", "准备"),
    ("committee_formed", "选举委员会推选"),
    ("voter_registration", "选民登记"),
    ("voter_list", "选民名单公布与申诉"),
    ("nomination", "提名"),
    ("vetting", "资格联审"),
    ("formal_candidates", "正式候选人公布"),
    ("voting_preparation", "委托、流动票箱、投票站"),
    ("voting", "投票与计票"),
    ("results", "结果公布"),
    ("certification", "当选证书与备案"),
    ("handover", "移交与归档"),
    ("done", "已完成"),
]

PARTY_STAGES: list[tuple[str, str]] = [
    ("preparation", "准备"),
    ("recommendation", "推荐"),
    ("vetting", "资格联审"),
    ("inspection", "考察"),
    ("publicity", "预备人选公示"),
    ("approval", "批复"),
    ("congress", "党员大会"),
    ("secretary", "选举书记、副书记"),
    ("filing", "报批与备案"),
    ("done", "已完成"),
]

TRACKS = {"committee": COMMITTEE_STAGES, "party": PARTY_STAGES}
TRACK_LABELS = {"committee": "居委会换届", "party": "党组织换届"}


class ElectionCycle(models.Model):
    """One street's 换届 for one term."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="cycles")
    term = models.PositiveSmallIntegerField("届次")
    name = models.CharField("名称", max_length=100)
    election_day = models.DateField("居委会选举日")
    party_meeting_day = models.DateField("党员大会日期", null=True, blank=True)
    rule_profile = models.ForeignKey(
        RuleProfile, on_delete=models.PROTECT, related_name="cycles", verbose_name="规则方案"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "换届"
        verbose_name_plural = "换届"
        ordering = ["-election_day"]
        constraints = [
            models.UniqueConstraint(fields=["street", "term"], name="cycle_street_term_unique")
        ]

    def __str__(self) -> str:
        return self.name


class CommunityElection(models.Model):
    """One community's election in a cycle: its own election day and both tracks' stages."""

    cycle = models.ForeignKey(ElectionCycle, on_delete=models.PROTECT, related_name="elections")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="elections")
    election_day = models.DateField("选举日")
    party_meeting_day = models.DateField("党员大会日期", null=True, blank=True)
    committee_stage = models.CharField(
        "居委会换届阶段", max_length=30, choices=COMMITTEE_STAGES, default="preparation"
    )
    party_stage = models.CharField(
        "党组织换届阶段", max_length=30, choices=PARTY_STAGES, default="preparation"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "社区换届"
        verbose_name_plural = "社区换届"
        ordering = ["community__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "community"], name="community_election_unique"
            ),
            # The target of the voters' composite foreign key (election, cycle).
            models.UniqueConstraint(fields=["id", "cycle"], name="community_election_id_cycle"),
        ]

    def __str__(self) -> str:
        return f"{self.community.name} · {self.cycle.name}"

    def stage(self, track: str) -> str:
        return str(self.committee_stage if track == "committee" else self.party_stage)

    def stage_label(self, track: str) -> str:
        return dict(TRACKS[track]).get(self.stage(track), self.stage(track))


class Milestone(models.Model):
    """时间节点: a dated step of a community's schedule (RULES.md §2 G3)."""

    election = models.ForeignKey(
        CommunityElection, on_delete=models.CASCADE, related_name="milestones"
    )
    kind = models.CharField("节点", max_length=40)
    track = models.CharField("工作线", max_length=20)
    date = models.DateField("日期")
    done_on = models.DateField("完成日期", null=True, blank=True)
    # A date outside the lawful range stands only with a recorded reason.
    exception_reason = models.TextField("例外理由", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "时间节点"
        verbose_name_plural = "时间节点"
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "kind"], name="milestone_kind_unique")
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.date:%Y-%m-%d}"

    @property
    def effective_date(self) -> dt.date:
        """The day it happened when recorded, else the planned day (what the law is checked on)."""
        return self.done_on or self.date

    @property
    def label(self) -> str:
        from elections.schedule import SPEC_BY_KIND

        spec = SPEC_BY_KIND.get(self.kind)
        return spec.label if spec else self.kind


class RestDay(models.Model):
    """法定休假日 and 调休 working days, for deadline extension (民法典 art. 203, RULES.md G3).

    Saturdays and Sundays are rest days unless listed here as a working day. Rows from
    the State Council's calendar are written by `sync_rest_days`; a local row (added in
    the admin) is never overwritten by it."""

    SOURCE_STATE_COUNCIL = "state_council"
    SOURCE_LOCAL = "local"
    SOURCES = [(SOURCE_STATE_COUNCIL, "国务院"), (SOURCE_LOCAL, "本地")]

    date = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("调休上班", default=False)
    name = models.CharField("名称", max_length=40, blank=True)
    source = models.CharField("来源", max_length=20, choices=SOURCES, default=SOURCE_LOCAL)

    class Meta:
        verbose_name = "休假日"
        verbose_name_plural = "休假日"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
