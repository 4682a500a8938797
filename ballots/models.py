"""Election day (DESIGN.md "Glossary"): polling places, ballot rounds (投票轮次) and tally
sheets (计票单) with two independent entries (Kiesraad Abacus: two entries by two
users, differences resolved by the chair; EVA: counts confirmed, never silently edited).

A round keeps its own seats, candidates and numbers: a 再次投票, 另行选举 or 重新选举 is
a new round that names the one it follows (`parent`); nothing in a closed round changes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from candidates.models import Candidate
from candidates.models.choices import Post, Track
from elections.models import CommunityElection


class PlaceKind(models.TextChoices):
    CENTRAL = "central", "中心会场"
    STATION = "station", "投票站"
    MOBILE = "mobile", "流动票箱"


class PollingPlace(models.Model):
    """Where ballots are cast and counted: the central meeting, a polling station or a
    mobile box (R35). Every tally sheet belongs to one of them."""

    election = models.ForeignKey(
        CommunityElection, on_delete=models.CASCADE, related_name="polling_places"
    )
    kind = models.CharField("类型", max_length=20, choices=PlaceKind.choices)
    name = models.CharField("名称", max_length=50)
    place = models.CharField("地点或路线", max_length=200)
    opens_at = models.TimeField("开始时间")
    closes_at = models.TimeField("结束时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "投票点"
        verbose_name_plural = "投票点"
        ordering = ["election", "id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "name"], name="polling_place_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.name}"


class RoundKind(models.TextChoices):
    FORMAL = "formal", "正式选举"
    REVOTE = "revote", "再次投票"
    RUNOFF = "runoff", "另行选举"
    RERUN = "rerun", "重新选举"


class RoundStatus(models.TextChoices):
    OPEN = "open", "投票计票中"
    CLOSED = "closed", "已出结果"
    VOID = "void", "已宣布无效"


class BallotRound(models.Model):
    """One vote of one post: its seats, its candidates (RoundCandidate), its tally
    sheets; closed with its result, computed by electionlaw over the confirmed sheets
    and stored (`result`) as it was announced."""

    election = models.ForeignKey(
        CommunityElection, on_delete=models.CASCADE, related_name="ballot_rounds"
    )
    track = models.CharField("工作线", max_length=20, choices=Track.choices)
    post = models.CharField("职位", max_length=30, choices=Post.choices)
    kind = models.CharField("轮次", max_length=20, choices=RoundKind.choices)
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
    held_on = models.DateField("投票日期")
    status = models.CharField(
        "状态", max_length=20, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    result: models.JSONField[dict[str, Any]] = models.JSONField("结果", default=dict, blank=True)
    void_grounds: models.JSONField[list[str]] = models.JSONField(
        "无效情形", default=list, blank=True
    )
    void_note = models.TextField("无效说明", blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "投票轮次"
        verbose_name_plural = "投票轮次"
        ordering = ["election", "number"]
        constraints = [
            models.UniqueConstraint(fields=["election", "number"], name="round_number_unique")
        ]

    def __str__(self) -> str:
        return f"第{self.number}轮 {self.get_post_display()}{self.get_kind_display()}"

    @property
    def label(self) -> str:
        return f"{self.get_post_display()}·{self.get_kind_display()}（第{self.number}轮）"


class RoundCandidate(models.Model):
    """A name on this round's ballot, in ballot order (a 另行选举 lists them by
    first-round votes, R31)."""

    round = models.ForeignKey(BallotRound, on_delete=models.CASCADE, related_name="candidates")
    candidate = models.ForeignKey(
        Candidate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, blank=True)
    order = models.PositiveSmallIntegerField("选票顺序")
    earlier_votes = models.PositiveIntegerField("前一轮得票", null=True, blank=True)

    class Meta:
        verbose_name = "本轮候选人"
        verbose_name_plural = "本轮候选人"
        ordering = ["round", "order"]
        constraints = [
            models.UniqueConstraint(fields=["round", "order"], name="round_candidate_order_unique")
        ]

    def __str__(self) -> str:
        return self.name


class SheetStatus(models.TextChoices):
    ENTERING = "entering", "等待录入"
    DIFFERENT = "different", "两次录入不一致，待主任处理"
    MATCHED = "matched", "两次录入一致，待确认"
    CONFIRMED = "confirmed", "已确认"


class TallySheet(models.Model):
    """The count of one polling place in one round (计票单), entered twice."""

    round = models.ForeignKey(BallotRound, on_delete=models.CASCADE, related_name="sheets")
    place = models.ForeignKey(PollingPlace, on_delete=models.PROTECT, related_name="sheets")
    status = models.CharField(
        "状态", max_length=20, choices=SheetStatus.choices, default=SheetStatus.ENTERING
    )
    chosen = models.ForeignKey(
        "TallyEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    explanations: models.JSONField[dict[str, str]] = models.JSONField(
        "警告说明", default=dict, blank=True
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=0)

    class Meta:
        verbose_name = "计票单"
        verbose_name_plural = "计票单"
        ordering = ["round", "place"]
        constraints = [
            models.UniqueConstraint(fields=["round", "place"], name="tally_sheet_place_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.place.name}"


class TallyEntry(models.Model):
    """One typing of a tally sheet. Entry 1 and entry 2 are by two different users and
    blind to each other; one the chair sends back is kept (discarded) for the record."""

    sheet = models.ForeignKey(TallySheet, on_delete=models.CASCADE, related_name="entries")
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
        verbose_name = "计票单录入"
        verbose_name_plural = "计票单录入"
        ordering = ["sheet", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "slot"],
                condition=models.Q(discarded=False),
                name="tally_entry_slot_unique",
            ),
            models.UniqueConstraint(
                fields=["sheet", "entered_by"],
                condition=models.Q(discarded=False),
                name="tally_entry_one_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sheet} 第{self.slot}次录入"


from ballots.certification_models import *  # noqa: E402, F403
from ballots.party_models import *  # noqa: E402, F403
from ballots.polling_models import *  # noqa: E402, F403
