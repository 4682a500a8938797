"""Certification (结果确认), 当选证书 and the archive (归档), issue 11 items 7–8.

A certification fixes a community's results: it stores the canonical content it
certified and that content's SHA-256 (VotingWorks: results marked official, then
locked). While one is in force nothing on election day may change; a later change
needs the certification revoked, with a reason, audited. A revoked certification
stays on record; certifying again is a new row.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from candidates.models import Candidate
from elections.models import CommunityElection


class Certification(models.Model):
    election = models.ForeignKey(
        CommunityElection, on_delete=models.PROTECT, related_name="certifications"
    )
    content: models.JSONField[dict[str, Any]] = models.JSONField("确认的内容")
    sha256 = models.CharField("内容 SHA-256", max_length=64)
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    certified_at = models.DateTimeField("确认时间", default=timezone.now)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoke_reason = models.CharField("撤销理由", max_length=300, blank=True)

    class Meta:
        verbose_name = "选举结果确认"
        verbose_name_plural = "选举结果确认"
        ordering = ["election", "certified_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["election"],
                condition=Q(revoked_at__isnull=True),
                name="one_certification_in_force",
            )
        ]

    def __str__(self) -> str:
        return f"{self.election} 结果确认 {self.certified_at:%Y-%m-%d}"

    @property
    def in_force(self) -> bool:
        return self.revoked_at is None


class ElectionCertificate(models.Model):
    """One 当选证书 (R38), rendered when the result is certified. Its number counts per
    community election and never repeats across certifications."""

    certification = models.ForeignKey(
        Certification, on_delete=models.PROTECT, related_name="certificates"
    )
    number = models.PositiveIntegerField("证书编号")
    track = models.CharField("工作线", max_length=20)
    post = models.CharField("职位", max_length=30)
    post_label = models.CharField("职位名称", max_length=30)
    name = models.CharField("姓名", max_length=50)
    candidate = models.ForeignKey(
        Candidate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pdf = models.FileField("证书文件", upload_to="certificates/%Y/")
    sha256 = models.CharField("SHA-256", max_length=64)

    class Meta:
        verbose_name = "当选证书"
        verbose_name_plural = "当选证书"
        ordering = ["certification", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "number"], name="certificate_number_once"
            )
        ]

    def __str__(self) -> str:
        return f"当选证书 {self.name}（{self.post_label}）"


class ArchiveStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    BUILDING = "building", "正在生成"
    READY = "ready", "已生成"
    FAILED = "failed", "生成失败"


class Archive(models.Model):
    """The sealed archive of one certification: one PDF with a table of contents and a
    zip of every file with a manifest of SHA-256 sums (DESIGN.md "Archive")."""

    certification = models.OneToOneField(
        Certification, on_delete=models.PROTECT, related_name="archive"
    )
    status = models.CharField(
        "状态", max_length=20, choices=ArchiveStatus.choices, default=ArchiveStatus.QUEUED
    )
    pdf = models.FileField("归档文件", upload_to="archives/%Y/", blank=True)
    zip = models.FileField("归档压缩包", upload_to="archives/%Y/", blank=True)
    manifest = models.TextField("清单", blank=True)
    manifest_sha256 = models.CharField("清单 SHA-256", max_length=64, blank=True)
    error = models.TextField("错误", blank=True)
    built_at = models.DateTimeField("生成时间", null=True, blank=True)

    class Meta:
        verbose_name = "归档"
        verbose_name_plural = "归档"

    def __str__(self) -> str:
        return f"{self.certification.election} 归档"
