"""候选人 on both tracks: what notices, vetting and statistics need (R17–R20, P5–P7)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from candidates.models.choices import Education, Gender, PoliticalStatus, Post, Track
from candidates.models.nominations import Nomination
from candidates.models.party import PartyMember
from elections.models import CommunityElection
from elections.registration.models import Voter


class CandidateStatus(models.TextChoices):
    NOMINEE = "nominee", "提名人选"  # residents' committee: in the cut, awaiting vetting
    INITIAL = "initial", "初步人选"  # party: recommended by the 街道党工委
    PRE_CANDIDATE = "pre_candidate", "预备人选"  # party: 考察 done, in 公示 / 批复
    FORMAL = "formal", "正式候选人"
    WITHDRAWN = "withdrawn", "已退出"
    DISQUALIFIED = "disqualified", "资格不符"
    REPLACED = "replaced", "已被递补"  # kept for the record (N9)


ACTIVE_STATUSES = (
    CandidateStatus.NOMINEE,
    CandidateStatus.INITIAL,
    CandidateStatus.PRE_CANDIDATE,
    CandidateStatus.FORMAL,
)


class CandidateSource(models.TextChoices):
    NOMINATION = "nomination", "选民提名"
    STREET = "street", "街道党工委推荐"
    REPLACEMENT = "replacement", "递补"


class Candidate(models.Model):
    """One person standing for one post on one track.

    The ID number is kept protected as on the rolls (vetting checks it); `name`,
    `gender`, `birth_date` are copied from the roll when the person enters the slate,
    so vetting can bind its sign-offs to exactly what it checked."""

    election = models.ForeignKey(
        CommunityElection, on_delete=models.CASCADE, related_name="candidates"
    )
    track = models.CharField("工作线", max_length=20, choices=Track.choices)
    post = models.CharField("职位", max_length=30, choices=Post.choices)
    status = models.CharField("状态", max_length=20, choices=CandidateStatus.choices)
    source = models.CharField("来源", max_length=20, choices=CandidateSource.choices)
    voter = models.ForeignKey(
        Voter, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    party_member = models.ForeignKey(
        PartyMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    nomination = models.ForeignKey(
        Nomination, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # who they are
    name = models.CharField("姓名", max_length=50)
    id_hash = models.CharField("身份证号检索码", max_length=64)
    id_encrypted = models.TextField("身份证号（加密）")
    id_masked = models.CharField("身份证号", max_length=18)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    ethnicity = models.CharField("民族", max_length=20, blank=True)
    education = models.CharField("学历", max_length=20, choices=Education.choices, blank=True)
    political_status = models.CharField(
        "政治面貌", max_length=20, choices=PoliticalStatus.choices, blank=True
    )
    work = models.CharField("现工作单位及职务", max_length=200, blank=True)
    current_posts = models.CharField("现任社区职务", max_length=100, blank=True)
    incumbent = models.BooleanField("现任“两委”成员", default=False)
    cross_track = models.BooleanField("同时参加另一工作线（交叉任职）", default=False)
    one_shoulder = models.BooleanField("拟“一肩挑”", default=False)
    pledge_signed_on = models.DateField("承诺书签署日期", null=True, blank=True)
    # the party steps (P6): 考察, 公示 through PartyPublicity, 批复
    inspected_on = models.DateField("组织考察日期", null=True, blank=True)
    inspection_summary = models.TextField("考察情况", blank=True)
    # ballot order (P7, R19): computed, or set by hand with a reason (audited)
    ballot_order = models.PositiveSmallIntegerField("选票顺序", null=True, blank=True)
    order_override_reason = models.CharField("人工排序理由", max_length=200, blank=True)
    # leaving the slate, and who came in instead (R20)
    left_on = models.DateField("退出日期", null=True, blank=True)
    left_reason = models.CharField("退出原因", max_length=200, blank=True)
    replaces = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaced_by",
        verbose_name="递补谁",
    )
    published_on = models.DateField("公布日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "候选人"
        verbose_name_plural = "候选人"
        ordering = ["election", "track", "post", "ballot_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "track", "post", "id_hash"],
                condition=models.Q(status__in=["nominee", "initial", "pre_candidate", "formal"]),
                name="candidate_once_per_post",
            )
        ]
        indexes = [models.Index(fields=["election", "track", "status"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_post_display()}）"

    @property
    def place_label(self) -> str:
        """The track and the post ("居委会主任", "党组织委员"), for lists of both."""
        track = "居委会" if self.track == Track.COMMITTEE else "党组织"
        post = self.get_post_display()
        return post if post.startswith(track) else f"{track}{post}"
