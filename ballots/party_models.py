"""The party track of election day (issue 11 item 6): the 党员大会 and its quorum (P2,
P3), the party ballot rounds of the committee's 委员 with their double-entry tally
sheet (P8–P13; no proxies, P4), a seat reduction (P13) and the 书记 / 副书记 with the
上级党组织's approval (P14).

A 党员大会 is one meeting with one ballot box: each party round carries its own
tally sheet (status, chosen entry, explanations) and its typed entries. Numbers are
stored as recorded; results are computed by `electionlaw` and stored as announced.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from candidates.models import Candidate
from elections.formatting import cn_date
from elections.models import CommunityElection

__all__ = [
    "AssemblyStatus",
    "LeadershipMode",
    "PartyAssembly",
    "PartyEntry",
    "PartyLeadership",
    "PartyRound",
    "PartyRoundCandidate",
    "PartyRoundKind",
    "PartyRoundStatus",
    "PartySeatReduction",
    "PartySheetStatus",
]


class PartyRoundKind(models.TextChoices):
    """The same codes as ballots.models.RoundKind (this module may not import it)."""

    FORMAL = "formal", "正式选举"
    REVOTE = "revote", "再次投票"
    RUNOFF = "runoff", "另行选举"
    RERUN = "rerun", "重新选举"


class PartyRoundStatus(models.TextChoices):
    OPEN = "open", "投票计票中"
    CLOSED = "closed", "已出结果"


class PartySheetStatus(models.TextChoices):
    ENTERING = "entering", "等待录入"
    DIFFERENT = "different", "两次录入不一致，待处理"
    MATCHED = "matched", "两次录入一致，待确认"
    CONFIRMED = "confirmed", "已确认"


class AssemblyStatus(models.TextChoices):
    QUORUM = "quorum", "到会人数符合规定，选举有效进行"
    PENDING = "pending", "恰好五分之四，待组织部决定"
    FAILED = "failed", "到会人数不足，流会"


class PartyAssembly(models.Model):
    """One convening of the 党员大会: the 应到会 as computed from the roll on the day
    (P1, P2) with its parts, the 实到会 typed in, and the quorum (P3). Exactly four
    fifths under the non-inclusive profile waits for a recorded 组织部 decision."""

    election = models.ForeignKey(
        CommunityElection, on_delete=models.CASCADE, related_name="party_assemblies"
    )
    number = models.PositiveSmallIntegerField("第几次召开")
    held_on = models.DateField("会议日期")
    on_roll = models.PositiveIntegerField("台账党员人数")
    voting_members = models.PositiveIntegerField("有选举权的党员人数")
    excluded = models.PositiveIntegerField("经批准不计入应到会人数")
    expected = models.PositiveIntegerField("应到会有选举权人数")
    present = models.PositiveIntegerField("实到会有选举权人数")
    quorum_inclusive = models.BooleanField("恰好五分之四视为达到法定人数")
    exactly_four_fifths = models.BooleanField("恰好五分之四", default=False)
    status = models.CharField("结果", max_length=20, choices=AssemblyStatus.choices)
    decision_by = models.CharField("组织部决定人", max_length=100, blank=True)
    decision_doc_no = models.CharField("组织部决定文号", max_length=100, blank=True)
    decision_allowed = models.BooleanField("组织部同意选举进行", null=True, blank=True)
    decision_note = models.TextField("决定说明", blank=True)
    decision_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_recorded_at = models.DateTimeField("决定登记时间", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "党员大会"
        verbose_name_plural = "党员大会"
        ordering = ["election", "number"]
        constraints = [
            models.UniqueConstraint(fields=["election", "number"], name="party_assembly_number")
        ]

    def __str__(self) -> str:
        return f"第{self.number}次党员大会（{cn_date(self.held_on)}）"


class PartyRound(models.Model):
    """One party ballot of the committee's 委员 at a 党员大会 with quorum: its seats,
    its candidates, its tally sheet (entered twice) and its stored result."""

    election = models.ForeignKey(
        CommunityElection, on_delete=models.CASCADE, related_name="party_rounds"
    )
    assembly = models.ForeignKey(PartyAssembly, on_delete=models.PROTECT, related_name="rounds")
    kind = models.CharField("轮次", max_length=20, choices=PartyRoundKind.choices)
    number = models.PositiveSmallIntegerField("序号")
    seats = models.PositiveSmallIntegerField("本轮应选名额")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followers",
        verbose_name="前一轮",
    )
    status = models.CharField(
        "状态", max_length=20, choices=PartyRoundStatus.choices, default=PartyRoundStatus.OPEN
    )
    sheet_status = models.CharField(
        "计票单状态",
        max_length=20,
        choices=PartySheetStatus.choices,
        default=PartySheetStatus.ENTERING,
    )
    chosen = models.ForeignKey(
        "PartyEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    explanations: models.JSONField[dict[str, str]] = models.JSONField(
        "警告说明", default=dict, blank=True
    )
    version = models.PositiveIntegerField("版本", default=0)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    result: models.JSONField[dict[str, Any]] = models.JSONField("结果", default=dict, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField("宣布时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "党内选举轮次"
        verbose_name_plural = "党内选举轮次"
        ordering = ["election", "number"]
        constraints = [
            models.UniqueConstraint(fields=["election", "number"], name="party_round_number")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"党组织委员会委员·{self.get_kind_display()}（第{self.number}轮）"


class PartyRoundCandidate(models.Model):
    """A name on the party ballot, in 姓氏笔画 order (P7); a re-vote or 另行选举 lists
    the persons it concerns."""

    round = models.ForeignKey(PartyRound, on_delete=models.CASCADE, related_name="candidates")
    candidate = models.ForeignKey(
        Candidate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("姓名", max_length=50)
    order = models.PositiveSmallIntegerField("选票顺序")
    earlier_votes = models.PositiveIntegerField("前一轮赞成票", null=True, blank=True)

    class Meta:
        verbose_name = "党内选举候选人"
        verbose_name_plural = "党内选举候选人"
        ordering = ["round", "order"]
        constraints = [
            models.UniqueConstraint(fields=["round", "order"], name="party_candidate_order")
        ]

    def __str__(self) -> str:
        return self.name


class PartyEntry(models.Model):
    """One typing of a party round's tally sheet (two, by two different users)."""

    round = models.ForeignKey(PartyRound, on_delete=models.CASCADE, related_name="entries")
    slot = models.PositiveSmallIntegerField("第几次录入", choices=[(1, "第一次"), (2, "第二次")])
    numbers: models.JSONField[dict[str, Any]] = models.JSONField("录入数字")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now, editable=False)
    discarded = models.BooleanField("已退回", default=False)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    discarded_reason = models.CharField("退回理由", max_length=200, blank=True)

    class Meta:
        verbose_name = "党内计票单录入"
        verbose_name_plural = "党内计票单录入"
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "slot"],
                condition=models.Q(discarded=False),
                name="party_entry_slot_unique",
            ),
            models.UniqueConstraint(
                fields=["round", "entered_by"],
                condition=models.Q(discarded=False),
                name="party_entry_one_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} 第{self.slot}次录入"


class PartySeatReduction(models.Model):
    """P13: "经半数以上选举人同意…也可以减少名额，不再进行选举" — the seats a round left
    unfilled are dropped, with the consenting count as recorded."""

    round = models.OneToOneField(PartyRound, on_delete=models.PROTECT, related_name="reduction")
    seats_dropped = models.PositiveSmallIntegerField("减少名额")
    present = models.PositiveIntegerField("实到会有选举权人数")
    consenting = models.PositiveIntegerField("同意减少名额人数")
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "减少名额"
        verbose_name_plural = "减少名额"

    def __str__(self) -> str:
        return f"减少名额 {self.seats_dropped} 名"


class LeadershipMode(models.TextChoices):
    COMMITTEE = "committee", "新一届委员会第一次全体会议选举"
    ASSEMBLY = "assembly", "党员大会直接选举（不足7名正式党员，不设委员会）"


class PartyLeadership(models.Model):
    """P14: the 书记 and 副书记, elected by the new committee's first meeting from among
    the elected 委员 (or, under 7 正式党员, directly by the 党员大会), approved by the
    上级党组织 (approved by, date, document number)."""

    election = models.OneToOneField(
        CommunityElection, on_delete=models.CASCADE, related_name="party_leadership"
    )
    mode = models.CharField("选举方式", max_length=20, choices=LeadershipMode.choices)
    meeting_date = models.DateField("会议日期")
    members_present = models.PositiveIntegerField("到会委员（党员）人数", null=True, blank=True)
    secretary = models.CharField("书记", max_length=50)
    secretary_votes = models.PositiveIntegerField("书记得票", null=True, blank=True)
    deputies: models.JSONField[list[str]] = models.JSONField("副书记", default=list, blank=True)
    approved_by = models.CharField("批准的上级党组织", max_length=100)
    approval_date = models.DateField("批准日期")
    approval_doc_no = models.CharField("批准文号", max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "书记、副书记"
        verbose_name_plural = "书记、副书记"

    def __str__(self) -> str:
        return f"书记 {self.secretary}"
