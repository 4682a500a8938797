"""Stored exports: a spreadsheet written by a Celery task, downloaded when ready."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from elections.models.cycle import CommunityElection
from elections.models.geography import Community


class ExportStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "正在生成"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
    EXPIRED = "expired", "已过期"


class ExportJob(models.Model):
    """One export too large for a request (more than EXPORT_DIRECT_MAX_ROWS rows).

    The file lies under MEDIA_ROOT/exports; `community` decides who may download it
    (whoever may read that community's roll)."""

    kind = models.CharField("导出内容", max_length=40)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    election = models.ForeignKey(
        CommunityElection, on_delete=models.PROTECT, related_name="export_jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    params = models.JSONField("筛选参数", default=dict, blank=True)
    description = models.CharField("筛选条件", max_length=500, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    total_rows = models.PositiveIntegerField("总行数", default=0)
    rows_written = models.PositiveIntegerField("已写行数", default=0)
    stored_file = models.CharField("存储的文件", max_length=200, blank=True)
    filename = models.CharField("文件名", max_length=200, blank=True)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    message = models.CharField("说明", max_length=300, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"导出{self.pk}（{self.get_status_display()}）"

    @property
    def is_running(self) -> bool:
        return self.status in (ExportStatus.PENDING, ExportStatus.RUNNING)

    @property
    def progress(self) -> int:
        """Percent done (0–100)."""
        if self.status == ExportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.rows_written * 100 // self.total_rows)
