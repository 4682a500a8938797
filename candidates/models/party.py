"""党员台账, exclusions from 应到会 (P1, P2), and the 两推一选 steps (P5, P6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from candidates.models.choices import Gender, Post
from elections.models import CommunityElection


class MembershipStatus(models.TextChoices):
    FULL = "full", "正式党员"
    PROBATIONARY = "probationary", "预备党员"


class PartyMember(models.Model):
    """One member on a community's party roll for this cycle's 党员大会.

    The ID number is protected exactly as a voter's (`id_hash` to find, `id_encrypted`
    to read back, `id_masked` to show). Voting rights are judged on the meeting day
    (P1): 正式 only, not under 留党察看, 留置 or 逮捕."""

    election = models.ForeignKey(
        CommunityElection, on_delete=models.CASCADE, related_name="party_members"
    )
    name = models.CharField("姓名", max_length=50)
    id_hash = models.CharField("身份证号检索码", max_length=64)
    id_encrypted = models.TextField("身份证号（加密）")
    id_masked = models.CharField("身份证号", max_length=18)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    status = models.CharField("党员类别", max_length=20, choices=MembershipStatus.choices)
    joined_on = models.DateField("入党时间", null=True, blank=True)
    directly_managed = models.BooleanField("直管党员", default=True)
    on_probation = models.BooleanField("留党察看期间", default=False)
    detained = models.BooleanField("被留置", default=False)
    arrested = models.BooleanField("被逮捕", default=False)
    notes = models.TextField("备注", blank=True)
    source_import = models.ForeignKey(
        "PartyMemberImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员台账"
        ordering = ["election", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "id_hash"], name="party_member_once")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_voting_rights(self) -> bool:
        """P1 on the meeting day: 正式党员, not 留党察看, not 留置 or 逮捕."""
        return (
            self.status == MembershipStatus.FULL
            and not self.on_probation
            and not self.detained
            and not self.arrested
        )


class PartyMemberImport(models.Model):
    """An uploaded party roll: checked at once (a roll is hundreds of rows, not
    thousands), shown as a preview, committed all or nothing from the same file."""

    class State(models.TextChoices):
        CHECKED = "checked", "已检查，待确认"
        COMMITTED = "committed", "已导入"
        DISCARDED = "discarded", "已放弃"

    election = models.ForeignKey(
        CommunityElection, on_delete=models.CASCADE, related_name="party_imports"
    )
    filename = models.CharField("文件名", max_length=200)
    data = models.BinaryField("文件内容")
    sha256 = models.CharField(max_length=64)
    state = models.CharField("状态", max_length=20, choices=State.choices, default="checked")
    rows_total = models.PositiveIntegerField(default=0)
    rows_error = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "党员台账导入"
        verbose_name_plural = "党员台账导入"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class PartyExclusion(models.Model):
    """不计入应到会有选举权人数 (P2): counts only once both the 上级党组织's consent and
    the 党员大会's vote are recorded. `detail` may hold health reasons: shown only to
    the election committee and street officers, never on a public page."""

    member = models.OneToOneField(PartyMember, on_delete=models.CASCADE, related_name="exclusion")
    category = models.PositiveSmallIntegerField("情形")
    detail = models.TextField("具体情况（不公开）", blank=True)
    consent_doc_no = models.CharField("上级党组织同意文号", max_length=100, blank=True)
    consent_date = models.DateField("上级党组织同意日期", null=True, blank=True)
    congress_vote_date = models.DateField("党员大会通过日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "不计入应到会人数"
        verbose_name_plural = "不计入应到会人数"

    def __str__(self) -> str:
        return f"不计入应到会：{self.member_id}"

    @property
    def approved(self) -> bool:
        """P2: both approvals recorded."""
        return bool(self.consent_doc_no and self.consent_date and self.congress_vote_date)


class RecommendationKind(models.TextChoices):
    MEMBERS = "members", "党员推荐"
    MASSES = "masses", "群众推荐"


class RecommendationMeeting(models.Model):
    """One 推荐 meeting of 两推 (P6): who recommended, when, how many took part."""

    election = models.ForeignKey(
        CommunityElection, on_delete=models.CASCADE, related_name="recommendation_meetings"
    )
    kind = models.CharField("推荐方式", max_length=20, choices=RecommendationKind.choices)
    held_on = models.DateField("推荐日期")
    participants = models.PositiveIntegerField("参加推荐人数")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "推荐会议"
        verbose_name_plural = "推荐会议"
        constraints = [
            models.UniqueConstraint(fields=["election", "kind"], name="recommendation_meeting_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"


class Recommendation(models.Model):
    """Votes one party member received at one 推荐 meeting for one post."""

    meeting = models.ForeignKey(
        RecommendationMeeting, on_delete=models.CASCADE, related_name="votes"
    )
    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="+")
    post = models.CharField("职位", max_length=30, choices=Post.choices)
    votes = models.PositiveIntegerField("推荐票数")

    class Meta:
        verbose_name = "推荐票"
        verbose_name_plural = "推荐票"
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member", "post"], name="recommendation_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.votes}票"


class PartyPublicity(models.Model):
    """预备人选公示 (P6, 5 days per the profile, counted per G3) and the 上级党组织's
    批复 of the pre-candidate list."""

    election = models.OneToOneField(
        CommunityElection, on_delete=models.CASCADE, related_name="party_publicity"
    )
    starts_on = models.DateField("公示开始")
    ends_on = models.DateField("公示结束")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    feedback = models.TextField("公示期间反映的情况", blank=True)
    approval_doc_no = models.CharField("批复文号", max_length=100, blank=True)
    approval_date = models.DateField("批复日期", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "预备人选公示与批复"
        verbose_name_plural = "预备人选公示与批复"

    def __str__(self) -> str:
        return f"公示 {self.starts_on}—{self.ends_on}"
