"""职数 (seats per post and track) and the 居民选举委员会 (R1, R6, R7, P14, P15)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from candidates.models.choices import Post, Track
from elections.models import CommunityElection
from elections.registration.models import Voter


class Seat(models.Model):
    """应选名额 of one post on one track, set by the street officer (R1, P15)."""

    election = models.ForeignKey(CommunityElection, on_delete=models.CASCADE, related_name="seats")
    track = models.CharField("工作线", max_length=20, choices=Track.choices)
    post = models.CharField("职位", max_length=30, choices=Post.choices)
    seats = models.PositiveSmallIntegerField("应选名额")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "职数"
        verbose_name_plural = "职数"
        ordering = ["election", "track", "id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "track", "post"], name="seat_post_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_post_display()} {self.seats}名"


class CommitteeMemberStatus(models.TextChoices):
    MEMBER = "member", "成员"
    ALTERNATE = "alternate", "候补（按推选得票顺序）"
    LEFT = "left", "已退出"


class CommitteeMember(models.Model):
    """One person of the 居民选举委员会 推选 result (R6), members and the runners-up in
    their original order; a member who becomes a candidate leaves, and the first
    alternate in that order fills the vacancy (R7)."""

    election = models.ForeignKey(
        CommunityElection, on_delete=models.CASCADE, related_name="committee_members"
    )
    name = models.CharField("姓名", max_length=50)
    voter = models.ForeignKey(
        Voter, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="系统账号",
    )
    rank = models.PositiveSmallIntegerField("推选顺序")
    votes = models.PositiveIntegerField("推选得票", null=True, blank=True)
    is_chair = models.BooleanField("主任", default=False)
    status = models.CharField(
        "状态", max_length=20, choices=CommitteeMemberStatus.choices, default="member"
    )
    left_on = models.DateField("退出日期", null=True, blank=True)
    left_reason = models.CharField("退出原因", max_length=200, blank=True)
    replaces = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="递补谁的空缺",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "选举委员会成员"
        verbose_name_plural = "选举委员会成员"
        ordering = ["election", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["election", "rank"], name="committee_member_rank"),
            models.UniqueConstraint(
                fields=["election"],
                condition=models.Q(is_chair=True, status="member"),
                name="committee_one_chair",
            ),
        ]

    def __str__(self) -> str:
        return self.name
