"""Published notices (张榜公布): immutable numbered PDFs, corrections as new versions,
and where and when each was posted (the posting day starts the legal clocks, G3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from elections.models.cycle import CommunityElection


class Notice(models.Model):
    """One published notice. `number` counts per community and cycle (选举公告 第N号);
    a correction (更正公告) is a new row with the next number that `replaces` the old
    one; both stay downloadable. The PDF never changes: `sha256` is its fingerprint."""

    election = models.ForeignKey(
        CommunityElection, on_delete=models.PROTECT, related_name="notices"
    )
    kind = models.CharField("公告类别", max_length=10)
    version = models.PositiveSmallIntegerField("版本", default=1)
    number = models.PositiveIntegerField("编号")
    title = models.CharField("标题", max_length=100)
    issuer = models.CharField("发布机构", max_length=100)
    issued_on = models.DateField("发布日期")
    legal_basis = models.CharField("依据", max_length=300)
    posting_days = models.PositiveSmallIntegerField("张贴天数", null=True, blank=True)
    due_on = models.DateField("应发布日期", null=True, blank=True)
    late_days = models.PositiveSmallIntegerField("迟发天数", default=0)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    correction_reason = models.CharField("更正理由", max_length=200, blank=True)
    pdf = models.FileField("公告文件", upload_to="notices/%Y/")
    sha256 = models.CharField("SHA-256", max_length=64)
    pages = models.PositiveIntegerField("页数", default=1)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "公告"
        verbose_name_plural = "公告"
        ordering = ["election", "number"]
        constraints = [
            models.UniqueConstraint(fields=["election", "number"], name="notice_number_once"),
            models.UniqueConstraint(
                fields=["election", "kind", "version"], name="notice_kind_version_once"
            ),
        ]

    def __str__(self) -> str:
        return f"第{self.number}号 {self.title}"

    @property
    def heading(self) -> str:
        return f"{'更正公告：' if self.replaces_id else ''}{self.title}"


class NoticePosting(models.Model):
    """Where and when the committee put a notice up, with a photo."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="postings")
    posted_on = models.DateField("张贴日期")
    place = models.CharField("张贴地点", max_length=100)
    photo = models.ImageField("照片", upload_to="notice-photos/%Y/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "公告张贴记录"
        verbose_name_plural = "公告张贴记录"
        ordering = ["notice", "posted_on", "pk"]

    def __str__(self) -> str:
        return f"{self.notice} {self.posted_on} {self.place}"


class NoticeFailure(models.Model):
    """The last failed render of a notice that is due (the page shows it with a retry
    button); removed when the notice is published."""

    election = models.ForeignKey(CommunityElection, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("公告类别", max_length=10)
    error = models.TextField("错误")
    attempts = models.PositiveIntegerField("失败次数", default=1)
    failed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "公告生成失败"
        verbose_name_plural = "公告生成失败"
        constraints = [
            models.UniqueConstraint(fields=["election", "kind"], name="notice_failure_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.error[:40]}"
