"""Residents' committee nominations as counted at the meeting (R15, R16)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from candidates.models.choices import Post
from elections.models import CommunityElection
from elections.registration.models import Voter


class NominationCount(models.Model):
    """The count of one post's nomination ballots: how many voters took part (each
    nominates at most the post's seats, R15), when and who entered it."""

    election = models.ForeignKey(
        CommunityElection, on_delete=models.CASCADE, related_name="nomination_counts"
    )
    post = models.CharField("职位", max_length=30, choices=Post.choices)
    held_on = models.DateField("提名日期")
    ballots = models.PositiveIntegerField("参加提名人数（收回提名票）")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "提名计票"
        verbose_name_plural = "提名计票"
        constraints = [
            models.UniqueConstraint(fields=["election", "post"], name="nomination_count_post")
        ]

    def __str__(self) -> str:
        return f"{self.get_post_display()}提名 {self.ballots}票"


class Nomination(models.Model):
    """Nomination votes one registered voter received for one post (R15, R16).

    A tie at the cut-off is decided by a recorded re-vote among the tied
    (`revote_votes`); a person nominated for two posts chooses one in writing
    (`chosen_post`, `choice_date`); the other nomination then stands down."""

    count = models.ForeignKey(NominationCount, on_delete=models.CASCADE, related_name="nominees")
    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="+")
    votes = models.PositiveIntegerField("提名票数")
    revote_votes = models.PositiveIntegerField("重新投票票数", null=True, blank=True)
    revote_on = models.DateField("重新投票日期", null=True, blank=True)
    chosen_post = models.CharField(
        "书面选择的职位", max_length=30, choices=Post.choices, blank=True
    )
    choice_date = models.DateField("书面选择日期", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "提名"
        verbose_name_plural = "提名"
        ordering = ["count", "-votes", "id"]
        constraints = [
            models.UniqueConstraint(fields=["count", "voter"], name="nomination_once_per_post")
        ]

    def __str__(self) -> str:
        return f"{self.voter_id} {self.votes}票"
